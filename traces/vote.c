/* vote.c: see vote.h. The fitted vote model and the curves it is judged by; no I/O. */
#include "traces/vote.h"
#include "traces/tts.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define GH_NODES 32

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

static int n_correct(const struct trace_problem *p)
{
	int c = 0;
	for (int j = 0; j < p->n_samples; j++)
		c += p->samples[j].answer == 0;
	return c;
}

static double ln_tokens(const struct trace_sample *s) { return log(s->output_tokens > 1 ? s->output_tokens : 1); }

static double mean_log_len(const struct trace_problem *p)
{
	double s = 0;
	for (int j = 0; j < p->n_samples; j++)
		s += ln_tokens(&p->samples[j]);
	return s / p->n_samples;
}

/* The centred mean log length of each problem of one trace. */
static void centred_len(const struct trace *t, double *m)
{
	double mu = 0;
	for (int i = 0; i < t->n_problems; i++)
		mu += (m[i] = mean_log_len(&t->problems[i]));
	mu /= t->n_problems;
	for (int i = 0; i < t->n_problems; i++)
		m[i] -= mu;
}

int vote_consensus(const struct trace *const *tr, int n, double *d, double *L)
{
	int P;
	double *m;
	if (n < 1)
		return err_set("vote: no traces (expected at least one real trace)");
	P = tr[0]->n_problems;
	for (int k = 1; k < n; k++) {
		if (tr[k]->n_problems != P)
			return err_set("%s: %d problems, %s has %d (expected the same problems in the same order)", tr[k]->name,
				       tr[k]->n_problems, tr[0]->name, P);
		for (int i = 0; i < P; i++)
			if (strcmp(tr[k]->problems[i].unique_id, tr[0]->problems[i].unique_id))
				return err_set("%s: problem %d is '%s', in %s '%s' (expected the same problems in the same order)",
					       tr[k]->name, i, tr[k]->problems[i].unique_id, tr[0]->name,
					       tr[0]->problems[i].unique_id);
	}
	m = xmalloc((size_t)P * sizeof(*m));
	int *any = xcalloc((size_t)P, sizeof(*any));
	memset(d, 0, (size_t)P * sizeof(*d));
	memset(L, 0, (size_t)P * sizeof(*L));
	for (int k = 0; k < n; k++) {
		centred_len(tr[k], m);
		for (int i = 0; i < P; i++) {
			const struct trace_problem *p = &tr[k]->problems[i];
			double q = (n_correct(p) + 0.5) / (p->n_samples + 1.0);
			d[i] += log(q / (1 - q)) / n;
			L[i] += m[i] / n;
			any[i] |= n_correct(p) > 0;
		}
	}
	/* never solved by any of the traces (an answer key no sample matches): unsolvable */
	for (int i = 0; i < P; i++)
		if (!any[i])
			d[i] = -INFINITY;
	free(any);
	free(m);
	return 0;
}

/* ---- (a, s) of one model: binomial-logit-normal maximum likelihood ---- */

struct bln {
	const double *d;
	const int *c, *S;
	int P;
	const double *x, *w; /* Gauss-Hermite nodes and weights (weight exp(-x^2)) */
	double dc;           /* with the slope: d is centred at dc (a and b apart, not along a ridge) */
};

/* v = (a, log s) or (a, log s, log b): logit p_i = a + b d_i + s e */
static double bln_nll(const gsl_vector *v, void *ctx)
{
	const struct bln *b = ctx;
	double a = gsl_vector_get(v, 0), s = exp(gsl_vector_get(v, 1)), nll = 0;
	double sl = v->size > 2 ? exp(gsl_vector_get(v, 2)) : 1;
	for (int i = 0; i < b->P; i++) {
		double l[GH_NODES], mx = -INFINITY, sum = 0;
		if (!isfinite(b->d[i]))
			continue; /* unsolved by every other trace: no information on the spread */
		for (int k = 0; k < GH_NODES; k++) {
			double e = a + sl * (b->d[i] - b->dc) + s * M_SQRT2 * b->x[k];
			/* log p = -log(1 + exp(-e)), log(1 - p) = -log(1 + exp(e)) */
			double lp = -gsl_log1p(exp(-fabs(e))) - (e < 0 ? -e : 0);
			double lq = -gsl_log1p(exp(-fabs(e))) - (e > 0 ? e : 0);
			l[k] = b->c[i] * lp + (b->S[i] - b->c[i]) * lq;
			if (l[k] > mx)
				mx = l[k];
		}
		for (int k = 0; k < GH_NODES; k++)
			sum += b->w[k] * exp(l[k] - mx);
		nll -= mx + log(sum / sqrt(M_PI));
	}
	return nll;
}

