/*
 * test_alert.c - lib/alert.c: a pool's alerts when a run ends.  A run is
 * submitted and ended with sl_run_finish (as its supervisor or crash
 * detection does); the hooks write what they were given into the scratch
 * spool, and the mailer is a script standing in for sendmail.
 */
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

static struct sl_spool sp;
static char *root, err[SL_ERR_MAX];
static char mailer[4096];

/* S - a path under the spool root (static, 4 live at once) */
static const char *
S(const char *name)
{
	static char buf[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", root, name);
	return buf[k];
}

static void
setup(void)
{
	FILE   *f;

	root = t_spool(&sp);
	ck_assert_msg(sl_pool_create(&sp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "%s", err);
	/* the mailer: its arguments, then the message */
	snprintf(mailer, sizeof(mailer), "%s/sendmail", root);
	ck_assert_ptr_nonnull(f = fopen(mailer, "w"));
	fprintf(f, "#!/bin/sh\necho \"$*\" >'%s/mail.tmp'\ncat >>'%s/mail.tmp'\n"
	    "mv '%s/mail.tmp' '%s/mail'\n", root, root, root, root);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(mailer, 0755), 0);
	sl_alert_sendmail = mailer;
}

static void
teardown(void)
{
	sl_alert_sendmail = "/usr/sbin/sendmail";
	sl_rmtree(root);
	free(root);
}

/* set_alerts - sl_pool_update's edit: the three settings of arg[] */
static int
set_alerts(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	const char *const *v = arg;

	(void)e;
	(void)elen;
	snprintf(p->on_failure, sizeof(p->on_failure), "%s", v[0]);
	snprintf(p->on_crash, sizeof(p->on_crash), "%s", v[1]);
	snprintf(p->mail, sizeof(p->mail), "%s", v[2]);
	return 0;
}

static void
alerts(const char *on_failure, const char *on_crash, const char *mail)
{
	const char *v[3] = { on_failure, on_crash, mail };

	ck_assert_msg(sl_pool_update(&sp, "P", set_alerts, (void *)v, NULL,
	    err, sizeof(err)) == 0, "%s", err);
}

/* end_run - submit a run named name and end it in state st */
static void
end_run(const char *name, enum sl_state st, int code, char *id)
{
	struct sl_runspec r;
	struct sl_runs rs = { 0 };
	struct sl_run *run;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "P");
	snprintf(r.queue, sizeof(r.queue), "default");
	r.command = sl_xstrdup("false");
	r.name = sl_xstrdup(name);
	r.scheduled = time(NULL);
	r.attempt = 1;
	r.owner_uid = (long)getuid();
	r.owner_gid = (long)getgid();
	ck_assert_msg(sl_run_submit(&sp, &r, err, sizeof(err)) == 0, "%s",
	    err);
	memcpy(id, r.id, SL_UUID_LEN + 1);
	sl_runspec_free(&r);
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_run_finish(&sp, "P", run->dir, id, st, code,
	    time(NULL), st == SL_CRASHED ? "its host died" : NULL), 0);
	sl_runs_free(&rs);
}

/* wait_for - the text of file path, once it is there (the alert is
 * detached: nothing waits for it), or NULL after 10 s */
static char *
wait_for(const char *path)
{
	int	i;

	for (i = 0; i < 1000; i++) {
		if (t_exists(path))
			return t_read(path);
		usleep(10000);
	}
	return NULL;
}

START_TEST(test_alert_failed)
{
	char	id[SL_UUID_LEN + 1], want[200], *got;

	alerts("cat >failed.tmp && mv failed.tmp failed", "echo crash >crashed",
	    "");
	ck_assert_int_eq(chdir(root), 0);	/* the hooks' relative names */
	end_run("boom", SL_FAILED, 7, id);
	got = wait_for(S("failed"));
	ck_assert_ptr_nonnull(got);
	/* the run's JSON, one line, as flow-run inspect --json prints it */
	snprintf(want, sizeof(want), "{\"id\":\"%s\",\"name\":\"boom\"", id);
	ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got %s", got);
	ck_assert_ptr_nonnull(strstr(got, "\"state\":\"Failed\""));
	ck_assert_ptr_nonnull(strstr(got, "\"exit_code\":7"));
	ck_assert_int_eq(got[strlen(got) - 1], '\n');
	free(got);
	/* not the crash hook, and nothing mailed (mail unset) */
	usleep(200000);
	ck_assert(!t_exists(S("crashed")));
	ck_assert(!t_exists(S("mail")));
}
END_TEST

START_TEST(test_alert_crashed_mails_owner)
{
	char	id[SL_UUID_LEN + 1], *got, line[300];

	alerts("echo fail >failed", "cat >crashed.tmp; mv crashed.tmp crashed",
	    "owner");
	ck_assert_int_eq(chdir(root), 0);
	end_run("lost", SL_CRASHED, -1, id);
	got = wait_for(S("crashed"));
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(strstr(got, "\"state\":\"Crashed\""));
	ck_assert_ptr_nonnull(strstr(got, "its host died"));
	free(got);
	got = wait_for(S("mail"));
	ck_assert_ptr_nonnull(got);
	/* sendmail -oi -- USER, To: USER, and the run in the subject */
	snprintf(line, sizeof(line), "-oi -- %s\nTo: %s\n",
	    getpwuid(getuid())->pw_name, getpwuid(getuid())->pw_name);
	ck_assert_msg(strncmp(got, line, strlen(line)) == 0, "got %s", got);
	ck_assert_ptr_nonnull(strstr(got, "Subject: sluice: flow run 'lost' "
	    "Crashed in work pool 'P'\n"));
	ck_assert_ptr_nonnull(strstr(got, id));
	free(got);
	ck_assert(!t_exists(S("failed")));
}
END_TEST

