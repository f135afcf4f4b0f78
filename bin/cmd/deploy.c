/*
 * deploy.c - sluice deployment (sluice-deployment(1)): run templates with
 * schedules.  A change to a deployment makes its Scheduled runs again at
 * once, as a dispatcher's pass would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

static char err[SL_ERR_MAX];

/* schedule_now - make the deployment's runs at once, as a pass would */
static void
schedule_now(const struct sl_spool *sp, const struct sl_config *cf,
    const char *name)
{
	struct sl_deploy d;

	if (sl_deploy_load(sp, name, &d, err, sizeof(err)) == 0) {
		(void)sl_deploy_schedule(sp, &d, time(NULL), cf->keep_days);
		sl_deploy_free(&d);
	}
}

/*
 * schedule_opts - --cron, or --interval with --anchor, and --timezone into
 * d's schedule (none given: none); a bad one is a usage error
 */
static void
schedule_opts(struct args *a, struct sl_deploy *d, time_t now)
{
	if (a->val[O_CRON] != NULL && a->val[O_INTERVAL] != NULL)
		usage_error(NULL, "give --cron or --interval, not both");
	if (a->val[O_ANCHOR] != NULL && a->val[O_INTERVAL] == NULL)
		usage_error(NULL, "--anchor goes with --interval");
	if (a->val[O_CRON] != NULL) {
		struct sl_cron c;

		if (sl_cron_parse(a->val[O_CRON], &c, err, sizeof(err)) < 0)
			usage_error(NULL, "invalid --cron '%s': %s", a->val[O_CRON],
			    err);
		if (!sl_ini_value_ok(a->val[O_CRON]))
			usage_error(NULL, "invalid --cron '%s'", a->val[O_CRON]);
		d->cron = sl_xstrdup(a->val[O_CRON]);
	}
	if (a->val[O_INTERVAL] != NULL) {
		if (sl_num_parse(a->val[O_INTERVAL], 1, 86400L * 365,
		    &d->interval) < 0)
			usage_error(NULL, "invalid --interval '%s': 1 to 31536000 "
			    "seconds", a->val[O_INTERVAL]);
		d->anchor = now;
		if (a->val[O_ANCHOR] != NULL && sl_time_parse(a->val[O_ANCHOR],
		    now, &d->anchor) < 0)
			usage_error(NULL, "invalid --anchor '%s': use RFC 3339 with "
			    "an offset, @EPOCH, now, or +N[smhd]", a->val[O_ANCHOR]);
	}
	if (a->val[O_TIMEZONE] != NULL) {
		if (!sl_tz_ok(a->val[O_TIMEZONE]))
			usage_error(NULL, "unknown --timezone '%s': a name under "
			    "/usr/share/zoneinfo, such as Europe/Paris, or UTC",
			    a->val[O_TIMEZONE]);
		if (strcmp(a->val[O_TIMEZONE], "UTC") != 0)
			d->tz = sl_xstrdup(a->val[O_TIMEZONE]);
	}
}

