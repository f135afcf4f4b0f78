/*
 * claimer - a test driver for the claim protocol (tests/e2e/claim_race.sh).
 *
 *	claimer SPOOL POOL make QUEUE N		submit N runs (echo) to QUEUE
 *	claimer SPOOL POOL drain LIMIT		be an agent: register, claim up
 *						to LIMIT at a time, "run" and
 *						finish each (and each run a
 *						dispatcher claimed for it), until
 *						the pool has nothing left; print
 *						the ids run
 *	claimer SPOOL POOL sample STOPFILE	until STOPFILE exists, count held
 *						slots and Pending+Running runs
 *						continuously; print the maxima
 *
 * It uses libsluice exactly as sluice-agent does, minus executing
 * commands: what it tests is who gets which run, and the limits.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static struct sl_spool sp;
static const char *pool;

static long
count_dir(const char *dir, int deep)
{
	struct dirent *de;
	long	n = 0;
	char   *p;
	DIR    *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (deep) {
			p = sl_path(dir, de->d_name, (char *)NULL);
			n += count_dir(p, 0);
			free(p);
		} else
			n++;
	}
	closedir(d);
	return n;
}

static int
make(const char *queue, long n)
{
	struct sl_runspec r;
	char	err[SL_ERR_MAX];
	long	i;

	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.pool, sizeof(r.pool), "%s", pool);
		snprintf(r.queue, sizeof(r.queue), "%s", queue);
		r.command = sl_xstrdup("echo");
		r.scheduled = time(NULL) - 1;
		if (sl_run_submit(&sp, &r, err, sizeof(err)) < 0) {
			fprintf(stderr, "claimer: %s\n", err);
			return 1;
		}
		sl_runspec_free(&r);
	}
	return 0;
}

static long
left(void)
{
	char   *pd = sl_pool_dir(&sp, pool), *q, **qs;
	size_t	nq, i;
	long	n = 0;

	q = sl_path(pd, "queues", (char *)NULL);
	if (sl_pool_names_in(q, &qs, &nq) == 0) {
		for (i = 0; i < nq; i++) {
			char   *s = sl_path(q, qs[i], "sched", (char *)NULL);

			n += sl_sched_count(s);
			free(s);
			free(qs[i]);
		}
		free(qs);
	}
	free(q);
	q = sl_path(pd, "pending", (char *)NULL);
	n += count_dir(q, 1);
	free(q);
	q = sl_path(pd, "running", (char *)NULL);
	n += count_dir(q, 0);
	free(q);
	free(pd);
	return n;
}

static void
pending_tokens(const char *dir, struct sl_names *out)
{
	struct dirent *de;
	DIR    *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (sl_token_parse(de->d_name, NULL, NULL) == 0)
			sl_names_add(out, de->d_name);
	closedir(d);
}

static int
drain(long limit)
{
	struct sl_agent a;
	struct sl_names got = { 0 };
	char	err[SL_ERR_MAX], *pend, *from, *to;
	time_t	last = 0;
	size_t	i;
	long	idle = 0;

	memset(&a, 0, sizeof(a));
	if (sl_uuid(a.id) < 0)
		return 1;
	snprintf(a.name, sizeof(a.name), "claimer-%ld", (long)getpid());
	snprintf(a.pool, sizeof(a.pool), "%s", pool);
	gethostname(a.host, sizeof(a.host) - 1);
	a.pid = getpid();
	a.limit = limit;
	a.prefetch = 0;
	a.started = time(NULL);
	if (sl_agent_register(&sp, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "claimer: %s\n", err);
		return 1;
	}
	pend = sl_path(sp.root, "pools", pool, "pending", a.id, (char *)NULL);
	for (;;) {
		time_t	now = time(NULL);

		if (now != last) {
			sl_agent_beat(&sp, &a, now);
			last = now;
		}
		if (sl_claim(&sp, &a, limit, now, &got, NULL, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "claimer: %s\n", err);
			break;
		}
		/* and what a dispatcher claimed for us meanwhile */
		{
			struct sl_names mine = { 0 };

			pending_tokens(pend, &mine);
			for (i = 0; i < mine.n; i++) {
				size_t	j;

				for (j = 0; j < got.n; j++)
					if (strcmp(got.v[j], mine.v[i]) == 0)
						break;
				if (j == got.n)
					sl_names_add(&got, mine.v[i]);
			}
			sl_names_free(&mine);
		}
		for (i = 0; i < got.n; i++) {
			char	id[SL_UUID_LEN + 1];
			struct timespec ts = { 0, 200000 };

			sl_token_parse(got.v[i], NULL, id);
			from = sl_path(pend, got.v[i], (char *)NULL);
			to = sl_path(sp.root, "pools", pool, "running",
			    got.v[i], (char *)NULL);
			{
				char   *rd = sl_path(sp.root, "pools", pool,
				    "running", (char *)NULL);

				(void)sl_mkdirs(rd, 0755);
				free(rd);
			}
			/* a lease, as an agent writes before the start, so
			 * that crash detection by a dispatcher running
			 * beside us leaves the run alone */
			if (sl_lease_write(from, now + 3600, sl_host(),
			    (long)getpid(), (long)getpid()) < 0)
				fprintf(stderr, "claimer: lease %s: %s\n", id,
				    strerror(errno));
			if (sane_rename(from, to) == 0) {
				nanosleep(&ts, NULL);	/* "run" it */
				if (sl_run_finish(&sp, pool, to, id,
				    SL_COMPLETED, 0, now, NULL) < 0)
					fprintf(stderr, "claimer: finish %s: "
					    "%s\n", id, strerror(errno));
				printf("%s\n", id);
			}
			free(from);
			free(to);
		}
		if (got.n == 0) {
			/* others may still hold runs that could come back */
			if (left() == 0 && ++idle > 3)
				break;
			usleep(2000);
		} else
			idle = 0;
		sl_names_free(&got);
	}
	sl_agent_deregister(&sp, &a);
	free(pend);
	return 0;
}

