# runs_index.sh - commands that stay fast as the spool grows, and stay
# right: flow-run ls shows the newest 15 (--limit N, 0 all; --json all
# unless --limit) and says there are more only when there are; flow-run
# inspect|logs|cancel|delete by id follow the id index, ids/XX/ID, a hint
# (spool-layout.md, "The id index"), and find the right run, or say it is
# not there, whatever the hint says: missing, stale, pointing elsewhere,
# a symbolic link, a FIFO, garbage.  Delete removes the hint.  No timings
# here: bench/scale.sh measures.
. "$TOP/tests/e2e/lib.sh"

SP=$SLUICE_SPOOL/pools
IDS=$SLUICE_SPOOL/ids

sub() {	# sub ARGS... : submit, print the id (fail if none)
	S submit "$@" 2>"$TESTDIR/sub.err" || fail "submit $*: $(cat "$TESTDIR/sub.err")"
}
rows() { printf '%s\n' "$out" | grep -E '^[0-9a-f-]{36} ' | awk '{print $2}' | tr '\n' ' '; }
hint() { echo "$IDS/$(printf %.2s "$1")/$1"; }		# ID: its hint file
tok() { basename "$(ls -d "$SP"/*/queues/*/sched/*/*."$1")"; }	# ID: its token

for p in L E P R; do S work-pool create $p >/dev/null || fail "create pool $p"; done

# ================================================================ ls --limit
# 20 runs due in 1..20 minutes (r20 newest), 3 late ones, 1 finished
for i in $(seq -w 1 20); do sub -p L --name r$i --at "+${i}m" -- true >/dev/null; done
sub -p L -q Q --name q1 --at +30s -- true >/dev/null
for i in 1 2 3; do sub -p L --name late$i --at "@$(( $(date +%s) - 7200 + i * 60 ))" -- true >/dev/null; done
fin=$(sub -p L --name fin --at +5s -- true)
d=$(ls -d "$SP"/L/queues/*/sched/*/*."$fin")
mkdir -p "$SP/L/done" && mv "$d" "$SP/L/done/$fin.Completed" &&
    printf '[result]\nstate = Completed\nended = %s\n' "$(date -u -d @$(( $(date +%s) - 3600 )) +%Y-%m-%dT%H:%M:%SZ)" \
    >"$SP/L/done/$fin.Completed/result.ini" || fail "cannot finish $fin"
# 25 runs: r01..r20, q1 (+30 s), fin (ended 1 h ago), late1..3 (about 2 h ago)

newest15="r20 r19 r18 r17 r16 r15 r14 r13 r12 r11 r10 r09 r08 r07 r06 "
if expect_rc 0 S flow-run ls -p L; then
	equals "$(rows)" "$newest15" "ls: the 15 newest, newest first"
	contains "$out" "Showing the newest 15; there are more" "ls: says more runs are not shown"
fi
expect_rc 0 S flow-run ls -p L --limit 3 && equals "$(rows)" "r20 r19 r18 " "ls --limit 3: the 3 newest" &&
    contains "$out" "Showing the newest 3; there are more" "ls --limit 3: says there are more"
all="r20 r19 r18 r17 r16 r15 r14 r13 r12 r11 r10 r09 r08 r07 r06 r05 r04 r03 r02 r01 q1 fin late3 late2 late1 "
for l in 0 25 26 1000; do
	if expect_rc 0 S flow-run ls -p L --limit $l; then
		equals "$(rows)" "$all" "ls --limit $l: all 25, newest first"
		case $out in *"there are more"*) fail "ls --limit $l: says there are more, with none hidden" ;;
		*) ok "ls --limit $l: says nothing is hidden" ;; esac
	fi
done
expect_rc 0 S flow-run ls -p L --limit 24 && contains "$out" "Showing the newest 24; there are more" \
    "ls --limit 24 of 25: says there are more"
# a pool of exactly 15: the table shows them all and says nothing more
for i in $(seq 1 15); do sub -p E --name e$i --at "+${i}m" -- true >/dev/null; done
if expect_rc 0 S flow-run ls -p E; then
	equals "$(printf '%s\n' "$out" | grep -cE '^[0-9a-f-]{36} ')" 15 "ls of 15 runs: 15 rows"
	case $out in *Showing*) fail "ls of exactly 15 runs says some are hidden: $out" ;;
	*) ok "ls of exactly 15 runs: no 'more' line" ;; esac
fi
# the filters with --limit: the newest of those that match
expect_rc 0 S flow-run ls -p L --state Late --limit 2 && equals "$(rows)" "late3 late2 " \
    "ls --state Late --limit 2: the 2 newest Late" && contains "$out" "there are more" "... and says there is a third"
expect_rc 0 S flow-run ls -p L --state Late && equals "$(rows)" "late3 late2 late1 " "ls --state Late: all 3"
expect_rc 0 S flow-run ls -p L --state Completed --limit 1 && equals "$(rows)" "fin " "ls --state Completed --limit 1" &&
    case $out in *"there are more"*) fail "one Completed run, yet 'more'" ;; *) ok "one Completed run: nothing more" ;; esac
