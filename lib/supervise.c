/*
 * supervise.c - starting a claimed run, and the supervisor that sees it
 * to its end.
 *
 * Start (sl_run_start, in the agent), for pending/AGENT/TOKEN:
 *   1. not due yet (TOKEN's time is after now): leave it (prefetch);
 *   2. cancel asked for: end it Cancelled, it never ran;
 *   3. it must hold a slot of every limited scope (pool, queue, agent);
 *      if not (a claimer stalled past recovery, or a limit set after the
 *      claim) it goes back to its queue.  Skipped for SL_START_FRESH;
 *   4. who it runs as: an agent that is root runs it as its owner; an
 *      agent that is not root refuses a run owned by anyone else
 *      (Rejected, with the reason);
 *   5. write start.ini (with a nonce), then rename the directory to
 *      running/TOKEN (its first lease is the supervisor's).  running/TOKEN
 *      is a name other starts could share only if the run had been handed
 *      back and claimed again meanwhile, so after the rename the nonce
 *      says whose start it was;
 *   6. fork the supervisor, which calls setsid() and so outlives the agent.
 *
 * Supervisor (S): a child subreaper.  It forks the exit recorder (H),
 * which forks the command's process (C) in its own process group; C
 * tells S its pid and waits; S writes the run's first lease naming all
 * three, then lets C go (no lease, no go: first_lease).  H (a subreaper
 * too, deaf to all signals but SIGKILL and SIGSTOP, in no group of the
 * command's) has C execute the command (or /bin/sh -c COMMAND), stdin
 * from /dev/null, stdout and stderr appended to the run's log, and tells
 * S only if it could not; when
 * C's leader exits H writes its wait status durably to `exit` (through a
 * descriptor of the run directory, which crash detection may rename),
 * sweeps (SIGKILL to the group and to every orphan that came to it, reap,
 * until none is left), tells S, exits.  S renews the lease every
 * heartbeat; checks for a cancel file every second (SIGTERM to the group,
 * SIGKILL after cancel_grace); enforces the timeout the same way; reaps H
 * (and C and the orphans if H was killed), sweeps what is left, then maps
 * the status to a state, and either re-queues the run for another attempt
 * or moves it to done/ (sl_run_finish).  No process of an attempt is
 * alive by then.  If S dies, the lease stops being renewed and crash
 * detection (lease.c) ends the run, with the status in `exit` if H wrote
 * one (spool-layout.md, "Starting, supervising, crashing").  A keeper's S
 * (a starter kept for its agent's next runs) forks its H once and keeps
 * it: H serves each of its runs as a request, and says "done" where it
 * would have exited (rec_serve, "the warm recorder").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

static int notify_fd = -1;		/* sl_run_notify_fd */
static int keep_fd = -1;		/* sl_run_keeper: a keeper's channel */
static long kept;			/* the runs a keeper supervised */
#define KEEP_RUNS	256		/* then it exits: see keep_reset */
static int keep_warm;			/* it supervised one: sup_setup done */
static int keep_null;			/* and its fd 0 is /dev/null */
static int subreaper;			/* we are one: orphans come to us */

/* the agent's own user: the same for its life (see sl_run_start_warm) */
static struct {
	char	home[PATH_MAX], user[256];
	uid_t	uid;
	gid_t	gid, egid;
	int	known, pw;	/* looked up; uid has a passwd entry */
	int	ign;		/* bit i: agent_sigs[i] not at its default in
				 * the agent */
	int	null;		/* /dev/null, read-write, close-on-exec, at 5
				 * or above (3 and 4 are a supervisor's: its
				 * agent's pipe, a keeper's channel); -1: open
				 * one at each start */
} own = { .null = -1 };

/* the signals a supervisor resets when the agent has them ignored (nohup)
 * or caught: SIGTERM and SIGINT only under an agent that could not take
 * them from a signalfd (it keeps them blocked, at their default) */
static const int agent_sigs[] = { SIGHUP, SIGPIPE, SIGCHLD, SIGTERM, SIGINT };

extern char **environ;

/* has_slot - does names hold SCOPE.K for some number K? */
static int
has_slot(char **names, size_t n, const char *scope)
{
	size_t	i, len = strlen(scope);

	for (i = 0; i < n; i++)
		if (strncmp(names[i], scope, len) == 0 && names[i][len] == '.' &&
		    names[i][len + 1] != '\0' &&
		    strspn(names[i] + len + 1, "0123456789") ==
		    strlen(names[i] + len + 1))
			return 1;
	return 0;
}

/* holds_slots - does run id hold a slot of every limited scope? */
static int
holds_slots(const struct sl_spool *sp, const struct sl_pool *p,
    const struct sl_agent *a, const char *queue, const char *id)
{
	char	scope[SL_NAME_MAX + SL_UUID_LEN + 8], **v;
	size_t	n, i;
	int	ok = 1;

	if (sl_slots_of(sp, p->name, id, &v, &n) < 0)
		return 1;	/* cannot tell: the claim decided */
	if (p->limit != SL_NOLIMIT && !has_slot(v, n, "pool"))
		ok = 0;
	for (i = 0; i < p->nq; i++)
		if (strcmp(p->q[i].name, queue) == 0 &&
		    p->q[i].limit != SL_NOLIMIT) {
			snprintf(scope, sizeof(scope), "q.%s", queue);
			if (!has_slot(v, n, scope))
				ok = 0;
		}
	snprintf(scope, sizeof(scope), "a.%s", a->id);
	if (a->limit != SL_NOLIMIT && !has_slot(v, n, scope))
		ok = 0;
	sl_strv_free(v, n);
	return ok;
}

static char *
user_name(long uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid((uid_t)uid);

	snprintf(buf, len, "%s", pw != NULL ? pw->pw_name : "unknown");
	return buf;
}

/* ---- the supervisor ---- */

struct sup {
	const struct sl_spool *sp;
	const struct sl_config *cf;
	const char *pool;
	char	token[SL_RUNNAME_MAX];
	char   *dir;			/* running/TOKEN */
	struct sl_runspec *r;
	int	as_user;		/* root: become the owner */
	int	fresh;			/* its agent claimed it (SL_START_FRESH) */
	uid_t	uid;
	gid_t	gid;
	char	user[256], home[PATH_MAX];
	int	null_in;		/* our fd 0 is /dev/null: the command's */
	time_t	started;		/* the attempt's start, as result.ini
					 * says it (the exit record too) */
};

struct envv {
	char  **v;
	size_t	n;
};

/* env_set - add "NAME=value", replacing an entry of the same name */
static void
env_set(struct envv *e, const char *kv)
{
	size_t	i, len = strcspn(kv, "=");

	for (i = 0; i < e->n; i++)
		if (strncmp(e->v[i], kv, len) == 0 && e->v[i][len] == '=') {
			e->v[i] = (char *)kv;
			return;
		}
	e->v = sl_xrealloc(e->v, (e->n + 2) * sizeof(char *));
	e->v[e->n++] = (char *)kv;
	e->v[e->n] = NULL;
}

static void
env_put(struct envv *e, const char *name, const char *val)
{
	struct sl_buf b = { 0 };

	sl_buf_printf(&b, "%s=%s", name, val != NULL ? val : "");
	env_set(e, b.s);	/* kept for the child: never freed */
}

/*
 * build_env - an agent running as the run's user passes its own
 * environment on, like at(1) passes the submitter's; root starting a run
 * as another user gives it a clean login-like one (HOME, USER, LOGNAME,
 * SHELL, PATH, and LANG and TZ if set).  Then the run file's [env], then
 * SLUICE_RUN_ID, SLUICE_RUN_NAME, SLUICE_POOL, SLUICE_QUEUE,
 * SLUICE_RUN_ATTEMPT and SLUICE_SPOOL.
 */
static char **
build_env(const struct sup *s)
{
	struct envv e = { sl_xmalloc(sizeof(char *)), 0 };
	char	num[32];
	size_t	i;

	e.v[0] = NULL;
	if (s->as_user) {
		env_put(&e, "HOME", s->home);
		env_put(&e, "USER", s->user);
		env_put(&e, "LOGNAME", s->user);
		env_put(&e, "SHELL", "/bin/sh");
		env_put(&e, "PATH", "/usr/local/bin:/usr/bin:/bin");
		if (getenv("LANG") != NULL)
			env_put(&e, "LANG", getenv("LANG"));
		if (getenv("TZ") != NULL)
			env_put(&e, "TZ", getenv("TZ"));
	} else
		for (i = 0; environ[i] != NULL; i++)
			if (strchr(environ[i], '=') != NULL)
				env_set(&e, environ[i]);
	for (i = 0; i < s->r->nenv; i++)
		env_set(&e, s->r->env[i]);
	env_put(&e, "SLUICE_RUN_ID", s->r->id);
	env_put(&e, "SLUICE_RUN_NAME", s->r->name);
	env_put(&e, "SLUICE_POOL", s->pool);
	env_put(&e, "SLUICE_QUEUE", s->r->queue);
	snprintf(num, sizeof(num), "%ld", s->r->attempt);
	env_put(&e, "SLUICE_RUN_ATTEMPT", num);
	env_put(&e, "SLUICE_SPOOL", s->sp->root);
	return e.v;
}

/*
 * The run's log.  Opened at the start when it is there already (an
 * earlier attempt's), or made then when the command writes it itself (no
 * log_max); else made by the first line written to it (the command's
 * output through the cap, or a note of ours), so that a run that says
 * nothing makes no file: a create a run less, the costliest kind of call
 * on a network filesystem.  The supervisor and the recorder each make it
 * when they first write (O_APPEND: the second opens the first's), by the
 * run directory's descriptor, which follows the directory where crash
 * detection renames it (the notes that matter most come then).  A log
 * that cannot be made now is tried again at the next line; the command's
 * output goes to /dev/null only when nothing caps it and no log can be
 * opened at all (a log lost, never a state).  Only a regular file with
 * one link is taken: the command, running as the run's owner, may make
 * `log' in a directory of its owner's before its first line (a FIFO
 * would block us; a link would have us chown another's file; a file of
 * the owner's own becomes root's, 0640, as the log it stands for).
 */
static struct {
	int	fd;		/* -1: not open yet */
	int	dir;		/* the run directory (-1: by path) */
	const char *path;
	long	gid;		/* the owner's group (perm.c) */
	mode_t	mode;		/* made with it */
} runlog = { -1, -1, NULL, -1, 0600 };

/* log_open - open the run's log (creat: make it if it is not there),
 * with its group and mode set (perm.c); its fstat in *st */
static int
log_open(int creat, struct stat *st)
{
	int	fd, e;

	fd = openat(runlog.dir >= 0 ? runlog.dir : AT_FDCWD,
	    runlog.dir >= 0 ? "log" : runlog.path, O_WRONLY | O_APPEND |
	    O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW | (creat ? O_CREAT : 0),
	    runlog.mode);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_nlink != 1) {
		e = errno;
		close(fd);
		errno = S_ISREG(st->st_mode) || e == 0 ? EPERM : e;
		return -1;
	}
	if (sl_perm_runfile_st(fd, runlog.gid, st) < 0)
		(void)0;	/* left 0600, root's: safe, if unreadable */
	return fd;
}

/* log_fd - the run's log, made now if it is not yet; -1 if it cannot be
 * (tried again next time) */
static int
log_fd(void)
{
	struct stat st;

	if (runlog.fd < 0 && runlog.path != NULL)
		runlog.fd = log_open(1, &st);
	return runlog.fd;
}

/* log_or_null - where the command writes when nothing caps it: the log,
 * or /dev/null if it cannot be opened */
