/*
 * tests.h - shared declarations of the Check unit tests of libsluice.
 *
 * One suite per library module (tests/unit/test_<module>.c), and a few
 * helpers defined in check_sluice.c.  Every test runs in its own forked
 * child (CK_FORK), so a test may change globals (sl_sys, the environment,
 * the current directory) without restoring them for the next one; the
 * tests restore sl_sys anyway, for CK_FORK=no debugging runs.
 */
#ifndef SLUICE_TESTS_H
#define SLUICE_TESTS_H

#include <check.h>

#include "sluice.h"

#define T_TIMEOUT	30	/* seconds per test: generous, for SAN=1 */

Suite  *suite_names(void);
Suite  *suite_uuid(void);
Suite  *suite_clock(void);
Suite  *suite_json(void);
Suite  *suite_ini(void);
Suite  *suite_fsop(void);
Suite  *suite_pool(void);
Suite  *suite_config(void);
Suite  *suite_table(void);
Suite  *suite_log(void);
Suite  *suite_buf(void);
Suite  *suite_spool(void);
Suite  *suite_claim(void);
Suite  *suite_runparse(void);
Suite  *suite_runfile(void);
Suite  *suite_run(void);
Suite  *suite_cron(void);
Suite  *suite_lease(void);
Suite  *suite_perm(void);
Suite  *suite_dispatch(void);
Suite  *suite_agent(void);
Suite  *suite_deploy(void);
Suite  *suite_why(void);
Suite  *suite_opt(void);
Suite  *suite_progress(void);
Suite  *suite_alert(void);
Suite  *suite_notify(void);
Suite  *suite_status(void);
Suite  *suite_journal(void);

/* helpers (check_sluice.c) */

/* t_spool - a fresh spool (a t_tmpdir with pools/ in it) in *sp, whose
 * source is "test"; returns its root (sp->root), to free after sl_rmtree */
char   *t_spool(struct sl_spool *sp);
/* t_dead_pid - the pid of a process that has exited and been reaped */
long	t_dead_pid(void);
/* fakes for the sl_sys seam, each counted in t_seam_calls: the call is
 * carried out and its reply lost (rename: ENOENT, or EEXIST; link and
 * mkdir: EEXIST); t_copied_link makes a copy, not a link (sshfs) */
extern int t_seam_calls;
/* t_counted_rename - rename as it is, counted in t_seam_calls, and those
 * that succeeded in t_renames_done */
extern int t_renames_done;
int	t_counted_rename(const char *, const char *);
int	t_lost_rename(const char *, const char *);
int	t_lost_rename_eexist(const char *, const char *);
int	t_lost_link(const char *, const char *);
int	t_lost_mkdir(const char *, mode_t);
int	t_copied_link(const char *, const char *);
/* t_tmpdir - a fresh empty directory under the run's scratch root; the
 * root is removed by main() after all tests, even those that failed. */
char   *t_tmpdir(void);
/* t_write - create (or truncate) path with len bytes of data; aborts the
 * test on failure.  t_puts: the same for a string. */
void	t_write(const char *path, const void *data, size_t len);
void	t_puts(const char *path, const char *text);
/* t_read - the whole file, malloc'd and NUL-terminated; aborts on error */
char   *t_read(const char *path);
/* t_mkdir - mkdir, aborting the test on failure */
void	t_mkdir(const char *path);
/* t_exists - lstat succeeds */
int	t_exists(const char *path);
/* t_count - entries of dir other than "." and ".."; with dots == 0, only
 * those not starting with '.'.  -1 if dir cannot be opened. */
int	t_count(const char *dir, int dots);
/* t_count_prefix - entries of dir whose name starts with prefix */
int	t_count_prefix(const char *dir, const char *prefix);
/* t_sched_count - the entries of a queue's sched/ sd that are not its
 * buckets, and those of its buckets (as t_count with dots); -1 if sd
 * cannot be opened */
int	t_sched_count(const char *sd, int dots);
/* t_sched_at - where the run named tok is in sched/ sd (in its bucket, or
 * in sd itself), malloc'd; NULL if in neither */
char   *t_sched_at(const char *sd, const char *tok);
/* t_sched_tokens - every run name in sched/ sd and its buckets, sorted;
 * returns how many (at most max are stored, each malloc'd) */
size_t	t_sched_tokens(const char *sd, char **v, size_t max);

#endif /* SLUICE_TESTS_H */
