# dispatch.sh - sluice-dispatch --once and --watch against agents
# registered by hand (the spool is the API: agents/ID/agent.ini and
# heartbeat): waterfall priority, queue and pool limits, agent limit,
# prefetch, paused pools and queues, offline agents, recovery of an
# offline agent's claims, and inotify wake-ups.
. "$TOP/tests/e2e/lib.sh"
D="$TOP/bin/sluice-dispatch"
P=$SLUICE_SPOOL/pools/p
agent() {	# ID QUEUES LIMIT PREFETCH [BEAT]
	mkdir -p "$P/agents/$1"
	printf '[agent]\nid = %s\nname = a-%s\nhost = %s\npid = 1\npool = p\nqueues = %s\nmatch = none\nlimit = %s\nprefetch = %s\nstarted = 2026-01-01T00:00:00Z\n; end of sluice file\n' \
	    "$1" "${1%%-*}" "$(hostname)" "$2" "$3" "$4" >"$P/agents/$1/agent.ini"
	echo "${5:-$(date +%s)}" >"$P/agents/$1/heartbeat"
}
pending() { find "$P/pending/$1" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
qof() { sed -n 's/^queue = //p' "$1/run.ini"; }

S work-pool create p --limit 3 >/dev/null
S work-queue create hi -p p --priority 1 --limit 2 >/dev/null
S work-queue create lo -p p --priority 2 >/dev/null
for i in 1 2 3 4; do S submit -p p -q lo -- true >/dev/null; done
for i in 1 2 3; do S submit -p p -q hi -- true >/dev/null; done
A=11111111-1111-4111-8111-111111111111
agent "$A" "" none 10

# --once: waterfall (hi first, its limit 2), then lo until the pool's 3
"$D" --once || fail "dispatch --once"
equals "$(pending $A)" 3 "pool limit 3: three runs claimed"
nhi=0; for r in "$P/pending/$A"/*; do [ "$(qof "$r")" = hi ] && nhi=$((nhi + 1)); done
equals "$nhi" 2 "hi (priority 1) first, up to its limit 2; then lo"
"$D" --once
equals "$(pending $A)" 3 "a second pass claims nothing more: every slot is held"
equals "$(S flow-run ls -p p --state Pending --json | wc -l)" 3 "flow-run ls shows 3 Pending"

# an agent that is offline gets nothing, and its claims go back
B=22222222-2222-4222-8222-222222222222
agent "$B" "" none 10 $(( $(date +%s) - 3600 ))
"$D" --once
equals "$(pending $B)" 0 "an offline agent is given nothing"
# make A offline: its claims return to their queues, slots freed
echo $(( $(date +%s) - 3600 )) >"$P/agents/$A/heartbeat"
"$D" --once
equals "$(pending $A)" 0 "an offline agent's Pending runs go back"
equals "$(S flow-run ls -p p --state Scheduled --json | wc -l)" 7 "all 7 Scheduled again"
equals "$(find "$P/slots" -mindepth 2 | wc -l)" 0 "and their slots are free"

# agent limit and queue selection
C=33333333-3333-4333-8333-333333333333
agent "$C" "lo" 1 10
"$D" --once
equals "$(pending $C)" 1 "agent limit 1 (serving lo only)"
for r in "$P/pending/$C"/*; do equals "$(qof "$r")" lo "agent C serves only lo"; done

# paused pool / queue release nothing
rm -rf "$P/agents/$C"; "$D" --once	# C gone: its run returns
agent "$A" "" none 10
S work-pool pause p >/dev/null
"$D" --once
equals "$(pending $A)" 0 "a paused pool releases nothing"
S work-pool resume p >/dev/null
S work-queue pause hi -p p >/dev/null
"$D" --once
nhi=0; for r in "$P/pending/$A"/*; do [ -e "$r" ] && [ "$(qof "$r")" = hi ] && nhi=$((nhi + 1)); done
equals "$nhi" 0 "a paused queue releases nothing"
equals "$(pending $A)" 3 "the next queue gets the slots (waterfall skips a paused queue)"
S work-queue resume hi -p p >/dev/null

# prefetch: a run due in 30 s is claimed only by an agent prefetching 60 s
S work-pool create q >/dev/null
S submit -p q --at +30s -- true >/dev/null
Q=$SLUICE_SPOOL/pools/q
E=44444444-4444-4444-8444-444444444444
mkdir -p "$Q/agents/$E"
printf '[agent]\nid = %s\nname = e\nhost = h\npid = 1\npool = q\nqueues = \nmatch = none\nlimit = none\nprefetch = 10\nstarted = 2026-01-01T00:00:00Z\n; end of sluice file\n' "$E" >"$Q/agents/$E/agent.ini"
date +%s >"$Q/agents/$E/heartbeat"
"$D" --once -p q
equals "$(find "$Q/pending" -mindepth 2 -maxdepth 2 2>/dev/null | wc -l)" 0 "prefetch 10 s: a run due in 30 s waits"
sed -i 's/^prefetch = 10/prefetch = 60/' "$Q/agents/$E/agent.ini"
"$D" --once -p q
equals "$(find "$Q/pending" -mindepth 2 -maxdepth 2 | wc -l)" 1 "prefetch 60 s: claimed early"

# --watch: a run submitted on this host is claimed at once (inotify), well
# before the 60 s rescan; SIGTERM stops it with status 0
S work-pool create w >/dev/null
W=$SLUICE_SPOOL/pools/w
F=55555555-5555-4555-8555-555555555555
mkdir -p "$W/agents/$F"
printf '[agent]\nid = %s\nname = f\nhost = h\npid = 1\npool = w\nqueues = \nmatch = none\nlimit = none\nprefetch = 10\nstarted = 2026-01-01T00:00:00Z\n; end of sluice file\n' "$F" >"$W/agents/$F/agent.ini"
date +%s >"$W/agents/$F/heartbeat"
"$D" --watch -p w --poll-seconds 60 2>"$TESTDIR/watch.log" &
dpid=$!
sleep 1
t0=$(date +%s%N)
S submit -p w -- true >/dev/null
for i in $(seq 1 100); do
	[ "$(find "$W/pending" -mindepth 2 -maxdepth 2 2>/dev/null | wc -l)" = 1 ] && break
	sleep 0.05
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(find "$W/pending" -mindepth 2 -maxdepth 2 | wc -l)" = 1 ] && [ "$ms" -lt 5000 ] &&
    ok "--watch claimed a new run after ${ms} ms (rescan every 60 s)" || fail "--watch did not claim within 5 s"
kill -TERM "$dpid"
wait "$dpid"
equals "$?" 0 "--watch exits 0 on SIGTERM"
grep -q "Claimed flow run" "$TESTDIR/watch.log" && ok "one log line per claim" || fail "no claim logged"

# sluice dispatch is sluice-dispatch
S dispatch --once -p w || fail "sluice dispatch --once"
expect_rc 2 S dispatch --bogus
finish
