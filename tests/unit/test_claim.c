/*
 * test_claim.c - lib/claim.c: concurrency slots, claims, finishing and
 * recovery (spool-layout.md, "Claims and concurrency limits").
 *
 * Every test gets a fresh spool (a temp dir with pools/ in it), and runs
 * are submitted with sl_run_submit and claimed for agents registered with
 * sl_agent_register, as sluice does.  Covered: taking and releasing slots
 * (entries name their run; a stranger cannot release; an empty slot
 * directory is free); claims in waterfall order; pool, queue and agent
 * limits, limits of 0, paused pools and queues, prefetch, the queues an
 * agent serves; a crash (the process exits in sl_claim_step, or just
 * before or after a rename through the sl_sys seam) at every step of a
 * claim and of sl_run_finish, followed by recovery; lost NFS replies and
 * failing renames at every rename of a claim, a finish and a recovery;
 * recovery of gone, live, torn and unregistered agents and of stale
 * slots, and recovery racing a claim; and six claimers racing for a pool
 * limit of 2.
 *
 * Times: the claim protocol takes "now" from its caller, so tests use
 * now0 (the wall clock at setup) and times relative to it.  LEASE is the
 * value sl_dispatch_pool passes (10 x lease), so "the leases are over" is
 * now0 + LEASE + 1, as the crash table in spool-layout.md says.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define T_CLAIM_TIMEOUT	60	/* crash loops rebuild a spool per step */
#define P		"P"
#define WINDOW		30	/* heartbeat x missed_heartbeats */
#define LEASE		300	/* 10 x lease, as sl_dispatch_pool passes it */
#define CRASHED		42	/* a child's exit status: it died at a step */

typedef char runid[SL_UUID_LEN + 1];

static char *root;
static struct sl_spool sp;
static char err[SL_ERR_MAX];
static time_t now0;
static int nagents;

static void
make_root(void)
{
	root = t_spool(&sp);
}

static void
setup(void)
{
	make_root();
	err[0] = '\0';
	now0 = time(NULL);
	sl_claim_step = NULL;
}

static void
teardown(void)
{
	sl_sys.rename = sl_rename;
	sl_sys.link = sl_link;
	sl_sys.mkdir = sl_mkdir;
	sl_claim_step = NULL;
	sl_rmtree(root);
	free(root);
}

/* respool - start over with an empty spool (loops over crash points) */
static void
respool(void)
{
	sl_rmtree(root);
	free(root);
	make_root();
}

/* S - a path under the spool root, printf-style (static, 4 live at once) */
static const char *
S(const char *fmt, ...)
{
	static char buf[4][4096];
	static int k;
	int	n;
	va_list	ap;

	k = (k + 1) % 4;
	n = snprintf(buf[k], sizeof(buf[k]), "%s/", root);
	va_start(ap, fmt);
	vsnprintf(buf[k] + n, sizeof(buf[k]) - (size_t)n, fmt, ap);
	va_end(ap);
	return buf[k];
}

/* ls - the names in dir, sorted; with dots == 0 not those starting '.' */
static void
ls(const char *dir, int dots, struct sl_names *out)
{
	struct dirent *de;
	DIR    *d;

	out->v = NULL;
	out->n = 0;
	if ((d = opendir(dir)) == NULL) {
		ck_assert_msg(errno == ENOENT, "opendir %s: %s", dir,
		    strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!dots && de->d_name[0] == '.')
			continue;
		sl_names_add(out, de->d_name);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), sl_strcmp_p);
}

/* n_in - entries of dir not starting with '.'; 0 if it is missing */
static int
n_in(const char *dir)
{
	int	n = t_count(dir, 0);

	return n < 0 ? 0 : n;
}

/* ---- pools, queues, runs, agents ---- */

static void
pool(long limit)
{
	ck_assert_msg(sl_pool_create(&sp, P, 0, limit, err, sizeof(err)) == 0,
	    "create pool: %s", err);
}

static void
queue(const char *name, long prio, long limit)
{
	ck_assert_msg(sl_queue_create(&sp, P, name, prio, limit, NULL, NULL,
	    err, sizeof(err)) == 0, "create queue %s: %s", name, err);
}

static int
edit_pause_pool(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)arg;
	(void)e;
	(void)elen;
	p->paused = 1;
	return 0;
}

static int
edit_pause_queue(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	struct sl_queue *q = sl_pool_queue(p, arg);

	if (q == NULL) {
		snprintf(e, elen, "no queue %s", (const char *)arg);
		return -1;
	}
	q->paused = 1;
	return 0;
}

static void
pause_queue(const char *name)
{
	ck_assert_msg(sl_pool_update(&sp, P, edit_pause_queue, (void *)name,
	    NULL, err, sizeof(err)) == 0, "pause %s: %s", name, err);
}

/* submit - a new run (command "true") in queue q, due at when */
static void
submit(const char *q, time_t when, runid id)
{
	struct sl_runspec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "%s", P);
	snprintf(r.queue, sizeof(r.queue), "%s", q);
	r.command = sl_xstrdup("true");
	r.scheduled = when;
	ck_assert_msg(sl_run_submit(&sp, &r, err, sizeof(err)) == 0,
	    "submit to %s: %s", q, err);
	memcpy(id, r.id, sizeof(runid));
	sl_runspec_free(&r);
}

/* agent_init - an agent of P serving every queue; not yet registered */
static void
agent_init(struct sl_agent *a, long limit, long prefetch, time_t when)
{
	memset(a, 0, sizeof(*a));
	ck_assert_int_eq(sl_uuid(a->id), 0);
	snprintf(a->name, sizeof(a->name), "agent-%d", ++nagents);
	snprintf(a->pool, sizeof(a->pool), "%s", P);
	snprintf(a->host, sizeof(a->host), "testhost");
	a->pid = (long)getpid();
	a->limit = limit;
	a->prefetch = prefetch;
	a->started = when;
}

/* agent_reg - register the agent and beat at its start */
static void
agent_reg(struct sl_agent *a)
{
	ck_assert_msg(sl_agent_register(&sp, a, err, sizeof(err)) == 0,
	    "register: %s", err);
	ck_assert_int_eq(sl_agent_beat(&sp, a, a->started), 0);
}

static void
agent_new(struct sl_agent *a, long limit, long prefetch, time_t when)
{
	agent_init(a, limit, prefetch, when);
	agent_reg(a);
}

/* claim - sl_claim, which must not fail */
static long
claim(const struct sl_agent *a, long max, time_t when, struct sl_names *got)
{
	long	n;

	n = sl_claim(&sp, a, max, when, got, NULL, err, sizeof(err));
	ck_assert_msg(n >= 0, "sl_claim: %s", err);
	return n;
}

static int
npending(const struct sl_agent *a)
{
	return n_in(S("pools/" P "/pending/%s", a->id));
}

/* ---- where runs are ---- */

enum where { W_SCHED, W_PENDING, W_RUNNING, W_DONE };
static const char *const wname[] = { "Scheduled", "Pending", "Running",
	"final" };

struct loc {
	runid	id;
	enum where w;
	char	sub[80];		/* its queue, its agent, its state */
	char	name[128];		/* its directory's name */
	char	bucket[SL_BUCKET_LEN + 1];	/* Scheduled: its bucket, or
					 * "" in sched/ itself */
};

struct locs {
	struct loc *v;
	size_t	n;
};

static void
add_loc(struct locs *L, const char *id, enum where w, const char *sub,
    const char *name)
{
	struct loc *l;

	L->v = sl_xrealloc(L->v, (L->n + 1) * sizeof(*L->v));
	l = &L->v[L->n++];
	snprintf(l->id, sizeof(l->id), "%s", id);
	l->w = w;
	snprintf(l->sub, sizeof(l->sub), "%s", sub);
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->bucket[0] = '\0';
}

/* tokens - every entry of dir, each of which must be a run token */
static void
tokens(struct locs *L, const char *dir, enum where w, const char *sub)
{
	struct sl_names es;
	runid	id;
	size_t	i;

	ls(dir, 0, &es);
	for (i = 0; i < es.n; i++) {
		ck_assert_msg(sl_token_parse(es.v[i], NULL, id) == 0,
		    "a stray %s in %s", es.v[i], dir);
		add_loc(L, id, w, sub, es.v[i]);
	}
	sl_names_free(&es);
}

/* sched_locs - every run of a queue's sched/ sd, in it or in its buckets;
 * anything else there is a stray */
static void
sched_locs(struct locs *L, const char *sd, const char *q)
{
	struct sl_names es;
	char	dir[512];
	size_t	i, k;

	snprintf(dir, sizeof(dir), "%s", sd);
	ls(dir, 0, &es);
	for (i = 0; i < es.n; i++) {
		if (sl_bucket_ok(es.v[i])) {
			char	bd[600];

			snprintf(bd, sizeof(bd), "%s/%s", dir, es.v[i]);
			k = L->n;
			tokens(L, bd, W_SCHED, q);
			for (; k < L->n; k++) {
				ck_assert_msg(strncmp(L->v[k].name, es.v[i],
				    SL_BUCKET_LEN) == 0, "%s in bucket %s",
				    L->v[k].name, es.v[i]);
				snprintf(L->v[k].bucket, sizeof(L->v[k].bucket),
				    "%s", es.v[i]);
			}
		} else {
			runid	id;

			ck_assert_msg(sl_token_parse(es.v[i], NULL, id) == 0,
			    "a stray %s in %s", es.v[i], dir);
			add_loc(L, id, W_SCHED, q, es.v[i]);
		}
	}
	sl_names_free(&es);
}

/* scan - every run of P: in sched/ of a queue, pending/, running/, done/ */
static void
scan(struct locs *L)
{
	struct sl_names v;
	runid	id;
	size_t	i;

	L->v = NULL;
	L->n = 0;
	ls(S("pools/" P "/queues"), 0, &v);
	for (i = 0; i < v.n; i++)
		sched_locs(L, S("pools/" P "/queues/%s/sched", v.v[i]),
		    v.v[i]);
	sl_names_free(&v);
	ls(S("pools/" P "/pending"), 0, &v);
	for (i = 0; i < v.n; i++) {
		ck_assert_msg(sl_uuid_ok(v.v[i]), "a stray %s in pending/",
		    v.v[i]);
		tokens(L, S("pools/" P "/pending/%s", v.v[i]), W_PENDING,
		    v.v[i]);
	}
	sl_names_free(&v);
	tokens(L, S("pools/" P "/running"), W_RUNNING, "");
	ls(S("pools/" P "/done"), 0, &v);
	for (i = 0; i < v.n; i++) {
		ck_assert_msg(strlen(v.v[i]) > SL_UUID_LEN + 1 &&
		    v.v[i][SL_UUID_LEN] == '.', "a stray %s in done/", v.v[i]);
		memcpy(id, v.v[i], SL_UUID_LEN);
		id[SL_UUID_LEN] = '\0';
		ck_assert(sl_uuid_ok(id));
		add_loc(L, id, W_DONE, v.v[i] + SL_UUID_LEN + 1, v.v[i]);
	}
	sl_names_free(&v);
}

static int
count_id(const struct locs *L, const char *id)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < L->n; i++)
		n += strcmp(L->v[i].id, id) == 0;
	return n;
}

static const struct loc *
find(const struct locs *L, const char *id)
{
	size_t	i;

	for (i = 0; i < L->n; i++)
		if (strcmp(L->v[i].id, id) == 0)
			return &L->v[i];
	return NULL;
}

static int
count_where(const struct locs *L, enum where w)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < L->n; i++)
		n += L->v[i].w == w;
	return n;
}

/* locate - where run id is now (it must be in exactly one place) */
static struct loc
locate(const char *id)
{
	struct locs L;
	struct loc l;

	scan(&L);
	ck_assert_msg(count_id(&L, id) == 1, "run %s is in %d places", id,
	    count_id(&L, id));
	l = *find(&L, id);
	free(L.v);
	return l;
}

/* run_dir - the directory of a located run (static) */
static const char *
run_dir(const struct loc *l)
{
	switch (l->w) {
	case W_SCHED:
		return l->bucket[0] != '\0' ? S("pools/" P
		    "/queues/%s/sched/%s/%s", l->sub, l->bucket, l->name) :
		    S("pools/" P "/queues/%s/sched/%s", l->sub, l->name);
	case W_PENDING:
		return S("pools/" P "/pending/%s/%s", l->sub, l->name);
	case W_RUNNING:
		return S("pools/" P "/running/%s", l->name);
	default:
		return S("pools/" P "/done/%s", l->name);
	}
}

static long
nslots(const char *id)
{
	char  **v;
	size_t	n, i;

	ck_assert_int_eq(sl_slots_of(&sp, P, id, &v, &n), 0);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return (long)n;
}

/* check_holding - every Pending or Running run holds want slots */
static void
check_holding(long want)
{
	struct locs L;
	size_t	i;

	scan(&L);
	for (i = 0; i < L.n; i++)
		if (L.v[i].w == W_PENDING || L.v[i].w == W_RUNNING)
			ck_assert_msg(nslots(L.v[i].id) == want, "%s run %s "
			    "holds %ld slots, not %ld", wname[L.v[i].w],
			    L.v[i].id, nslots(L.v[i].id), want);
	free(L.v);
}

/*
 * check_spool - the spool is consistent: each of the n runs is in exactly
 * one place and there are no others; a held slot has one entry, naming a
 * run that is Pending or Running; at most plimit "pool." slots are held
 * (SL_NOLIMIT: no check); each Pending or Running run holds want slots
 * (-1: no check); pools/P/tmp holds nothing but dotted names.
 */
static void
check_spool(runid *ids, size_t n, long plimit, long want)
{
	struct sl_names slots, ents, tmp;
	struct locs L;
	size_t	i, j;
	long	pool_held = 0;

	scan(&L);
	for (i = 0; i < n; i++)
		ck_assert_msg(count_id(&L, ids[i]) == 1, "run %s is in %d "
		    "places", ids[i], count_id(&L, ids[i]));
	ck_assert_msg(L.n == n, "%zu runs in the spool, %zu submitted", L.n, n);
	ls(S("pools/" P "/slots"), 0, &slots);
	for (i = 0; i < slots.n; i++) {
		ls(S("pools/" P "/slots/%s", slots.v[i]), 1, &ents);
		ck_assert_msg(ents.n <= 1, "slot %s has %zu entries",
		    slots.v[i], ents.n);
		for (j = 0; j < ents.n; j++) {
			const struct loc *l = find(&L, ents.v[j]);

			ck_assert_msg(l != NULL && (l->w == W_PENDING ||
			    l->w == W_RUNNING), "slot %s is held by run %s, "
			    "which is %s", slots.v[i], ents.v[j],
			    l == NULL ? "nowhere" : wname[l->w]);
			pool_held += strncmp(slots.v[i], "pool.", 5) == 0;
		}
		sl_names_free(&ents);
	}
	sl_names_free(&slots);
	if (plimit != SL_NOLIMIT)
		ck_assert_int_le(pool_held, plimit);
	if (want >= 0)
		check_holding(want);
	ls(S("pools/" P "/tmp"), 1, &tmp);
	for (i = 0; i < tmp.n; i++)
		ck_assert_msg(tmp.v[i][0] == '.', "left in tmp/: %s", tmp.v[i]);
	sl_names_free(&tmp);
	free(L.v);
}

/* start - move a Pending run of agent a to running/ (as an agent does) */
static void
start(const struct sl_agent *a, const char *tok)
{
	char   *from, *to;

	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/running"), 0755), 0);
	from = sl_xstrdup(S("pools/" P "/pending/%s/%s", a->id, tok));
	to = sl_xstrdup(S("pools/" P "/running/%s", tok));
	ck_assert_msg(rename(from, to) == 0, "rename %s: %s", from,
	    strerror(errno));
	free(from);
	free(to);
}

/* in_dir - d/name, in a static buffer */
static const char *
in_dir(const char *d, const char *name)
{
	static char b[4200];

	snprintf(b, sizeof(b), "%s/%s", d, name);
	return b;
}

/* finish - sl_run_finish of a located run, Completed */
static void
finish(const char *id)
{
	struct loc l = locate(id);
	char   *d = sl_xstrdup(run_dir(&l));

	ck_assert_msg(sl_run_finish(&sp, P, d, id, SL_COMPLETED, 0, now0,
	    NULL) == 0, "finish %s: %s", id, strerror(errno));
	free(d);
	ck_assert(t_exists(S("pools/" P "/done/%s.Completed", id)));
}

/* finish_pending - finish every Pending run, as their agents would */
static void
finish_pending(void)
{
	struct locs L;
	size_t	i;

	scan(&L);
	for (i = 0; i < L.n; i++)
		if (L.v[i].w == W_PENDING)
			finish(L.v[i].id);
	free(L.v);
}

/*
 * drain - a fresh agent, registered at when, claims everything left and
 * finishes it, never holding more than plimit runs at once; then every
 * one of the n runs is in done/, once.
 */
static void
drain(runid *ids, size_t n, long plimit, time_t when)
{
	struct sl_agent b;
	struct sl_names got = { 0 };
	struct locs L;
	size_t	i, iter;
	long	c;

	agent_new(&b, SL_NOLIMIT, 0, when);
	for (iter = 0; iter < 2 * n + 5; iter++) {
		c = claim(&b, 100, when, &got);
		if (plimit != SL_NOLIMIT) {
			ck_assert_int_le(npending(&b), plimit);
			ck_assert_int_le(sl_slots_held(&sp, P, "pool."), plimit);
		}
		for (i = 0; i < got.n; i++) {
			runid	id;

			ck_assert_int_eq(sl_token_parse(got.v[i], NULL, id), 0);
			start(&b, got.v[i]);
			finish(id);
		}
		sl_names_free(&got);
		if (c == 0)
			break;
	}
	scan(&L);
	for (i = 0; i < n; i++) {
		const struct loc *l = find(&L, ids[i]);

		ck_assert_msg(count_id(&L, ids[i]) == 1 && l->w == W_DONE,
		    "run %s is %s, in %d places", ids[i], l ? wname[l->w] :
		    "nowhere", count_id(&L, ids[i]));
	}
	ck_assert_uint_eq(L.n, n);
	free(L.v);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
}

/* ---- slots ---- */

/* mktoken - a token T.U.ID for a run that need not exist */
static void
mktoken(char *tok, size_t len, time_t t, runid id)
{
	ck_assert_int_eq(sl_uuid(id), 0);
	snprintf(tok, len, "%016llx.%016llx.%s", (unsigned long long)t,
	    (unsigned long long)t * 1000000ULL, id);
}

