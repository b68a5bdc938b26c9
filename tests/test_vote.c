/* test_vote.c: the vote model (traces/vote.h): hand-worked answer assignment, the majority@N
 * and pass@N estimators against exact combinatorics, recovery of known parameters, pass@N
 * never falling with N, and the leave-one-model-out cross-validation (reduced) with limits. */
#include "tests/test.h"
#include "traces/trace.h"
#include "traces/trace_alias.h"
#include "traces/tts.h"
#include "traces/vote.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

/* A trace of one problem with the given answers (all finished, 10 tokens each). */
static void toy(struct trace *t, struct trace_problem *p, struct trace_sample *s, const int *ans, int n)
{
	memset(t, 0, sizeof(*t));
	memset(p, 0, sizeof(*p));
	for (int j = 0; j < n; j++)
		s[j] = (struct trace_sample){10, (int16_t)ans[j], 1, 0};
	static char id[] = "toy";
	p->unique_id = id;
	p->n_samples = n;
	p->samples = s;
	t->n_problems = 1;
	t->problems = p;
	t->max_tokens = 100;
	strlcpy0(t->name, "toy", sizeof(t->name));
}

static void test_answers(void)
{
	/* theta 1, abstain 0.5. Sample 0 correct; 1: v .9 keeps an answer, r = .3 x (0 + 1) < 0
	 * tables: new answer A; 2: v .1 < .5 abstains; 3: r = .9 x (1 + 1) = 1.8 >= n_A = 1: new B;
	 * 4: r = .2 x (2 + 1) = .6 < n_A: A again. A (2) is wrong answer 1, B (1) is 2. */
	struct trace_sample s[5];
	struct trace_problem p = {0};
	struct vote_model vm = {0};
	const uint8_t ok[5] = {1, 0, 0, 0, 0};
	const double v[5] = {.9, .9, .1, .9, .9}, w[5] = {0, .3, 0, .9, .2};
	const int want[5] = {0, 1, -1, 2, 1};
	for (int j = 0; j < 5; j++)
		s[j] = (struct trace_sample){10, 0, 1, 0};
	s[0].finished = 1;
	p.samples = s;
	p.n_samples = 5;
	vm.abstain = 0.5;
	vote_answers(&p, ok, v, w, &vm, 1.0);
	for (int j = 0; j < 5; j++)
		CHECK_INT(s[j].answer, want[j]);
	/* a cut sample has no answer even when drawn correct */
	s[0].finished = 0;
	vote_answers(&p, ok, v, w, &vm, 1.0);
	CHECK_INT(s[0].answer, -1);
	/* ... unless it keeps an answer (v .9 < cut_answer 0.95): its own, correct; a cut wrong
	 * sample with an answer does not abstain (sample 2: v .1 < abstain, but cut) */
	vm.cut_answer = 0.95;
	s[2].finished = 0;
	vote_answers(&p, ok, v, w, &vm, 1.0);
	CHECK_INT(s[0].answer, 0);
	/* 1: new A; 2 (cut, answered): r = 0 x (1 + 1) < n_A: A; 3: r = .9 x 3 = 2.7 >= 2: new B;
	 * 4: r = .2 x 4 < 3: A */
	CHECK_INT(s[2].answer, 1);
	CHECK_INT(s[3].answer, 2);
	vm.cut_answer = 0.85; /* v .9: sample 0 cut loses its answer again */
	vote_answers(&p, ok, v, w, &vm, 1.0);
	CHECK_INT(s[0].answer, -1);
	vm.cut_answer = 0;
	s[2].finished = 1;
	/* the numbering is by frequency: B drawn first but A more often -> A is 1 */
	const double w2[5] = {0, .9, 0, .9, .1}; /* 1: new (B), 3: r = 1.8 >= 1: new (A), 4: r = .3: B */
	s[0].finished = 1;
	vote_answers(&p, ok, v, w2, &vm, 1.0);
	CHECK_INT(s[1].answer, 1); /* B, twice */
	CHECK_INT(s[3].answer, 2);
	CHECK_INT(s[4].answer, 1);
}

