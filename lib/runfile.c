/*
 * runfile.c - run files: the drop format of sluice-run(5), read strictly.
 *
 * A run file is INI, parsed by iniparser.  iniparser's dialect loses data
 * without a word: an unquoted value is cut at ';' or '#', text after a
 * closing quote is dropped, a line ending in '\' is joined to the next, the
 * last of two equal keys wins, key names are folded to lower case, and a
 * logical line over 1024 bytes fails the whole file.  A cut command that
 * runs is the worst thing a scheduler can do, so every file is read twice:
 *
 *  1. a strict line scanner (this file) says what each value must be under
 *     sluice-run(5)'s rules, and refuses anything those rules do not cover
 *     (with the line number and what to write instead);
 *  2. iniparser parses the same bytes, and every value it returns must be
 *     byte-for-byte what the scanner said.  Any difference is a rejection.
 *
 * The scanner also keeps the case of [env] names, which iniparser folds.
 *
 * Commands longer than a line holds are split over command, command.2,
 * command.3, ... whose values are joined with nothing between them.
 *
 * sl_cmd_from_argv() goes the other way: it turns any argument vector into
 * a /bin/sh command that executes exactly that vector, written only with
 * characters an INI double-quoted value can hold (no '"', no newline).
 *
 * Storing.  sl_runspec_store() is the one place a trusted run.ini is made:
 * it renders the run (sl_runspec_render), then parses the text back with
 * the trusted parser and compares every field with what was meant; any
 * difference, or a text over the trusted limits, refuses the run with the
 * reason, before anything is published.  The drop limits are set below
 * the trusted ones so that what a drop may hold renders within them:
 *	drop				trusted run.ini
 *	1 MiB				2 MiB (commands split in 900-byte pieces)
 *	4,096 keys			8,192 keys (sluice adds 11 keys, and
 *					splits the command more finely)
 *	lines of 1,000 bytes		lines of 1,000 bytes: an [env] line
 *					must fit once stored as NAME = "value"
 *	key names of 200 bytes		the same
 * A command whose quoting needs one key per byte (it alternates ' and ")
 * or a submitted vector that grows past 2 MiB once encoded is refused.
 *
 * Costs: keys are sorted once to find duplicates and looked up by binary
 * search, so parsing is O(n log n) in the keys (iniparser's own lookups
 * are linear, which is why the key counts are capped).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sluice.h"

#define LINE_MAX_INI	1000	/* iniparser 4.1 fails lines past 1024 */
#define CHUNK		900	/* shell text per command.N value */
#define MAX_KEYS	4096	/* keys in a dropped run file */
#define MAX_KEYS_TRUSTED 8192	/* keys in sluice's own run.ini */
#define KEY_MAX		200	/* bytes in a key name */
#define RETRIES_MAX	1000	/* retries: 0 to this */
#define SECONDS_MAX	(86400L * 365)	/* retry_delay, timeout: a year */
#define RUNNAME_CHARS	200	/* a run's name: 1 to this, printable */

struct kv {
	char   *sec, *key, *val;	/* key keeps its case */
	char   *lkey;			/* key in lower case */
	int	line;
};

struct scan {
	struct kv *kv;
	size_t	n;
	struct kv **sorted;		/* by section, lkey, line */
};

static void
scan_free(struct scan *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->kv[i].sec);
		free(s->kv[i].key);
		free(s->kv[i].val);
		free(s->kv[i].lkey);
	}
	free(s->kv);
	free(s->sorted);
	memset(s, 0, sizeof(*s));
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = *(struct kv *const *)a, *y = *(struct kv *const *)b;
	int	c;

	if ((c = strcmp(x->sec, y->sec)) != 0 || (c = strcmp(x->lkey,
	    y->lkey)) != 0)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

