/*
 * pool.c - sluice work-pool and sluice work-queue (sluice-work-pool(1),
 * sluice-work-queue(1)): create, list, inspect, preview, delete, and the
 * settings (pause, resume, concurrency limits, priority), which are one
 * handler per group driven by the command table's row.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

static char err[SL_ERR_MAX];

/* ---- work-pool ---- */

/* load_or_fail - load a pool, or say why not */
static int
load_or_fail(const struct sl_spool *sp, const char *name, struct sl_pool *p)
{
	if (sl_pool_load(sp, name, p, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return -1;
	}
	return 0;
}

/*
 * by_id - the pool (and, with qname, the queue) whose id is ref, for an
 * inspect given an id where Prefect takes a name or an id: only when ref
 * is a UUID and names no pool (or queue) itself.  Fills name (and qname);
 * 0 found, -1 not.  Looks through every pool (or just pool, if given).
 */
static int
by_id(const struct sl_spool *sp, const char *ref, const char *pool,
    char *name, size_t len, char *qname, size_t qlen)
{
	struct sl_pool p;
	char  **names;
	size_t	n, i, j;
	int	found = -1;

	if (!sl_uuid_ok(ref))
		return -1;
	if (pool != NULL) {
		names = sl_xmalloc(sizeof(*names));
		names[0] = sl_xstrdup(pool);
		n = 1;
	} else if (sl_pool_names(sp, &names, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (found < 0 && sl_pool_load(sp, names[i], &p, err,
		    sizeof(err)) == 0) {
			if (qname == NULL && strcmp(p.id, ref) == 0) {
				snprintf(name, len, "%s", p.name);
				found = 0;
			}
			for (j = 0; qname != NULL && j < p.nq; j++)
				if (strcmp(p.q[j].id, ref) == 0) {
					snprintf(name, len, "%s", p.name);
					snprintf(qname, qlen, "%s", p.q[j].name);
					found = 0;
				}
			sl_pool_free(&p);
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* wp_create - sluice work-pool create */
int
wp_create(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);
	long	limit = SL_NOLIMIT;
	int	rc;

	(void)cf;
	/* the one type there is: an agent's (Prefect's default to 2.10.10) */
	if (a->val[O_TYPE] != NULL && strcmp(a->val[O_TYPE], "prefect-agent"))
		usage_error(NULL, "Unknown work pool type '%s'. Please choose "
		    "from prefect-agent.", a->val[O_TYPE]);
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

/* cmpcreated - pools newest first, then by name */
static int
cmpcreated(const void *a, const void *b)
{
	const struct sl_pool *x = a, *y = b;

	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;	/* newest first */
	return strcmp(x->name, y->name);
}

/* wp_ls - sluice work-pool ls */
int
wp_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "Name", "Type", "ID", "Concurrency Limit",
	    "Queues", "Created" };
	const int ncol = a->val[O_VERBOSE] != NULL ? 6 : 4;
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
			pool_json(&b, sp, cf, &pv[i]);
		if (b.s != NULL)
			emit(&b);
	} else {
		t = sl_table_new("Work Pools", ncol, hdr);
		for (i = 0; i < k; i++) {
			const char *row[6];
			struct sl_buf qs = { 0 };
			char	when[40] = "";
			size_t	j;

			snprintf(nm, sizeof(nm), "%s%s", pv[i].name,
			    pv[i].paused ? " (**)" : "");
			row[0] = nm;
			row[1] = pv[i].type;
			row[2] = pv[i].id;
			row[3] = limit_str(pv[i].limit, lim, sizeof(lim));
			/* -v: its queues by priority, and when it was made */
			for (j = 0; j < pv[i].nq; j++)
				sl_buf_printf(&qs, "%s%s", j ? ", " : "",
				    pv[i].q[j].name);
			row[4] = qs.s != NULL ? qs.s : "";
			if (pv[i].created != 0)
				sl_time_fmt(pv[i].created, when, sizeof(when));
			row[5] = when;
			sl_table_row(t, row);
			sl_buf_free(&qs);
		}
		sl_table_print(t, stdout, boxed(), "(**) denotes a paused pool");
		sl_table_free(t);
	}
	for (i = 0; i < k; i++)
		sl_pool_free(&pv[i]);
	free(pv);
	return rc;
}

/* wp_inspect - sluice work-pool inspect */
int
wp_inspect(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);
	char	byid[SL_NAME_MAX + 1];
	struct sl_buf b = { 0 };
	struct sl_pool p;
	int	k = 0;

	/* a name, or as in Prefect the pool's id */
	if (!sl_pool_exists(sp, name) && by_id(sp, name, NULL, byid,
	    sizeof(byid), NULL, 0) == 0)
		name = byid;
	if (load_or_fail(sp, name, &p) < 0)
		return EX_FAIL;
	pool_json(&b, sp, cf, &p);
	if (a->val[O_JSON] != NULL)
		emit(&b);
	else {
		/* the text adds what the contract's JSON keys leave out */
		struct sl_buf x = { 0 };
		struct sl_agent *g;
		size_t	ng, j;
		struct sl_buf who = { 0 };

		sl_json_key(&x, &k, "created");
		sl_json_time(&x, p.created);
		sl_json_key(&x, &k, "agents");
		sl_buf_add(&x, "[", 1);
		if (sl_agents_load(sp, p.name, &g, &ng) == 0) {
			for (j = 0; j < ng; j++) {
				who.len = 0;
				sl_buf_printf(&who, "%s on %s: %s",
				    g[j].name[0] ? g[j].name : g[j].id,
				    g[j].host[0] ? g[j].host : "?",
				    g[j].registered && sl_agent_online(&g[j],
				    time(NULL), sl_offline_after(cf)) ?
				    "online" : "offline");
				if (j > 0)
					sl_buf_add(&x, ",", 1);
				sl_json_str(&x, who.s);
			}
			sl_agents_free(g, ng);
			sl_buf_free(&who);
		}
		sl_buf_add(&x, "]", 1);
		alert_json(&x, p.on_failure, p.on_crash, p.mail);
		inspect_emit("WorkPool", &b, &x, NULL);
	}
	sl_pool_free(&p);
	return 0;
}

/* cmpsched_desc - runs latest scheduled first, then by id */
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
preview(const struct sl_spool *sp, const struct sl_config *cf,
    const char *pool, const char *queue, struct args *a)
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
	/* only the Scheduled runs due in the window are read: a preview
	 * costs what it shows, not the length of the queue */
	if (sl_runs_load_sel(sp, cf, pool, 0, 1u << SL_SCHEDULED,
	    now + hours * 3600, &rs) < 0)
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

/* wp_preview - sluice work-pool preview */
int
wp_preview(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_pool p;

	if (load_or_fail(sp, need_name("work pool", a->pos[0]), &p) < 0)
		return EX_FAIL;
	sl_pool_free(&p);
	return preview(sp, cf, a->pos[0], NULL, a);
}

struct poolset {
	int	paused;			/* -1: leave */
	long	limit;
	int	set_limit;
};

/* edit_pool - sl_pool_update's edit: apply a poolset; 1 (publish no new
 * version) when the pool is already so: a pause of a paused pool, from
 * cron every minute, would pile up versions and wake every agent */
static int
edit_pool(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	struct poolset *ps = arg;
	int	same = 1;

	(void)e;
	(void)elen;
	if (ps->paused >= 0 && p->paused != ps->paused) {
		p->paused = ps->paused;
		same = 0;
	}
	if (ps->set_limit && p->limit != ps->limit) {
		p->limit = ps->limit;
		same = 0;
	}
	return same;
}

static const struct setting wp_settings[] = {
	{ "pause", 1, SET_NONE, "Paused work pool '%s'\n" },
	{ "resume", 0, SET_NONE, "Resumed work pool '%s'\n" },
	{ "set-concurrency-limit", -1, SET_LIMIT, "Set concurrency limit for "
	    "work pool '%s' to %ld\n" },
	{ "clear-concurrency-limit", -1, SET_NOLIMIT, "Cleared concurrency "
	    "limit for work pool '%s'\n" },
	{ NULL, 0, 0, NULL }
};

/*
 * wp_set - sluice work-pool pause, resume, set-concurrency-limit and
 * clear-concurrency-limit: what changes and what is said are the
 * command's row of wp_settings.
 */
int
wp_set(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const struct setting *set = setting_of(wp_settings, a->cmd->name);
	const char *name = need_name("work pool", a->pos[0]);
	struct poolset ps = { set->paused, SL_NOLIMIT, set->what != SET_NONE };

	(void)cf;
	if (set->what == SET_LIMIT)
		ps.limit = need_num("concurrency limit", a->pos[1], 0);
	if (sl_pool_update(sp, name, edit_pool, &ps, NULL, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf(set->said, name, ps.limit);
	return 0;
}

/* edit_alerts - sl_pool_update's edit: apply an alertset; 1 (publish no
 * new version) when it changes nothing, as deployment set-alerts does */
static int
edit_alerts(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	return alert_apply(arg, p->on_failure, p->on_crash, p->mail);
}

/* alert_json - ",on_failure:...,on_crash:...,mail:..." for inspect's
 * text (null for none) */
void
alert_json(struct sl_buf *x, const char *on_failure, const char *on_crash,
    const char *mail)
{
	int	k = 0;

	sl_json_key(x, &k, "on_failure");
	sl_json_str(x, on_failure[0] ? on_failure : NULL);
	sl_json_key(x, &k, "on_crash");
	sl_json_str(x, on_crash[0] ? on_crash : NULL);
	sl_json_key(x, &k, "mail");
	sl_json_str(x, mail[0] ? mail : NULL);
}

/* alert_apply - an alertset onto a pool's or a deployment's settings
 * (SL_HOOK_MAX, SL_HOOK_MAX, SL_MAILTO_MAX bytes); 1 if nothing changed */
int
alert_apply(const struct alertset *as, char *on_failure, char *on_crash,
    char *mail)
{
	char   *dst[3] = { on_failure, on_crash, mail };
	const size_t len[3] = { SL_HOOK_MAX, SL_HOOK_MAX, SL_MAILTO_MAX };
	size_t	i;
	int	same = 1;

	for (i = 0; i < 3; i++)
		if (as->v[i] != NULL && strcmp(dst[i], as->v[i]) != 0) {
			snprintf(dst[i], len[i], "%s", as->v[i]);
			same = 0;
		}
	return same;
}

/*
 * alert_opts - the settings set-alerts (of a pool or a deployment) was
 * given, checked: NULL leaves one, "" clears it ("none"); a usage error
 * when there is none or one cannot be stored
 */
void
alert_opts(struct args *a, struct alertset *as)
{
	static const char *const key[3] = { "on_failure", "on_crash", "mail" };
	static const enum opt o[3] = { O_ON_FAILURE, O_ON_CRASH, O_MAIL };
	static const char *const flag[3] = { "--on-failure", "--on-crash",
	    "--mail" };
	const char *why;
	size_t	i, n = 0;

	for (i = 0; i < 3; i++) {
		if ((as->v[i] = a->val[o[i]]) == NULL)
			continue;
		n++;
		if (strcmp(as->v[i], "none") == 0)
			as->v[i] = "";	/* cleared */
		if ((why = sl_pool_alert_ok(key[i], as->v[i], i == 2 ?
		    SL_MAILTO_MAX : SL_HOOK_MAX)) != NULL)
			usage_error(NULL, "%s: %s", flag[i], why);
	}
	if (n == 0)
		usage_error(NULL, "give --on-failure CMD, --on-crash CMD or "
		    "--mail owner|ADDRESS (none clears one)");
}

/*
 * wp_alerts - sluice work-pool set-alerts: the pool's on_failure and
 * on_crash commands and its mail recipient (alert.c); the value none
 * clears one, one not given is left as it is
 */
int
wp_alerts(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	const char *name = need_name("work pool", a->pos[0]);
	struct alertset as;
	struct sl_pool p;

	(void)cf;
	alert_opts(a, &as);
	if (sl_pool_update(sp, name, edit_alerts, &as, &p, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("Set the alerts of work pool '%s': on_failure %s, on_crash %s, "
	    "mail %s\n", name, p.on_failure[0] ? p.on_failure : "none",
	    p.on_crash[0] ? p.on_crash : "none", p.mail[0] ? p.mail : "none");
	sl_pool_free(&p);
	return 0;
}

/* wp_delete - sluice work-pool delete */
int
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

/* ---- work-queue ---- */

/* queue_pool - the -p pool, default-agent-pool made on first use */
static const char *
queue_pool(const struct sl_spool *sp, struct args *a)
{
	const char *pool = a->val[O_POOL];

	if (pool == NULL || strcmp(pool, SL_DEFAULT_POOL) == 0) {
		if (sl_pool_ensure(sp, SL_DEFAULT_POOL, err, sizeof(err)) < 0)
			sl_fatal("%s", err);
		return SL_DEFAULT_POOL;
	}
	return need_name("work pool", pool);
}

/* load_queue - load the -p pool and find the queue named, or say why not */
static int
load_queue(const struct sl_spool *sp, struct args *a, struct sl_pool *p,
    struct sl_queue **q)
{
	const char *pool = queue_pool(sp, a);
	const char *name = need_name("work queue", a->pos[0]);

	if (load_or_fail(sp, pool, p) < 0)
		return -1;
	if ((*q = sl_pool_queue(p, name)) == NULL) {
		sl_warn("Work queue '%s' not found in work pool '%s'.", name, pool);
		sl_pool_free(p);
		return -1;
	}
	return 0;
}

/* wq_create - sluice work-queue create */
int
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
	pool = queue_pool(sp, a);
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

/* wq_ls - sluice work-queue ls */
/* queue_matches - is q one sluice work-queue ls -m PREFIX shows? */
static int
queue_matches(const struct sl_queue *q, struct args *a)
{
	size_t	i;

	if (a->nall[O_MATCH] == 0)
		return 1;
	for (i = 0; i < (size_t)a->nall[O_MATCH]; i++)
		if (strncmp(q->name, a->all[O_MATCH][i],
		    strlen(a->all[O_MATCH][i])) == 0)
			return 1;
	return 0;
}

/*
 * wq_ls - sluice work-queue ls: the queues of the -p pool, or with no -p
 * of every pool (Prefect's two tables); -m PREFIX only the queues whose
 * names start with it; -v more columns (the queue's id and when it was
 * made, and in the all-pools table its priority)
 */
int
wq_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr1[] = { "Name", "Priority", "Concurrency Limit",
	    "ID", "Created" };
	static const char *hdr_all[] = { "Name", "Pool", "ID",
	    "Concurrency Limit", "Priority", "Created" };
	const int verbose = a->val[O_VERBOSE] != NULL, all = a->val[O_POOL] ==
	    NULL;
	struct sl_buf b = { 0 };
	struct sl_table *t;
	struct sl_pool *pv;
	char	title[128], nm[SL_NAME_MAX + 8], pr[32], lim[32], when[40];
	char	nm2[32], **names;
	size_t	np, i, j, k = 0;
	int	rc = 0;

	(void)cf;
	(void)queue_pool(sp, a);	/* the default pool, made on first use */
	if (all) {
		if (sl_pool_names(sp, &names, &np) < 0) {
			sl_warn("cannot list the pools of %s: %s", sp->root,
			    strerror(errno));
			return EX_FAIL;
		}
	} else {
		names = sl_xmalloc(sizeof(*names));
		names[0] = sl_xstrdup(a->val[O_POOL]);
		np = 1;
	}
	pv = sl_xmalloc((np ? np : 1) * sizeof(*pv));
	for (i = 0; i < np; i++) {
		/* RACE: a pool deleted since the listing is just left out */
		if (all ? sl_pool_load(sp, names[i], &pv[k], err,
		    sizeof(err)) == 0 : load_or_fail(sp, names[i], &pv[k]) == 0)
			k++;
		else if (!all)
			rc = EX_FAIL;
		free(names[i]);
	}
	free(names);
	if (rc != 0) {
		free(pv);
		return rc;
	}
	if (all)
		snprintf(title, sizeof(title), "Work Queues");
	else
		snprintf(title, sizeof(title), "Work Queues in Work Pool '%s'",
		    pv[0].name);
	t = all ? sl_table_new(title, verbose ? 6 : 4, hdr_all) :
	    sl_table_new(title, verbose ? 5 : 3, hdr1);
	for (i = 0; i < k; i++)
		for (j = 0; j < pv[i].nq; j++) {
			const struct sl_queue *q = &pv[i].q[j];
			const char *row[6];

			if (!queue_matches(q, a))
				continue;
			if (a->val[O_JSON] != NULL) {
				queue_json(&b, pv[i].name, q);
				continue;
			}
			snprintf(nm, sizeof(nm), "%s%s", q->name, q->paused ?
			    " (**)" : "");
			snprintf(pr, sizeof(pr), "%ld", q->priority);
			snprintf(lim, sizeof(lim), "%s", limit_str(q->limit, nm2,
			    sizeof(nm2)));
			if (q->created != 0)
				sl_time_fmt(q->created, when, sizeof(when));
			else
				when[0] = '\0';
			row[0] = nm;
			if (all) {
				row[1] = pv[i].name;
				row[2] = q->id;
				row[3] = lim;
				row[4] = pr;
				row[5] = when;
			} else {
				row[1] = pr;
				row[2] = lim;
				row[3] = q->id;
				row[4] = when;
			}
			sl_table_row(t, row);
		}
	if (a->val[O_JSON] != NULL)
		emit(&b);
	else
		sl_table_print(t, stdout, boxed(), "(**) denotes a paused queue");
	sl_table_free(t);
	for (i = 0; i < k; i++)
		sl_pool_free(&pv[i]);
	free(pv);
	return 0;
}

/* wq_inspect - sluice work-queue inspect */
int
wq_inspect(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_buf b = { 0 };
	struct sl_queue *q;
	struct sl_pool p;
	char	pn[SL_NAME_MAX + 1], qn[SL_NAME_MAX + 1];

	(void)cf;
	/* a name, or as in Prefect the queue's id: in the -p pool, or in
	 * any pool without -p */
	if (by_id(sp, a->pos[0], a->val[O_POOL], pn, sizeof(pn), qn,
	    sizeof(qn)) == 0) {
		a->val[O_POOL] = pn;
		a->pos[0] = qn;
	}
	if (load_queue(sp, a, &p, &q) < 0)
		return EX_FAIL;
	queue_json(&b, p.name, q);
	if (a->val[O_JSON] != NULL)
		emit(&b);
	else {
		struct sl_buf x = { 0 };
		int	k = 0;

		sl_json_key(&x, &k, "created");
		sl_json_time(&x, q->created);
		inspect_emit("WorkQueue", &b, &x, NULL);
	}
	sl_pool_free(&p);
	return 0;
}

/* wq_preview - sluice work-queue preview */
int
wq_preview(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_queue *q;
	struct sl_pool p;

	if (load_queue(sp, a, &p, &q) < 0)
		return EX_FAIL;
	sl_pool_free(&p);
	return preview(sp, cf, p.name, a->pos[0], a);
}

struct queueset {
	const char *name;
	int	paused;			/* -1: leave */
	int	set_limit;
	long	limit;
	long	prio;			/* 0: leave */
	struct sl_buf moved;
};

/* edit_queue - sl_pool_update's edit: apply a queueset to its queue */
static int
edit_queue(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	struct queueset *qs = arg;
	struct sl_queue *q = sl_pool_queue(p, qs->name);
	int	same = 1;

	if (q == NULL) {
		snprintf(e, elen, "Work queue '%s' not found in work pool '%s'.",
		    qs->name, p->name);
		return -1;
	}
	if (qs->paused >= 0 && q->paused != qs->paused) {
		q->paused = qs->paused;
		same = 0;
	}
	if (qs->set_limit && q->limit != qs->limit) {
		q->limit = qs->limit;
		same = 0;
	}
	if (qs->prio > 0) {
		sl_buf_free(&qs->moved);	/* a retry starts over */
		sl_pool_place(p, q, qs->prio, &qs->moved);
		same = 0;	/* it may move other queues */
	}
	return same;	/* 1: already so, no new version (edit_pool) */
}

/* the messages name the queue (1$), its pool (2$) and the number (3$) */
static const struct setting wq_settings[] = {
	{ "pause", 1, SET_NONE, "Work queue '%1$s' in work pool '%2$s' "
	    "paused\n" },
	{ "resume", 0, SET_NONE, "Work queue '%1$s' in work pool '%2$s' "
	    "resumed\n" },
	{ "set-concurrency-limit", -1, SET_LIMIT, "Concurrency limit of %3$ld "
	    "set on work queue '%1$s' in work pool '%2$s'\n" },
	{ "clear-concurrency-limit", -1, SET_NOLIMIT, "Concurrency limits "
	    "removed on work queue '%1$s' in work pool '%2$s'\n" },
	{ "set-priority", -1, SET_PRIORITY, "Set priority of work queue '%1$s' "
	    "in work pool '%2$s' to %3$ld\n" },
	{ NULL, 0, 0, NULL }
};

/*
 * wq_set - sluice work-queue pause, resume, set-concurrency-limit,
 * clear-concurrency-limit and set-priority: what changes and what is said
 * are the command's row of wq_settings.
 */
int
wq_set(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const struct setting *set = setting_of(wq_settings, a->cmd->name);
	struct queueset qs = { NULL, set->paused, set->what == SET_LIMIT ||
	    set->what == SET_NOLIMIT, SL_NOLIMIT, 0, { 0 } };
	const char *pool;

	(void)cf;
	if (set->what == SET_LIMIT)
		qs.limit = need_num("concurrency limit", a->pos[1], 0);
	if (set->what == SET_PRIORITY)
		qs.prio = need_num("priority", a->pos[1], 1);
	qs.name = need_name("work queue", a->pos[0]);
	pool = queue_pool(sp, a);
	if (sl_pool_update(sp, pool, edit_queue, &qs, NULL, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		sl_buf_free(&qs.moved);
		return EX_FAIL;
	}
	printf(set->said, qs.name, pool, set->what == SET_PRIORITY ? qs.prio :
	    qs.limit);
	if (qs.moved.s != NULL)
		emit(&qs.moved);
	return 0;
}

/* wq_delete - sluice work-queue delete */
int
wq_delete(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const char *name = need_name("work queue", a->pos[0]);
	const char *pool = queue_pool(sp, a);

	(void)cf;
	if (sl_queue_delete(sp, pool, name, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("Successfully deleted work queue '%s' in work pool '%s'\n", name,
	    pool);
	return 0;
}