static void test_estimators(void)
{
	/* answers {0, 0, 1, -1}: exact over all N-subsets (ties to a random tied answer, -1
	 * abstains): maj@1 = 2/4; maj@2: {00} 1, {0 1} x2 1/2, {0 -1} x2 1, {1 -1} 0 -> 4/6;
	 * maj@3: {001} 1, {00-1} 1, {0 1 -1} x2 1/2 -> 3/4; maj@4 = 1.
	 * pass@N = 1 - C(2, N) / C(4, N): 1/2, 5/6, 1, 1 */
	static const int a[4] = {0, 0, 1, -1};
	static const double maj_x[4] = {0.5, 4.0 / 6, 0.75, 1}, pass_x[4] = {0.5, 5.0 / 6, 1, 1};
	struct trace t;
	struct trace_problem p;
	struct trace_sample s[8];
	double maj[8], pass[8];
	toy(&t, &p, s, a, 4);
	CHECK_INT(vote_curves(&t, 4, 20000, 3, maj, pass), 0);
	for (int k = 0; k < 4; k++) {
		CHECK(fabs(maj[k] - maj_x[k]) < 0.01); /* 20000 subsets: s.e. < 0.004 */
		CHECK_NEAR(pass[k], pass_x[k], 1e-12);
	}
	/* one subset only (N = S): {0, 1, 1, 2, 0} ties 0 and 1 -> exactly 1/2 */
	static const int b[5] = {0, 1, 1, 2, 0};
	toy(&t, &p, s, b, 5);
	CHECK_INT(vote_curves(&t, 5, 7, 3, maj, pass), 0);
	CHECK_NEAR(maj[4], 0.5, 1e-12);
	CHECK_NEAR(pass[4], 1.0, 1e-12);
	/* all wrong: 0 at every N; all correct: 1 */
	static const int c[3] = {1, 1, 2}, e[3] = {0, 0, 0};
	toy(&t, &p, s, c, 3);
	vote_curves(&t, 3, 5, 3, maj, pass);
	CHECK_NEAR(maj[2] + pass[2], 0, 1e-12);
	toy(&t, &p, s, e, 3);
	vote_curves(&t, 3, 5, 3, maj, pass);
	CHECK_NEAR(maj[0] * maj[2] * pass[1], 1, 1e-12);
	/* N beyond the samples is refused */
	CHECK_INT(vote_curves(&t, 4, 5, 3, maj, pass), -1);
}

/* Traces drawn from a known model are fitted back to it. */
static void test_recovery(void)
{
	enum { P = 400, M = 4, S = 40 };
	struct vote_model truth = {0}, fit;
	struct trace tr[M];
	const struct trace *tp[M];
	double d[P], L[P];
	gsl_rng *r = rng_stream(11, "test-vote");
	truth.s = 1.0;
	truth.theta = 1.5;
	truth.abstain = 0.2;
	truth.lambda = 0.5;
	truth.sigma_w = 0.4;
	truth.s_len = 0.3;
	for (int i = 0; i < P; i++) {
		d[i] = 2.5 + 2 * gsl_ran_gaussian(r, 1.0);
		L[i] = 0.5 * gsl_ran_gaussian(r, 1.0);
	}
	gsl_rng_free(r);
	for (int k = 0; k < M; k++) {
		memset(&tr[k], 0, sizeof(tr[k]));
		tr[k].n_problems = P;
		tr[k].max_tokens = 1 << 30;
		tr[k].problems = xcalloc(P, sizeof(*tr[k].problems));
		for (int i = 0; i < P; i++) {
			char id[16];
			snprintf(id, sizeof(id), "p%d", i);
			tr[k].problems[i].unique_id = xstrdup(id);
		}
		CHECK_INT(vote_generate(&tr[k], &truth, d, L, NULL, 0.85, 2000, S, 100 + (uint64_t)k), 0);
		tp[k] = &tr[k];
	}
	CHECK_INT(vote_fit(tp, M, &fit), 0);
	fprintf(stderr, "recovered: s %.3f theta %.3f abstain %.3f lambda %.3f sigma_w %.3f s_len %.3f\n", fit.s,
		fit.theta, fit.abstain, fit.lambda, fit.sigma_w, fit.s_len);
	CHECK_NEAR(fit.theta, truth.theta, 0.2);
	CHECK_NEAR(fit.abstain, truth.abstain, 0.1);
	CHECK_NEAR(fit.sigma_w, truth.sigma_w, 0.1);
	/* s is fitted against the consensus of the other M - 1 traces, whose own deviations add
	 * s^2 / (M - 1) to the variance: sqrt(4/3) s = 1.15 expected */
	CHECK(fit.s > 0.9 * truth.s && fit.s < 1.5 * truth.s);
	CHECK(fit.lambda > 0.25 && fit.lambda < 1.0);
	for (int k = 0; k < M; k++)
		trace_release(&tr[k]);
}

