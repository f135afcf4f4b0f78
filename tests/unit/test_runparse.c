/*
 * test_runparse.c - the run file parser (lib/runfile.c) against hostile
 * input, its round trips, and the naming and ordering of runs (lib/run.c
 * tokens).  A parser that accepts must never have changed the command.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static int
parse(const char *text, size_t len, int trusted, struct sl_runspec *r,
    char *err)
{
	return sl_runspec_parse(text, len, 1000000, trusted, r, err, SL_ERR_MAX);
}

/* each must be refused, with a reason, and not crash */
static const char *const hostile[] = {
	"",
	"; only a comment\n",
	"command = x\n",				/* no section */
	"[run]\n",					/* no command */
	"[run]\ncommand =\n",
	"[other]\ncommand = x\n",
	"[run]\ncommand = x\nfrobnicate = 1\n",
	"[run]\ncommand = echo a; rm -rf /\n",
	"[run]\ncommand = echo a # b\n",
	"[run]\ncommand = \"echo a\" trailing\n",
	"[run]\ncommand = \"unterminated\n",
	"[run]\ncommand = \"a\"b\"\n",
	"[run]\ncommand = echo \\\n",
	"[run]\ncommand = x\ncommand = y\n",
	"[run]\ncommand = x\nCOMMAND = y\n",
	"[run]\ncommand = x\nscheduled = tomorrow\n",
	"[run]\ncommand = x\nscheduled = 2026-11-28T14:00:00\n",
	"[run]\ncommand = x\nscheduled = 2026-02-30T00:00:00Z\n",
	"[run]\ncommand = x\nretries = -1\n",
	"[run]\ncommand = x\nretries = lots\n",
	"[run]\ncommand = x\ntimeout = 0\n",
	"[run]\ncommand = x\ncwd = relative/dir\n",
	"[run]\ncommand = x\ncwd = /a;b\n",
	"[run]\ncommand = x\nname = a;b\n",
	"[run]\ncommand = x\nname = \"tab\there\"\n",
	"[run]\ncommand = x\n[env]\nBAD-NAME = 1\n",
	"[run]\ncommand = x\n[env]\nA = 1\na = 2\n",
	"[run]\ncommand = x\n[env]\nA = x;y\n",
	"[run]\ncommand = x\nowner_uid = 0\n",
	"[run]\ncommand = x\nid = 00000000-0000-4000-8000-000000000000\n",
	"[run]\ncommand = x\npool = p\n",
	"[run]\ncommand = x\nattempt = 2\n",
	"[run]\ncommand = a\ncommand.3 = c\n",
	"[run]\ncommand = \"a\rb\"\n",
	"[run\ncommand = x\n",
	"just some words\n",
};

START_TEST(test_hostile)
{
	struct sl_runspec r;
	char	err[SL_ERR_MAX] = "";

	ck_assert_msg(parse(hostile[_i], strlen(hostile[_i]), 0, &r, err) < 0,
	    "accepted: %s", hostile[_i]);
	ck_assert_msg(err[0] != '\0', "no reason for: %s", hostile[_i]);
}
END_TEST

