/* rm_fit.c: see rm_fit.h. */
#include "traces/rm_fit.h"
#include "lib/csv.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>

#define ROWS_PATH "traces/rm_curves.csv"
#define GH_E 32  /* Gauss-Hermite nodes over the policy's deviate e */
#define GH_G 16  /* ... over the reward model's per-problem deviate g */
#define GL_Y 160 /* Gauss-Legendre nodes over the score y, on [-Y_LIM, Y_LIM] */
#define Y_LIM 10.0

static const char *const cols[] = {"source_id", "policy", "pass1", "rm", "rm_type", "n", "acc", "use", "read"};
#define NCOLS (int)(sizeof(cols) / sizeof(cols[0]))

static int parse_row(const char *const *v, const char *name, int line, struct rm_row *r)
{
	double n;
	memset(r, 0, sizeof(*r));
	r->line = line;
	if (csv_field_copy(r->source_id, sizeof(r->source_id), v[0], name, line, cols[0]) < 0 ||
	    csv_field_copy(r->policy, sizeof(r->policy), v[1], name, line, cols[1]) < 0 ||
	    csv_field_num(v[2], name, line, cols[2], 0, 1, &r->pass1) < 0 ||
	    csv_field_copy(r->rm, sizeof(r->rm), v[3], name, line, cols[3]) < 0 ||
	    csv_field_copy(r->rm_type, sizeof(r->rm_type), v[4], name, line, cols[4]) < 0)
		return -1;
	if (!(r->pass1 > 0 && r->pass1 < 1))
		return err_set("%s:%d: key 'pass1': bad value '%s' (expected a fraction strictly between 0 and 1)", name,
			       line, v[2]);
	if (strcmp(r->rm_type, "orm") && strcmp(r->rm_type, "prm"))
		return err_set("%s:%d: key 'rm_type': unknown value '%s' (expected orm or prm)", name, line, r->rm_type);
	if (csv_field_num(v[5], name, line, cols[5], 1, RM_NMAX, &n) < 0)
		return -1;
	if (n != floor(n))
		return err_set("%s:%d: key 'n': bad value '%s' (expected a whole number)", name, line, v[5]);
	r->n = (int)n;
	if (csv_field_num(v[6], name, line, cols[6], 0, 1, &r->acc) < 0)
		return -1;
	if (strcmp(v[7], "fit") && strcmp(v[7], "check"))
		return err_set("%s:%d: key 'use': unknown value '%s' (expected fit or check)", name, line, v[7]);
	r->fit = !strcmp(v[7], "fit");
	if (strcmp(v[8], "table") && strcmp(v[8], "figure"))
		return err_set("%s:%d: key 'read': unknown value '%s' (expected table or figure)", name, line, v[8]);
	return 0;
}

struct rows_arg {
	const char *name;
	struct rm_row *rows;
	int n;
};

static int take_row(const char *const *v, int line, void *arg)
{
	struct rows_arg *a = arg;
	return parse_row(v, a->name, line, &a->rows[a->n++]);
}

int rm_rows_parse(const char *text, size_t len, const char *name, struct rm_row *rows, int max, int *n)
{
	struct rows_arg a = {name, rows, 0};
	return csv_table_parse(text, len, name, cols, NCOLS, max, "best-of-N point", take_row, &a, n);
}

struct rm_rows_load_load {
	struct rm_row *rows;
	int max, *n;
};

static int rm_rows_load_cb(const char *text, size_t len, const char *name, void *ctx)
{
	struct rm_rows_load_load *l = ctx;
	return rm_rows_parse(text, len, name, l->rows, l->max, l->n);
}

int rm_rows_load(const char *path, struct rm_row *rows, int max, int *n)
{
	struct rm_rows_load_load l = {rows, max, n};
	return shipped_or_file_parse(path, ROWS_PATH, rm_rows_load_cb, &l);
}

double rm_pairwise(double mu, double tau)
{
	return gsl_cdf_ugaussian_P(mu / sqrt(2 + tau * tau));
}

double rm_mu(double accuracy, double tau)
{
	return sqrt(2 + tau * tau) * gsl_cdf_ugaussian_Pinv(fmin(fmax(accuracy, 1e-6), 1 - 1e-6));
}

/* the fixed quadratures, built once (GSL's tables are read-only after allocation) */
static struct {
	int ready;
	double y[GL_Y], wy[GL_Y], phi[GL_Y], lPhi[GL_Y];
	double e[GH_E], we[GH_E], g[GH_G], wg[GH_G];
} q;

