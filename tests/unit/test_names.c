/*
 * test_names.c - lib/names.c: sl_name_ok / sl_name_why (sluice(1), "Names":
 * [A-Za-z0-9][A-Za-z0-9._-]{0,63}) and sl_slug (adjective-animal).
 */
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
	suite_add_tcase(s, tc);
	return s;
}
