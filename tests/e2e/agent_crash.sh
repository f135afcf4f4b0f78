# agent_crash.sh - what happens when the processes behind a run die:
# kill -9 of the agent (its running run finishes under its supervisor, its
# claimed-not-started run goes back at once, being of this host, and runs
# once), kill -9 of a run's
# supervisor (Crashed at once, its process group killed; or, with retries
# left, attempt 2), a lease from another host (Crashed only after its
# deadline plus another lease), and no run left Running or in two places.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
D="$TOP/bin/sluice-dispatch"
fast_config "$TESTDIR/sluice.ini"
LEASE=3

cleanup() {
	kill_agents
	kill_leased	# a run this test left behind
}
trap cleanup EXIT
psg() { ps -eo pid=,ppid=,pgid=,stat=,args= | awk -v g="$1" '$3 == g' | tr '\n' ';'; }	# PGID: what is left
lines() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }

S work-pool create c1 >/dev/null
S work-pool create c4 >/dev/null

# ---- 1. kill -9 of the agent ----
start_agent a1 -p c1 --hide-welcome --prefetch-seconds 60
a1=$apid
wait_online c1
A1=$(ls "$SP/pools/c1/agents" | head -n 1)
r1=$(S submit -p c1 --name r1 -- sh -c "echo started >>'$TESTDIR/r1.starts'; sleep 8; echo done")
r2=$(S submit -p c1 --name r2 --at +20s -- sh -c "echo started >>'$TESTDIR/r2.starts'")
expect_state "$r1" Running 5 "r1 Running"
expect_state "$r2" Pending 5 "r2 (due in 20 s) claimed early by a --prefetch-seconds 60 agent"
[ -n "$(ls "$SP/pools/c1/pending/$A1/" 2>/dev/null | grep "$r2")" ] &&
    ok "r2 is in pending/AGENT/" || fail "r2 not in pending/$A1/"
wait_lease c1 "$r1" 5; sup1=$sup
# another host's agent that stops beating keeps its claims for
# heartbeat * missed_heartbeats; one on this host is known dead at once
# (its registration names its pid and the pid's start time)
kill -KILL "$a1"; wait "$a1" 2>/dev/null
ok "agent killed with SIGKILL"
"$D" --once -p c1 2>"$TESTDIR/d1.log" || fail "dispatch --once"
equals "$(state "$r2")" Scheduled "recovery returns the killed agent's Pending run to Scheduled at once"
contains "$(cat "$TESTDIR/d1.log")" "its process $a1 on this host died" \
    "because its process died, not because its beats were missed"
[ -e "$SP/pools/c1/agents/$A1" ] && fail "the dead agent's registration is still there" ||
    ok "the dead agent's registration was removed"
gone "$sup1" && fail "r1's supervisor died with the agent" || ok "r1's supervisor outlives the agent"
expect_state "$r1" Completed 15 "r1 ends Completed after its agent was killed"
contains "$(S flow-run logs "$r1")" done "r1's log has its output"
equals "$(lines "$TESTDIR/r1.starts")" 1 "r1 started once"
equals "$(field "$r1" exit_code)" 0 "r1 exit_code 0"
[ -n "$(find "$SP/pools/c1/queues/default/sched/" -name "*.$r2")" ] &&
    ok "r2 is back in queues/default/sched/" || fail "r2 not in sched/"
equals "$(find "$SP/pools/c1/pending" -mindepth 2 -maxdepth 2 2>/dev/null | wc -l)" 0 "nothing left in pending/"
equals "$(lines "$TESTDIR/r2.starts")" 0 "r2 has not started (due in the future)"
equals "$(field "$r2" attempt)" 1 "r2 still attempt 1"

# ---- 2. kill -9 of a supervisor, no retries ----
start_agent a2 -p c1 --hide-welcome
a2=$apid
wait_online c1
r3=$(S submit -p c1 --name r3 -- sh -c 'sleep 30; echo never')
expect_state "$r3" Running 5 "r3 Running"
wait_lease c1 "$r3" 5; sup3=$sup; pid3=$cpid
group_gone "$pid3" && fail "r3's process group is empty while Running" || ok "r3's process group $pid3 exists"
kill -KILL "$sup3"
t0=$(msnow)
expect_state "$r3" Crashed 5 "r3 Crashed after its supervisor was killed"
echo "  crashed after $(( $(msnow) - t0 )) ms"
contains "$(field "$r3" message)" "supervisor (pid $sup3" "the message names the supervisor"
gone "$pid3" && ok "r3's command (pid $pid3) is gone" || fail "r3's command pid $pid3 still alive"
group_gone "$pid3" && ok "r3's process group is gone (sleep 30 killed)" || fail "r3's group $pid3 has: $(psg "$pid3")"
[ -z "$(rdir c1 "$r3")" ] && ok "r3 left running/" || fail "r3 still in running/"

