/* tts.c: see tts.h. Accuracy and tokens under test-time scaling; no I/O, no engine. */
#include "traces/tts.h"
#include "traces/rm_fit.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define TTS_NMAX 65536

int tts_vote_parse(const char *s)
{
	return !strcmp(s, "majority") ? TTS_MAJORITY : !strcmp(s, "best") ? TTS_BEST : !strcmp(s, "pass") ? TTS_PASS : -1;
}

int tts_majority(const int16_t *a, int n)
{
	/* O(n^2) worst case over distinct answers, but distinct answers are few per problem */
	int best = -1, bestc = 0;
	for (int i = 0; i < n; i++) {
		int c = 0, seen = 0;
		if (a[i] < 0)
			continue;
		for (int j = 0; j < i && !seen; j++)
			seen = a[j] == a[i];
		if (seen)
			continue;
		for (int j = i; j < n; j++)
			c += a[j] == a[i];
		if (c > bestc) {
			bestc = c;
			best = a[i];
		}
	}
	return best;
}

double tts_pass_at_k(int n, int c, int k)
{
	if (k <= 0 || n <= 0)
		return 0;
	if (k > n)
		k = n;
	if (n - c < k)
		return 1;
	return 1 - exp(gsl_sf_lnchoose((unsigned)(n - c), (unsigned)k) - gsl_sf_lnchoose((unsigned)n, (unsigned)k));
}

/* log Phi(z), accurate far into the lower tail (Phi underflows below z = -38) */
static double log_ugaussian_P(double z)
{
	return gsl_sf_log_erfc(-z / M_SQRT2) - M_LN2;
}

/* P(settled by budget | settled by T) for one budget; lt: log Phi at T, or NAN to compute it */
static double keep_given(double budget, double T, double center, double sigma, double *lt)
{
	if (budget >= T)
		return 1;
	if (budget <= 0 || center <= 0 || sigma <= 0)
		return 0;
	if (isnan(*lt))
		*lt = log_ugaussian_P((log(T) - log(center)) / sigma);
	return fmin(1.0, exp(log_ugaussian_P((log(budget) - log(center)) / sigma) - *lt));
}

void tts_keep_probs(const int *budget, int nb, double T, double center, double sigma, double *q)
{
	double lt = NAN; /* one problem's T: computed once, by the first budget below it */
	for (int b = 0; b < nb; b++)
		q[b] = keep_given(budget[b], T, center, sigma, &lt);
}

double tts_keep_prob(double budget, double T, double center, double sigma)
{
	double lt = NAN;
	return keep_given(budget, T, center, sigma, &lt);
}

double tts_settle_mean(double T, double center, double sigma)
{
	if (T <= 0 || center <= 0)
		return 0;
	if (sigma <= 0)
		return fmin(T, center);
	double zt = (log(T) - log(center)) / sigma;
	if (zt < -20) {
		/* deep in the lower tail, where the ratio below loses its digits: given S <= T, log T -
		 * log S is close to exponential with rate -zt / sigma (Mills' ratio) */
		double rate = -zt / sigma;
		return T * rate / (rate + 1);
	}
	/* E[S; S <= T] / P(S <= T) for a log-normal S */
	return exp(log(center) + sigma * sigma / 2 + log_ugaussian_P(zt - sigma) - log_ugaussian_P(zt));
}

double tts_settle_center(const struct trace_problem *p, double settle)
{
	double sc = 0, sa = 0;
	int nc = 0;
	for (int j = 0; j < p->n_samples; j++) {
		double l = log(fmax(1.0, (double)p->samples[j].output_tokens));
		sa += l;
		if (p->samples[j].answer == 0) {
			sc += l;
			nc++;
		}
	}
	if (p->n_samples < 1)
		return 0;
	return settle * exp(nc ? sc / nc : sa / p->n_samples);
}

/* A wrong answer for a sample that lost its correct one: that of a random recorded wrong
 * sample, or a new answer when the problem has none. */
