/*
 * moe_table.c: measured fused-MoE latencies by exact shape (models/moe_table.h).
 */
#include "models/moe_table.h"

#include <gsl/gsl_interp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/util.h"
#include "models/kernel_table.h"

/* row keys: h, inter, experts, topk, tp, ep (ktab_row.k); x: num_tokens */
struct pstate {
	const char *fname, *dtype;
	struct moe_table *t;
	struct ktab_rows rows;
};

const char *const moe_csv_cols[MOE_CSV_NCOLS] = {
	"kernel_source", "moe_dtype", "num_tokens", "hidden_size", "inter_size", "topk",
	"num_experts", "moe_tp_size", "moe_ep_size", "distribution", "latency"};

int moe_csv_row(const char *const *v, const char *fname, int line, struct moe_csv_row *r)
{
	static const double hi[MOE_CSV_NCOLS] = {
		[MOE_CSV_TOKENS] = 1e7, [MOE_CSV_HIDDEN] = 1e7, [MOE_CSV_INTER] = 1e7,
		[MOE_CSV_TOPK] = 1e4,   [MOE_CSV_EXPERTS] = 1e6, [MOE_CSV_TP] = 1e5,
		[MOE_CSV_EP] = 1e5};
	double x[MOE_CSV_NCOLS];
	for (int i = MOE_CSV_TOKENS; i <= MOE_CSV_EP; i++)
		if (csv_field_num(v[i], fname, line, moe_csv_cols[i], 1, hi[i], &x[i]))
			return -1;
	if (csv_field_num(v[MOE_CSV_LAT], fname, line, moe_csv_cols[MOE_CSV_LAT], 1e-6, 1e6,
			  &x[MOE_CSV_LAT]))
		return -1;
	*r = (struct moe_csv_row){x[MOE_CSV_TOKENS], x[MOE_CSV_HIDDEN], x[MOE_CSV_INTER],
				  x[MOE_CSV_TOPK],   x[MOE_CSV_EXPERTS], x[MOE_CSV_TP],
				  x[MOE_CSV_EP],     x[MOE_CSV_LAT] * 1e-3};
	return 0;
}

static int row_cb(const char *const *v, int line, void *arg)
{
	struct pstate *st = arg;
	struct ktab_row r = {{0}, 0, 0, 0};
	struct moe_csv_row c;
	if (strcmp(v[MOE_CSV_DTYPE], st->dtype) || strcmp(v[MOE_CSV_DIST], "balanced"))
		return 0;
	if (ktab_kernel(st->t->kernel, sizeof(st->t->kernel), v[MOE_CSV_KERNEL], st->fname, line,
			"moe_dtype", st->dtype) ||
	    moe_csv_row(v, st->fname, line, &c))
		return -1;
	r.k[0] = c.h;
	r.k[1] = c.inter;
	r.k[2] = c.experts;
	r.k[3] = c.topk;
	r.k[4] = c.tp;
	r.k[5] = c.ep;
	r.x = c.tokens;
	r.lat = c.lat;
	r.line = line;
	ktab_rows_push(&st->rows, &r);
	return 0;
}

