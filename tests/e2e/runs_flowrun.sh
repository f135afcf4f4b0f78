# runs_flowrun.sh - sluice flow-run: ls (table, --json, filters, none), inspect
# (id, 8-char prefix, name, ambiguity), cancel (one, again, bulk by state,
# a Running run), delete, logs, the "message" of a waiting run, and the
# cleanup of old finished runs (sluice(1) "Names", the pool, queue and submit pages, sluice-flow-run(1) "States", the "JSON" sections, "EXIT STATUS";
# spool-layout.md "Runs" and its state table).  There is no agent yet:
# Pending, Running and finished runs are made by hand as the spool layout
# describes (a run is a directory that moves).
. "$TOP/tests/e2e/lib.sh"

SP=$SLUICE_SPOOL/pools


sub() {	# sub ARGS... : submit, print the id (fail if none)
	S submit "$@" 2>"$TESTDIR/sub.err" || fail "submit $*: $(cat "$TESTDIR/sub.err")"
}
rundir() {	# rundir ID : where the run's directory is now
	ls -d "$SP"/*/queues/*/sched/*/*."$1" "$SP"/*/queues/*/sched/*."$1" \
	    "$SP"/*/pending/*/*."$1" "$SP"/*/running/*."$1" \
	    "$SP"/*/done/"$1".* "$SP"/*/rejected/"$1" 2>/dev/null | head -n 1
}
state_of() {	# state_of ID : the state flow-run ls shows
	S flow-run ls --json 2>/dev/null | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["id"] == sys.argv[1]: print(o["state"])' "$1"
}
to_running() {	# to_running POOL ID : move a Scheduled run into running/
	d=$(rundir "$2"); mkdir -p "$SP/$1/running" && mv "$d" "$SP/$1/running/$(basename "$d")" ||
	    fail "cannot make $2 Running"
}
to_pending() {	# to_pending POOL ID AGENT
	d=$(rundir "$2"); mkdir -p "$SP/$1/pending/$3" && mv "$d" "$SP/$1/pending/$3/$(basename "$d")" ||
	    fail "cannot make $2 Pending"
}
to_done() {	# to_done POOL ID STATE ENDED-EPOCH|"" : a finished run with result.ini
	d=$(rundir "$2"); mkdir -p "$SP/$1/done" && mv "$d" "$SP/$1/done/$2.$3" || fail "cannot end $2"
	if [ -n "$4" ]; then
		printf '[result]\nstate = %s\nended = %s\n' "$3" "$(date -u -d "@$4" +%Y-%m-%dT%H:%M:%SZ)" \
		    >"$SP/$1/done/$2.$3/result.ini"
	fi
}
now=$(date +%s)
ago() { date -u -d "@$((now - $1))" +%Y-%m-%dT%H:%M:%SZ; }

for p in P R L M C; do S work-pool create $p >/dev/null || fail "create pool $p"; done

# ================================================================ ls
# nothing yet: a sentence, not a bare title and header; JSON: nothing
expect_rc 0 S flow-run ls && equals "$out" "No flow runs found." "ls of no runs: says so"
expect_rc 0 S flow-run ls -p P --state Running && equals "$out" "No flow runs match these filters." \
    "ls with filters matching nothing: says so"
expect_rc 0 S flow-run ls --json && equals "$out" "" "ls --json of no runs: no output"
alpha=$(sub -p P --name alpha --at +10m -- echo a)
beta=$(sub -p P -q Q --name beta --at +1h -- echo b)
gamma=$(sub -p R --name gamma --at +20m -- true)
late1=$(sub -p P --name late1 --at "$(ago 60)" -- true)

if expect_rc 0 S flow-run ls; then
	equals "$(printf '%s\n' "$out" | head -n 1)" "Flow Runs" "ls: title Flow Runs"
	printf '%s\n' "$out" | sed -n 2p | grep -Eq '^ID +Name +Pool +Queue +State +When +Host +Agent +Duration +Exit *$' &&
	    ok "ls: columns ID Name Pool Queue State When Host Agent Duration Exit" || fail "ls header: $(printf '%s\n' "$out" | sed -n 2p)"
	printf '%s\n' "$out" | grep -Eq "^$beta +beta +P +Q +Scheduled +[0-9-]{10}T[0-9:]{8}Z *\$" &&
	    ok "ls: a row for beta (id, name, pool, queue, Scheduled, time)" || fail "ls: no row for beta: $out"
	printf '%s\n' "$out" | grep -Eq "^$late1 +late1 +P +default +Late +$(ago 60) *\$" &&
	    ok "ls: late1 shown Late with its scheduled time" || fail "ls: late1 row: $(printf '%s\n' "$out" | grep late1)"
	equals "$(printf '%s\n' "$out" | tail -n +3 | wc -l)" 4 "ls: one row per run"
fi
if expect_rc 0 S flow-run ls --json; then
	jcheck "ls --json: one object per line, every run" '
len(objs) == 4 or bad("%d objects" % len(objs))
set(by) == {"alpha", "beta", "gamma", "late1"} or bad("names %r" % sorted(by))
by["late1"]["state"] == "Late" or bad("late1 %r" % by["late1"]["state"])
by["gamma"]["pool"] == "R" or bad("gamma pool")
'
	jcheck "ls --json: newest first by When (beta +1h, gamma +20m, alpha +10m, late1 -60s)" '
[o["name"] for o in objs] == ["beta", "gamma", "alpha", "late1"] or bad("order %r" % [o["name"] for o in objs])
'
fi
# filters
names() {	# names ARGS... : the sorted names flow-run ls --json ARGS shows
	S flow-run ls --json "$@" 2>"$TESTDIR/names.err" | python3 -c '
import json, sys; print(" ".join(sorted(o["name"] for o in map(json.loads, sys.stdin))))'
}
equals "$(names -p R)" "gamma" "ls -p R: only R's runs"
equals "$(names -p P)" "alpha beta late1" "ls -p P: only P's runs"
equals "$(names -q Q)" "beta" "ls -q Q: only queue Q"
equals "$(names -p P -q default)" "alpha late1" "ls -p P -q default"
equals "$(names --state Late)" "late1" "ls --state Late"
equals "$(names --state late)" "late1" "ls --state late (case-insensitive)"
equals "$(names --state SCHEDULED)" "alpha beta gamma late1" "ls --state SCHEDULED: Scheduled matches Late too"
equals "$(names --state Scheduled -p R)" "gamma" "ls --state Scheduled -p R"
equals "$(names --state Completed)" "" "ls --state Completed: none"
# Prefect's --state-type: a stored state (SCHEDULED takes in Late)
equals "$(names --state-type SCHEDULED)" "alpha beta gamma late1" "ls --state-type SCHEDULED: Late runs too"
equals "$(names --state-type scheduled -p R)" "gamma" "ls --state-type scheduled -p R (any case)"
equals "$(names --state-type PAUSED)" "" "ls --state-type PAUSED: none (no sluice run is Paused)"
equals "$(names --state-type COMPLETED --state Late)" "late1" "ls --state-type and --state: either"
expect_rc 2 S flow-run ls --state-type Late && ok "ls --state-type Late: exit 2 (Late is a state, not a type)"
expect_rc 2 S flow-run ls --state Bogus && ok "ls --state Bogus: exit 2" && contains "$errout" "Bogus" "ls --state Bogus: message names it"
expect_rc 1 S flow-run ls -p nosuch && ok "ls -p nosuch: exit 1" && contains "$errout" "nosuch" "ls -p nosuch: message names the pool"
expect_rc 2 S flow-run ls -p 'a b' && ok "ls -p 'a b': exit 2 (bad name)"
# late_after from the config file
printf '[sluice]\nlate_after = 3600\n' >"$TESTDIR/late.ini"
got=$(SLUICE_CONFIG=$TESTDIR/late.ini S flow-run ls --json --state Late | wc -l)
equals "$got" 0 "late_after = 3600: a run 60 s past is not Late"
got=$(SLUICE_CONFIG=$TESTDIR/late.ini S flow-run inspect "$late1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
equals "$got" Scheduled "late_after = 3600: inspect shows it Scheduled"

# ================================================================ inspect
if expect_rc 0 S flow-run inspect "$alpha" --json; then
	equals "$(printf '%s\n' "$out" | wc -l)" 1 "inspect --json: one line"
	jcheck "inspect --json: one object, the run" '
len(objs) == 1 and isinstance(obj, dict) or bad("not one object")
obj["id"] == "'"$alpha"'" and obj["name"] == "alpha" or bad("%r" % obj)
'
fi
if expect_rc 0 S flow-run inspect "$alpha"; then
	equals "$(printf '%s\n' "$out" | head -n 1)" "FlowRun(" "inspect: FlowRun( block"
	contains "$out" "    id='$alpha'," "inspect: id line"
	contains "$out" "    name='alpha'," "inspect: name line"
	equals "$(printf '%s\n' "$out" | tail -n 1)" ")" "inspect: closing )"
fi
pfx8=$(printf '%s' "$alpha" | cut -c1-8)
expect_rc 0 S flow-run inspect "$pfx8" --json && contains "$out" "\"id\":\"$alpha\"" "inspect by a unique 8-char prefix"
expect_rc 0 S flow-run inspect alpha --json && contains "$out" "\"id\":\"$alpha\"" "inspect by a unique name"
pfx7=$(printf '%s' "$alpha" | cut -c1-7)
if expect_rc 1 S flow-run inspect "$pfx7"; then
	ok "inspect by a 7-char prefix: exit 1 (not a prefix)"
	contains "$errout" "not found" "7-char prefix: 'not found'"
fi
expect_rc 1 S flow-run inspect no-such-run && ok "inspect an unknown run: exit 1" &&
    contains "$errout" "Flow run 'no-such-run' not found" "inspect unknown: message"
expect_rc 1 S flow-run inspect 00000000-0000-4000-8000-000000000000 && ok "inspect an unknown full id: exit 1"
# ambiguous id prefix: a hand-made finished run whose id shares alpha's first 9 characters
c10=$(printf '%s' "$alpha" | cut -c10)
case $c10 in 0) n10=1 ;; *) n10=0 ;; esac
twin_id=$(printf '%s' "$alpha" | cut -c1-9)$n10$(printf '%s' "$alpha" | cut -c11-)
mkdir -p "$SP/P/done/$twin_id.Cancelled"
sed "s/^id = .*/id = $twin_id/; s/^name = .*/name = \"twin-of-alpha\"/" "$(rundir "$alpha")/run.ini" \
    >"$SP/P/done/$twin_id.Cancelled/run.ini"
if expect_rc 1 S flow-run inspect "$pfx8"; then
	ok "inspect by an ambiguous 8-char prefix: exit 1"
	contains "$errout" "matches 2 runs" "ambiguous prefix: says how many"
fi
pfx10=$(printf '%s' "$alpha" | cut -c1-10)
expect_rc 0 S flow-run inspect "$pfx10" --json && contains "$out" "\"id\":\"$alpha\"" "a longer unique prefix picks alpha"
expect_rc 0 S flow-run inspect "$twin_id" --json && contains "$out" '"state":"Cancelled"' "the hand-made twin is found, Cancelled"
tw1=$(sub -p P --name twin --at +1h -- true)
tw2=$(sub -p R --name twin --at +1h -- true)
if expect_rc 1 S flow-run inspect twin; then
	ok "inspect an ambiguous name: exit 1"
	contains "$errout" "matches 2 runs by name" "ambiguous name: message"
fi
expect_rc 0 S flow-run inspect "$tw2" --json && ok "either twin by id"

# ================================================================ cancel
if expect_rc 0 S flow-run cancel "$beta"; then
	ok "cancel a Scheduled run: exit 0"
	equals "$out" "Cancelled flow run '$beta'." "cancel: message"
fi
equals "$(state_of "$beta")" Cancelled "cancelled run shows Cancelled in ls"
[ -d "$SP/P/done/$beta.Cancelled" ] && ok "cancelled run is done/ID.Cancelled" || fail "no done/$beta.Cancelled: $(rundir "$beta")"
grep -q '^state = Cancelled' "$SP/P/done/$beta.Cancelled/result.ini" 2>/dev/null && ok "cancel wrote result.ini" || fail "no result.ini after cancel"
expect_rc 0 S flow-run inspect "$beta" --json && jcheck "cancelled run: ended set, scheduled kept" '
obj["ended"] is not None and obj["ended"].endswith("Z") or bad("ended %r" % obj["ended"])
obj["state"] == "Cancelled" or bad("state %r" % obj["state"])
'
if expect_rc 1 S flow-run cancel "$beta"; then
	ok "cancel again: exit 1"
	contains "$errout" "already Cancelled" "cancel again: 'already Cancelled'"
fi
expect_rc 1 S flow-run cancel no-such-run && ok "cancel an unknown run: exit 1"
expect_rc 2 S flow-run cancel && ok "cancel with nothing: exit 2"
expect_rc 2 S flow-run cancel -p P && ok "cancel -p P without --state: exit 2"
expect_rc 2 S flow-run cancel "$alpha" -p P --state Late && ok "cancel RUN with -p/--state: exit 2"
expect_rc 2 S flow-run cancel -p P --state Nope && ok "cancel --state Nope: exit 2"

# bulk: exactly the Late runs of pool L
l1=$(sub -p L --name L-late-1 --at "$(ago 60)" -- true)
l2=$(sub -p L --name L-late-2 --at "$(ago 120)" -- true)
l3=$(sub -p L -q other --name L-late-3 --at "$(ago 3600)" -- true)
f1=$(sub -p L --name L-future-1 --at +1h -- true)
f2=$(sub -p L -q other --name L-future-2 --at +5m -- true)
x1=$(sub -p P --name P-late --at "$(ago 60)" -- true)
if expect_rc 0 S flow-run cancel -p L --state Late; then
	ok "bulk cancel -p L --state Late: exit 0"
	equals "$(printf '%s\n' "$out" | grep -c "^Cancelled flow run")" 3 "bulk cancel: three runs cancelled"
	equals "$(printf '%s\n' "$out" | tail -n 1)" "Cancelled 3 flow runs." "bulk cancel: a last line with the total"
fi
equals "$(names -p L --state Cancelled)" "L-late-1 L-late-2 L-late-3" "bulk cancel: exactly the Late runs are Cancelled"
equals "$(names -p L --state Scheduled)" "L-future-1 L-future-2" "bulk cancel: the future runs stay Scheduled"
equals "$(state_of "$x1")" Late "bulk cancel -p L leaves another pool's Late run alone"
expect_rc 0 S flow-run cancel -p L --state Late && equals "$out" "No flow runs to cancel." "bulk cancel with nothing left: says so, exit 0"
# bulk with -q
if expect_rc 0 S flow-run cancel -p L -q other --state scheduled; then
	equals "$(names -p L --state Scheduled)" "L-future-1" "bulk cancel -q other --state scheduled: only queue other's run"
fi

# several runs at once; one unknown among them
if expect_rc 1 S flow-run cancel "$gamma" no-such-run "$tw2"; then
	ok "cancel GOOD BAD GOOD: exit 1"
	equals "$(printf '%s\n' "$out" | grep -c '^Cancelled flow run')" 2 "cancel GOOD BAD GOOD: the two good ones are cancelled"
	contains "$errout" "no-such-run" "cancel GOOD BAD GOOD: the bad one is named"
fi
equals "$(names -p R --state Cancelled)" "gamma twin" "cancel of several runs: both Cancelled"

# a Running run (made by hand): Cancelling, with a cancel file
run1=$(sub -p P --name runner -- sleep 100)
to_running P "$run1"
equals "$(state_of "$run1")" Running "a run moved into running/ shows Running"
if expect_rc 0 S flow-run cancel runner; then
	ok "cancel a Running run: exit 0"
	contains "$out" "scheduled for cancellation" "cancel Running: message"
fi
d=$(rundir "$run1")
case $d in "$SP/P/running/"*) ok "the Running run stays in running/" ;; *) fail "Running run moved to $d" ;; esac
[ -f "$d/cancel" ] && ok "cancel file in the run's directory" || fail "no cancel file in $d"
equals "$(state_of "$run1")" Cancelling "a Running run with a cancel file shows Cancelling"
if expect_rc 1 S flow-run delete "$run1"; then
	contains "$errout" "is Cancelling: its agent is ending it; delete it once it is Cancelled." "delete of a Cancelling run: says it is being cancelled, not 'cancel it first'"
