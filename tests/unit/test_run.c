/*
 * test_run.c - lib/run.c: runs as directories that move (spool-layout.md,
 * "Runs"; sluice-run(5)).
 *
 * Names first: sl_token_parse takes exactly "T.U.ID" (16 lowercase hex,
 * 16 lowercase hex, a lowercase UUID), and a listing of sched/ sorted with
 * strcmp is the order of scheduled time, then submission.  Then, on a
 * fresh spool per test (pool P with queues default and Q): submitting,
 * accepting dropped files (good, bad, and the files atrun's ladder turns
 * away: symlinks, FIFOs, directories, hard links, unknown owners), two
 * acceptors at once, the sl_sys seam (a rename carried out whose reply is
 * lost, a publication that fails), the displayed states, finding runs by
 * id, prefix and name, cancelling, deleting, and cleaning up (old final
 * runs by the time in result.ini; stranded private directories).
 *
 * Two tests show what an accepted drop must not become: a Scheduled run
 * whose run.ini sluice cannot read back (the largest drop; a time before
 * 1970), or one that sorts after runs due later.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define ID	"0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1c"
#define DAY	86400L

static char *root;
static struct sl_spool sp;
static char err[SL_ERR_MAX];

static void
setup(void)
{
	root = t_spool(&sp);
	err[0] = '\0';
	ck_assert_msg(sl_pool_create(&sp, "P", 0, SL_NOLIMIT, err,
	    sizeof(err)) == 0, "create pool P: %s", err);
	ck_assert_msg(sl_queue_create(&sp, "P", "Q", 0, SL_NOLIMIT, NULL, NULL,
	    err, sizeof(err)) == 0, "create queue Q: %s", err);
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

/* in - dir/name (static, 4 live at once) */
static const char *
in(const char *dir, const char *name)
{
	static char buf[4][4096];
	static int k;

	k = (k + 1) % 4;
	if (snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name) >=
	    (int)sizeof(buf[k]))
		ck_abort_msg("path too long: %s/%s", dir, name);
	return buf[k];
}

/* listing - the entries of dir not starting with '.', sorted by strcmp */
static size_t
listing(const char *dir, char ***out)
{
	struct dirent *de;
	char  **v = NULL;
	size_t	n = 0;
	DIR    *d;

	*out = NULL;
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (sl_bucket_ok(de->d_name)) {	/* a bucket of sched/ */
			char   *w[512];
			size_t	k, i;

			k = t_sched_tokens(in(dir, de->d_name), w, 512);
			ck_assert_uint_le(k, 512);
			v = sl_xrealloc(v, (n + k + 1) * sizeof(*v));
			for (i = 0; i < k; i++)
				v[n++] = w[i];
			continue;
		}
		v = sl_xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = sl_xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), sl_strcmp_p);
	*out = v;
	return n;
}

static void
free_listing(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* entries - t_count, with a missing directory counted as empty */
static int
entries(const char *dir, int dots)
{
	int	n = t_sched_count(dir, dots);	/* buckets: their runs */

	return n < 0 ? 0 : n;
}

/* submit - a run into P/queue; its id into id (may be NULL) */
static void
submit(const char *queue, const char *name, time_t when, long attempt,
    char *id)
{
	struct sl_runspec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "P");
	snprintf(r.queue, sizeof(r.queue), "%s", queue);
	r.command = sl_xstrdup("echo hi");
	r.name = name != NULL ? sl_xstrdup(name) : NULL;
	r.scheduled = when;
	r.attempt = attempt;
	r.owner_uid = (long)getuid();
	r.owner_gid = (long)getgid();
	ck_assert_msg(sl_run_submit(&sp, &r, err, sizeof(err)) == 0,
	    "submit: %s", err);
	ck_assert(sl_uuid_ok(r.id));
	if (id != NULL)
		memcpy(id, r.id, SL_UUID_LEN + 1);
	sl_runspec_free(&r);
}

static void
drop(const char *queue, const char *name, const void *text, size_t len)
{
	t_write(S("pools/P/queues/%s/new/%s", queue, name), text, len);
}

static void
drop_s(const char *name, const char *text)
{
	drop("Q", name, text, strlen(text));
}

static void
load_runs(struct sl_runs *rs)
{
	memset(rs, 0, sizeof(*rs));
	ck_assert_int_eq(sl_runs_pool(&sp, "P", rs), 0);
}

static size_t
in_state(const struct sl_runs *rs, enum sl_state st)
{
	size_t	i, n = 0;

	for (i = 0; i < rs->n; i++)
		n += rs->v[i].state == st;
	return n;
}

static struct sl_run *
by_id(struct sl_runs *rs, const char *id)
{
	size_t	i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	ck_abort_msg("run %s not listed", id);
	return NULL;
}

/* runini - the run.ini sluice writes for a run of P/Q with this id */
static char *
runini(const char *id, const char *name, time_t when)
{
	struct sl_runspec r;
	size_t	len;
	char   *text;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	snprintf(r.pool, sizeof(r.pool), "P");
	snprintf(r.queue, sizeof(r.queue), "Q");
	r.command = "echo hi";
	r.name = (char *)name;
	r.scheduled = when;
	r.created = when;
	r.attempt = 1;
	r.owner_uid = (long)getuid();
	r.owner_gid = (long)getgid();
	text = sl_runspec_render(&r, &len);
	return text;
}

/* place - a run put by hand in pools/P/WHERE/T.U.ID (running, pending/A) */
static const char *
place(const char *where, const char *id, const char *name)
{
	char	tok[100], *text;
	time_t	now = time(NULL);
	const char *d;

	snprintf(tok, sizeof(tok), "%016llx.%016llx.%s", (unsigned long long)now,
	    (unsigned long long)now * 1000000ULL, id);
	d = S("pools/P/%s/%s", where, tok);
	ck_assert_int_eq(sl_mkdirs(d, 0755), 0);
	text = runini(id, name, now);
	t_puts(S("pools/P/%s/%s/run.ini", where, tok), text);
	free(text);
	return S("pools/P/%s/%s", where, tok);
}

/* place_done - a final run done/ID.STATE; ended 0: no result.ini */
static void
place_done(const char *id, const char *state, const char *name, time_t ended)
{
	char   *text, t[40];
	struct sl_buf b = { 0 };

	ck_assert_int_eq(sl_mkdirs(S("pools/P/done/%s.%s", id, state), 0755), 0);
	text = runini(id, name, ended ? ended - 60 : time(NULL));
	t_puts(S("pools/P/done/%s.%s/run.ini", id, state), text);
	free(text);
	if (ended == 0)
		return;
	sl_buf_printf(&b, "[result]\nstate = %s\nended = %s\n" SL_INI_TRAILER,
	    state, sl_time_fmt(ended, t, sizeof(t)));
	t_puts(S("pools/P/done/%s.%s/result.ini", id, state), b.s);
	sl_buf_free(&b);
}

/*
 * accept_bounded - sl_accept_pool in a child that dies after secs seconds
 * (a FIFO must not block it); fails the test if it did not return.
 */
