/*
 * notify.c - systemd's service notification protocol, by hand (no
 * libsystemd for a dozen lines): when the service manager set
 * $NOTIFY_SOCKET (Type=notify), a datagram "READY=1", "WATCHDOG=1" or
 * "STOPPING=1" to that AF_UNIX socket (a path, or '@' for the abstract
 * namespace).  The variables are read once and removed from the
 * environment, so that supervisors and runs started later cannot speak
 * for the agent.  Nothing here fails the caller: no socket is no systemd.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static struct sockaddr_un addr;
static socklen_t addrlen;		/* 0: no manager to tell */
static long watchdog_usec;		/* 0: no watchdog */
static int warned;
static struct timespec last;		/* the last WATCHDOG=1 */
static int pinged;			/* last is set */

#define SL_DAY_USEC	(86400L * 1000000)

/*
 * sl_notify_init - read $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID
 * (the watchdog is ours only if WATCHDOG_PID is unset or our pid), then
 * unset them.  A watchdog longer than a day is kept as a day: pinged too
 * often is harmless, ignored would be a restart.
 */
void
sl_notify_init(void)
{
	const char *s = getenv("NOTIFY_SOCKET"), *u = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	size_t	n;
	long	v, p;

	addrlen = 0;
	watchdog_usec = 0;
	warned = pinged = 0;
	if (s != NULL && (s[0] == '/' || s[0] == '@') &&
	    (n = strlen(s)) < sizeof(addr.sun_path) && n > 1) {
		memset(&addr, 0, sizeof(addr));
		addr.sun_family = AF_UNIX;
		memcpy(addr.sun_path, s, n);
		if (s[0] == '@')
			addr.sun_path[0] = '\0';	/* abstract */
		addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    n);
	} else if (s != NULL && *s != '\0')
		sl_log(SL_WARNING, "NOTIFY_SOCKET=%s is not an absolute path "
		    "or an @abstract name of at most %zu bytes: the service "
		    "manager is not told", s, sizeof(addr.sun_path) - 1);
	if (u != NULL && sl_num_parse(u, 1, LONG_MAX, &v) == 0 &&
	    (pid == NULL || *pid == '\0' || (sl_num_parse(pid, 1, LONG_MAX,
	    &p) == 0 && p == (long)sl_self())))
		watchdog_usec = v < SL_DAY_USEC ? v : SL_DAY_USEC;
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

/* sl_notify_watchdog_ms - how often to send WATCHDOG=1: half the
 * manager's interval, in milliseconds; 0: no watchdog */
long
sl_notify_watchdog_ms(void)
{
	if (addrlen == 0 || watchdog_usec <= 0)
		return 0;
	return watchdog_usec >= 2000 ? watchdog_usec / 2000 : 1;
}

/* sl_notify - send state ("READY=1", "WATCHDOG=1"...); 0 sent or no
 * manager, -1 (warned once) when the send failed */
int
sl_notify(const char *state)
{
	int	fd, e;
	ssize_t	r;

	if (addrlen == 0)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		r = -1;
	else
		r = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		    (struct sockaddr *)&addr, addrlen);
	e = errno;
	if (fd >= 0)
		close(fd);
	if (r >= 0)
		return 0;
	if (!warned) {
		warned = 1;
		sl_log(SL_WARNING, "cannot notify the service manager at %s%s "
		    "(%.*s): %s; it may take this service for hung (NOTIFY_SOCKET,"
		    " NotifyAccess=)", addr.sun_path[0] == '\0' ? "@" : "",
		    addr.sun_path[0] == '\0' ? addr.sun_path + 1 : addr.sun_path,
		    (int)strcspn(state, "\n"), state, strerror(e));
	}
	errno = e;
	return -1;
}

/*
 * sl_notify_tick - a service loop's turn: WATCHDOG=1 when it is due, and
 * *wait_s (the loop's next wait, in whole seconds, at least 1) cut so the
 * next one is not late; nothing, and no wakeup more, without a watchdog.
 * Due is half the manager's interval since the last; as the loop wakes at
 * most once a second, a ping due within the next second is sent now (but
 * not before a quarter of the interval: a busy loop sends no flood).  A
 * WatchdogSec= under 2 s is kept only as well as a wait of 1 s allows.
 */
void
sl_notify_tick(long *wait_s)
{
	struct timespec now;
	long	every = sl_notify_watchdog_ms(), since, left;

	if (every <= 0 || clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return;
	since = (long)(now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec -
	    last.tv_nsec) / 1000000;
	if (!pinged || (since >= every / 2 && since > every - 1000)) {
		(void)sl_notify("WATCHDOG=1");
		last = now;
		pinged = 1;
		since = 0;
	}
	left = (every - since) / 1000;
	if (left < 1)
		left = 1;
	if (*wait_s > left)
		*wait_s = left;
}
