# alerts.sh - a work pool's alerts (sluice work-pool set-alerts, lib/alert.c)
# and a deployment's (deployment set-alerts: each setting wins over the
# pool's for the deployment's runs; cleared, the pool's applies again):
# a run that ends Failed starts on_failure with the run's JSON on stdin, one
# whose supervisor is killed (Crashed) starts on_crash; a Completed run, and
# a failed attempt that is retried, start nothing; only the last attempt of
# a run with retries alerts, once.  set-alerts refuses what it cannot store
# and clears one with none; inspect shows the settings (text only: the pool's JSON keys are the
# contract's).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
fast_config "$TESTDIR/sluice.ini"

cleanup() {
	kill_agents
	kill_leased
}
trap cleanup EXIT
H=$TESTDIR/hooks
mkdir -p "$H"
# wait_file FILE SECONDS: 0 once FILE is there
wait_file() {
	_n=0
	while [ ! -e "$1" ] && [ $_n -lt $(($2 * 10)) ]; do sleep 0.1; _n=$((_n + 1)); done
	[ -e "$1" ]
}
count() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }

S work-pool create al >/dev/null || fail "create pool al"

# ---- settings ----
expect_rc 2 S work-pool set-alerts al && ok "set-alerts with nothing to set: exit 2"
expect_rc 2 S work-pool set-alerts al --mail 'not an address' &&
    contains "$errout" "not 'owner' or one mail address" "set-alerts --mail: a bad address is refused"
expect_rc 2 S work-pool set-alerts al --on-failure "echo \"a\" 'b'; c" &&
    contains "$errout" "put it in a script" "set-alerts: a command a file cannot hold is refused, with what to do"
expect_rc 1 S work-pool set-alerts nope --mail owner && ok "set-alerts of an unknown pool: exit 1"
F="cat >'$H/f.tmp'; mv '$H/f.tmp' '$H/failed.\$\$'; echo x >>'$H/failed.count'"
C="cat >'$H/c.tmp'; mv '$H/c.tmp' '$H/crashed.json'"
if expect_rc 0 S work-pool set-alerts al --on-failure "$F" --on-crash "$C"; then
	contains "$out" "Set the alerts of work pool 'al'" "set-alerts: says what it set"
fi
if expect_rc 0 S work-pool inspect al; then
	contains "$out" "    on_crash=\"cat >'$H/c.tmp'; mv '$H/c.tmp' '$H/crashed.json'\"," "inspect: on_crash, quoted as Python would"
	contains "$out" "    on_failure=\"cat >" "inspect: on_failure"
fi
expect_rc 0 S work-pool inspect al && contains "$out" "    mail=None," "inspect: mail=None when unset"
# the same settings again: said, but no new configuration version
nv=$(ls "$SLUICE_SPOOL/pools/al/config" | grep -c '^v')
if expect_rc 0 S work-pool set-alerts al --on-failure "$F" --mail none; then
	contains "$out" "Set the alerts of work pool 'al'" "set-alerts of the same settings: says what is set"
	[ "$(ls "$SLUICE_SPOOL/pools/al/config" | grep -c '^v')" = "$nv" ] &&
	    ok "set-alerts of the same settings: no new version ($nv)" ||
	    fail "set-alerts of the same settings wrote a version: $(ls "$SLUICE_SPOOL/pools/al/config")"
fi
# so do a pause of a paused pool or queue, and a limit it already has
S work-pool pause al >/dev/null && S work-queue pause default -p al >/dev/null &&
    S work-queue set-concurrency-limit default 3 -p al >/dev/null || fail "pause al"
nv=$(ls "$SLUICE_SPOOL/pools/al/config" | grep -c '^v')
expect_rc 0 S work-pool pause al && contains "$out" "Paused work pool 'al'" "pause of a paused pool: said"
expect_rc 0 S work-queue pause default -p al && contains "$out" "paused" "pause of a paused queue: said"
expect_rc 0 S work-queue set-concurrency-limit default 3 -p al
[ "$(ls "$SLUICE_SPOOL/pools/al/config" | grep -c '^v')" = "$nv" ] &&
    ok "pause, pause, same limit again: no new version" ||
    fail "a change of nothing wrote a version: $(ls "$SLUICE_SPOOL/pools/al/config")"
expect_rc 0 S work-queue resume default -p al && expect_rc 0 S work-pool resume al &&
    [ "$(ls "$SLUICE_SPOOL/pools/al/config" | grep -c '^v')" = "$((nv + 2))" ] &&
    ok "resume of each: a version each" || fail "resume: $(ls "$SLUICE_SPOOL/pools/al/config")"

