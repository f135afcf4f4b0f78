# netfs_agents.sh - real sluice-agents on two hosts, h1 and h2, sharing one
# spool over the netfs rig (netfs.inc: sshfs here, nfs in
# netfs_agents_nfs.sh), once with the backend's default caching and once
# with every client cache off.  Short timings (heartbeat 1, lease 8, poll 1).
#
#  A. shared work: a pool with limit 3, one agent on each host (each
#     --limit 2, so neither fills the pool alone), 40 short
#     runs.  A sampler on the file server's side (which sees the truth)
#     counts Running runs, Pending+Running runs and held pool slots
#     continuously: never above 3.  Every run ends Completed, every run
#     was started exactly once across both hosts (each host appends to its
#     own file), both hosts started some, and the host each run records is
#     the host that started it.
#  B. a host dies mid-run: an agent on h2 starts `sleep 60`; an agent on
#     h1 watching the same pool leaves the healthy remote run alone; then
#     h2's namespace holder is killed (everything on h2 dies, like pulling
#     its plug).  Within 40 s (deadline + lease + margin) the h1 agent ends
#     the run Crashed, saying h2 stopped renewing its lease, not before the
#     deadline + lease, and never starts a second copy.
# Skips (77, saying why) when the rig cannot start; never passes silently.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/netfs.inc"
netfs_need
X=$NETFS/netfs-exec.sh
AG=$TOP/bin/sluice-agent
EXPORT=$NETFS_EXPORT
# the config is in $TESTDIR (under /tmp): the same path on every host
fast_config "$TESTDIR/sluice.ini" missed_heartbeats=5 lease=8
LEASE=8
agents=""
agent_on() {	# HOST SPOOL POOL LOG [ARGS]: an agent in the background "on" HOST
	h=$1 s=$2 p=$3 log=$4
	shift 4
	( "$X" "$h" env SLUICE_CONFIG="$SLUICE_CONFIG" "$AG" --spool "$s" -p "$p" \
	    --poll-seconds 1 --hide-welcome "$@" >"$log" 2>&1 </dev/null
	  exit $? ) 2>/dev/null &	# quiet: "Killed" when its host goes
	agents="$agents $!"
}
rig_down() {	# the agents die with their hosts
	netfs_down
	for p in $agents; do wait "$p" 2>/dev/null; done
	agents=""
}

# sampler SPOOLDIR POOL STOPFILE: until STOPFILE exists, count Running runs,
# Pending+Running runs (by id, once, never more than at one moment) and
# held pool slots; print the maxima
sampler() {
	python3 - "$@" <<'EOF'
import os, re, sys
pd = os.path.join(sys.argv[1], "pools", sys.argv[2])
stop = sys.argv[3]
uu = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
def ls(d):
    try: return [n for n in os.listdir(d) if not n.startswith(".")]
    except OSError: return []
n = mr = ma = ms = 0
def pending():
    s = set()
    for a in ls(os.path.join(pd, "pending")):
        for t in ls(os.path.join(pd, "pending", a)):
            m = uu.search(t)
            if m: s.add(m.group(0))
    return s
# listings are not one moment: a run seen pending may have run and ended
# before running/ is listed, and the run that took its slot be seen there;
# so pending/ is listed before and after running/, and a run counts if it
# is in running/ or pending in both: never more than were active at once
while not os.path.exists(stop):
    p1 = pending()
    run = ls(os.path.join(pd, "running"))
    p2 = pending()
    ids = p1 & p2
    for t in run:
        m = uu.search(t)
        if m: ids.add(m.group(0))
    sd = os.path.join(pd, "slots")
    held = sum(1 for s in ls(sd) if re.fullmatch(r"pool\.[0-9]+", s) and ls(os.path.join(sd, s)))
    mr, ma, ms = max(mr, len(run)), max(ma, len(ids)), max(ms, held)
    n += 1
print(n, mr, ma, ms)
EOF
}

