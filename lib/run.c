/*
 * run.c - runs in the spool: accepting dropped files, submitting, finding,
 * cancelling, deleting, and cleaning up (spool-layout.md, "Runs").
 *
 * A run is a directory that moves; where it is, is its state:
 *
 *	pools/P/queues/Q/sched/T.U.ID/	Scheduled (Late, AwaitingRetry shown)
 *	pools/P/pending/AGENT/T.U.ID/	Pending
 *	pools/P/running/T.U.ID/		Running (Cancelling with a cancel file)
 *	pools/P/done/ID.STATE/		Completed, Failed, Crashed, Cancelled
 *	pools/P/rejected/ID/		Rejected (the dropped bytes and why)
 *	pools/P/tmp/E.ID.U/		being built (private; E = epoch, hex; U a UUID)
 *
 * T is the scheduled time and U the submission time in microseconds, both
 * 16 hex digits, so a listing of sched/ sorts runs by (scheduled time,
 * submission order, id) without opening a file.  Every move is one rename
 * of the whole directory, which is atomic on every filesystem sluice
 * supports: of two processes moving one run, exactly one succeeds.
 *
 * Inside a run directory: run.ini (the accepted run, immutable), source
 * (the dropped file, as dropped), reason (why it was rejected), result.ini
 * (how it ended), cancel (a cancel was asked for), log (its output).
 *
 * Not here: the names themselves (names.c), run.ini's reader and writer
 * (runfile.c), the moves that end a claimed run or give it back and
 * result.ini (end.c), slots (slot.c), claims (claim.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"


/* ---- building and publishing a run ---- */

/* private_dir - a fresh pools/P/tmp/E.ID.U directory */
static char *
private_dir(const struct sl_spool *sp, const char *pool, const char *id,
    time_t now, char *err, size_t errlen)
{
	char	name[SL_RUNNAME_MAX], u[SL_UUID_LEN + 1], *tmp, *d;

	tmp = sl_place(sp, SL_PL_TMP, pool, NULL, (char *)NULL);
	/* a run id is not always private (a deployment's runs have ids
	 * every scheduler derives alike): a fresh UUID makes the name so */
	if (sl_uuid(u) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		free(tmp);
		return NULL;
	}
	sl_private_name(name, now, id, u);
	d = sl_path(tmp, name, (char *)NULL);
	free(tmp);
	if (sl_mkdir_new(d, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", d, strerror(errno));
		free(d);
		return NULL;
	}
	return d;
}

/*
 * publish_sched - move a complete private run directory into its queue's
 * sched/ directory under its ordering name.
 */
static int
publish_sched(const struct sl_spool *sp, const struct sl_runspec *r,
    const char *priv, const struct timespec *sub, char *err, size_t errlen)
{
	struct timespec now;
	char	tok[SL_TOKEN_LEN + 1], *qd;
	int	rc = -1;

	if (sub != NULL)
		now = *sub;
	else
		clock_gettime(CLOCK_REALTIME, &now);
	sl_token_make(tok, r->scheduled, (unsigned long long)now.tv_sec *
	    1000000ULL + (unsigned long long)(now.tv_nsec / 1000), r->id);
	qd = sl_place(sp, SL_PL_SCHED, r->pool, r->queue, (char *)NULL);
	/* the publication itself, durably: what submit acknowledges
	 * survives a power cut (run.ini and its directory were fsynced
	 * before; sl_sched_put fsyncs the bucket, and sched/ if it made
	 * the bucket) */
	if (sl_sched_put(priv, qd, tok, 1) < 0)
		snprintf(err, errlen, "cannot move the run into %s: %s", qd,
		    strerror(errno));
	else {
		(void)sl_idhint_write(sp, r->pool, r->queue, tok);
		rc = 0;
	}
	free(qd);
	return rc;
}

/* sl_run_submit - publish a new run; r->pool, queue, command set by caller */
int
sl_run_submit(const struct sl_spool *sp, struct sl_runspec *r, char *err,
    size_t errlen)
{
	char   *priv, slug[64];
	time_t	now = time(NULL);
	int	rc = -1;

	if (sl_uuid(r->id) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	r->created = now;
	if (r->name == NULL) {
		sl_slug(slug, sizeof(slug));
		r->name = sl_xstrdup(slug);
	}
	if (r->attempt == 0)
		r->attempt = 1;
	if ((priv = private_dir(sp, r->pool, r->id, now, err, errlen)) == NULL)
		return -1;
	if (sl_runini_write(priv, r, 1, NULL, err, errlen) == 0 &&
	    publish_sched(sp, r, priv, NULL, err, errlen) == 0)
		rc = 0;
	else if (sl_rmtree(priv) < 0)
		sl_warn("cannot remove %s: %s", priv, strerror(errno));
	free(priv);
	return rc;
}

/*
 * sl_run_create - publish a run whose id the caller chose (r->id), under
 * the token a scheduled run of a deployment gets: submission time = its
 * scheduled time, so that every scheduler names it alike.  gate, called
 * once run.ini is written and before the run is published, decides: 0
 * publish, 1 someone else made it (discard ours), -1 error.  Returns 0
 * published, 1 not ours to make, -1 error.  A crash between gate and the
 * publication leaves the private directory, which cleanup publishes if
 * the slot's marker names this maker (maker: the id the gate's marker
 * carries as its writer, kept in run.ini's maker line), and only then:
 * a maker killed after losing the gate leaves a copy of the same token.
 */
int
sl_run_create(const struct sl_spool *sp, struct sl_runspec *r,
    const char *maker, int (*gate)(void *), void *arg, char *err,
    size_t errlen)
{
	struct timespec sub = { r->scheduled, 0 };
	char   *priv;
	time_t	now = time(NULL);
	int	rc = -1, g;

	r->created = now;
	if (r->attempt == 0)
		r->attempt = 1;
	if ((priv = private_dir(sp, r->pool, r->id, now, err, errlen)) == NULL)
		return -1;
	g = -1;
	/* run.ini through a scratch name and a rename, not in place: cleanup
	 * publishes a stranded copy that its slot's marker names, and the
	 * marker names a token, which every scheduler's copy of the slot
	 * shares: a copy cut short by a maker killed mid-write must never be
	 * there to publish, and a maker stalled past cleanup must find its
	 * directory gone (the rename fails) before it links the marker */
	if (sl_runini_write(priv, r, 0, maker, err, errlen) == 0) {
		g = gate(arg);
		if (g == 0 && publish_sched(sp, r, priv, &sub, err, errlen) == 0)
			rc = 0;
		else if (g > 0)
			rc = 1;
		else if (g < 0)
			snprintf(err, errlen, "cannot record run %s: %s", r->id,
			    strerror(errno));
	}
	/* the marker is ours but the run could not be published: keep it
	 * for cleanup to publish (publish_stranded), or the slot is lost */
	if (rc != 0 && g != 0 && sl_rmtree(priv) < 0)
		sl_warn("cannot remove %s: %s", priv, strerror(errno));
	free(priv);
	return rc;
}

/* ---- accepting dropped files ---- */

/*
 * printable - a dropped file's name as it may be shown and stored in
 * origin's "name = " line: controls, quotes and backslash as \xNN (so
 * the line stays one unquoted value and no two names look alike), then
 * sl_printable for C1 controls and invalid UTF-8.  A name cut short is
 * never cut inside an escape.
 */
static void
printable(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t	i, j = 0;

	for (i = 0; in[i] != '\0'; i++) {
		c = (unsigned char)in[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\'' ||
		    c == '\\') {
			if (j + 5 > len)
				break;
			out[j++] = '\\';
			out[j++] = 'x';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		} else {
			if (j + 2 > len)
				break;
			out[j++] = (char)c;
		}
	}
	out[j] = '\0';
	sl_printable(out, len);
}

/*
 * check_source - atrun's ladder for a file from the drop box: no symlink,
 * a regular file, one link, at most 1 MiB, a known owner.  0 good (text
 * read), else the reason in why.
 */
static int
check_source(const char *path, char **text, size_t *len, struct stat *st,
    char *why, size_t whylen)
{
	ssize_t	n, got = 0;
	int	fd;

	*text = NULL;
	/* the type first, so that nothing but a regular file is opened (a
	 * FIFO, a device); path is in our private directory: it stays what
	 * lstat saw */
	if (sl_lstat(path, st) < 0) {
		snprintf(why, whylen, "cannot be looked at: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, whylen, "%s, not a regular file",
		    S_ISLNK(st->st_mode) ? "a symbolic link" :
		    S_ISDIR(st->st_mode) ? "a directory" :
		    S_ISFIFO(st->st_mode) ? "a FIFO" :
		    S_ISSOCK(st->st_mode) ? "a socket" : "a device");
		return -1;
	}
	fd = sl_open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot be opened: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		snprintf(why, whylen, "fstat: %s", strerror(errno));
		goto bad;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, whylen, "not a regular file");
		goto bad;
	}
	if (st->st_nlink != 1) {
		snprintf(why, whylen, "has %lu hard links; a run file must "
		    "have exactly one", (unsigned long)st->st_nlink);
		goto bad;
	}
	if (st->st_size > SL_INI_MAX) {
		snprintf(why, whylen, "larger than 1 MiB (%lld bytes)",
		    (long long)st->st_size);
		goto bad;
	}
	if (getpwuid(st->st_uid) == NULL) {
		snprintf(why, whylen, "owned by uid %lu, which is not a known "
		    "user", (unsigned long)st->st_uid);
		goto bad;
	}
	*text = sl_xmalloc((size_t)st->st_size + 2);
	while ((n = read(fd, *text + got, (size_t)st->st_size + 1 - got)) > 0)
		got += n;
	if (n < 0 || got > st->st_size) {
		snprintf(why, whylen, n < 0 ? "read error" :
		    "grew while being read");
		free(*text);
		*text = NULL;
		goto bad;
	}
	close(fd);
	(*text)[got] = '\0';
	*len = (size_t)got;
	return 0;
bad:
	close(fd);
	return -1;
}

