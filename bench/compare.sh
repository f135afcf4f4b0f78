#!/bin/sh
# bench/compare.sh - sluice beside its anchors, on the same machine, in the
# same run: the minimal loop (bench/minloop.c serve/submit) without and
# with fsync, beanstalkd 1.12 with a small C worker (bench/bsq.c), at its
# default fsync policy and at -f0 (an fsync at every binlog write),
# task-spooler (tsp) and nq.  Every job is `true' unless said.
#
#  rounds: submit, drain and latency are measured ROUNDS (3) times, the
#     systems taking turns within each round (sluice, then each anchor,
#     then the next round), and each figure is the median of its rounds:
#     this VM's speed drifts by tens of percent within minutes, and a
#     drift then falls on every system alike.  Idle and strace, once.
#  submit: wall seconds for N (1,000) submissions by the command line, one
#     process each (sluice submit; minloop submit; bsq put; tsp; nq), from
#     a sh loop, with no consumer running (nq: behind a first job that
#     blocks; tsp: see drain); the median of every drain's submission
#     (two a round).
#  drain: seconds from the consumer starting on N queued jobs until all
#     are done, with 2 and with 8 slots (sluice-agent --limit S; minloop
#     serve CONC; bsq work PORT S, one worker holding S reserved jobs and
#     S children; tsp -S S; nq has no slots).  nq keeps its queue in
#     waiting processes: its drain starts when the blocking first job
#     ends.  tsp's queue is a waiting process per job, each connected to
#     its server, which takes about 1,000: its N jobs are submitted while
#     it runs them, and its drain runs from the first submission.
#  latency: p50/p99 ms over NLAT (100) jobs submitted one at a time to an
#     idle consumer (minloop lat): submit time just before the submitting
#     command is spawned, start time taken by the job's first exec'd
#     program (`minloop stamp'); each next job 20 ms after the previous
#     one is done.
#  idle: CPU ticks (utime+stime, /proc/PID/stat) and wake-ups (voluntary
#     context switches, every thread) of the consumer's processes over
#     IDLE (10) s with nothing queued, default settings.
#  strace: `strace -f -c' over NTRACE (200) submissions and their drain
#     at 2 slots (the submitting sh loop, the consumer and all it forks,
#     servers included): system calls, fsync+fdatasync and renames
#     (rename, renameat, renameat2) per job.
# Missing packages (beanstalkd, task-spooler, nq, strace) are installed
# with apt-get by `make bench-deps' when run as root, saying so (no
# service starts: see `make deps'); a system that cannot be had is
# skipped with a note.  By hand: apt-get install -y --no-install-recommends
# beanstalkd task-spooler nq strace.  A benchmark, not a test: figures go into README.md, nothing
# here fails on a number.  About five minutes.
#
#	bench/compare.sh [SYSTEM...]	(make bench builds what it needs)
#	SYSTEM: sluice minloop minloop-fsync beanstalkd beanstalkd-fsync tsp
#	    nq (default all);
#	N, NLAT, NTRACE, IDLE, ROUNDS in the environment shrink a trial run.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
ML=$top/bench/minloop
BSQ=$top/bench/bsq
for p in minloop bsq; do
	if [ ! -x "bench/$p" ] || [ "bench/$p.c" -nt "bench/$p" ]; then
		${CC:-cc} -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE \
		    -o "bench/$p" "bench/$p.c"
	fi
