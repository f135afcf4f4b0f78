/*
 * test_sched.c - lib/sched.c: the time buckets of a queue's sched/.
 *
 * Covered: which names are buckets; a token's bucket and its time; a put
 * makes a missing bucket, believes a lost reply, makes the bucket again
 * when a prune removes it between its mkdir and its rename, and goes on
 * when another putter made it first; a find
 * looks in the bucket, then in sched/ itself; the list of directories is
 * sched/ first, then the buckets in time order, cut to a window; a prune
 * removes only empty buckets whose time has ended; a bucket made
 * by root takes the owner of sched/; runs in sched/ itself are migrated
 * into buckets; what a queue holds is counted without its buckets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

static char *root;
static char sd[1024];

static void
setup(void)
{
	root = t_tmpdir();
	snprintf(sd, sizeof(sd), "%s/sched", root);
	ck_assert_int_eq(mkdir(sd, 0755), 0);
}

static void
teardown(void)
{
	sl_rmtree(root);
	free(root);
	sl_sys.rename = sl_rename;
}

/* tok - a token of time t (static, 4 live at once) */
static const char *
tok(time_t t, unsigned long long u)
{
	static char buf[4][SL_TOKEN_LEN + 1];
	static int k;
	char	id[SL_UUID_LEN + 1];

	k = (k + 1) % 4;
	ck_assert_int_eq(sl_uuid(id), 0);
	sl_token_make(buf[k], t, u, id);
	return buf[k];
}

/* run - a private run directory to put, under root (static) */
static const char *
run(const char *name)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/%s", root, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	return p;
}

START_TEST(test_bucket_names)
{
	static const struct {
		const char *name;
		int	ok;
	} v[] = {
		{ "000000006b1327a", 1 },
		{ "fffffffffffffff", 1 },
		{ "000000000000000", 1 },
		{ "000000006b1327", 0 },	/* 14 */
		{ "000000006b1327a0", 0 },	/* 16 */
		{ "000000006B1327A", 0 },	/* upper case */
		{ "000000006b1327g", 0 },
		{ "000000006b1327.", 0 },
		{ ".00000006b1327a", 0 },
		{ "", 0 },
	};
	char	b[SL_BUCKET_LEN + 1];
	size_t	i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(sl_bucket_ok(v[i].name) == v[i].ok, "%s",
		    v[i].name);
	/* a token is never a bucket, and its bucket is its T >> 4 */
	ck_assert(!sl_bucket_ok(tok(1000, 1)));
	sl_bucket_of(tok(0x6b1327af, 1), b);
	ck_assert_str_eq(b, "000000006b1327a");
	ck_assert(sl_bucket_ok(b));
	ck_assert_int_eq(sl_bucket_time(b), 0x6b1327a0);
	/* the 16 seconds of one bucket, and the next */
	sl_bucket_of(tok(0x6b1327a0, 1), b);
	ck_assert_str_eq(b, "000000006b1327a");
	sl_bucket_of(tok(0x6b1327b0, 1), b);
	ck_assert_str_eq(b, "000000006b1327b");
	/* string order is time order across digit counts */
	for (i = 0; i < 40; i++) {
		char	a[SL_BUCKET_LEN + 1], c[SL_BUCKET_LEN + 1];
		time_t	t = (time_t)1 << i;

		sl_bucket_of(tok(t, 1), a);
		sl_bucket_of(tok(t + 16, 1), c);
		ck_assert_msg(strcmp(a, c) < 0, "%s !< %s", a, c);
		ck_assert_int_le(sl_bucket_time(a), t);
		ck_assert_int_gt(sl_bucket_time(a) + 16, t);
	}
}
END_TEST

