/*
 * buf.c - growing strings, checked allocation, path joining.
 *
 * Allocation failure is the one error libsluice does not return: there is
 * nothing sensible a caller could do, so it is fatal, as in Postfix's
 * mymalloc().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

void *
sl_xmalloc(size_t n)
{
	void   *p = malloc(n ? n : 1);

	if (p == NULL)
		sl_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
sl_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		sl_fatal("out of memory (%zu bytes)", n);
	return p;
}

char *
sl_xstrdup(const char *s)
{
	size_t	n = strlen(s) + 1;

	return memcpy(sl_xmalloc(n), s, n);
}

void
sl_buf_add(struct sl_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = sl_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sl_buf_puts(struct sl_buf *b, const char *s)
{
	sl_buf_add(b, s, strlen(s));
}

void
sl_buf_printf(struct sl_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		sl_panic("sl_buf_printf: bad format %s", fmt);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = sl_xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sl_buf_free(struct sl_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* sl_path - join path components with '/', NULL-terminated list */
char *
sl_path(const char *first, ...)
{
	struct sl_buf b = { 0 };
	const char *s;
	va_list	ap;

	sl_buf_puts(&b, first);
	va_start(ap, first);
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (b.len == 0 || b.s[b.len - 1] != '/')
			sl_buf_add(&b, "/", 1);
		sl_buf_puts(&b, s);
	}
	va_end(ap);
	return b.s;
}

/*
 * sl_kv_get - the value of a "key = value" line in text (the small files
 * sluice writes for itself: origin, slot entries); "" if there is none.
 */
void
sl_kv_get(const char *text, const char *key, char *out, size_t len)
{
	const char *c = text;
	size_t	k = strlen(key);

	out[0] = '\0';
	for (; c != NULL && *c != '\0'; c = strchr(c, '\n'), c = c ? c + 1 : c)
		if (strncmp(c, key, k) == 0 && strncmp(c + k, " = ", 3) == 0) {
			c += k + 3;
			snprintf(out, len, "%.*s", (int)strcspn(c, "\n"), c);
			return;
		}
}

/* sl_field_put - s with its NUL into buf (len bytes) at *at, which it
 * moves on: fields of a datagram; -1 if it does not fit */
int
sl_field_put(char *buf, size_t len, size_t *at, const char *s)
{
	size_t	n = strlen(s) + 1;

	if (*at > len || n > len - *at)
		return -1;
	memcpy(buf + *at, s, n);
	*at += n;
	return 0;
}

/* sl_field_get - the NUL-ended field of buf (n bytes) at *at, which it
 * moves past it: fields of a datagram; NULL if no whole one is there */
const char *
sl_field_get(const char *buf, size_t n, size_t *at)
{
	const char *f;
	size_t	len;

	if (*at >= n || (len = strnlen(buf + *at, n - *at)) == n - *at)
		return NULL;
	f = buf + *at;
	*at += len + 1;
	return f;
}

/* sl_strv_free - free n strings and the vector holding them */
void
sl_strv_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* sl_strcmp_p - strcmp for qsort over a vector of strings */
int
sl_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
