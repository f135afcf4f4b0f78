/*
 * sluice-agent - start the runs of a work pool, each under its own
 * supervisor.
 *
 *	sluice-agent [--spool DIR] [-p POOL] [-q QUEUE]... [-m PREFIX]...
 *	    [--limit N] [--prefetch-seconds S] [--run-once] [--hide-welcome]
 *	    [--poll-seconds S] [--name NAME]
 *
 * The agent registers under a fresh id (a restart with the same --name is
 * a new agent: its predecessor, dead on this host, is known dead at once,
 * and the first recovery pass hands its Pending runs back and removes its
 * registration).  The loop (signal handlers only set a flag):
 *   1. beat: publish the heartbeat every `heartbeat' seconds (and register
 *      again if recovery elsewhere took this agent for gone and removed
 *      its registration);
 *   2. accept dropped files; every poll-seconds, and at most once a
 *      heartbeat, also recover (runs of gone agents, stale slots, crashed
 *      runs), clean up and reread the pool's configuration;
 *   3. report runs it started that have ended: its supervisors say so on a
 *      pipe (endword.c), and every rescan looks;
 *   4. claim due runs for itself (sl_claim: the dispatcher's code, every
 *      limit held by slot names), unless stopping or, between rescans,
 *      its own runs fill its --limit;
 *   5. start what is due in pending/ID/, its own claims and those a
 *      standalone dispatcher made for it, each by a starter process forked
 *      for it, which says on the pipe how it went and then becomes the
 *      run's supervisor, which outlives the agent (lib/supervise.c); a
 *      starter whose run is over stays, a keeper, for the next run due
 *      (see "keepers" below);
 *   6. wait for a change on this host (inotify), a word on the pipe, the
 *      next run coming due (to the millisecond), the next beat or the next
 *      rescan.
 * On SIGTERM or SIGINT it stops claiming, waits for its starters, hands
 * back the runs it claimed and has not started, deregisters and exits 0;
 * running runs go on under their supervisors.  --run-once makes one pass
 * (claiming only what is due now) and does the same.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* log_started - the line of a run's start, by whoever says it: its
 * starter (said_start), or the agent that hears its word (heard) */
static void
log_started(const char *name, const char *id, long attempt, long sup)
{
	sl_log(SL_INFO, "Started flow run '%s' (%s), attempt %ld, under "
	    "supervisor %ld", name, id, attempt, sup);
}

/* took_signal - SIGTERM or SIGINT waits in our signalfd (fd): stop */
static void
took_signal(int fd)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		stop = 1;
}

/* nap_or_stop - sleep ms, or less if a stop comes to our signalfd fd */
static void
nap_or_stop(int fd, long ms)
{
	struct pollfd pf = { fd, POLLIN, 0 };

	if (poll(&pf, 1, (int)ms) > 0)
		took_signal(fd);
}

/* the supervisors' pipe may hold words: a wait said so, or none came
 * before this pass (words()) */
static int words_due = 1;

/* children of ours that said they are exiting (an end word, a
 * NotStarted) and that no wait has reaped yet: reap()'s cue between
 * rescans.  RACE: a rescan reaps every child before it reads the
 * words, so a child that wrote its word and exited just before is
 * counted after it was reaped: one wait for nothing at each pass until
 * the next rescan, which resets the count */
static long exiting;

enum { A_SPOOL, A_POOL, A_QUEUE, A_MATCH, A_LIMIT, A_L, A_PREFETCH, A_POLL,
	A_NAME, A_HELP, A_VERSION, A_ONCE, A_QUIET, A_NOPT };

/* the options (sluice-agent(8)); -l is apart from --limit, for messages
 * name it as given */
static const struct sl_opt opts[A_NOPT] = {
	[A_SPOOL] = { "--spool", NULL, 1 },
	[A_POOL] = { "--pool", "-p", 1 },
	[A_QUEUE] = { "--work-queue", "-q", 1 },
	[A_MATCH] = { "--match", "-m", 1 },
	[A_LIMIT] = { "--limit", NULL, 1 },
	[A_L] = { NULL, "-l", 1 },
	[A_PREFETCH] = { "--prefetch-seconds", NULL, 1 },
	[A_POLL] = { "--poll-seconds", NULL, 1 },
	[A_NAME] = { "--name", NULL, 1 },
	[A_HELP] = { "--help", "-h", 0 },
	[A_VERSION] = { "--version", NULL, 0 },
	[A_ONCE] = { "--run-once", NULL, 0 },
	[A_QUIET] = { "--hide-welcome", NULL, 0 },
};

/* usage - the synopsis, on stdout for --help, else on stderr; exit rc */
static _Noreturn void
usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: sluice-agent [--spool DIR] "
	    "[-p POOL] [-q QUEUE]... [-m PREFIX]... [--limit N]\n"
	    "           [--prefetch-seconds S] [--run-once] [--hide-welcome] "
	    "[--poll-seconds S]\n           [--name NAME]\n"
	    "At least one of -p, -q, -m.  See sluice-agent(8).\n");
	exit(rc);
}

static const char banner[] =
"          _       _\n"
"    ___  | |_   _(_) ___ ___\n"
"   / __| | | | | | |/ __/ _ \\\n"
"   \\__ \\ | | |_| | | (_|  __/\n"
"   |___/ |_|\\__,_|_|\\___\\___|   agent\n";

/* runs claimed for itself and started since the agent started, and
 * what it last published of them (sl_agent_counters) */
static unsigned long long n_claims, n_starts, said_claims, said_starts;

/* a run this agent started, until it is seen to end */
struct tracked {
	char	token[SL_RUNNAME_MAX];
	char	id[SL_UUID_LEN + 1];
	char	name[256];
	long	attempt;
	int	look;		/* its word said "?": look in the spool */
	pid_t	starter;	/* starting: its starter, until it says */
	char   *priv;		/* and the run's private claim name, when
				 * its claim's step 7 was left to the start
				 * (SL_CLAIM_DEFER); else NULL */
	int	gone;		/* that starter has exited */
	struct sl_endword *end;	/* an end word that came before "Started" */
};

static struct tracked *tr;
static size_t ntr;

/*
 * What the last look into pending/ID/ left there: runs claimed and not
 * due yet (prefetched), how many and the earliest's time; and whether a
 * start failed and is to be tried again.  With the runs it started (tr),
 * what holds its agent slots, as far as it knows: a claim is not tried
 * with none free, and pending/ is not listed again until one comes due.
 */
static long nlater;
static time_t later_due;
static int relist;

/* the supervisors' and starters' pipe (endword.c), -1 none */
static int ended_fd = -1, ended_wfd = -1;
static const char *my_pool;	/* the agent's pool, for sl_claim_freed */

/*
 * Keepers.  A fork of the agent costs it more than anything else it does
 * for a run (its page tables copied, then a copy-on-write fault, with a
 * flush of the other CPUs' TLBs, for every page it writes after), and a
 * starter's exit after its run costs the same again.  So a starter whose
 * run is over is kept: it says "Idle" (endword.c) with its end word and
 * waits on its end of a socket pair made at its fork, on its descriptor
 * 4, and the agent gives it the next run due in its pending/.  The
 * request (req_make) is what the keeper, forked before, lacks of the
 * agent's memory: the claim's (sl_claim_pack), and the limits of the
 * pool configuration the agent read this pass, which the start of a run
 * this pass did not claim checks it holds slots of.  A keeper
 * supervises one run at a time, as a starter does, and starts the next
 * just as one: same calls, same words, same crash semantics.  It exits
 * when its end of the pair is closed: by the agent, at its first pass
 * after the keeper has been idle --poll-seconds, or when a send to it
 * failed; by the agent's exit.  It exits by itself after KEEP_RUNS runs
 * (lib/supervise.c).  Its process stays the agent's child, reaped as a
 * starter is.
 */
