/*
 * dispatch.c - one pass over a pool, as sluice-dispatch and agents make it,
 * and the inotify hints that make the next pass come early.
 *
 * A pass: accept dropped files; recover what dead processes left (runs of
 * gone agents, stale slots, dead registrations); clean up old finished
 * runs; then claim due runs for the pool's live agents, one run per agent
 * in turn until no agent gets another, so that agents share a backlog.
 * Every step is safe with any number of passes running at once on any
 * number of hosts; the directory is the state, nothing is remembered
 * between passes.
 *
 * Whom to claim for: an agent whose registration is complete, that is not
 * dead on this host (agent.c: pid, start time, boot), and whose last beat
 * is at most claim_window() old: one heartbeat period and one more of
 * margin, tighter than the window after which its claims are taken back
 * (heartbeat x missed_heartbeats).  A run claimed for an agent that died
 * waits in pending/ until recovery returns it, while its slots starve the
 * pool; not claiming for a live agent that looks late costs nothing, as
 * every agent claims for itself.  An agent dead on this host found by a
 * quick pass has its runs handed back in that pass.
 *
 * inotify sees only this host's changes, so it is a hint for speed: the
 * caller waits for an event or for poll_seconds, whichever comes first,
 * and every pass is a full rescan (also after IN_Q_OVERFLOW).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <inotifytools/inotifytools.h>

#include "sluice.h"

/* claim_window - how old a beat may be for a claim (see the top) */
static long
claim_window(const struct sl_config *cf)
{
	long	w = 2 * cf->heartbeat, off = sl_offline_after(cf);

	return w < off ? w : off;
}

/*
 * Finished runs are swept (removed after keep_days) by a full pass at most
 * every SWEEP_DONE_EVERY seconds per pool in one process: the sweep reads
 * every finished run's result, which at a few thousand runs costs more
 * than the rest of a pass (6 opens a run: 3.3 s a pass at 2,900 runs on
 * this machine, loaded), and keep_days counts days.
 *
 * Recovery (runs of gone agents, stale slots, crashed runs, deployments
 * coming due, stranded private directories) is made by a full pass at most
 * once a heartbeat per pool in one process: every time it judges by is a
 * heartbeat or a lease long (an agent is gone after heartbeat x
 * missed_heartbeats, a lease outlives a heartbeat), and at 100 calls a
 * pass it was most of what an agent polling each second asked of a
 * network filesystem.  A run whose supervisor died on this host is ended
 * up to a heartbeat later than it was (with poll_seconds below heartbeat).
 *
 * These memories are rates only: a process that starts recovers and
 * sweeps in its first full pass, and `sluice flow-run ls`, which reads
 * every run anyway, sweeps each time.
 */
#define SWEEP_DONE_EVERY	600
#define RATE_POOLS		64

struct rate {
	char   *pool;		/* the pool's directory: a process may serve
				 * two spools with pools of one name (the
				 * unit tests without fork do) */
	time_t	at;
};

/* rate_due - has pool (its directory) not been served by t for every
 * seconds? */
static int
rate_due(struct rate *t, size_t *n, const char *pool, time_t now, long every)
{
	size_t	i;

	for (i = 0; i < *n && strcmp(t[i].pool, pool) != 0; i++)
		;
	if (i == *n) {
		if (*n == RATE_POOLS)
			return 1;	/* a process serving this many pools
					 * does it every full pass */
		t[*n].pool = sl_xstrdup(pool);
		t[(*n)++].at = now;
		return 1;
	}
	/* a clock stepped back: now, and count from now */
	if (now - t[i].at < every && now >= t[i].at)
		return 0;
	t[i].at = now;
	return 1;
}

static int
sweep_due(const char *pool, time_t now)
{
	static struct rate t[RATE_POOLS];
	static size_t n;

	return rate_due(t, &n, pool, now, SWEEP_DONE_EVERY);
}

static int
recover_due(const char *pool, time_t now, long heartbeat)
{
	static struct rate t[RATE_POOLS];
	static size_t n;

	return rate_due(t, &n, pool, now, heartbeat);
}

