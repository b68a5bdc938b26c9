/*
 * test_tts_engine.c: speculative decoding, tensor parallelism and parallel samples in the
 * engine. Speculation with alpha = 0 costs more than plain decoding, with alpha = 1 every
 * step yields k + 1 tokens, and the mean accepted length matches (1 - a^(k+1)) / (1 - a);
 * KV reservation never overflows (sim_setup.check verifies every step). TP 1 has no
 * all-reduce; a decode-bound 14B step at TP 4 is faster than at TP 1 but not 4x. Forked
 * samples count the prompt's blocks once; cancelled samples free theirs.
 */
#include <stdlib.h>

#include "models/cost.h"
#include "sim/engine.h"
#include "tests/engine_fixture.h"
#include "models/model.h"
#include "tests/test.h"
#include "lib/util.h"

#define MAXR 256
static struct sim_problem P[MAXR];
static struct sim_req R[MAXR];

static double run_spec(const struct model *m, const struct profile *p, int k, double alpha,
		       struct sim_stats *st)
{
	struct sim_setup s = fixture_setup(m, p);
	fixture_requests(P, R, 4, 200, 800);
	s.spec.k = k;
	s.spec.alpha = alpha;
	s.spec.accept_kind = ACCEPT_IID;
	s.spec.draft_kind = DRAFT_NGRAM;
	s.spec.ngram_s_per_seq = 5e-6;
	if (sim_run(&s, P, 4, R, 4, st) < 0) {
		fprintf(stderr, "%s\n", err_msg());
		return -1;
	}
	for (int i = 0; i < 4; i++)
		CHECK_INT(R[i].generated, R[i].output);
	return fixture_mean_tpot_ms(R, 4);
}

static void test_speculation(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st, st0;
	double plain, a0, a1;
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
	fixture_requests(P, R, 4, 200, 800);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st0), 0);
	plain = fixture_mean_tpot_ms(R, 4);

	a0 = run_spec(&m, &p, 4, 0.0, &st);
	CHECK(a0 > plain); /* verifying 5 tokens to keep 1 */
	CHECK_NEAR(st.spec_accepted, 0, 0);
	CHECK_NEAR(st.spec_verifications * 1 + 4, st.output_tokens, 0); /* 1 token per step */

	a1 = run_spec(&m, &p, 4, 1.0, &st);
	CHECK(a1 < plain / 3);
	/* every step yields k + 1 = 5 tokens: 799 decode tokens per request in 160 steps */
	CHECK_NEAR(st.spec_verifications, 4 * 160, 0);

	for (double alpha = 0.3; alpha < 0.95; alpha += 0.3) {
		const int k = 4;
		double want = (1 - pow(alpha, k + 1)) / (1 - alpha), got, sd;
		run_spec(&m, &p, k, alpha, &st);
		got = (st.spec_accepted + st.spec_verifications) / st.spec_verifications;
		/* standard error of the mean tokens per verification (variance < k^2 / 4) */
		sd = (k / 2.0) / sqrt(st.spec_verifications);
		CHECK(fabs(got - want) < 4 * sd);
	}
	/* a per-position table equal to alpha everywhere is the i.i.d. model */
	{
		struct sim_stats a, b;
		s = fixture_setup(&m, &p);
		fixture_requests(P, R, 4, 200, 800);
		s.spec.k = 3;
		s.spec.draft_kind = DRAFT_NGRAM;
		s.spec.accept_kind = ACCEPT_POSITION;
		for (int i = 0; i < 3; i++)
			s.spec.pos[i] = 0.6;
		CHECK_INT(sim_run(&s, P, 4, R, 4, &a), 0);
		s.spec.accept_kind = ACCEPT_IID;
		s.spec.alpha = 0.6;
		fixture_requests(P, R, 4, 200, 800);
		CHECK_INT(sim_run(&s, P, 4, R, 4, &b), 0);
		CHECK_NEAR(a.spec_accepted, b.spec_accepted, 0);
		/* an accepted-length distribution with all mass on 2 */
		s.spec.accept_kind = ACCEPT_LENGTH;
		memset(s.spec.len_p, 0, sizeof(s.spec.len_p));
		s.spec.len_p[2] = 1;
		fixture_requests(P, R, 4, 200, 800);
		CHECK_INT(sim_run(&s, P, 4, R, 4, &a), 0);
		CHECK_NEAR(a.spec_accepted, 2 * a.spec_verifications, 0);
	}
	/* a draft model costs its forward passes and its memory */
	{
		struct model d;
		struct sim_stats a;
		CHECK_INT(model_find(&d, "r1-qwen-1.5b"), 0);
		s = fixture_setup(&m, &p);
		s.spec.k = 4;
		s.spec.alpha = 0.7;
		s.spec.draft_kind = DRAFT_MODEL;
		s.spec.draft = &d;
		fixture_requests(P, R, 4, 200, 800);
		CHECK_INT(sim_run(&s, P, 4, R, 4, &a), 0);
		CHECK(a.draft_s > 0);
		CHECK(a.kv_blocks < st0.kv_blocks);
	}
	/* speculation under memory pressure: reservations never overflow (check mode) */
	{
		struct profile small = p;
		struct sim_stats a;
		CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
		small.hbm_bytes = 7.6e9; /* about 7,000 tokens of KV beside the sampler's peak */
		s = fixture_setup(&m, &small);
		s.spec.k = 6;
		s.spec.alpha = 0.5;
		s.spec.draft_kind = DRAFT_NGRAM;
		fixture_requests(P, R, 64, 300, 2500);
		CHECK_INT(sim_run(&s, P, 64, R, 64, &a), 0);
		CHECK(a.preemptions > 0);
		for (int i = 0; i < 64; i++)
			CHECK_INT(R[i].generated, R[i].output);
	}
}

