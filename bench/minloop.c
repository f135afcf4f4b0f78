/*
 * minloop - the helpers of bench/agent.sh, and the baseline it compares
 * sluice-agent with: the least a spool can do to start a dropped run.
 *
 *	minloop stamp FILE
 *	minloop drop NEWDIR TMPDIR DONEDIR N serial STAMP STAMPDIR [SETTLE_MS]
 *	minloop drop NEWDIR TMPDIR DONEDIR N burst
 *	minloop serve NEWDIR DONEDIR N CONC
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
 * serve: the baseline consumer.  inotify on NEWDIR; for each file renamed
 * in: read it, take its command, posix_spawn /bin/sh -c COMMAND, keeping
 * at most CONC children; when one is reaped (signalfd), rename its file
 * to DONEDIR.  Exits after N.  Nothing else: no fsync, no state, no
 * supervisor, no limits held on disk.
 */
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

extern char **environ;

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

static int
drop(int argc, char **argv)
{
	const char *nd = argv[2], *td = argv[3], *dd = argv[4], *mode = argv[6];
	long	n = atol(argv[5]), i, have = 0;
	char	from[PATH_MAX], to[PATH_MAX], text[PATH_MAX + 64];
	int	serial = strcmp(mode, "serial") == 0, ifd;
	long long *lat = NULL, t0 = 0;

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
		FILE   *f;

		lat = calloc((size_t)n, sizeof(long long));
		if (drop_t == NULL || lat == NULL)
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
		for (i = 0; i < n; i++) {
			long long s;

			snprintf(from, sizeof(from), "%s/%ld", sd, i);
			if ((f = fopen(from, "r")) == NULL)
				die(from);
			if (fscanf(f, "%lld", &s) != 1) {
				errno = EINVAL;
				die(from);
			}
			fclose(f);
			lat[i] = s - drop_t[i];
		}
		qsort(lat, (size_t)n, sizeof(long long), cmp_ll);
		printf("%.2f %.2f %.2f\n", pct(lat, n, 50) / 1e6,
		    pct(lat, n, 99) / 1e6, lat[n - 1] / 1e6);
		free(drop_t);
		free(lat);
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
	char   *argv[] = { "sh", "-c", NULL, NULL };
	posix_spawnattr_t at;
	sigset_t none;
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
	argv[2] = cmd;
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setsigmask(&at, &none);
	rc = posix_spawn(&c->pid, "/bin/sh", NULL, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		errno = rc;
		die("posix_spawn");
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
}

static int
serve(char **argv)
{
	const char *nd = argv[2], *dd = argv[3];
	long	n = atol(argv[4]), conc = atol(argv[5]), done = 0, running = 0;
	long	qh = 0, qt = 0, i;
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
					if (rename(a, b) < 0)
						die(b);
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

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "stamp") == 0)
		return stamp(argv[2]);
	if (argc >= 7 && strcmp(argv[1], "drop") == 0)
		return drop(argc, argv);
	if (argc == 6 && strcmp(argv[1], "serve") == 0)
		return serve(argv);
	fprintf(stderr, "usage: minloop stamp FILE\n"
	    "       minloop drop NEWDIR TMPDIR DONEDIR N serial STAMP STAMPDIR "
	    "[SETTLE_MS]\n"
	    "       minloop drop NEWDIR TMPDIR DONEDIR N burst\n"
	    "       minloop serve NEWDIR DONEDIR N CONC\n");
	return 2;
}
