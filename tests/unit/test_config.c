/*
 * test_config.c - lib/config.c: sluice.ini from $SLUICE_CONFIG (defaults,
 * every value checked, the key named in the message).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

static char *dir, *file;
static char err[SL_ERR_MAX];

static void
setup(void)
{
	dir = t_tmpdir();
	file = sl_path(dir, "sluice.ini", (char *)NULL);
	setenv("SLUICE_CONFIG", file, 1);
	err[0] = '\0';
}

static void
teardown(void)
{
	sl_rmtree(dir);
	free(file);
	free(dir);
}

static void
check_defaults(const struct sl_config *c)
{
	ck_assert_int_eq(c->late_after, 15);
	ck_assert_int_eq(c->heartbeat, 10);
	ck_assert_int_eq(c->missed_heartbeats, 3);
	ck_assert_int_eq(c->lease, 30);
	ck_assert_int_eq(c->cancel_grace, 30);
	ck_assert_int_eq(c->keep_days, 7);
	ck_assert_int_eq(c->poll_seconds, 10);
	ck_assert_str_eq(c->log, "stderr");
	ck_assert(c->log_max == 10LL << 20);
}

START_TEST(test_config_values)
{
	struct sl_config c;

	t_puts(file, "; host settings\n[sluice]\nspool=/x\nlate_after=20\n"
	    "heartbeat = 5\nmissed_heartbeats = 4\nlease = 60\n"
	    "cancel_grace = 0\nkeep_days = 0\npoll_seconds = 2\n"
	    "log = syslog\nlog_max = 64k\n");
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c.path, file);
	ck_assert_str_eq(c.spool, "/x");
	ck_assert_int_eq(c.late_after, 20);
	ck_assert_int_eq(c.heartbeat, 5);
	ck_assert_int_eq(c.missed_heartbeats, 4);
	ck_assert_int_eq(c.lease, 60);
	ck_assert_int_eq(c.cancel_grace, 0);
	ck_assert_int_eq(c.keep_days, 0);
	ck_assert_int_eq(c.poll_seconds, 2);
	ck_assert_str_eq(c.log, "syslog");
	ck_assert(c.log_max == 65536);
	sl_config_free(&c);
	t_puts(file, "[sluice]\nlog_max = 0\n");	/* no limit */
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert(c.log_max == 0);
	sl_config_free(&c);
	ck_assert_ptr_null(c.path);
	ck_assert_ptr_null(c.spool);
	ck_assert_ptr_null(c.log);
}
END_TEST

START_TEST(test_config_partial)
{
	struct sl_config c;

	t_puts(file, "[sluice]\nspool=/x\nlate_after=20\n");
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c.spool, "/x");
	ck_assert_int_eq(c.late_after, 20);
	ck_assert_int_eq(c.heartbeat, 10);		/* the rest: defaults */
	ck_assert_str_eq(c.log, "stderr");
	sl_config_free(&c);

	/* an empty file, other sections, an empty spool: all defaults */
	t_puts(file, "[other]\nlate_after = abc\n[sluice]\nspool =\n");
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_null(c.spool);
	check_defaults(&c);
	sl_config_free(&c);
	t_puts(file, "");
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	check_defaults(&c);
	ck_assert_str_eq(c.path, file);
	sl_config_free(&c);
}
END_TEST

static const struct {
	const char *text, *key;
} bad[] = {
	{ "[sluice]\nlate_after = abc\n", "late_after" },
	{ "[sluice]\nlate_after = -1\n", "late_after" },
	{ "[sluice]\nlate_after = 20s\n", "late_after" },
	{ "[sluice]\nlate_after =\n", "late_after" },
	{ "[sluice]\nheartbeat = 0\n", "heartbeat" },
	{ "[sluice]\nheartbeat = 86401\n", "heartbeat" },
	{ "[sluice]\nmissed_heartbeats = 0\n", "missed_heartbeats" },
	{ "[sluice]\nlease = 4\n", "lease" },
	{ "[sluice]\ncancel_grace = x\n", "cancel_grace" },
	{ "[sluice]\nkeep_days = 99999999999999999999\n", "keep_days" },
	{ "[sluice]\npoll_seconds = 0\n", "poll_seconds" },
	{ "[sluice]\nspool = relative/path\n", "spool" },
	{ "[sluice]\nspool = ~/spool\n", "spool" },
	{ "[sluice]\nlog = foo\n", "log" },
	{ "[sluice]\nlog = Syslog\n", "log" },
	{ "[sluice]\nlog =\n", "log" },
	{ "[sluice]\nlog_max =\n", "log_max" },
	{ "[sluice]\nlog_max = 10MB\n", "log_max" },
	{ "[sluice]\nlog_max = -1\n", "log_max" },
	{ "[sluice]\nlog_max = 2T\n", "log_max" },
};

