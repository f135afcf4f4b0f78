# cli_plain_dirs.sh - the spool is usable with plain tools: a directory made
# with mkdir is a pool or queue, rm -r removes one, junk names are
# ignored, and the configuration is plain text (contract: "a spool
# directory is the API"; pool.c: "a directory that exists is a pool or
# queue, whoever made it").
. "$TOP/tests/e2e/lib.sh"

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

field() {	# JSON-LINES NAME KEY : KEY of the object named NAME
	printf '%s\n' "$1" | python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l)
    if o["name"] == sys.argv[1]: print(o[sys.argv[2]])' "$2" "$3"
}
# quiet CMD... : run it, fail if it writes to stderr (warnings) or fails
quiet() {
	expect_rc 0 "$@" || return 1
	[ -z "$errout" ] || { fail "$*: stderr: $errout"; return 1; }
	return 0
}

P=$SLUICE_SPOOL/pools
S work-pool ls >/dev/null || fail "first use makes the spool"
[ -d "$P" ] && ok "the spool has pools/" || fail "no $P"

# ---- a pool made with mkdir ----
mkdir "$P/handmade"
if quiet S work-pool ls; then
	printf '%s\n' "$out" | grep -Eq '^handmade +prefect-agent +[0-9a-f-]{36} +None *$' &&
	    ok "mkdir pools/handmade: work-pool ls shows it" || fail "ls: $out"
fi
if quiet S work-pool ls --json; then
	jcheck "mkdir'd pool in JSON: unpaused, no limit, queue default" '
o = by["handmade"]
o["paused"] is False or bad("paused")
o["concurrency_limit"] is None or bad("limit %r" % o["concurrency_limit"])
o["queues"] == ["default"] or bad("queues %r" % o["queues"])
o["type"] == "prefect-agent" or bad("type")
re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", o["id"]) or bad("id %r" % o["id"])
'
	pool_id=$(field "$out" handmade id)
fi
quiet S work-pool inspect handmade --json && equals "$(field "$out" handmade id)" "$pool_id" "the mkdir'd pool's id is stable"
if quiet S work-queue ls -p handmade --json; then
	jcheck "mkdir'd pool: work-queue ls shows default at priority 1" '
[(o["name"], o["priority"]) for o in objs] == [("default", 1)] or bad("%r" % objs)
'
	default_id=$(field "$out" default id)
fi

# ---- a queue made with mkdir ----
mkdir -p "$P/handmade/queues/q1"
if quiet S work-queue ls -p handmade --json; then
	jcheck "mkdir queues/q1: listed after default" '
[o["name"] for o in objs] == ["default", "q1"] or bad("%r" % [o["name"] for o in objs])
by["q1"]["priority"] > by["default"]["priority"] or bad("q1 not after default")
by["q1"]["paused"] is False and by["q1"]["concurrency_limit"] is None or bad("q1 %r" % by["q1"])
by["q1"]["pool"] == "handmade" or bad("pool")
re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", by["q1"]["id"]) or bad("id %r" % by["q1"]["id"])
'
	q1_id=$(field "$out" q1 id)
	q1_prio=$(field "$out" q1 priority)
fi
quiet S work-queue ls -p handmade && printf '%s\n' "$out" | sed -n '3,4p' | awk '{print $1}' | tr '\n' ' ' | grep -qx 'default q1 ' &&
    ok "table: default then q1" || fail "table: $out"
quiet S work-pool inspect handmade --json && jcheck "work-pool inspect lists q1" 'obj["queues"] == ["default", "q1"] or bad("%r" % obj["queues"])'
quiet S work-queue ls -p handmade --json && equals "$(field "$out" q1 id)" "$q1_id" "the mkdir'd queue's id is stable between reads"

# pausing it registers it: priority and id kept
if quiet S work-queue pause q1 -p handmade; then
	equals "$out" "Work queue 'q1' in work pool 'handmade' paused" "pause of a mkdir'd queue"
fi
if quiet S work-queue ls -p handmade --json; then
	equals "$(field "$out" q1 paused)" "True" "q1 is paused"
	equals "$(field "$out" q1 priority)" "$q1_prio" "pause keeps q1's priority"
	equals "$(field "$out" q1 id)" "$q1_id" "pause keeps q1's id"
	equals "$(field "$out" default id)" "$default_id" "pause keeps the default queue's id"
	equals "$(field "$out" default priority)" "1" "default still at 1"
fi
quiet S work-pool inspect handmade --json && equals "$(field "$out" handmade id)" "$pool_id" "the pool's id survives its first write"
quiet S work-queue ls -p handmade && printf '%s\n' "$out" | grep -Eq "^q1 \(\*\*\) +$q1_prio +None *\$" && ok "table: q1 (**)" || fail "table: $out"

# a second mkdir'd queue comes after every registered one
mkdir -p "$P/handmade/queues/q0"
if quiet S work-queue ls -p handmade --json; then
	jcheck "mkdir queues/q0 (sorts before q1 by name): listed last, priorities unique" '
