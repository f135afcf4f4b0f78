# netfs_claim_race.sh - the claim race (claim_race.inc) with claimers on
# two hosts, h1 and h2, sharing one spool over sshfs (netfs.inc), once with
# sshfs's default caching and once with every cache off.  The sampler runs
# on the file server's side, where it sees the truth.  Skips (77, saying
# why) when the rig cannot start; never passes silently.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/netfs.inc"
netfs_need
for mode in default nocache; do
	netfs_up "$mode"
	SP=/mnt/spool/claim-$mode SPOOL_LOCAL=/tmp/netfs/export/claim-$mode
	mkdir -p "$SPOOL_LOCAL"
	. "$TOP/tests/e2e/claim_race.inc"
	RUNS=${NETFS_RUNS:-600} DISPATCHER=0
	claim_race
	netfs_down
done
trap - EXIT
finish
