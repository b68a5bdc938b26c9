/*
 * test_plan.c: `ttsim plan`'s layouts (experiments/plan.h) over pipeline stages and nodes,
 * and the vLLM lines of one, without simulating anything.
 *
 * Layouts of 16 GPUs of a 4-GPU-node kind, tp and pp from {1, 2, 4, 8}, counted by hand:
 * a replica of g = tp x pp GPUs takes ceil(g / 4) nodes; up to 16 / g replicas, and a
 * replica over several nodes takes whole ones (4 nodes in all):
 *     g = 1  (1 x 1)                  16 replicas counts       16
 *     g = 2  (1 x 2, 2 x 1)           8 each                   16
 *     g = 4  (1 x 4, 2 x 2, 4 x 1)    4 each                   12
 *     g = 8  (1x8, 2x4, 4x2, 8x1)     2 nodes, 2 each           8
 *     g = 16 (2x8, 4x4, 8x2)          4 nodes, 1 each           3
 * 55 in all (what `ttsim plan --gpus gh200:16` reports).
 *
 * Expert parallelism (test_moe_ep): 8 GPUs of an 8-GPU node, tp {1, 2, 4, 8}, pp 1, ep
 * {none, tp, dp}; at tp 1 every mode is one deployment, so none only:
 *     tp 1   1 mode  x 8 replicas       8
 *     tp 2   3 modes x 4 replicas      12
 *     tp 4   3 modes x 2 replicas       6
 *     tp 8   3 modes x 1 replica        3
 * 29 in all; with ep {none} (a dense model) 8 + 4 + 2 + 1 = 15.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/plan.h"
#include "models/model.h"
#include "models/profile.h"
#include "lib/util.h"
#include "tests/test.h"

static void space(struct plan_space *sp, const char *gpus, int gpus_per_node)
{
	static const int sizes[4] = {1, 2, 4, 8};
	memset(sp, 0, sizeof(*sp));
	if (plan_parse_offers(sp, gpus) < 0) {
		fprintf(stderr, "%s\n", err_msg());
		exit(1);
	}
	for (int i = 0; i < sp->n_offers; i++)
		sp->offers[i].gpus_per_node = gpus_per_node;
	snprintf(sp->dtypes[0], sizeof(sp->dtypes[0]), "bf16");
	sp->n_dtypes = sp->n_specs = sp->n_mns = sp->n_mbt = 1;
	sp->max_num_seqs[0] = 256;
	sp->max_batched[0] = 8192;
	memcpy(sp->tps, sizes, sizeof(sizes));
	memcpy(sp->pps, sizes, sizeof(sizes));
	sp->n_tps = sp->n_pps = 4;
	sp->eps[0] = EP_NONE;
	sp->n_eps = 1;
}

/* A node of g GPUs, joined to others by a network or not. */
static void node(struct profile *p, int g, int network)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "test");
	p->gpus_per_node = g;
	p->net.bw = network ? 4e8 : 0;
	p->net.lat = network ? 7e-6 : 0;
}

/* Every layout is placeable by the simulator's own rule (run_layout) on the nodes it
 * names, and no fewer nodes place it; GPUs and nodes stay within the offer. */
static void test_gh200_16(void)
{
	struct plan_space sp;
	struct profile p;
	struct run_config base, c;
	struct plan_layout *l;
	long n, multi = 0, pp = 0;
	int tpn, ppc, seen_tp8 = 0, seen_tp4pp2 = 0;
	space(&sp, "gh200:16", 4);
	node(&p, 4, 1);
	config_defaults(&base);
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 55);
	for (long i = 0; i < n; i++) {
		plan_layout_config(&sp, &l[i], &base, &c);
		CHECK(run_gpus(&c) <= 16);
		CHECK(run_layout(&c, &p, &tpn, &ppc) == 0);
		if (c.nodes > 1) {
			struct run_config fewer = c;
			fewer.nodes = c.nodes - 1;
			CHECK(run_layout(&fewer, &p, &tpn, &ppc) < 0);
			CHECK(c.replicas * c.nodes <= 4);
			multi++;
		}
		pp += c.pp > 1;
		seen_tp8 += c.tp == 8 && c.pp == 1 && c.nodes == 2 && c.replicas == 1;
		seen_tp4pp2 += c.tp == 4 && c.pp == 2 && c.nodes == 2 && c.replicas == 2;
	}
	CHECK_INT(multi, 8 + 3); /* the g = 8 and g = 16 rows */
	CHECK(pp > 0);
	CHECK_INT(seen_tp8, 1);
	CHECK_INT(seen_tp4pp2, 1);
	free(l);
	/* --max-nodes 1: only what one node holds (g <= 4: 16 + 16 + 12) */
	sp.max_nodes = 1;
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 44);
	for (long i = 0; i < n; i++) {
		plan_layout_config(&sp, &l[i], &base, &c);
		CHECK_INT(c.nodes, 1);
	}
	free(l);
}

