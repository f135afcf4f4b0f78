/*
 * opt.c - the option parser of sluice, sluice-agent and sluice-dispatch:
 * a table of options, each with a long name ("--pool"), a short one
 * ("-p") or both, and whether it takes a value; the words of argv read
 * one at a time, in order, so that a program checks each option as it
 * comes.
 *
 * A word is an option if it starts with '-' and is neither "-" nor a
 * negative number ("-1" is an argument, and a bad number).  An option that
 * takes a value has it inline ("--pool=VALUE", long names only) or in the
 * next word, whatever that word looks like ("--pool VALUE", "-p VALUE").
 * An option that takes no value has no "=VALUE" ("--json=1" is unknown).
 * A value may not be empty.  "--" ends the options for a caller that says
 * so (SL_OPT_DASHDASH): the words after it are its to take (g->i);
 * otherwise it is an unknown option like any other.  An option the
 * caller does not allow here (g->allow) is unknown too.
 *
 * A refused word comes back with the message the programs print: the
 * option named as given, or by its long name (SL_OPT_SAYLONG: sluice), or
 * by its short name when it has one (SL_OPT_SAYSHORT: sluice-agent); an
 * inline value that is empty names it by its short name when it has one
 * (sluice-dispatch and sluice-agent have always said "-p" there).
 */
#include <stdio.h>
#include <string.h>

#include "sluice.h"

/* sl_opt_is - does this word look like an option?  "-1" is a (bad) number */
int
sl_opt_is(const char *w)
{
	return w[0] == '-' && w[1] != '\0' && !(w[1] >= '0' && w[1] <= '9');
}

/* sl_opt_find - which option of tab is this word, and its "=value" if any */
int
sl_opt_find(const struct sl_opt *tab, int ntab, const char *w,
    const char **inl)
{
	size_t	n;
	int	i;

	*inl = NULL;
	for (i = 0; i < ntab; i++) {
		if (tab[i].lng != NULL) {
			n = strlen(tab[i].lng);
			if (strncmp(w, tab[i].lng, n) == 0 && (w[n] == '\0' ||
			    (w[n] == '=' && tab[i].arg))) {
				if (w[n] == '=')
					*inl = w + n + 1;
				return i;
			}
		}
		if (tab[i].shrt != NULL && strcmp(w, tab[i].shrt) == 0)
			return i;
	}
	return -1;
}

/* sl_opt_init - start reading argv's words after argv[0] against tab */
void
sl_opt_init(struct sl_optget *g, const struct sl_opt *tab, int ntab,
    int flags, int argc, char **argv)
{
	memset(g, 0, sizeof(*g));
	g->tab = tab;
	g->ntab = ntab;
	g->allow = ~0UL;
	g->flags = flags;
	g->argc = argc;
	g->argv = argv;
	g->i = 1;
}

/* said - how the messages name option o, given as word */
static int
said(const struct sl_optget *g, int o, const char *word, int inl,
    const char **name)
{
	const struct sl_opt *t = &g->tab[o];

	*name = word;
	if ((g->flags & SL_OPT_SAYLONG) && t->lng != NULL)
		*name = t->lng;
	else if (((g->flags & SL_OPT_SAYSHORT) || inl) && t->shrt != NULL)
		*name = t->shrt;
	else if (inl)
		return (int)(strchr(word, '=') - word);
	return (int)strlen(*name);
}

/*
 * sl_opt_next - the next word: the index of an option in the table (its
 * value, or "" for a flag, in g->val), SL_OPT_ARG (an argument, in
 * g->val), SL_OPT_END (no more words, or "--"), or SL_OPT_UNKNOWN or
 * SL_OPT_BAD (a missing or empty value) with the message in g->err.
 */
int
sl_opt_next(struct sl_optget *g)
{
	const char *w, *inl, *name;
	int	o, n;

	g->val = NULL;
	g->err[0] = '\0';
	if (g->i >= g->argc)
		return SL_OPT_END;
	g->word = w = g->argv[g->i++];
	if ((g->flags & SL_OPT_DASHDASH) && strcmp(w, "--") == 0)
		return SL_OPT_END;
	if (!sl_opt_is(w) && !(g->flags & SL_OPT_NOARGS)) {
		g->val = w;
		return SL_OPT_ARG;
	}
	if (!sl_opt_is(w) || (o = sl_opt_find(g->tab, g->ntab, w, &inl)) < 0 ||
	    o >= (int)(sizeof(g->allow) * 8) || !(g->allow & (1UL << o))) {
		snprintf(g->err, sizeof(g->err), "unknown argument '%s'", w);
		return SL_OPT_UNKNOWN;
	}
	if (!g->tab[o].arg) {
		g->val = "";
		return o;
	}
	if (inl == NULL) {
		if (g->i >= g->argc) {
			said(g, o, w, 0, &name);
			snprintf(g->err, sizeof(g->err), "option %s needs a "
			    "value", name);
			return SL_OPT_BAD;
		}
		inl = g->argv[g->i++];
		w = NULL;
	}
	if (*inl == '\0') {
		n = said(g, o, g->word, w != NULL, &name);
		snprintf(g->err, sizeof(g->err), "option %.*s needs a value, "
		    "not an empty string", n, name);
		return SL_OPT_BAD;
	}
	g->val = inl;
	return o;
}
