/*
 * run.c - sluice submit and sluice flow-run (sluice-submit(1),
 * sluice-flow-run(1)): put a command into a pool as a run; list, inspect,
 * follow, cancel and delete runs.  A user who may act on a run but cannot
 * write the spool acts through a request to a privileged acceptor (perm.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

static char err[SL_ERR_MAX];

/* state_matches - is run r in the state a --state word names? */
static int
state_matches(const struct sl_run *r, const char *want, time_t now,
    const struct sl_config *cf)
{
	return strcasecmp(want, sl_run_display(r, now, cf->late_after)) == 0 ||
	    strcasecmp(want, sl_state_names[r->state]) == 0;
}

static const char *const state_words[] = { "Scheduled", "Late",
	"AwaitingRetry", "Pending", "Running", "Cancelling", "Completed",
	"Failed", "Crashed", "Cancelled", "Rejected", "Paused", NULL };

/* the stored states each --state word can be in: where to look (Paused,
 * a Prefect state no sluice run is ever in: a bit of no state, so that
 * nothing is looked for, yet not "every state") */
static const unsigned state_places[] = {
	1u << SL_SCHEDULED, 1u << SL_SCHEDULED, 1u << SL_SCHEDULED,
	1u << SL_PENDING, 1u << SL_RUNNING, 1u << SL_PENDING | 1u << SL_RUNNING,
	1u << SL_COMPLETED, 1u << SL_FAILED, 1u << SL_CRASHED,
	1u << SL_CANCELLED, 1u << SL_REJECTED, 1u << SL_NSTATES
};

/*
 * state_types - flow-run ls --state-type TYPE, Prefect's state types
 * (SCHEDULED, PENDING, RUNNING, CANCELLING, COMPLETED, FAILED, CRASHED,
 * CANCELLED, PAUSED; any case), added to the --state words: a type is a
 * stored state, so SCHEDULED takes in Late and AwaitingRetry runs, and
 * PENDING and RUNNING their Cancelling ones, as --state does.  An unknown
 * type is a usage error.
 */
static void
state_types(struct args *a)
{
	static const char *const types[] = { "SCHEDULED", "PENDING",
	    "RUNNING", "CANCELLING", "COMPLETED", "FAILED", "CRASHED",
	    "CANCELLED", "PAUSED", "REJECTED", NULL };
	int	i, j;

	for (i = 0; i < a->nall[O_STATE_TYPE]; i++) {
		for (j = 0; types[j] != NULL; j++)
			if (strcasecmp(a->all[O_STATE_TYPE][i], types[j]) == 0)
				break;
		if (types[j] == NULL)
			usage_error(NULL, "unknown state type '%s': one of "
			    "SCHEDULED, PENDING, RUNNING, CANCELLING, COMPLETED, "
			    "FAILED, CRASHED, CANCELLED, PAUSED, REJECTED",
			    a->all[O_STATE_TYPE][i]);
		a->all[O_STATE] = sl_xrealloc(a->all[O_STATE],
		    (a->nall[O_STATE] + 1) * sizeof(char *));
		a->all[O_STATE][a->nall[O_STATE]++] = types[j];
	}
}

/* need_states - every --state word known, or exit 2; the stored states
 * they can be in (0: no --state, all) */
static unsigned
need_states(struct args *a)
{
	unsigned mask = 0;
	int	i, j;

	for (i = 0; i < a->nall[O_STATE]; i++) {
		for (j = 0; state_words[j] != NULL; j++)
			if (strcasecmp(a->all[O_STATE][i], state_words[j]) == 0) {
				mask |= state_places[j];
				break;
			}
		if (state_words[j] == NULL)
			usage_error(NULL, "unknown state '%s': one of Scheduled, "
			    "Late, AwaitingRetry, Pending, Running, Cancelling, "
			    "Completed, Failed, Crashed, Cancelled, Rejected, "
			    "Paused", a->all[O_STATE][i]);
	}
	return mask;
}