/*
 * sl_maintain_pool - the upkeep part of a pass, which agents make as well
 * as dispatchers: accept dropped files; and when full and a heartbeat has
 * gone by since the last time (see the top), hand back the runs of gone
 * agents and stale slots, end crashed runs, schedule deployments and clean
 * up.  Counts in *pass.  Returns 1 if it recovered, else 0: the caller
 * then rereads what it keeps of the pool too.
 */
int
sl_maintain_pool(const struct sl_spool *sp, const struct sl_config *cf,
    const char *pool, time_t now, int full, struct sl_pass *pass)
{
	char	err[SL_ERR_MAX], *pd = full ? sl_pool_dir(sp, pool) : NULL;
	long	n;
	int	deep = full && recover_due(pd, now, cf->heartbeat);

	/* a quick pass looks into the drop boxes only if this host's
	 * inotify saw something there (or cannot say), and lists only
	 * those whose times changed; a full pass lists them all.  RACE: a
	 * file dropped on another host is seen by the next full pass, as
	 * no event crosses hosts */
	if (full)
		n = sl_accept_pool(sp, pool, err, sizeof(err));
	else if (sl_watch_seen() & SL_SEEN_DROP)
		n = sl_accept_pool_quick(sp, pool, err, sizeof(err));
	else
		n = 0;
	if (n < 0)
		sl_log(SL_ERROR, "%s", err);
	else
		pass->accepted += n;
	if (!deep) {
		free(pd);
		return 0;
	}
	pass->recovered += sl_recover_pool(sp, pool, now, sl_offline_after(cf),
	    sl_stale_after(cf));
	pass->recovered += sl_recover_running(sp, pool, now, cf->lease);
	(void)sl_deploy_schedule_pool(sp, pool, now, cf->keep_days);
	(void)sl_cleanup_pool(sp, pool, cf->keep_days, sl_stale_after(cf), now,
	    sweep_due(pd, now));
	free(pd);
	return 1;
}

/*
 * sl_pass_claim_flags - the flags of a pass's first claim (sl_claim_in):
 * a new pass, which may reuse the last pass's listings (SL_CLAIM_REUSE)
 * only if it is quick (neither full nor deep), accepted no drop into
 * sched/ (fresh: this pass put runs there itself, whose events it has not
 * read yet), and this host's inotify saw no run arrive in a sched/.
 */
unsigned
sl_pass_claim_flags(int full, int deep, int fresh)
{
	if (full || deep || fresh || (sl_watch_seen() & SL_SEEN_SCHED))
		return SL_CLAIM_NEWPASS;
	return SL_CLAIM_NEWPASS | SL_CLAIM_REUSE;
}

/*
 * sl_dispatch_pool - one pass over pool; counts in *pass.  full: the
 * periodic rescan, which also recovers and cleans up once a heartbeat;
 * else accept and claim only (a pass woken by inotify, which must be
 * quick).
 */
