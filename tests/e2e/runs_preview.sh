# runs_preview.sh - work-pool preview and work-queue preview: the --hours
# window (default 1), Late runs marked " (**)" with the caption, the
# columns, the hint when nothing is due, --json lines, one queue's preview,
# only Scheduled runs shown; and work-pool inspect's "runs" counts, which
# include a file still waiting in a queue's new/ (the pool, queue and submit pages, the "JSON" sections;
# spool-layout.md "Runs").
. "$TOP/tests/e2e/lib.sh"

SP=$SLUICE_SPOOL/pools
HINT="No runs found - try increasing how far into the future you preview with the --hours flag"
now=$(date +%s)
ago() { date -u -d "@$((now - $1))" +%Y-%m-%dT%H:%M:%SZ; }
sub() { S submit "$@" 2>"$TESTDIR/sub.err" || fail "submit $*: $(cat "$TESTDIR/sub.err")"; }
# rows : the data rows of a preview table in $out (no header, no caption)
rows() { printf '%s\n' "$out" | sed '1d' | grep -v '^(\*\*) denotes' | grep -v '^$'; }
# row_for NAME : the table row of the run named NAME, or nothing
row_for() { rows | grep -E " $1 *\$"; }

for p in V E F; do S work-pool create $p >/dev/null || fail "create pool $p"; done
S work-queue create VQ -p V >/dev/null || fail "create queue VQ"

in30=$(sub -p V --name in-30m --at +30m -- true)
in3h=$(sub -p V --name in-3h --at +3h -- true)
late=$(sub -p V --name late-one --at "$(ago 60)" -- true)
vq=$(sub -p V -q VQ --name vq-run --at +10m -- true)
cx=$(sub -p V --name cancelled-one --at +20m -- true)
S flow-run cancel "$cx" >/dev/null || fail "cancel $cx"
run=$(sub -p V --name running-one -- true)
d=$(ls -d "$SP"/V/queues/default/sched/*/*."$run")
mkdir -p "$SP/V/running" && mv "$d" "$SP/V/running/$(basename "$d")"

# ---- work-pool preview, default window 1 h
if expect_rc 0 S work-pool preview V; then
	printf '%s\n' "$out" | head -n 1 | grep -Eq '^Scheduled Start Time +Run ID +Name +Deployment ID *$' &&
	    ok "preview: columns Scheduled Start Time, Run ID, Name, Deployment ID" ||
	    fail "preview header: $(printf '%s\n' "$out" | head -n 1)"
	equals "$(printf '%s\n' "$out" | tail -n 1 | sed 's/^ *//; s/ *$//')" "(**) denotes a late run" "preview: caption"
	[ -n "$(row_for in-30m)" ] && ok "preview: a run at +30m is shown by default" || fail "preview: no in-30m: $out"
	[ -z "$(row_for in-3h)" ] && ok "preview: a run at +3h is hidden by default" || fail "preview shows in-3h: $out"
	[ -n "$(row_for vq-run)" ] && ok "preview of the pool: every queue's runs" || fail "pool preview lacks vq-run"
	[ -z "$(row_for cancelled-one)" ] && ok "preview: a Cancelled run is not shown" || fail "preview shows the cancelled run"
	[ -z "$(row_for running-one)" ] && ok "preview: a Running run is not shown" || fail "preview shows the running run"
	row_for late-one | grep -Eq "^$(ago 60) \(\*\*\) +$late +late-one *\$" &&
	    ok "preview: the Late run is marked ' (**)', with its id and name" || fail "late row: '$(row_for late-one)'"
	row_for in-30m | grep -Eq "^[0-9-]{10}T[0-9:]{8}Z +$in30 +in-30m *\$" &&
	    ok "preview: a future run is not marked" || fail "in-30m row: '$(row_for in-30m)'"
	equals "$(rows | wc -l)" 3 "preview: three rows (in-30m, vq-run, late-one)"
	order=$(rows | awk '{print $NF}' | tr '\n' ' ')
	equals "$order" "in-30m vq-run late-one " "preview: latest first"
fi
if expect_rc 0 S work-pool preview V --hours 4; then
	[ -n "$(row_for in-3h)" ] && ok "preview --hours 4: the run at +3h is shown" || fail "--hours 4 lacks in-3h: $out"
	equals "$(rows | wc -l)" 4 "preview --hours 4: four rows"
fi
if expect_rc 0 S work-pool preview V --hours 0; then
	equals "$(rows | awk '{print $NF}' | tr '\n' ' ')" "late-one " "preview --hours 0: only what is due (the Late run)"
fi
expect_rc 0 S work-pool preview --hours=2 V && [ -z "$(row_for in-3h)" ] && [ -n "$(row_for in-30m)" ] &&
    ok "preview --hours=2 before the name: +30m shown, +3h hidden"
# late_after from the config
printf '[sluice]\nlate_after = 3600\n' >"$TESTDIR/late.ini"
out=$(SLUICE_CONFIG=$TESTDIR/late.ini S work-pool preview V)
case $(row_for late-one) in *'(**)'*) fail "late_after = 3600: a run 60 s past is still marked" ;;
"") fail "late_after = 3600: late-one missing" ;; *) ok "late_after = 3600: a run 60 s past is not marked late" ;; esac

