/*
 * test_names.c - lib/names.c: sl_name_ok / sl_name_why (sluice(1), "Names":
 * [A-Za-z0-9][A-Za-z0-9._-]{0,63}), sl_slug (adjective-animal), and the
 * names of run directories (tokens, in-flight, done, private) with the one
 * parser from a state directory's entry to a run.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const char *const good[] = {
	"a", "A", "0", "A-b.c_d", "default-agent-pool", "9lives", "a..b",
	"x-", "x.", "x_", "CamelCase", "v0000000001.ini",
};

static const char *const bad[] = {
	"", ".", "..", ".hidden", "-x", "_x", "a/b", "/a", "a b", " a", "a ",
	"a\n", "a\t", "é", "caf\xc3\xa9", "a\xff", "a:b", "a*", "a$b", "--json",
	"a\\b",
};

START_TEST(test_name_valid)
{
	const char *s = good[_i];

	ck_assert_msg(sl_name_ok(s), "'%s' should be a valid name", s);
	ck_assert_ptr_null(sl_name_why(s));
}
END_TEST

START_TEST(test_name_invalid)
{
	const char *s = bad[_i];
	const char *why = sl_name_why(s);

	ck_assert_msg(!sl_name_ok(s), "'%s' should be refused", s);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strlen(why) > 5, "the reason should be a phrase: '%s'",
	    why);
}
END_TEST

START_TEST(test_name_null)
{
	ck_assert(!sl_name_ok(NULL));
	ck_assert_ptr_nonnull(sl_name_why(NULL));
}
END_TEST

START_TEST(test_name_length)
{
	char	s[SL_NAME_MAX + 2];

	memset(s, 'a', sizeof(s));
	s[SL_NAME_MAX] = '\0';			/* 64 characters */
	ck_assert_uint_eq(strlen(s), 64);
	ck_assert(sl_name_ok(s));
	s[SL_NAME_MAX] = 'a';
	s[SL_NAME_MAX + 1] = '\0';		/* 65 */
	ck_assert(!sl_name_ok(s));
	ck_assert_ptr_nonnull(strstr(sl_name_why(s), "64"));
}
END_TEST

START_TEST(test_name_reasons)
{
	ck_assert_str_eq(sl_name_why(""), "is empty");
	ck_assert_ptr_nonnull(strstr(sl_name_why(".x"), "start"));
	ck_assert_ptr_nonnull(strstr(sl_name_why("a/b"), "only"));
}
END_TEST

/* shape - [a-z]+-[a-z]+ */
static int
slug_shape(const char *s)
{
	const char *p = s;
	int	words = 0;

	for (;;) {
		if (*p < 'a' || *p > 'z')
			return 0;
		while (*p >= 'a' && *p <= 'z')
			p++;
		words++;
		if (*p == '\0')
			return words == 2;
		if (*p != '-' || words > 1)
			return 0;
		p++;
	}
}

START_TEST(test_slug_shape)
{
	char	s[SL_NAME_MAX + 1], first[SL_NAME_MAX + 1];
	int	i, differ = 0;

	ck_assert(slug_shape("brave-otter"));
	ck_assert(!slug_shape("brave-"));
	ck_assert(!slug_shape("brave-ot-ter"));
	ck_assert(!slug_shape("Brave-otter"));
	sl_slug(first, sizeof(first));
	for (i = 0; i < 500; i++) {
		sl_slug(s, sizeof(s));
		ck_assert_msg(slug_shape(s), "slug '%s' is not word-word", s);
		ck_assert_msg(sl_name_ok(s), "slug '%s' is not a valid name", s);
		differ += strcmp(s, first) != 0;
	}
	ck_assert_msg(differ > 400, "slugs are not random: %d of 500 differ "
	    "from '%s'", differ, first);
}
END_TEST

START_TEST(test_slug_truncates)
{
	char	s[6];

	memset(s, 'X', sizeof(s));
	sl_slug(s, sizeof(s));
	ck_assert_uint_eq(strlen(s), 5);	/* cut, and terminated */
}
END_TEST

#define ID	"0b9e3c7e-8d2a-4f4e-9c1a-2b3c4d5e6f70"

/* T.U.ID: 16 hex digits each, so byte order is (scheduled, submitted) */
START_TEST(test_token_roundtrip)
{
	char	tok[SL_TOKEN_LEN + 1], a[SL_TOKEN_LEN + 1], id[SL_UUID_LEN + 1];
	time_t	t;

	sl_token_make(tok, 1764680000, 1764680000123456ULL, ID);
	ck_assert_str_eq(tok, "00000000692ee140.000644f7948cb240." ID);
	ck_assert_int_eq(strlen(tok), SL_TOKEN_LEN);
	ck_assert_int_eq(sl_token_parse(tok, &t, id), 0);
	ck_assert_int_eq(t, 1764680000);
	ck_assert_str_eq(id, ID);
	sl_token_make(a, 1764680000, 1764680000123457ULL, ID);
	ck_assert_int_lt(strcmp(tok, a), 0);
	tok[3] = 'G';
	ck_assert_int_eq(sl_token_parse(tok, NULL, NULL), -1);
	ck_assert_int_eq(sl_token_parse("x", NULL, NULL), -1);
}
END_TEST

/*
 * sl_token_parse refuses every proper prefix of a token and the token
 * with anything after it, reading no byte past a NUL (each prefix in a
 * buffer of its own size: ASan fails an over-read), and reads T back
 * at the edges of its range
 */
