/*
 * sluice.h - the public interface of libsluice.
 *
 * libsluice is the spool: where it is, what its names may be, how files in
 * it are published and moved, how pools and queues are read and changed.
 * The programs in bin/ are thin front ends over it.  spool-layout.md at the
 * top of the source tree describes the directory tree these functions keep.
 *
 * Conventions: functions return 0 (or a count) on success and -1 on error
 * with errno set and, where an `err' buffer is taken, a sentence for a
 * person in it.  Nothing here exits the process except sl_fatal() and
 * sl_panic().
 */
#ifndef SLUICE_H
#define SLUICE_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#define SLUICE_VERSION	"0.1.0"

#define SL_NAME_MAX	64		/* sluice(1), Names */
#define SL_UUID_LEN	36
#define SL_ERR_MAX	512
#define SL_NOLIMIT	(-1L)		/* concurrency_limit: none */
#define SL_PRIO_MAX	2147483647L	/* highest queue priority */
#define SL_DEFAULT_POOL	"default-agent-pool"
#define SL_DEFAULT_QUEUE "default"
#define SL_POOL_TYPE	"prefect-agent"

/* ---- log.c: messages, the warn/fatal/panic ladder, timestamped log ---- */

enum sl_level { SL_DEBUG, SL_INFO, SL_WARNING, SL_ERROR };

void	sl_set_progname(const char *);
const char *sl_progname(void);
void	sl_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void sl_fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void sl_panic(const char *, ...) __attribute__((format(printf, 1, 2)));
void	sl_log_denied_hint(const char *);	/* said after a refused write */
int	sl_log_open(const char *dest, const char *name); /* "stderr"|"syslog" */
extern void (*sl_syslog_out)(int prio, const char *msg);	/* tests */
void	sl_log(enum sl_level, const char *, ...) __attribute__((format(printf, 2, 3)));
void	sl_log_hold(void);	/* lines held until sl_log_flush, a fork, exit */
void	sl_log_relay(void (*)(enum sl_level, const char *));
void	sl_log_flush(void);
void	sl_log_unhold(void);	/* flush, and hold no more */
size_t	sl_log_format(char *, size_t, const struct timespec *, enum sl_level,
	    const char *logger, const char *msg);
/* sl_printable - s (a buffer of size bytes) made safe to show, in place:
 * bytes < 0x20, 0x7f, C1 controls and invalid UTF-8 become \xNN */
void	sl_printable(char *s, size_t size);

/* ---- notify.c: systemd's READY=1 / WATCHDOG=1 / STOPPING=1 ---- */

void	sl_notify_init(void);		/* reads and unsets the variables */
long	sl_notify_watchdog_ms(void);	/* ping every this; 0: none */
int	sl_notify(const char *state);
void	sl_notify_tick(long *wait_s);	/* WATCHDOG=1 when due */

/* ---- progress.c: a count on the terminal for long work on many runs ---- */

struct sl_progress {
	const char *what;		/* "cancelling flow runs" */
	long	done, total;		/* total 0: not known */
	struct timespec t0;		/* when the work began (monotonic) */
	long	drawn_ms;		/* when it was last drawn, from t0 */
	int	shown;			/* a count is on the screen */
	int	off;			/* not drawn (set after begin, to
					 * turn it off) */
};
extern int sl_progress_cli;		/* set by sluice(1), a person's */
extern long sl_progress_after_ms;	/* draw only after this long */
void	sl_progress_begin(struct sl_progress *, const char *what, long total);
void	sl_progress_step(struct sl_progress *);
void	sl_progress_end(struct sl_progress *);

/* ---- names.c: names people give, names sluice makes ---- */

int	sl_name_ok(const char *);
const char *sl_name_why(const char *);	/* NULL when ok, else the reason */
void	sl_slug(char *, size_t);	/* adjective-animal */

/* ---- uuid.c ---- */

int	sl_uuid(char out[SL_UUID_LEN + 1]);	/* random, version 4 */
int	sl_random(void *b, size_t len);		/* len <= 256 random bytes */
void	sl_random_endow(const void *b, size_t len);	/* a child's pool */
void	sl_uuid_from(char out[SL_UUID_LEN + 1], const char *seed); /* stable */
int	sl_uuid_ok(const char *);
int	sl_hex_ok(const char *, size_t);

/* ---- clock.c: WHEN forms and RFC 3339 ---- */

int	sl_time_parse(const char *, time_t now, time_t *out);
long long sl_days_from_civil(long long, int, int);
char   *sl_time_fmt(time_t, char *, size_t);	/* 2026-11-28T14:00:00Z */
char   *sl_duration_fmt(long, char *, size_t);	/* 45s, 3m04s, 2h05m, 3d04h */
int	sl_num_parse(const char *, long min, long max, long *out);
long long sl_mono_ms(void);			/* CLOCK_MONOTONIC, ms */

/* ---- dirfd.c ---- */

/* dirfd.c: calls by path under a spool, walked from the descriptor of the
 * path's deepest fixed directory (spool-layout.md, "Walking less") */
void	sl_dirfd_root(const char *spool);
int	sl_dirfd_at(const char *path, const char **rel);
void	sl_dirfd_forget(const char *path);
void	sl_dirfd_drop(void);
void	sl_dirfd_floor(int lowfd);
void	sl_dirfd_oneshot(void);
int	sl_network_fs(const char *dir);
int	sl_local_fs(const char *dir);
void	sl_dirfd_drop_below(int lowfd);
void	sl_dirfd_closefrom(int lowfd);
void	sl_dirfd_closefrom_but(int lowfd, int spare);
void	sl_dirfd_flush(void);
int	sl_dirfd_count(void);
extern long sl_dirfd_window_ms;	/* a seam for tests: 1000 */
int	sl_open(const char *, int, ...);
int	sl_lstat(const char *, struct stat *);
int	sl_stat(const char *, struct stat *);
DIR    *sl_opendir(const char *);
int	sl_unlink(const char *);
int	sl_rmdir(const char *);
int	sl_rename(const char *, const char *);
int	sl_link(const char *, const char *);
int	sl_mkdir(const char *, mode_t);

/* ---- fsop.c: defensive file primitives ---- */

/*
 * The system calls the sane_* primitives make, behind a seam, so that
 * tests can make a call that succeeded report failure (an NFS reply lost
 * and the request retransmitted).
 */
struct sl_sysops {
	int	(*rename)(const char *, const char *);
	int	(*link)(const char *, const char *);
	int	(*mkdir)(const char *, mode_t);
	int	(*create)(const char *, int, mode_t);	/* open(2), O_CREAT */
};
extern struct sl_sysops sl_sys;

