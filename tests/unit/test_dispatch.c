/*
 * test_dispatch.c - lib/dispatch.c: the upkeep pass (sl_maintain_pool)
 * and a whole pass (sl_dispatch_pool).
 *
 * Every test gets a fresh spool with pool P (queue default); agents are
 * registered with sl_agent_register on a host name that is not this one,
 * so only their beats say whether they live.  Covered: a quick upkeep
 * pass accepts a drop and recovers nothing; a full one hands back the
 * claim of an agent gone offline; a pass shares a backlog between two
 * live agents, one run each in turn; and it claims nothing for an agent
 * that is online but late (its beat older than two heartbeats).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

#define P	"P"

static char *root;
static struct sl_spool sp;
static struct sl_config cf;
static char err[SL_ERR_MAX];
static time_t now0;

static void
setup(void)
{
	root = t_spool(&sp);
	memset(&cf, 0, sizeof(cf));
	cf.heartbeat = 10;
	cf.missed_heartbeats = 3;	/* offline after 30 s */
	cf.lease = 30;
	cf.cancel_grace = 30;
	cf.keep_days = 7;
	cf.poll_seconds = 10;
	now0 = time(NULL);
	ck_assert_msg(sl_pool_create(&sp, P, 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "pool: %s", err);
}

static void
teardown(void)
{
	sl_rmtree(root);
	free(root);
}

/* in - a path under pool P, made of parts (static, 2 live at once) */
static const char *
in(const char *a, const char *b)
{
	static char buf[2][4096];
	static int k;

	k = (k + 1) % 2;
	snprintf(buf[k], sizeof(buf[k]), "%s/pools/" P "/%s%s%s", root, a,
	    b != NULL ? "/" : "", b != NULL ? b : "");
	return buf[k];
}

static void
submit_at(time_t when)
{
	struct sl_runspec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "%s", P);
	snprintf(r.queue, sizeof(r.queue), "default");
	r.command = sl_xstrdup("true");
	r.scheduled = when;
	ck_assert_msg(sl_run_submit(&sp, &r, err, sizeof(err)) == 0,
	    "submit: %s", err);
	sl_runspec_free(&r);
}

static void
submit(void)
{
	submit_at(now0 - 1);
}

/* agent - register an agent of P, last beat at beat */
static void
agent(struct sl_agent *a, const char *name, time_t beat)
{
	memset(a, 0, sizeof(*a));
	ck_assert_int_eq(sl_uuid(a->id), 0);
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->pool, sizeof(a->pool), "%s", P);
	snprintf(a->host, sizeof(a->host), "not-this-host");
	a->pid = 1;
	a->limit = SL_NOLIMIT;
	a->prefetch = 10;
	a->started = beat;
	ck_assert_msg(sl_agent_register(&sp, a, err, sizeof(err)) == 0,
	    "register: %s", err);
	ck_assert_int_eq(sl_agent_beat(&sp, a, beat), 0);
}

static int
pending(const struct sl_agent *a)
{
	int	n = t_count(in("pending", a->id), 0);

	return n < 0 ? 0 : n;
}