fi
# a Pending run (made by hand)
pend=$(sub -p P --name pender -- true)
to_pending P "$pend" 6a1b3c5d-0000-4000-8000-00000000aaaa
equals "$(state_of "$pend")" Pending "a run moved into pending/AGENT/ shows Pending"
expect_rc 0 S flow-run cancel "$pend" && ok "cancel a Pending run: exit 0"
d=$(rundir "$pend")
[ -f "$d/cancel" ] && ok "cancel file in the Pending run's directory" || fail "no cancel file in $d"
equals "$(state_of "$pend")" Cancelling "a Pending run with a cancel file shows Cancelling (spool-layout: 'Cancel of a Pending or Running run: publish a cancel file (state Cancelling)')"

# ================================================================ delete
del_gone() {	# del_gone ID WHAT
	if expect_rc 0 S flow-run delete "$1"; then
		equals "$out" "Deleted flow run '$1'." "delete $2: message"
		[ -z "$(rundir "$1")" ] && ok "delete $2: its directory is gone" || fail "delete $2: still at $(rundir "$1")"
		expect_rc 1 S flow-run inspect "$1" && ok "delete $2: inspect now fails"
	fi
}
del_gone "$alpha" "a Scheduled run"
del_gone "$l1" "a Cancelled run"
printf '[run]\ncommand = a; b\n' >"$SP/P/queues/default/tmp/junk" && mv "$SP/P/queues/default/tmp/junk" "$SP/P/queues/default/new/junk"
S flow-run ls -p P >/dev/null 2>&1
rej=$(S flow-run ls -p P --json --state Rejected | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
[ -n "$rej" ] && [ -d "$SP/P/rejected/$rej" ] && ok "a bad drop is Rejected" || fail "no Rejected run"
if expect_rc 1 S flow-run cancel "$rej"; then
	ok "cancel a Rejected run: exit 1"
	contains "$errout" "already Rejected" "cancel Rejected: 'already Rejected'"
fi
del_gone "$rej" "a Rejected run"
rm -f "$(rundir "$run1")/cancel"	# Running again, not Cancelling
if expect_rc 1 S flow-run delete "$run1"; then
	ok "delete a Running run: exit 1"
	contains "$errout" "cancel it first" "delete Running: says to cancel first"
fi
[ -n "$(rundir "$run1")" ] && ok "the Running run is still there" || fail "the Running run was deleted"
expect_rc 1 S flow-run delete "$pend" && ok "delete a Pending run: exit 1"
expect_rc 1 S flow-run delete no-such-run && ok "delete an unknown run: exit 1"
[ -z "$(ls -A "$SP/P/tmp" 2>/dev/null)" ] && ok "delete leaves nothing in pools/P/tmp" || fail "left in tmp: $(ls -A "$SP/P/tmp")"

# ================================================================ logs
if expect_rc 0 S flow-run logs "$gamma"; then
	ok "logs of a run without a log: exit 0"
	equals "$out" "" "logs without a log: nothing on stdout"
	contains "$errout" "No logs for flow run '$gamma'" "logs without a log: a note on stderr"
fi
lg=$(sub -p P --name logged -- echo hi)
to_done P "$lg" Completed "$((now - 60))"
printf 'line one\n\ttabbed \033[1mbold\033[0m\n\377\376 bytes\nno newline at the end' >"$TESTDIR/log.want"
cp "$TESTDIR/log.want" "$SP/P/done/$lg.Completed/log"
S flow-run logs logged >"$TESTDIR/log.got" 2>"$TESTDIR/log.err"; rc=$?
equals "$rc" 0 "logs of a finished run: exit 0"
cmp -s "$TESTDIR/log.got" "$TESTDIR/log.want" && ok "logs prints the log exactly" ||
    fail "logs output differs: $(od -c "$TESTDIR/log.got" | head -5)"
[ -s "$TESTDIR/log.err" ] && fail "logs with a log wrote to stderr: $(cat "$TESTDIR/log.err")" || ok "logs with a log: nothing on stderr"
timeout 10 "$SLUICE" flow-run logs --follow logged >"$TESTDIR/log.got" 2>&1; rc=$?
equals "$rc" 0 "logs --follow of a finished run returns at once"
cmp -s "$TESTDIR/log.got" "$TESTDIR/log.want" && ok "logs --follow of a finished run prints the log" || fail "logs --follow differs"
expect_rc 0 S flow-run inspect logged --json && jcheck "hand-made Completed run: state and ended from result.ini" '
obj["state"] == "Completed" or bad("state %r" % obj["state"])
obj["ended"] == "'"$(ago 60)"'" or bad("ended %r" % obj["ended"])
'
expect_rc 1 S flow-run logs no-such-run && ok "logs of an unknown run: exit 1"
# --head, -n/--num-logs, --reverse (Prefect's; -h is --head here)
S flow-run logs logged --head -n 2 >"$TESTDIR/log.got" 2>&1
printf 'line one\n\ttabbed \033[1mbold\033[0m\n' | cmp -s - "$TESTDIR/log.got" &&
    ok "logs --head -n 2: the first two lines" || fail "logs --head -n 2: $(od -c "$TESTDIR/log.got" | head -3)"
S flow-run logs logged -h -n 1 >"$TESTDIR/log.got" 2>&1
printf 'line one\n' | cmp -s - "$TESTDIR/log.got" && ok "logs -h -n 1: -h is --head" || fail "logs -h -n 1: $(cat "$TESTDIR/log.got")"
S flow-run logs logged -n 1 >"$TESTDIR/log.got" 2>&1
printf 'no newline at the end' | cmp -s - "$TESTDIR/log.got" && ok "logs -n 1: the last line, as it is" || fail "logs -n 1: $(cat "$TESTDIR/log.got")"
S flow-run logs logged --reverse >"$TESTDIR/log.got" 2>&1
printf 'no newline at the end\n\377\376 bytes\n\ttabbed \033[1mbold\033[0m\nline one\n' | cmp -s - "$TESTDIR/log.got" &&
    ok "logs --reverse: newest line first" || fail "logs --reverse: $(od -c "$TESTDIR/log.got" | head -4)"
S flow-run logs logged --head --num-logs 9 >"$TESTDIR/log.got" 2>&1
cmp -s "$TESTDIR/log.want" "$TESTDIR/log.got" && ok "logs --head with more lines asked than there are: all" || fail "logs --head --num-logs 9 differs"
expect_rc 2 S flow-run logs logged --head --follow && ok "logs --head --follow: exit 2"
if expect_rc 0 S flow-run logs "$gamma" -n 3; then
	contains "$errout" "sluice: No logs for flow run" "logs -n of a run without a log: the note, with sluice:"
fi
if expect_rc 0 S work-pool preview P -h 2; then
	case $out in usage:*) fail "preview -h 2 printed help" ;; *) ok "preview P -h 2: -h is --hours, as in Prefect" ;; esac