int	sl_exists(const char *);
int	sane_rename(const char *from, const char *to);
int	sl_rename_into(const char *from, const char *to, const char *dir);
int	sl_mkdir_new(const char *path, mode_t mode);
int	sane_renameat(int, const char *, int, const char *);
int	sane_link(const char *from, const char *to);
int	sane_mkdir(const char *, mode_t);	/* exists as a directory: ok */
int	sl_mkdirs(const char *, mode_t);	/* mkdir -p */
int	sl_write_tmp(const char *tmp, const void *, size_t, mode_t);
int	sl_write_all(int fd, const void *, size_t);
int	sl_create_fresh(int dirfd, const char *name, mode_t);
int	sl_publish_link(const char *tmp, const char *to, const void *, size_t);
int	sl_publish_rename(const char *tmp, const char *to, const void *, size_t);
int	sl_publish_nosync(const char *tmp, const char *to, const void *, size_t);
int	sl_write_tmp_nosync(const char *tmp, const void *, size_t, mode_t);
int	sl_write_in_place(const char *path, const void *, size_t, mode_t);
ssize_t	sl_read_file(const char *, char **, size_t max);
struct stat;
ssize_t	sl_read_fd(int, char **, size_t max, struct stat *);
ssize_t	sl_read_file_st(const char *, char **, size_t max, struct stat *);
int	sl_rmtree(const char *);		/* by descriptors: see fsop.c */
/* tests: called in sl_rmtree after a directory is read, before each of
 * its names (name, in the directory open as fd) is acted on */
extern void (*sl_rmtree_hook)(int fd, const char *name);
int	sl_discard_tree(const char *path, const char *trashdir);
int	sl_fsync_dir(const char *);
int	sl_write_small(const char *dir, const char *name, const char *text);
struct stat;
int	sl_same_dir(const struct stat *, const struct stat *);
void	sl_dir_refresh(const char *dir);
int	sl_list_names(const char *, int (*)(const char *), char ***, size_t *);
int	sl_list_dirs(const char *, int (*)(const char *), char ***, size_t *);
int	sl_list_quick(const char *, int (*)(const char *), char ***, size_t *);
char   *sl_read_small(const char *dir, const char *name);	/* <= 64 KiB */
/* tests: called before each step of a claim, unclaim or finish */
extern void (*sl_claim_step)(const char *);
void	sl_step(const char *);

/* ---- buf.c: a growing string ---- */

