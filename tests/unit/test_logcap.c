/*
 * test_logcap.c - lib/logcap.c: log_max's sizes, and the head and tail
 * of a run's output against a reference (the first HEAD bytes, the marker
 * with the count cut, the last TAIL bytes), fed in every chunking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

START_TEST(test_size_parse)
{
	static const struct {
		const char *s;
		long long n;
	} ok[] = {
		{ "0", 0 }, { "1", 1 }, { "65536", 65536 }, { "64k", 65536 },
		{ "64K", 65536 }, { "10M", 10LL << 20 }, { "10m", 10LL << 20 },
		{ "2G", 2LL << 30 }, { "1024G", 1LL << 40 },
		{ "1099511627776", 1LL << 40 },
	};
	static const char *const bad[] = {
		"", "k", "-1", " 1", "1 ", "1.5M", "10MB", "10T", "1025G",
		"1099511627777", "99999999999999999999999", "0x10", "+5",
	};
	char	buf[32];
	long long n;
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		n = -7;
		ck_assert_msg(sl_size_parse(ok[i].s, &n) == 0, "%s", ok[i].s);
		ck_assert_msg(n == ok[i].n, "%s: %lld", ok[i].s, n);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = -7;
		ck_assert_msg(sl_size_parse(bad[i], &n) == -1, "%s", bad[i]);
		ck_assert_msg(n == -7, "%s: changed", bad[i]);
	}
	ck_assert_str_eq(sl_size_fmt(10LL << 20, buf, sizeof(buf)), "10M");
	ck_assert_str_eq(sl_size_fmt(65536, buf, sizeof(buf)), "64k");
	ck_assert_str_eq(sl_size_fmt(1536 << 10, buf, sizeof(buf)), "1536k");
	ck_assert_str_eq(sl_size_fmt(1000, buf, sizeof(buf)), "1000");
	ck_assert_str_eq(sl_size_fmt(3LL << 30, buf, sizeof(buf)), "3G");
}
END_TEST

/*
 * run - feed out (len bytes) in chunks of at most step (a varying size
 * when step is 0) under budget; the log it makes, malloc'd, in *log
 */
static size_t
run(const char *out, size_t len, long long budget, size_t step, char **log)
{
	struct sl_logcap lc;
	struct sl_buf b = { 0 };
	size_t	i = 0, k, now, turn = 0, bad = 0;

	sl_logcap_init(&lc, budget);
	while (i < len) {
		k = step ? step : 1 + (turn++ * 7919) % 3001;
		if (k > len - i)
			k = len - i;
		now = sl_logcap_feed(&lc, out + i, k);
		/* never more than given; once the head is full, nothing
		 * more of it (counted: a Check assert costs a system call) */
		bad += now > k || (now < k && lc.head != 0);
		sl_buf_add(&b, out + i, now);
		i += k;
	}
	ck_assert_uint_eq(bad, 0);
	sl_logcap_end(&lc, "64k", &b);
	ck_assert_ptr_null(lc.ring);
	*log = b.s;
	return b.len;
}

START_TEST(test_logcap_head_tail)
{
	static const size_t steps[] = { 0, 1, 13, 4096, 65536, 1 << 20 };
	static const long long budgets[] = { 64 << 10, 1000, 3, 2, 1 };
	size_t	len = (5 << 20) + 17, i, j, n, head, tail, mlen;
	char   *out = sl_xmalloc(len), *log, marker[128];
	long long cut;

	for (i = 0; i < len; i++)	/* no period a slip would hide in */
		out[i] = (char)('a' + (i * 2654435761u >> 7) % 26);
	out[0] = 'X';
	for (j = 0; j < sizeof(budgets) / sizeof(budgets[0]); j++)
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			if (steps[i] == 1 && budgets[j] > 1000)
				continue;	/* 5 M calls: slow under SAN=1 */
			n = run(out, len, budgets[j], steps[i], &log);
			tail = (size_t)(budgets[j] / 2);
			head = (size_t)budgets[j] - tail;
			cut = (long long)(len - head - tail);
			mlen = (size_t)snprintf(marker, sizeof(marker), "\nsluice: "
			    "%lld bytes of output cut here (log_max = 64k)\n",
			    cut);
			ck_assert_uint_eq(n, head + mlen + tail);
			ck_assert(memcmp(log, out, head) == 0);
			ck_assert_msg(memcmp(log + head, marker, mlen) == 0,
			    "budget %lld step %zu: marker %.*s", budgets[j],
			    steps[i], (int)mlen, log + head);
			ck_assert_msg(memcmp(log + head + mlen, out + len - tail,
			    tail) == 0, "budget %lld step %zu: tail",
			    budgets[j], steps[i]);
			free(log);
		}
	free(out);
}
END_TEST

START_TEST(test_logcap_fits)
{
	const char *out = "line one\nline two\nno newline";
	size_t	len = strlen(out), n;
	char   *log;
	long long b;

	/* output that fits the budget is the log, unchanged, at any budget
	 * from its size up, in any chunking */
	for (b = (long long)len; b < (long long)len + 4; b++) {
		n = run(out, len, b, 1, &log);
		ck_assert_uint_eq(n, len);
		ck_assert(memcmp(log, out, len) == 0);
		free(log);
		n = run(out, len, b, 0, &log);
		ck_assert_uint_eq(n, len);
		ck_assert(memcmp(log, out, len) == 0);
		free(log);
	}
	/* one byte over: one cut; the head ended a line, so no newline */
	n = run("ab\ncd", 5, 4, 1, &log);
	ck_assert_uint_eq(n, 3 + strlen("sluice: 1 bytes of output cut here "
	    "(log_max = 64k)\n") + 2 - 1 + 1);
	ck_assert(memcmp(log, "ab\nsluice: 1 bytes", 18) == 0);
	ck_assert(memcmp(log + n - 2, "cd", 2) == 0);
	free(log);
}
END_TEST

START_TEST(test_logcap_zero_budget)
{
	struct sl_logcap lc;
	struct sl_buf b = { 0 };

	/* an earlier attempt used the budget: only the marker */
	sl_logcap_init(&lc, 0);
	ck_assert_uint_eq(sl_logcap_feed(&lc, "hello", 5), 0);
	ck_assert_ptr_null(lc.ring);
	sl_logcap_end(&lc, "1M", &b);
	ck_assert_str_eq(b.s, "sluice: 5 bytes of output cut here "
	    "(log_max = 1M)\n");
	sl_buf_free(&b);
	/* nothing at all: nothing */
	sl_logcap_init(&lc, 0);
	sl_logcap_end(&lc, "1M", &b);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(test_logcap_tail_max)
{
	struct sl_logcap lc;

	/* the tail, held in memory, is bounded; the head takes the rest */
	sl_logcap_init(&lc, 1LL << 40);
	ck_assert_uint_eq(lc.tailmax, (size_t)SL_LOGCAP_TAIL_MAX);
	ck_assert(lc.head == (1LL << 40) - SL_LOGCAP_TAIL_MAX);
	sl_logcap_init(&lc, 10LL << 20);
	ck_assert_uint_eq(lc.tailmax, (size_t)(5 << 20));
	ck_assert(lc.head == 5 << 20);
}
END_TEST

Suite *
suite_logcap(void)
{
	Suite  *s = suite_create("logcap");
	TCase  *tc = tcase_create("logcap");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_size_parse);
	tcase_add_test(tc, test_logcap_head_tail);
	tcase_add_test(tc, test_logcap_fits);
	tcase_add_test(tc, test_logcap_zero_budget);
	tcase_add_test(tc, test_logcap_tail_max);
	suite_add_tcase(s, tc);
	return s;
}
