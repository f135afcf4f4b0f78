# accept_race.sh - 8 acceptors at once on 2,000 dropped files: every file
# becomes exactly one run (none doubled, none lost), bad files are set
# aside as Rejected with their bytes intact, and nothing is left behind.
. "$TOP/tests/e2e/lib.sh"
N=${N:-2000} A=${A:-8}
S work-pool create p >/dev/null || fail "create p"
Q=$SLUICE_SPOOL/pools/p/queues/default
mkdir -p "$Q/tmp" "$Q/new"
# every 50th file is bad (a command cut at ';'); the rest carry their number
for i in $(seq 1 "$N"); do
	if [ $((i % 50)) = 0 ]; then
		printf '[run]\ncommand = echo %d; echo cut\n' "$i" >"$Q/tmp/f$i"
	else
		printf '[run]\ncommand = "echo %d"\nname = drop-%d\n' "$i" "$i" >"$Q/tmp/f$i"
	fi
done
# publish them all with rename, as a person would with mv
for i in $(seq 1 "$N"); do mv "$Q/tmp/f$i" "$Q/new/f$i"; done
# A acceptors at once (any command that reads runs accepts drops first)
for a in $(seq 1 "$A"); do
	( S flow-run ls -p p --json >"$TESTDIR/acc.$a" 2>"$TESTDIR/acc.$a.err" ) &
done
wait
S flow-run ls -p p --json >"$TESTDIR/all.json" || fail "ls"
python3 - "$TESTDIR/all.json" "$N" <<'PY' || fail "runs after the race"
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
ok = True
ids = [r["id"] for r in runs]
if len(ids) != len(set(ids)):
    print("duplicate ids"); ok = False
good = [r for r in runs if r["state"] != "Rejected"]
bad = [r for r in runs if r["state"] == "Rejected"]
names = sorted(r["name"] for r in good)
want = sorted("drop-%d" % i for i in range(1, n + 1) if i % 50)
if names != want:
    print("good runs: %d, wanted %d; doubled: %d" % (len(names), len(want), len(names) - len(set(names)))); ok = False
badnames = sorted(r["name"] for r in bad)
wantbad = sorted("f%d" % i for i in range(1, n + 1) if i % 50 == 0)
if badnames != wantbad:
    print("rejected: %r" % badnames[:5]); ok = False
for r in bad:
    if "';'" not in (r["message"] or ""):
        print("rejected without the reason: %r" % r["message"]); ok = False; break
for r in good:
    if r["command"] != "echo " + r["name"][5:]:
        print("command changed: %r" % r["command"]); ok = False; break
sys.exit(0 if ok else 1)
PY
equals "$(ls -A "$Q/new" | wc -l)" 0 "the drop box is empty"
equals "$(ls -A "$SLUICE_SPOOL/pools/p/tmp" 2>/dev/null | wc -l)" 0 "no private directory left"
# the bytes of every rejected file are kept
for i in 50 1000 2000; do
	[ "$i" -le "$N" ] || continue
	f=$(grep -l "^command = echo $i; echo cut" "$SLUICE_SPOOL"/pools/p/rejected/*/source | head -1)
	[ -n "$f" ] && ok "rejected f$i kept intact" || fail "rejected f$i lost"
done
cat "$TESTDIR"/acc.*.err | grep -v 'Rejected run file' | head -5
finish
