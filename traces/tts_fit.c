/* tts_fit.c: see tts_fit.h. */
#include "traces/tts_fit.h"
#include "lib/csv.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_roots.h>

#define CURVES_PATH "traces/tts_curves.csv"

static const char *const cols[] = {"source_id", "model", "trace", "kind", "waits", "use", "base_acc", "acc",
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
	{
		double w;
		int deer = !strcmp(r->kind, "deer");
		if (csv_field_num(v[4], name, line, "waits", 0, 64, &w) < 0)
			return -1;
		if (w != floor(w) || (deer ? w != 0 : w < 1))
			return err_set("%s:%d: key 'waits': %s (expected %s)", name, line, v[4],
				       deer ? "0 for a deer row" : "a whole number of \"Wait\" extensions, 1 to 64");
		r->waits = (int)w;
	}
	if (strcmp(v[5], "fit") && strcmp(v[5], "check"))
		return err_set("%s:%d: key 'use': unknown value '%s' (expected fit or check)", name, line, v[5]);
	r->fit = !strcmp(v[5], "fit");
	if (r->fit && !strcmp(r->kind, "deer"))
		return err_set("%s:%d: key 'use': a deer row is a check only (expected check: the settle point is fitted to "
			       "traces/bf_curves.csv)", name, line);
	if (csv_field_num(v[6], name, line, "base_acc", 0, 1, &r->base_acc) < 0 ||
	    csv_field_num(v[7], name, line, "acc", 0, 1, &r->acc) < 0 ||
	    csv_field_num(v[8], name, line, "base_tokens", 0, 1e7, &r->base_tokens) < 0 ||
	    csv_field_num(v[9], name, line, "tokens", 0, 1e7, &r->tokens) < 0)
		return -1;
	if (!strcmp(r->kind, "deer") && !(r->base_tokens > 0 && r->tokens > 0))
		return err_set("%s:%d: key 'tokens': a deer row without token counts (expected both > 0)", name, line);
	if (strcmp(v[10], "table") && strcmp(v[10], "figure"))
		return err_set("%s:%d: key 'read': unknown value '%s' (expected table or figure)", name, line, v[10]);
	if (!*v[11])
		return err_set("%s:%d: key 'source': empty (expected where the numbers are)", name, line);
	return 0;
}

int tts_curves_parse(const char *text, size_t len, const char *name, struct tts_curve *rows, int max, int *n)
{
	struct curves_arg a = {name, rows, 0};
	return csv_table_parse(text, len, name, cols, NCOLS, max, "curve point", take_curve, &a, n);
}

struct tts_curves_load_load {
	struct tts_curve *rows;
	int max, *n;
};

static int tts_curves_load_cb(const char *text, size_t len, const char *name, void *ctx)
{
	struct tts_curves_load_load *l = ctx;
	return tts_curves_parse(text, len, name, l->rows, l->max, l->n);
}

