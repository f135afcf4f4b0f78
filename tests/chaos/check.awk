# check.awk - the chaos campaign's judge (POSIX awk).
#
#	awk -v hosts=N -v feed_s=S -f check.awk submitted runs.json ledger \
#	    kills sampler.out leftover
#
# Inputs (each told by its file name):
#   submitted	sub ID QUEUE RETRIES FAILS | drop NAME QUEUE RETRIES FAILS
#   runs.json	`sluice flow-run ls -p P --json`: one run object a line
#   ledger	start RUN ATTEMPT PGID PID T | end RUN ATTEMPT RC T (job.sh)
#   kills	kill KIND PID T TARGET HOST UPTIME (TARGET: the run id for a
#		supervisor or leader, the instance for an agent or
#		dispatcher; UPTIME: the ledger's clock)
#   sampler.out	V KIND SCOPE T COUNT/LIMIT RUN:ATTEMPT:PID... | E ... | S ...
#   leftover	private PATH | slot PATH | process PID RUN CMD | info KEY N
#
# Violations, by kind:
#   lost		a submitted id, or a dropped file's name, not listed
#   listed-twice	an id listed more than once; a dropped name accepted
#			more than once
#   unknown-run		a listed run nobody submitted or dropped
#   not-final		a run not Completed, Failed, Crashed or Cancelled
#			after the drain
#   attempt-twice	a (run, attempt) started more than once (ledger)
#   rerun-after-success	an attempt ran its command to the end (exit 0) and
#			a later attempt started anyway, though that
#			attempt's leader was not killed (ledger, kill log)
#   wrong-final-state	Completed but the final attempt did not end 0,
#			Failed but it ended 0, Crashed though it ended 0
#			and its leader was not killed; exit_code not the
#			command's; more attempts than retries allow; an
#			attempt started beyond the run's final attempt
#   pool-limit, queue-limit, agent-limit
#			live processes of more (run, attempt)s than the
#			limit at one instant (sampler, confirmed)
#   attempts-overlap	two attempts of one run alive at one instant
#   private-name-left	.claim., .crash., .lease., agents/.new., tmp/
#			entries left after the drain
#   scratch-left-in-run	the same inside a finished run (.lease.PID,
#			.claim.tmp): kept until the run is cleaned up
#   slot-held-after-drain	a slot still held when every run is final
#   process-left	a command's process alive after the drain
function viol(kind, ex) {
	V[kind]++
	nviol++
	if (NEX[kind] < 3) {
		NEX[kind]++
		EXAMPLE[kind, NEX[kind]] = ex
	}
}
function jstr(k) {
	if (match($0, "\"" k "\":\"[^\"]*\""))
		return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
	return ""
}
function jnum(k) {
	if (match($0, "\"" k "\":-?[0-9]+"))
		return substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
	return ""
}
function final(st) {
	return st == "Completed" || st == "Failed" || st == "Crashed" || st == "Cancelled"
}
# leader_killed RUN ATTEMPT: we SIGKILLed the leader of that attempt
function leader_killed(run, a) {
	return ((run " " PG[run " " a]) in LK)
}
# sup_kills RUN ATTEMPT: when supervisors of RUN were killed, against the
# end line of ATTEMPT (for the reader of an example)
# and host cuts in the 30 s after it (two hosts: a cut between a
# command's end and its record makes its lease expire, and it runs again)
function sup_kills(run, a,   n, i, t, out, e) {
	e = ENDT[run " " a]
	if (!(run in SK)) out = "; no supervisor of it killed"
	else {
		n = split(SK[run], t, " ")
		out = "; supervisor killed at"
		for (i = 1; i <= n; i++) out = out sprintf(" %+.2f s", t[i] - e)
		out = out " from that end line"
	}
	n = split(CUTS, t, " ")
	for (i = 1; i <= n; i++)
		if (t[i] - e >= -1 && t[i] - e <= 30) out = out sprintf("; a host cut at %+.2f s", t[i] - e)
	return out
}
FILENAME ~ /submitted$/ {
	if ($1 == "sub") { SUB[$2] = 1; RET[$2] = $4; nsub++ }
	else { DROP[$2] = 1; DRET[$2] = $4; ndrop++ }
	next
}
FILENAME ~ /runs\.json$/ {
	id = jstr("id"); name = jstr("name"); st = jstr("state")
	nlisted++
	SEEN[id]++
	if (name ~ /^chaos-d[0-9]+$/) { NSEEN[name]++; DID[name] = id }
	NAME[id] = name; STATE[id] = st; ATT[id] = jnum("attempt")
	EC[id] = jnum("exit_code"); RETR[id] = jnum("retries")
	STC[st]++
	next
}
FILENAME ~ /ledger$/ {
	k = $2 " " $3
	if ($1 == "start" && NF == 6) {
		STARTS[k]++; PG[k] = $4; nstart++
		if (!($2 in MAXA) || $3 + 0 > MAXA[$2]) MAXA[$2] = $3 + 0
	} else if ($1 == "end" && NF == 5) {
		RC[k] = $4; ENDT[k] = $5; nend++
		if ($4 == 0) {
			NOK[$2]++
			if (!($2 in FIRSTOK) || $3 + 0 < FIRSTOK[$2]) FIRSTOK[$2] = $3 + 0
		}
	} else
		viol("torn-ledger-line", $0)
	next
}
FILENAME ~ /kills$/ {
	K[$2]++; nkill++
	if ($2 == "leader") LK[$5 " " $3] = 1
	if ($2 == "supervisor") SK[$5] = SK[$5] " " $7
	if ($2 == "host-cut") CUTS = CUTS " " $7
	next
}
FILENAME ~ /sampler\.out$/ {
	if ($1 == "V") {
		kind = $2 == "attempts" ? "attempts-overlap" : $2 "-limit"
		ex = $3 " " $5 " at " $4
		for (i = 6; i <= NF && i < 12; i++) ex = ex " " $i
		VKEY[$2 " " $3 " " $4] = kind
		viol(kind, ex)
	} else if ($1 == "E") {
		EPMS[$2 "-" $3 " " $4] = $5
		if ($5 + 0 > MAXEP[$2]) MAXEP[$2] = $5 + 0
		SUMEP[$2] += $5
	} else if ($1 == "S")
		SAMPLER = $0
	next
}
FILENAME ~ /leftover$/ {
	if ($1 == "private" && $2 ~ /\/done\//) viol("scratch-left-in-run", $2)
	else if ($1 == "private") viol("private-name-left", $2)
	else if ($1 == "slot") viol("slot-held-after-drain", $2)
	else if ($1 == "process") viol("process-left", $0)
	else if ($1 == "info") INFO[$2] = $3
	else viol("tool-error", $0)
	next
}
END {
	# lost, twice, unknown, not final
	for (id in SUB) {
		if (!(id in SEEN)) viol("lost", "submitted " id)
		else if (SEEN[id] > 1) viol("listed-twice", id " listed " SEEN[id] " times")
	}
	for (n in DROP) {
		if (!(n in NSEEN)) viol("lost", "dropped " n)
		else if (NSEEN[n] > 1) viol("listed-twice", "dropped " n " accepted " NSEEN[n] " times")
	}
	for (id in SEEN) {
		if (!(id in SUB) && !(NAME[id] in DROP)) viol("unknown-run", id " " NAME[id])
		if (!final(STATE[id])) viol("not-final", id " " STATE[id])
	}
	# the ledger
	for (k in STARTS) if (STARTS[k] > 1) viol("attempt-twice", k " started " STARTS[k] " times")
	twice = 0
	for (run in FIRSTOK) {
		if (NOK[run] > 1) twice++
		a = FIRSTOK[run]
		if (MAXA[run] > a && !leader_killed(run, a))
			viol("rerun-after-success", run " attempt " a " ended 0, attempt " MAXA[run] \
			    " started; ran to its end " NOK[run] " times" sup_kills(run, a))
		if (MAXA[run] > a && leader_killed(run, a)) excused++
	}
	# final states against the ledger
	for (id in SEEN) {
		st = STATE[id]; a = ATT[id]; k = id " " a
		if (st == "Completed" && RC[k] != "0")
			viol("wrong-final-state", id " Completed, attempt " a " ended " (k in RC ? RC[k] : "never"))
		if (st == "Failed" && (!(k in RC) || RC[k] == "0"))
			viol("wrong-final-state", id " Failed, attempt " a " ended " (k in RC ? RC[k] : "never"))
		if (st == "Crashed" && RC[k] == "0" && !leader_killed(id, a))
			viol("wrong-final-state", id " Crashed, but attempt " a " ended 0 and its leader was not killed" \
			    sup_kills(id, a))
		if ((st == "Completed" || st == "Failed") && (k in RC) && EC[id] != RC[k])
			viol("wrong-final-state", id " " st " exit_code " EC[id] ", command exited " RC[k])
		if (a > RETR[id] + 1)
			viol("wrong-final-state", id " attempt " a " with retries " RETR[id])
		if ((id in MAXA) && MAXA[id] > a)
			viol("wrong-final-state", id " ended at attempt " a " but attempt " MAXA[id] " started")
	}

	printf "chaos: %d host(s), %d runs (%d submitted, %d dropped) fed in %d s, %d listed\n", \
	    hosts, nsub + ndrop, nsub, ndrop, feed_s, nlisted
	printf "kills: %d (", nkill
	sep = ""
	for (k in K) { printf "%s%s %d", sep, k, K[k]; sep = ", " }
	printf ")\n"
	printf "states:"
	for (s in STC) printf " %s %d", s, STC[s]
	printf "\nledger: %d attempts started, %d ended; %d runs ran to their end more than once; " \
	    "%d reruns after a success whose leader we killed (allowed)\n", nstart, nend, twice, excused
	if (SAMPLER != "") print "sampler: " substr(SAMPLER, 3)
	printf "left over (info):"
	for (k in INFO) printf " %s %s", k, INFO[k]
	printf "\n"
	for (k in MAXEP) printf "episodes %s: longest %d ms, total %d ms\n", k, MAXEP[k], SUMEP[k]
	printf "violations: %d\n", nviol
	for (k in V) {
		printf "  %-22s %d\n", k, V[k]
		for (i = 1; i <= NEX[k]; i++) printf "      e.g. %s\n", EXAMPLE[k, i]
	}
	exit nviol > 0
}
