/* fit.c: the per-family fits of the profile's time models to raw measurements (see fit.h):
 * which rows, which parameters (the profile schema's fit columns), where they start, what
 * they set in the profile and its uncertainty block, leave-one-group-out, and the report.
 * The generic robust fitter under them is robust.c. */
#include "calibration/fit.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "models/comm.h"
#include "models/cost.h"
#include "lib/util.h"

static const char *fam_names[FIT_NFAM] = {"gemm", "attention_prefill", "attention_decode",
					  "membw", "allreduce", "network"};

const char *fit_fam_name(enum fit_fam f) { return fam_names[f]; }

/* ---- the time models (models/profile.h) ---- */

double fit_prefill_time(const struct profile *p, double batch, double seq, double heads,
			double kv_heads, double head_dim)
{
	/* batch prompts of seq tokens each: seq (seq + 1) / 2 causal pairs per head each, K and
	 * V of every token written once (bf16) */
	return cost_attn_prefill(p, batch, batch * seq, batch * seq * (seq + 1) / 2, heads,
				 kv_heads, head_dim, batch * seq * kv_heads * head_dim * 2 * 2);
}

/* bf16 K and V of batch sequences of kv_len cached tokens each */
static double decode_kv_bytes(double batch, double kv_len, double kv_heads, double head_dim)
{
	return batch * kv_len * kv_heads * head_dim * 2 * 2;
}

double fit_decode_time(const struct profile *p, double batch, double kv_len, double kv_heads,
		       double head_dim)
{
	/* the benchmark re-reads one cache (warm in L2 when it fits) */
	return cost_attn_decode(p, batch, batch * kv_len,
				decode_kv_bytes(batch, kv_len, kv_heads, head_dim), kv_heads,
				head_dim, 1);
}

double fit_allreduce_time(const struct allreduce_model *a, double bytes, int custom)
{
	return custom ? cost_allreduce_custom(a, bytes) : cost_allreduce_nccl(a, bytes);
}

/* ---- the generic robust fitter (robust.c) ---- */

int fit_robust(int np, double *x, const int *kind, size_t n, const double *y, fit_pred_fn pred,
	       void *ctx, const char *what)
{
	return robust_fit(np, x, kind, n, y, pred, ctx, what, 6, 300, NULL);
}

/* ---- one family at a time: rows are selected by index arrays ---- */

struct sel {
	const struct raw_row **r; /* the rows this fit uses */
	double *y;
	size_t n, cap;
};

