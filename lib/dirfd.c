/*
 * dirfd.c - walk less: descriptors of the spool's fixed directories, so
 * that a call on a path under the spool looks up only the components below
 * the deepest of them.
 *
 * A call on an absolute path looks up every component of it.  On a local
 * disk the dentry cache answers; on a network filesystem with its caches
 * off (NFS lookupcache=none or noac, sshfs and FUSE with timeouts of 0)
 * each lookup asks the server, and on the project's NFS rig (fuse-nfs,
 * which resolves every request's path from the export's root) a component
 * at depth j costs about 2j + 1 requests: an open of a file eight levels
 * down cost 98 requests by its path against 35 by its directory's
 * descriptor (spool-layout.md, "Walking less").
 *
 * So the primitives below (sl_open, sl_lstat, sl_stat, sl_opendir,
 * sl_unlink, sl_rmdir, and fsop.c's renames, links, mkdirs and creates)
 * split a path under a registered spool (sl_dirfd_root) into the
 * descriptor of its deepest fixed ancestor and the rest, and make the *at
 * call.  The fixed directories are those the layout never removes while
 * their pool or queue exists: the spool's pools/ and ids/; a pool's
 * directory and its tmp/, slots/, running/, done/, pending/, agents/,
 * rejected/ and queues/; a queue's directory and its sched/, new/ and
 * tmp/.  Never a run's directory, an agent's, a slot, a bucket of sched/
 * or anything dotted: those move or go.  A path elsewhere (/proc, a
 * user's file, a relative path) is left as it is: AT_FDCWD.
 *
 * The spool's own (pools/, ids/) are opened by path and used for
 * sl_dirfd_window_ms after that; each one below is opened from its parent's
 * descriptor (one component) and used while that parent is the same opening.
 * So one walk a second of the spool's part of a path, whatever the number of
 * calls, and every descriptor of a pool a process uses at once comes from one
 * opening of the pool's directory.  A call naming two paths (rename, link)
 * finds both at one instant, neither's descriptors closed for the other's, and
 * goes wholly by path if either name cannot be found by descriptors (a
 * directory of an old pool removed meanwhile): one name through the old pool
 * and one by a path reaching a new pool of the same name could move a run into
 * the trash.  RACE: a pool or queue deleted meanwhile by another process was
 * renamed into its parent's .trash.UUID/ and is being removed; a call through
 * descriptors opened before that acts inside the trash, all of it, which is
 * what the same call by path made just before the deleter's rename would have
 * done: it goes with the tree (or fails, ENOENT, once its directory is gone).
 * Never half in the old pool and half in a new one made under its name (a run
 * of the new pool's sched/ moved into the old one's pending/, then removed with
 * the trash: test_dirfd_one_pool).  A pool or queue made again under the old
 * name within the window is not seen: a delay of at most sl_dirfd_window_ms.
 * This process's own renames and removals forget the descriptors at and under
 * the names at once (sl_dirfd_forget).  A descriptor whose directory another
 * host removed (NFS: ESTALE) makes the call again by fresh ones: the server
 * refused the first, so nothing is done twice.  Links are followed as a path
 * would follow them (a done/ that is a link to another disk).
 *
 * Descriptors are O_PATH, close-on-exec (no command inherits one) and never on
 * 0-2, nor on 3 and 4 in an agent (sl_dirfd_floor: its pipe goes on 3, which
 * every supervisor keeps where it is, and a keeper's channel on 4; a submit
 * that moved each of its openings off 3 paid two calls for each).  A command
 * takes none for a spool on a local disk (sl_dirfd_oneshot).  A supervisor,
 * which closes the agent's other descriptors when it starts, closes around
 * these (sl_dirfd_closefrom) and forgets any on a number it replaces
 * (sl_dirfd_drop_below): its run's calls use the agent's openings, no open
 * of its own.  Whoever closes descriptors wholesale otherwise forgets them
 * first (sl_dirfd_drop), so that no number another open reuses is taken for
 * a directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sluice.h"

#define DIRFD_MAX	32	/* descriptors kept: a pool uses about 8 */
#define ROOTS_MAX	8	/* spools one process serves (tests: 2) */
#define LEVELS		5	/* pools/ POOL/ queues/ QUEUE/ sched/ */

