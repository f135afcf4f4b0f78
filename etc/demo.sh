#!/bin/sh
# demo.sh - what `make demo` runs: sluice's main job on the embedded
# default spool (${XDG_STATE_HOME:-$HOME/.local/state}/sluice unless
# $SLUICE_SPOOL or sluice.ini say otherwise): work pools and work queues
# (the seed's example pool with critical/high/low queues), runs submitted,
# dropped by hand, previewed, listed, cancelled; then an agent that runs
# them in priority order within the limits, and what it left.
set -e
cd "$(dirname "$0")/.."
S=./bin/sluice
# say ARGS: echo the command as it could be pasted (quoted where a shell
# needs it), then run it
say() {
	printf '\n$ sluice'
	for _a in "$@"; do
		case $_a in
		*[!A-Za-z0-9_./:=@%+,-]* | '') printf " '%s'" "$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")" ;;
		*) printf ' %s' "$_a" ;;
		esac
	done
	printf '\n'
	$S "$@"
}

# The demo owns the pool "sluice-demo": start it afresh each time.
$S work-pool inspect sluice-demo >/dev/null 2>&1 && $S work-pool delete --force sluice-demo >/dev/null
say work-pool create sluice-demo --limit 5
say work-queue create critical -p sluice-demo --priority 1 --limit 1
say work-queue create high -p sluice-demo --priority 5 --limit 3
say work-queue create low -p sluice-demo --priority 10
say work-queue ls -p sluice-demo
say work-queue set-priority low 5 -p sluice-demo
say work-queue ls -p sluice-demo
say work-pool pause sluice-demo
say work-pool ls
say work-pool resume sluice-demo
say work-pool inspect sluice-demo
say work-pool inspect sluice-demo --json

dir=${SLUICE_SPOOL:-${XDG_STATE_HOME:-$HOME/.local/state}/sluice}/pools/sluice-demo
printf '\n$ id=$(sluice submit -p sluice-demo -q critical -- sh -c '"'"'echo "backfill; now"'"'"')\n'
id=$($S submit -p sluice-demo -q critical -- sh -c 'echo "backfill; now"')
echo "$id"
printf '$ sluice submit -p sluice-demo -q low --at +30m --name nightly -- /bin/true\n'
$S submit -p sluice-demo -q low --at +30m --name nightly -- /bin/true
printf '$ sluice submit -p sluice-demo -q high --at +3h -- /bin/true\n'
$S submit -p sluice-demo -q high --at +3h -- /bin/true
printf '\nDrop a run file by hand: write it in tmp/, rename it into new/\n'
printf '$ printf '"'"'[run]\\ncommand = "date; uptime"\\nname = dropped\\n'"'"' >%s/queues/default/tmp/d && mv ... new/\n' "$dir"
printf '[run]\ncommand = "date; uptime"\nname = dropped\n' >"$dir/queues/default/tmp/d"
mv "$dir/queues/default/tmp/d" "$dir/queues/default/new/d"
printf '... and one that cannot run as written (an unquoted ";" would be cut):\n'
printf '[run]\ncommand = date; uptime\n' >"$dir/queues/default/tmp/bad"
mv "$dir/queues/default/tmp/bad" "$dir/queues/default/new/bad"
say work-pool preview sluice-demo
say work-pool preview sluice-demo --hours 4
say flow-run ls -p sluice-demo
say flow-run ls -p sluice-demo --state Rejected --json
say flow-run inspect "$id"
say flow-run cancel -p sluice-demo -q high --state Scheduled
printf '\nThe spool is plain directories (spool-layout.md):\n$ ls %s/queues\n' "$dir"
ls "$dir/queues"

printf '\nNow an agent. It claims due runs in priority order (critical, then high,\n'
printf 'then low), at most 5 at once in the pool and 1 at once from critical, and\n'
printf 'runs each under a supervisor; its event lines go to stderr.\n'
for n in 1 2 3; do
	$S submit -p sluice-demo -q critical --name "critical-$n" -- sh -c 'echo "critical run $SLUICE_RUN_NAME on $(hostname)"; sleep 1' >/dev/null
done
for n in 1 2; do
	$S submit -p sluice-demo -q high --name "high-$n" -- sh -c 'echo "high run $SLUICE_RUN_NAME"; sleep 1' >/dev/null
	$S submit -p sluice-demo -q low --name "low-$n" -- sh -c 'echo "low run $SLUICE_RUN_NAME"' >/dev/null
done
$S submit -p sluice-demo -q low --name flaky --retries 1 --retry-delay 1 -- \
    sh -c 'echo "attempt $SLUICE_RUN_ATTEMPT"; [ "$SLUICE_RUN_ATTEMPT" = 2 ]' >/dev/null
$S submit -p sluice-demo -q low --name too-slow --timeout 1 -- sleep 30 >/dev/null
printf '$ sluice agent start -p sluice-demo --poll-seconds 2 &\n'
./bin/sluice agent start -p sluice-demo --poll-seconds 2 &
agent=$!
trap 'kill -TERM $agent 2>/dev/null' EXIT
# wait until only the run scheduled for later is left waiting
i=0
while [ $i -lt 120 ]; do
	busy=$($S flow-run ls -p sluice-demo --json | grep -c '"state":"\(Scheduled\|Late\|Pending\|Running\|AwaitingRetry\|Cancelling\)"' || true)
	[ "$busy" -le 1 ] && break
	sleep 0.5
	i=$((i + 1))
done
say agent ls -p sluice-demo
kill -TERM $agent
wait $agent || true
trap - EXIT
say flow-run ls -p sluice-demo
say flow-run logs flaky
say flow-run inspect too-slow

printf '\nA deployment: a command on a schedule, its runs made ahead of time.\n'
$S deployment delete sluice-demo-hourly >/dev/null 2>&1 || true
say deployment create sluice-demo-hourly -p sluice-demo -q low --cron '0 * * * *' -- sh -c 'echo hourly'
say deployment ls
say work-pool preview sluice-demo --hours 3
say deployment pause sluice-demo-hourly
say work-pool preview sluice-demo --hours 3
say deployment delete sluice-demo-hourly