static int
log_or_null(void)
{
	int	fd;

	if ((fd = log_fd()) < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

/* note - a line of sluice's own in the run's log */
static void
note(const char *fmt, ...)
{
	struct sl_buf b = { 0 };
	va_list	ap;
	char	m[1024];

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	sl_buf_printf(&b, "sluice: %s\n", m);
	/* RACE: none; the log is the run's and only its supervisor writes
	 * sluice's lines.  A failed write loses a note, never a state. */
	if (write(log_fd(), b.s, b.len) < 0)
		(void)0;
	sl_buf_free(&b);
}

/*
 * Words /bin/sh (dash) takes as its own before any program on PATH:
 * keywords and builtins.  A command whose first word is one of them runs
 * through the shell.  true and false are not here: the programs do the
 * same.  echo, printf, pwd, kill and test are (their programs differ in
 * options or output).
 */
static const char *const shell_words[] = {
	"!", ".", ":", "[", "[[", "]]", "{", "}", "alias", "bg", "break",
	"case", "cd", "command", "continue", "do", "done", "echo", "elif",
	"else", "esac", "eval", "exec", "exit", "export", "fc", "fg", "fi",
	"for", "function", "getopts", "hash", "if", "in", "jobs", "kill",
	"let", "local", "printf", "pwd", "read", "readonly", "return", "select",
	"set", "shift", "source", "test", "then", "time", "times", "trap",
	"type", "ulimit", "umask", "unalias", "unset", "until", "wait",
	"while", NULL
};

/* listed_before - is the PATH entry at p (dl bytes) also one before it? */
static int
listed_before(const char *path, const char *p, size_t dl)
{
	const char *q, *e;

	for (q = path; q < p; q = e + 1) {
		e = strchr(q, ':');
		if ((size_t)(e - q) == dl && memcmp(q, p, dl) == 0)
			return 1;
	}
	return 0;
}

/*
 * sl_cmd_program - where a command that needs no shell may be: its words
 * in *argv (sl_cmd_to_argv) and the paths to try, in order, as dash
 * would search the PATH of env (an entry listed twice is tried once): a
 * block of NUL-terminated paths ending with an empty one.  A name holding
 * '/' is the one path, if absolute.  The paths stop before the first
 * relative or empty PATH entry: the shell searches on from there, in the
 * run's directory.  NULL: let /bin/sh run it (shell syntax, a word of
 * the shell's, a relative name, no PATH, a relative first entry).
 * Nothing is looked at here: the command's process tries each path with
 * execve (spawn), where a stat of each, then the execve, cost a call
 * more a run.
 */
char *
sl_cmd_program(const char *cmd, char *const env[], char ***argv)
{
	const char *path = NULL, *p, *e;
	struct sl_buf b = { 0 };
	size_t	i, dl, nl;
	int	argc;

	*argv = NULL;
	if (sl_cmd_to_argv(cmd, argv, &argc) < 0)
		return NULL;
	for (i = 0; shell_words[i] != NULL; i++)
		if (strcmp((*argv)[0], shell_words[i]) == 0)
			goto shell;
	if (strchr((*argv)[0], '/') != NULL) {
		if ((*argv)[0][0] != '/')
			goto shell;	/* relative to the run's directory */
		sl_buf_add(&b, (*argv)[0], strlen((*argv)[0]) + 1);
		sl_buf_add(&b, "", 1);	/* the block's end */
		return b.s;
	}
	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	if (path == NULL)
		goto shell;		/* the shell's own default path */
	nl = strlen((*argv)[0]);
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		dl = e != NULL ? (size_t)(e - p) : strlen(p);
		if (dl == 0 || p[0] != '/')
			break;		/* "" or relative: the shell's */
		if (dl + nl + 2 <= PATH_MAX &&
		    !listed_before(path, p, dl)) {
			sl_buf_printf(&b, "%.*s/%s", (int)dl, p, (*argv)[0]);
			sl_buf_add(&b, "", 1);
		}
		if (e == NULL)
			break;
	}
	if (b.len == 0)
		goto shell;
	sl_buf_add(&b, "", 1);	/* the block's end */
	return b.s;
shell:
	sl_buf_free(&b);
	free(*argv);
	*argv = NULL;
	return NULL;
}

/* what the recorder (or the command's process, its first) tells its
 * supervisor: started_msg when the command's process is there, waiting
 * (pid), or when it could not be made or could not execute (-1, why; the
 * recorder's only word then); ended_msg at its end */
struct started_msg {
	pid_t	pid;			/* the command; -1: not started */
	unsigned long long tick;	/* when it started (sl_start_tick) */
	char	why[SL_ERR_MAX];
};

/*
 * spawn - start the command in its own process group, once the lease
 * names it: the child makes its group, tells the supervisor its pid on
 * chan, the socket pair's end it shares with us (a started_msg, which
 * the supervisor puts into the run's first lease), and waits for the
 * supervisor's 'g' on it; the supervisor's end closing first (it died
 * before its lease) ends it unstarted.  So
 * every process that may run the command is named in a lease before it
 * runs, and the lease is written once.  Then it becomes the run's owner
 * if it must (initgroups, setgid, setuid), enters the directory,
 * redirects (stdin is the supervisor's /dev/null), unblocks every signal
 * (none is ignored: blocked, in the supervisor and the recorder) and
 * execs: the program itself when it needs no shell (sl_cmd_program()),
 * else /bin/sh -c command; a program that cannot be executed after all
 * (a script without #!, say) is handed to /bin/sh, as the shell would.
 * The same
 * user: vfork (we sleep until it execs or exits: no copy of our memory);
 * another user: fork.  Not posix_spawn, whose child would also reset
 * every other signal (64 system calls a run).  A failure is reported
 * through our own memory, which a vfork child shares (as glibc's
 * posix_spawn reports its child's), or, after a fork, through a
 * close-on-exec pipe: five system calls a start fewer for the common
 * case, a pipe's make, its read and two closes here, a close in the
 * child.  Returns the pid; -1 and why if it did not execute (reaped);
 * -2 if no go came (reaped).
 */
static pid_t
spawn(const struct sup *s, const char *cwd, int outfd, char **env,
    int chan, char *why, size_t whylen)
{
	char   *shargv[] = { "sh", "-c", s->r->command, NULL };
	char  **argv, *prog = sl_cmd_program(s->r->command, env,
	    &argv);
	long long t0;
	long	hz = sysconf(_SC_CLK_TCK);
	pid_t	pid;
	/* the child's word: stage and errno; {-3, 0} if it executed.  A
	 * vfork child writes it into this frame, which it shares */
	volatile int e[2] = { -3, 0 };
	int	pfd[2] = { -1, -1 }, got[2];
	ssize_t	n;

	if (s->as_user && pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		free(prog);
		free(argv);
		return -1;
	}
	/* no handler may run in a vfork child, which shares our memory:
	 * the recorder, our only caller, blocks every signal from its
	 * start, so there is no mask to set here and back (two calls) */
	t0 = sl_boot_ns();
	pid = s->as_user ? fork() : vfork();
	if (pid == 0) {
		struct started_msg m;
		const char *p;
		int	stage = 0, fd;
		sigset_t none;
		char	b;

		/* nothing here may change our parent's memory (vfork):
		 * only this frame's locals, and system calls */
		if (pfd[0] >= 0)
			close(pfd[0]);
		if (setpgid(0, 0) < 0)
			goto fail;
		memset(&m, 0, sizeof(m));
		m.pid = getpid();	/* not sl_self(): the parent's */
		m.tick = sl_start_tick(t0, sl_boot_ns(), hz);
		if (send(chan, &m, sizeof(m), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(m))
			goto nogo;	/* the supervisor is gone */
		while ((n = read(chan, &b, 1)) < 0 && errno == EINTR)
			;
		if (n != 1 || b != 'g')
			goto nogo;
		stage = 1;
		if (s->as_user && (initgroups(s->user, s->gid) < 0 ||
		    setgid(s->gid) < 0 || setuid(s->uid) < 0))
			goto fail;
		if (s->as_user && s->uid != 0 && setuid(0) == 0)
			goto fail;	/* could get root back: refuse */
		stage = 2;
		if (chdir(cwd) < 0)
			goto fail;
		stage = 3;
		/* stdin: the supervisor's fd 0 is /dev/null already */
		if (!s->null_in && ((fd = open("/dev/null", O_RDONLY)) < 0 ||
		    dup2(fd, 0) < 0 || (fd > 2 && close(fd) < 0)))
			goto fail;
		if (dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
			goto fail;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* each path in turn, as dash searches: on to the next
		 * whatever the failure (not there, not executable, a
		 * directory, a bad interpreter), but a file that is no
		 * program (ENOEXEC, a script without #!), which the shell
		 * runs itself; the shell also reports what none could do */
		for (p = prog; p != NULL && *p != '\0'; p += strlen(p) + 1)
			if (execve(p, argv, env) < 0 && errno == ENOEXEC)
				break;
		execve("/bin/sh", shargv, env);
		stage = 4;
fail:
		got[0] = e[0] = stage;
		got[1] = e[1] = errno;
		if (pfd[1] >= 0 && write(pfd[1], got, sizeof(got)) < 0)
			(void)0;
		_exit(127);
nogo:
		got[0] = e[0] = -1;
		got[1] = e[1] = 0;
		if (pfd[1] >= 0 && write(pfd[1], got, sizeof(got)) < 0)
			(void)0;
		_exit(0);
	}
	free(prog);
	free(argv);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		if (pfd[0] >= 0)
			close(pfd[0]);
		return -1;
	}
	got[0] = e[0];		/* vfork: the child has exec'd or exited */
	got[1] = e[1];
	if (pfd[0] >= 0) {
		/* fork: the pipe is closed by its exec, or says why not */
		while ((n = read(pfd[0], got, sizeof(got))) < 0 &&
		    errno == EINTR)
			;
		close(pfd[0]);
		if (n != (ssize_t)sizeof(got))
			got[0] = -3;
	}
	if (got[0] != -3) {
		static const char *const what[] = { "make a process group",
		    "become the run's owner", "enter the directory",
		    "redirect output", "execute /bin/sh" };

		if (got[0] >= 0)
			snprintf(why, whylen, "cannot %s%s%.300s (as %.64s): "
			    "%s", what[got[0] > 4 ? 4 : got[0]], got[0] == 2 ?
			    " " : "", got[0] == 2 ? cwd : "", s->user,
			    strerror(got[1]));
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return got[0] < 0 ? -2 : -1;
	}
	return pid;
}

enum why { NONE, CANCEL, TIMEOUT };

/*
 * The fence: a command must not run on once another host may take its
 * run (deadline + another lease).  The supervisor tells the recorder,
 * through a pipe, the monotonic time at which each lease it published
 * successfully was begun; the recorder, which touches no file while the
 * command runs (so a dead mount cannot block it), kills the command's
 * group when none has come for FENCE_MS(lease) ms: half a lease after the
 * deadline it was last given, half a lease before any detector may judge
 * it (spool-layout.md, "The limit of a lease").
 */
#define FENCE_MS(lease)	((long long)(lease) * 1500)

/* beat - tell the recorder (fd) of a lease begun at m; never blocks */
static void
beat(int fd, long long m)
{
	/* RACE: a full pipe (the recorder is behind) drops this beat; the
	 * recorder keeps the newest it reads, and a later one comes */
	if (fd >= 0 && write(fd, &m, sizeof(m)) < 0)
		(void)0;
}

/* beats - the newest of last and the beats waiting in fd (non-blocking):
 * read sixteen at a time, and a read that did not fill the buffer took
 * all there were, so no read is made to be told EAGAIN */
static long long
beats(int fd, long long last)
{
	long long m[16];
	ssize_t	n;
	size_t	i;

	do {
		n = read(fd, m, sizeof(m));
		/* beat() writes a whole word at once, and a pipe keeps a
		 * write of PIPE_BUF or less whole: n is a multiple */
		for (i = 0; n > 0 && i < (size_t)n / sizeof(m[0]); i++)
			if (m[i] > last)
				last = m[i];
	} while (n == (ssize_t)sizeof(m));
	return last;		/* empty (EAGAIN) or closed (0): as it was */
}

/* how long a sweep may take before it gives up, loudly */
#define SWEEP_MAX	60

/* renew - rewrite the lease if it is time; -1 if the run directory is
 * gone (crash detection took the run) */
struct renewal {
	const struct sup *s;
	time_t	next;
	long	rec, pid;
	int	beat;		/* to the recorder: leases that succeeded */
};

/* lease_once - write the lease now (first: the attempt's first, made
 * in place), and tell the recorder when it began (the fence); 0, -1 the
 * run directory is gone, -2 not written (errno) */
static int
lease_once(struct renewal *rn, time_t now, int first)
{
	struct stat st;
	long long m = sl_mono_ms();
	int	e;

	if ((first ? sl_lease_first : sl_lease_put)(rn->s->dir,
	    now + rn->s->cf->lease, sl_host(), (long)sl_self(), rn->rec,
	    rn->pid) == 0) {
		beat(rn->beat, m);
		return 0;
	}
	e = errno;
	if (e == ENOENT && sl_lstat(rn->s->dir, &st) < 0 && errno == ENOENT)
		return -1;
	errno = e;
	return -2;
}

static int
renew(struct renewal *rn)
{
	time_t	now = time(NULL);
	int	rc;

	if (rn == NULL || now < rn->next)
		return 0;
	/* RACE: a renewal that fails (EIO on a cut link) is retried next
	 * second; the lease is generous, and the recorder's fence ends the
	 * command before another host may take the run */
	if ((rc = lease_once(rn, now, 0)) == 0)
		rn->next = now + rn->s->cf->heartbeat;
	return rc == -1 ? -1 : 0;
}

/* exited - has our child pid exited (1; not reaped), or does it run (0)?
 * -1 if it is not our child, or the wait fails (errno) */
static int
exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return -1;
	return si.si_pid == pid;
}

/* recorder_gone - has process rec (our child) exited?  Not reaped */
static int
recorder_gone(pid_t rec)
{
	return exited(rec) != 0;
}

/*
 * leader_reaped - is the command's leader (pid) gone without being ours
 * to reap?  Once the recorder is dead, a leader still running is our
 * child (the recorder's orphans come to us, subreaper, before its death
 * is told), so "not our child" means the recorder reaped it.  One call,
 * made once, where a recorder that died without a word or a record is
 * reaped.
 */
static int
leader_reaped(pid_t pid)
{
	return pid > 1 && exited(pid) < 0 && errno == ECHILD;
}

/*
 * first_lease - the run's first lease, naming the command's process that
 * waits for our go: the go comes only after it, so no command runs that
 * no lease names.  A write that fails (EIO on a cut link) is tried again
 * every second for one lease: until two leases after the rename into
 * running/ no detector judges a run without a lease (lease.c).  0
 * written at once, 1 written after a retry; -1 the run directory is
 * gone (crash detection took the run); -2 not written for a lease
 * (errno).
 */
static int
first_lease(struct renewal *rn)
{
	struct timespec sec = { 1, 0 };
	long long end = sl_mono_ms() + rn->s->cf->lease * 1000LL;
	int	rc, tries, bt = rn->beat;

	/* no beat for a lease written at the first try: the recorder
	 * started its fence's clock before it forked the command's
	 * process, a moment before this lease, on the same clock (a write
	 * here, a read there: a call each a run saved), and the first
	 * renewal's comes a heartbeat on.  A lease written at a retry (a
	 * lease and a second later, or more if a failed write was slow)
	 * sends its beat: the recorder would otherwise fence a healthy
	 * command half a lease after that lease (and always at lease = 2);
	 * it reads it before it would */
	for (tries = 0; ; tries++) {
		rn->beat = tries == 0 ? -1 : bt;
		if ((rc = lease_once(rn, time(NULL), tries == 0)) == 0)
			break;
		if (rc == -1 || sl_mono_ms() >= end)
			break;
		(void)nanosleep(&sec, NULL);
	}
	rn->beat = bt;
	return rc == 0 ? tries > 0 : rc;
}

/*
 * children - up to max pids of this process's children into v, how many
 * (-1: none could be read): from /proc/self/task/TID/children (one
 * thread), or, on a kernel without it, a scan of /proc for our pid as
 * parent.  RACE: a list cut at max (or at a full buffer) names some
 * children only; callers that kill loop until none is left
 */
#define CHILDREN_MAX	512
static int
children(pid_t *v, int max)
{
	struct dirent *de;
	char	p[64], buf[4096], *c, *e;
	long	pid, ppid, me = (long)sl_self();
	ssize_t	n;
	DIR    *d;
	int	fd, k = 0;

	snprintf(p, sizeof(p), "/proc/self/task/%ld/children", me);
	if ((fd = sl_open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n >= 0) {
			buf[n] = '\0';
			for (c = buf; k < max &&
			    (pid = strtol(c, &e, 10)) > 0; c = e)
				v[k++] = (pid_t)pid;
			return k;
		}
	}
	if ((d = opendir("/proc")) == NULL)
		return -1;
	while (k < max && (de = readdir(d)) != NULL)
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' &&
		    sl_proc_stat(pid = strtol(de->d_name, NULL, 10), NULL,
		    &ppid, NULL, NULL) == 0 && ppid == me)
			v[k++] = (pid_t)pid;
	closedir(d);
	return k;
}

/*
 * kill_children - SIGKILL every child of this process (as a subreaper,
 * the orphans of the command's tree, also those that left its group with
 * setsid): those children() lists.  Returns how many.
 */
static int
kill_children(void)
{
	pid_t	v[CHILDREN_MAX];
	int	n = children(v, CHILDREN_MAX), i, k = 0;

	for (i = 0; i < n; i++)
		if (kill(v[i], SIGKILL) == 0)
			k++;
	return k;
}

/* only_child - is pid our only child (it is one)?  0 also when our
 * children cannot be listed */
static int
only_child(pid_t pid)
{
	pid_t	v[2];

	return children(v, 2) == 1 && v[0] == pid;
}

/*
 * sweep - after the command's leader ended: SIGKILL its process group and
 * every child of ours (orphans of its tree reparent to us, subreaper),
 * reap, and again, until the group is empty and we have no child.  0, or
 * -1 if something was still alive after SWEEP_MAX seconds.  rn (or NULL)
 * keeps the lease renewed meanwhile.  No child at all (ECHILD, one call)
 * ends it at once when we are a subreaper: every process of the tree
 * descends from us, for its orphans come to us, and only a process of
 * our session, so one of them, could join the command's group.  (A
 * kernel that refused to make us one leaves orphans to init: then the
 * group is killed and looked at as before.)
 */
static int
sweep(pid_t pgid, struct renewal *rn)
{
	struct timespec ms10 = { 0, 10000000L };
	time_t	limit = time(NULL) + SWEEP_MAX;
	sigset_t chld;
	pid_t	w;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		if (subreaper && waitpid(-1, NULL, WNOHANG) < 0 &&
		    errno == ECHILD)
			return 0;
		/* RACE: pgid cannot name another group while ours has a
		 * member; once it has none we stop before killing again */
		if (pgid > 1 && kill(-pgid, SIGKILL) < 0 && errno == ESRCH)
			pgid = 0;
		(void)kill_children();
		while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (w < 0 && errno == ECHILD && (pgid <= 1 ||
		    (kill(-pgid, 0) < 0 && errno == ESRCH)))
			return 0;
		if (time(NULL) >= limit)
			return -1;
		(void)renew(rn);
		(void)sigtimedwait(&chld, NULL, &ms10);
	}
}

