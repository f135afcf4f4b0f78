/*
 * test_ini.c - lib/ini.c: INI text through iniparser (sl_ini_parse),
 * files with the sluice trailer (sl_ini_load), the values sluice may write
 * (sl_ini_value_ok) and writing them (sl_ini_put).
 *
 * Documented behaviour checked here: iniparser folds section and key names
 * to lower case (and sl_ini_get folds its arguments the same way); values
 * keep their case and lose surrounding blanks.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iniparser/dictionary.h>
#include <iniparser/iniparser.h>

#include "tests.h"

static struct sl_ini *
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return sl_ini_parse(text, strlen(text), err, errlen);
}

START_TEST(test_ini_parse_valid)
{
	static const char text[] =
	    "; a comment\n"
	    "# another\n"
	    "[Sluice]\n"
	    "Spool = /srv/Spool\n"
	    "late_after=20\n"
	    "  padded   =   Mixed Case Value   \n"
	    "empty =\n"
	    "\n"
	    "[queue.1]\n"
	    "name = Critical\n"
	    "url = a=b\n"
	    "cut = kept ; comment\n";
	char	err[SL_ERR_MAX];
	struct sl_ini *ini = parse(text, err, sizeof(err));

	ck_assert_msg(ini != NULL, "parse failed: %s", err);
	ck_assert_int_eq(sl_ini_nsec(ini), 2);
	/* section and key names are folded to lower case */
	ck_assert_str_eq(sl_ini_secname(ini, 0), "sluice");
	ck_assert_str_eq(sl_ini_secname(ini, 1), "queue.1");
	ck_assert_str_eq(sl_ini_get(ini, "sluice", "spool"), "/srv/Spool");
	/* ... and so are the names asked for */
	ck_assert_str_eq(sl_ini_get(ini, "SLUICE", "Spool"), "/srv/Spool");
	ck_assert_str_eq(sl_ini_get(ini, "sluice", "late_after"), "20");
	ck_assert_str_eq(sl_ini_get(ini, "sluice", "padded"),
	    "Mixed Case Value");
	ck_assert_str_eq(sl_ini_get(ini, "sluice", "empty"), "");
	ck_assert_str_eq(sl_ini_get(ini, "queue.1", "name"), "Critical");
	ck_assert_str_eq(sl_ini_get(ini, "queue.1", "url"), "a=b");
	ck_assert_str_eq(sl_ini_get(ini, "queue.1", "cut"), "kept");
	ck_assert_ptr_null(sl_ini_get(ini, "sluice", "missing"));
	ck_assert_ptr_null(sl_ini_get(ini, "nosuch", "spool"));
	ck_assert_ptr_null(sl_ini_get(ini, "queue.1", "spool"));
	sl_ini_free(ini);
}
END_TEST

START_TEST(test_ini_parse_empty)
{
	char	err[SL_ERR_MAX];
	struct sl_ini *ini = parse("", err, sizeof(err));

	ck_assert_msg(ini != NULL, "empty text: %s", err);
	ck_assert_int_eq(sl_ini_nsec(ini), 0);
	sl_ini_free(ini);
	sl_ini_free(NULL);	/* allowed */
}
END_TEST

START_TEST(test_ini_parse_nul)
{
	static const char text[] = "[s]\nk = v\0x\n";
	char	err[SL_ERR_MAX] = "";

	errno = 0;
	ck_assert_ptr_null(sl_ini_parse(text, sizeof(text) - 1, err,
	    sizeof(err)));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
}
END_TEST

static const char *const garbage[] = {
	"[unterminated\nk = v\n",
	"[s]\nthis line has no equals sign\n",
	"just garbage\n",
	"[s]\nk = v\n]x[\n",
};

START_TEST(test_ini_parse_garbage)
{
	char	err[SL_ERR_MAX];

	errno = 0;
	ck_assert_msg(parse(garbage[_i], err, sizeof(err)) == NULL,
	    "accepted: %s", garbage[_i]);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(err, "not an INI file") != NULL, "err: %s", err);
}
END_TEST

