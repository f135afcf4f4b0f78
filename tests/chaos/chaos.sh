#!/bin/sh
# chaos.sh - the kill -9 campaign: sluice's proof that nothing is lost,
# nothing runs twice and no limit is broken, whatever dies when.
#
#	tests/chaos/chaos.sh		(settings from the environment, below)
#
# Algorithm.
#  1. Set up one pool P (limit 6) with queues q1 (priority 1, limit 2), q2
#     (2, limit 3), q3 (3, no limit) and default; short timings (heartbeat
#     1 s, lease 3 s; two hosts: 1 s, 8 s).
#  2. Start, each in a restart loop (restarted 0.2 s after it dies, a new
#     instance each time): agents a1 (--limit 2), a2 (`sluice agent start`,
#     --limit 3), a3 (no limit), a4 (-q q1 -q q3, --limit 1) and
#     dispatchers d1, d2 (--watch).  Every instance carries
#     CHAOS_CAMPAIGN=<this campaign> and CHAOS_INST=<name.generation> in its
#     environment; an agent also CHAOS_AGENT and CHAOS_ALIMIT (its --limit),
#     which its supervisors pass on to the commands they start.
#  3. The sampler (sampler.c) scans /proc every 2 ms for this campaign's
#     commands and reports, with proof, every instant at which live
#     processes break the pool, a queue or an agent limit, or two attempts
#     of one run are alive at once.
#  4. The feeder submits runs (90 %, `sluice submit`) and drops run files
#     (10 %, renamed into queues/Q/new/) spread over the queues, each with
#     --retries 0-3; 15 % fail their first attempt and 5 % fail every one
#     (exit 3); keeping about BACKLOG runs in flight.  Every command is
#     job.sh, which appends `start RUN ATTEMPT PGID PID T` and
#     `end RUN ATTEMPT RC T` to the ledger, doing its work in a subshell.
#  5. The killer, every KILL_MS, picks a kind at random (agent, dispatcher,
#     supervisor, command leader, keeper) and a target of that kind (agents
#     and dispatchers from their loops' pid files; supervisors and leaders
#     from the `supervisor` and `pid` keys of a Running run's `lease`, never
#     a `recorder`; a keeper is any child of a local agent: a starter, or a
#     keeper starting, supervising or idle between runs), and SIGKILLs it
#     through kill9.sh, which checks the process's start time and
#     environment first.  Two hosts: a cutter also takes a host's link
#     down now and then (CUT_EVERY, CUT_SECONDS).
#  6. The feeder stops once RUNS runs are fed and KILLS kills made (or
#     after SECONDS).  Drain: kills stop; the agents finish every run (at
#     most DRAIN s); then they and the dispatchers get SIGTERM; recovery
#     passes (`sluice-dispatch --once`, `sluice flow-run ls`) run until no
#     private name is left (at most PRIVATE_WAIT s).
#  7. check.awk judges, from the ledger, the kill log, the sampler's
#     report, `sluice flow-run ls --json` and what is left in the spool;
#     prints the summary and exits 1 on any violation.
#
# Settings (environment): CHAOS_RUNS (10000) CHAOS_KILLS (1000)
# CHAOS_SECONDS (3600, cap of the feeding phase) CHAOS_KILL_MS (400)
# CHAOS_BACKLOG (40) CHAOS_WORK_MS (300-1200: the commands' work, "MIN-MAX")
# CHAOS_SEED (random) CHAOS_DIR (a new /tmp/chaos.XXXXXX; kept)
# CHAOS_DRAIN (180) CHAOS_PRIVATE_WAIT (12 leases + 10 s)
# CHAOS_HOSTS (1; 2 = agents on h1 and h2 of the netfs rig, which must be
# up: see two-host.sh) CHAOS_CUT_EVERY (60) CHAOS_CUT_SECONDS (25)
# CHAOS_KINDS ("agent dispatcher supervisor leader keeper": what the
# killer hits)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUNS=${CHAOS_RUNS:-10000}
KILLS=${CHAOS_KILLS:-1000}
SECONDS_MAX=${CHAOS_SECONDS:-3600}
KILL_MS=${CHAOS_KILL_MS:-400}
BACKLOG=${CHAOS_BACKLOG:-40}
WORK=${CHAOS_WORK_MS:-300-1200}
SEED=${CHAOS_SEED:-$(( $(date +%s) % 100000 + $$ ))}
DRAIN=${CHAOS_DRAIN:-180}
HOSTS=${CHAOS_HOSTS:-1}
CUT_EVERY=${CHAOS_CUT_EVERY:-60}
CUT_SECONDS=${CHAOS_CUT_SECONDS:-25}
KINDS=${CHAOS_KINDS:-agent dispatcher supervisor leader keeper}
W=${CHAOS_DIR:-$(mktemp -d /tmp/chaos.XXXXXX)}
# run from a copy of the scripts kept with the campaign's record (sh reads
# a script as it goes: an edit of the tree must not change a campaign)
if [ "${CHAOS_COPY:-}" != "$W" ]; then
	mkdir -p "$W/tool" && cp "$here"/*.sh "$here"/check.awk "$W/tool/" || exit 1
	CHAOS_COPY=$W CHAOS_DIR=$W CHAOS_TREE=$top exec sh "$W/tool/chaos.sh"
fi
top=${CHAOS_TREE:-$top}
C=chaos.$$.$(date +%s)			# this campaign's mark
SLUICE=$top/bin/sluice AGENT=$top/bin/sluice-agent DISPATCH=$top/bin/sluice-dispatch
JOB=$here/job.sh K9=$here/kill9.sh
X=${NETFS_DIR:-/work/shared/netfs}/netfs-exec.sh
mkdir -p "$W/pid" "$W/log" || exit 1
for f in "$SLUICE" "$AGENT" "$DISPATCH" "$top/tests/chaos/sampler"; do
	[ -x "$f" ] || { echo "chaos: $f is missing: run make all tests/chaos/sampler" >&2; exit 2; }
done

if [ "$HOSTS" = 2 ]; then
	SP=/mnt/spool/$C			# the spool as the hosts see it
	SPL=${NETFS_EXPORT:-/tmp/netfs/export}/$C	# the same, here
	HB=1 MISSED=5 LEASE=8
	[ -x "$X" ] && "$X" h1 true && "$X" h2 true ||
	    { echo "chaos: the netfs rig is not up (run it through two-host.sh)" >&2; exit 2; }
else
	SP=$W/spool SPL=$W/spool HB=1 MISSED=3 LEASE=3
fi
PRIVATE_WAIT=${CHAOS_PRIVATE_WAIT:-$(( 12 * LEASE + 10 ))}
cat >"$W/sluice.ini" <<EOF
[sluice]
heartbeat = $HB
missed_heartbeats = $MISSED
lease = $LEASE
cancel_grace = 1
poll_seconds = 1
EOF
export SLUICE_CONFIG=$W/sluice.ini
unset SLUICE_SPOOL SLUICE_RUN_ID SLUICE_RUN_ATTEMPT SLUICE_QUEUE
S() { "$SLUICE" --spool "$SPL" "$@"; }
ms() { date +%s%3N; }
r=$SEED
rand() { r=$(( (r * 1103515245 + 12345) % 2147483648 )); R=$(( r / 65536 )); }	# R: 0..32767
say() { echo "chaos: $*"; echo "$(ms) $*" >>"$W/events"; }

# sweep: SIGKILL every process left that carries this campaign's mark
# (agents, dispatchers, supervisors, commands: all started by us)
sweep() {
	for p in /proc/[0-9]*; do
		tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "CHAOS_CAMPAIGN=$C" &&
		    kill -KILL "${p#/proc/}" 2>/dev/null
	done
}
# on an interrupted campaign: stop our loops and helpers, kill what we started
cleanup() {
	touch "$W/stop" "$W/fed"
	for p in ${sampler:-} ${killer_pid:-} ${cutter_pid:-} $(cat "$W/loops" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	sweep
	if [ "$HOSTS" = 2 ]; then
		ip -n netfs-h1 link set eth0 up 2>/dev/null
		ip -n netfs-h2 link set eth0 up 2>/dev/null
	fi
}
trap 'cleanup; exit 130' INT TERM HUP

# on HOST CMD...: run CMD here (HOST "local") or on a rig host
on() { h=$1; shift; if [ "$h" = local ]; then "$@"; else "$X" "$h" "$@"; fi; }
. "$K9"
# k9 HOST PID START MARK [SIGNAL]: kill9.sh, here or on HOST
# (a pid on a rig host is looked up here by its NSpid: netfs-exec.sh takes
# seconds on a loaded machine, longer than a short run lives; kill9's start
# time and mark checks then tell the one process meant)
k9() {
	h=$1; shift
	[ "$h" = local ] && { kill9 "$@"; return; }
	for g in $(grep -lE "^NSpid:.*[[:space:]]$1\$" /proc/[0-9]*/status 2>/dev/null); do
		g=${g#/proc/}
		_p=$1; shift; kill9 "${g%/status}" "$@" && return 0; set -- "$_p" "$@"
	done
	return 1
}

