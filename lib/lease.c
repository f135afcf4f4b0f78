/*
 * lease.c - a running run's lease, and crash detection.
 *
 *	running/TOKEN/lease	deadline = EPOCH, host, supervisor, pid,
 *				recorder, boot, their start times
 *	running/TOKEN/exit	attempt, pid, status (the exit recorder's)
 *
 * The supervisor of a Running run replaces its lease every heartbeat with
 * a deadline lease seconds ahead, on its own clock.  The lease is read on
 * other hosts, where a replaced file can read torn (sshfs) or stale (up to
 * an attribute-cache period), so it ends with the trailer line and a
 * reader that does not find it calls the lease unknown: alive.
 *
 * A run is crashed when:
 *   - its lease names this host and its supervisor's pid is not alive
 *     (kill(pid, 0) fails with ESRCH, or it is a zombie, or the pid
 *     started at another time): at once; or
 *   - now is past its deadline by more than another lease, whatever host
 *     the lease names (a lease read from another host may be stale by a
 *     cache period, and clocks are skewed: the second lease is the margin
 *     for both); on this host that is a supervisor alive but not renewing
 *     (stopped, blocked on a dead mount): it is killed; or
 *   - it has no lease, or one that does not read whole, and its
 *     directory has not changed for two leases (by its mtime).  The start
 *     renames start.ini into the directory just before it enters
 *     running/, the supervisor's first lease follows, and every renewal
 *     is a rename in the directory, so a live run's directory is never
 *     older than a heartbeat; a lookup of `lease` can fail on a network
 *     filesystem while a live supervisor replaces it (seen on fuse-nfs
 *     with 1 s caches), so a missing lease alone proves nothing.  The
 *     mtime is the file server's clock: two leases are the margin for
 *     skew and caches, as for a deadline.
 *
 * Ending a crashed run, by any number of detectors at once: rename
 * running/TOKEN to running/.crash.E.U.TOKEN (a name only this detector
 * makes, so exactly one detector goes on); if it was on this host, settle
 * its processes (settle(): kill a live supervisor, use the command's
 * `exit` record, or make a live recorder record it, and wait, bounded,
 * until the command's group has no live member); then end it as the
 * command ended if that was recorded, else re-queue it (retries left) or
 * end it Crashed.  A detector that dies in between leaves the dotted
 * name; after 10 leases (by E) any detector takes it over.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

/* boot_id - this boot of this kernel (a host rebooted keeps its name) */
static const char *
boot_id(void)
{
	static char id[64];
	char   *text;

	if (id[0] == '\0' && sl_read_file("/proc/sys/kernel/random/boot_id",
	    &text, 64) >= 0) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(id, sizeof(id), "%s", text);
		free(text);
	}
	return id;
}

/*
 * sl_proc_stat - process pid's state letter, parent, process group and
 * start time (clock ticks since boot), from /proc/PID/stat: 0, or -1 if
 * it cannot be read.  Any of the outputs may be NULL.
 */
int
sl_proc_stat(long pid, char *state, long *ppid, long *pgid,
    unsigned long long *start)
{
	char	p[64], buf[1024], *rp;
	ssize_t	n;
	int	fd, i;

	if (pid <= 0)
		return -1;
	snprintf(p, sizeof(p), "/proc/%ld/stat", pid);
	if ((fd = sl_open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) S ppid pgrp ...": fields counted after the last ')',
	 * which comm may contain; state is field 3, ppid 4, pgrp 5,
	 * starttime 22 */
	if ((rp = strrchr(buf, ')')) == NULL || rp[1] != ' ')
		return -1;
	if (state != NULL)
		*state = rp[2];
	for (i = 2; i < 22 && rp != NULL; i++) {
		rp = strchr(rp + 1, ' ');
		if (rp != NULL && i == 3 && ppid != NULL)
			*ppid = strtol(rp + 1, NULL, 10);
		if (rp != NULL && i == 4 && pgid != NULL)
			*pgid = strtol(rp + 1, NULL, 10);
	}
	if (start != NULL)
		*start = rp != NULL ? strtoull(rp + 1, NULL, 10) : 0;
	return 0;
}

/* proc_start - when process pid started, or 0 */
static unsigned long long
proc_start(long pid)
{
	unsigned long long t;

	return sl_proc_stat(pid, NULL, NULL, NULL, &t) == 0 ? t : 0;
}

/*
 * sl_group_alive - has process group pgid a member that is not a zombie?
 * kill(-pgid, 0) alone counts zombies, which an init that reaps late
 * (a container's) keeps for a while: a zombie runs nothing, so when the
 * group still answers, /proc is scanned for a live member.
 */
int
sl_group_alive(long pgid)
{
	struct dirent *de;
	long	g;
	char	st;
	DIR    *d;
	int	alive = 0;

	if (pgid <= 1)
		return 0;
	if (kill(-(pid_t)pgid, 0) < 0 && errno == ESRCH)
		return 0;
	if ((d = opendir("/proc")) == NULL)
		return 1;	/* cannot tell: alive */
	while (!alive && (de = readdir(d)) != NULL)
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' &&
		    sl_proc_stat(strtol(de->d_name, NULL, 10), &st, NULL, &g,
		    NULL) == 0 && g == pgid && st != 'Z' && st != 'X')
			alive = 1;
	closedir(d);
	return alive;
}

