/*
 * test_progress.c - lib/progress.c: the count drawn on a terminal for long
 * work.  Standard error is the slave side of a pseudo-terminal, read back
 * from the master; sl_progress_after_ms 0 draws from the first item.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

static int master = -1;

/* on_pty - make fd 2 a terminal (the slave of a new pty) */
static void
on_pty(void)
{
	int	slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(slave, 0);
	ck_assert_int_eq(dup2(slave, STDERR_FILENO), STDERR_FILENO);
	close(slave);
}

/* drawn - what has been written to the terminal so far */
static char *
drawn(void)
{
	static char buf[8192];
	struct pollfd p = { master, POLLIN, 0 };
	size_t	n = 0;
	ssize_t	r;

	while (n < sizeof(buf) - 1 && poll(&p, 1, 100) > 0 &&
	    (r = read(master, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return buf;
}

/* a person's command on a terminal: drawn, with its total, then erased */
START_TEST(test_progress_drawn)
{
	struct sl_progress pg;
	char   *out;
	int	i;

	on_pty();
	sl_progress_cli = 1;
	sl_progress_after_ms = 0;
	sl_progress_begin(&pg, "cancelling flow runs", 3);
	for (i = 0; i < 3; i++)
		sl_progress_step(&pg);
	ck_assert_int_eq(pg.done, 3);
	sl_progress_end(&pg);
	out = drawn();
	ck_assert_ptr_nonnull(strstr(out, "cancelling flow runs: 1/3"));
	/* redrawn at most ten times a second: not for each item */
	ck_assert_ptr_null(strstr(out, "2/3"));
	/* erased at the end, so what follows starts on a clean line */
	ck_assert_ptr_nonnull(strstr(out, "\r\033[K"));
	ck_assert_int_eq(strcmp(out + strlen(out) - 4, "\r\033[K"), 0);
}
END_TEST

/* nothing drawn: not a person's command, turned off, work not yet long,
 * or standard error not a terminal */
START_TEST(test_progress_quiet)
{
	struct sl_progress pg;

	on_pty();
	sl_progress_after_ms = 0;
	sl_progress_cli = 0;		/* an agent or a dispatcher */
	sl_progress_begin(&pg, "one", 0);
	sl_progress_step(&pg);
	sl_progress_end(&pg);
	sl_progress_cli = 1;
	sl_progress_begin(&pg, "two", 0);
	pg.off = 1;			/* the caller's lines show it */
	sl_progress_step(&pg);
	sl_progress_end(&pg);
	sl_progress_after_ms = 60000;	/* work shorter than that */
	sl_progress_begin(&pg, "three", 0);
	sl_progress_step(&pg);
	sl_progress_end(&pg);
	ck_assert_str_eq(drawn(), "");
	/* without a total, the count alone */
	sl_progress_after_ms = 0;
	sl_progress_begin(&pg, "four", 0);
	sl_progress_step(&pg);
	sl_progress_end(&pg);
	ck_assert_ptr_nonnull(strstr(drawn(), "four: 1\033[K"));
	/* a file is not a terminal */
	ck_assert_int_eq(dup2(open("/dev/null", O_WRONLY), STDERR_FILENO),
	    STDERR_FILENO);
	sl_progress_begin(&pg, "five", 0);
	ck_assert_int_eq(pg.off, 1);
}
END_TEST

Suite *
suite_progress(void)
{
	Suite  *s = suite_create("progress");
	TCase  *tc = tcase_create("progress");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_progress_drawn);
	tcase_add_test(tc, test_progress_quiet);
	suite_add_tcase(s, tc);
	return s;
}
