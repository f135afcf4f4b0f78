/*
 * test_journal.c - lib/journal.c: a warm recorder's exit journal
 * (spool-layout.md, "The exit journal").
 *
 * Covered: a journal made whole (256 slots of 512 bytes, named by its
 * maker) and its records found by run id and attempt, not by another's;
 * the slots going round (the oldest records overwritten, the newest
 * found); sl_exit_write with a journal (the record in both places); a
 * finished run's result read from the journal when its `exit` is lost or
 * empty; entries that are no journals (a FIFO, a directory, a torn
 * record) read as none; a
 * journal retired (removed); who is believed (a journal that others may
 * write, or a link to one, or in a journals/ others may write, or of a
 * user who is not the pool's owner, is not read, and no journal is made
 * in the latter); and prune: this host's journals of dead owners of this
 * boot and of earlier boots older than seven days are removed, a live
 * owner's, a younger one of an earlier boot and another host's are kept.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests.h"

#define P	"P"

static char *root;
static struct sl_spool sp;
static char jd[4096];

static void
setup(void)
{
	char	err[SL_ERR_MAX];

	root = t_spool(&sp);
	ck_assert_msg(sl_pool_create(&sp, P, 0, 10, err, sizeof(err)) == 0,
	    "create pool: %s", err);
	snprintf(jd, sizeof(jd), "%s/pools/%s/journals", root, P);
}

static void
teardown(void)
{
	sl_journal_close();	/* for CK_FORK=no */
	sl_rmtree(root);
	free(root);
}

/* one - the name of the only entry of journals/ (static); "" if none,
 * "many" if more */
static const char *
one(void)
{
	static char name[256];
	DIR    *d = opendir(jd);
	struct dirent *de;
	int	n = 0;

	name[0] = '\0';
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			snprintf(name, sizeof(name), "%s", n++ ? "many" :
			    de->d_name);
		}
	closedir(d);
	return name;
}

/* put - a record of status for id's attempt in the journal */
static void
put(const char *id, long attempt, int status)
{
	char	buf[SL_EXIT_MAX];
	int	n = sl_exit_fmt(buf, sizeof(buf), attempt, 4242, status, 0,
	    1000, 1001);

	ck_assert_int_eq(sl_journal_put(id, buf, (size_t)n), 0);
}

/* idn - a run id made of k */
static const char *
idn(int k)
{
	static char id[SL_UUID_LEN + 1];

	snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", k);
	return id;
}

START_TEST(test_journal_records)
{
	char	path[4200], want[64];
	struct stat st;
	int	status = -1;
	long	fenced = -1;

	ck_assert_int_eq(sl_journal_ready(), 0);
	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	ck_assert_int_eq(sl_journal_ready(), 1);
	snprintf(want, sizeof(want), "%ld.", (long)getpid());
	ck_assert_msg(strncmp(one(), want, strlen(want)) == 0,
	    "journal named %s", one());
	snprintf(path, sizeof(path), "%s/%s", jd, one());
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 512 * 256);
	put(idn(1), 1, 3 << 8);
	put(idn(2), 2, 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status,
	    &fenced), 0);
	ck_assert_int_eq(status, 3 << 8);
	ck_assert_int_eq(fenced, 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(2), 2, &status, NULL),
	    0);
	ck_assert_int_eq(status, 0);
	/* another attempt, another run: none */
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 2, &status, NULL),
	    -1);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(3), 1, &status, NULL),
	    -1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 512 * 256);
	/* retired: gone */
	sl_journal_close();
	ck_assert_int_eq(sl_journal_ready(), 0);
	ck_assert_str_eq(one(), "");
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    -1);
}
END_TEST

START_TEST(test_journal_round)
{
	int	k, status;

	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	for (k = 0; k < 300; k++)
		put(idn(k), 1, k << 8 & 0xff00);
	/* slots 0-43 hold runs 256-299: runs 0-43 are gone */
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(0), 1, &status, NULL),
	    -1);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(43), 1, &status, NULL),
	    -1);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(44), 1, &status, NULL),
	    0);
	ck_assert_int_eq(status, 44 << 8);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(299), 1, &status,
	    NULL), 0);
	ck_assert_int_eq(status, (299 << 8) & 0xff00);
}
END_TEST

