/*
 * test_runfile.c - lib/runfile.c: the run file format of sluice-run(5)
 * (sluice-run(5)), read by sl_runspec_parse (a strict line scanner, then
 * iniparser as a cross-check), written by sl_runspec_render and
 * sl_ini_quote, and sl_cmd_from_argv's shell text for any argument vector.
 *
 * Hostile input first: every file below must be refused with a reason
 * that says what is wrong (the test looks for the words), never crash, and
 * never give a command other than the one written.  Random bytes and
 * random files built from INI fragments (fixed seeds) check the same
 * promises wholesale.  Then what is accepted: the WHEN forms of
 * "scheduled" (relative ones counted from the `now' argument), numeric
 * ranges and their inline comments, [env] names keeping their case, and
 * the keys only sluice itself may write.  Round trips: render then parse
 * (trusted) gives back every field, however long the command; and any
 * argument vector, through sl_cmd_from_argv, a run file and /bin/sh -c,
 * reaches a program as exactly that vector (a helper compiled at test time
 * writes its argv[1..], each followed by a NUL byte).  The examples of
 * sluice-run(5) do what the page says.
 *
 * Some tests here fail on purpose until the parser is fixed; each says
 * what it shows: a command part dropped without a word ("command.02"), a
 * 1 MiB file that takes minutes to read, and accepted values (times before
 * 1970 or after 9999, the largest drop) whose run.ini cannot be read back.
 *
 * The reference instant, checked with GNU date:
 *	date -u -d 2026-11-28T14:00:00Z +%s	-> 1795874400
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

#define NOW	((time_t)1000000000)	/* the "now" handed to the parser */
#define T1400	((time_t)1795874400)	/* 2026-11-28T14:00:00Z */
#define ID	"0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1c"

static char err[SL_ERR_MAX];

/* ---- helpers ---- */

/* rnd - xorshift64*: the same sequence from a seed on every libc */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static size_t
rnd_below(uint64_t *s, size_t n)
{
	return (size_t)(rnd(s) % n);
}

static int
parse_n(const char *text, size_t len, int trusted, struct sl_runspec *r)
{
	err[0] = '\0';
	return sl_runspec_parse(text, len, NOW, trusted, r, err, sizeof(err));
}

static int
parse(const char *text, int trusted, struct sl_runspec *r)
{
	return parse_n(text, strlen(text), trusted, r);
}

/* accept - text must parse (untrusted unless said) */
static void
accept_ok(const char *text, int trusted, struct sl_runspec *r)
{
	ck_assert_msg(parse(text, trusted, r) == 0, "refused: %s\n--- text:\n%s",
	    err, text);
	ck_assert_ptr_nonnull(r->command);
}

/*
 * refuse - text must be refused, with a reason holding why (a few words
 * that say what is wrong), and nothing left in r.
 */
static void
refuse_n(const char *text, size_t len, int trusted, const char *why)
{
	struct sl_runspec r;
	int	rc;

	memset(&r, 0x55, sizeof(r));
	rc = parse_n(text, len, trusted, &r);
	ck_assert_msg(rc == -1, "accepted (rc %d, command [%s])\n--- text:\n%.*s",
	    rc, rc == 0 ? r.command : "", (int)(len > 2000 ? 2000 : len), text);
	ck_assert_msg(err[0] != '\0', "refused without a reason: %.*s",
	    (int)(len > 200 ? 200 : len), text);
	ck_assert_msg(strchr(err, '\n') == NULL, "reason is not one line: %s",
	    err);
	ck_assert_msg(why == NULL || strstr(err, why) != NULL,
	    "reason [%s] does not say [%s]\n--- text:\n%.*s", err, why,
	    (int)(len > 300 ? 300 : len), text);
	ck_assert_ptr_null(r.command);
	ck_assert_ptr_null(r.name);
	ck_assert_ptr_null(r.env);
}

static void
refuse(const char *text, const char *why)
{
	refuse_n(text, strlen(text), 0, why);
}

static void
refuse_trusted(const char *text, const char *why)
{
	refuse_n(text, strlen(text), 1, why);
}

/* fill - a spec as the acceptor completes it, ready to be rendered */
static void
fill(struct sl_runspec *r)
{
	snprintf(r->id, sizeof(r->id), "%s", ID);
	snprintf(r->pool, sizeof(r->pool), "P");
	snprintf(r->queue, sizeof(r->queue), "Q");
	r->created = NOW;
	r->owner_uid = 1000;
	r->owner_gid = 100;
}

/* same - every field of two specs is equal */
static void
same(const struct sl_runspec *a, const struct sl_runspec *b)
{
	size_t	i;

	ck_assert_str_eq(a->id, b->id);
	ck_assert_str_eq(a->pool, b->pool);
	ck_assert_str_eq(a->queue, b->queue);
	if (a->name == NULL || b->name == NULL)
		ck_assert_ptr_eq(a->name, b->name);
	else
		ck_assert_str_eq(a->name, b->name);
	ck_assert_msg(strcmp(a->command, b->command) == 0,
	    "commands differ (%zu and %zu bytes)", strlen(a->command),
	    strlen(b->command));
	ck_assert_int_eq(a->scheduled, b->scheduled);
	ck_assert_int_eq(a->created, b->created);
	ck_assert_int_eq(a->retries, b->retries);
	ck_assert_int_eq(a->retry_delay, b->retry_delay);
	ck_assert_int_eq(a->timeout, b->timeout);
	if (a->cwd == NULL || b->cwd == NULL)
		ck_assert_ptr_eq(a->cwd, b->cwd);
	else
		ck_assert_str_eq(a->cwd, b->cwd);
	if (a->deployment == NULL || b->deployment == NULL)
		ck_assert_ptr_eq(a->deployment, b->deployment);
	else
		ck_assert_str_eq(a->deployment, b->deployment);
	ck_assert_int_eq(a->attempt, b->attempt);
	ck_assert_int_eq(a->owner_uid, b->owner_uid);
	ck_assert_int_eq(a->owner_gid, b->owner_gid);
	ck_assert_uint_eq(a->nenv, b->nenv);
	for (i = 0; i < a->nenv; i++)
		ck_assert_str_eq(a->env[i], b->env[i]);
}

/* lines_fit - every line of a rendered file is one iniparser can read */
static void
lines_fit(const char *text)
{
	const char *p, *nl;
	int	no = 0;

	for (p = text; *p != '\0'; p = nl + 1) {
		no++;
		nl = strchr(p, '\n');
		ck_assert_msg(nl != NULL, "line %d has no newline", no);
		ck_assert_msg(nl - p <= 1000, "line %d is %d bytes", no,
		    (int)(nl - p));
	}
}

/* round_trip - render r, parse it back trusted, and compare */
static void
round_trip(const struct sl_runspec *r)
{
	struct sl_runspec back;
	size_t	len;
	char   *text = sl_runspec_render(r, &len);

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_msg(len >= strlen(SL_INI_TRAILER) && strcmp(text + len -
	    strlen(SL_INI_TRAILER), SL_INI_TRAILER) == 0, "no trailer");
	lines_fit(text);
	ck_assert_msg(parse_n(text, len, 1, &back) == 0,
	    "the rendered file is refused: %s", err);
	same(r, &back);
	sl_runspec_free(&back);
	free(text);
}

/* ---- hostile input: refused, with the reason ---- */

