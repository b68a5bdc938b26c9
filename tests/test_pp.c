/*
 * test_pp.c: pipeline parallelism and layouts over nodes (sim/engine.c, "pipeline
 * parallelism"; sim/run.c, run_layout) against hand-worked times: one sequence crosses
 * every stage in turn (the whole step plus the stage-to-stage sends, which are worked from
 * the profile's numbers by hand), two sequences fill a two-stage pipe in the time of one,
 * the busiest stage holds ceil(L/pp) layers' weights and KV, and layouts that do not fit
 * are refused naming their key.
 */
#include <math.h>
#include <string.h>

#include "models/comm.h"
#include "models/cost.h"
#include "models/model.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/run.h"
#include "tests/engine_fixture.h"
#include "tests/test.h"
#include "lib/util.h"

static struct sim_problem P[4];
static struct sim_req R[4];

/* the fixture's profile, four GPUs a node, with a network of round numbers */
static struct profile net_profile(void)
{
	struct profile p = fixture_profile();
	p.gpus_per_node = 4;
	p.net = (struct network_model){.lat = 5e-6, .bw = 25e9};
	return p;
}

static double one_step(const struct sim_setup *s, const struct step_batch *b)
{
	struct cost_ctx c;
	double t;
	CHECK_INT(cost_init(&c, s->model, s->profile, s->tp, s->cuda_graphs), 0);
	t = cost_step(&c, b, NULL);
	cost_release(&c);
	return t;
}

static void test_bubble(void)
{
	struct model m;
	struct profile p = net_profile();
	struct sim_setup s;
	struct step_batch one = {.n_decode = 1, .decode_q = 1, .decode_ctx = 1000, .n_sample = 1};
	struct step_batch two = {.n_decode = 2, .decode_q = 1, .decode_ctx = 2000, .n_sample = 2};
	double whole, send;

	CHECK_INT(model_find(&m, "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"), 0);
	s = fixture_setup(&m, &p);
	whole = one_step(&s, &one);
	CHECK_NEAR(sim_pp_period(&s, &one, NULL), whole, 1e-15); /* pp 1: the step itself */
	/* two stages on two nodes: one sequence's token crosses both stages in turn, then its
	 * hidden states and residual (2 x 5120 x 2 bytes) cross the network once:
	 * 5 us + 20480 B / 25 GB/s */
	s.pp = 2, s.pp_cross = 1;
	send = 5e-6 + 20480 / 25e9;
	CHECK_NEAR(sim_pp_period(&s, &one, NULL), whole + send, 1e-12);
	/* two sequences fill the two stages: each micro-batch holds one, and the round takes
	 * one sequence's trip (the busiest stage works half of it twice, 24 of 48 layers) */
	CHECK_NEAR(sim_pp_period(&s, &two, NULL), whole + send, 1e-12);
	/* four stages inside one node: three sends over NVLink, each the 2-GPU model's
	 * latency and bus bandwidth (10 us, 300 GB/s) */
	/* the share of a round the stages work: one sequence's layers and LM head spread over
	 * the 2 stages, and the CPU, over the round; two sequences keep both stages busy for
	 * a layer pass each (the second micro-batch's LM head too) */
	{
		struct cost_ctx c;
		struct step_cost part;
		double busy, layers, period;
		CHECK_INT(cost_init(&c, s.model, s.profile, s.tp, s.cuda_graphs), 0);
		cost_step(&c, &one, &part);
		cost_release(&c);
		layers = part.gemm + part.attn_prefill + part.attn_decode + part.allreduce +
			 part.elementwise;
		period = sim_pp_period(&s, &one, &busy);
		CHECK_NEAR(busy, ((layers + part.lm_head) / 2 + part.cpu) / period, 1e-12);
		CHECK(busy < 0.6);
		period = sim_pp_period(&s, &two, &busy);
		CHECK_NEAR(busy, fmin(1, (layers + part.lm_head + 2 * part.cpu) / period), 1e-12);
		s.pp = 1;
		sim_pp_period(&s, &one, &busy);
		CHECK_NEAR(busy, 1, 0);
		s.pp = 2;
	}
	s.pp = 4, s.pp_cross = 0;
	CHECK_NEAR(sim_pp_period(&s, &one, NULL), whole + 3 * (10e-6 + 20480 / 300e9), 1e-12);
	/* and one over the network (4 stages on 2 nodes: 2 a node) */
	s.pp_cross = 1;
	CHECK_NEAR(sim_pp_period(&s, &one, NULL), whole + 2 * (10e-6 + 20480 / 300e9) + send, 1e-12);
}

