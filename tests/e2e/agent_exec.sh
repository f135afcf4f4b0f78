# agent_exec.sh - how sluice-agent runs a run, end to end: environment
# (SLUICE_* and --env), working directory, captured stdout/stderr, exit
# status to state (Completed, Failed, Crashed), --timeout, cancel (SIGTERM,
# then SIGKILL after cancel_grace), retries (AwaitingRetry, attempt),
# prefetch (claimed early, started on time), a run waiting for an agent to
# come up, and the inotify wake-up of an idle agent.
. "$TOP/tests/e2e/lib.sh"
. "$TOP/tests/e2e/agent.inc"
fast_config "$TESTDIR/sluice.ini" lease=5 poll_seconds=2

cleanup() {
	kill_agents
	cancel_running
}
trap cleanup EXIT
# fdiff A B: A - B (decimal seconds) in ms
fdiff() { python3 -c 'import sys; print(round((float(sys.argv[1]) - float(sys.argv[2])) * 1000))' "$1" "$2"; }

S work-pool create x >/dev/null
start_agent x -p x --hide-welcome
xpid=$apid
wait_online x

# ---- environment ----
mkdir -p "$TESTDIR/wd"
e1=$(S submit -p x -q qq --name envrun --env GREETING='hello world' --env K2=v2 -- \
    sh -c 'env | grep -E "^(SLUICE_[A-Z_]+|GREETING|K2)=" | sort >"$1"' sh "$TESTDIR/env.out")
expect_state "$e1" Completed 5 "env run Completed"
envs=$(cat "$TESTDIR/env.out" 2>/dev/null)
contains "$envs" "SLUICE_RUN_ID=$e1" "SLUICE_RUN_ID is the run id"
contains "$envs" "SLUICE_RUN_NAME=envrun" "SLUICE_RUN_NAME is --name"
contains "$envs" "SLUICE_POOL=x" "SLUICE_POOL"
contains "$envs" "SLUICE_QUEUE=qq" "SLUICE_QUEUE"
contains "$envs" "SLUICE_RUN_ATTEMPT=1" "SLUICE_RUN_ATTEMPT"
contains "$envs" "GREETING=hello world" "--env K=V (with a space) visible"
contains "$envs" "K2=v2" "a second --env visible"

# ---- working directory ----
c1=$(S submit -p x --cwd "$TESTDIR/wd" -- sh -c 'pwd >"$1"' sh "$TESTDIR/cwd1")
# default: the owner's home directory (sluice-run(5), cwd), from the password file
home=$(getent passwd "$(id -u)" | cut -d: -f6)
c2=$(S submit -p x -- sh -c 'pwd >"$1"' sh "$TESTDIR/cwd2")
expect_state "$c1" Completed 5 "--cwd run Completed"
expect_state "$c2" Completed 5 "default-cwd run Completed"
equals "$(cat "$TESTDIR/cwd1" 2>/dev/null)" "$TESTDIR/wd" "--cwd DIR: the command runs in DIR"
equals "$(cat "$TESTDIR/cwd2" 2>/dev/null)" "$(cd "$home" && pwd -P)" "no --cwd: the owner's home directory ($home)"

# a working directory that cannot be entered: the command's process (a
# vfork child) says why in the memory it shares with the recorder, whose
# only word tells the supervisor (after the go, which it does not wait on)
c3=$(S submit -p x --cwd "$TESTDIR/no-such-dir" -- true)
expect_state "$c3" Failed 5 "--cwd of a missing directory: Failed"
contains "$(field "$c3" message)" \
    "Could not start: cannot enter the directory $TESTDIR/no-such-dir (as $(id -un)): No such file or directory" \
    "its message says why"

# ---- output, exit status -> state ----
o1=$(S submit -p x -- sh -c 'echo to-stdout; echo to-stderr >&2')
f3=$(S submit -p x -- sh -c 'exit 3')
k9=$(S submit -p x -- sh -c 'kill -KILL $$')
expect_state "$o1" Completed 5 "exit 0: Completed"
equals "$(field "$o1" exit_code)" 0 "exit 0: exit_code 0"
logs=$(S flow-run logs "$o1")
contains "$logs" to-stdout "flow-run logs: stdout captured"
contains "$logs" to-stderr "flow-run logs: stderr captured"
expect_state "$f3" Failed 5 "exit 3: Failed"
equals "$(field "$f3" exit_code)" 3 "exit 3: exit_code 3"
expect_state "$k9" Crashed 5 "killed by its own SIGKILL: Crashed"
equals "$(field "$k9" exit_code)" 137 "killed by SIGKILL: exit_code 137 (128 + 9)"
equals "$(field "$o1" agent)" "$(S agent ls -p x --json | jget id)" "the run records the agent that started it"

