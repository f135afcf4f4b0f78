# cli_args.sh - the command line of sluice: names (sluice(1) "Names"), options
# anywhere, usage errors (exit 2), --help and --version, errors on stderr
# with stdout empty ("EXIT STATUS"), and where the spool is (sluice(1) "The spool": --spool, then
# $SLUICE_SPOOL, then the config file's [sluice] spool, then
# /var/spool/sluice, then ${XDG_STATE_HOME:-$HOME/.local/state}/sluice).
. "$TOP/tests/e2e/lib.sh"

# usage2 WHAT ARGS... : exit 2, a message on stderr, nothing on stdout
usage2() {
	what=$1; shift
	if expect_rc 2 S "$@"; then
		if [ -n "$out" ]; then fail "$what: stdout not empty: $out"
		elif [ -z "$errout" ]; then fail "$what: no message on stderr"
		else ok "$what: exit 2, message on stderr, stdout empty"; fi
	fi
}
# fail1 WHAT NEEDLE ARGS... : exit 1, NEEDLE in stderr, nothing on stdout
fail1() {
	what=$1 needle=$2; shift 2
	if expect_rc 1 S "$@"; then
		if [ -n "$out" ]; then fail "$what: stdout not empty: $out"
		else contains "$errout" "$needle" "$what: exit 1, stderr says '$needle', stdout empty"; fi
	fi
}
pools() { ls "$1/pools" 2>/dev/null | tr '\n' ' '; }

n64=$(printf 'a%.0s' $(seq 1 64))
n65=$(printf 'b%.0s' $(seq 1 65))

# ---- names ----
S work-pool create good >/dev/null || fail "create good"
for bad in "" ".." "." "a/b" "a b" ".hidden" "$n65" "-x" "a%b" "é" "a
b" "_lead" "../escape"; do
	label=$(printf '%s' "$bad" | tr '\n' '~')
	usage2 "work-pool create '$label'" work-pool create -- "$bad"
	usage2 "work-queue create '$label'" work-queue create -p good -- "$bad"
	usage2 "work-queue ls -p '$label'" work-queue ls -p "$bad"
	usage2 "work-pool inspect '$label'" work-pool inspect -- "$bad"
done
contains "$(S work-pool create -- 'a/b' 2>&1)" "a/b" "the invalid-name message quotes the name"
equals "$(pools "$SLUICE_SPOOL")" "good " "no invalid name made anything in pools/"
equals "$(ls "$SLUICE_SPOOL/pools/good/queues" | tr '\n' ' ')" "default " "no invalid name made a queue"
[ -e "$TESTDIR/escape" ] || [ -e "$SLUICE_SPOOL/escape" ] && fail "'../escape' escaped the pools directory" || ok "'../escape' made nothing outside pools/"
expect_rc 0 S work-pool create "$n64" && contains "$out" "Created work pool '$n64'." "64-character pool name accepted"
expect_rc 0 S work-queue create "$n64" -p "$n64" && ok "64-character queue name accepted"
expect_rc 0 S work-queue ls -p "$n64" --json && contains "$out" "\"name\":\"$n64\"" "64-character queue listed"
expect_rc 0 S work-pool create A.b_c-9 && ok "letters, digits, '.', '_' and '-' accepted"
expect_rc 0 S work-pool create 0start && ok "a name may start with a digit"

