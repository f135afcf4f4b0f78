/*
 * deploy.c - deployments: a run template with a schedule, and the
 * scheduler that makes its runs ahead of time.
 *
 *	deployments/NAME/vNNNNNNNNNN/deployment.ini	settings, schedule
 *	deployments/NAME/vNNNNNNNNNN/run.ini		the run template
 *	deployments/NAME/made/EPOCH			one per run made
 *
 * A version is a directory, built under a private name and renamed to
 * the next number: rename() of a directory onto an existing non-empty one
 * fails, so of two writers exactly one publishes version N+1, and the
 * other starts again from it (compare-and-swap, as for pool configs).
 * Versions are immutable; the highest complete one is the deployment.
 *
 * Scheduling (sl_deploy_schedule, in the recovering full passes of a
 * dispatcher or agent of the deployment's pool, once a heartbeat): the
 * slots after now, at least 3 and at least an hour ahead, at most 100 and
 * 100 days (Prefect's scheduler).
 * A slot's run is made exactly once, by whichever scheduler links the
 * marker made/EPOCH first (link() never replaces: one wins, on every
 * filesystem), between writing the run privately and publishing it; the
 * marker names the version, pool, and the run's token.  A run made for an
 * older version, or while the deployment is paused, is taken back while
 * it is still Scheduled (its marker removed after it), and made again for
 * the current version; a pass holding an older version than the newest
 * does nothing.  Slots come from wall-clock fields of the schedule,
 * never from a clock that runs, so a clock step or a DST change neither
 * skips nor doubles one (lib/cron.c).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

#define AHEAD_MIN	3		/* runs */
#define AHEAD_TIME	3600		/* seconds */
#define AHEAD_MAX	100		/* runs */
#define AHEAD_DAYS	100

static char *
ddir(const struct sl_spool *sp, const char *name)
{
	return sl_place(sp, SL_PL_DEPLOYMENTS, NULL, NULL, name, (char *)NULL);
}

static int
is_version(const char *n)
{
	return strlen(n) == 11 && n[0] == 'v' && strspn(n + 1, "0123456789") == 10;
}

void
sl_deploy_free(struct sl_deploy *d)
{
	sl_runspec_free(&d->tmpl);
	free(d->cron);
	free(d->tz);
	memset(d, 0, sizeof(*d));
}

