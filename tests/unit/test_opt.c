/*
 * test_opt.c - lib/opt.c: options read one word at a time: --opt=VALUE,
 * --opt VALUE, -x VALUE, flags, "--", arguments, options not allowed
 * here, and the messages of a missing or empty value as each program
 * names the option.
 */
#include <string.h>

#include "tests.h"

enum { T_SPOOL, T_POOL, T_JSON, T_LIMIT, T_L, T_NOPT };

static const struct sl_opt topts[T_NOPT] = {
	[T_SPOOL] = { "--spool", NULL, 1 },
	[T_POOL] = { "--pool", "-p", 1 },
	[T_JSON] = { "--json", "-j", 0 },
	[T_LIMIT] = { "--limit", NULL, 1 },
	[T_L] = { NULL, "-l", 1 },
};

/* parse - the first word of the NULL-ended words, read with flags */
static int
parse(struct sl_optget *g, int flags, char **words)
{
	int	n = 0;

	while (words[n] != NULL)
		n++;
	sl_opt_init(g, topts, T_NOPT, flags, n, words);
	g->i = 0;
	return sl_opt_next(g);
}

/* msg - the message of the first word of words, read with flags */
static const char *
msg(struct sl_optget *g, int flags, char **words)
{
	int	o = parse(g, flags, words);

	ck_assert_msg(o == SL_OPT_BAD || o == SL_OPT_UNKNOWN, "%s: got %d",
	    words[0], o);
	return g->err;
}

START_TEST(test_opt_is)
{
	ck_assert(sl_opt_is("-p"));
	ck_assert(sl_opt_is("--pool"));
	ck_assert(sl_opt_is("--"));
	ck_assert(!sl_opt_is("-"));
	ck_assert(!sl_opt_is("-1"));
	ck_assert(!sl_opt_is(""));
	ck_assert(!sl_opt_is("p"));
}
END_TEST

START_TEST(test_opt_find)
{
	const char *inl;

	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "--pool", &inl), T_POOL);
	ck_assert_ptr_null(inl);
	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "--pool=a=b", &inl),
	    T_POOL);
	ck_assert_str_eq(inl, "a=b");
	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "-p", &inl), T_POOL);
	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "-l", &inl), T_L);
	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "--json=1", &inl), -1);
	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "--poolx", &inl), -1);
	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "-p=x", &inl), -1);
	ck_assert_int_eq(sl_opt_find(topts, T_NOPT, "--", &inl), -1);
}
END_TEST

START_TEST(test_opt_values)
{
	char   *w1[] = { "--pool=a", NULL }, *w2[] = { "--pool", "-b", NULL };
	char   *w3[] = { "-p", "--json", NULL }, *w4[] = { "-j", NULL };
	char   *w5[] = { "--pool=", NULL };
	struct sl_optget g;

	ck_assert_int_eq(parse(&g, 0, w1), T_POOL);
	ck_assert_str_eq(g.val, "a");
	ck_assert_int_eq(parse(&g, 0, w2), T_POOL);
	ck_assert_str_eq(g.val, "-b");		/* whatever it looks like */
	ck_assert_int_eq(g.i, 2);
	ck_assert_int_eq(parse(&g, 0, w3), T_POOL);
	ck_assert_str_eq(g.val, "--json");
	ck_assert_int_eq(parse(&g, 0, w4), T_JSON);
	ck_assert_str_eq(g.val, "");		/* a flag */
	ck_assert_int_eq(parse(&g, 0, w5), SL_OPT_BAD);
}
END_TEST

