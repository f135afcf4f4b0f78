# agent_users.sh - who a run runs as: an agent running as root runs a
# run as the run's owner (uid, gid, HOME, cwd); an agent that is not root
# refuses a run owned by someone else (Rejected, with the reason, never
# started) and runs its own user's runs.  Needs root: it makes a
# throwaway user (sluicet1) and removes it again.
. "$TOP/tests/e2e/lib.sh"
need_root agent_users useradd userdel runuser getent
. "$TOP/tests/e2e/agent.inc"
U=sluicet1
fast_config "$TESTDIR/sluice.ini"

cleanup() {
	kill_agents
	[ -f "$TESTDIR/out/uagent.pid" ] && kill -KILL "$(cat "$TESTDIR/out/uagent.pid")" 2>/dev/null
	drop_test_users
}
trap cleanup EXIT
test_user "$U" -m
uid=$(id -u "$U"); gid=$(id -g "$U")
home=$(getent passwd "$U" | cut -d: -f6)
[ -d "$home" ] || { mkdir -p "$home"; chown "$U:$gid" "$home"; }
# the user must reach the spool, the config and the output directory
chmod 755 "$TESTDIR"
mkdir -p "$TESTDIR/out"; chmod 1777 "$TESTDIR/out"
chmod 644 "$SLUICE_CONFIG"
asuser() { runuser -u "$U" -- env SLUICE_SPOOL="$SP" SLUICE_CONFIG="$SLUICE_CONFIG" "$@"; }

id_by_name() {	# POOL NAME: the id of the run named NAME, waiting for it to be accepted
	_end=$(( $(msnow) + 5000 ))
	while [ "$(msnow)" -lt "$_end" ]; do
		_id=$(S flow-run ls -p "$1" --json | python3 -c 'import json,sys
for l in sys.stdin:
	r = json.loads(l)
	if r["name"] == sys.argv[1]: print(r["id"]); break' "$2")
		[ -n "$_id" ] && { echo "$_id"; return 0; }
		sleep 0.1
	done
	return 1
}

# ---- 1. a root agent runs a user's run as that user ----
S work-pool create u >/dev/null
start_agent ra -p u --hide-welcome
ra=$apid
wait_online u
Q=$SP/pools/u/queues/default
chmod 1777 "$Q/tmp"
asuser sh -c 'cat >"$1/run1" <<"EOF"
[run]
name = userrun
command = echo uid=$(id -u) gid=$(id -g) groups=$(id -G) home=$HOME user=$USER pwd=$(pwd)
EOF' sh "$Q/tmp" || fail "writing a run file as $U in queues/default/tmp/"
equals "$(stat -c %u "$Q/tmp/run1" 2>/dev/null)" "$uid" "the run file is owned by $U"
mv "$Q/tmp/run1" "$Q/new/run1"
r1=$(id_by_name u userrun) || fail "the dropped run was never accepted"
expect_state "$r1" Completed 8 "the user's run Completed under a root agent"
log=$(S flow-run logs "$r1")
echo "  log: $log"
contains "$log" "uid=$uid " "it ran as the user's uid $uid"
contains "$log" "gid=$gid " "with the user's gid $gid"
contains "$log" "home=$home " "HOME is the user's home $home"
contains "$log" "user=$U " "USER is $U"
contains "$log" "pwd=$home" "the working directory is the user's home"
case $log in *uid=0\ *|*gid=0\ *) fail "the run ran as root: $log" ;; *) ok "never uid or gid 0" ;; esac
case " $(printf '%s' "$log" | sed -n 's/.*groups=\([0-9 ]*\) home=.*/\1/p') " in
*" 0 "*) fail "root's group 0 is among its groups: $log" ;;
*) ok "no supplementary group 0 (root's groups dropped)" ;;
esac
# a user's command that cannot start: its process (a fork, not a vfork,
# for another user) says why through a pipe
mkdir -m 700 "$TESTDIR/closed"
asuser sh -c 'cat >"$1/run1b" <<EOF
[run]
name = userrun1b
cwd = $2
command = true
EOF' sh "$Q/tmp" "$TESTDIR/closed" || fail "writing a second run file as $U"
mv "$Q/tmp/run1b" "$Q/new/run1b"
r1b=$(id_by_name u userrun1b) || fail "the second dropped run was never accepted"
expect_state "$r1b" Failed 8 "a user's run that cannot enter its cwd Failed"
contains "$(field "$r1b" message)" \
    "cannot enter the directory $TESTDIR/closed (as $U): Permission denied" \
    "its message says why, from the user's forked process"
kill -TERM "$ra"; wait "$ra"
equals "$?" 0 "root agent exits 0 on SIGTERM"

# ---- 2. a non-root agent refuses a run owned by root ----
S work-pool create n >/dev/null
r2=$(S submit -p n --name rootrun -- touch "$TESTDIR/out/marker")
chmod -R a+rwX "$SP"
asuser sh -c 'echo $$ >"$1"; exec "$2" -p n --hide-welcome' sh "$TESTDIR/out/uagent.pid" "$AG" \
    >"$TESTDIR/ua.out" 2>"$TESTDIR/ua.err" &
ru=$!
pids="$pids $ru"
wait_online n
upid=$(cat "$TESTDIR/out/uagent.pid" 2>/dev/null)
equals "$(stat -c %u "/proc/$upid")" "$uid" "the second agent runs as $U"
expect_state "$r2" Rejected 8 "a root-owned run taken by $U's agent is Rejected"
msg=$(field "$r2" message)
echo "  message: $msg"
contains "$msg" "owned by uid 0" "the reason says it is owned by uid 0"
contains "$msg" "runs as uid $uid" "and that the agent runs as another user (uid $uid)"
sleep 1
[ -e "$TESTDIR/out/marker" ] && fail "the root-owned run's command ran" || ok "its command never ran"
equals "$(field "$r2" started)" null "it has no start time"

# ---- 3. the non-root agent runs its own user's run ----
r3=$(asuser "$SLUICE" submit -p n --name ownrun -- sh -c 'id -u >"$1"' sh "$TESTDIR/out/u3")
[ -n "$r3" ] || fail "submit as $U printed no id"
expect_state "$r3" Completed 8 "$U's own run Completed under $U's agent"
equals "$(cat "$TESTDIR/out/u3" 2>/dev/null)" "$uid" "it ran as uid $uid"
kill -TERM "$upid"
for i in $(seq 1 50); do kill -0 "$upid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$upid" 2>/dev/null && fail "$U's agent did not exit on SIGTERM" || ok "$U's agent exits on SIGTERM"
wait "$ru"
equals "$?" 0 "and its status is 0"
finish
