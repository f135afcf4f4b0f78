/*
 * sluice-dispatch - hand Scheduled runs to the agents that serve them.
 *
 *	sluice-dispatch [--spool DIR] [-p POOL]... [--once | --watch]
 *	    [--poll-seconds S]
 *
 * --once (the default; for cron) makes one pass over each pool (every pool
 * of the spool if no -p is given) and exits.  --watch makes a pass, then
 * waits for a change on this host (inotify) or for --poll-seconds,
 * whichever comes first, or for the next run to come due, and passes
 * again, until SIGTERM or SIGINT.  A pass is libsluice's sl_dispatch_pool:
 * accept dropped files, recover what dead agents and claimers left, clean
 * up, and claim due runs for each online agent within every limit.
 * Any number of dispatchers and agents may run at once, on any number of
 * hosts: claims are renames, limits are slot names (spool-layout.md).
 *
 * Signal handlers only set a flag (OpenBSD cron's rule).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static volatile sig_atomic_t stop;
static int missing;		/* a pool named by -p does not exist */

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum { D_SPOOL, D_POOL, D_POLL, D_HELP, D_VERSION, D_ONCE, D_WATCH, D_NOPT };

/* the options (sluice-dispatch(8)) */
static const struct sl_opt opts[D_NOPT] = {
	[D_SPOOL] = { "--spool", NULL, 1 },
	[D_POOL] = { "--pool", "-p", 1 },
	[D_POLL] = { "--poll-seconds", NULL, 1 },
	[D_HELP] = { "--help", "-h", 0 },
	[D_VERSION] = { "--version", NULL, 0 },
	[D_ONCE] = { "--once", NULL, 0 },
	[D_WATCH] = { "--watch", NULL, 0 },
};

/* usage - the synopsis, on stdout for --help, else on stderr; exit rc */
static _Noreturn void
usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: sluice-dispatch [--spool DIR] "
	    "[-p POOL]... [--once | --watch] [--poll-seconds S]\n"
	    "See sluice-dispatch(8).\n");
	exit(rc);
}

/*
 * pass - one pass over the pools; the earliest time a run comes due.
 * watch: set the pools' inotify watches up after (--watch).  --once sets
 * none: a watch on a directory costs the kernel a walk of its cached
 * entries (17 ms at 100,000 queued runs), for events nobody would read.
 */
static time_t
pass(const struct sl_spool *sp, const struct sl_config *cf, char **pools,
    int npools, int full, int watch)
{
	struct sl_pass total;
	char  **names = pools, err[SL_ERR_MAX];
	size_t	n = (size_t)npools, i;
	time_t	now = time(NULL);

	memset(&total, 0, sizeof(total));
	if (npools == 0 && sl_pool_names(sp, &names, &n) < 0) {
		sl_log(SL_ERROR, "cannot list the pools of %s: %s", sp->root,
		    strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct sl_pass p;

		memset(&p, 0, sizeof(p));
		if (!sl_pool_exists(sp, names[i])) {
			snprintf(err, sizeof(err), "Work pool '%s' not found.",
			    names[i]);
			sl_log(SL_ERROR, "%s", err);
			missing = 1;
			continue;
		}
		(void)sl_dispatch_pool(sp, cf, names[i], now, full, &p);
		total.accepted += p.accepted;
		total.recovered += p.recovered;
		total.claimed += p.claimed;
		if (p.next != 0 && (total.next == 0 || p.next < total.next))
			total.next = p.next;
		if (watch)
			(void)sl_watch_pool(sp, names[i], full);
	}
	if (npools == 0) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (total.accepted || total.recovered || total.claimed)
		sl_log(SL_DEBUG, "pass: %ld accepted, %ld recovered, %ld claimed",
		    total.accepted, total.recovered, total.claimed);
	return total.next;
}

int
main(int argc, char **argv)
{
	static struct sl_config cf;
	struct sl_spool sp;
	struct sigaction sa;
	const char *spool = NULL;
	char  **pools = NULL, err[SL_ERR_MAX];
	long	poll = -1, wait_s;
	struct sl_optget g;
	int	npools = 0, watch = 0, ready = 0, o;
	time_t	next, last_full = 0, now;

	sl_set_progname(argv[0]);
	sl_notify_init();	/* systemd's, if any (Type=notify, --watch) */
	sl_opt_init(&g, opts, D_NOPT, SL_OPT_NOARGS, argc, argv);
	while ((o = sl_opt_next(&g)) != SL_OPT_END) {
		const char *v = g.val;

		switch (o) {
		case SL_OPT_UNKNOWN:
		case SL_OPT_BAD:
			sl_warn("%s", g.err);
			usage(2);
		case D_HELP:
			usage(0);
		case D_VERSION:
			printf("sluice-dispatch %s\n", SLUICE_VERSION);
			return 0;
		case D_ONCE:
		case D_WATCH:
			watch = o == D_WATCH;
			break;
		case D_SPOOL:
			spool = v;
			break;
		case D_POLL:
			if (sl_num_parse(v, 1, 86400, &poll) < 0) {
				sl_warn("invalid --poll-seconds '%s': 1 to 86400", v);
				usage(2);
			}
			break;
		case D_POOL:
			if (!sl_name_ok(v)) {
				sl_warn("invalid work pool name '%s': it %s", v,
				    sl_name_why(v));
				usage(2);
			}
			pools = sl_xrealloc(pools, (npools + 1) * sizeof(*pools));
			pools[npools++] = (char *)v;
			break;
		}
	}
	if (sl_config_load(&cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	if (poll < 0)
		poll = cf.poll_seconds;
	if (sl_log_open(cf.log, "sluice.dispatch") < 0)
		sl_fatal("log = %s: cannot open", cf.log);
	if (sl_spool_resolve(&sp, spool, &cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	sl_perm_denied_hint(&sp);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: waits return */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		sl_fatal("sigaction: %s", strerror(errno));
	if (watch)
		sl_log(SL_INFO, "Dispatcher started on %s, rescanning every %ld s",
		    sp.root, poll);
	for (;;) {
		now = time(NULL);
		next = pass(&sp, &cf, pools, npools, now - last_full >= poll ||
		    !watch, watch);
		if (now - last_full >= poll || !watch)
			last_full = now;
		if (!watch || stop)
			break;
		/* READY=1 after the first pass, which set the watches up;
		 * --once, a oneshot service, tells nothing */
		if (!ready) {
			(void)sl_notify("READY=1\nSTATUS=Dispatching");
			ready = 1;
		}
		wait_s = poll - (time(NULL) - last_full);
		if (next != 0 && next - time(NULL) < wait_s)
			wait_s = next - time(NULL);
		sl_notify_tick(&wait_s);	/* the watchdog, never late */
		/* RACE: a change on another host is seen at the next rescan,
		 * at most poll seconds away: inotify sees only this host */
		(void)sl_watch_wait(wait_s);
		if (stop)
			break;
	}
	if (watch) {
		(void)sl_notify("STOPPING=1");
		sl_log(SL_INFO, "Dispatcher stopped");
	}
	sl_watch_close();
	free(pools);
	sl_spool_free(&sp);
	sl_config_free(&cf);
	return missing && !watch ? 1 : 0;
}
