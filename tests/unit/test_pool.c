/*
 * test_pool.c - lib/pool.c: work pools and work queues in a spool.
 *
 * Every test gets a fresh spool (a temp dir with pools/ in it).  Covered:
 * creating pools (and "already exists"), pools made by a bare mkdir,
 * the versioned configuration and its compare-and-swap update, queue
 * priorities (push-down placement, sparse numbers, "last"), queues made by
 * mkdir (unregistered, then registered by the next write), deleting
 * queues and pools (refused while they hold runs), run and agent counts,
 * and the sl_sys seam: link/rename/mkdir calls that succeed but report
 * failure, a rival writer winning the race, and calls that really fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

static char *root;
static struct sl_spool sp;
static char err[SL_ERR_MAX];

static void
setup(void)
{
	root = t_spool(&sp);
	err[0] = '\0';
}

static void
teardown(void)
{
	sl_sys.rename = sl_rename;
	sl_sys.link = sl_link;
	sl_sys.mkdir = sl_mkdir;
	sl_rmtree(root);
	free(root);
}

/* S - a path under the spool root, printf-style (static, 4 live at once) */
static const char *
S(const char *fmt, ...)
{
	static char buf[4][4096];
	static int k;
	int	n;
	va_list	ap;

	k = (k + 1) % 4;
	n = snprintf(buf[k], sizeof(buf[k]), "%s/", root);
	va_start(ap, fmt);
	vsnprintf(buf[k] + n, sizeof(buf[k]) - (size_t)n, fmt, ap);
	va_end(ap);
	return buf[k];
}

static void
create(const char *name)
{
	ck_assert_msg(sl_pool_create(&sp, name, 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "create pool %s: %s", name, err);
}

static void
load(const char *name, struct sl_pool *p)
{
	ck_assert_msg(sl_pool_load(&sp, name, p, err, sizeof(err)) == 0,
	    "load pool %s: %s", name, err);
}

/* order - "name:prio name:prio ..." of a loaded pool (static buffer) */
static const char *
order(const struct sl_pool *p)
{
	static char buf[2048];
	size_t	i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < p->nq && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s:%ld",
		    i ? " " : "", p->q[i].name, p->q[i].priority);
	return buf;
}

static void
check_order(const char *pool, const char *want)
{
	struct sl_pool p;

	load(pool, &p);
	ck_assert_str_eq(order(&p), want);
	sl_pool_free(&p);
}

static int
versions(const char *pool)
{
	return t_count_prefix(S("pools/%s/config", pool), "v");
}

static void
new_queue(const char *pool, const char *q, long prio)
{
	ck_assert_msg(sl_queue_create(&sp, pool, q, prio, SL_NOLIMIT, NULL,
	    NULL, err, sizeof(err)) == 0, "create queue %s: %s", q, err);
}

/* ---- edits ---- */

static int
edit_pause(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)arg;
	(void)e;
	(void)elen;
	p->paused = 1;
	return 0;
}

static int
edit_limit(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	p->limit = *(long *)arg;
	return 0;
}

static int
edit_none(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)p;
	(void)arg;
	(void)e;
	(void)elen;
	return 1;
}

static int
edit_refuse(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)p;
	(void)arg;
	snprintf(e, elen, "refused by the edit");
	return -1;
}

static int
edit_rewrite(struct sl_pool *p, void *arg, char *e, size_t elen)
{
	(void)p;
	(void)arg;
	(void)e;
	(void)elen;
	return 0;
}

/* ---- creating and loading ---- */

START_TEST(test_pool_create)
{
	struct sl_pool p;
	time_t	now = time(NULL);

	ck_assert(!sl_pool_exists(&sp, "P"));
	ck_assert_int_eq(sl_pool_create(&sp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)), 0);
	ck_assert(sl_pool_exists(&sp, "P"));
	ck_assert(t_exists(S("pools/P/config/v0000000001.ini")));
	ck_assert(t_exists(S("pools/P/queues/default/new")));
	ck_assert(t_exists(S("pools/P/queues/default/tmp")));
	ck_assert_int_eq(t_count(S("pools/P/config"), 1), 1); /* no scratch */
	ck_assert_int_eq(t_count(S("pools"), 1), 1);	/* no .new. left */

	load("P", &p);
	ck_assert_str_eq(p.name, "P");
	ck_assert(sl_uuid_ok(p.id));
	ck_assert_str_eq(p.type, SL_POOL_TYPE);
	ck_assert_int_eq(p.paused, 0);
	ck_assert_int_eq(p.limit, SL_NOLIMIT);
	ck_assert_uint_eq(p.version, 1);
	ck_assert(sl_uuid_ok(p.writer));
	ck_assert_msg(p.created >= now - 5 && p.created <= now + 5,
	    "created %lld, now %lld", (long long)p.created, (long long)now);
	ck_assert_uint_eq(p.nq, 1);
	ck_assert_str_eq(p.q[0].name, SL_DEFAULT_QUEUE);
	ck_assert_int_eq(p.q[0].priority, 1);
	ck_assert_int_eq(p.q[0].limit, SL_NOLIMIT);
	ck_assert_int_eq(p.q[0].paused, 0);
	ck_assert_int_eq(p.q[0].registered, 1);
	ck_assert_int_eq(p.q[0].present, 1);
	ck_assert(sl_uuid_ok(p.q[0].id));
	ck_assert_str_ne(p.q[0].id, p.id);
	sl_pool_free(&p);
	ck_assert_ptr_null(p.q);
}
END_TEST

START_TEST(test_pool_create_twice)
{
	struct sl_pool a, b;

	create("P");
	load("P", &a);
	err[0] = '\0';
	ck_assert_int_eq(sl_pool_create(&sp, "P", 1, 3, err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "already exists") != NULL, "err: %s", err);
	ck_assert_int_eq(t_count(S("pools"), 1), 1);	/* nothing left over */
	load("P", &b);					/* unchanged */
	ck_assert_str_eq(a.id, b.id);
	ck_assert_uint_eq(b.version, 1);
	ck_assert_int_eq(b.paused, 0);
	ck_assert_int_eq(b.limit, SL_NOLIMIT);
	sl_pool_free(&a);
	sl_pool_free(&b);
}
END_TEST

