/*
 * deepep_fit.c: fit the DeepEP all-to-all model (models/profile.h) to aiconfigurator's DeepEP
 * tables; see deepep_fit.h for the rows and the method.
 */
#include "calibration/deepep_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/robust.h"
#include "lib/csv.h"
#include "lib/util.h"
#include "models/comm.h"

#define MAX_ROWS 100000

static const char *const ll_cols[] = {"node_num", "num_token", "num_topk", "hidden_size",
				      "dispatch_avg_t_us", "combine_avg_t_us"};
static const char *const nm_cols[] = {"node_num",           "num_token",          "num_topk",
				      "hidden_size",        "dispatch_transmit_us", "dispatch_notify_us",
				      "combine_transmit_us", "combine_notify_us",   "dispatch_sms",
				      "combine_sms"};

struct lctx {
	struct deepep_set *s;
	const char *fname;
	int ll;
};

static int row_cb(const char *const *v, int line, void *arg)
{
	struct lctx *c = arg;
	struct deepep_row r;
	const char *f = c->fname;
	memset(&r, 0, sizeof(r));
	if (csv_field_num(v[0], f, line, "node_num", 1, 1024, &r.nodes) ||
	    csv_field_num(v[1], f, line, "num_token", 1, 1e9, &r.tokens) ||
	    csv_field_num(v[2], f, line, "num_topk", 1, 1024, &r.topk) ||
	    csv_field_num(v[3], f, line, "hidden_size", 1, 1e6, &r.hidden))
		return -1;
	if (c->ll) {
		if (csv_field_num(v[4], f, line, "dispatch_avg_t_us", 1e-6, 1e9, &r.t[0]) ||
		    csv_field_num(v[5], f, line, "combine_avg_t_us", 1e-6, 1e9, &r.t[1]))
			return -1;
	} else {
		double tr[2], no[2], sms[2];
		if (csv_field_num(v[4], f, line, "dispatch_transmit_us", 1e-6, 1e9, &tr[0]) ||
		    csv_field_num(v[5], f, line, "dispatch_notify_us", 0, 1e9, &no[0]) ||
		    csv_field_num(v[6], f, line, "combine_transmit_us", 1e-6, 1e9, &tr[1]) ||
		    csv_field_num(v[7], f, line, "combine_notify_us", 0, 1e9, &no[1]) ||
		    csv_field_num(v[8], f, line, "dispatch_sms", 1, 1024, &sms[0]) ||
		    csv_field_num(v[9], f, line, "combine_sms", 1, 1024, &sms[1]))
			return -1;
		if (sms[0] != DEEPEP_FIT_SMS || sms[1] != DEEPEP_FIT_SMS)
			return 0;
		r.t[0] = tr[0] + no[0];
		r.t[1] = tr[1] + no[1];
	}
	r.t[0] *= 1e-6;
	r.t[1] *= 1e-6;
	r.line = line;
	if (c->s->n == c->s->cap) {
		c->s->cap = c->s->cap ? 2 * c->s->cap : 256;
		c->s->r = xrealloc(c->s->r, c->s->cap * sizeof(*c->s->r));
	}
	c->s->r[c->s->n++] = r;
	return 0;
}

int deepep_fit_load(struct deepep_set *s, const char *text, size_t len, const char *fname,
		    int ll)
{
	struct lctx c = {s, fname, ll};
	size_t before = s->n;
	int rows = 0;
	if (csv_table_parse(text, len, fname, ll ? ll_cols : nm_cols, ll ? 6 : 10, MAX_ROWS,
			    "DeepEP row", row_cb, &c, &rows))
		return -1;
	if (s->n == before)
		return err_set("%s:%d: key '%s': expected rows%s, got none", fname, 2,
			       ll ? "node_num" : "dispatch_sms",
			       ll ? "" : " at DeepEP's default 20 SMs");
	return 0;
}

