/* tts_fit.c: see tts_fit.h. */
#include "traces/tts_fit.h"
#include "lib/assets.h"
#include "lib/csv.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_roots.h>

#define CURVES_PATH "traces/tts_curves.csv"

static const char *const cols[] = {"source_id", "model", "trace", "kind", "use", "base_acc", "acc",
				   "base_tokens", "tokens", "read", "source"};
#define NCOLS (int)(sizeof(cols) / sizeof(cols[0]))

struct curves_arg {
	const char *name;
	struct tts_curve *rows;
	int n;
};

static int take_curve(const char *const *v, int line, void *arg)
{
	struct curves_arg *a = arg;
	const char *name = a->name;
	struct tts_curve *r = &a->rows[a->n++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	if (csv_field_copy(r->source_id, sizeof(r->source_id), v[0], name, line, cols[0]) < 0 ||
	    csv_field_copy(r->model, sizeof(r->model), v[1], name, line, cols[1]) < 0 ||
	    csv_field_copy(r->trace, sizeof(r->trace), v[2], name, line, cols[2]) < 0 ||
	    csv_field_copy(r->kind, sizeof(r->kind), v[3], name, line, cols[3]) < 0)
		return -1;
	if (strcmp(r->kind, "deer") && strcmp(r->kind, "wait"))
		return err_set("%s:%d: key 'kind': unknown value '%s' (expected deer or wait)", name, line, r->kind);
	if (strcmp(v[4], "fit") && strcmp(v[4], "check"))
		return err_set("%s:%d: key 'use': unknown value '%s' (expected fit or check)", name, line, v[4]);
	r->fit = !strcmp(v[4], "fit");
	if (csv_field_num(v[5], name, line, "base_acc", 0, 1, &r->base_acc) < 0 ||
	    csv_field_num(v[6], name, line, "acc", 0, 1, &r->acc) < 0 ||
	    csv_field_num(v[7], name, line, "base_tokens", 0, 1e7, &r->base_tokens) < 0 ||
	    csv_field_num(v[8], name, line, "tokens", 0, 1e7, &r->tokens) < 0)
		return -1;
	if (!strcmp(r->kind, "deer") && !(r->base_tokens > 0 && r->tokens > 0))
		return err_set("%s:%d: key 'tokens': a deer row without token counts (expected both > 0)", name, line);
	if (strcmp(v[9], "table") && strcmp(v[9], "figure"))
		return err_set("%s:%d: key 'read': unknown value '%s' (expected table or figure)", name, line, v[9]);
	if (!*v[10])
		return err_set("%s:%d: key 'source': empty (expected where the numbers are)", name, line);
	return 0;
}

int tts_curves_parse(const char *text, size_t len, const char *name, struct tts_curve *rows, int max, int *n)
{
	struct curves_arg a = {name, rows, 0};
	return csv_table_parse(text, len, name, cols, NCOLS, max, "curve point", take_curve, &a, n);
}

int tts_curves_load(const char *path, struct tts_curve *rows, int max, int *n)
{
	const struct asset *a = path ? NULL : asset_find(CURVES_PATH);
	char *text;
	size_t len;
	int rc;
	if (a)
		return tts_curves_parse((const char *)a->data, a->len, CURVES_PATH, rows, max, n);
	if (!path)
		path = CURVES_PATH;
	text = file_read(path, &len);
	if (!text)
		return -1;
	rc = tts_curves_parse(text, len, path, rows, max, n);
	free(text);
	return rc;
}

double tts_deer_ratio(const struct trace *t, double settle, double sigma)
{
	double s = 0, tot = 0;
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		double c = tts_settle_center(p, settle);
		for (int j = 0; j < p->n_samples; j++) {
			double T = p->samples[j].output_tokens;
			s += tts_settle_mean(T, c, sigma);
			tot += T;
		}
	}
	return tot > 0 ? s / tot : 0;
}

double tts_mean_accuracy(const struct trace *t, int budget, int waits, const struct tts_params *tp, uint64_t seed)
{
	long ok = 0, ns = 0;
	struct tts_sample *out = NULL;
	int cap = 0;
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		struct tts_result r;
		if (p->n_samples > cap) {
			cap = p->n_samples;
			out = xrealloc(out, (size_t)cap * sizeof(*out));
		}
		if (tts_problem_seeded(p, t->max_tokens, p->n_samples, TTS_MAJORITY, budget, waits, tp, seed, i, out, &r) < 0)
			continue;
		for (int j = 0; j < p->n_samples; j++)
			ok += out[j].answer == 0;
		ns += p->n_samples;
	}
	free(out);
	return ns ? (double)ok / ns : 0;
}

