/*
 * moe_fit.c: fit the fused-MoE model (models/profile.h, "Fused MoE") to aiconfigurator's
 * measured MoE tables; see moe_fit.h for the rows and the method.
 */
#include "calibration/moe_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/robust.h"
#include "lib/csv.h"
#include "lib/util.h"
#include "models/cost.h"
#include "models/model.h"
#include "models/moe_table.h"

static const double blocks[MOE_FIT_BLOCKS] = {16, 32, 64, 128};
#define NP 5 /* t0, eff, bw_eff, slot_bw_eff, expert_t */

struct load_ctx {
	struct moe_set *s;
	const char *fname, *kernel, *dtype, *dist;
	int mxfp4_backend; /* -1: not MXFP4 experts */
	int balanced;
	double (*shape)[4]; /* distinct (h, I, E, k) */
	int nshape, capshape;
};

/* Rank 0's expert counts as balanced_logits chooses them (moe_fit.h); counts[E / ep]. */
static void balanced_counts(double T, int k, int E, int local, double *counts)
{
	long stride = (E + k - 1) / k;
	memset(counts, 0, sizeof(double) * (size_t)local);
	for (long t = 0; t < (long)T; t++)
		for (int j = 0; j < k; j++) {
			long e;
			if ((long)T >= stride)
				e = (t + j * stride) % E;
			else
				e = (long)floor(fmod((double)t * stride / T + (double)j * stride, E));
			if (e < local)
				counts[e] += 1;
		}
}

static int shape_index(struct load_ctx *c, double h, double I, double E, double k)
{
	for (int i = 0; i < c->nshape; i++)
		if (c->shape[i][0] == h && c->shape[i][1] == I && c->shape[i][2] == E &&
		    c->shape[i][3] == k)
			return i;
	if (c->nshape == c->capshape) {
		c->capshape = c->capshape ? 2 * c->capshape : 16;
		c->shape = xrealloc(c->shape, sizeof(*c->shape) * (size_t)c->capshape);
	}
	c->shape[c->nshape][0] = h;
	c->shape[c->nshape][1] = I;
	c->shape[c->nshape][2] = E;
	c->shape[c->nshape][3] = k;
	return c->nshape++;
}

static int load_row(const char *const *v, int line, void *arg)
{
	struct load_ctx *c = arg;
	struct moe_csv_row x;
	struct moe_row r;
	int local;
	if (strcmp(v[MOE_CSV_KERNEL], c->kernel) || strcmp(v[MOE_CSV_DTYPE], c->dtype) ||
	    strcmp(v[MOE_CSV_DIST], c->dist))
		return 0;
	if (moe_csv_row(v, c->fname, line, &x))
		return -1;
	if (fmod(x.inter, x.tp) != 0 || fmod(x.experts, x.ep) != 0 || x.topk > x.experts)
		return err_set("%s:%d: key 'inter_size': expected inter_size divisible by "
			       "moe_tp_size, num_experts by moe_ep_size and topk <= num_experts",
			       c->fname, line);
	if (!c->balanced && (x.ep != 1 || x.tokens * x.topk < 4 * x.experts))
		return 0; /* a power-law row is read as balanced only where that holds (.h) */
	r.tokens = x.tokens;
	r.h = x.h;
	r.f = x.inter / x.tp;
	if (c->mxfp4_backend >= 0)
		model_mxfp4_pad(c->mxfp4_backend, &r.f, &r.h);
	r.topk = x.topk;
	r.experts = x.experts;
	r.tp = x.tp;
	r.ep = x.ep;
	r.lat = x.lat;
	r.shape = shape_index(c, r.h, x.inter, r.experts, r.topk);
	local = (int)(r.experts / r.ep);
	{
		double *cnt = xmalloc(sizeof(double) * (size_t)local);
		balanced_counts(r.tokens, (int)r.topk, (int)r.experts, local, cnt);
		r.rows = 0;
		for (int b = 0; b < MOE_FIT_BLOCKS; b++)
			r.active[b] = r.padded[b] = 0;
		for (int e = 0; e < local; e++) {
			if (cnt[e] <= 0)
				continue;
			r.rows += cnt[e];
			for (int b = 0; b < MOE_FIT_BLOCKS; b++) {
				r.active[b] += 1;
				r.padded[b] += cost_moe_padded(cnt[e], blocks[b]);
			}
		}
		free(cnt);
	}
	if (c->s->n == c->s->cap) {
		c->s->cap = c->s->cap ? 2 * c->s->cap : 1024;
		c->s->r = xrealloc(c->s->r, sizeof(*c->s->r) * c->s->cap);
	}
	c->s->r[c->s->n++] = r;
	return 0;
}

int moe_fit_load(struct moe_set *s, const char *text, size_t len, const char *fname,
		 const char *kernel, const char *dtype, const char *dist, int mxfp4_backend)
{
	struct load_ctx c = {s, fname, kernel, dtype, dist, mxfp4_backend,
			     !strcmp(dist, "balanced"), NULL, 0, 0};
	size_t before = s->n;
	int n, rc;
	if (!c.balanced && strncmp(dist, "power_law_", 10))
		return err_set("%s: key 'distribution': expected balanced or power_law_<alpha>, got "
			       "'%s'", fname, dist);
	rc = csv_table_parse(text, len, fname, moe_csv_cols, MOE_CSV_NCOLS, 1 << 22, "MoE row",
			     load_row, &c, &n);
	free(c.shape);
	s->shapes = c.nshape > s->shapes ? c.nshape : s->shapes;
	if (rc)
		return -1;
	if (s->n == before)
		return err_set("%s: key 'kernel_source': no row of kernel '%s', moe_dtype '%s' and "
			       "distribution '%s'%s", fname, kernel, dtype, dist,
			       c.balanced ? "" : " with ep 1 and num_tokens x topk >= 4 num_experts");
	return 0;
}

