/*
 * sluice - the front end: work pools and work queues (contract §4).
 *
 *	sluice [--spool DIR] [--json] GROUP COMMAND [ARGS]
 *
 * Options may stand before or after the command words; "--" ends options.
 * Parsing is two passes: the first finds the command words (skipping the
 * arguments of every option that takes one), the second checks the options
 * against what that command accepts.  Everything that touches the spool is
 * in libsluice; this file parses, calls and prints.
 *
 * Exit status: 0 done, 1 refused or failed, 2 usage (contract §8).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

#define EX_FAIL	1
#define EX_USAGE 2

/* ---- options ---- */

enum opt {
	O_SPOOL, O_JSON, O_HELP, O_VERSION, O_POOL, O_LIMIT, O_PAUSED,
	O_HOURS, O_PRIORITY, O_FORCE, O_NOPT
};

static const struct {
	const char *lng, *shrt;
	int	arg;
} opts[O_NOPT] = {
	[O_SPOOL] = { "--spool", NULL, 1 },
	[O_JSON] = { "--json", NULL, 0 },
	[O_HELP] = { "--help", "-h", 0 },
	[O_VERSION] = { "--version", NULL, 0 },
	[O_POOL] = { "--pool", "-p", 1 },
	[O_LIMIT] = { "--limit", "-l", 1 },
	[O_PAUSED] = { "--paused", NULL, 0 },
	[O_HOURS] = { "--hours", NULL, 1 },
	[O_PRIORITY] = { "--priority", NULL, 1 },
	[O_FORCE] = { "--force", "-f", 0 },
};

#define BIT(o)	(1u << (o))
#define GLOBAL	(BIT(O_SPOOL) | BIT(O_HELP) | BIT(O_VERSION))

struct args {
	const char *val[O_NOPT];	/* value, or "" for a flag given */
	const char *pos[8];		/* positionals after the command words */
	int	npos;
};

struct cmd {
	const char *group, *name;
	unsigned allowed;		/* options besides GLOBAL */
	int	minpos, maxpos;
	const char *what;		/* what the first argument names */
	const char *synopsis;
	int	(*fn)(const struct sl_spool *, const struct sl_config *,
		    struct args *);
};

static struct sl_spool spool;
static char err[SL_ERR_MAX];
static char ctx[80];		/* "GROUP COMMAND ", for "Try 'sluice ... --help'" */

static _Noreturn void
usage_error(const char *help_for, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void
usage_error(const char *help_for, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sluice: %s\nTry 'sluice %s--help'.\n", msg,
	    help_for != NULL ? help_for : ctx);
	exit(EX_USAGE);
}

/* find_opt - which option is this word, and its "=value" if any */
static int
find_opt(const char *w, const char **inl)
{
	size_t	n;
	int	i;

	*inl = NULL;
	for (i = 0; i < O_NOPT; i++) {
		n = strlen(opts[i].lng);
		if (strncmp(w, opts[i].lng, n) == 0 &&
		    (w[n] == '\0' || (w[n] == '=' && opts[i].arg))) {
			if (w[n] == '=')
				*inl = w + n + 1;
			return i;
		}
		if (opts[i].shrt != NULL && strcmp(w, opts[i].shrt) == 0)
			return i;
	}
	return -1;
}

/* is_option - does this word look like an option?  "-1" is a (bad) number */
static int
is_option(const char *w)
{
	return w[0] == '-' && w[1] != '\0' && !(w[1] >= '0' && w[1] <= '9');
}

/* ---- names and numbers from the command line ---- */

static const char *
need_name(const char *what, const char *s)
{
	const char *why = sl_name_why(s);

	if (why != NULL)
		usage_error(NULL, "invalid %s name '%s': it %s (names are "
		    "[A-Za-z0-9][A-Za-z0-9._-]{0,63})", what, s, why);
	return s;
}

static long
need_num(const char *what, const char *s, long min)
{
	long	v;

	if (sl_num_parse(s, min, INT_MAX, &v) < 0)
		usage_error(NULL, "invalid %s '%s': must be a whole number "
		    "from %ld", what, s, min);
	return v;
}

static const char *
limit_str(long limit, char *buf, size_t len)
{
	if (limit == SL_NOLIMIT)
		return "None";
	snprintf(buf, len, "%ld", limit);
	return buf;
}