/* the first error is reported, and a later parse starts clean */
START_TEST(test_ini_parse_error_reset)
{
	char	err[SL_ERR_MAX];
	struct sl_ini *ini;

	ck_assert_ptr_null(parse("garbage\n", err, sizeof(err)));
	ini = parse("[s]\nk = v\n", err, sizeof(err));
	ck_assert_msg(ini != NULL, "a good parse after a bad one: %s", err);
	sl_ini_free(ini);
}
END_TEST

START_TEST(test_ini_load_trailer)
{
	char   *d = t_tmpdir(), *with = sl_path(d, "with.ini", (char *)NULL);
	char   *without = sl_path(d, "without.ini", (char *)NULL);
	char   *torn = sl_path(d, "torn.ini", (char *)NULL);
	char	err[SL_ERR_MAX];
	struct sl_ini *ini;

	t_puts(with, "[pool]\nname = P\n" SL_INI_TRAILER);
	t_puts(without, "[pool]\nname = P\n");
	t_puts(torn, "[pool]\nname = P\n; end of sluice");

	ini = sl_ini_load(with, 1, err, sizeof(err));
	ck_assert_msg(ini != NULL, "with trailer: %s", err);
	ck_assert_str_eq(sl_ini_get(ini, "pool", "name"), "P");
	sl_ini_free(ini);

	errno = 0;
	ck_assert_ptr_null(sl_ini_load(without, 1, err, sizeof(err)));
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_ptr_nonnull(strstr(err, "incomplete"));
	errno = 0;
	ck_assert_ptr_null(sl_ini_load(torn, 1, err, sizeof(err)));
	ck_assert_int_eq(errno, EAGAIN);

	/* without need_trailer the same file is fine */
	ini = sl_ini_load(without, 0, err, sizeof(err));
	ck_assert_msg(ini != NULL, "no trailer needed: %s", err);
	sl_ini_free(ini);

	/* a file shorter than the trailer */
	t_puts(torn, "x");
	ck_assert_ptr_null(sl_ini_load(torn, 1, err, sizeof(err)));
	ck_assert_int_eq(errno, EAGAIN);
	t_puts(torn, "");
	ck_assert_ptr_null(sl_ini_load(torn, 1, err, sizeof(err)));

	sl_rmtree(d);
	free(with);
	free(without);
	free(torn);
	free(d);
}
END_TEST

START_TEST(test_ini_load_errors)
{
	char   *d = t_tmpdir(), *p = sl_path(d, "nope.ini", (char *)NULL);
	char	err[SL_ERR_MAX];

	errno = 0;
	ck_assert_ptr_null(sl_ini_load(p, 0, err, sizeof(err)));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(err, p));
	ck_assert_ptr_null(sl_ini_load(d, 0, err, sizeof(err)));	/* a dir */
	sl_rmtree(d);
	free(p);
	free(d);
}
END_TEST

/* SL_INI_MAX bytes is accepted, one more is refused with EFBIG */
START_TEST(test_ini_load_size)
{
	char   *d = t_tmpdir(), *p = sl_path(d, "big.ini", (char *)NULL);
	size_t	n = SL_INI_MAX, tl = strlen(SL_INI_TRAILER), i;
	char	err[SL_ERR_MAX], *text = malloc(n + 2);
	struct sl_ini *ini;

	ck_assert_ptr_nonnull(text);
	/* comment lines of 64 bytes, then the trailer, exactly n bytes */
	memcpy(text, "[s]\nk = v\n", 10);
	for (i = 10; i < n - tl; i++)
		text[i] = (i - 10) % 64 == 63 ? '\n' : ';';
	text[n - tl - 1] = '\n';
	memcpy(text + n - tl, SL_INI_TRAILER, tl);
	t_write(p, text, n);
	ini = sl_ini_load(p, 1, err, sizeof(err));
	ck_assert_msg(ini != NULL, "a file of exactly 1 MiB: %s", err);
	ck_assert_str_eq(sl_ini_get(ini, "s", "k"), "v");
	sl_ini_free(ini);

	memmove(text + 1, text, n);
	text[0] = '\n';
	t_write(p, text, n + 1);
	errno = 0;
	ck_assert_ptr_null(sl_ini_load(p, 1, err, sizeof(err)));
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_ptr_nonnull(strstr(err, "1 MiB"));
	sl_rmtree(d);
	free(text);
	free(p);
	free(d);
}
END_TEST

