/*
 * sampler.c - the chaos campaign's eyes: which runs' commands are alive
 * right now, read from /proc, and whether they break a limit.
 *
 *	sampler -c CAMPAIGN -P POOL_LIMIT [-q QUEUE=LIMIT]... [-i USEC] -o FILE
 *
 * Algorithm.  Every USEC microseconds (default 2000) until SIGTERM:
 *
 *  1. Scan.  List /proc; for each process read /proc/PID/stat: its state,
 *     start time and env_start.  A zombie (Z) or dead (X) process does no
 *     work and counts as gone.  Its environment is read once per (pid,
 *     start time, env_start) (exec moves env_start, so a supervisor that
 *     forks and then execs a command is read again) and says whether it is
 *     one of this campaign's commands: it holds CHAOS_CAMPAIGN=CAMPAIGN and
 *     SLUICE_RUN_ID (set by the supervisor), plus SLUICE_RUN_ATTEMPT,
 *     SLUICE_QUEUE, and CHAOS_AGENT / CHAOS_ALIMIT (the agent instance that
 *     started it and its --limit, passed on from the agent's environment).
 *     Every process of a command counts: its leader, its subshell, a
 *     sleep.  The unit counted is a live (run, attempt).
 *  2. Count, per scope: the pool (every live (run, attempt)), each limited
 *     queue, each agent instance with a limit; and per run the number of
 *     distinct live attempts (more than one is a violation).
 *  3. Confirm.  A scan takes time, so a process read early may have died
 *     before one read late was born: a scope over its limit in one scan is
 *     not yet proof.  The processes behind every offending scope are read
 *     again after the scan; those still alive with the same start time
 *     were all alive together at the moment the first re-read began (each
 *     was alive at its scan read and at its re-read, and every scan read
 *     precedes every re-read).  Only confirmed processes are counted again,
 *     and only a confirmed excess is a violation.
 *  4. Report each violation episode once, when it begins:
 *	V KIND SCOPE T_MS COUNT/LIMIT RUN:ATTEMPT:PID...
 *     (KIND: pool, queue, agent, attempts), and its length when it ends:
 *	E KIND SCOPE T_MS DURATION_MS MAX
 *     and at exit one summary line:
 *	S samples N scan_us_mean U scan_us_max U live_mean M max_pool P
 *	  max_queue.Q N... max_agent N
 *
 * Times are CLOCK_REALTIME milliseconds, comparable with the ledger's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXLIVE	4096		/* live processes of our commands, per scan */
#define HSIZE	8192 		/* process cache, open addressing, by pid */
#define MAXQ	16

struct proc {
	int	pid;		/* 0: free slot */
	unsigned long long start, envstart;
	int	seen;		/* scan number it was last seen in */
	int	ours;
	char	run[40];
	int	attempt;
	char	queue[72];
	char	agent[72];
	int	alimit;
};

static struct proc cache[HSIZE];
static volatile sig_atomic_t stop;
static const char *campaign;
static int pool_limit = -1;
static struct { char name[72]; int limit, max; } queues[MAXQ];
static int nqueues;
static FILE *out;

static void on_term(int sig) { (void)sig; stop = 1; }

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * read_stat - state letter, start time and env_start of pid: 0, or -1 if
 * the process is gone (or unreadable, which for us is the same).  Not
 * libsluice's sl_proc_stat, on purpose: the judge shares no code with
 * what it judges (and needs env_start, field 48, which sluice does not).
 */
static int
read_stat(int pid, char *state, unsigned long long *start,
    unsigned long long *envstart)
{
	char	path[64], buf[2048], *p, *tok, *save;
	ssize_t	n;
	int	fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	*envstart = 0;
	*start = 0;
	*state = '?';
	/* fields after "(comm)" start at number 3 (proc(5)) */
	for (field = 3, tok = strtok_r(p + 1, " ", &save); tok != NULL;
	    field++, tok = strtok_r(NULL, " ", &save)) {
		if (field == 3)
			*state = tok[0];
		else if (field == 22)
			*start = strtoull(tok, NULL, 10);
		else if (field == 48) {
			*envstart = strtoull(tok, NULL, 10);
			break;
		}
	}
	return 0;
}

