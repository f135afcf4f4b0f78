/*
 * ini.c - INI files through iniparser.
 *
 * iniparser 4.1 reads only named files, so text already in memory (read
 * once, size-capped, trailer-checked) is handed to it through a memfd: the
 * bytes parsed are exactly the bytes checked, whatever happens to the file
 * meanwhile.  iniparser folds section and key names to lower case; values
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
#include <sys/mman.h>
#include <unistd.h>

#include <iniparser/iniparser.h>

#include "sluice.h"

struct sl_ini {
	dictionary *d;
};

static char parse_error[600];

/*
 * on_error - keep iniparser's first complaint, in our words: it names the
 * memfd ("syntax error in /proc/self/fd/3 (7):\n-> text"), which means
 * nothing to a person; say "syntax error on line 7: text" instead.
 */
static int
on_error(const char *fmt, ...)
{
	char	raw[512], *p, *q, *what = raw;
	long	line = 0;
	va_list	ap;

	if (parse_error[0] != '\0')
		return 0;		/* keep the first */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (strncmp(what, "iniparser: ", 11) == 0)
		what += 11;
	if ((p = strstr(what, " in /proc/self/fd/")) != NULL) {
		*p = '\0';
		if ((q = strchr(p + 1, '(')) != NULL)
			line = strtol(q + 1, NULL, 10);
		q = strstr(p + 1, "-> ");
		snprintf(parse_error, sizeof(parse_error), "%s on line %ld%s%.*s",
		    what, line, q ? ": " : "",
		    q ? (int)strcspn(q + 3, "\n") : 0, q ? q + 3 : "");
	} else
		snprintf(parse_error, sizeof(parse_error), "%.*s",
		    (int)strcspn(what, "\n"), what);
	return 0;
}

struct sl_ini *
sl_ini_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct sl_ini *ini;
	char	path[64];
	dictionary *d;
	size_t	off = 0;
	ssize_t	n;
	int	fd;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "contains a NUL byte: not a text file");
		errno = EINVAL;
		return NULL;
	}
	if ((fd = memfd_create("sluice-ini", MFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return NULL;
	}
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "write to memfd: %s", strerror(errno));
			close(fd);
			return NULL;
		}
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	parse_error[0] = '\0';
	iniparser_set_error_callback(on_error);
	d = iniparser_load(path);
	close(fd);
	if (d == NULL || parse_error[0] != '\0') {
		snprintf(err, errlen, "not an INI file (%s)",
		    parse_error[0] ? parse_error : "unreadable");
		if (d != NULL)
			iniparser_freedict(d);
		errno = EINVAL;
		return NULL;
	}
	ini = sl_xmalloc(sizeof(*ini));
	ini->d = d;
	return ini;
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
	if (k != NULL && strchr(k, ':') != NULL)
		k = strchr(k, ':') + 1;
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