START_TEST(test_ini_value_ok)
{
	char	big[1001];

	ck_assert(sl_ini_value_ok(""));
	ck_assert(sl_ini_value_ok("plain"));
	ck_assert(sl_ini_value_ok("Mixed Case with spaces"));
	ck_assert(sl_ini_value_ok("/usr/local/bin/backup --full /srv"));
	ck_assert(sl_ini_value_ok("2026-11-28T14:00:00Z"));
	ck_assert(sl_ini_value_ok("caf\xc3\xa9"));
	ck_assert(sl_ini_value_ok("[not a section]"));

	ck_assert(!sl_ini_value_ok("a;b"));
	ck_assert(!sl_ini_value_ok("a#b"));
	ck_assert(!sl_ini_value_ok("\"quoted\""));
	ck_assert(!sl_ini_value_ok("it's"));
	ck_assert(!sl_ini_value_ok("a\nb"));
	ck_assert(!sl_ini_value_ok("a\rb"));
	ck_assert(!sl_ini_value_ok("a\\"));	/* a continuation line */
	ck_assert(!sl_ini_value_ok("a=b"));	/* conservative: '=' */
	ck_assert(!sl_ini_value_ok(" lead"));
	ck_assert(!sl_ini_value_ok("trail "));
	ck_assert(!sl_ini_value_ok("\tlead"));
	ck_assert(!sl_ini_value_ok("trail\t"));

	/* at most 900 bytes: with a 64-byte key the line stays readable */
	memset(big, 'x', sizeof(big));
	big[900] = '\0';
	ck_assert(sl_ini_value_ok(big));
	big[900] = 'x';
	big[901] = '\0';
	ck_assert(!sl_ini_value_ok(big));
}
END_TEST

/* put - one "[s]\n" + sl_ini_put(key, val), parsed back */
static void
check_round_trip(const char *key, const char *val)
{
	struct sl_buf b = { 0 };
	struct sl_ini *ini;
	char	err[SL_ERR_MAX];
	const char *got;

	sl_buf_puts(&b, "[s]\n");
	sl_ini_put(&b, key, val);
	ini = sl_ini_parse(b.s, b.len, err, sizeof(err));
	ck_assert_msg(ini != NULL, "key %s, value of %zu bytes: %s", key,
	    strlen(val), err);
	got = sl_ini_get(ini, "s", key);
	ck_assert_msg(got != NULL && strcmp(got, val) == 0,
	    "key %s: wrote '%s' (%zu bytes), read '%s' (%zu bytes)", key, val,
	    strlen(val), got ? got : "(null)", got ? strlen(got) : 0);
	sl_ini_free(ini);
	sl_buf_free(&b);
}

START_TEST(test_ini_put_round_trip)
{
	static const char *const vals[] = {
		"", "x", "Mixed Case", "[x]", "none", "2026-11-28T14:00:00Z",
		"caf\xc3\xa9 \xe2\x82\xac", "$HOME/x", "a  b", "a\tb", "-",
		"0", "true", "a|b&c>d<e", "{k}", "%s%n",
	};
	struct sl_buf b = { 0 };
	char	big[1000];
	size_t	i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		ck_assert_msg(sl_ini_value_ok(vals[i]), "'%s'", vals[i]);
		check_round_trip("key", vals[i]);
	}
	memset(big, 'v', sizeof(big));
	big[900] = '\0';
	check_round_trip("concurrency_limit", big);

	sl_ini_put(&b, "k", "v");
	ck_assert_str_eq(b.s, "k = v\n");
	sl_buf_free(&b);
}
END_TEST

/*
 * sl_ini_value_ok promises "reads back exactly as written", but iniparser
 * strips every isspace() character at both ends of a value, not only ' '
 * and '\t': a value ending in '\f' or '\v' passes the check and loses it.
 */
START_TEST(test_ini_value_ok_other_blanks)
{
	static const char *const vals[] = { "a\f", "\va", "a\v", "\fa" };
	size_t	i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (sl_ini_value_ok(vals[i]))
			check_round_trip("key", vals[i]);
}
END_TEST

/*
 * sl_ini_put writes any value that sl_ini_value_ok() allows (up to 999
 * bytes) under any key, but iniparser 4.1 refuses a line of 1023 bytes or
 * more ("input line too long"): with a key of 21+ characters (an [env]
 * name, say) the whole file becomes unreadable.
 */