START_TEST(test_journal_exit_write)
{
	char	d[4200];
	int	dfd, status = -1;

	snprintf(d, sizeof(d), "%s/rundir", root);
	t_mkdir(d);
	dfd = open(d, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	ck_assert_int_eq(sl_exit_write(dfd, idn(7), 2, 99, 5 << 8, 0, 10),
	    0);
	ck_assert_int_eq(sl_exit_read(dfd, 2, &status, NULL), 0);
	ck_assert_int_eq(status, 5 << 8);
	status = -1;
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(7), 2, &status, NULL),
	    0);
	ck_assert_int_eq(status, 5 << 8);
	/* the replacing path (an earlier attempt's record there) too */
	ck_assert_int_eq(sl_exit_write(dfd, idn(7), 3, 99, 6 << 8, 0, 10),
	    0);
	ck_assert_int_eq(sl_exit_read(dfd, 3, &status, NULL), 0);
	ck_assert_int_eq(status, 6 << 8);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(7), 3, &status, NULL),
	    0);
	ck_assert_int_eq(status, 6 << 8);
	/* no id: not journaled */
	ck_assert_int_eq(sl_exit_write(dfd, NULL, 4, 99, 0, 0, 10), 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(7), 4, &status, NULL),
	    -1);
	close(dfd);
}
END_TEST

START_TEST(test_journal_trust)
{
	char	path[4200], aside[4200];
	int	status;

	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	put(idn(1), 1, 0);
	snprintf(path, sizeof(path), "%s/%s", jd, one());
	/* a journal others may write is not believed */
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    -1);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    0);
	/* nor a journals/ others may write, nor one made there then */
	ck_assert_int_eq(chmod(jd, 0777), 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    -1);
	ck_assert_int_eq(chmod(jd, 0755), 0);
	/* nor a link to one: moved aside, a symlink in its place */
	snprintf(aside, sizeof(aside), "%s/../aside", jd);
	ck_assert_int_eq(rename(path, aside), 0);
	ck_assert_int_eq(symlink(aside, path), 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    -1);
	ck_assert_int_eq(unlink(path), 0);
	/* nor a second name of one (a hard link) */
	ck_assert_int_eq(link(aside, path) == 0 ? 0 : errno, 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    -1);
}
END_TEST

START_TEST(test_journal_owner)
{
	char	pd[4200];
	int	status;

	if (geteuid() != 0)
		return;		/* chown: root's tests */
	snprintf(pd, sizeof(pd), "%s/pools/%s", root, P);
	/* a journals/ of a user's making, not the pool's owner's: no
	 * journal made there, none believed */
	t_mkdir(jd);
	ck_assert_int_eq(chown(jd, 4000000, 4000000), 0);
	ck_assert_int_eq(sl_journal_open(&sp, P), -1);
	ck_assert_int_eq(sl_journal_ready(), 0);
	ck_assert_int_eq(chown(jd, 0, 0), 0);
	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	put(idn(1), 1, 0);
	ck_assert_int_eq(chown(jd, 4000000, 4000000), 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    -1);
	/* the pool's owner's is believed, with root's journal in it */
	ck_assert_int_eq(chown(pd, 4000000, 4000000), 0);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    0);
}
END_TEST

START_TEST(test_journal_hostile)
{
	char	p[4700], slot[512];
	int	status;

	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	put(idn(1), 1, 0);
	/* a FIFO, a directory, a record with no trailer, each named as a
	 * journal: not read, or read as none, and nothing hangs */
	snprintf(p, sizeof(p), "%s/1.1.1.b.fifo", jd);
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/1.1.1.b.dir", jd);
	t_mkdir(p);
	snprintf(p, sizeof(p), "%s/1.1.1.b.torn", jd);
	memset(slot, 0, sizeof(slot));
	snprintf(slot, sizeof(slot), "id = %s\nattempt = 1\nstatus = 0\n",
	    idn(2));
	t_write(p, slot, sizeof(slot));
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(2), 1, &status, NULL),
	    -1);
	ck_assert_int_eq(sl_journal_find(&sp, P, idn(1), 1, &status, NULL),
	    0);
}
END_TEST

/* done - make done/ID.STATE of run k with an exit file of text (NULL:
 * none): its path (static) */
static const char *
done(int k, const char *state, const char *text)
{
	static char d[4700];
	char	p[4800];

	snprintf(d, sizeof(d), "%s/pools/%s/done/%s.%s", root, P, idn(k),
	    state);
	t_mkdir(d);
	if (text != NULL) {
		snprintf(p, sizeof(p), "%s/exit", d);
		t_puts(p, text);
	}
	return d;
}

