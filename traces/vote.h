/*
 * vote.h: a model of how a reasoning model's samples of one problem vote, fitted to real
 * per-sample traces (the seven of traces/math500 imported from ../shared/traces/per_sample),
 * and the curves it is judged by (majority@N, pass@N, length of early-stopped votes).
 *
 * The model, per problem i of a MATH500-like set (method and fits in traces/README.md):
 *   difficulty   d_i = mean over the real traces of logit((c_i + 0.5) / (S + 1)), c_i of S
 *                samples correct: the consensus of several models on the same problem; a
 *                problem no sample of any trace solves is unsolvable (d_i = -infinity: its
 *                answer key matches nothing the models say);
 *   solve rate   p_i(z) = sigmoid(a + b d_i + s e_i - lambda z), e_i ~ N(0, 1) the model's own
 *                deviation from the consensus, z a sample's within-problem length deviate;
 *                a is bisected to the model's pass@1; b (`slope`) the logits of one model per
 *                logit of the consensus, which averages several models' smoothed, capped
 *                logits and so spans a narrower range than one model's own (b 1.45-2.5 in
 *                six real traces, 0.71 in Phi-4-reasoning's, pooled 1.709: traces/README.md);
 *                the generator and the synthetic traces of synth.c use
 *                (slope, slope_s), the reward model's policy (rm_fit.h) still b = 1 with s;
 *   wrong answers a Chinese restaurant process of concentration theta (a sample that is wrong
 *                repeats wrong answer k with probability n_k / (n + theta), else is new), and
 *                with probability `abstain` a finished wrong sample has no answer; a sample
 *                cut at max_tokens keeps one with probability `cut_answer`, correct with
 *                probability sigmoid(a + d_i + s e_i + cut_logit);
 *   lengths      log T = c + L_i + s_len h_i + sigma_w z, L_i the consensus log length of the
 *                problem (each trace centred), h_i ~ N(0, 1); c bisected to the mean tokens;
 *                when asked for (vm->cut > 0: the held-out model's share in the cross-
 *                validation), samples also run away to max_tokens, each with probability r,
 *                r set so that the share cut is vm->cut.
 * Fitted with GSL: (a, s) and (a, b, s) per model by maximum likelihood (binomial-logit-normal,
 * Gauss-Hermite quadrature, Nelder-Mead), theta by maximum likelihood of the Ewens sampling formula (Brent),
 * cut_logit by maximum likelihood against each problem's finished samples (Brent), sigma_w,
 * s_len, lambda, abstain and cut_answer by pooled moments.
 */
#ifndef TTSIM_VOTE_H
#define TTSIM_VOTE_H

#include <stdint.h>
#include "traces/trace.h"

struct vote_model {
	double s;        /* s.d. of a model's problem logit around the consensus, slope b = 1 */
	double slope;    /* b: a model's problem logit per logit of the consensus difficulty, fitted
	                  * jointly with slope_s; 0: not fitted, the generator takes b = 1 with s */
	double slope_s;  /* s.d. of a model's problem logit around b d_i (the fit with the slope) */
	double theta;    /* concentration of wrong answers (Ewens / Chinese restaurant) */
	double abstain;  /* share of finished non-correct samples without an answer */
	double lambda;   /* logits lost per s.d. of a sample's length within its problem */
	double sigma_w;  /* s.d. of log length within a problem */
	double s_len;    /* s.d. of a model's problem log length around the consensus */
	double cut;      /* share of samples cut at max_tokens to generate (run-away samples added
	                  * to the log-normal's own tail); 0: the tail only. Not fitted: an input
	                  * like pass@1 (vote_cut_share of the held-out trace in the cross-validation) */
	double cut_answer; /* share of samples cut at max_tokens that keep an answer (extracted from
	                    * the cut text) */
	double cut_logit;  /* logit P(correct) of a cut sample with an answer, against the finished
	                    * samples of its problem (no length term: it has none to finish) */
	int n_models;    /* traces it was fitted to */
	int n_cut;       /* cut samples (all traces) that fitted cut_answer; those with an answer
	                  * fitted cut_logit */
	int n_partitions; /* problems whose wrong answers fitted theta */
	int n_mixed;     /* problems (x models) with correct and wrong samples, for lambda */
};

/* The consensus over n real traces of the same problems (same count and unique_ids, in the
 * same order): d (difficulty logit) and L (centred log length), n_problems entries each.
 * 0, or -1 with err_set. */
int vote_consensus(const struct trace *const *tr, int n, double *d, double *L);

/* The abstention counts of t, added to *abst and *nonc: its finished non-correct samples
 * (nonc) and those of them without an answer (abst). The one definition of `abstain`: the fit
 * pools it, the cross-validation takes the held-out model's own, and vote_answers applies it
 * to finished wrong samples only (a sample cut at max_tokens gets no answer from the length
 * model, so a cut real sample is not counted as an abstention). */
void vote_abstain_count(const struct trace *t, long *abst, long *nonc);

