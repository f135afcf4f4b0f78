/*
 * test_clock.c - lib/clock.c: the WHEN forms of sluice-submit(1) --at (now, @EPOCH,
 * +N[smhd], RFC 3339 with an offset), sl_time_fmt, and sl_num_parse.
 *
 * The reference instants were checked with GNU date, e.g.
 *	date -u -d 2026-11-28T14:00:00Z +%s	-> 1795874400
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "tests.h"

#define NOW	((time_t)1000000000)	/* the "now" handed to the parser */
#define T1400	((time_t)1795874400)	/* 2026-11-28T14:00:00Z */

static const struct {
	const char *s;
	time_t	want;
} good[] = {
	{ "now", NOW },
	{ "@0", 0 },
	{ "@1700000000", 1700000000 },
	{ "@1795874400", T1400 },
	{ "+0", NOW },
	{ "+30", NOW + 30 },
	{ "+30s", NOW + 30 },
	{ "+5m", NOW + 300 },
	{ "+2h", NOW + 7200 },
	{ "+1d", NOW + 86400 },
	{ "+90m", NOW + 5400 },
	{ "2026-11-28T14:00:00Z", T1400 },
	{ "2026-11-28T14:00:00z", T1400 },
	{ "2026-11-28t14:00:00Z", T1400 },
	{ "2026-11-28 14:00:00Z", T1400 },
	{ "2026-11-28T14:00Z", T1400 },		/* seconds may be left out */
	{ "2026-11-28T14:00:00.5Z", T1400 },	/* fractions are dropped */
	{ "2026-11-28T14:00:00.999999999Z", T1400 },
	{ "2026-11-28T16:00:00+02:00", T1400 },
	{ "2026-11-28T16:00:00+0200", T1400 },
	{ "2026-11-28T08:30:00-0530", T1400 },
	{ "2026-11-28T08:30:00-05:30", T1400 },
	{ "2026-11-28T14:00:00+00:00", T1400 },
	{ "2026-11-28T14:00:00-00:00", T1400 },
	{ "2026-11-28T15:00:00.25+01:00", T1400 },
	{ "2026-11-29T00:00:00+10:00", T1400 },	/* crosses midnight */
	{ "2026-11-28T14:00:60Z", T1400 + 59 },	/* leap second: its minute */
	{ "2028-02-29T00:00:00Z", 1835395200 },	/* leap year */
	{ "2000-02-29T00:00:00Z", 951782400 },	/* 400-year rule */
	{ "2024-02-29T12:34:56Z", 1709210096 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "2026-12-31T23:59:59Z", 1798761599 },
	{ "2038-01-19T03:14:08Z", 2147483648 },	/* past 32-bit time_t */
};

static const char *const bad[] = {
	"", "NOW", "now ", " now",
	"@", "@-1", "@x", "@+5", "@ 5", "@5 ", "@1e3", "@0x10",
	"@99999999999999999999",
	"+", "+-5", "++5", "+5x", "+5 m", "+ 5", "+s", "+5mm", "+1.5h", "+5M",
	"+99999999999999999999d", "-5", "5",
	"2026-11-28T14:00:00",			/* no offset: refused */
	"2026-11-28 14:00:00",
	"2026-11-28T14:00",
	"2026-11-28",
	"2026-11-28Z",
	"2026-11-28T14Z",
	"2026-13-01T00:00:00Z",			/* month 13 */
	"2026-00-01T00:00:00Z",
	"2026-11-00T00:00:00Z",
	"2026-11-31T00:00:00Z",			/* November has 30 */
	"2026-02-30T00:00:00Z",
	"2025-02-29T00:00:00Z",			/* not a leap year */
	"2100-02-29T00:00:00Z",			/* 100-year rule */
	"2026-11-28T24:00:00Z",			/* hour 24 */
	"2026-11-28T14:60:00Z",
	"2026-11-28T14:00:61Z",
	"2026-11-28T14:00:00+24:00",
	"2026-11-28T14:00:00+05:60",
	"2026-11-28T14:00:00+05",
	"2026-11-28T14:00:00+5:00",
	"2026-11-28T14:00:00.Z",		/* a dot needs digits */
	"2026-11-28T14:00:00ZZ",		/* trailing junk */
	"2026-11-28T14:00:00Z ",
	" 2026-11-28T14:00:00Z",
	"2026-11-28T14:00:00Zjunk",
	"2026-11-28T14:00:00+02:00x",
	"2026-11-28X14:00:00Z",
	"2026-1-28T14:00:00Z",
	"26-11-28T14:00:00Z",
	"2026/11/28T14:00:00Z",
	"1969-12-31T23:59:59Z",			/* before the epoch */
	"tomorrow",
};

