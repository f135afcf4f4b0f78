/*
 * agent.c - agents in the spool: registration, heartbeat, liveness, and
 * the removal of what dead agents leave.
 *
 *	pools/P/agents/ID/agent.ini	who the agent is and what it serves
 *	pools/P/agents/ID/heartbeat	the epoch second of its last beat
 *	pools/P/agents/.new.E.ID/	a registration being made (private)
 *	pools/P/agents/.gone.E.ID/	a registration being removed (private)
 *
 * agent.ini is written once, when the agent starts, under a private name
 * (E, the epoch second in hex, gives its age by name) and renamed into a
 * directory nobody else writes.  The heartbeat is replaced at every beat;
 * a reader on another host may read it torn (sshfs, NFS without
 * close-to-open), so it ends with a newline and a reader that does not
 * find one, or a number, calls the beat unknown, which counts as alive:
 * taking a live agent for dead would hand its runs to another, taking a
 * dead one for alive only delays until the next look.  Liveness is decided
 * from the beat's content (the agent's clock), never from an mtime (the
 * file server's clock), with a window (heartbeat x missed_heartbeats) far
 * above any sane skew.
 *
 * On its own host an agent's death is known at once: agent.ini names its
 * host, pid, the pid's start time, the boot id and the pid namespace, and
 * a reader on the same host, boot and namespace asks the kernel (lease.c's
 * helpers, as for a supervisor's lease): no such process, a zombie, or a
 * process started at another time is a dead agent.  A pid of another host
 * is never judged; there the heartbeat window decides.
 *
 * What dead agents leave is removed by recovery (sl_agents_sweep), so a
 * pass reads about as many registrations as there are live agents: an
 * agent dead on this host as soon as its Pending runs are back, one gone
 * elsewhere once its last beat is SL_STALE_LEASES leases older than the
 * window, and private names once that many leases old.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

/* sl_host - this host's name, as leases and claims record it */
const char *
sl_host(void)
{
	static char h[256];

	if (h[0] == '\0' && (gethostname(h, sizeof(h) - 1) < 0 || h[0] == '\0'))
		snprintf(h, sizeof(h), "unknown");
	return h;
}

/*
 * sl_self - this process's id.  getpid() once a process: a fork forgets
 * it (pthread_atfork), so a child asks again.  A lease, a log line and an
 * exit record each name us, and glibc asks the kernel every time.  Never
 * called in a vfork child, which would be told its parent's id.
 */
static pid_t self_pid;
static int self_armed;
static int self_leads;		/* sl_lead_session was done */

static void
self_forget(void)
{
	self_pid = 0;
	self_leads = 0;
}

/* self_arm - is the cache told of forks (self_forget)?  Asked once */
static int
self_arm(void)
{
	if (!self_armed && pthread_atfork(NULL, NULL, self_forget) == 0)
		self_armed = 1;
	return self_armed;
}

pid_t
sl_self(void)
{
	if (!self_arm())
		return getpid();	/* not told of forks: no cache */
	if (self_pid == 0)
		self_pid = getpid();
	return self_pid;
}

/*
 * sl_self_is - we are pid, as a call that returns it just said (setsid:
 * a session's leader's id is its pid): a supervisor asks no getpid
 */
void
sl_self_is(pid_t pid)
{
	if (pid > 0 && self_arm())
		self_pid = pid;
}

/*
 * sl_lead_session - setsid(2), once a process (a fork forgets it): a
 * starter leaves its agent's session as soon as it is forked, and the
 * supervisor it becomes does not ask again.  The id setsid returns is
 * ours: no getpid.  A process that is already a group's leader (setsid
 * fails) keeps its session.
 */
void
sl_lead_session(void)
{
	if (self_leads)
		return;
	sl_self_is(setsid());
	self_leads = self_armed;
}

/* pid_ns - this process's pid namespace ("pid:[N]"), or "" */
static const char *
pid_ns(void)
{
	static char ns[64];
	ssize_t	n;

	if (ns[0] == '\0' && (n = readlink("/proc/self/ns/pid", ns,
	    sizeof(ns) - 1)) > 0)
		ns[n] = '\0';
	return ns;
}

static char *
agent_dir(const struct sl_spool *sp, const char *pool, const char *id)
{
	return sl_place(sp, SL_PL_AGENTS, pool, NULL, id, (char *)NULL);
}