static void sel_add(struct sel *s, const struct raw_row *r)
{
	size_t cap = s->cap;
	xgrow((void **)&s->r, &s->cap, s->n + 1, sizeof(*s->r)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	if (s->cap != cap)
		s->y = xrealloc(s->y, s->cap * sizeof(*s->y));
	s->r[s->n] = r;
	s->y[s->n++] = r->t;
}

static void sel_release(struct sel *s)
{
	free(s->r);
	free(s->y);
	memset(s, 0, sizeof(*s));
}

/* The attention parameters a fit can set are the rows of the profile's schema
 * (models/profile.c) whose fit columns name the family: where the fit starts (0: twice the
 * base's hbm_bw), how x encodes it (enc, as kind in robust_fit), whether it scales with
 * --scale-bw-from, and when the rows identify it. x holds them in the table's order (and
 * the report and the uncertainty block list them so). A new term is its row there (and its
 * use in models/cost.c). */
#define MAX_FAM_KEYS 16

/* The schema rows fitted by family fam (under section sec., NULL: any), in table order:
 * their number, at most MAX_FAM_KEYS, in out. */
static size_t fam_keys(enum profile_fit_fam fam, const char *sec, const struct profile_key **out)
{
	size_t nk, n = 0, sl = sec ? strlen(sec) : 0;
	const struct profile_key *k = profile_keys(&nk);
	for (size_t i = 0; i < nk; i++)
		if (k[i].fit.fam == fam && (!sec || (!strncmp(k[i].key, sec, sl) && k[i].key[sl] == '.'))) {
			if (n == MAX_FAM_KEYS)
				bug("more than %d parameters of one fit at '%s'", MAX_FAM_KEYS, k[i].key);
			out[n++] = &k[i];
		}
	return n;
}

/* A term --without names: left out of the fit, off in the profile */
static int left_out(const struct fit_options *o, const char *path)
{
	for (int i = 0; i < o->n_without; i++)
		if (!strcmp(o->without[i], path))
			return 1;
	return 0;
}

/* Every name of --without is an optional attention term (the ones in every model cannot
 * be left out: the model would have no rate or launch time). */
static int check_without(const struct fit_options *o)
{
	size_t nk;
	const struct profile_key *k = profile_keys(&nk);
	for (int i = 0; i < o->n_without; i++) {
		int found = 0;
		for (size_t j = 0; j < nk; j++)
			found |= (k[j].fit.fam == PROFILE_FIT_PREFILL ||
				  k[j].fit.fam == PROFILE_FIT_DECODE) &&
				 k[j].fit.when != PROFILE_WHEN_ALWAYS && !strcmp(k[j].key, o->without[i]);
		if (!found)
			return err_set("option '--without': '%s' is not an optional attention term "
				       "(expected e.g. attention.prefill_wave_exp; see fit.h)",
				       o->without[i]);
	}
	return 0;
}

static double *par_field(struct profile *p, const struct profile_key *d)
{
	return (double *)(void *)((char *)p + d->off);
}

/* A family's model: parameters, how to predict a row, and how rows group for LOO. */
struct fam_ctx {
	struct sel s;
	int np, kind[16];
	double se[16];          /* relative standard errors of x (fam_fit) */
	double x[16];
	double hbm_bw, peak, wb, sms; /* gemm */
	const struct profile_key *par[16]; /* attention: the schema row each x[j] is */
	double l2_bytes;
	int n_gpus, custom;      /* allreduce */
	const struct profile *base; /* network: the node's all-reduce models */
	double (*predict)(const struct fam_ctx *c, const double *x, const struct raw_row *r);
	void (*group)(const struct raw_row *r, char *key, size_t n);
};

static double pred_cb(const double *x, size_t i, void *ctx)
{
	struct fam_ctx *c = ctx;
	return c->predict(c, x, c->s.r[i]);
}

static double gemm_pred(const struct fam_ctx *c, const double *x, const struct raw_row *r)
{
	struct gemm_model g = {.peak = c->peak, .eff_max = x[0], .m_half = x[1], .nk_half = x[2],
			       .bw_eff = x[3], .floor = x[4], .smooth = x[5]};
	if (c->np > 6) /* the tile terms, in the order of struct gemm_model */
		g.sms = c->sms, g.cta_half = x[6], g.wave_exp = x[7], g.wave_time = x[8],
		g.row_time = x[9], g.k_lat = x[10], g.split_k = x[11], g.act_time = x[12];
	return cost_gemm(&g, c->hbm_bw, r->v[0], r->v[1], r->v[2], c->wb);
}

static void gemm_group(const struct raw_row *r, char *key, size_t n)
{
	if (r->s[1][0])
		snprintf(key, n, "%s", r->s[1]);
	else
		snprintf(key, n, "%.0f,%.0f", r->v[1], r->v[2]);
}

/* The profile an attention row is predicted with: the fitted parameters from x, the SM
 * count and the L2 size from the base, nothing else. */
static void attn_profile(const struct fam_ctx *c, const double *x, struct profile *p)
{
	memset(p, 0, sizeof(*p));
	p->gemm_bf16.sms = c->sms;
	p->attn_decode.l2_bytes = c->l2_bytes;
	for (int j = 0; j < c->np; j++)
		*par_field(p, c->par[j]) = x[j];
}

static double prefill_pred(const struct fam_ctx *c, const double *x, const struct raw_row *r)
{
	struct profile p;
	attn_profile(c, x, &p);
	return fit_prefill_time(&p, r->v[0], r->v[1], r->v[2], r->v[3], r->v[4]);
}

static double decode_pred(const struct fam_ctx *c, const double *x, const struct raw_row *r)
{
	struct profile p;
	attn_profile(c, x, &p);
	return fit_decode_time(&p, r->v[0], r->v[1], r->v[3], r->v[4]);
}

static void attn_group(const struct raw_row *r, char *key, size_t n)
{
	snprintf(key, n, "%.0f/%.0f/%.0f", r->v[2], r->v[3], r->v[4]);
}

static double membw_pred(const struct fam_ctx *c, const double *x, const struct raw_row *r)
{
	return x[0] + r->v[0] / x[1];
}

static void membw_group(const struct raw_row *r, char *key, size_t n)
{
	snprintf(key, n, "%s", r->s[0]);
}

static double ar_pred(const struct fam_ctx *c, const double *x, const struct raw_row *r)
{
	struct allreduce_model a = {.n_gpus = c->n_gpus};
	if (c->custom) {
		a.car_lat = x[0], a.car_bw = x[1];
		if (c->np > 2)
			a.car2_lat = x[2], a.car2_bw = x[3];
	} else {
		a.lat = x[0], a.busbw = x[1];
		if (c->np > 2)
			a.ll128_lat = x[2], a.ll128_busbw = x[3], a.simple_lat = x[4],
			a.simple_busbw = x[5];
	}
	return fit_allreduce_time(&a, r->v[1], c->custom);
}

static void ar_group(const struct raw_row *r, char *key, size_t n)
{
	snprintf(key, n, "%d", (int)floor(log10(r->v[1])));
}

/* Rows whose head dim is past what FA3 runs (column 4) */
static size_t count_wide(const struct sel *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->r[i]->v[4] > PROFILE_FA_MAX_DIM;
	return n;
}

/* Decode rows whose batch is (above = 0) at most or (above = 1) over FA3's per-sequence
 * planning */
static size_t count_dyn(const struct sel *s, int above)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += (s->r[i]->v[0] > PROFILE_FA_DYN_MAX_SEQS) == above;
	return n;
}

/* Decode rows whose KV cache fits in l2 bytes */
static size_t count_warm(const struct sel *s, double l2)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const double *v = s->r[i]->v;
		n += decode_kv_bytes(v[0], v[1], v[3], v[4]) <= l2;
	}
	return n;
}

/* Refuse data without the spread the parameters need: at least `need` distinct values of
 * column col. */
static int need_spread(const struct sel *s, int col, int need, const char *what, const char *colname)
{
	double seen[8];
	int k = 0;
	for (size_t i = 0; i < s->n && k < need; i++) {
		int dup = 0;
		for (int j = 0; j < k; j++)
			dup |= seen[j] == s->r[i]->v[col];
		if (!dup)
			seen[k++] = s->r[i]->v[col];
	}
	if (k >= need)
		return 0;
	return err_set("%s:%d: %s: %zu rows with %d distinct '%s' (expected at least %d distinct "
		       "values to fit)", s->r[0]->file, s->r[0]->line, what, s->n, k, colname, need);
}

/* Fit c (its start in c->x) on its rows, add in-sample errors to *in and leave-one-group-out
 * errors to *loo. */