# ---- a plain command's program: its process tries each path of the
# run's PATH with execve, as the shell searches (no stat of each first):
# a file that is not executable and a directory are passed over, a file
# without #! is the shell's to run, and what none is, the shell reports ----
pd=$TESTDIR/pathdirs
mkdir -p "$pd/a" "$pd/b/prog" "$pd/c" "$pd/d"
printf 'echo wrong\n' >"$pd/a/prog"
printf '#!/bin/sh\necho "found $0 $*"\n' >"$pd/c/prog"
printf 'echo "no-shebang $*"\n' >"$pd/d/script"
printf 'echo data\n' >"$pd/a/data"
chmod 644 "$pd/a/prog" "$pd/a/data"
chmod 755 "$pd/c/prog" "$pd/d/script"
P="$pd/none:$pd/a:$pd/b:$pd/c:$pd/d:/usr/bin:/bin"
p1=$(S submit -p x --env PATH="$P" -- prog 'a  b' c)
p2=$(S submit -p x --env PATH="$P" -- script x)
p3=$(S submit -p x --env PATH="$P" -- nosuchprog-$$)
p4=$(S submit -p x --env PATH="$P" -- data)
p5=$(S submit -p x --env PATH="$P" -- "$pd/c/prog" abs)
expect_state "$p1" Completed 5 "PATH: past a missing directory, a file not executable and a directory, to the program"
equals "$(S flow-run logs "$p1")" "found $pd/c/prog a  b c" "PATH: the program found, with its arguments as given"
expect_state "$p2" Completed 5 "PATH: an executable file without #! runs"
equals "$(S flow-run logs "$p2")" "no-shebang x" "PATH: a file without #! is run by the shell, as sh would"
expect_state "$p3" Failed 5 "PATH: no such program: Failed"
equals "$(field "$p3" exit_code)" 127 "PATH: no such program: exit code 127, the shell's"
contains "$(S flow-run logs "$p3")" "not found" "PATH: no such program: the shell says so in the log"
expect_state "$p4" Failed 5 "PATH: only a file that is not executable: Failed"
equals "$(field "$p4" exit_code)" 126 "PATH: only a file that is not executable: exit code 126, the shell's"
expect_state "$p5" Completed 5 "an absolute program path runs"
equals "$(S flow-run logs "$p5")" "found $pd/c/prog abs" "an absolute path: that program"
# which execs made it so: the shell's fallback would give the same
# output, so the command's process's own tries are read from strace
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
	S work-pool create px >/dev/null
	q1=$(S submit -p px --env PATH="$P" -- prog 'a  b' c)
	q2=$(S submit -p px --env PATH="$P" -- script x)
	mkdir -p "$TESTDIR/ex"
	strace -ff -e trace=execve -o "$TESTDIR/ex/t" "$AG" -p px --run-once \
	    --hide-welcome >/dev/null 2>&1
	expect_state "$q1" Completed 5 "PATH under strace: the program ran"
	expect_state "$q2" Completed 5 "PATH under strace: the script ran"
	# tries NAME: the execs, in order, of the process that tried NAME
	# first, up to its first that succeeded ("PATH -1 ERRNO" or "PATH 0")
	tries() {
		python3 - "$TESTDIR/ex" "$1" <<'PY'
import os, re, sys
d, name = sys.argv[1], sys.argv[2]
for f in sorted(os.listdir(d)):
    seq = []
    for l in open(os.path.join(d, f)):
        m = re.match(r'execve\("([^"]*)".* = (-?\d+)(?: (E[A-Z]+))?', l)
        if m:
            seq.append(" ".join(x for x in m.groups() if x))
            if m.group(2) == "0":
                break
    if seq and seq[0].split()[0].endswith("/" + name):
        print(" | ".join(seq))
        break
PY
	}
	equals "$(tries prog)" \
	    "$pd/none/prog -1 ENOENT | $pd/a/prog -1 EACCES | $pd/b/prog -1 EACCES | $pd/c/prog 0" \
	    "PATH: the command's process tries each entry in turn and execs the program, no shell"
	equals "$(tries script)" \
	    "$pd/none/script -1 ENOENT | $pd/a/script -1 ENOENT | $pd/b/script -1 ENOENT | $pd/c/script -1 ENOENT | $pd/d/script -1 ENOEXEC | /bin/sh 0" \
	    "PATH: a file without #! (ENOEXEC) goes to /bin/sh at once"