START_TEST(test_nul_and_size)
{
	struct sl_runspec r;
	char	err[SL_ERR_MAX], *big;
	static const char nul[] = "[run]\ncommand = a\0b\n";

	ck_assert_int_lt(parse(nul, sizeof(nul) - 1, 0, &r, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	big = malloc(SL_INI_MAX + 2);
	memset(big, '#', SL_INI_MAX + 1);
	big[SL_INI_MAX + 1] = '\0';
	ck_assert_int_lt(parse(big, SL_INI_MAX + 1, 0, &r, err), 0);
	free(big);
	big = malloc(1200);
	strcpy(big, "[run]\ncommand = ");
	memset(big + 16, 'x', 1100);
	big[1116] = '\0';
	ck_assert_int_lt(parse(big, strlen(big), 0, &r, err), 0);
	ck_assert_ptr_nonnull(strstr(err, "longer"));
	free(big);
}
END_TEST

/* random junk: must return, never crash; when it accepts, a command */
START_TEST(test_random_junk)
{
	struct sl_runspec r;
	char	err[SL_ERR_MAX], buf[512];
	unsigned int seed = 20261128;
	int	i, n, j;

	for (i = 0; i < 2000; i++) {
		n = (int)(rand_r(&seed) % sizeof(buf));
		for (j = 0; j < n; j++)
			buf[j] = (char)(rand_r(&seed) % 4 ? "[run]\ncomad=;#\"' x\\\r"[rand_r(&seed) % 21] :
			    rand_r(&seed) % 256);
		if (i % 3 == 0 && n > 14)
			memcpy(buf, "[run]\ncommand=", 14);
		if (parse(buf, (size_t)n, 0, &r, err) == 0) {
			ck_assert(r.command != NULL && r.command[0] != '\0');
			ck_assert(strpbrk(r.command, "\r\n") == NULL);
			sl_runspec_free(&r);
		}
	}
}
END_TEST

/* what people may write, read exactly */
START_TEST(test_accepted_exactly)
{
	struct sl_runspec r;
	char	err[SL_ERR_MAX];
	static const char text[] =
	    "; a comment\n[RUN]\nCommand = \"echo a; b # c\"\n"
	    "name = 'say \"hi\"'\nretries = 2 ; two\ntimeout = 60\n"
	    "scheduled = +5m\ncwd = /srv\n[env]\nBackup_Target = s3://x\n";

	ck_assert_int_eq(parse(text, strlen(text), 0, &r, err), 0);
	ck_assert_str_eq(r.command, "echo a; b # c");
	ck_assert_str_eq(r.name, "say \"hi\"");
	ck_assert_int_eq(r.retries, 2);
	ck_assert_int_eq(r.timeout, 60);
	ck_assert_int_eq(r.scheduled, 1000000 + 300);
	ck_assert_str_eq(r.cwd, "/srv");
	ck_assert_uint_eq(r.nenv, 1);
	ck_assert_str_eq(r.env[0], "Backup_Target=s3://x");
	sl_runspec_free(&r);
	/* both kinds of quote, unquoted, no ; or # */
	ck_assert_int_eq(parse("[run]\ncommand = echo \"it's\"\n", strlen("[run]\ncommand = echo \"it's\"\n"), 0, &r, err), 0);
	ck_assert_str_eq(r.command, "echo \"it's\"");
	sl_runspec_free(&r);
	/* continuation keys joined with nothing between */
	ck_assert_int_eq(parse("[run]\ncommand.2 = \" b\"\ncommand = a\n",
	    strlen("[run]\ncommand.2 = \" b\"\ncommand = a\n"), 0, &r, err), 0);
	ck_assert_str_eq(r.command, "a b");
	sl_runspec_free(&r);
	/* CRLF: the \r is not part of the value */
	ck_assert_int_eq(parse("[run]\r\ncommand = true\r\n",
	    strlen("[run]\r\ncommand = true\r\n"), 0, &r, err), 0);
	ck_assert_str_eq(r.command, "true");
	sl_runspec_free(&r);
}
END_TEST

/* render then parse (trusted) gives every field back, long commands too */
START_TEST(test_round_trip)
{
	struct sl_runspec r, b;
	char	err[SL_ERR_MAX], *text, *argv[4];
	size_t	len, i;

	memset(&r, 0, sizeof(r));
	strcpy(r.id, "0a6a3fba-d4a6-470d-bd83-5625fa09a48e");
	strcpy(r.pool, "p");
	strcpy(r.queue, "q");
	argv[0] = "printf";
	argv[1] = malloc(5001);
	for (i = 0; i < 5000; i++)
		argv[1][i] = "ab'\"; #$\\\t\n"[i % 11];
	argv[1][5000] = '\0';
	argv[2] = "";
	argv[3] = "x";
	r.command = sl_cmd_from_argv(4, argv);
	r.name = sl_xstrdup("a name with spaces");
	r.cwd = sl_xstrdup("/srv/it's");
	r.scheduled = 1795874400;
	r.created = 1795874000;
	r.retries = 3;
	r.retry_delay = 7;
	r.timeout = 9;
	r.attempt = 2;
	r.owner_uid = 1000;
	r.owner_gid = 100;
	r.env = malloc(sizeof(char *));
	r.env[0] = sl_xstrdup("K=v;a#b'c");
	r.nenv = 1;
	text = sl_runspec_render(&r, &len);
	ck_assert_int_eq(sl_runspec_parse(text, len, 0, 1, &b, err, sizeof(err)), 0);
	ck_assert_str_eq(b.command, r.command);
	ck_assert_str_eq(b.name, r.name);
	ck_assert_str_eq(b.cwd, r.cwd);
	ck_assert_str_eq(b.id, r.id);
	ck_assert_int_eq(b.scheduled, r.scheduled);
	ck_assert_int_eq(b.created, r.created);
	ck_assert_int_eq(b.retries, 3);
	ck_assert_int_eq(b.retry_delay, 7);
	ck_assert_int_eq(b.timeout, 9);
	ck_assert_int_eq(b.attempt, 2);
	ck_assert_int_eq(b.owner_uid, 1000);
	ck_assert_int_eq(b.owner_gid, 100);
	ck_assert_str_eq(b.env[0], "K=v;a#b'c");
	ck_assert_ptr_nonnull(strstr(text, "command.2 = "));
	free(text);
	free(argv[1]);
	sl_runspec_free(&b);
	sl_runspec_free(&r);
}
END_TEST

/* tokens: exactly 16hex.16hex.uuid, and byte order is run order */
START_TEST(test_tokens)
{
	char	id[SL_UUID_LEN + 1];
	time_t	t;
	const char *ok = "000000006b0af4f1.00066157f00a0638.dc132828-1415-47e8-a118-73b330b2bfb9";
	const char *bad[] = {
		"000000006B0AF4F1.00066157f00a0638.dc132828-1415-47e8-a118-73b330b2bfb9",
		"00000006b0af4f1.00066157f00a0638.dc132828-1415-47e8-a118-73b330b2bfb9",
		"000000006b0af4f1.00066157f00a0638.dc132828-1415-47e8-a118-73b330b2bfb",
		"000000006b0af4f1-00066157f00a0638.dc132828-1415-47e8-a118-73b330b2bfb9",
		".000000006b0af4f1.00066157f00a0638.dc132828-1415-47e8-a118-73b330b2bfb",
		"",
	};
	const char *order[] = {	/* (scheduled, submitted, id) */
		"000000006b0af4f0.00066157f00a0639.ffffffff-1415-47e8-a118-73b330b2bfb9",
		"000000006b0af4f1.00066157f00a0638.eeeeeeee-1415-47e8-a118-73b330b2bfb9",
		"000000006b0af4f1.00066157f00a0639.00000000-1415-47e8-a118-73b330b2bfb9",
		"000000006b0af4f1.00066157f00a0639.11111111-1415-47e8-a118-73b330b2bfb9",
		"000000016b0af4f0.0000000000000000.00000000-1415-47e8-a118-73b330b2bfb9",
	};
	size_t	i;

	ck_assert_int_eq(sl_token_parse(ok, &t, id), 0);
	ck_assert_int_eq(t, 0x6b0af4f1);
	ck_assert_str_eq(id, "dc132828-1415-47e8-a118-73b330b2bfb9");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(sl_token_parse(bad[i], NULL, NULL) < 0, "%s", bad[i]);
	for (i = 1; i < sizeof(order) / sizeof(order[0]); i++)
		ck_assert(strcmp(order[i - 1], order[i]) < 0);
}
END_TEST

Suite *
suite_runparse(void)
{
	Suite  *s = suite_create("runparse");
	TCase  *tc = tcase_create("runparse");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_hostile, 0,
	    (int)(sizeof(hostile) / sizeof(hostile[0])));
	tcase_add_test(tc, test_nul_and_size);
	tcase_add_test(tc, test_random_junk);
	tcase_add_test(tc, test_accepted_exactly);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_tokens);
	suite_add_tcase(s, tc);
	return s;
}
