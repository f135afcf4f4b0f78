/*
 * claim.c - claiming Scheduled runs for agents, with every concurrency
 * limit held, by any number of claimers on any number of hosts at once.
 *
 * The algorithm (spool-layout.md, "Claims", has the argument in full):
 *
 * - Slots (slot.c): a limit of N is N slot names, pools/P/slots/SCOPE.K for K < N, where
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


/* ---- claiming ---- */

/* STALE: the run was not in sched/ any more (another claimer took it, or
 * a cancel): the listing that named it is old, as a listing cached by a
 * network filesystem client can be for seconds */
enum outcome { CLAIMED, GONE, STALE, AGENT_FULL, QUEUE_FULL, POOL_FULL,
	FAILED };

struct taken {
	char	name[200];
	char	u[SL_UUID_LEN + 1];	/* the take's own, in its entry */
};

/* claim.ini's "slots": up to three slot names (struct taken), spaced */
#define HELD_MAX	(3 * (sizeof(((struct taken *)0)->name) + 1) + 8)

static void
give_back(const struct sl_spool *sp, const char *pool, const char *id,
    struct taken *t, int n)
{
	while (n > 0)
		if (sl_slot_release(sp, pool, t[--n].name, id) < 0)
			sl_warn("cannot release slot %s of run %s: %s", t[n].name,
			    id, strerror(errno));
}

/*
 * give_back_takes - give back the slots of this claim whose entries still
 * name its takes (sl_slot_release_take), once its run is no longer in
 * its hands alone: after step 6, recovery may return the run of a gone
 * agent from our private name (releasing this claim's entries by token)
 * and another claimer take it again under the same id, whose entries a
 * give_back by id would remove
 */
static void
give_back_takes(const struct sl_spool *sp, const char *pool, const char *id,
    struct taken *t, int n)
{
	int	i;

	for (i = n - 1; i >= 0; i--)
		(void)sl_slot_release_take(sp, pool, t[i].name, id, t[i].u);
}

/*
 * Where a claimer looks first in a scope: the slot after the one it took
 * last there (sl_slot_first_free_at), remembered by this process for the
 * ROT scopes it took from last.  A hint: a wrong guess costs looks, never
 * a slot; a new process looks from 0.
 */
#define ROT	32

static struct rot {
	char	pool[SL_NAME_MAX + 1];
	char	scope[SL_NAME_MAX + SL_UUID_LEN + 8];
	long	next;
	int	freed;		/* next was freed by a run of ours that
				 * ended (sl_claim_freed): no look first */
} rot[ROT];
static size_t nrot, rot_old;

static struct rot *
rot_find(const char *pool, const char *scope)
{
	size_t	i;

	for (i = 0; i < nrot; i++)
		if (strcmp(rot[i].scope, scope) == 0 &&
		    strcmp(rot[i].pool, pool) == 0)
			return &rot[i];
	return NULL;
}

/* rot_get - where to look first in scope */
static long
rot_get(const char *pool, const char *scope)
{
	struct rot *r = rot_find(pool, scope);

	return r != NULL ? r->next : 0;
}

/* rot_put - the entry of scope, made if need be */
static struct rot *
rot_put(const char *pool, const char *scope)
{
	struct rot *r = rot_find(pool, scope);

	if (r == NULL) {
		r = nrot < ROT ? &rot[nrot++] : &rot[rot_old++ % ROT];
		snprintf(r->pool, sizeof(r->pool), "%s", pool);
		snprintf(r->scope, sizeof(r->scope), "%s", scope);
	}
	return r;
}

/* rot_set - slot k of scope was taken: look at k + 1 first next time */
static void
rot_set(const char *pool, const char *scope, long k)
{
	struct rot *r = rot_put(pool, scope);

	r->next = k + 1;
	r->freed = 0;
}

/*
 * sl_claim_freed - a run this process claimed (token) has ended and its
 * supervisor gave its slots back (its word said so: endword.c): the next
 * claim in each of its scopes goes straight for the slot it freed, with
 * no look first (a look at a slot whose holder is running costs a round
 * trip and finds it held; with --limit 4 nearly one a run).  A hint: if
 * another claimer took the slot meanwhile, the take's rename fails on it
 * and the take looks on, as ever.  A claim this process no longer
 * remembers (sl_claim_slots_of) gives no hint.
 */