static int fd_floor = 3;	/* clear of 0-2; 5 in an agent: 3, 4 are its */
static int oneshot;		/* a command: a local spool goes by path */

struct ent {
	char	   *path;	/* the directory, as callers spell it */
	size_t	    len;
	int	    fd;
	int	    parent;	/* the entry it was opened from; -1: by path;
				 * -2: good no more */
	unsigned    gen;	/* this opening */
	unsigned    pgen;	/* its parent's opening, when it was made */
	long long   at;		/* sl_mono_ms() of the open (top entries) */
	long long   used;	/* of the last use: the least used goes */
};

/* how long a top entry is used before it is opened again; tests set it,
 * as they set sl_sys, rather than sleep through it */
long	sl_dirfd_window_ms = 1000;

static struct ent ents[DIRFD_MAX];
static char *roots[ROOTS_MAX];
static size_t nroots, nextroot;
static unsigned gens;

/* fs_in - is dir on a filesystem of one of the n types in t?  (no, if
 * its statfs fails) */
static int
fs_in(const char *dir, const unsigned long *t, size_t n)
{
	struct statfs st;
	size_t	i;

	if (statfs(dir, &st) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned long)st.f_type == t[i])
			return 1;
	return 0;
}

/* sl_network_fs - is dir on NFS, FUSE (sshfs, fuse-nfs) or SMB? */
int
sl_network_fs(const char *dir)
{
	static const unsigned long net[] = {
		0x6969,		/* NFS */
		0x65735546,	/* FUSE */
		0xff534d42,	/* CIFS */
		0xfe534d42,	/* SMB2 */
	};

	return fs_in(dir, net, sizeof(net) / sizeof(net[0]));
}

/* sl_local_fs - is dir on a disk of this host's own (a list: anything
 * else, or a statfs that fails, is taken for a network filesystem) */
int
sl_local_fs(const char *dir)
{
	static const unsigned long local[] = {
		0xef53,		/* ext2, ext3, ext4 */
		0x58465342,	/* xfs */
		0x9123683e,	/* btrfs */
		0x01021994,	/* tmpfs */
		0x858458f6,	/* ramfs */
		0x794c7630,	/* overlayfs */
		0x2fc12fc1,	/* zfs */
		0xf2f52010,	/* f2fs */
	};

	return fs_in(dir, local, sizeof(local) / sizeof(local[0]));
}

/*
 * sl_dirfd_oneshot - this process is a command, not a daemon: a spool on a
 * local disk gets no descriptors.  The kernel walks a local path in its
 * cache for nothing, and a command makes a few calls in a few directories
 * and exits: each opening is a call more (a submit opened seven for eight
 * calls).  On a network filesystem each component of a path is a round
 * trip, and a command walks less by them too; so on any filesystem not
 * known to be local (sl_local_fs), as before.  Before sl_spool_locate.
 */
void
sl_dirfd_oneshot(void)
{
	oneshot = 1;
}

/* sl_dirfd_root - paths under root (a spool, absolute) may be walked from
 * its fixed directories from now on (the oldest of ROOTS_MAX goes); not a
 * local spool in a command (sl_dirfd_oneshot): a statfs, once */
void
sl_dirfd_root(const char *root)
{
	size_t	i, n;

	if (root == NULL || root[0] != '/')
		return;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	for (i = 0; i < nroots; i++)
		if (strlen(roots[i]) == n && memcmp(roots[i], root, n) == 0)
			return;
	if (oneshot && sl_local_fs(root))
		return;
	i = nroots < ROOTS_MAX ? nroots++ : nextroot++ % ROOTS_MAX;
	free(roots[i]);
	roots[i] = sl_xmalloc(n + 1);
	memcpy(roots[i], root, n);
	roots[i][n] = '\0';
}