/* A lone request on two stages: every decode step is the unsplit step plus one send; the
 * busiest stage holds 24 of the 48 layers' weights and KV and one embedding matrix. */
static void test_lone_request(void)
{
	struct model m;
	struct profile p = net_profile();
	struct sim_setup s;
	struct sim_stats st1, st2;
	struct cost_ctx c;
	struct mem_plan mp;
	double tpot1, tpot2, emb, w2, kv2;

	CHECK_INT(model_find(&m, "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"), 0);
	s = fixture_setup(&m, &p);
	fixture_requests(P, R, 1, 100, 500);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st1), 0);
	tpot1 = fixture_mean_tpot_ms(R, 1);
	s.pp = 2, s.pp_cross = 1;
	fixture_requests(P, R, 1, 100, 500);
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st2), 0);
	tpot2 = fixture_mean_tpot_ms(R, 1);
	CHECK_NEAR(tpot2 - tpot1, (5e-6 + 20480 / 25e9) * 1e3, 1e-6);
	CHECK_INT(st2.steps, st1.steps);
	/* energy: without stages the replica works whenever it steps; on two stages each GPU
	 * idles in the bubble, about half of each round here (its share at the first and
	 * the last decode step bound the whole run's) */
	{
		struct step_batch a = {.n_decode = 1, .decode_q = 1, .decode_ctx = 101, .n_sample = 1};
		struct step_batch z = {.n_decode = 1, .decode_q = 1, .decode_ctx = 600, .n_sample = 1};
		double ba, bz, share = (double)st2.busy_ns_total / (double)st2.makespan;
		sim_pp_period(&s, &a, &ba);
		sim_pp_period(&s, &z, &bz);
		CHECK(st1.busy_ns_total > 0.99 * st1.makespan);
		CHECK(share > fmin(ba, bz) - 0.02 && share < fmax(ba, bz) + 0.02);
		CHECK(share < 0.6);
	}

	/* memory of the busiest stage, by hand from the whole model's plan */
	CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
	CHECK_INT(cost_mem_plan(&c, 0.9, 8192, 256, 16, &mp), 0);
	emb = (double)m.vocab * m.hidden * 2; /* untied: embedding and LM head, one each end */
	w2 = (mp.weights - 2 * emb - m.hidden * 2.0) / 2 + emb + m.hidden * 2.0;
	kv2 = mp.kv + mp.weights - w2; /* same activations and reserve */
	CHECK_NEAR(st2.weight_bytes, w2, 1.0);
	CHECK_INT(st2.kv_blocks, (long)floor(kv2 / (c.kv_bytes_tok / 2 * 16)));
	CHECK(st2.kv_blocks > 2 * st1.kv_blocks); /* half the layers, and more room */
	cost_release(&c);

	/* more stages than layers, and speculation, are refused */
	s.pp = 64;
	CHECK_INT(sim_run(&s, P, 1, R, 1, &st2), -1);
	CHECK(strstr(err_msg(), "key 'pp'") != NULL);
}

