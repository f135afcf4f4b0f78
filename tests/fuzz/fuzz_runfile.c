/*
 * fuzz_runfile.c - the run file parser (lib/runfile.c) with a render and
 * re-parse round trip: any text read as a dropped file either is refused
 * with a one-line printable reason, or is accepted and then
 *	- sl_runspec_store renders it, parses the text back with the trusted
 *	  parser and compares (it may refuse only a command whose quoting
 *	  needs more than 8,192 keys, the documented limit), and
 *	- the stored text, parsed again here, gives the same run, field by
 *	  field, and fits every limit of the trusted parser (lines of at
 *	  most 1,000 bytes, 2 MiB).
 * The same text is also read as a trusted file, for memory errors only.
 */
#include "fuzz.h"

static void
printable_reason(const char *why)
{
	const unsigned char *p;

	FUZZ_CHECK(why[0] != '\0', "refused without a reason");
	for (p = (const unsigned char *)why; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7f, "byte %#x in reason: %s",
		    *p, why);
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
same(const struct sl_runspec *a, const struct sl_runspec *b)
{
	size_t	i;

	FUZZ_CHECK(strcmp(a->id, b->id) == 0, "id");
	FUZZ_CHECK(strcmp(a->pool, b->pool) == 0, "pool");
	FUZZ_CHECK(strcmp(a->queue, b->queue) == 0, "queue");
	FUZZ_CHECK(same_str(a->name, b->name), "name");
	FUZZ_CHECK(same_str(a->command, b->command), "command");
	FUZZ_CHECK(a->scheduled == b->scheduled, "scheduled %lld %lld",
	    (long long)a->scheduled, (long long)b->scheduled);
	FUZZ_CHECK(a->created == b->created, "created");
	FUZZ_CHECK(a->retries == b->retries, "retries");
	FUZZ_CHECK(a->retry_delay == b->retry_delay, "retry_delay");
	FUZZ_CHECK(a->timeout == b->timeout, "timeout");
	FUZZ_CHECK(same_str(a->cwd, b->cwd), "cwd");
	FUZZ_CHECK(same_str(a->deployment, b->deployment), "deployment");
	FUZZ_CHECK(a->attempt == b->attempt, "attempt");
	FUZZ_CHECK(a->owner_uid == b->owner_uid, "owner_uid");
	FUZZ_CHECK(a->owner_gid == b->owner_gid, "owner_gid");
	FUZZ_CHECK(a->nenv == b->nenv, "nenv %zu %zu", a->nenv, b->nenv);
	for (i = 0; i < a->nenv; i++)
		FUZZ_CHECK(strcmp(a->env[i], b->env[i]) == 0, "env %zu", i);
}

static void
lines_fit(const char *text, size_t len)
{
	const char *p = text, *nl;

	FUZZ_CHECK(len <= 2 * SL_INI_MAX, "stored %zu bytes", len);
	for (; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		FUZZ_CHECK(nl != NULL, "last line without a newline");
		FUZZ_CHECK(nl - p <= 1000, "a stored line of %d bytes",
		    (int)(nl - p));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_runspec r, back, t;
	char	err[SL_ERR_MAX], *text;
	size_t	len;

	if (size > SL_INI_MAX + 16)
		return 0;
	err[0] = '\0';
	if (sl_runspec_parse((const char *)data, size, 1000000000, 0, &r, err,
	    sizeof(err)) < 0) {
		printable_reason(err);
		FUZZ_CHECK(r.command == NULL && r.env == NULL, "left in r");
	} else {
		FUZZ_CHECK(r.command != NULL && *r.command != '\0', "no command");
		snprintf(r.id, sizeof(r.id), "0e6d2b4c-8c1e-4a5e-9b3a-2f4d6e8a0b1c");
		snprintf(r.pool, sizeof(r.pool), "P");
		snprintf(r.queue, sizeof(r.queue), "Q");
		r.created = 1000000000;
		r.owner_uid = 1000;
		r.owner_gid = 100;
		if ((text = sl_runspec_store(&r, &len, err, sizeof(err))) == NULL) {
			printable_reason(err);
			FUZZ_CHECK(strstr(err, "more than 8192 keys") != NULL,
			    "accepted, then not storable: %s", err);
		} else {
			lines_fit(text, len);
			FUZZ_CHECK(sl_runspec_parse(text, len, 0, 1, &back, err,
			    sizeof(err)) == 0, "stored, unreadable: %s", err);
			same(&r, &back);
			sl_runspec_free(&back);
			free(text);
		}
		sl_runspec_free(&r);
	}
	if (sl_runspec_parse((const char *)data, size, 1000000000, 1, &t, err,
	    sizeof(err)) == 0)
		sl_runspec_free(&t);
	else
		printable_reason(err);
	return 0;
}
