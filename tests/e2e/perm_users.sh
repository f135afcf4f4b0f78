# perm_users.sh - the permission model (spool-layout.md, "Permissions"),
# with two unprivileged users on a root-owned spool:
#  1. a run.ini forged by a user (owner_uid 0, or a group not hers) in a
#     sched/ an administrator opened is refused with the reason and never
#     runs; one she wrote for herself runs as her;
#  2. with submitters = all, a user submits through the drop box (1777
#     tmp/ and new/), gets the id her run then has, and it runs as her;
#     its run.ini and log are 0640 root:her group, unreadable by others;
#  3. another user cannot cancel or delete her runs (exit 1, a clear
#     message); she, root and a member of the admins group can;
#  4. the sticky bit: another user cannot move her half-written file from
#     tmp/ into new/; an unprivileged acceptor leaves others' drops alone;
#  5. a change refused for lack of rights says whose the spool is and
#     who may change it (once), in sluice and sluice-agent.
# Needs root: it makes the users sluicet2 and sluicet3 and the group
# sluicetg, and removes them again.
. "$TOP/tests/e2e/lib.sh"
need_root perm_users useradd userdel groupadd groupdel usermod runuser getent
. "$TOP/tests/e2e/agent.inc"
U2=sluicet2 U3=sluicet3 G=sluicetg
made=""
cleanup() {
	kill_agents
	drop_test_users
	for g in $made; do
		groupdel "$g" >/dev/null 2>&1 || echo "warning: could not remove group $g"
	done
}
trap cleanup EXIT
test_user $U2 -m
test_user $U3 -m
if ! getent group $G >/dev/null; then
	groupadd $G || { echo "groupadd $G failed"; exit 77; }
	made=$G
fi
gpasswd -d $U3 $G >/dev/null 2>&1	# not an admin until part 3 says so
uid2=$(id -u $U2); gid2=$(id -g $U2); uid3=$(id -u $U3)
fast_config "$TESTDIR/sluice.ini" cancel_grace=1 submitters=all "admins=$G"
chmod 755 "$TESTDIR"
mkdir -p "$TESTDIR/out"; chmod 1777 "$TESTDIR/out"
chmod 644 "$SLUICE_CONFIG"
as() {	# USER CMD...: run CMD as USER, with the test's spool and config
	_u=$1; shift
	runuser -u "$_u" -- env SLUICE_SPOOL="$SP" SLUICE_CONFIG="$SLUICE_CONFIG" \
	    HOME="$(getent passwd "$_u" | cut -d: -f6)" "$@"
}
hex16() { printf '%016x' "$1"; }

# ---- 1. a forged run.ini is refused ----
S work-pool create f >/dev/null
start_agent fa -p f --hide-welcome
F=$SP/pools/f
# what an administrator had to do to let users submit before there was
# a drop box mode: open the pool's tmp/ and a queue's sched/
S flow-run ls -p f >/dev/null
mkdir -p "$F/tmp" "$F/queues/default/sched"
chmod 1777 "$F/tmp" "$F/queues/default/sched"
forge() {	# USER UID GID MARKER: a run.ini written by USER into sched/; prints its id
	_id=$(cat /proc/sys/kernel/random/uuid)
	_now=$(date +%s)
	_tok=$(hex16 "$_now").$(hex16 "$(( $(date +%s%N) / 1000 ))").$_id
	as "$1" sh -c 'umask 022; d=$1/tmp/forge.$$; mkdir "$d" && cat >"$d/run.ini" <<EOF &&
[run]
id = $2
name = forged-$5
pool = f
queue = default
command = "id -u >$6/$5; id -G >>$6/$5"
scheduled = @$7
created = @$7
retries = 0
retry_delay = 0
timeout = none
attempt = 1
owner_uid = $3
owner_gid = $4
EOF
mv "$d" "$1/queues/default/sched/$8"' sh "$F" "$_id" "$2" "$3" "$4" \
	    "$TESTDIR/out" "$_now" "$_tok" || fail "$1 could not write a run into sched/"
	echo "$_id"
}
f1=$(forge $U2 0 0 f1)
expect_state "$f1" Rejected 20 "a run.ini forged by $U2 with owner_uid 0 is Rejected"
msg=$(field "$f1" message)
echo "  reason: $msg"
contains "$msg" "written by uid $uid2 ($U2)" "the reason names the writer"
contains "$msg" "owned by uid 0 (root)" "and the owner it claimed"
[ -e "$TESTDIR/out/f1" ] && fail "the forged run ran (as $(cat "$TESTDIR/out/f1"))" ||
    ok "the forged run never ran"
equals "$(field "$f1" started)" null "it has no start time"
grep -q "Refused flow run '$f1'.*written by uid $uid2" "$TESTDIR/fa.err" &&
    ok "the agent logged why" || fail "no log line about $f1 in: $(cat "$TESTDIR/fa.err")"