/* dp_create - sluice deployment create */
int
dp_create(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_deploy d;
	const char *name = a->pos[0];
	int	rc;

	if (a->ntail == 0 || a->tail[0][0] == '\0')
		usage_error(NULL, "missing command: sluice deployment create NAME "
		    "-p POOL [...] -- COMMAND [ARG...]");
	if (a->val[O_POOL] == NULL)
		usage_error(NULL, "missing -p POOL: a deployment's runs go into a "
		    "work pool");
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.pool, sizeof(d.pool), "%s", a->val[O_POOL]);
	snprintf(d.queue, sizeof(d.queue), "%s", a->val[O_QUEUE] ?
	    a->val[O_QUEUE] : SL_DEFAULT_QUEUE);
	d.created = time(NULL);
	schedule_opts(a, &d, d.created);
	if (sl_uuid(d.id) < 0)
		sl_fatal("getrandom: %s", strerror(errno));
	run_opts(a, &d.tmpl);
	memcpy(d.tmpl.id, d.id, sizeof(d.id));
	snprintf(d.tmpl.pool, sizeof(d.tmpl.pool), "%s", d.pool);
	snprintf(d.tmpl.queue, sizeof(d.tmpl.queue), "%s", d.queue);
	d.tmpl.scheduled = d.tmpl.created = d.created;
	d.tmpl.attempt = 1;
	d.tmpl.deployment = sl_xstrdup(d.name);
	if (!sl_pool_exists(sp, d.pool)) {
		sl_warn("Work pool '%s' not found. Create it with 'sluice "
		    "work-pool create %s'.", d.pool, d.pool);
		sl_deploy_free(&d);
		return EX_FAIL;
	}
	rc = sl_queue_ensure(sp, d.pool, d.queue, err, sizeof(err)) < 0 ||
	    sl_deploy_update(sp, name, NULL, NULL, 1, &d, err, sizeof(err)) < 0;
	sl_deploy_free(&d);
	if (rc) {
		if (strstr(err, "already exists") != NULL)
			sl_warn("%s Change it in place with 'sluice deployment "
			    "set-schedule', 'set-pool', 'pause' or 'resume', or "
			    "delete it first.", err);
		else
			sl_warn("%s", err);
		return EX_FAIL;
	}
	schedule_now(sp, cf, name);
	printf("Created deployment '%s' in work pool '%s'.\n", name,
	    a->val[O_POOL]);
	return 0;
}

/* dp_ls - sluice deployment ls */
int
dp_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "Name", "ID", "Pool", "Queue", "Schedule" };
	struct sl_buf b = { 0 };
	struct sl_table *t = NULL;
	struct sl_deploy d;
	char  **v, nm[SL_NAME_MAX + 8], sch[256];
	size_t	n, i;

	(void)cf;
	if (sl_deploy_names(sp, &v, &n) < 0) {
		sl_warn("cannot list the deployments: %s", strerror(errno));
		return EX_FAIL;
	}
	if (a->val[O_JSON] == NULL)
		t = sl_table_new("Deployments", 5, hdr);
	for (i = 0; i < n; i++) {
		const char *row[5];

		if (sl_deploy_load(sp, v[i], &d, err, sizeof(err)) < 0) {
			sl_warn("%s", err);
			continue;
		}
		if (t == NULL)
			deploy_json(&b, &d);
		else {
			snprintf(nm, sizeof(nm), "%s%s", d.name, d.paused ?
			    " (**)" : "");
			sl_deploy_schedule_text(&d, sch, sizeof(sch));
			row[0] = nm;
			row[1] = d.id;
			row[2] = d.pool;
			row[3] = d.queue;
			row[4] = sch;
			sl_table_row(t, row);
		}
		sl_deploy_free(&d);
	}
	if (t != NULL) {
		sl_table_print(t, stdout, boxed(), "(**) denotes a paused "
		    "deployment");
		sl_table_free(t);
	} else
		emit(&b);
	sl_strv_free(v, n);
	return 0;
}

/*
 * deploy_by_id - as Prefect takes a deployment's id where a name goes: the
 * deployment whose id is ref (a UUID naming no deployment) into d; 0, or
 * -1 (none, err left as the name's lookup said)
 */
