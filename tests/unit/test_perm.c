/*
 * test_perm.c - lib/perm.c: who wrote a run (a forged run.ini is refused),
 * the modes of run files and drop boxes, drop ids, requests, and the
 * permission keys of sluice.ini.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

static char *dir;
static char why[SL_ERR_MAX];

static void
setup(void)
{
	dir = t_tmpdir();
	why[0] = '\0';
}

static void
teardown(void)
{
	sl_rmtree(dir);
	free(dir);
}

START_TEST(test_perm_drop_run_id)
{
	const char *u = "0f3e2d1c-0000-4abc-9def-0123456789ab";
	char	a[SL_UUID_LEN + 1], b[SL_UUID_LEN + 1], r[SL_UUID_LEN + 1];
	int	i;

	sl_perm_drop_run_id(1001, u, a);
	sl_perm_drop_run_id(1002, u, b);
	ck_assert(sl_uuid_ok(a));
	ck_assert(sl_uuid_ok(b));
	ck_assert_str_eq(a, "000003e9-0000-8abc-ddef-0123456789ab");
	ck_assert(strncmp(a, "000003e9", 8) == 0);
	ck_assert(strcmp(a, b) != 0);	/* two users never share one */
	ck_assert_int_eq(a[14], '8');
	ck_assert(a[19] == 'c' || a[19] == 'd');
	for (i = 0; i < 200; i++) {	/* random ids are never drop ids */
		ck_assert_int_eq(sl_uuid(r), 0);
		ck_assert(r[19] != 'c' && r[19] != 'd');
	}
	sl_uuid_from(r, "deployment seed");
	ck_assert(r[19] != 'c' && r[19] != 'd');
}
END_TEST

START_TEST(test_perm_drop_id)
{
	char	id[SL_UUID_LEN + 1] = "11111111-1111-4111-8111-111111111111";
	const char *none = "[run]\ncommand = true\n";
	const char *good = "[run]\ncommand = true\n"
	    "drop_id = 0f3e2d1c-0000-4abc-9def-0123456789ab\n";
	const char *bad = "[run]\ncommand = true\ndrop_id = mine\n";
	struct sl_runspec r;

	ck_assert_int_eq(sl_perm_drop_id(none, strlen(none), 5, id, why,
	    sizeof(why)), 0);
	ck_assert_str_eq(id, "11111111-1111-4111-8111-111111111111");
	ck_assert_int_eq(sl_perm_drop_id(good, strlen(good), 5, id, why,
	    sizeof(why)), 0);
	ck_assert_str_eq(id, "00000005-0000-8abc-ddef-0123456789ab");
	ck_assert_int_eq(sl_perm_drop_id(bad, strlen(bad), 5, id, why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, "drop_id = mine: must be a fresh UUID") != NULL,
	    "%s", why);
	/* the strict reader takes the key in a dropped file */
	ck_assert_int_eq(sl_runspec_parse(good, strlen(good), 0, 0, &r, why,
	    sizeof(why)), 0);
	sl_runspec_free(&r);
}
END_TEST

START_TEST(test_perm_is_request)
{
	ck_assert(sl_perm_is_request("[request]\naction = cancel\n", 26));
	ck_assert(sl_perm_is_request("; c\n\n  [request]\n", 18));
	ck_assert(!sl_perm_is_request("[run]\ncommand = true\n", 21));
	ck_assert(!sl_perm_is_request("[req", 4));
}
END_TEST

static void
load_config(const char *text, int want)
{
	char   *f = sl_path(dir, "sluice.ini", (char *)NULL);
	struct sl_config c;

	t_puts(f, text);
	setenv("SLUICE_CONFIG", f, 1);
	ck_assert_int_eq(sl_config_load(&c, why, sizeof(why)), want);
	if (want == 0)
		sl_config_free(&c);
	free(f);
}

START_TEST(test_perm_config)
{
	char   *d = sl_path(dir, "box", (char *)NULL);
	struct stat st;

	load_config("[sluice]\nsubmitters = nosuchgroup-sluice\n", -1);
	ck_assert_msg(strstr(why, "submitters = nosuchgroup-sluice: must be "
	    "owner, all, or the name of a group") != NULL, "%s", why);
	load_config("[sluice]\nadmins = nosuchgroup-sluice\n", -1);
	ck_assert_msg(strstr(why, "admins = nosuchgroup-sluice") != NULL, "%s",
	    why);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	load_config("[sluice]\nsubmitters = all\n", 0);
	ck_assert_int_eq(sl_perm_dropbox(d), 0);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 01777);
	load_config("[sluice]\nsubmitters = owner\n", 0);
	ck_assert_int_eq(sl_perm_dropbox(d), 0);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	free(d);
}
END_TEST

