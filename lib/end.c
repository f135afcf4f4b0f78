/*
 * end.c - the moves that end a claimed run or give it back, and its
 * result: finish (to done/ID.STATE), unclaim (back to sched/, unstarted),
 * requeue (back to sched/ for a retry), refuse (to rejected/ID), and
 * result.ini, written and read here only (spool-layout.md, "Runs" and its
 * state table).
 *
 * Each move publishes what the run's next state needs in its directory
 * first (result.ini, a new run.ini, reason), then renames the directory,
 * then gives back the run's slots: a run never counts as Pending or
 * Running without its slots, and a crash between the rename and the
 * release leaves slots held by a run that is no longer active, which
 * recovery frees (claim.c).  Every file written into a run's directory
 * is written under a private name and renamed into place (sl_write_small).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

/* queue_of - the queue in a run's run.ini: 0; -1 it cannot be read; -2
 * it cannot be trusted to say (why says why).  Of one cut short (refused
 * by sl_runini_load), its queue line, if whole and of a queue that
 * exists: the run goes back to its queue all the same, where its start
 * refuses it with the reason, instead of waiting for ever under a gone
 * agent with its slots held */
static int
queue_of(const struct sl_spool *sp, const char *pool, const char *dir,
    char q[SL_NAME_MAX + 1], char *why, size_t whylen)
{
	struct sl_runspec r;
	char	line[SL_NAME_MAX + 16], *p, *text, *qd;
	int	rc;

	switch (sl_runini_load(dir, 0, &r, NULL, why, whylen)) {
	case 0:
		rc = r.queue[0] != '\0' ? 0 : -2;
		if (rc == 0)
			memcpy(q, r.queue, SL_NAME_MAX + 1);
		else
			snprintf(why, whylen, "its run.ini names no queue");
		sl_runspec_free(&r);
		return rc;
	case -1:
		return -1;
	}
	/* a queue line cut short would name another queue: only a whole
	 * line, of a queue that exists, is taken */
	p = sl_path(dir, "run.ini", (char *)NULL);
	rc = sl_read_file(p, &text, SL_RUNINI_MAX) < 0 ? -1 : -2;
	free(p);
	if (rc == -1)
		return -1;
	sl_kv_get(text, "queue", q, SL_NAME_MAX + 1);
	snprintf(line, sizeof(line), "\nqueue = %s\n", q);
	if (sl_name_ok(q) && strstr(text, line) != NULL) {
		qd = sl_queue_dir(sp, pool, q);
		rc = sl_exists(qd) ? 0 : -2;
		free(qd);
	}
	free(text);
	return rc;
}

/*
 * sl_run_unclaim - hand a claimed, unstarted run back to its queue: rename
 * its directory (dir, named anything) first to a private name beside it
 * (pending/AGENT/.claim.E.U.TOKEN, a name only this process makes), then
 * to queues/Q/sched/TOKEN, then give back the slots of this claim, in this
 * order so that it never counts as Pending without its slots.  The run
 * keeps its token, so it may be claimed again under the same one at once:
 * this claim's entries are those that say both token = TOKEN and agent =
 * AGENT.
 *
 * Why the private step: sched/TOKEN is a name the run had before, so a
 * host that looked it up within a cache period may still see it.  Had we
 * renamed straight to it and lost to the agent's start (pending to
 * running), sane_rename would see our source gone and "our" target there,
 * call that a lost reply of a success, and we would give back the slots
 * of a Running run.  A failed rename to a fresh private name is a real
 * failure; once the run is under it, nobody else can move it, so the
 * second rename's outcome is ours to read.  A crash between the two leaves
 * a .claim. directory, which recovery returns after 10 x lease (at once
 * if its agent is gone).  Returns 0 handed back, -1 not (errno, a
 * warning), 1 refused: its run.ini, cut short, does not say its queue
 * whole, and it goes to rejected/ with the reason (sl_run_refuse), not
 * to a queue it may not be of, nor left holding its slots.
 */
