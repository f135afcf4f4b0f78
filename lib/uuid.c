/*
 * uuid.c - identifiers: random version 4 UUIDs from getrandom(2), and
 * stable ones derived from a seed string for objects that were made by
 * hand (mkdir) and have no stored id.  Lowercase, 36 characters.
 *
 * Random bytes come from a pool of POOL bytes a process, filled by one
 * getrandom(2) and used once each (a submit takes three identifiers, an
 * agent two a claim: one system call where there were three).  A fork
 * empties the child's pool (pthread_atfork), so no two processes ever
 * hand out the same bytes; a vfork child takes none.  A parent may endow
 * a child it forks with bytes it took from its own pool before the fork
 * (sl_random_endow: an agent's starter gets its start's nonce so, not by
 * a getrandom of its own a run); they are handed out once still, by the
 * child alone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "sluice.h"

static void
fmt(char out[SL_UUID_LEN + 1], unsigned char b[16])
{
	static const char hex[] = "0123456789abcdef";
	int	i, j = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[b[i] >> 4];
		out[j++] = hex[b[i] & 15];
	}
	out[j] = '\0';
}

#define POOL	256

static unsigned char pool[POOL];
static size_t pool_left;		/* unused bytes, at the pool's end */

static void
pool_forget(void)
{
	memset(pool, 0, sizeof(pool));
	pool_left = 0;
}

/* fill - len random bytes from getrandom(2), through short reads */
static int
fill(unsigned char *b, size_t len)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < len) {
		n = getrandom(b + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int armed;		/* pool_forget runs in every fork's child */

/*
 * sl_random - len (at most POOL) random bytes into b, from the process's
 * pool; 0, or -1 (getrandom failed: errno)
 */
int
sl_random(void *b, size_t len)
{
	unsigned char *from;

	if (!armed && pthread_atfork(NULL, NULL, pool_forget) == 0)
		armed = 1;
	if (!armed || len > POOL)
		return fill(b, len);	/* not told of forks: no pool */
	if (pool_left < len) {
		if (fill(pool, POOL) < 0)
			return -1;
		pool_left = POOL;
	}
	from = pool + POOL - pool_left;
	memcpy(b, from, len);
	memset(from, 0, len);		/* handed out once */
	pool_left -= len;
	return 0;
}

/*
 * sl_random_endow - in a child just forked, make b (len bytes, at most
 * POOL, taken by the parent from its own pool with sl_random before the
 * fork, and used by it no more) this process's pool
 */
void
sl_random_endow(const void *b, size_t len)
{
	if (!armed || len > POOL)
		return;		/* a later fork would not empty it */
	pool_forget();
	memcpy(pool + POOL - len, b, len);
	pool_left = len;
}

int
sl_uuid(char out[SL_UUID_LEN + 1])
{
	unsigned char b[16];

	if (sl_random(b, sizeof(b)) < 0)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	fmt(out, b);
	return 0;
}

/* sl_uuid_from - a version 8 UUID from two FNV-1a-64 hashes of seed */
void
sl_uuid_from(char out[SL_UUID_LEN + 1], const char *seed)
{
	uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
	unsigned char b[16];
	const unsigned char *p;
	int	i;

	for (p = (const unsigned char *)seed; *p != '\0'; p++) {
		h1 = (h1 ^ *p) * 0x100000001b3ULL;
		h2 = (h2 ^ *p) * 0x100000001b3ULL;
		h2 ^= h2 >> 29;
	}
	for (i = 0; i < 8; i++) {
		b[i] = (unsigned char)(h1 >> (8 * i));
		b[8 + i] = (unsigned char)(h2 >> (8 * i));
	}
	b[6] = (b[6] & 0x0f) | 0x80;	/* version 8: custom */
	b[8] = (b[8] & 0x3f) | 0x80;
	fmt(out, b);
}

/*
 * Lowercase hex digits, by table: every name of a listing passes here
 * (100,000 of them in a queue's sched/), where a range test per
 * character cost a fifth of a dispatch pass.
 */
static const unsigned char hexdig[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
};

/* sl_hex_ok - are the n characters at s all lowercase hex digits? (A
 * string shorter than n fails at its NUL.) */
int
sl_hex_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	i;

	for (i = 0; i < n; i++)
		if (!hexdig[p[i]])
			return 0;
	return 1;
}

int
sl_uuid_ok(const char *s)
{
	/* 8-4-4-4-12: the groups first, each stopping at a NUL (no read
	 * past a short string), then the dashes and the end */
	return sl_hex_ok(s, 8) && s[8] == '-' && sl_hex_ok(s + 9, 4) &&
	    s[13] == '-' && sl_hex_ok(s + 14, 4) && s[18] == '-' &&
	    sl_hex_ok(s + 19, 4) && s[23] == '-' && sl_hex_ok(s + 24, 12) &&
	    s[SL_UUID_LEN] == '\0';
}
