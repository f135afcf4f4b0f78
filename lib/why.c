/*
 * why.c - why a Scheduled run waits, in words (sluice-flow-run(1), JSON:
 * "message"), and the runs of the pools with those words.
 *
 * A run is held by the first of these a dispatcher would find: it is due
 * in the future; its pool is paused; its queue is paused; its pool is at
 * its concurrency limit (Pending and Running runs of the pool); its queue
 * is at its limit (those of the queue); no online agent serves its queue.
 * If none holds it, it waits for an agent to claim it.  A run with a
 * message of its own (run.ini unreadable) keeps it.  The counts are of
 * the runs loaded with it, a snapshot: a dispatcher may see the spool
 * change between the loading and its pass.
 *
 * sl_runs_load reads the pools as flow-run ls does: it accepts dropped
 * files first (so a run submitted through a drop box is listed), cleans
 * up if asked, then loads every run of each pool and says why each
 * Scheduled one waits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sluice.h"

/* sl_run_why - put in r->message why the Scheduled run r waits */
void
sl_run_why(struct sl_run *r, struct sl_pool *p, const struct sl_runs *all,
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

/*
 * why_of - say why the runs of pool among v[0..n) wait, counting the
 * Pending and Running runs of pool in all against the limits.  Nothing is
 * said if the pool cannot be loaded.
 */
static void
why_of(const struct sl_spool *sp, const struct sl_config *cf,
    const char *pool, struct sl_run *v, size_t n, const struct sl_runs *all,
    time_t now)
{
	struct sl_runs act = { 0 };
	struct sl_agent *ag = NULL;
	struct sl_pool p;
	char	err[SL_ERR_MAX];
	size_t	nag = 0, i;

	if (sl_pool_load(sp, pool, &p, err, sizeof(err)) < 0)
		return;
	(void)sl_agents_load(sp, pool, &ag, &nag);
	/* the runs counted against the limits, once: each run's why then
	 * costs the few active runs, not the whole queue again (100,000
	 * queued runs were 10^10 comparisons); shallow copies, only read */
	act.v = sl_xmalloc((all->n + 1) * sizeof(*act.v));
	for (i = 0; i < all->n; i++)
		if ((all->v[i].state == SL_PENDING ||
		    all->v[i].state == SL_RUNNING) &&
		    strcmp(all->v[i].pool, pool) == 0)
			act.v[act.n++] = all->v[i];
	for (i = 0; i < n; i++)
		if (strcmp(v[i].pool, pool) == 0)
			sl_run_why(&v[i], &p, &act, ag, nag, now,
			    sl_offline_after(cf));
	free(act.v);
	sl_agents_free(ag, nag);
	sl_pool_free(&p);
}

/*
 * sl_runs_why - say why the runs of pool wait: r, or every run of all if
 * r is NULL; all holds the runs counted against the limits.  Nothing is
 * said if the pool cannot be loaded.
 */
void
sl_runs_why(const struct sl_spool *sp, const struct sl_config *cf,
    const char *pool, struct sl_run *r, struct sl_runs *all, time_t now)
{
	why_of(sp, cf, pool, r != NULL ? r : all->v, r != NULL ? 1 : all->n,
	    all, now);
}

/*
 * ready_pools - the pool named (all pools: NULL), each with its dropped
 * files accepted and, if asked, cleaned up.  -1 (said) if the pool does
 * not exist or the pools cannot be listed.
 */
static int
ready_pools(const struct sl_spool *sp, const struct sl_config *cf,
    const char *only_pool, int cleanup, char ***names, size_t *n)
{
	char	err[SL_ERR_MAX];
	size_t	i;

	if (only_pool != NULL) {
		if (!sl_pool_exists(sp, only_pool)) {
			sl_warn("Work pool '%s' not found.", only_pool);
			return -1;
		}
		*names = sl_xmalloc(sizeof(char *));
		(*names)[0] = sl_xstrdup(only_pool);
		*n = 1;
	} else if (sl_pool_names(sp, names, n) < 0) {
		sl_warn("cannot list the pools of %s: %s", sp->root,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < *n; i++) {
		if (sl_accept_pool(sp, (*names)[i], err, sizeof(err)) < 0)
			sl_warn("%s", err);
		if (cleanup)
			(void)sl_cleanup_pool(sp, (*names)[i], cf->keep_days,
			    sl_stale_after(cf), time(NULL), 1);
	}
	return 0;
}

/*
 * sl_runs_load_newest - accept drops, clean up if asked, then the newest
 * runs of the pool named (all pools: NULL) that sel selects, newest first
 * (sl_run_when, then id), with why each Scheduled one waits: what
 * `flow-run ls` shows, at the cost of the runs shown (sl_runs_newest).
 * -1 (said) as sl_runs_load_sel.
 */
int
sl_runs_load_newest(const struct sl_spool *sp, const struct sl_config *cf,
    const char *only_pool, int cleanup, const struct sl_runsel *sel,
    struct sl_runs *rs)
{
	struct sl_runs act;
	char  **names;
	size_t	n, i, j;
	time_t	now = time(NULL);

	memset(rs, 0, sizeof(*rs));
	if (ready_pools(sp, cf, only_pool, cleanup, &names, &n) < 0)
		return -1;
	sl_runs_newest(sp, names, n, sel, rs, &act);
	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(rs->v[j].pool, rs->v[i].pool) == 0)
				break;
		if (j == i)	/* the first run of its pool: all of them */
			why_of(sp, cf, rs->v[i].pool, rs->v, rs->n, &act, now);
	}
	sl_runs_free(&act);
	sl_strv_free(names, n);
	return 0;
}

/*
 * sl_runs_load_sel - accept drops, clean up if asked, then the runs of the
 * pool named (all pools: NULL) into rs, with why each Scheduled one waits:
 * only those in states (a mask of 1 << state; 0: all), with the pools'
 * Pending and Running runs, which why needs; if due_by is not 0, of the
 * Scheduled ones only those due by then.  Only the places of those states
 * are listed and only the runs kept are read (sl_runs_select).  -1 (said)
 * if the pool does not exist or the pools cannot be listed.
 */
int
sl_runs_load_sel(const struct sl_spool *sp, const struct sl_config *cf,
    const char *only_pool, int cleanup, unsigned states, time_t due_by,
    struct sl_runs *rs)
{
	char  **names;
	size_t	n, i;
	time_t	now = time(NULL);

	memset(rs, 0, sizeof(*rs));
	if (ready_pools(sp, cf, only_pool, cleanup, &names, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct sl_runs pr = { 0 };

		/* why a run waits counts the Pending and Running ones */
		sl_runs_select(sp, names[i], states != 0 ? states |
		    1u << SL_PENDING | 1u << SL_RUNNING : 0, 0, due_by, &pr);
		sl_runs_why(sp, cf, names[i], NULL, &pr, now);
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

/* sl_runs_load - every run of the pools named (all: NULL), with why */
int
sl_runs_load(const struct sl_spool *sp, const struct sl_config *cf,
    const char *only_pool, int cleanup, struct sl_runs *rs)
{
	return sl_runs_load_sel(sp, cf, only_pool, cleanup, 0, 0, rs);
}
