/*
 * fsop.c - defensive file primitives (after Postfix's sane_rename and
 * sane_link, and Maildir's "NFS-writing").
 *
 * Over NFS a rename, link or mkdir that the server carried out can still
 * report failure: the reply was lost, the client retransmitted, and the
 * server, no longer remembering the request, answers ENOENT or EEXIST.  So
 * after every failure we look at what is really on disk before believing
 * the error.  That is only unambiguous when the target name is one nobody
 * else could have made; callers arrange that (spool-layout.md, "names").
 *
 * Publishing is: write a private name, fsync, close (all checked: close is
 * where NFS reports a failed write-back), then one namespace operation puts
 * the complete file under its public name.  A reader never sees a partial
 * file under a public name.
 *
 * The namespace calls go through sl_sys so that tests can make a call
 * succeed and then report the error a retransmission would have returned
 * (or fail a create that is a file's publication: a lease's, below).
 * Whatever we look at after a failure, the failure's own errno is what the
 * caller gets.
 *
 * Trees are removed by directory descriptors, never by path (sl_rmtree,
 * below): users own parts of the trees root removes.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice.h"

static int
create(const char *path, int flags, mode_t mode)
{
	return sl_open(path, flags, mode);
}

struct sl_sysops sl_sys = { sl_rename, sl_link, sl_mkdir, create };

/* sl_exists - is there anything (a link counts, unfollowed) at path? */
int
sl_exists(const char *path)
{
	struct stat st;

	return sl_lstat(path, &st) == 0;
}

/* sane_rename - rename, believing a failure only if nothing moved */
int
sane_rename(const char *from, const char *to)
{
	struct stat st;
	int	saved;

	if (sl_sys.rename(from, to) == 0)
		return 0;
	saved = errno;
	/* RACE: from is gone and to exists: the rename was carried out and its
	 * reply lost.  Safe because callers rename only names they own. */
	if (sl_lstat(from, &st) < 0 && errno == ENOENT &&
	    sl_lstat(to, &st) == 0) {
		sl_dirfd_forget(from);	/* as sl_rename does */
		sl_dirfd_forget(to);
		return 0;
	}
	errno = saved;
	return -1;
}

/*
 * sl_rename_into - sane_rename of from to to, in directory dir, which is
 * made only when the rename failed for want of it: dir is there nearly
 * always, and a look before each move (sl_mkdirs) is one more lookup, a
 * network round trip on NFS, per move for nothing.  ENOENT with from
 * still there and dir missing is the case; any other failure is the
 * rename's, errno as it said.
 */
int
sl_rename_into(const char *from, const char *to, const char *dir)
{
	int	saved;

	if (sane_rename(from, to) == 0)
		return 0;
	saved = errno;
	if (saved != ENOENT || !sl_exists(from) || sl_exists(dir)) {
		errno = saved;
		return -1;
	}
	if (sl_mkdirs(dir, 0755) < 0)
		return -1;
	return sane_rename(from, to);
}

/*
 * sl_mkdir_new - make directory path, a new name (a fresh UUID in it, or
 * one a create inside it has just found missing: a new ids/XX/), and its
 * parents if they are missing: mkdir first, not a look first (sane_mkdir
 * takes an EEXIST of a directory another made meanwhile for done)
 */
int
sl_mkdir_new(const char *path, mode_t mode)
{
	if (sane_mkdir(path, mode) == 0)
		return 0;
	return errno == ENOENT ? sl_mkdirs(path, mode) : -1;
}

