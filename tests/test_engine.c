/*
 * test_engine.c: the engine against arithmetic that does not go through it: a lone
 * decoding request costs its weight and KV bytes over the bandwidth plus the fixed costs;
 * a closed loop obeys Little's law; doubling bandwidth nearly halves a decode-bound TPOT;
 * the scheduler never exceeds its token budget or the KV cache (checked every step by
 * sim_setup.check), preempted sequences resume, and every output token is produced once;
 * the front end's serial server, worked by hand for one request, a burst of two and a
 * closed loop of two clients.
 */
#include <stdlib.h>

#include "models/cost.h"
#include "sim/engine.h"
#include "tests/engine_fixture.h"
#include "models/model.h"
#include "tests/test.h"
#include "lib/util.h"

#define MAXR 512
static struct sim_problem P[MAXR];
static struct sim_req R[MAXR];

static void test_lone_decode(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	const int prompt = 100, out = 1000;
	double L, W, embed, kv_mean, expect;

	CHECK_INT(model_find(&m, "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"), 0);
	s = fixture_setup(&m, &p);
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
	CHECK_INT(model_find(&m, "r1-qwen-14b"), 0);
	s = fixture_setup(&m, &p);
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
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
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
	fixture_requests(P, R, n, 100, 2000);
	for (long i = 0; i < n; i++) {
		R[i].prompt = 50 + (int32_t)(i * 13 % 300);
		R[i].output = 500 + (int32_t)(i * 101 % 1500);
		want += R[i].output;
	}
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
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
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
	CHECK_INT(model_find(&m, "Qwen/Qwen2.5-72B-Instruct"), 0);
	s = fixture_setup(&m, &p);
	fixture_requests(P, R, 1, 10, 10);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), -1);
	CHECK(strstr(err_msg(), "does not fit") != NULL);
	CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
	s = fixture_setup(&m, &p);
	fixture_requests(P, R, 1, 100000, 40000);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), -1);
	CHECK(strstr(err_msg(), "max length") != NULL);
	s.tp = 8; /* 12 heads do not split over 8 GPUs */
	fixture_requests(P, R, 1, 10, 10);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), -1);
}

static void test_early_stop(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	/* one problem, 8 samples: 5 short correct ones finish first, so the majority is
	 * decided (5 > 0 + 3 left) and the three long ones are cancelled */
	CHECK_INT(model_find(&m, "r1-qwen-1.5b"), 0);
	s = fixture_setup(&m, &p);
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
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
	fixture_requests(P, R, 1, 100, 3);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st), 0);
	first0 = R[0].t_first, done0 = R[0].t_done, makespan0 = st.makespan;
	/* steps of a few ms: each token has passed the 0.5 ms server before the next comes,
	 * so the request is the engine's shifted by 10 ms, each token 0.5 ms later */
	CHECK(first0 > FE_MS && (done0 - first0) / 2 > FE_MS);
	s.fe_per_request = 10e-3;
	s.fe_per_output_token = 0.5e-3;
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
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
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
	 * tokens queue on the server: step 1's one token passes at e1 + 1 s, step 2's two
	 * (the first's last, the second's first) at e1 + 3 s, step 3's one at e1 + 4 s */
	s.fe_per_output_token = 1.0;
	fixture_requests(P, R, 2, 100, 2);
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	CHECK_INT(R[0].t_first, e1 + 1000 * FE_MS);
	CHECK_INT(R[0].t_done, e1 + 3000 * FE_MS);
	CHECK_INT(R[1].t_first, e1 + 3000 * FE_MS);
	CHECK_INT(R[1].t_done, e1 + 4000 * FE_MS);
	CHECK_INT(st.busy_ns_total, e3); /* the engine's time is its own */
	/* 1 s per request, nothing per token: the server takes the first request until 1 s,
	 * the second until 2 s; the first's tokens, made meanwhile (it runs alone), wait for
	 * it and pass at 2 s; the second runs alone from 2 s */
	s.fe_per_output_token = 0;
	s.fe_per_request = 1.0;
	fixture_requests(P, R, 2, 100, 2);
	CHECK_INT(sim_run(&s, P, 2, R, 2, &st), 0);
	CHECK_INT(R[0].t_first, 2000 * FE_MS);
	CHECK_INT(R[0].t_done, 2000 * FE_MS);
	CHECK_INT(R[1].t_first, 2000 * FE_MS + e1);
	CHECK_INT(R[1].t_done, 2000 * FE_MS + alone);
	CHECK_INT(st.makespan, 2000 * FE_MS + alone);
}

static void test_frontend_closed_loop(void)
{
	struct model m;
	struct profile p = fixture_profile();
	struct sim_setup s;
	struct sim_stats st;
	static const int64_t arrival[4] = {0, 0, 2500, 3000}, done[4] = {2500, 3000, 5500, 6000};
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0);
	s = fixture_setup(&m, &p);
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
	s.fe_per_request = 1.0;
	s.fe_per_output_token = 0.5;
	fixture_requests(P, R, 4, 100, 1);
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(P[i].arrival, arrival[i] * FE_MS);
		CHECK_INT(P[i].t_done, done[i] * FE_MS);
		CHECK_INT(R[i].t_first, done[i] * FE_MS);
		CHECK_INT(R[i].t_done, done[i] * FE_MS);
	}
	CHECK_INT(st.makespan, 6000 * FE_MS);
	/* a negative time is refused */
	s.fe_per_request = -1;
	CHECK_INT(sim_run(&s, P, 4, R, 4, &st), -1);
}

int main(void)
{
	util_gsl_init();
	test_lone_decode();
	test_bandwidth_halves_tpot();
	test_littles_law();
	test_preemption_and_invariants();
	test_chunked_prefill_and_determinism();
	test_errors();
	test_early_stop();
	test_prefill_rate_factors();
	test_memo_pool();
	test_frontend_one_request();
	test_frontend_burst();
	test_frontend_closed_loop();
	return TEST_REPORT();
}
