# argv_roundtrip.sh - property test: 1,000 random argument vectors (both
# kinds of quote, ';', '#', '$', backslashes, newlines, tabs, other control
# bytes, UTF-8, empty strings, long arguments) go through
# `sluice submit -- ARGS`, and the command the run file yields, run by
# /bin/sh -c as an agent runs it, executes exactly that vector.
. "$TOP/tests/e2e/lib.sh"
N=${N:-1000}
cc -o "$TESTDIR/printargv" -x c - <<'C' || { fail "cannot build printargv"; finish; }
#include <stdio.h>
int main(int c, char **v) { for (int i = 1; i < c; i++) { fputs(v[i], stdout); putchar(0); } return 0; }
C
S work-pool create p >/dev/null || fail "create p"
python3 - "$SLUICE" "$TESTDIR/printargv" "$N" "$TESTDIR" <<'PY' || fail "round trip"
import json, os, random, subprocess, sys
sluice, printargv, n, tmp = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
random.seed(20261128)
alphabet = list("abcXYZ019 _-./=") + list("'\"`;#$\\!&|<>(){}[]*?~%^\t\n\r") + ["\x01", "\x1b", "\x7f", "é", "😀", "ß"]
def arg():
    k = random.choice([0, 1, 2, 5, 20, 80] + ([700, 2500] if random.random() < 0.05 else []))
    return "".join(random.choice(alphabet) for _ in range(k))
cases = {}
for i in range(n):
    argv = [arg() for _ in range(random.randint(0, 6))]
    p = subprocess.run([sluice, "submit", "-p", "p", "--", printargv] + argv,
                       capture_output=True)
    if p.returncode != 0:
        print("submit failed for %r: %s" % (argv, p.stderr.decode(errors="replace"))); sys.exit(1)
    cases[p.stdout.decode().strip()] = argv
runs = {}
out = subprocess.run([sluice, "flow-run", "ls", "-p", "p", "--json"], capture_output=True, check=True)
for line in out.stdout.decode("utf-8", "surrogateescape").splitlines():
    o = json.loads(line)
    runs[o["id"]] = o
# the JSON output replaces invalid UTF-8; read the command from run.ini
# the way an agent will: through sluice's parser, via flow-run inspect
bad = 0
for rid, argv in cases.items():
    if rid not in runs:
        print("run %s missing" % rid); sys.exit(1)
    cmd = runs[rid]["command"]
    r = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True)
    got = r.stdout.split(b"\0")[:-1]
    want = [a.encode() for a in argv]
    if got != want:
        bad += 1
        if bad < 4:
            print("MISMATCH for %r\n  command %r\n  got %r" % (argv, cmd, got))
    # the JSON's argv is the vector submitted (strings as JSON holds them)
    if runs[rid]["argv"] != [printargv] + argv:
        bad += 1
        if bad < 4:
            print("ARGV MISMATCH for %r\n  argv %r" % (argv, runs[rid]["argv"]))
print("%d vectors, %d mismatches" % (len(cases), bad))
sys.exit(1 if bad else 0)
PY
# a program whose name starts with '-' runs (bash's exec would take it for
# an option, and dash's exec has no --), and argv says it
printf '#!/bin/sh\necho "ran $*"\n' >"$TESTDIR/-x" && chmod +x "$TESTDIR/-x"
id=$(cd "$TESTDIR" && PATH="$TESTDIR:$PATH" S submit -p p -- -x a b)
cmd=$(S flow-run inspect "$id" --json | jget command)
equals "$(cd "$TESTDIR" && PATH="$TESTDIR:$PATH" /bin/sh -c "$cmd")" "ran a b" "submit -- -x a b: the command runs the program -x"
equals "$(cd "$TESTDIR" && PATH="$TESTDIR:$PATH" bash -c "$cmd")" "ran a b" "... under bash too"
equals "$(S flow-run inspect "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["argv"])')" "['-x', 'a', 'b']" "... and argv is the vector"
# text inspect shows the command as typed, not the form stored for sh
id=$(S submit -p p -- printf '%s "q"\n' 'a b')
contains "$(S flow-run inspect "$id")" "    command='printf \\'%s \"q\"\\\\n\\' \\'a b\\''," "inspect: the command as submitted"
# a run file's shell command has no argv
printf '[run]\ncommand = "echo hi; date"\n' >"$SLUICE_SPOOL/pools/p/queues/default/tmp/f" &&
    mv "$SLUICE_SPOOL/pools/p/queues/default/tmp/f" "$SLUICE_SPOOL/pools/p/queues/default/new/f.ini"
equals "$(S flow-run ls -p p --json | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["command"] == "echo hi; date": print(o["argv"])')" None "a run file's shell command: argv null"
finish