static long
accept_bounded(unsigned secs)
{
	long	taken = -2;
	int	fds[2], st;
	pid_t	pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		signal(SIGALRM, SIG_DFL);	/* not Check's handler */
		alarm(secs);
		taken = sl_accept_pool(&sp, "P", err, sizeof(err));
		if (write(fds[1], &taken, sizeof(taken)) != (ssize_t)sizeof(taken))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(!(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM),
	    "sl_accept_pool did not return within %u s", secs);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the acceptor died (status %#x)", st);
	ck_assert_int_eq(read(fds[0], &taken, sizeof(taken)),
	    (ssize_t)sizeof(taken));
	close(fds[0]);
	return taken;
}

/* the only rejected run: its directory, checked for origin and reason */
static const char *
the_rejected(const char *why)
{
	char  **v, *reason;
	size_t	n = listing(S("pools/P/rejected"), &v);
	static char dir[4096];

	ck_assert_uint_eq(n, 1);
	ck_assert(sl_uuid_ok(v[0]));
	snprintf(dir, sizeof(dir), "%s", S("pools/P/rejected/%s", v[0]));
	free_listing(v, n);
	ck_assert(t_exists(in(dir, "origin")));
	reason = t_read(in(dir, "reason"));
	ck_assert_msg(strstr(reason, why) != NULL, "reason [%s] does not say "
	    "[%s]", reason, why);
	ck_assert_msg(strchr(reason, '\n') == reason + strlen(reason) - 1,
	    "reason is not one line: [%s]", reason);
	free(reason);
	return dir;
}

/* ---- names ---- */

static const char good_token[] = "0000000069e5a1c0.00063c1a2b3c4d5e." ID;

START_TEST(test_run_token_good)
{
	char	id[SL_UUID_LEN + 1];
	time_t	t = 0;

	ck_assert_int_eq(sl_token_parse(good_token, &t, id), 0);
	ck_assert_int_eq(t, 0x69e5a1c0);
	ck_assert_str_eq(id, ID);
	ck_assert_int_eq(sl_token_parse(good_token, NULL, NULL), 0);
	ck_assert_int_eq(sl_token_parse("0000000000000000.0000000000000000."
	    ID, &t, id), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(sl_token_parse("00000000ffffffff.0123456789abcdef."
	    "ffffffff-ffff-ffff-ffff-ffffffffffff", &t, id), 0);
	ck_assert_int_eq(t, 0xffffffff);
	ck_assert_str_eq(id, "ffffffff-ffff-ffff-ffff-ffffffffffff");
}
END_TEST

static const char *const bad_tokens[] = {
	"",
	ID,
	ID ".Completed",
	"recovered." ID,
	"0000000069e5a1c0.00063c1a2b3c4d5e.",
	"0000000069e5a1c0.00063c1a2b3c4d5e",
	"0000000069E5A1C0.00063c1a2b3c4d5e." ID,	/* uppercase T */
	"0000000069e5a1c0.00063C1A2B3C4D5E." ID,	/* uppercase U */
	"0000000069e5a1c0.00063c1a2b3c4d5e.0E6D2B4C-8C1E-4A5E-9B3A-2F4D6E8A0B1C",
	"0000000069e5a1c0.00063c1a2b3c4d5e.0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1C",
	"000000069e5a1c0.00063c1a2b3c4d5e." ID,		/* T: 15 */
	"00000000069e5a1c0.00063c1a2b3c4d5e." ID,	/* T: 17 */
	"0000000069e5a1c0.0063c1a2b3c4d5e." ID,		/* U: 15 */
	"0000000069e5a1c0.000063c1a2b3c4d5e." ID,	/* U: 17 */
	"0000000069e5a1c0.00063c1a2b3c4d5e.0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1",
	"0000000069e5a1c0.00063c1a2b3c4d5e.0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1c0",
	"0000000069e5a1c0.00063c1a2b3c4d5e.0e6d2b4c8c1e-4a5e-9b3a-2f4d6e8a0b1c0",
	"0000000069e5a1c0.00063c1a2b3c4d5e.0e6d2b4c8-c1e-4a5e-9b3a-2f4d6e8a0b1c",
	"0000000069e5a1c0.00063c1a2b3c4d5e.0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1g",
	"0000000069e5a1c0.00063c1a2b3c4d5e.0e6d2b4c_8c1e_4a5e_9b3a_2f4d6e8a0b1c",
	"0000000069e5a1c0-00063c1a2b3c4d5e." ID,
	"0000000069e5a1c0.00063c1a2b3c4d5e-" ID,
	"0000000069e5a1c0_00063c1a2b3c4d5e_" ID,
	"0000000069e5a1c000063c1a2b3c4d5e.." ID,
	"0000000069e5a1cg.00063c1a2b3c4d5e." ID,
	"0x00000069e5a1c0.00063c1a2b3c4d5e." ID,
	"+000000069e5a1c0.00063c1a2b3c4d5e." ID,
	" 000000069e5a1c0.00063c1a2b3c4d5e." ID,
	"0000000069e5a1c0.00063c1a2b3c4d5e." ID "\n",
	"0000000069e5a1c0.00063c1a2b3c4d5e." ID " ",
	".0000000069e5a1c0.00063c1a2b3c4d5e." ID,
	"0000000069e5a1c0." ID,
};

START_TEST(test_run_token_bad)
{
	char	id[SL_UUID_LEN + 1] = "untouched";
	time_t	t = 42;

	ck_assert_msg(sl_token_parse(bad_tokens[_i], &t, id) == -1,
	    "accepted [%s]", bad_tokens[_i]);
	ck_assert_int_eq(t, 42);
	ck_assert_str_eq(id, "untouched");
}
END_TEST

/* sched/ in strcmp order: scheduled time, then submission order */
START_TEST(test_run_sched_order)
{
	char	a[SL_UUID_LEN + 1], b[SL_UUID_LEN + 1], c[SL_UUID_LEN + 1];
	char	id[SL_UUID_LEN + 1], **v;
	time_t	t = time(NULL), got;
	struct sl_runs rs;
	size_t	n;

	submit("Q", "a", t + 20, 1, a);
	submit("Q", "b", t + 10, 1, b);
	submit("Q", "c", t + 10, 1, c);
	n = listing(S("pools/P/queues/Q/sched"), &v);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(sl_token_parse(v[0], &got, id), 0);
	ck_assert_int_eq(got, t + 10);
	ck_assert_str_eq(id, b);
	ck_assert_int_eq(sl_token_parse(v[1], &got, id), 0);
	ck_assert_int_eq(got, t + 10);
	ck_assert_str_eq(id, c);
	ck_assert_int_eq(sl_token_parse(v[2], &got, id), 0);
	ck_assert_int_eq(got, t + 20);
	ck_assert_str_eq(id, a);
	/* U: the submission times, in submission order */
	ck_assert_msg(strncmp(v[0] + 17, v[1] + 17, 16) < 0, "%s !< %s", v[0],
	    v[1]);
	free_listing(v, n);
	/* the listing of runs is in that order too */
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 3);
	ck_assert_str_eq(rs.v[0].id, b);
	ck_assert_str_eq(rs.v[1].id, c);
	ck_assert_str_eq(rs.v[2].id, a);
	sl_runs_free(&rs);
}
END_TEST

/* fixed-width hex: strcmp order is numeric order, across digit counts */
START_TEST(test_run_sched_order_numeric)
{
	static const time_t when[] = {
		4096, 9, 256, 1L << 34, 0, 15, 4095, 16, 10, 1, 255, 1L << 31,
	};
	time_t	sorted[sizeof(when) / sizeof(when[0])], got, x;
	size_t	n, i, j, k = sizeof(when) / sizeof(when[0]);
	char  **v;

	for (i = 0; i < k; i++) {
		submit("Q", NULL, when[i], 1, NULL);
		sorted[i] = when[i];
	}
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			x = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = x;
		}
	n = listing(S("pools/P/queues/Q/sched"), &v);
	ck_assert_uint_eq(n, k);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sl_token_parse(v[i], &got, NULL), 0);
		ck_assert_int_eq(got, sorted[i]);
	}
	free_listing(v, n);
}
END_TEST

/* ---- submitting ---- */

START_TEST(test_run_submit)
{
	struct sl_runspec r, back;
	struct sl_runs rs;
	time_t	now = time(NULL), t;
	char	id[SL_UUID_LEN + 1], **v, *text;
	size_t	n;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "P");
	snprintf(r.queue, sizeof(r.queue), "Q");
	r.command = sl_xstrdup("echo 'a;b' \"#c\"");
	r.scheduled = now + 60;
	r.retries = 2;
	r.owner_uid = 1234;
	r.owner_gid = 56;
	ck_assert_msg(sl_run_submit(&sp, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert(sl_uuid_ok(r.id));
	ck_assert_ptr_nonnull(r.name);		/* a slug was made up */
	ck_assert_ptr_nonnull(strchr(r.name, '-'));
	ck_assert_int_eq(r.attempt, 1);
	ck_assert_msg(r.created >= now && r.created <= now + 5, "created %lld",
	    (long long)r.created);
	/* published under sched/, nothing left in the private tmp/ */
	n = listing(S("pools/P/queues/Q/sched"), &v);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(sl_token_parse(v[0], &t, id), 0);
	ck_assert_str_eq(id, r.id);
	ck_assert_int_eq(t, now + 60);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched/%.15s/%s", v[0], v[0]), 1), 1);
	text = t_read(S("pools/P/queues/Q/sched/%.15s/%s/run.ini", v[0], v[0]));
	ck_assert_msg(sl_runspec_parse(text, strlen(text), 0, 1, &back, err,
	    sizeof(err)) == 0, "run.ini: %s", err);
	ck_assert_str_eq(back.id, r.id);
	ck_assert_str_eq(back.pool, "P");
	ck_assert_str_eq(back.queue, "Q");
	ck_assert_str_eq(back.command, r.command);
	ck_assert_str_eq(back.name, r.name);
	ck_assert_int_eq(back.scheduled, now + 60);
	ck_assert_int_eq(back.created, r.created);
	ck_assert_int_eq(back.retries, 2);
	ck_assert_int_eq(back.owner_uid, 1234);
	ck_assert_int_eq(back.owner_gid, 56);
	sl_runspec_free(&back);
	free(text);
	free_listing(v, n);
	/* and it is listed as Scheduled in Q */
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_str_eq(rs.v[0].id, r.id);
	ck_assert_int_eq(rs.v[0].state, SL_SCHEDULED);
	ck_assert_str_eq(rs.v[0].queue, "Q");
	ck_assert_str_eq(rs.v[0].pool, "P");
	ck_assert_str_eq(rs.v[0].spec.command, r.command);
	sl_runs_free(&rs);
	sl_runspec_free(&r);
}
END_TEST

/* ---- the seam ---- */

static int
failing_rename(const char *a, const char *b)
{
	(void)a;
	(void)b;
	t_seam_calls++;
	errno = EIO;
	return -1;
}

/* a rename into a sched/ directory fails; every other one works */
static int
failing_sched_rename(const char *a, const char *b)
{
	if (strstr(b, "/sched/") != NULL) {
		t_seam_calls++;
		errno = EIO;
		return -1;
	}
	return rename(a, b);
}

static int (*const lost[])(const char *, const char *) = {
	t_lost_rename, t_lost_rename_eexist,
};

START_TEST(test_run_submit_lost_rename)
{
	char	id[SL_UUID_LEN + 1];
	struct sl_runs rs;

	sl_sys.rename = lost[_i];
	t_seam_calls = 0;
	submit("Q", "lost", time(NULL), 1, id);
	sl_sys.rename = sl_rename;
	ck_assert_int_gt(t_seam_calls, 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 1);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_str_eq(rs.v[0].id, id);
	ck_assert_str_eq(rs.v[0].spec.name, "lost");
	sl_runs_free(&rs);
}
END_TEST

/* a submit that cannot publish says so and leaves nothing behind */
START_TEST(test_run_submit_fails)
{
	struct sl_runspec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "P");
	snprintf(r.queue, sizeof(r.queue), "Q");
	r.command = sl_xstrdup("true");
	r.scheduled = time(NULL);
	sl_sys.rename = _i == 0 ? failing_rename : failing_sched_rename;
	t_seam_calls = 0;
	ck_assert_int_eq(sl_run_submit(&sp, &r, err, sizeof(err)), -1);
	sl_sys.rename = sl_rename;
	ck_assert_int_gt(t_seam_calls, 0);
	ck_assert_msg(err[0] != '\0', "no message");
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	sl_runspec_free(&r);
}
END_TEST

/* ---- accepting dropped files ---- */

START_TEST(test_run_accept_good)
{
	static const char text[] = "[run]\ncommand = echo hi\nname = from-drop\n"
	    "retries = 1\n[env]\nK = v\n";
	const char *path = S("pools/P/queues/Q/new/job1");
	struct passwd *pw;
	struct sl_runs rs;
	struct sl_run *run;
	long	uid = (long)getuid(), gid;
	char   *src, *origin, v[256];

	drop_s("job1", text);
	if (geteuid() == 0 && (pw = getpwnam("nobody")) != NULL) {
		/* the owner is the file's, not the acceptor's */
		ck_assert_int_eq(chown(path, pw->pw_uid, pw->pw_gid), 0);
		uid = (long)pw->pw_uid;
	}
	pw = getpwuid((uid_t)uid);
	ck_assert_ptr_nonnull(pw);
	gid = (long)pw->pw_gid;
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/rejected"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 1);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 1);
	run = &rs.v[0];
	ck_assert_int_eq(run->state, SL_SCHEDULED);
	ck_assert_str_eq(run->queue, "Q");
	ck_assert_str_eq(run->spec.id, run->id);
	ck_assert_str_eq(run->spec.pool, "P");
	ck_assert_str_eq(run->spec.queue, "Q");
	ck_assert_str_eq(run->spec.command, "echo hi");
	ck_assert_str_eq(run->spec.name, "from-drop");
	ck_assert_int_eq(run->spec.retries, 1);
	ck_assert_int_eq(run->spec.owner_uid, uid);
	ck_assert_int_eq(run->spec.owner_gid, gid);
	ck_assert_uint_eq(run->spec.nenv, 1);
	ck_assert_str_eq(run->spec.env[0], "K=v");
	ck_assert_int_eq(run->spec.attempt, 1);
	/* the dropped bytes are kept as they were, and where they came from */
	src = t_read(in(run->dir, "source"));
	ck_assert_str_eq(src, text);
	origin = t_read(in(run->dir, "origin"));
	sl_kv_get(origin, "queue", v, sizeof(v));
	ck_assert_str_eq(v, "Q");
	sl_kv_get(origin, "name", v, sizeof(v));
	ck_assert_str_eq(v, "job1");
	sl_kv_get(origin, "accepted", v, sizeof(v));
	ck_assert_msg(v[0] != '\0', "no accepted time: %s", origin);
	free(origin);
	free(src);
	sl_runs_free(&rs);
	/* nothing to take a second time */
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 1);
}
END_TEST

