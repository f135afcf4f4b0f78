#!/bin/sh
# kill9.sh PID START MARK [SIGNAL] - SIGKILL (or SIGNAL) process PID, but
# only if it is the one
# meant: alive (not a zombie), started at START (clock ticks since boot, as
# in /proc/PID/stat and in a run's lease; "-" = not checked), and with the
# whole entry MARK in its environment (CHAOS_CAMPAIGN=..., CHAOS_AGENT=...,
# SLUICE_RUN_ID=...), which only this campaign's processes carry.  So a
# stale or reused pid is never hit, nor anyone else's process.  Run where
# the pid means something: here, or "on" a rig host through netfs-exec.sh.
# Exit 0 and prints "killed" when it sent the signal, else exit 1.
pid=$1 start=$2 mark=$3 sig=${4:-KILL}
case $pid in ''|*[!0-9]*|0|1) exit 1 ;; esac
read -r stat </proc/"$pid"/stat 2>/dev/null || exit 1
set -- ${stat##*)}		# fields 3...: $1 state, $20 start time
[ "$1" = Z ] || [ "$1" = X ] && exit 1
[ "$start" = - ] || [ "${20}" = "$start" ] || exit 1
tr '\0' '\n' </proc/"$pid"/environ 2>/dev/null | grep -qxF -- "$mark" || exit 1
kill -"$sig" "$pid" 2>/dev/null || exit 1
echo killed