static int fam_fit(struct fam_ctx *c, const char *what, struct robust_errs *in, struct robust_errs *loo,
		   int *groups, int no_loo)
{
	if (c->s.n < (size_t)c->np + 1)
		return err_set("%s:%d: %s: %zu data points for %d parameters (expected at least %d)",
			       c->s.n ? c->s.r[0]->file : "?", c->s.n ? c->s.r[0]->line : 0, what,
			       c->s.n, c->np, c->np + 1);
	if (robust_fit(c->np, c->x, c->kind, c->s.n, c->s.y, pred_cb, c, what, 6, 300, c->se))
		return err_prefix("%s: ", c->s.r[0]->file);
	for (size_t i = 0; i < c->s.n; i++)
		robust_errs_add(in, c->predict(c, c->x, c->s.r[i]), c->s.r[i]->t);
	if (no_loo || !c->group)
		return 0;
	/* distinct group keys, in order of first appearance */
	char (*keys)[48] = xmalloc(c->s.n * sizeof(*keys));
	size_t nk = 0;
	for (size_t i = 0; i < c->s.n; i++) {
		char k[48];
		size_t j;
		c->group(c->s.r[i], k, sizeof(k));
		for (j = 0; j < nk && strcmp(keys[j], k); j++)
			;
		if (j == nk)
			memcpy(keys[nk++], k, sizeof(k));
	}
	for (size_t g = 0; nk > 1 && g < nk; g++) {
		struct fam_ctx sub = *c;
		memset(&sub.s, 0, sizeof(sub.s));
		for (size_t i = 0; i < c->s.n; i++) {
			char k[48];
			c->group(c->s.r[i], k, sizeof(k));
			if (strcmp(k, keys[g]))
				sel_add(&sub.s, c->s.r[i]);
		}
		if (sub.s.n >= (size_t)c->np + 1 &&
		    /* warm start from the full fit: fewer rounds reach the same optimum */
		    !robust_fit(sub.np, sub.x, sub.kind, sub.s.n, sub.s.y, pred_cb, &sub, what, 2, 60, NULL)) {
			for (size_t i = 0; i < c->s.n; i++) {
				char k[48];
				c->group(c->s.r[i], k, sizeof(k));
				if (!strcmp(k, keys[g]))
					robust_errs_add(loo, c->predict(c, sub.x, c->s.r[i]), c->s.r[i]->t);
			}
			(*groups)++;
		}
		sel_release(&sub.s);
	}
	free(keys);
	return 0;
}

static void finish_stats(struct fit_stats *st, struct robust_errs *in, struct robust_errs *loo)
{
	st->n = (int)in->n;
	robust_errs_stats(in, &st->median, &st->p90, &st->max);
	robust_errs_stats(loo, &st->loo_median, &st->loo_p90, NULL);
	free(in->e);
	free(loo->e);
}

static struct allreduce_model *ar_slot(struct profile *p, int n)
{
	for (int i = 0; i < PROFILE_MAX_AR; i++)
		if (p->ar[i].n_gpus == n)
			return &p->ar[i];
	for (int i = 0; i < PROFILE_MAX_AR; i++)
		if (!p->ar[i].n_gpus) {
			memset(&p->ar[i], 0, sizeof(p->ar[i]));
			p->ar[i].n_gpus = n;
			return &p->ar[i];
		}
	return NULL;
}

/* The GEMM model is not convex in its parameters: start from the best of a few short
 * fits from different corners (scored by median + p90 of the relative error, the figures
 * the report gives), then fam_fit refines it. */
static void gemm_start(struct fam_ctx *c, const char *what)
{
	/* eff_max, m_half, nk_half, bw_eff, floor, smooth; with the tile terms (c->np = 13)
	 * cta_half, wave_exp, wave_time, row_time, k_lat, split_k, act_time */
	static const double starts[][13] = {
		{0.7, 64, 256, 0.8, 5e-6, 2, 0.5, 0.2, 5e-7, 5e-9, 5e-10, 4096, 1e-12},
		{0.8, 16, 1024, 0.8, 8e-6, 4, 2, 1, 1e-8, 1e-10, 1e-9, 1e5, 1e-13},
		{0.9, 256, 128, 0.9, 3e-6, 1.5, 1, 0.5, 1e-7, 1e-9, 1e-9, 2048, 1e-12},
		{0.7, 4, 512, 0.7, 1e-5, 8, 1, 0.5, 1e-7, 1e-9, 1e-9, 2048, 1e-12},
		{0.8, 16, 100, 0.85, 3e-6, 3, 1, 0.5, 1e-7, 1e-9, 1e-9, 2048, 1e-12},
	};
	/* the plain model keeps its four corners, so its fits do not change */
	size_t ns = c->np > 6 ? 5 : 4;
	double best = INFINITY, bx[16];
	struct robust_errs e = {0};
	memcpy(bx, c->x, sizeof(bx));
	for (size_t s = 0; s < ns; s++) {
		double x[16] = {0}, med, p90;
		memcpy(x, starts[s], sizeof(double) * (size_t)c->np);
		if (robust_fit(c->np, x, c->kind, c->s.n, c->s.y, pred_cb, c, what, 2, 100, NULL))
			continue;
		e.n = 0;
		for (size_t i = 0; i < c->s.n; i++)
			robust_errs_add(&e, c->predict(c, x, c->s.r[i]), c->s.r[i]->t);
		robust_errs_stats(&e, &med, &p90, NULL);
		if (med + p90 < best) {
			best = med + p90;
			memcpy(bx, x, sizeof(bx));
		}
	}
	free(e.e);
	memcpy(c->x, bx, sizeof(bx));
}

/* Remove path's entry from the profile's uncertainty block, if it has one */
static void unc_drop(struct profile *p, const char *path)
{
	for (int u = 0; u < p->n_unc; u++)
		if (!strcmp(p->unc[u].path, path)) {
			memmove(&p->unc[u], &p->unc[u + 1], (size_t)(p->n_unc - u - 1) * sizeof(p->unc[0]));
			p->n_unc--;
			return;
		}
}

/* Record a fitted parameter's relative standard error in the profile's uncertainty block
 * (replacing an entry of the same path); errors of 100% or more mean "not identified by
 * the data" and are left out rather than sampled. */