/* a dropped name is stored printable; the run keeps the file's name */
START_TEST(test_run_accept_odd_name)
{
	struct sl_runs rs;
	char   *origin, v[256];

	drop_s("bad\nname\"'\\", "[run]\ncommand = true\n");
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 1);
	origin = t_read(in(rs.v[0].dir, "origin"));
	sl_kv_get(origin, "name", v, sizeof(v));
	ck_assert_str_eq(v, "bad\\x0Aname\\x22\\x27\\x5C");
	sl_kv_get(origin, "queue", v, sizeof(v));
	ck_assert_str_eq(v, "Q");
	free(origin);
	sl_runs_free(&rs);
}
END_TEST

static const char junk[] = "\x7f" "ELF\x02\x01\0\0\0\xff\n[run]\ncommand = x\n";

static const struct {
	const char *name, *text;
	size_t	len;			/* 0: strlen(text) */
	const char *why;
} bad_drops[] = {
	{ "nocmd", "[run]\nname = x\n", 0, "no command" },
	{ "empty", "", 0, "no command" },
	{ "junk", junk, sizeof(junk) - 1, "NUL" },
	{ "cut", "[run]\ncommand = echo a; rm -rf /\n", 0, "outside quotes" },
	{ "owner", "[run]\ncommand = x\nowner_uid = 0\n", 0, "is set by sluice" },
	{ "when", "[run]\ncommand = x\nscheduled = soon\n", 0, "not a time" },
	{ "big", NULL, SL_INI_MAX + 1, "larger than 1 MiB" },
};

/* a bad file becomes a Rejected run: its reason, its bytes, untouched */
START_TEST(test_run_accept_bad)
{
	const char *dir;
	struct sl_runs rs;
	char   *text, *src;
	size_t	len = bad_drops[_i].len;
	ssize_t	n;

	if (bad_drops[_i].text == NULL) {
		text = sl_xmalloc(len);
		memset(text, ';', len);
		memcpy(text, "[run]\ncommand = x\n", 18);
	} else {
		text = sl_xstrdup(bad_drops[_i].text);
		if (len == 0)
			len = strlen(text);
		else {
			free(text);
			text = sl_xmalloc(len);
			memcpy(text, bad_drops[_i].text, len);
		}
	}
	drop("Q", bad_drops[_i].name, text, len);
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	dir = the_rejected(bad_drops[_i].why);
	n = sl_read_file(in(dir, "source"), &src,
	    2 * SL_INI_MAX);
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert_msg(memcmp(src, text, len) == 0, "the source changed");
	free(src);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_int_eq(rs.v[0].state, SL_REJECTED);
	ck_assert_str_eq(rs.v[0].queue, "Q");
	ck_assert_ptr_nonnull(rs.v[0].spec.name);
	ck_assert_str_eq(rs.v[0].spec.name, bad_drops[_i].name);
	ck_assert_msg(strstr(rs.v[0].message, bad_drops[_i].why) != NULL,
	    "message: %s", rs.v[0].message);
	ck_assert_str_eq(sl_run_display(&rs.v[0], time(NULL), 15), "Rejected");
	sl_runs_free(&rs);
	/* a Rejected run stays Rejected */
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 0);
	the_rejected(bad_drops[_i].why);
	free(text);
}
END_TEST

/*
 * atrun's ladder: what is not one regular file is turned away.  What is
 * not a regular file at all is not kept in the spool's tree (its owner
 * could change it under root): it is given back to the drop box as
 * new/.rejected.ID, which acceptors ignore, and never removed.
 */
enum { K_SYMLINK, K_FIFO, K_DIR, K_HARDLINK, K_NKINDS };

START_TEST(test_run_accept_not_a_file)
{
	static const char good[] = "[run]\ncommand = echo hi\n";
	static const char *const why[] = {
		"symbolic link", "not a regular file", "regular file",
		"2 hard links",
	};
	const char *new = S("pools/P/queues/Q/new/x"), *dir;
	char	outside[4096], back[4096], *s, *id;
	struct stat st;

	snprintf(outside, sizeof(outside), "%s", S("outside"));
	t_puts(outside, good);
	switch (_i) {
	case K_SYMLINK:
		ck_assert_int_eq(symlink(outside, new), 0);
		break;
	case K_FIFO:
		ck_assert_int_eq(mkfifo(new, 0644), 0);
		break;
	case K_DIR:
		t_mkdir(new);
		t_puts(S("pools/P/queues/Q/new/x/run"), good);
		break;
	case K_HARDLINK:
		ck_assert_int_eq(link(outside, new), 0);
		break;
	}
	ck_assert_int_eq(accept_bounded(10), 1);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 0), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	dir = the_rejected(why[_i]);
	id = strrchr(dir, '/') + 1;
	snprintf(back, sizeof(back), "%s", S("pools/P/queues/Q/new/.rejected.%s",
	    id));
	if (_i == K_HARDLINK) {
		/* a regular file: kept as it was */
		ck_assert_int_eq(lstat(in(dir, "source"), &st), 0);
		ck_assert(S_ISREG(st.st_mode));
		ck_assert_int_eq(st.st_nlink, 2);
		ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 1), 0);
	} else {
		/* given back, as it was, and the reason says where */
		char   *reason = t_read(in(dir, "reason"));

		ck_assert(!t_exists(in(dir, "source")));
		ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 1), 1);
		ck_assert_int_eq(lstat(back, &st), 0);
		ck_assert_msg(strstr(reason, strrchr(back, '/') + 1) != NULL,
		    "reason [%s] does not name %s", reason, back);
		free(reason);
		switch (_i) {
		case K_SYMLINK:
			ck_assert(S_ISLNK(st.st_mode));
			break;
		case K_FIFO:
			ck_assert(S_ISFIFO(st.st_mode));
			break;
		case K_DIR:
			ck_assert(S_ISDIR(st.st_mode));
			ck_assert(t_exists(S("pools/P/queues/Q/new/.rejected.%s/run",
			    id)));
			break;
		}
		/* a second pass leaves it alone */
		ck_assert_int_eq(accept_bounded(10), 0);
		ck_assert(t_exists(back));
	}
	/* and what it pointed at, untouched */
	s = t_read(outside);
	ck_assert_str_eq(s, good);
	free(s);
}
END_TEST

/* a file whose owner is no known user does not run */
START_TEST(test_run_accept_unknown_owner)
{
	const char *path = S("pools/P/queues/Q/new/orphan");
	uid_t	uid = 54321;

	if (geteuid() != 0)
		return;			/* chown needs root */
	while (getpwuid(uid) != NULL)
		uid++;
	drop_s("orphan", "[run]\ncommand = echo hi\n");
	ck_assert_int_eq(chown(path, uid, uid), 0);
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	the_rejected("not a known user");
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
}
END_TEST

START_TEST(test_run_accept_dotfiles)
{
	static const char good[] = "[run]\ncommand = echo hi\n";

	drop_s(".hidden", good);
	drop_s(".nfs000000000001", good);
	drop("default", ".x", good, strlen(good));
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 0);
	ck_assert(t_exists(S("pools/P/queues/Q/new/.hidden")));
	ck_assert(t_exists(S("pools/P/queues/Q/new/.nfs000000000001")));
	ck_assert(t_exists(S("pools/P/queues/default/new/.x")));
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/rejected"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	/* and next to them, a good one is taken */
	drop_s("visible", good);
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	ck_assert(t_exists(S("pools/P/queues/Q/new/.hidden")));
}
END_TEST

/* every queue's drop box, and the run goes to the queue it was dropped in */
START_TEST(test_run_accept_queues)
{
	struct sl_runs rs;
	struct sl_run *a, *b;

	drop("default", "a", "[run]\ncommand = a\nname = a\n",
	    strlen("[run]\ncommand = a\nname = a\n"));
	drop_s("b", "[run]\ncommand = b\nname = b\n");
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 2);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 2);
	a = rs.v[0].spec.name[0] == 'a' ? &rs.v[0] : &rs.v[1];
	b = a == &rs.v[0] ? &rs.v[1] : &rs.v[0];
	ck_assert_str_eq(a->queue, "default");
	ck_assert_str_eq(a->spec.command, "a");
	ck_assert_str_eq(b->queue, "Q");
	ck_assert_str_eq(b->spec.command, "b");
	sl_runs_free(&rs);
}
END_TEST

/*
 * two_acceptors - drops files d000..d(n-1), starts two sl_accept_pool at
 * once in two children (with rn as their sl_sys.rename), and checks each
 * file became exactly one run.
 */
static void
two_acceptors(int nfiles, int (*rn)(const char *, const char *))
{
	struct sl_runs rs;
	char	name[32], text[96], *seen;
	int	go[2], res[2], i, st;
	long	taken, sum = 0;
	pid_t	pid[2];
	size_t	j;

	for (i = 0; i < nfiles; i++) {
		snprintf(name, sizeof(name), "d%03d", i);
		snprintf(text, sizeof(text), "[run]\ncommand = echo %d\nname = "
		    "d%03d\n", i, i);
		drop_s(name, text);
	}
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			char	c;

			close(go[1]);
			close(res[0]);
			signal(SIGALRM, SIG_DFL);
			alarm(25);
			if (read(go[0], &c, 1) < 0)	/* EOF: both start */
				_exit(3);
			sl_sys.rename = rn;
			taken = sl_accept_pool(&sp, "P", err, sizeof(err));
			if (write(res[1], &taken, sizeof(taken)) !=
			    (ssize_t)sizeof(taken))
				_exit(2);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	close(res[1]);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "acceptor %d died (status %#x)", i, st);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(read(res[0], &taken, sizeof(taken)),
		    (ssize_t)sizeof(taken));
		ck_assert_int_ge(taken, 0);
		sum += taken;
	}
	close(res[0]);
	ck_assert_int_eq(sum, nfiles);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), nfiles);
	ck_assert_int_eq(entries(S("pools/P/rejected"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, (size_t)nfiles);
	seen = sl_xmalloc((size_t)nfiles);
	memset(seen, 0, (size_t)nfiles);
	for (j = 0; j < rs.n; j++) {
		ck_assert_int_eq(rs.v[j].state, SL_SCHEDULED);
		ck_assert_ptr_nonnull(rs.v[j].spec.name);
		i = atoi(rs.v[j].spec.name + 1);
		ck_assert_int_lt(i, nfiles);
		ck_assert_msg(!seen[i], "%s accepted twice", rs.v[j].spec.name);
		seen[i] = 1;
		if (j > 0)
			ck_assert_str_ne(rs.v[j].id, rs.v[j - 1].id);
	}
	free(seen);
	sl_runs_free(&rs);
}

START_TEST(test_run_accept_two_at_once)
{
	two_acceptors(200, rename);
}
END_TEST

/* a rename carried out whose reply was lost: the file is taken once */
START_TEST(test_run_accept_lost_rename)
{
	struct sl_runs rs;

	drop_s("good", "[run]\ncommand = echo hi\nname = good\n");
	drop_s("bad", "[run]\nname = bad\n");
	sl_sys.rename = lost[_i];
	t_seam_calls = 0;
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 2);
	sl_sys.rename = sl_rename;
	ck_assert_int_gt(t_seam_calls, 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 1);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	the_rejected("no command");
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_uint_eq(in_state(&rs, SL_SCHEDULED), 1);
	ck_assert_uint_eq(in_state(&rs, SL_REJECTED), 1);
	sl_runs_free(&rs);
	/* and not again */
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 1);
}
END_TEST