/* An 8-GPU node kind without a network: the 2-node layouts are still listed (so the plan
 * says why they are skipped), and run_layout refuses them for the missing network. */
static void test_no_network(void)
{
	struct plan_space sp;
	struct profile p;
	struct run_config base, c;
	struct plan_layout *l;
	long n, refused = 0;
	int tpn, ppc;
	space(&sp, "a100_sxm:16", 8);
	node(&p, 8, 0);
	config_defaults(&base);
	l = plan_layouts(&sp, &n);
	for (long i = 0; i < n; i++) {
		plan_layout_config(&sp, &l[i], &base, &c);
		if (c.nodes == 1) {
			CHECK(run_layout(&c, &p, &tpn, &ppc) == 0);
			continue;
		}
		CHECK_INT(c.nodes, 2);
		CHECK_INT(run_gpus(&c), 16);
		CHECK(run_layout(&c, &p, &tpn, &ppc) < 0 && strstr(err_msg(), "no network section"));
		refused++;
	}
	CHECK_INT(refused, 3); /* 2 x 8, 4 x 4, 8 x 2 */
	free(l);
}

/* Stages that do not divide the nodes: tp 4 x pp 3 = 12 GPUs on 8-GPU nodes cannot sit on
 * 2 (3 stages on 2 nodes), so 3 nodes of 4 each; 24 GPUs are 3 nodes, one such replica
 * (two would fill 24 GPUs but need 6 nodes); 12 GPUs, 2 nodes, none. */
static void test_odd_stages(void)
{
	struct plan_space sp;
	struct run_config base, c;
	struct plan_layout *l;
	long n;
	space(&sp, "h100_sxm:24", 8);
	sp.tps[0] = 4;
	sp.pps[0] = 3;
	sp.n_tps = sp.n_pps = 1;
	config_defaults(&base);
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 1);
	plan_layout_config(&sp, &l[0], &base, &c);
	CHECK_INT(c.nodes, 3);
	CHECK_INT(c.replicas, 1);
	free(l);
	sp.offers[0].count = 12;
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 0);
	free(l);
}

/* Replicas inside a node never straddle two: tp 1 x pp 3 on 4-GPU nodes, 12 GPUs (3 nodes)
 * hold one replica a node, 3 in all (12 / 3 = 4 counted GPUs alone); 15 GPUs (3 whole nodes
 * and a node of 3) hold 4. */
static void test_replicas_pack(void)
{
	struct plan_space sp;
	struct run_config base, c;
	struct plan_layout *l;
	long n;
	space(&sp, "h100_sxm:12", 4);
	sp.tps[0] = 1;
	sp.pps[0] = 3;
	sp.n_tps = sp.n_pps = 1;
	config_defaults(&base);
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 3);
	plan_layout_config(&sp, &l[n - 1], &base, &c);
	CHECK_INT(c.nodes, 1);
	CHECK_INT(c.replicas, 3);
	free(l);
	sp.offers[0].count = 15;
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 4);
	free(l);
}

/* The ep axis: the layouts counted above (header), each mode's config, and which of them
 * an MoE model's experts take (model_check_ep, what the plan skips with its reason). */