/* the longest value sl_ini_put takes, under the longest key, still reads
 * back: the line stays under iniparser 4.1's 1024 bytes */
START_TEST(test_ini_put_long_line)
{
	char	big[901], key[65];

	memset(big, 'v', sizeof(big));
	big[900] = '\0';
	memset(key, 'K', sizeof(key));
	key[64] = '\0';
	check_round_trip(key, big);
}
END_TEST

/* one byte more is a caller's bug: sl_panic, not a file nobody can read */
START_TEST(test_ini_put_too_long)
{
	struct sl_buf b = { 0 };
	char	big[902];

	memset(big, 'v', sizeof(big));
	big[901] = '\0';
	sl_ini_put(&b, "command", big);
	ck_abort_msg("sl_ini_put wrote a line iniparser cannot read");
}
END_TEST

/* a value that cannot be stored is a bug in the caller: sl_panic */
START_TEST(test_ini_put_refuses)
{
	struct sl_buf b = { 0 };

	sl_ini_put(&b, "command", "echo a; rm -rf /");
	ck_abort_msg("sl_ini_put wrote a value that would be cut at ';'");
}
END_TEST

/* the keys of a section, in file order, without the "sec:" prefix */
START_TEST(test_ini_keys)
{
	char	err[SL_ERR_MAX];
	struct sl_ini *ini = parse("[a]\nOne = 1\ntwo = 2\n[b]\n[c]\nx = y\n",
	    err, sizeof(err));

	ck_assert_msg(ini != NULL, "%s", err);
	ck_assert_int_eq(sl_ini_nkeys(ini, "a"), 2);
	ck_assert_str_eq(sl_ini_key(ini, "a", 0), "one");
	ck_assert_str_eq(sl_ini_key(ini, "a", 1), "two");
	ck_assert_ptr_null(sl_ini_key(ini, "a", 2));
	ck_assert_ptr_null(sl_ini_key(ini, "a", -1));
	ck_assert_int_eq(sl_ini_nkeys(ini, "b"), 0);
	ck_assert_ptr_null(sl_ini_key(ini, "b", 0));
	ck_assert_int_eq(sl_ini_nkeys(ini, "c"), 1);
	ck_assert_str_eq(sl_ini_key(ini, "c", 0), "x");
	ck_assert_int_le(sl_ini_nkeys(ini, "nosuch"), 0);
	ck_assert_ptr_null(sl_ini_key(ini, "nosuch", 0));
	sl_ini_free(ini);
}
END_TEST

/* a parse error names the line, and sl_ini_load names the file */
START_TEST(test_ini_error_names_line)
{
	char   *d = t_tmpdir(), *p = sl_path(d, "bad.ini", (char *)NULL);
	char	err[SL_ERR_MAX];

	ck_assert_ptr_null(parse("[s]\nk = v\noops\n", err, sizeof(err)));
	ck_assert_msg(strstr(err, "line 3") != NULL, "err: %s", err);
	ck_assert_msg(strstr(err, "/proc/self") == NULL, "err: %s", err);
	t_puts(p, "[s]\noops\n");
	ck_assert_ptr_null(sl_ini_load(p, 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, p) != NULL, "err: %s", err);
	ck_assert_msg(strstr(err, "line 2") != NULL, "err: %s", err);
	sl_rmtree(d);
	free(p);
	free(d);
}
END_TEST

/*
 * sl_ini_parse reads iniparser 4.1's dialect with its own line splitter:
 * on random text built from the characters that matter (brackets, '=',
 * comment marks, quotes, blanks, backslashes, case), it must accept what
 * iniparser_load accepts, refuse what it refuses, and hold the same
 * entries with the same values.  (Texts end in a newline: iniparser skips
 * a last line of one character without one, a quirk sluice never meets.)
 */