void
sl_claim_freed(const char *pool, const char *token)
{
	char	held[1024], *w, *dot, *end, *save = NULL;
	struct rot *r;
	long	k;

	if (sl_claim_slots_of(token, held, sizeof(held)) < 0)
		return;
	for (w = strtok_r(held, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if ((dot = strrchr(w, '.')) == NULL || dot == w)
			continue;
		errno = 0;
		k = strtol(dot + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == dot + 1 || k < 0)
			continue;
		*dot = '\0';
		r = rot_put(pool, w);
		r->next = k;
		r->freed = 1;
	}
}

/* first_free - the slot of scope to try (a look from where we took
 * last, none at a slot a run of ours freed: sl_claim_freed), or -1 if
 * every one looks held; 0 without a limit */
static long
first_free(const struct sl_spool *sp, const char *pool, const char *scope,
    long limit)
{
	struct rot *r = rot_find(pool, scope);

	if (r != NULL && r->freed && limit > 0 && r->next < limit) {
		r->freed = 0;
		return r->next;
	}
	return sl_slot_first_free_at(sp, pool, scope, limit,
	    rot_get(pool, scope));
}

/* take - a slot of scope, trying from number from (first_free's) on */
static int
take(const struct sl_spool *sp, const char *pool, const char *scope,
    long limit, const char *token, const char *agent, time_t now,
    long from, struct taken *t, int *n)
{
	long	k;
	int	rc;

	if (limit == SL_NOLIMIT)
		return 0;
	rc = sl_slot_take_from(sp, pool, scope, limit, token, agent, now,
	    from, &k, t[*n].u);
	if (rc == 0) {
		snprintf(t[(*n)++].name, sizeof(t->name), "%s.%ld", scope, k);
		rot_set(pool, scope, k);
	}
	return rc;
}

/*
 * The slots of this process's last MEMO claims, by token: a supervisor,
 * forked from the agent that made the claim, releases them at the run's
 * end without reading claim.ini back (sl_claim_slots_of; four calls, four
 * round trips on a network filesystem).  What claim.ini says, from the
 * same hand; a claim not found here (another process's, an older one) is
 * read from claim.ini.
 */
#define MEMO	64

static struct memo {
	char	token[SL_RUNNAME_MAX];
	char	held[HELD_MAX];
} memo[MEMO];
static size_t nmemo;

static void
memo_put(const char *token, const char *held)
{
	struct memo *m = &memo[nmemo++ % MEMO];

	snprintf(m->token, sizeof(m->token), "%s", token);
	snprintf(m->held, sizeof(m->held), "%s", held);
}

/* memo_of - this process's last claim of token, or NULL */
static struct memo *
memo_of(const char *token)
{
	size_t	i, k;

	for (i = 0; i < MEMO && i < nmemo; i++) {
		k = (nmemo - 1 - i) % MEMO;	/* the newest first */
		if (strcmp(memo[k].token, token) == 0)
			return &memo[k];
	}
	return NULL;
}

/*
 * The claims this process deferred (SL_CLAIM_DEFER) whose runs are still
 * under their private claim names as far as it knows: until the run's
 * start moves it, or step 7 is made late (late_publish).  Not bounded by
 * MEMO: no entry is dropped but by its start's word or a late step 7, so
 * no run is left under a name nobody knows.
 */
static struct defer {
	char   *token;
	char   *priv;	/* pending/AGENT/.claim.E.U.TOKEN */
	char   *to;	/* pending/AGENT/TOKEN, step 7's target */
} *dv;
static size_t ndv;

static void
defer_put(const char *token, const char *priv, const char *to)
{
	dv = sl_xrealloc(dv, (ndv + 1) * sizeof(*dv));
	dv[ndv].token = sl_xstrdup(token);
	dv[ndv].priv = sl_xstrdup(priv);
	dv[ndv].to = sl_xstrdup(to);
	ndv++;
}

/* defer_of - the entry of priv, or else the newest of token; -1 none */
static long
defer_of(const char *token, const char *priv)
{
	size_t	i;

	for (i = ndv; i-- > 0; )
		if (priv != NULL ? strcmp(dv[i].priv, priv) == 0 :
		    strcmp(dv[i].token, token) == 0)
			return (long)i;
	return -1;
}

/* defer_drop - forget entry i, keeping the others in order (newest last) */
static void
defer_drop(size_t i)
{
	free(dv[i].token);
	free(dv[i].priv);
	free(dv[i].to);
	memmove(&dv[i], &dv[i + 1], (ndv - i - 1) * sizeof(*dv));
	ndv--;
}

/*
 * late_publish - claim step 7 for deferred claim i, not started: rename
 * the run to its Pending name, where a listing of pending/ finds it.  A
 * run gone from its private name (its start moved it, it was ended: an
 * lstat says ENOENT) is no failure; one still there, or that cannot be
 * looked at, after a failed rename is tried once more, then kept for
 * the next pass (sl_claim_undefer_idle).  1 published, 0 gone (the entry
 * dropped either way), -1 kept.
 */
static int
late_publish(size_t i)
{
	struct stat st;
	int	tries, saved = 0;

	/* RACE: a start may move it from its private name meanwhile: one
	 * rename wins; the start that loses finds it gone (its nonce is not
	 * in running/TOKEN) and says so */
	for (tries = 0; tries < 2; tries++) {
		if (sane_rename(dv[i].priv, dv[i].to) == 0) {
			defer_drop(i);
			return 1;
		}
		saved = errno;
		if (sl_lstat(dv[i].priv, &st) < 0 && errno == ENOENT) {
			defer_drop(i);
			return 0;
		}
	}
	sl_warn("cannot move claimed run %s to %s: %s; trying again at the "
	    "next pass", dv[i].priv, dv[i].to, strerror(saved));
	return -1;
}

/*
 * sl_claim_deferred - where this process's deferred claim of token left
 * its run (pending/AGENT/.claim.E.U.TOKEN, malloc'd), or NULL if it made
 * none (or it was started or published since)
 */
char *
sl_claim_deferred(const char *token)
{
	long	i = defer_of(token, NULL);

	return i >= 0 ? sl_xstrdup(dv[i].priv) : NULL;
}

/*
 * sl_claim_undefer - the deferred claim priv (NULL: the newest of token)
 * is done with: publish (claim step 7, late, if the run is still under
 * its private name) or only forget (its start moved it).  1 if it was
 * published now (a listing of pending/ starts it), else 0.
 */
int
sl_claim_undefer(const char *token, const char *priv, int publish)
{
	long	i = defer_of(token, priv);

	if (i < 0)
		return 0;
	if (publish)
		return late_publish((size_t)i) == 1;
	defer_drop((size_t)i);
	return 0;
}

/*
 * sl_claim_undefer_idle - step 7, late, for every deferred claim whose
 * start is not under way (busy(token) says it is, or NULL: none is): an
 * agent's pass ends every deferral its starts did not (a start that was
 * never made, a late step 7 that failed before), so none waits for
 * recovery.  How many were published now.
 */
int
sl_claim_undefer_idle(int (*busy)(const char *))
{
	size_t	i;
	int	n = 0;

	for (i = ndv; i-- > 0; )
		if (busy == NULL || !busy(dv[i].token))
			n += late_publish(i) == 1;
	return n;
}

/*
 * sl_claim_slots_of - the slots this process's claim of token took, as
 * claim.ini's "slots" says them ("none" for none), into out; 0, or -1 if
 * this process made no such claim lately
 */
int
sl_claim_slots_of(const char *token, char *out, size_t len)
{
	struct memo *m = memo_of(token);

	if (m == NULL)
		return -1;
	snprintf(out, len, "%s", m->held);
	return 0;
}

/*
 * A keeper (bin/sluice-agent.c, "keepers") is a starter kept for the next
 * run: forked before that run's claim, it lacks the claim's memory (the
 * slots it took, where its deferral left the run), which its agent sends
 * with the start.  sl_claim_pack writes it as four strings, each ended by
 * a NUL: the token, the slots ("" if not remembered), the private claim
 * name and the Pending name ("" and "" if not deferred).  Its length, or
 * -1 if len is too small.
 */
long
sl_claim_pack(const char *token, char *buf, size_t len)
{
	struct memo *m = memo_of(token);
	long	i = defer_of(token, NULL);
	size_t	at = 0;

	if (sl_field_put(buf, len, &at, token) < 0 ||
	    sl_field_put(buf, len, &at, m != NULL ? m->held : "") < 0 ||
	    sl_field_put(buf, len, &at, i >= 0 ? dv[i].priv : "") < 0 ||
	    sl_field_put(buf, len, &at, i >= 0 ? dv[i].to : "") < 0)
		return -1;
	return (long)at;
}

/*
 * sl_claim_unpack - forget every claim this process remembers (its
 * agent's, from before its fork: their runs are other processes' to start)
 * and remember the one sl_claim_pack wrote in the n bytes of buf; its
 * token into token (tlen >= SL_RUNNAME_MAX).  0, or -1 if buf is not such
 * a pack (then nothing is remembered).
 */
int
sl_claim_unpack(const char *buf, size_t n, char *token, size_t tlen)
{
	const char *f[4];
	size_t	at = 0, k;

	nmemo = 0;
	while (ndv > 0)
		defer_drop(ndv - 1);
	for (k = 0; k < 4; k++)
		if ((f[k] = sl_field_get(buf, n, &at)) == NULL)
			return -1;
	if (at != n || sl_token_parse(f[0], NULL, NULL) < 0 ||
	    strlen(f[0]) >= tlen || (f[2][0] != '\0') != (f[3][0] != '\0'))
		return -1;
	snprintf(token, tlen, "%s", f[0]);
	if (f[1][0] != '\0')
		memo_put(f[0], f[1]);
	if (f[2][0] != '\0')
		defer_put(f[0], f[2], f[3]);
	return 0;
}

/*
 * The slots a pass saw free (first_free), one a scope: agent, queue,
 * pool.  Each is used by the next claim without a second look (the rename
 * of the take decides), then forgotten (-1: look again).
 */
struct seen {
	long	fa, fq, fp;
};

/* put_back - return a run under our private name priv to where it was,
 * or, if that bucket was pruned meanwhile, to its bucket made again */
static int
put_back(const char *priv, const char *from, const char *sd,
    const char *token)
{
	if (sane_rename(priv, from) == 0)
		return 0;
	return errno == ENOENT && sl_exists(priv) ? sl_sched_put(priv, sd,
	    token, 0) : -1;
}

/* claim_one - claim the run of token in queue q, found in the bucket of
 * sched/ named where ("": in sched/ itself, a writer's from before
 * buckets) */
static enum outcome
claim_one(const struct sl_spool *sp, const struct sl_agent *a,
    const struct sl_pool *p, const struct sl_queue *q, const char *token,
    const char *where, time_t now, struct seen *f, unsigned flags)
{
	char	id[SL_UUID_LEN + 1], scope[SL_NAME_MAX + 8], body[1024], t[40];
	char	held[HELD_MAX];
	char   *from, *sd, *pd, *to, *priv = NULL;
	struct taken tk[3];
	enum outcome rc = CLAIMED;
	int	n = 0, i, r;
	long	fa, fq, fp;
	time_t	due;

	sl_token_parse(token, &due, id);
	/* RACE: what looks free may be taken by the time we take it; the
	 * takes below decide, this only spares needless take-and-give-back.
	 * Each take starts at the slot seen free here, or by the pass */
	fa = f->fa;
	fq = f->fq;
	fp = f->fp;
	f->fa = f->fq = f->fp = -1;
	snprintf(scope, sizeof(scope), "a.%s", a->id);
	if (fa < 0 && (fa = first_free(sp, p->name, scope, a->limit)) < 0)
		return AGENT_FULL;
	snprintf(scope, sizeof(scope), "q.%s", q->name);
	if (fq < 0 && (fq = first_free(sp, p->name, scope, q->limit)) < 0)
		return QUEUE_FULL;
	if (fp < 0 && (fp = first_free(sp, p->name, "pool", p->limit)) < 0)
		return POOL_FULL;
	snprintf(scope, sizeof(scope), "a.%s", a->id);
	if ((r = take(sp, p->name, scope, a->limit, token, a->id, now, fa, tk,
	    &n)) != 0)
		return r > 0 ? AGENT_FULL : FAILED;
	snprintf(scope, sizeof(scope), "q.%s", q->name);
	if ((r = take(sp, p->name, scope, q->limit, token, a->id, now, fq, tk,
	    &n)) != 0) {
		give_back(sp, p->name, id, tk, n);
		return r > 0 ? QUEUE_FULL : FAILED;
	}
	if ((r = take(sp, p->name, "pool", p->limit, token, a->id, now, fp, tk,
	    &n)) != 0) {
		give_back(sp, p->name, id, tk, n);
		return r > 0 ? POOL_FULL : FAILED;
	}
	sd = sl_place(sp, SL_PL_SCHED, p->name, q->name, (char *)NULL);
	from = where[0] == '\0' ? sl_path(sd, token, (char *)NULL) :
	    sl_path(sd, where, token, (char *)NULL);
	pd = sl_place(sp, SL_PL_PENDING, p->name, NULL, a->id, (char *)NULL);
	to = sl_path(pd, token, (char *)NULL);
	if ((priv = sl_flight_name(pd, "claim", now, token)) == NULL) {
		give_back(sp, p->name, id, tk, n);
		rc = FAILED;
		goto out;
	}
	sl_step("run-rename");
	/* the run first goes to a name only this claimer makes: another
	 * claimer for the same agent renaming the same run would otherwise
	 * share the target, and its failed rename would look done */
	if (sl_rename_into(from, priv, pd) < 0) {
		/* RACE: another claimer took the run, or it was cancelled */
		give_back(sp, p->name, id, tk, n);
		rc = STALE;
		goto out;
	}
	sl_step("verify");
	for (i = 0; i < n; i++) {
		char   *e = sl_place(sp, SL_PL_SLOTS, p->name, NULL,
		    tk[i].name, id, (char *)NULL);
		struct stat st;
		int	gone = sl_lstat(e, &st) < 0;

		free(e);
		if (!gone)
			continue;
		/* RACE: we stalled past the lease and recovery freed a slot
		 * of ours, or recovery returned the run of a gone agent: the
		 * run goes back; it was never started.  The slots first,
		 * while the run is still under our private name: once back
		 * in sched/ it may be claimed again at once, with entries
		 * under the same run id that ours must not remove; and only
		 * those naming our takes, since recovery may have moved it
		 * already */
		give_back_takes(sp, p->name, id, tk, n);
		if (put_back(priv, from, sd, token) < 0)
			sl_warn("cannot return run %s to %s: %s", id, from,
			    strerror(errno));
		rc = GONE;
		goto out;
	}
	/* the slots it holds, so that its end releases them by name
	 * (sl_slots_release_named) instead of looking in every slot */
	held[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(held + strlen(held), sizeof(held) - strlen(held),
		    "%s%.199s", i ? " " : "", tk[i].name);
	if (flags & SL_CLAIM_SELF)
		goto publish;	/* our memory says them (memo_put) */
	sl_step("claim-file");
	snprintf(body, sizeof(body), "[claim]\nagent = %s\nhost = %s\n"
	    "claimed = %s\nslots = %s\n; end of sluice file\n", a->id,
	    a->host, sl_time_fmt(now, t, sizeof(t)), n ? held : "none");
	{
		char   *tmp = sl_path(priv, ".claim.tmp", (char *)NULL);
		char   *cf = sl_path(priv, "claim.ini", (char *)NULL);

		/* (a claimer killed here before left its scratch in the
		 * run, which publishing replaces: the directory is ours now)
		 * who claimed it, for people and logs: not fsynced, since a
		 * claim lost to a power cut is a run still in sched/, and one
		 * kept is a gone agent's claim, which recovery hands back */
		if (sl_publish_nosync(tmp, cf, body, strlen(body)) < 0) {
			sl_warn("cannot write %s: %s", cf, strerror(errno));
			/* an earlier claim's would name slots this run no
			 * longer holds: without one, its end looks for them */
			if (sl_unlink(cf) < 0 && errno != ENOENT)
				sl_warn("cannot remove %s: %s", cf,
				    strerror(errno));
		}
		free(tmp);
		free(cf);
	}
publish:
	/* a run due now, that the caller starts at once: step 7 is left
	 * to its start, which renames it from here into running/ (one
	 * rename a run fewer, a round trip on a network filesystem);
	 * listings count it Pending under this name (sl_run_entry) */
	if ((flags & (SL_CLAIM_SELF | SL_CLAIM_DEFER)) == (SL_CLAIM_SELF |
	    SL_CLAIM_DEFER) && due <= now) {
		memo_put(token, n ? held : "none");
		defer_put(token, priv, to);
		goto out;
	}
	sl_step("publish");
	if (sane_rename(priv, to) < 0) {
		sl_warn("cannot move claimed run %s to %s: %s; returning it",
		    id, to, strerror(errno));
		if (!(flags & SL_CLAIM_SELF))
			sl_run_forget_claim(priv);	/* step 6's */
		/* (put_back takes "our source gone, the target there" for
		 * its own lost reply; so does a run recovery returned from
		 * our private name: hence only our takes' entries go) */
		if (put_back(priv, from, sd, token) < 0) {
			sl_warn("cannot return run %s to %s: %s; recovery "
			    "will", id, from, strerror(errno));
			rc = FAILED;
		} else {
			give_back_takes(sp, p->name, id, tk, n);
			rc = GONE;
		}
	} else
		memo_put(token, n ? held : "none");
out:
	free(from);
	free(sd);
	free(pd);
	free(to);
	free(priv);
	return rc;
}

/*
 * The head of a queue: a pass claims from the earliest runs only, so of a
 * sched/ holding any number of runs it keeps the HEAD earliest tokens (a
 * max-heap while reading, then sorted): memory and sorting do not grow
 * with the queue.  A claim that uses all HEAD up lists once more
 * (sl_claim_in) for the rest, and the time of the next run not due.
 */
#define HEAD	256

static void
sift_down(char **h, size_t n, size_t i)
{
	size_t	c;
	char   *t;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && strcmp(h[c + 1], h[c]) > 0)
			c++;
		if (strcmp(h[i], h[c]) >= 0)
			break;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
	}
}

