/*
 * fuzz_endword.c - the words on an agent's pipe (lib/endword.c): the
 * line a supervisor or starter writes and the agent parses.
 *
 * The input is one line as it may arrive (any bytes, NULs included, no
 * newline).  sl_endword_parse must not read outside it, and a word it
 * takes must hold what a word may: a valid token, a state a word may
 * carry, a code of -1 or more, a message of at most SL_ENDWORD_MAX - 1
 * bytes.  A word taken is then written again by sl_endword_fmt and parsed
 * back: the same token, state and code, and as message the first one's
 * up to its first NUL, control characters as spaces, cut where the line
 * is full.  The format never writes a control character, a NUL or more
 * than SL_ENDWORD_MAX - 1 bytes.
 */
#include "fuzz.h"

static const char *const states[] = { "Completed", "Failed", "Crashed",
	"Cancelled", "AwaitingRetry", "?", "Started", "NotStarted", "Idle",
	"Log", NULL };

static int
state_known(const char *s)
{
	int	i;

	for (i = 0; states[i] != NULL; i++)
		if (strcmp(s, states[i]) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_endword w, back;
	char   *line, buf[SL_ENDWORD_MAX], want[SL_ENDWORD_MAX];
	size_t	n, i, k;

	if (size > 4 * SL_ENDWORD_MAX)
		return 0;
	/* exactly size bytes: ASan sees a read past them */
	line = malloc(size ? size : 1);
	if (line == NULL)
		abort();
	memcpy(line, data, size);
	if (sl_endword_parse(line, size, &w) < 0) {
		free(line);
		return 0;
	}
	FUZZ_CHECK(sl_token_parse(w.token, NULL, NULL) == 0, "token %s",
	    w.token);
	FUZZ_CHECK(state_known(w.state), "state %s", w.state);
	FUZZ_CHECK(w.code >= -1, "code %d", w.code);
	FUZZ_CHECK(strlen(w.msg) < SL_ENDWORD_MAX, "message of %zu",
	    strlen(w.msg));

	n = sl_endword_fmt(buf, sizeof(buf), w.token, w.state, w.code, w.msg);
	FUZZ_CHECK(n > 0 && n < SL_ENDWORD_MAX && buf[n - 1] == '\n' &&
	    strlen(buf) == n, "formatted %zu bytes", n);
	for (i = 0; i + 1 < n; i++)
		FUZZ_CHECK((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f,
		    "byte %#x at %zu", (unsigned char)buf[i], i);
	FUZZ_CHECK(sl_endword_parse(buf, n - 1, &back) == 0, "%s", buf);
	FUZZ_CHECK(strcmp(back.token, w.token) == 0, "token %s", back.token);
	FUZZ_CHECK(strcmp(back.state, w.state) == 0, "state %s", back.state);
	FUZZ_CHECK(back.code == w.code, "code %d, was %d", back.code, w.code);
	/* the message: sanitized, cut to what fits after the three fields */
	k = strlen(w.msg);
	for (i = 0; i < k; i++)
		want[i] = (unsigned char)w.msg[i] < 0x20 || w.msg[i] == 0x7f ?
		    ' ' : w.msg[i];
	want[k] = '\0';
	FUZZ_CHECK(strncmp(back.msg, want, strlen(back.msg)) == 0 &&
	    strlen(back.msg) <= k, "message '%s' of '%s'", back.msg, want);
	if (n - 1 + (k - strlen(back.msg)) < SL_ENDWORD_MAX - 1)
		FUZZ_CHECK(strcmp(back.msg, want) == 0, "message cut: '%s'",
		    back.msg);
	free(line);
	return 0;
}
