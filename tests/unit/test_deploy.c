/*
 * test_deploy.c - lib/deploy.c: deployments and their schedules
 * (spool-layout.md, "Deployments and their schedules").
 *
 * Every test gets a fresh spool with pools A and B; deployment D sends
 * its runs to A/default every 1200 s from now0 - 1, so a pass at now0
 * makes exactly the three slots S1 < S2 < S3 (at least 3, at least an
 * hour ahead).  Runs are found by their token's name in sched/ or an
 * agent's pending/, the hex of their slot being its first field.
 *
 * Covered: a deployment is created, read back and updated by versions; a
 * second writer whose rename loses the compare-and-swap starts again from
 * the winner's version, and no reader ever sees a half-written one; a lost
 * rename reply on create and on a version publishes once; the schedule
 * pass makes each slot once, run twice or by two callers at once (the
 * made/T link decides); a lost link reply on the marker (same inode, and
 * as on sshfs, another inode) makes the run once, neither zero nor twice;
 * pause, set-pool and delete take back Scheduled runs and leave Pending
 * ones; a pass holding an older version leaves the newer one's runs and
 * makes none (known by the next version, or by its markers); torn, oversized and hostile deployment files and markers are
 * refused with a reason.
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
#include <unistd.h>

#include "tests.h"

#define D	"D"
#define EVERY	1200

static char *root;
static struct sl_spool sp;
static char err[SL_ERR_MAX];
static time_t now0, S1, S2, S3;

static void
setup(void)
{
	root = t_spool(&sp);
	now0 = time(NULL);
	S1 = now0 - 1 + EVERY;
	S2 = S1 + EVERY;
	S3 = S2 + EVERY;
	ck_assert_msg(sl_pool_create(&sp, "A", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "pool A: %s", err);
	ck_assert_msg(sl_pool_create(&sp, "B", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "pool B: %s", err);
	ck_assert_msg(sl_queue_ensure(&sp, "B", "q2", err, sizeof(err)) == 0,
	    "queue B/q2: %s", err);
}

static void
teardown(void)
{
	sl_sys.rename = sl_rename;
	sl_sys.link = sl_link;
	sl_sys.mkdir = sl_mkdir;
	sl_rmtree(root);
	free(root);
}

/* S - a path under the spool, printf-style (static, 4 live at once) */
static const char *
S(const char *fmt, ...)
{
	static char buf[4][4096];
	static int k;
	char	tail[3000];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", root, tail);
	return buf[k];
}

static const char *mk_command = "echo hello";

/* mk - create deployment name in pool/queue, every EVERY s from now0 - 1,
 * running mk_command */
static void
mk(const char *name, const char *pool, const char *queue)
{
	struct sl_deploy d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	ck_assert_int_eq(sl_uuid(d.id), 0);
	snprintf(d.pool, sizeof(d.pool), "%s", pool);
	snprintf(d.queue, sizeof(d.queue), "%s", queue);
	d.created = now0;
	d.interval = EVERY;
	d.anchor = now0 - 1;
	memcpy(d.tmpl.id, d.id, sizeof(d.id));
	snprintf(d.tmpl.pool, sizeof(d.tmpl.pool), "%s", pool);
	snprintf(d.tmpl.queue, sizeof(d.tmpl.queue), "%s", queue);
	d.tmpl.command = sl_xstrdup(mk_command);
	d.tmpl.scheduled = d.tmpl.created = now0;
	d.tmpl.attempt = 1;
	d.tmpl.deployment = sl_xstrdup(name);
	ck_assert_msg(sl_queue_ensure(&sp, pool, queue, err, sizeof(err)) == 0,
	    "queue: %s", err);
	ck_assert_msg(sl_deploy_update(&sp, name, NULL, NULL, 1, &d, err,
	    sizeof(err)) == 0, "create %s: %s", name, err);
	ck_assert_uint_eq(d.version, 1);
	sl_deploy_free(&d);
}

/* load - the deployment, which must read */
static void
load(const char *name, struct sl_deploy *d)
{
	ck_assert_msg(sl_deploy_load(&sp, name, d, err, sizeof(err)) == 0,
	    "load %s: %s", name, err);
}

/* pass - load D and run a schedule pass at now; the runs it made */
static long
pass(time_t now)
{
	struct sl_deploy d;
	long	n;

	load(D, &d);
	n = sl_deploy_schedule(&sp, &d, now, 7);
	sl_deploy_free(&d);
	return n;
}

/* nsched - Scheduled runs of slot t (0: any) in pool/queue */
static int
nsched(const char *pool, const char *queue, time_t t)
{
	char	pre[32], *v[256];
	size_t	k, i;
	int	n = 0;

	snprintf(pre, sizeof(pre), "%016llx.", (unsigned long long)t);
	k = t_sched_tokens(S("pools/%s/queues/%s/sched", pool, queue), v, 256);
	ck_assert_uint_le(k, 256);
	for (i = 0; i < k; i++) {
		n += t == 0 || strncmp(v[i], pre, strlen(pre)) == 0;
		free(v[i]);
	}
	return n;
}