static int
boxed(void)
{
	return isatty(STDOUT_FILENO);
}

static void
emit(struct sl_buf *b)
{
	fwrite(b->s, 1, b->len, stdout);
	sl_buf_free(b);
}

/* ---- JSON objects (contract §7) ---- */

static void
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

static const char *const run_states[] = { "Scheduled", "Pending", "Running" };

static void
pool_json(struct sl_buf *b, const struct sl_config *cf, const struct sl_pool *p)
{
	long	counts[4];
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
	sl_json_long(b, sl_pool_agents_online(&spool, p->name, time(NULL),
	    cf->heartbeat * cf->missed_heartbeats), 0);
	sl_json_key(b, &f, "runs");
	sl_buf_add(b, "{", 1);
	sl_pool_run_counts(&spool, p->name, counts);
	for (i = 0; i < 3; i++) {
		if (counts[i] == 0)
			continue;
		sl_json_key(b, &g, run_states[i]);
		sl_json_long(b, counts[i], 0);
	}
	sl_buf_puts(b, "}}\n");
}

/* ---- work-pool ---- */

static int
load_or_fail(const char *name, struct sl_pool *p)
{
	if (sl_pool_load(&spool, name, p, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return -1;
	}
	return 0;
}

static int
wp_create(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);
	long	limit = SL_NOLIMIT;
	int	rc;

	(void)cf;
	if (a->val[O_LIMIT] != NULL)
		limit = need_num("concurrency limit", a->val[O_LIMIT], 0);
	rc = sl_pool_create(sp, name, a->val[O_PAUSED] != NULL, limit, err,
	    sizeof(err));
	if (rc != 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("Created work pool '%s'.\n", name);
	printf("Start an agent to pick up flow runs from the work pool:\n"
	    "        sluice agent start -p '%s'\n", name);
	printf("Inspect the work pool:\n        sluice work-pool inspect '%s'\n",
	    name);
	return 0;
}

static int
cmpcreated(const void *a, const void *b)
{
	const struct sl_pool *x = a, *y = b;

	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;	/* newest first */
	return strcmp(x->name, y->name);
}

static int
wp_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "Name", "Type", "ID", "Concurrency Limit" };
	struct sl_pool *pv = NULL;
	struct sl_table *t;
	struct sl_buf b = { 0 };
	char  **names, nm[SL_NAME_MAX + 8], lim[32];
	size_t	n, i, k = 0;
	int	rc = 0;

	if (sl_pool_names(sp, &names, &n) < 0) {
		sl_warn("cannot list the pools of %s: %s", sp->root,
		    strerror(errno));
		return EX_FAIL;
	}
	pv = sl_xmalloc((n ? n : 1) * sizeof(*pv));
	for (i = 0; i < n; i++) {
		/* RACE: a pool deleted since the listing is just left out */
		if (sl_pool_load(sp, names[i], &pv[k], err, sizeof(err)) == 0)
			k++;
		else if (errno != ENOENT) {
			sl_warn("%s", err);
			rc = EX_FAIL;
		}
		free(names[i]);
	}
	free(names);
	qsort(pv, k, sizeof(*pv), cmpcreated);
	if (a->val[O_JSON] != NULL) {
		for (i = 0; i < k; i++)
			pool_json(&b, cf, &pv[i]);
		if (b.s != NULL)
			emit(&b);
	} else {
		t = sl_table_new("Work Pools", 4, hdr);
		for (i = 0; i < k; i++) {
			const char *row[4];

			snprintf(nm, sizeof(nm), "%s%s", pv[i].name,
			    pv[i].paused ? " (**)" : "");
			row[0] = nm;
			row[1] = pv[i].type;
			row[2] = pv[i].id;
			row[3] = limit_str(pv[i].limit, lim, sizeof(lim));
			sl_table_row(t, row);
		}
		sl_table_print(t, stdout, boxed(), "(**) denotes a paused pool");
		sl_table_free(t);
	}
	for (i = 0; i < k; i++)
		sl_pool_free(&pv[i]);
	free(pv);
	return rc;
}

