/*
 * test_status.c - lib/status.c: what sluice status and sluice metrics
 * gather (sl_status_gather) and the OpenMetrics text (sl_status_metrics).
 *
 * The gathering tests get a fresh spool with pool P (limit 3) and queues
 * default and crit (limit 1); agents are registered on a host that is not
 * this one, so only their beats say whether they are online.  Covered: runs
 * per state, due and Late runs by their names, each problem (a queue with
 * due runs and no agent, a Late run past late_seconds, an agent offline)
 * and its absence, the newest failures with their messages, durations only
 * when asked and of the newest 500 only, the newest 3 failures, an unknown
 * pool.  The text tests build a status by hand:
 * label values escaped (\\ \" \n), histogram buckets cumulative with each
 * bound inclusive, no limit no sample, "# EOF" once and last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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
	cf.late_after = 15;
	cf.keep_days = 7;
	now0 = time(NULL);
	ck_assert_msg(sl_pool_create(&sp, P, 0, 3, err, sizeof(err)) == 0,
	    "pool: %s", err);
	ck_assert_msg(sl_queue_create(&sp, P, "crit", 1, 1, NULL, NULL, err,
	    sizeof(err)) == 0, "queue: %s", err);
}

static void
teardown(void)
{
	sl_rmtree(root);
	free(root);
}

/* submit - a run of queue q due at t */
static void
submit(const char *q, time_t t)
{
	struct sl_runspec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "%s", P);
	snprintf(r.queue, sizeof(r.queue), "%s", q);
	r.command = sl_xstrdup("true");
	r.scheduled = t;
	ck_assert_msg(sl_run_submit(&sp, &r, err, sizeof(err)) == 0,
	    "submit: %s", err);
	sl_runspec_free(&r);
}

/* agent - register an agent of P serving every queue, last beat at beat */
static void
agent(const char *name, time_t beat)
{
	struct sl_agent a;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(sl_uuid(a.id), 0);
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.pool, sizeof(a.pool), "%s", P);
	snprintf(a.host, sizeof(a.host), "not-this-host");
	a.pid = 1;
	a.limit = SL_NOLIMIT;
	a.prefetch = 10;
	a.started = beat;
	ck_assert_msg(sl_agent_register(&sp, &a, err, sizeof(err)) == 0,
	    "register: %s", err);
	ck_assert_int_eq(sl_agent_beat(&sp, &a, beat), 0);
}

/* finished - a finished run in done/ with its result.ini */
static void
finished(enum sl_state state, time_t started, time_t ended, const char *msg)
{
	char	id[SL_UUID_LEN + 1], name[SL_RUNNAME_MAX], *dir;

	ck_assert_int_eq(sl_uuid(id), 0);
	sl_done_name(name, id, state);
	dir = sl_place(&sp, SL_PL_DONE, P, NULL, name, (char *)NULL);
	t_mkdir(dir);
	ck_assert_int_eq(sl_result_write(dir, sl_state_names[state], started,
	    ended, state == SL_COMPLETED ? 0 : 4, msg), 0);
	free(dir);
}

/* gather - P's status, late_seconds as given, asserting it works */
static void
gather(long late_seconds, int durations, struct sl_status **v, size_t *n)
{
	ck_assert_msg(sl_status_gather(&sp, &cf, P, late_seconds, durations,
	    v, n, err, sizeof(err)) == 0, "gather: %s", err);
	ck_assert_int_eq(*n, 1);
	ck_assert_str_eq((*v)[0].name, P);
}

/* has_problem - a problem of s containing text */
static int
has_problem(const struct sl_status *s, const char *text)
{
	size_t	i;

	for (i = 0; i < s->nproblems; i++)
		if (strstr(s->problems[i], text) != NULL)
			return 1;
	return 0;
}

/* queue - the queue named q of s */
static const struct sl_status_queue *
queue(const struct sl_status *s, const char *q)
{
	size_t	i;

	for (i = 0; i < s->nqueues; i++)
		if (strcmp(s->queues[i].name, q) == 0)
			return &s->queues[i];
	ck_abort_msg("no queue %s", q);
	return NULL;
}