/* sane_renameat - sane_rename of names relative to directory descriptors */
int
sane_renameat(int fromfd, const char *from, int tofd, const char *to)
{
	struct stat st;
	int	saved;

	if (renameat(fromfd, from, tofd, to) == 0)
		return 0;
	saved = errno;
	/* RACE: as in sane_rename: callers rename only names they own */
	if (fstatat(fromfd, from, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT && fstatat(tofd, to, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	errno = saved;
	return -1;
}

/* sane_link - link, believing a failure only if the names differ */
int
sane_link(const char *from, const char *to)
{
	struct stat a, b;
	int	saved;

	if (sl_sys.link(from, to) == 0)
		return 0;
	saved = errno;
	/* RACE: both names are one inode: the link was made and its reply
	 * lost.  Filesystems without stable inode numbers (sshfs) fail this
	 * check; callers that must know look at the content (sl_pool_update). */
	if (sl_lstat(from, &a) == 0 && sl_lstat(to, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return 0;
	errno = saved;
	return -1;
}

/* sane_mkdir - make sure a directory exists */
int
sane_mkdir(const char *path, mode_t mode)
{
	struct stat st;
	int	saved;

	if (sl_sys.mkdir(path, mode) == 0)
		return 0;
	saved = errno;
	/* RACE: someone else made it, or we did and the reply was lost:
	 * either way it is there, which is all this function promises. */
	if (sl_stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = saved == EEXIST ? ENOTDIR : saved;
		return -1;
	}
	/* "exists" but cannot be looked at (a network filesystem that lost
	 * its server, a stale handle): the lookup's error is the real one */
	if (saved != EEXIST)
		errno = saved;
	return -1;
}

/* sl_mkdirs - mkdir -p */
int
sl_mkdirs(const char *path, mode_t mode)
{
	char   *p, *s;
	struct stat st;
	int	rc;

	/* the common case, the directory is there: one call, not one per
	 * component of the path */
	if (sl_stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	/* then the leaf; only if its parent is missing, the parent first
	 * (and so on up): a new directory costs one mkdir, not one per
	 * component of its path */
	if (sane_mkdir(path, mode) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	p = sl_xstrdup(path);
	s = p + strlen(p);
	while (s > p && s[-1] == '/')	/* trailing slashes */
		s--;
	while (s > p && s[-1] != '/')	/* the leaf */
		s--;
	while (s > p && s[-1] == '/')	/* the slashes before it */
		s--;
	if (s == p) {		/* "x" or "/x": no parent left to make */
		free(p);
		errno = ENOENT;
		return -1;
	}
	*s = '\0';
	rc = sl_mkdirs(p, mode);
	free(p);
	return rc < 0 ? -1 : sane_mkdir(path, mode);
}

/* sl_write_all - all len bytes of data to fd, through short writes and
 * EINTR: 0, or -1 with errno */
int
sl_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * sl_create_fresh - create name in directory dirfd (AT_FDCWD: name is a
 * path) for writing, exclusively and never through a symlink; a scratch
 * name its writer owns (its pid, a directory private to it) that a killed
 * namesake left is removed and the create tried once more.  A
 * descriptor, or -1 with errno.
 */
int
sl_create_fresh(int dirfd, const char *name, mode_t mode)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int	fd;

	if ((fd = openat(dirfd, name, fl, mode)) >= 0 || errno != EEXIST ||
	    unlinkat(dirfd, name, 0) < 0)
		return fd;
	return openat(dirfd, name, fl, mode);
}

/* write_tmp - create tmp exclusively, write, fsync if sync, close: all
 * checked (close is where NFS reports a failed write-back); on failure
 * tmp is removed unless keep */
static int
write_tmp(const char *tmp, const void *data, size_t len, mode_t mode, int sync,
    int keep)
{
	int	fd, saved;

	fd = sl_sys.create(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (sl_write_all(fd, data, len) < 0)
		goto fail;
	if (sync && fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (!keep)
		sl_unlink(tmp);
	errno = saved;
	return -1;
}

/* sl_write_tmp - create tmp exclusively, write, fsync, close: all checked */
int
sl_write_tmp(const char *tmp, const void *data, size_t len, mode_t mode)
{
	return write_tmp(tmp, data, len, mode, 1, 0);
}

/* sl_write_tmp_nosync - the same without the fsync: whole once renamed,
 * not durable (spool-layout.md, "What each fsync keeps") */
int
sl_write_tmp_nosync(const char *tmp, const void *data, size_t len,
    mode_t mode)
{
	return write_tmp(tmp, data, len, mode, 0, 0);
}

/* sl_write_in_place - the same made under its public name, which must
 * not exist yet: a reader may see it part written (it must tell a whole
 * one, by a trailer), and a failure leaves what was written, cut short,
 * for the caller to replace whole (removing it by name could remove a
 * later writer's) */
int
sl_write_in_place(const char *path, const void *data, size_t len,
    mode_t mode)
{
	return write_tmp(path, data, len, mode, 0, 1);
}

/* sl_fsync_dir - make a directory's new entries durable (best effort) */
int
sl_fsync_dir(const char *dir)
{
	int	fd, rc;

	if ((fd = sl_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	/* Some filesystems cannot fsync a directory; that is not an error. */
	return rc < 0 && errno != EINVAL && errno != EROFS ? -1 : 0;
}

static void
fsync_parent(const char *path)
{
	char   *d = sl_xstrdup(path), *s = strrchr(d, '/');

	if (s != NULL) {
		*s = '\0';
		(void)sl_fsync_dir(*d ? d : "/");	/* durability only */
	}
	free(d);
}

/* sl_publish_link - publish under a name that must not exist yet */
int
sl_publish_link(const char *tmp, const char *to, const void *data, size_t len)
{
	int	rc, saved;

	if (sl_write_tmp(tmp, data, len, 0644) < 0)
		return -1;
	rc = sane_link(tmp, to);
	saved = errno;
	if (sl_unlink(tmp) < 0 && errno != ENOENT)
		sl_warn("cannot remove scratch file %s: %s", tmp, strerror(errno));
	if (rc == 0)
		fsync_parent(to);
	errno = saved;
	return rc;
}

/*
 * publish - write tmp, rename it to to; sync: fsync the file, then to's
 * directory.  tmp is a name in a directory only the caller writes (a run
 * it holds, its agent's registration), so a file already there is its
 * own, left by a killed predecessor: it is replaced, and only then (the
 * common case costs no unlink).
 */
static int
publish(const char *tmp, const char *to, const void *data, size_t len,
    int sync)
{
	int	saved;

	if (write_tmp(tmp, data, len, 0644, sync, 0) < 0 && (errno != EEXIST ||
	    sl_unlink(tmp) < 0 || write_tmp(tmp, data, len, 0644, sync, 0) < 0))
		return -1;
	if (sane_rename(tmp, to) < 0) {
		saved = errno;
		sl_unlink(tmp);
		errno = saved;
		return -1;
	}
	if (sync)
		fsync_parent(to);
	return 0;
}

/* sl_publish_rename - publish, replacing what the name held, durably */
int
sl_publish_rename(const char *tmp, const char *to, const void *data, size_t len)
{
	return publish(tmp, to, data, len, 1);
}

/*
 * sl_publish_nosync - publish, replacing what the name held, with no fsync
 * of the file or the directory: a reader sees the old file or the whole
 * new one, but a power cut may lose it (or leave it empty).  For files
 * whose loss a reader survives: leases, heartbeats, start and claim
 * records (spool-layout.md, "What each fsync keeps").
 */
int
sl_publish_nosync(const char *tmp, const char *to, const void *data,
    size_t len)
{
	return publish(tmp, to, data, len, 0);
}

/*
 * sl_read_fd - the whole regular file open on fd, at most max bytes,
 * NUL-terminated in *out; its fstat in *st (may be NULL).  The length, or
 * -1 with errno (EINVAL: not a regular file; EFBIG: over max, or it grew
 * over max while being read).  fd stays open.  A read that brings the
 * file to the size fstat said ends it: the spool's files are published
 * whole (by a rename, or, for `exit`, start.ini and a recorded end's
 * result.ini, written once where no reader depends on more than a
 * trailer or the directory's later rename) and never change after (a
 * last read to see end of file is one more round trip on a network
 * filesystem, for nothing); a file that grows is read to its end, as
 * before.
 */
ssize_t
sl_read_fd(int fd, char **out, size_t max, struct stat *st)
{
	struct stat st0;
	size_t	cap, len = 0;
	char   *buf;
	ssize_t	n;
	int	saved;

	*out = NULL;
	if (st == NULL)
		st = &st0;
	if (fstat(fd, st) < 0)
		return -1;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)st->st_size > max) {
		errno = EFBIG;
		return -1;
	}
	cap = (size_t)st->st_size + 1;
	buf = sl_xmalloc(cap + 1);
	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || len + (size_t)n > max) {
			saved = n < 0 ? errno : EFBIG;
			free(buf);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == (size_t)st->st_size && len < cap)
			break;	/* all fstat saw (above) */
		if (len == cap) {
			cap *= 2;
			buf = sl_xrealloc(buf, cap + 1);
		}
	}
	buf[len] = '\0';
	*out = buf;
	return (ssize_t)len;
}

/* sl_read_file - a whole regular file, at most max bytes, NUL-terminated */
ssize_t
sl_read_file(const char *path, char **out, size_t max)
{
	return sl_read_file_st(path, out, max, NULL);
}

/* sl_read_file_st - sl_read_file, and the fstat of the file read in *st
 * (may be NULL): one descriptor, opened with O_NOFOLLOW, for both */
ssize_t
sl_read_file_st(const char *path, char **out, size_t max, struct stat *st)
{
	ssize_t	n;
	int	fd, saved;

	*out = NULL;
	fd = sl_open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = sl_read_fd(fd, out, max, st);
	saved = errno;
	close(fd);
	errno = saved;
	return n;
}

/*
 * Tree removal (sl_rmtree), as rm -r does it when users own parts of the
 * tree: a user who owns a directory inside it (a queue's tmp/, a dropped
 * directory) can swap any of its subdirectories for a symbolic link at
 * any moment, so nothing is ever done by a path.  Every directory is
 * entered by openat(parent_fd, name, O_DIRECTORY|O_NOFOLLOW) from a
 * descriptor of its parent, and every name is removed by
 * unlinkat(parent_fd, name): a link is removed, never followed, whatever
 * it was a moment before.  A name that changes type between fstatat and
 * the action (ELOOP, ENOTDIR, EISDIR) is looked at again.  Another
 * filesystem mounted inside the tree is not entered (st_dev).  Depth is
 * bounded by descriptors held (RM_DEPTH): a directory deeper than that is
 * renamed, by descriptors, to the top of the tree and removed from there,
 * so any depth is removed with at most RM_DEPTH descriptors open.
 */
#define RM_DEPTH	32	/* directory descriptors held at most */
#define RM_PASSES	4	/* re-reads of a directory that keeps filling */
#define RM_TRIES	4	/* looks at a name that keeps changing type */
#define RM_HOISTS	100000	/* deep directories moved up, per removal */

void	(*sl_rmtree_hook)(int fd, const char *name);

struct rm {
	int	top;		/* the tree's top directory */
	dev_t	dev;		/* its filesystem */
	long	hoisted;	/* deep directories moved to top */
	int	err;		/* the first error */
};

static int rm_at(struct rm *, int pfd, const char *name, int depth);

/* rm_note - keep the first error, as -1 */
static int
rm_note(struct rm *rm, int e)
{
	if (rm->err == 0)
		rm->err = e;
	return -1;
}

/* rm_names - the entries of the directory open as d, but . and .. */
static char **
rm_names(DIR *d, size_t *n)
{
	struct dirent *de;
	char  **v = NULL;

	*n = 0;
	rewinddir(d);
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		v = sl_xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = sl_xstrdup(de->d_name);
	}
	return v;
}

/* rm_contents - empty the directory open as fd (fd is consumed) */
static int
rm_contents(struct rm *rm, int fd, int depth)
{
	char  **v;
	size_t	n, i;
	long	before;
	int	pass, rc = 0;
	DIR    *d;

	if ((d = fdopendir(fd)) == NULL) {
		rm_note(rm, errno);
		close(fd);
		return -1;
	}
	for (pass = 0; pass < RM_PASSES; pass++) {
		before = rm->hoisted;
		v = rm_names(d, &n);
		if (n == 0 && errno != 0)
			rc = rm_note(rm, errno);
		for (i = 0; i < n; i++) {
			if (sl_rmtree_hook != NULL)
				sl_rmtree_hook(dirfd(d), v[i]);
			if (rm_at(rm, dirfd(d), v[i], depth) < 0)
				rc = -1;
			free(v[i]);
		}
		free(v);
		if (n == 0 || rc < 0)
			break;
		/* the top re-reads as long as deep directories arrive */
		if (depth == 0 && rm->hoisted != before)
			pass = 0;
	}
	closedir(d);
	return rc;
}

/* rm_hoist - move the too deep directory pfd/name to the top of the tree */
static int
rm_hoist(struct rm *rm, int pfd, const char *name)
{
	char	id[SL_UUID_LEN + 1], to[64];

	if (rm->hoisted >= RM_HOISTS) {
		errno = ELOOP;
		return -1;
	}
	if (sl_uuid(id) < 0)
		return -1;
	snprintf(to, sizeof(to), ".deep.%s", id);
	/* RACE: the tree's owner may have swapped name meanwhile:
	 * whatever is there now moves, a link as a link, and stays in
	 * the tree */
	if (renameat(pfd, name, rm->top, to) < 0)
		return errno == ENOENT ? 0 : -1;
	rm->hoisted++;
	return 0;
}

/*
 * rm_at - remove pfd/name, whatever it is; a name gone already is not an
 * error.  depth: how many directories below the top pfd is.
 */
static int
rm_at(struct rm *rm, int pfd, const char *name, int depth)
{
	struct stat st;
	int	fd, tries, e = 0;

	for (tries = 0; tries < RM_TRIES; tries++) {
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 0 : rm_note(rm, errno);
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(pfd, name, 0) == 0 || errno == ENOENT)
				return 0;
			e = errno;
			/* RACE: the tree's owner made the name a directory
			 * since fstatat: look again */
			if (e == EISDIR || e == EPERM)
				continue;
			return rm_note(rm, e);
		}
		if (st.st_dev != rm->dev)	/* a mount point: not entered */
			return rm_note(rm, EXDEV);
		if (depth + 1 >= RM_DEPTH) {
			if (rm_hoist(rm, pfd, name) < 0)
				return rm_note(rm, errno);
			return 0;
		}
		fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd < 0) {
			e = errno;
			if (e == ENOENT)
				return 0;
			/* RACE: the tree's owner swapped the directory for a
			 * link or a file since fstatat: nothing was opened
			 * through it; look again */
			if (e == ELOOP || e == ENOTDIR)
				continue;
			return rm_note(rm, e);
		}
		if (fstat(fd, &st) < 0 || st.st_dev != rm->dev) {
			e = st.st_dev != rm->dev ? EXDEV : errno;
			close(fd);
			return rm_note(rm, e);
		}
		if (rm_contents(rm, fd, depth + 1) < 0)
			return -1;
		if (unlinkat(pfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		e = errno;
		/* RACE: its owner swapped it for something else after we
		 * emptied it (what we emptied is elsewhere now, and is
		 * still in the tree, under another name, or was moved
		 * out of it by its owner: not ours to follow), or filled
		 * it again: look again */
		if (e == ENOTDIR || e == ENOTEMPTY || e == EEXIST)
			continue;
		return rm_note(rm, e);
	}
	return rm_note(rm, e ? e : EAGAIN);
}

/*
 * sl_rmtree - rm -rf by descriptors (above); a name that vanished
 * meanwhile is not an error.  Only the parent of path is looked up by
 * path: callers pass a tree whose parent is the spool's own.
 */
int
sl_rmtree(const char *path)
{
	struct rm rm = { -1, 0, 0, 0 };
	struct stat st;
	char   *p = sl_xstrdup(path), *base, *s;
	const char *parent;
	int	pfd = -1, fd, rc = -1, entry = errno;

	for (s = p + strlen(p); s > p + 1 && s[-1] == '/'; s--)
		s[-1] = '\0';
	sl_dirfd_forget(p);	/* the tree's directories are going */
	if ((base = strrchr(p, '/')) == NULL) {
		parent = ".";
		base = p;
	} else {
		*base++ = '\0';
		parent = *p != '\0' ? p : "/";
	}
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		free(p);
		errno = EINVAL;
		return -1;
	}
	if ((pfd = sl_open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		goto out;
	}
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = unlinkat(pfd, base, 0) == 0 || errno == ENOENT ? 0 : -1;
		goto out;
	}
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : -1;
		goto out;
	}
	rm.dev = st.st_dev;
	if ((rm.top = dup(fd)) < 0) {
		close(fd);
		goto out;
	}
	rc = rm_contents(&rm, fd, 0);
	close(rm.top);
	if (rc == 0 && unlinkat(pfd, base, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	else if (rc < 0)
		errno = rm.err ? rm.err : EIO;
out:
	if (pfd >= 0) {
		int	saved = errno;

		close(pfd);
		errno = saved;
	}
	free(p);
	if (rc == 0)
		errno = entry;	/* success leaves errno as it was */
	return rc;
}

/*
 * sl_discard_tree - make a tree vanish at once, then remove it at leisure.
 * The rename is the atomic step; a crash after it leaves a dotted ".trash."
 * directory that readers ignore and sl_sweep removes.
 */
int
sl_discard_tree(const char *path, const char *trashdir)
{
	char	id[SL_UUID_LEN + 1], name[64], *to;
	int	rc;

	if (sl_uuid(id) < 0)
		return -1;
	snprintf(name, sizeof(name), ".trash.%s", id);
	to = sl_path(trashdir, name, (char *)NULL);
	if (sane_rename(path, to) < 0) {
		free(to);
		return -1;
	}
	rc = sl_rmtree(to);
	free(to);
	return rc;
}

/* ---- small files in a private directory ---- */

/*
 * sl_write_small - publish text as dir/name: written to dir/.name.tmp,
 * synced, renamed into place.  dir must be private to the caller (a run's
 * directory it holds), which makes the scratch name its own.
 */
int
sl_write_small(const char *dir, const char *name, const char *text)
{
	char   *tmp, *to, tname[64];
	int	rc;

	snprintf(tname, sizeof(tname), ".%s.tmp", name);
	tmp = sl_path(dir, tname, (char *)NULL);
	to = sl_path(dir, name, (char *)NULL);
	rc = sl_publish_rename(tmp, to, text, strlen(text));
	free(tmp);
	free(to);
	return rc;
}

/* sl_read_small - dir/name, up to 64 KiB, NUL-terminated; NULL if not */
char *
sl_read_small(const char *dir, const char *name)
{
	char   *p = sl_path(dir, name, (char *)NULL), *text = NULL;
	int	saved;

	if (sl_read_file(p, &text, 64 * 1024) < 0)
		text = NULL;
	saved = errno;		/* NULL: why (ENOENT: there is none) */
	free(p);
	errno = saved;
	return text;
}

/* A test seam: called before each step of a claim, an unclaim and a
 * finish, and in the exit recorder once it reaped the command; tests
 * exit in it to crash a move at every step. */
void	(*sl_claim_step)(const char *step);

void
sl_step(const char *what)
{
	if (sl_claim_step != NULL)
		sl_claim_step(what);
}

/*
 * sl_dir_refresh - make this host's next listing of dir come from the file
 * server: sshfs and the NFS client keep a directory's listing for seconds
 * (sshfs: 20), and drop it when this client changes the directory's
 * attributes.  Setting its times to now is such a change, one call, and
 * harms nothing: no reader here keys anything on sched/'s times.  Best
 * effort: a failure leaves the listing to expire on its own.
 */
void
sl_dir_refresh(const char *dir)
{
	/* a claimer may write in dir, which is all utimensat(NULL) needs;
	 * if it fails all the same, the cached listing expires in time */
	(void)utimensat(AT_FDCWD, dir, NULL, 0);
}

/* sl_same_dir - do two stats show one directory unchanged (the same
 * inode, its modification and change times to the nanosecond)? */
int
sl_same_dir(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* a_dir - is the entry de of dir a directory (a symlink to one too)? */
static int
a_dir(const char *dir, const struct dirent *de)
{
	struct stat st;
	char   *p;
	int	rc;

	if (de->d_type == DT_DIR)
		return 1;
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		return 0;
	p = sl_path(dir, de->d_name, (char *)NULL);
	/* RACE: it may vanish between readdir and stat; then it is simply
	 * not listed, as if we had listed later */
	rc = sl_stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return rc;
}

static int
list(const char *dir, int (*ok)(const char *), int dirs, char ***out,
    size_t *n)
{
	struct dirent *de;
	char  **v = NULL;
	size_t	k = 0;
	DIR    *d;

	*out = NULL;
	*n = 0;
	if ((d = sl_opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (!ok(de->d_name) || (dirs && !a_dir(dir, de)))
			continue;
		v = sl_xrealloc(v, (k + 1) * sizeof(*v));
		v[k++] = sl_xstrdup(de->d_name);
	}
	closedir(d);
	if (k > 1)
		qsort(v, k, sizeof(*v), sl_strcmp_p);
	*out = v;
	*n = k;
	return 0;
}

/* sl_list_names - the entries of dir that pass ok(), sorted; ENOENT is
 * empty */
int
sl_list_names(const char *dir, int (*ok)(const char *), char ***out,
    size_t *n)
{
	return list(dir, ok, 0, out, n);
}

/* sl_list_dirs - the same, of the entries that are directories */
int
sl_list_dirs(const char *dir, int (*ok)(const char *), char ***out,
    size_t *n)
{
	return list(dir, ok, 1, out, n);
}

/*
 * sl_list_quick - the names in dir that pass ok(), sorted (ENOENT: none),
 * listed again only when dir's inode or change times differ from those
 * at this process's last listing of it with this ok (a new or removed
 * entry changes them): one stat instead of a listing, for passes woken
 * often.  RACE: a filesystem with coarse times may show two changes in
 * one tick as one, and a network filesystem may cache a directory's times
 * as long as its listing; so only quick passes may use this: every
 * periodic rescan lists for real (a hint for speed, the rescan for
 * correctness).
 */
int
sl_list_quick(const char *dir, int (*ok)(const char *), char ***out,
    size_t *nout)
{
	static struct seen {
		char   *dir;
		int	(*ok)(const char *);
		struct stat st;
		char  **v;
		size_t	n;
	} *c;
	static size_t nc;
	struct stat st;
	size_t	i, j;

	*out = NULL;
	*nout = 0;
	if (sl_stat(dir, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < nc && (c[i].ok != ok || strcmp(c[i].dir, dir) != 0);
	    i++)
		;
	if (i == nc) {
		c = sl_xrealloc(c, (nc + 1) * sizeof(*c));
		memset(&c[nc], 0, sizeof(*c));
		c[nc].dir = sl_xstrdup(dir);
		c[nc++].ok = ok;
	} else if (sl_same_dir(&c[i].st, &st))
		goto copy;
	sl_strv_free(c[i].v, c[i].n);
	memset(&c[i].st, 0, sizeof(c[i].st));
	if (sl_list_names(dir, ok, &c[i].v, &c[i].n) < 0)
		return -1;
	/* the times from before the listing: a change during it shows
	 * next time, never hides */
	c[i].st = st;
copy:
	if (c[i].n == 0)
		return 0;
	*out = sl_xmalloc(c[i].n * sizeof(char *));
	for (j = 0; j < c[i].n; j++)
		(*out)[j] = sl_xstrdup(c[i].v[j]);
	*nout = c[i].n;
	return 0;
}
