# agent_opts.sh - sluice-agent's options, end to end: sluice agent start
# is sluice-agent; --help/--version; usage errors (exit 2); pools and
# queues created on start; -p / -q / -m queue selection (-m sees a queue
# made after the start); --name; --hide-welcome; --run-once; --limit (one
# agent, and two agents sharing a pool: every run started exactly once);
# --poll-seconds (rescans recover an offline agent's claims); agent ls and
# work-pool inspect; SIGTERM (exit 0, deregister, hand back prefetched
# claims); SIGKILL (offline at once: the agent is of this host).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
D="$TOP/bin/sluice-dispatch"
fast_config "$TESTDIR/sluice.ini" lease=5 poll_seconds=2

cleanup() {
	kill_agents
	cancel_running	# supervisors outlive agents: stop the runs still going
}
trap cleanup EXIT
# wait_until SECONDS CMD...: 0 when CMD succeeds in time
wait_until() {
	_end=$(( $(msnow) + $1 * 1000 )); shift
	while [ "$(msnow)" -lt "$_end" ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
nrunning() { find "$SP/pools/$1/running" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l; }
agents_json() { S agent ls -p "$1" --json; }

# ---- sluice agent start is sluice-agent ----
expect_rc 0 S agent start --help && h1=$out
expect_rc 0 "$AG" --help && h2=$out
equals "$h1" "$h2" "sluice agent start --help is sluice-agent --help"
contains "$h2" "-p POOL" "--help shows the options (stdout)"
expect_rc 0 S agent start --version && v1=$out
expect_rc 0 "$AG" --version && v2=$out
equals "$v1" "$v2" "sluice agent start --version is sluice-agent --version"
contains "$v2" "sluice-agent" "--version names the program"
expect_rc 2 S agent start && contains "$errout" "-p" "sluice agent start without -p/-q/-m: exit 2, says what to give"
expect_rc 0 S agent start -p via-front --run-once --hide-welcome
S work-pool inspect via-front >/dev/null 2>&1 && ok "sluice agent start -p via-front --run-once ran the agent (pool made)" ||
    fail "sluice agent start did not run the agent"

# ---- usage errors: exit 2 and nothing created ----
expect_rc 2 "$AG" && contains "$errout" "No work queues" "no -p/-q/-m: exit 2"
expect_rc 2 "$AG" --run-once && ok "--run-once alone (no -p/-q/-m): exit 2"
expect_rc 2 "$AG" -q a -m dev- --run-once && ok "-q and -m together: exit 2"
expect_rc 2 "$AG" -p x -q a -m dev- --run-once && ok "-p -q -m together: exit 2"
for bad in 'a/b' '..' '.hidden' 'has space' '' "$(printf 'x%.0s' $(seq 1 65))"; do
	expect_rc 2 "$AG" -p "$bad" --run-once && ok "bad pool name '$bad': exit 2"
done
expect_rc 2 "$AG" -p good -q 'q/x' --run-once && ok "bad queue name: exit 2"
expect_rc 2 "$AG" -p good --name 'no/slash' --run-once && ok "bad agent name: exit 2"
for opt in "--limit 0" "--limit -1" "--limit x" "--limit 1.5" "--limit 99999999999" \
    "--poll-seconds 0" "--poll-seconds abc" "--poll-seconds 86401" \
    "--prefetch-seconds -1" "--prefetch-seconds 1x" "--limit" "--bogus 1"; do
	# shellcheck disable=SC2086
	expect_rc 2 "$AG" -p good --run-once $opt && ok "'$opt': exit 2"
done
[ -e "$SP/pools/good" ] && fail "a refused agent start created pool 'good'" ||
    ok "a refused agent start creates nothing"
expect_rc 2 "$AG" -p good --limit=0 --run-once && ok "--limit=0: exit 2"
expect_rc 0 "$AG" -p good --limit=2 --poll-seconds=3 --prefetch-seconds=0 --run-once --hide-welcome &&
    ok "--opt=VALUE forms accepted"

# ---- a missing pool and missing queues are created ----
expect_rc 0 "$AG" -p newpool -q qa -q qb --run-once --hide-welcome
S work-pool inspect newpool >/dev/null 2>&1 && ok "-p: a missing pool is created" || fail "pool newpool not created"
ql=$(S work-queue ls -p newpool --json)
contains "$ql" '"name":"qa"' "-q qa: missing queue created"
contains "$ql" '"name":"qb"' "-q qb (repeated -q): missing queue created"
contains "$errout" "Created work pool 'newpool'" "creation is logged"

# ---- -p alone serves every queue ----
S work-pool create all >/dev/null
a1=$(S submit -p all -- true); a2=$(S submit -p all -q x -- true); a3=$(S submit -p all -q y -- true)
expect_rc 0 "$AG" -p all --run-once --hide-welcome
for r in $a1 $a2 $a3; do
	expect_state "$r" Completed 5 "-p alone: run in queue $(S flow-run inspect "$r" --json | jget queue) Completed"
done

# ---- -q a -q b serves only a and b ----
S work-pool create sel >/dev/null
qa=$(S submit -p sel -q a -- true); qb=$(S submit -p sel -q b -- true); qc=$(S submit -p sel -q c -- true)
expect_rc 0 "$AG" -p sel -q a -q b --run-once --hide-welcome
expect_state "$qa" Completed 5 "-q a -q b: run in a Completed"
expect_state "$qb" Completed 5 "-q a -q b: run in b Completed"
sleep 0.5
equals "$(state "$qc")" Scheduled "-q a -q b: run in c stays Scheduled"

# ---- --hide-welcome ----
expect_rc 0 "$AG" -p sel --run-once
contains "$out" "Agent started! Looking for work from work pool 'sel'..." "banner: 'Agent started!' on stdout"
contains "$out" "Agent stopped!" "'Agent stopped!' on stdout"
expect_rc 0 "$AG" -p sel --run-once --hide-welcome
case $out in *"Agent started"*|*"___"*|*"Starting sluice"*) fail "--hide-welcome still printed: $out" ;;
*) ok "--hide-welcome: no banner, no 'Agent started!'" ;; esac
expect_rc 0 "$AG" -q a --run-once
contains "$out" "Looking for work from queue(s): a" "-q only: banner names the queues"