static void quad_init(void)
{
	gsl_integration_fixed_workspace *h;
	gsl_integration_glfixed_table *t;
	if (q.ready)
		return;
	t = gsl_integration_glfixed_table_alloc(GL_Y);
	if (!t)
		bug("out of memory for a quadrature");
	for (int j = 0; j < GL_Y; j++) {
		gsl_integration_glfixed_point(-Y_LIM, Y_LIM, (size_t)j, &q.y[j], &q.wy[j], t);
		q.phi[j] = gsl_ran_ugaussian_pdf(q.y[j]);
		q.lPhi[j] = log(gsl_cdf_ugaussian_P(q.y[j]));
	}
	gsl_integration_glfixed_table_free(t);
	/* Hermite weight exp(-x^2): E f(Z) = sum w f(sqrt(2) x) / sqrt(pi) */
	h = gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, GH_E, 0, 1, 0, 0);
	for (int k = 0; k < GH_E; k++) {
		q.e[k] = M_SQRT2 * gsl_integration_fixed_nodes(h)[k];
		q.we[k] = gsl_integration_fixed_weights(h)[k] / sqrt(M_PI);
	}
	gsl_integration_fixed_free(h);
	h = gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, GH_G, 0, 1, 0, 0);
	for (int k = 0; k < GH_G; k++) {
		q.g[k] = M_SQRT2 * gsl_integration_fixed_nodes(h)[k];
		q.wg[k] = gsl_integration_fixed_weights(h)[k] / sqrt(M_PI);
	}
	gsl_integration_fixed_free(h);
	q.ready = 1;
}

/* b[k] += weight x P(top of k correct (shift delta) beats top of n - k wrong), 0 < k < n */
static void given_k_delta(int n, double delta, double weight, double *b)
{
	for (int j = 0; j < GL_Y; j++) {
		double la = q.lPhi[j], lb = log(gsl_cdf_ugaussian_P(q.y[j] + delta)), base = q.wy[j] * q.phi[j] * weight;
		for (int k = 1; k < n; k++)
			b[k] += base * k * exp((k - 1) * la + (n - k) * lb);
	}
}

void rm_bon_given_k(int n, double mu, double tau, double *b)
{
	quad_init();
	memset(b, 0, (size_t)(n + 1) * sizeof(*b));
	if (tau > 0)
		for (int m = 0; m < GH_G; m++)
			given_k_delta(n, mu + tau * q.g[m], q.wg[m], b);
	else
		given_k_delta(n, mu, 1, b);
	b[0] = 0;
	b[n] = 1;
	for (int k = 1; k < n; k++)
		b[k] = fmin(fmax(b[k], 0), 1);
}

struct mean_ctx {
	const double *d;
	int np;
	double b, s, target;
};

static double mean_solve(double a, void *arg)
{
	const struct mean_ctx *x = arg;
	double m = 0;
	for (int i = 0; i < x->np; i++) {
		if (!isfinite(x->d[i]))
			continue; /* unsolvable: solve rate 0 */
		for (int k = 0; k < GH_E; k++)
			m += q.we[k] / (1 + exp(-(a + x->b * x->d[i] + x->s * q.e[k])));
	}
	return m / x->np - x->target;
}

int rm_count_weights(const double *d, int np, double b, double s, double pass1, int n, double *w)
{
	struct mean_ctx x = {d, np, b, s, pass1};
	gsl_function F = {mean_solve, &x};
	gsl_root_fsolver *sv;
	double lo = -60, hi = 60, a = 0;
	int solvable = 0;
	quad_init();
	for (int i = 0; i < np; i++)
		solvable += isfinite(d[i]) != 0;
	if (np < 1 || n < 1 || n > RM_NMAX || !(b > 0) || !(s >= 0))
		return err_set("rm: bad arguments (expected problems, 1 <= N <= %d, slope > 0, spread >= 0)", RM_NMAX);
	if (!(pass1 > 0 && pass1 < (double)solvable / np))
		return err_set("rm: pass@1 %.4f out of reach (expected 0 < pass@1 < %.4f, the share of solvable problems)",
			       pass1, (double)solvable / np);
	sv = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!sv)
		bug("out of memory for a root finder");
	gsl_root_fsolver_set(sv, &F, lo, hi);
	for (int it = 0; it < 200; it++) {
		gsl_root_fsolver_iterate(sv);
		a = gsl_root_fsolver_root(sv);
		lo = gsl_root_fsolver_x_lower(sv);
		hi = gsl_root_fsolver_x_upper(sv);
		if (gsl_root_test_interval(lo, hi, 1e-10, 0) == GSL_SUCCESS)
			break;
	}
	gsl_root_fsolver_free(sv);
	memset(w, 0, (size_t)(n + 1) * sizeof(*w));
	for (int i = 0; i < np; i++) {
		if (!isfinite(d[i])) {
			w[0] += 1;
			continue;
		}
		for (int k = 0; k < GH_E; k++) {
			double p = 1 / (1 + exp(-(a + b * d[i] + s * q.e[k])));
			for (int c = 0; c <= n; c++)
				w[c] += q.we[k] * gsl_ran_binomial_pdf((unsigned)c, p, (unsigned)n);
		}
	}
	for (int c = 0; c <= n; c++)
		w[c] /= np;
	return 0;
}

