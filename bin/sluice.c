/*
 * sluice - the front end: work pools and work queues (sluice-work-pool(1), sluice-work-queue(1)).
 *
 *	sluice [--spool DIR] [--json] GROUP COMMAND [ARGS]
 *
 * Options may stand before or after the command words; "--" ends options.
 * Parsing is two passes: the first finds the command words (skipping the
 * arguments of every option that takes one), the second checks the options
 * against what that command accepts.  Everything that touches the spool is
 * in libsluice; this file parses, calls and prints.
 *
 * Exit status: 0 done, 1 refused or failed, 2 usage (sluice(1), EXIT STATUS).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <strings.h>
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
	O_HOURS, O_PRIORITY, O_FORCE, O_QUEUE, O_AT, O_NAME, O_RETRIES,
	O_RETRY_DELAY, O_TIMEOUT, O_CWD, O_ENV, O_STATE, O_FOLLOW, O_CRON,
	O_INTERVAL, O_ANCHOR, O_TIMEZONE, O_NOPT
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
	[O_FORCE] = { "--force", NULL, 0 },
	[O_QUEUE] = { "--queue", "-q", 1 },
	[O_AT] = { "--at", NULL, 1 },
	[O_NAME] = { "--name", NULL, 1 },
	[O_RETRIES] = { "--retries", NULL, 1 },
	[O_RETRY_DELAY] = { "--retry-delay", NULL, 1 },
	[O_TIMEOUT] = { "--timeout", NULL, 1 },
	[O_CWD] = { "--cwd", NULL, 1 },
	[O_ENV] = { "--env", NULL, 1 },
	[O_STATE] = { "--state", NULL, 1 },
	[O_FOLLOW] = { "--follow", "-f", 0 },
	[O_CRON] = { "--cron", NULL, 1 },
	[O_INTERVAL] = { "--interval", NULL, 1 },
	[O_ANCHOR] = { "--anchor", NULL, 1 },
	[O_TIMEZONE] = { "--timezone", NULL, 1 },
};

#define BIT(o)	(1u << (o))
#define GLOBAL	(BIT(O_SPOOL) | BIT(O_HELP) | BIT(O_VERSION))

struct args {
	const char *val[O_NOPT];	/* last value, or "" for a flag given */
	const char **all[O_NOPT];	/* every value, for repeatable options */
	int	nall[O_NOPT];
	const char *pos[64];		/* positionals after the command words */
	int	npos;
	char  **tail;			/* submit: the command's argv */
	int	ntail;
};

struct cmd {
	const char *group, *name;
	unsigned allowed;		/* options besides GLOBAL */
	int	minpos, maxpos;
	int	tail;			/* takes a command's argv at the end */
	const char *what;		/* what the first argument names, or NULL */
	const char *synopsis;
	int	(*fn)(const struct sl_spool *, const struct sl_config *,
		    struct args *);
};

static struct sl_spool spool;
struct args;
static int load_runs(const struct sl_config *, const char *, int,
    struct sl_runs *);
static void run_json(struct sl_buf *, const struct sl_run *, time_t,
    const struct sl_config *);
static void add_pos(struct args *, const char *);
static int is_single(const char *);
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

/* ---- JSON objects (sluice-flow-run(1), JSON) ---- */

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


static void
pool_json(struct sl_buf *b, const struct sl_config *cf, const struct sl_pool *p)
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
	sl_json_long(b, sl_pool_agents_online(&spool, p->name, time(NULL),
	    sl_offline_after(cf)), 0);
	sl_json_key(b, &f, "runs");
	sl_buf_add(b, "{", 1);
	sl_pool_run_counts(&spool, p->name, counts);
	for (i = 0; i < SL_NSTATES; i++) {
		if (counts[i] == 0)
			continue;
		sl_json_key(b, &g, sl_state_names[i]);
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
	long	counts[SL_NSTATES];
	size_t	i;
	int	k = 0;

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
		sl_buf_printf(&b, "],\n    agents_online=%d,\n    agents=[",
		    sl_pool_agents_online(&spool, p.name, time(NULL),
		    sl_offline_after(cf)));
		{
			struct sl_agent *g;
			size_t	ng, j;

			if (sl_agents_load(&spool, p.name, &g, &ng) == 0) {
				for (j = 0; j < ng; j++)
					sl_buf_printf(&b, "%s'%s on %s: %s'",
					    j ? ", " : "", g[j].name[0] ?
					    g[j].name : g[j].id, g[j].host[0] ?
					    g[j].host : "?", g[j].registered &&
					    sl_agent_online(&g[j], time(NULL),
					    sl_offline_after(cf)) ?
					    "online" : "offline");
				sl_agents_free(g, ng);
			}
		}
		sl_buf_puts(&b, "],\n    runs={");
		sl_pool_run_counts(&spool, p.name, counts);
		for (i = 0; i < SL_NSTATES; i++)
			if (counts[i] != 0)
				sl_buf_printf(&b, "%s'%s': %ld", k++ ? ", " : "",
				    sl_state_names[i], counts[i]);
		sl_buf_puts(&b, "},\n)\n");
	}
	emit(&b);
	sl_pool_free(&p);
	return 0;
}

static int
cmpsched_desc(const void *x, const void *y)
{
	const struct sl_run *a = x, *b = y;

	if (a->spec.scheduled != b->spec.scheduled)
		return a->spec.scheduled > b->spec.scheduled ? -1 : 1;
	return strcmp(a->id, b->id);
}

/*
 * preview - the Scheduled runs of a pool (or one queue) due within the
 * next H hours, Late ones included and marked, latest first as Prefect
 * shows them.  Unlike Prefect's pool preview, --hours is honoured.
 */
static int
preview(const struct sl_config *cf, const char *pool, const char *queue,
    struct args *a)
{
	static const char *hdr[] = { "Scheduled Start Time", "Run ID", "Name",
	    "Deployment ID" };
	struct sl_buf b = { 0 };
	struct sl_table *t;
	struct sl_runs rs;
	time_t	now = time(NULL);
	long	hours = 1;
	size_t	i, shown = 0;
	char	when_s[48], w[40];

