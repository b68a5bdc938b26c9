/*
 * fuzz.h: helpers shared by the fuzz targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput: it calls one parser on the input and releases
 * what the parser made; it prints nothing and never exits. Built with clang
 * -fsanitize=fuzzer,address,undefined by `make fuzz`, and with any compiler plus replay.c
 * (a small main() that feeds files to the target) for the regression tier of `make test`.
 */
#ifndef TTSIM_FUZZ_H
#define TTSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs above this size are skipped: the parsers' own limits are tested elsewhere, and
 * large inputs only slow the fuzzer down. */
#define FUZZ_MAX_INPUT 65536

/* A NUL-terminated copy of the input (free it). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = 0;
	return s;
}

#endif
