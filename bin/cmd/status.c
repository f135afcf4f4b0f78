/*
 * status.c - sluice status and sluice metrics (sluice-status(1)): what
 * lib/status.c gathered, as a report for people (exit 1 when degraded,
 * for Nagios-style checks), as JSON, as a static page, or as OpenMetrics
 * text for node_exporter's textfile collector (written by lib/status.c's
 * sl_status_metrics).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

#define LATE_SECONDS	300	/* --late-seconds: Late past this is degraded */

static char err[SL_ERR_MAX];

/* gather - the status of -p POOL or every pool, or say why not */
static int
gather(const struct sl_spool *sp, const struct sl_config *cf, struct args *a,
    int durations, struct sl_status **v, size_t *n)
{
	long	late = LATE_SECONDS;

	if (a->val[O_LATE_SECONDS] != NULL)
		late = need_num("--late-seconds", a->val[O_LATE_SECONDS], 0);
	if (sl_status_gather(sp, cf, a->val[O_POOL], late, durations, v, n,
	    err, sizeof(err)) < 0) {
		sl_warn("%s", err);
		return -1;
	}
	return 0;
}

/* limit_of - "used/limit", or "used (no limit)" */
static const char *
limit_of(long used, long limit, char *buf, size_t len)
{
	if (limit == SL_NOLIMIT)
		snprintf(buf, len, "%ld (no limit)", used);
	else
		snprintf(buf, len, "%ld/%ld", used, limit);
	return buf;
}

/* status_text - one pool, for people */
static void
status_text(const struct sl_status *s, time_t now)
{
	char	b1[64], t[40];
	size_t	i, j;
	int	on = 0, off = 0, first;

	printf("Work pool '%s'%s: %s\n", s->name, s->paused ? " (paused)" : "",
	    s->nproblems ? "degraded" : "healthy");
	for (i = 0; i < s->nagents; i++)
		s->agents[i].online ? on++ : off++;
	printf("  agents: %d online, %d offline", on, off);
	/* by host: "web1: a, b; web2: c (offline)" */
	for (i = 0, first = 1; i < s->nagents; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(s->agents[j].host, s->agents[i].host) == 0)
				break;
		if (j < i)
			continue;
		printf("%s%s:", first ? " (" : "; ", s->agents[i].host);
		first = 0;
		for (j = i; j < s->nagents; j++)
			if (strcmp(s->agents[j].host, s->agents[i].host) == 0)
				printf(" %s%s", s->agents[j].name,
				    s->agents[j].online ? "" : " (offline)");
	}
	printf("%s\n", first ? "" : ")");
	printf("  runs:");
	for (i = 0; i < SL_NSTATES; i++)
		printf(" %s %ld%s", sl_state_names[i], s->counts[i],
		    i + 1 < SL_NSTATES ? "," : "");
	printf("\n  late: %ld", s->late);
	if (s->late > 0)
		printf(", the oldest due %s ago", sl_duration_fmt((long)(now -
		    s->oldest_late), b1, sizeof(b1)));
	printf("\n  slots: pool %s", limit_of(s->used, s->limit, b1,
	    sizeof(b1)));
	for (i = 0; i < s->nqueues; i++)
		printf(", queue %s %s%s", s->queues[i].name,
		    limit_of(s->queues[i].used, s->queues[i].limit, b1,
		    sizeof(b1)), s->queues[i].paused ? " (paused)" : "");
	printf("\n");
	for (i = 0; i < s->nfailures; i++)
		printf("  last error: %s %s %s%s%s\n", s->failures[i].id,
		    sl_state_names[s->failures[i].state],
		    sl_time_fmt(s->failures[i].ended, t, sizeof(t)),
		    s->failures[i].message[0] ? ": " : "",
		    s->failures[i].message);
	for (i = 0; i < s->nproblems; i++)
		printf("  problem: %s\n", s->problems[i]);
}