int
sl_dispatch_pool(const struct sl_spool *sp, const struct sl_config *cf,
    const char *pool, time_t now, int full, struct sl_pass *pass)
{
	struct sl_agent *ag;
	struct sl_names got = { 0 };
	struct sl_pool p = { 0 };
	char	err[SL_ERR_MAX], id[SL_UUID_LEN + 1];
	size_t	na, i, j;
	long	n, round, accepted;
	time_t	next;
	int	*done, deep;
	unsigned flags;

	accepted = pass->accepted;
	deep = sl_maintain_pool(sp, cf, pool, now, full, pass);
	if (sl_agents_load(sp, pool, &ag, &na) < 0) {
		sl_log(SL_ERROR, "cannot read the agents of work pool '%s': %s",
		    pool, strerror(errno));
		return -1;
	}
	done = calloc(na ? na : 1, sizeof(int));
	if (done == NULL)
		sl_fatal("out of memory");
	for (i = 0; i < na; i++) {	/* only live, complete registrations */
		done[i] = !ag[i].registered ||
		    !sl_agent_online(&ag[i], now, claim_window(cf));
		if (ag[i].dead && !deep) {
			/* its Pending runs go back now, not at the rescan */
			pass->recovered += sl_recover_pool(sp, pool, now,
			    sl_offline_after(cf),
			    sl_stale_after(cf));
			deep = 1;
		}
	}
	/* the configuration is read once for the whole pass */
	if (sl_pool_load_pass(sp, pool, &p, deep ? SL_POOL_READ : full ?
	    SL_POOL_LOOK : SL_POOL_QUICK, err, sizeof(err)) < 0) {
		sl_log(SL_ERROR, "%s", err);
		round = 0;
	} else
		round = 1;
	flags = sl_pass_claim_flags(full, deep, pass->accepted > accepted);
	for (; round > 0;) {
		round = 0;
		for (i = 0; i < na; i++) {
			if (done[i])
				continue;
			/* one claim each in turn, from the listings this
			 * pass made (SL_CLAIM_NEWPASS at its first claim);
			 * a quick pass also from the last pass's, if inotify
			 * saw no run arrive since (SL_CLAIM_REUSE) */
			n = sl_claim_in(sp, &ag[i], &p, 1, now, &got, &next,
			    flags);
			flags &= ~(unsigned)SL_CLAIM_NEWPASS;
			if (next != 0 && (pass->next == 0 || next - ag[i].prefetch <
			    pass->next))
				pass->next = next - ag[i].prefetch;
			if (n <= 0) {
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
	sl_pool_free(&p);	/* also after a failed load: p.q is NULL */
	free(done);
	sl_agents_free(ag, na);
	return 0;
}

/* ---- inotify hints ---- */

/*
 * libinotifytools keeps the watches (paths to watch descriptors); the
 * waiting is done here, on its inotify descriptor, because the library
 * can neither wait less than a second nor tell whether more events are
 * queued: one event per wake-up would make one pass per event, and a
 * pass makes events of its own.  So a wake-up drains the queue, and one
 * pass follows however many events came.
 *
 * Not every event is worth a pass.  A pass can find new work only where
 * work appears (a drop box, sched/, our own pending/, config/, agents/,
 * the pool's and queues' own directories) or where a limit frees up (a
 * slot directory leaving slots/: supervisors release a run's slots after
 * it left running/, so running/ and done/ say nothing a slot's release
 * does not say later).  A run taken (sched/), a slot taken (slots/), a
 * start (pending/ to running/) and a claim we made ourselves
 * (sl_watch_own) free nothing, and most of them are this process's own
 * doing: waking for them cost one empty pass per run.  Such events are
 * read and dropped, and the wait goes on.  The kernel drops what it can
 * before that (mask_of: a wake-up is a poll and a read): a directory
 * whose events are never worth a pass (running/, done/, another agent's
 * pending/) is not watched, and the others are watched only for the
 * kinds of event that can be; what is left to drop here is what only a
 * name tells apart (our own claims, a bucket made in sched/).  RACE: a
 * filter that is wrong costs latency, never a run: every rescan
 * (poll_seconds) looks again.
 */
enum wkind {
	W_ALL,			/* every event: new/, config/, agents/, ... */
	W_SCHED,		/* a run arriving (CREATE, MOVED_TO) */
	W_PENDING,		/* another agent's pending/: none */
	W_PENDING_SELF,		/* a run claimed for us by someone else */
	W_ENDS,			/* running/, done/: none (see slots/) */
	W_SLOTS			/* a slot freed (DELETE, MOVED_FROM) */
};
static int watching;
static int ifd = -1;			/* the library's inotify descriptor */
static char **watched;			/* paths asked for (the library's own
					 * lookup misses them: it stores them
					 * with a trailing slash) */
static struct wd_kind {
	int	wd;
	enum wkind kind;
} *kinds;				/* kind of each watched[] path */
static size_t nwatched;
static int xfd = -1;			/* sl_watch_fd: one more to wake on */
static int sigfd = -1;			/* sl_watch_signals: and a signalfd */
static unsigned seen = SL_SEEN_ALL;	/* sl_watch_seen: what woke us */
static char self[SL_UUID_LEN + 1];	/* sl_watch_self: our agent id */
static char **own;			/* sl_watch_own: names we moved */
static size_t nown;
static struct bwatch {
	int	wd;
	char   *dir;
} *bw;					/* the buckets of sched/ watched */
static size_t nbw;
static int again;			/* a bucket newly watched: look once
					 * more before waiting */
static int slots_wanted = 1;		/* sl_watch_slots */
static int slots_turned;		/* ... turned to 1 since the last
					 * sl_watch_pool */

/*
 * sl_watch_fd - also wake sl_watch_wait when fd (non-blocking) becomes
 * readable; what is there is the caller's to read (the agent's supervisors'
 * words, sl_endword_parse), before it waits again.  -1: none.
 */
void
sl_watch_fd(int fd)
{
	xfd = fd;
}

/*
 * sl_watch_signals - also end sl_watch_wait when the signalfd fd is
 * readable (SL_SEEN_SIG): the agent's SIGTERM and SIGINT, which it keeps
 * blocked.  The caller reads it (non-blocking).  RACE: while the library
 * waits alone (no inotify descriptor found, a fallback), a signal is
 * seen at the wait's end, its timeout at most: that wait says
 * SL_SEEN_SIG always, as does a wait that returns without polling.
 */
void
sl_watch_signals(int fd)
{
	sigfd = fd;
}

/* sl_watch_self - the agent whose pending/ID/ arrivals are worth a pass */
void
sl_watch_self(const char *id)
{
	snprintf(self, sizeof(self), "%s", id);
}

/*
 * sl_watch_slots - whether to watch slots/ for slots freed (from the next
 * sl_watch_pool on; a watch made stays).  An agent whose pool and queues
 * have no limit asks not to: its own slots are freed by its own
 * supervisors, whose words wake it (sl_watch_fd), and another agent's
 * are none of its business, so each event there was a wake-up, a poll
 * and a read a run for nothing.  A dispatcher watches (the default): it
 * claims into every agent's slots.
 */
void
sl_watch_slots(int want)
{
	if (want && !slots_wanted)
		slots_turned = 1;
	slots_wanted = want;
}

/*
 * sl_watch_own - name (a run token) was moved into our pending/ID/ by this
 * process: its arrival there is not news.  Forgotten after the next wait.
 */
void
sl_watch_own(const char *name)
{
	own = sl_xrealloc(own, (nown + 1) * sizeof(char *));
	own[nown++] = sl_xstrdup(name);
}

/*
 * sl_watch_seen - where the events that ended the last sl_watch_wait came
 * from, SL_SEEN_* bits: a pass may skip a look that no event calls for
 * (the drop boxes, our pending/, the list of queues), as its rescan does
 * not.  Everything before the first wait, without inotify, or when the
 * library waits (it does not say which event): a look skipped wrongly
 * costs latency up to the rescan, never a run.
 */
unsigned
sl_watch_seen(void)
{
	return seen;
}

/*
 * sl_watch_skipped - the caller passes again without a wait (an agent
 * sleeping to a prefetched run's start): events may wait unread, so the
 * next pass may not take "no run arrived in a sched/" for true.  The
 * other bits stay: what they miss is read at the next wait.
 */
void
sl_watch_skipped(void)
{
	seen |= SL_SEEN_SCHED | SL_SEEN_FD;
}

/*
 * sl_watch_queued - the bytes of events the kernel holds for us, unread
 * (what the next wait reads; the kernel masks, mask_of, decide what is
 * queued at all); -1 without our own descriptor
 */
long
sl_watch_queued(void)
{
	int	n;

	if (ifd < 0 || ioctl(ifd, FIONREAD, &n) < 0)
		return -1;
	return n;
}

/* inotify_fds - a bit set of this process's inotify descriptors (< 1024) */
static void
inotify_fds(unsigned char set[128])
{
	struct dirent *de;
	char	p[64], t[64];
	ssize_t	n;
	long	fd;
	DIR    *d;

	memset(set, 0, 128);
	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		fd = strtol(de->d_name, NULL, 10);
		if (de->d_name[0] == '.' || fd < 0 || fd >= 1024)
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%ld", fd);
		if ((n = readlink(p, t, sizeof(t) - 1)) > 0) {
			t[n] = '\0';
			if (strcmp(t, "anon_inode:inotify") == 0)
				set[fd / 8] |= (unsigned char)(1 << (fd % 8));
		}
	}
	closedir(d);
}

/* start - initialize the library and find its descriptor */
static int
start(void)
{
	unsigned char before[128], after[128];
	int	fd;

	inotify_fds(before);
	if (!inotifytools_initialize())
		return -1;
	inotify_fds(after);
	for (fd = 0; fd < 1024; fd++)
		if ((after[fd / 8] & ~before[fd / 8]) & (1 << (fd % 8)))
			ifd = fd;
	if (ifd >= 0) {
		int	fl = fcntl(ifd, F_GETFL);

		if (fl < 0 || fcntl(ifd, F_SETFL, fl | O_NONBLOCK) < 0 ||
		    fcntl(ifd, F_SETFD, FD_CLOEXEC) < 0)
			ifd = -1;	/* then the library waits, as before */
	}
	watching = 1;
	return 0;
}

#define WATCH_MASK	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
	    IN_CLOSE_WRITE | IN_ONLYDIR)
/* a run or a bucket arriving (sched/, its buckets, our own pending/) */
#define ARRIVE_MASK	(IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
/* a slot freed (slots/) */
#define LEAVE_MASK	(IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR)

/* mask_of - the events the kernel reports for a kind (worth() filters
 * further); 0: not watched at all */
static uint32_t
mask_of(enum wkind kind)
{
	switch (kind) {
	case W_SCHED:
	case W_PENDING_SELF:
		return ARRIVE_MASK;
	case W_SLOTS:
		return LEAVE_MASK;
	case W_PENDING:
	case W_ENDS:
		return 0;
	default:
		return WATCH_MASK;
	}
}

/* watch - ask for events on one directory of a kind, if it exists */
static void
watch(const char *dir, enum wkind kind)
{
	uint32_t mask = mask_of(kind);
	size_t	i;

	if (mask == 0)
		return;
	for (i = 0; i < nwatched; i++)
		if (strcmp(watched[i], dir) == 0)
			return;
	/* libinotifytools makes a new record for a path watched again
	 * (and keeps the old one), so only new paths are added */
	if (inotifytools_wd_from_filename(dir) >= 0)
		return;
	/* RACE: the directory may vanish or appear between passes; a watch
	 * missed is only a later wake-up, the periodic rescan finds all */
	if (inotifytools_watch_file(dir, (int)mask)) {
		watched = sl_xrealloc(watched, (nwatched + 1) * sizeof(char *));
		kinds = sl_xrealloc(kinds, (nwatched + 1) * sizeof(*kinds));
		watched[nwatched] = sl_xstrdup(dir);
		/* the library does not say the descriptor; asking again
		 * for the same mask returns it and changes nothing (-1:
		 * unknown, then every event of it is worth a pass) */
		kinds[nwatched].wd = ifd >= 0 ? inotify_add_watch(ifd, dir,
		    mask) : -1;
		kinds[nwatched++].kind = kind;
	}
}

/*
 * watch_bucket - watch a bucket of sched/ (sched.c) for runs arriving,
 * by our own call on the library's descriptor: buckets are removed and
 * made again under the same name, and the library would keep the record
 * of the removed one and never watch the new.  The kernel's IN_IGNORED
 * for a removed bucket drops ours (worth).  1 if newly watched.
 * RACE: a run may arrive in a new bucket before its watch; the caller
 * makes the next wait look once more (again) instead of sleeping.
 */
static int
watch_bucket(const char *dir)
{
	size_t	i;
	int	wd;

	if (ifd < 0)
		return 0;	/* the library waits: rescans find them */
	for (i = 0; i < nbw; i++)
		if (strcmp(bw[i].dir, dir) == 0)
			return 0;
	if ((wd = inotify_add_watch(ifd, dir, ARRIVE_MASK)) < 0)
		return 0;	/* pruned meanwhile, or no watches left */
	bw = sl_xrealloc(bw, (nbw + 1) * sizeof(*bw));
	bw[nbw].wd = wd;
	bw[nbw++].dir = sl_xstrdup(dir);
	return 1;
}

/* bucket_event - an event of a watched bucket: worth a pass (1), not (0),
 * or not a bucket's (-1) */
static int
bucket_event(const struct inotify_event *e)
{
	size_t	i;

	for (i = 0; i < nbw; i++)
		if (bw[i].wd == e->wd)
			break;
	if (i == nbw)
		return -1;
	if (e->mask & IN_IGNORED) {	/* removed (pruned): forget it */
		free(bw[i].dir);
		bw[i] = bw[--nbw];
		return 0;
	}
	if ((e->mask & (IN_CREATE | IN_MOVED_TO)) == 0)
		return 0;
	seen |= SL_SEEN_SCHED;
	return 1;
}

/* owned - was name moved where it is by this process (sl_watch_own)? */
static int
owned(const char *name)
{
	size_t	i;

	for (i = 0; i < nown; i++)
		if (strcmp(own[i], name) == 0)
			return 1;
	return 0;
}

/* worth - is this event worth a pass (see "Not every event" above)? */
static int
worth(const struct inotify_event *e)
{
	const char *name = e->len > 0 ? e->name : "";
	size_t	i;
	int	b;

	if (e->wd >= 0 && (b = bucket_event(e)) >= 0)
		return b;
	for (i = 0; i < nwatched; i++)
		if (kinds[i].wd == e->wd)
			break;
	/* the end of a bucket's watch that watch_buckets removed */
	if (e->wd >= 0 && i == nwatched && (e->mask & IN_IGNORED))
		return 0;
	if (e->wd < 0 || (e->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_UNMOUNT))) {
		seen |= SL_SEEN_ALL;
		return 1;
	}
	if (i == nwatched) {
		seen |= SL_SEEN_ALL;
		return 1;
	}
	switch (kinds[i].kind) {
	case W_SCHED:
		/* a directory made in sched/ is a new bucket: the next
		 * sl_watch_pool lists the buckets and watches it */
		if ((e->mask & (IN_CREATE | IN_ISDIR)) == (IN_CREATE |
		    IN_ISDIR))
			seen |= SL_SEEN_DIRS;
		if ((e->mask & (IN_CREATE | IN_MOVED_TO)) == 0)
			return 0;
		seen |= SL_SEEN_SCHED;
		return 1;
	case W_PENDING:
	case W_ENDS:
		return 0;
	case W_PENDING_SELF:
		if ((e->mask & (IN_CREATE | IN_MOVED_TO)) == 0 ||
		    name[0] == '.' || owned(name))
			return 0;
		seen |= SL_SEEN_MINE;
		return 1;
	case W_SLOTS:
		/* our own agent slot: its supervisor's word says so */
		if (self[0] != '\0' && strncmp(name, "a.", 2) == 0 &&
		    strncmp(name + 2, self, strlen(self)) == 0 &&
		    name[2 + strlen(self)] == '.')
			return 0;
		return (e->mask & (IN_DELETE | IN_MOVED_FROM)) != 0;
	default:	/* a drop box, the list of queues, agents/, config/ */
		seen |= SL_SEEN_DROP | SL_SEEN_DIRS;
		return 1;
	}
}