struct keeper {
	pid_t	pid;
	int	fd;		/* our end of its socket pair */
	int	idle;		/* it said so, and has been sent nothing */
	time_t	since;		/* idle since */
	char	token[SL_RUNNAME_MAX];	/* its run, or the last it had */
};
static struct keeper *kp;
static size_t nkp;
/* at most so many: the agent holds a descriptor for each, busy ones too,
 * and a run beyond them gets a starter that is not kept */
#define KEEPERS_MAX	64

/*
 * now_s - the epoch second from the same clock the millisecond sleeps
 * use: time(2) reads a coarser clock that can still say the last second
 * for a few milliseconds after the precise one has turned.
 */
static time_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* ms_until - milliseconds from now to the start of second t */
static long
ms_until(time_t t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long)(t - ts.tv_sec) * 1000 - ts.tv_nsec / 1000000;
}

/* said - log how a run we started ended: a final state's name or
 * AwaitingRetry, its exit code (-1 none) and message */
static void
said(const struct tracked *t, const char *state, int code, const char *msg)
{
	char	c[16];

	if (code >= 0)
		snprintf(c, sizeof(c), "%d", code);
	else
		snprintf(c, sizeof(c), "none");
	if (strcmp(state, "Cancelled") == 0)
		sl_log(SL_INFO, "Flow run '%s' (%s) was cancelled", t->name,
		    t->id);
	else if (strcmp(state, "Crashed") == 0)
		sl_log(SL_ERROR, "Flow run '%s' (%s) crashed: %s", t->name,
		    t->id, msg);
	else if (strcmp(state, "Completed") == 0 ||
	    strcmp(state, "Failed") == 0)
		sl_log(state[0] == 'C' ? SL_INFO : SL_WARNING, "Flow run '%s' "
		    "(%s) finished: %s (exit code %s)", t->name, t->id, state, c);
	else
		sl_log(SL_WARNING, "Flow run '%s' (%s) ended attempt %ld; "
		    "AwaitingRetry", t->name, t->id, t->attempt);
}

/* looked - has run t left running/?  If so, log how it ended (from its
 * result in done/, else it went back to its queue) and say 1 */
static int
looked(const struct sl_spool *sp, const char *pool, const struct tracked *t)
{
	static const enum sl_state fin[] = { SL_COMPLETED, SL_FAILED,
	    SL_CRASHED, SL_CANCELLED };
	struct sl_result res;
	char   *p, *d, name[SL_RUNNAME_MAX];
	size_t	j;
	int	there;

	p = sl_place(sp, SL_PL_RUNNING, pool, NULL, t->token, (char *)NULL);
	there = sl_exists(p);
	free(p);
	if (there)
		return 0;
	for (j = 0; j < 4; j++) {
		sl_done_name(name, t->id, fin[j]);
		d = sl_place(sp, SL_PL_DONE, pool, NULL, name, (char *)NULL);
		if (sl_result_read(d, &res) == 0) {
			free(d);
			said(t, sl_state_names[fin[j]], res.exit_code,
			    res.message);
			return 1;
		}
		free(d);
	}
	said(t, "AwaitingRetry", -1, "");
	return 1;
}

/* untrack - forget tr[i] */
static void
untrack(size_t i)
{
	free(tr[i].end);
	free(tr[i].priv);
	tr[i] = tr[--ntr];
}

/* undefer - t's starter said (or died): the deferred claim it was given
 * is done with (publish: step 7, late, if the run is still there; a
 * listing of pending/ then starts it) */
static void
undefer(struct tracked *t, int publish)
{
	if (t->priv != NULL) {
		if (sl_claim_undefer(t->token, t->priv, publish))
			relist = 1;
		free(t->priv);
		t->priv = NULL;
	}
}

/* keeper_drop - forget keeper i, closing our end: it exits when it reads
 * that (a busy one after its run), and is reaped as any child */
static void
keeper_drop(size_t i)
{
	(void)close(kp[i].fd);
	kp[i] = kp[--nkp];
}

/* keeper_retire - drop idle keeper i (keeper_drop), which then exits
 * by itself: the agent waits to reap it (exiting) */
static void
keeper_retire(size_t i)
{
	keeper_drop(i);
	exiting++;
}

/* keeper_of - the keeper whose run is (or was last) token, else NULL */
static struct keeper *
keeper_of(const char *token)
{
	size_t	i;

	for (i = 0; i < nkp; i++)
		if (strcmp(kp[i].token, token) == 0)
			return &kp[i];
	return NULL;
}

/*
 * A keeper's request, one datagram: NUL-ended fields, "1" if the run was
 * claimed by this pass (SL_START_FRESH) else "0"; the limits the start
 * of a run not claimed by this pass checks it holds slots of (the pool
 * configuration the agent read this pass, which the keeper's memory may
 * predate): "1" if the pool has a limit else "0", then the names of the
 * queues with one, each a field, then ""; and the rest, the claim's
 * memory (sl_claim_pack).
 */
#define REQ_MAX	(128 * 1024)
/* the agent's request being made; a keeper's received (one process has
 * one or the other): not on the stack, and only what is used is touched */
static char reqbuf[REQ_MAX];

/* req_make - the request to start token (fresh, under p); its length, or
 * -1 if it does not fit (some 1,900 queues with a limit: then it is
 * started by a starter that is not kept, req_big) */
static long
req_make(char *buf, size_t len, const char *token, const struct sl_pool *p,
    int fresh)
{
	size_t	at = 0, i;
	long	n;

	if (sl_field_put(buf, len, &at, fresh ? "1" : "0") < 0 ||
	    sl_field_put(buf, len, &at, p->limit != SL_NOLIMIT ? "1" : "0") < 0)
		return -1;
	for (i = 0; i < p->nq; i++)
		if (p->q[i].limit != SL_NOLIMIT && p->q[i].name[0] != '\0' &&
		    sl_field_put(buf, len, &at, p->q[i].name) < 0)
			return -1;
	if (sl_field_put(buf, len, &at, "") < 0 ||
	    (n = sl_claim_pack(token, buf + at, len - at)) < 0)
		return -1;
	return (long)at + n;
}

/*
 * req_read - a request (req_make) of n bytes in buf, in a keeper: its
 * token into tok, the claim's memory remembered (sl_claim_unpack), the
 * limits into *p (for the keeper's agent's pool: q malloc'd, limits 1 or
 * SL_NOLIMIT, which is all a start looks at), fresh or not.  0, or -1 if
 * it is no request.
 */
static int
req_read(const char *buf, size_t n, const char *pool, char *tok, size_t tlen,
    struct sl_pool *p, int *fresh)
{
	const char *f;
	size_t	at = 0, len, k;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", pool);
	for (k = 0;; k++) {
		if ((f = sl_field_get(buf, n, &at)) == NULL)
			return -1;
		len = strlen(f);
		if (k == 0)
			*fresh = strcmp(f, "1") == 0;
		else if (k == 1)
			p->limit = strcmp(f, "1") == 0 ? 1 : SL_NOLIMIT;
		else if (len == 0)
			break;
		else if (len > SL_NAME_MAX)
			return -1;	/* no queue's: not our agent's */
		else {
			p->q = sl_xrealloc(p->q, (p->nq + 1) * sizeof(*p->q));
			memset(&p->q[p->nq], 0, sizeof(*p->q));
			memcpy(p->q[p->nq].name, f, len + 1);
			p->q[p->nq++].limit = 1;
		}
	}
	return sl_claim_unpack(buf + at, n - at, tok, tlen);
}

