/*
 * tts_fit.h: the budget-forcing and "Wait" terms of the accuracy model (tts.h) fitted to
 * public MATH500 curves (traces/tts_curves.csv), with the rows not used reported as a check.
 *
 * Budget forcing: the settle-point scale bf_settle is chosen (GSL Brent minimizer) so that
 * the mean settle token E[S | S <= T] over a trace's samples, divided by their mean length,
 * matches the token ratio of DEER's early exit (which stops once a trial answer is confident,
 * at no loss of accuracy) on the `fit` rows; bf_sigma is held. "Wait": wait_break is chosen
 * (GSL Brent root finder) so that one "Wait" moves the trace's mean accuracy by the published
 * gain of the `fit` wait row; wait_fix is held (1: a wait re-solves a wrong sample with the
 * problem's solve rate). The results are printed by `ttsim trace
 * tts-fit`; the defaults of sim/config.c are these values.
 */
#ifndef TTSIM_TTS_FIT_H
#define TTSIM_TTS_FIT_H

#include <stdint.h>
#include "traces/tts.h"

#define TTS_CURVES_MAX 64

struct tts_curve {
	char source_id[32], model[64], trace[64], kind[8];
	int fit;              /* 1: used by the fit, 0: a check */
	double base_acc, acc; /* fractions */
	double base_tokens, tokens;
	int line;             /* its line in the file */
};

/* Parse the curves CSV (text of len bytes, named `name` in messages); 0 or -1 with err_set
 * naming file, line and key. */
int tts_curves_parse(const char *text, size_t len, const char *name, struct tts_curve *rows, int max, int *n);
/* Load them: a file path, or NULL for the shipped traces/tts_curves.csv. */
int tts_curves_load(const char *path, struct tts_curve *rows, int max, int *n);

/* The model's DEER token ratio on trace t: sum of E[S | S <= T] / sum of T over all samples. */
double tts_deer_ratio(const struct trace *t, double settle, double sigma);
/* Mean accuracy over every recorded sample of t (each problem's samples, in order) with
 * `budget` and `waits`, params tp, seed. */
double tts_mean_accuracy(const struct trace *t, int budget, int waits, const struct tts_params *tp, uint64_t seed);

/* Fit bf_settle to the `fit` deer rows, given tp->bf_sigma; traces[k] is row k's trace
 * (NULL: row skipped). 0 or -1 with err_set. */
int tts_fit_settle(const struct tts_curve *rows, const struct trace *const *traces, int n, double sigma,
		   double *settle);
/* Fit wait_break in [0, 1] to the first `fit` wait row's gain, tp's other terms held; 0, or
 * -1 with err_set (no row, or no wait_break in [0, 1] reaches the gain: *brk is then the
 * nearer end). */
int tts_fit_wait(const struct tts_curve *rows, const struct trace *const *traces, int n,
		 const struct tts_params *tp, uint64_t seed, double *brk);

#endif
