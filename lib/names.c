/*
 * names.c - the names people give (pools, queues, deployments, agents) and
 * the names sluice makes up for runs.
 *
 * A name is [A-Za-z0-9][A-Za-z0-9._-]{0,63} (sluice(1), "Names"): safe as one path
 * component on every filesystem, never "." or "..", never a dotfile (the
 * spool's own scratch names start with a dot), never an option.
 *
 * A run's directory is named by sluice alone, by where it is
 * (spool-layout.md, "Runs"):
 *
 *	T.U.ID			the token: sched/, pending/AGENT/, running/
 *	.KIND.E.U2.T.U.ID	in flight between two renames (KIND claim or
 *				crash): pending/AGENT/, running/
 *	ID.STATE		done/ (Completed, Failed, Crashed, Cancelled)
 *	ID			rejected/
 *	E.ID.U2			tmp/: being built, private to its maker
 *
 * T is the scheduled time in seconds and U the submission time in
 * microseconds, 16 lowercase hex digits each, so that sched/ in byte order
 * is the order runs are taken in; E is the epoch second the name was made
 * (its age, never an mtime); U2 a fresh UUID, which makes the name private
 * to its maker.  This file is the only one that makes or parses these
 * names; sl_run_entry says what an entry of a state directory is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sluice.h"

static int
name_char(int c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '.' || c == '_' || c == '-');
}

/* sl_name_why - NULL if s is a valid name, else what is wrong with it */
const char *
sl_name_why(const char *s)
{
	size_t	i, n;

	if (s == NULL || *s == '\0')
		return "is empty";
	n = strlen(s);
	if (n > SL_NAME_MAX)
		return "is longer than 64 characters";
	if (!name_char((unsigned char)s[0], 1))
		return "must start with a letter or a digit";
	for (i = 1; i < n; i++)
		if (!name_char((unsigned char)s[i], 0))
			return "may hold only letters, digits, '.', '_' and '-'";
	return NULL;
}

int
sl_name_ok(const char *s)
{
	return sl_name_why(s) == NULL;
}

/*
 * Two words, adjective-animal, as Prefect's generate_slug(2).  The lists
 * leave out everything on Prefect's blocklist.
 */
static const char *const adjectives[] = {
	"agile", "amber", "ancient", "azure", "bold", "brave", "bright",
	"brisk", "calm", "candid", "clever", "cosmic", "crimson", "curious",
	"daring", "dapper", "eager", "earnest", "electric", "elegant",
	"fearless", "festive", "fluffy", "gentle", "glorious", "golden",
	"graceful", "hasty", "hidden", "humble", "icy", "jolly", "keen",
	"kind", "lively", "lucky", "lunar", "magic", "mellow", "merry",
	"misty", "modest", "nimble", "noble", "olive", "patient", "plucky",
	"polite", "quick", "quiet", "rapid", "rustic", "sandy", "serene",
	"shiny", "silent", "silver", "smart", "solid", "steady", "sunny",
	"swift", "tidy", "tranquil", "vivid", "wise", "witty", "zealous",
};

