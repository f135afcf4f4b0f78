/*
 * ini.c - INI files through iniparser.
 *
 * iniparser 4.1 reads only named files, so text already in memory (read
 * once, size-capped, trailer-checked) is split into lines here, in
 * iniparser's dialect, and stored in an iniparser dictionary: the bytes
 * parsed are exactly the bytes checked, whatever happens to the file
 * meanwhile, at no system call.  Names fold to lower case; values
 * keep their case.  It cuts an unquoted value at ';' or '#' and cannot hold
 * '"' inside a quoted one, so sluice writes only values for which
 * sl_ini_value_ok() holds, and checks that before writing.
 *
 * Files that other hosts read end with SL_INI_TRAILER: a reader that does
 * not find it has a torn or foreign file and must not trust it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iniparser/dictionary.h>
#include <iniparser/iniparser.h>

#include "sluice.h"

struct sl_ini {
	dictionary *d;
};

#define LINE_MAX_INI	1022	/* iniparser 4.1's longest line, '\n' aside */

/* strip - cut isspace() characters at both ends of s[0..*len), in place */
static char *
strip(char *s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)s[*len - 1]))
		(*len)--;
	while (*len > 0 && isspace((unsigned char)*s)) {
		s++;
		(*len)--;
	}
	s[*len] = '\0';
	return s;
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * line - one logical line (stripped, non-empty, not a comment) into d:
 * "[sec]" starts a section; "key = value" sets sec:key.  The dialect is
 * iniparser 4.1's: names fold to lower case; a value in "" or '' is kept
 * as is up to the closing quote; an unquoted value ends at ';' or '#' and
 * loses its blanks; "" and '' alone are empty.  Returns 0, or -1 for a
 * line that is neither (a syntax error).
 */
static int
line(dictionary *d, char *sec, char *l, size_t len)
{
	char	key[2 * LINE_MAX_INI + 2], *k, *v, *e, q;
	size_t	kl, vl;

	if (l[0] == '[' && l[len - 1] == ']') {
		/* "[]...": iniparser names the current section again, cut
		 * to the line's length less one */
		if ((e = strchr(l + 1, ']')) == l + 1 && strlen(sec) >= len)
			sec[len - 1] = '\0';
		else if (e != l + 1) {
			vl = (size_t)(e - (l + 1));
			memcpy(sec, l + 1, vl);
			k = strip(sec, &vl);
			memmove(sec, k, vl + 1);
			lower(sec);
		}
		return dictionary_set(d, sec, NULL) < 0 ? -2 : 0;
	}
	if (l[0] == '=' || (e = strchr(l, '=')) == NULL)
		return -1;
	kl = (size_t)(e - l);
	k = strip(l, &kl);
	lower(k);
	v = e + 1;
	while (isspace((unsigned char)*v))
		v++;
	q = *v;
	if ((q == '"' || q == '\'') && v[1] != '\0' && v[1] != q) {
		v++;
		if ((e = strchr(v, q)) != NULL)
			*e = '\0';	/* what follows the quote is dropped */
	} else {
		vl = strcspn(v, ";#");
		v = strip(v, &vl);
		if (strcmp(v, "\"\"") == 0 || strcmp(v, "''") == 0)
			v[0] = '\0';
	}
	snprintf(key, sizeof(key), "%s:%s", sec, k);
	return dictionary_set(d, key, v) < 0 ? -2 : 0;
}

/*
 * sl_ini_parse - INI text in memory, read by our own line splitter into
 * an iniparser dictionary (iniparser 4.1 itself reads only named files,
 * which cost a memfd, a write and a reopen per parse).  The bytes parsed
 * are exactly the bytes the caller checked.
 */
struct sl_ini *
sl_ini_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct sl_ini *ini;
	dictionary *d;
	char	buf[LINE_MAX_INI + 2], sec[LINE_MAX_INI + 1] = "", *l;
	const char *e;
	size_t	off = 0, n, have = 0;
	long	lineno = 0;
	int	rc;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "contains a NUL byte: not a text file");
		errno = EINVAL;
		return NULL;
	}
	if ((d = dictionary_new(0)) == NULL)
		sl_fatal("out of memory");
	while (off < len) {
		lineno++;
		e = memchr(text + off, '\n', len - off);
		n = e != NULL ? (size_t)(e - (text + off)) : len - off;
		if (have + n > LINE_MAX_INI) {
			snprintf(err, errlen, "not an INI file (input line too "
			    "long on line %ld)", lineno);
			goto bad;
		}
		memcpy(buf + have, text + off, n);
		off += n + 1;
		n += have;
		have = 0;
		while (n > 0 && isspace((unsigned char)buf[n - 1]))
			n--;
		if (n > 0 && buf[n - 1] == '\\') {
			have = n - 1;	/* continued on the next line */
			continue;
		}
		l = strip(buf, &n);
		if (n == 0 || l[0] == '#' || l[0] == ';')
			continue;
		if ((rc = line(d, sec, l, n)) == -2)
			sl_fatal("out of memory");
		if (rc < 0) {
			snprintf(err, errlen, "not an INI file (syntax error "
			    "on line %ld: %.*s)", lineno, (int)n, l);
			goto bad;
		}
	}
	ini = sl_xmalloc(sizeof(*ini));
	ini->d = d;
	return ini;