expect_rc 0 S flow-run ls -p L --state Scheduled --state Completed --limit 22 &&
    equals "$(rows)" "r20 r19 r18 r17 r16 r15 r14 r13 r12 r11 r10 r09 r08 r07 r06 r05 r04 r03 r02 r01 q1 fin " \
    "ls with two --state and --limit 22: the newest 22 of both (Late runs are Scheduled)"
expect_rc 0 S flow-run ls -p L -q Q --limit 5 && equals "$(rows)" "q1 " "ls -q Q --limit 5: the queue's one run"
expect_rc 0 S flow-run ls --limit 2 && equals "$(rows)" "r20 r19 " "ls --limit 2 over every pool"
# --json: every run unless --limit; the same runs, in the same order, as the table
expect_rc 0 S flow-run ls -p L --json && equals "$(printf '%s\n' "$out" | grep -c .)" 25 "ls --json: all 25 runs"
jcheck "ls --json: newest first, the table's order" \
    'n = [o["name"] for o in objs]
if n != "'"$all"'".split(): bad("order %s" % n)'
if expect_rc 0 S flow-run ls -p L --json --limit 4; then
	jcheck "ls --json --limit 4: the 4 newest, as the table" \
	    'if [o["name"] for o in objs] != ["r20", "r19", "r18", "r17"]: bad([o["name"] for o in objs])'
	case $out in *Showing*) fail "--json output holds the table's note" ;; *) ok "--json: one object per line, no note" ;; esac
fi
expect_rc 2 S flow-run ls --limit -1 && contains "$errout" "--limit" "ls --limit -1: exit 2, names the option"
expect_rc 2 S flow-run ls --limit many && ok "ls --limit many: exit 2"

