/*
 * mla_table.c: measured MLA decode latencies (models/mla_table.h).
 */
#include "models/mla_table.h"

#include <gsl/gsl_interp.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/assets.h"
#include "lib/csv.h"
#include "lib/util.h"

#define MLA_TABLE_MAX_ROWS 200000
#define MLA_TABLE_MIN_POINTS 3 /* gsl_interp_steffen's minimum */
#define MLA_TABLE_MAX_REPEATS 64

struct trow {
	double heads, batch, step, lat;
	int line;
};

struct pstate {
	const char *fname, *dtype;
	struct mla_table *t;
	struct trow *r;
	size_t n, cap;
};

static const char *const cols[] = {"kernel_source", "kv_cache_dtype", "num_heads",
				   "batch_size",    "isl",            "step",      "latency"};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

static int row_cb(const char *const *v, int line, void *arg)
{
	struct pstate *st = arg;
	struct trow r;
	double isl;
	if (strcmp(v[1], st->dtype))
		return 0;
	if (!st->t->kernel[0]) {
		if (csv_field_copy(st->t->kernel, sizeof(st->t->kernel), v[0], st->fname, line,
				   "kernel_source"))
			return -1;
	} else if (strcmp(st->t->kernel, v[0])) {
		return err_set("%s:%d: key 'kernel_source': expected one kernel for kv_cache_dtype "
			       "%s, got '%s' and '%s'", st->fname, line, st->dtype, st->t->kernel,
			       v[0]);
	}
	if (csv_field_num(v[2], st->fname, line, "num_heads", 1, 1e4, &r.heads) ||
	    csv_field_num(v[3], st->fname, line, "batch_size", 1, 1e7, &r.batch) ||
	    csv_field_num(v[4], st->fname, line, "isl", 1, 1, &isl) ||
	    csv_field_num(v[5], st->fname, line, "step", 1, 1e9, &r.step) ||
	    csv_field_num(v[6], st->fname, line, "latency", 1e-9, 1e9, &r.lat))
		return -1;
	r.lat *= 1e-3; /* ms -> s */
	r.line = line;
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 1024;
		st->r = xrealloc(st->r, st->cap * sizeof(*st->r));
	}
	st->r[st->n++] = r;
	return 0;
}

static int cmp3(double a, double b) { return a < b ? -1 : a > b; }

static int cmp_row(const void *pa, const void *pb)
{
	const struct trow *a = pa, *b = pb;
	int c = cmp3(a->heads, b->heads);
	if (!c)
		c = cmp3(a->batch, b->batch);
	if (!c)
		c = cmp3(a->step, b->step);
	return c ? c : (a->line > b->line) - (a->line < b->line);
}

static void *make_interp(const double *x, const double *y, int n)
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

/* The median latency of rows [q, e) (one point measured e - q times). */
static double median_lat(const struct trow *r, size_t q, size_t e)
{
	double lat[MLA_TABLE_MAX_REPEATS];
	for (size_t u = q; u < e; u++)
		lat[u - q] = r[u].lat;
	gsl_sort(lat, 1, e - q);
	return gsl_stats_median_from_sorted_data(lat, 1, e - q);
}

/* One curve from rows [i, j) of one (heads, batch): 0, or -1 with err set. */
static int make_curve(struct mla_curve *c, const struct trow *r, size_t i, size_t j,
		      const char *fname)
{
	int pts = 0;
	for (size_t q = i; q < j; q++)
		pts += q == i || r[q].step != r[q - 1].step;
	memset(c, 0, sizeof(*c));
	c->batch = r[i].batch;
	c->n = pts;
	c->x = xmalloc(sizeof(double) * (size_t)pts);
	c->y = xmalloc(sizeof(double) * (size_t)pts);
	for (size_t q = i, w = 0; q < j; w++) {
		size_t e = q + 1;
		while (e < j && r[e].step == r[q].step)
			e++;
		if (e - q > MLA_TABLE_MAX_REPEATS)
			return err_set("%s:%d: key 'step': expected at most %d repeats of a point, "
				       "got %zu", fname, r[q].line, MLA_TABLE_MAX_REPEATS, e - q);
		c->x[w] = log(r[q].step);
		c->y[w] = log(median_lat(r, q, e));
		q = e;
	}
	if (pts >= MLA_TABLE_MIN_POINTS && !(c->interp = make_interp(c->x, c->y, c->n)))
		return err_set("%s:%d: key 'latency': cannot interpolate this curve (expected "
			       "distinct steps)", fname, r[i].line);
	return 0;
}