/* selected - does run r pass the -q and --state filters? */
static int
selected(const struct sl_run *r, struct args *a, time_t now,
    const struct sl_config *cf)
{
	int	i;

	if (a->val[O_QUEUE] != NULL && strcmp(r->queue, a->val[O_QUEUE]) != 0)
		return 0;
	if (a->nall[O_STATE] == 0)
		return 1;
	for (i = 0; i < a->nall[O_STATE]; i++)
		if (state_matches(r, a->all[O_STATE][i], now, cf))
			return 1;
	return 0;
}

/* the filters of flow-run ls, for sl_runs_load_newest */
struct ls_filter {
	struct args *a;
	const struct sl_config *cf;
	time_t	now;
};

static int
ls_keep(const struct sl_run *r, void *arg)
{
	struct ls_filter *f = arg;

	return selected(r, f->a, f->now, f->cf);
}

/* late_only - of the Scheduled runs, does --state ask for Late ones only
 * (then a run due later is left out by its name)? */
static int
late_only(struct args *a)
{
	int	i, late = 0;

	for (i = 0; i < a->nall[O_STATE]; i++) {
		if (strcasecmp(a->all[O_STATE][i], "Late") == 0)
			late = 1;
		else if (strcasecmp(a->all[O_STATE][i], "Scheduled") == 0 ||
		    strcasecmp(a->all[O_STATE][i], "AwaitingRetry") == 0)
			return 0;
	}
	return late;
}

/* LS_DEFAULT - the runs a table shows without --limit, as Prefect */
#define LS_DEFAULT	15

/*
 * run_duration - how long run r ran, or has been running by now, as "45s",
 * "3m04s", "2h05m", "3d04h"; "" if it has not started
 */
static const char *
run_duration(const struct sl_run *r, time_t now, char *buf, size_t len)
{
	long	d = sl_run_seconds(r, now);

	buf[0] = '\0';
	return d < 0 ? buf : sl_duration_fmt(d, buf, len);
}

/* the agents of the pools a listing shows, each pool's loaded once */
struct agentnames {
	struct poolagents {
		char	pool[SL_NAME_MAX + 1];
		struct sl_agent *v;
		size_t	n;
	}      *p;
	size_t	n;
};

/*
 * agent_label - the name of the agent that took run r, if it is registered
 * now, else the first 8 digits of its id (agent ls --json shows it whole);
 * "" for a run no agent took
 */
static const char *
agent_label(const struct sl_spool *sp, const struct sl_run *r,
    struct agentnames *an, char *buf, size_t len)
{
	struct poolagents *pa;
	size_t	i;

	if (r->agent[0] == '\0')
		return "";
	for (i = 0; i < an->n && strcmp(an->p[i].pool, r->pool) != 0; i++)
		;
	if (i == an->n) {
		pa = realloc(an->p, (an->n + 1) * sizeof(*an->p));
		if (pa == NULL)
			sl_fatal("out of memory");
		an->p = pa;
		pa = &an->p[an->n++];
		snprintf(pa->pool, sizeof(pa->pool), "%s", r->pool);
		if (sl_agents_load(sp, r->pool, &pa->v, &pa->n) < 0) {
			pa->v = NULL;	/* names unknown: ids then */
			pa->n = 0;
		}
	}
	pa = &an->p[i];
	for (i = 0; i < pa->n; i++)
		if (strcmp(pa->v[i].id, r->agent) == 0 && pa->v[i].name[0])
			return pa->v[i].name;
	snprintf(buf, len, "%.8s", r->agent);
	return buf;
}

/* agentnames_free - forget the agents agent_label loaded */
static void
agentnames_free(struct agentnames *an)
{
	size_t	i;

	for (i = 0; i < an->n; i++)
		sl_agents_free(an->p[i].v, an->p[i].n);
	free(an->p);
}

