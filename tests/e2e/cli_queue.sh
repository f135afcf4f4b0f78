# cli_queue.sh - sluice work-queue: the default pool made on first use,
# create's message block, priorities (kept as given, new ones last,
# collisions push down, always unique), the default queue, every command's
# message and JSON, and the failures (the pool, queue and submit pages, the "JSON" sections, "EXIT STATUS";
# prefect-reference.md §3.2).
. "$TOP/tests/e2e/lib.sh"

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'


# prios POOL WANT WHAT : the pool's queues as "name=prio ..." in ls order
prios() {
	got=$(S work-queue ls -p "$1" --json 2>"$TESTDIR/prios.err" | python3 -c 'import json,sys
print(" ".join("%s=%d" % (o["name"], o["priority"]) for o in map(json.loads, sys.stdin)))')
	equals "$got" "$2" "$3"
	[ -s "$TESTDIR/prios.err" ] && fail "$3: ls wrote to stderr: $(cat "$TESTDIR/prios.err")"
}

# ---- default-agent-pool, created on first use ----
[ -e "$SLUICE_SPOOL/pools/default-agent-pool" ] && fail "default-agent-pool exists before any use"
# without -p: every pool's queues, Prefect's "Work Queues" table
if expect_rc 0 S work-queue ls; then
	equals "$(printf '%s\n' "$out" | head -n 1)" "Work Queues" "ls without -p: title Work Queues (every pool)"
	printf '%s\n' "$out" | sed -n 2p | grep -Eq '^Name +Pool +ID +Concurrency Limit *$' &&
	    ok "ls without -p: columns Name, Pool, ID, Concurrency Limit" || fail "ls header: $(printf '%s\n' "$out" | sed -n 2p)"
	printf '%s\n' "$out" | grep -Eq '^default +default-agent-pool +[0-9a-f-]{36} +None *$' &&
	    ok "ls without -p: default-agent-pool's default queue" || fail "ls: $out"
	equals "$(printf '%s\n' "$out" | tail -n 1 | sed 's/^ *//')" "(**) denotes a paused queue" "ls: caption"
fi
if expect_rc 0 S work-queue ls -p default-agent-pool; then
	equals "$(printf '%s\n' "$out" | head -n 1)" "Work Queues in Work Pool 'default-agent-pool'" "ls -p: title names the pool"
	printf '%s\n' "$out" | sed -n 2p | grep -Eq '^Name +Priority +Concurrency Limit *$' &&
	    ok "ls -p: columns Name, Priority, Concurrency Limit" || fail "ls header: $(printf '%s\n' "$out" | sed -n 2p)"
	printf '%s\n' "$out" | grep -Eq '^default +1 +None *$' && ok "ls -p: default queue at priority 1" || fail "ls: $out"
fi
[ -d "$SLUICE_SPOOL/pools/default-agent-pool" ] && ok "work-queue ls created default-agent-pool" || fail "no default-agent-pool after work-queue ls"
expect_rc 0 S work-pool ls --json && jcheck "default-agent-pool is a pool with queue default" '
by = {o["name"]: o for o in objs}
"default-agent-pool" in by or bad("not in work-pool ls")
by["default-agent-pool"]["queues"] == ["default"] or bad("queues %r" % by["default-agent-pool"]["queues"])
'

# ---- create: message block ----
if expect_rc 0 S work-queue create critical --priority 1 --limit 1; then
	qid=$(printf '%s\n' "$out" | sed -n 's/^    id - //p')
	printf '%s\n' "$qid" | grep -Eq "$UUID_RE" && ok "create: id is a lowercase UUID" || fail "create: id '$qid'"
	equals "$out" "Created work queue with properties:
    name - 'critical'
    work pool - 'default-agent-pool'
    id - $qid
    priority - 1
    concurrency limit - 1
Start an agent to pick up flow runs from the work queue:
    sluice agent start -p 'default-agent-pool' -q 'critical'
Inspect the work queue:
    sluice work-queue inspect 'critical' -p 'default-agent-pool'
Moved work queue 'default' from priority 1 to 2" "create: the whole message block, with the queue it pushed down"
	equals "$errout" "" "create: nothing on stderr"
	critical_id=$qid
fi
expect_rc 0 S work-queue create high --priority 5 --limit 3 && contains "$out" "    priority - 5" "create high: priority - 5"
contains "$out" "    concurrency limit - 3" "create high: concurrency limit - 3"
expect_rc 0 S work-queue create low --priority 10 && contains "$out" "    priority - 10" "create low: priority - 10"
contains "$out" "    concurrency limit - None" "create without --limit: None"

# the seed's example is stored exactly; default is pushed to 2
prios default-agent-pool "critical=1 default=2 high=5 low=10" "seed example: critical 1, default 2, high 5, low 10"
if expect_rc 0 S work-queue ls -p default-agent-pool --json; then
	jcheck "ls --json: exactly the queue keys" '
len(objs) == 4 or bad("%d objects" % len(objs))
for o in objs:
    list(o) == ["name","id","pool","priority","concurrency_limit","paused"] or sorted(o) == sorted(["name","id","pool","priority","concurrency_limit","paused"]) or bad("keys %s" % list(o))
    o["pool"] == "default-agent-pool" or bad("pool %r" % o["pool"])
    o["paused"] is False or bad("paused %r" % o["paused"])
    re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", o["id"]) or bad("id %r" % o["id"])
by = {o["name"]: o for o in objs}
by["critical"]["concurrency_limit"] == 1 or bad("critical limit")
by["high"]["concurrency_limit"] == 3 or bad("high limit")
by["low"]["concurrency_limit"] is None or bad("low limit %r" % by["low"]["concurrency_limit"])
by["default"]["concurrency_limit"] is None or bad("default limit")
by["critical"]["id"] == "'"$critical_id"'" or bad("critical id differs from create")
len({o["id"] for o in objs}) == 4 or bad("ids not unique")
'
fi
# a table, sorted by priority
if expect_rc 0 S work-queue ls -p default-agent-pool; then
	equals "$(printf '%s\n' "$out" | sed -n '3,6p' | awk '{print $1 "=" $2 "=" $3}' | tr '\n' ' ')" \
	    "critical=1=1 default=2=None high=5=3 low=10=None " "ls table: rows in priority order with limits"
fi

# a new queue without --priority goes last (max + 1)
expect_rc 0 S work-queue create later && contains "$out" "    priority - 11" "create without --priority: max+1 = 11"
prios default-agent-pool "critical=1 default=2 high=5 low=10 later=11" "new queue goes last"

# ---- set-priority: collisions push down, sparse numbers kept ----
if expect_rc 0 S work-queue set-priority later 5; then
	contains "$out" "later" "set-priority: message names the queue"
	contains "$out" "5" "set-priority: message gives the priority"
fi
prios default-agent-pool "critical=1 default=2 later=5 high=6 low=10" "sparse: taking 5 pushes only its holder to 6"

expect_rc 0 S work-pool create chain >/dev/null
for q in a b c; do S work-queue create $q -p chain >/dev/null || fail "create $q in chain"; done
prios chain "default=1 a=2 b=3 c=4" "chain: default 1, new queues 2, 3, 4"
expect_rc 0 S work-queue set-priority c 1 -p chain && ok "set-priority c 1 -p chain"
prios chain "c=1 default=2 a=3 b=4" "chain: 1,2,3 pushed to 2,3,4"
expect_rc 0 S work-queue set-priority c 3 -p chain && ok "set-priority c 3"
prios chain "default=2 c=3 a=4 b=5" "chain: moving c down to 3 pushes a and b"
expect_rc 0 S work-queue set-priority c 3 -p chain && ok "set-priority to its own priority"
prios chain "default=2 c=3 a=4 b=5" "own priority: nothing moves"
expect_rc 0 S work-queue set-priority b 100 -p chain && ok "set-priority b 100"
prios chain "default=2 c=3 a=4 b=100" "a free priority moves nobody"
expect_rc 0 S work-queue set-priority default 4 -p chain && ok "set-priority of the default queue"
prios chain "c=3 default=4 a=5 b=100" "default can move; a pushed to 5, b (far away) stays"
expect_rc 0 S work-queue create d --priority 3 -p chain && contains "$out" "    priority - 3" "create --priority 3 on a taken priority"
prios chain "d=3 c=4 default=5 a=6 b=100" "create with a taken priority pushes the chain"
expect_rc 0 S work-queue create e -p chain && contains "$out" "    priority - 101" "create after 100: 101"
expect_rc 0 S work-queue create f --priority 1000 -p chain && contains "$out" "    priority - 1000" "create --priority 1000 kept"
prios chain "d=3 c=4 default=5 a=6 b=100 e=101 f=1000" "chain: final order, priorities unique"
expect_rc 2 S work-queue set-priority a 0 -p chain && equals "$out" "" "set-priority 0: usage error"
expect_rc 2 S work-queue set-priority a -3 -p chain && ok "set-priority -3: usage error"
expect_rc 2 S work-queue set-priority a x -p chain && ok "set-priority x: usage error"
expect_rc 2 S work-queue create g --priority 0 -p chain && ok "create --priority 0: usage error"
expect_rc 1 S work-queue set-priority nosuch 1 -p chain && contains "$errout" "not found" "set-priority of a missing queue: not found"
prios chain "d=3 c=4 default=5 a=6 b=100 e=101 f=1000" "refused set-priority changed nothing"

# priorities at the top of the range: a push past the largest accepted
# priority must not store a priority that cannot be read back
expect_rc 0 S work-pool create edge >/dev/null
expect_rc 0 S work-queue create top --priority 2147483647 -p edge && ok "priority 2147483647 accepted"
S work-queue create top2 --priority 2147483647 -p edge >/dev/null 2>"$TESTDIR/top2.err"; rc_top2=$?
S work-queue create after -p edge >/dev/null 2>"$TESTDIR/after.err"; rc_after=$?
out=$(S work-queue ls -p edge --json 2>"$TESTDIR/edge.err")
equals "$(cat "$TESTDIR/edge.err")" "" "edge: ls after pushes past 2147483647 reads cleanly (no skipped config version)"
jcheck "edge: priorities unique and within 1..2147483647" '
ps = [o["priority"] for o in objs]
len(set(ps)) == len(ps) or bad("duplicates %r" % ps)
all(1 <= p <= 2147483647 for p in ps) or bad("out of range: %r" % prio)
'
if [ $rc_top2 = 0 ]; then
	jcheck "edge: top2 (created with exit 0) is listed at 2147483647" 'prio.get("top2") == 2147483647 or bad("%r" % prio)'
fi
if [ $rc_after = 0 ]; then
	jcheck "edge: after (created with exit 0) is listed" '"after" in prio or bad("%r" % prio)'
fi
# whatever happened above, the pool must still take changes: a change
# reported as done (exit 0) must show
if S work-queue pause default -p edge >/dev/null 2>&1; then
	out=$(S work-queue inspect default -p edge --json 2>/dev/null)
	jcheck "edge: a later 'work-queue pause default' that exits 0 takes effect" 'obj["paused"] is True or bad("default not paused after a successful pause")'
fi
if S work-pool pause edge >/dev/null 2>&1; then
	out=$(S work-pool inspect edge --json 2>/dev/null)
	jcheck "edge: a later 'work-pool pause edge' that exits 0 takes effect" 'obj["paused"] is True or bad("pool not paused after a successful pause")'
fi

# ---- the default queue ----
if expect_rc 1 S work-queue delete default; then
	equals "$out" "" "delete default: nothing on stdout"
	contains "$errout" "default" "delete default: message names the default queue"
fi
expect_rc 1 S work-queue delete default -p chain && ok "delete default -p chain: refused"
expect_rc 1 S work-queue create default -p chain && ok "create default: already exists"
prios chain "d=3 c=4 default=5 a=6 b=100 e=101 f=1000" "refusals changed nothing"

# ---- pause / resume / limits / inspect / delete, with and without -p ----
if expect_rc 0 S work-queue pause high; then
	equals "$out" "Work queue 'high' in work pool 'default-agent-pool' paused" "pause: message"
	equals "$errout" "" "pause: nothing on stderr"
fi
expect_rc 0 S work-queue inspect high --json && jcheck "pause: JSON paused true, priority and id kept" '
len(objs) == 1 or bad("%d objects" % len(objs))
sorted(obj) == sorted(["name","id","pool","priority","concurrency_limit","paused"]) or bad("keys %s" % list(obj))
obj["paused"] is True or bad("paused %r" % obj["paused"])
obj["priority"] == 6 or bad("priority %r" % obj["priority"])
obj["name"] == "high" and obj["pool"] == "default-agent-pool" or bad("%r" % obj)
obj["concurrency_limit"] == 3 or bad("limit %r" % obj["concurrency_limit"])
'
S work-queue ls -p default-agent-pool | grep -Eq '^high \(\*\*\) +6 +3 *$' && ok "pause: ls shows 'high (**)'" || fail "pause: ls: $(S work-queue ls -p default-agent-pool)"
if expect_rc 0 S work-queue resume high -p default-agent-pool; then
	equals "$out" "Work queue 'high' in work pool 'default-agent-pool' resumed" "resume: message"
fi
expect_rc 0 S work-queue inspect high -p default-agent-pool --json && jcheck "resume: JSON paused false" 'obj["paused"] is False or bad("%r" % obj["paused"])'
if expect_rc 0 S work-queue set-concurrency-limit a 4 -p chain; then
	equals "$out" "Concurrency limit of 4 set on work queue 'a' in work pool 'chain'" "set-concurrency-limit: message"
fi
expect_rc 0 S work-queue inspect a -p chain --json && jcheck "set-concurrency-limit: JSON 4, pool chain" 'obj["concurrency_limit"] == 4 and obj["pool"] == "chain" or bad("%r" % obj)'
expect_rc 0 S work-queue set-concurrency-limit a 0 -p chain && equals "$out" "Concurrency limit of 0 set on work queue 'a' in work pool 'chain'" "limit 0: message"
expect_rc 0 S work-queue inspect a -p chain --json && jcheck "queue limit 0 kept as 0, not null" 'obj["concurrency_limit"] == 0 and obj["concurrency_limit"] is not None and obj["concurrency_limit"] is not False or bad("%r" % obj["concurrency_limit"])'
S work-queue ls -p chain | grep -Eq '^a +6 +0 *$' && ok "ls table shows limit 0" || fail "ls -p chain row a: $(S work-queue ls -p chain | grep '^a ')"
if expect_rc 0 S work-queue clear-concurrency-limit a -p chain; then
	equals "$out" "Concurrency limits removed on work queue 'a' in work pool 'chain'" "clear-concurrency-limit: message"
fi
expect_rc 0 S work-queue inspect a -p chain --json && jcheck "clear: JSON null" 'obj["concurrency_limit"] is None or bad("%r" % obj["concurrency_limit"])'
expect_rc 2 S work-queue set-concurrency-limit a -1 -p chain && ok "queue limit -1: usage error"
expect_rc 2 S work-queue create z --limit nope -p chain && ok "create --limit nope: usage error"
if expect_rc 0 S work-queue inspect critical; then
	contains "$out" "critical" "inspect: names the queue"
	contains "$out" "$critical_id" "inspect: shows the id"
fi
expect_rc 0 S work-queue preview critical && contains "$out$errout" "No runs found - try increasing how far into the future you preview with the --hours flag" "preview of an empty queue: the hint"
expect_rc 0 S work-queue preview critical --hours 3 -p default-agent-pool && ok "queue preview --hours 3"
if expect_rc 0 S work-queue delete low; then
	equals "$out" "Successfully deleted work queue 'low' in work pool 'default-agent-pool'" "delete: message"
fi
prios default-agent-pool "critical=1 default=2 later=5 high=6" "delete: gone from ls, others keep their priorities"
[ -e "$SLUICE_SPOOL/pools/default-agent-pool/queues/low" ] && fail "delete: queue directory still there" || ok "delete: queue directory gone"
expect_rc 0 S work-queue create low && contains "$out" "    priority - 7" "re-created after delete: goes last (7)"
expect_rc 0 S work-queue inspect low --json && jcheck "re-created queue is fresh" 'obj["paused"] is False and obj["concurrency_limit"] is None or bad("%r" % obj)'

# ---- failures ----
expect_rc 1 S work-queue create high && { equals "$out" "" "duplicate queue: nothing on stdout"; contains "$errout" "already exists" "duplicate queue: says already exists"; }
expect_rc 1 S work-queue create a -p chain && ok "duplicate queue in an explicit pool: exit 1"
expect_rc 0 S work-queue create a && ok "the same queue name in another pool is fine"
if expect_rc 1 S work-queue create x -p missingpool; then
	equals "$out" "" "create in a missing pool: nothing on stdout"
	contains "$errout" "missingpool" "create in a missing pool: names it"
	contains "$errout" "not found" "create in a missing pool: not found"
fi
[ -e "$SLUICE_SPOOL/pools/missingpool" ] && fail "create in a missing pool created the pool" || ok "create in a missing explicit pool creates nothing"
for args in "inspect ghost" "inspect ghost --json" "preview ghost" "pause ghost" "resume ghost" "delete ghost" \
    "set-concurrency-limit ghost 2" "clear-concurrency-limit ghost" "set-priority ghost 2" \
    "inspect ghost -p chain" "pause ghost -p chain" "delete ghost -p chain" \
    "inspect default -p missingpool" "ls -p missingpool" "ls -p missingpool --json" "pause default -p missingpool" \
    "set-priority default 2 -p missingpool" "delete x -p missingpool"; do
	# shellcheck disable=SC2086
	if expect_rc 1 S work-queue $args; then
		if [ -z "$out" ] && case $errout in *"not found"*) true ;; *) false ;; esac; then
			ok "work-queue $args: exit 1, 'not found' on stderr, stdout empty"
		else
			fail "work-queue $args: stdout '$out', stderr '$errout'"
		fi
	fi
