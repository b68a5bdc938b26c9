/*
 * mla_fit.c: fit the MLA decode model (models/profile.h, "MLA decode") to aiconfigurator's
 * measured generation_mla tables; see mla_fit.h for the points and the method.
 */
#include "calibration/mla_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/robust.h"
#include "lib/util.h"
#include "models/cost.h"

#define NP 2 /* seq_head, bw_eff; t0 is the profile's attention.decode_t0 (mla_fit.h) */

double mla_fit_pred(const struct mla_model *mm, const struct profile *p, double kv_bytes,
		    const struct mla_point *pt)
{
	double ctx = pt->batch * pt->step;
	return cost_mla_decode_layer(p, mm, NULL, MLA_TABLE_KV_LORA, MLA_TABLE_QK_ROPE,
				     MLA_TABLE_QK_NOPE, MLA_TABLE_V_HEAD, pt->heads, pt->batch,
				     pt->batch, ctx,
				     ctx * (MLA_TABLE_KV_LORA + MLA_TABLE_QK_ROPE) * kv_bytes,
				     p->launch_graph);
}

struct fctx {
	const struct profile *p;
	const struct mla_point *pt;
	const size_t *idx; /* the rows fitted, as indices into pt */
	double kv_bytes;
};

static struct mla_model model_of(const double *x, const struct profile *p)
{
	struct mla_model mm;
	memset(&mm, 0, sizeof(mm));
	mm.t0 = p->attn_decode.t0;
	mm.seq_head = x[0];
	mm.bw_eff = x[1];
	return mm;
}

static double pred(const double *x, size_t i, void *ctx)
{
	const struct fctx *c = ctx;
	struct mla_model mm = model_of(x, c->p);
	return mla_fit_pred(&mm, c->p, c->kv_bytes, &c->pt[c->idx[i]]);
}

/* Fit x to the points idx[0..n): 0, or -1 with err set. */
static int fit_on(double *x, const struct profile *p, const struct mla_point *pt,
		  const size_t *idx, size_t n, double kv_bytes, double *rel_se)
{
	struct fctx c = {p, pt, idx, kv_bytes};
	int kind[NP] = {0, 2}; /* bw_eff a fraction */
	double *y = xmalloc(sizeof(double) * (n ? n : 1));
	int rc;
	for (size_t i = 0; i < n; i++)
		y[i] = pt[idx[i]].lat;
	x[0] = 1e-8;
	x[1] = 0.5;
	rc = robust_fit(NP, x, kind, n, y, pred, &c, "MLA decode", 6, 300, rel_se);
	free(y);
	return rc;
}

/* the fold of a head count: its rank among the table's, mod 3 */
static int fold_of(const struct mla_table *t, double heads)
{
	int r = 0;
	for (int i = 0; i < t->n; i++)
		r += t->s[i].heads < heads;
	return r % 3;
}

int mla_fit(struct mla_model *mm, const struct mla_table *t, const struct profile *p,
	    double kv_bytes, struct mla_fit_report *rep)
{
	struct mla_point *pt;
	size_t n, *idx = NULL;
	double x[NP];
	struct robust_errs in = {0}, ho = {0}, be = {0};
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	mla_table_points(t, &pt, &n);
	if (n < 2 * NP) {
		free(pt);
		return err_set("%s: key 'latency': expected at least %d kernel-bound points of "
			       "kv_cache_dtype %s, got %zu", t->path, 2 * NP, t->kv_dtype, n);
	}
	idx = xmalloc(sizeof(size_t) * n);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (fit_on(x, p, pt, idx, n, kv_bytes, rep->rel_se))
		goto out;
	*mm = model_of(x, p);
	rep->n = n;
	for (int i = 0; i < t->n; i++)
		for (size_t j = 0; j < n; j++)
			if (pt[j].heads == t->s[i].heads) {
				rep->heads++;
				break;
			}
	for (size_t i = 0; i < n; i++) {
		robust_errs_add(&in, mla_fit_pred(mm, p, kv_bytes, &pt[i]), pt[i].lat);
		robust_errs_add(&be, mla_fit_pred(NULL, p, kv_bytes, &pt[i]), pt[i].lat);
	}
	for (int f = 0; f < 3; f++) {
		size_t m = 0;
		double xf[NP];
		struct mla_model mf;
		for (size_t i = 0; i < n; i++)
			if (fold_of(t, pt[i].heads) != f)
				idx[m++] = i;
		if (m == n || m < 2 * NP)
			continue;
		if (fit_on(xf, p, pt, idx, m, kv_bytes, NULL))
			goto out;
		mf = model_of(xf, p);
		for (size_t i = 0; i < n; i++)
			if (fold_of(t, pt[i].heads) == f)
				robust_errs_add(&ho, mla_fit_pred(&mf, p, kv_bytes, &pt[i]),
						pt[i].lat);
	}
	robust_errs_stats(&in, &rep->med, &rep->p90, &rep->max);
	robust_errs_stats(&ho, &rep->ho_med, &rep->ho_p90, &rep->ho_max);
	robust_errs_stats(&be, &rep->before_med, &rep->before_p90, &rep->before_max);
	rc = 0;
out:
	free(in.e);
	free(ho.e);
	free(be.e);
	free(idx);
	free(pt);
	return rc;
}
