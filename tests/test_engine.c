/*
 * test_engine.c: the engine against arithmetic that does not go through it: a lone
 * decoding request costs its weight and KV bytes over the bandwidth plus the fixed costs;
 * a closed loop obeys Little's law; doubling bandwidth nearly halves a decode-bound TPOT;
 * the scheduler never exceeds its token budget or the KV cache (checked every step by
 * sim_setup.check), preempted sequences resume, and every output token is produced once;
 * the front end's serial server, worked by hand for one request, a burst of two and a
 * closed loop of two clients; routing by sequences and by KV blocks, worked by hand.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "models/cost.h"
#include "sim/engine.h"
#include "sim/run.h"
#include "tests/engine_fixture.h"
#include "models/model.h"
#include "tests/test.h"
#include "models/drafter.h"
#include "lib/util.h"

#define MAXR 512
static struct sim_problem P[MAXR];
static struct sim_req R[MAXR];

/* The preemption fixture's 64 requests (prompts of 50 to 349 tokens, outputs of 500 to
 * 1,999: more than a small cache holds at once); returns their output tokens. */
static double preemption_requests(void)
{
	double want = 0;
	fixture_requests(P, R, 64, 100, 2000);
	for (long i = 0; i < 64; i++) {
		R[i].prompt = 50 + (int32_t)(i * 13 % 300);
		R[i].output = 500 + (int32_t)(i * 101 % 1500);
		want += R[i].output;
	}
	return want;
}

/* 32 problems of 8 forked samples each (prompts of 40 to 439 tokens, outputs of 20 to
 * 919); returns their output tokens. */
static double forked_requests(void)
{
	double want = 0;
	fixture_requests(P, R, 256, 100, 100);
	for (long i = 0; i < 32; i++) {
		P[i].first = (int32_t)(i * 8);
		P[i].n = 8;
		P[i].share = 1;
		for (long j = i * 8; j < i * 8 + 8; j++) {
			R[j].problem = (int32_t)i;
			R[j].prompt = 40 + (int32_t)(i * 37 % 400);
			R[j].output = 20 + (int32_t)(j * 101 % 900);
			want += R[j].output;
		}
	}
	return want;
}

/* The fixture's setup for the model called name (found into m) on profile p. */
static struct sim_setup model_setup(struct model *m, const struct profile *p, const char *name)
{
	CHECK_INT(model_find(m, name), 0);
	return fixture_setup(m, p);
}

static void test_lone_decode(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	const int prompt = 100, out = 1000;
	double L, W, embed, kv_mean, expect;

	s = model_setup(&m, &p, "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B");
	fixture_requests(P, R, 1, prompt, out);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);

	/* Per token: every weight but the embedding table is read once (the LM head is
	 * untied), over the GEMM's share of HBM bandwidth; the KV cache (on average
	 * prompt + out/2 tokens) over the attention bandwidth; plus per layer four GEMM
	 * floors, the attention floor and five graph launches, the LM head's floor and two
	 * launches, and the CPU's per-step cost. */
	L = m.n_layers;
	embed = (double)m.vocab * m.hidden * 2;
	W = model_weight_bytes_per_gpu(&m, 1) - embed;
	kv_mean = (prompt + out / 2.0) * model_kv_bytes_per_token(&m, 1);
	expect = W / (p.hbm_bw * p.gemm_bf16.bw_eff) + kv_mean / p.attn_decode.bw +
		 L * (4 * p.gemm_bf16.floor + p.attn_decode.t0 + p.attn_decode.per_seq +
		      5 * p.launch_graph) +
		 p.gemm_bf16.floor + 2 * p.launch_graph + p.step_base + p.step_per_seq;
	CHECK_NEAR(fixture_mean_tpot_ms(R, 1), expect * 1e3, 0.03);
	CHECK_INT(R[0].generated, out);
	CHECK_INT(st.steps, 1 + (out - 1)); /* one prefill step, then one step per token */
	CHECK(R[0].t_first > 0 && R[0].t_done > R[0].t_first);
}

static void test_bandwidth_halves_tpot(void)
{
	struct model m;
	struct profile p = fixture_profile(), p2;
	struct sim_setup s;
	struct sim_stats st;
	double t1, t2;
	s = model_setup(&m, &p, "r1-qwen-14b");
	fixture_requests(P, R, 1, 200, 500);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);
	t1 = fixture_mean_tpot_ms(R, 1);
	p2 = p;
	p2.hbm_bw *= 2;
	p2.attn_decode.bw *= 2;
	p2.ew_bw *= 2;
	s.profile = &p2;
	fixture_requests(P, R, 1, 200, 500);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);
	t2 = fixture_mean_tpot_ms(R, 1);
	/* "nearly halves": the bandwidth-bound part halves exactly (within the GEMM model's
	 * blend of its compute term), the fixed per-step costs stay */
	{
		double fixed = 1e3 * (p.step_base + p.step_per_seq +
				      m.n_layers * (4 * p.gemm_bf16.floor + p.attn_decode.t0 +
						    p.attn_decode.per_seq + 5 * p.launch_graph) +
				      p.gemm_bf16.floor + 2 * p.launch_graph);
		CHECK(t2 / t1 < 0.65);
		CHECK_NEAR(t2 - fixed, (t1 - fixed) / 2, 0.05);
	}
}

static void test_littles_law(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	const long n = 400;
	const int C = 16;
	double W = 0, lambda;
	s = model_setup(&m, &p, "r1-qwen-7b");
	s.loop = SIM_CLOSED;
	s.concurrency = C;
	fixture_requests(P, R, n, 300, 200);
	for (long i = 0; i < n; i++) /* vary lengths so requests do not move in lockstep */
		R[i].output = 100 + (int32_t)((i * 37) % 200);
	CHECK_INT(sim_run(&s, P, n, R, n, &st), 0);
	for (long i = 0; i < n; i++)
		W += (double)(P[i].t_done - P[i].arrival) / 1e9;
	W /= (double)n;
	lambda = (double)n / ((double)st.makespan / 1e9);
	/* L = lambda W; the closed loop holds C in the system except while it drains */
	CHECK_NEAR(lambda * W, C, 0.04);
	/* arrivals are completions of earlier problems */
	for (long i = C; i < n; i++)
		CHECK(P[i].arrival > 0);
}

static void test_preemption_and_invariants(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	const long n = 64;
	double want = 0;
	long pre = 0;
	CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
	p.hbm_bytes = 8e9; /* a small cache: 64 x 2100 tokens cannot all fit */
	s = fixture_setup(&m, &p);
	s.max_num_batched_tokens = 2048;
	want = preemption_requests();
	CHECK_INT(sim_run(&s, P, n, R, n, &st), 0); /* check=1: invariants every step */
	CHECK(st.kv_blocks * 16 < 64 * 2100);
	for (long i = 0; i < n; i++) {
		CHECK_INT(R[i].generated, R[i].output);
		CHECK(R[i].t_first > 0 && R[i].t_done >= R[i].t_first);
		pre += R[i].preemptions;
	}
	CHECK(pre > 0);
	CHECK_INT(pre, st.preemptions);
	CHECK_NEAR(st.output_tokens, want, 0); /* every output token exactly once */
	CHECK(st.prefill_tokens > 0);
}

static void test_chunked_prefill_and_determinism(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st, st2;
	static struct sim_req R2[MAXR];
	const long n = 40;
	s = model_setup(&m, &p, "r1-qwen-7b");
	s.max_num_batched_tokens = 2048;
	fixture_requests(P, R, n, 20000, 50);
	for (long i = 0; i < n; i++)
		P[i].arrival = i * 1000000; /* 1 ms apart */
	CHECK_INT(sim_run(&s, P, n, R, n, &st), 0);
	/* a 20000-token prompt needs at least ten 2048-token steps before its first token */
	CHECK(st.steps >= 10 * n);
	memcpy(R2, R, sizeof(R));
	CHECK_INT(sim_run(&s, P, n, R, n, &st2), 0);
	CHECK(memcmp(R, R2, sizeof(R[0]) * n) == 0);
	CHECK_INT(st.makespan, st2.makespan);
	/* without chunking a prompt larger than the token budget never runs: rejected up front */
}

static void test_errors(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	s = model_setup(&m, &p, "Qwen/Qwen2.5-72B-Instruct");
	fixture_requests(P, R, 1, 10, 10);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), -1);
	CHECK(strstr(err_msg(), "does not fit") != NULL);
	s = model_setup(&m, &p, "r1-qwen-1.5b");
	fixture_requests(P, R, 1, 100000, 40000);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), -1);
	CHECK(strstr(err_msg(), "max length") != NULL);
	s.tp = 8; /* 12 heads do not split over 8 GPUs */
	fixture_requests(P, R, 1, 10, 10);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), -1);
}

