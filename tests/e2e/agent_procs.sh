# agent_procs.sh - a run's processes are part of the run (spool-layout.md,
# "Starting, supervising, crashing"): no process of an attempt outlives
# it, no two attempts overlap, and a command that finished is never run
# again because its supervisor died.
#   1. the command's leader killed (kill -9): its subshell and a process
#      that left the group with setsid are killed before attempt 2 or
#      another run of the queue (--limit 1) starts;
#   2. the supervisor stopped, the command ended, the supervisor killed:
#      Completed with exit code 0, run once; the same with exit 3: Failed
#      with exit code 3, not Crashed;
#   3. the supervisor killed while the command runs: nothing of attempt 1
#      (its group, its setsid'd process) is alive when attempt 2 starts;
#   4. a supervisor stopped with SIGSTOP on this host: crashed once its
#      lease is past deadline + lease, not before; it and the command's
#      group are killed.
# Every command writes a ledger line when it starts, and at its start
# looks for any live process of an earlier command (their pids are kept
# in $T/live): "overlap" lines must never appear.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
T=$TESTDIR
fast_config "$T/sluice.ini"
LEASE=3

# job.sh TAG N: the ledger's command: a subshell doing the work, and a
# process that leaves the group (setsid); in attempts up to N the work
# takes 30 s (it is to be killed), later 1 s
cat >"$T/job.sh" <<'EOT'
L=$T/ledger
for p in $(cat "$T/live" 2>/dev/null); do
	if kill -0 "$p" 2>/dev/null && tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qxF "T=$T"; then
		s=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$p/stat" 2>/dev/null)
		[ "$s" = Z ] || echo "overlap $1.$SLUICE_RUN_ATTEMPT $p: $(tr '\0' ' ' <"/proc/$p/cmdline")" >>"$L"
	fi