/* status_json - one pool, one object */
static void
status_json(struct sl_buf *b, const struct sl_status *s, time_t now)
{
	size_t	i;
	int	f = 1, g;

	sl_buf_add(b, "{", 1);
	sl_json_key(b, &f, "pool");
	sl_json_str(b, s->name);
	sl_json_key(b, &f, "healthy");
	sl_buf_puts(b, s->nproblems ? "false" : "true");
	sl_json_key(b, &f, "paused");
	sl_buf_puts(b, s->paused ? "true" : "false");
	sl_json_key(b, &f, "agents");
	/* the contract's agent objects, as agent ls --json prints them */
	sl_buf_add(b, "[", 1);
	for (i = 0; i < s->nagents; i++) {
		if (i > 0)
			sl_buf_add(b, ",", 1);
		agent_json(b, &s->regs[i], s->agents[i].online);
		/* agent_json ends a line: here the object is in a list */
		if (b->len > 0 && b->s[b->len - 1] == '\n')
			b->s[--b->len] = '\0';
	}
	sl_buf_add(b, "]", 1);
	sl_json_key(b, &f, "runs");
	g = 1;
	sl_buf_add(b, "{", 1);
	for (i = 0; i < SL_NSTATES; i++) {
		sl_json_key(b, &g, sl_state_names[i]);
		sl_json_long(b, s->counts[i], 0);
	}
	sl_buf_add(b, "}", 1);
	sl_json_key(b, &f, "late");
	sl_json_long(b, s->late, 0);
	sl_json_key(b, &f, "oldest_late_seconds");
	sl_json_long(b, (long)(now - s->oldest_late), s->late == 0);
	sl_json_key(b, &f, "slots");
	g = 1;
	sl_buf_add(b, "{", 1);
	sl_json_key(b, &g, "pool");
	sl_buf_printf(b, "{\"used\":%ld,\"limit\":", s->used);
	sl_json_long(b, s->limit, s->limit == SL_NOLIMIT);
	sl_buf_add(b, "}", 1);
	for (i = 0; i < s->nqueues; i++) {
		sl_json_key(b, &g, s->queues[i].name);
		sl_buf_printf(b, "{\"used\":%ld,\"limit\":",
		    s->queues[i].used);
		sl_json_long(b, s->queues[i].limit, s->queues[i].limit ==
		    SL_NOLIMIT);
		sl_buf_add(b, "}", 1);
	}
	sl_buf_add(b, "}", 1);
	sl_json_key(b, &f, "last_errors");
	sl_buf_add(b, "[", 1);
	for (i = 0; i < s->nfailures; i++) {
		g = 1;
		sl_buf_puts(b, i ? ",{" : "{");
		sl_json_key(b, &g, "id");
		sl_json_str(b, s->failures[i].id);
		sl_json_key(b, &g, "state");
		sl_json_str(b, sl_state_names[s->failures[i].state]);
		sl_json_key(b, &g, "ended");
		sl_json_time(b, s->failures[i].ended);
		sl_json_key(b, &g, "message");
		sl_json_str(b, s->failures[i].message[0] ?
		    s->failures[i].message : NULL);
		sl_buf_add(b, "}", 1);
	}
	sl_buf_add(b, "]", 1);
	sl_json_key(b, &f, "problems");
	sl_buf_add(b, "[", 1);
	for (i = 0; i < s->nproblems; i++) {
		if (i > 0)
			sl_buf_add(b, ",", 1);
		sl_json_str(b, s->problems[i]);
	}
	sl_buf_puts(b, "]}\n");
}

/* html_text - s with & < > " ' escaped */
static void
html_text(struct sl_buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&':
			sl_buf_puts(b, "&amp;");
			break;
		case '<':
			sl_buf_puts(b, "&lt;");
			break;
		case '>':
			sl_buf_puts(b, "&gt;");
			break;
		case '"':
			sl_buf_puts(b, "&quot;");
			break;
		case '\'':
			sl_buf_puts(b, "&#39;");
			break;
		default:
			sl_buf_add(b, s, 1);
		}
}

/* html_cell - "<td>text</td>", or with a class */
static void
html_cell(struct sl_buf *b, const char *cls, const char *text)
{
	if (cls != NULL)
		sl_buf_printf(b, "<td class=\"%s\">", cls);
	else
		sl_buf_puts(b, "<td>");
	html_text(b, text);
	sl_buf_puts(b, "</td>");
}

