/*
 * test_endword.c - lib/endword.c: the word a supervisor sends its agent
 * at its run's end: what it writes is read back the same, whatever the
 * message holds; it always fits one atomic pipe write; and a line that is
 * not a word (a bad token, state or code, a field missing) is refused.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define TOK	"0000000065f0a1b2.0000000000000001." \
		"3f2b8c1e-9a4d-4e2f-8b1a-0c9d8e7f6a5b"

/* round - fmt then parse (without the newline) */
static void
round_trip(const char *state, int code, const char *msg,
    struct sl_endword *w)
{
	char	buf[SL_ENDWORD_MAX];
	size_t	n;

	n = sl_endword_fmt(buf, sizeof(buf), TOK, state, code, msg);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, SL_ENDWORD_MAX - 1);
	ck_assert_uint_eq(strlen(buf), n);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_ptr_null(memchr(buf, '\n', n - 1));
	ck_assert_int_eq(sl_endword_parse(buf, n - 1, w), 0);
	ck_assert_str_eq(w->token, TOK);
	ck_assert_str_eq(w->state, state);
}

START_TEST(test_endword_round_trip)
{
	static const char *const states[] = { "Completed", "Failed",
	    "Crashed", "Cancelled", "AwaitingRetry", "?", "Started",
	    "NotStarted", "Idle" };
	struct sl_endword w;
	char	big[2000];
	size_t	i;

	ck_assert_int_lt(SL_ENDWORD_MAX, PIPE_BUF + 1);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		round_trip(states[i], 3, "it said so", &w);
		ck_assert_int_eq(w.code, 3);
		ck_assert_str_eq(w.msg, "it said so");
	}
	round_trip("Completed", 0, NULL, &w);
	ck_assert_int_eq(w.code, 0);
	ck_assert_str_eq(w.msg, "");
	round_trip("Crashed", -1, "", &w);
	ck_assert_int_eq(w.code, -1);
	round_trip("Failed", -7, "x", &w);	/* any negative: none */
	ck_assert_int_eq(w.code, -1);
	round_trip("Failed", 255, "a  b ", &w);	/* spaces kept */
	ck_assert_str_eq(w.msg, "a  b ");
	round_trip("Started", 70000, "jolly-otter", &w);	/* an attempt */
	ck_assert_int_eq(w.code, 70000);
	/* control characters are spaces: one line, always */
	round_trip("Crashed", 1, "two\nlines\r\tand\x7f" "del", &w);
	ck_assert_str_eq(w.msg, "two lines  and del");
	/* non-ASCII passes as is */
	round_trip("Failed", 1, "caf\xc3\xa9", &w);
	ck_assert_str_eq(w.msg, "caf\xc3\xa9");
	/* a long message is cut to fit one atomic write */
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	round_trip("Crashed", 9, big, &w);
	ck_assert_uint_gt(strlen(w.msg), 300);
	ck_assert_uint_lt(strlen(w.msg), SL_ENDWORD_MAX);
	ck_assert_int_eq(strspn(w.msg, "m"), strlen(w.msg));
}
END_TEST

START_TEST(test_endword_refused)
{
	static const char *const bad[] = {
		"",
		" Completed 0 ",
		TOK,
		TOK " Completed",
		TOK " Completed 0",		/* no space before the message */
		TOK " Running 0 x",		/* not an end */
		TOK " Scheduled 0 x",
		TOK " Rejected 0 x",
		TOK " completed 0 x",
		TOK "  Completed 0 x",
		TOK " Completed  0 x",
		TOK " Completed x x",
		TOK " Completed 2147483648 x",
		TOK " Completed +1 x",
		TOK " Completed -2 x",
		TOK " Completed 1e3 x",
		TOK " Completed 99999999999999999999 x",
		"not-a-token Completed 0 x",
		"../x Completed 0 x",
		"0000000065f0a1b2.0000000000000001.nope Completed 0 x",
	};
	struct sl_endword w;
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(sl_endword_parse(bad[i], strlen(bad[i]), &w) < 0,
		    "took '%s'", bad[i]);
	/* the length given is the line: what follows is not read */
	ck_assert_int_eq(sl_endword_parse(TOK " Completed 0 x\nrest",
	    strlen(TOK " Completed 0 x"), &w), 0);
	ck_assert_str_eq(w.msg, "x");
	/* every prefix of a word is refused or a shorter message */
	{
		char	buf[SL_ENDWORD_MAX];
		size_t	n = sl_endword_fmt(buf, sizeof(buf), TOK, "Failed", 2,
		    "because"), k;

		for (k = 0; k < n - 1; k++) {
			int	rc = sl_endword_parse(buf, k, &w);

			ck_assert(rc < 0 || (strcmp(w.state, "Failed") == 0 &&
			    w.code == 2 && strlen(w.msg) < strlen("because")));
		}
	}
}
END_TEST

Suite *
suite_endword(void)
{
	Suite  *s = suite_create("endword");
	TCase  *tc = tcase_create("endword");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_endword_round_trip);
	tcase_add_test(tc, test_endword_refused);
	suite_add_tcase(s, tc);
	return s;
}