START_TEST(test_slot_take_release)
{
	char	tok[4][128], want[512], agent[SL_UUID_LEN + 1];
	runid	id[4];
	long	k = -1;
	char   *text;
	int	i;

	ck_assert_int_eq(sl_uuid(agent), 0);
	for (i = 0; i < 4; i++)
		mktoken(tok[i], sizeof(tok[i]), now0, id[i]);
	/* limit 3: slots 0, 1, 2, then full */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 3, tok[i], agent,
		    now0 + i, &k), 0);
		ck_assert_int_eq(k, i);
		ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), i + 1);
	}
	k = -1;
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 3, tok[3], agent, now0,
	    &k), 1);
	ck_assert_int_eq(k, -1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 3);
	/* nothing private is left behind, taken or not */
	ck_assert_int_eq(t_count(S("pools/" P "/tmp"), 1), 0);

	/* the entry names the run and says when, for whom, under which
	 * token, and which take made it (a uuid of its own) */
	ck_assert_int_eq(t_count(S("pools/" P "/slots/pool.1"), 1), 1);
	text = t_read(S("pools/" P "/slots/pool.1/%s", id[1]));
	snprintf(want, sizeof(want), "claimed = %lld\nagent = %s\ntoken = %s\n"
	    "slot = ", (long long)now0 + 1, agent, tok[1]);
	ck_assert_int_eq(strncmp(text, want, strlen(want)), 0);
	ck_assert_int_eq(strlen(text), strlen(want) + SL_UUID_LEN + 1);
	free(text);

	/* a different run cannot release it; the holder can */
	ck_assert_int_eq(sl_slot_release(&sp, P, "pool.1", id[0]), 0);
	ck_assert_int_eq(sl_slot_release(&sp, P, "pool.1", id[3]), 0);
	ck_assert(t_exists(S("pools/" P "/slots/pool.1/%s", id[1])));
	ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 3);
	ck_assert_int_eq(sl_slot_release(&sp, P, "pool.1", id[1]), 0);
	ck_assert(!t_exists(S("pools/" P "/slots/pool.1")));
	ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 2);
	/* releasing again, or a slot that never was, is a no-op */
	ck_assert_int_eq(sl_slot_release(&sp, P, "pool.1", id[1]), 0);
	ck_assert_int_eq(sl_slot_release(&sp, P, "pool.7", id[1]), 0);

	/* the freed slot is the one taken next */
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 3, tok[3], agent, now0,
	    &k), 0);
	ck_assert_int_eq(k, 1);
	ck_assert(t_exists(S("pools/" P "/slots/pool.1/%s", id[3])));
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 3, tok[1], agent, now0,
	    &k), 1);
	/* a raised limit gives the next slot at once */
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 4, tok[1], agent, now0,
	    &k), 0);
	ck_assert_int_eq(k, 3);
	ck_assert_int_eq(t_count(S("pools/" P "/tmp"), 1), 0);
}
END_TEST

START_TEST(test_slot_limits_and_errors)
{
	char	tok[128], agent[SL_UUID_LEN + 1];
	runid	id;
	long	k = -1;

	ck_assert_int_eq(sl_uuid(agent), 0);
	mktoken(tok, sizeof(tok), now0, id);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 0, tok, agent, now0, &k),
	    1);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", SL_NOLIMIT, tok, agent,
	    now0, &k), 1);
	ck_assert_int_eq(k, -1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	/* not a token */
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 2, "not-a-token", agent,
	    now0, &k), -1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	/* no slots/ at all */
	ck_assert_int_eq(sl_slots_held(&sp, "nope", NULL), 0);
}
END_TEST

/* an empty slot directory (a lost rmdir) is a free slot */
/*
 * Two claimers of one run race for its slots; the slower one's private
 * directory is swept (as a stale leftover) just before its rename, which
 * then fails with the run's other entry in the slot.  "Private name gone,
 * slot there" must not read as a lost reply of a success: the loser would
 * hold, and later give back, the winner's slot (the chaos campaign's
 * limit overshoots).
 */
static int
lost_reply_rename(const char *from, const char *to)
{
	ck_assert_int_eq(rename(from, to), 0);
	errno = EIO;
	return -1;
}

static const char *other_take;	/* the other claimer's private directory */

static int
swept_rename(const char *from, const char *to)
{
	/* the other claimer of the run renames first; then a sweeper takes
	 * our private directory */
	ck_assert_int_eq(rename(other_take, to), 0);
	ck_assert_int_eq(sl_rmtree(from), 0);
	return rename(from, to);
}

START_TEST(test_slot_take_swept_private)
{
	char	tok[128], agent[SL_UUID_LEN + 1], body[400], other[200], *text;
	runid	id;
	long	k = -1;

	ck_assert_int_eq(sl_uuid(agent), 0);
	mktoken(tok, sizeof(tok), now0, id);
	snprintf(other, sizeof(other), "%s",
	    S("pools/" P "/tmp/.slot.0a9c7a26-9c4e-4c2e-9d1e-222222222222"));
	ck_assert_int_eq(sl_mkdirs(other, 0755), 0);
	/* slots/, as a pool has it from its creation (fill_pool) */
	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/slots"), 0755), 0);
	snprintf(body, sizeof(body), "claimed = %lld\nagent = %s\ntoken = %s\n"
	    "slot = 0a9c7a26-9c4e-4c2e-9d1e-222222222222\n", (long long)now0,
	    agent, tok);
	{
		char	e[300];

		snprintf(e, sizeof(e), "%s/%s", other, id);
		t_puts(e, body);
	}
	other_take = other;
	sl_sys.rename = swept_rename;
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 1, tok, agent, now0,
	    &k), -1);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(k, -1);
	/* the slot is the other claimer's, untouched */
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 1);
	text = t_read(S("pools/" P "/slots/pool.0/%s", id));
	ck_assert_ptr_nonnull(strstr(text, "222222222222"));
	free(text);
	/* a lost reply of a real success still counts as taken */
	sl_sys.rename = lost_reply_rename;
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 2, tok, agent, now0,
	    &k), 0);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(k, 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 2);
}
END_TEST

/* the sweeper leaves a fresh private slot directory alone whatever its
 * entry holds while its claimer writes it (nothing, half of it) */
START_TEST(test_slot_sweep_half_written)
{
	static const char *const half[] = { "", "claimed = 1",
	    "claimed = 12\nagent = x\n" };
	char	path[256];
	size_t	i;

	for (i = 0; i < sizeof(half) / sizeof(half[0]); i++) {
		snprintf(path, sizeof(path), "pools/" P "/tmp/.slot.%08zx-0000-"
		    "4000-8000-000000000000", i);
		ck_assert_int_eq(sl_mkdirs(S("%s", path), 0755), 0);
		t_puts(S("%s/%s", path, "0a9c7a26-9c4e-4c2e-9d1e-111111111111"),
		    half[i]);
	}
	ck_assert_int_eq(sl_slots_sweep(&sp, P, time(NULL), 30), 0);
	ck_assert_int_eq(t_count(S("pools/" P "/tmp"), 1), 3);
}
END_TEST

START_TEST(test_slot_empty_dir_is_free)
{
	char	tok[2][128], agent[SL_UUID_LEN + 1];
	runid	id[2];
	long	k = -1;

	ck_assert_int_eq(sl_uuid(agent), 0);
	mktoken(tok[0], sizeof(tok[0]), now0, id[0]);
	mktoken(tok[1], sizeof(tok[1]), now0, id[1]);
	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/slots/pool.0"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/slots/q.a.0"), 0755), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 1, tok[0], agent, now0,
	    &k), 0);
	ck_assert_int_eq(k, 0);
	ck_assert(t_exists(S("pools/" P "/slots/pool.0/%s", id[0])));
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 1);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 1, tok[1], agent, now0,
	    &k), 1);
	/* release, leaving the directory as a lost rmdir would */
	ck_assert_int_eq(unlink(S("pools/" P "/slots/pool.0/%s", id[0])), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 1, tok[1], agent, now0,
	    &k), 0);
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(t_count(S("pools/" P "/slots/pool.0"), 1), 1);
	ck_assert(t_exists(S("pools/" P "/slots/pool.0/%s", id[1])));
}
END_TEST

/*
 * sl_slot_first_free asks the file server (rmdir: a listing is cached for
 * seconds on sshfs and NFS, and a host that went by it was starved): it
 * must never take a held slot for free nor harm one, and an empty slot
 * directory it finds is free and goes.
 */
START_TEST(test_slot_looks_free_asks)
{
	char	tok[2][128], agent[SL_UUID_LEN + 1];
	runid	id[2];
	long	k = -1;
	int	i;

	ck_assert_int_eq(sl_uuid(agent), 0);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.a", 2) >= 0, 1);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.a", SL_NOLIMIT) >= 0, 1);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.a", 0), -1);
	for (i = 0; i < 2; i++) {
		mktoken(tok[i], sizeof(tok[i]), now0, id[i]);
		ck_assert_int_eq(sl_slot_take(&sp, P, "q.a", 2, tok[i], agent,
		    now0, &k), 0);
		ck_assert_int_eq(k, i);
	}
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.a", 2), -1);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.a", 2), -1);
	/* the looks left both slots as they were */
	ck_assert_int_eq(sl_slots_held(&sp, P, "q.a."), 2);
	ck_assert(t_exists(S("pools/" P "/slots/q.a.0/%s", id[0])));
	ck_assert(t_exists(S("pools/" P "/slots/q.a.1/%s", id[1])));
	/* a raised limit shows the next, missing, slot */
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.a", 3) >= 0, 1);
	/* an empty directory (a release whose rmdir was lost) is free */
	ck_assert_int_eq(unlink(S("pools/" P "/slots/q.a.1/%s", id[1])), 0);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.a", 2) >= 0, 1);
	ck_assert(!t_exists(S("pools/" P "/slots/q.a.1")));
	ck_assert(t_exists(S("pools/" P "/slots/q.a.0/%s", id[0])));
	/* something else under a slot's name is not a free slot, and stays */
	t_write(S("pools/" P "/slots/q.b.0"), "x", 1);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "q.b", 1), -1);
	ck_assert(t_exists(S("pools/" P "/slots/q.b.0")));
	ck_assert_int_eq(sl_slot_take(&sp, P, "q.b", 1, tok[1], agent, now0,
	    &k), 1);
}
END_TEST

/* three_takers - an agent id and three runs' tokens to take slots with */
static void
three_takers(char tok[3][128], runid id[3], char agent[SL_UUID_LEN + 1])
{
	int	i;

	ck_assert_int_eq(sl_uuid(agent), 0);
	for (i = 0; i < 3; i++)
		mktoken(tok[i], 128, now0, id[i]);
}

/*
 * sl_slot_first_free says which slot looked free, and sl_slot_take_from
 * starts there without looking again; a hint gone stale (the slot taken
 * since) costs only a failed rename, and the next slot is tried.
 */
START_TEST(test_slot_take_from_hint)
{
	char	tok[3][128], agent[SL_UUID_LEN + 1];
	runid	id[3];
	long	k = -1;

	three_takers(tok, id, agent);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "pool", SL_NOLIMIT), 0);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "pool", 0), -1);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "pool", 3), 0);
	/* from 1: slot 0, free, is not tried */
	ck_assert_int_eq(sl_slot_take_from(&sp, P, "pool", 3, tok[0], agent,
	    now0, 1, &k, NULL), 0);
	ck_assert_int_eq(k, 1);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "pool", 3), 0);
	/* a stale hint: slot 1 is held; the take goes on to 2 */
	ck_assert_int_eq(sl_slot_take_from(&sp, P, "pool", 3, tok[1], agent,
	    now0, 1, &k, NULL), 0);
	ck_assert_int_eq(k, 2);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 3, tok[2], agent, now0,
	    &k), 0);
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(sl_slot_first_free(&sp, P, "pool", 3), -1);
	ck_assert_int_eq(sl_slot_take_from(&sp, P, "pool", 3, tok[2], agent,
	    now0, 2, &k, NULL), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 3);
	ck_assert_int_eq(t_count(S("pools/" P "/tmp"), 1), 0);
}
END_TEST

/*
 * Looking from a start point goes round: sl_slot_first_free_at(start)
 * tries start, the slots after it, then those before it; a take from a
 * hint goes round the same way.
 */
START_TEST(test_slot_first_free_at_wraps)
{
	char	tok[3][128], agent[SL_UUID_LEN + 1];
	runid	id[3];
	long	k = -1;

	three_takers(tok, id, agent);
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", 3, 2), 2);
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", 3, 5), 2);
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", 3, -4), 0);
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", 0, 1), -1);
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", SL_NOLIMIT,
	    7), 0);
	ck_assert_int_eq(sl_slot_take_from(&sp, P, "pool", 3, tok[0], agent,
	    now0, 2, &k, NULL), 0);
	ck_assert_int_eq(k, 2);
	/* 2 held: from 2, the look goes round to 0 */
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", 3, 2), 0);
	/* a stale hint at 2: the take goes round to 0 */
	ck_assert_int_eq(sl_slot_take_from(&sp, P, "pool", 3, tok[1], agent,
	    now0, 2, &k, NULL), 0);
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", 3, 2), 1);
	ck_assert_int_eq(sl_slot_take_from(&sp, P, "pool", 3, tok[2], agent,
	    now0, 2, &k, NULL), 0);
	ck_assert_int_eq(k, 1);
	ck_assert_int_eq(sl_slot_first_free_at(&sp, P, "pool", 3, 1), -1);
	ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 3);
}
END_TEST

/* slots_line - the "slots = " value of a pending run's claim.ini */
static void
slots_line(const struct sl_agent *a, const char *token, char *out,
    size_t len)
{
	char   *text = t_read(S("pools/" P "/pending/%s/%s/claim.ini", a->id,
	    token));

	sl_kv_get(text, "slots", out, len);
	ck_assert_msg(out[0] != '\0', "no slots line");
	free(text);
}

/*
 * A claimer takes its next slot of a scope after the one it took last
 * (the likeliest free when runs take alike), round; and remembers the
 * slots of its claims (sl_claim_slots_of), as their claim.ini says them,
 * for a supervisor it forks to release them without reading claim.ini.
 */
START_TEST(test_claim_rotates_and_remembers)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char	want[64], mem[1024], line[1024];
	runid	id[5];
	size_t	i;

	pool(SL_NOLIMIT);
	agent_new(&a, 3, 10, now0);
	for (i = 0; i < 5; i++)
		submit("default", now0 - 10 + (time_t)i, id[i]);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
		snprintf(want, sizeof(want), "a.%s.%zu", a.id, i);
		slots_line(&a, got.v[i], line, sizeof(line));
		ck_assert_str_eq(line, want);
		ck_assert_int_eq(sl_claim_slots_of(got.v[i], mem, sizeof(mem)),
		    0);
		ck_assert_str_eq(mem, line);
	}
	ck_assert_int_eq(claim(&a, 1, now0, &got), 0);	/* full */
	/* the run in slot 1 ends: the next claim looks at 0 (after 2),
	 * held, then takes 1 */
	snprintf(want, sizeof(want), "a.%s.1", a.id);
	ck_assert_int_eq(sl_slot_release(&sp, P, want, id[1]), 0);
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	slots_line(&a, got.v[3], line, sizeof(line));
	ck_assert_str_eq(line, want);
	/* then slot 0 ends: after 1, 2 is held, round to 0 */
	snprintf(want, sizeof(want), "a.%s.0", a.id);
	ck_assert_int_eq(sl_slot_release(&sp, P, want, id[0]), 0);
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	slots_line(&a, got.v[4], line, sizeof(line));
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(sl_claim_slots_of(got.v[4], mem, sizeof(mem)), 0);
	ck_assert_str_eq(mem, want);
	/* a claim this process did not make is not known */
	ck_assert_int_eq(sl_claim_slots_of("0000000000000001.0000000000000001."
	    "00000000-0000-4000-8000-000000000001", mem, sizeof(mem)), -1);
	sl_names_free(&got);
}
END_TEST

/*
 * SL_CLAIM_SELF: an agent claiming for itself writes no claim.ini (four
 * calls, four round trips on a network filesystem); it remembers the
 * slots.  The run's agent is told by its directory while Pending; an end
 * that does not have the slots finds them in slots/, and so does one that
 * reads an earlier claim's claim.ini naming a slot the run does not hold.
 */
START_TEST(test_claim_self)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct sl_pool p;
	struct sl_runs rs;
	struct sl_run *run;
	char	mem[1024], want[128];
	const char *d, *cf;
	runid	id[2];
	int	i;

	pool(SL_NOLIMIT);
	agent_new(&a, 2, 10, now0);
	for (i = 0; i < 2; i++)
		submit("default", now0 - 10 + i, id[i]);
	ck_assert_int_eq(sl_pool_load(&sp, P, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 2, now0, &got, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_SELF), 2);
	sl_pool_free(&p);
	for (i = 0; i < 2; i++) {
		d = S("pools/" P "/pending/%s/%s", a.id, got.v[i]);
		cf = S("pools/" P "/pending/%s/%s/claim.ini", a.id, got.v[i]);
		ck_assert_msg(!sl_exists(cf), "a claim for itself wrote %s", cf);
		ck_assert_int_eq(sl_claim_slots_of(got.v[i], mem, sizeof(mem)),
		    0);
		snprintf(want, sizeof(want), "a.%s.%d", a.id, i);
		ck_assert_str_eq(mem, want);
		ck_assert_int_eq(nslots(id[i]), 1);
		/* who has it: the agent whose directory holds it */
		ck_assert_int_eq(sl_run_find(&sp, id[i], &rs, &run, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(run->state, SL_PENDING);
		ck_assert_str_eq(run->agent, a.id);
		sl_runs_free(&rs);
		if (i == 1) {
			/* an earlier claim's, naming a slot not the run's */
			snprintf(want, sizeof(want), "agent = %s\nhost = h\n"
			    "slots = a.%s.0\n; end of sluice file\n", a.id,
			    a.id);
			t_write(cf, want, strlen(want));
		}
		/* ended without the slots in hand: found, released */
		ck_assert_int_eq(sl_run_finish(&sp, P, d, id[i], SL_CANCELLED,
		    -1, 0, "no"), 0);
		ck_assert_int_eq(nslots(id[i]), 0);
	}
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	sl_names_free(&got);
}
END_TEST

/*
 * A run that goes back to sched/ (handed back unstarted, retried) keeps
 * no claim.ini: claimed again by an agent for itself, which writes none,
 * an end without the slots in memory must look for the slots it holds
 * now, not release those an earlier claim's file names ("none" here,
 * while the run holds its agent's slot: the slot would stay held)
 */
static int
has_claim_ini(const char *dir)
{
	char   *p = sl_path(dir, "claim.ini", (char *)NULL);
	int	rc = sl_exists(p);

	free(p);
	return rc;
}

START_TEST(test_claim_forgotten)
{
	struct sl_agent a;
	struct sl_names got = { 0 }, again = { 0 };
	struct sl_runspec r;
	struct sl_runs rs;
	struct sl_run *run;
	struct sl_pool p;
	char	*dir;
	runid	id;
	int	round;

	pool(SL_NOLIMIT);
	agent_new(&a, 1, 10, now0);
	submit("default", now0 - 10, id);
	for (round = 0; round < 2; round++) {
		/* a claim by another process's hand: claim.ini written */
		ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
		dir = sl_xstrdup(S("pools/" P "/pending/%s/%s", a.id,
		    got.v[got.n - 1]));
		ck_assert(has_claim_ini(dir));
		if (round == 0)
			ck_assert_int_eq(sl_run_unclaim(&sp, P, dir,
			    got.v[got.n - 1], a.id), 0);
		else {
			ck_assert_int_eq(sl_runini_load(dir, now0, &r, NULL,
			    err, sizeof(err)), 0);
			ck_assert_int_eq(sl_run_requeue(&sp, P, dir,
			    got.v[got.n - 1], &r, now0 - 5, 1, "again"), 0);
			sl_runspec_free(&r);
		}
		free(dir);
		ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(run->state, SL_SCHEDULED);
		ck_assert_msg(!has_claim_ini(run->dir), "%s/claim.ini kept",
		    run->dir);
		sl_runs_free(&rs);
	}
	/* the agent claims it for itself: no claim.ini of its own */
	ck_assert_int_eq(sl_pool_load(&sp, P, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 1, now0, &again, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_SELF), 1);
	sl_pool_free(&p);
	ck_assert_int_eq(nslots(id), 1);
	/* ended by one without the slots in hand (a cancel): found */
	ck_assert_int_eq(sl_run_finish(&sp, P, S("pools/" P "/pending/%s/%s",
	    a.id, again.v[0]), id, SL_CANCELLED, -1, 0, "no"), 0);
	ck_assert_int_eq(nslots(id), 0);
	sl_names_free(&got);
	sl_names_free(&again);
}
END_TEST

/*
 * sl_claim_freed: the next claim goes for the slot a run of ours freed,
 * ahead of the rotation; a wrong hint (the slot is held after all) costs
 * a failed take, and the claim takes another free slot
 */
START_TEST(test_claim_freed_hint)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char	want[64], line[1024];
	runid	id[6];
	size_t	i;

	pool(SL_NOLIMIT);
	agent_new(&a, 3, 10, now0);
	for (i = 0; i < 6; i++)
		submit("default", now0 - 10 + (time_t)i, id[i]);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	/* the runs in slots 0 and 2 end; the one in 2 says so: the
	 * rotation would take 0, the hint takes 2 */
	snprintf(want, sizeof(want), "a.%s.0", a.id);
	ck_assert_int_eq(sl_slot_release(&sp, P, want, id[0]), 0);
	snprintf(want, sizeof(want), "a.%s.2", a.id);
	ck_assert_int_eq(sl_slot_release(&sp, P, want, id[2]), 0);
	sl_claim_freed(P, got.v[2]);
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	slots_line(&a, got.v[3], line, sizeof(line));
	ck_assert_str_eq(line, want);
	/* a wrong hint: slot 1 is still held; the claim takes 0 */
	sl_claim_freed(P, got.v[1]);
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	slots_line(&a, got.v[4], line, sizeof(line));
	snprintf(want, sizeof(want), "a.%s.0", a.id);
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(claim(&a, 1, now0, &got), 0);	/* full */
	/* a claim this process does not know: no hint, no harm */
	sl_claim_freed(P, "0000000000000001.0000000000000001."
	    "00000000-0000-4000-8000-000000000001");
	ck_assert_int_eq(claim(&a, 1, now0, &got), 0);
	sl_names_free(&got);
}
END_TEST

