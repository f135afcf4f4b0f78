#!/bin/sh
# bench/scale.sh - what the commands cost as one pool grows (issue 12:
# commands that stay fast as the spool grows).
#
# For N = 1,000, 10,000 and 100,000 Scheduled runs in one pool (limit 1,
# one online agent, every run due), time each command SCALE_REPS times
# (default 5) and print the median in milliseconds, as a table:
#
#	flow-run ls			the table: the newest 15
#	flow-run ls --state Running	none are Running
#	flow-run inspect ID		a run picked at random, by its whole id
#	flow-run logs ID
#	flow-run cancel ID		a different run each time
#	work-pool inspect
#	work-pool preview --hours 1	every run is due: it lists them all
#	sluice-dispatch --once		a full pass: accept, recover, clean up,
#					claim one run (given back after)
#	sluice-agent --run-once		an agent's first pass (--limit 1: it
#					claims and starts one run of `true')
#	  ... peak RSS (KB)		its maximum resident set size, the
#					largest of SCALE_REPS passes (GNU
#					time's %M: the agent, and its starter,
#					a fork of it)
#
# The runs are made through the real submit path, `sluice submit`, one
# process per run, up to SCALE_SUBMIT_MAX runs (default 10,000: about 25 s
# here); the rest of a larger N is made by bench/mkruns, which writes the
# same run directories and id hints without a process and an fsync per run
# (submitting 100,000 runs for real takes about 4 minutes here; set
# SCALE_SUBMIT_MAX=100000 to do it).  SLUICE_BIN=DIR times the programs in
# DIR instead of bin/ (an older build, for a before/after table; the spool
# is made by this tree's programs either way).  A benchmark, not a test:
# nothing fails on a number.
#
#	bench/scale.sh [N...]		(make bench builds what it needs)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
bin=${SLUICE_BIN:-$top/bin}
reps=${SCALE_REPS:-5}
submit_max=${SCALE_SUBMIT_MAX:-10000}
[ $# -gt 0 ] || set -- 1000 10000 100000
export SLUICE_CONFIG=/dev/null
A=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
out=$(mktemp "${TMPDIR:-/tmp}/sluice-scale.XXXXXX")
trap 'rm -f "$out"' EXIT

# ms CMD...: the median wall time of $reps runs of CMD, in ms (one decimal);
# the command in $pre, if any, runs before each, untimed
pre=
ms() {
	times=""
	for i in $(seq "$reps"); do
		[ -z "$pre" ] || $pre
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		times="$times $(( (t1 - t0) / 1000 ))"
	done
	echo $times | tr ' ' '\n' | sort -n | sed -n "$(( (reps + 1) / 2 ))p" |
	    awk '{printf "%.1f", $1 / 1000}'
}
row() {	# row N WHAT CMD...
	n=$1 what=$2; shift 2
	printf '%s\t%s\t%s\n' "$what" "$n" "$(ms "$@")" >>"$out"
}
beat() { date +%s >"$P/agents/$A/heartbeat"; }
pick() {	# pick K: K run ids of sched/ (its buckets), at random
	find "$P/queues/default/sched" -mindepth 2 -maxdepth 2 -name '*.*' |
	    shuf -n "$1" | sed 's,.*/,,' | cut -c35-
}
back() {	# back RUN-DIR: into its bucket of sched/, as a hand-back puts it
	b=$(basename "$1" | cut -c1-15)
	mkdir -p "$P/queues/default/sched/$b" && mv "$1" "$P/queues/default/sched/$b/"
}

for n in "$@"; do
	sp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
	export SLUICE_SPOOL=$sp
	P=$sp/pools/scale
	./bin/sluice work-pool create scale --limit 1 >/dev/null
	k=$(( n < submit_max ? n : submit_max ))
	echo "N = $n: $k runs by sluice submit, $((n - k)) by bench/mkruns" >&2
	[ "$n" -gt "$k" ] && ./bench/mkruns "$sp" scale default $((n - k))
	i=0
	while [ $i -lt $k ]; do
		./bin/sluice submit -p scale -- true >/dev/null
		i=$((i + 1))
	done
	mkdir -p "$P/agents/$A"
	printf '[agent]\nid = %s\nname = bench\nhost = h\npid = 1\npool = scale\nqueues = \nmatch = none\nlimit = none\nprefetch = 10\nstarted = 2026-01-01T00:00:00Z\n; end of sluice file\n' \
	    "$A" >"$P/agents/$A/agent.ini"
	beat
	id=$(pick 1)
	row "$n" "flow-run ls" "$bin/sluice" flow-run ls
	row "$n" "flow-run ls --state Running" "$bin/sluice" flow-run ls --state Running
	row "$n" "flow-run inspect ID" "$bin/sluice" flow-run inspect "$id"
	row "$n" "flow-run logs ID" "$bin/sluice" flow-run logs "$id"
	# a different run each time: a cancelled one is not cancelled again
	pick "$reps" >"$sp/cancel"
	# (picked before each, untimed: the two seds cost 12 ms)
	cancel_pick() { c=$(sed -n 1p "$sp/cancel"); sed -i 1d "$sp/cancel"; }
	cancel_one() { "$bin/sluice" flow-run cancel "$c"; }
	pre=cancel_pick
	row "$n" "flow-run cancel ID" cancel_one
	pre=
	row "$n" "work-pool inspect" "$bin/sluice" work-pool inspect scale
	row "$n" "work-pool preview --hours 1" "$bin/sluice" work-pool preview scale --hours 1
	# a full pass claims one run (the pool's limit): given back before
	# the next, untimed (the mv and rm processes cost 20 ms)
	give_back() {
		beat
		for r in "$P/pending/$A"/*; do
			[ -e "$r" ] && back "$r"
		done
		rm -rf "$P/slots"/*
	}
	pre=give_back
	row "$n" "sluice-dispatch --once" "$bin/sluice-dispatch" --once -p scale
	give_back
	pre=
	# an agent's pass, and its memory: it claims and starts one run
	agent() {
		"$bin/sluice-agent" --run-once --hide-welcome -p scale --limit 1
	}
	row "$n" "sluice-agent --run-once" agent
	# GNU time's %M: the agent's maximum resident set size (its own, and
	# its starter's, a fork of it, which it waits for)
	if [ -x /usr/bin/time ]; then
		kb=0
		for i in $(seq "$reps"); do
			/usr/bin/time -f %M -o "$sp/rss" "$bin/sluice-agent" \
			    --run-once --hide-welcome -p scale --limit 1 \
			    >/dev/null 2>&1 || true
			k=$(tail -n 1 "$sp/rss")
			[ "$k" -gt "$kb" ] && kb=$k
		done
	else
		kb="- (no /usr/bin/time: apt-get install time)"
	fi
	printf '  ... peak RSS (KB)\t%s\t%s\n' "$n" "$kb" >>"$out"
	rm -rf "$sp"
done

# the table: one row per command, one column per N
awk -F'\t' -v ns="$*" -v reps="$reps" '
BEGIN { k = split(ns, nv, " ") }
!($1 in seen) { seen[$1] = 1; order[++m] = $1 }
{ v[$1, $2] = $3 }
END {
	printf "%-30s", "median ms of " reps
	for (j = 1; j <= k; j++) printf "%12s", nv[j] " runs"
	printf "\n"
	for (i = 1; i <= m; i++) {
		printf "%-30s", order[i]
		for (j = 1; j <= k; j++) printf "%12s", v[order[i], nv[j]]
		printf "\n"
	}
}' "$out"
