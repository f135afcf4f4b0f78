/*
 * help.c - one line for each option in a command's --help (sluice(1) and
 * the group's page are the long form).  An option that means different
 * things to different commands (--limit, --at, --state...) has a line per
 * command group or command; the first match wins, the group's NULL entry
 * last.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	enum opt o;
	const char *group, *name;	/* NULL: any */
	const char *arg;		/* its value's name, or NULL */
	const char *text;
} lines[] = {
	{ O_POOL, "flow-run", NULL, "POOL", "only the runs of this work pool" },
	{ O_POOL, "work-queue", "ls", "POOL", "only this pool's queues "
	    "(default: every pool's)" },
	{ O_POOL, "work-queue", NULL, "POOL", "the queue's work pool "
	    "(default: default-agent-pool)" },
	{ O_POOL, "agent", NULL, "POOL", "only the agents of this work pool" },
	{ O_POOL, "status", NULL, "POOL", "only this work pool (default: "
	    "every pool)" },
	{ O_POOL, "metrics", NULL, "POOL", "only this work pool (default: "
	    "every pool)" },
	{ O_POOL, NULL, NULL, "POOL", "the work pool" },
	{ O_QUEUE, "flow-run", NULL, "QUEUE", "only the runs of queues of this "
	    "name" },
	{ O_QUEUE, NULL, NULL, "QUEUE", "the work queue (default: default; "
	    "made if missing)" },
	{ O_LIMIT, "flow-run", NULL, "N", "show the newest N (default 15; 0: "
	    "all)" },
	{ O_LIMIT, NULL, NULL, "N", "concurrency limit: at most N runs Pending "
	    "or Running (0 or more)" },
	{ O_PAUSED, NULL, NULL, NULL, "create it paused" },
	{ O_HOURS, NULL, NULL, "H", "look H hours ahead (default 1)" },
	{ O_PRIORITY, NULL, NULL, "N", "priority, 1 first; one taken pushes "
	    "its holder down (default: last)" },
	{ O_FORCE, NULL, NULL, NULL, "delete even with runs Pending or "
	    "Running" },
	{ O_AT, NULL, NULL, "WHEN", "when it is due: RFC 3339, @EPOCH, now, "
	    "or +N[smhd] (default now)" },
	{ O_NAME, NULL, NULL, "NAME", "the run's name (default: a random "
	    "adjective-animal)" },
	{ O_RETRIES, NULL, NULL, "N", "retries after a failed attempt "
	    "(default 0)" },
	{ O_RETRY_DELAY, NULL, NULL, "S", "seconds between attempts "
	    "(default 0)" },
	{ O_TIMEOUT, NULL, NULL, "S", "kill an attempt running longer than S "
	    "seconds (Failed)" },
	{ O_CWD, NULL, NULL, "DIR", "run in DIR (default: the owner's home)" },
	{ O_ENV, NULL, NULL, "K=V", "set K in the run's environment "
	    "(repeatable)" },
	{ O_STATE, "flow-run", "cancel", "STATE", "the state of the runs to "
	    "cancel, e.g. Late (repeatable)" },
	{ O_STATE, NULL, NULL, "STATE", "only runs in STATE: Scheduled, Late, "
	    "Pending, Running, Failed... (repeatable)" },
	{ O_STATE_TYPE, NULL, NULL, "TYPE", "only runs of Prefect's state type: "
	    "SCHEDULED, RUNNING... (repeatable)" },
	{ O_FOLLOW, NULL, NULL, NULL, "keep printing what the run adds until "
	    "it ends" },
	{ O_HEAD, NULL, NULL, NULL, "only the first lines (20 unless -n)" },
	{ O_NUM_LOGS, NULL, NULL, "N", "with --head the first N lines, alone "
	    "the last N" },
	{ O_REVERSE, NULL, NULL, NULL, "newest line first" },
	{ O_CRON, NULL, NULL, "EXPR", "a 5-field cron schedule, e.g. "
	    "'0 2 * * *' (quote it)" },
	{ O_INTERVAL, NULL, NULL, "S", "a run every S seconds" },
	{ O_ANCHOR, NULL, NULL, "WHEN", "the interval's first time "
	    "(default now)" },
	{ O_TIMEZONE, NULL, NULL, "TZ", "the cron schedule's zone, e.g. "
	    "Europe/Paris (default UTC)" },
	{ O_ON_FAILURE, NULL, NULL, "CMD", "run CMD with the run's JSON when a "
	    "run ends Failed (none: clear)" },
	{ O_ON_CRASH, NULL, NULL, "CMD", "the same when a run ends Crashed" },
	{ O_MAIL, NULL, NULL, "WHO", "mail owner or an address when a run "
	    "fails or crashes (none: clear)" },
	{ O_TYPE, NULL, NULL, "TYPE", "the pool's type: prefect-agent, the "
	    "only one" },
	{ O_VERBOSE, NULL, NULL, NULL, "more columns" },
	{ O_MATCH, NULL, NULL, "PREFIX", "only queues whose names start with "
	    "PREFIX (repeatable)" },
	{ O_JSON, NULL, NULL, NULL, "JSON: one object per line (list) or "
	    "one object" },
	{ O_LATE_SECONDS, NULL, NULL, "S", "a Late run due more than S seconds "
	    "ago is a problem (default 300)" },
	{ O_OUTPUT, NULL, NULL, "FILE", "write to FILE, atomically (for "
	    "node_exporter's textfile collector)" },
	{ O_HTML, NULL, NULL, "FILE", "write a static status page to FILE "
	    "instead, atomically" },
};

/*
 * option_line - the --help line of option o of command c: its value's
 * name and what it does; 0, or -1 if there is none for it
 */
int
option_line(const struct cmd *c, enum opt o, const char **arg,
    const char **text)
{
	size_t	i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (lines[i].o == o && (lines[i].group == NULL ||
		    strcmp(lines[i].group, c->group) == 0) &&
		    (lines[i].name == NULL || (c->name != NULL &&
		    strcmp(lines[i].name, c->name) == 0))) {
			*arg = lines[i].arg;
			*text = lines[i].text;
			return 0;
		}
	return -1;
}