else
	echo "strace not installed or not allowed (ptrace): the execs of the PATH search are not checked"
fi

# ---- signals and stdin: the command inherits no ignored or blocked
# signal (the supervisor and the exit recorder block theirs, never ignore
# them), even from an agent under nohup, and reads /dev/null ----
S work-pool create sg >/dev/null
(trap '' HUP PIPE INT; exec "$AG" -p sg --hide-welcome) >"$TESTDIR/sg.out" \
    2>"$TESTDIR/sg.err" </dev/zero &
pids="$pids $!"
wait_online sg
# read with builtins only: a grep would read the shell's mask while the
# shell, which vforks it, has every signal blocked (dash does)
g1=$(S submit -p sg -- sh -c 'while read -r l; do case $l in SigIgn:*|SigBlk:*) echo "$l";; esac; done </proc/$$/status >"$1"; readlink /proc/$$/fd/0 >>"$1"' sh "$TESTDIR/sig.out")
expect_state "$g1" Completed 5 "signal run Completed"
sig=$(cat "$TESTDIR/sig.out" 2>/dev/null)
# SIGHUP, SIGINT, SIGPIPE, SIGTERM, SIGCHLD: those sluice's processes set
# (glibc's own 32 and 33 may come ignored from whatever started the test,
# and no process can change them)
ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "$TESTDIR/sig.out" 2>/dev/null)
equals "$(( 0x${ign:-ffff} & 0x15003 ))" 0 "no signal sluice handles is ignored in the command (its agent ignores SIGHUP, SIGINT and SIGPIPE; SigIgn $ign)"
contains "$sig" "SigBlk:	0000000000000000" "no signal blocked in the command"
contains "$sig" "/dev/null" "the command's stdin is /dev/null"

supervisor_of() {	# RUN: the supervisor its lease in pool x names (5 s)
	for _i in $(seq 50); do
		_p=$(sed -n 's/^supervisor = //p' "$SP"/pools/x/running/*"$1"/lease 2>/dev/null | head -1)
		[ -n "$_p" ] && { echo "$_p"; return 0; }
		sleep 0.1
	done
}

# ---- SIGTERM to a supervisor: it dies of it, at its default (the agent
# takes its own from a signalfd, and keeps no handler a supervisor would
# inherit: a signal with a handler would not end one held in a call on a
# dead mount) ----
st=$(S submit -p x -- sleep 30)
expect_state "$st" Running 5 "TERM: the run is Running"
spid=$(supervisor_of "$st")
if [ -n "$spid" ] && kill -TERM "$spid"; then
	gone=no
	for i in $(seq 50); do
		# gone, or a zombie its agent has not reaped yet
		kill -0 "$spid" 2>/dev/null || { gone=yes; break; }
		case $(sed 's/.*) //' "/proc/$spid/stat" 2>/dev/null) in
		Z*) gone=yes; break ;;
		esac
		sleep 0.1
	done
	equals "$gone" yes "SIGTERM kills a supervisor (pid $spid), at its default"
	kill -0 "$xpid" 2>/dev/null && ok "the agent lives on" || fail "the agent died of its supervisor's SIGTERM"
	# the command's group, which its recorder waits for, goes too
	cpid=$(sed -n 's/^pid = //p' "$SP"/pools/x/running/*"$st"/lease 2>/dev/null | head -1)
	[ -n "$cpid" ] && [ "$cpid" -gt 1 ] && kill -KILL -- "-$cpid" 2>/dev/null
else
	fail "no supervisor to send SIGTERM to (lease of $st)"
fi

# ---- SIGINT to a supervisor: blocked for its life, never delivered (a
# Ctrl-C sent to the agent's process group between a starter's fork and
# its setsid would otherwise end the supervisor and crash the run); the
# run ends as its command does ----
# (the command runs until the checks are made: it waits for a file)
st=$(S submit -p x -- sh -c "while [ ! -e '$TESTDIR/int.go' ]; do sleep 0.05; done")
expect_state "$st" Running 10 "INT: the run is Running"
spid=$(supervisor_of "$st")
if [ -n "$spid" ] && kill -INT "$spid"; then
	sleep 0.2	# delivered by now, were it deliverable
	blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$spid/status" 2>/dev/null)
	pnd=$(sed -n 's/^ShdPnd:[[:space:]]*//p' "/proc/$spid/status" 2>/dev/null)
	equals "$(( 0x${blk:-0} & 0x2 ))" 2 "the supervisor keeps SIGINT blocked (SigBlk $blk)"
	equals "$(( 0x${pnd:-0} & 0x2 ))" 2 "a SIGINT sent to it waits, undelivered (ShdPnd $pnd)"
	: >"$TESTDIR/int.go"
	expect_state "$st" Completed 10 "a supervisor sent SIGINT sees its run to its end"
	equals "$(field "$st" exit_code)" 0 "the run ended as its command did (exit_code 0)"
else
	fail "no supervisor to send SIGINT to (lease of $st)"
	: >"$TESTDIR/int.go"
fi

# ---- a stop during the millisecond sleep to a prefetched run's start:
# the agent stops at once and hands the run back, unstarted ----
S work-pool create ps >/dev/null
start_agent ps -p ps --hide-welcome
pspid=$apid
wait_online ps
due=$(( $(date +%s) + 4 ))
pr=$(S submit -p ps --at "@$due" -- true)
expect_state "$pr" Pending 3 "a run due in 4 s is claimed early (prefetch)"
python3 -c "import time; time.sleep(max(0.0, $due - 0.5 - time.time()))"
kill -TERM "$pspid"
wait "$pspid"
equals "$?" 0 "a stop in the sleep to a start: the agent exits 0"
equals "$(state "$pr")" Scheduled "a stop in the sleep to a start: the run is handed back, not started"
contains "$(cat "$TESTDIR/ps.err")" "Handed flow run '$pr' back" "a stop in the sleep to a start: the hand-back is logged"

# ---- timeout ----
t0=$(msnow)
to=$(S submit -p x --timeout 1 -- sleep 30)
expect_state "$to" Failed 8 "--timeout 1 on sleep 30: Failed"
dt=$(( $(msnow) - t0 ))
[ "$dt" -lt 8000 ] && ok "--timeout: ended after ${dt} ms, well before 30 s" || fail "--timeout: took ${dt} ms"
msg=$(field "$to" message)
case $msg in *[Tt]imed\ out*) ok "--timeout: message says it timed out ($msg)" ;;
*) fail "--timeout: message '$msg' does not say timed out" ;; esac