START_TEST(test_maintain_quick_and_full)
{
	struct sl_pass pass = { 0 };
	struct sl_names got = { 0 };
	struct sl_agent a;

	/* quick: the drop is accepted, nothing else happens */
	t_puts(in("queues/default/new", "d1"), "[run]\ncommand = true\n");
	sl_maintain_pool(&sp, &cf, P, now0, 0, &pass);
	ck_assert_int_eq(pass.accepted, 1);
	ck_assert_int_eq(pass.recovered, 0);
	ck_assert_int_eq(t_sched_count(in("queues/default/sched", NULL), 0), 1);
	ck_assert_int_eq(t_count(in("queues/default/new", NULL), 0), 0);

	/* an agent claims it, then stops beating */
	agent(&a, "gone", now0);
	ck_assert_int_eq(sl_claim(&sp, &a, 1, now0, &got, NULL, err,
	    sizeof(err)), 1);
	sl_names_free(&got);
	ck_assert_int_eq(pending(&a), 1);
	/* quick passes never recover, whatever the time */
	sl_maintain_pool(&sp, &cf, P, now0 + 1000, 0, &pass);
	ck_assert_int_eq(pass.recovered, 0);
	ck_assert_int_eq(pending(&a), 1);
	/* a full pass within the window leaves the claim alone */
	sl_maintain_pool(&sp, &cf, P, now0 + sl_offline_after(&cf), 1, &pass);
	ck_assert_int_eq(pass.recovered, 0);
	ck_assert_int_eq(pending(&a), 1);
	/* past it, the claim goes back to sched/ */
	sl_maintain_pool(&sp, &cf, P, now0 + 1000, 1, &pass);
	ck_assert_int_ge(pass.recovered, 1);
	ck_assert_int_eq(pending(&a), 0);
	ck_assert_int_eq(t_sched_count(in("queues/default/sched", NULL), 0), 1);
}
END_TEST

START_TEST(test_dispatch_shares_backlog)
{
	struct sl_pass pass = { 0 };
	struct sl_agent a, b;
	int	i;

	agent(&a, "one", now0);
	agent(&b, "two", now0);
	for (i = 0; i < 4; i++)
		submit();
	ck_assert_int_eq(sl_dispatch_pool(&sp, &cf, P, now0, 1, &pass), 0);
	ck_assert_int_eq(pass.claimed, 4);
	ck_assert_int_eq(pending(&a), 2);
	ck_assert_int_eq(pending(&b), 2);
	ck_assert_int_eq(t_sched_count(in("queues/default/sched", NULL), 0), 0);
}
END_TEST

START_TEST(test_dispatch_skips_late_agent)
{
	struct sl_pass pass = { 0 };
	struct sl_agent late, live;

	/* online (beat 25 s ago, window 30 s), but later than two
	 * heartbeats (20 s): a claim for it could starve the pool */
	agent(&late, "late", now0 - 25);
	agent(&live, "live", now0);
	submit();
	submit();
	ck_assert_int_eq(sl_dispatch_pool(&sp, &cf, P, now0, 0, &pass), 0);
	ck_assert_int_eq(pass.claimed, 2);
	ck_assert_int_eq(pending(&late), 0);
	ck_assert_int_eq(pending(&live), 2);
}
END_TEST

/*
 * a full pass recovers at most once a heartbeat per pool (it says so by
 * returning 1); one within a heartbeat of the last leaves a gone agent's
 * claim for the next; quick passes never recover
 */
START_TEST(test_maintain_recovers_once_a_heartbeat)
{
	struct sl_pass pass = { 0 };
	struct sl_names got = { 0 };
	struct sl_agent a;
	time_t	t0 = now0 + sl_offline_after(&cf) + 1;

	agent(&a, "gone", now0);
	submit();
	ck_assert_int_eq(sl_claim(&sp, &a, 1, now0, &got, NULL, err,
	    sizeof(err)), 1);
	sl_names_free(&got);
	/* the process's first full pass recovers (nothing is gone yet) */
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, now0, 1, &pass), 1);
	ck_assert_int_eq(pending(&a), 1);
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, t0, 0, &pass), 0);
	ck_assert_int_eq(pending(&a), 1);
	/* past the window and a heartbeat after the last: recovers; the
	 * full passes in the next heartbeat do not */
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, t0, 1, &pass), 1);
	ck_assert_int_eq(pending(&a), 0);
	submit();
	ck_assert_int_eq(sl_claim(&sp, &a, 1, t0, &got, NULL, err,
	    sizeof(err)), 1);
	sl_names_free(&got);
	ck_assert_int_eq(pending(&a), 1);
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, t0 + 1, 1, &pass), 0);
	/* such a pass still accepts what was dropped (it lists the drop
	 * boxes) */
	pass.accepted = 0;
	t_puts(in("queues/default/new", "d2"), "[run]\ncommand = true\n");
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, t0 + cf.heartbeat - 1,
	    1, &pass), 0);
	ck_assert_int_eq(pass.accepted, 1);
	ck_assert_int_eq(t_count(in("queues/default/new", NULL), 0), 0);
	ck_assert_int_eq(pending(&a), 1);
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, t0 + cf.heartbeat, 1,
	    &pass), 1);
	ck_assert_int_eq(pending(&a), 0);
	/* a clock stepped back: now, and count from there */
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, t0, 1, &pass), 1);
}
END_TEST