/* (a, s), or with slope non-NULL (a, s, b), d centred at b->dc */
static void fit_bln(struct bln *b, double *a, double *s, double *slope)
{
	const gsl_multimin_fminimizer_type *T = gsl_multimin_fminimizer_nmsimplex2;
	size_t np = slope ? 3 : 2;
	gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(T, np);
	gsl_vector *x = gsl_vector_alloc(np), *step = gsl_vector_alloc(np);
	gsl_multimin_function f = {bln_nll, np, b};
	gsl_vector_set(x, 0, slope ? 3 : 0);
	gsl_vector_set(x, 1, log(0.5));
	if (slope)
		gsl_vector_set(x, 2, 0);
	gsl_vector_set_all(step, 0.5);
	/* with the slope the likelihood has long flat valleys where the simplex collapses early:
	 * restarted from its minimum with a fresh simplex until a restart gains nothing */
	for (int round = 0, rounds = slope ? 8 : 1; round < rounds; round++) {
		double f0 = round ? m->fval : INFINITY;
		gsl_multimin_fminimizer_set(m, &f, x, step);
		for (int it = 0; it < 1000; it++) {
			if (gsl_multimin_fminimizer_iterate(m))
				break;
			if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-6) == GSL_SUCCESS)
				break;
		}
		gsl_vector_memcpy(x, m->x);
		if (f0 - m->fval < 1e-6)
			break;
	}
	*a = gsl_vector_get(m->x, 0);
	*s = exp(gsl_vector_get(m->x, 1));
	if (slope)
		*slope = exp(gsl_vector_get(m->x, 2));
	gsl_vector_free(x);
	gsl_vector_free(step);
	gsl_multimin_fminimizer_free(m);
}

/* ---- theta: Ewens sampling formula, pooled over problems ---- */

struct ewens {
	const int *sizes; /* class sizes, partitions concatenated */
	const int *start; /* partition p is sizes[start[p] .. start[p + 1]) */
	int np;
};

static double ewens_nll(double x, void *ctx)
{
	const struct ewens *e = ctx;
	double th = exp(x), nll = 0;
	for (int p = 0; p < e->np; p++) {
		int n = 0, k = e->start[p + 1] - e->start[p];
		for (int j = e->start[p]; j < e->start[p + 1]; j++)
			n += e->sizes[j];
		/* theta^k Gamma(theta) / Gamma(theta + n) prod (n_j - 1)!: the theta-free part is dropped */
		nll -= k * x + gsl_sf_lngamma(th) - gsl_sf_lngamma(th + n);
	}
	return nll;
}

static double fit_theta(struct ewens *e)
{
	double best = 0, fb = INFINITY, lo, hi;
	gsl_function F = {ewens_nll, e};
	gsl_min_fminimizer *m;
	/* a grid brackets the minimum for Brent */
	for (int g = -24; g <= 24; g++) {
		double x = 0.25 * g, f = ewens_nll(x, e);
		if (f < fb)
			fb = f, best = x;
	}
	if (best <= -6 || best >= 6)
		return exp(best);
	lo = best - 0.25, hi = best + 0.25;
	if (!(ewens_nll(best, e) < ewens_nll(lo, e) && ewens_nll(best, e) < ewens_nll(hi, e)))
		return exp(best);
	m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
	gsl_min_fminimizer_set(m, &F, best, lo, hi);
	for (int it = 0; it < 100; it++) {
		if (gsl_min_fminimizer_iterate(m))
			break;
		if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(m), gsl_min_fminimizer_x_upper(m), 1e-7, 0) == GSL_SUCCESS)
			break;
	}
	best = gsl_min_fminimizer_x_minimum(m);
	gsl_min_fminimizer_free(m);
	return exp(best);
}

/* The Ewens log likelihood (theta-dependent part) of one problem's wrong answers. */
static double ewens_ll(const struct trace_problem *p, double th)
{
	int cnt[4096] = {0}, k = 0, nw = 0;
	for (int j = 0; j < p->n_samples && j < 4096; j++)
		if (p->samples[j].answer > 0 && p->samples[j].answer < 4096) {
			k += !cnt[p->samples[j].answer]++;
			nw++;
		}
	if (nw < 2)
		return 0;
	return k * log(th) + gsl_sf_lngamma(th) - gsl_sf_lngamma(th + nw);
}

int vote_problem_theta(const struct trace *const *tr, int n, double theta, double *th)
{
	int P = tr[0]->n_problems;
	for (int k = 1; k < n; k++)
		if (tr[k]->n_problems != P)
			return err_set("%s: %d problems, %s has %d (expected the same problems)", tr[k]->name,
				       tr[k]->n_problems, tr[0]->name, P);
	for (int i = 0; i < P; i++) {
		double best = log(theta), fb = -INFINITY;
		/* the posterior mode on a grid of log theta, prior N(log theta, 1) */
		for (int g = -120; g <= 120; g++) {
			double x = 0.05 * g, f = -0.5 * (x - log(theta)) * (x - log(theta));
			for (int k = 0; k < n; k++)
				f += ewens_ll(&tr[k]->problems[i], exp(x));
			if (f > fb)
				fb = f, best = x;
		}
		th[i] = exp(best);
	}
	return 0;
}

