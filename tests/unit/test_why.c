/*
 * test_why.c - lib/why.c: why a Scheduled run waits, in the order a
 * dispatcher finds what holds it; and sl_runs_load over a real spool.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

#define NOW	1800000000L

static struct sl_queue wq;
static struct sl_pool wp;
static struct sl_agent wa;
static struct sl_run wr[3];		/* wr[0] the run asked about */
static struct sl_runs wall = { wr, 3 };

/* setup - pool p, queue q, an online agent serving every queue, and a
 * due Scheduled run in q beside a Running and a Completed run */
static void
setup(void)
{
	memset(&wq, 0, sizeof(wq));
	memset(&wp, 0, sizeof(wp));
	memset(&wa, 0, sizeof(wa));
	memset(wr, 0, sizeof(wr));
	snprintf(wq.name, sizeof(wq.name), "q");
	wq.limit = SL_NOLIMIT;
	snprintf(wp.name, sizeof(wp.name), "p");
	wp.limit = SL_NOLIMIT;
	wp.q = &wq;
	wp.nq = 1;
	wa.registered = 1;
	wa.beat = NOW - 1;
	snprintf(wr[0].queue, sizeof(wr[0].queue), "q");
	wr[0].state = SL_SCHEDULED;
	wr[0].spec.scheduled = NOW - 5;
	snprintf(wr[1].queue, sizeof(wr[1].queue), "q");
	wr[1].state = SL_RUNNING;
	snprintf(wr[2].queue, sizeof(wr[2].queue), "q");
	wr[2].state = SL_COMPLETED;
}

/* why - what sl_run_why says of wr[0] */
static const char *
why(size_t nagents)
{
	wr[0].message[0] = '\0';
	sl_run_why(&wr[0], &wp, &wall, &wa, nagents, NOW, 30);
	return wr[0].message;
}

START_TEST(test_why_order)
{
	setup();
	ck_assert_str_eq(why(1), "waiting for an agent to claim it");
	ck_assert_str_eq(why(0), "no agent serves work queue 'q' of work "
	    "pool 'p'");
	wa.beat = NOW - 31;		/* offline */
	ck_assert_str_eq(why(1), "no agent serves work queue 'q' of work "
	    "pool 'p'");
	wq.limit = 1;			/* wr[1] Running holds it */
	ck_assert_str_eq(why(1), "work queue 'q' is at its limit 1/1");
	wp.limit = 1;
	ck_assert_str_eq(why(1), "work pool 'p' is at its limit 1/1");
	wq.paused = 1;
	ck_assert_str_eq(why(1), "work queue 'q' is paused");
	wp.paused = 1;
	ck_assert_str_eq(why(1), "work pool 'p' is paused");
	wr[0].spec.scheduled = 0;	/* 1970: due long ago */
	ck_assert_str_eq(why(1), "work pool 'p' is paused");
	wr[0].spec.scheduled = NOW + 60;
	ck_assert_str_eq(why(1), "scheduled in the future, for "
	    "2027-01-15T08:01:00Z");
}
END_TEST

START_TEST(test_why_limits_count_pending_and_running)
{
	setup();
	wq.limit = 2;			/* one Running: room for one more */
	ck_assert_str_eq(why(1), "waiting for an agent to claim it");
	wr[2].state = SL_PENDING;
	ck_assert_str_eq(why(1), "work queue 'q' is at its limit 2/2");
	snprintf(wr[2].queue, sizeof(wr[2].queue), "other");
	ck_assert_str_eq(why(1), "waiting for an agent to claim it");
	wp.limit = 2;			/* the pool counts every queue */
	ck_assert_str_eq(why(1), "work pool 'p' is at its limit 2/2");
}
END_TEST

START_TEST(test_why_leaves_others_alone)
{
	setup();
	wr[0].state = SL_PENDING;
	ck_assert_str_eq(why(1), "");
	wr[0].state = SL_SCHEDULED;
	snprintf(wr[0].message, sizeof(wr[0].message), "run.ini unreadable");
	sl_run_why(&wr[0], &wp, &wall, &wa, 1, NOW, 30);
	ck_assert_str_eq(wr[0].message, "run.ini unreadable");
}
END_TEST

START_TEST(test_runs_load)
{
	struct sl_config cf;
	struct sl_runspec r;
	struct sl_spool sp;
	struct sl_runs rs;
	char	err[SL_ERR_MAX], *root = t_spool(&sp);
	int	i;

	ck_assert_int_eq(sl_config_load(&cf, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_pool_create(&sp, "a", 0, SL_NOLIMIT, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(sl_pool_create(&sp, "b", 1, SL_NOLIMIT, err,
	    sizeof(err)), 0);
	for (i = 0; i < 2; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.pool, sizeof(r.pool), "%s", i ? "b" : "a");
		snprintf(r.queue, sizeof(r.queue), "%s", SL_DEFAULT_QUEUE);
		r.scheduled = time(NULL) - 1;
		r.command = sl_xstrdup("true");
		r.attempt = 1;
		r.owner_uid = (long)getuid();
		r.owner_gid = (long)getgid();
		ck_assert_int_eq(sl_queue_ensure(&sp, r.pool, r.queue, err,
		    sizeof(err)), 0);
		ck_assert_msg(sl_run_submit(&sp, &r, err, sizeof(err)) == 0,
		    "%s", err);
		sl_runspec_free(&r);
	}
	ck_assert_int_eq(sl_runs_load(&sp, &cf, NULL, 0, &rs), 0);
	ck_assert_uint_eq(rs.n, 2);
	for (i = 0; i < 2; i++)
		ck_assert_str_eq(rs.v[i].message, strcmp(rs.v[i].pool, "b") ?
		    "no agent serves work queue 'default' of work pool 'a'" :
		    "work pool 'b' is paused");
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_runs_load(&sp, &cf, "b", 1, &rs), 0);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_str_eq(rs.v[0].pool, "b");
	sl_runs_free(&rs);
	/* only some states: the places of Running (and Pending) are read */
	ck_assert_int_eq(sl_runs_load_sel(&sp, &cf, NULL, 0, 1u << SL_RUNNING,
	    0, &rs), 0);
	ck_assert_uint_eq(rs.n, 0);
	sl_runs_free(&rs);
	/* Scheduled by a due time: both are due already, none a minute ago */
	ck_assert_int_eq(sl_runs_load_sel(&sp, &cf, NULL, 0,
	    1u << SL_SCHEDULED, time(NULL), &rs), 0);
	ck_assert_uint_eq(rs.n, 2);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_runs_load_sel(&sp, &cf, NULL, 0,
	    1u << SL_SCHEDULED, time(NULL) - 60, &rs), 0);
	ck_assert_uint_eq(rs.n, 0);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_runs_load(&sp, &cf, "nope", 0, &rs), -1);
	ck_assert_uint_eq(rs.n, 0);
	sl_config_free(&cf);
	sl_rmtree(root);
	free(root);
}
END_TEST

Suite *
suite_why(void)
{
	Suite  *s = suite_create("why");
	TCase  *tc = tcase_create("why");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_why_order);
	tcase_add_test(tc, test_why_limits_count_pending_and_running);
	tcase_add_test(tc, test_why_leaves_others_alone);
	tcase_add_test(tc, test_runs_load);
	suite_add_tcase(s, tc);
	return s;
}
