/*
 * bsq - a small beanstalkd client for bench/compare.sh: the command-line
 * submitter and the worker that make beanstalkd a job queue comparable
 * with sluice.  The beanstalk text protocol over TCP to 127.0.0.1, the
 * default tube.
 *
 *	bsq put PORT COMMAND
 *	bsq work PORT SLOTS
 *	bsq wait PORT N [SECONDS]
 *
 * put: one job, COMMAND as its body (priority 1024, no delay, TTR 600);
 * exits 0 once the server said INSERTED.
 *
 * work: one worker with SLOTS connections, each holding at most one
 * reserved job: reserve, posix_spawn /bin/sh -c BODY, reap it (signalfd),
 * delete the job, reserve again.  One process, one poll loop; runs until
 * SIGTERM or SIGINT (its children are left to finish).
 *
 * wait: ask `stats' every 2 ms until the server has deleted N jobs
 * (cmd-delete) since it started; exit 1 after SECONDS (default 600).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shspawn.h"

#define BUFSZ	(64 * 1024)

struct conn {
	int	fd;
	pid_t	pid;		/* running job's child, 0 if none */
	unsigned long long id;	/* its job id */
	size_t	have;		/* bytes of a reply in buf */
	char	buf[BUFSZ];
};

static _Noreturn void
die(const char *what)
{
	fprintf(stderr, "bsq: %s: %s\n", what, strerror(errno));
	exit(1);
}

static _Noreturn void
bad(const char *what, const char *reply)
{
	fprintf(stderr, "bsq: %s: unexpected reply '%.60s'\n", what, reply);
	exit(1);
}