START_TEST(test_gather_healthy)
{
	struct sl_status *v;
	size_t	n;

	agent("a1", now0);
	submit("default", now0 + 3600);
	gather(300, 0, &v, &n);
	ck_assert_msg(v[0].nproblems == 0, "problem: %s", v[0].problems[0]);
	ck_assert_int_eq(v[0].counts[SL_SCHEDULED], 1);
	ck_assert_int_eq(v[0].late, 0);
	ck_assert_int_eq(v[0].limit, 3);
	ck_assert_int_eq(v[0].used, 0);
	ck_assert_int_eq(v[0].nagents, 1);
	ck_assert_int_eq(v[0].agents[0].online, 1);
	ck_assert_str_eq(v[0].agents[0].host, "not-this-host");
	ck_assert_int_eq(queue(&v[0], "default")->scheduled, 1);
	ck_assert_int_eq(queue(&v[0], "default")->due, 0);
	ck_assert_int_eq(queue(&v[0], "default")->served, 1);
	ck_assert_int_eq(queue(&v[0], "crit")->limit, 1);
	ck_assert_int_eq(queue(&v[0], "crit")->scheduled, 0);
	sl_status_free(v, n);
}
END_TEST

START_TEST(test_gather_due_unserved_and_late)
{
	struct sl_status *v;
	size_t	n;

	submit("crit", now0 - 1000);	/* Late for 1000 s */
	submit("crit", now0 + 3600);
	gather(300, 0, &v, &n);
	ck_assert_int_eq(v[0].counts[SL_SCHEDULED], 2);
	ck_assert_int_eq(queue(&v[0], "crit")->scheduled, 2);
	ck_assert_int_eq(queue(&v[0], "crit")->due, 1);
	ck_assert_int_eq(queue(&v[0], "crit")->served, 0);
	ck_assert_int_eq(v[0].late, 1);
	ck_assert_int_eq(v[0].oldest_late, now0 - 1000);
	ck_assert(has_problem(&v[0], "work queue 'crit' has 1 due run and no "
	    "agent online serves it"));
	ck_assert(has_problem(&v[0], "1 Late run, the oldest due 16m4"));
	ck_assert(has_problem(&v[0], "s ago (more than --late-seconds 300)"));
	ck_assert(!has_problem(&v[0], "'default'"));
	ck_assert_int_eq(v[0].nproblems, 2);
	sl_status_free(v, n);

	/* a Late run younger than late_seconds is no problem */
	gather(5000, 0, &v, &n);
	ck_assert_int_eq(v[0].late, 1);
	ck_assert(!has_problem(&v[0], "Late run"));
	ck_assert_int_eq(v[0].nproblems, 1);
	sl_status_free(v, n);

	/* an online agent serves the queue; the Late run is still there */
	agent("a1", now0);
	gather(300, 0, &v, &n);
	ck_assert_int_eq(queue(&v[0], "crit")->served, 1);
	ck_assert(!has_problem(&v[0], "no agent online"));
	ck_assert(has_problem(&v[0], "1 Late run"));
	ck_assert_int_eq(v[0].nproblems, 1);
	sl_status_free(v, n);
}
END_TEST

START_TEST(test_gather_agent_offline)
{
	struct sl_status *v;
	size_t	n;

	agent("up", now0);
	agent("gone", now0 - 1000);	/* past 3 heartbeats of 10 s */
	gather(300, 0, &v, &n);
	ck_assert_int_eq(v[0].nagents, 2);
	ck_assert_int_eq(v[0].agents[0].online + v[0].agents[1].online, 1);
	ck_assert(has_problem(&v[0], "agent 'gone' on not-this-host is "
	    "offline"));
	ck_assert_int_eq(v[0].nproblems, 1);
	sl_status_free(v, n);
}
END_TEST

START_TEST(test_gather_finished)
{
	struct sl_status *v;
	size_t	n;

	agent("a1", now0);
	finished(SL_COMPLETED, now0 - 100, now0 - 90, NULL);
	finished(SL_FAILED, now0 - 50, now0 - 20, "Exited with code 4");
	gather(300, 0, &v, &n);
	ck_assert_int_eq(v[0].counts[SL_COMPLETED], 1);
	ck_assert_int_eq(v[0].counts[SL_FAILED], 1);
	ck_assert_int_eq(v[0].nfailures, 1);
	ck_assert_int_eq(v[0].failures[0].state, SL_FAILED);
	ck_assert_str_eq(v[0].failures[0].message, "Exited with code 4");
	ck_assert_int_eq(v[0].failures[0].ended, now0 - 20);
	ck_assert_int_eq(v[0].ndurations, 0);	/* not asked for */
	ck_assert_int_eq(v[0].nproblems, 0);	/* a failure is no problem */
	sl_status_free(v, n);

	gather(300, 1, &v, &n);
	ck_assert_int_eq(v[0].ndurations, 2);
	ck_assert(v[0].durations[0] + v[0].durations[1] == 40.0);
	sl_status_free(v, n);
}
END_TEST

