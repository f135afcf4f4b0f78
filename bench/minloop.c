/*
 * minloop - the helpers of bench/agent.sh and bench/compare.sh, and the
 * baseline they compare sluice-agent with: the least a spool can do to
 * start a dropped run.
 *
 *	minloop stamp FILE
 *	minloop drop NEWDIR TMPDIR DONEDIR N serial STAMP STAMPDIR [SETTLE_MS]
 *	minloop drop NEWDIR TMPDIR DONEDIR N burst
 *	minloop serve NEWDIR DONEDIR N CONC [fsync]
 *	minloop submit NEWDIR TMPDIR COMMAND [fsync]
 *	minloop wait DIR N [SECONDS]
 *	minloop lat N SETTLE_MS STAMPDIR WAITCMD ARGV...
 *
 * stamp: write CLOCK_MONOTONIC (ns, decimal) to FILE.  A run's command is
 * `exec STAMP stamp FILE', so the start time is taken by the first program
 * the run's /bin/sh execs, as early as a run can take it.
 *
 * drop: the submitter.  Run files (`[run]' and `command = ...', the
 * format of sluice-run(5)) are written in TMPDIR and renamed into NEWDIR;
 * DONEDIR is watched (inotify) for the runs that end: a name renamed or
 * made there is one run done.
 *   serial: N runs one at a time, each `exec STAMP stamp STAMPDIR/I'; the
 *   drop time is taken just before the rename; the next run is dropped
 *   SETTLE_MS (default 20) after the previous one is in DONEDIR, so each
 *   finds the consumer idle.  Prints "p50 p99 max" of start - drop, in ms.
 *   burst: N runs of `true', all written first, then renamed in as fast as
 *   possible.  Prints the seconds from the first rename to the Nth run in
 *   DONEDIR.
 *
 * serve: the baseline consumer.  inotify on NEWDIR, then the files already
 * there (nothing may be renamed in while it starts: a file renamed in
 * between the watch and the listing would be run twice); for each file: read
 * it, take its command, posix_spawn /bin/sh -c COMMAND, keeping at most
 * CONC children; when one is reaped (signalfd), rename its file to DONEDIR.
 * Exits after N.  Nothing else: no state, no supervisor, no limits held on
 * disk, and no fsync unless `fsync' is given: then the file is fsynced
 * before the rename, and NEWDIR and DONEDIR after it.
 *
 * submit: the baseline's command-line submitter, one run per process:
 * write `[run]' and `command = COMMAND' to a fresh name in TMPDIR, rename
 * it into NEWDIR.  With `fsync': the file is fsynced before the rename,
 * TMPDIR and NEWDIR after it.
 *
 * wait: block (inotify) until DIR holds N names not starting with a dot;
 * exit 1 after SECONDS (default 600) if it never does.
 *
 * lat: submit→start latency of any queue with a command-line submitter.
 * N times: ARGV (the submitting command) is run with each `@I@' in its
 * words replaced by the index, its start time taken just before the
 * posix_spawn; then WAITCMD (/bin/sh -c, `@I@' and `@N@' replaced by the
 * index and the index + 1) must return once that run is done; then
 * SETTLE_MS.  The run's command is to be `STAMP stamp STAMPDIR/@I@' (or
 * exec'd by /bin/sh).  Prints "p50 p99 max" of start - submit, in ms.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shspawn.h"

static _Noreturn void
die(const char *what)
{
	fprintf(stderr, "minloop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
put_file(const char *path, const char *text)
{
	size_t	len = strlen(text);
	int	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) < 0)
		die(path);
}

/* sync_path - fsync a file or directory by name */
static void
sync_path(const char *path)
{
	int	fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0 || close(fd) < 0)
		die(path);
}

/*
 * move - rename FROM (in FROMDIR) to TO (in TODIR); with dosync, the file
 * is fsynced before and both directories after
 */
static void
move(const char *from, const char *to, const char *fromdir,
    const char *todir, int dosync)
{
	if (dosync)
		sync_path(from);
	if (rename(from, to) < 0)
		die(to);
	if (dosync) {
		sync_path(fromdir);
		sync_path(todir);
	}
}

static int
stamp(const char *file)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%lld\n", ns_now());
	put_file(file, buf);
	return 0;
}

