/*
 * starttick - how often a fork knows its /proc start tick without reading
 * /proc (sl_start_tick), and whether it was ever wrong: N forks, each
 * child computing its tick from two clock readings around its fork, at
 * sluice's margin and at a margin given (ns; 0 none), the parent
 * comparing both with /proc/PID/stat.  A wrong tick would make a live
 * supervisor look dead to crash detection; "wrong" must stay 0.
 *
 * usage: bench/starttick [N [MARGIN_NS]]   (run two at once to load it)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sluice.h"

/* tick_at - sl_start_tick's arithmetic at another margin */
static unsigned long long
tick_at(long long before, long long after, long hz, long long margin)
{
	long long tick = 1000000000LL / hz, t = before / tick;

	if (after / tick != t || before - t * tick < margin ||
	    (t + 1) * tick - after < margin)
		return 0;
	return (unsigned long long)t;
}

int
main(int argc, char **argv)
{
	long long margin = argc > 2 ? atoll(argv[2]) : 0, t0, t1;
	long	hz = sysconf(_SC_CLK_TCK);
	int	n = argc > 1 ? atoi(argv[1]) : 2000, i, p[2];
	int	known = 0, knownm = 0, wrong = 0, wrongm = 0;
	unsigned long long r[2], real;
	pid_t	pid;

	for (i = 0; i < n; i++) {
		if (pipe(p) < 0) {
			perror("starttick: pipe");
			return 1;
		}
		t0 = sl_boot_ns();
		if ((pid = fork()) < 0) {
			perror("starttick: fork");
			return 1;
		}
		if (pid == 0) {
			t1 = sl_boot_ns();
			r[0] = sl_start_tick(t0, t1, hz);
			r[1] = tick_at(t0, t1, hz, margin);
			if (write(p[1], r, sizeof(r)) != (ssize_t)sizeof(r))
				_exit(1);
			pause();	/* alive while the parent reads /proc */
			_exit(0);
		}
		if (read(p[0], r, sizeof(r)) != (ssize_t)sizeof(r)) {
			fprintf(stderr, "starttick: child %ld said nothing\n",
			    (long)pid);
			return 1;
		}
		real = sl_proc_start((long)pid);
		if (r[0] != 0 && (known++, r[0] != real))
			wrong++;
		if (r[1] != 0 && (knownm++, r[1] != real))
			wrongm++;
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		close(p[0]);
		close(p[1]);
	}
	printf("forks %d  sluice's margin: known %d (%.1f %%) wrong %d  |  "
	    "margin %lld ns: known %d (%.1f %%) wrong %d\n", n, known,
	    100.0 * known / n, wrong, margin, knownm, 100.0 * knownm / n,
	    wrongm);
	return wrong + wrongm != 0;
}
