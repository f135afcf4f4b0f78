#!/bin/sh
# demo.sh - what `make demo` runs: sluice's main job on the embedded
# default spool (${XDG_STATE_HOME:-$HOME/.local/state}/sluice unless
# $SLUICE_SPOOL or sluice.ini say otherwise).  Today that is work pools and
# work queues (the seed's example pool with critical/high/low queues) and
# runs: submitted, dropped by hand, previewed, listed, cancelled.  Agents
# that execute the runs come with sluice-agent.
set -e
cd "$(dirname "$0")/.."
S=./bin/sluice
say() { printf '\n$ sluice %s\n' "$*"; $S "$@"; }

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
