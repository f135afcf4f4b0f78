/*
 * test_agent.c - lib/agent.c: registrations and heartbeats (spool-layout.md,
 * "Agents: registration and death").
 *
 * Covered: a registration reads back whole (name, host, pool, limit,
 * prefetch, queues) and beats; online and gone at the window's edges; a
 * torn beat is neither online nor gone; an agent registered on this host
 * whose process has died is dead at once (pid and start time), one whose
 * pid was reused by another process too, a live one is not, and one
 * registered on another host is judged by its beat alone; deregistration
 * removes it from the pool's list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tests.h"

#define P	"P"
#define WINDOW	30

static char *root;
static struct sl_spool sp;
static char err[SL_ERR_MAX];
static time_t now0;

static void
setup(void)
{
	root = t_spool(&sp);
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

/* reg - register an agent of P on host with process pid, beat at beat */
static void
reg(struct sl_agent *a, const char *name, const char *host, long pid,
    time_t beat)
{
	memset(a, 0, sizeof(*a));
	ck_assert_int_eq(sl_uuid(a->id), 0);
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->pool, sizeof(a->pool), "%s", P);
	snprintf(a->host, sizeof(a->host), "%s", host);
	a->pid = pid;
	a->limit = 4;
	a->prefetch = 15;
	a->started = now0;
	ck_assert_msg(sl_agent_register(&sp, a, err, sizeof(err)) == 0,
	    "register %s: %s", name, err);
	ck_assert_int_eq(sl_agent_beat(&sp, a, beat), 0);
}

/* load - the registration of id as sl_agents_load reads it (in *out) */
static int
load(const char *id, struct sl_agent *out)
{
	struct sl_agent *v;
	size_t	n, i;
	int	found = 0;

	ck_assert_int_eq(sl_agents_load(&sp, P, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0) {
			*out = v[i];
			/* keep only what the tests look at */
			out->queues = NULL;
			out->nqueues = v[i].nqueues;
			out->match = NULL;
			found = 1;
		}
	sl_agents_free(v, n);
	return found;
}

START_TEST(test_register_reads_back)
{
	struct sl_agent a, b;

	reg(&a, "alpha", "elsewhere", 4242, now0);
	ck_assert(load(a.id, &b));
	ck_assert(b.registered);
	ck_assert_str_eq(b.name, "alpha");
	ck_assert_str_eq(b.host, "elsewhere");
	ck_assert_str_eq(b.pool, P);
	ck_assert_int_eq(b.pid, 4242);
	ck_assert_int_eq(b.limit, 4);
	ck_assert_int_eq(b.prefetch, 15);
	ck_assert_int_eq(b.beat, now0);
	ck_assert(!b.dead);
	ck_assert_int_eq(sl_agent_deregister(&sp, &a), 0);
	ck_assert(!load(a.id, &b));
}
END_TEST

START_TEST(test_online_and_gone_by_beat)
{
	struct sl_agent a, b;

	reg(&a, "beats", "elsewhere", 4242, now0);
	ck_assert(load(a.id, &b));
	ck_assert(sl_agent_online(&b, now0 + WINDOW, WINDOW));
	ck_assert(!sl_agent_gone(&b, now0 + WINDOW, WINDOW));
	ck_assert(!sl_agent_online(&b, now0 + WINDOW + 1, WINDOW));
	ck_assert(sl_agent_gone(&b, now0 + WINDOW + 1, WINDOW));
	/* a beat renewed: online again */
	ck_assert_int_eq(sl_agent_beat(&sp, &a, now0 + 100), 0);
	ck_assert(load(a.id, &b));
	ck_assert(sl_agent_online(&b, now0 + 100 + WINDOW, WINDOW));
}
END_TEST

START_TEST(test_torn_beat_is_no_evidence)
{
	struct sl_agent a, b;
	char	p[4096];

	reg(&a, "torn", "elsewhere", 4242, now0);
	snprintf(p, sizeof(p), "%s/pools/" P "/agents/%s/heartbeat", root, a.id);
	t_puts(p, "17");		/* a cut, unreadable beat */
	ck_assert(load(a.id, &b));
	ck_assert(!sl_agent_online(&b, now0, WINDOW));
	ck_assert(!sl_agent_gone(&b, now0 + 100000, WINDOW));
}
END_TEST

/* the counters: none until published, read back, a bad file refused,
 * and the heartbeat left as older readers want it (one number) */
START_TEST(test_counters)
{
	static const char *const bad[] = { "", "claims 1\n", "claims 1\nstarts",
	    "claims 1\nstarts 2", "claims -1\nstarts 2\n",
	    "claims 1\nstarts 2\nmore\n", "starts 2\nclaims 1\n",
	    "claims x\nstarts 2\n" };
	struct sl_agent a;
	unsigned long long c = 7, st = 7;
	char	p[4096], hb[4096], *text;
	size_t	i;

	reg(&a, "counts", "elsewhere", 4242, now0);
	ck_assert_int_eq(sl_agent_counters_read(&sp, &a, &c, &st), -1);
	ck_assert_int_eq(sl_agent_counters(&sp, &a, 12, 10), 0);
	ck_assert_int_eq(sl_agent_counters_read(&sp, &a, &c, &st), 0);
	ck_assert(c == 12 && st == 10);
	ck_assert_int_eq(sl_agent_counters(&sp, &a, 18446744073709551615ULL,
	    0), 0);
	ck_assert_int_eq(sl_agent_counters_read(&sp, &a, &c, &st), 0);
	ck_assert(c == 18446744073709551615ULL && st == 0);
	snprintf(p, sizeof(p), "%s/pools/" P "/agents/%s/counters", root, a.id);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_puts(p, bad[i]);
		ck_assert_msg(sl_agent_counters_read(&sp, &a, &c, &st) == -1,
		    "took %s", bad[i]);
	}
	snprintf(hb, sizeof(hb), "%s/pools/" P "/agents/%s/heartbeat", root,
	    a.id);
	ck_assert_int_eq(sl_read_file(hb, &text, 64), 11);
	ck_assert_int_eq(strtol(text, NULL, 10), now0);
	free(text);
}
END_TEST