/*
 * give_back - a drop that is not a regular file (a directory, a symbolic
 * link, a FIFO, a socket, a device) is not kept in the spool's own tree,
 * where its owner could still change it (a directory: swap what is in it)
 * under root's feet: it goes back to its drop box under a dotted name,
 * which acceptors ignore, queues/Q/new/.rejected.ID, and the reason says
 * where.  It is its owner's: sluice never removes it.  If it cannot be
 * moved, it stays as rejected/ID/source (sl_rmtree removes it safely).
 */
static void
give_back(const struct sl_spool *sp, const char *pool, const char *queue,
    const char *id, const char *src, char *why, size_t whylen)
{
	struct stat st;
	char	name[80], *to;
	size_t	n = strlen(why);

	if (sl_lstat(src, &st) < 0 || S_ISREG(st.st_mode))
		return;
	snprintf(name, sizeof(name), ".rejected.%s", id);
	to = sl_place(sp, SL_PL_NEW, pool, queue, name, (char *)NULL);
	if (sane_rename(src, to) == 0)
		snprintf(why + n, whylen - n, "; it is left in queues/%s/new/%s, "
		    "for its owner to remove", queue, name);
	else
		sl_warn("cannot give %s back as %s: %s", src, to, strerror(errno));
	free(to);
}

/* reject - publish a private directory as a Rejected run */
static int
reject(const struct sl_spool *sp, const char *pool, const char *queue,
    const char *id, const char *priv, const char *why)
{
	char   *rd, *to, line[SL_ERR_MAX + 2];
	int	rc;

	snprintf(line, sizeof(line), "%s\n", why);
	if (sl_write_small(priv, "reason", line) < 0)
		sl_warn("cannot write %s/reason: %s", priv, strerror(errno));
	rd = sl_place(sp, SL_PL_REJECTED, pool, NULL, (char *)NULL);
	to = sl_path(rd, id, (char *)NULL);
	rc = sl_mkdirs(rd, 0755) < 0 ? -1 : sane_rename(priv, to);
	if (rc < 0)
		sl_warn("cannot move %s to %s: %s", priv, to, strerror(errno));
	else
		(void)sl_idhint_write(sp, pool, queue, id);
	free(rd);
	free(to);
	return rc;
}

/*
 * accept_one - make one dropped file a run, or a Rejected run.  Returns 1
 * if this process took the file, 0 if another did, -1 on error.
 */
static int
accept_one(const struct sl_spool *sp, const char *pool, const char *queue,
    const char *name, char *err, size_t errlen)
{
	char	id[SL_UUID_LEN + 1], shown[256], why[SL_ERR_MAX], origin[400];
	char	when[40];
	char   *drop, *priv, *src, *text = NULL;
	struct sl_runspec r;
	struct passwd *pw;
	struct stat st;
	time_t	now = time(NULL);
	size_t	len = 0;
	int	rc = -1;

	if (sl_uuid(id) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	drop = sl_place(sp, SL_PL_NEW, pool, queue, name, (char *)NULL);
	/* another user's drop is for a privileged acceptor (perm.c) */
	if (sl_lstat(drop, &st) < 0 || !sl_perm_may_accept(sp, pool,
	    (long)st.st_uid)) {
		free(drop);
		return 0;
	}
	if ((priv = private_dir(sp, pool, id, now, err, errlen)) == NULL) {
		free(drop);
		return -1;
	}
	printable(name, shown, sizeof(shown));
	snprintf(origin, sizeof(origin), "queue = %s\nname = %s\naccepted = %s\n",
	    queue, shown, sl_time_fmt(now, when, sizeof(when)));
	src = sl_path(priv, "source", (char *)NULL);
	if (sl_write_small(priv, "origin", origin) < 0) {
		snprintf(err, errlen, "cannot write %s/origin: %s", priv,
		    strerror(errno));
		goto out;
	}
	/* The claim: of all acceptors, the one whose rename moves the file
	 * into its private directory has it.  RACE: losers find the drop
	 * gone and the target absent, and leave it to the winner. */
	if (sane_rename(drop, src) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc < 0)
			snprintf(err, errlen, "cannot take %s: %s", drop,
			    strerror(errno));
		goto out;
	}
	if (check_source(src, &text, &len, &st, why, sizeof(why)) == 0 &&
	    sl_perm_is_request(text, len)) {	/* cancel/delete, perm.c */
		(void)sl_perm_do_request(sp, pool, (long)st.st_uid, text, len);
		rc = 1;
		(void)sl_unlink(src);	/* a request is used up, not kept */
		goto out;
	}
	if (text == NULL ||
	    sl_perm_drop_id(text, len, (long)st.st_uid, id, why, sizeof(why)) < 0 ||
	    sl_runspec_parse(text, len, now, 0, &r, why, sizeof(why)) < 0) {
		give_back(sp, pool, queue, id, src, why, sizeof(why));
		sl_log(SL_WARNING, "Rejected run file '%s' in work queue '%s' of "
		    "work pool '%s' as %s: %s", shown, queue, pool, id, why);
		rc = reject(sp, pool, queue, id, priv, why) < 0 ? -1 : 1;
		free(priv);
		priv = NULL;
		goto out;
	}
	memcpy(r.id, id, sizeof(r.id));
	snprintf(r.pool, sizeof(r.pool), "%s", pool);
	snprintf(r.queue, sizeof(r.queue), "%s", queue);
	r.created = now;
	r.owner_uid = st.st_uid;
	r.owner_gid = (pw = getpwuid(st.st_uid)) != NULL ? (long)pw->pw_gid :
	    (long)st.st_gid;
	if (r.name == NULL) {
		char	slug[64];

		sl_slug(slug, sizeof(slug));
		r.name = sl_xstrdup(slug);
	}
	/* what the drop says must also be storable as run.ini, within the
	 * trusted parser's limits: else Rejected now, not unreadable later */
	if (sl_runspec_check(&r, why, sizeof(why)) < 0) {
		sl_log(SL_WARNING, "Rejected run file '%s' in work queue '%s' of "
		    "work pool '%s' as %s: %s", shown, queue, pool, id, why);
		sl_runspec_free(&r);
		rc = reject(sp, pool, queue, id, priv, why) < 0 ? -1 : 1;
		free(priv);
		priv = NULL;
		goto out;
	}
	if (sl_runini_write(priv, &r, 1, NULL, err, errlen) == 0 &&
	    publish_sched(sp, &r, priv, NULL, err, errlen) == 0) {
		rc = 1;
		free(priv);
		priv = NULL;
	}
	sl_runspec_free(&r);
out:
	if (priv != NULL) {
		/* not ours, or failed before publishing: give the file back,
		 * under a fresh name (the old one may hold a new drop now) */
		if (sl_exists(src)) {
			char	back[80], *to;

			snprintf(back, sizeof(back), "recovered.%s", id);
			to = sl_place(sp, SL_PL_NEW, pool, queue, back,
			    (char *)NULL);
			if (sane_rename(src, to) < 0)
				sl_warn("cannot return %s to %s: %s", src, to,
				    strerror(errno));
			free(to);
		}
		/* a drop not given back stays, for cleanup to return it:
		 * it is its owner's, never removed */
		if (!sl_exists(src) && sl_rmtree(priv) < 0)
			sl_warn("cannot remove %s: %s", priv, strerror(errno));
		free(priv);
	}
	free(text);
	free(src);
	free(drop);
	return rc;
}