/* a hook gets SIGPIPE at its default, as from a shell (the alerter
 * ignores it, and an exec would keep it ignored): a pipeline's writer
 * whose reader is gone dies of it */
START_TEST(test_alert_hook_sigpipe)
{
	char	id[SL_UUID_LEN + 1], *got;

	alerts("sh -c 'kill -PIPE $$'; echo $? >pipe.tmp; mv pipe.tmp pipe",
	    "", "");
	ck_assert_int_eq(chdir(root), 0);
	end_run("piped", SL_FAILED, 1, id);
	got = wait_for(S("pipe"));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, "141\n");	/* 128 + SIGPIPE */
	free(got);
}
END_TEST

/* what the hooks and the mailer run with: nothing blocked, whatever the
 * process that ended the run blocks (an agent keeps SIGTERM and SIGINT
 * blocked, reading them from a signalfd).  The mailer here is python,
 * which keeps the mask it is given (a shell would clear it) */
START_TEST(test_alert_mask_cleared)
{
	char	id[SL_UUID_LEN + 1], *got;
	sigset_t ss, old;
	FILE   *f;

	ck_assert_int_eq(access("/usr/bin/python3", X_OK), 0);
	ck_assert_ptr_nonnull(f = fopen(mailer, "w"));
	fprintf(f, "#!/usr/bin/python3\n"
	    "import os, sys\nsys.stdin.read()\n"
	    "b = [l for l in open('/proc/self/status') if "
	    "l.startswith('SigBlk:')][0].split()[1]\n"
	    "open('%s/blk.tmp', 'w').write(b)\n"
	    "os.rename('%s/blk.tmp', '%s/blk')\n", root, root, root);
	ck_assert_int_eq(fclose(f), 0);
	alerts("", "", "someone@example.org");
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &ss, &old), 0);
	end_run("masked", SL_CRASHED, -1, id);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	got = wait_for(S("blk"));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, "0000000000000000");
	free(got);
}
END_TEST

/* Completed and Cancelled runs alert nobody; a mail address is used as is */
START_TEST(test_alert_only_failures)
{
	char	id[SL_UUID_LEN + 1], *got;

	alerts("echo x >>hooked", "echo x >>hooked", "ops@example.org");
	ck_assert_int_eq(chdir(root), 0);
	end_run("fine", SL_COMPLETED, 0, id);
	end_run("stopped", SL_CANCELLED, -1, id);
	usleep(300000);
	ck_assert(!t_exists(S("hooked")));
	ck_assert(!t_exists(S("mail")));
	end_run("bad", SL_FAILED, 1, id);
	got = wait_for(S("mail"));
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(strstr(got, "-oi -- ops@example.org\n"));
	free(got);
}
END_TEST

/* what can be set: a command with quotes and ';' survives the file */
START_TEST(test_alert_settings)
{
	struct sl_pool p;

	ck_assert_ptr_null(sl_pool_alert_ok("on_failure",
	    "curl -d @- \"https://x/y?a=1\"; logger it-failed", SL_HOOK_MAX));
	ck_assert_ptr_null(sl_pool_alert_ok("on_failure",
	    "logger 'it failed'; exit 0", SL_HOOK_MAX));
	ck_assert_ptr_nonnull(sl_pool_alert_ok("on_failure", "a\nb",
	    SL_HOOK_MAX));
	ck_assert_ptr_nonnull(sl_pool_alert_ok("on_failure",
	    "both \" and ' ; quotes", SL_HOOK_MAX));
	ck_assert_ptr_null(sl_pool_alert_ok("mail", "owner", SL_MAILTO_MAX));
	ck_assert_ptr_null(sl_pool_alert_ok("mail", "a.b@c.d", SL_MAILTO_MAX));
	ck_assert_ptr_null(sl_pool_alert_ok("mail", "", SL_MAILTO_MAX));
	ck_assert_ptr_nonnull(sl_pool_alert_ok("mail", "-f@x", SL_MAILTO_MAX));
	ck_assert_ptr_nonnull(sl_pool_alert_ok("mail", "a@b c@d",
	    SL_MAILTO_MAX));
	ck_assert_ptr_nonnull(sl_pool_alert_ok("mail", "nobody",
	    SL_MAILTO_MAX));
	alerts("curl -d @- \"https://x/y?a=1\"; logger it-failed",
	    "logger 'it failed'; exit 0", "owner");
	ck_assert_int_eq(sl_pool_load(&sp, "P", &p, err, sizeof(err)), 0);
	ck_assert_str_eq(p.on_failure,
	    "curl -d @- \"https://x/y?a=1\"; logger it-failed");
	ck_assert_str_eq(p.on_crash, "logger 'it failed'; exit 0");
	ck_assert_str_eq(p.mail, "owner");
	sl_pool_free(&p);
}
END_TEST

Suite *
suite_alert(void)
{
	Suite  *s = suite_create("alert");
	TCase  *tc = tcase_create("alert");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_alert_failed);
	tcase_add_test(tc, test_alert_crashed_mails_owner);
	tcase_add_test(tc, test_alert_hook_sigpipe);
	tcase_add_test(tc, test_alert_mask_cleared);
	tcase_add_test(tc, test_alert_only_failures);
	tcase_add_test(tc, test_alert_settings);
	suite_add_tcase(s, tc);
	return s;
}