/* The slope b of a model's logits on the consensus difficulty: slope 0 is the model without
 * it (b = 1 with s), sample for sample; traces generated with b = 1 are fitted b near 1 (the
 * fit invents no slope). b is relative to the consensus of the other traces: traces that all
 * share b = 2 have a consensus stretched by it too, and are fitted only the compression of
 * their capped logits (above 1, and above the b = 1 traces' fit). */
static void test_slope(void)
{
	enum { P = 300, M = 3, S = 40 };
	double d[P], L[P], fb[2], fs[2];
	gsl_rng *r = rng_stream(12, "test-vote-slope");
	for (int i = 0; i < P; i++) {
		d[i] = 2.0 + 2 * gsl_ran_gaussian(r, 1.0);
		L[i] = 0.5 * gsl_ran_gaussian(r, 1.0);
	}
	gsl_rng_free(r);
	for (int v = 0; v < 2; v++) {
		struct vote_model truth = {0}, fit;
		struct trace tr[M];
		const struct trace *tp[M];
		truth.s = 0.5;
		truth.slope = v ? 2.0 : 1.0;
		truth.slope_s = 0.5;
		truth.theta = 1.5;
		truth.sigma_w = 0.3;
		for (int k = 0; k < M; k++) {
			memset(&tr[k], 0, sizeof(tr[k]));
			tr[k].n_problems = P;
			tr[k].max_tokens = 1 << 30;
			tr[k].problems = xcalloc(P, sizeof(*tr[k].problems));
			for (int i = 0; i < P; i++) {
				char id[16];
				snprintf(id, sizeof(id), "p%d", i);
				tr[k].problems[i].unique_id = xstrdup(id);
			}
			CHECK_INT(vote_generate(&tr[k], &truth, d, L, NULL, 0.8, 2000, S, 400 + (uint64_t)k), 0);
			tp[k] = &tr[k];
		}
		if (!v) {
			/* slope 0 (not fitted) draws the same samples as slope 1 with slope_s = s */
			struct trace o = {0};
			struct vote_model none = truth;
			int same = 1;
			none.slope = 0;
			o.n_problems = P;
			o.max_tokens = 1 << 30;
			o.problems = xcalloc(P, sizeof(*o.problems));
			for (int i = 0; i < P; i++)
				o.problems[i].unique_id = xstrdup(tr[0].problems[i].unique_id);
			CHECK_INT(vote_generate(&o, &none, d, L, NULL, 0.8, 2000, S, 400), 0);
			for (int i = 0; i < P; i++)
				for (int j = 0; j < S; j++)
					same &= o.problems[i].samples[j].answer == tr[0].problems[i].samples[j].answer &&
						o.problems[i].samples[j].output_tokens == tr[0].problems[i].samples[j].output_tokens;
			CHECK(same);
			trace_release(&o);
		}
		CHECK_INT(vote_fit(tp, M, &fit), 0);
		fb[v] = fit.slope, fs[v] = fit.slope_s;
		for (int k = 0; k < M; k++)
			trace_release(&tr[k]);
	}
	fprintf(stderr, "slope: given 1.0 and 2.0, fitted %.3f (s %.3f) and %.3f (s %.3f)\n", fb[0], fs[0], fb[1], fs[1]);
	CHECK(fb[0] > 0.85 && fb[0] < 1.15);
	CHECK(fb[1] > fb[0] + 0.05);
	CHECK(fs[0] > 0.25 && fs[0] < 1.0 && fs[1] > 0.25 && fs[1] < 1.0);
}

/* One definition of `abstain` for the fit and the generator: traces generated with a known
 * abstention share and a cap that cuts a good part of the samples (cut samples have no answer,
 * from the length model) give that share back from the fit and from vote_abstain_count. The
 * old estimator, answerless among all non-correct samples, counted the cut samples too and
 * read a larger share than the generator was given: checked below so this test would fail on it. */