static int
quiet(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

/* same - equal strings, or both absent */
static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

START_TEST(test_ini_same_as_iniparser)
{
	static const char abc[] = "[]=;#\"' \t\\aB:\n\nk=v\n[s]\n";
	char	path[] = "/tmp/sluice-ini-diff.XXXXXX", text[200], err[SL_ERR_MAX];
	struct sl_ini *ini;
	dictionary *d;
	unsigned int seed = 12345;
	int	fd, i, j, k, len, nsec;

	iniparser_set_error_callback(quiet);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	for (i = 0; i < 5000; i++) {
		len = 1 + rand_r(&seed) % 120;
		for (j = 0; j < len; j++)
			text[j] = abc[rand_r(&seed) % (sizeof(abc) - 1)];
		text[len++] = '\n';
		text[len] = '\0';
		ck_assert_int_eq(ftruncate(fd, 0), 0);
		ck_assert_int_eq(pwrite(fd, text, len, 0), len);
		d = iniparser_load(path);
		ini = sl_ini_parse(text, len, err, sizeof(err));
		ck_assert_msg((d == NULL) == (ini == NULL),
		    "iniparser %s, sluice %s: [%s] %s", d ? "reads" : "refuses",
		    ini ? "reads" : "refuses", text, ini ? "" : err);
		if (d == NULL)
			continue;
		nsec = iniparser_getnsec(d);
		ck_assert_msg(sl_ini_nsec(ini) == nsec, "[%s]: %d sections, "
		    "iniparser %d", text, sl_ini_nsec(ini), nsec);
		/* every section and key of ours is iniparser's, same value */
		for (k = 0; k < nsec; k++) {
			const char *sec = sl_ini_secname(ini, k), *key;

			ck_assert_str_eq(sec, iniparser_getsecname(d, k));
			ck_assert_int_eq(sl_ini_nkeys(ini, sec),
			    iniparser_getsecnkeys(d, sec));
			for (j = 0; (key = sl_ini_key(ini, sec, j)) != NULL;
			    j++) {
				char	full[512];

				snprintf(full, sizeof(full), "%s:%s", sec, key);
				ck_assert_msg(same(sl_ini_get(ini, sec, key),
				    iniparser_getstring(d, full, NULL)),
				    "[%s]: [%s] %s", text, sec, key);
			}
		}
		/* every entry of iniparser's (sectionless ones too) is ours */
		for (k = 0; k < d->size; k++) {
			char	sec[256], *c;

			if (d->key[k] == NULL || d->val[k] == NULL ||
			    (c = strchr(d->key[k], ':')) == NULL)
				continue;
			snprintf(sec, sizeof(sec), "%.*s",
			    (int)(c - d->key[k]), d->key[k]);
			ck_assert_msg(sl_ini_get(ini, sec, c + 1) != NULL &&
			    strcmp(sl_ini_get(ini, sec, c + 1), d->val[k]) == 0,
			    "[%s]: %s is [%s], sluice has [%s]", text, d->key[k],
			    d->val[k], sl_ini_get(ini, sec, c + 1) ?
			    sl_ini_get(ini, sec, c + 1) : "(none)");
		}
		iniparser_freedict(d);
		sl_ini_free(ini);
	}
	close(fd);
	unlink(path);
}
END_TEST

Suite *
suite_ini(void)
{
	Suite  *s = suite_create("ini");
	TCase  *tc = tcase_create("ini");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_ini_parse_valid);
	tcase_add_test(tc, test_ini_parse_empty);
	tcase_add_test(tc, test_ini_parse_nul);
	tcase_add_loop_test(tc, test_ini_parse_garbage, 0,
	    (int)(sizeof(garbage) / sizeof(garbage[0])));
	tcase_add_test(tc, test_ini_parse_error_reset);
	tcase_add_test(tc, test_ini_load_trailer);
	tcase_add_test(tc, test_ini_load_errors);
	tcase_add_test(tc, test_ini_load_size);
	tcase_add_test(tc, test_ini_value_ok);
	tcase_add_test(tc, test_ini_keys);
	tcase_add_test(tc, test_ini_error_names_line);
	tcase_add_test(tc, test_ini_put_round_trip);
	tcase_add_test(tc, test_ini_value_ok_other_blanks);
	tcase_add_test(tc, test_ini_put_long_line);
	tcase_add_test(tc, test_ini_same_as_iniparser);
	tcase_add_test_raise_signal(tc, test_ini_put_refuses, SIGABRT);
	tcase_add_test_raise_signal(tc, test_ini_put_too_long, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