static int
wp_inspect(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);
	struct sl_buf b = { 0 };
	struct sl_pool p;
	char	when[40], lim[32];
	long	counts[4];
	size_t	i;

	(void)sp;
	if (load_or_fail(name, &p) < 0)
		return EX_FAIL;
	if (a->val[O_JSON] != NULL)
		pool_json(&b, cf, &p);
	else {
		sl_buf_printf(&b, "WorkPool(\n    name='%s',\n    id='%s',\n"
		    "    type='%s',\n", p.name, p.id, p.type);
		if (p.created != 0)
			sl_buf_printf(&b, "    created='%s',\n",
			    sl_time_fmt(p.created, when, sizeof(when)));
		else
			sl_buf_puts(&b, "    created=None,\n");
		sl_buf_printf(&b, "    paused=%s,\n    concurrency_limit=%s,\n"
		    "    queues=[", p.paused ? "True" : "False",
		    limit_str(p.limit, lim, sizeof(lim)));
		for (i = 0; i < p.nq; i++)
			sl_buf_printf(&b, "%s'%s'", i ? ", " : "", p.q[i].name);
		sl_buf_printf(&b, "],\n    agents_online=%d,\n    runs={",
		    sl_pool_agents_online(&spool, p.name, time(NULL),
		    cf->heartbeat * cf->missed_heartbeats));
		sl_pool_run_counts(&spool, p.name, counts);
		for (i = 0; i < 3; i++)
			sl_buf_printf(&b, "%s'%s': %ld", i ? ", " : "",
			    run_states[i], counts[i]);
		sl_buf_puts(&b, "},\n)\n");
	}
	emit(&b);
	sl_pool_free(&p);
	return 0;
}

/*
 * preview - the Scheduled runs due within the window.  Runs are accepted
 * into the spool by the runs machinery (spool-layout.md); a pool without
 * runs prints Prefect's hint.
 */
static int
preview(const char *what, struct args *a)
{
	long	hours = 1;

	if (a->val[O_HOURS] != NULL)
		hours = need_num("number of hours", a->val[O_HOURS], 0);
	(void)hours;
	(void)what;
	if (a->val[O_JSON] == NULL)
		printf("No runs found - try increasing how far into the future "
		    "you preview with the --hours flag\n");
	return 0;
}

static int
wp_preview(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_pool p;

	(void)sp;
	(void)cf;
	if (load_or_fail(need_name("work pool", a->pos[0]), &p) < 0)
		return EX_FAIL;
	sl_pool_free(&p);
	return preview("pool", a);
}

struct poolset {
	int	paused;			/* -1: leave */
	long	limit;
	int	set_limit;
};

static int
edit_pool(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	struct poolset *ps = arg;

	(void)e;
	(void)elen;
	if (ps->paused >= 0)
		p->paused = ps->paused;
	if (ps->set_limit)
		p->limit = ps->limit;
	return 0;
}