static char *
strip(char *s)
{
	char   *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
lower_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* comment_ok - may this key carry an inline "; comment" after its value? */
static int
comment_ok(const char *sec, const char *key)
{
	static const char *const k[] = { "retries", "retry_delay", "timeout",
	    "scheduled", NULL };
	int	i;

	if (strcmp(sec, "run") != 0)
		return 0;
	for (i = 0; k[i] != NULL; i++)
		if (lower_eq(key, k[i]))
			return 1;
	return 0;
}

/* value - the value a line must mean, or NULL with a reason */
static char *
value(char *v, const char *sec, const char *key, int line, char *err,
    size_t errlen)
{
	size_t	n = strlen(v);
	char	q;

	if (n > 0 && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		if (n < 2 || v[n - 1] != q || memchr(v + 1, q, n - 2) != NULL) {
			snprintf(err, errlen, "line %d: the value of %s is not "
			    "one quoted string (%c...%c, with no %c inside); see "
			    "sluice-run(5) for writing any command", line, key,
			    q, q, q);
			return NULL;
		}
		v[n - 1] = '\0';
		return sl_xstrdup(v + 1);
	}
	if (strpbrk(v, ";#") != NULL) {
		if (comment_ok(sec, key)) {
			v[strcspn(v, ";#")] = '\0';
			return sl_xstrdup(strip(v));
		}
		snprintf(err, errlen, "line %d: the value of %s holds '%c' "
		    "outside quotes, where INI would cut it short; put the "
		    "value in double quotes", line, key, v[strcspn(v, ";#")]);
		return NULL;
	}
	return sl_xstrdup(v);
}

/* scan - the strict reading of sluice-run(5) */
static int
scan(const char *text, size_t len, size_t maxkeys, struct scan *s, char *err,
    size_t errlen)
{
	char   *copy, *line, *next, *eq, *key, *v, sec[32] = "";
	int	no = 0;
	size_t	i;

	memset(s, 0, sizeof(*s));
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "holds a NUL byte: not a text file");
		return -1;
	}
	copy = sl_xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line != NULL && *line != '\0'; line = next) {
		no++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strlen(line) > LINE_MAX_INI) {
			snprintf(err, errlen, "line %d is longer than %d bytes; "
			    "split a long command over command, command.2, ... "
			    "(sluice-run(5))", no, LINE_MAX_INI);
			goto fail;
		}
		line = strip(line);
		if (*line == '\0' || *line == ';' || *line == '#')
			continue;
		if (line[strlen(line) - 1] == '\\') {
			snprintf(err, errlen, "line %d ends with a backslash, "
			    "which INI joins to the next line; quote the value",
			    no);
			goto fail;
		}
		if (*line == '[') {
			char   *e = strchr(line, ']');

			if (e == NULL || e[1] != '\0' || e - line - 1 >= (int)sizeof(sec)) {
				snprintf(err, errlen, "line %d: a section must be "
				    "[run] or [env]", no);
				goto fail;
			}
			*e = '\0';
			snprintf(sec, sizeof(sec), "%s", strip(line + 1));
			for (i = 0; sec[i]; i++)
				sec[i] = (char)tolower((unsigned char)sec[i]);
			if (strcmp(sec, "run") != 0 && strcmp(sec, "env") != 0) {
				snprintf(err, errlen, "line %d: unknown section "
				    "[%s]; a run file has [run] and [env]", no, sec);
				goto fail;
			}
			continue;
		}
		if (sec[0] == '\0') {
			snprintf(err, errlen, "line %d: a key before any section; "
			    "start with [run]", no);
			goto fail;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			snprintf(err, errlen, "line %d is neither a section, a "
			    "comment nor key = value", no);
			goto fail;
		}
		*eq = '\0';
		key = strip(line);
		if (*key == '\0' || strpbrk(key, " \t[]:\"'") != NULL) {
			snprintf(err, errlen, "line %d: a bad key name", no);
			goto fail;
		}
		if (strlen(key) > KEY_MAX) {
			snprintf(err, errlen, "line %d: a key name over %d bytes",
			    no, KEY_MAX);
			goto fail;
		}
		if (s->n >= maxkeys) {
			snprintf(err, errlen, "more than %zu keys", maxkeys);
			goto fail;
		}
		if ((v = value(strip(eq + 1), sec, key, no, err, errlen)) == NULL)
			goto fail;
		if (s->n % 64 == 0)
			s->kv = sl_xrealloc(s->kv, (s->n + 64) * sizeof(*s->kv));
		s->kv[s->n].sec = sl_xstrdup(sec);
		s->kv[s->n].key = sl_xstrdup(key);
		s->kv[s->n].lkey = sl_xstrdup(key);
		for (i = 0; s->kv[s->n].lkey[i]; i++)
			s->kv[s->n].lkey[i] = (char)tolower((unsigned char)
			    s->kv[s->n].lkey[i]);
		s->kv[s->n].val = v;
		s->kv[s->n].line = no;
		s->n++;
	}
	free(copy);
	/* duplicates, found once sorted: report the earliest repetition */
	s->sorted = sl_xmalloc((s->n + 1) * sizeof(*s->sorted));
	for (i = 0; i < s->n; i++)
		s->sorted[i] = &s->kv[i];
	qsort(s->sorted, s->n, sizeof(*s->sorted), kv_cmp);
	{
		const struct kv *dup = NULL, *first = NULL;

		for (i = 1; i < s->n; i++)
			if (strcmp(s->sorted[i]->sec, s->sorted[i - 1]->sec) == 0 &&
			    strcmp(s->sorted[i]->lkey, s->sorted[i - 1]->lkey) == 0 &&
			    (dup == NULL || s->sorted[i]->line < dup->line)) {
				dup = s->sorted[i];
				first = s->sorted[i - 1];
			}
		if (dup != NULL) {
			snprintf(err, errlen, "line %d: %s is given twice (first "
			    "on line %d)", dup->line, dup->key, first->line);
			scan_free(s);
			return -1;
		}
	}
	return 0;
fail:
	free(copy);
	scan_free(s);
	return -1;
}