static const struct {
	const char *text;
	const char *why;
} hostile[] = {
	/* not a run file at all */
	{ "\x7f" "ELF\x02\x01\x01\xff\xfe\xfd\x80\n\x01\x02", "line 1" },
	{ "\xef\xbb\xbf[run]\ncommand = x\n", "line 1" },
	{ "#!/bin/sh\necho hi\n", "line 2" },
	{ "<html><body>hi</body></html>\n", "line 1" },
	/* structure */
	{ "command = echo hi\n", "before any section" },
	{ "; a comment\ncommand = x\n[run]\nname = y\n", "line 2: a key before "
	    "any section" },
	{ "[runs]\ncommand = x\n", "unknown section [runs]" },
	{ "[run]\ncommand = x\n[environment]\nA = b\n", "unknown section" },
	{ "[run\ncommand = x\n", "a section must be" },
	{ "[run] ; a comment\ncommand = x\n", "a section must be" },
	{ "[run]x\ncommand = x\n", "a section must be" },
	{ "[]\ncommand = x\n", "unknown section" },
	{ "[run]\ncommand = x\ncomand = y\n", "unknown key comand" },
	{ "[run]\ncommand = x\nuser = root\n", "unknown key user" },
	{ "[run]\ncommand = x\nenv = A=b\n", "unknown key env" },
	{ "[run]\ncommand = x\njust words\n", "line 3 is neither" },
	{ "[run]\ncom mand = x\n", "bad key name" },
	{ "[run]\n= x\n", "bad key name" },
	{ "[run]\ncmd:x = y\n", "bad key name" },
	{ "[run]\n\"command\" = x\n", "bad key name" },
	/* nothing to run */
	{ "", "no command" },
	{ "\n\n\n", "no command" },
	{ "; only\n# comments\n  ; indented\n", "no command" },
	{ "[run]\n", "no command" },
	{ "[run]\n[env]\nA = b\n", "no command" },
	{ "[run]\ncommand =\n", "no command" },
	{ "[run]\ncommand = \"\"\n", "no command" },
	{ "[run]\ncommand = ''\n", "no command" },
	{ "[run]\nname = x\n[env]\ncommand = echo hi\n", "no command" },
	{ "[run]\ncommand.2 = echo hi\n", "no command" },
	/* duplicates, whatever the case */
	{ "[run]\ncommand = a\ncommand = b\n", "command is given twice "
	    "(first on line 2)" },
	{ "[run]\ncommand = a\nCommand = b\n", "given twice" },
	{ "[run]\nCOMMAND = a\n[env]\nX = 1\n[run]\ncommand = b\n",
	    "given twice" },
	{ "[run]\ncommand = a\nname = x\nname = x\n", "name is given twice" },
	{ "[run]\ncommand = a\n[env]\nFOO = 1\nfoo = 2\n", "given twice" },
	{ "[run]\ncommand = a\n[env]\nPath = 1\nPATH = 1\n", "given twice" },
	/* ';' and '#' outside quotes cut a value in INI */
	{ "[run]\ncommand = echo a; rm -rf /\n", "holds ';' outside quotes" },
	{ "[run]\ncommand = echo a # not a comment\n", "holds '#' outside" },
	{ "[run]\ncommand = echo a;\n", "holds ';'" },
	{ "[run]\ncommand = x\nname = nightly;backup\n", "value of name holds "
	    "';'" },
	{ "[run]\ncommand = x\nname = issue #42\n", "value of name holds '#'" },
	{ "[run]\ncommand = x\ncwd = /srv/a;b\n", "value of cwd holds ';'" },
	{ "[run]\ncommand = x\ncwd = /srv/#tmp\n", "value of cwd holds '#'" },
	{ "[run]\ncommand = x\n[env]\nA = b;c\n", "value of A holds ';'" },
	{ "[run]\ncommand = x\n[env]\nA = s3://b#frag\n", "value of A holds "
	    "'#'" },
	{ "[run]\ncommand = a\ncommand.2 = b;c\n", "value of command.2 holds" },
	/* quotes */
	{ "[run]\ncommand = \"echo hi\" && rm -rf /\n", "not one quoted string" },
	{ "[run]\ncommand = \"echo hi\" ; a comment\n", "not one quoted string" },
	{ "[run]\ncommand = 'echo hi'x\n", "not one quoted string" },
	{ "[run]\ncommand = x\nname = \"a\" b\n", "value of name is not one "
	    "quoted" },
	{ "[run]\ncommand = \"echo hi\n", "not one quoted string" },
	{ "[run]\ncommand = 'echo hi\n", "not one quoted string" },
	{ "[run]\ncommand = \"\n", "not one quoted string" },
	{ "[run]\ncommand = '\n", "not one quoted string" },
	{ "[run]\ncommand = x\n[env]\nA = \"b\n", "not one quoted string" },
	{ "[run]\ncommand = \"say \"hi\"\"\n", "not one quoted string" },
	{ "[run]\ncommand = 'it's'\n", "not one quoted string" },
	{ "[run]\ncommand = \"a\"\"b\"\n", "not one quoted string" },
	{ "[run]\ncommand = x\ncwd = '/it's'\n", "not one quoted string" },
	/* a backslash at the end joins the next line in INI */
	{ "[run]\ncommand = echo \\\nname = x\n", "ends with a backslash" },
	{ "[run]\ncommand = echo \\  \t\n", "ends with a backslash" },
	{ "[run]\ncommand = x\nname = a\\\n", "ends with a backslash" },
	{ "[run]\ncommand = echo \\\r\n", "ends with a backslash" },
	/* ... even in a comment, which then swallows the next line */
	{ "[run]\ncommand = x\n; a comment \\\nname = hidden\n", "name" },
	/* carriage returns the scanner cannot strip away */
	{ "[run]\ncommand = echo a\rrm -rf /\n", "carriage return" },
	{ "[run]\ncommand = \"echo a\r\"\n", "carriage return" },
	{ "[run]\ncommand = a\ncommand.2 = \"\rb\"\n", "carriage return" },
	{ "[run]\ncommand = x\n[env]\nA = \"b\rc\"\n", "carriage return" },
	{ "[run]\ncommand = x\ncwd = \"/srv/\r\"\n", "cwd" },
	/* command.N: numbered from 2, no gaps */
	{ "[run]\ncommand = a\ncommand.3 = c\n", "command.3 without command.2" },
	{ "[run]\ncommand = a\ncommand.2 = b\ncommand.4 = d\n", "command.4 "
	    "without command.3" },
	{ "[run]\ncommand = a\ncommand.1 = b\n", "unknown key command.1" },
	{ "[run]\ncommand = a\ncommand.0 = b\n", "unknown key command.0" },
	{ "[run]\ncommand = a\ncommand.x = b\n", "unknown key command.x" },
	{ "[run]\ncommand = a\ncommand.-2 = b\n", "unknown key command.-2" },
	{ "[run]\ncommand = a\ncommand. = b\n", "unknown key command." },
	{ "[run]\ncommand = a\ncommand.100001 = b\n", "unknown key" },
	{ "[run]\ncommand = a\ncommand.2 = b\ncommand.2 = c\n", "given twice" },
	/* names */
	{ "[run]\ncommand = x\nname = \"a\tb\"\n", "printable" },
	{ "[run]\ncommand = x\nname = \"\x1b[2Jgotcha\"\n", "printable" },
	{ "[run]\ncommand = x\nname = \"del\x7f\"\n", "printable" },
	{ "[run]\ncommand = x\nname = \"bell\a\"\n", "printable" },
	{ "[run]\ncommand = x\nname =\n", "name must be 1 to 200" },
	{ "[run]\ncommand = x\nname = \"\"\n", "name must be 1 to 200" },
	/* cwd */
	{ "[run]\ncommand = x\ncwd = srv\n", "must be an absolute path" },
	{ "[run]\ncommand = x\ncwd = ~/work\n", "must be an absolute path" },
	{ "[run]\ncommand = x\ncwd = ./x\n", "must be an absolute path" },
	{ "[run]\ncommand = x\ncwd =\n", "must be an absolute path" },
	{ "[run]\ncommand = x\ncwd = \" /srv\"\n", "must be an absolute path" },
	/* [env] names */
	{ "[run]\ncommand = x\n[env]\n1FOO = a\n", "1FOO is not an environment "
	    "variable name" },
	{ "[run]\ncommand = x\n[env]\nFOO-BAR = a\n", "not an environment" },
	{ "[run]\ncommand = x\n[env]\nFOO.BAR = a\n", "not an environment" },
	{ "[run]\ncommand = x\n[env]\nFOO$ = a\n", "not an environment" },
	{ "[run]\ncommand = x\n[env]\n\xc3\xa9t\xc3\xa9 = a\n",
	    "not an environment" },
	{ "[run]\ncommand = x\n[env]\nA;B = a\n", "not an environment" },
	/* numbers */
	{ "[run]\ncommand = x\nretries = -1\n", "retries = -1: must be a whole "
	    "number from 0 to 1000" },
	{ "[run]\ncommand = x\nretries = 1001\n", "from 0 to 1000" },
	{ "[run]\ncommand = x\nretries = 3x\n", "retries = 3x" },
	{ "[run]\ncommand = x\nretries = 1.5\n", "whole number" },
	{ "[run]\ncommand = x\nretries = 0x10\n", "whole number" },
	{ "[run]\ncommand = x\nretries = many\n", "whole number" },
	{ "[run]\ncommand = x\nretries =\n", "whole number" },
	{ "[run]\ncommand = x\nretries = ; none\n", "whole number" },
	{ "[run]\ncommand = x\nretries = 99999999999999999999999\n",
	    "whole number" },
	{ "[run]\ncommand = x\nretry_delay = -1\n", "retry_delay = -1" },
	{ "[run]\ncommand = x\nretry_delay = 31536001\n", "from 0 to 31536000" },
	{ "[run]\ncommand = x\ntimeout = 0\n", "timeout = 0: must be a whole "
	    "number from 1 to 31536000" },
	{ "[run]\ncommand = x\ntimeout = -5\n", "timeout" },
	{ "[run]\ncommand = x\ntimeout = 31536001\n", "timeout" },
	{ "[run]\ncommand = x\ntimeout = None\n", "timeout" },
	{ "[run]\ncommand = x\ntimeout = 1h\n", "timeout" },
	{ "[run]\ncommand = x\nretries = \"3\" ; three\n", "not one quoted" },
	/* times */
	{ "[run]\ncommand = x\nscheduled = tomorrow\n", "scheduled = tomorrow: "
	    "not a time" },
	{ "[run]\ncommand = x\nscheduled =\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = 2026-11-28T14:00:00\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = 2026-11-28\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = 14:00\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = 2026-13-01T00:00:00Z\n", "not a "
	    "time" },
	{ "[run]\ncommand = x\nscheduled = 2026-02-29T00:00:00Z\n", "not a "
	    "time" },
	{ "[run]\ncommand = x\nscheduled = 2026-11-28T24:00:00Z\n", "not a "
	    "time" },
	{ "[run]\ncommand = x\nscheduled = 1969-12-31T23:59:59Z\n", "not a "
	    "time" },
	{ "[run]\ncommand = x\nscheduled = 1700000000\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = @\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = @-1\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = @1e9\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = +\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = +5x\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = +-5m\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = -5m\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = now+5m\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = NOW\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = \"now \"\n", "not a time" },
	{ "[run]\ncommand = x\nscheduled = +99999999999999d\n", "not a time" },
};

START_TEST(test_runfile_hostile)
{
	refuse(hostile[_i].text, hostile[_i].why);
}
END_TEST

/* the keys sluice adds on acceptance: never from a dropped file */
static const char *const internal[][2] = {
	{ "id", ID },
	{ "pool", "P" },
	{ "queue", "Q" },
	{ "created", "2026-11-28T14:00:00Z" },
	{ "owner_uid", "0" },
	{ "owner_gid", "0" },
	{ "attempt", "2" },
	{ "deployment", "etl" },
};

