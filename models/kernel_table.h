/*
 * kernel_table.h: what the measured kernel tables (models/moe_table.h, models/mla_table.h)
 * share: their rows (a shape key, a swept count, a latency), the check that one dtype was
 * timed with one kernel, the curve over one shape's counts (the median of a point's
 * repeats, log-log, GSL's Steffen interpolant), its leave-one-out prediction and the
 * process-wide cache of parsed tables. What differs stays in each: the columns, the MoE
 * shape key, MLA's slices by heads and batch and its kernel-bound rule.
 */
#ifndef TTSIM_KERNEL_TABLE_H
#define TTSIM_KERNEL_TABLE_H

#include <pthread.h>
#include <stddef.h>

#define KTAB_MAX_ROWS 200000
#define KTAB_MIN_POINTS 3   /* gsl_interp_steffen's minimum */
#define KTAB_MAX_REPEATS 64 /* times one point may be measured */
#define KTAB_KEYS 6

/* One measured row: its shape key (unused keys 0), the swept count, latency in s. */
struct ktab_row {
	double k[KTAB_KEYS];
	double x, lat;
	int line;
};

struct ktab_rows {
	struct ktab_row *r;
	size_t n, cap;
};

void ktab_rows_push(struct ktab_rows *rs, const struct ktab_row *r);
/* Sort by key, then count, then file line (repeats in file order). */
void ktab_rows_sort(struct ktab_rows *rs);
/* Rows a and b are of the same shape (the first nkeys keys equal). */
int ktab_same_key(const struct ktab_row *a, const struct ktab_row *b, int nkeys);
/* Distinct counts among sorted rows [i, j) of one shape. */
int ktab_distinct(const struct ktab_row *r, size_t i, size_t j);

/* The one-kernel rule: the first row's kernel_source v is copied into kernel (cap bytes),
 * a later different one refused naming the dtype column dtcol. 0, or -1 with err_set. */
int ktab_kernel(char *kernel, size_t cap, const char *v, const char *fname, int line,
		const char *dtcol, const char *dtype);

/* The curve of sorted rows [i, j) of one shape: *x = log(count) ascending, *y = log of the
 * median latency of the point's repeats (allocated here, n = ktab_distinct points). 0, or
 * -1 with err_set (more than KTAB_MAX_REPEATS repeats, naming key xkey). */
int ktab_curve(const struct ktab_row *r, size_t i, size_t j, double *x, double *y,
	       const char *fname, const char *xkey);

/* GSL's Steffen interpolant over x, y (n points; a gsl_interp *), or NULL. */
void *ktab_interp(const double *x, const double *y, int n);
/* The interpolant's value at xv. */
double ktab_eval(const void *interp, const double *x, const double *y, double xv);
/* The median of v[0..n) (sorted here). */
double ktab_median(double *v, size_t n);
/* Point j of a curve (n points) predicted from the others: 1 with *ypred (log latency),
 * else 0 (an end point, or fewer than KTAB_MIN_POINTS others). */
int ktab_loo(const double *x, const double *y, int n, int j, double *ypred);

/* The process-wide cache of parsed tables, by (path, dtype). */
typedef int (*ktab_parse_fn)(void *t, const char *text, size_t len, const char *fname,
			     const char *dtype);
struct ktab_cache {
	pthread_mutex_t lock;
	struct ktab_cached *head;
	const char *what; /* "moe", "mla": for errors */
	size_t size;      /* sizeof the table */
	ktab_parse_fn parse;
};
#define KTAB_CACHE(what, type, parse)                                                      \
	{PTHREAD_MUTEX_INITIALIZER, NULL, what, sizeof(type), parse}
/* The table at path (an embedded asset, else a file) for dtype, parsed once and kept for
 * the life of the process (thread-safe); NULL with err_set on error. */
const void *ktab_get(struct ktab_cache *c, const char *path, const char *dtype);

#endif