static int
is_drop(const char *name)
{
	return name[0] != '.';	/* dotfiles (and .nfs*) are not ours */
}

static int
is_name(const char *name)
{
	return sl_name_ok(name);
}

static long accept_pool(const struct sl_spool *, const char *, int, char *,
    size_t);

/* accepting this many files or more in one pool, sluice(1) says so */
#define SL_ACCEPT_TELL	100

/*
 * sl_accept_pool - accept every file dropped into the pool's queues.
 * Safe to run in any number of processes on any number of hosts at once:
 * each file becomes exactly one run.  Returns the number this process took.
 */
long
sl_accept_pool(const struct sl_spool *sp, const char *pool, char *err,
    size_t errlen)
{
	return accept_pool(sp, pool, 0, err, errlen);
}

/*
 * sl_accept_pool_quick - the same for a quick pass (woken by inotify):
 * queues/ and the drop boxes are listed again only when they changed
 * since this process last listed them (sl_list_quick); the periodic
 * rescan calls sl_accept_pool.
 */
long
sl_accept_pool_quick(const struct sl_spool *sp, const char *pool, char *err,
    size_t errlen)
{
	return accept_pool(sp, pool, 1, err, errlen);
}

static long
accept_pool(const struct sl_spool *sp, const char *pool, int quick, char *err,
    size_t errlen)
{
	struct sl_progress pg;
	char  **qs, **files, *qd, *nd, what[SL_NAME_MAX + 64];
	size_t	nq, nf, i, j;
	long	taken = 0;
	int	rc;
	int	(*list)(const char *, int (*)(const char *), char ***,
	    size_t *) = quick ? sl_list_quick : sl_list_names;

	qd = sl_place(sp, SL_PL_QUEUES, pool, NULL, (char *)NULL);
	if (list(qd, is_name, &qs, &nq) < 0) {
		snprintf(err, errlen, "cannot list %s: %s", qd, strerror(errno));
		free(qd);
		return -1;
	}
	snprintf(what, sizeof(what), "accepting the files dropped into work "
	    "pool '%s'", pool);
	sl_progress_begin(&pg, what, 0);
	for (i = 0; i < nq; i++) {
		nd = sl_path(qd, qs[i], "new", (char *)NULL);
		if (list(nd, is_drop, &files, &nf) == 0) {
			for (j = 0; j < nf; j++) {
				sl_progress_step(&pg);
				rc = accept_one(sp, pool, qs[i], files[j], err,
				    errlen);
				if (rc > 0)
					taken++;
				else if (rc < 0)
					sl_warn("%s", err);
			}
			sl_strv_free(files, nf);
		}
		free(nd);
	}
	sl_strv_free(qs, nq);
	free(qd);
	sl_progress_end(&pg);
	/* a person's command says how many it took when they were many (a
	 * few are seen in what it prints next) */
	if (sl_progress_cli && taken >= SL_ACCEPT_TELL)
		sl_warn("accepted %ld dropped run files into work pool '%s'",
		    taken, pool);
	return taken;
}

/* ---- finding runs ---- */

static void
load_spec(struct sl_run *run)
{
	char	why[SL_ERR_MAX];

	switch (sl_runini_load(run->dir, 0, &run->spec, NULL, why,
	    sizeof(why))) {
	case -1:
		snprintf(run->message, sizeof(run->message), "run.ini "
		    "unreadable: %s", strerror(errno));
		break;
	case -2:
		snprintf(run->message, sizeof(run->message),
		    "run.ini unreadable: %.400s", why);
		break;
	}
}

static void
load_result(struct sl_run *run)
{
	struct sl_result res;

	if (sl_result_read(run->dir, &res) < 0)
		return;
	run->ended = res.ended;
	run->started = res.started;
	if (res.exit_code >= 0)
		run->exit_code = res.exit_code;
	if (res.message[0] != '\0')
		snprintf(run->message, sizeof(run->message), "%s", res.message);
}

/* who_ran - agent and host from text, a start.ini or claim.ini */
static void
who_ran(struct sl_run *run, const char *text)
{
	char	v[256];

	sl_kv_get(text, "agent", v, sizeof(v));
	if (!sl_uuid_ok(v))
		return;
	memcpy(run->agent, v, sizeof(run->agent));
	sl_kv_get(text, "host", v, sizeof(v));
	snprintf(run->host, sizeof(run->host), "%s", v);
}

/* pending_agent - a Pending run in dir (pending/AGENT/TOKEN) is AGENT's;
 * a host said for another agent (an earlier claim's) is not its */
static void
pending_agent(struct sl_run *run, const char *dir)
{
	const char *e = strrchr(dir, '/'), *b;

	if (e == NULL)
		return;
	for (b = e; b > dir && b[-1] != '/'; b--)
		;
	if ((size_t)(e - b) != SL_UUID_LEN)
		return;
	if (strncmp(run->agent, b, SL_UUID_LEN) != 0) {
		memcpy(run->agent, b, SL_UUID_LEN);
		run->agent[SL_UUID_LEN] = '\0';
		run->host[0] = '\0';
	}
	if (!sl_uuid_ok(run->agent))
		run->agent[0] = run->host[0] = '\0';
}

static void
add_run(struct sl_runs *rs, const char *pool, const char *queue,
    const char *dir, const char *id, enum sl_state st)
{
	struct sl_run *run;
	char   *text;

	rs->v = sl_xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	run = &rs->v[rs->n++];
	memset(run, 0, sizeof(*run));
	snprintf(run->pool, sizeof(run->pool), "%s", pool);
	snprintf(run->id, sizeof(run->id), "%s", id);
	if (queue != NULL)
		snprintf(run->queue, sizeof(run->queue), "%s", queue);
	run->dir = sl_xstrdup(dir);
	run->state = st;
	run->exit_code = -1;
	if (st == SL_REJECTED) {
		if ((text = sl_read_small(dir, "reason")) != NULL) {
			text[strcspn(text, "\n")] = '\0';
			snprintf(run->message, sizeof(run->message), "%s", text);
			free(text);
		}
		if ((text = sl_read_small(dir, "origin")) != NULL) {
			char	v[256];

			sl_kv_get(text, "queue", v, sizeof(v));
			if (sl_name_ok(v))
				snprintf(run->queue, sizeof(run->queue), "%.64s", v);
			sl_kv_get(text, "name", v, sizeof(v));
			if (v[0] != '\0')
				run->spec.name = sl_xstrdup(v);
			sl_kv_get(text, "accepted", v, sizeof(v));
			(void)sl_time_parse(v, 0, &run->spec.created);
			free(text);
		}
		{	/* a run refused by its agent keeps its run.ini */
			char   *ri = sl_path(dir, "run.ini", (char *)NULL);

			if (sl_exists(ri)) {
				load_spec(run);
				if (run->queue[0] == '\0')
					snprintf(run->queue, sizeof(run->queue),
					    "%s", run->spec.queue);
			}
			free(ri);
		}
		return;
	}
	load_spec(run);
	if (run->queue[0] == '\0')
		snprintf(run->queue, sizeof(run->queue), "%s", run->spec.queue);
	load_result(run);
	/* who ran it, and where: its start's record (start.ini: agent,
	 * host, started), else its claim's (claim.ini, which an agent that
	 * claims for itself does not write).  A start.ini in a Pending run
	 * is an earlier attempt's: that run is the agent's whose directory
	 * holds it (pending/AGENT/TOKEN) */
	if (st != SL_PENDING && (text = sl_read_small(dir, "start.ini")) !=
	    NULL) {
		who_ran(run, text);
		if (st == SL_RUNNING && run->started == 0) {
			char	v[64];

			sl_kv_get(text, "started", v, sizeof(v));
			(void)sl_time_parse(v, 0, &run->started);
		}
		free(text);
	}
	if (run->agent[0] == '\0' && (text = sl_read_small(dir, "claim.ini")) !=
	    NULL) {
		who_ran(run, text);
		free(text);
	}
	if (st == SL_PENDING)
		pending_agent(run, dir);
	if (st != SL_SCHEDULED && st != SL_PENDING &&
	    (text = sl_read_small(dir, "lease")) != NULL) {
		char	v[64];
		long	x;

		sl_kv_get(text, "pid", v, sizeof(v));
		if (sl_num_parse(v, 1, LONG_MAX, &x) == 0)
			run->pid = x;
		free(text);
	}
	if (st == SL_RUNNING || st == SL_PENDING) {
		char   *c = sl_path(dir, "cancel", (char *)NULL);

		run->cancelling = sl_exists(c);
		free(c);
	}
}