struct sl_buf {
	char   *s;
	size_t	len, cap;
};
void	sl_buf_add(struct sl_buf *, const char *, size_t);
void	sl_buf_puts(struct sl_buf *, const char *);
void	sl_buf_printf(struct sl_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	sl_buf_free(struct sl_buf *);
void   *sl_xmalloc(size_t);
void   *sl_xrealloc(void *, size_t);
char   *sl_xstrdup(const char *);
char   *sl_path(const char *, ...) __attribute__((sentinel)); /* joined, malloc'd */
void	sl_kv_get(const char *text, const char *key, char *out, size_t len);
void	sl_strv_free(char **, size_t);
int	sl_field_put(char *buf, size_t len, size_t *at, const char *s);
const char *sl_field_get(const char *buf, size_t n, size_t *at);
int	sl_strcmp_p(const void *, const void *);

/* ---- ini.c: INI through iniparser ---- */

struct sl_ini;				/* opaque: a parsed file */
#define SL_INI_MAX	(1024 * 1024)
#define SL_INI_TRAILER	"; end of sluice file\n"

struct sl_ini *sl_ini_parse(const char *text, size_t len, char *err, size_t);
struct sl_ini *sl_ini_load(const char *path, int need_trailer, char *err, size_t);
void	sl_ini_free(struct sl_ini *);
const char *sl_ini_get(const struct sl_ini *, const char *sec, const char *key);
int	sl_ini_nsec(const struct sl_ini *);
int	sl_ini_nkeys(const struct sl_ini *, const char *sec);
const char *sl_ini_key(const struct sl_ini *, const char *sec, int);
const char *sl_ini_secname(const struct sl_ini *, int);
int	sl_ini_value_ok(const char *);	/* survives a write and a read */
void	sl_ini_put(struct sl_buf *, const char *key, const char *val);
void	sl_ini_put_quoted(struct sl_buf *, const char *, const char *);

/* ---- config.c: sluice.ini ---- */

struct sl_config {
	char   *path;			/* the file read, or NULL */
	char   *spool;			/* [sluice] spool */
	long	late_after;		/* seconds, default 15 */
	long	heartbeat;		/* seconds, default 10 */
	long	missed_heartbeats;	/* default 3 */
	long	lease;			/* seconds, default 30 */
	long	cancel_grace;		/* seconds, default 30 */
	long	keep_days;		/* default 7 */
	long	poll_seconds;		/* default 10 */
	char   *log;			/* "stderr" or "syslog" */
	int	submitters;		/* SL_SUBMIT_*: who may drop runs */
	long	submit_gid;		/* the group of submitters = GROUP */
	long	admin_gid;		/* admins = GROUP, -1: none */
	long long log_max;		/* bytes of a run's log, 0: no cap */
};
enum { SL_SUBMIT_OWNER, SL_SUBMIT_ALL, SL_SUBMIT_GROUP };
int	sl_config_load(struct sl_config *, char *err, size_t);
void	sl_config_free(struct sl_config *);
/*
 * sl_offline_after - seconds without a heartbeat after which an agent is
 * offline (Prefect: heartbeat x missed_heartbeats); its claims go back.
 * Must stay above a heartbeat plus any cache period of a shared spool.
 */
static inline long
sl_offline_after(const struct sl_config *cf)
{
	return cf->heartbeat * cf->missed_heartbeats;
}
/*
 * Left-overs of a crash (a claim between its two renames, an agent killed
 * while registering, a registration half removed, a private directory of
 * a maker that died) and the registration of an agent gone for good are
 * removed once they are this many leases old (by their name's epoch or
 * the agent's last beat): far beyond any step a live process takes, any
 * cache period and any sane clock skew.
 */
#define SL_STALE_LEASES	10
/* sl_stale_after - that age in seconds: any process may sweep them then */
static inline long
sl_stale_after(const struct sl_config *cf)
{
	return SL_STALE_LEASES * cf->lease;
}

/* ---- logcap.c: log_max, the head and tail of a run's output ---- */

#define SL_LOGCAP_DEFAULT	(10LL << 20)	/* log_max: 10M */
#define SL_LOGCAP_SIZE_MAX	(1LL << 40)	/* 1024G */
#define SL_LOGCAP_TAIL_MAX	(64LL << 20)	/* the tail, held in memory */
struct sl_logcap {
	long long head;			/* bytes still to go to the log */
	long long cut;			/* bytes dropped */
	size_t	tailmax;		/* the ring's size */
	size_t	rpos, rlen;		/* next byte's place, bytes held */
	char   *ring;			/* taken at the first tail byte */
	char	last;			/* the head's last byte */
};
int	sl_size_parse(const char *, long long *);
char   *sl_size_fmt(long long, char *, size_t);
void	sl_logcap_init(struct sl_logcap *, long long budget);
size_t	sl_logcap_feed(struct sl_logcap *, const char *, size_t);
void	sl_logcap_end(struct sl_logcap *, const char *limit, struct sl_buf *);

/* ---- spool.c: where the spool is and its fixed places ---- */

struct sl_spool {
	char   *root;
	const char *source;		/* which rule of sluice(1) "The spool" */
};
int	sl_spool_locate(struct sl_spool *, const char *opt,
	    const struct sl_config *, char *, size_t);
int	sl_spool_resolve(struct sl_spool *, const char *opt,
	    const struct sl_config *, char *err, size_t);
void	sl_spool_free(struct sl_spool *);
/* the spool's fixed places (spool-layout.md, "The tree"): one path builder */
enum sl_place {
	SL_PL_POOLS,		/* pools/ */
	SL_PL_DEPLOYMENTS,	/* deployments/ */
	SL_PL_POOL,		/* pools/P/ */
	SL_PL_CONFIG,		/* pools/P/config/: versioned settings */
	SL_PL_QUEUES,		/* pools/P/queues/ */
	SL_PL_PENDING,		/* pools/P/pending/: AGENT/T.U.ID, Pending */
	SL_PL_RUNNING,		/* pools/P/running/: T.U.ID, Running */
	SL_PL_DONE,		/* pools/P/done/: ID.STATE, final */
	SL_PL_REJECTED,		/* pools/P/rejected/: ID, Rejected */
	SL_PL_TMP,		/* pools/P/tmp/: private, being built */
	SL_PL_SLOTS,		/* pools/P/slots/: SCOPE.K/RUN-ID */
	SL_PL_AGENTS,		/* pools/P/agents/: AGENT-ID/ */
	SL_PL_QUEUE,		/* pools/P/queues/Q/ */
	SL_PL_SCHED,		/* pools/P/queues/Q/sched/: T.U.ID, Scheduled */
	SL_PL_NEW,		/* pools/P/queues/Q/new/: the drop box */
	SL_PL_DROPTMP,		/* pools/P/queues/Q/tmp/: droppers' scratch */
	SL_PL_IDS,		/* ids/: XX/ID, where a run was put (a hint) */
	SL_NPLACES
};
char   *sl_place(const struct sl_spool *, enum sl_place, const char *pool,
	    const char *queue, ...) __attribute__((sentinel));
char   *sl_pool_dir(const struct sl_spool *, const char *pool);
char   *sl_queue_dir(const struct sl_spool *, const char *pool, const char *q);

/* ---- sched.c: a queue's sched/ in time buckets, sched/B/T.U.ID ---- */

#define SL_BUCKET_LEN	15		/* B: T >> 4 in hex, 16 seconds */
int	sl_bucket_ok(const char *);
void	sl_bucket_of(const char *token, char out[SL_BUCKET_LEN + 1]);
time_t	sl_bucket_time(const char *bucket);
char   *sl_sched_run(const struct sl_spool *, const char *pool,
	    const char *q, const char *token);
int	sl_sched_put(const char *from, const char *sd, const char *token,
	    int durable);
char   *sl_sched_find(const char *sd, const char *token);
int	sl_sched_read(const char *sd, time_t t0, time_t t1, char ***dirs,
	    size_t *nd, char ***flat, size_t *nf);
int	sl_sched_dirs(const char *sd, time_t t0, time_t t1, char ***, size_t *);
void	sl_sched_prune(const char *bucketdir, time_t now);
long	sl_sched_migrate(const char *sd);
long	sl_sched_count(const char *sd);

/* ---- names.c: run names (T.U.ID tokens, in-flight, done, private) ---- */

enum sl_state {
	SL_SCHEDULED, SL_PENDING, SL_RUNNING, SL_COMPLETED, SL_FAILED,
	SL_CRASHED, SL_CANCELLED, SL_REJECTED, SL_NSTATES
};
extern const char *const sl_state_names[];

#define SL_TOKEN_LEN	(16 + 1 + 16 + 1 + SL_UUID_LEN)	/* T.U.ID */
/* holds any run directory name sluice makes, and a NUL: the longest is the
 * in-flight one, ".crash.E.U2.T.U.ID" (131 bytes) */
#define SL_RUNNAME_MAX	160

void	sl_token_make(char out[SL_TOKEN_LEN + 1], time_t sched,
	    unsigned long long sub_us, const char *id);
int	sl_token_parse(const char *, time_t *, char id[SL_UUID_LEN + 1]);
int	sl_is_token(const char *);
char   *sl_flight_name(const char *dir, const char *kind, time_t now,
	    const char *token);
const char *sl_flight_parse(const char *name, const char *kind, time_t *born);
void	sl_done_name(char out[SL_RUNNAME_MAX], const char *id, enum sl_state);
int	sl_done_parse(const char *, char id[SL_UUID_LEN + 1], enum sl_state *);
void	sl_private_name(char out[SL_RUNNAME_MAX], time_t now, const char *id,
	    const char *u);
int	sl_private_parse(const char *, time_t *born);
int	sl_run_entry(enum sl_place, const char *name, char id[SL_UUID_LEN + 1],
	    enum sl_state *);

/* ---- pool.c: pools and queues ---- */

struct sl_queue {
	char	name[SL_NAME_MAX + 1];
	char	id[SL_UUID_LEN + 1];
	long	priority;
	long	limit;			/* SL_NOLIMIT or >= 0 */
	int	paused;
	time_t	created;
	int	registered;		/* has a line in the pool's config */
	int	present;		/* its directory exists */
};

#define SL_HOOK_MAX	1024		/* an alert command, with its NUL */
#define SL_MAILTO_MAX	256

struct sl_pool {
	char	name[SL_NAME_MAX + 1];
	char	id[SL_UUID_LEN + 1];
	char	type[32];
	int	paused;
	long	limit;
	time_t	created;
	unsigned long version;		/* config version read, 0: none */
	char	writer[SL_UUID_LEN + 1]; /* who wrote that version */
	/* alerts (alert.c): commands run when a run ends Failed or Crashed,
	 * and whom to mail; "" none */
	char	on_failure[SL_HOOK_MAX];
	char	on_crash[SL_HOOK_MAX];
	char	mail[SL_MAILTO_MAX];	/* "owner" or an address */
	struct sl_queue *q;		/* present queues, by priority */
	size_t	nq;
};

/* An edit: 0 apply and write, 1 nothing to write, -1 refused (err set). */
typedef int (*sl_pool_edit_fn)(struct sl_pool *, void *, char *, size_t);

int	sl_pool_exists(const struct sl_spool *, const char *);
const char *sl_pool_alert_ok(const char *key, const char *, size_t);
/* alert.c: a pool's on_failure / on_crash commands and mail */
extern const char *sl_alert_sendmail;
unsigned long sl_alert_forked(void);
void	sl_alert_run(const struct sl_spool *, const char *pool, const char *id,
	    enum sl_state);
int	sl_pool_names(const struct sl_spool *, char ***, size_t *);
int	sl_pool_names_in(const char *dir, char ***, size_t *);
int	sl_pool_load(const struct sl_spool *, const char *, struct sl_pool *,
	    char *, size_t);
/* sl_pool_load_pass: how fresh */
#define SL_POOL_QUICK	0	/* trust inotify, then the times */
#define SL_POOL_LOOK	1	/* look at the times */
#define SL_POOL_READ	2	/* read it */
int	sl_pool_load_pass(const struct sl_spool *, const char *,
	    struct sl_pool *, int fresh, char *, size_t);
void	sl_pool_free(struct sl_pool *);
int	sl_pool_update(const struct sl_spool *, const char *, sl_pool_edit_fn,
	    void *, struct sl_pool *out, char *, size_t);
int	sl_pool_create(const struct sl_spool *, const char *, int paused,
	    long limit, char *, size_t);
int	sl_pool_ensure(const struct sl_spool *, const char *, char *, size_t);
int	sl_pool_delete(const struct sl_spool *, const char *, int force,
	    char *, size_t);
long	sl_pool_active_runs(const struct sl_spool *, const char *);
int	sl_pool_agents_online(const struct sl_spool *, const char *, time_t now,
	    long window);
int	sl_pool_run_counts(const struct sl_spool *, const char *, long *counts);
char   *sl_pool_render(const struct sl_pool *, unsigned long version,
	    const char *writer, size_t *);

struct sl_queue *sl_pool_queue(struct sl_pool *, const char *);
void	sl_pool_place(struct sl_pool *, struct sl_queue *, long prio,
	    struct sl_buf *moved);
long	sl_pool_last_priority(const struct sl_pool *);

int	sl_queue_create(const struct sl_spool *, const char *pool,
	    const char *q, long prio, long limit, struct sl_queue *out,
	    struct sl_buf *moved, char *, size_t);
int	sl_queue_ready(const struct sl_spool *, const char *pool,
	    const char *name);
int	sl_queue_ensure(const struct sl_spool *, const char *pool,
	    const char *q, char *, size_t);
int	sl_queue_delete(const struct sl_spool *, const char *pool,
	    const char *q, char *, size_t);

/* ---- runfile.c: the run file format, sluice-run(5) ---- */

struct sl_runspec {
	char	id[SL_UUID_LEN + 1];
	char	pool[SL_NAME_MAX + 1];
	char	queue[SL_NAME_MAX + 1];
	char   *name;			/* NULL: none given */
	char   *command;		/* run by /bin/sh -c */
	time_t	scheduled, created;
	long	retries, retry_delay;
	long	timeout;		/* 0: none */
	char   *cwd;			/* NULL: the owner's home */
	char   *deployment;
	long	attempt;
	long	owner_uid, owner_gid;	/* -1: unknown */
	char  **env;			/* "NAME=value" */
	size_t	nenv;
};

int	sl_runspec_parse(const char *, size_t, time_t now, int trusted,
	    struct sl_runspec *, char *err, size_t);
void	sl_runspec_free(struct sl_runspec *);
char   *sl_runspec_render(const struct sl_runspec *, size_t *); /* unchecked */
char   *sl_runspec_store(const struct sl_runspec *, size_t *, char *err,
	    size_t);		/* rendered, parsed back, compared */
int	sl_runspec_check(const struct sl_runspec *, char *err, size_t);
char   *sl_ini_quote(const char *);
char   *sl_cmd_from_argv(int, char *const[]);
char  **sl_cmd_argv_of(const char *, int *argc);	/* or NULL */
char   *sl_argv_shell(int, char *const[]);	/* as typed */
int	sl_cmd_to_argv(const char *, char ***, int *);
/* a run.ini: the trusted form of a run file of up to 1 MiB, quoted */
#define SL_RUNINI_MAX	(2 * SL_INI_MAX)
int	sl_runini_write(const char *dir, const struct sl_runspec *, int fresh,
	    const char *maker, char *, size_t);
int	sl_runini_maker(const char *dir, char *, size_t);
int	sl_runini_load(const char *dir, time_t now, struct sl_runspec *,
	    struct stat *, char *, size_t);	/* -1 unread, -2 invalid */

/* ---- run.c: runs in the spool ---- */

struct sl_run {
	char	id[SL_UUID_LEN + 1];
	char	pool[SL_NAME_MAX + 1];
	char	queue[SL_NAME_MAX + 1];
	char   *dir;			/* where it is now */
	enum sl_state state;		/* where it is, as a state */
	int	cancelling;		/* a cancel was asked for */
	struct sl_runspec spec;		/* run.ini (empty for Rejected) */
	char	message[512];
	time_t	started, ended;
	int	exit_code;		/* -1: none */
	char	agent[SL_UUID_LEN + 1];
	char	host[256];
	long	pid;
};

struct sl_runs {
	struct sl_run *v;
	size_t	n;
};

int	sl_run_submit(const struct sl_spool *, struct sl_runspec *, char *,
	    size_t);

/* ---- ids.c: the id index, ids/XX/ID (a hint: spool-layout.md) ---- */

struct sl_idhint {
	char	pool[SL_NAME_MAX + 1];
	char	queue[SL_NAME_MAX + 1];
	char	token[SL_TOKEN_LEN + 1];	/* T.U.ID, or ID (Rejected) */
};
int	sl_idhint_write(const struct sl_spool *, const char *pool,
	    const char *queue, const char *token);
int	sl_idhint_read(const struct sl_spool *, const char *id,
	    struct sl_idhint *);
void	sl_idhint_remove(const struct sl_spool *, const char *id);
/* run.c: remove the hints of a pool's runs, before it is deleted */
void	sl_idhints_forget_pool(const struct sl_spool *, const char *pool);
long	sl_accept_pool(const struct sl_spool *, const char *, char *, size_t);
long	sl_accept_pool_quick(const struct sl_spool *, const char *, char *,
	    size_t);
int	sl_runs_pool(const struct sl_spool *, const char *, struct sl_runs *);
int	sl_runs_select(const struct sl_spool *, const char *pool,
	    unsigned states, time_t t0, time_t t1, struct sl_runs *);
void	sl_runs_free(struct sl_runs *);
time_t	sl_run_when(const struct sl_run *);
long	sl_run_seconds(const struct sl_run *, time_t now);
/* which runs flow-run ls shows (sl_runs_newest, sl_runs_load_newest) */
struct sl_runsel {
	unsigned states;		/* a mask of 1 << state; 0: all */
	const char *queue;		/* only this queue's; NULL: any */
	time_t	due_by;			/* Scheduled: only due by then; 0: any */
	size_t	limit;			/* at most this many; 0: all */
	int	(*keep)(const struct sl_run *, void *);	/* NULL: every run */
	void   *arg;
};
void	sl_runs_newest(const struct sl_spool *, char *const *pools, size_t np,
	    const struct sl_runsel *, struct sl_runs *, struct sl_runs *act);
const char *sl_run_display(const struct sl_run *, time_t now, long late_after);
int	sl_run_find(const struct sl_spool *, const char *ref, struct sl_runs *,
	    struct sl_run **, char *, size_t);
int	sl_run_cancel(const struct sl_spool *, struct sl_run *, char *, size_t);
int	sl_run_delete(const struct sl_spool *, struct sl_run *, char *, size_t);
int	sl_run_create(const struct sl_spool *, struct sl_runspec *,
	    const char *maker, int (*gate)(void *), void *, char *, size_t);
int	sl_cleanup_pool(const struct sl_spool *, const char *, long keep_days,
	    long stale, time_t now, int finished);	/* stale: 10 x lease */
long	sl_count_stranded(const struct sl_spool *, const char *pool,
	    time_t now, long stale, long *old);

/* ---- perm.c: the permission model (spool-layout.md, "Permissions") ---- */

void	sl_perm_policy(const struct sl_config *);
int	sl_perm_privileged(const struct sl_spool *);
void	sl_perm_denied_hint(const struct sl_spool *);
long	sl_perm_uid(void);		/* getuid(), with geteuid: one call */
int	sl_perm_can_write(const char *dir);
ssize_t	sl_perm_read_run(const char *dir, char **text, struct stat *);
int	sl_perm_check_run(const struct sl_spool *, const char *dir,
	    const struct stat *, const struct sl_runspec *, char *, size_t);
int	sl_perm_runfile_fd(int fd, long gid);
int	sl_perm_runfile_st(int fd, long gid, const struct stat *);
int	sl_perm_publish_runfile(const char *dir, const char *name,
	    const char *text, size_t len, long gid, int fresh);
int	sl_perm_dropbox(const char *dir);
int	sl_perm_may_accept(const struct sl_spool *, const char *pool, long uid);
void	sl_perm_drop_run_id(long uid, const char *u, char out[SL_UUID_LEN + 1]);
int	sl_perm_drop_id(const char *text, size_t len, long uid,
	    char id[SL_UUID_LEN + 1], char *, size_t);
int	sl_perm_submit_drop(const struct sl_spool *, struct sl_runspec *,
	    char *, size_t);
int	sl_perm_may_act(const struct sl_spool *, const struct sl_run *,
	    const char *verb, char *, size_t);
int	sl_perm_needs_request(const struct sl_spool *, const struct sl_run *);
int	sl_perm_request(const struct sl_spool *, const struct sl_run *,
	    const char *action, char *, size_t);
int	sl_perm_is_request(const char *text, size_t len);
int	sl_perm_do_request(const struct sl_spool *, const char *pool, long uid,
	    const char *text, size_t len);

/* ---- agent.c: agents' registrations and heartbeats ---- */

struct sl_agent {
	char	id[SL_UUID_LEN + 1];
	char	name[SL_NAME_MAX + 1];
	char	pool[SL_NAME_MAX + 1];
	char	host[256];
	long	pid;
	char  **queues;			/* -q names; none and no match: all */
	size_t	nqueues;
	char   *match;			/* -m prefix, or NULL */
	long	limit;			/* SL_NOLIMIT or >= 0 */
	long	prefetch;		/* seconds */
	time_t	started;
	time_t	beat;			/* last heartbeat; 0 unknown, -1 none */
	int	registered;		/* agent.ini read */
	char	boot[64];		/* its host's boot id when it started */
	unsigned long long pid_start;	/* when its process started (/proc) */
	char	pidns[64];		/* its pid namespace */
	int	dead;			/* its process is gone, seen on its own
					 * host (sl_agents_load) */
};


int	sl_agent_register(const struct sl_spool *, const struct sl_agent *,
	    char *, size_t);
int	sl_agent_beat(const struct sl_spool *, const struct sl_agent *, time_t);
int	sl_agent_counters(const struct sl_spool *, const struct sl_agent *,
	    unsigned long long claims, unsigned long long starts);
int	sl_agent_counters_read(const struct sl_spool *, const struct sl_agent *,
	    unsigned long long *claims, unsigned long long *starts);
int	sl_agent_deregister(const struct sl_spool *, const struct sl_agent *);
int	sl_agents_load(const struct sl_spool *, const char *pool,
	    struct sl_agent **, size_t *);
void	sl_agent_free(struct sl_agent *);
void	sl_agents_free(struct sl_agent *, size_t);
int	sl_agent_online(const struct sl_agent *, time_t now, long window);
int	sl_agent_gone(const struct sl_agent *, time_t now, long window);
void	sl_agent_gone_why(const struct sl_agent *, time_t now, char *, size_t);
int	sl_agent_dead_here(const struct sl_agent *);
int	sl_agent_serves(const struct sl_agent *, const char *queue);
const char *sl_host(void);		/* this host's name */
pid_t	sl_self(void);			/* this process's id (cached) */
void	sl_self_is(pid_t pid);		/* ... as setsid() said it */
void	sl_lead_session(void);		/* setsid(), once a process */
long	sl_agents_sweep(const struct sl_spool *, const char *pool,
	    const struct sl_agent *, size_t, time_t now, long window,
	    long stale);
int	sl_start_taken_back(const struct sl_spool *, const struct sl_agent *,
	    const char *token, char *, size_t);

/* ---- slot.c: concurrency slots ---- */

int	sl_slot_take(const struct sl_spool *, const char *pool,
	    const char *scope, long limit, const char *token, const char *agent,
	    time_t now, long *k);
int	sl_slot_take_from(const struct sl_spool *, const char *pool,
	    const char *scope, long limit, const char *token, const char *agent,
	    time_t now, long from, long *k, char u[SL_UUID_LEN + 1]);
int	sl_slot_release(const struct sl_spool *, const char *pool,
	    const char *name, const char *id);
int	sl_slot_release_take(const struct sl_spool *, const char *pool,
	    const char *name, const char *id, const char *u);
int	sl_slots_of(const struct sl_spool *, const char *pool, const char *id,
	    char ***, size_t *);
int	sl_slots_release_run(const struct sl_spool *, const char *pool,
	    const char *id);
int	sl_slots_release_named(const struct sl_spool *, const char *pool,
	    const char *id, const char *list);
int	sl_slots_release_token(const struct sl_spool *, const char *pool,
	    const char *token);
int	sl_slots_release_claim(const struct sl_spool *, const char *pool,
	    const char *token, const char *agent);
long	sl_slots_held(const struct sl_spool *, const char *pool,
	    const char *prefix);
long	sl_slot_first_free(const struct sl_spool *, const char *pool,
	    const char *scope, long limit);	/* a hint, not a hold */
long	sl_slot_first_free_at(const struct sl_spool *, const char *pool,
	    const char *scope, long limit, long start);	/* from start, round */
long	sl_slots_sweep(const struct sl_spool *, const char *pool, time_t now,
	    long stale);

/* ---- end.c: the moves that end a run or give it back; result.ini ---- */

struct sl_result {
	char	state[32];
	time_t	started, ended;		/* 0: unknown */
	int	exit_code;		/* -1: none */
	char	message[512];
};

int	sl_run_finish(const struct sl_spool *, const char *pool,
	    const char *dir, const char *id, enum sl_state, int exit_code,
	    time_t started, const char *message);
int	sl_run_finish_recorded(const struct sl_spool *, const char *pool,
	    const char *dir, const char *id, enum sl_state, int exit_code,
	    time_t started, const char *message, const char *slots);
int	sl_run_finish_exit(const struct sl_spool *, const char *pool,
	    const char *dir, const char *id, enum sl_state, const char *slots);
void	sl_claim_freed(const char *pool, const char *token);
int	sl_claim_slots_of(const char *token, char *out, size_t);
int	sl_run_unclaim(const struct sl_spool *, const char *pool,
	    const char *dir, const char *token, const char *agent);
int	sl_run_requeue(const struct sl_spool *, const char *pool,
	    const char *dir, const char *old_token, struct sl_runspec *,
	    time_t when, int exit_code, const char *message);
int	sl_run_refuse(const struct sl_spool *, const char *pool,
	    const char *dir, const char *id, const char *reason);
void	sl_run_forget_claim(const char *dir);
void	sl_run_scrub(const char *dir);
int	sl_result_write(const char *dir, const char *state, time_t started,
	    time_t ended, int exit_code, const char *message);
int	sl_result_read(const char *dir, struct sl_result *);

/* ---- status.c: a fleet's health, for sluice status and metrics ---- */

struct sl_status_agent {
	char	id[SL_UUID_LEN + 1];
	char	name[SL_NAME_MAX + 1];
	char	host[256];
	time_t	beat;
	int	online;
	int	counted;		/* claims and starts read (metrics) */
	unsigned long long claims, starts;
};
struct sl_status_queue {
	char	name[SL_NAME_MAX + 1];
	int	paused, served;		/* served: an online agent serves it */
	long	limit, used;		/* SL_NOLIMIT; slots held */
	long	due;			/* Scheduled and due */
	long	scheduled;		/* in sched/, due or not */
};
struct sl_status_done {
	char	id[SL_UUID_LEN + 1];
	enum sl_state state;
	time_t	ended;
	char	message[512];
};
struct sl_status {
	char	name[SL_NAME_MAX + 1];
	int	paused;
	long	limit, used;		/* the pool's: SL_NOLIMIT; held */
	long	counts[SL_NSTATES];
	long	late;			/* Scheduled, due more than late_after */
	time_t	oldest_late;		/* the oldest Late run's time, or 0 */
	struct sl_status_agent *agents;
	struct sl_agent *regs;		/* their registrations, as agents[] */
	size_t	nagents;
	struct sl_status_queue *queues;
	size_t	nqueues;
	struct sl_status_done failures[3];	/* the newest Failed, Crashed */
	size_t	nfailures;
	double *durations;		/* seconds, of the newest finished */
	size_t	ndurations;
	char  **problems;		/* none: healthy */
	size_t	nproblems;
};
int	sl_status_gather(const struct sl_spool *, const struct sl_config *,
	    const char *pool, long late_seconds, int durations,
	    struct sl_status **, size_t *, char *, size_t);
void	sl_status_free(struct sl_status *, size_t);
void	sl_status_metrics(struct sl_buf *, const struct sl_status *, size_t,
	    time_t);

/* ---- claim.c: claims, and recovery of gone agents' claims ---- */

struct sl_names {
	char  **v;
	size_t	n;
};
void	sl_names_add(struct sl_names *, const char *);
int	sl_names_has(const struct sl_names *, const char *);
void	sl_names_free(struct sl_names *);

long	sl_claim(const struct sl_spool *, const struct sl_agent *, long max,
	    time_t now, struct sl_names *got, time_t *next, char *, size_t);
long	sl_claim_in(const struct sl_spool *, const struct sl_agent *,
	    const struct sl_pool *, long max, time_t now, struct sl_names *,
	    time_t *next, unsigned flags);
/* sl_claim_in flags: a pass begins (listings made before it are not
 * reused, unless...); a quick pass may claim from a listing of a queue's
 * sched/ made under a second ago, less what this process claimed since */
#define SL_CLAIM_NEWPASS 0x1
#define SL_CLAIM_REUSE	0x2
/* ... and the caller is the agent the runs are claimed for, which forks
 * their supervisors: no claim.ini (this process remembers the slots each
 * claim took, sl_claim_slots_of; an end that has them not looks for them) */
#define SL_CLAIM_SELF	0x4
/* ... and starts at once the runs due now: their claims' step 7 is left
 * to the start, which moves each from its private claim name (with
 * SELF; spool-layout.md, "A claim, step by step") */
#define SL_CLAIM_DEFER	0x8
char   *sl_claim_deferred(const char *token);
size_t	sl_claim_cached(void);	/* queues whose listing is kept */
int	sl_claim_undefer(const char *token, const char *priv, int publish);
int	sl_claim_undefer_idle(int (*busy)(const char *token));
long	sl_claim_pack(const char *token, char *buf, size_t len);
int	sl_claim_unpack(const char *buf, size_t n, char *token, size_t tlen);
long	sl_recover_pool(const struct sl_spool *, const char *pool, time_t now,
	    long window, long stale);

/* ---- dispatch.c: a pass over a pool, and inotify hints ---- */

struct sl_pass {
	long	accepted, recovered, claimed;
	time_t	next;			/* when a run comes due next; 0: none */
};
int	sl_maintain_pool(const struct sl_spool *, const struct sl_config *,
	    const char *pool, time_t now, int full, struct sl_pass *);
int	sl_dispatch_pool(const struct sl_spool *, const struct sl_config *,
	    const char *pool, time_t now, int full, struct sl_pass *);
unsigned sl_pass_claim_flags(int full, int deep, int fresh);
int	sl_watch_pool(const struct sl_spool *, const char *pool, int rescan);
int	sl_watch_wait(long timeout);
/* sl_watch_seen: where the events of the last wait were */
#define SL_SEEN_DROP	0x1	/* a drop box, or a directory holding some */
#define SL_SEEN_MINE	0x2	/* a run claimed for us by another process */
#define SL_SEEN_DIRS	0x4	/* queues/, pending/ (new queues, agents) */
#define SL_SEEN_SCHED	0x8	/* a run (or a bucket) arrived in a sched/ */
#define SL_SEEN_FD	0x10	/* the sl_watch_fd descriptor is readable */
#define SL_SEEN_ALL	0x1f
#define SL_SEEN_SIG	0x20	/* sl_watch_signals fd readable (not in ALL) */
unsigned sl_watch_seen(void);
void	sl_watch_skipped(void);
long	sl_watch_queued(void);		/* bytes of events unread */
void	sl_watch_fd(int fd);		/* also wake when fd is readable */
void	sl_watch_signals(int fd);	/* and for a signal: a signalfd */
void	sl_watch_self(const char *agent_id);	/* its pending/ is news */
void	sl_watch_slots(int want);	/* slots/ frees are news (1) */
void	sl_watch_own(const char *token);	/* we moved it: not news */
void	sl_watch_close(void);

/* ---- supervise.c: starting a claimed run, and its supervisor ---- */

enum sl_start {
	SL_START_STARTED,	/* running under a supervisor */
	SL_START_LATER,		/* not due yet (prefetched) */
	SL_START_GONE,		/* no longer ours (handed back, cancelled) */
	SL_START_REFUSED,	/* Rejected: owner, unreadable run.ini */
	SL_START_CANCELLED,	/* a cancel came before the start */
	SL_START_RETURNED,	/* back to its queue: it lacked a slot */
	SL_START_FAILED		/* could not start now; why says */
};

struct sl_started {
	char	id[SL_UUID_LEN + 1];
	char	name[256];
	pid_t	sup;			/* the supervisor */
	long	attempt;
	char	why[SL_ERR_MAX];
};

enum sl_state sl_status_state(int status, int *code, char *msg, size_t);
void	sl_run_start_warm(void);
void	sl_run_start_dirs(const struct sl_spool *, const char *pool);
void	sl_run_notify_fd(int fd);	/* supervisors write a word at the end */

/* endword.c: the line a supervisor sends its agent at its run's end */
#define SL_ENDWORD_MAX	512		/* < PIPE_BUF: one atomic write */
struct sl_endword {
	char	token[SL_RUNNAME_MAX];
	char	state[16];		/* a final state, AwaitingRetry, "?",
					 * Started, NotStarted */
	int	code;			/* exit code (-1 none); attempt */
	char	msg[SL_ENDWORD_MAX];
};
size_t	sl_endword_fmt(char *buf, size_t len, const char *token,
	    const char *state, int code, const char *msg);
int	sl_endword_parse(const char *line, size_t n, struct sl_endword *);
char   *sl_cmd_program(const char *, char *const env[], char ***argv);
#define SL_START_FRESH	1	/* claimed by this process, this pass, under
				 * this pool configuration */
#define SL_START_BECOME	2	/* the caller supervises it: sl_run_become */
enum sl_start sl_run_start(const struct sl_spool *, const struct sl_config *,
	    const struct sl_agent *, const struct sl_pool *, const char *token,
	    time_t now, int flags, struct sl_started *);
void	sl_run_become(void);	/* returns only in a keeper */
void	sl_run_keeper(int fd);
void	sl_run_retire(void);

/* ---- lease.c: a running run's lease, crash detection ---- */

struct sl_lease {
	time_t	deadline;
	char	host[256];
	long	sup, pid;		/* supervisor; command (its group) */
	long	rec;			/* the exit recorder (0: none yet) */
	char	boot[64];		/* the writer's boot id */
	unsigned long long sup_start, pid_start; /* /proc start times */
	unsigned long long rec_start;
};

int	sl_lease_write(const char *dir, time_t deadline, const char *host,
	    long sup, long pid);
void	sl_lease_know(long pid);
void	sl_lease_forget_known(void);
void	sl_lease_know_start(long pid, unsigned long long t);
long long sl_boot_ns(void);
unsigned long long sl_start_tick(long long before, long long after, long hz);
pid_t	sl_fork_known(void);
int	sl_lease_put(const char *dir, time_t deadline, const char *host,
	    long sup, long rec, long pid);
int	sl_lease_first(const char *dir, time_t deadline, const char *host,
	    long sup, long rec, long pid);
/* the exit record: the command's raw wait status, by attempt */
#define SL_EXIT_MAX	256	/* an exit record's text, whole */
int	sl_exit_fmt(char *, size_t, long attempt, long pid, int status,
	    long fenced, time_t started, time_t ended);
int	sl_exit_write(int dirfd, const char *id, long attempt, long pid,
	    int status, long fenced, time_t started);
int	sl_exit_read(int dirfd, long attempt, int *status, long *fenced);
int	sl_exit_parse(const char *, long attempt, int *status, long *fenced,
	    time_t *started, time_t *ended);
/* /proc: a process's state letter, parent, group and start time */
int	sl_proc_stat(long pid, char *state, long *ppid, long *pgid,
	    unsigned long long *start);
int	sl_group_alive(long pgid);	/* a live (not zombie) member? */
int	sl_lease_read(const char *dir, struct sl_lease *);
long	sl_recover_running(const struct sl_spool *, const char *pool,
	    time_t now, long lease);
const char *sl_boot_id(void);
unsigned long long sl_proc_start(long pid);
int	sl_proc_dead(long pid, unsigned long long start, const char *boot);

/* ---- journal.c: the exit journal of a warm recorder ---- */

int	sl_journal_open(const struct sl_spool *, const char *pool);
int	sl_journal_ready(void);
int	sl_journal_put(const char *id, const char *rec, size_t len);
void	sl_journal_close(void);
int	sl_journal_find(const struct sl_spool *, const char *pool,
	    const char *id, long attempt, int *status, long *fenced);
int	sl_journal_lookup(const char *pooldir, const char *id, long attempt,
	    char *rec, size_t len);

/* ---- cron.c: 5-field cron schedules ---- */

struct sl_cron {
	unsigned long long min;		/* bit m: minute m (0-59) */
	unsigned long	hour;		/* bit h (0-23) */
	unsigned long	dom;		/* bit d (1-31) */
	unsigned long	mon;		/* bit m (1-12) */
	unsigned long	dow;		/* bit d (0-6, Sunday 0) */
	int	dom_any, dow_any;	/* the field was "*" (the OR rule) */
};
int	sl_cron_parse(const char *expr, struct sl_cron *, char *err, size_t);
int	sl_cron_next(const struct sl_cron *, const char *tz, time_t after,
	    time_t *next);
int	sl_tz_ok(const char *tz);	/* NULL, "UTC", or a zoneinfo name */

/* ---- deploy.c: deployments and their schedules ---- */

struct sl_deploy {
	char	name[SL_NAME_MAX + 1];
	char	id[SL_UUID_LEN + 1];
	char	pool[SL_NAME_MAX + 1];
	char	queue[SL_NAME_MAX + 1];
	time_t	created;
	int	paused;
	char   *cron;			/* a 5-field expression, or NULL */
	long	interval;		/* seconds, 0: none */
	time_t	anchor;			/* of the interval */
	char   *tz;			/* NULL: UTC */
	unsigned long version;
	struct sl_runspec tmpl;		/* command, retries, ..., owner */
	/* its alerts (alert.c), over the pool's; "" none */
	char	on_failure[SL_HOOK_MAX];
	char	on_crash[SL_HOOK_MAX];
	char	mail[SL_MAILTO_MAX];
};

/* An edit: 0 apply and write, 1 nothing to write, -1 refused (err set). */
typedef int (*sl_deploy_edit_fn)(struct sl_deploy *, void *, char *, size_t);

void	sl_deploy_free(struct sl_deploy *);
int	sl_deploy_load(const struct sl_spool *, const char *,
	    struct sl_deploy *, char *, size_t);
int	sl_deploy_names(const struct sl_spool *, char ***, size_t *);
int	sl_deploy_update(const struct sl_spool *, const char *,
	    sl_deploy_edit_fn, void *, int create, struct sl_deploy *,
	    char *, size_t);
long	sl_deploy_schedule(const struct sl_spool *, const struct sl_deploy *,
	    time_t now, long keep_days);
long	sl_deploy_schedule_pool(const struct sl_spool *, const char *pool,
	    time_t now, long keep_days);
int	sl_deploy_delete(const struct sl_spool *, const char *, char *, size_t);
int	sl_deploy_run(const struct sl_spool *, const struct sl_deploy *,
	    time_t when, char id[SL_UUID_LEN + 1], char *, size_t);
void	sl_deploy_schedule_text(const struct sl_deploy *, char *, size_t);

/* ---- json.c ---- */

void	sl_json_str(struct sl_buf *, const char *);	/* "..." or null */
void	sl_json_key(struct sl_buf *, int *first, const char *);
void	sl_json_time(struct sl_buf *, time_t);		/* 0: null */
void	sl_json_long(struct sl_buf *, long, int isnull);
struct sl_run;
/* pretty.c: inspect's text, an object's JSON as Python's repr writes it */
int	sl_pretty(struct sl_buf *, const char *type, const char *json);
void	sl_run_json(struct sl_buf *, const struct sl_run *, time_t now,
	    long late_after);

/* ---- table.c: aligned tables, box-drawing on a terminal ---- */

struct sl_table;
struct sl_table *sl_table_new(const char *title, int ncol, const char **hdr);
void	sl_table_row(struct sl_table *, const char **cells);
void	sl_table_print(struct sl_table *, FILE *, int boxed, const char *caption);
void	sl_table_free(struct sl_table *);
extern int sl_table_columns;	/* fit boxed tables to this; 0: the terminal */
extern int sl_table_ascii;	/* ASCII borders: 1, 0, or -1 the locale */

/* ---- why.c: why a Scheduled run waits; the runs of the pools ---- */

void	sl_run_why(struct sl_run *, struct sl_pool *, const struct sl_runs *all,
	    const struct sl_agent *, size_t nagents, time_t now, long window);
void	sl_runs_why(const struct sl_spool *, const struct sl_config *,
	    const char *pool, struct sl_run *, struct sl_runs *all, time_t now);
int	sl_runs_load(const struct sl_spool *, const struct sl_config *,
	    const char *pool, int cleanup, struct sl_runs *);
/* only runs in states (a mask of 1 << state, 0: all; their Pending and
 * Running ones come too) and, if due_by, only Scheduled runs due by then */
int	sl_runs_load_newest(const struct sl_spool *, const struct sl_config *,
	    const char *only_pool, int cleanup, const struct sl_runsel *,
	    struct sl_runs *);
int	sl_runs_load_sel(const struct sl_spool *, const struct sl_config *,
	    const char *pool, int cleanup, unsigned states, time_t due_by,
	    struct sl_runs *);

/* runfile.c: the ranges and names a run file takes (sluice-run(5)) */

struct sl_runfile_range {
	long	min, max;
};
extern const struct sl_runfile_range sl_runfile_retries, sl_runfile_retry_delay,
	    sl_runfile_timeout;
int	sl_runfile_name_ok(const char *);
int	sl_runfile_env_name_ok(const char *, size_t);

/* opt.c: the options of the programs, read one word of argv at a time */

struct sl_opt {
	const char *lng;		/* "--name", or NULL */
	const char *shrt;		/* "-x", or NULL */
	int	arg;			/* takes a value */
};

struct sl_optget {
	const struct sl_opt *tab;
	int	ntab;
	unsigned long allow;		/* bit i: tab[i] is accepted (all) */
	int	flags;			/* SL_OPT_DASHDASH ... */
	int	argc;
	char  **argv;
	int	i;			/* the next word (1) */
	const char *word;		/* the word read */
	const char *val;		/* its value ("" for a flag), an argument */
	char	err[SL_ERR_MAX];	/* why a word was refused */
};

#define SL_OPT_DASHDASH	0x1		/* "--" ends the options */
#define SL_OPT_NOARGS	0x2		/* an argument is an unknown word */
#define SL_OPT_SAYLONG	0x4		/* messages say an option's long name */
#define SL_OPT_SAYSHORT	0x8		/* ... its short name, if it has one */

#define SL_OPT_END	(-1)		/* no more words, or "--" */
#define SL_OPT_ARG	(-2)		/* an argument, in val */
#define SL_OPT_UNKNOWN	(-3)		/* an unknown word: err */
#define SL_OPT_BAD	(-4)		/* a missing or empty value: err */

int	sl_opt_is(const char *);
int	sl_opt_find(const struct sl_opt *, int, const char *, const char **inl);
void	sl_opt_init(struct sl_optget *, const struct sl_opt *, int, int flags,
	    int argc, char **argv);
int	sl_opt_next(struct sl_optget *);

#endif /* SLUICE_H */