START_TEST(test_sched_put_find)
{
	const char *t = tok(0x6b1327af, 5);
	char	path[4096], *at;
	struct stat st;

	/* the bucket is made */
	ck_assert_int_eq(sl_sched_put(run("a"), sd, t, 1), 0);
	snprintf(path, sizeof(path), "%s/000000006b1327a/%s", sd, t);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_ptr_nonnull(at = sl_sched_find(sd, t));
	ck_assert_str_eq(at, path);
	free(at);
	/* a second run of the bucket goes into it */
	t = tok(0x6b1327a1, 6);
	ck_assert_int_eq(sl_sched_put(run("b"), sd, t, 0), 0);
	ck_assert_int_eq(t_sched_count(sd, 0), 2);
	ck_assert_int_eq(t_count(sd, 0), 1);
	/* a reply lost after the rename was done: believed */
	sl_sys.rename = t_lost_rename;
	t = tok(0x6b132800, 7);
	ck_assert_int_eq(sl_sched_put(run("c"), sd, t, 0), 0);
	ck_assert_ptr_nonnull(at = sl_sched_find(sd, t));
	free(at);
	sl_sys.rename = sl_rename;
	/* a run of a writer from before buckets, in sched/ itself */
	t = tok(0x6b132900, 8);
	snprintf(path, sizeof(path), "%s/%s", sd, t);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_ptr_nonnull(at = sl_sched_find(sd, t));
	ck_assert_str_eq(at, path);
	free(at);
	/* nowhere; and a link is not a run */
	ck_assert_ptr_null(sl_sched_find(sd, tok(0x6b132a00, 9)));
	t = tok(0x6b132b00, 10);
	snprintf(path, sizeof(path), "%s/%s", sd, t);
	ck_assert_int_eq(symlink(root, path), 0);
	ck_assert_ptr_null(sl_sched_find(sd, t));
	/* a source that is gone: the rename's ENOENT, no bucket made */
	errno = 0;
	snprintf(path, sizeof(path), "%s/gone", root);
	ck_assert_int_eq(sl_sched_put(path, sd, tok(0x6b132c00, 1), 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/000000006b132c0", sd);
	ck_assert(!t_exists(path));
}
END_TEST

/* a rename seam that removes the (empty) bucket before the first try,
 * as a prune on another host would between our mkdir and our rename */
static int pruned;
static char prune_dir[4096];

static int
pruning_rename(const char *a, const char *b)
{
	if (pruned++ < 2)
		(void)rmdir(prune_dir);
	return rename(a, b);
}

START_TEST(test_sched_put_races_prune)
{
	const char *t = tok(0x6b1327af, 5);
	char   *at;

	snprintf(prune_dir, sizeof(prune_dir), "%s/000000006b1327a", sd);
	ck_assert_int_eq(mkdir(prune_dir, 0755), 0);
	pruned = 0;
	sl_sys.rename = pruning_rename;
	/* removed before the first rename and again before the second: the
	 * third finds the bucket made again */
	ck_assert_int_eq(sl_sched_put(run("a"), sd, t, 1), 0);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(pruned, 3);
	ck_assert_ptr_nonnull(at = sl_sched_find(sd, t));
	free(at);
}
END_TEST

/* a rename seam that, before the first rename, lets "another putter"
 * make the bucket and fails as if it came first: the rename had found
 * no bucket, and the bucket is there when we look */
static int
maker_rename(const char *a, const char *b)
{
	if (pruned++ == 0) {
		ck_assert_int_eq(mkdir(prune_dir, 0755), 0);
		errno = ENOENT;
		return -1;
	}
	return rename(a, b);
}

START_TEST(test_sched_put_races_maker)
{
	const char *t = tok(0x6b1327af, 5);
	char   *at;

	snprintf(prune_dir, sizeof(prune_dir), "%s/000000006b1327a", sd);
	pruned = 0;
	sl_sys.rename = maker_rename;
	ck_assert_int_eq(sl_sched_put(run("a"), sd, t, 1), 0);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(pruned, 2);
	ck_assert_ptr_nonnull(at = sl_sched_find(sd, t));
	free(at);
}
END_TEST

START_TEST(test_sched_dirs)
{
	static const time_t b[] = { 0x6b132800, 0x6b1327a0, 0x6b132810,
	    0x10, 0x6b132900 };
	char	path[4096], **v;
	size_t	n, i;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		snprintf(path, sizeof(path), "%s/%015llx", sd,
		    (unsigned long long)b[i] >> 4);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	/* not buckets: never listed as one */
	snprintf(path, sizeof(path), "%s/%s", sd, tok(0x6b132800, 1));
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/junk", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(sl_sched_dirs(sd, 0, 0, &v, &n), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(v[0], sd);
	snprintf(path, sizeof(path), "%s/000000000000001", sd);
	ck_assert_str_eq(v[1], path);
	snprintf(path, sizeof(path), "%s/000000006b1327a", sd);
	ck_assert_str_eq(v[2], path);
	snprintf(path, sizeof(path), "%s/000000006b13290", sd);
	ck_assert_str_eq(v[5], path);
	sl_strv_free(v, n);
	/* a window: the buckets whose 16 seconds meet it */
	ck_assert_int_eq(sl_sched_dirs(sd, 0x6b1327af, 0x6b132800, &v, &n),
	    0);
	ck_assert_uint_eq(n, 3);
	snprintf(path, sizeof(path), "%s/000000006b1327a", sd);
	ck_assert_str_eq(v[1], path);
	snprintf(path, sizeof(path), "%s/000000006b13280", sd);
	ck_assert_str_eq(v[2], path);
	sl_strv_free(v, n);
	ck_assert_int_eq(sl_sched_dirs(sd, 0x6b132811, 0x6b132811, &v, &n),
	    0);
	ck_assert_uint_eq(n, 2);
	sl_strv_free(v, n);
	/* a sched/ that is not there: itself alone (its readers find it
	 * empty) */
	snprintf(path, sizeof(path), "%s/none", root);
	ck_assert_int_eq(sl_sched_dirs(path, 0, 0, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	sl_strv_free(v, n);
}
END_TEST

/* one read of sched/: its buckets in order, and the runs in it itself */
START_TEST(test_sched_read)
{
	char	path[4096], t[SL_TOKEN_LEN + 1], **v, **f;
	size_t	n, nf;

	snprintf(t, sizeof(t), "%s", tok(0x6b132800, 1));
	snprintf(path, sizeof(path), "%s/000000006b13290", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/000000006b13280", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s", sd, t);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/.hidden", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/junk", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(sl_sched_read(sd, 0, 0, &v, &n, &f, &nf), 0);
	ck_assert_uint_eq(n, 2);
	snprintf(path, sizeof(path), "%s/000000006b13280", sd);
	ck_assert_str_eq(v[0], path);
	snprintf(path, sizeof(path), "%s/000000006b13290", sd);
	ck_assert_str_eq(v[1], path);
	ck_assert_uint_eq(nf, 1);
	ck_assert_str_eq(f[0], t);
	sl_strv_free(v, n);
	sl_strv_free(f, nf);
	/* a window; no flat list asked for */
	ck_assert_int_eq(sl_sched_read(sd, 0x6b132900, 0x6b132900, &v, &n,
	    NULL, NULL), 0);
	ck_assert_uint_eq(n, 1);
	sl_strv_free(v, n);
	/* a sched/ that is not there holds nothing */
	snprintf(path, sizeof(path), "%s/none", root);
	ck_assert_int_eq(sl_sched_read(path, 0, 0, &v, &n, &f, &nf), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(nf, 0);
	/* one that cannot be read (not a directory): -1 */
	snprintf(path, sizeof(path), "%s/file", root);
	t_write(path, "x\n", 2);
	ck_assert_int_eq(sl_sched_read(path, 0, 0, &v, &n, &f, &nf), -1);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_sched_prune)
{
	time_t	now = 0x6b132800;
	char	old[2048], recent[2048], full[2048], path[4096];

	snprintf(old, sizeof(old), "%s/%015llx", sd,	/* ended now */
	    (unsigned long long)(now - 1) >> 4);
	snprintf(recent, sizeof(recent), "%s/%015llx", sd,	/* current */
	    (unsigned long long)now >> 4);
	snprintf(full, sizeof(full), "%s/%015llx", sd,
	    (unsigned long long)(now - 3600) >> 4);
	ck_assert_int_eq(mkdir(old, 0755), 0);
	ck_assert_int_eq(mkdir(recent, 0755), 0);
	ck_assert_int_eq(mkdir(full, 0755), 0);
	snprintf(path, sizeof(path), "%s/x", full);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	sl_sched_prune(old, now);
	sl_sched_prune(recent, now);
	sl_sched_prune(full, now);
	ck_assert(!t_exists(old));
	ck_assert(t_exists(recent));	/* a submit may be putting a run */
	ck_assert(t_exists(path));	/* not empty */
	/* only buckets */
	snprintf(path, sizeof(path), "%s/notabucket", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	sl_sched_prune(path, now);
	ck_assert(t_exists(path));
}
END_TEST

/* root's bucket in a sched/ another user owns is that user's, so that her
 * own submits can put runs in it */
START_TEST(test_sched_put_owner)
{
	const char *t = tok(0x6b1327af, 5);
	char	path[4096];
	struct stat st;

	if (geteuid() != 0)
		return;		/* (only root can give a directory away) */
	ck_assert_int_eq(chown(sd, 1234, 567), 0);
	umask(077);
	ck_assert_int_eq(sl_sched_put(run("a"), sd, t, 0), 0);
	snprintf(path, sizeof(path), "%s/000000006b1327a", sd);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_int_eq(st.st_uid, 1234);
	ck_assert_int_eq(st.st_gid, 567);
	ck_assert_int_eq(st.st_mode & 07777, 0755);	/* whatever the umask */
	ck_assert_int_eq(t_count(sd, 1), 1);	/* no private name left */
	/* one left by a root killed while making one: gone once old */
	snprintf(path, sizeof(path), "%s/.bucket.%016llx."
	    "b06cb709-a3a8-4659-93ff-0ffbc9c186bb", sd,
	    (unsigned long long)time(NULL) - 700);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(sl_sched_migrate(sd), 0);
	ck_assert(!t_exists(path));
}
END_TEST

/* runs a writer from before buckets put in sched/ itself are moved into
 * their buckets; nothing else there is touched */
START_TEST(test_sched_migrate)
{
	const char *t1 = tok(0x6b1327af, 1), *t2 = tok(0x6b132800, 2);
	const char *t3 = tok(0x6b132900, 3);
	char	path[2048], *at;

	snprintf(path, sizeof(path), "%s/%s", sd, t1);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s", sd, t2);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s", sd, t3);	/* a link: no run */
	ck_assert_int_eq(symlink(root, path), 0);
	snprintf(path, sizeof(path), "%s/junk", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(sl_sched_migrate(sd), 2);
	ck_assert_ptr_nonnull(at = sl_sched_find(sd, t1));
	ck_assert_ptr_nonnull(strstr(at, "/000000006b1327a/"));
	free(at);
	ck_assert_ptr_nonnull(at = sl_sched_find(sd, t2));
	ck_assert_ptr_nonnull(strstr(at, "/000000006b13280/"));
	free(at);
	ck_assert(t_exists(path));
	snprintf(path, sizeof(path), "%s/%s", sd, t3);
	ck_assert(t_exists(path));
	ck_assert_int_eq(sl_sched_migrate(sd), 0);	/* nothing left */
}
END_TEST

/* what a queue holds: runs in sched/ and in its buckets, not the buckets
 * (an empty one waits for its prune), not dot names */
START_TEST(test_sched_count)
{
	char	path[2048];

	ck_assert_int_eq(sl_sched_count(sd), 0);
	snprintf(path, sizeof(path), "%s/000000006b1327a", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(sl_sched_count(sd), 0);
	ck_assert_int_eq(sl_sched_put(run("a"), sd, tok(0x6b1327af, 1), 0), 0);
	ck_assert_int_eq(sl_sched_put(run("b"), sd, tok(0x6b132800, 2), 0), 0);
	snprintf(path, sizeof(path), "%s/%s", sd, tok(0x6b132900, 3));
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/000000006b1327a/.x", sd);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(sl_sched_count(sd), 3);
	snprintf(path, sizeof(path), "%s/none", root);
	ck_assert_int_eq(sl_sched_count(path), 0);
}
END_TEST

Suite *
suite_sched(void)
{
	Suite  *s = suite_create("sched");
	TCase  *tc = tcase_create("buckets");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_bucket_names);
	tcase_add_test(tc, test_sched_put_find);
	tcase_add_test(tc, test_sched_put_races_prune);
	tcase_add_test(tc, test_sched_put_races_maker);
	tcase_add_test(tc, test_sched_dirs);
	tcase_add_test(tc, test_sched_read);
	tcase_add_test(tc, test_sched_prune);
	tcase_add_test(tc, test_sched_put_owner);
	tcase_add_test(tc, test_sched_migrate);
	tcase_add_test(tc, test_sched_count);
	suite_add_tcase(s, tc);
	return s;
}