int
sl_run_unclaim(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *token, const char *agent)
{
	char	q[SL_NAME_MAX + 1], why[SL_ERR_MAX], id[SL_UUID_LEN + 1];
	char   *qd, *pd, *priv = NULL, *slash;
	int	rc = -1;

	switch (queue_of(sp, pool, dir, q, why, sizeof(why))) {
	case -1:
		return -1;
	case -2:
		/* RACE: its agent may come back and start it this instant:
		 * one rename wins (the start's refuses it all the same) */
		if (sl_token_parse(token, NULL, id) < 0)
			return -1;
		return sl_run_refuse(sp, pool, dir, id, why) == 0 ? 1 : -1;
	}
	pd = sl_xstrdup(dir);
	if ((slash = strrchr(pd, '/')) != NULL)
		*slash = '\0';
	qd = sl_place(sp, SL_PL_SCHED, pool, q, (char *)NULL);
	if (slash == NULL ||
	    (priv = sl_flight_name(pd, "claim", time(NULL), token)) == NULL)
		goto out;
	sl_step("unclaim-private");
	if (sane_rename(dir, priv) < 0)
		goto out;	/* started, cancelled or handed back meanwhile */
	/* ours alone now: no claim.ini, and no scratch a killed claimer
	 * left (.claim.tmp), which would else go with the run to done/ at
	 * its end (sl_run_finish_recorded does not list it) */
	sl_run_forget_claim(priv);
	sl_run_scrub(priv);
	sl_step("unclaim-publish");
	if (sl_sched_put(priv, qd, token, 0) == 0) {
		if (sl_slots_release_claim(sp, pool, token, agent) < 0)
			sl_warn("cannot give back the slots of run %s: %s",
			    token, strerror(errno));
		rc = 0;
	} else
		sl_warn("cannot return run %s to %s: %s; recovery will, from "
		    "%s", token, qd, strerror(errno), priv);
out:
	free(priv);
	free(pd);
	free(qd);
	return rc;
}

/* result_put - result.ini, durably or not (sl_result_write) */
static int
result_put(const char *dir, const char *state, time_t started, time_t ended,
    int exit_code, const char *message, int durable)
{
	struct sl_buf b = { 0 };
	char	t[40], *q, *tmp, *to;
	int	rc;

	sl_buf_puts(&b, "[result]\n");
	sl_ini_put(&b, "state", state);
	if (started != 0)
		sl_ini_put(&b, "started", sl_time_fmt(started, t, sizeof(t)));
	sl_ini_put(&b, "ended", sl_time_fmt(ended, t, sizeof(t)));
	if (exit_code >= 0)
		sl_buf_printf(&b, "exit_code = %d\n", exit_code);
	if (message != NULL && (q = sl_ini_quote(message)) != NULL) {
		sl_buf_printf(&b, "message = %s\n", q);
		free(q);
	}
	sl_buf_puts(&b, SL_INI_TRAILER);
	if (durable)
		rc = sl_write_small(dir, "result.ini", b.s);
	else {
		to = sl_path(dir, "result.ini", (char *)NULL);
		/* RACE: made new and written in place, not by a scratch file
		 * and a rename (one round trip less on a network filesystem):
		 * the directory's rename into done/, after this close,
		 * publishes it whole; only a look at the Running run in this
		 * moment (flow-run inspect) may read part of it, as it may
		 * read all of it.  A result there already (an earlier
		 * attempt's AwaitingRetry) is replaced whole, as before */
		if ((rc = sl_write_tmp_nosync(to, b.s, b.len, 0644)) < 0 &&
		    errno == EEXIST) {
			tmp = sl_path(dir, ".result.ini.tmp", (char *)NULL);
			rc = sl_publish_nosync(tmp, to, b.s, b.len);
			free(tmp);
		}
		free(to);
	}
	sl_buf_free(&b);
	return rc;
}

/*
 * release - give back the slots of the run id, now in dir: those slots
 * names (the caller made the claim: what its claim.ini says), else those
 * its claim.ini names, else (a claim written by an older binary, or lost)
 * those a look into every slot finds
 */
static int
release(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *id, const char *slots)
{
	char   *text, list[1024];
	int	rc = -1;

	if (slots != NULL)
		rc = sl_slots_release_named(sp, pool, id, slots);
	else if ((text = sl_read_small(dir, "claim.ini")) != NULL) {
		/* RACE: none; the run is in done/, where nobody writes it */
		sl_kv_get(text, "slots", list, sizeof(list));
		free(text);
		rc = sl_slots_release_named(sp, pool, id, list);
	}
	return rc == 0 ? 0 : sl_slots_release_run(sp, pool, id);
}

