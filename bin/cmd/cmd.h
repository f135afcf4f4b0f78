/*
 * cmd.h - what the command families of sluice(1) share: the options, the
 * parsed arguments, the command table's row, and the helpers every family
 * uses (usage errors, names and numbers, output).
 *
 * bin/sluice.c has main, the command table and help; the files of bin/cmd/
 * have the handlers, one file per command family, as git's builtin/ does.
 */
#ifndef SLUICE_CMD_H
#define SLUICE_CMD_H

#include <stdio.h>
#include <time.h>

#include "sluice.h"

#define EX_FAIL	1
#define EX_USAGE 2

enum opt {
	O_SPOOL, O_JSON, O_HELP, O_VERSION, O_POOL, O_LIMIT, O_PAUSED,
	O_HOURS, O_PRIORITY, O_FORCE, O_QUEUE, O_AT, O_NAME, O_RETRIES,
	O_RETRY_DELAY, O_TIMEOUT, O_CWD, O_ENV, O_STATE, O_FOLLOW, O_CRON,
	O_INTERVAL, O_ANCHOR, O_TIMEZONE, O_ON_FAILURE, O_ON_CRASH, O_MAIL,
	O_HEAD, O_NUM_LOGS, O_REVERSE, O_TYPE, O_VERBOSE, O_MATCH,
	O_STATE_TYPE, O_LATE_SECONDS, O_OUTPUT, O_HTML, O_NOPT
};

#define BIT(o)	(1UL << (o))

struct cmd;

struct args {
	const char *val[O_NOPT];	/* last value, or "" for a flag given */
	const char **all[O_NOPT];	/* every value, for repeatable options */
	int	nall[O_NOPT];
	const char *pos[64];		/* positionals after the command words */
	int	npos;
	char  **tail;			/* submit: the command's argv */
	int	ntail;
	const struct cmd *cmd;		/* the command's row */
};

/*
 * setting - what a pause, resume, concurrency-limit or priority command
 * changes, and the printf format of what it says when done: NAME and N
 * for a pool or a deployment, NAME, POOL and N for a queue.  Each family
 * has a table of them, one row a command.
 */
struct setting {
	const char *name;		/* the command: pause, resume... */
	int	paused;			/* 1 pause, 0 resume, -1 leave */
	int	what;			/* SET_NONE ... SET_PRIORITY */
	const char *said;
};

#define SET_NONE	0
#define SET_LIMIT	1		/* the second argument, from 0 */
#define SET_NOLIMIT	2		/* no limit */
#define SET_PRIORITY	3		/* the second argument, from 1 */

typedef int cmd_fn(const struct sl_spool *, const struct sl_config *,
    struct args *);

struct cmd {
	const char *group, *name;
	unsigned long allowed;		/* options besides GLOBAL */
	int	minpos, maxpos;
	int	tail;			/* takes a command's argv at the end */
	const char *what;		/* what the first argument names, or NULL */
	const char *synopsis;
	cmd_fn *fn;
};

/* help.c: one line per option for --help */
int	option_line(const struct cmd *, enum opt, const char **arg,
	    const char **text);

/* output.c: usage errors, names and numbers, JSON objects, output */
extern char cmd_ctx[80];	/* "GROUP COMMAND ", for "Try 'sluice ... --help'" */

_Noreturn void usage_error(const char *help_for, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *need_name(const char *what, const char *s);
long	need_num(const char *what, const char *s, long min);
const char *limit_str(long limit, char *buf, size_t len);
int	boxed(void);
void	emit(struct sl_buf *);
/* the alert settings set-alerts changes: NULL leaves one, "" clears */
struct alertset {
	const char *v[3];		/* on_failure, on_crash, mail */
};
void	alert_opts(struct args *, struct alertset *);
int	alert_apply(const struct alertset *, char *, char *, char *);
void	alert_json(struct sl_buf *, const char *, const char *, const char *);
void	inspect_emit(const char *type, struct sl_buf *, struct sl_buf *more,
	    const char *stored);
const struct setting *setting_of(const struct setting *, const char *);
void	queue_json(struct sl_buf *, const char *pool, const struct sl_queue *);
void	pool_json(struct sl_buf *, const struct sl_spool *,
	    const struct sl_config *, const struct sl_pool *);
void	run_json(struct sl_buf *, const struct sl_run *, time_t,
	    const struct sl_config *);
void	agent_json(struct sl_buf *, const struct sl_agent *, int online);
void	deploy_json(struct sl_buf *, const struct sl_deploy *);

/* pool.c: work-pool and work-queue */
cmd_fn	cfg_show;
cmd_fn	st_show, st_metrics;
cmd_fn	wp_create, wp_ls, wp_inspect, wp_preview, wp_set, wp_delete, wp_alerts;
cmd_fn	wq_create, wq_ls, wq_inspect, wq_preview, wq_set, wq_delete;

/* run.c: submit and flow-run */
cmd_fn	submit, fr_ls, fr_inspect, fr_logs, fr_cancel, fr_delete;
void	run_opts(struct args *, struct sl_runspec *);

/* deploy.c: deployment */
cmd_fn	dp_create, dp_ls, dp_inspect, dp_set, dp_delete, dp_run, dp_setpool, dp_setschedule, dp_alerts;

/* agent.c: agent ls */
cmd_fn	agent_ls;

#endif /* SLUICE_CMD_H */