f2=$(forge $U2 "$uid2" 0 f2)
expect_state "$f2" Rejected 20 "a run.ini by $U2 for herself with group 0 is Rejected"
contains "$(field "$f2" message)" "names group 0, which is not one of that user's groups" \
    "the reason says the group is not hers"
[ -e "$TESTDIR/out/f2" ] && fail "the run with group 0 ran" || ok "it never ran"
f3=$(forge $U2 "$uid2" "$gid2" f3)
expect_state "$f3" Completed 20 "a run.ini $U2 wrote for herself runs"
equals "$(head -n 1 "$TESTDIR/out/f3" 2>/dev/null)" "$uid2" "as $U2"

# ---- 2. submitting through the drop box ----
S work-pool create s >/dev/null
S work-queue create q2 -p s >/dev/null
D=$SP/pools/s
for d in queues/default/tmp queues/default/new queues/q2/tmp queues/q2/new; do
	equals "$(stat -c '%a %U' "$D/$d")" "1777 root" "submitters = all: $d is 1777, root's"
done
start_agent sa -p s --hide-welcome
expect_rc 0 as $U2 "$SLUICE" submit -p s --name s2run --env SECRET=hunter2 -- \
    sh -c 'id -u >"$1"; echo hello-from-s2' sh "$TESTDIR/out/s2"
r1=$out
case $r1 in $(printf '%08x' "$uid2")-????-8???-[cd]???-????????????)
	ok "the printed id $r1 is made of $U2's uid" ;;
*) fail "the printed id '$r1' is not a drop id of uid $uid2" ;;
esac
expect_state "$r1" Completed 20 "$U2's dropped run Completed under the root agent"
equals "$(cat "$TESTDIR/out/s2" 2>/dev/null)" "$uid2" "it ran as $U2"
equals "$(field "$r1" name)" s2run "under its name"
for d in tmp queues/default/sched done; do
	equals "$(stat -c '%a %U' "$D/$d" 2>/dev/null)" "755 root" "$d stays 755, root's"
done
RD=$D/done/$r1.Completed
equals "$(stat -c '%a %u %g' "$RD/run.ini")" "640 0 $gid2" "run.ini is 0640 root:$U2's group"
equals "$(stat -c '%a %u %g' "$RD/log")" "640 0 $gid2" "the log is 0640 root:$U2's group"
as $U3 cat "$RD/run.ini" >/dev/null 2>&1 && fail "$U3 read $U2's run.ini" ||
    ok "$U3 cannot read $U2's run.ini"
as $U3 cat "$RD/log" >/dev/null 2>&1 && fail "$U3 read $U2's log" ||
    ok "$U3 cannot read $U2's log"
contains "$(as $U2 cat "$RD/run.ini")" "SECRET = \"hunter2\"" "$U2 reads her run.ini and its [env]"
contains "$(as $U2 "$SLUICE" flow-run logs "$r1")" hello-from-s2 "$U2 reads her log"
expect_rc 1 as $U3 "$SLUICE" flow-run logs "$r1"
contains "$errout" "Permission denied" "$U3's flow-run logs of $U2's run is refused: exit 1"
expect_rc 1 as $U2 "$SLUICE" submit -p s -q nosuch -- true
contains "$errout" "ask the spool's owner to create the queue" \
    "a queue without a drop box is refused, saying what to do"

# ---- 3. who may cancel or delete whose run ----
expect_rc 0 as $U2 "$SLUICE" submit -p s --at +1h --name later1 -- true; c1=$out
expect_rc 0 as $U2 "$SLUICE" submit -p s --at +1h --name later2 -- true; c2=$out
expect_rc 0 as $U2 "$SLUICE" submit -p s --at +1h --name later3 -- true; c3=$out
expect_rc 0 as $U2 "$SLUICE" submit -p s --name long -- sleep 60; c4=$out
expect_state "$c1" Scheduled 20 "$U2's later run is Scheduled"
expect_state "$c4" Running 20 "$U2's long run is Running"
for verb in cancel delete; do
	for r in "$c1" "$c4"; do
		expect_rc 1 as $U3 "$SLUICE" flow-run $verb "$r" &&
		    ok "$U3 may not $verb $U2's run: exit 1"
		contains "$errout" "Permission denied: flow run '$r' belongs to $U2 (uid $uid2); you ($U3) may not $verb it" \
		    "and is told why"
	done
done
expect_rc 0 as $U3 "$SLUICE" flow-run cancel -p s --state Scheduled
contains "$errout" "left 3 flow runs of other users alone" "a bulk cancel by $U3 leaves $U2's runs alone"
equals "$(state "$c1")" Scheduled "$U2's run is still Scheduled"
equals "$(state "$c4")" Running "and her long run still Running"
# the owner, through a request to the root agent (she cannot write the spool)
expect_rc 0 as $U2 "$SLUICE" flow-run cancel "$c1"
contains "$out" "Cancelled flow run '$c1'" "$U2 cancels her Scheduled run"
equals "$(state "$c1")" Cancelled "it is Cancelled"
expect_rc 0 as $U2 "$SLUICE" flow-run cancel "$c4"
# (it may be over by the time sluice looks: then it says Cancelled)
case $out in
*"Flow run '$c4' was successfully scheduled for cancellation."*|*"Cancelled flow run '$c4'."*)
	ok "$U2 cancels her Running run" ;;