static int
deploy_by_id(const struct sl_spool *sp, const char *ref, struct sl_deploy *d)
{
	char  **names, why[SL_ERR_MAX];
	size_t	n, i;
	int	found = -1;

	if (!sl_uuid_ok(ref) || sl_deploy_names(sp, &names, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (found < 0 && sl_deploy_load(sp, names[i], d, why,
		    sizeof(why)) == 0) {
			if (strcmp(d->id, ref) == 0)
				found = 0;
			else
				sl_deploy_free(d);
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* dp_inspect - sluice deployment inspect */
int
dp_inspect(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct sl_buf b = { 0 };
	struct sl_deploy d;

	(void)cf;
	if (sl_deploy_load(sp, a->pos[0], &d, err, sizeof(err)) < 0 &&
	    deploy_by_id(sp, a->pos[0], &d) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	deploy_json(&b, &d);
	if (a->val[O_JSON] != NULL)
		emit(&b);
	else {
		struct sl_buf x = { 0 };
		int	k = 0;

		sl_json_key(&x, &k, "created");
		sl_json_time(&x, d.created);
		sl_json_key(&x, &k, "version");
		sl_buf_printf(&x, "%lu", d.version);
		alert_json(&x, d.on_failure, d.on_crash, d.mail);
		inspect_emit("Deployment", &b, &x, d.tmpl.command);
	}
	sl_deploy_free(&d);
	return 0;
}

struct dp_edit {
	int	paused;			/* -1: leave */
	const char *pool, *queue;	/* NULL: leave */
	const struct sl_deploy *sched;	/* its schedule; NULL: leave */
};

/* dp_apply - sl_deploy_update's edit: apply a dp_edit; 1 if nothing changed */
static int
dp_apply(struct sl_deploy *d, void *arg, char *e, size_t elen)
{
	struct dp_edit *x = arg;
	int	same = 1;

	(void)e;
	(void)elen;
	if (x->paused >= 0 && d->paused != x->paused) {
		d->paused = x->paused;
		same = 0;
	}
	if (x->pool != NULL && (strcmp(d->pool, x->pool) != 0 ||
	    strcmp(d->queue, x->queue) != 0)) {
		snprintf(d->pool, sizeof(d->pool), "%s", x->pool);
		snprintf(d->queue, sizeof(d->queue), "%s", x->queue);
		snprintf(d->tmpl.pool, sizeof(d->tmpl.pool), "%s", x->pool);
		snprintf(d->tmpl.queue, sizeof(d->tmpl.queue), "%s", x->queue);
		same = 0;
	}
	if (x->sched != NULL) {
		/* a new version even when equal: the runs are made again */
		free(d->cron);
		free(d->tz);
		d->cron = x->sched->cron ? sl_xstrdup(x->sched->cron) : NULL;
		d->tz = x->sched->tz ? sl_xstrdup(x->sched->tz) : NULL;
		d->interval = x->sched->interval;
		d->anchor = x->sched->anchor;
		same = 0;
	}
	return same;
}

/* dp_change - change a deployment, then make its runs again */
static int
dp_change(const struct sl_spool *sp, const struct sl_config *cf,
    const char *name, struct dp_edit *x)
{
	struct sl_deploy d;

	memset(&d, 0, sizeof(d));
	if (sl_deploy_update(sp, name, dp_apply, x, 0, &d, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	sl_deploy_free(&d);
	/* its Scheduled runs follow at once: taken back, made again */
	schedule_now(sp, cf, name);
	return 0;
}

static const struct setting dp_settings[] = {
	{ "pause", 1, SET_NONE, "Paused deployment '%s'.\n" },
	{ "resume", 0, SET_NONE, "Resumed deployment '%s'.\n" },
	/* Prefect's names for the same */
	{ "pause-schedule", 1, SET_NONE, "Paused deployment '%s'.\n" },
	{ "resume-schedule", 0, SET_NONE, "Resumed deployment '%s'.\n" },
	{ NULL, 0, 0, NULL }
};

/*
 * dp_set - sluice deployment pause and resume: what changes and what is
 * said are the command's row of dp_settings.
 */
int
dp_set(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	const struct setting *set = setting_of(dp_settings, a->cmd->name);
	struct dp_edit x = { set->paused, NULL, NULL, NULL };
	int	rc = dp_change(sp, cf, a->pos[0], &x);

	if (rc == 0)
		printf(set->said, a->pos[0]);
	return rc;
}

/* dp_setpool - sluice deployment set-pool */
int
dp_setpool(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct dp_edit x = { -1, a->pos[1], a->val[O_QUEUE] ?
	    a->val[O_QUEUE] : SL_DEFAULT_QUEUE, NULL };
	int	rc;

	need_name("work pool", a->pos[1]);
	if (!sl_pool_exists(sp, x.pool)) {
		sl_warn("Work pool '%s' not found. Create it with 'sluice "
		    "work-pool create %s'.", x.pool, x.pool);
		return EX_FAIL;
	}
	if (sl_queue_ensure(sp, x.pool, x.queue, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	if ((rc = dp_change(sp, cf, a->pos[0], &x)) == 0)
		printf("Deployment '%s' now sends its runs to work queue '%s' "
		    "in work pool '%s'.\n", a->pos[0], x.queue, x.pool);
	return rc;
}

/*
 * dp_setschedule - sluice deployment set-schedule: a new schedule in
 * place; its Scheduled runs of the old one are taken back and made again
 */
int
dp_setschedule(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct sl_deploy n;
	struct dp_edit x = { -1, NULL, NULL, &n };
	char	sch[256];
	int	rc;

	if (a->val[O_CRON] == NULL && a->val[O_INTERVAL] == NULL)
		usage_error(NULL, "give --cron EXPR or --interval S");
	memset(&n, 0, sizeof(n));
	schedule_opts(a, &n, time(NULL));
	if ((rc = dp_change(sp, cf, a->pos[0], &x)) == 0) {
		sl_deploy_schedule_text(&n, sch, sizeof(sch));
		printf("Deployment '%s' now runs %s.\n", a->pos[0], sch);
	}
	sl_deploy_free(&n);
	return rc;
}

/* dp_delete - sluice deployment delete */
int
dp_delete(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	(void)cf;
	if (sl_deploy_delete(sp, a->pos[0], err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("Deleted deployment '%s'.\n", a->pos[0]);
	return 0;
}

/* dp_run - sluice deployment run */
int
dp_run(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_deploy d;
	char	id[SL_UUID_LEN + 1];
	time_t	when = time(NULL);
	int	rc;

	(void)cf;
	if (a->val[O_AT] != NULL && sl_time_parse(a->val[O_AT], time(NULL),
	    &when) < 0)
		usage_error(NULL, "invalid time '%s': use RFC 3339 with an offset "
		    "(2026-11-28T14:00:00Z), @EPOCH, now, or +N[smhd]",
		    a->val[O_AT]);
	if (sl_deploy_load(sp, a->pos[0], &d, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	rc = sl_deploy_run(sp, &d, when, id, err, sizeof(err));
	sl_deploy_free(&d);
	if (rc < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	printf("%s\n", id);
	return 0;
}

/* dp_edit_alerts - sl_deploy_update's edit: apply an alertset; 1 if
 * nothing changed (no new version) */
static int
dp_edit_alerts(struct sl_deploy *d, void *arg, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	return alert_apply(arg, d->on_failure, d->on_crash, d->mail);
}

/*
 * dp_alerts - sluice deployment set-alerts: the deployment's on_failure,
 * on_crash and mail, which win over its pool's for its runs (alert.c)
 */
int
dp_alerts(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct alertset as;
	struct sl_deploy d;

	(void)cf;
	alert_opts(a, &as);
	memset(&d, 0, sizeof(d));
	if (sl_deploy_update(sp, a->pos[0], dp_edit_alerts, &as, 0, &d, err,
	    sizeof(err)) < 0) {
		sl_warn("%s", err);
		sl_deploy_free(&d);
		return EX_FAIL;
	}
	printf("Set the alerts of deployment '%s': on_failure %s, on_crash %s, "
	    "mail %s\n", d.name, d.on_failure[0] ? d.on_failure : "none",
	    d.on_crash[0] ? d.on_crash : "none", d.mail[0] ? d.mail : "none");
	sl_deploy_free(&d);
	return 0;
}