/* secs_to_ns rounds as llround, and refuses what int64 ns cannot hold with room to add. */
static void test_secs_to_ns(void)
{
	gsl_rng *g = rng_stream(7, "test");
	int64_t ns;
	long bad = 0;
	for (int i = 0; i < 100000; i++) {
		/* spread over 20 decades, and exact halves of a nanosecond */
		double s = pow(10, -12 + 22 * gsl_rng_uniform(g));
		if (i % 4 == 0)
			s = (floor(gsl_rng_uniform(g) * 1e6) + 0.5) / 1e9;
		if (s > TIME_S_MAX)
			continue;
		bad += secs_to_ns(s, &ns) != 0 || ns != (int64_t)llround(s * 1e9);
	}
	gsl_rng_free(g);
	CHECK_INT(bad, 0);
	CHECK_INT(secs_to_ns(0.0, &ns), 0);
	CHECK_INT(ns, 0);
	CHECK_INT(secs_to_ns(2.5e-9, &ns), 0);
	CHECK_INT(ns, 3);
	CHECK_INT(secs_to_ns(0.49999999999999994e-9, &ns), 0);
	CHECK_INT(ns, llround(0.49999999999999994e-9 * 1e9)); /* x + 0.5 would round up */
	CHECK_INT(secs_to_ns(TIME_S_MAX, &ns), 0);
	CHECK_INT(ns, TIME_NS_MAX);
	CHECK_INT(secs_to_ns(nextafter(TIME_S_MAX, INFINITY), &ns), -1);
	CHECK(strstr(err_msg(), "out of range") != NULL);
	CHECK_INT(secs_to_ns(-1e-9, &ns), -1);
	CHECK_INT(secs_to_ns(NAN, &ns), -1);
	CHECK_INT(secs_to_ns(INFINITY, &ns), -1);
	CHECK_INT(secs_to_ns(1e300, &ns), -1);
	/* two valid times, or a valid time and a valid step, add without overflow */
	CHECK(TIME_NS_MAX <= INT64_MAX / 2);
}

/* Times past the limit are refused with the key that likely caused them, never wrapped
 * into negative makespans: a bandwidth typed in TB/s as B/s (issue 14), an arrival past
 * 100 years, and a run that ends past it. */
static void test_time_limits(void)
{
	struct model m;
	struct profile p = fixture_profile(), slow;
	struct sim_setup s;
	struct sim_stats st;
	CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
	slow = p;
	slow.hbm_bw = 3.35;
	s = fixture_setup(&m, &slow);
	fixture_requests(P, R, 4, 100, 100);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), -1);
	CHECK(strstr(err_msg(), "key 'gpu': profile 'fixture': one step takes") != NULL);
	CHECK(strstr(err_msg(), "of it gemm") != NULL);
	s.reference = 1; /* the reference engine stops the same way */
	fixture_requests(P, R, 4, 100, 100);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), -1);
	CHECK(strstr(err_msg(), "key 'gpu'") != NULL);

	s = fixture_setup(&m, &p);
	fixture_requests(P, R, 2, 100, 100);
	P[1].arrival = TIME_NS_MAX + 1;
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), -1);
	CHECK(strstr(err_msg(), "problem 1: arrival at") != NULL);
	fixture_requests(P, R, 2, 100, 100);
	P[1].arrival = -5;
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), -1);
	/* arriving a millisecond before the limit: its steps end past it */
	fixture_requests(P, R, 2, 100, 100);
	P[1].arrival = TIME_NS_MAX - 1000000;
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), -1);
	CHECK(strstr(err_msg(), "key 'requests': the run passes") != NULL);
	/* a thousand seconds before it: it finishes, the makespan is exact */
	fixture_requests(P, R, 2, 100, 100);
	P[1].arrival = TIME_NS_MAX - 1000000000000;
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	CHECK(R[1].t_done > P[1].arrival && R[1].t_done <= TIME_NS_MAX);
	CHECK_INT(st.makespan, R[1].t_done);
	CHECK(st.busy_ns_total > 0 && st.busy_ns_total < st.makespan);
}

/* Early stopping counts votes per distinct answer of a problem: answer numbers up to
 * 32767 give the same result as small ones (issue 14: a counter per answer number sent
 * 70,000 problems past a 32-bit offset). */
static void test_early_stop_answer_numbers(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	static struct sim_req R2[MAXR];
	const int np = 40, n = 6;
	int64_t t_small[40];
	s = model_setup(&m, &p, "r1-qwen-1.5b");
	for (int big = 0; big < 2; big++) {
		struct sim_req *r = big ? R2 : R;
		memset(P, 0, sizeof(P[0]) * np);
		memset(r, 0, sizeof(r[0]) * np * n);
		for (int q = 0; q < np; q++) {
			P[q].first = q * n;
			P[q].n = n;
			P[q].early_stop = 1;
			for (int k = 0; k < n; k++) {
				struct sim_req *x = &r[q * n + k];
				int a = (q + k) % 3 == 0 ? -1 : (q * k + k) % 3; /* 0, 1, 2 or none */
				x->problem = q;
				x->prompt = 50;
				x->output = 20 + 7 * k + q % 5;
				x->answer = (int16_t)(a <= 0 || !big ? a : INT16_MAX - a);
			}
		}
		CHECK_INT(sim_run(&s, P, np, r, np * n, &st), 0);
		for (int q = 0; q < np; q++) {
			if (!big)
				t_small[q] = P[q].t_done;
			else
				CHECK_INT(P[q].t_done, t_small[q]);
		}
	}
	for (int i = 0; i < np * n; i++) {
		CHECK_INT(R2[i].cancelled, R[i].cancelled);
		CHECK_INT(R2[i].generated, R[i].generated);
		CHECK_INT(R2[i].t_done, R[i].t_done);
	}
	{
		long cancelled = 0;
		for (int i = 0; i < np * n; i++)
			cancelled += R[i].cancelled;
		CHECK(cancelled > 0); /* the case exercises cancellation */
	}
}

static void test_early_stop(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	/* one problem, 8 samples: 5 short correct ones finish first, so the majority is
	 * decided (5 > 0 + 3 left) and the three long ones are cancelled */
	s = model_setup(&m, &p, "r1-qwen-1.5b");
	memset(P, 0, sizeof(P[0]));
	memset(R, 0, sizeof(R[0]) * 8);
	P[0].n = 8;
	P[0].early_stop = 1;
	for (int i = 0; i < 8; i++) {
		R[i].prompt = 100;
		R[i].output = i < 5 ? 100 + i : 5000;
		R[i].answer = i < 5 ? 0 : (int16_t)(i - 4);
	}
	CHECK_INT(sim_run(&s, P, 1, R, 8, &st), 0);
	for (int i = 0; i < 5; i++)
		CHECK_INT(R[i].cancelled, 0);
	for (int i = 5; i < 8; i++) {
		CHECK_INT(R[i].cancelled, 1);
		CHECK(R[i].generated < R[i].output);
	}
	CHECK_INT(P[0].t_done, R[4].t_done);
}

/* The prefill-attention rate falls on short rows: with s_half equal to a whole prompt's
 * row length the attention time above its floor doubles, and a head-dim half-point of the
 * head dim doubles it again. */
static void test_prefill_rate_factors(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct cost_ctx c;
	struct step_cost a, b2, b4;
	struct step_batch b = {0};
	const double prompt = 1000;
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	b.n_prefill = 1;
	b.prefill_tokens = prompt;
	b.prefill_pairs = prompt * (prompt + 1) / 2;
	b.n_sample = 1;
	CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
	cost_step(&c, &b, &a);
	cost_release(&c);
	p.attn_prefill.s_half = prompt + 1; /* 2 x pairs / tokens = prompt + 1 */
	CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
	cost_step(&c, &b, &b2);
	cost_release(&c);
	p.attn_prefill.d_half = m.head_dim;
	CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
	cost_step(&c, &b, &b4);
	cost_release(&c);
	{
		double fl = m.n_layers * p.attn_prefill.t0;
		CHECK_NEAR(b2.attn_prefill - fl, 2 * (a.attn_prefill - fl), 1e-9);
		CHECK_NEAR(b4.attn_prefill - fl, 4 * (a.attn_prefill - fl), 1e-9);
		CHECK_NEAR(b4.gemm, a.gemm, 0); /* nothing else moves */
	}
}