# ---- -m dev-: a queue made after the start, no restart; --name; agent ls ----
S work-pool create m >/dev/null
start_agent m -p m -m dev- --name matcher --hide-welcome
mpid=$apid
wait_until 5 has_online m || fail "agent -m never came online"
sleep 0.5
d1=$(S submit -p m -q dev-x -- true)	# dev-x made now, after the agent started
o1=$(S submit -p m -q other-x -- true)
expect_state "$d1" Completed 5 "-m dev-: queue dev-x created after the start is served"
kill -0 "$mpid" 2>/dev/null && ok "... by the same agent process (no restart)" || fail "agent -m died"
sleep 0.5
equals "$(state "$o1")" Scheduled "-m dev-: other-x is not served"
aj=$(agents_json m)
equals "$(echo "$aj" | jget name)" matcher "--name shows in agent ls --json"
equals "$(echo "$aj" | jget status)" online "agent ls: online while it runs"
equals "$(echo "$aj" | jget match)" dev- "agent ls: match is the -m prefix"
equals "$(echo "$aj" | jget pid)" "$mpid" "agent ls: pid"
contains "$(S agent ls -p m)" matcher "--name shows in the agent ls table"
equals "$(S flow-run inspect "$d1" --json | jget agent)" "$(echo "$aj" | jget id)" "the run's agent is the agent's id"
kill -TERM "$mpid"; wait "$mpid"; equals "$?" 0 "agent -m: SIGTERM, exit 0"

# ---- -m given twice: either prefix, as Prefect's repeatable -m ----
S work-pool create m2 >/dev/null
start_agent m2 -p m2 -m dev- -m ops- --name twice
m2pid=$apid
wait_until 5 has_online m2 || fail "agent -m -m never came online"
contains "$("$AG" -m dev- -m ops- --run-once 2>/dev/null)" "that start with the prefix: ['dev-', 'ops-']" "-m dev- -m ops-: Prefect's banner lists both"
d2=$(S submit -p m2 -q dev-a -- true)
o2=$(S submit -p m2 -q ops-b -- true)
z2=$(S submit -p m2 -q zz -- true)
expect_state "$d2" Completed 5 "-m dev- -m ops-: dev-a served"
expect_state "$o2" Completed 5 "-m dev- -m ops-: ops-b served"
sleep 0.5
equals "$(state "$z2")" Scheduled "-m dev- -m ops-: zz is not served"
equals "$(agents_json m2 | jget match)" "dev-,ops-" "agent ls --json: match holds both prefixes"
kill -TERM "$m2pid"; wait "$m2pid"

