# agent_keepers.sh - keepers (bin/sluice-agent.c, spool-layout.md,
# "Keepers"): a starter whose run is over is kept, and starts and
# supervises the next run its agent claims.
#   1. reuse: 8 runs at --limit 1, drained one at a time: all Completed,
#      all under one supervisor, the agent's child; each run sees its own
#      id; all recorded by one warm recorder, the keeper's child; between
#      runs the keeper holds no descriptor but 0-4, the spool's
#      directories and its recorder's channel, and the recorder none but
#      0-2, the spool's directories and its channel;
#   2. an idle keeper killed (kill -9): the next run starts all the same,
#      under another supervisor, Completed;
#   3. an idle keeper exits by itself once idle --poll-seconds (1 s here);
#   4. 300 runs at --limit 1: all Completed, no supervisor named for more
#      than 256 of them (a keeper's last run, KEEP_RUNS);
#   5. a stop (SIGTERM): the idle keeper exits with its agent; the busy
#      one finishes its run, Completed, then exits; nothing is left;
#   6. a keeper with a child left after its run (an alert hook, which
#      came to it as a subreaper) does not stay: the hook is not killed by
#      the sweep of a next run;
#   7. what a keeper logs while it starts a run (here: it refuses one whose
#      owner is no user of this host) is in its agent's log, though its
#      own stderr is /dev/null by then;
#   8. a run not claimed by the pass that starts it (prefetched: claimed
#      before its time) is started by the idle keeper too, Completed;
#   9. the keeper's warm recorder (supervise.c) killed while idle: the
#      next run gets a recorder forked for it, Completed, same keeper;
#  10. the warm recorder killed while its command runs: Completed all the
#      same (the keeper reaps the command), and the keeper stays;
#  11. a request too big for the warm recorder (71 KB of environment): a
#      recorder forked for that run, then a warm one again;
#  12. a keeper stopped in a later run: the warm recorder fences the
#      command, crash detection ends the run Crashed and kills the keeper,
#      and the recorder exits;
#  13. a request the warm recorder refuses (the descriptors it carries
#      cut short by the recorder's open-file limit, lowered to 3): a
#      recorder forked for that run, Completed (not "Could not start"),
#      the refusal said in its log; then a warm one again.  Before 12,
#      which kills the keeper;
#  14. a pool with 400 limited queues of long names (a keeper's request
#      of some 26 KB, over the 20 KB it could be before 2026-12-07): its
#      runs are started by one keeper all the same, with no warning.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
T=$TESTDIR
fast_config "$T/sluice.ini"
export T

