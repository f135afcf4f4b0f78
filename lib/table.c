/*
 * table.c - tables for people, in Prefect's shapes.
 *
 * On a terminal: a title, box-drawing borders as rich draws them, and a
 * caption.  Elsewhere (a pipe, a file): the same title, columns aligned
 * with two spaces and no borders, so that grep, cut and awk work on it.
 * Scripts should use --json.
 *
 * Widths are terminal columns (wcwidth: a CJK character takes two, a
 * combining mark none), whatever the process's own locale.  On a terminal
 * the table is fitted to its width (TIOCGWINSZ, else $COLUMNS): the widest
 * columns give up space first and their cells are cut with an ellipsis;
 * in a pipe nothing is ever cut.  Borders are box drawing unless the
 * user's locale names a character set other than UTF-8 (then + = - | and
 * '~' for the ellipsis); the C locale counts as UTF-8, as it does for
 * Python's rich (PEP 538).
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "sluice.h"

int	sl_table_columns;		/* the terminal's width; 0: ask it */
int	sl_table_ascii = -1;		/* ASCII borders; -1: from the locale */

/* a boxed table's columns are narrowed down to this, no further */
#define MIN_COL	6

struct sl_table {
	char   *title;
	int	ncol;
	char  **hdr;
	char ***rows;
	size_t	nrows;
};

/* char_width - the columns the UTF-8 character at s takes, and in *len
 * its bytes; a byte that starts none takes one column */
static size_t
char_width(const char *s, size_t *len)
{
	static locale_t utf8;
	mbstate_t st;
	locale_t old;
	wchar_t	wc;
	size_t	n;
	int	w = 1;

	if (utf8 == (locale_t)0)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	*len = 1;
	if (utf8 == (locale_t)0)	/* no C.UTF-8: one per code point */
		return ((unsigned char)*s & 0xc0) == 0x80 ? 0 : 1;
	memset(&st, 0, sizeof(st));
	old = uselocale(utf8);
	n = mbrtowc(&wc, s, strnlen(s, 4), &st);
	if (n != (size_t)-1 && n != (size_t)-2 && n != 0) {
		*len = n;
		w = wcwidth(wc);
	}
	uselocale(old);
	return w < 0 ? 1 : (size_t)w;
}

/* width - display columns of a UTF-8 string */
static size_t
width(const char *s)
{
	size_t	n = 0, len;

	while (*s != '\0') {
		n += char_width(s, &len);
		s += len;
	}
	return n;
}

/* ascii - draw with ASCII: the user's locale is neither UTF-8 nor C */
static int
ascii(void)
{
	static const char *const env[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *v = NULL;
	locale_t loc;
	size_t	i;
	int	r;

	if (sl_table_ascii >= 0)
		return sl_table_ascii;
	for (i = 0; i < 3 && (v == NULL || *v == '\0'); i++)
		v = getenv(env[i]);
	if (v == NULL || *v == '\0' || strcmp(v, "C") == 0 ||
	    strcmp(v, "POSIX") == 0 || strcasestr(v, "utf-8") != NULL ||
	    strcasestr(v, "utf8") != NULL)
		return 0;
	if ((loc = newlocale(LC_CTYPE_MASK, v, (locale_t)0)) == (locale_t)0)
		return 0;	/* not installed here: the C locale */
	r = strcmp(nl_langinfo_l(CODESET, loc), "UTF-8") != 0;
	freelocale(loc);
	return r;
}

/* term_columns - the width to fit a boxed table on f to; 0: no limit */
static size_t
term_columns(FILE *f)
{
	struct winsize ws;
	const char *c;
	long	n;

	if (sl_table_columns > 0)
		return (size_t)sl_table_columns;
	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if ((c = getenv("COLUMNS")) != NULL && sl_num_parse(c, 10, 100000,
	    &n) == 0)
		return (size_t)n;
	return 0;
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

/* cell - s in at most w columns: whole, or cut with the one-column more;
 * returns the columns written */
static size_t
cell(FILE *f, const char *s, size_t w, const char *more)
{
	size_t	n = 0, cw, len;

	if ((n = width(s)) <= w) {
		fputs(s, f);
		return n;
	}
	n = 0;
	while (*s != '\0' && n + (cw = char_width(s, &len)) + 1 <= w) {
		fwrite(s, 1, len, f);
		n += cw;
		s += len;
	}
	fputs(more, f);
	return n + 1;
}

static void
line(FILE *f, const size_t *w, int ncol, char **cells, const char *sep,
    int boxed, const char *more)
{
	int	i;
	size_t	k, n;

	if (boxed)
		fputs(sep, f);
	for (i = 0; i < ncol; i++) {
		if (boxed)
			fputc(' ', f);
		n = cell(f, cells[i], w[i], more);
		if (boxed || i + 1 < ncol)
			for (k = n; k < w[i]; k++)
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

/* fit - narrow the widest column by one, again and again, until the boxed
 * table is at most cols wide or none is wider than MIN_COL; its width */
static size_t
fit(size_t *w, int ncol, size_t total, size_t cols)
{
	int	i, widest;

	while (cols > 0 && total > cols) {
		for (widest = 0, i = 1; i < ncol; i++)
			if (w[i] > w[widest])
				widest = i;
		if (w[widest] <= MIN_COL)
			break;
		w[widest]--;
		total--;
	}
	return total;
}

void
sl_table_print(struct sl_table *t, FILE *f, int boxed, const char *caption)
{
	/* top left, middle, right, rule; header side; under the header
	 * left, middle, right; row side; bottom left, middle, right, rule */
	static const char *const box[2][13] = {
		{ "┏", "┳", "┓", "━", "┃", "┡", "╇", "┩", "│", "└", "┴", "┘",
		    "─" },
		{ "+", "+", "+", "=", "|", "+", "+", "+", "|", "+", "+", "+",
		    "-" } };
	const char *const *b;
	const char *more;
	size_t	w[32], total = 1, r;
	int	i, a;

	if (t->ncol > 32)
		sl_panic("sl_table_print: %d columns", t->ncol);
	for (i = 0; i < t->ncol; i++) {
		w[i] = width(t->hdr[i]);
		for (r = 0; r < t->nrows; r++)
			if (width(t->rows[r][i]) > w[i])
				w[i] = width(t->rows[r][i]);
		total += w[i] + 3;
	}
	if (!boxed) {	/* a pipe or a file: never cut */
		if (t->title != NULL)
			fprintf(f, "%s\n", t->title);
		line(f, w, t->ncol, t->hdr, "", 0, "");
		for (r = 0; r < t->nrows; r++)
			line(f, w, t->ncol, t->rows[r], "", 0, "");
		if (caption != NULL)
			fprintf(f, "%s\n", caption);
		return;
	}
	a = ascii();
	b = box[a];
	more = a ? "~" : "…";
	total = fit(w, t->ncol, total, term_columns(f));
	if (t->title != NULL)
		centred(f, t->title, total);
	rule(f, w, t->ncol, b[0], b[1], b[2], b[3]);
	line(f, w, t->ncol, t->hdr, b[4], 1, more);
	rule(f, w, t->ncol, b[5], b[6], b[7], b[3]);
	for (r = 0; r < t->nrows; r++)
		line(f, w, t->ncol, t->rows[r], b[8], 1, more);
	rule(f, w, t->ncol, b[9], b[10], b[11], b[12]);
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