START_TEST(test_runfile_internal_keys)
{
	struct sl_buf b = { 0 };
	struct sl_runspec r;
	char	upper[32];
	size_t	i;

	sl_buf_printf(&b, "[run]\ncommand = x\n%s = %s\n", internal[_i][0],
	    internal[_i][1]);
	refuse_n(b.s, b.len, 0, "is set by sluice when it accepts");
	ck_assert_msg(strstr(err, internal[_i][0]) == err, "err: %s", err);
	/* whatever the case of the key */
	for (i = 0; internal[_i][0][i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)(internal[_i][0][i] >= 'a' &&
		    internal[_i][0][i] <= 'z' ? internal[_i][0][i] - 32 :
		    internal[_i][0][i]);
	upper[i] = '\0';
	sl_buf_free(&b);
	sl_buf_printf(&b, "[run]\ncommand = x\n%s = %s\n", upper,
	    internal[_i][1]);
	refuse_n(b.s, b.len, 0, "is set by sluice");
	/* a trusted file (one sluice wrote) may hold it */
	ck_assert_msg(parse_n(b.s, b.len, 1, &r) == 0, "trusted: %s", err);
	sl_runspec_free(&r);
	sl_buf_free(&b);
	/* and an [env] variable of that name is only a variable */
	sl_buf_printf(&b, "[run]\ncommand = x\n[env]\n%s = %s\n",
	    internal[_i][0], internal[_i][1]);
	ck_assert_msg(parse_n(b.s, b.len, 0, &r) == 0, "env: %s", err);
	ck_assert_uint_eq(r.nenv, 1);
	sl_runspec_free(&r);
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_runfile_trusted_reads_internal)
{
	static const char text[] =
	    "[run]\n"
	    "id = " ID "\n"
	    "pool = etl-pool\n"
	    "queue = critical\n"
	    "command = x\n"
	    "created = 2026-11-28T14:00:00Z\n"
	    "owner_uid = 1000\n"
	    "owner_gid = 100\n"
	    "attempt = 3\n"
	    "deployment = nightly\n";
	struct sl_runspec r;

	accept_ok(text, 1, &r);
	ck_assert_str_eq(r.id, ID);
	ck_assert_str_eq(r.pool, "etl-pool");
	ck_assert_str_eq(r.queue, "critical");
	ck_assert_int_eq(r.created, T1400);
	ck_assert_int_eq(r.owner_uid, 1000);
	ck_assert_int_eq(r.owner_gid, 100);
	ck_assert_int_eq(r.attempt, 3);
	ck_assert_str_eq(r.deployment, "nightly");
	sl_runspec_free(&r);
	/* out of range even when trusted */
	refuse_trusted("[run]\ncommand = x\nattempt = 0\n", "attempt = 0");
	refuse_trusted("[run]\ncommand = x\nowner_uid = -1\n", "owner_uid");
	refuse_trusted("[run]\ncommand = x\ncreated = soon\n", "created");
	/* deployment = none is no deployment */
	accept_ok("[run]\ncommand = x\ndeployment = none\n", 1, &r);
	ck_assert_ptr_null(r.deployment);
	sl_runspec_free(&r);
}
END_TEST

START_TEST(test_runfile_nul)
{
	static const char text[] = "[run]\ncommand = echo safe\0; rm -rf /\n";

	refuse_n(text, sizeof(text) - 1, 0, "NUL");
	refuse_n(text, sizeof(text) - 1, 1, "NUL");
	refuse_n("\0", 1, 0, "NUL");
	refuse_n("[run]\ncommand = x\n\0", 19, 0, "NUL");
}
END_TEST

/* a line iniparser would fail (over 1000 bytes) is refused, by number */
START_TEST(test_runfile_long_line)
{
	struct sl_buf b = { 0 };
	struct sl_runspec r;
	char	v[1100];

	/* "command = \"" + 987 + "\"" is 999 bytes: accepted */
	memset(v, 'x', 987);
	v[987] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = \"%s\"\n", v);
	accept_ok(b.s, 0, &r);
	ck_assert_uint_eq(strlen(r.command), 987);
	sl_runspec_free(&r);
	sl_buf_free(&b);
	/* 1000 bytes: the longest line */
	v[988] = '\0';
	v[987] = 'x';
	sl_buf_printf(&b, "[run]\ncommand = \"%s\"\n", v);
	ck_assert_uint_eq(b.len, 6 + 1000 + 1);
	accept_ok(b.s, 0, &r);
	sl_runspec_free(&r);
	sl_buf_free(&b);
	/* 1001 bytes */
	v[988] = 'x';
	v[989] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = \"%s\"\n", v);
	refuse_n(b.s, b.len, 0, "line 2 is longer than 1000 bytes");
	sl_buf_free(&b);
	/* a 1001-byte comment line too: iniparser would fail it */
	memset(v, ';', 1001);
	v[1001] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = x\n%s\n", v);
	refuse_n(b.s, b.len, 0, "line 3 is longer");
	sl_buf_free(&b);
	/* and one of blanks only */
	memset(v, ' ', 1001);
	sl_buf_printf(&b, "[run]\n%s\ncommand = x\n", v);
	refuse_n(b.s, b.len, 0, "line 2 is longer");
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_runfile_too_large)
{
	char   *text = sl_xmalloc(SL_INI_MAX + 2);
	size_t	n;

	/* a valid file, padded with comment lines to SL_INI_MAX + 1 */
	n = (size_t)snprintf(text, SL_INI_MAX, "[run]\ncommand = x\n");
	while (n < SL_INI_MAX + 1) {
		size_t	k = SL_INI_MAX + 1 - n > 80 ? 80 : SL_INI_MAX + 1 - n;

		memset(text + n, ';', k);
		text[n + k - 1] = '\n';
		n += k;
	}
	text[n] = '\0';
	ck_assert_uint_eq(n, SL_INI_MAX + 1);
	refuse_n(text, n, 0, "larger than 1 MiB");
	/* (sluice's own run.ini may be up to 2 MiB: its command is split in
	 * shorter pieces than a drop's; test_runfile_round_trip_largest_drop) */
	/* one byte less is a valid file */
	text[n - 2] = '\n';
	{
		struct sl_runspec r;

		ck_assert_msg(parse_n(text, n - 1, 0, &r) == 0, "1 MiB: %s", err);
		ck_assert_str_eq(r.command, "x");
		sl_runspec_free(&r);
	}
	free(text);
}
END_TEST

/* values at and past the limits a run.ini can store */
START_TEST(test_runfile_huge_values)
{
	struct sl_buf b = { 0 };
	struct sl_runspec r;
	char	v[1000];

	memset(v, 'n', sizeof(v));
	/* a name of 200 characters is the longest */
	v[200] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = x\nname = %s\n", v);
	accept_ok(b.s, 0, &r);
	ck_assert_uint_eq(strlen(r.name), 200);
	sl_runspec_free(&r);
	sl_buf_free(&b);
	v[200] = 'n';
	v[201] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = x\nname = %s\n", v);
	refuse_n(b.s, b.len, 0, "name must be 1 to 200 printable");
	sl_buf_free(&b);
	/* cwd and [env] values: 900 bytes, as run.ini holds them */
	memset(v, 'n', sizeof(v));
	v[0] = '/';
	v[900] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = x\ncwd = %s\n[env]\nA = \"%s\"\n", v,
	    v);
	accept_ok(b.s, 0, &r);
	ck_assert_uint_eq(strlen(r.cwd), 900);
	ck_assert_uint_eq(strlen(r.env[0]), 902);
	fill(&r);
	round_trip(&r);
	sl_runspec_free(&r);
	sl_buf_free(&b);
	v[900] = 'n';
	v[901] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = x\ncwd = %s\n", v);
	refuse_n(b.s, b.len, 0, "the cwd holds");
	sl_buf_free(&b);
	sl_buf_printf(&b, "[run]\ncommand = x\n[env]\nBIG = \"%s\"\n", v);
	refuse_n(b.s, b.len, 0, "the value of [env] BIG holds");
	sl_buf_free(&b);
	/* a long command on one line is fine: run.ini splits it */
	memset(v, 'c', 985);
	v[985] = '\0';
	sl_buf_printf(&b, "[run]\ncommand = \"%s\"\n", v);
	accept_ok(b.s, 0, &r);
	ck_assert_str_eq(r.command, v);
	fill(&r);
	round_trip(&r);
	sl_runspec_free(&r);
	sl_buf_free(&b);
}
END_TEST

/* ---- what is accepted ---- */

START_TEST(test_runfile_minimal)
{
	struct sl_runspec r;

	accept_ok("[run]\ncommand = echo hi\n", 0, &r);
	ck_assert_str_eq(r.command, "echo hi");
	ck_assert_ptr_null(r.name);
	ck_assert_int_eq(r.scheduled, NOW);	/* default: when accepted */
	ck_assert_int_eq(r.created, 0);
	ck_assert_int_eq(r.retries, 0);
	ck_assert_int_eq(r.retry_delay, 0);
	ck_assert_int_eq(r.timeout, 0);
	ck_assert_ptr_null(r.cwd);
	ck_assert_ptr_null(r.deployment);
	ck_assert_int_eq(r.attempt, 1);
	ck_assert_int_eq(r.owner_uid, -1);
	ck_assert_int_eq(r.owner_gid, -1);
	ck_assert_uint_eq(r.nenv, 0);
	ck_assert_ptr_null(r.env);
	ck_assert_str_eq(r.id, "");
	ck_assert_str_eq(r.pool, "");
	ck_assert_str_eq(r.queue, "");
	sl_runspec_free(&r);
	sl_runspec_free(&r);	/* freed specs are empty: twice is fine */
}
END_TEST

/* the example of sluice-run(5) (the contract's), as written there */
START_TEST(test_runfile_contract_example)
{
	static const char text[] =
	    "; command: run by /bin/sh -c (required)\n"
	    "; name: default a random adjective-animal name; scheduled: any "
	    "WHEN form, default when\n"
	    "; accepted; retries default 0; retry_delay seconds, default 0; "
	    "timeout seconds, default\n"
	    "; none; cwd default the owner's home directory\n"
	    "[run]\n"
	    "command     = /usr/local/bin/backup --full /srv\n"
	    "name        = nightly-backup\n"
	    "scheduled   = 2026-11-28T14:00:00Z\n"
	    "retries     = 2\n"
	    "retry_delay = 60\n"
	    "timeout     = 3600\n"
	    "cwd         = /srv\n"
	    "[env]\n"
	    "BACKUP_TARGET = s3://bucket/nightly\n";
	struct sl_runspec r;

	accept_ok(text, 0, &r);
	ck_assert_str_eq(r.command, "/usr/local/bin/backup --full /srv");
	ck_assert_str_eq(r.name, "nightly-backup");
	ck_assert_int_eq(r.scheduled, T1400);
	ck_assert_int_eq(r.retries, 2);
	ck_assert_int_eq(r.retry_delay, 60);
	ck_assert_int_eq(r.timeout, 3600);
	ck_assert_str_eq(r.cwd, "/srv");
	ck_assert_uint_eq(r.nenv, 1);
	ck_assert_str_eq(r.env[0], "BACKUP_TARGET=s3://bucket/nightly");
	fill(&r);
	round_trip(&r);
	sl_runspec_free(&r);
}
END_TEST

