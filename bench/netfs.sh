#!/bin/bash
# bench/netfs.sh - the drain across two hosts sharing one spool (issue 12),
# on the two-host rig (../shared/netfs, through tests/e2e/netfs.inc: its
# lock, its cache modes, its skips).  For each backend asked for (sshfs,
# nfs: nfs-ganesha mounted with fuse-nfs) and each cache mode (nocache:
# every client cache off; default: the backend's own caching):
#
#  submit: N (200) runs of `true' submitted on h1, one `sluice submit'
#     process each, from a bash loop on h1; each submit timed around the
#     command ($EPOCHREALTIME): mean, p50, p99 ms per run.
#  drain: one agent on h2, `sluice-agent -p P --limit 4 --poll-seconds 1',
#     started on those N queued runs; seconds from its start until all N
#     are in done/ (watched from the server's side, the export, every
#     0.1 s, which costs the network filesystem nothing): runs/s.
#     Requests: h2's data segments to the server over the drain (`ss -ti'
#     in h2's namespace, data_segs_out of its connections to the NFS
#     port, 2049, or to sshd, 22), per run: what the server was asked, one
#     segment a request (NFS: one RPC each; sshfs: SFTP requests, which
#     ssh may pack several to a segment, so a floor).  The passes' share
#     is in it: the agent rescans each second as the drain goes.
#  metadata: the same again with NTRACE (N) fresh runs, the agent under
#     `strace -f' (it and every process it forks: supervisors, recorders,
#     the runs) tracing file system calls (open/openat, stat family,
#     getdents64, rename, mkdir, unlink, rmdir, link, fsync, read, write,
#     close); only calls on a path under the spool count, by path (-yy
#     gives an fd's path).  Printed per run: the total, by call, and the
#     top (call, path pattern) pairs (ids as ID, numbers as N, hex as X),
#     and how many of them the agent process made itself.
#     These are the agent side's system calls on the mount, not network
#     requests: with caches on, FUSE answers some stats and lookups itself,
#     and one open is a LOOKUP plus an OPEN; the rig exposes no server-side
#     operation counts (ganesha's need DBus, which the rig does not run).
#     strace slows the agent, so this drain takes longer and makes more
#     timed passes per run than the untraced one.
#
# Needs root, /dev/fuse, flock, python3, strace and the rig's packages
# (tests/e2e/netfs.inc lists them; `make deps' installs them, strace by
# `make bench-deps').  It installs nothing: what is missing is named and
# that backend is skipped (exit 0: `make bench' goes on).  The nfs backend
# builds fuse-nfs into /tmp/netfs-cache on first use (the rig does, ~2 s).
# The rig is taken down at the end, on failure and on a signal too.
# A benchmark, not a test: nothing here fails on a number.
# Time on the 2-core machine (2026-12-03): about 3 minutes for sshfs (both
# modes) and 7 for nfs (both modes), most of it the traced drains (nfs
# with caches off: 76 s untraced, 215 s traced).
#
#	bench/netfs.sh [sshfs|nfs]...	(default: both; make all first)
#	N, NTRACE, MODES ("nocache default"), DRAIN_MAX (s, per drain, 900),
#	NETFS_LOCK_WAIT (s, 600), PAIRS (pairs listed, 25) in the environment;
#	BENCH_KEEP=1 keeps the work directory (traces, logs).
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
N=${N:-200}
NTRACE=${NTRACE:-$N}
MODES=${MODES:-nocache default}
DRAIN_MAX=${DRAIN_MAX:-900}
export NETFS_LOCK_WAIT=${NETFS_LOCK_WAIT:-600} SLUICE_CONFIG=/dev/null TOP
[ $# -gt 0 ] || set -- sshfs nfs
for b in "$@"; do
	case $b in sshfs|nfs) ;; *) echo "usage: bench/netfs.sh [sshfs|nfs]..." >&2; exit 2 ;; esac
done
[ -x bin/sluice-agent ] && [ -x bin/sluice ] || { echo "netfs.sh: run make first" >&2; exit 1; }
note() { echo "netfs.sh: $*" >&2; }
miss=""
for c in python3 strace; do command -v "$c" >/dev/null 2>&1 || miss="$miss $c"; done
if [ -n "$miss" ]; then
	note "skipped: not installed:$miss (apt-get install$miss; make bench-deps installs strace)"
	exit 0
fi
work=$(mktemp -d /tmp/sluice-netfs-bench.XXXXXX)	# /tmp: the same path on every host
chmod 755 "$work"
[ "${BENCH_KEEP:-0}" = 1 ] && trap 'note "kept $work"' EXIT || trap 'rm -rf "$work"' EXIT
: >"$work/summary"
TRACED="%file,getdents64,fsync,fdatasync,read,write,pread64,pwrite64,fstat,close"

