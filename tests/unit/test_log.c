/*
 * test_log.c - lib/log.c: Prefect's console line format (sl_log_format),
 * the program name, the warn / fatal / panic ladder (stderr, exit 1,
 * abort), and the journal's priority prefixes ($JOURNAL_STREAM).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include "tests.h"

static void
utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

START_TEST(test_log_format)
{
	struct timespec ts = { 1795874400 + 3 * 3600 + 4 * 60 + 5, 123456789 };
	char	buf[256];
	size_t	n;

	utc();
	n = sl_log_format(buf, sizeof(buf), &ts, SL_INFO, "logger", "msg");
	ck_assert_str_eq(buf, "17:04:05.123 | INFO    | logger - msg");
	ck_assert_uint_eq(n, strlen(buf));
	sl_log_format(buf, sizeof(buf), &ts, SL_WARNING, "prefect.agent",
	    "Submitting flow run 'x'");
	ck_assert_str_eq(buf, "17:04:05.123 | WARNING | prefect.agent - "
	    "Submitting flow run 'x'");
	ts.tv_nsec = 999999999;		/* milliseconds are cut, not rounded */
	sl_log_format(buf, sizeof(buf), &ts, SL_ERROR, "a", "b");
	ck_assert_str_eq(buf, "17:04:05.999 | ERROR   | a - b");
	ts.tv_nsec = 0;
	ts.tv_sec = 1795874400 - 14 * 3600;	/* midnight */
	sl_log_format(buf, sizeof(buf), &ts, SL_DEBUG, "a", "b");
	ck_assert_str_eq(buf, "00:00:00.000 | DEBUG   | a - b");
}
END_TEST

START_TEST(test_log_format_local_time)
{
	struct timespec ts = { 1795874400, 5000000 };
	char	buf[128];

	setenv("TZ", "UTC-2", 1);		/* POSIX: two hours east */
	tzset();
	sl_log_format(buf, sizeof(buf), &ts, SL_INFO, "l", "m");
	ck_assert_str_eq(buf, "16:00:00.005 | INFO    | l - m");
}
END_TEST

START_TEST(test_log_format_truncates)
{
	struct timespec ts = { 1795874400, 0 };
	char	buf[10];
	size_t	n;

	utc();
	memset(buf, 'X', sizeof(buf));
	n = sl_log_format(buf, sizeof(buf), &ts, SL_INFO, "logger", "msg");
	ck_assert_str_eq(buf, "14:00:00.");		/* cut, terminated */
	ck_assert_uint_eq(n, strlen("14:00:00.000 | INFO    | logger - msg"));
}
END_TEST

/* stderr_to - send stderr to a file in a scratch dir; returns its path */
static char *
stderr_to(void)
{
	char   *d = t_tmpdir(), *p = sl_path(d, "stderr", (char *)NULL);
	int	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	free(d);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	close(fd);
	return p;
}

START_TEST(test_progname_and_warn)
{
	char   *p, *text;

	sl_set_progname("/usr/local/bin/sluice-agent");
	ck_assert_str_eq(sl_progname(), "sluice-agent");
	sl_set_progname("plain");
	ck_assert_str_eq(sl_progname(), "plain");
	p = stderr_to();
	sl_warn("cannot do %s: %d", "that", 42);
	text = t_read(p);
	ck_assert_str_eq(text, "plain: cannot do that: 42\n");
	free(text);
	free(p);
}
END_TEST