/* finish - sl_run_finish; durable: fsync result.ini and done/ */
static int
finish(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *id, enum sl_state st, int exit_code, time_t started,
    const char *message, int durable, int result, const char *slots)
{
	char	name[SL_RUNNAME_MAX], *dd, *to;
	int	rc;

	/* a killed writer's scratch stays behind: scrubbed before a durable
	 * end (crash detection, a cancel, a refusal ...).  A supervisor whose
	 * attempt was recorded (not durable) knows its own writers ended;
	 * another's scratch (a killed cancel) goes to done/ with the run,
	 * where nobody writes, and away with it at the sweep: a listing of
	 * the directory saved a run */
	if (durable)
		sl_run_scrub(dir);
	if (result && result_put(dir, sl_state_names[st], started, time(NULL),
	    exit_code, message, durable) < 0)
		return -1;
	dd = sl_place(sp, SL_PL_DONE, pool, NULL, (char *)NULL);
	sl_done_name(name, id, st);
	to = sl_path(dd, name, (char *)NULL);
	sl_step("finish-rename");
	rc = sl_rename_into(dir, to, dd);
	if (rc == 0 && durable)
		(void)sl_fsync_dir(dd);	/* the move itself, durably */
	if (rc == 0)	/* ended here, once: the pool's alerts (alert.c) */
		sl_alert_run(sp, pool, id, st);
	if (rc == 0) {
		sl_step("finish-release");
		rc = release(sp, pool, to, id, slots);
	}
	free(dd);
	free(to);
	return rc;
}

/*
 * sl_run_finish - end a Pending or Running run: write its result, move it
 * to done/ID.STATE, then give back its slots.  Moving first means a run
 * never counts as Pending or Running without its slots; a crash between
 * the two leaves slots held by a finished run, which recovery frees.  The
 * result and the move are durable before it returns.
 */
int
sl_run_finish(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *id, enum sl_state st, int exit_code, time_t started,
    const char *message)
{
	return finish(sp, pool, dir, id, st, exit_code, started, message, 1, 1,
	    NULL);
}

/*
 * sl_run_finish_recorded - the same for a run whose attempt's exit record
 * (lease.c, sl_exit_write) is durable already: nothing is fsynced.  A
 * power cut that loses the result or the move leaves the run in running/
 * with that record, and crash detection ends it from the record, with the
 * same state and exit code: the record is the promise, this is its echo.
 * slots: the slots the run's claim took, if the caller knows them (its
 * agent made the claim: sl_claim_slots_of), else NULL: claim.ini says.
 */
int
sl_run_finish_recorded(const struct sl_spool *sp, const char *pool,
    const char *dir, const char *id, enum sl_state st, int exit_code,
    time_t started, const char *message, const char *slots)
{
	return finish(sp, pool, dir, id, st, exit_code, started, message, 0, 1,
	    slots);
}

/*
 * sl_run_finish_exit - sl_run_finish_recorded for the first attempt of a
 * run whose end its exit record says whole (a plain exit or a signal
 * nobody sent: the state, exit code and message sl_status_state gives
 * its status, nothing the supervisor added): no result.ini is written,
 * since sl_result_read derives the same from the record (which holds the
 * attempt's start and end too) and the done/ID.STATE name.  An open, a
 * write and a close a run saved, and on a network filesystem a create,
 * the server's synchronous commit.  A
 * later attempt's directory holds the earlier one's result.ini
 * (AwaitingRetry), which would be read instead: it goes the usual way.
 */
int
sl_run_finish_exit(const struct sl_spool *sp, const char *pool,
    const char *dir, const char *id, enum sl_state st, const char *slots)
{
	return finish(sp, pool, dir, id, st, -1, 0, NULL, 0, 0, slots);
}

/*
 * sl_run_requeue - put a run that ended an attempt back into its queue
 * for the next one (AwaitingRetry): run.ini is rewritten with attempt + 1
 * and the new scheduled time, result.ini says why, then the directory is
 * renamed to queues/Q/sched/ under a new token and the old claim's slots
 * are given back (by token: the run may be claimed again at once).  The
 * caller owns dir: its supervisor, or a crash detector that renamed it
 * to a private name.
 */
