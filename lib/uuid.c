/*
 * uuid.c - identifiers: random version 4 UUIDs from getrandom(2), and
 * stable ones derived from a seed string for objects that were made by
 * hand (mkdir) and have no stored id.  Lowercase, 36 characters.
 */
#include <errno.h>
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

int
sl_uuid(char out[SL_UUID_LEN + 1])
{
	unsigned char b[16];
	size_t	got = 0;
	ssize_t	n;

	while (got < sizeof(b)) {
		n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
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

int
sl_uuid_ok(const char *s)
{
	int	i;

	if (strlen(s) != SL_UUID_LEN)
		return 0;
	for (i = 0; i < SL_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}
