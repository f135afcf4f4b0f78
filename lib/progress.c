/*
 * progress.c - a count on the terminal for a command that works on many
 * runs (sluice flow-run cancel --state, the first accept of thousands of
 * dropped files).  It is drawn on standard error only when the program
 * is one a person runs (sl_progress_cli: sluice(1) sets it; agents and
 * dispatchers, which log, never do), standard error is a terminal, the
 * caller did not turn it off (p->off: its own lines already show how far
 * it got), and the work has already taken more than
 * sl_progress_after_ms; it is redrawn at most ten times a
 * second, on one line, and erased when the work ends, so that what the
 * command prints afterwards starts on a clean line.  Nothing here fails:
 * a count that cannot be drawn is not drawn.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

int	sl_progress_cli;		/* a command a person runs: sluice(1) */
long	sl_progress_after_ms = 1000;	/* only for work longer than this */

#define REDRAW_MS	100

/* ms_since - milliseconds from a to now */
static long
ms_since(const struct timespec *a)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return 0;
	return (long)(now.tv_sec - a->tv_sec) * 1000 +
	    (now.tv_nsec - a->tv_nsec) / 1000000;
}

/* sl_progress_begin - start counting work called what, of total items
 * (0: not known in advance) */
void
sl_progress_begin(struct sl_progress *p, const char *what, long total)
{
	p->what = what;
	p->total = total;
	p->done = 0;
	p->shown = 0;
	p->off = !sl_progress_cli || !isatty(STDERR_FILENO);
	p->drawn_ms = 0;
	if (clock_gettime(CLOCK_MONOTONIC, &p->t0) < 0)
		p->t0.tv_sec = p->t0.tv_nsec = 0;
}

/* sl_progress_step - one more item done; draw the count when it is due */
void
sl_progress_step(struct sl_progress *p)
{
	long	ms;

	p->done++;
	if (p->off)
		return;
	ms = ms_since(&p->t0);
	if (ms < sl_progress_after_ms || (p->shown && ms - p->drawn_ms <
	    REDRAW_MS))
		return;
	if (p->total > 0)
		fprintf(stderr, "\r%s: %s: %ld/%ld\033[K", sl_progname(),
		    p->what, p->done, p->total);
	else
		fprintf(stderr, "\r%s: %s: %ld\033[K", sl_progname(), p->what,
		    p->done);
	fflush(stderr);
	p->shown = 1;
	p->drawn_ms = ms;
}

/* sl_progress_end - the work is over: erase the count if it was drawn */
void
sl_progress_end(struct sl_progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
}