START_TEST(test_journal_result)
{
	struct sl_result res;

	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	put(idn(1), 1, 3 << 8);
	put(idn(2), 1, 0);
	put(idn(3), 1, 0);
	/* a finished run whose `exit` a power cut left empty, or cut
	 * short: its result from the journal */
	ck_assert_int_eq(sl_result_read(done(1, "Failed", "attempt = 1\n"),
	    &res), 0);
	ck_assert_str_eq(res.state, "Failed");
	ck_assert_int_eq(res.exit_code, 3);
	ck_assert_int_eq(res.started, 1000);
	ck_assert_int_eq(res.ended, 1001);
	ck_assert_int_eq(sl_result_read(done(2, "Completed", ""), &res), 0);
	ck_assert_str_eq(res.state, "Completed");
	ck_assert_int_eq(res.exit_code, 0);
	/* the record must say the state the name says */
	ck_assert_int_eq(sl_result_read(done(3, "Failed", ""), &res), -1);
	/* no record anywhere: ended unknown, as before */
	ck_assert_int_eq(sl_result_read(done(4, "Completed", ""), &res), -1);
	/* no `exit` at all (a run finished by hand): the journal is not
	 * read, though it holds a record */
	put(idn(5), 1, 0);
	ck_assert_int_eq(sl_result_read(done(5, "Completed", NULL), &res),
	    -1);
}
END_TEST

/* fake - make journals/NAME, its last write age seconds ago */
static void
fake(const char *name, long age)
{
	char	p[4700];
	struct timeval tv[2];

	snprintf(p, sizeof(p), "%s/%s", jd, name);
	t_puts(p, "");
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	ck_assert_int_eq(utimes(p, tv), 0);
}

static int
there(const char *name)
{
	char	p[4700];

	snprintf(p, sizeof(p), "%s/%s", jd, name);
	return t_exists(p);
}

START_TEST(test_journal_prune)
{
	char	ns[64], dead[512], live[512], old[512], young[512],
		other[512];
	ssize_t	n;
	unsigned long long nsn = 0;
	long	pid = t_dead_pid();
	const char *boot = sl_boot_id();

	ck_assert_msg(boot[0] != '\0', "no boot id on this host");
	if ((n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1)) > 0) {
		ns[n] = '\0';
		nsn = strtoull(ns + 5, NULL, 10);
	}
	t_mkdir(jd);
	snprintf(dead, sizeof(dead), "%ld.%llu.%llu.%s.%s", pid, 1ULL, nsn,
	    boot, sl_host());
	snprintf(live, sizeof(live), "%ld.%llu.%llu.%s.%s", (long)getppid(),
	    sl_proc_start((long)getppid()), nsn, boot, sl_host());
	snprintf(old, sizeof(old), "%ld.1.%llu.%s.%s", pid, nsn,
	    "00000000-0000-4000-8000-000000000000", sl_host());
	snprintf(young, sizeof(young), "%ld.2.%llu.%s.%s", pid, nsn,
	    "00000000-0000-4000-8000-000000000000", sl_host());
	snprintf(other, sizeof(other), "%ld.1.%llu.%s.%s", pid, nsn, boot,
	    "elsewhere.invalid");
	fake(dead, 0);
	fake(live, 0);
	fake(old, 8 * 86400L);
	fake(young, 6 * 86400L);
	fake(other, 30 * 86400L);
	fake("not-a-journal", 30 * 86400L);
	ck_assert_int_eq(sl_journal_open(&sp, P), 0);
	ck_assert_msg(!there(dead), "a dead owner's journal kept");
	ck_assert_msg(!there(old), "an old boot's old journal kept");
	ck_assert_msg(there(live), "a live owner's journal removed");
	ck_assert_msg(there(young), "an old boot's young journal removed");
	ck_assert_msg(there(other), "another host's journal removed");
	ck_assert_msg(there("not-a-journal"), "a stranger removed");
}
END_TEST

Suite *
suite_journal(void)
{
	Suite  *s = suite_create("journal");
	TCase  *tc = tcase_create("journal");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_journal_records);
	tcase_add_test(tc, test_journal_round);
	tcase_add_test(tc, test_journal_exit_write);
	tcase_add_test(tc, test_journal_trust);
	tcase_add_test(tc, test_journal_owner);
	tcase_add_test(tc, test_journal_hostile);
	tcase_add_test(tc, test_journal_result);
	tcase_add_test(tc, test_journal_prune);
	suite_add_tcase(s, tc);
	return s;
}