# ---- --run-once exits at once; its run goes on and ends Completed ----
S work-pool create once >/dev/null
r1=$(S submit -p once -- sleep 2)
t0=$(msnow)
expect_rc 0 "$AG" -p once --run-once --hide-welcome
dt=$(( $(msnow) - t0 ))
[ "$dt" -lt 1500 ] && ok "--run-once exited 0 after ${dt} ms (its run sleeps 2 s)" || fail "--run-once took ${dt} ms"
equals "$(state "$r1")" Running "the run started by --run-once is Running after the agent exited"
expect_state "$r1" Completed 6 "... and ends Completed under its supervisor"
equals "$(S flow-run inspect "$r1" --json | jget exit_code)" 0 "... exit_code 0"
equals "$(agents_json once)" "" "--run-once deregistered"

# ---- --limit 1: never more than one Running ----
S work-pool create lim >/dev/null
l1=$(S submit -p lim -- sleep 1); l2=$(S submit -p lim -- sleep 1); l3=$(S submit -p lim -- sleep 1)
start_agent lim -p lim --limit 1 --hide-welcome
lpid=$apid
maxr=0; end=$(( $(msnow) + 10000 ))
while [ "$(msnow)" -lt "$end" ]; do
	n=$(nrunning lim); [ "$n" -gt "$maxr" ] && maxr=$n
	[ "$(S flow-run ls -p lim --state Completed --json | wc -l)" -eq 3 ] && break
	sleep 0.05
done
equals "$maxr" 1 "--limit 1: at most (and at some point) 1 Running at once"
for r in $l1 $l2 $l3; do equals "$(state "$r")" Completed "--limit 1: run $r Completed"; done
kill -TERM "$lpid"; wait "$lpid"

# ---- two agents, --limit 1 each, one pool, 6 runs ----
S work-pool create two >/dev/null
start_agent two1 -p two --limit 1 --hide-welcome; t1pid=$apid
start_agent two2 -p two --limit 1 --hide-welcome; t2pid=$apid
wait_until 5 sh -c "[ \$($SLUICE agent ls -p two --json | grep -c '\"online\"') -eq 2 ]" ||
    fail "two agents did not come online"
equals "$(S work-pool inspect two --json | jget agents_online)" 2 "work-pool inspect: agents_online 2"
touch "$TESTDIR/started"
ids=""
for i in 1 2 3 4 5 6; do
	ids="$ids $(S submit -p two -- sh -c 'echo "$SLUICE_RUN_ID" >>"$1"; sleep 1' sh "$TESTDIR/started")"
done
maxr=0; end=$(( $(msnow) + 15000 ))
while [ "$(msnow)" -lt "$end" ]; do
	n=$(nrunning two); [ "$n" -gt "$maxr" ] && maxr=$n
	[ "$(S flow-run ls -p two --state Completed --json | wc -l)" -eq 6 ] && break
	sleep 0.05
done
[ "$maxr" -le 2 ] && ok "two agents --limit 1: at most 2 Running at once (saw $maxr)" || fail "saw $maxr Running at once"
equals "$(S flow-run ls -p two --state Completed --json | wc -l)" 6 "two agents: all 6 Completed"
equals "$(wc -l <"$TESTDIR/started")" 6 "two agents: 6 starts in all"
equals "$(sort -u "$TESTDIR/started" | wc -l)" 6 "two agents: every run started exactly once (no duplicate)"
for r in $ids; do grep -qx "$r" "$TESTDIR/started" || fail "run $r never started"; done
A1=$(agents_json two | python3 -c 'import json,sys
print(" ".join(json.loads(l)["id"] for l in sys.stdin))')
by=$(for r in $ids; do S flow-run inspect "$r" --json | jget agent; done | sort | uniq -c)
nby=$(echo "$by" | wc -l)
equals "$nby" 2 "two agents: both agents did some work"
for r in $ids; do case " $A1 " in *" $(S flow-run inspect "$r" --json | jget agent) "*) ;; *) fail "run $r: agent is not one of the two" ;; esac; done
kill -TERM "$t1pid" "$t2pid"; wait "$t1pid"; wait "$t2pid"