static int
alive_state(char s)
{
	return s != 'Z' && s != 'X' && s != 'x';
}

/* read_env - fill p's identity from /proc/PID/environ; -1 if unreadable */
static int
read_env(struct proc *p)
{
	static char buf[1 << 17];
	char	path[64], *e, *end;
	size_t	len = 0;
	ssize_t	n;
	int	fd, have_campaign = 0, have_run = 0;

	snprintf(path, sizeof(path), "/proc/%d/environ", p->pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	p->ours = 0;
	p->run[0] = p->queue[0] = p->agent[0] = '\0';
	p->attempt = 0;
	p->alimit = 0;
	for (e = buf, end = buf + len; e < end; e += strlen(e) + 1) {
		if (strncmp(e, "CHAOS_CAMPAIGN=", 15) == 0)
			have_campaign = strcmp(e + 15, campaign) == 0;
		else if (strncmp(e, "SLUICE_RUN_ID=", 14) == 0) {
			snprintf(p->run, sizeof(p->run), "%s", e + 14);
			have_run = 1;
		} else if (strncmp(e, "SLUICE_RUN_ATTEMPT=", 19) == 0)
			p->attempt = atoi(e + 19);
		else if (strncmp(e, "SLUICE_QUEUE=", 13) == 0)
			snprintf(p->queue, sizeof(p->queue), "%s", e + 13);
		else if (strncmp(e, "CHAOS_AGENT=", 12) == 0)
			snprintf(p->agent, sizeof(p->agent), "%s", e + 12);
		else if (strncmp(e, "CHAOS_ALIMIT=", 13) == 0)
			p->alimit = atoi(e + 13);
	}
	p->ours = have_campaign && have_run;
	return 0;
}

static struct proc *
lookup(int pid)
{
	unsigned i = (unsigned)pid % HSIZE, k;

	for (k = 0; k < HSIZE; k++, i = (i + 1) % HSIZE)
		if (cache[i].pid == pid || cache[i].pid == 0)
			return &cache[i];
	return NULL;
}

/* drop the entries of processes not seen in this scan: rebuild the table */
static void
prune(int scan)
{
	static struct proc keep[HSIZE];
	int	i, n = 0;

	for (i = 0; i < HSIZE; i++)
		if (cache[i].pid != 0 && cache[i].seen == scan)
			keep[n++] = cache[i];
	memset(cache, 0, sizeof(cache));
	for (i = 0; i < n; i++)
		*lookup(keep[i].pid) = keep[i];
}

/* ---- violation episodes ---- */
#define MAXEP	256
static struct ep { char key[160]; long long t0; int max, active, seen; } eps[MAXEP];

/* the active episode of key, or NULL */
static struct ep *
episode(const char *key)
{
	int	i;

	for (i = 0; i < MAXEP; i++)
		if (eps[i].active && strcmp(eps[i].key, key) == 0)
			return &eps[i];
	return NULL;
}

/* a new episode of key, begun at t (NULL if too many at once) */
static struct ep *
episode_new(const char *key, long long t)
{
	int	i;

	for (i = 0; i < MAXEP; i++)
		if (!eps[i].active) {
			snprintf(eps[i].key, sizeof(eps[i].key), "%s", key);
			eps[i].t0 = t;
			eps[i].max = 0;
			eps[i].active = 1;
			eps[i].seen = 0;
			return &eps[i];
		}
	return NULL;
}

static struct proc *live[MAXLIVE];
static int nlive;

/* distinct (run, attempt) among live[] for which sel() holds */
typedef int (*selfn)(const struct proc *, const void *);

static int
count_pairs(struct proc **v, int n, selfn sel, const void *arg)
{
	int	i, j, c = 0;

	for (i = 0; i < n; i++) {
		if (!sel(v[i], arg))
			continue;
		for (j = 0; j < i; j++)
			if (sel(v[j], arg) && v[j]->attempt == v[i]->attempt &&
			    strcmp(v[j]->run, v[i]->run) == 0)
				break;
		if (j == i)
			c++;
	}
	return c;
}

static int sel_all(const struct proc *p, const void *a) { (void)a; (void)p; return 1; }
static int sel_queue(const struct proc *p, const void *a) { return strcmp(p->queue, a) == 0; }
static int sel_agent(const struct proc *p, const void *a) { return strcmp(p->agent, a) == 0; }
static int sel_run(const struct proc *p, const void *a) { return strcmp(p->run, a) == 0; }

/* distinct attempts of run among v */
static int
count_attempts(struct proc **v, int n, const char *run)
{
	int	i, j, c = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->run, run) != 0)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(v[j]->run, run) == 0 &&
			    v[j]->attempt == v[i]->attempt)
				break;
		if (j == i)
			c++;
	}
	return c;
}