static int
any_name(const char *name)
{
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* scan_window - the runs in dir, a state directory of place pl: only the
 * run with id want, unless want is NULL; none at dir skip, unless NULL;
 * of sched/ only those whose token says they are due in [t0, t1] (t1 0:
 * any), told by the name alone */
static void
scan_window(struct sl_runs *rs, const char *pool, const char *queue,
    const char *dir, enum sl_place pl, const char *want, const char *skip,
    time_t t0, time_t t1)
{
	char	id[SL_UUID_LEN + 1], **v, *p;
	enum sl_state st;
	size_t	n, i;

	if (want != NULL) {
		/* one run: no list to keep or sort, and no run.ini but its */
		struct dirent *de;
		DIR    *d;

		if ((d = sl_opendir(dir)) == NULL)
			return;
		while ((de = readdir(d)) != NULL)
			if (strstr(de->d_name, want) != NULL &&
			    sl_run_entry(pl, de->d_name, id, &st) &&
			    strcmp(id, want) == 0 && (skip == NULL ||
			    strcmp(skip, de->d_name) != 0)) {
				p = sl_path(dir, de->d_name, (char *)NULL);
				add_run(rs, pool, queue, p, id, st);
				free(p);
			}
		closedir(d);
		return;
	}
	if (sl_list_names(dir, any_name, &v, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		time_t	due;

		if (!sl_run_entry(pl, v[i], id, &st))
			continue;
		if (t1 != 0 && pl == SL_PL_SCHED && (sl_token_parse(v[i],
		    &due, NULL) < 0 || due < t0 || due > t1))
			continue;
		if (skip != NULL && strcmp(skip, v[i]) == 0)
			continue;
		p = sl_path(dir, v[i], (char *)NULL);
		add_run(rs, pool, queue, p, id, st);
		free(p);
	}
	sl_strv_free(v, n);
}

/*
 * each_place - fn(arg, queue, dir, pl) for every state directory of pool
 * that holds runs in the states of mask (bit 1 << st), in the order a run
 * moves through them: each queue's sched/ and its buckets (only queue's,
 * unless NULL; fn gets the queue's name; with t1 != 0 only the buckets
 * that may hold runs due in [t0, t1]), each agent's directory in
 * pending/, running/, done/, rejected/; so that a run moving forward
 * while we look is seen once.  Only those places are listed.
 */
static void
each_place(const struct sl_spool *sp, const char *pool, unsigned mask,
    const char *queue, time_t t0, time_t t1, void (*fn)(void *, const char *,
    const char *, enum sl_place), void *arg)
{
	static const struct {
		enum sl_place pl;
		unsigned states;
	} places[] = {
		{ SL_PL_PENDING, 1u << SL_PENDING },
		{ SL_PL_RUNNING, 1u << SL_RUNNING },
		{ SL_PL_DONE, 1u << SL_COMPLETED | 1u << SL_FAILED |
		    1u << SL_CRASHED | 1u << SL_CANCELLED },
		{ SL_PL_REJECTED, 1u << SL_REJECTED },
	};
	char   *d, *e, **v, **bd;
	size_t	n, i, k, nb, j;

	if (mask & (1u << SL_SCHEDULED)) {
		d = sl_place(sp, SL_PL_QUEUES, pool, NULL, (char *)NULL);
		if (sl_list_names(d, is_name, &v, &n) == 0) {
			for (i = 0; i < n; i++) {
				if (queue != NULL && strcmp(queue, v[i]) != 0)
					continue;
				e = sl_place(sp, SL_PL_SCHED, pool, v[i],
				    (char *)NULL);
				if (sl_sched_dirs(e, t0, t1, &bd, &nb) < 0)
					fn(arg, v[i], e, SL_PL_SCHED);
				for (j = 0; j < nb; j++)
					fn(arg, v[i], bd[j], SL_PL_SCHED);
				sl_strv_free(bd, nb);
				free(e);
			}
			sl_strv_free(v, n);
		}
		free(d);
	}
	for (k = 0; k < sizeof(places) / sizeof(places[0]); k++) {
		if (!(mask & places[k].states))
			continue;
		d = sl_place(sp, places[k].pl, pool, NULL, (char *)NULL);
		if (places[k].pl != SL_PL_PENDING)
			fn(arg, NULL, d, places[k].pl);
		else if (sl_list_names(d, is_drop, &v, &n) == 0) {
			for (i = 0; i < n; i++) {
				e = sl_path(d, v[i], (char *)NULL);
				fn(arg, NULL, e, SL_PL_PENDING);
				free(e);
			}
			sl_strv_free(v, n);
		}
		free(d);
	}
}

/* what select_pool asks of each place */
struct sel {
	struct sl_runs *rs;
	const char *pool, *want, *skip;
	time_t	t0, t1;
};

static void
sel_place(void *arg, const char *queue, const char *dir, enum sl_place pl)
{
	struct sel *s = arg;

	scan_window(s->rs, s->pool, queue, dir, pl, s->want, s->skip, s->t0,
	    s->t1);
}

/*
 * select_pool - the runs of a pool in the states of mask (bit 1 << st; 0:
 * all); of the Scheduled ones, if t1 is not 0, only those due in [t0, t1];
 * only the run with id want, unless NULL; not the one at dir name skip,
 * unless NULL.  Only the places of those states are listed (each_place),
 * and no run file is opened for a run left out.
 */
static void
select_pool(const struct sl_spool *sp, const char *pool, unsigned mask,
    time_t t0, time_t t1, const char *want, const char *skip,
    struct sl_runs *rs)
{
	struct sel s = { rs, pool, want, skip, t0, t1 };

	each_place(sp, pool, mask == 0 ? ~0u : mask, NULL, t0, t1, sel_place,
	    &s);
}

/*
 * sl_runs_select - the runs of a pool in the states of mask (0: all) and,
 * if t1 is not 0, of the Scheduled ones only those due in [t0, t1], so
 * that `flow-run ls --state Running` and a preview cost what they show,
 * not the size of the queue
 */
int
sl_runs_select(const struct sl_spool *sp, const char *pool, unsigned mask,
    time_t t0, time_t t1, struct sl_runs *rs)
{
	select_pool(sp, pool, mask, t0, t1, NULL, NULL, rs);
	return 0;
}

/* sl_runs_pool - every run of a pool, in every state */
int
sl_runs_pool(const struct sl_spool *sp, const char *pool, struct sl_runs *rs)
{
	select_pool(sp, pool, 0, 0, 0, NULL, NULL, rs);
	return 0;
}

/*
 * sl_run_seconds - how long run r ran (ended - started), or has been
 * running by now; 0 when another host's clock put the end first; -1 if it
 * has not started
 */
long
sl_run_seconds(const struct sl_run *r, time_t now)
{
	time_t	d;

	if (r->started <= 0)
		return -1;
	d = (r->ended > 0 ? r->ended : now) - r->started;
	return d > 0 ? (long)d : 0;
}

/*
 * sl_run_when - the time a run is listed by (flow-run ls, newest first):
 * a Scheduled or Pending run by when it is due (an AwaitingRetry run is
 * due again, whatever its last attempt's result says), a Running one by
 * its start, a final one by its end, a Rejected one by its acceptance
 */
time_t
sl_run_when(const struct sl_run *r)
{
	switch (r->state) {
	case SL_SCHEDULED:
	case SL_PENDING:
		return r->spec.scheduled;
	case SL_REJECTED:
		return r->spec.created;
	default:
		if (r->ended)
			return r->ended;
		return r->started ? r->started : r->spec.scheduled;
	}
}

/*
 * A run known by name only, until it is shown: its listing time (due from
 * a token's T, a final run's end from its result.ini alone), or, for the
 * few read whole at once (Pending, Running, Rejected, a final run with no
 * end), its place in the runs already loaded.
 */
struct cand {
	time_t	when;
	char	id[SL_UUID_LEN + 1];
	enum sl_state st;
	const char *pool, *queue;	/* interned (queue NULL: from run.ini) */
	const char *dir;		/* the state directory, interned */
	char   *name;			/* the entry, owned */
	long	loaded;			/* in the runs loaded; -1: not */
};

/*
 * The candidates: all of them (cap 0), or the cap best, in a heap whose
 * root is the worst kept, so that an entry that cannot be among them
 * costs one comparison and no copy of its name.
 */
struct cands {
	struct cand *v;
	size_t	n, cap;
	int	dropped;		/* a candidate was left out (cap) */
	struct sl_names strs;		/* the interned strings */
	struct sl_runs pre;		/* the runs read whole at once */
};

/* cand_cmp - newest first, then by id, then by where: a total order */
static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int	c;

	if (a->when != b->when)
		return a->when > b->when ? -1 : 1;
	if ((c = strcmp(a->id, b->id)) != 0)
		return c;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return strcmp(a->dir, b->dir);
}

static const char *
intern(struct cands *c, const char *s)
{
	sl_names_add(&c->strs, s);
	return c->strs.v[c->strs.n - 1];
}

static void
cand_swap(struct cand *a, struct cand *b)
{
	struct cand t = *a;

	*a = *b;
	*b = t;
}

/* cand_add - offer k (its name not yet owned) to the candidates */
static void
cand_add(struct cands *c, struct cand *k)
{
	size_t	i, j;

	if (c->cap != 0 && c->n == c->cap) {
		/* full: k replaces the worst, if it is better */
		c->dropped = 1;
		if (cand_cmp(k, &c->v[0]) >= 0)
			return;
		free(c->v[0].name);
		c->v[0] = *k;
		c->v[0].name = sl_xstrdup(k->name);
		for (i = 0; (j = 2 * i + 1) < c->n; i = j) {	/* down */
			if (j + 1 < c->n &&
			    cand_cmp(&c->v[j + 1], &c->v[j]) > 0)
				j++;
			if (cand_cmp(&c->v[j], &c->v[i]) <= 0)
				break;
			cand_swap(&c->v[i], &c->v[j]);
		}
		return;
	}
	if ((c->n & (c->n - 1)) == 0)
		c->v = sl_xrealloc(c->v, (c->n ? 2 * c->n : 1) * sizeof(*c->v));
	c->v[c->n] = *k;
	c->v[c->n].name = sl_xstrdup(k->name);
	for (i = c->n++; c->cap != 0 && i > 0; i = j) {	/* up */
		j = (i - 1) / 2;
		if (cand_cmp(&c->v[i], &c->v[j]) <= 0)
			break;
		cand_swap(&c->v[i], &c->v[j]);
	}
}

/* what cands_collect asks of each place */
struct cplace {
	struct cands *c;
	const char *pool;
	unsigned mask, whole;
	time_t	due_by;
};

/* cands_place - the runs of dir, a state directory of place pl, in the
 * states of cp->mask (Scheduled: due by cp->due_by, unless 0), by name,
 * and those in cp->whole read now (with the few whose time their name
 * does not tell); the others are read when shown */
static void
cands_place(struct cands *c, const char *pool, const char *queue,
    const char *dir, enum sl_place pl, const struct cplace *cp)
{
	struct sl_result res;
	struct dirent *de;
	struct cand k;
	char   *p;
	DIR    *d;

	if ((d = sl_opendir(dir)) == NULL)
		return;
	k.pool = pool;
	k.queue = queue;
	k.dir = intern(c, dir);
	while ((de = readdir(d)) != NULL) {
		k.name = de->d_name;
		k.loaded = -1;
		if (!sl_run_entry(pl, k.name, k.id, &k.st) ||
		    !((cp->mask | cp->whole) & 1u << k.st))
			continue;
		if (k.st == SL_SCHEDULED) {	/* T.U.ID: T is its time */
			k.when = (time_t)strtoull(k.name, NULL, 16);
			if (cp->due_by == 0 || k.when <= cp->due_by)
				cand_add(c, &k);
			continue;
		}
		p = sl_path(k.dir, k.name, (char *)NULL);
		if (k.st >= SL_COMPLETED && k.st <= SL_CANCELLED &&
		    sl_result_read(p, &res) == 0 && res.ended != 0) {
			k.when = res.ended;
			cand_add(c, &k);
			free(p);
			continue;
		}
		add_run(&c->pre, pool, queue, p, k.id, k.st);
		free(p);
		if (cp->mask & 1u << k.st) {
			k.when = sl_run_when(&c->pre.v[c->pre.n - 1]);
			k.loaded = (long)c->pre.n - 1;
			cand_add(c, &k);
		}
	}
	closedir(d);
}

static void
cand_place(void *arg, const char *queue, const char *dir, enum sl_place pl)
{
	struct cplace *cp = arg;

	cands_place(cp->c, cp->pool, queue != NULL ? intern(cp->c, queue) :
	    NULL, dir, pl, cp);
}

/* cands_collect - the candidates of the pools, at most c->cap (0: all),
 * in the order shown; Pending and Running runs, which why a run waits
 * counts, are read whole in any case */
static void
cands_collect(const struct sl_spool *sp, char *const *pools, size_t np,
    const struct sl_runsel *sel, struct cands *c)
{
	struct cplace cp = { c, NULL, sel->states != 0 ? sel->states : ~0u,
	    1u << SL_PENDING | 1u << SL_RUNNING, sel->due_by };
	size_t	k;

	for (k = 0; k < np; k++) {
		cp.pool = intern(c, pools[k]);
		each_place(sp, cp.pool, cp.mask | cp.whole, sel->queue, 0,
		    sel->due_by, cand_place, &cp);
	}
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), cand_cmp);
}