# ---- a Failed run, a Completed one ----
bad=$(S submit -p al --name bad -- sh -c 'echo oops; exit 7')
good=$(S submit -p al --name good -- true)
start_agent a1 -p al --hide-welcome
expect_state "$bad" Failed 10 "bad ends Failed"
expect_state "$good" Completed 10 "good ends Completed"
if wait_file "$H/failed.count" 10; then
	ok "on_failure ran for the Failed run"
	f=$(ls "$H"/failed.* | grep -v count | head -n 1)
	python3 - "$f" "$bad" <<'P' && ok "on_failure got the run's JSON on stdin (id, Failed, exit_code 7)" || fail "on_failure's stdin: $(cat "$f")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["id"] == sys.argv[2] and o["state"] == "Failed" and o["exit_code"] == 7, o
P
else
	fail "on_failure did not run"
fi

# ---- retries: one alert, after the last attempt ----
rt=$(S submit -p al --name retried --retries 1 --retry-delay 0 -- false)
expect_state "$rt" Failed 15 "a run with one retry ends Failed after attempt 2"
sleep 1
equals "$(count "$H/failed.count")" 2 "on_failure ran once for it (not for the retried attempt): 2 in all"

# ---- a Crashed run ----
cr=$(S submit -p al --name lost -- sh -c 'sleep 30')
expect_state "$cr" Running 10 "lost Running"
wait_lease al "$cr" 5
kill -KILL "$sup"
expect_state "$cr" Crashed 10 "lost Crashed after its supervisor was killed"
if wait_file "$H/crashed.json" 10; then
	python3 - "$H/crashed.json" "$cr" <<'P' && ok "on_crash got the Crashed run's JSON" || fail "on_crash's stdin: $(cat "$H/crashed.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["id"] == sys.argv[2] and o["state"] == "Crashed", o
P
else
	fail "on_crash did not run"
fi
equals "$(count "$H/failed.count")" 2 "on_failure did not run for the crash"

# ---- cleared: nothing more ----
expect_rc 0 S work-pool set-alerts al --on-failure none && contains "$out" "on_failure none" "set-alerts --on-failure none: cleared"
b2=$(S submit -p al --name bad2 -- false)
expect_state "$b2" Failed 10 "bad2 ends Failed"
sleep 1
equals "$(count "$H/failed.count")" 2 "no on_failure after it was cleared"

# ---- a deployment's alerts, over its pool's ----
S deployment create dal -p al -- sh -c 'exit 3' >/dev/null || fail "deployment create dal"
expect_rc 1 S deployment set-alerts nope --mail owner && ok "deployment set-alerts of an unknown deployment: exit 1"
expect_rc 2 S deployment set-alerts dal && ok "deployment set-alerts with nothing to set: exit 2"
D="cat >'$H/d.tmp'; mv '$H/d.tmp' '$H/dep.\$\$'; echo x >>'$H/dep.count'"
if expect_rc 0 S deployment set-alerts dal --on-failure "$D"; then
	contains "$out" "Set the alerts of deployment 'dal': on_failure cat >" "deployment set-alerts: says what it set"
fi
expect_rc 0 S deployment inspect dal && contains "$out" "    on_failure=\"cat >'$H/d.tmp'" "deployment inspect: on_failure"
S work-pool set-alerts al --on-failure "$F" >/dev/null
d1=$(S deployment run dal)
expect_state "$d1" Failed 10 "the deployment's run ends Failed"
if wait_file "$H/dep.count" 10; then
	f=$(ls "$H"/dep.* | grep -v count | head -n 1)
	python3 - "$f" "$d1" <<'P' && ok "the deployment's on_failure ran with the run's JSON" || fail "deployment on_failure's stdin: $(cat "$f")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["id"] == sys.argv[2] and o["deployment"] == "dal" and o["exit_code"] == 3, o
P
else
	fail "the deployment's on_failure did not run"
fi
sleep 1
equals "$(count "$H/failed.count")" 2 "the pool's on_failure did not run for it (the deployment's wins)"
b3=$(S submit -p al --name bad3 -- false)
expect_state "$b3" Failed 10 "a run of no deployment ends Failed"
wait_file "$H/failed.count" 1; sleep 1
equals "$(count "$H/failed.count")" 3 "... and gets the pool's on_failure"
equals "$(count "$H/dep.count")" 1 "... not the deployment's"
expect_rc 0 S deployment set-alerts dal --on-failure none && contains "$out" "on_failure none" "deployment set-alerts --on-failure none: cleared"
d2=$(S deployment run dal)
expect_state "$d2" Failed 10 "the deployment's second run ends Failed"
sleep 1
equals "$(count "$H/failed.count")" 4 "with the deployment's cleared, its run gets the pool's on_failure"
equals "$(count "$H/dep.count")" 1 "and not the deployment's"
finish