fi

# ls: who ran a finished run, where, for how long, and how it exited (an
# agent no longer registered shows as the first 8 digits of its id)
fx=$(sub -p P --name exited3 -- false)
to_done P "$fx" Failed ""
printf '[result]\nstate = Failed\nstarted = %s\nended = %s\nexit_code = 3\n' "$(ago 125)" "$(ago 60)" \
    >"$SP/P/done/$fx.Failed/result.ini"
printf 'agent = 6a1b3c5d-0000-4000-8000-00000000bbbb\nhost = hostx\n' >"$SP/P/done/$fx.Failed/claim.ini"
if expect_rc 0 S flow-run ls -p P --limit 0; then
	printf '%s\n' "$out" | grep -Eq "^$fx +exited3 +P +default +Failed +$(ago 60) +hostx +6a1b3c5d +1m05s +3 *\$" &&
	    ok "ls: Host, Agent, Duration and Exit of a finished run" ||
	    fail "ls: row of exited3: $(printf '%s\n' "$out" | grep exited3)"
fi
expect_rc 0 S flow-run inspect "$fx" --json && jcheck "inspect --json: started, ended, host, agent, exit_code" '
obj["started"] == "'"$(ago 125)"'" or bad("started %r" % obj["started"])
obj["host"] == "hostx" or bad("host %r" % obj["host"])
obj["agent"] == "6a1b3c5d-0000-4000-8000-00000000bbbb" or bad("agent %r" % obj["agent"])
obj["exit_code"] == 3 or bad("exit_code %r" % obj["exit_code"])
'

