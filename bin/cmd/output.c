/*
 * output.c - what the command families of sluice(1) share: usage errors
 * (exit 2), names and numbers from the command line, and the JSON objects
 * of --json (sluice-flow-run(1), JSON), one object a line.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

char	cmd_ctx[80];

/* usage_error - say what is wrong and where help is, and exit 2 */
_Noreturn void
usage_error(const char *help_for, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sluice: %s\nTry 'sluice %s--help'.\n", msg,
	    help_for != NULL ? help_for : cmd_ctx);
	exit(EX_USAGE);
}

/* need_name - s, if it is a valid name of a what; else exit 2 */
const char *
need_name(const char *what, const char *s)
{
	const char *why = sl_name_why(s);

	if (why != NULL)
		usage_error(NULL, "invalid %s name '%s': it %s (names are "
		    "[A-Za-z0-9][A-Za-z0-9._-]{0,63})", what, s, why);
	return s;
}

/* need_num - s as a whole number from min; else exit 2 */
long
need_num(const char *what, const char *s, long min)
{
	long	v;

	if (sl_num_parse(s, min, INT_MAX, &v) < 0)
		usage_error(NULL, "invalid %s '%s': must be a whole number "
		    "from %ld", what, s, min);
	return v;
}

/* limit_str - a concurrency limit as Prefect prints it: N or None */
const char *
limit_str(long limit, char *buf, size_t len)
{
	if (limit == SL_NOLIMIT)
		return "None";
	snprintf(buf, len, "%ld", limit);
	return buf;
}

/* boxed - are tables drawn with boxes (output to a terminal)? */
int
boxed(void)
{
	return isatty(STDOUT_FILENO);
}

/* emit - write out a buffer (empty: nothing, even no buffer) and free it */
void
emit(struct sl_buf *b)
{
	if (b->s != NULL)
		fwrite(b->s, 1, b->len, stdout);
	sl_buf_free(b);
}

/*
 * inspect_emit - an inspect command's text, one style for every object:
 * the object's JSON j (as --json prints it, "{...}\n") with the members
 * of more appended (",\"key\":value..." or NULL: what the text shows and
 * the contract's JSON keys leave out), written by sl_pretty as TYPE(...).
 * stored, the command as stored for /bin/sh (or NULL): when it was made
 * from an argument vector, the command's value is shown as that vector
 * was typed (sl_argv_shell), not in its stored form.  Frees j and more.
 */
void
inspect_emit(const char *type, struct sl_buf *j, struct sl_buf *more,
    const char *stored)
{
	struct sl_buf obj = { 0 }, out = { 0 }, one = { 0 }, line = { 0 };
	char   *at, *end, *mid, *command = NULL, **argv;
	int	argc;

	if (stored != NULL && (argv = sl_cmd_argv_of(stored, &argc)) != NULL) {
		command = sl_argv_shell(argc, argv);
		sl_strv_free(argv, (size_t)argc);
	}
	sl_buf_add(&obj, j->s, j->len);
	if (obj.len > 0 && obj.s[obj.len - 1] == '\n')
		obj.len--;
	if (obj.len > 0 && obj.s[obj.len - 1] == '}')
		obj.len--;			/* reopened for more members */
	obj.s[obj.len] = '\0';
	if (more != NULL && more->len > 0)
		sl_buf_add(&obj, more->s, more->len);
	sl_buf_add(&obj, "}", 1);
	if (sl_pretty(&out, type, obj.s) < 0)
		sl_panic("inspect: not one JSON object: %s", obj.s);
	/* one key a line, and a line break in a value is written \n: the
	 * line starting "    command=" is the command's */
	if (command != NULL && (at = strstr(out.s, "\n    command=")) != NULL) {
		sl_buf_puts(&line, "{\"command\":");
		sl_json_str(&line, command);
		sl_buf_puts(&line, "}");
		if (sl_pretty(&one, "X", line.s) < 0)
			sl_panic("inspect: cannot write the command");
		mid = one.s + 2;			/* past "X(\n" ... */
		mid[strlen(mid) - 2] = '\0';		/* ... and before ")\n" */
		end = strchr(at + 1, '\n');
		*at = '\0';
		printf("%s\n%s%s", out.s, mid + 1, end + 1);
	} else
		fputs(out.s, stdout);
	sl_buf_free(&obj);
	sl_buf_free(&out);
	sl_buf_free(&one);
	sl_buf_free(&line);
	free(command);
	sl_buf_free(j);
	if (more != NULL)
		sl_buf_free(more);
}

/* setting_of - the row of a setting table for a command (NULL-ended) */
const struct setting *
setting_of(const struct setting *tab, const char *name)
{
	for (; tab->name != NULL; tab++)
		if (strcmp(tab->name, name) == 0)
			return tab;
	sl_fatal("no setting for '%s'", name);
}

/* queue_json - a work queue as a JSON object */
void
queue_json(struct sl_buf *b, const char *pool, const struct sl_queue *q)
{
	int	f = 1;

	sl_buf_add(b, "{", 1);
	sl_json_key(b, &f, "name");
	sl_json_str(b, q->name);
	sl_json_key(b, &f, "id");
	sl_json_str(b, q->id);
	sl_json_key(b, &f, "pool");
	sl_json_str(b, pool);
	sl_json_key(b, &f, "priority");
	sl_json_long(b, q->priority, 0);
	sl_json_key(b, &f, "concurrency_limit");
	sl_json_long(b, q->limit, q->limit == SL_NOLIMIT);
	sl_json_key(b, &f, "paused");
	sl_buf_puts(b, q->paused ? "true" : "false");
	sl_buf_puts(b, "}\n");
}