struct ended_msg {
	int	status;			/* the command's raw wait status */
	int	recorded;		/* `exit` written */
	int	left;			/* the sweep gave up */
	long	fenced;			/* killed by the recorder: s unrenewed */
};

/*
 * recorder - the exit recorder (H): between the supervisor and the
 * command, in neither's process group, deaf to every signal but SIGKILL
 * and SIGSTOP (all blocked; SIGCHLD and SIGUSR1 taken by sigtimedwait).
 * Starts the command (spawn: its process tells the supervisor
 * its pid and waits for the supervisor's go, given once the lease names
 * it), tells the supervisor if it could not execute, waits for it, writes
 * its status durably into the run directory (dfd), sweeps what is left of
 * its tree, tells the supervisor, exits.  SIGUSR1 (crash detection,
 * when the supervisor is dead): kill the command's group now.  No beat
 * on bt for FENCE_MS: kill the command's group, sweep, then record (the
 * spool may be out of reach: nothing of the attempt waits for it).
 */
static void rec_setup(void);
/* crash detection sent SIGUSR1 (it settles the run: its supervisor is
 * dead, or being killed): a warm recorder serves no further run */
static int rec_settled;
/* the warm recorder's exit journal is for the runs of running/ of its
 * pool (journal.c): that directory, with a slash */
static char jrun[PATH_MAX];

/* journal_id - the id of the run in dir, into id, if its exit record
 * goes in our journal; else NULL (it is fsynced as it is written) */
static const char *
journal_id(const char *dir, char id[SL_UUID_LEN + 1])
{
	size_t	n = strlen(jrun);

	if (n == 0 || !sl_journal_ready() || strncmp(dir, jrun, n) != 0 ||
	    strchr(dir + n, '/') != NULL ||
	    sl_token_parse(dir + n, NULL, id) < 0)
		return NULL;
	return id;
}
static int record(const struct sup *, int, int, int, const char *, int,
    char **);

static _Noreturn void
recorder(const struct sup *s, int dfd, int chan, int bt,
    const char *cwd, int outfd, char **env)
{
	rec_setup();
	_exit(record(s, dfd, chan, bt, cwd, outfd, env));
}

/* rec_setup - what a recorder does first, once: a subreaper, deaf to
 * every signal but SIGKILL, SIGSTOP (and a fault's) by blocking them all,
 * for its whole life: not ignored, which the command would inherit (its
 * process unblocks them before its exec), and no handler can run in
 * spawn's vfork child.  SIGCHLD and SIGUSR1 (crash detection's) are taken
 * with sigtimedwait, no handler, no lost wakeup; nothing else is sent to
 * it */
static void
rec_setup(void)
{
	sigset_t set;

	subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == 0;
	sigfillset(&set);
	(void)sigprocmask(SIG_SETMASK, &set, NULL);
}

/*
 * record - the recorder's work for one run (recorder above): how it
 * would exit, 0 (told; or no go came), 127 (it did not execute: told),
 * 1 (it lost its command)
 */