# many dropped files: the command that accepts them says how many
S work-pool create D >/dev/null || fail "create pool D"
mkdir -p "$SP/D/queues/default/tmp" "$SP/D/queues/default/new"
i=0
while [ $i -lt 120 ]; do
	printf '[run]\ncommand = true\nscheduled = %s\n' "$(ago -3600)" >"$SP/D/queues/default/tmp/d$i"
	mv "$SP/D/queues/default/tmp/d$i" "$SP/D/queues/default/new/d$i.ini"
	i=$((i + 1))
done
if expect_rc 0 S flow-run ls -p D --limit 1; then
	contains "$errout" "accepted 120 dropped run files into work pool 'D'" "accepting 120 drops: a total on stderr"
fi
if expect_rc 0 S flow-run cancel -p D --state Scheduled; then
	contains "$out" "Cancelled 120 flow runs." "bulk cancel of 120: the total"
fi

# ================================================================ message
msg_of() {	# msg_of ID : the message flow-run inspect --json shows
	S flow-run inspect "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])'
}
msg_ls() {	# msg_ls POOL ID : the message flow-run ls -p POOL --json shows
	S flow-run ls -p "$1" --json | python3 -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o["id"] == sys.argv[1]: print(o["message"])' "$2"
}
S work-queue create MQ -p M >/dev/null
m1=$(sub -p M --name m-now -- true)
m2=$(sub -p M --name m-future --at +2h -- true)
m3=$(sub -p M -q MQ --name m-queue -- true)
contains "$(msg_of "$m2")" "scheduled in the future" "message: a future run is 'scheduled in the future'"
contains "$(msg_of "$m1")" "no agent serves" "message: a due run with no agent: 'no agent serves…'"
contains "$(msg_ls M "$m1")" "no agent serves" "message in ls: 'no agent serves…'"
S work-pool pause M >/dev/null
equals "$(msg_of "$m1")" "work pool 'M' is paused" "message: work pool paused"
equals "$(msg_ls M "$m3")" "work pool 'M' is paused" "message in ls: work pool paused"
contains "$(msg_of "$m2")" "scheduled in the future" "message: a future run in a paused pool is still 'scheduled in the future'"
S work-pool resume M >/dev/null
S work-queue pause MQ -p M >/dev/null
equals "$(msg_of "$m3")" "work queue 'MQ' is paused" "message: work queue paused"
equals "$(msg_ls M "$m3")" "work queue 'MQ' is paused" "message in ls: work queue paused"
contains "$(msg_of "$m1")" "no agent serves" "message: a run of another queue is not held by MQ's pause"
S work-queue resume MQ -p M >/dev/null
contains "$(msg_of "$m3")" "no agent serves" "message: after resume, 'no agent serves…' again"
# a queue at its limit: one Running run in MQ, limit 1
S work-queue set-concurrency-limit MQ 1 -p M >/dev/null
mr=$(sub -p M -q MQ --name m-running -- sleep 1)
to_running M "$mr"
contains "$(msg_of "$m3")" "work queue 'MQ' is at its limit 1/1" "message: queue at its limit 1/1"
equals "$(msg_of "$mr")" "None" "message: a Running run has no waiting message (null)"

