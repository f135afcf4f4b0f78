/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz/ share.
 *
 * Each harness is one LLVMFuzzerTestOneInput over a part of libsluice,
 * built by clang with -fsanitize=fuzzer,address,undefined (make fuzz).
 * A broken property is reported by FUZZ_CHECK, which prints what broke
 * and aborts: libFuzzer then saves the input as a crash file.
 */
#ifndef SLUICE_FUZZ_H
#define SLUICE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, \
		    #cond);						\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_str - the input as a NUL-terminated string (malloc'd) */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char   *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