/* read_version - a version directory into d: 0, or -1 (incomplete) */
static int
read_version(const char *vd, struct sl_deploy *d, char *err, size_t errlen)
{
	struct sl_ini *ini;
	const char *v;
	char   *p;
	long	x;

	p = sl_path(vd, "deployment.ini", (char *)NULL);
	ini = sl_ini_load(p, 1, err, errlen);
	free(p);
	if (ini == NULL)
		return -1;
	memset(d, 0, sizeof(*d));
	if ((v = sl_ini_get(ini, "deployment", "name")) != NULL)
		snprintf(d->name, sizeof(d->name), "%s", v);
	if ((v = sl_ini_get(ini, "deployment", "id")) != NULL)
		snprintf(d->id, sizeof(d->id), "%s", v);
	if ((v = sl_ini_get(ini, "deployment", "pool")) != NULL)
		snprintf(d->pool, sizeof(d->pool), "%s", v);
	if ((v = sl_ini_get(ini, "deployment", "queue")) != NULL)
		snprintf(d->queue, sizeof(d->queue), "%s", v);
	if ((v = sl_ini_get(ini, "deployment", "created")) != NULL)
		(void)sl_time_parse(v, 0, &d->created);
	if ((v = sl_ini_get(ini, "deployment", "paused")) != NULL)
		d->paused = strcmp(v, "true") == 0;
	if ((v = sl_ini_get(ini, "deployment", "cron")) != NULL &&
	    strcmp(v, "none") != 0)
		d->cron = sl_xstrdup(v);
	if ((v = sl_ini_get(ini, "deployment", "interval")) != NULL &&
	    sl_num_parse(v, 1, LONG_MAX, &x) == 0)
		d->interval = x;
	if ((v = sl_ini_get(ini, "deployment", "anchor")) != NULL)
		(void)sl_time_parse(v, 0, &d->anchor);
	if ((v = sl_ini_get(ini, "deployment", "timezone")) != NULL &&
	    strcmp(v, "UTC") != 0)
		d->tz = sl_xstrdup(v);
	if ((v = sl_ini_get(ini, "deployment", "version")) != NULL &&
	    sl_num_parse(v, 1, LONG_MAX, &x) == 0)
		d->version = (unsigned long)x;
	/* alerts: kept only if they could have been set (sl_pool_alert_ok);
	 * older binaries ignore these keys, and drop them on an edit */
	if ((v = sl_ini_get(ini, "deployment", "on_failure")) != NULL &&
	    sl_pool_alert_ok("on_failure", v, SL_HOOK_MAX) == NULL)
		snprintf(d->on_failure, sizeof(d->on_failure), "%s", v);
	if ((v = sl_ini_get(ini, "deployment", "on_crash")) != NULL &&
	    sl_pool_alert_ok("on_crash", v, SL_HOOK_MAX) == NULL)
		snprintf(d->on_crash, sizeof(d->on_crash), "%s", v);
	if ((v = sl_ini_get(ini, "deployment", "mail")) != NULL &&
	    sl_pool_alert_ok("mail", v, SL_MAILTO_MAX) == NULL)
		snprintf(d->mail, sizeof(d->mail), "%s", v);
	sl_ini_free(ini);
	if (!sl_name_ok(d->name) || !sl_uuid_ok(d->id) || !sl_name_ok(d->pool) ||
	    !sl_name_ok(d->queue) || d->version == 0) {
		snprintf(err, errlen, "%s/deployment.ini: incomplete", vd);
		sl_deploy_free(d);
		return -1;
	}
	if (sl_runini_load(vd, 0, &d->tmpl, NULL, err, errlen) < 0) {
		sl_deploy_free(d);
		return -1;
	}
	return 0;
}

