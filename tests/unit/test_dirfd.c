/*
 * test_dirfd.c - lib/dirfd.c: calls by path under a spool walked from the
 * descriptor of the path's deepest fixed directory.
 *
 * Which directories count as fixed (never a run's, a slot's, a bucket's
 * or a dotted one: those move), that a descriptor is reused and not opened
 * per call, that a renamed or removed pool is forgotten at once, so that
 * a pool made again under its name is the one a call reaches, and that a
 * run directory moved by another process is never reached by its old name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

static struct sl_spool sp;
static char *root;

static void
setup(void)
{
	root = t_spool(&sp);	/* registers root with dirfd.c */
}

static void
teardown(void)
{
	sl_rmtree(root);
	free(root);
	sl_dirfd_flush();
	sl_dirfd_window_ms = 1000;
}

/* P - a path under the spool (static, up to 4 live at once) */
static const char *
P(const char *rel)
{
	static char buf[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", root, rel);
	return buf[k];
}

static void
mkpool(const char *pool)
{
	static const char *const sub[] = { "", "/tmp", "/running", "/done",
	    "/slots", "/pending", "/queues", "/queues/q", "/queues/q/sched",
	    "/queues/q/sched/B", "/queues/q/new", NULL };
	char	p[4096];
	size_t	i;

	for (i = 0; sub[i] != NULL; i++) {
		snprintf(p, sizeof(p), "%s/pools/%s%s", root, pool, sub[i]);
		t_mkdir(p);
	}
}

/* the name sl_dirfd_at leaves relative to its descriptor */
static const char *
rel_of(const char *path, int *fd)
{
	const char *rel;

	*fd = sl_dirfd_at(path, &rel);
	return rel;
}

START_TEST(test_dirfd_fixed)
{
	static const struct {
		const char *path;	/* under root */
		const char *rel;	/* NULL: the path itself, AT_FDCWD */
	} c[] = {
		{ "pools/P/running/R/lease", "R/lease" },
		{ "pools/P/running/R", "R" },
		{ "pools/P/done/R.Completed", "R.Completed" },
		{ "pools/P/tmp/.slot.U/R", ".slot.U/R" },
		{ "pools/P/slots/a.X.0/R", "a.X.0/R" },
		{ "pools/P/pending/A/.claim.x", "A/.claim.x" },
		{ "pools/P/queues/q/sched/B/T", "B/T" },
		{ "pools/P/queues/q/new/f", "f" },
		{ "pools/P/queues/q/other", "other" },	/* from queues/q */
		{ "pools/P/queues/q", "q" },		/* from queues/ */
		{ "pools/P/config/v1.ini", "config/v1.ini" },	/* from P */
		{ "pools/P", "P" },			/* from pools/ */
		{ "ids/ab/ID", "ab/ID" },
		{ "pools/.trash.U/running/R", ".trash.U/running/R" },
		{ "pools/P/queues/.new.U/sched", ".new.U/sched" },
		{ "pools/P/running/../done/R", NULL },	/* as it is */
		{ "pools/P/running/", NULL },	/* as it is */
		{ "pools", NULL },		/* the root is not kept */
		{ "deployments/D/v1", NULL },
	};
	const char *rel;
	char	other[4096];
	size_t	i;
	int	fd;

	mkpool("P");
	t_mkdir(P("ids"));
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		rel = rel_of(P(c[i].path), &fd);
		if (c[i].rel == NULL) {
			ck_assert_msg(fd == AT_FDCWD, "%s: a descriptor",
			    c[i].path);
			ck_assert_str_eq(rel, P(c[i].path));
		} else {
			ck_assert_msg(fd >= 0, "%s: no descriptor", c[i].path);
			ck_assert_str_eq(rel, c[i].rel);
		}
	}
	/* outside the spool, and relative paths: untouched */
	rel = rel_of("/proc/self/stat", &fd);
	ck_assert_int_eq(fd, AT_FDCWD);
	ck_assert_str_eq(rel, "/proc/self/stat");
	rel = rel_of("pools/P/running/R", &fd);
	ck_assert_int_eq(fd, AT_FDCWD);
	/* a spool whose name begins like ours is another spool */
	snprintf(other, sizeof(other), "%sx/pools/P/running/R", root);
	rel = rel_of(other, &fd);
	ck_assert_int_eq(fd, AT_FDCWD);
	ck_assert_str_eq(rel, other);
}
END_TEST