/* comp - the length of the component at s (up to '/' or the end); -1 if
 * it is empty, "." or ".." (a path we do not second-guess) */
static long
comp(const char *s)
{
	size_t	n = strcspn(s, "/");

	if (n == 0 || (s[0] == '.' && (n == 1 || (n == 2 && s[1] == '.'))))
		return -1;
	return (long)n;
}

static int
one_of(const char *s, long n, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strlen(*set) == (size_t)n &&
		    memcmp(*set, s, (size_t)n) == 0)
			return 1;
	return 0;
}

/* level - the length of the component at s if it is a fixed directory's
 * (one of set; NULL: any name not dotted) with more of the path after it,
 * else -1 */
static long
level(const char *s, const char *const *set)
{
	long	n = comp(s);

	if (n < 0 || s[n] != '/' ||
	    (set == NULL ? s[0] == '.' : !one_of(s, n, set)))
		return -1;
	return n;
}

/*
 * fixed - the lengths of path's fixed proper ancestors (see the top), from
 * the spool's down, in lv[]; returns how many (0: none, the path is taken
 * as it is).  Each level checks that the component is followed by more of
 * the path: an ancestor must be a proper one.
 */
static int
fixed(const char *path, size_t lv[LEVELS])
{
	static const char *const top[] = { "pools", "ids", NULL };
	static const char *const pool[] = { "tmp", "slots", "running", "done",
	    "pending", "agents", "rejected", "queues", NULL };
	static const char *const queue[] = { "sched", "new", "tmp", NULL };
	/* spool, pool, a pool's, queue, a queue's */
	static const char *const *const walk[LEVELS] = { top, NULL, pool,
	    NULL, queue };
	const char *s, *c;
	size_t	i, rl = 0;
	long	n;
	int	m = 0;

	for (i = 0; i < nroots; i++) {
		rl = strlen(roots[i]);
		if (strncmp(path, roots[i], rl) == 0 && path[rl] == '/')
			break;
	}
	if (i == nroots)
		return 0;
	s = path + rl + 1;	/* the first component below root */
	/* "." and ".." anywhere, "//", a trailing "/": taken as they are */
	if (path[strlen(path) - 1] == '/')
		return 0;
	for (c = s; *c != '\0'; c += n + 1) {
		if ((n = comp(c)) < 0)
			return 0;
		if (c[n] == '\0')
			break;
	}
	for (m = 0; m < LEVELS; m++) {
		if ((n = level(s, walk[m])) < 0)
			break;
		lv[m] = (size_t)(s + n - path);
		/* nothing below ids/ is fixed, nor below a pool's
		 * directories but queues/ */
		if ((m == 0 && n == 3) || (m == 2 && (n != 6 ||
		    memcmp(s, "queues", 6) != 0)))
			return m + 1;
		s += n + 1;
	}
	return m;
}

static void
ent_close(struct ent *e)
{
	if (e->path == NULL)
		return;
	(void)close(e->fd);
	free(e->path);
	e->path = NULL;
}

/* sl_dirfd_flush - close every descriptor: one was stale (ESTALE: its
 * directory is gone at the server); tests, between cases */
void
sl_dirfd_flush(void)
{
	size_t	i;

	for (i = 0; i < DIRFD_MAX; i++)
		ent_close(&ents[i]);
}

static int
pinned(int i, const int *pin, int npin)
{
	int	k;

	for (k = 0; k < npin; k++)
		if (pin[k] == i)
			return 1;
	return 0;
}

/* victim - a free entry, else the least used one not pinned */
static int
victim(const int *pin, int npin)
{
	int	i, v = -1;

	for (i = 0; i < DIRFD_MAX; i++) {
		if (ents[i].path == NULL)
			return i;
		if (!pinned(i, pin, npin) && (v < 0 ||
		    ents[i].used < ents[v].used))
			v = i;
	}
	return v;
}

/* good - may entry i, found for the level below entry prev (-1: the
 * top), be used at now?  A top one for sl_dirfd_window_ms after its open
 * (a clock gone back counts as past it); one below while it was opened
 * from prev's present opening */
static int
good(int i, int prev, long long now)
{
	if (prev < 0)
		return ents[i].parent == -1 && now >= ents[i].at &&
		    now - ents[i].at < sl_dirfd_window_ms;
	return ents[i].parent == prev && ents[i].pgen == ents[prev].gen;
}

/*
 * chain - the entry of path's deepest fixed ancestor, made good from the
 * top: the spool's directory (pools/, ids/) by its path, used for
 * sl_dirfd_window_ms; each one below it opened from its parent's
 * descriptor and good only while that parent is the opening it was made
 * from (good()).  So every
 * descriptor of a pool in use at once comes from one opening of the
 * pool's directory: a pool deleted and made again by another process
 * meanwhile is, to this process, all the old one (in the trash) or all
 * the new one, never part of each (a run moved from the new pool's
 * sched/ into the old one's pending/ would be removed with the trash).
 * Entries in pin (*npin of them, the chain of the other name of a rename
 * or a link) are neither closed nor reopened: the caller holds their
 * descriptors.  Adds this chain's entries to pin.  -1: cannot (the call
 * goes by path).
 */
static int
chain(const char *path, const size_t *lv, int m, long long now, int *pin,
    int *npin)
{
	struct ent *e;
	const char *name;
	char   *d;
	int	k, i, prev = -1, fd, r;

	for (k = 0; k < m; k++) {
		for (i = 0; i < DIRFD_MAX; i++)
			if (ents[i].path != NULL && ents[i].len == lv[k] &&
			    memcmp(ents[i].path, path, lv[k]) == 0)
				break;
		if (i < DIRFD_MAX && (pinned(i, pin, *npin) ||
		    good(i, prev, now))) {
			ents[i].used = now;
			pin[(*npin)++] = prev = i;
			continue;
		}
		/* open it: by path at the top, else from its parent */
		d = sl_xmalloc(lv[k] + 1);
		memcpy(d, path, lv[k]);
		d[lv[k]] = '\0';
		if (k == 0)
			fd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
		else {
			name = d + lv[k - 1] + 1;
			fd = openat(ents[prev].fd, name, O_PATH | O_DIRECTORY |
			    O_CLOEXEC);	/* a link followed, as by path */
		}
		if (fd >= 0 && fd < fd_floor &&
		    (r = fcntl(fd, F_DUPFD_CLOEXEC, fd_floor)) >= 0) {
			(void)close(fd);
			fd = r;
		}
		if (fd < 0 ||
		    (i == DIRFD_MAX && (i = victim(pin, *npin)) < 0)) {
			if (fd >= 0)
				(void)close(fd);
			else if (errno == ESTALE && prev >= 0)
				/* the parent's directory is gone at the
				 * server: good no more, reopened at the
				 * next call (not closed: a caller may hold
				 * it for the other name of a rename) */
				ents[prev].parent = -2;
			free(d);
			return -1;
		}
		e = &ents[i];
		ent_close(e);
		e->path = d;
		e->len = lv[k];
		e->fd = fd;
		e->parent = prev;
		e->gen = ++gens;
		e->pgen = prev >= 0 ? ents[prev].gen : 0;
		e->at = e->used = now;
		pin[(*npin)++] = prev = i;
	}
	return prev;
}

/* at - sl_dirfd_at, with the pins and the clock of a call that names two
 * paths; *fell set if path is under a spool but goes by path */
static int
at(const char *path, const char **rel, long long now, int *pin, int *npin,
    int *fell)
{
	size_t	lv[LEVELS];
	int	m, i;

	*rel = path;
	if (path == NULL || nroots == 0 || (m = fixed(path, lv)) == 0)
		return AT_FDCWD;
	if ((i = chain(path, lv, m, now, pin, npin)) < 0) {
		*fell = 1;
		return AT_FDCWD;
	}
	*rel = path + lv[m - 1] + 1;
	return ents[i].fd;
}

