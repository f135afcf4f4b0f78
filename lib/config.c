/*
 * config.c - sluice.ini, the host's configuration (sluice.ini(5)).
 *
 * Read from $SLUICE_CONFIG, else /etc/sluice/sluice.ini.  A missing
 * /etc/sluice/sluice.ini means every default; a $SLUICE_CONFIG that names a
 * missing file is an error (the user asked for it); SLUICE_CONFIG=/dev/null
 * means no file at all.  Every key is optional
 * and every value is checked: a bad value is an error, never a silent
 * default.  The permission keys (submitters, admins) name groups, which
 * are looked up here, and the policy they make is handed to perm.c.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>

#include "sluice.h"

/* SYSCONFDIR of the Makefile, /etc unless the build says otherwise */
#ifndef SL_SYSCONFDIR
#define SL_SYSCONFDIR	"/etc"
#endif
#define SYSTEM_CONFIG	SL_SYSCONFDIR "/sluice/sluice.ini"

static const struct {
	const char *key;
	size_t	off;
	long	def, min, max;
} numeric[] = {
	{ "late_after", offsetof(struct sl_config, late_after), 15, 0, 86400 * 365 },
	{ "heartbeat", offsetof(struct sl_config, heartbeat), 10, 1, 86400 },
	{ "missed_heartbeats", offsetof(struct sl_config, missed_heartbeats), 3, 1, 1000 },
	{ "lease", offsetof(struct sl_config, lease), 30, 2, 86400 },
	{ "cancel_grace", offsetof(struct sl_config, cancel_grace), 30, 0, 86400 },
	{ "keep_days", offsetof(struct sl_config, keep_days), 7, 0, 36500 },
	{ "poll_seconds", offsetof(struct sl_config, poll_seconds), 10, 1, 86400 },
};

static long *
field(struct sl_config *c, size_t off)
{
	return (long *)(void *)((char *)c + off);
}

int
sl_config_load(struct sl_config *c, char *err, size_t errlen)
{
	const char *path = getenv("SLUICE_CONFIG"), *v;
	struct sl_ini *ini;
	char	why[SL_ERR_MAX];
	size_t	i;
	long	n;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++)
		*field(c, numeric[i].off) = numeric[i].def;
	c->log = sl_xstrdup("stderr");
	c->log_max = SL_LOGCAP_DEFAULT;
	c->submitters = SL_SUBMIT_OWNER;
	c->submit_gid = c->admin_gid = -1;
	sl_perm_policy(c);
	if (path == NULL || *path == '\0') {
		path = SYSTEM_CONFIG;
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
	}
	if (strcmp(path, "/dev/null") == 0)
		return 0;		/* the usual way to say "no file" */
	if ((ini = sl_ini_load(path, 0, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "configuration: %s", why);
		sl_config_free(c);
		return -1;
	}
	c->path = sl_xstrdup(path);
	if ((v = sl_ini_get(ini, "sluice", "spool")) != NULL && *v != '\0') {
		if (v[0] != '/') {
			snprintf(err, errlen, "%s: spool = %s: must be an "
			    "absolute path", path, v);
			goto fail;
		}
		c->spool = sl_xstrdup(v);
	}
	for (i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
		if ((v = sl_ini_get(ini, "sluice", numeric[i].key)) == NULL)
			continue;
		if (sl_num_parse(v, numeric[i].min, numeric[i].max, &n) < 0) {
			snprintf(err, errlen, "%s: %s = %s: must be a whole "
			    "number from %ld to %ld", path, numeric[i].key, v,
			    numeric[i].min, numeric[i].max);
			goto fail;
		}
		*field(c, numeric[i].off) = n;
	}
	for (i = 0; i < (size_t)sl_ini_nkeys(ini, "sluice"); i++) {
		const char *k = sl_ini_key(ini, "sluice", (int)i);
		size_t	j;

		if (k == NULL || strcmp(k, "spool") == 0 || strcmp(k, "log") == 0 ||
		    strcmp(k, "log_max") == 0 ||
		    strcmp(k, "submitters") == 0 || strcmp(k, "admins") == 0)
			continue;
		for (j = 0; j < sizeof(numeric) / sizeof(numeric[0]); j++)
			if (strcmp(k, numeric[j].key) == 0)
				break;
		if (j == sizeof(numeric) / sizeof(numeric[0]))
			sl_warn("%s: unknown key '%s' in [sluice] ignored "
			    "(see sluice.ini(5))", path, k);
	}
	if ((v = sl_ini_get(ini, "sluice", "log")) != NULL) {
		if (strcmp(v, "stderr") != 0 && strcmp(v, "syslog") != 0) {
			snprintf(err, errlen, "%s: log = %s: must be stderr or "
			    "syslog", path, v);
			goto fail;
		}
		free(c->log);
		c->log = sl_xstrdup(v);
	}
	if ((v = sl_ini_get(ini, "sluice", "log_max")) != NULL &&
	    sl_size_parse(v, &c->log_max) < 0) {
		snprintf(err, errlen, "%s: log_max = %s: must be a size in bytes, "
		    "optionally followed by k, M or G (times 1024, 1024^2, "
		    "1024^3), at most 1024G; 0 means no limit", path, v);
		goto fail;
	}
	if ((v = sl_ini_get(ini, "sluice", "submitters")) != NULL) {
		struct group *gr;

		if (strcmp(v, "owner") == 0)
			c->submitters = SL_SUBMIT_OWNER;
		else if (strcmp(v, "all") == 0)
			c->submitters = SL_SUBMIT_ALL;
		else if (*v != '\0' && (gr = getgrnam(v)) != NULL) {
			c->submitters = SL_SUBMIT_GROUP;
			c->submit_gid = (long)gr->gr_gid;
		} else {
			snprintf(err, errlen, "%s: submitters = %s: must be owner, "
			    "all, or the name of a group of this host", path, v);
			goto fail;
		}
	}
	if ((v = sl_ini_get(ini, "sluice", "admins")) != NULL && *v != '\0') {
		struct group *gr;

		if ((gr = getgrnam(v)) == NULL) {
			snprintf(err, errlen, "%s: admins = %s: must be the name of "
			    "a group of this host", path, v);
			goto fail;
		}
		c->admin_gid = (long)gr->gr_gid;
	}
	if (c->lease <= c->heartbeat) {
		/* a supervisor renews its lease every heartbeat */
		snprintf(err, errlen, "%s: lease = %ld must be longer than "
		    "heartbeat = %ld: a running run's lease is renewed every "
		    "heartbeat", path, c->lease, c->heartbeat);
		goto fail;
	}
	sl_ini_free(ini);
	sl_perm_policy(c);
	return 0;
fail:
	sl_ini_free(ini);
	sl_config_free(c);
	return -1;
}

void
sl_config_free(struct sl_config *c)
{
	free(c->path);
	free(c->spool);
	free(c->log);
	memset(c, 0, sizeof(*c));
}