static int
record(const struct sup *s, int dfd, int chan, int bt,
    const char *cwd, int outfd, char **env)
{
	char	id[SL_UUID_LEN + 1];
	const char *jid;
	struct started_msg sm;
	struct ended_msg em;
	struct timespec sec;
	sigset_t set;
	long long last, now, wait;
	long	fenced = 0;
	pid_t	c, w;
	int	st = 0, swept = -2, looked;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	/* the fence's clock starts now, before the supervisor's first
	 * lease is begun: not when the command has executed, which a slow
	 * spawn (a cwd on a hung mount) can put any time after that lease;
	 * were the supervisor stalled meanwhile, the command would then run
	 * on past the time crash detection may take its run.  Its
	 * renewals' beats (from its go on) move it on */
	last = sl_mono_ms();
	/* the command's process tells the supervisor its pid itself, and
	 * runs only after the supervisor's lease named it and its go */
	memset(&sm, 0, sizeof(sm));
	sm.pid = c = spawn(s, cwd, outfd, env, chan, sm.why,
	    sizeof(sm.why));
	/* the pipe to the supervisor (log_max): only the command's tree
	 * may hold its write end, so that it ends with the tree.  Its read
	 * end we keep, unread: a supervisor killed leaves the command
	 * blocked on a full pipe until the fence, not killed by SIGPIPE */
	if (outfd != runlog.fd)
		close(outfd);
	if (c == -2)
		return 0;	/* the supervisor died before its lease */
	/* why it did not execute: the first word if it failed before it
	 * could say its pid, else our only one (the supervisor reads it
	 * when it reaps us).  That it executed needs no word: the
	 * supervisor went on at its go (two calls a run fewer) */
	if (c < 0) {
		if (send(chan, &sm, sizeof(sm), MSG_NOSIGNAL) < 0)
			(void)0;	/* the supervisor is gone */
		return 127;
	}
	/* with a journal, the moves of the run (its claim, its start's
	 * rename into running/) must be durable before its exit record is:
	 * none is fsynced, the record's fdatasync commits nothing, and a
	 * finished run found back in sched/ after a power cut would run
	 * again.  An fsync of `exit` used to commit them with it; the
	 * directory's fsync commits them now (its rename changed it: its
	 * "..") while the command starts, off its end's path.  Failed: the
	 * record is fsynced as before, which commits them */
	jid = journal_id(s->dir, id);
	if (jid != NULL && fsync(dfd) < 0)
		jid = NULL;
	/* no wait before the first sigtimedwait: SIGCHLD is blocked here
	 * from our fork on and taken only by that wait, so a command that
	 * ended already left it pending, and the wait returns at once (a
	 * call a run less) */
	for (w = 0, looked = 0;; looked = 1) {
		if (looked && (w = waitpid(c, &st, WNOHANG)) == c)
			break;
		if (w < 0 && errno != EINTR) {
			note("the exit recorder lost its command (pid "
			    "%ld): waitpid: %s", (long)c, strerror(errno));
			return 1;
		}
		/* at the first look none is read unless the fence would
		 * fall: the first lease sends a beat only if it was written
		 * at a retry (first_lease), and the supervisor renews from
		 * its go on, a heartbeat later, so only a spawn that was
		 * slow (a hung cwd) leaves beats here, and they are read
		 * then: a renewal that succeeded found the run still the
		 * supervisor's */
		if (looked)
			last = beats(bt, last);
		now = sl_mono_ms();
		if (!looked && now - last >= FENCE_MS(s->cf->lease))
			last = beats(bt, last);
		if (fenced == 0 && now - last >= FENCE_MS(s->cf->lease)) {
			(void)kill(-c, SIGKILL);
			(void)kill(c, SIGKILL);
			fenced = (long)((now - last) / 1000);
		}
		wait = fenced ? 1000 : last + FENCE_MS(s->cf->lease) - now;
		if (wait > 1000)
			wait = 1000;
		sec.tv_sec = (time_t)(wait / 1000);
		sec.tv_nsec = (long)(wait % 1000) * 1000000L;
		if (sigtimedwait(&set, NULL, &sec) == SIGUSR1) {
			(void)kill(-c, SIGKILL);
			(void)kill(c, SIGKILL);
			rec_settled = 1;
		}
	}
	sl_step("recorder-reaped");	/* tests die here: a status lost */
	/* RACE: the command may have ended on its own just before the
	 * fence's SIGKILL: then it was not fenced, and that end is its */
	if (fenced && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
		fenced = 0;
	if (fenced) {
		/* the spool is likely out of reach: no process of the
		 * attempt may wait for it */
		swept = sweep(c, NULL);
		note("no lease renewal had succeeded for %ld s (the "
		    "spool out of reach, or the supervisor stopped or dead): "
		    "the exit recorder killed process group %ld", fenced,
		    (long)c);
	}
	memset(&em, 0, sizeof(em));
	em.status = st;
	em.fenced = fenced;
	if (sl_exit_write(dfd, jid, s->r->attempt, (long)c, st, fenced,
	    s->started) == 0)
		em.recorded = 1;
	else
		note("cannot record the command's exit status in %s/exit: "
		    "%s", s->dir, strerror(errno));
	if ((swept == -2 ? sweep(c, NULL) : swept) < 0) {
		em.left = 1;
		note("WARNING: processes of process group %ld (or its "
		    "orphans) are still alive %d s after SIGKILL", (long)c,
		    SWEEP_MAX);
	}
	if (send(chan, &em, sizeof(em), MSG_NOSIGNAL) < 0)
		(void)0;	/* the supervisor reads `exit` instead */
	return 0;
}

/*
 * The warm recorder.  A keeper (sl_run_keeper) forks its recorder once,
 * and keeps it as its agent keeps the keeper: for each run it sends it a
 * request (struct rec_req, then its strings; the run's descriptors by
 * SCM_RIGHTS), which the recorder serves as one forked for the run would
 * (record), then says it is done (a byte on their channel, then SIGCHLD
 * to its keeper, whose waits take that signal) and waits for the next.
 * So a run costs no fork of the recorder, nor the copy-on-write faults
 * that fork left on both sides, nor its exit (bench/calls.sh, README).
 * The words of a run go on the run's own channel (chan) as ever; "done"
 * stands for the exit a forked recorder makes.  The end of its channel
 * (the keeper exited, or was killed) ends it, once its run is recorded;
 * a keeper that stays no more closes it and reaps it (warm_stop).  A
 * request too big (an environment beyond REC_REQ_MAX), or a recorder that
 * died or could not be forked or told: the keeper retires the warm one
 * (its sweeps would kill it, as every child of its) and forks one for the
 * run, as any supervisor does.
 */
struct rec_req {
	int	as_user, null_in;
	int	out_is_log;	/* the command's output is the log itself */
	int	has_log;	/* a fifth descriptor: the log, opened */
	uid_t	uid;
	gid_t	gid;
	long	lease, attempt, log_gid;
	time_t	started;
	mode_t	log_mode;
	size_t	nenv;
	/* then, NUL-ended: the command, the cwd, the user, the run
	 * directory, the log's path, and the nenv strings of the env */
};
#define REC_REQ_MAX	(64 * 1024)
#define REC_FDS		5	/* run directory, chan, bt, out, log */

/* the keeper's warm recorder.  Whoever reaps it (a waitpid(-1) in a
 * loop or a sweep) calls warm_lost at once: its pid, killed later, could
 * be another process's by then */
static struct {
	pid_t	pid;		/* -1: none */
	unsigned long long tick;	/* its start (sl_start_tick) */
	int	ctl;		/* our end of its channel */
} warm = { -1, 0, -1 };

/*
 * rec_serve - the warm recorder's life (above): deaf to signals as any
 * recorder, holding nothing of its keeper's channel to the agent (4) nor
 * of the agent's pipe (3): its words go to its keeper alone
 */
static _Noreturn void
rec_serve(int ctl, pid_t keeper, const struct sl_spool *sp, const char *pool)
{
	static char buf[REC_REQ_MAX];
	char	cm[CMSG_SPACE(REC_FDS * sizeof(int))], dir[PATH_MAX];
	const char *str[5];
	struct rec_req q;
	struct sl_config cf;
	struct sl_runspec r;
	struct sup hs;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	char  **env;
	size_t	at, i;
	ssize_t	n;
	int	fd[REC_FDS], nfd, k, rc, ok;

	rec_setup();
	/* forked in the keeper's first run: that run's descriptors (its
	 * channel's end, which must close when the keeper dies, the beat's
	 * and the cap's pipes), the agent's pipe (3) and the keeper's
	 * channel (4) go; the spool's directories stay, as in any
	 * recorder */
	sl_dirfd_closefrom_but(3, ctl);
	/* our exit journal: without one, records are fsynced as ever */
	if (sl_journal_open(sp, pool) == 0) {
		char   *rd = sl_place(sp, SL_PL_RUNNING, pool, NULL,
		    (char *)NULL);

		if (snprintf(jrun, sizeof(jrun), "%s/", rd) >=
		    (int)sizeof(jrun))
			jrun[0] = '\0';
		free(rd);
	}
	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm;
		mh.msg_controllen = sizeof(cm);
		while ((n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC)) < 0 &&
		    errno == EINTR)
			;
		nfd = 0;
		for (c = CMSG_FIRSTHDR(&mh); n >= 0 && c != NULL;
		    c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS)
				for (k = 0; k < (int)((c->cmsg_len -
				    CMSG_LEN(0)) / sizeof(int)); k++) {
					if (nfd < REC_FDS)
						memcpy(&fd[nfd++],
						    CMSG_DATA(c) + k *
						    sizeof(int), sizeof(int));
				}
		if (n == 0)
			sl_journal_close();	/* retired: see journal.c */
		if (n <= 0)
			_exit(0);	/* our keeper is gone, or done */
		ok = (size_t)n >= sizeof(q) && !(mh.msg_flags &
		    (MSG_TRUNC | MSG_CTRUNC));
		memset(&q, 0, sizeof(q));
		if (ok)
			memcpy(&q, buf, sizeof(q));
		ok = ok && nfd == (q.has_log ? 5 : 4);
		at = sizeof(q);
		for (i = 0; ok && i < 5; i++)
			ok = (str[i] = sl_field_get(buf, (size_t)n, &at)) !=
			    NULL;
		env = ok && q.nenv < REC_REQ_MAX / 2 ?
		    calloc(q.nenv + 1, sizeof(char *)) : NULL;
		for (i = 0; env != NULL && i < q.nenv; i++)
			if ((env[i] = (char *)sl_field_get(buf, (size_t)n,
			    &at)) == NULL)
				ok = 0;
		if (!ok || env == NULL || strlen(str[3]) >= sizeof(dir)) {
			/* not a request of our keeper's making, or no
			 * memory, or descriptors cut short (our limit):
			 * refused, said to the keeper, which sees the
			 * run's channel close with no word, waits for
			 * this, and forks a recorder for the run
			 * (warm_refused); we exit, as a next request would
			 * fare no better */
			(void)send(ctl, "r", 1, MSG_NOSIGNAL);
			for (k = 0; k < nfd; k++)
				close(fd[k]);
			_exit(1);
		}
		memset(&cf, 0, sizeof(cf));
		memset(&r, 0, sizeof(r));
		memset(&hs, 0, sizeof(hs));
		cf.lease = q.lease;
		r.command = (char *)str[0];
		r.attempt = q.attempt;
		snprintf(dir, sizeof(dir), "%s", str[3]);
		hs.cf = &cf;
		hs.r = &r;
		hs.dir = dir;
		hs.as_user = q.as_user;
		hs.uid = q.uid;
		hs.gid = q.gid;
		hs.null_in = q.null_in;
		hs.started = q.started;
		snprintf(hs.user, sizeof(hs.user), "%s", str[2]);
		runlog.dir = fd[0];
		runlog.path = str[4];
		runlog.gid = q.log_gid;
		runlog.mode = q.log_mode;
		runlog.fd = q.out_is_log ? fd[3] : q.has_log ? fd[4] : -1;
		/* RACE: no SIGUSR1 is left pending from a run before: a
		 * detector sends one only with a SIGKILL to our keeper, and
		 * then no request comes, only the end of our channel (one
		 * sent all the same would end this run Crashed, retried) */
		rc = record(&hs, fd[0], fd[1], fd[2], str[1], fd[3], env);
		/* record closed the output unless it is the log */
		if (runlog.fd >= 0)
			close(runlog.fd);
		if (q.has_log && fd[4] != runlog.fd)
			close(fd[4]);
		close(fd[0]);
		close(fd[1]);
		close(fd[2]);
		runlog.fd = runlog.dir = -1;
		runlog.path = NULL;
		free(env);
		if (rc == 1)
			_exit(1);	/* it lost its command: as forked */
		/* settled by crash detection: our keeper is being killed,
		 * maybe held in a call a dead mount blocks, and the
		 * detector waits for us; a recorder forked for the run
		 * would exit now, and so do we */
		if (send(ctl, "d", 1, MSG_NOSIGNAL) != 1 || rec_settled)
			_exit(0);
		/* RACE: our keeper had its end open a moment ago; were it
		 * dead since, its pid is not another's before its agent
		 * reaped it and the pids went round: no getppid a run */
		(void)kill(keeper, SIGCHLD);
	}
}

/* fork_ticked - fork(2), and the child's start time as /proc gives it
 * (sl_start_tick) in *tick, for the leases that name it */
static pid_t
fork_ticked(unsigned long long *tick)
{
	long long b0 = sl_boot_ns();
	pid_t	pid = fork();

	if (pid > 0)
		*tick = sl_start_tick(b0, sl_boot_ns(), sysconf(_SC_CLK_TCK));
	return pid;
}

/* warm_lost - it was reaped, by us, elsewhere: forget it */
static void
warm_lost(void)
{
	if (warm.ctl >= 0)
		close(warm.ctl);
	warm.ctl = -1;
	warm.pid = -1;
}

/* warm_stop - the keeper retires its warm recorder: SIGKILLs it first if
 * hard (it died, or would not take a run), else closes its channel (it
 * ends when idle, at once: after its "done"), and reaps it */
static void
warm_stop(int hard)
{
	pid_t	pid = warm.pid;

	if (hard && pid > 0)
		(void)kill(pid, SIGKILL);
	warm_lost();
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

/*
 * warm_give - a run to the keeper's warm recorder (forked now if there is
 * none): its pid; -1 if it was not given (not a keeper, a request too big,
 * a fork or a send that failed), and there is no warm recorder then: the
 * caller forks one for the run
 */
static pid_t
warm_give(const struct sup *s, int dfd, int chan, int bt, const char *cwd,
    int outfd, char **env)
{
	struct sl_buf b = { 0 };
	struct rec_req q;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	char	cm[CMSG_SPACE(REC_FDS * sizeof(int))];
	int	fd[REC_FDS], nfd, sv[2];
	size_t	i;
	pid_t	pid;
	ssize_t	n;

	if (keep_fd < 0)
		return -1;
	memset(&q, 0, sizeof(q));
	q.as_user = s->as_user;
	q.null_in = s->null_in;
	q.uid = s->uid;
	q.gid = s->gid;
	q.lease = s->cf->lease;
	q.attempt = s->r->attempt;
	q.started = s->started;
	q.log_gid = runlog.gid;
	q.log_mode = runlog.mode;
	q.out_is_log = outfd == runlog.fd;
	q.has_log = !q.out_is_log && runlog.fd >= 0;
	for (i = 0; env[i] != NULL; i++)
		;
	q.nenv = i;
	sl_buf_add(&b, (const char *)&q, sizeof(q));
	sl_buf_add(&b, s->r->command, strlen(s->r->command) + 1);
	sl_buf_add(&b, cwd, strlen(cwd) + 1);
	sl_buf_add(&b, s->user, strlen(s->user) + 1);
	sl_buf_add(&b, s->dir, strlen(s->dir) + 1);
	sl_buf_add(&b, runlog.path, strlen(runlog.path) + 1);
	for (i = 0; env[i] != NULL; i++)
		sl_buf_add(&b, env[i], strlen(env[i]) + 1);
	if (b.len > REC_REQ_MAX || strlen(s->dir) >= PATH_MAX) {
		sl_buf_free(&b);
		/* killed, idle: its journal's syncfs, at a retirement, would
		 * be on this run's path; the next warm recorder removes it */
		warm_stop(1);
		return -1;
	}
	if (warm.pid < 0) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    sv) < 0) {
			sl_buf_free(&b);
			return -1;
		}
		if ((pid = fork_ticked(&warm.tick)) == 0) {
			close(sv[0]);
			rec_serve(sv[1], getppid(), s->sp, s->pool);
		}
		close(sv[1]);
		if (pid < 0) {
			close(sv[0]);
			sl_buf_free(&b);
			return -1;
		}
		warm.pid = pid;
		warm.ctl = sv[0];
	}
	fd[0] = dfd;
	fd[1] = chan;
	fd[2] = bt;
	fd[3] = outfd;
	fd[4] = runlog.fd;
	nfd = q.has_log ? 5 : 4;
	memset(&mh, 0, sizeof(mh));
	memset(cm, 0, sizeof(cm));
	iov.iov_base = b.s;
	iov.iov_len = b.len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm;
	mh.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
	memcpy(CMSG_DATA(c), fd, nfd * sizeof(int));
	while ((n = sendmsg(warm.ctl, &mh, MSG_NOSIGNAL)) < 0 &&
	    errno == EINTR)
		;
	sl_buf_free(&b);
	if (n != (ssize_t)iov.iov_len) {
		/* it died (EPIPE), or would not take it: one forked for
		 * the run takes over; this one may not outlive it idle */
		warm_stop(1);
		return -1;
	}
	return warm.pid;
}

/* warm_said - has the warm recorder said it is done with the run?  (Not
 * blocking; its SIGCHLD woke us) */
static int
warm_said(void)
{
	char	d;

	return warm.ctl >= 0 && recv(warm.ctl, &d, 1, MSG_DONTWAIT) == 1;
}

/* warm_byte - the warm recorder's next byte on its channel, waited for
 * a sweep's time at most (peek: MSG_PEEK, left there); -1 if none came
 * (its end closed: it is dead) */
static int
warm_byte(int peek)
{
	struct pollfd pf;
	unsigned char d;

	pf.fd = warm.ctl;
	pf.events = POLLIN;
	while (poll(&pf, 1, SWEEP_MAX * 1000) < 0 && errno == EINTR)
		;
	return recv(warm.ctl, &d, 1, MSG_DONTWAIT | peek) == 1 ? d : -1;
}

/*
 * warm_refused - did the warm recorder refuse the run (rec_serve)?  Then
 * it is reaped (it exits), and the caller forks a recorder for the run.
 * Asked when the run's channel closed with no word.  RACE: the refusal
 * may come just after that close, since the descriptors its receipt cut
 * short were closed by the kernel then.  So its next byte is waited for (a sweep's time at
 * most): "r", or the end of their channel (it was killed), or anything
 * else, which is left for warm_wait
 */
static int
warm_refused(void)
{
	if (warm.ctl < 0 || warm_byte(MSG_PEEK) != 'r')
		return 0;
	warm_stop(1);
	return 1;
}

/*
 * warm_wait - the run ended before its go (no pid came, or no lease could
 * be written): wait for the warm recorder's "done" (its command's process
 * saw our end of chan close, or never was, and is reaped), for a sweep's
 * time at most; 0 done, -1 not (it was killed and reaped: the caller
 * sweeps as without it)
 */
static int
warm_wait(void)
{
	if (warm_byte(0) >= 0)
		return 0;
	warm_stop(1);
	return -1;
}

/*
 * sl_status_state - the state a command's raw wait status ends its
 * attempt in (0 Completed, other exits Failed, a signal Crashed with exit
 * code 128 + N), its exit code, and a message ("" for Completed).
 */
