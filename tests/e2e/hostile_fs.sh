# hostile_fs.sh - root removes trees that users own parts of (issue 10,
# item 6): a user who owns a directory in a queue's tmp/, or who dropped a
# directory, swaps its subdirectories for symbolic links to a root-owned
# directory outside the spool, holding a same-named 0600 root file, at
# the moment root starts emptying it (inotify, renameat2 RENAME_EXCHANGE)
# while root runs work-queue delete, work-pool delete and flow-run delete.  The root
# file must survive every round.  Also: a dropped directory is not kept in
# rejected/ID/source but given back to the drop box as new/.rejected.ID.
# Needs root: it makes a throwaway user (sluicet4) and removes it again.
. "$TOP/tests/e2e/lib.sh"
need_root hostile_fs useradd userdel runuser cc
U=sluicet4
ROUNDS=${HOSTILE_ROUNDS:-2}
racer=""
cleanup() {
	[ -n "$racer" ] && kill -KILL "$racer" 2>/dev/null
	drop_test_users
}
trap cleanup EXIT
test_user "$U" -M
chmod 755 "$TESTDIR"
asuser() { runuser -u "$U" -- "$@"; }

# the root-owned directory outside the spool that the links point at
V=$TESTDIR/victim
mkdir -p "$V/d"
chmod 755 "$V" "$V/d"
plant() {
	printf "root's\n" >"$V/secret"; chmod 600 "$V/secret"
	printf "root's\n" >"$V/d/secret"; chmod 600 "$V/d/secret"
}
intact() {	# WHAT
	if [ "$(cat "$V/secret" 2>/dev/null)" = "root's" ] &&
	    [ "$(cat "$V/d/secret" 2>/dev/null)" = "root's" ]; then
		ok "$1: the root file outside the spool survived"
	else
		fail "$1: root deleted a file outside the spool ($(ls -la "$V" "$V/d" 2>&1 | tr '\n' ' '))"
	fi
}

# the user's racer: in DIR (hers), a directory s holding many files, one
# of them named secret, and d/secret.  When root removes the first file
# of s (inotify), she makes a link l to $V and exchanges s and l
# atomically (renameat2 RENAME_EXCHANGE): whoever removes the rest of s
# by path now removes $V's files.  It ends at the swap, or when STOP
# exists.
cat >"$TESTDIR/racer.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static void
touch(const char *f)
{
	int	fd = open(f, O_WRONLY | O_CREAT, 0644);

	if (fd < 0)
		exit(3);
	close(fd);
}