/* news - read the queued events (non-blocking): is one worth a pass? */
static int
news(int fd)
{
	char	buf[8192] __attribute__((aligned(__alignof__(struct
	    inotify_event))));
	const struct inotify_event *e;
	ssize_t	n, off;
	int	any = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off + (ssize_t)sizeof(*e) <= n;
		    off += (ssize_t)(sizeof(*e) + e->len)) {
			e = (const struct inotify_event *)(buf + off);
			if (worth(e))	/* each: the kinds add up */
				any = 1;
		}
		/* a read takes every queued event that fits: room left for
		 * the largest one means none was left.  RACE: one queued
		 * since wakes the next poll, which is level-triggered; a
		 * read to see EAGAIN would cost a call a wake-up */
		if (n <= (ssize_t)(sizeof(buf) - sizeof(*e) - NAME_MAX - 1))
			break;
	}
	return any;
}

/* buckets due later than this are not watched yet (seconds) */
#define WATCH_AHEAD	600

/*
 * watch_buckets - watch the buckets of sched/ sd due within WATCH_AHEAD
 * (see watch_bucket), and forget those of sd that are gone: a bucket
 * removed on another host of a network filesystem sends no IN_IGNORED
 * here, and its record would stay for the life of the process.  A bucket
 * further ahead needs no wake-up yet: a run put in it is not due, and a
 * rescan (every poll_seconds, which lists the buckets again) watches it
 * long before it is; so deployments scheduling 100 runs ahead cost no
 * watches.  Without our own descriptor (the library waits) the library
 * watches them, as it watches sched/.
 */