/* nall - Scheduled runs of slot t in every queue of both pools */
static int
nall(time_t t)
{
	return nsched("A", "default", t) + nsched("B", "default", t) +
	    nsched("B", "q2", t);
}

/* nmarkers - entries of D's made/ (dotfiles too: none may be left) */
static int
nmarkers(int dots)
{
	return t_count(S("deployments/" D "/made"), dots);
}

/* ndots - entries of dir whose name starts with a dot (private ones) */
static int
ndots(const char *dir)
{
	return t_count(dir, 1) - t_count(dir, 0);
}

/* nprivate - private run directories left in pool's tmp/ */
static int
nprivate(const char *pool)
{
	int	n = t_count(S("pools/%s/tmp", pool), 1);

	return n < 0 ? 0 : n;
}

/* check_made - exactly one Scheduled run of each of S1..S3 in pool/queue,
 * none elsewhere, one marker each, nothing private left */
static void
check_made(const char *pool, const char *queue)
{
	const time_t slot[] = { S1, S2, S3 };
	size_t	i;

	for (i = 0; i < 3; i++) {
		ck_assert_msg(nsched(pool, queue, slot[i]) == 1,
		    "slot %zu: %d runs", i + 1, nsched(pool, queue, slot[i]));
		ck_assert_int_eq(nall(slot[i]), 1);
	}
	ck_assert_int_eq(nall(0), 3);
	ck_assert_int_eq(nmarkers(1), 3);
	ck_assert_int_eq(nprivate("A"), 0);
	ck_assert_int_eq(nprivate("B"), 0);
}

/* ---- edits ---- */

static int edits;

static int
edit_pause(struct sl_deploy *d, void *arg, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	edits++;
	if (d->paused == *(int *)arg)
		return 1;	/* nothing to write */
	d->paused = *(int *)arg;
	return 0;
}

static int
edit_refuse(struct sl_deploy *d, void *arg, char *e, size_t elen)
{
	(void)d;
	(void)arg;
	snprintf(e, elen, "refused by the edit");
	return -1;
}

/* edit_command - the template's command becomes arg */
static int
edit_command(struct sl_deploy *d, void *arg, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	edits++;
	free(d->tmpl.command);
	d->tmpl.command = sl_xstrdup(arg);
	return 0;
}

/* edit_pool - set-pool: runs go to arg ("B"), queue q2 */
static int
edit_pool(struct sl_deploy *d, void *arg, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	snprintf(d->pool, sizeof(d->pool), "%s", (char *)arg);
	snprintf(d->queue, sizeof(d->queue), "q2");
	snprintf(d->tmpl.pool, sizeof(d->tmpl.pool), "%s", (char *)arg);
	snprintf(d->tmpl.queue, sizeof(d->tmpl.queue), "q2");
	return 0;
}

static void
update(sl_deploy_edit_fn fn, void *arg, unsigned long want)
{
	struct sl_deploy d;

	memset(&d, 0, sizeof(d));
	ck_assert_msg(sl_deploy_update(&sp, D, fn, arg, 0, &d, err,
	    sizeof(err)) == 0, "update: %s", err);
	ck_assert_uint_eq(d.version, want);
	sl_deploy_free(&d);
}

/* ---- create, read back, update ---- */

/*
 * A deployment reads back as it was written; each change is a new
 * version directory, an edit with nothing to change writes none, a
 * refused edit writes none and says why, and a second create of the
 * same name is refused without touching the first.
 */
