/*
 * log.c - messages for people and the log of long-running programs.
 *
 * The ladder (after Postfix): sl_warn() says something went wrong and the
 * program goes on; sl_fatal() says the environment or the request cannot be
 * served and exits 1; sl_panic() says a sluice invariant is broken (a bug)
 * and aborts.  Messages go to stderr as "prog: text".
 *
 * sl_log() is the event log of agents and dispatchers: one line per distinct
 * event, Prefect's console format
 *	HH:MM:SS.mmm | LEVEL   | logger - message
 * on stderr, or syslog(3) when sl_log_open("syslog") was called.  DEBUG
 * lines only when $SLUICE_DEBUG is set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "sluice.h"

static const char *progname = "sluice";
static int use_syslog;
static const char *logger = "sluice";

void
sl_set_progname(const char *p)
{
	const char *s = strrchr(p, '/');

	progname = s != NULL ? s + 1 : p;
}

const char *
sl_progname(void)
{
	return progname;
}

static void
vmsg(const char *fmt, va_list ap)
{
	char	line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: %s\n", progname, line);
}

void
sl_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void
sl_fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(1);
}

void
sl_panic(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: panic: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (this is a bug in sluice; please report it)\n", stderr);
	abort();
}

int
sl_log_open(const char *dest, const char *name)
{
	if (name != NULL)
		logger = name;
	if (dest == NULL || strcmp(dest, "stderr") == 0) {
		use_syslog = 0;
		return 0;
	}
	if (strcmp(dest, "syslog") == 0) {
		openlog(progname, LOG_PID, LOG_DAEMON);
		use_syslog = 1;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static const char *const levelname[] = { "DEBUG", "INFO", "WARNING", "ERROR" };

/* sl_log_format - one log line, without the newline, into buf */
size_t
sl_log_format(char *buf, size_t len, const struct timespec *ts,
    enum sl_level lv, const char *who, const char *msg)
{
	struct tm tm;
	int	n;

	localtime_r(&ts->tv_sec, &tm);
	n = snprintf(buf, len, "%02d:%02d:%02d.%03ld | %-7s | %s - %s",
	    tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000L,
	    levelname[lv], who, msg);
	return n < 0 ? 0 : (size_t)n;
}

void
sl_log(enum sl_level lv, const char *fmt, ...)
{
	static const int prio[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };
	char	msg[2048], line[2200];
	struct timespec ts;
	va_list	ap;

	if (lv == SL_DEBUG && getenv("SLUICE_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (use_syslog) {
		syslog(prio[lv], "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	sl_log_format(line, sizeof(line), &ts, lv, logger, msg);
	fprintf(stderr, "%s\n", line);
}