/* A memo pool lends a table only to contexts of the same model, profile, tp and launch
 * mode: every step time equals a private context's, and a changed profile is not served
 * the old profile's times. */
static void test_memo_pool(void)
{
	struct model m;
	struct profile p = fixture_profile(), q;
	struct cost_memo_pool *pool = cost_memo_pool_new();
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	q = p;
	q.hbm_bw *= 2; /* same model, other profile: other GEMM times */
	for (int round = 0; round < 3; round++) {
		for (int which = 0; which < 2; which++) {
			const struct profile *pp = which ? &q : &p;
			struct cost_ctx own, lent;
			int bad = 0;
			CHECK_INT(cost_init(&own, &m, pp, 1, 1), 0);
			CHECK_INT(cost_init(&lent, &m, pp, 1, 1), 0);
			cost_use_pool(&lent, pool);
			CHECK(lent.memo_lent == 1);
			for (int n = 1; n <= 300; n += 7) {
				struct step_batch b = {0};
				b.n_decode = n;
				b.decode_q = 1;
				b.n_sample = n;
				b.decode_ctx = 1000.0 * n;
				b.n_prefill = round == 1; /* mixed steps too, on the second round */
				b.prefill_tokens = round == 1 ? 512 : 0;
				b.prefill_pairs = round == 1 ? 512.0 * 513 / 2 : 0;
				bad += cost_step(&own, &b, NULL) != cost_step(&lent, &b, NULL);
			}
			CHECK_INT(bad, 0);
			cost_release(&own);
			cost_release(&lent);
		}
	}
	cost_memo_pool_free(pool);
}

/* Acceptance length <-> i.i.d. alpha, against sums worked by hand:
 * k 2, alpha 0.5: 1 + 0.5 + 0.25 = 1.75; k 4, alpha 0.5: 1.9375; k 3, alpha 0.8:
 * 1 + 0.8 + 0.64 + 0.512 = 2.952; k 7, alpha 0.9: (1 - 0.9^8) / 0.1 = 5.6953279. */
static void test_acceptance_length(void)
{
	double a = -1;
	CHECK_NEAR(spec_length_from_alpha(0.5, 2), 1.75, 1e-15);
	CHECK_NEAR(spec_length_from_alpha(0.5, 4), 1.9375, 1e-15);
	CHECK_NEAR(spec_length_from_alpha(0.8, 3), 2.952, 1e-15);
	CHECK_NEAR(spec_length_from_alpha(0.9, 7), 5.6953279, 1e-12);
	CHECK_NEAR(spec_length_from_alpha(1, 5), 6, 0);
	CHECK_NEAR(spec_length_from_alpha(0, 5), 1, 0);
	CHECK_INT(spec_alpha_from_length(1.75, 2, &a), 0);
	CHECK_NEAR(a, 0.5, 1e-12);
	CHECK_INT(spec_alpha_from_length(1.9375, 4, &a), 0);
	CHECK_NEAR(a, 0.5, 1e-12);
	CHECK_INT(spec_alpha_from_length(2.952, 3, &a), 0);
	CHECK_NEAR(a, 0.8, 1e-12);
	CHECK_INT(spec_alpha_from_length(5.6953279, 7, &a), 0);
	CHECK_NEAR(a, 0.9, 1e-7);
	/* the ends are exact; outside [1, k + 1] no alpha gives the length */
	CHECK_INT(spec_alpha_from_length(1, 4, &a), 0);
	CHECK_NEAR(a, 0, 0);
	CHECK_INT(spec_alpha_from_length(5, 4, &a), 0);
	CHECK_NEAR(a, 1, 0);
	CHECK_INT(spec_alpha_from_length(5.01, 4, &a), -1);
	CHECK_INT(spec_alpha_from_length(0.99, 4, &a), -1);
	/* vLLM issue 20780, EAGLE-3 at k 4: AL 3.08 -> alpha 0.754946 (bisection by hand) */
	CHECK_INT(spec_alpha_from_length(3.08, 4, &a), 0);
	CHECK_NEAR(a, 0.754946, 1e-5);
}

/* The batch regime (issue 17): verifying k + 1 tokens per sequence turns a memory-bound
 * decode step compute-bound as the batch grows. Over 1..256 sequences at fixed alpha the
 * speed-up of speculation never rises above its single-sequence value by more than 3%
 * (below the GEMMs' ridge the step stays memory-bound and the drafter's fixed per-forward
 * CPU is shared by more sequences: a rise of at most 2% in this model), never rises once
 * the verification holds 512 tokens or more (compute-bound), and falls below 1 where the
 * verification's extra FLOPs cost more than the accepted tokens save.
 * spec_disable_batch then turns speculation off above a batch size. */
static void spec_fixture(struct sim_setup *s, int kind, int k, double alpha)
{
	s->spec.k = k;
	s->spec.draft_kind = kind;
	s->spec.accept_kind = ACCEPT_IID;
	s->spec.alpha = alpha;
	s->spec.draft_step_s = 0.0007; /* a fixture: near vllm-v1's fitted values */
	s->spec.step_cpu_s = 0.00129;
	s->spec.eagle3_remap_s = 0;
	s->spec.tree_topk = 0;      /* a chain */
	s->spec.verify_tokens = 0;
}

/* Tree drafting (SGLang's EAGLE-2/3: depth k, top-k branches, N tokens verified). The
 * verification batch is the tree: N query tokens per sequence through every GEMM and the
 * LM head, the sequence's KV read once. At batch 1 the drafter's forwards stay on their
 * CPU floor (4 branch rows of a one-layer head are far from it), so the step of a tree is
 * the chain's plus exactly t_verify(N) - t_verify(k + 1), which with the speed-up
 * S = AL x t_plain / t_spec reads AL x t_plain / S_tree - AL x t_plain / S_chain. With
 * many sequences the branches' rows cost GPU time: a tree then costs more than its
 * verification alone adds. In a simulation each verification proposes N - 1 drafts. */
static void test_spec_tree(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s = model_setup(&m, &p, "meta-llama/Llama-3.1-8B-Instruct");
	struct step_batch b = {0};
	struct cost_ctx cc;
	struct sim_stats st;
	double plain[2], vq[2], vn[2], al = 1, pw = 1;
	const int k = 4, N = 16, topk = 4, ns[2] = {1, 64};
	for (int j = 0; j < k; j++)
		al += pw *= 0.7;
	CHECK_INT(cost_init(&cc, &m, &p, 1, 1), 0);
	for (int i = 0; i < 2; i++) {
		int n = ns[i];
		b.n_decode = n;
		b.decode_q = 1;
		b.decode_ctx = (double)n * 1001;
		b.n_sample = n;
		plain[i] = cost_step(&cc, &b, NULL);
		b.decode_q = k + 1;
		b.decode_ctx = (double)n * (1000 + k + 1);
		b.n_sample = n * (k + 1);
		vq[i] = cost_step(&cc, &b, NULL);
		b.decode_q = N;
		b.decode_ctx = (double)n * (1000 + N);
		b.n_sample = n * N;
		vn[i] = cost_step(&cc, &b, NULL);
	}
	cost_release(&cc);
	for (int i = 0; i < 2; i++) {
		double chain, tree;
		spec_fixture(&s, DRAFT_EAGLE3, k, 0.7);
		chain = al * plain[i] / sim_spec_speedup(&s, ns[i], 1000);
		s.spec.tree_topk = topk;
		s.spec.verify_tokens = N;
		tree = al * plain[i] / sim_spec_speedup(&s, ns[i], 1000);
		printf("tree %d/%d/%d at %d sequences: step %.4f ms (chain %.4f; verification "
		       "%.4f -> %.4f)\n", k, topk, N, ns[i], tree * 1e3, chain * 1e3, vq[i] * 1e3,
		       vn[i] * 1e3);
		CHECK(vn[i] > vq[i]);
		if (i == 0)
			CHECK_NEAR(tree - chain, vn[0] - vq[0], 1e-12);
		else
			CHECK(tree - chain > (vn[1] - vq[1]) * (1 + 1e-9));
	}
	/* a simulation: N - 1 drafts per verification, at most k + 1 tokens kept */
	spec_fixture(&s, DRAFT_EAGLE3, k, 0.7);
	s.spec.tree_topk = topk;
	s.spec.verify_tokens = N;
	fixture_requests(P, R, 4, 200, 300);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	CHECK_NEAR(st.spec_drafted / st.spec_verifications, N - 1, 1e-12);
	CHECK(st.spec_accepted <= st.spec_verifications * k);
	CHECK(st.spec_accepted / st.spec_verifications > 1.5); /* about 1.77 at alpha 0.7 */
}