/* The share of t's samples cut at max_tokens (`finished` false): 0 to 1. */
double vote_cut_share(const struct trace *t);

/* Fit the model to n >= 2 real traces (each model's s with the consensus of the others).
 * 0, or -1 with err_set. */
int vote_fit(const struct trace *const *tr, int n, struct vote_model *vm);

/* Fill the samples of `t` (its problems, ids and prompts already set; n_problems entries of
 * d and L; th: per-problem concentrations, or NULL for vm->theta) with `samples` synthetic
 * samples each, so that pass@1 is near `pass1` and the
 * mean of min(max_tokens, length) near `mean_tokens`; samples reaching t->max_tokens are cut
 * (answer -1). With vm->cut > 0, samples also run away to max_tokens (each independently, from
 * a stream of their own) so that the share cut is near vm->cut; vm->cut = 0 draws nothing more
 * (the same samples as without it). Deterministic in seed. 0, or -1 with err_set. */
int vote_generate(struct trace *t, const struct vote_model *vm, const double *d, const double *L,
		  const double *th, double pass1, double mean_tokens, int samples, uint64_t seed);

/* The answers of p's samples: a cut sample has none with probability 1 - vm->cut_answer (v[j]
 * uniform), a finished one where it is wrong with probability vm->abstain (v[j]); the others
 * are 0 where ok[j], else a wrong answer of the Chinese restaurant process (w[j] uniform),
 * numbered by frequency (1 the most common). */
void vote_answers(struct trace_problem *p, const uint8_t *ok, const double *v, const double *w,
		  const struct vote_model *vm, double theta);

/* Per problem, the concentration of its wrong answers in the n real traces: the mode of the
 * Ewens likelihood of the traces' partitions of that problem times a N(log theta, 1) prior on
 * log theta (theta the pooled fit), on a grid of step 0.05. th has n_problems entries. */
int vote_problem_theta(const struct trace *const *tr, int n, double theta, double *th);

/* majority@N and pass@N for N = 1..nmax (nmax <= every problem's sample count): pass@N the
 * unbiased estimate 1 - C(S - c, N) / C(S, N); majority@N the mean over `draws` random
 * subsets of N samples per problem (ties to a random one of the tied answers, as the vote
 * ties to the answer seen first in random order). maj and pass have nmax entries. */
int vote_curves(const struct trace *t, int nmax, int draws, uint64_t seed, double *maj, double *pass);

/* The mean tokens per problem of a majority vote of N samples with early stopping (no
 * budget): per problem of S recorded samples (N <= S), the mean over the S / gcd(S, N)
 * windows of N cyclically consecutive samples starting at 0, N, 2N, ... (mod S), which
 * cover every recorded sample equally often (N / gcd(S, N) times); window 0, the first N
 * samples, is what `ttsim trace accuracy --samples N` reports. All of a problem's samples,
 * not its first N only: one window is a single draw of a heavy-tailed sum (gpt-oss-20b's
 * 20 disjoint windows of 4 spread by 5.9%; traces/README.md). N > S: the first window with
 * the bootstrap of tts.c. */
double vote_early_tokens(const struct trace *t, int n, uint64_t seed);

/* Leave one out: fit on every trace but `held`, generate the held one's trace from its own
 * pass@1, mean tokens and abstention share (aggregates of a single-sample run: the first two
 * are what a synthetic trace is built from; the third is what its answer extraction gives),
 * and compare the curves for N = 1..nmax; the predicted curves are the mean over `reps`
 * synthetic twins (seeds seed, seed + 1, ...). */
struct vote_cv {
	double pass1, mean_tokens;      /* of the real held-out trace (the inputs) */
	double abstain;                 /* its finished non-correct samples without an answer
	                                 * (an input too: vm.abstain is set to it) */
	double cut_answer;              /* its cut samples with an answer (vm.cut_answer; the six's
	                                 * pooled share when it has none cut) */
	double cut, cut_pred;           /* its share of samples cut at max_tokens (an input:
	                                 * vm.cut is set to it) and the twins' (mean) */
	double maj_real[64], maj_pred[64], pass_real[64], pass_pred[64];
	double maj_med_err, maj_max_err;   /* accuracy points, over N = 1..nmax */
	double pass_med_err, pass_max_err; /* accuracy points */
	int maj_max_n, pass_max_n;
	double early_real[3], early_pred[3]; /* early-stopped majority tokens, N = 4, 16, 64 */
	struct vote_model vm;
};
int vote_crossval(const struct trace *const *tr, int n, int held, int nmax, int draws, int reps, uint64_t seed,
		  struct vote_cv *cv);
/* The same, and the first twin (seed `seed`) in *twin when twin is not NULL (a synthetic trace
 * of the held-out model's problems, compact form; trace_release it). */
int vote_crossval_twin(const struct trace *const *tr, int n, int held, int nmax, int draws, int reps, uint64_t seed,
		       struct vote_cv *cv, struct trace *twin);

#endif