static void
cands_free(struct cands *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	sl_names_free(&c->strs);
	sl_runs_free(&c->pre);
	memset(c, 0, sizeof(*c));
}

/*
 * sl_runs_newest - the runs of the pools named that sel selects (in its
 * states; of sched/, only its queue's and those due by its due_by; those
 * its keep() accepts; at most its limit), newest first (sl_run_when, then
 * id), into rs; and into act every Pending and Running run of those
 * pools, which why a run waits needs (those also in rs are in act by
 * pool, queue and state only).
 * Every state directory is listed, but of a Scheduled run only its name
 * is looked at until it is its turn to be shown, and of a final run only
 * its result.ini, for its end: at 100,000 queued runs the newest 15 cost
 * 15 run files.  The first look keeps the limit best names; if keep()
 * turns down so many that they run out, a second look keeps them all.
 * RACE: a run that moves between the listing and its turn is read where
 * it was, as a listing of sl_runs_select would.
 */
void
sl_runs_newest(const struct sl_spool *sp, char *const *pools, size_t np,
    const struct sl_runsel *sel, struct sl_runs *rs, struct sl_runs *act)
{
	struct cands c = { 0 };
	struct sl_runs one = { 0 };
	struct sl_run *r;
	const size_t limit = sel->limit;
	char   *d;
	size_t	i;

	memset(rs, 0, sizeof(*rs));
	c.cap = limit;
	cands_collect(sp, pools, np, sel, &c);
	for (i = 0; i < c.n && (limit == 0 || rs->n < limit); i++) {
		if (c.v[i].loaded >= 0)
			r = &c.pre.v[c.v[i].loaded];
		else {
			d = sl_path(c.v[i].dir, c.v[i].name, (char *)NULL);
			add_run(&one, c.v[i].pool, c.v[i].queue, d, c.v[i].id,
			    c.v[i].st);
			free(d);
			r = &one.v[0];
		}
		if (sel->keep == NULL || sel->keep(r, sel->arg)) {
			rs->v = sl_xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
			rs->v[rs->n++] = *r;
			/* rs has it now: not freed with its source */
			r->dir = NULL;
			memset(&r->spec, 0, sizeof(r->spec));
		}
		sl_runs_free(&one);
		if (i + 1 == c.n && rs->n < limit && c.dropped) {
			/* turned down too many: look again, keeping all */
			sl_runs_free(rs);
			cands_free(&c);
			cands_collect(sp, pools, np, sel, &c);
			i = (size_t)-1;
		}
	}
	*act = c.pre;
	memset(&c.pre, 0, sizeof(c.pre));
	cands_free(&c);
}

