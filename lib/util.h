/*
 * util.h: errors, allocation, files and random streams shared by every module.
 *
 * Errors follow git's split. Inside parsers and validators a failure is reported with
 * err_set(), which formats a one-line message into a per-thread buffer and returns -1, so
 * the caller can propagate it or add context (err_prefix). Only the command layer prints:
 * die() writes "ttsim: <message>" to stderr and exits with status 2 (bad input). Messages
 * are lowercase, have no full stop, and put the problem first with the subject in quotes:
 *     experiments/tp.yaml:12: key 'tp': expected a power of two, got '3'
 *
 * Allocation wrappers never return NULL: running out of memory is fatal (exit 1).
 * Random numbers come from GSL; rng_stream() derives one independent generator per
 * (seed, purpose) so that adding a draw in one place never shifts the draws of another.
 */
#ifndef TTSIM_UTIL_H
#define TTSIM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

/* Exit statuses (documented in the README and `ttsim --help`). */
#define EXIT_OK 0
#define EXIT_CHECK_FAILED 1 /* a check failed, or an internal error */
#define EXIT_BAD_INPUT 2    /* bad flags, files or values */
#define EXIT_SIGNAL_BASE 128 /* + the signal: stopped by SIGINT (130) or SIGTERM (143) */

/* Record a one-line error for the caller; always returns -1. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prepend context ("file.yaml:3: ") to the recorded error; returns -1. */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last recorded error of this thread ("" if none). */
const char *err_msg(void);
/* s begins "key 'K'" (an error message's key, after its FILE[:LINE]: prefix): K into key
 * (cut to n) and 0; else -1. For the readers that add a line to a check's message. */
int err_key_at(const char *s, char *key, size_t n);
/* Print "ttsim: <fmt>" and exit(EXIT_BAD_INPUT). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* die with another exit status (a signal's 128 + N) */
void die_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* Print "ttsim: <err_msg()>" and exit(EXIT_BAD_INPUT). */
void die_err(void) __attribute__((noreturn));
/* Print "ttsim: BUG: <fmt>" and abort(): an internal invariant was broken. */
void bug(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Grow *p (of *cap elements of size sz) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t sz);

/* Copy src into dst of size n, always terminated; returns -1 if it was cut. */
int strlcpy0(char *dst, const char *src, size_t n);

/* Largest input file read (bytes): larger files are refused with an error, never loaded. */
#define FILE_READ_MAX ((uint64_t)1 << 30)
/* Read a whole file (NUL-terminated, *len excludes the NUL); NULL and err_set on failure,
 * including a file larger than FILE_READ_MAX. */
char *file_read(const char *path, size_t *len);
/* Parse a data file that ships with the binary: `path` when given (read from disk), else the
 * embedded asset at repository path `shipped` (lib/assets.h), else the file `shipped` on
 * disk. parse gets the text, its length and the name to cite in errors; its result, or -1
 * when the file cannot be read. */
int shipped_or_file_parse(const char *path, const char *shipped,
			  int (*parse)(const char *text, size_t len, const char *name, void *ctx),
			  void *ctx);
/* Write data to path via a temporary file in the same directory and rename(2), so the
 * final name never holds a partial file. Returns 0, or -1 with err_set. */
int file_write_atomic(const char *path, const char *data, size_t len);
/* Create a directory and its parents (like mkdir -p); 0 or -1 with err_set. */
int mkdir_p(const char *path);

/* A growable string buffer (git's strbuf, reduced). */
struct sbuf {
	char *buf; /* always NUL-terminated once used */
	size_t len, cap;
};
void sbuf_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_add(struct sbuf *sb, const char *s, size_t n);
void sbuf_release(struct sbuf *sb);

/* SplitMix64: the hash used to derive seeds. */
uint64_t mix64(uint64_t x);
/* A new GSL generator (mt19937) for the stream `purpose` of `seed`. Free with gsl_rng_free. */
gsl_rng *rng_stream(uint64_t seed, const char *purpose);

/* Parse helpers: whole-string conversions; 0 on success, -1 (no err_set) otherwise. */
int parse_long(const char *s, long *out);
int parse_double(const char *s, double *out);

/* Simulated time. Times are int64 nanoseconds (INT64_MAX is 292 years); a time above
 * TIME_NS_MAX (100 years of 365.25 days) is refused, never wrapped, so that a sum of two
 * valid times, or a time plus a valid step, still fits. What exceeds it is a unit typed
 * wrong (a TB/s bandwidth given in B/s, a rate per year given per second), not a workload. */
#define TIME_S_MAX 3155760000.0
#define TIME_NS_MAX INT64_C(3155760000000000000)
/* s seconds as nanoseconds, rounded to the nearest (halves away from zero, as llround).
 * 0, or -1 with err_set ("... s is out of range ...", for the caller to prefix with the key
 * it came from) when s is NaN, negative or above TIME_S_MAX. */
int secs_to_ns_refuse(double s);
/* Inline: the engine converts every step's time (a call cost 2% of a run's instructions). */
static inline int secs_to_ns(double s, int64_t *ns)
{
	double x = s * 1e9;
	int64_t n;
	if (!(x >= 0 && x <= (double)TIME_NS_MAX)) {
		*ns = 0;
		return secs_to_ns_refuse(s);
	}
	n = (int64_t)x;
	if (x - (double)n >= 0.5) /* exact: x and its integer part are within a factor 2 */
		n++;
	*ns = n;
	return 0;
}

/* Install a GSL error handler that turns GSL errors into bug() (GSL's default aborts silently). */
void util_gsl_init(void);

/* Monotonic wall-clock seconds, for benchmarks and progress only (never for results). */
double wall_seconds(void);

#endif
