# runs_drop.sh - the spool interface: run files dropped with plain tools
# (cp into queues/Q/tmp/, mv into queues/Q/new/).  Good files become
# Scheduled runs exactly as written and owned by the dropping user; every
# hostile file becomes a Rejected run with its reason and its bytes kept in
# rejected/ID/source (what is not a regular file is given back as
# new/.rejected.ID instead); dotfiles and tmp/ are left alone; the quoting rules of
# sluice-run(5) (and sluice-flow-run(1) "States"; spool-layout.md "Accepting a dropped file").
. "$TOP/tests/e2e/lib.sh"

P=$SLUICE_SPOOL/pools/P
Q=$P/queues/Q
IN=$TESTDIR/in			# a copy of every dropped file, to compare
mkdir -p "$IN" "$TESTDIR/keep"
expect_rc 0 S work-pool create P >/dev/null || exit 1
expect_rc 0 S work-queue create Q -p P >/dev/null || exit 1
[ -d "$Q/tmp" ] && [ -d "$Q/new" ] && ok "a created queue has tmp/ and new/" || fail "no tmp/ or new/ in $Q"

# put NAME : the text of $IN/NAME is written by the caller; drop it the
# documented way: cp into tmp/, then mv into new/
put() {
	cp "$IN/$1" "$Q/tmp/$1" && mv "$Q/tmp/$1" "$Q/new/$1" || fail "cannot drop $1"
}
# drop NAME PRINTF-FORMAT : write $IN/NAME with printf, then put it
drop() {
	printf "$2" >"$IN/$1"
	put "$1"
}

# index : after a listing in $TESTDIR/runs.json, write every run's every
# key to $TESTDIR/fields/HEXNAME.KEY, so that field is cheap
index() {
	rm -rf "$TESTDIR/fields"; mkdir -p "$TESTDIR/fields"
	python3 - "$TESTDIR/runs.json" "$TESTDIR/fields" <<'EOF'
import json, sys, os, collections
objs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
count = collections.Counter(o["name"] for o in objs)
for o in objs:
    h = (o["name"] or "").encode().hex()
    for k, v in o.items():
        v = "MANY" if count[o["name"]] > 1 else ("null" if v is None else str(v))
        open(os.path.join(sys.argv[2], h + "." + k), "w").write(v)
EOF
}
# field NAME KEY : KEY of the run named NAME (empty if none; "MANY" if 2+)
field() {
	cat "$TESTDIR/fields/$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n').$2" 2>/dev/null
}

# ---------------------------------------------------------------- good files
cat >"$IN/backup.ini" <<'EOF'
; a run dropped by hand
[run]
command     = "printf '%s\n' 'hello; world' # not a comment"
name        = nightly-backup
scheduled   = 2031-01-01T00:00:00Z
retries     = 2 ; two
retry_delay = 60
timeout     = 3600 # an hour
cwd         = /srv
[env]
BACKUP_TARGET = s3://bucket/nightly
Mixed_Case = "v; #x"
EOF
put backup.ini
drop minimal '[run]\ncommand = true\n'
drop dq '[run]\nname = dq\ncommand = "echo a; echo b # c"\n'
drop sq "[run]\nname = sq\ncommand = 'echo \"hi there\"; x'\n"
drop parts '[run]\nname = parts\ncommand.3 = two\ncommand = "echo "\ncommand.2 = '"'"'one '"'"'\n'
drop comments '[run]\nname = comments\ncommand = true\nretries = 2 ; two\nretry_delay = 7 # seven\ntimeout = 9 ;nine\nscheduled = 2031-02-03T04:05:06Z ; later\n'
drop crlf '[run]\r\nname = crlf\r\ncommand = echo crlf\r\n[env]\r\nK = "v"\r\n'
drop crlfq '[run]\r\nname = crlfq\r\ncommand = "echo quoted"\r\n'
drop upper '[RUN]\nName = upper\nCOMMAND = echo up\n'
# a line of exactly 1000 bytes is allowed (the limit is "over 1000")
python3 - "$IN/line1000" <<'EOF'
import sys
head = 'command = "echo '
line = head + "x" * (1000 - len(head) - 1) + '"'
assert len(line) == 1000
open(sys.argv[1], "w").write("[run]\nname = line1000\n" + line + "\n")
EOF
put line1000
# exactly 1 MiB is allowed (the limit is "over 1 MiB")
python3 - "$IN/mib" <<'EOF'
import sys
text = "[run]\nname = mib\ncommand = true\n"
pad = 1024 * 1024 - len(text)
lines = []
while pad > 0:
    n = min(pad, 80)
    lines.append(";" + "p" * (n - 2) + "\n" if n >= 2 else "\n")
    pad -= n
