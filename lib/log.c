/*
 * log.c - messages for people and the log of long-running programs.
 *
 * The ladder (after Postfix): sl_warn() says something went wrong and the
 * program goes on; sl_fatal() says the environment or the request cannot be
 * served and exits 1; sl_panic() says a sluice invariant is broken (a bug)
 * and aborts.  Messages go to stderr as "prog: text", or, once
 * sl_log_open("syslog") was called, to syslog(3) with the event log
 * (warnings at LOG_WARNING): a daemon's warnings end up where its log
 * does.  Fatal errors and panics go to both: whoever started the program
 * sees why it stopped.
 *
 * sl_log() is the event log of agents and dispatchers: one line per distinct
 * event, Prefect's console format
 *	HH:MM:SS.mmm | LEVEL   | logger - message
 * on stderr, or syslog(3) when sl_log_open("syslog") was called.  DEBUG
 * lines only when $SLUICE_DEBUG is set.  When stderr is the journal
 * ($JOURNAL_STREAM names its device and inode, as systemd sets it), each
 * line starts with its sd-daemon priority, "<6>" and so on, instead of
 * the time, which the journal keeps itself: a warning is a warning there.
 * The ladder's "prog: text" lines get theirs too ("<4>", "<3>", "<2>").
 *
 * Messages quote input (a dropped file's keys and values, names people
 * gave), so every message is made printable before it is written, as a
 * last defence behind the parsers that already do so (sl_printable):
 * bytes below 0x20, 0x7f, the C1 controls U+0080..U+009F and bytes that
 * are not part of valid UTF-8 (overlong forms, surrogates, past U+10FFFF,
 * cut sequences) become the four characters \xNN; valid UTF-8 is kept.
 * A terminal shown a log line or a reason file then runs no escape.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* utf8_len - bytes of the valid, non-control UTF-8 sequence at p, or 0 */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		if ((p[1] & 0xc0) != 0x80 || (p[0] == 0xc2 && p[1] < 0xa0))
			return 0;	/* cut, or a C1 control */
		return 2;
	}
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && p[1] < 0xa0) ||	/* overlong */
		    (p[0] == 0xed && p[1] >= 0xa0))	/* surrogate */
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80 ||
		    (p[0] == 0xf0 && p[1] < 0x90) ||	/* overlong */
		    (p[0] == 0xf4 && p[1] >= 0x90))	/* past U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

void
sl_printable(char *s, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char *in;
	size_t	i, j = 0, k, n;

	if (s == NULL || size == 0)
		return;
	n = strnlen(s, size - 1);
	s[n] = '\0';
	for (i = 0; i < n && (k = utf8_len((unsigned char *)s + i)) > 0; i += k)
		;
	if (i == n)
		return;			/* nothing to escape: the usual case */
	if ((in = malloc(n + 1)) == NULL) {
		for (i = 0; i < n; i++)	/* no memory: a cruder mark */
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
				s[i] = '?';
		return;
	}
	memcpy(in, s, n + 1);
	for (i = 0; i < n; i += k) {
		if ((k = utf8_len(in + i)) > 0) {
			if (j + k >= size)
				break;
			memcpy(s + j, in + i, k);
			j += k;
			continue;
		}
		k = 1;
		if (j + 4 >= size)
			break;
		s[j++] = '\\';
		s[j++] = 'x';
		s[j++] = hex[in[i] >> 4];
		s[j++] = hex[in[i] & 15];
	}
	s[j] = '\0';
	free(in);
}

/* to_journal - is stderr the journal?  $JOURNAL_STREAM is "DEV:INO" of
 * the stream systemd gave us; a stderr redirected since is not it */
static int
to_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev ==
	    dev && (unsigned long long)st.st_ino == ino;
}

static void
put_syslog(int prio, const char *msg)
{
	syslog(prio, "%s", msg);
}

/* where syslog lines go: syslog(3); a test points it elsewhere */
void	(*sl_syslog_out)(int, const char *) = put_syslog;

/* the program's word on a refused write, said once (sl_log_denied_hint) */
static char denied_hint[1024];

/*
 * sl_log_denied_hint - what a person refused a write in the spool should
 * know (whose it is, who may change it), said once after the first message
 * that reports EACCES or EPERM in strerror's words, unless the message
 * explains itself (it starts "Permission denied:").  "" says nothing.
 */
void
sl_log_denied_hint(const char *hint)
{
	snprintf(denied_hint, sizeof(denied_hint), "%s", hint);
}

/*
 * Held lines (sl_log_hold): a process that logs several lines a moment
 * (an agent's pass: a run's end, the next claim, a start) writes them in
 * one write(2) at its next wait or sleep (sl_log_flush), not one each: a
 * call a run.  Only information is held: a warning or an error (of
 * sl_log or the ladder: sl_warn, sl_fatal, sl_panic), every fork
 * (pthread_atfork: a child must not write its parent's lines again) and
 * the exit write what is held first, so nothing is reordered or lost
 * but the lines of a process killed by SIGKILL in its pass.  A child
 * holds nothing: it writes each line at once, as it comes.
 */