/* done_wait - block until `want' names have arrived in the watched dir */
static void
done_wait(int ifd, long *have, long want)
{
	char	buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t	n;
	char   *p;

	while (*have < want) {
		if ((n = read(ifd, buf, sizeof(buf))) < 0) {
			if (errno == EINTR)
				continue;
			die("inotify read");
		}
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				errno = EOVERFLOW;
				die("inotify queue");
			}
			if (ev->len > 0 && ev->name[0] != '.' &&
			    (ev->mask & (IN_MOVED_TO | IN_CREATE)))
				(*have)++;
		}
	}
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* pct - nearest-rank percentile of sorted v[n] */
static long long
pct(const long long *v, long n, int p)
{
	long	i = (long)((p * n + 99) / 100) - 1;

	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/*
 * report - read the start stamps STAMPDIR/0 .. N-1, print "p50 p99 max" of
 * start - t[i] in ms
 */
static void
report(const char *sd, const long long *t, long n)
{
	char	path[PATH_MAX];
	long long *lat, s;
	long	i;
	FILE   *f;

	if ((lat = calloc((size_t)n, sizeof(long long))) == NULL)
		die("calloc");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%ld", sd, i);
		if ((f = fopen(path, "r")) == NULL)
			die(path);
		if (fscanf(f, "%lld", &s) != 1) {
			errno = EINVAL;
			die(path);
		}
		fclose(f);
		lat[i] = s - t[i];
	}
	qsort(lat, (size_t)n, sizeof(long long), cmp_ll);
	printf("%.2f %.2f %.2f\n", pct(lat, n, 50) / 1e6,
	    pct(lat, n, 99) / 1e6, lat[n - 1] / 1e6);
	free(lat);
}

