# lib.sh - helpers for the end-to-end tests; sourced by tests/e2e/*.sh.
# Each test runs with a fresh $TESTDIR, SLUICE_SPOOL=$TESTDIR/spool,
# SLUICE=path of bin/sluice, TOP=the source tree.
set -u
fails=0
S() { "$SLUICE" "$@"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# expect_rc CODE CMD... : run CMD, check its exit status; output in $out/$errout
expect_rc() {
	want=$1; shift
	out=$("$@" 2>"$TESTDIR/stderr"); rc=$?
	errout=$(cat "$TESTDIR/stderr")
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc, wanted $want: $*"; echo "  stdout: $out"; echo "  stderr: $errout"
		return 1
	fi
	return 0
}
# contains HAYSTACK NEEDLE WHAT
contains() {
	case $1 in *"$2"*) ok "$3" ;; *) fail "$3: '$2' not in: $1" ;; esac
}
equals() {	# GOT WANT WHAT
	if [ "$1" = "$2" ]; then ok "$3"; else fail "$3: got '$1', wanted '$2'"; fi
}
finish() {
	if [ "$fails" -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
	echo "all ok"; exit 0
}
# jcheck WHAT PYTHON-CODE : run the code on the JSON lines of $out; it sees
# `objs` (all), `obj` (the first), `by` (name -> first object of that
# name), `ids` (sorted ids) and ts("...Z") (epoch), and fails by raising
# or by calling bad("why")
jcheck() {
	what=$1; code=$2
	if msg=$(printf '%s\n' "$out" | python3 -c '
import json, re, sys, calendar, time, collections
code = sys.argv[1]
lines = [l for l in sys.stdin.read().split("\n") if l != ""]
objs = [json.loads(l) for l in lines]
obj = objs[0] if objs else None
by = {}
for o in objs:
    if isinstance(o, dict): by.setdefault(o.get("name"), o)
ids = sorted(o.get("id") for o in objs if isinstance(o, dict) and o.get("id"))
def ts(s): return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
class Bad(Exception): pass
def bad(why): raise Bad(why)
try:
    exec(code)
except Bad as e:
    print(e); sys.exit(1)
except Exception as e:
    print("%s: %s" % (type(e).__name__, e)); sys.exit(1)
' "$code" 2>&1); then ok "$what"; else fail "$what: $msg"; echo "  json: $(printf '%s\n' "$out" | head -n 5)"; fi
}
# jget KEY: a field of the JSON object on stdin ("null" for null); prints
# nothing and fails when stdin is not one (inspect failed)
jget() {
	python3 -c 'import json,sys
try: v = json.load(sys.stdin)[sys.argv[1]]
except Exception: sys.exit(1)
print("null" if v is None else v)' "$1"
}
field() { S flow-run inspect "$1" --json | jget "$2"; }	# RUN KEY
state() { field "$1" state; }					# RUN
msnow() { echo $(( $(date +%s%N) / 1000000 )); }
wait_state() {	# RUN STATE SECONDS: 0 when RUN reached STATE in time
	_end=$(( $(msnow) + $3 * 1000 ))
	while [ "$(msnow)" -lt "$_end" ]; do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
expect_state() {	# RUN STATE SECONDS WHAT
	if wait_state "$1" "$2" "$3"; then ok "$4"; else fail "$4: state $(state "$1"), wanted $2"; fi
}
epoch() {	# TIME: the RFC 3339 TIME in seconds since the epoch
	python3 -c 'import sys,datetime
print(int(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp()))' "$1"
}
has_online() { S agent ls -p "$1" --json | grep -q '"status":"online"'; }	# POOL: an agent online?
wait_online() {	# POOL: wait (5 s) for an agent of POOL to be online; fails if none is
	_end=$(( $(msnow) + 5000 ))
	while [ "$(msnow)" -lt "$_end" ]; do has_online "$1" && return 0; sleep 0.05; done
	fail "agent on pool $1 never came online"
}
pstate() { sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null; }	# PID: R, S, T, Z...
# gone PID: 0 when PID is dead: no such process, or a zombie (here pid 1
# reaps orphans only now and then, so kill -0 alone would call it alive)
gone() {
	kill -0 "$1" 2>/dev/null || return 0
	[ "$(pstate "$1")" = Z ]
}
group_gone() {	# PGID: 0 when no live process is left in the group
	for _p in $(pgrep -g "$1" 2>/dev/null); do gone "$_p" || return 1; done
	return 0
}
# on_worker W CMD...: run CMD for worker W of a race (claim_race.inc,
# pool_race.inc): here; netfs.inc redefines it to run on a rig host
on_worker() { shift; "$@"; }
# fast_config FILE [KEY=VALUE...]: write a sluice.ini with short timings
# (heartbeat 1 s, 3 missed, lease 3 s, cancel_grace 2 s, poll 1 s), each
# KEY=VALUE replacing a default or adding a key; export it as SLUICE_CONFIG
fast_config() {
	_f=$1; shift
	printf '%s\n' heartbeat=1 missed_heartbeats=3 lease=3 cancel_grace=2 \
	    poll_seconds=1 "$@" | awk '{
		k = $0; sub(/=.*/, "", k); v = substr($0, length(k) + 2)
		if (!(k in val)) order[n++] = k
		val[k] = v
	    } END {
		print "[sluice]"
		for (i = 0; i < n; i++) print order[i] " = " val[order[i]]
	    }' >"$_f" || exit 1
	export SLUICE_CONFIG="$_f"
}
# need_root TEST CMD...: skip (exit 77) unless root with every CMD at hand
need_root() {
	_t=$1; shift
	[ "$(id -u)" -eq 0 ] || { echo "$_t needs root (to add users and act as them)"; exit 77; }
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || { echo "$_t needs $_c"; exit 77; }
	done
}
# test_user NAME [useradd options...]: make user NAME unless it exists
# (skip, exit 77, if that fails); drop_test_users, from the test's EXIT
# trap, removes the users made here.  Each test has its own names
# (sluicet1 agent_users, sluicet2/3 perm_users, sluicet4 hostile_fs).
made_users=""
test_user() {
	_u=$1; shift
	id "$_u" >/dev/null 2>&1 && return 0
	useradd -s /bin/sh "$@" "$_u" || { echo "useradd $_u failed"; exit 77; }
	made_users="$_u $made_users"
}
drop_test_users() {
	[ -n "$made_users" ] || return 0
	sleep 0.3	# their last processes end
	for _u in $made_users; do
		userdel -r "$_u" >/dev/null 2>&1 || userdel "$_u" >/dev/null 2>&1 ||
		    echo "warning: could not remove user $_u"
	done
	made_users=""
}