enum sl_state
sl_status_state(int status, int *code, char *msg, size_t len)
{
	*code = WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
	if (WIFSIGNALED(status)) {
		snprintf(msg, len, "Killed by signal %d (%s), which sluice did "
		    "not send", WTERMSIG(status), strsignal(WTERMSIG(status)));
		return SL_CRASHED;
	}
	if (*code == 0) {
		msg[0] = '\0';
		return SL_COMPLETED;
	}
	snprintf(msg, len, "Exited with code %d", *code);
	return SL_FAILED;
}

/*
 * The log cap (log_max, sluice.ini(5); logcap.c).  With a cap, the
 * command's stdout and stderr are a pipe to the supervisor, which writes
 * the head to the log as it comes and keeps the tail in memory, until the
 * attempt ends: then the marker line (what was cut) and the tail.  The
 * supervisor reads in the waits of its loop (a signalfd wakes it for
 * SIGCHLD too): a poll and a read for up to CAP_CHUNK bytes, and a write
 * while the head lasts.  Without a cap (0) the command writes the log
 * itself, as it always did.  A supervisor killed loses the tail it held:
 * the log keeps the head (spool-layout.md, "The log cap").
 */
#define CAP_CHUNK	(256 * 1024)	/* a read, and a chatty pipe's size */

struct cap {
	struct sl_logcap lc;
	long long max;		/* log_max */
	int	in;		/* the pipe's read end, -1: none or ended (at
				 * its end of file it is left open: our exit
				 * closes it, a call less) */
	int	out;		/* its write end, until the recorder has it */
	int	sig;		/* a signalfd for SIGCHLD, -1: none */
	int	on;		/* the pipe was made: the command writes it */
	int	big;		/* it was made CAP_CHUNK big (cap_pump) */
	const char *path;	/* the log's, for messages */
};

/* cap_open - a pipe for the command's output if log_max asks for one;
 * on any failure the command writes the log itself, uncapped, said */
static void
cap_open(struct cap *c, long long max, const char *path,
    const struct stat *st)
{
	int	p[2];

	memset(c, 0, sizeof(*c));
	c->in = c->out = c->sig = -1;
	c->path = path;
	c->max = max;
	if (max <= 0 || st == NULL || !S_ISREG(st->st_mode))
		return;		/* no cap, or no log to cap (/dev/null) */
	if (pipe2(p, O_CLOEXEC) < 0) {
		note("cannot make a pipe for log_max (%s): this attempt's "
		    "output is not capped", strerror(errno));
		return;
	}
	/* RACE: none; the log is the run's and only its supervisor writes
	 * it while the command runs.  The read end blocks: it is read once
	 * a poll says it holds data or its end (cap_pump), and made
	 * non-blocking only for the last drain, if the end has not come by
	 * then (cap_end): a call a run less.  We are its only reader (the
	 * recorder keeps a copy it never reads), so what the poll saw is
	 * there for the read.  It is made bigger only once a read finds it
	 * was full (cap_pump) */
	c->in = p[0];
	c->out = p[1];
	c->on = 1;
	sl_logcap_init(&c->lc, st->st_size < max ? max - st->st_size : 0);
}

/* cap_watch - after the recorder is forked: SIGCHLD as a descriptor, so
 * that one poll waits for output and for a child's end */
