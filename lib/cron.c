/*
 * cron.c - 5-field cron schedules: parsing, and the next time one fires.
 *
 * Parsing.  "minute hour day-of-month month day-of-week", fields split by
 * blanks, each a list (',') of '*', N or N-M with an optional /STEP; N/STEP
 * means N through the field's top, as Vixie cron has it: the top is 7
 * in day-of-week, so "7/2" is Sunday and "1/2" is Mon, Wed, Fri and Sun
 * (1, 3, 5, 7).  Months and weekdays take three-letter names in any case
 * (jan..dec, sun..sat), also in ranges; weekday 7 is Sunday, and so is
 * "sun" at the end of a range (fri-sun); ranges may end in 7 (5-7).  The macros @yearly @annually @monthly @weekly @daily
 * @midnight @hourly stand for their five fields.  Each field becomes a
 * bit set; dom_any and dow_any remember a field that was exactly "*".
 *
 * Days.  When both day fields are restricted (neither is "*"), a day
 * matches if EITHER matches (Vixie, POSIX): "0 0 13 * fri" fires on every
 * 13th and on every Friday.  Otherwise both must match, and the "*" one
 * always does.
 *
 * Never.  A schedule no day can match is refused when parsed (Vixie cron
 * takes it and never runs it): that happens only when day-of-week is "*"
 * (else the OR rule, or the AND rule with every day of the month, lets
 * some weekday match) and no listed day of month exists in any listed
 * month, as "0 0 30 2 *" or "0 0 31 4,6,9,11 *".  February has 29 days
 * (leap years), so "0 0 29 2 *" is taken.
 *
 * The next time.  Slots are wall-clock minutes (y, m, d, h, min) of the
 * schedule's zone.  Each slot W maps to one instant f(W), the first
 * instant whose local time is W or later:
 *	a slot that exists once	its instant;
 *	a slot that exists twice (the hour a clock falls back)
 *				its first occurrence;
 *	a slot that does not exist (the hour a clock springs forward)
 *				the instant the gap ends, 03:00 for 02:30.
 * f never decreases as W grows, so the first slot in wall-clock order
 * whose instant is after `after' gives the earliest such instant, and
 * slots that land on one instant fire there once.  The walk goes month,
 * day, hour, minute, skipping whole months, days and hours that do not
 * match; it starts at the minute after `after' in wall-clock time and
 * gives up past 1827 days (five years) with ERANGE, e.g. for "0 0 30 2 *".
 *
 * f(W) needs no mktime: with the local time L(t) of an instant as seconds
 * on a wall-clock axis, and the zone's offset o(t) = L(t) - t, the
 * instants that read W are W - o for the offsets in force within 15
 * hours either way.  The first that reads W back is f(W); if none does, W
 * is in a gap and f(W) is the first instant t with L(t) >= W, found by
 * bisection.  Offsets stay within 15 hours of UTC, and no zone changes
 * its clock twice within a day.
 *
 * A zone other than UTC is applied by setting TZ for the call and putting
 * it back after: not thread-safe, like everything that touches TZ.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

#define ZONEINFO	"/usr/share/zoneinfo"
#define DAY		86400LL
#define HORIZON		(1827 * DAY)	/* five years of wall-clock time */
#define REACH		(15 * 3600LL)	/* past the farthest offset from UTC */

struct field {
	const char *name;		/* for messages */
	int	lo, hi;			/* values accepted */
	int	top;			/* the last value '*' stands for */
	const char *const *names;	/* names of lo, lo + 1, ...; or NULL */
	const char *hint;		/* the names, for messages */
};

static const char *const months[] = { "jan", "feb", "mar", "apr", "may",
	"jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const wdays[] = { "sun", "mon", "tue", "wed", "thu",
	"fri", "sat", NULL };

static const struct field fields[5] = {
	{ "minute", 0, 59, 59, NULL, NULL },
	{ "hour", 0, 23, 23, NULL, NULL },
	{ "day-of-month", 1, 31, 31, NULL, NULL },
	{ "month", 1, 12, 12, months, "jan..dec" },
	{ "day-of-week", 0, 7, 6, wdays, "sun..sat" },
};