void moe_set_release(struct moe_set *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

double moe_fit_pred(const struct moe_model *mm, const struct moe_row *r, int bi, double peak,
		    double hbm_bw, double wb)
{
	struct moe_rows mr = {r->rows, r->active[bi], r->padded[bi], r->tokens * r->topk,
			      fmin(r->experts, r->tokens * r->topk)};
	return cost_fused_moe(mm, peak, hbm_bw, &mr, r->h, r->f, wb);
}

struct pred_ctx {
	const struct moe_set *s;
	const size_t *idx; /* the rows fitted */
	int bi;
	double peak, hbm_bw, wb;
};

static double pred(const double *x, size_t i, void *arg)
{
	const struct pred_ctx *c = arg;
	struct moe_model mm = {.t0 = x[0], .eff = x[1], .bw_eff = x[2], .block = blocks[c->bi],
				.slot_bw_eff = x[3], .expert_t = x[4]};
	return moe_fit_pred(&mm, &c->s->r[c->idx[i]], c->bi, c->peak, c->hbm_bw, c->wb);
}

/* Fit t0, eff, bw_eff at block index bi on rows idx[0..n); the loss (sum of squared
 * relative errors) into *loss. 0 or -1. */
static int fit_block(const struct moe_set *s, const size_t *idx, size_t n, int bi, double peak,
		     double hbm_bw, double wb, double *x, double *loss, double *rel_se)
{
	static const int kind[NP] = {0, 2, 2, 2, 0};
	struct pred_ctx c = {s, idx, bi, peak, hbm_bw, wb};
	double *y = xmalloc(sizeof(double) * n);
	int rc;
	for (size_t i = 0; i < n; i++)
		y[i] = s->r[idx[i]].lat;
	x[0] = 2e-5;
	x[1] = 0.5;
	x[2] = 0.5;
	x[3] = 0.5;
	x[4] = 1e-6;
	rc = robust_fit(NP, x, kind, n, y, pred, &c, "fused MoE", 6, 300, rel_se);
	*loss = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		double e = pred(x, i, &c) / y[i] - 1;
		*loss += e * e;
	}
	free(y);
	return rc;
}

/* The best block's fit on rows idx[0..n) into mm. */
static int fit_rows(struct moe_model *mm, const struct moe_set *s, const size_t *idx, size_t n,
		    double peak, double hbm_bw, double wb, double *rel_se)
{
	double best = INFINITY;
	for (int b = 0; b < MOE_FIT_BLOCKS; b++) {
		double x[NP], loss, se[NP];
		if (fit_block(s, idx, n, b, peak, hbm_bw, wb, x, &loss, se))
			continue;
		if (loss < best) {
			best = loss;
			*mm = (struct moe_model){.t0 = x[0], .eff = x[1], .bw_eff = x[2],
						 .block = blocks[b], .slot_bw_eff = x[3],
						 .expert_t = x[4]};
			if (rel_se)
				memcpy(rel_se, se, sizeof(se));
		}
	}
	if (!isfinite(best))
		return err_set("fused MoE: no block of the grid fits the %zu rows", n);
	return 0;
}

int moe_fit_block_index(double block)
{
	for (int b = 0; b < MOE_FIT_BLOCKS; b++)
		if (blocks[b] == block)
			return b;
	bug("moe_fit: block %g off the grid", block);
}

/* The held-out fold of a row: every third shape; with fewer than three shapes, every third
 * layout (tp and ep: log2 of each, the layouts of the tables being powers of two) */
static int fold_of(const struct moe_set *s, const struct moe_row *r)
{
	if (s->shapes >= 3)
		return (int)r->shape % 3;
	return (int)(lround(log2(r->tp)) + 9 * lround(log2(r->ep))) % 3;
}

int moe_fit(struct moe_model *mm, const struct moe_set *s, double peak, double hbm_bw, double wb,
	    struct moe_fit_report *rep)
{
	size_t *idx = xmalloc(sizeof(size_t) * (s->n ? s->n : 1)), n;
	struct robust_errs in = {0}, ho = {0};
	int rc = 0;
	memset(rep, 0, sizeof(*rep));
	/* held out: each fold of shapes predicted by the fit of the others */
	for (int fold = 0; fold < 3; fold++) {
		struct moe_model f;
		n = 0;
		for (size_t i = 0; i < s->n; i++)
			if (fold_of(s, &s->r[i]) != fold)
				idx[n++] = i;
		if (fit_rows(&f, s, idx, n, peak, hbm_bw, wb, NULL)) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < s->n; i++)
			if (fold_of(s, &s->r[i]) == fold)
				robust_errs_add(&ho, moe_fit_pred(&f, &s->r[i], moe_fit_block_index(f.block),
								  peak, hbm_bw, wb),
						s->r[i].lat);
	}
	for (size_t i = 0; i < s->n; i++)
		idx[i] = i;
	if (!rc)
		rc = fit_rows(mm, s, idx, s->n, peak, hbm_bw, wb, rep->rel_se);
	if (!rc) {
		int bi = moe_fit_block_index(mm->block);
		for (size_t i = 0; i < s->n; i++)
			robust_errs_add(&in, moe_fit_pred(mm, &s->r[i], bi, peak, hbm_bw, wb),
					s->r[i].lat);
		rep->n = s->n;
		rep->shapes = s->shapes;
		robust_errs_stats(&in, &rep->med, &rep->p90, &rep->max);
		robust_errs_stats(&ho, &rep->ho_med, &rep->ho_p90, &rep->ho_max);
	}
	free(in.e);
	free(ho.e);
	free(idx);
	return rc;
}