static void
cap_watch(struct cap *c, const sigset_t *chld)
{
	if (c->in >= 0)
		c->sig = signalfd(-1, chld, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* cap_write - all of p to the log; a failure loses output, never a state */
static void
cap_write(struct cap *c, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(log_fd(), p, n)) < 0) {
			if (errno == EINTR)
				continue;
			sl_warn("cannot write %s: %s", c->path, strerror(errno));
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* cap_pump - one read of the pipe, which must not block (a poll said it
 * is ready, or cap_end made it non-blocking): the head to the log, the
 * tail to memory; at end of file it is done (c->in -1).  1: it read
 * something (more may wait), else 0 (the end, or nothing: EAGAIN) */
static int
cap_pump(struct cap *c)
{
	static char buf[CAP_CHUNK];
	ssize_t	n;
	size_t	now;

	if (c->in < 0)
		return 0;
	while ((n = read(c->in, buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (n < 0)
		return 0;	/* EAGAIN (cap_end): nothing more */
	if (n == 0) {
		c->in = -1;	/* not closed: see struct cap */
		return 0;
	}
	/* a read that took a whole default pipe (64 KiB): a chatty command,
	 * which a bigger pipe wakes us for less often (refused: the user's
	 * pipe quota, and the default serves).  Not at the pipe's make: a
	 * call a run for the many that print little */
	if (!c->big && n >= 64 * 1024) {
		(void)fcntl(c->in, F_SETPIPE_SZ, CAP_CHUNK);
		c->big = 1;
	}
	if ((now = sl_logcap_feed(&c->lc, buf, (size_t)n)) > 0)
		cap_write(c, buf, now);
	return 1;
}

/* wait_until - until a signal of set is pending (taken) or the
 * monotonic time end (ms) */
static void
wait_until(const sigset_t *set, long long end)
{
	long long left = end - sl_mono_ms();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = (time_t)(left / 1000);
	ts.tv_nsec = (long)(left % 1000) * 1000000L;
	(void)sigtimedwait(set, NULL, &ts);
}

/*
 * cap_wait - the supervisor loop's wait: up to *sec, or until a signal
 * of set (SIGCHLD) is pending, copying output meanwhile.  Without a pipe,
 * the sigtimedwait it always was.
 */
static void
cap_wait(struct cap *c, const sigset_t *set, const struct timespec *sec)
{
	struct signalfd_siginfo si;
	struct pollfd pf[2];
	long long end = sl_mono_ms() + sec->tv_sec * 1000LL + sec->tv_nsec /
	    1000000L, left;

	if (c->in >= 0 && c->sig < 0) {
		/* no signalfd (signalfd(2) failed): the pipe is polled alone,
		 * a tenth of a second at a time, and SIGCHLD looked for in
		 * between, so that a chatty command is not left blocked on a
		 * full pipe */
		struct timespec zero = { 0, 0 };

		pf[0].fd = c->in;
		pf[0].events = POLLIN;
		while ((left = end - sl_mono_ms()) > 0 && c->in >= 0) {
			pf[0].revents = 0;
			if (poll(pf, 1, left > 100 ? 100 : (int)left) < 0 &&
			    errno != EINTR)
				break;
			if (pf[0].revents != 0)
				(void)cap_pump(c);
			if (sigtimedwait(set, NULL, &zero) > 0)
				return;
		}
	}
	if (c->in < 0 || c->sig < 0) {
		wait_until(set, end);
		return;
	}
	pf[0].fd = c->sig;
	pf[1].fd = c->in;
	pf[0].events = pf[1].events = POLLIN;
	while ((left = end - sl_mono_ms()) > 0 && c->in >= 0) {
		pf[0].revents = pf[1].revents = 0;
		if (poll(pf, 2, (int)left) < 0 && errno != EINTR)
			return;
		/* hung up and nothing to read (a pipe says POLLIN while
		 * anything is left in it): the end of file a read would
		 * say, a call a run saved for a command that prints
		 * nothing.  No writer can come back: we closed our end */
		if (pf[1].revents == POLLHUP)
			c->in = -1;	/* not closed: see struct cap */
		else if (pf[1].revents != 0)
			(void)cap_pump(c);
		if (pf[0].revents != 0) {
			/* drained: SIGCHLD stays blocked, the loop reaps */
			while (read(c->sig, &si, sizeof(si)) > 0)
				;
			return;
		}
	}
	if (c->in < 0)
		wait_until(set, end);	/* the command closed its output */
}

/* cap_end - the attempt is over and no writer is left: read the rest,
 * then write the marker (if anything was cut) and the tail */
static void
cap_end(struct cap *c)
{
	struct sl_buf b = { 0 };
	char	lim[32];

	if (c->max <= 0 || !c->on)
		return;
	/* RACE: a writer still alive (the sweep gave up on it: stuck in
	 * the kernel) writes nothing more; what waits is read, not waited
	 * for.  Usually the end has come already, in the loop's waits */
	if (c->in >= 0 && fcntl(c->in, F_SETFL, O_NONBLOCK) < 0)
		note("cannot read the rest of the command's output (fcntl: "
		    "%s): the log may lack its last part", strerror(errno));
	else
		while (cap_pump(c))
			;
	c->in = -1;
	c->sig = -1;	/* left open, as the pipe: our exit closes them */
	sl_logcap_end(&c->lc, sl_size_fmt(c->max, lim, sizeof(lim)), &b);
	if (b.len > 0)
		cap_write(c, b.s, b.len);
	sl_buf_free(&b);
}

/*
 * sup_setup - what a supervisor does first: its own session, its signal
 * mask, /dev/null as its standard streams (s->null_in: on 0), the agent's
 * pipe kept on 3 and the rest closed, being a subreaper.  The pipe's
 * descriptor (3), or -1 without one.  A keeper's later runs skip it
 * (keep_warm): all is as its first run left it.
 */
static int
sup_setup(struct sup *s)
{
	sigset_t set;
	size_t	i;
	int	fd, nfd = -1;

	sl_lead_session();	/* no longer in the agent's session */
	/* SIGHUP and SIGPIPE blocked, not ignored: an ignored signal stays
	 * ignored across exec, and the command would inherit it.  So the
	 * command's process has nothing to reset but the mask.  SIGCHLD
	 * and SIGUSR1 (the recorder's) are taken with sigtimedwait or a
	 * signalfd, never by a handler.  The mask is set whole: SIGTERM,
	 * which the agent keeps blocked (it reads it from a signalfd), is
	 * unblocked here, at its default, which also kills us in a call a
	 * dead mount holds (a fatal signal wakes a killable sleep; one
	 * with a handler would not).  SIGINT stays blocked for our life:
	 * no terminal's Ctrl-C reaches us after setsid, and one sent to
	 * the agent's process group between our fork and our setsid waits
	 * in us, pending, where unblocked it would end us and crash a run
	 * the Ctrl-C was never meant for.  Closed at no call: nothing
	 * reads it, our forks start with none pending, and the command's
	 * process unblocks all before its exec.  RACE: a SIGTERM sent to
	 * that group in that window (a `kill -TERM -PGID', never
	 * systemd's KillMode=process) still ends us here, as a kill
	 * would; crash detection judges the run */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* an inherited SIG_IGN (nohup; SIGCHLD's would reap for us), or a
	 * handler of the agent's (SIGTERM's and SIGINT's when it has no
	 * signalfd), goes; the agent looked (sl_run_start_warm), else we
	 * must */
	for (i = 0; i < sizeof(agent_sigs) / sizeof(agent_sigs[0]); i++)
		if (!own.known || own.ign & 1 << i)
			signal(agent_sigs[i], SIG_DFL);
	/* the spool's directory descriptors stay (below), but not one on
	 * 0-3, which are replaced: forget those */
	sl_dirfd_drop_below(4);
	/* the agent's /dev/null (sl_run_start_warm): an open a start less */
	if ((fd = own.null) >= 0 || (fd = open("/dev/null", O_RDWR)) >= 0) {
		s->null_in = dup2(fd, 0) == 0;
		(void)dup2(fd, 1);
		(void)dup2(fd, 2);
	}
	/* keep the agent's "a run ended" pipe (sl_run_notify_fd) as fd 3,
	 * close-on-exec (as it is made: where the agent put it on 3, there
	 * is nothing to do); close the rest (the agent's inotify, pipes)
	 * but the spool's directories (dirfd.c), which would cost this
	 * supervisor and its recorder an open of each again, and a walk
	 * on a network filesystem.  A keeper's channel to its agent
	 * (sl_run_keeper) stays too, on 4 */
	if (notify_fd == 3 || (notify_fd >= 0 &&
	    dup3(notify_fd, 3, O_CLOEXEC) == 3)) {
		sl_dirfd_closefrom(keep_fd == 4 ? 5 : 4);
		nfd = 3;
	} else {
		sl_dirfd_closefrom(3);
		keep_fd = -1;	/* no word could say it waits */
	}
	/* orphans of the command's tree come to us (or to the recorder,
	 * while it lives), so that none outlives the attempt */
	subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == 0;
	return nfd;
}

/*
 * keep_clean - may a keeper stay for another run after this one (ok: it
 * ended it, or sent it back; leftover: processes of it outlived the
 * sweep)?  Only if the run left nothing: not a run it could not end (its
 * lease, in running/, names us: crash detection would kill us in the next
 * run as the dead supervisor of that one), and no child of ours alive (a
 * process the sweep could not kill, which would hold the next run's sweep;
 * an alert hook's, which came to us as the subreaper we stay, and which
 * the next run's sweep would kill).  Its zombies are reaped here.
 */
static int
keep_clean(int ok, int leftover)
{
	static unsigned long alerts;	/* sl_alert_forked, when last looked */
	pid_t	w;

	if (!ok || leftover)
		return 0;
	while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
		if (w == warm.pid)
			warm_lost();
	if (w < 0 && errno == ECHILD)
		return 1;
	if (w != 0 || warm.pid <= 0)
		return 0;
	/* children alive, the warm recorder one: the others can only be
	 * an alert hook's (the command's orphans came to the recorder), so
	 * the list is read only after a run that forked one (three calls
	 * a run fewer) */
	if (sl_alert_forked() == alerts)
		return 1;
	alerts = sl_alert_forked();
	return only_child(warm.pid);
}

/*
 * keep_reset - a keeper's run is over and told (sl_run_keeper): what the
 * run held goes, so that the next one starts as in a new process.  Its
 * descriptors (the run directory's, the recorder's channel and beat, the
 * log and its cap's pipe and signalfd) are all above the keeper's
 * channel, on 4, and below are only the standard three, the agent's pipe
 * and the spool's directories (dirfd.c, which closefrom spares).  The
 * environment's strings are not freed (kept for the child: env_put): a
 * keeper serves KEEP_RUNS runs at most.  The rest of what sup_setup did
 * stays done (keep_warm).
 */
static void
keep_reset(struct sup *s, char *lp, char *cp, char **env)
{
	sl_dirfd_closefrom_but(keep_fd + 1, warm.ctl);
	runlog.fd = runlog.dir = -1;
	runlog.path = NULL;
	free(lp);
	free(cp);
	free(env);
	free(s->dir);
	s->dir = NULL;
	sl_runspec_free(s->r);
	s->r = NULL;
	keep_warm = 1;
	own.null = -1;	/* closed: a supervisor it forks opens its own */
	sl_lease_forget_known();	/* the next run's children are new */
}

/* supervise - the supervisor process; returns only in a keeper that
 * stays for another run (keep_reset), else exits */
static void
supervise(struct sup *s)
{
	char	msg[SL_ERR_MAX], t[40], *lp, *cp, **env;
	const char *cwd;
	struct started_msg sm;
	struct renewal rn;
	enum sl_state st;
	enum why asked = NONE;
	sigset_t set;
	struct timespec sec = { 1, 0 };
	time_t	now, kill_at = 0;
	long long t0, left;
	unsigned long long rtick = 0;	/* a forked recorder's start */
	pid_t	child = -1, rec, w = 0;
	ssize_t	n;
	int	dfd, sv[2], bt[2], status = 0, ws, killed = 0;
	int	chan = -1;
	int	code = -1, lost = 0, rec_done = 0, have = 0, leftover = 0,
		recorded = 0, rec_now;
	int	nfd = -1, ok, err, none_left = 0, reap, nostart = 0, plain = 0;
	int	warm_run = 0;	/* the warm recorder has it */
	int	told = 0, werr;	/* it said it is done */
	int	refused = 0;	/* it would not take the run */
	union {
		struct started_msg s;	/* it did not execute: why */
		struct ended_msg e;
	} word;
	const char *said;
	long	fenced = 0;
	long long next_look;
	struct cap cap;
	struct stat lst, *lsp = &lst;

	if (keep_warm) {
		nfd = 3;
		s->null_in = keep_null;
	} else {
		nfd = sup_setup(s);
		keep_null = s->null_in;	/* for a keeper's next run */
	}
	lp = sl_path(s->dir, "log", (char *)NULL);
	cp = sl_path(s->dir, "cancel", (char *)NULL);
	/* made with its final mode when our group is the owner's (root's
	 * runs under a root agent, a user's under the user's agent): no
	 * chown and chmod, two round trips on a network filesystem; the
	 * fstat, which the log cap needs anyway, says if they are needed */
	/* the directory, by descriptor: crash detection may rename it */
	dfd = sl_open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	runlog.dir = dfd;
	runlog.path = lp;
	runlog.gid = s->r->owner_gid;
	runlog.mode = s->r->owner_gid >= 0 && s->r->owner_gid ==
	    (long)(own.known ? own.egid : getegid()) ? 0640 : 0600;
	/* an earlier attempt's log is opened (the cap counts what it
	 * holds); none yet is made by the first line written to it, or
	 * now if the command writes it itself (no cap).  A first attempt
	 * has none (every path that starts a run again has ended an
	 * attempt, and counted it), so it is not looked for: a lookup a
	 * run less, a round trip on a network filesystem.  RACE: one
	 * there all the same (a run made by hand) is appended to by the
	 * first line, and the cap counts this attempt's output alone (at
	 * most log_max more).  Without a cap, log_open makes it or opens
	 * the one there */
	runlog.fd = -1;
	errno = ENOENT;
	if (s->cf->log_max > 0 && (s->r->attempt <= 1 ||
	    ((runlog.fd = log_open(0, &lst)) < 0 && errno == ENOENT))) {
		memset(&lst, 0, sizeof(lst));
		lst.st_mode = S_IFREG;	/* empty, to be made */
	} else if (runlog.fd < 0 && (errno != ENOENT ||
	    (runlog.fd = log_open(1, &lst)) < 0)) {
		runlog.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		lsp = NULL;
	} else if (s->cf->log_max <= 0)
		/* the command's own: as it always was (O_NONBLOCK means
		 * nothing to a regular file, but a program may look) */
		(void)fcntl(runlog.fd, F_SETFL, O_APPEND);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);	/* what we wait for */
	cap_open(&cap, s->cf->log_max, lp, lsp);
	env = build_env(s);
	cwd = s->r->cwd != NULL ? s->r->cwd : s->home;
	{
		/* the precise clock, as the agent's start decision: time(2)
		 * reads a coarser one that can still say the last second for
		 * a few milliseconds, and a run started at its second would
		 * seem started before it was due */
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		s->started = rt.tv_sec;
	}
	t0 = sl_mono_ms();
	/* RACE: the start looked for a cancel just before; the next look
	 * is a second on, so a cancel asked meanwhile is seen up to a
	 * second late, as any cancel between two looks (a run of a moment
	 * has ended by then, unlooked, and ends as it ended) */
	next_look = t0 + 1000;
	memset(&rn, 0, sizeof(rn));
	rn.s = s;
	rn.beat = -1;
	/* the run's channel and beat pipe; made again, once, for the
	 * recorder forked when the warm one refused the run */
give:
	if (dfd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv) < 0 || pipe2(bt, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(msg, sizeof(msg), "Could not start: cannot open %.300s "
		    "or make a pipe: %s", s->dir, strerror(errno));
		note("%s", msg + strlen("Could not start: "));
		st = SL_FAILED;
		goto ended;
	}
	if (keep_fd >= 0 && !refused) {
		/* a keeper's: the warm recorder, if it takes it */
		int	out = cap.out >= 0 ? cap.out : log_or_null();

		rec = warm_give(s, dfd, sv[1], bt[0], cwd, out, env);
		warm_run = rec > 0;
		if (out >= 0 && out != cap.out && out != runlog.fd)
			close(out);	/* a /dev/null of its own has it */
	}
	if (!warm_run && (rec = fork_ticked(&rtick)) < 0) {
		snprintf(msg, sizeof(msg), "Could not start: fork: %s",
		    strerror(errno));
		note("%s", msg + strlen("Could not start: "));
		st = SL_FAILED;
		goto ended;
	}
	if (rec == 0) {
		/* the channel's end that is ours (sv[0]) is ours alone, so
		 * that the command's process, which waits for our go on the
		 * other, sees it close if we die; the recorder and the
		 * command's process write their words on that other end
		 * (sv[1]).  One socket pair where two pipes were (the go, the
		 * words): a pipe's make and three closes fewer a start.  The
		 * end of bt that is ours it may keep (close-on-exec): it
		 * reads bt without waiting, taking "empty" and "closed"
		 * alike */
		close(sv[0]);
		recorder(s, dfd, sv[1], bt[0], cwd,
		    cap.out >= 0 ? cap.out : log_or_null(), env);
	}
	close(sv[1]);
	close(bt[0]);
	chan = sv[0];
	rn.beat = bt[1];
	rn.rec = (long)rec;
	sl_lease_know((long)sl_self());	/* known by sl_fork_known, or read */
	sl_lease_know_start((long)rec, warm_run ? warm.tick : rtick);
	sl_lease_know((long)rec);
	/* the run's first lease, written once: it names the supervisor,
	 * the recorder and the command's process (its group), forked and
	 * waiting, before the command starts; a spawn that blocks (a hung
	 * cwd) must not look like a start that never was, and if we die
	 * before the go, nothing starts (the command's process sees our
	 * end close, and exits).  One word comes before it: its pid (from
	 * the command's process), or why it could not be made (from the
	 * recorder), which ends the start.  After the go we go on: a
	 * command that then cannot execute (its cwd, its program) is told
	 * by the recorder's only word, read when we reap it, and ends
	 * Failed as "Could not start" (nostart); meanwhile the lease is
	 * renewed, also through an exec that blocks (a hung cwd) */
	while ((n = read(chan, &sm, sizeof(sm))) < 0 &&
	    errno == EINTR)
		;
	if (n == 0 && warm_run && warm_refused()) {
		note("its warm exit recorder (pid %ld) refused the run (its "
		    "open-file limit, or no memory): a recorder is forked for "
		    "it", (long)rec);
		/* its pid, reaped, is known no more: a child forked now
		 * could have it, and its start time unknown (given 0) */
		sl_lease_forget_known();
		close(chan);
		close(bt[1]);
		chan = rn.beat = -1;
		warm_run = 0;
		refused = 1;
		goto give;
	}
	/* the command's output end, the recorder's now: kept until its
	 * first word, as a warm one may yet refuse the run, and the
	 * recorder forked then needs it (the command writes nothing
	 * before our go) */
	if (cap.out >= 0) {
		close(cap.out);
		cap.out = -1;
		cap_watch(&cap, &set);
	}
	if (n != (ssize_t)sizeof(sm) || sm.pid < 0) {
		if (n != (ssize_t)sizeof(sm))
			snprintf(sm.why, sizeof(sm.why), "its exit "
			    "recorder (pid %ld) died", (long)rec);
		close(chan);	/* no go: it sees it close */
		note("%s", sm.why);
		if (!warm_run || warm_wait() < 0)
			(void)sweep(0, &rn);
		st = SL_FAILED;
		snprintf(msg, sizeof(msg), "Could not start: %.450s",
		    sm.why);
		goto ended;
	}
	child = sm.pid;
	rn.pid = (long)child;
	sl_lease_know_start((long)child, sm.tick);
	if ((ok = first_lease(&rn)) < 0) {
		/* no go: the command's process sees our end close
		 * and exits unstarted, then the recorder */
		err = errno;
		close(chan);
		if (!warm_run || warm_wait() < 0)
			(void)sweep(0, NULL);
		if (ok == -1) {
			/* RACE: our directory is gone (crash detection
			 * or an operator took the run): it is not ours
			 * to end */
			note("the run directory %s is gone before "
			    "its first lease: not started", s->dir);
			_exit(0);
		}
		snprintf(msg, sizeof(msg), "Could not start: cannot "
		    "write its lease in %.300s for %ld s: %s", s->dir,
		    (long)s->cf->lease, strerror(err));
		note("%s", msg + strlen("Could not start: "));
		st = SL_FAILED;
		goto ended;
	}
	if (ok > 0 && recorder_gone(rec)) {
		/* the recorder died while we retried: no command may
		 * run without it (nothing would record its end) */
		close(chan);
		(void)sweep(0, &rn);
		if (warm_run)
			warm_lost();	/* reaped by the sweep */
		snprintf(msg, sizeof(msg), "Could not start: its exit "
		    "recorder (pid %ld) died", (long)rec);
		note("%s", msg + strlen("Could not start: "));
		st = SL_FAILED;
		goto ended;
	}
	/* the go, to the command's process itself: no hop.  The
	 * command's process reads one byte, and none other reads
	 * that way; the recorder's word comes back the same way */
	if (send(chan, "g", 1, MSG_NOSIGNAL) < 0)
		(void)0;	/* it died: seen when it is reaped */
	rn.next = s->started + s->cf->heartbeat;
	for (reap = 0;; reap = 1) {
		/* as a subreaper we reap the recorder, and the command itself
		 * (and orphans) if the recorder was killed.  Not before the
		 * first wait: a child that ended already left SIGCHLD pending
		 * (blocked, never handled, and taken only by the waits), and
		 * the wait returns at once for it; a call a run less */
		rec_now = 0;
		while (reap && (w = waitpid(-1, &ws, WNOHANG)) > 0)
			if (w == rec) {
				rec_now = 1;
				if (warm_run)
					warm_lost();	/* killed */
			} else if (w == child) {
				status = ws;
				have = 1;
			}
		werr = errno;
		/* a warm recorder's "done" stands for a recorder's exit:
		 * its word is on chan before it */
		if (reap && warm_run && !rec_done && !rec_now &&
		    warm_said())
			rec_now = told = 1;
		if (rec_now && !rec_done) {
			rec_done = 1;
			/* not blocking: a command's process killed
			 * or slow before its exec (a hung cwd) still
			 * holds the recorder's end of the pair */
			n = recv(chan, &word, sizeof(word), MSG_DONTWAIT);
			if (n == (ssize_t)sizeof(word.s) && word.s.pid < 0) {
				nostart = have = 1;
			} else if (n == (ssize_t)sizeof(word.e)) {
				status = word.e.status;
				leftover = word.e.left;
				fenced = word.e.fenced;
				recorded = word.e.recorded;
				have = 1;
			} else if (sl_exit_read(dfd, s->r->attempt,
			    &status, &fenced) == 0)
				/* killed after it wrote the record,
				 * maybe before its fsync (it is
				 * written in place): the status
				 * holds, the end is made durable */
				have = 1;
		}
		errno = werr;
		/* the leader's parent is told once, where the recorder was
		 * reaped: one still running is our child from then on, until
		 * we reap it (have) */
		if (rec_done && !have && ((w < 0 && errno == ECHILD) ||
		    (rec_now && subreaper && leader_reaped(child)))) {
			/* the recorder reaped the command and was killed
			 * before it recorded: the status is lost.  Orphans
			 * of the command's tree that left its group (setsid)
			 * came to us, and are no reason to wait: the sweep
			 * below kills them, as the recorder's would have */
			lost = 1;
			break;
		}
		if (rec_done && have) {
			/* a warm recorder that is done swept: every orphan
			 * of the tree came to it, none to us */
			none_left = (told && !leftover) || (subreaper &&
			    w < 0 && errno == ECHILD);
			break;
		}
		now = time(NULL);
		/* a cancel is looked for once a second: not at every wake-up, which a command's output
		 * makes often, each a round trip on a network filesystem */
		if (asked == NONE && sl_mono_ms() >= next_look &&
		    (next_look = sl_mono_ms() + 1000, sl_exists(cp))) {
			asked = CANCEL;
			note("cancel asked for: SIGTERM to process group %ld",
			    (long)child);
			(void)kill(-child, SIGTERM);
			kill_at = now + s->cf->cancel_grace;
		}
		/* the timeout on a monotonic clock, to the millisecond:
		 * whole seconds of time(2) could cut it short by one */
		left = s->r->timeout > 0 ? s->r->timeout * 1000LL -
		    (sl_mono_ms() - t0) : 1000;
		if (asked == NONE && s->r->timeout > 0 && left <= 0) {
			asked = TIMEOUT;
			note("timed out after %ld s: SIGTERM to process "
			    "group %ld", s->r->timeout, (long)child);
			(void)kill(-child, SIGTERM);
			kill_at = now + s->cf->cancel_grace;
		}
		if (asked != NONE && !killed && now >= kill_at) {
			note("still running %ld s after SIGTERM: SIGKILL",
			    s->cf->cancel_grace);
			(void)kill(-child, SIGKILL);
			killed = 1;
		}
		if (renew(&rn) < 0) {
			/* our directory is gone: crash detection took the
			 * run (we were cut off, or stopped, past the lease);
			 * it must not run beside its retry.  The recorder
			 * records into the renamed directory. */
			(void)kill(-child, SIGKILL);
			_exit(0);
		}
		sec.tv_sec = 1;
		sec.tv_nsec = 0;
		if (asked == NONE && left > 0 && left < 1000) {
			sec.tv_sec = 0;
			sec.tv_nsec = left * 1000000L;
		}
		cap_wait(&cap, &set, &sec);
	}
	/* nothing of the attempt outlives it: the recorder swept; this
	 * sweeps what it could not (it was killed) */
	n = none_left ? 0 : sweep(child, &rn);	/* no child: none left */
	if (!none_left && warm_run)
		warm_lost();	/* the sweep killed and reaped it */
	cap_end(&cap);		/* no writer is left: the rest, the tail */
	if (n < 0 || leftover) {
		leftover = 1;
		note("WARNING: processes of process group %ld (or its "
		    "orphans) are still alive %d s after SIGKILL; the run is "
		    "not retried", (long)child, SWEEP_MAX);
	}
	st = sl_status_state(status, &code, msg, sizeof(msg));
	if (nostart)
		code = -1;	/* no status: it never ran */
	if (nostart && asked == NONE) {	/* a cancel, a timeout win */
		note("%s", word.s.why);
		st = SL_FAILED;
		snprintf(msg, sizeof(msg), "Could not start: %.450s",
		    word.s.why);
	} else if (lost) {
		st = SL_CRASHED;
		code = -1;
		snprintf(msg, sizeof(msg), "Its exit status was lost: its exit "
		    "recorder (pid %ld) was killed", (long)rec);
	} else if (fenced > 0) {
		st = SL_CRASHED;
		code = -1;
		snprintf(msg, sizeof(msg), "Killed by its exit recorder after "
		    "%ld s without a lease renewal (the spool out of reach, or "
		    "the supervisor stopped)", fenced);
	} else if (asked == CANCEL) {
		st = SL_CANCELLED;
		snprintf(msg, sizeof(msg), "Cancelled while running: its "
		    "process group got SIGTERM%s", killed ? ", then SIGKILL" : "");
	} else if (asked == TIMEOUT) {
		st = SL_FAILED;
		snprintf(msg, sizeof(msg), "Timed out after %ld s and was "
		    "killed (SIGTERM%s)", s->r->timeout, killed ? ", SIGKILL" : "");
	}
	if (leftover)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s"
		    "processes of it were still alive %d s after SIGKILL",
		    msg[0] ? "; " : "", SWEEP_MAX);
	/* the end is its exit status's alone (sl_status_state): its exit
	 * record says it whole */
	plain = !nostart && !lost && fenced <= 0 && asked == NONE;
ended:
	said = sl_state_names[st];
	if ((st == SL_FAILED || st == SL_CRASHED) && !leftover &&
	    s->r->attempt <= s->r->retries) {
		time_t	when = time(NULL) + s->r->retry_delay;
		char	m2[SL_ERR_MAX + 200];

		snprintf(m2, sizeof(m2), "Attempt %ld of %ld ended %s: %s; "
		    "retrying at %s", s->r->attempt, s->r->retries + 1,
		    sl_state_names[st], msg, sl_time_fmt(when, t, sizeof(t)));
		note("%s", m2);
		ok = sl_run_requeue(s->sp, s->pool, s->dir, s->token, s->r,
		    when, code, m2) == 0;
		said = "AwaitingRetry";
	} else if (have && !lost && recorded) {
		/* the attempt's exit record is durable (the recorder fsynced
		 * it before it said so): crash detection
		 * would end the run from it after a power cut.  The slots of
		 * a claim our agent made are in our memory, forked from it */
		char	slots[1024];
		int	known = s->fresh && sl_claim_slots_of(s->token, slots,
		    sizeof(slots)) == 0;

		/* a first attempt's plain end leaves its result to the
		 * record (sl_result_read derives it): no result.ini */
		if (plain && !leftover && s->r->attempt == 1)
			ok = sl_run_finish_exit(s->sp, s->pool, s->dir,
			    s->r->id, st, known ? slots : NULL) == 0;
		else
			ok = sl_run_finish_recorded(s->sp, s->pool, s->dir,
			    s->r->id, st, code, s->started, msg[0] ? msg : NULL,
			    known ? slots : NULL) == 0;
	}
	else
		ok = sl_run_finish(s->sp, s->pool, s->dir, s->r->id, st, code,
		    s->started, msg[0] ? msg : NULL) == 0;
	/* RACE: if our lease had expired (we were stopped for longer than
	 * it), crash detection took the directory and both calls above find
	 * it gone: the run was already ended, once; the word says "?" then,
	 * and the agent looks in the spool for how it ended. */
	/* tell the agent, if it still listens, how the run ended and so
	 * that a slot of its is free: one word (endword.c), one write, never
	 * blocking (a full pipe: the agent's rescan finds the run ended; a
	 * gone agent's is EPIPE, SIGPIPE ignored) */
	if (nfd >= 0) {
		char	w[2 * SL_ENDWORD_MAX];
		size_t	wn = 0, we;

		/* a keeper that stays for another run says so first, in
		 * the same write (below PIPE_BUF: one word cannot come
		 * without the other), so that its agent, which takes the
		 * end word of a supervisor for its last, knows it stays */
		if (keep_fd >= 0 && ++kept < KEEP_RUNS && keep_clean(ok,
		    leftover))
			wn = sl_endword_fmt(w, SL_ENDWORD_MAX, s->token,
			    "Idle", (int)sl_self(), "");
		we = sl_endword_fmt(w + wn, SL_ENDWORD_MAX, s->token, ok ?
		    said : "?", code, msg);
		if (we > 0 && write(nfd, w, wn + we) == (ssize_t)(wn + we) &&
		    wn > 0) {
			keep_reset(s, lp, cp, env);
			return;
		}
		/* EAGAIN: full, the rescan will see; EPIPE: gone */
	}
	warm_stop(0);
	_exit(0);
}

/* ---- starting ---- */


/*
 * sl_run_start_dirs - the pool's running/ and done/ opened (dirfd.c) in the
 * agent, just before it forks a starter, which inherits them: the start's
 * rename into running/ and the supervisor's into done/ would each open the
 * one the agent's passes never use, two calls a run.  No call while the
 * agent's openings are good (a second at the top, dirfd.c).
 */
void
sl_run_start_dirs(const struct sl_spool *sp, const char *pool)
{
	static const enum sl_place pl[] = { SL_PL_RUNNING, SL_PL_DONE };
	const char *rel;
	char   *d, *x;
	size_t	i;

	for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++) {
		d = sl_place(sp, pl[i], pool, NULL, (char *)NULL);
		/* a name in it: sl_dirfd_at opens a path's ancestors */
		x = sl_path(d, "x", (char *)NULL);
		(void)sl_dirfd_at(x, &rel);	/* else: by path, later */
		free(x);
		free(d);
	}
}

/*
 * sl_run_start_warm - what every start looks up, looked up once, by the
 * agent before it forks its starters, which inherit it: the agent's own
 * user (name, home: a read of /etc/passwd a start otherwise) and the C
 * library's name service state (nsswitch.conf parsed, nscd found absent),
 * which leaves a root agent's lookup of each run's owner at one read of
 * /etc/passwd: 6 system calls a start where it was 22.
 */
void
sl_run_start_warm(void)
{
	struct sigaction sa;
	struct passwd *pw;
	size_t	i;
	int	fd;

	if (own.known)
		return;
	own.uid = geteuid();
	own.egid = getegid();
	pw = getpwuid(own.uid);
	snprintf(own.home, sizeof(own.home), "%s", pw != NULL ? pw->pw_dir :
	    getenv("HOME") != NULL ? getenv("HOME") : "/");
	snprintf(own.user, sizeof(own.user), "%s", pw ? pw->pw_name : "");
	if ((own.pw = pw != NULL))
		own.gid = pw->pw_gid;
	/* which of the signals a supervisor resets are not at their
	 * default (ignored, as under nohup, or caught) */
	for (i = 0; i < sizeof(agent_sigs) / sizeof(agent_sigs[0]); i++)
		if (sigaction(agent_sigs[i], NULL, &sa) < 0 ||
		    sa.sa_handler != SIG_DFL)
			own.ign |= 1 << i;
	/* kept for the supervisors' standard streams: above the 0-4 they
	 * set up (dup2 of a descriptor onto itself would keep its
	 * close-on-exec flag) */
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd < 5) {
		own.null = fcntl(fd, F_DUPFD_CLOEXEC, 5);
		close(fd);
	} else
		own.null = fd;
	own.known = 1;
}

/*
 * sl_run_notify_fd - the write end of a pipe (non-blocking, close-on-exec)
 * that every supervisor started from now on writes one byte to when its
 * run has ended: an agent whose runs end on a network filesystem, where no
 * inotify event reaches it, so starts the next run at once, not at its
 * next poll.  -1: none.  A hint only: the agent's rescans stay the truth.
 */
void
sl_run_notify_fd(int fd)
{
	notify_fd = fd;
}

/* drop_lease - no lease of an earlier attempt in dir (see sl_run_start) */
static int
drop_lease(const char *dir, time_t deadline)
{
	char   *p = sl_path(dir, "lease", (char *)NULL);
	int	rc = 0;

	if (sl_unlink(p) < 0 && errno != ENOENT)
		rc = sl_lease_write(dir, deadline, sl_host(), 0, 0);
	free(p);
	return rc;
}

/*
 * write_start - dir/start.ini, and no earlier lease (drop_lease) if this
 * is a later attempt or an earlier start's start.ini is there: removed
 * first, so that a lease never outlives the start.ini that calls for its
 * removal (a start killed, or failing, between the two leaves both or
 * neither).  deadline: drop_lease's.
 */
static int
write_start(const char *dir, const struct sl_agent *a, const char *nonce,
    time_t now, long attempt, time_t deadline)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	struct sl_buf b = { 0 };
	char	t[40], *to = sl_path(dir, "start.ini", (char *)NULL);
	int	fd, rc = -1, saved;

	sl_buf_puts(&b, "[start]\n");
	sl_ini_put(&b, "agent", a->id);
	sl_ini_put(&b, "host", sl_host());
	sl_ini_put(&b, "nonce", nonce);
	sl_ini_put(&b, "started", sl_time_fmt(now, t, sizeof(t)));
	sl_buf_printf(&b, "attempt = %ld\n", attempt);
	sl_buf_puts(&b, SL_INI_TRAILER);
	/* not fsynced: a start lost to a power cut is a run in running/
	 * without a lease, ended by crash detection; nothing was run that
	 * a record would keep from running again.
	 * RACE: written in place, not by a scratch file and a rename:
	 * nobody reads a Pending run's start.ini (its agent is its
	 * directory's; crash detection and nonce_is read it in running/),
	 * and the directory's rename into running/, after this close,
	 * publishes it whole.  A killed writer's torn one is replaced by the
	 * next start, or goes to done/ with a cancel, where who ran it is
	 * read only from a whole agent id.  A rename saved.  Made new, never
	 * truncated: a new entry is what makes the directory's mtime new,
	 * by which crash detection judges the run until its first lease (an
	 * earlier attempt's start.ini is removed first, as sl_create_fresh
	 * does; that there was one is told) */
	if ((fd = sl_open(to, fl, 0644)) < 0 && errno == EEXIST) {
		if (drop_lease(dir, deadline) == 0 && (sl_unlink(to) == 0 ||
		    errno == ENOENT))
			fd = sl_open(to, fl, 0644);
	} else if (fd >= 0 && attempt > 1 && drop_lease(dir, deadline) < 0) {
		saved = errno;
		(void)close(fd);	/* an empty start.ini: the next start
					 * finds it, and drops the lease */
		errno = saved;
		fd = -1;
	}
	if (fd >= 0) {
		rc = sl_write_all(fd, b.s, b.len);
		saved = errno;
		if (close(fd) < 0 && rc == 0)	/* NFS says a failed write here */
			rc = -1;
		else
			errno = saved;
	}
	sl_buf_free(&b);
	free(to);
	return rc;
}

