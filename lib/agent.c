/*
 * agent.c - agents in the spool: registration, heartbeat, liveness.
 *
 *	pools/P/agents/ID/agent.ini	who the agent is and what it serves
 *	pools/P/agents/ID/heartbeat	the epoch second of its last beat
 *
 * agent.ini is written once, when the agent starts, under a fresh name and
 * renamed into a directory nobody else writes.  The heartbeat is replaced
 * at every beat; a reader on another host may read it torn (sshfs, NFS
 * without close-to-open), so it ends with a newline and a reader that does
 * not find one, or a number, calls the beat unknown, which counts as alive:
 * taking a live agent for dead would hand its runs to another, taking a
 * dead one for alive only delays until the next look.  Liveness is decided
 * from the beat's content (the agent's clock), never from an mtime (the
 * file server's clock), with a window (heartbeat x missed_heartbeats) far
 * above any sane skew.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static char *
agent_dir(const struct sl_spool *sp, const char *pool, const char *id)
{
	return sl_path(sp->root, "pools", pool, "agents", id, (char *)NULL);
}

/* sl_agent_beat - publish "now" as the agent's last beat */
int
sl_agent_beat(const struct sl_spool *sp, const struct sl_agent *a, time_t now)
{
	char	text[32], *d = agent_dir(sp, a->pool, a->id), *tmp, *to;
	int	rc;

	snprintf(text, sizeof(text), "%lld\n", (long long)now);
	tmp = sl_path(d, ".heartbeat.tmp", (char *)NULL);
	to = sl_path(d, "heartbeat", (char *)NULL);
	unlink(tmp);			/* ours: the directory is the agent's */
	rc = sl_publish_rename(tmp, to, text, strlen(text));
	free(tmp);
	free(to);
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

	ad = sl_path(sp->root, "pools", a->pool, "agents", (char *)NULL);
	snprintf(name, sizeof(name), ".new.%s", a->id);
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

		snprintf(beat, sizeof(beat), "%lld\n", (long long)a->started);
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

/* sl_agent_deregister - the agent is gone: remove its registration */
int
sl_agent_deregister(const struct sl_spool *sp, const struct sl_agent *a)
{
	char   *d = agent_dir(sp, a->pool, a->id), *ad;
	int	rc;

	ad = sl_path(sp->root, "pools", a->pool, "agents", (char *)NULL);
	rc = sl_discard_tree(d, ad);
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
	ad = sl_path(sp->root, "pools", pool, "agents", (char *)NULL);
	if ((dir = opendir(ad)) == NULL) {
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
			sl_ini_free(ini);
			a->registered = 1;
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
 * sl_agent_online - has the agent beaten within the window?  For showing
 * (agent ls, agents_online) only a beat read whole and recent counts.
 */
int
sl_agent_online(const struct sl_agent *a, time_t now, long window)
{
	return a->beat > 0 && now - a->beat <= window;
}

/*
 * sl_agent_gone - may its work be taken back?  Only when its beat is
 * missing or read whole and older than the window: an unreadable beat
 * (torn, mid-replacement on another host) is not evidence of death.
 */
int
sl_agent_gone(const struct sl_agent *a, time_t now, long window)
{
	return a->beat < 0 || (a->beat > 0 && now - a->beat > window);
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
 * sl_agents_prune - remove the registrations of agents offline for more
 * than age seconds, and at least a day (killed, never deregistered).  Their Pending runs were
 * handed back long before, by recovery.  Returns how many were removed.
 */
int
sl_agents_prune(const struct sl_spool *sp, const char *pool, time_t now,
    long age)
{
	struct sl_agent *v;
	size_t	n, i;
	int	k = 0;

	if (age < 86400)
		age = 86400;	/* never a live agent, whatever keep_days says */
	if (sl_agents_load(sp, pool, &v, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		/* RACE: an agent whose beat is this old and comes back finds
		 * its registration gone; its next beat fails and it says so */
		if (v[i].beat > 0 && now - v[i].beat > age &&
		    sl_agent_deregister(sp, &v[i]) == 0)
			k++;
	sl_agents_free(v, n);
	return k;
}
