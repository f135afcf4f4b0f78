# netfs_pool_race.sh - the pool race (pool_race.inc) with workers on two
# hosts, h1 and h2, sharing one spool over a real network filesystem (sshfs
# between network namespaces: ../shared/netfs).  Run twice: with sshfs's
# default caching (stale listings for ~20 s, the worst case) and with every
# cache off (about NFS's close-to-open behaviour).
#
# Needs root, /dev/fuse, sshfs and sshd (.ci/run installs them).  When the
# rig cannot start, this test says why and exits 77 (skip), never 0.
. "$TOP/tests/e2e/lib.sh"

skip() { echo "skipped: $*"; exit 77; }
NETFS=""
for d in "${NETFS_DIR:-}" "$TOP/../shared/netfs" /work/shared/netfs; do
	[ -n "$d" ] && [ -x "$d/netfs-up.sh" ] && { NETFS=$d; break; }
done
[ -n "$NETFS" ] || skip "netfs scripts not found (set NETFS_DIR)"
[ "$(id -u)" = 0 ] || skip "the netfs rig needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
for b in sshfs sshd ip unshare nsenter; do
	command -v "$b" >/dev/null 2>&1 || skip "$b is not installed"
done
[ -e /tmp/netfs/pids ] && skip "a netfs rig is already up (/tmp/netfs/pids); run netfs-down.sh"

export NETFS_STATE=/tmp/netfs
trap '"$NETFS/netfs-down.sh" >/dev/null 2>&1' EXIT
on_worker() { w=$1; shift; "$NETFS/netfs-exec.sh" "h$(( w % 2 + 1 ))" "$@"; }

for mode in default nocache; do
	if [ $mode = nocache ]; then
		export NETFS_SSHFS_OPTS='reconnect,ServerAliveInterval=5,ServerAliveCountMax=3,dir_cache=no,entry_timeout=0,attr_timeout=0,negative_timeout=0'
	else
		unset NETFS_SSHFS_OPTS
	fi
	"$NETFS/netfs-up.sh" || skip "netfs-up.sh failed: the rig cannot start here"
	echo "== sshfs caching: $mode"
	SP=/mnt/spool/race-$mode SPOOL_LOCAL=/tmp/netfs/export/race-$mode
	mkdir -p "$SPOOL_LOCAL"
	# both hosts see the spool before the race starts
	"$NETFS/netfs-exec.sh" h1 test -d "$SP" || fail "h1 cannot see $SP"
	"$NETFS/netfs-exec.sh" h2 test -d "$SP" || fail "h2 cannot see $SP"
	. "$TOP/tests/e2e/pool_race.inc"
	race_all
	"$NETFS/netfs-down.sh" >/dev/null 2>&1
done
trap - EXIT
finish
