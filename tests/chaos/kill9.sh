#!/bin/sh
# kill9.sh PID START MARK [SIGNAL] - SIGKILL (or SIGNAL) process PID, but
# only if it is the one meant: alive (not a zombie), started at START
# (clock ticks since boot, as in /proc/PID/stat and in a run's lease; "-":
# not checked), and with the whole entry MARK in its environment
# (CHAOS_CAMPAIGN=..., CHAOS_INST=..., SLUICE_RUN_ID=...), which only this
# campaign's processes carry.  So a stale or reused pid is never hit, nor
# anyone else's process.  Run it where the pid means something: here, or
# "on" a rig host through netfs-exec.sh; chaos.sh sources it and calls
# kill9 for this host's processes (one fork fewer per kill).
# Prints "killed" and returns 0 when it sent the signal, else returns 1.
kill9() {
	case $1 in ''|*[!0-9]*|0|1) return 1 ;; esac
	_pid=$1 _start=$2 _mark=$3 _sig=${4:-KILL}
	read -r _stat </proc/"$_pid"/stat 2>/dev/null || return 1
	set -- ${_stat##*)}		# fields 3...: $1 state, $20 start time
	[ "$1" = Z ] || [ "$1" = X ] && return 1
	[ "$_start" = - ] || [ "${20}" = "$_start" ] || return 1
	grep -qzxF -- "$_mark" /proc/"$_pid"/environ 2>/dev/null || return 1
	kill -"$_sig" "$_pid" 2>/dev/null || return 1
	echo killed
}
[ "${0##*/}" = kill9.sh ] && { kill9 "$@"; exit; }
:
