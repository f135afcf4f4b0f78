/*
 * lease.c - a running run's lease, and crash detection.
 *
 *	running/TOKEN/lease	deadline = EPOCH, host, supervisor pid, pid
 *
 * The supervisor of a Running run replaces its lease every heartbeat with
 * a deadline lease seconds ahead, on its own clock.  The lease is read on
 * other hosts, where a replaced file can read torn (sshfs) or stale (up to
 * an attribute-cache period), so it ends with the trailer line and a
 * reader that does not find it calls the lease unknown: alive.
 *
 * A run is crashed when:
 *   - its lease names this host and its supervisor's pid is not alive
 *     (kill(pid, 0) fails with ESRCH, or it is a zombie): at once; or
 *   - now is past its deadline by more than another lease (a lease read
 *     from another host may be stale by a cache period, and clocks are
 *     skewed: the second lease is the margin for both); or
 *   - it has no lease at all (the agent writes one before the run enters
 *     running/, so none means a hand-made or broken directory).
 * A supervisor on this host that is alive but not renewing (stopped with
 * SIGSTOP, blocked on a dead mount) is left alone: it may still finish.
 *
 * Ending a crashed run, by any number of detectors at once: rename
 * running/TOKEN to running/.crash.E.U.TOKEN (a name only this detector
 * makes, so exactly one detector goes on), kill what is left of the run's
 * process group if it was on this host, then re-queue it (retries left)
 * or end it Crashed.  A detector that dies in between leaves the dotted
 * name; after 10 leases (by E) any detector takes it over.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
 * proc_stat - process pid's state letter and start time (clock ticks
 * since boot), from /proc/PID/stat: 0, or -1 if it cannot be read.
 */
static int
proc_stat(long pid, char *state, unsigned long long *start)
{
	char	p[64], buf[1024], *rp;
	ssize_t	n;
	int	fd, i;

	if (pid <= 0)
		return -1;
	snprintf(p, sizeof(p), "/proc/%ld/stat", pid);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) S ...": fields counted after the last ')', which
	 * comm may contain; state is field 3, starttime field 22 */
	if ((rp = strrchr(buf, ')')) == NULL || rp[1] != ' ')
		return -1;
	*state = rp[2];
	for (i = 2; i < 22 && rp != NULL; i++)
		rp = strchr(rp + 1, ' ');
	*start = rp != NULL ? strtoull(rp + 1, NULL, 10) : 0;
	return 0;
}

/* proc_start - when process pid started, or 0 */
static unsigned long long
proc_start(long pid)
{
	unsigned long long t;
	char	st;

	return proc_stat(pid, &st, &t) == 0 ? t : 0;
}

/* sl_lease_write - publish the lease of a run directory */
int
sl_lease_write(const char *dir, time_t deadline, const char *host, long sup,
    long pid)
{
	struct sl_buf b = { 0 };
	char   *tmp, *to, name[64];
	int	rc;

	sl_buf_printf(&b, "deadline = %lld\n", (long long)deadline);
	sl_ini_put(&b, "host", host);
	sl_buf_printf(&b, "supervisor = %ld\npid = %ld\n", sup, pid);
	/* which boot, and when these pids started: a pid reused after a
	 * reboot or a wrap is not the process the lease names */
	sl_ini_put(&b, "boot", boot_id());
	sl_buf_printf(&b, "supervisor_start = %llu\npid_start = %llu\n",
	    proc_start(sup), proc_start(pid));
	sl_buf_puts(&b, SL_INI_TRAILER);
	/* the agent writes the first lease, the supervisor the rest: each
	 * its own scratch name */
	snprintf(name, sizeof(name), ".lease.%ld", (long)getpid());
	tmp = sl_path(dir, name, (char *)NULL);
	to = sl_path(dir, "lease", (char *)NULL);
	unlink(tmp);
	rc = sl_publish_rename(tmp, to, b.s, b.len);
	free(tmp);
	free(to);
	sl_buf_free(&b);
	return rc;
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
			rc = 0;
		}
	}
	free(text);
	return rc;
}

/*
 * dead - is process pid gone?  A zombie counts as gone: its parent (an
 * agent, or an init that reaps late) has not collected it yet, but it
 * renews nothing.
 */
static int
dead(long pid, const struct sl_lease *l)
{
	unsigned long long t;
	char	st;

	if (l->boot[0] != '\0' && boot_id()[0] != '\0' &&
	    strcmp(l->boot, boot_id()) != 0)
		return 1;	/* the host rebooted since: all of it died */
	if (kill((pid_t)pid, 0) < 0)
		return errno == ESRCH;
	if (proc_stat(pid, &st, &t) < 0)
		return 0;	/* alive, as far as we can tell */
	/* a zombie renews nothing; a pid started at another time was
	 * reused */
	return st == 'Z' || (l->sup_start != 0 && t != l->sup_start);
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
	l.sup_start = start;
	return dead(pid, &l);
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

	if (l->boot[0] != '\0' && strcmp(l->boot, boot_id()) != 0)
		return 0;
	t = proc_start(l->pid);
	return t == 0 || l->pid_start == 0 || t == l->pid_start;
}

