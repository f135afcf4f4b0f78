#!/bin/sh
# job.sh LEDGER WORK_MS FAIL_ATTEMPTS - the command of every chaos run.
#
# It writes its own crash-safe ledger: one line appended (O_APPEND, one
# short write(2), so a line is whole or absent whatever is killed when) at
# its beginning and one after its work:
#	start RUN ATTEMPT PGID PID T
#	end RUN ATTEMPT RC T
# (T: seconds since boot, from /proc/uptime: no fork for a clock)
# The work runs in a subshell (a child of the leader, in its process
# group) that sleeps WORK_MS milliseconds in 0.2 s steps, so that a killed leader
# and its still-working children differ.  Attempts up to FAIL_ATTEMPTS
# exit 3 after their work (a real failure, for --retries); later ones exit 0.
ledger=$1 ms=$2 fails=$3
read -r stat </proc/$$/stat
set -- ${stat##*)}		# fields 3...: state ppid pgrp ...
pgid=$3
read -r t _ </proc/uptime
echo "start $SLUICE_RUN_ID $SLUICE_RUN_ATTEMPT $pgid $$ $t" >>"$ledger"
(
	n=$((ms / 200))
	while [ "$n" -gt 0 ]; do sleep 0.2; n=$((n - 1)); done
) &
wait $!
rc=$?
[ "$rc" = 0 ] && [ "$SLUICE_RUN_ATTEMPT" -le "$fails" ] && rc=3
read -r t _ </proc/uptime
echo "end $SLUICE_RUN_ID $SLUICE_RUN_ATTEMPT $rc $t" >>"$ledger"
exit "$rc"