# job.sh: who supervises this run and who records it (its lease, written
# before the go), and their parents: ID S S's-parent H H's-parent
cat >"$T/job.sh" <<'EOT'
l=$(ls "$SLUICE_SPOOL"/pools/*/running/*."$SLUICE_RUN_ID"/lease)
s=$(sed -n 's/^supervisor = //p' "$l")
h=$(sed -n 's/^recorder = //p' "$l")
echo "$SLUICE_RUN_ID $s $(cut -d' ' -f4 "/proc/$s/stat")" \
    "$h $(cut -d' ' -f4 "/proc/$h/stat")" >>"$T/sups"
[ -z "$SLEEP" ] || sleep "$SLEEP"
EOT
cleanup() { kill_agents; kill_leased; }
trap cleanup EXIT
S work-pool create P >/dev/null || exit 1

# submit_n N CMD...: N runs of CMD; their ids, one a line, in $T/ids
submit_n() {
	_n=$1; shift
	: >"$T/ids"
	while [ "$_n" -gt 0 ]; do
		S submit -p P -- "$@" >>"$T/ids" || fail "submit"
		_n=$((_n - 1))
	done
}
# wait_done N SECONDS: 0 when N runs are in done/
wait_done() {
	_end=$(( $(msnow) + $2 * 1000 ))
	while [ "$(msnow)" -lt "$_end" ]; do
		[ "$(ls "$SP/pools/P/done" | wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
ndone() { ls "$SP/pools/P/done" | grep -c "\.$1\$"; }	# STATE

# 1. reuse (idle keepers retired only after 30 s here)
start_agent a0 -p P --limit 1 --poll-seconds 30 --hide-welcome
submit_n 8 sh "$T/job.sh"
wait_done 8 30 || fail "1: 8 runs not done in 30 s"
equals "$(ndone Completed)" 8 "1: 8 Completed"
equals "$(cut -d' ' -f2 "$T/sups" | sort -u | wc -l)" 1 \
    "1: one supervisor for all 8"
equals "$(cut -d' ' -f3 "$T/sups" | sort -u)" "$apid" \
    "1: the supervisor is the agent's child"
equals "$(cut -d' ' -f1 "$T/sups" | sort)" "$(sort "$T/ids")" \
    "1: each run saw its own id"
k=$(head -n 1 "$T/sups" | cut -d' ' -f2)
r=$(head -n 1 "$T/sups" | cut -d' ' -f4)
equals "$(cut -d' ' -f4 "$T/sups" | sort -u | wc -l)" 1 \
    "1: one recorder for all 8 (the warm recorder)"
equals "$(cut -d' ' -f5 "$T/sups" | sort -u)" "$k" \
    "1: the recorder is the keeper's child"
h4='[0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
uuidish="*$h4-$h4-*"	# a path that holds a run's id
# held - what process $1 holds from descriptor $2 up that is neither a
# spool directory nor a socket, and its sockets: "BAD... sockets:N"
held() {
	_bad="" _ns=0
	gone "$1" && _bad="it is gone"
	for _f in /proc/"$1"/fd/*; do
		_n=${_f##*/}
		[ "$_n" -lt "$2" ] && continue
		_l=$(readlink "$_f")
		# a spool directory kept open (dirfd.c), never a run's
		# directory or file (its name holds the run's id)
		case $_l in
		"$SP"/pools/P/journals/*) ;;	# its exit journal
		$uuidish) _bad="$_bad $_n:$_l" ;;
		"$SP"/*) ;; socket:*) _ns=$((_ns + 1)) ;;
		*) _bad="$_bad $_n:$_l" ;; esac
	done
	echo "${_bad# }sockets:$_ns"
}
# its run's end is in done/ a moment before it closes what the run held
i=0
while :; do
	bad=$(held "$k" 5)
	[ "$bad" = sockets:1 ] || [ $i -ge 60 ] && break
	sleep 0.05; i=$((i + 1))
done
equals "$bad" sockets:1 \
    "1: the idle keeper holds only 0-4, spool directories, a channel"
equals "$(held "$r" 3)" sockets:1 \
    "1: the idle recorder holds only 0-2, spool directories, its channel"
# its exit journal (journal.c): one file, named by the recorder's pid,
# of 256 slots of 512 bytes, held open, with the 8 runs' records
J=$SP/pools/P/journals
case $(stat -f -c %T "$SP") in	# made on a disk of this host's only
ext2/ext3|xfs|btrfs|tmpfs|ramfs|overlayfs|zfs|f2fs) jlocal=1 ;;
*) jlocal=0; mkdir -p "$J"; echo "(no journal on $(stat -f -c %T "$SP"))" ;;
esac
j=$(ls "$J")
[ "$jlocal" = 1 ] && {
equals "$(echo "$j" | wc -l)" 1 "1: one exit journal"
case $j in "$r".*) ok "1: the journal is the recorder's" ;;
*) fail "1: the journal '$j' is not recorder $r's" ;; esac
equals "$(stat -c %s "$J/$j")" 131072 "1: the journal is 128 KiB"
equals "$(ls -l /proc/"$r"/fd | grep -c "journals/$j")" 1 \
    "1: the recorder holds it open"
equals "$(tr -d '\000' <"$J/$j" | sed -n 's/^id = //p' | sort)" \
    "$(sort "$T/ids")" "1: the 8 runs' records in it"
}

# 2. the idle keeper killed
kill -KILL "$k"
: >"$T/sups"
submit_n 1 sh "$T/job.sh"
wait_done 9 20 || fail "2: the run after the kill not done in 20 s"
equals "$(ndone Completed)" 9 "2: Completed after its keeper was killed"
k2=$(cut -d' ' -f2 "$T/sups")
[ -n "$k2" ] && [ "$k2" != "$k" ] && ok "2: under another supervisor" ||
    fail "2: supervisor '$k2' (the killed one was $k)"

kill -TERM "$apid"
wait "$apid" 2>/dev/null

# 3. retired once idle --poll-seconds (1 s)
start_agent a1 -p P --limit 1 --hide-welcome
: >"$T/sups"
submit_n 1 sh "$T/job.sh"
wait_done 10 20 || fail "3: the run not done in 20 s"
k2=$(cut -d' ' -f2 "$T/sups")
i=0
while [ $i -lt 100 ] && ! gone "$k2"; do sleep 0.05; i=$((i + 1)); done
gone "$k2" && ok "3: the idle keeper exited within 5 s" ||
    fail "3: keeper $k2 still there after 5 s idle"

# 4. at most KEEP_RUNS runs a keeper (submitted while the agent is
# stopped; an agent whose keepers are retired only after 30 s idle, so
# that a loaded machine's slow pass retires none)
kill -TERM "$apid"
wait "$apid" 2>/dev/null
start_agent a1b -p P --limit 1 --poll-seconds 30 --hide-welcome
: >"$T/sups"
sleep 0.5
kill -STOP "$apid"
submit_n 300 true
kill -CONT "$apid"
wait_done 310 120 || fail "4: 300 runs not done in 120 s"
equals "$(ndone Completed)" 310 "4: 300 more Completed"
# each command's parent is its run's recorder; the recorder's parent,
# its supervisor, is gone by now: the agent's log names it
most=$(grep -o 'under supervisor [0-9]*' "$T/a1b.err" | sort | uniq -c |
    sort -rn | awk 'NR == 1 { print $1 }')
[ "${most:-0}" -le 256 ] && [ "${most:-0}" -ge 200 ] &&
    ok "4: at most 256 runs a supervisor ($most)" ||
    fail "4: a supervisor started $most runs"
kill -TERM "$apid"
wait "$apid" 2>/dev/null

# 5. a stop: the idle keeper exits, the busy one after its run
start_agent a2 -p P --limit 2 --poll-seconds 5 --hide-welcome
: >"$T/sups"
submit_n 1 sh "$T/job.sh"
wait_done 311 20 || fail "5: the first run not done"
ki=$(cut -d' ' -f2 "$T/sups")
S submit -p P -- sh -c 'sh "$T/job.sh"; sleep 5; echo late >"$T/late"' \
    >"$T/busy" || fail "5: submit"
i=0
while [ $i -lt 200 ] && [ "$(wc -l <"$T/sups")" -lt 2 ]; do
	sleep 0.05; i=$((i + 1))
done
kb=$(sed -n 2p "$T/sups" | cut -d' ' -f2)
equals "$kb" "$ki" "5: the idle keeper took the next run"
submit_n 1 sh "$T/job.sh"
wait_done 312 20 || fail "5: the third run not done"
ki=$(sed -n 3p "$T/sups" | cut -d' ' -f2)
[ -n "$ki" ] && [ "$ki" != "$kb" ] && ok "5: a second keeper" ||
    fail "5: third run's supervisor '$ki' (the busy one $kb)"
kill -TERM "$apid"
wait "$apid" 2>/dev/null
i=0
while [ $i -lt 40 ] && ! gone "$ki"; do sleep 0.05; i=$((i + 1)); done
gone "$ki" && ok "5: the idle keeper exited with its agent" ||
    fail "5: idle keeper $ki still there 2 s after its agent"
gone "$kb" && fail "5: the busy keeper $kb exited before its run" ||
    ok "5: the busy keeper runs on"
wait_done 313 20 || fail "5: the busy run not done"
expect_state "$(cat "$T/busy")" Completed 10 "5: the busy run Completed"
[ -f "$T/late" ] && ok "5: it ran to its end" || fail "5: it did not end"
i=0
while [ $i -lt 40 ] && ! gone "$kb"; do sleep 0.05; i=$((i + 1)); done
gone "$kb" && ok "5: the busy keeper exited after its run" ||
    fail "5: busy keeper $kb still there 2 s after its run"
# the keepers' recorders retired with them, and removed their journals;
# those of the recorders killed in 2 were removed when these started
i=0
# (each retirement's syncfs may take seconds on a busy disk)
while [ $i -lt 400 ] && [ -n "$(ls "$J")" ]; do sleep 0.05; i=$((i + 1)); done
equals "$(ls "$J")" "" "5: no exit journal left"

# 6. an alert hook outlives its run's keeper's next run
cat >"$T/hook.sh" <<'EOT'
cat >/dev/null
sleep 1
echo hooked >>"$T/hooked"
EOT
S work-pool set-alerts P --on-failure "sh $T/hook.sh" >/dev/null ||
    fail "6: set-alerts"
start_agent a3 -p P --limit 1 --poll-seconds 30 --hide-welcome
: >"$T/sups"
submit_n 1 sh -c 'sh "$T/job.sh"; exit 3'
wait_done 314 20 || fail "6: the failing run not done"
k1=$(cut -d' ' -f2 "$T/sups")
i=0
while [ $i -lt 40 ] && ! gone "$k1"; do sleep 0.05; i=$((i + 1)); done
gone "$k1" && ok "6: the keeper with the hook's process did not stay" ||
    fail "6: keeper $k1 still there 2 s after its run (its hook's sleeps)"
submit_n 1 true
wait_done 315 20 || fail "6: the next run not done"
i=0
while [ $i -lt 60 ] && [ ! -f "$T/hooked" ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$T/hooked" ] && ok "6: the hook ran to its end" ||
    fail "6: the failing run's hook did not end (killed?)"
kill -TERM "$apid"
wait "$apid" 2>/dev/null

# 7. a keeper's log lines reach its agent's log
getent passwd 4242 >/dev/null && { echo "uid 4242 is a user here"; exit 77; }
start_agent a4 -p P --limit 1 --poll-seconds 30 --prefetch-seconds 0 \
    --hide-welcome
submit_n 1 true
wait_done 316 20 || fail "7: the first run not done"
S submit -p P --at +3s -- true >"$T/refused" || fail "7: submit"
r=$(cat "$T/refused")
f=$(ls "$SP"/pools/P/queues/default/sched/*/*."$r"/run.ini)
sed 's/^owner_uid = .*/owner_uid = 4242/' "$f" >"$f.new" && mv "$f.new" "$f" ||
    fail "7: cannot edit $f"