# ---- cancel: SIGTERM; SIGKILL after cancel_grace (2 s) ----
c30=$(S submit -p x -- sleep 30)
ct=$(S submit -p x -- sh -c 'trap "" TERM; sleep 30')
expect_state "$c30" Running 5 "sleep 30 Running"
expect_state "$ct" Running 5 "TERM-ignoring run Running"
t0=$(msnow)
expect_rc 0 S flow-run cancel "$c30" "$ct"
expect_state "$c30" Cancelled 4 "cancel of a Running sleep 30: Cancelled within 4 s"
dt1=$(( $(msnow) - t0 ))
expect_state "$ct" Cancelled 8 "cancel of a run ignoring SIGTERM: still Cancelled"
dt2=$(( $(msnow) - t0 ))
[ "$dt2" -ge 1500 ] && ok "... after the 2 s cancel_grace (${dt2} ms; plain run ${dt1} ms)" ||
    fail "the TERM-ignoring run ended after ${dt2} ms, before cancel_grace"
equals "$(field "$ct" exit_code)" 137 "... killed by SIGKILL (exit_code 137)"
case $(field "$ct" message) in *SIGKILL*) ok "... its message says SIGKILL" ;;
*) fail "message '$(field "$ct" message)' does not mention SIGKILL" ;; esac

# ---- retries ----
rt=$(S submit -p x --retries 2 --retry-delay 1 -- false)
seen=""
end=$(( $(msnow) + 10000 ))
while [ "$(msnow)" -lt "$end" ]; do
	s=$(state "$rt")
	case " $seen " in *" $s "*) ;; *) seen="$seen $s" ;; esac
	[ "$s" = Failed ] && break
	sleep 0.05
done
equals "$(state "$rt")" Failed "--retries 2 on false: Failed in the end"
equals "$(field "$rt" attempt)" 3 "--retries 2: attempt 3"
nretry=$(S flow-run logs "$rt" | grep -c retrying)
case " $seen " in *" AwaitingRetry "*) ok "AwaitingRetry observed (states seen:$seen)" ;;
*) [ "$nretry" -eq 2 ] && ok "two 'retrying' lines in the log (states seen:$seen)" ||
    fail "neither AwaitingRetry seen ($seen) nor 2 'retrying' log lines ($nretry)" ;; esac