static void
sift_up(char **h, size_t i)
{
	char   *t;

	for (; i > 0 && strcmp(h[(i - 1) / 2], h[i]) < 0; i = (i - 1) / 2) {
		t = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
	}
}

/*
 * keep - a copy of token for the heap, with where it was found: the name
 * of its bucket, or "" for sched/ itself, after the token's NUL, so that
 * strcmp and every reader of the token see the token alone
 */
static char *
keep(const char *token, const char *where)
{
	size_t	len = strlen(token), wl = strlen(where);
	char   *c = sl_xmalloc(len + wl + 2);

	memcpy(c, token, len + 1);
	memcpy(c + len + 1, where, wl + 1);
	return c;
}

/* found_in - where a heap entry was found (keep) */
static const char *
found_in(const char *kept)
{
	return kept + strlen(kept) + 1;
}

/*
 * The last listing of each queue's sched/ this process made, less what
 * it has claimed from it since (heads_take, heads_keep): a quick pass
 * (SL_CLAIM_REUSE) claims from it instead of reading sched/ again while
 * it is under REUSE_MS old and holds a run.  A listing is four system
 * calls a directory (open, two reads, close), each a round trip on a
 * network filesystem, and a drain's passes claim one run each.  Within
 * one pass (SL_CLAIM_NEWPASS begins one), a listing is always reused: a
 * dispatcher claims for its agents one run each in turn.  RACE: a
 * run put into sched/ since is not in it: the caller asks for reuse only
 * when this host's inotify saw no run arrive (SL_SEEN_SCHED), so what it
 * misses was put on another host, which inotify never shows and a pass
 * listing for real finds within REUSE_MS (a run submitted now sorts after
 * the queued ones anyway); a run in it claimed by another since fails its
 * rename (STALE), and the claim lists again from the server.
 */