static int
pool_change(const char *name, struct poolset *ps)
{
	if (sl_pool_update(&spool, name, edit_pool, ps, NULL, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	return 0;
}

static int
wp_pause(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct poolset ps = { 1, 0, 0 };
	const char *name = need_name("work pool", a->pos[0]);

	(void)sp;
	(void)cf;
	if (pool_change(name, &ps) != 0)
		return EX_FAIL;
	printf("Paused work pool '%s'\n", name);
	return 0;
}

static int
wp_resume(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct poolset ps = { 0, 0, 0 };
	const char *name = need_name("work pool", a->pos[0]);

	(void)sp;
	(void)cf;
	if (pool_change(name, &ps) != 0)
		return EX_FAIL;
	printf("Resumed work pool '%s'\n", name);
	return 0;
}

static int
wp_delete(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);

	(void)cf;
	if (sl_pool_delete(sp, name, a->val[O_FORCE] != NULL, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("Deleted work pool '%s'\n", name);
	return 0;
}

static int
wp_setlimit(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);
	struct poolset ps = { -1, 0, 1 };

	(void)sp;
	(void)cf;
	ps.limit = need_num("concurrency limit", a->pos[1], 0);
	if (pool_change(name, &ps) != 0)
		return EX_FAIL;
	printf("Set concurrency limit for work pool '%s' to %ld\n", name,
	    ps.limit);
	return 0;
}

static int
wp_clearlimit(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);
	struct poolset ps = { -1, SL_NOLIMIT, 1 };

	(void)sp;
	(void)cf;
	if (pool_change(name, &ps) != 0)
		return EX_FAIL;
	printf("Cleared concurrency limit for work pool '%s'\n", name);
	return 0;
}

/* ---- work-queue ---- */

/* queue_pool - the -p pool, default-agent-pool made on first use */
static const char *
queue_pool(struct args *a)
{
	const char *pool = a->val[O_POOL];

	if (pool == NULL || strcmp(pool, SL_DEFAULT_POOL) == 0) {
		if (sl_pool_ensure(&spool, SL_DEFAULT_POOL, err, sizeof(err)) < 0)
			sl_fatal("%s", err);
		return SL_DEFAULT_POOL;
	}
	return need_name("work pool", pool);
}

static int
load_queue(struct args *a, struct sl_pool *p, struct sl_queue **q)
{
	const char *pool = queue_pool(a);
	const char *name = need_name("work queue", a->pos[0]);

	if (load_or_fail(pool, p) < 0)
		return -1;
	if ((*q = sl_pool_queue(p, name)) == NULL) {
		sl_warn("Work queue '%s' not found in work pool '%s'.", name, pool);
		sl_pool_free(p);
		return -1;
	}
	return 0;
}

static int
wq_create(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work queue", a->pos[0]);
	const char *pool;
	struct sl_buf moved = { 0 };
	struct sl_queue q;
	long	prio = 0, limit = SL_NOLIMIT;
	char	lim[32];

	(void)cf;
	if (a->val[O_PRIORITY] != NULL)
		prio = need_num("priority", a->val[O_PRIORITY], 1);
	if (a->val[O_LIMIT] != NULL)
		limit = need_num("concurrency limit", a->val[O_LIMIT], 0);
	pool = queue_pool(a);
	if (sl_queue_create(sp, pool, name, prio, limit, &q, &moved, err,
	    sizeof(err)) != 0) {
		sl_warn("%s", err);
		sl_buf_free(&moved);
		return EX_FAIL;
	}
	printf("Created work queue with properties:\n"
	    "    name - '%s'\n    work pool - '%s'\n    id - %s\n"
	    "    priority - %ld\n    concurrency limit - %s\n", name, pool, q.id,
	    q.priority, limit_str(q.limit, lim, sizeof(lim)));
	printf("Start an agent to pick up flow runs from the work queue:\n"
	    "    sluice agent start -p '%s' -q '%s'\n", pool, name);
	printf("Inspect the work queue:\n"
	    "    sluice work-queue inspect '%s' -p '%s'\n", name, pool);
	if (moved.s != NULL)
		emit(&moved);
	return 0;
}

static int
wq_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "Name", "Priority", "Concurrency Limit" };
	const char *pool = queue_pool(a);
	struct sl_buf b = { 0 };
	struct sl_table *t;
	struct sl_pool p;
	char	title[128], nm[SL_NAME_MAX + 8], pr[32], lim[32];
	size_t	i;

	(void)sp;
	(void)cf;
	if (load_or_fail(pool, &p) < 0)
		return EX_FAIL;
	if (a->val[O_JSON] != NULL) {
		for (i = 0; i < p.nq; i++)
			queue_json(&b, p.name, &p.q[i]);
		emit(&b);
	} else {
		snprintf(title, sizeof(title), "Work Queues in Work Pool '%s'",
		    pool);
		t = sl_table_new(title, 3, hdr);
		for (i = 0; i < p.nq; i++) {
			const char *row[3];

			snprintf(nm, sizeof(nm), "%s%s", p.q[i].name,
			    p.q[i].paused ? " (**)" : "");
			snprintf(pr, sizeof(pr), "%ld", p.q[i].priority);
			row[0] = nm;
			row[1] = pr;
			row[2] = limit_str(p.q[i].limit, lim, sizeof(lim));
			sl_table_row(t, row);
		}
		sl_table_print(t, stdout, boxed(), "(**) denotes a paused queue");
		sl_table_free(t);
	}
	sl_pool_free(&p);
	return 0;
}