/* html_pool - one pool's section of the page */
static void
html_pool(struct sl_buf *b, const struct sl_status *s, time_t now)
{
	char	b1[64], t[40];
	size_t	i;

	sl_buf_puts(b, "<section><h2>");
	html_text(b, s->name);
	sl_buf_printf(b, " <span class=\"%s\">%s</span>%s</h2>\n",
	    s->nproblems ? "bad" : "ok", s->nproblems ? "degraded" : "healthy",
	    s->paused ? " <span class=\"note\">paused</span>" : "");
	if (s->nproblems > 0) {
		sl_buf_puts(b, "<ul class=\"problems\">");
		for (i = 0; i < s->nproblems; i++) {
			sl_buf_puts(b, "<li>");
			html_text(b, s->problems[i]);
			sl_buf_puts(b, "</li>");
		}
		sl_buf_puts(b, "</ul>\n");
	}
	sl_buf_puts(b, "<table><tr>");
	for (i = 0; i < SL_NSTATES; i++) {
		sl_buf_puts(b, "<th>");
		html_text(b, sl_state_names[i]);
		sl_buf_puts(b, "</th>");
	}
	sl_buf_puts(b, "<th>Late</th></tr>\n<tr>");
	for (i = 0; i < SL_NSTATES; i++)
		sl_buf_printf(b, "<td class=\"n\">%ld</td>", s->counts[i]);
	sl_buf_printf(b, "<td class=\"n%s\">%ld%s%s</td></tr></table>\n",
	    s->late ? " late" : "", s->late, s->late ? ", oldest " : "",
	    s->late ? sl_duration_fmt((long)(now - s->oldest_late), b1,
	    sizeof(b1)) : "");
	sl_buf_puts(b, "<h3>Queues</h3><table><tr><th>Queue</th><th>Slots "
	    "held</th><th>Due</th><th>Served</th></tr>\n");
	sl_buf_puts(b, "<tr><td><em>the pool</em></td>");
	html_cell(b, "n", limit_of(s->used, s->limit, b1, sizeof(b1)));
	sl_buf_puts(b, "<td></td><td></td></tr>\n");
	for (i = 0; i < s->nqueues; i++) {
		sl_buf_puts(b, "<tr>");
		html_cell(b, NULL, s->queues[i].name);
		html_cell(b, "n", limit_of(s->queues[i].used,
		    s->queues[i].limit, b1, sizeof(b1)));
		sl_buf_printf(b, "<td class=\"n\">%ld</td>", s->queues[i].due);
		sl_buf_printf(b, "<td>%s</td></tr>\n", s->queues[i].paused ?
		    "paused" : s->queues[i].served ? "yes" : "<span class=\"bad\">"
		    "no agent online</span>");
	}
	sl_buf_puts(b, "</table>\n<h3>Agents</h3><table><tr><th>Name</th>"
	    "<th>Host</th><th>Status</th><th>Last heartbeat</th></tr>\n");
	for (i = 0; i < s->nagents; i++) {
		sl_buf_puts(b, "<tr>");
		html_cell(b, NULL, s->agents[i].name);
		html_cell(b, NULL, s->agents[i].host);
		html_cell(b, s->agents[i].online ? "ok" : "bad",
		    s->agents[i].online ? "online" : "offline");
		html_cell(b, NULL, s->agents[i].beat > 0 ?
		    sl_time_fmt(s->agents[i].beat, t, sizeof(t)) : "");
		sl_buf_puts(b, "</tr>\n");
	}
	sl_buf_puts(b, "</table>\n");
	if (s->nfailures > 0) {
		sl_buf_puts(b, "<h3>Last failures</h3><table><tr><th>Run</th>"
		    "<th>State</th><th>Ended</th><th>Why</th></tr>\n");
		for (i = 0; i < s->nfailures; i++) {
			sl_buf_puts(b, "<tr>");
			html_cell(b, "id", s->failures[i].id);
			html_cell(b, "bad", sl_state_names[s->failures[i].state]);
			html_cell(b, NULL, sl_time_fmt(s->failures[i].ended, t,
			    sizeof(t)));
			html_cell(b, NULL, s->failures[i].message);
			sl_buf_puts(b, "</tr>\n");
		}
		sl_buf_puts(b, "</table>\n");
	}
	sl_buf_puts(b, "</section>\n");
}

/*
 * html_page - the whole page: every pool, then the newest runs; one file,
 * no script, its own style; it reloads itself every minute (regenerate it
 * from cron, as the metrics)
 */