static void
watch_buckets(const char *sd)
{
	char  **v, *p;
	size_t	n, i, len = strlen(sd);
	const char *b;
	time_t	horizon = time(NULL) + WATCH_AHEAD;

	if (sl_list_quick(sd, sl_bucket_ok, &v, &n) < 0)
		return;
	if (ifd < 0) {
		for (i = 0; i < n; i++) {
			if (sl_bucket_time(v[i]) > horizon)
				continue;
			p = sl_path(sd, v[i], (char *)NULL);
			watch(p, W_SCHED);
			free(p);
		}
		sl_strv_free(v, n);
		return;
	}
	for (i = 0; i < nbw; ) {
		b = bw[i].dir + len + 1;
		/* (no bsearch of no names: v is NULL then) */
		if (strncmp(bw[i].dir, sd, len) == 0 && bw[i].dir[len] == '/' &&
		    (n == 0 || bsearch(&b, v, n, sizeof(*v), sl_strcmp_p) ==
		    NULL)) {
			(void)inotify_rm_watch(ifd, bw[i].wd);
			free(bw[i].dir);
			bw[i] = bw[--nbw];
		} else
			i++;
	}
	for (i = 0; i < n; i++) {
		if (sl_bucket_time(v[i]) > horizon)
			continue;
		p = sl_path(sd, v[i], (char *)NULL);
		if (watch_bucket(p))
			again = 1;
		free(p);
	}
	sl_strv_free(v, n);
}