/*
 * confirm - the processes of live[] for which sel() holds, re-read now;
 * those still alive as the same process go to conf[]
 */
static int
confirm(selfn sel, const void *arg, struct proc **conf)
{
	unsigned long long start, envstart;
	char	state;
	int	i, n = 0;

	for (i = 0; i < nlive; i++) {
		if (!sel(live[i], arg))
			continue;
		if (read_stat(live[i]->pid, &state, &start, &envstart) == 0 &&
		    alive_state(state) && start == live[i]->start)
			conf[n++] = live[i];
	}
	return n;
}

static struct proc *conf[MAXLIVE];

/*
 * scope - check one scope whose count in this scan is count: if it is over
 * limit, confirm (step 3), and report a confirmed excess (step 4)
 */
static void
scope(const char *kind, const char *name, int limit, int count, selfn sel,
    const void *arg, long long t)
{
	char	key[160];
	struct ep *e;
	int	n, c, i;

	if (count <= limit)
		return;
	n = confirm(sel, arg, conf);
	c = strcmp(kind, "attempts") == 0 ? count_attempts(conf, n, arg) :
	    count_pairs(conf, n, sel_all, NULL);
	if (c <= limit)
		return;
	snprintf(key, sizeof(key), "%s %s", kind, name);
	if ((e = episode(key)) == NULL) {
		if ((e = episode_new(key, t)) == NULL)
			return;
		fprintf(out, "V %s %lld %d/%d", key, t, c, limit);
		for (i = 0; i < n; i++)
			fprintf(out, " %s:%d:%d", conf[i]->run,
			    conf[i]->attempt, conf[i]->pid);
		fprintf(out, "\n");
		fflush(out);
	}
	e->seen = 1;
	if (c > e->max)
		e->max = c;
}

