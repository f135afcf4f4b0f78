# install.sh - make install into a DESTDIR: the files land where the FHS
# says (programs in bin and sbin, man pages, units, sysusers.d, tmpfiles.d,
# the example configuration and cron files), units and cron files name the
# install paths, systemd-analyze verify passes on every unit (when it is
# here), the installed programs run a run, and make uninstall removes every
# file it put there.
. "$TOP/tests/e2e/lib.sh"
D=$TESTDIR/root
make -C "$TOP" -s install DESTDIR="$D" PREFIX=/usr >"$TESTDIR/install.log" 2>&1 ||
    { fail "make install: $(tail -5 "$TESTDIR/install.log")"; finish; }
for f in usr/bin/sluice usr/sbin/sluice-agent usr/sbin/sluice-dispatch \
    usr/share/man/man1/sluice.1 usr/share/man/man1/sluice-flow-run.1 \
    usr/share/man/man5/sluice.ini.5 usr/share/man/man8/sluice-agent.8 \
    etc/sluice/sluice.ini.example usr/lib/systemd/system/sluice-agent@.service \
    usr/lib/systemd/system/sluice-dispatch.service \
    usr/lib/systemd/system/sluice-dispatch.timer \
    usr/lib/systemd/system/sluice-dispatch-once.service \
    usr/lib/sysusers.d/sluice.conf usr/lib/tmpfiles.d/sluice.conf \
    usr/share/sluice/sluice-agent.cron usr/share/sluice/sluice-dispatch.cron; do
	[ -f "$D/$f" ] || fail "not installed: /$f"
done
ok "make install DESTDIR PREFIX=/usr: files in their FHS places"
[ -x "$D/usr/sbin/sluice-agent" ] && ok "sluice-agent is executable" || fail "sluice-agent mode"
grep -q '^ExecStart=/usr/sbin/sluice-agent \$SLUICE_AGENT_ARGS$' "$D/usr/lib/systemd/system/sluice-agent@.service" &&
    ok "sluice-agent@.service runs /usr/sbin/sluice-agent" || fail "sluice-agent@ ExecStart: $(grep ExecStart "$D/usr/lib/systemd/system/sluice-agent@.service")"
grep -q '@[A-Z]*@' "$D"/usr/lib/systemd/system/* "$D"/usr/share/sluice/* "$D"/usr/lib/*.d/* &&
    fail "a @PLACEHOLDER@ left: $(grep -l '@[A-Z]*@' "$D"/usr/lib/systemd/system/* "$D"/usr/share/sluice/*)" ||
    ok "no placeholder left in units, cron files, sysusers and tmpfiles"
grep -q '/usr/sbin/sluice-dispatch --once' "$D/usr/share/sluice/sluice-dispatch.cron" &&
    ok "the cron file names the installed sluice-dispatch" || fail "cron: $(grep sluice-dispatch "$D/usr/share/sluice/sluice-dispatch.cron")"

# the installed programs run a run (sluice-agent by its installed path)
export SLUICE_SPOOL=$TESTDIR/spool SLUICE_CONFIG=/dev/null
"$D/usr/bin/sluice" --version >/dev/null && ok "installed sluice runs" || fail "installed sluice --version"
"$D/usr/bin/sluice" work-pool create ip >/dev/null || fail "installed: work-pool create"
id=$("$D/usr/bin/sluice" submit -p ip -- true) || fail "installed: submit"
"$D/usr/sbin/sluice-agent" -p ip --run-once --hide-welcome >/dev/null 2>&1 || fail "installed sluice-agent --run-once"
n=0
while [ "$("$D/usr/bin/sluice" flow-run inspect "$id" --json | jget state)" != Completed ] && [ $n -lt 50 ]; do
	sleep 0.2; n=$((n + 1))
done
equals "$("$D/usr/bin/sluice" flow-run inspect "$id" --json | jget state)" Completed "the installed agent ran a run to Completed"

# systemd-analyze verify, on units installed with paths that exist here
if command -v systemd-analyze >/dev/null 2>&1; then
	P=$TESTDIR/prefix
	make -C "$TOP" -s install PREFIX="$P/usr" SYSCONFDIR="$P/etc" >"$TESTDIR/install2.log" 2>&1 ||
	    fail "make install PREFIX=$P: $(tail -3 "$TESTDIR/install2.log")"
	for u in "$P"/usr/lib/systemd/system/*; do
		msg=$(cd "$TESTDIR" && systemd-analyze verify --man=no "$u" 2>&1)
		[ -z "$msg" ] && ok "systemd-analyze verify $(basename "$u"): clean" ||
		    fail "systemd-analyze verify $(basename "$u"): $msg"
	done
	make -C "$TOP" -s uninstall PREFIX="$P/usr" SYSCONFDIR="$P/etc" >/dev/null 2>&1
else
	ok "skipped systemd-analyze verify: not installed here"
fi

make -C "$TOP" -s uninstall DESTDIR="$D" PREFIX=/usr >"$TESTDIR/uninstall.log" 2>&1 || fail "make uninstall: $(cat "$TESTDIR/uninstall.log")"
left=$(find "$D" -type f | sed "s|^$D||")
equals "$left" "" "make uninstall removes every file make install put there"
finish