# ---- 1. the pool ----
S work-pool create P --limit 6 >/dev/null &&
S work-queue create q1 -p P --priority 1 --limit 2 >/dev/null &&
S work-queue create q2 -p P --priority 2 --limit 3 >/dev/null &&
S work-queue create q3 -p P --priority 3 >/dev/null || { echo "chaos: cannot set up the pool in $SPL" >&2; exit 1; }
say "campaign $C in $W, seed $SEED, $HOSTS host(s), spool $SPL"

# ---- 3. the sampler ----
nice -n -5 "$top/tests/chaos/sampler" -c "$C" -P 6 -q q1=2 -q q2=3 -o "$W/sampler.out" \
    2>>"$W/log/sampler.log" &
sampler=$!

# ---- 2. restart loops ----
# loop NAME HOST ROLE CMD...: run CMD on HOST again whenever it dies, until
# $W/stop exists; the pid file pid/NAME says "HOST PID INSTANCE"
loop() {
	name=$1 host=$2; shift 2
	gen=0
	while [ ! -e "$W/stop" ]; do
		gen=$((gen + 1))
		inst=$name.$gen
		on "$host" sh -c 'echo "$1 $$ $2" >"$3.new" && mv "$3.new" "$3" && shift 3 && exec "$@"' \
		    sh "$host" "$inst" "$W/pid/$name" \
		    env CHAOS_CAMPAIGN="$C" CHAOS_INST="$inst" "$@" \
		    >>"$W/log/$name.log" 2>&1 </dev/null
		echo "$(ms) exit $inst $?" >>"$W/events"
		[ -e "$W/stop" ] || sleep 0.2
	done
}
agent() {	# NAME HOST LIMIT PROGRAM-WORDS... -- AGENT-ARGS...
	name=$1 host=$2 lim=$3; shift 3
	al=""; [ "$lim" -gt 0 ] && al="--limit $lim"
	# shellcheck disable=SC2086
	loop "$name" "$host" sh -c 'export CHAOS_AGENT=$CHAOS_INST CHAOS_ALIMIT=$0; exec "$@"' \
	    "$lim" "$@" --spool "$SP" -p P --hide-welcome --poll-seconds 1 $al &
	echo $! >>"$W/loops"
}
dispatcher() {	# NAME HOST
	loop "$1" "$2" "$DISPATCH" --spool "$SP" -p P --watch --poll-seconds 1 &
	echo $! >>"$W/loops"
}
if [ "$HOSTS" = 2 ]; then
	agent a1 h1 2 "$AGENT"
	agent a2 h2 3 "$SLUICE" agent start
	agent a3 h1 0 "$AGENT"
	agent a4 h2 1 "$AGENT" -q q1 -q q3
	dispatcher d1 h1
	dispatcher d2 h2