/* what forget_place needs */
struct forget {
	const struct sl_spool *sp;
	const char *pool;
};

/* forget_place - remove the hints of the runs in dir that name the pool */
static void
forget_place(void *arg, const char *queue, const char *dir, enum sl_place pl)
{
	const struct forget *f = arg;
	struct sl_idhint h;
	struct dirent *de;
	enum sl_state st;
	char	id[SL_UUID_LEN + 1];
	DIR    *d;

	(void)queue;
	if ((d = sl_opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (sl_run_entry(pl, de->d_name, id, &st) &&
		    sl_idhint_read(f->sp, id, &h) == 0 &&
		    strcmp(h.pool, f->pool) == 0)
			sl_idhint_remove(f->sp, id);
	closedir(d);
}

/*
 * sl_idhints_forget_pool - remove the hints of pool's runs (those that
 * still name it), before the pool is deleted: one listing of its places
 * and a read of each run's hint.  Nothing to do on a spool without ids/.
 * RACE: a run published into the pool meanwhile keeps its hint, which
 * then names a pool that is gone: lookups fall back, as for any stale one.
 */
void
sl_idhints_forget_pool(const struct sl_spool *sp, const char *pool)
{
	struct forget f = { sp, pool };
	char   *ids = sl_place(sp, SL_PL_IDS, NULL, NULL, (char *)NULL);

	if (sl_exists(ids))
		each_place(sp, pool, ~0u, NULL, 0, 0, forget_place, &f);
	free(ids);
}

/* probe - add the run at dir/name if it is a directory there */
static int
probe(struct sl_runs *rs, const char *pool, const char *queue,
    const char *dir, const char *name, const char *id, enum sl_state st)
{
	struct stat sb;
	char   *p = sl_path(dir, name, (char *)NULL);
	int	hit;

	/* lstat: a run is a directory, never a link to one */
	if ((hit = sl_lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)))
		add_run(rs, pool, queue, p, id, st);
	free(p);
	return hit;
}

/*
 * find_hinted - the run with this id where its hint (ids.c) says it was
 * put, by name: its token in its queue's sched/, in each agent's
 * directory of pending/ and in running/, then ID.STATE in done/ and ID in
 * rejected/, in the order a run moves; no big directory is listed.  1
 * found (in rs->v[0]), 0 not: no hint, a stale or a false one, or the
 * run moved between two probes; the caller then lists (find_id).
 */
static int
find_hinted(const struct sl_spool *sp, const char *id, struct sl_runs *rs,
    char *err, size_t errlen)
{
	struct sl_idhint h;
	struct dirent *de;
	char	name[SL_RUNNAME_MAX], *d, *e;
	DIR    *pd;
	int	st, hit = 0;

	if (sl_idhint_read(sp, id, &h) < 0 || !sl_pool_exists(sp, h.pool))
		return 0;
	/* as the listing does: a drop waiting in this pool becomes a run */
	sl_accept_pool(sp, h.pool, err, errlen);
	if (strcmp(h.token, id) != 0) {
		char	b[SL_BUCKET_LEN + 1];

		/* its bucket, or sched/ itself (a writer before buckets) */
		sl_bucket_of(h.token, b);
		d = sl_place(sp, SL_PL_SCHED, h.pool, h.queue, b, (char *)NULL);
		hit = probe(rs, h.pool, h.queue, d, h.token, id, SL_SCHEDULED);
		free(d);
		d = sl_place(sp, SL_PL_SCHED, h.pool, h.queue, (char *)NULL);
		hit = hit || probe(rs, h.pool, h.queue, d, h.token, id,
		    SL_SCHEDULED);
		free(d);
		d = sl_place(sp, SL_PL_PENDING, h.pool, NULL, (char *)NULL);
		if (!hit && (pd = sl_opendir(d)) != NULL) {
			while (!hit && (de = readdir(pd)) != NULL) {
				if (!is_drop(de->d_name))
					continue;
				e = sl_path(d, de->d_name, (char *)NULL);
				hit = probe(rs, h.pool, NULL, e, h.token, id,
				    SL_PENDING);
				free(e);
			}
			closedir(pd);
		}
		free(d);
		d = sl_place(sp, SL_PL_RUNNING, h.pool, NULL, (char *)NULL);
		hit = hit ||
		    probe(rs, h.pool, NULL, d, h.token, id, SL_RUNNING);
		free(d);
	}
	d = sl_place(sp, SL_PL_DONE, h.pool, NULL, (char *)NULL);
	for (st = SL_COMPLETED; !hit && st <= SL_CANCELLED; st++) {
		sl_done_name(name, id, (enum sl_state)st);
		hit = probe(rs, h.pool, NULL, d, name, id, (enum sl_state)st);
	}
	free(d);
	d = sl_place(sp, SL_PL_REJECTED, h.pool, NULL, (char *)NULL);
	hit = hit || probe(rs, h.pool, NULL, d, id, id, SL_REJECTED);
	free(d);
	return hit;
}

/* with_active - after the run found (rs->v[0]), the other Pending and
 * Running runs of its pool, so that why it waits can be told */
static void
with_active(const struct sl_spool *sp, struct sl_runs *rs)
{
	char	pool[SL_NAME_MAX + 1], *base;

	memcpy(pool, rs->v[0].pool, sizeof(pool));
	base = strrchr(rs->v[0].dir, '/');
	select_pool(sp, pool, 1u << SL_PENDING | 1u << SL_RUNNING, 0, 0, NULL,
	    base != NULL ? base + 1 : NULL, rs);
}

/*
 * find_id - the run with this id, by the names of the pools' directories
 * alone (every run's name holds its id): no run file is opened but its
 * own.  Then the other Pending and Running runs of its pool, so that why
 * it waits (the pool's and queue's limits) can be told.  1 found, 0 not.
 */
static int
find_id(const struct sl_spool *sp, const char *id, struct sl_runs *rs,
    struct sl_run **out, char *err, size_t errlen)
{
	char  **pools;
	size_t	np, i;
	int	found = 0;

	if (find_hinted(sp, id, rs, err, errlen)) {
		with_active(sp, rs);
		*out = &rs->v[0];
		return 1;
	}
	if (sl_pool_names(sp, &pools, &np) < 0) {
		snprintf(err, errlen, "cannot list the pools: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < np; i++) {
		if (!found) {
			sl_accept_pool(sp, pools[i], err, errlen);
			select_pool(sp, pools[i], 0, 0, 0, id, NULL, rs);
			if (rs->n > 0) {
				found = 1;
				with_active(sp, rs);
				*out = &rs->v[0];
			}
		}
		free(pools[i]);
	}
	free(pools);
	return found;
}

void
sl_runs_free(struct sl_runs *rs)
{
	size_t	i;

	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].dir);
		sl_runspec_free(&rs->v[i].spec);
	}
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/*
 * sl_run_display - the state a person sees: Late and AwaitingRetry are
 * Scheduled runs shown by their circumstances; Cancelling a Running run
 * with a cancel asked for.
 */
const char *
sl_run_display(const struct sl_run *run, time_t now, long late_after)
{
	if (run->state == SL_SCHEDULED) {
		if (run->spec.attempt > 1)
			return "AwaitingRetry";
		if (now - run->spec.scheduled > late_after)
			return "Late";
	}
	if (run->cancelling && (run->state == SL_RUNNING ||
	    run->state == SL_PENDING))
		return "Cancelling";
	return sl_state_names[run->state];
}

/*
 * sl_run_find - a run by full id, unique id prefix (8+ characters), or
 * unique name, in any pool.  rs receives the runs loaded; *out points in.
 */
int
sl_run_find(const struct sl_spool *sp, const char *ref, struct sl_runs *rs,
    struct sl_run **out, char *err, size_t errlen)
{
	char  **pools;
	size_t	np, i, hits = 0, len = strlen(ref);
	struct sl_run *hit = NULL;
	int	byname = 0, tries;