# ---- options before, between and after the command words ----
expect_rc 0 S --json work-pool ls && contains "$out" '"name":"good"' "--json before the group"
expect_rc 0 S work-pool --json ls && contains "$out" '"name":"good"' "--json between the words"
expect_rc 0 S work-pool ls --json && contains "$out" '"name":"good"' "--json after the command"
alt=$TESTDIR/alt
expect_rc 0 S --spool "$alt" work-pool create s1 && ok "--spool DIR before the words"
expect_rc 0 S work-pool create s2 --spool "$alt" && ok "--spool DIR after the words"
expect_rc 0 S work-pool create --spool="$alt" s3 && ok "--spool=DIR"
expect_rc 0 S work-queue create q1 -p s1 --spool "$alt" --priority 4 --limit 2 && ok "--spool among command options"
expect_rc 0 S -p s1 --spool "$alt" --json work-queue ls && contains "$out" '"name":"q1"' "-p before the group"
equals "$(pools "$alt")" "s1 s2 s3 " "every --spool form used the given spool"
equals "$(S work-pool ls --json | grep -c '"s[123]"')" 0 "--spool did not touch \$SLUICE_SPOOL"
(cd "$TESTDIR" && "$SLUICE" --spool rel work-pool create r1 >/dev/null) || fail "--spool with a relative path"
equals "$(pools "$TESTDIR/rel")" "r1 " "--spool relative to the current directory"
expect_rc 0 S work-queue create q2 --priority=7 --limit=1 -p good && contains "$out" "priority - 7" "--priority=N and --limit=N"
expect_rc 0 S work-queue create q3 --pool good && contains "$out" "work pool - 'good'" "--pool long form of -p"

# ---- usage errors: exit 2 ----
usage2 "no arguments" 
usage2 "unknown command" frobnicate
usage2 "unknown group command" work-pool frobnicate
usage2 "unknown work-queue command" work-queue frobnicate
usage2 "unknown option" work-pool ls --frobnicate
usage2 "unknown option before the words" --frobnicate work-pool ls
usage2 "unknown short option" work-pool ls -z
usage2 "option not taken by this command (--json on pause)" work-pool pause good --json
usage2 "option not taken by this command (-p on work-pool ls)" work-pool ls -p good
usage2 "option not taken by this command (--priority on work-pool create)" work-pool create x --priority 1
usage2 "flag with a value (--json=yes)" work-pool ls --json=yes
usage2 "prefix of an option (--spoo)" work-pool ls --spoo "$alt"
usage2 "--spool without its value" work-pool ls --spool
usage2 "-p without its value" work-queue ls -p
usage2 "--limit without its value" work-pool create x --limit
usage2 "missing NAME (work-pool create)" work-pool create
usage2 "missing NAME (work-pool inspect)" work-pool inspect
usage2 "missing N (work-pool set-concurrency-limit)" work-pool set-concurrency-limit good
usage2 "missing NAME (work-queue create)" work-queue create
usage2 "missing N (work-queue set-priority)" work-queue set-priority default
usage2 "extra argument (work-pool ls)" work-pool ls extra
usage2 "extra argument (work-pool create)" work-pool create x y
usage2 "extra argument (work-queue set-priority)" work-queue set-priority default 1 2
usage2 "group without a command" work-pool
usage2 "--limit -1" work-pool create x --limit -1
usage2 "--limit abc" work-pool create x --limit abc
usage2 "--limit 1.5" work-pool create x --limit 1.5
usage2 "--limit ''" work-pool create x --limit ""
usage2 "--limit 2147483648 (too large)" work-pool create x --limit 2147483648
usage2 "--limit 5x" work-queue create x --limit 5x
usage2 "--priority 0" work-queue create x --priority 0
usage2 "--priority -2" work-queue create x --priority -2
usage2 "set-priority 0" work-queue set-priority default 0
usage2 "set-priority abc" work-queue set-priority default abc
usage2 "set-concurrency-limit -1" work-pool set-concurrency-limit good -1
usage2 "work-queue set-concurrency-limit x" work-queue set-concurrency-limit default x
usage2 "--hours -1" work-pool preview good --hours -1
usage2 "--hours abc" work-queue preview default --hours abc
equals "$(pools "$SLUICE_SPOOL" | tr ' ' '\n' | grep -cx x)" 0 "no usage error created pool x"
expect_rc 0 S work-pool inspect good --json && contains "$out" '"concurrency_limit":null' "refused set-concurrency-limit changed nothing"

# ---- --help and --version: stdout, exit 0 ----
if expect_rc 0 S --help; then
	contains "$out" "work-pool" "sluice --help lists work-pool"
	contains "$out" "work-queue" "sluice --help lists work-queue"
	equals "$errout" "" "sluice --help: nothing on stderr"