/* ids - add the run ids named by tokens in dir (and its subdirs if deep) */
static void
ids(const char *dir, int deep, struct sl_names *out)
{
	struct dirent *de;
	char	id[SL_UUID_LEN + 1], *p;
	DIR    *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (deep) {
			p = sl_path(dir, de->d_name, (char *)NULL);
			ids(p, 0, out);
			free(p);
		} else if (sl_token_parse(de->d_name, NULL, id) == 0)
			sl_names_add(out, id);
	}
	closedir(d);
}

/*
 * active - Pending+Running runs at one moment, never more.  Listings are
 * not one moment: a run seen in pending/ may have run and ended before
 * running/ is listed, and the run that took its slot be seen there, so
 * counting both would count one slot twice.  So pending/ is listed
 * before and after running/ (one getdents: one moment, for a handful of
 * runs): those in running/ were active then, and so were those pending
 * in both listings (a run does not go back to pending/ but by a hand-back
 * and a new claim, rare here).  A run pending only for part of the time
 * is missed: this can count too few, never too many.
 */
static long
active(const char *pe, const char *ru)
{
	struct sl_names p1 = { 0 }, r = { 0 }, p2 = { 0 };
	size_t	i;
	long	n = 0;

	ids(pe, 1, &p1);
	ids(ru, 0, &r);
	ids(pe, 1, &p2);
	n = (long)r.n;
	for (i = 0; i < p1.n; i++)
		if (sl_names_has(&p2, p1.v[i]) && !sl_names_has(&r, p1.v[i]))
			n++;
	sl_names_free(&p1);
	sl_names_free(&r);
	sl_names_free(&p2);
	return n;
}

static int
sample(const char *stop)
{
	long	mp = 0, mq[3] = { 0 }, ma = 0, v;
	static const char *const scope[] = { "pool.", "q.qa.", "q.qb." };
	char   *pd = sl_pool_dir(&sp, pool), *pe, *ru;
	struct stat st;
	long	samples = 0;
	int	i;

	pe = sl_path(pd, "pending", (char *)NULL);
	ru = sl_path(pd, "running", (char *)NULL);
	while (stat(stop, &st) < 0) {
		for (i = 0; i < 3; i++) {
			v = sl_slots_held(&sp, pool, scope[i]);
			if (v > mq[i])
				mq[i] = v;
		}
		v = active(pe, ru);
		if (v > ma)
			ma = v;
		samples++;
	}
	mp = mq[0];
	printf("samples %ld pool %ld qa %ld qb %ld active %ld\n", samples, mp,
	    mq[1], mq[2], ma);
	free(pe);
	free(ru);
	free(pd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: claimer SPOOL POOL make QUEUE N | drain "
		    "LIMIT | sample STOPFILE\n");
		return 2;
	}
	sp.root = argv[1];
	pool = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);	/* every id out, whatever ends us */
	if (strcmp(argv[3], "make") == 0 && argc == 6)
		return make(argv[4], atol(argv[5]));
	if (strcmp(argv[3], "drain") == 0)
		return drain(atol(argv[4]));
	if (strcmp(argv[3], "sample") == 0)
		return sample(argv[4]);
	return 2;
}