/* publish - text as the agent's file name, by rename, not fsynced */
static int
publish(const struct sl_spool *sp, const struct sl_agent *a,
    const char *name, const char *text)
{
	char   *d = agent_dir(sp, a->pool, a->id), *tmp, *to, tn[64];
	int	rc;

	snprintf(tn, sizeof(tn), ".%s.tmp", name);
	tmp = sl_path(d, tn, (char *)NULL);
	to = sl_path(d, name, (char *)NULL);
	rc = sl_publish_nosync(tmp, to, text, strlen(text));
	free(tmp);
	free(to);
	free(d);
	return rc;
}

/*
 * sl_agent_beat - publish "now" as the agent's last beat; every heartbeat
 * seconds, so never fsynced: a beat lost to a power cut is an agent that
 * died with it
 */
int
sl_agent_beat(const struct sl_spool *sp, const struct sl_agent *a, time_t now)
{
	char	text[32];

	snprintf(text, sizeof(text), "%lld\n", (long long)now);
	return publish(sp, a, "heartbeat", text);
}

/*
 * sl_agent_counters - publish how many runs the agent has claimed for
 * itself and started since it started (agents/ID/counters, "claims N\n
 * starts M\n"), for sluice metrics' counters.  Its own file, not the
 * heartbeat's: older readers take a heartbeat of anything but one number
 * for an unknown beat.  Written at a beat when they changed, never
 * fsynced (a count lost to a power cut is a counter reset, which a
 * scraper expects of a restarted process).
 */
int
sl_agent_counters(const struct sl_spool *sp, const struct sl_agent *a,
    unsigned long long claims, unsigned long long starts)
{
	char	text[64];

	snprintf(text, sizeof(text), "claims %llu\nstarts %llu\n", claims,
	    starts);
	return publish(sp, a, "counters", text);
}

/*
 * sl_agent_counters_read - what sl_agent_counters last published for a
 * registered agent: 0, or -1 when there is none or it cannot be read
 * (an agent too old to write it, or that has not beaten since a change)
 */
int
sl_agent_counters_read(const struct sl_spool *sp, const struct sl_agent *a,
    unsigned long long *claims, unsigned long long *starts)
{
	char   *d = agent_dir(sp, a->pool, a->id), *p, *text;
	ssize_t	n;
	int	rc = -1, used = 0;

	p = sl_path(d, "counters", (char *)NULL);
	if ((n = sl_read_file(p, &text, 128)) >= 0) {
		/* RACE: none; replaced by rename, read whole or not at all */
		if (n > 0 && text[0] == 'c' && text[n - 1] == '\n' &&
		    sscanf(text, "claims %llu\n"
		    "starts %llu\n%n", claims, starts, &used) == 2 &&
		    used == n && strchr(text, '-') == NULL)
			rc = 0;
		free(text);
	}
	free(p);
	free(d);
	return rc;
}