static int
has_name(char **v, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

START_TEST(test_slots_held_of_release_run)
{
	char	tok[3][128], agent[SL_UUID_LEN + 1], scope[64], name[80];
	char  **v;
	runid	id[3];
	size_t	n, i;
	long	k;

	ck_assert_int_eq(sl_uuid(agent), 0);
	for (i = 0; i < 3; i++)
		mktoken(tok[i], sizeof(tok[i]), now0, id[i]);
	snprintf(scope, sizeof(scope), "a.%s", agent);
	/* run 0: agent, queue A, pool; run 1: queue A, queue AB; run 2: pool */
	ck_assert_int_eq(sl_slot_take(&sp, P, scope, 2, tok[0], agent, now0,
	    &k), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "q.A", 2, tok[0], agent, now0,
	    &k), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 2, tok[0], agent, now0,
	    &k), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "q.A", 2, tok[1], agent, now0,
	    &k), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "q.AB", 2, tok[1], agent, now0,
	    &k), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 2, tok[2], agent, now0,
	    &k), 0);
	/* empty directories, dotted names and the prefix are honoured */
	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/slots/pool.5"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/slots/.pool.9/x"), 0755), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 6);
	ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 2);
	ck_assert_int_eq(sl_slots_held(&sp, P, "q."), 3);
	ck_assert_int_eq(sl_slots_held(&sp, P, "q.A."), 2);
	ck_assert_int_eq(sl_slots_held(&sp, P, "q.AB."), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, "a."), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, "q.B."), 0);

	ck_assert_int_eq(sl_slots_of(&sp, P, id[0], &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	snprintf(name, sizeof(name), "%s.0", scope);
	ck_assert(has_name(v, n, name));
	ck_assert(has_name(v, n, "q.A.0"));
	ck_assert(has_name(v, n, "pool.0"));
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	ck_assert_int_eq(sl_slots_of(&sp, P, id[1], &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(has_name(v, n, "q.A.1"));
	ck_assert(has_name(v, n, "q.AB.0"));
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);

	/* run 0 gives back all of its slots, and no other run's */
	ck_assert_int_eq(sl_slots_release_run(&sp, P, id[0]), 0);
	ck_assert_int_eq(nslots(id[0]), 0);
	ck_assert_int_eq(nslots(id[1]), 2);
	ck_assert_int_eq(nslots(id[2]), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 3);
	ck_assert_int_eq(sl_slots_release_run(&sp, P, id[0]), 0);
	ck_assert_int_eq(sl_slots_release_run(&sp, P, id[1]), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 1);
	ck_assert(t_exists(S("pools/" P "/slots/pool.1/%s", id[2])));
	/* a pool without slots/ */
	ck_assert_int_eq(sl_slots_of(&sp, "nope", id[2], &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(sl_slots_release_run(&sp, "nope", id[2]), 0);
}
END_TEST

/* sl_slots_release_named: the slots a claim.ini names, and only this run's
 * entries in them; a list that is not one releases nothing (-1) */
START_TEST(test_slots_release_named)
{
	static const char *const bad[] = { "", "../x.1", "pool.1 ../q.0",
	    ".pool.1", "pool.x", "pool.1  pool.0", "pool.1 ", "a/b.1",
	    "pool.1\tq.A.0" };
	char	tok[2][128], agent[SL_UUID_LEN + 1], list[200];
	runid	id[2];
	size_t	i;
	long	k;

	ck_assert_int_eq(sl_uuid(agent), 0);
	for (i = 0; i < 2; i++)
		mktoken(tok[i], sizeof(tok[i]), now0, id[i]);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 2, tok[0], agent, now0,
	    &k), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "q.A", 2, tok[0], agent, now0,
	    &k), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 2, tok[1], agent, now0,
	    &k), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sl_slots_release_named(&sp, P, id[0], bad[i]) ==
		    -1, "took '%s'", bad[i]);
		ck_assert_int_eq(nslots(id[0]), 2);
	}
	ck_assert_int_eq(sl_slots_release_named(&sp, P, id[0], "none"), 0);
	ck_assert_int_eq(nslots(id[0]), 2);
	/* run 1's slot named for run 0: its entry is not run 0's, kept;
	 * 1 says a slot named was not the run's (the caller looks) */
	ck_assert_int_eq(sl_slots_release_named(&sp, P, id[0], "pool.1"), 1);
	ck_assert_int_eq(nslots(id[1]), 1);
	ck_assert_int_eq(nslots(id[0]), 2);
	snprintf(list, sizeof(list), "pool.0 q.A.0");
	ck_assert_int_eq(sl_slots_release_named(&sp, P, id[0], list), 0);
	ck_assert_int_eq(nslots(id[0]), 0);
	ck_assert_int_eq(nslots(id[1]), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 1);
	/* again: nothing left to release, no error; none was the run's */
	ck_assert_int_eq(sl_slots_release_named(&sp, P, id[0], list), 1);
	/* one of two named is the run's: it is released, and 1 */
	ck_assert_int_eq(sl_slot_take(&sp, P, "q.A", 2, tok[0], agent, now0,
	    &k), 0);
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(sl_slots_release_named(&sp, P, id[0], "pool.0 q.A.0"),
	    1);
	ck_assert_int_eq(nslots(id[0]), 0);
}
END_TEST

/* ---- claims ---- */

START_TEST(test_claim_basic)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct loc l;
	char	want[512], t[40], *text;
	runid	id;
	time_t	next = -1;

	pool(SL_NOLIMIT);
	submit("default", now0 - 5, id);
	l = locate(id);
	ck_assert_int_eq(l.w, W_SCHED);
	ck_assert_str_eq(l.sub, "default");
	agent_new(&a, SL_NOLIMIT, 10, now0);
	ck_assert_int_eq(sl_claim(&sp, &a, 5, now0, &got, &next, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(next, 0);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_str_eq(got.v[0], l.name);
	l = locate(id);
	ck_assert_int_eq(l.w, W_PENDING);
	ck_assert_str_eq(l.sub, a.id);
	ck_assert_str_eq(l.name, got.v[0]);
	ck_assert(t_exists(S("pools/" P "/pending/%s/%s/run.ini", a.id,
	    l.name)));
	text = t_read(S("pools/" P "/pending/%s/%s/claim.ini", a.id, l.name));
	snprintf(want, sizeof(want), "[claim]\nagent = %s\nhost = testhost\n"
	    "claimed = %s\nslots = none\n; end of sluice file\n", a.id,
	    sl_time_fmt(now0, t, sizeof(t)));	/* no limit: no slot */
	ck_assert_str_eq(text, want);
	free(text);
	ck_assert_int_eq(t_count(S("pools/" P "/pending/%s/%s", a.id, l.name),
	    1), 2);				/* no .claim.tmp */
	/* no limits: no slots */
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	ck_assert_int_eq(t_count(S("pools/" P "/tmp"), 1), 0);
	sl_names_free(&got);
	/* nothing left */
	ck_assert_int_eq(claim(&a, 5, now0, &got), 0);
	ck_assert_uint_eq(got.n, 0);
	/* max 0 claims nothing */
	submit("default", now0 - 5, id);
	ck_assert_int_eq(claim(&a, 0, now0, NULL), 0);
	ck_assert_int_eq(locate(id).w, W_SCHED);
	ck_assert_int_eq(claim(&a, 1, now0, NULL), 1);
	ck_assert_int_eq(npending(&a), 2);
	/* a pool that does not exist */
	strcpy(a.pool, "nope");
	ck_assert_int_eq(sl_claim(&sp, &a, 1, now0, NULL, NULL, err,
	    sizeof(err)), -1);
}
END_TEST

/* claim_flags - sl_claim_in with the pool read, and flags */
static long
claim_flags(const struct sl_agent *a, long max, time_t when,
    struct sl_names *got, unsigned flags)
{
	struct sl_pool p;
	long	n;

	ck_assert_msg(sl_pool_load(&sp, P, &p, err, sizeof(err)) == 0, "%s",
	    err);
	n = sl_claim_in(&sp, a, &p, max, when, got, NULL, flags);
	sl_pool_free(&p);
	return n;
}

/*
 * A quick pass claims from the last listing of sched/ (SL_CLAIM_REUSE),
 * a pass without it lists again; within a pass the listing is reused; a
 * listing a second old is not; a run in the listing taken since sends
 * the claim to the server for a new one.
 */
START_TEST(test_claim_reuse)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	id[4], late;
	struct loc l;
	char   *from, *to;

	pool(SL_NOLIMIT);
	submit("default", now0 - 30, id[0]);
	submit("default", now0 - 20, id[1]);
	submit("default", now0 - 10, id[2]);
	agent_new(&a, SL_NOLIMIT, 10, now0);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS |
	    SL_CLAIM_REUSE), 1);		/* nothing to reuse: lists */
	ck_assert_int_eq(locate(id[0]).w, W_PENDING);
	/* an earlier run arrives (as from another host) */
	submit("default", now0 - 40, late);
	/* a quick pass does not see it: it claims from its listing */
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS |
	    SL_CLAIM_REUSE), 1);
	ck_assert_int_eq(locate(id[1]).w, W_PENDING);
	ck_assert_int_eq(locate(late).w, W_SCHED);
	/* a pass that may not reuse lists: the earliest first */
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS), 1);
	ck_assert_int_eq(locate(late).w, W_PENDING);
	/* within one pass a listing is reused without asking */
	submit("default", now0 - 50, id[3]);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, 0), 1);
	ck_assert_int_eq(locate(id[2]).w, W_PENDING);
	ck_assert_int_eq(locate(id[3]).w, W_SCHED);
	/* a listed run taken meanwhile: the claim lists again (and takes
	 * what the new listing holds) */
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS), 1);
	ck_assert_int_eq(locate(id[3]).w, W_PENDING);
	submit("default", now0 - 5, id[0]);
	submit("default", now0 - 4, id[1]);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS), 1);
	ck_assert_int_eq(locate(id[0]).w, W_PENDING);
	l = locate(id[1]);
	ck_assert_int_eq(l.w, W_SCHED);
	from = t_sched_at(S("pools/" P "/queues/default/sched"), l.name);
	ck_assert_ptr_nonnull(from);
	to = sl_xstrdup(S("%s", "pools/" P "/gone"));
	ck_assert_int_eq(rename(from, to), 0);	/* taken by another */
	submit("default", now0 - 3, id[2]);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS |
	    SL_CLAIM_REUSE), 1);
	ck_assert_int_eq(locate(id[2]).w, W_PENDING);
	free(from);
	free(to);
	/* a listing a second old is not reused */
	submit("default", now0 - 2, id[0]);
	submit("default", now0 - 1, id[1]);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS), 1);
	submit("default", now0 - 60, late);
	usleep(1100 * 1000);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS |
	    SL_CLAIM_REUSE), 1);
	ck_assert_int_eq(locate(late).w, W_PENDING);
	sl_names_free(&got);
}
END_TEST

/*
 * A process keeps the listings of the queues it claims from only while
 * they may be reused: a deleted queue's is forgotten at a pass a second
 * later, not kept for the life of the agent or dispatcher.
 */
START_TEST(test_claim_heads_swept)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct timespec t0, t1;
	runid	id;

	pool(SL_NOLIMIT);
	queue("b", 2, SL_NOLIMIT);
	submit("b", now0 - 10, id);
	agent_new(&a, SL_NOLIMIT, 10, now0);
	/* the default queue (empty) and b are listed (and any listing an
	 * earlier test of this process made, without fork mode) */
	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS), 1);
	ck_assert_uint_ge(sl_claim_cached(), 2);
	ck_assert_msg(sl_queue_delete(&sp, P, "b", err, sizeof(err)) == 0,
	    "%s", err);
	/* within the second, kept (a quick pass may reuse it); asked only
	 * when this machine was quick enough to be within it */
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS), 0);
	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
	if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000 < 900)
		ck_assert_uint_ge(sl_claim_cached(), 2);
	/* a second on, every listing but the one this pass makes is old:
	 * the default queue's alone is kept */
	usleep(1100 * 1000);
	ck_assert_int_eq(claim_flags(&a, 1, now0, &got, SL_CLAIM_NEWPASS), 0);
	ck_assert_uint_eq(sl_claim_cached(), 1);
	sl_names_free(&got);
}
END_TEST

/*
 * A listing holds the earliest HEAD (256) runs of a queue: a claim that
 * uses one up lists again and goes on, reading the runs after it and the
 * time of the next not due; so does a quick pass whose reused listing
 * runs out.
 */
START_TEST(test_claim_past_head)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	id, late;
	time_t	next = -1;
	int	i;

	pool(SL_NOLIMIT);
	for (i = 0; i < 300; i++)
		submit("default", now0 - 1000 + i, id);
	submit("default", now0 + 3600, late);
	agent_new(&a, SL_NOLIMIT, 10, now0);
	ck_assert_int_eq(sl_claim(&sp, &a, 1000, now0, &got, &next, err,
	    sizeof(err)), 300);
	ck_assert_int_eq(next, now0 + 3600);
	ck_assert_int_eq(locate(id).w, W_PENDING);	/* the 300th */
	ck_assert_int_eq(locate(late).w, W_SCHED);
	sl_names_free(&got);

	/* a quick pass's reused listing running out */
	respool();
	pool(SL_NOLIMIT);
	for (i = 0; i < 260; i++)
		submit("default", now0 - 1000 + i, id);
	agent_new(&a, SL_NOLIMIT, 10, now0);
	ck_assert_int_eq(claim_flags(&a, 250, now0, &got, SL_CLAIM_NEWPASS),
	    250);
	ck_assert_int_eq(claim_flags(&a, 100, now0, &got, SL_CLAIM_NEWPASS |
	    SL_CLAIM_REUSE), 10);		/* 6 reused, 4 listed */
	ck_assert_int_eq(locate(id).w, W_PENDING);
	sl_names_free(&got);
}
END_TEST

static void
check_order(const char *want)
{
	struct sl_pool p;
	char	buf[256];
	size_t	i, n = 0;

	ck_assert_msg(sl_pool_load(&sp, P, &p, err, sizeof(err)) == 0, "%s",
	    err);
	buf[0] = '\0';
	for (i = 0; i < p.nq; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s:%ld",
		    i ? " " : "", p.q[i].name, p.q[i].priority);
	sl_pool_free(&p);
	ck_assert_str_eq(buf, want);
}

/* got_is - the claim's tokens name runs ids[order[0]], ids[order[1]], ... */
static void
got_is(const struct sl_names *got, runid *ids, const int *order, size_t n)
{
	runid	id;
	size_t	i;

	ck_assert_uint_eq(got->n, n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sl_token_parse(got->v[i], NULL, id), 0);
		ck_assert_msg(strcmp(id, ids[order[i]]) == 0, "claim %zu is "
		    "%s, not run %d (%s)", i, id, order[i], ids[order[i]]);
	}
}

/*
 * Waterfall: queue hi (priority 1) is drained before default (2) and lo
 * (3), whatever their runs' times; within a queue, by scheduled time, then
 * by submission order.
 */
START_TEST(test_claim_order)
{
	static const int first[] = { 2, 3, 1 }, rest[] = { 4, 0 };
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[5], late;
	time_t	next;

	pool(SL_NOLIMIT);
	queue("lo", 0, SL_NOLIMIT);
	queue("hi", 1, SL_NOLIMIT);
	check_order("hi:1 default:2 lo:3");
	submit("lo", now0 - 100, ids[0]);	/* the oldest of all */
	submit("hi", now0 - 10, ids[1]);
	submit("hi", now0 - 20, ids[2]);
	submit("hi", now0 - 20, ids[3]);	/* same time, submitted after */
	submit("default", now0 - 50, ids[4]);
	submit("hi", now0 + 3600, late);	/* not due: stops hi, not lo */
	agent_new(&a, SL_NOLIMIT, 10, now0);
	ck_assert_int_eq(claim(&a, 3, now0, &got), 3);
	got_is(&got, ids, first, 3);
	sl_names_free(&got);
	ck_assert_int_eq(sl_claim(&sp, &a, 100, now0, &got, &next, err,
	    sizeof(err)), 2);
	got_is(&got, ids, rest, 2);
	ck_assert_int_eq(next, now0 + 3600);
	sl_names_free(&got);
	ck_assert_int_eq(locate(late).w, W_SCHED);
	ck_assert_int_eq(npending(&a), 5);

	/* one at a time gives the same order */
	respool();
	pool(SL_NOLIMIT);
	queue("lo", 0, SL_NOLIMIT);
	queue("hi", 1, SL_NOLIMIT);
	submit("lo", now0 - 100, ids[0]);
	submit("hi", now0 - 10, ids[1]);
	submit("hi", now0 - 20, ids[2]);
	submit("hi", now0 - 20, ids[3]);
	submit("default", now0 - 50, ids[4]);
	agent_new(&a, SL_NOLIMIT, 10, now0);
	{
		static const int want[] = { 2, 3, 1, 4, 0 };
		size_t	i;

		for (i = 0; i < 5; i++) {
			ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
			ck_assert_int_eq(sl_token_parse(got.v[0], NULL, late), 0);
			ck_assert_str_eq(late, ids[want[i]]);
			sl_names_free(&got);
		}
		ck_assert_int_eq(claim(&a, 1, now0, &got), 0);
	}
}
END_TEST

START_TEST(test_claim_pool_limit)
{
	struct sl_agent a, b;
	struct sl_names got = { 0 };
	runid	ids[5], id;
	int	i;

	pool(2);
	for (i = 0; i < 5; i++)
		submit("default", now0 - 10 + i, ids[i]);
	agent_new(&a, SL_NOLIMIT, 0, now0);
	agent_new(&b, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(claim(&a, 10, now0, &got), 2);
	ck_assert_int_eq(npending(&a), 2);
	ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 2);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 2);
	ck_assert_int_eq(claim(&b, 10, now0, NULL), 0);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 0);
	check_spool(ids, 5, 2, 1);
	/* one ends: one more, for whoever asks */
	ck_assert_int_eq(sl_token_parse(got.v[0], NULL, id), 0);
	finish(id);
	ck_assert_int_eq(claim(&b, 10, now0, NULL), 1);
	ck_assert_int_eq(npending(&b), 1);
	ck_assert_int_eq(npending(&a), 1);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 0);
	check_spool(ids, 5, 2, 1);
	sl_names_free(&got);
	finish_pending();
	drain(ids, 5, 2, now0);
}
END_TEST