START_TEST(test_gather_bounded)
{
	struct sl_status *v;
	char	id[SL_UUID_LEN + 1], name[SL_RUNNAME_MAX], *dir, *ini, *first;
	size_t	n;
	int	i, k;

	/* 4 failures: the newest 3 are shown */
	for (i = 0; i < 4; i++)
		finished(SL_CRASHED, now0 - 100, now0 - 50, "killed");
	/* 510 finished runs: the newest 500 give durations (copies of one
	 * result.ini: 510 fsyncs would be the test's time) */
	finished(SL_COMPLETED, now0 - 100, now0 - 93, NULL);
	gather(300, 1, &v, &n);
	ck_assert_int_eq(v[0].ndurations, 5);
	ck_assert_int_eq(v[0].nfailures, 3);
	ck_assert_str_eq(v[0].failures[2].message, "killed");
	ck_assert_int_eq(v[0].failures[2].state, SL_CRASHED);
	sl_status_free(v, n);
	first = sl_place(&sp, SL_PL_DONE, P, NULL, (char *)NULL);
	ck_assert_int_ge(t_count(first, 0), 5);
	for (i = 0; i < 505; i++) {
		ck_assert_int_eq(sl_uuid(id), 0);
		sl_done_name(name, id, SL_COMPLETED);
		dir = sl_path(first, name, (char *)NULL);
		t_mkdir(dir);
		ini = sl_path(dir, "result.ini", (char *)NULL);
		t_puts(ini, "[result]\nstate = Completed\nstarted = "
		    "2026-01-01T00:00:00Z\nended = 2026-01-01T00:00:07Z\n"
		    "exit_code = 0\n");
		free(ini);
		free(dir);
	}
	free(first);
	gather(300, 1, &v, &n);
	ck_assert_int_eq(v[0].counts[SL_COMPLETED], 506);
	ck_assert_int_eq(v[0].ndurations, 500);
	/* the first 5 may share the second of the newest (ctime), and so
	 * be among them */
	for (i = 0, k = 0; i < 500; i++)
		k += v[0].durations[i] == 7.0;
	ck_assert_int_ge(k, 495);
	sl_status_free(v, n);
}
END_TEST

