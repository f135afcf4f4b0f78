# netfs_pool_race.sh - the pool race (pool_race.inc) with workers on two
# hosts, h1 and h2, sharing one spool over the netfs rig (netfs.inc: sshfs
# here, nfs in netfs_pool_race_nfs.sh), once with the backend's default
# caching, once with every client cache off, and on nfs once more with
# replies lost (netfs.inc: lossy).  Needs root, /dev/fuse and
# the backend's packages (make deps installs them); when the rig cannot
# start, this test says why and exits 77 (skip), never 0.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/netfs.inc"
netfs_need
for mode in $(netfs_modes); do
	netfs_up "$mode"
	SP=/mnt/spool/race-$mode SPOOL_LOCAL=$NETFS_EXPORT/race-$mode
	mkdir -p "$SPOOL_LOCAL"
	"$NETFS/netfs-exec.sh" h1 test -d "$SP" || fail "h1 cannot see $SP"
	"$NETFS/netfs-exec.sh" h2 test -d "$SP" || fail "h2 cannot see $SP"
	. "$TOP/tests/e2e/pool_race.inc"
	W=${NETFS_W:-$(netfs_size 8 8 4)} N=${NETFS_N:-$(netfs_size 10 2 1)}
	t0=$(msnow)
	race_all
	echo "== $mode: $W workers x $N queues in $(( ($(msnow) - t0) / 1000 )) s"
	netfs_down
done
trap - EXIT
finish
