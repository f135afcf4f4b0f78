/*
 * sluice - the front end: work pools and work queues (sluice-work-pool(1), sluice-work-queue(1)).
 *
 *	sluice [--spool DIR] [--json] GROUP COMMAND [ARGS]
 *
 * Options may stand before or after the command words; "--" ends options.
 * Parsing is two passes: the first finds the command words (skipping the
 * arguments of every option that takes one), the second checks the options
 * against what that command accepts.  Everything that touches the spool is
 * in libsluice; this file parses and calls the handlers of bin/cmd/, one
 * file per command family, which print.
 *
 * Exit status: 0 done, 1 refused or failed, 2 usage (sluice(1), EXIT STATUS).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"

/* ---- options ---- */

static const struct sl_opt opts[O_NOPT] = {
	[O_SPOOL] = { "--spool", NULL, 1 },
	[O_JSON] = { "--json", NULL, 0 },
	[O_HELP] = { "--help", "-h", 0 },
	[O_VERSION] = { "--version", NULL, 0 },
	[O_POOL] = { "--pool", "-p", 1 },
	[O_LIMIT] = { "--limit", "-l", 1 },
	[O_PAUSED] = { "--paused", NULL, 0 },
	[O_HOURS] = { "--hours", NULL, 1 },
	[O_PRIORITY] = { "--priority", NULL, 1 },
	[O_FORCE] = { "--force", NULL, 0 },
	[O_QUEUE] = { "--queue", "-q", 1 },
	[O_AT] = { "--at", NULL, 1 },
	[O_NAME] = { "--name", NULL, 1 },
	[O_RETRIES] = { "--retries", NULL, 1 },
	[O_RETRY_DELAY] = { "--retry-delay", NULL, 1 },
	[O_TIMEOUT] = { "--timeout", NULL, 1 },
	[O_CWD] = { "--cwd", NULL, 1 },
	[O_ENV] = { "--env", NULL, 1 },
	[O_STATE] = { "--state", NULL, 1 },
	[O_FOLLOW] = { "--follow", "-f", 0 },
	[O_CRON] = { "--cron", NULL, 1 },
	[O_INTERVAL] = { "--interval", NULL, 1 },
	[O_ANCHOR] = { "--anchor", NULL, 1 },
	[O_TIMEZONE] = { "--timezone", NULL, 1 },
	[O_ON_FAILURE] = { "--on-failure", NULL, 1 },
	[O_ON_CRASH] = { "--on-crash", NULL, 1 },
	[O_MAIL] = { "--mail", NULL, 1 },
	/* flow-run logs, as Prefect's; -h is --head there (main) */
	[O_HEAD] = { "--head", NULL, 0 },
	[O_NUM_LOGS] = { "--num-logs", "-n", 1 },
	[O_REVERSE] = { "--reverse", "-r", 0 },
	[O_TYPE] = { "--type", "-t", 1 },
	[O_VERBOSE] = { "--verbose", "-v", 0 },
	[O_MATCH] = { "--match", "-m", 1 },
	[O_STATE_TYPE] = { "--state-type", NULL, 1 },
	[O_LATE_SECONDS] = { "--late-seconds", NULL, 1 },
	[O_OUTPUT] = { "--output", "-o", 1 },
	[O_HTML] = { "--html", NULL, 1 },
};

#define GLOBAL	(BIT(O_SPOOL) | BIT(O_HELP) | BIT(O_VERSION))
#define P	BIT(O_POOL)
#define J	BIT(O_JSON)

static struct sl_spool spool;
static char err[SL_ERR_MAX];

/* add_pos - one more positional argument */
static void
add_pos(struct args *a, const char *w)
{
	if (a->npos == (int)(sizeof(a->pos) / sizeof(a->pos[0])))
		usage_error(NULL, "too many arguments");
	a->pos[a->npos++] = w;
}

/* ---- the command table ---- */

