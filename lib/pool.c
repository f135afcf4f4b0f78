/*
 * pool.c - work pools and work queues in the spool.
 *
 * The algorithm (spool-layout.md has the full story):
 *
 * - A pool is the directory pools/P; a queue is pools/P/queues/Q.  A
 *   directory that exists is a pool or queue, whoever made it (sluice, or a
 *   person with mkdir).  The queue "default" always exists.
 *
 * - A pool's settings and all its queues' settings are one file, versioned:
 *   pools/P/config/vNNNNNNNNNN.ini.  The highest readable version is the
 *   truth.  Versions are immutable: a change writes version N+1 under a
 *   private name, fsyncs it, and link()s it to its public name.  link() never
 *   replaces, so of two writers racing for N+1 exactly one wins; the other
 *   reads N+1 and applies its change again on top (compare-and-swap).  No
 *   lock exists, so none can be left behind, and a reader on another host
 *   never sees a file being replaced (a replaced file reads torn over sshfs,
 *   ../shared/netfs/README.md).  Every version ends with SL_INI_TRAILER.
 *
 * - Queue priorities live in that one file, so "pushes the holder down"
 *   changes several queues in one atomic step: two processes setting
 *   priorities or creating queues at once cannot make duplicates.
 *
 * - A queue directory without a line in the config (made by mkdir) has
 *   default settings and comes after every registered queue, by name; the
 *   next write registers it with those values.  A line whose directory is
 *   gone (rm -r) is ignored and dropped at the next write.
 *
 * - Creating a pool or queue builds it complete under a dotted private
 *   name and renames it into place: it appears whole or not at all, and a
 *   rename onto an existing (non-empty) one fails, which is how "already
 *   exists" is decided.  Deleting renames it to a dotted trash name first.
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

#define CAS_TRIES	200	/* with growing naps: about a minute */
#define KEEP_VERSIONS	16	/* never prune the newest 16 ... */
#define PRUNE_AGE	3600	/* ... nor any younger than an hour */
#define PROBE_AHEAD	64	/* versions probed by name past a listing */

/* ---- reading ---- */

int
sl_pool_exists(const struct sl_spool *sp, const char *name)
{
	struct stat st;
	char   *d = sl_pool_dir(sp, name);
	int	rc = sl_stat(d, &st) == 0 && S_ISDIR(st.st_mode);

	free(d);
	return rc;
}

/* list_names - the valid names of subdirectories of dir, sorted
 * (dotfiles, .nfs*, junk are not ours) */
static int
list_names(const char *dir, char ***out, size_t *n)
{
	return sl_list_dirs(dir, sl_name_ok, out, n);
}

int
sl_pool_names_in(const char *dir, char ***out, size_t *n)
{
	return list_names(dir, out, n);
}

int
sl_pool_names(const struct sl_spool *sp, char ***out, size_t *n)
{
	char   *d = sl_place(sp, SL_PL_POOLS, NULL, NULL, (char *)NULL);
	int	rc = list_names(d, out, n);

	free(d);
	return rc;
}

static int
version_of(const char *name, unsigned long *v)
{
	int	i;

	if (name[0] != 'v' || strlen(name) != 15 ||
	    strcmp(name + 11, ".ini") != 0)
		return -1;
	for (i = 1, *v = 0; i < 11; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long)(name[i] - '0');
	}
	return *v > 0 ? 0 : -1;
}

static char *
version_path(const char *cdir, unsigned long v)
{
	char	name[32];

	snprintf(name, sizeof(name), "v%010lu.ini", v);
	return sl_path(cdir, name, (char *)NULL);
}

