/*
 * fuzz_cron.c - cron schedules (lib/cron.c): the next fire time, checked
 * against a brute-force search minute by minute over a bounded window.
 *
 * Input: byte 0 picks a zone, bytes 1-4 a start time (near a clock change
 * of 2026 for zones that have them), the rest is the expression.  If it
 * parses, the schedule's bit sets are matched here, independently of the
 * library's walk, against every wall-clock minute W: a slot W fires at
 * f(W) = the first instant whose local time is W or later (sluice's rule:
 * the first of a repeated hour, the end of a skipped one).  Walking the
 * instants t minute by minute from `after', the slots first reached at t
 * are the minutes in (M, L(t)], M the latest local time seen before t;
 * the first t that reaches a matching slot is the next fire time.  Within
 * the window the library must give exactly that t; when the window has
 * none, the library must give a time past it, or none (ERANGE).
 */
#include <errno.h>
#include <time.h>

#include "fuzz.h"

#define DAY	86400LL

static const struct {
	const char *tz;
	long long base;			/* a clock change of 2026, or 0 */
	int	days;			/* the window */
} zones[] = {
	{ NULL, 0, 62 },
	{ "UTC", 0, 62 },
	{ "America/New_York", 1772953200LL, 8 },	/* 2026-03-08 07:00Z */
	{ "America/New_York", 1793512800LL, 8 },	/* 2026-11-01 06:00Z */
	{ "Europe/Paris", 1774746000LL, 8 },		/* 2026-03-29 01:00Z */
	{ "Europe/Paris", 1792890000LL, 8 },		/* 2026-10-25 01:00Z */
	{ "Australia/Lord_Howe", 1775314800LL, 8 },	/* 2026-04-05, 30 min */
	{ "Asia/Kathmandu", 0, 8 },			/* +05:45 */
};

/* civil - y, m, d of days since 1970-01-01 (Hinnant) */
static void
civil(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y += *m <= 2;
}

/* matches - does the wall-clock minute W (seconds on the wall axis) fire? */
static int
matches(const struct sl_cron *c, long long W)
{
	long long days = (W >= 0 ? W : W - DAY + 1) / DAY, y, s = W - days * DAY;
	int	m, d, wd, dom, dow;

	civil(days, &y, &m, &d);
	wd = (int)(((days + 4) % 7 + 7) % 7);
	if (!(c->min >> (s % 3600 / 60) & 1) || !(c->hour >> (s / 3600) & 1) ||
	    !(c->mon >> m & 1))
		return 0;
	dom = c->dom >> d & 1;
	dow = c->dow >> wd & 1;
	return c->dom_any || c->dow_any ? dom && dow : dom || dow;
}

/* L - the local time of t on the wall axis, in seconds */
static long long
L(int utc, long long t)
{
	struct tm tm;
	time_t	tt = (time_t)t;

	if ((utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL)
		abort();
	return (long long)timegm(&tm);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_cron c;
	char   *expr;
	long long after, end, t, M, Lt, W, s, found = -1;
	unsigned long u;
	time_t	next;
	int	z, utc, r, e;

	if (size < 5 || size > 200)
		return 0;
	z = data[0] % (int)(sizeof(zones) / sizeof(zones[0]));
	u = (unsigned long)data[1] | (unsigned long)data[2] << 8 |
	    (unsigned long)data[3] << 16 | (unsigned long)data[4] << 24;
	if (zones[z].base != 0)		/* within 4 days of the change */
		after = zones[z].base - 4 * DAY + (long long)(u % (8 * DAY));
	else				/* 2020 .. 2156 */
		after = 1577836800LL + (long long)u;
	expr = fuzz_str(data + 5, size - 5);
	if (strlen(expr) != size - 5 || sl_cron_parse(expr, &c, NULL, 0) < 0) {
		free(expr);
		return 0;
	}
	utc = zones[z].tz == NULL || strcmp(zones[z].tz, "UTC") == 0;
	if (!utc && !sl_tz_ok(zones[z].tz)) {
		free(expr);
		return 0;		/* no zoneinfo here */
	}
	errno = 0;
	r = sl_cron_next(&c, zones[z].tz, (time_t)after, &next);
	e = errno;
	if (!utc) {
		setenv("TZ", zones[z].tz, 1);
		tzset();
	}
	/* M: the latest local time of any instant up to `after' */
	M = L(utc, after);
	for (s = after - after % 60 - 60; s > after - 3 * 3600; s -= 60)
		if (L(utc, s) + 59 > M)
			M = L(utc, s) + 59;
	end = after + zones[z].days * DAY;
	for (t = after - after % 60 + 60; t <= end && found < 0; t += 60) {
		Lt = L(utc, t);
		for (W = M - M % 60 + 60; W <= Lt; W += 60)
			if (matches(&c, W)) {
				found = t;
				break;
			}
		if (Lt + 59 > M)
			M = Lt + 59;
	}
	if (!utc) {
		unsetenv("TZ");
		tzset();
	}
	if (found >= 0)
		FUZZ_CHECK(r == 0 && (long long)next == found, "'%s' in %s after "
		    "%lld: library %d/%lld (errno %d), brute force %lld", expr,
		    zones[z].tz ? zones[z].tz : "UTC", after, r,
		    (long long)next, e, found);
	else
		FUZZ_CHECK((r == -1 && e == ERANGE) || (r == 0 &&
		    (long long)next > end), "'%s' in %s after %lld: library "
		    "%d/%lld, nothing in the window to %lld", expr,
		    zones[z].tz ? zones[z].tz : "UTC", after, r,
		    (long long)next, end);
	free(expr);
	return 0;
}