# ---- --json: one object per line
if expect_rc 0 S work-pool preview V --json --hours 4; then
	if msg=$(printf '%s\n' "$out" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin.read().split("\n") if l]
names = sorted(o["name"] for o in objs)
assert names == ["in-30m", "in-3h", "late-one", "vq-run"], names
st = {o["name"]: o["state"] for o in objs}
assert st["late-one"] == "Late" and st["in-3h"] == "Scheduled", st
keys = "id name pool queue deployment state message scheduled created started ended exit_code attempt retries agent host pid command argv".split()
for o in objs: assert list(o) == keys, list(o)
' 2>&1); then ok "preview --json: one run object per line, the same runs"; else fail "preview --json: $msg"; echo "$out"; fi
fi
expect_rc 0 S work-pool preview E --json && equals "$out" "" "preview --json of an empty pool: no output"

# ---- work-queue preview: one queue only
if expect_rc 0 S work-queue preview VQ -p V; then
	equals "$(rows | awk '{print $NF}' | tr '\n' ' ')" "vq-run " "work-queue preview VQ: only VQ's run"
	printf '%s\n' "$out" | head -n 1 | grep -Eq '^Scheduled Start Time +Run ID +Name +Deployment ID *$' &&
	    ok "work-queue preview: same columns" || fail "wq preview header: $(printf '%s\n' "$out" | head -n 1)"
fi
if expect_rc 0 S work-queue preview default -p V --hours 4; then
	equals "$(rows | awk '{print $NF}' | tr '\n' ' ')" "in-3h in-30m late-one " "work-queue preview default --hours 4: not VQ's run"
	row_for late-one | grep -q ' (\*\*) ' && ok "work-queue preview: Late marked" || fail "wq preview late row: $(row_for late-one)"
fi
expect_rc 0 S work-queue preview default -p V && [ -z "$(row_for in-3h)" ] && ok "work-queue preview honours the default 1 h"
if expect_rc 0 S work-queue preview VQ -p V --json; then
	equals "$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(" ".join(json.loads(l)["name"] for l in sys.stdin if l.strip()))')" \
	    "vq-run" "work-queue preview --json: only VQ's run"
fi

# ---- nothing to show: the hint on stdout
if expect_rc 0 S work-pool preview E; then
	equals "$out" "$HINT" "preview of an empty pool: the hint on stdout"
	equals "$errout" "" "preview of an empty pool: nothing on stderr"
fi
sub -p F --name far --at +3h -- true >/dev/null
expect_rc 0 S work-pool preview F && equals "$out" "$HINT" "preview when the only run is past the window: the hint"
expect_rc 0 S work-pool preview F --hours 2 && equals "$out" "$HINT" "--hours 2: a run at +3h is still past the window"
expect_rc 0 S work-pool preview F --hours 5 && contains "$out" "far" "--hours 5: shown"
S work-queue create empty -p V >/dev/null
expect_rc 0 S work-queue preview empty -p V && equals "$out" "$HINT" "work-queue preview of an empty queue: the hint"

# ---- errors
expect_rc 1 S work-pool preview nosuch && ok "preview of a missing pool: exit 1" && contains "$errout" "nosuch" "missing pool: named"
expect_rc 1 S work-queue preview nosuch -p V && ok "work-queue preview of a missing queue: exit 1"
expect_rc 2 S work-pool preview V --hours -1 && ok "--hours -1: exit 2"
expect_rc 2 S work-pool preview V --hours abc && ok "--hours abc: exit 2"
expect_rc 2 S work-pool preview V --hours 1.5 && ok "--hours 1.5: exit 2"
expect_rc 2 S work-pool preview 'a/b' && ok "preview of a bad pool name: exit 2"

# ---- work-pool inspect: run counts, including a file waiting in new/
printf '[run]\ncommand = true\n' >"$SP/V/queues/VQ/tmp/waiting" && mv "$SP/V/queues/VQ/tmp/waiting" "$SP/V/queues/VQ/new/waiting"
printf '[run]\ncommand = true\n' >"$SP/V/queues/VQ/new/.ignored"
if expect_rc 0 S work-pool inspect V --json; then
	if msg=$(printf '%s\n' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
r = o["runs"]
want = {"Scheduled": 5, "Running": 1, "Cancelled": 1}
assert r == want, "runs %r, wanted %r" % (r, want)
assert list(r)[0] == "Scheduled", list(r)
' 2>&1); then ok "inspect --json runs: Scheduled 5 (4 + the file in new/, Late counted Scheduled, dotfile not), Running 1, Cancelled 1"
	else fail "inspect --json: $msg"; fi
fi
if expect_rc 0 S work-pool inspect V; then
	contains "$out" "runs={'Scheduled': 5, 'Running': 1, 'Cancelled': 1}," "inspect: runs={...} in the text form"
fi
if expect_rc 0 S work-pool inspect E --json; then
	equals "$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"])')" "{}" "inspect of a pool without runs: runs {}"
fi
# after acceptance the counts are the same
S flow-run ls -p V >/dev/null 2>&1
expect_rc 0 S work-pool inspect V --json &&
    equals "$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"].get("Scheduled"))')" 5 \
    "after the drop is accepted: still Scheduled 5"
[ -e "$SP/V/queues/VQ/new/.ignored" ] && ok "the dotfile in new/ is left alone" || fail "the dotfile in new/ was taken"

finish