/* what the file may look like: case, blanks, quotes, comments, order */
START_TEST(test_runfile_forms)
{
	struct sl_runspec r;

	accept_ok("[Run]\nCommand = x\nNAME = n\n", 0, &r);
	ck_assert_str_eq(r.command, "x");
	ck_assert_str_eq(r.name, "n");
	sl_runspec_free(&r);
	accept_ok("  [ RUN ]  \n\tcommand\t=\tx y\t\n", 0, &r);
	ck_assert_str_eq(r.command, "x y");
	sl_runspec_free(&r);
	accept_ok("[run]\ncommand=x\n", 0, &r);
	ck_assert_str_eq(r.command, "x");
	sl_runspec_free(&r);
	/* in quotes anything but that quote goes, blanks kept */
	accept_ok("[run]\ncommand = \"  echo 'a;b' #c $HOME \\\\ = [x] \"\n", 0,
	    &r);
	ck_assert_str_eq(r.command, "  echo 'a;b' #c $HOME \\\\ = [x] ");
	sl_runspec_free(&r);
	accept_ok("[run]\ncommand = 'echo \"a;b\" # c'\n", 0, &r);
	ck_assert_str_eq(r.command, "echo \"a;b\" # c");
	sl_runspec_free(&r);
	/* quotes inside an unquoted value are the value's */
	accept_ok("[run]\ncommand = echo \"hi there\" 'x'\n", 0, &r);
	ck_assert_str_eq(r.command, "echo \"hi there\" 'x'");
	sl_runspec_free(&r);
	/* '=' in a value */
	accept_ok("[run]\ncommand = env A=b c==d\n", 0, &r);
	ck_assert_str_eq(r.command, "env A=b c==d");
	sl_runspec_free(&r);
	/* a backslash that is not last, and one inside quotes */
	accept_ok("[run]\ncommand = printf 'a\\nb'\nname = \"ends in \\\"\n",
	    0, &r);
	ck_assert_str_eq(r.command, "printf 'a\\nb'");
	ck_assert_str_eq(r.name, "ends in \\");
	sl_runspec_free(&r);
	/* comments and blank lines anywhere; sections may repeat */
	accept_ok("# top\n\n[env]\n; c\nA = 1\n[run]\n  # c\ncommand = x\n"
	    "[env]\nB = 2\n\n", 0, &r);
	ck_assert_str_eq(r.command, "x");
	ck_assert_uint_eq(r.nenv, 2);
	ck_assert_str_eq(r.env[0], "A=1");
	ck_assert_str_eq(r.env[1], "B=2");
	sl_runspec_free(&r);
	/* no newline at the end */
	accept_ok("[run]\ncommand = x", 0, &r);
	ck_assert_str_eq(r.command, "x");
	sl_runspec_free(&r);
	/* UTF-8 passes untouched */
	accept_ok("[run]\ncommand = echo \"h\xc3\xa9 \xe6\x97\xa5\"\n"
	    "name = caf\xc3\xa9\n", 0, &r);
	ck_assert_str_eq(r.command, "echo \"h\xc3\xa9 \xe6\x97\xa5\"");
	ck_assert_str_eq(r.name, "caf\xc3\xa9");
	sl_runspec_free(&r);
	/* name with blanks, and a name that says "none" is that name */
	accept_ok("[run]\ncommand = x\nname = \"nightly backup job\"\n", 0, &r);
	ck_assert_str_eq(r.name, "nightly backup job");
	sl_runspec_free(&r);
}
END_TEST

/* CRLF: accepted with every \r gone, never a \r in the command */
START_TEST(test_runfile_crlf)
{
	static const char *const texts[] = {
		"[run]\r\ncommand = echo hi\r\nname = n\r\n",
		"[run]\r\ncommand = \"echo hi\"\r\nname = 'n'\r\n",
		"[run]\r\ncommand = echo\r\ncommand.2 = \" hi\"\r\n[env]\r\n"
		    "A = b\r\n",
		"\r\n[run]\r\n\r\n; c\r\ncommand = echo hi\r\n",
	};
	struct sl_runspec r;
	size_t	i, j;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		accept_ok(texts[i], 0, &r);
		ck_assert_str_eq(r.command, "echo hi");
		ck_assert_ptr_null(strchr(r.command, '\r'));
		if (r.name != NULL)
			ck_assert_str_eq(r.name, "n");
		for (j = 0; j < r.nenv; j++)
			ck_assert_ptr_null(strchr(r.env[j], '\r'));
		sl_runspec_free(&r);
	}
	/* a lone CR is no line end: the whole file is one line */
	refuse("[run]\rcommand = echo hi\r", "a section must be");
}
END_TEST

/* every WHEN form of sluice-submit(1) --at; relative ones count from `now' */
static const struct {
	const char *v;
	time_t	want;
} when[] = {
	{ "2026-11-28T14:00:00Z", T1400 },
	{ "2026-11-28T14:00:00z", T1400 },
	{ "2026-11-28 14:00:00Z", T1400 },
	{ "2026-11-28T14:00Z", T1400 },
	{ "2026-11-28T14:00:00.75Z", T1400 },
	{ "2026-11-28T15:00:00+01:00", T1400 },
	{ "2026-11-28T15:00:00+0100", T1400 },
	{ "2026-11-28T08:30:00-05:30", T1400 },
	{ "\"2026-11-28T14:00:00Z\"", T1400 },
	{ "'2026-11-28T14:00:00Z'", T1400 },
	{ "2026-11-28T14:00:00Z ; 2pm UTC", T1400 },
	{ "2026-11-28T14:00:00Z# 2pm", T1400 },
	{ "@1795874400", T1400 },
	{ "@0", 0 },
	{ "now", NOW },
	{ "now ; at once", NOW },
	{ "+0", NOW },
	{ "+90", NOW + 90 },
	{ "+90s", NOW + 90 },
	{ "+5m", NOW + 300 },
	{ "+2h", NOW + 7200 },
	{ "+1d", NOW + 86400 },
	{ "+30d # a month", NOW + 30 * 86400 },
};