i=0
while [ $i -lt 100 ] && ! grep -q "Rejected flow run '$r'" "$T/a4.err"; do
	sleep 0.1; i=$((i + 1))
done
grep -q "Rejected flow run '$r'.*not a user of this host" "$T/a4.err" &&
    ok "7: the keeper's refusal is in the agent's log" ||
    fail "7: no refusal of $r in the agent's log: $(tail -n 3 "$T/a4.err")"
kill -TERM "$apid"
wait "$apid" 2>/dev/null

# 8. a prefetched run, started by the idle keeper
start_agent a5 -p P --limit 1 --poll-seconds 30 --prefetch-seconds 10 \
    --hide-welcome
: >"$T/sups"
submit_n 1 sh "$T/job.sh"
wait_done 317 20 || fail "8: the first run not done"
S submit -p P --at +2s -- sh "$T/job.sh" >"$T/later" || fail "8: submit"
wait_done 318 20 || fail "8: the prefetched run not done"
expect_state "$(cat "$T/later")" Completed 10 "8: the prefetched run Completed"
grep -q "Submitting flow run '$(cat "$T/later")'" "$T/a5.err" ||
    fail "8: the run was not claimed by the agent"
equals "$(cut -d' ' -f2 "$T/sups" | sort -u | wc -l)" 1 \
    "8: started by the keeper of the run before it"