/*
 * sl_dirfd_at - a descriptor and a name relative to it for path: the
 * descriptor of path's deepest fixed ancestor and the rest, or AT_FDCWD
 * and path itself.  Never fails: if the ancestor cannot be opened, the
 * call by path reports whatever is wrong.
 */
int
sl_dirfd_at(const char *path, const char **rel)
{
	int	pin[LEVELS], npin = 0, fell = 0;

	return at(path, rel, sl_mono_ms(), pin, &npin, &fell);
}

/* sl_dirfd_forget - close the descriptors of path and of the directories
 * under it (it was renamed or removed) */
void
sl_dirfd_forget(const char *path)
{
	size_t	i, n;

	if (path == NULL)
		return;
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	for (i = 0; i < DIRFD_MAX; i++)
		if (ents[i].path != NULL && ents[i].len >= n &&
		    memcmp(ents[i].path, path, n) == 0 &&
		    (ents[i].len == n || ents[i].path[n] == '/'))
			ent_close(&ents[i]);
}

/* sl_dirfd_floor - keep descriptors from lowfd up (at least 3): an agent,
 * whose pipe goes on 3 and a keeper's channel on 4, first thing.  Any kept
 * below it is closed (opened again above it when next used) */
void
sl_dirfd_floor(int lowfd)
{
	size_t	i;

	fd_floor = lowfd > 3 ? lowfd : 3;
	for (i = 0; i < DIRFD_MAX; i++)
		if (ents[i].path != NULL && ents[i].fd < fd_floor)
			ent_close(&ents[i]);
}

/* sl_dirfd_drop_below - forget without closing the descriptors numbered
 * below lowfd: the caller is about to replace or close those numbers */
void
sl_dirfd_drop_below(int lowfd)
{
	size_t	i;

	for (i = 0; i < DIRFD_MAX; i++)
		if (ents[i].path != NULL && ents[i].fd < lowfd) {
			free(ents[i].path);
			ents[i].path = NULL;
		}
}

/* sl_dirfd_drop - forget every descriptor without closing it: the caller
 * is about to close them all (close_range) or has */
void
sl_dirfd_drop(void)
{
	sl_dirfd_drop_below(INT_MAX);
}

/* sl_dirfd_closefrom - close every descriptor from lowfd up but the ones
 * kept here (close_range between them) */
void
sl_dirfd_closefrom(int lowfd)
{
	sl_dirfd_closefrom_but(lowfd, -1);
}

/* sl_dirfd_closefrom_but - the same, sparing spare too (-1: none): a
 * keeper's channel to its warm recorder (supervise.c) */
void
sl_dirfd_closefrom_but(int lowfd, int spare)
{
	int	fd[DIRFD_MAX + 1], n = 0, i, j, t;
	unsigned from = (unsigned)lowfd;

	sl_dirfd_drop_below(lowfd);
	for (i = 0; i <= DIRFD_MAX; i++) {
		t = i < DIRFD_MAX ? (ents[i].path != NULL ? ents[i].fd : -1) :
		    spare;
		if (t < lowfd)
			continue;
		for (j = n++; j > 0 && fd[j - 1] > t; j--)
			fd[j] = fd[j - 1];
		fd[j] = t;
	}
	for (i = 0; i < n; i++) {
		t = fd[i];
		if ((unsigned)t > from)
			(void)close_range(from, (unsigned)t - 1, 0);
		from = (unsigned)t + 1;
	}
	(void)close_range(from, ~0U, 0);
}

/* sl_dirfd_count - descriptors kept (tests) */
int
sl_dirfd_count(void)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < DIRFD_MAX; i++)
		n += ents[i].path != NULL;
	return n;
}

/* ---- the calls, by path, walked from a fixed directory ---- */