static void unc_add(struct profile *p, const char *path, double rel)
{
	int u;
	if (!(rel >= 0 && rel < 0.999)) { /* and no error of the base's value stays either */
		unc_drop(p, path);
		return;
	}
	for (u = 0; u < p->n_unc && strcmp(p->unc[u].path, path); u++)
		;
	if (u == PROFILE_MAX_UNC)
		bug("uncertainty block full at '%s' (raise PROFILE_MAX_UNC)", path);
	strlcpy0(p->unc[u].path, path, sizeof(p->unc[u].path));
	p->unc[u].rel = rel;
	if (u == p->n_unc)
		p->n_unc++;
}

/* Record that the fit set the parameter at `path` from raw family `fam` (cmd_calibrate marks
 * those lines of the profile it writes). */
static void mark_set(struct fit_report *rep, int fam, const char *path)
{
	for (int i = 0; i < rep->n_set; i++)
		if (!strcmp(rep->set[i].path, path))
			return;
	if (rep->n_set == FIT_MAX_SET)
		bug("fit report full at '%s' (raise FIT_MAX_SET)", path);
	strlcpy0(rep->set[rep->n_set].path, path, sizeof(rep->set[0].path));
	rep->set[rep->n_set++].fam = fam;
}

/* A parameter the fit set, with its relative standard error */
static void fitted_param(struct profile *p, struct fit_report *rep, int fam, const char *path,
			 double rel)
{
	mark_set(rep, fam, path);
	unc_add(p, path, rel);
}

static int fit_gemm(struct profile *p, const struct raw_set *rs, const struct fit_options *o,
		    struct fit_report *rep)
{
	const struct raw_table *t = &rs->fam[RAW_GEMM];
	struct robust_errs in = {0}, loo = {0};
	static const char *dts[2] = {"bf16", "fp8"};
	int rc = 0;

	for (int d = 0; d < 2 && !rc; d++) {
		struct gemm_model *g = d ? &p->gemm_fp8 : &p->gemm_bf16;
		/* with the SM count in the base, the tile terms too (all positive) */
		struct fam_ctx c = {.np = g->sms > 0 ? 13 : 6, .x = {0.7, 64, 256, 0.8, 5e-6, 2},
				    .hbm_bw = o->scale_bw_from > 0 ? o->scale_bw_from : p->hbm_bw,
				    .peak = g->peak, .wb = d ? 1 : 2, .sms = g->sms,
				    .predict = gemm_pred, .group = gemm_group};
		/* the schema's rows of this GEMM: eff_max .. smooth, then the tile terms in the
		 * order of struct gemm_model (gemm_pred) */
		const struct profile_key *keys[MAX_FAM_KEYS];
		char what[32], sec[16];
		snprintf(what, sizeof(what), "gemm %s", dts[d]);
		snprintf(sec, sizeof(sec), "gemm_%s", dts[d]);
		if (fam_keys(PROFILE_FIT_GEMM, sec, keys) != 13)
			bug("%s: expected 13 fitted keys in the profile schema", sec);
		for (int j = 0; j < 13; j++)
			c.kind[j] = (int)keys[j]->fit.enc;
		for (size_t i = 0; i < t->n; i++)
			if (!strcmp(t->rows[i].s[0], dts[d]))
				sel_add(&c.s, &t->rows[i]);
		if (!c.s.n)
			continue;
		if (!(g->peak > 0) || !(c.hbm_bw > 0))
			rc = err_set("gemm %s: base profile has no peak or hbm_bw (expected both > 0; "
				     "--base FILE)", dts[d]);
		else if (!(rc = need_spread(&c.s, 0, 3, what, "m"))) {
			gemm_start(&c, what);
			rc = fam_fit(&c, what, &in, &loo, &rep->fam[FIT_GEMM].loo_groups, o->no_loo);
		}
		if (!rc) {
			g->eff_max = c.x[0];
			/* a half-point that ran to 0 means "no such effect"; keep it a plain number */
			g->m_half = c.x[1] > 1e-3 ? c.x[1] : 1e-3;
			g->nk_half = c.x[2] > 1e-3 ? c.x[2] : 1e-3;
			g->bw_eff = c.x[3];
			g->floor = c.x[4];
			g->smooth = c.x[5];
			if (c.np > 6) {
				/* a term that ran to 0 is off: write 0 rather than 1e-20 (a change far
				 * below the fit's resolution) */
				static const double tiny[7] = {1e-6, 1e-6, 1e-15, 1e-15, 1e-15, 0, 1e-18};
				for (int j = 6; j < 13; j++) /* not split_k: there 0 means "never split" */
					if (c.x[j] < tiny[j - 6])
						c.x[j] = 0;
				/* splits deeper than any k: the library never splits (vLLM's fp8 kernels) */
				if (c.x[11] > 1e9)
					c.x[11] = 0;
				g->cta_half = c.x[6], g->wave_exp = c.x[7], g->wave_time = c.x[8];
				g->row_time = c.x[9], g->k_lat = c.x[10], g->split_k = c.x[11];
				g->act_time = c.x[12];
			}
			rep->fitted[RAW_GEMM] += (int)c.s.n;
			for (int j = 0; j < c.np; j++) {
				mark_set(rep, RAW_GEMM, keys[j]->key);
				if ((j == 1 || j == 2) && c.x[j] <= 1e-3)
					continue; /* collapsed to the clamp: not identified */
				if (j >= 6 && c.x[j] == 0)
					continue; /* a term that is off */
				unc_add(p, keys[j]->key, c.se[j]);
			}
		}
		sel_release(&c.s);
	}
	finish_stats(&rep->fam[FIT_GEMM], &in, &loo);
	return rc;
}

static int fit_simple(struct profile *p, const struct raw_set *rs, const struct fit_options *o,
		      struct fit_report *rep, enum raw_family rf)
{
	struct robust_errs in = {0}, loo = {0};
	struct fam_ctx c = {0};
	const struct raw_table *t = &rs->fam[rf];
	const struct profile_key *pars[MAX_FAM_KEYS]; /* attention: the family's parameters */
	size_t npars = 0;
	enum fit_fam ff;
	int rc;