kill -TERM "$apid"
wait "$apid" 2>/dev/null

# 9. the warm recorder killed while idle: the keeper's next run gets a
# recorder forked for it, Completed, and the keeper stays
start_agent a6 -p P --limit 1 --poll-seconds 30 --hide-welcome
: >"$T/sups"
submit_n 1 sh "$T/job.sh"
wait_done 319 20 || fail "9: the first run not done"
k=$(cut -d' ' -f2 "$T/sups")
r=$(cut -d' ' -f4 "$T/sups")
# idle: its run's end told, what the run held closed
i=0
while [ "$(held "$k" 5)" != sockets:1 ] && [ $i -lt 60 ]; do
	sleep 0.05; i=$((i + 1))
done
kill -KILL "$r"
submit_n 1 sh "$T/job.sh"
wait_done 320 20 || fail "9: the run after the kill not done"
expect_state "$(cat "$T/ids")" Completed 10 \
    "9: Completed after its recorder was killed"
equals "$(sed -n 2p "$T/sups" | cut -d' ' -f2)" "$k" "9: under the same keeper"
r2=$(sed -n 2p "$T/sups" | cut -d' ' -f4)
[ -n "$r2" ] && [ "$r2" != "$r" ] && ok "9: another recorder" ||
    fail "9: recorder '$r2' (the killed one was $r)"
