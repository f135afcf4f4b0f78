# runs_submit.sh - sluice submit: the id alone on stdout, the pool that
# must exist, the queue made on first use, every WHEN form of --at, every
# option (and its refusals), options before and after the command word,
# "--" and option-like words of the command, and the run's JSON object
# (sluice(1) "Names", the pool, queue and submit pages, the "JSON" sections, "EXIT STATUS"; spool-layout.md "Runs").
. "$TOP/tests/e2e/lib.sh"

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'


# runjson ID : $out = the run's JSON object (flow-run inspect --json)
runjson() {
	out=$(S flow-run inspect "$1" --json 2>"$TESTDIR/rj.err") ||
	    { fail "inspect $1: $(cat "$TESTDIR/rj.err")"; out='{}'; }
}

# runini ID : the path of the run's run.ini (any queue of pool P)
runini() {
	ls "$SLUICE_SPOOL"/pools/P/queues/*/sched/*/*."$1"/run.ini 2>/dev/null | head -n 1
}

# submit_ok WHAT ARGS... : "sluice submit ARGS" must exit 0 printing one
# UUID; sets $id.  sluice_ok WHAT ARGS... : the same for "sluice ARGS".
submit_ok() {
	what=$1; shift
	sluice_ok "$what" submit "$@"
}
sluice_ok() {
	what=$1; shift
	id=
	if expect_rc 0 S "$@"; then
		if printf '%s\n' "$out" | grep -Eq "$UUID_RE" &&
		    [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]; then
			id=$out
		else
			fail "$what: stdout is not one UUID line: '$out'"
		fi
	else
		fail "$what: submit failed"
	fi
}

expect_rc 0 S work-pool create P >/dev/null || exit 1

# ---- stdout is exactly the id ----
S submit -p P -- true >"$TESTDIR/sub.out" 2>"$TESTDIR/sub.err"; rc=$?
equals "$rc" 0 "submit: exit 0"
n=$(wc -l <"$TESTDIR/sub.out")
equals "$n" 1 "submit: stdout is one line"
grep -Eq "$UUID_RE" "$TESTDIR/sub.out" && ok "submit: that line is a lowercase UUID" ||
    fail "submit: stdout '$(cat "$TESTDIR/sub.out")'"
equals "$(wc -c <"$TESTDIR/sub.out")" 37 "submit: stdout is 36 characters and a newline, nothing else"
[ -s "$TESTDIR/sub.err" ] && fail "submit wrote to stderr: $(cat "$TESTDIR/sub.err")" || ok "submit: nothing on stderr"
id=$(cat "$TESTDIR/sub.out")
runjson "$id"
jcheck "submit: the run is Scheduled in pool P, queue default" '
obj["id"] == "'"$id"'" or bad("id %r" % obj["id"])
obj["pool"] == "P" or bad("pool %r" % obj["pool"])
obj["queue"] == "default" or bad("queue %r" % obj["queue"])
obj["state"] in ("Scheduled",) or bad("state %r" % obj["state"])
obj["command"] == "exec true" or bad("command %r" % obj["command"])
'
f=$(runini "$id")
[ -n "$f" ] && ok "submit: run.ini under pools/P/queues/default/sched/T.U.ID" || fail "no run.ini for $id"
grep -qx "owner_uid = $(id -u)" "$f" && grep -qx "owner_gid = $(id -g)" "$f" &&
    ok "submit: owner_uid/owner_gid are the submitter's" || fail "owner: $(grep owner_ "$f")"
# the group submit ran under (sg, newgrp), as at(1): its real group id
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	gid=$(setpriv --regid=12345 --clear-groups -- "$SLUICE" submit -p P -- true 2>"$TESTDIR/sg.err")
	g=$(runini "$gid")
	[ -n "$g" ] && grep -qx 'owner_gid = 12345' "$g" &&
	    ok "submit under another group: owner_gid = that group" ||
	    fail "submit under gid 12345: $(cat "$TESTDIR/sg.err") $(grep owner_gid "$g" 2>/dev/null)"
	S flow-run delete "$gid" >/dev/null 2>&1
else
	echo "skip: submit under another group: not root, or no setpriv"
fi

# ---- the JSON object: keys, nulls, times ----
jcheck "run JSON: keys exactly as sluice-flow-run(1) \"JSON\", in order" '
want = "id name pool queue deployment state message scheduled created started ended exit_code attempt retries agent host pid command argv".split()
list(obj.keys()) == want or bad("keys %r" % list(obj.keys()))
'
jcheck "run JSON: null where absent, times RFC 3339 with Z" '
for k in ("deployment", "started", "ended", "exit_code", "agent", "host", "pid"):
    obj[k] is None or bad("%s is %r, not null" % (k, obj[k]))
