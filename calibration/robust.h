/*
 * robust.h: the generic robust fitter under calibration/fit.c, and the relative-error
 * statistics of its reports. Nothing here knows a profile or a raw file: a model is a
 * function pred(x, i, ctx) giving its prediction for row i with parameters x.
 *
 * A fit is nonlinear least squares on relative residuals (pred / y - 1) with GSL's
 * trust-region solver (gsl_multifit_nlinear, finite-difference Jacobian), iteratively
 * reweighted with Huber's rule (k = 1.345 MADs) so that a few outliers do not move it.
 * Each parameter is fitted in a transformed space that keeps it in its range; kind[j]
 * (NULL: all 0) says which: 0: x > 0 (x = e^t); 1: x > 1 (x = 1 + e^t); 2: a fraction
 * 0 < x < 1 (x = 1 / (1 + e^-t)); the profile schema's enc column (models/profile.h) uses
 * the same numbers. A new encoding is one branch in robust.c's encode/decode and rel_errors.
 */
#ifndef TTSIM_ROBUST_H
#define TTSIM_ROBUST_H

#include <stddef.h>

typedef double (*robust_pred_fn)(const double *x, size_t i, void *ctx);

/* Fit np parameters (at most 16) x to the n rows y. x holds the starting point on entry
 * and the fit on success. irls: reweighting rounds; maxit: solver iterations per round;
 * rel_se (may be NULL): the relative standard error of each parameter from the last
 * solve's covariance (1 or more, or infinity: not identified by the data). Returns 0, or
 * -1 with err_set naming `what` (fewer rows than parameters + 1, no convergence, a
 * non-finite parameter). */
int robust_fit(int np, double *x, const int *kind, size_t n, const double *y, robust_pred_fn pred,
	       void *ctx, const char *what, int irls, int maxit, double *rel_se);

/* The median of a[0..n) (n > 0); sorts a. */
double robust_median(double *a, size_t n);

/* Relative errors |pred - meas| / meas, collected one by one (caller-owned; zero it first,
 * free(e) when done), and their median, 90th percentile and maximum (NaN when empty; max
 * may be NULL). Sorts e. */
struct robust_errs {
	double *e;
	size_t n, cap;
};
void robust_errs_add(struct robust_errs *E, double pred, double meas);
void robust_errs_stats(struct robust_errs *E, double *med, double *p90, double *max);

#endif