gone "$r" && ok "9: the killed recorder reaped" || fail "9: $r left"
submit_n 1 sh "$T/job.sh"
wait_done 321 20 || fail "9: the third run not done"
r3=$(sed -n 3p "$T/sups" | cut -d' ' -f4)
[ -n "$r3" ] && [ "$r3" != "$r2" ] &&
    ok "9: the second run's recorder was its own; a warm one again" ||
    fail "9: recorders '$r2' then '$r3'"

# 10. the warm recorder killed while its command runs: the keeper, its
# subreaper, reaps the command; the run ends as it ended, Completed
submit_n 1 sh "$T/job.sh"
wait_done 322 20 || fail "10: the run to warm a recorder not done"
rw=$(sed -n 4p "$T/sups" | cut -d' ' -f4)
: >"$T/sups"
SLEEP=2 S submit -p P --env SLEEP=2 -- sh "$T/job.sh" >"$T/slow" ||
    fail "10: submit"
i=0
while [ $i -lt 100 ] && [ ! -s "$T/sups" ]; do sleep 0.05; i=$((i + 1)); done
r=$(cut -d' ' -f4 "$T/sups")
[ -n "$r" ] && [ "$r" = "$rw" ] && ok "10: the warm recorder has it" ||
    fail "10: recorder '$r', the warm one '$rw'"
[ -n "$r" ] && kill -KILL "$r"
wait_done 323 20 || fail "10: the run whose recorder was killed not done"
expect_state "$(cat "$T/slow")" Completed 10 \
    "10: Completed though its recorder was killed"
gone "$r" && ok "10: the killed recorder reaped" || fail "10: $r left"
submit_n 1 sh "$T/job.sh"
wait_done 324 20 || fail "10: the run after it not done"
equals "$(sed -n 2p "$T/sups" | cut -d' ' -f2)" "$k" \
    "10: the keeper stays"

# 11. a request too big for the warm recorder (an environment of 71 KB):
# a recorder forked for that run; the next runs share a warm one again
: >"$T/sups"
v=$(head -c 890 /dev/zero | tr '\0' x)
set --
i=0
while [ $i -lt 80 ]; do set -- "$@" --env "B$i=$v"; i=$((i + 1)); done
S submit -p P "$@" -- sh "$T/job.sh" >"$T/big" || fail "11: submit"
wait_done 325 20 || fail "11: the big run not done"
expect_state "$(cat "$T/big")" Completed 10 "11: the big run Completed"
submit_n 2 sh "$T/job.sh"
wait_done 327 20 || fail "11: the runs after it not done"
for id in $(cat "$T/ids"); do
	expect_state "$id" Completed 10 "11: a run after it Completed"
done
r1=$(sed -n 1p "$T/sups" | cut -d' ' -f4)
r2=$(sed -n 2p "$T/sups" | cut -d' ' -f4)
r3=$(sed -n 3p "$T/sups" | cut -d' ' -f4)
[ -n "$r1" ] && [ "$r1" != "$r2" ] && [ "$r2" = "$r3" ] &&
    ok "11: its own recorder, then a warm one" ||
    fail "11: recorders '$r1' '$r2' '$r3'"
equals "$(cut -d' ' -f2 "$T/sups" | sort -u)" "$k" "11: all under one keeper"