#define REUSE_MS	1000

static struct head {
	char   *sd;		/* the sched/ listed */
	char  **v;		/* its earliest tokens not claimed from it */
	size_t	n;
	struct timespec at;	/* when it was listed (CLOCK_MONOTONIC) */
	unsigned long pass;	/* in which pass */
	int	cut;		/* the listing held HEAD: more may follow */
} *heads;
static size_t nheads;
static unsigned long pass_no;	/* the pass of this process's claims */

/* head_of - the cache entry of sched/ sd, made empty if new */
static struct head *
head_of(const char *sd)
{
	size_t	i;

	for (i = 0; i < nheads; i++)
		if (strcmp(heads[i].sd, sd) == 0)
			return &heads[i];
	heads = sl_xrealloc(heads, (nheads + 1) * sizeof(*heads));
	heads[nheads].sd = sl_xstrdup(sd);
	heads[nheads].v = NULL;
	heads[nheads].n = 0;
	heads[nheads].at.tv_sec = heads[nheads].at.tv_nsec = 0;
	heads[nheads].pass = 0;
	heads[nheads].cut = 0;
	return &heads[nheads++];
}

/* head_age_ms - how old the listing of h is, in milliseconds */
static long long
head_age_ms(const struct head *h)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return (long long)REUSE_MS;
	return (long long)(now.tv_sec - h->at.tv_sec) * 1000 +
	    (now.tv_nsec - h->at.tv_nsec) / 1000000;
}