static void test_abstain_definition(void)
{
	enum { P = 300, M = 3, S = 40 };
	struct vote_model truth = {0}, fit;
	struct trace tr[M];
	const struct trace *tp[M];
	double d[P], L[P];
	long cut = 0, all = 0, nonc_all = 0, none_all = 0;
	gsl_rng *r = rng_stream(12, "test-vote-abstain");
	truth.s = 1.0;
	truth.theta = 1.5;
	truth.abstain = 0.1;
	truth.lambda = 0.5;
	truth.sigma_w = 0.4;
	truth.s_len = 0.3;
	for (int i = 0; i < P; i++) {
		d[i] = 2.0 + 2 * gsl_ran_gaussian(r, 1.0);
		L[i] = 0.5 * gsl_ran_gaussian(r, 1.0);
	}
	gsl_rng_free(r);
	for (int k = 0; k < M; k++) {
		long abst = 0, nonc = 0;
		memset(&tr[k], 0, sizeof(tr[k]));
		tr[k].n_problems = P;
		tr[k].max_tokens = 4000; /* mean 2000: about one sample in ten reaches the cap */
		tr[k].problems = xcalloc(P, sizeof(*tr[k].problems));
		for (int i = 0; i < P; i++) {
			char id[16];
			snprintf(id, sizeof(id), "p%d", i);
			tr[k].problems[i].unique_id = xstrdup(id);
		}
		CHECK_INT(vote_generate(&tr[k], &truth, d, L, NULL, 0.7, 2000, S, 200 + (uint64_t)k), 0);
		tp[k] = &tr[k];
		vote_abstain_count(&tr[k], &abst, &nonc);
		/* about 2,000 finished non-correct samples: s.e. of the share 0.007 */
		CHECK(nonc > 1500);
		CHECK(fabs((double)abst / (double)nonc - truth.abstain) < 0.025);
		for (int i = 0; i < P; i++)
			for (int j = 0; j < S; j++) {
				const struct trace_sample *sm = &tr[k].problems[i].samples[j];
				all++;
				cut += !sm->finished;
				nonc_all += sm->answer != 0;
				none_all += sm->answer < 0;
			}
	}
	CHECK(cut > all / 20); /* the cap matters */
	CHECK_INT(vote_fit(tp, M, &fit), 0);
	fprintf(stderr, "abstain: given %.3f, fitted %.3f; answerless of all non-correct %.3f (%ld of %ld samples cut)\n",
		truth.abstain, fit.abstain, (double)none_all / (double)nonc_all, cut, all);
	CHECK(fabs(fit.abstain - truth.abstain) < 0.015); /* pooled: s.e. 0.004 */
	CHECK((double)none_all / (double)nonc_all > truth.abstain + 0.1);
	for (int k = 0; k < M; k++)
		trace_release(&tr[k]);
}

/* One definition of the cut samples for the fit and the generator: traces generated with a
 * known share of run-away samples (vm.cut), a share of them keeping an answer (cut_answer) and
 * their logit against the finished samples (cut_logit) give them back, from vote_cut_share and
 * vote_fit; mean tokens and pass@1 (answered correct cut samples included) still hit. */
