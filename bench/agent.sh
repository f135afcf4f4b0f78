#!/bin/sh
# bench/agent.sh - how soon sluice-agent starts a dropped run, how fast it
# drains a queue, and what it costs when idle; beside a minimal C loop
# (bench/minloop.c serve: inotify -> read -> posix_spawn /bin/sh -c ->
# waitpid -> rename, nothing else) on the same machine, in the same run.
#
#  1. latency: one idle agent (-p P --poll-seconds 60); 200 run files
#     dropped by hand one at a time (write in queues/default/tmp/, rename
#     into new/, sluice-run(5)), each `exec minloop stamp FILE'; drop time
#     taken just before the rename, start time by the run's first exec'd
#     program (CLOCK_MONOTONIC); the next is dropped 20 ms after the
#     previous is in done/.  p50, p99, max in ms.
#  2. drain: an idle agent with --limit 2 (then 8); 1,000 run files of
#     `true' written, then renamed into new/ at once; seconds from the
#     first rename until the 1,000th is in done/, and the agent's CPU.
#  3. the same two with `minloop serve' (concurrency 1 for latency).
#  4. idle: an agent with --poll-seconds 5 left alone 10 s: CPU time
#     (utime+stime ticks, /proc/PID/stat; run time, /proc/PID/schedstat)
#     and voluntary context switches (sleeps: waits, fsyncs).
# A benchmark, not a test: figures go into README.md, nothing here fails
# on a number.  About a minute.
#
#	bench/agent.sh		(make bench builds what it needs)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
ML=$top/bench/minloop
if [ ! -x "$ML" ] || [ "$top/bench/minloop.c" -nt "$ML" ]; then
	${CC:-cc} -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -o "$ML" \
	    "$top/bench/minloop.c"
fi
[ -x bin/sluice-agent ] || { echo "agent.sh: run make first" >&2; exit 1; }
export SLUICE_CONFIG=/dev/null
NLAT=${NLAT:-200}
NDRAIN=${NDRAIN:-1000}
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
apid=""
cleanup() {
	[ -z "$apid" ] || kill "$apid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# agent_up NAME ARGS... - a fresh spool with pool P, an agent on it
agent_up() {
	sp=$work/$1
	shift
	mkdir -p "$sp"
	export SLUICE_SPOOL=$sp
	./bin/sluice work-pool create P >/dev/null
	Q=$sp/pools/P/queues/default
	D=$sp/pools/P/done
	mkdir -p "$D" "$sp/stamps"
	./bin/sluice-agent -p P --hide-welcome "$@" 2>"$sp/agent.log" &
	apid=$!
	sleep 0.3	# registered, watching, idle
}
agent_down() {
	kill "$apid"
	wait "$apid" || true
	apid=""
}
# cpu PID - utime+stime in ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rate() { awk -v n="$NDRAIN" -v s="$1" 'BEGIN{printf "%.2f s, %.0f runs/s", s, n/s}'; }

# 1. sluice latency
agent_up lat --poll-seconds 60
s_lat=$("$ML" drop "$Q/new" "$Q/tmp" "$D" "$NLAT" serial "$ML" "$sp/stamps" 20)
agent_down
n=$(ls "$D" | grep -c '\.Completed$' || true)
[ "$n" -eq "$NLAT" ] || echo "agent.sh: latency: $n of $NLAT Completed" >&2

# 2. sluice drain
for L in 2 8; do
	agent_up "drain$L" --poll-seconds 60 --limit "$L"
	c0=$(cpu "$apid")
	t=$("$ML" drop "$Q/new" "$Q/tmp" "$D" "$NDRAIN" burst)
	c1=$(cpu "$apid")
	agent_down
	n=$(ls "$D" | grep -c '\.Completed$' || true)
	[ "$n" -eq "$NDRAIN" ] || echo "agent.sh: drain: $n of $NDRAIN Completed" >&2
	eval "s_drain$L=\"\$(rate $t)\""
	eval "s_cpu$L=\$(awk -v t=$((c1 - c0)) -v hz=$(getconf CLK_TCK) 'BEGIN{printf \"%.2f\", t/hz}')"
done

# 3. the minimal loop
b=$work/min
mkdir -p "$b/new" "$b/tmp" "$b/done" "$b/stamps"
# minloop_serve N CONC: start the consumer, wait until it watches
minloop_serve() {
	rm -f "$b/done"/* "$b/ready"
	"$ML" serve "$b/new" "$b/done" "$1" "$2" >"$b/ready" &
	mpid=$!
	while [ ! -s "$b/ready" ]; do sleep 0.01; done
}
minloop_serve "$NLAT" 1
m_lat=$("$ML" drop "$b/new" "$b/tmp" "$b/done" "$NLAT" serial "$ML" "$b/stamps" 20)
wait "$mpid"
for L in 2 8; do
	minloop_serve "$NDRAIN" "$L"
	t=$("$ML" drop "$b/new" "$b/tmp" "$b/done" "$NDRAIN" burst)
	wait "$mpid"
	eval "m_drain$L=\"\$(rate $t)\""
done

# 4. idle agent
agent_up idle --poll-seconds 5
sleep 0.5
c0=$(cpu "$apid")
r0=$(awk '{print $1}' "/proc/$apid/schedstat")
w0=$(awk '/^voluntary_ctxt/{print $2}' "/proc/$apid/status")
sleep 10
c1=$(cpu "$apid")
r1=$(awk '{print $1}' "/proc/$apid/schedstat")
w1=$(awk '/^voluntary_ctxt/{print $2}' "/proc/$apid/status")
agent_down
idle="$((c1 - c0)) ticks ($(awk -v r=$((r1 - r0)) 'BEGIN{printf "%.2f", r/1e6}') ms on CPU, $((w1 - w0)) voluntary context switches)"

lat() { echo "$1" | awk '{printf "%s / %s / %s", $1, $2, $3}'; }
echo "Machine: $(nproc) CPUs, Linux $(uname -r), spool on $(df -T "$work" | awk 'NR==2{print $2}'), $(date -u +%Y-%m-%d)"
echo
echo "| | sluice-agent | minimal loop |"
echo "|---|---|---|"
echo "| drop→start, $NLAT runs one at a time: p50 / p99 / max (ms) | $(lat "$s_lat") | $(lat "$m_lat") |"
echo "| drain $NDRAIN \`true\`, --limit 2 | $s_drain2 (agent CPU $s_cpu2 s) | $m_drain2 |"
echo "| drain $NDRAIN \`true\`, --limit 8 | $s_drain8 (agent CPU $s_cpu8 s) | $m_drain8 |"
echo "| idle 10 s, --poll-seconds 5: agent CPU | $idle | |"