/* lost replies while another acceptor races: still one run per file */
START_TEST(test_run_accept_lost_rename_two_at_once)
{
	two_acceptors(50, t_lost_rename);
}
END_TEST

/* a run that cannot be published: the file goes back to the drop box */
START_TEST(test_run_accept_publish_fails)
{
	static const char text[] = "[run]\ncommand = echo hi\nname = back\n";
	struct sl_runs rs;
	char  **v, *s;
	size_t	n;

	drop_s("job", text);
	sl_sys.rename = failing_sched_rename;
	t_seam_calls = 0;
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 0);
	sl_sys.rename = sl_rename;
	ck_assert_int_gt(t_seam_calls, 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/rejected"), 1), 0);
	n = listing(S("pools/P/queues/Q/new"), &v);
	ck_assert_uint_eq(n, 1);
	ck_assert_msg(strncmp(v[0], "recovered.", 10) == 0 &&
	    sl_uuid_ok(v[0] + 10), "given back as %s", v[0]);
	s = t_read(S("pools/P/queues/Q/new/%s", v[0]));
	ck_assert_str_eq(s, text);
	free(s);
	free_listing(v, n);
	/* the next acceptance takes it, once */
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_int_eq(rs.v[0].state, SL_SCHEDULED);
	ck_assert_str_eq(rs.v[0].spec.name, "back");
	sl_runs_free(&rs);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/new"), 1), 0);
}
END_TEST

/*
 * A drop of at most 1 MiB is a run (sluice-run(5)), so the run.ini sluice
 * writes for it must be one sluice can read again: here the command of a
 * 1,047,685-byte drop is rendered into a run.ini over SL_INI_MAX, which
 * the listing (and the claimer) then cannot read.
 */
START_TEST(test_run_accept_largest_drop)
{
	struct sl_buf b = { 0 };
	struct sl_runs rs;
	char	v[981], line[1100];
	int	part, n;

	memset(v, 'a', 980);
	v[980] = '\0';
	sl_buf_puts(&b, "[run]\n");
	for (part = 1;; part++) {
		if (part == 1)
			n = snprintf(line, sizeof(line), "command=\"%s\"\n", v);
		else
			n = snprintf(line, sizeof(line), "command.%d=\"%s\"\n",
			    part, v);
		if (b.len + (size_t)n > SL_INI_MAX)
			break;
		sl_buf_puts(&b, line);
	}
	drop("Q", "largest", b.s, b.len);
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 1);
	if (rs.v[0].state == SL_SCHEDULED) {
		ck_assert_msg(rs.v[0].spec.command != NULL, "a Scheduled run "
		    "whose run.ini cannot be read (%s): %s", rs.v[0].dir,
		    rs.v[0].message);
		ck_assert_uint_eq(strlen(rs.v[0].spec.command),
		    980 * (size_t)(part - 1));
	}
	sl_runs_free(&rs);
	sl_buf_free(&b);
}
END_TEST

/*
 * An RFC 3339 time with an offset can mean a second before 1970
 * ("1970-01-01T00:00:00+01:00" is -3600).  Accepted, such a run gets the
 * token fffffffffffff1f0.U.ID, which sorts after every other run in sched/
 * although it is the most overdue, and a run.ini whose scheduled time
 * ("1969-12-31T23:00:00Z") sluice refuses to read back.
 */
START_TEST(test_run_accept_pre_epoch)
{
	struct sl_runs rs;
	char	now_id[SL_UUID_LEN + 1], id[SL_UUID_LEN + 1], **v;
	size_t	n, i;

	submit("Q", "now", time(NULL), 1, now_id);
	drop_s("early", "[run]\ncommand = x\nname = early\n"
	    "scheduled = 1970-01-01T00:00:00+01:00\n");
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	n = listing(S("pools/P/queues/Q/sched"), &v);
	if (n == 2) {
		/* accepted: it must come first, and be readable */
		ck_assert_int_eq(sl_token_parse(v[1], NULL, id), 0);
		ck_assert_msg(strcmp(id, now_id) == 0, "the run due in 1969 "
		    "sorts after one due now: %s, %s", v[0], v[1]);
		load_runs(&rs);
		for (i = 0; i < rs.n; i++)
			ck_assert_msg(rs.v[i].spec.command != NULL, "run.ini of "
			    "%s cannot be read: %s", rs.v[i].dir,
			    rs.v[i].message);
		sl_runs_free(&rs);
	} else
		the_rejected("scheduled");
	free_listing(v, n);
}
END_TEST

/* ---- what a person sees ---- */

START_TEST(test_run_display)
{
	struct sl_run run;
	time_t	t = 1795874400;

	memset(&run, 0, sizeof(run));
	run.state = SL_SCHEDULED;
	run.spec.attempt = 1;
	run.spec.scheduled = t;
	ck_assert_str_eq(sl_run_display(&run, t - 100, 15), "Scheduled");
	ck_assert_str_eq(sl_run_display(&run, t, 15), "Scheduled");
	ck_assert_str_eq(sl_run_display(&run, t + 15, 15), "Scheduled");
	ck_assert_str_eq(sl_run_display(&run, t + 16, 15), "Late");
	ck_assert_str_eq(sl_run_display(&run, t + 86400, 15), "Late");
	ck_assert_str_eq(sl_run_display(&run, t + 16, 60), "Scheduled");
	ck_assert_str_eq(sl_run_display(&run, t + 1, 0), "Late");
	/* a retry is AwaitingRetry, late or not */
	run.spec.attempt = 2;
	ck_assert_str_eq(sl_run_display(&run, t - 100, 15), "AwaitingRetry");
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "AwaitingRetry");
	/* a cancel asked for: Cancelling while Pending or Running */
	run.spec.attempt = 1;
	run.state = SL_RUNNING;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Running");
	run.cancelling = 1;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Cancelling");
	run.state = SL_PENDING;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Cancelling");
	run.cancelling = 0;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Pending");
	/* final states are what they are */
	run.cancelling = 1;
	run.state = SL_COMPLETED;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Completed");
	run.state = SL_FAILED;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Failed");
	run.state = SL_CRASHED;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Crashed");
	run.state = SL_CANCELLED;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Cancelled");
	run.state = SL_REJECTED;
	ck_assert_str_eq(sl_run_display(&run, t + 1000, 15), "Rejected");
}
END_TEST

/* the same, for runs in a spool */
START_TEST(test_run_display_spool)
{
	struct sl_runs rs;
	time_t	now = time(NULL);
	char	late[SL_UUID_LEN + 1], retry[SL_UUID_LEN + 1];
	char	later[SL_UUID_LEN + 1], text[128];
	size_t	i;

	submit("Q", "late", now - 100, 1, late);
	submit("Q", "retry", now - 100, 2, retry);
	submit("Q", "later", now + 3600, 1, later);
	snprintf(text, sizeof(text), "[run]\ncommand = x\nname = dropped\n"
	    "scheduled = @%lld\n", (long long)now - 16);
	drop_s("dropped", text);
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	load_runs(&rs);
	ck_assert_uint_eq(rs.n, 4);
	ck_assert_str_eq(sl_run_display(by_id(&rs, late), now, 15), "Late");
	ck_assert_str_eq(sl_run_display(by_id(&rs, late), now, 200),
	    "Scheduled");
	ck_assert_str_eq(sl_run_display(by_id(&rs, retry), now, 15),
	    "AwaitingRetry");
	ck_assert_str_eq(sl_run_display(by_id(&rs, later), now, 15),
	    "Scheduled");
	for (i = 0; i < rs.n; i++)
		if (strcmp(rs.v[i].spec.name, "dropped") == 0)
			ck_assert_str_eq(sl_run_display(&rs.v[i], now, 15),
			    "Late");
	sl_runs_free(&rs);
}
END_TEST

/* ---- finding ---- */