done
echo $$ >>"$T/live"
echo "start $1 $SLUICE_RUN_ATTEMPT $(date +%s%N)" >>"$L"
w=1; [ "$SLUICE_RUN_ATTEMPT" -le "$2" ] && w=30
( sh -c 'echo $PPID' >>"$T/live"; echo "up-sub $1.$SLUICE_RUN_ATTEMPT" >>"$L"; sleep $w; echo "end $1 $SLUICE_RUN_ATTEMPT $(date +%s%N)" >>"$L" ) &
setsid sh -c 'echo $$ >>"$T/live"; echo "up-setsid $0" >>"$T/ledger"; sleep $1; echo "end-setsid $0" >>"$T/ledger"' "$1.$SLUICE_RUN_ATTEMPT" $w &
wait
EOT
# stop.sh CODE: stop our own supervisor (named in the lease), exit CODE
cat >"$T/stop.sh" <<'EOT'
l=$(ls "$SLUICE_SPOOL"/pools/*/running/*."$SLUICE_RUN_ID"/lease)
kill -STOP "$(sed -n 's/^supervisor = //p' "$l")"
echo "ran $SLUICE_RUN_ATTEMPT" >>"$T/stop.$SLUICE_RUN_ID"
exit "$1"
EOT

apid=""; apid2=""
cleanup() {
	[ -n "$apid" ] && kill -KILL "$apid" 2>/dev/null
	[ -n "$apid2" ] && kill -KILL "$apid2" 2>/dev/null
	for l in "$SP"/pools/*/running/*/lease; do
		[ -f "$l" ] || continue
		for k in supervisor recorder; do
			v=$(sed -n "s/^$k = //p" "$l")
			[ -n "$v" ] && [ "$v" -gt 1 ] && kill -KILL "$v" 2>/dev/null
		done
		v=$(sed -n "s/^pid = //p" "$l")
		[ -n "$v" ] && [ "$v" -gt 1 ] && kill -KILL -- "-$v" 2>/dev/null
	done
	for p in $(cat "$T/live" 2>/dev/null); do ours "$p" && kill -KILL "$p" 2>/dev/null; done
}
# ours PID: a process of this test's commands (its environment has our T),
# not another that got a recorded pid since
ours() { tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" | grep -qxF "T=$T"; }
trap cleanup EXIT
live_left() {	# the ledger's processes still alive
	for _p in $(cat "$T/live" 2>/dev/null); do gone "$_p" || ! ours "$_p" || printf '%s ' "$_p"; done
}
wait_file() {	# FILE PATTERN SECONDS
	_end=$(( $(msnow) + $3 * 1000 ))
	while [ "$(msnow)" -lt "$_end" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
count() { grep -c "$2" "$1" 2>/dev/null || true; }	# FILE PATTERN

S work-pool create pp >/dev/null
S work-queue create q1 -p pp --limit 1 >/dev/null
"$AG" -p pp --hide-welcome >"$T/agent.out" 2>"$T/agent.err" &
apid=$!

# ---- 1. the leader killed: its tree dies before anything else starts ----
ra=$(S submit -p pp -q q1 --name ra --retries 1 --env "T=$T" -- sh "$T/job.sh" ra 1)
rb=$(S submit -p pp -q q1 --name rb --env "T=$T" -- sh "$T/job.sh" rb 0)
expect_state "$ra" Running 8 "ra Running"
wait_lease pp "$ra" 8
wait_file "$T/ledger" "up-sub ra.1" 10 && wait_file "$T/ledger" "up-setsid ra.1" 10 ||
    fail "ra's subshell or setsid'd process never started"
[ "${cpid:-0}" -gt 1 ] && kill -KILL "$cpid"
ok "ra's leader (pid $cpid) killed"
expect_state "$ra" Completed 20 "ra ends Completed (attempt 2)"
expect_state "$rb" Completed 20 "rb ends Completed"
equals "$(field "$ra" attempt)" 2 "ra ended on attempt 2"
equals "$(count "$T/ledger" '^overlap')" 0 "no process of another command alive when a command started ($(grep '^overlap' "$T/ledger" | tr '\n' ';'))"
equals "$(count "$T/ledger" '^end ra 1 ')" 0 "ra attempt 1's subshell was killed (never ended its work)"
equals "$(count "$T/ledger" '^end-setsid ra.1')" 0 "ra attempt 1's setsid'd process was killed"
equals "$(count "$T/ledger" '^start ')" 3 "three starts: ra 1, ra 2, rb"
# start/end intervals: with --limit 1, nothing of ra.1 ran past the next start
s2=$(awk '$1 == "start" && !($2 == "ra" && $3 == 1) {print $4}' "$T/ledger" | sort -n | head -n 1)
e1=$(awk '$1 == "end" && $2 == "ra" && $3 == 1 {print $4}' "$T/ledger")
[ -z "$e1" ] || [ "$e1" -lt "$s2" ] && ok "no overlap of ra.1 with what came next" || fail "ra.1 ended at $e1, after the next start $s2"
equals "$(live_left)" "" "no process of any command is left"

# ---- 2. the supervisor dies after its command ended ----
# (pool p2, under an agent with a 20 s lease: a stopped supervisor is not
# declared crashed for 40 s, whatever the load; the test kills it first)
sed 's/^lease = 3/lease = 20/' "$T/sluice.ini" >"$T/long.ini"
S work-pool create p2 >/dev/null
S work-queue create q1 -p p2 --limit 1 >/dev/null
SLUICE_CONFIG=$T/long.ini "$AG" -p p2 --hide-welcome >"$T/agent2.out" 2>"$T/agent2.err" &
apid2=$!
rc=$(S submit -p p2 -q q1 --name rc --retries 1 --env "T=$T" -- sh "$T/stop.sh" 0)
expect_state "$rc" Running 8 "rc Running"
wait_file "$T/stop.$rc" ran 8 || fail "rc's command never ran"
rd=$(rdir p2 "$rc"); sup=$(lget "$rd" supervisor)
# SIGSTOP takes effect when the supervisor is next scheduled: on a loaded
# machine that is not yet when kill(1) returns
stopped() { _e=$(( $(msnow) + 5000 )); while [ "$(msnow)" -lt "$_e" ]; do [ "$(pstate "$1")" = T ] && return 0; sleep 0.05; done; return 1; }
stopped "$sup" && ok "rc's supervisor $sup stopped" || fail "rc's supervisor $sup not stopped: $(pstate "$sup")"
wait_file "$rd/exit" "status = 0" 5 && ok "the recorder wrote rc's exit status" || fail "no exit record in $rd"
[ "${sup:-0}" -gt 1 ] && kill -KILL "$sup"
ok "rc's supervisor killed after its command ended"
expect_state "$rc" Completed 10 "rc ends Completed, not Crashed"
equals "$(field "$rc" exit_code)" 0 "rc exit code 0"
sleep 1.5	# a wrong retry would start within a poll
equals "$(cat "$T/stop.$rc")" "ran 1" "rc's command ran once"
contains "$(field "$rc" message)" "after its command ended" "rc's message says the supervisor died after the command ended"

rf=$(S submit -p p2 -q q1 --name rf --env "T=$T" -- sh "$T/stop.sh" 3)
expect_state "$rf" Running 8 "rf Running"
wait_file "$T/stop.$rf" ran 8 || fail "rf's command never ran"
rd=$(rdir p2 "$rf"); sup=$(lget "$rd" supervisor)
wait_file "$rd/exit" "status = 768" 5 && ok "the recorder wrote rf's exit status" || fail "no exit record in $rd"
[ "${sup:-0}" -gt 1 ] && kill -KILL "$sup"
expect_state "$rf" Failed 10 "rf (exit 3) ends Failed, not Crashed"
equals "$(field "$rf" exit_code)" 3 "rf exit code 3"
equals "$(cat "$T/stop.$rf")" "ran 1" "rf's command ran once"

kill -TERM "$apid2"; wait "$apid2"; apid2=""

# ---- 3. the supervisor killed while the command runs ----
rg=$(S submit -p pp -q q1 --name rg --retries 1 --env "T=$T" -- sh "$T/job.sh" rg 1)
expect_state "$rg" Running 8 "rg Running"
wait_lease pp "$rg" 8; pg=$cpid
wait_file "$T/ledger" "up-sub rg.1" 10 && wait_file "$T/ledger" "up-setsid rg.1" 10 ||
    fail "rg's subshell or setsid'd process never started"
[ "${sup:-0}" -gt 1 ] && kill -KILL "$sup"
ok "rg's supervisor (pid $sup) killed while its command runs"
expect_state "$rg" Completed 20 "rg retried and Completed"
equals "$(field "$rg" attempt)" 2 "rg ended on attempt 2"
equals "$(count "$T/ledger" '^overlap')" 0 "nothing of rg's attempt 1 was alive when attempt 2 started ($(grep '^overlap' "$T/ledger" | tr '\n' ';'))"
equals "$(count "$T/ledger" '^end rg 1 ')" 0 "rg attempt 1's subshell was killed"
equals "$(count "$T/ledger" '^end-setsid rg.1')" 0 "rg attempt 1's setsid'd process was killed"
group_gone "$pg" && ok "rg attempt 1's group $pg is gone" || fail "rg's group $pg lives on"
contains "$(S flow-run logs "$rg" 2>/dev/null; cat "$SP"/pools/pp/done/"$rg".*/result.ini 2>/dev/null)" "" "rg's log"

