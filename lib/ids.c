/*
 * ids.c - the id index (spool-layout.md, "The id index"): ids/XX/ID, one
 * small file per run saying where it was put (pool, queue, token), so that
 * a command given a whole id probes a few names instead of listing every
 * state directory of every pool.  XX is the id's first two hex digits.
 *
 * It is a hint, never the truth: written without fsync by whoever
 * publishes a run (a crash may lose it or leave it half written), left
 * stale by the moves that do not rewrite it, and writable by whoever can
 * write the spool.  A reader validates every field, opens it with
 * O_NOFOLLOW, and finds the run itself by name (run.c, find_hinted); a
 * hint that is missing, stale or wrong costs the full scan, nothing else.
 * Ownership always comes from the run's own files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice.h"

/* hint_dir - ids/XX of id (malloc'd) */
static char *
hint_dir(const struct sl_spool *sp, const char *id)
{
	char	xx[3];

	xx[0] = id[0];
	xx[1] = id[1];
	xx[2] = '\0';
	return sl_place(sp, SL_PL_IDS, NULL, NULL, xx, (char *)NULL);
}

/*
 * sl_idhint_write - record that the run named token (T.U.ID, or a bare
 * ID for a Rejected run) is in pool's queue; not fsynced (a hint).  A
 * new id's hint (a submit, an accepted drop) is made in place, O_EXCL,
 * with no scratch name and no rename: one rename a run fewer, a round
 * trip on a network filesystem.  One already there (a retry's new
 * token, a run made again) is replaced whole: written to .NAME in
 * ids/XX/, then renamed over ids/XX/ID.  RACE: a reader may find the new
 * hint empty or cut short; every field is validated (sl_idhint_read),
 * so it reads no hint and lists, as it would a moment earlier.  0
 * written, -1 not (the caller goes on: lookups fall back to listing).
 */
int
sl_idhint_write(const struct sl_spool *sp, const char *pool,
    const char *queue, const char *token)
{
	char	text[256], tname[SL_TOKEN_LEN + 2], *d, *tmp, *to;
	const char *id;
	ssize_t	len;
	int	rc;

	if (sl_token_parse(token, NULL, NULL) == 0)
		id = token + SL_TOKEN_LEN - SL_UUID_LEN;
	else if (sl_uuid_ok(token))
		id = token;
	else {
		errno = EINVAL;
		return -1;
	}
	len = snprintf(text, sizeof(text), "pool = %s\nqueue = %s\ntoken = %s\n",
	    pool, queue, token);
	snprintf(tname, sizeof(tname), ".%s", token);
	d = hint_dir(sp, id);
	tmp = sl_path(d, tname, (char *)NULL);
	to = sl_path(d, id, (char *)NULL);
	/* ids/XX/ is made by the first hint that needs it: mkdir, no stat
	 * first (the create said it is missing) */
	if ((rc = sl_write_in_place(to, text, (size_t)len, 0644)) < 0 &&
	    errno == ENOENT && sl_mkdir_new(d, 0755) == 0)
		rc = sl_write_in_place(to, text, (size_t)len, 0644);
	/* there already (or left cut short by a failed write: replaced, so
	 * that it does not send every lookup of the id to the listing) */
	if (rc < 0)
		rc = sl_publish_nosync(tmp, to, text, (size_t)len);
	free(d);
	free(tmp);
	free(to);
	return rc;
}

/*
 * sl_idhint_read - the hint for id, validated: names that are names, a
 * token that is a token and names this id (or the bare id).  A symbolic
 * link, anything but a regular file, an oversized or malformed file is no
 * hint.  0 and *h filled, -1 none.
 */
int
sl_idhint_read(const struct sl_spool *sp, const char *id,
    struct sl_idhint *h)
{
	char	text[512], tid[SL_UUID_LEN + 1], v[3][256], *d, *p;
	struct stat st;
	ssize_t	n;
	int	fd;

	if (!sl_uuid_ok(id))
		return -1;
	d = hint_dir(sp, id);
	p = sl_path(d, id, (char *)NULL);
	fd = sl_open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	free(d);
	free(p);
	if (fd < 0)
		return -1;
	n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size < (off_t)sizeof(text))
		n = read(fd, text, sizeof(text) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	sl_kv_get(text, "pool", v[0], sizeof(v[0]));
	sl_kv_get(text, "queue", v[1], sizeof(v[1]));
	sl_kv_get(text, "token", v[2], sizeof(v[2]));
	if (!sl_name_ok(v[0]) || !sl_name_ok(v[1]))
		return -1;
	if (sl_token_parse(v[2], NULL, tid) == 0 ? strcmp(tid, id) != 0 :
	    strcmp(v[2], id) != 0)
		return -1;
	memcpy(h->pool, v[0], sizeof(h->pool));
	memcpy(h->queue, v[1], sizeof(h->queue));
	memcpy(h->token, v[2], sizeof(h->token));
	return 0;
}

/* sl_idhint_remove - forget id's hint (its run is gone); best effort */
void
sl_idhint_remove(const struct sl_spool *sp, const char *id)
{
	char   *d, *p;

	if (!sl_uuid_ok(id))
		return;
	d = hint_dir(sp, id);
	p = sl_path(d, id, (char *)NULL);
	/* RACE: a run published again under this id meanwhile (a
	 * deployment's slot made anew) loses its hint: it is found by the
	 * full scan */
	(void)sl_unlink(p);
	free(d);
	free(p);
}