static void test_moe_ep(void)
{
	struct plan_space sp;
	struct run_config base, c;
	struct plan_layout *l;
	struct model m;
	long n, by_ep[3] = {0, 0, 0}, refused = 0;
	space(&sp, "h100_sxm:8", 8);
	sp.n_pps = 1;
	config_defaults(&base);
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 15); /* dense: ep none only */
	free(l);
	sp.eps[1] = EP_TP;
	sp.eps[2] = EP_DP;
	sp.n_eps = 3;
	l = plan_layouts(&sp, &n);
	CHECK_INT(n, 29);
	if (model_find(&m, "qwen3-30b-a3b") < 0) { /* 128 experts, moe_ff 768 */
		fprintf(stderr, "%s\n", err_msg());
		exit(1);
	}
	for (long i = 0; i < n; i++) {
		plan_layout_config(&sp, &l[i], &base, &c);
		CHECK(c.ep >= EP_NONE && c.ep <= EP_DP);
		CHECK(c.ep == EP_NONE || c.tp > 1);
		by_ep[c.ep]++;
		CHECK_INT(model_check_ep(&m, c.tp, c.ep), 0); /* 128 and 768 split 2, 4, 8 ways */
	}
	CHECK_INT(by_ep[EP_NONE], 15);
	CHECK_INT(by_ep[EP_TP], 7);
	CHECK_INT(by_ep[EP_DP], 7);
	/* 12 experts: 8 GPUs cannot hold whole ones evenly (tp 8, ep tp and dp: 2 layouts);
	 * 2 and 4 can */
	m.n_experts = 12;
	for (long i = 0; i < n; i++) {
		plan_layout_config(&sp, &l[i], &base, &c);
		if (model_check_ep(&m, c.tp, c.ep) < 0) {
			CHECK(strstr(err_msg(), "do not divide the 12 experts") != NULL);
			CHECK_INT(c.tp, 8);
			CHECK(c.ep != EP_NONE);
			refused++;
		}
	}
	CHECK_INT(refused, 2);
	free(l);
}

/* The server line follows the engine profile's family: SGLang's and TensorRT-LLM's own
 * flags for the same limits, vLLM's without a profile. */
static void test_engine_lines(void)
{
	struct run_config c;
	struct sbuf sb = {0};
	config_defaults(&c);
	c.tp = 2;
	c.replicas = 2;
	c.max_num_seqs = 64;
	c.max_num_batched_tokens = 4096;
	snprintf(c.kv_dtype, sizeof(c.kv_dtype), "fp8");
	plan_serve(&c, "org/model", &sb);
	CHECK(strncmp(sb.buf, "vllm serve org/model --tensor-parallel-size 2 ", 46) == 0);
	snprintf(c.engine, sizeof(c.engine), "sglang-0.5");
	sb.len = 0;
	sb.buf[0] = 0;
	plan_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "python -m sglang.launch_server --model-path org/model --tp-size 2 "
			     "--dp-size 2 --max-running-requests 64 --chunked-prefill-size 4096 ") == sb.buf);
	CHECK(strstr(sb.buf, "--kv-cache-dtype fp8_e4m3") != NULL);
	CHECK(strstr(sb.buf, "vllm") == NULL);
	c.chunked_prefill = 0;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "--chunked-prefill-size -1 ") != NULL);
	snprintf(c.engine, sizeof(c.engine), "trtllm-1");
	c.kv_free_fraction = 0.85;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "trtllm-serve org/model --backend pytorch --tp_size 2 --max_batch_size "
			     "64 --max_num_tokens 4096 --kv_cache_free_gpu_memory_fraction 0.85 "
			     "--extra_llm_api_options extra.yaml (kv_cache_config: {dtype: fp8})") == sb.buf);
	CHECK(strstr(sb.buf, "side by side") == NULL); /* the replicas are the nodes line's */
	sb.len = 0;
	sb.buf[0] = 0;
	plan_nodes(&c, &sb);
	CHECK(strstr(sb.buf, "2 such servers side by side, each on its own 2 GPUs") == sb.buf);
	/* a run sized by vLLM's rule: no free-memory fraction invented, the rule said */
	c.kv_free_fraction = 0;
	c.gpu_memory_utilization = 0.7;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "--kv_cache_free_gpu_memory_fraction 0") == NULL);
	CHECK(strstr(sb.buf, "gpu_memory_utilization 0.7 of the whole GPU") != NULL);
	c.nodes = 2;
	c.replicas = 1;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_nodes(&c, &sb);
	CHECK(strstr(sb.buf, "2 nodes a replica: run the server line under srun or mpirun with one "
			     "rank a GPU (2 ranks)") == sb.buf);
	sbuf_release(&sb);
}

