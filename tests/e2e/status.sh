# status.sh - sluice status (exit 0 healthy, 1 degraded: a queue with due
# runs and no agent online, a Late run past --late-seconds, an agent
# offline; the last failures; --json) and sluice metrics (OpenMetrics text
# that parses, every family typed, histograms consistent, "# EOF" last;
# --output FILE written whole).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
fast_config "$TESTDIR/sluice.ini"
cleanup() { kill_agents; }
trap cleanup EXIT

expect_rc 0 S status && contains "$out" "No work pools." "status of an empty spool: exit 0"
S work-pool create sp --limit 3 >/dev/null
S work-queue create crit -p sp --limit 1 >/dev/null
start_agent a1 -p sp --hide-welcome --name a1
wait_online sp
b=$(S submit -p sp --name boom -- sh -c 'exit 4')
expect_state "$b" Failed 10 "boom Failed"
if expect_rc 0 S status; then
	contains "$out" "Work pool 'sp': healthy" "status with an agent online: healthy"
	contains "$out" "agents: 1 online, 0 offline" "status: the agent online, by host"
	contains "$out" "$(hostname): a1" "status: agents by host"
	contains "$out" "last error: $b Failed" "status: the last failure"
	contains "$out" "Exited with code 4" "status: with its message"
	contains "$out" "slots: pool 0/3" "status: pool slots against the limit"
	contains "$out" "queue crit 0/1" "status: queue slots against its limit"
	contains "$out" "OK: 1 work pool, 0 degraded" "status: the summary line"
fi
kill -KILL "$apid"; wait "$apid" 2>/dev/null
ago() { date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
S submit -p sp -q crit --name late --at "$(ago 1200)" -- true >/dev/null
if expect_rc 1 S status; then
	contains "$out" "Work pool 'sp': degraded" "status with the agent killed and a due run: degraded, exit 1"
	contains "$out" "work queue 'crit' has 1 due run and no agent online serves it" "problem: a queue with due runs and no agent"
	contains "$out" "1 Late run, the oldest due" "problem: a Late run past --late-seconds (300)"
	contains "$out" "DEGRADED: 1 work pool, 1 degraded" "the summary says DEGRADED"
	contains "$out" "problem: agent 'a1' on $(hostname) is offline" "problem: the killed agent is offline"
fi
expect_rc 1 S status --late-seconds 100000 && case $out in
	*"Late run, the oldest"*) fail "--late-seconds 100000 still reports the Late run" ;;
	*) ok "--late-seconds 100000: a Late run of 20 minutes is no problem" ;; esac
if expect_rc 1 S status -p sp --json; then
	jcheck "status --json: one object a pool, the counts, late, slots, problems" '
obj["pool"] == "sp" and obj["healthy"] is False or bad("pool %r healthy %r" % (obj["pool"], obj["healthy"]))
obj["runs"]["Failed"] == 1 and obj["runs"]["Scheduled"] == 1 or bad("runs %r" % obj["runs"])
obj["late"] == 1 and 1100 < obj["oldest_late_seconds"] < 1500 or bad("late %r %r" % (obj["late"], obj["oldest_late_seconds"]))
obj["slots"]["pool"] == {"used": 0, "limit": 3} and obj["slots"]["crit"]["limit"] == 1 or bad("slots %r" % obj["slots"])
obj["last_errors"][0]["state"] == "Failed" or bad("last_errors %r" % obj["last_errors"])
len(obj["problems"]) >= 2 or bad("problems %r" % obj["problems"])
'
fi
expect_rc 1 S status -p nosuch && contains "$errout" "Work pool 'nosuch' not found." "status -p of an unknown pool: exit 1"

# ---- metrics ----
expect_rc 0 S metrics || fail "metrics"
printf '%s\n' "$out" >"$TESTDIR/metrics.txt"
python3 - "$TESTDIR/metrics.txt" <<'P' && ok "metrics: OpenMetrics text that parses (types, samples, histogram, # EOF)" || fail "metrics: $(cat "$TESTDIR/metrics.txt" | head -20)"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
while lines and lines[-1] == "": lines.pop()
assert lines[-1] == "# EOF", "no # EOF last"
typed = {}
samples = {}
name_re = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label_re = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample_re = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (-?[0-9.e+]+|\+Inf|NaN)$" % (name_re, label_re, label_re))
for l in lines[:-1]:
    if l.startswith("# TYPE "):
        _, _, n, t = l.split(" ", 3)
        assert n not in typed, "family typed twice: " + n
        typed[n] = t
        continue
    if l.startswith("# HELP "):
        assert l.split(" ")[2] in typed, "HELP before TYPE: " + l
        continue
    m = sample_re.match(l)
    assert m, "not a sample: %r" % l
    n = m.group(1)
    fam = n
    for suf in ("_bucket", "_count", "_sum"):
        if n.endswith(suf) and n[:-len(suf)] in typed:
            fam = n[:-len(suf)]
    assert fam in typed, "sample of an untyped family: " + l
    samples.setdefault(fam, []).append(l)
for f in ("sluice_runs", "sluice_late_runs", "sluice_slots_used", "sluice_agents", "sluice_run_duration_seconds"):
    assert f in samples, "no samples of " + f
assert typed["sluice_run_duration_seconds"] == "histogram"
b = [l for l in samples["sluice_run_duration_seconds"] if "_bucket" in l]
counts = [float(l.rsplit(" ", 1)[1]) for l in b]
assert counts == sorted(counts), "buckets not cumulative"
c = [l for l in samples["sluice_run_duration_seconds"] if "_count" in l][0]
assert float(c.rsplit(" ", 1)[1]) == counts[-1] >= 1, "count != +Inf bucket"
assert 'le="+Inf"' in b[-1]
assert 'sluice_runs{pool="sp",state="Failed"} 1' in lines
assert 'sluice_late_runs{pool="sp"} 1' in lines
assert 'sluice_pool_healthy{pool="sp"} 0' in lines
P
expect_rc 1 S metrics -o "$TESTDIR/node/sluice.prom" &&
    contains "$errout" "cannot write $TESTDIR/node/sluice.prom" "metrics -o into a missing directory: exit 1, says so"
mkdir -p "$TESTDIR/node"
if expect_rc 0 S metrics --output "$TESTDIR/node/sluice.prom"; then
	equals "$out" "" "metrics --output: nothing on stdout"
	tail -n 1 "$TESTDIR/node/sluice.prom" | grep -qx '# EOF' && ok "metrics --output: the whole text in the file" || fail "--output file: $(tail -2 "$TESTDIR/node/sluice.prom")"
	equals "$(ls "$TESTDIR/node" | wc -l)" 1 "metrics --output: no temporary file left"
fi
finish