void vote_abstain_count(const struct trace *t, long *abst, long *nonc)
{
	for (int i = 0; i < t->n_problems; i++)
		for (int j = 0; j < t->problems[i].n_samples; j++) {
			const struct trace_sample *sm = &t->problems[i].samples[j];
			/* a cut sample is the length model's (the generator gives it no answer), not an
			 * abstention: counting it here would apply the cap's share twice */
			if (!sm->finished || sm->answer == 0)
				continue;
			(*nonc)++;
			*abst += sm->answer < 0;
		}
}

/* The trace's samples, those cut at the cap, and the cut ones with an extracted answer. */
static void cut_counts(const struct trace *t, long *ns, long *ncut, long *nans)
{
	*ns = *ncut = *nans = 0;
	for (int i = 0; i < t->n_problems; i++)
		for (int j = 0; j < t->problems[i].n_samples; j++) {
			const struct trace_sample *q = &t->problems[i].samples[j];
			(*ns)++;
			*ncut += !q->finished;
			*nans += !q->finished && q->answer >= 0;
		}
}

double vote_cut_share(const struct trace *t)
{
	long ns, nc, na;
	cut_counts(t, &ns, &nc, &na);
	return ns ? (double)nc / (double)ns : 0;
}

/* ---- cut samples: the share with an answer, and their logit against the finished ---- */

struct cutfit {
	const double *base; /* per answered cut sample: the logit of its problem's finished samples */
	const uint8_t *ok;  /* correct or not */
	long n;
};

static double cut_nll(double x, void *ctx)
{
	const struct cutfit *c = ctx;
	double nll = 0;
	for (long k = 0; k < c->n; k++) {
		double e = c->base[k] + x;
		nll += gsl_log1p(exp(-fabs(e))) + (c->ok[k] ? (e < 0 ? -e : 0) : (e > 0 ? e : 0));
	}
	return nll;
}

/* Maximum likelihood of delta in P(correct) = sigmoid(logit((c_f + 0.5) / (n_f + 1)) + delta)
 * over the answered cut samples of the traces (c_f of n_f finished samples of the same problem
 * correct; Brent on [-8, 8]); counts the cut samples and those answered into *ncut, *nans. */
static double fit_cut_logit(const struct trace *const *tr, int n, long *ncut, long *nans)
{
	long cap = 0, m = 0;
	double *base = NULL, x = 0;
	uint8_t *ok = NULL;
	for (int k = 0; k < n; k++)
		for (int i = 0; i < tr[k]->n_problems; i++) {
			const struct trace_problem *p = &tr[k]->problems[i];
			int cf = 0, nf = 0;
			for (int j = 0; j < p->n_samples; j++)
				if (p->samples[j].finished) {
					nf++;
					cf += p->samples[j].answer == 0;
				}
			double q = (cf + 0.5) / (nf + 1.0);
			for (int j = 0; j < p->n_samples; j++) {
				if (p->samples[j].finished)
					continue;
				(*ncut)++;
				if (p->samples[j].answer < 0)
					continue;
				(*nans)++;
				if (m == cap) {
					cap = cap ? 2 * cap : 256;
					base = xrealloc(base, (size_t)cap * sizeof(*base));
					ok = xrealloc(ok, (size_t)cap * sizeof(*ok));
				}
				base[m] = log(q / (1 - q));
				ok[m++] = p->samples[j].answer == 0;
			}
		}
	if (m > 0) {
		struct cutfit c = {base, ok, m};
		gsl_function F = {cut_nll, &c};
		double lo = -8, hi = 8, best = 0, fb = INFINITY;
		for (int g = -32; g <= 32; g++) {
			double f = cut_nll(0.25 * g, &c);
			if (f < fb)
				fb = f, best = 0.25 * g;
		}
		x = best;
		if (best > lo && best < hi && cut_nll(best, &c) < cut_nll(best - 0.25, &c) &&
		    cut_nll(best, &c) < cut_nll(best + 0.25, &c)) {
			gsl_min_fminimizer *mz = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
			gsl_min_fminimizer_set(mz, &F, best, best - 0.25, best + 0.25);
			for (int it = 0; it < 100; it++) {
				if (gsl_min_fminimizer_iterate(mz))
					break;
				if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(mz), gsl_min_fminimizer_x_upper(mz), 1e-7,
							  0) == GSL_SUCCESS)
					break;
			}
			x = gsl_min_fminimizer_x_minimum(mz);
			gsl_min_fminimizer_free(mz);
		}
	}
	free(base), free(ok);
	return x;
}

