#!/bin/sh
# two-host.sh - the chaos campaign (chaos.sh) with its agents and
# dispatchers on both hosts of the netfs rig (/work/shared/netfs): h1 runs
# a1, a3 and d1, h2 runs a2, a4 and d2, all on the spool at /mnt/spool;
# the feeder, the killer and the sampler run here (this machine holds every
# host's processes: the hosts' PID namespaces nest inside ours, so the
# sampler sees them all).  Besides the kills -9 (made inside the target's
# host), a host is cut off now and then (`ip -n netfs-hN link set eth0
# down` for CHAOS_CUT_SECONDS, every CHAOS_CUT_EVERY).  Same checks.
#
#	tests/chaos/two-host.sh		NETFS_BACKEND=sshfs (default) or nfs;
#					CHAOS_NETFS_CACHE=default or nocache
#
# The rig is one per machine and shared: everything runs under
# `flock /tmp/netfs-rig.lock` (waiting up to CHAOS_LOCK_WAIT s, default
# 3600), and exits 77 if a rig is already up.  Smaller defaults than one
# host (sshfs and fuse-nfs are slower): 1,000 runs, 200 kills.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NETFS=${NETFS_DIR:-/work/shared/netfs}
[ "$(id -u)" = 0 ] || { echo "skipped: the netfs rig needs root"; exit 77; }
[ -x "$NETFS/netfs-up.sh" ] || { echo "skipped: no netfs rig at $NETFS (set NETFS_DIR)"; exit 77; }
if [ "${1:-}" != --locked ]; then
	exec flock -w "${CHAOS_LOCK_WAIT:-3600}" /tmp/netfs-rig.lock "$0" --locked
fi
export NETFS_STATE=/tmp/netfs NETFS_DIR=$NETFS
[ -e /tmp/netfs/pids ] && { echo "skipped: a netfs rig is already up (/tmp/netfs/pids)"; exit 77; }
if [ "${CHAOS_NETFS_CACHE:-default}" = nocache ]; then
	export NETFS_SSHFS_OPTS='reconnect,ServerAliveInterval=5,ServerAliveCountMax=3,dir_cache=no,entry_timeout=0,attr_timeout=0,negative_timeout=0'
fi
trap '"$NETFS/netfs-down.sh" >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM HUP
"$NETFS/netfs-up.sh" || { echo "skipped: netfs-up.sh failed"; exit 77; }
echo "two-host chaos: backend ${NETFS_BACKEND:-sshfs}, caching ${CHAOS_NETFS_CACHE:-default}"
CHAOS_HOSTS=2 CHAOS_RUNS=${CHAOS_RUNS:-1000} CHAOS_KILLS=${CHAOS_KILLS:-200} \
    sh "$here/chaos.sh"