static int
wq_inspect(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_buf b = { 0 };
	struct sl_queue *q;
	struct sl_pool p;
	char	when[40], lim[32];

	(void)sp;
	(void)cf;
	if (load_queue(a, &p, &q) < 0)
		return EX_FAIL;
	if (a->val[O_JSON] != NULL)
		queue_json(&b, p.name, q);
	else {
		sl_buf_printf(&b, "WorkQueue(\n    name='%s',\n    id='%s',\n"
		    "    pool='%s',\n    priority=%ld,\n"
		    "    concurrency_limit=%s,\n    paused=%s,\n", q->name, q->id,
		    p.name, q->priority, limit_str(q->limit, lim, sizeof(lim)),
		    q->paused ? "True" : "False");
		if (q->created != 0)
			sl_buf_printf(&b, "    created='%s',\n)\n",
			    sl_time_fmt(q->created, when, sizeof(when)));
		else
			sl_buf_puts(&b, "    created=None,\n)\n");
	}
	emit(&b);
	sl_pool_free(&p);
	return 0;
}

static int
wq_preview(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_queue *q;
	struct sl_pool p;

	(void)sp;
	(void)cf;
	if (load_queue(a, &p, &q) < 0)
		return EX_FAIL;
	sl_pool_free(&p);
	return preview("queue", a);
}

struct queueset {
	const char *name;
	int	paused;			/* -1: leave */
	int	set_limit;
	long	limit;
	long	prio;			/* 0: leave */
	struct sl_buf moved;
};

static int
edit_queue(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	struct queueset *qs = arg;
	struct sl_queue *q = sl_pool_queue(p, qs->name);

	if (q == NULL) {
		snprintf(e, elen, "Work queue '%s' not found in work pool '%s'.",
		    qs->name, p->name);
		return -1;
	}
	if (qs->paused >= 0)
		q->paused = qs->paused;
	if (qs->set_limit)
		q->limit = qs->limit;
	if (qs->prio > 0) {
		sl_buf_free(&qs->moved);	/* a retry starts over */
		sl_pool_place(p, q, qs->prio, &qs->moved);
	}
	return 0;
}