fi
if expect_rc 0 S work-pool --help; then
	contains "$out" "create" "work-pool --help lists create"
	contains "$out" "set-concurrency-limit" "work-pool --help lists set-concurrency-limit"
	equals "$errout" "" "work-pool --help: nothing on stderr"
fi
if expect_rc 0 S work-queue --help; then
	contains "$out" "set-priority" "work-queue --help lists set-priority"
fi
if expect_rc 0 S work-pool create --help; then
	contains "$out" "work-pool create" "work-pool create --help: its usage"
	contains "$out" "--limit" "work-pool create --help: mentions --limit"
	equals "$errout" "" "work-pool create --help: nothing on stderr"
fi
expect_rc 0 S work-queue set-priority --help && contains "$out" "set-priority" "work-queue set-priority --help"
expect_rc 0 S --help work-pool && contains "$out" "create" "--help before the group"
expect_rc 0 S -h && contains "$out" "work-pool" "-h"
equals "$(pools "$SLUICE_SPOOL" | tr ' ' '\n' | grep -c help)" 0 "--help created nothing"
expect_rc 0 S work-pool create helped --help && equals "$(pools "$SLUICE_SPOOL" | tr ' ' '\n' | grep -cx helped)" 0 "'create NAME --help' prints help and creates nothing"
if expect_rc 0 S --version; then
	printf '%s\n' "$out" | grep -Eq '^sluice [0-9]+\.[0-9]+' && ok "--version: 'sluice X.Y...' on stdout" || fail "--version: '$out'"
	equals "$errout" "" "--version: nothing on stderr"
fi
expect_rc 0 S work-pool ls --version && printf '%s\n' "$out" | grep -q '^sluice ' && ok "--version after the words"

# ---- errors: stderr only ----
fail1 "duplicate pool" "already exists" work-pool create good
fail1 "missing pool" "not found" work-pool pause nowhere
fail1 "missing queue" "not found" work-queue pause nowhere -p good

# ---- where the spool is ----
# each rule: run `work-pool create MARK` and see in which spool MARK appears
unset XDG_STATE_HOME
cfgdir=$TESTDIR/cfg
mkdir -p "$cfgdir" "$TESTDIR/home"
printf '[sluice]\nspool = %s\n' "$TESTDIR/from-config" >"$cfgdir/spool.ini"
printf '; no spool here\n[sluice]\nlate_after = 20\n' >"$cfgdir/nospool.ini"

# --spool beats $SLUICE_SPOOL and the config
SLUICE_CONFIG=$cfgdir/spool.ini S --spool "$TESTDIR/from-option" work-pool create m1 >/dev/null || fail "create m1"
equals "$(pools "$TESTDIR/from-option")" "m1 " "--spool beats \$SLUICE_SPOOL and the config file"
S work-pool inspect m1 >/dev/null 2>&1 && fail "--spool: m1 also in \$SLUICE_SPOOL" || ok "--spool: not in \$SLUICE_SPOOL"
[ -e "$TESTDIR/from-config/pools/m1" ] && fail "--spool: m1 in the config's spool"
# $SLUICE_SPOOL beats the config
SLUICE_CONFIG=$cfgdir/spool.ini S work-pool create m2 >/dev/null || fail "create m2"
[ -d "$SLUICE_SPOOL/pools/m2" ] && ok "\$SLUICE_SPOOL beats the config file" || fail "m2 not in \$SLUICE_SPOOL"
[ -e "$TESTDIR/from-config/pools/m2" ] && fail "m2 in the config's spool"
# the config file beats the XDG default
env -u SLUICE_SPOOL SLUICE_CONFIG="$cfgdir/spool.ini" XDG_STATE_HOME="$TESTDIR/xdg" "$SLUICE" work-pool create m3 >/dev/null || fail "create m3"
equals "$(pools "$TESTDIR/from-config")" "m3 " "the config file's [sluice] spool beats the XDG default"
[ -e "$TESTDIR/xdg/sluice/pools/m3" ] && fail "m3 in the XDG spool"
# the default: ${XDG_STATE_HOME:-$HOME/.local/state}/sluice, created on first use
if [ -e /var/spool/sluice ]; then
	echo "note: /var/spool/sluice exists on this machine: the XDG default is not checked"
