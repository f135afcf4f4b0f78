# cli_pool.sh - sluice work-pool: every command, its exact messages, its
# table and JSON shapes, and its failures (the pool, queue and submit pages, the "JSON" sections, "EXIT STATUS"; Prefect's
# `prefect work-pool` texts, prefect-reference.md §3.1).
. "$TOP/tests/e2e/lib.sh"

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'


# ---- create ----
if expect_rc 0 S work-pool create alpha; then
	equals "$out" "Created work pool 'alpha'.
Start an agent to pick up flow runs from the work pool:
        sluice agent start -p 'alpha'
Inspect the work pool:
        sluice work-pool inspect 'alpha'" "create: message and agent hint"
	equals "$errout" "" "create: nothing on stderr"
fi
if expect_rc 1 S work-pool create alpha; then
	equals "$out" "" "duplicate create: nothing on stdout"
	contains "$errout" "alpha" "duplicate create: stderr names the pool"
	contains "$errout" "already exists" "duplicate create: says it already exists"
fi
expect_rc 0 S work-pool create --paused paused1 && contains "$out" "Created work pool 'paused1'." "create --paused"
expect_rc 0 S work-pool create --limit 3 limited && contains "$out" "Created work pool 'limited'." "create --limit 3"
expect_rc 0 S work-pool create zero --limit 0 && ok "create --limit 0 (option after the name)"
expect_rc 0 S work-pool create --paused --limit 7 both && ok "create --paused --limit 7"

# ---- ls (a pipe: no terminal) ----
if expect_rc 0 S work-pool ls; then
	table=$out
	equals "$(printf '%s\n' "$table" | head -n 1)" "Work Pools" "ls: title"
	hdr=$(printf '%s\n' "$table" | sed -n 2p)
	printf '%s\n' "$hdr" | grep -Eq '^Name +Type +ID +Concurrency Limit *$' &&
	    ok "ls: columns Name, Type, ID, Concurrency Limit" || fail "ls: header is '$hdr'"
	equals "$(printf '%s\n' "$table" | tail -n 1 | sed 's/^ *//')" "(**) denotes a paused pool" "ls: caption"
	printf '%s\n' "$table" | grep -Eq '^paused1 \(\*\*\) +prefect-agent +[0-9a-f-]{36} +None *$' &&
	    ok "ls: paused pool shown as 'NAME (**)'" || fail "ls: no 'paused1 (**)' row: $table"
	printf '%s\n' "$table" | grep -Eq '^alpha +prefect-agent +[0-9a-f-]{36} +None *$' &&
	    ok "ls: unpaused pool without limit: plain name, None" || fail "ls: alpha row: $table"
	printf '%s\n' "$table" | grep -Eq '^limited +prefect-agent +[0-9a-f-]{36} +3 *$' &&
	    ok "ls: limit shown" || fail "ls: limited row: $table"
	printf '%s\n' "$table" | grep -Eq '^both \(\*\*\) +prefect-agent +[0-9a-f-]{36} +7 *$' &&
	    ok "ls: paused and limited" || fail "ls: both row: $table"
	if printf '%s' "$table" | LC_ALL=C grep -q $'\xe2\x94\|\xe2\x95'; then
		fail "ls: box-drawing characters on a pipe"
	else ok "ls: no box-drawing characters when stdout is not a terminal"; fi
	equals "$(printf '%s\n' "$table" | grep -c 'prefect-agent')" 5 "ls: one row per pool"
fi
# on a terminal (script(1) gives it one): boxes
if command -v script >/dev/null 2>&1; then
	tty_out=$(script -qec "'$SLUICE' work-pool ls" /dev/null </dev/null 2>&1)
	if printf '%s' "$tty_out" | LC_ALL=C grep -q $'\xe2\x94'; then ok "ls on a terminal: box-drawing borders"
	else fail "ls on a terminal: no borders: $tty_out"; fi
	contains "$tty_out" "paused1 (**)" "ls on a terminal: paused marker"
fi

# ---- ls --json ----
if expect_rc 0 S work-pool ls --json; then
	jcheck "ls --json: one object per pool, exactly the contract's keys" '
if len(objs) != 5: bad("want 5 objects, got %d" % len(objs))
want = ["name","id","type","paused","concurrency_limit","queues","agents_online","runs"]
for o in objs:
    if sorted(o) != sorted(want): bad("keys %s" % list(o))
'
	jcheck "ls --json: values" '
by = {o["name"]: o for o in objs}
if set(by) != {"alpha","paused1","limited","zero","both"}: bad("names %s" % sorted(by))
for o in objs:
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", o["id"]): bad("id %r" % o["id"])
    if o["type"] != "prefect-agent": bad("type %r" % o["type"])
    if not isinstance(o["queues"], list) or "default" not in o["queues"]: bad("queues %r" % o["queues"])
    if o["agents_online"] != 0: bad("agents_online %r" % o["agents_online"])
    if not isinstance(o["runs"], dict): bad("runs %r" % o["runs"])
    if any(v != 0 for v in o["runs"].values()): bad("runs %r" % o["runs"])