/* Where a replica's GPUs sit (sim/run.c, run_layout). */
static void test_layout(void)
{
	struct profile p = net_profile();
	struct run_config c;
	int tn, pc;
	config_defaults(&c);
	c.tp = 4, c.pp = 2, c.nodes = 2; /* a stage a node */
	CHECK_INT(run_layout(&c, &p, &tn, &pc), 0);
	CHECK(tn == 1 && pc == 1);
	c.tp = 2, c.pp = 4, c.nodes = 2; /* two stages a node, one boundary crosses */
	CHECK_INT(run_layout(&c, &p, &tn, &pc), 0);
	CHECK(tn == 1 && pc == 1);
	c.tp = 4, c.pp = 1, c.nodes = 2; /* TP over two nodes, two GPUs on each */
	CHECK_INT(run_layout(&c, &p, &tn, &pc), 0);
	CHECK(tn == 2 && pc == 0);
	c.tp = 4, c.pp = 2, c.nodes = 4; /* each stage's TP group over two nodes */
	CHECK_INT(run_layout(&c, &p, &tn, &pc), 0);
	CHECK(tn == 2 && pc == 1);
	c.tp = 8, c.pp = 1, c.nodes = 1;
	CHECK_INT(run_layout(&c, &p, &tn, &pc), -1);
	CHECK(strstr(err_msg(), "key 'nodes': tp 8 x pp 1 = 8 GPUs do not fit in one") != NULL);
	c.tp = 1, c.pp = 3, c.nodes = 2;
	CHECK_INT(run_layout(&c, &p, &tn, &pc), -1);
	CHECK(strstr(err_msg(), "spread evenly") != NULL);
	c.tp = 2, c.pp = 3, c.nodes = 2;
	CHECK_INT(run_layout(&c, &p, &tn, &pc), -1);
	CHECK(strstr(err_msg(), "3 pipeline stages cannot be placed evenly on 2") != NULL);
	p.net = (struct network_model){0};
	c.tp = 4, c.pp = 2, c.nodes = 2;
	CHECK_INT(run_layout(&c, &p, &tn, &pc), -1);
	CHECK(strstr(err_msg(), "no network section") != NULL);
}

/* TP over nodes: the per-layer all-reduce goes through models/comm.c. */
static void test_tp_over_nodes(void)
{
	struct model m;
	struct profile p = net_profile();
	struct cost_ctx c;
	struct step_cost sc;
	struct step_batch b = {.n_decode = 1, .decode_q = 1, .decode_ctx = 1000, .n_sample = 1};
	double ar;
	CHECK_INT(model_find(&m, "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"), 0);
	CHECK_INT(cost_init_nodes(&c, &m, &p, 4, 2, 1), 0);
	cost_step(&c, &b, &sc);
	/* one token's hidden state (10240 B) over 2 nodes of 2 GPUs: the 2-GPU custom
	 * all-reduce (5 us + 10240 B / 150 GB/s) and 2 x 1/2 x 5120 B per NIC in 2 steps */
	ar = 5e-6 + 10240 / 150e9 + 2 * 5e-6 + 5120 / 25e9;
	CHECK_NEAR(comm_allreduce(&p, 10240, 4, 2), ar, 1e-15);
	CHECK_NEAR(sc.allreduce, 48 * 2 * ar, 1e-12);
	cost_release(&c);
	p.net = (struct network_model){0};
	CHECK_INT(cost_init_nodes(&c, &m, &p, 4, 2, 1), -1);
	CHECK(strstr(err_msg(), "key 'tp'") != NULL);
}

/* Eager (no CUDA graphs), host-bound: a lone sequence's trip through two stages still waits
 * for the host to issue every op, as the whole step does (cost_step's host_wait), then
 * crosses the network once. Without the wait in pp_period the round came out shorter than
 * the step it pipelines. */
static void test_eager_stages(void)
{
	struct model m;
	struct profile p = net_profile();
	struct sim_setup s;
	struct step_batch one = {.n_decode = 1, .decode_q = 1, .decode_ctx = 1000, .n_sample = 1};
	double whole, graphs;
	struct step_cost sc;
	struct cost_ctx c;

	CHECK_INT(model_find(&m, "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"), 0);
	p.host_op_eager = 100e-6; /* far above any op's GPU time here: host-bound */
	s = fixture_setup(&m, &p);
	graphs = one_step(&s, &one);
	s.cuda_graphs = 0;
	CHECK_INT(cost_init(&c, s.model, s.profile, s.tp, s.cuda_graphs), 0);
	whole = cost_step(&c, &one, &sc);
	cost_release(&c);
	CHECK(sc.host_wait > 0);      /* the case is host-bound */
	CHECK(whole > graphs);
	s.pp = 2, s.pp_cross = 1;
	CHECK_NEAR(sim_pp_period(&s, &one, NULL), whole + 5e-6 + 20480 / 25e9, 1e-12);
}

int main(void)
{
	test_bubble();
	test_lone_request();
	test_layout();
	test_tp_over_nodes();
	test_eager_stages();
	return TEST_REPORT();
}
