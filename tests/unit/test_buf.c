/*
 * test_buf.c - lib/buf.c: the growing string (sl_buf_*), checked
 * allocation and path joining (sl_path).
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

START_TEST(test_buf_add)
{
	struct sl_buf b = { 0 };

	sl_buf_add(&b, "", 0);
	ck_assert_ptr_nonnull(b.s);
	ck_assert_str_eq(b.s, "");
	sl_buf_add(&b, "abcdef", 3);
	sl_buf_puts(&b, "XYZ");
	sl_buf_add(&b, "\0q", 2);		/* bytes, not a C string */
	ck_assert_uint_eq(b.len, 8);
	ck_assert_mem_eq(b.s, "abcXYZ\0q", 9);
	ck_assert_uint_gt(b.cap, b.len);
	sl_buf_free(&b);
	ck_assert_ptr_null(b.s);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	sl_buf_puts(&b, "again");		/* usable after free */
	ck_assert_str_eq(b.s, "again");
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_buf_printf_growth)
{
	struct sl_buf b = { 0 }, ref = { 0 };
	char	num[32];
	int	i;

	sl_buf_printf(&b, "%s", "");
	ck_assert_str_eq(b.s, "");
	for (i = 0; i < 10000; i++) {
		sl_buf_printf(&b, "%d,", i);
		snprintf(num, sizeof(num), "%d,", i);
		sl_buf_puts(&ref, num);
		ck_assert_uint_lt(b.len, b.cap);
	}
	ck_assert_uint_eq(b.len, ref.len);
	ck_assert_uint_eq(strlen(b.s), b.len);
	ck_assert_str_eq(b.s, ref.s);
	ck_assert(strncmp(b.s, "0,1,2,", 6) == 0);
	ck_assert_str_eq(b.s + b.len - 5, "9999,");
	/* one large append */
	sl_buf_printf(&b, "%5000s|", "x");
	ck_assert_uint_eq(b.len, ref.len + 5001);
	ck_assert_int_eq(b.s[b.len - 1], '|');
	ck_assert_int_eq(b.s[b.len - 2], 'x');
	ck_assert_int_eq(b.s[b.len], '\0');
	sl_buf_free(&b);
	sl_buf_free(&ref);
}
END_TEST

START_TEST(test_buf_mixed)
{
	struct sl_buf b = { 0 };

	sl_buf_printf(&b, "[%s]", "a");
	sl_buf_puts(&b, "b");
	sl_buf_printf(&b, "%03d", 7);
	sl_buf_add(&b, "cd", 1);
	ck_assert_str_eq(b.s, "[a]b007c");
	ck_assert_uint_eq(b.len, 8);
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_xalloc)
{
	char   *s = sl_xstrdup("hello"), *p;

	ck_assert_str_eq(s, "hello");
	s = sl_xrealloc(s, 100000);
	ck_assert_str_eq(s, "hello");
	free(s);
	p = sl_xmalloc(0);			/* never NULL */
	ck_assert_ptr_nonnull(p);
	free(p);
	s = sl_xstrdup("");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

static const struct {
	const char *a, *b, *c, *want;
} paths[] = {
	{ "a", "b", NULL, "a/b" },
	{ "a/", "b", NULL, "a/b" },
	{ "/", "b", NULL, "/b" },
	{ "/spool", "pools", "P", "/spool/pools/P" },
	{ "/spool/", "pools/", "P", "/spool/pools/P" },
	{ "a", "b/c", "d", "a/b/c/d" },
	{ "a", NULL, NULL, "a" },
	{ "a/", NULL, NULL, "a/" },
};

START_TEST(test_path)
{
	char   *p;

	if (paths[_i].b == NULL)
		p = sl_path(paths[_i].a, (char *)NULL);
	else if (paths[_i].c == NULL)
		p = sl_path(paths[_i].a, paths[_i].b, (char *)NULL);
	else
		p = sl_path(paths[_i].a, paths[_i].b, paths[_i].c,
		    (char *)NULL);
	ck_assert_str_eq(p, paths[_i].want);
	free(p);
}
END_TEST

START_TEST(test_path_many)
{
	char   *p = sl_path("/r", "pools", "P", "queues", "q", "new", "f",
	    (char *)NULL);

	ck_assert_str_eq(p, "/r/pools/P/queues/q/new/f");
	free(p);
}
END_TEST

/* datagram fields: put, then got back in order; one that does not fit
 * is not put; a field cut short (no NUL in what is left) is none */
START_TEST(test_fields)
{
	char	b[16];
	const char *f;
	size_t	at = 0, n;

	ck_assert_int_eq(sl_field_put(b, sizeof(b), &at, "ab"), 0);
	ck_assert_int_eq(sl_field_put(b, sizeof(b), &at, ""), 0);
	ck_assert_int_eq(sl_field_put(b, sizeof(b), &at, "cdef"), 0);
	ck_assert_uint_eq(at, 9);
	ck_assert_int_eq(sl_field_put(b, sizeof(b), &at, "0123456"), -1);
	ck_assert_uint_eq(at, 9);
	n = at;
	at = 0;
	ck_assert_str_eq(sl_field_get(b, n, &at), "ab");
	ck_assert_str_eq(sl_field_get(b, n, &at), "");
	ck_assert_str_eq(sl_field_get(b, n, &at), "cdef");
	ck_assert_uint_eq(at, n);
	ck_assert_ptr_null(sl_field_get(b, n, &at));	/* the end */
	at = 0;
	f = sl_field_get(b, 2, &at);			/* "ab" without NUL */
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(at, 0);
}
END_TEST

Suite *
suite_buf(void)
{
	Suite  *s = suite_create("buf");
	TCase  *tc = tcase_create("buf");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_buf_add);
	tcase_add_test(tc, test_buf_printf_growth);
	tcase_add_test(tc, test_buf_mixed);
	tcase_add_test(tc, test_xalloc);
	tcase_add_loop_test(tc, test_path, 0,
	    (int)(sizeof(paths) / sizeof(paths[0])));
	tcase_add_test(tc, test_path_many);
	tcase_add_test(tc, test_fields);
	suite_add_tcase(s, tc);
	return s;
}