/* The slice's host-bound floor: the median of its points with batch x step at most
 * MLA_TABLE_FLOOR_TOKENS (0: none). */
static double slice_floor(const struct mla_slice *s)
{
	double v[4096];
	size_t n = 0;
	for (int b = 0; b < s->n; b++)
		for (int k = 0; k < s->c[b].n && n < sizeof(v) / sizeof(v[0]); k++)
			if (s->c[b].batch * exp(s->c[b].x[k]) <= MLA_TABLE_FLOOR_TOKENS * (1 + 1e-9))
				v[n++] = exp(s->c[b].y[k]);
	if (!n)
		return 0;
	gsl_sort(v, 1, n);
	return gsl_stats_median_from_sorted_data(v, 1, n);
}

int mla_table_parse(struct mla_table *t, const char *text, size_t len, const char *fname,
		    const char *kv_dtype)
{
	struct pstate st = {fname, kv_dtype, t, NULL, 0, 0};
	int rows = 0;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	strlcpy0(t->path, fname, sizeof(t->path));
	strlcpy0(t->kv_dtype, kv_dtype, sizeof(t->kv_dtype));
	if (csv_table_parse(text, len, fname, cols, NCOLS, MLA_TABLE_MAX_ROWS, "MLA row", row_cb,
			    &st, &rows))
		goto fail;
	if (!st.n) {
		err_set("%s:%d: key 'kv_cache_dtype': expected rows of %s, got none", fname, 2,
			kv_dtype);
		goto fail;
	}
	qsort(st.r, st.n, sizeof(*st.r), cmp_row);
	for (i = 0; i < st.n; i = j) {
		struct mla_slice *s;
		for (j = i; j < st.n && st.r[j].heads == st.r[i].heads; j++)
			;
		t->s = xrealloc(t->s, (size_t)(t->n + 1) * sizeof(*t->s));
		s = &t->s[t->n++];
		memset(s, 0, sizeof(*s));
		s->heads = st.r[i].heads;
		for (size_t a = i, b; a < j; a = b) {
			for (b = a; b < j && st.r[b].batch == st.r[a].batch; b++)
				;
			s->c = xrealloc(s->c, (size_t)(s->n + 1) * sizeof(*s->c));
			if (make_curve(&s->c[s->n++], st.r, a, b, fname))
				goto fail;
		}
		s->floor = slice_floor(s);
		for (int b = 0; b < s->n; b++) {
			struct mla_curve *c = &s->c[b];
			c->kb = c->n;
			while (c->kb > 0 && exp(c->y[c->kb - 1]) >= MLA_TABLE_FLOOR_X * s->floor)
				c->kb--;
		}
	}
	free(st.r);
	return 0;
fail:
	free(st.r);
	mla_table_release(t);
	return -1;
}

void mla_table_release(struct mla_table *t)
{
	for (int i = 0; i < t->n; i++) {
		for (int b = 0; b < t->s[i].n; b++) {
			gsl_interp_free(t->s[i].c[b].interp);
			free(t->s[i].c[b].x);
			free(t->s[i].c[b].y);
		}
		free(t->s[i].c);
	}
	free(t->s);
	t->s = NULL;
	t->n = 0;
}

/* --- the process-wide cache ----------------------------------------------------------- */

struct cached {
	struct mla_table t;
	struct cached *next;
};
static struct cached *cache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