START_TEST(test_create_read_update)
{
	struct sl_deploy d, e;
	int	yes = 1;

	mk(D, "A", "default");
	load(D, &d);
	ck_assert_str_eq(d.name, D);
	ck_assert(sl_uuid_ok(d.id));
	ck_assert_str_eq(d.pool, "A");
	ck_assert_str_eq(d.queue, "default");
	ck_assert_int_eq(d.interval, EVERY);
	ck_assert_int_eq(d.anchor, now0 - 1);
	ck_assert_ptr_null(d.cron);
	ck_assert_int_eq(d.paused, 0);
	ck_assert_uint_eq(d.version, 1);
	ck_assert_str_eq(d.tmpl.command, "echo hello");

	/* a second create: refused, the first untouched, nothing left */
	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), D);
	ck_assert_int_eq(sl_uuid(e.id), 0);
	snprintf(e.pool, sizeof(e.pool), "B");
	snprintf(e.queue, sizeof(e.queue), "q2");
	e.tmpl.command = sl_xstrdup("false");
	e.tmpl.attempt = 1;
	ck_assert_int_eq(sl_deploy_update(&sp, D, NULL, NULL, 1, &e, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "Deployment '" D "' already exists.");
	sl_deploy_free(&e);
	ck_assert_int_eq(t_count(S("deployments"), 1), 1);

	edits = 0;
	update(edit_pause, &yes, 2);
	load(D, &e);
	ck_assert_uint_eq(e.version, 2);
	ck_assert_int_eq(e.paused, 1);
	ck_assert_str_eq(e.id, d.id);		/* the same deployment */
	ck_assert_str_eq(e.tmpl.command, "echo hello");
	sl_deploy_free(&e);

	/* nothing to change: no version 3 */
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(sl_deploy_update(&sp, D, edit_pause, &yes, 0, &e,
	    err, sizeof(err)), 0);
	sl_deploy_free(&e);
	ck_assert(!t_exists(S("deployments/" D "/v0000000003")));

	/* refused: no version 3, the edit's reason */
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(sl_deploy_update(&sp, D, edit_refuse, NULL, 0, &e,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "refused by the edit");
	sl_deploy_free(&e);
	ck_assert(!t_exists(S("deployments/" D "/v0000000003")));

	/* v1 and v2, whole; made/; nothing private */
	ck_assert(t_exists(S("deployments/" D "/v0000000001/deployment.ini")));
	ck_assert(t_exists(S("deployments/" D "/v0000000001/run.ini")));
	ck_assert(t_exists(S("deployments/" D "/v0000000002/run.ini")));
	ck_assert_int_eq(t_count(S("deployments/" D), 1), 3);
	ck_assert_int_eq(ndots(S("deployments/" D "/v0000000002")), 0);

	/* one not there */
	ck_assert_int_eq(sl_deploy_load(&sp, "nosuch", &e, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "Deployment 'nosuch' not found.");
	ck_assert_int_eq(sl_deploy_update(&sp, "nosuch", edit_pause, &yes, 0,
	    &e, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "Deployment 'nosuch' not found.");
	sl_deploy_free(&d);
}
END_TEST

/* ---- a second writer: the compare-and-swap ---- */

static int rival_done, peeks;

/*
 * rival_rename - the rename that publishes our version 2: first a rival
 * writer publishes its own version 2, and a reader looks at the
 * deployment while our version is complete but private.
 */
static int
rival_rename(const char *from, const char *to)
{
	struct sl_deploy d;
	const char *base = strrchr(to, '/');

	if (base != NULL && strcmp(base, "/v0000000002") == 0 && !rival_done) {
		rival_done = 1;
		sl_sys.rename = sl_rename;
		/* a reader: version 1, whole; our private one is invisible */
		load(D, &d);
		ck_assert_uint_eq(d.version, 1);
		ck_assert_str_eq(d.tmpl.command, "echo hello");
		sl_deploy_free(&d);
		peeks++;
		update(edit_command, "rival", 2);
		sl_sys.rename = rival_rename;
	}
	return rename(from, to);
}

/*
 * Two writers of version 2: the one whose directory rename comes second
 * fails on the winner's non-empty directory and starts again from it
 * (its edit applied to the winner's version), publishing version 3; the
 * winner's version is intact, no private directory is left, and a reader
 * in between saw version 1 whole.
 */
START_TEST(test_cas_second_writer)
{
	struct sl_deploy d;
	const char *dir = S("deployments/" D);

	mk(D, "A", "default");
	rival_done = peeks = edits = 0;
	sl_sys.rename = rival_rename;
	update(edit_command, "ours", 3);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(peeks, 1);
	/* ours edited twice (v1, then v2 after losing); the rival once */
	ck_assert_int_eq(edits, 3);
	load(D, &d);
	ck_assert_uint_eq(d.version, 3);
	ck_assert_str_eq(d.tmpl.command, "ours");
	sl_deploy_free(&d);
	/* the rival's v2 is whole, its own */
	{
		char   *t = t_read(S("deployments/" D "/v0000000002/run.ini"));

		ck_assert_ptr_nonnull(strstr(t, "rival"));
		ck_assert_ptr_null(strstr(t, "ours"));
		free(t);
	}
	ck_assert_int_eq(t_count(dir, 1), 4);	/* v1 v2 v3 made */
	ck_assert_int_eq(ndots(dir), 0);
}
END_TEST

/* create_rename - before our create's rename, a rival creates D */
static int
create_rename(const char *from, const char *to)
{
	const char *base = strrchr(to, '/');

	if (base != NULL && strcmp(base, "/" D) == 0 && !rival_done) {
		rival_done = 1;
		sl_sys.rename = sl_rename;
		mk(D, "B", "q2");
		sl_sys.rename = create_rename;
	}
	return rename(from, to);
}

/*
 * Two creators of one name: the second's rename fails on the first's
 * directory; it says the deployment exists, leaves the first's intact
 * and nothing of its own behind.
 */
START_TEST(test_cas_second_creator)
{
	struct sl_deploy d;

	rival_done = 0;
	sl_sys.rename = create_rename;
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), D);
	ck_assert_int_eq(sl_uuid(d.id), 0);
	snprintf(d.pool, sizeof(d.pool), "A");
	snprintf(d.queue, sizeof(d.queue), "default");
	d.tmpl.command = sl_xstrdup("echo second");
	d.tmpl.attempt = 1;
	ck_assert_int_eq(sl_deploy_update(&sp, D, NULL, NULL, 1, &d, err,
	    sizeof(err)), -1);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(rival_done, 1);
	ck_assert_str_eq(err, "Deployment '" D "' already exists.");
	sl_deploy_free(&d);
	load(D, &d);
	ck_assert_str_eq(d.pool, "B");
	ck_assert_str_eq(d.tmpl.command, "echo hello");
	sl_deploy_free(&d);
	ck_assert_int_eq(t_count(S("deployments"), 1), 1);
}
END_TEST

/* ---- the sl_sys seam: lost replies ---- */

/*
 * Every rename's reply lost, on create and on an update: each is seen to
 * have been carried out (sane_rename), so create succeeds and the update
 * publishes version 2 once - no version 3 from a needless second try,
 * nothing private left.
 */
START_TEST(test_lost_rename_reply)
{
	struct sl_deploy d;
	const char *dir = S("deployments/" D);

	t_seam_calls = 0;
	sl_sys.rename = t_lost_rename;
	mk(D, "A", "default");
	ck_assert_int_gt(t_seam_calls, 0);
	t_seam_calls = 0;
	update(edit_command, "changed", 2);
	sl_sys.rename = sl_rename;
	ck_assert_int_gt(t_seam_calls, 0);
	load(D, &d);
	ck_assert_uint_eq(d.version, 2);
	ck_assert_str_eq(d.tmpl.command, "changed");
	sl_deploy_free(&d);
	ck_assert(!t_exists(S("deployments/" D "/v0000000003")));
	ck_assert_int_eq(t_count(dir, 1), 3);	/* v1 v2 made */
	ck_assert_int_eq(ndots(S("deployments")), 0);
}
END_TEST

/* lost_link_pass - a schedule pass with every marker link made by fake;
 * each of the 3 slots gets its run once, and a second pass makes none */
static void
lost_link_pass(int (*fake)(const char *, const char *))
{
	mk(D, "A", "default");
	t_seam_calls = 0;
	sl_sys.link = fake;
	ck_assert_int_eq(pass(now0), 3);
	sl_sys.link = sl_link;
	ck_assert_int_eq(t_seam_calls, 3);
	check_made("A", "default");
	ck_assert_int_eq(pass(now0), 0);
	check_made("A", "default");
}

/*
 * The marker's link() is carried out and reports EEXIST, as a
 * retransmitted NFS request answers: sluice looks at what happened and
 * makes every slot's run exactly once - the pass counts them as made, no
 * run is discarded (zero) and none is made again (two), by this pass or
 * the next.
 */
START_TEST(test_lost_link_reply)
{
	lost_link_pass(t_lost_link);
}
END_TEST

/*
 * The same where the two names do not show one inode (sshfs): the
 * marker's writer id says it is ours, and the run is made once.
 */
START_TEST(test_lost_link_reply_other_inode)
{
	lost_link_pass(t_copied_link);
}
END_TEST

/* ---- the schedule pass: each slot once ---- */

/*
 * A pass makes the slots ahead (3 here, all within the hour), each a
 * Scheduled run of the deployment with one marker; a second pass, and a
 * pass by another caller with its own copy of the deployment, make none.
 */
START_TEST(test_schedule_once)
{
	struct sl_deploy a, b;

	mk(D, "A", "default");
	load(D, &a);
	load(D, &b);
	ck_assert_int_eq(sl_deploy_schedule(&sp, &a, now0, 7), 3);
	check_made("A", "default");
	ck_assert_int_eq(sl_deploy_schedule(&sp, &a, now0, 7), 0);
	ck_assert_int_eq(sl_deploy_schedule(&sp, &b, now0, 7), 0);
	check_made("A", "default");
	/* later, one slot further: only the new one */
	ck_assert_int_eq(sl_deploy_schedule(&sp, &b, S1, 7), 1);
	ck_assert_int_eq(nsched("A", "default", S3 + EVERY), 1);
	ck_assert_int_eq(nsched("A", "default", 0), 4);
	sl_deploy_free(&a);
	sl_deploy_free(&b);
}
END_TEST

/*
 * A scheduler that died between its marker and its publication leaves the
 * slot's run in a private tmp/E.ID.U; once that is stale, cleanup
 * publishes it, since the marker names it and no one else will make it.
 * Its run.ini is read by the one loader with the one cap: a template over
 * 64 KiB (a long command) is published too, not removed.
 */
/* s1_run - the token of slot S1's run in A's default queue into name
 * (256), and its directory into from (4096) */
static void
s1_run(char *name, char *from)
{
	char	pre[32], *v[8];
	size_t	k, i;

	snprintf(pre, sizeof(pre), "%016llx.", (unsigned long long)S1);
	name[0] = '\0';
	k = t_sched_tokens(S("pools/A/queues/default/sched"), v, 8);
	ck_assert_uint_le(k, 8);
	for (i = 0; i < k; i++) {
		if (strncmp(v[i], pre, strlen(pre)) == 0)
			snprintf(name, 256, "%s", v[i]);
		free(v[i]);
	}
	ck_assert_str_ne(name, "");
	snprintf(from, 4096, "%s", S("pools/A/queues/default/sched/%.15s/%s",
	    name, name));
}

START_TEST(test_stranded_published)
{
	char	name[256], priv[SL_RUNNAME_MAX], *big;
	char	from[4096];
	struct stat st;
	size_t	n = 100 * 1024;

	big = sl_xmalloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "echo ", 5);
	big[n] = '\0';
	mk_command = big;
	mk(D, "A", "default");
	mk_command = "echo hello";
	ck_assert_int_eq(pass(now0), 3);
	/* S1's run, as its dead maker left it: private, and old */
	s1_run(name, from);
	ck_assert_int_eq(stat(S("%s/run.ini", from + strlen(root) + 1), &st),
	    0);
	ck_assert_int_gt(st.st_size, 64 * 1024);
	sl_private_name(priv, now0 - 3600, name + 34,
	    "00000000-0000-4000-8000-0000000000aa");
	ck_assert_int_eq(sl_mkdirs(S("pools/A/tmp"), 0755), 0);
	ck_assert_int_eq(rename(from, S("pools/A/tmp/%s", priv)), 0);
	ck_assert_int_eq(nsched("A", "default", S1), 0);
	(void)sl_cleanup_pool(&sp, "A", 7, 300, now0, 0);
	ck_assert_int_eq(nsched("A", "default", S1), 1);
	ck_assert(access(from, F_OK) == 0);	/* under its own token */
	ck_assert_int_eq(t_count(S("pools/A/tmp"), 0), 0);
	free(big);
}
END_TEST