/*
 * req_big - the request to start token cannot be made or sent (its pool's
 * limited queues too many, or the socket's buffer too small): said once
 * in the agent's life, since every such run costs a fork
 */
static void
req_big(const char *token, const struct sl_pool *p)
{
	static int said;
	size_t	i, nl = 0;

	if (said)
		return;
	said = 1;
	for (i = 0; i < p->nq; i++)
		nl += p->q[i].limit != SL_NOLIMIT && p->q[i].name[0] != '\0';
	sl_log(SL_WARNING, "the start of run %s cannot be given to a kept "
	    "starter: its request is over %d bytes (pool '%s' has %zu queues "
	    "with a concurrency limit) or over the socket's buffer "
	    "(net.core.wmem_max); such runs each get a starter of their "
	    "own, a fork a run (said once)", token, REQ_MAX, p->name, nl);
}

/*
 * keeper_send - give the start of token (fresh: claimed by this pass,
 * under p) to an idle keeper: its pid, 0 if none took it (none idle, or
 * the sends failed as to a keeper that is gone: each is dropped, and the
 * next tried), -1 if none can (the request is too big: req_big), -2 if a
 * send found no memory for it (the keepers stay; the run gets a starter
 * that is not kept).  RACE: a keeper killed after its Idle word takes
 * nothing (the send fails: its end is closed); one killed after the send
 * is reaped as a starter killed before its word, and the run listed again
 * (report)
 */
static pid_t
keeper_send(const char *token, const struct sl_pool *p, int fresh)
{
	long	n = -1;
	size_t	i;

	for (i = nkp; i-- > 0; ) {
		if (!kp[i].idle)
			continue;
		if (n < 0 && (n = req_make(reqbuf, sizeof(reqbuf), token, p,
		    fresh)) < 0)
			return -1;
		if (send(kp[i].fd, reqbuf, (size_t)n, MSG_NOSIGNAL |
		    MSG_DONTWAIT) == (ssize_t)n) {
			kp[i].idle = 0;
			snprintf(kp[i].token, sizeof(kp[i].token), "%s", token);
			return kp[i].pid;
		}
		if (errno == EMSGSIZE)
			return -1;
		if (errno != EPIPE && errno != ECONNRESET &&
		    errno != ECONNREFUSED && errno != ENOTCONN)
			return -2;	/* ENOBUFS, ENOMEM: not its fault */
		keeper_retire(i);	/* it has exited, or will */
	}
	return 0;
}

/* keepers_retire - close the pairs of the keepers idle for idle seconds
 * or more (0: every idle one), so that they exit */
static void
keepers_retire(time_t now, long idle)
{
	size_t	i;

	for (i = nkp; i-- > 0; )
		if (kp[i].idle && now - kp[i].since >= idle)
			keeper_retire(i);
}

/* starting - is a starter of ours starting token? */
static int
starting(const char *token)
{
	size_t	i;

	for (i = 0; i < ntr; i++)
		if (tr[i].starter && !tr[i].gone &&
		    strcmp(tr[i].token, token) == 0)
			return 1;
	return 0;
}

/*
 * heard - a word about tr[i]: its starter's (Started: now it runs, under
 * this name and attempt; NotStarted: forget it, and list pending/ again if
 * it stayed there) or its supervisor's (it ended: say how, and forget it;
 * "?": look).  RACE: a short run's supervisor may say its end before the
 * starter that forked it says "Started": the end waits for it.
 */
static void
heard(size_t i, const struct sl_endword *w)
{
	struct tracked *t = &tr[i];
	struct keeper *k;

	if (strcmp(w->state, "Started") == 0) {
		if (!t->starter)
			return;
		undefer(t, 0);		/* moved by its start */
		t->attempt = w->code;
		snprintf(t->name, sizeof(t->name), "%.*s",
		    (int)sizeof(t->name) - 1, w->msg);
		/* the starter's line, said here: a write a run fewer, with
		 * the other lines of this pass (sl_log_hold) */
		log_started(t->name, t->id, t->attempt, (long)t->starter);
		t->starter = 0;
		n_starts++;
		if (t->end != NULL) {
			said(t, t->end->state, t->end->code, t->end->msg);
			untrack(i);
		}
	} else if (strcmp(w->state, "NotStarted") == 0) {
		if (!t->starter)
			return;
		exiting++;		/* the starter exits after it */
		/* its starter gave it its Pending name, or it is gone, or
		 * its late step 7 failed there (made here, then) */
		undefer(t, 1);
		if (w->code != 0)
			relist = 1;
		untrack(i);
	} else if (strcmp(w->state, "?") == 0) {
		t->look = 1;
		exiting++;		/* the supervisor's last word */
	} else {
		/* the supervisor's last word, unless it is a keeper that
		 * said it stays (its Idle word comes just before) */
		if ((k = keeper_of(t->token)) == NULL || !k->idle)
			exiting++;
		/* ended and its slots given back: the next claim takes
		 * the one it freed without a look */
		sl_claim_freed(my_pool, t->token);
		if (t->starter) {
			if (t->end == NULL)
				t->end = sl_xmalloc(sizeof(*t->end));
			*t->end = *w;
		} else {
			said(t, w->state, w->code, w->msg);
			untrack(i);
		}
	}
}

/* keeper_idle - a keeper's Idle word: it waits for a run (its pid says
 * which; a word of one we dropped, or of a supervisor forked by a starter
 * that could not tell us, is not a keeper's of ours) */
static void
keeper_idle(const struct sl_endword *w)
{
	size_t	i;

	for (i = 0; i < nkp; i++)
		if (kp[i].pid == (pid_t)w->code) {
			kp[i].idle = 1;
			kp[i].since = now_s();
			snprintf(kp[i].token, sizeof(kp[i].token), "%s",
			    w->token);
		}
}

/*
 * words - read the words our supervisors wrote (endword.c) and forget
 * each run a word names, logging how it ended; a "?" marks the run for a
 * look into the spool.  Non-blocking; a word cut by the buffer's end is
 * kept for the next read.
 */
static void
words(void)
{
	static char buf[4 * SL_ENDWORD_MAX];
	static size_t len;
	struct sl_endword w;
	ssize_t	n;
	char   *nl, *p;
	size_t	i;

	/* read when there may be something: a read that finds the pipe
	 * empty is a system call for nothing, at every pass */
	if (ended_fd < 0 || !words_due)
		return;
	for (;;) {
		size_t	want = sizeof(buf) - len;

		n = read(ended_fd, buf + len, want);
		if (n <= 0)
			break;	/* EAGAIN: all read */
		len += (size_t)n;
		p = buf;
		while ((nl = memchr(p, '\n', len - (size_t)(p - buf))) != NULL) {
			if (sl_endword_parse(p, (size_t)(nl - p), &w) < 0)
				;	/* not a word */
			else if (strcmp(w.state, "Idle") == 0)
				keeper_idle(&w);
			else if (strcmp(w.state, "Log") == 0)
				sl_log(w.code < 0 || w.code > SL_ERROR ?
				    SL_ERROR : (enum sl_level)w.code, "%s",
				    w.msg);
			else {
				for (i = 0; i < ntr; i++)
					if (strcmp(tr[i].token, w.token) == 0)
						break;
				if (i < ntr)
					heard(i, &w);
			}
			p = nl + 1;
		}
		len -= (size_t)(p - buf);
		memmove(buf, p, len);
		if (len == sizeof(buf))	/* no newline in a full buffer:
					 * not words; the rescan sees */
			len = 0;
		/* less than asked for: the pipe is empty (RACE: a word
		 * written since wakes the next poll, level-triggered) */
		if ((size_t)n < want)
			break;
	}
}