START_TEST(test_claim_queue_limit)
{
	static const int want[] = { 0, 3, 4 };
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[5];

	pool(SL_NOLIMIT);
	queue("hi", 1, 1);
	submit("hi", now0 - 30, ids[0]);
	submit("hi", now0 - 20, ids[1]);
	submit("hi", now0 - 10, ids[2]);
	submit("default", now0 - 5, ids[3]);
	submit("default", now0 - 4, ids[4]);
	agent_new(&a, SL_NOLIMIT, 0, now0);
	/* hi full after one: on to the next queue, not stop */
	ck_assert_int_eq(claim(&a, 10, now0, &got), 3);
	got_is(&got, ids, want, 3);
	sl_names_free(&got);
	ck_assert_int_eq(sl_slots_held(&sp, P, "q.hi."), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 1);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 0);
	ck_assert_int_eq(locate(ids[1]).w, W_SCHED);
	ck_assert_int_eq(locate(ids[2]).w, W_SCHED);
	finish(ids[0]);
	ck_assert_int_eq(claim(&a, 10, now0, &got), 1);
	ck_assert_int_eq(locate(ids[1]).w, W_PENDING);
	sl_names_free(&got);
	check_spool(ids, 5, SL_NOLIMIT, -1);
}
END_TEST

START_TEST(test_claim_agent_limit)
{
	struct sl_agent a, b;
	struct sl_names got = { 0 };
	runid	ids[6], id;
	char	scope[64];
	int	i;

	pool(SL_NOLIMIT);
	for (i = 0; i < 6; i++)
		submit("default", now0 - 10 + i, ids[i]);
	agent_new(&a, 2, 0, now0);
	agent_new(&b, 2, 0, now0);
	ck_assert_int_eq(claim(&a, 10, now0, &got), 2);
	ck_assert_int_eq(npending(&a), 2);
	snprintf(scope, sizeof(scope), "a.%s.", a.id);
	ck_assert_int_eq(sl_slots_held(&sp, P, scope), 2);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 0);
	/* the limit is the agent's own */
	ck_assert_int_eq(claim(&b, 10, now0, NULL), 2);
	ck_assert_int_eq(npending(&b), 2);
	ck_assert_int_eq(claim(&b, 10, now0, NULL), 0);
	check_spool(ids, 6, SL_NOLIMIT, 1);
	ck_assert_int_eq(sl_token_parse(got.v[1], NULL, id), 0);
	finish(id);
	ck_assert_int_eq(claim(&b, 10, now0, NULL), 0);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 1);
	ck_assert_int_eq(npending(&a), 2);
	sl_names_free(&got);
	check_spool(ids, 6, SL_NOLIMIT, 1);
}
END_TEST

static int
edit_limit0(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)arg;
	(void)e;
	(void)elen;
	p->limit = 0;
	return 0;
}

START_TEST(test_claim_limit_zero)
{
	struct sl_agent a, z;
	runid	ids[4];

	pool(SL_NOLIMIT);
	queue("hi", 1, 0);
	submit("hi", now0 - 10, ids[0]);
	submit("hi", now0 - 10, ids[1]);
	submit("default", now0 - 10, ids[2]);
	submit("default", now0 - 10, ids[3]);
	/* an agent limited to 0 takes nothing */
	agent_new(&z, 0, 0, now0);
	ck_assert_int_eq(claim(&z, 10, now0, NULL), 0);
	/* a queue limited to 0 gives nothing; the next queue does */
	agent_new(&a, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(claim(&a, 1, now0, NULL), 1);
	ck_assert_int_eq(locate(ids[2]).w, W_PENDING);
	/* a pool limited to 0 gives nothing */
	ck_assert_int_eq(sl_pool_update(&sp, P, edit_limit0, NULL, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 0);
	ck_assert_int_eq(locate(ids[0]).w, W_SCHED);
	ck_assert_int_eq(locate(ids[1]).w, W_SCHED);
	ck_assert_int_eq(locate(ids[3]).w, W_SCHED);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	ck_assert_int_eq(t_count(S("pools/" P "/tmp"), 1), 0);
}
END_TEST

START_TEST(test_claim_paused)
{
	struct sl_agent a;
	runid	ids[3];

	pool(2);
	queue("hi", 1, SL_NOLIMIT);
	submit("hi", now0 - 10, ids[0]);
	submit("default", now0 - 10, ids[1]);
	submit("default", now0 - 5, ids[2]);
	agent_new(&a, SL_NOLIMIT, 0, now0);
	pause_queue("hi");
	ck_assert_int_eq(claim(&a, 1, now0, NULL), 1);
	ck_assert_int_eq(locate(ids[0]).w, W_SCHED);
	ck_assert_int_eq(locate(ids[1]).w, W_PENDING);
	ck_assert_int_eq(sl_pool_update(&sp, P, edit_pause_pool, NULL, NULL,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 0);
	ck_assert_int_eq(locate(ids[2]).w, W_SCHED);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 1);
	check_spool(ids, 3, 2, 1);
}
END_TEST

static char busy_token[128];

/* busy - a start of token is under way (test_claim_defer) */
static int
busy(const char *token)
{
	return strcmp(token, busy_token) == 0;
}

/*
 * A keeper (bin/sluice-agent.c) starts a run its agent claimed after the
 * keeper's fork: sl_claim_pack carries the claim's memory (its slots,
 * its deferral) and sl_claim_unpack, in the keeper, forgets what the fork
 * left it of the agent's other claims and remembers that one alone.  A
 * pack that is not whole, or whose deferral lacks half, is refused.
 */
START_TEST(test_claim_pack)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct sl_pool p;
	char	tok[2][128], buf[8192], good[8192], t[SL_RUNNAME_MAX];
	char	mem[256], m2[256];
	char   *d, *d2;
	runid	id[2];
	long	n, n2;
	size_t	i;

	pool(3);
	agent_new(&a, 4, 10, now0);
	submit("default", now0 - 5, id[0]);
	submit("default", now0 - 4, id[1]);
	ck_assert_int_eq(sl_pool_load(&sp, P, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 2, now0, &got, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_SELF | SL_CLAIM_DEFER), 2);
	for (i = 0; i < 2; i++)
		snprintf(tok[i], sizeof(tok[i]), "%s", got.v[i]);
	sl_names_free(&got);
	sl_pool_free(&p);
	d = sl_claim_deferred(tok[0]);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(sl_claim_slots_of(tok[0], mem, sizeof(mem)), 0);
	n = sl_claim_pack(tok[0], good, sizeof(good));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sl_claim_pack(tok[0], buf, (size_t)n - 1), -1);
	/* refused: cut, a field too many, a deferral's half; and nothing
	 * is remembered after a refusal, not even the agent's own */
	memcpy(buf, good, (size_t)n);
	ck_assert_int_eq(sl_claim_unpack(buf, (size_t)n - 1, t, sizeof(t)),
	    -1);
	ck_assert_ptr_null(sl_claim_deferred(tok[1]));
	ck_assert_int_eq(sl_claim_slots_of(tok[1], m2, sizeof(m2)), -1);
	memcpy(buf + n, "x", 2);
	ck_assert_int_eq(sl_claim_unpack(buf, (size_t)n + 2, t, sizeof(t)),
	    -1);
	n2 = (long)(strlen(tok[0]) + 1 + strlen(mem) + 1);
	memcpy(buf + n2, "a\0\0", 3);
	ck_assert_int_eq(sl_claim_unpack(buf, (size_t)n2 + 3, t, sizeof(t)),
	    -1);
	/* whole: that claim, and only it */
	ck_assert_int_eq(sl_claim_unpack(good, (size_t)n, t, sizeof(t)), 0);
	ck_assert_str_eq(t, tok[0]);
	d2 = sl_claim_deferred(tok[0]);
	ck_assert_ptr_nonnull(d2);
	ck_assert_str_eq(d2, d);
	ck_assert_int_eq(sl_claim_slots_of(tok[0], m2, sizeof(m2)), 0);
	ck_assert_str_eq(m2, mem);
	ck_assert_ptr_null(sl_claim_deferred(tok[1]));
	ck_assert_int_eq(sl_claim_slots_of(tok[1], m2, sizeof(m2)), -1);
	/* and its late step 7 goes where the agent's would */
	ck_assert_int_eq(sl_claim_undefer(tok[0], NULL, 1), 1);
	ck_assert(!sl_exists(d));
	ck_assert(sl_exists(S("pools/" P "/pending/%s/%s", a.id, tok[0])));
	free(d);
	free(d2);
	/* a claim not remembered packs as not deferred, slots unknown */
	n = sl_claim_pack(tok[1], buf, sizeof(buf));
	ck_assert_int_eq(n, (long)strlen(tok[1]) + 4);
	ck_assert_int_eq(sl_claim_unpack(buf, (size_t)n, t, sizeof(t)), 0);
	ck_assert_ptr_null(sl_claim_deferred(tok[1]));
	ck_assert_int_eq(sl_claim_slots_of(tok[1], m2, sizeof(m2)), -1);
	sl_agent_free(&a);
}
END_TEST

/*
 * SL_CLAIM_DEFER (with SELF): a run due now stays under its private claim
 * name, for its start to move from there (claim step 7 left to it: one
 * rename a run fewer); listings count it Pending.  A run claimed before
 * it is due (prefetch) gets its Pending name at once, and so does every
 * claim without SELF.  sl_claim_undefer makes step 7 late (or forgets),
 * sl_claim_undefer_idle for every claim whose start is not under way.
 */
START_TEST(test_claim_defer)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct sl_pool p;
	struct sl_runs rs;
	struct sl_run *run;
	char	due[128] = "", later[128] = "", *d, mem[256];
	runid	id[4];
	size_t	i;

	pool(SL_NOLIMIT);
	agent_new(&a, 4, 10, now0);
	submit("default", now0 - 5, id[0]);
	submit("default", now0 + 5, id[1]);	/* in the prefetch window */
	ck_assert_int_eq(sl_pool_load(&sp, P, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 4, now0, &got, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_SELF | SL_CLAIM_DEFER), 2);
	for (i = 0; i < got.n; i++)
		snprintf(strstr(got.v[i], id[0]) ? due : later, 128, "%s",
		    got.v[i]);
	sl_names_free(&got);
	ck_assert_str_ne(due, "");
	ck_assert_str_ne(later, "");
	/* the due run: under .claim.E.U.TOKEN, slots remembered */
	d = sl_claim_deferred(due);
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d, S("pools/" P "/pending/%s/.claim.", a.id)) ==
	    d, "deferred at %s", d);
	ck_assert_str_eq(d + strlen(d) - strlen(due), due);
	ck_assert(sl_exists(d));
	ck_assert(!sl_exists(S("pools/" P "/pending/%s/%s", a.id, due)));
	ck_assert_int_eq(sl_claim_slots_of(due, mem, sizeof(mem)), 0);
	ck_assert_int_eq(nslots(id[0]), 1);
	ck_assert_int_eq(sl_run_find(&sp, id[0], &rs, &run, err, sizeof(err)),
	    0);
	ck_assert_int_eq(run->state, SL_PENDING);
	ck_assert_str_eq(run->agent, a.id);
	sl_runs_free(&rs);
	/* the prefetched one: Pending by name at once */
	ck_assert_ptr_null(sl_claim_deferred(later));
	ck_assert(sl_exists(S("pools/" P "/pending/%s/%s", a.id, later)));
	/* step 7, late: to pending/AGENT/TOKEN, forgotten */
	sl_claim_undefer(due, NULL, 1);
	ck_assert(!sl_exists(d));
	ck_assert(sl_exists(S("pools/" P "/pending/%s/%s", a.id, due)));
	ck_assert_ptr_null(sl_claim_deferred(due));
	free(d);
	/* forgotten without a move (its start moved it) */
	submit("default", now0 - 4, id[2]);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 1, now0, &got, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_SELF | SL_CLAIM_DEFER), 1);
	d = sl_claim_deferred(got.v[0]);
	ck_assert_ptr_nonnull(d);
	sl_claim_undefer(got.v[0], d, 0);
	ck_assert_ptr_null(sl_claim_deferred(got.v[0]));
	ck_assert(sl_exists(d));
	ck_assert_int_eq(rename(d, S("pools/" P "/pending/%s/%s", a.id,
	    got.v[0])), 0);
	free(d);
	sl_names_free(&got);
	/* undefer_idle: every one whose start is not under way (busy) */
	submit("default", now0 - 3, id[3]);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 1, now0, &got, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_SELF | SL_CLAIM_DEFER), 1);
	d = sl_claim_deferred(got.v[0]);
	ck_assert_ptr_nonnull(d);
	snprintf(busy_token, sizeof(busy_token), "%s", got.v[0]);
	sl_claim_undefer_idle(busy);
	ck_assert(sl_exists(d));
	busy_token[0] = '\0';
	sl_claim_undefer_idle(busy);
	ck_assert(!sl_exists(d));
	ck_assert(sl_exists(S("pools/" P "/pending/%s/%s", a.id, got.v[0])));
	ck_assert_ptr_null(sl_claim_deferred(got.v[0]));
	free(d);
	sl_names_free(&got);
	sl_pool_free(&p);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(locate(id[i]).w, W_PENDING);
}
END_TEST

/* a run handed back to its queue takes no claimer's scratch with it: a
 * .claim.tmp a killed dispatcher left would reach done/ at its end */
START_TEST(test_unclaim_scrubs)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct loc l;
	runid	id;

	pool(SL_NOLIMIT);
	agent_new(&a, 4, 10, now0);
	submit("default", now0 - 5, id);
	ck_assert_int_eq(sl_claim(&sp, &a, 1, now0, &got, NULL, err,
	    sizeof(err)), 1);
	t_puts(S("pools/" P "/pending/%s/%s/.claim.tmp", a.id, got.v[0]),
	    "agent = cut sh");
	ck_assert_int_eq(sl_run_unclaim(&sp, P, S("pools/" P "/pending/%s/%s",
	    a.id, got.v[0]), got.v[0], a.id), 0);
	l = locate(id);
	ck_assert_int_eq(l.w, W_SCHED);
	ck_assert_int_eq(t_count(run_dir(&l), 1), 1);	/* run.ini */
	sl_names_free(&got);
}
END_TEST

START_TEST(test_claim_defer_needs_self)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct sl_pool p;
	runid	id;

	pool(SL_NOLIMIT);
	agent_new(&a, 4, 10, now0);
	submit("default", now0 - 5, id);
	ck_assert_int_eq(sl_pool_load(&sp, P, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 4, now0, &got, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_DEFER), 1);
	sl_pool_free(&p);
	ck_assert_ptr_null(sl_claim_deferred(got.v[0]));
	ck_assert(sl_exists(S("pools/" P "/pending/%s/%s/claim.ini", a.id,
	    got.v[0])));
	sl_names_free(&got);
}
END_TEST

