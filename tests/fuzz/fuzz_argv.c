/*
 * fuzz_argv.c - the argv encoding (sl_cmd_from_argv, lib/runfile.c): any
 * argument vector becomes a /bin/sh command that executes exactly it.
 *
 * Input: the arguments, separated by NUL bytes.  Checked:
 *	- the command holds only bytes an INI double-quoted value can hold
 *	  (no '"', no byte below 0x20, no 0x7f);
 *	- decode(encode(argv)) == argv, where decode is a strict reader of
 *	  exactly the shell subset the encoder writes (the IFS= and vNNN=
 *	  prologue, then "exec" (not before a quoted program named -x) and
 *	  words of bare characters, '...', \' and ${vNNN}); anything else in
 *	  the command is a failure;
 *	- sl_cmd_argv_of, what flow-run shows as argv, reads argv back;
 *	- sl_cmd_program, with the last argument as the run's PATH, gives
 *	  only absolute paths of the program, each once;
 *	- the run it makes is stored and read back (sl_runspec_store), or
 *	  refused only for its size;
 *	- for one input in 256 (picked by a hash of it), /bin/sh itself runs the
 *	  command with printf '%s\0' in front and must print argv back.
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

extern char **environ;

/* oct3 - three octal digits at p (not sscanf: it measures the string) */
static int
oct3(const char *p, unsigned *o)
{
	int	i;

	for (*o = 0, i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '7')
			return -1;
		*o = *o * 8 + (unsigned)(p[i] - '0');
	}
	return 0;
}