/* crosscheck - iniparser must read every value exactly as the scanner did */
static int
crosscheck(const char *text, size_t len, const struct scan *s, char *err,
    size_t errlen)
{
	struct sl_ini *ini;
	char	why[SL_ERR_MAX];
	const char *got;
	size_t	i;

	if ((ini = sl_ini_parse(text, len, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		got = sl_ini_get(ini, s->kv[i].sec, s->kv[i].lkey);
		if (got == NULL || strcmp(got, s->kv[i].val) != 0) {
			snprintf(err, errlen, "line %d: INI reads the value of "
			    "%s as \"%.60s\", not as written; see sluice-run(5)",
			    s->kv[i].line, s->kv[i].key, got ? got : "(nothing)");
			sl_ini_free(ini);
			return -1;
		}
	}
	sl_ini_free(ini);
	return 0;
}

char *sl_ini_quote(const char *);

static int
storable(const char *v)
{
	char   *q = sl_ini_quote(v);

	free(q);
	return q != NULL;
}

/* get - the value of key (lower case) in sec, or NULL: a binary search */
static const char *
get(const struct scan *s, const char *sec, const char *key)
{
	struct kv want = { (char *)sec, NULL, NULL, (char *)key, 0 }, *w = &want;
	size_t	lo = 0, hi = s->n, mid;

	while (lo < hi) {		/* the first entry not below want */
		mid = lo + (hi - lo) / 2;
		if (kv_cmp(&s->sorted[mid], &w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && strcmp(s->sorted[lo]->sec, sec) == 0 &&
	    strcmp(s->sorted[lo]->lkey, key) == 0)
		return s->sorted[lo]->val;
	return NULL;
}

static int
env_name_ok(const char *k)
{
	if (!(isalpha((unsigned char)*k) || *k == '_'))
		return 0;
	for (; *k; k++)
		if (!(isalnum((unsigned char)*k) || *k == '_'))
			return 0;
	return 1;
}

void
sl_runspec_free(struct sl_runspec *r)
{
	size_t	i;

	free(r->command);
	free(r->name);
	free(r->cwd);
	free(r->deployment);
	for (i = 0; i < r->nenv; i++)
		free(r->env[i]);
	free(r->env);
	memset(r, 0, sizeof(*r));
}

/* line_fits - does "key = quoted" fit in one line of a run file? */
static int
line_fits(const char *key, const char *v)
{
	char   *q = sl_ini_quote(v);
	int	ok = q != NULL && strlen(key) + 3 + strlen(q) <= LINE_MAX_INI;

	free(q);
	return ok;
}

/*
 * check_values - what every run must hold to be stored in run.ini: a
 * command without a newline or carriage return, storable name, cwd and
 * [env] values, [env] names of at most KEY_MAX bytes whose line fits.
 */
static int
check_values(const struct sl_runspec *r, char *err, size_t errlen)
{
	size_t	i, k;

	if (r->command == NULL || *r->command == '\0') {
		snprintf(err, errlen, "no command: [run] needs command = ...");
		return -1;
	}
	if (strpbrk(r->command, "\r\n") != NULL) {
		snprintf(err, errlen, "the command holds a carriage return; "
		    "sluice-run(5) shows how to make one with the shell");
		return -1;
	}
	if ((r->name != NULL && !storable(r->name)) ||
	    (r->cwd != NULL && !storable(r->cwd))) {
		snprintf(err, errlen, "the %s holds a newline or carriage "
		    "return, both kinds of quote with ';' or '#', or is over "
		    "900 bytes", r->name != NULL && !storable(r->name) ? "name" :
		    "cwd");
		return -1;
	}
	for (i = 0; i < r->nenv; i++) {
		const char *eq = strchr(r->env[i], '=');
		char	name[KEY_MAX + 1];

		k = eq != NULL ? (size_t)(eq - r->env[i]) : 0;
		if (eq == NULL || k == 0 || k > KEY_MAX) {
			snprintf(err, errlen, "[env] name %.40s%s is %s; names "
			    "have 1 to %d bytes", r->env[i], k > 40 ? "..." : "",
			    k == 0 ? "empty" : "too long", KEY_MAX);
			return -1;
		}
		memcpy(name, r->env[i], k);
		name[k] = '\0';
		if (!env_name_ok(name)) {
			snprintf(err, errlen, "%s is not an environment variable "
			    "name ([A-Za-z_][A-Za-z0-9_]*)", name);
			return -1;
		}
		if (!storable(eq + 1)) {
			snprintf(err, errlen, "the value of [env] %s holds a "
			    "newline or carriage return, both kinds of quote with "
			    "';' or '#', or is over 900 bytes", name);
			return -1;
		}
		if (!line_fits(name, eq + 1)) {
			snprintf(err, errlen, "[env] %s: name and value together "
			    "are too long for one line of run.ini (%d bytes with "
			    "\" = \" and the quotes); shorten the value", name,
			    LINE_MAX_INI);
			return -1;
		}
	}
	return 0;
}

/*
 * sl_runspec_parse - a run file's text into r.  now: the time "+N" and
 * "now" count from (acceptance).  Fields sluice adds when accepting (id,
 * pool, queue, created, owner, attempt, deployment) are read only from a
 * trusted file (one sluice wrote); in a dropped file they are refused: a
 * file must not choose whom it runs as.  Every message is made printable
 * here (sl_printable), since it may quote the file.
 */
int
sl_runspec_parse(const char *text, size_t len, time_t now, int trusted,
    struct sl_runspec *r, char *err, size_t errlen)
{
	static const char *const internal[] = { "id", "pool", "queue",
	    "created", "owner_uid", "owner_gid", "attempt", "deployment", NULL };
	static const char *const known[] = { "command", "name", "scheduled",
	    "retries", "retry_delay", "timeout", "cwd", "id", "pool", "queue",
	    "created", "deployment", "owner_uid", "owner_gid", "attempt",
	    "drop_id", NULL };	/* drop_id: read by perm.c */
	struct sl_buf cmd = { 0 };
	struct scan s;
	const char **parts = NULL;
	const char *v;
	char	k[32];
	size_t	i, nparts = 0;
	long	n;
	int	j;

	memset(r, 0, sizeof(r[0]));
	memset(&s, 0, sizeof(s));
	/* sluice's own run.ini may be larger than the drop it came from
	 * (its command is split in shorter pieces) */
	if (len > (trusted ? SL_RUNINI_MAX : SL_INI_MAX)) {
		snprintf(err, errlen, "larger than %d MiB", trusted ? 2 : 1);
		goto fail;
	}
	if (scan(text, len, trusted ? MAX_KEYS_TRUSTED : MAX_KEYS, &s, err,
	    errlen) < 0)
		goto fail;
	if (crosscheck(text, len, &s, err, errlen) < 0)
		goto fail;
	/* the command's parts, by number: command is 1, command.N is N */
	parts = sl_xmalloc((s.n + 2) * sizeof(*parts));
	memset(parts, 0, (s.n + 2) * sizeof(*parts));
	for (i = 0; i < s.n; i++) {
		if (strcmp(s.kv[i].sec, "env") == 0)
			continue;
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(s.kv[i].lkey, known[j]) == 0)
				break;
		if (known[j] != NULL) {
			if (j == 0)
				parts[1] = s.kv[i].val;
			continue;
		}
		if (!(strncmp(s.kv[i].lkey, "command.", 8) == 0 &&
		    sl_num_parse(s.kv[i].key + 8, 2, 100000, &n) == 0 &&
		    snprintf(k, sizeof(k), "%ld", n) > 0 &&
		    strcmp(k, s.kv[i].key + 8) == 0)) {
			/* command.02, command.+2: not a part (it would be
			 * skipped when parts are joined): an unknown key */
			snprintf(err, errlen, "line %d: unknown key %s in [run] "
			    "(sluice-run(5) lists the keys)", s.kv[i].line,
			    s.kv[i].key);
			goto fail;
		}
		if ((size_t)n > s.n)	/* more parts than keys: after a gap, */
			continue;	/* which is reported below */
		parts[n] = s.kv[i].val;
	}
	for (j = 0; !trusted && internal[j] != NULL; j++)
		if (get(&s, "run", internal[j]) != NULL) {
			snprintf(err, errlen, "%s is set by sluice when it accepts "
			    "a run; a dropped file may not set it", internal[j]);
			goto fail;
		}
	if ((v = parts[1]) == NULL || *v == '\0') {
		snprintf(err, errlen, "no command: [run] needs command = ...");
		goto fail;
	}
	for (nparts = 1; nparts <= s.n && parts[nparts] != NULL; nparts++)
		sl_buf_puts(&cmd, parts[nparts]);
	for (i = 0; i < s.n; i++)	/* command.N after a gap is a mistake */
		if (strncmp(s.kv[i].lkey, "command.", 8) == 0 &&
		    atol(s.kv[i].key + 8) >= (long)nparts) {
			snprintf(err, errlen, "line %d: %s without command.%zu",
			    s.kv[i].line, s.kv[i].key, nparts);
			goto fail;
		}
	r->command = cmd.s;
	cmd.s = NULL;
	r->retries = 0;
	r->retry_delay = 0;
	r->timeout = 0;
	r->attempt = 1;
	r->owner_uid = r->owner_gid = -1;
	r->scheduled = now;
	if ((v = get(&s, "run", "name")) != NULL) {
		if (!sl_runfile_name_ok(v)) {
			snprintf(err, errlen, "name must be 1 to %d printable "
			    "characters", RUNNAME_CHARS);
			goto fail;
		}
		r->name = sl_xstrdup(v);
	}
	if ((v = get(&s, "run", "scheduled")) != NULL &&
	    sl_time_parse(v, now, &r->scheduled) < 0) {
		snprintf(err, errlen, "scheduled = %s: not a time (RFC 3339 with "
		    "an offset, @EPOCH, now or +N[smhd])", v);
		goto fail;
	}
	if ((v = get(&s, "run", "created")) != NULL &&
	    sl_time_parse(v, now, &r->created) < 0) {
		snprintf(err, errlen, "created = %s: not a time", v);
		goto fail;
	}
	{
		static const struct { const char *k; size_t off; long min, max; } num[] = {
			{ "retries", offsetof(struct sl_runspec, retries), 0, RETRIES_MAX },
			{ "retry_delay", offsetof(struct sl_runspec, retry_delay), 0, SECONDS_MAX },
			{ "timeout", offsetof(struct sl_runspec, timeout), 1, SECONDS_MAX },
			{ "attempt", offsetof(struct sl_runspec, attempt), 1, RETRIES_MAX + 1 },
			{ "owner_uid", offsetof(struct sl_runspec, owner_uid), 0, INT_MAX },
			{ "owner_gid", offsetof(struct sl_runspec, owner_gid), 0, INT_MAX },
		};
		for (i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
			if ((v = get(&s, "run", num[i].k)) == NULL ||
			    (strcmp(num[i].k, "timeout") == 0 && strcmp(v, "none") == 0))
				continue;
			if (sl_num_parse(v, num[i].min, num[i].max, &n) < 0) {
				snprintf(err, errlen, "%s = %s: must be a whole "
				    "number from %ld to %ld", num[i].k, v,
				    num[i].min, num[i].max);
				goto fail;
			}
			*(long *)(void *)((char *)r + num[i].off) = n;
		}
	}
	if ((v = get(&s, "run", "cwd")) != NULL && strcmp(v, "none") != 0) {
		if (v[0] != '/') {
			snprintf(err, errlen, "cwd = %s: must be an absolute path", v);
			goto fail;
		}
		r->cwd = sl_xstrdup(v);
	}
	if ((v = get(&s, "run", "deployment")) != NULL && strcmp(v, "none") != 0)
		r->deployment = sl_xstrdup(v);
	if ((v = get(&s, "run", "id")) != NULL && sl_uuid_ok(v))
		snprintf(r->id, sizeof(r->id), "%s", v);
	if ((v = get(&s, "run", "pool")) != NULL && sl_name_ok(v))
		snprintf(r->pool, sizeof(r->pool), "%s", v);
	if ((v = get(&s, "run", "queue")) != NULL && sl_name_ok(v))
		snprintf(r->queue, sizeof(r->queue), "%s", v);
	for (i = 0; i < s.n; i++) {
		if (strcmp(s.kv[i].sec, "env") != 0)
			continue;
		/* (names differing only in case were refused by scan as
		 * given twice: INI cannot tell them apart) */
		if (!env_name_ok(s.kv[i].key)) {
			snprintf(err, errlen, "line %d: %s is not an environment "
			    "variable name ([A-Za-z_][A-Za-z0-9_]*)", s.kv[i].line,
			    s.kv[i].key);
			goto fail;
		}
		if (r->nenv % 64 == 0)
			r->env = sl_xrealloc(r->env, (r->nenv + 64) *
			    sizeof(*r->env));
		{
			struct sl_buf e = { 0 };

			sl_buf_printf(&e, "%s=%s", s.kv[i].key, s.kv[i].val);
			r->env[r->nenv++] = e.s;
		}
	}
	/* every value must be one sluice can store again in run.ini */
	if (check_values(r, err, errlen) < 0)
		goto fail;
	free(parts);
	scan_free(&s);
	return 0;
fail:
	sl_printable(err, errlen);
	free(parts);
	sl_buf_free(&cmd);
	scan_free(&s);
	sl_runspec_free(r);
	return -1;
}

/*
 * sl_ini_quote - v as INI text that reads back exactly (under sluice's
 * scanner and iniparser alike), or NULL: "v" if v holds no '"', else 'v'
 * if it holds no '\'', else v bare if nothing in it is special to INI.
 * Nothing can hold a newline or carriage return, or more than 900 bytes.
 */
char *
sl_ini_quote(const char *v)
{
	struct sl_buf b = { 0 };
	size_t	n = strlen(v);

	if (strpbrk(v, "\r\n") != NULL || n > CHUNK)
		return NULL;
	if (strchr(v, '"') == NULL)
		sl_buf_printf(&b, "\"%s\"", v);
	else if (strchr(v, '\'') == NULL)
		sl_buf_printf(&b, "'%s'", v);
	else if (n > 0 && strpbrk(v, ";#") == NULL && v[0] != '"' &&
	    v[0] != '\'' && !isspace((unsigned char)v[0]) &&
	    !isspace((unsigned char)v[n - 1]) && v[n - 1] != '\\')
		sl_buf_puts(&b, v);
	else
		return NULL;
	return b.s;
}

/*
 * chunk - the length of the longest prefix of s (at most CHUNK bytes, at
 * least 1) that sl_ini_quote takes, found in one pass: a prefix without
 * '"' goes in "...", one without '\'' in '...', and one bare if it has no
 * ';' or '#', does not start with a quote or a blank, and does not end
 * with a blank or '\'.  s holds no newline or carriage return.
 */
static size_t
chunk(const char *s, size_t n)
{
	size_t	max = n < CHUNK ? n : CHUNK, dq, sq, bare = 0;

	for (dq = 0; dq < max && s[dq] != '"'; dq++)
		;
	for (sq = 0; sq < max && s[sq] != '\''; sq++)
		;
	if (s[0] != '"' && s[0] != '\'' && !isspace((unsigned char)s[0])) {
		for (bare = 0; bare < max && s[bare] != ';' && s[bare] != '#';
		    bare++)
			;
		while (bare > 0 && (isspace((unsigned char)s[bare - 1]) ||
		    s[bare - 1] == '\\'))
			bare--;
	}
	if (sq > dq)
		dq = sq;
	if (bare > dq)
		dq = bare;
	return dq > 0 ? dq : 1;
}

static void
put_quoted(struct sl_buf *b, const char *key, const char *v)
{
	char   *q = sl_ini_quote(v);

	if (q == NULL)
		sl_panic("put_quoted: %s cannot be stored", key);
	sl_buf_printf(b, "%s = %s\n", key, q);
	free(q);
}

/* the first line of every run.ini sluice writes (sl_runini_load) */
#define RUNINI_HEAD	"; a sluice run, as accepted; see sluice-run(5)\n"

/*
 * render - the run file text of r; NULL when it would pass maxkeys keys
 * or maxlen bytes (then *keys and *len say how far it got).  Every value
 * must be storable (check_values), or this panics.
 */
static char *
render(const struct sl_runspec *r, size_t *len, size_t *keys, size_t maxkeys,
    size_t maxlen)
{
	struct sl_buf b = { 0 };
	char	t[40], piece[CHUNK + 1];
	size_t	n = strlen(r->command), off, k, i;
	int	part;

	*keys = 11;		/* id pool queue scheduled created retries
				 * retry_delay timeout attempt owner_uid/gid
				 * (at most) */
	*keys += (r->name != NULL) + (r->cwd != NULL) + (r->deployment != NULL) +
	    r->nenv;
	sl_buf_puts(&b, RUNINI_HEAD "[run]\n");
	sl_ini_put(&b, "id", r->id);
	if (r->name != NULL)
		put_quoted(&b, "name", r->name);
	sl_ini_put(&b, "pool", r->pool);
	sl_ini_put(&b, "queue", r->queue);
	/* the command in pieces that are joined with nothing between them
	 * when read: each piece as long as one INI value can hold it */
	for (off = 0, part = 1; off < n; off += k, part++) {
		char	key[32];

		if (++*keys > maxkeys || b.len > maxlen) {
			*len = b.len;
			sl_buf_free(&b);
			return NULL;
		}
		k = chunk(r->command + off, n - off);
		memcpy(piece, r->command + off, k);
		piece[k] = '\0';
		if (part == 1)
			snprintf(key, sizeof(key), "command");
		else
			snprintf(key, sizeof(key), "command.%d", part);
		put_quoted(&b, key, piece);
	}
	sl_ini_put(&b, "scheduled", sl_time_fmt(r->scheduled, t, sizeof(t)));
	sl_ini_put(&b, "created", sl_time_fmt(r->created, t, sizeof(t)));
	sl_buf_printf(&b, "retries = %ld\nretry_delay = %ld\n", r->retries,
	    r->retry_delay);
	if (r->timeout > 0)
		sl_buf_printf(&b, "timeout = %ld\n", r->timeout);
	else
		sl_buf_puts(&b, "timeout = none\n");
	if (r->cwd != NULL)
		put_quoted(&b, "cwd", r->cwd);
	if (r->deployment != NULL)
		sl_ini_put(&b, "deployment", r->deployment);
	sl_buf_printf(&b, "attempt = %ld\n", r->attempt);
	if (r->owner_uid >= 0)	/* unknown (-1): absent, and read so */
		sl_buf_printf(&b, "owner_uid = %ld\n", r->owner_uid);
	if (r->owner_gid >= 0)
		sl_buf_printf(&b, "owner_gid = %ld\n", r->owner_gid);
	if (r->nenv > 0)
		sl_buf_puts(&b, "[env]\n");
	for (i = 0; i < r->nenv; i++) {
		char   *eq = strchr(r->env[i], '='), *name;

		name = sl_xmalloc((size_t)(eq - r->env[i]) + 1);
		memcpy(name, r->env[i], (size_t)(eq - r->env[i]));
		name[eq - r->env[i]] = '\0';
		put_quoted(&b, name, eq + 1);
		free(name);
	}
	sl_buf_puts(&b, SL_INI_TRAILER);
	*len = b.len;
	if (b.len > maxlen) {
		sl_buf_free(&b);
		return NULL;
	}
	return b.s;
}

/*
 * sl_runspec_render - the run file text of r, unchecked: for tests and
 * sl_runspec_store only.  Anything that publishes uses sl_runspec_store.
 */
char *
sl_runspec_render(const struct sl_runspec *r, size_t *len)
{
	size_t	keys;

	return render(r, len, &keys, (size_t)-1, (size_t)-1);
}

/* same_str - both NULL, or equal */
static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* differs - the first field in which b is not a, or NULL */
static const char *
differs(const struct sl_runspec *a, const struct sl_runspec *b)
{
	size_t	i;

	if (strcmp(a->id, b->id) != 0)
		return "id";
	if (strcmp(a->pool, b->pool) != 0)
		return "pool";
	if (strcmp(a->queue, b->queue) != 0)
		return "queue";
	if (!same_str(a->name, b->name))
		return "name";
	if (!same_str(a->command, b->command))
		return "command";
	if (a->scheduled != b->scheduled)
		return "scheduled";
	if (a->created != b->created)
		return "created";
	if (a->retries != b->retries)
		return "retries";
	if (a->retry_delay != b->retry_delay)
		return "retry_delay";
	if ((a->timeout > 0 ? a->timeout : 0) != b->timeout)
		return "timeout";
	if (!same_str(a->cwd, b->cwd))
		return "cwd";
	if (!same_str(a->deployment, b->deployment))
		return "deployment";
	if (a->attempt != b->attempt)
		return "attempt";
	if ((a->owner_uid >= 0 ? a->owner_uid : -1) != b->owner_uid)
		return "owner_uid";
	if ((a->owner_gid >= 0 ? a->owner_gid : -1) != b->owner_gid)
		return "owner_gid";
	if (a->nenv != b->nenv)
		return "[env]";
	for (i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i], b->env[i]) != 0)
			return "[env]";
	return NULL;
}

/*
 * sl_runspec_store - the run.ini text of r, checked: rendered, parsed
 * back with the trusted parser and compared, field by field, with r.
 * NULL, EINVAL and the reason in err when the text would not be read back
 * as r: nothing may be published that an agent would find unreadable or
 * read differently.
 */
char *
sl_runspec_store(const struct sl_runspec *r, size_t *len, char *err,
    size_t errlen)
{
	struct sl_runspec back;
	const char *what;
	char   *text, why[SL_ERR_MAX];
	size_t	keys;

	if (check_values(r, err, errlen) < 0)
		goto refuse;
	if ((text = render(r, len, &keys, MAX_KEYS_TRUSTED, SL_RUNINI_MAX)) == NULL) {
		if (keys > MAX_KEYS_TRUSTED)
			snprintf(err, errlen, "the run cannot be stored: its run "
			    "file would need more than %d keys (a command that "
			    "switches between ' and \" at every byte takes one "
			    "key per byte); write the command to a script and "
			    "run that", MAX_KEYS_TRUSTED);
		else
			snprintf(err, errlen, "the run cannot be stored: its run "
			    "file would be over the %d MiB a run file may hold "
			    "(each control byte or '\"' of a submitted command "
			    "takes 7 bytes); write the command to a script and "
			    "run that", SL_RUNINI_MAX >> 20);
		goto refuse;
	}
	if (sl_runspec_parse(text, *len, 0, 1, &back, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "the run cannot be stored: sluice would "
		    "not read its own run file back (%s)", why);
		free(text);
		goto refuse;
	}
	what = differs(r, &back);
	sl_runspec_free(&back);
	if (what != NULL) {
		snprintf(err, errlen, "the run cannot be stored: its %s would "
		    "read back differently from its run file (a bug in sluice; "
		    "please report it)", what);
		free(text);
		goto refuse;
	}
	return text;
refuse:
	sl_printable(err, errlen);
	errno = EINVAL;
	return NULL;
}

/*
 * sl_runini_write - publish r as dir/run.ini (the trusted form, checked to
 * read back: sl_runspec_store), 0640 and the owner's group, since its
 * [env] is for no other user ("Permissions").  fresh: dir is a private
 * directory the caller has just made (sl_perm_publish_runfile).  maker
 * (or NULL): a deployment scheduler's id, kept as a comment line after
 * the first, "; maker = ID" (sl_runini_maker), which no parser reads as
 * the run's: it tells this maker's copy of a slot's run from another's.
 * -1 with err.
 */
int
sl_runini_write(const char *dir, const struct sl_runspec *r, int fresh,
    const char *maker, char *err, size_t errlen)
{
	size_t	len, n;
	char   *text = sl_runspec_store(r, &len, err, errlen), *nl, *t2;
	int	rc;

	if (text == NULL)	/* it would not read back: err says why */
		return -1;
	if (maker != NULL && (nl = memchr(text, '\n', len)) != NULL &&
	    len + 16 + strlen(maker) <= SL_RUNINI_MAX) {
		n = (size_t)(nl + 1 - text);
		t2 = sl_xmalloc(len + 16 + strlen(maker) + 1);
		memcpy(t2, text, n);
		n += (size_t)sprintf(t2 + n, "; maker = %s\n", maker);
		memcpy(t2 + n, nl + 1, len - (size_t)(nl + 1 - text));
		len = n + len - (size_t)(nl + 1 - text);
		free(text);
		text = t2;
	}
	/* 0640, group the owner's: its [env] is read by no other user */
	if ((rc = sl_perm_publish_runfile(dir, "run.ini", text, len,
	    r->owner_gid, fresh)) < 0)
		snprintf(err, errlen, "cannot write %s/run.ini: %s", dir,
		    strerror(errno));
	free(text);
	return rc;
}

/*
 * sl_runini_maker - the maker line of dir/run.ini (sl_runini_write) into
 * out: 0; -1 it has none (written by an older binary, or not by a
 * scheduler) or cannot be read
 */
int
sl_runini_maker(const char *dir, char *out, size_t len)
{
	char   *p = sl_path(dir, "run.ini", (char *)NULL), *text, *m, *e;
	int	rc = -1;

	if (sl_read_file(p, &text, SL_RUNINI_MAX) >= 0) {
		/* the second line, or none: a run's own lines come after */
		if ((m = strchr(text, '\n')) != NULL &&
		    strncmp(m + 1, "; maker = ", 10) == 0 &&
		    (e = strchr(m + 11, '\n')) != NULL &&
		    (size_t)(e - (m + 11)) < len) {
			memcpy(out, m + 11, (size_t)(e - (m + 11)));
			out[e - (m + 11)] = '\0';
			rc = 0;
		}
		free(text);
	}
	free(p);
	return rc;
}

/*
 * sl_runini_load - read and parse dir/run.ini, the one reader of a run's
 * run.ini, with one cap (SL_RUNINI_MAX): 0 and *r; -1 it could not be
 * read (errno; err says what); -2 it is not a valid run, or one sluice
 * wrote cut short (no trailer line; err says why).
 * st, if not NULL, gets the fstat of the descriptor read (O_NOFOLLOW), by
 * which an agent judges who owns the run.  now: as sl_runspec_parse.
 */
int
sl_runini_load(const char *dir, time_t now, struct sl_runspec *r,
    struct stat *st, char *err, size_t errlen)
{
	struct stat sb;
	char   *p = sl_path(dir, "run.ini", (char *)NULL), *text;
	size_t	tl = strlen(SL_INI_TRAILER), hl = strlen(RUNINI_HEAD);
	ssize_t	n;
	int	saved;

	memset(r, 0, sizeof(*r));
	n = sl_read_file_st(p, &text, SL_RUNINI_MAX, st != NULL ? st : &sb);
	if (n < 0) {
		saved = errno;
		snprintf(err, errlen, "cannot read %s: %s", p, strerror(saved));
		free(p);
		errno = saved;
		return -1;
	}
	/* sluice's writer (render, since the first run.ini) begins it with
	 * RUNINI_HEAD and ends it with the trailer: one of its files
	 * without the trailer was cut short (a torn write published, a
	 * disk's loss), and its lines would parse as a valid run with
	 * values cut or missing.  A run.ini written by hand (a user with
	 * the right to write sched/, sluice-run(5)) has neither, and is
	 * judged by its lines alone */
	if ((size_t)n >= hl && memcmp(text, RUNINI_HEAD, hl) == 0 &&
	    ((size_t)n < hl + tl || memcmp(text + n - tl, SL_INI_TRAILER,
	    tl) != 0)) {
		snprintf(err, errlen, "%s is cut short: it does not end with "
		    "the line \"%.*s\"", p, (int)tl - 1, SL_INI_TRAILER);
		free(p);
		free(text);
		return -2;
	}
	free(p);
	if (sl_runspec_parse(text, (size_t)n, now, 1, r, err, errlen) < 0) {
		free(text);
		return -2;
	}
	free(text);
	return 0;
}

/* sl_runspec_check - could r be stored as it is?  0, or -1 and why */
int
sl_runspec_check(const struct sl_runspec *r, char *err, size_t errlen)
{
	struct sl_runspec c = *r;
	size_t	len;
	char   *text;

	/* a run being built may lack what sluice fills in when it stores
	 * it: check it with those fields as they will be */
	if (c.attempt < 1)
		c.attempt = 1;
	if ((text = sl_runspec_store(&c, &len, err, errlen)) == NULL)
		return -1;
	free(text);
	return 0;
}

/* safe_word - may this argument stand unquoted in /bin/sh? */
static int
safe_word(const char *a)
{
	if (*a == '\0')
		return 0;
	for (; *a; a++)
		if (!(isalnum((unsigned char)*a) || strchr("_@%+=:,./-", *a)))
			return 0;
	return 1;
}

/* special - a byte that may not stand in an INI double-quoted value */
static int
special(unsigned char c)
{
	return c == '"' || c < 0x20 || c == 0x7f;
}

/*
 * sl_cmd_to_argv - the argument vector of a command that is one simple
 * command needing no shell: words of safe_word() characters and
 * '...' quotes (and \' for a quote), apart by blanks, after an optional
 * "exec" (as sl_cmd_from_argv writes them).  Anything else (expansions,
 * operators, redirections, assignments, other quoting, the IFS preamble
 * of sl_cmd_from_argv) is the shell's: -1.  On 0, *argv is a vector of
 * *argc words and a NULL, in one allocation (free(*argv) frees it all).
 */
int
sl_cmd_to_argv(const char *cmd, char ***argv, int *argc)
{
	size_t	len = strlen(cmd), nw = 0;
	char  **v, *o;
	const char *p;
	int	inword = 0;

	/* at most len / 2 + 1 words; each word no longer than the text */
	v = sl_xmalloc((len / 2 + 2) * sizeof(char *) + len + 1);
	o = (char *)(v + len / 2 + 2);
	for (p = cmd; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			if (inword)
				*o++ = '\0';
			inword = 0;
			continue;
		}
		if (!inword) {
			v[nw++] = o;
			inword = 1;
		}
		if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (q == NULL)
				goto shell;
			memcpy(o, p + 1, (size_t)(q - p - 1));
			o += q - p - 1;
			p = q;
		} else if (*p == '\\' && p[1] == '\'') {
			*o++ = '\'';
			p++;
		} else if (isalnum((unsigned char)*p) ||
		    strchr("_@%+=:,./-", *p) != NULL)
			*o++ = *p;
		else
			goto shell;
	}
	if (inword)
		*o = '\0';
	v[nw] = NULL;
	if (nw > 0 && strcmp(v[0], "exec") == 0 && cmd[strspn(cmd, " \t")] ==
	    'e') {
		memmove(v, v + 1, nw * sizeof(char *));
		nw--;
	}
	/* a first word with '=' is an assignment, not a program */
	if (nw == 0 || strchr(v[0], '=') != NULL)
		goto shell;
	*argv = v;
	*argc = (int)nw;
	return 0;