	if (!t->n)
		return 0;
	if ((rf == RAW_PREFILL || rf == RAW_DECODE) && raw_is_reference(t) &&
	    !o->reference_attention) {
		rep->reference[rf] = (int)t->n;
		return 0;
	}
	for (size_t i = 0; i < t->n; i++)
		sel_add(&c.s, &t->rows[i]);
	if (rf == RAW_PREFILL || rf == RAW_DECODE) {
		size_t warm = rf == RAW_DECODE && p->attn_decode.l2_bytes > 0 ?
				      count_warm(&c.s, p->attn_decode.l2_bytes) : 0;
		unsigned when = 1u << PROFILE_WHEN_ALWAYS;
		if (p->gemm_bf16.sms > 0)
			when |= 1u << PROFILE_WHEN_SMS, c.sms = p->gemm_bf16.sms;
		if (count_wide(&c.s) >= 3)
			when |= 1u << PROFILE_WHEN_WIDE;
		if (rf == RAW_DECODE && count_dyn(&c.s, 0) >= 3 && count_dyn(&c.s, 1) >= 3)
			when |= 1u << PROFILE_WHEN_DYN;
		if (warm >= 3 && warm + 3 <= c.s.n)
			when |= 1u << PROFILE_WHEN_WARM, c.l2_bytes = p->attn_decode.l2_bytes;
		ff = rf == RAW_PREFILL ? FIT_PREFILL : FIT_DECODE;
		npars = fam_keys(rf == RAW_PREFILL ? PROFILE_FIT_PREFILL : PROFILE_FIT_DECODE, NULL,
				 pars);
		for (size_t i = 0; i < npars; i++)
			if ((when & 1u << pars[i]->fit.when) && !left_out(o, pars[i]->key)) {
				c.par[c.np] = pars[i], c.kind[c.np] = (int)pars[i]->fit.enc;
				c.x[c.np++] = pars[i]->fit.start > 0 ? pars[i]->fit.start : 2 * p->hbm_bw;
			}
		c.group = attn_group;
		if (rf == RAW_PREFILL) {
			c.predict = prefill_pred;
			rc = need_spread(&c.s, 1, 2, "attention_prefill", "seq_len");
		} else {
			c.predict = decode_pred;
			rc = need_spread(&c.s, 1, 2, "attention_decode", "kv_len");
			if (!rc)
				rc = need_spread(&c.s, 0, 2, "attention_decode", "batch");
		}
	} else {
		ff = FIT_MEMBW;
		c.np = 2, c.x[0] = 5e-6, c.x[1] = 2e12;
		c.predict = membw_pred, c.group = membw_group;
		rc = need_spread(&c.s, 0, 2, "membw", "bytes");
	}
	if (!rc)
		rc = fam_fit(&c, fam_names[ff], &in, &loo, &rep->fam[ff].loo_groups, o->no_loo);
	if (!rc) {
		double scale = o->scale_bw_from > 0 ? p->hbm_bw / o->scale_bw_from : 1;
		if (npars) {
			/* what the rows do not identify is off (0), not kept from the base, and has
			 * no error to sample */
			for (size_t i = 0; i < npars; i++) {
				*par_field(p, pars[i]) = 0;
				unc_drop(p, pars[i]->key);
			}
			for (int j = 0; j < c.np; j++) {
				*par_field(p, c.par[j]) = c.x[j] * (c.par[j]->fit.scaled ? scale : 1);
				fitted_param(p, rep, rf, c.par[j]->key, c.se[j]);
			}
		} else {
			p->ew_bw = c.x[1] * scale;
			fitted_param(p, rep, rf, "elementwise.bw", c.se[1]);
		}
		rep->fitted[rf] = (int)c.s.n;
	}
	sel_release(&c.s);
	finish_stats(&rep->fam[ff], &in, &loo);
	return rc;
}

/* How many regimes the rows of one (GPU count, implementation) support, and where their
 * fit starts. NCCL: its three protocols (LL, LL128, Simple) when the sizes span four
 * decades or more, started each with a higher latency and bus bandwidth than the one
 * before; the custom all-reduce: vLLM's one- and two-stage kernels on 4 or more GPUs (2
 * GPUs always run one stage). Fewer rows keep one regime: the model of old. */
static void ar_start(struct fam_ctx *c)
{
	double tmin = INFINITY, bwmax = 0, bmin = INFINITY, bmax = 0;
	for (size_t i = 0; i < c->s.n; i++) {
		double b = c->s.r[i]->v[1], t = c->s.r[i]->t;
		double bus = c->custom ? b : b * 2 * (c->n_gpus - 1) / c->n_gpus;
		tmin = t < tmin ? t : tmin;
		bwmax = bus / t > bwmax ? bus / t : bwmax;
		bmin = b < bmin ? b : bmin;
		bmax = b > bmax ? b : bmax;
	}
	c->np = 2;
	c->x[0] = tmin, c->x[1] = bwmax;
	if (!c->custom && c->s.n >= 15 && bmax >= 1e4 * bmin) {
		double x[6] = {tmin, 0.4 * bwmax, 1.5 * tmin, 0.8 * bwmax, 4 * tmin, 1.05 * bwmax};
		c->np = 6;
		memcpy(c->x, x, sizeof(x));
	} else if (c->custom && c->n_gpus >= 4 && c->s.n >= 10 && bmax >= 1e3 * bmin) {
		double x[4] = {tmin, 0.5 * bwmax, 2 * tmin, bwmax};
		c->np = 4;
		memcpy(c->x, x, sizeof(x));
	}
}

/* Whether the regime t = lat + x / bw is the fastest for some x >= 0 against the lower
 * envelope of two others (l2 = INFINITY: absent). The difference to a concave envelope is
 * convex in x, so x = 0, x -> infinity and the others' crossing are the places to look. */