done
[ -e "$SLUICE_SPOOL/pools/missingpool" ] && fail "a not-found command created pools/missingpool" || ok "not-found commands create no pool"
[ -e "$SLUICE_SPOOL/pools/chain/queues/ghost" ] && fail "a not-found command created a queue" || ok "not-found commands create no queue"
# and priorities are still unique everywhere
for p in default-agent-pool chain edge; do
	out=$(S work-queue ls -p $p --json 2>/dev/null)
	jcheck "$p: priorities unique, ls sorted by priority" '
ps = [o["priority"] for o in objs]
len(set(ps)) == len(ps) or bad("duplicates %r" % ps)
ps == sorted(ps) or bad("not sorted %r" % ps)
'
done

# ---- -m/--match PREFIX (repeatable), -v/--verbose, every pool ----
S work-pool create mq >/dev/null
for q in dev-a dev-b prod; do S work-queue create $q -p mq >/dev/null || fail "create $q"; done
names() { printf '%s\n' "$out" | sed -n '3,$p' | grep -v denotes | awk '{print $1}' | tr '\n' ' '; }
expect_rc 0 S work-queue ls -p mq -m dev- && equals "$(names)" "dev-a dev-b " "ls -m dev-: the queues starting with dev-"
expect_rc 0 S work-queue ls -p mq -m dev- --match pr && equals "$(names)" "dev-a dev-b prod " "ls -m dev- --match pr: either prefix"
expect_rc 0 S work-queue ls -p mq -m nope && equals "$(names)" "" "ls -m nope: no rows"
if expect_rc 0 S work-queue ls -p mq -v; then
	printf '%s\n' "$out" | sed -n 2p | grep -Eq '^Name +Priority +Concurrency Limit +ID +Created *$' &&
	    ok "ls -p -v: adds ID and Created" || fail "ls -v header: $(printf '%s\n' "$out" | sed -n 2p)"
