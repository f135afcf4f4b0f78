/*
 * sched.c - a queue's sched/ in time buckets (spool-layout.md, "Time
 * buckets of sched/").
 *
 * A Scheduled run is sched/B/T.U.ID, where B, its bucket, is the first 15
 * hex digits of its token: T >> 4, the 16 seconds its scheduled time falls
 * in.  A bucket's name sorts as its time, and every token in it begins
 * with that name, so the earliest runs of a queue are in its first
 * buckets: a claim reads sched/ (a few names per minute of schedule) and
 * the buckets at its head, never the whole queue.  One directory of
 * 100,000 runs costs ext4 35 ms to read; a bucket holds what 16 seconds
 * of submits made.
 *
 * The algorithm:
 *   put:	rename(from, sched/B/TOKEN); on ENOENT (no bucket), mkdir
 *		sched/B (EEXIST: another made it) and rename again, a few
 *		times (a prune may remove the bucket in between).  Root, in
 *		a sched/ the spool's owner owns, makes the bucket privately
 *		and gives it to the owner before it is in place.  Durable:
 *		fsync of B, and of sched/ when the bucket was made here.
 *   find:	lstat sched/B/TOKEN, then sched/TOKEN.
 *   list:	sched/ itself (runs of writers from before buckets, which
 *		put every run there: still read, still claimed), then each
 *		bucket in time order.
 *   migrate:	cleanup (once a heartbeat) puts such runs into their
 *		buckets, and says so in the log.
 *   prune:	rmdir of a bucket found empty whose 16 seconds have ended.
 *		RACE: rmdir fails on a directory that is not empty, and a
 *		rename into a bucket just removed fails with ENOENT and
 *		makes it again (put), so neither loses a run; the current
 *		bucket is not pruned, so a submit of a run due now races a
 *		prune only across a clock skew (and then costs a mkdir, not
 *		a run).  Not later: every pass reads the empty buckets
 *		before its head until they go (an open and a read each).
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


/* a put tries its rename this many times against prunes */
#define PUT_TRIES	8

/* a bucket is pruned only when its time ended this long ago (seconds) */
#define PRUNE_AGE	0