/* MTP modules (models/drafter.h): a forward has EAGLE-1's shapes, so the step costs the
 * same; what differs is the weights. One module of the Qwen2-7B shape (h 3584, 28 heads of
 * 128, 4 KV heads, MLP 18944, vocabulary 152064), bf16:
 *   eh_proj 2 x 3584^2 = 25,690,112; attention 2 x 3584^2 + 2 x 3584 x 512 + biases 4,608
 *   = 29,364,736; MLP 3 x 3584 x 18944 = 203,685,888; its LM head 152064 x 3584 =
 *   544,997,376: 803,738,112 parameters, 1,607,476,224 bytes, plus a few norms (under
 *   5 x 3584 x 2 bytes). Two modules hold twice that; at TP 2 the LM head is split. */
static void test_spec_mtp(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s = model_setup(&m, &p, "r1-qwen-7b");
	double w1 = drafter_mtp_weight_bytes_per_gpu(&m, 1, 1), e, t;
	int n = -1;
	CHECK(w1 >= 1607476224.0 && w1 < 1607476224.0 + 5 * 3584 * 2);
	CHECK_NEAR(drafter_mtp_weight_bytes_per_gpu(&m, 2, 1), 2 * w1, 1e-3);
	CHECK(drafter_mtp_weight_bytes_per_gpu(&m, 1, 2) < w1 - 544997376.0 * 2 / 2 + 1e6);
	CHECK_INT(drafter_mtp_layers(&m, &n), 0); /* a catalog model: none */
	CHECK_INT(n, 0);
	spec_fixture(&s, DRAFT_EAGLE, 3, 0.7);
	e = sim_spec_speedup(&s, 8, 2000);
	spec_fixture(&s, DRAFT_MTP, 3, 0.7);
	s.spec.mtp_layers = 1;
	t = sim_spec_speedup(&s, 8, 2000);
	CHECK(t == e);
	printf("MTP module of r1-qwen-7b: %.0f bytes; speed-up at 8 x 2000 tokens %.4f (EAGLE-1 "
	       "%.4f)\n", w1, t, e);
}

/* EAGLE-3's vocabulary remap (eagle3_remap_s, CPU per draft forward): at batch 1 a draft
 * forward is CPU-bound (its GPU time is below draft_step_s), so the remap lengthens a
 * speculative step by exactly k x r. With the speed-up S = AL x t_plain / t_spec,
 * (1/S(r) - 1/S(0)) x AL / k = r / t_plain, the same for every k; EAGLE-1 has no remap. */
static void test_spec_eagle3_remap(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s = model_setup(&m, &p, "meta-llama/Llama-3.1-8B-Instruct");
	double per_k[3], plain;
	int ks[3] = {2, 4, 7};
	struct step_batch b = {0};
	struct cost_ctx cc;
	CHECK_INT(cost_init(&cc, &m, &p, 1, 1), 0);
	b.n_decode = 1;
	b.decode_q = 1;
	b.decode_ctx = 1001;
	b.n_sample = 1;
	plain = cost_step(&cc, &b, NULL);
	cost_release(&cc);
	for (int i = 0; i < 3; i++) {
		double al = 1, pw = 1, s0, s1;
		spec_fixture(&s, DRAFT_EAGLE3, ks[i], 0.7);
		for (int j = 0; j < ks[i]; j++)
			al += pw *= 0.7;
		s0 = sim_spec_speedup(&s, 1, 1000);
		s.spec.eagle3_remap_s = 1e-4;
		s1 = sim_spec_speedup(&s, 1, 1000);
		per_k[i] = (1 / s1 - 1 / s0) * al / ks[i];
		CHECK_NEAR(per_k[i], 1e-4 / plain, 1e-9);
		spec_fixture(&s, DRAFT_EAGLE, ks[i], 0.7);
		s0 = sim_spec_speedup(&s, 1, 1000);
		s.spec.eagle3_remap_s = 1e-4;
		CHECK(sim_spec_speedup(&s, 1, 1000) == s0);
	}
	printf("EAGLE-3 remap 0.1 ms: 1/S rises by %.4g per draft token per AL (k 2, 4, 7: "
	       "%.4g, %.4g, %.4g)\n", 1e-4 / plain, per_k[0], per_k[1], per_k[2]);
}

static void test_spec_batch_regime(void)
{
	static const int kinds[] = {DRAFT_EAGLE, DRAFT_EAGLE3};
	struct model m, d;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st, st_off;
	double sp1 = 0, sp256 = 0;
	int rises = 0;
	s = model_setup(&m, &p, "meta-llama/Llama-3.1-8B-Instruct");
	for (size_t kd = 0; kd < 2; kd++)
		for (int k = 1; k <= 7; k += 3)
			for (double alpha = 0.5; alpha < 0.95; alpha += 0.2) {
				double prev = INFINITY, one;
				spec_fixture(&s, kinds[kd], k, alpha);
				one = sim_spec_speedup(&s, 1, 1000);
				for (int n = 1; n <= 256; n++) {
					double x = sim_spec_speedup(&s, n, 1000);
					if (x > 1.03 * one ||
					    (n * (k + 1) > 512 && x > prev * (1 + 1e-12))) {
						rises++;
						printf("speed-up rises: kind %d k %d alpha %.1f n %d: %.6f "
						       "(previous %.6f, at 1: %.6f)\n",
						       kinds[kd], k, alpha, n, x, prev, one);
					}
					prev = x;
				}
				CHECK(prev < one); /* at 256 below the single-sequence speed-up */
			}
	CHECK_INT(rises, 0);
	/* EAGLE-3, k 4, AL 3.08 (vLLM issue 20780): well above 1 alone, near 1 at 256 */
	spec_fixture(&s, DRAFT_EAGLE3, 4, 0.754946);
	sp1 = sim_spec_speedup(&s, 1, 1000);
	sp256 = sim_spec_speedup(&s, 256, 1000);
	printf("EAGLE-3 k 4 alpha 0.755: speed-up %.3f at 1, %.3f at 256\n", sp1, sp256);
	CHECK(sp1 > 1.5);
	CHECK(sp256 < 0.75 * sp1);
	/* long drafts at low acceptance: a loss at large batch */
	spec_fixture(&s, DRAFT_EAGLE, 7, 0.5);
	sp256 = sim_spec_speedup(&s, 256, 1000);
	printf("EAGLE-1 k 7 alpha 0.5: speed-up %.3f at 256\n", sp256);
	CHECK(sp256 < 1);
	/* a separate draft model keeps its own KV cache: fewer sequences fit at once */
	CHECK_INT(model_find(&d, "r1-qwen-1.5b"), 0);
	{
		struct model t;
		struct sim_setup a, b;
		CHECK_INT(model_find(&t, "r1-qwen-7b"), 0);
		a = fixture_setup(&t, &p);
		b = a;
		spec_fixture(&b, DRAFT_MODEL, 4, 0.7);
		b.spec.draft = &d;
		fixture_requests(P, R, 1, 100, 100);
		CHECK_INT(sim_run(&a, P, 1, R, 1, &st), 0);
		fixture_requests(P, R, 1, 100, 100);
		CHECK_INT(sim_run(&b, P, 1, R, 1, &st_off), 0);
		/* the target's KV budget, less the draft's weights, over both models' KV bytes
		 * per token (to a block: the budget is a whole number of the target's blocks) */
		{
			double kt = model_kv_bytes_per_token(&t, 1), kd = model_kv_bytes_per_token(&d, 1);
			double budget = (double)st.kv_blocks * kt * 16 - model_weight_bytes_per_gpu(&d, 1);
			CHECK_NEAR((double)st_off.kv_blocks, budget / ((kt + kd) * 16), 2e-3);
		}
	}

	/* spec_disable_batch: 64 requests at once verify only once fewer than 17 decode */
	spec_fixture(&s, DRAFT_EAGLE3, 4, 0.75);
	fixture_requests(P, R, 64, 100, 200);
	CHECK_INT(sim_run(&s, P, 64, R, 64, &st), 0);
	s.spec.disable_batch = 16;
	fixture_requests(P, R, 64, 100, 200);
	CHECK_INT(sim_run(&s, P, 64, R, 64, &st_off), 0);
	CHECK_NEAR(st_off.output_tokens, st.output_tokens, 0);
	CHECK(st_off.spec_verifications < 0.5 * st.spec_verifications);
	CHECK(st_off.spec_verifications > 0); /* the tail, as sequences finish */
}

