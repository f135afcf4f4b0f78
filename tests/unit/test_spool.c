/*
 * test_spool.c - lib/spool.c: where the spool is (sluice(1) "The spool", first
 * match wins: --spool, $SLUICE_SPOOL, [sluice] spool, /var/spool/sluice,
 * $XDG_STATE_HOME, $HOME/.local/state) and its fixed places.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include "tests.h"

static char *dir;
static char err[SL_ERR_MAX];

static void
setup(void)
{
	dir = t_tmpdir();
	unsetenv("SLUICE_SPOOL");
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", dir, 1);
}

static void
teardown(void)
{
	sl_rmtree(dir);
	free(dir);
}

static void
check_made(const struct sl_spool *sp)
{
	char   *p = sl_path(sp->root, "pools", (char *)NULL);
	struct stat st;

	ck_assert_msg(stat(p, &st) == 0 && S_ISDIR(st.st_mode),
	    "%s not made", p);
	free(p);
}

START_TEST(test_spool_order)
{
	struct sl_config cf;
	struct sl_spool sp;
	char   *a = sl_path(dir, "opt", (char *)NULL);
	char   *b = sl_path(dir, "env", (char *)NULL);
	char   *c = sl_path(dir, "conf", (char *)NULL);
	char   *want;

	memset(&cf, 0, sizeof(cf));
	cf.spool = c;
	cf.path = (char *)"/test/sluice.ini";
	setenv("SLUICE_SPOOL", b, 1);
	ck_assert_int_eq(sl_spool_resolve(&sp, a, &cf, err, sizeof(err)), 0);
	ck_assert_str_eq(sp.root, a);
	ck_assert_str_eq(sp.source, "--spool");
	check_made(&sp);
	sl_spool_free(&sp);
	ck_assert_ptr_null(sp.root);

	ck_assert_int_eq(sl_spool_resolve(&sp, "", &cf, err, sizeof(err)), 0);
	ck_assert_str_eq(sp.root, b);
	ck_assert_str_eq(sp.source, "$SLUICE_SPOOL");
	sl_spool_free(&sp);

	unsetenv("SLUICE_SPOOL");
	ck_assert_int_eq(sl_spool_resolve(&sp, NULL, &cf, err, sizeof(err)), 0);
	ck_assert_str_eq(sp.root, c);
	ck_assert_str_eq(sp.source, "/test/sluice.ini");
	check_made(&sp);
	sl_spool_free(&sp);

	if (access("/var/spool/sluice", F_OK) == 0)
		goto out;		/* that rule would win on this host */
	setenv("XDG_STATE_HOME", b, 1);
	ck_assert_int_eq(sl_spool_resolve(&sp, NULL, NULL, err, sizeof(err)), 0);
	want = sl_path(b, "sluice", (char *)NULL);
	ck_assert_str_eq(sp.root, want);
	free(want);
	sl_spool_free(&sp);

	setenv("XDG_STATE_HOME", "relative", 1);	/* ignored */
	ck_assert_int_eq(sl_spool_resolve(&sp, NULL, NULL, err, sizeof(err)), 0);
	want = sl_path(dir, ".local/state/sluice", (char *)NULL);
	ck_assert_str_eq(sp.root, want);
	check_made(&sp);
	free(want);
	sl_spool_free(&sp);

	unsetenv("HOME");
	unsetenv("XDG_STATE_HOME");
	ck_assert_int_eq(sl_spool_resolve(&sp, NULL, NULL, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "SLUICE_SPOOL"));
out:
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_spool_relative)
{
	struct sl_spool sp;
	char   *want = sl_path(dir, "rel/sp", (char *)NULL);

	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(sl_spool_resolve(&sp, "rel/sp", NULL, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(sp.root, want);	/* made absolute at once */
	check_made(&sp);
	sl_spool_free(&sp);
	setenv("SLUICE_SPOOL", "rel/env", 1);
	ck_assert_int_eq(sl_spool_resolve(&sp, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(sp.root[0], '/');
	sl_spool_free(&sp);
	free(want);
}
END_TEST

START_TEST(test_spool_cannot_make)
{
	struct sl_spool sp;
	char   *f = sl_path(dir, "file", (char *)NULL);

	t_puts(f, "");
	ck_assert_int_eq(sl_spool_resolve(&sp, f, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "--spool"));
	ck_assert_ptr_null(sp.root);
	free(f);
}
END_TEST

START_TEST(test_spool_places)
{
	struct sl_spool sp = { .root = (char *)"/s" };
	char   *p;

	p = sl_pool_dir(&sp, "P");
	ck_assert_str_eq(p, "/s/pools/P");
	free(p);
	p = sl_queue_dir(&sp, "P", "q");
	ck_assert_str_eq(p, "/s/pools/P/queues/q");
	free(p);
}
END_TEST

/* every place of the table, with and without further components */
START_TEST(test_spool_place_table)
{
	static const struct {
		enum sl_place pl;
		const char *want;
	} t[] = {
		{ SL_PL_POOLS, "/s/pools" },
		{ SL_PL_DEPLOYMENTS, "/s/deployments" },
		{ SL_PL_POOL, "/s/pools/P" },
		{ SL_PL_CONFIG, "/s/pools/P/config" },
		{ SL_PL_QUEUES, "/s/pools/P/queues" },
		{ SL_PL_PENDING, "/s/pools/P/pending" },
		{ SL_PL_RUNNING, "/s/pools/P/running" },
		{ SL_PL_DONE, "/s/pools/P/done" },
		{ SL_PL_REJECTED, "/s/pools/P/rejected" },
		{ SL_PL_TMP, "/s/pools/P/tmp" },
		{ SL_PL_SLOTS, "/s/pools/P/slots" },
		{ SL_PL_AGENTS, "/s/pools/P/agents" },
		{ SL_PL_QUEUE, "/s/pools/P/queues/q" },
		{ SL_PL_SCHED, "/s/pools/P/queues/q/sched" },
		{ SL_PL_NEW, "/s/pools/P/queues/q/new" },
		{ SL_PL_DROPTMP, "/s/pools/P/queues/q/tmp" },
		{ SL_PL_IDS, "/s/ids" },
	};
	struct sl_spool sp = { .root = (char *)"/s" };
	char   *p, want[128];
	size_t	i;

	ck_assert_int_eq(sizeof(t) / sizeof(t[0]), SL_NPLACES);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p = sl_place(&sp, t[i].pl, "P", "q", (char *)NULL);
		ck_assert_str_eq(p, t[i].want);
		free(p);
		p = sl_place(&sp, t[i].pl, "P", "q", "a", "b.ini", (char *)NULL);
		snprintf(want, sizeof(want), "%s/a/b.ini", t[i].want);
		ck_assert_str_eq(p, want);
		free(p);
	}
}
END_TEST

/* a pool's place without a pool is a bug in the caller: panic, not a path */
START_TEST(test_spool_place_needs_pool)
{
	struct sl_spool sp = { .root = (char *)"/s" };

	(void)sl_place(&sp, SL_PL_SCHED, "P", NULL, (char *)NULL);
}
END_TEST

Suite *
suite_spool(void)
{
	Suite  *s = suite_create("spool");
	TCase  *tc = tcase_create("spool");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spool_order);
	tcase_add_test(tc, test_spool_relative);
	tcase_add_test(tc, test_spool_cannot_make);
	tcase_add_test(tc, test_spool_places);
	tcase_add_test(tc, test_spool_place_table);
	tcase_add_test_raise_signal(tc, test_spool_place_needs_pool, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