shared_work() {	# MODE
	sp=/mnt/spool/a-$1 spl=$EXPORT/a-$1
	# fewer runs on nfs with caches off: fuse-nfs does one call at a time
	NRUNS=${NETFS_AGENT_RUNS:-$(netfs_size 40 40 15)}
	mkdir -p "$spl"
	L() { "$SLUICE" --spool "$spl" "$@"; }
	L work-pool create P --limit 3 >/dev/null || fail "$1: work-pool create P --limit 3"
	# submitted before the agents start, so neither host's first listing
	# is a stale empty one (sshfs caches listings ~21 s by default)
	: >"$TESTDIR/ids.$1"
	for i in $(seq 1 "$NRUNS"); do
		L submit -p P -- sh -c 'echo "$SLUICE_RUN_ID" >>"$1.$(hostname)"; sleep 0.3' \
		    sh "$sp/started" >>"$TESTDIR/ids.$1" || fail "$1: submit $i"
	done
	rm -f "$TESTDIR/stop.$1"
	sampler "$spl" P "$TESTDIR/stop.$1" >"$TESTDIR/sample.$1" &
	spid=$!
	t0=$(msnow)
	# each agent limited to 2, so neither can fill the pool alone: without
	# it, under default caching one host's stale view of slots/ (up to
	# ~21 s) let the other take all 40 runs in one run of this test
	agent_on h1 "$sp" P "$TESTDIR/agentA.h1.$1.log" --limit 2
	agent_on h2 "$sp" P "$TESTDIR/agentA.h2.$1.log" --limit 2
	end=$(( t0 + 90000 )) nend=0
	while [ "$(msnow)" -lt "$end" ]; do
		nend=$(L flow-run ls --json 2>/dev/null | grep -Ec '"state":"(Completed|Failed|Crashed|Cancelled|Rejected)"')
		[ "$nend" -ge "$NRUNS" ] && break
		sleep 0.5
	done
	echo "$1: $nend of $NRUNS runs ended after $(( $(msnow) - t0 )) ms"
	touch "$TESTDIR/stop.$1"
	wait "$spid"
	read -r samples mrun mact mslot <"$TESTDIR/sample.$1"
	echo "$1: sampler: $samples samples, max Running $mrun, max Pending+Running $mact, max pool slots $mslot"
	[ "$samples" -gt 100 ] && ok "$1: sampled $samples times" || fail "$1: only $samples samples"
	[ "$mrun" -le 3 ] && ok "$1: Running never above the limit 3 (max $mrun)" ||
	    fail "$1: $mrun runs Running at once, pool limit 3"
	[ "$mact" -le 3 ] && ok "$1: Pending+Running never above 3 (max $mact)" ||
	    fail "$1: $mact runs Pending+Running at once, pool limit 3"
	[ "$mslot" -le 3 ] && ok "$1: pool slots held never above 3 (max $mslot)" ||
	    fail "$1: $mslot pool slots held at once, limit 3"
	[ "$mrun" -ge 2 ] && ok "$1: runs ran side by side (max Running $mrun)" ||
	    fail "$1: never 2 runs Running at once: the limit was not exercised"
	L flow-run ls --json >"$TESTDIR/ls.$1" 2>&1
	states=$(python3 -c 'import json,sys,collections
c = collections.Counter(json.loads(l)["state"] for l in open(sys.argv[1]))
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$TESTDIR/ls.$1")
	equals "$states" "Completed=$NRUNS" "$1: every run ended Completed"
	python3 - "$TESTDIR/ids.$1" "$spl/started" "$TESTDIR/ls.$1" <<'EOF' >"$TESTDIR/check.$1"
import collections, json, sys
ids = [l.strip() for l in open(sys.argv[1]) if l.strip()]
per = {}
for h in ("h1", "h2"):
    try: per[h] = [l.strip() for l in open(sys.argv[2] + "." + h) if l.strip()]
    except OSError: per[h] = []
c = collections.Counter(per["h1"] + per["h2"])
print("submitted", len(ids), len(set(ids)))
print("never", sum(1 for i in ids if c[i] == 0))
print("twice", sum(1 for i in ids if c[i] > 1), " ".join(i for i in ids if c[i] > 1)[:300])
print("unknown", sum(1 for i in c if i not in set(ids)))
print("hosts", len(per["h1"]), len(per["h2"]))
runs = {}
for l in open(sys.argv[3]):
    r = json.loads(l); runs[r["id"]] = r
bad = [i for h in per for i in per[h] if i in runs and runs[i].get("host") != h]
print("wronghost", len(bad), " ".join(bad)[:300])
EOF
	cat "$TESTDIR/check.$1"
	read -r _ nsub nuniq <<<"$(grep '^submitted' "$TESTDIR/check.$1")"
	equals "$nsub $nuniq" "$NRUNS $NRUNS" "$1: $NRUNS distinct runs submitted"
	equals "$(awk '/^never/{print $2}' "$TESTDIR/check.$1")" 0 "$1: no run left unstarted"
	equals "$(awk '/^twice/{print $2}' "$TESTDIR/check.$1")" 0 "$1: no run started twice (across both hosts)"
	equals "$(awk '/^unknown/{print $2}' "$TESTDIR/check.$1")" 0 "$1: nothing started that was not submitted"
	read -r _ n1 n2 <<<"$(grep '^hosts' "$TESTDIR/check.$1")"
	[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && ok "$1: both hosts started runs (h1 $n1, h2 $n2)" ||
	    fail "$1: only one host started runs (h1 $n1, h2 $n2): no sharing happened"
	equals "$(awk '/^wronghost/{print $2}' "$TESTDIR/check.$1")" 0 "$1: each run records the host that started it"
	if grep -qiE 'error|warning|crash' "$TESTDIR"/agentA.*."$1".log; then
		echo "$1: agent log lines worth a look:"
		grep -hiE 'error|warning|crash' "$TESTDIR"/agentA.*."$1".log | head -10
	fi
	rig_down
}

host_dies() {	# MODE
	sp=/mnt/spool/b-$1 spl=$EXPORT/b-$1
	mkdir -p "$spl"
	L() { "$SLUICE" --spool "$spl" "$@"; }
	L work-pool create B >/dev/null || fail "$1: work-pool create B"
	id=$(L submit -p B -- sh -c 'echo "$SLUICE_RUN_ID" >>"$1.$(hostname)"; exec sleep 60' sh "$sp/bstarted")
	field() { L flow-run inspect "$id" --json 2>/dev/null | jget "$1"; }
	agent_on h2 "$sp" B "$TESTDIR/agentB.h2.$1.log"
	end=$(( $(msnow) + 40000 ))
	while [ "$(msnow)" -lt "$end" ] && [ "$(field state)" != Running ]; do sleep 0.2; done
	equals "$(field state) on $(field host)" "Running on h2" "$1: sleep 60 Running on h2"
	# a healthy run on another host is left alone: an h1 agent on the
	# same pool, for longer than heartbeat + lease
	agent_on h1 "$sp" B "$TESTDIR/agentB.h1.$1.log"
	sleep $(( LEASE + 3 ))
	equals "$(field state) on $(field host)" "Running on h2" "$1: an h1 agent leaves h2's live run alone for $(( LEASE + 3 )) s"
	hp=$(awk '$1 == "holder_h2" { print $2 }' "$NETFS_STATE/pids")
	[ -n "$hp" ] || fail "$1: no holder_h2 in $NETFS_STATE/pids"
	tk=$(date +%s) t0=$(msnow)
	kill -KILL "$hp"
	for i in $(seq 100); do [ -e "/proc/$hp" ] || break; sleep 0.05; done
	[ -e "/proc/$hp" ] && fail "$1: h2's holder $hp outlived SIGKILL"
	echo "$1: h2 killed (holder $hp)"
	end=$(( t0 + 40000 ))
	while [ "$(msnow)" -lt "$end" ] && [ "$(field state)" = Running ]; do sleep 0.2; done
	dt=$(( $(msnow) - t0 ))
	L flow-run inspect "$id" --json >"$TESTDIR/b.$1.json" 2>&1
	cat "$TESTDIR/b.$1.json"
	equals "$(field state)" Crashed "$1: the run of the dead host ends Crashed (after ${dt} ms, limit 40000)"
	msg=$(field message)
	contains "$msg" "h2 stopped renewing its lease" "$1: the message says h2 stopped renewing its lease"
	# not before its last deadline + another lease (whole seconds)
	due=$(sed -n 's/.*(due \([^)]*\)).*/\1/p' <<<"$msg")
	ended=$(field ended)
	if [ -n "$due" ] && [ "$ended" != null ] && [ -n "$ended" ]; then
		gap=$(( $(date -d "$ended" +%s) - $(date -d "$due" +%s) ))
		[ "$gap" -ge "$LEASE" ] && ok "$1: ended ${gap} s after its lease's deadline (margin: lease $LEASE s)" ||
		    fail "$1: ended only ${gap} s after its lease's deadline $due, before deadline + lease $LEASE"
		late=$(( $(date -d "$ended" +%s) - tk ))
		echo "$1: crash detected $late s after h2 died"
	else
		fail "$1: no deadline in the message or no end time (due '$due', ended '$ended')"
	fi
	sleep 3	# a few more rescans by the h1 agent
	equals "$(field state) attempt $(field attempt) host $(field host)" "Crashed attempt 1 host h2" \
	    "$1: still Crashed, attempt 1, on h2"
	[ -e "$spl/bstarted.h1" ] && fail "$1: h1 started a second copy: $(cat "$spl/bstarted.h1")" ||
	    ok "$1: h1 never started the run"
	equals "$(cat "$spl/bstarted.h2" 2>/dev/null)" "$id" "$1: h2 started it once"
	grep -q 'Started flow run' "$TESTDIR/agentB.h1.$1.log" && fail "$1: the h1 agent started a run" ||
	    ok "$1: the h1 agent log shows no start"
	equals "$(L flow-run ls --json | grep -c .)" 1 "$1: still exactly one run in the pool"
	equals "$(ls "$spl/pools/B/running" 2>/dev/null | wc -l)" 0 "$1: nothing left in running/"
	echo "$1: h1 agent log:"; sed 's/^/    /' "$TESTDIR/agentB.h1.$1.log"
	rig_down
}

T0=$(msnow)
for mode in $(NETFS_MODES=${NETFS_MODES:-default nocache} netfs_modes); do
	netfs_up "$mode"
	shared_work "$mode"
	netfs_up "$mode"
	host_dies "$mode"
done
echo "total $(( ($(msnow) - T0) / 1000 )) s"
trap - EXIT
finish