	if (a->val[O_HOURS] != NULL)
		hours = need_num("number of hours", a->val[O_HOURS], 0);
	if (load_runs(cf, pool, 0, &rs) < 0)
		return EX_FAIL;
	qsort(rs.v, rs.n, sizeof(*rs.v), cmpsched_desc);
	t = sl_table_new(NULL, 4, hdr);
	for (i = 0; i < rs.n; i++) {
		struct sl_run *r = &rs.v[i];
		const char *row[4];

		if (r->state != SL_SCHEDULED ||
		    (queue != NULL && strcmp(r->queue, queue) != 0) ||
		    r->spec.scheduled > now + hours * 3600)
			continue;
		shown++;
		if (a->val[O_JSON] != NULL) {
			run_json(&b, r, now, cf);
			continue;
		}
		snprintf(when_s, sizeof(when_s), "%s%s",
		    sl_time_fmt(r->spec.scheduled, w, sizeof(w)),
		    now - r->spec.scheduled > cf->late_after ? " (**)" : "");
		row[0] = when_s;
		row[1] = r->id;
		row[2] = r->spec.name ? r->spec.name : "";
		row[3] = r->spec.deployment ? r->spec.deployment : "";
		sl_table_row(t, row);
	}
	if (a->val[O_JSON] != NULL) {
		if (b.s != NULL)
			emit(&b);
	} else if (shown == 0)
		printf("No runs found - try increasing how far into the future "
		    "you preview with the --hours flag\n");
	else
		sl_table_print(t, stdout, boxed(), "(**) denotes a late run");
	sl_table_free(t);
	sl_runs_free(&rs);
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
	return preview(cf, a->pos[0], NULL, a);
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
	return preview(cf, p.name, a->pos[0], a);
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

/* ---- runs ---- */

static void
add_pos(struct args *a, const char *w)
{
	if (a->npos == (int)(sizeof(a->pos) / sizeof(a->pos[0])))
		usage_error(NULL, "too many arguments");
	a->pos[a->npos++] = w;
}

static void
json_time_or_null(struct sl_buf *b, time_t t)
{
	sl_json_time(b, t);
}

/* run_json - one run as the object of sluice-flow-run(1), JSON */
static void
run_json(struct sl_buf *b, const struct sl_run *r, time_t now,
    const struct sl_config *cf)
{
	int	f = 1;

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
	sl_json_str(b, sl_run_display(r, now, cf->late_after));
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
	json_time_or_null(b, r->spec.created);
	sl_json_key(b, &f, "started");
	json_time_or_null(b, r->started);
	sl_json_key(b, &f, "ended");
	json_time_or_null(b, r->ended);
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
	sl_buf_puts(b, "}\n");
}

/*
 * explain - why a Scheduled run is waiting, in words (sluice-flow-run(1), JSON): what
 * holds it first, in the order a dispatcher would find it.
 */
static void
explain(struct sl_run *r, struct sl_pool *p, const struct sl_runs *all,
    const struct sl_agent *ag, size_t nag, time_t now, long window)
{
	struct sl_queue *q = sl_pool_queue(p, r->queue);
	long	inq = 0, inp = 0;
	size_t	i;
	int	agents = 0;
	char	t[40];

	if (r->state != SL_SCHEDULED || r->message[0] != '\0')
		return;		/* a message of its own (run.ini unreadable) */
	for (i = 0; i < nag; i++)
		agents += ag[i].registered && sl_agent_online(&ag[i], now,
		    window) && sl_agent_serves(&ag[i], r->queue);
	for (i = 0; i < all->n; i++) {
		if (all->v[i].state != SL_PENDING && all->v[i].state != SL_RUNNING)
			continue;
		inp++;
		if (strcmp(all->v[i].queue, r->queue) == 0)
			inq++;
	}
	if (r->spec.scheduled > now)
		snprintf(r->message, sizeof(r->message), "scheduled in the "
		    "future, for %s", sl_time_fmt(r->spec.scheduled, t, sizeof(t)));
	else if (p->paused)
		snprintf(r->message, sizeof(r->message), "work pool '%s' is "
		    "paused", p->name);
	else if (q != NULL && q->paused)
		snprintf(r->message, sizeof(r->message), "work queue '%s' is "
		    "paused", q->name);
	else if (p->limit != SL_NOLIMIT && inp >= p->limit)
		snprintf(r->message, sizeof(r->message), "work pool '%s' is at "
		    "its limit %ld/%ld", p->name, inp, p->limit);
	else if (q != NULL && q->limit != SL_NOLIMIT && inq >= q->limit)
		snprintf(r->message, sizeof(r->message), "work queue '%s' is at "
		    "its limit %ld/%ld", q->name, inq, q->limit);
	else if (agents == 0)
		snprintf(r->message, sizeof(r->message), "no agent serves work "
		    "queue '%s' of work pool '%s'", r->queue, p->name);
	else
		snprintf(r->message, sizeof(r->message), "waiting for an agent "
		    "to claim it");
}

/* load_runs - accept drops, then every run of the pools named (all: NULL) */
static int
load_runs(const struct sl_config *cf, const char *only_pool, int cleanup,
    struct sl_runs *rs)
{
	char  **names, *one[1];
	size_t	n, i;
	time_t	now = time(NULL);