/*
 * report - say how the runs we started ended: those our supervisors' words
 * name, and at a rescan (full) or at a "?" those that left running/: a
 * word lost (a supervisor killed, a full pipe) is made up for there.
 */
static void
report(const struct sl_spool *sp, const char *pool, int full)
{
	size_t	i, k;

	words();
	for (i = 0, k = 0; i < ntr; i++) {
		if (tr[i].starter && tr[i].gone) {
			/* its starter exited without a word (killed): the
			 * run is where it left it; a listing of pending/
			 * starts it if it is still there (under its Pending
			 * name: a claim whose step 7 its start was to make
			 * is made now) */
			undefer(&tr[i], 1);
			relist = 1;
			free(tr[i].end);
			continue;
		}
		if (tr[i].starter || !(full || tr[i].look)) {
			tr[k++] = tr[i];	/* a "?" waits for its start */
			continue;
		}
		if (!looked(sp, pool, &tr[i])) {
			tr[i].look = 0;
			tr[k++] = tr[i];
		} else
			free(tr[i].end);
	}
	ntr = k;
	/* a deferred claim whose start is not under way (never made: a
	 * listing that failed; a refusal that could not move the run; a
	 * word about another claim of the same token) gets its Pending
	 * name now, where a listing finds it, instead of waiting for
	 * recovery: this pass's claims come after this */
	if (sl_claim_undefer_idle(starting) > 0)
		relist = 1;
}

/* due_tokens - the runs in our pending/, in order */
static int
pending_tokens(const struct sl_spool *sp, const struct sl_agent *a,
    char ***v, size_t *n)
{
	struct dirent *de;
	char   *d = sl_place(sp, SL_PL_PENDING, a->pool, NULL, a->id,
	    (char *)NULL);
	DIR    *dir;

	*v = NULL;
	*n = 0;
	if ((dir = sl_opendir(d)) == NULL) {
		free(d);
		return errno == ENOENT ? 0 : -1;
	}
	while ((de = readdir(dir)) != NULL)
		if (sl_token_parse(de->d_name, NULL, NULL) == 0) {
			*v = sl_xrealloc(*v, (*n + 1) * sizeof(char *));
			(*v)[(*n)++] = sl_xstrdup(de->d_name);
		}
	closedir(dir);
	free(d);
	if (*n > 1)
		qsort(*v, *n, sizeof(char *), sl_strcmp_p);
	return 0;
}

/*
 * taken_back - a start that failed or found the run gone: if the run left
 * our pending/ (recovery handed it back, a cancel ended it, it was
 * deleted), say so once, at info level: a race, not a failure.  1 if so.
 */
static int
taken_back(const struct sl_spool *sp, const struct sl_agent *a,
    const char *token, const char *id)
{
	char	what[SL_ERR_MAX];

	if (!sl_start_taken_back(sp, a, token, what, sizeof(what)))
		return 0;
	sl_log(SL_INFO, "Flow run '%s' was taken back before it started: %s",
	    id, what);
	return 1;
}

/*
 * limited - has the pool or one of its queues a concurrency limit?  Then
 * a slot another agent's run frees may let us claim (sl_watch_slots).
 * RACE: a limit set after this pass is watched for from the next pass;
 * until then a rescan finds what it freed.
 */
static int
limited(const struct sl_pool *p)
{
	size_t	i;

	if (p->limit != SL_NOLIMIT)
		return 1;
	for (i = 0; i < p->nq; i++)
		if (p->q[i].limit != SL_NOLIMIT)
			return 1;
	return 0;
}

/*
 * said_start - log how a start ended (its outcome rc, what sl_run_start
 * said in *s); 1 if the run stays in pending/ and is to be tried again
 */
static int
said_start(const struct sl_spool *sp, const struct sl_agent *a,
    const char *token, enum sl_start rc, const struct sl_started *s)
{
	switch (rc) {
	case SL_START_STARTED:
		log_started(s->name, s->id, s->attempt, (long)s->sup);
		break;
	case SL_START_LATER:
		return 1;
	case SL_START_GONE:
		(void)taken_back(sp, a, token, s->id);
		break;
	case SL_START_REFUSED:
		sl_log(SL_ERROR, "Rejected flow run '%s': %s", s->id, s->why);
		break;
	case SL_START_CANCELLED:
		sl_log(SL_INFO, "Flow run '%s' (%s) was cancelled before it "
		    "started", s->name, s->id);
		break;
	case SL_START_RETURNED:
		sl_log(SL_WARNING, "Returned flow run '%s' to its queue: %s",
		    s->id, s->why);
		break;
	case SL_START_FAILED:
		/* not an error if the run was taken from under us (handed
		 * back, cancelled) as we started it */
		if (!taken_back(sp, a, token, s->id)) {
			sl_log(SL_ERROR, "Cannot start flow run '%s' now: %s",
			    s->id, s->why);
			return 1;
		}
		break;
	}
	return 0;
}

/* track - a run being started (by starter pid, or 0: started) */
static struct tracked *
track(const char *token, pid_t starter)
{
	struct tracked *t;

	tr = sl_xrealloc(tr, (ntr + 1) * sizeof(*tr));
	t = &tr[ntr++];
	memset(t, 0, sizeof(*t));
	snprintf(t->token, sizeof(t->token), "%s", token);
	sl_token_parse(token, NULL, t->id);
	t->starter = starter;
	return t;
}

/* started_here - the bookkeeping of a start this process made */
static void
started_here(const char *token, enum sl_start rc, const struct sl_started *s,
    int again)
{
	struct tracked *t;

	if (rc == SL_START_STARTED) {
		t = track(token, 0);
		snprintf(t->name, sizeof(t->name), "%s", s->name);
		t->attempt = s->attempt;
		n_starts++;
	} else if (again)
		relist = 1;
}

/* relay_log - a keeper's log line, as a word to its agent (sl_log_relay):
 * lost if the pipe is full or the agent gone, as a word is */
static char relay_tok[SL_RUNNAME_MAX];

static void
relay_log(enum sl_level lv, const char *msg)
{
	char	w[SL_ENDWORD_MAX];
	size_t	n = sl_endword_fmt(w, sizeof(w), relay_tok, "Log", (int)lv,
	    msg);

	if (n > 0 && write(ended_wfd, w, n) < 0)
		(void)0;	/* EAGAIN, EPIPE: lost */
}

/*
 * starter - the process forked to start a run (token; fresh: claimed by
 * this pass), which makes the start (sl_run_start: run.ini, start.ini,
 * the move into running/), says on the pipe how it went ("Started", which
 * the agent logs when it hears it, or "NotStarted", endword.c; it logs
 * any outcome but a start itself), then becomes the run's supervisor
 * (sl_run_become) or exits.  A keeper (keep: its channel on 4, else -1)
 * that supervised its run to the end is back here, and waits for the next
 * run its agent gives it (keeper_send), which it starts the same way.
 */