fi
if expect_rc 0 S work-queue ls -v -m dev-; then
	printf '%s\n' "$out" | sed -n 2p | grep -Eq '^Name +Pool +ID +Concurrency Limit +Priority +Created *$' &&
	    ok "ls -v (every pool): adds Priority and Created" || fail "ls -v header: $(printf '%s\n' "$out" | sed -n 2p)"
	printf '%s\n' "$out" | grep -Eq '^dev-a +mq ' && ok "ls -v -m dev- (every pool): mq's dev-a" || fail "ls -v -m: $out"
fi
expect_rc 0 S work-queue ls --json && jcheck "ls --json without -p: the queues of every pool" '
pools = {o["pool"] for o in objs}
{"mq", "default-agent-pool"} <= pools or bad("pools %r" % pools)
'
# ---- inspect by id, as Prefect takes a name or an id ----
qid=$(S work-queue ls -p mq --json | python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l)
    if o["name"] == "prod": print(o["id"])')
if expect_rc 0 S work-queue inspect "$qid" --json; then
	jcheck "work-queue inspect ID (no -p): the queue of that id, in its pool" '(obj["name"], obj["pool"]) == ("prod", "mq") or bad("%r" % obj)'
fi
expect_rc 0 S work-queue inspect "$qid" -p mq && contains "$out" "name='prod'" "work-queue inspect ID -p POOL"
expect_rc 1 S work-queue inspect "$qid" -p default-agent-pool && ok "work-queue inspect ID -p another pool: not found, exit 1"
pid=$(S work-pool inspect mq --json | jget id)
expect_rc 0 S work-pool inspect "$pid" && contains "$out" "name='mq'" "work-pool inspect ID: the pool of that id"
expect_rc 1 S work-pool inspect 00000000-0000-4000-8000-000000000000 && ok "work-pool inspect of an unknown id: exit 1"
S deployment create byid -p mq --interval 3600 -- true >/dev/null || fail "create deployment byid"
did=$(S deployment inspect byid --json | jget id)
expect_rc 0 S deployment inspect "$did" --json && jcheck "deployment inspect ID" 'obj["name"] == "byid" or bad(obj["name"])'
finish