START_TEST(test_run_find)
{
	struct sl_runs rs;
	struct sl_run *run;
	char	solo[SL_UUID_LEN + 1], t1[SL_UUID_LEN + 1], t2[SL_UUID_LEN + 1];
	char	ref[SL_UUID_LEN + 1];

	submit("Q", "solo", time(NULL), 1, solo);
	submit("Q", "twin", time(NULL), 1, t1);
	submit("default", "twin", time(NULL), 1, t2);
	/* by id */
	ck_assert_msg(sl_run_find(&sp, solo, &rs, &run, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_str_eq(run->id, solo);
	ck_assert_int_eq(run->state, SL_SCHEDULED);
	ck_assert_str_eq(run->spec.name, "solo");
	sl_runs_free(&rs);
	/* by a prefix of 8 */
	memcpy(ref, t2, 8);
	ref[8] = '\0';
	ck_assert_msg(sl_run_find(&sp, ref, &rs, &run, err, sizeof(err)) == 0,
	    "%s: %s", ref, err);
	ck_assert_str_eq(run->id, t2);
	ck_assert_str_eq(run->queue, "default");
	sl_runs_free(&rs);
	/* 7 is too short to be an id, and it is no name */
	ref[7] = '\0';
	errno = 0;
	ck_assert_int_eq(sl_run_find(&sp, ref, &rs, &run, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	sl_runs_free(&rs);
	/* by name */
	ck_assert_msg(sl_run_find(&sp, "solo", &rs, &run, err, sizeof(err)) ==
	    0, "%s", err);
	ck_assert_str_eq(run->id, solo);
	sl_runs_free(&rs);
	/* two runs of one name: which is meant is not known */
	errno = 0;
	ck_assert_int_eq(sl_run_find(&sp, "twin", &rs, &run, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_msg(strstr(err, "matches 2 runs by name") != NULL, "%s", err);
	sl_runs_free(&rs);
	/* ... but each by its id */
	ck_assert_int_eq(sl_run_find(&sp, t1, &rs, &run, err, sizeof(err)), 0);
	ck_assert_str_eq(run->id, t1);
	sl_runs_free(&rs);
	/* nothing */
	errno = 0;
	ck_assert_int_eq(sl_run_find(&sp, "nope", &rs, &run, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_msg(strstr(err, "not found") != NULL, "%s", err);
	sl_runs_free(&rs);
}
END_TEST

/*
 * A whole id is found by names alone; what comes back is that run and the
 * pool's Pending and Running runs (why it waits needs their count), not
 * every queued run.  A name that looks like an id is still found by name.
 */
START_TEST(test_run_find_by_id)
{
	static const char r[] = "abcdef01-0000-4000-8000-000000000003";
	static const char lookalike[] = "99999999-0000-4000-8000-000000000009";
	struct sl_runs rs;
	struct sl_run *run;
	char	a[SL_UUID_LEN + 1], b[SL_UUID_LEN + 1];
	size_t	i, active = 0;

	submit("Q", "a", time(NULL), 1, a);
	submit("Q", lookalike, time(NULL), 1, b);
	place("running", r, "running-r");
	ck_assert_int_eq(sl_run_find(&sp, a, &rs, &run, err, sizeof(err)), 0);
	ck_assert_str_eq(run->id, a);
	ck_assert_int_eq(run->state, SL_SCHEDULED);
	ck_assert_uint_eq(rs.n, 2);
	for (i = 0; i < rs.n; i++)
		active += rs.v[i].state == SL_RUNNING;
	ck_assert_uint_eq(active, 1);
	sl_runs_free(&rs);
	/* the Running run itself: not listed twice */
	ck_assert_int_eq(sl_run_find(&sp, r, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_RUNNING);
	ck_assert_uint_eq(rs.n, 1);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_run_find(&sp, lookalike, &rs, &run, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(run->id, b);
	sl_runs_free(&rs);
}
END_TEST

/* run_token - the token (T.U.ID) of Scheduled run id of P's queue Q */
static const char *
run_token(const char *id)
{
	static char tok[SL_TOKEN_LEN + 1];
	char   *v[64];
	size_t	n, i;

	tok[0] = '\0';
	n = t_sched_tokens(S("pools/P/queues/Q/sched"), v, 64);
	for (i = 0; i < n && i < 64; i++) {
		if (strlen(v[i]) == SL_TOKEN_LEN &&
		    strcmp(v[i] + SL_TOKEN_LEN - SL_UUID_LEN, id) == 0)
			memcpy(tok, v[i], sizeof(tok));
		free(v[i]);
	}
	ck_assert_msg(tok[0] != '\0', "no run %s in Q", id);
	return tok;
}

/*
 * The id index (ids.c): submit writes ids/XX/ID, a lookup by id follows
 * it, and a hint that is missing, false (another run's place), a link,
 * not a file or garbage is no hint: the run found is always the one with
 * that id, by the full scan.  Delete removes the hint.
 */
START_TEST(test_run_find_hinted)
{
	static const char *const bad[] = {
		"garbage\n",
		"pool = ../P\nqueue = Q\ntoken = %s\n",
		"pool = P\nqueue = a/b\ntoken = %s\n",
		"pool = P\nqueue = Q\ntoken = 0000\n",
	};
	struct sl_idhint h;
	struct sl_runs rs;
	struct sl_run *run;
	char	a[SL_UUID_LEN + 1], b[SL_UUID_LEN + 1], hint[200], text[400];
	char   *bt;
	size_t	i;

	submit("Q", "a", time(NULL), 1, a);
	submit("default", "b", time(NULL) + 60, 1, b);
	snprintf(hint, sizeof(hint), "ids/%.2s/%s", a, a);
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), 0);
	ck_assert_str_eq(h.pool, "P");
	ck_assert_str_eq(h.queue, "Q");
	ck_assert_str_eq(h.token + SL_TOKEN_LEN - SL_UUID_LEN, a);
	ck_assert_int_eq(sl_run_find(&sp, a, &rs, &run, err, sizeof(err)), 0);
	ck_assert_str_eq(run->id, a);
	ck_assert_str_eq(run->queue, "Q");
	sl_runs_free(&rs);
	/* b's hint copied over a's: names b's run, not a's: no hint */
	bt = sl_read_small(S("ids/%.2s", b), b);
	ck_assert_ptr_nonnull(bt);
	t_puts(S("%s", hint), bt);
	free(bt);
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), -1);
	/* a's token in the wrong queue: probed, not found, then scanned */
	ck_assert_int_eq(sl_idhint_write(&sp, "P", "default", run_token(a)), 0);
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), 0);
	ck_assert_int_eq(sl_run_find(&sp, a, &rs, &run, err, sizeof(err)), 0);
	ck_assert_str_eq(run->id, a);
	ck_assert_str_eq(run->queue, "Q");
	sl_runs_free(&rs);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), bad[i], run_token(a));
		t_puts(S("%s", hint), text);
		ck_assert_msg(sl_idhint_read(&sp, a, &h) == -1, "%s", text);
		ck_assert_int_eq(sl_run_find(&sp, a, &rs, &run, err,
		    sizeof(err)), 0);
		ck_assert_str_eq(run->id, a);
		sl_runs_free(&rs);
	}
	/* a link to a good hint is no hint; nor is a directory */
	ck_assert_int_eq(sl_idhint_write(&sp, "P", "Q", run_token(a)), 0);
	ck_assert_int_eq(rename(S("%s", hint), S("ids/good")), 0);
	ck_assert_int_eq(symlink(S("ids/good"), S("%s", hint)), 0);
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), -1);
	ck_assert_int_eq(unlink(S("%s", hint)), 0);
	ck_assert_int_eq(mkdir(S("%s", hint), 0755), 0);
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), -1);
	ck_assert_int_eq(rmdir(S("%s", hint)), 0);
	ck_assert_int_eq(sl_run_find(&sp, a, &rs, &run, err, sizeof(err)), 0);
	ck_assert_str_eq(run->id, a);
	/* delete forgets it */
	ck_assert_int_eq(sl_idhint_write(&sp, "P", "Q", run_token(a)), 0);
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), 0);
	sl_runs_free(&rs);
	ck_assert_int_eq(access(S("%s", hint), F_OK), -1);
	ck_assert_int_eq(sl_run_find(&sp, a, &rs, &run, err, sizeof(err)), -1);
	sl_runs_free(&rs);
}
END_TEST

/*
 * A submit makes one rename: its private directory into sched/.  run.ini
 * (in that directory, private) and the id's hint (new) are made in
 * place, with no scratch name left.  A hint written again for the id (a
 * retry's new token) replaces the one there, through a scratch name and
 * a rename; so does one over a hint left cut short.
 */
START_TEST(test_run_submit_one_rename)
{
	struct sl_idhint h;
	char	a[SL_UUID_LEN + 1], tok[SL_TOKEN_LEN + 1], *text;

	t_renames_done = 0;
	sl_sys.rename = t_counted_rename;
	submit("Q", "a", time(NULL), 1, a);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(t_renames_done, 1);
	memcpy(tok, run_token(a), sizeof(tok));
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), 0);
	ck_assert_str_eq(h.token, tok);
	text = sl_read_small(S("pools/P/queues/Q/sched/%.15s/%s", tok, tok),
	    "run.ini");
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, a));
	free(text);
	/* run.ini alone, with its dot names counted: no scratch left */
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched/%.15s/%s", tok,
	    tok), 1), 1);
	ck_assert_int_eq(entries(S("ids/%.2s", a), 1), 1);
	/* written again: replaced by a rename */
	t_renames_done = 0;
	sl_sys.rename = t_counted_rename;
	ck_assert_int_eq(sl_idhint_write(&sp, "P", "default", tok), 0);
	sl_sys.rename = sl_rename;
	ck_assert_int_eq(t_renames_done, 1);
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), 0);
	ck_assert_str_eq(h.queue, "default");
	/* cut short (a writer killed mid-write): replaced, then good */
	t_puts(S("ids/%.2s/%s", a, a), "pool = P\nque");
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), -1);
	ck_assert_int_eq(sl_idhint_write(&sp, "P", "Q", tok), 0);
	ck_assert_int_eq(sl_idhint_read(&sp, a, &h), 0);
	ck_assert_str_eq(h.queue, "Q");
	ck_assert_int_eq(entries(S("ids/%.2s", a), 1), 1);
}
END_TEST

/* keep_odd - a keep() for sl_runs_newest: runs named with an odd number */
static int
keep_odd(const struct sl_run *r, void *arg)
{
	(void)arg;
	return r->spec.name != NULL && (atoi(r->spec.name + 1) & 1);
}

/*
 * sl_runs_newest: the newest runs by name, the few kept in a heap, are
 * the first of all of them sorted; with a keep() that turns down most,
 * the second look (every name) still gives the newest that it accepts;
 * a finished run is placed by its end, a Running one by its start.
 */
START_TEST(test_runs_newest)
{
	static char pool[] = "P";
	char   *pools[] = { pool };
	struct sl_runsel sel = { 0 };
	struct sl_runs all, few, act;
	time_t	now = time(NULL);
	char	name[16], ids[40][SL_UUID_LEN + 1];
	size_t	i;
	int	k;

	for (k = 0; k < 40; k++) {	/* due times in a scrambled order */
		snprintf(name, sizeof(name), "r%d", k);
		submit(k % 3 ? "Q" : "default", name, now + (k * 7919) % 40 * 60,
		    1, ids[k]);
	}
	place_done("abcdef01-0000-4000-8000-000000000006", "Completed", "fin",
	    now + 100 * 60);
	place("running", "abcdef01-0000-4000-8000-000000000007", "run");
	sl_runs_newest(&sp, pools, 1, &sel, &all, &act);
	ck_assert_uint_eq(all.n, 42);
	ck_assert_str_eq(all.v[0].spec.name, "fin");	/* ended latest */
	for (i = 1; i < all.n; i++)
		ck_assert_msg(sl_run_when(&all.v[i - 1]) > sl_run_when(&all.v[i]) ||
		    (sl_run_when(&all.v[i - 1]) == sl_run_when(&all.v[i]) &&
		    strcmp(all.v[i - 1].id, all.v[i].id) < 0), "order at %zu", i);
	ck_assert_uint_eq(act.n >= 1, 1);		/* the Running run */
	sl_runs_free(&act);
	sel.limit = 5;
	sl_runs_newest(&sp, pools, 1, &sel, &few, &act);
	ck_assert_uint_eq(few.n, 5);
	for (i = 0; i < few.n; i++)
		ck_assert_str_eq(few.v[i].id, all.v[i].id);
	sl_runs_free(&few);
	sl_runs_free(&act);
	/* 5 of the odd ones: beyond the first 5 names, a second look */
	sel.keep = keep_odd;
	sl_runs_newest(&sp, pools, 1, &sel, &few, &act);
	ck_assert_uint_eq(few.n, 5);
	for (i = 0, k = 0; i < all.n && k < 5; i++)
		if (keep_odd(&all.v[i], NULL))
			ck_assert_str_eq(few.v[k++].id, all.v[i].id);
	sl_runs_free(&few);
	sl_runs_free(&act);
	/* only queue Q's Scheduled runs, due within 10 minutes */
	sel.keep = NULL;
	sel.limit = 0;
	sel.states = 1u << SL_SCHEDULED;
	sel.queue = "Q";
	sel.due_by = now + 10 * 60;
	sl_runs_newest(&sp, pools, 1, &sel, &few, &act);
	for (i = 0; i < few.n; i++) {
		ck_assert_str_eq(few.v[i].queue, "Q");
		ck_assert_int_le(few.v[i].spec.scheduled, now + 10 * 60);
	}
	for (i = 0, k = 0; i < all.n; i++)
		k += all.v[i].state == SL_SCHEDULED &&
		    strcmp(all.v[i].queue, "Q") == 0 &&
		    all.v[i].spec.scheduled <= now + 10 * 60;
	ck_assert_uint_eq(few.n, (size_t)k);
	sl_runs_free(&few);
	sl_runs_free(&act);
	sl_runs_free(&all);
}
END_TEST