/* a descriptor is reused within the window (the directory it names,
 * replaced meanwhile by another process, is still the one reached) and
 * opened again after it */
START_TEST(test_dirfd_reused)
{
	struct stat st, a, b;
	int	fd, n;

	sl_dirfd_window_ms = 3600 * 1000;	/* the steps below: within */
	mkpool("P");
	ck_assert_int_eq(stat(P("pools/P/running"), &a), 0);
	ck_assert_int_eq(sl_lstat(P("pools/P/running/f"), &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	n = sl_dirfd_count();
	ck_assert_int_eq(n, 3);		/* pools/, P/, running/ */
	(void)rel_of(P("pools/P/running/f"), &fd);
	ck_assert_int_ge(fd, 4);	/* clear of 0-3 */
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	/* another process replaces running/ */
	ck_assert_int_eq(rename(P("pools/P/running"), P("pools/P/old")), 0);
	t_mkdir(P("pools/P/running"));
	ck_assert_int_eq(stat(P("pools/P/running"), &b), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(st.st_ino == a.st_ino);
	ck_assert_int_eq(sl_mkdir(P("pools/P/running/x"), 0755), 0);
	ck_assert_int_eq(lstat(P("pools/P/old/x"), &st), 0);	/* the old */
	ck_assert_int_eq(sl_dirfd_count(), n);
	sl_dirfd_window_ms = 0;	/* past it: opened again */
	ck_assert_int_eq(sl_mkdir(P("pools/P/running/y"), 0755), 0);
	ck_assert_int_eq(lstat(P("pools/P/running/y"), &st), 0);
	(void)rel_of(P("pools/P/running/f"), &fd);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(st.st_ino == b.st_ino);
	ck_assert_int_eq(sl_dirfd_count(), n);
	sl_dirfd_flush();
	ck_assert_int_eq(sl_dirfd_count(), 0);
}
END_TEST

/* pool_again - P's pool/ and pending/ known to this process (within a
 * window of an hour), then P deleted and made again by "another process",
 * with run T in the new one's sched/B/; the old one's sched/ removed
 * already if gone */
static void
pool_again(int gone)
{
	struct stat st;

	sl_dirfd_window_ms = 3600 * 1000;
	mkpool("P");
	ck_assert_int_eq(sl_lstat(P("pools/P/pending/A"), &st), -1);
	ck_assert_int_eq(rename(P("pools/P"), P("pools/.trash.1")), 0);
	if (gone)
		ck_assert_int_eq(sl_rmtree(P("pools/.trash.1/queues/q/sched")),
		    0);
	mkpool("P");
	t_mkdir(P("pools/P/queues/q/sched/B/T"));
	t_mkdir(P("pools/P/pending/A"));
	t_mkdir(P("pools/.trash.1/pending/A"));
}

/* another process deletes the pool and makes it again: every descriptor
 * of it this process uses at once is of one opening of the pool, so a
 * run of the new pool is never moved into the old one's trash */
START_TEST(test_dirfd_one_pool)
{
	struct stat st;

	pool_again(0);
	/* within the window: the old pool, whole: its sched/ has no T */
	ck_assert_int_eq(sl_rename(P("pools/P/queues/q/sched/B/T"),
	    P("pools/P/pending/A/T")), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(lstat(P("pools/P/queues/q/sched/B/T"), &st), 0);
	ck_assert_int_eq(lstat(P("pools/.trash.1/pending/A/T"), &st), -1);
	sl_dirfd_window_ms = 0;	/* then the new one */
	ck_assert_int_eq(sl_rename(P("pools/P/queues/q/sched/B/T"),
	    P("pools/P/pending/A/T")), 0);
	ck_assert_int_eq(lstat(P("pools/P/pending/A/T"), &st), 0);
}
END_TEST

/* the same, with the old pool's sched/ removed already (the deleter's
 * sl_rmtree under way): that name cannot be found by descriptors, so
 * both go by path, never one through the old pool and one by the path
 * that reaches the new */
START_TEST(test_dirfd_mixed)
{
	struct stat st;

	pool_again(1);
	ck_assert_int_eq(sl_rename(P("pools/P/queues/q/sched/B/T"),
	    P("pools/P/pending/A/T")), 0);
	ck_assert_int_eq(lstat(P("pools/P/pending/A/T"), &st), 0);
	ck_assert_int_eq(lstat(P("pools/.trash.1/pending/A/T"), &st), -1);
}
END_TEST

/* in_child - fn(arg) in a child, whose exit status must be 0 */
static void
in_child(int (*fn)(int), int arg)
{
	int	status;
	pid_t	pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fn(arg));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child(%d): %d", arg, status);
}

/* floor_child - in a child with 0-2 and 3 closed and no descriptor kept,
 * a call under the spool with the given floor (0: the default); exits 0
 * when no kept one is below the floor and 3 is taken exactly when the
 * floor allows it */
static int
floor_child(int lowfd)
{
	struct stat st;
	int	fd, want3 = lowfd <= 3;

	if (lowfd)
		sl_dirfd_floor(lowfd);
	sl_dirfd_flush();
	for (fd = 0; fd <= 3; fd++)
		(void)close(fd);
	if (sl_lstat(P("pools/P/queues/q/sched/x"), &st) == 0 ||
	    errno != ENOENT)
		return 1;
	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			return 2;
	if ((fcntl(3, F_GETFD) != -1) != want3)
		return 3;
	return sl_dirfd_count() == 5 ? 0 : 4;
}

/* kept descriptors are never on 0-2; on 3 except in an agent, which
 * keeps 3 for its pipe (sl_dirfd_floor): a submit moved every opening
 * off 3, two calls each */
START_TEST(test_dirfd_floor)
{
	mkpool("P");
	in_child(floor_child, 0);
	in_child(floor_child, 4);
}
END_TEST

/* a command (sl_dirfd_oneshot) takes no descriptors for a spool on a
 * local disk: each would be an open more than the call it serves; a
 * daemon does (a spool registered without it, in a second child).  A test
 * root on a network filesystem (or one not known local) keeps them */
static int
oneshot_child(int one)
{
	struct sl_spool sp2;
	const char *rel;
	char   *r2, p[4096];
	int	fd;

	if (one)
		sl_dirfd_oneshot();
	r2 = t_spool(&sp2);	/* registered after it */
	snprintf(p, sizeof(p), "%s/pools/x", r2);
	fd = sl_dirfd_at(p, &rel);
	if (!sl_local_fs(r2))
		one = 0;
	(void)sl_rmtree(r2);
	return one ? (fd == AT_FDCWD && rel == p ? 0 : 1) :
	    (fd >= 3 && strcmp(rel, "x") == 0 ? 0 : 2);
}

START_TEST(test_dirfd_oneshot)
{
	in_child(oneshot_child, 1);
	in_child(oneshot_child, 0);
}
END_TEST

/* kept_two - pool P, and running/ and done/ kept open: their numbers */
static void
kept_two(int *a, int *b)
{
	struct stat st;

	mkpool("P");
	ck_assert_int_eq(sl_lstat(P("pools/P/running/x"), &st), -1);
	ck_assert_int_eq(sl_lstat(P("pools/P/done/x"), &st), -1);
	(void)rel_of(P("pools/P/running/x"), a);
	(void)rel_of(P("pools/P/done/x"), b);
}

/* a supervisor's start: every other descriptor from 3 up closed, the
 * kept ones not (its calls use them, no open of its own) */
START_TEST(test_dirfd_closefrom)
{
	struct stat st;
	int	p[2], a, b, status;
	pid_t	pid;

	kept_two(&a, &b);
	ck_assert_int_eq(pipe(p), 0);	/* numbered around them */
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		sl_dirfd_closefrom(3);
		_exit(fcntl(p[0], F_GETFD) != -1 || fcntl(p[1], F_GETFD) != -1 ?
		    1 : fcntl(a, F_GETFD) < 0 || fcntl(b, F_GETFD) < 0 ? 2 :
		    sl_dirfd_count() != 4 ? 3 :
		    sl_mkdir(P("pools/P/done/y"), 0755) < 0 ? 4 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child: %d", status);
	ck_assert_int_eq(lstat(P("pools/P/done/y"), &st), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* a keeper's reset: the same, sparing one more (its warm recorder's
 * channel), wherever it falls among the kept ones; none below lowfd */
START_TEST(test_dirfd_closefrom_but)
{
	int	p[2], q[2], a, b, status;
	pid_t	pid;

	kept_two(&a, &b);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		sl_dirfd_closefrom_but(3, p[1]);
		_exit(fcntl(p[0], F_GETFD) != -1 || fcntl(q[0], F_GETFD) != -1 ||
		    fcntl(q[1], F_GETFD) != -1 ? 1 :
		    fcntl(p[1], F_GETFD) < 0 ? 2 :
		    fcntl(a, F_GETFD) < 0 || fcntl(b, F_GETFD) < 0 ? 3 :
		    sl_dirfd_count() != 4 ? 4 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child: %d", status);
	/* a spare below lowfd is not there to spare: closed by nobody */
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		sl_dirfd_closefrom_but(q[1] + 1, p[0]);
		_exit(fcntl(p[0], F_GETFD) < 0 || fcntl(q[1], F_GETFD) < 0 ?
		    1 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child 2: %d", status);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}
END_TEST

/* more directories than descriptors kept: a rename's two names are found
 * at once, neither's descriptor closed for the other's */
START_TEST(test_dirfd_full)
{
	char	a[64], b[64], c[64];
	struct stat st;
	int	i;

	for (i = 0; i < 16; i++) {
		snprintf(a, sizeof(a), "P%d", i);
		mkpool(a);
	}
	for (i = 0; i < 16; i++) {
		snprintf(a, sizeof(a), "pools/P%d/running/f", i);
		snprintf(b, sizeof(b), "pools/P%d/done/f", i);
		t_write(P(a), "x", 1);
		ck_assert_int_eq(sl_rename(P(a), P(b)), 0);
		ck_assert_int_le(sl_dirfd_count(), 32);
	}
	for (i = 0; i < 16; i++) {	/* each the least used, by turns */
		snprintf(a, sizeof(a), "pools/P%d/done/f", i);
		snprintf(b, sizeof(b), "pools/P%d/slots/f", (i + 7) % 16);
		snprintf(c, sizeof(c), "pools/P%d/tmp/f", (i + 7) % 16);
		ck_assert_msg(sl_rename(P(a), P(b)) == 0, "%s: %s", a,
		    strerror(errno));
		ck_assert_int_eq(sl_link(P(b), P(c)), 0);
		ck_assert_int_eq(lstat(P(c), &st), 0);
	}
}
END_TEST

/* a pool deleted (renamed into the trash) and made again: a call by its
 * path reaches the new one, not the trash */
START_TEST(test_dirfd_pool_again)
{
	struct stat st;
	int	fd;

	mkpool("P");
	fd = sl_open(P("pools/P/running/a"), O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(sane_rename(P("pools/P"), P("pools/.trash.1")), 0);
	mkpool("P");
	fd = sl_open(P("pools/P/running/b"), O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(lstat(P("pools/P/running/b"), &st), 0);
	ck_assert_int_eq(lstat(P("pools/.trash.1/running/b"), &st), -1);
	/* removed by sl_rmtree and made again: the same */
	ck_assert_int_eq(sl_rmtree(P("pools/P")), 0);
	mkpool("P");
	ck_assert_int_eq(sl_mkdir(P("pools/P/running/c"), 0755), 0);
	ck_assert_int_eq(lstat(P("pools/P/running/c"), &st), 0);
}
END_TEST

/* a run's directory moved by another process (crash detection renames
 * running/R away): its old name reaches nothing, whatever was called on
 * it before */
START_TEST(test_dirfd_run_moved)
{
	struct stat st;
	int	fd;

	mkpool("P");
	t_mkdir(P("pools/P/running/R"));
	t_write(P("pools/P/running/R/lease"), "1", 1);
	ck_assert_int_eq(sl_lstat(P("pools/P/running/R/lease"), &st), 0);
	ck_assert_int_eq(rename(P("pools/P/running/R"),
	    P("pools/P/done/R.Crashed")), 0);
	fd = sl_open(P("pools/P/running/R/lease"), O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sl_rename(P("pools/P/running/R"),
	    P("pools/P/done/R.Completed")), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sl_lstat(P("pools/P/done/R.Crashed/lease"), &st), 0);
}
END_TEST

/* the calls themselves: each does what its path form does */
START_TEST(test_dirfd_calls)
{
	struct stat st;
	mode_t	um = umask(022);
	DIR    *d;
	int	fd, n = 0;

	mkpool("P");
	ck_assert_int_eq(sl_mkdir(P("pools/P/tmp/.slot.U"), 0755), 0);
	ck_assert_int_eq(sl_mkdir(P("pools/P/tmp/.slot.U"), 0755), -1);
	ck_assert_int_eq(errno, EEXIST);
	fd = sl_open(P("pools/P/tmp/.slot.U/R"), O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0640);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640 & ~022);
	(void)umask(um);
	close(fd);
	ck_assert_int_eq(sl_rename(P("pools/P/tmp/.slot.U"),
	    P("pools/P/slots/a.X.0")), 0);
	ck_assert_int_eq(sl_stat(P("pools/P/slots/a.X.0/R"), &st), 0);
	ck_assert_int_eq(sl_link(P("pools/P/slots/a.X.0/R"),
	    P("pools/P/done/L")), 0);
	ck_assert_int_eq(lstat(P("pools/P/done/L"), &st), 0);
	ck_assert_int_eq(st.st_nlink, 2);
	ck_assert_ptr_nonnull(d = sl_opendir(P("pools/P/slots/a.X.0")));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	ck_assert_int_eq(n, 3);
	ck_assert_ptr_null(sl_opendir(P("pools/P/slots/a.X.1")));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sl_rmdir(P("pools/P/slots/a.X.0")), -1);
	ck_assert_int_eq(errno, ENOTEMPTY);
	ck_assert_int_eq(sl_unlink(P("pools/P/slots/a.X.0/R")), 0);
	ck_assert_int_eq(sl_rmdir(P("pools/P/slots/a.X.0")), 0);
	ck_assert_int_eq(lstat(P("pools/P/slots/a.X.0"), &st), -1);
	/* O_NOFOLLOW and a symbolic link: as by path */
	ck_assert_int_eq(symlink("/etc/passwd", P("pools/P/done/S")), 0);
	ck_assert_int_eq(sl_open(P("pools/P/done/S"), O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC), -1);
	ck_assert_int_eq(errno, ELOOP);
}
END_TEST

Suite *
suite_dirfd(void)
{
	Suite  *s = suite_create("dirfd");
	TCase  *tc = tcase_create("dirfd");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dirfd_fixed);
	tcase_add_test(tc, test_dirfd_reused);
	tcase_add_test(tc, test_dirfd_one_pool);
	tcase_add_test(tc, test_dirfd_mixed);
	tcase_add_test(tc, test_dirfd_closefrom);
	tcase_add_test(tc, test_dirfd_closefrom_but);
	tcase_add_test(tc, test_dirfd_floor);
	tcase_add_test(tc, test_dirfd_oneshot);
	tcase_add_test(tc, test_dirfd_full);
	tcase_add_test(tc, test_dirfd_pool_again);
	tcase_add_test(tc, test_dirfd_run_moved);
	tcase_add_test(tc, test_dirfd_calls);
	suite_add_tcase(s, tc);
	return s;
}
