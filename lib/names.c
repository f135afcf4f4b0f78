/*
 * names.c - the names people give (pools, queues, deployments, agents) and
 * the names sluice makes up for runs.
 *
 * A name is [A-Za-z0-9][A-Za-z0-9._-]{0,63} (sluice(1), "Names"): safe as one path
 * component on every filesystem, never "." or "..", never a dotfile (the
 * spool's own scratch names start with a dot), never an option.
 */
#include <stdio.h>
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

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* getrandom never fails for 8 bytes once booted; be total */
		r[0] = (unsigned int)time(NULL);
		r[1] = r[0] >> 7;
	}
	snprintf(out, len, "%s-%s", adjectives[r[0] % NELEM(adjectives)],
	    animals[r[1] % NELEM(animals)]);
}