static const char *const animals[] = {
	"albatross", "alpaca", "antelope", "badger", "bat", "beetle", "bison",
	"bobcat", "buffalo", "camel", "caribou", "cheetah", "chipmunk",
	"cobra", "condor", "coyote", "crane", "dingo", "dolphin", "eagle",
	"egret", "falcon", "ferret", "finch", "gazelle", "gecko", "gibbon",
	"gopher", "heron", "hedgehog", "ibis", "iguana", "jackal", "jaguar",
	"kestrel", "koala", "lemur", "lynx", "magpie", "marmot", "meerkat",
	"mongoose", "moose", "narwhal", "newt", "ocelot", "okapi", "otter",
	"panda", "pelican", "penguin", "petrel", "puffin", "quail", "raven",
	"salamander", "seriema", "sparrow", "tapir", "toucan", "walrus",
	"weasel", "wildebeest", "wombat", "yak", "zebra",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

void
sl_slug(char *out, size_t len)
{
	unsigned int r[2];

	if (sl_random(r, sizeof(r)) < 0) {
		/* getrandom never fails for 8 bytes once booted; be total */
		r[0] = (unsigned int)time(NULL);
		r[1] = r[0] >> 7;
	}
	snprintf(out, len, "%s-%s", adjectives[r[0] % NELEM(adjectives)],
	    animals[r[1] % NELEM(animals)]);
}

/* ---- run names ---- */

_Static_assert(sizeof(".crash.") - 1 + 16 + 1 + SL_UUID_LEN + 1 + SL_TOKEN_LEN <
    SL_RUNNAME_MAX, "SL_RUNNAME_MAX holds an in-flight name");

const char *const sl_state_names[] = {
	[SL_SCHEDULED] = "Scheduled", [SL_PENDING] = "Pending",
	[SL_RUNNING] = "Running", [SL_COMPLETED] = "Completed",
	[SL_FAILED] = "Failed", [SL_CRASHED] = "Crashed",
	[SL_CANCELLED] = "Cancelled", [SL_REJECTED] = "Rejected",
};

/* sl_token_make - "T.U.ID" for a run scheduled at sched, submitted at sub_us */
void
sl_token_make(char out[SL_TOKEN_LEN + 1], time_t sched,
    unsigned long long sub_us, const char *id)
{
	snprintf(out, SL_TOKEN_LEN + 1, "%016llx.%016llx.%s",
	    (unsigned long long)sched, sub_us, id);
}

/* sl_is_token - is name a run's token (T.U.ID)? */
int
sl_is_token(const char *name)
{
	return sl_token_parse(name, NULL, NULL) == 0;
}

/* sl_token_parse - "T.U.ID": scheduled time, submission µs, run id */
int
sl_token_parse(const char *name, time_t *t, char id[SL_UUID_LEN + 1])
{
	/* each test stops at a NUL before the next reads past it */
	if (!sl_hex_ok(name, 16) || name[16] != '.' ||
	    !sl_hex_ok(name + 17, 16) || name[33] != '.' ||
	    !sl_uuid_ok(name + 34))
		return -1;
	if (t != NULL)
		*t = (time_t)strtoull(name, NULL, 16);
	if (id != NULL)
		memcpy(id, name + 34, SL_UUID_LEN + 1);
	return 0;
}

/*
 * sl_flight_name - DIR/.KIND.E.U.TOKEN: a run between two renames, under a
 * name only its mover makes (U, a fresh UUID); E, the epoch second in
 * hex, gives its age by name.  KIND: "claim" (pending/) or "crash"
 * (running/).  NULL if no UUID could be made.
 */
char *
sl_flight_name(const char *dir, const char *kind, time_t now,
    const char *token)
{
	char	u[SL_UUID_LEN + 1], name[SL_RUNNAME_MAX];

	if (sl_uuid(u) < 0)
		return NULL;
	snprintf(name, sizeof(name), ".%s.%016llx.%s.%s", kind,
	    (unsigned long long)now, u, token);
	return sl_path(dir, name, (char *)NULL);
}

/*
 * sl_flight_parse - the token in a name sl_flight_name makes (a pointer
 * into name), and its E in *born; NULL if name is not one.  kind NULL:
 * either kind.
 */
const char *
sl_flight_parse(const char *name, const char *kind, time_t *born)
{
	char	u[SL_UUID_LEN + 1];
	const char *p;

	if (kind == NULL)
		return sl_flight_parse(name, "claim", born) != NULL ?
		    sl_flight_parse(name, "claim", born) :
		    sl_flight_parse(name, "crash", born);
	if (name[0] != '.' || strncmp(name + 1, kind, strlen(kind)) != 0 ||
	    name[1 + strlen(kind)] != '.')
		return NULL;
	p = name + 2 + strlen(kind);
	if (strlen(p) < 17 + SL_UUID_LEN + 1 || !sl_hex_ok(p, 16) ||
	    p[16] != '.' || p[17 + SL_UUID_LEN] != '.')
		return NULL;
	memcpy(u, p + 17, SL_UUID_LEN);
	u[SL_UUID_LEN] = '\0';
	if (!sl_uuid_ok(u) || sl_token_parse(p + 18 + SL_UUID_LEN, NULL,
	    NULL) < 0)
		return NULL;
	if (born != NULL)
		*born = (time_t)strtoull(p, NULL, 16);
	return p + 18 + SL_UUID_LEN;
}

/* sl_done_name - "ID.STATE", a finished run's name in done/ */
void
sl_done_name(char out[SL_RUNNAME_MAX], const char *id, enum sl_state st)
{
	snprintf(out, SL_RUNNAME_MAX, "%s.%s", id, sl_state_names[st]);
}

/* sl_done_parse - "ID.STATE" of a final state: 0 and its id and state */
int
sl_done_parse(const char *name, char id[SL_UUID_LEN + 1], enum sl_state *st)
{
	int	i;

	if (strlen(name) < SL_UUID_LEN + 2 || name[SL_UUID_LEN] != '.')
		return -1;
	memcpy(id, name, SL_UUID_LEN);
	id[SL_UUID_LEN] = '\0';
	if (!sl_uuid_ok(id))
		return -1;
	for (i = SL_COMPLETED; i <= SL_CANCELLED; i++)
		if (strcmp(name + SL_UUID_LEN + 1, sl_state_names[i]) == 0) {
			*st = (enum sl_state)i;
			return 0;
		}
	return -1;
}

/*
 * sl_private_name - "E.ID.U", a run being built in tmp/: E dates it, U (a
 * fresh UUID) makes it its maker's alone, since a run id is not always
 * private (a deployment's runs get ids every scheduler derives alike)
 */
void
sl_private_name(char out[SL_RUNNAME_MAX], time_t now, const char *id,
    const char *u)
{
	snprintf(out, SL_RUNNAME_MAX, "%016llx.%s.%s", (unsigned long long)now,
	    id, u);
}

/*
 * sl_private_parse - 0 if name is one sl_private_name makes (or E.ID, as
 * older versions made them), with its E in *born; -1 if not
 */
int
sl_private_parse(const char *name, time_t *born)
{
	size_t	len = strlen(name);

	if ((len != 17 + SL_UUID_LEN && (len != 18 + 2 * SL_UUID_LEN ||
	    name[17 + SL_UUID_LEN] != '.')) || name[16] != '.' ||
	    !sl_hex_ok(name, 16))
		return -1;
	if (born != NULL)
		*born = (time_t)strtoull(name, NULL, 16);
	return 0;
}

/*
 * sl_run_entry - what an entry of a run state directory is: 1 a run, with
 * its id and state; 0 anything else (a dotfile, an editor's backup, an NFS
 * silly-rename), which sluice ignores and never deletes.  A run in flight
 * under a private name (.claim., .crash.) counts in the state of the
 * directory it is in, so that a command looking in that instant still
 * finds it.  pl: SL_PL_SCHED, SL_PL_PENDING (an agent's directory in it),
 * SL_PL_RUNNING, SL_PL_DONE or SL_PL_REJECTED.
 */
int
sl_run_entry(enum sl_place pl, const char *name, char id[SL_UUID_LEN + 1],
    enum sl_state *st)
{
	const char *tok;

	switch (pl) {
	case SL_PL_SCHED:
		*st = SL_SCHEDULED;
		return sl_token_parse(name, NULL, id) == 0;
	case SL_PL_PENDING:
	case SL_PL_RUNNING:
		*st = pl == SL_PL_PENDING ? SL_PENDING : SL_RUNNING;
		if (sl_token_parse(name, NULL, id) == 0)
			return 1;
		return (tok = sl_flight_parse(name, NULL, NULL)) != NULL &&
		    sl_token_parse(tok, NULL, id) == 0;
	case SL_PL_DONE:
		return sl_done_parse(name, id, st) == 0;
	case SL_PL_REJECTED:
		if (!sl_uuid_ok(name))
			return 0;
		memcpy(id, name, SL_UUID_LEN + 1);
		*st = SL_REJECTED;
		return 1;
	default:
		return 0;
	}
}