static struct {
	int	on;
	size_t	len;
	char	b[8192];
} held;

void
sl_log_flush(void)
{
	int	e = errno;

	/* a log that cannot be written: lost */
	if (held.len > 0)
		(void)sl_write_all(STDERR_FILENO, held.b, held.len);
	held.len = 0;
	errno = e;
}

/* unhold - in a child: its lines are written as they come (it may end
 * with _exit, or put /dev/null on stderr, before any wait of ours) */
static void
unhold(void)
{
	held.on = 0;
	held.len = 0;
}

/* sl_log_unhold - write what is held, and hold no more (an agent's end) */
void
sl_log_unhold(void)
{
	sl_log_flush();
	held.on = 0;
}

void
sl_log_hold(void)
{
	if (held.on)
		return;
	if (pthread_atfork(sl_log_flush, NULL, unhold) != 0 ||
	    atexit(sl_log_flush) != 0)
		return;		/* not told of forks: each line at once */
	held.on = 1;
}

/* emit - a whole line (with its newline) to stderr, or held if it is
 * information (a warning or an error is written at once, after what is
 * held: it may be the last a hung process says, and tests wait for it) */
static void
emit(const char *line, size_t n, int hold)
{
	if (held.on && hold && n < sizeof(held.b)) {
		if (held.len + n > sizeof(held.b))
			sl_log_flush();
		memcpy(held.b + held.len, line, n);
		held.len += n;
		return;
	}
	sl_log_flush();
	fwrite(line, 1, n, stderr);
}

/*
 * The relay: where this process's lines go instead of its stderr, when
 * set (sl_log_relay): a keeper's start, whose stderr is /dev/null since
 * its first run's supervision, hands them to its agent as words
 * (bin/sluice-agent.c), which logs them as a starter's own would be.
 */
static void (*relay)(enum sl_level, const char *);

void
sl_log_relay(void (*fn)(enum sl_level, const char *))
{
	relay = fn;
}

/* put - one line of the ladder to the sink; also to stderr if always */
static void
put(int prio, int always, const char *line)
{
	if (relay != NULL) {
		relay(prio <= LOG_ERR ? SL_ERROR : SL_WARNING, line);
		return;
	}
	sl_log_flush();
	if (use_syslog)
		sl_syslog_out(prio, line);
	if ((!use_syslog || always) && to_journal())
		fprintf(stderr, "<%d>%s: %s\n", prio, progname, line);
	else if (!use_syslog || always)
		fprintf(stderr, "%s: %s\n", progname, line);
}

/* vmsg - a message of the ladder, and the hint it calls for */
static void
vmsg(int prio, int always, const char *fmt, va_list ap)
{
	char	line[2048];
	int	e = errno;

	vsnprintf(line, sizeof(line), fmt, ap);
	sl_printable(line, sizeof(line));
	put(prio, always, line);
	if (denied_hint[0] != '\0' && strncmp(line, "Permission denied",
	    17) != 0 && (strstr(line, strerror(EACCES)) != NULL ||
	    strstr(line, strerror(EPERM)) != NULL)) {
		put(prio, always, denied_hint);
		denied_hint[0] = '\0';
	}
	errno = e;
}

void
sl_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmsg(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
sl_fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmsg(LOG_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
sl_panic(const char *fmt, ...)
{
	char	line[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sl_printable(line, sizeof(line));
	sl_log_flush();
	fprintf(stderr, "%s%s: panic: %s (this is a bug in sluice; please "
	    "report it)\n", to_journal() ? "<2>" : "", progname, line);
	if (use_syslog)
		sl_syslog_out(LOG_CRIT, line);
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
	/* (msg is sl_log's, already printable, or a test's) */
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
	size_t	n;
	int	k;

	if (lv == SL_DEBUG && getenv("SLUICE_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl_printable(msg, sizeof(msg));
	if (relay != NULL) {
		relay(lv, msg);
		return;
	}
	if (use_syslog) {
		sl_syslog_out(prio[lv], msg);
		return;
	}
	/* the line without its newline, in all but a byte of line */
	if (to_journal()) {
		k = snprintf(line, sizeof(line) - 1, "<%d>%-7s | %s - %s",
		    prio[lv], levelname[lv], logger, msg);
		n = k < 0 ? 0 : (size_t)k;
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		n = sl_log_format(line, sizeof(line) - 1, &ts, lv, logger,
		    msg);
	}
	if (n > sizeof(line) - 2)	/* cut: its newline kept */
		n = sizeof(line) - 2;
	line[n++] = '\n';
	emit(line, n, lv <= SL_INFO);
}
