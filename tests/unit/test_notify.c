/*
 * test_notify.c - lib/notify.c: systemd's notification protocol.  The
 * test binds the datagram socket a service manager would (a path in a
 * scratch directory, or an abstract name), points $NOTIFY_SOCKET at it,
 * and reads what sl_notify and sl_notify_tick send; the watchdog interval
 * is read from $WATCHDOG_USEC and $WATCHDOG_PID.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

/* manager - bind a datagram socket at name ('@' first: abstract), as
 * systemd does, and set $NOTIFY_SOCKET to name; returns the socket */
static int
manager(const char *name)
{
	struct sockaddr_un sa;
	size_t	n = strlen(name);
	int	fd;

	ck_assert_uint_lt(n, sizeof(sa.sun_path));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) == 0,
	    "bind %s: %s", name, strerror(errno));
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
	return fd;
}

/* path_manager - manager() on a path in a fresh scratch directory */
static int
path_manager(void)
{
	char   *d = t_tmpdir(), *p = sl_path(d, "notify.sock", (char *)NULL);
	int	fd = manager(p);

	free(p);
	free(d);
	return fd;
}

/* received - the next datagram on fd within ms milliseconds, in a static
 * buffer; NULL if none came */
static const char *
received(int fd, int ms)
{
	static char buf[4096];
	struct pollfd pf = { fd, POLLIN, 0 };
	ssize_t	n;

	if (poll(&pf, 1, ms) != 1)
		return NULL;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

/* stderr_to - stderr to the file err in d; returns its path */
static char *
stderr_to(const char *d)
{
	char   *p = sl_path(d, "err", (char *)NULL);
	int	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	close(fd);
	return p;
}

/* no_watchdog - neither WATCHDOG_USEC nor WATCHDOG_PID */
static void
no_watchdog(void)
{
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

/* READY=1 with a status, WATCHDOG=1 and STOPPING=1 reach a socket named
 * by a path, one datagram each; the variables are gone for children */
START_TEST(test_notify_path)
{
	int	fd = path_manager();

	no_watchdog();
	sl_notify_init();
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));
	ck_assert_int_eq(sl_notify("READY=1\nSTATUS=Looking for work"), 0);
	ck_assert_str_eq(received(fd, 2000), "READY=1\nSTATUS=Looking for work");
	ck_assert_int_eq(sl_notify("WATCHDOG=1"), 0);
	ck_assert_str_eq(received(fd, 2000), "WATCHDOG=1");
	ck_assert_int_eq(sl_notify("STOPPING=1"), 0);
	ck_assert_str_eq(received(fd, 2000), "STOPPING=1");
	ck_assert_ptr_null(received(fd, 0));
	close(fd);
}
END_TEST

/* '@name': the abstract namespace (no file; the '@' is a NUL byte) */
START_TEST(test_notify_abstract)
{
	char	name[64];
	int	fd;

	snprintf(name, sizeof(name), "@sluice-test-notify-%ld-%ld",
	    (long)getpid(), (long)time(NULL));
	fd = manager(name);
	no_watchdog();
	sl_notify_init();
	ck_assert_int_eq(sl_notify("READY=1"), 0);
	ck_assert_str_eq(received(fd, 2000), "READY=1");
	close(fd);
}
END_TEST

/* no $NOTIFY_SOCKET: no systemd, nothing sent, no failure, no watchdog
 * even with WATCHDOG_USEC set, and the loop's wait is left alone */
START_TEST(test_notify_unset)
{
	long	wait_s = 300;

	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "1000000", 1);
	sl_notify_init();
	ck_assert_int_eq(sl_notify("READY=1"), 0);
	ck_assert_int_eq(sl_notify_watchdog_ms(), 0);
	sl_notify_tick(&wait_s);
	ck_assert_int_eq(wait_s, 300);
	ck_assert_ptr_null(getenv("WATCHDOG_USEC"));
}
END_TEST

/* a relative NOTIFY_SOCKET is not the protocol's: ignored (with a
 * warning), even when a socket of that name is in the directory */
START_TEST(test_notify_relative_ignored)
{
	char   *d = t_tmpdir(), *p = stderr_to(d), *text;
	int	fd;

	ck_assert_int_eq(chdir(d), 0);
	fd = manager("rel.sock");
	no_watchdog();
	sl_notify_init();
	ck_assert_int_eq(sl_notify("READY=1"), 0);
	ck_assert_ptr_null(received(fd, 200));
	text = t_read(p);
	ck_assert_ptr_nonnull(strstr(text, "NOTIFY_SOCKET=rel.sock is not "
	    "an absolute path"));
	free(text);
	close(fd);
	free(p);
	free(d);
}
END_TEST

/* a manager that is gone: -1 each time, the warning once, never fatal */
START_TEST(test_notify_fails_warns_once)
{
	char   *d = t_tmpdir(), *p = stderr_to(d);
	char   *sock = sl_path(d, "gone.sock", (char *)NULL), *text, *second;

	setenv("NOTIFY_SOCKET", sock, 1);
	no_watchdog();
	sl_notify_init();
	ck_assert_int_eq(sl_notify("READY=1\nSTATUS=x"), -1);
	ck_assert_int_eq(sl_notify("WATCHDOG=1"), -1);
	text = t_read(p);
	ck_assert_ptr_nonnull(strstr(text, "WARNING | sluice - cannot notify "
	    "the service manager at "));
	ck_assert_ptr_nonnull(strstr(text, "gone.sock (READY=1): "));
	ck_assert_ptr_nonnull(strchr(text, '\n'));
	second = strchr(text, '\n') + 1;
	ck_assert_str_eq(second, "");	/* once */
	free(text);
	free(sock);
	free(p);
	free(d);
}
END_TEST