/* The n-gram proposer's "no match" (issue 17): a sequence whose lookup finds nothing drafts
 * nothing and verifies its one token. A verification step of 8 sequences at k 3 with 5
 * unmatched holds 3 x 4 + 5 = 17 query tokens: its GEMMs, elementwise kernels and LM head
 * (17 rows sampled) are those of 17 one-token sequences, its attention and CPU those of the
 * 8 sequences over the same KV (each sequence's context read once), hand-assembled below
 * from those two plain steps; all unmatched is the plain step. In a simulation the share of
 * sequence steps that drafted is the match probability, acceptance counts only those (as
 * vLLM's SpecDecodingStats), and at equal tokens per step a lower match, verifying fewer
 * tokens, never lowers the speed-up at any batch. */
static void test_spec_ngram_match(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s = model_setup(&m, &p, "meta-llama/Llama-3.1-8B-Instruct");
	struct cost_ctx cc;
	struct step_cost mix, rows, seqs, all;
	struct step_batch b = {.n_decode = 8, .decode_q = 4, .decode_unmatched = 5,
			       .decode_ctx = 8 * 1000.0 + 17, .n_sample = 17};
	struct step_batch r17 = {.n_decode = 17, .decode_q = 1, .decode_ctx = 17 * 1000.0,
				 .n_sample = 17};
	struct step_batch r8 = {.n_decode = 8, .decode_q = 1, .decode_ctx = 8 * 1000.0 + 17,
				.n_sample = 8};
	struct sim_stats st, st2;
	double al_m, alpha, frac;
	CHECK_INT(cost_init(&cc, &m, &p, 1, 1), 0);
	CHECK_NEAR(cost_decode_tokens(&b), 17, 0);
	cost_step(&cc, &b, &mix);
	cost_step(&cc, &r17, &rows);
	cost_step(&cc, &r8, &seqs);
	CHECK_NEAR(mix.gemm, rows.gemm, 1e-15);
	CHECK_NEAR(mix.elementwise, rows.elementwise, 1e-15);
	CHECK_NEAR(mix.lm_head, rows.lm_head, 1e-15);
	CHECK_NEAR(mix.attn_decode, seqs.attn_decode, 1e-15);
	CHECK_NEAR(mix.cpu, seqs.cpu, 1e-15);
	CHECK_NEAR(mix.total, rows.gemm + rows.allreduce + rows.elementwise + rows.lm_head +
				      seqs.cpu + seqs.attn_decode, 1e-12);
	/* all unmatched: the plain step of 8 over that KV */
	b.decode_unmatched = 8;
	b.n_sample = 8;
	cost_step(&cc, &b, &all);
	CHECK_NEAR(all.total, seqs.total, 1e-15);
	cost_release(&cc);

	/* a simulation: P(match) 0.3 at k 3, alpha 0.6 given a match; invariants each step */
	spec_fixture(&s, DRAFT_NGRAM, 3, 0.6);
	s.spec.ngram_s_per_seq = 5e-6;
	s.spec.ngram_miss = 0.7;
	s.check = 1;
	fixture_requests(P, R, 64, 100, 300);
	CHECK_INT(sim_run(&s, P, 64, R, 64, &st), 0);
	frac = st.spec_verifications / (st.spec_verifications + st.spec_undrafted);
	printf("n-gram match 0.3: %.4f of %.0f sequence steps drafted, %.4f accepted per draft\n",
	       frac, st.spec_verifications + st.spec_undrafted, st.spec_accepted / st.spec_drafted);
	/* binomial: 5 standard deviations of the share over the sequence steps */
	CHECK(fabs(frac - 0.3) < 5 * sqrt(0.21 / (st.spec_verifications + st.spec_undrafted)));
	CHECK_NEAR(st.spec_drafted, 3 * st.spec_verifications, 0);
	CHECK(fabs(st.spec_accepted / st.spec_verifications -
		   (0.6 + 0.36 + 0.216)) < 0.05); /* given a match, as vLLM counts */
	CHECK_NEAR(st.output_tokens, 64 * 300, 0);
	fixture_requests(P, R, 64, 100, 300);
	CHECK_INT(sim_run(&s, P, 64, R, 64, &st2), 0); /* same seed: the same draws */
	CHECK_NEAR(st2.spec_undrafted, st.spec_undrafted, 0);
	CHECK_NEAR(st2.spec_accepted, st.spec_accepted, 0);
	CHECK_NEAR((double)st2.makespan, (double)st.makespan, 0);

	/* under KV pressure: sequences preempted after their draw, resumed and preempted again
	 * by an older one's reservation; the unmatched count stays the walk's (invariants each
	 * step), every output token once */
	{
		struct model m2;
		struct profile p2 = fixture_profile();
		struct sim_setup s2;
		double want = 0;
		CHECK_INT(model_find(&m2, "r1-qwen-1.5b"), 0);
		p2.hbm_bytes = 8e9;
		s2 = fixture_setup(&m2, &p2);
		s2.max_num_batched_tokens = 2048;
		spec_fixture(&s2, DRAFT_NGRAM, 3, 0.6);
		s2.spec.ngram_s_per_seq = 5e-6;
		s2.spec.ngram_miss = 0.5;
		s2.check = 1;
		want += preemption_requests();
		CHECK_INT(sim_run(&s2, P, 64, R, 64, &st2), 0);
		CHECK(st2.preemptions > 0 && st2.spec_undrafted > 0);
		CHECK_NEAR(st2.output_tokens, want, 0);
	}

	/* equal tokens per step: match 1 at the alpha giving 1 + 0.5 (AL(0.8) - 1), or match
	 * 0.5 at alpha 0.8; the lower match verifies fewer tokens, so is never slower */
	al_m = 1 + 0.5 * (spec_length_from_alpha(0.8, 3) - 1);
	CHECK_INT(spec_alpha_from_length(al_m, 3, &alpha), 0);
	for (int n = 1; n <= 256; n++) {
		double full, half;
		spec_fixture(&s, DRAFT_NGRAM, 3, alpha);
		s.spec.ngram_s_per_seq = 5e-6;
		full = sim_spec_speedup(&s, n, 1000);
		s.spec.alpha = 0.8;
		s.spec.ngram_miss = 0.5;
		half = sim_spec_speedup(&s, n, 1000);
		if (!(half >= full * (1 - 1e-12)))
			printf("n-gram at %d sequences: match 0.5 %.6f below match 1 %.6f\n", n, half,
			       full);
		CHECK(half >= full * (1 - 1e-12));
		if (n == 256) {
			printf("n-gram, 1.98 tokens a step, 256 sequences: speed-up %.3f at match 1, "
			       "%.3f at match 0.5\n", full, half);
			CHECK(half > 1.05 * full);
		}
	}
}

/* The front end (engine.h): one serial server per replica, per request and per streamed
 * token, in series with the engine. Times in ns, worked by hand from the engine's own step
 * ends without a front end (the engine's times do not depend on when it starts). */
#define FE_MS 1000000LL
static void test_frontend_one_request(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	int64_t first0, done0, makespan0;
	s = model_setup(&m, &p, "r1-qwen-7b");
	fixture_requests(P, R, 1, 100, 3);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);
	first0 = R[0].t_first, done0 = R[0].t_done, makespan0 = st.makespan;
	/* steps of a few ms: each token has passed the 0.5 ms server before the next comes,
	 * so the request is the engine's shifted by 10 ms, each token 0.5 ms later */
	CHECK(first0 > FE_MS && (done0 - first0) / 2 > FE_MS);
	s.fe.per_request = 10e-3;
	s.fe.per_output_token = 0.5e-3;
	fixture_requests(P, R, 1, 100, 3);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);
	CHECK_INT(R[0].t_first, first0 + 10 * FE_MS + FE_MS / 2);
	CHECK_INT(R[0].t_done, done0 + 10 * FE_MS + FE_MS / 2);
	CHECK_INT(P[0].t_done, R[0].t_done);
	CHECK_INT(st.makespan, makespan0 + 10 * FE_MS + FE_MS / 2);
}