static _Noreturn void
starter(const struct sl_spool *sp, const struct sl_config *cf,
    const struct sl_agent *a, const struct sl_pool *p, const char *token,
    int fresh, int keep)
{
	struct sl_started s;
	enum sl_start rc;
	struct sl_pool kpool;
	char	w[SL_ENDWORD_MAX], tok[SL_RUNNAME_MAX];
	size_t	n;
	ssize_t	got;
	int	again, flags = fresh ? SL_START_FRESH : 0;

	snprintf(tok, sizeof(tok), "%s", token);
	sl_run_keeper(keep);
	for (;;) {
		rc = sl_run_start(sp, cf, a, p, tok, now_s(), flags |
		    SL_START_BECOME, &s);
		again = rc == SL_START_STARTED ? 0 : said_start(sp, a, tok,
		    rc, &s);
		if (rc == SL_START_STARTED)
			n = sl_endword_fmt(w, sizeof(w), tok, "Started",
			    (int)(s.attempt > INT_MAX ? INT_MAX : s.attempt),
			    s.name);
		else
			n = sl_endword_fmt(w, sizeof(w), tok, "NotStarted",
			    again, "");
		/* RACE: none lost: a starter killed before this write
		 * is seen gone by reap() and the run listed again */
		if (n == 0 || write(ended_wfd, w, n) != (ssize_t)n) {
			if (rc == SL_START_STARTED) {
				/* no word (a full pipe): the agent, which
				 * would have logged the start, takes us for
				 * killed when it reaps us, so we log it and
				 * the run gets a supervisor of its own, as
				 * before starters became theirs (fork
				 * failing: a run without a lease, which crash
				 * detection ends when its directory is two
				 * leases old) */
				(void)said_start(sp, a, tok, rc, &s);
				if (sl_fork_known() == 0) {
					sl_run_keeper(-1);
					sl_log_relay(NULL);
					sl_run_become();
				}
			}
			sl_run_retire();
			_exit(0);
		}
		if (rc != SL_START_STARTED) {
			sl_run_retire();
			_exit(0);
		}
		sl_log_relay(NULL);	/* supervising: to /dev/null, as ever */
		sl_run_become();	/* back only in a keeper */
		/* the next run, or the end of our channel (the agent
		 * retired us, or is gone): a datagram each */
		while ((got = recv(keep, reqbuf, sizeof(reqbuf), 0)) < 0 &&
		    errno == EINTR)
			;
		if (p == &kpool)
			free(kpool.q);
		if (got <= 0 || req_read(reqbuf, (size_t)got, a->pool, tok,
		    sizeof(tok), &kpool, &fresh) < 0) {
			sl_run_retire();
			_exit(0);
		}
		p = &kpool;
		flags = fresh ? SL_START_FRESH : 0;
		/* our stderr is /dev/null now (the supervision's): what the
		 * start logs goes to the agent, which logs it */
		snprintf(relay_tok, sizeof(relay_tok), "%s", tok);
		sl_log_relay(relay_log);
	}
}

/*
 * start_one - start a run that is due, in a starter (starter(): a keeper
 * that waits, or a process forked for it).  So the starts of many runs go
 * on at once, and the agent's own loop makes only the claims: on a
 * network filesystem each of a start's calls is a round trip, and they
 * were a third of the agent's.  Without the pipe, or when fork fails, the
 * agent starts the run itself.
 */
static void
start_one(const struct sl_spool *sp, const struct sl_config *cf,
    const struct sl_agent *a, const struct sl_pool *p, const char *token,
    int fresh)
{
	struct sl_started s;
	struct tracked *t;
	struct keeper *k;
	enum sl_start rc;
	pid_t	pid = -1, kpid;
	int	kq[2] = { -1, -1 }, keep = -1, kept;

	if (ended_fd >= 0) {
		if ((kpid = keeper_send(token, p, fresh)) > 0) {
			t = track(token, kpid);
			if (fresh)
				t->priv = sl_claim_deferred(token);
			return;
		}
		/* not kept: beyond KEEPERS_MAX, with our pipe on 4 (a
		 * standard descriptor closed at our start), no memory to
		 * send a request (-2), or a request too big: too big for
		 * the keepers is too big for one forked now (each would be
		 * given nothing, and idle ones would pile up) */
		kept = kpid == 0 && nkp < KEEPERS_MAX && ended_wfd != 4;
		if (kpid == -1 || (kept && req_make(reqbuf, sizeof(reqbuf),
		    token, p, fresh) < 0)) {
			req_big(token, p);
			kept = 0;
		}
		sl_run_start_dirs(sp, a->pool);	/* for the starter */
		if (!kept || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
		    0, kq) < 0)
			kq[0] = kq[1] = -1;
		else {
			/* a datagram may be as big as the send buffer: one
			 * of REQ_MAX even where net.core.wmem_default is
			 * less (the kernel caps it at wmem_max) */
			int	sb = REQ_MAX + 4096;

			(void)setsockopt(kq[0], SOL_SOCKET, SO_SNDBUF, &sb,
			    sizeof(sb));
		}
		if ((pid = sl_fork_known()) > 0) {
			if (kq[0] >= 0) {
				(void)close(kq[1]);
				kp = sl_xrealloc(kp, (nkp + 1) * sizeof(*kp));
				k = &kp[nkp++];
				memset(k, 0, sizeof(*k));
				k->pid = pid;
				k->fd = kq[0];
				snprintf(k->token, sizeof(k->token), "%s",
				    token);
			}
			t = track(token, pid);
			if (fresh)
				t->priv = sl_claim_deferred(token);
			return;
		}
		if (pid < 0 && kq[0] >= 0) {
			(void)close(kq[0]);
			(void)close(kq[1]);
		}
	}
	if (pid == 0) {
		/* its channel on 4 (the agent's directory descriptors are
		 * all above: sl_dirfd_floor), where its supervision keeps
		 * it (sl_run_keeper) */
		if (kq[1] == 4)
			keep = 4;
		else if (kq[1] >= 0 && dup3(kq[1], 4, O_CLOEXEC) == 4) {
			(void)close(kq[1]);
			keep = 4;
		} else if (kq[1] >= 0)
			(void)close(kq[1]);
		if (kq[0] >= 0 && kq[0] != 4)
			(void)close(kq[0]);
		/* a starter leaves our session at once, as its supervisor
		 * would: setsid() says its pid, which its log line names
		 * (no getpid) */
		sl_lead_session();
		starter(sp, cf, a, p, token, fresh, keep);
	}
	rc = sl_run_start(sp, cf, a, p, token, now_s(), fresh ?
	    SL_START_FRESH : 0, &s);
	started_here(token, rc, &s, said_start(sp, a, token, rc, &s));
}

/*
 * start_due - start what is due in pending/ID/, the runs this pass claimed
 * (fresh) among them: all that is there if listing (a rescan; a run
 * claimed for us by another process, by inotify; a prefetched run come
 * due; a start to try again), else only the fresh claims, which spares a
 * listing a run.  A run being started already (its starter has not said
 * yet) is left to it.  RACE: a run another host's dispatcher claimed for
 * us is started at our next rescan then; no event would tell us sooner.
 * The next due time of a run left there, or 0.
 */
static time_t
start_due(const struct sl_spool *sp, const struct sl_config *cf,
    const struct sl_agent *a, const struct sl_pool *p,
    const struct sl_names *fresh, int listing)
{
	struct sl_started s;
	struct sl_names l;
	enum sl_start rc;
	char  **v;
	size_t	n, i, j;
	time_t	t, now = now_s();

	if (listing && pending_tokens(sp, a, &v, &n) < 0)
		listing = 0;	/* this pass's claims, at least */
	if (listing) {
		nlater = 0;
		later_due = 0;
		relist = 0;
		/* with this pass's claims, which a listing does not show
		 * while they are under their private claim names (deferred:
		 * SL_CLAIM_DEFER) */
		l.v = v;
		l.n = n;
		for (i = 0; i < fresh->n; i++)
			if (!sl_names_has(&l, fresh->v[i]))
				sl_names_add(&l, fresh->v[i]);
		if (l.n > n)
			qsort(l.v, l.n, sizeof(char *), sl_strcmp_p);
		v = l.v;
		n = l.n;
	} else {
		v = sl_xmalloc((fresh->n ? fresh->n : 1) * sizeof(char *));
		for (n = 0; n < fresh->n; n++)
			v[n] = sl_xstrdup(fresh->v[n]);
	}
	for (i = 0; i < n && !stop; i++) {
		for (j = 0; j < ntr && strcmp(tr[j].token, v[i]) != 0; j++)
			;
		if (j < ntr)		/* being started, or running */
			continue;
		sl_token_parse(v[i], &t, NULL);
		if (t <= now) {
			start_one(sp, cf, a, p, v[i], sl_names_has(fresh, v[i]));
			continue;
		}
		/* prefetched: waits for its time here (a cancel is acted on,
		 * in this process: one stat when there is none) */
		rc = sl_run_start(sp, cf, a, p, v[i], now, sl_names_has(fresh,
		    v[i]) ? SL_START_FRESH : 0, &s);
		if (rc == SL_START_LATER) {
			nlater++;
			if (later_due == 0 || t < later_due)
				later_due = t;
		} else
			started_here(v[i], rc, &s, said_start(sp, a, v[i], rc,
			    &s));
		now = now_s();
	}
	if (i < n)	/* stopping: what is left is handed back */
		relist = 1;
	sl_strv_free(v, n);
	return later_due;
}