START_TEST(test_runfile_when)
{
	struct sl_runspec r;
	struct sl_buf b = { 0 };
	int	rel = when[_i].v[0] == '+' || strncmp(when[_i].v, "now", 3) == 0;

	sl_buf_printf(&b, "[run]\ncommand = x\nscheduled = %s\n", when[_i].v);
	accept_ok(b.s, 0, &r);
	ck_assert_int_eq(r.scheduled, when[_i].want);
	sl_runspec_free(&r);
	/* another now: relative forms move with it, absolute ones do not */
	err[0] = '\0';
	ck_assert_msg(sl_runspec_parse(b.s, b.len, NOW + 1000, 0, &r, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(r.scheduled, when[_i].want + (rel ? 1000 : 0));
	sl_runspec_free(&r);
	sl_buf_free(&b);
}
END_TEST

START_TEST(test_runfile_numbers)
{
	static const struct {
		const char *text;
		long	retries, delay, timeout;
	} ok[] = {
		{ "retries = 0\nretry_delay = 0\ntimeout = 1\n", 0, 0, 1 },
		{ "retries = 1000\nretry_delay = 31536000\ntimeout = 31536000\n",
		    1000, 31536000, 31536000 },
		{ "retries = 3 ; three\nretry_delay = 60# a minute\n"
		    "timeout = 3600 ;an hour\n", 3, 60, 3600 },
		{ "retries = \"2\"\nretry_delay = '5'\ntimeout = none\n", 2, 5, 0 },
		{ "timeout = none ; forever\n", 0, 0, 0 },
		{ "RETRIES = 7\n", 7, 0, 0 },
	};
	struct sl_runspec r;
	struct sl_buf b = { 0 };
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		sl_buf_printf(&b, "[run]\ncommand = x\n%s", ok[i].text);
		accept_ok(b.s, 0, &r);
		ck_assert_int_eq(r.retries, ok[i].retries);
		ck_assert_int_eq(r.retry_delay, ok[i].delay);
		ck_assert_int_eq(r.timeout, ok[i].timeout);
		sl_runspec_free(&r);
		sl_buf_free(&b);
	}
}
END_TEST

START_TEST(test_runfile_cwd)
{
	struct sl_runspec r;

	accept_ok("[run]\ncommand = x\ncwd = /\n", 0, &r);
	ck_assert_str_eq(r.cwd, "/");
	sl_runspec_free(&r);
	accept_ok("[run]\ncommand = x\ncwd = \"/srv/with space;#\"\n", 0, &r);
	ck_assert_str_eq(r.cwd, "/srv/with space;#");
	sl_runspec_free(&r);
	accept_ok("[run]\ncommand = x\ncwd = none\n", 0, &r);
	ck_assert_ptr_null(r.cwd);
	sl_runspec_free(&r);
}
END_TEST

START_TEST(test_runfile_env)
{
	static const char text[] =
	    "[run]\ncommand = x\n"
	    "[env]\n"
	    "Path_Var = /a:/b\n"
	    "lower = b\n"
	    "_X1 = \"c;d#e\"\n"
	    "URL = \"https://h/p?a=b&c=d\"\n"
	    "EMPTY =\n"
	    "QUOTED = 'say \"hi\"'\n"
	    "BLANKS = \"  x  \"\n";
	struct sl_runspec r;

	accept_ok(text, 0, &r);
	ck_assert_uint_eq(r.nenv, 7);
	/* in the file's order, names with their case */
	ck_assert_str_eq(r.env[0], "Path_Var=/a:/b");
	ck_assert_str_eq(r.env[1], "lower=b");
	ck_assert_str_eq(r.env[2], "_X1=c;d#e");
	ck_assert_str_eq(r.env[3], "URL=https://h/p?a=b&c=d");
	ck_assert_str_eq(r.env[4], "EMPTY=");
	ck_assert_str_eq(r.env[5], "QUOTED=say \"hi\"");
	ck_assert_str_eq(r.env[6], "BLANKS=  x  ");
	fill(&r);
	round_trip(&r);
	sl_runspec_free(&r);
}
END_TEST

START_TEST(test_runfile_command_parts)
{
	struct sl_runspec r;

	accept_ok("[run]\ncommand = \"echo \"\ncommand.2 = \"a;\"\n"
	    "command.3 = ' b'\n", 0, &r);
	ck_assert_str_eq(r.command, "echo a; b");
	sl_runspec_free(&r);
	/* in any order in the file */
	accept_ok("[run]\ncommand.3 = c\ncommand = a\n[env]\nX = 1\n[run]\n"
	    "command.2 = b\n", 0, &r);
	ck_assert_str_eq(r.command, "abc");
	sl_runspec_free(&r);
	/* an empty part is a part */
	accept_ok("[run]\ncommand = a\ncommand.2 =\ncommand.3 = c\n", 0, &r);
	ck_assert_str_eq(r.command, "ac");
	sl_runspec_free(&r);
	/* parts with different quote kinds make a command no one value can */
	accept_ok("[run]\ncommand = \"echo 'a' \"\ncommand.2 = '\"b\";'\n", 0,
	    &r);
	ck_assert_str_eq(r.command, "echo 'a' \"b\";");
	fill(&r);
	round_trip(&r);
	sl_runspec_free(&r);
}
END_TEST

/*
 * A part whose number is written "02" is neither refused nor joined when
 * command.2 is there too: the file says "a" "b" "c" and the run runs "ab".
 */
START_TEST(test_runfile_command_part_leading_zero)
{
	static const char *const texts[] = {
		"[run]\ncommand = echo a\ncommand.2 = b\ncommand.02 = \"; rm -f c\"\n",
		"[run]\ncommand = echo a\ncommand.2 = b\ncommand.+2 = c\n",
		"[run]\ncommand = echo a\ncommand.2 = b\ncommand.3 = c\n"
		    "command.003 = d\n",
	};
	struct sl_runspec r;
	int	rc;

	/* alone, such a part is refused too: it is not a part's name */
	refuse("[run]\ncommand = a\ncommand.02 = b\n", "command.02");
	rc = parse(texts[_i], 0, &r);
	ck_assert_msg(rc == -1, "accepted with a part dropped: command [%s]\n"
	    "--- text:\n%s", rc == 0 ? r.command : "", texts[_i]);
	ck_assert_msg(err[0] != '\0', "no reason");
}
END_TEST

/* ---- random input ---- */

/* random bytes: -1 or 0, never a crash, never an empty command */
START_TEST(test_runfile_random_bytes)
{
	uint64_t seed = 0x5eed0001ULL;
	char	buf[4096];
	struct sl_runspec r;
	int	i, rc, ok = 0;
	size_t	n, j;

	for (i = 0; i < 2000; i++) {
		n = rnd_below(&seed, sizeof(buf));
		for (j = 0; j < n; j++)
			buf[j] = (char)rnd(&seed);
		/* half of them start like a run file */
		if (i % 2 == 1 && n > 20)
			memcpy(buf, "[run]\ncommand = ", 16);
		rc = parse_n(buf, n, i % 3 == 0, &r);
		ck_assert_msg(rc == 0 || rc == -1, "buffer %d: rc %d", i, rc);
		if (rc < 0) {
			ck_assert_msg(err[0] != '\0', "buffer %d: no reason", i);
			ck_assert_ptr_null(r.command);
			continue;
		}
		ok++;
		ck_assert_msg(r.command != NULL && r.command[0] != '\0',
		    "buffer %d: accepted with no command", i);
		ck_assert_ptr_null(strpbrk(r.command, "\r\n"));
		sl_runspec_free(&r);
	}
	(void)ok;
}
END_TEST

/* one random line of a run file, built from fragments that matter to INI */
static void
random_line(uint64_t *s, struct sl_buf *b)
{
	static const char *const keys[] = {
		"command", "command", "command.2", "command.3", "Command", "name",
		"scheduled", "retries", "retry_delay", "timeout", "cwd", "A",
		"Path", "path", "_x", "id", "owner_uid", "k ey", "1X", "",
	};
	static const char *const secs[] = {
		"[run]", "[env]", "[RUN]", "[ env ]", "[other]", "[run", "[]",
	};
	static const char *const vals[] = {
		"echo hi", "/srv", "3", "now", "+5m", "2026-11-28T14:00:00Z",
		"none", "x;y", "a#b", "\"q\"", "'s'", "\"a'b\"", "'a\"b'", "\"",
		"'", "\\", " ", "\t", "\r", "=", "[x]", ";", "#", "\x01",
		"\xff", "$HOME", "0", "-1", "1001", "\"unterminated",
	};
	static const char *const tame[] = {
		"echo hi", "/srv", "3", "now", "+5m", " x", "y ", "ls -l",
	};
	size_t	k, i;

	switch (rnd_below(s, 8)) {
	case 0:
		sl_buf_puts(b, secs[rnd_below(s, sizeof(secs) / sizeof(secs[0]))]);
		break;
	case 1:
		sl_buf_puts(b, rnd_below(s, 2) ? "; comment" : "# comment");
		break;
	case 2:
		break;
	default:
		if (rnd_below(s, 4) == 0)
			sl_buf_add(b, " \t", rnd_below(s, 3));
		sl_buf_puts(b, keys[rnd_below(s, sizeof(keys) / sizeof(keys[0]))]);
		sl_buf_puts(b, rnd_below(s, 3) ? " = " : "=");
		k = rnd_below(s, 4);
		if (k == 1)
			sl_buf_add(b, "\"", 1);
		else if (k == 2)
			sl_buf_add(b, "'", 1);
		for (i = rnd_below(s, 3); i > 0; i--)
			sl_buf_puts(b, rnd_below(s, 2) ? tame[rnd_below(s,
			    sizeof(tame) / sizeof(tame[0]))] : vals[rnd_below(s,
			    sizeof(vals) / sizeof(vals[0]))]);
		if (k == 1 && rnd_below(s, 8))
			sl_buf_add(b, "\"", 1);
		else if (k == 2 && rnd_below(s, 8))
			sl_buf_add(b, "'", 1);
		break;
	}
	if (rnd_below(s, 20) == 0)
		sl_buf_add(b, "\r", 1);
	sl_buf_add(b, "\n", 1);
}

/*
 * Random run files from fragments: whatever is accepted has a command, and
 * is stored in run.ini and read back exactly (sl_runspec_render would
 * abort the acceptor on a value it cannot store).
 */
START_TEST(test_runfile_random_files)
{
	uint64_t seed = 0x5eed0002ULL + (uint64_t)_i;
	struct sl_runspec r;
	struct sl_buf b = { 0 };
	int	i, ok = 0;
	size_t	n;

	for (i = 0; i < 1000; i++) {
		sl_buf_puts(&b, "[run]\n");
		if (i % 2 == 0)
			sl_buf_puts(&b, "command = \"echo \"\n");
		for (n = rnd_below(&seed, 6); n > 0; n--)
			random_line(&seed, &b);
		if (parse_n(b.s, b.len, 0, &r) == 0) {
			ok++;
			ck_assert_msg(r.command[0] != '\0', "empty command:\n%s",
			    b.s);
			ck_assert_msg(strpbrk(r.command, "\r\n") == NULL,
			    "a CR or LF in the command:\n%s", b.s);
			fill(&r);
			round_trip(&r);
			sl_runspec_free(&r);
		} else
			ck_assert_msg(err[0] != '\0', "no reason:\n%s", b.s);
		sl_buf_free(&b);
	}
	ck_assert_msg(ok > 50, "only %d of 1000 accepted: fragments too "
	    "hostile", ok);
}
END_TEST

/*
 * A file of the largest allowed size must be read in bounded time: every
 * user who can drop a file can otherwise stall every acceptor (every
 * sluice command).  80,000 distinct [env] keys in just under 1 MiB.
 */
static int
parse_many_keys(void)
{
	struct sl_buf b = { 0 };
	struct sl_runspec r;
	int	i = 0, rc;

	sl_buf_puts(&b, "[run]\ncommand = x\n[env]\n");
	while (b.len < SL_INI_MAX - 64)
		sl_buf_printf(&b, "K%07d = v\n", i++);
	rc = parse_n(b.s, b.len, 0, &r);
	if (rc == 0)
		sl_runspec_free(&r);
	sl_buf_free(&b);
	return rc;
}

START_TEST(test_runfile_many_keys_no_hang)
{
	int	st;
	pid_t	pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);	/* not Check's handler */
		alarm(20);
		(void)parse_many_keys();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(!(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM),
	    "parsing a 1 MiB file of 80,000 [env] keys took over 20 s");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the child died (status %#x)", st);
}
END_TEST

/* ---- round trips ---- */

START_TEST(test_runfile_round_trip)
{
	static char *env[] = {
		"A=x;y#z", "Mixed_Case=it's", "Q=say \"hi\"", "BOTH=a\"b'c",
		"EMPTY=", "PAD=  p  ", "EQ=a=b", "U=h\xc3\xa9",
	};
	struct sl_runspec r;
	uint64_t seed = 0x5eed0003ULL;
	static const char pool[] = " \t;#\"'\\=[]$`x0\xc3\xa9";
	char   *cmd = sl_xmalloc(5001);
	size_t	i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 5000; i++)
		cmd[i] = pool[rnd_below(&seed, sizeof(pool) - 1)];
	cmd[5000] = '\0';
	fill(&r);
	r.name = "nightly backup job";
	r.command = cmd;
	r.scheduled = T1400;
	r.created = T1400 - 3600;
	r.retries = 3;
	r.retry_delay = 60;
	r.timeout = 3600;
	r.cwd = "/srv/it's here;#";
	r.deployment = "etl-nightly";
	r.attempt = 2;
	r.env = env;
	r.nenv = sizeof(env) / sizeof(env[0]);
	round_trip(&r);
	/* the fields that may be absent */
	r.name = NULL;
	r.cwd = NULL;
	r.deployment = NULL;
	r.timeout = 0;
	r.nenv = 0;
	r.env = NULL;
	round_trip(&r);
	/* the worst command for splitting: both quotes and ';' everywhere */
	for (i = 0; i < 5000; i++)
		cmd[i] = "\"';"[i % 3];
	round_trip(&r);
	/* blanks where a bare piece would lose them */
	for (i = 0; i < 5000; i++)
		cmd[i] = i % 7 == 0 ? '"' : i % 11 == 0 ? '\'' : ' ';
	round_trip(&r);
	/* and random commands of random lengths, any byte but CR and LF */
	for (i = 0; i < 300; i++) {
		size_t	n = 1 + rnd_below(&seed, 3000), j;

		for (j = 0; j < n; j++)
			do
				cmd[j] = (char)(1 + rnd_below(&seed, 255));
			while (cmd[j] == '\r' || cmd[j] == '\n');
		cmd[n] = '\0';
		r.scheduled = (time_t)rnd_below(&seed, 4102444800ULL);
		round_trip(&r);
	}
	free(cmd);
}
END_TEST

/*
 * Times the parser accepts must survive run.ini: an offset can put an
 * RFC 3339 time before 1970 and @EPOCH can be past year 9999, which
 * sl_time_fmt then writes in a form sl_time_parse refuses.
 */
static const char *const edge_times[] = {
	"1970-01-01T00:00:00+01:00",
	"1970-01-01T00:59:59+01:00",
	"@253402300800",			/* 10000-01-01T00:00:00Z */
	"9999-12-31T23:59:59-01:00",
};