static int
cmpdesc(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static unsigned long probe_above(const char *, unsigned long);

/*
 * versions - the version numbers to try, highest first: every one listed
 * in config/, and those found by probing names above the listing (see
 * probe_above()).  Only names that exist are tried: a stray v9999999999.ini
 * costs one failed read, not a count down from it.
 */
static size_t
versions(const char *cdir, unsigned long floor, unsigned long **out)
{
	unsigned long v, top, *vs = NULL;
	struct dirent *de;
	size_t	n = 0, i;
	DIR    *d;

	if ((d = sl_opendir(cdir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (version_of(de->d_name, &v) == 0) {
				vs = sl_xrealloc(vs, (n + 1) * sizeof(*vs));
				vs[n++] = v;
			}
		closedir(d);
	}
	for (i = 0, v = 0; i < n; i++)
		if (vs[i] > v)
			v = vs[i];
	/* above the listing: the floor and what probing by name found */
	for (top = probe_above(cdir, v > floor ? v : floor); top > v; top--) {
		vs = sl_xrealloc(vs, (n + 1) * sizeof(*vs));
		vs[n++] = top;
	}
	if (n > 1)
		qsort(vs, n, sizeof(*vs), cmpdesc);
	*out = vs;
	return n;
}

/*
 * probe_above - v, or the highest version above it found by probing
 * names: a listing may be stale (an NFS or sshfs directory cache), a
 * lookup by name is fresher.
 */
static unsigned long
probe_above(const char *cdir, unsigned long v)
{
	unsigned long i;
	struct stat st;
	char   *p;

	for (i = 0; i < PROBE_AHEAD; i++) {
		p = version_path(cdir, v + 1);
		if (sl_lstat(p, &st) < 0) {
			free(p);
			break;
		}
		free(p);
		v++;
	}
	return v;
}

static int
parse_bool(const char *s, int def)
{
	if (s == NULL)
		return def;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "0") == 0)
		return 0;
	return -1;
}

static int
parse_limit(const char *s, long *out)
{
	if (s == NULL || strcmp(s, "none") == 0 || *s == '\0') {
		*out = SL_NOLIMIT;
		return 0;
	}
	return sl_num_parse(s, 0, INT_MAX, out);
}

static int
parse_when(const char *s, time_t *out)
{
	if (s == NULL || strcmp(s, "none") == 0) {
		*out = 0;
		return 0;
	}
	return sl_time_parse(s, 0, out);
}

/*
 * get_alert - [pool] key into buf (written quoted by put_alert): absent
 * is "", a value that does not fit is an error
 */
static int
get_alert(struct sl_ini *ini, const char *key, char *buf, size_t len)
{
	const char *s = sl_ini_get(ini, "pool", key);

	buf[0] = '\0';
	if (s == NULL)
		return 0;
	if (strlen(s) >= len)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/* read_version - one config version into p (queues registered, not present) */
static int
read_version(const char *path, struct sl_pool *p, char *err, size_t errlen)
{
	struct sl_ini *ini;
	struct sl_queue *q;
	const char *s, *sec;
	char	why[SL_ERR_MAX];
	int	i, n;

	if ((ini = sl_ini_load(path, 1, why, sizeof(why))) == NULL) {
		int	saved = errno;

		snprintf(err, errlen, "%s", why);
		errno = saved;
		return -1;
	}
	if ((s = sl_ini_get(ini, "pool", "id")) != NULL && sl_uuid_ok(s))
		snprintf(p->id, sizeof(p->id), "%s", s);
	if ((s = sl_ini_get(ini, "pool", "type")) != NULL && sl_ini_value_ok(s))
		snprintf(p->type, sizeof(p->type), "%s", s);
	if ((s = sl_ini_get(ini, "version", "writer")) != NULL)
		snprintf(p->writer, sizeof(p->writer), "%s", s);
	if (get_alert(ini, "on_failure", p->on_failure,
	    sizeof(p->on_failure)) < 0 || get_alert(ini, "on_crash",
	    p->on_crash, sizeof(p->on_crash)) < 0 || get_alert(ini, "mail",
	    p->mail, sizeof(p->mail)) < 0) {
		snprintf(err, errlen, "%s: bad alert in [pool] (too long, or "
		    "not one line)", path);
		goto fail;
	}
	if ((p->paused = parse_bool(sl_ini_get(ini, "pool", "paused"), 0)) < 0 ||
	    parse_limit(sl_ini_get(ini, "pool", "concurrency_limit"), &p->limit) ||
	    parse_when(sl_ini_get(ini, "pool", "created"), &p->created)) {
		snprintf(err, errlen, "%s: bad value in [pool]", path);
		goto fail;
	}
	n = sl_ini_nsec(ini);
	for (i = 0; i < n; i++) {
		if ((sec = sl_ini_secname(ini, i)) == NULL ||
		    strncmp(sec, "queue.", 6) != 0)
			continue;
		s = sl_ini_get(ini, sec, "name");
		if (s == NULL || !sl_name_ok(s) || sl_pool_queue(p, s) != NULL) {
			snprintf(err, errlen, "%s: [%s] has a missing, bad or "
			    "repeated name", path, sec);
			goto fail;
		}
		p->q = sl_xrealloc(p->q, (p->nq + 1) * sizeof(*p->q));
		q = &p->q[p->nq++];
		memset(q, 0, sizeof(*q));
		snprintf(q->name, sizeof(q->name), "%s", s);
		q->registered = 1;
		if ((s = sl_ini_get(ini, sec, "id")) != NULL && sl_uuid_ok(s))
			snprintf(q->id, sizeof(q->id), "%s", s);
		if (sl_num_parse(sl_ini_get(ini, sec, "priority"), 1, SL_PRIO_MAX,
		    &q->priority) < 0 ||
		    parse_limit(sl_ini_get(ini, sec, "concurrency_limit"),
		    &q->limit) < 0 ||
		    (q->paused = parse_bool(sl_ini_get(ini, sec, "paused"), 0)) < 0 ||
		    parse_when(sl_ini_get(ini, sec, "created"), &q->created) < 0) {
			snprintf(err, errlen, "%s: bad value in [%s]", path, sec);
			goto fail;
		}
	}
	sl_ini_free(ini);
	return 0;
fail:
	sl_ini_free(ini);
	errno = EINVAL;		/* there, but bad: not "not here yet" */
	return -1;
}

/* free_below - the highest priority <= max that no queue holds, or 0 */
static long
free_below(const struct sl_pool *p, long max)
{
	size_t	i;

	for (; max > 0; max--) {
		for (i = 0; i < p->nq; i++)
			if (p->q[i].priority == max)
				break;
		if (i == p->nq)
			return max;
	}
	return 0;
}

static int
cmpprio(const void *a, const void *b)
{
	const struct sl_queue *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
queue_dir_exists(const struct sl_spool *sp, const char *pool, const char *q)
{
	struct stat st;
	char   *d = sl_queue_dir(sp, pool, q);
	int	rc = sl_stat(d, &st) == 0 && S_ISDIR(st.st_mode);

	free(d);
	return rc;
}

/*
 * settle - join the config's queue lines with the queue directories: drop
 * lines whose directory is gone, add directories without a line (defaults,
 * after every registered queue, "default" first, then by name), sort.
 */
static void
settle(const struct sl_spool *sp, struct sl_pool *p, char **dirs, size_t nd)
{
	struct sl_queue *q;
	size_t	i, j, k;
	long	last = 0;
	char	seed[200];

	for (i = 0; i < p->nq; i++) {
		q = &p->q[i];
		q->present = strcmp(q->name, SL_DEFAULT_QUEUE) == 0;
		for (j = 0; j < nd && !q->present; j++)
			q->present = strcmp(dirs[j], q->name) == 0;
		/* RACE: a listing may miss a queue made on another host a
		 * moment ago; ask for it by name before calling it gone. */
		if (!q->present)
			q->present = queue_dir_exists(sp, p->name, q->name);
	}
	for (i = k = 0; i < p->nq; i++)
		if (p->q[i].present)
			p->q[k++] = p->q[i];
	p->nq = k;
	for (i = 0; i < p->nq; i++)
		if (p->q[i].priority > last)
			last = p->q[i].priority;
	for (j = 0; j <= nd; j++) {
		/* j == 0 stands for the implied default queue: it goes first */
		const char *name = j == 0 ? SL_DEFAULT_QUEUE : dirs[j - 1];

		if (sl_pool_queue(p, name) != NULL)
			continue;
		p->q = sl_xrealloc(p->q, (p->nq + 1) * sizeof(*p->q));
		q = &p->q[p->nq++];
		memset(q, 0, sizeof(*q));
		snprintf(q->name, sizeof(q->name), "%s", name);
		snprintf(seed, sizeof(seed), "%s/%s", p->id, name);
		sl_uuid_from(q->id, seed);
		q->limit = SL_NOLIMIT;
		q->present = 1;
		q->priority = 0;
		/* after every other queue; at the very top of the range, in
		 * the highest free number instead (only a hand-made config
		 * holding SL_PRIO_MAX gets here) */
		q->priority = last < SL_PRIO_MAX ? ++last :
		    free_below(p, SL_PRIO_MAX);
	}
	qsort(p->q, p->nq, sizeof(*p->q), cmpprio);
	/* A hand-written config may repeat a priority or leave out an id:
	 * push the later of two equal numbers down (sluice-work-queue(1), "Priorities") and derive
	 * a stable id, so every reader sees the same unique numbers. */
	for (i = 0; i < p->nq; i++) {
		q = &p->q[i];
		if (i > 0 && q->priority <= p->q[i - 1].priority)
			q->priority = p->q[i - 1].priority < SL_PRIO_MAX ?
			    p->q[i - 1].priority + 1 : free_below(p, SL_PRIO_MAX);
		if (q->id[0] == '\0') {
			snprintf(seed, sizeof(seed), "%s/%s", p->id, q->name);
			sl_uuid_from(q->id, seed);
		}
	}
}

/* load_from - read the newest good version at or above floor */
static int
load_from(const struct sl_spool *sp, const char *name, unsigned long floor,
    struct sl_pool *p, unsigned long *unreadable, char *err, size_t errlen)
{
	char   *pdir, *cdir, *qdir, *path, **dirs = NULL, why[SL_ERR_MAX];
	unsigned long v, *vs;
	size_t	nd = 0, nv, i;
	int	rc = -1, rc_read, saved;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (!sl_pool_exists(sp, name)) {
		snprintf(err, errlen, "Work pool '%s' not found. Create it with "
		    "'sluice work-pool create %s'.", name, name);
		errno = ENOENT;
		return -1;
	}
	pdir = sl_pool_dir(sp, name);
	cdir = sl_path(pdir, "config", (char *)NULL);
	qdir = sl_path(pdir, "queues", (char *)NULL);
	nv = versions(cdir, floor, &vs);
	for (i = 0; i < nv; i++) {
		v = vs[i];
		path = version_path(cdir, v);
		rc_read = read_version(path, p, why, sizeof(why));
		saved = errno;
		free(path);
		if (rc_read == 0) {
			p->version = v;
			break;
		}
		if (saved != ENOENT)
			sl_warn("pool %s: skipping config version %lu: %s",
			    name, v, why);
		else if (unreadable != NULL && v > *unreadable)
			*unreadable = v;
		/* RACE: a version pruned while we read is older than one we
		 * could not have missed (pruning keeps the newest 16). */
		free(p->q);
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", name);
	}
	free(vs);
	if (p->id[0] == '\0') {
		char	seed[100];

		snprintf(seed, sizeof(seed), "pool/%s", name);
		sl_uuid_from(p->id, seed);
	}
	if (p->type[0] == '\0')
		snprintf(p->type, sizeof(p->type), "%s", SL_POOL_TYPE);
	if (p->version == 0)
		p->limit = SL_NOLIMIT;
	if (list_names(qdir, &dirs, &nd) < 0) {
		snprintf(err, errlen, "cannot list %s: %s", qdir, strerror(errno));
		sl_pool_free(p);
		goto out;
	}
	settle(sp, p, dirs, nd);
	sl_strv_free(dirs, nd);
	rc = 0;
out:
	free(pdir);
	free(cdir);
	free(qdir);
	return rc;
}

int
sl_pool_load(const struct sl_spool *sp, const char *name, struct sl_pool *p,
    char *err, size_t errlen)
{
	return load_from(sp, name, 0, p, NULL, err, errlen);
}

/*
 * sl_pool_load_pass - sl_pool_load for a process that reads the pool every
 * pass (agents, dispatchers).  fresh: SL_POOL_READ reads it; otherwise a
 * pool whose config/ and queues/ directories are unchanged since this
 * process last read it here (a new version or a new queue directory
 * changes them) is copied from memory, for two stats instead of two
 * listings and a read (SL_POOL_LOOK), and with SL_POOL_QUICK the two are
 * not even looked at when the last wait of this process's inotify saw no
 * change in such a directory (sl_watch_seen): a change on this host is
 * seen at once, one on another host at the next full pass.  RACE: on a
 * network filesystem a directory's times may be cached as long as its
 * listing is, and a filesystem with coarse times may show two changes in
 * one tick as one; callers pass SL_POOL_LOOK at every full pass and
 * SL_POOL_READ at the recovering ones, once a heartbeat, so a change is
 * seen within poll_seconds when the times tell, within a heartbeat (or
 * poll_seconds if longer) at worst (rule 5: the hint is for speed, the
 * rescan for correctness).
 */
int
sl_pool_load_pass(const struct sl_spool *sp, const char *name,
    struct sl_pool *p, int fresh, char *err, size_t errlen)
{
	static struct cached {
		char	root[PATH_MAX], name[SL_NAME_MAX + 1];
		struct stat cst, qst;
		struct sl_pool p;
	} *c;
	static size_t nc;
	struct stat cst, qst;
	char   *cdir, *qdir;
	size_t	i;
	int	ok;

	for (i = 0; i < nc && (strcmp(c[i].name, name) != 0 ||
	    strcmp(c[i].root, sp->root) != 0); i++)
		;
	if (fresh == SL_POOL_QUICK && i < nc &&
	    !(sl_watch_seen() & SL_SEEN_DIRS))
		goto copy;
	cdir = sl_place(sp, SL_PL_CONFIG, name, NULL, (char *)NULL);
	qdir = sl_place(sp, SL_PL_QUEUES, name, NULL, (char *)NULL);
	ok = sl_stat(cdir, &cst) == 0 && sl_stat(qdir, &qst) == 0;
	free(cdir);
	free(qdir);
	if (ok && fresh != SL_POOL_READ && i < nc &&
	    sl_same_dir(&cst, &c[i].cst) &&
	    sl_same_dir(&qst, &c[i].qst)) {
copy:
		*p = c[i].p;
		p->q = sl_xmalloc((p->nq ? p->nq : 1) * sizeof(*p->q));
		memcpy(p->q, c[i].p.q, p->nq * sizeof(*p->q));
		return 0;
	}
	if (sl_pool_load(sp, name, p, err, errlen) < 0)
		return -1;
	if (!ok)
		return 0;
	if (i == nc) {
		c = sl_xrealloc(c, (nc + 1) * sizeof(*c));
		memset(&c[nc], 0, sizeof(*c));
		snprintf(c[nc].name, sizeof(c[nc].name), "%s", name);
		snprintf(c[nc].root, sizeof(c[nc].root), "%s", sp->root);
		nc++;
	}
	/* the times from before the read: a change during it is seen next
	 * time, never hidden */
	c[i].cst = cst;
	c[i].qst = qst;
	sl_pool_free(&c[i].p);
	c[i].p = *p;
	c[i].p.q = sl_xmalloc((p->nq ? p->nq : 1) * sizeof(*p->q));
	memcpy(c[i].p.q, p->q, p->nq * sizeof(*p->q));
	return 0;
}

void
sl_pool_free(struct sl_pool *p)
{
	free(p->q);
	p->q = NULL;
	p->nq = 0;
}

struct sl_queue *
sl_pool_queue(struct sl_pool *p, const char *name)
{
	size_t	i;

	for (i = 0; i < p->nq; i++)
		if (strcmp(p->q[i].name, name) == 0)
			return &p->q[i];
	return NULL;
}

/* ---- priorities ---- */

long
sl_pool_last_priority(const struct sl_pool *p)
{
	long	max = 0;
	size_t	i;

	for (i = 0; i < p->nq; i++)
		if (p->q[i].priority > max)
			max = p->q[i].priority;
	return max;
}

/*
 * sl_pool_place - give q priority prio; a queue holding it moves down one,
 * and so on while they collide (sluice-work-queue(1), "Priorities").  Numbers stay as given
 * otherwise: sparse priorities (1, 5, 10) are kept.
 */
void
sl_pool_place(struct sl_pool *p, struct sl_queue *q, long prio,
    struct sl_buf *moved)
{
	char	name[SL_NAME_MAX + 1];
	long	cur = prio;
	size_t	i;

	snprintf(name, sizeof(name), "%s", q->name);
	q->priority = 0;		/* out of the way while we sort */
	qsort(p->q, p->nq, sizeof(*p->q), cmpprio);
	for (i = 0; i < p->nq; i++) {
		if (p->q[i].priority == 0 || p->q[i].priority < cur)
			continue;
		if (p->q[i].priority > cur)
			break;
		if (moved != NULL)
			sl_buf_printf(moved, "Moved work queue '%s' from "
			    "priority %ld to %ld\n", p->q[i].name,
			    p->q[i].priority, cur + 1);
		p->q[i].priority = ++cur;
	}
	sl_pool_queue(p, name)->priority = prio;
	qsort(p->q, p->nq, sizeof(*p->q), cmpprio);
}

/* ---- writing ---- */

static void
put_limit(struct sl_buf *b, long limit)
{
	char	v[32];

	if (limit == SL_NOLIMIT)
		sl_ini_put(b, "concurrency_limit", "none");
	else {
		snprintf(v, sizeof(v), "%ld", limit);
		sl_ini_put(b, "concurrency_limit", v);
	}
}

static void
put_time(struct sl_buf *b, const char *key, time_t t)
{
	char	v[40];

	sl_ini_put(b, key, t == 0 ? "none" : sl_time_fmt(t, v, sizeof(v)));
}

/*
 * sl_pool_alert_ok - can v be stored as an alert setting (on_failure,
 * on_crash: a shell command; mail: "owner" or an address) of at most len
 * bytes?  NULL if so, else why not
 */
const char *
sl_pool_alert_ok(const char *key, const char *v, size_t len)
{
	char   *q;

	if (strlen(v) >= len)
		return "too long";
	if ((q = sl_ini_quote(v)) == NULL)
		return "cannot be stored (more than one line or 900 bytes, or "
		    "both kinds of quote with ';' or '#'): put it in a script "
		    "and give the script";
	free(q);
	if (strcmp(key, "mail") == 0 && v[0] != '\0' &&
	    strcmp(v, "owner") != 0 && (strchr(v, '@') == NULL ||
	    strpbrk(v, " \t,<>()\"'`$;|&") != NULL || v[0] == '-'))
		return "not 'owner' or one mail address";
	return NULL;
}

char *
sl_pool_render(const struct sl_pool *p, unsigned long version,
    const char *writer, size_t *len)
{
	struct sl_buf b = { 0 };
	char	v[32];
	size_t	i;

	sl_buf_printf(&b, "; sluice work pool '%s', configuration version "
	    "%lu.\n; Never edit in place: write a new version (sluice.ini(5)).\n",
	    p->name, version);
	sl_buf_puts(&b, "[pool]\n");
	sl_ini_put(&b, "name", p->name);
	sl_ini_put(&b, "id", p->id);
	sl_ini_put(&b, "type", p->type);
	put_time(&b, "created", p->created);
	sl_ini_put(&b, "paused", p->paused ? "true" : "false");
	put_limit(&b, p->limit);
	sl_ini_put_quoted(&b, "on_failure", p->on_failure);
	sl_ini_put_quoted(&b, "on_crash", p->on_crash);
	sl_ini_put_quoted(&b, "mail", p->mail);
	sl_buf_puts(&b, "\n[version]\n");
	snprintf(v, sizeof(v), "%lu", version);
	sl_ini_put(&b, "number", v);
	sl_ini_put(&b, "writer", writer);
	for (i = 0; i < p->nq; i++) {
		const struct sl_queue *q = &p->q[i];

		sl_buf_printf(&b, "\n[queue.%zu]\n", i + 1);
		sl_ini_put(&b, "name", q->name);
		sl_ini_put(&b, "id", q->id);
		snprintf(v, sizeof(v), "%ld", q->priority);
		sl_ini_put(&b, "priority", v);
		put_limit(&b, q->limit);
		sl_ini_put(&b, "paused", q->paused ? "true" : "false");
		put_time(&b, "created", q->created);
	}
	sl_buf_puts(&b, "\n" SL_INI_TRAILER);
	*len = b.len;
	return b.s;
}

/* is_ours - does version v exist and carry our writer id? */
static int
is_ours(const char *cdir, unsigned long v, const char *writer)
{
	struct sl_pool tmp;
	char   *path = version_path(cdir, v), why[SL_ERR_MAX];
	int	rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = read_version(path, &tmp, why, sizeof(why)) == 0 &&
	    strcmp(tmp.writer, writer) == 0;
	sl_pool_free(&tmp);
	free(path);
	return rc;
}

/*
 * prune - remove old versions: never the newest KEEP_VERSIONS, never one
 * less than PRUNE_AGE older than the newest (both mtimes are the file
 * server's clock, so host clock skew does not enter).  Also old scratch.
 */
static void
prune(const char *cdir, unsigned long newest_v)
{
	struct dirent *de;
	struct stat st, nst;
	unsigned long v;
	char   *p, *np = version_path(cdir, newest_v);
	DIR    *d;

	if (sl_stat(np, &nst) < 0 || (d = sl_opendir(cdir)) == NULL) {
		free(np);
		return;
	}
	free(np);
	while ((de = readdir(d)) != NULL) {
		if (version_of(de->d_name, &v) == 0) {
			if (v + KEEP_VERSIONS > newest_v)
				continue;
		} else if (strncmp(de->d_name, ".tmp.", 5) != 0)
			continue;
		p = sl_path(cdir, de->d_name, (char *)NULL);
		/* RACE: a writer that stalled for over an hour holding an old
		 * version could re-create a pruned name; its version is then
		 * lower than the newest and never read.  Accepted, see
		 * spool-layout.md "pool configuration". */
		if (sl_lstat(p, &st) == 0 && nst.st_mtime - st.st_mtime > PRUNE_AGE &&
		    sl_unlink(p) < 0 && errno != ENOENT)
			sl_warn("cannot remove old configuration %s: %s", p,
			    strerror(errno));
		free(p);
	}
	closedir(d);
}

static void
nap(int attempt)
{
	struct timespec ts = { 0, 1000000L * (attempt < 50 ? attempt + 1 : 300) };

	nanosleep(&ts, NULL);
}

/*
 * sl_pool_update - apply edit to the newest configuration and publish the
 * result as the next version; on losing a race, start again from the
 * winner's version.  out, if not NULL, receives the pool as written.
 */
int
sl_pool_update(const struct sl_spool *sp, const char *name,
    sl_pool_edit_fn edit, void *arg, struct sl_pool *out, char *err,
    size_t errlen)
{
	char	writer[SL_UUID_LEN + 1], tname[64], *pdir, *cdir, *tmp, *to;
	unsigned long floor = 0, next, unreadable;
	struct sl_pool p;
	struct stat st;
	size_t	len;
	char   *text;
	int	attempt, rc, saved;

	if (sl_uuid(writer) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	pdir = sl_pool_dir(sp, name);
	cdir = sl_path(pdir, "config", (char *)NULL);
	rc = -1;
	for (attempt = 0; attempt < CAS_TRIES; attempt++) {
		unreadable = 0;
		if (load_from(sp, name, floor, &p, &unreadable, err, errlen) < 0)
			goto out;
		if (p.version < floor && unreadable >= floor) {
			/* RACE: link said version floor exists but this host
			 * cannot read it yet (a stale cache).  Writing on top
			 * of an older one would lose its change: wait. */
			sl_pool_free(&p);
			nap(attempt);
			continue;
		}
		switch (edit(&p, arg, err, errlen)) {
		case -1:
			sl_pool_free(&p);
			goto out;
		case 1:
			rc = 0;
			if (out != NULL)
				*out = p;
			else
				sl_pool_free(&p);
			goto out;
		}
		if (sl_pool_last_priority(&p) > SL_PRIO_MAX) {
			snprintf(err, errlen, "work pool '%s': a queue's priority "
			    "would pass %ld; give the queues lower numbers first",
			    name, SL_PRIO_MAX);
			sl_pool_free(&p);
			errno = ERANGE;
			goto out;
		}
		if (sane_mkdir(cdir, 0755) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", cdir,
			    strerror(errno));
			sl_pool_free(&p);
			goto out;
		}
		next = p.version + 1;
		if (next <= floor)
			next = floor + 1;
		for (size_t i = 0; i < p.nq; i++)
			p.q[i].registered = 1;
		text = sl_pool_render(&p, next, writer, &len);
		snprintf(tname, sizeof(tname), ".tmp.%s.%d", writer, attempt);
		tmp = sl_path(cdir, tname, (char *)NULL);
		to = version_path(cdir, next);
		saved = 0;
		if (sl_publish_link(tmp, to, text, len) < 0)
			saved = errno;	/* the cause, before lookups clobber it */
		if (saved == 0 || is_ours(cdir, next, writer)) {
			/* is_ours: the link was made and its reply lost */
			free(text);
			free(tmp);
			free(to);
			p.version = next;
			snprintf(p.writer, sizeof(p.writer), "%s", writer);
			prune(cdir, next);
			if (out != NULL)
				*out = p;
			else
				sl_pool_free(&p);
			rc = 0;
			goto out;
		}
		if (sl_lstat(to, &st) < 0 && errno == ENOENT) {
			/* nobody holds that name: the failure was real */
			snprintf(err, errlen, "cannot write %s: %s", to,
			    strerror(saved));
			free(text);
			free(tmp);
			free(to);
			sl_pool_free(&p);
			errno = saved;
			goto out;
		}
		/* RACE: another writer published version next first; read
		 * it and apply our edit again on top of it. */
		free(text);
		free(tmp);
		free(to);
		sl_pool_free(&p);
		floor = next;
		nap(attempt);
	}
	snprintf(err, errlen, "work pool '%s' is being changed by too many "
	    "processes at once; try again", name);
	errno = EAGAIN;
out:
	free(pdir);
	free(cdir);
	return rc;
}

/* ---- creating and deleting ---- */

static int
mkdirs_in(const char *base, const char *const *sub, char *err, size_t errlen)
{
	struct stat st;
	const char *b;
	char   *p;
	int	fresh;

	for (; *sub != NULL; sub++) {
		p = sl_path(base, *sub, (char *)NULL);
		fresh = sl_lstat(p, &st) < 0;
		b = strrchr(p, '/') + 1;
		if (sl_mkdirs(p, 0755) < 0 || (fresh && (strcmp(b, "tmp") == 0 ||
		    strcmp(b, "new") == 0) && sl_perm_dropbox(p) < 0)) {
			/* tmp/, new/: the drop box's mode (perm.c) */
			snprintf(err, errlen, "cannot create %s: %s", p,
			    strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

static const char *const queue_subdirs[] = { "tmp", "new", "sched", NULL };

/*
 * place_new - build a directory under a private name with fill(), then
 * rename it to its public name.  0 made, 1 the name was taken, -1 error.
 */
static int
place_new(const char *parent, const char *name,
    int (*fill)(const char *, void *, char *, size_t), void *arg,
    char *err, size_t errlen)
{
	char	id[SL_UUID_LEN + 1], priv[64], *tmp, *to;
	int	rc = -1, saved;

	if (sl_uuid(id) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	snprintf(priv, sizeof(priv), ".new.%s", id);
	tmp = sl_path(parent, priv, (char *)NULL);
	to = sl_path(parent, name, (char *)NULL);
	if (sane_mkdir(tmp, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fill(tmp, arg, err, errlen) < 0)
		goto cleanup;
	/* RACE: callers checked that the name is free, but a person may
	 * mkdir it this instant: rename then replaces that empty directory,
	 * and the object is ours, complete.  A non-empty one (another
	 * creator's) makes rename fail: the name is taken. */
	if (sane_rename(tmp, to) == 0) {
		rc = 0;
		goto out;
	}
	rc = 1;
	saved = errno;
	if (saved != EEXIST && saved != ENOTEMPTY && saved != EPERM &&
	    saved != EISDIR) {
		struct stat st;

		if (sl_stat(to, &st) < 0) {
			snprintf(err, errlen, "cannot rename %s to %s: %s",
			    tmp, to, strerror(saved));
			rc = -1;
		}
	}
cleanup:
	saved = errno;	/* the cause, for the caller: not the cleanup's */
	if (sl_rmtree(tmp) < 0)
		sl_warn("cannot remove %s: %s", tmp, strerror(errno));
	errno = saved;
out:
	free(tmp);
	free(to);
	return rc;
}

struct newpool {
	const char *name;
	int	paused;
	long	limit;
};

static int
fill_pool(const char *dir, void *arg, char *err, size_t errlen)
{
	/* every directory a run moves into, made now: a move makes its
	 * target directory only if the rename finds it missing
	 * (sl_rename_into), so that none looks first */
	static const char *const sub[] = { "config", "queues/default/tmp",
	    "queues/default/new", "queues/default/sched", "slots",
	    "pending", "running", "done", NULL };
	struct newpool *np = arg;
	struct sl_pool p;
	struct sl_queue dq;
	char	writer[SL_UUID_LEN + 1], *tmp, *to;
	size_t	len;
	char   *text;
	int	rc;

	if (mkdirs_in(dir, sub, err, errlen) < 0)
		return -1;
	/* the pool's own tmp/, private (0755): not in sub[], where a
	 * directory named tmp/ gets a queue drop box's mode */
	tmp = sl_path(dir, "tmp", (char *)NULL);
	rc = sl_mkdirs(tmp, 0755);
	if (rc < 0)
		snprintf(err, errlen, "cannot create %s: %s", tmp,
		    strerror(errno));
	free(tmp);
	if (rc < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	memset(&dq, 0, sizeof(dq));
	snprintf(p.name, sizeof(p.name), "%s", np->name);
	snprintf(p.type, sizeof(p.type), "%s", SL_POOL_TYPE);
	p.created = time(NULL);
	p.paused = np->paused;
	p.limit = np->limit;
	snprintf(dq.name, sizeof(dq.name), "%s", SL_DEFAULT_QUEUE);
	dq.priority = 1;
	dq.limit = SL_NOLIMIT;
	dq.created = p.created;
	if (sl_uuid(p.id) < 0 || sl_uuid(dq.id) < 0 || sl_uuid(writer) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	p.q = &dq;
	p.nq = 1;
	text = sl_pool_render(&p, 1, writer, &len);
	tmp = sl_path(dir, "config", ".tmp.first", (char *)NULL);
	to = sl_path(dir, "config", "v0000000001.ini", (char *)NULL);
	rc = sl_publish_link(tmp, to, text, len);
	/* RACE: the directory is private, so a version 1 that is there after
	 * a failed link is ours (the reply was lost). */
	if (rc < 0) {
		char   *cdir = sl_path(dir, "config", (char *)NULL);
		int	saved = errno;	/* the cause, not is_ours' lookup */

		if (is_ours(cdir, 1, writer))
			rc = 0;
		free(cdir);
		errno = saved;
	}
	if (rc < 0)
		snprintf(err, errlen, "cannot write %s: %s", to, strerror(errno));
	free(text);
	free(tmp);
	free(to);
	return rc;
}

/* sl_pool_create - 0 created, 1 already exists, -1 error */
int
sl_pool_create(const struct sl_spool *sp, const char *name, int paused,
    long limit, char *err, size_t errlen)
{
	struct newpool np = { name, paused, limit };
	char   *pools = sl_place(sp, SL_PL_POOLS, NULL, NULL, (char *)NULL);
	int	rc = 1;

	/* A directory of that name is a pool, even an empty one (mkdir). */
	if (!sl_pool_exists(sp, name))
		rc = place_new(pools, name, fill_pool, &np, err, errlen);
	if (rc == 1)
		snprintf(err, errlen, "Work pool '%s' already exists. Please "
		    "choose a different name.", name);
	free(pools);
	return rc;
}

int
sl_pool_ensure(const struct sl_spool *sp, const char *name, char *err,
    size_t errlen)
{
	if (sl_pool_exists(sp, name))
		return 0;
	/* RACE: two first uses at once: one creates, the other finds it
	 * taken (1), and both go on with the same pool. */
	return sl_pool_create(sp, name, 0, SL_NOLIMIT, err, errlen) < 0 ? -1 : 0;
}

/* count_entries - non-dot entries of dir, and of its subdirectories if deep */
static long
count_entries(const char *dir, int deep)
{
	struct dirent *de;
	long	n = 0;
	char   *p;
	DIR    *d;

	if ((d = sl_opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (deep) {
			p = sl_path(dir, de->d_name, (char *)NULL);
			n += count_entries(p, 0);
			free(p);
		} else
			n++;
	}
	closedir(d);
	return n;
}

/* count_runs - add the runs in dir, a state directory of place pl, to counts */
static void
count_runs(const char *dir, enum sl_place pl, long *counts)
{
	struct dirent *de;
	enum sl_state st;
	char	id[SL_UUID_LEN + 1];
	DIR    *d;

	if ((d = sl_opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (sl_run_entry(pl, de->d_name, id, &st))
			counts[st]++;
	closedir(d);
}

/*
 * sl_pool_active_runs - runs of the pool that are Pending or Running: the
 * entries of pending/AGENT/ and running/ (spool-layout.md).
 */
long
sl_pool_active_runs(const struct sl_spool *sp, const char *pool)
{
	char   *a, *b;
	long	n;

	a = sl_place(sp, SL_PL_PENDING, pool, NULL, (char *)NULL);
	b = sl_place(sp, SL_PL_RUNNING, pool, NULL, (char *)NULL);
	n = count_entries(a, 1) + count_entries(b, 0);
	free(a);
	free(b);
	return n;
}

/*
 * sl_pool_run_counts - runs per stored state, from directory listings
 * alone: a file waiting in a queue's new/ counts as Scheduled (accepting
 * it makes it so), and so does one being accepted in tmp/E.ID.U/source,
 * or stranded there by an acceptor that died (recovery returns it to
 * new/); done/ID.STATE by its suffix.
 */
int
sl_pool_run_counts(const struct sl_spool *sp, const char *pool,
    long *counts)
{
	static const enum sl_place pools[] = {
		SL_PL_RUNNING, SL_PL_DONE, SL_PL_REJECTED
	};
	char   *p, *q, **v, **bd;
	size_t	n, i, nb, j;

	memset(counts, 0, SL_NSTATES * sizeof(long));
	p = sl_place(sp, SL_PL_QUEUES, pool, NULL, (char *)NULL);
	if (list_names(p, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			q = sl_place(sp, SL_PL_NEW, pool, v[i], (char *)NULL);
			counts[SL_SCHEDULED] += count_entries(q, 0);
			free(q);
			q = sl_place(sp, SL_PL_SCHED, pool, v[i], (char *)NULL);
			if (sl_sched_dirs(q, 0, 0, &bd, &nb) < 0)
				count_runs(q, SL_PL_SCHED, counts);
			for (j = 0; j < nb; j++)
				count_runs(bd[j], SL_PL_SCHED, counts);
			sl_strv_free(bd, nb);
			free(q);
		}
		sl_strv_free(v, n);
	}
	free(p);
	counts[SL_SCHEDULED] += sl_count_stranded(sp, pool, 0, 0, NULL);
	p = sl_place(sp, SL_PL_PENDING, pool, NULL, (char *)NULL);
	if (list_names(p, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			q = sl_path(p, v[i], (char *)NULL);
			count_runs(q, SL_PL_PENDING, counts);
			free(q);
		}
		sl_strv_free(v, n);
	}
	free(p);
	for (i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		p = sl_place(sp, pools[i], pool, NULL, (char *)NULL);
		count_runs(p, pools[i], counts);
		free(p);
	}
	return 0;
}

/* sl_pool_delete - 0 deleted, -1 refused or failed (err says which) */
int
sl_pool_delete(const struct sl_spool *sp, const char *name, int force,
    char *err, size_t errlen)
{
	char   *pd, *pools;
	long	active;
	int	rc = 0;

	if (!sl_pool_exists(sp, name)) {
		snprintf(err, errlen, "Work pool '%s' not found.", name);
		errno = ENOENT;
		return -1;
	}
	if (!force && (active = sl_pool_active_runs(sp, name)) > 0) {
		snprintf(err, errlen, "Work pool '%s' has %ld run%s Pending or "
		    "Running; wait for %s, or delete anyway with --force.",
		    name, active, active == 1 ? "" : "s",
		    active == 1 ? "it" : "them");
		errno = EBUSY;
		return -1;
	}
	/* its runs go with it: so do their hints (a hint is never needed,
	 * but each takes an inode) */
	sl_idhints_forget_pool(sp, name);
	pd = sl_pool_dir(sp, name);
	pools = sl_place(sp, SL_PL_POOLS, NULL, NULL, (char *)NULL);
	if (sl_discard_tree(pd, pools) < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "Work pool '%s' not found.", name);
		else
			snprintf(err, errlen, "cannot delete %s: %s", pd,
			    strerror(errno));
		rc = -1;
	}
	free(pd);
	free(pools);
	return rc;
}

static long queue_holds(const char *);

struct newqueue {
	const char *name;
	char	id[SL_UUID_LEN + 1];
	long	prio, limit;
	time_t	created;
	struct sl_buf *moved;
};

static int
fill_queue(const char *dir, void *arg, char *err, size_t errlen)
{
	(void)arg;
	return mkdirs_in(dir, queue_subdirs, err, errlen);
}

static int
edit_register(struct sl_pool *p, void *arg, char *err, size_t errlen)
{
	struct newqueue *nq = arg;
	struct sl_queue *q = sl_pool_queue(p, nq->name);

	if (q == NULL) {
		snprintf(err, errlen, "Work queue '%s' vanished from work pool "
		    "'%s' while it was being created.", nq->name, p->name);
		return -1;
	}
	memcpy(q->id, nq->id, sizeof(q->id));
	q->limit = nq->limit;
	q->paused = 0;
	q->created = nq->created;
	if (nq->prio > 0) {
		if (nq->moved != NULL)
			sl_buf_free(nq->moved);	/* a retry starts over */
		sl_pool_place(p, q, nq->prio, nq->moved);
	}
	else {
		q->priority = 0;
		q->priority = sl_pool_last_priority(p) + 1;
		qsort(p->q, p->nq, sizeof(*p->q), cmpprio);
	}
	return 0;
}

/* sl_queue_create - 0 created, 1 already exists, -1 error */
int
sl_queue_create(const struct sl_spool *sp, const char *pool, const char *name,
    long prio, long limit, struct sl_queue *out, struct sl_buf *moved,
    char *err, size_t errlen)
{
	struct newqueue nq;
	struct sl_pool p;
	char   *qd;
	int	rc;

	if (!sl_pool_exists(sp, pool)) {
		snprintf(err, errlen, "Work pool '%s' not found. Create it with "
		    "'sluice work-pool create %s'.", pool, pool);
		errno = ENOENT;
		return -1;
	}
	if (strcmp(name, SL_DEFAULT_QUEUE) == 0 ||
	    queue_dir_exists(sp, pool, name))
		goto exists;
	qd = sl_place(sp, SL_PL_QUEUES, pool, NULL, (char *)NULL);
	if (sl_mkdirs(qd, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", qd, strerror(errno));
		free(qd);
		return -1;
	}
	rc = place_new(qd, name, fill_queue, NULL, err, errlen);
	free(qd);
	if (rc == 1)
		goto exists;
	if (rc < 0)
		return -1;
	memset(&nq, 0, sizeof(nq));
	nq.name = name;
	nq.prio = prio;
	nq.limit = limit;
	nq.created = time(NULL);
	nq.moved = moved;
	if (sl_uuid(nq.id) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	if (sl_pool_update(sp, pool, edit_register, &nq, &p, err, errlen) < 0) {
		/* Undo: the queue was never announced, and holds nothing
		 * yet.  RACE: a run dropped into it this instant would be
		 * discarded with it; its dropper saw no "Created" message. */
		char   *parent = sl_place(sp, SL_PL_QUEUES, pool, NULL,
		    (char *)NULL);

		qd = sl_queue_dir(sp, pool, name);
		if (queue_holds(qd) == 0 && sl_discard_tree(qd, parent) < 0)
			sl_warn("cannot remove %s: %s", qd, strerror(errno));
		free(parent);
		free(qd);
		return -1;
	}
	if (out != NULL)
		*out = *sl_pool_queue(&p, name);
	sl_pool_free(&p);
	return 0;
exists:
	snprintf(err, errlen, "Work queue '%s' already exists in work pool "
	    "'%s'.", name, pool);
	return 1;
}

/*
 * sl_queue_ready - is queue name of pool there to take a run (one lookup):
 * the default queue, which always exists, once its directories are made,
 * sched/ last (a submit's first makes them); another once its directory
 * is.  Either way its pool is there too.
 */
int
sl_queue_ready(const struct sl_spool *sp, const char *pool, const char *name)
{
	struct stat st;
	char   *qd, *last;
	int	rc;

	if (strcmp(name, SL_DEFAULT_QUEUE) != 0)
		return queue_dir_exists(sp, pool, name);
	qd = sl_queue_dir(sp, pool, name);
	last = sl_path(qd, "sched", (char *)NULL);
	rc = sl_lstat(last, &st) == 0 && S_ISDIR(st.st_mode);
	free(last);
	free(qd);
	return rc;
}

int
sl_queue_ensure(const struct sl_spool *sp, const char *pool, const char *name,
    char *err, size_t errlen)
{
	char   *qd;
	int	rc;

	if (sl_queue_ready(sp, pool, name))
		return 0;
	if (strcmp(name, SL_DEFAULT_QUEUE) == 0) {
		/* always exists; make its directories on first use */
		qd = sl_queue_dir(sp, pool, name);
		rc = mkdirs_in(qd, queue_subdirs, err, errlen);
		free(qd);
		return rc;
	}
	/* RACE: two first uses at once: one creates it, the other finds it
	 * taken (1); both go on with the same queue. */
	return sl_queue_create(sp, pool, name, 0, SL_NOLIMIT, NULL, NULL, err,
	    errlen) < 0 ? -1 : 0;
}

static int
edit_nothing(struct sl_pool *p, void *arg, char *err, size_t errlen)
{
	(void)p;
	(void)arg;
	(void)err;
	(void)errlen;
	return 0;		/* rewrite: settle() dropped the deleted queue */
}

/* queue_holds - unfinished runs in a queue: non-dot entries of new/ etc. */
static long
queue_holds(const char *qd)
{
	struct dirent *de;
	char   *p;
	long	n = 0;
	DIR    *d;

	if ((d = sl_opendir(qd)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "tmp") == 0)
			continue;
		p = sl_path(qd, de->d_name, (char *)NULL);
		/* sched/: its buckets' runs, not its buckets */
		n += strcmp(de->d_name, "sched") == 0 ? sl_sched_count(p) :
		    count_entries(p, 0);
		free(p);
	}
	closedir(d);
	return n;
}

int
sl_queue_delete(const struct sl_spool *sp, const char *pool, const char *name,
    char *err, size_t errlen)
{
	char   *qd, *parent;
	long	held;
	int	rc;

	if (strcmp(name, SL_DEFAULT_QUEUE) == 0) {
		snprintf(err, errlen, "The default queue of work pool '%s' "
		    "cannot be deleted; delete the pool instead.", pool);
		errno = EPERM;
		return -1;
	}
	if (!sl_pool_exists(sp, pool) || !queue_dir_exists(sp, pool, name)) {
		snprintf(err, errlen, "Work queue '%s' not found in work pool "
		    "'%s'.", name, pool);
		errno = ENOENT;
		return -1;
	}
	qd = sl_queue_dir(sp, pool, name);
	if ((held = queue_holds(qd)) > 0) {
		snprintf(err, errlen, "Work queue '%s' in work pool '%s' still "
		    "holds %ld run%s; cancel or finish %s first.", name, pool,
		    held, held == 1 ? "" : "s", held == 1 ? "it" : "them");
		free(qd);
		errno = EBUSY;
		return -1;
	}
	parent = sl_place(sp, SL_PL_QUEUES, pool, NULL, (char *)NULL);
	rc = sl_discard_tree(qd, parent);
	if (rc < 0)
		snprintf(err, errlen, "cannot delete %s: %s", qd, strerror(errno));
	else
		rc = sl_pool_update(sp, pool, edit_nothing, NULL, NULL, err,
		    errlen);
	free(parent);
	free(qd);
	return rc;
}