[o["name"] for o in objs] == ["default", "q1", "q0"] or bad("%r" % [o["name"] for o in objs])
ps = [o["priority"] for o in objs]
len(set(ps)) == len(ps) or bad("duplicate priorities %r" % ps)
'
fi
# sluice commands work on it
quiet S work-queue set-concurrency-limit q0 2 -p handmade && ok "set-concurrency-limit on a mkdir'd queue"
quiet S work-queue inspect q0 -p handmade --json && equals "$(field "$out" q0 concurrency_limit)" "2" "... and it shows"
expect_rc 1 S work-queue create q0 -p handmade && contains "$errout" "already exists" "work-queue create of a mkdir'd queue: already exists"

# ---- rm -r ----
rm -r "$P/handmade/queues/q1"
if quiet S work-queue ls -p handmade --json; then
	jcheck "rm -r queues/q1: gone from ls" '
[o["name"] for o in objs] == ["default", "q0"] or bad("%r" % [o["name"] for o in objs])
'
fi
quiet S work-pool inspect handmade --json && jcheck "rm -r queues/q1: gone from the pool's queues" 'obj["queues"] == ["default", "q0"] or bad("%r" % obj["queues"])'
expect_rc 1 S work-queue inspect q1 -p handmade && contains "$errout" "not found" "rm -r'd queue: inspect says not found"
quiet S work-queue create q1 -p handmade && ok "a name freed by rm -r can be created again"
quiet S work-queue inspect q1 -p handmade --json && jcheck "the new q1 is fresh (not paused, new id)" '
obj["paused"] is False or bad("still paused")
obj["id"] != "'"$q1_id"'" or bad("kept the removed queue id")
'
mkdir "$P/gone"
quiet S work-pool ls --json && contains "$out" '"name":"gone"' "mkdir pools/gone: listed"
rm -r "$P/gone"
quiet S work-pool ls --json && { printf '%s\n' "$out" | grep -q '"name":"gone"' && fail "rm -r pools/gone: still listed" || ok "rm -r pools/gone: gone from ls"; }
S work-pool create made >/dev/null || fail "create made"
rm -r "$P/made"
quiet S work-pool ls --json && { printf '%s\n' "$out" | grep -q '"name":"made"' && fail "rm -r of a sluice-made pool: still listed" || ok "rm -r of a sluice-made pool: gone"; }
expect_rc 1 S work-pool inspect made && contains "$errout" "not found" "rm -r'd pool: not found"

# ---- junk is ignored ----
mkdir "$P/.hidden" "$P/with space" "$P/.nfs0001" "$P/-dash"
mkdir -p "$P/.hidden/queues/x" "$P/handmade/queues/.hiddenq" "$P/handmade/queues/bad name"
touch "$P/afile" "$P/handmade/queues/notadir" "$P/.dotfile"
if quiet S work-pool ls --json; then
	jcheck "ls ignores dot dirs, names with spaces, invalid names and plain files" '
names = sorted(by)
names == ["handmade"] or bad("pools %r" % names)
'
fi
if quiet S work-pool ls; then
	case $out in *hidden*|*space*|*afile*|*nfs*|*-dash*) fail "ls table shows junk: $out" ;; *) ok "ls table shows no junk" ;; esac
fi
if quiet S work-queue ls -p handmade --json; then
	jcheck "work-queue ls ignores .hiddenq, 'bad name' and a plain file" '
[o["name"] for o in objs] == ["default", "q0", "q1"] or bad("%r" % [o["name"] for o in objs])
'
fi
usage2_hidden() { expect_rc 2 S work-pool inspect .hidden && ok "work-pool inspect .hidden: invalid name (exit 2)"; }
usage2_hidden

# ---- the configuration is plain text ----
cfg=$(cat "$P/handmade/config/"* 2>/dev/null)
[ -n "$cfg" ] && ok "cat pools/handmade/config/*: readable" || fail "nothing readable in $P/handmade/config"
contains "$cfg" "handmade" "the config text names the pool"
contains "$cfg" "q0" "the config text names the queue q0"
contains "$cfg" "$pool_id" "the config text holds the pool id"
if LC_ALL=C grep -qP '[^\x09\x0a\x20-\x7e]' "$P/handmade/config/"* 2>/dev/null; then
	fail "the config holds non-printable bytes"
else
	ok "the config is printable text"
fi
S work-pool create textual --paused --limit 4 >/dev/null || fail "create textual"
cfg=$(cat "$P/textual/config/"*)
contains "$cfg" "textual" "a sluice-made pool's config names it"
printf '%s\n' "$cfg" | grep -Eiq '^ *paused *= *(true|yes|1) *$' && ok "the config says paused in plain words" || fail "no paused = true in: $cfg"
printf '%s\n' "$cfg" | grep -Eq '^ *concurrency_limit *= *4 *$' && ok "the config holds the limit 4" || fail "no limit 4 in: $cfg"
[ -d "$P/textual/queues/default" ] && ok "a created pool has queues/default as a directory" || fail "no queues/default"

finish
