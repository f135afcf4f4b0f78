/*
 * dispatch.c - one pass over a pool, as sluice-dispatch and agents make it,
 * and the inotify hints that make the next pass come early.
 *
 * A pass: accept dropped files; recover what dead processes left (runs of
 * gone agents, stale slots); clean up old finished runs; then claim due
 * runs for the pool's online agents, one run per agent in turn until no
 * agent gets another, so that agents share a backlog.  Every step is safe
 * with any number of passes running at once on any number of hosts; the
 * directory is the state, nothing is remembered between passes.
 *
 * inotify sees only this host's changes, so it is a hint for speed: the
 * caller waits for an event or for poll_seconds, whichever comes first,
 * and every pass is a full rescan (also after IN_Q_OVERFLOW).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>

#include <inotifytools/inotifytools.h>

#include "sluice.h"

/*
 * sl_dispatch_pool - one pass over pool; counts in *pass.  full: also
 * recover and clean up (the periodic rescan); else accept and claim only
 * (a pass woken by inotify, which must be quick).
 */
int
sl_dispatch_pool(const struct sl_spool *sp, const struct sl_config *cf,
    const char *pool, time_t now, int full, struct sl_pass *pass)
{
	struct sl_agent *ag;
	struct sl_names got = { 0 };
	char	err[SL_ERR_MAX], id[SL_UUID_LEN + 1];
	size_t	na, i, j;
	long	n, round;
	time_t	next;
	int	*done;

	n = sl_accept_pool(sp, pool, err, sizeof(err));
	if (n < 0)
		sl_log(SL_ERROR, "%s", err);
	else
		pass->accepted += n;
	if (full) {
		pass->recovered += sl_recover_pool(sp, pool, now,
		    cf->heartbeat * cf->missed_heartbeats, 10 * cf->lease);
		pass->recovered += sl_recover_running(sp, pool, now, cf->lease);
		(void)sl_cleanup_pool(sp, pool, cf->keep_days, now);
	}
	if (sl_agents_load(sp, pool, &ag, &na) < 0) {
		sl_log(SL_ERROR, "cannot read the agents of work pool '%s': %s",
		    pool, strerror(errno));
		return -1;
	}
	done = calloc(na ? na : 1, sizeof(int));
	if (done == NULL)
		sl_fatal("out of memory");
	for (i = 0; i < na; i++)	/* only live, complete registrations */
		done[i] = !ag[i].registered ||
		    !sl_agent_online(&ag[i], now, cf->heartbeat * cf->missed_heartbeats);
	for (round = 1; round > 0;) {
		round = 0;
		for (i = 0; i < na; i++) {
			if (done[i])
				continue;
			n = sl_claim(sp, &ag[i], 1, now, &got, &next, err,
			    sizeof(err));
			if (next != 0 && (pass->next == 0 || next - ag[i].prefetch <
			    pass->next))
				pass->next = next - ag[i].prefetch;
			if (n <= 0) {
				if (n < 0)
					sl_log(SL_ERROR, "%s", err);
				done[i] = 1;
				continue;
			}
			for (j = 0; j < got.n; j++) {
				sl_token_parse(got.v[j], NULL, id);
				sl_log(SL_INFO, "Claimed flow run '%s' for agent "
				    "'%s' (%s) in work pool '%s'", id, ag[i].name,
				    ag[i].id, pool);
			}
			sl_names_free(&got);
			pass->claimed += n;
			round += n;
		}
	}
	free(done);
	sl_agents_free(ag, na);
	return 0;
}

/* ---- inotify hints ---- */

static int watching;

/* watch - ask for events on one directory, if it exists */
static void
watch(const char *dir)
{
	/* libinotifytools makes a new record for a path watched again
	 * (and keeps the old one), so only new paths are added */
	if (inotifytools_wd_from_filename(dir) >= 0)
		return;
	/* RACE: the directory may vanish or appear between passes; a watch
	 * missed is only a later wake-up, the periodic rescan finds all */
	(void)inotifytools_watch_file(dir, IN_CREATE | IN_MOVED_TO |
	    IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ONLYDIR);
}

/*
 * sl_watch_pool - watch the places of a pool where work appears or frees
 * up: the drop boxes and sched/ of every queue, pending/ and its agents,
 * running/, done/, slots/, agents/, config/.  Called before every wait, so
 * queues made since the last pass are watched too.
 */
int
sl_watch_pool(const struct sl_spool *sp, const char *pool)
{
	static const char *const sub[] = { "", "queues", "pending", "running",
	    "done", "slots", "agents", "config", NULL };
	char   *pd = sl_pool_dir(sp, pool), *p, **v;
	size_t	n, i;
	int	k;

	if (!watching) {
		if (!inotifytools_initialize()) {
			free(pd);
			return -1;
		}
		watching = 1;
		p = sl_path(sp->root, "pools", (char *)NULL);
		watch(p);
		free(p);
	}
	for (k = 0; sub[k] != NULL; k++) {
		p = *sub[k] ? sl_path(pd, sub[k], (char *)NULL) : sl_xstrdup(pd);
		watch(p);
		free(p);
	}
	p = sl_path(pd, "queues", (char *)NULL);
	if (sl_pool_names_in(p, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			char   *a = sl_path(p, v[i], "new", (char *)NULL);
			char   *b = sl_path(p, v[i], "sched", (char *)NULL);
			char   *c = sl_path(p, v[i], (char *)NULL);

			watch(a);
			watch(b);
			watch(c);	/* new/ or sched/ made by hand later */
			free(a);
			free(b);
			free(c);
			free(v[i]);
		}
		free(v);
	}
	free(p);
	p = sl_path(pd, "pending", (char *)NULL);
	if (sl_pool_names_in(p, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			char   *a = sl_path(p, v[i], (char *)NULL);

			watch(a);
			free(a);
			free(v[i]);
		}
		free(v);
	}
	free(p);
	free(pd);
	return 0;
}

/*
 * sl_watch_wait - wait up to timeout seconds (at least 1) for a change on
 * this host.  1 woken by an event, 0 timed out or interrupted, -1 inotify
 * is not available.  Events are not drained: libinotifytools cannot poll
 * without blocking, and a queued event only makes the next wait return at
 * once, for a pass that finds little to do.  IN_Q_OVERFLOW needs nothing
 * else: every pass is a full rescan of its directories.
 */
int
sl_watch_wait(long timeout)
{
	if (timeout < 1)
		timeout = 1;	/* 0 would block for ever */
	if (!watching) {
		struct timespec ts = { timeout, 0 };

		nanosleep(&ts, NULL);
		return 0;
	}
	return inotifytools_next_event(timeout) != NULL;
}

/* sl_watch_close - drop every watch (at exit) */
void
sl_watch_close(void)
{
	if (watching)
		inotifytools_cleanup();
	watching = 0;
}
