/*
 * test_uuid.c - lib/uuid.c: sl_uuid (random, version 4), sl_uuid_from
 * (stable, from a seed) and sl_uuid_ok (lowercase canonical form).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

/* canonical - 36 chars, lowercase hex, dashes at 8, 13, 18, 23 */
static void
check_canonical(const char *u)
{
	int	i;

	ck_assert_msg(strlen(u) == SL_UUID_LEN, "'%s' is not 36 characters", u);
	for (i = 0; i < SL_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_msg(u[i] == '-', "'%s': no dash at %d", u, i);
		else
			ck_assert_msg((u[i] >= '0' && u[i] <= '9') ||
			    (u[i] >= 'a' && u[i] <= 'f'),
			    "'%s': not lowercase hex at %d", u, i);
	}
	ck_assert_msg(strchr("89ab", u[19]) != NULL,
	    "'%s': variant nibble %c is not 8, 9, a or b", u, u[19]);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(test_uuid_v4)
{
	static char all[1000][SL_UUID_LEN + 1];
	int	i;

	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(sl_uuid(all[i]), 0);
		check_canonical(all[i]);
		ck_assert_msg(all[i][14] == '4', "'%s' is not version 4", all[i]);
		ck_assert(sl_uuid_ok(all[i]));
	}
	qsort(all, 1000, sizeof(all[0]), cmp);
	for (i = 1; i < 1000; i++)
		ck_assert_msg(strcmp(all[i - 1], all[i]) != 0,
		    "duplicate uuid %s", all[i]);
}
END_TEST

/*
 * sl_random hands each byte of its pool out once, and a forked child
 * never the bytes its parent will: without the fork handler both would
 * take the same next 16 bytes from the pool they share as a copy.
 */
START_TEST(test_random_pool_fork)
{
	unsigned char a[16], b[16], c[16];
	char	u[SL_UUID_LEN + 1], v[SL_UUID_LEN + 1];
	int	p[2], st;
	pid_t	pid;

	ck_assert_int_eq(sl_random(a, sizeof(a)), 0);	/* fills the pool */
	ck_assert_int_eq(sl_random(b, sizeof(b)), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert_int_eq(sl_uuid(u), 0);
	ck_assert_int_eq(sl_uuid(v), 0);
	ck_assert_str_ne(u, v);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (sl_random(c, sizeof(c)) < 0 ||
		    write(p[1], c, sizeof(c)) != (ssize_t)sizeof(c))
			_exit(1);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	close(p[1]);
	ck_assert_int_eq(read(p[0], c, sizeof(c)), (ssize_t)sizeof(c));
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(sl_random(a, sizeof(a)), 0);	/* the parent's next */
	ck_assert_msg(memcmp(a, c, sizeof(a)) != 0,
	    "a forked child took the bytes its parent takes next");
}
END_TEST

/*
 * a child of sl_fork_known takes its first 16 bytes from what its parent
 * took out of its own pool for it (sl_random_endow), then its own: none
 * is a byte its parent hands out, before or after
 */
START_TEST(test_random_endow)
{
	unsigned char before[16], kid[32], after[4][16];
	int	p[2], st, i;
	pid_t	pid;

	ck_assert_int_eq(sl_random(before, sizeof(before)), 0);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = sl_fork_known()) == 0) {
		close(p[0]);
		if (sl_random(kid, 16) < 0 || sl_random(kid + 16, 16) < 0 ||
		    write(p[1], kid, sizeof(kid)) != (ssize_t)sizeof(kid))
			_exit(1);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	close(p[1]);
	ck_assert_int_eq(read(p[0], kid, sizeof(kid)), (ssize_t)sizeof(kid));
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert(memcmp(kid, kid + 16, 16) != 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(sl_random(after[i], 16), 0);
		ck_assert(memcmp(after[i], kid, 16) != 0);
		ck_assert(memcmp(after[i], kid + 16, 16) != 0);
	}
	ck_assert(memcmp(before, kid, 16) != 0);
	ck_assert(memcmp(before, kid + 16, 16) != 0);
}
END_TEST

START_TEST(test_uuid_from_stable)
{
	char	a[SL_UUID_LEN + 1], b[SL_UUID_LEN + 1], c[SL_UUID_LEN + 1];
	char	e[SL_UUID_LEN + 1];

	sl_uuid_from(a, "pool/default-agent-pool");
	sl_uuid_from(b, "pool/default-agent-pool");
	sl_uuid_from(c, "pool/default-agent-poom");
	sl_uuid_from(e, "");
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_str_ne(a, e);
	check_canonical(a);
	check_canonical(c);
	check_canonical(e);
	ck_assert(sl_uuid_ok(a));
	ck_assert(sl_uuid_ok(e));
	ck_assert_msg(a[14] == '8', "sl_uuid_from makes version 8: %s", a);
}
END_TEST

