# netfs_pool_race.sh - the pool race (pool_race.inc) with workers on two
# hosts, h1 and h2, sharing one spool over sshfs (netfs.inc), once with
# sshfs's default caching and once with every cache off.  Needs root,
# /dev/fuse, sshfs and sshd (.ci/run installs them); when the rig cannot
# start, this test says why and exits 77 (skip), never 0.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/netfs.inc"
netfs_need
for mode in default nocache; do
	netfs_up "$mode"
	SP=/mnt/spool/race-$mode SPOOL_LOCAL=/tmp/netfs/export/race-$mode
	mkdir -p "$SPOOL_LOCAL"
	"$NETFS/netfs-exec.sh" h1 test -d "$SP" || fail "h1 cannot see $SP"
	"$NETFS/netfs-exec.sh" h2 test -d "$SP" || fail "h2 cannot see $SP"
	. "$TOP/tests/e2e/pool_race.inc"
	race_all
	netfs_down
done
trap - EXIT
finish