static int
drop(int argc, char **argv)
{
	const char *nd = argv[2], *td = argv[3], *dd = argv[4], *mode = argv[6];
	long	n = atol(argv[5]), i, have = 0;
	char	from[PATH_MAX], to[PATH_MAX], text[PATH_MAX + 64];
	int	serial = strcmp(mode, "serial") == 0, ifd;
	long long t0 = 0;

	if (n < 1 || (!serial && strcmp(mode, "burst") != 0) ||
	    (serial && argc < 9)) {
		fprintf(stderr, "minloop drop: bad arguments\n");
		return 2;
	}
	if ((ifd = inotify_init1(IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(ifd, dd, IN_MOVED_TO | IN_CREATE | IN_ONLYDIR) < 0)
		die(dd);
	if (!serial) {
		for (i = 0; i < n; i++) {
			snprintf(from, sizeof(from), "%s/b%06ld", td, i);
			put_file(from, "[run]\ncommand = true\n");
		}
		t0 = ns_now();
		for (i = 0; i < n; i++) {
			snprintf(from, sizeof(from), "%s/b%06ld", td, i);
			snprintf(to, sizeof(to), "%s/b%06ld", nd, i);
			if (rename(from, to) < 0)
				die(to);
		}
		done_wait(ifd, &have, n);
		printf("%.3f\n", (double)(ns_now() - t0) / 1e9);
		return 0;
	}
	{
		const char *stampbin = argv[7], *sd = argv[8];
		long	settle = argc > 9 ? atol(argv[9]) : 20;
		struct timespec gap = { settle / 1000, settle % 1000 * 1000000L };
		long long *drop_t = calloc((size_t)n, sizeof(long long));

		if (drop_t == NULL)
			die("calloc");
		for (i = 0; i < n; i++) {
			snprintf(from, sizeof(from), "%s/s%06ld", td, i);
			snprintf(to, sizeof(to), "%s/s%06ld", nd, i);
			snprintf(text, sizeof(text), "[run]\ncommand = exec %s stamp "
			    "%s/%ld\n", stampbin, sd, i);
			put_file(from, text);
			drop_t[i] = ns_now();
			if (rename(from, to) < 0)
				die(to);
			done_wait(ifd, &have, i + 1);
			nanosleep(&gap, NULL);
		}
		report(sd, drop_t, n);
		free(drop_t);
	}
	return 0;
}

/* ---- the baseline consumer ---- */

struct child {
	pid_t	pid;
	char	name[NAME_MAX + 1];
};

static void
start(const char *nd, const char *name, struct child *c)
{
	char	path[PATH_MAX], buf[4096], *cmd, *e;
	ssize_t	n;
	int	fd, rc;

	snprintf(path, sizeof(path), "%s/%s", nd, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (n = read(fd, buf, sizeof(buf) - 1)) < 0)
		die(path);
	close(fd);
	buf[n] = '\0';
	if ((cmd = strstr(buf, "command = ")) == NULL) {
		errno = EINVAL;
		die(path);
	}
	cmd += strlen("command = ");
	if ((e = strchr(cmd, '\n')) != NULL)
		*e = '\0';
	if ((rc = sh_spawn(cmd, &c->pid)) != 0) {
		errno = rc;
		die("posix_spawn");
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
}

static int
serve(int argc, char **argv)
{
	const char *nd = argv[2], *dd = argv[3];
	long	n = atol(argv[4]), conc = atol(argv[5]), done = 0, running = 0;
	long	qh = 0, qt = 0, i;
	int	dosync = argc > 6 && strcmp(argv[6], "fsync") == 0;
	struct dirent *de;
	DIR    *d;
	char	buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	char	(*q)[NAME_MAX + 1];
	struct child *ch;
	struct pollfd pf[2];
	sigset_t set;
	int	ifd, sfd;

	if (n < 1 || conc < 1) {
		fprintf(stderr, "minloop serve: bad arguments\n");
		return 2;
	}
	q = calloc((size_t)n, sizeof(*q));
	ch = calloc((size_t)conc, sizeof(*ch));
	if (q == NULL || ch == NULL)
		die("calloc");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		die("signalfd");
	if ((ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0 ||
	    inotify_add_watch(ifd, nd, IN_MOVED_TO | IN_ONLYDIR) < 0)
		die(nd);
	if ((d = opendir(nd)) == NULL)
		die(nd);
	while ((de = readdir(d)) != NULL && qt < n)
		if (de->d_name[0] != '.')
			snprintf(q[qt++], NAME_MAX + 1, "%s", de->d_name);
	closedir(d);
	/* ready: the submitter may start once this line is out */
	printf("ready\n");
	fflush(stdout);
	pf[0].fd = ifd;
	pf[0].events = POLLIN;
	pf[1].fd = sfd;
	pf[1].events = POLLIN;
	while (done < n) {
		ssize_t	k;
		char   *p;
		const struct inotify_event *ev;
		struct signalfd_siginfo si;
		pid_t	pid;

		while ((k = read(ifd, buf, sizeof(buf))) > 0)
			for (p = buf; p < buf + k; p += sizeof(*ev) + ev->len) {
				ev = (const struct inotify_event *)(void *)p;
				if (ev->len > 0 && ev->name[0] != '.' && qt < n)
					snprintf(q[qt++], NAME_MAX + 1, "%s",
					    ev->name);
			}
		while (read(sfd, &si, sizeof(si)) > 0)
			;
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			for (i = 0; i < conc; i++)
				if (ch[i].pid == pid) {
					char	a[PATH_MAX], b[PATH_MAX];

					snprintf(a, sizeof(a), "%s/%s", nd, ch[i].name);
					snprintf(b, sizeof(b), "%s/%s", dd, ch[i].name);
					move(a, b, nd, dd, dosync);
					ch[i].pid = 0;
					running--;
					done++;
					break;
				}
		for (i = 0; i < conc && qh < qt; i++)
			if (ch[i].pid == 0) {
				start(nd, q[qh++], &ch[i]);
				running++;
			}
		if (done < n && poll(pf, 2, -1) < 0 && errno != EINTR)
			die("poll");
	}
	(void)running;
	return 0;
}

static int
submit(int argc, char **argv)
{
	const char *nd = argv[2], *td = argv[3], *cmd = argv[4];
	char	from[PATH_MAX], to[PATH_MAX], text[8192];
	int	dosync = argc > 5 && strcmp(argv[5], "fsync") == 0;
	long long t = ns_now();

	snprintf(from, sizeof(from), "%s/m%lld.%ld", td, t, (long)getpid());
	snprintf(to, sizeof(to), "%s/m%lld.%ld", nd, t, (long)getpid());
	if (snprintf(text, sizeof(text), "[run]\ncommand = %s\n", cmd) >=
	    (int)sizeof(text)) {
		errno = E2BIG;
		die(cmd);
	}
	put_file(from, text);
	move(from, to, td, nd, dosync);
	return 0;
}

/* count - the names in dir not starting with a dot */
static long
count(const char *dir)
{
	struct dirent *de;
	DIR    *d;
	long	k = 0;

	if ((d = opendir(dir)) == NULL)
		die(dir);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			k++;
	closedir(d);
	return k;
}

static int
waitdir(int argc, char **argv)
{
	const char *dir = argv[2];
	long	n = atol(argv[3]), have;
	long long end = ns_now() + (argc > 4 ? atoll(argv[4]) : 600) *
	    1000000000LL;
	char	buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	struct pollfd pf;
	ssize_t	k;
	char   *p;
	int	ifd;

	if ((ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0 ||
	    inotify_add_watch(ifd, dir, IN_MOVED_TO | IN_CREATE | IN_ONLYDIR) < 0)
		die(dir);
	pf.fd = ifd;
	pf.events = POLLIN;
	/* events counted from the listing on; a name seen by both is counted
	 * twice, so the listing has the last word */
	have = count(dir);
	for (;;) {
		if (have >= n && (have = count(dir)) >= n)
			return 0;
		if (ns_now() >= end) {
			fprintf(stderr, "minloop wait: %s: %ld of %ld\n", dir,
			    count(dir), n);
			return 1;
		}
		if (poll(&pf, 1, 100) < 0 && errno != EINTR)
			die("poll");
		while ((k = read(ifd, buf, sizeof(buf))) > 0)
			for (p = buf; p < buf + k; p += sizeof(*ev) + ev->len) {
				ev = (const struct inotify_event *)(void *)p;
				if (ev->mask & IN_Q_OVERFLOW)
					have = count(dir);
				else if (ev->len > 0 && ev->name[0] != '.')
					have++;
			}
	}
}

/* subst - WORD with each `@I@' replaced by i and each `@N@' by i + 1 */
static char *
subst(const char *word, long i)
{
	char	out[8192], num[32];
	size_t	o = 0, l;
	const char *w;

	for (w = word; *w != '\0' && o < sizeof(out) - 1;) {
		if (w[0] == '@' && (w[1] == 'I' || w[1] == 'N') && w[2] == '@') {
			l = (size_t)snprintf(num, sizeof(num), "%ld",
			    w[1] == 'I' ? i : i + 1);
			if (o + l >= sizeof(out) - 1)
				break;
			memcpy(out + o, num, l);
			o += l;
			w += 3;
		} else
			out[o++] = *w++;
	}
	out[o] = '\0';
	if (*w != '\0') {
		errno = E2BIG;
		die(word);
	}
	return strdup(out);
}

/* run - posix_spawnp ARGV, stdout to /dev/null; die unless it exits 0 */
static void
run(char **av)
{
	posix_spawn_file_actions_t fa;
	pid_t	pid;
	int	rc, st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, av[0], &fa, NULL, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		die(av[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "minloop lat: %s failed (status %#x)\n", av[0],
		    st);
		exit(1);
	}
}

static int
lat(int argc, char **argv)
{
	long	n = atol(argv[2]), settle = atol(argv[3]), i;
	const char *sd = argv[4], *waitcmd = argv[5];
	struct timespec gap = { settle / 1000, settle % 1000 * 1000000L };
	int	na = argc - 6, j;
	char  **av = calloc((size_t)na + 1, sizeof(char *));
	char   *wv[] = { "sh", "-c", NULL, NULL };
	long long *t = calloc((size_t)(n > 0 ? n : 1), sizeof(long long));

	if (av == NULL || t == NULL)
		die("calloc");
	if (n < 1 || na < 1) {
		fprintf(stderr, "minloop lat: bad arguments\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < na; j++)
			av[j] = subst(argv[6 + j], i);
		wv[2] = subst(waitcmd, i);
		t[i] = ns_now();
		run(av);
		run(wv);
		for (j = 0; j < na; j++)
			free(av[j]);
		free(wv[2]);
		nanosleep(&gap, NULL);
	}
	report(sd, t, n);
	free(av);
	free(t);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "stamp") == 0)
		return stamp(argv[2]);
	if (argc >= 7 && strcmp(argv[1], "drop") == 0)
		return drop(argc, argv);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "submit") == 0)
		return submit(argc, argv);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "wait") == 0)
		return waitdir(argc, argv);
	if (argc >= 7 && strcmp(argv[1], "lat") == 0)
		return lat(argc, argv);
	fprintf(stderr, "usage: minloop stamp FILE\n"
	    "       minloop drop NEWDIR TMPDIR DONEDIR N serial STAMP STAMPDIR "
	    "[SETTLE_MS]\n"
	    "       minloop drop NEWDIR TMPDIR DONEDIR N burst\n"
	    "       minloop serve NEWDIR DONEDIR N CONC [fsync]\n"
	    "       minloop submit NEWDIR TMPDIR COMMAND [fsync]\n"
	    "       minloop wait DIR N [SECONDS]\n"
	    "       minloop lat N SETTLE_MS STAMPDIR WAITCMD ARGV...\n");
	return 2;
}
