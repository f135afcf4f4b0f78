/*
 * perm.c - the permission model (spool-layout.md, "Permissions"): who may
 * write what in a shared spool, the modes sluice gives what it creates,
 * and who may act on whose run.
 *
 * Trust.  A run file says whom it runs as (owner_uid, owner_gid), so what
 * counts is who wrote it.  The trusted writers are root, the uid of the
 * process judging (an agent trusts itself), and the spool's owner (the
 * owner of the spool's root directory, who runs its dispatchers and can
 * rewrite anything in it anyway).  A run's directory and its run.ini must
 * each be owned by a trusted writer or by the run's own owner; a run
 * written by its owner (not by a trusted writer) must also name one of
 * that owner's groups.  The file is judged by fstat() of the descriptor
 * it is then read from (opened with O_NOFOLLOW), so it cannot be swapped
 * between the check and the read.
 *
 * Modes.  Everything stays writable only by its creator (root or the
 * spool's owner) except a queue's drop box, queues/Q/tmp/ and
 * queues/Q/new/, whose mode `submitters' in sluice.ini chooses: owner
 * 0755, all 1777, GROUP 1770 with that group.  The sticky bit keeps one
 * dropper from renaming or removing another's file.  A run's run.ini and
 * log are 0640, owned by their writer, with the group of the run's owner
 * (0600 when that group cannot be given), so that its [env] secrets and
 * its output are read by the owner and by no other user.
 *
 * Drops.  A dropped file becomes the run.ini its acceptor writes, so an
 * acceptor that is neither root nor the spool's owner takes only its own
 * user's drops and leaves the others for a privileged acceptor.  A drop
 * may carry `drop_id = UUID' ([run]); its run then gets an id made of the
 * dropper's uid and that UUID (sl_perm_drop_run_id), so `sluice submit'
 * through the drop box can print the id before the run is accepted, and
 * no user can make a run whose id another user's run has (see the
 * function for why the sets of ids are disjoint).
 *
 * Acting on runs.  Cancel and delete are for root, the spool's owner, the
 * run's owner and members of the `admins' group of sluice.ini.  One who
 * may act but cannot write the run's directory (a user of a root-owned
 * spool) drops a request file into the run's queue; a privileged acceptor
 * checks the request file's owner the same way and carries it out.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

/* the policy in force: set from sluice.ini by sl_perm_policy() */
static struct {
	mode_t	dropbox;		/* mode of queues/Q/tmp and new */
	long	dropbox_gid;		/* -1: leave the group */
	long	admin_gid;		/* -1: no admin group */
} policy = { 0755, -1, -1 };

void
sl_perm_policy(const struct sl_config *cf)
{
	policy.dropbox = 0755;
	policy.dropbox_gid = -1;
	if (cf->submitters == SL_SUBMIT_ALL)
		policy.dropbox = 01777;
	else if (cf->submitters == SL_SUBMIT_GROUP) {
		policy.dropbox = 01770;
		policy.dropbox_gid = cf->submit_gid;
	}
	policy.admin_gid = cf->admin_gid;
}

static const char *uname_of(long, char *, size_t);

/*
 * euid - geteuid(), asked once a process: every command asks it at its
 * start (sl_perm_denied_hint) and again when it judges its rights.  The
 * real uid comes with it (getresuid: one call for both), which a submit
 * records as the run's owner (sl_perm_uid).  A fork forgets them
 * (pthread_atfork), as a child may change its user before it asks
 * (sl_self does the same for the pid); nothing here runs in a process
 * that changes its user without a fork.
 */
static long my_euid = -1, my_uid = -1;

static void
euid_forget(void)
{
	my_euid = my_uid = -1;
}

/* ids - the real and effective uid, from one getresuid (which cannot
 * fail for our own ids); cached unless forks could not be told */
static void
ids(long *uid, long *eu)
{
	static int armed;
	uid_t	r, e, s;

	if (!armed && pthread_atfork(NULL, NULL, euid_forget) == 0)
		armed = 1;
	if (armed && my_euid >= 0) {
		*uid = my_uid;
		*eu = my_euid;
		return;
	}
	if (getresuid(&r, &e, &s) < 0) {
		r = getuid();
		e = geteuid();
	}
	*uid = (long)r;
	*eu = (long)e;
	if (armed) {
		my_uid = *uid;
		my_euid = *eu;
	}
}