/* end_crashed - the run in priv (ours) crashed: retry it or end it */
static int
end_crashed(const struct sl_spool *sp, const char *pool, const char *priv,
    const char *token, const char *why)
{
	struct sl_runspec r;
	char	id[SL_UUID_LEN + 1], *p, *text, v[64], t[40];
	char	msg[SL_ERR_MAX + 200];
	time_t	started = 0, when;
	ssize_t	n;
	int	rc = -1;

	sl_token_parse(token, NULL, id);
	p = sl_path(priv, "start.ini", (char *)NULL);
	if (sl_read_file(p, &text, 4096) >= 0) {
		sl_kv_get(text, "started", v, sizeof(v));
		(void)sl_time_parse(v, 0, &started);
		free(text);
	}
	free(p);
	memset(&r, 0, sizeof(r));
	p = sl_path(priv, "run.ini", (char *)NULL);
	n = sl_read_file(p, &text, 2 * SL_INI_MAX);
	free(p);
	if (n >= 0) {
		char	e[SL_ERR_MAX];

		if (sl_runspec_parse(text, (size_t)n, 0, 1, &r, e, sizeof(e)) == 0 &&
		    r.attempt <= r.retries) {
			when = time(NULL) + r.retry_delay;
			snprintf(msg, sizeof(msg), "Attempt %ld of %ld crashed: %s; "
			    "retrying at %s", r.attempt, r.retries + 1, why,
			    sl_time_fmt(when, t, sizeof(t)));
			rc = sl_run_requeue(sp, pool, priv, token, &r, when, -1,
			    msg);
			if (rc == 0)
				sl_log(SL_WARNING, "Flow run '%s' crashed (%s); "
				    "AwaitingRetry", id, why);
			sl_runspec_free(&r);
			free(text);
			return rc;
		}
		sl_runspec_free(&r);
		free(text);
	}
	snprintf(msg, sizeof(msg), "Crashed: %s", why);
	rc = sl_run_finish(sp, pool, priv, id, SL_CRASHED, -1, started, msg);
	if (rc == 0)
		sl_log(SL_WARNING, "Flow run '%s' crashed: %s", id, why);
	return rc;
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
	struct sl_lease l;
	char   *rd, *dir, *priv, why[600], t[40], tok[128];
	const char *ft;
	long	fixed = 0;
	time_t	born;
	DIR    *d;
	int	rc, local;

	rd = sl_path(sp->root, "pools", pool, "running", (char *)NULL);
	if ((d = opendir(rd)) == NULL) {
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
			if (rc < 0)
				snprintf(why, sizeof(why), "it has no lease");
			else if (rc == 0 && local && l.sup > 0 && dead(l.sup, &l))
				snprintf(why, sizeof(why), "its supervisor (pid "
				    "%ld on %s) died", l.sup, l.host);
			else if (rc == 0 && !local && now > l.deadline + lease)
				snprintf(why, sizeof(why), "host %s stopped "
				    "renewing its lease (due %s)", l.host,
				    sl_time_fmt(l.deadline, t, sizeof(t)));
			else if (rc == 0 && local && l.sup <= 0 &&
			    now > l.deadline + lease)
				snprintf(why, sizeof(why), "it never got a "
				    "supervisor (agent on %s died starting it)",
				    l.host);
			if (why[0] != '\0' &&
			    (priv = take(rd, dir, now, de->d_name)) != NULL) {
				/* what is left of the run on this host dies
				 * with it: a retry must not run beside it */
				if (local && l.pid > 1 && same_group(&l))
					(void)kill(-(pid_t)l.pid, SIGKILL);
				if (end_crashed(sp, pool, priv, de->d_name, why) == 0)
					fixed++;
			}
		} else if ((ft = sl_flight_parse(de->d_name, "crash",
		    &born)) != NULL) {
			/* a detector died while ending this run */
			snprintf(tok, sizeof(tok), "%s", ft);
			if (now - born > 10 * lease &&
			    (priv = take(rd, dir, now, tok)) != NULL &&
			    end_crashed(sp, pool, priv, tok, "its supervisor "
			    "died, and so did the process ending it") == 0)
				fixed++;
		}
		free(priv);
		free(dir);
	}
	closedir(d);
	free(rd);
	return fixed;
}