static void test_frontend_burst(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	int64_t e1, e2, e3, alone;
	s = model_setup(&m, &p, "r1-qwen-7b");
	/* a request alone: done `alone` after it reaches the engine */
	fixture_requests(P, R, 1, 100, 2);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);
	alone = R[0].t_done;
	/* two at 0, no front end: the first prefills alone (step ending e1), then decodes
	 * beside the second's prefill (e2), then the second decodes (e3) */
	fixture_requests(P, R, 2, 100, 2);
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	e1 = R[0].t_first, e2 = R[0].t_done, e3 = R[1].t_done;
	CHECK_INT(R[1].t_first, e2);
	CHECK(e3 < 1000 * FE_MS);
	/* a 1 s server per token, nothing per request: the engine runs as before, but its
	 * tokens queue on the server: step 1's one token passes at e1 + 1 s; step 2 (ending
	 * at e2, before step 1's token has passed) makes the first's last token, which joins
	 * the first's waiting output at no cost, and the second's first token, which pays:
	 * both pass at e1 + 2 s; step 3's one token (the second's last, made at e3 < e1 + 2 s,
	 * before step 2's batch has passed) joins the second's output: also at e1 + 2 s */
	s.fe.per_output_token = 1.0;
	fixture_requests(P, R, 2, 100, 2);
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	CHECK_INT(R[0].t_first, e1 + 1000 * FE_MS);
	CHECK_INT(R[0].t_done, e1 + 2000 * FE_MS);
	CHECK_INT(R[1].t_first, e1 + 2000 * FE_MS);
	CHECK_INT(R[1].t_done, e1 + 2000 * FE_MS);
	CHECK_INT(st.busy_ns_total, e3); /* the engine's time is its own */
	/* 1 s per request, nothing per token: the server takes the first request until 1 s,
	 * the second until 2 s; the first's tokens, made meanwhile (it runs alone), wait for
	 * it and pass at 2 s; the second runs alone from 2 s */
	s.fe.per_output_token = 0;
	s.fe.per_request = 1.0;
	fixture_requests(P, R, 2, 100, 2);
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	CHECK_INT(R[0].t_first, 2000 * FE_MS);
	CHECK_INT(R[0].t_done, 2000 * FE_MS);
	CHECK_INT(R[1].t_first, 2000 * FE_MS + e1);
	CHECK_INT(R[1].t_done, 2000 * FE_MS + alone);
	CHECK_INT(st.makespan, 2000 * FE_MS + alone);
	/* the same with a 0.5 s latency after the server: the server takes request 0 until
	 * 1 s and request 1 until 2 s; the engine sees request 0 at 1.5 s, runs it alone
	 * (done by 1.5 s + alone < 2 s), and its tokens wait for the server, free at 2 s;
	 * request 1 reaches the engine at 2.5 s and runs alone */
	CHECK(alone < 500 * FE_MS);
	s.fe.latency = 0.5;
	fixture_requests(P, R, 2, 100, 2);
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	CHECK_INT(R[0].t_first, 2000 * FE_MS);
	CHECK_INT(R[0].t_done, 2000 * FE_MS);
	CHECK_INT(R[1].t_first, 2500 * FE_MS + e1);
	CHECK_INT(R[1].t_done, 2500 * FE_MS + alone);
	CHECK_INT(st.makespan, 2500 * FE_MS + alone);
	/* the latency alone holds no server: both requests are in it at once and reach the
	 * engine together at 0.5 s, the run without a front end shifted by 0.5 s */
	s.fe.per_request = 0;
	fixture_requests(P, R, 2, 100, 2);
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	CHECK_INT(R[0].t_first, 500 * FE_MS + e1);
	CHECK_INT(R[0].t_done, 500 * FE_MS + e2);
	CHECK_INT(R[1].t_first, 500 * FE_MS + e2);
	CHECK_INT(R[1].t_done, 500 * FE_MS + e3);
	CHECK_INT(st.busy_ns_total, e3);
}

static void test_frontend_closed_loop(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	static const int64_t arrival[4] = {0, 0, 2500, 3000}, done[4] = {2500, 3000, 5500, 6000};
	s = model_setup(&m, &p, "r1-qwen-7b");
	s.loop = SIM_CLOSED;
	s.concurrency = 2;
	/* one output token each; a prefill step of well under 0.5 s */
	fixture_requests(P, R, 4, 100, 1);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	CHECK(R[0].t_done < 500 * FE_MS);
	/* 1 s per request, 0.5 s per token, two clients (s):
	 *   0    both send: the server takes problem 0 until 1, problem 1 until 2;
	 *   1+   problem 0's token is made, passes at max(1+, 2) + 0.5 = 2.5: client 0 sends
	 *        problem 2 at 2.5;
	 *   2+   problem 1's token, made before 2.5, passes at 2.5 + 0.5 = 3.0: client 1 sends
	 *        problem 3 at 3.0;
	 *   the server takes problem 2 from 3.0 to 4.0, problem 3 from 4.0 to 5.0; problem 2's
	 *   token passes at max(4+, 5) + 0.5 = 5.5, problem 3's at 6.0. */
	s.fe.per_request = 1.0;
	s.fe.per_output_token = 0.5;
	fixture_requests(P, R, 4, 100, 1);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(P[i].arrival, arrival[i] * FE_MS);
		CHECK_INT(P[i].t_done, done[i] * FE_MS);
		CHECK_INT(R[i].t_first, done[i] * FE_MS);
		CHECK_INT(R[i].t_done, done[i] * FE_MS);
	}
	CHECK_INT(st.makespan, 6000 * FE_MS);
	/* a negative time is refused, a latency too */
	s.fe.per_request = -1;
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), -1);
	s.fe.per_request = 0;
	s.fe.latency = -1e-3;
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), -1);
	s.fe.latency = 0;
	s.fe.first_token = -1e-3;
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), -1);
}

/* The first-token time (engine.h): server work once per request as its first token
 * passes, serial, so first tokens made together pass one after another. */
static void test_frontend_first_token(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	int64_t e1, e2, busy;
	s = model_setup(&m, &p, "r1-qwen-7b");
	/* four at 0, no front end: the idle engine prefills request 0 alone (step ending
	 * e1), then requests 1-3 together beside request 0's decode (e2) */
	fixture_requests(P, R, 4, 100, 2);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	e1 = R[0].t_first, e2 = R[1].t_first, busy = st.busy_ns_total;
	for (int i = 1; i < 4; i++)
		CHECK_INT(R[i].t_first, e2);
	CHECK(e2 > e1 && e2 < e1 + 1000 * FE_MS);
	/* 1 s at each first token, nothing else: request 0's passes at e1 + 1 s; step 2's
	 * three first tokens (made at e2, the server busy until e1 + 1 s) pass one after
	 * another: the k-th (k = 1..3) at e1 + (1 + k) s, k x 1 s beyond the engine's and
	 * the server's first; every last token, made while the server is behind and no
	 * first token, joins its request's waiting output and passes with step 2's batch */
	s.fe.first_token = 1.0;
	fixture_requests(P, R, 4, 100, 2);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	CHECK_INT(R[0].t_first, e1 + 1000 * FE_MS);
	for (int k = 1; k < 4; k++)
		CHECK_INT(R[k].t_first, e1 + (1 + k) * 1000 * FE_MS);
	for (int i = 0; i < 4; i++)
		CHECK_INT(R[i].t_done, e1 + 4000 * FE_MS);
	CHECK_INT(st.makespan, e1 + 4000 * FE_MS);
	CHECK_INT(st.busy_ns_total, busy); /* the engine's time is its own */
	/* with 0.5 s a token as well: step 1's token pays both (1.5 s); step 2 (behind)
	 * pays for its three first tokens only: 3 x (0.5 + 1) s */
	s.fe.per_output_token = 0.5;
	fixture_requests(P, R, 4, 100, 2);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	CHECK_INT(R[0].t_first, e1 + 1500 * FE_MS);
	for (int k = 1; k < 4; k++)
		CHECK_INT(R[k].t_first, e1 + (3000 + 1000 * k) * FE_MS);
	CHECK_INT(R[3].t_done, e1 + 6000 * FE_MS);
}

/* Routing on two replicas, worked by hand (block size 16; problems at 0, routed in order):
 *   part 1: a long prompt (8000 tokens: 500 blocks) goes to replica 0, a short one (100:
 *           7 blocks) to replica 1 under every policy; a third short one finds one sequence
 *           on each: least_loaded breaks the tie to replica 0, beside the long one, while
 *           least_kv sees 500 blocks against 7 and picks replica 1; round robin, 0;
 *   part 2: one sequence a replica (max_num_seqs 1): short prompts on 0 and 1, then the
 *           long one on 0 (7 blocks in use each: the tie goes to 0) waits there unadmitted;
 *           the next short one sees 7 + 500 queued against 7 and goes to replica 1, as it
 *           would not if least_kv counted only the blocks in use;
 *   part 3: part 1 behind a 1 s front end: at routing the engines hold nothing, and the
 *           long prompt counts from its routing (500 blocks routed, not yet admitted). */
static void route_fixture(const int *prompt, int n)
{
	fixture_requests(P, R, n, 100, 50);
	for (int i = 0; i < n; i++)
		R[i].prompt = prompt[i];
}

