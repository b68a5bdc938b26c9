/*
 * moe_table.c: measured fused-MoE latencies by exact shape (models/moe_table.h).
 */
#include "models/moe_table.h"

#include <gsl/gsl_errno.h>
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

#define MOE_TABLE_MAX_ROWS 200000
#define MOE_TABLE_MIN_POINTS 3 /* gsl_interp_steffen's minimum */

struct trow {
	double k[6]; /* h, inter, experts, topk, tp, ep */
	double tokens, lat;
	int line;
};

struct pstate {
	const char *fname, *dtype;
	struct moe_table *t;
	struct trow *r;
	size_t n, cap;
};

static const char *const cols[] = {"kernel_source", "moe_dtype",   "num_tokens",  "hidden_size",
				   "inter_size",    "topk",        "num_experts", "moe_tp_size",
				   "moe_ep_size",   "distribution", "latency"};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

static int row_cb(const char *const *v, int line, void *arg)
{
	struct pstate *st = arg;
	struct trow r;
	if (strcmp(v[1], st->dtype) || strcmp(v[9], "balanced"))
		return 0;
	if (!st->t->kernel[0]) {
		if (csv_field_copy(st->t->kernel, sizeof(st->t->kernel), v[0], st->fname, line,
				   "kernel_source"))
			return -1;
	} else if (strcmp(st->t->kernel, v[0])) {
		return err_set("%s:%d: key 'kernel_source': expected one kernel for moe_dtype %s, "
			       "got '%s' and '%s'", st->fname, line, st->dtype, st->t->kernel, v[0]);
	}
	if (csv_field_num(v[2], st->fname, line, "num_tokens", 1, 1e9, &r.tokens) ||
	    csv_field_num(v[3], st->fname, line, "hidden_size", 1, 1e7, &r.k[0]) ||
	    csv_field_num(v[4], st->fname, line, "inter_size", 1, 1e7, &r.k[1]) ||
	    csv_field_num(v[5], st->fname, line, "topk", 1, 1e4, &r.k[3]) ||
	    csv_field_num(v[6], st->fname, line, "num_experts", 1, 1e6, &r.k[2]) ||
	    csv_field_num(v[7], st->fname, line, "moe_tp_size", 1, 1e5, &r.k[4]) ||
	    csv_field_num(v[8], st->fname, line, "moe_ep_size", 1, 1e5, &r.k[5]) ||
	    csv_field_num(v[10], st->fname, line, "latency", 1e-9, 1e9, &r.lat))
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

static int cmp_shape(const struct trow *a, const struct trow *b)
{
	for (int i = 0; i < 6; i++)
		if (a->k[i] != b->k[i])
			return a->k[i] < b->k[i] ? -1 : 1;
	return 0;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct trow *a = pa, *b = pb;
	int c = cmp_shape(a, b);
	if (c)
		return c;
	if (a->tokens != b->tokens)
		return a->tokens < b->tokens ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line; /* repeats in file order */
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

int moe_table_parse(struct moe_table *t, const char *text, size_t len, const char *fname,
		    const char *dtype)
{
	struct pstate st = {fname, dtype, t, NULL, 0, 0};
	int rows = 0;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	strlcpy0(t->path, fname, sizeof(t->path));
	strlcpy0(t->dtype, dtype, sizeof(t->dtype));
	if (csv_table_parse(text, len, fname, cols, NCOLS, MOE_TABLE_MAX_ROWS, "MoE row", row_cb,
			    &st, &rows))
		goto fail;
	if (!st.n) {
		err_set("%s:%d: key 'moe_dtype': expected balanced rows of %s, got none", fname, 2,
			dtype);
		goto fail;
	}
	qsort(st.r, st.n, sizeof(*st.r), cmp_row);
	for (i = 0; i < st.n; i = j) {
		struct moe_shape *s;
		int pts = 0;
		for (j = i; j < st.n && !cmp_shape(&st.r[i], &st.r[j]); j++)
			pts += j == i || st.r[j].tokens != st.r[j - 1].tokens;
		if (pts < MOE_TABLE_MIN_POINTS)
			continue; /* too few points to interpolate: the fit serves it */
		t->s = xrealloc(t->s, (size_t)(t->n + 1) * sizeof(*t->s));
		s = &t->s[t->n++];
		memset(s, 0, sizeof(*s));
		s->h = st.r[i].k[0];
		s->inter = st.r[i].k[1];
		s->experts = st.r[i].k[2];
		s->topk = st.r[i].k[3];
		s->tp = st.r[i].k[4];
		s->ep = st.r[i].k[5];
		s->n = pts;
		s->x = xmalloc(sizeof(double) * (size_t)s->n);
		s->y = xmalloc(sizeof(double) * (size_t)s->n);
		/* a point measured more than once (the tables repeat some shapes whole): the
		 * median of its repeats (sorted by latency for gsl_stats_median_from_sorted_data) */
		for (size_t q = i, w = 0; q < j; w++) {
			size_t e = q + 1;
			double lat[64];
			while (e < j && st.r[e].tokens == st.r[q].tokens)
				e++;
			if (e - q > sizeof(lat) / sizeof(lat[0])) {
				err_set("%s:%d: key 'num_tokens': expected at most %zu repeats of a "
					"point, got %zu", fname, st.r[q].line,
					sizeof(lat) / sizeof(lat[0]), e - q);
				goto fail;
			}
			for (size_t u = q; u < e; u++)
				lat[u - q] = st.r[u].lat;
			gsl_sort(lat, 1, e - q);
			s->x[w] = log(st.r[q].tokens);
			s->y[w] = log(gsl_stats_median_from_sorted_data(lat, 1, e - q));
			q = e;
		}
		if (!(s->interp = make_interp(s->x, s->y, s->n))) {
			err_set("%s:%d: key 'latency': cannot interpolate this shape (expected "
				"distinct token counts)", fname, st.r[i].line);
			goto fail;
		}
	}
	free(st.r);
	if (!t->n) {
		moe_table_release(t);
		return err_set("%s:%d: key 'num_tokens': expected a shape with at least %d token "
			       "counts of moe_dtype %s, got none", fname, 2, MOE_TABLE_MIN_POINTS,
			       dtype);
	}
	return 0;
fail:
	free(st.r);
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

/* --- the process-wide cache ----------------------------------------------------------- */

struct cached {
	struct moe_table t;
	struct cached *next;
};
static struct cached *cache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

const struct moe_table *moe_table_get(const char *path, const char *dtype)
{
	const struct asset *a;
	struct cached *c;
	const struct moe_table *r = NULL;
	char *text = NULL;
	size_t len;

	pthread_mutex_lock(&cache_lock);
	for (c = cache; c; c = c->next)
		if (!strcmp(c->t.path, path) && !strcmp(c->t.dtype, dtype)) {
			r = &c->t;
			goto out;
		}
	if (strlen(path) >= sizeof(c->t.path)) {
		err_set("moe table path '%s': too long (expected at most %zu characters)", path,
			sizeof(c->t.path) - 1);
		goto out;
	}
	c = xcalloc(1, sizeof(*c));
	if ((a = asset_find(path))) {
		if (moe_table_parse(&c->t, (const char *)a->data, a->len, path, dtype))
			goto bad;
	} else {
		if (!(text = file_read(path, &len)) || moe_table_parse(&c->t, text, len, path, dtype))
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
	*t = exp(gsl_interp_eval(s->interp, s->x, s->y, x, NULL));
	return 1;
}

int moe_shape_loo(const struct moe_shape *s, int j, double *pred)
{
	int m = s->n - 1;
	double x[512], y[512];
	gsl_interp *it;
	if (j <= 0 || j >= s->n - 1 || m < MOE_TABLE_MIN_POINTS || m > 512)
		return 0;
	for (int q = 0, w = 0; q < s->n; q++)
		if (q != j) {
			x[w] = s->x[q];
			y[w++] = s->y[q];
		}
	if (!(it = make_interp(x, y, m)))
		return 0;
	*pred = exp(gsl_interp_eval(it, x, y, s->x[j], NULL));
	gsl_interp_free(it);
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
