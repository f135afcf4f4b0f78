# notify.sh - systemd's notification protocol (lib/notify.c) and journal
# priorities (lib/log.c): an agent and a --watch dispatcher with
# $NOTIFY_SOCKET send READY=1, keep sending WATCHDOG=1 (WATCHDOG_USEC of
# 1 s: at least 3 in 4 s), and STOPPING=1 on SIGTERM; their runs do not
# see the variables; with $JOURNAL_STREAM naming stderr, event lines carry
# "<6>"-style priorities instead of the time.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
fast_config "$TESTDIR/sluice.ini"
cleanup() { kill_agents; [ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null; }
trap cleanup EXIT

# listen SOCKET LOG: write each datagram to LOG, one line each
listen() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
f = open(sys.argv[2], "a")
while True:
    d = s.recv(4096).decode()
    f.write(d.replace("\n", " ") + "\n"); f.flush()
' "$1" "$2" &
	lpid=$!
	n=0; while [ ! -S "$1" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
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
grep -q 'NOTIFY_SOCKET\|WATCHDOG_USEC' "$TESTDIR/run.env" && fail "the run saw systemd's variables" ||
    ok "the run does not see NOTIFY_SOCKET or WATCHDOG_USEC"

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

# the journal: stderr is the stream $JOURNAL_STREAM names
: >"$TESTDIR/j.err"
js=$(stat -c '%d:%i' "$TESTDIR/j.err")
JOURNAL_STREAM=$js "$TOP/bin/sluice-dispatch" --watch -p np >/dev/null 2>>"$TESTDIR/j.err" &
dpid=$!
sleep 1; kill -TERM "$dpid"; wait "$dpid" 2>/dev/null
head -n 1 "$TESTDIR/j.err" | grep -q '^<6>INFO    | sluice' && ok "under the journal: '<6>INFO ...' lines, no time" ||
    fail "journal lines: $(head -2 "$TESTDIR/j.err")"
JOURNAL_STREAM=1:1 "$TOP/bin/sluice-dispatch" --watch -p np >/dev/null 2>"$TESTDIR/k.err" &
dpid=$!
sleep 1; kill -TERM "$dpid"; wait "$dpid" 2>/dev/null
head -n 1 "$TESTDIR/k.err" | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \| INFO' &&
    ok "a JOURNAL_STREAM that is not our stderr: the usual lines" || fail "lines: $(head -2 "$TESTDIR/k.err")"
finish
