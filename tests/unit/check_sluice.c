/*
 * check_sluice.c - the Check runner of libsluice's unit tests, and the
 * helpers the test files share (tests.h).
 *
 * Every suite runs in fork mode (Check's default; CK_FORK=no in the
 * environment still works for debugging under gdb).  Scratch directories
 * live under one root made here and removed after the run, so that a test
 * that fails half-way leaves nothing behind in /tmp.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

static char scratch_root[] = "/tmp/sluice-unit.XXXXXX";

char *
t_tmpdir(void)
{
	const char *root = getenv("SL_TEST_ROOT");
	char   *p;

	p = sl_path(root != NULL ? root : "/tmp", "t.XXXXXX", (char *)NULL);
	ck_assert_msg(mkdtemp(p) != NULL, "mkdtemp %s: %s", p, strerror(errno));
	return p;
}

long
t_dead_pid(void)
{
	pid_t	pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_msg(kill(pid, 0) < 0 && errno == ESRCH, "pid %ld alive",
	    (long)pid);
	return (long)pid;
}

/* ---- fakes for the sl_sys seam (lib/fsop.c), counted in t_seam_calls ---- */

int	t_seam_calls;

/* t_counted_rename - rename as it is, counted; t_renames_done counts those
 * that succeeded (a first rename into a bucket not made yet fails, and is
 * tried again once it is) */
int	t_renames_done;

int
t_counted_rename(const char *a, const char *b)
{
	int	rc;

	t_seam_calls++;
	rc = rename(a, b);
	t_renames_done += rc == 0;
	return rc;
}

/* the call is carried out, and its reply is lost (ENOENT, as a server
 * that no longer remembers a retransmitted rename answers) */
int
t_lost_rename(const char *a, const char *b)
{
	t_seam_calls++;
	if (rename(a, b) < 0)
		return -1;
	errno = ENOENT;
	return -1;
}

/* the same, answered EEXIST */
int
t_lost_rename_eexist(const char *a, const char *b)
{
	t_seam_calls++;
	if (rename(a, b) < 0)
		return -1;
	errno = EEXIST;
	return -1;
}

int
t_lost_link(const char *a, const char *b)
{
	t_seam_calls++;
	if (link(a, b) < 0)
		return -1;
	errno = EEXIST;
	return -1;
}

int
t_lost_mkdir(const char *p, mode_t m)
{
	t_seam_calls++;
	if (mkdir(p, m) < 0)
		return -1;
	errno = EEXIST;
	return -1;
}

/* t_copied_link - t_lost_link on a filesystem without stable inode
 * numbers (sshfs): the new name holds the content, but is not the same
 * inode */
int
t_copied_link(const char *a, const char *b)
{
	char   *s;
	ssize_t	n;
	int	fd;

	t_seam_calls++;
	if ((n = sl_read_file(a, &s, SL_INI_MAX)) < 0)
		return -1;
	fd = open(b, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, s, (size_t)n) != n || close(fd) < 0) {
		free(s);
		return -1;
	}
	free(s);
	errno = EEXIST;
	return -1;
}

char *
t_spool(struct sl_spool *sp)
{
	char   *root = t_tmpdir(), *pools;

	sp->root = root;
	sp->source = "test";
	sl_dirfd_root(root);	/* as sl_spool_locate does */
	pools = sl_path(root, "pools", (char *)NULL);
	t_mkdir(pools);
	free(pools);
	return root;
}

void
t_write(const char *path, const void *data, size_t len)
{
	const char *p = data;
	ssize_t	n;
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	while (len > 0) {
		n = write(fd, p, len);
		ck_assert_msg(n > 0, "write %s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	ck_assert_int_eq(close(fd), 0);
}

void
t_puts(const char *path, const char *text)
{
	t_write(path, text, strlen(text));
}

char *
t_read(const char *path)
{
	char   *s;
	ssize_t	n;

	n = sl_read_file(path, &s, 64 * 1024 * 1024);
	ck_assert_msg(n >= 0, "read %s: %s", path, strerror(errno));
	return s;
}

void
t_mkdir(const char *path)
{
	ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %s", path,
	    strerror(errno));
}

int
t_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
t_count(const char *dir, int dots)
{
	struct dirent *de;
	DIR    *d;
	int	n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!dots && de->d_name[0] == '.')
			continue;
		n++;
	}
	closedir(d);
	return n;
}

int
t_sched_count(const char *sd, int dots)
{
	struct dirent *de;
	char	bd[4200];
	DIR    *d;
	int	n = 0, k;

	if ((d = opendir(sd)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (sl_bucket_ok(de->d_name)) {
			snprintf(bd, sizeof(bd), "%s/%s", sd, de->d_name);
			if ((k = t_count(bd, dots)) > 0)
				n += k;
			continue;
		}
		if (!dots && de->d_name[0] == '.')
			continue;
		n++;
	}
	closedir(d);
	return n;
}

char *
t_sched_at(const char *sd, const char *tok)
{
	return sl_sched_find(sd, tok);
}

/* add_names - the names of dir (not dotted, not buckets) into v */
static void
add_names(const char *dir, char **v, size_t max, size_t *n)
{
	struct dirent *de;
	DIR    *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || sl_bucket_ok(de->d_name))
			continue;
		if (*n < max)
			v[*n] = sl_xstrdup(de->d_name);
		++*n;
	}
	closedir(d);
}

size_t
t_sched_tokens(const char *sd, char **v, size_t max)
{
	struct dirent *de;
	char	bd[4200];
	size_t	n = 0;
	DIR    *d;

	add_names(sd, v, max, &n);
	if ((d = opendir(sd)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!sl_bucket_ok(de->d_name))
				continue;
			snprintf(bd, sizeof(bd), "%s/%s", sd, de->d_name);
			add_names(bd, v, max, &n);
		}
		closedir(d);
	}
	if (n > 1)
		qsort(v, n < max ? n : max, sizeof(*v), sl_strcmp_p);
	return n;
}

int
t_count_prefix(const char *dir, const char *prefix)
{
	struct dirent *de;
	DIR    *d;
	int	n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

Suite  *suite_logcap(void);
Suite  *suite_pretty(void);
Suite  *suite_endword(void);
Suite  *suite_sched(void);
Suite  *suite_dirfd(void);

int
main(void)
{
	Suite  *(*const suites[])(void) = {
		suite_names, suite_uuid, suite_clock, suite_json, suite_ini,
		suite_fsop, suite_pool, suite_config, suite_table, suite_log,
		suite_buf, suite_spool,
		suite_claim, suite_runparse, suite_runfile, suite_run, suite_cron,
		suite_lease, suite_perm, suite_dispatch, suite_agent,
		suite_deploy, suite_why, suite_opt, suite_progress, suite_alert,
		suite_notify,
		suite_status,
		suite_logcap,
		suite_pretty,
		suite_endword,
		suite_sched,
		suite_dirfd,
		suite_journal,
	};
	SRunner *sr;
	size_t	i;
	int	failed;

	if (mkdtemp(scratch_root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setenv("SL_TEST_ROOT", scratch_root, 1);
	/* no test may read the host's /etc/sluice/sluice.ini by accident */
	setenv("SLUICE_CONFIG", "/dev/null", 1);
	sl_set_progname("check_sluice");

	sr = srunner_create(suites[0]());
	for (i = 1; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (sl_rmtree(scratch_root) < 0)
		fprintf(stderr, "cannot remove %s: %s\n", scratch_root,
		    strerror(errno));
	return failed ? 1 : 0;
}