START_TEST(test_dead_here_at_once)
{
	struct sl_agent a, b, c, d;

	/* on this host, its process gone: dead, whatever its beat says */
	reg(&a, "dead", sl_host(), t_dead_pid(), now0);
	ck_assert(load(a.id, &b));
	ck_assert(b.dead);
	ck_assert(sl_agent_dead_here(&b));
	ck_assert(!sl_agent_online(&b, now0, WINDOW));
	ck_assert(sl_agent_gone(&b, now0, WINDOW));
	/* on this host and alive (this process): not dead */
	reg(&c, "alive", sl_host(), (long)getpid(), now0);
	ck_assert(load(c.id, &d));
	ck_assert(!d.dead);
	ck_assert(sl_agent_online(&d, now0, WINDOW));
	/* the same dead pid on another host means nothing here */
	reg(&c, "remote", "elsewhere", a.pid, now0);
	ck_assert(load(c.id, &d));
	ck_assert(!d.dead);
	ck_assert(sl_agent_online(&d, now0, WINDOW));
}
END_TEST

START_TEST(test_reused_pid_is_dead)
{
	struct sl_agent a, b;
	char	p[4096], *text, *s;
	size_t	len;

	/* registered as this process, then its pid_start rewritten: the pid
	 * now belongs to a process started at another time */
	reg(&a, "reused", sl_host(), (long)getpid(), now0);
	snprintf(p, sizeof(p), "%s/pools/" P "/agents/%s/agent.ini", root, a.id);
	text = t_read(p);
	s = strstr(text, "pid_start = ");
	ck_assert_ptr_nonnull(s);
	s += strlen("pid_start = ");
	ck_assert(*s >= '0' && *s <= '9');
	*s = *s == '1' ? '2' : '1';	/* another start time */
	len = strlen(text);
	t_write(p, text, len);
	free(text);
	ck_assert(load(a.id, &b));
	ck_assert(b.dead);
}
END_TEST

/* sl_self is getpid(), in the process that asked and in a child forked
 * after it asked (the cache must not outlive a fork: a lease naming the
 * parent would let crash detection take a live run for dead) */
START_TEST(test_self_after_fork)
{
	pid_t	pid, me = getpid();
	int	st;

	ck_assert_int_eq(sl_self(), me);
	ck_assert_int_eq(sl_self(), me);	/* cached */
	if ((pid = fork()) == 0) {
		pid_t	c = sl_self();

		if ((pid = fork()) == 0)	/* a grandchild too */
			_exit(sl_self() == getpid() && sl_self() != c ? 0 : 2);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			_exit(3);
		_exit(c == getpid() && c != me ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_int_eq(sl_self(), me);
}
END_TEST

Suite *
suite_agent(void)
{
	Suite  *s = suite_create("agent");
	TCase  *tc = tcase_create("registration");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_register_reads_back);
	tcase_add_test(tc, test_online_and_gone_by_beat);
	tcase_add_test(tc, test_torn_beat_is_no_evidence);
	tcase_add_test(tc, test_counters);
	tcase_add_test(tc, test_dead_here_at_once);
	tcase_add_test(tc, test_reused_pid_is_dead);
	tcase_add_test(tc, test_self_after_fork);
	suite_add_tcase(s, tc);
	return s;
}