/* WATCHDOG_USEC and WATCHDOG_PID: how often to ping (half, in ms) */
static const struct {
	const char *usec;		/* NULL: unset */
	int	pid;			/* 0 unset, 1 ours, 2 another, 3 "x" */
	long	ms;
} wd[] = {
	{ "1000000", 0, 500 },
	{ "1000000", 1, 500 },
	{ "120000000", 1, 60000 },
	{ "1000000", 2, 0 },		/* another process's watchdog */
	{ "1000000", 3, 0 },
	{ NULL, 1, 0 },
	{ "0", 0, 0 },
	{ "-1000000", 0, 0 },
	{ "12s", 0, 0 },
	{ "", 0, 0 },
	{ "1000", 0, 1 },		/* under 2 ms: as often as it can */
	{ "3000", 0, 1 },
	{ "172800000000", 0, 43200000 },	/* two days: kept as one */
	{ "99999999999999999999999", 0, 0 },	/* not a number */
};

START_TEST(test_notify_watchdog_interval)
{
	char	pid[32];
	int	fd = path_manager();

	if (wd[_i].usec != NULL)
		setenv("WATCHDOG_USEC", wd[_i].usec, 1);
	else
		unsetenv("WATCHDOG_USEC");
	if (wd[_i].pid == 0)
		unsetenv("WATCHDOG_PID");
	else {
		snprintf(pid, sizeof(pid), "%ld", wd[_i].pid == 1 ?
		    (long)getpid() : wd[_i].pid == 2 ? (long)getppid() : -1L);
		setenv("WATCHDOG_PID", wd[_i].pid == 3 ? "x" : pid, 1);
	}
	sl_notify_init();
	ck_assert_msg(sl_notify_watchdog_ms() == wd[_i].ms,
	    "WATCHDOG_USEC=%s pid case %d: %ld ms, want %ld",
	    wd[_i].usec ? wd[_i].usec : "(unset)", wd[_i].pid,
	    sl_notify_watchdog_ms(), wd[_i].ms);
	ck_assert_ptr_null(getenv("WATCHDOG_USEC"));
	ck_assert_ptr_null(getenv("WATCHDOG_PID"));
	close(fd);
}
END_TEST

/* sl_notify_tick: the first turn pings; the wait is cut to the next ping;
 * a turn soon after sends nothing, one near the due time pings */
START_TEST(test_notify_tick)
{
	struct timespec ts = { 0, 300 * 1000000L };
	long	wait_s = 300;
	int	fd = path_manager();

	setenv("WATCHDOG_USEC", "10000000", 1);		/* ping every 5 s */
	unsetenv("WATCHDOG_PID");
	sl_notify_init();
	sl_notify_tick(&wait_s);
	ck_assert_str_eq(received(fd, 2000), "WATCHDOG=1");
	ck_assert_int_eq(wait_s, 5);
	wait_s = 2;			/* a shorter wait is kept */
	sl_notify_tick(&wait_s);
	ck_assert_ptr_null(received(fd, 0));
	ck_assert_int_eq(wait_s, 2);
	wait_s = 300;
	sl_notify_tick(&wait_s);
	ck_assert_ptr_null(received(fd, 0));
	ck_assert_int_ge(wait_s, 4);
	ck_assert_int_le(wait_s, 5);
	close(fd);

	/* every 500 ms: the loop's 1 s waits ping each turn past 250 ms */
	fd = path_manager();
	setenv("WATCHDOG_USEC", "1000000", 1);
	sl_notify_init();
	wait_s = 300;
	sl_notify_tick(&wait_s);
	ck_assert_int_eq(wait_s, 1);
	ck_assert_str_eq(received(fd, 2000), "WATCHDOG=1");
	sl_notify_tick(&wait_s);		/* at once: no flood */
	ck_assert_ptr_null(received(fd, 0));
	nanosleep(&ts, NULL);
	sl_notify_tick(&wait_s);
	ck_assert_str_eq(received(fd, 2000), "WATCHDOG=1");
	close(fd);
}
END_TEST

/* without a watchdog, a tick adds no wakeup and sends nothing */
START_TEST(test_notify_tick_no_watchdog)
{
	long	wait_s = 300;
	int	fd = path_manager();

	no_watchdog();
	sl_notify_init();
	sl_notify_tick(&wait_s);
	ck_assert_int_eq(wait_s, 300);
	ck_assert_ptr_null(received(fd, 100));
	close(fd);
}
END_TEST

Suite *
suite_notify(void)
{
	Suite  *s = suite_create("notify");
	TCase  *tc = tcase_create("notify");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_notify_path);
	tcase_add_test(tc, test_notify_abstract);
	tcase_add_test(tc, test_notify_unset);
	tcase_add_test(tc, test_notify_relative_ignored);
	tcase_add_test(tc, test_notify_fails_warns_once);
	tcase_add_loop_test(tc, test_notify_watchdog_interval, 0,
	    (int)(sizeof(wd) / sizeof(wd[0])));
	tcase_add_test(tc, test_notify_tick);
	tcase_add_test(tc, test_notify_tick_no_watchdog);
	suite_add_tcase(s, tc);
	return s;
}