START_TEST(test_claim_prefetch)
{
	struct sl_agent a, b, c;
	runid	id, e1, e2;
	time_t	next = -1;

	pool(SL_NOLIMIT);
	queue("hi", 1, SL_NOLIMIT);
	submit("default", now0 + 30, id);
	agent_new(&a, SL_NOLIMIT, 10, now0);
	ck_assert_int_eq(sl_claim(&sp, &a, 10, now0, NULL, &next, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(next, now0 + 30);
	ck_assert_int_eq(locate(id).w, W_SCHED);
	/* due at exactly now + prefetch */
	ck_assert_int_eq(sl_claim(&sp, &a, 10, now0 + 20, NULL, &next, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(next, 0);
	ck_assert_int_eq(locate(id).w, W_PENDING);

	submit("default", now0 + 30, id);
	agent_new(&b, SL_NOLIMIT, 60, now0);
	ck_assert_int_eq(sl_claim(&sp, &b, 10, now0, NULL, &next, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(next, 0);
	ck_assert_int_eq(locate(id).w, W_PENDING);

	/* *next is the earliest not yet due, over every queue */
	submit("hi", now0 + 500, e1);
	submit("default", now0 + 200, e2);
	agent_new(&c, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(sl_claim(&sp, &c, 10, now0, NULL, &next, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(next, now0 + 200);
	ck_assert_int_eq(sl_claim(&sp, &c, 10, now0 + 200, NULL, &next, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(next, now0 + 500);
	ck_assert_int_eq(locate(e2).w, W_PENDING);
	ck_assert_int_eq(locate(e1).w, W_SCHED);
}
END_TEST

START_TEST(test_claim_serves)
{
	struct sl_agent a, m, both;
	char	x[] = "x", d[] = "default";
	char   *xs[] = { x }, *ds[] = { d };
	runid	ids[4];

	pool(SL_NOLIMIT);
	queue("abc", 0, SL_NOLIMIT);
	queue("abd", 0, SL_NOLIMIT);
	queue("x", 0, SL_NOLIMIT);
	submit("abc", now0 - 10, ids[0]);
	submit("abd", now0 - 10, ids[1]);
	submit("x", now0 - 10, ids[2]);
	submit("default", now0 - 10, ids[3]);

	agent_init(&a, SL_NOLIMIT, 0, now0);
	a.queues = xs;
	a.nqueues = 1;
	agent_reg(&a);
	ck_assert(sl_agent_serves(&a, "x"));
	ck_assert(!sl_agent_serves(&a, "xy"));
	ck_assert(!sl_agent_serves(&a, "default"));
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 1);
	ck_assert_int_eq(locate(ids[2]).w, W_PENDING);
	ck_assert_int_eq(claim(&a, 10, now0, NULL), 0);

	agent_init(&m, SL_NOLIMIT, 0, now0);
	m.match = sl_xstrdup("ab");
	agent_reg(&m);
	ck_assert(sl_agent_serves(&m, "abc"));
	ck_assert(!sl_agent_serves(&m, "a"));
	ck_assert(!sl_agent_serves(&m, "x"));
	/* -m given twice: "ab,x" serves either prefix, not "a" or "," */
	free(m.match);
	m.match = sl_xstrdup("ab,x");
	ck_assert(sl_agent_serves(&m, "abc"));
	ck_assert(sl_agent_serves(&m, "xy"));
	ck_assert(!sl_agent_serves(&m, "a"));
	ck_assert(!sl_agent_serves(&m, "yx"));
	free(m.match);
	m.match = sl_xstrdup("ab");
	ck_assert_int_eq(claim(&m, 10, now0, NULL), 2);
	ck_assert_int_eq(locate(ids[0]).w, W_PENDING);
	ck_assert_int_eq(locate(ids[1]).w, W_PENDING);
	ck_assert_int_eq(locate(ids[3]).w, W_SCHED);
	ck_assert_int_eq(npending(&m), 2);
	free(m.match);

	/* a list and a prefix: either */
	agent_init(&both, SL_NOLIMIT, 0, now0);
	both.queues = ds;
	both.nqueues = 1;
	both.match = sl_xstrdup("zz");
	ck_assert(sl_agent_serves(&both, "default"));
	ck_assert(sl_agent_serves(&both, "zzz"));
	ck_assert(!sl_agent_serves(&both, "x"));
	agent_reg(&both);
	ck_assert_int_eq(claim(&both, 10, now0, NULL), 1);
	ck_assert_int_eq(locate(ids[3]).w, W_PENDING);
	free(both.match);

	/* neither: every queue */
	agent_init(&a, SL_NOLIMIT, 0, now0);
	ck_assert(sl_agent_serves(&a, "anything"));
}
END_TEST

START_TEST(test_finish)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct loc l;
	runid	ids[2];
	char   *text, *d;

	pool(1);
	submit("default", now0 - 10, ids[0]);
	submit("default", now0 - 5, ids[1]);
	agent_new(&a, 1, 0, now0);
	ck_assert_int_eq(claim(&a, 10, now0, &got), 1);
	ck_assert_int_eq(nslots(ids[0]), 2);
	start(&a, got.v[0]);
	l = locate(ids[0]);
	ck_assert_int_eq(l.w, W_RUNNING);
	d = sl_xstrdup(run_dir(&l));
	/* the claim names the slots it took: its end releases those */
	{
		char   *c = sl_path(d, "claim.ini", (char *)NULL);

		text = t_read(c);
		ck_assert_msg(strstr(text, "\nslots = a.") != NULL &&
		    strstr(text, ".0 pool.0\n") != NULL, "%s", text);
		free(text);
		free(c);
	}
	/* scratch names killed writers left: a durable end scrubs them */
	t_puts(in_dir(d, ".lease.99999"), "deadline = 1\n");
	t_puts(in_dir(d, ".result.ini.tmp"), "torn");
	ck_assert_int_eq(sl_run_finish(&sp, P, d, ids[0], SL_FAILED, 3,
	    now0, "it \"broke\""), 0);
	l = locate(ids[0]);
	ck_assert_int_eq(l.w, W_DONE);
	ck_assert_str_eq(l.sub, "Failed");
	text = t_read(S("pools/" P "/done/%s.Failed/result.ini", ids[0]));
	ck_assert_msg(strstr(text, "state = Failed\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "exit_code = 3\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "; end of sluice file\n") != NULL, "%s",
	    text);
	free(text);
	ck_assert(t_exists(S("pools/" P "/done/%s.Failed/run.ini", ids[0])));
	ck_assert_int_eq(t_count(S("pools/" P "/done/%s.Failed", ids[0]), 1),
	    3);			/* run.ini claim.ini result.ini, no scratch */
	ck_assert_int_eq(nslots(ids[0]), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	/* again: it is not there any more */
	ck_assert_int_eq(sl_run_finish(&sp, P, d, ids[0], SL_COMPLETED, 0,
	    now0, NULL), -1);
	ck_assert_int_eq(locate(ids[0]).w, W_DONE);
	free(d);
	sl_names_free(&got);
	/* a Pending run may be finished too (cancelled before it started);
	 * its claim.ini as an older binary wrote it, without slots: its end
	 * looks for them */
	ck_assert_int_eq(claim(&a, 10, now0, &got), 1);
	l = locate(ids[1]);
	d = sl_xstrdup(run_dir(&l));
	ck_assert_int_eq(nslots(ids[1]), 2);
	{
		char   *c = sl_path(d, "claim.ini", (char *)NULL);

		t_puts(c, "[claim]\nagent = x\n; end of sluice file\n");
		free(c);
	}
	/* an end after a durable exit record does not list the directory:
	 * a scratch name of its own writes is replaced, another's goes to
	 * done/ with the run; an earlier attempt's result.ini (a retry's
	 * AwaitingRetry) is replaced whole, by the scratch name */
	t_puts(in_dir(d, ".result.ini.tmp"), "torn");
	t_puts(in_dir(d, "result.ini"), "[result]\nstate = AwaitingRetry\n"
	    "; end of sluice file\n");
	t_puts(in_dir(d, ".cancel.tmp"), "x");
	ck_assert_int_eq(sl_run_finish_recorded(&sp, P, d, ids[1],
	    SL_CANCELLED, -1, 0, NULL, NULL), 0);
	text = t_read(S("pools/" P "/done/%s.Cancelled/result.ini", ids[1]));
	ck_assert_msg(strstr(text, "state = Cancelled\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "; end of sluice file\n") != NULL, "%s",
	    text);
	free(text);
	ck_assert(!t_exists(S("pools/" P "/done/%s.Cancelled/.result.ini.tmp",
	    ids[1])));
	ck_assert(t_exists(S("pools/" P "/done/%s.Cancelled/.cancel.tmp",
	    ids[1])));
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	free(d);
	sl_names_free(&got);
	check_spool(ids, 2, 1, 0);
}
END_TEST

/* ---- the steps, and crashes after each ---- */

static char steps_log[1024];
static int crash_at, steps_seen;

static void
crash_step(const char *what)
{
	size_t	len = strlen(steps_log);

	snprintf(steps_log + len, sizeof(steps_log) - len, "%s%s",
	    len ? " " : "", what);
	if (++steps_seen == crash_at)
		_exit(CRASHED);
}

/*
 * A pass whose listing of sched/ names a run that is gone (another claimer
 * took it) lists sched/ again, from the file server: on sshfs or NFS the
 * rest of a cached listing is as old, and a host that walked it chased
 * taken runs while another host took every new one.  Seen here by a run
 * that arrives after the first listing, ahead of the listing's next one:
 * the pass claims it, not the next one of its old listing.
 */
static runid steal_id, late_id;
static int stolen;

static void
steal_step(const char *what)
{
	char   *v[8], *at;
	size_t	i, n;

	if (stolen || strcmp(what, "run-rename") != 0)
		return;
	stolen = 1;
	n = t_sched_tokens(S("pools/" P "/queues/q/sched"), v, 8);
	for (i = 0; i < n; i++) {
		if (strstr(v[i], steal_id) != NULL) {
			at = t_sched_at(S("pools/" P "/queues/q/sched"), v[i]);
			ck_assert_ptr_nonnull(at);
			ck_assert_int_eq(rename(at, S("pools/" P "/stolen")),
			    0);
			free(at);
		}
		free(v[i]);
	}
	submit("q", now0 - 50, late_id);
}

START_TEST(test_claim_lost_race_lists_again)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	later, id;

	pool(SL_NOLIMIT);
	queue("q", 0, SL_NOLIMIT);
	submit("q", now0 - 60, steal_id);
	submit("q", now0 - 40, later);
	agent_new(&a, SL_NOLIMIT, 0, now0);
	sl_claim_step = steal_step;
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	ck_assert_int_eq(stolen, 1);
	ck_assert_int_eq(sl_token_parse(got.v[0], NULL, id), 0);
	ck_assert_str_eq(id, late_id);
	ck_assert_int_eq(locate(later).w, W_SCHED);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	sl_names_free(&got);
}
END_TEST

START_TEST(test_claim_steps)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[2], id;

	pool(2);
	queue("q", 0, 2);
	submit("q", now0 - 10, ids[0]);
	submit("default", now0 - 10, ids[1]);
	agent_new(&a, 2, 0, now0);
	crash_at = 0;
	sl_claim_step = crash_step;
	steps_log[0] = '\0';
	/* default (priority 1, no limit): the agent's slot, the pool's */
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	ck_assert_str_eq(steps_log, "slot-rename slot-rename run-rename "
	    "verify claim-file publish");
	ck_assert_int_eq(sl_token_parse(got.v[0], NULL, id), 0);
	ck_assert_str_eq(id, ids[1]);
	steps_log[0] = '\0';
	finish(id);
	ck_assert_str_eq(steps_log, "finish-rename finish-release");
	/* q (limit 2): the agent's, the queue's, the pool's */
	steps_log[0] = '\0';
	ck_assert_int_eq(claim(&a, 1, now0, NULL), 1);
	ck_assert_str_eq(steps_log, "slot-rename slot-rename slot-rename "
	    "run-rename verify claim-file publish");
	ck_assert_int_eq(locate(ids[0]).w, W_PENDING);
	sl_claim_step = NULL;
	sl_names_free(&got);
}
END_TEST

/*
 * How a child dies: at the at'th call of sl_claim_step; or at the at'th
 * rename (through the sl_sys seam), just before it or just after it.
 * The steps sit before the renames; dying right after a rename is the
 * crash between it and the next step.
 */
enum how { AT_STEP, BEFORE_RENAME, AFTER_RENAME };
static const char *const how_name[] = { "step", "before rename",
	"after rename" };
static enum how crash_how;
static int crash_renames;

static int
dying_rename(const char *a, const char *b)
{
	int	n = ++crash_renames, rc;

	if (n == crash_at && crash_how == BEFORE_RENAME)
		_exit(CRASHED);
	rc = rename(a, b);
	if (n == crash_at)
		_exit(CRASHED);
	return rc;
}

/*
 * in_child - fn() in a child process that dies at the at'th step or
 * rename (as how says); returns CRASHED if it did, else fn's result.
 */
static int
in_child(int (*fn)(void), int at, enum how how)
{
	pid_t	pid;
	int	st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Check's own SIGALRM handler (a test timeout) is inherited */
		signal(SIGALRM, SIG_DFL);
		alarm(20);
		crash_at = at;
		crash_how = how;
		steps_seen = 0;
		crash_renames = 0;
		steps_log[0] = '\0';
		if (how == AT_STEP)
			sl_claim_step = crash_step;
		else
			sl_sys.rename = dying_rename;
		_exit(fn());
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "the child died of signal %d",
	    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return WEXITSTATUS(st);
}

static struct sl_agent crash_agent;
static char crash_dir[2][4096];
static runid crash_id[2];

/* crash_spool - pool limit 2, queue q limit 2, an agent limit 2, 3 runs */
static void
crash_spool(runid *ids)
{
	int	i;

	respool();
	pool(2);
	queue("q", 0, 2);
	for (i = 0; i < 3; i++)
		submit("q", now0 - 60 + i, ids[i]);
	agent_new(&crash_agent, 2, 0, now0);
}

static int
child_claim(void)
{
	char	e[SL_ERR_MAX];

	return sl_claim(&sp, &crash_agent, 2, now0, NULL, NULL, e,
	    sizeof(e)) == 2 ? 0 : 1;
}

/* calls of a whole child_claim (two claims): 7 steps or 6 renames each */
static const int claim_calls[] = { 14, 12, 12 };

/*
 * A claimer dies after each step (or at each rename) of claiming two runs
 * in turn.  After the agent's heartbeat and the leases are over, one
 * recovery leaves every run in sched/, no slot held; a fresh claimer then
 * runs them all.
 */
START_TEST(test_crash_claim)
{
	const enum how how = (enum how)_i;
	const time_t later = now0 + LEASE + 1;
	runid	ids[3];
	int	at, rc = CRASHED;

	for (at = 1; rc == CRASHED; at++) {
		ck_assert_int_le(at, 40);
		crash_spool(ids);
		rc = in_child(child_claim, at, how);
		ck_assert_msg(rc == CRASHED || rc == 0, "the claim in the child "
		    "failed (exit %d, crash at %s %d)", rc, how_name[how], at);
		/* whatever it left, no Pending run is without its slots */
		check_holding(3);
		(void)sl_recover_pool(&sp, P, later, WINDOW, LEASE);
		check_spool(ids, 3, 2, 3);
		{
			struct locs L;

			scan(&L);
			ck_assert_msg(count_where(&L, W_SCHED) == 3, "crash at "
			    "%s %d: %d runs Scheduled after recovery",
			    how_name[how], at, count_where(&L, W_SCHED));
			free(L.v);
		}
		ck_assert_msg(sl_slots_held(&sp, P, NULL) == 0, "crash at %s "
		    "%d: %ld slots held after recovery", how_name[how], at,
		    sl_slots_held(&sp, P, NULL));
		/* recovery again finds nothing to do */
		ck_assert_int_eq(sl_recover_pool(&sp, P, later, WINDOW, LEASE), 0);
		drain(ids, 3, 2, later);
		/* what a crash leaves in tmp/ goes with cleanup, after an hour */
		(void)sl_cleanup_pool(&sp, P, 100000, 3600, now0 + 3601, 1);
		ck_assert_int_le(t_count(S("pools/" P "/tmp"), 1), 0);
	}
	/* every call, then a child that was not stopped */
	ck_assert_int_eq(at - 1, claim_calls[how] + 1);
}
END_TEST

/* the same, but recovery runs before the leases are over: it must not
 * free a slot that a live claim might hold */
/* stranded - runs left under a private claim name in pending/ */
static int
stranded(void)
{
	struct sl_names v, w;
	size_t	i, j;
	int	n = 0;

	ls(S("pools/" P "/pending"), 0, &v);
	for (i = 0; i < v.n; i++) {
		ls(S("pools/" P "/pending/%s", v.v[i]), 1, &w);
		for (j = 0; j < w.n; j++)
			n += strncmp(w.v[j], ".claim.", 7) == 0;
		sl_names_free(&w);
	}
	sl_names_free(&v);
	return n;
}

START_TEST(test_crash_claim_early_recovery)
{
	const enum how how = (enum how)_i;
	runid	ids[3];
	int	at, rc = CRASHED;

	for (at = 1; rc == CRASHED; at++) {
		struct locs L;
		long	held;

		ck_assert_int_le(at, 40);
		crash_spool(ids);
		rc = in_child(child_claim, at, how);
		ck_assert(rc == CRASHED || rc == 0);
		held = sl_slots_held(&sp, P, NULL);
		/* agent alive, leases running: nothing to repair */
		ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW, WINDOW,
		    LEASE), 0);
		ck_assert_int_eq(sl_slots_held(&sp, P, NULL), held);
		/* agent gone, leases running: its Pending runs come back,
		 * with their slots; a slot of a run still in sched/ stays */
		(void)sl_recover_pool(&sp, P, now0 + LEASE, WINDOW, LEASE);
		scan(&L);
		/* a claim cut between its two renames stays under its
		 * private name until the lease is over */
		ck_assert_int_eq(count_where(&L, W_SCHED) + stranded(), 3);
		ck_assert_uint_eq(L.n + (size_t)stranded(), 3);
		free(L.v);
		ck_assert_int_le(sl_slots_held(&sp, P, "pool."), 2);
		/* the leases over: nothing held */
		(void)sl_recover_pool(&sp, P, now0 + LEASE + 1, WINDOW, LEASE);
		ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
		check_spool(ids, 3, 2, -1);
	}
	ck_assert_int_eq(at - 1, claim_calls[how] + 1);
}
END_TEST

static int
child_finish(void)
{
	int	i, rc = 0;

	for (i = 0; i < 2; i++)
		if (sl_run_finish(&sp, P, crash_dir[i], crash_id[i],
		    SL_COMPLETED, 0, now0, NULL) < 0)
			rc = 1;
	return rc;
}

/*
 * A finisher dies after each step (or at each rename) of finishing two
 * runs, from running/ (as an agent) or from pending/ (a cancel): _i % 2.
 * A Running run always holds its slots; recovery frees the slots of
 * finished runs at once.
 */
START_TEST(test_crash_finish)
{
	const int from_pending = _i % 2;
	const enum how how = (enum how)(_i / 2);
	const time_t later = now0 + LEASE + 1;
	struct sl_names got = { 0 };
	runid	ids[3];
	int	at, rc = CRASHED, i;

	for (at = 1; rc == CRASHED; at++) {
		struct locs L;

		ck_assert_int_le(at, 20);
		crash_spool(ids);
		ck_assert_int_eq(claim(&crash_agent, 2, now0, &got), 2);
		for (i = 0; i < 2; i++) {
			struct loc l;

			ck_assert_int_eq(sl_token_parse(got.v[i], NULL,
			    crash_id[i]), 0);
			if (!from_pending)
				start(&crash_agent, got.v[i]);
			l = locate(crash_id[i]);
			snprintf(crash_dir[i], sizeof(crash_dir[i]), "%s",
			    run_dir(&l));
		}
		sl_names_free(&got);
		rc = in_child(child_finish, at, how);
		ck_assert_msg(rc == CRASHED || rc == 0, "the finish in the child "
		    "failed (exit %d, crash at %s %d)", rc, how_name[how], at);
		check_holding(3);
		(void)sl_recover_pool(&sp, P, later, WINDOW, LEASE);
		check_spool(ids, 3, 2, 3);
		/* what is still Running is finished by its agent (or its
		 * crash detection), then the rest is claimed again */
		scan(&L);
		for (i = 0; i < (int)L.n; i++)
			if (L.v[i].w == W_RUNNING)
				finish(L.v[i].id);
			else if (L.v[i].w == W_DONE)
				ck_assert_int_eq(nslots(L.v[i].id), 0);
		ck_assert_int_eq(count_where(&L, W_PENDING), 0);
		free(L.v);
		ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
		drain(ids, 3, 2, later);
	}
	/* two finishes of two steps (two renames) each */
	ck_assert_int_eq(at - 1, 5);
}
END_TEST

/*
 * A claimer stalls between moving the run and verifying its slots, long
 * enough for its agent to be called gone: recovery returns the run and
 * frees its slots (_i 0); or one of its slots alone is freed (_i 1: a
 * recovery that saw a stale listing, after the lease).  The claimer must
 * see a slot gone, put the run back in sched/ and give back the rest.
 */
static struct sl_agent stall_agent;
static runid stall_id;
static int stalled, stall_mode;

static void
stall_step(const char *what)
{
	if (strcmp(what, "verify") != 0 || stalled)
		return;
	stalled = 1;
	if (stall_mode == 0)
		(void)sl_recover_pool(&sp, P, now0 + LEASE + 1, WINDOW, LEASE);
	else
		ck_assert_int_eq(sl_slot_release(&sp, P, "pool.0", stall_id), 0);
}

START_TEST(test_claim_verify_lost_slots)
{
	struct sl_names got = { 0 };
	struct loc l;
	runid	ids[1];

	pool(2);
	queue("q", 0, 1);
	submit("q", now0 - 10, ids[0]);
	agent_new(&stall_agent, 1, 0, now0);
	memcpy(stall_id, ids[0], sizeof(runid));
	stall_mode = _i;
	stalled = 0;
	sl_claim_step = stall_step;
	ck_assert_int_eq(claim(&stall_agent, 1, now0, &got), 0);
	sl_claim_step = NULL;
	ck_assert_int_eq(stalled, 1);
	ck_assert_uint_eq(got.n, 0);
	l = locate(ids[0]);
	ck_assert_int_eq(l.w, W_SCHED);
	ck_assert_str_eq(l.sub, "q");
	{
		char   *c = sl_path(run_dir(&l), "claim.ini", (char *)NULL);

		ck_assert(!t_exists(c));
		free(c);
	}
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	ck_assert_int_eq(npending(&stall_agent), 0);
	check_spool(ids, 1, 2, 3);
	drain(ids, 1, 2, now0 + LEASE + 1);
}
END_TEST

/*
 * A run put back in sched/ by its claimer (a slot lost at the verify:
 * GONE) makes the claim drop its listing: the next quick pass lists and
 * takes it first, not the later run the listing still held.
 */
START_TEST(test_claim_gone_drops_listing)
{
	struct sl_names got = { 0 };
	runid	a, b, d;

	pool(3);
	submit("default", now0 - 20, a);
	submit("default", now0 - 10, b);
	submit("default", now0 - 5, d);
	agent_new(&stall_agent, SL_NOLIMIT, 0, now0);
	memcpy(stall_id, a, sizeof(runid));
	stall_mode = 1;
	stalled = 0;
	sl_claim_step = stall_step;
	ck_assert_int_eq(claim_flags(&stall_agent, 1, now0, &got,
	    SL_CLAIM_NEWPASS), 1);
	sl_claim_step = NULL;
	ck_assert_int_eq(stalled, 1);
	ck_assert_int_eq(locate(a).w, W_SCHED);		/* put back */
	ck_assert_int_eq(locate(b).w, W_PENDING);
	ck_assert_int_eq(claim_flags(&stall_agent, 1, now0, &got,
	    SL_CLAIM_NEWPASS | SL_CLAIM_REUSE), 1);
	ck_assert_int_eq(locate(a).w, W_PENDING);
	ck_assert_int_eq(locate(d).w, W_SCHED);
	sl_names_free(&got);
}
END_TEST

/* ---- the sl_sys seam: lost replies and failing renames ---- */

static int lie_at, rename_calls, lie_errno;
static enum { LIE_DONE, FAIL_ONCE, FAIL_FROM } lie_mode;

/* seam_rename - the rename numbered lie_at: LIE_DONE carries it out and
 * reports failure (a lost reply); FAIL_ONCE fails it without doing it;
 * FAIL_FROM fails it and every one after */
static int
seam_rename(const char *a, const char *b)
{
	int	n = ++rename_calls;

	if (n == lie_at || (lie_mode == FAIL_FROM && n > lie_at)) {
		if (lie_mode == LIE_DONE && rename(a, b) < 0)
			return -1;
		errno = lie_errno;
		return -1;
	}
	return rename(a, b);
}

static void
lie(int at, int mode, int e)
{
	lie_at = at;
	lie_mode = mode;
	lie_errno = e;
	rename_calls = 0;
	sl_sys.rename = seam_rename;
}

static const struct {
	int	mode, err;
} lies[] = {
	{ LIE_DONE, ENOENT }, { LIE_DONE, EEXIST },
	{ FAIL_ONCE, EIO }, { FAIL_ONCE, ENOENT },
	{ FAIL_FROM, EIO }, { FAIL_FROM, ENOENT }, { FAIL_FROM, EEXIST },
};

/* the spool of a seam test: pool 2, queue q 2, agent 2, two runs */
static void
seam_spool(runid *ids, struct sl_agent *a)
{
	respool();
	pool(2);
	queue("q", 0, 2);
	submit("q", now0 - 20, ids[0]);
	submit("q", now0 - 10, ids[1]);
	agent_new(a, 2, 0, now0);
}

/* a claim of one run with rename number k lying or failing */
START_TEST(test_seam_claim)
{
	const int mode = lies[_i].mode;
	struct sl_agent a;
	struct sl_names got;
	runid	ids[2];
	int	k, calls;
	long	n;

	for (k = 1; ; k++) {
		struct locs L;

		ck_assert_int_le(k, 20);
		seam_spool(ids, &a);
		memset(&got, 0, sizeof(got));
		lie(k, mode, lies[_i].err);
		n = sl_claim(&sp, &a, 1, now0, &got, NULL, err, sizeof(err));
		calls = rename_calls;
		sl_sys.rename = sl_rename;
		if (mode == FAIL_FROM)
			ck_assert_msg(n == 0 || n == 1, "rename %d: claimed %ld",
			    k, n);
		else
			ck_assert_msg(n == 1, "rename %d: claimed %ld (%s)", k,
			    n, n < 0 ? err : "");
		ck_assert_uint_eq(got.n, (size_t)n);
		/* renames failing from the last step on strand the run under
		 * its private claim name: recovery returns it, after 10
		 * leases, with the agent still alive */
		if (mode == FAIL_FROM && n == 0)
			(void)sl_recover_pool(&sp, P, now0 + 10 * LEASE + 1,
			    100 * LEASE, 10 * LEASE);
		scan(&L);
		ck_assert_int_eq(count_where(&L, W_PENDING), n);
		ck_assert_int_eq(count_where(&L, W_SCHED), 2 - n);
		free(L.v);
		ck_assert_int_eq(npending(&a), n);
		/* exactly the claimed run's three slots; nothing private left */
		ck_assert_msg(sl_slots_held(&sp, P, NULL) == 3 * n, "rename %d: "
		    "%ld slots held, %ld runs claimed", k,
		    sl_slots_held(&sp, P, NULL), n);
		check_spool(ids, 2, 2, 3);
		ck_assert_msg(t_count(S("pools/" P "/tmp"), 1) == 0, "rename "
		    "%d: %d names left in tmp/", k,
		    t_count(S("pools/" P "/tmp"), 1));
		if (n == 1) {
			const char *d = S("pools/" P "/pending/%s/%s", a.id,
			    got.v[0]);

			ck_assert(!t_exists(S("pools/" P "/pending/%s/%s/"
			    ".claim.tmp", a.id, got.v[0])));
			if (mode == LIE_DONE)
				ck_assert_msg(t_count(d, 1) == 2, "rename %d: %d "
				    "names in the claimed run", k,
				    t_count(d, 1));
		}
		sl_names_free(&got);
		/* the spool goes on: the other run, then the agent is full */
		ck_assert_int_eq(claim(&a, 5, now0, NULL), 2 - n);
		ck_assert_int_eq(npending(&a), 2);
		ck_assert_int_eq(sl_slots_held(&sp, P, "pool."), 2);
		ck_assert_int_eq(claim(&a, 5, now0, NULL), 0);
		check_spool(ids, 2, 2, 3);
		if (calls < k)
			break;
	}
	/* three slots, the run (to its private name, then to its token),
	 * claim.ini: six renames, each tried */
	ck_assert_int_eq(k, 7);
}
END_TEST

/* sl_run_finish and sl_recover_pool with lost replies */
START_TEST(test_seam_finish_recover)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[2];
	int	k, calls;

	/* finish: result.ini, then the run */
	for (k = 1; ; k++) {
		struct loc l;
		char   *d;

		ck_assert_int_le(k, 10);
		seam_spool(ids, &a);
		ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
		start(&a, got.v[0]);
		sl_names_free(&got);
		l = locate(ids[0]);
		d = sl_xstrdup(run_dir(&l));
		lie(k, LIE_DONE, k % 2 ? ENOENT : EEXIST);
		ck_assert_msg(sl_run_finish(&sp, P, d, ids[0], SL_COMPLETED, 0,
		    now0, NULL) == 0, "lost reply %d: %s", k, strerror(errno));
		calls = rename_calls;
		sl_sys.rename = sl_rename;
		free(d);
		l = locate(ids[0]);
		ck_assert_int_eq(l.w, W_DONE);
		ck_assert(t_exists(S("pools/" P "/done/%s.Completed/result.ini",
		    ids[0])));
		ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
		check_spool(ids, 2, 2, 3);
		if (calls < k)
			break;
	}
	ck_assert_int_eq(k, 3);
	/* recovery: each run back to sched/ */
	for (k = 1; ; k++) {
		ck_assert_int_le(k, 10);
		seam_spool(ids, &a);
		ck_assert_int_eq(claim(&a, 2, now0, NULL), 2);
		lie(k, LIE_DONE, k % 2 ? ENOENT : EEXIST);
		ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW + 1,
		    WINDOW, LEASE), 2);
		calls = rename_calls;
		sl_sys.rename = sl_rename;
		ck_assert_int_eq(locate(ids[0]).w, W_SCHED);
		ck_assert_int_eq(locate(ids[1]).w, W_SCHED);
		ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
		check_spool(ids, 2, 2, 3);
		if (calls < k)
			break;
	}
	/* two renames per run (to a private .claim. name, then to sched/):
	 * a lie at each of the four was survived */
	ck_assert_int_eq(k, 5);
}
END_TEST

/* ---- recovery ---- */

/* recover_spool - pool 2; queues A and B, limit 1 each; one run in each,
 * both claimed by an agent limit 2 that beat at now0 */
static void
recover_spool(runid *ids, struct sl_agent *a, struct sl_names *got)
{
	pool(2);
	queue("A", 0, 1);
	queue("B", 0, 1);
	submit("A", now0 - 10, ids[0]);
	submit("B", now0 - 20, ids[1]);
	agent_new(a, 2, 0, now0);
	ck_assert_int_eq(claim(a, 10, now0, got), 2);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 6);
}

START_TEST(test_recover_gone_agent)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct loc l;
	runid	ids[2];
	size_t	i;

	recover_spool(ids, &a, &got);
	/* at the window's edge it is not gone yet */
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW, WINDOW, LEASE),
	    0);
	ck_assert_int_eq(npending(&a), 2);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 6);
	/* a second later it is: each run goes back to its own queue */
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW + 1, WINDOW,
	    LEASE), 2);
	l = locate(ids[0]);
	ck_assert_int_eq(l.w, W_SCHED);
	ck_assert_str_eq(l.sub, "A");
	l = locate(ids[1]);
	ck_assert_int_eq(l.w, W_SCHED);
	ck_assert_str_eq(l.sub, "B");
	for (i = 0; i < got.n; i++) {		/* under the same token */
		char   *at = t_sched_at(S("pools/" P "/queues/%c/sched",
		    i == 0 ? 'A' : 'B'), got.v[i]);

		ck_assert_ptr_nonnull(at);
		free(at);
	}
	ck_assert_int_eq(npending(&a), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW + 1, WINDOW,
	    LEASE), 0);
	check_spool(ids, 2, 2, -1);
	sl_names_free(&got);
	drain(ids, 2, 2, now0 + WINDOW + 1);
}
END_TEST

