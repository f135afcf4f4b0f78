# lib.sh - helpers for the end-to-end tests; sourced by tests/e2e/*.sh.
# Each test runs with a fresh $TESTDIR, SLUICE_SPOOL=$TESTDIR/spool,
# SLUICE=path of bin/sluice, TOP=the source tree.
set -u
fails=0
S() { "$SLUICE" "$@"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# expect_rc CODE CMD... : run CMD, check its exit status; output in $out/$errout
expect_rc() {
	want=$1; shift
	out=$("$@" 2>"$TESTDIR/stderr"); rc=$?
	errout=$(cat "$TESTDIR/stderr")
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc, wanted $want: $*"; echo "  stdout: $out"; echo "  stderr: $errout"
		return 1
	fi
	return 0
}
# contains HAYSTACK NEEDLE WHAT
contains() {
	case $1 in *"$2"*) ok "$3" ;; *) fail "$3: '$2' not in: $1" ;; esac
}
equals() {	# GOT WANT WHAT
	if [ "$1" = "$2" ]; then ok "$3"; else fail "$3: got '$1', wanted '$2'"; fi
}
finish() {
	if [ "$fails" -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
	echo "all ok"; exit 0
}