shell:
	free(v);
	*argv = NULL;
	*argc = 0;
	return -1;
}

/*
 * sl_cmd_from_argv - a /bin/sh command executing exactly argv.  Words are
 * single-quoted where needed ('\'' for a quote).  A byte an INI value
 * cannot hold ('"', newline, other control bytes) is made by the shell at
 * run time: "IFS=;v042=$(printf '\042.');v042=${v042%.};" then $v042
 * (as ${v042}) outside quotes; IFS is empty so the expansion is not split, and printf's
 * trailing '.' survives the stripping of newlines by $(...).
 */
char *
sl_cmd_from_argv(int argc, char *const argv[])
{
	struct sl_buf pre = { 0 }, b = { 0 };
	unsigned char used[256] = { 0 };
	const unsigned char *p;
	int	i, inq;

	for (i = 0; i < argc; i++) {
		if (i > 0)
			sl_buf_add(&b, " ", 1);
		/* a program named -x is quoted: sh -c would take a command
		 * that starts with '-' for its options */
		if (safe_word(argv[i]) && (i > 0 || argv[i][0] != '-')) {
			sl_buf_puts(&b, argv[i]);
			continue;
		}
		inq = 0;
		if (argv[i][0] == '\0')
			sl_buf_puts(&b, "''");
		for (p = (const unsigned char *)argv[i]; *p; p++) {
			if (special(*p)) {
				if (inq)
					sl_buf_add(&b, "'", 1);
				inq = 0;
				sl_buf_printf(&b, "${v%03o}", *p);
				used[*p] = 1;
			} else if (*p == '\'') {
				if (inq)
					sl_buf_add(&b, "'", 1);
				inq = 0;
				sl_buf_puts(&b, "\\'");
			} else {
				if (!inq)
					sl_buf_add(&b, "'", 1);
				inq = 1;
				sl_buf_add(&b, (const char *)p, 1);
			}
		}
		if (inq)
			sl_buf_add(&b, "'", 1);
	}
	for (i = 0; i < 256; i++)
		if (used[i]) {
			if (pre.len == 0)
				sl_buf_puts(&pre, "IFS=;");
			sl_buf_printf(&pre, "v%03o=$(printf '\\%03o.');"
			    "v%03o=${v%03o%%.};", i, i, i, i);
		}
	/* exec, so that the shell is not left waiting; but not before a
	 * program named -x, which bash's exec takes as an option and dash's
	 * has no -- for: then the shell runs it as a plain command word,
	 * '-x' (quoted above) */
	if (argc == 0 || argv[0][0] != '-')
		sl_buf_puts(&pre, "exec ");
	sl_buf_add(&pre, b.s ? b.s : "", b.len);
	if (pre.s == NULL)
		sl_buf_puts(&pre, "");
	sl_buf_free(&b);
	return pre.s;
}