/*
 * the once-a-heartbeat memory is of a pool's directory, not its name: a
 * second spool's pool of the same name, in the same process, recovers
 * in its own first full pass
 */
START_TEST(test_maintain_rate_per_spool)
{
	struct sl_pass pass = { 0 };
	struct sl_spool sp2;
	char   *root2 = t_spool(&sp2);

	ck_assert_msg(sl_pool_create(&sp2, P, 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "pool: %s", err);
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, now0, 1, &pass), 1);
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, now0 + 1, 1, &pass), 0);
	ck_assert_int_eq(sl_maintain_pool(&sp2, &cf, P, now0 + 1, 1, &pass),
	    1);
	ck_assert_int_eq(sl_maintain_pool(&sp2, &cf, P, now0 + 2, 1, &pass),
	    0);
	ck_assert_int_eq(sl_maintain_pool(&sp, &cf, P, now0 + cf.heartbeat, 1,
	    &pass), 1);
	sl_rmtree(root2);
	free(root2);	/* sp2.root */
}
END_TEST

/* old_done - a run done/ID.Completed in P that ended 30 days ago */
static const char *
old_done(const char *id)
{
	static char d[4096];
	char	t[40], f[4200], b[200];

	snprintf(d, sizeof(d), "%s/pools/" P "/done/%s.Completed", root, id);
	ck_assert_int_eq(sl_mkdirs(d, 0755), 0);
	snprintf(f, sizeof(f), "%s/run.ini", d);
	t_puts(f, "[run]\ncommand = true\n" SL_INI_TRAILER);
	snprintf(f, sizeof(f), "%s/result.ini", d);
	snprintf(b, sizeof(b), "[result]\nstate = Completed\nended = %s\n%s",
	    sl_time_fmt(now0 - 30 * 86400, t, sizeof(t)), SL_INI_TRAILER);
	t_puts(f, b);
	return d;
}

/*
 * a long-running process sweeps a pool's finished runs in its first full
 * pass, then at most every 600 s (each sweep reads every finished run);
 * quick passes never do
 */
START_TEST(test_maintain_sweeps_done_seldom)
{
	struct sl_pass pass;
	char	a[4096];

	memset(&pass, 0, sizeof(pass));
	snprintf(a, sizeof(a), "%s",
	    old_done("00000000-0000-4000-8000-00000000000a"));
	sl_maintain_pool(&sp, &cf, P, now0, 0, &pass);
	ck_assert_msg(t_exists(a), "a quick pass swept");
	sl_maintain_pool(&sp, &cf, P, now0, 1, &pass);
	ck_assert_msg(!t_exists(a), "the first full pass did not sweep");
	snprintf(a, sizeof(a), "%s",
	    old_done("00000000-0000-4000-8000-00000000000b"));
	sl_maintain_pool(&sp, &cf, P, now0 + 599, 1, &pass);
	ck_assert_msg(t_exists(a), "swept again within 600 s");
	/* sweeps are made by passes that recover, a heartbeat apart */
	sl_maintain_pool(&sp, &cf, P, now0 + 599 + cf.heartbeat, 1, &pass);
	ck_assert_msg(!t_exists(a), "not swept after 600 s");
	/* a clock stepped back: sweep, and count from there */
	snprintf(a, sizeof(a), "%s",
	    old_done("00000000-0000-4000-8000-00000000000c"));
	sl_maintain_pool(&sp, &cf, P, now0 - 5, 1, &pass);
	ck_assert_msg(!t_exists(a), "not swept after a step back");
}
END_TEST