/*
 * fr_ls - sluice flow-run ls: the newest runs first; a table shows
 * LS_DEFAULT unless --limit (0: all), --json all unless --limit.  One run
 * more than shown is looked for, so that the table says when there are
 * more, and only when there are.
 */
int
fr_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "ID", "Name", "Pool", "Queue", "State",
	    "When", "Host", "Agent", "Duration", "Exit" };
	struct agentnames an = { NULL, 0 };
	struct ls_filter f = { a, cf, time(NULL) };
	struct sl_runsel sel = { 0 };
	struct sl_buf b = { 0 };
	struct sl_runs rs;
	struct sl_table *t;
	char	w[40], more[160], dur[32], ag[16], ex[16];
	size_t	i, limit;
	time_t	when;

	if (a->val[O_LIMIT] != NULL)
		limit = (size_t)need_num("--limit", a->val[O_LIMIT], 0);
	else
		limit = a->val[O_JSON] != NULL ? 0 : LS_DEFAULT;
	state_types(a);
	sel.states = need_states(a);
	sel.queue = a->val[O_QUEUE];
	/* Late: scheduled more than late_after ago (sl_run_display) */
	sel.due_by = late_only(a) ? f.now - cf->late_after - 1 : 0;
	sel.limit = limit ? limit + 1 : 0;
	sel.keep = ls_keep;
	sel.arg = &f;
	if (sl_runs_load_newest(sp, cf, a->val[O_POOL], 1, &sel, &rs) < 0)
		return EX_FAIL;
	more[0] = '\0';
	if (limit != 0 && rs.n > limit) {
		snprintf(more, sizeof(more), "Showing the newest %zu; there are "
		    "more: --limit N shows N, --limit 0 all.", limit);
		rs.n--;		/* the one looked for: freed below */
	}
	t = sl_table_new("Flow Runs", 10, hdr);
	for (i = 0; i < rs.n; i++) {
		const char *row[10];

		if (a->val[O_JSON] != NULL) {
			run_json(&b, &rs.v[i], f.now, cf);
			continue;
		}
		when = sl_run_when(&rs.v[i]);
		row[0] = rs.v[i].id;
		row[1] = rs.v[i].spec.name ? rs.v[i].spec.name : "";
		row[2] = rs.v[i].pool;
		row[3] = rs.v[i].queue;
		row[4] = sl_run_display(&rs.v[i], f.now, cf->late_after);
		row[5] = when ? sl_time_fmt(when, w, sizeof(w)) : "";
		row[6] = rs.v[i].host;
		row[7] = agent_label(sp, &rs.v[i], &an, ag, sizeof(ag));
		row[8] = run_duration(&rs.v[i], f.now, dur, sizeof(dur));
		ex[0] = '\0';
		if (rs.v[i].exit_code >= 0)
			snprintf(ex, sizeof(ex), "%d", rs.v[i].exit_code);
		row[9] = ex;
		sl_table_row(t, row);
	}
	if (a->val[O_JSON] != NULL) {
		if (b.s != NULL)
			emit(&b);
	} else if (rs.n == 0)
		/* a sentence, not a bare header (as preview says it too) */
		printf("%s\n", a->val[O_POOL] != NULL || a->val[O_QUEUE] !=
		    NULL || a->nall[O_STATE] > 0 ? "No flow runs match these "
		    "filters." : "No flow runs found.");
	else
		sl_table_print(t, stdout, boxed(), more[0] ? more : NULL);
	sl_table_free(t);
	agentnames_free(&an);
	if (more[0])
		rs.n++;
	sl_runs_free(&rs);
	return 0;
}

