/*
 * json.c - JSON output (RFC 8259): strings escaped, invalid UTF-8 replaced
 * by U+FFFD so that the output is always valid JSON, absent values null.
 */
#include <stdio.h>
#include <string.h>

#include "sluice.h"

/* utf8_len - length of the valid UTF-8 sequence at s, 0 if invalid */
static size_t
utf8_len(const unsigned char *s)
{
	size_t	n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void
sl_json_str(struct sl_buf *b, const char *s)
{
	const unsigned char *p;
	char	esc[8];
	size_t	n;

	if (s == NULL) {
		sl_buf_puts(b, "null");
		return;
	}
	sl_buf_add(b, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = 1;
		switch (*p) {
		case '"': sl_buf_add(b, "\\\"", 2); continue;
		case '\\': sl_buf_add(b, "\\\\", 2); continue;
		case '\n': sl_buf_add(b, "\\n", 2); continue;
		case '\r': sl_buf_add(b, "\\r", 2); continue;
		case '\t': sl_buf_add(b, "\\t", 2); continue;
		case '\b': sl_buf_add(b, "\\b", 2); continue;
		case '\f': sl_buf_add(b, "\\f", 2); continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			sl_buf_puts(b, esc);
		} else if ((n = utf8_len(p)) == 0) {
			sl_buf_puts(b, "\\ufffd");
			n = 1;
		} else
			sl_buf_add(b, (const char *)p, n);
	}
	sl_buf_add(b, "\"", 1);
}

/* sl_json_key - ",\"key\":" (no comma before the first key) */
void
sl_json_key(struct sl_buf *b, int *first, const char *key)
{
	if (!*first)
		sl_buf_add(b, ",", 1);
	*first = 0;
	sl_json_str(b, key);
	sl_buf_add(b, ":", 1);
}

void
sl_json_time(struct sl_buf *b, time_t t)
{
	char	v[40];

	if (t == 0)
		sl_buf_puts(b, "null");
	else
		sl_json_str(b, sl_time_fmt(t, v, sizeof(v)));
}

void
sl_json_long(struct sl_buf *b, long v, int isnull)
{
	if (isnull)
		sl_buf_puts(b, "null");
	else
		sl_buf_printf(b, "%ld", v);
}

/*
 * sl_run_json - one run as the object of sluice-flow-run(1), "JSON", one
 * line: what flow-run ls and inspect print, and what an alert hook reads
 * (alert.c)
 */
void
sl_run_json(struct sl_buf *b, const struct sl_run *r, time_t now,
    long late_after)
{
	int	f = 1, i, n;

	sl_buf_add(b, "{", 1);
	sl_json_key(b, &f, "id");
	sl_json_str(b, r->id);
	sl_json_key(b, &f, "name");
	sl_json_str(b, r->spec.name);
	sl_json_key(b, &f, "pool");
	sl_json_str(b, r->pool);
	sl_json_key(b, &f, "queue");
	sl_json_str(b, r->queue[0] ? r->queue : NULL);
	sl_json_key(b, &f, "deployment");
	sl_json_str(b, r->spec.deployment);
	sl_json_key(b, &f, "state");
	sl_json_str(b, sl_run_display(r, now, late_after));
	sl_json_key(b, &f, "message");
	sl_json_str(b, r->message[0] ? r->message : NULL);
	sl_json_key(b, &f, "scheduled");
	if (r->state == SL_REJECTED)
		sl_buf_puts(b, "null");
	else {
		char	t[40];

		/* 0 is a time here (--at @0), not "none" */
		sl_json_str(b, sl_time_fmt(r->spec.scheduled, t, sizeof(t)));
	}
	sl_json_key(b, &f, "created");
	sl_json_time(b, r->spec.created);
	sl_json_key(b, &f, "started");
	sl_json_time(b, r->started);
	sl_json_key(b, &f, "ended");
	sl_json_time(b, r->ended);
	sl_json_key(b, &f, "exit_code");
	sl_json_long(b, r->exit_code, r->exit_code < 0);
	sl_json_key(b, &f, "attempt");
	sl_json_long(b, r->spec.attempt, r->state == SL_REJECTED);
	sl_json_key(b, &f, "retries");
	sl_json_long(b, r->spec.retries, r->state == SL_REJECTED);
	sl_json_key(b, &f, "agent");
	sl_json_str(b, r->agent[0] ? r->agent : NULL);
	sl_json_key(b, &f, "host");
	sl_json_str(b, r->host[0] ? r->host : NULL);
	sl_json_key(b, &f, "pid");
	sl_json_long(b, r->pid, r->pid <= 0);
	sl_json_key(b, &f, "command");
	sl_json_str(b, r->spec.command);
	/* the vector submitted, read back from the command it was made into
	 * (sl_cmd_argv_of); null for a shell command, as a run file's is */
	sl_json_key(b, &f, "argv");
	{
		char  **v = r->spec.command != NULL ?
		    sl_cmd_argv_of(r->spec.command, &n) : NULL;

		if (v == NULL)
			sl_buf_puts(b, "null");
		else {
			sl_buf_add(b, "[", 1);
			for (i = 0; i < n; i++) {
				if (i > 0)
					sl_buf_add(b, ",", 1);
				sl_json_str(b, v[i]);
			}
			sl_buf_add(b, "]", 1);
			sl_strv_free(v, (size_t)n);
		}
	}
	sl_buf_puts(b, "}\n");
}
