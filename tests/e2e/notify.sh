# notify.sh - systemd's notification protocol (lib/notify.c) and journal
# priorities (lib/log.c): an agent and a --watch dispatcher with
# $NOTIFY_SOCKET send READY=1, keep sending WATCHDOG=1 (WATCHDOG_USEC of
# 1 s: at least 3 in 4 s), and STOPPING=1 on SIGTERM; their runs do not
# see the variables; --once sends nothing; an @abstract socket works; with
# $JOURNAL_STREAM naming stderr, event lines carry "<6>"-style priorities
# instead of the time.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
fast_config "$TESTDIR/sluice.ini"
cleanup() { kill_agents; [ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null; }
trap cleanup EXIT

# listen SOCKET LOG: write each datagram to LOG, one line each; SOCKET
# '@name' is an abstract one (the listener touches LOG once bound)
listen() {
	rm -f "$2"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a = sys.argv[1]
s.bind("\0" + a[1:] if a.startswith("@") else a)
f = open(sys.argv[2], "a")
while True:
    d = s.recv(4096).decode()
    f.write(d.replace("\n", " ") + "\n"); f.flush()
' "$1" "$2" &
	lpid=$!
	n=0; while [ ! -e "$2" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
}
count() { grep -c "$1" "$2" 2>/dev/null || echo 0; }

S work-pool create np >/dev/null
listen "$TESTDIR/notify.sock" "$TESTDIR/notify.log"
NOTIFY_SOCKET=$TESTDIR/notify.sock WATCHDOG_USEC=1000000 start_agent a1 -p np --hide-welcome
wait_online np
r=$(S submit -p np --name envrun -- sh -c "env >'$TESTDIR/run.env'")
expect_state "$r" Completed 10 "a run of the notified agent completes"
sleep 3
grep -q '^READY=1' "$TESTDIR/notify.log" && ok "agent: READY=1" || fail "agent: no READY=1: $(cat "$TESTDIR/notify.log")"
w=$(count '^WATCHDOG=1' "$TESTDIR/notify.log")
[ "$w" -ge 3 ] && ok "agent: WATCHDOG=1 keeps coming ($w)" || fail "agent: $w WATCHDOG=1 in 4 s"
kill -TERM "$apid"; wait "$apid" 2>/dev/null
grep -q '^STOPPING=1' "$TESTDIR/notify.log" && ok "agent: STOPPING=1 on SIGTERM" || fail "agent: no STOPPING=1"
grep -q 'SLUICE_RUN_ID' "$TESTDIR/run.env" || fail "no env of the run: $(cat "$TESTDIR/run.env")"
grep -q 'NOTIFY_SOCKET\|WATCHDOG_USEC\|WATCHDOG_PID' "$TESTDIR/run.env" && fail "the run saw systemd's variables" ||
    ok "the run does not see NOTIFY_SOCKET or WATCHDOG_*"
grep -q 'cannot notify' "$TESTDIR/a1.err" && fail "agent: $(cat "$TESTDIR/a1.err")"

: >"$TESTDIR/notify.log"
NOTIFY_SOCKET=$TESTDIR/notify.sock WATCHDOG_USEC=1000000 "$TOP/bin/sluice-dispatch" --watch -p np \
    >"$TESTDIR/d.out" 2>"$TESTDIR/d.err" &
dpid=$!
pids="$pids $dpid"
sleep 3.5
kill -TERM "$dpid"; wait "$dpid" 2>/dev/null
grep -q '^READY=1' "$TESTDIR/notify.log" && ok "dispatch --watch: READY=1" || fail "dispatch: no READY=1"
[ "$(count '^WATCHDOG=1' "$TESTDIR/notify.log")" -ge 2 ] && ok "dispatch --watch: WATCHDOG=1" || fail "dispatch: WATCHDOG=1 $(count '^WATCHDOG=1' "$TESTDIR/notify.log")"
grep -q '^STOPPING=1' "$TESTDIR/notify.log" && ok "dispatch --watch: STOPPING=1" || fail "dispatch: no STOPPING=1"

# --once (a oneshot service) tells nothing
: >"$TESTDIR/notify.log"
NOTIFY_SOCKET=$TESTDIR/notify.sock "$TOP/bin/sluice-dispatch" --once -p np >/dev/null 2>&1 ||
    fail "dispatch --once"
sleep 0.5
[ -s "$TESTDIR/notify.log" ] && fail "dispatch --once sent: $(cat "$TESTDIR/notify.log")" ||
    ok "dispatch --once sends nothing"
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null

# an abstract socket ('@name', as a container's manager may give)
listen "@sluice-notify-test-$$" "$TESTDIR/abs.log"
NOTIFY_SOCKET=@sluice-notify-test-$$ "$TOP/bin/sluice-dispatch" --watch -p np \
    >/dev/null 2>"$TESTDIR/abs.err" &
dpid=$!
pids="$pids $dpid"
n=0; while ! grep -q '^READY=1' "$TESTDIR/abs.log" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM "$dpid"; wait "$dpid" 2>/dev/null
grep -q '^READY=1' "$TESTDIR/abs.log" && ok "an @abstract NOTIFY_SOCKET: READY=1" ||
    fail "abstract socket: $(cat "$TESTDIR/abs.log" "$TESTDIR/abs.err")"

# the journal: stderr is the stream $JOURNAL_STREAM names
: >"$TESTDIR/j.err"
js=$(stat -c '%d:%i' "$TESTDIR/j.err")
JOURNAL_STREAM=$js "$TOP/bin/sluice-dispatch" --watch -p np >/dev/null 2>>"$TESTDIR/j.err" &
dpid=$!
sleep 1; kill -TERM "$dpid"; wait "$dpid" 2>/dev/null
head -n 1 "$TESTDIR/j.err" | grep -q '^<6>INFO    | sluice' && ok "under the journal: '<6>INFO ...' lines, no time" ||
    fail "journal lines: $(head -2 "$TESTDIR/j.err")"
: >"$TESTDIR/e.err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$TESTDIR/e.err") "$TOP/bin/sluice-dispatch" --once -p nosuchpool \
    >/dev/null 2>>"$TESTDIR/e.err"
grep -q '^<3>ERROR   | sluice.* - .*nosuchpool' "$TESTDIR/e.err" && ok "under the journal: errors are <3>" ||
    fail "journal error lines: $(cat "$TESTDIR/e.err")"
JOURNAL_STREAM=1:1 "$TOP/bin/sluice-dispatch" --watch -p np >/dev/null 2>"$TESTDIR/k.err" &
dpid=$!
sleep 1; kill -TERM "$dpid"; wait "$dpid" 2>/dev/null
head -n 1 "$TESTDIR/k.err" | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \| INFO' &&
    ok "a JOURNAL_STREAM that is not our stderr: the usual lines" || fail "lines: $(head -2 "$TESTDIR/k.err")"
finish
