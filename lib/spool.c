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
#include <stdarg.h>
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

/*
 * sl_spool_locate - which spool, and why (sp->source), without making it:
 * --spool, $SLUICE_SPOOL, sluice.ini's spool, /var/spool/sluice if it
 * exists, $XDG_STATE_HOME/sluice, $HOME/.local/state/sluice
 */
int
sl_spool_locate(struct sl_spool *sp, const char *opt,
    const struct sl_config *cf, char *err, size_t errlen)
{
	const char *v, *home;
	struct stat st;

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
	} else if (sl_stat("/var/spool/sluice", &st) == 0 && S_ISDIR(st.st_mode)) {
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
	/* "/srv/spool/" from a config file: paths built from it would have
	 * "//" in them, which dirfd.c leaves to a walk in full */
	for (size_t n = strlen(sp->root); n > 1 && sp->root[n - 1] == '/'; n--)
		sp->root[n - 1] = '\0';
	sl_dirfd_root(sp->root);
	return 0;
}

/* sl_spool_resolve - sl_spool_locate, and make the spool if it is not
 * there yet */
int
sl_spool_resolve(struct sl_spool *sp, const char *opt,
    const struct sl_config *cf, char *err, size_t errlen)
{
	char   *pools;

	if (sl_spool_locate(sp, opt, cf, err, errlen) < 0)
		return -1;
	pools = sl_place(sp, SL_PL_POOLS, NULL, NULL, (char *)NULL);
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

/*
 * The place table: every fixed place of the spool, where it is relative to
 * the spool (level 0), to pools/POOL (level 1) or to pools/POOL/queues/QUEUE
 * (level 2).  spool-layout.md, "The tree", says what each holds; this table
 * and that tree must agree.
 */
static const struct {
	int	level;
	const char *rel;		/* "": the level's own directory */
} places[SL_NPLACES] = {
	[SL_PL_POOLS] = { 0, "pools" },
	[SL_PL_DEPLOYMENTS] = { 0, "deployments" },
	[SL_PL_POOL] = { 1, "" },
	[SL_PL_CONFIG] = { 1, "config" },
	[SL_PL_QUEUES] = { 1, "queues" },
	[SL_PL_PENDING] = { 1, "pending" },
	[SL_PL_RUNNING] = { 1, "running" },
	[SL_PL_DONE] = { 1, "done" },
	[SL_PL_REJECTED] = { 1, "rejected" },
	[SL_PL_TMP] = { 1, "tmp" },
	[SL_PL_SLOTS] = { 1, "slots" },
	[SL_PL_AGENTS] = { 1, "agents" },
	[SL_PL_QUEUE] = { 2, "" },
	[SL_PL_SCHED] = { 2, "sched" },
	[SL_PL_NEW] = { 2, "new" },
	[SL_PL_DROPTMP] = { 2, "tmp" },
	[SL_PL_IDS] = { 0, "ids" },
};

/*
 * sl_place - the path of place pl (of pool, and of queue for a queue's
 * places; NULL where the place has none), with the further components
 * given appended, up to a NULL: sl_place(sp, SL_PL_PENDING, pool, NULL,
 * agent, token, NULL).  malloc'd.
 */
char *
sl_place(const struct sl_spool *sp, enum sl_place pl, const char *pool,
    const char *queue, ...)
{
	struct sl_buf b = { 0 };
	const char *c;
	va_list	ap;

	if ((unsigned)pl >= SL_NPLACES || (places[pl].level >= 1 &&
	    pool == NULL) || (places[pl].level == 2 && queue == NULL))
		sl_panic("sl_place: place %d needs a%s name", (int)pl,
		    pool == NULL ? " pool" : " queue");
	sl_buf_puts(&b, sp->root);
	if (places[pl].level == 0) {
		sl_buf_puts(&b, "/");
		sl_buf_puts(&b, places[pl].rel);
	} else {
		sl_buf_printf(&b, "/pools/%s", pool);
		if (places[pl].level == 2)
			sl_buf_printf(&b, "/queues/%s", queue);
		if (places[pl].rel[0] != '\0')
			sl_buf_printf(&b, "/%s", places[pl].rel);
	}
	va_start(ap, queue);
	while ((c = va_arg(ap, const char *)) != NULL) {
		sl_buf_puts(&b, "/");
		sl_buf_puts(&b, c);
	}
	va_end(ap);
	return b.s;
}

char *
sl_pool_dir(const struct sl_spool *sp, const char *pool)
{
	return sl_place(sp, SL_PL_POOL, pool, NULL, (char *)NULL);
}

char *
sl_queue_dir(const struct sl_spool *sp, const char *pool, const char *q)
{
	return sl_place(sp, SL_PL_QUEUE, pool, q, (char *)NULL);
}