/*
 * sl_watch_fd: bytes on the extra descriptor (a supervisor's word that its
 * run ended) wake sl_watch_wait at once, with or without inotify watches,
 * and are left there for the caller to read; with nothing to read, the
 * wait times out.  Such a wake-up says nothing of the spool's directories
 * (sl_watch_seen SL_SEEN_FD only); before any wait, everything may have
 * changed.
 */
START_TEST(test_watch_extra_fd)
{
	char	c[4];
	int	p[2];

	ck_assert_uint_eq(sl_watch_seen(), SL_SEEN_ALL);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	sl_watch_fd(p[0]);
	ck_assert_int_eq(sl_watch_wait(1), 0);
	ck_assert_int_eq(write(p[1], "ee", 2), 2);
	ck_assert_int_eq(sl_watch_wait(3600), 1);	/* not an hour */
	ck_assert_int_eq(read(p[0], c, sizeof(c)), 2);
	ck_assert_int_eq(read(p[0], c, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sl_watch_pool(&sp, "P", 1), 0);
	ck_assert_int_eq(write(p[1], "e", 1), 1);
	ck_assert_int_eq(sl_watch_wait(3600), 1);
	ck_assert_uint_eq(sl_watch_seen(), SL_SEEN_FD);
	ck_assert_int_eq(read(p[0], c, sizeof(c)), 1);
	ck_assert_int_eq(read(p[0], c, 1), -1);
	sl_watch_fd(-1);
	sl_watch_close();
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * The watch wakes for what may be new work or a freed limit, and lets the
 * rest of its own and others' traffic go by (lib/dispatch.c, "Not every
 * event is worth a pass").  Each step makes one change and waits 1 s.
 */
static int
change_then_wait(const char *what, int (*fn)(void))
{
	ck_assert_msg(fn() == 0, "%s: %s", what, strerror(errno));
	return sl_watch_wait(1);
}

/* change_then_queued - make one change: the bytes of events it queued
 * (none: the kernel was not asked for them, and no wake-up reads them) */
static long
change_then_queued(const char *what, int (*fn)(void))
{
	long	n;

	ck_assert_int_eq(sl_watch_queued(), 0);
	ck_assert_msg(fn() == 0, "%s: %s", what, strerror(errno));
	n = sl_watch_queued();
	ck_assert_int_ge(n, 0);
	(void)sl_watch_wait(1);		/* read, whatever it was */
	return n;
}

static char agent_self[SL_UUID_LEN + 1], agent_other[SL_UUID_LEN + 1];
static char own_token[SL_RUNNAME_MAX], other_token[SL_RUNNAME_MAX];

static int
ch_running(void)
{
	t_write(in("running", "x.1"), "x", 1);
	return 0;
}

static int
ch_done(void)
{
	t_write(in("done", "x.1.Completed"), "x", 1);
	return 0;
}

static int
ch_other_pending(void)
{
	char	p[256];

	snprintf(p, sizeof(p), "%s/%s", agent_other, own_token);
	return mkdir(in("pending", p), 0755);
}

static int
ch_slot_taken(void)
{
	return mkdir(in("slots", "pool.0"), 0755);
}

static int
ch_slot_freed(void)
{
	return rmdir(in("slots", "pool.0"));
}

/* our own agent slot taken and freed: its supervisor's word says so */
static char own_slot[64];

static int
ch_own_slot_taken(void)
{
	snprintf(own_slot, sizeof(own_slot), "a.%s.0", agent_self);
	return mkdir(in("slots", own_slot), 0755);
}

static int
ch_own_slot_freed(void)
{
	return rmdir(in("slots", own_slot));
}

static int
move_in(const char *name)
{
	char	p[256];

	ck_assert_int_eq(mkdir(in("tmp", name), 0755), 0);
	snprintf(p, sizeof(p), "%s/%s", agent_self, name);
	return rename(in("tmp", name), in("pending", p));
}

static int
ch_own_claim(void)
{
	sl_watch_own(own_token);
	return move_in(own_token);
}

static int
ch_private(void)
{
	return move_in(".claim.x");
}

static int
ch_their_claim(void)
{
	return move_in(other_token);
}

static int
ch_drop(void)
{
	t_write(in("queues", "default/new/job.ini"), "x", 1);
	return 0;
}

static int
ch_submit(void)
{
	submit();
	return 0;
}

static int
ch_run_taken(void)
{
	char   *names[2], *from;
	size_t	n;
	int	rc;

	n = t_sched_tokens(in("queues", "default/sched"), names, 2);
	ck_assert_uint_eq(n, 1);
	from = t_sched_at(in("queues", "default/sched"), names[0]);
	ck_assert_ptr_nonnull(from);
	rc = rename(from, in("tmp", names[0]));
	free(from);
	free(names[0]);
	return rc;
}

START_TEST(test_watch_filter)
{
	char	id[SL_UUID_LEN + 1];

	ck_assert_int_eq(sl_uuid(agent_self), 0);
	ck_assert_int_eq(sl_uuid(agent_other), 0);
	ck_assert_int_eq(sl_uuid(id), 0);
	snprintf(own_token, sizeof(own_token), "%016llx.%016llx.%s",
	    (unsigned long long)now0, 1ULL, id);
	ck_assert_int_eq(sl_uuid(id), 0);
	snprintf(other_token, sizeof(other_token), "%016llx.%016llx.%s",
	    (unsigned long long)now0, 2ULL, id);
	ck_assert_int_eq(sl_mkdirs(in("pending", agent_self), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("pending", agent_other), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("running", NULL), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("done", NULL), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("slots", NULL), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("tmp", NULL), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("queues", "default/sched"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("queues", "default/new"), 0755), 0);
	sl_watch_self(agent_self);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 1), 0);
	ck_assert_int_eq(sl_watch_wait(1), 0);		/* quiet */
	ck_assert_uint_eq(sl_watch_seen(), 0);
	/* never worth a pass: not even queued (a wake-up is two calls) */
	ck_assert_int_eq(change_then_queued("running", ch_running), 0);
	ck_assert_int_eq(change_then_queued("done", ch_done), 0);
	ck_assert_int_eq(change_then_queued("pending/other",
	    ch_other_pending), 0);
	ck_assert_int_eq(change_then_queued("slot taken", ch_slot_taken), 0);
	ck_assert_int_eq(change_then_queued("slot freed", ch_slot_freed), 16 +
	    16);	/* "pool.0", padded */
	ck_assert_int_eq(change_then_queued("slot taken", ch_slot_taken), 0);
	ck_assert_int_eq(change_then_wait("slot freed", ch_slot_freed), 1);
	ck_assert_uint_eq(sl_watch_seen(), 0);	/* no drop, not ours */
	ck_assert_int_eq(change_then_wait("own slot taken",
	    ch_own_slot_taken), 0);
	ck_assert_int_eq(change_then_wait("own slot freed",
	    ch_own_slot_freed), 0);
	ck_assert_int_eq(change_then_wait("own claim", ch_own_claim), 0);
	ck_assert_int_eq(change_then_wait("private name", ch_private), 0);
	ck_assert_int_eq(change_then_wait("their claim", ch_their_claim), 1);
	ck_assert_uint_eq(sl_watch_seen(), SL_SEEN_MINE);
	ck_assert_int_eq(change_then_wait("drop", ch_drop), 1);
	ck_assert(sl_watch_seen() & SL_SEEN_DROP);
	ck_assert(!(sl_watch_seen() & SL_SEEN_MINE));
	ck_assert_int_eq(change_then_wait("submit", ch_submit), 1);
	ck_assert(sl_watch_seen() & SL_SEEN_SCHED);	/* no reuse */
	ck_assert_uint_eq(sl_pass_claim_flags(0, 0, 0), SL_CLAIM_NEWPASS);
	ck_assert_int_eq(change_then_wait("run taken", ch_run_taken), 0);
	ck_assert(!(sl_watch_seen() & SL_SEEN_SCHED));
	/* a quick pass reuses, unless full, deep, or it put runs itself */
	ck_assert_uint_eq(sl_pass_claim_flags(0, 0, 0), SL_CLAIM_NEWPASS |
	    SL_CLAIM_REUSE);
	ck_assert_uint_eq(sl_pass_claim_flags(1, 0, 0), SL_CLAIM_NEWPASS);
	ck_assert_uint_eq(sl_pass_claim_flags(0, 1, 0), SL_CLAIM_NEWPASS);
	ck_assert_uint_eq(sl_pass_claim_flags(0, 0, 1), SL_CLAIM_NEWPASS);
	/* a pass without a wait before it: events may be unread */
	sl_watch_skipped();
	ck_assert(sl_watch_seen() & SL_SEEN_SCHED);
	ck_assert(sl_watch_seen() & SL_SEEN_FD);	/* words unread too */
	ck_assert_uint_eq(sl_pass_claim_flags(0, 0, 0), SL_CLAIM_NEWPASS);
	(void)sl_watch_wait(1);
	submit();			/* and taken: not queued either */
	(void)sl_watch_wait(1);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 1), 0);	/* its bucket */
	ck_assert_int_eq(change_then_queued("run taken", ch_run_taken), 0);
	submit();			/* while an arrival is */
	ck_assert_int_gt(sl_watch_queued(), 0);
	ck_assert_int_eq(sl_watch_wait(1), 1);
	ck_assert(sl_watch_seen() & SL_SEEN_SCHED);
	sl_watch_close();
}
END_TEST

