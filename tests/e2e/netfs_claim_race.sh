# netfs_claim_race.sh - the claim race (claim_race.inc) with claimers on
# two hosts, h1 and h2, sharing one spool over the netfs rig (netfs.inc:
# sshfs here, nfs in netfs_claim_race_nfs.sh), once with the backend's
# default caching, once with every client cache off, and on nfs once
# more with replies lost (netfs.inc: lossy).  The sampler runs
# on the file server's side, where it sees the truth.  Skips (77, saying
# why) when the rig cannot start; never passes silently.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/netfs.inc"
netfs_need
for mode in $(netfs_modes); do
	netfs_up "$mode"
	SP=/mnt/spool/claim-$mode SPOOL_LOCAL=$NETFS_EXPORT/claim-$mode
	mkdir -p "$SPOOL_LOCAL"
	. "$TOP/tests/e2e/claim_race.inc"
	RUNS=${NETFS_RUNS:-$(netfs_size 600 200 100)} DISPATCHER=0
	t0=$(msnow)
	claim_race
	echo "== $mode: $RUNS runs in $(( ($(msnow) - t0) / 1000 )) s"
	netfs_down
done
trap - EXIT
finish