int vote_fit(const struct trace *const *tr, int n, struct vote_model *vm)
{
	int P;
	double *d, *L, *m, *x = NULL, *w = NULL;
	int *c, *S;
	gsl_integration_fixed_workspace *gh;
	size_t cap_s = 0, cap_p = 0;
	int *sizes = NULL, *start = NULL, nsz = 0;
	double ss_w = 0, df_w = 0, delta = 0, s_len = 0;
	long nonc = 0, abst = 0;

	memset(vm, 0, sizeof(*vm));
	if (n < 2)
		return err_set("vote: %d trace(s) (expected at least two real traces to fit to)", n);
	P = tr[0]->n_problems;
	d = xmalloc((size_t)P * sizeof(*d));
	L = xmalloc((size_t)P * sizeof(*L));
	m = xmalloc((size_t)P * sizeof(*m));
	c = xmalloc((size_t)P * sizeof(*c));
	S = xmalloc((size_t)P * sizeof(*S));
	if (vote_consensus(tr, n, d, L) < 0) {
		free(d), free(L), free(m), free(c), free(S);
		return -1;
	}
	gh = gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, GH_NODES, 0, 1, 0, 0);
	x = gsl_integration_fixed_nodes(gh);
	w = gsl_integration_fixed_weights(gh);
	xgrow((void **)&start, &cap_p, 1, sizeof(*start));
	start[0] = 0;
	for (int k = 0; k < n; k++) {
		const struct trace **o = xmalloc((size_t)(n - 1) * sizeof(*o)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
		int no = 0;
		double a, s, var = 0;
		for (int j = 0; j < n; j++)
			if (j != k)
				o[no++] = tr[j];
		vote_consensus(o, no, d, L);
		free(o);
		for (int i = 0; i < P; i++) {
			c[i] = n_correct(&tr[k]->problems[i]);
			S[i] = tr[k]->problems[i].n_samples;
		}
		struct bln b = {d, c, S, P, x, w, 0};
		double sl, dm = 0;
		int nf = 0;
		fit_bln(&b, &a, &s, NULL);
		vm->s += s / n;
		/* and with the slope b, d centred at its mean over the solvable problems */
		for (int i = 0; i < P; i++)
			if (isfinite(d[i]))
				dm += d[i], nf++;
		b.dc = nf ? dm / nf : 0;
		fit_bln(&b, &a, &s, &sl);
		vm->slope += sl / n;
		vm->slope_s += s / n;
		/* s_len: the spread of this model's problem log lengths around the others' */
		centred_len(tr[k], m);
		for (int i = 0; i < P; i++) {
			const struct trace_problem *p = &tr[k]->problems[i];
			double r = m[i] - L[i], mc = 0, mw = 0, sq = 0;
			int nc = 0, nw = 0, cnt[64] = {0}, kk = 0;
			var += r * r;
			for (int j = 0; j < p->n_samples; j++) {
				double lt = ln_tokens(&p->samples[j]);
				if (p->samples[j].answer == 0)
					mc += lt, nc++;
				else
					mw += lt, nw++;
			}
			mc = nc ? mc / nc : 0;
			mw = nw ? mw / nw : 0;
			/* within (problem, correct or not): sigma_w */
			for (int j = 0; j < p->n_samples; j++) {
				double lt = ln_tokens(&p->samples[j]) - (p->samples[j].answer == 0 ? mc : mw);
				sq += lt * lt;
			}
			ss_w += sq;
			df_w += p->n_samples - (nc > 0) - (nw > 0);
			if (nc && nw) {
				delta += mw - mc;
				vm->n_mixed++;
			}
			/* the partition of wrong answers */
			for (int j = 0; j < p->n_samples; j++) {
				int an = p->samples[j].answer;
				if (an > 0 && an < 64)
					cnt[an]++;
			}
			for (int j = 1; j < 64; j++)
				kk += cnt[j];
			if (kk >= 2) {
				for (int j = 1; j < 64; j++)
					if (cnt[j]) {
						xgrow((void **)&sizes, &cap_s, (size_t)nsz + 1, sizeof(*sizes));
						sizes[nsz++] = cnt[j];
					}
				xgrow((void **)&start, &cap_p, (size_t)vm->n_partitions + 2, sizeof(*start));
				start[++vm->n_partitions] = nsz;
			}
		}
		/* abstentions: of the finished samples only, as vote_answers applies them */
		vote_abstain_count(tr[k], &abst, &nonc);
		/* var(m - L) = s_len^2 + sigma_w^2 (1/S: the sample mean) (the others' noise is
		 * averaged over n - 1 models and ignored); sigma_w^2 is taken from the pooled fit below */
		s_len += (var / P) / n;
	}
	vm->sigma_w = sqrt(ss_w / df_w);
	{
		double mean_inv_s = 0;
		for (int i = 0; i < P; i++)
			mean_inv_s += 1.0 / tr[0]->problems[i].n_samples;
		mean_inv_s /= P;
		double v = s_len - vm->sigma_w * vm->sigma_w * mean_inv_s;
		vm->s_len = v > 0 ? sqrt(v) : 0;
	}
	vm->lambda = vm->n_mixed ? delta / vm->n_mixed / vm->sigma_w : 0;
	vm->abstain = nonc > 0 ? (double)abst / (double)nonc : 0;
	{
		long ncut = 0, nans = 0;
		vm->cut_logit = fit_cut_logit(tr, n, &ncut, &nans);
		vm->cut_answer = ncut > 0 ? (double)nans / (double)ncut : 0;
		vm->n_cut = (int)ncut;
	}
	{
		struct ewens e = {sizes, start, vm->n_partitions};
		vm->theta = vm->n_partitions ? fit_theta(&e) : 1;
	}
	vm->n_models = n;
	gsl_integration_fixed_free(gh);
	free(sizes), free(start);
	free(d), free(L), free(m), free(c), free(S);
	return 0;
}

