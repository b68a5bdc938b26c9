/*
 * test.h: tiny test macros (after Redis's testhelp.h). Each tests/test_*.c is one program:
 * it runs its checks, prints "<file>: N passed, N failed" and exits non-zero on failure.
 * A failed check prints both values. tests/run.sh runs them all and prints the total.
 */
#ifndef TTSIM_TEST_H
#define TTSIM_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h" /* mix64 */

static int test_passed, test_failed;

#define CHECK(c) do { if (c) test_passed++; else { test_failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)
#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ == b_) test_passed++; else { test_failed++; \
	fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, a_, b_); } } while (0)
/* |a - b| <= rel x |b| (or <= rel when b is 0) */
#define CHECK_NEAR(a, b, rel) do { double a_ = (double)(a), b_ = (double)(b), r_ = (double)(rel); \
	if (fabs(a_ - b_) <= r_ * (b_ != 0 ? fabs(b_) : 1.0)) test_passed++; else { test_failed++; \
	fprintf(stderr, "%s:%d: %s ~ %s (rel %g) failed: %.9g vs %.9g\n", __FILE__, __LINE__, #a, #b, r_, a_, b_); } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (a_ && b_ && !strcmp(a_, b_)) test_passed++; else { test_failed++; \
	fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)

/* Random test cases' own stream: splitmix64 (lib's mix64 over a counter), reproducible and
 * apart from the simulator's GSL streams. test_seed() starts it; one per test program. */
static inline uint64_t *test_rs(void) { static uint64_t s; return &s; }
static inline void test_seed(uint64_t s) { *test_rs() = s; }
static inline uint64_t test_rnd(void)
{
	uint64_t z = mix64(*test_rs());
	*test_rs() += 0x9e3779b97f4a7c15ULL;
	return z;
}
static inline int test_rint(int lo, int hi) { return lo + (int)(test_rnd() % (uint64_t)(hi - lo + 1)); }
static inline double test_unif(void) { return (double)(test_rnd() >> 11) / 9007199254740992.0; }

#define TEST_REPORT() (printf("%s: %d passed, %d failed\n", __FILE__, test_passed, test_failed), \
	test_failed ? 1 : 0)

#endif
