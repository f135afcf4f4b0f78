/*
 * agent.c - sluice agent ls (sluice(1)): the agents registered in one pool
 * or in every pool, online or not.  "sluice agent start" is sluice-agent
 * itself, which main runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

/* agent_ls - sluice agent ls: the agents of one pool, or of every pool */
int
agent_ls(const struct sl_spool *sp, const struct sl_config *cf, struct args *a)
{
	static const char *hdr[] = { "Name", "ID", "Host", "PID", "Pool",
	    "Queues", "Limit", "Last Heartbeat", "Status" };
	const long window = sl_offline_after(cf);
	struct sl_buf b = { 0 };
	struct sl_table *t = NULL;
	struct sl_agent *g;
	char  **names = NULL, pid[32], lim[32], hb[40], qs[512];
	size_t	n = 0, ng, i, j;
	time_t	now = time(NULL);
	int	online = 0, total = 0;

	if (a->val[O_POOL] != NULL) {
		if (!sl_pool_exists(sp, a->val[O_POOL])) {
			sl_warn("Work pool '%s' not found.", a->val[O_POOL]);
			return EX_FAIL;
		}
		names = sl_xmalloc(sizeof(char *));
		names[0] = sl_xstrdup(a->val[O_POOL]);
		n = 1;
	} else if (sl_pool_names(sp, &names, &n) < 0) {
		sl_warn("cannot list the pools of %s: %s", sp->root,
		    strerror(errno));
		return EX_FAIL;
	}
	if (a->val[O_JSON] == NULL)
		t = sl_table_new("Agents", 9, hdr);
	for (i = 0; i < n; i++) {
		if (sl_agents_load(sp, names[i], &g, &ng) < 0)
			continue;
		for (j = 0; j < ng; j++) {
			int	on = g[j].registered &&
			    sl_agent_online(&g[j], now, window);
			const char *row[9];
			size_t	k;

			online += on;
			total++;
			if (t == NULL) {
				agent_json(&b, &g[j], on);
				continue;
			}
			snprintf(pid, sizeof(pid), "%ld", g[j].pid);
			if (g[j].nqueues == 0)
				snprintf(qs, sizeof(qs), "%s", g[j].match ?
				    g[j].match : "(all)");
			else
				for (k = 0, qs[0] = '\0'; k < g[j].nqueues; k++)
					snprintf(qs + strlen(qs), sizeof(qs) -
					    strlen(qs), "%s%s", k ? "," : "",
					    g[j].queues[k]);
			if (g[j].match != NULL && g[j].nqueues == 0)
				snprintf(qs, sizeof(qs), "%s*", g[j].match);
			row[0] = g[j].name[0] ? g[j].name : "?";
			row[1] = g[j].id;
			row[2] = g[j].host[0] ? g[j].host : "?";
			row[3] = pid;
			row[4] = g[j].pool;
			row[5] = qs;
			row[6] = limit_str(g[j].limit, lim, sizeof(lim));
			row[7] = g[j].beat > 0 ? sl_time_fmt(g[j].beat, hb,
			    sizeof(hb)) : "-";
			row[8] = on ? "online" : "offline";
			sl_table_row(t, row);
		}
		sl_agents_free(g, ng);
	}
	if (t != NULL) {
		char	cap[96];

		snprintf(cap, sizeof(cap), "%d of %d agents online", online,
		    total);
		sl_table_print(t, stdout, boxed(), cap);
		sl_table_free(t);
	} else
		emit(&b);
	sl_strv_free(names, n);
	return 0;
}