/* decode - the vector the command executes, or -1 if not the subset */
static int
decode(const char *cmd, char ***out, size_t *n)
{
	char	val[256] = { 0 };
	int	have[256] = { 0 };
	struct sl_buf w = { 0 };
	const char *p = cmd;
	char  **v = NULL;
	size_t	k = 0;
	unsigned o;
	int	inword;

	if (strncmp(p, "IFS=;", 5) == 0) {
		p += 5;
		while (p[0] == 'v') {
			char	want[80];

			if (oct3(p + 1, &o) < 0 || o > 255)
				return -1;
			snprintf(want, sizeof(want), "v%03o=$(printf '\\%03o.');"
			    "v%03o=${v%03o%%.};", o, o, o, o);
			if (strncmp(p, want, strlen(want)) != 0)
				return -1;
			p += strlen(want);
			val[o] = (char)o;
			have[o] = 1;
		}
	}
	if (strncmp(p, "exec ", 5) == 0)
		p += 5;
	else if (strncmp(p, "'-", 2) != 0)	/* a program named -x: no exec */
		return -1;
	for (;;) {
		sl_buf_free(&w);
		memset(&w, 0, sizeof(w));
		inword = 0;
		while (*p != '\0' && *p != ' ') {
			inword = 1;
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');

				if (e == NULL)
					return -1;
				sl_buf_add(&w, p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else if (p[0] == '\\' && p[1] == '\'') {
				sl_buf_add(&w, "'", 1);
				p += 2;
			} else if (p[0] == '$') {
				if (strncmp(p, "${v", 3) != 0 ||
				    oct3(p + 3, &o) < 0 || o > 255 ||
				    !have[o] || p[6] != '}')
					return -1;
				sl_buf_add(&w, &val[o], 1);
				p += 7;
			} else if (strchr("_@%+=:,./-", *p) != NULL ||
			    (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z')) {
				sl_buf_add(&w, p, 1);
				p++;
			} else
				return -1;
		}
		if (!inword)
			return -1;
		v = realloc(v, (k + 1) * sizeof(*v));
		if (v == NULL)
			abort();
		v[k++] = w.s != NULL ? w.s : strdup("");
		w.s = NULL;
		if (*p == '\0')
			break;
		p++;			/* one blank between words */
	}
	*out = v;
	*n = k;
	return 0;
}

/* by_shell - /bin/sh runs the command printing argv[1..]: same vector? */
static void
by_shell(int argc, char **argv)
{
	char  **v = malloc((size_t)(argc + 2) * sizeof(*v)), *cmd, *out = NULL;
	char   *sh[] = { "sh", "-c", NULL, NULL };
	posix_spawn_file_actions_t fa;
	size_t	len = 0, cap = 0, off;
	ssize_t	got;
	pid_t	pid;
	int	fds[2], st, i;

	if (v == NULL || pipe(fds) < 0)
		abort();
	v[0] = "printf";
	v[1] = "%s\\0";
	for (i = 0; i < argc; i++)
		v[i + 2] = argv[i];
	cmd = sl_cmd_from_argv(argc + 2, v);
	sh[2] = cmd;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	FUZZ_CHECK(posix_spawn(&pid, "/bin/sh", &fa, NULL, sh, environ) == 0,
	    "spawn");
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	for (;;) {
		if (len + 4096 > cap && (out = realloc(out, cap = 2 * cap +
		    4096)) == NULL)
			abort();
		if ((got = read(fds[0], out + len, cap - len)) < 0 &&
		    errno == EINTR)
			continue;	/* libFuzzer's SIGALRM */
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	FUZZ_CHECK(WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "sh failed (%#x): %s", st, cmd);
	for (i = 0, off = 0; i < argc; i++) {
		size_t	n = strlen(argv[i]);

		FUZZ_CHECK(off + n < len + 1 && memcmp(out + off, argv[i], n) == 0 &&
		    out[off + n] == '\0', "sh gave another argument %d: %s", i,
		    cmd);
		off += n + 1;
	}
	FUZZ_CHECK(off == len, "sh printed more");
	free(out);
	free(cmd);
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_runspec r;
	char  **argv = NULL, **back, *buf, *cmd, *text, err[SL_ERR_MAX];
	const unsigned char *c;
	size_t	argc = 0, n, i, len;

	if (size == 0 || size > 8192)
		return 0;
	buf = fuzz_str(data, size);
	for (i = 0; i <= size; i += strlen(buf + i) + 1) {
		argv = realloc(argv, (argc + 1) * sizeof(*argv));
		if (argv == NULL)
			abort();
		argv[argc++] = buf + i;
	}
	cmd = sl_cmd_from_argv((int)argc, argv);
	for (c = (const unsigned char *)cmd; *c; c++)
		FUZZ_CHECK(*c != '"' && *c >= 0x20 && *c != 0x7f,
		    "byte %#x in the command", *c);
	FUZZ_CHECK(decode(cmd, &back, &n) == 0, "not the subset: %s", cmd);
	FUZZ_CHECK(n == argc, "%zu words for %zu arguments", n, argc);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(strcmp(back[i], argv[i]) == 0, "argument %zu", i);
		free(back[i]);
	}
	free(back);
	/* and what flow-run shows as argv reads the same vector back */
	{
		int	k;

		back = sl_cmd_argv_of(cmd, &k);
		FUZZ_CHECK(back != NULL && (size_t)k == argc,
		    "sl_cmd_argv_of: %s", cmd);
		for (i = 0; i < argc; i++)
			FUZZ_CHECK(strcmp(back[i], argv[i]) == 0,
			    "sl_cmd_argv_of: argument %zu", i);
		sl_strv_free(back, argc);
	}
	/* the paths a plain command's process tries (sl_cmd_program), with
	 * the last argument as the run's PATH: each absolute, the program's
	 * name after a '/' (or the name itself, if it holds one), shorter
	 * than PATH_MAX, none twice, no more than PATH has entries */
	{
		char   *env[] = { NULL, NULL }, *cands, **words, *q;
		const char *nm;
		size_t	nc = 0, ne = 1, nl;

		env[0] = malloc(strlen(argv[argc - 1]) + 6);
		if (env[0] == NULL)
			abort();
		sprintf(env[0], "PATH=%s", argv[argc - 1]);
		for (q = env[0]; *q; q++)
			ne += *q == ':';
		if ((cands = sl_cmd_program(cmd, env, &words)) == NULL)
			FUZZ_CHECK(words == NULL, "no paths, but words");
		else {
			FUZZ_CHECK(words != NULL && words[0] != NULL,
			    "paths, but no words: %s", cmd);
			nm = words[0];
			nl = strlen(nm);
			for (q = cands; *q; q += strlen(q) + 1, nc++) {
				char   *r2;

				FUZZ_CHECK(q[0] == '/' && strlen(q) < PATH_MAX,
				    "path %zu: %s", nc, q);
				FUZZ_CHECK(strchr(nm, '/') != NULL ?
				    strcmp(q, nm) == 0 : strlen(q) > nl &&
				    strcmp(q + strlen(q) - nl, nm) == 0 &&
				    q[strlen(q) - nl - 1] == '/',
				    "path %zu is not of %s: %s", nc, nm, q);
				for (r2 = cands; r2 < q; r2 += strlen(r2) + 1)
					FUZZ_CHECK(strcmp(r2, q) != 0,
					    "path %s twice", q);
			}
			FUZZ_CHECK(nc >= 1 && nc <= ne, "%zu paths for %zu "
			    "PATH entries", nc, ne);
			free(words);
		}
		free(cands);
		free(env[0]);
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1c");
	snprintf(r.pool, sizeof(r.pool), "P");
	snprintf(r.queue, sizeof(r.queue), "Q");
	r.command = cmd;
	r.attempt = 1;
	r.owner_uid = r.owner_gid = 0;
	if ((text = sl_runspec_store(&r, &len, err, sizeof(err))) == NULL)
		FUZZ_CHECK(strstr(err, "2 MiB") != NULL || strstr(err,
		    "keys") != NULL, "not stored: %s", err);
	free(text);
	for (i = 0, n = 2166136261u; i < size; i++)	/* FNV-1a */
		n = (n ^ data[i]) * 16777619u;
	if ((n & 0xff) == 0)		/* one input in 256, by content */
		by_shell((int)argc, argv);
	free(cmd);
	free(argv);
	free(buf);
	return 0;
}