static const struct cmd cmds[] = {
	{ "work-pool", "create", BIT(O_PAUSED) | BIT(O_LIMIT) | BIT(O_TYPE), 1,
	    1, 0, "work pool", "[--paused] [--limit N] [-t/--type "
	    "prefect-agent] NAME", wp_create },
	{ "work-pool", "ls", J | BIT(O_VERBOSE), 0, 0, 0, "work pool",
	    "[-v/--verbose] [--json]", wp_ls },
	{ "work-pool", "inspect", J, 1, 1, 0, "work pool", "NAME [--json]", wp_inspect },
	{ "work-pool", "preview", J | BIT(O_HOURS), 1, 1, 0, "work pool",
	    "NAME [-h/--hours H] [--json]", wp_preview },
	{ "work-pool", "pause", 0, 1, 1, 0, "work pool", "NAME", wp_set },
	{ "work-pool", "resume", 0, 1, 1, 0, "work pool", "NAME", wp_set },
	{ "work-pool", "delete", BIT(O_FORCE), 1, 1, 0, "work pool", "NAME [--force]", wp_delete },
	{ "work-pool", "set-concurrency-limit", 0, 2, 2, 0, "work pool", "NAME N",
	    wp_set },
	{ "work-pool", "clear-concurrency-limit", 0, 1, 1, 0, "work pool", "NAME",
	    wp_set },
	{ "work-pool", "set-alerts", BIT(O_ON_FAILURE) | BIT(O_ON_CRASH) |
	    BIT(O_MAIL), 1, 1, 0, "work pool", "NAME [--on-failure CMD|none] "
	    "[--on-crash CMD|none] [--mail owner|ADDRESS|none]", wp_alerts },
	{ "work-queue", "create", P | BIT(O_PRIORITY) | BIT(O_LIMIT), 1, 1, 0, "work queue",
	    "NAME [-p POOL] [--priority N] [--limit N]", wq_create },
	{ "work-queue", "ls", P | J | BIT(O_VERBOSE) | BIT(O_MATCH), 0, 0, 0,
	    "work queue", "[-p POOL] [-m/--match PREFIX]... [-v/--verbose] "
	    "[--json]", wq_ls },
	{ "work-queue", "inspect", P | J, 1, 1, 0, "work queue", "NAME [-p POOL] [--json]",
	    wq_inspect },
	{ "work-queue", "preview", P | J | BIT(O_HOURS), 1, 1, 0, "work queue",
	    "NAME [-p POOL] [-h/--hours H] [--json]", wq_preview },
	{ "work-queue", "pause", P, 1, 1, 0, "work queue", "NAME [-p POOL]", wq_set },
	{ "work-queue", "resume", P, 1, 1, 0, "work queue", "NAME [-p POOL]", wq_set },
	{ "work-queue", "delete", P, 1, 1, 0, "work queue", "NAME [-p POOL]",
	    wq_delete },
	{ "work-queue", "set-concurrency-limit", P, 2, 2, 0, "work queue",
	    "NAME N [-p POOL]", wq_set },
	{ "work-queue", "clear-concurrency-limit", P, 1, 1, 0, "work queue",
	    "NAME [-p POOL]", wq_set },
	{ "work-queue", "set-priority", P, 2, 2, 0, "work queue", "NAME N [-p POOL]",
	    wq_set },
	{ "submit", NULL, P | BIT(O_QUEUE) | BIT(O_AT) | BIT(O_NAME) |
	    BIT(O_RETRIES) | BIT(O_RETRY_DELAY) | BIT(O_TIMEOUT) | BIT(O_CWD) |
	    BIT(O_ENV), 0, 0, 1, NULL, "-p POOL [-q QUEUE] [--at WHEN] "
	    "[--name NAME] [--retries N] [--retry-delay S] [--timeout S] "
	    "[--cwd DIR] [--env K=V]... -- COMMAND [ARG...]", submit },
	{ "flow-run", "ls", P | BIT(O_QUEUE) | BIT(O_STATE) | BIT(O_STATE_TYPE) |
	    BIT(O_LIMIT) | J, 0, 0, 0, NULL, "[-p POOL] [-q QUEUE] [--state "
	    "STATE]... [--state-type TYPE]... [--limit N] [--json]", fr_ls },
	{ "flow-run", "inspect", J, 1, 1, 0, NULL, "RUN [--json]", fr_inspect },
	{ "flow-run", "logs", BIT(O_FOLLOW) | BIT(O_HEAD) | BIT(O_NUM_LOGS) |
	    BIT(O_REVERSE), 1, 1, 0, NULL, "RUN [--follow] [-h/--head] "
	    "[-n/--num-logs N] [-r/--reverse]", fr_logs },
	{ "flow-run", "cancel", P | BIT(O_QUEUE) | BIT(O_STATE), 0, 64, 0, NULL,
	    "RUN... | -p POOL [-q QUEUE] --state STATE", fr_cancel },
	{ "flow-run", "delete", 0, 1, 1, 0, NULL, "RUN", fr_delete },
	{ "agent", "ls", P | J, 0, 0, 0, NULL, "[-p POOL] [--json]", agent_ls },
	{ "deployment", "create", P | BIT(O_QUEUE) | BIT(O_CRON) |
	    BIT(O_INTERVAL) | BIT(O_ANCHOR) | BIT(O_TIMEZONE) | BIT(O_RETRIES) |
	    BIT(O_RETRY_DELAY) | BIT(O_TIMEOUT) | BIT(O_CWD) | BIT(O_ENV), 1, 1,
	    1, "deployment", "NAME -p POOL [-q QUEUE] [--cron EXPR | --interval "
	    "S [--anchor WHEN]] [--timezone TZ] [--retries N] [--retry-delay S] "
	    "[--timeout S] [--cwd DIR] [--env K=V]... -- COMMAND [ARG...]",
	    dp_create },
	{ "deployment", "ls", J, 0, 0, 0, NULL, "[--json]", dp_ls },
	{ "deployment", "inspect", J, 1, 1, 0, "deployment", "NAME [--json]",
	    dp_inspect },
	{ "deployment", "pause", 0, 1, 1, 0, "deployment", "NAME", dp_set },
	{ "deployment", "resume", 0, 1, 1, 0, "deployment", "NAME", dp_set },
	{ "deployment", "delete", 0, 1, 1, 0, "deployment", "NAME", dp_delete },
	{ "deployment", "run", BIT(O_AT), 1, 1, 0, "deployment", "NAME [--at WHEN]",
	    dp_run },
	{ "deployment", "set-pool", BIT(O_QUEUE), 2, 2, 0, "deployment",
	    "NAME POOL [-q QUEUE]", dp_setpool },
	{ "deployment", "set-alerts", BIT(O_ON_FAILURE) | BIT(O_ON_CRASH) |
	    BIT(O_MAIL), 1, 1, 0, "deployment", "NAME [--on-failure CMD|none] "
	    "[--on-crash CMD|none] [--mail owner|ADDRESS|none]", dp_alerts },
	{ "deployment", "set-schedule", BIT(O_CRON) | BIT(O_INTERVAL) |
	    BIT(O_ANCHOR) | BIT(O_TIMEZONE), 1, 1, 0, "deployment",
	    "NAME (--cron EXPR | --interval S [--anchor WHEN]) [--timezone TZ]",
	    dp_setschedule },
	{ "deployment", "pause-schedule", 0, 1, 1, 0, "deployment", "NAME",
	    dp_set },
	{ "deployment", "resume-schedule", 0, 1, 1, 0, "deployment", "NAME",
	    dp_set },
	{ "config", NULL, J, 0, 0, 0, NULL, "[--json]", cfg_show },
	{ "status", NULL, P | J | BIT(O_LATE_SECONDS) | BIT(O_HTML), 0, 0, 0,
	    NULL, "[-p POOL] [--late-seconds S] [--json] [--html FILE]",
	    st_show },
	{ "metrics", NULL, P | BIT(O_LATE_SECONDS) | BIT(O_OUTPUT), 0, 0, 0,
	    NULL, "[-p POOL] [--late-seconds S] [-o/--output FILE]",
	    st_metrics },
	{ "agent", "start", 0, 0, 0, 0, NULL, "[-p POOL] [-q QUEUE]... "
	    "[-m PREFIX]... [--limit N] [--prefetch-seconds S] [--run-once] "
	    "[--hide-welcome] [--poll-seconds S] [--name NAME]", NULL },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const char *const groups[][2] = {
	{ "work-pool", "manage work pools" },
	{ "work-queue", "manage the work queues of a pool" },
	{ "submit", "put a command into a pool as a new run" },
	{ "flow-run", "list, inspect, follow, cancel and delete runs" },
	{ "deployment", "run templates with schedules" },
	{ "agent", "start an agent (sluice-agent), list agents" },
	{ "dispatch", "hand due runs to agents (sluice-dispatch)" },
	{ "config", "the spool in force, where it came from, the settings" },
	{ "status", "each pool's health; exit 1 when degraded" },
	{ "metrics", "OpenMetrics text for node_exporter" },
};

/* is_single - a command of one word, such as submit */
static int
is_single(const char *w)
{
	size_t	k;

	for (k = 0; k < NCMDS; k++)
		if (strcmp(cmds[k].group, w) == 0 && cmds[k].name == NULL)
			return 1;
	return 0;
}

/* options_help - a command's options, one line each (help.c) */
static void
options_help(FILE *f, const struct cmd *c)
{
	const char *arg, *text, *shrt;
	char	flag[64];
	int	o, any = 0;

	for (o = 0; o < O_NOPT; o++) {
		/* -h is --hours to preview and --head to logs (main) */
		shrt = opts[o].shrt;
		if ((o == O_HOURS || o == O_HEAD) && (c->allowed & BIT(o)))
			shrt = "-h";
		if (!(c->allowed & BIT(o)) || option_line(c, (enum opt)o, &arg,
		    &text) < 0)
			continue;
		if (!any++)
			fprintf(f, "\nOptions:\n");
		/* -p, --pool POOL; -h is --hours or --head where it is */
		snprintf(flag, sizeof(flag), "%s%s%s%s%s", shrt ? shrt : "",
		    shrt ? ", " : "", opts[o].lng, arg ? " " : "", arg ? arg : "");
		if (strlen(flag) <= 22)
			fprintf(f, "  %-22s %s\n", flag, text);
		else
			fprintf(f, "  %s\n  %-22s %s\n", flag, "", text);
	}
	fprintf(f, "%s  --spool DIR, --help%s, --version: see 'sluice --help'"
	    "\n\n", any ? "" : "\nOptions:\n", c->allowed & (BIT(O_HOURS) |
	    BIT(O_HEAD)) ? " (not -h here)" : "");
}

/* help - the usage of a command, of a group, or of sluice */
static void
help(FILE *f, const char *group, const struct cmd *c)
{
	size_t	i, g;

	if (c != NULL) {
		fprintf(f, "usage: sluice %s%s%s %s\n", c->group,
		    c->name ? " " : "", c->name ? c->name : "",
		    c->synopsis);
		options_help(f, c);
		if (strcmp(c->group, "agent") == 0)	/* agent ls is sluice's */
			fprintf(f, "See sluice(1) and sluice-agent(8).\n");
		else if (strcmp(c->group, "config") == 0)
			fprintf(f, "See sluice(1).\n");
		else if (strcmp(c->group, "metrics") == 0)
			fprintf(f, "See sluice-status(1).\n");
		else
			fprintf(f, "See sluice-%s(1).\n", c->group);
		return;
	}
	if (group != NULL) {
		fprintf(f, "usage: sluice %s COMMAND [ARGS]\n\n", group);
		for (i = 0; i < NCMDS; i++)
			if (strcmp(cmds[i].group, group) == 0)
				fprintf(f, "  sluice %s %s %s\n", group,
				    cmds[i].name, cmds[i].synopsis);
		if (strcmp(group, "agent") == 0)
			fprintf(f, "\nSee sluice(1) and sluice-agent(8).\n");
		else
			fprintf(f, "\nSee sluice-%s(1).\n", group);
		return;
	}
	fprintf(f, "usage: sluice [--spool DIR] GROUP COMMAND [ARGS]\n\n"
	    "Prefect's agents, work pools and work queues as a Unix spool.\n\n");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		fprintf(f, "  %-12s %s\n", groups[g][0], groups[g][1]);
	fprintf(f, "\nOptions, anywhere on the line:\n"
	    "  --spool DIR  the spool (else $SLUICE_SPOOL, sluice.ini, "
	    "/var/spool/sluice,\n"
	    "               ~/.local/state/sluice)\n"
	    "  --json       machine-readable output, where a command has it\n"
	    "  --help       this text; --version: the version\n\n"
	    "'sluice GROUP --help' lists a group's commands.  See sluice(1).\n");
}

/* SBINDIR of the Makefile: where make install put sluice-agent */
#ifndef SL_SBINDIR
#define SL_SBINDIR	"/usr/local/sbin"
#endif

/*
 * run_program - exec a sibling program (the one next to this binary, else
 * the one in SBINDIR, else from $PATH) with our arguments minus the word
 * at skip.
 */
static _Noreturn void
run_program(const char *prog, int argc, char **argv, int skip, int skip2)
{
	char	self[PATH_MAX], *slash, *path;
	char  **av = sl_xmalloc((size_t)argc * sizeof(char *));
	ssize_t	n;
	int	i, k = 0;

	av[k++] = (char *)prog;
	for (i = 1; i < argc; i++)
		if (i != skip && i != skip2)
			av[k++] = argv[i];
	av[k] = NULL;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			path = sl_path(self, prog, (char *)NULL);
			if (access(path, X_OK) == 0)
				execv(path, av);
			free(path);
		}
	}
	/* installed: in SBINDIR, which a user's $PATH often lacks */
	path = sl_path(SL_SBINDIR, prog, (char *)NULL);
	if (access(path, X_OK) == 0)
		execv(path, av);
	free(path);
	execvp(prog, av);
	sl_fatal("cannot run %s: %s (is it installed next to sluice, in %s or "
	    "on $PATH?)", prog, strerror(errno), SL_SBINDIR);
}