static int ar_regime_used(double lat, double bw, double l1, double b1, double l2, double b2)
{
	double x;
	if (lat < l1 && lat < l2)
		return 1;
	if (bw > b1 && (isinf(l2) || bw > b2))
		return 1;
	if (isinf(l2) || b1 == b2)
		return 0;
	x = (l2 - l1) / (1 / b1 - 1 / b2);
	return x > 0 && lat + x / bw < l1 + x / b1;
}

/* Store one fitted (GPU count, implementation). A regime the fit left nowhere fastest
 * predicts nothing: it is dropped (0), so the profile lists only the regimes that run.
 * Regimes the data do not support are cleared, not kept from the base. */
static void ar_store(struct profile *p, struct fit_report *rep, struct allreduce_model *a,
		     const struct fam_ctx *c, double maxb)
{
	static const char *const nccl[6] = {"lat", "busbw", "ll128_lat", "ll128_busbw",
					    "simple_lat", "simple_busbw"};
	static const char *const car[4] = {"car_lat", "car_bw", "car2_lat", "car2_bw"};
	const double *x = c->x;
	int keep[3] = {1, c->np > 2, c->np > 4};
	char path[48];

	if (c->custom) {
		keep[1] = keep[1] && ar_regime_used(x[2], x[3], x[0], x[1], INFINITY, 0);
		a->car_lat = x[0], a->car_bw = x[1], a->car_max_bytes = maxb;
		a->car2_lat = keep[1] ? x[2] : 0, a->car2_bw = keep[1] ? x[3] : 0;
	} else {
		keep[1] = keep[1] && ar_regime_used(x[2], x[3], x[0], x[1], x[4], x[5]);
		keep[2] = keep[2] && ar_regime_used(x[4], x[5], x[0], x[1],
						    keep[1] ? x[2] : INFINITY, x[3]);
		a->lat = x[0], a->busbw = x[1];
		a->ll128_lat = keep[1] ? x[2] : 0, a->ll128_busbw = keep[1] ? x[3] : 0;
		a->simple_lat = keep[2] ? x[4] : 0, a->simple_busbw = keep[2] ? x[5] : 0;
	}
	for (int j = 0; j < c->np; j++) {
		if (!keep[j / 2])
			continue;
		snprintf(path, sizeof(path), "allreduce.%d.%s", c->n_gpus,
			 c->custom ? car[j] : nccl[j]);
		fitted_param(p, rep, RAW_ALLREDUCE, path, c->se[j]);
	}
}

/* The rows of one (GPU count, implementation) that the model describes, into s; returns
 * the largest message among them. nccl: eager rows (as nccl-tests and the engine's prefill
 * run it) unless there are only graph rows; custom: graph rows (vLLM replays it in decode
 * graphs) unless there are only eager ones, and messages up to limit bytes. */
static double ar_select(const struct raw_table *t, int n, int custom, double limit,
			struct sel *s)
{
	const char *impl = custom ? "custom" : "nccl";
	int want_graph = custom, have[2] = {0, 0};
	double maxb = 0;
	for (size_t i = 0; i < t->n; i++)
		if ((int)t->rows[i].v[0] == n && !strcmp(t->rows[i].s[0], impl))
			have[(int)t->rows[i].v[2]] = 1;
	if (!have[want_graph])
		want_graph = !want_graph;
	for (size_t i = 0; i < t->n; i++) {
		const struct raw_row *r = &t->rows[i];
		if ((int)r->v[0] != n || strcmp(r->s[0], impl) || (int)r->v[2] != want_graph ||
		    (custom && r->v[1] > limit))
			continue;
		sel_add(s, r);
		if (r->v[1] > maxb)
			maxb = r->v[1];
	}
	return maxb;
}

static int fit_allreduce(struct profile *p, const struct raw_set *rs, const struct fit_options *o,
			 struct fit_report *rep)
{
	const struct raw_table *t = &rs->fam[RAW_ALLREDUCE];
	struct robust_errs in = {0}, loo = {0};
	int rc = 0;

	for (int n = 2; n <= 8 && !rc; n++)
		for (int custom = 0; custom < 2 && !rc; custom++) {
			struct fam_ctx c = {.np = 2, .x = {custom ? 5e-6 : 1e-5, custom ? 5e10 : 1e11},
					    .n_gpus = n, .custom = custom, .predict = ar_pred,
					    .group = ar_group};
			double maxb = ar_select(t, n, custom,
						o->car_max_bytes > 0 ? o->car_max_bytes : 8 << 20, &c.s);
			const char *impl = custom ? "custom" : "nccl";
			char what[48];
			if (!c.s.n)
				continue; /* no rows of this GPU count and implementation */
			snprintf(what, sizeof(what), "allreduce %s n_gpus %d", impl, n);
			struct allreduce_model *a = ar_slot(p, n);
			if (!a)
				rc = err_set("%s:%d: %s: more than %d GPU counts (expected 2, 4, 8)",
					     c.s.r[0]->file, c.s.r[0]->line, what, PROFILE_MAX_AR);
			else if (!(rc = need_spread(&c.s, 1, 3, what, "bytes"))) {
				ar_start(&c);
				rc = fam_fit(&c, what, &in, &loo, &rep->fam[FIT_ALLREDUCE].loo_groups,
					     o->no_loo);
				if (!rc) {
					ar_store(p, rep, a, &c, maxb);
					rep->fitted[RAW_ALLREDUCE] += (int)c.s.n;
				}
			}
			sel_release(&c.s);
		}
	finish_stats(&rep->fam[FIT_ALLREDUCE], &in, &loo);
	return rc;
}

/* ---- the network between nodes ---- */

/* NCCL all-reduce rows of more GPUs than one node holds (n_gpus a multiple of
 * gpus_per_node): the all-reduce over n_gpus / gpus_per_node nodes. Eager rows as
 * ar_select takes them. */