/* sl_runs_select: only the states asked for, and of sched/ only the
 * window asked for, both told by names */
START_TEST(test_runs_select)
{
	static const char r[] = "abcdef01-0000-4000-8000-000000000004";
	static const char d[] = "abcdef01-0000-4000-8000-000000000005";
	struct sl_runs rs = { 0 };
	time_t	now = time(NULL);
	char	a[SL_UUID_LEN + 1], b[SL_UUID_LEN + 1];

	submit("Q", "soon", now + 60, 1, a);
	submit("default", "later", now + 7200, 1, b);
	place("running", r, "running-r");
	place_done(d, "Failed", "done-d", now - 60);
	ck_assert_int_eq(sl_runs_select(&sp, "P", 1u << SL_RUNNING, 0, 0, &rs),
	    0);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_str_eq(rs.v[0].id, r);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_runs_select(&sp, "P", 1u << SL_FAILED |
	    1u << SL_SCHEDULED, 0, 0, &rs), 0);
	ck_assert_uint_eq(rs.n, 3);
	sl_runs_free(&rs);
	/* the next hour: "later" is not read at all */
	ck_assert_int_eq(sl_runs_select(&sp, "P", 1u << SL_SCHEDULED, now,
	    now + 3600, &rs), 0);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_str_eq(rs.v[0].id, a);
	ck_assert_str_eq(rs.v[0].spec.name, "soon");
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_runs_select(&sp, "P", 0, 0, 0, &rs), 0);
	ck_assert_uint_eq(rs.n, 4);
	sl_runs_free(&rs);
	(void)b;
}
END_TEST

/* an id prefix two runs share; runs in every state and another pool */
START_TEST(test_run_find_prefix_and_places)
{
	static const char a[] = "abcdef01-0000-4000-8000-000000000001";
	static const char b[] = "abcdef01-0000-4000-8000-000000000002";
	struct sl_runs rs;
	struct sl_run *run;
	char	id[SL_UUID_LEN + 1];

	place_done(a, "Completed", "done-a", time(NULL) - 60);
	place("running", b, "running-b");
	errno = 0;
	ck_assert_int_eq(sl_run_find(&sp, "abcdef01", &rs, &run, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_msg(strstr(err, "id prefix") != NULL, "%s", err);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_run_find(&sp, "abcdef01-0000-4000-8000-00000000000",
	    &rs, &run, err, sizeof(err)), -1);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_run_find(&sp, a, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_COMPLETED);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_run_find(&sp, "abcdef01-0000-4000-8000-000000000002",
	    &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_RUNNING);
	ck_assert_str_eq(run->queue, "Q");
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_run_find(&sp, "running-b", &rs, &run, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(run->id, b);
	sl_runs_free(&rs);
	/* a run in another pool */
	ck_assert_int_eq(sl_pool_create(&sp, "P2", 0, SL_NOLIMIT, err,
	    sizeof(err)), 0);
	{
		struct sl_runspec r;

		memset(&r, 0, sizeof(r));
		snprintf(r.pool, sizeof(r.pool), "P2");
		snprintf(r.queue, sizeof(r.queue), "default");
		r.command = sl_xstrdup("true");
		r.name = sl_xstrdup("elsewhere");
		r.scheduled = time(NULL);
		ck_assert_int_eq(sl_run_submit(&sp, &r, err, sizeof(err)), 0);
		memcpy(id, r.id, sizeof(id));
		sl_runspec_free(&r);
	}
	ck_assert_int_eq(sl_run_find(&sp, "elsewhere", &rs, &run, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(run->id, id);
	ck_assert_str_eq(run->pool, "P2");
	sl_runs_free(&rs);
	/* a file just dropped is found: finding accepts first */
	drop_s("dropped-file", "[run]\ncommand = x\nname = just-dropped\n");
	ck_assert_int_eq(sl_run_find(&sp, "just-dropped", &rs, &run, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_SCHEDULED);
	sl_runs_free(&rs);
	/* a Rejected run by the name it was dropped under */
	drop_s("rejected-file", "[run]\nname = x\n");
	ck_assert_int_eq(sl_run_find(&sp, "rejected-file", &rs, &run, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_REJECTED);
	sl_runs_free(&rs);
}
END_TEST

/* ---- cancelling ---- */

START_TEST(test_run_cancel_scheduled)
{
	struct sl_runs rs;
	struct sl_run *run;
	struct sl_ini *ini;
	char	id[SL_UUID_LEN + 1], t[40];
	time_t	now = time(NULL), ended;

	submit("Q", "c1", now + 3600, 1, id);
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_CANCELLED);
	ck_assert_str_eq(run->dir, S("pools/P/done/%s.Cancelled", id));
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
	ck_assert(t_exists(S("pools/P/done/%s.Cancelled/run.ini", id)));
	ini = sl_ini_load(S("pools/P/done/%s.Cancelled/result.ini", id), 1, err,
	    sizeof(err));
	ck_assert_msg(ini != NULL, "result.ini: %s", err);
	ck_assert_str_eq(sl_ini_get(ini, "result", "state"), "Cancelled");
	ck_assert_int_eq(sl_time_parse(sl_ini_get(ini, "result", "ended"), 0,
	    &ended), 0);
	ck_assert_msg(ended >= now && ended <= now + 5, "ended %s",
	    sl_time_fmt(ended, t, sizeof(t)));
	ck_assert_ptr_nonnull(sl_ini_get(ini, "result", "message"));
	sl_ini_free(ini);
	/* again: already final */
	err[0] = '\0';
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "already Cancelled") != NULL, "%s", err);
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_CANCELLED);
	ck_assert_str_eq(sl_run_display(run, time(NULL), 15), "Cancelled");
	ck_assert_int_eq(run->ended, ended);
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 1);
	ck_assert(t_exists(S("pools/P/done/%s.Cancelled", id)));
	sl_runs_free(&rs);
	/* every final state: nothing to cancel */
	place_done("abcdef01-0000-4000-8000-000000000001", "Completed", "x",
	    now);
	ck_assert_int_eq(sl_run_find(&sp, "abcdef01-0000-4000-8000-000000000001",
	    &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "already Completed") != NULL, "%s", err);
	sl_runs_free(&rs);
}
END_TEST

/* a claim won the race: the cancel says so, and moves nothing */
START_TEST(test_run_cancel_claimed_meanwhile)
{
	struct sl_runs rs;
	struct sl_run *run;
	char	id[SL_UUID_LEN + 1], *to, *base;

	submit("Q", "raced", time(NULL), 1, id);
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_SCHEDULED);
	base = strrchr(run->dir, '/') + 1;
	ck_assert_int_eq(sl_mkdirs(S("pools/P/running"), 0755), 0);
	to = sl_path(root, "pools", "P", "running", base, (char *)NULL);
	ck_assert_int_eq(rename(run->dir, to), 0);
	err[0] = '\0';
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "claimed") != NULL, "%s", err);
	ck_assert(!t_exists(S("pools/P/done/%s.Cancelled", id)));
	ck_assert(t_exists(to));
	free(to);
	sl_runs_free(&rs);
}
END_TEST

START_TEST(test_run_cancel_running)
{
	static const char id[] = "0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1d";
	struct sl_runs rs;
	struct sl_run *run;
	char	dir[4096];

	snprintf(dir, sizeof(dir), "%s", place("running", id, "busy"));
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_RUNNING);
	ck_assert_int_eq(run->cancelling, 0);
	ck_assert_str_eq(sl_run_display(run, time(NULL), 15), "Running");
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->cancelling, 1);
	ck_assert_int_eq(run->state, SL_RUNNING);	/* its agent ends it */
	ck_assert(t_exists(in(dir, "cancel")));
	ck_assert_str_eq(run->dir, dir);
	sl_runs_free(&rs);
	/* seen as Cancelling; asking again changes nothing */
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->cancelling, 1);
	ck_assert_str_eq(sl_run_display(run, time(NULL), 15), "Cancelling");
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 0);
	ck_assert_int_eq(entries(dir, 1), 2);		/* run.ini, cancel */
	/* a Cancelling run is not deleted, and is not told to cancel */
	errno = 0;
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_msg(strstr(err, "is Cancelling") != NULL, "%s", err);
	ck_assert(t_exists(in(dir, "run.ini")));
	/* nor is a Running one */
	run->cancelling = 0;
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_msg(strstr(err, "cancel it first") != NULL, "%s", err);
	ck_assert(t_exists(in(dir, "run.ini")));
	sl_runs_free(&rs);
}
END_TEST

START_TEST(test_run_cancel_pending)
{
	static const char id[] = "0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1e";
	struct sl_runs rs;
	struct sl_run *run;
	char	dir[4096];

	snprintf(dir, sizeof(dir), "%s", place("pending/"
	    "11111111-2222-4333-8444-555555555555", id, "waiting"));
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_PENDING);
	errno = 0;
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert(t_exists(dir));
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 0);
	ck_assert(t_exists(in(dir, "cancel")));
	sl_runs_free(&rs);
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_str_eq(sl_run_display(run, time(NULL), 15), "Cancelling");
	sl_runs_free(&rs);
}
END_TEST

/* ---- deleting ---- */

