# status.sh - sluice status (exit 0 healthy, 1 degraded: a queue with due
# runs and no agent online, a Late run past --late-seconds, an agent
# offline; the last failures; --json) and sluice metrics (OpenMetrics text
# that parses, every family typed, histograms consistent, the agents'
# claim and start counters, "# EOF" last;
# --output FILE written whole).
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
fast_config "$TESTDIR/sluice.ini"
cleanup() { kill_agents; }
trap cleanup EXIT

expect_rc 0 S status && contains "$out" "No work pools." "status of an empty spool: exit 0"
expect_rc 0 S metrics && equals "$(printf '%s\n' "$out" | grep -v '^# [TH]' )" "# EOF" \
    "metrics of an empty spool: every family typed, no sample, # EOF"
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
# the agent's counters, published at its next beat (heartbeat = 1 s)
cnt=$(ls -d "$SLUICE_SPOOL"/pools/sp/agents/*/ | head -n 1)counters
n=0
until grep -qx 'starts 1' "$cnt" 2>/dev/null || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
equals "$(cat "$cnt" 2>/dev/null)" "$(printf 'claims 1\nstarts 1')" "the agent published its counters: 1 claim, 1 start"
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
list(obj["agents"][0]) == "id name host pid pool queues match limit started heartbeat status".split() or bad("agent keys %r" % list(obj["agents"][0]))
obj["agents"][0]["name"] == "a1" and obj["agents"][0]["status"] == "offline" or bad("agent %r" % obj["agents"][0])
len(obj["problems"]) >= 2 or bad("problems %r" % obj["problems"])
'
fi
expect_rc 1 S status -p nosuch && contains "$errout" "Work pool 'nosuch' not found." "status -p of an unknown pool: exit 1"
expect_rc 1 S metrics -p nosuch && contains "$errout" "Work pool 'nosuch' not found." "metrics -p of an unknown pool: exit 1"
expect_rc 2 S status --late-seconds soon && contains "$errout" "invalid --late-seconds 'soon'" "status --late-seconds soon: a usage error, exit 2"
expect_rc 2 S metrics --late-seconds -1 && contains "$errout" "invalid --late-seconds '-1'" "metrics --late-seconds -1: a usage error, exit 2"

# ---- --html FILE: one static page ----
S submit -p sp --name '<b>&"x'"'" --at +1h -- true >/dev/null
if expect_rc 1 S status --html "$TESTDIR/status.html"; then
	equals "$out" "" "status --html: nothing on stdout (the exit status still says degraded)"
fi
python3 - "$TESTDIR/status.html" <<'P' && ok "status --html: one self-contained page (no script, balanced tables, the pool, its problems, newest runs, text escaped)" || fail "status --html: $(head -c 400 "$TESTDIR/status.html")"
import sys
from html.parser import HTMLParser
text = open(sys.argv[1], encoding="utf-8").read()
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.tags = set(); s.data = []
    def handle_starttag(s, t, a):
        s.tags.add(t)
        if t in ("table", "tr", "td", "th", "section", "ul", "li", "h2", "h3", "span"):
            s.stack.append(t)
    def handle_endtag(s, t):
        if t in ("table", "tr", "td", "th", "section", "ul", "li", "h2", "h3", "span"):
            assert s.stack and s.stack[-1] == t, "unbalanced </%s> in %r" % (t, s.stack[-3:])
            s.stack.pop()
    def handle_data(s, d):
        s.data.append(d)
p = P(); p.feed(text); p.close()
assert not p.stack, "unclosed %r" % p.stack
assert "script" not in p.tags and "link" not in p.tags, "not self-contained"
data = "".join(p.data)
assert "sp" in data and "degraded" in data and "no agent online serves it" in data
assert "Newest runs" in data and "boom" in data
assert '<b>&"x\'' in data, "the run name, as text"
assert '<b>&"x' not in text, "a name written raw into the page"
P
if command -v chromium >/dev/null 2>&1; then
	(cd "$TESTDIR" && timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --window-size=1000,1400 --screenshot="$TESTDIR/status.png" "file://$TESTDIR/status.html" \
	    >"$TESTDIR/chromium.log" 2>&1)
	python3 - "$TESTDIR/status.png" <<'P' && ok "status --html in headless Chromium: a screenshot with the red 'degraded' in it" || fail "screenshot: $(tail -3 "$TESTDIR/chromium.log")"
import struct, sys, zlib
png = open(sys.argv[1], "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(png):
    n, kind = struct.unpack(">I4s", png[pos:pos + 8])
    body = png[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
red = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        if r > 150 and g < 90 and bl < 90:
            red += 1
    prev = line
assert red > 20, "no red text (%d pixels)" % red
P
	cp "$TESTDIR/status.png" "$TOP/tests/e2e/logs/status.png" 2>/dev/null
else
	ok "skipped the screenshot: chromium is not installed (make deps installs it)"
fi

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
    for suf in ("_bucket", "_count", "_sum", "_total"):
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
assert 'sluice_queue_scheduled_runs{pool="sp",queue="crit"} 1' in lines
assert 'sluice_queue_scheduled_runs{pool="sp",queue="default"} 1' in lines
assert 'sluice_queue_due_runs{pool="sp",queue="default"} 0' in lines
assert typed["sluice_agent_claims"] == typed["sluice_agent_starts"] == "counter"
for f in ("claims", "starts"):
    s = [l for l in samples["sluice_agent_" + f] if 'agent="a1"' in l]
    assert len(s) == 1 and s[0].startswith('sluice_agent_%s_total{pool="sp",agent="a1",host="' % f) \
        and s[0].endswith(" 1"), "%s: %r" % (f, s)
P
# the reference parser too, where an interpreter has it (Debian's
# python3-prometheus-client is for /usr/bin/python3, not always python3)
refpy=
for py in python3 /usr/bin/python3; do
	"$py" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null && { refpy=$py; break; }
done
if [ -n "$refpy" ]; then
	"$refpy" - "$TESTDIR/metrics.txt" <<'P' && ok "metrics: prometheus_client's OpenMetrics parser reads it" || fail "metrics: prometheus_client's parser refuses it"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
fams = {f.name: f for f in parse(open(sys.argv[1]).read())}
assert fams["sluice_runs"].type == "gauge"
assert fams["sluice_run_duration_seconds"].type == "histogram"
got = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in fams.values() for s in f.samples}
assert got[("sluice_runs", (("pool", "sp"), ("state", "Failed")))] == 1, got
assert got[("sluice_queue_scheduled_runs", (("pool", "sp"), ("queue", "crit")))] == 1
assert got[("sluice_slots_limit", (("pool", "sp"), ("queue", "")))] == 3
assert got[("sluice_run_duration_seconds_count", (("pool", "sp"),))] >= 1
assert fams["sluice_agent_starts"].type == "counter"
assert [s.value for s in fams["sluice_agent_starts"].samples if s.labels["agent"] == "a1"] == [1]
P
else
	ok "skipped prometheus_client's parser: not installed (python3-prometheus-client)"
fi
expect_rc 1 S metrics -o "$TESTDIR/node/sluice.prom" &&
    contains "$errout" "cannot write $TESTDIR/node/sluice.prom" "metrics -o into a missing directory: exit 1, says so"
mkdir -p "$TESTDIR/node"
if expect_rc 0 S metrics --output "$TESTDIR/node/sluice.prom"; then
	equals "$out" "" "metrics --output: nothing on stdout"
	tail -n 1 "$TESTDIR/node/sluice.prom" | grep -qx '# EOF' && ok "metrics --output: the whole text in the file" || fail "--output file: $(tail -2 "$TESTDIR/node/sluice.prom")"
	equals "$(ls "$TESTDIR/node" | wc -l)" 1 "metrics --output: no temporary file left"
fi
finish