/*
 * heads_sweep - forget the listings no claim may reuse any more: those
 * REUSE_MS old or older (heads_take refuses them, and age only grows).
 * At a pass's start (all listed before are of earlier passes), when no
 * head_of pointer is held.  Without it a process would keep an entry for
 * every sched/ it ever listed, queues long deleted included.
 */
static void
heads_sweep(void)
{
	size_t	i = 0;

	while (i < nheads) {
		if (head_age_ms(&heads[i]) < REUSE_MS) {
			i++;
			continue;
		}
		free(heads[i].sd);
		sl_strv_free(heads[i].v, heads[i].n);
		heads[i] = heads[--nheads];
	}
	if (nheads == 0) {
		free(heads);
		heads = NULL;
	}
}

/* sl_claim_cached - how many queues' listings this process keeps */
size_t
sl_claim_cached(void)
{
	return nheads;
}

/*
 * heads_take - the listing of sd to reuse (its tokens, which the caller
 * now owns, into *v and *n): 1, or 0 if there is none fit to reuse, made
 * in this pass or (any) in an earlier one.
 */
static int
heads_take(const char *sd, int any, char ***v, size_t *n)
{
	struct head *h = head_of(sd);

	if (h->n == 0 || (!any && h->pass != pass_no) ||
	    head_age_ms(h) >= REUSE_MS)
		return 0;
	*v = h->v;
	*n = h->n;
	h->v = NULL;
	h->n = 0;
	return 1;
}

