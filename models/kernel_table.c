/*
 * kernel_table.c: what the measured kernel tables share (models/kernel_table.h).
 */
#include "models/kernel_table.h"

#include <gsl/gsl_interp.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/assets.h"
#include "lib/csv.h"
#include "lib/util.h"

#define KTAB_PATH_MAX 160 /* the tables' path[] */

void ktab_rows_push(struct ktab_rows *rs, const struct ktab_row *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 1024;
		rs->r = xrealloc(rs->r, rs->cap * sizeof(*rs->r));
	}
	rs->r[rs->n++] = *r;
}

int ktab_same_key(const struct ktab_row *a, const struct ktab_row *b, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (a->k[i] != b->k[i])
			return 0;
	return 1;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct ktab_row *a = pa, *b = pb;
	for (int i = 0; i < KTAB_KEYS; i++)
		if (a->k[i] != b->k[i])
			return a->k[i] < b->k[i] ? -1 : 1;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

void ktab_rows_sort(struct ktab_rows *rs)
{
	qsort(rs->r, rs->n, sizeof(*rs->r), cmp_row);
}

int ktab_distinct(const struct ktab_row *r, size_t i, size_t j)
{
	int pts = 0;
	for (size_t q = i; q < j; q++)
		pts += q == i || r[q].x != r[q - 1].x;
	return pts;
}

int ktab_kernel(char *kernel, size_t cap, const char *v, const char *fname, int line,
		const char *dtcol, const char *dtype)
{
	if (!kernel[0])
		return csv_field_copy(kernel, cap, v, fname, line, "kernel_source");
	if (strcmp(kernel, v))
		return err_set("%s:%d: key 'kernel_source': expected one kernel for %s %s, got '%s' "
			       "and '%s'", fname, line, dtcol, dtype, kernel, v);
	return 0;
}

double ktab_median(double *v, size_t n)
{
	gsl_sort(v, 1, n);
	return gsl_stats_median_from_sorted_data(v, 1, n);
}

int ktab_curve(const struct ktab_row *r, size_t i, size_t j, double *x, double *y,
	       const char *fname, const char *xkey)
{
	for (size_t q = i, w = 0; q < j; w++) {
		size_t e = q + 1;
		double lat[KTAB_MAX_REPEATS];
		while (e < j && r[e].x == r[q].x)
			e++;
		if (e - q > KTAB_MAX_REPEATS)
			return err_set("%s:%d: key '%s': expected at most %d repeats of a point, got "
				       "%zu", fname, r[q].line, xkey, KTAB_MAX_REPEATS, e - q);
		for (size_t u = q; u < e; u++)
			lat[u - q] = r[u].lat;
		x[w] = log(r[q].x);
		y[w] = log(ktab_median(lat, e - q));
		q = e;
	}
	return 0;
}

void *ktab_interp(const double *x, const double *y, int n)
{
	gsl_interp *it = gsl_interp_alloc(gsl_interp_steffen, (size_t)n);
	if (!it)
		return NULL;
	if (gsl_interp_init(it, x, y, (size_t)n)) {
		gsl_interp_free(it);
		return NULL;
	}
	return it;
}

double ktab_eval(const void *interp, const double *x, const double *y, double xv)
{
	return gsl_interp_eval(interp, x, y, xv, NULL);
}

int ktab_loo(const double *x, const double *y, int n, int j, double *ypred)
{
	int m = n - 1, w = 0;
	double *xs, *ys;
	void *it;
	if (j <= 0 || j >= n - 1 || m < KTAB_MIN_POINTS)
		return 0;
	xs = xmalloc(sizeof(double) * (size_t)m);
	ys = xmalloc(sizeof(double) * (size_t)m);
	for (int q = 0; q < n; q++)
		if (q != j) {
			xs[w] = x[q];
			ys[w++] = y[q];
		}
	if ((it = ktab_interp(xs, ys, m))) {
		*ypred = ktab_eval(it, xs, ys, x[j]);
		gsl_interp_free(it);
	}
	free(xs);
	free(ys);
	return it != NULL;
}

/* --- the process-wide cache ----------------------------------------------------------- */

struct ktab_cached {
	char *path, *dtype;
	void *t;
	struct ktab_cached *next;
};

const void *ktab_get(struct ktab_cache *c, const char *path, const char *dtype)
{
	const struct asset *a;
	struct ktab_cached *e;
	const void *r = NULL;
	char *text = NULL;
	size_t len;
	void *t;

	pthread_mutex_lock(&c->lock);
	for (e = c->head; e; e = e->next)
		if (!strcmp(e->path, path) && !strcmp(e->dtype, dtype)) {
			r = e->t;
			goto out;
		}
	if (strlen(path) >= KTAB_PATH_MAX) {
		err_set("%s table path '%s': too long (expected at most %d characters)", c->what,
			path, KTAB_PATH_MAX - 1);
		goto out;
	}
	t = xcalloc(1, c->size);
	if ((a = asset_find(path))) {
		if (c->parse(t, (const char *)a->data, a->len, path, dtype))
			goto bad;
	} else {
		if (!(text = file_read(path, &len)) || c->parse(t, text, len, path, dtype))
			goto bad;
	}
	e = xcalloc(1, sizeof(*e));
	e->path = xstrdup(path);
	e->dtype = xstrdup(dtype);
	e->t = t;
	e->next = c->head;
	c->head = e;
	r = t;
	goto out;
bad:
	free(t);
out:
	pthread_mutex_unlock(&c->lock);
	free(text);
	return r;
}