static void test_tensor_parallel(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct cost_ctx c1, c4;
	struct step_cost s1, s4;
	struct step_batch b = {0};
	CHECK_INT(model_find(&m, "r1-qwen-14b"), 0);
	CHECK_INT(cost_init(&c1, &m, &p, 1, 1), 0);
	CHECK_INT(cost_init(&c4, &m, &p, 4, 1), 0);
	b.n_decode = 16;
	b.decode_q = 1;
	b.decode_ctx = 16 * 2000.0;
	b.n_sample = 16;
	cost_step(&c1, &b, &s1);
	cost_step(&c4, &b, &s4);
	CHECK(s1.allreduce == 0);
	CHECK(s4.allreduce > 0);
	CHECK(s4.total < s1.total);
	CHECK(s4.total > s1.total / 4);
	/* 1.5B has 2 KV heads: TP 4 replicates them, TP 8 cannot split 12 heads */
	CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
	cost_release(&c4);
	CHECK_INT(cost_init(&c4, &m, &p, 4, 1), 0);
	CHECK_INT(c4.kv_heads, 1);
	cost_release(&c4);
	CHECK_INT(cost_init(&c4, &m, &p, 8, 1), -1);
	cost_release(&c1);
	cost_release(&c4);
}

static void test_forked_samples(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats shared, alone;
	const int N = 8, prompt = 1600; /* 100 full blocks */
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
	for (int share = 1; share >= 0; share--) {
		memset(P, 0, sizeof(P[0]));
		memset(R, 0, sizeof(R[0]) * N);
		P[0].n = N;
		P[0].share = (uint8_t)share;
		for (int i = 0; i < N; i++) {
			R[i].prompt = prompt;
			R[i].output = 20 + i;
			R[i].answer = -1;
		}
		CHECK_INT(sim_run(&s, P, 1, R, N, share ? &shared : &alone), 0);
		for (int i = 0; i < N; i++)
			CHECK_INT(R[i].generated, R[i].output);
	}
	/* shared: 100 prompt blocks once, plus about two of each sample's own */
	CHECK(shared.peak_kv_blocks <= 100 + 2 * N);
	CHECK(alone.peak_kv_blocks >= N * 100);
	/* one prefill instead of N */
	CHECK_NEAR(shared.prefill_tokens, prompt, 0);
	CHECK_NEAR(alone.prefill_tokens, (double)N * prompt, 0);

	/* early stopping with forked samples: the decided majority is kept, the rest are
	 * cancelled and their blocks freed (check mode verifies every block comes back) */
	memset(P, 0, sizeof(P[0]));
	memset(R, 0, sizeof(R[0]) * N);
	P[0].n = N;
	P[0].share = 1;
	P[0].early_stop = 1;
	for (int i = 0; i < N; i++) {
		R[i].prompt = 100;
		R[i].output = i < 5 ? 50 + i : 3000;
		R[i].answer = (int16_t)(i < 5 ? 0 : i - 4);
	}
	CHECK_INT(sim_run(&s, P, 1, R, N, &shared), 0);
	{
		int votes_correct = 0, cancelled = 0;
		for (int i = 0; i < N; i++) {
			if (!R[i].cancelled && R[i].answer == 0)
				votes_correct++;
			cancelled += R[i].cancelled;
		}
		CHECK_INT(votes_correct, 5); /* the kept votes still elect answer 0 */
		CHECK_INT(cancelled, 3);
	}
}

int main(void)
{
	util_gsl_init();
	test_speculation();
	test_tensor_parallel();
	test_forked_samples();
	return TEST_REPORT();
}