double rm_bon(const double *w, int n, double mu, double tau)
{
	double *b = xmalloc((size_t)(n + 1) * sizeof(*b)), acc = 0;
	rm_bon_given_k(n, mu, tau, b);
	for (int k = 0; k <= n; k++)
		acc += w[k] * b[k];
	free(b);
	return acc;
}

struct fit_ctx {
	const struct rm_row *rows;
	const double *const *w;
	int nrows;
	const char *rm;
	double tau_fixed;
};

static int fit_uses(const struct fit_ctx *x, int r)
{
	return x->rows[r].fit && (!x->rm || !strcmp(x->rows[r].rm, x->rm));
}

static double fit_loss(const gsl_vector *v, void *arg)
{
	const struct fit_ctx *x = arg;
	double mu = gsl_vector_get(v, 0), l = 0;
	double tau = x->tau_fixed >= 0 ? x->tau_fixed : fabs(gsl_vector_get(v, 1));
	/* b of each distinct N once per evaluation: rows share their N */
	double *b[16];
	int ns[16], nb = 0;
	if (fabs(mu) > 20 || tau > 20)
		return 1e9;
	for (int r = 0; r < x->nrows; r++)
		if (fit_uses(x, r)) {
			int n = x->rows[r].n, k = 0;
			double acc = 0;
			while (k < nb && ns[k] != n)
				k++;
			if (k == nb) {
				if (nb == 16) { /* more distinct N than cached: the slow way */
					double e = rm_bon(x->w[r], n, mu, tau) - x->rows[r].acc;
					l += e * e;
					continue;
				}
				b[nb] = xmalloc((size_t)(n + 1) * sizeof(**b));
				rm_bon_given_k(n, mu, tau, b[nb]);
				ns[nb++] = n;
			}
			for (int c = 0; c <= n; c++)
				acc += x->w[r][c] * b[k][c];
			l += (acc - x->rows[r].acc) * (acc - x->rows[r].acc);
		}
	for (int k = 0; k < nb; k++)
		free(b[k]);
	return l;
}

int rm_fit(const struct rm_row *rows, const double *const *w, int nrows, const char *rm, double tau_fixed,
	   struct rm_fit_result *out)
{
	struct fit_ctx x = {rows, w, nrows, rm, tau_fixed};
	gsl_multimin_function F = {fit_loss, 2, &x};
	gsl_multimin_fminimizer *m;
	gsl_vector *v, *step;
	int used = 0;
	memset(out, 0, sizeof(*out));
	for (int r = 0; r < nrows; r++)
		used += fit_uses(&x, r);
	if (!used)
		return err_set("rm: no fit rows%s%s (expected at least one row with use 'fit')", rm ? " of reward model " : "",
			       rm ? rm : "");
	v = gsl_vector_alloc(2);
	step = gsl_vector_alloc(2);
	m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 2);
	if (!v || !step || !m)
		bug("out of memory for a minimizer");
	gsl_vector_set(v, 0, 1.0);
	gsl_vector_set(v, 1, 1.0);
	gsl_vector_set_all(step, 0.5);
	gsl_multimin_fminimizer_set(m, &F, v, step);
	for (int it = 0; it < 400; it++) {
		if (gsl_multimin_fminimizer_iterate(m))
			break;
		if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-5) == GSL_SUCCESS)
			break;
	}
	out->mu = gsl_vector_get(m->x, 0);
	out->tau = tau_fixed >= 0 ? tau_fixed : fabs(gsl_vector_get(m->x, 1));
	out->accuracy = rm_pairwise(out->mu, out->tau);
	out->rmse = 100 * sqrt(m->fval / used);
	out->n_rows = used;
	gsl_multimin_fminimizer_free(m);
	gsl_vector_free(v);
	gsl_vector_free(step);
	return 0;
}