int
sl_run_requeue(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *old_token, struct sl_runspec *r, time_t when, int exit_code,
    const char *message)
{
	struct timespec sub;
	char	tok[SL_TOKEN_LEN + 1], err[SL_ERR_MAX], *qd;
	int	rc;

	r->attempt++;
	r->scheduled = when;
	sl_run_scrub(dir);
	sl_run_forget_claim(dir);
	if (sl_runini_write(dir, r, 0, NULL, err, sizeof(err)) < 0)
		return -1;
	if (sl_result_write(dir, "AwaitingRetry", 0, time(NULL), exit_code,
	    message) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &sub);
	sl_token_make(tok, when, (unsigned long long)sub.tv_sec * 1000000ULL +
	    (unsigned long long)(sub.tv_nsec / 1000), r->id);
	qd = sl_place(sp, SL_PL_SCHED, pool, r->queue, (char *)NULL);
	rc = sl_sched_put(dir, qd, tok, 0);
	free(qd);
	if (rc == 0)	/* its new name, for lookups by id */
		(void)sl_idhint_write(sp, pool, r->queue, tok);
	if (rc == 0 && old_token != NULL &&
	    sl_slots_release_token(sp, pool, old_token) < 0)
		sl_warn("cannot give back the slots of run %s: %s", r->id,
		    strerror(errno));
	return rc;
}

/*
 * sl_run_refuse - a claimed run its agent will not run (owner, unreadable
 * run.ini): reason is written, the directory goes to rejected/ID with its
 * run.ini, and its slots are given back.
 */
int
sl_run_refuse(const struct sl_spool *sp, const char *pool, const char *dir,
    const char *id, const char *reason)
{
	struct sl_buf b = { 0 };
	char   *rd, *to;
	int	rc;

	sl_buf_printf(&b, "%s\n", reason);
	rc = sl_write_small(dir, "reason", b.s);
	sl_buf_free(&b);
	if (rc < 0)
		return -1;
	rd = sl_place(sp, SL_PL_REJECTED, pool, NULL, (char *)NULL);
	to = sl_path(rd, id, (char *)NULL);
	rc = sl_rename_into(dir, to, rd);
	free(rd);
	free(to);
	if (rc == 0)
		(void)sl_slots_release_run(sp, pool, id);
	return rc;
}

/*
 * sl_run_forget_claim - a run going back to sched/ (handed back, returned,
 * retried) keeps no claim.ini: an agent claiming it again for itself
 * writes none (SL_CLAIM_SELF), and an end without the slot names in
 * memory would release the slots an earlier claim's file names ("none",
 * or fewer than the run holds now) instead of looking for them.  One
 * unlink, on these rare paths only.  Best effort: a file left is the
 * stale-name case release() already corrects when a named slot has no
 * entry of the run.
 */
void
sl_run_forget_claim(const char *dir)
{
	char   *p = sl_path(dir, "claim.ini", (char *)NULL);

	if (sl_unlink(p) < 0 && errno != ENOENT)
		sl_warn("cannot remove %s: %s", p, strerror(errno));
	free(p);
}

/*
 * sl_run_scrub - remove the scratch files a killed writer left in a run
 * directory that is now the caller's alone (it ends the attempt): the
 * private names of a lease (.lease.PID), an exit record (.exit.PID) and
 * of write_file and the claim, start and result writers (.NAME.tmp).
 * Anything else is left.  Acts through a descriptor, never a path below
 * dir.  Best effort: a leftover is litter, not a fault.
 */