if len({o["id"] for o in objs}) != 5: bad("ids not unique")
if by["alpha"]["paused"] is not False or by["alpha"]["concurrency_limit"] is not None: bad("alpha %r" % by["alpha"])
if by["paused1"]["paused"] is not True: bad("paused1 not paused")
if by["limited"]["concurrency_limit"] != 3 or by["limited"]["paused"] is not False: bad("limited %r" % by["limited"])
if by["zero"]["concurrency_limit"] != 0 or by["zero"]["concurrency_limit"] is None: bad("limit 0 became %r" % by["zero"]["concurrency_limit"])
if by["both"]["concurrency_limit"] != 7 or by["both"]["paused"] is not True: bad("both %r" % by["both"])
'
fi
alpha_id=$(S work-pool ls --json | python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l)
    if o["name"] == "alpha": print(o["id"])')

# ---- inspect ----
if expect_rc 0 S work-pool inspect alpha --json; then
	equals "$(printf '%s\n' "$out" | grep -c .)" 1 "inspect --json: a single line"
	jcheck "inspect --json: one object, the contract's keys, same id as ls" '
if len(objs) != 1: bad("%d objects" % len(objs))
if sorted(obj) != sorted(["name","id","type","paused","concurrency_limit","queues","agents_online","runs"]): bad("keys %s" % list(obj))
if obj["name"] != "alpha": bad("name")
if obj["queues"] != ["default"]: bad("queues %r" % obj["queues"])
'
	equals "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" "$alpha_id" "inspect --json: same id as ls"
fi
printf '%s\n' "$alpha_id" | grep -Eq "$UUID_RE" && ok "pool id is a lowercase UUID" || fail "pool id '$alpha_id'"
if expect_rc 0 S work-pool inspect alpha; then
	contains "$out" "alpha" "inspect: names the pool"
	contains "$out" "$alpha_id" "inspect: shows the id"
fi
expect_rc 0 S --json work-pool inspect alpha && contains "$out" '"name":' "inspect: --json before the command words"
for args in "inspect nosuch" "inspect nosuch --json"; do
	# shellcheck disable=SC2086
	if expect_rc 1 S work-pool $args; then
		equals "$out" "" "work-pool $args: nothing on stdout"
		contains "$errout" "not found" "work-pool $args: says not found"
		contains "$errout" "nosuch" "work-pool $args: names the pool"
	fi
done

# ---- pause / resume ----
if expect_rc 0 S work-pool pause alpha; then
	equals "$out" "Paused work pool 'alpha'" "pause: message"
	equals "$errout" "" "pause: nothing on stderr"
fi
expect_rc 0 S work-pool inspect alpha --json && jcheck "pause: JSON paused true" 'obj["paused"] is True or bad("paused %r" % obj["paused"])'
S work-pool ls | grep -Eq '^alpha \(\*\*\) ' && ok "pause: ls shows alpha (**)" || fail "pause: ls has no 'alpha (**)'"
expect_rc 0 S work-pool pause alpha && ok "pause of a paused pool succeeds"
expect_rc 0 S work-pool inspect alpha --json && jcheck "pause twice: still paused" 'obj["paused"] is True or bad("paused")'
if expect_rc 0 S work-pool resume alpha; then
	equals "$out" "Resumed work pool 'alpha'" "resume: message"
fi
expect_rc 0 S work-pool inspect alpha --json && jcheck "resume: JSON paused false" 'obj["paused"] is False or bad("paused %r" % obj["paused"])'
S work-pool ls | grep -Eq '^alpha +prefect-agent' && ok "resume: ls shows plain alpha" || fail "resume: ls still marks alpha"
expect_rc 0 S work-pool resume paused1 && equals "$out" "Resumed work pool 'paused1'" "resume of a pool created --paused"
expect_rc 0 S work-pool inspect paused1 --json && jcheck "resume: paused1 now unpaused" 'obj["paused"] is False or bad("paused")'
expect_rc 0 S work-pool inspect alpha --json && jcheck "pause/resume keep the id" 'obj["id"] == "'"$alpha_id"'" or bad("id changed to %s" % obj["id"])'

# ---- concurrency limits ----
if expect_rc 0 S work-pool set-concurrency-limit alpha 5; then
	equals "$out" "Set concurrency limit for work pool 'alpha' to 5" "set-concurrency-limit: message"
fi
expect_rc 0 S work-pool inspect alpha --json && jcheck "set-concurrency-limit: JSON 5" 'obj["concurrency_limit"] == 5 or bad("%r" % obj["concurrency_limit"])'
S work-pool ls | grep -Eq '^alpha +prefect-agent +[0-9a-f-]{36} +5 *$' && ok "set-concurrency-limit: ls shows 5" || fail "ls after limit 5"
if expect_rc 0 S work-pool set-concurrency-limit alpha 0; then
	equals "$out" "Set concurrency limit for work pool 'alpha' to 0" "set-concurrency-limit 0: message"
