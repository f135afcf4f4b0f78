/*
 * pretty.c - the text of every inspect command: an object's JSON (the
 * same object --json prints) written the way Prefect's inspect prints
 * its objects, Python's repr:
 *
 *	WorkPool(
 *	    name='nightly',
 *	    concurrency_limit=None,
 *	    queues=['default', 'low'],
 *	    runs={'Scheduled': 4},
 *	)
 *
 * One key a line, in the JSON's order; strings in single quotes (double
 * when the string holds a single quote and no double one, as Python
 * picks), escaped as Python escapes them; null, true, false as None,
 * True, False; lists and objects on one line.  So text and JSON show the
 * same fields, and every object the same way.
 *
 * The reader is total: it takes any bytes and either writes the whole
 * object or returns -1 having written nothing to the caller's buffer.
 */
#include <stdio.h>
#include <string.h>

#include "sluice.h"

#define DEPTH_MAX	32		/* nested lists and objects */

struct rd {
	const char *p;			/* the next byte */
	int	depth;
};

static int	value(struct rd *, struct sl_buf *);

static void
ws(struct rd *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' ||
	    *r->p == '\r')
		r->p++;
}

/* eat - 0 and past it if the next byte is c, else -1 (never past the end) */
static int
eat(struct rd *r, char c)
{
	if (*r->p != c)
		return -1;
	r->p++;
	return 0;
}