/* ---- generation ---- */

struct cls {
	int count, first;
};

static int cmp_cls(const void *a, const void *b)
{
	const struct cls *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first - y->first;
}

void vote_answers(struct trace_problem *p, const uint8_t *ok, const double *v, const double *w,
		  const struct vote_model *vm, double theta)
{
	struct cls cl[256] = {{0, 0}};
	int ncl = 0, nw = 0, map[257] = {0};
	for (int j = 0; j < p->n_samples; j++) {
		struct trace_sample *s = &p->samples[j];
		if (!s->finished && !(v[j] < vm->cut_answer))
			s->answer = -1; /* cut, nothing extractable in its text */
		else if (ok[j])
			s->answer = 0;
		else if (s->finished && v[j] < vm->abstain)
			s->answer = -1;
		else {
			/* Chinese restaurant: wrong answer k again with probability n_k / (nw + theta) */
			double r = w[j] * (nw + theta);
			int k = 0;
			while (k < ncl && r >= cl[k].count)
				r -= cl[k++].count;
			if (k == ncl) {
				if (ncl == 256)
					k = ncl - 1; /* more distinct wrong answers than a vote can tell apart */
				else
					cl[ncl++] = (struct cls){0, j};
			}
			cl[k].count++;
			nw++;
			s->answer = (int16_t)(k + 1);
		}
	}
	/* renumber by frequency: 1 the most common (the trace format's convention) */
	struct cls sorted[256] = {{0, 0}};
	for (int k = 0; k < ncl; k++)
		sorted[k] = cl[k];
	qsort(sorted, (size_t)ncl, sizeof(*sorted), cmp_cls);
	for (int k = 0; k < ncl; k++)
		for (int m = 0; m < ncl; m++)
			if (cl[m].first == sorted[k].first)
				map[m + 1] = k + 1;
	for (int j = 0; j < p->n_samples; j++)
		if (p->samples[j].answer > 0)
			p->samples[j].answer = (int16_t)map[p->samples[j].answer];
}

