/*
 * rm_fit.h: the reward model of best-of-N (tts.h, vote "best") fitted to public MATH500
 * best-of-N curves (traces/rm_curves.csv), with the rows not used reported as a check.
 *
 * The model. A wrong sample's score is N(0, 1); a correct sample's is N(mu + tau g, 1), g ~
 * N(0, 1) drawn once per problem: mu is the reward model's mean separation of right from
 * wrong, tau how much that separation varies from problem to problem (on some problems the
 * reward model prefers a wrong answer, and more samples then make best-of-N worse: the
 * flattening and decline of published curves). rm_accuracy = Phi(mu / sqrt(2 + tau^2)) is the
 * chance that a correct sample outscores a wrong one of the same problem, over problems; the
 * options tts_rm_accuracy and tts_rm_spread (tau) set the pair.
 *
 * A public row gives a policy's pass@1 and its best-of-N accuracy, not its samples. The
 * policy's per-problem solve rates come from the vote model (vote.h) with its fitted slope,
 * as its twins and the synthetic traces draw them: logit p_i = a + b d_i + s_b e_i, d_i the
 * real traces' consensus difficulty of MATH500 problem i, e_i ~ N(0, 1), (b, s_b) the vote
 * model's (slope, slope_s), a bisected (GSL Brent root) to the row's pass@1. Then
 *   best-of-N = sum_k w_k B_k,  w_k = mean over problems and e of Binomial(k; N, p_i(e)),
 *   B_k = E_g [ integral k phi(y) Phi(y)^(k-1) Phi(y + mu + tau g)^(N-k) dy ]
 * (the top of k correct scores beats the top of N - k wrong ones), by Gauss-Hermite over e and
 * g and Gauss-Legendre over y (GSL fixed quadratures). (mu, tau) are fitted by least squares
 * over the `fit` rows (GSL Nelder-Mead, nmsimplex2). The quadrature tables are built on the
 * first call and shared: call from one thread (the fit is a command of its own, not part of a
 * run; a run's best-of-N votes are drawn in tts.c).
 */
#ifndef TTSIM_RM_FIT_H
#define TTSIM_RM_FIT_H

#include <stddef.h>

#define RM_ROWS_MAX 512
#define RM_NMAX 1024 /* the largest N of a row */

struct rm_row {
	char source_id[32], policy[64], rm[64], rm_type[8];
	double pass1, acc; /* fractions */
	int n;             /* N of best-of-N, 1..RM_NMAX */
	int fit;           /* 1: used by the fit, 0: a check */
	int line;          /* its line in the file */
};

/* Parse the curves CSV (text of len bytes, named `name` in messages); 0 or -1 with err_set
 * naming file, line and key. */
int rm_rows_parse(const char *text, size_t len, const char *name, struct rm_row *rows, int max, int *n);
/* Load them: a file path, or NULL for the shipped traces/rm_curves.csv. */
int rm_rows_load(const char *path, struct rm_row *rows, int max, int *n);

/* P(correct outscores wrong) over problems, and its inverse for a given tau. */
double rm_pairwise(double mu, double tau);
double rm_mu(double accuracy, double tau);

/* b[k], k = 0..n: P(the top-scored of n samples is a correct one | k of them correct). */
void rm_bon_given_k(int n, double mu, double tau, double *b);

/* w[k], k = 0..n: the share of problems (over the policy's deviate e) with k of n samples
 * correct, for solve rates sigmoid(a + b d_i + s e), a set so their mean is pass1; d has np
 * entries (-INFINITY: unsolvable); b > 0 the slope on d, s >= 0 the spread. 0, or -1 with
 * err_set. */
int rm_count_weights(const double *d, int np, double b, double s, double pass1, int n, double *w);

/* Best-of-n accuracy from count weights w (n + 1 entries). */
double rm_bon(const double *w, int n, double mu, double tau);

struct rm_fit_result {
	double mu, tau, accuracy; /* accuracy = rm_pairwise(mu, tau) */
	double rmse;              /* over the rows fitted, accuracy points */
	int n_rows;
};

/* Fit (mu, tau) to the `fit` rows whose reward model is `rm` (NULL: every reward model,
 * pooled); w[r] are row r's count weights (rm_count_weights with rows[r].pass1 and .n);
 * tau_fixed >= 0 holds tau there and fits mu alone. 0, or -1 with err_set (no row). */
int rm_fit(const struct rm_row *rows, const double *const *w, int nrows, const char *rm, double tau_fixed,
	   struct rm_fit_result *out);

#endif
