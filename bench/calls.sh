#!/bin/sh
# bench/calls.sh - the system calls a run of `true' costs over its whole
# life, by role: what issue 12 bounds (150 calls and 6 fsync a run in
# submit + agent + supervisor) counted the same way every time.
# (bench/compare.sh's strace column counts all of it, the submitting
# shell's forks and the command's own calls included.)
#
# N (200) runs of `true' are submitted one `sluice submit' each, every
# submit under `strace -ff'; then one agent (`--limit 2', standard PATH)
# drains them under `strace -ff' and is stopped once all are in done/.
# Each traced process is given its role by who forked it (the value a
# clone, fork or vfork returned in its parent's trace):
#
#	submit		a `sluice submit' process
#	agent		the agent (its start, its passes, its shutdown)
#	supervisor	a starter and the supervisor it becomes: the
#			agent's children that make a session (a starter that
#			cannot tell the agent forks its supervisor instead,
#			spool-layout.md, "Starters": that rare one and its
#			children count as "other", in the total)
#	recorder	the supervisor's child, the exit recorder
#	command		the recorder's child up to and with its successful
#			execve (the PATH search included); after it, the
#			command's own calls, shown apart, not sluice's
#
# A call is a line of the trace (a signal or an exit is not).  Three parts
# of the total are shown apart, as they depend on the trace or the spool
# more than on a run: strace slows forks, so a supervisor reads
# /proc/PID/stat for a start time more often than untraced (spool-layout.md,
# sl_start_tick); a fresh spool makes its ids/XX/ buckets (a create that
# fails and a mkdir) for most of its first thousand runs, and a used one
# has them; the agent opens its directory descriptors again once a second
# (spool-layout.md, "Walking less": an open and a close each), so what they
# cost a run falls as runs go faster than under strace.
# A benchmark, not a test: nothing fails on a number.  About 30 s.
#
#	bench/calls.sh		N, LIMIT, CALLS_PATH in the environment
set -eu
cd "$(dirname "$0")/.."
[ -x bin/sluice-agent ] || { echo "calls.sh: run make first" >&2; exit 1; }
command -v strace >/dev/null || {
	echo "calls.sh: strace is needed (make bench-deps)" >&2
	exit 1
}
export SLUICE_CONFIG=/dev/null
# Debian's PATH for root, not the caller's: a run's command is looked for
# in each entry in turn (`true' is the fourth)
PATH=${CALLS_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
export PATH
N=${N:-200}
LIMIT=${LIMIT:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-calls.XXXXXX")
apid=""
cleanup() {
	[ -z "$apid" ] || kill "$apid" 2>/dev/null || true
	if [ -n "${CALLS_KEEP:-}" ]; then
		echo "calls.sh: traces kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sp=$work/spool
mkdir -p "$sp" "$work/s" "$work/a"
export SLUICE_SPOOL=$sp
./bin/sluice work-pool create P >/dev/null
D=$sp/pools/P/done
mkdir -p "$D"

i=0
while [ "$i" -lt "$N" ]; do
	i=$((i + 1))
	strace -ff -o "$work/s/t$i" ./bin/sluice submit -p P -- true >/dev/null
done
strace -ff -o "$work/a/t" ./bin/sluice-agent -p P --limit "$LIMIT" \
    --hide-welcome 2>"$work/agent.log" &
apid=$!
n=0
while [ "$n" -lt "$N" ]; do
	sleep 0.2
	n=$(ls "$D" | grep -c '\.Completed$' || true)
	kill -0 "$apid" 2>/dev/null || {
		echo "calls.sh: the agent ended early:" >&2
		cat "$work/agent.log" >&2
		exit 1
	}
done
# the agent's own trace: the file whose first call executes sluice-agent
top=$(grep -l '^execve(".*sluice-agent"' "$work"/a/t.* | head -1)
top=${top##*.}
kill "$top"		# the agent: strace ends when it has
wait "$apid" || true
apid=""

awk -v n="$N" -v top="$top" -v sdir="$work/s" '
# a supervisor is a process that made a session (a starter, at once);
# its child is the recorder, whose child is the command
function role(p) {
	if (p == top) return "agent"
	if (p in sess) return "supervisor"
	if (!(p in parent)) return "other"
	if (parent[p] in sess) return "recorder"
	if (parent[p] in parent && parent[parent[p]] in sess)
		return "command"
	return "other"
}
# a line of a trace: a call, unless a signal, an exit or a resumption
function call(l) {
	return l !~ /^(\+\+\+|---|<\.\.\.)/
}
FNR == 1 {
	f = FILENAME
	sub(/.*\./, "", f)
	issub = (index(FILENAME, sdir "/") == 1)
	pid = issub ? "s" FILENAME : f
}
{
	if (!call($0)) next
	line[pid, ++nl[pid]] = $0
	if (!issub && $0 ~ /^setsid\(/)
		sess[pid] = 1
	if (!issub && $0 ~ /^(clone|clone3|fork|vfork)\(/ &&
	    match($0, /= [0-9]+$/))
		parent[substr($0, RSTART + 2)] = pid
}
END {
	for (p in nl) {
		r = p ~ /^s/ ? "submit" : role(p)
		after = forked = 0
		for (i = 1; i <= nl[p]; i++) {
			l = line[p, i]
			if (after) { cmd_own++; continue }
			calls[r]++
			if (l ~ /^f(data)?sync\(/) fs++
			if (l ~ /^rename(at2?)?\(/) rn++
			if (r == "supervisor" && l ~ /\/proc\/[0-9]+\/stat"/ &&
			    l ~ /^(open|openat)\(/) procr++
			# a new ids/XX/: the create that failed, the mkdir
			if (r == "submit" && l ~ /^mkdir(at)?\(/ &&
			    (l ~ /ids\/[0-9a-f][0-9a-f]"/ ||
			    l ~ /^mkdirat\([0-9]+, "[0-9a-f][0-9a-f]"/))
				bucket += 2
			# the descriptors the agent opened again (a second
			# window, dirfd.c), the old ones closed: after its
			# first fork (its first pass opened them)
			if (r == "agent" && l ~ /^clone/)
				forked = 1
			if (r == "agent" && forked && l ~ /O_PATH/ &&
			    l ~ /^openat\(/)
				reopen += 2
			if (r == "command" && l ~ /^execve\(/ && l ~ /= 0$/)
				after = 1
		}
	}
	split("submit agent supervisor recorder command other", o, " ")
	printf "| runs | submit | agent | supervisor | recorder |"
	printf " command, to its exec | total | fsync | rename |"
	printf " of it: /proc/PID/stat opens, ids/ buckets made,"
	printf " the agent'"'"'s openings | the command'"'"'s own |\n"
	printf "|---|---|---|---|---|---|---|---|---|---|---|\n"
	t = 0
	printf "| %d |", n
	for (k = 1; k <= 5; k++) {
		printf " %.1f |", calls[o[k]] / n
		t += calls[o[k]]
	}
	t += calls["other"]
	printf " **%.1f** | %.1f | %.1f | %.1f, %.1f, %.1f | %.1f |\n", \
	    t / n, fs / n, rn / n, procr / n, bucket / n, reopen / n, \
	    cmd_own / n
	if (calls["other"] > 0)
		printf "(%d calls of processes of no role counted in the" \
		    " total)\n", calls["other"]
}' "$work"/s/t* "$work"/a/t.*