/*
 * A copy of a slot's run left by a maker that lost the marker's link and
 * was killed before removing it has the winner's token: once the
 * winner's run has left sched/ (claimed), cleanup must not publish it
 * (the slot would run twice).  run.ini's maker line tells the copies
 * apart; a copy without one (an older binary's) is judged by the token
 * alone, as before.
 */
START_TEST(test_stranded_loser_not_published)
{
	char	name[256], priv[SL_RUNNAME_MAX], *text, *m;
	char	from[4096], *other;

	mk(D, "A", "default");
	ck_assert_int_eq(pass(now0), 3);
	s1_run(name, from);
	text = sl_read_small(from, "run.ini");
	ck_assert_ptr_nonnull(text);
	m = strstr(text, "\n; maker = ");
	ck_assert_ptr_nonnull(m);
	/* the winner's run is claimed: it leaves sched/ */
	ck_assert_int_eq(sl_mkdirs(S("pools/A/pending/ag"), 0755), 0);
	ck_assert_int_eq(rename(from, S("pools/A/pending/ag/%s", name)), 0);
	/* the loser's copy: another maker, old and stranded */
	memcpy(m + 11, "00000000-0000-4000-8000-0000000000bb", 36);
	sl_private_name(priv, now0 - 3600, name + 34,
	    "00000000-0000-4000-8000-0000000000bb");
	ck_assert_int_eq(sl_mkdirs(S("pools/A/tmp/%s", priv), 0755), 0);
	t_puts(S("pools/A/tmp/%s/run.ini", priv), text);
	(void)sl_cleanup_pool(&sp, "A", 7, 300, now0, 0);
	ck_assert_int_eq(nsched("A", "default", S1), 0);
	ck_assert_int_eq(t_count(S("pools/A/tmp"), 0), 0);
	/* a copy with no maker line (an older binary's): by its token */
	other = sl_xmalloc(strlen(text) + 1);
	memcpy(other, text, (size_t)(m + 1 - text));
	strcpy(other + (m + 1 - text), strchr(m + 1, '\n') + 1);
	ck_assert_ptr_null(strstr(other, "maker"));
	ck_assert_int_eq(sl_mkdirs(S("pools/A/tmp/%s", priv), 0755), 0);
	t_puts(S("pools/A/tmp/%s/run.ini", priv), other);
	(void)sl_cleanup_pool(&sp, "A", 7, 300, now0, 0);
	ck_assert_int_eq(nsched("A", "default", S1), 1);
	free(other);
	free(text);
}
END_TEST

