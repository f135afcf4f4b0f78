/*
 * test_pretty.c - lib/pretty.c: inspect's text from an object's JSON,
 * against what Python's repr writes for the same values (the expected
 * strings below are repr()'s output, taken from python3), and refusal of
 * everything that is not one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* one (JSON value, Python repr) pair, as a one-member object */
static void
check_value(const char *json, const char *repr)
{
	struct sl_buf in = { 0 }, out = { 0 }, want = { 0 };

	sl_buf_printf(&in, "{\"v\":%s}", json);
	sl_buf_printf(&want, "T(\n    v=%s,\n)\n", repr);
	ck_assert_msg(sl_pretty(&out, "T", in.s) == 0, "refused %s", json);
	ck_assert_msg(strcmp(out.s, want.s) == 0, "%s: got %s want %s", json,
	    out.s, want.s);
	sl_buf_free(&in);
	sl_buf_free(&out);
	sl_buf_free(&want);
}

START_TEST(test_pretty_values)
{
	static const char *const v[][2] = {
		{ "\"plain\"", "'plain'" },
		{ "\"it's\"", "\"it's\"" },
		{ "\"say \\\"hi\\\"\"", "'say \"hi\"'" },
		{ "\"both ' and \\\"\"", "'both \\' and \"'" },
		{ "\"back\\\\slash\"", "'back\\\\slash'" },
		{ "\"tab\\there\\nnl\\rcr\"", "'tab\\there\\nnl\\rcr'" },
		{ "\"\\u0001\\u007f\\b\\f\"", "'\\x01\\x7f\\x08\\x0c'" },
		{ "\"caf\\u00e9 \\u65e5\\u672c\"", "'caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac'" },
		{ "\"caf\xc3\xa9\"", "'caf\xc3\xa9'" },
		{ "\"\\u0085c1\"", "'\\x85c1'" },
		{ "\"nul\\u0000x\"", "'nul\\x00x'" },
		{ "\"\\ud83d\\ude00\"", "'\xf0\x9f\x98\x80'" },
		{ "\"\\ud83d alone\"", "'\xef\xbf\xbd alone'" },
		{ "\"a\\/b\"", "'a/b'" },
		{ "\"\"", "''" },
		{ "null", "None" }, { "true", "True" }, { "false", "False" },
		{ "0", "0" }, { "-12", "-12" }, { "3.5e-2", "3.5e-2" },
		{ "[]", "[]" }, { "{}", "{}" },
		{ "[\"a\",\"b\"]", "['a', 'b']" },
		{ "[1, [2, null], {\"k\": true}]", "[1, [2, None], {'k': True}]" },
		{ "{\"Scheduled\":4,\"Late\":1}", "{'Scheduled': 4, 'Late': 1}" },
		{ "{\"it's\":\"x\"}", "{\"it's\": 'x'}" },
		{ "{\"\":1}", "{'': 1}" },
	};
	size_t	i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_value(v[i][0], v[i][1]);
}
END_TEST

START_TEST(test_pretty_object)
{
	struct sl_buf out = { 0 };

	sl_buf_puts(&out, "before\n");
	ck_assert_int_eq(sl_pretty(&out, "WorkPool", " {\"name\":\"p\", "
	    "\"paused\":false,\"concurrency_limit\":null,\"queues\":"
	    "[\"default\",\"low\"],\"runs\":{\"Scheduled\":4}}\n"), 0);
	ck_assert_str_eq(out.s, "before\nWorkPool(\n    name='p',\n"
	    "    paused=False,\n    concurrency_limit=None,\n"
	    "    queues=['default', 'low'],\n    runs={'Scheduled': 4},\n)\n");
	out.len = 0;
	ck_assert_int_eq(sl_pretty(&out, "E", "{}"), 0);
	ck_assert_str_eq(out.s, "E(\n)\n");
	sl_buf_free(&out);
}
END_TEST

START_TEST(test_pretty_refused)
{
	static const char *const bad[] = {
		"", "[]", "\"s\"", "null", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
		"{\"a\":1} x", "{\"a\":1}{}", "{a:1}", "{\"\":1}", "{\"a b\":1}",
		"{\"a\":\"x}", "{\"a\":\"x\\\"}", "{\"a\":\"\\q\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\x01\"}",
		"{\"a\":tru}", "{\"a\":nul}", "{\"a\":01}", "{\"a\":1.}",
		"{\"a\":-}", "{\"a\":1e}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
		"{\"a\":{\"k\" 1}}", "{\"a\":{1:2}}", "{\"a\":[", "{\"a\":\"\\",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	};
	struct sl_buf out = { 0 };
	size_t	i;

	sl_buf_puts(&out, "kept");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sl_pretty(&out, "T", bad[i]) == -1, "took %s",
		    bad[i]);
		ck_assert_msg(strcmp(out.s, "kept") == 0, "%s: wrote", bad[i]);
	}
	sl_buf_free(&out);
}
END_TEST

/* every prefix of a valid object: each refused, none read past its end
 * (ASan and valgrind see the copies' exact sizes) */
START_TEST(test_pretty_prefixes)
{
	static const char js[] = "{\"a\":\"x\\u00e9\\ud83d\\ude00\\n\","
	    "\"b\":[1,-2.5e+3,true,false,null,{\"c\":\"d\"}]}";
	struct sl_buf out = { 0 };
	size_t	n;
	char   *p;

	for (n = 0; n < sizeof(js) - 1; n++) {
		p = sl_xmalloc(n + 1);
		memcpy(p, js, n);
		p[n] = '\0';
		ck_assert_msg(sl_pretty(&out, "T", p) == -1, "took %s", p);
		free(p);
	}
	ck_assert_int_eq(sl_pretty(&out, "T", js), 0);
	ck_assert_str_eq(out.s, "T(\n    a='x\xc3\xa9\xf0\x9f\x98\x80\\n',\n"
	    "    b=[1, -2.5e+3, True, False, None, {'c': 'd'}],\n)\n");
	sl_buf_free(&out);
}
END_TEST

Suite *
suite_pretty(void)
{
	Suite  *s = suite_create("pretty");
	TCase  *tc = tcase_create("pretty");

	tcase_add_test(tc, test_pretty_values);
	tcase_add_test(tc, test_pretty_object);
	tcase_add_test(tc, test_pretty_refused);
	tcase_add_test(tc, test_pretty_prefixes);
	suite_add_tcase(s, tc);
	return s;
}