static int
nonce_is(const char *dir, const char *nonce)
{
	char   *p = sl_path(dir, "start.ini", (char *)NULL), *text, v[64];
	int	rc = 0;

	if (sl_read_file(p, &text, 4096) >= 0) {
		sl_kv_get(text, "nonce", v, sizeof(v));
		rc = strcmp(v, nonce) == 0;
		free(text);
	}
	free(p);
	return rc;
}

/*
 * sl_run_keeper - this process, a starter, is a keeper: after the run it
 * supervises it waits on fd (4; -1: it is none) for another to start
 * (bin/sluice-agent.c, "keepers"), instead of exiting
 */
void
sl_run_keeper(int fd)
{
	keep_fd = fd == 4 ? fd : -1;
	if (keep_fd < 0) {
		keep_warm = 0;	/* a supervisor a keeper forks sets up */
		warm_lost();	/* and has no warm recorder of its own */
	}
}

/* sl_run_retire - a keeper that exits (its agent retired it, or is gone)
 * retires its warm recorder first, so that no idle process of it is left
 * for init to reap */
void
sl_run_retire(void)
{
	warm_stop(0);
}

/* a start made with SL_START_BECOME: its supervision, for sl_run_become */
static struct sup become_s;
static struct sl_runspec become_r;

/*
 * sl_run_become - become the supervisor of the run that sl_run_start
 * just started with SL_START_BECOME (it returned SL_START_STARTED).
 * Returns only in a keeper (sl_run_keeper), once the run is over and its
 * agent told that it waits for another; else the process exits.
 */