static void test_cut_definition(void)
{
	enum { P = 300, M = 3, S = 40 };
	struct vote_model truth = {0}, fit;
	struct trace tr[M];
	const struct trace *tp[M];
	double d[P], L[P];
	gsl_rng *r = rng_stream(13, "test-vote-cut");
	truth.s = 1.0;
	truth.theta = 1.5;
	truth.lambda = 0.5;
	truth.sigma_w = 0.3;
	truth.s_len = 0.3;
	truth.cut = 0.05;
	truth.cut_answer = 0.6;
	truth.cut_logit = -1.5;
	for (int i = 0; i < P; i++) {
		d[i] = 2.0 + 2 * gsl_ran_gaussian(r, 1.0);
		L[i] = 0.5 * gsl_ran_gaussian(r, 1.0);
	}
	gsl_rng_free(r);
	for (int k = 0; k < M; k++) {
		long tok = 0, ok = 0;
		memset(&tr[k], 0, sizeof(tr[k]));
		tr[k].n_problems = P;
		tr[k].max_tokens = 20000; /* the run-away samples carry half the mean of 2000 */
		tr[k].problems = xcalloc(P, sizeof(*tr[k].problems));
		for (int i = 0; i < P; i++) {
			char id[16];
			snprintf(id, sizeof(id), "p%d", i);
			tr[k].problems[i].unique_id = xstrdup(id);
		}
		CHECK_INT(vote_generate(&tr[k], &truth, d, L, NULL, 0.7, 2000, S, 300 + (uint64_t)k), 0);
		tp[k] = &tr[k];
		for (int i = 0; i < P; i++)
			for (int j = 0; j < S; j++) {
				tok += tr[k].problems[i].samples[j].output_tokens;
				ok += tr[k].problems[i].samples[j].answer == 0;
			}
		/* 12,000 samples: s.e. of the cut share 0.002 */
		CHECK(fabs(vote_cut_share(&tr[k]) - truth.cut) < 0.008);
		CHECK(fabs((double)tok / (P * S) - 2000) < 20);
		CHECK(fabs((double)ok / (P * S) - 0.7) < 0.002);
	}
	CHECK_INT(vote_fit(tp, M, &fit), 0);
	fprintf(stderr, "cut: given answer %.3f logit %.2f, fitted %.3f %.2f (%d cut samples)\n", truth.cut_answer,
		truth.cut_logit, fit.cut_answer, fit.cut_logit, fit.n_cut);
	CHECK(fit.n_cut > 1500);
	CHECK(fabs(fit.cut_answer - truth.cut_answer) < 0.04); /* s.e. 0.012 */
	/* against the smoothed rate of the finished samples (their length term averaged in): a
	 * small bias, s.e. about 0.1 */
	CHECK(fabs(fit.cut_logit - truth.cut_logit) < 0.4);
	/* no run-away samples asked for: the same samples as a model without the field */
	{
		struct trace a;
		struct vote_model none = truth;
		none.cut = 0;
		memset(&a, 0, sizeof(a));
		a.n_problems = P;
		a.max_tokens = 20000;
		a.problems = xcalloc(P, sizeof(*a.problems));
		for (int i = 0; i < P; i++)
			a.problems[i].unique_id = xstrdup("q");
		CHECK_INT(vote_generate(&a, &none, d, L, NULL, 0.7, 2000, S, 300), 0);
		CHECK(vote_cut_share(&a) < 0.005); /* the log-normal's tail alone */
		none.cut = 1; /* every sample cut: refused, not a division by zero */
		CHECK_INT(vote_generate(&a, &none, d, L, NULL, 0.7, 2000, S, 300), -1);
		trace_release(&a);
	}
	for (int k = 0; k < M; k++)
		trace_release(&tr[k]);
}

/* pass@N of a real trace never falls as N grows, nor the pass vote of N + 1 samples. */
static void test_monotone(void)
{
	struct trace t;
	double maj[64], pass[64];
	if (trace_load(&t, "math500:phi-4-reasoning") < 0) {
		fprintf(stderr, "%s\n", err_msg());
		CHECK(0);
		return;
	}
	CHECK_INT(vote_curves(&t, 64, 2, 5, maj, pass), 0);
	int mono = 1;
	for (int k = 1; k < 64; k++)
		mono &= pass[k] >= pass[k - 1];
	CHECK(mono);
	CHECK(pass[63] > maj[63]); /* a perfect verifier beats the vote once wrong answers cluster */
	struct tts_params tp = {0};
	tp.rm_accuracy = 0.5;
	int ok = 1;
	for (int i = 0; i < t.n_problems; i += 7) {
		int prev = 0;
		for (int n = 1; n <= 96; n += 5) {
			struct tts_result r;
			tts_problem_seeded(&t.problems[i], t.max_tokens, n, TTS_PASS, 0, 0, &tp, 9, i, NULL, &r);
			ok &= r.correct >= prev;
			prev = r.correct;
		}
	}
	CHECK(ok);
	trace_release(&t);
}

/* The early-stopped length over all recorded samples: 8 correct samples of 100 .. 800 tokens.
 * A majority of 4 stops at its third sample, the fourth cancelled at that length: the window
 * {100..400} 100 + 200 + 300 + 300 = 900, {500..800} 2,500, mean 1,700 (the first window alone,
 * `trace accuracy`'s, 900). N = 6: gcd(8, 6) = 2, four windows from 0, 6, 4, 2: {1-6} stops at
 * the fourth, 1,000 + 2 x 400 = 1,800; {7,8,1-4} 1,800; {5-8,1,2} 100 + 200 + 500 + 600 + 2 x
 * 600 = 2,600; {3-8} 1,800 + 1,200 = 3,000; mean 2,300. N = 8: one window, 1,500 + 3 x 500. */
static void test_early_windows(void)
{
	struct trace t;
	struct trace_problem p;
	struct trace_sample s[8];
	const int ans[8] = {0};
	toy(&t, &p, s, ans, 8);
	t.max_tokens = 1000;
	for (int j = 0; j < 8; j++)
		s[j].output_tokens = 100 * (j + 1);
	CHECK_NEAR(vote_early_tokens(&t, 4, 1), 1700, 0);
	CHECK_NEAR(vote_early_tokens(&t, 6, 1), 2300, 0);
	CHECK_NEAR(vote_early_tokens(&t, 8, 1), 3000, 0);
	/* more than recorded: the first window, bootstrapped as tts.c does (finite, one sample's
	 * length at least) */
	CHECK(vote_early_tokens(&t, 12, 1) >= 100);
}