/* published - p is a run file with text, 0640, of our group */
static void
published(const char *p, const char *want)
{
	struct stat st;
	char   *text;

	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(st.st_gid, getegid());
	text = t_read(p);
	ck_assert_str_eq(text, want);
	free(text);
}

START_TEST(test_perm_publish_runfile)
{
	char   *p = sl_path(dir, "run.ini", (char *)NULL), *text;
	struct stat st;

	ck_assert_int_eq(sl_perm_publish_runfile(dir, "run.ini", "x\n", 2,
	    (long)getegid(), 0), 0);
	published(p, "x\n");
	ck_assert_int_eq(sl_perm_publish_runfile(dir, "run.ini", "y\n", 2, -1,
	    0), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	free(p);
	/* a scratch file a killed writer left is replaced */
	p = sl_path(dir, ".run.ini.tmp", (char *)NULL);
	t_puts(p, "old scratch\n");
	ck_assert_int_eq(sl_perm_publish_runfile(dir, "run.ini", "z\n", 2,
	    (long)getegid(), 0), 0);
	ck_assert_int_eq(access(p, F_OK), -1);
	free(p);
	p = sl_path(dir, "run.ini", (char *)NULL);
	text = t_read(p);
	ck_assert_str_eq(text, "z\n");
	free(text);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	free(p);
}
END_TEST

/*
 * sl_perm_publish_runfile, fresh (a private directory just made): run.ini
 * made under its own name, with no scratch name and no rename, with the
 * same group and mode; a failed write leaves no run.ini behind
 */
START_TEST(test_perm_publish_runfile_fresh)
{
	char   *d = sl_path(dir, "fresh", (char *)NULL), *p, *text;
	struct rlimit rl, was;
	int	rc, e;

	ck_assert_int_eq(mkdir(d, 0755), 0);
	p = sl_path(d, "run.ini", (char *)NULL);
	t_seam_calls = 0;
	sl_sys.rename = t_counted_rename;
	ck_assert_int_eq(sl_perm_publish_runfile(d, "run.ini", "x\n", 2,
	    (long)getegid(), 1), 0);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(t_seam_calls, 0);
	published(p, "x\n");
	text = sl_path(d, ".run.ini.tmp", (char *)NULL);
	ck_assert_int_eq(access(text, F_OK), -1);
	free(text);
	ck_assert_int_eq(unlink(p), 0);
	/* a write that fails (over RLIMIT_FSIZE) leaves nothing; the limit
	 * is put back before anything is asserted (Check writes files) */
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
	rl = was;
	rl.rlim_cur = 1;
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	rc = sl_perm_publish_runfile(d, "run.ini", "too long\n", 9,
	    (long)getegid(), 1);
	e = errno;
	(void)setrlimit(RLIMIT_FSIZE, &was);
	signal(SIGXFSZ, SIG_DFL);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(e, EFBIG);
	ck_assert_int_eq(access(p, F_OK), -1);
	free(p);
	free(d);
}
END_TEST

/* sl_perm_runfile_st: a file with the group and mode already is left
 * alone; another is given them, as by sl_perm_runfile_fd */
START_TEST(test_perm_runfile_st)
{
	char   *p = sl_path(dir, "log", (char *)NULL);
	struct stat st;
	int	fd;

	ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(sl_perm_runfile_st(fd, (long)getegid(), &st), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	/* now right: nothing is changed, even a mode we then alter behind
	 * its back (the stat given is what it judges by) */
	ck_assert_int_eq(fchmod(fd, 0604), 0);
	ck_assert_int_eq(sl_perm_runfile_st(fd, (long)getegid(), &st), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0604);
	/* no group to give: 0600 */
	ck_assert_int_eq(sl_perm_runfile_st(fd, -1, &st), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	close(fd);
	free(p);
}
END_TEST

/* a run directory with a run.ini chowned to uid:gid; parsed into r */
static char *
forged(long uid, long gid, long owner_uid, long owner_gid,
    struct sl_runspec *r, struct stat *st)
{
	struct sl_buf b = { 0 };
	char   *rd = sl_path(dir, "run", (char *)NULL), *p, *text;

	ck_assert_int_eq(mkdir(rd, 0755), 0);
	p = sl_path(rd, "run.ini", (char *)NULL);
	sl_buf_printf(&b, "[run]\nid = 11111111-1111-4111-8111-111111111111\n"
	    "pool = p\nqueue = default\ncommand = true\nattempt = 1\n"
	    "owner_uid = %ld\nowner_gid = %ld\n", owner_uid, owner_gid);
	t_puts(p, b.s);
	sl_buf_free(&b);
	ck_assert_int_eq(chown(p, (uid_t)uid, (gid_t)gid), 0);
	ck_assert_int_gt(sl_perm_read_run(rd, &text, st), 0);
	ck_assert_int_eq(sl_runspec_parse(text, strlen(text), 0, 1, r, why,
	    sizeof(why)), 0);
	free(text);
	free(p);
	return rd;
}

START_TEST(test_perm_check_run)
{
	struct sl_spool sp = { 0 };
	struct sl_runspec r;
	struct passwd *pw;
	struct stat st;
	char   *rd, *p, *l;
	long	u, g;

	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL)
		return;		/* needs root to chown, and a second user */
	u = (long)pw->pw_uid;
	g = (long)pw->pw_gid;
	sp.root = dir;		/* root's spool */
	/* nobody forges a run of root's: refused, saying who wrote it */
	rd = forged(u, g, 0, 0, &r, &st);
	ck_assert_int_eq(sl_perm_check_run(&sp, rd, &st, &r, why, sizeof(why)),
	    -1);
	ck_assert_msg(strstr(why, "was written by uid") != NULL &&
	    strstr(why, "owned by uid 0 (root)") != NULL, "%s", why);
	sl_runspec_free(&r);
	sl_rmtree(rd);
	free(rd);
	/* a run of nobody's own, with root's group: refused */
	rd = forged(u, g, u, 0, &r, &st);
	ck_assert_int_eq(sl_perm_check_run(&sp, rd, &st, &r, why, sizeof(why)),
	    -1);
	ck_assert_msg(strstr(why, "names group 0, which is not one of") != NULL,
	    "%s", why);
	sl_runspec_free(&r);
	sl_rmtree(rd);
	free(rd);
	/* a run of nobody's own, with nobody's group: may run */
	rd = forged(u, g, u, g, &r, &st);
	ck_assert_int_eq(sl_perm_check_run(&sp, rd, &st, &r, why, sizeof(why)),
	    0);
	sl_runspec_free(&r);
	/* ... but not in a directory another user owns */
	ck_assert_int_eq(chown(rd, 1, 1), 0);	/* daemon */
	if (getpwuid(1) != NULL && u != 1) {
		r.owner_uid = u;
		ck_assert_int_eq(sl_perm_check_run(&sp, rd, &st, &r, why,
		    sizeof(why)), -1);
		ck_assert_msg(strstr(why, "its directory is owned by uid 1") !=
		    NULL, "%s", why);
	}
	sl_rmtree(rd);
	free(rd);
	/* root's run, written by root: fine; with a second link: refused */
	rd = forged(0, 0, 0, 0, &r, &st);
	ck_assert_int_eq(sl_perm_check_run(&sp, rd, &st, &r, why, sizeof(why)),
	    0);
	sl_runspec_free(&r);
	p = sl_path(rd, "run.ini", (char *)NULL);
	l = sl_path(dir, "other", (char *)NULL);
	ck_assert_int_eq(link(p, l), 0);
	{
		char   *text;

		ck_assert_int_gt(sl_perm_read_run(rd, &text, &st), 0);
		ck_assert_int_eq(sl_runspec_parse(text, strlen(text), 0, 1, &r,
		    why, sizeof(why)), 0);
		free(text);
	}
	ck_assert_int_eq(sl_perm_check_run(&sp, rd, &st, &r, why, sizeof(why)),
	    -1);
	ck_assert_msg(strstr(why, "2 hard links") != NULL, "%s", why);
	sl_runspec_free(&r);
	/* a symbolic link is not read */
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(symlink(l, p), 0);
	{
		char   *text;

		ck_assert_int_eq(sl_perm_read_run(rd, &text, &st), -1);
		ck_assert_int_eq(errno, ELOOP);
	}
	free(p);
	free(l);
	free(rd);
}
END_TEST

Suite *
suite_perm(void)
{
	Suite  *s = suite_create("perm");
	TCase  *tc = tcase_create("perm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_perm_drop_run_id);
	tcase_add_test(tc, test_perm_drop_id);
	tcase_add_test(tc, test_perm_is_request);
	tcase_add_test(tc, test_perm_config);
	tcase_add_test(tc, test_perm_publish_runfile);
	tcase_add_test(tc, test_perm_publish_runfile_fresh);
	tcase_add_test(tc, test_perm_runfile_st);
	tcase_add_test(tc, test_perm_check_run);
	suite_add_tcase(s, tc);
	return s;
}
