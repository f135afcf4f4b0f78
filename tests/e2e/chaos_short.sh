# chaos_short.sh - a short kill -9 campaign (tests/chaos/chaos.sh): a few
# hundred runs and about 200 kills -9 of agents, dispatchers, supervisors
# and command leaders on one pool with limits 6/2/3; passes only with no
# violation at all (no run lost, no attempt run twice, no finished command
# run again, no two attempts at once, every limit held by live processes,
# nothing left under a private name).  `make chaos` runs the long one.
. "$TOP/tests/e2e/lib.sh"
[ -x "$TOP/tests/chaos/sampler" ] ||
    { echo "skipped: tests/chaos/sampler is not built (make tests/chaos/sampler)"; exit 77; }
export CHAOS_DIR="$TESTDIR/chaos"
mkdir -p "$CHAOS_DIR"
CHAOS_RUNS=${CHAOS_RUNS:-400} CHAOS_KILLS=${CHAOS_KILLS:-200} CHAOS_KILL_MS=${CHAOS_KILL_MS:-300} \
CHAOS_SECONDS=${CHAOS_SECONDS:-240} \
    sh "$TOP/tests/chaos/chaos.sh"
rc=$?
equals "$rc" 0 "chaos campaign: no violation (summary above)"
finish
