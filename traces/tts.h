/*
 * tts.h: accuracy and token cost of test-time scaling, computed from a trace's samples.
 *
 * Parallel scaling: majority vote (self-consistency), best-of-N with a perfect verifier
 * (pass@N) and best-of-N with a reward model of stated pairwise accuracy. Sequential scaling
 * (budget forcing, as in s1): a sample longer than the thinking budget B is cut and forced to
 * answer, and so is one cut at the trace's max_tokens within B (at its end); W "Wait" extensions lengthen a sample that ended on its own. Early stopping for
 * voting: samples finish in order of length (they decode in parallel); voting stops once the
 * leading answer cannot be overtaken, and the unfinished samples are cancelled.
 *
 * The engine calls tts_problem_seeded() once per problem to build its requests: it is cheap
 * (O(N log N)) and deterministic. Each sample draws from its own streams, derived from
 * (seed, problem, sample), so N + 1 samples are the N samples plus one (same lengths and
 * answers for the first N) and pass@N cannot fall as N grows; nor does one problem's N
 * shift another problem's draws. The models behind each rule and the defaults are
 * justified in traces/README.md.
 */
#ifndef TTSIM_TTS_H
#define TTSIM_TTS_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "traces/trace.h"

enum tts_vote {
	TTS_MAJORITY, /* most frequent answer; ties go to the answer seen first */
	TTS_BEST,     /* highest reward-model score */
	TTS_PASS,     /* correct if any sample is (perfect verifier, pass@N) */
};

/* The parameters of the accuracy model. Their defaults live in one place, the option table
 * of sim/config.c (options tts_bf_settle, ..., early_stop), which fills the `tts` member of
 * struct run_config; this layer takes the values, never the table (traces/ is below sim/).
 * The grounds of each default are in traces/README.md. */
struct tts_params {
	double bf_settle;     /* budget forcing: the token at which a sample's answer is settled is
	                       * log-normal around bf_settle x the geometric mean length of its
	                       * problem's correct samples (at most the sample's own length);
	                       * dimensionless */
	double bf_sigma;      /* the log-sd of that settle point; dimensionless */
	double bf_guess;      /* a sample cut before its answer is settled, forced to answer, is
	                       * correct with probability bf_guess x the problem's solve rate */
	int answer_tokens;    /* tokens appended by a forced answer ("Final Answer:" + answer) */
	double wait_frac;     /* mean continuation per "Wait", as a fraction of the sample's length */
	double wait_shape;    /* gamma shape of the continuation length; dimensionless */
	double wait_fix;      /* per wait: P(wrong -> correct) = wait_fix x the problem's solve rate */
	double wait_break;    /* per wait: P(correct -> wrong) */
	double rm_accuracy;   /* reward model: P(score of a correct > score of a wrong sample of the
	                       * same problem), over problems */
	double rm_spread;     /* reward model: s.d. over problems of its separation of correct from
	                       * wrong scores (tau of traces/rm_fit.h); dimensionless */
	int early_stop;       /* 1: stop voting when the leader cannot be overtaken */
};


/* One chosen sample, after budget forcing and waits. */
struct tts_sample {
	int32_t src;          /* index of the recorded sample it came from */
	int32_t tokens;       /* output tokens it generates (full run) */
	int16_t answer;       /* 0 correct, k > 0 wrong answer k, -1 none */
	uint8_t forced;       /* 1 if cut at the budget and forced to answer */
	uint8_t finished;     /* 0 if it still hit max_tokens */
};

struct tts_result {
	int n;                /* samples used */
	int voted;            /* the chosen answer (0 correct, -1 none) */
	int correct;          /* 1 if the chosen answer is correct */
	int64_t tokens;       /* tokens over the n samples, run to completion */
	int n_complete;       /* samples that finish before the vote is decided (n without early stop) */
	int64_t tokens_early; /* tokens with early stopping (== tokens when it is off) */
	int64_t tokens_saved; /* tokens - tokens_early */
};

/* Run N samples of problem p under the rule `vote`, thinking budget `budget` (tokens, 0 for
 * none) and `waits` extensions. The first N recorded samples are used; for N beyond the
 * recorded ones, the extra samples are drawn uniformly with replacement from the recorded
 * ones. Sample j's draws (resampling, the budget cut, waits) and its reward-model score come
 * from GSL taus2 streams seeded from (seed, problem, j) alone. `out` (N entries, may be
 * NULL) receives the samples. 0, or -1 with err_set on bad arguments. */
int tts_problem_seeded(const struct trace_problem *p, int max_tokens, int n, enum tts_vote vote,
		       int budget, int waits, const struct tts_params *tp, uint64_t seed, long problem,
		       struct tts_sample *out, struct tts_result *res);
/* The same, with the problem's seed drawn from rng: exactly two draws per call, whatever N,
 * so a caller that walks its problems with one rng keeps the superset property. */
int tts_problem(const struct trace_problem *p, int max_tokens, int n, enum tts_vote vote, int budget,
		int waits, const struct tts_params *tp, gsl_rng *rng, struct tts_sample *out,
		struct tts_result *res);

/* Budget forcing: the chance that a sample of T tokens, cut at `budget` tokens, already holds
 * its final answer: P(S <= budget | S <= T) for log S ~ N(log center, sigma^2), where center =
 * bf_settle x the geometric mean length of the problem's correct samples. 1 when budget >= T,
 * 0 when budget <= 0. */
double tts_keep_prob(double budget, double T, double center, double sigma);
/* The same for nb whole-token budgets at once (q[b] for budget[b]), P(S <= T) worked out once. */
void tts_keep_probs(const int *budget, int nb, double T, double center, double sigma, double *q);
/* E[S | S <= T] for the same settle point S, tokens: where an exit at the settled answer
 * (DEER-style) stops on average. */
double tts_settle_mean(double T, double center, double sigma);
/* The centre of problem p's settle points, tokens: settle x exp(mean log length of its correct
 * samples), or of all its samples when none is correct. */
double tts_settle_center(const struct trace_problem *p, double settle);

/* Majority vote over answers (-1 abstains): the most frequent answer, ties to the one that
 * occurs first; -1 when all abstain. */
int tts_majority(const int16_t *answers, int n);
/* Unbiased pass@k from n samples of which c are correct: 1 - C(n-c, k) / C(n, k). */
double tts_pass_at_k(int n, int c, int k);
/* Parse "majority", "best" or "pass"; -1 otherwise. */
int tts_vote_parse(const char *s);

/* Summary statistics of a trace, per level or overall. */
#define TTS_NMAJ 7 /* majority@1, 2, 4, ..., 64 */
struct trace_stats {
	int problems;
	long samples;
	double mean_output_tokens; /* tokens */
	double p50_output_tokens;  /* tokens */
	double p90_output_tokens;  /* tokens */
	double pass_at_1;          /* fraction of samples correct */
	double majority_at[TTS_NMAJ]; /* N = 1 << i: mean over the floor(S/N) disjoint groups of N
	                               * consecutive samples of each problem; NaN when a problem
	                               * has fewer than N samples (it was one group of all of
	                               * them: a majority of S labelled N) */
};
/* Statistics of the problems of `level` (0: all). */
void trace_stats(const struct trace *t, int level, struct trace_stats *st);

#endif