for k in ("scheduled", "created"):
    isinstance(obj[k], str) and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", obj[k]) or bad("%s = %r" % (k, obj[k]))
obj["attempt"] == 1 or bad("attempt %r" % obj["attempt"])
obj["retries"] == 0 or bad("retries %r" % obj["retries"])
isinstance(obj["name"], str) and obj["name"] != "" or bad("name %r" % obj["name"])
abs(ts(obj["created"]) - time.time()) < 30 or bad("created %r is not now" % obj["created"])
abs(ts(obj["scheduled"]) - ts(obj["created"])) <= 1 or bad("default scheduled %r is not created %r" % (obj["scheduled"], obj["created"]))
'

# ---- the pool must exist ----
if expect_rc 1 S submit -p nosuch -- true; then
	ok "submit to a missing pool: exit 1"
	equals "$out" "" "missing pool: nothing on stdout"
	contains "$errout" "'nosuch'" "missing pool: the message names the pool"
	contains "$errout" "sluice work-pool create nosuch" "missing pool: the message says how to create it"
fi
[ -e "$SLUICE_SPOOL/pools/nosuch" ] && fail "submit to a missing pool created it" || ok "missing pool: not created"
# a spool that is not there: submit does not make it (its pool must be
# there), it says the pool is missing
if expect_rc 1 env SLUICE_SPOOL="$TESTDIR/nospool" "$SLUICE" submit -p P -- true; then
	ok "submit into a missing spool: exit 1"
	contains "$errout" "Work pool 'P' not found" "missing spool: the pool is not found"
fi
[ -e "$TESTDIR/nospool" ] && fail "submit made the missing spool $TESTDIR/nospool" || ok "missing spool: not made"

# ---- usage errors ----
expect_rc 2 S submit -- true && ok "no -p: exit 2" && contains "$errout" "-p" "no -p: message mentions -p"
expect_rc 2 S submit -p P && ok "no command: exit 2" && contains "$errout" "command" "no command: message says so"
expect_rc 2 S submit -p P -- && ok "'--' and no command: exit 2"
expect_rc 2 S submit -p P -- '' && ok "empty command word: exit 2"
expect_rc 2 S submit -p 'bad/name' -- true && ok "bad pool name: exit 2"
expect_rc 2 S submit -p P -q '..' -- true && ok "bad queue name: exit 2"
expect_rc 2 S submit -p P --bogus -- true && ok "unknown option: exit 2"
expect_rc 2 S submit -p P --hours 3 -- true && ok "an option submit does not take: exit 2"

# ---- -q makes a missing queue ----
submit_ok "-q newq" -p P -q newq -- true
runjson "$id"
jcheck "-q newq: the run is in queue newq" 'obj["queue"] == "newq" or bad("queue %r" % obj["queue"])'
if expect_rc 0 S work-queue ls -p P --json; then
	jcheck "-q newq: the queue now shows in work-queue ls" '
