/*
 * test_cron.c - lib/cron.c: parsing 5-field cron expressions (every field
 * form, names, 7 as Sunday, macros, each refusal and its message), the
 * next time a schedule fires (UTC, and America/New_York across both clock
 * changes of 2026), and sl_tz_ok.
 *
 * Instants are written in RFC 3339 and read with sl_time_parse; the
 * weekdays and zone offsets were checked with GNU date, e.g.
 *	TZ=America/New_York date -d @$(date -d 2026-03-08T07:00:00Z +%s)
 *	-> Sun Mar  8 03:00:00 EDT 2026
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define B(n)		(1ULL << (n))
#define R(a, b)		((2ULL << (b)) - (1ULL << (a)))	/* bits a..b */
#define MIN_ALL		R(0, 59)
#define HOUR_ALL	R(0, 23)
#define DOM_ALL		R(1, 31)
#define MON_ALL		R(1, 12)
#define DOW_ALL		R(0, 6)
#define NY		"America/New_York"

/* at - an RFC 3339 time as seconds; aborts the test if it does not parse */
static time_t
at(const char *s)
{
	time_t	t;

	ck_assert_msg(sl_time_parse(s, 0, &t) == 0, "bad time '%s'", s);
	return t;
}

/* parse - expr into *c; aborts the test with the error if refused */
static void
parse(const char *expr, struct sl_cron *c)
{
	char	err[SL_ERR_MAX] = "";

	ck_assert_msg(sl_cron_parse(expr, c, err, sizeof(err)) == 0,
	    "'%s' should parse: %s", expr, err);
}

/* next - the next instant of expr after `after', as RFC 3339 */
static const char *
next(const char *expr, const char *tz, time_t after, char *buf, size_t len)
{
	struct sl_cron c;
	time_t	t;

	parse(expr, &c);
	ck_assert_msg(sl_cron_next(&c, tz, after, &t) == 0,
	    "'%s' in %s after %lld: %s", expr, tz ? tz : "UTC",
	    (long long)after, strerror(errno));
	ck_assert_msg(t > after, "'%s': %lld is not after %lld", expr,
	    (long long)t, (long long)after);
	return sl_time_fmt(t, buf, len);
}

