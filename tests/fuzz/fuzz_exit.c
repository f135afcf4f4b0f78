/*
 * fuzz_exit.c - the exit record (lib/lease.c): the file a run's exit
 * recorder writes in the run's directory, which crash detection and the
 * readers of a finished run parse (sl_exit_parse).  The directory is the
 * run owner's, so the text is hostile input.
 *
 * The input is read as the file would be: up to its first NUL.
 *  - sl_exit_parse must not read outside it, and a record it takes must
 *    end with the trailer, name the attempt asked for (its "attempt"
 *    line), and give a status in 0..INT_MAX, a "fenced" of 0 or more and
 *    times of 0 or more.  The same text is never taken for another
 *    attempt.
 *  - A record taken is written again by sl_exit_fmt and parsed back to
 *    the same values.
 *  - Values made from the input's first bytes, written by sl_exit_fmt,
 *    fit in SL_EXIT_MAX and parse back the same; every proper prefix of
 *    that text (a record torn by a crash while it was written) is taken
 *    for none.
 */
#include <limits.h>

#include "fuzz.h"

/* take - n bytes of data at *at as an unsigned number (0 past the end) */
static unsigned long long
take(const uint8_t *data, size_t size, size_t *at, size_t n)
{
	unsigned long long v = 0;
	size_t	i;

	for (i = 0; i < n; i++, (*at)++)
		v = v << 8 | (*at < size ? data[*at] : 0);
	return v;
}

/* back - text, written by sl_exit_fmt, parses back to these values */
static void
back(const char *text, long attempt, int status, long fenced,
    time_t started, time_t ended)
{
	time_t	s2 = -1, e2 = -1;
	long	f2 = -1;
	int	st2 = -1;

	FUZZ_CHECK(sl_exit_parse(text, attempt, &st2, &f2, &s2, &e2) == 0,
	    "%s", text);
	FUZZ_CHECK(st2 == status && f2 == fenced && s2 == started &&
	    e2 == ended, "status %d fenced %ld started %lld ended %lld of "
	    "%d %ld %lld %lld", st2, f2, (long long)s2, (long long)e2, status,
	    fenced, (long long)started, (long long)ended);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   *text = fuzz_str(data, size), v[64], buf[SL_EXIT_MAX], *cut;
	size_t	tl = strlen(SL_INI_TRAILER), n, at = 0, k;
	time_t	started = -1, ended = -1;
	long	a = 0, fenced = -1, pid;
	int	status = -1, len;

	/* the text as a file holds it (read stops at no NUL, the parser
	 * at the first) */
	sl_kv_get(text, "attempt", v, sizeof(v));
	if (sl_num_parse(v, 1, LONG_MAX, &a) < 0)
		a = 1;
	if (sl_exit_parse(text, a, &status, &fenced, &started, &ended) == 0) {
		n = strlen(text);
		FUZZ_CHECK(n >= tl && strcmp(text + n - tl, SL_INI_TRAILER) ==
		    0, "taken without its trailer");
		FUZZ_CHECK(status >= 0, "status %d", status);
		FUZZ_CHECK(fenced >= 0, "fenced %ld", fenced);
		FUZZ_CHECK(started >= 0 && ended >= 0, "times %lld %lld",
		    (long long)started, (long long)ended);
		FUZZ_CHECK(sl_exit_parse(text, a == LONG_MAX ? 1 : a + 1,
		    &status, NULL, NULL, NULL) < 0, "taken for attempt %ld and "
		    "another", a);
		/* the fields NULL asks for are not written: no crash */
		FUZZ_CHECK(sl_exit_parse(text, a, &status, NULL, NULL, NULL) ==
		    0, "taken only with every field asked for");
		len = sl_exit_fmt(buf, sizeof(buf), a, 1, status, fenced,
		    started, ended);
		FUZZ_CHECK(len > 0 && (size_t)len < sizeof(buf), "%d bytes",
		    len);
		back(buf, a, status, fenced, started, ended);
	} else
		FUZZ_CHECK(sl_exit_parse(text, a, &status, &fenced, NULL,
		    NULL) < 0, "taken when fewer fields are asked for");
	free(text);

	/* values from the input's first 32 bytes, each in its range */
	a = (long)(take(data, size, &at, 8) & LONG_MAX);
	if (a == 0)
		a = 1;
	pid = (long)(take(data, size, &at, 4) & INT_MAX);
	status = (int)(take(data, size, &at, 4) & INT_MAX);
	fenced = (long)(take(data, size, &at, 4) & LONG_MAX);
	started = (time_t)(take(data, size, &at, 6));
	ended = (time_t)(take(data, size, &at, 6));
	len = sl_exit_fmt(buf, sizeof(buf), a, pid, status, fenced, started,
	    ended);
	FUZZ_CHECK(len > 0 && (size_t)len < sizeof(buf), "%d bytes", len);
	back(buf, a, status, fenced, started, ended);
	/* torn: every proper prefix is no record (exactly k bytes, so
	 * that ASan sees a read past them) */
	for (k = 0; k < (size_t)len; k++) {
		cut = malloc(k + 1);
		if (cut == NULL)
			abort();
		memcpy(cut, buf, k);
		cut[k] = '\0';
		FUZZ_CHECK(sl_exit_parse(cut, a, &status, &fenced, &started,
		    &ended) < 0, "a record cut at %zu of %d taken", k, len);
		free(cut);
	}
	return 0;
}