static int
queue_change(struct args *a, struct queueset *qs, const char **pool)
{
	qs->name = need_name("work queue", a->pos[0]);
	*pool = queue_pool(a);
	if (sl_pool_update(&spool, *pool, edit_queue, qs, NULL, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	return 0;
}

static int
wq_pause(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct queueset qs = { NULL, 1, 0, 0, 0, { 0 } };
	const char *pool;

	(void)sp;
	(void)cf;
	if (queue_change(a, &qs, &pool) != 0)
		return EX_FAIL;
	printf("Work queue '%s' in work pool '%s' paused\n", qs.name, pool);
	return 0;
}

static int
wq_resume(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct queueset qs = { NULL, 0, 0, 0, 0, { 0 } };
	const char *pool;

	(void)sp;
	(void)cf;
	if (queue_change(a, &qs, &pool) != 0)
		return EX_FAIL;
	printf("Work queue '%s' in work pool '%s' resumed\n", qs.name, pool);
	return 0;
}

static int
wq_setlimit(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct queueset qs = { NULL, -1, 1, 0, 0, { 0 } };
	const char *pool;

	(void)sp;
	(void)cf;
	qs.limit = need_num("concurrency limit", a->pos[1], 0);
	if (queue_change(a, &qs, &pool) != 0)
		return EX_FAIL;
	printf("Concurrency limit of %ld set on work queue '%s' in work pool "
	    "'%s'\n", qs.limit, qs.name, pool);
	return 0;
}

static int
wq_clearlimit(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct queueset qs = { NULL, -1, 1, SL_NOLIMIT, 0, { 0 } };
	const char *pool;

	(void)sp;
	(void)cf;
	if (queue_change(a, &qs, &pool) != 0)
		return EX_FAIL;
	printf("Concurrency limits removed on work queue '%s' in work pool "
	    "'%s'\n", qs.name, pool);
	return 0;
}

static int
wq_setprio(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct queueset qs = { NULL, -1, 0, 0, 0, { 0 } };
	const char *pool;

	(void)sp;
	(void)cf;
	qs.prio = need_num("priority", a->pos[1], 1);
	if (queue_change(a, &qs, &pool) != 0) {
		sl_buf_free(&qs.moved);
		return EX_FAIL;
	}
	printf("Set priority of work queue '%s' in work pool '%s' to %ld\n",
	    qs.name, pool, qs.prio);
	if (qs.moved.s != NULL)
		emit(&qs.moved);
	return 0;
}

static int
wq_delete(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work queue", a->pos[0]);
	const char *pool = queue_pool(a);

	(void)cf;
	if (sl_queue_delete(sp, pool, name, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("Successfully deleted work queue '%s' in work pool '%s'\n", name,
	    pool);
	return 0;
}

/* ---- the command table ---- */

#define P	BIT(O_POOL)
#define J	BIT(O_JSON)

static const struct cmd cmds[] = {
	{ "work-pool", "create", BIT(O_PAUSED) | BIT(O_LIMIT), 1, 1, "work pool",
	    "[--paused] [--limit N] NAME", wp_create },
	{ "work-pool", "ls", J, 0, 0, "work pool", "[--json]", wp_ls },
	{ "work-pool", "inspect", J, 1, 1, "work pool", "NAME [--json]", wp_inspect },
	{ "work-pool", "preview", J | BIT(O_HOURS), 1, 1, "work pool",
	    "NAME [--hours H] [--json]", wp_preview },
	{ "work-pool", "pause", 0, 1, 1, "work pool", "NAME", wp_pause },
	{ "work-pool", "resume", 0, 1, 1, "work pool", "NAME", wp_resume },
	{ "work-pool", "delete", BIT(O_FORCE), 1, 1, "work pool", "NAME [--force]", wp_delete },
	{ "work-pool", "set-concurrency-limit", 0, 2, 2, "work pool", "NAME N", wp_setlimit },
	{ "work-pool", "clear-concurrency-limit", 0, 1, 1, "work pool", "NAME", wp_clearlimit },
	{ "work-queue", "create", P | BIT(O_PRIORITY) | BIT(O_LIMIT), 1, 1, "work queue",
	    "NAME [-p POOL] [--priority N] [--limit N]", wq_create },
	{ "work-queue", "ls", P | J, 0, 0, "work queue", "[-p POOL] [--json]", wq_ls },
	{ "work-queue", "inspect", P | J, 1, 1, "work queue", "NAME [-p POOL] [--json]",
	    wq_inspect },
	{ "work-queue", "preview", P | J | BIT(O_HOURS), 1, 1, "work queue",
	    "NAME [-p POOL] [--hours H] [--json]", wq_preview },
	{ "work-queue", "pause", P, 1, 1, "work queue", "NAME [-p POOL]", wq_pause },
	{ "work-queue", "resume", P, 1, 1, "work queue", "NAME [-p POOL]", wq_resume },
	{ "work-queue", "delete", P, 1, 1, "work queue", "NAME [-p POOL]",
	    wq_delete },
	{ "work-queue", "set-concurrency-limit", P, 2, 2, "work queue", "NAME N [-p POOL]",
	    wq_setlimit },
	{ "work-queue", "clear-concurrency-limit", P, 1, 1, "work queue", "NAME [-p POOL]",
	    wq_clearlimit },
	{ "work-queue", "set-priority", P, 2, 2, "work queue", "NAME N [-p POOL]", wq_setprio },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const char *const groups[][2] = {
	{ "work-pool", "manage work pools" },
	{ "work-queue", "manage the work queues of a pool" },
};

static void
help(FILE *f, const char *group, const struct cmd *c)
{
	size_t	i, g;

	if (c != NULL) {
		fprintf(f, "usage: sluice %s %s %s\n", c->group, c->name,
		    c->synopsis);
		fprintf(f, "See sluice-%s(1).\n", c->group);
		return;
	}
	if (group != NULL) {
		fprintf(f, "usage: sluice %s COMMAND [ARGS]\n\n", group);
		for (i = 0; i < NCMDS; i++)
			if (strcmp(cmds[i].group, group) == 0)
				fprintf(f, "  sluice %s %s %s\n", group,
				    cmds[i].name, cmds[i].synopsis);
		fprintf(f, "\nSee sluice-%s(1).\n", group);
		return;
	}
	fprintf(f, "usage: sluice [--spool DIR] GROUP COMMAND [ARGS]\n\n"
	    "Prefect's agents, work pools and work queues as a Unix spool.\n\n");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		fprintf(f, "  %-12s %s\n", groups[g][0], groups[g][1]);
	fprintf(f, "\nOptions, anywhere on the line:\n"
	    "  --spool DIR  the spool (else $SLUICE_SPOOL, sluice.ini, "
	    "/var/spool/sluice,\n"
	    "               ~/.local/state/sluice)\n"
	    "  --json       machine-readable output, where a command has it\n"
	    "  --help       this text; --version: the version\n\n"
	    "'sluice GROUP --help' lists a group's commands.  See sluice(1).\n");
}

int
main(int argc, char **argv)
{
	const char *words[2] = { NULL, NULL }, *inl;
	const struct cmd *c = NULL;
	struct sl_config cf;
	struct args a;
	unsigned given = 0;
	int	i, nw = 0, o, dashdash = 0, rc;
	size_t	k;

	sl_set_progname(argv[0]);
	/* pass 1: the command words */
	for (i = 1; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && is_option(argv[i])) {
			o = find_opt(argv[i], &inl);
			if (o >= 0 && opts[o].arg && inl == NULL)
				i++;
			continue;
		}
		if (nw < 2)
			words[nw++] = argv[i];
		else
			break;
	}
	if (nw >= 1) {
		for (k = 0; k < sizeof(groups) / sizeof(groups[0]); k++)
			if (strcmp(words[0], groups[k][0]) == 0)
				break;
		if (k == sizeof(groups) / sizeof(groups[0]))
			usage_error(NULL, "unknown command '%s'", words[0]);
		if (nw == 2) {
			for (k = 0; k < NCMDS; k++)
				if (strcmp(cmds[k].group, words[0]) == 0 &&
				    strcmp(cmds[k].name, words[1]) == 0)
					c = &cmds[k];
			if (c == NULL) {
				snprintf(ctx, sizeof(ctx), "%s ", words[0]);
				usage_error(ctx, "unknown command '%s %s'",
				    words[0], words[1]);
			}
		}
	}
	/* pass 2: options against what the command takes, and positionals */
	memset(&a, 0, sizeof(a));
	snprintf(ctx, sizeof(ctx), "%s%s%s%s", nw ? words[0] : "", nw ? " " : "",
	    c ? c->name : "", c ? " " : "");
	dashdash = 0;
	nw = 0;
	for (i = 1; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (dashdash || !is_option(argv[i])) {
			if (nw < (c != NULL ? 2 : 1)) {
				nw++;
				continue;
			}
			if (a.npos == (int)(sizeof(a.pos) / sizeof(a.pos[0])))
				usage_error(ctx, "too many arguments");
			a.pos[a.npos++] = argv[i];
			continue;
		}
		o = find_opt(argv[i], &inl);
		if (o < 0 || (!(BIT(o) & GLOBAL) &&
		    (c == NULL || !(BIT(o) & c->allowed))))
			usage_error(ctx, "unknown option '%s'%s%.*s", argv[i],
			    c ? " for " : "", c ? (int)strlen(ctx) - 1 : 0, ctx);
		if (opts[o].arg) {
			if (inl == NULL) {
				if (i + 1 >= argc)
					usage_error(ctx, "option %s needs a "
					    "value", opts[o].lng);
				inl = argv[++i];
			}
			if (*inl == '\0')
				usage_error(ctx, "option %s needs a value, not an "
				    "empty string", opts[o].lng);
			a.val[o] = inl;
		} else
			a.val[o] = "";
		given |= BIT(o);
	}
	if (a.val[O_VERSION] != NULL) {
		printf("sluice %s\n", SLUICE_VERSION);
		return 0;
	}
	if (a.val[O_HELP] != NULL || words[0] == NULL) {
		help(a.val[O_HELP] != NULL ? stdout : stderr,
		    words[0], c);
		return a.val[O_HELP] != NULL ? 0 : EX_USAGE;
	}
	if (c == NULL) {
		help(stderr, words[0], NULL);
		return EX_USAGE;
	}
	if (a.npos < c->minpos)
		usage_error(ctx, "missing argument: sluice %s %s %s", c->group,
		    c->name, c->synopsis);
	if (a.npos > c->maxpos)
		usage_error(ctx, "unexpected argument '%s'", a.pos[c->maxpos]);
	/* names first: a bad name must not create a spool */
	if (c->minpos > 0)
		need_name(c->what, a.pos[0]);
	if (a.val[O_POOL] != NULL)
		need_name("work pool", a.val[O_POOL]);
	if (sl_config_load(&cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	if (sl_spool_resolve(&spool, a.val[O_SPOOL], &cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	rc = c->fn(&spool, &cf, &a);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		sl_warn("cannot write the output: %s", strerror(errno));
		rc = EX_FAIL;
	}
	sl_spool_free(&spool);
	sl_config_free(&cf);
	return rc;
}