int tts_curves_load(const char *path, struct tts_curve *rows, int max, int *n)
{
	struct tts_curves_load_load l = {rows, max, n};
	return shipped_or_file_parse(path, CURVES_PATH, tts_curves_load_cb, &l);
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

/* budget forcing: the accuracy-against-budget points */

static const char *const bf_cols[] = {"source_id", "model", "trace", "prompt", "use", "budget", "acc", "read"};
#define BF_NCOLS (int)(sizeof(bf_cols) / sizeof(bf_cols[0]))

struct bf_arg {
	const char *name;
	struct bf_point *rows;
	int n;
};

static int take_bf(const char *const *v, int line, void *arg)
{
	struct bf_arg *a = arg;
	const char *name = a->name;
	struct bf_point *r = &a->rows[a->n++];
	double b;
	memset(r, 0, sizeof(*r));
	r->line = line;
	if (csv_field_copy(r->source_id, sizeof(r->source_id), v[0], name, line, bf_cols[0]) < 0 ||
	    csv_field_copy(r->model, sizeof(r->model), v[1], name, line, bf_cols[1]) < 0 ||
	    csv_field_copy(r->trace, sizeof(r->trace), v[2], name, line, bf_cols[2]) < 0 ||
	    csv_field_copy(r->prompt, sizeof(r->prompt), v[3], name, line, bf_cols[3]) < 0)
		return -1;
	/* the prompts the file's header documents (TIMESUP's -sbs and -aav) */
	if (strcmp(r->prompt, "sbs") && strcmp(r->prompt, "aav"))
		return err_set("%s:%d: key 'prompt': unknown value '%s' (expected sbs or aav)", name, line, r->prompt);
	if (strcmp(v[4], "fit") && strcmp(v[4], "check"))
		return err_set("%s:%d: key 'use': unknown value '%s' (expected fit or check)", name, line, v[4]);
	r->fit = !strcmp(v[4], "fit");
	if (csv_field_num(v[5], name, line, "budget", 1, 1e7, &b) < 0 || csv_field_num(v[6], name, line, "acc", 0, 1, &r->acc) < 0)
		return -1;
	if (b != floor(b))
		return err_set("%s:%d: key 'budget': '%s' is not a whole number of tokens", name, line, v[5]);
	r->budget = (int)b;
	if (strcmp(v[7], "table") && strcmp(v[7], "data") && strcmp(v[7], "figure"))
		return err_set("%s:%d: key 'read': unknown value '%s' (expected table, data or figure)", name, line, v[7]);
	/* one point per (source, trace, prompt, budget): a second would weigh it twice in the fit */
	for (int k = 0; k < a->n - 1; k++) {
		const struct bf_point *o = &a->rows[k];
		if (!strcmp(o->source_id, r->source_id) && !strcmp(o->trace, r->trace) && !strcmp(o->prompt, r->prompt) &&
		    o->budget == r->budget)
			return err_set("%s:%d: key 'budget': a second point of %s %s %s at budget %d (the first on line %d)",
				       name, line, r->source_id, r->trace, r->prompt, r->budget, o->line);
	}
	return 0;
}

int bf_points_parse(const char *text, size_t len, const char *name, struct bf_point *rows, int max, int *n)
{
	struct bf_arg a = {name, rows, 0};
	return csv_table_parse(text, len, name, bf_cols, BF_NCOLS, max, "curve point", take_bf, &a, n);
}

struct bf_points_load_load {
	struct bf_point *rows;
	int max, *n;
};

static int bf_points_load_cb(const char *text, size_t len, const char *name, void *ctx)
{
	struct bf_points_load_load *l = ctx;
	return bf_points_parse(text, len, name, l->rows, l->max, l->n);
}

int bf_points_load(const char *path, struct bf_point *rows, int max, int *n)
{
	struct bf_points_load_load l = {rows, max, n};
	return shipped_or_file_parse(path, BF_CURVES_PATH, bf_points_load_cb, &l);
}

int bf_points_match(const struct bf_point *rows, const struct trace *const *traces, int n, const char *name)
{
	for (int k = 0; k < n; k++) {
		const char *id = traces[k] ? traces[k]->model : NULL, *slash = id ? strrchr(id, '/') : NULL;
		if (!id || !strcmp(rows[k].model, id) || (slash && !strcmp(rows[k].model, slash + 1)))
			continue;
		return err_set("%s:%d: key 'model': '%s' is not the model of trace %s (expected %s or %s)", name, rows[k].line,
			       rows[k].model, rows[k].trace, id, slash ? slash + 1 : id);
	}
	return 0;
}

void tts_bf_curve(const struct trace *t, const int *budget, int nb, const struct tts_params *tp, double *acc)
{
	double *q = xmalloc((size_t)(nb > 0 ? nb : 1) * sizeof(*q));
	long ns = 0;
	for (int b = 0; b < nb; b++)
		acc[b] = 0;
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		int nc = 0, k = p->n_samples < TTS_BF_SAMPLES ? p->n_samples : TTS_BF_SAMPLES;
		if (k < 1)
			continue;
		for (int j = 0; j < p->n_samples; j++)
			nc += p->samples[j].answer == 0;
		double solve = (double)nc / p->n_samples, center = tts_settle_center(p, tp->bf_settle);
		for (int j = 0; j < k; j++) {
			const struct trace_sample *s = &p->samples[j];
			/* kept: its own answer; a run-away sample (no answer) settled an average one;
			 * a sample cut at the trace's cap within B is forced at its end, kept (tts.c) */
			double right = s->answer == 0 ? 1 : s->answer < 0 ? solve : 0;
			tts_keep_probs(budget, nb, s->output_tokens, center, tp->bf_sigma, q);
			for (int b = 0; b < nb; b++)
				acc[b] += s->output_tokens <= budget[b] && s->finished ? (s->answer == 0)
										   : q[b] * right + (1 - q[b]) * tp->bf_guess * solve;
		}
		ns += k;
	}
	for (int b = 0; b < nb; b++)
		acc[b] = ns ? acc[b] / (double)ns : 0;
	free(q);
}

double tts_bf_accuracy(const struct trace *t, int budget, const struct tts_params *tp)
{
	double a;
	tts_bf_curve(t, &budget, 1, tp, &a);
	return a;
}

struct bf_ctx {
	const struct bf_point *rows;
	const struct trace *const *traces;
	int n;
	struct tts_params tp;
	int free_sigma; /* 0: bf_sigma held at tp's */
};

/* the terms from the minimizer's free coordinates: log settle, logit guess and, when free,
 * log sigma */
static void bf_terms(const gsl_vector *v, int free_sigma, struct tts_params *tp)
{
	tp->bf_settle = exp(gsl_vector_get(v, 0));
	tp->bf_guess = 1 / (1 + exp(-gsl_vector_get(v, 1)));
	if (free_sigma)
		tp->bf_sigma = exp(gsl_vector_get(v, 2));
}

/* squared error over the points of `fit` (1 or 0; -1: all) on the traces they name, one pass
 * over each trace's samples for all its budgets; e[k] (may be NULL) gets point k's error */