	memset(rs, 0, sizeof(*rs));
	/* a whole id: by names alone, as cheap at 100,000 runs as at 10 (an
	 * id is in every run's name); not found that way, it may still be a
	 * run's name, which only the run files tell */
	for (tries = 0; sl_uuid_ok(ref) && tries < 3; tries++) {
		int	f;

		if (tries > 0) {
			struct timespec ts = { 0, 20 * 1000000L };

			sl_runs_free(rs);
			nanosleep(&ts, NULL);
		}
		if ((f = find_id(sp, ref, rs, out, err, errlen)) != 0)
			return f > 0 ? 0 : -1;
	}
	sl_runs_free(rs);
	/* RACE: a run moving between places listed in the other order (a
	 * retry going back to sched/, say) can be missed by one look; it
	 * is never missed by two looks a moment apart */
	for (tries = 0; tries < 3; tries++) {
		if (tries > 0) {
			struct timespec ts = { 0, 20 * 1000000L };

			sl_runs_free(rs);
			nanosleep(&ts, NULL);
		}

		if (sl_pool_names(sp, &pools, &np) < 0) {
			snprintf(err, errlen, "cannot list the pools: %s",
			    strerror(errno));
			return -1;
		}
		for (i = 0; i < np; i++) {
			sl_accept_pool(sp, pools[i], err, errlen);
			sl_runs_pool(sp, pools[i], rs);
			free(pools[i]);
		}
		free(pools);
		for (i = 0; i < rs->n; i++)
			if (strcmp(rs->v[i].id, ref) == 0) {
				*out = &rs->v[i];
				return 0;
			}
		for (i = 0; i < rs->n; i++)
			if ((len >= 8 && strncmp(rs->v[i].id, ref, len) == 0) ||
			    (rs->v[i].spec.name != NULL &&
			    strcmp(rs->v[i].spec.name, ref) == 0))
				break;
		if (i < rs->n)
			break;		/* found by prefix or name */
	}
	if (len >= 8)
		for (i = 0; i < rs->n; i++)
			if (strncmp(rs->v[i].id, ref, len) == 0) {
				hits++;
				hit = &rs->v[i];
			}
	if (hits == 0) {
		byname = 1;
		for (i = 0; i < rs->n; i++)
			if (rs->v[i].spec.name != NULL &&
			    strcmp(rs->v[i].spec.name, ref) == 0) {
				hits++;
				hit = &rs->v[i];
			}
	}
	if (hits == 1) {
		*out = hit;
		return 0;
	}
	if (hits == 0)
		snprintf(err, errlen, "Flow run '%s' not found. Give a run id, a "
		    "unique prefix of 8 or more characters, or a unique name "
		    "(see 'sluice flow-run ls').", ref);
	else
		snprintf(err, errlen, "'%s' matches %zu runs by %s; give more "
		    "of the id.", ref, hits, byname ? "name" : "id prefix");
	errno = hits ? EEXIST : ENOENT;
	return -1;
}

/* ---- retries and refusals ---- */

/* ---- cancelling and deleting ---- */

/*
 * sl_run_cancel - a Scheduled run is Cancelled at once: its directory is
 * renamed from sched/ to done/ID.Cancelled, which wins or loses atomically
 * against a claim.  A Pending or Running run gets a cancel file that its
 * agent acts on (state Cancelling).  0 done, 1 already final, -1 error.
 */
int
sl_run_cancel(const struct sl_spool *sp, struct sl_run *run, char *err,
    size_t errlen)
{
	char	name[SL_RUNNAME_MAX], *dd, *to, *c;
	int	rc = -1;

	switch (run->state) {
	case SL_SCHEDULED:
		dd = sl_place(sp, SL_PL_DONE, run->pool, NULL, (char *)NULL);
		sl_done_name(name, run->id, SL_CANCELLED);
		to = sl_path(dd, name, (char *)NULL);
		if (sl_mkdirs(dd, 0755) < 0)
			snprintf(err, errlen, "cannot create %s: %s", dd,
			    strerror(errno));
		else if (sane_rename(run->dir, to) < 0) {
			/* RACE: an agent claimed it first: cancel it there */
			snprintf(err, errlen, "Flow run '%s' was claimed by an "
			    "agent at this moment; run the cancel again to "
			    "cancel it there.", run->id);
		} else {
			if (sl_result_write(to, "Cancelled", 0, time(NULL), -1,
			    "Cancelled before it started") < 0)
				sl_warn("cannot record the cancel in %s: %s", to,
				    strerror(errno));
			free(run->dir);
			run->dir = sl_xstrdup(to);
			run->state = SL_CANCELLED;
			rc = 0;
		}
		free(dd);
		free(to);
		return rc;
	case SL_PENDING:
	case SL_RUNNING:
		c = sl_path(run->dir, "cancel", (char *)NULL);
		if (sl_exists(c) || sl_write_small(run->dir, "cancel", "cancel\n") == 0) {
			run->cancelling = 1;
			rc = 0;
		} else
			snprintf(err, errlen, "cannot ask for the cancel in %s: %s",
			    run->dir, strerror(errno));
		free(c);
		return rc;
	default:
		snprintf(err, errlen, "Flow run '%s' is already %s; there is "
		    "nothing to cancel.", run->id, sl_state_names[run->state]);
		return 1;
	}
}

/* sl_run_delete - remove a run that is not Pending or Running */
int
sl_run_delete(const struct sl_spool *sp, struct sl_run *run, char *err,
    size_t errlen)
{
	char   *trash;
	int	rc;

	if (run->cancelling && (run->state == SL_PENDING ||
	    run->state == SL_RUNNING)) {
		snprintf(err, errlen, "Flow run '%s' is Cancelling: its agent is "
		    "ending it; delete it once it is Cancelled.", run->id);
		errno = EBUSY;
		return -1;
	}
	if (run->state == SL_PENDING || run->state == SL_RUNNING) {
		snprintf(err, errlen, "Flow run '%s' is %s; cancel it first "
		    "('sluice flow-run cancel %s').", run->id,
		    sl_state_names[run->state], run->id);
		errno = EBUSY;
		return -1;
	}
	trash = sl_place(sp, SL_PL_TMP, run->pool, NULL, (char *)NULL);
	if ((rc = sl_mkdirs(trash, 0755)) == 0)
		rc = sl_discard_tree(run->dir, trash);
	if (rc == 0)
		sl_idhint_remove(sp, run->id);
	else if (errno == ENOENT)
		snprintf(err, errlen, "Flow run '%s' moved while being deleted "
		    "(claimed or cancelled); look again.", run->id);
	else
		snprintf(err, errlen, "cannot delete flow run '%s' (%s): %s",
		    run->id, run->dir, strerror(errno));
	free(trash);
	return rc;
}

/* ---- cleanup ---- */

/*
 * marker_names - does made/T of r's deployment name r (its token), and
 * this copy of it, in dir: the marker's writer is the maker its run.ini
 * names?  Every scheduler's copy of a slot has the slot's token; one
 * whose maker lost the marker's link, and was killed before it removed
 * its copy, would otherwise be published beside the winner's run once
 * that left sched/: the slot run twice.  A copy without a maker line
 * (an older binary's) is judged by the token alone, as it was.
 */
static int
marker_names(const struct sl_spool *sp, const struct sl_runspec *r,
    const char *dir)
{
	char	t[32], tok[SL_TOKEN_LEN + 1], v[128], w[128], m[128];
	char   *d, *text;
	int	rc = 0;

	snprintf(t, sizeof(t), "%lld", (long long)r->scheduled);
	sl_token_make(tok, r->scheduled,
	    (unsigned long long)r->scheduled * 1000000ULL, r->id);
	d = sl_place(sp, SL_PL_DEPLOYMENTS, NULL, NULL, r->deployment, "made",
	    (char *)NULL);
	if ((text = sl_read_small(d, t)) != NULL) {
		sl_kv_get(text, "token", v, sizeof(v));
		sl_kv_get(text, "writer", w, sizeof(w));
		rc = strcmp(v, tok) == 0 && (sl_runini_maker(dir, m,
		    sizeof(m)) < 0 || strcmp(m, w) == 0);
		free(text);
	}
	free(d);
	return rc;
}

/*
 * publish_stranded - a deployment's run stranded between its marker and
 * its publication (sl_run_create) is published now; its marker says it
 * was made, so no one else will.  0 published, -1 not such a run.
 */
static int
publish_stranded(const struct sl_spool *sp, const char *dir)
{
	struct sl_runspec r;
	struct timespec sub;
	char	why[SL_ERR_MAX];
	int	rc = -1;

	if (sl_runini_load(dir, 0, &r, NULL, why, sizeof(why)) == 0) {
		sub.tv_sec = r.scheduled;
		sub.tv_nsec = 0;
		/* only the run its slot's marker names: a maker that died
		 * before linking the marker, or after losing the link, left
		 * a copy that someone else's run stands for */
		if (r.deployment != NULL && r.attempt == 1 &&
		    sl_name_ok(r.deployment) && marker_names(sp, &r, dir))
			rc = publish_sched(sp, &r, dir, &sub, why, sizeof(why));
		sl_runspec_free(&r);
	}
	return rc;
}