	memset(rs, 0, sizeof(*rs));
	if (only_pool != NULL) {
		if (!sl_pool_exists(&spool, only_pool)) {
			sl_warn("Work pool '%s' not found.", only_pool);
			return -1;
		}
		one[0] = sl_xstrdup(only_pool);
		names = sl_xmalloc(sizeof(char *));
		names[0] = one[0];
		n = 1;
	} else if (sl_pool_names(&spool, &names, &n) < 0) {
		sl_warn("cannot list the pools of %s: %s", spool.root,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct sl_runs pr = { 0 };
		struct sl_pool p;
		size_t	j;

		if (sl_accept_pool(&spool, names[i], err, sizeof(err)) < 0)
			sl_warn("%s", err);
		if (cleanup)
			(void)sl_cleanup_pool(&spool, names[i], cf->keep_days,
			    sl_stale_after(cf), now, 1);
		sl_runs_pool(&spool, names[i], &pr);
		if (sl_pool_load(&spool, names[i], &p, err, sizeof(err)) == 0) {
			struct sl_agent *ag = NULL;
			size_t	nag = 0;

			(void)sl_agents_load(&spool, names[i], &ag, &nag);
			for (j = 0; j < pr.n; j++)
				explain(&pr.v[j], &p, &pr, ag, nag, now,
				    sl_offline_after(cf));
			sl_agents_free(ag, nag);
			sl_pool_free(&p);
		}
		rs->v = sl_xrealloc(rs->v, (rs->n + pr.n + 1) * sizeof(*rs->v));
		if (pr.n > 0)
			memcpy(rs->v + rs->n, pr.v, pr.n * sizeof(*pr.v));
		rs->n += pr.n;
		free(pr.v);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int
state_matches(const struct sl_run *r, const char *want, time_t now,
    const struct sl_config *cf)
{
	return strcasecmp(want, sl_run_display(r, now, cf->late_after)) == 0 ||
	    strcasecmp(want, sl_state_names[r->state]) == 0;
}

static const char *const state_words[] = { "Scheduled", "Late",
	"AwaitingRetry", "Pending", "Running", "Cancelling", "Completed",
	"Failed", "Crashed", "Cancelled", "Rejected", NULL };

static void
need_states(struct args *a)
{
	int	i, j;

	for (i = 0; i < a->nall[O_STATE]; i++) {
		for (j = 0; state_words[j] != NULL; j++)
			if (strcasecmp(a->all[O_STATE][i], state_words[j]) == 0)
				break;
		if (state_words[j] == NULL)
			usage_error(NULL, "unknown state '%s': one of Scheduled, "
			    "Late, AwaitingRetry, Pending, Running, Cancelling, "
			    "Completed, Failed, Crashed, Cancelled, Rejected",
			    a->all[O_STATE][i]);
	}
}

/* selected - does run r pass the -q and --state filters? */
static int
selected(const struct sl_run *r, struct args *a, time_t now,
    const struct sl_config *cf)
{
	int	i;

	if (a->val[O_QUEUE] != NULL && strcmp(r->queue, a->val[O_QUEUE]) != 0)
		return 0;
	if (a->nall[O_STATE] == 0)
		return 1;
	for (i = 0; i < a->nall[O_STATE]; i++)
		if (state_matches(r, a->all[O_STATE][i], now, cf))
			return 1;
	return 0;
}

static time_t
when(const struct sl_run *r)
{
	if (r->ended)
		return r->ended;
	if (r->started)
		return r->started;
	return r->state == SL_REJECTED ? r->spec.created : r->spec.scheduled;
}

static int
cmpwhen(const void *x, const void *y)
{
	const struct sl_run *a = x, *b = y;

	if (when(a) != when(b))
		return when(a) > when(b) ? -1 : 1;	/* newest first */
	return strcmp(a->id, b->id);
}

static int
fr_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "ID", "Name", "Pool", "Queue", "State",
	    "When" };
	struct sl_buf b = { 0 };
	struct sl_runs rs;
	struct sl_table *t;
	time_t	now = time(NULL);
	char	w[40];
	size_t	i;

	(void)sp;
	need_states(a);
	if (load_runs(cf, a->val[O_POOL], 1, &rs) < 0)
		return EX_FAIL;
	qsort(rs.v, rs.n, sizeof(*rs.v), cmpwhen);
	t = sl_table_new("Flow Runs", 6, hdr);
	for (i = 0; i < rs.n; i++) {
		const char *row[6];

		if (!selected(&rs.v[i], a, now, cf))
			continue;
		if (a->val[O_JSON] != NULL) {
			run_json(&b, &rs.v[i], now, cf);
			continue;
		}
		row[0] = rs.v[i].id;
		row[1] = rs.v[i].spec.name ? rs.v[i].spec.name : "";
		row[2] = rs.v[i].pool;
		row[3] = rs.v[i].queue;
		row[4] = sl_run_display(&rs.v[i], now, cf->late_after);
		row[5] = when(&rs.v[i]) ? sl_time_fmt(when(&rs.v[i]), w,
		    sizeof(w)) : "";
		sl_table_row(t, row);
	}
	if (a->val[O_JSON] != NULL) {
		if (b.s != NULL)
			emit(&b);
	} else
		sl_table_print(t, stdout, boxed(), NULL);
	sl_table_free(t);
	sl_runs_free(&rs);
	return 0;
}

static int
find_run(const char *ref, struct sl_runs *rs, struct sl_run **r,
    const struct sl_config *cf)
{
	struct sl_pool p;
	time_t	now = time(NULL);

	if (sl_run_find(&spool, ref, rs, r, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		sl_runs_free(rs);
		return -1;
	}
	if (sl_pool_load(&spool, (*r)->pool, &p, err, sizeof(err)) == 0) {
		struct sl_agent *ag = NULL;
		size_t	nag = 0;

		(void)sl_agents_load(&spool, (*r)->pool, &ag, &nag);
		explain(*r, &p, rs, ag, nag, now,
		    sl_offline_after(cf));
		sl_agents_free(ag, nag);
		sl_pool_free(&p);
	}
	return 0;
}

static int
fr_inspect(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_buf b = { 0 };
	struct sl_runs rs;
	struct sl_run *r;
	time_t	now = time(NULL);
	char	*line, *nl, *js;

	(void)sp;
	if (find_run(a->pos[0], &rs, &r, cf) < 0)
		return EX_FAIL;
	run_json(&b, r, now, cf);
	if (a->val[O_JSON] != NULL) {
		emit(&b);
		sl_runs_free(&rs);
		return 0;
	}
	/* the same fields, one per line, as Prefect's FlowRun(...) */
	printf("FlowRun(\n");
	js = b.s + 1;
	js[strlen(js) - 2] = '\0';	/* drop "}\n" */
	for (line = js; line != NULL && *line; line = nl) {
		/* split at top-level commas: values are JSON, keys plain */
		int	inq = 0;
		char   *c;

		for (c = line; *c; c++) {
			if (*c == '\\' && inq) {
				c++;
				continue;
			}
			if (*c == '"')
				inq = !inq;
			if (*c == ',' && !inq)
				break;
		}
		nl = *c ? c + 1 : NULL;
		*c = '\0';
		c = strchr(line, ':');
		printf("    %.*s=%s,\n", (int)(c - line - 2), line + 1, c + 1);
	}
	printf(")\n");
	sl_buf_free(&b);
	sl_runs_free(&rs);
	return 0;
}

static int
fr_logs(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runs rs;
	struct sl_run *r;
	char	id[SL_UUID_LEN + 1], buf[8192], *path;
	off_t	off = 0;
	ssize_t	n;
	int	fd = -1, final;

	(void)sp;
	if (find_run(a->pos[0], &rs, &r, cf) < 0)
		return EX_FAIL;
	memcpy(id, r->id, sizeof(id));
	for (;;) {
		final = r->state >= SL_COMPLETED;
		if (fd < 0) {
			path = sl_path(r->dir, "log", (char *)NULL);
			fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			free(path);
			if (fd < 0 && errno == EACCES) {
				/* 0640, the owner's group (perm.c) */
				sl_warn("Permission denied: the log of flow run "
				    "'%s' is readable by its owner only.", id);
				sl_runs_free(&rs);
				return EX_FAIL;
			}
			if (fd >= 0 && lseek(fd, off, SEEK_SET) < 0)
				off = 0;
		}
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			off += n;
		}
		fflush(stdout);
		if (a->val[O_FOLLOW] == NULL || final)
			break;
		/* RACE: the run's directory moves as its state changes; an
		 * open log keeps reading across the rename, and we look the
		 * run up again to learn when it has ended. */
		sleep(1);
		sl_runs_free(&rs);
		if (sl_run_find(&spool, id, &rs, &r, err, sizeof(err)) < 0)
			break;
		if (r->state >= SL_COMPLETED && fd >= 0) {
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				fwrite(buf, 1, (size_t)n, stdout);
			break;
		}
	}
	if (off == 0 && a->val[O_FOLLOW] == NULL)
		fprintf(stderr, "No logs for flow run '%s' (%s).\n", id,
		    sl_state_names[r->state]);
	if (fd >= 0)
		close(fd);
	sl_runs_free(&rs);
	return 0;
}

/*
 * by_request - act on a run through a request to a privileged acceptor
 * (perm.c), for a user who may act on it but cannot write the spool, and
 * wait a little for it to be carried out.  0 done or under way.
 */
static int
by_request(struct sl_run *r, const char *action, const struct sl_config *cf)
{
	struct sl_runs rs;
	struct sl_run *now;
	char	id[SL_UUID_LEN + 1];
	struct timespec ts = { 0, 200 * 1000000L };
	int	i, done = 0;

	if (sl_perm_request(&spool, r, action, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	memcpy(id, r->id, sizeof(id));
	/* a watching dispatcher or agent takes it at once; others at their
	 * next pass, poll_seconds away */
	for (i = 0; i < 5 * (cf->poll_seconds + 2) && !done; i++) {
		nanosleep(&ts, NULL);
		if (sl_run_find(&spool, id, &rs, &now, err, sizeof(err)) < 0) {
			sl_runs_free(&rs);
			done = strcmp(action, "delete") == 0 ? 1 : 0;
			continue;	/* gone, or moving */
		}
		if (strcmp(action, "cancel") == 0 &&
		    (now->state == SL_CANCELLED || now->cancelling ||
		    now->state >= SL_COMPLETED))
			done = now->state == SL_CANCELLED ? 1 : now->cancelling ?
			    2 : 3;
		sl_runs_free(&rs);
	}
	if (done == 0)
		printf("Asked for flow run '%s' to be %s: the spool is not "
		    "writable by you, so a dispatcher or agent of work pool '%s' "
		    "running as root or as the spool's owner carries it out at "
		    "its next pass.\n", id, strcmp(action, "cancel") == 0 ?
		    "cancelled" : "deleted", r->pool);
	else if (strcmp(action, "delete") == 0)
		printf("Deleted flow run '%s'.\n", id);
	else if (done == 1)
		printf("Cancelled flow run '%s'.\n", id);
	else if (done == 2)
		printf("Flow run '%s' was successfully scheduled for "
		    "cancellation.\n", id);
	else {
		sl_warn("Flow run '%s' ended before the cancel was carried out.",
		    id);
		return EX_FAIL;
	}
	return 0;
}

static int
cancel_one(struct sl_run *r, const struct sl_config *cf)
{
	int	was = r->state, rc;

	/* who may cancel whose run (perm.c): others get exit 1 */
	if (sl_perm_may_act(&spool, r, "cancel", err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	if (r->state < SL_COMPLETED && sl_perm_needs_request(&spool, r))
		return by_request(r, "cancel", cf);
	rc = sl_run_cancel(&spool, r, err, sizeof(err));
	if (rc != 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	if (was == SL_SCHEDULED)
		printf("Cancelled flow run '%s'.\n", r->id);
	else
		printf("Flow run '%s' was successfully scheduled for "
		    "cancellation.\n", r->id);
	return 0;
}

static int
fr_cancel(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runs rs;
	struct sl_run *r;
	time_t	now = time(NULL);
	size_t	i;
	int	rc = 0, k, hits = 0, others = 0;

	(void)sp;
	need_states(a);
	if (a->npos > 0) {
		if (a->val[O_POOL] || a->val[O_QUEUE] || a->nall[O_STATE])
			usage_error(NULL, "give runs, or -p POOL [-q QUEUE] "
			    "--state STATE, not both");
		for (k = 0; k < a->npos; k++) {
			if (find_run(a->pos[k], &rs, &r, cf) < 0) {
				rc = EX_FAIL;
				continue;
			}
			if (cancel_one(r, cf) != 0)
				rc = EX_FAIL;
			sl_runs_free(&rs);
		}
		return rc;
	}
	if (a->val[O_POOL] == NULL || a->nall[O_STATE] == 0)
		usage_error(NULL, "missing argument: sluice flow-run cancel RUN... "
		    "| -p POOL [-q QUEUE] --state STATE");
	if (load_runs(cf, a->val[O_POOL], 0, &rs) < 0)
		return EX_FAIL;
	for (i = 0; i < rs.n; i++) {
		if (!selected(&rs.v[i], a, now, cf) || rs.v[i].state >= SL_COMPLETED)
			continue;
		/* a bulk cancel leaves other users' runs alone */
		if (sl_perm_may_act(&spool, &rs.v[i], "cancel", err,
		    sizeof(err)) < 0) {
			others++;
			continue;
		}
		hits++;
		if (cancel_one(&rs.v[i], cf) != 0)
			rc = EX_FAIL;
	}
	if (others > 0)
		sl_warn("left %d flow run%s of other users alone (not yours to "
		    "cancel)", others, others == 1 ? "" : "s");
	if (hits == 0)
		printf("No flow runs to cancel.\n");
	sl_runs_free(&rs);
	return rc;
}

static int
fr_delete(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runs rs;
	struct sl_run *r;
	int	rc = 0;

	(void)sp;
	if (find_run(a->pos[0], &rs, &r, cf) < 0)
		return EX_FAIL;
	/* who may delete whose run (perm.c): others get exit 1 */
	if (sl_perm_may_act(&spool, r, "delete", err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		rc = EX_FAIL;
	} else if (r->state != SL_PENDING && r->state != SL_RUNNING &&
	    sl_perm_needs_request(&spool, r))
		rc = by_request(r, "delete", cf);
	else if (sl_run_delete(&spool, r, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		rc = EX_FAIL;
	} else
		printf("Deleted flow run '%s'.\n", r->id);
	sl_runs_free(&rs);
	return rc;
}

/* copy_arg - a value for the run file, or exit 2 saying why not */
static char *
storable(const char *what, const char *v)
{
	char   *q = sl_ini_quote(v);

	if (q == NULL)
		usage_error(NULL, "%s cannot be stored in a run file: it holds a "
		    "newline, both kinds of quote, or is over 900 bytes", what);
	free(q);
	return sl_xstrdup(v);
}

static void run_opts(struct args *, struct sl_runspec *);

static int
submit(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runspec r;
	const char *q = a->val[O_QUEUE] ? a->val[O_QUEUE] : SL_DEFAULT_QUEUE;

	(void)cf;
	if (a->ntail == 0 || a->tail[0][0] == '\0')
		usage_error(NULL, "missing command: sluice submit -p POOL -- "
		    "COMMAND [ARG...]");
	if (a->val[O_POOL] == NULL)
		usage_error(NULL, "missing -p POOL: a run goes into a work pool");
	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "%s", a->val[O_POOL]);
	snprintf(r.queue, sizeof(r.queue), "%s", q);
	r.scheduled = time(NULL);	/* --at @0 is 1970, not "now" */
	if (a->val[O_AT] != NULL && sl_time_parse(a->val[O_AT], time(NULL),
	    &r.scheduled) < 0)
		usage_error(NULL, "invalid time '%s': use RFC 3339 with an offset "
		    "(2026-11-28T14:00:00Z), @EPOCH, now, or +N[smhd]",
		    a->val[O_AT]);
	if (a->val[O_NAME] != NULL) {
		const char *c;

		for (c = a->val[O_NAME]; *c && (unsigned char)*c >= 0x20 &&
		    *c != 0x7f; c++)
			;
		if (*c != '\0' || strlen(a->val[O_NAME]) > 200)
			usage_error(NULL, "invalid run name: 1 to 200 printable "
			    "characters");
		r.name = storable("the run name", a->val[O_NAME]);
	}
	run_opts(a, &r);
	if (!sl_pool_exists(sp, r.pool)) {
		sl_warn("Work pool '%s' not found. Create it with 'sluice "
		    "work-pool create %s'.", r.pool, r.pool);
		sl_runspec_free(&r);
		return EX_FAIL;
	}
	{
		/* a user who cannot write the pool's private tmp/ or the
		 * queue's sched/ (a shared spool) goes through the queue's
		 * drop box (perm.c); the id printed is the one its acceptor
		 * gives it */
		char   *pt = sl_path(sp->root, "pools", r.pool, "tmp",
		    (char *)NULL);
		char   *qd = sl_queue_dir(sp, r.pool, r.queue);
		char   *qs = sl_path(qd, "sched", (char *)NULL);
		int	drop = !sl_perm_privileged(sp) &&
		    (!sl_perm_can_write(pt) || !sl_perm_can_write(qs));

		free(pt);
		free(qd);
		free(qs);
		if (drop) {
			if (sl_perm_submit_drop(sp, &r, err, sizeof(err)) < 0) {
				sl_warn("%s", err);
				sl_runspec_free(&r);
				return EX_FAIL;
			}
			printf("%s\n", r.id);
			sl_runspec_free(&r);
			return 0;
		}
	}
	if (sl_queue_ensure(sp, r.pool, r.queue, err, sizeof(err)) < 0 ||
	    sl_run_submit(sp, &r, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		sl_runspec_free(&r);
		return EX_FAIL;
	}
	printf("%s\n", r.id);
	sl_runspec_free(&r);
	return 0;
}

/* run_opts - what submit and deployment create take for a run */
static void
run_opts(struct args *a, struct sl_runspec *r_)
{
#define r (*r_)
	struct passwd *pw;
	long	n;
	int	i;

	if (a->val[O_RETRIES] != NULL)
		r.retries = sl_num_parse(a->val[O_RETRIES], 0, 1000, &n) < 0 ?
		    (usage_error(NULL, "invalid --retries '%s': 0 to 1000",
		    a->val[O_RETRIES]), 0) : n;
	/* the ranges a run file allows (sluice-run(5)) */
	if (a->val[O_RETRY_DELAY] != NULL && sl_num_parse(a->val[O_RETRY_DELAY],
	    0, 86400L * 365, &r.retry_delay) < 0)
		usage_error(NULL, "invalid --retry-delay '%s': 0 to 31536000 "
		    "seconds", a->val[O_RETRY_DELAY]);
	if (a->val[O_TIMEOUT] != NULL && sl_num_parse(a->val[O_TIMEOUT], 1,
	    86400L * 365, &r.timeout) < 0)
		usage_error(NULL, "invalid --timeout '%s': 1 to 31536000 seconds",
		    a->val[O_TIMEOUT]);
	if (a->val[O_CWD] != NULL) {
		if (a->val[O_CWD][0] != '/')
			usage_error(NULL, "--cwd %s: must be an absolute path",
			    a->val[O_CWD]);
		r.cwd = storable("the --cwd directory", a->val[O_CWD]);
	}
	for (i = 0; i < a->nall[O_ENV]; i++) {
		const char *e = a->all[O_ENV][i], *eq = strchr(e, '=');
		const char *k;

		if (eq == NULL || eq == e)
			usage_error(NULL, "invalid --env '%s': NAME=VALUE", e);
		for (k = e; k < eq; k++)
			if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
			    *k == '_' || (k > e && *k >= '0' && *k <= '9')))
				usage_error(NULL, "invalid --env name in '%s'", e);
		free(storable("an --env value", eq + 1));
		for (k = e; k < eq; k++)
			;
		for (size_t j = 0; j < r.nenv; j++)
			if (strncasecmp(r.env[j], e, (size_t)(eq - e)) == 0 &&
			    r.env[j][eq - e] == '=')
				usage_error(NULL, "--env %.*s given twice (names "
				    "differing only in case count as one)",
				    (int)(eq - e), e);
		r.env = sl_xrealloc(r.env, (r.nenv + 1) * sizeof(*r.env));
		r.env[r.nenv++] = sl_xstrdup(e);
	}
	r.command = sl_cmd_from_argv(a->ntail, a->tail);
	r.owner_uid = getuid();
	r.owner_gid = (pw = getpwuid(getuid())) != NULL ? (long)pw->pw_gid :
	    (long)getgid();
	/* the run file it becomes must read back as given (sluice-run(5)) */
	if (sl_runspec_check(&r, err, sizeof(err)) < 0)
		usage_error(NULL, "%s", err);
#undef r
}

/* ---- the command table ---- */

#define P	BIT(O_POOL)
#define J	BIT(O_JSON)

/* ---- agent ---- */

static void
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

/* agent ls - the agents of one pool, or of every pool */
static int
agent_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "Name", "ID", "Host", "PID", "Pool",
	    "Queues", "Limit", "Last Heartbeat", "Status" };
	const long window = sl_offline_after(cf);
	struct sl_buf b = { 0 };
	struct sl_table *t = NULL;
	struct sl_agent *g;
	char  **names = NULL, pid[32], lim[32], hb[40], qs[512];
	size_t	n = 0, ng, i, j;
	time_t	now = time(NULL);
	int	online = 0, total = 0;

	if (a->val[O_POOL] != NULL) {
		if (!sl_pool_exists(sp, a->val[O_POOL])) {
			sl_warn("Work pool '%s' not found.", a->val[O_POOL]);
			return EX_FAIL;
		}
		names = sl_xmalloc(sizeof(char *));
		names[0] = sl_xstrdup(a->val[O_POOL]);
		n = 1;
	} else if (sl_pool_names(sp, &names, &n) < 0) {
		sl_warn("cannot list the pools of %s: %s", sp->root,
		    strerror(errno));
		return EX_FAIL;
	}
	if (a->val[O_JSON] == NULL)
		t = sl_table_new("Agents", 9, hdr);
	for (i = 0; i < n; i++) {
		if (sl_agents_load(sp, names[i], &g, &ng) < 0)
			continue;
		for (j = 0; j < ng; j++) {
			int	on = g[j].registered &&
			    sl_agent_online(&g[j], now, window);
			const char *row[9];
			size_t	k;

			online += on;
			total++;
			if (t == NULL) {
				agent_json(&b, &g[j], on);
				continue;
			}
			snprintf(pid, sizeof(pid), "%ld", g[j].pid);
			if (g[j].nqueues == 0)
				snprintf(qs, sizeof(qs), "%s", g[j].match ?
				    g[j].match : "(all)");
			else
				for (k = 0, qs[0] = '\0'; k < g[j].nqueues; k++)
					snprintf(qs + strlen(qs), sizeof(qs) -
					    strlen(qs), "%s%s", k ? "," : "",
					    g[j].queues[k]);
			if (g[j].match != NULL && g[j].nqueues == 0)
				snprintf(qs, sizeof(qs), "%s*", g[j].match);
			row[0] = g[j].name[0] ? g[j].name : "?";
			row[1] = g[j].id;
			row[2] = g[j].host[0] ? g[j].host : "?";
			row[3] = pid;
			row[4] = g[j].pool;
			row[5] = qs;
			row[6] = limit_str(g[j].limit, lim, sizeof(lim));
			row[7] = g[j].beat > 0 ? sl_time_fmt(g[j].beat, hb,
			    sizeof(hb)) : "-";
			row[8] = on ? "online" : "offline";
			sl_table_row(t, row);
		}
		sl_agents_free(g, ng);
	}
	if (t != NULL) {
		char	cap[96];

		snprintf(cap, sizeof(cap), "%d of %d agents online", online,
		    total);
		sl_table_print(t, stdout, boxed(), cap);
		sl_table_free(t);
	} else
		emit(&b);
	sl_strv_free(names, n);
	return 0;
}

/* ---- deployment ---- */

static void
deploy_json(struct sl_buf *b, const struct sl_deploy *d)
{
	char	sch[256];
	int	f = 1;

	sl_deploy_schedule_text(d, sch, sizeof(sch));
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
	sl_json_key(b, &f, "schedule");
	sl_json_str(b, d->cron == NULL && d->interval <= 0 ? NULL : sch);
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

/* schedule_now - make the deployment's runs at once, as a pass would */
static void
schedule_now(const struct sl_spool *sp, const struct sl_config *cf,
    const char *name)
{
	struct sl_deploy d;

	if (sl_deploy_load(sp, name, &d, err, sizeof(err)) == 0) {
		(void)sl_deploy_schedule(sp, &d, time(NULL), cf->keep_days);
		sl_deploy_free(&d);
	}
}

static int
dp_create(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_deploy d;
	const char *name = a->pos[0];
	int	rc;

	if (a->ntail == 0 || a->tail[0][0] == '\0')
		usage_error(ctx, "missing command: sluice deployment create NAME "
		    "-p POOL [...] -- COMMAND [ARG...]");
	if (a->val[O_POOL] == NULL)
		usage_error(ctx, "missing -p POOL: a deployment's runs go into a "
		    "work pool");
	if (a->val[O_CRON] != NULL && a->val[O_INTERVAL] != NULL)
		usage_error(ctx, "give --cron or --interval, not both");
	if (a->val[O_ANCHOR] != NULL && a->val[O_INTERVAL] == NULL)
		usage_error(ctx, "--anchor goes with --interval");
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.pool, sizeof(d.pool), "%s", a->val[O_POOL]);
	snprintf(d.queue, sizeof(d.queue), "%s", a->val[O_QUEUE] ?
	    a->val[O_QUEUE] : SL_DEFAULT_QUEUE);
	d.created = time(NULL);
	if (a->val[O_CRON] != NULL) {
		struct sl_cron c;

		if (sl_cron_parse(a->val[O_CRON], &c, err, sizeof(err)) < 0)
			usage_error(ctx, "invalid --cron '%s': %s", a->val[O_CRON],
			    err);
		if (!sl_ini_value_ok(a->val[O_CRON]))
			usage_error(ctx, "invalid --cron '%s'", a->val[O_CRON]);
		d.cron = sl_xstrdup(a->val[O_CRON]);
	}
	if (a->val[O_INTERVAL] != NULL) {
		if (sl_num_parse(a->val[O_INTERVAL], 1, 86400L * 365,
		    &d.interval) < 0)
			usage_error(ctx, "invalid --interval '%s': 1 to 31536000 "
			    "seconds", a->val[O_INTERVAL]);
		d.anchor = d.created;
		if (a->val[O_ANCHOR] != NULL && sl_time_parse(a->val[O_ANCHOR],
		    d.created, &d.anchor) < 0)
			usage_error(ctx, "invalid --anchor '%s': use RFC 3339 with "
			    "an offset, @EPOCH, now, or +N[smhd]", a->val[O_ANCHOR]);
	}
	if (a->val[O_TIMEZONE] != NULL) {
		if (!sl_tz_ok(a->val[O_TIMEZONE]))
			usage_error(ctx, "unknown --timezone '%s': a name under "
			    "/usr/share/zoneinfo, such as Europe/Paris, or UTC",
			    a->val[O_TIMEZONE]);
		if (strcmp(a->val[O_TIMEZONE], "UTC") != 0)
			d.tz = sl_xstrdup(a->val[O_TIMEZONE]);
	}
	if (sl_uuid(d.id) < 0)
		sl_fatal("getrandom: %s", strerror(errno));
	run_opts(a, &d.tmpl);
	memcpy(d.tmpl.id, d.id, sizeof(d.id));
	snprintf(d.tmpl.pool, sizeof(d.tmpl.pool), "%s", d.pool);
	snprintf(d.tmpl.queue, sizeof(d.tmpl.queue), "%s", d.queue);
	d.tmpl.scheduled = d.tmpl.created = d.created;
	d.tmpl.attempt = 1;
	d.tmpl.deployment = sl_xstrdup(d.name);
	if (!sl_pool_exists(sp, d.pool)) {
		sl_warn("Work pool '%s' not found. Create it with 'sluice "
		    "work-pool create %s'.", d.pool, d.pool);
		sl_deploy_free(&d);
		return EX_FAIL;
	}
	rc = sl_queue_ensure(sp, d.pool, d.queue, err, sizeof(err)) < 0 ||
	    sl_deploy_update(sp, name, NULL, NULL, 1, &d, err, sizeof(err)) < 0;
	sl_deploy_free(&d);
	if (rc) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	schedule_now(sp, cf, name);
	printf("Created deployment '%s' in work pool '%s'.\n", name,
	    a->val[O_POOL]);
	return 0;
}

static int
dp_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "Name", "ID", "Pool", "Queue", "Schedule" };
	struct sl_buf b = { 0 };
	struct sl_table *t = NULL;
	struct sl_deploy d;
	char  **v, nm[SL_NAME_MAX + 8], sch[256];
	size_t	n, i;

	(void)cf;
	if (sl_deploy_names(sp, &v, &n) < 0) {
		sl_warn("cannot list the deployments: %s", strerror(errno));
		return EX_FAIL;
	}
	if (a->val[O_JSON] == NULL)
		t = sl_table_new("Deployments", 5, hdr);
	for (i = 0; i < n; i++) {
		const char *row[5];

		if (sl_deploy_load(sp, v[i], &d, err, sizeof(err)) < 0) {
			sl_warn("%s", err);
			continue;
		}
		if (t == NULL)
			deploy_json(&b, &d);
		else {
			snprintf(nm, sizeof(nm), "%s%s", d.name, d.paused ?
			    " (**)" : "");
			sl_deploy_schedule_text(&d, sch, sizeof(sch));
			row[0] = nm;
			row[1] = d.id;
			row[2] = d.pool;
			row[3] = d.queue;
			row[4] = sch;
			sl_table_row(t, row);
		}
		sl_deploy_free(&d);
	}
	if (t != NULL) {
		sl_table_print(t, stdout, boxed(), "(**) denotes a paused "
		    "deployment");
		sl_table_free(t);
	} else
		emit(&b);
	sl_strv_free(v, n);
	return 0;
}

static int
dp_inspect(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct sl_buf b = { 0 };
	struct sl_deploy d;
	char	sch[256], t[40];

	(void)cf;
	if (sl_deploy_load(sp, a->pos[0], &d, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	if (a->val[O_JSON] != NULL)
		deploy_json(&b, &d);
	else {
		sl_deploy_schedule_text(&d, sch, sizeof(sch));
		sl_buf_printf(&b, "Deployment(\n    name='%s',\n    id='%s',\n"
		    "    pool='%s',\n    queue='%s',\n    command='%s',\n"
		    "    schedule='%s',\n    paused=%s,\n    retries=%ld,\n"
		    "    retry_delay=%ld,\n", d.name, d.id, d.pool, d.queue,
		    d.tmpl.command, sch, d.paused ? "True" : "False",
		    d.tmpl.retries, d.tmpl.retry_delay);
		if (d.tmpl.timeout > 0)
			sl_buf_printf(&b, "    timeout=%ld,\n", d.tmpl.timeout);
		else
			sl_buf_puts(&b, "    timeout=None,\n");
		sl_buf_printf(&b, "    created='%s',\n    version=%lu,\n)\n",
		    sl_time_fmt(d.created, t, sizeof(t)), d.version);
	}
	emit(&b);
	sl_deploy_free(&d);
	return 0;
}

struct dp_edit {
	int	paused;			/* -1: leave */
	const char *pool, *queue;	/* NULL: leave */
};

static int
dp_apply(struct sl_deploy *d, void *arg, char *e, size_t elen)
{
	struct dp_edit *x = arg;
	int	same = 1;

	(void)e;
	(void)elen;
	if (x->paused >= 0 && d->paused != x->paused) {
		d->paused = x->paused;
		same = 0;
	}
	if (x->pool != NULL && (strcmp(d->pool, x->pool) != 0 ||
	    strcmp(d->queue, x->queue) != 0)) {
		snprintf(d->pool, sizeof(d->pool), "%s", x->pool);
		snprintf(d->queue, sizeof(d->queue), "%s", x->queue);
		snprintf(d->tmpl.pool, sizeof(d->tmpl.pool), "%s", x->pool);
		snprintf(d->tmpl.queue, sizeof(d->tmpl.queue), "%s", x->queue);
		same = 0;
	}
	return same;
}

static int
dp_change(const struct sl_spool *sp, const struct sl_config *cf,
    const char *name, struct dp_edit *x)
{
	struct sl_deploy d;

	memset(&d, 0, sizeof(d));
	if (sl_deploy_update(sp, name, dp_apply, x, 0, &d, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	sl_deploy_free(&d);
	/* its Scheduled runs follow at once: taken back, made again */
	schedule_now(sp, cf, name);
	return 0;
}

static int
dp_pause(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct dp_edit x = { 1, NULL, NULL };
	int	rc = dp_change(sp, cf, a->pos[0], &x);

	if (rc == 0)
		printf("Paused deployment '%s'.\n", a->pos[0]);
	return rc;
}

static int
dp_resume(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct dp_edit x = { 0, NULL, NULL };
	int	rc = dp_change(sp, cf, a->pos[0], &x);

	if (rc == 0)
		printf("Resumed deployment '%s'.\n", a->pos[0]);
	return rc;
}

static int
dp_setpool(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct dp_edit x = { -1, a->pos[1], a->val[O_QUEUE] ?
	    a->val[O_QUEUE] : SL_DEFAULT_QUEUE };
	int	rc;

	need_name("work pool", a->pos[1]);
	if (!sl_pool_exists(sp, x.pool)) {
		sl_warn("Work pool '%s' not found. Create it with 'sluice "
		    "work-pool create %s'.", x.pool, x.pool);
		return EX_FAIL;
	}
	if (sl_queue_ensure(sp, x.pool, x.queue, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	if ((rc = dp_change(sp, cf, a->pos[0], &x)) == 0)
		printf("Deployment '%s' now sends its runs to work queue '%s' "
		    "in work pool '%s'.\n", a->pos[0], x.queue, x.pool);
	return rc;
}

static int
dp_delete(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	(void)cf;
	if (sl_deploy_delete(sp, a->pos[0], err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("Deleted deployment '%s'.\n", a->pos[0]);
	return 0;
}

static int
dp_run(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_deploy d;
	char	id[SL_UUID_LEN + 1];
	time_t	when = time(NULL);
	int	rc;

	(void)cf;
	if (a->val[O_AT] != NULL && sl_time_parse(a->val[O_AT], time(NULL),
	    &when) < 0)
		usage_error(ctx, "invalid time '%s': use RFC 3339 with an offset "
		    "(2026-11-28T14:00:00Z), @EPOCH, now, or +N[smhd]",
		    a->val[O_AT]);
	if (sl_deploy_load(sp, a->pos[0], &d, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	rc = sl_deploy_run(sp, &d, when, id, err, sizeof(err));
	sl_deploy_free(&d);
	if (rc < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("%s\n", id);
	return 0;
}

static const struct cmd cmds[] = {
	{ "work-pool", "create", BIT(O_PAUSED) | BIT(O_LIMIT), 1, 1, 0, "work pool",
	    "[--paused] [--limit N] NAME", wp_create },
	{ "work-pool", "ls", J, 0, 0, 0, "work pool", "[--json]", wp_ls },
	{ "work-pool", "inspect", J, 1, 1, 0, "work pool", "NAME [--json]", wp_inspect },
	{ "work-pool", "preview", J | BIT(O_HOURS), 1, 1, 0, "work pool",
	    "NAME [--hours H] [--json]", wp_preview },
	{ "work-pool", "pause", 0, 1, 1, 0, "work pool", "NAME", wp_pause },
	{ "work-pool", "resume", 0, 1, 1, 0, "work pool", "NAME", wp_resume },
	{ "work-pool", "delete", BIT(O_FORCE), 1, 1, 0, "work pool", "NAME [--force]", wp_delete },
	{ "work-pool", "set-concurrency-limit", 0, 2, 2, 0, "work pool", "NAME N", wp_setlimit },
	{ "work-pool", "clear-concurrency-limit", 0, 1, 1, 0, "work pool", "NAME", wp_clearlimit },
	{ "work-queue", "create", P | BIT(O_PRIORITY) | BIT(O_LIMIT), 1, 1, 0, "work queue",
	    "NAME [-p POOL] [--priority N] [--limit N]", wq_create },
	{ "work-queue", "ls", P | J, 0, 0, 0, "work queue", "[-p POOL] [--json]", wq_ls },
	{ "work-queue", "inspect", P | J, 1, 1, 0, "work queue", "NAME [-p POOL] [--json]",
	    wq_inspect },
	{ "work-queue", "preview", P | J | BIT(O_HOURS), 1, 1, 0, "work queue",
	    "NAME [-p POOL] [--hours H] [--json]", wq_preview },
	{ "work-queue", "pause", P, 1, 1, 0, "work queue", "NAME [-p POOL]", wq_pause },
	{ "work-queue", "resume", P, 1, 1, 0, "work queue", "NAME [-p POOL]", wq_resume },
	{ "work-queue", "delete", P, 1, 1, 0, "work queue", "NAME [-p POOL]",
	    wq_delete },
	{ "work-queue", "set-concurrency-limit", P, 2, 2, 0, "work queue", "NAME N [-p POOL]",
	    wq_setlimit },
	{ "work-queue", "clear-concurrency-limit", P, 1, 1, 0, "work queue", "NAME [-p POOL]",
	    wq_clearlimit },
	{ "work-queue", "set-priority", P, 2, 2, 0, "work queue", "NAME N [-p POOL]", wq_setprio },
	{ "submit", NULL, P | BIT(O_QUEUE) | BIT(O_AT) | BIT(O_NAME) |
	    BIT(O_RETRIES) | BIT(O_RETRY_DELAY) | BIT(O_TIMEOUT) | BIT(O_CWD) |
	    BIT(O_ENV), 0, 0, 1, NULL, "-p POOL [-q QUEUE] [--at WHEN] "
	    "[--name NAME] [--retries N] [--retry-delay S] [--timeout S] "
	    "[--cwd DIR] [--env K=V]... -- COMMAND [ARG...]", submit },
	{ "flow-run", "ls", P | BIT(O_QUEUE) | BIT(O_STATE) | J, 0, 0, 0, NULL,
	    "[-p POOL] [-q QUEUE] [--state STATE]... [--json]", fr_ls },
	{ "flow-run", "inspect", J, 1, 1, 0, NULL, "RUN [--json]", fr_inspect },
	{ "flow-run", "logs", BIT(O_FOLLOW), 1, 1, 0, NULL, "RUN [--follow]",
	    fr_logs },
	{ "flow-run", "cancel", P | BIT(O_QUEUE) | BIT(O_STATE), 0, 64, 0, NULL,
	    "RUN... | -p POOL [-q QUEUE] --state STATE", fr_cancel },
	{ "flow-run", "delete", 0, 1, 1, 0, NULL, "RUN", fr_delete },
	{ "agent", "ls", P | J, 0, 0, 0, NULL, "[-p POOL] [--json]", agent_ls },
	{ "deployment", "create", P | BIT(O_QUEUE) | BIT(O_CRON) |
	    BIT(O_INTERVAL) | BIT(O_ANCHOR) | BIT(O_TIMEZONE) | BIT(O_RETRIES) |
	    BIT(O_RETRY_DELAY) | BIT(O_TIMEOUT) | BIT(O_CWD) | BIT(O_ENV), 1, 1,
	    1, "deployment", "NAME -p POOL [-q QUEUE] [--cron EXPR | --interval "
	    "S [--anchor WHEN]] [--timezone TZ] [--retries N] [--retry-delay S] "
	    "[--timeout S] [--cwd DIR] [--env K=V]... -- COMMAND [ARG...]",
	    dp_create },
	{ "deployment", "ls", J, 0, 0, 0, NULL, "[--json]", dp_ls },
	{ "deployment", "inspect", J, 1, 1, 0, "deployment", "NAME [--json]",
	    dp_inspect },
	{ "deployment", "pause", 0, 1, 1, 0, "deployment", "NAME", dp_pause },
	{ "deployment", "resume", 0, 1, 1, 0, "deployment", "NAME", dp_resume },
	{ "deployment", "delete", 0, 1, 1, 0, "deployment", "NAME", dp_delete },
	{ "deployment", "run", BIT(O_AT), 1, 1, 0, "deployment", "NAME [--at WHEN]",
	    dp_run },
	{ "deployment", "set-pool", BIT(O_QUEUE), 2, 2, 0, "deployment",
	    "NAME POOL [-q QUEUE]", dp_setpool },
	{ "agent", "start", 0, 0, 0, 0, NULL, "[-p POOL] [-q QUEUE]... "
	    "[-m PREFIX] [--limit N] [--prefetch-seconds S] [--run-once] "
	    "[--hide-welcome] [--poll-seconds S] [--name NAME]", NULL },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const char *const groups[][2] = {
	{ "work-pool", "manage work pools" },
	{ "work-queue", "manage the work queues of a pool" },
	{ "submit", "put a command into a pool as a new run" },
	{ "flow-run", "list, inspect, follow, cancel and delete runs" },
	{ "deployment", "run templates with schedules" },
	{ "agent", "start an agent (sluice-agent), list agents" },
	{ "dispatch", "hand due runs to agents (sluice-dispatch)" },
};

/* is_single - a command of one word, such as submit */
static int
is_single(const char *w)
{
	size_t	k;

	for (k = 0; k < NCMDS; k++)
		if (strcmp(cmds[k].group, w) == 0 && cmds[k].name == NULL)
			return 1;
	return 0;
}

static void
help(FILE *f, const char *group, const struct cmd *c)
{
	size_t	i, g;

	if (c != NULL) {
		fprintf(f, "usage: sluice %s%s%s %s\n", c->group,
		    c->name ? " " : "", c->name ? c->name : "",
		    c->synopsis);
		if (strcmp(c->group, "agent") == 0)	/* agent ls is sluice's */
			fprintf(f, "See sluice(1) and sluice-agent(8).\n");
		else
			fprintf(f, "See sluice-%s(1).\n", c->group);
		return;
	}
	if (group != NULL) {
		fprintf(f, "usage: sluice %s COMMAND [ARGS]\n\n", group);
		for (i = 0; i < NCMDS; i++)
			if (strcmp(cmds[i].group, group) == 0)
				fprintf(f, "  sluice %s %s %s\n", group,
				    cmds[i].name, cmds[i].synopsis);
		if (strcmp(group, "agent") == 0)
			fprintf(f, "\nSee sluice(1) and sluice-agent(8).\n");
		else
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

/*
 * run_program - exec a sibling program (the one next to this binary, else
 * from $PATH) with our arguments minus the word at skip.
 */
static _Noreturn void
run_program(const char *prog, int argc, char **argv, int skip, int skip2)
{
	char	self[PATH_MAX], *slash, *path;
	char  **av = sl_xmalloc((size_t)argc * sizeof(char *));
	ssize_t	n;
	int	i, k = 0;

	av[k++] = (char *)prog;
	for (i = 1; i < argc; i++)
		if (i != skip && i != skip2)
			av[k++] = argv[i];
	av[k] = NULL;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			path = sl_path(self, prog, (char *)NULL);
			if (access(path, X_OK) == 0)
				execv(path, av);
			free(path);
		}
	}
	execvp(prog, av);
	sl_fatal("cannot run %s: %s (is it installed next to sluice or on "
	    "$PATH?)", prog, strerror(errno));
}

int
main(int argc, char **argv)
{
	const char *words[2] = { NULL, NULL }, *inl;
	const struct cmd *c = NULL;
	static struct sl_config cf;	/* static: reachable when we exit early */
	static struct args a;
	int	i, nw = 0, o, rc, skip;
	size_t	k;

	sl_set_progname(argv[0]);
	/* "sluice dispatch ARGS" is "sluice-dispatch ARGS" (sluice(1)) */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (is_option(argv[i])) {
			o = find_opt(argv[i], &inl);
			if (o >= 0 && opts[o].arg && inl == NULL)
				i++;
			continue;
		}
		if (strcmp(argv[i], "dispatch") == 0)
			run_program("sluice-dispatch", argc, argv, i, -1);
		/* "sluice agent start ARGS" is "sluice-agent ARGS" */
		if (strcmp(argv[i], "agent") == 0) {
			int	j = i + 1;

			while (j < argc && is_option(argv[j]) &&
			    strcmp(argv[j], "--help") != 0) {
				o = find_opt(argv[j], &inl);
				j += 1 + (o >= 0 && opts[o].arg && inl == NULL);
			}
			if (j < argc && strcmp(argv[j], "start") == 0)
				run_program("sluice-agent", argc, argv, i, j);
		}
		break;
	}
	/* pass 1: the command words (one for submit, two for the groups) */
	for (i = 1; i < argc && nw < 2; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (is_option(argv[i])) {
			o = find_opt(argv[i], &inl);
			if (o >= 0 && opts[o].arg && inl == NULL)
				i++;
			continue;
		}
		words[nw++] = argv[i];
		if (nw == 1 && is_single(words[0]))
			break;
	}
	if (nw >= 1) {
		for (k = 0; k < sizeof(groups) / sizeof(groups[0]); k++)
			if (strcmp(words[0], groups[k][0]) == 0)
				break;
		if (k == sizeof(groups) / sizeof(groups[0]))
			usage_error(NULL, "unknown command '%s'", words[0]);
		for (k = 0; k < NCMDS; k++)
			if (strcmp(cmds[k].group, words[0]) == 0 &&
			    (cmds[k].name == NULL || (nw == 2 &&
			    strcmp(cmds[k].name, words[1]) == 0)))
				c = &cmds[k];
		if (c == NULL && nw == 2) {
			snprintf(ctx, sizeof(ctx), "%s ", words[0]);
			usage_error(ctx, "unknown command '%s %s'", words[0],
			    words[1]);
		}
	}
	/* pass 2: options against what the command takes, and positionals */
	memset(&a, 0, sizeof(a));
	if (c != NULL)
		snprintf(ctx, sizeof(ctx), "%s %s%s", c->group,
		    c->name ? c->name : "", c->name ? " " : "");
	else if (nw > 0)
		snprintf(ctx, sizeof(ctx), "%s ", words[0]);
	skip = c != NULL ? (c->name != NULL ? 2 : 1) : (nw > 0 ? 1 : 0);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || (!is_option(argv[i]) &&
		    skip == 0 && c != NULL && c->tail && a.npos >= c->maxpos)) {
			if (c != NULL && c->tail) {
				/* the rest is the command, untouched */
				a.tail = argv + i + (strcmp(argv[i], "--") == 0);
				a.ntail = argc - i - (strcmp(argv[i], "--") == 0);
				break;
			}
			for (i++; i < argc; i++)
				add_pos(&a, argv[i]);
			break;
		}
		if (!is_option(argv[i])) {
			if (skip > 0) {
				skip--;
				continue;
			}
			add_pos(&a, argv[i]);
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
		} else
			inl = "";
		a.val[o] = inl;
		a.all[o] = sl_xrealloc(a.all[o], (a.nall[o] + 1) * sizeof(char *));
		a.all[o][a.nall[o]++] = inl;
	}
	if (a.val[O_VERSION] != NULL) {
		printf("sluice %s\n", SLUICE_VERSION);
		return 0;
	}
	if (a.val[O_HELP] != NULL || words[0] == NULL) {
		help(a.val[O_HELP] != NULL ? stdout : stderr, words[0], c);
		return a.val[O_HELP] != NULL ? 0 : EX_USAGE;
	}
	if (c == NULL) {
		help(stderr, words[0], NULL);
		return EX_USAGE;
	}
	if (a.npos < c->minpos)
		usage_error(ctx, "missing argument: sluice %s%s%s %s", c->group,
		    c->name ? " " : "", c->name ? c->name : "", c->synopsis);
	if (a.npos > c->maxpos)
		usage_error(ctx, "unexpected argument '%s'", a.pos[c->maxpos]);
	/* names first: a bad name must not create a spool */
	if (c->minpos > 0 && c->what != NULL)
		need_name(c->what, a.pos[0]);
	if (a.val[O_POOL] != NULL)
		need_name("work pool", a.val[O_POOL]);
	if (a.val[O_QUEUE] != NULL)
		need_name("work queue", a.val[O_QUEUE]);
	if (sl_config_load(&cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	if (sl_spool_resolve(&spool, a.val[O_SPOOL], &cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	rc = c->fn(&spool, &cf, &a);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		sl_warn("cannot write the output: %s", strerror(errno));
		rc = EX_FAIL;
	}
	for (o = 0; o < O_NOPT; o++)
		free(a.all[o]);
	sl_spool_free(&spool);
	sl_config_free(&cf);
	return rc;
}