START_TEST(test_config_bad_value)
{
	struct sl_config c;

	t_puts(file, bad[_i].text);
	memset(&c, 0x5a, sizeof(c));
	ck_assert_int_eq(sl_config_load(&c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, bad[_i].key) != NULL,
	    "'%s': message does not name %s: %s", bad[_i].text, bad[_i].key,
	    err);
	ck_assert_msg(strstr(err, file) != NULL, "no file name: %s", err);
	/* nothing left to free */
	ck_assert_ptr_null(c.path);
	ck_assert_ptr_null(c.log);
}
END_TEST

START_TEST(test_config_not_ini)
{
	struct sl_config c;

	t_puts(file, "[sluice\nspool = /x\n");
	ck_assert_int_eq(sl_config_load(&c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "configuration"));
	/* as after a bad value: nothing left allocated (c.log leaks) */
	ck_assert_ptr_null(c.log);
}
END_TEST

START_TEST(test_config_missing_file)
{
	struct sl_config c;

	/* $SLUICE_CONFIG names a file that is not there: an error */
	ck_assert_int_eq(sl_config_load(&c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, file) != NULL, "err: %s", err);
	ck_assert_ptr_null(c.log);		/* nothing left allocated */
}
END_TEST

/* without $SLUICE_CONFIG, a missing /etc/sluice/sluice.ini is defaults */
START_TEST(test_config_system_default)
{
	struct sl_config c;

	if (access("/etc/sluice/sluice.ini", F_OK) == 0)
		return;		/* this host has one: nothing to check */
	unsetenv("SLUICE_CONFIG");
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_null(c.path);
	ck_assert_ptr_null(c.spool);
	check_defaults(&c);
	sl_config_free(&c);
	setenv("SLUICE_CONFIG", "", 1);		/* empty: the same */
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_null(c.path);
	sl_config_free(&c);
}
END_TEST

/* an unknown key is a warning (a typo must not pass unseen), not an error */
START_TEST(test_config_unknown_key)
{
	struct sl_config c;
	char   *log = sl_path(dir, "stderr", (char *)NULL), *text;
	int	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	close(fd);
	t_puts(file, "[sluice]\nlate_afer = 5\nheartbeat = 4\nlog_max = 1M\n"
	    "[other]\nwhatever = 1\n");
	ck_assert_msg(sl_config_load(&c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(c.late_after, 15);
	ck_assert_int_eq(c.heartbeat, 4);
	sl_config_free(&c);
	text = t_read(log);
	ck_assert_msg(strstr(text, "late_afer") != NULL, "stderr: %s", text);
	ck_assert_msg(strstr(text, "heartbeat") == NULL, "stderr: %s", text);
	ck_assert_msg(strstr(text, "log_max") == NULL, "stderr: %s", text);
	ck_assert_msg(strstr(text, "whatever") == NULL, "stderr: %s", text);
	free(text);
	free(log);
}
END_TEST

Suite *
suite_config(void)
{
	Suite  *s = suite_create("config");
	TCase  *tc = tcase_create("config");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_values);
	tcase_add_test(tc, test_config_partial);
	tcase_add_loop_test(tc, test_config_bad_value, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_config_not_ini);
	tcase_add_test(tc, test_config_unknown_key);
	tcase_add_test(tc, test_config_missing_file);
	tcase_add_test(tc, test_config_system_default);
	suite_add_tcase(s, tc);
	return s;
}