# 13. a request the warm recorder refuses: no descriptor can be given to
# it under an open-file limit of 3, so its recvmsg cuts them off
# (MSG_CTRUNC); a recorder forked for that run takes it
: >"$T/sups"
command -v prlimit >/dev/null || fail "13: no prlimit (util-linux)"
prlimit --pid "$r3" --nofile=3:3 || fail "13: prlimit"
submit_n 1 sh "$T/job.sh"
wait_done 328 20 || fail "13: the refused run not done"
id=$(cat "$T/ids")
expect_state "$id" Completed 10 "13: the refused run Completed"
grep -q "refused the run" "$SP"/pools/P/done/"$id".*/log &&
    ok "13: the refusal is in its log" || fail "13: no refusal logged"
gone "$r3" && ok "13: the refusing recorder exited" || fail "13: $r3 left"
submit_n 2 sh "$T/job.sh"
wait_done 330 20 || fail "13: the runs after it not done"
r1=$(sed -n 1p "$T/sups" | cut -d' ' -f4)
r2=$(sed -n 2p "$T/sups" | cut -d' ' -f4)
r4=$(sed -n 3p "$T/sups" | cut -d' ' -f4)
[ -n "$r1" ] && [ "$r1" != "$r3" ] && [ "$r2" != "$r1" ] &&
    [ "$r2" = "$r4" ] && ok "13: its own recorder, then a warm one" ||
    fail "13: recorders '$r1' '$r2' '$r4' (the refusing one $r3)"
equals "$(cut -d' ' -f2 "$T/sups" | sort -u)" "$k" "13: all under one keeper"

# 12. a keeper stopped in a later run: its warm recorder's fence kills
# the command a lease and a half on, crash detection kills the keeper and
# ends the run Crashed, and the recorder, told the end of its channel,
# exits; the command never reaches its end
: >"$T/sups"
S submit -p P -- sh -c 'sh "$T/job.sh"; s=$(cut -d" " -f2 "$T/sups");
    kill -STOP "$s"; sleep 20; echo late >"$T/late12"' >"$T/stopped" ||
    fail "12: submit"
i=0
while [ $i -lt 100 ] && [ ! -s "$T/sups" ]; do sleep 0.05; i=$((i + 1)); done
equals "$(cut -d' ' -f2 "$T/sups")" "$k" "12: a later run of the keeper"
r=$(cut -d' ' -f4 "$T/sups")
wait_state "$(cat "$T/stopped")" Crashed 30 &&
    ok "12: Crashed, its keeper stopped" ||
    fail "12: state '$(state "$(cat "$T/stopped")")'"
i=0
while [ $i -lt 100 ] && ! { gone "$r" && gone "$k"; }; do
	sleep 0.05; i=$((i + 1))
done
gone "$k" && ok "12: the stopped keeper killed" || fail "12: keeper $k left"
gone "$r" && ok "12: its recorder exited" || fail "12: recorder $r left"
[ ! -f "$T/late12" ] && ok "12: the command did not reach its end" ||
    fail "12: the command ran on past its fence"
kill -TERM "$apid"
wait "$apid" 2>/dev/null

# 14. 400 limited queues named with 64 characters each: a keeper's
# request carries every name (the limits a start checks), some 26 KB
S work-pool create Q >/dev/null || fail "14: work-pool create"
i=0
while [ $i -lt 400 ]; do
	S work-queue create "$(printf 'q%063d' $i)" -p Q --limit 5 \
	    >/dev/null || fail "14: work-queue create $i"
	i=$((i + 1))
done
start_agent a14 -p Q --limit 1 --poll-seconds 30 --hide-welcome
: >"$T/sups"
i=0
while [ $i -lt 4 ]; do
	S submit -p Q -- sh "$T/job.sh" >/dev/null || fail "14: submit"
	i=$((i + 1))
done
i=0
while [ $i -lt 400 ] &&
    [ "$(ls "$SP/pools/Q/done" 2>/dev/null | wc -l)" -lt 4 ]; do
	sleep 0.05; i=$((i + 1))
done
equals "$(ls "$SP/pools/Q/done" | grep -c '\.Completed$')" 4 \
    "14: 4 runs Completed"
equals "$(cut -d' ' -f2 "$T/sups" | sort -u | wc -l)" 1 \
    "14: one supervisor for all 4 (a keeper)"
grep -q "cannot be given to a kept starter" "$T/a14.err" &&
    fail "14: the agent said the request was too big" ||
    ok "14: no warning"
finish