*) fail "$U2 cancels her Running run: $out" ;;
esac
expect_state "$c4" Cancelled 20 "it ends Cancelled"
expect_rc 0 as $U2 "$SLUICE" flow-run delete "$c1"
contains "$out" "Deleted flow run '$c1'" "$U2 deletes her run"
expect_rc 1 S flow-run inspect "$c1"
# an admin: $U3 in the admins group
usermod -aG $G $U3
expect_rc 0 as $U3 "$SLUICE" flow-run cancel "$c2"
contains "$out" "Cancelled flow run '$c2'" "a member of admins ($G) cancels $U2's run"
expect_rc 0 as $U3 "$SLUICE" flow-run delete "$c2"
contains "$out" "Deleted flow run '$c2'" "and deletes it"
expect_rc 1 S flow-run inspect "$c2"
# root
expect_rc 0 S flow-run cancel "$c3" && ok "root cancels $U2's run"
expect_rc 0 S flow-run delete "$c3" && ok "root deletes it"
grep -q "deleted, as $U3 (uid $uid3) asked" "$TESTDIR/sa.err" &&
    ok "the agent logged whose request it carried out" ||
    fail "no log of $U3's request in: $(tail -n 5 "$TESTDIR/sa.err")"

# ---- 4. the sticky bit, and an unprivileged acceptor ----
Q=$D/queues/default
as $U2 sh -c 'umask 077; printf "[run]\ncommand = \"echo half" >"$1/tmp/half"' sh "$Q" ||
    fail "$U2 cannot write into tmp/"
as $U3 mv "$Q/tmp/half" "$Q/new/half" 2>/dev/null &&
    fail "$U3 moved $U2's half-written file into new/" ||
    ok "$U3 cannot move $U2's half-written file from tmp/ into new/"
as $U3 rm -f "$Q/tmp/half" 2>/dev/null
[ -e "$Q/tmp/half" ] && ok "nor remove it" || fail "$U3 removed $U2's file"
[ -e "$Q/new/half" ] && fail "half is in new/" || ok "new/ has no half-written file"
as $U3 cat "$Q/tmp/half" >/dev/null 2>&1 && fail "$U3 read it" || ok "nor read it"
as $U2 rm "$Q/tmp/half" || fail "$U2 cannot remove her own file"
# a drop waiting for a privileged acceptor: no agent serves pool x
S work-pool create x >/dev/null
X=$SP/pools/x/queues/default
as $U2 sh -c 'umask 077; printf "[run]\nname = waits\ncommand = true\n" >"$1/tmp/w" && mv "$1/tmp/w" "$1/new/w"' sh "$X"
expect_rc 0 as $U3 "$SLUICE" flow-run ls -p x
equals "$errout" "" "$U3's flow-run ls says nothing about $U2's drop"
[ -e "$X/new/w" ] && ok "and leaves it for a privileged acceptor" || fail "$U3's sluice took $U2's drop"
expect_rc 0 S flow-run ls -p x --json
jcheck "root accepts it, owned by $U2" 'o = by["waits"]
if o["state"] != "Scheduled" and o["state"] != "Late": bad(o["state"])'
[ -e "$X/new/w" ] && fail "the drop is still in new/" || ok "it left new/"

# ---- 5. a refused change says whose the spool is and who may ----
hint="you ($U3) may not change the spool $SP: it is root's."
for c in "work-pool create u3pool" "work-queue create u3q -p x" "work-pool pause x" \
    "deployment create u3d -p x -- true" "work-pool delete x"; do
	# shellcheck disable=SC2086
	expect_rc 1 as $U3 "$SLUICE" $c
	contains "$errout" "$hint" "$U3: sluice $c: exit 1, and says whose the spool is"
	equals "$(printf '%s\n' "$errout" | grep -c 'may not change the spool')" 1 "... once"
done
expect_rc 1 as $U3 "$TOP/bin/sluice-agent" -p x --run-once --hide-welcome
contains "$errout" "$hint" "$U3: sluice-agent -p x: exit 1, and says whose the spool is"
expect_rc 0 as $U3 "$SLUICE" flow-run ls
equals "$errout" "" "$U3: flow-run ls of a spool not hers: exit 0, no warning"
expect_rc 1 S work-pool create x
case $errout in *"may not change"*) fail "root is told the spool is not hers" ;;
*) ok "root's refusals carry no such hint" ;; esac
finish