START_TEST(test_runfile_round_trip_edge_times)
{
	struct sl_runspec r;
	struct sl_buf b = { 0 };

	sl_buf_printf(&b, "[run]\ncommand = x\nscheduled = %s\n",
	    edge_times[_i]);
	if (parse_n(b.s, b.len, 0, &r) == 0) {
		size_t	len;
		char   *text, t[64];
		struct sl_runspec back;

		fill(&r);
		text = sl_runspec_render(&r, &len);
		ck_assert_msg(parse_n(text, len, 1, &back) == 0,
		    "scheduled = %s was accepted (as %lld, written \"%s\") but "
		    "its run.ini is refused: %s", edge_times[_i],
		    (long long)r.scheduled, sl_time_fmt(r.scheduled, t,
		    sizeof(t)), err);
		ck_assert_int_eq(back.scheduled, r.scheduled);
		sl_runspec_free(&back);
		free(text);
		sl_runspec_free(&r);
	}
	sl_buf_free(&b);
}
END_TEST

/*
 * The largest command a drop can hold (just under 1 MiB, split over
 * command.N) must still fit in the run.ini sluice writes for it: a run.ini
 * over SL_INI_MAX cannot be read back (by the listing, by the claimer).
 */
START_TEST(test_runfile_round_trip_largest_drop)
{
	struct sl_buf b = { 0 };
	struct sl_runspec r, back;
	char	v[981], line[1100], *text;
	size_t	len;
	int	part, n;

	memset(v, 'a', 980);
	v[980] = '\0';
	sl_buf_puts(&b, "[run]\n");
	for (part = 1;; part++) {
		if (part == 1)
			n = snprintf(line, sizeof(line), "command=\"%s\"\n", v);
		else
			n = snprintf(line, sizeof(line), "command.%d=\"%s\"\n",
			    part, v);
		if (b.len + (size_t)n > SL_INI_MAX)
			break;
		sl_buf_puts(&b, line);
	}
	ck_assert_uint_le(b.len, SL_INI_MAX);
	ck_assert_msg(parse_n(b.s, b.len, 0, &r) == 0, "drop: %s", err);
	ck_assert_uint_eq(strlen(r.command), 980 * (size_t)(part - 1));
	fill(&r);
	text = sl_runspec_render(&r, &len);
	ck_assert_msg(parse_n(text, len, 1, &back) == 0, "a %zu-byte drop was "
	    "accepted, but its %zu-byte run.ini is refused: %s", b.len, len,
	    err);
	ck_assert_str_eq(back.command, r.command);
	sl_runspec_free(&back);
	free(text);
	sl_runspec_free(&r);
	sl_buf_free(&b);
}
END_TEST

/* ---- sl_ini_quote ---- */

START_TEST(test_runfile_ini_quote)
{
	static const struct {
		const char *v, *want;	/* want NULL: cannot be stored */
	} q[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "a;b#c", "\"a;b#c\"" },
		{ "it's", "\"it's\"" },
		{ "say \"hi\"", "'say \"hi\"'" },
		{ "\"hi\";", "'\"hi\";'" },
		{ "  pad  ", "\"  pad  \"" },
		{ "a\"b'c", "a\"b'c" },		/* both: bare, if nothing else */
		{ "a\"b'c;", NULL },
		{ "a\"b'c#d", NULL },
		{ "\"a'b", NULL },
		{ "'a\"b", NULL },
		{ " a\"b'", NULL },
		{ "a\"b' ", NULL },
		{ "a\"b'\t", NULL },
		{ "a\"b'\\", NULL },
		{ "a\nb", NULL },
		{ "a\rb", NULL },
		{ "\n", NULL },
		{ "\r", NULL },
	};
	struct sl_buf b = { 0 };
	struct sl_runspec r;
	char   *got, big[1000];
	size_t	i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		got = sl_ini_quote(q[i].v);
		if (q[i].want == NULL) {
			ck_assert_msg(got == NULL, "[%s] quoted as [%s]", q[i].v,
			    got);
			continue;
		}
		ck_assert_msg(got != NULL, "[%s] not quoted", q[i].v);
		ck_assert_str_eq(got, q[i].want);
		/* and it reads back as itself */
		sl_buf_printf(&b, "[run]\ncommand = x\n[env]\nV = %s\n", got);
		accept_ok(b.s, 0, &r);
		ck_assert_str_eq(r.env[0] + 2, q[i].v);
		sl_runspec_free(&r);
		sl_buf_free(&b);
		free(got);
	}
	/* 900 bytes is the most */
	memset(big, 'x', sizeof(big));
	big[900] = '\0';
	got = sl_ini_quote(big);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strlen(got), 902);
	free(got);
	big[900] = 'x';
	big[901] = '\0';
	ck_assert_ptr_null(sl_ini_quote(big));
	/* both quotes and a ';' in a short value */
	big[0] = '"';
	big[1] = '\'';
	big[2] = ';';
	big[3] = '\0';
	ck_assert_ptr_null(sl_ini_quote(big));
}
END_TEST

/* ---- sl_cmd_from_argv, through a run file and /bin/sh ---- */

static const char argv_src[] =
    "#include <string.h>\n"
    "#include <unistd.h>\n"
    "int main(int argc, char **argv) {\n"
    "	int i;\n"
    "	for (i = 1; i < argc; i++)\n"
    "		if (write(1, argv[i], strlen(argv[i]) + 1) < 0)\n"
    "			return 1;\n"
    "	return 0;\n"
    "}\n";

static char *helper_dir, *helper;

/* build_helper - compile the argv printer into a fresh directory */
static void
build_helper(void)
{
	struct sl_buf b = { 0 };
	char   *src;
	int	rc;

	helper_dir = t_tmpdir();
	src = sl_path(helper_dir, "argv.c", (char *)NULL);
	helper = sl_path(helper_dir, "argv", (char *)NULL);
	t_puts(src, argv_src);
	sl_buf_printf(&b, "cc -o '%s' '%s' </dev/null", helper, src);
	rc = system(b.s);
	ck_assert_msg(rc == 0, "cannot compile the argv printer: %s (%#x)",
	    b.s, rc);
	ck_assert(t_exists(helper));
	sl_buf_free(&b);
	free(src);
}

static void
drop_helper(void)
{
	sl_rmtree(helper_dir);
	free(helper_dir);
	free(helper);
}

/* sh_output - what /bin/sh -c cmd writes to stdout; exit status 0 */
static char *
sh_output(const char *cmd, size_t *len)
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", "HOME=/", NULL };
	char   *const argv[] = { "sh", "-c", (char *)cmd, NULL };
	struct sl_buf b = { 0 };
	char	buf[4096];
	ssize_t	n;
	int	fds[2], st;
	pid_t	pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], 1) < 0)
			_exit(126);
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		sl_buf_add(&b, buf, (size_t)n);
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "/bin/sh -c failed (status %#x) on: %.300s", st, cmd);
	*len = b.len;
	return b.s != NULL ? b.s : sl_xstrdup("");
}

/*
 * check_to_argv - sl_cmd_to_argv reads back exactly the vector of a
 * command sl_cmd_from_argv wrote, whenever that command needs no shell
 * (no byte made at run time; a first word without '='); else says -1.
 */
static void
check_to_argv(const char *cmd, int argc, char **argv, const char *what)
{
	const unsigned char *p;
	char  **v;
	int	n, i, plain = strchr(argv[0], '=') == NULL;

	for (i = 0; i < argc; i++)
		for (p = (const unsigned char *)argv[i]; *p; p++)
			if (*p == '"' || *p < 0x20 || *p == 0x7f)
				plain = 0;
	if (sl_cmd_to_argv(cmd, &v, &n) < 0) {
		ck_assert_msg(!plain, "%s: a plain vector was not read back "
		    "from %.300s", what, cmd);
		ck_assert_ptr_null(v);
		return;
	}
	ck_assert_msg(plain, "%s: read a vector from %.300s", what, cmd);
	ck_assert_int_eq(n, argc);
	for (i = 0; i < argc; i++)
		ck_assert_msg(strcmp(v[i], argv[i]) == 0, "%s: word %d is "
		    "[%s], not [%s]", what, i, v[i], argv[i]);
	ck_assert_ptr_null(v[argc]);
	free(v);
}

/*
 * check_vector - argv[0] is the helper: the command made of argv, stored
 * in a run file and read back, must give the helper exactly argv[1..].
 */
static void
check_vector(int argc, char **argv, const char *what)
{
	struct sl_runspec r, back;
	struct sl_buf want = { 0 };
	const unsigned char *p;
	char   *cmd, *text, *got;
	size_t	len, glen;
	int	i;

	cmd = sl_cmd_from_argv(argc, argv);
	ck_assert_ptr_nonnull(cmd);
	/* only what an INI double-quoted value can hold */
	for (p = (const unsigned char *)cmd; *p; p++)
		ck_assert_msg(*p != '"' && *p >= 0x20 && *p != 0x7f,
		    "%s: byte %#x in the command", what, *p);
	memset(&r, 0, sizeof(r));
	fill(&r);
	r.command = cmd;
	r.attempt = 1;
	text = sl_runspec_render(&r, &len);
	ck_assert_msg(parse_n(text, len, 1, &back) == 0, "%s: %s", what, err);
	ck_assert_msg(strcmp(back.command, cmd) == 0, "%s: the command "
	    "changed in the run file", what);
	free(text);
	for (i = 1; i < argc; i++)
		sl_buf_add(&want, argv[i], strlen(argv[i]) + 1);
	got = sh_output(back.command, &glen);
	ck_assert_msg(glen == want.len && (glen == 0 ||
	    memcmp(got, want.s, glen) == 0), "%s: the program got %zu bytes "
	    "of arguments, not the %zu given; command: %.400s", what, glen,
	    want.len, cmd);
	free(got);
	sl_buf_free(&want);
	check_to_argv(back.command, argc, argv, what);
	sl_runspec_free(&back);
	free(cmd);
}

/* commands written by hand: which need the shell, and the words of those
 * that do not */
