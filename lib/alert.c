/*
 * alert.c - the alerts of work pools and deployments: when a run ends
 * Failed or Crashed (finally: not a failed attempt that will be retried),
 * the process that moved it into done/ starts the on_failure or
 * on_crash command with the run's JSON (sluice-flow-run(1), "JSON") on its
 * standard input, and mails the run's owner or an address (mail = owner,
 * as at -m does) when a mailer is installed.
 *
 * The process that ends a run is its supervisor, or for a crash the agent
 * or dispatcher that found it, on any host: the rename into done/ happens
 * once, so the alert is started once.  It is started after that rename,
 * so a host that dies between the two sends none: alerts are at most
 * once, never twice.  Nothing waits for it: a grandchild, in a session of
 * its own, runs the command and then the mailer and is nobody's child
 * for long (double fork); a hook that hangs holds no slot and no run.
 *
 * Who it runs as: a root process runs it as the run's owner (the user the
 * run itself ran as), never as root for another user's run; any other
 * process as itself.  The settings come from the pool's configuration,
 * and, for a run a deployment made, the deployment's (each of on_failure,
 * on_crash and mail set there wins over the pool's), which only the
 * spool's owner (and root) can write (spool-layout.md, "Permissions"), as
 * a run.ini they write is trusted to say whom a run runs as.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

/* the mailer, as at(1) and cron(8) use it; a test points it elsewhere */
const char *sl_alert_sendmail = "/usr/sbin/sendmail";

/* feed - run argv with text on its standard input; wait for it */
static void
feed(const char *text, size_t len, char *const argv[])
{
	pid_t	pid;
	int	p[2];
	ssize_t	n;
	size_t	off = 0;

	if (pipe(p) < 0)
		return;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		/* we ignore SIGPIPE (a hook that does not read must not kill
		 * the feeder); an exec keeps an ignored signal ignored, and
		 * `cmd | head -1` in a hook would then leave cmd writing
		 * into EPIPE for ever */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[0], STDIN_FILENO) < 0)
			_exit(127);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		fprintf(stderr, "sluice: alert: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(p[0]);
	while (off < len && ((n = write(p[1], text + off, len - off)) > 0 ||
	    (n < 0 && errno == EINTR)))
		if (n > 0)
			off += (size_t)n;
	close(p[1]);	/* a command that does not read gets EOF, or EPIPE */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* become_owner - a root process takes the run owner's uid, gid and
 * groups; 0 if it may go on (done, or not root, or a run of root's) */
static int
become_owner(const struct sl_run *r)
{
	struct passwd *pw;

	if (geteuid() != 0 || r->spec.owner_uid <= 0)
		return 0;
	if ((pw = getpwuid((uid_t)r->spec.owner_uid)) == NULL)
		return -1;	/* no such user any more: nobody to run as */
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -1;
	if (setuid(0) == 0)
		return -1;	/* could get root back: refuse */
	return 0;
}

/* mail_text - the message: headers for sendmail -t style readers, the
 * words, then the JSON */
static void
mail_text(struct sl_buf *m, const char *to, const struct sl_run *r,
    const char *state, const struct sl_buf *json)
{
	char	host[256] = "";

	(void)gethostname(host, sizeof(host) - 1);
	sl_buf_printf(m, "To: %s\nSubject: sluice: flow run '%s' %s in work "
	    "pool '%s'\nAuto-Submitted: auto-generated\nContent-Type: "
	    "text/plain; charset=UTF-8\n\n", to, r->spec.name ? r->spec.name :
	    r->id, state, r->pool);
	sl_buf_printf(m, "Flow run '%s' (%s) of work queue '%s' in work pool "
	    "'%s' ended %s", r->spec.name ? r->spec.name : "", r->id,
	    r->queue, r->pool, state);
	if (r->message[0])
		sl_buf_printf(m, ": %s", r->message);
	sl_buf_printf(m, ".\n\nIts output: sluice flow-run logs %s\n"
	    "(this mail was sent from %s by sluice)\n\n", r->id, host);
	sl_buf_add(m, json->s, json->len);
}

/* alert - the detached part: run the hook, then the mailer */
static void
alert(const char *cmd, const char *mailto, const struct sl_run *r)
{
	struct sl_buf json = { 0 }, m = { 0 };
	struct passwd *pw;
	const char *state = sl_state_names[r->state];
	sigset_t none;
	char	rcpt[SL_MAILTO_MAX];

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);	/* a hook that does not read: EPIPE */
	(void)setsid();
	if (become_owner(r) < 0)
		return;
	sl_run_json(&json, r, time(NULL), 0);
	signal(SIGPIPE, SIG_IGN);
	if (cmd[0] != '\0') {
		char   *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };

		feed(json.s, json.len, argv);
	}
	if (mailto[0] != '\0' && access(sl_alert_sendmail, X_OK) == 0) {
		if (strcmp(mailto, "owner") != 0)
			snprintf(rcpt, sizeof(rcpt), "%s", mailto);
		else if ((pw = getpwuid(getuid())) != NULL)
			snprintf(rcpt, sizeof(rcpt), "%s", pw->pw_name);
		else
			rcpt[0] = '\0';
		if (rcpt[0] != '\0') {
			char   *argv[] = { (char *)sl_alert_sendmail, "-oi",
			    "--", rcpt, NULL };

			mail_text(&m, rcpt, r, state, &json);
			feed(m.s, m.len, argv);
		}
	}
	sl_buf_free(&m);
	sl_buf_free(&json);
}