/*
 * take_stranded - rename the private directory t/name (E.ID.U) to a fresh
 * name of the same age, E.ID.U2, which its maker does not know: from then
 * on the maker's next step (the claim rename into it, publication, the
 * rejection) fails on a name that is gone, so the maker and we cannot
 * both act on it.  A crash after this leaves E.ID.U2, as old as before:
 * the next pass takes it again.  NULL if it is gone (published, or taken
 * by another cleanup).
 */
static char *
take_stranded(const char *t, const char *name)
{
	char	u[SL_UUID_LEN + 1], to[200], *from, *p;

	if (sl_uuid(u) < 0)
		return NULL;
	snprintf(to, sizeof(to), "%.*s.%s", 17 + SL_UUID_LEN, name, u);
	from = sl_path(t, name, (char *)NULL);
	p = sl_path(t, to, (char *)NULL);
	if (sane_rename(from, p) < 0) {
		if (errno != ENOENT)
			sl_warn("cannot take %s to recover it: %s", from,
			    strerror(errno));
		free(p);
		p = NULL;
	}
	free(from);
	return p;
}

/*
 * recover_stranded - a private directory older than stale, its maker
 * dead or stalled: a dropped file (source, with origin naming its queue)
 * goes back into its queue's new/ to be accepted again; a deployment's
 * run whose marker names it is published (publish_stranded); the rest is
 * removed.  1 if something was recovered.
 */
static int
recover_stranded(const struct sl_spool *sp, const char *pool, const char *t,
    const char *name)
{
	char   *e, *src, *text, *o, *back, bname[80], q[80] = "";
	int	rc = 0;

	/* RACE: the maker (an acceptor, a scheduler) may wake up now; the
	 * rename is the one step only one of us wins */
	if ((e = take_stranded(t, name)) == NULL)
		return 0;
	src = sl_path(e, "source", (char *)NULL);
	text = sl_read_small(e, "origin");
	if (text != NULL)
		sl_kv_get(text, "queue", q, sizeof(q));
	if (text != NULL && sl_exists(src) && sl_name_ok(q)) {
		snprintf(bname, sizeof(bname), "recovered.%.36s", name + 17);
		o = sl_place(sp, SL_PL_NEW, pool, q, (char *)NULL);
		back = sl_path(o, bname, (char *)NULL);
		if (sl_mkdirs(o, 0755) == 0 && sane_rename(src, back) == 0) {
			sl_log(SL_WARNING, "Recovered a dropped file stranded in "
			    "%s/%s (its acceptor died mid-accept) as %s", t,
			    name, back);
			rc = 1;
		} else
			sl_warn("cannot return %s to %s: %s", src, back,
			    strerror(errno));
		free(o);
		free(back);
	}
	free(text);
	/* a source that could not be returned stays, in E.ID.U2: never
	 * removed, tried again by the next pass */
	if (rc == 1 || !sl_exists(src)) {
		if (publish_stranded(sp, e) == 0) {
			sl_log(SL_WARNING, "Published a scheduled run stranded "
			    "in %s/%s", t, name);
			rc = 1;
		} else
			(void)sl_rmtree(e);	/* best effort */
	}
	free(src);
	free(e);
	return rc;
}

/*
 * sl_count_stranded - how many private directories of pool hold a
 * dropped file (source) being accepted, or stranded there by an acceptor
 * that died; and of those, how many are older than stale (recovery will
 * return them to their queue).  For inspect: counting them is cheap.
 */
long
sl_count_stranded(const struct sl_spool *sp, const char *pool, time_t now,
    long stale, long *old)
{
	char   *t = sl_place(sp, SL_PL_TMP, pool, NULL, (char *)NULL);
	char  **v, *src;
	size_t	n, i;
	time_t	born;
	long	k = 0;

	if (old != NULL)
		*old = 0;
	if (sl_list_names(t, is_drop, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			src = sl_path(t, v[i], "source", (char *)NULL);
			if (sl_private_parse(v[i], &born) == 0 &&
			    sl_exists(src)) {
				k++;
				if (old != NULL && (long long)born <=
				    (long long)now - stale)
					(*old)++;
			}
			free(src);
		}
		sl_strv_free(v, n);
	}
	free(t);
	return k;
}

/*
 * migrate_sched - the runs a sluice from before the buckets of sched/ put
 * in sched/ itself go into their buckets (lib/sched.c), said once for
 * each queue and cleanup that moved some: such a sluice, on another host
 * sharing the spool, does not see runs in buckets.
 */
static void
migrate_sched(const struct sl_spool *sp, const char *pool)
{
	char   *qd, *sd, **v;
	size_t	n, i;
	long	k;

	qd = sl_place(sp, SL_PL_QUEUES, pool, NULL, (char *)NULL);
	if (sl_pool_names_in(qd, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			sd = sl_place(sp, SL_PL_SCHED, pool, v[i],
			    (char *)NULL);
			if ((k = sl_sched_migrate(sd)) > 0)
				sl_log(SL_WARNING, "Moved %ld Scheduled run%s "
				    "of work queue '%s' of pool '%s' into the "
				    "time buckets of its sched/: a sluice older "
				    "than buckets wrote %s; it does not see runs "
				    "in buckets, so upgrade every host sharing "
				    "this spool.", k, k == 1 ? "" : "s", v[i],
				    pool, k == 1 ? "it" : "them");
			free(sd);
		}
		sl_strv_free(v, n);
	}
	free(qd);
}

/*
 * sl_cleanup_pool - if finished, remove finished runs older than
 * keep_days (by the time in their result, not an mtime: one read of each
 * finished run, so callers that pass often ask for it seldom:
 * sl_maintain_pool); always recover private directories
 * left by a crash once older than stale (10 x lease, as every other
 * stranded state): a dropped file is put back into its queue's new/, a
 * deployment's run is published, the rest is removed; and puts runs
 * found in sched/ itself into its buckets (migrate_sched).  Never ends or
 * removes a Scheduled, Pending, Running or Rejected run.
 */
int
sl_cleanup_pool(const struct sl_spool *sp, const char *pool, long keep_days,
    long stale, time_t now, int finished)
{
	char   *d, *e, *t, **v, id[SL_UUID_LEN + 1];
	struct sl_runs rs = { 0 };
	enum sl_state st;
	size_t	n, i;
	int	removed = 0;

	/* finished runs */
	d = sl_place(sp, SL_PL_DONE, pool, NULL, (char *)NULL);
	t = sl_place(sp, SL_PL_TMP, pool, NULL, (char *)NULL);
	if (finished && sl_list_names(d, any_name, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (!sl_run_entry(SL_PL_DONE, v[i], id, &st))
				continue;
			e = sl_path(d, v[i], (char *)NULL);
			add_run(&rs, pool, NULL, e, id, st);
			if (rs.v[rs.n - 1].ended != 0 &&
			    now - rs.v[rs.n - 1].ended > keep_days * 86400L &&
			    sl_mkdirs(t, 0755) == 0 && sl_discard_tree(e, t) == 0) {
				sl_idhint_remove(sp, id);
				removed++;
			}
			free(e);
		}
		sl_strv_free(v, n);
	}
	sl_runs_free(&rs);
	free(d);
	/* stranded private directories: E is when their maker began (its
	 * clock; stale dwarfs skew as it does for leases) */
	if (sl_list_names(t, is_drop, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			time_t	born;

			if (sl_private_parse(v[i], &born) < 0 ||
			    (long long)born > (long long)now - stale)
				continue;
			(void)recover_stranded(sp, pool, t, v[i]);
		}
		sl_strv_free(v, n);
	}
	/* what a delete left by a crash: .trash. names are private to
	 * their maker for one step only (sl_discard_tree) */
	{
		struct dirent *de;
		DIR    *d2;

		if ((d2 = sl_opendir(t)) != NULL) {
			while ((de = readdir(d2)) != NULL) {
				if (strncmp(de->d_name, ".trash.", 7) != 0)
					continue;
				e = sl_path(t, de->d_name, (char *)NULL);
				(void)sl_rmtree(e);
				free(e);
			}
			closedir(d2);
		}
	}
	(void)sl_slots_sweep(sp, pool, now, stale);
	free(t);
	migrate_sched(sp, pool);
	return removed;
}