static void net_select(const struct raw_table *t, int gpn, struct sel *s)
{
	if (gpn < 1) /* no node size: nothing is across nodes */
		return;
	for (size_t i = 0; i < t->n; i++) {
		const struct raw_row *r = &t->rows[i];
		int n = (int)r->v[0];
		if (n > gpn && n % gpn == 0 && !strcmp(r->s[0], "nccl") && (int)r->v[2] == 0)
			sel_add(s, r);
	}
}

/* The network time of a row by models/comm.c, with x as the network (lat, bw, simple_lat,
 * simple_bw) and the node's all-reduce from the base. */
static double net_pred(const struct fam_ctx *c, const double *x, const struct raw_row *r)
{
	static struct profile q; /* one fit at a time; too big for the stack per row */
	int n = (int)r->v[0], g = c->base->gpus_per_node;
	q = *c->base;
	q.net = (struct network_model){x[0], x[1], c->np > 2 ? x[2] : 0, c->np > 2 ? x[3] : 0};
	return comm_allreduce(&q, r->v[1], n, n / g);
}

/* network.*: fitted to the rows net_select takes, the node's all-reduce held (the base's
 * or this fit's). Two regimes (NCCL's LL and Simple) with 12 rows or more over four
 * decades of size, else one; a regime left nowhere fastest is dropped. */
static int fit_network(struct profile *p, const struct raw_set *rs, const struct fit_options *o,
		       struct fit_report *rep)
{
	static const char *const keys[4] = {"network.lat", "network.bw", "network.simple_lat",
					    "network.simple_bw"};
	struct robust_errs in = {0}, loo = {0};
	struct fam_ctx c = {.np = 2, .x = {5e-6, 1e10}, .base = p, .predict = net_pred,
			    .group = ar_group};
	double bmin = INFINITY, bmax = 0;
	int rc = 0, keep;
	net_select(&rs->fam[RAW_ALLREDUCE], p->gpus_per_node, &c.s);
	if (c.s.n) {
		for (size_t i = 0; i < c.s.n; i++) {
			bmin = fmin(bmin, c.s.r[i]->v[1]);
			bmax = fmax(bmax, c.s.r[i]->v[1]);
		}
		if (c.s.n >= 12 && bmax >= 1e4 * bmin) {
			double x[4] = {5e-6, 2e9, 5e-5, 2e10};
			c.np = 4;
			memcpy(c.x, x, sizeof(x));
		}
		rc = fam_fit(&c, "network", &in, &loo, &rep->fam[FIT_NETWORK].loo_groups, o->no_loo);
	}
	if (c.s.n && !rc) {
		keep = c.np > 2 && ar_regime_used(c.x[2], c.x[3], c.x[0], c.x[1], INFINITY, 0);
		p->net = (struct network_model){c.x[0], c.x[1], keep ? c.x[2] : 0, keep ? c.x[3] : 0};
		for (int j = 0; j < (keep ? 4 : 2); j++)
			fitted_param(p, rep, RAW_ALLREDUCE, keys[j], c.se[j]);
		/* the rows, already counted by fit_allreduce's entry for their GPU count */
	}
	sel_release(&c.s);
	finish_stats(&rep->fam[FIT_NETWORK], &in, &loo);
	return rc;
}

static int fit_launch(struct profile *p, const struct raw_set *rs, struct fit_report *rep)
{
	const struct raw_table *t = &rs->fam[RAW_LAUNCH];
	for (int graph = 0; graph < 2; graph++) {
		double *v = xmalloc((t->n + 1) * sizeof(*v));
		size_t n = 0;
		for (size_t i = 0; i < t->n; i++)
			if (!strcmp(t->rows[i].s[0], graph ? "graph" : "eager"))
				v[n++] = t->rows[i].t;
		if (n) {
			double med = robust_median(v, n);
			if (graph)
				p->launch_graph = med;
			else
				p->launch_eager = med;
			mark_set(rep, RAW_LAUNCH, graph ? "overhead.launch_graph" : "overhead.launch_eager");
			rep->fitted[RAW_LAUNCH] += (int)n;
		}
		free(v);
	}
	return 0;
}

static void report_init(struct fit_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	for (int f = 0; f < FIT_NFAM; f++)
		rep->fam[f].median = rep->fam[f].p90 = rep->fam[f].max = rep->fam[f].loo_median =
			rep->fam[f].loo_p90 = NAN;
}

int fit_profile(struct profile *p, const struct raw_set *rs, const struct fit_options *o,
		struct fit_report *rep)
{
	report_init(rep);
	if (check_without(o) || fit_gemm(p, rs, o, rep) || fit_simple(p, rs, o, rep, RAW_PREFILL) ||
	    fit_simple(p, rs, o, rep, RAW_DECODE) || fit_simple(p, rs, o, rep, RAW_MEMBW) ||
	    fit_allreduce(p, rs, o, rep) || fit_network(p, rs, o, rep) || fit_launch(p, rs, rep))
		return -1;
	return 0;
}

/* ---- checking a profile against raw data ---- */