START_TEST(test_run_delete)
{
	struct sl_runs rs;
	struct sl_run *run;
	char	id[SL_UUID_LEN + 1], gone[SL_UUID_LEN + 1];

	/* Scheduled */
	submit("Q", "doomed", time(NULL), 1, id);
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), 0);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);	/* no .trash. */
	/* the same again: it moved (it is gone) */
	err[0] = '\0';
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "moved while being deleted") != NULL, "%s",
	    err);
	sl_runs_free(&rs);
	errno = 0;
	ck_assert_int_eq(sl_run_find(&sp, id, &rs, &run, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	sl_runs_free(&rs);
	/* Cancelled */
	submit("Q", "cancelled", time(NULL), 1, gone);
	ck_assert_int_eq(sl_run_find(&sp, gone, &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_run_cancel(&sp, run, err, sizeof(err)), 0);
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), 0);
	ck_assert(!t_exists(S("pools/P/done/%s.Cancelled", gone)));
	sl_runs_free(&rs);
	/* Rejected, and its bytes with it */
	drop_s("bad", "[run]\nname = x\n");
	ck_assert_int_eq(sl_run_find(&sp, "bad", &rs, &run, err, sizeof(err)), 0);
	ck_assert_int_eq(run->state, SL_REJECTED);
	ck_assert_int_eq(sl_run_delete(&sp, run, err, sizeof(err)), 0);
	ck_assert_int_eq(entries(S("pools/P/rejected"), 1), 0);
	ck_assert_int_eq(entries(S("pools/P/tmp"), 1), 0);
	sl_runs_free(&rs);
}
END_TEST

/* ---- cleaning up ---- */

/* stranded - a private directory tmp/E.ID.U made `age' seconds ago */
static const char *
stranded(const char *id, time_t now, long age, const char *source)
{
	char	name[120], t[40], u[SL_UUID_LEN + 1];
	struct sl_buf b = { 0 };
	const char *d;

	ck_assert_int_eq(sl_uuid(u), 0);
	snprintf(name, sizeof(name), "%016llx.%s.%s",
	    (unsigned long long)(now - age), id, u);
	d = S("pools/P/tmp/%s", name);
	ck_assert_int_eq(sl_mkdirs(d, 0755), 0);
	if (source != NULL) {
		/* an acceptor's: origin, then the drop it took */
		sl_buf_printf(&b, "queue = Q\nname = lost\naccepted = %s\n",
		    sl_time_fmt(now - age, t, sizeof(t)));
		t_puts(S("pools/P/tmp/%s/origin", name), b.s);
		sl_buf_free(&b);
		t_puts(S("pools/P/tmp/%s/source", name), source);
	} else {
		/* a submit's: run.ini only */
		char   *text = runini(id, "half-submitted", now);

		t_puts(S("pools/P/tmp/%s/run.ini", name), text);
		free(text);
	}
	return S("pools/P/tmp/%s", name);
}

#define STALE	300	/* 10 x lease, the default lease of 30 s */

/*
 * Issue 10 item 3: a drop whose acceptor died mid-accept (tmp/E.ID.U with
 * origin and source) comes back to its queue's new/ once E is older than
 * 10 x lease, as every other stranded state does, not after an hour; a
 * younger one is not touched; meanwhile inspect's counts show it.
 */
START_TEST(test_run_cleanup_stranded_accept)
{
	static const char source[] = "[run]\ncommand = echo back\nname = lost\n";
	static const char *const ids[] = {
		"00000000-0000-4000-8000-000000000011",	/* stale + 1 s */
		"00000000-0000-4000-8000-000000000012",	/* stale - 1 s */
	};
	time_t	now = time(NULL);
	char	young[4096], old[4096], *s;
	long	counts[SL_NSTATES], stale_n;

	snprintf(old, sizeof(old), "%s", stranded(ids[0], now, STALE + 1,
	    source));
	snprintf(young, sizeof(young), "%s", stranded(ids[1], now, STALE - 1,
	    source));
	/* visible meanwhile: both count as Scheduled */
	ck_assert_int_eq(sl_pool_run_counts(&sp, "P", counts), 0);
	ck_assert_int_eq(counts[SL_SCHEDULED], 2);
	ck_assert_int_eq(sl_count_stranded(&sp, "P", now, STALE, &stale_n), 2);
	ck_assert_int_eq(stale_n, 1);

	(void)sl_cleanup_pool(&sp, "P", 7, STALE, now, 1);
	s = t_read(S("pools/P/queues/Q/new/recovered.%s", ids[0]));
	ck_assert_str_eq(s, source);
	free(s);
	ck_assert(!t_exists(old));
	/* the young one: same name, source and origin where they were */
	ck_assert(t_exists(in(young, "source")));
	ck_assert(t_exists(in(young, "origin")));
	ck_assert_int_eq(t_count(S("pools/P/tmp"), 1), 1);
	ck_assert_int_eq(sl_count_stranded(&sp, "P", now, STALE, &stale_n), 1);
	ck_assert_int_eq(stale_n, 0);
	/* still counted once: the recovered drop in new/, the young one */
	ck_assert_int_eq(sl_pool_run_counts(&sp, "P", counts), 0);
	ck_assert_int_eq(counts[SL_SCHEDULED], 2);
	/* accepted again: one run */
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 1);
	/* 2 s later the young one is stale too */
	(void)sl_cleanup_pool(&sp, "P", 7, STALE, now + 2, 1);
	ck_assert(t_exists(S("pools/P/queues/Q/new/recovered.%s", ids[1])));
	ck_assert_int_eq(t_count(S("pools/P/tmp"), 1), 0);
}
END_TEST

/*
 * The acceptor was only stalled: recovery takes its directory by a
 * rename first, so the acceptor's next step fails and the drop is
 * accepted once, by whoever accepts the recovered copy.
 */
START_TEST(test_run_cleanup_stranded_taken)
{
	static const char source[] = "[run]\ncommand = echo back\nname = lost\n";
	const char *id = "00000000-0000-4000-8000-000000000013";
	time_t	now = time(NULL);
	char	d[4096], *ri;

	snprintf(d, sizeof(d), "%s", stranded(id, now, STALE + 60, source));
	/* the stalled acceptor had already written run.ini */
	ri = runini(id, "lost", now);
	t_puts(in(d, "run.ini"), ri);
	free(ri);
	(void)sl_cleanup_pool(&sp, "P", 7, STALE, now, 1);
	/* its directory is gone from under it: its publication (a rename
	 * of d) can no longer succeed */
	ck_assert(!t_exists(d));
	ck_assert(t_exists(S("pools/P/queues/Q/new/recovered.%s", id)));
	ck_assert_int_eq(t_count(S("pools/P/tmp"), 1), 0);
}
END_TEST

START_TEST(test_run_cleanup)
{
	static const char *const ids[] = {
		"00000000-0000-4000-8000-000000000001",	/* 30 days: removed */
		"00000000-0000-4000-8000-000000000002",	/* yesterday: kept */
		"00000000-0000-4000-8000-000000000003",	/* 7 days: kept */
		"00000000-0000-4000-8000-000000000004",	/* 7 days + 1 s: gone */
		"00000000-0000-4000-8000-000000000005",	/* no result: kept */
		"00000000-0000-4000-8000-000000000006",	/* stranded drop */
		"00000000-0000-4000-8000-000000000007",	/* young: kept */
		"00000000-0000-4000-8000-000000000008",	/* stranded submit */
	};
	static const char source[] = "[run]\ncommand = echo back\nname = lost\n";
	time_t	now = time(NULL);
	char	old_sched[SL_UUID_LEN + 1], young[4096], *s;
	struct sl_runs rs;
	size_t	i;

	place_done(ids[0], "Completed", "old", now - 30 * DAY);
	place_done(ids[1], "Failed", "yesterday", now - DAY);
	place_done(ids[2], "Crashed", "edge", now - 7 * DAY);
	place_done(ids[3], "Cancelled", "past-edge", now - 7 * DAY - 1);
	place_done(ids[4], "Completed", "no-result", 0);
	/* never touched: Scheduled long ago, Rejected long ago */
	submit("Q", "ancient", now - 60 * DAY, 1, old_sched);
	drop_s("bad", "[run]\nname = bad\n");
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	stranded(ids[5], now, 7200, source);
	snprintf(young, sizeof(young), "%s", stranded(ids[6], now, 60, source));
	stranded(ids[7], now, 7200, NULL);

	ck_assert_int_eq(sl_cleanup_pool(&sp, "P", 7, STALE, now, 1), 2);

	ck_assert(!t_exists(S("pools/P/done/%s.Completed", ids[0])));
	ck_assert(t_exists(S("pools/P/done/%s.Failed", ids[1])));
	ck_assert(t_exists(S("pools/P/done/%s.Crashed", ids[2])));
	ck_assert(!t_exists(S("pools/P/done/%s.Cancelled", ids[3])));
	ck_assert(t_exists(S("pools/P/done/%s.Completed", ids[4])));
	ck_assert_int_eq(entries(S("pools/P/done"), 1), 3);
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 1);
	the_rejected("no command");
	/* the stranded drop is back in its queue's drop box, bytes intact */
	s = t_read(S("pools/P/queues/Q/new/recovered.%s", ids[5]));
	ck_assert_str_eq(s, source);
	free(s);
	ck_assert_int_eq(t_count_prefix(S("pools/P/tmp"), "0"), 1);
	ck_assert(t_exists(young));		/* 10 x lease is not up */
	ck_assert(t_exists(in(young, "source")));
	ck_assert_int_eq(t_count_prefix(S("pools/P/tmp"), ".trash."), 0);
	/* accepted again: one run, not two */
	ck_assert_int_eq(sl_accept_pool(&sp, "P", err, sizeof(err)), 1);
	load_runs(&rs);
	ck_assert_uint_eq(in_state(&rs, SL_SCHEDULED), 2);
	ck_assert_uint_eq(in_state(&rs, SL_REJECTED), 1);
	for (i = 0; i < rs.n; i++)
		if (rs.v[i].state == SL_SCHEDULED &&
		    strcmp(rs.v[i].id, old_sched) != 0)
			ck_assert_str_eq(rs.v[i].spec.command, "echo back");
	sl_runs_free(&rs);
	/* a second cleanup finds nothing more */
	ck_assert_int_eq(sl_cleanup_pool(&sp, "P", 7, STALE, now, 1), 0);
	ck_assert_int_eq(entries(S("pools/P/done"), 1), 3);
	/* and with keep_days 0, every final run with an end is old */
	ck_assert_int_eq(sl_cleanup_pool(&sp, "P", 0, STALE, now + 1, 1), 2);
	ck_assert(t_exists(S("pools/P/done/%s.Completed", ids[4])));
	ck_assert_int_eq(entries(S("pools/P/queues/Q/sched"), 1), 2);
	the_rejected("no command");
}
END_TEST

