# netfs_semantics_nfs.sh - netfs_semantics.sh on the rig's NFS backend:
# nfs-ganesha serving the spool, fuse-nfs mounting it on each host (netfs.inc)
netfs_backend=nfs
. "$TOP/tests/e2e/netfs_semantics.sh"