/* sl_bucket_ok - is name a bucket's: exactly 15 lowercase hex digits? */
int
sl_bucket_ok(const char *name)
{
	size_t	i;

	for (i = 0; i < SL_BUCKET_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return name[SL_BUCKET_LEN] == '\0';
}

/* sl_bucket_of - the bucket of a token (its first 15 hex digits) */
void
sl_bucket_of(const char *token, char out[SL_BUCKET_LEN + 1])
{
	memcpy(out, token, SL_BUCKET_LEN);
	out[SL_BUCKET_LEN] = '\0';
}

/* sl_bucket_time - the first second a bucket holds */
time_t
sl_bucket_time(const char *bucket)
{
	return (time_t)(strtoull(bucket, NULL, 16) << 4);
}

/* sl_sched_run - sched/B/TOKEN of queue q: where a run of token is put */
char *
sl_sched_run(const struct sl_spool *sp, const char *pool, const char *q,
    const char *token)
{
	char	b[SL_BUCKET_LEN + 1];

	sl_bucket_of(token, b);
	return sl_place(sp, SL_PL_SCHED, pool, q, b, token, (char *)NULL);
}

/*
 * make_bucket - make bucket bd of sched/ sd: 1 made here, 0 made by
 * another (EEXIST), -1 error.  Root, in a sched/ another user owns (the
 * spool's owner, whose own submits put runs here too), makes it under a
 * private name (.bucket.E.UUID), gives it to that owner with mode 0755
 * through a descriptor opened without following a link, and renames it
 * into place: a bucket is never root's, not for a moment, not after a
 * kill, whatever root's umask.
 */
static int
make_bucket(const char *bd, const char *sd)
{
	struct stat st;
	char	u[SL_UUID_LEN + 1], name[80], *priv;
	int	fd, rc = -1, saved;

	if (geteuid() != 0 || sl_stat(sd, &st) < 0 || st.st_uid == 0) {
		if (sl_sys.mkdir(bd, 0755) == 0)
			return 1;
		if (errno == EEXIST)
			return 0;
		return errno == ENOENT && sl_mkdirs(bd, 0755) == 0 ? 1 : -1;
	}
	if (sl_uuid(u) < 0)
		return -1;
	snprintf(name, sizeof(name), ".bucket.%016llx.%s",
	    (unsigned long long)time(NULL), u);
	priv = sl_path(sd, name, (char *)NULL);
	if (sane_mkdir(priv, 0700) < 0) {	/* a fresh name: ours if there */
		free(priv);
		return -1;
	}
	if ((fd = sl_open(priv, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) >= 0 && fchown(fd, st.st_uid, st.st_gid) == 0 &&
	    fchmod(fd, 0755) == 0)
		rc = 0;
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc == 0) {
		/* RACE: another made the bucket and put runs in it (EEXIST,
		 * ENOTEMPTY): ours goes; one still empty is replaced by ours,
		 * which is the same to every path-based put */
		if (sane_rename(priv, bd) == 0)	/* a lost reply: done */
			rc = 1;
		else if (errno != EEXIST && errno != ENOTEMPTY) {
			saved = errno;
			rc = -1;
		}
	}
	if (rc != 1)
		(void)sl_rmdir(priv);
	free(priv);
	errno = saved;
	return rc;
}

/*
 * sl_sched_put - rename the run directory from into sched/ sd as token,
 * in its bucket, making the bucket if it is missing.  durable: fsync of
 * the bucket (and of sd when the bucket was made here).  0, or -1 with
 * errno the rename's (or the mkdir's).
 */
int
sl_sched_put(const char *from, const char *sd, const char *token,
    int durable)
{
	char	b[SL_BUCKET_LEN + 1], *bd, *to;
	int	made = 0, tries, rc = -1, saved = 0, m;

	sl_bucket_of(token, b);
	bd = sl_path(sd, b, (char *)NULL);
	to = sl_path(bd, token, (char *)NULL);
	for (tries = 0; tries < PUT_TRIES; tries++) {
		if (sane_rename(from, to) == 0) {
			rc = 0;
			break;
		}
		saved = errno;
		/* ENOENT: from is gone (someone else moved it: the caller's
		 * to judge) or the bucket is: make it, try again.  RACE:
		 * another putter may make it first (EEXIST: fine), a prune
		 * remove it again before our rename (the next try makes it
		 * again); a cached lstat could tell neither, so none is
		 * asked */
		if (saved != ENOENT || !sl_exists(from))
			break;
		if ((m = make_bucket(bd, sd)) < 0) {
			saved = errno;
			break;
		}
		made |= m;
	}
	if (rc == 0 && durable) {
		(void)sl_fsync_dir(bd);
		if (made)
			(void)sl_fsync_dir(sd);
	}
	free(bd);
	free(to);
	if (rc < 0)
		errno = saved;
	return rc;
}

/* count_in - the entries of dir/name not starting with a dot */
static long
count_in(const char *dir, const char *name)
{
	struct dirent *de;
	char   *p = sl_path(dir, name, (char *)NULL);
	long	n = 0;
	DIR    *d;

	if ((d = sl_opendir(p)) != NULL) {
		while ((de = readdir(d)) != NULL)
			n += de->d_name[0] != '.';
		closedir(d);
	}
	free(p);
	return n;
}

/* is_private - is name a bucket being made (.bucket.E.UUID)? */
static int
is_private(const char *name)
{
	return strncmp(name, ".bucket.", 8) == 0 && strlen(name) == 8 + 16 +
	    1 + SL_UUID_LEN && sl_hex_ok(name + 8, 16);
}

/* is_dir - is path a directory (not a link to one)? */
static int
is_dir(const char *path)
{
	struct stat st;

	return sl_lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * sl_sched_find - where the run of token is in sched/ sd: its bucket, or
 * sd itself (a writer from before buckets).  NULL: in neither.
 */
char *
sl_sched_find(const char *sd, const char *token)
{
	char	b[SL_BUCKET_LEN + 1], *p;

	sl_bucket_of(token, b);
	p = sl_path(sd, b, token, (char *)NULL);
	if (is_dir(p))
		return p;
	free(p);
	p = sl_path(sd, token, (char *)NULL);
	if (is_dir(p))
		return p;
	free(p);
	return NULL;
}

/*
 * sl_sched_read - sched/ sd, read once: its buckets whose 16 seconds
 * meet [t0, t1] (t1 == 0: all), as paths in time order, into *dirs; and,
 * if flat is not NULL, the tokens in sd itself (runs of writers from
 * before buckets), unsorted, into *flat.  0, or -1 if sd cannot be read
 * (ENOENT: nothing in it, 0).
 */
int
sl_sched_read(const char *sd, time_t t0, time_t t1, char ***dirs,
    size_t *nd, char ***flat, size_t *nf)
{
	struct dirent *de;
	char  **v = NULL, **f = NULL;
	size_t	k = 0, kcap = 0, j = 0, jcap = 0;
	time_t	bt;
	DIR    *d;

	*dirs = NULL;
	*nd = 0;
	if (flat != NULL) {
		*flat = NULL;
		*nf = 0;
	}
	if ((d = sl_opendir(sd)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (sl_bucket_ok(de->d_name)) {
			bt = sl_bucket_time(de->d_name);
			if (t1 != 0 && (bt + 15 < t0 || bt > t1))
				continue;
			if (k == kcap) {
				kcap = kcap ? 2 * kcap : 16;
				v = sl_xrealloc(v, kcap * sizeof(*v));
			}
			v[k++] = sl_path(sd, de->d_name, (char *)NULL);
		} else if (flat != NULL && sl_is_token(de->d_name)) {
			if (j == jcap) {
				jcap = jcap ? 2 * jcap : 16;
				f = sl_xrealloc(f, jcap * sizeof(*f));
			}
			f[j++] = sl_xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (k > 1)
		qsort(v, k, sizeof(*v), sl_strcmp_p);
	*dirs = v;
	*nd = k;
	if (flat != NULL) {
		*flat = f;
		*nf = j;
	}
	return 0;
}

/*
 * sl_sched_dirs - the directories of sched/ sd that may hold runs: sd
 * first, then its buckets in time order; with t1 != 0 only the buckets
 * whose 16 seconds meet [t0, t1].  0, or -1 if sd cannot be read (ENOENT:
 * sd alone, which its readers find empty).
 */
int
sl_sched_dirs(const char *sd, time_t t0, time_t t1, char ***out, size_t *n)
{
	char  **v;
	size_t	k;

	if (sl_sched_read(sd, t0, t1, &v, &k, NULL, NULL) < 0) {
		*out = NULL;
		*n = 0;
		return -1;
	}
	*out = sl_xmalloc((k + 1) * sizeof(**out));
	(*out)[0] = sl_xstrdup(sd);
	if (k > 0)
		memcpy(*out + 1, v, k * sizeof(*v));
	free(v);
	*n = k + 1;
	return 0;
}

/*
 * sl_sched_prune - remove bucket directory bd, found empty, if its time
 * ended PRUNE_AGE ago (see the top of this file for why that is safe).
 */
void
sl_sched_prune(const char *bd, time_t now)
{
	const char *b = strrchr(bd, '/');

	b = b == NULL ? bd : b + 1;
	if (!sl_bucket_ok(b) || sl_bucket_time(b) + 16 + PRUNE_AGE > now)
		return;
	/* RACE: a run renamed in since we read it makes rmdir fail
	 * (ENOTEMPTY, EEXIST): then the bucket is not empty, as it should */
	(void)sl_rmdir(bd);
}

/*
 * sl_sched_migrate - put the runs in sched/ sd itself (a writer from
 * before buckets put them there) into their buckets.  Returns how many
 * were moved.  RACE: a claimer may take such a run meanwhile: our rename
 * then fails with its source gone, and the run is the claimer's; a
 * claimer that listed it in sd finds it gone and lists again.
 */
long
sl_sched_migrate(const char *sd)
{
	char  **v, *from;
	size_t	n, i;
	long	moved = 0;

	if (sl_list_names(sd, sl_is_token, &v, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		from = sl_path(sd, v[i], (char *)NULL);
		if (is_dir(from) && sl_sched_put(from, sd, v[i], 0) == 0)
			moved++;
		free(from);
	}
	sl_strv_free(v, n);
	/* a bucket root was making under a private name when it was
	 * killed (make_bucket): empty, and older than any making */
	if (sl_list_names(sd, is_private, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			if ((time_t)strtoull(v[i] + 8, NULL, 16) >
			    time(NULL) - 600)
				continue;
			from = sl_path(sd, v[i], (char *)NULL);
			(void)sl_rmdir(from);
			free(from);
		}
		sl_strv_free(v, n);
	}
	return moved;
}

/*
 * sl_sched_count - the entries of sched/ sd and of its buckets, not the
 * buckets themselves (an empty one waits to be pruned), nor names
 * starting with a dot: what a queue still holds.  One listing of sd, so
 * a bucket pruned meanwhile is counted once or not at all, never
 * subtracted.
 */
long
sl_sched_count(const char *sd)
{
	struct dirent *de;
	long	n = 0;
	DIR    *d;

	if ((d = sl_opendir(sd)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (sl_bucket_ok(de->d_name))
			n += count_in(sd, de->d_name);
		else
			n++;
	}
	closedir(d);
	return n;
}