/*
 * sl_argv_shell - argv as a person would type it to a shell: plain words
 * bare, others in '...' ('\'' for a quote), nothing made at run time;
 * what sluice shows as a command submitted as a vector
 */
char *
sl_argv_shell(int argc, char *const argv[])
{
	struct sl_buf b = { 0 };
	const char *p;
	int	i;

	for (i = 0; i < argc; i++) {
		if (i > 0)
			sl_buf_add(&b, " ", 1);
		if (argv[i][0] != '\0' && safe_word(argv[i])) {
			sl_buf_puts(&b, argv[i]);
			continue;
		}
		sl_buf_add(&b, "'", 1);
		for (p = argv[i]; *p; p++)
			if (*p == '\'')
				sl_buf_puts(&b, "'\\''");
			else
				sl_buf_add(&b, p, 1);
		sl_buf_add(&b, "'", 1);
	}
	if (b.s == NULL)
		sl_buf_puts(&b, "");
	return b.s;
}

/*
 * sl_cmd_argv_of - the vector a command was made from by sl_cmd_from_argv,
 * or NULL if it was not made so (a shell command of a run file).  The
 * words are read back (quotes, \', and the ${vNNN} bytes of the IFS
 * preamble), and the vector is encoded again: only a command that comes
 * back exactly is one.  On success *argc words and a NULL, each and the
 * vector malloc'd (sl_strv_free frees them).
 */