START_TEST(test_runfile_cmd_to_argv_hand)
{
	static const struct {
		const char *cmd;
		const char *words;	/* joined by '|'; NULL: the shell's */
	} t[] = {
		{ "true", "true" },
		{ "  /usr/bin/env  -i  A=1 ", "/usr/bin/env|-i|A=1" },
		{ "exec backup --to /srv/b", "backup|--to|/srv/b" },
		{ "exec 'a b' '' x'y'z \\'q", "a b||xyz|'q" },
		{ "echo $HOME", NULL }, { "a; b", NULL }, { "a | b", NULL },
		{ "a > f", NULL }, { "a && b", NULL }, { "FOO=1 env", NULL },
		{ "ls *.c", NULL }, { "cd ~", NULL }, { "echo \"x\"", NULL },
		{ "echo 'unterminated", NULL }, { "a\\b", NULL },
		{ "exec", NULL }, { "", NULL }, { "   ", NULL },
		{ "IFS=;v042=$(printf '\\042.');exec x", NULL },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sl_buf b = { 0 };
		char  **v;
		int	n, j;

		if (sl_cmd_to_argv(t[i].cmd, &v, &n) < 0) {
			ck_assert_msg(t[i].words == NULL, "[%s] needs the shell",
			    t[i].cmd);
			continue;
		}
		ck_assert_msg(t[i].words != NULL, "[%s] read as a vector",
		    t[i].cmd);
		for (j = 0; j < n; j++)
			sl_buf_printf(&b, "%s%s", j ? "|" : "", v[j]);
		ck_assert_str_eq(b.s ? b.s : "", t[i].words);
		sl_buf_free(&b);
		free(v);
	}
}
END_TEST

/* sl_cmd_program: the paths a plain command's process tries, in order,
 * from the run's PATH (every absolute entry up to the first relative or
 * empty one, each once); NULL where the shell must run the command.  It
 * looks at nothing: what is there is the exec's to find (agent_exec) */
static void
cands_are(const char *cmd, char **env, const char *want, const char *argv0)
{
	struct sl_buf b = { 0 };
	char   *c = NULL, **v = NULL, *p;

	c = sl_cmd_program(cmd, env, &v);
	ck_assert_msg(c != NULL, "%s: no paths", cmd);
	for (p = c; *p != '\0'; p += strlen(p) + 1)
		sl_buf_printf(&b, "%s%s", b.len ? "|" : "", p);
	ck_assert_str_eq(b.s, want);
	ck_assert_str_eq(v[0], argv0);
	sl_buf_free(&b);
	free(c);
	free(v);
}

START_TEST(test_runfile_cmd_program)
{
	char   *d = t_tmpdir(), path[600], want[1400], **v;
	char   *env[] = { path, "HOME=/", NULL }, *noenv[] = { NULL };
	char   *c;

	snprintf(path, sizeof(path), "PATH=/nonexistent:%s:/nonexistent:%s",
	    d, d);
	snprintf(want, sizeof(want), "/nonexistent/prog|%s/prog", d);
	cands_are("exec prog 'a b'", env, want, "prog");
	c = sl_cmd_program("exec prog 'a b'", env, &v);
	ck_assert_str_eq(v[0], "prog");
	ck_assert_str_eq(v[1], "a b");
	ck_assert_ptr_null(v[2]);
	free(c);
	free(v);
	cands_are("/bin/true x", noenv, "/bin/true", "/bin/true");
	snprintf(path, sizeof(path), "PATH=%s:bin:/usr/bin", d);
	snprintf(want, sizeof(want), "%s/nosuchprog", d);
	cands_are("nosuchprog", env, want, "nosuchprog");
	snprintf(path, sizeof(path), "PATH=%s::/usr/bin", d);
	snprintf(want, sizeof(want), "%s/prog", d);
	cands_are("prog", env, want, "prog");
	/* the shell's: a shell word, a relative path, no PATH, a relative
	 * or empty first PATH entry, syntax */
	snprintf(path, sizeof(path), "PATH=%s", d);
	ck_assert_ptr_null(sl_cmd_program("cd /", env, &v));
	ck_assert_ptr_null(v);
	ck_assert_ptr_null(sl_cmd_program("echo x", env, &v));
	ck_assert_ptr_null(sl_cmd_program("exit 3", env, &v));
	ck_assert_ptr_null(sl_cmd_program("./prog", env, &v));
	ck_assert_ptr_null(sl_cmd_program("prog", noenv, &v));
	ck_assert_ptr_null(sl_cmd_program("prog > out", env, &v));
	ck_assert_ptr_null(v);
	snprintf(path, sizeof(path), "PATH=bin:%s", d);
	ck_assert_ptr_null(sl_cmd_program("prog", env, &v));
	snprintf(path, sizeof(path), "PATH=:%s", d);
	ck_assert_ptr_null(sl_cmd_program("prog", env, &v));
	ck_assert_ptr_null(v);
	sl_rmtree(d);
	free(d);
}
END_TEST


START_TEST(test_runfile_cmd_from_argv_nasty)
{
	static const char *const nasty[] = {
		"", " ", "  two  blanks  ", "'", "\"", "''", "\"\"", "a'b\"c",
		"'\"'\"'", "\\", "\\'", "\\\"", "\\\\n", "$HOME", "${HOME}",
		"$(id)", "`id`", "$((1+1))", "$1", "$@", "$*", "$#", "$?", "$$",
		"*", "?", "[a]", "~", "~root", "a b", ";", "#", "# no comment",
		"&&", "||", "|", "&", "<", ">", ">>", "<<EOF", "!", "!!",
		"{a,b}", "-n", "-e", "--", "-", "%s%n%d", "a=b", "FOO=bar",
		"IFS", "IFS=x", "${v042}", "$v042", "v042", "exec", "if",
		"\t", "\n", "\r\n", "\n\n", "x\n", "\x01", "\x1f", "\x7f",
		"\x1b[31mred", "\x80", "\xff", "\xfe\xff",
		"h\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "\"';\\\n#$`",
		".", "..", "/", "./x", "=", "@", "%", "+", ",", ":", "_",
	};
	char   *argv[3], longarg[5001];
	size_t	i;

	build_helper();
	argv[0] = helper;
	check_vector(1, argv, "no arguments");
	for (i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
		char	what[64];

		argv[1] = (char *)nasty[i];
		snprintf(what, sizeof(what), "nasty[%zu]", i);
		check_vector(2, argv, what);
		argv[2] = (char *)nasty[(i + 7) % (sizeof(nasty) /
		    sizeof(nasty[0]))];
		check_vector(3, argv, what);
	}
	/* all of them at once */
	{
		char  **all = sl_xmalloc((sizeof(nasty) / sizeof(nasty[0]) + 1) *
		    sizeof(*all));

		all[0] = helper;
		for (i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++)
			all[i + 1] = (char *)nasty[i];
		check_vector((int)i + 1, all, "all nasty");
		free(all);
	}
	/* every byte 1..255, one argument each and all in one */
	for (i = 1; i < 256; i++) {
		char	one[2] = { (char)i, '\0' }, what[32];

		argv[1] = one;
		snprintf(what, sizeof(what), "byte %#zx", i);
		check_vector(2, argv, what);
		longarg[i - 1] = (char)i;
	}
	longarg[255] = '\0';
	argv[1] = longarg;
	check_vector(2, argv, "bytes 1..255");
	/* long arguments, longer than a run file line */
	memset(longarg, 'x', 5000);
	longarg[5000] = '\0';
	argv[1] = longarg;
	check_vector(2, argv, "5000 x");
	for (i = 0; i < 5000; i++)
		longarg[i] = "\"'\n;# $\\"[i % 8];
	check_vector(2, argv, "5000 mixed");
	drop_helper();
}
END_TEST

/* 500 random vectors (5 x 100), any byte 1..255, empty and long ones */
START_TEST(test_runfile_cmd_from_argv_random)
{
	uint64_t seed = 0x5eed0100ULL + (uint64_t)_i;
	char   *argv[10];
	int	v, argc, k, nlong;
	size_t	n, j;

	build_helper();
	argv[0] = helper;
	for (v = 0; v < 100; v++) {
		char	what[64];

		argc = 1 + (int)rnd_below(&seed, 9);
		nlong = 0;
		for (k = 1; k < argc; k++) {
			switch (rnd_below(&seed, 10)) {
			case 0:
				n = 0;
				break;
			case 1:
				n = nlong++ < 2 ? 900 + rnd_below(&seed, 3000) :
				    rnd_below(&seed, 40);
				break;
			default:
				n = 1 + rnd_below(&seed, 40);
				break;
			}
			argv[k] = sl_xmalloc(n + 1);
			for (j = 0; j < n; j++)
				argv[k][j] = (char)(1 + rnd_below(&seed, 255));
			argv[k][n] = '\0';
		}
		snprintf(what, sizeof(what), "vector %d of seed %d", v, _i);
		check_vector(argc, argv, what);
		for (k = 1; k < argc; k++)
			free(argv[k]);
	}
	drop_helper();
}
END_TEST

/* the examples of sluice-run(5), as written there */
START_TEST(test_runfile_man_examples)
{
	static const char hard[] = "[run]\ncommand = \"IFS=;q=$(printf "
	    "'\\042.');q=${q%.};exec echo 'say '${q}'hi'${q}'; it'\\''s'\"\n";
	struct sl_runspec r;
	size_t	len;
	char   *out;

	/* "Writing any command": both quotes and ';', made by the shell */
	accept_ok(hard, 0, &r);
	out = sh_output(r.command, &len);
	ck_assert_str_eq(out, "say \"hi\"; it's\n");
	free(out);
	sl_runspec_free(&r);
	accept_ok("[run]\ncommand = \"echo a; echo b # c\"\n", 0, &r);
	ck_assert_str_eq(r.command, "echo a; echo b # c");
	sl_runspec_free(&r);
	accept_ok("[run]\ncommand = 'echo \"hi\"'\n", 0, &r);
	ck_assert_str_eq(r.command, "echo \"hi\"");
	sl_runspec_free(&r);
	accept_ok("[run]\ncommand = echo \"hi\"\nretries = 2; two more tries\n",
	    0, &r);
	ck_assert_str_eq(r.command, "echo \"hi\"");
	ck_assert_int_eq(r.retries, 2);
	sl_runspec_free(&r);
	/* EXAMPLES */
	accept_ok("[run]\ncommand = \"pg_dump etl > /srv/etl.sql; gzip -f "
	    "/srv/etl.sql\"\n", 0, &r);
	ck_assert_str_eq(r.command, "pg_dump etl > /srv/etl.sql; gzip -f "
	    "/srv/etl.sql");
	sl_runspec_free(&r);
	refuse("[run]\ncommand = date; uptime\n", "line 2: the value of "
	    "command holds ';' outside quotes, where INI would cut it short; "
	    "put the value in double quotes");
}
END_TEST


/* ---- accepted must be runnable (issue 10 item 8) ---- */

/*
 * storable_or_refused - the invariant the acceptor and submit keep: a run
 * that passes (the drop parser, or sl_runspec_check for a submitted one)
 * renders to a run.ini the trusted parser reads back as the same run.
 * r is complete (fill); refused: whether it was refused, with a reason.
 */