fi
expect_rc 0 S work-pool inspect alpha --json && jcheck "limit 0 is kept as 0, not null" 'obj["concurrency_limit"] == 0 and obj["concurrency_limit"] is not None and obj["concurrency_limit"] is not False or bad("%r" % obj["concurrency_limit"])'
if expect_rc 0 S work-pool clear-concurrency-limit alpha; then
	equals "$out" "Cleared concurrency limit for work pool 'alpha'" "clear-concurrency-limit: message"
fi
expect_rc 0 S work-pool inspect alpha --json && jcheck "clear-concurrency-limit: JSON null" 'obj["concurrency_limit"] is None or bad("%r" % obj["concurrency_limit"])'
expect_rc 0 S work-pool clear-concurrency-limit alpha && ok "clearing an absent limit succeeds"
expect_rc 2 S work-pool set-concurrency-limit alpha -1 && equals "$out" "" "set-concurrency-limit -1: usage error, no stdout"
expect_rc 2 S work-pool set-concurrency-limit alpha many && ok "set-concurrency-limit many: usage error"
expect_rc 2 S work-pool set-concurrency-limit alpha && ok "set-concurrency-limit without N: usage error"
expect_rc 0 S work-pool inspect alpha --json && jcheck "refused limits changed nothing" 'obj["concurrency_limit"] is None or bad("%r" % obj["concurrency_limit"])'

# ---- preview ----
hint="No runs found - try increasing how far into the future you preview with the --hours flag"
if expect_rc 0 S work-pool preview alpha; then
	contains "$out$errout" "$hint" "preview of an empty pool: Prefect's hint"
fi
expect_rc 0 S work-pool preview alpha --hours 24 && contains "$out$errout" "$hint" "preview --hours 24 accepted"
expect_rc 0 S work-pool preview --hours=2 alpha && ok "preview --hours=2 before the name"
expect_rc 0 S work-pool preview alpha --json && equals "$out" "" "preview --json of an empty pool: no objects"
expect_rc 2 S work-pool preview alpha --hours soon && ok "preview --hours soon: usage error"

# ---- delete ----
expect_rc 0 S work-pool create doomed >/dev/null
if expect_rc 0 S work-pool delete doomed; then
	equals "$out" "Deleted work pool 'doomed'" "delete: message"
fi
S work-pool ls | grep -q '^doomed' && fail "delete: still in ls" || ok "delete: gone from ls"
S work-pool ls --json | grep -q '"doomed"' && fail "delete: still in ls --json" || ok "delete: gone from ls --json"
[ -e "$SLUICE_SPOOL/pools/doomed" ] && fail "delete: pools/doomed still exists" || ok "delete: directory gone"
expect_rc 1 S work-pool inspect doomed && contains "$errout" "not found" "delete: inspect says not found"
expect_rc 0 S work-pool create doomed && ok "a deleted pool's name can be used again"
expect_rc 0 S work-pool inspect doomed --json && jcheck "re-created pool is fresh" 'obj["paused"] is False and obj["concurrency_limit"] is None and obj["queues"] == ["default"] or bad("%r" % obj)'

# ---- every not-found case: exit 1, stderr says so, stdout empty ----
for args in "inspect ghost" "inspect ghost --json" "pause ghost" "resume ghost" "delete ghost" \
    "set-concurrency-limit ghost 3" "clear-concurrency-limit ghost" "preview ghost" "preview ghost --hours 2"; do
	# shellcheck disable=SC2086
	if expect_rc 1 S work-pool $args; then
		if [ -z "$out" ] && case $errout in *"not found"*ghost*|*ghost*"not found"*) true ;; *) false ;; esac; then
			ok "work-pool $args: exit 1, 'not found' on stderr, stdout empty"
		else
			fail "work-pool $args: stdout '$out', stderr '$errout'"
		fi
	fi
done
[ -e "$SLUICE_SPOOL/pools/ghost" ] && fail "a not-found command created pools/ghost" || ok "not-found commands create nothing"

# ---- -t/--type (the one type), ls -v ----
expect_rc 0 S work-pool create typed -t prefect-agent && ok "create -t prefect-agent: exit 0"
if expect_rc 2 S work-pool create other --type process; then
	contains "$errout" "Unknown work pool type 'process'. Please choose from prefect-agent." "create --type process: Prefect's message"
fi
[ -e "$SLUICE_SPOOL/pools/other" ] && fail "a refused type made the pool" || ok "a refused type makes no pool"
if expect_rc 0 S work-pool ls -v; then
	printf '%s\n' "$out" | sed -n 2p | grep -Eq '^Name +Type +ID +Concurrency Limit +Queues +Created *$' &&
	    ok "ls -v: adds Queues and Created" || fail "ls -v header: $(printf '%s\n' "$out" | sed -n 2p)"
	printf '%s\n' "$out" | grep -Eq '^typed +prefect-agent +[0-9a-f-]{36} +None +default +[0-9-]{10}T' &&
	    ok "ls -v: typed's row with its queue and time" || fail "ls -v: $(printf '%s\n' "$out" | grep typed)"
fi
finish