static void test_route_least_kv(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	static const int prompt1[3] = {8000, 100, 100}, prompt2[4] = {100, 100, 8000, 100};
	static const int rr[3] = {0, 1, 0}, ll[3] = {0, 1, 0}, kv[3] = {0, 1, 1};
	static const int kv2[4] = {0, 1, 0, 1};
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
	s.replicas = 2;
	for (int fe = 0; fe < 2; fe++) {
		s.fe.per_request = fe ? 1.0 : 0;
		s.route = ROUTE_ROUND_ROBIN;
		route_fixture(prompt1, 3);
		CHECK_INT(sim_run(&s, P, 3, R, 3, &st), 0);
		for (int i = 0; i < 3; i++)
			CHECK_INT(R[i].replica, rr[i]);
		s.route = ROUTE_LEAST_LOADED;
		route_fixture(prompt1, 3);
		CHECK_INT(sim_run(&s, P, 3, R, 3, &st), 0);
		for (int i = 0; i < 3; i++)
			CHECK_INT(R[i].replica, ll[i]);
		s.route = ROUTE_LEAST_KV;
		route_fixture(prompt1, 3);
		CHECK_INT(sim_run(&s, P, 3, R, 3, &st), 0);
		for (int i = 0; i < 3; i++)
			CHECK_INT(R[i].replica, kv[i]);
	}
	s.fe.per_request = 0;
	s.max_num_seqs = 1;
	s.route = ROUTE_LEAST_KV;
	route_fixture(prompt2, 4);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	for (int i = 0; i < 4; i++)
		CHECK_INT(R[i].replica, kv2[i]);
	CHECK(R[2].t_first > R[0].t_done); /* the long one waited for the first to finish */
}

/* prompt_cache: each prompt's full blocks but the last token's come from the prefix cache,
 * so exactly the rest is prefilled, the first token comes sooner, and with preemption (a
 * small cache) the invariants hold and every output token is produced once. */
static void test_prompt_cache(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	const long n = 32;
	double want = 0, ttft[2];
	CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
	for (int pc = 0; pc < 2; pc++) { /* a lone request: TTFT with and without */
		s = fixture_setup(&m, &p);
		s.prompt_cache = pc;
		fixture_requests(P, R, 1, 1000, 10);
		CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);
		ttft[pc] = (double)R[0].t_first;
		CHECK_NEAR(st.prefill_tokens, pc ? 1000 - 992 : 1000, 0);
	}
	CHECK(ttft[1] < 0.5 * ttft[0]);
	s = fixture_setup(&m, &p);
	s.prompt_cache = 1;
	fixture_requests(P, R, n, 100, 100);
	for (long i = 0; i < n; i++) {
		R[i].prompt = 1 + (int32_t)(i * 37 % 600);
		want += R[i].prompt - (R[i].prompt - 1) / 16 * 16;
	}
	CHECK_INT(sim_run(&s, P, n, R, n, &st), 0);
	CHECK_INT(st.preemptions, 0);
	CHECK_NEAR(st.prefill_tokens, want, 0);
	p.hbm_bytes = 8e9; /* the preemption fixture's small cache */
	s = fixture_setup(&m, &p);
	s.prompt_cache = 1;
	s.max_num_batched_tokens = 2048;
	want = 0;
	want += preemption_requests();
	CHECK_INT(sim_run(&s, P, 64, R, 64, &st), 0); /* check=1: invariants every step */
	CHECK(st.preemptions > 0);
	for (long i = 0; i < 64; i++)
		CHECK_INT(R[i].generated, R[i].output);
	CHECK_NEAR(st.output_tokens, want, 0);
}

/* prefix_caching (vLLM V1's free queue, sim/engine.c "the free queue"), worked by hand: a
 * pool of 10 blocks of 16 tokens, A (prompt 64, 40 out) and B (prompt 32, 100 out) at 0.
 * After the prefills A holds 4 blocks and B 2; each 16 steps both need one more, and when
 * A needs its 7th and B its 5th (12 > 10) B, the newest, is preempted with 32 tokens
 * generated, 63 in its KV cache: 3 full blocks, cached, and a partial one, not, freed
 * first. A takes its 7th block from the queue's head, that partial one, and needs no 8th
 * (it ends at 103 tokens). B, admitted once A is done, finds its 3 blocks (48 tokens) of
 * the 64 to recompute and prefills 16: 64 + 32 + 16 tokens in all; 64 + 32 + 64 without
 * the cache. */
static void test_prefix_caching_preemption(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	double pf[2];
	CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
	for (int pc = 0; pc < 2; pc++) {
		p = fixture_profile();
		s = fixture_setup(&m, &p);
		s.prefix_caching = pc;
		CHECK_INT(fixture_size_kv(&p, &s, 10), 0);
		fixture_requests(P, R, 2, 64, 40);
		R[1].prompt = 32;
		R[1].output = 100;
		for (int e = 0; e < 2; e++) { /* the fast and the reference engine */
			s.reference = e;
			CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0); /* invariants every step */
			CHECK_INT(st.kv_blocks, 10);
			CHECK_INT(st.preemptions, 1);
			CHECK_INT(R[0].preemptions, 0);
			CHECK_INT(R[1].generated, 100);
			CHECK_NEAR(st.output_tokens, 140, 0);
			CHECK_NEAR(st.prefill_tokens, pc ? 64 + 32 + 16 : 64 + 32 + 64, 0);
			CHECK_NEAR(st.preempt_hit_tokens, pc ? 48 : 0, 0);
			CHECK(R[1].t_done > R[0].t_done);
		}
		pf[pc] = (double)R[1].t_done;
	}
	CHECK(pf[1] < pf[0]); /* less to recompute: B ends sooner */
	/* the preemption fixture's small cache under both: every token once, invariants */
	for (int pc = 0; pc < 2; pc++) {
		double want = 0;
		p = fixture_profile();
		p.hbm_bytes = 8e9;
		s = fixture_setup(&m, &p);
		s.prefix_caching = pc;
		s.max_num_batched_tokens = 2048;
		want += preemption_requests();
		CHECK_INT(sim_run(&s, P, 64, R, 64, &st), 0);
		CHECK(st.preemptions > 0);
		CHECK_NEAR(st.output_tokens, want, 0);
		pf[pc] = st.prefill_tokens;
	}
	CHECK(pf[1] < pf[0]);
	/* waves of preemptions: 128 requests whose prompts (17 to 32 tokens) fill the pool,
	 * preempted with a partial block each, both engines (the segment pool growing while a
	 * sequence is cached: tests/cli/run.sh's MATH500 x 32 samples run, under the sanitizers) */
	p = fixture_profile();
	s = fixture_setup(&m, &p);
	s.prefix_caching = 1;
	CHECK_INT(fixture_size_kv(&p, &s, 256), 0);
	fixture_requests(P, R, 128, 17, 300);
	for (long i = 0; i < 128; i++)
		R[i].prompt = 17 + (int32_t)(i * 7 % 16);
	for (int e = 0; e < 2; e++) {
		s.reference = e;
		CHECK_INT(sim_run(&s, P, 128, R, 128, &st), 0);
		CHECK(st.preemptions > 64 && st.preempt_hit_tokens > 0);
		CHECK_NEAR(st.output_tokens, 128 * 300, 0);
	}
	/* forked samples (8 a problem, prompts shared): a preempted sample admitted again while
	 * its siblings hold the prompt's full blocks shares them again and finds its own
	 * surviving blocks after them; fewer tokens recomputed than without prefix caching,
	 * every output token once, the invariants every step, both engines alike */
	{
		double pfk[2], want = 0;
		for (int pc = 0; pc < 2; pc++) {
			for (int e = 0; e < 2; e++) {
				p = fixture_profile();
				s = fixture_setup(&m, &p);
				s.prefix_caching = pc;
				s.reference = e;
				s.max_num_batched_tokens = 512;
				CHECK_INT(fixture_size_kv(&p, &s, 400), 0);
				want = forked_requests();
				CHECK_INT(sim_run(&s, P, 32, R, 256, &st), 0);
				CHECK(st.preemptions > 0);
				CHECK_NEAR(st.output_tokens, want, 0);
				CHECK(pc ? st.preempt_hit_tokens > 0 : st.preempt_hit_tokens == 0);
				if (e == 0)
					pfk[pc] = st.prefill_tokens;
				else
					CHECK_NEAR(st.prefill_tokens, pfk[pc], 0);
			}
		}
		CHECK(pfk[1] < pfk[0]);
	}
}