struct settle_ctx {
	const struct tts_curve *rows;
	const struct trace *const *traces;
	int n;
	double sigma;
};

static double settle_loss(double settle, void *arg)
{
	const struct settle_ctx *x = arg;
	double l = 0;
	for (int k = 0; k < x->n; k++) {
		const struct tts_curve *r = &x->rows[k];
		if (!r->fit || strcmp(r->kind, "deer") || !x->traces[k])
			continue;
		double e = tts_deer_ratio(x->traces[k], settle, x->sigma) - r->tokens / r->base_tokens;
		l += e * e;
	}
	return l;
}

int tts_fit_settle(const struct tts_curve *rows, const struct trace *const *traces, int n, double sigma,
		   double *settle)
{
	struct settle_ctx x = {rows, traces, n, sigma};
	const double lo = 0.02, hi = 5;
	int used = 0;
	double best = lo, bl = INFINITY;
	for (int k = 0; k < n; k++)
		used += rows[k].fit && !strcmp(rows[k].kind, "deer") && traces[k];
	if (!used)
		return err_set("tts fit: no deer row to fit bf_settle to (expected a row with use fit and a trace)");
	/* the loss is unimodal in settle (the ratio rises with it); a coarse grid brackets the
	 * minimum for Brent */
	for (int i = 0; lo * pow(1.25, i) <= hi; i++) {
		double s = lo * pow(1.25, i), l = settle_loss(s, &x);
		if (l < bl) {
			bl = l;
			best = s;
		}
	}
	double a = fmax(lo, best / 1.25), b = fmin(hi, best * 1.25);
	if (best <= a || best >= b) {
		*settle = best;
		return 0;
	}
	gsl_function F = {settle_loss, &x};
	gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	if (!m)
		bug("out of memory for a minimizer");
	if (gsl_min_fminimizer_set(m, &F, best, a, b) == GSL_SUCCESS)
		for (int it = 0; it < 100; it++) {
			if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
				break;
			if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(m), gsl_min_fminimizer_x_upper(m), 1e-6, 0) ==
			    GSL_SUCCESS)
				break;
		}
	best = gsl_min_fminimizer_x_minimum(m);
	gsl_min_fminimizer_free(m);
	gsl_set_error_handler(old);
	*settle = best;
	return 0;
}

struct wait_ctx {
	const struct trace *t;
	struct tts_params tp;
	uint64_t seed;
	double base, gain;
};

static double wait_gap(double brk, void *arg)
{
	struct wait_ctx *x = arg;
	x->tp.wait_break = brk;
	return tts_mean_accuracy(x->t, 0, 1, &x->tp, x->seed) - x->base - x->gain;
}

int tts_fit_wait(const struct tts_curve *rows, const struct trace *const *traces, int n,
		 const struct tts_params *tp, uint64_t seed, double *brk)
{
	int k = -1;
	for (int i = 0; i < n && k < 0; i++)
		if (rows[i].fit && !strcmp(rows[i].kind, "wait") && traces[i])
			k = i;
	if (k < 0)
		return err_set("tts fit: no wait row to fit wait_break to (expected a row with use fit and a trace)");
	struct wait_ctx x = {traces[k], *tp, seed, 0, rows[k].acc - rows[k].base_acc};
	x.base = tts_mean_accuracy(x.t, 0, 0, tp, seed);
	double g0 = wait_gap(0, &x), g1 = wait_gap(1, &x);
	/* the gain falls as wait_break rises */
	if (g0 <= 0 || g1 >= 0) {
		*brk = g0 <= 0 ? 0 : 1;
		return err_set("tts fit: no wait_break in 0..1 gives the gain %+.4f of %s:%d (%+.4f at 0, %+.4f at 1)", x.gain,
			       rows[k].source_id, rows[k].line, g0 + x.gain, g1 + x.gain);
	}
	gsl_function F = {wait_gap, &x};
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	if (!s)
		bug("out of memory for a root finder");
	gsl_root_fsolver_set(s, &F, 0, 1);
	for (int it = 0; it < 100; it++) {
		if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
			break;
		if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 1e-4, 0) == GSL_SUCCESS)
			break;
	}
	*brk = gsl_root_fsolver_root(s);
	gsl_root_fsolver_free(s);
	gsl_set_error_handler(old);
	return 0;
}