/* ---- the exit record ---- */

/*
 * sl_exit_write - the recorder's durable note of how the command of
 * attempt N ended: "attempt", "pid", "status" (the raw wait status),
 * "fenced" (seconds without a lease renewal after which the recorder
 * killed the command itself; 0: it did not), "started" (the epoch second
 * its supervisor began the attempt, as it would say it in result.ini;
 * given) and "ended" (the second, CLOCK_REALTIME, this is written: when
 * the attempt ended) for the result a first attempt's plain end leaves
 * to this record (sl_result_read), and the trailer, all through
 * dirfd (the run's directory, opened when the attempt began: a crash
 * detector may rename it).  Made new as "exit" itself, written, fsynced,
 * and the directory fsynced: a reader that sees it before it is whole
 * finds no trailer and takes it for none (sl_exit_read), as it took the
 * missing name before; a rename saved (a round trip on a network
 * filesystem, where it is the server's synchronous commit).  An "exit"
 * there already (an earlier attempt's, in a run retried; one a false
 * EEXIST says is there, our own create retransmitted) is replaced whole:
 * a private name, fsynced, renamed over it.  With an exit journal
 * (journal.c: a warm recorder's, id given) neither the file nor its
 * directory is fsynced: the record is made durable in the journal, with
 * one fdatasync, before the file is closed (the fsyncs above if that
 * fails).
 */
int
sl_exit_write(int dirfd, const char *id, long attempt, long pid, int status,
    long fenced, time_t started)
{
	struct timespec now;
	char	buf[SL_EXIT_MAX], name[64];
	const char *at = "exit";
	int	fd, len, saved, wrote, jl;

	/* the precise clock, as the supervisor's start: time(2) reads a
	 * coarser one, which could say an end before the start */
	clock_gettime(CLOCK_REALTIME, &now);
	len = sl_exit_fmt(buf, sizeof(buf), attempt, pid, status, fenced,
	    started, now.tv_sec);
	fd = openat(dirfd, at, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd < 0 && errno != EEXIST)
		return -1;
	if (fd < 0) {
		snprintf(name, sizeof(name), ".exit.%ld", (long)sl_self());
		at = name;
		/* ours (our pid): one a killed namesake left is removed */
		if ((fd = sl_create_fresh(dirfd, name, 0644)) < 0)
			return -1;
	}
	/* a failure leaves "exit" made in place where it is: a record cut
	 * short has no trailer and reads as none, and a whole one is true,
	 * only not durable (we say -1, so nobody takes it for durable).
	 * Removing it by name could remove another's: a fenced recorder,
	 * cut off, whose directory was retried meanwhile, and whose next
	 * attempt's recorder renamed its own record over ours */
	errno = 0;
	wrote = write(fd, buf, (size_t)len) == len;
	jl = wrote && id != NULL && sl_journal_put(id, buf, (size_t)len) == 0;
	if (!wrote || (!jl && fsync(fd) < 0)) {
		saved = errno != 0 ? errno : EIO;
		close(fd);
		if (at == name)
			(void)unlinkat(dirfd, name, 0);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0 || (at == name &&
	    sane_renameat(dirfd, name, dirfd, "exit") < 0)) {
		saved = errno;
		if (at == name)
			(void)unlinkat(dirfd, name, 0);
		errno = saved;
		return -1;
	}
	if (!jl)
		(void)fsync(dirfd);	/* the entry itself, durably */
	return 0;
}

/*
 * sl_exit_fmt - the text of an exit record (sl_exit_write) into buf:
 * its length.  buf of SL_EXIT_MAX holds any record whole.
 */
int
sl_exit_fmt(char *buf, size_t len, long attempt, long pid, int status,
    long fenced, time_t started, time_t ended)
{
	return snprintf(buf, len, "attempt = %ld\npid = %ld\nstatus = %d\n"
	    "fenced = %ld\nstarted = %lld\nended = %lld\n%s", attempt, pid,
	    status, fenced, (long long)started, (long long)ended,
	    SL_INI_TRAILER);
}

/* sl_exit_read - the status recorded for attempt, and its "fenced"
 * (fenced may be NULL): 0, or -1 (none, torn, another attempt's) */
