# cli_config.sh - sluice config: the spool in force and the rule that chose
# it (--spool, $SLUICE_SPOOL, sluice.ini's spool, $XDG_STATE_HOME, $HOME),
# the configuration file and why, every setting as in effect (a value
# from sluice.ini, the rest defaults), --json; and it makes no spool.
. "$TOP/tests/e2e/lib.sh"
C=$TESTDIR/sluice.ini
printf '[sluice]\nspool = %s/from-ini\nlate_after = 42\n' "$TESTDIR" >"$C"

value() { printf '%s\n' "$out" | sed -n "s/^$1=//p"; }	# KEY: its line's value

if expect_rc 0 env SLUICE_CONFIG=/dev/null SLUICE_SPOOL="$TESTDIR/from env" "$SLUICE" config; then
	equals "$(value spool)" "$TESTDIR/from env (from \$SLUICE_SPOOL)" "spool from \$SLUICE_SPOOL, a space kept"
	equals "$(value config)" 'none ($SLUICE_CONFIG=/dev/null: no file, every default)' "config: none, and why"
	equals "$(value late_after)" 15 "late_after: its default"
	equals "$(value submitters)" owner "submitters: its default"
fi
[ -e "$TESTDIR/from env" ] && fail "config made the spool" || ok "config does not make the spool"
if expect_rc 0 env SLUICE_CONFIG="$C" SLUICE_SPOOL="$TESTDIR/env" "$SLUICE" --spool "$TESTDIR/opt" config; then
	equals "$(value spool)" "$TESTDIR/opt (from --spool)" "--spool wins over \$SLUICE_SPOOL"
fi
if expect_rc 0 env -u SLUICE_SPOOL SLUICE_CONFIG="$C" "$SLUICE" config; then
	equals "$(value spool)" "$TESTDIR/from-ini (from $C)" "spool from sluice.ini, named by its file"
	equals "$(value config)" "$C (from \$SLUICE_CONFIG)" "config: the file, from \$SLUICE_CONFIG"
	equals "$(value late_after)" 42 "late_after from sluice.ini"
fi
if [ ! -d /var/spool/sluice ]; then
	if expect_rc 0 env -u SLUICE_SPOOL SLUICE_CONFIG=/dev/null XDG_STATE_HOME="$TESTDIR/xdg" "$SLUICE" config; then
		equals "$(value spool)" "$TESTDIR/xdg/sluice (from \$XDG_STATE_HOME)" "spool from \$XDG_STATE_HOME"
	fi
	if expect_rc 0 env -u SLUICE_SPOOL -u XDG_STATE_HOME SLUICE_CONFIG=/dev/null HOME="$TESTDIR/home" "$SLUICE" config; then
		equals "$(value spool)" "$TESTDIR/home/.local/state/sluice (from \$HOME/.local/state)" "spool from \$HOME"
	fi
else
	ok "skipped the \$XDG_STATE_HOME and \$HOME rules: /var/spool/sluice exists here"
fi
if expect_rc 0 env SLUICE_CONFIG="$C" "$SLUICE" config --json; then
	jcheck "config --json: spool, spool_from, config, config_from, settings" '
list(obj.keys()) == ["spool", "spool_from", "config", "config_from", "settings"] or bad("keys %r" % list(obj.keys()))
obj["spool"] == "'"$SLUICE_SPOOL"'" or bad("spool %r" % obj["spool"])
obj["spool_from"] == "$SLUICE_SPOOL" or bad("spool_from %r" % obj["spool_from"])
obj["config"] == "'"$C"'" or bad("config %r" % obj["config"])
obj["settings"]["late_after"] == 42 and obj["settings"]["heartbeat"] == 10 or bad("settings %r" % obj["settings"])
obj["settings"]["admins"] is None or bad("admins %r" % obj["settings"]["admins"])
'
fi
printf '[sluice]\nlate_after = soon\n' >"$TESTDIR/bad.ini"
expect_rc 1 env SLUICE_CONFIG="$TESTDIR/bad.ini" "$SLUICE" config && ok "config with a bad sluice.ini: exit 1, as every command"
finish
