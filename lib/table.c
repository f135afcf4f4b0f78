/*
 * table.c - tables for people, in Prefect's shapes.
 *
 * On a terminal: a title, box-drawing borders as rich draws them, and a
 * caption.  Elsewhere (a pipe, a file): the same title, columns aligned
 * with two spaces and no borders, so that grep, cut and awk work on it.
 * Scripts should use --json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

struct sl_table {
	char   *title;
	int	ncol;
	char  **hdr;
	char ***rows;
	size_t	nrows;
};

/* width - display columns of a UTF-8 string (one per code point) */
static size_t
width(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

struct sl_table *
sl_table_new(const char *title, int ncol, const char **hdr)
{
	struct sl_table *t = sl_xmalloc(sizeof(*t));
	int	i;

	t->title = title != NULL ? sl_xstrdup(title) : NULL;
	t->ncol = ncol;
	t->hdr = sl_xmalloc(ncol * sizeof(char *));
	for (i = 0; i < ncol; i++)
		t->hdr[i] = sl_xstrdup(hdr[i]);
	t->rows = NULL;
	t->nrows = 0;
	return t;
}

void
sl_table_row(struct sl_table *t, const char **cells)
{
	char  **r = sl_xmalloc(t->ncol * sizeof(char *));
	int	i;

	for (i = 0; i < t->ncol; i++)
		r[i] = sl_xstrdup(cells[i] != NULL ? cells[i] : "");
	t->rows = sl_xrealloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
	t->rows[t->nrows++] = r;
}

static void
rule(FILE *f, const size_t *w, int ncol, const char *l, const char *m,
    const char *r, const char *h)
{
	int	i;
	size_t	k;

	fputs(l, f);
	for (i = 0; i < ncol; i++) {
		for (k = 0; k < w[i] + 2; k++)
			fputs(h, f);
		fputs(i + 1 < ncol ? m : r, f);
	}
	fputc('\n', f);
}

static void
line(FILE *f, const size_t *w, int ncol, char **cells, const char *sep,
    int boxed)
{
	int	i;
	size_t	k;

	if (boxed)
		fputs(sep, f);
	for (i = 0; i < ncol; i++) {
		if (boxed)
			fputc(' ', f);
		fputs(cells[i], f);
		if (boxed || i + 1 < ncol)
			for (k = width(cells[i]); k < w[i]; k++)
				fputc(' ', f);
		if (boxed)
			fprintf(f, " %s", sep);
		else if (i + 1 < ncol)
			fputs("  ", f);
	}
	fputc('\n', f);
}

static void
centred(FILE *f, const char *s, size_t total)
{
	size_t	n = width(s), k;

	for (k = 0; n < total && k < (total - n) / 2; k++)
		fputc(' ', f);
	fprintf(f, "%s\n", s);
}

void
sl_table_print(struct sl_table *t, FILE *f, int boxed, const char *caption)
{
	size_t	w[32], total = 1, r;
	int	i;

	if (t->ncol > 32)
		sl_panic("sl_table_print: %d columns", t->ncol);
	for (i = 0; i < t->ncol; i++) {
		w[i] = width(t->hdr[i]);
		for (r = 0; r < t->nrows; r++)
			if (width(t->rows[r][i]) > w[i])
				w[i] = width(t->rows[r][i]);
		total += w[i] + 3;
	}
	if (!boxed) {
		if (t->title != NULL)
			fprintf(f, "%s\n", t->title);
		line(f, w, t->ncol, t->hdr, "", 0);
		for (r = 0; r < t->nrows; r++)
			line(f, w, t->ncol, t->rows[r], "", 0);
		if (caption != NULL)
			fprintf(f, "%s\n", caption);
		return;
	}
	if (t->title != NULL)
		centred(f, t->title, total);
	rule(f, w, t->ncol, "┏", "┳", "┓", "━");
	line(f, w, t->ncol, t->hdr, "┃", 1);
	rule(f, w, t->ncol, "┡", "╇", "┩", "━");
	for (r = 0; r < t->nrows; r++)
		line(f, w, t->ncol, t->rows[r], "│", 1);
	rule(f, w, t->ncol, "└", "┴", "┘", "─");
	if (caption != NULL)
		centred(f, caption, total);
}

void
sl_table_free(struct sl_table *t)
{
	size_t	r;
	int	i;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncol; i++)
			free(t->rows[r][i]);
		free(t->rows[r]);
	}
	for (i = 0; i < t->ncol; i++)
		free(t->hdr[i]);
	free(t->hdr);
	free(t->rows);
	free(t->title);
	free(t);
}
