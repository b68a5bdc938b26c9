/*
 * tts_fit.h: the budget-forcing and "Wait" terms of the accuracy model (tts.h) fitted to
 * public MATH500 curves (traces/tts_curves.csv), with the rows not used reported as a check.
 *
 * Budget forcing: bf_settle, bf_sigma and bf_guess are chosen together (GSL Nelder-Mead,
 * least squares in accuracy) so that the model's accuracy at a budget B meets the `fit` rows
 * of the public accuracy-against-budget curves (traces/bf_curves.csv: an unchanged model's
 * thinking cut at B and an answer forced); the other rows, and DEER's early-exit token ratios
 * (traces/tts_curves.csv), are reported as checks. "Wait": wait_break is chosen
 * (GSL Brent root finder) so that the row's "Wait"s (one in the shipped row) move the trace's
 * mean accuracy by the published gain of the `fit` wait row; the `check` wait rows are
 * reported against the model; wait_fix is held (1: a wait re-solves a wrong sample with the
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
	int waits;            /* wait rows: the "Wait" extensions (1..64); deer rows 0 */
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

/* One point of an accuracy-against-budget curve (traces/bf_curves.csv). */
#define BF_POINTS_MAX 1024
struct bf_point {
	char source_id[32], model[64], trace[64], prompt[16];
	int fit;              /* 1: used by the fit, 0: a check */
	int budget;           /* thinking tokens before the forced answer */
	double acc;           /* fraction */
	int line;
};
int bf_points_parse(const char *text, size_t len, const char *name, struct bf_point *rows, int max, int *n);
/* A file path, or NULL for the shipped traces/bf_curves.csv (BF_CURVES_PATH, the name its
 * messages use). The parse refuses a prompt other than sbs or aav and a second point of one
 * (source, trace, prompt, budget). */
#define BF_CURVES_PATH "traces/bf_curves.csv"
int bf_points_load(const char *path, struct bf_point *rows, int max, int *n);
/* Each point's model against its trace's (traces[k], NULL: skipped): the trace's Hugging Face
 * id or the name after its last '/' (DeepSeek-R1-Distill-Qwen-7B for
 * deepseek-ai/DeepSeek-R1-Distill-Qwen-7B). 0, or -1 with err_set naming file `name`, line and
 * key. */
int bf_points_match(const struct bf_point *rows, const struct trace *const *traces, int n, const char *name);

/* The model's expected accuracy on trace t with budget B (no waits): over the first
 * TTS_BF_SAMPLES recorded samples of each problem, a sample of T <= B tokens keeps its answer;
 * a longer one keeps it with tts_keep_prob and otherwise is right with bf_guess x the
 * problem's solve rate (a run-away sample's kept answer is right with the solve rate). The
 * expectation of what tts_problem_seeded draws, without the draws. */
#define TTS_BF_SAMPLES 8
double tts_bf_accuracy(const struct trace *t, int budget, const struct tts_params *tp);
/* The same at nb budgets in one pass over the samples: acc[b] at budget[b]. */
void tts_bf_curve(const struct trace *t, const int *budget, int nb, const struct tts_params *tp, double *acc);

/* Fit (bf_settle, bf_guess and, when free_sigma, bf_sigma) to the `fit` points, from a fixed
 * start; traces[k] is point k's trace (NULL: skipped); tp gives the other terms (and bf_sigma
 * when held). 0 (out: the fitted terms, *rmse in accuracy points) or -1 with err_set (no more
 * fit points than free terms, 2 or 3: they would fit exactly). */
int tts_fit_bf(const struct bf_point *rows, const struct trace *const *traces, int n, const struct tts_params *tp,
	       int free_sigma, struct tts_params *out, double *rmse);
/* Absolute errors, accuracy points, of the points with use == fit (fit 1) or check (fit 0),
 * restricted to `prompt` and `trace` when not NULL: their count, median (GSL) and largest. */
int tts_bf_errors(const struct bf_point *rows, const struct trace *const *traces, int n, const struct tts_params *tp,
		  int fit, const char *prompt, const char *trace, double *median, double *worst);
/* Fit wait_break in [0, 1] to the first `fit` wait row's gain with its waits, tp's other terms held; 0, or
 * -1 with err_set (no row, or no wait_break in [0, 1] reaches the gain: *brk is then the
 * nearer end). */
int tts_fit_wait(const struct tts_curve *rows, const struct trace *const *traces, int n,
		 const struct tts_params *tp, uint64_t seed, double *brk);

#endif