static void test_vllm_lines(void)
{
	struct run_config c;
	struct sbuf sb = {0};
	char eng[64];
	config_defaults(&c);
	c.tp = 4;
	c.pp = 2;
	c.nodes = 2;
	c.replicas = 2;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "--tensor-parallel-size 4 --pipeline-parallel-size 2 ") != NULL);
	CHECK(strstr(sb.buf, "--distributed-executor-backend ray") != NULL);
	CHECK(strstr(sb.buf, "--data-parallel-size") == NULL); /* separate servers */
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_nodes(&c, &sb);
	CHECK(strstr(sb.buf, "Ray cluster") != NULL);
	CHECK(strstr(sb.buf, "--nnodes 2 --node-rank I --master-addr HEAD_IP") != NULL);
	CHECK(strstr(sb.buf, "2 such replicas (4 nodes in all)") != NULL);
	c.pp = 1;
	c.nodes = 1;
	c.tp = 2;
	c.replicas = 3;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "--pipeline-parallel-size") == NULL);
	CHECK(strstr(sb.buf, "--data-parallel-size 3") != NULL);
	CHECK(strstr(sb.buf, "--async-scheduling") == NULL); /* vLLM's default: off */
	c.async_scheduling = 1;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, " --async-scheduling") != NULL); /* what was simulated */
	c.async_scheduling = 0;
	CHECK(strstr(sb.buf, "prefix-caching") == NULL); /* V1's default: on */
	CHECK(strncmp(sb.buf, "vllm serve ", 11) == 0);
	c.prefix_caching = 0;
	c.flashinfer_sampler = 1;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, " --no-enable-prefix-caching") != NULL);
	CHECK(strncmp(sb.buf, "VLLM_USE_FLASHINFER_SAMPLER=1 vllm serve ", 41) == 0);
	c.flashinfer_sampler = 0;
	snprintf(eng, sizeof(eng), "%s", c.engine);
	snprintf(c.engine, sizeof(c.engine), "vllm-v0"); /* V0's default: off, no flag */
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "prefix-caching") == NULL);
	c.prefix_caching = 1; /* on, against V0's default: the flag V0 knows */
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, " --enable-prefix-caching") != NULL);
	snprintf(c.engine, sizeof(c.engine), "%s", eng);
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "--distributed-executor-backend") == NULL);
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_nodes(&c, &sb);
	CHECK_INT(sb.len, 0);
	/* ep tp: tensor-parallel attention, whole experts a GPU */
	c.ep = EP_TP;
	c.replicas = 1;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "--tensor-parallel-size 2 --enable-expert-parallel --max-num-seqs 256 "
			     "--max-num-batched-tokens 8192 ") != NULL);
	CHECK(strstr(sb.buf, "--data-parallel-size") == NULL);
	/* ep dp: the tp GPUs are data-parallel ranks, each with its share of the batch limits;
	 * two replicas are two such servers */
	c.ep = EP_DP;
	c.tp = 4;
	c.replicas = 2;
	c.max_num_seqs = 250;
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_serve(&c, "org/model", &sb);
	CHECK(strstr(sb.buf, "--tensor-parallel-size 1 --data-parallel-size 4 "
			     "--enable-expert-parallel --max-num-seqs 63 --max-num-batched-tokens "
			     "2048 ") != NULL);
	CHECK(strstr(sb.buf, "--data-parallel-size 2") == NULL);
	sb.len = 0;
	sb.buf[0] = 0;
	plan_vllm_nodes(&c, &sb);
	CHECK(strstr(sb.buf, "2 such servers side by side, each on its own 4 GPUs") != NULL);
	sbuf_release(&sb);
}

int main(void)
{
	test_gh200_16();
	test_no_network();
	test_odd_stages();
	test_replicas_pack();
	test_moe_ep();
	test_vllm_lines();
	test_engine_lines();
	return TEST_REPORT();
}