int vote_generate(struct trace *t, const struct vote_model *vm, const double *d, const double *L,
		  const double *th, double pass1, double mean_tokens, int samples, uint64_t seed)
{
	int P = t->n_problems, ns = samples, cap = t->max_tokens;
	size_t N = (size_t)P * (size_t)ns;
	double *e, *h, *z, *u, *v, *wu, *ra, lo, hi, c = 0, a = 0, r = 0;
	/* a problem's logit: a + b d_i + sd e_i (slope 0: the model without it, b = 1 with s) */
	double b = vm->slope > 0 ? vm->slope : 1, sd = vm->slope > 0 ? vm->slope_s : vm->s;
	gsl_rng *rng;

	if (samples < 1 || samples > 4096 || !(pass1 > 0 && pass1 < 1) || !(mean_tokens >= 1) || cap < 1 ||
	    !(vm->cut >= 0 && vm->cut < 1) || !(vm->cut_answer >= 0 && vm->cut_answer <= 1))
		return err_set("vote: bad targets (expected 1 <= samples <= 4096, 0 < pass@1 < 1, mean tokens >= 1, "
			       "0 <= cut share < 1, 0 <= cut answer share <= 1)");
	rng = rng_stream(seed, "vote-generate");
	e = xmalloc((size_t)P * sizeof(*e));
	h = xmalloc((size_t)P * sizeof(*h));
	z = xmalloc(N * sizeof(*z));
	u = xmalloc(N * sizeof(*u));
	v = xmalloc(N * sizeof(*v));
	wu = xmalloc(N * sizeof(*wu));
	/* fixed draws, in a fixed order: the bisections below move only the thresholds */
	for (int i = 0; i < P; i++) {
		e[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
		h[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
		for (int j = 0; j < ns; j++) {
			size_t q = (size_t)i * ns + j;
			z[q] = gsl_ran_gaussian_ziggurat(rng, 1.0);
			u[q] = gsl_rng_uniform(rng);
			v[q] = gsl_rng_uniform(rng);
			wu[q] = gsl_rng_uniform(rng);
		}
	}
	gsl_rng_free(rng);
	/* run-away samples: their own stream, drawn only when asked for, so vm->cut = 0 leaves
	 * every other draw (and the shipped synthetic traces) as they were */
	ra = xmalloc(N * sizeof(*ra));
	if (vm->cut > 0) {
		rng = rng_stream(seed, "vote-runaway");
		for (size_t q = 0; q < N; q++)
			ra[q] = gsl_rng_uniform(rng);
		gsl_rng_free(rng);
	} else
		for (size_t q = 0; q < N; q++)
			ra[q] = 1;
	/* sample q of problem i: its length in tokens at scale c, before the cap (one expression,
	 * so the bisections, the tail count and the samples agree to the bit) */
#define LEN(c, i, q) floor(exp((c) + L[(i)] + vm->s_len * h[(i)] + vm->sigma_w * z[(q)]) + 0.5)
	/* c: the mean of min(cap, length) hits mean_tokens; r: the run-away share that, with the
	 * log-normal's own tail at the cap, makes the cut share vm->cut (a fixed point of the two:
	 * a few rounds, the tail moves little with r) */
	for (int round = 0, rounds = vm->cut > 0 ? 8 : 1; round < rounds; round++) {
		long tail = 0;
		lo = -20, hi = 20;
		for (int it = 0; it < 100; it++) {
			double s = 0;
			c = 0.5 * (lo + hi);
			for (int i = 0; i < P; i++)
				for (int j = 0; j < ns; j++) {
					size_t q = (size_t)i * ns + j;
					double T = ra[q] < r ? cap : LEN(c, i, q);
					s += fmin(cap, fmax(1, T));
				}
			if (s / N < mean_tokens)
				lo = c;
			else
				hi = c;
		}
		if (round + 1 == rounds)
			break; /* c was bisected with this r */
		for (size_t q = 0; q < N; q++)
			tail += LEN(c, q / ns, q) >= cap;
		double r1 = (vm->cut - (double)tail / N) / (1 - (double)tail / N);
		r1 = r1 > 0 ? r1 : 0;
		if (r1 == r)
			break; /* a fixed point: c was bisected with this r */
		r = r1;
	}
	/* a: the fraction correct (cut samples are wrong) hits pass1 */
	lo = -30, hi = 30;
	for (int it = 0; it < 100; it++) {
		long ok = 0;
		a = 0.5 * (lo + hi);
		for (int i = 0; i < P; i++)
			for (int j = 0; j < ns; j++) {
				size_t q = (size_t)i * ns + j;
				double T = ra[q] < r ? cap : LEN(c, i, q);
				ok += T < cap ? u[q] < sigmoid(a + b * d[i] + sd * e[i] - vm->lambda * z[q])
					      : v[q] < vm->cut_answer && u[q] < sigmoid(a + b * d[i] + sd * e[i] + vm->cut_logit);
			}
		if ((double)ok / N < pass1)
			lo = a;
		else
			hi = a;
	}
	for (int i = 0; i < P; i++) {
		struct trace_problem *p = &t->problems[i];
		uint8_t ok[4096];
		free(p->samples);
		p->n_samples = ns;
		p->samples = xcalloc((size_t)ns, sizeof(*p->samples));
		for (int j = 0; j < ns; j++) {
			size_t q = (size_t)i * ns + j;
			struct trace_sample *s = &p->samples[j];
			double T = ra[q] < r ? cap : fmax(1, LEN(c, i, q));
			s->finished = T < cap;
			s->output_tokens = (int32_t)fmin(cap, T);
			ok[j] = u[q] < sigmoid(a + b * d[i] + sd * e[i] + (s->finished ? -vm->lambda * z[q] : vm->cut_logit));
		}
		vote_answers(p, ok, v + (size_t)i * ns, wu + (size_t)i * ns, vm, th ? th[i] : vm->theta);
	}
#undef LEN
	free(e), free(h), free(z), free(u), free(v), free(wu), free(ra);
	return 0;
}

/* ---- curves ---- */

/* The expected correctness of a majority vote over the answers a[0..n) whose ties go to a
 * uniformly random one of the tied answers (the first seen, in random order): 1 when the
 * correct answer leads alone, 1/t when it ties with t - 1 others, else 0. */
static double vote_value(const int16_t *a, int n, int *cnt, int ncnt)
{
	int top = 0, ties = 0;
	memset(cnt, 0, (size_t)ncnt * sizeof(*cnt));
	for (int j = 0; j < n; j++)
		if (a[j] >= 0)
			cnt[a[j] < ncnt ? a[j] : ncnt - 1]++;
	for (int k = 0; k < ncnt; k++)
		if (cnt[k] > top)
			top = cnt[k], ties = 1;
		else if (cnt[k] == top && top > 0)
			ties++;
	return top > 0 && cnt[0] == top ? 1.0 / ties : 0;
}

int vote_curves(const struct trace *t, int nmax, int draws, uint64_t seed, double *maj, double *pass)
{
	gsl_rng *rng;
	int *idx, *cnt, ncnt = 0;
	int16_t *sub;
	int smax = 0;
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		if (p->n_samples < nmax)
			return err_set("%s: problem '%s' has %d samples (expected at least N = %d)", t->name, p->unique_id,
				       p->n_samples, nmax);
		if (p->n_samples > smax)
			smax = p->n_samples;
		for (int j = 0; j < p->n_samples; j++)
			if (p->samples[j].answer + 1 > ncnt)
				ncnt = p->samples[j].answer + 1;
	}
	if (nmax < 1 || draws < 1)
		return err_set("vote: bad curve arguments (expected N >= 1, draws >= 1)");
	ncnt = ncnt < 1 ? 1 : ncnt;
	rng = rng_stream(seed, "vote-curves");
	idx = xmalloc((size_t)smax * sizeof(*idx));
	sub = xmalloc((size_t)smax * sizeof(*sub));
	cnt = xmalloc((size_t)ncnt * sizeof(*cnt));
	memset(maj, 0, (size_t)nmax * sizeof(*maj));
	memset(pass, 0, (size_t)nmax * sizeof(*pass));
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		int S = p->n_samples, c = n_correct(p);
		for (int N = 1; N <= nmax; N++) {
			pass[N - 1] += tts_pass_at_k(S, c, N);
			if (c == S) {
				maj[N - 1] += 1;
				continue;
			}
			if (c == 0)
				continue;
			double acc = 0;
			for (int r = 0; r < draws; r++) {
				/* a random N-subset: the first N of a partial Fisher-Yates shuffle */
				for (int j = 0; j < S; j++)
					idx[j] = j;
				for (int j = 0; j < N; j++) {
					int k = j + (int)gsl_rng_uniform_int(rng, (unsigned long)(S - j)), tmp = idx[j];
					idx[j] = idx[k], idx[k] = tmp;
					sub[j] = p->samples[idx[j]].answer;
				}
				acc += vote_value(sub, N, cnt, ncnt);
			}
			maj[N - 1] += acc / draws;
		}
	}
	for (int N = 0; N < nmax; N++) {
		maj[N] /= t->n_problems;
		pass[N] /= t->n_problems;
	}
	gsl_rng_free(rng);
	free(idx), free(sub), free(cnt);
	return 0;
}