START_TEST(test_log_to_stderr)
{
	char   *p, *text;

	utc();
	ck_assert_int_eq(sl_log_open("stderr", "sluice.agent"), 0);
	p = stderr_to();
	sl_log(SL_INFO, "Agent started! %d", 1);
	text = t_read(p);
	/* HH:MM:SS.mmm | INFO    | sluice.agent - Agent started! 1\n */
	ck_assert_uint_eq(strlen(text), 13 + strlen("| INFO    | sluice.agent"
	    " - Agent started! 1\n"));
	ck_assert_ptr_nonnull(strstr(text, " | INFO    | sluice.agent - "
	    "Agent started! 1\n"));
	ck_assert_int_eq(text[2], ':');
	ck_assert_int_eq(text[8], '.');
	free(text);
	free(p);
	errno = 0;
	ck_assert_int_eq(sl_log_open("foo", NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* held lines (sl_log_hold): none written until the flush, then all in
 * order; a warning writes what is held first; a child forked meanwhile
 * writes its own at once and not its parent's; exit writes the rest */
START_TEST(test_log_hold)
{
	char   *p, *text, *a, *b, *c, *w;
	pid_t	pid;
	int	st;

	utc();
	ck_assert_int_eq(sl_log_open("stderr", "sluice.agent"), 0);
	p = stderr_to();
	sl_log_hold();
	sl_log(SL_INFO, "first");
	sl_log(SL_INFO, "second");
	text = t_read(p);
	ck_assert_str_eq(text, "");		/* held */
	free(text);
	if ((pid = fork()) == 0) {		/* the fork wrote ours first */
		sl_log(SL_INFO, "child");	/* at once: then _exit */
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	sl_log(SL_INFO, "third");
	sl_warn("a warning");
	sl_log(SL_INFO, "fourth");
	sl_log(SL_ERROR, "an error");	/* at once, after what is held */
	text = t_read(p);
	ck_assert_ptr_nonnull(strstr(text, "sluice.agent - an error\n"));
	ck_assert_ptr_nonnull(strstr(text, "sluice.agent - fourth\n"));
	ck_assert(strstr(text, "fourth") < strstr(text, "an error"));
	free(text);
	sl_log(SL_INFO, "fifth");
	text = t_read(p);
	ck_assert_ptr_null(strstr(text, "fifth"));	/* held */
	free(text);
	sl_log_flush();
	text = t_read(p);
	a = strstr(text, "sluice.agent - first\n");
	b = strstr(text, "sluice.agent - second\n");
	c = strstr(text, "sluice.agent - child\n");
	w = strstr(text, "a warning\n");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(text, "sluice.agent - third\n"));
	ck_assert_ptr_nonnull(strstr(text, "sluice.agent - fourth\n"));
	ck_assert(a < b && b < c && c < strstr(text, "third") &&
	    strstr(text, "third") < w && w < strstr(text, "fourth"));
	ck_assert_ptr_null(strstr(c + 1, "first"));	/* not twice */
	free(text);
	if ((pid = fork()) == 0) {		/* exit writes what is held */
		sl_log_hold();
		sl_log(SL_INFO, "at exit");
		exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	text = t_read(p);
	ck_assert_ptr_nonnull(strstr(text, "sluice.agent - at exit\n"));
	free(text);
	sl_log(SL_INFO, "last held");
	sl_log_unhold();	/* written, and no more held (later tests) */
	sl_log(SL_INFO, "not held");
	text = t_read(p);
	ck_assert_ptr_nonnull(strstr(text, "sluice.agent - last held\n"));
	ck_assert_ptr_nonnull(strstr(text, "sluice.agent - not held\n"));
	free(text);
	free(p);
}
END_TEST

/* what went to "syslog" in test_warn_follows_syslog */
static char syslogged[4096];

static void
fake_syslog(int prio, const char *msg)
{
	size_t	n = strlen(syslogged);

	snprintf(syslogged + n, sizeof(syslogged) - n, "%d %s\n", prio, msg);
}

/* under log = syslog, warnings and the event log go to syslog, not to
 * stderr; a fatal error goes to both (test_fatal_to_both) */
START_TEST(test_warn_follows_syslog)
{
	char   *p, *text;

	sl_set_progname("sluice-agent");
	sl_syslog_out = fake_syslog;
	ck_assert_int_eq(sl_log_open("syslog", "sluice.agent"), 0);
	p = stderr_to();
	sl_warn("cannot claim %s: %s", "q/x", "Stale file handle");
	sl_log(SL_INFO, "Agent started!");
	text = t_read(p);
	ck_assert_str_eq(text, "");
	ck_assert_str_eq(syslogged, "4 cannot claim q/x: Stale file handle\n"
	    "6 Agent started!\n");
	free(text);
	ck_assert_int_eq(sl_log_open("stderr", NULL), 0);
	syslogged[0] = '\0';
	sl_warn("back on %s", "stderr");
	text = t_read(p);
	ck_assert_str_eq(text, "sluice-agent: back on stderr\n");
	ck_assert_str_eq(syslogged, "");
	free(text);
	free(p);
}
END_TEST

START_TEST(test_fatal_to_both)
{
	char   *p, *text;

	sl_set_progname("sluice-agent");
	sl_syslog_out = fake_syslog;
	ck_assert_int_eq(sl_log_open("syslog", NULL), 0);
	p = stderr_to();
	if (fork() == 0)
		sl_fatal("no spool at %s", "/x");
	(void)wait(NULL);
	text = t_read(p);
	ck_assert_str_eq(text, "sluice-agent: no spool at /x\n");
	free(text);
	free(p);
}
END_TEST

/* journal_stream - $JOURNAL_STREAM naming stderr (off: another inode) */
static void
journal_stream(int off)
{
	struct stat st;
	char	v[64];

	ck_assert_int_eq(fstat(2, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino + off);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", v, 1), 0);
}

/* stderr is the journal: each line starts with its sd-daemon priority,
 * and the time (the journal's own) is left out; the ladder's too */
START_TEST(test_log_journal)
{
	char   *p, *text;

	sl_set_progname("sluice-agent");
	ck_assert_int_eq(sl_log_open("stderr", "sluice.agent"), 0);
	setenv("SLUICE_DEBUG", "1", 1);
	p = stderr_to();
	journal_stream(0);
	sl_log(SL_INFO, "Agent started! %d", 1);
	sl_log(SL_WARNING, "w");
	sl_log(SL_ERROR, "e");
	sl_log(SL_DEBUG, "d");
	sl_warn("cannot claim %s", "q/x");
	text = t_read(p);
	ck_assert_str_eq(text,
	    "<6>INFO    | sluice.agent - Agent started! 1\n"
	    "<4>WARNING | sluice.agent - w\n"
	    "<3>ERROR   | sluice.agent - e\n"
	    "<7>DEBUG   | sluice.agent - d\n"
	    "<4>sluice-agent: cannot claim q/x\n");
	free(text);
	if (fork() == 0)
		sl_fatal("no spool at %s", "/x");
	(void)wait(NULL);
	text = t_read(p);
	ck_assert_ptr_nonnull(strstr(text, "\n<3>sluice-agent: no spool at "
	    "/x\n"));
	free(text);
	free(p);
}
END_TEST

/* a JOURNAL_STREAM that is not stderr (redirected since, or not a
 * DEV:INO): the usual lines, with the time and without priorities */
START_TEST(test_log_journal_not_stderr)
{
	const char *bad[] = { "", "x", "12", "12:", NULL };
	char   *p, *text;
	size_t	i;

	utc();
	sl_set_progname("sluice-agent");
	ck_assert_int_eq(sl_log_open("stderr", "sluice.agent"), 0);
	p = stderr_to();
	journal_stream(1);
	sl_log(SL_WARNING, "w");
	sl_warn("x");
	for (i = 0; bad[i] != NULL; i++) {
		setenv("JOURNAL_STREAM", bad[i], 1);
		sl_log(SL_WARNING, "w");
	}
	text = t_read(p);
	ck_assert_ptr_null(strchr(text, '<'));
	ck_assert_int_eq(text[2], ':');
	ck_assert_int_eq(text[8], '.');
	ck_assert_ptr_nonnull(strstr(text, " | WARNING | sluice.agent - w\n"
	    "sluice-agent: x\n"));
	free(text);
	free(p);
}
END_TEST

/* sl_printable: controls and invalid UTF-8 as \xNN, valid UTF-8 kept */
static const struct {
	const char *in, *out;
} printable[] = {
	{ "plain text, 100%", "plain text, 100%" },
	{ "X\033c\033[2J\rY", "X\\x1Bc\\x1B[2J\\x0DY" },
	{ "tab\there\nnl", "tab\\x09here\\x0Anl" },
	{ "del\x7f", "del\\x7F" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80" },				/* kept */
	{ "csi\xc2\x9b" "31m", "csi\\xC2\\x9B31m" },		/* C1 control */
	{ "\xff\xfe", "\\xFF\\xFE" },
	{ "cut\xc3", "cut\\xC3" },
	{ "over\xc0\xaf", "over\\xC0\\xAF" },			/* overlong '/' */
	{ "over\xe0\x80\xaf", "over\\xE0\\x80\\xAF" },
	{ "sur\xed\xa0\x80", "sur\\xED\\xA0\\x80" },		/* surrogate */
	{ "big\xf4\x90\x80\x80", "big\\xF4\\x90\\x80\\x80" },	/* > U+10FFFF */
	{ "back\\slash", "back\\slash" },
};

START_TEST(test_printable)
{
	char	buf[128];

	snprintf(buf, sizeof(buf), "%s", printable[_i].in);
	sl_printable(buf, sizeof(buf));
	ck_assert_str_eq(buf, printable[_i].out);
	sl_printable(buf, sizeof(buf));		/* idempotent */
	ck_assert_str_eq(buf, printable[_i].out);
}
END_TEST

/* escaping never overflows and never cuts an escape in two */
START_TEST(test_printable_truncates)
{
	char	buf[8];

	snprintf(buf, sizeof(buf), "ab\033\033\033");
	sl_printable(buf, sizeof(buf));
	ck_assert_str_eq(buf, "ab\\x1B");
	snprintf(buf, sizeof(buf), "a\xc3\xa9\xc3\xa9\xc3\xa9");
	sl_printable(buf, sizeof(buf));
	ck_assert_str_eq(buf, "a\xc3\xa9\xc3\xa9\xc3\xa9");
}
END_TEST

/* the log writer is the last defence: what it writes is printable */
START_TEST(test_log_printable)
{
	char   *p, *text, *c;

	utc();
	ck_assert_int_eq(sl_log_open("stderr", "sluice.agent"), 0);
	p = stderr_to();
	sl_log(SL_WARNING, "Rejected run file: line 3: unknown key %s",
	    "X\033c\033]0;owned\007\rY\xff");
	sl_set_progname("t");
	sl_warn("bad %s", "\033[31mred");
	text = t_read(p);
	for (c = text; *c; c++)
		ck_assert_msg(*c == '\n' || ((unsigned char)*c >= 0x20 &&
		    (unsigned char)*c < 0x7f), "byte %#x written: %s",
		    (unsigned char)*c, text);
	ck_assert_ptr_nonnull(strstr(text, "unknown key X\\x1Bc\\x1B]0;owned"
	    "\\x07\\x0DY\\xFF\n"));
	ck_assert_ptr_nonnull(strstr(text, "t: bad \\x1B[31mred\n"));
	free(text);
	free(p);
}
END_TEST

START_TEST(test_fatal_exits_1)
{
	sl_set_progname("t");
	sl_fatal("the spool %s is gone", "/x");
}
END_TEST

START_TEST(test_panic_aborts)
{
	sl_panic("invariant %d broken", 7);
}
END_TEST

Suite *
suite_log(void)
{
	Suite  *s = suite_create("log");
	TCase  *tc = tcase_create("log");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_log_format);
	tcase_add_test(tc, test_log_format_local_time);
	tcase_add_test(tc, test_log_format_truncates);
	tcase_add_test(tc, test_progname_and_warn);
	tcase_add_test(tc, test_log_to_stderr);
	tcase_add_test(tc, test_warn_follows_syslog);
	tcase_add_test(tc, test_fatal_to_both);
	tcase_add_test(tc, test_log_journal);
	tcase_add_test(tc, test_log_journal_not_stderr);
	tcase_add_loop_test(tc, test_printable, 0,
	    (int)(sizeof(printable) / sizeof(printable[0])));
	tcase_add_test(tc, test_printable_truncates);
	tcase_add_test(tc, test_log_hold);
	tcase_add_test(tc, test_log_printable);
	tcase_add_exit_test(tc, test_fatal_exits_1, 1);
	tcase_add_test_raise_signal(tc, test_panic_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