const struct mla_table *mla_table_get(const char *path, const char *kv_dtype)
{
	const struct asset *a;
	struct cached *c;
	const struct mla_table *r = NULL;
	char *text = NULL;
	size_t len;

	pthread_mutex_lock(&cache_lock);
	for (c = cache; c; c = c->next)
		if (!strcmp(c->t.path, path) && !strcmp(c->t.kv_dtype, kv_dtype)) {
			r = &c->t;
			goto out;
		}
	if (strlen(path) >= sizeof(c->t.path)) {
		err_set("mla table path '%s': too long (expected at most %zu characters)", path,
			sizeof(c->t.path) - 1);
		goto out;
	}
	c = xcalloc(1, sizeof(*c));
	if ((a = asset_find(path))) {
		if (mla_table_parse(&c->t, (const char *)a->data, a->len, path, kv_dtype))
			goto bad;
	} else {
		if (!(text = file_read(path, &len)) || mla_table_parse(&c->t, text, len, path, kv_dtype))
			goto bad;
	}
	c->next = cache;
	cache = c;
	r = &c->t;
	goto out;
bad:
	free(c);
out:
	pthread_mutex_unlock(&cache_lock);
	free(text);
	return r;
}

const struct mla_slice *mla_table_find(const struct mla_table *t, double heads)
{
	for (int i = 0; t && i < t->n; i++)
		if (t->s[i].heads == heads)
			return &t->s[i];
	return NULL;
}

/* log latency of curve c at log step x: 1 inside its kernel-bound range, else 0 */
static int curve_at(const struct mla_curve *c, double x, double *y)
{
	if (!c->interp || c->kb >= c->n || x < c->x[c->kb] || x > c->x[c->n - 1])
		return 0;
	*y = gsl_interp_eval(c->interp, c->x, c->y, x, NULL);
	return 1;
}

int mla_slice_eval(const struct mla_slice *s, double batch, double ctx, double *t)
{
	double x = log(ctx), y0, y1, lt;
	int b = 0;
	if (!(batch >= s->c[0].batch) || !(batch <= s->c[s->n - 1].batch) || !(ctx >= 1))
		return 0;
	while (b < s->n - 1 && s->c[b + 1].batch <= batch)
		b++;
	if (!curve_at(&s->c[b], x, &y0))
		return 0;
	if (s->c[b].batch == batch) {
		lt = y0;
	} else {
		double l0 = log(s->c[b].batch), l1 = log(s->c[b + 1].batch);
		if (!curve_at(&s->c[b + 1], x, &y1))
			return 0;
		lt = y0 + (y1 - y0) * (log(batch) - l0) / (l1 - l0);
	}
	if (!(exp(lt) >= MLA_TABLE_FLOOR_X * s->floor))
		return 0;
	*t = exp(lt);
	return 1;
}

void mla_table_points(const struct mla_table *t, struct mla_point **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (int i = 0; i < t->n; i++)
		for (int b = 0; b < t->s[i].n; b++) {
			const struct mla_curve *c = &t->s[i].c[b];
			for (int k = c->kb; k < c->n; k++) {
				*out = xrealloc(*out, (*n + 1) * sizeof(**out));
				(*out)[(*n)++] = (struct mla_point){t->s[i].heads, c->batch,
								    exp(c->x[k]), exp(c->y[k])};
			}
		}
}

void mla_table_loo(const struct mla_table *t, double **err, size_t *n)
{
	*err = NULL;
	*n = 0;
	for (int i = 0; i < t->n; i++)
		for (int b = 0; b < t->s[i].n; b++) {
			const struct mla_curve *c = &t->s[i].c[b];
			for (int j = 1; j < c->n - 1; j++) {
				double x[512], y[512];
				gsl_interp *it;
				int m = 0;
				if (j < c->kb || c->n - 1 < MLA_TABLE_MIN_POINTS || c->n > 512)
					continue;
				for (int q = 0; q < c->n; q++)
					if (q != j) {
						x[m] = c->x[q];
						y[m++] = c->y[q];
					}
				if (!(it = make_interp(x, y, m)))
					continue;
				*err = xrealloc(*err, (*n + 1) * sizeof(double));
				(*err)[(*n)++] = fabs(exp(gsl_interp_eval(it, x, y, c->x[j], NULL) -
							  c->y[j]) - 1);
				gsl_interp_free(it);
			}
		}
}