double vote_early_tokens(const struct trace *t, int n, uint64_t seed)
{
	struct tts_params tp = {0};
	double sum = 0;
	tp.early_stop = 1;
	tp.rm_accuracy = 0.5;
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		int S = p->n_samples, g0 = S, g1 = n, windows;
		while (g1) { /* g0 = gcd(S, n) */
			int r = g0 % g1;
			g0 = g1, g1 = r;
		}
		windows = n <= S ? S / g0 : 1;
		struct trace_problem w = *p;
		struct trace_sample *buf = n <= S && windows > 1 ? xmalloc((size_t)n * sizeof(*buf)) : NULL;
		double ps = 0;
		for (int g = 0; g < windows; g++) {
			struct tts_result r;
			if (buf) {
				for (int j = 0; j < n; j++)
					buf[j] = p->samples[((long)g * n + j) % S];
				w.samples = buf;
				w.n_samples = n;
			}
			if (tts_problem_seeded(&w, t->max_tokens, n, TTS_MAJORITY, 0, 0, &tp, seed, i, NULL, &r) == 0)
				ps += (double)r.tokens_early;
		}
		free(buf);
		sum += ps / windows;
	}
	return sum / t->n_problems;
}

static void errors(const double *real, const double *pred, int nmax, double *med, double *mx, int *at)
{
	double e[64];
	*mx = -1;
	for (int k = 0; k < nmax; k++) {
		e[k] = 100 * fabs(pred[k] - real[k]);
		if (e[k] > *mx)
			*mx = e[k], *at = k + 1;
	}
	gsl_sort(e, 1, (size_t)nmax);
	*med = gsl_stats_median_from_sorted_data(e, 1, (size_t)nmax);
}

int vote_crossval(const struct trace *const *tr, int n, int held, int nmax, int draws, int reps, uint64_t seed,
		  struct vote_cv *cv)
{
	return vote_crossval_twin(tr, n, held, nmax, draws, reps, seed, cv, NULL);
}

int vote_crossval_twin(const struct trace *const *tr, int n, int held, int nmax, int draws, int reps, uint64_t seed,
		       struct vote_cv *cv, struct trace *twin)
{
	const struct trace *ht = tr[held], **train;
	struct trace syn;
	double *d, *L, *th, tok = 0;
	long ns = 0, ok = 0, nonc = 0, abst = 0;
	static const int early_n[3] = {4, 16, 64};
	int nt = 0, rc = -1;