/* end the episodes not seen in this scan */
static void
close_episodes(long long t, int all)
{
	int	i;

	for (i = 0; i < MAXEP; i++) {
		if (!eps[i].active)
			continue;
		if (eps[i].seen && !all) {
			eps[i].seen = 0;
			continue;
		}
		fprintf(out, "E %s %lld %lld %d\n", eps[i].key, t,
		    t - eps[i].t0, eps[i].max);
		fflush(out);
		eps[i].active = 0;
		eps[i].seen = 0;
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: sampler -c CAMPAIGN -P POOL_LIMIT "
	    "[-q QUEUE=LIMIT]... [-i USEC] -o FILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *outpath = NULL;
	long	interval = 2000;
	long long samples = 0, scan_sum = 0, scan_max = 0, live_sum = 0;
	int	c, i, j, scan = 0, max_pool = 0, max_agent = 0;
	struct sigaction sa;

	while ((c = getopt(argc, argv, "c:P:q:i:o:")) != -1) {
		switch (c) {
		case 'c': campaign = optarg; break;
		case 'P': pool_limit = atoi(optarg); break;
		case 'i': interval = atol(optarg); break;
		case 'o': outpath = optarg; break;
		case 'q': {
			char *eq = strchr(optarg, '=');

			if (eq == NULL || nqueues == MAXQ)
				usage();
			snprintf(queues[nqueues].name, sizeof(queues[0].name),
			    "%.*s", (int)(eq - optarg), optarg);
			queues[nqueues++].limit = atoi(eq + 1);
			break;
		}
		default: usage();
		}
	}
	if (campaign == NULL || outpath == NULL || pool_limit < 0)
		usage();
	if ((out = fopen(outpath, "a")) == NULL) {
		fprintf(stderr, "sampler: cannot open %s: %s\n", outpath,
		    strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	while (!stop) {
		DIR	*d;
		struct dirent *de;
		long long t0 = mono_us(), t, dt;

		scan++;
		nlive = 0;
		if ((d = opendir("/proc")) == NULL) {
			fprintf(stderr, "sampler: cannot list /proc: %s\n",
			    strerror(errno));
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			unsigned long long start, envstart;
			struct proc *p;
			char	state;
			int	pid = atoi(de->d_name);

			if (pid <= 0)
				continue;
			if (read_stat(pid, &state, &start, &envstart) < 0)
				continue;
			if ((p = lookup(pid)) == NULL)
				continue;	/* cache full: cannot happen */
			if (p->pid != pid || p->start != start ||
			    p->envstart != envstart) {
				p->pid = pid;
				p->start = start;
				p->envstart = envstart;
				if (read_env(p) < 0) {
					p->pid = 0;	/* read again next scan */
					continue;
				}
			}
			p->seen = scan;
			if (p->ours && alive_state(state) && nlive < MAXLIVE)
				live[nlive++] = p;
		}
		closedir(d);
		t = now_ms();

		/* 2, 3, 4: count, confirm, report */
		c = count_pairs(live, nlive, sel_all, NULL);
		live_sum += c;
		if (c > max_pool)
			max_pool = c;
		scope("pool", "pool", pool_limit, c, sel_all, NULL, t);
		for (i = 0; i < nqueues; i++) {
			c = count_pairs(live, nlive, sel_queue, queues[i].name);
			if (c > queues[i].max)
				queues[i].max = c;
			scope("queue", queues[i].name, queues[i].limit, c,
			    sel_queue, queues[i].name, t);
		}
		for (i = 0; i < nlive; i++) {
			for (j = 0; j < i; j++)
				if (strcmp(live[j]->agent, live[i]->agent) == 0)
					break;
			if (j < i)
				continue;	/* agent done already */
			if (live[i]->alimit > 0) {
				c = count_pairs(live, nlive, sel_agent,
				    live[i]->agent);
				if (c > max_agent)
					max_agent = c;
				scope("agent", live[i]->agent, live[i]->alimit,
				    c, sel_agent, live[i]->agent, t);
			}
		}
		for (i = 0; i < nlive; i++) {
			for (j = 0; j < i; j++)
				if (strcmp(live[j]->run, live[i]->run) == 0)
					break;
			if (j < i)
				continue;
			c = count_attempts(live, nlive, live[i]->run);
			scope("attempts", live[i]->run, 1, c, sel_run,
			    live[i]->run, t);
		}
		close_episodes(t, 0);
		if (scan % 64 == 0)
			prune(scan);

		dt = mono_us() - t0;
		scan_sum += dt;
		if (dt > scan_max)
			scan_max = dt;
		samples++;
		if (interval > 0) {
			struct timespec ts = { interval / 1000000,
			    (interval % 1000000) * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	close_episodes(now_ms(), 1);
	fprintf(out, "S samples %lld scan_us_mean %lld scan_us_max %lld "
	    "live_mean %.2f max_pool %d", samples,
	    samples ? scan_sum / samples : 0, scan_max,
	    samples ? (double)live_sum / samples : 0.0, max_pool);
	for (i = 0; i < nqueues; i++)
		fprintf(out, " max_queue.%s %d", queues[i].name, queues[i].max);
	fprintf(out, " max_agent %d\n", max_agent);
	fclose(out);
	return 0;
}
