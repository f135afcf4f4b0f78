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
 * The three namespace calls go through sl_sys so that tests can make a call
 * succeed and then report the error a retransmission would have returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice.h"

struct sl_sysops sl_sys = { rename, link, mkdir };

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
	if (lstat(from, &st) < 0 && errno == ENOENT && lstat(to, &st) == 0)
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
	if (lstat(from, &a) == 0 && lstat(to, &b) == 0 &&
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
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = saved == EEXIST ? ENOTDIR : saved;
		return -1;
	}
	errno = saved;
	return -1;
}

/* sl_mkdirs - mkdir -p */
int
sl_mkdirs(const char *path, mode_t mode)
{
	char   *p, *s;
	struct stat st;
	int	rc = 0;

	/* the common case, the directory is there: one call, not one per
	 * component of the path */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	p = sl_xstrdup(path);
	for (s = p + 1; *s != '\0' && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		rc = sane_mkdir(p, mode);
		*s = '/';
	}
	if (rc == 0)
		rc = sane_mkdir(p, mode);
	free(p);
	return rc;
}

/* sl_write_tmp - create tmp exclusively, write, fsync, close: all checked */
int
sl_write_tmp(const char *tmp, const void *data, size_t len, mode_t mode)
{
	const char *p = data;
	ssize_t	n;
	int	fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0)
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
	unlink(tmp);
	errno = saved;
	return -1;
}

/* sl_fsync_dir - make a directory's new entries durable (best effort) */
int
sl_fsync_dir(const char *dir)
{
	int	fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
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
	if (unlink(tmp) < 0 && errno != ENOENT)
		sl_warn("cannot remove scratch file %s: %s", tmp, strerror(errno));
	if (rc == 0)
		fsync_parent(to);
	errno = saved;
	return rc;
}

/* sl_publish_rename - publish, replacing what the name held */
int
sl_publish_rename(const char *tmp, const char *to, const void *data, size_t len)
{
	int	saved;

	if (sl_write_tmp(tmp, data, len, 0644) < 0)
		return -1;
	if (sane_rename(tmp, to) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	fsync_parent(to);
	return 0;
}

/* sl_read_file - a whole regular file, at most max bytes, NUL-terminated */
ssize_t
sl_read_file(const char *path, char **out, size_t max)
{
	struct stat st;
	size_t	cap, len = 0;
	char   *buf;
	ssize_t	n;
	int	fd, saved;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	cap = (size_t)st.st_size + 1;
	buf = sl_xmalloc(cap + 1);
	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(buf);
			errno = saved;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			free(buf);
			errno = EFBIG;
			goto fail;
		}
		if (len == cap) {
			cap *= 2;
			buf = sl_xrealloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return (ssize_t)len;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* sl_rmtree - rm -rf; a name that vanished meanwhile is not an error */
int
sl_rmtree(const char *path)
{
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		return -1;
	return 0;
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