"newq" in [o["name"] for o in objs] or bad("queues %r" % [o["name"] for o in objs])
'
fi
[ -n "$(runini "$id")" ] && case $(runini "$id") in */queues/newq/sched/*) ok "run.ini in queues/newq/sched" ;; *) fail "run.ini at $(runini "$id")" ;; esac

# ---- --at: every WHEN form ----
# at_is WHEN EXPECTED-RFC3339
at_is() {
	submit_ok "--at $1" -p P --at "$1" -- true
	[ -n "$id" ] || return
	runjson "$id"
	jcheck "--at $1: scheduled is $2" 'obj["scheduled"] == "'"$2"'" or bad("scheduled %r" % obj["scheduled"])'
}
at_is 2031-05-06T07:08:09Z 2031-05-06T07:08:09Z
at_is 2031-05-06T09:08:09+02:00 2031-05-06T07:08:09Z
at_is 2031-05-06T02:38:09-04:30 2031-05-06T07:08:09Z
at_is 2031-05-06T07:08:09.250Z 2031-05-06T07:08:09Z
at_is @1800000000 "$(date -u -d @1800000000 +%Y-%m-%dT%H:%M:%SZ)"
at_is @1 1970-01-01T00:00:01Z
at_is @0 1970-01-01T00:00:00Z
at_is 1970-01-01T00:00:00Z 1970-01-01T00:00:00Z

# the local time zone plays no part
TZ=Asia/Kolkata submit_ok "--at under TZ=Asia/Kolkata" -p P --at 2031-05-06T07:08:09Z -- true
runjson "$id"
jcheck "TZ=Asia/Kolkata: scheduled still 2031-05-06T07:08:09Z" 'obj["scheduled"] == "2031-05-06T07:08:09Z" or bad("scheduled %r" % obj["scheduled"])'
out=$(TZ=America/New_York S flow-run inspect "$id" --json)
jcheck "TZ=America/New_York: inspect shows the same UTC time" 'obj["scheduled"] == "2031-05-06T07:08:09Z" or bad("scheduled %r" % obj["scheduled"])'

# relative forms: within the second the command ran
# at_rel WHEN SECONDS
at_rel() {
	t0=$(date +%s)
	submit_ok "--at $1" -p P --at "$1" -- true
	t1=$(date +%s)
	[ -n "$id" ] || return
	runjson "$id"
	jcheck "--at $1: scheduled is now + $2 s" '
s = ts(obj["scheduled"])
'"$t0"' + '"$2"' <= s <= '"$t1"' + '"$2"' or bad("scheduled %r, wanted %d..%d" % (obj["scheduled"], '"$t0"' + '"$2"', '"$t1"' + '"$2"'))
'
}
at_rel now 0
at_rel +30s 30
at_rel +5m 300
at_rel +2h 7200
at_rel +1d 86400
at_rel +90 90

for bad in tomorrow +5x +-5m -5m +m +1.5h 2031-13-01T00:00:00Z 2031-02-30T00:00:00Z \
    2031-05-06T07:08:09 2031-05-06 '2031-05-06T07:08:09Z junk' @ @-5 @abc NOW 1800000000; do
	if expect_rc 2 S submit -p P --at "$bad" -- true; then
		ok "--at '$bad': exit 2"
		equals "$out" "" "--at '$bad': no id printed"
		contains "$errout" "$bad" "--at '$bad': the message shows the bad value"
	fi
done

# ---- --name, --retries, --retry-delay, --timeout, --cwd, --env ----
submit_ok "all options" -p P -q opts --name my-run --retries 3 --retry-delay 45 --timeout 600 \
    --cwd /srv/data --env FOO=bar --env Mixed_Case='a b;c#d' --env EMPTY= --env _x9=1 -- echo hi
runjson "$id"
jcheck "options: name and retries in JSON" '
obj["name"] == "my-run" or bad("name %r" % obj["name"])
obj["retries"] == 3 or bad("retries %r" % obj["retries"])
obj["queue"] == "opts" or bad("queue %r" % obj["queue"])
obj["command"] == "exec echo hi" or bad("command %r" % obj["command"])
'
f=$(runini "$id")
if [ -n "$f" ]; then
	grep -qx 'retry_delay = 45' "$f" && ok "run.ini: retry_delay = 45" || fail "run.ini retry_delay: $(grep retry_delay "$f")"
	grep -qx 'timeout = 600' "$f" && ok "run.ini: timeout = 600" || fail "run.ini timeout: $(grep timeout "$f")"
	grep -qx 'cwd = "/srv/data"' "$f" && ok "run.ini: cwd = /srv/data" || fail "run.ini cwd: $(grep cwd "$f")"
	grep -qx 'retries = 3' "$f" && ok "run.ini: retries = 3" || fail "run.ini retries: $(grep retries "$f")"
	envsec=$(sed -n '/^\[env\]/,/^\[/p' "$f" | grep -v '^[[;]')
	printf '%s\n' "$envsec" | grep -qx 'FOO = "bar"' && ok "run.ini [env]: FOO = bar" || fail "[env] FOO: $envsec"
	printf '%s\n' "$envsec" | grep -qx 'Mixed_Case = "a b;c#d"' && ok "run.ini [env]: Mixed_Case keeps its case and value" ||
	    fail "[env] Mixed_Case: $envsec"
	printf '%s\n' "$envsec" | grep -qx 'EMPTY = ""' && ok "run.ini [env]: EMPTY= gives an empty value" || fail "[env] EMPTY: $envsec"
	printf '%s\n' "$envsec" | grep -qx '_x9 = "1"' && ok "run.ini [env]: _x9" || fail "[env] _x9: $envsec"
	grep -qi '^mixed_case' "$f" && ! grep -q '^Mixed_Case' "$f" && fail "[env] name folded to lower case"
else
	fail "no run.ini for the all-options run"
fi
# defaults in run.ini
submit_ok "defaults" -p P -- true
f=$(runini "$id")
grep -qx 'timeout = none' "$f" && ok "run.ini: no --timeout is timeout = none" || fail "run.ini timeout default: $(grep timeout "$f")"
grep -q '^cwd' "$f" && fail "run.ini has cwd without --cwd: $(grep cwd "$f")" || ok "run.ini: no cwd without --cwd"
grep -q '^\[env\]' "$f" && fail "run.ini has [env] without --env" || ok "run.ini: no [env] without --env"

for a in "--retries -1" "--retries abc" "--retries 1001" "--retries 1.5" "--retry-delay -1" "--retry-delay x" \
    "--timeout 0" "--timeout -5" "--timeout 1h" "--cwd relative/dir" "--cwd ./x" "--cwd ~" \
    "--env NOEQUALS" "--env =v" "--env 1A=v" "--env A-B=v" "--env A.B=v"; do
	# shellcheck disable=SC2086
	expect_rc 2 S submit -p P $a -- true && ok "submit $a: exit 2"
done
expect_rc 2 S submit -p P --env "A=line1
line2" -- true && ok "--env value with a newline: exit 2 (not storable)"
expect_rc 2 S submit -p P --name "two
lines" -- true && ok "--name with a newline: exit 2"
expect_rc 2 S submit -p P --name && ok "--name without a value at the end: exit 2"
expect_rc 2 S submit -p P --name "" -- true && ok "--name '': exit 2"
expect_rc 2 S submit -p P --cwd "" -- true && ok "--cwd '': exit 2"
expect_rc 2 S submit -p P --cwd "rel" -- true && contains "$errout" "absolute" "--cwd rel: message says it must be absolute"

# ---- options before and after the command word ----
sluice_ok "options before 'submit'" --name before -p P -q early submit -- echo a
runjson "$id"
jcheck "options before submit: taken" '
obj["name"] == "before" and obj["queue"] == "early" or bad("%r %r" % (obj["name"], obj["queue"]))
obj["command"] == "exec echo a" or bad("command %r" % obj["command"])
'
sluice_ok "options split around 'submit'" --spool "$SLUICE_SPOOL" -p P submit --name mixed --retries 1 -- echo b
runjson "$id"
jcheck "options split around submit: taken" '
obj["name"] == "mixed" and obj["retries"] == 1 or bad("%r %r" % (obj["name"], obj["retries"]))
obj["command"] == "exec echo b" or bad("command %r" % obj["command"])
'
submit_ok "--opt=value forms" --pool=P --queue=eq --name=eqname --at=@1900000000 -- echo c
runjson "$id"
jcheck "--opt=value forms: taken" '
obj["queue"] == "eq" and obj["name"] == "eqname" and obj["scheduled"] == "2030-03-17T17:46:40Z" or bad("%r %r %r" % (obj["queue"], obj["name"], obj["scheduled"]))
'

# ---- "--" and option-like words in the command ----
submit_ok "-- ls -la --color" -p P -- ls -la --color
runjson "$id"
jcheck "command after --: -la --color passed through" 'obj["command"] == "exec ls -la --color" or bad("command %r" % obj["command"])'
submit_ok "command words that are sluice options" -p P -- echo -p X --name Y --json -- --help
runjson "$id"
jcheck "command after --: -p X --name Y --json -- --help passed through" '
obj["command"] == "exec echo -p X --name Y --json -- --help" or bad("command %r" % obj["command"])
obj["name"] != "Y" or bad("--name after -- was taken as an option")
'
submit_ok "command without --" -p P echo -q Z --retries 9
runjson "$id"
jcheck "command without --: words after the first command word are the command's" '
obj["command"] == "exec echo -q Z --retries 9" or bad("command %r" % obj["command"])
obj["queue"] == "default" and obj["retries"] == 0 or bad("queue %r retries %r" % (obj["queue"], obj["retries"]))
'
submit_ok "a command starting with a dash after --" -p P -- -weird arg
runjson "$id"
jcheck "command '-weird arg' kept, as a program the shell runs (not an option of exec)" 'obj["command"] == "\x27-weird\x27 arg" and obj["argv"] == ["-weird", "arg"] or bad("command %r argv %r" % (obj["command"], obj["argv"]))'

# ---- any argument vector round-trips (the command, run by sh, gives back argv) ----
submit_ok "hard arguments" -p P -- printf '<%s>\n' 'a b' 'x;y' '#c' '$HOME' "it's" 'say "hi"' "tab	here" 'ü€' ''
runjson "$id"
cmd=$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["command"], end="")')
got=$(sh -c "$cmd")
want=$(printf '<%s>\n' 'a b' 'x;y' '#c' '$HOME' "it's" 'say "hi"' "tab	here" 'ü€' '')
equals "$got" "$want" "hard arguments: sh -c COMMAND runs exactly the argv given"
submit_ok "newline in an argument" -p P -- printf '[%s]' "two
lines"
runjson "$id"
cmd=$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["command"], end="")')
got=$(sh -c "$cmd")
equals "$got" "[two
lines]" "newline argument round-trips"

# ---- flow-run ls sees every submitted run ----
n=$(S flow-run ls -p P --json | wc -l)
[ "$n" -ge 25 ] && ok "flow-run ls -p P lists the submitted runs ($n)" || fail "flow-run ls -p P lists $n runs"

finish