else
	env -u SLUICE_SPOOL SLUICE_CONFIG=/dev/null XDG_STATE_HOME="$TESTDIR/xdg" "$SLUICE" work-pool create m4 >/dev/null || fail "create m4"
	equals "$(pools "$TESTDIR/xdg/sluice")" "m4 " "no other setting: \$XDG_STATE_HOME/sluice, created on first use"
	env -u SLUICE_SPOOL SLUICE_CONFIG="$cfgdir/nospool.ini" XDG_STATE_HOME="$TESTDIR/xdg" "$SLUICE" work-pool create m5 >/dev/null || fail "create m5"
	equals "$(pools "$TESTDIR/xdg/sluice")" "m4 m5 " "a config file without spool: the XDG default"
	env -u SLUICE_SPOOL -u XDG_STATE_HOME SLUICE_CONFIG=/dev/null HOME="$TESTDIR/home" "$SLUICE" work-pool create m6 >/dev/null || fail "create m6"
	equals "$(pools "$TESTDIR/home/.local/state/sluice")" "m6 " "XDG_STATE_HOME unset: \$HOME/.local/state/sluice"
	env -u SLUICE_SPOOL SLUICE_CONFIG=/dev/null XDG_STATE_HOME="" HOME="$TESTDIR/home" "$SLUICE" work-pool create m7 >/dev/null || fail "create m7"
	equals "$(pools "$TESTDIR/home/.local/state/sluice")" "m6 m7 " "XDG_STATE_HOME empty: \$HOME/.local/state/sluice"
	out=$(env -u SLUICE_SPOOL -u XDG_STATE_HOME SLUICE_CONFIG=/dev/null HOME="$TESTDIR/home" "$SLUICE" work-pool ls --json)
	contains "$out" '"name":"m6"' "the default spool is found again by the next command"
	equals "$(printf '%s\n' "$out" | grep -c '"name":"m7"')" 1 "... with everything in it"
fi

# a bad config: exit 1, the message names the key
printf '[sluice]\nheartbeat = often\n' >"$cfgdir/bad.ini"
SLUICE_CONFIG=$cfgdir/bad.ini fail1 "config heartbeat = often" "heartbeat" work-pool ls
printf '[sluice]\nlate_after = -5\n' >"$cfgdir/bad2.ini"
SLUICE_CONFIG=$cfgdir/bad2.ini fail1 "config late_after = -5" "late_after" work-pool ls
printf '[sluice]\nspool = relative/dir\n' >"$cfgdir/bad3.ini"
env -u SLUICE_SPOOL SLUICE_CONFIG="$cfgdir/bad3.ini" "$SLUICE" work-pool ls >"$TESTDIR/o" 2>"$TESTDIR/e"; rc=$?
equals "$rc" 1 "config spool = relative/dir: exit 1"
contains "$(cat "$TESTDIR/e")" "spool" "config spool = relative/dir: the message names the key"
equals "$(cat "$TESTDIR/o")" "" "config spool = relative/dir: nothing on stdout"
SLUICE_CONFIG=$cfgdir/missing.ini fail1 "SLUICE_CONFIG names a missing file" "missing.ini" work-pool ls
printf 'this is not an ini file\n' >"$cfgdir/garbage.ini"
SLUICE_CONFIG=$cfgdir/garbage.ini fail1 "a config file that is not INI: the message names the file" "garbage.ini" work-pool ls
printf '[sluice]\nheartbeat = 5\n' >"$cfgdir/ok.ini"
SLUICE_CONFIG=$cfgdir/ok.ini expect_rc 0 S work-pool ls && ok "a good config file is accepted"

finish
