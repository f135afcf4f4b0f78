/*
 * slot.c - concurrency slots: taking, releasing, listing and sweeping them
 * (spool-layout.md, "Slots").
 *
 * A limit of N is N slot names, pools/P/slots/SCOPE.K for K < N, where
 * SCOPE is "pool", "q.QUEUE" or "a.AGENT".  A slot is held while its
 * directory exists and is not empty; its one entry is named after the run
 * holding it and says claimed, agent and token.  To take a slot, a claimer
 * builds a private directory pools/P/tmp/.slot.UUID/RUN-ID and renames it
 * onto the slot name: rename() onto an existing non-empty directory fails,
 * onto a missing or empty one it succeeds, atomically, on every filesystem.
 * So at most N runs hold a scope's slots, whatever the number of claimers.
 * A slot is released by unlinking the run's own entry and removing the then
 * empty directory: an entry names its run, so a slow releaser never
 * releases a slot another run holds now.  A private .slot. directory a
 * claimer left by dying is swept here too (sl_slots_sweep), once it is
 * SL_STALE_LEASES leases old.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static char *
slots_dir(const struct sl_spool *sp, const char *pool)
{
	return sl_place(sp, SL_PL_SLOTS, pool, NULL, (char *)NULL);
}

/*
 * taken - is this slot held, as the file server sees it now?  rmdir asks
 * the server and removes nothing but an empty directory, which is a free
 * slot (a releaser's rmdir that lost a race leaves one; a rename replaces
 * it): so the slot is free if rmdir removed it or found nothing there,
 * held if anything else (ENOTEMPTY, EEXIST; sshfs says EPERM).  Not a
 * listing (held, below): on sshfs and NFS a directory's listing is cached
 * for seconds, and a host that went by it saw a slot another host keeps
 * re-taking as held at every look, and was starved of work while that
 * host kept the pool full (netfs_claim_race: 600 runs to 0).  One call,
 * where opendir/readdir/closedir take four.
 * RACE: a rename onto the slot may land just after our rmdir, or our
 * rmdir just after a releaser emptied it; either way the answer is a
 * hint and the rename of a take decides.
 */
static int
taken(const char *slot)
{
	if (sl_rmdir(slot) == 0 || errno == ENOENT)
		return 0;
	return 1;
}

