/*
 * clock.c - the WHEN forms of sluice-submit(1) --at and RFC 3339 output.
 *
 *	now			the caller's clock
 * (all within 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z)
 *	@EPOCH			seconds since 1970-01-01T00:00:00Z
 *	+N[smhd]		N seconds (minutes, hours, days) from now
 *	YYYY-MM-DDTHH:MM[:SS[.frac]](Z|±HH:MM|±HHMM)
 *				RFC 3339; 'T' may be a space, Z lowercase;
 *				fractions are dropped (runs start on seconds)
 *
 * A time without an offset is refused: which zone it meant is a guess, and
 * a guess across hosts with different TZ settings schedules the same run at
 * different instants.  Everything is printed in UTC with 'Z'.
 *
 * And the monotonic clock in milliseconds (sl_mono_ms), for timeouts and
 * for how long a call took.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sluice.h"

/* sl_mono_ms - CLOCK_MONOTONIC in milliseconds (the vDSO: no system
 * call); 0 if it cannot be read */
long long
sl_mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

/* sl_num_parse - a decimal integer in [min, max], nothing else */
int
sl_num_parse(const char *s, long min, long max, long *out)
{
	char   *end;
	long	v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE || *end != '\0' || v < min || v > max) {
		errno = errno == ERANGE ? ERANGE : EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

/* digits - exactly n digits at *p, advancing it */
static int
digits(const char **p, int n, int *out)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * sl_days_from_civil - days since 1970-01-01 of a proleptic Gregorian
 * date y-m-d (Hinnant; the inverse of sl_time_fmt's).  By hand, not
 * timegm(3), which loads the local time zone (a read of /etc/localtime,
 * seven system calls in every submit) for a conversion that never uses
 * it; cron.c's wall-clock axis uses it too.
 */
long long
sl_days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
rfc3339(const char *s, time_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int	y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
	long long t;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d))
		return -1;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
		return -1;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &sec))
			return -1;
		if (*s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -1;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh))
			return -1;
		if (*s == ':')
			s++;
		if (digits(&s, 2, &om))
			return -1;
	} else
		return -1;		/* no offset */
	if (*s != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
	    sec > 60 || oh > 23 || om > 59)
		return -1;
	if (sec == 60)
		sec = 59;		/* a leap second starts with its minute */
	t = sl_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	*out = (time_t)(t - sign * (oh * 3600 + om * 60));
	return 0;
}

#define TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */

static int when(const char *, time_t, time_t *);

/*
 * sl_time_parse - a WHEN form into seconds since the epoch, from
 * 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z: the times sluice can
 * write back in RFC 3339 and order by name.
 */
int
sl_time_parse(const char *s, time_t now, time_t *out)
{
	time_t	t;

	if (when(s, now, &t) < 0 || t < 0 || (long long)t > TIME_MAX) {
		errno = EINVAL;
		return -1;
	}
	*out = t;
	return 0;
}

static int
when(const char *s, time_t now, time_t *out)
{
	long	v, mult = 1;
	size_t	n;
	char	num[32];

	if (s == NULL)
		goto bad;
	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (s[0] == '@') {
		if (sl_num_parse(s + 1, 0, LONG_MAX, &v) < 0 || s[1] == '-' ||
		    s[1] == '+')
			goto bad;
		*out = (time_t)v;
		return 0;
	}
	if (s[0] == '+') {
		n = strlen(s + 1);
		if (n == 0 || n >= sizeof(num))
			goto bad;
		memcpy(num, s + 1, n + 1);
		switch (num[n - 1]) {
		case 's': mult = 1; num[--n] = '\0'; break;
		case 'm': mult = 60; num[--n] = '\0'; break;
		case 'h': mult = 3600; num[--n] = '\0'; break;
		case 'd': mult = 86400; num[--n] = '\0'; break;
		}
		if (num[0] == '-' || num[0] == '+' ||
		    sl_num_parse(num, 0, LONG_MAX / 86400 / 2, &v) < 0)
			goto bad;
		*out = now + (time_t)(v * mult);
		return 0;
	}
	if (rfc3339(s, out) == 0)
		return 0;
bad:
	errno = EINVAL;
	return -1;
}

/*
 * sl_time_fmt - RFC 3339 in UTC, "2026-11-28T14:00:00Z".  By hand, not
 * gmtime_r(3) and strftime(3), which load the local time zone (tzset:
 * five system calls and a read of /etc/localtime, in every submit) for a
 * format that never uses it.  The date is Hinnant's days_from_civil
 * inverted (proleptic Gregorian, eras of 400 years).
 */
char *
sl_time_fmt(time_t t, char *buf, size_t len)
{
	long long days = (long long)t / 86400, sec = (long long)t % 86400;
	long long z, era, doe, yoe, y, doy, mp, d, m;
	int	n = -1;

	if (sec < 0) {
		sec += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	if (y >= 0 && y <= 9999)
		n = snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:"
		    "%02lldZ", y, m, d, sec / 3600, sec / 60 % 60, sec % 60);
	if (n < 0 || (size_t)n >= len)
		snprintf(buf, len, "@%lld", (long long)t);
	return buf;
}

/*
 * sl_duration_fmt - seconds as people read a duration: "45s", "3m04s",
 * "2h05m", "3d04h" (two units, the larger first)
 */
char *
sl_duration_fmt(long d, char *buf, size_t len)
{
	if (d < 60)
		snprintf(buf, len, "%lds", d);
	else if (d < 3600)
		snprintf(buf, len, "%ldm%02lds", d / 60, d % 60);
	else if (d < 86400)
		snprintf(buf, len, "%ldh%02ldm", d / 3600, d % 3600 / 60);
	else
		snprintf(buf, len, "%ldd%02ldh", d / 86400, d % 86400 / 3600);
	return buf;
}