/*
 * Each call is made once through the descriptors; if one of them was
 * stale (ESTALE: another host removed its directory, on NFS), every
 * descriptor is closed and the call made again, by fresh ones: the
 * server refused the first, so nothing was done twice.  A descriptor of a
 * directory removed on this host (ENOENT) is what the path would have
 * reached within the window (see the top).
 */
#define ONE(path, r, call) do {						\
	const char *rel;						\
	int	fd = sl_dirfd_at((path), &rel);				\
									\
	if (((r) = (call)) < 0 && errno == ESTALE && fd != AT_FDCWD) {	\
		sl_dirfd_flush();					\
		fd = sl_dirfd_at((path), &rel);				\
		(r) = (call);						\
	}								\
} while (0)

int
sl_open(const char *path, int flags, ...)
{
	mode_t	mode = 0;
	va_list	ap;
	int	r;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	ONE(path, r, openat(fd, rel, flags, mode));
	return r;
}

static int
fstatat_(const char *path, struct stat *st, int flags)
{
	int	r;

	ONE(path, r, fstatat(fd, rel, st, flags));
	return r;
}

int
sl_lstat(const char *path, struct stat *st)
{
	return fstatat_(path, st, AT_SYMLINK_NOFOLLOW);
}

int
sl_stat(const char *path, struct stat *st)
{
	return fstatat_(path, st, 0);
}

DIR *
sl_opendir(const char *path)
{
	DIR    *d;
	int	fd, saved;

	if ((fd = sl_open(path, O_RDONLY | O_NONBLOCK | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		saved = errno;
		(void)close(fd);
		errno = saved;
	}
	return d;
}

static int
unlinkat_(const char *path, int flags)
{
	int	r;

	ONE(path, r, unlinkat(fd, rel, flags));
	return r;
}

int
sl_unlink(const char *path)
{
	return unlinkat_(path, 0);
}

int
sl_rmdir(const char *path)
{
	if (unlinkat_(path, AT_REMOVEDIR) < 0)
		return -1;
	sl_dirfd_forget(path);
	return 0;
}

/*
 * two - a rename or a link: both names found at one instant, the first's
 * descriptors pinned while the second's are found.  If either name under
 * a spool could not be found by descriptors, both go by path: one by a
 * descriptor of a pool another process deleted and one by the path, which
 * reaches the pool made again under its name, could move a run of the new
 * pool into the old one's trash (test_dirfd_mixed).
 */
static int
two(const char *from, const char *to, int link)
{
	const char *rf, *rt;
	long long now;
	int	pin[2 * LEVELS], npin, ff, tf, r, fell, tries;

	for (tries = 0;; tries++) {
		npin = fell = 0;
		now = sl_mono_ms();
		ff = at(from, &rf, now, pin, &npin, &fell);
		tf = at(to, &rt, now, pin, &npin, &fell);
		if (fell) {
			ff = tf = AT_FDCWD;
			rf = from;
			rt = to;
		}
		r = link ? linkat(ff, rf, tf, rt, 0) : renameat(ff, rf, tf, rt);
		if (r == 0 || errno != ESTALE || tries > 0 ||
		    (ff == AT_FDCWD && tf == AT_FDCWD))
			return r;
		/* a stale descriptor: the server refused; once more, by
		 * fresh ones */
		sl_dirfd_flush();
	}
}

int
sl_rename(const char *from, const char *to)
{
	if (two(from, to, 0) < 0)
		return -1;
	/* what was at from is at to now, and to's old directory (an empty
	 * one a rename may replace) is gone */
	sl_dirfd_forget(from);
	sl_dirfd_forget(to);
	return 0;
}

int
sl_link(const char *from, const char *to)
{
	return two(from, to, 1);
}

int
sl_mkdir(const char *path, mode_t mode)
{
	int	r;

	ONE(path, r, mkdirat(fd, rel, mode));
	if (r == 0)
		sl_dirfd_forget(path);	/* made again: not an old opening */
	return r;
}