/* find_run - a run by id or prefix, with why it waits; or say why not */
static int
find_run(const struct sl_spool *sp, const char *ref, struct sl_runs *rs,
    struct sl_run **r, const struct sl_config *cf)
{
	if (sl_run_find(sp, ref, rs, r, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		sl_runs_free(rs);
		return -1;
	}
	sl_runs_why(sp, cf, (*r)->pool, *r, rs, time(NULL));
	return 0;
}

/* fr_inspect - sluice flow-run inspect */
int
fr_inspect(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_buf b = { 0 };
	struct sl_runs rs;
	struct sl_run *r;
	time_t	now = time(NULL);

	if (find_run(sp, a->pos[0], &rs, &r, cf) < 0)
		return EX_FAIL;
	run_json(&b, r, now, cf);
	if (a->val[O_JSON] != NULL) {
		emit(&b);
		sl_runs_free(&rs);
		return 0;
	}
	inspect_emit("FlowRun", &b, NULL, r->spec.command);
	sl_runs_free(&rs);
	return 0;
}

/*
 * some_lines - flow-run logs --head, -n N, --reverse: the first N lines
 * (--head; N 20 unless -n), or the last N (-n alone), or all, newest
 * first with --reverse.  Returns the log's size (where a --follow goes
 * on from), or -1 when it cannot be read.
 */
static off_t
some_lines(const struct sl_run *r, struct args *a)
{
	char   *path = sl_path(r->dir, "log", (char *)NULL), *text = NULL;
	size_t	len = 0, n, i, nl = 0, first, last, *at;
	long	want = 20;
	ssize_t	got;

	if (a->val[O_NUM_LOGS] != NULL)
		want = need_num("--num-logs", a->val[O_NUM_LOGS], 0);
	if ((got = sl_read_file(path, &text, (size_t)1 << 31)) < 0) {
		if (errno == EACCES)
			sl_warn("Permission denied: the log of flow run '%s' is "
			    "readable by its owner only.", r->id);
		else if (errno != ENOENT)
			sl_warn("cannot read %s: %s", path, strerror(errno));
		free(path);
		return errno == ENOENT ? 0 : -1;
	}
	free(path);
	len = (size_t)got;
	/* where each line starts; a last line without '\n' counts */
	for (i = 0; i < len; i++)
		nl += text[i] == '\n';
	n = nl + (len > 0 && text[len - 1] != '\n');
	at = sl_xmalloc((n + 1) * sizeof(*at));
	at[0] = 0;
	for (i = 0, nl = 1; i < len; i++)
		if (text[i] == '\n' && nl <= n)
			at[nl++] = i + 1;
	at[n] = len;
	first = 0;
	last = n;
	if (a->val[O_HEAD] != NULL)
		last = (size_t)want < n ? (size_t)want : n;
	else if (a->val[O_NUM_LOGS] != NULL)
		first = (size_t)want < n ? n - (size_t)want : 0;
	for (i = first; i < last; i++) {
		size_t	k = a->val[O_REVERSE] != NULL ? last - 1 - (i - first) :
		    i;
		size_t	e = at[k + 1];

		fwrite(text + at[k], 1, e - at[k], stdout);
		if (e == len && len > 0 && text[len - 1] != '\n' &&
		    a->val[O_REVERSE] != NULL && k != first)
			putchar('\n');	/* reversed, the last is not last */
	}
	free(at);
	free(text);
	return (off_t)len;
}

/* fr_logs - sluice flow-run logs */
int
fr_logs(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runs rs;
	struct sl_run *r;
	char	id[SL_UUID_LEN + 1], buf[8192], *path;
	off_t	off = 0;
	ssize_t	n;
	int	fd = -1, final;

	if ((a->val[O_HEAD] != NULL || a->val[O_REVERSE] != NULL) &&
	    a->val[O_FOLLOW] != NULL)
		usage_error(NULL, "--follow prints lines as they come: not with "
		    "--head or --reverse");
	if (find_run(sp, a->pos[0], &rs, &r, cf) < 0)
		return EX_FAIL;
	memcpy(id, r->id, sizeof(id));
	if (a->val[O_HEAD] != NULL || a->val[O_NUM_LOGS] != NULL ||
	    a->val[O_REVERSE] != NULL) {
		if ((off = some_lines(r, a)) < 0) {
			sl_runs_free(&rs);
			return EX_FAIL;
		}
		if (a->val[O_FOLLOW] == NULL)
			goto said;
	}
	for (;;) {
		final = r->state >= SL_COMPLETED;
		if (fd < 0) {
			path = sl_path(r->dir, "log", (char *)NULL);
			fd = sl_open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			free(path);
			if (fd < 0 && errno == EACCES) {
				/* 0640, the owner's group (perm.c) */
				sl_warn("Permission denied: the log of flow run "
				    "'%s' is readable by its owner only.", id);
				sl_runs_free(&rs);
				return EX_FAIL;
			}
			if (fd >= 0 && lseek(fd, off, SEEK_SET) < 0)
				off = 0;
		}
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			off += n;
		}
		fflush(stdout);
		if (a->val[O_FOLLOW] == NULL || final)
			break;
		/* RACE: the run's directory moves as its state changes; an
		 * open log keeps reading across the rename, and we look the
		 * run up again to learn when it has ended. */
		sleep(1);
		sl_runs_free(&rs);
		if (sl_run_find(sp, id, &rs, &r, err, sizeof(err)) < 0)
			break;
		if (r->state >= SL_COMPLETED && fd >= 0) {
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				fwrite(buf, 1, (size_t)n, stdout);
			break;
		}
	}
said:
	if (off == 0 && a->val[O_FOLLOW] == NULL)
		fprintf(stderr, "%s: No logs for flow run '%s' (%s).\n",
		    sl_progname(), id, sl_state_names[r->state]);
	if (fd >= 0)
		close(fd);
	sl_runs_free(&rs);
	return 0;
}