/*
 * sl_watch_pool - watch the places of a pool where work appears or frees
 * up: the drop boxes and sched/ of every queue, pending/ and our own
 * agent's, slots/, agents/, config/ (running/, done/ and other agents'
 * pending/ are asked for and not watched: mask_of).  Called before every
 * wait, so queues made since the last pass are watched too: queues/ and
 * pending/ are looked at after a rescan (rescan) or an event in such a
 * directory (sl_watch_seen), and listed again only when they changed
 * (sl_list_quick).  RACE: a queue made on another host is watched from
 * the next rescan on; none of its events could come before anyway.
 */
int
sl_watch_pool(const struct sl_spool *sp, const char *pool, int rescan)
{
	static const char *const sub[] = { "", "queues", "pending", "running",
	    "done", "slots", "agents", "config", NULL };
	char   *pd = sl_pool_dir(sp, pool), *p, **v;
	size_t	n, i;
	int	k;

	if (!watching) {
		if (start() < 0) {
			free(pd);
			return -1;
		}
		p = sl_place(sp, SL_PL_POOLS, NULL, NULL, (char *)NULL);
		watch(p, W_ALL);
		free(p);
	}
	for (k = 0; sub[k] != NULL; k++) {
		size_t	had = nwatched;

		if (!slots_wanted && strcmp(sub[k], "slots") == 0)
			continue;
		p = *sub[k] ? sl_path(pd, sub[k], (char *)NULL) : sl_xstrdup(pd);
		watch(p, strcmp(sub[k], "running") == 0 ||
		    strcmp(sub[k], "done") == 0 ? W_ENDS :
		    strcmp(sub[k], "slots") == 0 ? W_SLOTS : W_ALL);
		/* slots/ watched from now on (an agent's pool or queue has
		 * a limit, sl_watch_slots): a slot freed before the watch
		 * sent nothing, so the next wait looks once more first */
		if (nwatched > had && strcmp(sub[k], "slots") == 0 &&
		    slots_turned)
			again = 1;
		free(p);
	}
	slots_turned = 0;
	if (!rescan && !(seen & SL_SEEN_DIRS)) {
		free(pd);
		return 0;
	}
	p = sl_place(sp, SL_PL_QUEUES, pool, NULL, (char *)NULL);
	if (sl_list_quick(p, sl_name_ok, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			char   *a = sl_path(p, v[i], "new", (char *)NULL);
			char   *b = sl_path(p, v[i], "sched", (char *)NULL);
			char   *c = sl_path(p, v[i], (char *)NULL);

			watch(a, W_ALL);
			watch(b, W_SCHED);
			watch(c, W_ALL);	/* new/ or sched/ made later */
			watch_buckets(b);
			free(a);
			free(b);
			free(c);
			free(v[i]);
		}
		free(v);
	}
	free(p);
	p = sl_place(sp, SL_PL_PENDING, pool, NULL, (char *)NULL);
	if (sl_list_quick(p, sl_name_ok, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			char   *a = sl_path(p, v[i], (char *)NULL);

			watch(a, strcmp(v[i], self) == 0 ? W_PENDING_SELF :
			    W_PENDING);
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
 * this host worth a pass.  1 woken by one, 0 timed out or interrupted.
 * Every event queued is drained, so that one pass follows however many
 * events came (a pass makes events of its own), and events worth nothing
 * (worth()) are dropped without ending the wait.  IN_Q_OVERFLOW is worth
 * a pass, which needs nothing else: every pass is a full rescan of its
 * directories.  The sl_watch_own names are forgotten on return.  RACE: a
 * watched directory removed and made again is not watched again; the
 * periodic rescan still finds what appears in it.
 */
int
sl_watch_wait(long timeout)
{
	struct pollfd pf[3];
	struct timespec t0, t;
	nfds_t	n = 0, i;
	long	ms, left;
	int	rc = 0;

	if (timeout < 1)
		timeout = 1;	/* 0 would block for ever */
	ms = timeout > 86400 ? 86400000L : timeout * 1000;
	seen = 0;
	if (again) {	/* a bucket newly watched may hold runs already */
		again = 0;
		seen = SL_SEEN_SCHED | SL_SEEN_FD;	/* unseen by inotify:
							 * no reuse; unpolled */
		if (sigfd >= 0)
			seen |= SL_SEEN_SIG;	/* unpolled too: look */
		rc = 1;
		goto out;
	}
	if (watching && ifd < 0) {	/* the library waits: no other fd */
		rc = inotifytools_next_event(timeout) != NULL;
		seen = SL_SEEN_ALL;	/* it does not say what */
		if (sigfd >= 0)
			seen |= SL_SEEN_SIG;	/* nor if a signal came */
		goto out;
	}
	if (!watching)
		seen = SL_SEEN_ALL;	/* no inotify: anything may have */
	if (watching) {
		pf[n].fd = ifd;
		pf[n++].events = POLLIN;
	}
	if (xfd >= 0) {
		pf[n].fd = xfd;
		pf[n++].events = POLLIN;
	}
	if (sigfd >= 0) {
		pf[n].fd = sigfd;
		pf[n++].events = POLLIN;
	}
	if (n == 0) {
		struct timespec ts = { timeout, 0 };

		nanosleep(&ts, NULL);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (left = ms; left > 0 && rc == 0; ) {
		if (poll(pf, n, (int)left) <= 0)
			break;	/* timed out, or a signal */
		for (i = 0; i < n; i++) {
			if (pf[i].revents == 0)
				continue;
			if (pf[i].fd == ifd && watching)
				rc |= news(ifd);
			else if (pf[i].fd == sigfd) {
				rc = 1;	/* the caller's to read: it stops */
				seen |= SL_SEEN_SIG;
			} else {
				rc = 1;	/* our supervisors: theirs to read */
				seen |= SL_SEEN_FD;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000L +
		    (t.tv_nsec - t0.tv_nsec) / 1000000L);
	}
out:
	sl_strv_free(own, nown);
	own = NULL;
	nown = 0;
	return rc;
}

/* sl_watch_close - drop every watch (at exit) */
void
sl_watch_close(void)
{
	if (watching)
		inotifytools_cleanup();
	watching = 0;
	ifd = -1;
	sl_strv_free(watched, nwatched);
	watched = NULL;
	while (nbw > 0)
		free(bw[--nbw].dir);
	free(bw);
	bw = NULL;
	again = 0;
	slots_wanted = 1;
	slots_turned = 0;
	free(kinds);
	kinds = NULL;
	nwatched = 0;
	sl_strv_free(own, nown);
	own = NULL;
	nown = 0;
}