char **
sl_cmd_argv_of(const char *cmd, int *argc)
{
	struct sl_buf w = { 0 };
	const char *p = cmd;
	char  **v = NULL, *again, def[64];
	size_t	n = 0;
	unsigned o;
	int	inq = 0, inword = 0;

	/* the preamble's definitions, each exactly as written; which ones
	 * there are is checked by the encoding below */
	if (strncmp(p, "IFS=;", 5) == 0)
		for (p += 5; *p == 'v'; p += strlen(def)) {
			if (sscanf(p + 1, "%3o", &o) != 1 || o > 0377)
				return NULL;
			snprintf(def, sizeof(def), "v%03o=$(printf '\\%03o.');"
			    "v%03o=${v%03o%%.};", o, o, o, o);
			if (strncmp(p, def, strlen(def)) != 0)
				return NULL;
		}
	if (strncmp(p, "exec ", 5) == 0)
		p += 5;
	for (;; p++) {
		if (!inq && (*p == ' ' || *p == '\0')) {
			if (inword) {
				v = sl_xrealloc(v, (n + 2) * sizeof(*v));
				v[n++] = w.s != NULL ? w.s : sl_xstrdup("");
				v[n] = NULL;
				memset(&w, 0, sizeof(w));
			}
			inword = 0;
			if (*p == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*p == '\0')
			goto bad;	/* an open quote */
		if (*p == '\'')
			inq = !inq;
		else if (!inq && p[0] == '\\' && p[1] == '\'')
			sl_buf_add(&w, ++p, 1);
		else if (!inq && strncmp(p, "${v", 3) == 0 &&
		    sscanf(p + 3, "%3o", &o) == 1 && o < 256 && p[6] == '}') {
			char	c = (char)o;

			sl_buf_add(&w, &c, 1);
			p += 6;
		} else
			sl_buf_add(&w, p, 1);
	}
	if (n == 0)
		goto bad;
	again = sl_cmd_from_argv((int)n, v);
	if (strcmp(again, cmd) != 0) {
		free(again);
		goto bad;
	}
	free(again);
	*argc = (int)n;
	return v;
bad:
	sl_buf_free(&w);
	sl_strv_free(v, n);
	return NULL;
}

/*
 * The ranges and names a run file takes, for what checks them before
 * writing one (sluice submit, sluice deployment create), so that a
 * refusal can name the option given rather than the run file's key.
 */
const struct sl_runfile_range sl_runfile_retries = { 0, RETRIES_MAX };
const struct sl_runfile_range sl_runfile_retry_delay = { 0, SECONDS_MAX };
const struct sl_runfile_range sl_runfile_timeout = { 1, SECONDS_MAX };

/* sl_runfile_name_ok - is v a run's name: 1 to 200 printable characters */
int
sl_runfile_name_ok(const char *v)
{
	const char *c;

	for (c = v; *c && (unsigned char)*c >= 0x20 && *c != 0x7f; c++)
		;
	return *v != '\0' && *c == '\0' && c - v <= RUNNAME_CHARS;
}

/* sl_runfile_env_name_ok - are the n bytes at k an [env] name? */
int
sl_runfile_env_name_ok(const char *k, size_t n)
{
	char   *s = sl_xmalloc(n + 1);
	int	ok;

	memcpy(s, k, n);
	s[n] = '\0';
	ok = env_name_ok(s);
	free(s);
	return ok;
}
