# exit_journal.sh - the exit journal (lib/journal.c, spool-layout.md, "The
# exit journal"): a warm recorder makes its exit records durable there,
# not by fsyncs of each run's `exit` and its directory.
#   1. a run's command ends (exit 3) while its supervisor (a keeper) is
#      stopped; its record is in the warm recorder's journal; then the
#      host "loses power": `exit` is removed (as a power cut loses one
#      that was never fsynced), the lease made an earlier boot's, the
#      recorder and the supervisor killed.  Crash detection ends the run
#      from the journal: Failed, exit code 3, "after its command ended"
#      (without it: Crashed);
#   2. the dead recorder's journal is removed when the next warm recorder
#      of this host starts (after a syncfs); a journal of another host, and
#      one of an earlier boot written a day ago, are kept; the new
#      recorder's journal holds its run's record (looked at while a next
#      run keeps its keeper from retiring).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
# a lease of 10 s: the stopped supervisor is not judged before this test
# has made the run look as a power cut leaves it
fast_config "$TESTDIR/sluice.ini" lease=10

# journals are made on a disk of this host's only (sl_local_fs)
case $(stat -f -c %T "$TESTDIR") in
ext2/ext3|xfs|btrfs|tmpfs|ramfs|overlayfs|zfs|f2fs) ;;
*) echo "exit_journal: the spool is on $(stat -f -c %T "$TESTDIR"), no" \
    "local disk: no journal is made there"; exit 77 ;;
esac

cleanup() {
	kill -CONT "${sup:-99999999}" 2>/dev/null
	kill_agents
	kill_leased
}
trap cleanup EXIT

S work-pool create P >/dev/null || exit 1
# waiter NAME: a shell loop that ends when $TESTDIR/NAME exists
waiter() { echo "while [ ! -e '$TESTDIR/$1' ]; do sleep 0.05; done"; }
J=$SP/pools/P/journals
# a keeper killed before its word is reaped at its agent's next rescan
# (spool-layout.md, "Words"): 2 s here
start_agent a1 -p P --limit 1 --poll-seconds 2 --hide-welcome
wait_online P
# a first run: its starter is kept, with its warm recorder and journal
r0=$(S submit -p P -- true)
expect_state "$r0" Completed 10 "0: a first run Completed"

# 1. the journal outlives a lost `exit`
# its command ends when told: after its supervisor is stopped
r1=$(S submit -p P -- sh -c "$(waiter go); exit 3")
wait_lease P "$r1" 5
kill -STOP "$sup"
ok "1: the supervisor ($sup) stopped"
: >"$TESTDIR/go"
jn=$(ls "$J" | grep "^$rec\.")
case $jn in "$rec".*) ok "1: the journal is the run's recorder's" ;;
*) fail "1: journals/ holds '$jn', not recorder $rec's" ;; esac
i=0
while [ $i -lt 200 ] &&
    ! tr -d '\000' <"$J/$jn" 2>/dev/null | grep -q "^id = $r1\$"; do
	sleep 0.05; i=$((i + 1))
done
tr -d '\000' <"$J/$jn" | grep -A1 "^id = $r1\$" | grep -q "^attempt = 1\$" &&
    ok "1: r1's record, attempt 1, in the journal" ||
    fail "1: no record of r1 in $J/$jn"
contains "$(cat "$rd/exit")" "status = 768" "1: r1's exit, status 3 << 8"
rm -f "$rd/exit"
# the lease as the host wrote it before it lost power: an earlier boot
fake=00000000-0000-4000-8000-000000000001
sed "s/^boot = .*/boot = $fake/" "$rd/lease" >"$rd/.lease.test" &&
    mv "$rd/.lease.test" "$rd/lease"
[ ! -e "$rd/exit" ] && [ "$(lget "$rd" boot)" = "$fake" ] &&
    ok "1: r1 in running/ with no exit and an earlier boot's lease" ||
    fail "1: r1 not as a power cut leaves it: $(ls "$rd" 2>&1)"
kill -KILL "$rec" "$sup"
expect_state "$r1" Failed 20 "1: r1 ended from its journaled record"
equals "$(field "$r1" exit_code)" 3 "1: its exit code is the command's"
contains "$(field "$r1" message)" "after its command ended" \
    "1: the message says the command ended"

# 2. prune: the dead recorder's journal goes when a new one starts
boot=$(cat /proc/sys/kernel/random/boot_id)
ns=$(readlink /proc/self/ns/pid | tr -dc 0-9)
h=$(uname -n)
other="1.1.$ns.$boot.elsewhere.invalid"
young="1.1.$ns.00000000-0000-4000-8000-000000000000.$h"
: >"$J/$other"
: >"$J/$young"
touch -d '1 day ago' "$J/$young"
r2=$(S submit -p P -- true)
# r3 keeps the keeper busy meanwhile (an idle one retires after 2 s, and
# removes its journal)
r3=$(S submit -p P -- sh -c "$(waiter go3)")
expect_state "$r2" Completed 10 "2: a run under a new keeper Completed"
expect_state "$r3" Running 10 "2: the next run Running"
[ -e "$J/$jn" ] && fail "2: the dead recorder's journal $jn is still there" ||
    ok "2: the dead recorder's journal was removed"
[ -e "$J/$other" ] && ok "2: another host's journal kept" ||
    fail "2: another host's journal removed"
[ -e "$J/$young" ] && ok "2: an earlier boot's young journal kept" ||
    fail "2: an earlier boot's journal of a day ago removed"
jn2=$(ls "$J" | grep -v -e "^1\.1\." )
equals "$(echo "$jn2" | grep -c .)" 1 "2: one journal of this host's"
tr -d '\000' <"$J/$jn2" | grep -q "^id = $r2\$" &&
    ok "2: r2's record in the new journal" || fail "2: no record of r2"
: >"$TESTDIR/go3"
expect_state "$r3" Completed 10 "2: the next run Completed"
finish