equals "$nretry" 2 "the log says 'retrying' twice"
ro=$(S submit -p x --retries 1 -- sh -c 'if [ -e "$1" ]; then exit 0; fi; touch "$1"; exit 1' sh "$TESTDIR/marker")
expect_state "$ro" Completed 8 "fails once, then succeeds: Completed"
equals "$(field "$ro" attempt)" 2 "... attempt 2"

# ---- prefetch: claimed early, started on time ----
pf=$(S submit -p x --at +3s -- sh -c 'date +%s.%N >"$1"' sh "$TESTDIR/pf.t")
sleep 0.5
equals "$(state "$pf")" Pending "a run due in 3 s is claimed early (Pending; --prefetch-seconds 10)"
[ -e "$TESTDIR/pf.t" ] && fail "the prefetched run started before its time"
expect_state "$pf" Completed 8 "the prefetched run Completed"
sched=$(epoch "$(field "$pf" scheduled)")
if [ -s "$TESTDIR/pf.t" ]; then
	late=$(fdiff "$(cat "$TESTDIR/pf.t")" "$sched")
	[ "$late" -ge 0 ] && ok "prefetch: not started before its scheduled second (+${late} ms)" ||
	    fail "prefetch: started ${late} ms before its scheduled time"
	[ "$late" -lt 1000 ] && ok "prefetch: started within 1 s of its scheduled second (+${late} ms)" ||
	    fail "prefetch: started ${late} ms after its scheduled second $(field "$pf" scheduled) (want < 1000)"
else
	fail "prefetch: the run recorded no start time"
fi
kill -TERM "$xpid"; wait "$xpid"

# ---- a run submitted while no agent is up starts when one comes ----
S work-pool create n >/dev/null
nr=$(S submit -p n -- sh -c 'date +%s.%N >"$1"' sh "$TESTDIR/n.t")
sleep 1
equals "$(state "$nr")" Scheduled "no agent: the run waits (Scheduled)"
ta=$(date +%s.%N)
start_agent n -p n --poll-seconds 5 --hide-welcome
npid=$apid
expect_state "$nr" Completed 8 "it runs once an agent starts"
if [ -s "$TESTDIR/n.t" ]; then
	d=$(fdiff "$(cat "$TESTDIR/n.t")" "$ta")
	[ "$d" -lt 5000 ] && ok "started ${d} ms after the agent (within --poll-seconds 5)" ||
	    fail "started ${d} ms after the agent started (--poll-seconds 5)"
else
	fail "the waiting run recorded no start time"
fi
kill -TERM "$npid"; wait "$npid"

# ---- inotify: an idle agent (beat 10 s, rescan 60 s) starts a new run at once ----
cat >"$TESTDIR/slow.ini" <<'EOF'
[sluice]
heartbeat = 10
missed_heartbeats = 3
lease = 30
cancel_grace = 2
poll_seconds = 60
EOF
S work-pool create w >/dev/null
export SLUICE_CONFIG=$TESTDIR/slow.ini
start_agent w -p w --poll-seconds 60 --hide-welcome
export SLUICE_CONFIG=$TESTDIR/sluice.ini
wpid=$apid
wait_online w
sleep 1.5	# idle: waiting for a change, the next beat is ~8 s away
ts=$(date +%s.%N)
wr=$(S submit -p w -- sh -c 'date +%s.%N >"$1"' sh "$TESTDIR/w.t")
expect_state "$wr" Completed 5 "a run submitted to an idle agent runs"
if [ -s "$TESTDIR/w.t" ]; then
	d=$(fdiff "$(cat "$TESTDIR/w.t")" "$ts")
	[ "$d" -lt 1000 ] && ok "inotify: started ${d} ms after submission (rescan every 60 s)" ||
	    fail "inotify: started ${d} ms after submission, wanted < 1000"
else
	fail "the run given to the idle agent recorded no start time"
fi

# ---- a run being claimed is still a run: inspect right after submit ----
# (the claim passes the run through pending/AGENT/.claim.*, a dotted
# name the readers skip: inspect said "not found" ~1 time in 5)
nf=0
for i in $(seq 1 20); do
	id=$(S submit -p w -- true)
	S flow-run inspect "$id" --json >/dev/null 2>"$TESTDIR/nf.err" || nf=$((nf + 1))
done
equals "$nf" 0 "flow-run inspect finds every run right after submit while an agent claims it (misses in 20)"
kill -TERM "$wpid"; wait "$wpid"
finish