/* held - is this slot directory held (there and not empty)? */
static int
held(const char *dir)
{
	struct dirent *de;
	int	n = 0;
	DIR    *d;

	if ((d = sl_opendir(dir)) == NULL)
		return 0;
	while (n == 0 && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n > 0;
}

/*
 * take_of - does the entry of run id in directory slot name the take u
 * (its "slot" line)?  1 yes, 0 no, -1 it cannot be read (errno; ENOENT:
 * there is none); read up to max bytes
 */
static int
take_of(const char *slot, const char *id, const char *u, size_t max)
{
	char   *e = sl_path(slot, id, (char *)NULL), *text, v[SL_UUID_LEN + 8];
	int	ours = -1, saved;

	if (sl_read_file(e, &text, max) >= 0) {
		sl_kv_get(text, "slot", v, sizeof(v));
		ours = strcmp(v, u) == 0;
		free(text);
	}
	saved = errno;
	free(e);
	errno = saved;
	return ours;
}

/*
 * renamed - after a failed rename of our private directory tmp onto slot:
 * 1 if it was carried out all the same (a lost reply: tmp is gone and
 * the slot holds the entry of this take, which names u), 0 if not (the
 * slot is another's: try the next), -1 if tmp is gone and the slot is
 * not ours (a sweeper took tmp for a stale leftover: we hold nothing).
 * Not sane_rename: "tmp gone, slot there" is also what a slot held by
 * another claimer of the same run looks like once tmp was swept, and
 * taking that for ours would give back the other's slot later.
 */
static int
renamed(const char *tmp, const char *slot, const char *id, const char *u)
{
	struct stat st;

	if (sl_lstat(tmp, &st) == 0 || errno != ENOENT)
		return 0;
	return take_of(slot, id, u, 64 * 1024) == 1 ? 1 : -1;
}

/*
 * sl_slot_take - hold one of the limit slots of scope for the run whose
 * token (T.U.ID) is given; the entry is named by the run's id and says
 * when, for which agent and under which token it was claimed.
 * 0 taken (*k its number), 1 all held, -1 error.
 */
int
sl_slot_take(const struct sl_spool *sp, const char *pool, const char *scope,
    long limit, const char *token, const char *agent, time_t now, long *k)
{
	return sl_slot_take_from(sp, pool, scope, limit, token, agent, now,
	    -1, k, NULL);
}

/*
 * sl_slot_take_from - sl_slot_take, trying slot number from first, which
 * sl_slot_first_free_at saw free a moment ago (so it is not looked at
 * again: the rename decides), then the ones after it, round to the ones
 * before it; from -1: from 0, looking at each.  uo, if not NULL, gets
 * the uuid that names this take in its entry (sl_slot_release_take).
 */
int
sl_slot_take_from(const struct sl_spool *sp, const char *pool,
    const char *scope, long limit, const char *token, const char *agent,
    time_t now, long from, long *k, char uo[SL_UUID_LEN + 1])
{
	char	u[SL_UUID_LEN + 1], priv[64], name[200], body[300];
	char	id[SL_UUID_LEN + 1];
	char   *sd, *tmp, *entry, *slot;
	long	i, j, start;
	int	rc = 1, r = 0, ok;

	if (limit <= 0)
		return 1;
	start = from < 0 ? 0 : from % limit;
	if (sl_uuid(u) < 0 || sl_token_parse(token, NULL, id) < 0)
		return -1;
	sd = slots_dir(sp, pool);
	snprintf(priv, sizeof(priv), ".slot.%s", u);
	tmp = sl_place(sp, SL_PL_TMP, pool, NULL, priv, (char *)NULL);
	entry = sl_path(tmp, id, (char *)NULL);
	/* "slot" names this take alone (the private directory's uuid): two
	 * claimers of one run write entries of the same name and token.
	 * The entry is not fsynced: slots count live processes, and a power
	 * cut leaves none; an entry lost or empty is a slot whose holder is
	 * unknown, freed by recovery after the lease like any other */
	snprintf(body, sizeof(body), "claimed = %lld\nagent = %s\ntoken = %s\n"
	    "slot = %s\n", (long long)now, agent, token, u);
	if (sl_mkdir_new(tmp, 0755) < 0 ||
	    sl_write_tmp_nosync(entry, body, strlen(body), 0644) < 0) {
		rc = -1;
		goto out;
	}
	for (j = 0; j < limit; j++) {
		i = (start + j) % limit;
		snprintf(name, sizeof(name), "%s.%ld", scope, i);
		slot = sl_path(sd, name, (char *)NULL);
		if (i != from && taken(slot)) {	/* cheap skip; the rename
						 * decides */
			free(slot);
			continue;
		}
		sl_step("slot-rename");
		/* RACE: another claimer may take this name between taken()
		 * and rename(); then our rename fails on its non-empty
		 * directory and we try the next. */
		ok = sl_sys.rename(tmp, slot) == 0;
		/* slots/ is made by the first take that finds it missing */
		if (!ok && errno == ENOENT && !sl_exists(sd) &&
		    sl_mkdirs(sd, 0755) == 0)
			ok = sl_sys.rename(tmp, slot) == 0;
		if (ok || (r = renamed(tmp, slot, id, u)) == 1) {
			*k = i;
			if (uo != NULL)
				memcpy(uo, u, SL_UUID_LEN + 1);
			rc = 0;
			free(slot);
			goto out;
		}
		free(slot);
		if (r < 0) {	/* our private directory is gone */
			rc = -1;
			break;
		}
	}
out:
	if (rc != 0)
		(void)sl_rmtree(tmp);	/* ours, private; best effort */
	free(entry);
	free(tmp);
	free(sd);
	return rc;
}

/* slot_release - sl_slot_release; 1 if run id held no such slot */
static int
slot_release(const struct sl_spool *sp, const char *pool, const char *name,
    const char *id)
{
	char   *sd = slots_dir(sp, pool), *slot, *entry;
	int	rc = 0;

	slot = sl_path(sd, name, (char *)NULL);
	entry = sl_path(slot, id, (char *)NULL);
	if (sl_unlink(entry) < 0) {
		/* RACE: an NFS retransmit of an unlink that was done says
		 * ENOENT too: a caller that then looks finds nothing */
		rc = errno == ENOENT ? 1 : -1;
	} else if (sl_rmdir(slot) < 0 && errno != ENOENT && errno != ENOTEMPTY &&
	    errno != EEXIST) {
		/* RACE: a claimer may rename its entry onto the slot between
		 * our unlink and rmdir; then rmdir fails ENOTEMPTY and the
		 * slot is rightly theirs.  An empty directory left behind by
		 * a failed rmdir is a free slot: rename replaces it. */
		rc = -1;
	}
	free(entry);
	free(slot);
	free(sd);
	return rc;
}

/* sl_slot_release - give back slot name if run id holds it */
int
sl_slot_release(const struct sl_spool *sp, const char *pool, const char *name,
    const char *id)
{
	return slot_release(sp, pool, name, id) < 0 ? -1 : 0;
}

/*
 * sl_slot_release_take - give back slot name if run id holds it by the
 * take u (sl_slot_take_from's): the entry of another take of the same run
 * is left.  For a claimer whose run left its private name under it
 * (recovery returned it, and released this claim's entries by token):
 * the run may have been claimed again at once, under the same id, and
 * even in the same slot.  An entry that cannot be read (but for ENOENT:
 * none, nothing to give back) is kept, -1: a slot held too long, which
 * recovery frees (slot_dead), never one of another's freed.  RACE: an
 * entry read as ours is removed a moment later; in between, recovery
 * would have to free it and another claim of the run take that very
 * slot again.  That is a timing bet, not an impossibility: those moves
 * are what wakes claimers, and a releaser stalled here (SIGSTOP, paging,
 * an RPC retransmitted) widens the moment.
 */
int
sl_slot_release_take(const struct sl_spool *sp, const char *pool,
    const char *name, const char *id, const char *u)
{
	char   *sd = slots_dir(sp, pool), *slot = sl_path(sd, name,
	    (char *)NULL);
	int	ours = take_of(slot, id, u, 1024), rc = 0;

	if (ours < 0 && errno != ENOENT) {
		sl_warn("cannot read %s/%s to give its slot back: %s; recovery "
		    "will", slot, id, strerror(errno));
		rc = -1;
	}
	free(slot);
	free(sd);
	return ours == 1 ? sl_slot_release(sp, pool, name, id) : rc;
}

/* sl_slots_of - the names of the slots run id holds */
int
sl_slots_of(const struct sl_spool *sp, const char *pool, const char *id,
    char ***out, size_t *n)
{
	struct dirent *de;
	struct stat st;
	char   *sd = slots_dir(sp, pool), *e;
	DIR    *d;

	*out = NULL;
	*n = 0;
	if ((d = sl_opendir(sd)) == NULL) {
		free(sd);
		return errno == ENOENT ? 0 : -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		e = sl_path(sd, de->d_name, id, (char *)NULL);
		if (sl_lstat(e, &st) == 0) {
			*out = sl_xrealloc(*out, (*n + 1) * sizeof(char *));
			(*out)[(*n)++] = sl_xstrdup(de->d_name);
		}
		free(e);
	}
	closedir(d);
	free(sd);
	return 0;
}

/*
 * sl_slots_release_claim - give back the slots of one claim of a run: the
 * entries that say token = TOKEN and, if agent is not NULL, agent = AGENT.  A run handed back to its queue may be claimed again at
 * once, whose new entries carry the same run id: only the entries that
 * name the old claim (its agent, or its token) are the old claim's.
 */
int
sl_slots_release_claim(const struct sl_spool *sp, const char *pool,
    const char *token, const char *agent)
{
	char  **v, *e, *text, who[128], tok[SL_RUNNAME_MAX], id[SL_UUID_LEN + 1];
	size_t	n, i;
	int	rc = 0;

	if (sl_token_parse(token, NULL, id) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (sl_slots_of(sp, pool, id, &v, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		e = sl_place(sp, SL_PL_SLOTS, pool, NULL, v[i], id,
		    (char *)NULL);
		if (sl_read_file(e, &text, 1024) >= 0) {
			sl_kv_get(text, "agent", who, sizeof(who));
			sl_kv_get(text, "token", tok, sizeof(tok));
			free(text);
			if (strcmp(tok, token) == 0 && (agent == NULL ||
			    strcmp(who, agent) == 0) &&
			    sl_slot_release(sp, pool, v[i], id) < 0)
				rc = -1;
		}
		free(e);
	}
	sl_strv_free(v, n);
	return rc;
}

/* sl_slots_release_token - give back the slots of one claim of a run */
int
sl_slots_release_token(const struct sl_spool *sp, const char *pool,
    const char *token)
{
	return sl_slots_release_claim(sp, pool, token, NULL);
}

/* sl_slots_release_run - give back every slot run id holds */
int
sl_slots_release_run(const struct sl_spool *sp, const char *pool,
    const char *id)
{
	char  **v;
	size_t	n, i;
	int	rc = 0;

	if (sl_slots_of(sp, pool, id, &v, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (sl_slot_release(sp, pool, v[i], id) < 0)
			rc = -1;
	sl_strv_free(v, n);
	return rc;
}

/* slot_name_ok - SCOPE.K as sl_slot_take names slots: no path in it */
static int
slot_name_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n >= 200 || s[0] == '.' || s[n - 1] < '0' ||
	    s[n - 1] > '9')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * sl_slots_release_named - give back the slots run id holds, named by its
 * claim ("slots = a.ID.0 q.Q.1" in claim.ini, or the claimer's memory;
 * "none"): no listing of slots/ and no look into every slot, which on a
 * network filesystem is a round trip each.  -1 (nothing released) if list
 * is not such a list: the caller then looks for them
 * (sl_slots_release_run).  A slot named that the run does not hold (freed
 * by recovery, taken by another run, or named by the claim.ini of an
 * earlier claim that a later one, by an agent for itself, did not
 * replace) has no entry of this run: its release does nothing, and the
 * return is 1, for the caller to look (the others named are released).
 * 0: every slot named was the run's, and is free.
 */
int
sl_slots_release_named(const struct sl_spool *sp, const char *pool,
    const char *id, const char *list)
{
	const char *p, *e;
	char	name[200];
	int	rc = 0;

	if (strcmp(list, "none") == 0)
		return 0;
	for (p = list;; p = e + 1) {	/* names, one space between */
		e = p + strcspn(p, " ");
		if (!slot_name_ok(p, (size_t)(e - p)))
			return -1;
		if (*e == '\0')
			break;
	}
	for (p = list;; p = e + 1) {
		e = p + strcspn(p, " ");
		snprintf(name, sizeof(name), "%.*s", (int)(e - p), p);
		switch (slot_release(sp, pool, name, id)) {
		case -1:
			rc = -1;
			break;
		case 1:
			if (rc == 0)
				rc = 1;
			break;
		}
		if (*e == '\0')
			break;
	}
	return rc;
}

/* sl_slots_held - how many slots of the pool are held now */
long
sl_slots_held(const struct sl_spool *sp, const char *pool, const char *prefix)
{
	struct dirent *de;
	char   *sd = slots_dir(sp, pool), *p;
	long	n = 0;
	DIR    *d;

	if ((d = sl_opendir(sd)) == NULL) {
		free(sd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (prefix != NULL &&
		    strncmp(de->d_name, prefix, strlen(prefix)) != 0))
			continue;
		p = sl_path(sd, de->d_name, (char *)NULL);
		n += held(p);
		free(p);
	}
	closedir(d);
	free(sd);
	return n;
}

static int
is_uuid(const char *name)
{
	return sl_uuid_ok(name);
}

/*
 * sl_slots_sweep - remove a claimer's private slot directory
 * (tmp/.slot.UUID/RUN-ID, whose entry says when it was claimed) that its
 * claimer left by dying, once it is stale (SL_STALE_LEASES leases) old.
 * Returns how many were removed.
 */
long
sl_slots_sweep(const struct sl_spool *sp, const char *pool, time_t now,
    long stale)
{
	char   *t = sl_place(sp, SL_PL_TMP, pool, NULL, (char *)NULL);
	struct dirent *de, *e;
	long	removed = 0;
	DIR    *d, *sub;

	if ((d = sl_opendir(t)) == NULL) {
		free(t);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char   *p, *txt = NULL, val[32], u[SL_UUID_LEN + 8];
		long	claimed;
		int	old = 0, entries = 0;

		if (strncmp(de->d_name, ".slot.", 6) != 0)
			continue;
		p = sl_path(t, de->d_name, (char *)NULL);
		if ((sub = sl_opendir(p)) != NULL) {
			while ((e = readdir(sub)) != NULL)
				if (is_uuid(e->d_name) && entries++ == 0)
					txt = sl_read_small(p, e->d_name);
			closedir(sub);
			/* its claim time, on the claimer's clock: stale (10
			 * x lease) dwarfs skew, as for a stranded claim.  An
			 * entry not (yet) whole (its last key, slot, missing)
			 * says nothing: its claimer may be writing it this
			 * instant, and a claim time of 0 would sweep the
			 * directory from under it */
			sl_kv_get(txt ? txt : "", "slot", u, sizeof(u));
			sl_kv_get(txt ? txt : "", "claimed", val, sizeof(val));
			if (entries > 0 && sl_uuid_ok(u) && sl_num_parse(val,
			    1, LONG_MAX, &claimed) == 0) {
				old = now - claimed > stale;
			} else {
				/* no (whole) entry yet: only its mtime tells
				 * (the file server's clock).  RACE: skew may make
				 * a claimer's fresh directory look stale; its
				 * entry write then fails and it takes no
				 * slot: a lost claim, never a double hold */
				struct stat st;

				old = sl_lstat(p, &st) == 0 &&
				    now - st.st_mtime > stale;
			}
			free(txt);
		}
		/* RACE: a claimer's slot directory is private for a moment
		 * only (made, then renamed onto its slot); 10 leases are
		 * never a moment, and a claimer that stalled that long finds
		 * its rename failing and takes no slot */
		if (old && sl_rmtree(p) == 0)
			removed++;
		free(p);
	}
	closedir(d);
	free(t);
	return removed;
}

/*
 * sl_slot_first_free - the number of the first slot of scope that looks
 * free (0 without a limit), or -1 if none does.  Only a hint, checked
 * before taking anything: without it, a full pool under a free queue limit
 * would have every pass take a queue slot and give it back, and each of
 * those changes would wake a watching dispatcher for another pass.
 */
long
sl_slot_first_free(const struct sl_spool *sp, const char *pool,
    const char *scope, long limit)
{
	return sl_slot_first_free_at(sp, pool, scope, limit, 0);
}

/*
 * sl_slot_first_free_at - the same, looking from slot number start on and
 * round: a claimer that took slot K looks at K + 1 first next time, which
 * when takes go round is the slot taken longest ago, the likeliest free
 * when runs take alike (one look, where looking from 0 takes one for
 * every held slot before the free one)
 */
long
sl_slot_first_free_at(const struct sl_spool *sp, const char *pool,
    const char *scope, long limit, long start)
{
	char	name[200], *sd, *slot;
	long	i, j, rc = -1;

	if (limit == SL_NOLIMIT)
		return 0;
	if (limit <= 0)
		return -1;
	if (start < 0)
		start = 0;
	sd = slots_dir(sp, pool);
	for (j = 0; j < limit && rc < 0; j++) {
		i = (start + j) % limit;
		snprintf(name, sizeof(name), "%s.%ld", scope, i);
		slot = sl_path(sd, name, (char *)NULL);
		if (!taken(slot))
			rc = i;
		free(slot);
	}
	free(sd);
	return rc;
}
