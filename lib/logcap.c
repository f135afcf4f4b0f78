/*
 * logcap.c - the cap on a run's log (log_max in sluice.ini(5)): a size
 * with its suffix, and the head and tail of a run's output, kept as pure
 * functions on buffers (the supervisor, supervise.c, does the reading
 * and writing).
 *
 * An attempt is given a budget: log_max less what the run's log already
 * holds (earlier attempts, sluice's own lines).  The tail share is half
 * of it, at most SL_LOGCAP_TAIL_MAX (it is held in memory); the head is
 * the rest.  The first HEAD bytes of output go to the log as they come;
 * later bytes go to a ring of TAIL bytes, the oldest falling out (cut).
 * At the end the log gets, when anything was cut, one marker line, then
 * the ring.  Output that fits the budget is written whole, unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

#define KIB	1024LL

/*
 * sl_size_parse - a size: digits, then optionally k, M or G (either
 * case), which multiply by 1024, 1024^2, 1024^3.  0 on success, with the
 * bytes in *out; -1 if s is not one, or is more than SL_LOGCAP_SIZE_MAX.
 */
int
sl_size_parse(const char *s, long long *out)
{
	long long n = 0, mul = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > SL_LOGCAP_SIZE_MAX)
			return -1;
	}
	switch (*p) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = KIB;
		p++;
		break;
	case 'm': case 'M':
		mul = KIB * KIB;
		p++;
		break;
	case 'g': case 'G':
		mul = KIB * KIB * KIB;
		p++;
		break;
	default:
		return -1;
	}
	if (*p != '\0' || n > SL_LOGCAP_SIZE_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

/*
 * sl_size_fmt - n bytes as sl_size_parse reads them back: the largest
 * suffix that divides it exactly ("10M", "65k", "1000").
 */
char *
sl_size_fmt(long long n, char *buf, size_t len)
{
	static const char suf[] = "GMk";
	long long mul = KIB * KIB * KIB;
	int	i;

	for (i = 0; i < 3; i++, mul /= KIB)
		if (n > 0 && n % mul == 0) {
			snprintf(buf, len, "%lld%c", n / mul, suf[i]);
			return buf;
		}
	snprintf(buf, len, "%lld", n);
	return buf;
}

/* sl_logcap_init - an attempt's cap, given the bytes it may still add */
void
sl_logcap_init(struct sl_logcap *lc, long long budget)
{
	long long tail = budget > 0 ? budget / 2 : 0;

	memset(lc, 0, sizeof(*lc));
	if (tail > SL_LOGCAP_TAIL_MAX)
		tail = SL_LOGCAP_TAIL_MAX;
	lc->tailmax = (size_t)tail;
	lc->head = budget > 0 ? budget - tail : 0;
	lc->last = '\n';
}

/*
 * sl_logcap_feed - n bytes of output: returns how many of the first of
 * them go to the log now (the head); the rest are taken into the tail.
 * Memory for the tail is taken at its first byte, never for a run whose
 * output fits the head.
 */
size_t
sl_logcap_feed(struct sl_logcap *lc, const char *p, size_t n)
{
	size_t	now = 0, k, room;

	if (lc->head > 0) {
		now = (long long)n < lc->head ? n : (size_t)lc->head;
		lc->head -= (long long)now;
		if (now > 0)
			lc->last = p[now - 1];
		p += now;
		n -= now;
	}
	if (n == 0)
		return now;
	if (lc->tailmax == 0) {
		lc->cut += (long long)n;
		return now;
	}
	if (lc->ring == NULL)
		lc->ring = sl_xmalloc(lc->tailmax);
	if (n >= lc->tailmax) {
		/* only the last tailmax bytes of these stay */
		lc->cut += (long long)(n - lc->tailmax) + (long long)lc->rlen;
		memcpy(lc->ring, p + n - lc->tailmax, lc->tailmax);
		lc->rpos = 0;
		lc->rlen = lc->tailmax;
		return now;
	}
	if (lc->rlen + n > lc->tailmax) {
		lc->cut += (long long)(lc->rlen + n - lc->tailmax);
		lc->rlen = lc->tailmax - n;
	}
	/* the ring: rpos is where the next byte goes; the oldest held is
	 * rlen bytes before it */
	room = lc->tailmax - lc->rpos;
	k = n < room ? n : room;
	memcpy(lc->ring + lc->rpos, p, k);
	memcpy(lc->ring, p + k, n - k);
	lc->rpos = (lc->rpos + n) % lc->tailmax;
	lc->rlen += n;
	return now;
}

/*
 * sl_logcap_end - what ends the attempt's log, appended to b: the marker
 * line when bytes were cut (on a line of its own: a newline first if the
 * head did not end with one), then the tail, oldest byte first.  limit
 * names the setting in the marker ("10M").  Frees the ring.
 */
void
sl_logcap_end(struct sl_logcap *lc, const char *limit, struct sl_buf *b)
{
	size_t	start;

	if (lc->cut > 0)
		sl_buf_printf(b, "%ssluice: %lld bytes of output cut here "
		    "(log_max = %s)\n", lc->last != '\n' ? "\n" : "",
		    lc->cut, limit);
	if (lc->rlen > 0) {
		start = (lc->rpos + lc->tailmax - lc->rlen) % lc->tailmax;
		if (start + lc->rlen <= lc->tailmax)
			sl_buf_add(b, lc->ring + start, lc->rlen);
		else {
			sl_buf_add(b, lc->ring + start, lc->tailmax - start);
			sl_buf_add(b, lc->ring, lc->rlen - (lc->tailmax - start));
		}
	}
	free(lc->ring);
	lc->ring = NULL;
	lc->rlen = lc->rpos = 0;
}
