/*
 * spool.c - where the spool is (sluice(1), "The spool"), and its fixed places.
 *
 * First match wins: --spool DIR, $SLUICE_SPOOL, "spool =" in [sluice] of
 * the configuration file, /var/spool/sluice if it exists, and last the
 * embedded default ${XDG_STATE_HOME:-$HOME/.local/state}/sluice.  Whichever
 * is chosen is made (with its pools/ directory) on first use, so a new user
 * needs no set-up.  A relative path is made absolute at once: agents and
 * supervisors change directory, the spool must not move with them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice.h"

static char *
absolute(const char *p)
{
	char	cwd[PATH_MAX];

	if (p[0] == '/')
		return sl_xstrdup(p);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	return sl_path(cwd, p, (char *)NULL);
}

int
sl_spool_resolve(struct sl_spool *sp, const char *opt,
    const struct sl_config *cf, char *err, size_t errlen)
{
	const char *v, *home;
	struct stat st;
	char   *pools;

	memset(sp, 0, sizeof(*sp));
	if (opt != NULL && *opt != '\0') {
		sp->root = absolute(opt);
		sp->source = "--spool";
	} else if ((v = getenv("SLUICE_SPOOL")) != NULL && *v != '\0') {
		sp->root = absolute(v);
		sp->source = "$SLUICE_SPOOL";
	} else if (cf != NULL && cf->spool != NULL) {
		sp->root = sl_xstrdup(cf->spool);
		sp->source = cf->path;
	} else if (stat("/var/spool/sluice", &st) == 0 && S_ISDIR(st.st_mode)) {
		sp->root = sl_xstrdup("/var/spool/sluice");
		sp->source = "/var/spool/sluice exists";
	} else if ((v = getenv("XDG_STATE_HOME")) != NULL && v[0] == '/') {
		sp->root = sl_path(v, "sluice", (char *)NULL);
		sp->source = "$XDG_STATE_HOME";
	} else if ((home = getenv("HOME")) != NULL && home[0] == '/') {
		sp->root = sl_path(home, ".local/state/sluice", (char *)NULL);
		sp->source = "$HOME/.local/state";
	} else {
		snprintf(err, errlen, "no spool: set $SLUICE_SPOOL, pass "
		    "--spool DIR, or set $HOME");
		return -1;
	}
	if (sp->root == NULL) {
		snprintf(err, errlen, "cannot make the spool path absolute: %s",
		    strerror(errno));
		return -1;
	}
	pools = sl_path(sp->root, "pools", (char *)NULL);
	if (sl_mkdirs(pools, 0755) < 0) {
		snprintf(err, errlen, "cannot create the spool %s (chosen by "
		    "%s): %s", pools, sp->source, strerror(errno));
		free(pools);
		sl_spool_free(sp);
		return -1;
	}
	free(pools);
	return 0;
}

void
sl_spool_free(struct sl_spool *sp)
{
	free(sp->root);
	sp->root = NULL;
}

char *
sl_pool_dir(const struct sl_spool *sp, const char *pool)
{
	return sl_path(sp->root, "pools", pool, (char *)NULL);
}

char *
sl_queue_dir(const struct sl_spool *sp, const char *pool, const char *q)
{
	return sl_path(sp->root, "pools", pool, "queues", q, (char *)NULL);
}