/* hand_back - return every claimed, unstarted run to its queue */
static void
hand_back(const struct sl_spool *sp, const struct sl_agent *a)
{
	char  **v, *d, *p;
	size_t	n, i;

	/* claims whose step 7 a start was to make and did not: made now,
	 * so that the listing below hands them back too */
	(void)sl_claim_undefer_idle(NULL);
	if (pending_tokens(sp, a, &v, &n) < 0)
		return;
	d = sl_place(sp, SL_PL_PENDING, a->pool, NULL, a->id, (char *)NULL);
	for (i = 0; i < n; i++) {
		char	id[SL_UUID_LEN + 1];

		p = sl_path(d, v[i], (char *)NULL);
		sl_token_parse(v[i], NULL, id);
		if (sl_run_unclaim(sp, a->pool, p, v[i], a->id) == 0)
			sl_log(SL_INFO, "Handed flow run '%s' back to its work "
			    "queue", id);
		free(p);
	}
	/* RACE: a dispatcher may claim for us after this; we are no longer
	 * registered, so recovery hands that back too */
	(void)sl_rmdir(d);
	free(d);
	sl_strv_free(v, n);
}

/* registered - is the agent's registration (still) there? */
static int
registered(const struct sl_spool *sp, const struct sl_agent *a)
{
	char   *p = sl_place(sp, SL_PL_AGENTS, a->pool, NULL, a->id,
	    "agent.ini", (char *)NULL);
	int	rc = sl_exists(p) || errno != ENOENT;

	free(p);
	return rc;
}

/*
 * same_name - warn if another live agent of the pool has our name.  A
 * restart is a new agent (a new id); a predecessor dead on this host is
 * not live, and recovery hands its runs back.
 */
static void
same_name(const struct sl_spool *sp, const struct sl_config *cf,
    const struct sl_agent *a)
{
	struct sl_agent *v;
	size_t	n, i;

	if (sl_agents_load(sp, a->pool, &v, &n) < 0)
		return;
	for (i = 0; i < n; i++)
		if (v[i].registered && strcmp(v[i].id, a->id) != 0 &&
		    strcmp(v[i].name, a->name) == 0 && sl_agent_online(&v[i],
		    time(NULL), sl_offline_after(cf)))
			sl_log(SL_WARNING, "Another agent named '%s' is online "
			    "in work pool '%s' (%s, pid %ld on %s); both will "
			    "serve it", a->name, a->pool, v[i].id, v[i].pid,
			    v[i].host);
	sl_agents_free(v, n);
}

/* reap - collect exited children; a starter's is marked gone (report()
 * reads its word first, then takes a starter gone without one for killed).
 * all: every child that has exited (a rescan, a stop); else only as many
 * as said they are exiting (exiting) */
static void
reap(int all)
{
	pid_t	pid;
	size_t	i;

	/* our children are starters, each its run's supervisor, which
	 * writes its last word on the pipe just before it exits: between
	 * rescans a wait is made only for a child that said so, and no
	 * more waits than such children, so that a pass does not ask the
	 * kernel for nothing (a Started word, a child still exiting): two
	 * calls a run fewer.  A child that said it exits and has not yet is
	 * waited for again at the next pass.  RACE: a starter killed before
	 * its word is reaped at the next rescan (at most --poll-seconds
	 * away), and its run listed again then; so is a starter that found
	 * the pipe full */
	while ((all || exiting > 0) && (pid = waitpid(-1, NULL, WNOHANG)) > 0) {
		if (exiting > 0)
			exiting--;
		for (i = 0; i < nkp; i++)
			if (kp[i].pid == pid) {
				keeper_drop(i);
				break;
			}
		for (i = 0; i < ntr; i++)
			if (tr[i].starter == pid) {
				tr[i].gone = 1;
				/* its words may wait unread in the pipe (a
				 * short run: Started and its end): read
				 * before it is taken for killed, or its
				 * start would go unlogged (heard) */
				words_due = 1;
			}
	}
	if (all && exiting > 0 && pid <= 0)
		exiting = 0;	/* none is left to wait for */
}

/*
 * await_starters - before handing back what is left in pending/ (at a
 * stop, after --run-once's pass): wait for every starter to say how its
 * start went, so that no run being started is handed back under it; at
 * most STARTERS_WAIT seconds (one killed without a word stops waiting
 * when reaped)
 */
#define STARTERS_WAIT	60