static long rival_made;

/* racing_link - before our first marker link, a rival scheduler runs a
 * whole pass: it makes the slot we are making, and every other */
static int
racing_link(const char *from, const char *to)
{
	if (rival_made < 0 && strstr(to, "/made/") != NULL) {
		sl_sys.link = sl_link;
		rival_made = pass(now0);
		sl_sys.link = racing_link;
	}
	return link(from, to);
}

/*
 * Two schedulers at once: the rival makes every slot, including the one
 * we have built privately and are about to link; our link fails, the
 * marker is not ours, and we discard our copy.  Each slot once, nothing
 * private left.
 */
START_TEST(test_schedule_two_callers)
{
	long	ours;

	mk(D, "A", "default");
	rival_made = -1;
	sl_sys.link = racing_link;
	ours = pass(now0);
	sl_sys.link = sl_link;
	ck_assert_int_eq(rival_made, 3);
	ck_assert_int_eq(ours, 0);
	check_made("A", "default");
}
END_TEST

/* ---- pause, set-pool, delete ---- */

/* npending - the agent's Pending runs of slot t */
static int
npending(const struct sl_agent *a, time_t t)
{
	char	pre[32];
	int	n;

	snprintf(pre, sizeof(pre), "%016llx.", (unsigned long long)t);
	n = t_count_prefix(S("pools/A/pending/%s", a->id), pre);
	return n < 0 ? 0 : n;
}