/*
 * sl_watch_slots(0) (an agent whose pool and queues have no limit): a
 * slot freed is not even queued, until a limit makes it worth a watch
 */
START_TEST(test_watch_no_slots)
{
	ck_assert_int_eq(sl_uuid(agent_self), 0);
	ck_assert_int_eq(sl_mkdirs(in("slots", NULL), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("queues", "default/sched"), 0755), 0);
	sl_watch_self(agent_self);
	sl_watch_slots(0);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 1), 0);
	ck_assert_int_eq(change_then_queued("slot taken", ch_slot_taken), 0);
	ck_assert_int_eq(change_then_queued("slot freed", ch_slot_freed), 0);
	sl_watch_slots(1);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 0), 0);
	/* a slot freed before the new watch sent nothing: look once more */
	ck_assert_int_eq(sl_watch_wait(3600), 1);	/* not an hour */
	ck_assert_int_eq(sl_watch_wait(1), 0);
	ck_assert_int_eq(change_then_queued("slot taken", ch_slot_taken), 0);
	ck_assert_int_eq(change_then_queued("slot freed", ch_slot_freed), 16 +
	    16);
	sl_watch_close();
}
END_TEST

/* take_all - move every run out of sched/'s buckets (to tmp/) */
static void
take_all(void)
{
	char   *v[8], *at;
	size_t	n, i;

	n = t_sched_tokens(in("queues", "default/sched"), v, 8);
	ck_assert_uint_le(n, 8);
	for (i = 0; i < n; i++) {
		at = t_sched_at(in("queues", "default/sched"), v[i]);
		ck_assert_ptr_nonnull(at);
		ck_assert_int_eq(rename(at, in("tmp", v[i])), 0);
		free(at);
		free(v[i]);
	}
}