/* heads_listed - sd was just listed: what it held before is forgotten */
static void
heads_listed(const char *sd)
{
	struct head *h = head_of(sd);

	sl_strv_free(h->v, h->n);
	h->v = NULL;
	h->n = 0;
	if (clock_gettime(CLOCK_MONOTONIC, &h->at) < 0)
		h->at.tv_sec = h->at.tv_nsec = 0;
	h->pass = pass_no;
	h->cut = 0;
}

/*
 * heads_keep - a claim is done with the tokens v[0..n) of sd, the first
 * used of them claimed or tried: the rest are kept for the next quick
 * pass (and v freed).
 */
static void
heads_keep(const char *sd, char **v, size_t used, size_t n)
{
	struct head *h = head_of(sd);
	size_t	i;

	for (i = 0; i < used && i < n; i++)
		free(v[i]);
	sl_strv_free(h->v, h->n);
	h->v = NULL;
	h->n = 0;
	if (used < n) {
		memmove(v, v + used, (n - used) * sizeof(*v));
		h->v = v;
		h->n = n - used;
	} else
		free(v);
}

/*
 * heap_add - offer token name, found in directory dir of sched/ ("": in
 * sched/ itself), to the max-heap h of the HEAD earliest (k held).
 */
static void
heap_add(char **h, size_t *k, const char *name, const char *dir)
{
	if (*k < HEAD) {
		h[*k] = keep(name, dir);
		sift_up(h, (*k)++);
	} else if (strcmp(name, h[0]) < 0) {
		free(h[0]);
		h[0] = keep(name, dir);
		sift_down(h, *k, 0);
	}
}

/*
 * sched_tokens - the earliest (up to HEAD) tokens of a queue's sched/ sd, in
 * order: sched/ itself (runs of writers from before buckets), then its
 * buckets in time order, up to the first bucket that can hold nothing we
 * need: every token in it is later than every one held, and the heap is
 * full or already holds one not due by horizon (the earliest of those
 * tells the caller when to look again).  Buckets found empty and old are
 * pruned.  refresh: ask a network filesystem for fresh listings.
 */
static int
sched_tokens(const char *sd, time_t now, time_t horizon, int refresh,
    char ***out, size_t *n)
{
	struct dirent *de;
	char  **h = sl_xmalloc(HEAD * sizeof(*h)), **dirs, **flat;
	const char *b;
	size_t	k = 0, nd, nf, j;
	DIR    *dir;
	int	any;

	*out = NULL;
	*n = 0;
	if (refresh)
		sl_dir_refresh(sd);
	heads_listed(sd);
	/* one read of sched/ gives its buckets and the runs in it */
	if (sl_sched_read(sd, 0, 0, &dirs, &nd, &flat, &nf) < 0) {
		free(h);
		return -1;
	}
	for (j = 0; j < nf; j++)
		heap_add(h, &k, flat[j], "");
	sl_strv_free(flat, nf);
	for (j = 0; j < nd; j++) {
		b = dirs[j] + strlen(sd) + 1;
		if (k > 0 && strncmp(b, h[0], SL_BUCKET_LEN) > 0 &&
		    (k == HEAD || (time_t)strtoull(h[0], NULL, 16) > horizon))
			break;
		if (refresh)
			sl_dir_refresh(dirs[j]);
		/* RACE: a bucket pruned since the listing is empty */
		if ((dir = sl_opendir(dirs[j])) == NULL)
			continue;
		any = 0;
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
				continue;
			any = 1;
			/* a name later than the heap's latest is passed
			 * over unparsed: of 100,000 names in hash order only
			 * a few thousand are ever earlier, and parsing each
			 * cost a quarter of a pass */
			if (k == HEAD && strcmp(de->d_name, h[0]) >= 0)
				continue;
			if (sl_is_token(de->d_name))
				heap_add(h, &k, de->d_name, b);
		}
		closedir(dir);
		if (!any)
			sl_sched_prune(dirs[j], now);
	}
	sl_strv_free(dirs, nd);
	if (k > 1)
		qsort(h, k, sizeof(*h), sl_strcmp_p);
	/* a full heap may have left runs out (a bucket not read, a name
	 * passed over): whoever uses the listing up lists again */
	head_of(sd)->cut = k == HEAD;
	*out = h;
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
	long	n;

	if (next != NULL)
		*next = 0;
	if (sl_pool_load(sp, a->pool, &p, err, errlen) < 0)
		return -1;
	n = sl_claim_in(sp, a, &p, max, now, got, next, SL_CLAIM_NEWPASS);
	sl_pool_free(&p);
	return n;
}

/*
 * sl_claim_in - sl_claim with the pool's configuration already read (in
 * this pass: a pass reads it once for all it does).  Never fails as a
 * whole: a run it cannot claim is left for the next pass.
 */
