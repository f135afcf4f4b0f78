/*
 * claim.c - claiming Scheduled runs for agents, with every concurrency
 * limit held, by any number of claimers on any number of hosts at once.
 *
 * The algorithm (spool-layout.md, "Claims", has the argument in full):
 *
 * - A limit of N is N slot names, pools/P/slots/SCOPE.K for K < N, where
 *   SCOPE is "pool", "q.QUEUE" or "a.AGENT".  A slot is held while its
 *   directory exists and is not empty; its one entry is named after the run
 *   holding it.  To take a slot, a claimer builds a private directory
 *   holding the entry and renames it onto the slot name: rename() onto an
 *   existing non-empty directory fails, onto a missing or empty one it
 *   succeeds, atomically, on every filesystem.  So at most N runs hold a
 *   scope's slots, whatever the number of claimers: there is no count that
 *   could go stale between counting and claiming.
 * - A claim takes the agent's slot, the queue's, then the pool's (each only
 *   if that scope is limited), then renames the run's directory from
 *   queues/Q/sched/ into pending/AGENT/; then checks that every slot still
 *   names the run.  Any failure gives back what was taken.
 * - A slot is released by unlinking the run's own entry and removing the
 *   then empty directory.  An entry names its run, so a slow releaser can
 *   never release a slot that another run holds now.
 * - Recovery (sl_recover_pool) gives back the Pending runs of an agent that
 *   is gone (dead on this host, or silent for the heartbeat window), removes
 *   what gone agents leave (their empty pending/ directories, their
 *   registrations: agent.c), and frees slots whose run is finished or gone,
 *   or is back in sched/ and was claimed SL_STALE_LEASES leases ago (a
 *   claimer that died mid-claim).  Every step is a rename, an unlink or an
 *   rmdir of a name that says whose it is, so recovery may run anywhere, any
 *   number of times at once.
 *
 * Queues are taken in priority order, waterfall: every due run of a queue
 * goes before any run of a lower-priority queue; within a queue a listing
 * of sched/ is already in (scheduled time, submission order) order, so no
 * run file is opened to choose.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

/* A test seam: called before each step of a claim; tests exit in it. */
void	(*sl_claim_step)(const char *step);

static void
step(const char *what)
{
	if (sl_claim_step != NULL)
		sl_claim_step(what);
}

/* ---- slots ---- */

static char *
slots_dir(const struct sl_spool *sp, const char *pool)
{
	return sl_path(sp->root, "pools", pool, "slots", (char *)NULL);
}

