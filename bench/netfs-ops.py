#!/usr/bin/env python3
# bench/netfs-ops.py SPOOL RUNS TRACE... - file system calls on SPOOL in
# strace output (-ff -yy, one file per process), per run: the total, by
# call, and the top (call, path pattern) pairs.  bench/netfs.sh uses it.
# Patterns: SPOOL cut off; a UUID is ID, a name part of digits N, of 8 or
# more hex digits X, vNNN... vN.  PAIRS (25): how many pairs.
import collections
import os
import re
import sys
pre = sys.argv[1].rstrip("/")
runs = int(sys.argv[2])
line_re = re.compile(r'^(?:\d+ +)?(\w+)\((.*)\)\s+=\s+(-?\w+)(.*)$')
fdpath = re.compile(r'^(?:AT_FDCWD|-?\d+)<([^>]*)>')
uu = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
def args(s):
    out, depth, cur, q, esc = [], 0, "", False, False
    for ch in s:
        if q:
            cur += ch
            if esc: esc = False
            elif ch == "\\": esc = True
            elif ch == '"': q = False
            continue
        if ch == '"': q = True; cur += ch; continue
        if ch in "[{(": depth += 1
        if ch in "]})": depth -= 1
        if ch == "," and depth == 0: out.append(cur.strip()); cur = ""; continue
        cur += ch
    if cur.strip(): out.append(cur.strip())
    return out
def unq(a):
    return a[1:a.index('"', 1)] if a.startswith('"') else None
def join(dirarg, name):
    if name is None: return None
    if name.startswith("/"): return name
    m = fdpath.match(dirarg or "")
    if not m: return None
    return m.group(1) + ("/" + name if name else "")
ATCALLS = {"openat":0, "newfstatat":0, "statx":0, "mkdirat":0, "unlinkat":0, "faccessat":0,
           "faccessat2":0, "readlinkat":0, "fchmodat":0, "fchownat":0, "utimensat":0,
           "renameat":0, "renameat2":0, "linkat":0, "openat2":0, "symlinkat":1}
PATHCALLS = {"open", "stat", "lstat", "access", "mkdir", "rmdir", "unlink", "rename", "link",
             "chdir", "readlink", "statfs", "chmod", "chown", "truncate", "utime", "execve",
             "inotify_add_watch", "symlink"}
def path_of(call, a):
    if call in ATCALLS:
        return join(a[0], unq(a[1]) if len(a) > 1 else None)
    if call == "inotify_add_watch": return unq(a[1]) if len(a) > 1 else None
    if call in PATHCALLS:
        return unq(a[0])
    m = fdpath.match(a[0]) if a else None
    return m.group(1) if m else None
def norm(p):
    p = p[len(pre):] if p.startswith(pre) else p
    p = uu.sub("ID", p)
    return re.sub(r"[^./-]+", part, p) or "/"
def part(m):
    t = m.group(0)
    if t.isdigit(): return "N"
    if re.fullmatch(r"[0-9a-f]{8,}", t): return "X"
    return re.sub(r"^v[0-9]+$", "vN", t)
GROUP = {"newfstatat":"stat", "statx":"stat", "stat":"stat", "lstat":"stat", "fstat":"stat",
         "getdents64":"getdents64", "unlink":"unlink", "unlinkat":"unlink", "rename":"rename",
         "renameat":"rename", "renameat2":"rename", "mkdir":"mkdir", "mkdirat":"mkdir",
         "fsync":"fsync", "fdatasync":"fsync", "openat":"open", "open":"open",
         "read":"read", "pread64":"read", "write":"write", "pwrite64":"write",
         "close":"close", "rmdir":"rmdir", "link":"link", "linkat":"link"}
bycall = collections.Counter(); bypath = collections.Counter(); total = 0; errs = collections.Counter()
procs = 0
byproc = collections.Counter()
for f in sys.argv[3:]:
    procs += 1
    who = "children"
    for ln in open(f, errors="replace"):
        if ln.startswith('execve("') and "sluice-agent" in ln.split(",")[0]:
            who = "agent"
        m = line_re.match(ln)
        if not m: continue
        call, a, ret = m.group(1), args(m.group(2)), m.group(3)
        p = path_of(call, a)
        if p is None or not (p == pre or p.startswith(pre + "/")): continue
        g = GROUP.get(call, call)
        total += 1
        byproc[who] += 1
        bycall[g] += 1
        bypath[(g, norm(p))] += 1
        if ret == "-1": errs[(g, norm(p), m.group(4).split()[0] if m.group(4).split() else "")] += 1
print("processes traced: %d; file syscalls on the spool: %d, %.1f per run" % (procs, total, total / runs))
print("by call, per run: " + ", ".join("%s %.1f" % (k, v / runs) for k, v in bycall.most_common()))
print("by process, per run: the agent %.1f, the processes it forked (supervisors, recorders, runs) %.1f"
      % (byproc["agent"] / runs, byproc["children"] / runs))
print("top (call, path), per run:")
for (g, p), v in bypath.most_common(int(os.environ.get("PAIRS", "25"))):
    print("  %7.2f  %-10s %s" % (v / runs, g, p))
if errs:
    print("failed calls, per run:")
    for (g, p, e), v in errs.most_common(15):
        print("  %7.2f  %-10s %s %s" % (v / runs, g, p, e))