/* The leave-one-model-out cross-validation, reduced (N = 1..16, 8 subsets, one twin), on the
 * shipped real traces. Limits, accuracy points: the median error of majority@N within 0.8
 * and of pass@N within 1.0 for every model (the 1 point); the worst N within 2.0 (the
 * issue's 2.5); early-stopped lengths below. */
static void test_crossval(void)
{
	struct trace t[8];
	const struct trace *tp[8];
	int n = 0;
	for (int i = 0; i < trace_n_aliases && n < 8; i++)
		if (trace_aliases[i].per_sample) {
			char nm[128];
			snprintf(nm, sizeof(nm), "math500:%s", trace_aliases[i].alias);
			if (trace_load(&t[n], nm) < 0) {
				CHECK(0);
				return;
			}
			tp[n] = &t[n];
			n++;
		}
	CHECK_INT(n, 7);
	for (int h = 0; h < n; h++) {
		struct vote_cv cv;
		CHECK_INT(vote_crossval(tp, n, h, 16, 8, 1, 1, &cv), 0);
		double er[3];
		for (int k = 0; k < 3; k++)
			er[k] = 100 * (cv.early_pred[k] / cv.early_real[k] - 1);
		fprintf(stderr, "%-36s maj %.2f / %.2f@%d  pass %.2f / %.2f@%d  early %+.1f%% %+.1f%% %+.1f%%  cut %.4f / %.4f\n",
			t[h].model, cv.maj_med_err, cv.maj_max_err, cv.maj_max_n, cv.pass_med_err, cv.pass_max_err,
			cv.pass_max_n, er[0], er[1], er[2], cv.cut, cv.cut_pred);
		/* majority@N within 0.8 for every model (was 1.2 before the slope b: MetaStone-S1-32B
		 * 1.28 in the full run); pass@N within the 1 point (was 0.8: with the slope,
		 * Phi-4-reasoning's, whose own b is 0.7, rose to 0.90 here, 0.59 in the full run) */
		CHECK(cv.maj_med_err <= 0.8);
		CHECK(cv.pass_med_err <= 1.0);
		/* the worst-N target (2.5 points) for every model, with room: Phi-4-reasoning's
		 * majority@2 met it only once the twin took the model's own abstention share */
		CHECK(cv.maj_max_err <= 2.0 && cv.pass_max_err <= 2.0);
		/* early-stopped majority length, over all recorded samples (vote_early_tokens): within
		 * 5.5% at N = 4, 16 and 64 for every model but gpt-oss-20b, the open miss of issue 21
		 * (+2.0 / +5.9 / +8.2% here: its twin's easy problems are too long, traces/README.md),
		 * held within 9% so that it cannot drift unseen; Phi-4-reasoning was +12-16% before
		 * its twin took its own share of samples cut at the cap */
		double elim = strstr(t[h].model, "gpt-oss") ? 9.0 : 5.5;
		CHECK(fabs(er[0]) <= elim && fabs(er[1]) <= elim && fabs(er[2]) <= elim);
		CHECK_NEAR(cv.vm.cut, cv.cut, 0);
		if (strstr(t[h].model, "Phi-4")) {
			CHECK(fabs(er[0]) <= 5.0 && fabs(er[2]) <= 5.0);
			CHECK(cv.cut > 0.01 && fabs(cv.cut_pred - cv.cut) < 0.002); /* 1.5% cut, 610 samples */
		}
		CHECK_NEAR(cv.vm.abstain, cv.abstain, 0);
		if (strstr(t[h].model, "Phi-4"))
			CHECK(cv.abstain > 0.3); /* 41% of its finished non-correct samples have no answer */
		else
			CHECK(cv.abstain < 0.05);
	}
	for (int k = 0; k < n; k++)
		trace_release(&t[k]);
}

int main(void)
{
	util_gsl_init();
	test_answers();
	test_estimators();
	test_recovery();
	test_slope();
	test_abstain_definition();
	test_cut_definition();
	test_monotone();
	test_early_windows();
	test_crossval();
	return TEST_REPORT();
}