START_TEST(test_time_good)
{
	time_t	t = (time_t)-12345;

	ck_assert_msg(sl_time_parse(good[_i].s, NOW, &t) == 0,
	    "'%s' should parse", good[_i].s);
	ck_assert_msg(t == good[_i].want, "'%s' gave %lld, want %lld",
	    good[_i].s, (long long)t, (long long)good[_i].want);
}
END_TEST

START_TEST(test_time_bad)
{
	time_t	t = 0;

	errno = 0;
	ck_assert_msg(sl_time_parse(bad[_i], NOW, &t) == -1,
	    "'%s' should be refused, gave %lld", bad[_i], (long long)t);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_time_null)
{
	time_t	t;

	errno = 0;
	ck_assert_int_eq(sl_time_parse(NULL, NOW, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_time_relative_uses_now)
{
	time_t	t;

	ck_assert_int_eq(sl_time_parse("+1h", 0, &t), 0);
	ck_assert_int_eq(t, 3600);
	ck_assert_int_eq(sl_time_parse("+1h", T1400, &t), 0);
	ck_assert_int_eq(t, T1400 + 3600);
	ck_assert_int_eq(sl_time_parse("now", T1400, &t), 0);
	ck_assert_int_eq(t, T1400);
	/* absolute forms ignore now */
	ck_assert_int_eq(sl_time_parse("@5", T1400, &t), 0);
	ck_assert_int_eq(t, 5);
}
END_TEST

START_TEST(test_time_fmt)
{
	static const time_t ts[] = { 0, 1, 59, 951782400, 1709210096, T1400,
	    1798761599, 2147483648LL, 4102444800LL };
	char	buf[40], *r;
	time_t	back;
	size_t	i;

	r = sl_time_fmt(T1400, buf, sizeof(buf));
	ck_assert_ptr_eq(r, buf);
	ck_assert_str_eq(buf, "2026-11-28T14:00:00Z");
	ck_assert_str_eq(sl_time_fmt(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00Z");
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		sl_time_fmt(ts[i], buf, sizeof(buf));
		ck_assert_uint_eq(strlen(buf), 20);
		ck_assert_int_eq(buf[19], 'Z');
		ck_assert_msg(sl_time_parse(buf, NOW, &back) == 0,
		    "'%s' does not parse back", buf);
		ck_assert_msg(back == ts[i], "%lld -> %s -> %lld",
		    (long long)ts[i], buf, (long long)back);
	}
}
END_TEST

/* sl_time_fmt's own date arithmetic agrees with gmtime_r everywhere
 * between year 0 and 9999, leap years and negative times included */
START_TEST(test_time_fmt_vs_gmtime)
{
	char	buf[40], want[40];
	struct tm tm;
	long long t;
	unsigned long long x = 88172645463325252ULL;
	int	i;

	for (i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* from 0000-01-01 to 9999-12-31 */
		t = -62167219200LL + (long long)(x % 315537897600ULL);
		if (i < 4)
			t = (long long[]){ -62167219200LL, -1, 951782399LL,
			    253402300799LL }[i];
		ck_assert(gmtime_r(&(time_t){ (time_t)t }, &tm) != NULL);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		ck_assert_str_eq(sl_time_fmt((time_t)t, buf, sizeof(buf)),
		    want);
	}
	ck_assert_str_eq(sl_time_fmt(253402300800LL, buf, sizeof(buf)),
	    "@253402300800");
	ck_assert_str_eq(sl_time_fmt(0, buf, 10), "@0");
}
END_TEST

/*
 * the RFC 3339 reader, by hand since it stopped calling timegm(3) (which
 * loads the local time zone), agrees with timegm on 200,000 random times
 * from 1970 to 9999, each with a random offset and sometimes a fraction
 */
START_TEST(test_time_parse_vs_timegm)
{
	char	s[64];
	struct tm tm;
	time_t	got, want;
	long long t;
	unsigned long long x = 2463534242ULL;
	int	i, oh, om, sign;

	for (i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = 86400 + (long long)(x % (253402300799ULL - 2 * 86400));
		ck_assert(gmtime_r(&(time_t){ (time_t)t }, &tm) != NULL);
		oh = (int)(x >> 40) % 24;
		om = (int)(x >> 48) % 60;
		sign = (x >> 60) & 1 ? -1 : 1;
		snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (x >> 62) & 1 ? ".125" : "",
		    sign < 0 ? '-' : '+', oh, om);
		want = timegm(&tm) - sign * (oh * 3600 + om * 60);
		ck_assert_msg(sl_time_parse(s, 0, &got) == 0 && got == want,
		    "%s: %lld, timegm says %lld", s, (long long)got,
		    (long long)want);
	}
	ck_assert_int_eq(sl_time_parse("2024-02-29T23:59:60Z", 0, &got), 0);
	ck_assert_int_eq(got, 1709251199);	/* a leap second: :59 */
	ck_assert_int_eq(sl_time_parse("2000-02-29T00:00:00Z", 0, &got), 0);
	ck_assert_int_eq(got, 951782400);
	ck_assert_int_eq(sl_time_parse("2100-02-29T00:00:00Z", 0, &got), -1);
	ck_assert_int_eq(sl_time_parse("9999-12-31T23:59:59Z", 0, &got), 0);
	ck_assert_int_eq(got, 253402300799LL);
}
END_TEST

START_TEST(test_num_parse)
{
	long	v = -7;

	ck_assert_int_eq(sl_num_parse("0", 0, 10, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(sl_num_parse("10", 0, 10, &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(sl_num_parse("007", 0, 10, &v), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(sl_num_parse("-3", -5, 5, &v), 0);
	ck_assert_int_eq(v, -3);
	ck_assert_int_eq(sl_num_parse("9223372036854775807", 0, LONG_MAX, &v), 0);
	ck_assert_int_eq(v, LONG_MAX);

	v = 42;
	errno = 0;
	ck_assert_int_eq(sl_num_parse("11", 0, 10, &v), -1);	/* above */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(v, 42);				/* untouched */
	ck_assert_int_eq(sl_num_parse("-1", 0, 10, &v), -1);	/* below */
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sl_num_parse("5x", 0, 10, &v), -1);	/* junk */
	ck_assert_int_eq(sl_num_parse("5 ", 0, 10, &v), -1);
	ck_assert_int_eq(sl_num_parse(" 5", 0, 10, &v), -1);	/* leading blank */
	ck_assert_int_eq(sl_num_parse("\t5", 0, 10, &v), -1);
	ck_assert_int_eq(sl_num_parse("", 0, 10, &v), -1);
	ck_assert_int_eq(sl_num_parse(NULL, 0, 10, &v), -1);
	ck_assert_int_eq(sl_num_parse("0x5", 0, 10, &v), -1);
	ck_assert_int_eq(sl_num_parse("5.0", 0, 10, &v), -1);
	ck_assert_int_eq(sl_num_parse("-", -5, 10, &v), -1);
	ck_assert_int_eq(v, 42);
	errno = 0;
	ck_assert_int_eq(sl_num_parse("99999999999999999999", 0, LONG_MAX,
	    &v), -1);
	ck_assert_int_eq(errno, ERANGE);
	errno = 0;
	ck_assert_int_eq(sl_num_parse("-99999999999999999999", LONG_MIN, 0,
	    &v), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(v, 42);
}
END_TEST

Suite *
suite_clock(void)
{
	Suite  *s = suite_create("clock");
	TCase  *tc = tcase_create("clock");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_loop_test(tc, test_time_good, 0,
	    (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_loop_test(tc, test_time_bad, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_time_null);
	tcase_add_test(tc, test_time_relative_uses_now);
	tcase_add_test(tc, test_time_fmt);
	tcase_add_test(tc, test_time_fmt_vs_gmtime);
	tcase_add_test(tc, test_time_parse_vs_timegm);
	tcase_add_test(tc, test_num_parse);
	suite_add_tcase(s, tc);
	return s;
}