int
sl_exit_read(int dirfd, long attempt, int *status, long *fenced)
{
	char	buf[512];
	ssize_t	n;
	int	fd;

	if ((fd = openat(dirfd, "exit", O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sl_exit_parse(buf, attempt, status, fenced, NULL, NULL);
}

/*
 * sl_exit_parse - the exit record text says attempt's status, "fenced",
 * and when the attempt started and ended (each of fenced, started and
 * ended may be NULL; a time the record lacks, an older recorder's, is 0):
 * 0, or -1 (torn: no trailer; another attempt's; no status)
 */
int
sl_exit_parse(const char *buf, long attempt, int *status, long *fenced,
    time_t *started, time_t *ended)
{
	size_t	tl = strlen(SL_INI_TRAILER), n = strlen(buf);
	char	v[64];
	long	a, x;

	if (n < tl || strcmp(buf + n - tl, SL_INI_TRAILER) != 0)
		return -1;
	sl_kv_get(buf, "attempt", v, sizeof(v));
	if (sl_num_parse(v, 1, LONG_MAX, &a) < 0 || a != attempt)
		return -1;
	sl_kv_get(buf, "status", v, sizeof(v));
	if (sl_num_parse(v, 0, INT_MAX, &x) < 0)
		return -1;
	*status = (int)x;
	if (fenced != NULL) {
		sl_kv_get(buf, "fenced", v, sizeof(v));
		if (sl_num_parse(v, 0, LONG_MAX, fenced) < 0)
			*fenced = 0;	/* a record without it */
	}
	if (started != NULL) {
		sl_kv_get(buf, "started", v, sizeof(v));
		*started = sl_num_parse(v, 1, LONG_MAX, &x) < 0 ? 0 : (time_t)x;
	}
	if (ended != NULL) {
		sl_kv_get(buf, "ended", v, sizeof(v));
		*ended = sl_num_parse(v, 1, LONG_MAX, &x) < 0 ? 0 : (time_t)x;
	}
	return 0;
}

/* sl_lease_write - publish the lease of a run directory (no recorder) */
int
sl_lease_write(const char *dir, time_t deadline, const char *host, long sup,
    long pid)
{
	return sl_lease_put(dir, deadline, host, sup, 0, pid);
}

/* our own start tick, as sl_fork_known's child knew it before it knew
 * its pid; a later fork's child forgets it (self_tick_forget) */
static unsigned long long self_tick;

static void
self_tick_forget(void)
{
	self_tick = 0;
}

/*
 * known_start - proc_start for the lease writer, remembered: the pids a
 * lease names are the writer itself and its children (the recorder, the
 * command), whose start times do not change while they live, and a pid
 * is not reused before its process is reaped.  A supervisor renews its
 * lease every heartbeat; three reads of /proc a renewal were most of it.
 * The memory is dropped in a forked child (me changes), and by a keeper
 * between its runs (sl_lease_forget_known): a pid of the last run's may
 * be reused by now.
 */
static long known_owner;	/* whose memory it is: its pid */

static unsigned long long
known_start(long pid, long me, unsigned long long given)
{
	static struct {
		long	pid;
		unsigned long long t;
	} m[4];
	static size_t next;
	size_t	i;

	if (pid <= 0)
		return 0;
	if (pid == me && self_tick != 0)
		return self_tick;
	if (known_owner != me) {
		memset(m, 0, sizeof(m));
		known_owner = me;
	}
	for (i = 0; i < 4; i++)
		if (m[i].pid == pid && m[i].t != 0) {
			if (given != 0)
				m[i].t = given;	/* a new process: its pid */
			return m[i].t;
		}
	m[next].pid = pid;
	m[next].t = given != 0 ? given : proc_start(pid);
	i = next;
	next = (next + 1) % 4;
	return m[i].t;
}

/* sl_lease_forget_known - drop known_start's memory (a keeper's next run) */
void
sl_lease_forget_known(void)
{
	known_owner = 0;
}

/*
 * sl_boot_ns - CLOCK_BOOTTIME in nanoseconds (the vDSO: no system call),
 * the clock the kernel stamps a process's start with at its fork
 */
long long
sl_boot_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * sl_start_tick - the start time /proc/PID/stat gives a process forked
 * between two readings of sl_boot_ns (before the fork, in the parent;
 * after, in either), in clock ticks of hz a second: the kernel stamps it
 * inside the fork (ktime_get_boottime_ns, the clock the vDSO reads for
 * us, from the same timekeeper) and /proc rounds it down to a tick.
 * Known only when both readings fall in one tick, each at least 20 us
 * clear of its edges (a margin for the two reading the clock apart: a
 * rounding, a small skew of the clocks of two CPUs); else 0: read /proc.
 * The margin was 1 ms: 72 % of forks knew their tick, and 40,000 forks
 * of a test program (two at once, 2026-12-06) found none wrong with no
 * margin at all, 89 % known; 20 us keeps the 89 %.  Pure arithmetic, for
 * a vfork child too.  A lease's start times cost no read of /proc when
 * it is known (three calls each, up to two a start, before).
 */
unsigned long long
sl_start_tick(long long before, long long after, long hz)
{
	long long tick, t, margin = 20000;

	/* the kernel's tick arithmetic is this division only when hz
	 * divides a second (USER_HZ 100 on x86 and arm; not alpha's 1024) */
	if (hz <= 0 || hz > 1000000 || 1000000000L % hz != 0 || before <= 0 ||
	    after < before)
		return 0;
	tick = 1000000000LL / hz;
	t = before / tick;
	if (after / tick != t || before - t * tick < margin ||
	    (t + 1) * tick - after < margin)
		return 0;
	return (unsigned long long)t;
}

/*
 * sl_fork_known - fork(2), and in the child its own start time known to
 * the leases it will write (sl_start_tick), when it can be, and a pool
 * of random bytes for one identifier (a start's nonce), taken from ours
 * (sl_random_endow): a getrandom(2) a start fewer, ours amortized over
 * sixteen
 */
pid_t
sl_fork_known(void)
{
	static int armed;
	unsigned char dowry[16];
	long long t0;
	long	hz = sysconf(_SC_CLK_TCK);
	pid_t	pid;
	int	endow = sl_random(dowry, sizeof(dowry)) == 0;

	if (!armed && pthread_atfork(NULL, NULL, self_tick_forget) == 0)
		armed = 1;
	t0 = sl_boot_ns();
	if ((pid = fork()) == 0) {
		if (endow)
			sl_random_endow(dowry, sizeof(dowry));
		/* not keyed by our pid, which we do not know yet: a
		 * supervisor learns it from setsid() (sl_self_is), with
		 * no getpid */
		if (armed)
			self_tick = sl_start_tick(t0, sl_boot_ns(), hz);
	}
	memset(dowry, 0, sizeof(dowry));	/* the child's alone */
	return pid;
}

/*
 * sl_lease_know - read pid's start time now, for the leases to come: a
 * supervisor reads its own and its recorder's while the recorder forks
 * the command, not after, when the command waits for the lease
 */
void
sl_lease_know(long pid)
{
	(void)known_start(pid, (long)sl_self(), 0);
}

/* sl_lease_know_start - pid started at t (clock ticks; 0: unknown, read
 * at the lease), as sl_start_tick says */
void
sl_lease_know_start(long pid, unsigned long long t)
{
	if (t != 0)
		(void)known_start(pid, (long)sl_self(), t);
}

/*
 * lease_put - publish the lease: supervisor, recorder, command.  fresh:
 * the attempt's first, where no lease is (the start removed an earlier
 * attempt's): created in place, written, closed, with no scratch name
 * and no rename, one directory change less (a network round trip, the
 * costliest kind: spool-layout.md, "Supervisor").  A reader that comes
 * before it is whole finds no trailer and reads "unknown", judged by the
 * directory's age as no lease is (two leases), and the create has just
 * made that new; no command runs before it is whole (the go comes after
 * us).  A lease already there (an older agent's, a removal that failed),
 * a write that fails, or one that took half a lease or more is replaced
 * whole, the usual way: the rename names the directory by its path, and
 * fails if crash detection took the run while we stalled (a hard mount
 * blocked, SIGSTOP), before anybody could read the lease whole; so the
 * go never follows a lease in a directory taken away.
 */
static int
lease_put(const char *dir, time_t deadline, const char *host, long sup,
    long rec, long pid, int fresh)
{
	struct sl_buf b = { 0 };
	char   *tmp, *to, name[64];
	long	me = (long)sl_self();
	int	rc;

	sl_buf_printf(&b, "deadline = %lld\n", (long long)deadline);
	sl_ini_put(&b, "host", host);
	sl_buf_printf(&b, "supervisor = %ld\npid = %ld\n", sup, pid);
	if (rec > 0)
		sl_buf_printf(&b, "recorder = %ld\n", rec);
	/* which boot, and when these pids started: a pid reused after a
	 * reboot or a wrap is not the process the lease names */
	sl_ini_put(&b, "boot", boot_id());
	sl_buf_printf(&b, "supervisor_start = %llu\npid_start = %llu\n",
	    known_start(sup, me, 0), known_start(pid, me, 0));
	if (rec > 0)
		sl_buf_printf(&b, "recorder_start = %llu\n",
		    known_start(rec, me, 0));
	sl_buf_puts(&b, SL_INI_TRAILER);
	/* the supervisor writes them (an older agent wrote the first): each
	 * writer its own scratch name */
	snprintf(name, sizeof(name), ".lease.%ld", me);
	tmp = sl_path(dir, name, (char *)NULL);
	to = sl_path(dir, "lease", (char *)NULL);
	/* not fsynced: after a power cut every process of the run is gone
	 * and its boot id says so; a lost or empty lease reads as "no
	 * lease", judged by age (spool-layout.md, "What each fsync keeps") */
	/* RACE: a fresh lease seen before its write ends reads as torn:
	 * judged as no lease, by the age of a directory made new by the
	 * create (above) */
	rc = -1;
	if (fresh) {
		long long t0 = sl_mono_ms(),
			half = (deadline - time(NULL)) * 500LL;

		/* RACE: a stall after this check is a stall after a rename:
		 * the lease is whole, names our processes, and is judged by
		 * its deadline */
		/* a failed write leaves the file, torn (removing `lease'
		 * by name could remove another's): replaced whole below */
		if ((rc = sl_write_in_place(to, b.s, b.len, 0644)) == 0 &&
		    sl_mono_ms() - t0 >= half)
			rc = -1;
	}
	if (rc < 0)
		rc = sl_publish_nosync(tmp, to, b.s, b.len);
	free(tmp);
	free(to);
	sl_buf_free(&b);
	return rc;
}

/* sl_lease_put - publish a lease over the one there (renewal) */
int
sl_lease_put(const char *dir, time_t deadline, const char *host, long sup,
    long rec, long pid)
{
	return lease_put(dir, deadline, host, sup, rec, pid, 0);
}

/* sl_lease_first - publish an attempt's first lease (lease_put, fresh) */
int
sl_lease_first(const char *dir, time_t deadline, const char *host, long sup,
    long rec, long pid)
{
	return lease_put(dir, deadline, host, sup, rec, pid, 1);
}

/* sl_lease_read - 0 read whole, 1 unknown (torn, unreadable), -1 none */
int
sl_lease_read(const char *dir, struct sl_lease *l)
{
	char   *p = sl_path(dir, "lease", (char *)NULL), *text, v[300];
	size_t	tl = strlen(SL_INI_TRAILER);
	ssize_t	n;
	long	x;
	int	rc = 1;

	memset(l, 0, sizeof(*l));
	if ((n = sl_read_file(p, &text, 4096)) < 0) {
		rc = errno == ENOENT ? -1 : 1;
		free(p);
		return rc;
	}
	free(p);
	if ((size_t)n >= tl && strcmp(text + n - tl, SL_INI_TRAILER) == 0) {
		sl_kv_get(text, "deadline", v, sizeof(v));
		if (sl_num_parse(v, 1, LONG_MAX, &x) == 0) {
			l->deadline = (time_t)x;
			sl_kv_get(text, "host", l->host, sizeof(l->host));
			sl_kv_get(text, "supervisor", v, sizeof(v));
			l->sup = strtol(v, NULL, 10);
			sl_kv_get(text, "pid", v, sizeof(v));
			l->pid = strtol(v, NULL, 10);
			sl_kv_get(text, "boot", l->boot, sizeof(l->boot));
			sl_kv_get(text, "supervisor_start", v, sizeof(v));
			l->sup_start = strtoull(v, NULL, 10);
			sl_kv_get(text, "pid_start", v, sizeof(v));
			l->pid_start = strtoull(v, NULL, 10);
			sl_kv_get(text, "recorder", v, sizeof(v));
			l->rec = strtol(v, NULL, 10);
			sl_kv_get(text, "recorder_start", v, sizeof(v));
			l->rec_start = strtoull(v, NULL, 10);
			rc = 0;
		}
	}
	free(text);
	return rc;
}

/*
 * dead - is process pid, started at start (0: unknown), gone?  A zombie
 * counts as gone: its parent (an agent, or an init that reaps late) has
 * not collected it yet, but it renews and records nothing.
 */
static int
dead(long pid, unsigned long long start, const struct sl_lease *l)
{
	unsigned long long t;
	char	st;

	if (pid <= 0)
		return 1;
	if (l->boot[0] != '\0' && boot_id()[0] != '\0' &&
	    strcmp(l->boot, boot_id()) != 0)
		return 1;	/* the host rebooted since: all of it died */
	if (kill((pid_t)pid, 0) < 0)
		return errno == ESRCH;
	if (sl_proc_stat(pid, &st, NULL, NULL, &t) < 0)
		return 0;	/* alive, as far as we can tell */
	/* a zombie renews nothing; a pid started at another time was
	 * reused */
	return st == 'Z' || (start != 0 && t != start);
}

/*
 * The helpers above, for agent.c, which judges an agent's registration as
 * this file judges a lease: this boot's id ("" if unknown), when process
 * pid started (0 if unknown), and whether process pid, started at start
 * (0: unknown) during boot, is gone.  The caller has checked that the pid
 * is of this host.
 */
const char *
sl_boot_id(void)
{
	return boot_id();
}

unsigned long long
sl_proc_start(long pid)
{
	return proc_start(pid);
}

int
sl_proc_dead(long pid, unsigned long long start, const char *boot)
{
	struct sl_lease l;

	memset(&l, 0, sizeof(l));
	snprintf(l.boot, sizeof(l.boot), "%s", boot);
	return dead(pid, start, &l);
}

/*
 * same_group - may process group l->pid be the run's?  Not after a
 * reboot, and not if a process of that pid exists that started at
 * another time (its group is someone else's: a pid in use as a group's
 * id is never given to a new process, so a leader gone with members left
 * means the group is still the run's).
 */
static int
same_group(const struct sl_lease *l)
{
	unsigned long long t;

	if (l->pid <= 1)
		return 0;
	if (l->boot[0] != '\0' && strcmp(l->boot, boot_id()) != 0)
		return 0;
	t = proc_start(l->pid);
	return t == 0 || l->pid_start == 0 || t == l->pid_start;
}

/*
 * may_signal - can this detector signal what is alive of the run on this
 * host (its supervisor, recorder, command group)?  Not if one of them is
 * another user's and we are not root: then the run is left to a detector
 * that can (root, or its owner's agent), while a process of it lives.
 */
static int
may_signal(const struct sl_lease *l)
{
	if (l->sup > 0 && !dead(l->sup, l->sup_start, l) &&
	    kill((pid_t)l->sup, 0) < 0 && errno == EPERM)
		return 0;
	if (l->rec > 0 && !dead(l->rec, l->rec_start, l) &&
	    kill((pid_t)l->rec, 0) < 0 && errno == EPERM)
		return 0;
	if (same_group(l) && kill(-(pid_t)l->pid, 0) < 0 && errno == EPERM &&
	    sl_group_alive(l->pid))
		return 0;
	return 1;
}

/* nap - sleep ms milliseconds */
static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

/* what settle found */
struct settled {
	int	found;		/* status is the command's, as recorded */
	int	status;
	int	killed;		/* we sent the command's group SIGKILL */
	int	left;		/* a process of the run outlived the bound */
	long	fenced;		/* its recorder killed it: s without renewal */
};

/*
 * settle - the run in priv (ours now) crashed on this host: see that no
 * process of its attempt is left, and find how its command ended if that
 * was recorded (see spool-layout.md, "Starting, supervising, crashing").
 *   1. a supervisor still alive (stopped, blocked: its lease ran out) gets
 *      SIGKILL;
 *   2. an `exit` record of this attempt: the command ended, that is how;
 *      a recorder still alive is sweeping its leftovers: wait for it (up
 *      to bound seconds, then SIGKILL);
 *   3. else, a live recorder: SIGKILL to the command's group, SIGUSR1 to
 *      the recorder (which kills the group it made, even one whose pid
 *      the lease does not name yet), then wait, up to bound seconds, for
 *      the recorder to record the end and exit; still alive: SIGKILL;
 *   4. SIGKILL to the group, and wait up to bound seconds until it has no
 *      live member.
 * Every pid is checked against the lease's boot id and start times.
 */
static void
settle(const char *priv, const struct sl_lease *l, long attempt, long bound,
    struct settled *o)
{
	time_t	end;
	int	dfd;

	memset(o, 0, sizeof(*o));
	if (l->sup > 0 && !dead(l->sup, l->sup_start, l))
		(void)kill((pid_t)l->sup, SIGKILL);
	dfd = sl_open(priv, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0 && sl_exit_read(dfd, attempt, &o->status,
	    &o->fenced) == 0)
		o->found = 1;
	if (!o->found && l->rec > 0 && !dead(l->rec, l->rec_start, l)) {
		if (same_group(l)) {
			(void)kill(-(pid_t)l->pid, SIGKILL);
			o->killed = 1;
		}
		(void)kill((pid_t)l->rec, SIGUSR1);
		o->killed = 1;
		end = time(NULL) + bound;
		/* RACE: the recorder may be writing `exit` as we look: a
		 * record not whole yet has no trailer and reads as none */
		while (!dead(l->rec, l->rec_start, l) && time(NULL) < end)
			nap(20);
		if (!dead(l->rec, l->rec_start, l)) {
			sl_log(SL_WARNING, "the exit recorder (pid %ld) of the "
			    "run in %s did not end within %ld s: SIGKILL", l->rec,
			    priv, bound);
			(void)kill((pid_t)l->rec, SIGKILL);
		}
		if (dfd >= 0 && sl_exit_read(dfd, attempt, &o->status,
		    &o->fenced) == 0)
			o->found = 1;
	}
	/* the command ended and its recorder lives on: it is sweeping what
	 * the command left (orphans that left the group too): let it finish,
	 * so that nothing of the attempt outlives its end */
	if (o->found && l->rec > 0 && !dead(l->rec, l->rec_start, l)) {
		end = time(NULL) + bound;
		while (!dead(l->rec, l->rec_start, l) && time(NULL) < end)
			nap(20);
		if (!dead(l->rec, l->rec_start, l))
			(void)kill((pid_t)l->rec, SIGKILL);
	}
	if (dfd >= 0)
		close(dfd);
	if (same_group(l)) {
		/* RACE: the group's id cannot be given to a new process while
		 * the group has members, and same_group() checked that its
		 * leader, if any, is the run's */
		if (sl_group_alive(l->pid)) {
			(void)kill(-(pid_t)l->pid, SIGKILL);
			o->killed = 1;
		}
		end = time(NULL) + bound;
		while (sl_group_alive(l->pid) && time(NULL) < end)
			nap(20);
		if (sl_group_alive(l->pid)) {
			o->left = 1;
			sl_log(SL_WARNING, "process group %ld of the run in %s "
			    "still has live processes %ld s after SIGKILL (stuck "
			    "in the kernel?): the run is not retried", l->pid,
			    priv, bound);
		}
	}
}

/*
 * end_crashed - the run in priv (ours) crashed: settle its processes if
 * they were on this host (l, NULL: unknown), then end it with its
 * command's recorded status if there is one, else Crashed; retry it
 * while it has retries left, unless a process of it is still alive.
 */
static int
end_crashed(const struct sl_spool *sp, const char *pool, const char *priv,
    const char *token, const char *why, const struct sl_lease *l,
    long bound)
{
	struct sl_runspec r;
	struct settled o;
	char	id[SL_UUID_LEN + 1], *p, *text, v[64], t[40], m[SL_ERR_MAX];
	char	msg[SL_ERR_MAX + 400], full[SL_ERR_MAX + 200];
	enum sl_state st = SL_CRASHED;
	time_t	started = 0, when;
	long	attempt = 0;
	int	rc = -1, code = -1, parsed = 0, dfd;

	sl_token_parse(token, NULL, id);
	p = sl_path(priv, "start.ini", (char *)NULL);
	if (sl_read_file(p, &text, 4096) >= 0) {
		sl_kv_get(text, "started", v, sizeof(v));
		(void)sl_time_parse(v, 0, &started);
		sl_kv_get(text, "attempt", v, sizeof(v));
		(void)sl_num_parse(v, 1, LONG_MAX, &attempt);
		free(text);
	}
	free(p);
	memset(&r, 0, sizeof(r));
	{
		char	e[SL_ERR_MAX];

		parsed = sl_runini_load(priv, 0, &r, NULL, e, sizeof(e)) == 0;
		if (parsed)
			attempt = r.attempt;
	}
	memset(&o, 0, sizeof(o));
	if (l != NULL)
		settle(priv, l, attempt, bound, &o);
	else if ((dfd = sl_open(priv, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) >= 0) {
		/* another host's run: its recorder may have written how the
		 * command ended before the host went */
		o.found = sl_exit_read(dfd, attempt, &o.status,
		    &o.fenced) == 0;
		close(dfd);
	}
	/* no whole record where the run is: a power cut may have lost an
	 * `exit` its warm recorder made durable in its exit journal.  Not
	 * if the run was of this host and this boot: no power was lost
	 * since, and an `exit` written is still there */
	if (!o.found && (l == NULL || l->boot[0] == '\0' ||
	    boot_id()[0] == '\0' || strcmp(l->boot, boot_id()) != 0) &&
	    sl_journal_find(sp, pool, id, attempt, &o.status,
	    &o.fenced) == 0)
		o.found = 1;
	snprintf(full, sizeof(full), "%s", why);
	if (o.found) {
		st = sl_status_state(o.status, &code, m, sizeof(m));
		if (o.fenced > 0) {
			/* the recorder fenced it: no end of its own */
			st = SL_CRASHED;
			code = -1;
			snprintf(full, sizeof(full), "%s; its exit recorder had "
			    "killed its command after %ld s without a lease "
			    "renewal", why, o.fenced);
		} else if (o.killed && WIFSIGNALED(o.status) &&
		    WTERMSIG(o.status) == SIGKILL) {
			st = SL_CRASHED;
			code = -1;
			snprintf(full, sizeof(full), "%s; its command was killed",
			    why);
		} else
			snprintf(full, sizeof(full), "%s after its command "
			    "ended (%s)", why, st == SL_COMPLETED ? "exit code 0" :
			    m);
	}
	if (o.left)
		snprintf(full + strlen(full), sizeof(full) - strlen(full), "; "
		    "processes of its command were still alive %ld s after "
		    "SIGKILL, so it is not retried", bound);
	if (parsed && !o.left && (st == SL_FAILED || st == SL_CRASHED) &&
	    r.attempt <= r.retries) {
		when = time(NULL) + r.retry_delay;
		snprintf(msg, sizeof(msg), "Attempt %ld of %ld %s: %s; "
		    "retrying at %s", r.attempt, r.retries + 1,
		    st == SL_CRASHED ? "crashed" : "failed", full,
		    sl_time_fmt(when, t, sizeof(t)));
		rc = sl_run_requeue(sp, pool, priv, token, &r, when, code, msg);
		if (rc == 0)
			sl_log(SL_WARNING, "Flow run '%s' %s (%s); "
			    "AwaitingRetry", id, st == SL_CRASHED ? "crashed" :
			    "failed", full);
		sl_runspec_free(&r);
		return rc;
	}
	if (parsed)
		sl_runspec_free(&r);
	if (st == SL_CRASHED)
		snprintf(msg, sizeof(msg), "Crashed: %s", full);
	else
		snprintf(msg, sizeof(msg), "%s: %s",
		    sl_state_names[st], full);
	rc = sl_run_finish(sp, pool, priv, id, st, code, started, msg);
	if (rc == 0)
		sl_log(SL_WARNING, "Flow run '%s' %s: %s", id, st == SL_CRASHED ?
		    "crashed" : "ended", full);
	return rc;
}

/*
 * untouched - has run directory dir not changed for two leases?  (No
 * lease, or no whole one: see the top of this file.)  A directory that
 * cannot be looked at is not judged: it ended, or was taken.
 */
static int
untouched(const char *dir, time_t now, long lease)
{
	struct stat st;

	if (sl_lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return now > st.st_mtime + 2 * lease;
}

/* take - rename dir to a fresh crash name; the new name, or NULL */
static char *
take(const char *rd, const char *dir, time_t now, const char *token)
{
	char   *priv = sl_flight_name(rd, "crash", now, token);

	if (priv != NULL && sane_rename(dir, priv) < 0) {
		/* RACE: the run ended, or another detector took it */
		free(priv);
		return NULL;
	}
	return priv;
}

/*
 * sl_recover_running - end the Running runs of pool whose supervisor or
 * host died (see the top of this file).  Returns how many were ended.
 */
long
sl_recover_running(const struct sl_spool *sp, const char *pool, time_t now,
    long lease)
{
	struct dirent *de;
	struct sl_lease l, pl;
	char   *rd, *dir, *priv, why[600], t[40], tok[SL_RUNNAME_MAX];
	const char *ft;
	long	fixed = 0;
	time_t	born;
	DIR    *d;
	int	rc, local;

	rd = sl_place(sp, SL_PL_RUNNING, pool, NULL, (char *)NULL);
	if ((d = sl_opendir(rd)) == NULL) {
		free(rd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		dir = sl_path(rd, de->d_name, (char *)NULL);
		priv = NULL;
		if (sl_token_parse(de->d_name, NULL, NULL) == 0) {
			rc = sl_lease_read(dir, &l);
			local = rc == 0 && strcmp(l.host, sl_host()) == 0;
			why[0] = '\0';
			if (rc != 0 && untouched(dir, now, lease))
				snprintf(why, sizeof(why), "it has %s lease, and "
				    "nothing renewed it for %ld s", rc < 0 ?
				    "no" : "an unreadable", 2 * lease);
			else if (rc == 0 && local && l.sup > 0 &&
			    dead(l.sup, l.sup_start, &l))
				snprintf(why, sizeof(why), "its supervisor (pid "
				    "%ld on %s) died", l.sup, l.host);
			else if (rc == 0 && local && l.sup > 0 &&
			    now > l.deadline + lease)
				/* alive, but stopped or blocked: judged by
				 * its lease as on any other host */
				snprintf(why, sizeof(why), "its supervisor (pid "
				    "%ld on %s) stopped renewing its lease (due "
				    "%s) and was killed", l.sup, l.host,
				    sl_time_fmt(l.deadline, t, sizeof(t)));
			else if (rc == 0 && !local && now > l.deadline + lease)
				snprintf(why, sizeof(why), "host %s stopped "
				    "renewing its lease (due %s)", l.host,
				    sl_time_fmt(l.deadline, t, sizeof(t)));
			else if (rc == 0 && local && l.sup <= 0 &&
			    now > l.deadline + lease)
				snprintf(why, sizeof(why), "it never got a "
				    "supervisor (agent on %s died starting it)",
				    l.host);
			/* what is left of the run on this host dies with
			 * it, before it is retried or ended (settle) */
			if (why[0] != '\0' && local && !may_signal(&l))
				why[0] = '\0';	/* another user's: not ours to end */
			if (why[0] != '\0' &&
			    (priv = take(rd, dir, now, de->d_name)) != NULL &&
			    end_crashed(sp, pool, priv, de->d_name, why,
			    local ? &l : NULL, lease) == 0)
				fixed++;
		} else if ((ft = sl_flight_parse(de->d_name, "crash",
		    &born)) != NULL) {
			/* a detector died while ending this run: its lease
			 * came along, so this host's leftovers are found */
			snprintf(tok, sizeof(tok), "%s", ft);
			if (now - born > SL_STALE_LEASES * lease &&
			    (priv = take(rd, dir, now, tok)) != NULL) {
				rc = sl_lease_read(priv, &pl);
				local = rc == 0 && strcmp(pl.host, sl_host()) == 0;
				if (end_crashed(sp, pool, priv, tok, "its supervisor "
				    "died, and so did the process ending it",
				    local ? &pl : NULL, lease) == 0)
					fixed++;
			}
		}
		free(priv);
		free(dir);
	}
	closedir(d);
	free(rd);
	return fixed;
}
