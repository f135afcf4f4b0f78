#!/bin/sh
# demo.sh - what `make demo` runs: sluice's main job on the embedded
# default spool (${XDG_STATE_HOME:-$HOME/.local/state}/sluice unless
# $SLUICE_SPOOL or sluice.ini say otherwise).  Today that is work pools and
# work queues: the seed's example pool with critical/high/low queues.
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
printf '\nThe spool is plain directories (spool-layout.md):\n$ ls %s/queues\n' "$dir"
ls "$dir/queues"