done
[ -x bin/sluice-agent ] || { echo "compare.sh: run make first" >&2; exit 1; }
export SLUICE_CONFIG=/dev/null
N=${N:-1000}
NLAT=${NLAT:-100}
NTRACE=${NTRACE:-200}
IDLE=${IDLE:-10}
ROUNDS=${ROUNDS:-3}
[ $# -gt 0 ] || set -- sluice minloop minloop-fsync beanstalkd \
    beanstalkd-fsync tsp nq
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-compare.XXXXXX")
res=$work/results
rounds=$work/rounds	# NAME SUBMIT DRAIN2 SUBMIT DRAIN8 P50 P99, a round each
notes=$work/notes
: >"$res"
: >"$rounds"
: >"$notes"
pids=""		# every background process this script started
tsock=""	# a tsp server to stop
cleanup() {
	[ -z "$tsock" ] || TS_SOCKET=$tsock tsp -K >/dev/null 2>&1 || true
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
note() { echo "$*" >>"$notes"; echo "compare.sh: $*" >&2; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b - a) / 1e9}'; }
# bg CMD...: start CMD in the background, remember its pid in $bgpid
bg() { "$@" & bgpid=$!; pids="$pids $bgpid"; }
# stop PID: TERM it and reap it
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# traced PID: the process strace PID runs (its first child, once forked)
traced() {
	until c=$(cat "/proc/$1/task/$1/children") && [ -n "$c" ]; do
		sleep 0.01
	done
	echo "${c%% *}"
}

# ---- what is missing, from Debian
missing=""
for pb in strace:strace beanstalkd:beanstalkd task-spooler:tsp nq:nq; do
	command -v "${pb#*:}" >/dev/null 2>&1 || missing="$missing ${pb%%:*}"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		note "installing$missing with apt-get (make bench-deps)"
		make -s bench-deps >/dev/null 2>&1 || note "make bench-deps failed"
	else
		note "not installed:$missing (make bench-deps installs them)"
	fi
fi

# ---- each system: setup (a fresh queue; servers that hold it), submit
# CMD (one submission, a shell command), start S (the consumer, S slots;
# $cpids: its processes), drained K (block until K jobs are done), latargs
# (the WAITCMD and submit ARGV of minloop lat), down (stop it all).
# $T: a command prefix (strace) for the consumer, empty when not tracing.
T=""

sluice_setup() {
	sp=$work/sluice
	rm -rf "$sp"
	mkdir -p "$sp"
	export SLUICE_SPOOL=$sp
	./bin/sluice work-pool create P >/dev/null
	D=$sp/pools/P/done
	mkdir -p "$D"
}
sluice_submit() { ./bin/sluice submit -p P -- "$@" >/dev/null; }
sluice_start() {
	bg $T ./bin/sluice-agent -p P --limit "$1" --hide-welcome 2>>"$work/agent.log"
	cpids=$bgpid
}
sluice_drained() { "$ML" wait "$D" "$1"; }
sluice_latargs() {
	set -- "$ML wait $D @N@" ./bin/sluice submit -p P -- "$ML" stamp "$work/st/@I@"
	"$ML" lat "$NLAT" 20 "$work/st" "$@"
}
sluice_down() {
	[ -z "$T" ] || cpids=$(traced "$cpids")
	kill "$cpids"
	wait "$bgpid" || true
}

# the minimal loop; $msync is "" or fsync
ml_setup() {
	mb=$work/min
	rm -rf "$mb"
	mkdir -p "$mb/new" "$mb/tmp" "$mb/done"
}
ml_submit() { "$ML" submit "$mb/new" "$mb/tmp" "$*" $msync; }
ml_start() {
	bg $T "$ML" serve "$mb/new" "$mb/done" "${mn:-$N}" "$1" $msync >/dev/null
	cpids=$bgpid
}
ml_drained() { "$ML" wait "$mb/done" "$1"; }
ml_latargs() {
	"$ML" lat "$NLAT" 20 "$work/st" "$ML wait $mb/done @N@" \
	    "$ML" submit "$mb/new" "$mb/tmp" "exec $ML stamp $work/st/@I@" $msync
}
ml_down() {	# serve ends by itself after $mn jobs, or is stopped
	if [ -n "$T" ]; then wait "$bgpid"; else stop "$bgpid"; fi
}

# beanstalkd: the server holds the queue, with a binlog (-b) and its
# default fsync policy (at most every 50 ms)
port=$(( 20000 + $$ % 20000 ))
bs_setup() {
	port=$((port + 1))
	rm -rf "$work/bs"
	mkdir -p "$work/bs"
	# shellcheck disable=SC2086
	bg $T beanstalkd -l 127.0.0.1 -p "$port" -b "$work/bs" $bsf
	bspid=$bgpid
	i=0
	until "$BSQ" wait "$port" 0 0 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { note "beanstalkd did not start"; return 1; }
		sleep 0.05
	done
}
bs_submit() { "$BSQ" put "$port" "$*"; }
bs_start() {
	bg $T "$BSQ" work "$port" "$1"
	bwpid=$bgpid
	cpids="$bwpid $bspid"
	[ -z "$T" ] || cpids="$(traced "$bwpid") $(traced "$bspid")"
}
bs_drained() { "$BSQ" wait "$port" "$1"; }
bs_latargs() {
	"$ML" lat "$NLAT" 20 "$work/st" "$BSQ wait $port @N@" \
	    "$BSQ" put "$port" "exec $ML stamp $work/st/@I@"
}
bs_down() {	# the worker first: the server going first would be an error
	kill ${cpids% *} 2>/dev/null || true
	wait "$bwpid" 2>/dev/null || true
	kill ${cpids#* } 2>/dev/null || true
	wait "$bspid" 2>/dev/null || true
}

# task-spooler: a private server (TS_SOCKET) and output dir (TMPDIR); its
# queue is its waiting clients, so a first job blocks on a fifo until
# start; each job's output goes to a file, tsp's default.  ts_prep makes
# the directories, ts_first is the first commands (they start the server)
ts_prep() {
	[ -z "$tsock" ] || tsp -K >/dev/null 2>&1 || true
	rm -rf "$work/ts"
	mkdir -p "$work/ts"
	tsock=$work/ts/socket
	export TS_SOCKET=$tsock TS_MAXFINISHED=100000 TS_MAXCONN=100000
	mkfifo "$work/ts/go"
	tsrv=""
}
ts_first() { echo "TMPDIR=$work/ts tsp -S 1; TMPDIR=$work/ts tsp sh -c 'read x <$work/ts/go' >/dev/null"; }
ts_setup() { ts_prep; eval "$(ts_first)"; }
ts_submit() { TMPDIR=$work/ts tsp "$@" >/dev/null; }
ts_start() {
	tsp -S "$1"
	echo go >"$work/ts/go"
	tsp -w 0 >/dev/null 2>&1 || true
	tsp_server
	cpids=$tsrv
}
# tsp_server: the server's pid: the process that holds our socket open as
# its listener
tsp_server() {
	[ -z "$tsrv" ] || return 0
	ino=$(awk -v s="$tsock" '$NF == s && $6 == "01" { print $7; exit }' /proc/net/unix)
	for f in /proc/[0-9]*/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "socket:[$ino]" ] || continue
		tsrv=${f#/proc/}
		tsrv=${tsrv%%/*}
		return 0
	done
}
ts_drained() {	# ids 1..K after the blocker: the last S by tsp -w, then the list
	i=$(( $1 - ${slots:-1} + 1 ))
	[ $i -ge 1 ] || i=1
	while [ $i -le "$1" ]; do tsp -w $i >/dev/null 2>&1 || true; i=$((i + 1)); done
	while [ "$(tsp -l | grep -c ' finished ')" -lt $(( $1 + 1 )) ]; do sleep 0.01; done
}
ts_latargs() {
	"$ML" lat "$NLAT" 20 "$work/st" "tsp -w @N@ >/dev/null" \
	    env TMPDIR="$work/ts" tsp "$ML" stamp "$work/st/@I@"
}
ts_down() { tsp -K >/dev/null 2>&1 || true; tsock=""; }

# nq: no consumer at all; each job is a process that waits (flock) for the
# jobs before it, one at a time, in NQDIR; a first job blocks on a fifo
nq_prep() {
	rm -rf "$work/nq"
	mkdir -p "$work/nq"
	export NQDIR=$work/nq/q
	mkfifo "$work/nq/go"
}
nq_first() { echo "nq -q sh -c 'read x <$work/nq/go'"; }
nq_setup() { nq_prep; eval "$(nq_first)"; }
nq_submit() { nq -q "$@"; }
nq_start() { echo go >"$work/nq/go"; cpids=""; }
nq_drained() { nq -w; }
nq_latargs() {
	"$ML" lat "$NLAT" 20 "$work/st" "nq -w" nq -q "$ML" stamp "$work/st/@I@"
}
nq_down() { :; }

# ---- the measures, for system prefix $s
submit_n() {	# K: K submissions of `true'; prints the wall seconds
	t0=$(now)
	i=0
	while [ $i -lt "$1" ]; do ${s}_submit true; i=$((i + 1)); done
	secs "$t0" "$(now)"
}
drain() {	# S: prints "submit-seconds drain-seconds"
	slots=$1
	${s}_setup
	if [ "$s" = ts ]; then
		# tsp's server takes about 1,000 connections, one per waiting
		# job: it cannot hold 1,000 queued; submitted while running
		${s}_start "$1"
		t0=$(now)
		sub=$(submit_n "$N")
	else
		sub=$(submit_n "$N")
		t0=$(now)
		${s}_start "$1"
	fi
	${s}_drained "$N"
	t1=$(now)
	${s}_down
	echo "$sub $(secs "$t0" "$t1")"
}
latency() {	# prints "p50 p99"
	rm -rf "$work/st"
	mkdir -p "$work/st"
	slots=1 mn=$NLAT
	${s}_setup
	${s}_start 1
	r=$(${s}_latargs)
	${s}_down
	mn=""
	echo "$r" | awk '{print $1, $2}'
}
# load PIDS: "ticks wakeups" so far, summed over the processes
load() {
	for p in "$@"; do
		awk '{print $14 + $15}' "/proc/$p/stat"
		cat /proc/"$p"/task/*/status | awk '/^voluntary_ctxt/ {print "w", $2}'
	done | awk '$1 == "w" {w += $2; next} {t += $1} END {print t + 0, w + 0}'
}
idle() {	# prints "ticks wakeups" over IDLE s
	slots=2 mn=1000000
	${s}_setup
	${s}_start 2
	mn=""
	if [ -z "$cpids" ]; then ${s}_down; echo "0 0"; return; fi
	sleep 1
	# shellcheck disable=SC2086
	a=$(load $cpids)
	sleep "$IDLE"
	# shellcheck disable=SC2086
	b=$(load $cpids)
	${s}_down
	echo "$a $b" | awk '{print $3 - $1, $4 - $2}'
}
# strace_n: "syscalls fsyncs renames" per job over NTRACE jobs at 2 slots
strace_n() {
	tr=$work/trace
	rm -rf "$tr"
	mkdir -p "$tr"
	slots=2 mn=$NTRACE
	case $s in
	ts|nq)	# the server (tsp) and the jobs are the submitters' children:
		# all of it under one strace, which ends when they all have
		${s}_prep
		loop=$(subloop)
		bg strace -f -c -o "$tr/all" sh -c "$(${s}_first); $loop; : >$work/queued"
		until [ -e "$work/queued" ]; do sleep 0.05; done
		rm -f "$work/queued"
		${s}_start 2
		${s}_drained "$NTRACE"
		${s}_down
		wait "$bgpid" || true ;;
	*)	T="strace -f -c -o $tr/server"
		${s}_setup
		T=""
		loop=$(subloop)
		strace -f -c -o "$tr/submit" sh -c "$loop"
		T="strace -f -c -o $tr/consumer"
		${s}_start 2
		${s}_drained "$NTRACE"
		${s}_down ;;
	esac
	T=""
	mn=""
	cat "$tr"/* | awk -v n="$NTRACE" '
		$NF == "total" { c += $4 }
		$NF == "fsync" || $NF == "fdatasync" { f += $4 }
		$NF ~ /^rename(at2?)?$/ { r += $4 }
		END { printf "%.0f %.1f %.1f\n", c / n, f / n, r / n }'
}
# subloop: the traced sh loop of NTRACE submissions by system $s
subloop() {
	case $s in
	sluice)	c="./bin/sluice submit -p P -- true >/dev/null" ;;
	ml)	c="$ML submit $mb/new $mb/tmp true $msync" ;;
	bs)	c="$BSQ put $port true" ;;
	ts)	c="TMPDIR=$work/ts tsp true >/dev/null" ;;
	nq)	c="nq -q true" ;;
	esac
	echo "i=0; while [ \$i -lt $NTRACE ]; do $c; i=\$((i + 1)); done"
}

# system SYS: its table name and prefix into $name and $s (and minloop's
# $msync); false, with a note the first time, if it is not installed
system() {
	case $1 in
	sluice)	name=sluice s=sluice ;;
	minloop) name=minloop s=ml msync="" ;;
	minloop-fsync) name=minloop+fsync s=ml msync=fsync ;;
	beanstalkd) name=beanstalkd s=bs bsf="" ;;
	beanstalkd-fsync) name=beanstalkd+fsync s=bs bsf=-f0 ;;
	tsp)	name=tsp s=ts ;;
	nq)	name=nq s=nq ;;
	*)	echo "compare.sh: unknown system '$1'" >&2; exit 2 ;;
	esac
	case $s in
	bs|ts|nq) b=beanstalkd
		[ $s != ts ] || b=tsp
		[ $s != nq ] || b=nq
		command -v $b >/dev/null 2>&1 && return 0
		[ "$round" != 1 ] || note "$name skipped: not installed"
		return 1 ;;
	esac
}
# median COLUMN...: of NAME's rounds, the median of the figures in those
# columns of $rounds (the mean of the middle two of an even count)
median() {
	awk -v n="$name" -v cols="$*" '
	BEGIN { k = split(cols, c, " ") }
	$1 == n { for (i = 1; i <= k; i++) v[m++] = $(c[i]) }
	END {
		if (m == 0) { print "-"; exit }
		for (i = 1; i < m; i++)	# insertion sort: a few figures
			for (j = i; j > 0 && v[j - 1] + 0 > v[j] + 0; j--) {
				x = v[j]; v[j] = v[j - 1]; v[j - 1] = x
			}
		if (m % 2) print v[(m - 1) / 2]
		else printf "%.2f\n", (v[m / 2 - 1] + v[m / 2]) / 2
	}' "$rounds"
}

round=0		# every system named is known (system exits if not)
for sys in "$@"; do system "$sys" || true; done
round=1
while [ $round -le "$ROUNDS" ]; do
	for sys in "$@"; do
		system "$sys" || continue
		echo "compare.sh: $name, round $round of $ROUNDS" >&2
		d2=$(drain 2)
		d8=$(drain 8)
		echo "$name $d2 $d8 $(latency)" >>"$rounds"
	done
	round=$((round + 1))
done
for sys in "$@"; do
	system "$sys" 2>/dev/null || continue
	echo "compare.sh: $name, idle and strace" >&2
	idl=$(idle)
	if command -v strace >/dev/null 2>&1; then st=$(strace_n); else st="- - -"; fi
	echo "$name $(median 2 4) $(median 3) $(median 5) $(median 6)" \
	    "$(median 7) $idl $st" >>"$res"
done
# ---- the table: markdown, aligned; then sluice / the best anchor in each
# column (the lowest figure above 0; nq's drains are not counted)
echo "Machine: $(nproc) CPUs, Linux $(uname -r), /tmp on $(df -T "$work" | awk 'NR==2{print $2}'), $(date -u +%Y-%m-%d)"
echo "N=$N submissions and drained jobs, latency over $NLAT, idle $IDLE s," \
    "strace over $NTRACE; submit, drain, latency: the median of $ROUNDS rounds"
echo
LC_ALL=C awk '
function clen(v, x) { x = v; gsub(/[\200-\277]/, "", x); return length(x) }
function cell(i, v) { w[i] = clen(v) > w[i] ? clen(v) : w[i]; return v }
BEGIN {
	split("system|submit 1k (s)|drain 1k, 2 slots (s)|drain 1k, 8 slots (s)|" \
	    "submit→start p50 (ms)|p99 (ms)|idle CPU (ticks)|idle wake-ups|" \
	    "syscalls / job|fsync / job|rename / job", h, "|")
	for (i = 1; i <= 11; i++) t[0, i] = cell(i, h[i])
}
{
	r++
	for (i = 1; i <= 11; i++) {
		v = $i
		if ($1 == "nq" && (i == 3 || i == 4)) v = v " ¹"
		if ($1 == "nq" && (i == 7 || i == 8)) v = v " ²"
		if ($1 == "tsp" && (i == 3 || i == 4)) v = v " ³"
		if ($1 == "beanstalkd" && i == 10) v = v " ⁴"
		if ($1 == "beanstalkd+fsync" && i == 10) v = v " ⁵"
		t[r, i] = cell(i, v)
		if (i > 1 && $1 == "sluice") sl[i] = $i
		if (i > 1 && $1 != "sluice" && $i != "-" && $i + 0 > 0 &&
		    !($1 == "nq" && (i == 3 || i == 4)) &&
		    (!(i in best) || $i + 0 < best[i] + 0)) {
			best[i] = $i; who[i] = $1
		}
	}
}
END {
	r++
	t[r, 1] = cell(1, "sluice ÷ best anchor")
	for (i = 2; i <= 11; i++) {
		v = "-"
		if ((i in sl) && (i in best) && best[i] + 0 > 0)
			v = sprintf("%.1f× (%s)", sl[i] / best[i], who[i])
		t[r, i] = cell(i, v)
	}
	for (j = 0; j <= r; j++) {
		line = "|"
		for (i = 1; i <= 11; i++) {
			v = t[j, i]
			# pad by characters (¹ ÷ → are one each, more bytes)
			n = w[i] - clen(v)
			line = line " " v sprintf("%" (n > 0 ? n : 0) "s", "") " |"
		}
		print line
		if (j == 0) {
			line = "|"
			for (i = 1; i <= 11; i++) {
				d = ""
				for (k = 0; k < w[i] + 2; k++) d = d "-"
				line = line d "|"
			}
			print line
		}
	}
}' "$res"
echo
echo "¹ nq has no slots: its jobs run one at a time in both columns (not counted as best anchor); its queue is one waiting process per job, started by the submission, so its drain starts when a first, blocking job ends."
echo "² nq has no process while idle: each job is its own process, waiting (flock) for the jobs before it."
echo "³ tsp holds its queue in one waiting process per job, each connected to its server, which takes about 1,000 connections: the 1,000 jobs are submitted while it runs them, at S slots; submit is that, drain from the first submission to the last job done."
echo "⁴ beanstalkd with a binlog (-b), fsync at most every 50 ms (its default); without -b it keeps nothing."
echo "⁵ the same with -f0: an fsync at every binlog write, so that a put and a delete are durable when acknowledged, as sluice's submit and end are."
echo "Latency: the job's first exec'd program stamps the start; tsp and nq exec the job's argv directly, the others run /bin/sh -c 'exec ...'."
echo "sluice ÷ best anchor: the lowest figure above 0 among the others, in each column."
echo "strace: calls of the submitting sh loop (one fork and exec per job), the submitters, the consumer, its servers and children."
[ ! -s "$notes" ] || { echo; sed 's/^/Note: /' "$notes"; }
