/*
 * config.c - sluice config (sluice(1)): the spool in force and where that
 * choice came from (--spool, $SLUICE_SPOOL, sluice.ini, /var/spool/sluice,
 * $XDG_STATE_HOME, $HOME), the configuration file read, and every setting
 * as it is in effect.  It only reads: it does not make the spool.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

/* the numeric settings, in sluice.ini(5)'s order */
#define NNUM	7

/* cfg_source - where the configuration came from, in words */
static const char *
cfg_source(const struct sl_config *cf)
{
	const char *env = getenv("SLUICE_CONFIG");

	if (env != NULL && *env != '\0')
		return cf->path != NULL ? "$SLUICE_CONFIG" :
		    "$SLUICE_CONFIG=/dev/null: no file, every default";
	return cf->path != NULL ? "the system's file" :
	    "no /etc/sluice/sluice.ini: every default";
}

/* group_name - the name of gid, or its number, or "" for -1 */
static const char *
group_name(long gid, char *buf, size_t len)
{
	struct group *gr;

	buf[0] = '\0';
	if (gid < 0)
		return buf;
	if ((gr = getgrgid((gid_t)gid)) != NULL)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%ld", gid);
	return buf;
}

/* cfg_show - sluice config */
int
cfg_show(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	const char *key[NNUM] = { "late_after", "heartbeat",
	    "missed_heartbeats", "lease", "cancel_grace", "keep_days",
	    "poll_seconds" };
	long	val[NNUM] = { cf->late_after, cf->heartbeat,
	    cf->missed_heartbeats, cf->lease, cf->cancel_grace, cf->keep_days,
	    cf->poll_seconds };
	static const char *const who[] = { [SL_SUBMIT_OWNER] = "owner",
	    [SL_SUBMIT_ALL] = "all", [SL_SUBMIT_GROUP] = NULL };
	struct sl_buf b = { 0 };
	char	sg[64], ag[64];
	const char *subm;
	size_t	i;
	int	f = 1, g = 1;

	subm = who[cf->submitters] != NULL ? who[cf->submitters] :
	    group_name(cf->submit_gid, sg, sizeof(sg));
	group_name(cf->admin_gid, ag, sizeof(ag));
	if (a->val[O_JSON] != NULL) {
		sl_buf_add(&b, "{", 1);
		sl_json_key(&b, &f, "spool");
		sl_json_str(&b, sp->root);
		sl_json_key(&b, &f, "spool_from");
		sl_json_str(&b, sp->source);
		sl_json_key(&b, &f, "config");
		sl_json_str(&b, cf->path);
		sl_json_key(&b, &f, "config_from");
		sl_json_str(&b, cfg_source(cf));
		sl_json_key(&b, &f, "settings");
		sl_buf_add(&b, "{", 1);
		for (i = 0; i < NNUM; i++) {
			sl_json_key(&b, &g, key[i]);
			sl_json_long(&b, val[i], 0);
		}
		sl_json_key(&b, &g, "log");
		sl_json_str(&b, cf->log);
		sl_json_key(&b, &g, "submitters");
		sl_json_str(&b, subm);
		sl_json_key(&b, &g, "admins");
		sl_json_str(&b, ag[0] ? ag : NULL);
		sl_buf_puts(&b, "}}\n");
		emit(&b);
		return 0;
	}
	printf("spool=%s (from %s)\n", sp->root, sp->source);
	if (cf->path != NULL)
		printf("config=%s (from %s)\n", cf->path, cfg_source(cf));
	else
		printf("config=none (%s)\n", cfg_source(cf));
	for (i = 0; i < NNUM; i++)
		printf("%s=%ld\n", key[i], val[i]);
	printf("log=%s\nsubmitters=%s\nadmins=%s\n", cf->log, subm,
	    ag[0] ? ag : "none");
	return 0;
}