static long
euid(void)
{
	long	u, e;

	ids(&u, &e);
	return e;
}

/* sl_perm_uid - getuid(), asked with geteuid (euid): no call of its own */
long
sl_perm_uid(void)
{
	long	u, e;

	ids(&u, &e);
	return u;
}

/* spool_owner - the uid owning the spool's root directory, or -1 */
static long
spool_owner(const struct sl_spool *sp)
{
	struct stat st;

	if (sp == NULL || sp->root == NULL || sl_stat(sp->root, &st) < 0)
		return -1;
	return (long)st.st_uid;
}

/*
 * sl_perm_denied_hint - tell the log what to say to a person whose write
 * into the spool is refused (sl_log_denied_hint): whose the spool is and
 * who may change it.  Nothing for root or the spool's owner: their
 * refusals come from modes someone changed, said by the message itself.
 */
void
sl_perm_denied_hint(const struct sl_spool *sp)
{
	char	me[64], own[64], who[80], hint[1024];
	long	o, uid = euid();

	/* root needs no hint, nor the stat of the spool's owner */
	if (uid == 0 || (o = spool_owner(sp)) < 0 || o == uid) {
		sl_log_denied_hint("");
		return;
	}
	(void)uname_of(uid, me, sizeof(me));
	(void)uname_of(o, own, sizeof(own));
	snprintf(who, sizeof(who), o == 0 ? "root" : "root or %s", own);
	snprintf(hint, sizeof(hint), "you (%s) may not change the spool %s: "
	    "it is %s's. Pools, queues, deployments and agents are made and "
	    "changed by %s; other users submit runs through the drop boxes "
	    "and cancel or delete their own (sluice.ini(5), PERMISSIONS).",
	    me, sp->root, own, who);
	sl_log_denied_hint(hint);
}

/* trusted - may this uid write runs for anyone? */
static int
trusted(const struct sl_spool *sp, long uid)
{
	return uid == 0 || uid == euid() || uid == spool_owner(sp);
}

int
sl_perm_privileged(const struct sl_spool *sp)
{
	return euid() == 0 || euid() == spool_owner(sp);
}

/* in_group - is user uid a member of gid (primary or supplementary)? */
static int
in_group(long uid, long gid)
{
	struct passwd *pw;
	gid_t	gs[256];
	int	n = 256, i;

	if (uid < 0 || gid < 0 || (pw = getpwuid((uid_t)uid)) == NULL)
		return 0;
	if ((long)pw->pw_gid == gid)
		return 1;
	if (getgrouplist(pw->pw_name, pw->pw_gid, gs, &n) < 0)
		return 0;	/* more than 256 groups: not trusted to tell */
	for (i = 0; i < n; i++)
		if ((long)gs[i] == gid)
			return 1;
	return 0;
}

/* ---- reading and judging a run file ---- */

/*
 * sl_perm_read_run - read dir/run.ini through one descriptor opened with
 * O_NOFOLLOW: *st is that file's fstat, *text its bytes (NUL-terminated).
 * Returns the length, or -1 with errno.
 */
ssize_t
sl_perm_read_run(const char *dir, char **text, struct stat *st)
{
	char   *p = sl_path(dir, "run.ini", (char *)NULL);
	ssize_t	n;
	int	saved;

	n = sl_read_file_st(p, text, 2 * SL_INI_MAX, st);
	saved = errno;
	free(p);
	errno = saved;
	return n;
}

static const char *
uname_of(long uid, char *buf, size_t len)
{
	struct passwd *pw = uid >= 0 ? getpwuid((uid_t)uid) : NULL;

	snprintf(buf, len, "%s", pw != NULL ? pw->pw_name : "no user");
	return buf;
}

/*
 * sl_perm_check_run - may a run in dir, whose run.ini was read through a
 * descriptor whose fstat is *st and parsed into *r, be run as its owner?
 * 0 yes; -1 no, and why says so for the run's reason and the log.
 */
