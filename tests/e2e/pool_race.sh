# pool_race.sh - many processes change one pool at the same moment.
#
# 8 workers each create 10 queues (half with an explicit, colliding
# priority, half "last") and then move each with set-priority and give it
# a limit of its own, all at once in one pool.  Afterwards: every queue is there, every priority is
# unique, no config version is torn or duplicated, no scratch file is left,
# and every command succeeded.  Run twice: creating into the default pool
# (made on first use by all workers at once) and into a named pool.
. "$TOP/tests/e2e/lib.sh"

W=8 N=10
check_pool() {	# POOL EXPECTED_QUEUE_COUNT
	pool=$1 want=$2
	S work-queue ls -p "$pool" --json >"$TESTDIR/q.json" || fail "ls $pool"
	python3 - "$TESTDIR/q.json" "$want" <<'PY' || fail "$pool: queue set after the race"
import json, sys
qs = [json.loads(l) for l in open(sys.argv[1])]
want = int(sys.argv[2])
names = [q["name"] for q in qs]
prios = [q["priority"] for q in qs]
ok = True
if len(names) != want:
    print("want %d queues, have %d" % (want, len(names))); ok = False
if len(set(names)) != len(names):
    print("duplicate names"); ok = False
if len(set(prios)) != len(prios):
    print("duplicate priorities:", sorted(prios)); ok = False
if any(p < 1 for p in prios):
    print("priority below 1"); ok = False
if prios != sorted(prios):
    print("ls not in priority order"); ok = False
# a lost update shows as a limit that is not the one last set
for q in qs:
    n = q["name"]
    if n.startswith("w"):
        w, i = n[1:].split("-q")
        if q["concurrency_limit"] != int(w) * 100 + int(i):
            print("lost update: %s has limit %s" % (n, q["concurrency_limit"])); ok = False
sys.exit(0 if ok else 1)
PY
	cdir=$SLUICE_SPOOL/pools/$pool/config
	bad=0
	for f in "$cdir"/v*.ini; do
		tail -n 1 "$f" | grep -qx '; end of sluice file' || { bad=1; echo "torn: $f"; }
		n=$(grep -c '^number = ' "$f"); [ "$n" = 1 ] || bad=1
		v=$(basename "$f" .ini); v=${v#v}; v=$((10#$v))
		grep -qx "number = $v" "$f" || { bad=1; echo "version mismatch in $f"; }
	done
	[ $bad = 0 ] && ok "$pool: every config version complete" || fail "$pool: torn config"
	left=$(find "$SLUICE_SPOOL/pools/$pool" -name '.tmp.*' -o -name '.new.*' -o -name '.trash.*' | wc -l)
	equals "$left" 0 "$pool: no scratch left behind"
}

race() {	# POOL_OPTION...
	: >"$TESTDIR/errors"
	for w in $(seq 1 $W); do
		(
			for i in $(seq 1 $N); do
				if [ $((i % 2)) = 0 ]; then
					S work-queue create "w$w-q$i" --priority $(( (i % 4) + 1 )) "$@" >/dev/null
				else
					S work-queue create "w$w-q$i" "$@" >/dev/null
				fi || echo "create w$w-q$i failed" >>"$TESTDIR/errors"
			done
			for i in $(seq 1 $N); do
				S work-queue set-priority "w$w-q$i" $(( (w + i) % 5 + 1 )) "$@" >/dev/null ||
				    echo "set-priority w$w-q$i failed" >>"$TESTDIR/errors"
				S work-queue set-concurrency-limit "w$w-q$i" $((w * 100 + i)) "$@" >/dev/null ||
				    echo "set-concurrency-limit w$w-q$i failed" >>"$TESTDIR/errors"
			done
		) &
	done
	wait
	[ -s "$TESTDIR/errors" ] && { fail "commands failed:"; cat "$TESTDIR/errors"; } || ok "all $((W * N * 2)) commands succeeded"
}

race
check_pool default-agent-pool $((W * N + 1))

S work-pool create shared >/dev/null || fail "create shared"
race -p shared
check_pool shared $((W * N + 1))

# create and delete racing: every queue deleted is gone, others remain
for w in $(seq 1 $W); do
	( for i in $(seq 1 $N); do S work-queue delete "w$w-q$i" -p shared >/dev/null || echo "delete w$w-q$i" >>"$TESTDIR/errors"; done ) &
	( for i in $(seq 1 $N); do S work-queue create "z$w-q$i" -p shared >/dev/null || echo "create z$w-q$i" >>"$TESTDIR/errors"; done ) &
done
: >"$TESTDIR/errors"
wait
check_pool shared $((W * N + 1))
if S work-queue ls -p shared --json | grep -q '"w1-q1"'; then fail "deleted queue still listed"; else ok "deleted queues gone"; fi

# two pools created under one name at once: exactly one wins
for i in $(seq 1 8); do ( S work-pool create dup >/dev/null 2>&1; echo $? >>"$TESTDIR/dup" ) & done
wait
equals "$(grep -c '^0$' "$TESTDIR/dup")" 1 "exactly one of 8 racing creates of one pool succeeds"
equals "$(grep -c '^1$' "$TESTDIR/dup")" 7 "the other 7 say it exists (exit 1)"
finish