START_TEST(test_pool_create_settings)
{
	struct sl_pool p;

	ck_assert_int_eq(sl_pool_create(&sp, "Q", 1, 7, err, sizeof(err)), 0);
	load("Q", &p);
	ck_assert_int_eq(p.paused, 1);
	ck_assert_int_eq(p.limit, 7);
	sl_pool_free(&p);
	ck_assert_int_eq(sl_pool_create(&sp, "Z", 0, 0, err, sizeof(err)), 0);
	load("Z", &p);
	ck_assert_int_eq(p.limit, 0);		/* 0 is a limit, not "none" */
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_pool_load_missing)
{
	struct sl_pool p;

	errno = 0;
	ck_assert_int_eq(sl_pool_load(&sp, "nope", &p, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_msg(strstr(err, "'nope' not found") != NULL, "err: %s", err);
	/* a file is not a pool */
	t_puts(S("pools/file"), "x");
	ck_assert(!sl_pool_exists(&sp, "file"));
	ck_assert_int_eq(sl_pool_load(&sp, "file", &p, err, sizeof(err)), -1);
}
END_TEST

/* a bare `mkdir pools/P` is a pool with every default */
START_TEST(test_pool_bare_mkdir)
{
	struct sl_pool p, p2;

	t_mkdir(S("pools/B"));
	ck_assert(sl_pool_exists(&sp, "B"));
	load("B", &p);
	ck_assert_uint_eq(p.version, 0);
	ck_assert_int_eq(p.paused, 0);
	ck_assert_int_eq(p.limit, SL_NOLIMIT);
	ck_assert_str_eq(p.type, SL_POOL_TYPE);
	ck_assert(sl_uuid_ok(p.id));
	ck_assert_uint_eq(p.nq, 1);
	ck_assert_str_eq(p.q[0].name, SL_DEFAULT_QUEUE);
	ck_assert_int_eq(p.q[0].priority, 1);
	ck_assert_int_eq(p.q[0].limit, SL_NOLIMIT);
	ck_assert_int_eq(p.q[0].registered, 0);
	ck_assert_int_eq(p.q[0].present, 1);
	ck_assert(sl_uuid_ok(p.q[0].id));
	load("B", &p2);				/* ids are stable */
	ck_assert_str_eq(p.id, p2.id);
	ck_assert_str_eq(p.q[0].id, p2.q[0].id);
	sl_pool_free(&p);
	sl_pool_free(&p2);
	/* nothing was written by reading */
	ck_assert_int_eq(t_count(S("pools/B"), 1), 0);
}
END_TEST

/*
 * spool-layout.md ("Creating and deleting"): a directory of that name,
 * even an empty one made with mkdir, is an existing pool: create says
 * "already exists" and leaves it alone.  (The brief of these tests said
 * create over an empty directory succeeds; the design now says 1.)
 */
START_TEST(test_pool_create_over_empty_dir)
{
	struct sl_pool p;

	t_mkdir(S("pools/B"));
	ck_assert_int_eq(sl_pool_create(&sp, "B", 1, SL_NOLIMIT, err,
	    sizeof(err)), 1);
	ck_assert_msg(strstr(err, "already exists") != NULL, "err: %s", err);
	ck_assert_int_eq(t_count(S("pools/B"), 1), 0);	/* untouched */
	ck_assert_int_eq(t_count(S("pools"), 1), 1);	/* no .new. left */
	load("B", &p);
	ck_assert_uint_eq(p.version, 0);
	ck_assert_int_eq(p.paused, 0);
	sl_pool_free(&p);
	/* and so is one with something in it */
	t_mkdir(S("pools/C"));
	t_mkdir(S("pools/C/queues"));
	ck_assert_int_eq(sl_pool_create(&sp, "C", 0, SL_NOLIMIT, err,
	    sizeof(err)), 1);
	ck_assert(!t_exists(S("pools/C/config")));
}
END_TEST

START_TEST(test_pool_create_no_pools_dir)
{
	char   *pools = sl_path(root, "pools", (char *)NULL);

	ck_assert_int_eq(rmdir(pools), 0);
	free(pools);
	ck_assert_int_eq(sl_pool_create(&sp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)), -1);
	ck_assert_msg(err[0] != '\0', "no message");
}
END_TEST

/*
 * An empty directory: list_names() calls qsort(NULL, 0, ...), undefined
 * behaviour (qsort's pointer is declared nonnull); under SAN=1 UBSan stops
 * the program here, so `sluice work-pool ls` on a new spool dies.
 */
START_TEST(test_pool_names_empty)
{
	struct sl_pool p;
	char  **v;
	size_t	n;

	ck_assert_int_eq(sl_pool_names(&sp, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	/* the same through a pool whose queues/ is empty */
	t_mkdir(S("pools/B"));
	t_mkdir(S("pools/B/queues"));
	load("B", &p);
	ck_assert_str_eq(order(&p), "default:1");
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_pool_names)
{
	char  **v;
	size_t	n, i;

	create("zeta");
	create("Alpha");
	t_mkdir(S("pools/mid"));
	t_mkdir(S("pools/.trash.x"));		/* scratch: not a pool */
	t_puts(S("pools/afile"), "");		/* not a directory */
	ck_assert_int_eq(symlink("zeta", S("pools/alias")), 0);
	ck_assert_int_eq(sl_pool_names(&sp, &v, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(v[0], "Alpha");
	ck_assert_str_eq(v[1], "alias");	/* a link to a pool is one */
	ck_assert_str_eq(v[2], "mid");
	ck_assert_str_eq(v[3], "zeta");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
END_TEST

START_TEST(test_pool_ensure)
{
	struct sl_pool p;

	ck_assert_int_eq(sl_pool_ensure(&sp, "E", err, sizeof(err)), 0);
	load("E", &p);
	ck_assert_uint_eq(p.version, 1);
	sl_pool_free(&p);
	ck_assert_int_eq(sl_pool_ensure(&sp, "E", err, sizeof(err)), 0);
	ck_assert_int_eq(versions("E"), 1);
}
END_TEST

/*
 * sl_pool_load_pass: a pass that is not fresh reuses what this process read
 * while config/ and queues/ are unchanged, and sees a new version or a new
 * queue at once; a fresh pass always reads
 */
START_TEST(test_pool_load_pass)
{
	struct sl_pool p, out;
	char	path[4096];

	create("P");
	ck_assert_int_eq(sl_pool_load_pass(&sp, "P", &p, SL_POOL_QUICK, err,
	    sizeof(err)),
	    0);
	ck_assert_uint_eq(p.version, 1);
	ck_assert_int_eq(p.paused, 0);
	sl_pool_free(&p);
	/* a version changed in place (which sluice never does) changes no
	 * directory: a quick pass and one that looks at the times do not
	 * read it, a fresh one does */
	snprintf(path, sizeof(path), "%s", S("pools/P/config/v0000000001.ini"));
	t_puts(path, "garbage\n");
	ck_assert_int_eq(sl_pool_load_pass(&sp, "P", &p, SL_POOL_QUICK, err,
	    sizeof(err)),
	    0);
	ck_assert_uint_eq(p.version, 1);
	sl_pool_free(&p);
	ck_assert_int_eq(sl_pool_load_pass(&sp, "P", &p, SL_POOL_LOOK, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(p.version, 1);
	sl_pool_free(&p);
	ck_assert_int_eq(sl_pool_load_pass(&sp, "P", &p, SL_POOL_READ, err,
	    sizeof(err)),
	    0);
	ck_assert_uint_eq(p.version, 0);	/* nothing readable */
	sl_pool_free(&p);
	/* a new version is seen by the next quick pass */
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_pause, NULL, &out, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(sl_pool_load_pass(&sp, "P", &p, SL_POOL_QUICK, err,
	    sizeof(err)),
	    0);
	ck_assert_uint_eq(p.version, out.version);
	ck_assert_int_eq(p.paused, 1);
	sl_pool_free(&out);
	ck_assert_ptr_null(sl_pool_queue(&p, "fresh"));
	sl_pool_free(&p);
	/* so is a new queue directory */
	ck_assert_int_eq(sl_mkdirs(S("pools/P/queues/fresh/sched"), 0755), 0);
	ck_assert_int_eq(sl_pool_load_pass(&sp, "P", &p, SL_POOL_QUICK, err,
	    sizeof(err)),
	    0);
	ck_assert_ptr_nonnull(sl_pool_queue(&p, "fresh"));
	sl_pool_free(&p);
	/* a pool that is gone is an error, not a memory */
	ck_assert_int_eq(sl_rmtree(S("pools/P")), 0);
	ck_assert_int_eq(sl_pool_load_pass(&sp, "P", &p, SL_POOL_QUICK, err,
	    sizeof(err)),
	    -1);
}
END_TEST

/* ---- updating: compare-and-swap on versions ---- */

START_TEST(test_pool_update)
{
	struct sl_pool out, p;

	create("P");
	load("P", &p);
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_pause, NULL, &out, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.version, 2);
	ck_assert_int_eq(out.paused, 1);
	ck_assert(sl_uuid_ok(out.writer));
	ck_assert_str_ne(out.writer, p.writer);
	sl_pool_free(&p);
	load("P", &p);
	ck_assert_uint_eq(p.version, 2);
	ck_assert_int_eq(p.paused, 1);
	ck_assert_str_eq(p.writer, out.writer);
	ck_assert_str_eq(p.id, out.id);
	ck_assert_str_eq(order(&p), "default:1");
	sl_pool_free(&p);
	sl_pool_free(&out);
	ck_assert_int_eq(versions("P"), 2);
	ck_assert(t_exists(S("pools/P/config/v0000000002.ini")));
	ck_assert_int_eq(t_count(S("pools/P/config"), 1), 2);	/* no .tmp */
	/* without out */
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_rewrite, NULL, NULL,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(versions("P"), 3);
	load("P", &p);
	ck_assert_uint_eq(p.version, 3);
	ck_assert_int_eq(p.paused, 1);		/* carried over */
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_pool_update_nothing_or_refused)
{
	struct sl_pool out;

	create("P");
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_none, NULL, &out, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(out.version, 1);
	sl_pool_free(&out);
	ck_assert_int_eq(versions("P"), 1);
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_refuse, NULL, NULL, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "refused by the edit");
	ck_assert_int_eq(versions("P"), 1);
	ck_assert_int_eq(t_count(S("pools/P/config"), 1), 1);
	errno = 0;
	ck_assert_int_eq(sl_pool_update(&sp, "nope", edit_pause, NULL, NULL,
	    err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_pool_update_bare)
{
	struct sl_pool p, before;
	long	lim = 4;

	t_mkdir(S("pools/B"));
	t_mkdir(S("pools/B/queues"));
	t_mkdir(S("pools/B/queues/q"));
	load("B", &before);
	ck_assert_int_eq(sl_pool_update(&sp, "B", edit_limit, &lim, NULL, err,
	    sizeof(err)), 0);
	ck_assert(t_exists(S("pools/B/config/v0000000001.ini")));
	load("B", &p);
	ck_assert_uint_eq(p.version, 1);
	ck_assert_int_eq(p.limit, 4);
	ck_assert_str_eq(p.id, before.id);	/* the id it had is kept */
	ck_assert_str_eq(order(&p), "default:1 q:2");
	ck_assert_int_eq(p.q[0].registered, 1);
	ck_assert_int_eq(p.q[1].registered, 1);
	ck_assert_str_eq(p.q[1].id, before.q[1].id);
	sl_pool_free(&p);
	sl_pool_free(&before);
}
END_TEST

/* a torn or foreign version (no trailer) is skipped for the one before */
START_TEST(test_pool_corrupt_version)
{
	struct sl_pool p;

	create("P");
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_pause, NULL, NULL, err,
	    sizeof(err)), 0);
	t_puts(S("pools/P/config/v0000000003.ini"),
	    "[pool]\npaused = false\nconcurrency_limit = 9\n");	/* torn */
	load("P", &p);
	ck_assert_uint_eq(p.version, 2);
	ck_assert_int_eq(p.paused, 1);
	ck_assert_int_eq(p.limit, SL_NOLIMIT);
	sl_pool_free(&p);
	/* the next write goes above the torn one */
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_rewrite, NULL, NULL,
	    err, sizeof(err)), 0);
	load("P", &p);
	ck_assert_uint_eq(p.version, 4);
	ck_assert_int_eq(p.paused, 1);
	sl_pool_free(&p);
}
END_TEST

/* a complete version with a value that does not parse is skipped too */
START_TEST(test_pool_bad_value_version)
{
	struct sl_pool p;

	create("P");
	t_puts(S("pools/P/config/v0000000002.ini"),
	    "[pool]\npaused = maybe\n" SL_INI_TRAILER);
	t_puts(S("pools/P/config/v0000000003.ini"),
	    "[pool]\n[queue.1]\nname = default\npriority = 0\n"
	    SL_INI_TRAILER);
	t_puts(S("pools/P/config/v0000000004.ini"),
	    "[pool]\n[queue.1]\nname = a\npriority = 1\n"
	    "[queue.2]\nname = a\npriority = 2\n" SL_INI_TRAILER);
	t_puts(S("pools/P/config/v0000000005.ini"),
	    "[pool]\n[queue.1]\nname = ../x\npriority = 1\n" SL_INI_TRAILER);
	load("P", &p);
	ck_assert_uint_eq(p.version, 1);
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_pool_version_junk_names)
{
	struct sl_pool p;

	create("P");
	t_puts(S("pools/P/config/v1.ini"), "junk");
	t_puts(S("pools/P/config/v00000000002.ini"), "junk");
	t_puts(S("pools/P/config/v000000000x.ini"), "junk");
	t_puts(S("pools/P/config/.tmp.whatever"), "junk");
	t_puts(S("pools/P/config/README"), "junk");
	load("P", &p);
	ck_assert_uint_eq(p.version, 1);
	sl_pool_free(&p);
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_rewrite, NULL, NULL,
	    err, sizeof(err)), 0);
	ck_assert(t_exists(S("pools/P/config/v0000000002.ini")));
}
END_TEST

/*
 * bounded - run fn in a child that dies after secs seconds; fails the
 * test if it did not return in time, else gives fn's result and version.
 */
static int
bounded(int (*fn)(unsigned long *), unsigned secs, const char *what,
    unsigned long *version)
{
	struct {
		int	rc;
		unsigned long v;
	} r = { -1, 0 };
	int	fds[2], st;
	pid_t	pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		/* Check's own SIGALRM handler (a test timeout) is inherited:
		 * it would kill the whole test; die of the alarm alone. */
		signal(SIGALRM, SIG_DFL);
		alarm(secs);
		r.rc = fn(&r.v);
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(2);
		_exit(0);		/* no leak check: fn's pool is not freed */
	}
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(!(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM),
	    "%s did not return within %u s", what, secs);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%s: the child died (status %#x)", what, st);
	ck_assert_int_eq(read(fds[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(fds[0]);
	*version = r.v;
	return r.rc;
}

static int
do_load(unsigned long *v)
{
	struct sl_pool p;

	if (sl_pool_load(&sp, "P", &p, err, sizeof(err)) < 0)
		return -1;
	*v = p.version;
	return 0;
}

static int
do_update(unsigned long *v)
{
	struct sl_pool p;

	if (sl_pool_update(&sp, "P", edit_pause, NULL, &p, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "sl_pool_update: %s\n", err);
		return -1;
	}
	*v = p.version;
	return 0;
}

/*
 * One stray file in config/ must not hang every reader of the pool.
 * "v-000000001.ini" passes version_of() (strtoul takes the sign and wraps
 * to ULONG_MAX), and any corrupt version far above the real ones makes
 * load_from() try every number down from it, one lstat/open per number.
 */
static const char *const stray[] = {
	"v-000000001.ini",
	"v-000000002.ini",
	"v9999999999.ini",
};

START_TEST(test_pool_stray_version_no_hang)
{
	unsigned long v = 0;
	char	what[100];

	create("P");
	t_puts(S("pools/P/config/%s", stray[_i]), "stray\n");
	snprintf(what, sizeof(what), "sl_pool_load with a stray config/%s",
	    stray[_i]);
	ck_assert_int_eq(bounded(do_load, 5, what, &v), 0);
	ck_assert_uint_eq(v, 1);
}
END_TEST

/*
 * A complete version (it has the trailer) whose content is bad is skipped
 * by readers; a writer must then go above it at once.  read_version()
 * fails on a bad value without setting errno, so load_from() sees the
 * ENOENT left by newest()'s probe, takes the bad version for one that
 * "exists but is not readable here yet", and sl_pool_update() waits for
 * it through all its tries (about 47 s) and fails with EAGAIN.
 */
static const char *const bad_complete[] = {
	"[pool]\npaused = maybe\n",
	"[pool]\nconcurrency_limit = -5\n",
	"[pool]\n[queue.1]\nname = ../x\npriority = 1\n",
	"[pool]\n[queue.1]\nname = a\npriority = 0\n",
};

START_TEST(test_pool_update_over_bad_version)
{
	struct sl_pool p;
	unsigned long v = 0;
	char	text[256];

	create("P");
	snprintf(text, sizeof(text), "%s%s", bad_complete[_i], SL_INI_TRAILER);
	t_puts(S("pools/P/config/v0000000002.ini"), text);
	load("P", &p);
	ck_assert_uint_eq(p.version, 1);
	sl_pool_free(&p);
	ck_assert_msg(bounded(do_update, 10, "sl_pool_update over a bad but "
	    "complete version 2", &v) == 0,
	    "sl_pool_update over a bad version 2 failed");
	ck_assert_uint_eq(v, 3);
	load("P", &p);
	ck_assert_uint_eq(p.version, 3);
	ck_assert_int_eq(p.paused, 1);
	sl_pool_free(&p);
}
END_TEST

/* ---- priorities: sl_pool_place on a pool in memory ---- */

/* mem_pool - queues from "a:1 b:2 ..." */
static void
mem_pool(struct sl_pool *p, const char *spec)
{
	char	buf[512], *tok, *save, *colon;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "M");
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		struct sl_queue *q;

		colon = strchr(tok, ':');
		ck_assert_ptr_nonnull(colon);
		*colon = '\0';
		p->q = sl_xrealloc(p->q, (p->nq + 1) * sizeof(*p->q));
		q = &p->q[p->nq++];
		memset(q, 0, sizeof(*q));
		snprintf(q->name, sizeof(q->name), "%s", tok);
		q->priority = atol(colon + 1);
		q->limit = SL_NOLIMIT;
	}
}

static const struct {
	const char *before, *queue;
	long	prio;
	const char *after, *moved;
} places[] = {
	/* the holder of 1 moves down, and so on while they collide */
	{ "a:1 b:2 c:3 new:4", "new", 1, "new:1 a:2 b:3 c:4",
	  "Moved work queue 'a' from priority 1 to 2\n"
	  "Moved work queue 'b' from priority 2 to 3\n"
	  "Moved work queue 'c' from priority 3 to 4\n" },
	/* sparse numbers stay: only the holder of 5 moves */
	{ "a:1 b:5 c:10 new:11", "new", 5, "a:1 new:5 b:6 c:10",
	  "Moved work queue 'b' from priority 5 to 6\n" },
	/* a free number moves nobody */
	{ "a:1 b:5 c:10 new:11", "new", 7, "a:1 b:5 new:7 c:10", "" },
	{ "a:1 b:5 c:10 new:11", "new", 100, "a:1 b:5 c:10 new:100", "" },
	/* the chain stops at the first gap */
	{ "a:1 b:2 c:4 new:5", "new", 1, "new:1 a:2 b:3 c:4",
	  "Moved work queue 'a' from priority 1 to 2\n"
	  "Moved work queue 'b' from priority 2 to 3\n" },
	/* moving an existing queue up */
	{ "a:1 b:2 c:3", "c", 1, "c:1 a:2 b:3",
	  "Moved work queue 'a' from priority 1 to 2\n"
	  "Moved work queue 'b' from priority 2 to 3\n" },
	/* moving one down: the one it lands on moves */
	{ "a:1 b:2 c:3", "a", 3, "b:2 a:3 c:4",
	  "Moved work queue 'c' from priority 3 to 4\n" },
	/* to the priority it has: nothing changes */
	{ "a:1 b:2 c:3", "b", 2, "a:1 b:2 c:3", "" },
	/* the contract's example: critical 1, high 5, low 10 */
	{ "default:1 high:5 low:10 critical:11", "critical", 1,
	  "critical:1 default:2 high:5 low:10",
	  "Moved work queue 'default' from priority 1 to 2\n" },
};

START_TEST(test_pool_place)
{
	struct sl_pool p;
	struct sl_buf moved = { 0 };
	struct sl_queue *q;

	mem_pool(&p, places[_i].before);
	q = sl_pool_queue(&p, places[_i].queue);
	ck_assert_ptr_nonnull(q);
	sl_buf_puts(&moved, "");
	sl_pool_place(&p, q, places[_i].prio, &moved);
	ck_assert_str_eq(order(&p), places[_i].after);
	ck_assert_str_eq(moved.s, places[_i].moved);
	sl_buf_free(&moved);
	/* the same without a report */
	sl_pool_free(&p);
	mem_pool(&p, places[_i].before);
	sl_pool_place(&p, sl_pool_queue(&p, places[_i].queue),
	    places[_i].prio, NULL);
	ck_assert_str_eq(order(&p), places[_i].after);
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_pool_last_priority)
{
	struct sl_pool p;

	mem_pool(&p, "a:3 b:10 c:2");
	ck_assert_int_eq(sl_pool_last_priority(&p), 10);
	ck_assert_ptr_null(sl_pool_queue(&p, "d"));
	ck_assert_str_eq(sl_pool_queue(&p, "b")->name, "b");
	sl_pool_free(&p);
	mem_pool(&p, "");
	ck_assert_int_eq(sl_pool_last_priority(&p), 0);
	sl_pool_free(&p);
}
END_TEST

/* ---- queues ---- */

START_TEST(test_queue_create)
{
	struct sl_queue q;
	struct sl_pool p;

	create("P");
	/* no priority: last */
	ck_assert_int_eq(sl_queue_create(&sp, "P", "a", 0, SL_NOLIMIT, &q,
	    NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(q.name, "a");
	ck_assert_int_eq(q.priority, 2);
	ck_assert(sl_uuid_ok(q.id));
	ck_assert(t_exists(S("pools/P/queues/a/new")));
	ck_assert(t_exists(S("pools/P/queues/a/tmp")));
	ck_assert_int_eq(t_count(S("pools/P/queues"), 1), 2); /* no .new. */
	/* explicit priority kept, even far away */
	ck_assert_int_eq(sl_queue_create(&sp, "P", "b", 10, 3, &q, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(q.priority, 10);
	ck_assert_int_eq(q.limit, 3);
	new_queue("P", "c", 0);
	check_order("P", "default:1 a:2 b:10 c:11");
	load("P", &p);
	ck_assert_int_eq(sl_pool_queue(&p, "b")->limit, 3);
	ck_assert_int_eq(sl_pool_queue(&p, "b")->registered, 1);
	ck_assert_int_eq(sl_pool_queue(&p, "b")->created > 0, 1);
	ck_assert_uint_eq(p.version, 4);
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_queue_priorities)
{
	create("P");
	new_queue("P", "critical", 1);
	check_order("P", "critical:1 default:2");
	new_queue("P", "high", 5);
	new_queue("P", "low", 10);
	check_order("P", "critical:1 default:2 high:5 low:10");
	new_queue("P", "mid", 5);		/* pushes only high */
	check_order("P", "critical:1 default:2 mid:5 high:6 low:10");
	new_queue("P", "top", 1);		/* pushes 1, 2; 5 is free */
	check_order("P", "top:1 critical:2 default:3 mid:5 high:6 low:10");
	new_queue("P", "seven", 7);		/* free: nobody moves */
	check_order("P", "top:1 critical:2 default:3 mid:5 high:6 seven:7 "
	    "low:10");
	new_queue("P", "last", 0);
	check_order("P", "top:1 critical:2 default:3 mid:5 high:6 seven:7 "
	    "low:10 last:11");
}
END_TEST

START_TEST(test_queue_create_exists)
{
	create("P");
	new_queue("P", "a", 0);
	err[0] = '\0';
	ck_assert_int_eq(sl_queue_create(&sp, "P", "a", 1, SL_NOLIMIT, NULL,
	    NULL, err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "already exists") != NULL, "err: %s", err);
	err[0] = '\0';
	ck_assert_int_eq(sl_queue_create(&sp, "P", SL_DEFAULT_QUEUE, 0,
	    SL_NOLIMIT, NULL, NULL, err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "already exists") != NULL, "err: %s", err);
	check_order("P", "default:1 a:2");		/* nothing moved */
	ck_assert_int_eq(versions("P"), 2);
	/* in a pool that does not exist */
	errno = 0;
	ck_assert_int_eq(sl_queue_create(&sp, "nope", "a", 0, SL_NOLIMIT,
	    NULL, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert(!t_exists(S("pools/nope")));
}
END_TEST

/* in a pool made by mkdir, with no queues/ yet */
START_TEST(test_queue_create_bare_pool)
{
	t_mkdir(S("pools/B"));
	new_queue("B", "q", 0);
	check_order("B", "default:1 q:2");
	ck_assert(t_exists(S("pools/B/config/v0000000001.ini")));
}
END_TEST

START_TEST(test_queue_ensure)
{
	create("P");
	ck_assert_int_eq(sl_queue_ensure(&sp, "P", "q", err, sizeof(err)), 0);
	check_order("P", "default:1 q:2");
	ck_assert_int_eq(sl_queue_ensure(&sp, "P", "q", err, sizeof(err)), 0);
	ck_assert_int_eq(versions("P"), 2);
	/* default: its directories are made on first use */
	t_mkdir(S("pools/B"));
	ck_assert_int_eq(sl_queue_ensure(&sp, "B", SL_DEFAULT_QUEUE, err,
	    sizeof(err)), 0);
	ck_assert(t_exists(S("pools/B/queues/default/new")));
	ck_assert(t_exists(S("pools/B/queues/default/tmp")));
}
END_TEST

START_TEST(test_queue_delete)
{
	struct sl_pool p;
	char   *text;

	create("P");
	new_queue("P", "a", 0);
	new_queue("P", "b", 0);
	errno = 0;
	ck_assert_int_eq(sl_queue_delete(&sp, "P", SL_DEFAULT_QUEUE, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert(t_exists(S("pools/P/queues/default")));

	/* a run waiting in new/: refused */
	t_puts(S("pools/P/queues/a/new/run1"), "[run]\ncommand = true\n");
	errno = 0;
	ck_assert_int_eq(sl_queue_delete(&sp, "P", "a", err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_msg(strstr(err, "holds 1 run") != NULL, "err: %s", err);
	check_order("P", "default:1 a:2 b:3");

	/* a run in a bucket of sched/ holds it; an empty bucket does not */
	ck_assert_int_eq(unlink(S("pools/P/queues/a/new/run1")), 0);
	t_mkdir(S("pools/P/queues/a/sched/000000006b1327a"));
	t_mkdir(S("pools/P/queues/a/sched/000000006b1327b"));
	t_mkdir(S("pools/P/queues/a/sched/000000006b1327b/"
	    "000000006b1327b0.000661d50820ebea."
	    "b06cb709-a3a8-4659-93ff-0ffbc9c186bb"));
	errno = 0;
	ck_assert_int_eq(sl_queue_delete(&sp, "P", "a", err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_msg(strstr(err, "holds 1 run") != NULL, "err: %s", err);
	ck_assert_int_eq(sl_rmtree(S("pools/P/queues/a/sched/000000006b1327b")),
	    0);

	/* scratch (dot) names and tmp/ do not hold it */
	t_puts(S("pools/P/queues/a/new/.partial"), "");
	t_puts(S("pools/P/queues/a/tmp/writing"), "");
	ck_assert_msg(sl_queue_delete(&sp, "P", "a", err, sizeof(err)) == 0,
	    "delete: %s", err);
	ck_assert(!t_exists(S("pools/P/queues/a")));
	ck_assert_int_eq(t_count(S("pools/P/queues"), 1), 2); /* no .trash. */
	load("P", &p);
	ck_assert_ptr_null(sl_pool_queue(&p, "a"));
	ck_assert_str_eq(order(&p), "default:1 b:3");
	ck_assert_uint_eq(p.version, 4);	/* the line is dropped too */
	sl_pool_free(&p);
	text = t_read(S("pools/P/config/v0000000004.ini"));
	ck_assert_ptr_null(strstr(text, "name = a\n"));
	ck_assert_ptr_nonnull(strstr(text, "name = b\n"));
	free(text);

	errno = 0;
	ck_assert_int_eq(sl_queue_delete(&sp, "P", "a", err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(sl_queue_delete(&sp, "nope", "a", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* a queue made by mkdir: unregistered, after every registered queue */
START_TEST(test_queue_mkdir_unregistered)
{
	struct sl_pool p, after;
	struct sl_queue *u;

	create("P");
	new_queue("P", "b", 0);
	new_queue("P", "far", 20);
	t_mkdir(S("pools/P/queues/zz"));
	t_mkdir(S("pools/P/queues/aa"));
	t_mkdir(S("pools/P/queues/.hidden"));	/* scratch: not a queue */
	t_mkdir(S("pools/P/queues/bad name"));	/* not a name */
	t_puts(S("pools/P/queues/file"), "");	/* not a directory */
	load("P", &p);
	ck_assert_str_eq(order(&p), "default:1 b:2 far:20 aa:21 zz:22");
	u = sl_pool_queue(&p, "aa");
	ck_assert_int_eq(u->registered, 0);
	ck_assert_int_eq(u->present, 1);
	ck_assert_int_eq(u->limit, SL_NOLIMIT);
	ck_assert_int_eq(u->paused, 0);
	ck_assert(sl_uuid_ok(u->id));
	ck_assert_int_eq(sl_pool_queue(&p, "far")->registered, 1);

	/* any write registers them, with the same priority and id */
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_pause, NULL, NULL, err,
	    sizeof(err)), 0);
	load("P", &after);
	ck_assert_str_eq(order(&after), order(&p));
	ck_assert_int_eq(sl_pool_queue(&after, "aa")->registered, 1);
	ck_assert_int_eq(sl_pool_queue(&after, "zz")->registered, 1);
	ck_assert_str_eq(sl_pool_queue(&after, "aa")->id, u->id);
	ck_assert_str_eq(sl_pool_queue(&after, "zz")->id,
	    sl_pool_queue(&p, "zz")->id);
	ck_assert_str_ne(sl_pool_queue(&after, "zz")->id, u->id);
	sl_pool_free(&after);
	sl_pool_free(&p);

	/* now registered, a new mkdir queue goes after them */
	t_mkdir(S("pools/P/queues/ab"));
	check_order("P", "default:1 b:2 far:20 aa:21 zz:22 ab:23");
}
END_TEST

/* a registered queue whose directory is removed (rm -r) is gone */
START_TEST(test_queue_rm_r)
{
	struct sl_pool p;
	char   *text;

	create("P");
	new_queue("P", "a", 0);
	new_queue("P", "b", 0);
	ck_assert_int_eq(sl_rmtree(S("pools/P/queues/a")), 0);
	check_order("P", "default:1 b:3");
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_rewrite, NULL, &p, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(order(&p), "default:1 b:3");
	text = t_read(S("pools/P/config/v%010lu.ini", p.version));
	ck_assert_ptr_null(strstr(text, "name = a\n"));
	ck_assert_ptr_nonnull(strstr(text, "name = b\n"));
	free(text);
	sl_pool_free(&p);
	/* default is always there, even without its directory */
	ck_assert_int_eq(sl_rmtree(S("pools/P/queues/default")), 0);
	check_order("P", "default:1 b:3");
}
END_TEST

/* ---- deleting pools, counting runs and agents ---- */

START_TEST(test_pool_delete)
{
	create("P");
	ck_assert_int_eq(sl_mkdirs(S("pools/P/running"), 0755), 0);
	t_puts(S("pools/P/running/run1"), "x");
	errno = 0;
	ck_assert_int_eq(sl_pool_delete(&sp, "P", 0, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_msg(strstr(err, "1 run Pending or Running") != NULL,
	    "err: %s", err);
	ck_assert(sl_pool_exists(&sp, "P"));
	ck_assert(t_exists(S("pools/P/running/run1")));

	ck_assert_msg(sl_pool_delete(&sp, "P", 1, err, sizeof(err)) == 0,
	    "forced delete: %s", err);
	ck_assert(!sl_pool_exists(&sp, "P"));
	ck_assert_int_eq(t_count(S("pools"), 1), 0);	/* no .trash. left */

	errno = 0;
	ck_assert_int_eq(sl_pool_delete(&sp, "P", 0, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_pool_delete_pending)
{
	create("P");
	ck_assert_int_eq(sl_mkdirs(S("pools/P/pending/agent1"), 0755), 0);
	t_puts(S("pools/P/pending/agent1/r1"), "x");
	t_puts(S("pools/P/pending/agent1/r2"), "x");
	ck_assert_int_eq(sl_pool_active_runs(&sp, "P"), 2);
	ck_assert_int_eq(sl_pool_delete(&sp, "P", 0, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "2 runs") != NULL, "err: %s", err);
	ck_assert(sl_pool_exists(&sp, "P"));
	/* scheduled runs (in new/) do not stop a delete */
	ck_assert_int_eq(sl_rmtree(S("pools/P/pending")), 0);
	t_puts(S("pools/P/queues/default/new/r3"), "x");
	ck_assert_int_eq(sl_pool_active_runs(&sp, "P"), 0);
	ck_assert_int_eq(sl_pool_delete(&sp, "P", 0, err, sizeof(err)), 0);
	ck_assert(!sl_pool_exists(&sp, "P"));
}
END_TEST

START_TEST(test_pool_run_counts)
{
	static const char *const id[] = {
		"0b9e3c7e-8d2a-4f4e-9c1a-2b3c4d5e6f70",
		"1b9e3c7e-8d2a-4f4e-9c1a-2b3c4d5e6f71",
		"2b9e3c7e-8d2a-4f4e-9c1a-2b3c4d5e6f72",
		"3b9e3c7e-8d2a-4f4e-9c1a-2b3c4d5e6f73",
		"4b9e3c7e-8d2a-4f4e-9c1a-2b3c4d5e6f74",
	};
	char	tok[5][SL_TOKEN_LEN + 1], *f;
	long	c[SL_NSTATES];
	int	i;

	for (i = 0; i < SL_NSTATES; i++)
		c[i] = -1;
	for (i = 0; i < 5; i++)
		sl_token_make(tok[i], 100 + i, 200, id[i]);
	create("P");
	new_queue("P", "q", 0);
	t_puts(S("pools/P/queues/default/new/r1"), "");
	t_puts(S("pools/P/queues/q/new/r2"), "");
	t_puts(S("pools/P/queues/q/new/r3"), "");
	t_puts(S("pools/P/queues/q/new/.r4"), "");	/* being written */
	t_puts(S("pools/P/queues/q/tmp/r5"), "");
	ck_assert_int_eq(sl_mkdirs(S("pools/P/queues/q/sched"), 0755), 0);
	t_puts(S("pools/P/queues/q/sched/%s", tok[0]), "");
	t_puts(S("pools/P/queues/q/sched/junk"), "");	/* not a run */
	ck_assert_int_eq(sl_mkdirs(S("pools/P/pending/A"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/P/pending/B"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/P/running"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/P/rejected"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/P/done"), 0755), 0);
	t_puts(S("pools/P/pending/A/%s", tok[1]), "");
	/* a claim between its two renames is Pending, as flow-run ls says */
	f = sl_flight_name(S("pools/P/pending/B"), "claim", 300, tok[2]);
	t_puts(f, "");
	free(f);
	t_puts(S("pools/P/pending/B/.r8"), "");
	t_puts(S("pools/P/running/%s", tok[3]), "");
	t_puts(S("pools/P/rejected/%s", id[4]), "");
	t_puts(S("pools/P/rejected/junk"), "");
	t_puts(S("pools/P/done/%s.Completed", id[0]), "");
	t_puts(S("pools/P/done/%s.Bogus", id[1]), "");
	ck_assert_int_eq(sl_pool_run_counts(&sp, "P", c), 0);
	ck_assert_int_eq(c[SL_SCHEDULED], 4);
	ck_assert_int_eq(c[SL_PENDING], 2);
	ck_assert_int_eq(c[SL_RUNNING], 1);
	ck_assert_int_eq(c[SL_REJECTED], 1);
	ck_assert_int_eq(c[SL_COMPLETED], 1);
	ck_assert_int_eq(c[SL_FAILED], 0);
	/* a delete is refused for anything in pending/AGENT/ or running/ */
	ck_assert_int_eq(sl_pool_active_runs(&sp, "P"), 2);
}
END_TEST

static void
beat(const char *id, const char *content)
{
	ck_assert_int_eq(sl_mkdirs(S("pools/P/agents/%s", id), 0755), 0);
	t_puts(S("pools/P/agents/%s/heartbeat", id), content);
}

START_TEST(test_pool_agents_online)
{
	const time_t now = 1795874400;
	char	id[SL_UUID_LEN + 1], line[64];
	int	i;

	create("P");
	ck_assert_int_eq(sl_pool_agents_online(&sp, "P", now, 30), 0);
	for (i = 0; i < 6; i++) {
		static const long age[] = { 0, 5, 30, 31, 3600, -10 };

		ck_assert_int_eq(sl_uuid(id), 0);
		snprintf(line, sizeof(line), "%lld\n",
		    (long long)(now - age[i]));
		beat(id, line);
	}
	/* ages 0, 5, 30 (the window's edge) and -10 (a fast clock) count */
	ck_assert_int_eq(sl_pool_agents_online(&sp, "P", now, 30), 4);
	ck_assert_int_eq(sl_pool_agents_online(&sp, "P", now, 3600), 6);
	ck_assert_int_eq(sl_pool_agents_online(&sp, "P", now + 100000, 30), 0);
	/* junk does not count */
	beat("not-a-uuid", "1795874400\n");
	ck_assert_int_eq(sl_uuid(id), 0);
	beat(id, "soon\n");
	ck_assert_int_eq(sl_uuid(id), 0);
	beat(id, "");
	ck_assert_int_eq(sl_uuid(id), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/P/agents/%s", id), 0755), 0);
	ck_assert_int_eq(sl_pool_agents_online(&sp, "P", now, 30), 4);
	/* no agents/ at all */
	ck_assert_int_eq(sl_pool_agents_online(&sp, "nope", now, 30), 0);
}
END_TEST

/* ---- the seam ---- */

static int fail_errno;

static int
failing_link(const char *a, const char *b)
{
	(void)a;
	(void)b;
	t_seam_calls++;
	errno = fail_errno;
	return -1;
}

/* a rival writer publishes the same version first */
static int raced;

static int
racing_link(const char *a, const char *b)
{
	long	lim = 5;
	char	e[SL_ERR_MAX];

	t_seam_calls++;
	if (!raced) {
		raced = 1;
		sl_sys.link = sl_link;
		ck_assert_msg(sl_pool_update(&sp, "P", edit_limit, &lim, NULL,
		    e, sizeof(e)) == 0, "rival update: %s", e);
		sl_sys.link = racing_link;
	}
	return link(a, b);
}

START_TEST(test_seam_update_lost_link)
{
	struct sl_pool p;

	create("P");
	sl_sys.link = t_lost_link;
	t_seam_calls = 0;
	ck_assert_msg(sl_pool_update(&sp, "P", edit_pause, NULL, NULL, err,
	    sizeof(err)) == 0, "update: %s", err);
	sl_sys.link = sl_link;
	ck_assert_int_eq(t_seam_calls, 1);		/* not retried */
	ck_assert_int_eq(versions("P"), 2);	/* exactly one new version */
	ck_assert_int_eq(t_count(S("pools/P/config"), 1), 2); /* no .tmp */
	load("P", &p);
	ck_assert_uint_eq(p.version, 2);
	ck_assert_int_eq(p.paused, 1);
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_seam_update_lost_link_no_inode)
{
	struct sl_pool p, out;

	create("P");
	sl_sys.link = t_copied_link;
	t_seam_calls = 0;
	ck_assert_msg(sl_pool_update(&sp, "P", edit_pause, NULL, &out, err,
	    sizeof(err)) == 0, "update: %s", err);
	sl_sys.link = sl_link;
	ck_assert_int_eq(t_seam_calls, 1);
	ck_assert_int_eq(versions("P"), 2);
	ck_assert_int_eq(t_count(S("pools/P/config"), 1), 2);
	ck_assert_uint_eq(out.version, 2);
	load("P", &p);
	ck_assert_uint_eq(p.version, 2);
	ck_assert_int_eq(p.paused, 1);
	ck_assert_str_eq(p.writer, out.writer);
	sl_pool_free(&p);
	sl_pool_free(&out);
}
END_TEST

START_TEST(test_seam_update_race)
{
	struct sl_pool p;

	create("P");
	sl_sys.link = racing_link;
	raced = 0;
	t_seam_calls = 0;
	ck_assert_msg(sl_pool_update(&sp, "P", edit_pause, NULL, NULL, err,
	    sizeof(err)) == 0, "update: %s", err);
	sl_sys.link = sl_link;
	ck_assert_int_eq(t_seam_calls, 2);		/* lost once, then won */
	ck_assert_int_eq(versions("P"), 3);
	load("P", &p);
	ck_assert_uint_eq(p.version, 3);
	ck_assert_int_eq(p.paused, 1);		/* ours */
	ck_assert_int_eq(p.limit, 5);		/* the rival's, not lost */
	sl_pool_free(&p);
}
END_TEST

START_TEST(test_seam_update_link_fails)
{
	static const int errs[] = { EIO, EEXIST, EACCES };
	struct sl_pool p;
	size_t	i;

	create("P");
	sl_sys.link = failing_link;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fail_errno = errs[i];
		t_seam_calls = 0;
		err[0] = '\0';
		ck_assert_int_eq(sl_pool_update(&sp, "P", edit_pause, NULL,
		    NULL, err, sizeof(err)), -1);
		ck_assert_int_eq(t_seam_calls, 1);	/* a real failure: no retry */
		ck_assert_msg(strstr(err, "cannot write") != NULL, "err: %s",
		    err);
		/* the link's own errno, not a later lookup's ENOENT */
		ck_assert_msg(strstr(err, strerror(errs[i])) != NULL, "err: %s",
		    err);
		ck_assert_int_eq(t_count(S("pools/P/config"), 1), 1);
	}
	sl_sys.link = sl_link;
	load("P", &p);
	ck_assert_uint_eq(p.version, 1);
	ck_assert_int_eq(p.paused, 0);
	sl_pool_free(&p);
}
END_TEST

/*
 * Issue 10 item 11: on a read-only or full filesystem, or without write
 * permission, the message carries the real cause (EROFS, ENOSPC, EACCES),
 * not the ENOENT of a lookup made after the failure.  The filesystem is a
 * tmpfs mounted in a mount namespace of this test's process only.
 */
static const char *
private_tmpfs(const char *dir)
{
	if (geteuid() != 0)
		return "not root";
	if (unshare(CLONE_NEWNS) < 0)
		return "unshare";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "mount --make-rprivate /";
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0755") < 0)
		return "mount tmpfs";
	return NULL;
}

static void
expect_cause(int rc, const char *what, int e)
{
	ck_assert_msg(rc == -1, "%s: succeeded", what);
	ck_assert_msg(strstr(err, strerror(e)) != NULL,
	    "%s: '%s' does not say '%s'", what, err, strerror(e));
}

START_TEST(test_errno_rofs_full)
{
	struct sl_spool msp = { 0 };
	const char *why;
	char   *m = sl_xstrdup(S("m")), *fill;
	int	fd;

	t_mkdir(m);
	if ((why = private_tmpfs(m)) != NULL) {
		fprintf(stderr, "test_errno_rofs_full: skipped (%s: %s)\n", why,
		    strerror(errno));
		free(m);
		return;
	}
	msp.root = m;
	msp.source = "test";
	t_mkdir(S("m/pools"));
	ck_assert_msg(sl_pool_create(&msp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "create: %s", err);
	/* read-only */
	ck_assert_int_eq(mount(NULL, m, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	expect_cause(sl_pool_update(&msp, "P", edit_pause, NULL, NULL, err,
	    sizeof(err)), "pause, read-only", EROFS);
	expect_cause(sl_queue_create(&msp, "P", "Q", 0, SL_NOLIMIT, NULL, NULL,
	    err, sizeof(err)), "queue create, read-only", EROFS);
	expect_cause(sl_pool_create(&msp, "P2", 0, SL_NOLIMIT, err,
	    sizeof(err)), "pool create, read-only", EROFS);
	/* full */
	ck_assert_int_eq(mount(NULL, m, NULL, MS_REMOUNT, NULL), 0);
	fill = sl_path(m, "fill", (char *)NULL);
	fd = open(fill, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	{
		char	buf[4096] = { 0 };

		while (write(fd, buf, sizeof(buf)) > 0)
			;
		ck_assert_int_eq(errno, ENOSPC);
	}
	close(fd);
	free(fill);
	expect_cause(sl_pool_update(&msp, "P", edit_pause, NULL, NULL, err,
	    sizeof(err)), "pause, full", ENOSPC);
	expect_cause(sl_queue_create(&msp, "P", "Q", 0, SL_NOLIMIT, NULL, NULL,
	    err, sizeof(err)), "queue create, full", ENOSPC);
	expect_cause(sl_pool_create(&msp, "P2", 0, SL_NOLIMIT, err,
	    sizeof(err)), "pool create, full", ENOSPC);
	(void)umount2(m, MNT_DETACH);
	free(m);
}
END_TEST

/* a user who may not write the spool is told so (EACCES) */
START_TEST(test_errno_eacces)
{
	struct passwd *pw;
	pid_t	pid;
	int	status;

	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL) {
		fprintf(stderr, "test_errno_eacces: skipped (not root, or no "
		    "user nobody)\n");
		return;
	}
	create("P");
	{
		/* nobody must reach the spool: open the run's scratch root
		 * (mkdtemp made it 0700) for traversal */
		char   *up = sl_xstrdup(root), *sl = strrchr(up, '/');

		*sl = '\0';
		ck_assert_int_eq(chmod(up, 0711), 0);
		free(up);
	}
	ck_assert_int_eq(chmod(root, 0755), 0);
	if ((pid = fork()) == 0) {
		if (setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			_exit(2);
		err[0] = '\0';
		if (sl_pool_update(&sp, "P", edit_pause, NULL, NULL, err,
		    sizeof(err)) != -1)
			_exit(3);
		if (strstr(err, strerror(EACCES)) == NULL) {
			fprintf(stderr, "pause as nobody: %s\n", err);
			_exit(4);
		}
		if (sl_queue_create(&sp, "P", "Q", 0, SL_NOLIMIT, NULL, NULL,
		    err, sizeof(err)) != -1 ||
		    strstr(err, strerror(EACCES)) == NULL) {
			fprintf(stderr, "queue create as nobody: %s\n", err);
			_exit(5);
		}
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d", status);
}
END_TEST

START_TEST(test_seam_create_lost_rename)
{
	struct sl_pool p;

	sl_sys.rename = t_lost_rename;
	t_seam_calls = 0;
	ck_assert_msg(sl_pool_create(&sp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "create: %s", err);
	ck_assert_int_eq(t_seam_calls, 1);
	sl_sys.rename = t_lost_rename_eexist;
	ck_assert_msg(sl_pool_create(&sp, "Q", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "create: %s", err);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(t_count(S("pools"), 1), 2);	/* no .new. left */
	load("P", &p);
	ck_assert_uint_eq(p.version, 1);
	ck_assert_str_eq(order(&p), "default:1");
	sl_pool_free(&p);
	/* and a second create still says "already exists" */
	sl_sys.rename = t_lost_rename;
	ck_assert_int_eq(sl_pool_create(&sp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)), 1);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(t_count(S("pools"), 1), 2);
}
END_TEST

START_TEST(test_seam_queue_lost_rename)
{
	create("P");
	sl_sys.rename = t_lost_rename;
	new_queue("P", "q", 1);
	ck_assert_int_eq(sl_queue_delete(&sp, "P", "q", err, sizeof(err)), 0);
	new_queue("P", "r", 0);
	sl_sys.rename = sl_rename;
	check_order("P", "default:2 r:3");	/* q had pushed default down */
	ck_assert_int_eq(t_count(S("pools/P/queues"), 1), 2);
}
END_TEST

START_TEST(test_seam_lost_mkdir)
{
	struct sl_pool p;

	sl_sys.mkdir = t_lost_mkdir;
	t_seam_calls = 0;
	create("P");
	ck_assert_int_gt(t_seam_calls, 0);
	new_queue("P", "q", 0);
	sl_sys.mkdir = sl_mkdir;
	load("P", &p);
	ck_assert_str_eq(order(&p), "default:1 q:2");
	ck_assert_uint_eq(p.version, 2);
	sl_pool_free(&p);
	ck_assert(t_exists(S("pools/P/queues/q/new")));
}
END_TEST

START_TEST(test_seam_pool_delete_lost_rename)
{
	create("P");
	sl_sys.rename = t_lost_rename;
	ck_assert_msg(sl_pool_delete(&sp, "P", 0, err, sizeof(err)) == 0,
	    "delete: %s", err);
	sl_sys.rename = sl_rename;
	ck_assert(!sl_pool_exists(&sp, "P"));
	ck_assert_int_eq(t_count(S("pools"), 1), 0);
}
END_TEST

/*
 * Creating a pool publishes v0000000001.ini with sl_publish_link inside
 * its private .new. directory.  Where link's reply is lost on a
 * filesystem without stable inode numbers, sane_link cannot tell, and
 * fill_pool (unlike sl_pool_update, which checks the content) reports the
 * create as failed although nothing else could have made that file.
 */
START_TEST(test_seam_create_lost_link_no_inode)
{
	struct sl_pool p;

	sl_sys.link = t_copied_link;
	ck_assert_msg(sl_pool_create(&sp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "create: %s", err);
	sl_sys.link = sl_link;
	load("P", &p);
	ck_assert_uint_eq(p.version, 1);
	sl_pool_free(&p);
}
END_TEST

/*
 * RACE of spool-layout.md: a person runs mkdir pools/P at the very
 * instant of a create; rename then replaces that empty directory with the
 * complete pool, and the create has made it (0).
 */
static int
mkdir_first_rename(const char *a, const char *b)
{
	t_seam_calls++;
	if (mkdir(b, 0755) < 0)
		return -1;
	return rename(a, b);
}

START_TEST(test_seam_create_mkdir_race)
{
	struct sl_pool p;

	sl_sys.rename = mkdir_first_rename;
	t_seam_calls = 0;
	ck_assert_msg(sl_pool_create(&sp, "P", 1, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "create: %s", err);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(t_seam_calls, 1);
	load("P", &p);
	ck_assert_uint_eq(p.version, 1);
	ck_assert_int_eq(p.paused, 1);
	sl_pool_free(&p);
	ck_assert(t_exists(S("pools/P/queues/default/new")));
}
END_TEST

/* sl_queue_create reports whom it pushed down, once, even after a retry */
START_TEST(test_queue_create_moved)
{
	struct sl_buf moved = { 0 };
	struct sl_queue q;

	create("P");
	new_queue("P", "a", 0);
	sl_sys.link = racing_link;	/* a rival writes first: a retry */
	raced = 0;
	t_seam_calls = 0;
	ck_assert_msg(sl_queue_create(&sp, "P", "top", 1, SL_NOLIMIT, &q,
	    &moved, err, sizeof(err)) == 0, "create: %s", err);
	sl_sys.link = sl_link;
	ck_assert_int_eq(t_seam_calls, 2);
	ck_assert_int_eq(q.priority, 1);
	ck_assert_ptr_nonnull(moved.s);
	ck_assert_str_eq(moved.s,
	    "Moved work queue 'default' from priority 1 to 2\n"
	    "Moved work queue 'a' from priority 2 to 3\n");
	sl_buf_free(&moved);
	check_order("P", "top:1 default:2 a:3");
	/* no priority given: nobody moves, nothing is said */
	new_queue("P", "b", 0);
	ck_assert_ptr_null(moved.s);
}
END_TEST

/* a queue whose settings cannot be written is not left behind */
START_TEST(test_queue_create_undo)
{
	create("P");
	sl_sys.link = failing_link;
	fail_errno = EIO;
	ck_assert_int_eq(sl_queue_create(&sp, "P", "q", 0, SL_NOLIMIT, NULL,
	    NULL, err, sizeof(err)), -1);
	sl_sys.link = sl_link;
	ck_assert_msg(err[0] != '\0', "no message");
	ck_assert(!t_exists(S("pools/P/queues/q")));
	ck_assert_int_eq(t_count(S("pools/P/queues"), 1), 1); /* no .trash. */
	check_order("P", "default:1");
	ck_assert_int_eq(versions("P"), 1);
	/* and the name is free again */
	new_queue("P", "q", 0);
	check_order("P", "default:1 q:2");
}
END_TEST

/* a hand-written config repeating priorities and leaving out ids */
START_TEST(test_pool_hand_written_config)
{
	struct sl_pool p, p2;
	size_t	i;

	create("P");
	t_mkdir(S("pools/P/queues/a"));
	t_mkdir(S("pools/P/queues/b"));
	t_puts(S("pools/P/config/v0000000002.ini"),
	    "[pool]\nname = P\n"
	    "[queue.1]\nname = default\npriority = 1\n"
	    "[queue.2]\nname = b\npriority = 1\n"
	    "[queue.3]\nname = a\npriority = 1\n" SL_INI_TRAILER);
	load("P", &p);
	ck_assert_uint_eq(p.version, 2);
	/* unique numbers, ties broken by name, the same for every reader */
	ck_assert_str_eq(order(&p), "a:1 b:2 default:3");
	load("P", &p2);
	for (i = 0; i < p.nq; i++) {
		ck_assert(sl_uuid_ok(p.q[i].id));
		ck_assert_str_eq(p.q[i].id, p2.q[i].id);
		ck_assert_int_eq(p.q[i].registered, 1);
	}
	sl_pool_free(&p2);
	sl_pool_free(&p);
	/* the next write records exactly that */
	ck_assert_int_eq(sl_pool_update(&sp, "P", edit_rewrite, NULL, NULL,
	    err, sizeof(err)), 0);
	check_order("P", "a:1 b:2 default:3");
}
END_TEST

/* priorities stop at SL_PRIO_MAX: a change that would pass it is refused */
START_TEST(test_queue_prio_max)
{
	create("P");
	new_queue("P", "top", SL_PRIO_MAX);
	check_order("P", "default:1 top:2147483647");
	errno = 0;
	ck_assert_int_eq(sl_queue_create(&sp, "P", "more", 0, SL_NOLIMIT, NULL,
	    NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert(!t_exists(S("pools/P/queues/more")));
	ck_assert_int_eq(sl_queue_create(&sp, "P", "push", SL_PRIO_MAX,
	    SL_NOLIMIT, NULL, NULL, err, sizeof(err)), -1);
	check_order("P", "default:1 top:2147483647");
	ck_assert_int_eq(versions("P"), 2);
}
END_TEST

Suite *
suite_pool(void)
{
	Suite  *s = suite_create("pool");
	TCase  *tc = tcase_create("pool");
	TCase  *pr = tcase_create("priorities");
	TCase  *qu = tcase_create("queues");
	TCase  *seam = tcase_create("seam");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pool_create);
	tcase_add_test(tc, test_pool_load_pass);
	tcase_add_test(tc, test_pool_create_twice);
	tcase_add_test(tc, test_pool_create_settings);
	tcase_add_test(tc, test_pool_load_missing);
	tcase_add_test(tc, test_pool_bare_mkdir);
	tcase_add_test(tc, test_pool_create_over_empty_dir);
	tcase_add_test(tc, test_pool_create_no_pools_dir);
	tcase_add_test(tc, test_pool_names_empty);
	tcase_add_test(tc, test_pool_names);
	tcase_add_test(tc, test_pool_ensure);
	tcase_add_test(tc, test_pool_update);
	tcase_add_test(tc, test_pool_update_nothing_or_refused);
	tcase_add_test(tc, test_pool_update_bare);
	tcase_add_test(tc, test_pool_corrupt_version);
	tcase_add_test(tc, test_pool_bad_value_version);
	tcase_add_test(tc, test_pool_version_junk_names);
	tcase_add_loop_test(tc, test_pool_stray_version_no_hang, 0,
	    (int)(sizeof(stray) / sizeof(stray[0])));
	tcase_add_loop_test(tc, test_pool_update_over_bad_version, 0,
	    (int)(sizeof(bad_complete) / sizeof(bad_complete[0])));
	tcase_add_test(tc, test_pool_delete);
	tcase_add_test(tc, test_pool_delete_pending);
	tcase_add_test(tc, test_pool_run_counts);
	tcase_add_test(tc, test_pool_agents_online);
	suite_add_tcase(s, tc);

	tcase_set_timeout(pr, T_TIMEOUT);
	tcase_add_loop_test(pr, test_pool_place, 0,
	    (int)(sizeof(places) / sizeof(places[0])));
	tcase_add_test(pr, test_pool_last_priority);
	suite_add_tcase(s, pr);

	tcase_set_timeout(qu, T_TIMEOUT);
	tcase_add_checked_fixture(qu, setup, teardown);
	tcase_add_test(qu, test_queue_create);
	tcase_add_test(qu, test_queue_priorities);
	tcase_add_test(qu, test_queue_create_exists);
	tcase_add_test(qu, test_queue_create_bare_pool);
	tcase_add_test(qu, test_queue_ensure);
	tcase_add_test(qu, test_queue_delete);
	tcase_add_test(qu, test_queue_mkdir_unregistered);
	tcase_add_test(qu, test_queue_rm_r);
	tcase_add_test(qu, test_queue_create_moved);
	tcase_add_test(qu, test_queue_create_undo);
	tcase_add_test(qu, test_pool_hand_written_config);
	tcase_add_test(qu, test_queue_prio_max);
	suite_add_tcase(s, qu);

	tcase_set_timeout(seam, T_TIMEOUT);
	tcase_add_checked_fixture(seam, setup, teardown);
	tcase_add_test(seam, test_seam_update_lost_link);
	tcase_add_test(seam, test_seam_update_lost_link_no_inode);
	tcase_add_test(seam, test_seam_update_race);
	tcase_add_test(seam, test_seam_update_link_fails);
	tcase_add_test(seam, test_errno_rofs_full);
	tcase_add_test(seam, test_errno_eacces);
	tcase_add_test(seam, test_seam_create_lost_rename);
	tcase_add_test(seam, test_seam_queue_lost_rename);
	tcase_add_test(seam, test_seam_lost_mkdir);
	tcase_add_test(seam, test_seam_pool_delete_lost_rename);
	tcase_add_test(seam, test_seam_create_lost_link_no_inode);
	tcase_add_test(seam, test_seam_create_mkdir_race);
	suite_add_tcase(s, seam);
	return s;
}
