/*
 * robust.c: the generic robust fitter (robust.h): nonlinear least squares on relative
 * residuals with GSL's trust-region solver, Huber-reweighted, in a transformed space that
 * keeps each parameter in its range. It knows nothing of profiles or raw files; fit.c
 * holds the per-family models and what they set.
 */
#include "calibration/robust.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "lib/util.h"

struct nl {
	int np;
	const int *kind;
	const double *y, *w;
	robust_pred_fn pred;
	void *ctx;
	double x[16];
};

/* Parameters are fitted in a transformed space so they keep their physical range:
 * kind 0: x > 0 (x = e^t); kind 1: x > 1 (x = 1 + e^t, the blend exponent); kind 2: a
 * fraction 0 < x < 1 (x = 1 / (1 + e^-t): efficiencies, which a fit may otherwise push past
 * the hardware's peak). */
static void decode(const gsl_vector *th, double *x, const int *kind, int np)
{
	for (int j = 0; j < np; j++) {
		double t = gsl_vector_get(th, j);
		int k = kind ? kind[j] : 0;
		x[j] = k == 2 ? 1 / (1 + exp(-t)) : k == 1 ? 1 + exp(t) : exp(t);
	}
}

static double encode(double v, int k)
{
	if (k == 2) {
		v = v < 1e-9 ? 1e-9 : v > 1 - 1e-9 ? 1 - 1e-9 : v;
		return log(v / (1 - v));
	}
	v = k == 1 ? v - 1 : v;
	return log(v > 1e-300 ? v : 1e-300);
}

static int nl_f(const gsl_vector *th, void *params, gsl_vector *f)
{
	struct nl *c = params;
	decode(th, c->x, c->kind, c->np);
	for (size_t i = 0; i < f->size; i++) {
		double r = c->pred(c->x, i, c->ctx) / c->y[i] - 1;
		if (!isfinite(r) || r > 1e6)
			r = 1e6;
		gsl_vector_set(f, i, sqrt(c->w[i]) * r);
	}
	return GSL_SUCCESS;
}

double robust_median(double *a, size_t n)
{
	gsl_sort(a, 1, n);
	return gsl_stats_median_from_sorted_data(a, 1, n);
}

/* Relative standard errors of the fitted parameters, from the covariance of the last
 * solve: sigma^2 (J^T J)^-1 in the transformed space (the residuals are the weighted
 * relative errors), mapped back by the delta method. Parameters the data do not pin down
 * get an error of 1 or more, which callers drop. */
static void rel_errors(gsl_multifit_nlinear_workspace *ws, int np, size_t n, const double *x,
		       const int *kind, double *rel)
{
	gsl_matrix *cov = gsl_matrix_alloc((size_t)np, (size_t)np);
	gsl_vector *f = gsl_multifit_nlinear_residual(ws);
	double chi2 = 0, s2;
	for (size_t i = 0; i < n; i++)
		chi2 += gsl_vector_get(f, i) * gsl_vector_get(f, i);
	s2 = n > (size_t)np ? chi2 / (double)(n - (size_t)np) : NAN;
	gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(ws), 0.0, cov);
	for (int j = 0; j < np; j++) {
		double sd = sqrt(s2 * gsl_matrix_get(cov, (size_t)j, (size_t)j));
		int k = kind ? kind[j] : 0;
		rel[j] = k == 2 ? (1 - x[j]) * sd : k == 1 ? (x[j] - 1) / x[j] * sd : sd;
		if (!isfinite(rel[j]))
			rel[j] = INFINITY;
	}
	gsl_matrix_free(cov);
}

int robust_fit(int np, double *x, const int *kind, size_t n, const double *y, robust_pred_fn pred,
	       void *ctx, const char *what, int irls, int maxit, double *rel_se)
{
	if (np > 16)
		bug("robust_fit: %d parameters", np);
	if (n < (size_t)np + 1)
		return err_set("%s: %zu data points for %d parameters (expected at least %d)", what, n,
			       np, np + 1);
	double *w = xmalloc(n * sizeof(*w)), *r = xmalloc(n * sizeof(*r));
	struct nl c = {.np = np, .kind = kind, .y = y, .w = w, .pred = pred, .ctx = ctx};
	gsl_vector *th = gsl_vector_alloc(np);
	gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
	gsl_multifit_nlinear_workspace *ws = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust,
									&fp, n, np);
	gsl_multifit_nlinear_fdf fdf = {.f = nl_f, .df = NULL, .fvv = NULL, .n = n, .p = np,
					.params = &c};
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		w[i] = 1;
	for (int j = 0; j < np; j++)
		gsl_vector_set(th, j, encode(x[j], kind ? kind[j] : 0));
	for (int it = 0; it < irls && !rc; it++) {
		int info;
		gsl_multifit_nlinear_init(th, &fdf, ws);
		int st = gsl_multifit_nlinear_driver(maxit, 1e-10, 1e-10, 1e-10, NULL, NULL, &info, ws);
		if (st != GSL_SUCCESS && st != GSL_EMAXITER && st != GSL_ENOPROG) {
			rc = err_set("%s: fit did not converge (%s)", what, gsl_strerror(st));
			break;
		}
		gsl_vector_memcpy(th, ws->x);
		decode(th, x, kind, np);
		/* Huber weights from the spread of the relative residuals */
		for (size_t i = 0; i < n; i++)
			r[i] = pred(x, i, ctx) / y[i] - 1;
		double med = robust_median(r, n);
		for (size_t i = 0; i < n; i++)
			r[i] = fabs(pred(x, i, ctx) / y[i] - 1 - med);
		double s = 1.4826 * robust_median(r, n);
		if (s < 1e-4)
			s = 1e-4;
		for (size_t i = 0; i < n; i++) {
			double a = fabs(pred(x, i, ctx) / y[i] - 1);
			w[i] = a <= 1.345 * s ? 1 : 1.345 * s / a;
		}
	}
	for (int j = 0; j < np && !rc; j++)
		if (!isfinite(x[j]))
			rc = err_set("%s: fit gave a non-finite parameter %d", what, j);
	if (!rc && rel_se)
		rel_errors(ws, np, n, x, kind, rel_se);
	gsl_set_error_handler(old);
	gsl_multifit_nlinear_free(ws);
	gsl_vector_free(th);
	free(w);
	free(r);
	return rc;
}

/* ---- error statistics ---- */


void robust_errs_add(struct robust_errs *E, double pred, double meas)
{
	xgrow((void **)&E->e, &E->cap, E->n + 1, sizeof(double));
	E->e[E->n++] = fabs(pred - meas) / meas;
}

void robust_errs_stats(struct robust_errs *E, double *med, double *p90, double *max)
{
	if (!E->n) {
		*med = *p90 = NAN;
		if (max)
			*max = NAN;
		return;
	}
	gsl_sort(E->e, 1, E->n);
	*med = gsl_stats_median_from_sorted_data(E->e, 1, E->n);
	*p90 = gsl_stats_quantile_from_sorted_data(E->e, 1, E->n, 0.9);
	if (max)
		*max = E->e[E->n - 1];
}

