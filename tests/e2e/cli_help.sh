# cli_help.sh - every command's --help lists every option of its synopsis
# with a line of its own (bin/cmd/help.c), prints to stdout, exits 0; the
# -h of preview and logs is --hours and --head, as in Prefect.
. "$TOP/tests/e2e/lib.sh"

groups=$(S --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$groups" ] && ok "sluice --help lists the groups" || fail "no groups in sluice --help"
n=0
for g in $groups; do
	[ "$g" = dispatch ] && continue		# sluice-dispatch(8)'s own
	cmds=$(S "$g" --help | sed -n "s/^  sluice $g \\([a-z-]*\\).*/\\1/p")
	[ -z "$cmds" ] && cmds="-"		# one-word commands: submit, config
	for c in $cmds; do
		[ "$g $c" = "agent start" ] && continue	# sluice-agent(8)'s own
		if [ "$c" = - ]; then set -- "$g"; else set -- "$g" "$c"; fi
		if ! expect_rc 0 S "$@" --help; then continue; fi
		n=$((n + 1))
		usage=$(printf '%s\n' "$out" | head -n 1)
		opts=$(printf '%s\n' "$out" | sed -n '/^Options:/,/^$/p')
		for o in $(printf '%s\n' "$usage" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			printf '%s\n' "$opts" | grep -Eq "^  (-[a-zA-Z], )?$o( |$)" ||
			    fail "sluice $* --help: no line for $o"
		done
	done
done
[ "$n" -ge 30 ] && ok "--help of $n commands: each option of the synopsis has its line" || fail "only $n commands' --help read"
expect_rc 0 S work-pool preview --help && contains "$out" "  -h, --hours H " "preview --help: -h is --hours"
expect_rc 0 S flow-run logs --help && contains "$out" "  -h, --head " "logs --help: -h is --head"
expect_rc 0 S flow-run ls -h && contains "$out" "usage: sluice flow-run ls" "flow-run ls -h: help (no -h of its own there)"
finish
