/*
 * status.c - a fleet's health, gathered from the spool for sluice status
 * and sluice metrics (sluice-status(1)): per pool its agents (online or
 * not, by host), its runs per state, its Late runs and how old the oldest
 * is, the slots held against each limit, its last failures, and what is
 * wrong.  Everything is read from directory listings (rule 1: the
 * directory is the state), never from run files, except the few newest
 * failures' messages and the durations of the newest finished runs.
 *
 * sl_status_metrics writes what was gathered as OpenMetrics text (label
 * values escaped, the duration histogram's buckets), here rather than in
 * bin/cmd/status.c so that test_status checks it.
 *
 * What makes a pool degraded: a queue with due runs that no online agent
 * serves (and neither it nor the pool is paused); a Late run older than
 * late_seconds; a registered agent that is offline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sluice.h"

/* how many finished runs give durations, and how many failures to show */
#define DURATIONS	500
#define FAILURES	3

/* add_problem - one more thing wrong with pool s, printf-style */
static void
add_problem(struct sl_status *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_problem(struct sl_status *s, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->problems = sl_xrealloc(s->problems, (s->nproblems + 1) *
	    sizeof(*s->problems));
	s->problems[s->nproblems++] = sl_xstrdup(buf);
}

/* any_name - every entry but . and .. */
static int
any_name(const char *n)
{
	return strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

/*
 * queue_times - the Scheduled, due and Late runs of a queue, by their
 * names, read as they come (no copy, no sort: sched/ may hold 100,000)
 */
static void
queue_times(const struct sl_spool *sp, struct sl_status *s,
    struct sl_status_queue *q, time_t now, long late_after)
{
	char   *d = sl_place(sp, SL_PL_SCHED, s->name, q->name, (char *)NULL);
	char	id[SL_UUID_LEN + 1], **bd;
	struct dirent *de;
	size_t	nb, j;
	DIR    *dir;
	time_t	t;

	if (sl_sched_dirs(d, 0, 0, &bd, &nb) < 0)
		nb = 0;
	/* RACE: a queue deleted since the pool was read has nothing */
	for (j = 0; j < nb; j++) {
		if ((dir = sl_opendir(bd[j])) == NULL)
			continue;
		while ((de = readdir(dir)) != NULL) {
			if (!any_name(de->d_name) ||
			    sl_token_parse(de->d_name, &t, id) < 0)
				continue;
			q->scheduled++;
			if (t <= now)
				q->due++;
			if (t < now - late_after) {
				s->late++;
				if (s->oldest_late == 0 || t < s->oldest_late)
					s->oldest_late = t;
			}
		}
		closedir(dir);
	}
	sl_strv_free(bd, nb);
	free(d);
}

/* a finished run as finished() sorts them: small, 100,000 may be kept */
struct fin {
	time_t	ended;
	enum sl_state state;
	char	id[SL_UUID_LEN + 1];
};

/* by_time - finished runs, newest first */
static int
by_time(const void *a, const void *b)
{
	const struct fin *x = a, *y = b;

	return x->ended < y->ended ? 1 : x->ended > y->ended ? -1 :
	    strcmp(x->id, y->id);
}

/*
 * finished - the pool's finished runs: their end (the time their
 * directory was renamed into done/: its ctime), the newest FAILURES
 * Failed or Crashed ones with their messages, and the durations of the
 * newest DURATIONS (result.ini: started, ended).  done/ is read as it
 * comes and each run looked at relative to it (fstatat), no copy of the
 * listing and no path a run.
 */
static void
finished(const struct sl_spool *sp, struct sl_status *s, int durations)
{
	char   *dd = sl_place(sp, SL_PL_DONE, s->name, NULL, (char *)NULL);
	char	id[SL_UUID_LEN + 1], name[SL_RUNNAME_MAX], *p;
	struct fin *all = NULL;
	struct dirent *de;
	struct stat st;
	enum sl_state state;
	size_t	i, k = 0, room = 0;
	DIR    *d;

	if ((d = sl_opendir(dd)) == NULL) {
		free(dd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!sl_run_entry(SL_PL_DONE, de->d_name, id, &state))
			continue;
		/* without durations only failures matter: their names say
		 * so, and the others are not even looked at (one lstat each,
		 * a round trip on NFS) */
		if (!durations && state != SL_FAILED && state != SL_CRASHED)
			continue;
		/* RACE: removed by a cleanup since the listing: left out */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (k == room) {
			room = room ? 2 * room : 256;
			all = sl_xrealloc(all, room * sizeof(*all));
		}
		memcpy(all[k].id, id, sizeof(id));
		all[k].state = state;
		all[k].ended = st.st_ctime;
		k++;
	}
	closedir(d);
	if (k > 0)
		qsort(all, k, sizeof(*all), by_time);
	for (i = 0; i < k && (i < DURATIONS || s->nfailures < FAILURES); i++) {
		struct sl_result res;
		int	failed = all[i].state == SL_FAILED ||
			    all[i].state == SL_CRASHED;

		if (!(durations && i < DURATIONS) && !(failed &&
		    s->nfailures < FAILURES))
			continue;
		sl_done_name(name, all[i].id, all[i].state);
		p = sl_path(dd, name, (char *)NULL);
		if (sl_result_read(p, &res) < 0)
			res.started = res.ended = 0;
		if (durations && i < DURATIONS && res.started > 0 &&
		    res.ended >= res.started) {
			s->durations = sl_xrealloc(s->durations,
			    (s->ndurations + 1) * sizeof(*s->durations));
			s->durations[s->ndurations++] = (double)(res.ended -
			    res.started);
		}
		if (failed && s->nfailures < FAILURES) {
			struct sl_status_done *f = &s->failures[s->nfailures++];

			memcpy(f->id, all[i].id, sizeof(f->id));
			f->state = all[i].state;
			f->ended = res.ended > 0 ? res.ended : all[i].ended;
			snprintf(f->message, sizeof(f->message), "%s",
			    res.message);
		}
		free(p);
	}
	free(all);
	free(dd);
}

/* gather_pool - one pool's status into s; -1 if it cannot be read */
static int
gather_pool(const struct sl_spool *sp, const struct sl_config *cf,
    const char *name, long late_seconds, int durations, time_t now,
    struct sl_status *s)
{
	struct sl_pool p;
	struct sl_agent *g = NULL;
	char	err[SL_ERR_MAX], scope[SL_NAME_MAX + 8], t[40];
	size_t	ng = 0, i, j;
	const long window = sl_offline_after(cf);

	memset(s, 0, sizeof(*s));
	if (sl_pool_load(sp, name, &p, err, sizeof(err)) < 0)
		return -1;
	snprintf(s->name, sizeof(s->name), "%s", p.name);
	s->paused = p.paused;
	s->limit = p.limit;
	s->used = sl_slots_held(sp, p.name, "pool.");
	sl_pool_run_counts(sp, p.name, s->counts);
	if (sl_agents_load(sp, p.name, &g, &ng) < 0)
		ng = 0;
	s->agents = sl_xmalloc((ng ? ng : 1) * sizeof(*s->agents));
	for (i = 0; i < ng; i++) {
		struct sl_status_agent *a = &s->agents[s->nagents++];

		snprintf(a->id, sizeof(a->id), "%s", g[i].id);
		snprintf(a->name, sizeof(a->name), "%s", g[i].name[0] ?
		    g[i].name : g[i].id);
		snprintf(a->host, sizeof(a->host), "%s", g[i].host[0] ?
		    g[i].host : "?");
		a->beat = g[i].beat;
		a->online = g[i].registered && sl_agent_online(&g[i], now,
		    window);
		/* its counters, for metrics only: one read an agent */
		a->counted = durations && g[i].registered &&
		    sl_agent_counters_read(sp, &g[i], &a->claims,
		    &a->starts) == 0;
		if (!a->online)
			add_problem(s, "agent '%s' on %s is offline (last "
			    "heartbeat %s)", a->name, a->host, a->beat > 0 ?
			    sl_time_fmt(a->beat, t, sizeof(t)) : "never");
	}
	s->queues = sl_xmalloc((p.nq ? p.nq : 1) * sizeof(*s->queues));
	for (j = 0; j < p.nq; j++) {
		struct sl_status_queue *q = &s->queues[s->nqueues++];

		memset(q, 0, sizeof(*q));
		snprintf(q->name, sizeof(q->name), "%s", p.q[j].name);
		q->paused = p.q[j].paused;
		q->limit = p.q[j].limit;
		snprintf(scope, sizeof(scope), "q.%s.", q->name);
		q->used = sl_slots_held(sp, p.name, scope);
		queue_times(sp, s, q, now, cf->late_after);
		for (i = 0; i < ng; i++)
			if (s->agents[i].online && sl_agent_serves(&g[i],
			    q->name))
				q->served = 1;
		if (q->due > 0 && !q->served && !q->paused && !s->paused)
			add_problem(s, "work queue '%s' has %ld due run%s and no "
			    "agent online serves it", q->name, q->due,
			    q->due == 1 ? "" : "s");
	}
	if (s->late > 0 && now - s->oldest_late > late_seconds)
		add_problem(s, "%ld Late run%s, the oldest due %s ago (more "
		    "than --late-seconds %ld)", s->late, s->late == 1 ? "" :
		    "s", sl_duration_fmt((long)(now - s->oldest_late), t,
		    sizeof(t)), late_seconds);
	finished(sp, s, durations);
	s->regs = g;
	sl_pool_free(&p);
	return 0;
}

/*
 * sl_status_gather - the status of pool (or, NULL, of every pool) into
 * *out, *n of them; a Late run is a problem once it has been due for more
 * than late_seconds; with durations, those of the newest finished runs
 * too (their result.ini files, for metrics).  -1 (err set) when pool does not exist or the pools
 * cannot be listed.
 */
int
sl_status_gather(const struct sl_spool *sp, const struct sl_config *cf,
    const char *pool, long late_seconds, int durations,
    struct sl_status **out, size_t *n, char *err, size_t errlen)
{
	char  **names;
	size_t	np, i;
	time_t	now = time(NULL);

	*out = NULL;
	*n = 0;
	if (pool != NULL) {
		if (!sl_pool_exists(sp, pool)) {
			snprintf(err, errlen, "Work pool '%s' not found.", pool);
			return -1;
		}
		names = sl_xmalloc(sizeof(*names));
		names[0] = sl_xstrdup(pool);
		np = 1;
	} else if (sl_pool_names(sp, &names, &np) < 0) {
		snprintf(err, errlen, "cannot list the pools of %s: %s",
		    sp->root, strerror(errno));
		return -1;
	}
	*out = sl_xmalloc((np ? np : 1) * sizeof(**out));
	for (i = 0; i < np; i++) {
		/* RACE: a pool deleted since the listing is left out */
		if (gather_pool(sp, cf, names[i], late_seconds, durations, now,
		    &(*out)[*n]) == 0)
			(*n)++;
		free(names[i]);
	}
	free(names);
	return 0;
}

/* sl_status_free - what sl_status_gather made */
void
sl_status_free(struct sl_status *v, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < v[i].nproblems; j++)
			free(v[i].problems[j]);
		free(v[i].problems);
		free(v[i].agents);
		sl_agents_free(v[i].regs, v[i].nagents);
		free(v[i].queues);
		free(v[i].durations);
	}
	free(v);
}