START_TEST(test_gather_unknown_pool)
{
	struct sl_status *v;
	size_t	n;

	ck_assert_int_eq(sl_status_gather(&sp, &cf, "nosuch", 300, 0, &v, &n,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "Work pool 'nosuch' not found.");
	ck_assert_int_eq(n, 0);
	/* every pool: just P */
	ck_assert_int_eq(sl_status_gather(&sp, &cf, NULL, 300, 0, &v, &n,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	sl_status_free(v, n);
}
END_TEST

/* metrics_of - the OpenMetrics text of one hand-made pool s */
static char *
metrics_of(struct sl_status *s)
{
	struct sl_buf b = { 0 };

	sl_status_metrics(&b, s, 1, 1000);
	sl_buf_add(&b, "", 1);
	return b.s;
}

/* line - text has this whole line */
static int
line(const char *text, const char *l)
{
	const char *p = text;
	size_t	n = strlen(l);

	while ((p = strstr(p, l)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p++;
	}
	return 0;
}

START_TEST(test_metrics_escaped)
{
	struct sl_status s;
	struct sl_status_queue q;
	char   *t;

	memset(&s, 0, sizeof(s));
	memset(&q, 0, sizeof(q));
	snprintf(s.name, sizeof(s.name), "a\"b\\c\nd");
	s.limit = SL_NOLIMIT;
	snprintf(q.name, sizeof(q.name), "q\"1");
	q.limit = 2;
	q.used = 1;
	q.scheduled = 7;
	s.queues = &q;
	s.nqueues = 1;
	s.counts[SL_RUNNING] = 3;
	s.late = 2;
	s.oldest_late = 400;
	t = metrics_of(&s);
	ck_assert_msg(line(t, "sluice_runs{pool=\"a\\\"b\\\\c\\nd\","
	    "state=\"Running\"} 3"), "%s", t);
	ck_assert_msg(line(t, "sluice_queue_scheduled_runs{pool=\"a\\\"b\\\\c"
	    "\\nd\",queue=\"q\\\"1\"} 7"), "%s", t);
	ck_assert(line(t, "sluice_late_runs{pool=\"a\\\"b\\\\c\\nd\"} 2"));
	ck_assert(line(t, "sluice_oldest_late_seconds{pool=\"a\\\"b\\\\c\\nd\"}"
	    " 600"));
	/* the queue's limit is there, the pool's (none) is not */
	ck_assert(line(t, "sluice_slots_limit{pool=\"a\\\"b\\\\c\\nd\",queue="
	    "\"q\\\"1\"} 2"));
	ck_assert(strstr(t, "sluice_slots_limit{pool=\"a\\\"b\\\\c\\nd\","
	    "queue=\"\"}") == NULL);
	ck_assert(line(t, "sluice_slots_used{pool=\"a\\\"b\\\\c\\nd\",queue="
	    "\"\"} 0"));
	ck_assert(line(t, "# TYPE sluice_runs gauge"));
	ck_assert(line(t, "# TYPE sluice_run_duration_seconds histogram"));
	/* no raw newline or quote got into a sample line */
	ck_assert(strstr(t, "a\"b") == NULL);
	ck_assert(strstr(t, "c\nd") == NULL);
	/* "# EOF" once, last */
	ck_assert_ptr_eq(strstr(t, "# EOF"), t + strlen(t) - strlen("# EOF\n"));
	free(t);
}
END_TEST

START_TEST(test_metrics_histogram)
{
	double	d[] = { 0.5, 1, 1.5, 5, 5.25, 100000 };
	struct sl_status s;
	char   *t;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "p");
	s.limit = 4;
	s.durations = d;
	s.ndurations = sizeof(d) / sizeof(d[0]);
	t = metrics_of(&s);
	/* each bound inclusive (le), every bucket counts those below it */
	ck_assert_msg(line(t, "sluice_run_duration_seconds_bucket{pool=\"p\","
	    "le=\"1.0\"} 2"), "%s", t);
	ck_assert(line(t, "sluice_run_duration_seconds_bucket{pool=\"p\",le="
	    "\"5.0\"} 4"));
	ck_assert(line(t, "sluice_run_duration_seconds_bucket{pool=\"p\",le="
	    "\"15.0\"} 5"));
	ck_assert(line(t, "sluice_run_duration_seconds_bucket{pool=\"p\",le="
	    "\"86400.0\"} 5"));
	ck_assert(line(t, "sluice_run_duration_seconds_bucket{pool=\"p\",le="
	    "\"+Inf\"} 6"));
	ck_assert(line(t, "sluice_run_duration_seconds_count{pool=\"p\"} 6"));
	ck_assert(line(t, "sluice_run_duration_seconds_sum{pool=\"p\"} "
	    "100013.25"));
	ck_assert(line(t, "sluice_slots_limit{pool=\"p\",queue=\"\"} 4"));
	/* +Inf is the last bucket, _count and _sum follow */
	ck_assert(strstr(t, "le=\"86400.0\"") < strstr(t, "le=\"+Inf\""));
	ck_assert(strstr(t, "le=\"+Inf\"") <
	    strstr(t, "sluice_run_duration_seconds_count"));
	free(t);
}
END_TEST

Suite *
suite_status(void)
{
	Suite  *s = suite_create("status");
	TCase  *g = tcase_create("gather"), *m = tcase_create("metrics");

	tcase_set_timeout(g, T_TIMEOUT);
	tcase_add_checked_fixture(g, setup, teardown);
	tcase_add_test(g, test_gather_healthy);
	tcase_add_test(g, test_gather_due_unserved_and_late);
	tcase_add_test(g, test_gather_agent_offline);
	tcase_add_test(g, test_gather_finished);
	tcase_add_test(g, test_gather_bounded);
	tcase_add_test(g, test_gather_unknown_pool);
	suite_add_tcase(s, g);
	tcase_set_timeout(m, T_TIMEOUT);
	tcase_add_test(m, test_metrics_escaped);
	tcase_add_test(m, test_metrics_histogram);
	suite_add_tcase(s, m);
	return s;
}