static unsigned long forked;	/* alert processes forked (sl_alert_forked) */

/* sl_alert_forked - how many alerts this process has forked: a keeper
 * (supervise.c) looks for a hook's process among its children only after
 * a run that forked one */
unsigned long
sl_alert_forked(void)
{
	return forked;
}

/*
 * sl_alert_run - run id of pool has just ended in state st (moved into
 * done/ by this process): start the pool's alerts for it, if it has any
 * for st.  Never fails the caller: a pool or run it cannot read, or a
 * fork that fails, is a warning.
 */
void
sl_alert_run(const struct sl_spool *sp, const char *pool, const char *id,
    enum sl_state st)
{
	struct sl_pool p;
	struct sl_deploy d;
	struct sl_runs rs = { 0 };
	struct sl_run *r;
	char	cmd[SL_HOOK_MAX], mail[SL_MAILTO_MAX], err[SL_ERR_MAX];
	const char *dc;
	pid_t	pid;

	if (st != SL_FAILED && st != SL_CRASHED)
		return;
	if (sl_run_find(sp, id, &rs, &r, err, sizeof(err)) < 0) {
		sl_warn("cannot alert for flow run '%s': %s", id, err);
		sl_runs_free(&rs);
		return;
	}
	/* the pool's settings, then its deployment's over them */
	cmd[0] = mail[0] = '\0';
	memset(&p, 0, sizeof(p));
	if (sl_pool_load(sp, pool, &p, err, sizeof(err)) == 0) {
		snprintf(cmd, sizeof(cmd), "%s", st == SL_FAILED ?
		    p.on_failure : p.on_crash);
		snprintf(mail, sizeof(mail), "%s", p.mail);
	}	/* else a pool gone or unreadable: no settings of its own */
	sl_pool_free(&p);
	if (r->spec.deployment != NULL && sl_deploy_load(sp,
	    r->spec.deployment, &d, err, sizeof(err)) == 0) {
		dc = st == SL_FAILED ? d.on_failure : d.on_crash;
		if (dc[0] != '\0')
			snprintf(cmd, sizeof(cmd), "%s", dc);
		if (d.mail[0] != '\0')
			snprintf(mail, sizeof(mail), "%s", d.mail);
		sl_deploy_free(&d);
	}
	if (cmd[0] == '\0' && mail[0] == '\0') {
		sl_runs_free(&rs);
		return;
	}
	fflush(NULL);	/* nothing buffered is written twice */
	if ((pid = fork()) < 0)
		sl_warn("cannot start the alert for flow run '%s': fork: %s",
		    id, strerror(errno));
	else if (pid == 0) {
		/* the middle child: its child is reparented at once */
		if (fork() == 0) {
			sl_dirfd_drop();
			(void)close_range(3, ~0U, 0);
			alert(cmd, mail, r);
			_exit(0);
		}
		_exit(0);
	} else {
		forked++;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		sl_log(SL_INFO, "Alerted for flow run '%s' (%s): %s%s%s", id,
		    sl_state_names[st], cmd[0] ? (st == SL_FAILED ?
		    "on_failure" : "on_crash") : "", cmd[0] && mail[0] ?
		    " and " : "", mail[0] ? "mail" : "");
	}
	sl_runs_free(&rs);
}