static void
await_starters(const struct sl_spool *sp, const char *pool)
{
	struct pollfd pf;
	size_t	i;
	int	k, busy = 1;

	words_due = 1;		/* no wait of sl_watch_wait's says so now */
	for (k = 0; k < STARTERS_WAIT * 10 && busy; k++) {
		reap(1);
		report(sp, pool, 0);
		for (i = 0, busy = 0; i < ntr; i++)
			if (tr[i].starter)
				busy = 1;
		if (busy && ended_fd >= 0) {
			pf.fd = ended_fd;
			pf.events = POLLIN;
			sl_log_flush();
			(void)poll(&pf, 1, 100);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct sl_config cf;
	struct sl_spool sp;
	struct sl_agent a;
	struct sigaction sa;
	sigset_t stopsigs;
	int	sigfd = -1, blocked;
	int	ended[2], listing;
	struct sl_names got = { 0 };
	struct sl_pass pass = { 0 };
	struct sl_pool p;
	const char *spool = NULL, *pool = NULL, *name = NULL;
	char	err[SL_ERR_MAX], slug[64];
	long	limit = SL_NOLIMIT, prefetch = 10, poll = -1, wait_s, x, room,
	    accepted;
	struct sl_optget g;
	int	once = 0, quiet = 0, full, deep, o;
	size_t	j;
	time_t	now, last_full = 0, next_beat = 0, due, next;

	sl_set_progname(argv[0]);
	/* the spool's directory descriptors off 3, where our pipe goes */
	sl_dirfd_floor(5);	/* 3: the pipe; 4: a keeper's channel */
	/* systemd's socket and watchdog, if any, ours and not our runs' */
	sl_notify_init();
	memset(&a, 0, sizeof(a));
	sl_opt_init(&g, opts, A_NOPT, SL_OPT_NOARGS | SL_OPT_SAYSHORT, argc,
	    argv);
	while ((o = sl_opt_next(&g)) != SL_OPT_END) {
		const char *v = g.val;

		switch (o) {
		case SL_OPT_UNKNOWN:
		case SL_OPT_BAD:
			sl_warn("%s", g.err);
			usage(2);
		case A_HELP:
			usage(0);
		case A_VERSION:
			printf("sluice-agent %s\n", SLUICE_VERSION);
			return 0;
		case A_ONCE:
			once = 1;
			break;
		case A_QUIET:
			quiet = 1;
			break;
		case A_SPOOL:
			spool = v;
			break;
		case A_POOL:
		case A_QUEUE:
		case A_NAME:
			if (!sl_name_ok(v)) {
				sl_warn("invalid %s name '%s': it %s", o == A_POOL ?
				    "work pool" : o == A_QUEUE ? "work queue" :
				    "agent", v, sl_name_why(v));
				usage(2);
			}
			if (o == A_POOL)
				pool = v;
			else if (o == A_QUEUE) {
				a.queues = sl_xrealloc(a.queues,
				    (a.nqueues + 1) * sizeof(char *));
				a.queues[a.nqueues++] = sl_xstrdup(v);
			} else
				name = v;
			break;
		case A_MATCH:
			if (!sl_name_ok(v)) {
				sl_warn("invalid queue prefix '%s': it %s", v,
				    sl_name_why(v));
				usage(2);
			}
			/* several, as Prefect's: kept as "dev-,ops-" (a name
			 * never holds a comma; sl_agent_serves splits it) */
			if (a.match != NULL) {
				char   *m = sl_xmalloc(strlen(a.match) +
				    strlen(v) + 2);

				sprintf(m, "%s,%s", a.match, v);
				free(a.match);
				a.match = m;
			} else
				a.match = sl_xstrdup(v);
			break;
		case A_LIMIT:
		case A_L:
			if (sl_num_parse(v, 1, 1000000, &limit) < 0) {
				sl_warn("invalid --limit '%s': a whole number "
				    "from 1 to 1000000", v);
				usage(2);
			}
			break;
		default:	/* A_PREFETCH, A_POLL */
			if (sl_num_parse(v, o == A_POLL, 86400, &x) < 0) {
				sl_warn("invalid %s '%s': seconds, %d to 86400",
				    opts[o].lng, v, o == A_POLL);
				usage(2);
			}
			if (o == A_POLL)
				poll = x;
			else
				prefetch = x;
		}
	}
	if (pool == NULL && a.nqueues == 0 && a.match == NULL) {
		sl_warn("No work queues provided! Give a work pool (-p), "
		    "work queues (-q) or a queue prefix (-m)");
		usage(2);
	}
	if (a.nqueues > 0 && a.match != NULL) {
		sl_warn("Only one of -q and -m can be given: serve named queues "
		    "or the queues whose names start with a prefix");
		usage(2);
	}
	if (sl_config_load(&cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	if (poll < 0)
		poll = cf.poll_seconds;
	if (sl_log_open(cf.log, "sluice.agent") < 0)
		sl_fatal("log = %s: cannot open", cf.log);
	if (sl_spool_resolve(&sp, spool, &cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	sl_perm_denied_hint(&sp);

	/* the pool and the queues it names: made if missing (seed) */
	snprintf(a.pool, sizeof(a.pool), "%s", pool ? pool : SL_DEFAULT_POOL);
	my_pool = a.pool;
	if (!sl_pool_exists(&sp, a.pool)) {
		if (sl_pool_ensure(&sp, a.pool, err, sizeof(err)) < 0)
			sl_fatal("%s", err);
		sl_log(SL_INFO, "Created work pool '%s'.", a.pool);
	}
	for (j = 0; j < a.nqueues; j++) {
		char   *qd = sl_queue_dir(&sp, a.pool, a.queues[j]);
		int	had = sl_exists(qd) || strcmp(a.queues[j], SL_DEFAULT_QUEUE) == 0;

		free(qd);
		if (sl_queue_ensure(&sp, a.pool, a.queues[j], err, sizeof(err)) < 0)
			sl_fatal("%s", err);
		if (!had)
			sl_log(SL_INFO, "Created work queue '%s' in work pool "
			    "'%s'.", a.queues[j], a.pool);
	}

	if (sl_uuid(a.id) < 0)
		sl_fatal("cannot make an agent id: %s", strerror(errno));
	if (name == NULL) {
		sl_slug(slug, sizeof(slug));
		name = slug;
	}
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.host, sizeof(a.host), "%s", sl_host());
	a.pid = (long)sl_self();
	a.limit = limit;
	a.prefetch = once ? 0 : prefetch;	/* once: only what is due now */
	a.started = time(NULL);
	/* blocked from before our registration: a stop asked meanwhile is
	 * taken at our first wait, and the registration removed (below) */
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGINT);
	blocked = sigprocmask(SIG_BLOCK, &stopsigs, NULL) == 0;
	if (sl_agent_register(&sp, &a, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	same_name(&sp, &cf, &a);
	next_beat = a.started + cf.heartbeat;
	sl_watch_self(a.id);
	sl_watch_slots(0);	/* until a pass finds a pool or queue limit */

	/* our supervisors say on this pipe how each run ended (endword.c),
	 * so its slot is used again at once and its end is logged without
	 * a look into the spool: on a network filesystem (NFS, FUSE: sshfs)
	 * their renames bring no inotify event at all (spool-layout.md,
	 * "The agent's pipe") */
	if (pipe2(ended, O_CLOEXEC | O_NONBLOCK) == 0) {
		int	r;

		/* the write end on descriptor 3, where every supervisor
		 * keeps it (sl_run_become): then none moves it, a call a
		 * run.  Only when 3 is the pipe's own read end, moved up */
		if (ended[0] == 3 && (r = fcntl(3, F_DUPFD_CLOEXEC, 4)) >= 0) {
			if (dup3(ended[1], 3, O_CLOEXEC) == 3) {
				(void)close(ended[1]);
				ended[0] = r;
				ended[1] = 3;
			} else
				(void)close(r);
		}
		sl_run_notify_fd(ended[1]);
		sl_watch_fd(ended[0]);
		ended_fd = ended[0];
		ended_wfd = ended[1];
	} else
		sl_log(SL_WARNING, "cannot make a pipe (%s): ended runs are "
		    "seen at the next rescan%s", strerror(errno),
		    sl_network_fs(sp.root) ? "" : " or by inotify");
	/* SIGTERM and SIGINT: blocked, and read from a signalfd that our
	 * wait polls (sl_watch_signals), not taken by a handler.  So the
	 * starters and the supervisors they become inherit them at their
	 * default, and a supervisor's one sigprocmask unblocks them: no
	 * handler of ours to put back (two calls a run), and a supervisor
	 * held in a killable sleep (a dead mount) is still ended by kill,
	 * which a signal with a handler would not do.  Without a signalfd,
	 * the handler, as before */
	if (blocked && (sigfd = signalfd(-1, &stopsigs, SFD_NONBLOCK |
	    SFD_CLOEXEC)) >= 0) {
		/* at their default, blocked (a signalfd reads a blocked
		 * signal even if ignored): one inherited ignored (SIGINT of
		 * a background job of sh) would otherwise be reset by every
		 * supervisor; made after the pipe, which keeps fd 3 */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		sl_watch_signals(sigfd);
		took_signal(sigfd);	/* one asked while we registered */
	} else {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;	/* no SA_RESTART: waits return */
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGTERM, &sa, NULL) < 0 ||
		    sigaction(SIGINT, &sa, NULL) < 0)
			sl_fatal("sigaction: %s", strerror(errno));
		/* then unblocked: one that came meanwhile sets stop */
		(void)sigprocmask(SIG_UNBLOCK, &stopsigs, NULL);
	}
	sl_run_start_warm();	/* what each starter would look up again */
	sl_log_hold();		/* a pass's lines in one write (log.c) */

	if (!quiet) {
		printf("Starting sluice %s agent '%s' (%s) on spool %s...\n%s\n",
		    SLUICE_VERSION, a.name, a.id, sp.root, banner);
		if (pool != NULL || (a.nqueues == 0 && a.match == NULL))
			printf("Agent started! Looking for work from work pool "
			    "'%s'...\n", a.pool);
		else if (a.match != NULL) {
			/* Prefect's list: ['dev-', 'ops-'] */
			printf("Agent started! Looking for work from queue(s) "
			    "that start with the prefix: ['");
			for (j = 0; a.match[j] != '\0'; j++)
				if (a.match[j] == ',')
					printf("', '");
				else
					putchar(a.match[j]);
			printf("']...\n");
		} else {
			printf("Agent started! Looking for work from queue(s): ");
			for (j = 0; j < a.nqueues; j++)
				printf("%s%s", j ? ", " : "", a.queues[j]);
			printf("...\n");
		}
		fflush(stdout);
	}

	/* registered, and watching before the first pass: nothing that
	 * arrives after READY=1 is missed.  --run-once watches nothing: a
	 * watch on a directory costs the kernel a walk of its cached
	 * entries (17 ms at 100,000 queued runs) for events nobody reads;
	 * its starters' words come on the pipe */
	if (!once)
		(void)sl_watch_pool(&sp, a.pool, 1);
	(void)sl_notify("READY=1\nSTATUS=Looking for work");
	for (;;) {
		now = now_s();
		if (now >= next_beat) {
			if (sl_agent_beat(&sp, &a, now) < 0 && errno != ENOENT)
				sl_log(SL_ERROR, "cannot publish the heartbeat of "
				    "agent %s: %s", a.id, strerror(errno));
			else if (!registered(&sp, &a)) {
				/* taken for gone (a host cut off for longer
				 * than the window plus SL_STALE_LEASES leases,
				 * a stopped agent) and swept: its claims went
				 * back long ago; it serves again */
				sl_log(SL_WARNING, "The registration of agent "
				    "'%s' (%s) was removed: it was taken for "
				    "gone; registering again", a.name, a.id);
				if (sl_agent_register(&sp, &a, err,
				    sizeof(err)) < 0)
					sl_log(SL_ERROR, "%s", err);
			}
			/* the counters, at a beat, when they changed */
			if ((n_claims != said_claims || n_starts !=
			    said_starts) && sl_agent_counters(&sp, &a,
			    n_claims, n_starts) == 0) {
				said_claims = n_claims;
				said_starts = n_starts;
			}
			next_beat = now + cf.heartbeat;
		}
		full = now - last_full >= poll;
		accepted = pass.accepted;
		deep = sl_maintain_pool(&sp, &cf, a.pool, now, full, &pass);
		if (full)
			last_full = now;
		/* first: the runs that ended, so that their slots count free */
		words_due = full || (sl_watch_seen() & SL_SEEN_FD);
		reap(full);
		report(&sp, a.pool, full);
		next = due = 0;
		/* the pool's configuration is read once a pass, for the
		 * claims and the starts alike */
		if (!stop && sl_pool_load_pass(&sp, a.pool, &p, deep ?
		    SL_POOL_READ : full ? SL_POOL_LOOK : SL_POOL_QUICK, err,
		    sizeof(err)) < 0)
			sl_log(SL_ERROR, "%s", err);
		else if (!stop) {
			sl_watch_slots(limited(&p));
			/* RACE: no claim is tried while the runs we started
			 * and those prefetched fill our limit: our agent
			 * slots are held by those and by runs others claimed
			 * for us, which we may not know of yet, so this counts
			 * too few, never too many (a full pass's report has
			 * just looked at every run we started, so a word lost
			 * counts until then only), and spares a look at every
			 * slot a pass; a recovering pass (once a heartbeat)
			 * looks anyway, in case the count is wrong */
			room = LONG_MAX;
			if (a.limit != SL_NOLIMIT && !deep)
				room = a.limit - (long)ntr - nlater;
			/* a quick pass claims from the last listing of each
			 * queue when no run arrived since (see
			 * sl_pass_claim_flags); a rescan lists */
			(void)sl_claim_in(&sp, &a, &p, room, now, &got, &next,
			    sl_pass_claim_flags(full, deep, pass.accepted >
			    accepted) | SL_CLAIM_SELF | SL_CLAIM_DEFER);
			n_claims += got.n;
			for (j = 0; j < got.n; j++) {
				char	id[SL_UUID_LEN + 1];

				sl_token_parse(got.v[j], NULL, id);
				sl_log(SL_INFO, "Submitting flow run '%s'", id);
				sl_watch_own(got.v[j]);
			}
			listing = full || relist || (sl_watch_seen() &
			    SL_SEEN_MINE) || (later_due != 0 && now_s() >=
			    later_due);
			due = start_due(&sp, &cf, &a, &p, &got, listing);
			sl_names_free(&got);
			sl_pool_free(&p);
		}
		/* after the starts, which may have used them */
		keepers_retire(now, stop ? 0 : poll);
		if (once || stop)
			break;
		/* the next thing to do: a prefetched run's start (to the
		 * millisecond), a claim coming due, a beat, a rescan */
		now = now_s();
		wait_s = poll - (now - last_full);
		if (next_beat - now < wait_s)
			wait_s = next_beat - now;
		if (next != 0 && next - a.prefetch - now < wait_s)
			wait_s = next - a.prefetch - now;
		/* the watchdog, never late: before the short sleeps to a
		 * start too, which a busy queue can chain for minutes */
		sl_notify_tick(&wait_s);
		if (due != 0) {
			/* whole-second waits would start it up to a second
			 * late: wait to a second before, then sleep to the
			 * millisecond */
			long	ms = ms_until(due);
			struct timespec ts;

			if (ms <= 1500) {
				if (ms >= 0)
					sl_log_flush();
				if (ms >= 0 && sigfd >= 0) {
					/* a sleep a stop ends (a chain of
					 * them can last minutes) */
					nap_or_stop(sigfd, ms + 1);
				} else if (ms >= 0) {
					ts.tv_sec = (ms + 1) / 1000;
					ts.tv_nsec = ((ms + 1) % 1000) * 1000000L;
					nanosleep(&ts, NULL);
				}
				/* no wait: the events since are unread */
				sl_watch_skipped();
				continue;
			}
			if ((ms - 1000) / 1000 < wait_s)
				wait_s = (ms - 1000) / 1000;
		}
		(void)sl_watch_pool(&sp, a.pool, full);
		/* RACE: a change on another host is seen at the next rescan,
		 * at most poll seconds away: inotify sees only this host, and
		 * the pipe only our own supervisors */
		sl_log_flush();		/* the pass's lines, in one write */
		(void)sl_watch_wait(wait_s);
		if (sigfd >= 0 && (sl_watch_seen() & SL_SEEN_SIG))
			took_signal(sigfd);
		if (stop)
			break;
	}
	(void)sl_notify("STOPPING=1");
	await_starters(&sp, a.pool);
	hand_back(&sp, &a);
	report(&sp, a.pool, 1);
	if (sl_agent_deregister(&sp, &a) < 0)
		sl_log(SL_ERROR, "cannot deregister agent %s: %s", a.id,
		    strerror(errno));
	sl_log_unhold();	/* before what goes to stdout, in order */
	if (!quiet) {
		printf("Agent stopped!\n");
		fflush(stdout);
	}
	sl_watch_close();
	for (j = 0; j < ntr; j++) {
		free(tr[j].end);
		free(tr[j].priv);
	}
	free(tr);
	sl_agent_free(&a);
	sl_spool_free(&sp);
	sl_config_free(&cf);
	return 0;
}