# ================================================================ cleanup
old30=$(sub -p C --name old30 -- true); to_done C "$old30" Completed "$((now - 30 * 86400))"
old1=$(sub -p C --name old1 -- true); to_done C "$old1" Failed "$((now - 86400))"
noend=$(sub -p C --name noend -- true); to_done C "$noend" Cancelled ""
ancient=$(sub -p C --name ancient --at 2000-01-01T00:00:00Z -- true)
printf 'junk\n' >"$SP/C/queues/default/new/badfile"
S flow-run inspect ancient >/dev/null 2>&1	# accepts the drop; must not clean up
touch -d '40 days ago' "$SP/C/rejected"/* 2>/dev/null
printf '[sluice]\nkeep_days = 40\n' >"$TESTDIR/keep40.ini"
SLUICE_CONFIG=$TESTDIR/keep40.ini S flow-run ls >/dev/null 2>&1
[ -d "$SP/C/done/$old30.Completed" ] && ok "keep_days = 40: a run ended 30 days ago is kept" || fail "keep_days = 40 removed the 30-day-old run"
S flow-run ls >/dev/null 2>&1
[ -e "$SP/C/done/$old30.Completed" ] && fail "flow-run ls kept a run ended 30 days ago (keep_days 7)" ||
    ok "flow-run ls removed the run ended 30 days ago"
expect_rc 1 S flow-run inspect "$old30" && ok "the removed run is gone for inspect too"
[ -d "$SP/C/done/$old1.Failed" ] && ok "a run ended 1 day ago stays" || fail "the 1-day-old run was removed"
[ -d "$SP/C/done/$noend.Cancelled" ] && ok "a finished run without result.ini (ended unknown) stays" || fail "the run without result.ini was removed"
[ -n "$(rundir "$ancient")" ] && ok "a Scheduled run from 2000 is never removed" || fail "the ancient Scheduled run was removed"
equals "$(state_of "$ancient")" Late "the ancient Scheduled run shows Late"
[ "$(ls "$SP/C/rejected" | wc -l)" -eq 1 ] && ok "a Rejected run is never removed by cleanup" || fail "Rejected runs: $(ls "$SP/C/rejected")"
[ -z "$(ls -A "$SP/C/tmp" 2>/dev/null)" ] && ok "cleanup leaves nothing in pools/C/tmp" || fail "left in pools/C/tmp: $(ls -A "$SP/C/tmp")"
printf '[sluice]\nkeep_days = 0\n' >"$TESTDIR/keep0.ini"
SLUICE_CONFIG=$TESTDIR/keep0.ini S flow-run ls -p C >/dev/null 2>&1
[ -e "$SP/C/done/$old1.Failed" ] && fail "keep_days = 0 kept a run ended a day ago" || ok "keep_days = 0: the run ended a day ago is removed"
# a stranded private directory with no source (a crashed submit) over an hour old is removed
mkdir -p "$SP/C/tmp/$(printf '%016x' $((now - 7200))).11111111-2222-4333-8444-555555555555"
S flow-run ls -p C >/dev/null 2>&1
[ -z "$(ls -A "$SP/C/tmp")" ] && ok "a stranded submit directory over an hour old is removed" || fail "left: $(ls -A "$SP/C/tmp")"
# a stranded accepted drop (with source) over an hour old goes back to new/ and is accepted
sd="$SP/C/tmp/$(printf '%016x' $((now - 7200))).22222222-2222-4333-8444-555555555555"
mkdir -p "$sd" && printf 'queue = default\nname = lost\n' >"$sd/origin" && printf '[run]\nname = recovered\ncommand = true\n' >"$sd/source"
S flow-run ls -p C >/dev/null 2>&1
equals "$(names -p C --state Scheduled)" "ancient recovered" "a stranded drop is recovered and accepted"

finish