long
sl_claim_in(const struct sl_spool *sp, const struct sl_agent *a,
    const struct sl_pool *p, long max, time_t now, struct sl_names *got,
    time_t *next, unsigned flags)
{
	char  **v, *sd, scope[SL_NAME_MAX + SL_UUID_LEN + 8];
	size_t	qi, n, i, used;
	long	claimed = 0;
	time_t	t;
	int	stop = 0, relisted, qfull, drop;
	struct seen f;

	if (next != NULL)
		*next = 0;
	if (flags & SL_CLAIM_NEWPASS) {
		pass_no++;
		heads_sweep();
	}
	if (p->paused || p->limit == 0 || max <= 0)
		return 0;
	/* RACE: a hint, as in claim_one: a scope full now frees a slot
	 * later, and that change wakes a pass (slots/ is watched, and an
	 * agent's supervisors tell it).  A full scope spares listing sched/,
	 * the costliest read of a pass, for nothing.  The slots seen free
	 * are where the first claim takes */
	snprintf(scope, sizeof(scope), "a.%s", a->id);
	if ((f.fa = first_free(sp, p->name, scope, a->limit)) < 0 ||
	    (f.fp = first_free(sp, p->name, "pool", p->limit)) < 0)
		return 0;
	for (qi = 0; qi < p->nq && !stop; qi++) {
		const struct sl_queue *q = &p->q[qi];

		if (q->paused || q->limit == 0 || !sl_agent_serves(a, q->name))
			continue;
		snprintf(scope, sizeof(scope), "q.%s", q->name);
		if ((f.fq = first_free(sp, p->name, scope, q->limit)) < 0)
			continue;
		sd = sl_place(sp, SL_PL_SCHED, p->name, q->name, (char *)NULL);
		if (!heads_take(sd, (flags & SL_CLAIM_REUSE) != 0, &v, &n) &&
		    sched_tokens(sd, now, now + a->prefetch, 0, &v, &n) < 0) {
			free(sd);
			continue;
		}
		relisted = qfull = drop = 0;
		used = 0;	/* v[0..used) claimed or tried */
again:
		for (i = 0; i < n && !stop && !qfull; i++) {
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
			switch (claim_one(sp, a, p, q, v[i], found_in(v[i]),
			    now, &f, flags)) {
			case CLAIMED:
				claimed++;
				if (got != NULL)
					sl_names_add(got, v[i]);
				used = i + 1;
				break;
			case GONE:
				/* put back in sched/: the listing no longer
				 * says what comes first; the next claim lists */
				used = i + 1;
				drop = 1;
				break;
			case STALE:
				/* the rest of this listing may be as old: on
				 * sshfs or NFS a host that lost a race once
				 * would list the same taken runs until its
				 * cache expired (20 s on sshfs), chasing them
				 * while another host took every new one
				 * (netfs_claim_race: 595 runs to 5).  Once a
				 * pass: list again from the server */
				used = i + 1;
				if (relisted++)
					break;
				sl_strv_free(v, n);
				if (sched_tokens(sd, now, now + a->prefetch, 1,
				    &v, &n) < 0) {
					v = NULL;
					n = 0;
				}
				used = 0;
				i = (size_t)-1;	/* from the start */
				break;
			case QUEUE_FULL:
				qfull = 1;	/* next queue */
				break;
			case AGENT_FULL:
			case POOL_FULL:
			case FAILED:
				stop = 1;
				break;
			}
		}
		/* a listing cut at HEAD used up: the runs after it (and the
		 * time of the next not due, for *next) are unread; once a
		 * claim, list again and go on */
		if (i >= n && n > 0 && !stop && !qfull && !drop &&
		    claimed < max && head_of(sd)->cut && relisted++ == 0) {
			sl_strv_free(v, n);
			if (sched_tokens(sd, now, now + a->prefetch, 0, &v,
			    &n) < 0) {
				v = NULL;
				n = 0;
			}
			used = 0;
			goto again;
		}
		heads_keep(sd, v, drop ? n : used, n);
		free(sd);
	}
	return claimed;
}

void
sl_names_add(struct sl_names *ns, const char *s)
{
	ns->v = sl_xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n++] = sl_xstrdup(s);
}

