/*
 * test_fsop.c - lib/fsop.c: the defensive file primitives.
 *
 * Publishing (sl_write_tmp, sl_publish_link, sl_publish_rename), mkdir
 * (sane_mkdir, sl_mkdirs), reading (sl_read_file), removing (sl_rmtree,
 * sl_discard_tree), and the seam sl_sys: fakes that carry out a rename,
 * link or mkdir and then report the error an NFS retransmission returns
 * ("the reply was lost"), and fakes that fail without doing anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

static char *dir;		/* this test's scratch directory */

static void
setup(void)
{
	dir = t_tmpdir();
}

static void
teardown(void)
{
	sl_sys.rename = sl_rename;
	sl_sys.link = sl_link;
	sl_sys.mkdir = sl_mkdir;
	sl_rmtree_hook = NULL;
	sl_rmtree(dir);
	free(dir);
}

/* P - a path in the scratch directory (static, up to 4 live at once) */
static const char *
P(const char *name)
{
	static char buf[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void
check_content(const char *path, const char *want)
{
	char   *got = t_read(path);

	ck_assert_str_eq(got, want);
	free(got);
}

/* ---- the seam: fakes (lost replies: t_lost_* in check_sluice.c) ---- */

/* the call is not carried out and fails */
static int fail_errno;

static int
failing_rename(const char *a, const char *b)
{
	(void)a;
	(void)b;
	t_seam_calls++;
	errno = fail_errno;
	return -1;
}

static int
failing_link(const char *a, const char *b)
{
	(void)a;
	(void)b;
	t_seam_calls++;
	errno = fail_errno;
	return -1;
}

static int
failing_mkdir(const char *p, mode_t m)
{
	(void)p;
	(void)m;
	t_seam_calls++;
	errno = fail_errno;
	return -1;
}

/* ---- publishing ---- */

START_TEST(test_write_tmp)
{
	struct stat st;

	umask(022);
	ck_assert_int_eq(sl_write_tmp(P(".tmp.1"), "hello\n", 6, 0600), 0);
	check_content(P(".tmp.1"), "hello\n");
	ck_assert_int_eq(stat(P(".tmp.1"), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* exclusive: an existing name is refused and kept */
	errno = 0;
	ck_assert_int_eq(sl_write_tmp(P(".tmp.1"), "other", 5, 0600), -1);
	ck_assert_int_eq(errno, EEXIST);
	check_content(P(".tmp.1"), "hello\n");
	/* never through a symlink */
	ck_assert_int_eq(symlink(P("target"), P(".tmp.2")), 0);
	ck_assert_int_eq(sl_write_tmp(P(".tmp.2"), "x", 1, 0644), -1);
	ck_assert(!t_exists(P("target")));
	/* empty content */
	ck_assert_int_eq(sl_write_tmp(P(".tmp.3"), "", 0, 0644), 0);
	check_content(P(".tmp.3"), "");
}
END_TEST

START_TEST(test_publish_link)
{
	ck_assert_int_eq(sl_publish_link(P(".tmp.a"), P("pub"), "one\n", 4), 0);
	check_content(P("pub"), "one\n");
	ck_assert(!t_exists(P(".tmp.a")));

	/* onto an existing name: refused, the old content stays */
	errno = 0;
	ck_assert_int_eq(sl_publish_link(P(".tmp.b"), P("pub"), "two\n", 4),
	    -1);
	ck_assert_int_eq(errno, EEXIST);
	check_content(P("pub"), "one\n");
	ck_assert(!t_exists(P(".tmp.b")));
	ck_assert_int_eq(t_count(dir, 1), 1);
}
END_TEST

START_TEST(test_publish_link_tmp_taken)
{
	t_puts(P(".tmp.a"), "someone else's");
	ck_assert_int_eq(sl_publish_link(P(".tmp.a"), P("pub"), "x", 1), -1);
	ck_assert(!t_exists(P("pub")));
	check_content(P(".tmp.a"), "someone else's");
}
END_TEST

START_TEST(test_publish_rename)
{
	ck_assert_int_eq(sl_publish_rename(P(".tmp.a"), P("pub"), "one", 3), 0);
	check_content(P("pub"), "one");
	ck_assert_int_eq(sl_publish_rename(P(".tmp.b"), P("pub"), "two", 3), 0);
	check_content(P("pub"), "two");
	ck_assert_int_eq(t_count(dir, 1), 1);
}
END_TEST

/* publish by rename writes into a directory only its caller writes: a
 * scratch file left there by a killed predecessor is replaced, and a
 * publication without fsync is as whole as one with */
START_TEST(test_publish_rename_leftover)
{
	t_puts(P(".tmp.a"), "half of an old wri");
	ck_assert_int_eq(sl_publish_rename(P(".tmp.a"), P("pub"), "one", 3), 0);
	check_content(P("pub"), "one");
	t_puts(P(".tmp.a"), "half of an old wri");
	ck_assert_int_eq(sl_publish_nosync(P(".tmp.a"), P("pub"), "two", 3), 0);
	check_content(P("pub"), "two");
	ck_assert_int_eq(t_count(dir, 1), 1);
}
END_TEST

START_TEST(test_publish_rename_fails_clean)
{
	t_mkdir(P("adir"));
	t_puts(P("adir/x"), "x");
	/* a file cannot replace a non-empty directory */
	ck_assert_int_eq(sl_publish_rename(P(".tmp.a"), P("adir"), "one", 3),
	    -1);
	ck_assert(!t_exists(P(".tmp.a")));
	check_content(P("adir/x"), "x");
}
END_TEST

/* ---- directories ---- */

START_TEST(test_sane_mkdir)
{
	struct stat st;

	ck_assert_int_eq(sane_mkdir(P("d"), 0755), 0);
	ck_assert_int_eq(stat(P("d"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(sane_mkdir(P("d"), 0755), 0);	/* exists: ok */
	t_puts(P("f"), "");
	errno = 0;
	ck_assert_int_eq(sane_mkdir(P("f"), 0755), -1);	/* a file */
	ck_assert_int_eq(errno, ENOTDIR);
	errno = 0;
	ck_assert_int_eq(sane_mkdir(P("no/such"), 0755), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_mkdirs)
{
	struct stat st;

	ck_assert_int_eq(sl_mkdirs(P("a/b/c/d"), 0755), 0);
	ck_assert_int_eq(stat(P("a/b/c/d"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(sl_mkdirs(P("a/b/c/d"), 0755), 0);	/* again */
	ck_assert_int_eq(sl_mkdirs(P("a/b/x/"), 0755), 0);	/* trailing / */
	ck_assert_int_eq(stat(P("a/b/x"), &st), 0);
	ck_assert_int_eq(sl_mkdirs(P("a//y"), 0755), 0);
	ck_assert_int_eq(stat(P("a/y"), &st), 0);
	ck_assert_int_eq(sl_mkdirs("/", 0755), 0);
	t_puts(P("a/file"), "");
	ck_assert_int_eq(sl_mkdirs(P("a/file/sub"), 0755), -1);
}
END_TEST

/* counting_mkdir - mkdir, counted: how many directories a call made */
static int
counting_mkdir(const char *p, mode_t m)
{
	t_seam_calls++;
	return mkdir(p, m);
}

/*
 * sl_rename_into makes the target directory only when the rename failed
 * for want of it: a directory that is there costs no mkdir, a missing
 * source is not mistaken for a missing directory, and other errors are
 * the rename's
 */
START_TEST(test_rename_into)
{
	struct stat st;

	t_mkdir(P("to"));
	t_puts(P("a"), "A");
	sl_sys.mkdir = counting_mkdir;
	t_seam_calls = 0;
	ck_assert_int_eq(sl_rename_into(P("a"), P("to/a"), P("to")), 0);
	ck_assert_int_eq(t_seam_calls, 0);	/* there: no mkdir */
	check_content(P("to/a"), "A");

	/* missing: made, then moved */
	ck_assert_int_eq(sl_rename_into(P("to/a"), P("x/y/a"), P("x/y")), 0);
	ck_assert_int_eq(stat(P("x/y"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_gt(t_seam_calls, 0);
	check_content(P("x/y/a"), "A");
	ck_assert(!t_exists(P("to/a")));

	/* the source gone: ENOENT, and no directory made for it */
	t_seam_calls = 0;
	errno = 0;
	ck_assert_int_eq(sl_rename_into(P("none"), P("z/none"), P("z")), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(t_seam_calls, 0);
	ck_assert(!t_exists(P("z")));

	/* another error is kept: a file onto a non-empty directory */
	t_puts(P("b"), "B");
	t_mkdir(P("to/full"));
	t_puts(P("to/full/f"), "");
	errno = 0;
	ck_assert_int_eq(sl_rename_into(P("b"), P("to/full"), P("to")), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(t_seam_calls, 0);
	check_content(P("b"), "B");

	/* a lost reply of a done rename is a success (sane_rename) */
	sl_sys.rename = t_lost_rename;
	ck_assert_int_eq(sl_rename_into(P("b"), P("to/b"), P("to")), 0);
	check_content(P("to/b"), "B");
	sl_sys.rename = sl_rename;
	sl_sys.mkdir = sl_mkdir;
}
END_TEST

/* sl_mkdir_new tries the one mkdir first, and makes parents on ENOENT */
START_TEST(test_mkdir_new)
{
	struct stat st;

	t_mkdir(P("p"));
	sl_sys.mkdir = counting_mkdir;
	t_seam_calls = 0;
	ck_assert_int_eq(sl_mkdir_new(P("p/n"), 0755), 0);
	ck_assert_int_eq(t_seam_calls, 1);
	ck_assert_int_eq(sl_mkdir_new(P("q/r/n"), 0755), 0);
	ck_assert_int_eq(stat(P("q/r/n"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	t_puts(P("f"), "");
	ck_assert_int_eq(sl_mkdir_new(P("f/n"), 0755), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	sl_sys.mkdir = sl_mkdir;
}
END_TEST

/* ---- reading ---- */

START_TEST(test_read_file)
{
	char   *s = NULL;

	t_puts(P("f"), "0123456789");
	ck_assert_int_eq(sl_read_file(P("f"), &s, 10), 10);	/* max: ok */
	ck_assert_str_eq(s, "0123456789");
	free(s);
	s = NULL;
	errno = 0;
	ck_assert_int_eq(sl_read_file(P("f"), &s, 9), -1);	/* max + 1 */
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_ptr_null(s);

	t_puts(P("empty"), "");
	ck_assert_int_eq(sl_read_file(P("empty"), &s, 0), 0);
	ck_assert_str_eq(s, "");
	free(s);

	/* binary content and its length */
	t_write(P("bin"), "a\0b", 3);
	ck_assert_int_eq(sl_read_file(P("bin"), &s, 100), 3);
	ck_assert_mem_eq(s, "a\0b", 4);
	free(s);

	errno = 0;
	ck_assert_int_eq(sl_read_file(P("missing"), &s, 100), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_read_file_refuses)
{
	char   *s = NULL;

	t_puts(P("f"), "data");
	ck_assert_int_eq(symlink(P("f"), P("link")), 0);
	errno = 0;
	ck_assert_int_eq(sl_read_file(P("link"), &s, 100), -1);
	ck_assert_int_eq(errno, ELOOP);
	t_mkdir(P("d"));
	errno = 0;
	ck_assert_int_eq(sl_read_file(P("d"), &s, 100), -1);
	ck_assert_msg(errno == EINVAL || errno == EISDIR, "errno %d", errno);
	ck_assert_int_eq(mkfifo(P("fifo"), 0644), 0);	/* must not block */
	ck_assert_int_eq(sl_read_file(P("fifo"), &s, 100), -1);
	ck_assert_ptr_null(s);
}
END_TEST

/* ---- removing ---- */

START_TEST(test_rmtree)
{
	ck_assert_int_eq(sl_mkdirs(P("t/a/b/c"), 0755), 0);
	t_puts(P("t/a/f"), "x");
	t_puts(P("t/a/b/.hidden"), "x");
	t_puts(P("outside"), "keep");
	ck_assert_int_eq(symlink(P("outside"), P("t/a/link")), 0);
	ck_assert_int_eq(symlink(dir, P("t/a/b/dirlink")), 0);
	ck_assert_int_eq(sl_rmtree(P("t")), 0);
	ck_assert(!t_exists(P("t")));
	check_content(P("outside"), "keep");		/* links not followed */
	ck_assert_int_eq(sl_rmtree(P("t")), 0);		/* gone already: ok */
	t_puts(P("lone"), "x");
	ck_assert_int_eq(sl_rmtree(P("lone")), 0);	/* a plain file */
	ck_assert(!t_exists(P("lone")));
}
END_TEST

/*
 * The attack of issue 10 item 6, made deterministic: the tree's owner
 * swaps a subdirectory for a symbolic link to a directory outside the
 * tree holding a same-named file, between the listing of a directory and
 * the removal of its names.  Nothing outside may go.
 */
static int swapped;
static const char *swap_when;	/* the name whose turn triggers the swap */

static void
swap_hook(int fd, const char *name)
{
	(void)fd;
	if (swapped || strcmp(name, swap_when) != 0)
		return;
	swapped = 1;
	ck_assert_int_eq(rename(P("t/u/sub"), P("t/u/moved")), 0);
	ck_assert_int_eq(symlink(P("victim"), P("t/u/sub")), 0);
}

static void
swap_setup(void)
{
	ck_assert_int_eq(sl_mkdirs(P("t/u/sub/deeper"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(P("victim/deeper"), 0755), 0);
	t_puts(P("t/u/sub/secret"), "user's");
	t_puts(P("t/u/sub/deeper/secret"), "user's");
	t_puts(P("victim/secret"), "root's");
	t_puts(P("victim/deeper/secret"), "root's");
	swapped = 0;
}

START_TEST(test_rmtree_swap_before_descent)
{
	swap_setup();
	swap_when = "sub";	/* swapped just before sub is looked at */
	sl_rmtree_hook = swap_hook;
	ck_assert_int_eq(sl_rmtree(P("t")), 0);
	sl_rmtree_hook = NULL;
	ck_assert(swapped);
	ck_assert(!t_exists(P("t")));
	check_content(P("victim/secret"), "root's");
	check_content(P("victim/deeper/secret"), "root's");
}
END_TEST

START_TEST(test_rmtree_swap_inside)
{
	swap_setup();
	swap_when = "secret";	/* swapped while sub's names are removed */
	sl_rmtree_hook = swap_hook;
	ck_assert_int_eq(sl_rmtree(P("t")), 0);
	sl_rmtree_hook = NULL;
	ck_assert(swapped);
	ck_assert(!t_exists(P("t")));
	check_content(P("victim/secret"), "root's");
	check_content(P("victim/deeper/secret"), "root's");
}
END_TEST

/* a name that changes type between the listing and the action */
static void
retype_hook(int fd, const char *name)
{
	(void)fd;
	if (swapped)
		return;
	if (strcmp(name, "f") == 0) {		/* a file becomes a directory */
		swapped = 1;
		ck_assert_int_eq(unlink(P("t/f")), 0);
		ck_assert_int_eq(sl_mkdirs(P("t/f/inner"), 0755), 0);
	} else if (strcmp(name, "d") == 0) {	/* a directory becomes a file */
		swapped = 1;
		ck_assert_int_eq(sl_rmtree(P("t/d")), 0);
		t_puts(P("t/d"), "x");
	}
}

START_TEST(test_rmtree_retype)
{
	int	i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(sl_mkdirs(P("t/d/x"), 0755), 0);
		t_puts(P("t/f"), "x");
		swapped = 0;
		sl_rmtree_hook = retype_hook;
		ck_assert_int_eq(sl_rmtree(P("t")), 0);
		sl_rmtree_hook = NULL;
		ck_assert(swapped);
		ck_assert(!t_exists(P("t")));
	}
}
END_TEST

/* deeper than the descriptors it holds: removed all the same */
START_TEST(test_rmtree_deep)
{
	char	path[4096];
	size_t	len;
	int	i;

	len = (size_t)snprintf(path, sizeof(path), "%s", P("t"));
	for (i = 0; i < 300; i++)
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/d");
	ck_assert_int_eq(sl_mkdirs(path, 0755), 0);
	t_puts(strcat(path, "/f"), "x");
	ck_assert_int_eq(sl_rmtree(P("t")), 0);
	ck_assert(!t_exists(P("t")));
}
END_TEST

START_TEST(test_rmtree_trailing_slash)
{
	ck_assert_int_eq(sl_mkdirs(P("t/a"), 0755), 0);
	ck_assert_int_eq(sl_rmtree(P("t/")), 0);
	ck_assert(!t_exists(P("t")));
	ck_assert_int_eq(sl_rmtree("."), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_discard_tree)
{
	ck_assert_int_eq(sl_mkdirs(P("pools/P/queues/default/new"), 0755), 0);
	t_puts(P("pools/P/queues/default/new/run"), "x");
	ck_assert_int_eq(sl_discard_tree(P("pools/P"), P("pools")), 0);
	ck_assert(!t_exists(P("pools/P")));
	ck_assert_int_eq(t_count(P("pools"), 1), 0);	/* no .trash. left */
	errno = 0;
	ck_assert_int_eq(sl_discard_tree(P("pools/P"), P("pools")), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_fsync_dir)
{
	ck_assert_int_eq(sl_fsync_dir(dir), 0);
	ck_assert_int_eq(sl_fsync_dir(P("missing")), -1);
}
END_TEST

/* ---- the seam: a call carried out whose reply was lost ---- */

START_TEST(test_seam_lost_rename)
{
	t_puts(P("a"), "A");
	sl_sys.rename = t_lost_rename;
	t_seam_calls = 0;
	ck_assert_int_eq(sane_rename(P("a"), P("b")), 0);
	ck_assert_int_eq(t_seam_calls, 1);
	ck_assert(!t_exists(P("a")));
	check_content(P("b"), "A");

	/* the same through sl_publish_rename, replacing a file */
	ck_assert_int_eq(sl_publish_rename(P(".tmp"), P("b"), "B", 1), 0);
	check_content(P("b"), "B");
	ck_assert_int_eq(t_count(dir, 1), 1);

	/* and directories (sl_discard_tree) */
	t_mkdir(P("d"));
	ck_assert_int_eq(sl_discard_tree(P("d"), dir), 0);
	ck_assert(!t_exists(P("d")));
	ck_assert_int_eq(t_count(dir, 1), 1);
	sl_sys.rename = sl_rename;
}
END_TEST

START_TEST(test_seam_lost_link)
{
	t_puts(P("a"), "A");
	sl_sys.link = t_lost_link;
	t_seam_calls = 0;
	ck_assert_int_eq(sane_link(P("a"), P("b")), 0);
	ck_assert_int_eq(t_seam_calls, 1);
	check_content(P("b"), "A");

	ck_assert_int_eq(sl_publish_link(P(".tmp"), P("c"), "C", 1), 0);
	check_content(P("c"), "C");
	ck_assert(!t_exists(P(".tmp")));
	sl_sys.link = sl_link;
}
END_TEST

START_TEST(test_seam_lost_mkdir)
{
	struct stat st;

	sl_sys.mkdir = t_lost_mkdir;
	t_seam_calls = 0;
	ck_assert_int_eq(sane_mkdir(P("d"), 0755), 0);
	ck_assert_int_eq(t_seam_calls, 1);
	ck_assert_int_eq(stat(P("d"), &st), 0);
	ck_assert_int_eq(sl_mkdirs(P("x/y/z"), 0755), 0);
	ck_assert_int_eq(stat(P("x/y/z"), &st), 0);
	sl_sys.mkdir = sl_mkdir;
}
END_TEST

/* ---- the seam: a call that really failed is still a failure ---- */

START_TEST(test_seam_failed_rename)
{
	static const int errs[] = { ENOENT, EEXIST, EXDEV, EACCES, EIO };
	size_t	i;

	t_puts(P("a"), "A");
	sl_sys.rename = failing_rename;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_errno = errs[i];
		errno = 0;
		ck_assert_int_eq(sane_rename(P("a"), P("b")), -1);
		ck_assert_int_eq(errno, errs[i]);
	}
	/* also when the target exists (someone else's file) */
	t_puts(P("b"), "B");
	fail_errno = EIO;
	ck_assert_int_eq(sane_rename(P("a"), P("b")), -1);
	ck_assert_int_eq(errno, EIO);
	check_content(P("a"), "A");
	check_content(P("b"), "B");
	/* sl_publish_rename cleans up its scratch file */
	errno = 0;
	ck_assert_int_eq(sl_publish_rename(P(".tmp"), P("b"), "C", 1), -1);
	ck_assert_int_eq(errno, EIO);
	ck_assert(!t_exists(P(".tmp")));
	check_content(P("b"), "B");
	sl_sys.rename = sl_rename;
}
END_TEST

START_TEST(test_seam_failed_link)
{
	static const int errs[] = { EEXIST, ENOENT, EXDEV, EPERM, EIO };
	size_t	i;

	t_puts(P("a"), "A");
	sl_sys.link = failing_link;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_errno = errs[i];
		errno = 0;
		ck_assert_int_eq(sane_link(P("a"), P("b")), -1);
		ck_assert_int_eq(errno, errs[i]);
		ck_assert(!t_exists(P("b")));
	}
	/* the target exists, and it is another file */
	t_puts(P("b"), "B");
	fail_errno = EEXIST;
	ck_assert_int_eq(sane_link(P("a"), P("b")), -1);
	ck_assert_int_eq(errno, EEXIST);
	/* sl_publish_link: error kept, scratch removed */
	errno = 0;
	ck_assert_int_eq(sl_publish_link(P(".tmp"), P("c"), "C", 1), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert(!t_exists(P(".tmp")));
	ck_assert(!t_exists(P("c")));
	sl_sys.link = sl_link;
}
END_TEST

START_TEST(test_seam_failed_mkdir)
{
	static const int errs[] = { EACCES, ENOENT, ENOSPC, EIO };
	size_t	i;

	sl_sys.mkdir = failing_mkdir;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_errno = errs[i];
		errno = 0;
		ck_assert_int_eq(sane_mkdir(P("d"), 0755), -1);
		ck_assert_int_eq(errno, errs[i]);
		ck_assert(!t_exists(P("d")));
	}
	fail_errno = EACCES;
	ck_assert_int_eq(sl_mkdirs(P("x/y"), 0755), -1);
	ck_assert_int_eq(errno, EACCES);
	sl_sys.mkdir = sl_mkdir;
}
END_TEST

/*
 * A mkdir that reports EEXIST although nothing is there (made and removed
 * meanwhile, or a lying server) must fail; the error should not claim
 * ENOTDIR ("exists but is not a directory") when nothing exists at all.
 */
START_TEST(test_seam_failed_mkdir_eexist)
{
	int	e;

	sl_sys.mkdir = failing_mkdir;
	fail_errno = EEXIST;
	errno = 0;
	ck_assert_int_eq(sane_mkdir(P("d"), 0755), -1);
	e = errno;
	ck_assert(!t_exists(P("d")));
	ck_assert_msg(e != ENOTDIR, "sane_mkdir: mkdir said EEXIST, nothing "
	    "is at the path, and errno is ENOTDIR (%s)", strerror(e));
	/* the lookup's answer is the cause given, not "File exists" */
	ck_assert_int_eq(e, ENOENT);
	sl_sys.mkdir = sl_mkdir;
}
END_TEST
static int
not_dot(const char *name)
{
	return name[0] != '.';
}

/* join - v's n names joined by ',' (static) */
static const char *
join(char **v, size_t n)
{
	static char b[512];
	size_t	i;

	b[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s%s",
		    i ? "," : "", v[i]);
	return b;
}

/* sl_list_quick: what a listing would say, sorted and filtered, after
 * every change; a missing directory lists nothing */
START_TEST(test_list_quick)
{
	char  **v;
	size_t	n;
	char	d[4096];

	snprintf(d, sizeof(d), "%s", P("q"));
	ck_assert_int_eq(sl_list_quick(d, not_dot, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	t_mkdir(d);
	t_puts(P("q/b"), "");
	t_puts(P("q/a"), "");
	t_puts(P("q/.hidden"), "");
	ck_assert_int_eq(sl_list_quick(d, not_dot, &v, &n), 0);
	ck_assert_str_eq(join(v, n), "a,b");
	sl_strv_free(v, n);
	ck_assert_int_eq(sl_list_quick(d, not_dot, &v, &n), 0);	/* cached */
	ck_assert_str_eq(join(v, n), "a,b");
	sl_strv_free(v, n);
	t_puts(P("q/c"), "");
	ck_assert_int_eq(unlink(P("q/a")), 0);
	ck_assert_int_eq(sl_list_quick(d, not_dot, &v, &n), 0);
	ck_assert_str_eq(join(v, n), "b,c");
	sl_strv_free(v, n);
	/* the same directory made again (a new inode) is listed again */
	ck_assert_int_eq(sl_rmtree(d), 0);
	t_mkdir(d);
	ck_assert_int_eq(sl_list_quick(d, not_dot, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST


Suite *
suite_fsop(void)
{
	Suite  *s = suite_create("fsop");
	TCase  *tc = tcase_create("fsop");
	TCase  *seam = tcase_create("seam");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_tmp);
	tcase_add_test(tc, test_list_quick);
	tcase_add_test(tc, test_publish_link);
	tcase_add_test(tc, test_publish_link_tmp_taken);
	tcase_add_test(tc, test_publish_rename);
	tcase_add_test(tc, test_publish_rename_leftover);
	tcase_add_test(tc, test_publish_rename_fails_clean);
	tcase_add_test(tc, test_sane_mkdir);
	tcase_add_test(tc, test_mkdirs);
	tcase_add_test(tc, test_rename_into);
	tcase_add_test(tc, test_mkdir_new);
	tcase_add_test(tc, test_read_file);
	tcase_add_test(tc, test_read_file_refuses);
	tcase_add_test(tc, test_rmtree);
	tcase_add_test(tc, test_rmtree_swap_before_descent);
	tcase_add_test(tc, test_rmtree_swap_inside);
	tcase_add_test(tc, test_rmtree_retype);
	tcase_add_test(tc, test_rmtree_deep);
	tcase_add_test(tc, test_rmtree_trailing_slash);
	tcase_add_test(tc, test_discard_tree);
	tcase_add_test(tc, test_fsync_dir);
	suite_add_tcase(s, tc);

	tcase_set_timeout(seam, T_TIMEOUT);
	tcase_add_checked_fixture(seam, setup, teardown);
	tcase_add_test(seam, test_seam_lost_rename);
	tcase_add_test(seam, test_seam_lost_link);
	tcase_add_test(seam, test_seam_lost_mkdir);
	tcase_add_test(seam, test_seam_failed_rename);
	tcase_add_test(seam, test_seam_failed_link);
	tcase_add_test(seam, test_seam_failed_mkdir);
	tcase_add_test(seam, test_seam_failed_mkdir_eexist);
	suite_add_tcase(s, seam);
	return s;
}