# ---- 4. a stopped supervisor on this host: judged by its lease ----
rh=$(S submit -p pp -q q1 --name rh --env "T=$T" -- sh -c 'echo $$ >>"$T/live"; sleep 30')
expect_state "$rh" Running 8 "rh Running"
wait_lease pp "$rh" 8; ph=$cpid; sh_=$sup; rech=$rec
[ "${sh_:-0}" -gt 1 ] && kill -STOP "$sh_"
sleep 0.2
dl=$(lget "$rd" deadline)
"$TOP/bin/sluice-dispatch" --once -p pp
# the state is read first, the clock after: a crash is declared once the
# clock is past deadline + lease, so a state read before that second ends
# must still say Running (read the other way round, a detector could
# cross the boundary between the two reads)
st=$(state "$rh")
if [ "$(date +%s)" -le $(( dl + LEASE )) ]; then
	equals "$st" Running "a stopped supervisor within deadline + lease: still Running"
fi
expect_state "$rh" Crashed $(( LEASE * 2 + 6 )) "rh Crashed once its lease ran out"
en=$(field "$rh" ended)
ende=$(python3 -c 'import sys,datetime
print(int(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp()))' "$en")
[ "$ende" -gt $(( dl + LEASE )) ] && ok "rh ended at $en, after deadline $dl + lease" || fail "rh ended $en, deadline $dl + lease $LEASE"
contains "$(field "$rh" message)" "stopped renewing its lease" "rh's message says its supervisor stopped renewing"
# the command's group must be gone when the run ends (below, at once); the
# supervisor and the recorder, bookkeeping, may take a moment to be killed
waitgone() { _e=$(( $(msnow) + 5000 )); while [ "$(msnow)" -lt "$_e" ]; do gone "$1" && return 0; sleep 0.05; done; return 1; }
waitgone "$sh_" && ok "rh's stopped supervisor was killed" || fail "rh's supervisor $sh_ lives on ($(pstate "$sh_"))"
waitgone "$rech" && ok "rh's recorder is gone" || fail "rh's recorder $rech lives on"
group_gone "$ph" && ok "rh's group is gone" || fail "rh's group $ph lives on"

kill -TERM "$apid"; wait "$apid"; apid=""
equals "$(find "$SP"/pools/*/running -mindepth 1 -maxdepth 1 | wc -l)" 0 "running/ is empty"
equals "$(live_left)" "" "no process of any command is left"
if [ "${fails:-0}" -gt 0 ]; then
	echo "--- ledger:"; cat "$T/ledger"; echo "--- agents:"; cat "$T/agent.err" "$T/agent2.err"
fi
finish
