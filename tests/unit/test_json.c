/*
 * test_json.c - lib/json.c: JSON string escaping (RFC 8259), replacement
 * of invalid UTF-8 by U+FFFD, keys, times and nullable numbers.
 */
#include <string.h>

#include "tests.h"

/* str - sl_json_str(s) as a string (static buffer) */
static const char *
str(const char *s)
{
	static char out[1024];
	struct sl_buf b = { 0 };

	sl_json_str(&b, s);
	ck_assert_uint_eq(strlen(b.s), b.len);
	ck_assert_uint_lt(b.len, sizeof(out));
	memcpy(out, b.s, b.len + 1);
	sl_buf_free(&b);
	return out;
}

static const struct {
	const char *in, *out;
} cases[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "C:\\dir", "\"C:\\\\dir\"" },
	{ "a\nb", "\"a\\nb\"" },
	{ "a\tb", "\"a\\tb\"" },
	{ "a\rb", "\"a\\rb\"" },
	{ "\b\f", "\"\\b\\f\"" },
	{ "\x01", "\"\\u0001\"" },
	{ "\x1f", "\"\\u001f\"" },
	{ "\x1b[0m", "\"\\u001b[0m\"" },
	{ "\x7f", "\"\\u007f\"" },			/* DEL */
	{ " ~/", "\" ~/\"" },				/* printable kept */
	/* valid UTF-8 passes through unchanged */
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },		/* é, 2 bytes */
	{ "\xc2\x80", "\"\xc2\x80\"" },			/* U+0080, lowest 2-byte */
	{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },		/* €, 3 bytes */
	{ "\xef\xbf\xbf", "\"\xef\xbf\xbf\"" },		/* U+FFFF */
	{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },	/* emoji, 4 bytes */
	{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },	/* U+10FFFF */
	/* invalid bytes: each becomes \ufffd */
	{ "\xff", "\"\\ufffd\"" },
	{ "a\xffz", "\"a\\ufffdz\"" },
	{ "\xfe\xfe", "\"\\ufffd\\ufffd\"" },
	{ "\x80", "\"\\ufffd\"" },			/* lone continuation */
	{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },		/* truncated, at end */
	{ "\xe2\x82z", "\"\\ufffd\\ufffdz\"" },		/* truncated, then ASCII */
	{ "\xc3", "\"\\ufffd\"" },
	{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },		/* overlong '/' */
	{ "\xc1\xbf", "\"\\ufffd\\ufffd\"" },		/* overlong */
	{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },	/* overlong 3-byte */
	{ "\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate D800 */
	{ "\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate DFFF */
	{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > 10FFFF */
	{ "\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "\xed\x9f\xbf", "\"\xed\x9f\xbf\"" },		/* U+D7FF is fine */
};

START_TEST(test_json_str)
{
	ck_assert_str_eq(str(cases[_i].in), cases[_i].out);
}
END_TEST

START_TEST(test_json_null)
{
	ck_assert_str_eq(str(NULL), "null");
}
END_TEST

/* every byte 1..255 alone gives printable ASCII or valid UTF-8 only */
START_TEST(test_json_all_bytes)
{
	char	in[2] = { 0, 0 };
	const unsigned char *p;
	int	c;

	for (c = 1; c < 256; c++) {
		in[0] = (char)c;
		for (p = (const unsigned char *)str(in); *p != '\0'; p++)
			ck_assert_msg(*p >= 0x20 && *p < 0x7f,
			    "byte 0x%02x gave a raw byte 0x%02x", c, *p);
	}
}
END_TEST

START_TEST(test_json_appends)
{
	struct sl_buf b = { 0 };

	sl_buf_puts(&b, "[");
	sl_json_str(&b, "a");
	sl_buf_puts(&b, ",");
	sl_json_str(&b, NULL);
	sl_buf_puts(&b, "]");
	ck_assert_str_eq(b.s, "[\"a\",null]");
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_json_key)
{
	struct sl_buf b = { 0 };
	int	first = 1;

	sl_buf_puts(&b, "{");
	sl_json_key(&b, &first, "name");
	ck_assert_int_eq(first, 0);
	sl_json_str(&b, "P");
	sl_json_key(&b, &first, "paused");
	sl_buf_puts(&b, "false");
	sl_json_key(&b, &first, "we\"ird");
	sl_json_long(&b, 3, 0);
	sl_buf_puts(&b, "}");
	ck_assert_str_eq(b.s,
	    "{\"name\":\"P\",\"paused\":false,\"we\\\"ird\":3}");
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_json_time)
{
	struct sl_buf b = { 0 };

	sl_json_time(&b, 0);
	ck_assert_str_eq(b.s, "null");
	b.len = 0;
	sl_json_time(&b, 1795874400);
	ck_assert_str_eq(b.s, "\"2026-11-28T14:00:00Z\"");
	b.len = 0;
	sl_json_time(&b, 1);
	ck_assert_str_eq(b.s, "\"1970-01-01T00:00:01Z\"");
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_json_long)
{
	struct sl_buf b = { 0 };

	sl_json_long(&b, 5, 1);
	ck_assert_str_eq(b.s, "null");
	b.len = 0;
	sl_json_long(&b, 0, 0);
	ck_assert_str_eq(b.s, "0");
	b.len = 0;
	sl_json_long(&b, -1, 0);
	ck_assert_str_eq(b.s, "-1");
	b.len = 0;
	sl_json_long(&b, 9223372036854775807L, 0);
	ck_assert_str_eq(b.s, "9223372036854775807");
	sl_buf_free(&b);
}
END_TEST

Suite *
suite_json(void)
{
	Suite  *s = suite_create("json");
	TCase  *tc = tcase_create("json");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_loop_test(tc, test_json_str, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_json_null);
	tcase_add_test(tc, test_json_all_bytes);
	tcase_add_test(tc, test_json_appends);
	tcase_add_test(tc, test_json_key);
	tcase_add_test(tc, test_json_time);
	tcase_add_test(tc, test_json_long);
	suite_add_tcase(s, tc);
	return s;
}