static void
html_page(struct sl_buf *b, const struct sl_spool *sp,
    const struct sl_config *cf, struct args *a, const struct sl_status *v,
    size_t n, size_t bad, time_t now)
{
	struct sl_runsel sel = { 0 };
	struct sl_runs rs;
	char	t[40];
	size_t	i;

	sl_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\">\n<meta http-equiv=\"refresh\" content=\"60\">\n"
	    "<title>sluice status</title>\n<style>\n"
	    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}\n"
	    "table{border-collapse:collapse;margin:.4em 0 1em}\n"
	    "th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left}\n"
	    "th{background:#f3f3f3}td.n{text-align:right}td.id{font-family:"
	    "monospace}\n.ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;"
	    "font-weight:bold}.late{color:#9a6700}.note{color:#666}\n"
	    "section{border-top:2px solid #ddd;margin-top:1em}\n"
	    "</style></head><body>\n<h1>sluice status</h1>\n<p>Spool <code>");
	html_text(b, sp->root);
	sl_buf_printf(b, "</code>, %s: <span class=\"%s\">%s</span>, %zu work "
	    "pool%s, %zu degraded.</p>\n", sl_time_fmt(now, t, sizeof(t)),
	    bad ? "bad" : "ok", bad ? "DEGRADED" : "OK", n, n == 1 ? "" : "s",
	    bad);
	for (i = 0; i < n; i++)
		html_pool(b, &v[i], now);
	/* the newest runs, as flow-run ls shows them */
	sel.limit = 20;
	if (sl_runs_load_newest(sp, cf, a->val[O_POOL], 0, &sel, &rs) == 0) {
		sl_buf_puts(b, "<section><h2>Newest runs</h2><table><tr><th>ID"
		    "</th><th>Name</th><th>Pool</th><th>Queue</th><th>State</th>"
		    "<th>When</th></tr>\n");
		for (i = 0; i < rs.n; i++) {
			const char *st = sl_run_display(&rs.v[i], now,
			    cf->late_after);
			time_t	w = sl_run_when(&rs.v[i]);

			sl_buf_puts(b, "<tr>");
			html_cell(b, "id", rs.v[i].id);
			html_cell(b, NULL, rs.v[i].spec.name);
			html_cell(b, NULL, rs.v[i].pool);
			html_cell(b, NULL, rs.v[i].queue);
			html_cell(b, strcmp(st, "Failed") == 0 || strcmp(st,
			    "Crashed") == 0 ? "bad" : strcmp(st, "Completed") ==
			    0 ? "ok" : strcmp(st, "Late") == 0 ? "late" : NULL,
			    st);
			html_cell(b, NULL, w ? sl_time_fmt(w, t, sizeof(t)) : "");
			sl_buf_puts(b, "</tr>\n");
		}
		sl_buf_puts(b, "</table></section>\n");
		sl_runs_free(&rs);
	}
	sl_buf_puts(b, "<p class=\"note\">Made by <code>sluice status "
	    "--html</code>; see sluice-status(1).</p>\n</body></html>\n");
}

/* write_whole - data into path whole: a temporary file beside it, synced,
 * renamed; 0, or -1 said */
static int
write_whole(const char *path, const struct sl_buf *b)
{
	char   *tmp = sl_xmalloc(strlen(path) + 32);
	int	rc = 0;

	sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
	if (sl_publish_rename(tmp, path, b->s, b->len) < 0) {
		sl_warn("cannot write %s: %s", path, strerror(errno));
		(void)sl_unlink(tmp);
		rc = -1;
	}
	free(tmp);
	return rc;
}

/*
 * st_show - sluice status: each pool's health; exit 0 healthy, 1
 * degraded (or a pool not found), as Nagios checks expect; --html FILE
 * writes the page instead
 */
int
st_show(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct sl_status *v;
	struct sl_buf b = { 0 };
	size_t	n, i, bad = 0;
	time_t	now = time(NULL);

	if (gather(sp, cf, a, 0, &v, &n) < 0)
		return EX_FAIL;
	for (i = 0; i < n; i++)
		bad += v[i].nproblems > 0;
	if (a->val[O_HTML] != NULL) {
		html_page(&b, sp, cf, a, v, n, bad, now);
		if (write_whole(a->val[O_HTML], &b) < 0)
			bad = 1;
		sl_buf_free(&b);
		sl_status_free(v, n);
		return bad ? EX_FAIL : 0;
	}
	for (i = 0; i < n; i++) {
		if (a->val[O_JSON] != NULL)
			status_json(&b, &v[i], now);
		else
			status_text(&v[i], now);
	}
	if (a->val[O_JSON] != NULL) {
		if (b.s != NULL)
			emit(&b);
	} else if (n == 0)
		printf("No work pools.\n");
	else
		printf("%s: %zu work pool%s, %zu degraded\n", bad ? "DEGRADED" :
		    "OK", n, n == 1 ? "" : "s", bad);
	sl_status_free(v, n);
	return bad ? EX_FAIL : 0;
}

/*
 * st_metrics - sluice metrics: OpenMetrics text on stdout, or with
 * --output FILE into FILE, atomically (a scraper never reads half)
 */
int
st_metrics(const struct sl_spool *sp, const struct sl_config *cf,
    struct args *a)
{
	struct sl_status *v;
	struct sl_buf b = { 0 };
	size_t	n;
	int	rc = 0;

	if (gather(sp, cf, a, 1, &v, &n) < 0)
		return EX_FAIL;
	sl_status_metrics(&b, v, n, time(NULL));
	sl_status_free(v, n);
	if (a->val[O_OUTPUT] == NULL)
		fwrite(b.s, 1, b.len, stdout);
	else if (write_whole(a->val[O_OUTPUT], &b) < 0)
		rc = EX_FAIL;
	sl_buf_free(&b);
	return rc;
}