static int
storable_or_refused(struct sl_runspec *r)
{
	struct sl_runspec back;
	size_t	len;
	char   *text;

	err[0] = '\0';
	if (sl_runspec_check(r, err, sizeof(err)) < 0) {
		ck_assert_msg(err[0] != '\0', "refused without a reason");
		return 1;
	}
	text = sl_runspec_render(r, &len);
	ck_assert_msg(sl_runspec_parse(text, len, 0, 1, &back, err,
	    sizeof(err)) == 0, "accepted, but its run.ini (%zu bytes) is "
	    "unreadable: %s", len, err);
	same(r, &back);
	sl_runspec_free(&back);
	free(text);
	return 0;
}

/* drop_then_store - a dropped text: refused, or accepted and storable */
static int
drop_then_store(const char *text, size_t len)
{
	struct sl_runspec r;
	int	refused;

	if (parse_n(text, len, 0, &r) < 0) {
		ck_assert_msg(err[0] != '\0', "refused without a reason");
		return 1;
	}
	fill(&r);
	refused = storable_or_refused(&r);
	sl_runspec_free(&r);
	return refused;
}

/* an [env] line of 997 to 999 bytes in a drop was a 1,001-byte line */
START_TEST(test_runfile_env_line_fits)
{
	struct sl_buf b = { 0 };
	int	line = 997 + _i, refused;

	/* NAME=VALUE with a 900-byte value, the most a value may hold */
	sl_buf_puts(&b, "[run]\ncommand = true\n[env]\n");
	sl_buf_printf(&b, "%.*s=", line - 901, "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	    "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"
	    "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN");
	for (int i = 0; i < 900; i++)
		sl_buf_add(&b, "v", 1);
	sl_buf_add(&b, "\n", 1);
	refused = drop_then_store(b.s, b.len);
	if (refused)
		ck_assert_msg(strstr(err, "too long for one line") != NULL,
		    "reason: %s", err);
	sl_buf_free(&b);
}
END_TEST

/* a drop with 4,096 keys rendered to 4,107: accepted, then unreadable */
START_TEST(test_runfile_max_keys_storable)
{
	struct sl_buf b = { 0 };
	int	i;

	sl_buf_puts(&b, "[run]\ncommand = true\n[env]\n");
	for (i = 1; i < 4096; i++)
		sl_buf_printf(&b, "K%d=v\n", i);
	ck_assert_int_eq(drop_then_store(b.s, b.len), 0);
	/* and one more key is refused, by the drop's own limit */
	sl_buf_puts(&b, "K0=v\n");
	ck_assert_int_eq(drop_then_store(b.s, b.len), 1);
	ck_assert_msg(strstr(err, "more than 4096 keys") != NULL, "%s", err);
	sl_buf_free(&b);
}
END_TEST

/* `sluice submit --env N...(300)=v`: an id, then "run.ini unreadable" */
START_TEST(test_runfile_long_env_name)
{
	static char *argv[] = { "true" };
	struct sl_runspec r;
	char	e[400];

	memset(&r, 0, sizeof(r));
	fill(&r);
	r.attempt = 1;
	r.command = sl_cmd_from_argv(1, argv);
	memset(e, 'N', 300);
	snprintf(e + 300, sizeof(e) - 300, "=v");
	r.env = sl_xmalloc(sizeof(*r.env));
	r.env[r.nenv++] = sl_xstrdup(e);
	ck_assert_int_eq(storable_or_refused(&r), 1);
	ck_assert_msg(strstr(err, "too long") != NULL, "%s", err);
	/* 200 bytes is the limit of a key name, in a drop and in run.ini */
	r.env[0][200] = '=';
	r.env[0][201] = 'v';
	r.env[0][202] = '\0';
	ck_assert_int_eq(storable_or_refused(&r), 0);
	sl_runspec_free(&r);
	/* and a drop with such a name is refused when read, with why */
	{
		struct sl_buf b = { 0 };

		sl_buf_puts(&b, "[run]\ncommand = true\n[env]\n");
		sl_buf_printf(&b, "%.300s=v\n", e);
		ck_assert_int_eq(drop_then_store(b.s, b.len), 1);
		ck_assert_msg(strstr(err, "over 200 bytes") != NULL, "%s", err);
		sl_buf_free(&b);
	}
}
END_TEST

/* a command vector of 330 KB of control bytes rendered to 2.36 MB */
START_TEST(test_runfile_submit_too_large)
{
	struct sl_runspec r;
	char   *arg = sl_xmalloc(330001), *argv[2];
	size_t	i;

	for (i = 0; i < 330000; i++)
		arg[i] = (char)(1 + i % 31);
	arg[330000] = '\0';
	argv[0] = "printf";
	argv[1] = arg;
	memset(&r, 0, sizeof(r));
	fill(&r);
	r.attempt = 1;
	r.command = sl_cmd_from_argv(2, argv);
	ck_assert_uint_gt(strlen(r.command), 2 * SL_INI_MAX);
	ck_assert_int_eq(storable_or_refused(&r), 1);
	ck_assert_msg(strstr(err, "over the 2 MiB") != NULL, "%s", err);
	/* one tenth of it is fine */
	arg[33000] = '\0';
	free(r.command);
	r.command = sl_cmd_from_argv(2, argv);
	ck_assert_int_eq(storable_or_refused(&r), 0);
	sl_runspec_free(&r);
	free(arg);
}
END_TEST

/* a command that alternates quotes needs a key per byte: refused, fast */
START_TEST(test_runfile_quote_storm)
{
	struct sl_buf b = { 0 };
	int	i, j;

	/* parts like x"'"'... : bare in a drop, one key per byte stored */
	sl_buf_puts(&b, "[run]\ncommand = true\n");
	for (i = 2; i <= 1000; i++) {
		sl_buf_printf(&b, "command.%d = x", i);
		for (j = 0; j < 980; j++)
			sl_buf_add(&b, j % 2 ? "'" : "\"", 1);
		sl_buf_add(&b, "\n", 1);
	}
	ck_assert_uint_le(b.len, SL_INI_MAX);
	ck_assert_int_eq(drop_then_store(b.s, b.len), 1);
	ck_assert_msg(strstr(err, "keys") != NULL, "%s", err);
	sl_buf_free(&b);
}
END_TEST

/* parse errors quote the file: made printable (issue 10 item 10) */
START_TEST(test_runfile_reason_printable)
{
	static const char *const bad[] = {
		"[run]\ncommand = x\nX\033c\rY = 1\n",
		"[run]\ncommand = x\nscheduled = \033]0;owned\007\n",
		"[run]\ncommand = x\n[env]\nA\x9b" "31m = v\n",
		"[run]\ncommand = x\nk\xff\xfe\xc3 = 1\n",
	};
	const char *p;

	refuse(bad[_i], NULL);
	for (p = err; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f &&
		    (unsigned char)*p < 0x80, "byte %#x in the reason: %s",
		    (unsigned char)*p, err);
	if (_i == 0)
		ck_assert_msg(strstr(err, "X\\x1Bc\\x0DY") != NULL,
		    "%s", err);
}
END_TEST

Suite *
suite_runfile(void)
{
	Suite  *s = suite_create("runfile");
	TCase  *tc = tcase_create("hostile");
	TCase  *ok = tcase_create("accepted");
	TCase  *rt = tcase_create("round trips");
	TCase  *argv = tcase_create("argv");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_loop_test(tc, test_runfile_hostile, 0,
	    (int)(sizeof(hostile) / sizeof(hostile[0])));
	tcase_add_loop_test(tc, test_runfile_internal_keys, 0,
	    (int)(sizeof(internal) / sizeof(internal[0])));
	tcase_add_test(tc, test_runfile_nul);
	tcase_add_test(tc, test_runfile_long_line);
	tcase_add_test(tc, test_runfile_too_large);
	tcase_add_test(tc, test_runfile_huge_values);
	tcase_add_loop_test(tc, test_runfile_command_part_leading_zero, 0, 3);
	tcase_add_test(tc, test_runfile_random_bytes);
	tcase_add_loop_test(tc, test_runfile_random_files, 0, 2);
	tcase_add_test(tc, test_runfile_many_keys_no_hang);
	suite_add_tcase(s, tc);

	tcase_set_timeout(ok, T_TIMEOUT);
	tcase_add_test(ok, test_runfile_minimal);
	tcase_add_test(ok, test_runfile_contract_example);
	tcase_add_test(ok, test_runfile_forms);
	tcase_add_test(ok, test_runfile_crlf);
	tcase_add_loop_test(ok, test_runfile_when, 0,
	    (int)(sizeof(when) / sizeof(when[0])));
	tcase_add_test(ok, test_runfile_numbers);
	tcase_add_test(ok, test_runfile_cwd);
	tcase_add_test(ok, test_runfile_env);
	tcase_add_test(ok, test_runfile_command_parts);
	tcase_add_test(ok, test_runfile_trusted_reads_internal);
	suite_add_tcase(s, ok);

	tcase_set_timeout(rt, T_TIMEOUT);
	tcase_add_test(rt, test_runfile_round_trip);
	tcase_add_loop_test(rt, test_runfile_round_trip_edge_times, 0,
	    (int)(sizeof(edge_times) / sizeof(edge_times[0])));
	tcase_add_test(rt, test_runfile_round_trip_largest_drop);
	tcase_add_test(rt, test_runfile_ini_quote);
	tcase_add_loop_test(rt, test_runfile_env_line_fits, 0, 3);
	tcase_add_test(rt, test_runfile_max_keys_storable);
	tcase_add_test(rt, test_runfile_long_env_name);
	tcase_add_test(rt, test_runfile_submit_too_large);
	tcase_add_test(rt, test_runfile_quote_storm);
	tcase_add_loop_test(rt, test_runfile_reason_printable, 0, 4);
	suite_add_tcase(s, rt);

	/* each vector runs /bin/sh: slow under SAN=1 on a busy machine */
	tcase_set_timeout(argv, 4 * T_TIMEOUT);
	tcase_add_test(argv, test_runfile_man_examples);
	tcase_add_test(argv, test_runfile_cmd_from_argv_nasty);
	tcase_add_test(argv, test_runfile_cmd_to_argv_hand);
	tcase_add_test(argv, test_runfile_cmd_program);
	tcase_add_loop_test(argv, test_runfile_cmd_from_argv_random, 0, 5);
	suite_add_tcase(s, argv);
	return s;
}