	memset(cv, 0, sizeof(*cv));
	if (held < 0 || held >= n || n < 3 || nmax < 1 || nmax > 64 || reps < 1)
		return err_set("vote: bad cross-validation (expected >= 3 traces, 0 <= held < n, 1 <= N <= 64, reps >= 1)");
	train = xmalloc((size_t)n * sizeof(*train)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	for (int k = 0; k < n; k++)
		if (k != held)
			train[nt++] = tr[k];
	d = xmalloc((size_t)ht->n_problems * sizeof(*d));
	L = xmalloc((size_t)ht->n_problems * sizeof(*L));
	th = xmalloc((size_t)ht->n_problems * sizeof(*th));
	memset(&syn, 0, sizeof(syn));
	if (vote_fit(train, nt, &cv->vm) < 0 || vote_consensus(train, nt, d, L) < 0 ||
	    vote_problem_theta(train, nt, cv->vm.theta, th) < 0)
		goto out;
	for (int i = 0; i < ht->n_problems; i++)
		for (int j = 0; j < ht->problems[i].n_samples; j++) {
			const struct trace_sample *sm = &ht->problems[i].samples[j];
			tok += sm->output_tokens;
			ok += sm->answer == 0;
			ns++;
		}
	/* its own abstentions, by the fit's definition: finished samples without an answer, of
	 * the finished non-correct */
	vote_abstain_count(ht, &abst, &nonc);
	cv->pass1 = (double)ok / ns;
	cv->mean_tokens = tok / ns;
	/* a third aggregate of the model's own single-sample run (like pass@1 and mean tokens,
	 * no curve of the model is used): the share of its non-correct answers that have no
	 * extractable answer; the pooled fit's abstain would give Phi-4-reasoning (41%) the
	 * others' rate (under 1%) */
	cv->abstain = nonc > 0 ? (double)abst / nonc : 0;
	cv->vm.abstain = cv->abstain;
	/* and a fourth: the share of its samples cut at the cap (Phi-4-reasoning 1.5%, 19% of its
	 * tokens), which the log-normal's tail does not give (0.02% in its twin): without it the
	 * twin's finished samples are 21% longer than the real ones, and so is every majority
	 * vote that stops early (traces/README.md) */
	/* and the share of its cut samples with an extracted answer (the six's when it has none
	 * cut); how often such an answer is right is the six's fit (cut_logit) */
	{
		long nsmp, ncut, nans;
		cut_counts(ht, &nsmp, &ncut, &nans);
		cv->cut = nsmp ? (double)ncut / (double)nsmp : 0;
		cv->vm.cut = cv->cut;
		cv->cut_answer = ncut > 0 ? (double)nans / (double)ncut : cv->vm.cut_answer;
		cv->vm.cut_answer = cv->cut_answer;
	}
	/* the synthetic twin: the held-out trace's problems, generated samples */
	syn.n_problems = ht->n_problems;
	syn.max_tokens = ht->max_tokens;
	syn.problems = xcalloc((size_t)syn.n_problems, sizeof(*syn.problems));
	for (int i = 0; i < syn.n_problems; i++) {
		syn.problems[i] = ht->problems[i];
		syn.problems[i].unique_id = xstrdup(ht->problems[i].unique_id);
		syn.problems[i].samples = NULL;
	}
	snprintf(syn.name, sizeof(syn.name), "predicted %s", ht->model);
	if (vote_curves(ht, nmax, draws, seed, cv->maj_real, cv->pass_real) < 0)
		goto out;
	/* the model's expected curves: the mean over `reps` synthetic twins */
	for (int r = 0; r < reps; r++) {
		double mj[64] = {0}, ps[64] = {0};
		if (vote_generate(&syn, &cv->vm, d, L, th, cv->pass1, cv->mean_tokens, ht->problems[0].n_samples,
				  seed + (uint64_t)r) < 0 ||
		    vote_curves(&syn, nmax, draws, seed, mj, ps) < 0)
			goto out;
		cv->cut_pred += vote_cut_share(&syn) / reps;
		for (int k = 0; k < nmax; k++) {
			cv->maj_pred[k] += mj[k] / reps;
			cv->pass_pred[k] += ps[k] / reps;
		}
		for (int k = 0; k < 3; k++)
			if (early_n[k] <= ht->problems[0].n_samples)
				cv->early_pred[k] += vote_early_tokens(&syn, early_n[k], seed) / reps;
	}
	errors(cv->maj_real, cv->maj_pred, nmax, &cv->maj_med_err, &cv->maj_max_err, &cv->maj_max_n);
	errors(cv->pass_real, cv->pass_pred, nmax, &cv->pass_med_err, &cv->pass_max_err, &cv->pass_max_n);
	for (int k = 0; k < 3; k++)
		if (early_n[k] <= ht->problems[0].n_samples)
			cv->early_real[k] = vote_early_tokens(ht, early_n[k], seed);
	if (twin) {
		/* the first twin again (seed: the same draws), handed over */
		if (vote_generate(&syn, &cv->vm, d, L, th, cv->pass1, cv->mean_tokens, ht->problems[0].n_samples, seed) < 0)
			goto out;
		strlcpy0(syn.model, ht->model, sizeof(syn.model));
		strlcpy0(syn.dataset, ht->dataset, sizeof(syn.dataset));
		strlcpy0(syn.provenance, "synthetic", sizeof(syn.provenance));
		syn.temperature = ht->temperature;
		syn.version = TRACE_FORMAT_VERSION;
		syn.compact = 1;
		*twin = syn;
		memset(&syn, 0, sizeof(syn));
	}
	rc = 0;
out:
	trace_release(&syn);
	free(train), free(d), free(L), free(th);
	return rc;
}