START_TEST(test_token_parse_edges)
{
	char	tok[SL_TOKEN_LEN + 2], *p;
	time_t	t;
	size_t	n;

	sl_token_make(tok, 1764680000, 1764680000123456ULL, ID);
	for (n = 0; n < SL_TOKEN_LEN; n++) {
		p = malloc(n + 1);
		memcpy(p, tok, n);
		p[n] = '\0';
		ck_assert_msg(sl_token_parse(p, &t, NULL) == -1,
		    "a prefix of %zu taken", n);
		free(p);
	}
	strcat(tok, "0");
	ck_assert_int_eq(sl_token_parse(tok, NULL, NULL), -1);
	sl_token_make(tok, 0, 0, ID);
	ck_assert_int_eq(sl_token_parse(tok, &t, NULL), 0);
	ck_assert_int_eq(t, 0);
	sl_token_make(tok, (time_t)0x7fffffffffffffffLL, 0, ID);
	ck_assert_int_eq(sl_token_parse(tok, &t, NULL), 0);
	ck_assert(t == (time_t)0x7fffffffffffffffLL);
	sl_token_make(tok, (time_t)0xfedcba9876543210LL & 0x7fffffffffffffffLL,
	    1, ID);
	ck_assert_int_eq(sl_token_parse(tok, &t, NULL), 0);
	ck_assert(t == (time_t)0x7edcba9876543210LL);
	tok[16] = '-';
	ck_assert_int_eq(sl_token_parse(tok, NULL, NULL), -1);
}
END_TEST

START_TEST(test_done_and_private_names)
{
	char	n[SL_RUNNAME_MAX], id[SL_UUID_LEN + 1];
	enum sl_state st;
	time_t	born;

	sl_done_name(n, ID, SL_CRASHED);
	ck_assert_str_eq(n, ID ".Crashed");
	ck_assert_int_eq(sl_done_parse(n, id, &st), 0);
	ck_assert_int_eq(st, SL_CRASHED);
	ck_assert_int_eq(sl_done_parse(ID ".Running", id, &st), -1);
	ck_assert_int_eq(sl_done_parse(ID, id, &st), -1);
	sl_private_name(n, 0x1234, ID, ID);
	ck_assert_str_eq(n, "0000000000001234." ID "." ID);
	ck_assert_int_eq(sl_private_parse(n, &born), 0);
	ck_assert_int_eq(born, 0x1234);
	/* E.ID, as older versions made them */
	ck_assert_int_eq(sl_private_parse("0000000000001234." ID, &born), 0);
	ck_assert_int_eq(sl_private_parse("0000000000001234.x", &born), -1);
	ck_assert_int_eq(sl_private_parse("000000000000123Z." ID, &born), -1);
}
END_TEST

/* the one parser: an entry of each state directory, and what is not a run */
START_TEST(test_run_entry)
{
	char	tok[SL_TOKEN_LEN + 1], id[SL_UUID_LEN + 1], *f, *base;
	enum sl_state st;

	sl_token_make(tok, 100, 200, ID);
	f = sl_flight_name("/d", "claim", 300, tok);
	base = strrchr(f, '/') + 1;
	ck_assert_int_eq(sl_run_entry(SL_PL_SCHED, tok, id, &st), 1);
	ck_assert_int_eq(st, SL_SCHEDULED);
	ck_assert_str_eq(id, ID);
	/* a run between two renames is not Scheduled in sched/ ... */
	ck_assert_int_eq(sl_run_entry(SL_PL_SCHED, base, id, &st), 0);
	/* ... but counts where it is in flight */
	memset(id, 0, sizeof(id));
	ck_assert_int_eq(sl_run_entry(SL_PL_PENDING, base, id, &st), 1);
	ck_assert_int_eq(st, SL_PENDING);
	ck_assert_str_eq(id, ID);
	ck_assert_int_eq(sl_run_entry(SL_PL_RUNNING, tok, id, &st), 1);
	ck_assert_int_eq(st, SL_RUNNING);
	ck_assert_int_eq(sl_run_entry(SL_PL_DONE, ID ".Completed", id, &st), 1);
	ck_assert_int_eq(st, SL_COMPLETED);
	ck_assert_int_eq(sl_run_entry(SL_PL_DONE, tok, id, &st), 0);
	ck_assert_int_eq(sl_run_entry(SL_PL_REJECTED, ID, id, &st), 1);
	ck_assert_int_eq(st, SL_REJECTED);
	ck_assert_int_eq(sl_run_entry(SL_PL_REJECTED, tok, id, &st), 0);
	/* what sluice ignores, and never deletes */
	ck_assert_int_eq(sl_run_entry(SL_PL_RUNNING, ".nfs0001", id, &st), 0);
	ck_assert_int_eq(sl_run_entry(SL_PL_RUNNING, "..", id, &st), 0);
	ck_assert_int_eq(sl_run_entry(SL_PL_TMP, tok, id, &st), 0);
	free(f);
}
END_TEST

Suite *
suite_names(void)
{
	Suite  *s = suite_create("names");
	TCase  *tc = tcase_create("names");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_loop_test(tc, test_name_valid, 0,
	    (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_loop_test(tc, test_name_invalid, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_name_null);
	tcase_add_test(tc, test_name_length);
	tcase_add_test(tc, test_name_reasons);
	tcase_add_test(tc, test_slug_shape);
	tcase_add_test(tc, test_slug_truncates);
	tcase_add_test(tc, test_token_roundtrip);
	tcase_add_test(tc, test_token_parse_edges);
	tcase_add_test(tc, test_done_and_private_names);
	tcase_add_test(tc, test_run_entry);
	suite_add_tcase(s, tc);
	return s;
}