START_TEST(test_uuid_from_spread)
{
	static char all[500][SL_UUID_LEN + 1];
	char	seed[32];
	int	i;

	/* near seeds (one character apart) must not collide */
	for (i = 0; i < 500; i++) {
		snprintf(seed, sizeof(seed), "P/q%d", i);
		sl_uuid_from(all[i], seed);
	}
	qsort(all, 500, sizeof(all[0]), cmp);
	for (i = 1; i < 500; i++)
		ck_assert_str_ne(all[i - 1], all[i]);
}
END_TEST

START_TEST(test_uuid_ok)
{
	ck_assert(sl_uuid_ok("0123abcd-4567-489a-bcde-f0123456789a"));
	ck_assert(!sl_uuid_ok("0123ABCD-4567-489a-bcde-f0123456789a"));
	ck_assert(!sl_uuid_ok("0123abcd-4567-489a-bcde-f0123456789"));
	ck_assert(!sl_uuid_ok("0123abcd-4567-489a-bcde-f0123456789ab"));
	ck_assert(!sl_uuid_ok("0123abcd4-567-489a-bcde-f0123456789a"));
	ck_assert(!sl_uuid_ok("0123abcd-4567-489a-bcdef0123456789a-"));
	ck_assert(!sl_uuid_ok("0123abcd_4567_489a_bcde_f0123456789a"));
	ck_assert(!sl_uuid_ok("0123abcg-4567-489a-bcde-f0123456789a"));
	ck_assert(!sl_uuid_ok("{123abcd-4567-489a-bcde-f0123456789}"));
	ck_assert(!sl_uuid_ok(""));
}
END_TEST

/*
 * the table-driven sl_uuid_ok and sl_hex_ok refuse every proper prefix
 * (each in a buffer of its own exact size: under ASan a read past its NUL
 * fails the test), and of every byte at every place take exactly a dash
 * where a dash goes and a lowercase hex digit elsewhere (tests/fuzz/
 * fuzz_names.c compares them with the old per-character test too)
 */
START_TEST(test_uuid_ok_table)
{
	const char *u = "0123abcd-4567-489a-bcde-f0123456789a";
	char	b[SL_UUID_LEN + 2], *p;
	size_t	n;
	int	i, c, dash, want;

	for (n = 0; n <= SL_UUID_LEN; n++) {
		p = malloc(n + 1);
		memcpy(p, u, n);
		p[n] = '\0';
		ck_assert_int_eq(sl_uuid_ok(p), n == SL_UUID_LEN);
		ck_assert_int_eq(sl_hex_ok(p, n < 8 ? n : 8), 1);
		ck_assert_int_eq(sl_hex_ok(p, 9), 0);	/* a dash or the NUL */
		free(p);
	}
	for (i = 0; i <= SL_UUID_LEN; i++)
		for (c = 1; c < 256; c++) {
			memcpy(b, u, SL_UUID_LEN + 1);
			b[SL_UUID_LEN + 1] = '\0';
			b[i] = (char)c;
			dash = i == 8 || i == 13 || i == 18 || i == 23;
			want = i < SL_UUID_LEN && (dash ? c == '-' :
			    strchr("0123456789abcdef", c) != NULL);
			ck_assert_msg(sl_uuid_ok(b) == want,
			    "byte %d at %d: %d", c, i, sl_uuid_ok(b));
		}
	ck_assert(sl_hex_ok("0123456789abcdef", 16));
	ck_assert(!sl_hex_ok("0123456789abcdeF", 16));
	ck_assert(sl_hex_ok("", 0));
}
END_TEST

Suite *
suite_uuid(void)
{
	Suite  *s = suite_create("uuid");
	TCase  *tc = tcase_create("uuid");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_uuid_v4);
	tcase_add_test(tc, test_random_pool_fork);
	tcase_add_test(tc, test_random_endow);
	tcase_add_test(tc, test_uuid_from_stable);
	tcase_add_test(tc, test_uuid_from_spread);
	tcase_add_test(tc, test_uuid_ok);
	tcase_add_test(tc, test_uuid_ok_table);
	suite_add_tcase(s, tc);
	return s;
}