/*
 * Runs arrive in the buckets of sched/ (lib/sched.c).  A new bucket wakes
 * a wait (its mkdir in sched/) and says the directories changed; the next
 * sl_watch_pool watches it, and the wait after that returns at once (a
 * run may have come before the watch).  Then a run put into the watched
 * bucket wakes a wait, a run taken from it does not, and a bucket removed
 * and made again is watched again.
 */
START_TEST(test_watch_buckets)
{
	char	bd[4096];

	ck_assert_int_eq(sl_uuid(agent_self), 0);
	ck_assert_int_eq(sl_mkdirs(in("tmp", NULL), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("queues", "default/sched"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(in("queues", "default/new"), 0755), 0);
	sl_watch_self(agent_self);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 1), 0);
	ck_assert_int_eq(sl_watch_wait(1), 0);		/* quiet */
	submit();					/* a new bucket */
	ck_assert_int_eq(sl_watch_wait(1), 1);
	ck_assert(sl_watch_seen() & SL_SEEN_DIRS);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 0), 0);
	ck_assert_int_eq(sl_watch_wait(1), 1);		/* looks once more */
	ck_assert(sl_watch_seen() & SL_SEEN_SCHED);	/* and lists */
	ck_assert_int_eq(sl_watch_wait(1), 0);
	submit();					/* the same bucket */
	ck_assert_int_eq(sl_watch_wait(1), 1);
	ck_assert(sl_watch_seen() & SL_SEEN_SCHED);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 0), 0);
	take_all();
	ck_assert_int_eq(sl_watch_wait(1), 0);		/* taken: nothing */
	ck_assert(!(sl_watch_seen() & SL_SEEN_SCHED));
	snprintf(bd, sizeof(bd), "%s/%015llx", in("queues", "default/sched"),
	    (unsigned long long)(now0 - 1) >> 4);
	ck_assert_int_eq(rmdir(bd), 0);			/* pruned */
	ck_assert_int_eq(sl_watch_wait(1), 0);
	submit();					/* made again */
	ck_assert_int_eq(sl_watch_wait(1), 1);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 0), 0);
	ck_assert_int_eq(sl_watch_wait(1), 1);		/* watched again */
	ck_assert_int_eq(sl_watch_wait(1), 0);
	submit();
	ck_assert_int_eq(sl_watch_wait(1), 1);
	/* a bucket gone with no IN_IGNORED (removed on another host; here
	 * moved away, so its watch lives on) is forgotten when the buckets
	 * are listed, and one made again under its name is watched */
	ck_assert_int_eq(sl_watch_pool(&sp, P, 1), 0);
	while (sl_watch_wait(1) == 1)
		;
	ck_assert_int_eq(rename(bd, in("tmp", "moved")), 0);
	ck_assert_int_eq(sl_watch_wait(1), 0);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 1), 0);
	ck_assert_int_eq(sl_watch_wait(1), 0);
	submit();
	ck_assert_int_eq(sl_watch_wait(1), 1);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 0), 0);
	ck_assert_int_eq(sl_watch_wait(1), 1);		/* watched again */
	/* a bucket due in an hour is not watched yet: its mkdir wakes a
	 * wait, a run put into it later does not */
	while (sl_watch_wait(1) == 1)
		;
	submit_at(now0 + 3600);
	ck_assert_int_eq(sl_watch_wait(1), 1);
	ck_assert_int_eq(sl_watch_pool(&sp, P, 0), 0);
	ck_assert_int_eq(sl_watch_wait(1), 0);		/* no look again */
	submit_at(now0 + 3600);
	ck_assert_int_eq(sl_watch_wait(1), 0);
	sl_watch_close();
}
END_TEST

Suite *
suite_dispatch(void)
{
	Suite  *s = suite_create("dispatch");
	TCase  *tc = tcase_create("pass");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_maintain_quick_and_full);
	tcase_add_test(tc, test_dispatch_shares_backlog);
	tcase_add_test(tc, test_dispatch_skips_late_agent);
	tcase_add_test(tc, test_maintain_sweeps_done_seldom);
	tcase_add_test(tc, test_maintain_recovers_once_a_heartbeat);
	tcase_add_test(tc, test_maintain_rate_per_spool);
	tcase_add_test(tc, test_watch_extra_fd);
	tcase_add_test(tc, test_watch_filter);
	tcase_add_test(tc, test_watch_no_slots);
	tcase_add_test(tc, test_watch_buckets);
	suite_add_tcase(s, tc);
	return s;
}