static const struct {
	const char *name, *fields;
} macros[] = {
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define QUOTE_MAX	40		/* the most of the input quoted */
#define QLEN(p, e)	((int)((e) - (p) < QUOTE_MAX ? (e) - (p) : QUOTE_MAX))

/* fail - put a sentence in err (which may be NULL), EINVAL, -1 */
static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

/* blank - a field separator */
static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/* number - the digits in [p, e) as an int, -1 when more than 9999 */
static int
number(const char *p, const char *e)
{
	int	v = 0;

	for (; p < e; p++) {
		v = v * 10 + (*p - '0');
		if (v > 9999)
			return -1;
	}
	return v;
}

/* lookup - the value of the name in [p, e), -1 when it is unknown */
static int
lookup(const struct field *f, const char *p, const char *e)
{
	int	i;

	for (i = 0; f->names[i] != NULL; i++)
		if ((size_t)(e - p) == strlen(f->names[i]) &&
		    strncasecmp(p, f->names[i], (size_t)(e - p)) == 0)
			return f->lo + i;
	return -1;
}

/*
 * value - the number or name at *pp, within [*pp, e), advancing *pp; the
 * element el..e is for messages.  *named says a name was read.
 */
static int
value(const struct field *f, const char **pp, const char *e,
    const char *el, int *out, int *named, char *err, size_t len)
{
	const char *p = *pp, *q = p;
	int	v;

	if (q < e && isdigit((unsigned char)*q)) {
		while (q < e && isdigit((unsigned char)*q))
			q++;
		v = number(p, q);
		if (v < f->lo || v > f->hi)
			return fail(err, len, "%s field: %.*s is out of range "
			    "(%d-%d)", f->name, QLEN(p, q), p, f->lo, f->hi);
		*named = 0;
	} else if (q < e && isalpha((unsigned char)*q)) {
		while (q < e && isalpha((unsigned char)*q))
			q++;
		if (f->names == NULL)
			return fail(err, len, "%s field: \"%.*s\" is not a "
			    "number", f->name, QLEN(p, q), p);
		if ((v = lookup(f, p, q)) < 0)
			return fail(err, len, "%s field: unknown name \"%.*s\" "
			    "(expected %s)", f->name, QLEN(p, q), p, f->hint);
		*named = 1;
	} else
		return fail(err, len, "%s field: expected a number%s in "
		    "\"%.*s\"", f->name, f->names != NULL ? " or a name" : "",
		    QLEN(el, e), el);
	*pp = q;
	*out = v;
	return 0;
}

/* step - the step in [p, e), from 1 to the field's span */
static int
step(const struct field *f, const char *p, const char *e, int *out,
    char *err, size_t len)
{
	const char *q;
	int	span = f->top - f->lo + 1, v = -1;

	for (q = p; q < e && isdigit((unsigned char)*q); q++)
		;
	if (q == e && p < e)
		v = number(p, e);
	if (v < 1 || v > span)
		return fail(err, len, "%s field: step \"%.*s\" must be a "
		    "number from 1 to %d", f->name, QLEN(p, e), p, span);
	*out = v;
	return 0;
}

/* element - one list element [p, e) of field f into *bits */
static int
element(const struct field *f, const char *p, const char *e,
    unsigned long long *bits, char *err, size_t len)
{
	const char *el = p;
	int	a, b, by = 1, named = 0, range = 0, v;

	if (p == e)
		return -2;		/* the caller knows the list */
	if (*p == '*') {
		a = f->lo;
		b = f->top;
		p++;
		range = 1;
	} else {
		if (value(f, &p, e, el, &a, &named, err, len) < 0)
			return -1;
		b = a;
		if (p < e && *p == '-') {
			p++;
			if (value(f, &p, e, el, &b, &named, err, len) < 0)
				return -1;
			if (f->names == wdays && named && b == 0 && a > 0)
				b = 7;	/* fri-sun */
			if (b < a)
				return fail(err, len, "%s field: range %.*s is "
				    "reversed", f->name, QLEN(el, p), el);
			range = 1;
		}
	}
	if (p < e && *p == '/') {
		if (step(f, p + 1, e, &by, err, len) < 0)
			return -1;
		if (!range)
			b = f->hi;	/* N/STEP: N through the top (7 for
					 * day-of-week, as Vixie cron) */
		p = e;
	}
	if (p != e)
		return fail(err, len, "%s field: trailing junk \"%.*s\" in "
		    "\"%.*s\"", f->name, QLEN(p, e), p, QLEN(el, e), el);
	for (v = a; v <= b; v += by)
		*bits |= 1ULL << v;
	return 0;
}

/* field - the list [p, e) of field f into *bits */
static int
field(const struct field *f, const char *p, const char *e,
    unsigned long long *bits, char *err, size_t len)
{
	const char *fs = p, *q;
	int	r;

	*bits = 0;
	for (;;) {
		for (q = p; q < e && *q != ','; q++)
			;
		if ((r = element(f, p, q, bits, err, len)) == -2)
			return fail(err, len, "%s field: empty list element "
			    "in \"%.*s\"", f->name, QLEN(fs, e), fs);
		if (r < 0)
			return -1;
		if (q == e)
			return 0;
		p = q + 1;
	}
}

/* macro - the fields a macro [p, e) stands for, NULL when unknown */
static const char *
macro(const char *p, const char *e)
{
	size_t	i;

	for (i = 0; i < NELEM(macros); i++)
		if ((size_t)(e - p) == strlen(macros[i].name) &&
		    strncasecmp(p, macros[i].name, (size_t)(e - p)) == 0)
			return macros[i].fields;
	return NULL;
}

/* split - the blank-separated words of s; their count, up to max kept */
static int
split(const char *s, const char **w, const char **we, int max)
{
	int	n = 0;

	while (*s != '\0') {
		while (blank(*s))
			s++;
		if (*s == '\0')
			break;
		if (n < max)
			w[n] = s;
		while (*s != '\0' && !blank(*s))
			s++;
		if (n < max)
			we[n] = s;
		n++;
	}
	return n;
}

/*
 * never - refuse a schedule whose days can never match (see "Never"
 * above): day-of-week "*" and no listed day of month in a listed month.
 */
static int
never(const struct sl_cron *c, const char *dp, const char *de,
    const char *mp, const char *me, char *err, size_t len)
{
	static const int most[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int	m, d;

	if (!c->dow_any || c->dom_any)
		return 0;
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= most[m] && c->mon >> m & 1; d++)
			if (c->dom >> d & 1)
				return 0;
	return fail(err, len, "the schedule never fires: no month in \"%.*s\" "
	    "has a day \"%.*s\" (day-of-month and month fields)", QLEN(mp, me),
	    mp, QLEN(dp, de), dp);
}

/* fields5 - five fields, or a macro, into *c */
static int
fields5(const char *expr, struct sl_cron *c, char *err, size_t len)
{
	const char *w[5], *we[5], *m;
	unsigned long long bits[5];
	int	i, n;

	n = split(expr, w, we, 5);
	if (n == 0)
		return fail(err, len, "the cron expression is empty");
	if (*w[0] == '@') {
		if ((m = macro(w[0], we[0])) == NULL)
			return fail(err, len, "unknown macro \"%.*s\" "
			    "(expected @yearly, @annually, @monthly, @weekly, "
			    "@daily, @midnight or @hourly)", QLEN(w[0], we[0]),
			    w[0]);
		if (n > 1)
			return fail(err, len, "trailing junk \"%.*s\" after "
			    "\"%.*s\"", QLEN(w[1], we[1]), w[1],
			    QLEN(w[0], we[0]), w[0]);
		return fields5(m, c, err, len);
	}
	if (n != 5)
		return fail(err, len, "expected 5 fields (minute hour "
		    "day-of-month month day-of-week), got %d", n);
	for (i = 0; i < 5; i++)
		if (field(&fields[i], w[i], we[i], &bits[i], err, len) < 0)
			return -1;
	c->min = bits[0];
	c->hour = (unsigned long)bits[1];
	c->dom = (unsigned long)bits[2];
	c->mon = (unsigned long)bits[3];
	c->dow = (unsigned long)((bits[4] | bits[4] >> 7) & 0x7f);
	c->dom_any = we[2] - w[2] == 1 && *w[2] == '*';
	c->dow_any = we[4] - w[4] == 1 && *w[4] == '*';
	return never(c, w[2], we[2], w[3], we[3], err, len);
}

/* sl_cron_parse - a cron expression into *out; untouched on error */
int
sl_cron_parse(const char *expr, struct sl_cron *out, char *err, size_t len)
{
	struct sl_cron c;

	if (out == NULL)
		return fail(err, len, "no place to put the schedule");
	if (expr == NULL)
		return fail(err, len, "the cron expression is empty");
	memset(&c, 0, sizeof(c));
	if (fields5(expr, &c, err, len) < 0)
		return -1;
	*out = c;
	return 0;
}

/* tz_name_ok - relative, no empty, dot-led or odd components */
static int
tz_name_ok(const char *tz)
{
	const char *p;
	int	start = 1;

	if (*tz == '\0' || strlen(tz) > 200)
		return 0;
	for (p = tz; *p != '\0'; p++) {
		if (start && (*p == '/' || *p == '.'))
			return 0;
		start = *p == '/';
		if (!isalnum((unsigned char)*p) && strchr("/._+-", *p) == NULL)
			return 0;
	}
	return !start;
}

/* sl_tz_ok - NULL, "UTC", or a zone file (TZif) under /usr/share/zoneinfo */
int
sl_tz_ok(const char *tz)
{
	char	path[256], magic[4];
	struct stat st;
	int	fd, ok;

	if (tz == NULL || strcmp(tz, "UTC") == 0)
		return 1;
	if (!tz_name_ok(tz))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", ZONEINFO, tz);
	if ((fd = sl_open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", sizeof(magic)) == 0;
	close(fd);
	return ok;
}

/* A wall-clock minute. */
struct wall {
	long long y;
	int	mon, mday, hour, min;	/* 1-12, 1-31, 0-23, 0-59 */
};

static int
leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(long long y, int mon)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	return n[mon - 1] + (mon == 2 && leap(y));
}

/* secs - a wall-clock minute as seconds on the wall-clock axis */
static long long
secs(const struct wall *w)
{
	return sl_days_from_civil(w->y, w->mon, w->mday) * DAY +
	    w->hour * 3600LL + w->min * 60LL;
}

/* wday - 0 for Sunday; 1970-01-01 was a Thursday */
static int
wday(const struct wall *w)
{
	return (int)(((sl_days_from_civil(w->y, w->mon, w->mday) + 4) % 7 +
	    7) % 7);
}

static void
next_month(struct wall *w)
{
	if (++w->mon > 12) {
		w->mon = 1;
		w->y++;
	}
	w->mday = 1;
	w->hour = w->min = 0;
}

static void
next_day(struct wall *w)
{
	if (++w->mday > mdays(w->y, w->mon))
		next_month(w);
	else
		w->hour = w->min = 0;
}

static void
next_hour(struct wall *w)
{
	if (++w->hour > 23)
		next_day(w);
	else
		w->min = 0;
}

static void
next_min(struct wall *w)
{
	if (++w->min > 59)
		next_hour(w);
}

/* scan - the first set bit from..max of bits, -1 if none */
static int
scan(unsigned long long bits, int from, int max)
{
	for (; from <= max; from++)
		if (bits >> from & 1)
			return from;
	return -1;
}

/* day_ok - the day matches, by the OR rule when both are restricted */
static int
day_ok(const struct sl_cron *c, const struct wall *w)
{
	int	dom = c->dom >> w->mday & 1, dow = c->dow >> wday(w) & 1;

	if (c->dom_any || c->dow_any)
		return dom && dow;
	return dom || dow;
}

/* local - L(t), the local time of t on the wall-clock axis, in seconds */
static int
local(int utc, long long t, long long *out)
{
	struct tm tm;
	time_t	tt = (time_t)t;

	if ((utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL) {
		errno = EOVERFLOW;
		return -1;
	}
	*out = sl_days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1,
	    tm.tm_mday) * DAY + tm.tm_hour * 3600LL + tm.tm_min * 60LL +
	    tm.tm_sec;
	return 0;
}

/* gap_end - the first instant in W +- REACH whose local time is >= W */
static int
gap_end(int utc, long long W, long long *out)
{
	long long lo = W - REACH, hi = W + REACH, mid, l;

	if (local(utc, lo, &l) < 0 || l >= W || local(utc, hi, &l) < 0 ||
	    l < W) {
		errno = ERANGE;		/* an offset beyond REACH */
		return -1;
	}
	while (hi - lo > 1) {		/* L(lo) < W <= L(hi) */
		mid = lo + (hi - lo) / 2;
		if (local(utc, mid, &l) < 0)
			return -1;
		if (l >= W)
			hi = mid;
		else
			lo = mid;
	}
	*out = hi;
	return 0;
}

/* instant - f(W): the first instant reading W, or the end of its gap */
static int
instant(int utc, long long W, long long *out)
{
	long long probe[2] = { W - REACH, W + REACH }, t, l, best = 0;
	int	i, found = 0;

	if (utc) {
		*out = W;
		return 0;
	}
	for (i = 0; i < 2; i++) {
		if (local(utc, probe[i], &l) < 0)
			return -1;
		t = W - (l - probe[i]);	/* W less that offset */
		if (local(utc, t, &l) < 0)
			return -1;
		if (l == W && (!found || t < best)) {
			best = t;
			found = 1;
		}
	}
	if (!found)
		return gap_end(utc, W, out);
	*out = best;
	return 0;
}

/* search - the first slot after `after', in UTC or the current TZ */
static int
search(const struct sl_cron *c, int utc, time_t after, time_t *next)
{
	struct wall w;
	struct tm tm;
	long long end, t;
	int	h, m;

	if ((utc ? gmtime_r(&after, &tm) : localtime_r(&after, &tm)) == NULL) {
		errno = EOVERFLOW;
		return -1;
	}
	w.y = tm.tm_year + 1900LL;
	w.mon = tm.tm_mon + 1;
	w.mday = tm.tm_mday;
	w.hour = tm.tm_hour;
	w.min = tm.tm_min;
	end = secs(&w) + HORIZON;
	for (next_min(&w); secs(&w) <= end; ) {
		if (!(c->mon >> w.mon & 1)) {
			next_month(&w);
			continue;
		}
		if (!day_ok(c, &w) || (h = scan(c->hour, w.hour, 23)) < 0) {
			next_day(&w);
			continue;
		}
		if (h != w.hour) {
			w.hour = h;
			w.min = 0;
		}
		if ((m = scan(c->min, w.min, 59)) < 0) {
			next_hour(&w);
			continue;
		}
		w.min = m;
		if (instant(utc, secs(&w), &t) < 0)
			return -1;
		if (t > (long long)after) {
			*next = (time_t)t;
			return 0;
		}
		next_min(&w);		/* the second hour of a fall-back */
	}
	errno = ERANGE;
	return -1;
}

/* tz_set - TZ=tz, the old value (malloc'd, or NULL: unset) in *old */
static int
tz_set(const char *tz, char **old)
{
	const char *o = getenv("TZ");

	*old = NULL;
	if (o != NULL && (*old = strdup(o)) == NULL)
		return -1;
	if (setenv("TZ", tz, 1) < 0) {
		free(*old);
		return -1;
	}
	tzset();
	return 0;
}

/* tz_restore - TZ as tz_set found it */
static void
tz_restore(char *old)
{
	if (old == NULL)
		unsetenv("TZ");
	else
		setenv("TZ", old, 1);
	free(old);
	tzset();
}

/*
 * sl_cron_next - the first time c fires strictly after `after', in zone
 * tz (NULL or "UTC": UTC); -1 with ERANGE when none within five years.
 */
int
sl_cron_next(const struct sl_cron *c, const char *tz, time_t after,
    time_t *next)
{
	char   *old;
	int	r, e;

	if (c == NULL || next == NULL || !sl_tz_ok(tz)) {
		errno = EINVAL;
		return -1;
	}
	if (tz == NULL || strcmp(tz, "UTC") == 0)
		return search(c, 1, after, next);
	if (tz_set(tz, &old) < 0)
		return -1;
	r = search(c, 0, after, next);
	e = errno;
	tz_restore(old);
	errno = e;
	return r;
}