int
main(int argc, char **argv)
{
	struct pollfd p;
	char	f[64], buf[4096];
	int	i, in;

	if (argc != 5 || chdir(argv[1]) < 0)
		return 2;
	if (mkdir("s", 0755) < 0 || mkdir("s/d", 0755) < 0)
		return 3;
	for (i = 0; i < 500; i++) {
		snprintf(f, sizeof(f), "s/f%04d", i);
		touch(f);
	}
	touch("s/secret");
	touch("s/d/secret");
	if ((in = inotify_init1(IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(in, "s", IN_DELETE | IN_DELETE_SELF |
	    IN_MOVE_SELF) < 0)
		return 3;
	touch(argv[4]);
	p.fd = in;
	p.events = POLLIN;
	while (access(argv[3], F_OK) < 0) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		(void)read(in, buf, sizeof(buf));
		/* made now: root may have removed anything made before */
		if (symlink(argv[2], "l") < 0 ||
		    renameat2(AT_FDCWD, "s", AT_FDCWD, "l", RENAME_EXCHANGE) < 0)
			return 4;
		snprintf(buf, sizeof(buf), "%s.swapped", argv[4]);
		touch(buf);
		return 0;
	}
	return 0;
}
EOF
cc -O2 -o "$TESTDIR/racer" "$TESTDIR/racer.c" || { echo "hostile_fs cannot build its racer"; exit 77; }
chmod 755 "$TESTDIR/racer"
mkdir -p "$TESTDIR/ctl"; chmod 1777 "$TESTDIR/ctl"

# race DIR : start the user's racer in DIR (which she owns) and wait
# until it is watching
race() {
	rm -f "$TESTDIR/ctl/stop" "$TESTDIR/ctl/ready" "$TESTDIR/ctl/ready.swapped"
	asuser "$TESTDIR/racer" "$1" "$V" "$TESTDIR/ctl/stop" \
	    "$TESTDIR/ctl/ready" &
	racer=$!
	for _ in $(seq 1 200); do
		[ -e "$TESTDIR/ctl/ready" ] && break
		kill -0 "$racer" 2>/dev/null || break
		sleep 0.05
	done
	[ -e "$TESTDIR/ctl/ready" ] || fail "the racer did not start in $1"
}
stop_race() {	# WHAT : and check that she did swap
	touch "$TESTDIR/ctl/stop"
	wait "$racer" 2>/dev/null
	racer=""
	[ -e "$TESTDIR/ctl/ready.swapped" ] && ok "$1: the user swapped her directory for a link mid-removal" ||
	    fail "$1: the racer never swapped (the test proved nothing)"
}

P=$SLUICE_SPOOL/pools/P
expect_rc 0 S work-pool create P >/dev/null || exit 1

# ---- work-queue delete, a user's directory in the queue's tmp/
for r in $(seq 1 "$ROUNDS"); do
	plant
	expect_rc 0 S work-queue create "Q$r" -p P >/dev/null || continue
	chmod 1777 "$P/queues/Q$r/tmp"	# as a site opens it to users
	asuser mkdir "$P/queues/Q$r/tmp/u"
	race "$P/queues/Q$r/tmp/u"
	S work-queue delete "Q$r" -p P >"$TESTDIR/out" 2>&1; rc=$?
	stop_race "work-queue delete, round $r"
	intact "work-queue delete, round $r (exit $rc)"
	[ ! -e "$P/queues/Q$r" ] && ok "work-queue delete, round $r: the queue is gone" ||
	    fail "work-queue delete, round $r: queue still there: $(cat "$TESTDIR/out")"
done

# ---- work-pool delete, a user's directory in a queue's tmp/
for r in $(seq 1 "$ROUNDS"); do
	plant
	expect_rc 0 S work-pool create "X$r" >/dev/null || continue
	XD=$SLUICE_SPOOL/pools/X$r
	chmod 1777 "$XD/queues/default/tmp"
	asuser mkdir "$XD/queues/default/tmp/u"
	race "$XD/queues/default/tmp/u"
	S work-pool delete "X$r" >"$TESTDIR/out" 2>&1; rc=$?
	stop_race "work-pool delete, round $r"
	intact "work-pool delete, round $r (exit $rc)"
	[ ! -e "$XD" ] && ok "work-pool delete, round $r: the pool is gone" ||
	    fail "work-pool delete, round $r: pool still there: $(cat "$TESTDIR/out")"
done

# ---- a dropped directory: not kept in rejected/, given back; flow-run
# delete of its Rejected run and work-queue delete of its queue
for r in $(seq 1 "$ROUNDS"); do
	plant
	Q=D$r
	expect_rc 0 S work-queue create "$Q" -p P >/dev/null || continue
	chmod 1777 "$P/queues/$Q/tmp" "$P/queues/$Q/new"
	asuser mkdir "$P/queues/$Q/tmp/drop"
	asuser mv "$P/queues/$Q/tmp/drop" "$P/queues/$Q/new/drop"
	S flow-run ls -p P --json >"$TESTDIR/ls" 2>&1
	rid=$(ls "$P/rejected" | while read -r i; do
		grep -qx "name = drop" "$P/rejected/$i/origin" 2>/dev/null &&
		    grep -qx "queue = $Q" "$P/rejected/$i/origin" && echo "$i"; done)
	[ -n "$rid" ] || { fail "dropped directory, round $r: no Rejected run"; continue; }
	if [ -d "$P/rejected/$rid/source" ]; then
		fail "dropped directory, round $r: kept as rejected/$rid/source"
		mine=$P/rejected/$rid/source
	elif [ -d "$P/queues/$Q/new/.rejected.$rid" ]; then
		ok "dropped directory, round $r: given back as new/.rejected.$rid"
		mine=$P/queues/$Q/new/.rejected.$rid
		grep -q "new/.rejected.$rid" "$P/rejected/$rid/reason" &&
		    ok "dropped directory, round $r: the reason says where" ||
		    fail "reason: $(cat "$P/rejected/$rid/reason")"
	else
		fail "dropped directory, round $r: gone ($(ls -la "$P/rejected/$rid" "$P/queues/$Q/new" 2>&1 | tr '\n' ' '))"
		continue
	fi
	race "$mine"
	S flow-run delete "$rid" >"$TESTDIR/out" 2>&1; rc=$?
	intact "flow-run delete of a dropped directory's run, round $r (exit $rc)"
	[ ! -e "$P/rejected/$rid" ] && ok "flow-run delete, round $r: the run is gone" ||
	    fail "flow-run delete, round $r: $(cat "$TESTDIR/out")"
	S work-queue delete "$Q" -p P >"$TESTDIR/out" 2>&1; rc=$?
	stop_race "dropped directory, round $r"
	intact "work-queue delete of a queue holding a dropped directory, round $r (exit $rc)"
done

# nothing of the user's is left in the spool's private directories
left=$(find "$P/tmp" -mindepth 1 -maxdepth 1 2>/dev/null | head -n 3)
[ -z "$left" ] && ok "nothing left in pools/P/tmp" || fail "left in pools/P/tmp: $left"
finish