/* claim_first - an agent of A claims the run of S1: it is Pending */
static void
claim_first(struct sl_agent *a)
{
	long	n;

	memset(a, 0, sizeof(*a));
	ck_assert_int_eq(sl_uuid(a->id), 0);
	snprintf(a->name, sizeof(a->name), "agent");
	snprintf(a->pool, sizeof(a->pool), "A");
	snprintf(a->host, sizeof(a->host), "not-this-host");
	a->pid = 1;
	a->limit = SL_NOLIMIT;
	a->started = S1;
	ck_assert_msg(sl_agent_register(&sp, a, err, sizeof(err)) == 0,
	    "register: %s", err);
	ck_assert_int_eq(sl_agent_beat(&sp, a, S1), 0);
	n = sl_claim(&sp, a, 10, S1, NULL, NULL, err, sizeof(err));
	ck_assert_msg(n == 1, "claimed %ld: %s", n, err);
	ck_assert_int_eq(nsched("A", "default", S1), 0);
	ck_assert_int_eq(npending(a, S1), 1);
}

/*
 * Pausing takes back the Scheduled runs (S2, S3) and their markers, and
 * leaves the Pending run of S1 and its marker; resuming makes S2 and S3
 * again, once, and not S1.
 */
START_TEST(test_pause_takes_back)
{
	struct sl_agent a;
	int	yes = 1, no = 0;

	mk(D, "A", "default");
	ck_assert_int_eq(pass(now0), 3);
	claim_first(&a);
	update(edit_pause, &yes, 2);
	ck_assert_int_eq(pass(S1), 0);
	ck_assert_int_eq(nall(0), 0);
	ck_assert_int_eq(npending(&a, S1), 1);
	ck_assert_int_eq(nmarkers(1), 1);	/* S1's: that slot was run */
	ck_assert_int_eq(nprivate("A"), 0);
	update(edit_pause, &no, 3);
	/* at S1: S2, S3 and one more ahead */
	ck_assert_int_eq(pass(S1), 3);
	ck_assert_int_eq(nsched("A", "default", S1), 0);
	ck_assert_int_eq(nsched("A", "default", S2), 1);
	ck_assert_int_eq(nsched("A", "default", S3), 1);
	ck_assert_int_eq(nsched("A", "default", S3 + EVERY), 1);
	ck_assert_int_eq(npending(&a, S1), 1);
	ck_assert_int_eq(pass(S1), 0);
	ck_assert_int_eq(nall(0), 3);
}
END_TEST

/*
 * set-pool (A/default to B/q2), the pass coming after S2 is due: S1,
 * Pending, stays in A; S2, Late and still Scheduled, moves to B at once;
 * S3 and the slots ahead are made in B; nothing is left Scheduled in A,
 * and nothing is made twice.
 */
START_TEST(test_set_pool_moves)
{
	struct sl_agent a;
	time_t	at = S2 + 1;

	mk(D, "A", "default");
	ck_assert_int_eq(pass(now0), 3);
	claim_first(&a);
	update(edit_pool, "B", 2);
	(void)pass(at);
	ck_assert_int_eq(nsched("A", "default", 0), 0);
	ck_assert_int_eq(npending(&a, S1), 1);
	ck_assert_int_eq(nsched("B", "q2", S1), 0);
	ck_assert_int_eq(nsched("B", "q2", S2), 1);
	ck_assert_int_eq(nsched("B", "q2", S3), 1);
	ck_assert_int_eq(nsched("B", "q2", S3 + EVERY), 1);
	ck_assert_int_eq(nsched("B", "q2", S3 + 2 * EVERY), 1);
	ck_assert_int_eq(nsched("B", "q2", 0), 4);
	ck_assert_int_eq(nprivate("A"), 0);
	ck_assert_int_eq(nprivate("B"), 0);
	/* again: nothing moves or is made */
	ck_assert_int_eq(pass(at), 0);
	ck_assert_int_eq(nsched("B", "q2", 0), 4);
	ck_assert_int_eq(npending(&a, S1), 1);
}
END_TEST