START_TEST(test_opt_walk)
{
	char   *w[] = { "prog", "a", "-1", "--json", "-p", "x", "--", "-p",
	    "b", NULL };
	struct sl_optget g;
	int	want[] = { SL_OPT_ARG, SL_OPT_ARG, T_JSON, T_POOL, SL_OPT_END };
	size_t	k;

	sl_opt_init(&g, topts, T_NOPT, SL_OPT_DASHDASH, 9, w);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		ck_assert_int_eq(sl_opt_next(&g), want[k]);
	ck_assert_int_eq(g.i, 7);		/* after "--": the caller's */
	/* without SL_OPT_DASHDASH, "--" is unknown; reading goes on */
	sl_opt_init(&g, topts, T_NOPT, 0, 9, w);
	g.i = 6;
	ck_assert_int_eq(sl_opt_next(&g), SL_OPT_UNKNOWN);
	ck_assert_str_eq(g.err, "unknown argument '--'");
	ck_assert_int_eq(sl_opt_next(&g), T_POOL);
	ck_assert_str_eq(g.val, "b");
	ck_assert_int_eq(sl_opt_next(&g), SL_OPT_END);
	ck_assert_int_eq(sl_opt_next(&g), SL_OPT_END);
}
END_TEST

START_TEST(test_opt_unknown)
{
	char   *w1[] = { "--bogus=1", NULL }, *w2[] = { "foo", NULL };
	char   *w3[] = { "--json=1", NULL }, *w4[] = { "--pool", NULL };
	struct sl_optget g;

	ck_assert_str_eq(msg(&g, 0, w1), "unknown argument '--bogus=1'");
	ck_assert_int_eq(parse(&g, 0, w2), SL_OPT_ARG);
	ck_assert_str_eq(msg(&g, SL_OPT_NOARGS, w2), "unknown argument 'foo'");
	ck_assert_str_eq(msg(&g, 0, w3), "unknown argument '--json=1'");
	/* not allowed here: unknown, before its value is looked for */
	sl_opt_init(&g, topts, T_NOPT, 0, 1, w4);
	g.i = 0;
	g.allow = 1UL << T_JSON;
	ck_assert_int_eq(sl_opt_next(&g), SL_OPT_UNKNOWN);
	ck_assert_str_eq(g.word, "--pool");
}
END_TEST

/* how sluice (long), sluice-agent (short) and sluice-dispatch (as given)
 * name an option whose value is missing or empty */
START_TEST(test_opt_messages)
{
	char   *p[] = { "-p", NULL }, *pool[] = { "--pool", NULL };
	char   *pool_eq[] = { "--pool=", NULL }, *pool_e[] = { "--pool", "", NULL };
	char   *lim_eq[] = { "--limit=", NULL }, *l[] = { "-l", NULL };
	char   *sp_eq[] = { "--spool=", NULL };
	struct sl_optget g;

	ck_assert_str_eq(msg(&g, SL_OPT_SAYLONG, p), "option --pool needs a "
	    "value");
	ck_assert_str_eq(msg(&g, SL_OPT_SAYLONG, pool_eq), "option --pool "
	    "needs a value, not an empty string");
	ck_assert_str_eq(msg(&g, SL_OPT_SAYSHORT, pool), "option -p needs a "
	    "value");
	ck_assert_str_eq(msg(&g, SL_OPT_SAYSHORT, pool_e), "option -p needs a "
	    "value, not an empty string");
	ck_assert_str_eq(msg(&g, SL_OPT_SAYSHORT, lim_eq), "option --limit "
	    "needs a value, not an empty string");
	ck_assert_str_eq(msg(&g, SL_OPT_SAYSHORT, l), "option -l needs a value");
	ck_assert_str_eq(msg(&g, 0, pool), "option --pool needs a value");
	ck_assert_str_eq(msg(&g, 0, pool_e), "option --pool needs a value, "
	    "not an empty string");
	ck_assert_str_eq(msg(&g, 0, pool_eq), "option -p needs a value, not "
	    "an empty string");
	ck_assert_str_eq(msg(&g, 0, sp_eq), "option --spool needs a value, "
	    "not an empty string");
}
END_TEST

Suite *
suite_opt(void)
{
	Suite  *s = suite_create("opt");
	TCase  *tc = tcase_create("opt");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_opt_is);
	tcase_add_test(tc, test_opt_find);
	tcase_add_test(tc, test_opt_values);
	tcase_add_test(tc, test_opt_walk);
	tcase_add_test(tc, test_opt_unknown);
	tcase_add_test(tc, test_opt_messages);
	suite_add_tcase(s, tc);
	return s;
}