/* held - is this slot directory held (there and not empty)? */
static int
held(const char *dir)
{
	struct dirent *de;
	int	n = 0;
	DIR    *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (n == 0 && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n > 0;
}

/*
 * sl_slot_take - hold one of the limit slots of scope for the run whose
 * token (T.U.ID) is given; the entry is named by the run's id and says
 * when, for which agent and under which token it was claimed.
 * 0 taken (*k its number), 1 all held, -1 error.
 */
int
sl_slot_take(const struct sl_spool *sp, const char *pool, const char *scope,
    long limit, const char *token, const char *agent, time_t now, long *k)
{
	char	u[SL_UUID_LEN + 1], priv[64], name[200], body[300];
	char	id[SL_UUID_LEN + 1];
	char   *sd, *tmp, *entry, *slot;
	long	i;
	int	rc = 1;

	if (limit <= 0)
		return 1;
	if (sl_uuid(u) < 0 || sl_token_parse(token, NULL, id) < 0)
		return -1;
	sd = slots_dir(sp, pool);
	snprintf(priv, sizeof(priv), ".slot.%s", u);
	tmp = sl_path(sp->root, "pools", pool, "tmp", priv, (char *)NULL);
	entry = sl_path(tmp, id, (char *)NULL);
	snprintf(body, sizeof(body), "claimed = %lld\nagent = %s\ntoken = %s\n",
	    (long long)now, agent, token);
	if (sl_mkdirs(sd, 0755) < 0 || sl_mkdirs(tmp, 0755) < 0 ||
	    sl_write_tmp(entry, body, strlen(body), 0644) < 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < limit; i++) {
		snprintf(name, sizeof(name), "%s.%ld", scope, i);
		slot = sl_path(sd, name, (char *)NULL);
		if (held(slot)) {	/* cheap skip; the rename decides */
			free(slot);
			continue;
		}
		step("slot-rename");
		/* RACE: another claimer may take this name between held() and
		 * rename(); then our rename fails on its non-empty directory
		 * and we try the next.  A lost reply is caught by sane_rename
		 * (our private name is gone, the slot is there). */
		if (sane_rename(tmp, slot) == 0) {
			*k = i;
			rc = 0;
			free(slot);
			goto out;
		}
		free(slot);
	}
out:
	if (rc != 0)
		(void)sl_rmtree(tmp);	/* ours, private; best effort */
	free(entry);
	free(tmp);
	free(sd);
	return rc;
}

/* sl_slot_release - give back slot name if run id holds it */
int
sl_slot_release(const struct sl_spool *sp, const char *pool, const char *name,
    const char *id)
{
	char   *sd = slots_dir(sp, pool), *slot, *entry;
	int	rc = 0;

	slot = sl_path(sd, name, (char *)NULL);
	entry = sl_path(slot, id, (char *)NULL);
	if (unlink(entry) < 0) {
		if (errno != ENOENT)
			rc = -1;
	} else if (rmdir(slot) < 0 && errno != ENOENT && errno != ENOTEMPTY &&
	    errno != EEXIST) {
		/* RACE: a claimer may rename its entry onto the slot between
		 * our unlink and rmdir; then rmdir fails ENOTEMPTY and the
		 * slot is rightly theirs.  An empty directory left behind by
		 * a failed rmdir is a free slot: rename replaces it. */
		rc = -1;
	}
	free(entry);
	free(slot);
	free(sd);
	return rc;
}

/* sl_slots_of - the names of the slots run id holds */
int
sl_slots_of(const struct sl_spool *sp, const char *pool, const char *id,
    char ***out, size_t *n)
{
	struct dirent *de;
	struct stat st;
	char   *sd = slots_dir(sp, pool), *e;
	DIR    *d;

	*out = NULL;
	*n = 0;
	if ((d = opendir(sd)) == NULL) {
		free(sd);
		return errno == ENOENT ? 0 : -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		e = sl_path(sd, de->d_name, id, (char *)NULL);
		if (lstat(e, &st) == 0) {
			*out = sl_xrealloc(*out, (*n + 1) * sizeof(char *));
			(*out)[(*n)++] = sl_xstrdup(de->d_name);
		}
		free(e);
	}
	closedir(d);
	free(sd);
	return 0;
}

/*
 * release_matching - give back the slots run id holds whose entry says
 * "key = val".  A run handed back to its queue may be claimed again at
 * once, whose new entries carry the same run id: only the entries that
 * name the old claim (its agent, or its token) are the old claim's.
 */
static int queue_of(const char *, char [SL_NAME_MAX + 1]);

static int
release_matching(const struct sl_spool *sp, const char *pool,
    const char *token, const char *agent)
{
	char  **v, *e, *text, who[128], tok[128], id[SL_UUID_LEN + 1];
	size_t	n, i;
	int	rc = 0;

	if (sl_token_parse(token, NULL, id) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (sl_slots_of(sp, pool, id, &v, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		e = sl_path(sp->root, "pools", pool, "slots", v[i], id,
		    (char *)NULL);
		if (sl_read_file(e, &text, 1024) >= 0) {
			sl_kv_get(text, "agent", who, sizeof(who));
			sl_kv_get(text, "token", tok, sizeof(tok));
			free(text);
			if (strcmp(tok, token) == 0 && (agent == NULL ||
			    strcmp(who, agent) == 0) &&
			    sl_slot_release(sp, pool, v[i], id) < 0)
				rc = -1;
		}
		free(e);
	}
	sl_strv_free(v, n);
	return rc;
}

/* sl_slots_release_token - give back the slots of one claim of a run */
int
sl_slots_release_token(const struct sl_spool *sp, const char *pool,
    const char *token)
{
	return release_matching(sp, pool, token, NULL);
}

/* sl_slots_release_run - give back every slot run id holds */
int
sl_slots_release_run(const struct sl_spool *sp, const char *pool,
    const char *id)
{
	char  **v;
	size_t	n, i;
	int	rc = 0;

	if (sl_slots_of(sp, pool, id, &v, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (sl_slot_release(sp, pool, v[i], id) < 0)
			rc = -1;
	sl_strv_free(v, n);
	return rc;
}

/* sl_slots_held - how many slots of the pool are held now */
long
sl_slots_held(const struct sl_spool *sp, const char *pool, const char *prefix)
{
	struct dirent *de;
	char   *sd = slots_dir(sp, pool), *p;
	long	n = 0;
	DIR    *d;

	if ((d = opendir(sd)) == NULL) {
		free(sd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (prefix != NULL &&
		    strncmp(de->d_name, prefix, strlen(prefix)) != 0))
			continue;
		p = sl_path(sd, de->d_name, (char *)NULL);
		n += held(p);
		free(p);
	}
	closedir(d);
	free(sd);
	return n;
}

/* ---- agents ---- */

int
sl_agent_serves(const struct sl_agent *a, const char *queue)
{
	size_t	i;

	if (a->nqueues == 0 && a->match == NULL)
		return 1;		/* -p alone: every queue of the pool */
	for (i = 0; i < a->nqueues; i++)
		if (strcmp(a->queues[i], queue) == 0)
			return 1;
	return a->match != NULL && strncmp(queue, a->match, strlen(a->match)) == 0;
}

/* ---- claiming ---- */

enum outcome { CLAIMED, GONE, AGENT_FULL, QUEUE_FULL, POOL_FULL, FAILED };

struct taken {
	char	name[200];
};

static void
give_back(const struct sl_spool *sp, const char *pool, const char *id,
    struct taken *t, int n)
{
	while (n > 0)
		if (sl_slot_release(sp, pool, t[--n].name, id) < 0)
			sl_warn("cannot release slot %s of run %s: %s", t[n].name,
			    id, strerror(errno));
}

static int
take(const struct sl_spool *sp, const char *pool, const char *scope,
    long limit, const char *token, const char *agent, time_t now,
    struct taken *t, int *n)
{
	long	k;
	int	rc;

	if (limit == SL_NOLIMIT)
		return 0;
	rc = sl_slot_take(sp, pool, scope, limit, token, agent, now, &k);
	if (rc == 0)
		snprintf(t[(*n)++].name, sizeof(t->name), "%s.%ld", scope, k);
	return rc;
}

/*
 * looks_free - does a scope show a slot not held?  Only a hint, checked
 * before taking anything: without it, a full pool under a free queue limit
 * would have every pass take a queue slot and give it back, and each of
 * those changes would wake a watching dispatcher for another pass.
 */
static int
looks_free(const struct sl_spool *sp, const char *pool, const char *scope,
    long limit)
{
	char	name[200], *sd, *slot;
	long	i;
	int	rc = 0;

	if (limit == SL_NOLIMIT)
		return 1;
	sd = slots_dir(sp, pool);
	for (i = 0; i < limit && !rc; i++) {
		snprintf(name, sizeof(name), "%s.%ld", scope, i);
		slot = sl_path(sd, name, (char *)NULL);
		rc = !held(slot);
		free(slot);
	}
	free(sd);
	return rc;
}

static enum outcome
claim_one(const struct sl_spool *sp, const struct sl_agent *a,
    const struct sl_pool *p, const struct sl_queue *q, const char *token,
    time_t now)
{
	char	id[SL_UUID_LEN + 1], scope[SL_NAME_MAX + 8], body[400], t[40];
	char   *from, *pd, *to, *priv = NULL;
	struct taken tk[3];
	enum outcome rc = CLAIMED;
	int	n = 0, i, r;

	sl_token_parse(token, NULL, id);
	/* RACE: what looks free may be taken by the time we take it; the
	 * takes below decide, this only spares needless take-and-give-back */
	snprintf(scope, sizeof(scope), "a.%s", a->id);
	if (!looks_free(sp, p->name, scope, a->limit))
		return AGENT_FULL;
	snprintf(scope, sizeof(scope), "q.%s", q->name);
	if (!looks_free(sp, p->name, scope, q->limit))
		return QUEUE_FULL;
	if (!looks_free(sp, p->name, "pool", p->limit))
		return POOL_FULL;
	snprintf(scope, sizeof(scope), "a.%s", a->id);
	if ((r = take(sp, p->name, scope, a->limit, token, a->id, now, tk, &n)) != 0)
		return r > 0 ? AGENT_FULL : FAILED;
	snprintf(scope, sizeof(scope), "q.%s", q->name);
	if ((r = take(sp, p->name, scope, q->limit, token, a->id, now, tk, &n)) != 0) {
		give_back(sp, p->name, id, tk, n);
		return r > 0 ? QUEUE_FULL : FAILED;
	}
	if ((r = take(sp, p->name, "pool", p->limit, token, a->id, now, tk, &n)) != 0) {
		give_back(sp, p->name, id, tk, n);
		return r > 0 ? POOL_FULL : FAILED;
	}
	from = sl_path(sp->root, "pools", p->name, "queues", q->name, "sched",
	    token, (char *)NULL);
	pd = sl_path(sp->root, "pools", p->name, "pending", a->id, (char *)NULL);
	to = sl_path(pd, token, (char *)NULL);
	if ((priv = sl_flight_name(pd, "claim", now, token)) == NULL) {
		give_back(sp, p->name, id, tk, n);
		rc = FAILED;
		goto out;
	}
	step("run-rename");
	/* the run first goes to a name only this claimer makes: another
	 * claimer for the same agent renaming the same run would otherwise
	 * share the target, and its failed rename would look done */
	if (sl_mkdirs(pd, 0755) < 0 || sane_rename(from, priv) < 0) {
		/* RACE: another claimer took the run, or it was cancelled */
		give_back(sp, p->name, id, tk, n);
		rc = GONE;
		goto out;
	}
	step("verify");
	for (i = 0; i < n; i++) {
		char   *e = sl_path(sp->root, "pools", p->name, "slots",
		    tk[i].name, id, (char *)NULL);
		struct stat st;
		int	gone = lstat(e, &st) < 0;

		free(e);
		if (!gone)
			continue;
		/* RACE: we stalled past the lease and recovery freed a slot
		 * of ours: the run goes back; it was never started.  The
		 * slots first, while the run is still under our private name:
		 * once back in sched/ it may be claimed again at once, with
		 * entries under the same run id that ours must not remove. */
		give_back(sp, p->name, id, tk, n);
		if (sane_rename(priv, from) < 0)
			sl_warn("cannot return run %s to %s: %s", id, from,
			    strerror(errno));
		rc = GONE;
		goto out;
	}
	step("claim-file");
	snprintf(body, sizeof(body), "[claim]\nagent = %s\nhost = %s\n"
	    "claimed = %s\n; end of sluice file\n", a->id, a->host,
	    sl_time_fmt(now, t, sizeof(t)));
	{
		char   *tmp = sl_path(priv, ".claim.tmp", (char *)NULL);
		char   *cf = sl_path(priv, "claim.ini", (char *)NULL);

		/* a claimer killed here before leaves its scratch in the
		 * run; the directory is private to us now */
		(void)unlink(tmp);
		if (sl_publish_rename(tmp, cf, body, strlen(body)) < 0)
			sl_warn("cannot write %s: %s", cf, strerror(errno));
		free(tmp);
		free(cf);
	}
	step("publish");
	if (sane_rename(priv, to) < 0) {
		sl_warn("cannot move claimed run %s to %s: %s; returning it",
		    id, to, strerror(errno));
		if (sane_rename(priv, from) < 0) {
			sl_warn("cannot return run %s to %s: %s; recovery "
			    "will", id, from, strerror(errno));
			rc = FAILED;
		} else {
			give_back(sp, p->name, id, tk, n);
			rc = GONE;
		}
	}
out:
	free(from);
	free(pd);
	free(to);
	free(priv);
	return rc;
}

static int
is_token(const char *name)
{
	return sl_token_parse(name, NULL, NULL) == 0;
}

/* sched_tokens - the tokens of a queue's sched/, in order */
static int
sched_tokens(const struct sl_spool *sp, const char *pool, const char *q,
    char ***out, size_t *n)
{
	struct dirent *de;
	char   *d = sl_path(sp->root, "pools", pool, "queues", q, "sched",
	    (char *)NULL);
	char  **v = NULL;
	size_t	k = 0;
	DIR    *dir;

	*out = NULL;
	*n = 0;
	if ((dir = opendir(d)) == NULL) {
		free(d);
		return errno == ENOENT ? 0 : -1;
	}
	while ((de = readdir(dir)) != NULL)
		if (is_token(de->d_name)) {
			if ((k & (k - 1)) == 0)
				v = sl_xrealloc(v, (k ? 2 * k : 1) * sizeof(*v));
			v[k++] = sl_xstrdup(de->d_name);
		}
	closedir(dir);
	free(d);
	if (k > 1)
		qsort(v, k, sizeof(*v), sl_strcmp_p);
	*out = v;
	*n = k;
	return 0;
}

/*
 * sl_claim - claim up to max due runs of the agent's pool for it, in
 * waterfall order, holding every limit.  Returns how many were claimed;
 * their tokens are appended to got (if not NULL).  *next, if not NULL,
 * receives the earliest scheduled time of a run not yet due (0: none).
 */
long
sl_claim(const struct sl_spool *sp, const struct sl_agent *a, long max,
    time_t now, struct sl_names *got, time_t *next, char *err, size_t errlen)
{
	struct sl_pool p;
	char  **v;
	size_t	qi, n, i;
	long	claimed = 0;
	time_t	t;
	int	stop = 0;

	if (next != NULL)
		*next = 0;
	if (sl_pool_load(sp, a->pool, &p, err, errlen) < 0)
		return -1;
	if (p.paused || p.limit == 0) {
		sl_pool_free(&p);
		return 0;
	}
	for (qi = 0; qi < p.nq && !stop; qi++) {
		const struct sl_queue *q = &p.q[qi];

		if (q->paused || q->limit == 0 || !sl_agent_serves(a, q->name))
			continue;
		if (sched_tokens(sp, p.name, q->name, &v, &n) < 0)
			continue;
		for (i = 0; i < n && !stop; i++) {
			sl_token_parse(v[i], &t, NULL);
			if (t > now + a->prefetch) {
				/* sorted: the rest of the queue is later */
				if (next != NULL && (*next == 0 || t < *next))
					*next = t;
				break;
			}
			if (claimed >= max) {
				stop = 1;
				break;
			}
			switch (claim_one(sp, a, &p, q, v[i], now)) {
			case CLAIMED:
				claimed++;
				if (got != NULL)
					sl_names_add(got, v[i]);
				break;
			case GONE:
				break;
			case QUEUE_FULL:
				i = n;		/* next queue */
				break;
			case AGENT_FULL:
			case POOL_FULL:
			case FAILED:
				stop = 1;
				break;
			}
		}
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
	}
	sl_pool_free(&p);
	return claimed;
}

void
sl_names_add(struct sl_names *ns, const char *s)
{
	ns->v = sl_xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n++] = sl_xstrdup(s);
}

void
sl_names_free(struct sl_names *ns)
{
	sl_strv_free(ns->v, ns->n);
	ns->v = NULL;
	ns->n = 0;
}

/* ---- finishing and recovery ---- */

/*
 * sl_run_unclaim - hand a claimed, unstarted run back to its queue: rename
 * its directory (dir, named anything) first to a private name beside it
 * (pending/AGENT/.claim.E.U.TOKEN, a name only this process makes), then
 * to queues/Q/sched/TOKEN, then give back the slots of this claim, in this
 * order so that it never counts as Pending without its slots.  The run
 * keeps its token, so it may be claimed again under the same one at once:
 * this claim's entries are those that say both token = TOKEN and agent =
 * AGENT.
 *
 * Why the private step: sched/TOKEN is a name the run had before, so a
 * host that looked it up within a cache period may still see it.  Had we
 * renamed straight to it and lost to the agent's start (pending to
 * running), sane_rename would see our source gone and "our" target there,
 * call that a lost reply of a success, and we would give back the slots
 * of a Running run.  A failed rename to a fresh private name is a real
 * failure; once the run is under it, nobody else can move it, so the
 * second rename's outcome is ours to read.  A crash between the two leaves
 * a .claim. directory, which recovery returns after 10 x lease.
 */
int
sl_run_unclaim(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *token, const char *agent)
{
	char	q[SL_NAME_MAX + 1], *qd, *to, *pd, *priv = NULL, *slash;
	int	rc = -1;

	if (queue_of(dir, q) < 0)
		return -1;
	pd = sl_xstrdup(dir);
	if ((slash = strrchr(pd, '/')) != NULL)
		*slash = '\0';
	qd = sl_path(sp->root, "pools", pool, "queues", q, "sched", (char *)NULL);
	to = sl_path(qd, token, (char *)NULL);
	if (slash == NULL ||
	    (priv = sl_flight_name(pd, "claim", time(NULL), token)) == NULL)
		goto out;
	step("unclaim-private");
	if (sane_rename(dir, priv) < 0)
		goto out;	/* started, cancelled or handed back meanwhile */
	step("unclaim-publish");
	if (sl_mkdirs(qd, 0755) == 0 && sane_rename(priv, to) == 0) {
		if (release_matching(sp, pool, token, agent) < 0)
			sl_warn("cannot give back the slots of run %s: %s",
			    token, strerror(errno));
		rc = 0;
	} else
		sl_warn("cannot return run %s to %s: %s; recovery will, from "
		    "%s", token, qd, strerror(errno), priv);
out:
	free(priv);
	free(pd);
	free(qd);
	free(to);
	return rc;
}

/*
 * sl_run_finish - end a Pending or Running run: write its result, move it
 * to done/ID.STATE, then give back its slots.  Moving first means a run
 * never counts as Pending or Running without its slots; a crash between
 * the two leaves slots held by a finished run, which recovery frees.
 */
int
sl_run_finish(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *id, enum sl_state st, int exit_code, time_t started,
    const char *message)
{
	char	name[64], *dd, *to;
	int	rc;

	sl_run_scrub(dir);	/* a killed writer's scratch stays behind */
	rc = sl_result_write(dir, sl_state_names[st], started, time(NULL),
	    exit_code, message);
	if (rc < 0)
		return -1;
	dd = sl_path(sp->root, "pools", pool, "done", (char *)NULL);
	snprintf(name, sizeof(name), "%s.%s", id, sl_state_names[st]);
	to = sl_path(dd, name, (char *)NULL);
	step("finish-rename");
	rc = sl_mkdirs(dd, 0755) < 0 ? -1 : sane_rename(dir, to);
	free(dd);
	free(to);
	if (rc < 0)
		return -1;
	step("finish-release");
	return sl_slots_release_run(sp, pool, id);
}

struct idset {
	char  **v;
	size_t	n;
};

static int
has(const struct idset *s, const char *id)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return 1;
	return 0;
}

/* collect - the run ids of the tokens in dir */
static void
collect(const char *dir, struct idset *s)
{
	struct dirent *de;
	char	id[SL_UUID_LEN + 1];
	DIR    *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (sl_token_parse(de->d_name, NULL, id) == 0) {
			s->v = sl_xrealloc(s->v, (s->n + 1) * sizeof(char *));
			s->v[s->n++] = sl_xstrdup(id);
		}
	closedir(d);
}

/* queue_of - the queue in a run's run.ini */
static int
queue_of(const char *dir, char q[SL_NAME_MAX + 1])
{
	char   *p = sl_path(dir, "run.ini", (char *)NULL), *text, why[SL_ERR_MAX];
	struct sl_runspec r;
	ssize_t	n;
	int	rc = -1;

	if ((n = sl_read_file(p, &text, 2 * SL_INI_MAX)) >= 0) {
		if (sl_runspec_parse(text, (size_t)n, 0, 1, &r, why,
		    sizeof(why)) == 0) {
			if (r.queue[0] != '\0') {
				memcpy(q, r.queue, SL_NAME_MAX + 1);
				rc = 0;
			}
			sl_runspec_free(&r);
		}
		free(text);
	}
	free(p);
	return rc;
}

/*
 * slot_dead - may the slot entry of run id be freed?  Listings may be
 * stale (NFS, sshfs), so a run that no listing showed active is looked up
 * by name before anything is freed: finished (done/ID.STATE exists) frees
 * at once; active (running/TOKEN or pending/AGENT/TOKEN exists) never
 * frees; otherwise (back in sched/, claimer died mid-claim, or gone) only
 * after the lease, counted from the claim time in the entry.
 */
static int
slot_dead(const char *pd, const char *ent, const char *id, time_t now,
    long lease)
{
	static const enum sl_state fin[] = { SL_COMPLETED, SL_FAILED,
	    SL_CRASHED, SL_CANCELLED };
	char	tok[100], agent[100], name[64], *p, *text;
	struct stat st;
	long	claimed = 0;
	size_t	i;
	int	found;

	if (sl_read_file(ent, &text, 1024) < 0)
		return 0;	/* vanished or unreadable: not ours to judge */
	sl_kv_get(text, "token", tok, sizeof(tok));
	sl_kv_get(text, "agent", agent, sizeof(agent));
	sl_kv_get(text, "claimed", name, sizeof(name));
	claimed = strtol(name, NULL, 10);
	free(text);
	for (i = 0; i < sizeof(fin) / sizeof(fin[0]); i++) {
		snprintf(name, sizeof(name), "%.36s.%s", id, sl_state_names[fin[i]]);
		p = sl_path(pd, "done", name, (char *)NULL);
		found = lstat(p, &st) == 0;
		free(p);
		if (found)
			return 1;
	}
	if (sl_token_parse(tok, NULL, NULL) == 0) {
		p = sl_path(pd, "running", tok, (char *)NULL);
		found = lstat(p, &st) == 0;
		free(p);
		if (!found && sl_uuid_ok(agent)) {
			p = sl_path(pd, "pending", agent, tok, (char *)NULL);
			found = lstat(p, &st) == 0;
			free(p);
		}
		if (found)
			return 0;
	}
	return now - claimed > lease;
}

/*
 * sl_recover_pool - undo what dead processes left.  Returns the number of
 * runs returned and slots freed.  Safe to run anywhere at any time, by any number of processes:
 *  1. a Pending run of an agent that is gone (sl_agent_gone: dead on this
 *     host, or its beats missed for window seconds; or no longer
 *     registered) goes back to its queue's sched/, and its slots are
 *     freed; so does a claim whose claimer died between its two renames
 *     (a .claim. name older than stale).  The pending/AGENT/ directory of
 *     a gone agent is then removed if empty;
 *  2. the registrations of agents gone for good, and private names in
 *     agents/ older than stale, are removed (sl_agents_sweep);
 *  3. a slot whose run is not Pending or Running is freed: at once if the
 *     run is finished, after stale seconds otherwise (a claimer may be
 *     between taking its slots and moving the run; a listing may be
 *     stale).
 * stale is SL_STALE_LEASES leases.
 */
long
sl_recover_pool(const struct sl_spool *sp, const char *pool, time_t now,
    long window, long stale)
{
	struct idset active = { 0 }, sched = { 0 };
	struct sl_agent *ag;
	struct dirent *de, *e;
	struct stat st;
	char   *pd = sl_pool_dir(sp, pool), *d, *ad, *sd, **qs;
	char	why[SL_ERR_MAX];
	size_t	na, i, nq;
	long	fixed = 0;
	DIR    *dir, *sub;

	if (sl_agents_load(sp, pool, &ag, &na) < 0) {
		free(pd);
		return 0;
	}
	/* 1. Pending runs of agents that are gone */
	d = sl_path(pd, "pending", (char *)NULL);
	if ((dir = opendir(d)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			const struct sl_agent *a = NULL;
			int	gone;

			if (!sl_uuid_ok(de->d_name))
				continue;
			for (i = 0; i < na; i++)
				if (strcmp(ag[i].id, de->d_name) == 0)
					a = &ag[i];
			if (a == NULL) {
				/* not in the listing: looked up by name
				 * before it is called gone (a listing may be
				 * stale on NFS and sshfs) */
				ad = sl_path(pd, "agents", de->d_name,
				    (char *)NULL);
				gone = lstat(ad, &st) < 0 && errno == ENOENT;
				free(ad);
				snprintf(why, sizeof(why), "agent %s is not "
				    "registered", de->d_name);
			} else {
				gone = sl_agent_gone(a, now, window);
				if (gone)
					sl_agent_gone_why(a, now, why,
					    sizeof(why));
			}
			ad = sl_path(d, de->d_name, (char *)NULL);
			if ((sub = opendir(ad)) != NULL) {
				while ((e = readdir(sub)) != NULL) {
					char	tok[256], *from;
					const char *t;
					time_t	born;

					if (sl_token_parse(e->d_name, NULL, NULL) == 0) {
						if (!gone)
							continue;
						snprintf(tok, sizeof(tok), "%s",
						    e->d_name);
					} else if ((t = sl_flight_parse(e->d_name,
					    "claim", &born)) == NULL ||
					    now - born <= stale)
						continue;
					else
						snprintf(tok, sizeof(tok), "%s", t);
					/* a gone agent's claim, or a claim whose
					 * claimer died between its two renames */
					from = sl_path(ad, e->d_name, (char *)NULL);
					/* RACE: the agent may come back and start
					 * it this instant; one rename wins, the
					 * other finds it gone.  It may be claimed
					 * again at once: only this claim's slot
					 * entries (by token) are given back. */
					if (sl_run_unclaim(sp, pool, from, tok, de->d_name) == 0) {
						if (sl_token_parse(e->d_name,
						    NULL, NULL) == 0)
							sl_log(SL_WARNING, "Returned "
							    "run %.36s to its work "
							    "queue: its agent is "
							    "gone (%s)", tok + 34, why);
						else
							sl_log(SL_WARNING, "Returned "
							    "run %.36s to its work "
							    "queue: its claimer died "
							    "mid-claim", tok + 34);
						fixed++;
					}
					free(from);
				}
				closedir(sub);
			}
			/* RACE: a claimer for this agent may have made the
			 * directory again to rename a run into it; rmdir
			 * fails on a non-empty directory, and a claimer whose
			 * rename finds the directory gone gives its slots
			 * back (claim_one): no run is lost, and no claim is
			 * made for a gone agent by an up-to-date claimer */
			if (gone)
				(void)rmdir(ad);
			if (!gone)
				collect(ad, &active);
			free(ad);
		}
		closedir(dir);
	}
	free(d);
	/* 2. what gone agents left in agents/ */
	(void)sl_agents_sweep(sp, pool, ag, na, now, window, stale);
	sl_agents_free(ag, na);
	/* what is scheduled, then what is active (after step 1): in this
	 * order, a run moving from sched/ to pending/ meanwhile is seen in
	 * one of them at least */
	d = sl_path(pd, "queues", (char *)NULL);
	if (sl_pool_names_in(d, &qs, &nq) == 0) {
		for (i = 0; i < nq; i++) {
			char   *s = sl_path(d, qs[i], "sched", (char *)NULL);

			collect(s, &sched);
			free(s);
			free(qs[i]);
		}
		free(qs);
	}
	free(d);
	d = sl_path(pd, "pending", (char *)NULL);
	if ((dir = opendir(d)) != NULL) {
		while ((de = readdir(dir)) != NULL)
			if (sl_uuid_ok(de->d_name)) {
				ad = sl_path(d, de->d_name, (char *)NULL);
				collect(ad, &active);
				free(ad);
			}
		closedir(dir);
	}
	free(d);
	d = sl_path(pd, "running", (char *)NULL);
	collect(d, &active);
	free(d);
	/* 3. slots held by runs that are not Pending or Running */
	sd = sl_path(pd, "slots", (char *)NULL);
	if ((dir = opendir(sd)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			ad = sl_path(sd, de->d_name, (char *)NULL);
			if ((sub = opendir(ad)) != NULL) {
				while ((e = readdir(sub)) != NULL) {
					char   *ent;
					int	free_it;

					if (!sl_uuid_ok(e->d_name) ||
					    has(&active, e->d_name))
						continue;
					ent = sl_path(ad, e->d_name, (char *)NULL);
					free_it = slot_dead(pd, ent, e->d_name,
					    now, stale);
					free(ent);
					if (free_it && sl_slot_release(sp, pool,
					    de->d_name, e->d_name) == 0)
						fixed++;
				}
				closedir(sub);
			}
			free(ad);
		}
		closedir(dir);
	}
	free(sd);
	for (i = 0; i < active.n; i++)
		free(active.v[i]);
	free(active.v);
	for (i = 0; i < sched.n; i++)
		free(sched.v[i]);
	free(sched.v);
	free(pd);
	return fixed;
}