void deepep_set_release(struct deepep_set *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

struct fctx {
	const struct deepep_row *r;
	const size_t *idx;
	int op;
};

static double bytes_of(const struct deepep_row *r)
{
	return r->tokens * r->topk * r->hidden * 2.0;
}

static double pred(const double *x, size_t i, void *ctx)
{
	const struct fctx *c = ctx;
	return x[0] + bytes_of(&c->r[c->idx[i]]) / x[1];
}

static int fit_on(double *x, const struct deepep_row *r, const size_t *idx, size_t n, int op)
{
	struct fctx c = {r, idx, op};
	int kind[2] = {0, 0};
	double *y = xmalloc(sizeof(double) * (n ? n : 1));
	int rc;
	for (size_t i = 0; i < n; i++)
		y[i] = r[idx[i]].t[op];
	x[0] = 2e-5;
	x[1] = 1e11;
	rc = robust_fit(2, x, kind, n, y, pred, &c, "DeepEP", 6, 300, NULL);
	free(y);
	return rc;
}

/* the rank of tokens among the sorted distinct token counts of rows idx, mod 3 */
static int fold_of(const struct deepep_row *r, const size_t *idx, size_t n, double tokens)
{
	int rank = 0;
	for (size_t i = 0; i < n; i++) {
		int first = 1;
		for (size_t j = 0; j < i; j++)
			first &= r[idx[j]].tokens != r[idx[i]].tokens;
		rank += first && r[idx[i]].tokens < tokens;
	}
	return rank % 3;
}

int deepep_fit(const struct deepep_set *s, const struct profile *p, struct deepep_fit_report *rep)
{
	size_t *idx = xmalloc(sizeof(size_t) * (s->n ? s->n : 1)), *sub;
	int rc = -1;
	memset(rep, 0, sizeof(*rep));
	sub = xmalloc(sizeof(size_t) * (s->n ? s->n : 1));
	for (size_t i = 0; i < s->n; i++) {
		double nd = s->r[i].nodes;
		if (nd != 1 && nd != 2 && nd != 4 && nd != 8) {
			err_set("line %d: key 'node_num': expected 1, 2, 4 or 8 (8 to 64 ranks), got "
				"'%g'", s->r[i].line, nd);
			goto out;
		}
	}
	for (int g = 0; g < PROFILE_DEEPEP_N; g++) {
		size_t n = 0;
		for (size_t i = 0; i < s->n; i++)
			if (s->r[i].nodes == (double)(1 << g))
				idx[n++] = i;
		rep->n[g] = n;
		if (n < 4)
			continue;
		for (int op = 0; op < 2; op++) {
			struct robust_errs in = {0}, ho = {0}, be = {0};
			double x[2], p90, mx;
			if (fit_on(x, s->r, idx, n, op))
				goto out;
			rep->lat[g][op] = x[0];
			rep->bw[g][op] = x[1];
			for (int f = 0; f < 3; f++) {
				size_t m = 0;
				double xf[2];
				for (size_t i = 0; i < n; i++)
					if (fold_of(s->r, idx, n, s->r[idx[i]].tokens) != f)
						sub[m++] = idx[i];
				if (m < 3 || m == n)
					continue;
				if (fit_on(xf, s->r, sub, m, op))
					goto out;
				for (size_t i = 0; i < n; i++)
					if (fold_of(s->r, idx, n, s->r[idx[i]].tokens) == f)
						robust_errs_add(&ho, xf[0] + bytes_of(&s->r[idx[i]]) / xf[1],
								s->r[idx[i]].t[op]);
			}
			for (size_t i = 0; i < n; i++) {
				const struct deepep_row *r = &s->r[idx[i]];
				int ranks = 8 << g;
				double on = ranks * -expm1(r->topk * log1p(-1.0 / ranks)), t;
				robust_errs_add(&in, x[0] + bytes_of(r) / x[1], r->t[op]);
				t = comm_alltoall(p, r->tokens * on * r->hidden * 2.0, ranks, 1 << g);
				if (t > 0)
					robust_errs_add(&be, t, r->t[op]);
			}
			robust_errs_stats(&in, &rep->med[g][op], &p90, &mx);
			robust_errs_stats(&ho, &rep->ho_med[g][op], &rep->ho_p90[g][op], &mx);
			robust_errs_stats(&be, &rep->before_med[g][op], &p90, &mx);
			free(in.e);
			free(ho.e);
			free(be.e);
		}
	}
	rc = 0;
out:
	free(idx);
	free(sub);
	return rc;
}