/* newest - the highest complete version of a deployment; 0, or -1 */
static int
newest(const char *dd, struct sl_deploy *d, unsigned long *top, char *err,
    size_t errlen)
{
	struct dirent *de;
	unsigned long hi = 0, k;
	char	name[32], *vd;
	DIR    *dir;

	*top = 0;
	if ((dir = sl_opendir(dd)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL)
		if (is_version(de->d_name) &&
		    (k = strtoul(de->d_name + 1, NULL, 10)) > hi)
			hi = k;
	closedir(dir);
	/* a listing can be stale on NFS: look further by name */
	for (;;) {
		snprintf(name, sizeof(name), "v%010lu", hi + 1);
		vd = sl_path(dd, name, (char *)NULL);
		k = sl_exists(vd);
		free(vd);
		if (!k)
			break;
		hi++;
	}
	*top = hi;
	for (k = hi; k > 0; k--) {
		snprintf(name, sizeof(name), "v%010lu", k);
		vd = sl_path(dd, name, (char *)NULL);
		if (read_version(vd, d, err, errlen) == 0) {
			free(vd);
			return 0;
		}
		free(vd);
	}
	if (hi == 0)
		snprintf(err, errlen, "no version");
	return -1;
}

/* sl_deploy_load - the deployment called name */
int
sl_deploy_load(const struct sl_spool *sp, const char *name,
    struct sl_deploy *d, char *err, size_t errlen)
{
	char   *dd = ddir(sp, name), why[SL_ERR_MAX];
	unsigned long top;
	int	rc;

	if (!sl_exists(dd)) {
		snprintf(err, errlen, "Deployment '%s' not found.", name);
		free(dd);
		errno = ENOENT;
		return -1;
	}
	rc = newest(dd, d, &top, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "Deployment '%s' cannot be read: %s",
		    name, why);
	free(dd);
	return rc;
}

/* sl_deploy_names - every deployment, sorted */
int
sl_deploy_names(const struct sl_spool *sp, char ***v, size_t *n)
{
	char   *d = sl_place(sp, SL_PL_DEPLOYMENTS, NULL, NULL, (char *)NULL);
	int	rc = sl_pool_names_in(d, v, n);

	free(d);
	return rc;
}

/* render - a version's two files into dir */
static int
render(const char *dir, const struct sl_deploy *d, const char *writer)
{
	struct sl_buf b = { 0 };
	char	t[40], *p, *tmp, *text;
	size_t	len;
	int	rc;

	/* the run template first: nothing is written if it would not read
	 * back (sl_runspec_store; EINVAL) */
	if ((text = sl_runspec_store(&d->tmpl, &len, NULL, 0)) == NULL)
		return -1;
	sl_buf_puts(&b, "; a sluice deployment; see sluice-deployment(1)\n"
	    "[deployment]\n");
	sl_ini_put(&b, "name", d->name);
	sl_ini_put(&b, "id", d->id);
	sl_ini_put(&b, "pool", d->pool);
	sl_ini_put(&b, "queue", d->queue);
	sl_ini_put(&b, "created", sl_time_fmt(d->created, t, sizeof(t)));
	sl_ini_put(&b, "paused", d->paused ? "true" : "false");
	if (d->cron != NULL) {
		char   *q = sl_ini_quote(d->cron);

		sl_buf_printf(&b, "cron = %s\n", q);
		free(q);
	} else if (d->interval > 0) {
		sl_buf_printf(&b, "interval = %ld\n", d->interval);
		sl_ini_put(&b, "anchor", sl_time_fmt(d->anchor, t, sizeof(t)));
	}
	sl_ini_put(&b, "timezone", d->tz ? d->tz : "UTC");
	sl_buf_printf(&b, "version = %lu\n", d->version);
	sl_ini_put_quoted(&b, "on_failure", d->on_failure);
	sl_ini_put_quoted(&b, "on_crash", d->on_crash);
	sl_ini_put_quoted(&b, "mail", d->mail);
	sl_ini_put(&b, "writer", writer);
	sl_buf_puts(&b, SL_INI_TRAILER);
	p = sl_path(dir, "deployment.ini", (char *)NULL);
	tmp = sl_path(dir, ".deployment.tmp", (char *)NULL);
	rc = sl_publish_rename(tmp, p, b.s, b.len);
	free(p);
	free(tmp);
	sl_buf_free(&b);
	if (rc < 0) {
		free(text);
		return -1;
	}
	/* the template's [env] is its owner's: 0640, like a run's (perm.c) */
	rc = sl_perm_publish_runfile(dir, "run.ini", text, len,
	    d->tmpl.owner_gid, 0);
	free(text);
	return rc;
}

/*
 * sl_deploy_update - apply edit to the newest version and publish the
 * next (compare-and-swap by rename of a directory).  With create, the
 * deployment must not exist and d is its first version.
 */
int
sl_deploy_update(const struct sl_spool *sp, const char *name,
    sl_deploy_edit_fn edit, void *arg, int create, struct sl_deploy *d,
    char *err, size_t errlen)
{
	char	u[SL_UUID_LEN + 1], pn[64], vn[32], *root, *dd, *priv, *vd;
	unsigned long top;
	int	tries, rc = -1, r = 0;

	if (sl_uuid(u) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	root = sl_place(sp, SL_PL_DEPLOYMENTS, NULL, NULL, (char *)NULL);
	dd = ddir(sp, name);
	if (sl_mkdirs(root, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", root, strerror(errno));
		goto out;
	}
	if (create) {
		/* the whole directory privately, then one rename */
		snprintf(pn, sizeof(pn), ".new.%s", u);
		priv = sl_path(root, pn, (char *)NULL);
		vd = sl_path(priv, "v0000000001", (char *)NULL);
		d->version = 1;
		{
			char   *md = sl_path(priv, "made", (char *)NULL);

			r = sl_mkdirs(md, 0755);
			free(md);
		}
		if (r < 0 || sl_mkdirs(vd, 0755) < 0 || render(vd, d, u) < 0)
			snprintf(err, errlen, "cannot write %s: %s", vd,
			    strerror(errno));
		else if (sl_exists(dd) || (r = sane_rename(priv, dd)) < 0) {
			/* the rename's own cause, unless the name is taken */
			if (r < 0 && errno != EEXIST && errno != ENOTEMPTY)
				snprintf(err, errlen, "cannot create %s: %s",
				    dd, strerror(errno));
			else
				snprintf(err, errlen, "Deployment '%s' already "
				    "exists.", name);
		} else
			rc = 0;
		if (rc < 0)
			(void)sl_rmtree(priv);
		free(vd);
		free(priv);
		goto out;
	}
	for (tries = 0; tries < 200; tries++) {
		if (newest(dd, d, &top, err, errlen) < 0) {
			if (!sl_exists(dd))
				snprintf(err, errlen, "Deployment '%s' not found.",
				    name);
			goto out;
		}
		if ((r = edit(d, arg, err, errlen)) != 0) {
			rc = r > 0 ? 0 : -1;
			goto out;
		}
		d->version = top + 1;
		snprintf(pn, sizeof(pn), ".tmp.%s.%d", u, tries);
		snprintf(vn, sizeof(vn), "v%010lu", top + 1);
		priv = sl_path(dd, pn, (char *)NULL);
		vd = sl_path(dd, vn, (char *)NULL);
		if (sl_mkdirs(priv, 0755) < 0 || render(priv, d, u) < 0) {
			snprintf(err, errlen, "cannot write %s: %s", priv,
			    strerror(errno));
			(void)sl_rmtree(priv);
			free(priv);
			free(vd);
			goto out;
		}
		/* RACE: another writer may publish top + 1 first; our rename
		 * onto its non-empty directory fails, and we start again */
		r = sane_rename(priv, vd);
		if (r < 0)
			(void)sl_rmtree(priv);
		free(priv);
		free(vd);
		if (r == 0) {
			rc = 0;
			goto out;
		}
		sl_deploy_free(d);
	}
	snprintf(err, errlen, "Deployment '%s' is being changed by too many "
	    "processes at once; try again.", name);
out:
	free(root);
	free(dd);
	return rc;
}

/* ---- slots and markers ---- */

/* slot_after - the first slot of d after t: 0, or -1 (none) */
static int
slot_after(const struct sl_deploy *d, time_t t, time_t *next)
{
	struct sl_cron c;
	char	why[SL_ERR_MAX];

	if (d->cron != NULL) {
		if (sl_cron_parse(d->cron, &c, why, sizeof(why)) < 0)
			return -1;
		return sl_cron_next(&c, d->tz, t, next);
	}
	if (d->interval > 0) {
		if (t < d->anchor)
			*next = d->anchor;
		else
			*next = d->anchor + ((t - d->anchor) / d->interval + 1) *
			    d->interval;
		return 0;
	}
	return -1;
}

struct marker {
	unsigned long version;
	char	pool[SL_NAME_MAX + 1];
	char	queue[SL_NAME_MAX + 1];
	char	token[SL_RUNNAME_MAX];
};

static int
read_marker(const char *p, struct marker *m)
{
	char   *text, v[128];

	memset(m, 0, sizeof(*m));
	if (sl_read_file(p, &text, 4096) < 0)
		return -1;
	sl_kv_get(text, "version", v, sizeof(v));
	m->version = strtoul(v, NULL, 10);
	sl_kv_get(text, "pool", m->pool, sizeof(m->pool));
	sl_kv_get(text, "queue", m->queue, sizeof(m->queue));
	sl_kv_get(text, "token", m->token, sizeof(m->token));
	free(text);
	return sl_name_ok(m->pool) && sl_name_ok(m->queue) &&
	    sl_token_parse(m->token, NULL, NULL) == 0 ? 0 : -1;
}

/*
 * take_back - remove the run a marker names if it is still Scheduled
 * (not claimed, not started), then the marker.  0 taken back, 1 it has
 * moved on (the marker stays: that slot was run), -1 error.
 */
static int
take_back(const struct sl_spool *sp, const char *mp, const struct marker *m)
{
	char   *sd = sl_place(sp, SL_PL_SCHED, m->pool, m->queue,
	    (char *)NULL);
	char   *run = sl_sched_find(sd, m->token);
	char   *trash = sl_place(sp, SL_PL_TMP, m->pool, NULL, (char *)NULL);
	int	rc = 1;

	/* RACE: a claim may take the run this instant: the discard's
	 * rename and the claim's rename cannot both succeed.  Cleanup may
	 * move a run an older sluice put in sched/ itself into its bucket
	 * this instant: looked for once more */
	if (run != NULL && sl_discard_tree(run, trash) == 0)
		rc = 0;
	else if (run != NULL && errno == ENOENT) {
		free(run);
		if ((run = sl_sched_find(sd, m->token)) != NULL &&
		    sl_discard_tree(run, trash) == 0)
			rc = 0;
	}
	free(sd);
	if (rc == 0 && sl_unlink(mp) < 0 && errno != ENOENT)
		rc = -1;
	free(run);
	free(trash);
	return rc;
}

/* from_template - a new run of d at when, from its template */
static void
from_template(const struct sl_deploy *d, time_t when, struct sl_runspec *r)
{
	size_t	i;

	memset(r, 0, sizeof(*r));
	snprintf(r->pool, sizeof(r->pool), "%s", d->pool);
	snprintf(r->queue, sizeof(r->queue), "%s", d->queue);
	r->command = sl_xstrdup(d->tmpl.command);
	r->scheduled = when;
	r->retries = d->tmpl.retries;
	r->retry_delay = d->tmpl.retry_delay;
	r->timeout = d->tmpl.timeout;
	r->cwd = d->tmpl.cwd ? sl_xstrdup(d->tmpl.cwd) : NULL;
	r->deployment = sl_xstrdup(d->name);
	r->owner_uid = d->tmpl.owner_uid;
	r->owner_gid = d->tmpl.owner_gid;
	for (i = 0; i < d->tmpl.nenv; i++) {
		r->env = sl_xrealloc(r->env, (r->nenv + 1) * sizeof(char *));
		r->env[r->nenv++] = sl_xstrdup(d->tmpl.env[i]);
	}
}

struct gate {
	const char *marker;
	const char *body;
	const char *tmp;
	const char *writer;
};

/* gate - link the marker: the one scheduler that makes this slot */
static int
gate(void *arg)
{
	struct gate *g = arg;

	if (sl_write_tmp(g->tmp, g->body, strlen(g->body), 0644) < 0)
		return -1;
	if (sane_link(g->tmp, g->marker) == 0) {
		(void)sl_unlink(g->tmp);
		return 0;
	}
	(void)sl_unlink(g->tmp);
	/* RACE: the loser of link() sees EEXIST or EPERM (sshfs); what
	 * decides is that the marker exists and is not ours.  Ours, with
	 * the reply lost, carries our writer id. */
	{
		char   *text, w[64];

		if (sl_read_file(g->marker, &text, 4096) < 0)
			return -1;
		sl_kv_get(text, "writer", w, sizeof(w));
		free(text);
		return strcmp(w, g->writer) == 0 ? 0 : 1;
	}
}

/* make_slot - make the run of slot t, unless someone has */
static int
make_slot(const struct sl_spool *sp, const struct sl_deploy *d,
    const char *md, time_t t, char *err, size_t errlen)
{
	struct sl_runspec r;
	struct sl_buf body = { 0 };
	struct gate g;
	char	seed[128], tname[32], slug[64], tok[SL_TOKEN_LEN + 1], *mk, *tmp, u[SL_UUID_LEN + 1];
	int	rc;

	snprintf(tname, sizeof(tname), "%lld", (long long)t);
	mk = sl_path(md, tname, (char *)NULL);
	if (sl_exists(mk)) {
		free(mk);
		return 1;
	}
	from_template(d, t, &r);
	snprintf(seed, sizeof(seed), "%s:%lu:%lld", d->id, d->version,
	    (long long)t);
	sl_uuid_from(r.id, seed);
	sl_slug(slug, sizeof(slug));
	r.name = sl_xstrdup(slug);
	r.attempt = 1;
	sl_token_make(tok, t, (unsigned long long)t * 1000000ULL, r.id);
	if (sl_uuid(u) < 0) {
		rc = -1;
		goto out;
	}
	sl_buf_printf(&body, "version = %lu\npool = %s\nqueue = %s\ntoken = %s\n"
	    "writer = %s\n", d->version, d->pool, d->queue, tok, u);
	snprintf(seed, sizeof(seed), ".tmp.%s", u);
	tmp = sl_path(md, seed, (char *)NULL);
	g.marker = mk;
	g.body = body.s;
	g.tmp = tmp;
	g.writer = u;
	rc = sl_run_create(sp, &r, u, gate, &g, err, errlen);
	free(tmp);
out:
	sl_buf_free(&body);
	sl_runspec_free(&r);
	free(mk);
	return rc;
}

/*
 * sl_deploy_schedule - make d's runs ahead, take back those of older
 * versions (or all, while paused, or when gone).  Returns the number of
 * runs made.  Safe to run anywhere, any number of times at once.
 */
long
sl_deploy_schedule(const struct sl_spool *sp, const struct sl_deploy *d,
    time_t now, long keep_days)
{
	struct dirent *de;
	struct sl_deploy nd;
	struct marker m;
	char   *dd = ddir(sp, d->name), *md, *p, err[SL_ERR_MAX], vn[32];
	long	made = 0, n = 0;
	int	stale;
	time_t	t, slot;
	DIR    *dir;

	md = sl_path(dd, "made", (char *)NULL);
	/* made/ is made with the deployment: if it is missing, the
	 * deployment was deleted meanwhile, and nothing is to be made */
	if (!sl_exists(md))
		goto out;
	/* RACE: a scheduler that loaded d before a change (a dispatcher's
	 * pass overlapping 'deployment set-pool' or 'pause', and that
	 * change's own pass) would take back the newer version's runs and
	 * make its own, in the old pool or while paused.  A pass whose
	 * version is no longer the newest does nothing; one that learns of
	 * the change only after this check makes runs whose markers name
	 * the older version, which the next pass of the newest takes back
	 * while they are Scheduled; and it never takes back a newer
	 * version's run (below).  A torn next version (hostile: versions
	 * appear whole) is not one, as for newest(). */
	snprintf(vn, sizeof(vn), "v%010lu", d->version + 1);
	p = sl_path(dd, vn, (char *)NULL);
	stale = 0;
	if (sl_exists(p) && read_version(p, &nd, err, sizeof(err)) == 0) {
		sl_deploy_free(&nd);
		stale = 1;
	}
	free(p);
	if (stale)
		goto out;
	/* take back what the current version would not make */
	if ((dir = sl_opendir(md)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.' || strspn(de->d_name,
			    "0123456789") != strlen(de->d_name))
				continue;
			slot = (time_t)strtoll(de->d_name, NULL, 10);
			p = sl_path(md, de->d_name, (char *)NULL);
			if (slot < now - keep_days * 86400L - 86400L)
				(void)sl_unlink(p);	/* history only */
			else if (read_marker(p, &m) < 0)
				;		/* not a marker of ours */
			else if (m.version > d->version)
				stale = 1;	/* see above: leave it */
			else if (m.version != d->version || d->paused) {
				/* a slot already due (Late, no agent) whose
				 * run is still Scheduled moves too, at once;
				 * one to come is made again below */
				if (take_back(sp, p, &m) == 0 && slot <= now &&
				    !d->paused && make_slot(sp, d, md, slot, err,
				    sizeof(err)) < 0)
					sl_log(SL_ERROR, "deployment '%s': %s",
					    d->name, err);
			}
			free(p);
		}
		closedir(dir);
	}
	if (stale || d->paused || (d->cron == NULL && d->interval <= 0))
		goto out;
	for (t = now; n < AHEAD_MAX; n++) {
		if (slot_after(d, t, &slot) < 0 ||
		    slot > now + AHEAD_DAYS * 86400L ||
		    (n >= AHEAD_MIN && slot > now + AHEAD_TIME))
			break;
		switch (make_slot(sp, d, md, slot, err, sizeof(err))) {
		case 0:
			made++;
			break;
		case -1:
			/* this slot only: the next pass tries it again */
			sl_log(SL_ERROR, "deployment '%s': %s", d->name, err);
			break;
		}
		t = slot;
	}
out:
	free(md);
	free(dd);
	return made;
}

/* sl_deploy_schedule_pool - schedule every deployment of pool */
long
sl_deploy_schedule_pool(const struct sl_spool *sp, const char *pool,
    time_t now, long keep_days)
{
	struct sl_deploy d;
	char  **v, err[SL_ERR_MAX];
	size_t	n, i;
	long	made = 0;

	if (sl_deploy_names(sp, &v, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (sl_deploy_load(sp, v[i], &d, err, sizeof(err)) < 0)
			continue;
		if (strcmp(d.pool, pool) == 0)
			made += sl_deploy_schedule(sp, &d, now, keep_days);
		sl_deploy_free(&d);
	}
	sl_strv_free(v, n);
	return made;
}

/*
 * sl_deploy_delete - take back its Scheduled runs, then remove it (by
 * rename to a private name first: it vanishes in one step).
 */
int
sl_deploy_delete(const struct sl_spool *sp, const char *name, char *err,
    size_t errlen)
{
	struct dirent *de;
	struct marker m;
	char   *dd = ddir(sp, name), *md, *p, *root;
	int	rc;
	DIR    *dir;

	if (!sl_exists(dd)) {
		snprintf(err, errlen, "Deployment '%s' not found.", name);
		free(dd);
		return -1;
	}
	md = sl_path(dd, "made", (char *)NULL);
	if ((dir = sl_opendir(md)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			p = sl_path(md, de->d_name, (char *)NULL);
			if (read_marker(p, &m) == 0)
				(void)take_back(sp, p, &m);
			free(p);
		}
		closedir(dir);
	}
	root = sl_place(sp, SL_PL_DEPLOYMENTS, NULL, NULL, (char *)NULL);
	/* RACE: a scheduler that read the deployment before the discard may
	 * still make a run; it is an ordinary Scheduled run of a deployment
	 * that no longer exists, shown with its name, and runs once */
	rc = sl_discard_tree(dd, root);
	if (rc < 0)
		snprintf(err, errlen, "cannot delete deployment '%s': %s", name,
		    strerror(errno));
	free(root);
	free(md);
	free(dd);
	return rc;
}

/* sl_deploy_run - a run of d now (or at when), outside its schedule */
int
sl_deploy_run(const struct sl_spool *sp, const struct sl_deploy *d,
    time_t when, char id[SL_UUID_LEN + 1], char *err, size_t errlen)
{
	struct sl_runspec r;
	int	rc;

	from_template(d, when, &r);
	if (sl_pool_ensure(sp, r.pool, err, errlen) < 0 ||
	    sl_queue_ensure(sp, r.pool, r.queue, err, errlen) < 0) {
		sl_runspec_free(&r);
		return -1;
	}
	rc = sl_run_submit(sp, &r, err, errlen);
	if (rc == 0)
		memcpy(id, r.id, SL_UUID_LEN + 1);
	sl_runspec_free(&r);
	return rc;
}

/* sl_deploy_schedule_text - "cron 0 * * * * (UTC)", "every 3600 s from T" */
void
sl_deploy_schedule_text(const struct sl_deploy *d, char *out, size_t len)
{
	char	t[40];

	if (d->cron != NULL)
		snprintf(out, len, "cron %s (%s)", d->cron, d->tz ? d->tz : "UTC");
	else if (d->interval > 0)
		snprintf(out, len, "every %ld s from %s", d->interval,
		    sl_time_fmt(d->anchor, t, sizeof(t)));
	else
		snprintf(out, len, "none");
}
