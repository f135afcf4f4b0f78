/*
 * endword.c - the word a supervisor sends its agent when its run's attempt
 * ended (spool-layout.md, "The agent's pipe"): one line on a pipe the agent
 * made,
 *
 *	TOKEN SP STATE SP CODE SP MESSAGE LF
 *
 * TOKEN the run's token in running/ (T.U.ID); STATE the final state's name,
 * AwaitingRetry (the run went back to its queue for another attempt), or
 * "?" (the supervisor could not end the run itself: crash detection may
 * have; the agent looks in the spool); CODE the exit code, -1 for none;
 * MESSAGE what result.ini says, to the end of the line, control characters
 * as spaces.  The agent's starters (a process forked to start one run)
 * write two more: "Started" (CODE the attempt, MESSAGE the run's name) and
 * "NotStarted" (CODE 0: the run is not the agent's any more, 1: it could
 * not start now and stays, to be tried again).  A keeper (a starter kept
 * for more runs) says "Idle" (CODE its pid, MESSAGE empty) just before the
 * end word of each run after which it waits for another, in the same
 * write, and "Log" (CODE an sl_level, MESSAGE a line for the agent's log)
 * for what it would have logged itself while it starts a run.  A word is
 * at most SL_ENDWORD_MAX bytes, below PIPE_BUF, so each is one write(2),
 * atomic, and the words of many supervisors never interleave.  With it
 * the agent logs how its run ended and uses the slot again without a look
 * into the spool; a word lost (a supervisor killed, a full pipe) is made
 * up for by the agent's rescan, which looks at every run it started.  Pure
 * functions, no I/O.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

/*
 * sl_endword_fmt - the word for a run, into buf (len >= SL_ENDWORD_MAX);
 * a message too long is cut.  Its length, the newline included.
 */
size_t
sl_endword_fmt(char *buf, size_t len, const char *token, const char *state,
    int code, const char *msg)
{
	size_t	n, i;
	int	k;

	if (len > SL_ENDWORD_MAX)
		len = SL_ENDWORD_MAX;
	k = snprintf(buf, len, "%s %s %d ", token, state, code < 0 ? -1 : code);
	if (k < 0 || (size_t)k >= len - 1) {	/* cannot be: names are short */
		buf[0] = '\0';
		return 0;
	}
	n = (size_t)k;
	for (i = 0; msg != NULL && msg[i] != '\0' && n < len - 2; i++)
		buf[n++] = (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f ?
		    ' ' : msg[i];
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/* state_ok - is s a state a word may carry? */
static int
state_ok(const char *s)
{
	int	i;

	if (strcmp(s, "AwaitingRetry") == 0 || strcmp(s, "?") == 0 ||
	    strcmp(s, "Started") == 0 || strcmp(s, "NotStarted") == 0 ||
	    strcmp(s, "Idle") == 0 || strcmp(s, "Log") == 0)
		return 1;
	for (i = SL_COMPLETED; i <= SL_CANCELLED; i++)
		if (strcmp(s, sl_state_names[i]) == 0)
			return 1;
	return 0;
}

/*
 * sl_endword_parse - one word, the n bytes of line without its newline.
 * 0, or -1 if it is not a word (then *w is unchanged in meaning: ignore).
 */
int
sl_endword_parse(const char *line, size_t n, struct sl_endword *w)
{
	const char *p = line, *e = line + n, *sp;
	char	num[16], *end;
	size_t	k;
	long	c;

	memset(w, 0, sizeof(*w));
	/* TOKEN */
	if ((sp = memchr(p, ' ', (size_t)(e - p))) == NULL ||
	    (k = (size_t)(sp - p)) == 0 || k >= sizeof(w->token))
		return -1;
	memcpy(w->token, p, k);
	if (sl_token_parse(w->token, NULL, NULL) < 0)
		return -1;
	p = sp + 1;
	/* STATE */
	if ((sp = memchr(p, ' ', (size_t)(e - p))) == NULL ||
	    (k = (size_t)(sp - p)) == 0 || k >= sizeof(w->state))
		return -1;
	memcpy(w->state, p, k);
	w->state[k] = '\0';
	if (!state_ok(w->state))
		return -1;
	p = sp + 1;
	/* CODE */
	if ((sp = memchr(p, ' ', (size_t)(e - p))) == NULL ||
	    (k = (size_t)(sp - p)) == 0 || k >= sizeof(num))
		return -1;
	memcpy(num, p, k);
	num[k] = '\0';
	c = strtol(num, &end, 10);
	if (*end != '\0' || num[0] == '+' || c < -1 || c > INT_MAX)
		return -1;
	w->code = (int)c;
	p = sp + 1;
	/* MESSAGE: the rest */
	k = (size_t)(e - p);
	if (k >= sizeof(w->msg))
		k = sizeof(w->msg) - 1;
	memcpy(w->msg, p, k);
	w->msg[k] = '\0';
	return 0;
}