int moe_table_parse(struct moe_table *t, const char *text, size_t len, const char *fname,
		    const char *dtype)
{
	struct pstate st = {fname, dtype, t, {NULL, 0, 0}};
	const struct ktab_row *r;
	int rows = 0;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	strlcpy0(t->path, fname, sizeof(t->path));
	strlcpy0(t->dtype, dtype, sizeof(t->dtype));
	if (csv_table_parse(text, len, fname, moe_csv_cols, MOE_CSV_NCOLS, KTAB_MAX_ROWS,
			    "MoE row", row_cb, &st, &rows))
		goto fail;
	if (!st.rows.n) {
		err_set("%s:%d: key 'moe_dtype': expected balanced rows of %s, got none", fname, 2,
			dtype);
		goto fail;
	}
	ktab_rows_sort(&st.rows);
	r = st.rows.r;
	for (i = 0; i < st.rows.n; i = j) {
		struct moe_shape *s;
		int pts;
		for (j = i; j < st.rows.n && ktab_same_key(&r[i], &r[j], KTAB_KEYS); j++)
			;
		if ((pts = ktab_distinct(r, i, j)) < KTAB_MIN_POINTS)
			continue; /* too few points to interpolate: the fit serves it */
		t->s = xrealloc(t->s, (size_t)(t->n + 1) * sizeof(*t->s));
		s = &t->s[t->n++];
		memset(s, 0, sizeof(*s));
		s->h = r[i].k[0];
		s->inter = r[i].k[1];
		s->experts = r[i].k[2];
		s->topk = r[i].k[3];
		s->tp = r[i].k[4];
		s->ep = r[i].k[5];
		s->n = pts;
		s->x = xmalloc(sizeof(double) * (size_t)s->n);
		s->y = xmalloc(sizeof(double) * (size_t)s->n);
		/* a point measured more than once (the tables repeat some shapes whole): the
		 * median of its repeats */
		if (ktab_curve(r, i, j, s->x, s->y, fname, "num_tokens"))
			goto fail;
		if (!(s->interp = ktab_interp(s->x, s->y, s->n))) {
			err_set("%s:%d: key 'latency': cannot interpolate this shape (expected "
				"distinct token counts)", fname, r[i].line);
			goto fail;
		}
	}
	free(st.rows.r);
	if (!t->n) {
		moe_table_release(t);
		return err_set("%s:%d: key 'num_tokens': expected a shape with at least %d token "
			       "counts of moe_dtype %s, got none", fname, 2, KTAB_MIN_POINTS,
			       dtype);
	}
	return 0;
fail:
	free(st.rows.r);
	moe_table_release(t);
	return -1;
}

void moe_table_release(struct moe_table *t)
{
	for (int i = 0; i < t->n; i++) {
		gsl_interp_free(t->s[i].interp);
		free(t->s[i].x);
		free(t->s[i].y);
	}
	free(t->s);
	t->s = NULL;
	t->n = 0;
}

static int parse_any(void *t, const char *text, size_t len, const char *fname,
		     const char *dtype)
{
	return moe_table_parse(t, text, len, fname, dtype);
}

static struct ktab_cache cache = KTAB_CACHE("moe", struct moe_table, parse_any);

const struct moe_table *moe_table_get(const char *path, const char *dtype)
{
	return ktab_get(&cache, path, dtype);
}

const struct moe_shape *moe_table_find(const struct moe_table *t, double h, double inter,
				       double experts, double topk, double tp, double ep)
{
	for (int i = 0; t && i < t->n; i++) {
		const struct moe_shape *s = &t->s[i];
		if (s->h == h && s->inter == inter && s->experts == experts && s->topk == topk &&
		    s->tp == tp && s->ep == ep)
			return s;
	}
	return NULL;
}

int moe_shape_eval(const struct moe_shape *s, double tokens, double *t, double *edge)
{
	double x = log(tokens);
	if (x < s->x[0] || x > s->x[s->n - 1]) {
		int e = x < s->x[0] ? 0 : s->n - 1;
		*edge = exp(s->x[e]);
		*t = exp(s->y[e]);
		return 0;
	}
	*t = exp(ktab_eval(s->interp, s->x, s->y, x));
	return 1;
}

int moe_shape_loo(const struct moe_shape *s, int j, double *pred)
{
	double y;
	if (!ktab_loo(s->x, s->y, s->n, j, &y))
		return 0;
	*pred = exp(y);
	return 1;
}

int moe_table_loo(const struct moe_table *t, double **err, size_t *n)
{
	*err = NULL;
	*n = 0;
	for (int i = 0; i < t->n; i++) {
		const struct moe_shape *s = &t->s[i];
		for (int j = 1; j < s->n - 1; j++) {
			double pred;
			if (!moe_shape_loo(s, j, &pred))
				continue;
			*err = xrealloc(*err, (*n + 1) * sizeof(double));
			(*err)[(*n)++] = fabs(pred / exp(s->y[j]) - 1);
		}
	}
	return 0;
}