/* Sliding windows (vLLM V1's hybrid KV cache manager; models/model.h struct kv_groups).
 * gpt-oss-20b: 12 full and 12 sliding layers (window 128) are one full and one sliding
 * group of 12 layers; a pool block is 16 tokens of 12 layers. Worked by hand, a sequence of
 * `tokens` slots with `computed` of them in the cache holds ceil(tokens / 16) full blocks
 * and that many less floor((computed - 127) / 16) sliding ones. */
static void test_sliding_window_blocks(void)
{
	struct model m;
	struct kv_groups g;
	CHECK_INT(model_find(&m, "gpt-oss-20b"), 0);
	model_kv_groups(&m, &g);
	CHECK_INT(g.n_full, 1);
	CHECK_INT(g.n_swa, 1);
	CHECK_INT(g.layers, 12);
	CHECK_INT(g.window, 128);
	CHECK_NEAR(model_kv_block_frac(&m), 0.5, 0);
	/* a prefill of 100 tokens: 7 blocks in each group */
	CHECK_INT(kv_seq_blocks(&g, 16, 100, 0), 14);
	/* below the window: the step computing token 128 (127 in the cache) frees nothing */
	CHECK_INT(kv_seq_blocks(&g, 16, 128, 127), 16);
	/* at the window: token 129's window is tokens 1..128; block 0 still holds 1..15 */
	CHECK_INT(kv_seq_blocks(&g, 16, 129, 128), 18);
	/* 143 in the cache: tokens 0..15 are outside the window: block 0 freed */
	CHECK_INT(kv_seq_blocks(&g, 16, 144, 143), 9 + 8);
	/* 1000 in the cache: 873 tokens skipped, 54 whole blocks; 63 - 54 = 9 sliding */
	CHECK_INT(kv_seq_blocks(&g, 16, 1001, 1000), 63 + 9);
	/* 100,000: 6,251 full and 9 sliding blocks, against 2 x 6,251 when not freed */
	CHECK_INT(kv_seq_blocks(&g, 16, 100001, 100000), 6251 + 9);
	/* a chunked prefill's step (computed 4096, chunk 2048): 384 - 248 sliding */
	CHECK_INT(kv_seq_blocks(&g, 16, 6144, 4096), 384 + 384 - 248);
	/* vLLM's startup figure: 8192 full + cdiv(127 + 8192, 16) + 1 = 521 sliding blocks a
	 * request at 131,072 tokens with max_num_batched_tokens 8192 */
	CHECK_INT(kv_request_blocks(&g, 16, 131072, 8192), 8192 + 521);
	CHECK_INT(kv_seq_blocks_max(&g, 16, 131072, 8192), 8192 + 521);
	CHECK_INT(kv_seq_blocks_max(&g, 16, 100, 8192), 14);
	/* every dense model: one group, the blocks as before */
	CHECK_INT(model_find(&m, "r1-qwen-14b"), 0);
	model_kv_groups(&m, &g);
	CHECK_INT(g.n_full, 1);
	CHECK_INT(g.n_swa, 0);
	CHECK_INT(g.layers, m.n_layers);
	CHECK_NEAR(model_kv_block_frac(&m), 1, 0);
	CHECK_INT(kv_seq_blocks(&g, 16, 100001, 100000), 6251);
	CHECK_INT(kv_request_blocks(&g, 16, 131072, 8192), 8192);
	/* all layers sliding (Mistral-7B v0.1, window 4096): one sliding group */
	m.window = 4096;
	m.n_swa = m.n_layers;
	model_kv_groups(&m, &g);
	CHECK_INT(g.n_full, 0);
	CHECK_INT(g.n_swa, 1);
	CHECK_NEAR(model_kv_block_frac(&m), 1, 0);
	CHECK_INT(kv_seq_blocks(&g, 16, 10001, 10000), 626 - (10000 - 4095) / 16);
	/* 13 full and 12 sliding layers (gpt-oss-20b with an EAGLE layer): both padded to 13 */
	m.n_layers = 25;
	m.n_swa = 12;
	model_kv_groups(&m, &g);
	CHECK_INT(g.n_full, 1);
	CHECK_INT(g.n_swa, 1);
	CHECK_INT(g.layers, 13);
	/* 30 full, 10 sliding: groups of 10, three full and one sliding */
	m.n_layers = 40;
	m.n_swa = 10;
	model_kv_groups(&m, &g);
	CHECK_INT(g.n_full, 3);
	CHECK_INT(g.n_swa, 1);
	CHECK_INT(g.layers, 10);
}

/* gpt-oss-20b's capacity: N sequences of 100 + 2000 tokens decoding in step run without a
 * preemption exactly when they fit at their last step, 132 full + 9 sliding group blocks
 * each (test_sliding_window_blocks); with the sliding layers' blocks never freed (the same
 * model read as dense: one group of 24 layers, 132 blocks of twice the bytes) the same
 * memory holds 2 x 132 / 141 = 1.87 times fewer (here 10 against 20). */
static void test_sliding_window_capacity(void)
{
	struct model m, dense;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	long cap, cap_dense;
	CHECK_INT(model_find(&m, "gpt-oss-20b"), 0);
	dense = m;
	dense.window = dense.n_swa = 0;
	s = fixture_setup(&m, &p);
	CHECK_INT(fixture_size_kv(&p, &s, 141 * 20 + 70), 0);
	fixture_requests(P, R, 21, 100, 2000);
	CHECK_INT(sim_run(&s, P, 20, R, 20, &st), 0); /* check=1: invariants every step */
	cap = st.kv_blocks / 141;
	CHECK_INT(cap, 20);
	CHECK_INT(st.preemptions, 0);
	CHECK(st.peak_kv_blocks <= 20 * 141 && st.peak_kv_blocks >= 20 * 140);
	fixture_requests(P, R, 21, 100, 2000);
	CHECK_INT(sim_run(&s, P, 21, R, 21, &st), 0);
	CHECK(st.preemptions > 0);
	for (long i = 0; i < 21; i++)
		CHECK_INT(R[i].generated, R[i].output);
	/* the same memory, nothing freed outside the window */
	s.model = &dense;
	fixture_requests(P, R, 21, 100, 2000);
	CHECK_INT(sim_run(&s, P, 21, R, 21, &st), 0);
	cap_dense = st.kv_blocks / 132;
	CHECK_INT(cap_dense, 10); /* (20 x 141 + 70) / 2 / 132 */
	CHECK(st.preemptions > 0);
	fixture_requests(P, R, 10, 100, 2000);
	CHECK_INT(sim_run(&s, P, 10, R, 10, &st), 0);
	CHECK_INT(st.preemptions, 0);
}

/* Forked samples, the prompt cache, chunked prefill and preemption on gpt-oss-20b, and on an
 * all-sliding model (window 64): every step the invariant checker holds each sequence to
 * exactly the rule's blocks and the pool to held + free; every token made once. */
static void test_sliding_window_forks(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	for (int k = 0; k < 4; k++) {
		double want = 0;
		CHECK_INT(model_find(&m, k < 2 ? "gpt-oss-20b" : "r1-qwen-1.5b"), 0);
		if (k >= 2) {
			m.window = 64;
			m.n_swa = m.n_layers;
		}
		s = fixture_setup(&m, &p);
		s.prompt_cache = k % 2;
		s.max_num_batched_tokens = 512;
		CHECK_INT(fixture_size_kv(&p, &s, k < 2 ? 1500 : 150), 0);
		want += forked_requests();
		CHECK_INT(sim_run(&s, P, 32, R, 256, &st), 0);
		CHECK(st.preemptions > 0);
		CHECK_NEAR(st.output_tokens, want, 0);
		for (long j = 0; j < 256; j++)
			CHECK_INT(R[j].generated, R[j].output);
	}
}

int main(void)
{
	util_gsl_init();
	test_lone_decode();
	test_bandwidth_halves_tpot();
	test_littles_law();
	test_preemption_and_invariants();
	test_prefix_caching_preemption();
	test_chunked_prefill_and_determinism();
	test_errors();
	test_early_stop();
	test_early_stop_answer_numbers();
	test_secs_to_ns();
	test_time_limits();
	test_prefill_rate_factors();
	test_memo_pool();
	test_acceptance_length();
	test_spec_batch_regime();
	test_spec_eagle3_remap();
	test_spec_tree();
	test_spec_mtp();
	test_spec_ngram_match();
	test_frontend_one_request();
	test_frontend_burst();
	test_frontend_first_token();
	test_frontend_closed_loop();
	test_route_least_kv();
	test_prompt_cache();
	test_sliding_window_blocks();
	test_sliding_window_capacity();
	test_sliding_window_forks();
	return TEST_REPORT();
}
