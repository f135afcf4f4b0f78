/*
 * test_table.c - lib/table.c: tables for people; plain (aligned with two
 * spaces, no borders: for pipes) and boxed (box drawing, for terminals).
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* render - a table printed to memory, malloc'd */
static char *
render(struct sl_table *t, int boxed, const char *caption)
{
	char   *s = NULL;
	size_t	n = 0;
	FILE   *f = open_memstream(&s, &n);

	ck_assert_ptr_nonnull(f);
	sl_table_print(t, f, boxed, caption);
	ck_assert_int_eq(fclose(f), 0);
	return s;
}

/* cols - display columns of a UTF-8 string up to a newline */
static size_t
cols(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0' && *s != '\n'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

START_TEST(test_table_plain)
{
	const char *hdr[] = { "Name", "ID" };
	const char *r1[] = { "a", "1" };
	const char *r2[] = { "bbbbbb", "22" };
	struct sl_table *t = sl_table_new("Work Pools", 2, hdr);
	char   *s;

	sl_table_row(t, r1);
	sl_table_row(t, r2);
	s = render(t, 0, "(**) denotes a paused pool");
	ck_assert_str_eq(s,
	    "Work Pools\n"
	    "Name    ID\n"
	    "a       1\n"
	    "bbbbbb  22\n"
	    "(**) denotes a paused pool\n");
	free(s);
	s = render(t, 0, NULL);			/* no caption */
	ck_assert_str_eq(s,
	    "Work Pools\n"
	    "Name    ID\n"
	    "a       1\n"
	    "bbbbbb  22\n");
	free(s);
	sl_table_free(t);
}
END_TEST

START_TEST(test_table_plain_utf8_and_empty)
{
	const char *hdr[] = { "Q", "Limit", "X" };
	const char *r1[] = { "caf\xc3\xa9", NULL, "x" };
	const char *r2[] = { "ab", "10", "" };
	struct sl_table *t = sl_table_new(NULL, 3, hdr);
	char   *s;

	sl_table_row(t, r1);
	sl_table_row(t, r2);
	s = render(t, 0, NULL);
	/* é is one column; a NULL cell is empty; no title line */
	ck_assert_str_eq(s,
	    "Q     Limit  X\n"
	    "caf\xc3\xa9         x\n"
	    "ab    10     \n");
	free(s);
	sl_table_free(t);
}
END_TEST

START_TEST(test_table_boxed)
{
	const char *hdr[] = { "Name", "ID" };
	const char *r1[] = { "a", "1" };
	const char *r2[] = { "caf\xc3\xa9-pool", "22" };
	struct sl_table *t = sl_table_new("Work Pools", 2, hdr);
	char   *s, *line, *save, *first = NULL;
	size_t	width = 0;
	int	n = 0;

	sl_table_row(t, r1);
	sl_table_row(t, r2);
	sl_table_ascii = 0;
	sl_table_columns = 200;
	s = render(t, 1, "(**) denotes a paused pool");
	ck_assert_ptr_nonnull(strstr(s, "┏"));
	ck_assert_ptr_nonnull(strstr(s, "┓"));
	ck_assert_ptr_nonnull(strstr(s, "┃ Name"));
	ck_assert_ptr_nonnull(strstr(s, "│ a "));
	ck_assert_ptr_nonnull(strstr(s, "└"));
	ck_assert_ptr_nonnull(strstr(s, "Work Pools"));
	ck_assert_ptr_nonnull(strstr(s, "(**) denotes a paused pool\n"));
	ck_assert_msg(strncmp(s, "Work Pools", 10) != 0,
	    "the title should be centred:\n%s", s);
	/* every bordered line is equally wide */
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "Work Pools") || strstr(line, "(**)"))
			continue;
		n++;
		if (first == NULL) {
			first = line;
			width = cols(line);
			ck_assert_msg(strncmp(line, "┏", strlen("┏")) == 0,
			    "first rule: %s", line);
		} else
			ck_assert_msg(cols(line) == width, "'%s' is %zu wide, "
			    "'%s' %zu", line, cols(line), first, width);
	}
	ck_assert_int_eq(n, 6);		/* 3 rules, header, 2 rows */
	/* 1 + (9 + 3) + (2 + 3) */
	ck_assert_uint_eq(width, 18);
	free(s);
	sl_table_free(t);
}
END_TEST