/* om_label - a label value, escaped as OpenMetrics says (\\ \" \n) */
static void
om_label(struct sl_buf *b, const char *v)
{
	for (; *v != '\0'; v++)
		if (*v == '\\' || *v == '"')
			sl_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			sl_buf_puts(b, "\\n");
		else
			sl_buf_add(b, v, 1);
}

/* family - a metric family's TYPE and HELP lines */
static void
family(struct sl_buf *b, const char *name, const char *type,
    const char *help)
{
	sl_buf_printf(b, "# TYPE %s %s\n# HELP %s %s\n", name, type, name, help);
}

/* sample - "NAME{pool="P"[,KEY="V"]} VALUE" */
static void
sample(struct sl_buf *b, const char *name, const char *pool, const char *k,
    const char *v, double value)
{
	sl_buf_printf(b, "%s{pool=\"", name);
	om_label(b, pool);
	if (k != NULL) {
		sl_buf_printf(b, "\",%s=\"", k);
		om_label(b, v);
	}
	sl_buf_printf(b, "\"} %.17g\n", value);
}

/*
 * counter - a counter family of the registered agents' counters
 * (sl_agent_counters): NAME_total{pool,agent,host,id}, the starts when
 * starts, else the claims.  An agent that has published none has no
 * sample; a restarted agent is a new id, a new series.
 */