/* pool_json - a work pool as a JSON object, with its agents and runs */
void
pool_json(struct sl_buf *b, const struct sl_spool *sp,
    const struct sl_config *cf, const struct sl_pool *p)
{
	long	counts[SL_NSTATES];
	size_t	i;
	int	f = 1, g = 1;

	sl_buf_add(b, "{", 1);
	sl_json_key(b, &f, "name");
	sl_json_str(b, p->name);
	sl_json_key(b, &f, "id");
	sl_json_str(b, p->id);
	sl_json_key(b, &f, "type");
	sl_json_str(b, p->type);
	sl_json_key(b, &f, "paused");
	sl_buf_puts(b, p->paused ? "true" : "false");
	sl_json_key(b, &f, "concurrency_limit");
	sl_json_long(b, p->limit, p->limit == SL_NOLIMIT);
	sl_json_key(b, &f, "queues");
	sl_buf_add(b, "[", 1);
	for (i = 0; i < p->nq; i++) {
		if (i > 0)
			sl_buf_add(b, ",", 1);
		sl_json_str(b, p->q[i].name);
	}
	sl_buf_add(b, "]", 1);
	sl_json_key(b, &f, "agents_online");
	sl_json_long(b, sl_pool_agents_online(sp, p->name, time(NULL),
	    sl_offline_after(cf)), 0);
	sl_json_key(b, &f, "runs");
	sl_buf_add(b, "{", 1);
	sl_pool_run_counts(sp, p->name, counts);
	for (i = 0; i < SL_NSTATES; i++) {
		if (counts[i] == 0)
			continue;
		sl_json_key(b, &g, sl_state_names[i]);
		sl_json_long(b, counts[i], 0);
	}
	sl_buf_puts(b, "}}\n");
}

/* run_json - one run as the object of sluice-flow-run(1), JSON */
void
run_json(struct sl_buf *b, const struct sl_run *r, time_t now,
    const struct sl_config *cf)
{
	sl_run_json(b, r, now, cf->late_after);
}

/* agent_json - an agent's registration as a JSON object */
void
agent_json(struct sl_buf *b, const struct sl_agent *g, int online)
{
	char	t[40];
	size_t	i;
	int	f = 1;

	sl_buf_add(b, "{", 1);
	sl_json_key(b, &f, "id");
	sl_json_str(b, g->id);
	sl_json_key(b, &f, "name");
	sl_json_str(b, g->registered ? g->name : NULL);
	sl_json_key(b, &f, "host");
	sl_json_str(b, g->registered ? g->host : NULL);
	sl_json_key(b, &f, "pid");
	sl_json_long(b, g->pid, !g->registered);
	sl_json_key(b, &f, "pool");
	sl_json_str(b, g->pool);
	sl_json_key(b, &f, "queues");
	sl_buf_add(b, "[", 1);
	for (i = 0; i < g->nqueues; i++) {
		if (i > 0)
			sl_buf_add(b, ",", 1);
		sl_json_str(b, g->queues[i]);
	}
	sl_buf_add(b, "]", 1);
	sl_json_key(b, &f, "match");
	sl_json_str(b, g->match);
	sl_json_key(b, &f, "limit");
	sl_json_long(b, g->limit, g->limit == SL_NOLIMIT);
	sl_json_key(b, &f, "started");
	sl_json_time(b, g->started);
	sl_json_key(b, &f, "heartbeat");
	if (g->beat > 0) {
		sl_buf_printf(b, "\"%s\"", sl_time_fmt(g->beat, t, sizeof(t)));
	} else
		sl_buf_puts(b, "null");
	sl_json_key(b, &f, "status");
	sl_json_str(b, online ? "online" : "offline");
	sl_buf_puts(b, "}\n");
}

/* deploy_json - a deployment as a JSON object */
void
deploy_json(struct sl_buf *b, const struct sl_deploy *d)
{
	char	t[40];
	int	f = 1, g;

	sl_buf_add(b, "{", 1);
	sl_json_key(b, &f, "name");
	sl_json_str(b, d->name);
	sl_json_key(b, &f, "id");
	sl_json_str(b, d->id);
	sl_json_key(b, &f, "pool");
	sl_json_str(b, d->pool);
	sl_json_key(b, &f, "queue");
	sl_json_str(b, d->queue);
	sl_json_key(b, &f, "command");
	sl_json_str(b, d->tmpl.command);
	/* the contract's object: {"cron": EXPR, "timezone": TZ} or
	 * {"interval": S, "anchor": TIME}; null for none */
	sl_json_key(b, &f, "schedule");
	if (d->cron != NULL) {
		g = 1;
		sl_buf_add(b, "{", 1);
		sl_json_key(b, &g, "cron");
		sl_json_str(b, d->cron);
		sl_json_key(b, &g, "timezone");
		sl_json_str(b, d->tz != NULL ? d->tz : "UTC");
		sl_buf_add(b, "}", 1);
	} else if (d->interval > 0) {
		g = 1;
		sl_buf_add(b, "{", 1);
		sl_json_key(b, &g, "interval");
		sl_json_long(b, d->interval, 0);
		sl_json_key(b, &g, "anchor");	/* 0 is a time (@0) here */
		sl_json_str(b, sl_time_fmt(d->anchor, t, sizeof(t)));
		sl_buf_add(b, "}", 1);
	} else
		sl_buf_puts(b, "null");
	sl_json_key(b, &f, "paused");
	sl_buf_puts(b, d->paused ? "true" : "false");
	sl_json_key(b, &f, "retries");
	sl_json_long(b, d->tmpl.retries, 0);
	sl_json_key(b, &f, "retry_delay");
	sl_json_long(b, d->tmpl.retry_delay, 0);
	sl_json_key(b, &f, "timeout");
	sl_json_long(b, d->tmpl.timeout, d->tmpl.timeout <= 0);
	sl_buf_puts(b, "}\n");
}