static int
hex4(const char *p, unsigned int *out)
{
	unsigned int v = 0;
	int	i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= (unsigned int)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= (unsigned int)(p[i] - 'a' + 10);
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= (unsigned int)(p[i] - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* put_cp - code point cp into s as UTF-8; its length */
static size_t
put_cp(struct sl_buf *s, unsigned int cp)
{
	char	u[4];
	size_t	n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sl_buf_add(s, u, n);
	return n;
}

/*
 * jstring - the JSON string at r->p (its opening quote) decoded into s
 * (UTF-8; a lone surrogate becomes U+FFFD; \u0000 a NUL byte, its length
 * counted).  0 or -1.
 */
static int
jstring(struct rd *r, struct sl_buf *s)
{
	unsigned int cp, lo;

	if (*r->p != '"')
		return -1;
	for (r->p++; *r->p != '"'; ) {
		if ((unsigned char)*r->p < 0x20)
			return -1;	/* includes the NUL at the end */
		if (*r->p != '\\') {
			sl_buf_add(s, r->p++, 1);
			continue;
		}
		r->p++;
		switch (*r->p++) {
		case '"': sl_buf_add(s, "\"", 1); break;
		case '\\': sl_buf_add(s, "\\", 1); break;
		case '/': sl_buf_add(s, "/", 1); break;
		case 'b': sl_buf_add(s, "\b", 1); break;
		case 'f': sl_buf_add(s, "\f", 1); break;
		case 'n': sl_buf_add(s, "\n", 1); break;
		case 'r': sl_buf_add(s, "\r", 1); break;
		case 't': sl_buf_add(s, "\t", 1); break;
		case 'u':
			if (hex4(r->p, &cp) < 0)
				return -1;
			r->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && r->p[0] == '\\' &&
			    r->p[1] == 'u' && hex4(r->p + 2, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				r->p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (cp == 0)
				sl_buf_add(s, "", 1);	/* a NUL, kept */
			else
				(void)put_cp(s, cp);
			break;
		default:
			return -1;
		}
	}
	r->p++;
	return 0;
}

/* pystr - s (len bytes, UTF-8) as Python's repr writes a str */
static void
pystr(struct sl_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char	q = memchr(s, '\'', len) != NULL && memchr(s, '"', len) ==
	    NULL ? '"' : '\'', esc[8];

	sl_buf_add(b, &q, 1);
	for (; p < end; p++) {
		if (*p == '\\' || *p == (unsigned char)q) {
			sl_buf_add(b, "\\", 1);
			sl_buf_add(b, (const char *)p, 1);
		} else if (*p == '\n')
			sl_buf_puts(b, "\\n");
		else if (*p == '\r')
			sl_buf_puts(b, "\\r");
		else if (*p == '\t')
			sl_buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			sl_buf_puts(b, esc);
		} else if (*p == 0xc2 && p + 1 < end && p[1] >= 0x80 &&
		    p[1] <= 0x9f) {
			/* C1 controls, which Python does not print either */
			snprintf(esc, sizeof(esc), "\\x%02x", p[1]);
			sl_buf_puts(b, esc);
			p++;
		} else
			sl_buf_add(b, (const char *)p, 1);
	}
	sl_buf_add(b, &q, 1);
}

/* word - a literal at r->p; 0 if it is w (and past it), else -1 */
static int
word(struct rd *r, const char *w)
{
	size_t	n = strlen(w);

	if (strncmp(r->p, w, n) != 0)
		return -1;
	r->p += n;
	return 0;
}

/* number - a JSON number, copied as it is (Python writes ints alike) */
static int
number(struct rd *r, struct sl_buf *b)
{
	const char *s = r->p;

	if (*r->p == '-')
		r->p++;
	if (*r->p < '0' || *r->p > '9')
		return -1;
	if (*r->p == '0')
		r->p++;
	else
		while (*r->p >= '0' && *r->p <= '9')
			r->p++;
	if (*r->p == '.') {
		r->p++;
		if (*r->p < '0' || *r->p > '9')
			return -1;
		while (*r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (*r->p == 'e' || *r->p == 'E') {
		r->p++;
		if (*r->p == '+' || *r->p == '-')
			r->p++;
		if (*r->p < '0' || *r->p > '9')
			return -1;
		while (*r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	sl_buf_add(b, s, (size_t)(r->p - s));
	return 0;
}

/* members - a list's values or an object's members, inline; r->p is
 * past the opening bracket */
static int
members(struct rd *r, struct sl_buf *b, int obj)
{
	struct sl_buf k = { 0 };
	char	close = obj ? '}' : ']';
	int	n = 0, rc = -1;

	if (++r->depth > DEPTH_MAX)
		return -1;
	sl_buf_add(b, obj ? "{" : "[", 1);
	ws(r);
	if (*r->p == close) {
		r->p++;
		goto done;
	}
	for (;;) {
		if (n++ > 0)
			sl_buf_puts(b, ", ");
		ws(r);
		if (obj) {
			k.len = 0;
			if (jstring(r, &k) < 0)
				goto out;
			pystr(b, k.s != NULL ? k.s : "", k.len);
			ws(r);
			if (eat(r, ':') < 0)
				goto out;
			sl_buf_puts(b, ": ");
		}
		if (value(r, b) < 0)
			goto out;
		ws(r);
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (eat(r, close) < 0)
			goto out;
		break;
	}
done:
	sl_buf_add(b, obj ? "}" : "]", 1);
	r->depth--;
	rc = 0;
out:
	sl_buf_free(&k);
	return rc;
}

static int
value(struct rd *r, struct sl_buf *b)
{
	struct sl_buf s = { 0 };
	int	rc;

	ws(r);
	switch (*r->p) {
	case '"':
		if ((rc = jstring(r, &s)) == 0)
			pystr(b, s.s != NULL ? s.s : "", s.len);
		sl_buf_free(&s);
		return rc;
	case '{':
		r->p++;
		return members(r, b, 1);
	case '[':
		r->p++;
		return members(r, b, 0);
	case 't':
		if (word(r, "true") < 0)
			return -1;
		sl_buf_puts(b, "True");
		return 0;
	case 'f':
		if (word(r, "false") < 0)
			return -1;
		sl_buf_puts(b, "False");
		return 0;
	case 'n':
		if (word(r, "null") < 0)
			return -1;
		sl_buf_puts(b, "None");
		return 0;
	}
	return number(r, b);
}

/*
 * sl_pretty - the JSON object json as TYPE(...), one member a line,
 * appended to out.  -1 (out untouched) if json is not one JSON object
 * (with only white space after it) whose keys are words.
 */
int
sl_pretty(struct sl_buf *out, const char *type, const char *json)
{
	struct sl_buf b = { 0 }, k = { 0 };
	struct rd r = { json, 0 };
	size_t	i;
	int	rc = -1;

	sl_buf_printf(&b, "%s(\n", type);
	ws(&r);
	if (eat(&r, '{') < 0)
		goto out;
	ws(&r);
	if (*r.p == '}')
		r.p++;
	else
		for (;;) {
			ws(&r);
			k.len = 0;
			if (jstring(&r, &k) < 0 || k.len == 0)
				goto out;
			for (i = 0; i < k.len; i++)
				if (!(k.s[i] == '_' || (k.s[i] >= 'a' &&
				    k.s[i] <= 'z') || (k.s[i] >= 'A' &&
				    k.s[i] <= 'Z') || (k.s[i] >= '0' &&
				    k.s[i] <= '9')))
					goto out;
			sl_buf_puts(&b, "    ");
			sl_buf_add(&b, k.s, k.len);
			sl_buf_add(&b, "=", 1);
			ws(&r);
			if (eat(&r, ':') < 0 || value(&r, &b) < 0)
				goto out;
			sl_buf_puts(&b, ",\n");
			ws(&r);
			if (*r.p == ',') {
				r.p++;
				continue;
			}
			if (eat(&r, '}') < 0)
				goto out;
			break;
		}
	ws(&r);
	if (*r.p != '\0')
		goto out;
	sl_buf_puts(&b, ")\n");
	sl_buf_add(out, b.s, b.len);
	rc = 0;
out:
	sl_buf_free(&b);
	sl_buf_free(&k);
	return rc;
}