int
main(int argc, char **argv)
{
	const char *words[2] = { NULL, NULL };
	const struct cmd *c = NULL;
	static struct sl_config cf;	/* static: reachable when we exit early */
	static struct args a;
	struct sl_optget g;
	struct sl_opt cmdopts[O_NOPT];
	int	i, nw = 0, o, rc, skip;
	size_t	k;

	sl_set_progname(argv[0]);
	/* a command: a local spool by path, no descriptors (dirfd.c) */
	sl_dirfd_oneshot();
	/* counts and totals for long work on many runs (progress.c) */
	sl_progress_cli = 1;
	/* "sluice dispatch ARGS" is "sluice-dispatch ARGS" (sluice(1)) */
	sl_opt_init(&g, opts, O_NOPT, SL_OPT_DASHDASH, argc, argv);
	while ((o = sl_opt_next(&g)) != SL_OPT_END && o != SL_OPT_ARG)
		;
	if (o == SL_OPT_ARG && strcmp(g.val, "dispatch") == 0)
		run_program("sluice-dispatch", argc, argv, g.i - 1, -1);
	/* "sluice agent start ARGS" is "sluice-agent ARGS"; "sluice agent
	 * --help start" is ours */
	if (o == SL_OPT_ARG && strcmp(g.val, "agent") == 0) {
		i = g.i - 1;
		sl_opt_init(&g, opts, O_NOPT, 0, argc, argv);
		g.i = i + 1;
		o = SL_OPT_END;
		while (g.i < argc && strcmp(argv[g.i], "--help") != 0 &&
		    (o = sl_opt_next(&g)) != SL_OPT_ARG)
			o = SL_OPT_END;
		if (o == SL_OPT_ARG && strcmp(g.val, "start") == 0)
			run_program("sluice-agent", argc, argv, i, g.i - 1);
	}
	/* pass 1: the command words (one for submit, two for the groups) */
	sl_opt_init(&g, opts, O_NOPT, SL_OPT_DASHDASH, argc, argv);
	while (nw < 2 && (o = sl_opt_next(&g)) != SL_OPT_END) {
		if (o != SL_OPT_ARG)
			continue;
		words[nw++] = g.val;
		if (nw == 1 && is_single(words[0]))
			break;
	}
	if (nw >= 1) {
		for (k = 0; k < sizeof(groups) / sizeof(groups[0]); k++)
			if (strcmp(words[0], groups[k][0]) == 0)
				break;
		if (k == sizeof(groups) / sizeof(groups[0]))
			usage_error(NULL, "unknown command '%s'", words[0]);
		for (k = 0; k < NCMDS; k++)
			if (strcmp(cmds[k].group, words[0]) == 0 &&
			    (cmds[k].name == NULL || (nw == 2 &&
			    strcmp(cmds[k].name, words[1]) == 0)))
				c = &cmds[k];
		if (c == NULL && nw == 2) {
			snprintf(cmd_ctx, sizeof(cmd_ctx), "%s ", words[0]);
			usage_error(cmd_ctx, "unknown command '%s %s'", words[0],
			    words[1]);
		}
	}
	/* pass 2: options against what the command takes, and positionals */
	memset(&a, 0, sizeof(a));
	if (c != NULL)
		snprintf(cmd_ctx, sizeof(cmd_ctx), "%s %s%s", c->group,
		    c->name ? c->name : "", c->name ? " " : "");
	else if (nw > 0)
		snprintf(cmd_ctx, sizeof(cmd_ctx), "%s ", words[0]);
	skip = c != NULL ? (c->name != NULL ? 2 : 1) : (nw > 0 ? 1 : 0);
	/* as in Prefect, -h is --hours to preview and --head to logs; --help
	 * stays --help everywhere */
	memcpy(cmdopts, opts, sizeof(cmdopts));
	if (c != NULL && (c->allowed & (BIT(O_HOURS) | BIT(O_HEAD)))) {
		cmdopts[O_HELP].shrt = NULL;
		cmdopts[c->allowed & BIT(O_HOURS) ? O_HOURS : O_HEAD].shrt =
		    "-h";
	}
	sl_opt_init(&g, cmdopts, O_NOPT, SL_OPT_DASHDASH | SL_OPT_SAYLONG,
	    argc, argv);
	g.allow = GLOBAL | (c != NULL ? c->allowed : 0);
	while ((o = sl_opt_next(&g)) != SL_OPT_END) {
		if (o == SL_OPT_ARG && skip > 0)
			skip--;
		else if (o == SL_OPT_ARG && c != NULL && c->tail &&
		    a.npos >= c->maxpos) {
			g.i--;		/* the command's argv starts here */
			break;
		} else if (o == SL_OPT_ARG)
			add_pos(&a, g.val);
		else if (o == SL_OPT_UNKNOWN)
			usage_error(cmd_ctx, "unknown option '%s'%s%.*s", g.word,
			    c ? " for " : "", c ? (int)strlen(cmd_ctx) - 1 : 0,
			    cmd_ctx);
		else if (o == SL_OPT_BAD)
			usage_error(cmd_ctx, "%s", g.err);
		else {
			a.val[o] = g.val;
			a.all[o] = sl_xrealloc(a.all[o], (a.nall[o] + 1) *
			    sizeof(char *));
			a.all[o][a.nall[o]++] = g.val;
		}
	}
	/* the words after "--": the command's argv, or positionals */
	if (c != NULL && c->tail) {
		a.tail = argv + g.i;
		a.ntail = argc - g.i;
	} else
		for (i = g.i; i < argc; i++)
			add_pos(&a, argv[i]);
	if (a.val[O_VERSION] != NULL) {
		printf("sluice %s\n", SLUICE_VERSION);
		return 0;
	}
	if (a.val[O_HELP] != NULL || words[0] == NULL) {
		help(a.val[O_HELP] != NULL ? stdout : stderr, words[0], c);
		return a.val[O_HELP] != NULL ? 0 : EX_USAGE;
	}
	if (c == NULL) {
		help(stderr, words[0], NULL);
		return EX_USAGE;
	}
	if (a.npos < c->minpos)
		usage_error(cmd_ctx, "missing argument: sluice %s%s%s %s", c->group,
		    c->name ? " " : "", c->name ? c->name : "", c->synopsis);
	if (a.npos > c->maxpos)
		usage_error(cmd_ctx, "unexpected argument '%s'", a.pos[c->maxpos]);
	/* names first: a bad name must not create a spool */
	if (c->minpos > 0 && c->what != NULL)
		need_name(c->what, a.pos[0]);
	if (a.val[O_POOL] != NULL)
		need_name("work pool", a.val[O_POOL]);
	if (a.val[O_QUEUE] != NULL)
		need_name("work queue", a.val[O_QUEUE]);
	if (sl_config_load(&cf, err, sizeof(err)) < 0)
		sl_fatal("%s", err);
	/* config only says which spool: it does not make it; nor does
	 * submit, whose pool must be there (a lookup a run less) */
	if ((c->fn == cfg_show || c->fn == submit ? sl_spool_locate(&spool,
	    a.val[O_SPOOL], &cf, err, sizeof(err)) : sl_spool_resolve(&spool,
	    a.val[O_SPOOL], &cf, err, sizeof(err))) < 0)
		sl_fatal("%s", err);
	a.cmd = c;
	sl_perm_denied_hint(&spool);
	rc = c->fn(&spool, &cf, &a);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		sl_warn("cannot write the output: %s", strerror(errno));
		rc = EX_FAIL;
	}
	for (o = 0; o < O_NOPT; o++)
		free(a.all[o]);
	sl_spool_free(&spool);
	sl_config_free(&cf);
	return rc;
}