# ---- --poll-seconds: rescans recover the claims of an agent gone offline ----
# a hand-registered agent F (spool API) gets a run claimed by the dispatcher,
# then stops beating; only a rescan (every --poll-seconds) takes it back
fake() {	# POOL ID
	mkdir -p "$SP/pools/$1/agents/$2"
	printf '[agent]\nid = %s\nname = fake\nhost = %s\npid = 1\npool = %s\nqueues = \nmatch = none\nlimit = none\nprefetch = 10\nstarted = 2026-01-01T00:00:00Z\n; end of sluice file\n' \
	    "$2" "$(hostname)" "$1" >"$SP/pools/$1/agents/$2/agent.ini"
	date +%s >"$SP/pools/$1/agents/$2/heartbeat"
}
S work-pool create pf >/dev/null; S work-pool create ps >/dev/null
fake pf 66666666-6666-4666-8666-666666666666
fake ps 77777777-7777-4777-8777-777777777777
pf1=$(S submit -p pf -- true); ps1=$(S submit -p ps -- true)
"$D" --once -p pf -p ps
equals "$(state "$pf1")/$(state "$ps1")" Pending/Pending "runs claimed for the hand-made agents"
# the fake agent of ps beats on until the --poll-seconds 60 agent has made
# its first pass (a full one, at its start: on a loaded machine that can
# come after the 3 s window): its own run psm, submitted after the claim,
# has run by then; from there only a rescan, 60 s away, could take ps1 back
FB=$SP/pools/ps/agents/77777777-7777-4777-8777-777777777777/heartbeat
( while [ ! -e "$TESTDIR/ps.nobeat" ]; do date +%s >"$FB.new" && mv "$FB.new" "$FB"; sleep 0.3; done ) &
bpid=$!; pids="$pids $bpid"
psm=$(S submit -p ps -- true)
start_agent pf -p pf --poll-seconds 1 --hide-welcome; pfpid=$apid
start_agent ps -p ps --poll-seconds 60 --hide-welcome; pspid=$apid
expect_state "$psm" Completed 20 "--poll-seconds 60: the agent's own run ran (its first pass is over)"
touch "$TESTDIR/ps.nobeat"; wait "$bpid"
# the fake agent of pf goes offline 3 s after its beat; a 1 s rescan sees it
expect_state "$pf1" Completed 8 "--poll-seconds 1: an offline agent's claim recovered and run"
equals "$(state "$ps1")" Pending "--poll-seconds 60: not rescanned yet, the claim is still held"
kill -TERM "$pfpid" "$pspid"; wait "$pfpid"; wait "$pspid"

# ---- SIGTERM: exit 0, deregistered, prefetched claims handed back ----
S work-pool create st >/dev/null
late=$(S submit -p st --at +30s -- true)
start_agent st -p st --prefetch-seconds 60; stpid=$apid
wait_until 5 has_online st && ok "agent ls: online while running" || fail "agent st never online"
expect_state "$late" Pending 5 "--prefetch-seconds 60: a run due in 30 s is claimed (Pending)"
equals "$(S work-pool inspect st --json | jget agents_online)" 1 "work-pool inspect: agents_online 1"
kill -TERM "$stpid"; wait "$stpid"; equals "$?" 0 "SIGTERM: the agent exits 0"
equals "$(agents_json st)" "" "SIGTERM: deregistered (gone from agent ls)"
equals "$(state "$late")" Scheduled "SIGTERM: its unstarted prefetched claim handed back (Scheduled)"
equals "$(S work-pool inspect st --json | jget agents_online)" 0 "work-pool inspect: agents_online 0 after it stopped"
contains "$(cat "$TESTDIR/st.out")" "Agent stopped!" "SIGTERM: 'Agent stopped!'"
contains "$(cat "$TESTDIR/st.err")" "Handed flow run '$late' back" "the hand-back is logged"

# ---- SIGKILL: offline at once on its own host ----
# (its registration names its pid and the pid's start time; another host
# would see it offline after heartbeat * missed_heartbeats, 1 * 3 s)
S work-pool create kl >/dev/null
start_agent kl -p kl --hide-welcome; klpid=$apid
wait_until 5 has_online kl || fail "agent kl never online"
equals "$(S work-pool inspect kl --json | jget agents_online)" 1 "before SIGKILL: agents_online 1"
kill -KILL "$klpid"; wait "$klpid" 2>/dev/null
equals "$(agents_json kl | jget status)" offline "just after SIGKILL: offline (its process is gone)"
contains "$(S agent ls -p kl)" offline "agent ls table: offline"
equals "$(S work-pool inspect kl --json | jget agents_online)" 0 "SIGKILL: agents_online drops to 0"
finish