void
sl_run_scrub(const char *dir)
{
	struct dirent *de;
	size_t	n;
	DIR    *d;
	int	fd;

	if ((fd = sl_open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strncmp(de->d_name, ".lease.", 7) == 0 ||
		    strncmp(de->d_name, ".exit.", 6) == 0 ||
		    (n > 4 && strcmp(de->d_name + n - 4, ".tmp") == 0))
			/* RACE: every writer of these names has ended:
			 * the caller ends the attempt after its sweep (or,
			 * handing back a gone agent's claim, a dispatcher
			 * may still be writing its claim.ini in the private
			 * name we took: its write fails once we rename the
			 * run, and a scratch it made first is replaced by
			 * the next claim's) */
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/*
 * sl_result_write - publish result.ini in a run's directory: state,
 * started (0: unknown), ended, exit_code (-1: none), message (NULL: none).
 * Every end of a run, or of an attempt, is written here.
 */
int
sl_result_write(const char *dir, const char *state, time_t started,
    time_t ended, int exit_code, const char *message)
{
	return result_put(dir, state, started, ended, exit_code, message, 1);
}

/*
 * result_derive - the result of a finished run that has no result.ini
 * (sl_run_finish_exit): dir must be done/ID.STATE (sl_done_parse), and
 * its exit record, whole, of attempt 1 and not fenced, says the status,
 * when the attempt started and when it ended; the state sl_status_state
 * gives the status must be the one the name says.  One file read, as
 * result.ini's was.  0, or -1 (a run finished by hand, an older sluice's
 * without result.ini: "ended unknown")
 */
#define DONE_LEN	(sizeof("/done/") - 1)

static int
result_derive(const char *dir, struct sl_result *res)
{
	char	base[SL_RUNNAME_MAX], id[SL_UUID_LEN + 1], *text;
	const char *b;
	enum sl_state want, st;
	size_t	len = strlen(dir);
	long	fenced = 1;
	int	status, code, rc, had;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (b = dir + len; b > dir && b[-1] != '/'; b--)
		continue;
	if ((size_t)(dir + len - b) >= sizeof(base))
		return -1;
	memcpy(base, b, (size_t)(dir + len - b));
	base[dir + len - b] = '\0';
	if (sl_done_parse(base, id, &want) < 0)
		return -1;
	text = sl_read_small(dir, "exit");
	had = text != NULL;
	rc = text == NULL ? -1 : sl_exit_parse(text, 1, &status, &fenced,
	    &res->started, &res->ended);
	free(text);
	/* `exit` written by a warm recorder was not fsynced, the move to
	 * done/ may outlive its contents in a power cut (not its name,
	 * made before the move): its record is in its journal then, which
	 * is not removed before a syncfs made `exit` durable (journal.c);
	 * the pool's directory is done/'s parent.  A run with no `exit` at
	 * all (finished by hand) does not look: a listing would read every
	 * journal for it each time */
	if (had && rc < 0 && (size_t)(b - dir) > DONE_LEN) {
		char	pd[PATH_MAX], rec[SL_EXIT_MAX + 64];
		size_t	pl = (size_t)(b - dir) - DONE_LEN;

		if (pl < sizeof(pd) && memcmp(b - DONE_LEN, "/done/",
		    DONE_LEN) == 0) {
			memcpy(pd, dir, pl);
			pd[pl] = '\0';
			if (sl_journal_lookup(pd, id, 1, rec, sizeof(rec)) == 0)
				rc = sl_exit_parse(rec, 1, &status, &fenced,
				    &res->started, &res->ended);
		}
	}
	if (rc == 0 && fenced == 0 && (st = sl_status_state(status, &code,
	    res->message, sizeof(res->message))) == want) {
		snprintf(res->state, sizeof(res->state), "%s",
		    sl_state_names[st]);
		res->exit_code = code;
		return 0;
	}
	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	return -1;
}

/*
 * sl_result_read - dir/result.ini: 0 and *res (exit_code -1 when none, an
 * empty message when none); -1 if there is none or it cannot be parsed.
 * A finished run without one (sl_run_finish_exit) has its result derived
 * from its exit record (result_derive).
 */
int
sl_result_read(const char *dir, struct sl_result *res)
{
	char   *text = sl_read_small(dir, "result.ini"), why[SL_ERR_MAX];
	struct sl_ini *ini;
	const char *v;
	long	n;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (text == NULL)
		return errno == ENOENT ? result_derive(dir, res) : -1;
	ini = sl_ini_parse(text, strlen(text), why, sizeof(why));
	free(text);
	if (ini == NULL)
		return -1;
	if ((v = sl_ini_get(ini, "result", "state")) != NULL)
		snprintf(res->state, sizeof(res->state), "%s", v);
	if ((v = sl_ini_get(ini, "result", "ended")) != NULL)
		sl_time_parse(v, 0, &res->ended);
	if ((v = sl_ini_get(ini, "result", "started")) != NULL)
		sl_time_parse(v, 0, &res->started);
	if ((v = sl_ini_get(ini, "result", "exit_code")) != NULL &&
	    sl_num_parse(v, 0, 1000, &n) == 0)
		res->exit_code = (int)n;
	if ((v = sl_ini_get(ini, "result", "message")) != NULL)
		snprintf(res->message, sizeof(res->message), "%s", v);
	sl_ini_free(ini);
	return 0;
}
