# netfs_claim_race_nfs.sh - netfs_claim_race.sh on the rig's NFS backend: nfs-ganesha
# serving the spool, fuse-nfs mounting it on each host (netfs.inc)
netfs_backend=nfs
. "$TOP/tests/e2e/netfs_claim_race.sh"