START_TEST(test_table_no_rows)
{
	const char *hdr[] = { "Name" };
	struct sl_table *t = sl_table_new("T", 1, hdr);
	char   *s = render(t, 0, NULL);

	ck_assert_str_eq(s, "T\nName\n");
	free(s);
	s = render(t, 1, NULL);
	ck_assert_ptr_nonnull(strstr(s, "┃ Name ┃"));
	free(s);
	sl_table_free(t);
}
END_TEST

/* widths are terminal columns: a CJK character takes two, a combining
 * accent none */
START_TEST(test_table_wide_chars)
{
	const char *hdr[] = { "Name", "X" };
	const char *r1[] = { "\xe6\x97\xa5\xe6\x9c\xac", "1" };	/* 日本 */
	const char *r2[] = { "e\xcc\x81t\xc3\xa9", "2" };	/* é (e + ´), té */
	struct sl_table *t = sl_table_new(NULL, 2, hdr);
	char   *s;

	sl_table_row(t, r1);
	sl_table_row(t, r2);
	s = render(t, 0, NULL);
	ck_assert_str_eq(s,
	    "Name  X\n"
	    "\xe6\x97\xa5\xe6\x9c\xac  1\n"
	    "e\xcc\x81t\xc3\xa9   2\n");
	free(s);
	sl_table_free(t);
}
END_TEST

/* on a terminal narrower than the table: the widest column gives up
 * space and its cells are cut with an ellipsis; in a pipe, never */
START_TEST(test_table_fits_terminal)
{
	const char *hdr[] = { "ID", "Name", "State" };
	const char *r1[] = { "0123456789abcdef0123456789abcdef0123",
	    "a-rather-long-run-name", "Scheduled" };
	struct sl_table *t = sl_table_new("Flow Runs", 3, hdr);
	char   *s, *line, *save;
	int	cut = 0;

	sl_table_row(t, r1);
	sl_table_ascii = 0;
	sl_table_columns = 40;
	s = render(t, 1, NULL);
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(cols(line) <= 40, "%zu columns: %s", cols(line),
		    line);
		cut += strstr(line, "\xe2\x80\xa6") != NULL;	/* … */
	}
	ck_assert_int_eq(cut, 1);
	free(s);
	s = render(t, 0, NULL);		/* a pipe: whole */
	ck_assert_ptr_nonnull(strstr(s, "0123456789abcdef0123456789abcdef0123  "
	    "a-rather-long-run-name  Scheduled"));
	free(s);
	/* wide enough: nothing cut */
	sl_table_columns = 200;
	s = render(t, 1, NULL);
	ck_assert_ptr_null(strstr(s, "\xe2\x80\xa6"));
	ck_assert_ptr_nonnull(strstr(s, "a-rather-long-run-name"));
	free(s);
	sl_table_free(t);
}
END_TEST

/* a locale that is not UTF-8: ASCII borders and ellipsis */
START_TEST(test_table_ascii)
{
	const char *hdr[] = { "Name", "State" };
	const char *r1[] = { "long-long-long-name", "Scheduled" };
	struct sl_table *t = sl_table_new("T", 2, hdr);
	char   *s;

	sl_table_row(t, r1);
	sl_table_ascii = 1;
	sl_table_columns = 24;
	s = render(t, 1, NULL);
	ck_assert_ptr_nonnull(strstr(s, "+====="));
	ck_assert_ptr_nonnull(strstr(s, "| Name"));
	ck_assert_ptr_nonnull(strstr(s, "~ |"));
	ck_assert_ptr_null(strstr(s, "\xe2"));	/* no UTF-8 at all */
	free(s);
	/* the C locale draws boxes, as rich does */
	sl_table_ascii = -1;
	setenv("LC_ALL", "C", 1);
	s = render(t, 1, NULL);
	ck_assert_ptr_nonnull(strstr(s, "\xe2\x94\x8f"));	/* ┏ */
	free(s);
	sl_table_free(t);
}
END_TEST

Suite *
suite_table(void)
{
	Suite  *s = suite_create("table");
	TCase  *tc = tcase_create("table");

	tcase_set_timeout(tc, T_TIMEOUT);
	tcase_add_test(tc, test_table_plain);
	tcase_add_test(tc, test_table_plain_utf8_and_empty);
	tcase_add_test(tc, test_table_boxed);
	tcase_add_test(tc, test_table_no_rows);
	tcase_add_test(tc, test_table_wide_chars);
	tcase_add_test(tc, test_table_fits_terminal);
	tcase_add_test(tc, test_table_ascii);
	suite_add_tcase(s, tc);
	return s;
}