/* a claimer killed between building its private slot directory and
 * renaming it onto a slot leaves tmp/.slot.UUID/RUN-ID: gone once its
 * claim time is more than stale (10 x lease) old, kept before; an entry
 * without its last key (half written, or by an older sluice) is judged by
 * the directory's mtime, so a fresh directory stays */
START_TEST(test_run_cleanup_stranded_slot)
{
	static const char slot[] = "slot = 00000000-0000-4000-8000-0000000000aa\n";
	time_t	now = time(NULL);
	char	body[200];

	ck_assert_int_eq(sl_mkdirs(S("pools/P/tmp/.slot.old"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/P/tmp/.slot.young"), 0755), 0);
	ck_assert_int_eq(sl_mkdirs(S("pools/P/tmp/.slot.oldfmt"), 0755), 0);
	snprintf(body, sizeof(body), "claimed = %lld\nagent = A\ntoken = T\n%s",
	    (long long)(now - STALE - 1), slot);
	t_puts(S("pools/P/tmp/.slot.old/00000000-0000-4000-8000-000000000021"),
	    body);
	snprintf(body, sizeof(body), "claimed = %lld\nagent = A\ntoken = T\n%s",
	    (long long)(now - STALE + 5), slot);
	t_puts(S("pools/P/tmp/.slot.young/00000000-0000-4000-8000-000000000022"),
	    body);
	snprintf(body, sizeof(body), "claimed = %lld\nagent = A\ntoken = T\n",
	    (long long)(now - STALE - 1));
	t_puts(S("pools/P/tmp/.slot.oldfmt/00000000-0000-4000-8000-000000000023"),
	    body);
	(void)sl_cleanup_pool(&sp, "P", 7, STALE, now, 1);
	ck_assert_msg(!t_exists(S("pools/P/tmp/.slot.old")),
	    "a slot directory stale leases old was left");
	ck_assert(t_exists(S("pools/P/tmp/.slot.young")));
	ck_assert(t_exists(S("pools/P/tmp/.slot.oldfmt")));
	/* judged by its mtime once that is stale too */
	(void)sl_cleanup_pool(&sp, "P", 7, STALE, now + STALE + 5, 1);
	ck_assert(!t_exists(S("pools/P/tmp/.slot.oldfmt")));
}
END_TEST

/* a killed writer's scratch names (.lease.PID, .exit.PID, .claim.tmp,
 * .start.tmp, .result.ini.tmp) are scrubbed from a run it ends; the run's
 * own files and anything else stay */
START_TEST(test_run_scrub)
{
	char   *d = t_tmpdir(), p[4096];
	static const char *const gone[] = { ".lease.123", ".exit.77",
	    ".claim.tmp", ".start.tmp", ".result.ini.tmp" };
	static const char *const kept[] = { "run.ini", "lease", "exit", "log",
	    ".hidden" };
	size_t	i;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", d, gone[i]);
		t_puts(p, "x");
	}
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", d, kept[i]);
		t_puts(p, "x");
	}
	sl_run_scrub(d);
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", d, gone[i]);
		ck_assert_msg(!t_exists(p), "%s was left", gone[i]);
	}
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", d, kept[i]);
		ck_assert_msg(t_exists(p), "%s was removed", kept[i]);
	}
	free(d);
}
END_TEST

/* result.ini: its one writer and its one reader agree; torn or missing: -1 */
START_TEST(test_result_roundtrip)
{
	struct sl_result res;
	char	d[4096];

	snprintf(d, sizeof(d), "%s", S("pools/P/r"));

	ck_assert_int_eq(sl_mkdirs(d, 0755), 0);
	ck_assert_int_eq(sl_result_read(d, &res), -1);
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_int_eq(sl_result_write(d, "Failed", 1000, 2000, 3,
	    "it said \"no\""), 0);
	ck_assert_int_eq(sl_result_read(d, &res), 0);
	ck_assert_str_eq(res.state, "Failed");
	ck_assert_int_eq(res.started, 1000);
	ck_assert_int_eq(res.ended, 2000);
	ck_assert_int_eq(res.exit_code, 3);
	ck_assert_str_eq(res.message, "it said \"no\"");
	ck_assert_int_eq(sl_result_write(d, "Crashed", 0, 2000, -1, NULL), 0);
	ck_assert_int_eq(sl_result_read(d, &res), 0);
	ck_assert_int_eq(res.started, 0);
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_str_eq(res.message, "");
	t_puts(S("pools/P/r/result.ini"), "[result\nstate = x\n");
	ck_assert_int_eq(sl_result_read(d, &res), -1);
}
END_TEST

/* run.ini's one loader: -1 unreadable (errno), -2 not a run (why) */
START_TEST(test_runini_load)
{
	struct sl_runspec r;
	char	d[4096];

	snprintf(d, sizeof(d), "%s", S("pools/P/r"));

	ck_assert_int_eq(sl_mkdirs(d, 0755), 0);
	ck_assert_int_eq(sl_runini_load(d, 0, &r, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "run.ini"));
	t_puts(S("pools/P/r/run.ini"), "[run]\nname = x\n");
	ck_assert_int_eq(sl_runini_load(d, 0, &r, NULL, err, sizeof(err)), -2);
	ck_assert_str_ne(err, "");
	/* as sluice stores one: whole, it loads; cut short at a line's end
	 * (no trailer), its lines would parse as a run: refused */
	{
		const char *spec = "; a sluice run, as accepted; see "
		    "sluice-run(5)\n[run]\n"
		    "id = 6a1c0b7e-6bd1-4a36-9c1e-3f1f5b0a2c11\n"
		    "name = \"cut\"\npool = P\nqueue = default\n"
		    "command = \"exec true\"\n"
		    "scheduled = 2026-12-06T05:31:51Z\n"
		    "created = 2026-12-06T05:31:51Z\nretries = 0\n"
		    "retry_delay = 0\ntimeout = none\nattempt = 1\n"
		    "owner_uid = 1000\nowner_gid = 1000\n";
		char	whole[1024];

		snprintf(whole, sizeof(whole), "%s%s", spec, SL_INI_TRAILER);
		t_puts(S("pools/P/r/run.ini"), whole);
		ck_assert_msg(sl_runini_load(d, 0, &r, NULL, err, sizeof(err)) ==
		    0, "%s", err);
		ck_assert_int_eq(r.owner_uid, 1000);
		sl_runspec_free(&r);
		t_puts(S("pools/P/r/run.ini"), spec);
		ck_assert_int_eq(sl_runini_load(d, 0, &r, NULL, err, sizeof(err)),
		    -2);
		ck_assert_ptr_nonnull(strstr(err, "cut short"));
		whole[strlen(whole) - 1] = '\0';	/* the trailer's newline */
		t_puts(S("pools/P/r/run.ini"), whole);
		ck_assert_int_eq(sl_runini_load(d, 0, &r, NULL, err, sizeof(err)),
		    -2);
		/* written by hand (no header): judged by its lines */
		t_puts(S("pools/P/r/run.ini"), strchr(spec, '\n') + 1);
		ck_assert_msg(sl_runini_load(d, 0, &r, NULL, err, sizeof(err)) ==
		    0, "%s", err);
		sl_runspec_free(&r);
	}
	ck_assert_int_eq(symlink("/etc/passwd", S("pools/P/r/l")), 0);
	ck_assert_int_eq(rename(S("pools/P/r/l"), S("pools/P/r/run.ini")), 0);
	ck_assert_int_eq(sl_runini_load(d, 0, &r, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ELOOP);		/* never followed */
}
END_TEST

Suite *
suite_run(void)
{
	Suite  *s = suite_create("run");
	TCase  *names = tcase_create("names");
	TCase  *tc = tcase_create("runs");
	TCase  *acc = tcase_create("accept");

	tcase_set_timeout(names, T_TIMEOUT);
	tcase_add_checked_fixture(names, setup, teardown);
	tcase_add_test(names, test_run_token_good);
	tcase_add_loop_test(names, test_run_token_bad, 0,
	    (int)(sizeof(bad_tokens) / sizeof(bad_tokens[0])));
	tcase_add_test(names, test_run_sched_order);
	tcase_add_test(names, test_run_sched_order_numeric);
	suite_add_tcase(s, names);

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_run_submit);
	tcase_add_loop_test(tc, test_run_submit_lost_rename, 0,
	    (int)(sizeof(lost) / sizeof(lost[0])));
	tcase_add_loop_test(tc, test_run_submit_fails, 0, 2);
	tcase_add_test(tc, test_run_display);
	tcase_add_test(tc, test_run_display_spool);
	tcase_add_test(tc, test_run_find);
	tcase_add_test(tc, test_run_find_prefix_and_places);
	tcase_add_test(tc, test_run_find_by_id);
	tcase_add_test(tc, test_run_find_hinted);
	tcase_add_test(tc, test_run_submit_one_rename);
	tcase_add_test(tc, test_runs_newest);
	tcase_add_test(tc, test_runs_select);
	tcase_add_test(tc, test_run_cancel_scheduled);
	tcase_add_test(tc, test_run_cancel_claimed_meanwhile);
	tcase_add_test(tc, test_run_cancel_running);
	tcase_add_test(tc, test_run_cancel_pending);
	tcase_add_test(tc, test_run_delete);
	tcase_add_test(tc, test_run_cleanup);
	tcase_add_test(tc, test_result_roundtrip);
	tcase_add_test(tc, test_runini_load);
	tcase_add_test(tc, test_run_cleanup_stranded_accept);
	tcase_add_test(tc, test_run_cleanup_stranded_taken);
	tcase_add_test(tc, test_run_scrub);
	tcase_add_test(tc, test_run_cleanup_stranded_slot);
	suite_add_tcase(s, tc);

	tcase_set_timeout(acc, T_TIMEOUT);
	tcase_add_checked_fixture(acc, setup, teardown);
	tcase_add_test(acc, test_run_accept_good);
	tcase_add_test(acc, test_run_accept_odd_name);
	tcase_add_loop_test(acc, test_run_accept_bad, 0,
	    (int)(sizeof(bad_drops) / sizeof(bad_drops[0])));
	tcase_add_loop_test(acc, test_run_accept_not_a_file, 0, K_NKINDS);
	tcase_add_test(acc, test_run_accept_unknown_owner);
	tcase_add_test(acc, test_run_accept_dotfiles);
	tcase_add_test(acc, test_run_accept_queues);
	tcase_add_test(acc, test_run_accept_two_at_once);
	tcase_add_loop_test(acc, test_run_accept_lost_rename, 0,
	    (int)(sizeof(lost) / sizeof(lost[0])));
	tcase_add_test(acc, test_run_accept_lost_rename_two_at_once);
	tcase_add_test(acc, test_run_accept_publish_fails);
	tcase_add_test(acc, test_run_accept_largest_drop);
	tcase_add_test(acc, test_run_accept_pre_epoch);
	suite_add_tcase(s, acc);
	return s;
}
