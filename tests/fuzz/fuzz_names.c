/*
 * fuzz_names.c - names and times: lib/names.c, lib/uuid.c, lib/clock.c,
 * and sl_printable (lib/log.c).  The first byte picks the function; the
 * rest is its input.  Each is checked against a reference written here:
 *	sl_name_ok / sl_name_why	[A-Za-z0-9][A-Za-z0-9._-]{0,63},
 *					and ok exactly when why is NULL
 *	sl_uuid_ok			36 lowercase hex with dashes at
 *					8, 13, 18, 23
 *	sl_time_parse / sl_time_fmt	a time taken lies in 1970..9999 and
 *					reads back from its RFC 3339 form;
 *					RFC 3339 forms agree with timegm
 *	sl_num_parse			agrees with strtol
 *	sl_printable			only printable ASCII and valid UTF-8
 *					out, never longer than the buffer,
 *					idempotent
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <time.h>

#include "fuzz.h"

#define NOW	((time_t)1796212800)	/* 2026-12-02T12:00:00Z */

static int
ref_name(const char *s)
{
	size_t	n = strlen(s), i;

	if (n < 1 || n > 64 || !isalnum((unsigned char)s[0]) ||
	    (unsigned char)s[0] >= 0x80)
		return 0;
	for (i = 1; i < n; i++)
		if (!((isalnum((unsigned char)s[i]) &&
		    (unsigned char)s[i] < 0x80) || strchr("._-", s[i]) != NULL))
			return 0;
	return 1;
}

static int
ref_uuid(const char *s)
{
	size_t	i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void
check_time(const char *s)
{
	char	buf[64], back[64];
	time_t	t, u;

	if (sl_time_parse(s, NOW, &t) < 0)
		return;
	FUZZ_CHECK(t >= 0 && (long long)t <= 253402300799LL, "%lld from %s",
	    (long long)t, s);
	sl_time_fmt(t, buf, sizeof(buf));
	FUZZ_CHECK(strlen(buf) == 20 && buf[19] == 'Z', "fmt %s", buf);
	FUZZ_CHECK(sl_time_parse(buf, 0, &u) == 0 && u == t,
	    "%s -> %lld -> %s -> %lld", s, (long long)t, buf, (long long)u);
	/* an RFC 3339 UTC form with whole seconds is its own normal form */
	if (strlen(s) == 20 && s[10] == 'T' && s[19] == 'Z') {
		snprintf(back, sizeof(back), "%s", s);
		/* except a leap second, which is its minute's :59 (clock.c) */
		if (back[17] == '6' && back[18] == '0') {
			back[17] = '5';
			back[18] = '9';
		}
		FUZZ_CHECK(strcmp(back, buf) == 0, "%s printed as %s", s, buf);
	}
	/* @N is N */
	if (s[0] == '@')
		FUZZ_CHECK(t == (time_t)strtoll(s + 1, NULL, 10), "%s", s);
}

static void
check_num(const char *s)
{
	long	v, ref;
	char   *end;
	int	ok;

	errno = 0;
	ref = strtol(s, &end, 10);
	ok = *s != '\0' && !isspace((unsigned char)*s) && *end == '\0' &&
	    errno != ERANGE && ref >= -1000 && ref <= 1000;
	FUZZ_CHECK((sl_num_parse(s, -1000, 1000, &v) == 0) == ok, "%s", s);
	if (ok)
		FUZZ_CHECK(v == ref, "%s: %ld, not %ld", s, v, ref);
}

/* utf8_ok - s is printable ASCII or valid UTF-8 without C1 controls */
static int
utf8_ok(const unsigned char *s)
{
	while (*s) {
		size_t	n, i;
		unsigned long cp;

		if (*s < 0x80) {
			if (*s < 0x20 || *s == 0x7f)
				return 0;
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 2, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 3, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 4, cp = *s & 0x07;
		else
			return 0;
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    (cp >= 0x80 && cp <= 0x9f))
			return 0;
		s += n;
	}
	return 1;
}

static void
check_printable(const char *s, size_t size)
{
	char	small[24], *big = malloc(size * 4 + 1), *again;

	if (big == NULL)
		abort();
	memcpy(big, s, size + 1);
	sl_printable(big, size * 4 + 1);
	FUZZ_CHECK(utf8_ok((unsigned char *)big), "not printable");
	if (utf8_ok((const unsigned char *)s))
		FUZZ_CHECK(strcmp(big, s) == 0, "changed printable text");
	again = strdup(big);
	if (again == NULL)
		abort();
	sl_printable(again, strlen(again) + 1);
	FUZZ_CHECK(strcmp(again, big) == 0, "not idempotent");
	free(again);
	snprintf(small, sizeof(small), "%s", s);
	sl_printable(small, sizeof(small));
	FUZZ_CHECK(strlen(small) < sizeof(small) &&
	    utf8_ok((unsigned char *)small), "short buffer");
	free(big);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   *s;
	const char *why;

	if (size < 1 || size > 4096)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	if (strlen(s) == size - 1) {	/* no NUL inside: a C string */
		switch (data[0] % 5) {
		case 0:
			why = sl_name_why(s);
			FUZZ_CHECK((why == NULL) == sl_name_ok(s), "%s", s);
			FUZZ_CHECK(sl_name_ok(s) == ref_name(s), "name %s", s);
			break;
		case 1:
			FUZZ_CHECK(sl_uuid_ok(s) == ref_uuid(s), "uuid %s", s);
			break;
		case 2:
			check_time(s);
			break;
		case 3:
			check_num(s);
			break;
		case 4:
			check_printable(s, size - 1);
			break;
		}
	}
	free(s);
	return 0;
}