static void
counter(struct sl_buf *b, const struct sl_status *v, size_t n,
    const char *name, const char *help, int starts)
{
	const struct sl_status_agent *a;
	size_t	i, j;

	family(b, name, "counter", help);
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].nagents; j++) {
			a = &v[i].agents[j];
			if (!a->counted)
				continue;
			sl_buf_printf(b, "%s_total{pool=\"", name);
			om_label(b, v[i].name);
			sl_buf_puts(b, "\",agent=\"");
			om_label(b, a->name);
			sl_buf_puts(b, "\",host=\"");
			om_label(b, a->host);
			sl_buf_puts(b, "\",id=\"");
			om_label(b, a->id);
			sl_buf_printf(b, "\"} %llu\n", starts ? a->starts :
			    a->claims);
		}
}

/* the buckets of sluice_run_duration_seconds, in seconds */
static const double buckets[] = { 1, 5, 15, 60, 300, 900, 3600, 14400,
    86400 };
#define NBUCKETS	(sizeof(buckets) / sizeof(buckets[0]))

/*
 * sl_status_metrics - the OpenMetrics text of the pools v[0..n-1] (what
 * sl_status_gather made, with durations) appended to b, "# EOF" last;
 * now: when they were gathered (the oldest Late run's age)
 */
void
sl_status_metrics(struct sl_buf *b, const struct sl_status *v, size_t n,
    time_t now)
{
	size_t	i, j, k;
	char	le[32];

	family(b, "sluice_runs", "gauge", "Runs by work pool and state.");
	for (i = 0; i < n; i++)
		for (k = 0; k < SL_NSTATES; k++)
			sample(b, "sluice_runs", v[i].name, "state",
			    sl_state_names[k], (double)v[i].counts[k]);
	family(b, "sluice_queue_due_runs", "gauge", "Scheduled runs that are "
	    "due, by work queue.");
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].nqueues; j++)
			sample(b, "sluice_queue_due_runs", v[i].name, "queue",
			    v[i].queues[j].name, (double)v[i].queues[j].due);
	family(b, "sluice_queue_scheduled_runs", "gauge", "Scheduled runs "
	    "(accepted, due or not), by work queue.");
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].nqueues; j++)
			sample(b, "sluice_queue_scheduled_runs", v[i].name,
			    "queue", v[i].queues[j].name,
			    (double)v[i].queues[j].scheduled);
	family(b, "sluice_late_runs", "gauge", "Late runs (Scheduled, due "
	    "more than late_after ago).");
	for (i = 0; i < n; i++)
		sample(b, "sluice_late_runs", v[i].name, NULL, NULL,
		    (double)v[i].late);
	family(b, "sluice_oldest_late_seconds", "gauge", "How long the oldest "
	    "Late run has been due (0: none).");
	for (i = 0; i < n; i++)
		sample(b, "sluice_oldest_late_seconds", v[i].name, NULL, NULL,
		    v[i].late ? (double)(now - v[i].oldest_late) : 0);
	family(b, "sluice_slots_used", "gauge", "Concurrency slots held, by "
	    "scope (queue=\"\": the pool's own).");
	for (i = 0; i < n; i++) {
		sample(b, "sluice_slots_used", v[i].name, "queue", "",
		    (double)v[i].used);
		for (j = 0; j < v[i].nqueues; j++)
			sample(b, "sluice_slots_used", v[i].name, "queue",
			    v[i].queues[j].name, (double)v[i].queues[j].used);
	}
	family(b, "sluice_slots_limit", "gauge", "Concurrency limits, by scope "
	    "(queue=\"\": the pool's own; absent: no limit).");
	for (i = 0; i < n; i++) {
		if (v[i].limit != SL_NOLIMIT)
			sample(b, "sluice_slots_limit", v[i].name, "queue", "",
			    (double)v[i].limit);
		for (j = 0; j < v[i].nqueues; j++)
			if (v[i].queues[j].limit != SL_NOLIMIT)
				sample(b, "sluice_slots_limit", v[i].name,
				    "queue", v[i].queues[j].name,
				    (double)v[i].queues[j].limit);
	}
	family(b, "sluice_agents", "gauge", "Registered agents, online or "
	    "offline.");
	for (i = 0; i < n; i++) {
		long	on = 0;

		for (j = 0; j < v[i].nagents; j++)
			on += v[i].agents[j].online;
		sample(b, "sluice_agents", v[i].name, "status", "online",
		    (double)on);
		sample(b, "sluice_agents", v[i].name, "status", "offline",
		    (double)((long)v[i].nagents - on));
	}
	counter(b, v, n, "sluice_agent_claims", "Runs an agent claimed for "
	    "itself since it started (a dispatcher's claims for it count in "
	    "its starts only).", 0);
	counter(b, v, n, "sluice_agent_starts", "Runs an agent started since "
	    "it started.", 1);
	family(b, "sluice_pool_healthy", "gauge", "1 when sluice status finds "
	    "nothing wrong with the pool.");
	for (i = 0; i < n; i++)
		sample(b, "sluice_pool_healthy", v[i].name, NULL, NULL,
		    v[i].nproblems ? 0 : 1);
	family(b, "sluice_run_duration_seconds", "histogram", "How long the "
	    "newest finished runs ran (up to 500 a pool).");
	for (i = 0; i < n; i++) {
		double	sum = 0;

		for (k = 0; k <= NBUCKETS; k++) {
			size_t	c = 0;

			for (j = 0; j < v[i].ndurations; j++)
				c += k == NBUCKETS || v[i].durations[j] <=
				    buckets[k];
			if (k < NBUCKETS)
				snprintf(le, sizeof(le), "%.1f", buckets[k]);
			else
				snprintf(le, sizeof(le), "+Inf");
			sample(b, "sluice_run_duration_seconds_bucket",
			    v[i].name, "le", le, (double)c);
		}
		for (j = 0; j < v[i].ndurations; j++)
			sum += v[i].durations[j];
		sample(b, "sluice_run_duration_seconds_count", v[i].name, NULL,
		    NULL, (double)v[i].ndurations);
		sample(b, "sluice_run_duration_seconds_sum", v[i].name, NULL,
		    NULL, sum);
	}
	sl_buf_puts(b, "# EOF\n");
}