text += "".join(lines)
assert len(text) == 1024 * 1024, len(text)
open(sys.argv[1], "w").write(text)
EOF
put mib
# dropped by another user: owner is the file's owner
drop nobodys '[run]\nname = nobodys\ncommand = id\n'
# (re-drop so the file in new/ is nobody's: put copied it as root)
chown nobody "$Q/new/nobodys" 2>/dev/null || fail "cannot chown to nobody"
# a queue made with mkdir, and a drop with an odd file name
mkdir -p "$P/queues/handq/new"
printf '[run]\nname = handmade\ncommand = true\n' >"$P/queues/handq/new/with space & \"quotes\""

# a directory under queues/ whose name is not a queue name is not ours
mkdir -p "$P/queues/not a queue/new"
printf '[run]\ncommand = true\n' >"$P/queues/not a queue/new/f"

# dotfiles in new/ and anything in tmp/ are left alone
printf '[run]\ncommand = should-not-run\n' >"$IN/.hidden"
cp "$IN/.hidden" "$Q/new/.hidden"
cp "$IN/.hidden" "$Q/new/.nfs000000001"
printf '[run]\ncommand = half-written' >"$IN/wip"
cp "$IN/wip" "$Q/tmp/wip"

# ---------------------------------------------------------------- hostile files
# each: NAME, what the message must contain
BAD=""
bad() {	# NAME KEYWORD : remember a hostile drop and what its reason says
	BAD="$BAD$1|$2
"
}
printf '\211PNG\r\n\032\n\377\376 garbage\nmore = junk\n' >"$IN/binary"; put binary; bad binary "line 1"
head -c 600 /dev/urandom >"$IN/random"; printf '\0' >>"$IN/random"; put random; bad random "NUL"
drop nosection 'command = echo hi\n'; bad nosection "section"
drop envonly '[env]\nA = 1\n'; bad envonly "no command"
drop nocommand '[run]\nname = x\nretries = 1\n'; bad nocommand "no command"
drop emptycmd '[run]\ncommand =\n'; bad emptycmd "no command"
drop emptyq '[run]\ncommand = ""\n'; bad emptyq "no command"
drop semicolon '[run]\ncommand = a; b\n'; bad semicolon "';'"
drop hash '[run]\ncommand = echo a # b\n'; bad hash "'#'"
drop namesemi '[run]\ncommand = true\nname = a;b\n'; bad namesemi "';'"
drop afterquote '[run]\ncommand = "echo a" b\n'; bad afterquote "quoted"
drop afterquote2 '[run]\ncommand = "echo a" ; comment\n'; bad afterquote2 "quoted"
drop twoquotes '[run]\ncommand = "a" "b"\n'; bad twoquotes "quoted"
drop backslash '[run]\ncommand = echo a \\\nb\n'; bad backslash "backslash"
drop dupkey '[run]\ncommand = echo one\ncommand = echo two\n'; bad dupkey "twice"
drop dupcase '[run]\ncommand = echo one\nCommand = echo two\n'; bad dupcase "twice"
drop dupenv '[run]\ncommand = true\n[env]\nAB = 1\nab = 2\n'; bad dupenv "twice"
drop unknownkey '[run]\ncommand = true\ncolour = red\n'; bad unknownkey "unknown key"
drop unknownsec '[run]\ncommand = true\n[extra]\nx = 1\n'; bad unknownsec "unknown section"
drop gap '[run]\ncommand = "echo "\ncommand.3 = x\n'; bad gap "command.3 without command.2"
drop badsched '[run]\ncommand = true\nscheduled = tomorrow\n'; bad badsched "scheduled"
drop noofs '[run]\ncommand = true\nscheduled = 2031-01-01T00:00:00\n'; bad noofs "scheduled"
drop negretries '[run]\ncommand = true\nretries = -1\n'; bad negretries "retries"
drop zerotimeout '[run]\ncommand = true\ntimeout = 0\n'; bad zerotimeout "timeout"
drop relcwd '[run]\ncommand = true\ncwd = srv/data\n'; bad relcwd "absolute"
drop envdash '[run]\ncommand = true\n[env]\nMY-VAR = x\n'; bad envdash "environment variable name"
drop owneruid '[run]\ncommand = true\nowner_uid = 0\n'; bad owneruid "owner_uid"
drop setid '[run]\ncommand = true\nid = 11111111-2222-4333-8444-555555555555\n'; bad setid "id"
drop setpool '[run]\ncommand = true\npool = other\n'; bad setpool "pool"
: >"$IN/empty"; put empty; bad empty "no command"
drop nul '[run]\ncommand = echo a\0b\n'; bad nul "NUL"
drop cronly '[run]\rcommand = true\r'; bad cronly "section"
python3 - "$IN/longline" <<'EOF'
import sys
head = 'command = "echo '
line = head + "x" * (1001 - len(head) - 1) + '"'
assert len(line) == 1001
open(sys.argv[1], "w").write("[run]\n" + line + "\n")
EOF
put longline; bad longline "longer than 1000"
python3 - "$IN/huge" <<'EOF'
import sys
text = "[run]\ncommand = true\n"
text += (";" + "p" * 78 + "\n") * (1024 * 1024 // 80 + 1)
assert len(text) > 1024 * 1024
open(sys.argv[1], "w").write(text)
EOF
put huge; bad huge "1 MiB"
# a symbolic link to a good run file: not followed
printf '[run]\ncommand = true\nname = via-link\n' >"$TESTDIR/keep/target"
cp "$TESTDIR/keep/target" "$IN/target.copy"
ln -s "$TESTDIR/keep/target" "$Q/new/symlink"; bad symlink "symbolic link"
# a directory with a file in it
mkdir "$Q/tmp/adir" && printf '[run]\ncommand = true\n' >"$Q/tmp/adir/inner" && cp "$Q/tmp/adir/inner" "$IN/adir.inner" &&
    mv "$Q/tmp/adir" "$Q/new/adir"; bad adir "regular file"
# a FIFO: must not hang the acceptor
mkfifo "$Q/tmp/fifo" && mv "$Q/tmp/fifo" "$Q/new/fifo"; bad fifo "not a regular file"
# two hard links
printf '[run]\ncommand = true\nname = linked\n' >"$TESTDIR/keep/hardlink"
cp "$TESTDIR/keep/hardlink" "$IN/hardlink"
ln "$TESTDIR/keep/hardlink" "$Q/new/hardlink"; bad hardlink "hard links"
# owned by a uid no user has
drop ghost '[run]\ncommand = true\n'
chown 54321:54321 "$Q/new/ghost"; bad ghost "not a known user"

# ---------------------------------------------------------------- accept them all
timeout 20 "$SLUICE" flow-run ls -p P --json >"$TESTDIR/runs.json" 2>"$TESTDIR/runs.err"; lsrc=$?
equals "$lsrc" 0 "flow-run ls accepts every drop and exits 0 (no hang on the FIFO)"
index

# nothing left in new/ but the dotfiles; tmp/ untouched
left=$(cd "$Q/new" && ls -A | grep -v '^\.rejected\.' | sort | tr '\n' ' ')
equals "$left" ".hidden .nfs000000001 " "new/ holds only the dotfiles afterwards (and what was given back)"
equals "$(cd "$Q/new" && ls -A | grep -c '^\.rejected\.')" 3 "the symlink, directory and FIFO given back as .rejected.ID"
cmp -s "$Q/new/.hidden" "$IN/.hidden" && ok "dotfile left alone, bytes intact" || fail "dotfile changed"
[ "$(field .hidden state)" = "" ] && ok "dotfile is not a run" || fail "dotfile became a run"
[ -f "$Q/tmp/wip" ] && cmp -s "$Q/tmp/wip" "$IN/wip" && ok "a file in tmp/ is never touched" || fail "tmp/wip moved or changed"
equals "$(cd "$Q/tmp" && ls -A | tr '\n' ' ')" "wip " "tmp/ holds just the file put there"
[ -f "$P/queues/not a queue/new/f" ] && ok "a drop under a directory that is not a queue name is left alone" ||
    fail "a drop under 'queues/not a queue/new' was taken"
[ -z "$(ls -A "$P/queues/handq/new")" ] && ok "the drop in a mkdir-made queue was taken" || fail "handq/new: $(ls -A "$P/queues/handq/new")"
# private directories all published
[ -z "$(ls -A "$P/tmp" 2>/dev/null)" ] && ok "no private directory left in pools/P/tmp" ||
    fail "stranded in pools/P/tmp: $(ls -A "$P/tmp")"

# ---- the good ones
# rundir NAME : the directory of the Scheduled run named NAME
rundir() {
	rid=$(field "$1" id)
	ls -d "$P"/queues/*/sched/*/*."$rid" "$P"/queues/*/sched/*."$rid" 2>/dev/null | head -n 1
}
equals "$(field nightly-backup state)" Scheduled "backup.ini: Scheduled"
equals "$(field nightly-backup queue)" Q "backup.ini: in queue Q"
equals "$(field nightly-backup command)" "printf '%s\n' 'hello; world' # not a comment" "backup.ini: command exactly as written"
equals "$(field nightly-backup scheduled)" 2031-01-01T00:00:00Z "backup.ini: scheduled"
equals "$(field nightly-backup retries)" 2 "backup.ini: 'retries = 2 ; two' is 2"
d=$(rundir nightly-backup)
if [ -n "$d" ]; then
	ini=$d/run.ini
	grep -qx 'owner_uid = 0' "$ini" && ok "backup.ini: owner_uid = 0 (dropped by root)" || fail "owner: $(grep owner "$ini")"
	grep -qx 'timeout = 3600' "$ini" && ok "backup.ini: 'timeout = 3600 # an hour' is 3600" || fail "timeout: $(grep timeout "$ini")"
	grep -qx 'retry_delay = 60' "$ini" && ok "backup.ini: retry_delay 60" || fail "retry_delay: $(grep retry_delay "$ini")"
	grep -qx 'cwd = "/srv"' "$ini" && ok "backup.ini: cwd /srv" || fail "cwd: $(grep cwd "$ini")"
	grep -qx 'BACKUP_TARGET = "s3://bucket/nightly"' "$ini" && ok "backup.ini: [env] BACKUP_TARGET" || fail "env: $(sed -n '/^\[env\]/,$p' "$ini")"
	grep -qx 'Mixed_Case = "v; #x"' "$ini" && ok "backup.ini: [env] Mixed_Case keeps case and value" || fail "env: $(sed -n '/^\[env\]/,$p' "$ini")"
	cmp -s "$d/source" "$IN/backup.ini" && ok "backup.ini: the dropped bytes kept as source" || fail "backup.ini: source differs or missing"
	grep -q '^queue = Q$' "$d/origin" && grep -q '^name = backup.ini$' "$d/origin" && ok "backup.ini: origin names queue and file" ||
	    fail "origin: $(cat "$d/origin" 2>&1)"
else
	fail "no run directory for nightly-backup"
fi
# the table shows it too
S flow-run ls -p P >"$TESTDIR/table" 2>&1
grep -E '^[0-9a-f-]{36} +nightly-backup +P +Q +Scheduled +2031-01-01T00:00:00Z *$' "$TESTDIR/table" >/dev/null &&
    ok "flow-run ls table: nightly-backup Scheduled" || fail "table: $(grep nightly "$TESTDIR/table")"

n=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if l.strip() and json.loads(l)["command"] == "true" and json.loads(l)["state"] == "Scheduled" and json.loads(l)["queue"] == "Q"))' "$TESTDIR/runs.json")
[ "$n" -ge 1 ] && ok "minimal file (only command) accepted" || fail "minimal file not accepted"
equals "$(field dq command)" "echo a; echo b # c" "double-quoted value with ; and # kept exactly"
equals "$(field sq command)" 'echo "hi there"; x' "single-quoted value with \" kept exactly"
equals "$(field parts command)" "echo one two" "command + command.2 + command.3 joined in number order"
equals "$(field comments retries)" 2 "inline comment after retries"
equals "$(field comments scheduled)" 2031-02-03T04:05:06Z "inline comment after scheduled"
d=$(rundir comments)
[ -n "$d" ] && grep -qx 'retry_delay = 7' "$d/run.ini" && grep -qx 'timeout = 9' "$d/run.ini" &&
    ok "inline comments after retry_delay and timeout" || fail "comments: $(cat "$d/run.ini" 2>&1)"
# CRLF: accepted, and the command holds no \r (or it would be Rejected)
st=$(field crlf state)
case $st in
Scheduled)
	equals "$(field crlf command | od -An -c | tr -s ' ')" "$(printf 'echo crlf' | od -An -c | tr -s ' ')" \
	    "CRLF file accepted, command exactly 'echo crlf' without \\r"
	d=$(rundir crlf)
	grep -qx 'K = "v"' "$d/run.ini" && ok "CRLF file: [env] K = v without \\r" || fail "CRLF env: $(cat -A "$d/run.ini")" ;;
Rejected) ok "CRLF file rejected: $(field crlf message)" ;;
*) fail "CRLF file: state '$st'" ;;
esac
st=$(field crlfq state)
case $st in
Scheduled) equals "$(field crlfq command)" "echo quoted" "CRLF file with a quoted command: exactly 'echo quoted'" ;;
Rejected) ok "CRLF quoted file rejected: $(field crlfq message)" ;;
*) fail "CRLF quoted file: state '$st'" ;;
esac
equals "$(field upper command)" "echo up" "section and key names are case-insensitive ([RUN], COMMAND)"
want=$(sed -n 's/^command = "\(.*\)"$/\1/p' "$IN/line1000")
equals "$(field line1000 command)" "$want" "a 1000-byte line is accepted, command exact"
equals "$(field mib state)" Scheduled "a file of exactly 1 MiB is accepted"
d=$(rundir nobodys)
if [ -n "$d" ]; then
	grep -qx "owner_uid = $(id -u nobody)" "$d/run.ini" && grep -qx "owner_gid = $(id -g nobody)" "$d/run.ini" &&
	    ok "a file owned by nobody runs as nobody (owner_uid/gid)" || fail "nobody's drop: $(grep owner "$d/run.ini")"
else
	fail "nobody's drop not accepted: $(field nobodys message)"
fi
equals "$(field handmade queue)" handq "a drop in a mkdir-made queue: its queue is handq"

# ---- the hostile ones
while IFS='|' read -r name kw; do
	[ -n "$name" ] || continue
	st=$(field "$name" state)
	if [ "$st" != Rejected ]; then
		fail "$name: state '$st', wanted Rejected (command $(field "$name" command))"
		continue
	fi
	msg=$(field "$name" message)
	case $msg in
	*"$kw"*) ok "$name: Rejected: $msg" ;;
	*) fail "$name: Rejected, but the message '$msg' does not say '$kw'" ;;
	esac
	rid=$(field "$name" id)
	rd=$P/rejected/$rid
	[ -f "$rd/reason" ] && [ "$(cat "$rd/reason")" = "$msg" ] || fail "$name: reason file '$(cat "$rd/reason" 2>&1)'"
	case $name in
	symlink)
		back=$Q/new/.rejected.$rid
		[ ! -e "$rd/source" ] && [ ! -L "$rd/source" ] && [ -L "$back" ] &&
		    [ "$(readlink "$back")" = "$TESTDIR/keep/target" ] &&
		    ok "symlink: given back as new/.rejected.ID, not kept in rejected/" ||
		    fail "symlink: not given back ($(ls -la "$rd" "$Q/new" 2>&1))"
		case $msg in *"new/.rejected.$rid"*) ok "symlink: the reason says where it is" ;;
		*) fail "symlink: the reason does not name new/.rejected.$rid" ;; esac
		cmp -s "$TESTDIR/keep/target" "$IN/target.copy" && ok "symlink: its target untouched" || fail "symlink target changed" ;;
	adir)
		back=$Q/new/.rejected.$rid
		[ ! -e "$rd/source" ] && [ -d "$back" ] && cmp -s "$back/inner" "$IN/adir.inner" &&
		    ok "directory: given back with its contents as new/.rejected.ID, not kept in rejected/" ||
		    fail "directory: not given back ($(ls -la "$rd" "$Q/new" 2>&1))" ;;
	fifo)
		[ ! -e "$rd/source" ] && [ -p "$Q/new/.rejected.$rid" ] &&
		    ok "fifo: given back as new/.rejected.ID" || fail "fifo: not given back ($(ls -la "$rd" 2>&1))" ;;
	hardlink)
		cmp -s "$rd/source" "$IN/hardlink" && [ "$(stat -c %i "$rd/source")" = "$(stat -c %i "$TESTDIR/keep/hardlink")" ] &&
		    ok "hard link: kept, same inode, other link still there" || fail "hard link: source differs" ;;
	*)
		cmp -s "$rd/source" "$IN/$name" && ok "$name: bytes intact in rejected/ID/source" ||
		    fail "$name: rejected/$rid/source differs from what was dropped" ;;
	esac
	grep -q "Rejected run file '$name'" "$TESTDIR/runs.err" && ok "$name: a log line says so" || fail "$name: no log line on stderr"
	# a Rejected run has no times, attempt or retries
	[ "$(field "$name" scheduled)" = null ] && [ "$(field "$name" command)" = null ] || fail "$name: scheduled/command not null"
done <<EOF
$BAD
EOF

# a Rejected run shows when it was accepted (origin's "accepted = TIME"):
# "created" in JSON and the When column of the table
rid=$(field binary id)
acc=$(sed -n 's/^accepted = //p' "$P/rejected/$rid/origin" 2>/dev/null)
case $acc in ????-??-??T??:??:??Z) ok "origin of a Rejected run records accepted = $acc" ;; *) fail "origin: $(cat "$P/rejected/$rid/origin")" ;; esac
equals "$(field binary created)" "$acc" "a Rejected run's JSON created is when it was accepted (origin's accepted)"
S flow-run ls -p P --state Rejected --limit 0 >"$TESTDIR/rtable" 2>&1
grep -E "^$rid +binary +P +Q +Rejected +[0-9-]{10}T[0-9:]{8}Z *\$" "$TESTDIR/rtable" >/dev/null &&
    ok "the table's When column shows when a Rejected run was accepted" ||
    fail "Rejected row has no When: '$(grep "$rid" "$TESTDIR/rtable")'"

# a second listing changes nothing: Rejected runs stay, nothing re-accepted
# (Late is Scheduled shown late: runs accepted "now" turn Late meanwhile)
ids_states='import json,sys; print(sorted((o["id"], o["state"].replace("Late", "Scheduled")) for o in map(json.loads, open(sys.argv[1])) if o))'
before=$(python3 -c "$ids_states" "$TESTDIR/runs.json")
S flow-run ls -p P --json >"$TESTDIR/runs2.json" 2>&1
after=$(python3 -c "$ids_states" "$TESTDIR/runs2.json")
equals "$after" "$before" "a second flow-run ls shows the same runs in the same states"

# ---------------------------------------------------------------- values the stored run.ini cannot quote back
# Each case in a pool of its own.  The dropped file is legal INI that both
# readers agree on, but run.ini cannot hold the value as one quoted string
# (both kinds of quote, a carriage return, or over 900 bytes).  Whatever
# sluice does, it must not crash, and the file must end up a run with the
# value exactly as written, or Rejected with a reason: never stranded.
long=$(head -c 950 /dev/zero | tr '\0' a)
n=0
for c in 'command = echo "it'"'"'s"|command|echo "it'"'"'s"' \
    'command = a\rb|command|a\rb' \
    'command = true\ncwd = /x"y'"'"'z|cwd|' \
    "command = true\ncwd = /$long|cwd|" \
    'command = true\n[env]\nA = a"b'"'"'c|env|' \
    "command = true\n[env]\nLONG = $long|env|"; do
	n=$((n + 1))
	body=${c%%|*}; rest=${c#*|}; what=${rest%%|*}; want=${rest#*|}
	S work-pool create "X$n" >/dev/null 2>&1
	XQ=$SLUICE_SPOOL/pools/X$n/queues/default
	mkdir -p "$XQ/tmp" "$XQ/new"
	printf "[run]\nname = odd$n\n$body\n" >"$XQ/tmp/odd" && mv "$XQ/tmp/odd" "$XQ/new/odd"
	label="odd value #$n ($what: $(printf "$body" | tail -n 1 | cut -c1-30 | cat -v))"
	timeout 20 "$SLUICE" flow-run ls -p "X$n" --json >"$TESTDIR/x.json" 2>"$TESTDIR/x.err"; rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$label: flow-run ls exit $rc: $(head -c 300 "$TESTDIR/x.err")"
	else
		ok "$label: flow-run ls exit 0"
	fi
	left=$(ls -A "$SLUICE_SPOOL/pools/X$n/tmp" 2>/dev/null)
	[ -z "$left" ] && ok "$label: nothing stranded in pools/X$n/tmp" ||
	    fail "$label: the file is stranded in pools/X$n/tmp/$left (neither a run nor Rejected)"
	got=$(python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
print(len(objs), objs[0]["state"] if objs else "-", repr(objs[0]["command"]) if objs else "-", objs[0]["message"] if objs else "-")
' "$TESTDIR/x.json" 2>&1)
	case $got in
	"1 Rejected "*) ok "$label: Rejected with a reason: ${got#1 Rejected }" ;;
	"1 Scheduled "*)
		if [ "$what" = command ]; then
			wantr=$(python3 -c 'import sys; print(repr(sys.argv[1].replace("\\r", "\r")))' "$want")
			case $got in "1 Scheduled $wantr "*) ok "$label: accepted exactly" ;; *) fail "$label: accepted as $got" ;; esac
		else
			ok "$label: accepted ($got)"
		fi ;;
	*) fail "$label: wanted one run, Scheduled exactly or Rejected; got: $got" ;;
	esac
done

finish
