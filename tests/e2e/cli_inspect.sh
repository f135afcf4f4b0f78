# cli_inspect.sh - one inspect style for every object (lib/pretty.c): the
# text of work-pool, work-queue, deployment and flow-run inspect is
# TYPE(, then one "key=value," line per field, then ")", each value a
# Python literal (read back here by ast.literal_eval) equal to the same
# key's value in --json (null/None, true/True, lists, objects), the JSON's
# keys first and in its order, then what the text adds (created; a pool's
# agents and alert settings; a deployment's version).  The command is
# shown as submitted; a value with quotes, a newline and non-ASCII is
# escaped as Python's repr escapes it.
. "$TOP/tests/e2e/lib.sh"

S work-pool create 'insp' >/dev/null || fail "work-pool create"
S work-queue create low -p insp --priority 7 --limit 3 >/dev/null || fail "work-queue create"
S deployment create nightly -p insp -q low --cron '0 2 * * *' --retries 2 -- \
    printf '%s\n' "it's \"x\"" >/dev/null || fail "deployment create"
rid=$(S submit -p insp --name "caf$(printf '\303\251') it's \"q\"" -- printf '%s\n' 'tab	and "both'"'"' quotes') ||
    fail "submit"

check() {	# check TYPE EXTRA-KEYS COMMAND ARGS...: text against JSON
	type=$1 extra=$2
	shift 2
	S "$@" >"$TESTDIR/text" || fail "$*: exit $?"
	S "$@" --json >"$TESTDIR/json" || fail "$* --json: exit $?"
	python3 - "$TESTDIR/text" "$TESTDIR/json" "$type" "$extra" <<'PY' && ok "$type: one line a key, Python literals, the JSON's values and order, then $extra" ||
import ast, json, sys
text = open(sys.argv[1], encoding="utf-8").read()
obj = json.load(open(sys.argv[2], encoding="utf-8"))
typ, extra = sys.argv[3], sys.argv[4].split()
lines = text.split("\n")
def bad(why):
    print("  %s: %s\n%s" % (typ, why, text)); sys.exit(1)
if lines[0] != typ + "(" or lines[-2:] != [")", ""]:
    bad("not TYPE( ... )")
keys, vals = [], {}
for l in lines[1:-2]:
    if not l.startswith("    ") or not l.endswith(",") or "=" not in l:
        bad("line %r" % l)
    k, v = l[4:-1].split("=", 1)
    try:
        vals[k] = ast.literal_eval(v)
    except Exception as e:
        bad("%r is not a Python literal: %s" % (v, e))
    keys.append(k)
if keys != list(obj.keys()) + extra:
    bad("keys %r, want %r" % (keys, list(obj.keys()) + extra))
for k in obj:
    if k == "command" and "command" in vals and typ in ("FlowRun", "Deployment"):
        continue	# as submitted: checked below
    if vals[k] != obj[k]:
        bad("%s: text %r, JSON %r" % (k, vals[k], obj[k]))
PY
	fail "$type: text and JSON differ"
}
check WorkPool "created agents on_failure on_crash mail" work-pool inspect insp
check WorkQueue "created" work-queue inspect low -p insp
check Deployment "created version on_failure on_crash mail" deployment inspect nightly
check FlowRun "" flow-run inspect "$rid"

# the same through ids (Prefect takes either)
pid=$(S work-pool inspect insp --json | jget id)
equals "$(S work-pool inspect "$pid")" "$(S work-pool inspect insp)" "work-pool inspect by id: the same text"

# the command as submitted: the shell words that give the argv back
S deployment inspect nightly >"$TESTDIR/d"
python3 - "$TESTDIR/d" <<'PY' && ok "deployment: command as submitted, a shell line giving its argv back" || fail "deployment command"
import ast, shlex, sys
for l in open(sys.argv[1], encoding="utf-8"):
    if l.startswith("    command="):
        cmd = ast.literal_eval(l[12:-2])
        want = ["printf", "%s\\n", "it's \"x\""]
        if shlex.split(cmd) != want:
            print("  %r splits to %r" % (cmd, shlex.split(cmd))); sys.exit(1)
        if "exec" in cmd or "IFS" in cmd:
            print("  stored form shown: %r" % cmd); sys.exit(1)
        sys.exit(0)
sys.exit(1)
PY
S flow-run inspect "$rid" >"$TESTDIR/r"
python3 - "$TESTDIR/r" <<'PY' && ok "flow-run: name and command escaped as repr, command as submitted" || fail "flow-run text"
import ast, shlex, sys
v = {}
for l in open(sys.argv[1], encoding="utf-8"):
    if l.startswith("    ") and "=" in l:
        k, x = l[4:].rstrip("\n")[:-1].split("=", 1)
        v[k] = (x, ast.literal_eval(x))
raw, name = v["name"]
if name != "caf\u00e9 it's \"q\"" or not raw.startswith("'caf\u00e9 it\\'s"):
    print("  name %r" % raw); sys.exit(1)
raw, cmd = v["command"]
if shlex.split(cmd) != ["printf", "%s\\n", "tab\tand \"both' quotes"] or "\\t" not in raw:
    print("  command %r" % raw); sys.exit(1)
PY
finish