void
sl_run_become(void)
{
	if (become_s.r == NULL)
		sl_panic("sl_run_become: no run was started to supervise");
	fflush(NULL);
	supervise(&become_s);
}

/*
 * sl_run_start - start pending/AGENT/TOKEN (see the top of this file).
 * out->name, out->sup and out->why are filled in as they apply.  With
 * SL_START_FRESH (the caller claimed the run itself, in this pass, under
 * this p) step 3 is skipped: the claim took a slot of every scope p
 * limits and verified them after moving the run, a moment ago.  With
 * SL_START_BECOME (the caller is a process forked to start it: a
 * starter) no supervisor is forked: a start returning SL_START_STARTED
 * leaves its supervision to sl_run_become, in the caller, whose pid is
 * out->sup; one fork and exit a run fewer, and one process hop less
 * between the claim and the command.  A run this process claimed with
 * SL_CLAIM_DEFER (with SL_START_FRESH) is still under its private claim
 * name: it is started from there; a start that leaves it there (not due
 * after all, a failure) gives it its Pending name (claim step 7, late).
 */
static enum sl_start start(const struct sl_spool *, const struct sl_config *,
    const struct sl_agent *, const struct sl_pool *, const char *,
    const char *, time_t, int, struct sl_started *);

enum sl_start
sl_run_start(const struct sl_spool *sp, const struct sl_config *cf,
    const struct sl_agent *a, const struct sl_pool *p, const char *token,
    time_t now, int flags, struct sl_started *out)
{
	char   *priv = NULL;
	enum sl_start rc;

	/* a run this process claimed with its step 7 deferred is still
	 * under its private claim name: it is started from there */
	if (flags & SL_START_FRESH)
		priv = sl_claim_deferred(token);
	rc = start(sp, cf, a, p, token, priv, now, flags, out);
	if (priv != NULL) {
		/* started: moved into running/; else it gets its Pending
		 * name now, where a listing of pending/ finds it to try
		 * again, if it is still there (a cancel or a refusal moved
		 * it, unless that failed) */
		sl_claim_undefer(token, priv, rc != SL_START_STARTED);
		free(priv);
	}
	return rc;
}

/* start - sl_run_start of the run in priv (its private claim name), or
 * if NULL in pending/AGENT/TOKEN */
static enum sl_start
start(const struct sl_spool *sp, const struct sl_config *cf,
    const struct sl_agent *a, const struct sl_pool *p, const char *token,
    const char *priv, time_t now, int flags, struct sl_started *out)
{
	struct sl_runspec r;
	struct sup s;
	struct stat rst;
	struct passwd *pw;
	char	u1[64], u2[64], nonce[SL_UUID_LEN + 1], *pend, *run, *c;
	char	id[SL_UUID_LEN + 1];
	enum sl_start rc;
	time_t	t;
	pid_t	pid;
	int	r2;

	memset(out, 0, sizeof(*out));
	if (sl_token_parse(token, &t, id) < 0)
		return SL_START_GONE;
	snprintf(out->id, sizeof(out->id), "%s", id);
	pend = priv != NULL ? sl_xstrdup(priv) : sl_place(sp, SL_PL_PENDING,
	    a->pool, NULL, a->id, token, (char *)NULL);
	c = sl_path(pend, "cancel", (char *)NULL);
	if (t > now && !sl_exists(c)) {	/* prefetched: waits for its time */
		free(c);
		free(pend);
		return SL_START_LATER;
	}
	free(c);
	memset(&r, 0, sizeof(r));
	/* judged by the fstat of the descriptor read */
	switch (sl_runini_load(pend, now, &r, &rst, out->why,
	    sizeof(out->why))) {
	case -1:
		rc = errno == ENOENT ? SL_START_GONE : SL_START_FAILED;
		free(pend);
		return rc;
	case -2:
		(void)sl_run_refuse(sp, a->pool, pend, id, out->why);
		free(pend);
		return SL_START_REFUSED;
	}
	if (strcmp(r.id, id) != 0) {
		/* the name decides which run this is (its done/ name, its
		 * slots); a run.ini of another run would end that run's
		 * name: refuse, never guess */
		snprintf(out->why, sizeof(out->why), "its run.ini is of run "
		    "%.40s, not of %s", r.id[0] ? r.id : "(none)", id);
		sl_runspec_free(&r);
		(void)sl_run_refuse(sp, a->pool, pend, id, out->why);
		free(pend);
		return SL_START_REFUSED;
	}
	snprintf(out->name, sizeof(out->name), "%s", r.name ? r.name : "");
	c = sl_path(pend, "cancel", (char *)NULL);
	if (sl_exists(c)) {
		free(c);
		rc = sl_run_finish(sp, a->pool, pend, id, SL_CANCELLED, -1, 0,
		    "Cancelled before it started") == 0 ? SL_START_CANCELLED :
		    SL_START_GONE;
		goto out;
	}
	free(c);
	/* RACE: a fresh claim's slots can be gone only if this agent
	 * stalled past its heartbeats since: then recovery handed the run
	 * back too, and its rename into running/ below fails.  Checking
	 * costs a listing of slots/ and an lstat per slot directory a run */
	if (!(flags & SL_START_FRESH) && !holds_slots(sp, p, a, r.queue, id)) {
		snprintf(out->why, sizeof(out->why), "it does not hold a slot "
		    "of every concurrency limit now");
		rc = sl_run_unclaim(sp, a->pool, pend, token, a->id) == 0 ?
		    SL_START_RETURNED : SL_START_GONE;
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.fresh = (flags & SL_START_FRESH) != 0;
	/* who wrote it: a forged run.ini must not choose its owner */
	if (sl_perm_check_run(sp, pend, &rst, &r, out->why,
	    sizeof(out->why)) < 0) {
		sl_log(SL_WARNING, "Refused flow run '%s': %s", id, out->why);
		goto refuse;
	}
	if ((own.known ? own.uid : geteuid()) == 0) {
		if (own.known && own.pw && r.owner_uid == (long)own.uid) {
			/* root's own run: looked up once (sl_run_start_warm) */
			s.uid = own.uid;
			s.gid = own.gid;
			snprintf(s.user, sizeof(s.user), "%s", own.user);
			snprintf(s.home, sizeof(s.home), "%s", own.home);
		} else if (r.owner_uid >= 0 &&
		    (pw = getpwuid((uid_t)r.owner_uid)) != NULL) {
			s.uid = pw->pw_uid;
			s.gid = pw->pw_gid;
			snprintf(s.user, sizeof(s.user), "%s", pw->pw_name);
			snprintf(s.home, sizeof(s.home), "%s", pw->pw_dir);
		} else {
			snprintf(out->why, sizeof(out->why), "Refused by agent "
			    "'%s' on %s: its owner (uid %ld) is not a user of "
			    "this host", a->name, sl_host(), r.owner_uid);
			goto refuse;
		}
		if (r.owner_gid >= 0)
			s.gid = (gid_t)r.owner_gid;
		s.as_user = s.uid != 0 || r.owner_gid != 0;
	} else {
		if (r.owner_uid != (long)geteuid()) {
			snprintf(out->why, sizeof(out->why), "Refused by agent "
			    "'%s' on %s: the run is owned by uid %ld (%s), and an "
			    "agent that is not root runs only its own user's "
			    "runs (this one runs as uid %ld, %s); start an agent "
			    "as that user or as root", a->name, sl_host(),
			    r.owner_uid, user_name(r.owner_uid, u1, sizeof(u1)),
			    (long)geteuid(), user_name(geteuid(), u2, sizeof(u2)));
			goto refuse;
		}
		sl_run_start_warm();
		snprintf(s.home, sizeof(s.home), "%s", own.home);
		snprintf(s.user, sizeof(s.user), "%s", own.user);
	}
	/* no lease yet: the supervisor writes the first, once its processes
	 * are there to name (spool-layout.md, "Starting"); until then the
	 * run is judged by its directory's time, which start.ini's create
	 * has just made new.  But a run back from an earlier attempt (a
	 * retry, a start taken back) may still hold that attempt's lease,
	 * naming its dead supervisor: removed first, or, if that fails, a
	 * lease naming no process put in its place, as older agents did.
	 * A first attempt has none (every path that starts a run again has
	 * ended an attempt, and counted it: as for its log), unless a start
	 * came before this one: agents before 2026-12-05 wrote start.ini
	 * and a lease naming no process in pending/ before the start's
	 * rename, and a run whose start failed there went back to its queue
	 * with both, at attempt 1.  So the lease is looked for (by
	 * write_start, before it replaces the start.ini that calls for it)
	 * when the attempt is a later one or start.ini's create finds an
	 * earlier start's; a first start of a first attempt (the create
	 * succeeds) does not look: a call a run less, a round trip on a
	 * network filesystem.  RACE: a lease there all the same, without a
	 * start.ini (a run directory made by hand), is replaced whole by the
	 * first lease, whose create finds it (lease_put); until then crash
	 * detection may take the run for that lease's, and end or retry it
	 * as it would a dead one's */
	if (sl_uuid(nonce) < 0 || write_start(pend, a, nonce, now, r.attempt,
	    now + cf->lease) < 0) {
		snprintf(out->why, sizeof(out->why), "cannot write the start of "
		    "run %s in %s: %s", id, pend, strerror(errno));
		rc = SL_START_FAILED;
		goto out;
	}
	run = sl_place(sp, SL_PL_RUNNING, a->pool, NULL, (char *)NULL);
	s.dir = sl_path(run, token, (char *)NULL);
	/* a rename that says it succeeded moved our run; one that failed
	 * may have been carried out (a lost reply) or not, and running/TOKEN
	 * may then be another start's of the same run: the nonce tells */
	if ((r2 = sl_sys.rename(pend, s.dir)) < 0 && errno == ENOENT &&
	    sl_exists(pend) && !sl_exists(run) && sl_mkdirs(run, 0755) == 0)
		r2 = sl_sys.rename(pend, s.dir);	/* running/ was missing */
	if (r2 < 0 && (sl_exists(pend) || !nonce_is(s.dir, nonce))) {
		/* RACE: recovery took it back (our heartbeat looked old), or
		 * a cancel ended it: it is not ours to start */
		free(run);
		free(s.dir);
		rc = SL_START_GONE;
		goto out;
	}
	free(run);
	s.sp = sp;
	s.cf = cf;
	s.pool = a->pool;
	s.r = &r;
	snprintf(s.token, sizeof(s.token), "%s", token);
	if (flags & SL_START_BECOME) {
		/* the caller supervises it, after it told its agent: the
		 * run and its supervision wait in become_s for sl_run_become */
		become_r = r;
		memset(&r, 0, sizeof(r));
		become_s = s;
		become_s.r = &become_r;
		out->sup = sl_self();
		out->attempt = become_r.attempt;
		rc = SL_START_STARTED;
		goto out;
	}
	fflush(NULL);
	if ((pid = sl_fork_known()) < 0) {
		snprintf(out->why, sizeof(out->why), "fork: %s", strerror(errno));
		/* the run is Running without a supervisor: its lease lapses
		 * and crash detection ends it, or retries it */
		free(s.dir);
		rc = SL_START_FAILED;
		goto out;
	}
	if (pid == 0)
		supervise(&s);
	out->sup = pid;
	out->attempt = r.attempt;
	free(s.dir);
	rc = SL_START_STARTED;
	goto out;
refuse:
	rc = sl_run_refuse(sp, a->pool, pend, id, out->why) == 0 ?
	    SL_START_REFUSED : SL_START_GONE;
out:
	sl_runspec_free(&r);
	free(pend);
	return rc;
}