static double bf_sq_errors(const struct bf_point *rows, const struct trace *const *traces, int n,
			   const struct tts_params *tp, int fit, double *e)
{
	int *bud = xmalloc((size_t)n * sizeof(*bud)), *idx = xmalloc((size_t)n * sizeof(*idx));
	double *acc = xmalloc((size_t)n * sizeof(*acc)), l = 0;
	char *done = xcalloc((size_t)n, 1);
	for (int k = 0; k < n; k++) {
		if (done[k] || !traces[k] || (fit >= 0 && rows[k].fit != fit))
			continue;
		int m = 0;
		for (int j = k; j < n; j++)
			if (!done[j] && traces[j] == traces[k] && (fit < 0 || rows[j].fit == fit)) {
				done[j] = 1;
				idx[m] = j;
				bud[m++] = rows[j].budget;
			}
		tts_bf_curve(traces[k], bud, m, tp, acc);
		for (int j = 0; j < m; j++) {
			double d = acc[j] - rows[idx[j]].acc;
			l += d * d;
			if (e)
				e[idx[j]] = d;
		}
	}
	free(bud);
	free(idx);
	free(acc);
	free(done);
	return l;
}

static double bf_loss(const gsl_vector *v, void *arg)
{
	struct bf_ctx *x = arg;
	bf_terms(v, x->free_sigma, &x->tp);
	return bf_sq_errors(x->rows, x->traces, x->n, &x->tp, 1, NULL);
}

int tts_fit_bf(const struct bf_point *rows, const struct trace *const *traces, int n, const struct tts_params *tp,
	       int free_sigma, struct tts_params *out, double *rmse)
{
	const size_t dim = free_sigma ? 3 : 2;
	struct bf_ctx x = {rows, traces, n, *tp, free_sigma};
	gsl_multimin_function F = {bf_loss, dim, &x};
	int used = 0;
	for (int k = 0; k < n; k++)
		used += rows[k].fit && traces[k];
	if (!used)
		return err_set("tts fit: no budget-forcing point to fit to (expected a row with use fit and a trace)");
	/* as many points as terms fit any curve exactly: a zero error that says nothing */
	if (used <= (int)dim)
		return err_set("tts fit: %d budget-forcing fit point%s for %d free terms (expected more than %d rows with use "
			       "fit and a trace)", used, used == 1 ? "" : "s", (int)dim, (int)dim);
	gsl_vector *v = gsl_vector_alloc(dim), *step = gsl_vector_alloc(dim);
	gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dim);
	if (!v || !step || !m)
		bug("out of memory for a minimizer");
	/* a fixed start (settle 0.5, guess 0.5, sigma 1), not tp's terms: the fit does not depend on
	 * the defaults it sets */
	gsl_vector_set(v, 0, log(0.5));
	gsl_vector_set(v, 1, 0);
	if (free_sigma)
		gsl_vector_set(v, 2, 0);
	gsl_vector_set_all(step, 0.5);
	gsl_multimin_fminimizer_set(m, &F, v, step);
	for (int it = 0; it < 500; it++) {
		if (gsl_multimin_fminimizer_iterate(m))
			break;
		if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-3) == GSL_SUCCESS)
			break;
	}
	*out = *tp;
	bf_terms(m->x, free_sigma, out);
	*rmse = 100 * sqrt(m->fval / used);
	gsl_multimin_fminimizer_free(m);
	gsl_vector_free(v);
	gsl_vector_free(step);
	return 0;
}

int tts_bf_errors(const struct bf_point *rows, const struct trace *const *traces, int n, const struct tts_params *tp,
		  int fit, const char *prompt, const char *trace, double *median, double *worst)
{
	double *d = xmalloc((size_t)(n > 0 ? n : 1) * sizeof(*d)), *e = xmalloc((size_t)(n > 0 ? n : 1) * sizeof(*e));
	int m = 0;
	bf_sq_errors(rows, traces, n, tp, fit, d);
	for (int k = 0; k < n; k++) {
		const struct bf_point *r = &rows[k];
		if (r->fit != fit || !traces[k] || (prompt && strcmp(r->prompt, prompt)) || (trace && strcmp(r->trace, trace)))
			continue;
		e[m++] = 100 * fabs(d[k]);
	}
	*median = *worst = 0;
	if (m) {
		gsl_sort(e, 1, (size_t)m);
		*median = gsl_stats_median_from_sorted_data(e, 1, (size_t)m);
		*worst = e[m - 1];
	}
	free(d);
	free(e);
	return m;
}

struct wait_ctx {
	const struct trace *t;
	struct tts_params tp;
	uint64_t seed;
	double base, gain;
	int waits;
};

static double wait_gap(double brk, void *arg)
{
	struct wait_ctx *x = arg;
	x->tp.wait_break = brk;
	return tts_mean_accuracy(x->t, 0, x->waits, &x->tp, x->seed) - x->base - x->gain;
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
	struct wait_ctx x = {traces[k], *tp, seed, 0, rows[k].acc - rows[k].base_acc, rows[k].waits};
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