/*
 * by_request - act on a run through a request to a privileged acceptor
 * (perm.c), for a user who may act on it but cannot write the spool, and
 * wait a little for it to be carried out.  0 done or under way.
 */
static int
by_request(const struct sl_spool *sp, struct sl_run *r, const char *action,
    const struct sl_config *cf)
{
	struct sl_runs rs;
	struct sl_run *now;
	char	id[SL_UUID_LEN + 1];
	struct timespec ts = { 0, 200 * 1000000L };
	int	i, done = 0;

	if (sl_perm_request(sp, r, action, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	memcpy(id, r->id, sizeof(id));
	/* a watching dispatcher or agent takes it at once; others at their
	 * next pass, poll_seconds away */
	for (i = 0; i < 5 * (cf->poll_seconds + 2) && !done; i++) {
		nanosleep(&ts, NULL);
		if (sl_run_find(sp, id, &rs, &now, err, sizeof(err)) < 0) {
			sl_runs_free(&rs);
			done = strcmp(action, "delete") == 0 ? 1 : 0;
			continue;	/* gone, or moving */
		}
		if (strcmp(action, "cancel") == 0 &&
		    (now->state == SL_CANCELLED || now->cancelling ||
		    now->state >= SL_COMPLETED))
			done = now->state == SL_CANCELLED ? 1 : now->cancelling ?
			    2 : 3;
		sl_runs_free(&rs);
	}
	if (done == 0)
		printf("Asked for flow run '%s' to be %s: the spool is not "
		    "writable by you, so a dispatcher or agent of work pool '%s' "
		    "running as root or as the spool's owner carries it out at "
		    "its next pass.\n", id, strcmp(action, "cancel") == 0 ?
		    "cancelled" : "deleted", r->pool);
	else if (strcmp(action, "delete") == 0)
		printf("Deleted flow run '%s'.\n", id);
	else if (done == 1)
		printf("Cancelled flow run '%s'.\n", id);
	else if (done == 2)
		printf("Flow run '%s' was successfully scheduled for "
		    "cancellation.\n", id);
	else {
		sl_warn("Flow run '%s' ended before the cancel was carried out.",
		    id);
		return EX_FAIL;
	}
	return 0;
}

/* cancel_one - cancel a run, or ask for it to be cancelled */
static int
cancel_one(const struct sl_spool *sp, struct sl_run *r,
    const struct sl_config *cf)
{
	int	was = r->state, rc;

	/* who may cancel whose run (perm.c): others get exit 1 */
	if (sl_perm_may_act(sp, r, "cancel", err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	if (r->state < SL_COMPLETED && sl_perm_needs_request(sp, r))
		return by_request(sp, r, "cancel", cf);
	rc = sl_run_cancel(sp, r, err, sizeof(err));
	if (rc != 0) {
		sl_warn("%s", err);
		return EX_FAIL;
	}
	if (was == SL_SCHEDULED)
		printf("Cancelled flow run '%s'.\n", r->id);
	else
		printf("Flow run '%s' was successfully scheduled for "
		    "cancellation.\n", r->id);
	return 0;
}

/*
 * cancel_total - the last line of a bulk cancel: how many runs were
 * cancelled at once (they had not started), how many were asked to stop
 * (Pending or Running: their agents end them), how many could not be
 */
static void
cancel_total(int stopped, int asked, int failed)
{
	const char *sep = "";

	if (stopped > 0) {
		printf("Cancelled %d flow run%s", stopped, stopped == 1 ? "" :
		    "s");
		sep = "; ";
	}
	if (asked > 0) {
		printf("%s%d %s scheduled for cancellation", sep, asked,
		    asked == 1 ? "was" : "were");
		sep = "; ";
	}
	if (failed > 0)
		printf("%s%d could not be cancelled (said above)", sep, failed);
	printf(".\n");
}

/* fr_cancel - sluice flow-run cancel */
int
fr_cancel(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runs rs;
	struct sl_run *r;
	time_t	now = time(NULL);
	size_t	i;
	unsigned states;
	struct sl_progress pg;
	int	rc = 0, k, hits = 0, others = 0, stopped = 0, failed = 0, was;

	states = need_states(a);
	if (a->npos > 0) {
		if (a->val[O_POOL] || a->val[O_QUEUE] || a->nall[O_STATE])
			usage_error(NULL, "give runs, or -p POOL [-q QUEUE] "
			    "--state STATE, not both");
		for (k = 0; k < a->npos; k++) {
			if (find_run(sp, a->pos[k], &rs, &r, cf) < 0) {
				rc = EX_FAIL;
				continue;
			}
			if (cancel_one(sp, r, cf) != 0)
				rc = EX_FAIL;
			sl_runs_free(&rs);
		}
		return rc;
	}
	if (a->val[O_POOL] == NULL || a->nall[O_STATE] == 0)
		usage_error(NULL, "missing argument: sluice flow-run cancel RUN... "
		    "| -p POOL [-q QUEUE] --state STATE");
	if (sl_runs_load_sel(sp, cf, a->val[O_POOL], 0, states, 0, &rs) < 0)
		return EX_FAIL;
	sl_progress_begin(&pg, "cancelling flow runs", (long)rs.n);
	/* on a terminal the lines below show how far it got; into a pipe, a
	 * count on standard error does (progress.c) */
	if (isatty(STDOUT_FILENO))
		pg.off = 1;
	for (i = 0; i < rs.n; i++) {
		sl_progress_step(&pg);
		if (!selected(&rs.v[i], a, now, cf) || rs.v[i].state >= SL_COMPLETED)
			continue;
		/* a bulk cancel leaves other users' runs alone */
		if (sl_perm_may_act(sp, &rs.v[i], "cancel", err,
		    sizeof(err)) < 0) {
			others++;
			continue;
		}
		hits++;
		was = rs.v[i].state;
		if (cancel_one(sp, &rs.v[i], cf) != 0) {
			rc = EX_FAIL;
			failed++;
		} else if (was == SL_SCHEDULED)
			stopped++;
	}
	sl_progress_end(&pg);
	if (others > 0)
		sl_warn("left %d flow run%s of other users alone (not yours to "
		    "cancel)", others, others == 1 ? "" : "s");
	if (hits == 0)
		printf("No flow runs to cancel.\n");
	else
		cancel_total(stopped, hits - stopped - failed, failed);
	sl_runs_free(&rs);
	return rc;
}

/* fr_delete - sluice flow-run delete */
int
fr_delete(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runs rs;
	struct sl_run *r;
	int	rc = 0;

	if (find_run(sp, a->pos[0], &rs, &r, cf) < 0)
		return EX_FAIL;
	/* who may delete whose run (perm.c): others get exit 1 */
	if (sl_perm_may_act(sp, r, "delete", err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		rc = EX_FAIL;
	} else if (r->state != SL_PENDING && r->state != SL_RUNNING &&
	    sl_perm_needs_request(sp, r))
		rc = by_request(sp, r, "delete", cf);
	else if (sl_run_delete(sp, r, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		rc = EX_FAIL;
	} else
		printf("Deleted flow run '%s'.\n", r->id);
	sl_runs_free(&rs);
	return rc;
}

/* storable - a value for the run file, or exit 2 saying why not */
static char *
storable(const char *what, const char *v)
{
	char   *q = sl_ini_quote(v);

	if (q == NULL)
		usage_error(NULL, "%s cannot be stored in a run file: it holds a "
		    "newline, both kinds of quote, or is over 900 bytes", what);
	free(q);
	return sl_xstrdup(v);
}

/* submit - sluice submit */
int
submit(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	struct sl_runspec r;
	const char *q = a->val[O_QUEUE] ? a->val[O_QUEUE] : SL_DEFAULT_QUEUE;
	char   *pt, *qd, *qs, line[SL_UUID_LEN + 2];
	int	drop, priv, ready;

	(void)cf;
	if (a->ntail == 0 || a->tail[0][0] == '\0')
		usage_error(NULL, "missing command: sluice submit -p POOL -- "
		    "COMMAND [ARG...]");
	if (a->val[O_POOL] == NULL)
		usage_error(NULL, "missing -p POOL: a run goes into a work pool");
	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "%s", a->val[O_POOL]);
	snprintf(r.queue, sizeof(r.queue), "%s", q);
	r.scheduled = time(NULL);	/* --at @0 is 1970, not "now" */
	if (a->val[O_AT] != NULL && sl_time_parse(a->val[O_AT], time(NULL),
	    &r.scheduled) < 0)
		usage_error(NULL, "invalid time '%s': use RFC 3339 with an offset "
		    "(2026-11-28T14:00:00Z), @EPOCH, now, or +N[smhd]",
		    a->val[O_AT]);
	if (a->val[O_NAME] != NULL) {
		if (!sl_runfile_name_ok(a->val[O_NAME]))
			usage_error(NULL, "invalid run name: 1 to 200 printable "
			    "characters");
		r.name = storable("the run name", a->val[O_NAME]);
	}
	run_opts(a, &r);
	/* a privileged submitter (root, the spool's owner) whose queue is
	 * there has found its pool too (sl_queue_ready): one lookup, not
	 * the pool's and then the queue's, and the spool's not at all (main
	 * does not make the spool for submit) */
	priv = sl_perm_privileged(sp);
	ready = priv && sl_queue_ready(sp, r.pool, r.queue);
	if (!ready && !sl_pool_exists(sp, r.pool)) {
		sl_warn("Work pool '%s' not found. Create it with 'sluice "
		    "work-pool create %s'.", r.pool, r.pool);
		sl_runspec_free(&r);
		return EX_FAIL;
	}
	/* a user who cannot write the pool's private tmp/ or the queue's
	 * sched/ (a shared spool) goes through the queue's drop box
	 * (perm.c); the id printed is the one its acceptor gives it */
	drop = 0;
	if (!priv) {
		pt = sl_place(sp, SL_PL_TMP, r.pool, NULL, (char *)NULL);
		qd = sl_queue_dir(sp, r.pool, r.queue);
		qs = sl_path(qd, "sched", (char *)NULL);
		drop = !sl_perm_can_write(pt) || !sl_perm_can_write(qs);
		free(pt);
		free(qd);
		free(qs);
	}
	if (drop ? sl_perm_submit_drop(sp, &r, err, sizeof(err)) < 0 :
	    (!ready && sl_queue_ensure(sp, r.pool, r.queue, err,
	    sizeof(err)) < 0) || sl_run_submit(sp, &r, err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		sl_runspec_free(&r);
		return EX_FAIL;
	}
	/* written, not printed: stdio would ask whether stdout is a
	 * terminal (fstat, ioctl) for one line */
	snprintf(line, sizeof(line), "%s\n", r.id);
	if (sl_write_all(1, line, strlen(line)) < 0) {
		sl_warn("cannot write the run's id to standard output: %s",
		    strerror(errno));
		sl_runspec_free(&r);
		return EX_FAIL;
	}
	sl_runspec_free(&r);
	return 0;
}

/* run_opts - what submit and deployment create take for a run */
void
run_opts(struct args *a, struct sl_runspec *r_)
{
#define r (*r_)
	/* the ranges a run file allows (sluice-run(5)) */
	const struct {
		enum opt o;
		const char *name, *unit;
		const struct sl_runfile_range *range;
		long   *v;
	} num[] = {
		{ O_RETRIES, "--retries", "", &sl_runfile_retries, &r.retries },
		{ O_RETRY_DELAY, "--retry-delay", " seconds",
		    &sl_runfile_retry_delay, &r.retry_delay },
		{ O_TIMEOUT, "--timeout", " seconds", &sl_runfile_timeout,
		    &r.timeout },
	};
	size_t	k;
	int	i;

	for (k = 0; k < sizeof(num) / sizeof(num[0]); k++)
		if (a->val[num[k].o] != NULL && sl_num_parse(a->val[num[k].o],
		    num[k].range->min, num[k].range->max, num[k].v) < 0)
			usage_error(NULL, "invalid %s '%s': %ld to %ld%s",
			    num[k].name, a->val[num[k].o], num[k].range->min,
			    num[k].range->max, num[k].unit);
	if (a->val[O_CWD] != NULL) {
		if (a->val[O_CWD][0] != '/')
			usage_error(NULL, "--cwd %s: must be an absolute path",
			    a->val[O_CWD]);
		r.cwd = storable("the --cwd directory", a->val[O_CWD]);
	}
	for (i = 0; i < a->nall[O_ENV]; i++) {
		const char *e = a->all[O_ENV][i], *eq = strchr(e, '=');

		if (eq == NULL || eq == e)
			usage_error(NULL, "invalid --env '%s': NAME=VALUE", e);
		if (!sl_runfile_env_name_ok(e, (size_t)(eq - e)))
			usage_error(NULL, "invalid --env name in '%s'", e);
		free(storable("an --env value", eq + 1));
		for (size_t j = 0; j < r.nenv; j++)
			if (strncasecmp(r.env[j], e, (size_t)(eq - e)) == 0 &&
			    r.env[j][eq - e] == '=')
				usage_error(NULL, "--env %.*s given twice (names "
				    "differing only in case count as one)",
				    (int)(eq - e), e);
		r.env = sl_xrealloc(r.env, (r.nenv + 1) * sizeof(*r.env));
		r.env[r.nenv++] = sl_xstrdup(e);
	}
	r.command = sl_cmd_from_argv(a->ntail, a->tail);
	/* as at(1): the user and the group it was submitted under (the
	 * user's primary group unless sg(1) or newgrp(1) chose another);
	 * no password lookup, which costs a submit 22 system calls; the
	 * uid comes with the euid every command asks (one getresuid) */
	r.owner_uid = sl_perm_uid();
	r.owner_gid = getgid();
	/* the run file it becomes must read back as given (sluice-run(5)) */
	if (sl_runspec_check(&r, err, sizeof(err)) < 0)
		usage_error(NULL, "%s", err);
#undef r
}