static int
dial(int port)
{
	struct sockaddr_in sa;
	int	fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect 127.0.0.1");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
send_all(int fd, const char *p, size_t n)
{
	ssize_t	k;

	while (n > 0) {
		if ((k = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += k;
		n -= (size_t)k;
	}
}

/*
 * whole - the length of the reply at the start of buf if it is whole, else
 * 0: a line ending in \r\n and, when the line announces a body (RESERVED
 * id bytes, OK bytes), the body and its \r\n.  A whole reply's line is
 * NUL-terminated in place of its \r.
 */
static size_t
whole(struct conn *c)
{
	char   *eol;
	unsigned long long id;
	size_t	line, body;

	c->buf[c->have] = '\0';
	if ((eol = memchr(c->buf, '\n', c->have)) == NULL)
		return 0;
	line = (size_t)(eol - c->buf) + 1;
	body = 0;
	if (sscanf(c->buf, "RESERVED %llu %zu", &id, &body) == 2 ||
	    sscanf(c->buf, "OK %zu", &body) == 1)
		body += 2;
	if (c->have < line + body)
		return 0;
	if (line >= 2)
		c->buf[line - 2] = '\0';
	return line + body;
}

/* reply - block until buf holds a whole reply; its length */
static size_t
reply(struct conn *c)
{
	ssize_t	k;
	size_t	n;

	while ((n = whole(c)) == 0) {
		if (c->have == sizeof(c->buf) - 1) {
			errno = EMSGSIZE;
			die("reply");
		}
		if ((k = read(c->fd, c->buf + c->have,
		    sizeof(c->buf) - 1 - c->have)) < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (k == 0) {
			errno = ECONNRESET;
			die("read");
		}
		c->have += (size_t)k;
	}
	return n;
}

static void
consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->have - n);
	c->have -= n;
}

static struct conn *
conn_new(int port)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		die("calloc");
	c->fd = dial(port);
	return c;
}

static int
put(int port, const char *cmd)
{
	struct conn *c = conn_new(port);
	size_t	len = strlen(cmd), n;
	char	head[64];

	snprintf(head, sizeof(head), "put 1024 0 600 %zu\r\n", len);
	send_all(c->fd, head, strlen(head));
	send_all(c->fd, cmd, len);
	send_all(c->fd, "\r\n", 2);
	n = reply(c);
	if (strncmp(c->buf, "INSERTED ", 9) != 0)
		bad("put", c->buf);
	consume(c, n);
	return 0;
}

static void
start(struct conn *c, const char *cmd)
{
	int	rc;

	if ((rc = sh_spawn(cmd, &c->pid)) != 0) {
		errno = rc;
		die("posix_spawn");
	}
}

static int
work(int port, int slots)
{
	struct conn **c;
	struct pollfd *pf;
	struct signalfd_siginfo si;
	sigset_t set;
	char	line[64];
	int	sfd, i;

	if ((c = calloc((size_t)slots, sizeof(*c))) == NULL ||
	    (pf = calloc((size_t)slots + 1, sizeof(*pf))) == NULL)
		die("calloc");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		die("signalfd");
	for (i = 0; i < slots; i++) {
		c[i] = conn_new(port);
		send_all(c[i]->fd, "reserve\r\n", 9);
		pf[i].fd = c[i]->fd;
		pf[i].events = POLLIN;
	}
	pf[slots].fd = sfd;
	pf[slots].events = POLLIN;
	for (;;) {
		pid_t	pid;
		ssize_t	k;
		size_t	n;

		if (poll(pf, (nfds_t)slots + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		while (read(sfd, &si, sizeof(si)) > 0)
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
				return 0;
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			for (i = 0; i < slots; i++) {
				if (c[i]->pid != pid)
					continue;
				c[i]->pid = 0;
				n = (size_t)snprintf(line, sizeof(line),
				    "delete %llu\r\n", c[i]->id);
				send_all(c[i]->fd, line, n);
				n = reply(c[i]);
				if (strcmp(c[i]->buf, "DELETED") != 0)
					bad("delete", c[i]->buf);
				consume(c[i], n);
				send_all(c[i]->fd, "reserve\r\n", 9);
				pf[i].events = POLLIN;
				break;
			}
		for (i = 0; i < slots; i++) {
			if (c[i]->pid != 0 || !(pf[i].revents & (POLLIN | POLLHUP)))
				continue;
			if ((k = read(c[i]->fd, c[i]->buf + c[i]->have,
			    sizeof(c[i]->buf) - 1 - c[i]->have)) <= 0) {
				if (k < 0 && errno == EINTR)
					continue;
				errno = k == 0 ? ECONNRESET : errno;
				die("read");
			}
			c[i]->have += (size_t)k;
			if ((n = whole(c[i])) == 0)
				continue;
			if (sscanf(c[i]->buf, "RESERVED %llu", &c[i]->id) != 1)
				bad("reserve", c[i]->buf);
			/* the body follows the line; \r\n ends it */
			{
				char   *body = c[i]->buf + strlen(c[i]->buf) + 2;

				c[i]->buf[n - 2] = '\0';
				start(c[i], body);
			}
			consume(c[i], n);
			pf[i].events = 0;	/* nothing is due until it ends */
		}
	}
}

static long
deleted(struct conn *c)
{
	const char *p;
	size_t	n;
	long	v;

	send_all(c->fd, "stats\r\n", 7);
	n = reply(c);
	if (strncmp(c->buf, "OK ", 3) != 0)
		bad("stats", c->buf);
	p = strstr(c->buf + strlen(c->buf) + 2, "\ncmd-delete: ");
	if (p == NULL || sscanf(p, "\ncmd-delete: %ld", &v) != 1)
		bad("stats", "no cmd-delete");
	consume(c, n);
	return v;
}

static int
waitn(int port, long want, long secs)
{
	struct conn *c = conn_new(port);
	struct timespec gap = { 0, 2000000L };
	long	tries = secs * 500, have = 0;

	while ((have = deleted(c)) < want && tries-- > 0)
		nanosleep(&gap, NULL);
	if (have < want) {
		fprintf(stderr, "bsq wait: %ld of %ld jobs deleted\n", have,
		    want);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "put") == 0)
		return put(atoi(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "work") == 0 && atoi(argv[3]) > 0)
		return work(atoi(argv[2]), atoi(argv[3]));
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "wait") == 0)
		return waitn(atoi(argv[2]), atol(argv[3]),
		    argc == 5 ? atol(argv[4]) : 600);
	fprintf(stderr, "usage: bsq put PORT COMMAND\n"
	    "       bsq work PORT SLOTS\n"
	    "       bsq wait PORT N [SECONDS]\n");
	return 2;
}
