/*
 * mla_table.c: measured MLA decode latencies (models/mla_table.h).
 */
#include "models/mla_table.h"

#include <gsl/gsl_interp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/util.h"
#include "models/kernel_table.h"

/* row keys: heads, batch (ktab_row.k[0], k[1]); x: step */
struct pstate {
	const char *fname, *dtype;
	struct mla_table *t;
	struct ktab_rows rows;
};

static const char *const cols[] = {"kernel_source", "kv_cache_dtype", "num_heads",
				   "batch_size",    "isl",            "step",      "latency"};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

static int row_cb(const char *const *v, int line, void *arg)
{
	struct pstate *st = arg;
	struct ktab_row r = {{0}, 0, 0, 0};
	double isl;
	if (strcmp(v[1], st->dtype))
		return 0;
	if (ktab_kernel(st->t->kernel, sizeof(st->t->kernel), v[0], st->fname, line,
			"kv_cache_dtype", st->dtype))
		return -1;
	if (csv_field_num(v[2], st->fname, line, "num_heads", 1, 1e4, &r.k[0]) ||
	    csv_field_num(v[3], st->fname, line, "batch_size", 1, 1e7, &r.k[1]) ||
	    csv_field_num(v[4], st->fname, line, "isl", 1, 1, &isl) ||
	    csv_field_num(v[5], st->fname, line, "step", 1, 1e9, &r.x) ||
	    csv_field_num(v[6], st->fname, line, "latency", 1e-9, 1e9, &r.lat))
		return -1;
	r.lat *= 1e-3; /* ms -> s */
	r.line = line;
	ktab_rows_push(&st->rows, &r);
	return 0;
}

/* One curve from rows [i, j) of one (heads, batch): 0, or -1 with err set. */
static int make_curve(struct mla_curve *c, const struct ktab_row *r, size_t i, size_t j,
		      const char *fname)
{
	int pts = ktab_distinct(r, i, j);
	memset(c, 0, sizeof(*c));
	c->batch = r[i].k[1];
	c->n = pts;
	c->x = xmalloc(sizeof(double) * (size_t)pts);
	c->y = xmalloc(sizeof(double) * (size_t)pts);
	if (ktab_curve(r, i, j, c->x, c->y, fname, "step"))
		return -1;
	if (pts >= KTAB_MIN_POINTS && !(c->interp = ktab_interp(c->x, c->y, c->n)))
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
	return ktab_median(v, n);
}

int mla_table_parse(struct mla_table *t, const char *text, size_t len, const char *fname,
		    const char *kv_dtype)
{
	struct pstate st = {fname, kv_dtype, t, {NULL, 0, 0}};
	const struct ktab_row *r;
	int rows = 0;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	strlcpy0(t->path, fname, sizeof(t->path));
	strlcpy0(t->kv_dtype, kv_dtype, sizeof(t->kv_dtype));
	if (csv_table_parse(text, len, fname, cols, NCOLS, KTAB_MAX_ROWS, "MLA row", row_cb,
			    &st, &rows))
		goto fail;
	if (!st.rows.n) {
		err_set("%s:%d: key 'kv_cache_dtype': expected rows of %s, got none", fname, 2,
			kv_dtype);
		goto fail;
	}
	ktab_rows_sort(&st.rows);
	r = st.rows.r;
	for (i = 0; i < st.rows.n; i = j) {
		struct mla_slice *s;
		for (j = i; j < st.rows.n && ktab_same_key(&r[i], &r[j], 1); j++)
			;
		t->s = xrealloc(t->s, (size_t)(t->n + 1) * sizeof(*t->s));
		s = &t->s[t->n++];
		memset(s, 0, sizeof(*s));
		s->heads = r[i].k[0];
		for (size_t a = i, b; a < j; a = b) {
			for (b = a; b < j && ktab_same_key(&r[a], &r[b], 2); b++)
				;
			s->c = xrealloc(s->c, (size_t)(s->n + 1) * sizeof(*s->c));
			if (make_curve(&s->c[s->n++], r, a, b, fname))
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
	free(st.rows.r);
	return 0;
fail:
	free(st.rows.r);
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

static int parse_any(void *t, const char *text, size_t len, const char *fname,
		     const char *dtype)
{
	return mla_table_parse(t, text, len, fname, dtype);
}

static struct ktab_cache cache = KTAB_CACHE("mla", struct mla_table, parse_any);

const struct mla_table *mla_table_get(const char *path, const char *kv_dtype)
{
	return ktab_get(&cache, path, kv_dtype);
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
	*y = ktab_eval(c->interp, c->x, c->y, x);
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
				double y;
				if (j < c->kb || !ktab_loo(c->x, c->y, c->n, j, &y))
					continue;
				*err = xrealloc(*err, (*n + 1) * sizeof(double));
				(*err)[(*n)++] = fabs(exp(y - c->y[j]) - 1);
			}
		}
}