static int16_t wrong_answer(const struct trace_problem *p, double u)
{
	int nw = 0, maxa = 0, k;
	for (int j = 0; j < p->n_samples; j++) {
		nw += p->samples[j].answer > 0;
		if (p->samples[j].answer > maxa)
			maxa = p->samples[j].answer;
	}
	if (!nw)
		return (int16_t)(maxa + 1);
	k = (int)(u * nw);
	for (int j = 0; j < p->n_samples; j++)
		if (p->samples[j].answer > 0 && k-- == 0)
			return p->samples[j].answer;
	return (int16_t)(maxa + 1);
}

static int cmp_finish(const void *a, const void *b)
{
	const struct tts_sample *x = *(const struct tts_sample *const *)a, *y = *(const struct tts_sample *const *)b;
	if (x->tokens != y->tokens)
		return x->tokens < y->tokens ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* MurmurHash3's 32-bit finalizer: a bijection of 32-bit words that mixes every bit. */
static uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* The 32-bit seed of sample j of problem `problem` for the stream `salt` of `seed`. GSL's
 * generators take 32 bits of a seed (mt19937 and taus2 mask it, ranlxd keeps 31), so the
 * 64-bit (seed, salt) is mixed down to 32 bits and the (problem, sample) pair is folded in
 * through a bijection: for problems below 65536 no two samples of one run share a stream
 * (taus2 maps seed 0 to 1: the one exception in 2^32). Larger indices are hashed. */
static unsigned long sample_seed(uint64_t seed, uint64_t salt, long problem, int j)
{
	uint32_t h = (uint32_t)(mix64(seed ^ mix64(salt)) >> 32);
	if (problem >= 0 && problem < 65536 && j >= 0 && j < 65536)
		return fmix32(h ^ ((uint32_t)problem << 16 | (uint32_t)j));
	return (uint32_t)mix64(mix64(seed ^ mix64(salt)) ^ mix64((uint64_t)problem << 17 ^ (uint64_t)j));
}

#define SALT_DRAWS 0x73616d706c65ULL  /* "sample": resampling, budget cut, waits */
#define SALT_REWARD 0x726577617264ULL /* "reward": the reward model's score */
#define SALT_RM_PROBLEM 0x726d70726f62ULL /* "rmprob": the reward model's separation on a problem */

int tts_problem(const struct trace_problem *p, int max_tokens, int n, enum tts_vote vote, int budget,
		int waits, const struct tts_params *tp, gsl_rng *rng, struct tts_sample *out,
		struct tts_result *res)
{
	/* a fixed two draws per problem, whatever N: the caller's later problems do not shift */
	uint64_t key = (uint64_t)gsl_rng_get(rng) << 32;
	key ^= (uint64_t)gsl_rng_get(rng);
	return tts_problem_seeded(p, max_tokens, n, vote, budget, waits, tp, key, 0, out, res);
}

int tts_problem_seeded(const struct trace_problem *p, int max_tokens, int n, enum tts_vote vote,
		       int budget, int waits, const struct tts_params *tp, uint64_t seed, long problem,
		       struct tts_sample *out, struct tts_result *res)
{
	struct tts_sample local[256], *s = out;
	int16_t ans[256], *a = ans;
	int nc = 0;
	double solve, center;
	/* taus2 (L'Ecuyer's maximally equidistributed Tausworthe, period 2^88): three words of
	 * state and a cheap gsl_rng_set, where mt19937 initializes 624 words per seed; it is
	 * re-seeded twice per sample */
	gsl_rng *rng;

	if (n < 1 || n > TTS_NMAX || budget < 0 || waits < 0 || p->n_samples < 1)
		return err_set("tts: bad arguments (expected 1 <= N <= %d, budget >= 0, waits >= 0)", TTS_NMAX);
	if (!s)
		s = n <= 256 ? local : xmalloc((size_t)n * sizeof(*s));
	if (n > 256)
		a = xmalloc((size_t)n * sizeof(*a));
	for (int j = 0; j < p->n_samples; j++)
		nc += p->samples[j].answer == 0;
	solve = (double)nc / p->n_samples;
	center = budget ? tts_settle_center(p, tp->bf_settle) : 0;
	memset(res, 0, sizeof(*res));
	res->n = n;

	rng = gsl_rng_alloc(gsl_rng_taus2);
	if (!rng)
		bug("out of memory for a generator");
	for (int j = 0; j < n; j++) {
		/* sample j draws from its own stream (seed, problem, j): the first N samples of
		 * N + 1 are those of N; and fixed draws per sample, whatever the branch, so one
		 * setting never shifts another */
		gsl_rng_set(rng, sample_seed(seed, SALT_DRAWS, problem, j));
		int src = j < p->n_samples ? j : (int)gsl_rng_uniform_int(rng, (unsigned long)p->n_samples);
		double u_cut = gsl_rng_uniform(rng), u_ans = gsl_rng_uniform(rng);
		const struct trace_sample *r = &p->samples[src];
		double T = r->output_tokens;
		int16_t an = r->answer;
		int fin = r->finished;
		for (int w = 0; w < waits; w++) {
			double c = gsl_ran_gamma(rng, tp->wait_shape, tp->wait_frac * r->output_tokens / tp->wait_shape);
			double u = gsl_rng_uniform(rng), u2 = gsl_rng_uniform(rng);
			if (!fin || (budget && T >= budget))
				continue; /* no end of thinking to ignore */
			T = fmin(max_tokens, T + floor(c + 0.5));
			if (T >= max_tokens) {
				fin = 0;
				an = -1;
			} else if (an == 0 && u < tp->wait_break)
				an = wrong_answer(p, u2);
			else if (an != 0 && u < tp->wait_fix * solve)
				an = 0;
		}
		s[j].src = src;
		s[j].forced = 0;
		s[j].finished = (uint8_t)fin;
		if (budget && (T > budget || !fin)) {
			/* cut at B and forced to answer: it keeps its answer if that was settled
			 * before B (the settle-point model, traces/README.md). A sample that stopped
			 * at the trace's cap within the budget (B >= T) is forced there, at its end,
			 * as the limit of B -> T from below: settled (keep probability 1), so its
			 * answer stands or, answerless, is an average one; it was left answerless at
			 * B >= T, so a budget of the cap gave other votes than one token below it */
			double q = tts_keep_prob(budget, T, center, tp->bf_sigma);
			T = fmin(T, (double)budget + tp->answer_tokens);
			s[j].forced = 1;
			s[j].finished = 1;
			if (u_cut < q) {
				/* settled before the cut: its answer stands; a run-away sample (no
				 * answer) settled an average one */
				if (an < 0)
					an = u_ans < solve ? 0 : wrong_answer(p, (u_ans - solve) / (1 - solve));
			} else {
				/* not settled: the forced answer is a guess at the problem */
				double g = tp->bf_guess * solve;
				an = u_ans < g ? 0 : wrong_answer(p, (u_ans - g) / (1 - g));
			}
		}
		s[j].tokens = (int32_t)T;
		s[j].answer = an;
		a[j] = an;
		res->tokens += s[j].tokens;
	}

	if (vote == TTS_MAJORITY) {
		res->voted = tts_majority(a, n);
	} else if (vote == TTS_PASS) {
		res->voted = tts_majority(a, n);
		for (int j = 0; j < n; j++)
			if (a[j] == 0)
				res->voted = 0;
	} else {
		/* a wrong sample scores N(0, 1), a correct one N(mu + tau g, 1), g ~ N(0, 1) drawn once
		 * for the problem (traces/rm_fit.h): rm_accuracy = Phi(mu / sqrt(2 + tau^2)) */
		double tau = tp->rm_spread, best = -INFINITY;
		double dp = rm_mu(tp->rm_accuracy, tau);
		if (tau > 0) {
			gsl_rng_set(rng, sample_seed(seed, SALT_RM_PROBLEM, problem, 0));
			dp += tau * gsl_ran_gaussian_ziggurat(rng, 1.0);
		}
		res->voted = -1;
		for (int j = 0; j < n; j++) {
			double sc;
			/* the score of sample j: its own stream, apart from budget and waits */
			gsl_rng_set(rng, sample_seed(seed, SALT_REWARD, problem, j));
			sc = gsl_ran_gaussian_ziggurat(rng, 1.0) + (a[j] == 0 ? dp : 0);
			if (a[j] >= 0 && sc > best) {
				best = sc;
				res->voted = a[j];
			}
		}
	}
	res->correct = res->voted == 0;

	/* early stopping: samples finish in order of length */
	res->n_complete = n;
	res->tokens_early = res->tokens;
	if (tp->early_stop && vote != TTS_BEST) {
		const struct tts_sample **ord = xmalloc((size_t)n * sizeof(*ord)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
		int16_t *done = xmalloc((size_t)n * sizeof(*done));
		int64_t sum = 0;
		for (int j = 0; j < n; j++)
			ord[j] = &s[j];
		qsort(ord, (size_t)n, sizeof(*ord), cmp_finish); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
		for (int k = 0; k < n; k++) {
			int stop = 0, rem = n - k - 1;
			sum += ord[k]->tokens;
			done[k] = ord[k]->answer;
			if (vote == TTS_PASS)
				stop = done[k] == 0;
			else {
				int lead = tts_majority(done, k + 1), c1 = 0, c2 = 0;
				for (int i = 0; i <= k; i++)
					c1 += done[i] == lead;
				/* the runner-up: the most frequent other answer */
				for (int i = 0; i <= k; i++) {
					int c = 0;
					if (done[i] < 0 || done[i] == lead)
						continue;
					for (int m = 0; m <= k; m++)
						c += done[m] == done[i];
					if (c > c2)
						c2 = c;
				}
				stop = lead >= 0 && c1 > c2 + rem;
			}
			if (stop || rem == 0) {
				res->n_complete = k + 1;
				res->tokens_early = sum + (int64_t)rem * ord[k]->tokens;
				break;
			}
		}
		free(ord);
		free(done);
	}
	res->tokens_saved = res->tokens - res->tokens_early;
	gsl_rng_free(rng);
	if (s != out && s != local)
		free(s);
	if (a != ans)
		free(a);
	return 0;
}

void trace_stats(const struct trace *t, int level, struct trace_stats *st)
{
	long ns = 0, k = 0, ok = 0;
	double *tok, sum = 0, maj[TTS_NMAJ] = {0};
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < t->n_problems; i++)
		if (!level || t->problems[i].level == level)
			ns += t->problems[i].n_samples;
	if (!ns)
		return;
	tok = xmalloc((size_t)ns * sizeof(double));
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		int16_t *a;
		if (level && p->level != level)
			continue;
		st->problems++;
		a = xmalloc((size_t)p->n_samples * sizeof(*a));
		for (int j = 0; j < p->n_samples; j++) {
			tok[k++] = p->samples[j].output_tokens;
			sum += p->samples[j].output_tokens;
			ok += p->samples[j].answer == 0;
			a[j] = p->samples[j].answer;
		}
		for (int m = 0; m < TTS_NMAJ; m++) {
			int N = 1 << m, groups = p->n_samples / N, c = 0;
			if (groups < 1) { /* fewer than N samples: no majority of N (NaN, "n/a") */
				maj[m] = NAN;
				continue;
			}
			for (int g = 0; g < groups; g++)
				c += tts_majority(a + g * N, N) == 0;
			maj[m] += (double)c / groups;
		}
		free(a);
	}
	gsl_sort(tok, 1, (size_t)ns);
	st->samples = ns;
	st->mean_output_tokens = sum / ns;
	st->p50_output_tokens = gsl_stats_quantile_from_sorted_data(tok, 1, (size_t)ns, 0.5);
	st->p90_output_tokens = gsl_stats_quantile_from_sorted_data(tok, 1, (size_t)ns, 0.9);
	st->pass_at_1 = (double)ok / ns;
	for (int m = 0; m < TTS_NMAJ; m++)
		st->majority_at[m] = maj[m] / st->problems;
	free(tok);
}
