/*
 * mkruns - fill a queue with N Scheduled runs, fast, for bench/dispatch.sh.
 *
 *	mkruns SPOOL POOL QUEUE N
 *
 * The first run is submitted with sl_run_submit (write, fsync, rename);
 * the others are copies of it made with mkdir + write (no fsync) under
 * fresh tokens and ids, each with its id hint (ids/XX/ID, as submit
 * writes it), because N fsyncs would make the set-up, not the dispatch
 * pass, what the benchmark measures.  Their times are spread as submits
 * one every 3 ms make them (each run due when submitted, the last a
 * minute ago), so each lands in the bucket of sched/ that a submit would
 * put it in (sched/B/T.U.ID, lib/sched.c): 5,333 runs a bucket.  Each copy's run.ini names the first
 * run's id, which the claim protocol never reads: it orders and claims by
 * token.  So these runs serve listing and claiming benchmarks only: an
 * agent refuses to start a run whose run.ini names another run (they end
 * Rejected); drain benchmarks submit their runs with sluice submit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static int
copy(const char *from, const char *to)
{
	static char *text;
	static ssize_t n = -1;
	FILE   *f;

	if (n < 0 && (n = sl_read_file(from, &text, SL_INI_MAX)) < 0)
		return -1;
	if ((f = fopen(to, "w")) == NULL)
		return -1;
	fwrite(text, 1, (size_t)n, f);
	return fclose(f);
}

int
main(int argc, char **argv)
{
	struct sl_spool sp = { 0 };
	struct sl_runspec r;
	char	err[SL_ERR_MAX], tok[96], id[SL_UUID_LEN + 1], *sd, *first = NULL;
	char   *d, *src, *dst;
	long	n, i;
	time_t	now = time(NULL);

	if (argc != 5 || (n = atol(argv[4])) < 1) {
		fprintf(stderr, "usage: mkruns SPOOL POOL QUEUE N\n");
		return 2;
	}
	sp.root = argv[1];
	memset(&r, 0, sizeof(r));
	snprintf(r.pool, sizeof(r.pool), "%s", argv[2]);
	snprintf(r.queue, sizeof(r.queue), "%s", argv[3]);
	r.command = sl_xstrdup("true");
	r.scheduled = now - 60;
	if (sl_run_submit(&sp, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "mkruns: %s\n", err);
		return 1;
	}
	sd = sl_path(sp.root, "pools", argv[2], "queues", argv[3], "sched",
	    (char *)NULL);
	{
		/* locate by listing once (set-up only) */
		FILE   *p;
		char	cmd[4096], line[256];

		snprintf(cmd, sizeof(cmd), "find '%s' -name '*.%s'", sd, r.id);
		if ((p = popen(cmd, "r")) != NULL) {
			if (fgets(line, sizeof(line), p) != NULL) {
				line[strcspn(line, "\n")] = '\0';
				first = sl_path(line, "run.ini", (char *)NULL);
			}
			pclose(p);
		}
	}
	if (first == NULL) {
		fprintf(stderr, "mkruns: cannot find the first run\n");
		return 1;
	}
	for (i = 1; i < n; i++) {
		unsigned long long us = (unsigned long long)(now - 60) *
		    1000000ULL - (unsigned long long)(n - i) * 3000ULL;

		if (sl_uuid(id) < 0)
			return 1;
		snprintf(tok, sizeof(tok), "%016llx.%016llx.%s",
		    us / 1000000ULL, us, id);
		d = sl_sched_run(&sp, argv[2], argv[3], tok);
		src = first;
		dst = sl_path(d, "run.ini", (char *)NULL);
		if ((mkdir(d, 0755) < 0 && (errno != ENOENT ||
		    sl_mkdirs(d, 0755) < 0)) || copy(src, dst) < 0) {
			fprintf(stderr, "mkruns: %s: %s\n", d, strerror(errno));
			return 1;
		}
		(void)sl_idhint_write(&sp, argv[2], argv[3], tok);	/* as submit */
		free(d);
		free(dst);
	}
	sl_runspec_free(&r);
	free(first);
	free(sd);
	return 0;
}