bad:
	dictionary_del(d);
	errno = EINVAL;
	return NULL;
}

struct sl_ini *
sl_ini_load(const char *path, int need_trailer, char *err, size_t errlen)
{
	struct sl_ini *ini;
	char   *text, why[SL_ERR_MAX - 100];
	ssize_t	n;
	size_t	tl = strlen(SL_INI_TRAILER);

	if ((n = sl_read_file(path, &text, SL_INI_MAX)) < 0) {
		int	saved = errno;

		snprintf(err, errlen, "cannot read %s: %s", path,
		    errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		errno = saved;
		return NULL;
	}
	if (need_trailer && ((size_t)n < tl ||
	    memcmp(text + n - tl, SL_INI_TRAILER, tl) != 0)) {
		snprintf(err, errlen, "%s is incomplete: it does not end with "
		    "the line \"%.*s\"", path, (int)tl - 1, SL_INI_TRAILER);
		free(text);
		errno = EAGAIN;
		return NULL;
	}
	if ((ini = sl_ini_parse(text, (size_t)n, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return ini;
}

void
sl_ini_free(struct sl_ini *ini)
{
	if (ini == NULL)
		return;
	iniparser_freedict(ini->d);
	free(ini);
}

const char *
sl_ini_get(const struct sl_ini *ini, const char *sec, const char *key)
{
	char	k[256];

	/* a longer key would be looked up cut short: as another key */
	if (snprintf(k, sizeof(k), "%s:%s", sec, key) >= (int)sizeof(k))
		return NULL;
	return iniparser_getstring(ini->d, k, NULL);
}

int
sl_ini_nsec(const struct sl_ini *ini)
{
	return iniparser_getnsec(ini->d);
}

int
sl_ini_nkeys(const struct sl_ini *ini, const char *sec)
{
	return iniparser_getsecnkeys(ini->d, sec);
}

/* sl_ini_key - the i-th key of sec, without the "sec:" prefix */
const char *
sl_ini_key(const struct sl_ini *ini, const char *sec, int i)
{
	const char **keys;
	const char *k;
	int	n = iniparser_getsecnkeys(ini->d, sec);

	if (i < 0 || i >= n)
		return NULL;
	keys = sl_xmalloc(n * sizeof(*keys));
	k = iniparser_getseckeys(ini->d, sec, keys) != NULL ? keys[i] : NULL;
	free(keys);
	/* the section may hold ':' itself: skip its name, not to a ':' */
	if (k != NULL && strlen(k) > strlen(sec))
		k += strlen(sec) + 1;
	return k;
}

const char *
sl_ini_secname(const struct sl_ini *ini, int i)
{
	return iniparser_getsecname(ini->d, i);
}

/* sl_ini_value_ok - does this value read back exactly as written? */
int
sl_ini_value_ok(const char *v)
{
	size_t	n = strlen(v);

	/* iniparser strips every kind of blank at both ends */
	if (n > 0 && (isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[n - 1])))
		return 0;
	return strpbrk(v, ";#\"'\\\n\r=") == NULL && n <= 900;
}

void
sl_ini_put(struct sl_buf *b, const char *key, const char *val)
{
	if (!sl_ini_value_ok(val) || strlen(key) > 64)
		sl_panic("sl_ini_put: value of %s cannot be stored: %s", key, val);
	sl_buf_printf(b, "%s = %s\n", key, val);
}

/* sl_ini_put_quoted - "key = value" quoted (a shell command holds quotes
 * and ';'), nothing for ""; the caller checked that it can be stored */
void
sl_ini_put_quoted(struct sl_buf *b, const char *key, const char *val)
{
	char   *q;

	if (val[0] == '\0')
		return;
	if ((q = sl_ini_quote(val)) == NULL)
		sl_panic("sl_ini_put_quoted: %s cannot be stored: %s", key, val);
	sl_buf_printf(b, "%s = %s\n", key, q);
	free(q);
}
