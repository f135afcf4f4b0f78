#!/usr/bin/env python3
# netfs_probe.py - what the shared filesystem of the netfs rig does for the
# operations the spool protocol is built on (spool-layout.md, "On a real
# NFS server"); run "on" a host by netfs_semantics.sh.
#
#   netfs_probe.py race OP DIR N T0 SELF
#	N races on DIR/OP.I, attempt I at T0 + I * 25 ms (both hosts read
#	one clock: the rig is one machine, so their attempts meet within
#	microseconds).  OP: link (link own file to a common name), excl
#	(open O_CREAT|O_EXCL), mkdir, rename (one source, own target).
#	Prints "I RESULT NLINK SAMEINO": RESULT ok or the errno's name; for
#	link, the link count of the own file afterwards and whether the two
#	names show one inode number (what sane_link's lost-reply check reads).
#   netfs_probe.py stale MNTDIR EXPDIR N
#	N times: make a file straight in the export (EXPDIR), stat it through
#	this host's mount (MNTDIR) until seen, then delete it in the export
#	and time how long this host's stat still finds it.  Prints seconds.
import errno, os, sys, time

def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))

def at(t):
    d = t - time.time()
    if d > 0.002:
        time.sleep(d - 0.002)
    while time.time() < t:
        pass

def race(op, d, n, t0, me):
    out = []
    if op == "link":
        for i in range(n):
            with open(os.path.join(d, "link.%d.%s" % (i, me)), "w") as f:
                f.write(me)
    for i in range(n):
        name = os.path.join(d, "%s.%d" % (op, i))
        at(t0 + i * 0.025)
        nl, same = "-", "-"
        try:
            if op == "link":
                own = os.path.join(d, "link.%d.%s" % (i, me))
                os.link(own, name)
            elif op == "excl":
                os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            elif op == "mkdir":
                os.mkdir(name)
            elif op == "rename":
                os.rename(name, "%s.%s" % (name, me))
            r = "ok"
        except OSError as e:
            r = err(e)
        if op == "link":
            try:
                a, b = os.lstat(own), os.lstat(name)
                nl, same = str(a.st_nlink), "same" if a.st_ino == b.st_ino else "differ"
            except OSError as e:
                nl = err(e)
        out.append("%d %s %s %s" % (i, r, nl, same))
    print("\n".join(out))

def stale(mnt, exp, n):
    for i in range(n):
        m, e = os.path.join(mnt, "stale.%d" % i), os.path.join(exp, "stale.%d" % i)
        open(e, "w").close()
        end = time.time() + 60
        while time.time() < end:
            try:
                os.stat(m)
                break
            except OSError:
                time.sleep(0.001)
        os.stat(m)		# seen: now in this host's caches
        os.unlink(e)
        t = time.time()
        while time.time() < t + 60:
            try:
                os.stat(m)
            except FileNotFoundError:
                break
            time.sleep(0.001)
        print("%.3f" % (time.time() - t))

if sys.argv[1] == "race":
    race(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
else:
    stale(sys.argv[2], sys.argv[3], int(sys.argv[4]))