/*
 * a gone agent's run left under its private .claim. name (a claim it
 * deferred to a start that never came: killed between the two) goes back
 * with its Pending runs, once the agent is gone, not 10 x lease later;
 * while the agent lives it stays
 */
START_TEST(test_recover_gone_agent_deferred)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	struct sl_pool p;
	char   *d;
	runid	id[1];

	pool(2);
	agent_new(&a, 2, 0, now0);
	submit("default", now0 - 5, id[0]);
	ck_assert_int_eq(sl_pool_load(&sp, P, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_claim_in(&sp, &a, &p, 2, now0, &got, NULL,
	    SL_CLAIM_NEWPASS | SL_CLAIM_SELF | SL_CLAIM_DEFER), 1);
	d = sl_claim_deferred(got.v[0]);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 2);
	/* alive (its last beat within the window): kept */
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW, WINDOW, LEASE),
	    0);
	ck_assert(sl_exists(d));
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 2);
	/* gone: back to sched/ under its token, slots free, long before
	 * its private name is LEASE old */
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW + 1, WINDOW,
	    LEASE), 1);
	ck_assert(!sl_exists(d));
	ck_assert_int_eq(locate(id[0]).w, W_SCHED);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	ck_assert_int_eq(npending(&a), 0);
	/* the dead agent's step 7, were it late: nothing to move */
	sl_claim_undefer(got.v[0], NULL, 1);
	ck_assert_int_eq(locate(id[0]).w, W_SCHED);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW + 1, WINDOW,
	    LEASE), 0);
	free(d);
	sl_names_free(&got);
	sl_pool_free(&p);
}
END_TEST

/*
 * A dispatcher between steps 6 and 7 of a claim for an agent that
 * recovery then judges gone: recovery returns the run from the claim's
 * private name and releases its entries by token, and another claimer
 * takes the run's slot again, under the same run id, before its step 6.
 * The first claimer's step 7 fails, and its put_back takes "source gone,
 * target there" for its own lost reply: it must give back only the
 * entries of its own takes, never the other claimer's.
 */
static struct sl_agent mid_a, mid_b;
static char mid_token[SL_RUNNAME_MAX];
static int mid_done;

static void
mid_claim_step(const char *step)
{
	long	k;

	if (strcmp(step, "publish") != 0 || mid_done++)
		return;
	sl_claim_step = NULL;
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW + 1, WINDOW,
	    LEASE), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	/* b, mid-claim: its slot taken, the run still in sched/ */
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 1, mid_token, mid_b.id,
	    now0 + WINDOW + 1, &k), 0);
}

START_TEST(test_claim_mid_recovery_keeps_other_take)
{
	struct sl_agent *a = &mid_a;
	struct sl_names got = { 0 };
	char	**v, *names[1];
	size_t	n;
	runid	id;

	pool(1);
	submit("default", now0 - 5, id);
	agent_new(a, SL_NOLIMIT, 0, now0);
	agent_new(&mid_b, SL_NOLIMIT, 0, now0 + WINDOW + 1);
	ck_assert_uint_eq(t_sched_tokens(S("pools/" P "/queues/default/sched"),
	    names, 1), 1);
	snprintf(mid_token, sizeof(mid_token), "%s", names[0]);
	free(names[0]);
	mid_done = 0;
	sl_claim_step = mid_claim_step;
	(void)sl_claim(&sp, a, 1, now0, &got, NULL, err, sizeof(err));
	sl_claim_step = NULL;
	ck_assert_int_eq(mid_done, 1);
	sl_names_free(&got);
	/* the run is back in sched/, b's entry is still there */
	ck_assert_int_eq(locate(id).w, W_SCHED);
	ck_assert_msg(sl_slots_held(&sp, P, NULL) == 1, "the other claimer's "
	    "slot entry was given back by the claimer that lost the run");
	ck_assert_int_eq(sl_slots_of(&sp, P, id, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	sl_strv_free(v, n);
}
END_TEST

/* a gone agent's Pending run whose run.ini is cut short (refused by
 * sl_runini_load) goes back to its queue all the same, by its queue
 * line, where its start refuses it; its slots are freed */
START_TEST(test_recover_gone_agent_cut_runini)
{
	struct sl_agent a;
	struct loc l;
	char	p[4096], *text;
	size_t	len;
	runid	id;

	pool(1);
	queue("q", 0, SL_NOLIMIT);
	submit("q", now0 - 5, id);
	agent_new(&a, 1, 0, now0);
	ck_assert_int_eq(claim(&a, 1, now0, NULL), 1);
	l = locate(id);
	ck_assert_int_eq(l.w, W_PENDING);
	snprintf(p, sizeof(p), "%s/run.ini", run_dir(&l));
	ck_assert_int_ge(sl_read_file(p, &text, 65536), 0);
	len = strlen(text) - strlen(SL_INI_TRAILER);
	ck_assert_str_eq(text + len, SL_INI_TRAILER);
	t_write(p, text, len);			/* the trailer lost */
	free(text);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + WINDOW + 1, WINDOW,
	    LEASE), 1);
	l = locate(id);
	ck_assert_int_eq(l.w, W_SCHED);
	ck_assert_str_eq(l.sub, "q");
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	/* cut inside its queue line ("queue = qz9" as "queue = q"): that
	 * would name another queue, which exists, and is not taken: the
	 * run is refused (rejected/, with the reason), its slots freed */
	ck_assert_int_eq(rename(run_dir(&l), S("pools/" P "/tmp/away")), 0);
	queue("qz9", 0, SL_NOLIMIT);
	submit("qz9", now0 - 4, id);
	agent_new(&a, 1, 0, now0 + WINDOW + 1);
	ck_assert_int_eq(claim(&a, 1, now0 + WINDOW + 1, NULL), 1);
	l = locate(id);
	ck_assert_int_eq(l.w, W_PENDING);
	snprintf(p, sizeof(p), "%s/run.ini", run_dir(&l));
	ck_assert_int_ge(sl_read_file(p, &text, 65536), 0);
	len = (size_t)(strstr(text, "\nqueue = qz9\n") - text) +
	    strlen("\nqueue = q");
	t_write(p, text, len);
	free(text);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + 2 * WINDOW + 2, WINDOW,
	    LEASE), 1);
	ck_assert(t_exists(S("pools/" P "/rejected/%s/reason", id)));
	ck_assert(t_exists(S("pools/" P "/rejected/%s/run.ini", id)));
	ck_assert_int_eq(npending(&a), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
}
END_TEST

START_TEST(test_recover_live_agent)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[2];
	time_t	t;

	recover_spool(ids, &a, &got);
	/* it keeps beating: however late, its runs are its own */
	for (t = now0; t < now0 + 100 * LEASE; t += 7 * LEASE) {
		ck_assert_int_eq(sl_agent_beat(&sp, &a, t), 0);
		ck_assert_int_eq(sl_recover_pool(&sp, P, t + WINDOW, WINDOW,
		    LEASE), 0);
		ck_assert_int_eq(npending(&a), 2);
		ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 6);
	}
	check_spool(ids, 2, 2, 3);
	sl_names_free(&got);
}
END_TEST

static const char *const torn[] = {
	"1795874400",			/* no newline: cut short */
	"17958",
	"garbage\n",
	"",
	"\n",
	"0\n",
	"-5\n",
	"1795874400 \n",
};

/* a heartbeat read torn is not evidence of death, nor of life */
START_TEST(test_recover_torn_heartbeat)
{
	struct sl_agent a, *v;
	struct sl_names got = { 0 };
	runid	ids[2];
	size_t	n;

	recover_spool(ids, &a, &got);
	t_puts(S("pools/" P "/agents/%s/heartbeat", a.id), torn[_i]);
	ck_assert_int_eq(sl_agents_load(&sp, P, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].id, a.id);
	ck_assert_int_eq(v[0].registered, 1);
	ck_assert_int_eq(v[0].beat, 0);
	ck_assert(!sl_agent_gone(&v[0], now0 + 1000000, WINDOW));
	ck_assert(!sl_agent_online(&v[0], now0, WINDOW));
	sl_agents_free(v, n);
	ck_assert_int_eq(sl_pool_agents_online(&sp, P, now0, WINDOW), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + 1000000, WINDOW,
	    LEASE), 0);
	ck_assert_int_eq(npending(&a), 2);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 6);
	/* read whole again, and old: gone */
	t_puts(S("pools/" P "/agents/%s/heartbeat", a.id), "1000\n");
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 2);
	ck_assert_int_eq(npending(&a), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	sl_names_free(&got);
}
END_TEST

/* no heartbeat file at all is a missing beat: gone */
START_TEST(test_recover_no_heartbeat)
{
	struct sl_agent a, *v;
	struct sl_names got = { 0 };
	runid	ids[2];
	size_t	n;

	recover_spool(ids, &a, &got);
	ck_assert_int_eq(unlink(S("pools/" P "/agents/%s/heartbeat", a.id)), 0);
	ck_assert_int_eq(sl_agents_load(&sp, P, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].beat, -1);
	ck_assert(sl_agent_gone(&v[0], now0, WINDOW));
	ck_assert(!sl_agent_online(&v[0], now0, WINDOW));
	sl_agents_free(v, n);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 2);
	ck_assert_int_eq(npending(&a), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	sl_names_free(&got);
}
END_TEST

/* pending/AGENT of an agent with no agents/AGENT (deregistered, or one that
 * never was) is returned at once */
START_TEST(test_recover_unregistered)
{
	struct sl_agent a, u;
	runid	ids[3];

	pool(2);
	submit("default", now0 - 10, ids[0]);
	submit("default", now0 - 10, ids[1]);
	submit("default", now0 - 10, ids[2]);
	agent_init(&u, 1, 0, now0);		/* never registered */
	ck_assert_int_eq(claim(&u, 5, now0, NULL), 1);
	agent_new(&a, 1, 0, now0);
	ck_assert_int_eq(claim(&a, 5, now0, NULL), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 4);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 1);
	ck_assert_int_eq(npending(&u), 0);
	ck_assert_int_eq(npending(&a), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 2);
	check_spool(ids, 3, 2, 2);
	/* deregistered: the same */
	ck_assert_int_eq(sl_agent_deregister(&sp, &a), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 1);
	ck_assert_int_eq(npending(&a), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	check_spool(ids, 3, 2, -1);
	drain(ids, 3, 2, now0);
}
END_TEST

/* ---- agents dead on this host (issue 10, item 4) ---- */

/* ini_set - set key = val in the agent's agent.ini (added if missing) */
static void
ini_set(const struct sl_agent *a, const char *key, const char *val)
{
	const char *p = S("pools/" P "/agents/%s/agent.ini", a->id);
	char   *text = t_read(p), *line, *save, out[8192];
	size_t	kl = strlen(key), o = 0;
	int	done = 0;

	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, kl) == 0 && strncmp(line + kl, " = ", 3) == 0) {
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "%s = %s\n", key, val);
			done = 1;
		} else if (line[0] == ';' && !done) {
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "%s = %s\n%s\n", key, val, line);
			done = 1;
		} else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s\n",
			    line);
	}
	ck_assert(o < sizeof(out));
	free(text);
	t_puts(p, out);
}

/* ini_drop - remove key from the agent's agent.ini */
static void
ini_drop(const struct sl_agent *a, const char *key)
{
	const char *p = S("pools/" P "/agents/%s/agent.ini", a->id);
	char   *text = t_read(p), *line, *save, out[8192];
	size_t	kl = strlen(key), o = 0;

	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, key, kl) != 0 || strncmp(line + kl, " = ", 3))
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s\n",
			    line);
	free(text);
	t_puts(p, out);
}

/* loaded - the agent as sl_agents_load reads it now */
static struct sl_agent
loaded(const struct sl_agent *a)
{
	struct sl_agent *v, r;
	size_t	n, i;
	int	found = 0;

	ck_assert_int_eq(sl_agents_load(&sp, P, &v, &n), 0);
	memset(&r, 0, sizeof(r));
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, a->id) == 0) {
			r = v[i];
			r.queues = NULL;	/* not used: freed below */
			r.nqueues = 0;
			r.match = NULL;
			found = 1;
		}
	sl_agents_free(v, n);
	ck_assert_msg(found, "agent %s not loaded", a->id);
	return r;
}