static const struct {
	const char *expr;
	unsigned long long min, hour, dom, mon, dow;
	int	dom_any, dow_any;
} good[] = {
	{ "* * * * *", MIN_ALL, HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
	{ "5 4 3 2 1", B(5), B(4), B(3), B(2), B(1), 0, 0 },
	{ "0,15,30,45 * * * *", B(0) | B(15) | B(30) | B(45), HOUR_ALL,
	    DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
	{ "10-20 * * * *", R(10, 20), HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL,
	    1, 1 },
	{ "*/15 * * * *", B(0) | B(15) | B(30) | B(45), HOUR_ALL, DOM_ALL,
	    MON_ALL, DOW_ALL, 1, 1 },
	{ "1-30/7 * * * *", B(1) | B(8) | B(15) | B(22) | B(29), HOUR_ALL,
	    DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
	{ "5/20 * * * *", B(5) | B(25) | B(45), HOUR_ALL, DOM_ALL, MON_ALL,
	    DOW_ALL, 1, 1 },			/* N/STEP: N-59/STEP */
	{ "1,2-4,*/30 * * * *", B(0) | R(1, 4) | B(30), HOUR_ALL, DOM_ALL,
	    MON_ALL, DOW_ALL, 1, 1 },
	{ "0 */6 * * *", B(0), B(0) | B(6) | B(12) | B(18), DOM_ALL, MON_ALL,
	    DOW_ALL, 1, 1 },
	{ "0 0 1,15 * *", B(0), B(0), B(1) | B(15), MON_ALL, DOW_ALL, 0, 1 },
	{ "0 0 */10 * *", B(0), B(0), B(1) | B(11) | B(21) | B(31), MON_ALL,
	    DOW_ALL, 0, 1 },
	{ "0 0 * */3 *", B(0), B(0), DOM_ALL, B(1) | B(4) | B(7) | B(10),
	    DOW_ALL, 1, 1 },
	{ "0-59/30 0-23/12 1-31/10 1-12/6 0-6/3", B(0) | B(30), B(0) | B(12),
	    B(1) | B(11) | B(21) | B(31), B(1) | B(7), B(0) | B(3) | B(6),
	    0, 0 },
	{ "59 23 31 12 6", B(59), B(23), B(31), B(12), B(6), 0, 0 },
	{ "00 007 01 01 00", B(0), B(7), B(1), B(1), B(0), 0, 0 },
	{ " \t1  2\t3 4 5 ", B(1), B(2), B(3), B(4), B(5), 0, 0 },
	/* names, any case, in lists and ranges */
	{ "0 0 * jan,JUL,Dec *", B(0), B(0), DOM_ALL, B(1) | B(7) | B(12),
	    DOW_ALL, 1, 1 },
	{ "0 0 * mar-May *", B(0), B(0), DOM_ALL, R(3, 5), DOW_ALL, 1, 1 },
	{ "0 0 * feb/4 *", B(0), B(0), DOM_ALL, B(2) | B(6) | B(10), DOW_ALL,
	    1, 1 },
	{ "0 9 * * mon-fri", B(0), B(9), DOM_ALL, MON_ALL, R(1, 5), 1, 0 },
	{ "0 9 * * MON-Fri", B(0), B(9), DOM_ALL, MON_ALL, R(1, 5), 1, 0 },
	{ "0 9 * * sat,SUN", B(0), B(9), DOM_ALL, MON_ALL, B(0) | B(6), 1, 0 },
	{ "0 9 * * tue/2", B(0), B(9), DOM_ALL, MON_ALL, B(2) | B(4) | B(6),
	    1, 0 },
	/* 7 is Sunday; so is "sun" ending a range */
	{ "0 0 * * 7", B(0), B(0), DOM_ALL, MON_ALL, B(0), 1, 0 },
	{ "0 0 * * 0,7", B(0), B(0), DOM_ALL, MON_ALL, B(0), 1, 0 },
	{ "0 0 * * 5-7", B(0), B(0), DOM_ALL, MON_ALL, B(0) | R(5, 6), 1, 0 },
	{ "0 0 * * fri-sun", B(0), B(0), DOM_ALL, MON_ALL, B(0) | R(5, 6),
	    1, 0 },
	{ "0 0 * * 1-7", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, 1, 0 },
	{ "0 0 * * */2", B(0), B(0), DOM_ALL, MON_ALL, B(0) | B(2) | B(4) |
	    B(6), 1, 0 },
	{ "0 0 13 * fri", B(0), B(0), B(13), MON_ALL, B(5), 0, 0 },
	/* N/STEP in day-of-week runs to 7, as in Vixie cron (issue 10) */
	{ "0 0 * * 7/2", B(0), B(0), DOM_ALL, MON_ALL, B(0), 1, 0 },
	{ "0 0 * * 7/1", B(0), B(0), DOM_ALL, MON_ALL, B(0), 1, 0 },
	{ "0 0 * * 1/2", B(0), B(0), DOM_ALL, MON_ALL, B(1) | B(3) | B(5) |
	    B(0), 1, 0 },
	{ "0 0 * * 6/1", B(0), B(0), DOM_ALL, MON_ALL, B(6) | B(0), 1, 0 },
	{ "0 0 * * sat/1", B(0), B(0), DOM_ALL, MON_ALL, B(6) | B(0), 1, 0 },
	{ "0 0 * * 0/3", B(0), B(0), DOM_ALL, MON_ALL, B(0) | B(3) | B(6),
	    1, 0 },
	{ "0 0 * * 7-7", B(0), B(0), DOM_ALL, MON_ALL, B(0), 1, 0 },
	{ "0 0 * * 3-7/2", B(0), B(0), DOM_ALL, MON_ALL, B(3) | B(5) | B(0),
	    1, 0 },
	/* days that exist somewhere in the months given */
	{ "0 0 29 2 *", B(0), B(0), B(29), B(2), DOW_ALL, 0, 1 },
	{ "0 0 31 1,4 *", B(0), B(0), B(31), B(1) | B(4), DOW_ALL, 0, 1 },
	{ "0 0 30 2 mon", B(0), B(0), B(30), B(2), B(1), 0, 0 }, /* OR */
	/* macros */
	{ "@yearly", B(0), B(0), B(1), B(1), DOW_ALL, 0, 1 },
	{ "@annually", B(0), B(0), B(1), B(1), DOW_ALL, 0, 1 },
	{ "@monthly", B(0), B(0), B(1), MON_ALL, DOW_ALL, 0, 1 },
	{ "@weekly", B(0), B(0), DOM_ALL, MON_ALL, B(0), 1, 0 },
	{ "@daily", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
	{ "@midnight", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
	{ "@hourly", B(0), HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
	{ "@Daily", B(0), B(0), DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
	{ " @HOURLY\t", B(0), HOUR_ALL, DOM_ALL, MON_ALL, DOW_ALL, 1, 1 },
};

START_TEST(test_parse_good)
{
	struct sl_cron c;

	memset(&c, 0xa5, sizeof(c));
	parse(good[_i].expr, &c);
	ck_assert_msg(c.min == good[_i].min, "'%s' minutes %llx, want %llx",
	    good[_i].expr, c.min, good[_i].min);
	ck_assert_msg(c.hour == good[_i].hour, "'%s' hours %lx, want %llx",
	    good[_i].expr, c.hour, good[_i].hour);
	ck_assert_msg(c.dom == good[_i].dom, "'%s' days %lx, want %llx",
	    good[_i].expr, c.dom, good[_i].dom);
	ck_assert_msg(c.mon == good[_i].mon, "'%s' months %lx, want %llx",
	    good[_i].expr, c.mon, good[_i].mon);
	ck_assert_msg(c.dow == good[_i].dow, "'%s' weekdays %lx, want %llx",
	    good[_i].expr, c.dow, good[_i].dow);
	ck_assert_msg(c.dom_any == good[_i].dom_any, "'%s' dom_any %d",
	    good[_i].expr, c.dom_any);
	ck_assert_msg(c.dow_any == good[_i].dow_any, "'%s' dow_any %d",
	    good[_i].expr, c.dow_any);
}
END_TEST

static const struct {
	const char *expr, *why;
} bad[] = {
	{ NULL, "the cron expression is empty" },
	{ "", "the cron expression is empty" },
	{ " \t ", "the cron expression is empty" },
	{ "* * * *", "expected 5 fields (minute hour day-of-month month "
	    "day-of-week), got 4" },
	{ "* * * * * *", "expected 5 fields" },
	{ "0 0 1 1 * 2026", "got 6" },
	{ "*", "got 1" },
	/* out of range, naming the field and its range */
	{ "60 * * * *", "minute field: 60 is out of range (0-59)" },
	{ "* 24 * * *", "hour field: 24 is out of range (0-23)" },
	/* schedules that can never fire (issue 10) */
	{ "0 0 30 2 *", "the schedule never fires: no month in \"2\" has a "
	    "day \"30\"" },
	{ "0 0 31 4 *", "never fires" },
	{ "0 0 31 4,6,9,11 *", "never fires" },
	{ "* * 30,31 feb *", "never fires" },
	{ "0 0 31 apr-jun/2 *", "never fires" },
	{ "0 0 31 2-2 *", "never fires" },
	{ "* * 0 * *", "day-of-month field: 0 is out of range (1-31)" },
	{ "* * 32 * *", "day-of-month field: 32 is out of range (1-31)" },
	{ "* * * 0 *", "month field: 0 is out of range (1-12)" },
	{ "* * * 13 *", "month field: 13 is out of range (1-12)" },
	{ "* * * * 8", "day-of-week field: 8 is out of range (0-7)" },
	{ "1-60 * * * *", "minute field: 60 is out of range (0-59)" },
	{ "99999999999999999999 * * * *",
	    "minute field: 99999999999999999999 is out of range (0-59)" },
	/* steps */
	{ "*/0 * * * *", "minute field: step \"0\" must be a number from 1 "
	    "to 60" },
	{ "*/x * * * *", "minute field: step \"x\" must be" },
	{ "*/ * * * *", "minute field: step \"\" must be" },
	{ "*/-1 * * * *", "minute field: step \"-1\" must be" },
	{ "*/61 * * * *", "minute field: step \"61\" must be" },
	{ "* */25 * * *", "hour field: step \"25\" must be a number from 1 "
	    "to 24" },
	{ "* * * * */8", "day-of-week field: step \"8\" must be a number "
	    "from 1 to 7" },
	{ "1-5/2x * * * *", "minute field: step \"2x\" must be" },
	{ "*/5/2 * * * *", "minute field: step \"5/2\" must be" },
	/* reversed ranges */
	{ "5-3 * * * *", "minute field: range 5-3 is reversed" },
	{ "* * * * fri-mon", "day-of-week field: range fri-mon is reversed" },
	{ "* * * dec-jan *", "month field: range dec-jan is reversed" },
	/* names */
	{ "* * * foo *", "month field: unknown name \"foo\" (expected "
	    "jan..dec)" },
	{ "* * * january *", "month field: unknown name \"january\"" },
	{ "* * * * funday", "day-of-week field: unknown name \"funday\" "
	    "(expected sun..sat)" },
	{ "* * * * jan", "day-of-week field: unknown name \"jan\"" },
	{ "mon * * * *", "minute field: \"mon\" is not a number" },
	{ "* * jan * *", "day-of-month field: \"jan\" is not a number" },
	/* empty list elements */
	{ "1,,2 * * * *", "minute field: empty list element in \"1,,2\"" },
	{ ",1 * * * *", "minute field: empty list element" },
	{ "* * * * mon,", "day-of-week field: empty list element" },
	/* junk */
	{ "5x * * * *", "minute field: trailing junk \"x\" in \"5x\"" },
	{ "*-5 * * * *", "minute field: trailing junk \"-5\" in \"*-5\"" },
	{ "1-2-3 * * * *", "minute field: trailing junk \"-3\"" },
	{ "* * * 3jan *", "month field: trailing junk \"jan\"" },
	{ "* * * * mon1", "day-of-week field: trailing junk \"1\"" },
	{ "-5 * * * *", "minute field: expected a number in \"-5\"" },
	{ "* * * jan- *", "month field: expected a number or a name in "
	    "\"jan-\"" },
	{ "/5 * * * *", "minute field: expected a number" },
	{ "? * * * *", "minute field: expected a number" },
	{ "*,* * * * 1;", "day-of-week field: trailing junk \";\"" },
	/* macros */
	{ "@foo", "unknown macro \"@foo\"" },
	{ "@reboot", "unknown macro \"@reboot\"" },
	{ "@", "unknown macro \"@\"" },
	{ "@daily *", "trailing junk \"*\" after \"@daily\"" },
	{ "@hourly @daily", "trailing junk \"@daily\" after \"@hourly\"" },
};

START_TEST(test_parse_bad)
{
	struct sl_cron c, keep;
	char	err[SL_ERR_MAX] = "";

	memset(&c, 0x5a, sizeof(c));
	keep = c;
	errno = 0;
	ck_assert_msg(sl_cron_parse(bad[_i].expr, &c, err, sizeof(err)) == -1,
	    "'%s' should be refused", bad[_i].expr);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(err, bad[_i].why) != NULL,
	    "'%s': got \"%s\", want \"%s\"", bad[_i].expr, err, bad[_i].why);
	ck_assert_msg(memcmp(&c, &keep, sizeof(c)) == 0,
	    "'%s': the schedule was changed", bad[_i].expr);
}
END_TEST

START_TEST(test_parse_err_buffer)
{
	struct sl_cron c;
	char	err[8];

	/* a short buffer gets a truncated sentence, a NULL one nothing */
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(sl_cron_parse("60 * * * *", &c, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "minute ");
	ck_assert_int_eq(sl_cron_parse("60 * * * *", &c, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sl_cron_parse("* * * * *", NULL, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A UTC table: the next slot after `after'. */
static const struct {
	const char *expr, *after, *want;
} utc[] = {
	/* every minute: the next whole minute, strictly after */
	{ "* * * * *", "2026-05-06T10:00:00Z", "2026-05-06T10:01:00Z" },
	{ "* * * * *", "2026-05-06T10:00:30Z", "2026-05-06T10:01:00Z" },
	{ "* * * * *", "2026-05-06T10:00:59Z", "2026-05-06T10:01:00Z" },
	{ "* * * * *", "2026-05-06T09:59:59Z", "2026-05-06T10:00:00Z" },
	/* every quarter hour */
	{ "*/15 * * * *", "2026-05-06T10:00:00Z", "2026-05-06T10:15:00Z" },
	{ "*/15 * * * *", "2026-05-06T10:14:59Z", "2026-05-06T10:15:00Z" },
	{ "*/15 * * * *", "2026-05-06T10:45:00Z", "2026-05-06T11:00:00Z" },
	{ "*/15 * * * *", "2026-05-06T23:50:00Z", "2026-05-07T00:00:00Z" },
	/* hourly */
	{ "@hourly", "2026-05-06T10:00:00Z", "2026-05-06T11:00:00Z" },
	{ "@hourly", "2026-05-06T10:59:59Z", "2026-05-06T11:00:00Z" },
	{ "0 * * * *", "2026-05-06T23:00:00Z", "2026-05-07T00:00:00Z" },
	/* daily at 02:30 */
	{ "30 2 * * *", "2026-05-06T02:29:59Z", "2026-05-06T02:30:00Z" },
	{ "30 2 * * *", "2026-05-06T02:30:00Z", "2026-05-07T02:30:00Z" },
	{ "30 2 * * *", "2026-05-06T12:00:00Z", "2026-05-07T02:30:00Z" },
	{ "@daily", "2026-05-06T12:00:00Z", "2026-05-07T00:00:00Z" },
	/* weekdays at 9:00; 2026-05-08 is a Friday */
	{ "0 9 * * mon-fri", "2026-05-08T08:59:00Z", "2026-05-08T09:00:00Z" },
	{ "0 9 * * mon-fri", "2026-05-08T09:00:00Z", "2026-05-11T09:00:00Z" },
	{ "0 9 * * 1-5", "2026-05-09T10:00:00Z", "2026-05-11T09:00:00Z" },
	/* weekly: Sunday 00:00; 2026-05-06 is a Wednesday */
	{ "@weekly", "2026-05-06T12:00:00Z", "2026-05-10T00:00:00Z" },
	{ "0 0 * * 7", "2026-05-06T12:00:00Z", "2026-05-10T00:00:00Z" },
	/* monthly on the 31st skips the 30-day months */
	{ "0 0 31 * *", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z" },
	{ "0 0 31 * *", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z" },
	{ "0 0 31 * *", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z" },
	{ "0 0 31 * *", "2026-08-31T00:00:00Z", "2026-10-31T00:00:00Z" },
	{ "@monthly", "2026-05-06T12:00:00Z", "2026-06-01T00:00:00Z" },
	/* Feb 29 waits for a leap year */
	{ "0 0 29 2 *", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z" },
	{ "0 0 29 2 *", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z" },
	{ "0 0 29 feb *", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z" },
	/* year rollover */
	{ "0 0 1 1 *", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z" },
	{ "@yearly", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z" },
	{ "59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z" },
	{ "* * * * *", "2026-12-31T23:59:30Z", "2027-01-01T00:00:00Z" },
	{ "0 12 * jan *", "2026-02-01T00:00:00Z", "2027-01-01T12:00:00Z" },
	/* a restricted day-of-month and the any day-of-week: AND */
	{ "0 0 13 * *", "2026-01-01T00:00:00Z", "2026-01-13T00:00:00Z" },
	{ "0 0 13 * *", "2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z" },
	{ "0 0 * * fri", "2026-01-09T00:00:00Z", "2026-01-16T00:00:00Z" },
	/* far from 2026 */
	{ "* * * * *", "1970-01-01T00:00:00Z", "1970-01-01T00:01:00Z" },
	{ "30 4 1 1 *", "2099-06-01T00:00:00Z", "2100-01-01T04:30:00Z" },
};

START_TEST(test_next_utc)
{
	char	buf[40];

	ck_assert_str_eq(next(utc[_i].expr, NULL, at(utc[_i].after), buf,
	    sizeof(buf)), utc[_i].want);
	ck_assert_str_eq(next(utc[_i].expr, "UTC", at(utc[_i].after), buf,
	    sizeof(buf)), utc[_i].want);
}
END_TEST

START_TEST(test_next_or_rule)
{
	static const char *const want[] = {
		"2026-01-02", "2026-01-09", "2026-01-13", "2026-01-16",
		"2026-01-23", "2026-01-30", "2026-02-06",
		"2026-02-13",		/* a Friday the 13th: once */
		"2026-02-20",
	};
	char	buf[40], day[40];
	struct sl_cron c;
	time_t	t = at("2026-01-01T00:00:00Z");
	size_t	i;

	parse("0 0 13 * fri", &c);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(sl_cron_next(&c, NULL, t, &t), 0);
		snprintf(day, sizeof(day), "%sT00:00:00Z", want[i]);
		ck_assert_str_eq(sl_time_fmt(t, buf, sizeof(buf)), day);
	}
}
END_TEST

START_TEST(test_next_never)
{
	static const char *const never[] = {
		"0 0 30 2 *", "0 0 31 2 *", "0 0 31 4,6,9,11 *",
		"* * 30,31 feb *",
	};
	struct sl_cron c;
	time_t	t = 12345;
	size_t	i;

	/* refused when parsed (test_parse_bad); a schedule built by hand
	 * that never fires still ends the search, with ERANGE */
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		ck_assert_int_eq(sl_cron_parse(never[i], &c, NULL, 0), -1);
		memset(&c, 0, sizeof(c));
		c.min = B(0);
		c.hour = B(0);
		c.dom = B(30) | B(31);
		c.mon = B(2);
		c.dow = DOW_ALL;
		c.dow_any = 1;
		errno = 0;
		ck_assert_msg(sl_cron_next(&c, NULL, at("2026-01-01T00:00:00Z"),
		    &t) == -1, "'%s' should never fire", never[i]);
		ck_assert_int_eq(errno, ERANGE);
		errno = 0;
		ck_assert_int_eq(sl_cron_next(&c, NY,
		    at("2026-01-01T00:00:00Z"), &t), -1);
		ck_assert_int_eq(errno, ERANGE);
		ck_assert_int_eq(t, 12345);		/* untouched */
	}
	/* five years is the horizon: a leap day eight years off is too far */
	parse("0 0 29 2 *", &c);
	ck_assert_int_eq(sl_cron_next(&c, NULL, at("2096-03-01T00:00:00Z"),
	    &t), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

/* 7/N in day-of-week fires on Sundays (it fired never) */
START_TEST(test_next_sunday_step)
{
	char	buf[40];
	time_t	after = at("2026-12-02T12:00:00Z");	/* a Wednesday */

	ck_assert_str_eq(next("0 0 * * 7/2", NULL, after, buf, sizeof(buf)),
	    "2026-12-06T00:00:00Z");
	ck_assert_str_eq(next("0 0 * * 7/3", NY, after, buf, sizeof(buf)),
	    "2026-12-06T05:00:00Z");
	ck_assert_str_eq(next("0 0 * * 5/2", NULL, after, buf, sizeof(buf)),
	    "2026-12-04T00:00:00Z");
	ck_assert_str_eq(next("0 0 * * 5/2", NULL, at("2026-12-04T00:00:00Z"),
	    buf, sizeof(buf)), "2026-12-06T00:00:00Z");
}
END_TEST

START_TEST(test_next_args)
{
	struct sl_cron c;
	time_t	t;

	parse("* * * * *", &c);
	errno = 0;
	ck_assert_int_eq(sl_cron_next(NULL, NULL, 0, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sl_cron_next(&c, NULL, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sl_cron_next(&c, "No/Such_Zone", 0, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sl_cron_next(&c, "../etc/passwd", 0, &t), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A zone table: the next slot after `after', in that zone. */
static const struct {
	const char *expr, *tz, *after, *want;
} zoned[] = {
	{ "0 9 * * *", NY, "2026-01-05T00:00:00Z", "2026-01-05T14:00:00Z" },
	{ "0 9 * * *", NY, "2026-07-05T00:00:00Z", "2026-07-05T13:00:00Z" },
	{ "0 12 * * *", "Europe/Paris", "2026-07-01T00:00:00Z",
	    "2026-07-01T10:00:00Z" },
	{ "0 12 * * *", "Europe/Paris", "2026-12-01T00:00:00Z",
	    "2026-12-01T11:00:00Z" },
	{ "0 0 1 1 *", "Asia/Tokyo", "2026-06-01T00:00:00Z",
	    "2026-12-31T15:00:00Z" },		/* local new year */
	{ "0 0 * * *", "Asia/Kolkata", "2026-06-01T00:00:00Z",
	    "2026-06-01T18:30:00Z" },		/* a half-hour offset */
	/* spring forward, 2026-03-08 02:00 EST -> 03:00 EDT */
	{ "30 2 * * *", NY, "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z" },
	{ "30 2 * * *", NY, "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z" },
	{ "0,30 2,3 * * *", NY, "2026-03-08T05:00:00Z",
	    "2026-03-08T07:00:00Z" },		/* 02:00 02:30 03:00: once */
	{ "0,30 2,3 * * *", NY, "2026-03-08T07:00:00Z",
	    "2026-03-08T07:30:00Z" },		/* then 03:30 EDT */
	{ "* * * * *", NY, "2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z" },
	{ "* * * * *", NY, "2026-03-08T07:00:00Z", "2026-03-08T07:01:00Z" },
	{ "0 3 * * *", NY, "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z" },
	/* fall back, 2026-11-01 02:00 EDT -> 01:00 EST */
	{ "30 2 * * *", NY, "2026-10-31T12:00:00Z", "2026-11-01T07:30:00Z" },
	{ "30 2 * * *", NY, "2026-11-01T07:30:00Z", "2026-11-02T07:30:00Z" },
	{ "30 1 * * *", NY, "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z" },
	{ "30 1 * * *", NY, "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z" },
	{ "30 1 * * *", NY, "2026-11-01T06:15:00Z", "2026-11-02T06:30:00Z" },
	{ "30 1 * * *", NY, "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z" },
	{ "* * * * *", NY, "2026-11-01T05:59:00Z", "2026-11-01T07:00:00Z" },
	{ "0 * * * *", NY, "2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z" },
};

START_TEST(test_next_zoned)
{
	char	buf[40];

	ck_assert_str_eq(next(zoned[_i].expr, zoned[_i].tz,
	    at(zoned[_i].after), buf, sizeof(buf)), zoned[_i].want);
}
END_TEST

/*
 * walk - the instants of expr in [from, to) in tz, by next(); checks they
 * strictly increase.  Their count; the first few in got[].
 */
static int
walk(const char *expr, const char *tz, time_t from, time_t to, time_t *got,
    int max)
{
	struct sl_cron c;
	time_t	t = from, prev = from - 1;
	int	n = 0;

	parse(expr, &c);
	for (;;) {
		ck_assert_msg(sl_cron_next(&c, tz, t, &t) == 0, "'%s': %s",
		    expr, strerror(errno));
		ck_assert_msg(t > prev, "'%s': %lld after %lld", expr,
		    (long long)t, (long long)prev);
		if (t >= to)
			return n;
		if (n < max)
			got[n] = t;
		prev = t;
		n++;
	}
}

/* local_day - the New York date of t, "2026-03-08" */
static const char *
local_day(time_t t, char *buf, size_t len)
{
	struct tm tm;

	setenv("TZ", NY, 1);
	tzset();
	ck_assert_ptr_nonnull(localtime_r(&t, &tm));
	strftime(buf, len, "%Y-%m-%d", &tm);
	unsetenv("TZ");
	tzset();
	return buf;
}

/* count_on - instants of expr on New York's date day (from..to in UTC) */
static int
count_on(const char *expr, const char *day, const char *from, const char *to)
{
	static time_t got[4000];
	char	buf[16];
	int	n, i, k = 0;

	n = walk(expr, NY, at(from), at(to), got, 4000);
	ck_assert_int_le(n, 4000);
	for (i = 0; i < n; i++)
		k += strcmp(local_day(got[i], buf, sizeof(buf)), day) == 0;
	return k;
}

START_TEST(test_dst_one_slot_per_day)
{
	/* local 2026-03-08 is 05:00Z..04:00Z, 2026-11-01 04:00Z..05:00Z */
	ck_assert_int_eq(count_on("30 2 * * *", "2026-03-08",
	    "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"), 1);
	ck_assert_int_eq(count_on("30 2 * * *", "2026-11-01",
	    "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"), 1);
	ck_assert_int_eq(count_on("30 1 * * *", "2026-11-01",
	    "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"), 1);
	ck_assert_int_eq(count_on("30 1 * * *", "2026-03-08",
	    "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"), 1);
	/* hourly: 23 hours in spring; in the fall 01:00 once, so 24 */
	ck_assert_int_eq(count_on("0 * * * *", "2026-03-08",
	    "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"), 23);
	ck_assert_int_eq(count_on("0 * * * *", "2026-11-01",
	    "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"), 24);
	/* every minute: 23 * 60 in spring, 24 * 60 in the fall */
	ck_assert_int_eq(count_on("* * * * *", "2026-03-08",
	    "2026-03-08T00:00:00Z", "2026-03-09T12:00:00Z"), 23 * 60);
	ck_assert_int_eq(count_on("* * * * *", "2026-11-01",
	    "2026-11-01T00:00:00Z", "2026-11-02T12:00:00Z"), 24 * 60);
}
END_TEST

START_TEST(test_dst_week)
{
	static const char *const daily[] = { "30 2 * * *", "30 1 * * *",
	    "0 0 * * *", "0 3 * * *", "59 23 * * *", "0 2 * * *" };
	static const char *const starts[] = { "2026-03-05T12:00:00Z",
	    "2026-10-29T12:00:00Z" };
	char	a[16], b[16];
	time_t	got[8], s;
	size_t	i, j;
	int	k, n;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		for (j = 0; j < sizeof(daily) / sizeof(daily[0]); j++) {
			s = at(starts[i]);
			n = walk(daily[j], NY, s, s + 7 * 86400, got, 8);
			ck_assert_msg(n == 7, "'%s' from %s: %d in a week",
			    daily[j], starts[i], n);
			for (k = 1; k < n; k++) {	/* one a day */
				local_day(got[k - 1], a, sizeof(a));
				local_day(got[k], b, sizeof(b));
				ck_assert_msg(strcmp(a, b) < 0, "'%s': %s, %s",
				    daily[j], a, b);
				ck_assert_int_ge(got[k] - got[k - 1],
				    23 * 3600);
				ck_assert_int_le(got[k] - got[k - 1],
				    25 * 3600);
			}
		}
}
END_TEST

START_TEST(test_dst_strictly_increasing)
{
	static const char *const exprs[] = { "*/7 * * * *", "0,30 * * * *",
	    "15,45 1,2,3 * * *", "0 */2 * * *", "* 1-2 * * *" };
	time_t	got[1];
	size_t	i;

	/* walk() asserts every next() is after the one before */
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		walk(exprs[i], NY, at("2026-03-06T00:00:00Z"),
		    at("2026-03-11T00:00:00Z"), got, 0);
		walk(exprs[i], NY, at("2026-10-30T00:00:00Z"),
		    at("2026-11-04T00:00:00Z"), got, 0);
	}
	/* spring: 01:15 01:45, 03:00 (for 02:15 and 02:45), 03:15 03:45;
	 * fall: 01:15 01:45 (EDT, once) 02:15 02:45 03:15 03:45 */
	ck_assert_int_eq(count_on("15,45 1,2,3 * * *", "2026-03-08",
	    "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"), 5);
	ck_assert_int_eq(count_on("15,45 1,2,3 * * *", "2026-11-01",
	    "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"), 6);
}
END_TEST

START_TEST(test_tz_restored)
{
	struct sl_cron c;
	struct tm tm;
	time_t	t, zero = 0;

	parse("0 9 * * *", &c);
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	ck_assert_int_eq(sl_cron_next(&c, NY, at("2026-01-05T00:00:00Z"), &t),
	    0);
	ck_assert_int_eq(t, at("2026-01-05T14:00:00Z"));
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
	ck_assert_ptr_nonnull(localtime_r(&zero, &tm));
	ck_assert_int_eq(tm.tm_hour, 9);		/* Tokyo again */
	unsetenv("TZ");
	tzset();
	ck_assert_int_eq(sl_cron_next(&c, "Europe/Paris",
	    at("2026-01-05T00:00:00Z"), &t), 0);
	ck_assert_int_eq(t, at("2026-01-05T08:00:00Z"));
	ck_assert_ptr_null(getenv("TZ"));
	/* a refused zone leaves TZ alone */
	setenv("TZ", "Asia/Tokyo", 1);
	ck_assert_int_eq(sl_cron_next(&c, "No/Such_Zone", 0, &t), -1);
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");				/* for CK_FORK=no runs */
	tzset();
}
END_TEST

START_TEST(test_tz_ok)
{
	static const char *const yes[] = { "UTC", "Europe/Paris", NY,
	    "Asia/Kolkata", "Etc/GMT+5", "America/Argentina/Buenos_Aires" };
	static const char *const no[] = { "", "../etc/passwd", "No/Such_Zone",
	    "/usr/share/zoneinfo/UTC", "/etc/passwd", "Europe/../Europe/Paris",
	    "./UTC", "Europe//Paris", "Europe/Paris/", "America", "Europe",
	    ".", "..", "Europe/.Paris", "Europe/Paris ", "Europe/Paris\n",
	    ":Europe/Paris", "EST5EDT,M3.2.0,M11.1.0", "utc" };
	size_t	i;

	ck_assert_int_eq(sl_tz_ok(NULL), 1);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(sl_tz_ok(yes[i]), "'%s' should be a zone",
		    yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!sl_tz_ok(no[i]), "'%s' should be refused",
		    no[i]);
	/* a file under zoneinfo that is no zone */
	if (t_exists("/usr/share/zoneinfo/zone.tab"))
		ck_assert(!sl_tz_ok("zone.tab"));
}
END_TEST

Suite *
suite_cron(void)
{
	Suite  *s = suite_create("cron");
	TCase  *tc = tcase_create("cron");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_loop_test(tc, test_parse_good, 0,
	    (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_parse_err_buffer);
	tcase_add_loop_test(tc, test_next_utc, 0,
	    (int)(sizeof(utc) / sizeof(utc[0])));
	tcase_add_test(tc, test_next_or_rule);
	tcase_add_test(tc, test_next_never);
	tcase_add_test(tc, test_next_sunday_step);
	tcase_add_test(tc, test_next_args);
	tcase_add_loop_test(tc, test_next_zoned, 0,
	    (int)(sizeof(zoned) / sizeof(zoned[0])));
	tcase_add_test(tc, test_dst_one_slot_per_day);
	tcase_add_test(tc, test_dst_week);
	tcase_add_test(tc, test_dst_strictly_increasing);
	tcase_add_test(tc, test_tz_restored);
	tcase_add_test(tc, test_tz_ok);
	suite_add_tcase(s, tc);
	return s;
}