else
	agent a1 local 2 "$AGENT"
	agent a2 local 3 "$SLUICE" agent start
	agent a3 local 0 "$AGENT"
	agent a4 local 1 "$AGENT" -q q1 -q q3
	dispatcher d1 local
	dispatcher d2 local
fi

# ---- 5. the killer ----
# lease_get FILE: sets l_host l_sup l_pid l_sups l_pids from a run's lease
lease_get() {
	l_host="" l_sup="" l_pid="" l_sups="" l_pids=""
	# a run just started has no lease until its supervisor writes one
	[ -f "$1" ] || return 0
	while read -r k _ v; do
		case $k in
		host) l_host=$v ;; supervisor) l_sup=$v ;; pid) l_pid=$v ;;
		supervisor_start) l_sups=$v ;; pid_start) l_pids=$v ;;
		esac		# recorder: never a target
	done 2>/dev/null <"$1"
}
hostof() { case $1 in h1|h2) echo "$1" ;; *) echo local ;; esac; }
# try_kill KIND: SIGKILL one target of KIND chosen at random; 0 if done
try_kill() {
	kind=$1
	case $kind in
	agent|dispatcher)
		if [ $kind = agent ]; then set -- "$W"/pid/a*; else set -- "$W"/pid/d*; fi
		[ -e "$1" ] || return 1
		rand; shift $(( R % $# ))
		read -r h p inst <"$1" || return 1
		mark=CHAOS_INST=$inst start=- target=$inst ;;
	supervisor|leader)
		set -- "$SPL"/pools/P/running/*/lease
		[ -e "$1" ] || return 1
		rand; shift $(( R % $# ))
		lease_get "$1"
		d=${1%/lease}; id=${d##*.}
		h=$(hostof "$l_host")
		if [ $kind = supervisor ]; then
			p=$l_sup start=${l_sups:--} mark=CHAOS_CAMPAIGN=$C
		else
			p=$l_pid start=${l_pids:--} mark=SLUICE_RUN_ID=$id
		fi
		target=$id ;;
	keeper)
		# a child of an agent on this host: a starter, or a keeper
		# starting, supervising or waiting between runs (leases
		# name only the busy ones)
		set -- "$W"/pid/a*
		[ -e "$1" ] || return 1
		rand; shift $(( R % $# ))
		read -r h ap inst <"$1" || return 1
		[ "$h" = local ] || return 1
		set -- $(pgrep -P "$ap" 2>/dev/null)
		[ $# -gt 0 ] || return 1
		rand; shift $(( R % $# ))
		p=$1 start=- mark=CHAOS_CAMPAIGN=$C target=- ;;
	*)	return 1 ;;
	esac
	[ "$(k9 "$h" "$p" "$start" "$mark" 2>/dev/null)" = killed ] || return 1
	read -r up _ </proc/uptime	# the ledger's clock
	echo "kill $kind $p $(ms) $target $h $up" >>"$W/kills"
}
# every KILL_MS, a kind at random and up to 5 tries at a target of that
# kind (a short run may end between its lease being read and the kill)
killer() {
	nap=$(awk -v m="$KILL_MS" 'BEGIN { printf "%.3f", m / 1000 }')
	while [ ! -e "$W/fed" ]; do
		sleep "$nap"
		set -- $KINDS		# "none": no kills (a baseline)
		rand; shift $(( R % $# ))
		for try in 1 2 3 4 5; do
			try_kill "$1" && break
			echo "$(ms) missed $1" >>"$W/events"
			sleep 0.02
		done
	done
}
: >"$W/kills"
killer &
killer_pid=$!
# on a loaded machine a short run may be over before a kill reaches it: the
# killer, like the sampler, runs ahead of the crowd (it uses little CPU)
renice -n -5 -p "$killer_pid" >/dev/null 2>&1

# ---- two hosts: the cutter ----
cutter_pid=""
if [ "$HOSTS" = 2 ]; then
	(
		n=0
		while [ ! -e "$W/fed" ]; do
			# in steps: the campaign waits for us once fed
			k=0
			while [ "$k" -lt "$CUT_EVERY" ] && [ ! -e "$W/fed" ]; do
				sleep 1
				k=$((k + 1))
			done
			[ -e "$W/fed" ] && break
			n=$((n + 1)); h=h$(( n % 2 + 1 ))
			ip -n "netfs-$h" link set eth0 down &&
			    echo "kill host-cut 0 $(ms) $h $h $(cut -d' ' -f1 /proc/uptime)" >>"$W/kills"
			sleep "$CUT_SECONDS"
			ip -n "netfs-$h" link set eth0 up
			echo "$(ms) uncut $h" >>"$W/events"
		done
	) &
	cutter_pid=$!
fi

# ---- 4. the feeder ----
lo=${WORK%-*} hi=${WORK#*-}
: >"$W/submitted"
: >"$W/ledger"
count() { [ -e "$1" ] && echo $# || echo 0; }	# the words of a glob that matched
finals() { echo $(( $(count "$SPL"/pools/P/done/*) + $(count "$SPL"/pools/P/rejected/*) )); }
# runs go out in batches of BATCH submits at once (a fork is slow on a
# loaded machine; one submitter at a time could not keep the pool busy)
BATCH=${CHAOS_BATCH:-8}
t0=$(date +%s) n=0 nf=0 nk=0
while :; do
	el=$(( $(date +%s) - t0 ))
	[ "$el" -ge "$SECONDS_MAX" ] && { say "time is up after $el s"; break; }
	nk=$(wc -l <"$W/kills")
	# runs enough, kills not yet: feed on (a campaign is kills on live work)
	[ "$n" -ge "$RUNS" ] && [ "$nk" -ge "$KILLS" ] && break
	nf=$(finals)
	if [ $((n - nf)) -ge "$BACKLOG" ]; then sleep 0.1; continue; fi
	b=0 subs=""
	while [ $b -lt "$BATCH" ]; do
		b=$((b + 1)) n=$((n + 1))
		rand; q=$(( R % 4 )); case $q in 0) q=default ;; *) q=q$q ;; esac
		rand; retries=$(( R % 4 ))
		rand; work=$(( lo + R % (hi - lo + 1) ))
		rand; fails=0
		if [ $(( R % 100 )) -lt 5 ]; then fails=9
		elif [ $(( R % 100 )) -lt 20 ] && [ "$retries" -gt 0 ]; then fails=1; fi
		rand
		if [ $(( R % 10 )) = 0 ]; then
			dq=$SPL/pools/P/queues/$q
			[ -d "$dq/new" ] || mkdir -p "$dq/tmp" "$dq/new"
			printf '[run]\ncommand = /bin/sh %s %s %s %s\nname = chaos-d%s\nretries = %s\n' \
			    "$JOB" "$W/ledger" "$work" "$fails" "$n" "$retries" >"$dq/tmp/.d$n" &&
			    mv "$dq/tmp/.d$n" "$dq/new/d$n" &&
			    echo "drop chaos-d$n $q $retries $fails" >>"$W/submitted"
		else
			( id=$(S submit -p P -q "$q" --retries "$retries" -- \
			    /bin/sh "$JOB" "$W/ledger" "$work" "$fails") &&
			    echo "sub $id $q $retries $fails" >>"$W/submitted" ||
			    say "submit failed: $id" ) &
			subs="$subs $!"
		fi
		[ $((n % 500)) = 0 ] && say "fed $n, final $nf, kills $nk, $(( $(date +%s) - t0 )) s"
	done
	[ -n "$subs" ] && wait $subs
done
feed_s=$(( $(date +%s) - t0 ))
touch "$W/fed"
wait "$killer_pid"
[ -n "$cutter_pid" ] && wait "$cutter_pid"
say "fed $n runs in $feed_s s with $(wc -l <"$W/kills") kills; draining"

# ---- 6. drain ----
end=$(( $(date +%s) + DRAIN ))
while [ "$(finals)" -lt "$n" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 1; done
say "$(finals) of $n runs final after $(( $(date +%s) - t0 - feed_s )) s of drain"
touch "$W/stop"
for f in "$W"/pid/*; do
	read -r h p inst <"$f" && k9 "$h" "$p" - "CHAOS_INST=$inst" TERM >/dev/null
done
for l in $(cat "$W/loops"); do wait "$l"; done
end=$(( $(date +%s) + PRIVATE_WAIT ))
private() {	# what is left under a private name, one per line
	find "$SPL/pools/P" -mindepth 1 \( -name '.claim.*' -o -name '.crash.*' \
	    -o -path "$SPL/pools/P/agents/.new.*" -o -name '.lease.*' \) -prune -print
	find "$SPL/pools/P/tmp" -mindepth 1 -maxdepth 1
}
while [ "$(date +%s)" -lt "$end" ]; do
	"$DISPATCH" --spool "$SPL" -p P --once >>"$W/log/drain.log" 2>&1
	S flow-run ls -p P --json >/dev/null 2>>"$W/log/drain.log"
	[ -z "$(private)" ] && [ "$(finals)" -ge "$n" ] && break
	sleep 1
done
say "drained after $(( $(date +%s) - t0 - feed_s )) s"

# ---- 7. judge ----
kill -TERM "$sampler"; wait "$sampler"
# processes of this campaign's commands still alive now: each is a violation
for p in /proc/[0-9]*; do
	tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "CHAOS_CAMPAIGN=$C" || continue
	id=$(tr '\0' '\n' <"$p/environ" 2>/dev/null | sed -n 's/^SLUICE_RUN_ID=//p')
	echo "process ${p#/proc/} $id $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" >>"$W/leftover"
	kill -KILL "${p#/proc/}" 2>/dev/null
done
{
	private | sed 's/^/private /'
	find "$SPL/pools/P/slots" -mindepth 2 -maxdepth 2 2>/dev/null | sed 's/^/slot /'
	echo "info registrations $(find "$SPL/pools/P/agents" -mindepth 1 -maxdepth 1 | wc -l)"
	echo "info empty_pending $(find "$SPL/pools/P/pending" -mindepth 1 -maxdepth 1 -type d -empty | wc -l)"
} >>"$W/leftover"
S flow-run ls -p P --json >"$W/runs.json" 2>"$W/log/ls.log" ||
    echo "flow-run ls failed: $(cat "$W/log/ls.log")" >>"$W/leftover"
grep -c 'Cannot start flow run' "$W"/log/a*.log 2>/dev/null |
    awk -F: '{ n += $2 } END { print "info cannot_start_errors " n + 0 }' >>"$W/leftover"
cat "$W"/log/[ad]*.log | awk '/Claimed flow run/ { c++ } /Returned run .*agent is gone/ { r++ }
    END { print "info dispatcher_claims " c + 0; print "info claims_returned_agent_gone " r + 0 }' >>"$W/leftover"
touch "$W/leftover"
awk -v hosts="$HOSTS" -v feed_s="$feed_s" -f "$here/check.awk" \
    "$W/submitted" "$W/runs.json" "$W/ledger" "$W/kills" "$W/sampler.out" \
    "$W/leftover" >"$W/summary"
rc=$?
cat "$W/summary"
echo "chaos: everything is in $W"
exit $rc
