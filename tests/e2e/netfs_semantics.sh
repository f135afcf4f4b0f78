# netfs_semantics.sh - what the rig's shared filesystem does for the
# operations the spool protocol stands on, as spool-layout.md ("On a real
# NFS server") states them: two hosts racing on one name (link, O_EXCL
# create, mkdir, rename) have exactly one winner, as the server side
# confirms; the link count and inode numbers the loser and winner see;
# how long a file deleted at the server stays visible to a host that has
# looked at it (printed, not asserted: a time); and a hard-linked run file
# dropped through one host, accepted on the other host and on the same:
# refused where the link count is real (nfs; sshfs always reports 1).  sshfs here, nfs in
# netfs_semantics_nfs.sh; default caching and every cache off.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/netfs.inc"
netfs_need
PROBE=$TOP/tests/e2e/netfs_probe.py
NR=${NETFS_PROBE_RACES:-200}

races() {	# MODE
	d=probe-$1
	mkdir -p "$NETFS_EXPORT/$d"
	for op in link excl mkdir rename; do
		if [ "$op" = rename ]; then
			for i in $(seq 0 $((NR - 1))); do : >"$NETFS_EXPORT/$d/rename.$i"; done
		fi
		t0=$(python3 -c 'import time; print(time.time() + 2)')
		for h in h1 h2; do
			"$NETFS/netfs-exec.sh" $h python3 "$PROBE" race $op /mnt/spool/$d "$NR" "$t0" $h \
			    >"$TESTDIR/$op.$h" 2>&1 &
		done
		wait
		python3 - "$op" "$TESTDIR/$op.h1" "$TESTDIR/$op.h2" "$NETFS_EXPORT/$d" "$netfs_backend" \
		    >"$TESTDIR/$op.sum" <<'EOF'
import collections, os, sys
op, f1, f2, d, backend = sys.argv[1:]
r = {}
for h, f in (("h1", f1), ("h2", f2)):
    for l in open(f):
        i, res, nl, same = l.split()
        r.setdefault(int(i), {})[h] = (res, nl, same)
bad, lose, nls, sames = [], collections.Counter(), collections.Counter(), collections.Counter()
for i, v in sorted(r.items()):
    wins = [h for h in v if v[h][0] == "ok"]
    if len(v) != 2 or len(wins) != 1:
        bad.append("%d:%s" % (i, v)); continue
    w = wins[0]; l = "h2" if w == "h1" else "h1"
    lose[v[l][0]] += 1
    nls["winner %s loser %s" % (v[w][1], v[l][1])] += 1
    sames[v[w][2]] += 1
    p = os.path.join(d, "%s.%d" % (op, i))
    if op == "rename":
        ok = not os.path.exists(p) and os.path.exists("%s.%s" % (p, w)) and not os.path.exists("%s.%s" % (p, l))
    elif op == "link":
        ok = os.path.samefile(p, os.path.join(d, "link.%d.%s" % (i, w)))
    elif op == "mkdir":
        ok = os.path.isdir(p)
    else:
        ok = os.path.isfile(p)
    if not ok:
        bad.append("%d: server side disagrees with winner %s" % (i, w))
print("races %d onewinner %d" % (len(r), len(r) - len(bad)))
print("loser %s" % " ".join("%s=%d" % kv for kv in sorted(lose.items())))
if op == "link":
    print("nlink %s" % "; ".join("%s: %d" % kv for kv in sorted(nls.items())))
    print("inode %s" % " ".join("%s=%d" % kv for kv in sorted(sames.items())))
for b in bad[:5]: print("bad", b)
EOF
		echo "$1 $op: $(tr '\n' ';' <"$TESTDIR/$op.sum")"
		equals "$(sed -n 's/^races \([0-9]*\) onewinner \([0-9]*\)$/\1 \2/p' "$TESTDIR/$op.sum")" "$NR $NR" \
		    "$1: $op raced $NR times by h1 and h2: exactly one winner each time, as the server shows"
		if [ "$netfs_backend" = nfs ]; then
			case $op in rename) want=ENOENT ;; *) want=EEXIST ;; esac
			equals "$(sed -n 's/^loser //p' "$TESTDIR/$op.sum")" "$want=$NR" "$1: the $op loser gets $want"
			# with FUSE's attribute cache on, the winner's own file
			# can still show its cached count 1 for up to 1 s
			[ "$op.$1" = link.nocache ] && equals "$(sed -n 's/^nlink //p' "$TESTDIR/$op.sum")" \
			    "winner 2 loser 1: $NR" "$1: the link winner's file has link count 2, the loser's 1"
		fi
	done
}

stale() {	# MODE N
	python3 -c 'import os,sys; os.makedirs(sys.argv[1], exist_ok=True)' "$NETFS_EXPORT/stale-$1"
	"$NETFS/netfs-exec.sh" h2 python3 "$PROBE" stale "/mnt/spool/stale-$1" "$NETFS_EXPORT/stale-$1" "$2" \
	    >"$TESTDIR/stale.$1" 2>&1 || fail "$1: stale probe: $(tail -n 1 "$TESTDIR/stale.$1")"
	echo "$1: a file deleted at the server stays visible to h2's stat for (s): $(tr '\n' ' ' <"$TESTDIR/stale.$1")"
}

hardlink_drop() {	# MODE ACCEPTOR: a hard-linked run file dropped by h1, accepted on ACCEPTOR
	sp=/mnt/spool/hl-$1-$2 spl=$NETFS_EXPORT/hl-$1-$2
	mkdir -p "$spl/keep"
	"$SLUICE" --spool "$spl" work-pool create P >/dev/null || fail "$1: work-pool create P"
	"$NETFS/netfs-exec.sh" h1 sh -c 'printf "[run]\ncommand = true\nname = linked\n" >"$1/keep/f" &&
	    ln "$1/keep/f" "$1/pools/P/queues/default/new/linked" && stat -c %h "$1/keep/f"' sh "$sp" \
	    >"$TESTDIR/hl.$1" 2>&1 || fail "$1: h1 could not drop a hard-linked file: $(cat "$TESTDIR/hl.$1")"
	"$NETFS/netfs-exec.sh" "$2" "$SLUICE" --spool "$sp" flow-run ls -p P --json >"$TESTDIR/hl.$1.json" 2>/dev/null
	st=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["state"], r.get("message") or "")' "$TESTDIR/hl.$1.json")
	echo "$1: h1 linked a run file into new/ and then read its link count $(cat "$TESTDIR/hl.$1"); accepted on $2: $st"
	if [ "$netfs_backend" = nfs ]; then
		case $st in
		Rejected*"2 hard links"*) ok "$1: a hard-linked drop is refused on $2 (link count 2)" ;;
		*) fail "$1: a hard-linked drop was not refused on $2 for its 2 links: $st" ;;
		esac
	fi
}

for mode in default nocache; do
	netfs_up "$mode"
	races "$mode"
	if [ "$netfs_backend.$mode" = sshfs.default ]; then stale "$mode" 2; else stale "$mode" 20; fi
	hardlink_drop "$mode" h2
	hardlink_drop "$mode" h1	# the host whose cache may hold the old count
	netfs_down
done
trap - EXIT
finish