/* child - a process that waits to be killed */
static pid_t
child(void)
{
	pid_t	pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/*
 * A registration made on this host names its process: as soon as that
 * process is gone (reaped, a zombie, or its pid reused by a process that
 * started at another time) the agent is gone and not online, whatever its
 * last beat says; recovery hands its Pending runs back at once and removes
 * its pending/ directory and its registration.  A registration of another
 * host, boot or pid namespace, or one without these fields, is never
 * judged by pid: the heartbeat window decides there.
 */
START_TEST(test_agent_dead_here)
{
	struct sl_agent a, l;
	struct sl_names got = { 0 };
	char	why[SL_ERR_MAX], v[64];
	runid	ids[2];
	pid_t	pid;
	int	st;

	pool(2);
	queue("A", 0, 1);
	queue("B", 0, 1);
	submit("A", now0 - 10, ids[0]);
	submit("B", now0 - 20, ids[1]);
	pid = child();
	agent_init(&a, 2, 0, now0);
	snprintf(a.host, sizeof(a.host), "%s", sl_host());
	a.pid = (long)pid;
	agent_reg(&a);
	ck_assert_int_eq(claim(&a, 10, now0, &got), 2);
	/* what it records */
	{
		char   *text = t_read(S("pools/" P "/agents/%s/agent.ini", a.id));

		snprintf(v, sizeof(v), "pid = %ld\n", (long)pid);
		ck_assert_ptr_nonnull(strstr(text, v));
		snprintf(v, sizeof(v), "pid_start = %llu\n", sl_proc_start(pid));
		ck_assert_ptr_nonnull(strstr(text, v));
		ck_assert_ptr_nonnull(strstr(text, "boot = "));
		ck_assert_ptr_nonnull(strstr(text, sl_boot_id()));
		ck_assert_ptr_nonnull(strstr(text, "pidns = pid:["));
		free(text);
	}
	ck_assert_uint_gt(sl_proc_start(pid), 0);
	/* alive */
	l = loaded(&a);
	ck_assert_int_eq(l.dead, 0);
	ck_assert(sl_agent_online(&l, now0, WINDOW));
	ck_assert(!sl_agent_gone(&l, now0, WINDOW));
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 0);
	ck_assert_int_eq(npending(&a), 2);
	/* its pid reused: a process of that pid started at another time */
	snprintf(v, sizeof(v), "%llu", sl_proc_start(pid) + 1);
	ini_set(&a, "pid_start", v);
	l = loaded(&a);
	ck_assert_int_eq(l.dead, 1);
	ck_assert(!sl_agent_online(&l, now0, WINDOW));
	ck_assert(sl_agent_gone(&l, now0, WINDOW));
	/* the same pid of another host, boot or pid namespace: not judged */
	ini_set(&a, "host", "otherhost");
	ck_assert_int_eq(loaded(&a).dead, 0);
	ini_set(&a, "host", sl_host());
	ini_set(&a, "boot", "00000000-0000-4000-8000-000000000000");
	ck_assert_int_eq(loaded(&a).dead, 0);
	ini_set(&a, "boot", sl_boot_id());
	ini_set(&a, "pidns", "pid:[1]");
	ck_assert_int_eq(loaded(&a).dead, 0);
	ini_drop(&a, "pidns");
	ck_assert_int_eq(loaded(&a).dead, 0);
	ini_drop(&a, "boot");			/* an older registration */
	ck_assert_int_eq(loaded(&a).dead, 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 0);
	ck_assert_int_eq(npending(&a), 2);
	/* back to the truth: alive */
	ck_assert_int_eq(sl_agent_deregister(&sp, &a), 0);
	agent_reg(&a);
	ck_assert_int_eq(loaded(&a).dead, 0);
	/* killed, not yet reaped (a zombie): dead */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitid(P_PID, (id_t)pid, NULL, WEXITED | WNOWAIT), 0);
	l = loaded(&a);
	ck_assert_int_eq(l.dead, 1);
	/* reaped: dead, with a fresh beat */
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(sl_agent_beat(&sp, &a, now0), 0);
	l = loaded(&a);
	ck_assert_int_eq(l.dead, 1);
	ck_assert(!sl_agent_online(&l, now0, WINDOW));
	ck_assert(sl_agent_gone(&l, now0, WINDOW));
	sl_agent_gone_why(&l, now0, why, sizeof(why));
	ck_assert_msg(strstr(why, "died") != NULL, "why: %s", why);
	/* another host's registration of a dead pid: the window decides */
	ini_set(&a, "host", "otherhost");
	l = loaded(&a);
	ck_assert_int_eq(l.dead, 0);
	ck_assert(!sl_agent_gone(&l, now0 + WINDOW, WINDOW));
	ck_assert(sl_agent_gone(&l, now0 + WINDOW + 1, WINDOW));
	ini_set(&a, "host", sl_host());
	/* recovery, with its beat fresh: runs back at once, then its
	 * pending/ directory and its registration removed */
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 2);
	ck_assert_int_eq(npending(&a), 0);
	ck_assert(!t_exists(S("pools/" P "/pending/%s", a.id)));
	ck_assert(!t_exists(S("pools/" P "/agents/%s", a.id)));
	ck_assert_int_eq(t_count(S("pools/" P "/agents"), 1), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	check_spool(ids, 2, 2, -1);
	sl_names_free(&got);
	drain(ids, 2, 2, now0);
}
END_TEST

/* this process, registered as an agent of this host: never dead */
START_TEST(test_agent_self_alive)
{
	struct sl_agent a, l;

	pool(SL_NOLIMIT);
	agent_init(&a, SL_NOLIMIT, 0, now0);
	snprintf(a.host, sizeof(a.host), "%s", sl_host());
	agent_reg(&a);
	l = loaded(&a);
	ck_assert_int_eq(l.dead, 0);
	ck_assert(sl_agent_online(&l, now0, WINDOW));
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 0);
	ck_assert(t_exists(S("pools/" P "/agents/%s/agent.ini", a.id)));
}
END_TEST

/*
 * What gone agents leave in agents/ is removed by recovery after a bounded
 * time: a registration whose last beat is more than window + stale old
 * (or, without a beat, its start), private names (.new.E.ID, .gone.E.ID)
 * older than stale by their name, and the older .new.UUID / .trash.UUID
 * by an mtime over an hour old.  Younger ones, and names not ours, stay.
 */
START_TEST(test_agents_sweep)
{
	struct sl_agent live, old, nobeat, young, *v;
	const char *ad;
	char	u[SL_UUID_LEN + 1], u2[SL_UUID_LEN + 1], name[128];
	struct timespec ts[2];
	size_t	n;

	pool(SL_NOLIMIT);
	agent_new(&live, SL_NOLIMIT, 0, now0);
	agent_new(&old, SL_NOLIMIT, 0, now0 - WINDOW - LEASE - 1);
	agent_new(&young, SL_NOLIMIT, 0, now0 - WINDOW - LEASE);
	agent_new(&nobeat, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(unlink(S("pools/" P "/agents/%s/heartbeat",
	    nobeat.id)), 0);
	ini_set(&nobeat, "started", "2000-01-01T00:00:00Z");
	ad = sl_xstrdup(S("pools/" P "/agents"));
	ck_assert_int_eq(sl_uuid(u), 0);
	ck_assert_int_eq(sl_uuid(u2), 0);
	snprintf(name, sizeof(name), "%s/.new.%016llx.%s", ad,
	    (unsigned long long)(now0 - LEASE - 1), u);
	t_mkdir(name);
	snprintf(name, sizeof(name), "%s/.gone.%016llx.%s", ad,
	    (unsigned long long)(now0 - LEASE - 1), u);
	t_mkdir(name);
	snprintf(name, sizeof(name), "%s/.new.%016llx.%s", ad,
	    (unsigned long long)(now0 - LEASE), u2);
	t_mkdir(name);				/* not old enough */
	snprintf(name, sizeof(name), "%s/.new.%s", ad, u);
	t_mkdir(name);
	ts[0].tv_sec = ts[1].tv_sec = now0 - 3601;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, name, ts, 0), 0);
	snprintf(name, sizeof(name), "%s/.trash.%s", ad, u);
	t_mkdir(name);
	ck_assert_int_eq(utimensat(AT_FDCWD, name, ts, 0), 0);
	snprintf(name, sizeof(name), "%s/.new.%s", ad, u2);
	t_mkdir(name);				/* made now */
	snprintf(name, sizeof(name), "%s/.nfs0000001", ad);
	t_puts(name, "not ours\n");
	ts[0].tv_sec = ts[1].tv_sec = 1000;
	ck_assert_int_eq(utimensat(AT_FDCWD, name, ts, 0), 0);
	ck_assert_int_eq(sl_agents_load(&sp, P, &v, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(sl_agents_sweep(&sp, P, v, n, now0, WINDOW, LEASE), 6);
	sl_agents_free(v, n);
	ck_assert(t_exists(S("pools/" P "/agents/%s", live.id)));
	ck_assert(t_exists(S("pools/" P "/agents/%s", young.id)));
	ck_assert(!t_exists(S("pools/" P "/agents/%s", old.id)));
	ck_assert(!t_exists(S("pools/" P "/agents/%s", nobeat.id)));
	ck_assert_int_eq(t_count(ad, 1), 5);
	ck_assert_int_eq(t_count_prefix(ad, ".new."), 2);
	ck_assert_int_eq(t_count_prefix(ad, ".nfs"), 1);
	/* recovery sweeps too; the young one goes a second later */
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + 1, WINDOW, LEASE), 0);
	ck_assert(!t_exists(S("pools/" P "/agents/%s", young.id)));
	ck_assert(t_exists(S("pools/" P "/agents/%s", live.id)));
	free((char *)ad);
}
END_TEST

/*
 * A start that fails because the run was taken from under the agent (its
 * claim handed back by recovery, a cancel that ended it, a delete) is a
 * race, not a failure: sl_start_taken_back tells it from a real failure
 * (the run still in the agent's pending/, or started by this agent).
 */
START_TEST(test_start_taken_back)
{
	struct sl_agent a, b;
	struct sl_names got = { 0 };
	char	what[SL_ERR_MAX], *dir;
	runid	ids[1];

	pool(SL_NOLIMIT);
	submit("default", now0 - 10, ids[0]);
	agent_new(&a, SL_NOLIMIT, 0, now0);
	agent_new(&b, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	/* still ours: a real failure */
	ck_assert_int_eq(sl_start_taken_back(&sp, &a, got.v[0], what,
	    sizeof(what)), 0);
	/* handed back to its queue */
	dir = sl_xstrdup(S("pools/" P "/pending/%s/%s", a.id, got.v[0]));
	ck_assert_int_eq(sl_run_unclaim(&sp, P, dir, got.v[0], a.id), 0);
	free(dir);
	ck_assert_int_eq(sl_start_taken_back(&sp, &a, got.v[0], what,
	    sizeof(what)), 1);
	ck_assert_msg(strstr(what, "back in work queue 'default'") != NULL,
	    "what: %s", what);
	/* claimed and started by another agent */
	sl_names_free(&got);
	ck_assert_int_eq(claim(&b, 1, now0, &got), 1);
	start(&b, got.v[0]);
	t_puts(S("pools/" P "/running/%s/start.ini", got.v[0]),
	    "[start]\n");
	{
		char	body[200];

		snprintf(body, sizeof(body), "[start]\nagent = %s\n; end of "
		    "sluice file\n", b.id);
		t_puts(S("pools/" P "/running/%s/start.ini", got.v[0]), body);
	}
	ck_assert_int_eq(sl_start_taken_back(&sp, &a, got.v[0], what,
	    sizeof(what)), 1);
	ck_assert_msg(strstr(what, "another agent") != NULL, "what: %s", what);
	/* started by this agent (a failure after the start, e.g. fork) */
	ck_assert_int_eq(sl_start_taken_back(&sp, &b, got.v[0], what,
	    sizeof(what)), 0);
	/* ended (a cancel came first) */
	dir = sl_xstrdup(S("pools/" P "/running/%s", got.v[0]));
	ck_assert_int_eq(sl_run_finish(&sp, P, dir, ids[0], SL_CANCELLED, -1,
	    0, "Cancelled before it started"), 0);
	free(dir);
	ck_assert_int_eq(sl_start_taken_back(&sp, &a, got.v[0], what,
	    sizeof(what)), 1);
	ck_assert_msg(strstr(what, "Cancelled") != NULL, "what: %s", what);
	/* deleted */
	ck_assert_int_eq(sl_rmtree(S("pools/" P "/done/%s.Cancelled", ids[0])),
	    0);
	ck_assert_int_eq(sl_start_taken_back(&sp, &a, got.v[0], what,
	    sizeof(what)), 1);
	ck_assert_msg(strstr(what, "deleted") != NULL, "what: %s", what);
	sl_names_free(&got);
}
END_TEST

/*
 * A dispatcher claims only for an agent that beat within one heartbeat
 * period and one more of margin, and never for one dead on this host; an
 * agent between that and the window keeps what it holds (not gone yet).
 */
START_TEST(test_dispatch_claim_window)
{
	struct sl_config cf;
	struct sl_pass pass;
	struct sl_agent a, d;
	runid	ids[4];
	pid_t	pid;
	int	i, st;

	memset(&cf, 0, sizeof(cf));
	cf.heartbeat = 10;
	cf.missed_heartbeats = 3;
	cf.lease = 30;
	cf.keep_days = 7;
	pool(SL_NOLIMIT);
	for (i = 0; i < 4; i++)
		submit("default", now0 - 10, ids[i]);
	agent_new(&a, SL_NOLIMIT, 0, now0 - 21);	/* late, not gone */
	memset(&pass, 0, sizeof(pass));
	ck_assert_int_eq(sl_dispatch_pool(&sp, &cf, P, now0, 0, &pass), 0);
	ck_assert_int_eq(pass.claimed, 0);
	ck_assert(!sl_agent_gone((struct sl_agent[]){ loaded(&a) }, now0,
	    cf.heartbeat * cf.missed_heartbeats));
	ck_assert_int_eq(sl_agent_beat(&sp, &a, now0 - 20), 0);
	ck_assert_int_eq(sl_dispatch_pool(&sp, &cf, P, now0, 0, &pass), 0);
	ck_assert_int_eq(pass.claimed, 4);
	ck_assert_int_eq(npending(&a), 4);
	/* a fresh beat, but dead here: nothing, and what it holds goes
	 * back in the same (quick) pass */
	pid = child();
	agent_init(&d, SL_NOLIMIT, 0, now0);
	snprintf(d.host, sizeof(d.host), "%s", sl_host());
	d.pid = (long)pid;
	agent_reg(&d);
	ck_assert_int_eq(sl_agent_deregister(&sp, &a), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, 30, LEASE), 4);
	memset(&pass, 0, sizeof(pass));
	ck_assert_int_eq(sl_dispatch_pool(&sp, &cf, P, now0, 0, &pass), 0);
	ck_assert_int_eq(pass.claimed, 4);
	ck_assert_int_eq(npending(&d), 4);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	memset(&pass, 0, sizeof(pass));
	ck_assert_int_eq(sl_dispatch_pool(&sp, &cf, P, now0, 0, &pass), 0);
	ck_assert_int_eq(pass.claimed, 0);
	ck_assert_int_eq(pass.recovered, 4);
	ck_assert_int_eq(npending(&d), 0);
	check_spool(ids, 4, SL_NOLIMIT, -1);
}
END_TEST

static const enum sl_state finals[] = { SL_COMPLETED, SL_FAILED, SL_CRASHED,
	SL_CANCELLED };

/*
 * a listing holds only the head of a long queue (the earliest 256): all of
 * it is claimed in order, and the claim that used it up lists again (once)
 * and takes the rest
 */
START_TEST(test_claim_long_queue_head)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[300], first;
	time_t	t;
	int	i;

	pool(SL_NOLIMIT);
	for (i = 299; i >= 0; i--)	/* later runs submitted first */
		submit("default", now0 - 1000 + i, ids[i]);
	memcpy(first, ids[0], sizeof(first));
	agent_new(&a, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(claim(&a, LONG_MAX, now0, &got), 300);
	/* in order: the earliest first, the 256th is run 255, the last 299 */
	ck_assert_int_eq(sl_token_parse(got.v[0], &t, NULL), 0);
	ck_assert_int_eq(t, now0 - 1000);
	ck_assert_ptr_nonnull(strstr(got.v[0], first));
	ck_assert_int_eq(sl_token_parse(got.v[255], &t, NULL), 0);
	ck_assert_int_eq(t, now0 - 1000 + 255);
	ck_assert_int_eq(sl_token_parse(got.v[299], &t, NULL), 0);
	ck_assert_int_eq(t, now0 - 1000 + 299);
	sl_names_free(&got);
	ck_assert_int_eq(claim(&a, LONG_MAX, now0, &got), 0);
	sl_names_free(&got);
}
END_TEST

/*
 * a name earlier than the head's latest is parsed before it is kept; one
 * later is passed over unparsed.  Junk that sorts before every run (a
 * short name, uppercase hex, a dot file) is never claimed and never
 * pushes a run out of the head
 */
START_TEST(test_claim_head_skips_junk)
{
	static const char *const junk[] = { "0", "00000000",
	    "0000000000000000.0000000000000000.0123ABCD-4567-489a-bcde-f01234567",
	    "0000000000000000.0000000000000000.0123abcd-4567-489a-bcde-f0123456789a0",
	    "0000000000000000.000000000000000G.0123abcd-4567-489a-bcde-f0123456789a",
	    ".claim.x", NULL };
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[300];
	time_t	t;
	int	i;

	pool(SL_NOLIMIT);
	for (i = 299; i >= 0; i--)
		submit("default", now0 - 1000 + i, ids[i]);
	for (i = 0; junk[i] != NULL; i++)
		ck_assert_int_eq(mkdir(S("pools/" P "/queues/default/sched/%s",
		    junk[i]), 0755), 0);
	agent_new(&a, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(claim(&a, LONG_MAX, now0, &got), 300);
	for (i = 0; i < 300; i++) {
		ck_assert_int_eq(sl_token_parse(got.v[i], &t, NULL), 0);
		ck_assert_int_eq(t, now0 - 1000 + i);
		ck_assert_ptr_nonnull(strstr(got.v[i], ids[i]));
	}
	sl_names_free(&got);
	ck_assert_int_eq(claim(&a, LONG_MAX, now0, &got), 0);
	sl_names_free(&got);
	for (i = 0; junk[i] != NULL; i++)
		ck_assert(t_exists(S("pools/" P "/queues/default/sched/%s",
		    junk[i])));
}
END_TEST

/* token_of - the token of Scheduled run id */
static void
token_of(const runid id, char tok[SL_TOKEN_LEN + 1])
{
	struct loc l = locate(id);

	ck_assert_int_eq(l.w, W_SCHED);
	ck_assert_uint_eq(strlen(l.name), SL_TOKEN_LEN);
	memcpy(tok, l.name, SL_TOKEN_LEN + 1);
}

/*
 * Runs put in sched/ itself by a writer from before buckets are claimed
 * with those in buckets, in one order (T, U, id); a claimed flat run
 * leaves sched/ itself.
 */
START_TEST(test_claim_flat_and_buckets)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char	tok[SL_TOKEN_LEN + 1];
	runid	ids[4];
	time_t	t;
	int	i;

	pool(SL_NOLIMIT);
	for (i = 0; i < 4; i++)
		submit("default", now0 - 100 + 20 * i, ids[i]);
	/* runs 1 and 3 as an older writer put them */
	for (i = 1; i < 4; i += 2) {
		token_of(ids[i], tok);
		ck_assert_int_eq(rename(S("pools/" P "/queues/default/sched/"
		    "%.15s/%s", tok, tok), S("pools/" P "/queues/default/"
		    "sched/%s", tok)), 0);
	}
	agent_new(&a, SL_NOLIMIT, 0, now0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
		ck_assert_int_eq(sl_token_parse(got.v[0], &t, NULL), 0);
		ck_assert_int_eq(t, now0 - 100 + 20 * i);
		ck_assert_ptr_nonnull(strstr(got.v[0], ids[i]));
		ck_assert_int_eq(locate(ids[i]).w, W_PENDING);
		sl_names_free(&got);
	}
	ck_assert_int_eq(t_sched_count(S("pools/" P "/queues/default/sched"),
	    0), 0);
}
END_TEST