int fit_check(const struct profile *p, const struct raw_set *rs, struct fit_report *rep)
{
	struct robust_errs e[FIT_NFAM] = {{0}}, none = {0};
	const struct raw_table *t;
	int rc = 0;

	report_init(rep);
	t = &rs->fam[RAW_GEMM];
	for (size_t i = 0; i < t->n; i++) {
		const struct raw_row *r = &t->rows[i];
		int fp8 = !strcmp(r->s[0], "fp8");
		const struct gemm_model *g = fp8 ? &p->gemm_fp8 : &p->gemm_bf16;
		robust_errs_add(&e[FIT_GEMM], cost_gemm(g, p->hbm_bw, r->v[0], r->v[1], r->v[2], fp8 ? 1 : 2),
			 r->t);
	}
	t = &rs->fam[RAW_PREFILL];
	for (size_t i = 0; i < t->n; i++) {
		const double *v = t->rows[i].v;
		robust_errs_add(&e[FIT_PREFILL], fit_prefill_time(p, v[0], v[1], v[2], v[3], v[4]),
			 t->rows[i].t);
	}
	t = &rs->fam[RAW_DECODE];
	for (size_t i = 0; i < t->n; i++) {
		const double *v = t->rows[i].v;
		robust_errs_add(&e[FIT_DECODE], fit_decode_time(p, v[0], v[1], v[3], v[4]), t->rows[i].t);
	}
	t = &rs->fam[RAW_ALLREDUCE];
	for (int n = 2; n <= 8 && !rc; n++) {
		const struct allreduce_model *a = profile_allreduce(p, n);
		for (int custom = 0; custom < 2 && !rc; custom++) {
			struct sel s = {0};
			ar_select(t, n, custom, a && a->car_max_bytes > 0 ? a->car_max_bytes : INFINITY, &s);
			if (!s.n)
				;
			else if (!a || !(custom ? a->car_lat > 0 : a->lat > 0))
				rc = err_set("%s:%d: key 'n_gpus': profile '%s' has no %s all-reduce model "
					     "for %d GPUs", s.r[0]->file, s.r[0]->line, p->name,
					     custom ? "custom" : "nccl", n);
			else
				for (size_t i = 0; i < s.n; i++)
					robust_errs_add(&e[FIT_ALLREDUCE],
						 fit_allreduce_time(a, s.r[i]->v[1], custom), s.r[i]->t);
			sel_release(&s);
		}
	}
	if (!rc) {
		struct sel s = {0};
		net_select(t, p->gpus_per_node, &s);
		for (size_t i = 0; i < s.n && !rc; i++) {
			int n = (int)s.r[i]->v[0];
			double tp = comm_allreduce(p, s.r[i]->v[1], n, n / p->gpus_per_node);
			if (tp < 0)
				rc = err_prefix("%s:%d: key 'n_gpus': ", s.r[i]->file, s.r[i]->line);
			else
				robust_errs_add(&e[FIT_NETWORK], tp, s.r[i]->t);
		}
		sel_release(&s);
	}
	for (int f = 0; f < FIT_NFAM; f++)
		finish_stats(&rep->fam[f], &e[f], &none);
	return rc;
}

/* ---- reports ---- */

static void json_num(struct sbuf *sb, const char *key, double v, int last)
{
	if (isfinite(v))
		sbuf_printf(sb, "\"%s\": %.4f%s", key, v, last ? "" : ", ");
	else
		sbuf_printf(sb, "\"%s\": null%s", key, last ? "" : ", ");
}

/* rows of ttsim's reference attention kernels that a fit left out of family f */
static int reference_rows(const struct fit_report *rep, int f)
{
	return f == FIT_PREFILL ? rep->reference[RAW_PREFILL]
	       : f == FIT_DECODE ? rep->reference[RAW_DECODE] : 0;
}

/* The report keeps its layout (one family a line) by hand, which cJSON_Print cannot give;
 * only the name, free text from a file name, goes through cJSON to be escaped. */
void fit_report_json(const struct fit_report *rep, const char *profile_name, struct sbuf *sb)
{
	cJSON *name = cJSON_CreateString(profile_name);
	char *quoted = name ? cJSON_PrintUnformatted(name) : NULL;
	if (!quoted)
		bug("fit: cJSON could not quote the profile name (out of memory)");
	sbuf_printf(sb, "{\n  \"profile\": %s,\n", quoted);
	cJSON_free(quoted);
	cJSON_Delete(name);
	for (int f = 0; f < FIT_NFAM; f++) {
		const struct fit_stats *s = &rep->fam[f];
		sbuf_printf(sb, "  \"%s\": {\"n\": %d, ", fam_names[f], s->n);
		if (reference_rows(rep, f))
			sbuf_printf(sb, "\"reference_rows_left_out\": %d, ", reference_rows(rep, f));
		json_num(sb, "median_rel_err", s->median, 0);
		json_num(sb, "p90_rel_err", s->p90, 0);
		json_num(sb, "max_rel_err", s->max, 0);
		json_num(sb, "loo_median_rel_err", s->loo_median, 0);
		json_num(sb, "loo_p90_rel_err", s->loo_p90, 0);
		sbuf_printf(sb, "\"loo_groups\": %d}%s\n", s->loo_groups, f + 1 < FIT_NFAM ? "," : "");
	}
	sbuf_printf(sb, "}\n");
}

void fit_report_print(const struct fit_report *rep, FILE *f)
{
	fprintf(f, "%-18s %6s %8s %8s %8s %8s %8s %6s\n", "family", "n", "median", "p90", "max",
		"loo_med", "loo_p90", "groups");
	for (int i = 0; i < FIT_NFAM; i++) {
		const struct fit_stats *s = &rep->fam[i];
		if (!s->n && reference_rows(rep, i)) {
			fprintf(f, "%-18s %6d   (%d rows of ttsim's reference kernels left out)\n",
				fam_names[i], 0, reference_rows(rep, i));
			continue;
		}
		if (!s->n) {
			fprintf(f, "%-18s %6d %8s\n", fam_names[i], 0, "(no data)");
			continue;
		}
		if (isnan(s->loo_median)) /* a check of a profile, or a fit without LOO */
			fprintf(f, "%-18s %6d %7.2f%% %7.2f%% %7.1f%% %8s %8s %6s\n", fam_names[i],
				s->n, 100 * s->median, 100 * s->p90, 100 * s->max, "-", "-", "-");
		else
			fprintf(f, "%-18s %6d %7.2f%% %7.2f%% %7.1f%% %7.2f%% %7.2f%% %6d\n",
				fam_names[i], s->n, 100 * s->median, 100 * s->p90, 100 * s->max,
				100 * s->loo_median, 100 * s->loo_p90, s->loo_groups);
	}
}