# ---- 3. the same with --retries 1: attempt 2 completes ----
r4=$(S submit -p c1 --name r4 --retries 1 -- sh -c "echo \$SLUICE_RUN_ATTEMPT >>'$TESTDIR/r4.starts'; [ \"\$SLUICE_RUN_ATTEMPT\" = 2 ] || sleep 30")
expect_state "$r4" Running 5 "r4 Running"
wait_lease c1 "$r4" 5; sup4=$sup; pid4=$cpid
equals "$(field "$r4" attempt)" 1 "r4 attempt 1"
kill -KILL "$sup4"
expect_state "$r4" Completed 8 "r4 retried after its supervisor died, and Completed"
equals "$(field "$r4" attempt)" 2 "r4 ended on attempt 2"
equals "$(tr '\n' ' ' <"$TESTDIR/r4.starts" 2>/dev/null)" "1 2 " "r4 started exactly twice (attempts 1, 2)"
group_gone "$pid4" && ok "r4's first attempt's process group is gone" || fail "r4's attempt-1 group $pid4 still has: $(psg "$pid4")"

# ---- 4. a lease from another host ----
start_agent a4 -p c4 --hide-welcome
a4=$apid
wait_online c4
r5=$(S submit -p c4 --name r5 -- sh -c 'sleep 30; echo never')
expect_state "$r5" Running 5 "r5 Running"
wait_lease c4 "$r5" 5; sup5=$sup; pid5=$cpid; rd5=$rd
kill -KILL "$a4"; wait "$a4" 2>/dev/null
# stop the supervisor first, so that no lease of its own lands after ours
# and no detector sees this host's dead supervisor in between
kill -STOP "$sup5"
put_lease() {	# DEADLINE
	printf 'deadline = %s\nhost = otherhost\nsupervisor = %s\npid = %s\n; end of sluice file\n' \
	    "$1" "$sup5" "$pid5" >"$rd5/.lease.test"
	mv "$rd5/.lease.test" "$rd5/lease"
}
put_lease $(( $(date +%s) + 30 ))
kill -KILL "$sup5"; kill -KILL -- "-$pid5" 2>/dev/null
sleep 0.2
gone "$sup5" && group_gone "$pid5" && ok "r5's supervisor and group killed" || fail "r5's supervisor or group survived: $(psg "$pid5") sup: $(ps -o pid=,ppid=,stat= -p "$sup5")"
"$D" --once || fail "dispatch --once"
equals "$(state "$r5")" Running "another host's lease with a future deadline: still Running"
dl=$(( $(date +%s) - 1 ))
put_lease "$dl"
"$D" --once || fail "dispatch --once"
if [ "$(date +%s)" -le $(( dl + LEASE )) ]; then
	equals "$(state "$r5")" Running "deadline just past, within one more lease: still Running"
fi
early=0; crashed=0
_end=$(( $(msnow) + 10000 ))
while [ "$(msnow)" -lt "$_end" ]; do
	tb=$(date +%s)
	"$D" --once
	ta=$(date +%s)
	if [ "$(state "$r5")" = Crashed ]; then
		crashed=1
		[ "$ta" -le $(( dl + LEASE )) ] && early=1
		break
	fi
	[ "$tb" -gt $(( dl + LEASE )) ] && { fail "a dispatch pass at $tb > deadline $dl + lease $LEASE left r5 Running"; break; }
	sleep 0.3
done
equals "$crashed" 1 "sluice-dispatch --once ends another host's run after its lease expired"
equals "$early" 0 "not before now > deadline + lease"
en=$(field "$r5" ended)
if [ "$en" != null ] && [ "$(epoch "$en")" -gt $(( dl + LEASE )) ]; then
	ok "r5 ended at $en, after deadline + lease"
else
	fail "r5 ended '$en', deadline $dl + lease $LEASE"
fi
contains "$(field "$r5" message)" "host otherhost stopped renewing" "r5's message names the other host"

# ---- r2 runs once, at its time, under the second agent ----
expect_state "$r2" Completed 25 "r2 (handed back) Completed under the new agent"
equals "$(lines "$TESTDIR/r2.starts")" 1 "r2 started exactly once"
st=$(field "$r2" started); sc=$(field "$r2" scheduled)
[ "$st" != null ] && [ "$(epoch "$st")" -ge "$(epoch "$sc")" ] &&
    ok "r2 not started before its scheduled time" || fail "r2 started $st, scheduled $sc"

# ---- 5. never Running forever; every run in exactly one place ----
kill -TERM "$a2"; wait "$a2"
equals "$?" 0 "agent exits 0 on SIGTERM"
"$D" --once
equals "$(find "$SP"/pools/*/running -mindepth 1 -maxdepth 1 | wc -l)" 0 "running/ is empty in every pool (no .crash.* left either)"
equals "$(S flow-run ls --state Running --json | wc -l)" 0 "flow-run ls shows no Running run"
for r in "$r1:Completed" "$r2:Completed" "$r3:Crashed" "$r4:Completed" "$r5:Crashed"; do
	equals "$(state "${r%%:*}")" "${r#*:}" "final state of ${r%%:*}"
done
# where each run is: a token (…ID) in new/sched/pending/running, or done/ID.STATE
places=$(cd "$SP/pools" && find . -mindepth 2 \( -path './*/queues/*/new/*' -o \
    -path './*/queues/*/sched/*.*' -o -path './*/pending/*/*' -o -path './*/running/*' -o \
    -path './*/done/*' \) -prune -print)
for r in "$r1" "$r2" "$r3" "$r4" "$r5"; do
	n=$(printf '%s\n' "$places" | grep -c "$r")
	equals "$n" 1 "run $r is in exactly one place ($(printf '%s\n' "$places" | grep "$r" | tr '\n' ' '))"
done
equals "$(printf '%s\n' "$places" | grep -c .)" 5 "the spool holds exactly the 5 runs"
finish