/*
 * Delete takes back the Scheduled runs, leaves the Pending one, and
 * removes the deployment; a scheduler still holding it makes nothing.
 */
START_TEST(test_delete_takes_back)
{
	struct sl_agent a;
	struct sl_deploy d;

	mk(D, "A", "default");
	ck_assert_int_eq(pass(now0), 3);
	claim_first(&a);
	load(D, &d);
	ck_assert_msg(sl_deploy_delete(&sp, D, err, sizeof(err)) == 0,
	    "delete: %s", err);
	ck_assert_int_eq(nall(0), 0);
	ck_assert_int_eq(npending(&a, S1), 1);
	ck_assert(!t_exists(S("deployments/" D)));
	ck_assert_int_eq(t_count(S("deployments"), 1), 0);
	ck_assert_int_eq(sl_deploy_schedule(&sp, &d, now0, 7), 0);
	ck_assert_int_eq(nall(0), 0);
	sl_deploy_free(&d);
	ck_assert_int_eq(sl_deploy_load(&sp, D, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(sl_deploy_delete(&sp, D, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "Deployment '" D "' not found.");
}
END_TEST

/*
 * A scheduler holding an older version (loaded before a set-pool; a
 * dispatcher's pass that overlaps the command) runs its pass after the
 * newer version's: it must neither take back the newer version's runs
 * nor make its own in the old pool, nor make any once it is paused.
 */
START_TEST(test_stale_pass_keeps_newer_version)
{
	struct sl_deploy old;
	int	yes = 1;

	mk(D, "A", "default");
	ck_assert_int_eq(pass(now0), 3);
	load(D, &old);
	update(edit_pool, "B", 2);
	ck_assert_int_eq(pass(now0), 3);
	ck_assert_int_eq(nsched("A", "default", 0), 0);
	ck_assert_int_eq(nsched("B", "q2", 0), 3);
	ck_assert_int_eq(sl_deploy_schedule(&sp, &old, now0, 7), 0);
	sl_deploy_free(&old);
	ck_assert_int_eq(nsched("A", "default", 0), 0);
	ck_assert_int_eq(nsched("B", "q2", 0), 3);
	ck_assert_int_eq(nmarkers(1), 3);

	/* the same with pause, which leaves no marker to tell: none made */
	load(D, &old);
	update(edit_pause, &yes, 3);
	ck_assert_int_eq(pass(now0), 0);
	ck_assert_int_eq(nall(0), 0);
	ck_assert_int_eq(sl_deploy_schedule(&sp, &old, now0, 7), 0);
	sl_deploy_free(&old);
	ck_assert_int_eq(nall(0), 0);
	ck_assert_int_eq(nmarkers(1), 0);
}
END_TEST

/*
 * The pass that learns of a newer version only from its markers (the
 * version after its own unreadable, so the first check misses it): it
 * leaves the newer version's runs, and makes none of its own.
 */
START_TEST(test_stale_pass_by_marker)
{
	struct sl_deploy old;
	char   *torn;

	mk(D, "A", "default");
	load(D, &old);
	torn = t_read(S("deployments/" D "/v0000000001/deployment.ini"));
	torn[strlen(torn) / 2] = '\0';
	t_mkdir(S("deployments/" D "/v0000000002"));
	t_puts(S("deployments/" D "/v0000000002/deployment.ini"), torn);
	free(torn);
	update(edit_pool, "B", 3);
	ck_assert_int_eq(pass(now0), 3);
	ck_assert_int_eq(sl_deploy_schedule(&sp, &old, now0, 7), 0);
	sl_deploy_free(&old);
	ck_assert_int_eq(nsched("A", "default", 0), 0);
	ck_assert_int_eq(nsched("B", "q2", 0), 3);
	ck_assert_int_eq(nmarkers(1), 3);
}
END_TEST

/* ---- hostile input ---- */

/* refused - loading D fails, and err contains why */
static void
refused(const char *why)
{
	struct sl_deploy d;

	ck_assert_int_eq(sl_deploy_load(&sp, D, &d, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "Deployment '" D "' cannot be read") != NULL &&
	    strstr(err, why) != NULL, "want '%s' in: %s", why, err);
}

/* big - a file of n bytes of x */
static void
big(const char *path, size_t n)
{
	char   *s = malloc(n);

	ck_assert_ptr_nonnull(s);
	memset(s, 'x', n);
	t_write(path, s, n);
	free(s);
}

/*
 * A deployment whose only version is torn (no trailer), over the size
 * cap, binary, or names no pool, or whose template is over its cap, is
 * refused with the reason; a torn newer version over a whole one reads
 * as the whole one; and a pass over the pool skips what it cannot read.
 */
START_TEST(test_hostile_deployment)
{
	const char *ini = S("deployments/" D "/v0000000001/deployment.ini");
	const char *run = S("deployments/" D "/v0000000001/run.ini");
	char   *good, *cut, *bad;
	struct sl_deploy d;

	mk(D, "A", "default");
	good = t_read(ini);

	/* torn: cut in the middle */
	cut = sl_xstrdup(good);
	cut[strlen(cut) / 2] = '\0';
	t_puts(ini, cut);
	refused("is incomplete");
	/* over the 1 MiB cap */
	big(ini, SL_INI_MAX + 1);
	refused("larger than 1 MiB");
	/* binary */
	t_write(ini, "\0\377\0\n", 4);
	refused("");
	/* whole, but naming a pool that cannot be one */
	bad = sl_xstrdup(good);
	{
		char   *p = strstr(bad, "pool = A\n");

		ck_assert_ptr_nonnull(p);
		memcpy(p, "pool = /", 8);
	}
	t_puts(ini, bad);
	refused("incomplete");
	/* the template over its cap */
	t_puts(ini, good);
	big(run, 2 * SL_INI_MAX + 1);
	refused("run.ini");
	ck_assert_int_eq(sl_deploy_schedule_pool(&sp, "A", now0, 7), 0);
	ck_assert_int_eq(nall(0), 0);

	/* a torn version 2 over a whole version 1: version 1 */
	sl_rmtree(S("deployments/" D));
	mk(D, "A", "default");
	t_mkdir(S("deployments/" D "/v0000000002"));
	t_puts(S("deployments/" D "/v0000000002/deployment.ini"), cut);
	load(D, &d);
	ck_assert_uint_eq(d.version, 1);
	sl_deploy_free(&d);
	ck_assert_int_eq(sl_deploy_schedule_pool(&sp, "A", now0, 7), 3);
	check_made("A", "default");
	free(good);
	free(cut);
	free(bad);
}
END_TEST

/*
 * Markers that are torn, oversized, or name a pool or token out of the
 * spool are ignored by a pass that takes back (a paused deployment): it
 * neither crashes nor removes anything outside the deployment's runs.
 */
START_TEST(test_hostile_markers)
{
	const char *md = S("deployments/" D "/made");
	char	name[4096], body[512], *good;
	int	yes = 1;

	mk(D, "A", "default");
	ck_assert_int_eq(pass(now0), 3);
	/* a victim outside the spool's runs */
	t_mkdir(S("victim"));
	t_puts(S("victim/keep"), "keep");
	snprintf(name, sizeof(name), "%s/%lld", md, (long long)(S3 + EVERY));
	t_puts(name, "version = 1\npool = A\nqueue = def");	/* torn */
	snprintf(name, sizeof(name), "%s/%lld", md, (long long)(S3 + 2 * EVERY));
	big(name, 8192);
	snprintf(name, sizeof(name), "%s/%lld", md, (long long)(S3 + 3 * EVERY));
	snprintf(body, sizeof(body), "version = 1\npool = ../..\nqueue = victim"
	    "\ntoken = %016llx.%016llx.../../victim\n", (unsigned long long)S3,
	    (unsigned long long)S3);
	t_puts(name, body);
	snprintf(name, sizeof(name), "%s/not-a-slot", md);
	t_puts(name, "junk");
	update(edit_pause, &yes, 2);
	ck_assert_int_eq(pass(now0), 0);
	ck_assert_int_eq(nall(0), 0);		/* the real runs: taken back */
	good = t_read(S("victim/keep"));
	ck_assert_str_eq(good, "keep");
	free(good);
	ck_assert_int_eq(nmarkers(0), 4);	/* the hostile ones stay */
}
END_TEST

Suite *
suite_deploy(void)
{
	Suite  *s = suite_create("deploy");
	TCase  *tc = tcase_create("versions");
	TCase  *sch = tcase_create("schedule");
	TCase  *bad = tcase_create("hostile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_create_read_update);
	tcase_add_test(tc, test_cas_second_writer);
	tcase_add_test(tc, test_cas_second_creator);
	tcase_add_test(tc, test_lost_rename_reply);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(sch, setup, teardown);
	tcase_set_timeout(sch, T_TIMEOUT);
	tcase_add_test(sch, test_schedule_once);
	tcase_add_test(sch, test_stranded_published);
	tcase_add_test(sch, test_stranded_loser_not_published);
	tcase_add_test(sch, test_schedule_two_callers);
	tcase_add_test(sch, test_lost_link_reply);
	tcase_add_test(sch, test_lost_link_reply_other_inode);
	tcase_add_test(sch, test_pause_takes_back);
	tcase_add_test(sch, test_set_pool_moves);
	tcase_add_test(sch, test_delete_takes_back);
	tcase_add_test(sch, test_stale_pass_keeps_newer_version);
	tcase_add_test(sch, test_stale_pass_by_marker);
	suite_add_tcase(s, sch);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_set_timeout(bad, T_TIMEOUT);
	tcase_add_test(bad, test_hostile_deployment);
	tcase_add_test(bad, test_hostile_markers);
	suite_add_tcase(s, bad);
	return s;
}