/*
 * A pass reads sched/ and its buckets only up to the first bucket that
 * can hold nothing it needs: past a run not yet due, a later bucket is
 * not read.  Seen by a token misfiled in a later bucket (due long ago,
 * which no writer would do): a pass that read that bucket would claim it.
 */
START_TEST(test_claim_reads_only_the_head)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char	tok[SL_TOKEN_LEN + 1], id[SL_UUID_LEN + 1];
	runid	due, later;
	time_t	next;
	const char *bd;

	pool(SL_NOLIMIT);
	submit("default", now0 - 50, due);
	submit("default", now0 + 600, later);
	ck_assert_int_eq(sl_uuid(id), 0);
	sl_token_make(tok, now0 - 100, 1, id);
	bd = S("pools/" P "/queues/default/sched/%015llx",
	    (unsigned long long)(now0 + 1200) >> 4);
	ck_assert_int_eq(mkdir(bd, 0755), 0);
	ck_assert_int_eq(mkdir(S("pools/" P "/queues/default/sched/%015llx/%s",
	    (unsigned long long)(now0 + 1200) >> 4, tok), 0755), 0);
	agent_new(&a, SL_NOLIMIT, 0, now0);
	ck_assert_int_eq(sl_claim(&sp, &a, 10, now0, &got, &next, err,
	    sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(got.v[0], due));
	ck_assert_int_eq(next, now0 + 600);
	sl_names_free(&got);
	/* once the later run is due, the bucket after it is read */
	ck_assert_int_eq(sl_claim(&sp, &a, 10, now0 + 600, &got, &next, err,
	    sizeof(err)), 2);
	ck_assert_ptr_nonnull(strstr(got.v[0], id));
	ck_assert_ptr_nonnull(strstr(got.v[1], later));
	sl_names_free(&got);
}
END_TEST

/* a slot held by a finished run (a finisher died before releasing) is
 * freed at once */
START_TEST(test_recover_slot_of_done_run)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char	name[80];
	runid	ids[2];

	pool(2);
	submit("default", now0 - 10, ids[0]);
	submit("default", now0 - 10, ids[1]);
	agent_new(&a, 2, 0, now0);
	ck_assert_int_eq(claim(&a, 2, now0, &got), 2);
	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/done"), 0755), 0);
	snprintf(name, sizeof(name), "%s.%s", ids[0],
	    sl_state_names[finals[_i]]);
	ck_assert_int_eq(rename(S("pools/" P "/pending/%s/%s", a.id, got.v[0]),
	    S("pools/" P "/done/%s", name)), 0);
	ck_assert_int_eq(nslots(ids[0]), 2);
	/* the agent is alive, no lease is over */
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 2);
	ck_assert_int_eq(nslots(ids[0]), 0);
	ck_assert_int_eq(nslots(ids[1]), 2);
	check_spool(ids, 2, 2, 2);
	sl_names_free(&got);
}
END_TEST

/* a slot held by a run back in sched/ (a claimer died between taking its
 * slots and moving the run) is kept for the lease, then freed; so is a
 * slot of a run that is nowhere */
START_TEST(test_recover_slot_of_sched_run)
{
	struct loc l;
	char	agent[SL_UUID_LEN + 1], tok[128];
	runid	ids[1], ghost;
	long	k;

	pool(1);
	submit("default", now0 - 10, ids[0]);
	l = locate(ids[0]);
	ck_assert_int_eq(sl_uuid(agent), 0);
	ck_assert_int_eq(sl_slot_take(&sp, P, "pool", 1, l.name, agent, now0,
	    &k), 0);
	mktoken(tok, sizeof(tok), now0, ghost);
	ck_assert_int_eq(sl_slot_take(&sp, P, "q.default", 1, tok, agent,
	    now0 + 5, &k), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0, WINDOW, LEASE), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + LEASE, WINDOW, LEASE),
	    0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 2);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + LEASE + 1, WINDOW,
	    LEASE), 1);
	ck_assert_int_eq(nslots(ids[0]), 0);
	ck_assert_int_eq(nslots(ghost), 1);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + LEASE + 6, WINDOW,
	    LEASE), 1);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
	ck_assert_int_eq(locate(ids[0]).w, W_SCHED);
	check_spool(ids, 1, 1, -1);
}
END_TEST

/* a slot of a Running run is never freed, however old, whoever claimed
 * it, even with its agent gone */
START_TEST(test_recover_slot_of_running_run)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	runid	ids[2];

	pool(2);
	submit("default", now0 - 10, ids[0]);
	submit("default", now0 - 10, ids[1]);
	agent_new(&a, 2, 0, now0);
	ck_assert_int_eq(claim(&a, 2, now0, &got), 2);
	start(&a, got.v[0]);
	start(&a, got.v[1]);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + 1000 * LEASE, WINDOW,
	    LEASE), 0);
	ck_assert_int_eq(nslots(ids[0]), 2);
	ck_assert_int_eq(nslots(ids[1]), 2);
	/* nor when its agent is no longer registered at all */
	ck_assert_int_eq(sl_agent_deregister(&sp, &a), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + 1000 * LEASE, WINDOW,
	    LEASE), 0);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 4);
	check_spool(ids, 2, 2, 2);
	sl_names_free(&got);
}
END_TEST

/*
 * a slot of a run that crash detection is ending (running/.crash.NAME: the
 * detector may still be waiting for its processes to die) is not freed
 * however old its claim, even with its agent gone: only the detector's
 * end of the run frees it (else a new run could start beside the dying
 * one's processes, over the limit)
 */
START_TEST(test_recover_slot_of_crashing_run)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char   *rd, *priv;
	runid	ids[1];

	pool(1);
	submit("default", now0 - 10, ids[0]);
	agent_new(&a, 1, 0, now0);
	ck_assert_int_eq(claim(&a, 1, now0, &got), 1);
	start(&a, got.v[0]);
	rd = sl_xstrdup(S("pools/" P "/running"));
	priv = sl_flight_name(rd, "crash", now0 + 1, got.v[0]);
	ck_assert_ptr_nonnull(priv);
	ck_assert_int_eq(rename(S("pools/" P "/running/%s", got.v[0]), priv),
	    0);
	ck_assert_int_eq(sl_agent_deregister(&sp, &a), 0);
	ck_assert_int_eq(sl_recover_pool(&sp, P, now0 + 1000 * LEASE, WINDOW,
	    LEASE), 0);
	ck_assert_int_eq(nslots(ids[0]), 2);
	free(priv);
	free(rd);
	sl_names_free(&got);
}
END_TEST

/*
 * Recovery returns a gone agent's Pending run to sched/ and then releases
 * "the slots of run ID": every slot whose entry is named ID.  A live
 * claimer that takes the run again between the two (it is Scheduled again,
 * so any dispatcher may) has just taken new slots under the same name, and
 * recovery releases those too: the run is Pending without its slots, and
 * the pool's limit no longer holds.
 */
static struct sl_agent race_agent;
static long race_claimed;

static int
racing_rename(const char *from, const char *to)
{
	char	e[SL_ERR_MAX];
	int	rc = rename(from, to);

	if (rc == 0 && race_claimed < 0 && strstr(to, "/sched/") != NULL) {
		sl_sys.rename = sl_rename;
		race_claimed = sl_claim(&sp, &race_agent, 1, now0 + WINDOW + 1,
		    NULL, NULL, e, sizeof(e));
		sl_sys.rename = racing_rename;
	}
	return rc;
}

START_TEST(test_recover_race_with_claim)
{
	struct sl_agent a, c;
	runid	ids[3];
	struct locs L;
	long	held;
	int	active;

	pool(2);
	submit("default", now0 - 30, ids[0]);
	agent_new(&a, 1, 0, now0);
	ck_assert_int_eq(claim(&a, 1, now0, NULL), 1);
	agent_new(&race_agent, 1, 0, now0 + WINDOW + 1);
	race_claimed = -1;
	sl_sys.rename = racing_rename;
	(void)sl_recover_pool(&sp, P, now0 + WINDOW + 1, WINDOW, LEASE);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(race_claimed, 1);
	ck_assert_int_eq(locate(ids[0]).w, W_PENDING);
	ck_assert_int_eq(npending(&race_agent), 1);
	held = nslots(ids[0]);
	/* another claimer: the pool's limit of 2 must hold */
	submit("default", now0 - 20, ids[1]);
	submit("default", now0 - 10, ids[2]);
	agent_new(&c, SL_NOLIMIT, 0, now0 + WINDOW + 1);
	(void)claim(&c, 10, now0 + WINDOW + 1, NULL);
	scan(&L);
	active = count_where(&L, W_PENDING) + count_where(&L, W_RUNNING);
	free(L.v);
	ck_assert_msg(held == 2 && active <= 2, "recovery raced a claim of "
	    "the run it returned: the run, Pending for a live agent, holds "
	    "%ld slots (not 2), and then %d runs are Pending with a pool "
	    "limit of 2", held, active);
	check_spool(ids, 3, 2, -1);
}
END_TEST

/* ---- many claimers at once ---- */

#define RACE_RUNS	150
#define RACE_KIDS	6

static int
worker(int k)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char	e[SL_ERR_MAX], *out, line[64];
	runid	id;
	size_t	i;
	long	n, idle = 0;
	FILE   *f;

	memset(&a, 0, sizeof(a));
	if (sl_uuid(a.id) < 0)
		return 2;
	snprintf(a.name, sizeof(a.name), "racer-%d", k);
	snprintf(a.pool, sizeof(a.pool), "%s", P);
	snprintf(a.host, sizeof(a.host), "testhost");
	a.pid = (long)getpid();
	a.limit = 1;
	a.prefetch = 0;
	a.started = time(NULL);
	if (sl_agent_register(&sp, &a, e, sizeof(e)) < 0)
		return 3;
	out = sl_path(root, "out", (char *)NULL);
	snprintf(line, sizeof(line), "%d", k);
	{
		char   *p = sl_path(out, line, (char *)NULL);

		f = fopen(p, "w");
		free(p);
	}
	free(out);
	if (f == NULL)
		return 4;
	for (;;) {
		time_t	now = time(NULL);

		n = sl_claim(&sp, &a, 1, now, &got, NULL, e, sizeof(e));
		if (n < 0)
			return 5;
		for (i = 0; i < got.n; i++) {
			char   *from, *to;

			sl_token_parse(got.v[i], NULL, id);
			from = sl_path(root, "pools", P, "pending", a.id,
			    got.v[i], (char *)NULL);
			to = sl_path(root, "pools", P, "running", got.v[i],
			    (char *)NULL);
			if (sane_rename(from, to) < 0)
				return 6;
			if (sl_run_finish(&sp, P, to, id, SL_COMPLETED, 0, now,
			    NULL) < 0)
				return 7;
			fprintf(f, "%s\n", id);
			free(from);
			free(to);
		}
		sl_names_free(&got);
		if (n == 0) {
			if (t_sched_count(S("pools/" P "/queues/default/sched"),
			    0) <= 0 &&
			    ++idle > 3)
				break;
			usleep(200);
		} else
			idle = 0;
	}
	if (fclose(f) != 0)
		return 8;
	return 0;
}

START_TEST(test_claim_race)
{
	static runid ids[RACE_RUNS];
	pid_t	pid[RACE_KIDS];
	struct locs L;
	long	v, max = 0, amax = 0, samples = 0;
	int	i, k, alive = RACE_KIDS, st, lines = 0;
	char   *text, *s, *nl;

	pool(2);
	for (i = 0; i < RACE_RUNS; i++)
		submit("default", now0 - 10, ids[i]);
	ck_assert_int_eq(sl_mkdirs(S("pools/" P "/running"), 0755), 0);
	t_mkdir(S("out"));
	fflush(stdout);
	fflush(stderr);
	for (k = 0; k < RACE_KIDS; k++) {
		pid[k] = fork();
		ck_assert_int_ge(pid[k], 0);
		if (pid[k] == 0) {
			signal(SIGALRM, SIG_DFL);
			alarm(50);
			_exit(worker(k));
		}
	}
	while (alive > 0) {
		v = sl_slots_held(&sp, P, "pool.");
		if (v > max)
			max = v;
		v = sl_slots_held(&sp, P, "a.");
		if (v > amax)
			amax = v;
		samples++;
		for (k = 0; k < RACE_KIDS; k++) {
			if (pid[k] == 0 || waitpid(pid[k], &st, WNOHANG) != pid[k])
				continue;
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			    "claimer %d: status %#x", k, st);
			pid[k] = 0;
			alive--;
		}
	}
	ck_assert_msg(max <= 2, "%ld pool slots held at once, limit 2", max);
	ck_assert_msg(max >= 1, "the sampler never saw a slot held "
	    "(%ld samples)", samples);
	ck_assert_int_le(amax, RACE_KIDS);
	/* every run ran once, and is in done/ once */
	scan(&L);
	ck_assert_int_eq(L.n, RACE_RUNS);
	ck_assert_int_eq(count_where(&L, W_DONE), RACE_RUNS);
	for (i = 0; i < RACE_RUNS; i++)
		ck_assert_int_eq(count_id(&L, ids[i]), 1);
	free(L.v);
	check_spool(ids, RACE_RUNS, 2, -1);
	for (k = 0; k < RACE_KIDS; k++) {
		char	n[16];

		snprintf(n, sizeof(n), "out/%d", k);
		text = t_read(S("%s", n));
		for (s = text; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
			*nl = '\0';
			for (i = 0; i < RACE_RUNS && strcmp(ids[i], s) != 0; i++)
				;
			ck_assert_msg(i < RACE_RUNS, "a run nobody submitted: %s",
			    s);
			ck_assert_msg(ids[i][0] != '\0', "run %s ran twice", s);
			ids[i][0] = '\0';
			lines++;
		}
		free(text);
	}
	ck_assert_int_eq(lines, RACE_RUNS);
	ck_assert_int_eq(sl_slots_held(&sp, P, NULL), 0);
}
END_TEST

Suite *
suite_claim(void)
{
	Suite  *s = suite_create("claim");
	TCase  *sl = tcase_create("slots");
	TCase  *cl = tcase_create("claims");
	TCase  *cr = tcase_create("crashes");
	TCase  *seam = tcase_create("seam");
	TCase  *rec = tcase_create("recovery");
	TCase  *race = tcase_create("race");
	TCase  *ag = tcase_create("agents");

	tcase_set_timeout(sl, T_CLAIM_TIMEOUT);
	tcase_add_checked_fixture(sl, setup, teardown);
	tcase_add_test(sl, test_slot_take_release);
	tcase_add_test(sl, test_slot_limits_and_errors);
	tcase_add_test(sl, test_slot_empty_dir_is_free);
	tcase_add_test(sl, test_slot_looks_free_asks);
	tcase_add_test(sl, test_slot_take_from_hint);
	tcase_add_test(sl, test_slot_first_free_at_wraps);
	tcase_add_test(sl, test_claim_rotates_and_remembers);
	tcase_add_test(sl, test_claim_freed_hint);
	tcase_add_test(sl, test_slot_take_swept_private);
	tcase_add_test(sl, test_slot_sweep_half_written);
	tcase_add_test(sl, test_slots_held_of_release_run);
	tcase_add_test(sl, test_slots_release_named);
	suite_add_tcase(s, sl);

	tcase_set_timeout(cl, T_CLAIM_TIMEOUT);
	tcase_add_checked_fixture(cl, setup, teardown);
	tcase_add_test(cl, test_claim_basic);
	tcase_add_test(cl, test_claim_self);
	tcase_add_test(cl, test_claim_defer);
	tcase_add_test(cl, test_claim_pack);
	tcase_add_test(cl, test_claim_defer_needs_self);
	tcase_add_test(cl, test_unclaim_scrubs);
	tcase_add_test(cl, test_claim_forgotten);
	tcase_add_test(cl, test_claim_reuse);
	tcase_add_test(cl, test_claim_heads_swept);
	tcase_add_test(cl, test_claim_past_head);
	tcase_add_test(cl, test_claim_gone_drops_listing);
	tcase_add_test(cl, test_claim_order);
	tcase_add_test(cl, test_claim_pool_limit);
	tcase_add_test(cl, test_claim_queue_limit);
	tcase_add_test(cl, test_claim_agent_limit);
	tcase_add_test(cl, test_claim_limit_zero);
	tcase_add_test(cl, test_claim_paused);
	tcase_add_test(cl, test_claim_prefetch);
	tcase_add_test(cl, test_claim_serves);
	tcase_add_test(cl, test_finish);
	suite_add_tcase(s, cl);

	tcase_set_timeout(cr, T_CLAIM_TIMEOUT);
	tcase_add_checked_fixture(cr, setup, teardown);
	tcase_add_test(cr, test_claim_steps);
	tcase_add_test(cr, test_claim_lost_race_lists_again);
	tcase_add_loop_test(cr, test_crash_claim, AT_STEP, AFTER_RENAME + 1);
	tcase_add_loop_test(cr, test_crash_claim_early_recovery, AT_STEP,
	    AFTER_RENAME + 1);
	tcase_add_loop_test(cr, test_crash_finish, 0, 2 * (AFTER_RENAME + 1));
	tcase_add_loop_test(cr, test_claim_verify_lost_slots, 0, 2);
	suite_add_tcase(s, cr);

	tcase_set_timeout(seam, T_CLAIM_TIMEOUT);
	tcase_add_checked_fixture(seam, setup, teardown);
	tcase_add_loop_test(seam, test_seam_claim, 0,
	    (int)(sizeof(lies) / sizeof(lies[0])));
	tcase_add_test(seam, test_seam_finish_recover);
	suite_add_tcase(s, seam);

	tcase_set_timeout(rec, T_CLAIM_TIMEOUT);
	tcase_add_checked_fixture(rec, setup, teardown);
	tcase_add_test(rec, test_recover_gone_agent);
	tcase_add_test(rec, test_recover_gone_agent_deferred);
	tcase_add_test(rec, test_recover_gone_agent_cut_runini);
	tcase_add_test(rec, test_claim_mid_recovery_keeps_other_take);
	tcase_add_test(rec, test_recover_live_agent);
	tcase_add_loop_test(rec, test_recover_torn_heartbeat, 0,
	    (int)(sizeof(torn) / sizeof(torn[0])));
	tcase_add_test(rec, test_recover_no_heartbeat);
	tcase_add_test(rec, test_recover_unregistered);
	tcase_add_loop_test(rec, test_recover_slot_of_done_run, 0,
	    (int)(sizeof(finals) / sizeof(finals[0])));
	tcase_add_test(rec, test_recover_slot_of_sched_run);
	tcase_add_test(rec, test_recover_slot_of_running_run);
	tcase_add_test(rec, test_recover_slot_of_crashing_run);
	tcase_add_test(rec, test_claim_long_queue_head);
	tcase_add_test(rec, test_claim_head_skips_junk);
	tcase_add_test(rec, test_claim_flat_and_buckets);
	tcase_add_test(rec, test_claim_reads_only_the_head);
	tcase_add_test(rec, test_recover_race_with_claim);
	suite_add_tcase(s, rec);

	tcase_set_timeout(ag, T_CLAIM_TIMEOUT);
	tcase_add_checked_fixture(ag, setup, teardown);
	tcase_add_test(ag, test_agent_dead_here);
	tcase_add_test(ag, test_agent_self_alive);
	tcase_add_test(ag, test_agents_sweep);
	tcase_add_test(ag, test_start_taken_back);
	tcase_add_test(ag, test_dispatch_claim_window);
	suite_add_tcase(s, ag);

	tcase_set_timeout(race, T_CLAIM_TIMEOUT);
	tcase_add_checked_fixture(race, setup, teardown);
	tcase_add_test(race, test_claim_race);
	suite_add_tcase(s, race);
	return s;
}
