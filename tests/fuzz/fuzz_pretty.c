/*
 * fuzz_pretty.c - inspect's text (lib/pretty.c) from any bytes.  The first
 * byte picks the mode; the rest is the input.
 *	0: the bytes as JSON: sl_pretty either refuses them, leaving the
 *	   output untouched, or writes "T(\n", key lines, ")\n" with no
 *	   control byte but the line breaks
 *	1: the bytes as a string (sl_json_str, as every inspect writes its
 *	   values): {"k": that} is always taken, and its one line is
 *	   "    k=" then a quoted Python literal, ending ","
 */
#include "fuzz.h"

/* no_controls - no byte below 0x20 but '\n', and no 0x7f */
static int
no_controls(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n') ||
		    s[i] == 0x7f)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_buf out = { 0 }, js = { 0 };
	char   *s;
	int	rc;

	if (size < 1 || size > 65536)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	sl_buf_puts(&out, "x");
	if (data[0] % 2 == 0) {
		rc = sl_pretty(&out, "T", s);
		if (rc < 0)
			FUZZ_CHECK(out.len == 1, "refused, but wrote");
		else {
			FUZZ_CHECK(out.len >= 6 && strncmp(out.s, "xT(\n", 4)
			    == 0 && strcmp(out.s + out.len - 2, ")\n") == 0,
			    "shape: %s", out.s);
			FUZZ_CHECK(no_controls(out.s, out.len), "a control "
			    "byte in %s", out.s);
		}
	} else {
		sl_buf_puts(&js, "{\"k\":");
		sl_json_str(&js, s);
		sl_buf_puts(&js, "}");
		FUZZ_CHECK(sl_pretty(&out, "T", js.s) == 0, "refused %s", js.s);
		FUZZ_CHECK(strncmp(out.s, "xT(\n    k=", 10) == 0 &&
		    (out.s[10] == '\'' || out.s[10] == '"') &&
		    strcmp(out.s + out.len - 5, out.s[10] == '\'' ? "',\n)\n" :
		    "\",\n)\n") == 0, "line: %s", out.s);
		FUZZ_CHECK(memchr(out.s + 4, '\n', out.len - 6) ==
		    out.s + out.len - 3, "a line break inside: %s", out.s);
		FUZZ_CHECK(no_controls(out.s, out.len), "a control byte in %s",
		    out.s);
	}
	sl_buf_free(&out);
	sl_buf_free(&js);
	free(s);
	return 0;
}
