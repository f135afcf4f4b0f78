# log_cap.sh - log_max (sluice.ini(5)): a run writing ~4.7 MB under
# log_max = 64k keeps the first 32k, one marker line with the exact count
# cut, and the last 32k; flow-run logs --follow shows the same; a retried
# run's attempts share the cap; a supervisor killed with -9 mid-run leaves a
# bounded, readable log (the head); log_max = 0 keeps everything; a small
# run's log is its output, byte for byte.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"

cleanup() {
	kill_agents
	kill_leased
}
trap cleanup EXIT

# the output: seq 1 700000, 4,788,895 bytes; its copy, to compare with
seq 1 700000 >"$TESTDIR/big" || exit 1
big=$(wc -c <"$TESTDIR/big")
# check_cap LOG WHAT: LOG is the head (32k), the marker, the tail (32k)
check_cap() {
	python3 - "$1" "$TESTDIR/big" "$2" <<'EOF' && ok "$2: head, marker, tail" || fail "$2"
import sys
log = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "rb").read()
what = sys.argv[3]
cut = len(out) - 65536
# on a line of its own: a newline first unless the head ended one
marker = (b"" if out[32767:32768] == b"\n" else b"\n") + \
    b"sluice: %d bytes of output cut here (log_max = 64k)\n" % cut
def bad(why):
    print("  %s: %s (log: %d bytes)" % (what, why, len(log)))
    sys.exit(1)
if len(log) > 65536 + len(marker):
    bad("longer than log_max + the marker line")
if log[:32768] != out[:32768]:
    bad("the head is not the output's first 32768 bytes")
if log[32768:32768 + len(marker)] != marker:
    bad("no marker after the head: %r" % log[32768:32768 + len(marker)])
if log[32768 + len(marker):] != out[-32768:]:
    bad("the tail is not the output's last 32768 bytes")
EOF
}
logpath() { ls "$SP"/pools/*/done/"$1".*/log 2>/dev/null | head -n 1; }	# ID

fast_config "$TESTDIR/cap.ini" log_max=64k lease=3
S work-pool create capped >/dev/null
start_agent capped -p capped --hide-welcome
wait_online capped

# ---- a chatty run: head, marker with the count, tail ----
b1=$(S submit -p capped -- seq 1 700000)
expect_state "$b1" Completed 10 "the 4.7 MB run Completed"
S flow-run logs "$b1" >"$TESTDIR/b1.log"
check_cap "$TESTDIR/b1.log" "flow-run logs of a 4.7 MB run under log_max = 64k"
check_cap "$(logpath "$b1")" "the log file in done/"

# ---- --follow, started while the run runs, shows the same ----
f1=$(S submit -p capped -- sh -c 'seq 1 700000; sleep 2')
expect_state "$f1" Running 10 "the following run is Running"
S flow-run logs "$f1" --follow >"$TESTDIR/f1.log"
equals "$(state "$f1")" Completed "--follow returned when the run ended"
check_cap "$TESTDIR/f1.log" "flow-run logs --follow"

# ---- a small run: untouched ----
s1=$(S submit -p capped -- sh -c 'printf "hello\nno newline"')
expect_state "$s1" Completed 10 "the small run Completed"
equals "$(S flow-run logs "$s1" | od -c)" "$(printf 'hello\nno newline' | od -c)" \
    "a small run's log is its output, byte for byte"

# ---- retries: the attempts share log_max ----
r1=$(S submit -p capped --retries 1 -- sh -c 'seq 1 700000; exit 1')
expect_state "$r1" Failed 15 "the retried run Failed, twice"
rlog=$(logpath "$r1")
rsize=$(wc -c <"$rlog")
[ "$rsize" -le $((65536 + 1000)) ] && ok "two attempts: $rsize bytes, log_max plus two marker lines and sluice's notes" ||
    fail "two attempts: $rsize bytes, over log_max"
equals "$(grep -c '^sluice: .* bytes of output cut here (log_max = 64k)$' "$rlog")" 2 \
    "one marker line per attempt"
grep -q '^sluice: Attempt 1 of 2 ended Failed' "$rlog" && ok "the retry note is kept" ||
    fail "no retry note in the log"

# ---- the supervisor killed with -9 mid-run: the head stays, bounded ----
k1=$(S submit -p capped -- sh -c 'seq 1 700000; sleep 60')
wait_lease capped "$k1" 10
end=$(( $(msnow) + 10000 ))
while [ "$(wc -c <"$rd/log" 2>/dev/null || echo 0)" -lt 32768 ] && [ "$(msnow)" -lt "$end" ]; do
	sleep 0.1
done
kill -KILL "$sup"
expect_state "$k1" Crashed 20 "a run whose supervisor was killed ends Crashed"
klog=$(logpath "$k1")
ksize=$(wc -c <"$klog")
[ "$ksize" -le $((65536 + 1000)) ] && ok "killed supervisor: the log is bounded ($ksize bytes)" ||
    fail "killed supervisor: the log has $ksize bytes"
head -c 32768 "$TESTDIR/big" >"$TESTDIR/head"
head -c 32768 "$klog" | cmp -s - "$TESTDIR/head" && ok "killed supervisor: the log keeps the head" ||
    fail "killed supervisor: the log does not start with the head"
kill_agents
pids=""

# ---- log_max = 0: everything ----
fast_config "$TESTDIR/nocap.ini" log_max=0 lease=3
S work-pool create open >/dev/null
start_agent open -p open --hide-welcome
wait_online open
u1=$(S submit -p open -- seq 1 700000)
expect_state "$u1" Completed 10 "the 4.7 MB run under log_max = 0 Completed"
cmp -s "$(logpath "$u1")" "$TESTDIR/big" && ok "log_max = 0: all $big bytes kept" ||
    fail "log_max = 0: the log ($(wc -c <"$(logpath "$u1")") bytes) is not the output ($big)"

finish
