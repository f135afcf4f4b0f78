# deployments.sh - sluice deployment: usage errors, create/ls/inspect and
# their JSON, runs made ahead of time (cron, interval, time zones), the
# scheduler made idempotent against 8 racing dispatchers, pause/resume,
# set-pool (scheduled runs move, a running one stays), delete, run --at,
# and an agent running a deployment's runs (the pool, queue and submit pages, the "JSON" sections, "EXIT STATUS";
# sluice-deployment(1)).  Two groups of checks caught bugs, now fixed:
# "8 dispatchers racing" (schedulers shared a private directory, so a
# slot's marker could be made and its run lost) and "due (Late) Scheduled
# runs" (pause and set-pool left runs already due behind).
. "$TOP/tests/e2e/lib.sh"

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
AGENT=$TOP/bin/sluice-agent
DISPATCH=$TOP/bin/sluice-dispatch

# background agents and dispatchers, killed whatever happens
bg=""
cleanup() {
	for p in $bg; do kill "$p" 2>/dev/null; done
	for p in $bg; do wait "$p" 2>/dev/null; done
	bg=""
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM


# runs_of DEPLOYMENT [FLOW-RUN-LS-ARGS...] : $out = its runs, JSON lines
runs_of() {
	dep=$1; shift
	out=$(S flow-run ls "$@" --json 2>"$TESTDIR/ls.err" |
	    python3 -c '
import json, sys
for l in sys.stdin:
    if l.strip() and json.loads(l)["deployment"] == sys.argv[1]:
        sys.stdout.write(l)
' "$dep") || fail "flow-run ls $*: $(cat "$TESTDIR/ls.err")"
}
count() { [ -z "$1" ] && echo 0 || printf '%s\n' "$1" | wc -l; }
state_of() {
	S flow-run inspect "$1" --json 2>/dev/null |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' 2>/dev/null
}
made_count() { ls "$SLUICE_SPOOL/deployments/$1/made" 2>/dev/null | grep -c '^[0-9][0-9]*$'; }

# an hourly slot within the next 30 s could be claimed early by an agent
# (prefetch 10 s) and spoil the counts below: wait it out
s=$(( $(date +%s) % 3600 ))
[ "$s" -gt 3570 ] && sleep $((3601 - s))

for p in P A B; do expect_rc 0 S work-pool create "$p" >/dev/null || exit 1; done

# ---- usage errors: exit 2, nothing made ----
expect_rc 2 S deployment create 'bad/name' -p P -- true && ok "bad name: exit 2" &&
    contains "$errout" "bad/name" "bad name: the message shows it"
expect_rc 2 S deployment create .hidden -p P -- true && ok "name with a leading dot: exit 2"
expect_rc 2 S deployment create d1 -p P --cron '0 * * * *' --interval 60 -- true &&
    ok "--cron and --interval together: exit 2" && contains "$errout" "not both" "--cron + --interval: message says so"
# bad_cron EXPR WORD : exit 2, and the message holds WORD (names the problem)
bad_cron() {
	if expect_rc 2 S deployment create d1 -p P --cron "$1" -- true; then
		ok "--cron '$1': exit 2"
		contains "$errout" "$2" "--cron '$1': the message names the problem ($2)"
	fi
}
bad_cron '* * * *' '5 fields'
bad_cron '* * * * * *' '5 fields'
bad_cron '60 * * * *' 'minute field'
bad_cron '* 24 * * *' 'hour field'
bad_cron '0 0 0 * *' 'day-of-month field'
bad_cron '0 0 * 13 *' 'month field'
bad_cron '0 0 * * 8' 'day-of-week field'
bad_cron '0 0 * foo *' '"foo"'
bad_cron '0 0 * * mon-sux' '"sux"'
bad_cron '5-1 * * * *' 'reversed'
bad_cron '*/0 * * * *' 'step'
bad_cron '1,,2 * * * *' 'empty list element'
bad_cron '1x * * * *' 'junk'
bad_cron '@fortnightly' 'macro'
bad_cron '@daily 5' 'junk'
expect_rc 2 S deployment create d1 -p P --anchor now -- true && ok "--anchor without --interval: exit 2" &&
    contains "$errout" "--interval" "--anchor alone: the message says it goes with --interval"
expect_rc 2 S deployment create d1 -p P --interval 60 --anchor tomorrow -- true && ok "bad --anchor: exit 2"
expect_rc 2 S deployment create d1 -p P --interval 0 -- true && ok "--interval 0: exit 2"
expect_rc 2 S deployment create d1 -p P --interval 1m -- true && ok "--interval 1m: exit 2"
expect_rc 2 S deployment create d1 -p P --cron @daily --timezone Mars/Olympus -- true &&
    ok "unknown --timezone: exit 2" && contains "$errout" "Mars/Olympus" "bad --timezone: the message shows it"
expect_rc 2 S deployment create d1 -p P --cron @daily --timezone ../../etc/passwd -- true &&
    ok "--timezone with ..: exit 2"
expect_rc 2 S deployment create d1 -p P && ok "no command: exit 2" && contains "$errout" "command" "no command: message says so"
expect_rc 2 S deployment create d1 -p P -- && ok "'--' and no command: exit 2"
expect_rc 2 S deployment create d1 -- true && ok "no -p: exit 2" && contains "$errout" "-p" "no -p: message mentions -p"
expect_rc 2 S deployment create d1 -p P -q .. -- true && ok "bad queue name: exit 2"
expect_rc 2 S deployment create d1 -p P --retries -1 -- true && ok "--retries -1: exit 2"
expect_rc 2 S deployment create d1 -p P --cwd rel -- true && ok "--cwd relative: exit 2"
expect_rc 2 S deployment ls --bogus && ok "unknown option: exit 2"
expect_rc 2 S deployment inspect && ok "inspect without a name: exit 2"
expect_rc 2 S deployment run d1 --at tomorrow && ok "run --at tomorrow: exit 2"
[ -e "$SLUICE_SPOOL/deployments/d1" ] && fail "a refused create left deployments/d1" || ok "refused creates made nothing"

# ---- exit 1: what does not exist ----
if expect_rc 1 S deployment create d1 -p nosuch -- true; then
	ok "missing pool: exit 1"
	contains "$errout" "sluice work-pool create nosuch" "missing pool: the message says how to create it"
fi
[ -e "$SLUICE_SPOOL/pools/nosuch" ] && fail "create with a missing pool made the pool" || ok "missing pool: not created"
for c in "inspect nosuch" "pause nosuch" "resume nosuch" "delete nosuch" "run nosuch" "set-pool nosuch P"; do
	# shellcheck disable=SC2086
	expect_rc 1 S deployment $c && ok "deployment $c: exit 1" && contains "$errout" "'nosuch'" "deployment $c: names it"
done

# ---- create, ls, inspect ----
expect_rc 0 S deployment create hourly -p P --cron '0 * * * *' --retries 2 --retry-delay 30 --timeout 600 \
    -- /bin/echo hello && contains "$out" "Created deployment 'hourly'" "create: says so"
expect_rc 1 S deployment create hourly -p P -- true && ok "create again: exit 1" &&
    contains "$errout" "already exists" "create again: says it exists"
expect_rc 0 S deployment create adhoc -p P -q side -- echo adhoc >/dev/null
if expect_rc 0 S deployment ls; then
	contains "$out" "hourly" "ls: shows hourly"
	contains "$out" "adhoc" "ls: shows adhoc"
	contains "$out" "cron 0 * * * * (UTC)" "ls: shows the schedule"
fi
if expect_rc 0 S deployment ls --json; then
	jcheck "ls --json: keys as sluice-deployment(1) \"JSON\", values" '
want = "name id pool queue command schedule paused retries retry_delay timeout".split()
len(objs) == 2 or bad("%d objects" % len(objs))
for o in objs:
    list(o.keys()) == want or bad("keys %r" % list(o.keys()))
    re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", o["id"]) or bad("id %r" % o["id"])
d = {o["name"]: o for o in objs}
h, a = d["hourly"], d["adhoc"]
(h["pool"], h["queue"], h["paused"]) == ("P", "default", False) or bad("hourly %r" % h)
(h["retries"], h["retry_delay"], h["timeout"]) == (2, 30, 600) or bad("hourly numbers %r" % h)
h["command"] == "exec /bin/echo hello" or bad("command %r" % h["command"])
h["schedule"] == {"cron": "0 * * * *", "timezone": "UTC"} or bad("schedule %r" % h["schedule"])
(a["queue"], a["schedule"], a["timeout"], a["retries"]) == ("side", None, None, 0) or bad("adhoc %r" % a)
'
fi
if expect_rc 0 S deployment inspect hourly; then
	contains "$out" "name='hourly'" "inspect: name"
	contains "$out" "pool='P'" "inspect: pool"
	contains "$out" "paused=False" "inspect: paused=False"
fi
if expect_rc 0 S deployment inspect hourly --json; then
	jcheck "inspect --json: one object, the same keys" '
len(objs) == 1 or bad("%d objects" % len(objs))
list(obj.keys()) == "name id pool queue command schedule paused retries retry_delay timeout".split() or bad("keys %r" % list(obj.keys()))
obj["name"] == "hourly" or bad("name %r" % obj["name"])
'
fi
[ -f "$SLUICE_SPOOL"/deployments/hourly/v0000000001/deployment.ini ] &&
    [ -f "$SLUICE_SPOOL"/deployments/hourly/v0000000001/run.ini ] &&
    ok "spool: deployments/hourly/v0000000001/{deployment.ini,run.ini}" ||
    fail "spool: no deployments/hourly/v0000000001/"

# ---- an hourly deployment: >= 3 runs in preview --hours 3 ----
if expect_rc 0 S work-pool preview P --hours 3; then
	n=$(printf '%s\n' "$out" | awk '$NF == "hourly"' | wc -l)
	[ "$n" -ge 3 ] && ok "preview --hours 3: $n runs with 'hourly' in the Deployment ID column" ||
	    fail "preview --hours 3 shows $n hourly runs: $out"
	contains "$(printf '%s\n' "$out" | head -n 1)" "Deployment ID" "preview: has the Deployment ID column"
fi
runs_of hourly -p P
jcheck "hourly: runs at the top of each hour, all Scheduled, after now, none twice" '
now = time.time()
len(objs) >= 3 or bad("%d runs" % len(objs))
t = [ts(o["scheduled"]) for o in objs]
all(x % 3600 == 0 for x in t) or bad("not on the hour: %r" % [o["scheduled"] for o in objs])
all(x > now - 60 for x in t) or bad("a run in the past")
len(set(t)) == len(t) or bad("a time twice")
all(o["state"] == "Scheduled" and o["retries"] == 2 and o["command"] == "exec /bin/echo hello" for o in objs) or bad("run fields")
'
equals "$(made_count hourly)" "$(count "$out")" "hourly: one made/ marker per run"

# ---- interval: at least 3 runs, through at least an hour ahead ----
t0=$(date +%s)
expect_rc 0 S deployment create ten -p P --interval 600 --anchor @1000000200 -- true >/dev/null
expect_rc 0 S deployment inspect ten --json && jcheck "inspect --json: an interval schedule is {interval, anchor}" '
obj["schedule"] == {"interval": 600, "anchor": "2001-09-09T01:50:00Z"} or bad("schedule %r" % obj["schedule"])
'
runs_of ten -p P
jcheck "interval 600: every slot of the next hour, at least 3, on the anchor's grid" '
now = '"$t0"'
t = sorted(ts(o["scheduled"]) for o in objs)
len(t) >= 3 or bad("%d runs" % len(t))
all((x - 1000000200) % 600 == 0 for x in t) or bad("off the grid: %r" % t)
want = [s for s in range(1000000200, now + 7200, 600) if now < s <= now + 3600]
all(s in t for s in want) or bad("missing slots: %r" % [s for s in want if s not in t])
t[-1] >= now + 3600 - 600 or bad("only %d s ahead" % (t[-1] - now))
len(set(t)) == len(t) or bad("a time twice")
t[0] > now - 5 or bad("a run before now")
'
expect_rc 0 S deployment create future -p P --interval 7200 --anchor +1d -- true >/dev/null
runs_of future -p P
jcheck "interval 7200 anchored tomorrow: 3 runs from the anchor" '
t = sorted(ts(o["scheduled"]) for o in objs)
len(t) == 3 or bad("%d runs" % len(t))
t[1] - t[0] == 7200 and t[2] - t[1] == 7200 or bad("times %r" % t)
abs(t[0] - ('"$t0"' + 86400)) < 30 or bad("first %r" % t[0])
'

# ---- time zones ----
expect_rc 0 S deployment create paris -p P --cron '0 9 * * *' --timezone Europe/Paris -- true >/dev/null &&
    ok "--timezone Europe/Paris: accepted"
S deployment inspect paris --json >"$TESTDIR/paris.json" 2>&1
contains "$(cat "$TESTDIR/paris.json")" '"schedule":{"cron":"0 9 * * *","timezone":"Europe/Paris"}' "inspect: the schedule object names the zone"
runs_of paris -p P
jcheck "cron 0 9 * * * Europe/Paris: 3 runs at 09:00 Paris time (08:00Z winter, 07:00Z summer)" '
from datetime import datetime, timezone, timedelta
from zoneinfo import ZoneInfo
par = ZoneInfo("Europe/Paris")
now = datetime.now(timezone.utc)
want = []
d = now.astimezone(par).date()
while len(want) < 3:
    w = datetime(d.year, d.month, d.day, 9, 0, tzinfo=par).astimezone(timezone.utc)
    if w > now:
        want.append(w.strftime("%Y-%m-%dT%H:%M:%SZ"))
    d += timedelta(days=1)
got = sorted(o["scheduled"] for o in objs)[:3]
got == want or bad("got %r, wanted %r" % (got, want))
all(g[11:13] in ("07", "08") for g in got) or bad("hours %r" % got)
'
expect_rc 0 S deployment create utc -p P --cron '0 9 * * *' --timezone UTC -- true >/dev/null && ok "--timezone UTC: accepted"
runs_of utc -p P
jcheck "cron 0 9 * * * UTC: at 09:00Z" 'all(o["scheduled"][11:] == "09:00:00Z" for o in objs) and len(objs) >= 3 or bad([o["scheduled"] for o in objs])'
for d in paris utc future ten adhoc; do S deployment delete "$d" >/dev/null || fail "delete $d"; done

# ---- pause removes the scheduled runs, resume makes them again ----
before=$(S work-pool preview P --hours 3 | awk '$NF == "hourly"' | wc -l)
expect_rc 0 S deployment pause hourly && contains "$out" "Paused deployment 'hourly'" "pause: says so"
S deployment inspect hourly --json | grep -q '"paused":true' && ok "pause: paused is true" || fail "pause: not paused"
S deployment ls | grep -q 'hourly (\*\*)' && ok "ls: a paused deployment is marked (**)" || fail "ls: no (**) for hourly"
n=$(S work-pool preview P --hours 3 | awk '$NF == "hourly"' | wc -l)
equals "$n" 0 "pause: no scheduled hourly runs left in preview (was $before)"
equals "$(made_count hourly)" 0 "pause: the made/ markers are gone"
expect_rc 0 S deployment resume hourly && contains "$out" "Resumed deployment 'hourly'" "resume: says so"
n=$(S work-pool preview P --hours 3 | awk '$NF == "hourly"' | wc -l)
[ "$n" -ge 3 ] && ok "resume: $n scheduled runs again" || fail "resume: $n scheduled runs"
expect_rc 0 S deployment pause hourly >/dev/null && expect_rc 0 S deployment pause hourly >/dev/null &&
    ok "pause twice: exit 0"
S deployment resume hourly >/dev/null

# ---- deployment run: only the id; --at; the deployment field ----
S deployment run hourly >"$TESTDIR/run.out" 2>"$TESTDIR/run.err"; rc=$?
equals "$rc" 0 "deployment run: exit 0"
equals "$(wc -l <"$TESTDIR/run.out")" 1 "deployment run: one line"
grep -Eq "$UUID_RE" "$TESTDIR/run.out" && ok "deployment run: the line is a UUID" || fail "deployment run printed '$(cat "$TESTDIR/run.out")'"
[ -s "$TESTDIR/run.err" ] && fail "deployment run wrote to stderr: $(cat "$TESTDIR/run.err")" || ok "deployment run: nothing on stderr"
rid=$(cat "$TESTDIR/run.out")
out=$(S flow-run inspect "$rid" --json)
jcheck "deployment run: deployment 'hourly', its command and options, due now" '
obj["deployment"] == "hourly" or bad("deployment %r" % obj["deployment"])
obj["command"] == "exec /bin/echo hello" and obj["retries"] == 2 or bad("%r" % obj)
(obj["pool"], obj["queue"]) == ("P", "default") or bad("pool/queue %r %r" % (obj["pool"], obj["queue"]))
abs(ts(obj["scheduled"]) - time.time()) < 30 or bad("scheduled %r" % obj["scheduled"])
'
t0=$(date +%s)
rid=$(S deployment run hourly --at +1h)
t1=$(date +%s)
out=$(S flow-run inspect "$rid" --json)
jcheck "deployment run --at +1h: scheduled an hour ahead" '
'"$t0"' + 3600 <= ts(obj["scheduled"]) <= '"$t1"' + 3600 or bad("scheduled %r" % obj["scheduled"])
obj["deployment"] == "hourly" or bad("deployment %r" % obj["deployment"])
'
rid=$(S deployment run hourly --at 2031-05-06T09:08:09+02:00)
out=$(S flow-run inspect "$rid" --json)
jcheck "deployment run --at RFC 3339: that time" 'obj["scheduled"] == "2031-05-06T07:08:09Z" or bad(obj["scheduled"])'

# ---- 8 schedulers at once: each slot's run made exactly once ----
# race_check NAME WHAT T0 : after the racers and one more ordinary pass,
# every minute of (now, T0 + 1 h] has exactly one run, and each run its
# made/ marker (a marker without its run is a slot lost for good)
race_check() {
	"$DISPATCH" --once -p P >/dev/null 2>&1
	t1=$(date +%s)
	runs_of "$1" -p P
	jcheck "$2: no scheduled time has two runs" '
c = collections.Counter(o["scheduled"] for o in objs)
dup = {k: v for k, v in c.items() if v > 1}
not dup or bad("duplicates %r" % dup)
'
	jcheck "$2: every minute of the next hour has its run" '
t = set(ts(o["scheduled"]) for o in objs)
want = [s for s in range(('"$t1"' // 60 + 1) * 60, '"$3"' + 3600 + 1, 60)]
miss = [time.strftime("%H:%MZ", time.gmtime(s)) for s in want if s not in t]
not miss or bad("%d of %d slots have no run: %s" % (len(miss), len(want), " ".join(miss)))
'
	equals "$(count "$out")" "$(made_count "$1")" "$2: runs == files in deployments/$1/made/"
}
expect_rc 0 S deployment create race -p P --cron '* * * * *' -- true >/dev/null
S deployment pause race >/dev/null
equals "$(made_count race)" 0 "race: paused, no markers"
# resume and 8 dispatchers at once
t0=$(date +%s)
S deployment resume race >/dev/null &
pids=$!
for i in 1 2 3 4 5 6 7 8; do "$DISPATCH" --once -p P >/dev/null 2>&1 & pids="$pids $!"; done
for p in $pids; do wait "$p"; done
race_check race "resume racing 8 dispatchers" "$t0"
expect_rc 0 S deployment delete race >/dev/null
# a real race, three rounds, each with a fresh deployment: the next
# version published by hand (as another host would: a complete directory
# renamed to vN+1), then 8 dispatchers that all find its slots empty at
# the same instant
for round in 1 2 3; do
	expect_rc 0 S deployment create "race$round" -p P --cron '* * * * *' -- true >/dev/null
	S deployment pause "race$round" >/dev/null
	dd=$SLUICE_SPOOL/deployments/race$round
	cp -r "$dd/v0000000002" "$dd/.hand"
	sed -i -e 's/^paused = true/paused = false/' -e 's/^version = .*/version = 3/' "$dd/.hand/deployment.ini"
	mv "$dd/.hand" "$dd/v0000000003"
	S deployment inspect "race$round" --json | grep -q '"paused":false' ||
	    fail "race: hand-made version 3 not seen: $(S deployment inspect "race$round" --json 2>&1)"
	t0=$(date +%s)
	pids=""
	for i in 1 2 3 4 5 6 7 8; do "$DISPATCH" --once -p P >/dev/null 2>&1 & pids="$pids $!"; done
	for p in $pids; do wait "$p"; done
	race_check "race$round" "8 dispatchers racing, round $round" "$t0"
	expect_rc 0 S deployment delete "race$round" >/dev/null
done

# ---- set-pool: scheduled runs move, a Running run stays ----
# hourly, half an hour from now: none of its runs comes due (or within
# the agent's prefetch) during this part, whenever the test runs (at
# '0 * * * *', a test begun a few seconds before the hour saw the
# agent of A claim the first run early, and it stayed in A)
m=$(( ($(date +%-M) + 30) % 60 ))
expect_rc 0 S deployment create mover -p A --cron "$m * * * *" -- sleep 5 \
    >/dev/null
runs_of mover -p A
na=$(count "$out")
[ "$na" -ge 3 ] && ok "mover: $na scheduled runs in A" || fail "mover: $na runs in A"
rid=$(S deployment run mover)
"$AGENT" -p A --poll-seconds 1 --hide-welcome >"$TESTDIR/agentA.log" 2>&1 &
bg="$bg $!"
st=
for i in $(seq 1 40); do st=$(state_of "$rid"); [ "$st" = Running ] && break; sleep 0.25; done
equals "$st" Running "mover: the ad-hoc run is Running under an agent of A"
if expect_rc 0 S deployment set-pool mover B -q Q; then
	contains "$out" "work queue 'Q' in work pool 'B'" "set-pool: says where runs go now"
fi
cleanup	# stop A's agent (its run goes on under its supervisor)
n=$(S work-pool preview A --hours 3 | awk '$NF == "mover"' | wc -l)
equals "$n" 0 "set-pool: no scheduled runs of mover left in A"
runs_of mover -p B
jcheck "set-pool: the $na scheduled runs are in B, queue Q" '
len(objs) == '"$na"' or bad("%d runs in B" % len(objs))
all(o["queue"] == "Q" and o["state"] == "Scheduled" for o in objs) or bad("%r" % [(o["queue"], o["state"]) for o in objs])
'
out=$(S flow-run inspect "$rid" --json)
jcheck "set-pool: the Running run stays in A" '
obj["pool"] == "A" and obj["queue"] == "default" or bad("pool %r queue %r" % (obj["pool"], obj["queue"]))
obj["state"] in ("Running", "Completed") or bad("state %r" % obj["state"])
'
S deployment inspect mover --json | grep -q '"pool":"B","queue":"Q"' && ok "set-pool: inspect shows B/Q" || fail "set-pool: inspect"
expect_rc 1 S deployment set-pool mover nosuch && ok "set-pool to a missing pool: exit 1"
expect_rc 2 S deployment set-pool mover 'x/y' && ok "set-pool to a bad pool name: exit 2"

# ---- delete removes the scheduled runs and the deployment ----
expect_rc 0 S deployment delete mover && contains "$out" "Deleted deployment 'mover'" "delete: says so"
runs_of mover -p B
equals "$(count "$out")" 0 "delete: no scheduled runs of mover left in B"
[ -e "$SLUICE_SPOOL/deployments/mover" ] && fail "delete: deployments/mover still there" || ok "delete: deployments/mover gone"
expect_rc 1 S deployment inspect mover && ok "delete: inspect now exits 1"
S deployment ls --json | grep -q '"mover"' && fail "delete: still in ls" || ok "delete: not in ls"

# ---- runs already due: pause and set-pool take them back too (issue:
# "removes its not-yet-started scheduled runs"; "already scheduled ones
# move with it") ----
S deployment pause hourly >/dev/null
expect_rc 0 S deployment create due -p A --interval 2 -- true >/dev/null
sleep 3	# the first slots are now due, Scheduled, with no agent to take them
expect_rc 0 S deployment set-pool due B >/dev/null
runs_of due -p A
equals "$(count "$out")" 0 "set-pool: due (Late) Scheduled runs move too, none left in A"
expect_rc 0 S deployment pause due >/dev/null
runs_of due
equals "$(count "$out")" 0 "pause: due (Late) Scheduled runs are removed too"
S deployment delete due >/dev/null

# ---- an agent runs a deployment's runs ----
expect_rc 0 S deployment create tick -p P --interval 2 -- sh -c 'echo tick' >/dev/null
"$AGENT" -p P --poll-seconds 1 --hide-welcome >"$TESTDIR/agentP.log" 2>&1 &
bg="$bg $!"
sleep 5
cleanup
sleep 0.5
runs_of tick -p P --state Completed
n=$(count "$out")
[ "$n" -ge 1 ] && ok "agent: $n runs of 'tick' Completed" || { fail "agent: no Completed run of tick"; cat "$TESTDIR/agentP.log"; }
if [ "$n" -ge 1 ]; then
	rid=$(printf '%s\n' "$out" | head -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	contains "$(S flow-run logs "$rid" 2>&1)" "tick" "agent: the run's log holds its output"
fi
S deployment delete tick >/dev/null

# ---- set-schedule: a new schedule in place; Prefect's pause-schedule ----
expect_rc 0 S deployment create resched -p P --cron '0 * * * *' -- true >/dev/null
rid0=$(S deployment inspect resched --json | jget id)
expect_rc 1 S deployment create resched -p P --cron '0 * * * *' -- true &&
    contains "$errout" "set-schedule" "create of an existing deployment: the message says how to change it"
expect_rc 2 S deployment set-schedule resched && ok "set-schedule without --cron or --interval: exit 2"
expect_rc 2 S deployment set-schedule resched --cron '0 * * * *' --interval 60 && ok "set-schedule --cron and --interval: exit 2"
expect_rc 2 S deployment set-schedule resched --cron 'nope' && ok "set-schedule --cron nope: exit 2"
expect_rc 1 S deployment set-schedule nosuch --interval 60 && ok "set-schedule of an unknown deployment: exit 1"
if expect_rc 0 S deployment set-schedule resched --interval 1800 --anchor @1000000200; then
	contains "$out" "Deployment 'resched' now runs every 1800 s" "set-schedule: says the new schedule"
fi
expect_rc 0 S deployment inspect resched --json && jcheck "set-schedule: same id, the new schedule" '
obj["id"] == "'"$rid0"'" or bad("id %r" % obj["id"])
obj["schedule"] == {"interval": 1800, "anchor": "2001-09-09T01:50:00Z"} or bad("schedule %r" % obj["schedule"])
'
runs_of resched -p P
jcheck "set-schedule: its Scheduled runs are the new schedule's (on the half hour, none of the old left)" '
t = [ts(o["scheduled"]) for o in objs]
len(t) >= 3 or bad("%d runs" % len(t))
all((x - 1000000200) % 1800 == 0 for x in t) or bad("off the new grid: %r" % [o["scheduled"] for o in objs])
any(x % 3600 != 0 for x in t) or bad("only whole hours: the old schedule %r" % [o["scheduled"] for o in objs])
'
expect_rc 0 S deployment pause-schedule resched && contains "$out" "Paused deployment 'resched'" "pause-schedule: Prefect's name for pause"
runs_of resched -p P
equals "$(count "$out")" 0 "pause-schedule: its Scheduled runs are taken back"
expect_rc 0 S deployment resume-schedule resched && contains "$out" "Resumed deployment 'resched'" "resume-schedule: Prefect's name for resume"
runs_of resched -p P
[ "$(count "$out")" -ge 3 ] && ok "resume-schedule: its runs are made again" || fail "resume-schedule: $(count "$out") runs"
S deployment delete resched >/dev/null

finish