# what is read, not how long it takes: the files opened (strace)
if command -v strace >/dev/null 2>&1; then
	opened() { strace -f -e trace=open,openat -o "$TESTDIR/strace" "$SLUICE" "$@" >/dev/null 2>&1; grep -c "$OPEN" "$TESTDIR/strace"; }
	OPEN='/run\.ini"'
	equals "$(opened flow-run ls -p E --limit 3)" 4 "ls --limit 3 of 15 runs reads 4 run files (3, and one to know there are more)"
	equals "$(opened work-pool inspect E)" 0 "work-pool inspect counts runs without opening a run file"
	equals "$(opened flow-run ls -p E --state Late)" 0 "ls --state Late reads no run due later (told by its name)"
	OPEN='/sched", O_RDONLY.*O_DIRECTORY'
	e1=$(S flow-run ls -p E --limit 1 --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
	equals "$(opened flow-run inspect "$e1")" 0 "inspect by id with its hint lists no sched/"
	OPEN='/run\.ini"'
	equals "$(opened flow-run inspect "$e1")" 1 "inspect by id with its hint reads that run's file only"
else
	echo "strace not installed: the counts of files read are not checked"
fi

# ================================================================ the id index
a=$(sub -p P -q Q --name alpha -- true)
b=$(sub -p R --name beta --at +1h -- true)
[ -f "$(hint "$a")" ] && ok "submit writes the hint ids/XX/ID" || fail "no hint for $a: $(ls -R "$IDS" 2>&1 | head)"
grep -qx "pool = P" "$(hint "$a")" && grep -qx "queue = Q" "$(hint "$a")" && grep -qx "token = $(tok "$a")" "$(hint "$a")" &&
    ok "the hint names pool, queue and token" || fail "hint: $(cat "$(hint "$a")")"

check_a() {	# WHAT: inspect, logs and inspect --json of $a find alpha in P
	if expect_rc 0 S flow-run inspect "$a" --json; then
		jcheck "$1: inspect finds the run" \
		    'if obj["id"] != "'"$a"'" or obj["pool"] != "P" or obj["name"] != "alpha": bad(obj)'
	fi
	expect_rc 0 S flow-run logs "$a" && contains "$errout" "$a" "$1: logs finds it"
}
check_a "with its hint"
cp "$(hint "$a")" "$TESTDIR/a.hint"
rm "$(hint "$a")"
check_a "hint deleted"
# pointing elsewhere: another run's place (b's pool, queue, token)
cp "$(hint "$b")" "$(hint "$a")"
check_a "hint copied from another run"
printf 'pool = R\nqueue = default\ntoken = %s\n' "$(tok "$b" | cut -c1-34)$a" >"$(hint "$a")"
check_a "hint naming another pool"
printf 'pool = nosuch\nqueue = Q\ntoken = %s\n' "$(tok "$a")" >"$(hint "$a")"
check_a "hint naming a pool that does not exist"
printf 'pool = ../../..\nqueue = Q\ntoken = %s\n' "$(tok "$a")" >"$(hint "$a")"
check_a "hint with a path for a pool"
printf 'garbage\0\377\n' >"$(hint "$a")"
check_a "garbage hint"
head -c 100000 /dev/zero | tr '\0' 'x' >"$(hint "$a")"
check_a "oversized hint"
rm "$(hint "$a")"; ln -s "$TESTDIR/a.hint" "$(hint "$a")"
check_a "hint that is a symbolic link (to a good hint)"
rm "$(hint "$a")"; mkfifo "$(hint "$a")"
if timeout 10 "$SLUICE" flow-run inspect "$a" --json >"$TESTDIR/fifo.json" 2>&1; then
	grep -q "\"id\":\"$a\"" "$TESTDIR/fifo.json" && ok "hint that is a FIFO: no hang, the run found" ||
	    fail "FIFO hint: $(cat "$TESTDIR/fifo.json")"
else
	fail "hint that is a FIFO: inspect failed or hung"
fi
rm "$(hint "$a")"; mkdir "$(hint "$a")"
check_a "hint that is a directory"
rmdir "$(hint "$a")"; cp "$TESTDIR/a.hint" "$(hint "$a")"
# a hint for an id that has no run, naming a real run's place: not that run
c=01234567-89ab-4cde-8f01-23456789abcd
mkdir -p "$(dirname "$(hint "$c")")"
sed "s/$a/$c/" "$TESTDIR/a.hint" >"$(hint "$c")"
expect_rc 1 S flow-run inspect "$c" && contains "$errout" "not found" "hint of a run that does not exist: not found"
printf 'pool = P\nqueue = Q\ntoken = %s\n' "$(tok "$a")" >"$(hint "$c")"
expect_rc 1 S flow-run inspect "$c" && contains "$errout" "not found" "hint naming another id's token: not found"
# the run moves on, its hint stays: a stale token still finds it, by name
expect_rc 0 S flow-run cancel "$a" && contains "$out" "Cancelled" "cancel by id (hinted)"
[ -d "$SP/P/done/$a.Cancelled" ] && ok "the run went to done/" || fail "cancel: $(ls -R "$SP/P" | head)"
expect_rc 0 S flow-run inspect "$a" --json && jcheck "stale hint (run moved to done/): inspect finds it Cancelled" \
    'if obj["id"] != "'"$a"'" or obj["state"] != "Cancelled": bad(obj)'
expect_rc 0 S flow-run delete "$a" && contains "$out" "Deleted" "delete by id"
[ -e "$(hint "$a")" ] && fail "delete left the hint" || ok "delete removes the hint"
expect_rc 1 S flow-run inspect "$a" && contains "$errout" "not found" "a deleted run: not found"
# a dropped file, accepted: its hint; a rejected one: its hint, by id
printf '[run]\ncommand = true\nname = dropped\n' >"$SP/P/queues/Q/new/good"
printf '[run]\nname = no-command\n' >"$SP/P/queues/Q/new/bad"
S flow-run ls -p P >/dev/null 2>&1
dg=$(S flow-run ls -p P --json | python3 -c 'import json,sys; print([o["id"] for o in map(json.loads, sys.stdin) if o["name"] == "dropped"][0])')
db=$(S flow-run ls -p P --state Rejected --json | python3 -c 'import json,sys; print([o["id"] for o in map(json.loads, sys.stdin)][0])')
[ -f "$(hint "$dg")" ] && ok "an accepted drop gets its hint" || fail "no hint for accepted drop $dg"
grep -qx "token = $db" "$(hint "$db")" 2>/dev/null && ok "a rejected drop gets its hint (token = its id)" ||
    fail "hint of rejected $db: $(cat "$(hint "$db")" 2>&1)"
expect_rc 0 S flow-run inspect "$db" --json && jcheck "inspect a Rejected run by id" \
    'if obj["state"] != "Rejected": bad(obj)'
# work-pool delete takes its runs' hints with it, not another pool's
rd=$(sub -p R --name doomed -- true)
[ -f "$(hint "$rd")" ] && [ -f "$(hint "$b")" ] || fail "no hints for $rd and $b before the delete"
S work-pool create D >/dev/null
d1=$(sub -p D --name d1 -- true)
d2=$(sub -p D --name d2 --at +1h -- true)
S flow-run cancel "$d2" >/dev/null
expect_rc 0 S work-pool delete D
[ -e "$(hint "$d1")" ] || [ -e "$(hint "$d2")" ] && fail "work-pool delete left hints of its runs" ||
    ok "work-pool delete removes the hints of its runs (Scheduled, Cancelled)"
[ -f "$(hint "$rd")" ] && [ -f "$(hint "$b")" ] && ok "... and leaves other pools' hints" ||
    fail "work-pool delete removed another pool's hint"
# an old spool, without ids/: everything still found
rm -rf "$IDS"
expect_rc 0 S flow-run inspect "$b" --json && jcheck "no ids/ at all (an old spool): found by listing" \
    'if obj["id"] != "'"$b"'" or obj["pool"] != "R": bad(obj)'
expect_rc 0 S flow-run cancel "$b" && contains "$out" "Cancelled" "no ids/: cancel by id"
finish