/* sl_names_has - is s one of ns? */
int
sl_names_has(const struct sl_names *ns, const char *s)
{
	size_t	i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return 1;
	return 0;
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
 * collect - the run ids of the tokens in dir, and of the runs under a
 * private name there (.claim. in pending/AGENT/, a claim between its two
 * renames; .crash. in running/, a run that crash detection is ending):
 * those hold their slots until whoever took them finishes (or, if that
 * one dies, until recovery of the stale private name does), whatever
 * their claim time.  Freeing a .crash. run's slots while the detector
 * still waits for its processes to die would let a new run start beside
 * them, over the limit.
 */
static void
collect(const char *dir, struct sl_names *s)
{
	struct dirent *de;
	const char *tok;
	char	id[SL_UUID_LEN + 1];
	DIR    *d;

	if ((d = sl_opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (sl_token_parse(de->d_name, NULL, id) == 0 ||
		    ((tok = sl_flight_parse(de->d_name, NULL, NULL)) != NULL &&
		    sl_token_parse(tok, NULL, id) == 0))
			sl_names_add(s, id);
	closedir(d);
}

/*
 * slot_dead - may the slot entry of run id be freed?  Listings may be
 * stale (NFS, sshfs), so a run that no listing showed active is looked up
 * by name before anything is freed: finished (done/ID.STATE exists) frees
 * at once; active (running/TOKEN or pending/AGENT/TOKEN exists) never
 * frees; otherwise (back in sched/, claimer died mid-claim, or gone) only
 * after the lease, counted from the claim time in the entry.  RACE: a run
 * under a private name (.crash.) cannot be looked up by name; a listing
 * too stale to show it costs a slot freed early only if its claim is also
 * older than stale (SL_STALE_LEASES leases), the same bound every other
 * stranded state has.
 */
static int
slot_dead(const struct sl_spool *sp, const char *pool, const char *ent,
    const char *id, time_t now, long lease)
{
	static const enum sl_state fin[] = { SL_COMPLETED, SL_FAILED,
	    SL_CRASHED, SL_CANCELLED };
	char	tok[SL_RUNNAME_MAX], agent[100], name[SL_RUNNAME_MAX], *p, *text;
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
		sl_done_name(name, id, fin[i]);
		p = sl_place(sp, SL_PL_DONE, pool, NULL, name, (char *)NULL);
		found = sl_lstat(p, &st) == 0;
		free(p);
		if (found)
			return 1;
	}
	if (sl_token_parse(tok, NULL, NULL) == 0) {
		p = sl_place(sp, SL_PL_RUNNING, pool, NULL, tok, (char *)NULL);
		found = sl_lstat(p, &st) == 0;
		free(p);
		if (!found && sl_uuid_ok(agent)) {
			p = sl_place(sp, SL_PL_PENDING, pool, NULL, agent, tok, (char *)NULL);
			found = sl_lstat(p, &st) == 0;
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
 *     freed, and so do its runs under a private .claim. name, whoever
 *     made it; so does a claim whose claimer died between its two renames
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
	struct sl_names active = { 0 };
	struct sl_agent *ag;
	struct dirent *de, *e;
	struct stat st;
	char   *d, *ad, *sd;
	char	why[SL_ERR_MAX];
	size_t	na, i;
	long	fixed = 0;
	DIR    *dir, *sub;

	if (sl_agents_load(sp, pool, &ag, &na) < 0)
		return 0;
	/* 1. Pending runs of agents that are gone */
	d = sl_place(sp, SL_PL_PENDING, pool, NULL, (char *)NULL);
	if ((dir = sl_opendir(d)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			const struct sl_agent *a = NULL;
			int	gone, r;

			if (!sl_uuid_ok(de->d_name))
				continue;
			for (i = 0; i < na; i++)
				if (strcmp(ag[i].id, de->d_name) == 0)
					a = &ag[i];
			if (a == NULL) {
				/* not in the listing: looked up by name
				 * before it is called gone (a listing may be
				 * stale on NFS and sshfs) */
				ad = sl_place(sp, SL_PL_AGENTS, pool, NULL, de->d_name,
				    (char *)NULL);
				gone = sl_lstat(ad, &st) < 0 && errno == ENOENT;
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
			if ((sub = sl_opendir(ad)) != NULL) {
				while ((e = readdir(sub)) != NULL) {
					char	tok[SL_TOKEN_LEN + 1], *from;
					const char *t;
					time_t	born;

					if (sl_token_parse(e->d_name, NULL, NULL) == 0) {
						if (!gone)
							continue;
						memcpy(tok, e->d_name, sizeof(tok));
					} else if ((t = sl_flight_parse(e->d_name,
					    "claim", &born)) == NULL ||
					    (!gone && now - born <= stale))
						continue;
					else	/* parsed: a token */
						memcpy(tok, t, sizeof(tok));
					/* a gone agent's claim, also one it left
					 * under its private name (a claim of its
					 * own deferred to a start that never
					 * came, or a claimer's for it between its
					 * two renames: that claimer's step 7 then
					 * fails, and it gives back only its own
					 * takes' entries: give_back_takes), or a
					 * claim whose claimer died between its
					 * two renames */
					from = sl_path(ad, e->d_name, (char *)NULL);
					/* RACE: the agent may come back and start
					 * it this instant; one rename wins, the
					 * other finds it gone.  It may be claimed
					 * again at once: only this claim's slot
					 * entries (by token) are given back. */
					r = sl_run_unclaim(sp, pool, from, tok,
					    de->d_name);
					if (r > 0) {
						sl_log(SL_WARNING, "Rejected "
						    "run %.36s of a gone agent: "
						    "its run.ini is cut short "
						    "(rejected/%.36s/reason)",
						    tok + 34, tok + 34);
						fixed++;
					} else if (r == 0) {
						if (gone)
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
				(void)sl_rmdir(ad);
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
	/* what is active (after step 1).  Nothing else is listed: a slot
	 * of a run not seen active is looked up by name (slot_dead), so
	 * sched/, however long, is never read here */
	d = sl_place(sp, SL_PL_PENDING, pool, NULL, (char *)NULL);
	if ((dir = sl_opendir(d)) != NULL) {
		while ((de = readdir(dir)) != NULL)
			if (sl_uuid_ok(de->d_name)) {
				ad = sl_path(d, de->d_name, (char *)NULL);
				collect(ad, &active);
				free(ad);
			}
		closedir(dir);
	}
	free(d);
	d = sl_place(sp, SL_PL_RUNNING, pool, NULL, (char *)NULL);
	collect(d, &active);
	free(d);
	/* 3. slots held by runs that are not Pending or Running */
	sd = sl_place(sp, SL_PL_SLOTS, pool, NULL, (char *)NULL);
	if ((dir = sl_opendir(sd)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			ad = sl_path(sd, de->d_name, (char *)NULL);
			if ((sub = sl_opendir(ad)) != NULL) {
				while ((e = readdir(sub)) != NULL) {
					char   *ent;
					int	free_it;

					if (!sl_uuid_ok(e->d_name) ||
					    sl_names_has(&active, e->d_name))
						continue;
					ent = sl_path(ad, e->d_name, (char *)NULL);
					free_it = slot_dead(sp, pool, ent, e->d_name,
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
	sl_names_free(&active);
	return fixed;
}
