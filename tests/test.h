/*
 * test.h: tiny test macros (after Redis's testhelp.h). Each tests/test_*.c is one program:
 * it runs its checks, prints "<file>: N passed, N failed" and exits non-zero on failure.
 * A failed check prints both values. tests/run.sh runs them all and prints the total.
 */
#ifndef TTSIM_TEST_H
#define TTSIM_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

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

#define TEST_REPORT() (printf("%s: %d passed, %d failed\n", __FILE__, test_passed, test_failed), \
	test_failed ? 1 : 0)

#endif