int
sl_perm_check_run(const struct sl_spool *sp, const char *dir,
    const struct stat *st, const struct sl_runspec *r, char *why,
    size_t whylen)
{
	struct stat ds;
	char	u1[64], u2[64];
	long	w = (long)st->st_uid;

	if (st->st_nlink != 1) {
		snprintf(why, whylen, "its run.ini has %lu hard links; a run "
		    "file sluice wrote has one", (unsigned long)st->st_nlink);
		return -1;
	}
	if (!trusted(sp, w) && w != r->owner_uid) {
		snprintf(why, whylen, "its run.ini was written by uid %ld (%s), "
		    "who may not write a run owned by uid %ld (%s): only root, "
		    "the spool's owner (uid %ld) and the run's owner may; a "
		    "forged run file? (spool-layout.md, \"Permissions\")", w,
		    uname_of(w, u1, sizeof(u1)), r->owner_uid,
		    uname_of(r->owner_uid, u2, sizeof(u2)), spool_owner(sp));
		return -1;
	}
	if (sl_lstat(dir, &ds) < 0) {
		snprintf(why, whylen, "cannot look at its directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (!trusted(sp, (long)ds.st_uid) && (long)ds.st_uid != r->owner_uid) {
		snprintf(why, whylen, "its directory is owned by uid %ld (%s), "
		    "who may not make a run owned by uid %ld (%s); a forged run? "
		    "(spool-layout.md, \"Permissions\")", (long)ds.st_uid,
		    uname_of((long)ds.st_uid, u1, sizeof(u1)), r->owner_uid,
		    uname_of(r->owner_uid, u2, sizeof(u2)));
		return -1;
	}
	if ((!trusted(sp, w) || !trusted(sp, (long)ds.st_uid)) &&
	    r->owner_gid >= 0 && !in_group(r->owner_uid, r->owner_gid)) {
		snprintf(why, whylen, "it was written by its owner uid %ld (%s), "
		    "not by a trusted writer, and names group %ld, which is not "
		    "one of that user's groups", r->owner_uid,
		    uname_of(r->owner_uid, u1, sizeof(u1)), r->owner_gid);
		return -1;
	}
	return 0;
}

/* ---- modes of what sluice creates ---- */

/*
 * sl_perm_runfile_fd - give a run's private file (run.ini, log) its mode:
 * group gid (the run owner's) and 0640, or 0600 when the group cannot be
 * given (a writer that is not root and not in that group).
 */
int
sl_perm_runfile_fd(int fd, long gid)
{
	mode_t	m = 0600;

	if (gid >= 0 && fchown(fd, (uid_t)-1, (gid_t)gid) == 0)
		m = 0640;
	return fchmod(fd, m);
}

/*
 * sl_perm_runfile_st - the same for a file whose fstat is *st: nothing
 * to do (no chown, no chmod) when it has that group and mode already
 */
int
sl_perm_runfile_st(int fd, long gid, const struct stat *st)
{
	if (gid >= 0 && (long)st->st_gid == gid &&
	    (st->st_mode & 07777) == 0640)
		return 0;
	return sl_perm_runfile_fd(fd, gid);
}

/*
 * sl_perm_publish_runfile - write dir/name (a run.ini) so that it is never
 * readable by others, not even for a moment: a file made 0600 and given
 * its group and mode while still empty, then written, fsynced and closed,
 * all through the one descriptor that made it, and its entry fsynced.
 * dir is private to its writer.  fresh: dir was made new by the caller,
 * and nobody reads it until the caller publishes it (a rename of the
 * whole directory): the file is made under its own name, with no scratch
 * name and no rename (one rename a run fewer: a round trip on a network
 * filesystem).  RACE: a writer killed mid-write leaves it cut short in
 * its private directory, where only cleanup looks: so only for a run
 * cleanup never publishes (a submit's; an accepted drop's, whose source
 * cleanup returns to its queue), not a deployment's (sl_run_create).
 * Else (a run's own directory, re-queued) a scratch file, renamed onto
 * name, so that a reader sees the old run.ini or the new one.
 */
int
sl_perm_publish_runfile(const char *dir, const char *name, const char *text,
    size_t len, long gid, int fresh)
{
	char	tname[80], *tmp, *to;
	int	fd, rc = -1, saved, closed;

	snprintf(tname, sizeof(tname), ".%s.tmp", name);
	tmp = sl_path(dir, fresh ? name : tname, (char *)NULL);
	to = sl_path(dir, name, (char *)NULL);
	/* a leftover of ours is removed: the directory is private */
	if ((fd = sl_create_fresh(AT_FDCWD, tmp, 0600)) < 0)
		goto out;
	if (sl_perm_runfile_fd(fd, gid) < 0 || sl_write_all(fd, text, len) < 0 ||
	    fsync(fd) < 0)
		goto fail;
	closed = close(fd);
	fd = -1;
	if (closed < 0 || (!fresh && sane_rename(tmp, to) < 0))
		goto fail;
	(void)sl_fsync_dir(dir);	/* durability only */
	rc = 0;
	goto out;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	(void)sl_unlink(tmp);
	errno = saved;
out:
	free(tmp);
	free(to);
	return rc;
}

/*
 * sl_perm_dropbox - give a queue's tmp/ or new/ the drop box's mode (and
 * group) of `submitters'.  chmod, not mkdir's mode: the umask must not
 * take the sticky bit or the group's write away.  RACE: a drop box made
 * in place (the default queue of a pool made by mkdir) is 0755 between
 * the mkdir and the chmod; a user dropping in that instant is refused
 * (EACCES) and tries again; two makers set the same mode.
 */
int
sl_perm_dropbox(const char *dir)
{
	if (policy.dropbox_gid >= 0 && chown(dir, (uid_t)-1,
	    (gid_t)policy.dropbox_gid) < 0)
		return -1;
	return chmod(dir, policy.dropbox);
}

/* ---- dropped files ---- */

/*
 * sl_perm_may_accept - may this process take a file dropped by uid in
 * pool's queues?  Root and the spool's owner take every drop; anyone else
 * only their own, and only if they can write the pool's private tmp/
 * (else a privileged acceptor takes it).  RACE: the file may be replaced
 * after this look; the acceptor judges the file it took by its fstat.
 */
int
sl_perm_may_accept(const struct sl_spool *sp, const char *pool, long uid)
{
	char   *t;
	int	ok;

	if (sl_perm_privileged(sp))
		return 1;
	if (uid != euid())
		return 0;
	t = sl_place(sp, SL_PL_TMP, pool, NULL, (char *)NULL);
	ok = sl_perm_can_write(t);
	free(t);
	return ok;
}

/*
 * sl_perm_can_write - could this process make entries in dir, or in its
 * nearest existing ancestor if dir is not there yet?
 */
int
sl_perm_can_write(const char *dir)
{
	char   *p = sl_xstrdup(dir), *s;
	int	ok;

	for (;;) {
		if (faccessat(AT_FDCWD, p, F_OK, AT_EACCESS) == 0 ||
		    (s = strrchr(p, '/')) == NULL || s == p)
			break;
		*s = '\0';
	}
	ok = faccessat(AT_FDCWD, p, W_OK | X_OK, AT_EACCESS) == 0;
	free(p);
	return ok;
}

/*
 * sl_perm_drop_run_id - the id of a run dropped by uid with drop_id U: the
 * first 8 hex digits are uid, the rest are U's, with the version nibble
 * set to 8 and the variant nibble to c (binary 110x).  Random ids are
 * version 4 with variant 10xx, ids derived by hashing (sl_uuid_from)
 * variant 10xx, so a derived id is never one of theirs, and two users'
 * derived ids differ in their first 8 digits: no user can make a run
 * whose id another user's run has.
 */
void
sl_perm_drop_run_id(long uid, const char *u, char out[SL_UUID_LEN + 1])
{
	char	head[16];

	snprintf(head, sizeof(head), "%08lx", (unsigned long)uid & 0xffffffffUL);
	memcpy(out, u, SL_UUID_LEN + 1);
	memcpy(out, head, 8);
	out[14] = '8';
	out[19] = "cd"[(u[19] >= '0' && u[19] <= '9' ? u[19] - '0' :
	    u[19] - 'a' + 10) & 1];
}

/*
 * sl_perm_drop_id - a dropped file's `drop_id', if it has one: *id becomes
 * the id its run gets (sl_perm_drop_run_id with the file's owner).  0 no
 * drop_id or a good one; -1 a bad one (why says so).  The file is read
 * strictly later; a file iniparser cannot read has no drop_id here.
 */
int
sl_perm_drop_id(const char *text, size_t len, long uid,
    char id[SL_UUID_LEN + 1], char *why, size_t whylen)
{
	struct sl_ini *ini;
	char	e[SL_ERR_MAX];
	const char *v;
	int	rc = 0;

	if ((ini = sl_ini_parse(text, len, e, sizeof(e))) == NULL)
		return 0;
	if ((v = sl_ini_get(ini, "run", "drop_id")) != NULL) {
		if (sl_uuid_ok(v))
			sl_perm_drop_run_id(uid, v, id);
		else {
			snprintf(why, whylen, "drop_id = %.60s: must be a fresh "
			    "UUID in lower case (uuidgen -r)", v);
			rc = -1;
		}
	}
	sl_ini_free(ini);
	return rc;
}

/* drop_form - the run file a user drops: the accepted form's [run] without
 * the keys only sluice sets, plus drop_id */
static char *
drop_form(const struct sl_runspec *r, const char *u, size_t *len)
{
	static const char *const internal[] = { "id", "pool", "queue",
	    "created", "attempt", "owner_uid", "owner_gid", "deployment", NULL };
	struct sl_buf b = { 0 };
	size_t	n;
	char   *text = sl_runspec_render(r, &n), *line, *next;
	int	in_run = 0, i;

	sl_buf_puts(&b, "; a run dropped by sluice submit; see sluice-run(5)\n");
	for (line = text; line != NULL && *line != '\0'; line = next) {
		size_t	ll;

		next = strchr(line, '\n');
		ll = next != NULL ? (size_t)(next - line) : strlen(line);
		if (next != NULL)
			next++;
		if (line[0] == ';')
			continue;
		if (line[0] == '[') {
			in_run = strncmp(line, "[run]", 5) == 0;
			sl_buf_add(&b, line, ll);
			sl_buf_add(&b, "\n", 1);
			if (in_run)
				sl_buf_printf(&b, "drop_id = %s\n", u);
			continue;
		}
		for (i = 0; in_run && internal[i] != NULL; i++)
			if (strncmp(line, internal[i], strlen(internal[i])) == 0 &&
			    strncmp(line + strlen(internal[i]), " = ", 3) == 0)
				break;
		if (in_run && internal[i] != NULL)
			continue;
		sl_buf_add(&b, line, ll);
		sl_buf_add(&b, "\n", 1);
	}
	free(text);
	*len = b.len;
	return b.s;
}

/*
 * drop_file - write text into queues/Q/tmp/ (mode 0600: only its writer
 * and the acceptor read it) and rename it into queues/Q/new/.
 */
static int
drop_file(const char *qd, const char *name, const char *text, size_t len,
    char *err, size_t errlen)
{
	char   *tmp = sl_path(qd, "tmp", name, (char *)NULL);
	char   *to = sl_path(qd, "new", name, (char *)NULL);
	int	rc = -1;

	if (sl_write_tmp(tmp, text, len, 0600) < 0)
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	else if (sane_rename(tmp, to) < 0) {
		snprintf(err, errlen, "cannot move %s into %s/new: %s", tmp, qd,
		    strerror(errno));
		(void)sl_unlink(tmp);
	} else
		rc = 0;
	free(tmp);
	free(to);
	return rc;
}

/* dropbox_of - the queue's directory, if its drop box is there */
static char *
dropbox_of(const struct sl_spool *sp, const char *pool, const char *queue,
    char *err, size_t errlen)
{
	char   *qd = sl_queue_dir(sp, pool, queue), *t, *n;
	struct stat st;
	int	ok;

	t = sl_path(qd, "tmp", (char *)NULL);
	n = sl_path(qd, "new", (char *)NULL);
	ok = sl_stat(t, &st) == 0 && S_ISDIR(st.st_mode) && sl_stat(n, &st) == 0 &&
	    S_ISDIR(st.st_mode) && sl_perm_can_write(t) && sl_perm_can_write(n);
	if (!ok) {
		snprintf(err, errlen, "you cannot write work queue '%s' of work "
		    "pool '%s' (%s), nor drop a run into its drop box %s/tmp/ "
		    "and new/; ask the spool's owner to create the queue with "
		    "'submitters = all' (or a group of yours) in sluice.ini "
		    "(spool-layout.md, \"Permissions\")", queue, pool, sp->root,
		    qd);
		free(qd);
		qd = NULL;
		errno = EACCES;
	}
	free(t);
	free(n);
	return qd;
}

/*
 * sl_perm_submit_drop - submit through the queue's drop box, for a user
 * who cannot write the pool's private tmp/: the run file (with a fresh
 * drop_id) is written into queues/Q/tmp/ and renamed into queues/Q/new/;
 * r->id becomes the id its acceptor will give it.  0 dropped, -1 error.
 */
int
sl_perm_submit_drop(const struct sl_spool *sp, struct sl_runspec *r,
    char *err, size_t errlen)
{
	char	u[SL_UUID_LEN + 1], name[80], *qd, *text;
	size_t	len;
	int	rc;

	if ((qd = dropbox_of(sp, r->pool, r->queue, err, errlen)) == NULL)
		return -1;
	if (sl_uuid(u) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		free(qd);
		return -1;
	}
	if (r->name == NULL) {
		char	slug[64];

		sl_slug(slug, sizeof(slug));
		r->name = sl_xstrdup(slug);
	}
	text = drop_form(r, u, &len);
	snprintf(name, sizeof(name), "submit.%s", u);
	rc = drop_file(qd, name, text, len, err, errlen);
	if (rc == 0)
		sl_perm_drop_run_id(euid(), u, r->id);
	free(text);
	free(qd);
	return rc;
}

/* ---- who may act on whose run ---- */

/* sl_perm_admin - is this process a member of the admins group? */
static int
self_admin(void)
{
	gid_t	gs[256];
	int	n, i;

	if (policy.admin_gid < 0)
		return 0;
	if ((long)getegid() == policy.admin_gid)
		return 1;
	if ((n = getgroups(256, gs)) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((long)gs[i] == policy.admin_gid)
			return 1;
	return 0;
}

/* owner_of - the run's owner: run.ini's owner_uid, or for a Rejected drop
 * the owner of its source file; -1 if it cannot be told (a run.ini we
 * cannot read is not ours: our own is readable by our group) */
static long
owner_of(const struct sl_run *run)
{
	struct stat st;
	char   *p;
	long	o = -1;

	if (run->spec.command != NULL && run->spec.owner_uid >= 0)
		return run->spec.owner_uid;
	p = sl_path(run->dir, "source", (char *)NULL);
	if (sl_lstat(p, &st) == 0)
		o = (long)st.st_uid;
	free(p);
	return o;
}

/*
 * sl_perm_may_act - may this process cancel or delete (verb) run?  Root,
 * the spool's owner, the run's owner and members of `admins' may.  0 yes;
 * -1 no, with the message for the user in why (exit status 1).
 */
int
sl_perm_may_act(const struct sl_spool *sp, const struct sl_run *run,
    const char *verb, char *why, size_t whylen)
{
	long	o;
	char	u1[64], u2[64];

	if (sl_perm_privileged(sp) || self_admin())
		return 0;
	o = owner_of(run);
	if (o >= 0 && o == euid())
		return 0;
	if (o >= 0)
		snprintf(why, whylen, "Permission denied: flow run '%s' belongs "
		    "to %s (uid %ld); you (%s) may not %s it. Only its owner, "
		    "root, the spool's owner and members of the admins group "
		    "of sluice.ini may.", run->id, uname_of(o, u1, sizeof(u1)),
		    o, uname_of(euid(), u2, sizeof(u2)), verb);
	else
		snprintf(why, whylen, "Permission denied: flow run '%s' is not "
		    "yours (its run file is not readable by you); you (%s) may "
		    "not %s it. Only its owner, root, the spool's owner and "
		    "members of the admins group of sluice.ini may.", run->id,
		    uname_of(euid(), u2, sizeof(u2)), verb);
	errno = EPERM;
	return -1;
}

/*
 * sl_perm_needs_request - must this process ask a privileged acceptor to
 * act on run, because it cannot write where the act writes?
 */
int
sl_perm_needs_request(const struct sl_spool *sp, const struct sl_run *run)
{
	char   *d;
	int	need;

	if (sl_perm_privileged(sp))
		return 0;
	/* cancel writes into the run's directory or renames it from its
	 * parent; delete renames it out of its parent */
	d = sl_xstrdup(run->dir);
	*strrchr(d, '/') = '\0';
	need = !sl_perm_can_write(d) || !sl_perm_can_write(run->dir);
	free(d);
	return need;
}

/*
 * sl_perm_request - drop a request to cancel or delete run into its
 * queue's drop box (the default queue's if its own has none).  The
 * request file's owner is the requester.  0 dropped, -1 error.
 */
int
sl_perm_request(const struct sl_spool *sp, const struct sl_run *run,
    const char *action, char *err, size_t errlen)
{
	struct sl_buf b = { 0 };
	char	u[SL_UUID_LEN + 1], name[80], *qd;
	int	rc;

	if ((qd = dropbox_of(sp, run->pool, run->queue[0] ? run->queue :
	    SL_DEFAULT_QUEUE, err, errlen)) == NULL &&
	    (qd = dropbox_of(sp, run->pool, SL_DEFAULT_QUEUE, err,
	    errlen)) == NULL)
		return -1;
	if (sl_uuid(u) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		free(qd);
		return -1;
	}
	sl_buf_puts(&b, "; a request to a privileged acceptor (spool-layout.md, "
	    "\"Permissions\")\n[request]\n");
	sl_ini_put(&b, "action", action);
	sl_ini_put(&b, "run", run->id);
	sl_buf_puts(&b, SL_INI_TRAILER);
	snprintf(name, sizeof(name), "request.%s", u);
	rc = drop_file(qd, name, b.s, b.len, err, errlen);
	sl_buf_free(&b);
	free(qd);
	return rc;
}

/* sl_perm_is_request - is this dropped file a request, not a run file? */
int
sl_perm_is_request(const char *text, size_t len)
{
	size_t	i = 0;

	for (;;) {	/* skip blank and comment lines */
		while (i < len && (text[i] == ' ' || text[i] == '\t' ||
		    text[i] == '\n' || text[i] == '\r'))
			i++;
		if (i < len && (text[i] == ';' || text[i] == '#')) {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	return len - i >= 9 && strncmp(text + i, "[request]", 9) == 0;
}

/*
 * sl_perm_do_request - carry out a dropped request whose file is owned by
 * uid: cancel or delete the run it names, in pool, if uid may.  Logs what
 * it did or why not.  0 done or refused (the request is used up), -1 an
 * error worth a retry is not distinguished: every request is used up.
 */
int
sl_perm_do_request(const struct sl_spool *sp, const char *pool, long uid,
    const char *text, size_t len)
{
	struct sl_runs rs = { 0 };
	struct sl_run *run = NULL;
	struct sl_ini *ini;
	char	e[SL_ERR_MAX], u1[64];
	const char *act, *id;
	size_t	i;
	long	o;

	if ((ini = sl_ini_parse(text, len, e, sizeof(e))) == NULL) {
		sl_log(SL_WARNING, "Ignored a request by uid %ld in work pool "
		    "'%s': %s", uid, pool, e);
		return 0;
	}
	act = sl_ini_get(ini, "request", "action");
	id = sl_ini_get(ini, "request", "run");
	if (act == NULL || id == NULL || !sl_uuid_ok(id) ||
	    (strcmp(act, "cancel") != 0 && strcmp(act, "delete") != 0)) {
		sl_log(SL_WARNING, "Ignored a request by uid %ld in work pool "
		    "'%s': it needs action = cancel|delete and run = ID", uid,
		    pool);
		goto out;
	}
	(void)sl_runs_pool(sp, pool, &rs);
	for (i = 0; i < rs.n; i++)
		if (strcmp(rs.v[i].id, id) == 0)
			run = &rs.v[i];
	if (run == NULL) {
		sl_log(SL_WARNING, "Request by %s (uid %ld) to %s flow run '%s': "
		    "no such run in work pool '%s'", uname_of(uid, u1,
		    sizeof(u1)), uid, act, id, pool);
		goto out;
	}
	o = owner_of(run);
	if (!(uid == 0 || uid == spool_owner(sp) || (o >= 0 && o == uid) ||
	    (policy.admin_gid >= 0 && in_group(uid, policy.admin_gid)))) {
		sl_log(SL_WARNING, "Refused the request by %s (uid %ld) to %s "
		    "flow run '%s': it belongs to uid %ld, and %s is neither "
		    "its owner nor in the admins group", uname_of(uid, u1,
		    sizeof(u1)), uid, act, id, o, u1);
		goto out;
	}
	if ((strcmp(act, "cancel") == 0 ? sl_run_cancel(sp, run, e, sizeof(e)) :
	    sl_run_delete(sp, run, e, sizeof(e))) < 0)
		sl_log(SL_WARNING, "Request by %s (uid %ld) to %s flow run '%s' "
		    "failed: %s", uname_of(uid, u1, sizeof(u1)), uid, act, id, e);
	else
		sl_log(SL_INFO, "Flow run '%s': %s, as %s (uid %ld) asked", id,
		    strcmp(act, "cancel") == 0 ? "cancel carried out" :
		    "deleted", uname_of(uid, u1, sizeof(u1)), uid);
out:
	sl_runs_free(&rs);
	sl_ini_free(ini);
	return 0;
}