/* sl_agent_register - make the agent known to its pool */
int
sl_agent_register(const struct sl_spool *sp, const struct sl_agent *a,
    char *err, size_t errlen)
{
	struct sl_buf b = { 0 };
	char	t[40], *d, *ad, *priv, name[64];
	size_t	i;
	int	rc = -1;

	sl_buf_puts(&b, "[agent]\n");
	sl_ini_put(&b, "id", a->id);
	sl_ini_put(&b, "name", a->name);
	sl_ini_put(&b, "host", a->host[0] ? a->host : "unknown");
	sl_buf_printf(&b, "pid = %ld\n", a->pid);
	/* what tells, on this host, that the agent died: see the top */
	sl_buf_printf(&b, "pid_start = %llu\n", sl_proc_start(a->pid));
	sl_ini_put(&b, "boot", sl_boot_id());
	sl_ini_put(&b, "pidns", pid_ns());
	sl_ini_put(&b, "pool", a->pool);
	sl_buf_puts(&b, "queues = ");
	for (i = 0; i < a->nqueues; i++)
		sl_buf_printf(&b, "%s%s", i ? "," : "", a->queues[i]);
	sl_buf_puts(&b, "\n");
	sl_ini_put(&b, "match", a->match ? a->match : "none");
	if (a->limit == SL_NOLIMIT)
		sl_buf_puts(&b, "limit = none\n");
	else
		sl_buf_printf(&b, "limit = %ld\n", a->limit);
	sl_buf_printf(&b, "prefetch = %ld\n", a->prefetch);
	sl_ini_put(&b, "started", sl_time_fmt(a->started, t, sizeof(t)));
	sl_buf_puts(&b, SL_INI_TRAILER);

	ad = sl_place(sp, SL_PL_AGENTS, a->pool, NULL, (char *)NULL);
	snprintf(name, sizeof(name), ".new.%016llx.%s",
	    (unsigned long long)time(NULL), a->id);
	priv = sl_path(ad, name, (char *)NULL);
	d = agent_dir(sp, a->pool, a->id);
	if (sl_mkdirs(priv, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", priv, strerror(errno));
		goto out;
	}
	{
		char   *tmp = sl_path(priv, ".agent.tmp", (char *)NULL);
		char   *to = sl_path(priv, "agent.ini", (char *)NULL);
		char	beat[32];
		char   *htmp = sl_path(priv, ".heartbeat.tmp", (char *)NULL);
		char   *hb = sl_path(priv, "heartbeat", (char *)NULL);

		/* now, not a->started: an agent registering again (its
		 * registration was swept) must not look long dead */
		snprintf(beat, sizeof(beat), "%lld\n", (long long)time(NULL));
		rc = sl_publish_rename(tmp, to, b.s, b.len);
		if (rc == 0)
			rc = sl_publish_rename(htmp, hb, beat, strlen(beat));
		free(tmp);
		free(to);
		free(htmp);
		free(hb);
	}
	if (rc == 0 && (rc = sane_rename(priv, d)) < 0)
		snprintf(err, errlen, "cannot register agent in %s: %s", d,
		    strerror(errno));
	else if (rc == 0) {
		/* its pending/, where its claims go, made now (see
		 * sl_rename_into); a claim makes it too if it is missing */
		char   *pd = sl_place(sp, SL_PL_PENDING, a->pool, NULL, a->id,
		    (char *)NULL);

		if (sl_mkdirs(pd, 0755) < 0)
			sl_warn("cannot create %s: %s", pd, strerror(errno));
		free(pd);
	}
	else if (rc < 0)
		snprintf(err, errlen, "cannot write the registration in %s: %s",
		    priv, strerror(errno));
	if (rc < 0)
		(void)sl_rmtree(priv);
out:
	free(priv);
	free(ad);
	free(d);
	sl_buf_free(&b);
	return rc;
}

/*
 * discard - make registration dir vanish at once (rename to a private
 * .gone.E.ID in agents/), then remove it.  0 also if it was already gone.
 */
static int
discard(const char *ad, const char *d, const char *id)
{
	char	name[80], *to;
	int	rc;

	snprintf(name, sizeof(name), ".gone.%016llx.%s",
	    (unsigned long long)time(NULL), id);
	to = sl_path(ad, name, (char *)NULL);
	if (sane_rename(d, to) < 0) {
		/* RACE: the agent deregistered, or another sweeper took it */
		rc = errno == ENOENT ? 0 : -1;
		free(to);
		return rc;
	}
	rc = sl_rmtree(to);	/* a crash here leaves .gone.: swept later */
	free(to);
	return rc;
}

/* sl_agent_deregister - the agent is gone: remove its registration */
int
sl_agent_deregister(const struct sl_spool *sp, const struct sl_agent *a)
{
	char   *d = agent_dir(sp, a->pool, a->id), *ad;
	int	rc;

	ad = sl_place(sp, SL_PL_AGENTS, a->pool, NULL, (char *)NULL);
	rc = discard(ad, d, a->id);
	free(ad);
	free(d);
	return rc;
}

/* read_beat - the last beat; 0 unknown (torn, unreadable), -1 missing */
static time_t
read_beat(const char *dir)
{
	char   *p = sl_path(dir, "heartbeat", (char *)NULL), *text;
	long	v = 0;
	ssize_t	n;

	if ((n = sl_read_file(p, &text, 64)) < 0 && errno == ENOENT)
		v = -1;
	else if (n >= 0) {
		if (n > 0 && text[n - 1] == '\n') {
			text[n - 1] = '\0';
			if (sl_num_parse(text, 1, LONG_MAX, &v) < 0)
				v = 0;
		}
		free(text);
	}
	free(p);
	return (time_t)v;
}

static void
split_queues(struct sl_agent *a, const char *list)
{
	char   *copy = sl_xstrdup(list), *tok, *save;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (sl_name_ok(tok)) {
			a->queues = sl_xrealloc(a->queues,
			    (a->nqueues + 1) * sizeof(char *));
			a->queues[a->nqueues++] = sl_xstrdup(tok);
		}
	free(copy);
}

/* sl_agents_load - every registered agent of the pool */
int
sl_agents_load(const struct sl_spool *sp, const char *pool,
    struct sl_agent **out, size_t *n)
{
	struct dirent *de;
	struct sl_ini *ini;
	struct sl_agent *v = NULL, *a;
	char   *ad, *d, *p, why[SL_ERR_MAX];
	const char *s;
	size_t	k = 0;
	long	x;
	DIR    *dir;

	*out = NULL;
	*n = 0;
	ad = sl_place(sp, SL_PL_AGENTS, pool, NULL, (char *)NULL);
	if ((dir = sl_opendir(ad)) == NULL) {
		free(ad);
		return errno == ENOENT ? 0 : -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (!sl_uuid_ok(de->d_name))
			continue;
		d = sl_path(ad, de->d_name, (char *)NULL);
		p = sl_path(d, "agent.ini", (char *)NULL);
		v = sl_xrealloc(v, (k + 1) * sizeof(*v));
		a = &v[k];
		memset(a, 0, sizeof(*a));
		memcpy(a->id, de->d_name, SL_UUID_LEN + 1);	/* sl_uuid_ok: 36 */
		snprintf(a->pool, sizeof(a->pool), "%s", pool);
		a->limit = SL_NOLIMIT;
		a->prefetch = 10;
		a->beat = read_beat(d);
		if ((ini = sl_ini_load(p, 1, why, sizeof(why))) != NULL) {
			if ((s = sl_ini_get(ini, "agent", "name")) != NULL)
				snprintf(a->name, sizeof(a->name), "%s", s);
			if ((s = sl_ini_get(ini, "agent", "host")) != NULL)
				snprintf(a->host, sizeof(a->host), "%s", s);
			if ((s = sl_ini_get(ini, "agent", "pid")) != NULL &&
			    sl_num_parse(s, 0, LONG_MAX, &x) == 0)
				a->pid = x;
			if ((s = sl_ini_get(ini, "agent", "queues")) != NULL)
				split_queues(a, s);
			if ((s = sl_ini_get(ini, "agent", "match")) != NULL &&
			    strcmp(s, "none") != 0)
				a->match = sl_xstrdup(s);
			if ((s = sl_ini_get(ini, "agent", "limit")) != NULL &&
			    sl_num_parse(s, 0, LONG_MAX, &x) == 0)
				a->limit = x;
			if ((s = sl_ini_get(ini, "agent", "prefetch")) != NULL &&
			    sl_num_parse(s, 0, LONG_MAX, &x) == 0)
				a->prefetch = x;
			if ((s = sl_ini_get(ini, "agent", "started")) != NULL)
				(void)sl_time_parse(s, 0, &a->started);
			if ((s = sl_ini_get(ini, "agent", "pid_start")) != NULL)
				a->pid_start = strtoull(s, NULL, 10);
			if ((s = sl_ini_get(ini, "agent", "boot")) != NULL)
				snprintf(a->boot, sizeof(a->boot), "%s", s);
			if ((s = sl_ini_get(ini, "agent", "pidns")) != NULL)
				snprintf(a->pidns, sizeof(a->pidns), "%s", s);
			sl_ini_free(ini);
			a->registered = 1;
			a->dead = sl_agent_dead_here(a);
		}
		/* RACE: a registration being removed or not yet complete has
		 * no agent.ini; it is listed unregistered and serves nothing */
		k++;
		free(p);
		free(d);
	}
	closedir(dir);
	free(ad);
	*out = v;
	*n = k;
	return 0;
}

void
sl_agent_free(struct sl_agent *a)
{
	size_t	i;

	for (i = 0; i < a->nqueues; i++)
		free(a->queues[i]);
	free(a->queues);
	free(a->match);
	a->queues = NULL;
	a->nqueues = 0;
	a->match = NULL;
}

void
sl_agents_free(struct sl_agent *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		sl_agent_free(&v[i]);
	free(v);
}

/*
 * sl_agent_dead_here - is the agent's process known dead, here?  Only a
 * registration made on this host, in this boot and pid namespace names a
 * pid we may ask the kernel about; its start time tells a reused pid.
 * Anything else (another host, an old registration without these fields,
 * a pid we may not signal) is not judged: 0.
 */
int
sl_agent_dead_here(const struct sl_agent *a)
{
	if (!a->registered || a->pid <= 1 || a->boot[0] == '\0' ||
	    a->pidns[0] == '\0' || strcmp(a->host, sl_host()) != 0 ||
	    strcmp(a->boot, sl_boot_id()) != 0 || strcmp(a->pidns, pid_ns()) != 0)
		return 0;
	return sl_proc_dead(a->pid, a->pid_start, a->boot);
}

/*
 * sl_agent_online - may the agent be counted on?  Not if it is dead on
 * this host; else only a beat read whole and at most window seconds old.
 */
int
sl_agent_online(const struct sl_agent *a, time_t now, long window)
{
	return !a->dead && a->beat > 0 && now - a->beat <= window;
}

/*
 * sl_agent_gone - may its work be taken back?  When it is dead on this
 * host, or its beat is missing, or read whole and older than the window:
 * an unreadable beat (torn, mid-replacement on another host) is not
 * evidence of death.
 */
int
sl_agent_gone(const struct sl_agent *a, time_t now, long window)
{
	return a->dead || a->beat < 0 || (a->beat > 0 && now - a->beat > window);
}

/* sl_agent_gone_why - why sl_agent_gone said so, for a log line */
void
sl_agent_gone_why(const struct sl_agent *a, time_t now, char *out, size_t len)
{
	if (a->dead)
		snprintf(out, len, "agent '%s' (%s): its process %ld on this "
		    "host died", a->name, a->id, a->pid);
	else if (a->beat < 0)
		snprintf(out, len, "agent '%s' (%s): it has no heartbeat",
		    a->name, a->id);
	else
		snprintf(out, len, "agent '%s' (%s) on %s: it missed its "
		    "heartbeats (the last was %lld s ago)", a->name, a->id,
		    a->host[0] ? a->host : "an unknown host",
		    (long long)(now - a->beat));
}

/* sl_pool_agents_online - how many agents of the pool are online */
int
sl_pool_agents_online(const struct sl_spool *sp, const char *pool, time_t now,
    long window)
{
	struct sl_agent *v;
	size_t	n, i;
	int	k = 0;

	if (sl_agents_load(sp, pool, &v, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		k += sl_agent_online(&v[i], now, window);
	sl_agents_free(v, n);
	return k;
}

/*
 * stale_private - is agents/NAME a private name left by a crash?  The
 * current names carry their epoch (.new.E.ID, .gone.E.ID); the older
 * .new.UUID and .trash.UUID do not, and are judged by mtime after an hour
 * (an hour dwarfs the skew between the file server's clock and ours).
 */
static int
stale_private(const char *ad, const char *name, time_t now, long stale)
{
	const char *p = NULL;
	struct stat st;
	char   *path, *end;
	unsigned long long e;
	int	old;

	if (strncmp(name, ".new.", 5) == 0)
		p = name + 5;
	else if (strncmp(name, ".gone.", 6) == 0)
		p = name + 6;
	else if (strncmp(name, ".trash.", 7) != 0)
		return 0;
	if (p != NULL && strlen(p) == 16 + 1 + SL_UUID_LEN && p[16] == '.' &&
	    sl_uuid_ok(p + 17)) {
		e = strtoull(p, &end, 16);
		return end == p + 16 && (long long)now - (long long)e > stale;
	}
	if (p != NULL && !sl_uuid_ok(p))
		return 0;		/* not a name of ours */
	path = sl_path(ad, name, (char *)NULL);
	old = sl_lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    now - st.st_mtime > (stale > 3600 ? stale : 3600);
	free(path);
	return old;
}

/*
 * sl_agents_sweep - remove what dead agents left in agents/ (v, n: the
 * registrations, as sl_agents_load read them): the registration of an
 * agent dead on this host (its Pending runs were handed back first, by
 * sl_recover_pool), of one whose last beat (or, without a beat, its start)
 * is more than window + stale seconds old, and private names older than
 * stale.  Returns how many were removed.
 */
long
sl_agents_sweep(const struct sl_spool *sp, const char *pool,
    const struct sl_agent *v, size_t n, time_t now, long window, long stale)
{
	struct dirent *de;
	char   *ad, *d, why[SL_ERR_MAX];
	time_t	last;
	size_t	i;
	long	k = 0;
	DIR    *dir;

	ad = sl_place(sp, SL_PL_AGENTS, pool, NULL, (char *)NULL);
	for (i = 0; i < n; i++) {
		last = v[i].beat > 0 ? v[i].beat : v[i].beat < 0 &&
		    v[i].registered ? v[i].started : 0;
		if (!v[i].dead && (last <= 0 || now - last <= window + stale))
			continue;
		/* RACE: an agent gone this long that comes back (a host cut
		 * off, a stopped process) finds its registration gone at its
		 * next beat and registers again; its claims went back long
		 * ago.  A dead one never comes back: its pid is gone. */
		d = sl_path(ad, v[i].id, (char *)NULL);
		if (discard(ad, d, v[i].id) == 0) {
			sl_agent_gone_why(&v[i], now, why, sizeof(why));
			sl_log(SL_INFO, "Removed the registration of %s", why);
			k++;
		}
		free(d);
	}
	if ((dir = sl_opendir(ad)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (!stale_private(ad, de->d_name, now, stale))
				continue;
			/* RACE: an agent registering, or a sweeper removing a
			 * registration, is done in well under a second; this
			 * is older than SL_STALE_LEASES leases */
			d = sl_path(ad, de->d_name, (char *)NULL);
			if (sl_rmtree(d) == 0)
				k++;
			free(d);
		}
		closedir(dir);
	}
	free(ad);
	return k;
}

/*
 * sl_start_taken_back - a start of pending/AGENT/TOKEN failed: was the run
 * taken from under the agent (recovery handed it back, a cancel ended it,
 * it was deleted) rather than a real failure?  1, with what became of it
 * in what, if it is no longer in the agent's pending/; 0 if it still is
 * (or cannot be told), which is a real failure.
 */
int
sl_start_taken_back(const struct sl_spool *sp, const struct sl_agent *a,
    const char *token, char *what, size_t len)
{
	static const char *const fin[] = { "Completed", "Failed", "Crashed",
	    "Cancelled" };
	char	id[SL_UUID_LEN + 1], name[80], who[128], *p, *qd, **qs, *text;
	struct stat st;
	size_t	i, nq;
	int	found = 0;

	if (sl_token_parse(token, NULL, id) < 0)
		return 0;
	p = sl_place(sp, SL_PL_PENDING, a->pool, NULL, a->id, token,
	    (char *)NULL);
	if (sl_lstat(p, &st) == 0 || errno != ENOENT) {
		free(p);
		return 0;
	}
	free(p);
	/* in running/: started by us (then the failure came after the
	 * start, e.g. fork, and is real), or by another agent after
	 * recovery handed it back */
	p = sl_place(sp, SL_PL_RUNNING, a->pool, NULL, token, "start.ini",
	    (char *)NULL);
	if (sl_read_file(p, &text, 4096) >= 0) {
		sl_kv_get(text, "agent", who, sizeof(who));
		free(text);
		free(p);
		if (strcmp(who, a->id) == 0)
			return 0;
		snprintf(what, len, "it was handed back and started by "
		    "another agent (%s)", who);
		return 1;
	}
	free(p);
	snprintf(what, len, "it was deleted, or moved where this agent "
	    "cannot see it");
	qd = sl_place(sp, SL_PL_QUEUES, a->pool, NULL, (char *)NULL);
	if (sl_pool_names_in(qd, &qs, &nq) == 0) {
		for (i = 0; i < nq; i++) {
			char   *sd = sl_path(qd, qs[i], "sched", (char *)NULL);

			p = found ? NULL : sl_sched_find(sd, token);
			free(sd);
			if (p != NULL) {
				snprintf(what, len, "it is back in work queue "
				    "'%s' (its claim was handed back)", qs[i]);
				found = 1;
			}
			free(p);
		}
		sl_strv_free(qs, nq);
	}
	free(qd);
	for (i = 0; i < 4 && !found; i++) {
		snprintf(name, sizeof(name), "%s.%s", id, fin[i]);
		p = sl_place(sp, SL_PL_DONE, a->pool, NULL, name, (char *)NULL);
		if (sl_lstat(p, &st) == 0) {
			snprintf(what, len, "it ended %s%s", fin[i], i == 3 ?
			    " (a cancel came first)" : "");
			found = 1;
		}
		free(p);
	}
	return 1;
}

/* sl_agent_serves - does agent a take runs of queue? (-q, -m, or all) */
int
sl_agent_serves(const struct sl_agent *a, const char *queue)
{
	const char *m, *e;
	size_t	i;

	if (a->nqueues == 0 && a->match == NULL)
		return 1;		/* -p alone: every queue of the pool */
	for (i = 0; i < a->nqueues; i++)
		if (strcmp(a->queues[i], queue) == 0)
			return 1;
	/* -m given more than once: "dev-,ops-" (names hold no comma) */
	for (m = a->match; m != NULL; m = *e ? e + 1 : NULL) {
		e = strchr(m, ',');
		if (e == NULL)
			e = m + strlen(m);
		if (strncmp(queue, m, (size_t)(e - m)) == 0)
			return 1;
	}
	return 0;
}
