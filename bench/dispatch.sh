#!/bin/sh
# bench/dispatch.sh - what one dispatch pass costs as the queue grows.
#
# For N = 1,000, 10,000 and 100,000 Scheduled runs in one pool (limit 1,
# one online agent), time `sluice-dispatch --once` (a full pass: accept,
# recover, clean up, claim one run) five times and report the median, and
# count the files the pass opens (strace).  The claim orders runs by their
# names alone, so the pass may grow with the directory listing (readdir,
# sort) but must not open a file per queued run.  A benchmark, not a test:
# figures go into README.md, nothing here fails on a number.
#
#	bench/dispatch.sh [N...]	(make bench builds what it needs)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
[ $# -gt 0 ] || set -- 1000 10000 100000
export SLUICE_CONFIG=/dev/null
A=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
printf '%8s  %12s  %12s  %s\n' runs "median ms" "files opened" "(of which run.ini)"
for n in "$@"; do
	sp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
	export SLUICE_SPOOL=$sp
	./bin/sluice work-pool create bench --limit 1 >/dev/null
	./bench/mkruns "$sp" bench default "$n"
	P=$sp/pools/bench
	mkdir -p "$P/agents/$A"
	printf '[agent]\nid = %s\nname = bench\nhost = h\npid = 1\npool = bench\nqueues = \nmatch = none\nlimit = none\nprefetch = 10\nstarted = 2026-01-01T00:00:00Z\n; end of sluice file\n' "$A" >"$P/agents/$A/agent.ini"
	times=""
	for i in 1 2 3 4 5; do
		date +%s >"$P/agents/$A/heartbeat"
		t0=$(date +%s%N)
		./bin/sluice-dispatch --once -p bench 2>/dev/null
		t1=$(date +%s%N)
		times="$times $(( (t1 - t0) / 1000 ))"
		# put the claimed run back, free its slot: the queue stays at n
		for r in "$P/pending/$A"/*; do
			b=$(basename "$r" | cut -c1-15)
			mkdir -p "$P/queues/default/sched/$b" &&
			    mv "$r" "$P/queues/default/sched/$b/"
		done
		rm -rf "$P/slots"/*
	done
	med=$(echo $times | tr ' ' '\n' | sort -n | sed -n 3p)
	opens=$(strace -f -e trace=open,openat -o "$sp/strace" ./bin/sluice-dispatch --once -p bench 2>/dev/null; grep -c 'open' "$sp/strace" || true)
	runini=$(grep -c 'run.ini' "$sp/strace" || true)
	printf '%8d  %12s  %12d  %d\n' "$n" "$(echo "$med" | awk '{printf "%.1f", $1/1000}')" "$opens" "$runini"
	rm -rf "$sp"
done