now() { echo "$EPOCHREALTIME"; }
# descendants PID: PID's processes, children first
descendants() {
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
row() { printf '%-7s %-7s %9s %6s %6s %5s %8s %7s %8s %12s\n' "$@"; }
# segs HOST: data segments HOST sent to the server so far (see the top)
segs() {
	local port=2049
	[ "$netfs_backend" = sshfs ] && port=22
	"$NETFS/netfs-exec.sh" "$1" ss -tin dst "${NETFS_SRV_IP:-${NETFS_NET:-169.254.77}.1}:$port" 2>/dev/null |
	    grep -o 'data_segs_out:[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}
ndone() { find "$1" -mindepth 1 -maxdepth 1 2>/dev/null | grep -c .; }

# submit SPOOLNAME COUNT OUT: COUNT runs of `true' from h1, "start end" per run
submit() {
	"$NETFS/netfs-exec.sh" h1 bash -c '
		for i in $(seq "$1"); do
			t=$EPOCHREALTIME
			"$2" --spool "$3" submit -p P -- true >/dev/null || exit 1
			echo "$t $EPOCHREALTIME"
		done' sh "$2" "$TOP/bin/sluice" "/mnt/spool/$1" >"$3"
}

# drain SPOOLNAME COUNT LOG [PREFIX...]: the agent on h2 (under PREFIX),
# until COUNT runs are in done/ or DRAIN_MAX s pass; then TERM to the
# agent, and wait for it (and strace) to end.  Sets $dsecs, $dn.
drain() {
	local sp=$1 cnt=$2 log=$3 d t0 end p i s0
	shift 3
	d=$NETFS_EXPORT/$sp/pools/P/done
	s0=$(segs h2)
	t0=$(now)
	"$NETFS/netfs-exec.sh" h2 "$@" "$TOP/bin/sluice-agent" --spool "/mnt/spool/$sp" -p P \
	    --limit 4 --poll-seconds 1 --hide-welcome >"$log" 2>&1 </dev/null &
	apid=$!
	end=$(( ${t0%.*} + DRAIN_MAX ))
	while dn=$(ndone "$d"); [ "$dn" -lt "$cnt" ] && [ "$(date +%s)" -lt "$end" ]; do
		kill -0 "$apid" 2>/dev/null || { note "the agent ended early: $(tail -n 3 "$log")"; break; }
		sleep 0.1
	done
	dsecs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	dreq=$(awk -v a="$s0" -v b="$(segs h2)" -v n="$dn" \
	    'BEGIN { printf "%.0f", (n > 0 ? (b - a) / n : 0) }')
	[ "$dn" -ge "$cnt" ] || note "$sp: only $dn of $cnt runs done after $dsecs s"
	for p in $(descendants "$apid"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = sluice-agent ] && kill -TERM "$p" 2>/dev/null
	done
	for i in $(seq 300); do kill -0 "$apid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$apid" 2>/dev/null; then	# a run's supervisor still traced: stop it all
		note "$sp: the agent or its children did not end in 30 s: killing them"
		for p in $(descendants "$apid"); do kill -KILL "$p" 2>/dev/null; done
	fi
	wait "$apid" 2>/dev/null
	apid=""
}

# states SPOOLNAME: the runs in done/ by final state
states() {
	find "$NETFS_EXPORT/$1/pools/P/done" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null |
	    sed 's/.*\.//' | sort | uniq -c | awk '{ printf "%s%s=%d", s, $2, $1; s = " " }'
}

round() {	# BACKEND MODE
	local b=$1 m=$2 tag=$1.$2 sms drs tr dn1 ds1
	echo "== $tag: $N runs submitted on h1, drained by one agent on h2"
	"$NETFS/netfs-exec.sh" h1 "$TOP/bin/sluice" --spool /mnt/spool/d work-pool create P >/dev/null ||
	    { note "$tag: work-pool create failed"; return 1; }
	submit d "$N" "$work/submit.$tag" || { note "$tag: a submit failed"; return 1; }
	sms=$(awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' "$work/submit.$tag" | sort -n |
	    awk '{ d[NR] = $1; s += $1 } END {
		printf "%.1f %.1f %.1f", s / NR, d[int((NR + 1) / 2)], d[int(NR * 0.99 + 0.999)] }')
	echo "submit ms/run: mean p50 p99 $sms"
	drain d "$N" "$work/agent.$tag.log"
	drs=$(awk -v n="$dn" -v s="$dsecs" 'BEGIN { printf "%.2f", n / s }')
	dn1=$dn ds1=$dsecs
	echo "drain: $dn runs in $dsecs s, $drs runs/s, $dreq requests to the server a run ($(states d))"
	dq1=$dreq
	echo "-- the same with $NTRACE fresh runs, the agent under strace -f"
	"$NETFS/netfs-exec.sh" h1 "$TOP/bin/sluice" --spool /mnt/spool/t work-pool create P >/dev/null &&
	    submit t "$NTRACE" "$work/submit2.$tag" || { note "$tag: traced round: submit failed"; return 1; }
	tr=$work/trace.$tag
	mkdir "$tr"
	drain t "$NTRACE" "$work/agent2.$tag.log" strace -f -ff -yy -qq -o "$tr/t" -e trace="$TRACED"
	echo "traced drain: $dn runs in $dsecs s ($(states t))"
	python3 "$TOP/bench/netfs-ops.py" /mnt/spool/t "$dn" "$tr"/t.* | tee "$work/ops.$tag"
	row "$b" "$m" $sms "$dn1" "$ds1" "$drs" "$dq1" "$(awk 'NR == 1 { print $(NF - 2) }' "$work/ops.$tag")" \
	    >>"$work/summary"
}

for b in "$@"; do
	(	# a subshell per backend: netfs.inc's skip exits it (77), its
		# traps take the rig down when it ends, however it ends
		netfs_backend=$b
		TESTDIR=$work
		. "$TOP/tests/e2e/netfs.inc"
		netfs_need
		apid=""
		for m in $MODES; do
			netfs_up "$m"
			round "$netfs_backend" "$m" || note "$netfs_backend $m: round failed"
			netfs_down
		done
		trap - EXIT
	)
	rc=$?
	[ $rc = 77 ] && { note "$b: skipped (above)"; row "$b" skipped >>"$work/summary"; }
	[ $rc = 0 ] || [ $rc = 77 ] || note "$b: stopped (exit $rc)"
	case $rc in 129|130|143) exit $rc ;; esac	# a signal: no more backends
done
echo
echo "== across hosts: $N runs of \`true'; submit on h1, one agent on h2 (--limit 4 --poll-seconds 1)"
row backend caches "submit ms" p50 p99 runs "drain s" runs/s "req/run" "syscalls/run"
cat "$work/summary"
