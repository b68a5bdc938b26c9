/* plan.c: the layouts `ttsim plan` tries and the command lines of one (see plan.h): vLLM's,
 * and SGLang's or TensorRT-LLM's when the run names their engine profile.
 * The flags are vLLM's own (`vllm serve --help`; `vllm bench serve`: vllm/benchmarks/
 * serve.py, --goodput KEY:MS with keys ttft, tpot, e2el, --percentile-metrics,
 * --metric-percentiles; https://docs.vllm.ai/en/stable/api/vllm/benchmarks/serve/,
 * Apache-2.0). */
#include "experiments/plan.h"
#include "models/engine_profile.h"
#include "models/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int plan_list_check(const char *flag, const char *v)
{
	size_t len = strlen(v);
	if (!len || v[0] == ',' || v[len - 1] == ',' || strstr(v, ",,"))
		return err_set("%s: '%s': expected a comma-separated list with no empty item", flag,
			       v);
	return 0;
}

int plan_parse_offers(struct plan_space *sp, const char *v)
{
	char buf[1024], *save = NULL, *tok;
	if (plan_list_check("--gpus", v) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	sp->n_offers = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(tok, ':');
		long n;
		struct plan_offer *o;
		if (!colon || colon == tok || parse_long(colon + 1, &n) < 0 || n < 1 || n > 4096)
			return err_set("--gpus: '%s': expected KIND:COUNT (e.g. h100_sxm:8), COUNT 1 to "
				       "4096", tok);
		if (sp->n_offers == PLAN_MAX_OFFERS)
			return err_set("--gpus: more than %d kinds", PLAN_MAX_OFFERS);
		*colon = 0;
		if (strlen(tok) >= sizeof(sp->offers[0].gpu))
			return err_set("--gpus: '%s': name too long", tok);
		for (int i = 0; i < sp->n_offers; i++)
			if (!strcmp(sp->offers[i].gpu, tok))
				return err_set("--gpus: '%s' given twice (expected each kind once)", tok);
		o = &sp->offers[sp->n_offers++];
		snprintf(o->gpu, sizeof(o->gpu), "%s", tok);
		o->count = (int)n;
		o->usd_per_gpu_hour = -1;
	}
	if (!sp->n_offers)
		return err_set("--gpus: expected KIND:COUNT[,KIND:COUNT...]");
	return 0;
}

int plan_parse_prices(struct plan_space *sp, const char *v)
{
	char buf[1024], *save = NULL, *tok;
	char priced[PLAN_MAX_OFFERS][sizeof(sp->offers[0].gpu)];
	int n_priced = 0;
	if (plan_list_check("--price", v) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strrchr(tok, '=');
		double usd;
		int found = 0;
		if (!eq || eq == tok || parse_double(eq + 1, &usd) < 0 || !(usd >= 0) || usd > 1e6)
			return err_set("--price: '%s': expected KIND=USD_PER_GPU_HOUR (e.g. h100_sxm=2.5)",
				       tok);
		*eq = 0;
		for (int i = 0; i < sp->n_offers; i++)
			if (!strcmp(sp->offers[i].gpu, tok)) {
				sp->offers[i].usd_per_gpu_hour = usd;
				found = 1;
			}
		if (!found)
			return err_set("--price: '%s' is not one of the kinds of --gpus", tok);
		for (int i = 0; i < n_priced; i++)
			if (!strcmp(priced[i], tok))
				return err_set("--price: '%s' given twice (expected each kind once)", tok);
		if (n_priced < PLAN_MAX_OFFERS)
			snprintf(priced[n_priced++], sizeof(priced[0]), "%s", tok);
	}
	return 0;
}

/* The axes of the search, one row each (enum plan_axis_id gives the order): `values` writes
 * the values the axis takes given the axes before it (l->v[0..axis-1]) and returns how
 * many (0: no layout with that prefix); `apply` sets the axis's option in c.
 *
 * Adding an axis is one row and one enum entry (and a --try-* flag in cmd_plan.c to bound
 * it, as --try-pp does for pp); PLAN_EP was added that way. */
struct plan_axis {
	const char *name;
	int (*values)(const struct plan_space *sp, const struct plan_layout *l, int *out);
	void (*apply)(const struct plan_space *sp, int v, struct run_config *c);
};

static int upto(int n, int *out) /* 0..n-1: an index into one of the space's lists */
{
	for (int i = 0; i < n; i++)
		out[i] = i;
	return n;
}

static int offer_count(const struct plan_space *sp, const struct plan_layout *l)
{
	return sp->offers[l->v[PLAN_OFFER]].count;
}

static int v_offer(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	(void)l;
	return upto(sp->n_offers, out);
}

static int v_tp(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	int n = 0;
	for (int i = 0; i < sp->n_tps; i++)
		if (sp->tps[i] <= offer_count(sp, l))
			out[n++] = sp->tps[i];
	return n;
}

static int v_pp(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	int n = 0;
	for (int i = 0; i < sp->n_pps; i++)
		if ((long)sp->pps[i] * l->v[PLAN_TP] <= offer_count(sp, l))
			out[n++] = sp->pps[i];
	return n;
}

/* Expert parallelism: the --try-ep modes (cmd_plan.c: none, tp, dp for an MoE model, none
 * for a dense one); at tp 1 every mode is the same deployment, so only none. Modes the
 * model cannot take at this tp (model_check_ep) stay, to be skipped with the reason. */
static int v_ep(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	int n = 0;
	for (int i = 0; i < sp->n_eps; i++)
		if (sp->eps[i] == EP_NONE || l->v[PLAN_TP] > 1)
			out[n++] = sp->eps[i];
	return n;
}

/* The fewest nodes one replica's tp x pp GPUs spread over evenly (sim/run.h run_layout's
 * rules: an equal share of GPUs a node, stages a multiple of the nodes or the nodes of the
 * stages), within --max-nodes. A replica that fits one node takes one (spreading it wider
 * only adds network). Where no count within the bound places it, the smallest count that
 * holds its GPUs is still given, so that the plan reports it skipped with run_layout's
 * reason rather than leaving it out unseen. */
static int v_nodes(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	int tp = l->v[PLAN_TP], pp = l->v[PLAN_PP], g = sp->offers[l->v[PLAN_OFFER]].gpus_per_node;
	int gpus = tp * pp, lo = g > 0 ? (gpus + g - 1) / g : 1;
	int hi = sp->max_nodes > 0 ? sp->max_nodes : gpus;
	if (lo > hi)
		return 0;
	for (int n = lo; n <= hi && n <= gpus; n++)
		if (gpus % n == 0 && gpus / n <= g && (pp >= n ? pp % n == 0 : n % pp == 0)) {
			out[0] = n;
			return 1;
		}
	out[0] = lo;
	return 1;
}

/* Replicas: as many as the nodes hold. The offer's GPUs fill ceil(count / gpus_per_node)
 * nodes, the last one possibly partly. A replica over several nodes takes whole nodes; one
 * inside a node never straddles two, so a node of g GPUs holds floor(g / per) of them
 * (3-GPU replicas on 4-GPU nodes: one a node, not four on three nodes). */
static int v_replicas(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	const struct plan_offer *o = &sp->offers[l->v[PLAN_OFFER]];
	int per = l->v[PLAN_TP] * l->v[PLAN_PP], nodes = l->v[PLAN_NODES], n = 0, g = o->gpus_per_node;
	int node_count = g > 0 ? (o->count + g - 1) / g : 1;
	long most = o->count / per;
	if (nodes > 1)
		most = node_count / nodes < most ? node_count / nodes : most;
	else if (g > 0)
		most = (long)(o->count / g) * (g / per) + (o->count % g) / per;
	for (int r = 1; r <= most && n < PLAN_MAX_VALUES; r++)
		out[n++] = r;
	return n;
}

static int v_dtype(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	(void)l;
	return upto(sp->n_dtypes, out);
}

static int v_spec(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	(void)l;
	return upto(sp->n_specs, out);
}

static int v_mns(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	(void)l;
	return upto(sp->n_mns, out);
}

static int v_mbt(const struct plan_space *sp, const struct plan_layout *l, int *out)
{
	(void)l;
	return upto(sp->n_mbt, out);
}

static void a_offer(const struct plan_space *sp, int v, struct run_config *c)
{
	snprintf(c->gpu, sizeof(c->gpu), "%s", sp->offers[v].gpu);
	c->usd_per_gpu_hour = sp->offers[v].usd_per_gpu_hour;
}
static void a_tp(const struct plan_space *sp, int v, struct run_config *c) { (void)sp; c->tp = v; }
static void a_pp(const struct plan_space *sp, int v, struct run_config *c) { (void)sp; c->pp = v; }
static void a_ep(const struct plan_space *sp, int v, struct run_config *c) { (void)sp; c->ep = v; }
static void a_nodes(const struct plan_space *sp, int v, struct run_config *c)
{
	(void)sp;
	c->nodes = v;
}
static void a_replicas(const struct plan_space *sp, int v, struct run_config *c)
{
	(void)sp;
	c->replicas = v;
}
static void a_dtype(const struct plan_space *sp, int v, struct run_config *c)
{
	snprintf(c->dtype, sizeof(c->dtype), "%s", sp->dtypes[v]);
}
static void a_spec(const struct plan_space *sp, int v, struct run_config *c)
{
	snprintf(c->spec_draft, sizeof(c->spec_draft), "%s", sp->specs[v]);
}
static void a_mns(const struct plan_space *sp, int v, struct run_config *c)
{
	c->max_num_seqs = sp->max_num_seqs[v];
}
static void a_mbt(const struct plan_space *sp, int v, struct run_config *c)
{
	c->max_num_batched_tokens = sp->max_batched[v];
}

static const struct plan_axis plan_axes[PLAN_N_AXES] = {
	[PLAN_OFFER] = {"gpu", v_offer, a_offer},
	[PLAN_TP] = {"tp", v_tp, a_tp},
	[PLAN_PP] = {"pp", v_pp, a_pp},
	[PLAN_EP] = {"ep", v_ep, a_ep},
	[PLAN_NODES] = {"nodes", v_nodes, a_nodes},
	[PLAN_REPLICAS] = {"replicas", v_replicas, a_replicas},
	[PLAN_DTYPE] = {"dtype", v_dtype, a_dtype},
	[PLAN_SPEC] = {"spec", v_spec, a_spec},
	[PLAN_MNS] = {"max_num_seqs", v_mns, a_mns},
	[PLAN_MBT] = {"max_num_batched_tokens", v_mbt, a_mbt},
};

struct enum_ctx {
	const struct plan_space *sp;
	struct plan_layout *v;
	long n, cap;
};

static void enumerate(struct enum_ctx *e, struct plan_layout *l, int axis)
{
	int *vals, k;
	if (axis == PLAN_N_AXES) {
		if (e->n == e->cap) {
			e->cap *= 2;
			e->v = xrealloc(e->v, sizeof(*e->v) * (size_t)e->cap);
		}
		e->v[e->n++] = *l;
		return;
	}
	vals = xmalloc(sizeof(int) * PLAN_MAX_VALUES);
	k = plan_axes[axis].values(e->sp, l, vals);
	for (int i = 0; i < k; i++) {
		l->v[axis] = vals[i];
		enumerate(e, l, axis + 1);
	}
	free(vals);
}

struct plan_layout *plan_layouts(const struct plan_space *sp, long *n)
{
	struct enum_ctx e = {sp, NULL, 0, 64};
	struct plan_layout l;
	memset(&l, 0, sizeof(l));
	e.v = xmalloc(sizeof(*e.v) * (size_t)e.cap);
	enumerate(&e, &l, 0);
	*n = e.n;
	return e.v;
}

void plan_layout_config(const struct plan_space *sp, const struct plan_layout *l,
			const struct run_config *base, struct run_config *c)
{
	*c = *base;
	for (int a = 0; a < PLAN_N_AXES; a++)
		plan_axes[a].apply(sp, l->v[a], c);
}

/* Expert parallelism (docs/serving/expert_parallel_deployment.md, "Expert Parallel
 * Deployment", and docs/serving/data_parallel_deployment.md; https://docs.vllm.ai/en/
 * v0.12.0/serving/expert_parallel_deployment/, vllm-project/vllm v0.12.0, Apache-2.0):
 * --enable-expert-parallel spreads whole experts over the GPUs that would otherwise split
 * each by width; with --data-parallel-size N and --tensor-parallel-size 1 the attention is
 * data-parallel, each of the N ranks its own engine (scheduler) with its own sequences, so
 * vLLM's --max-num-seqs and --max-num-batched-tokens are a rank's, where ttsim's are the
 * replica's (sim/config.c, key 'ep'): divided by N, rounded up. The two launches, TP8+EP and
 * DP8+EP: https://docs.vllm.ai/projects/recipes/en/latest/DeepSeek/DeepSeek-V3.html. */
void plan_vllm_serve(const struct run_config *c, const char *model_id, struct sbuf *sb)
{
	int ranks = c->ep == EP_DP ? c->tp : 1;
	/* what was simulated: FlashInfer's sampler (models/cost.c; vLLM's default in 0.9 to
	 * 0.11.0 where FlashInfer is installed, asked for by this variable after) */
	if (c->flashinfer_sampler)
		sbuf_printf(sb, "VLLM_USE_FLASHINFER_SAMPLER=1 ");
	sbuf_printf(sb, "vllm serve %s --tensor-parallel-size %d", model_id, c->tp / ranks);
	if (c->pp > 1)
		sbuf_printf(sb, " --pipeline-parallel-size %d", c->pp);
	/* replicas over several nodes each are separate servers (plan_vllm_nodes); in one
	 * node they are vLLM's data-parallel ranks, unless the ranks are the replica's own
	 * (ep dp: then each replica is its own server, plan_vllm_nodes says how) */
	if (ranks > 1)
		sbuf_printf(sb, " --data-parallel-size %d", ranks);
	else if (c->replicas > 1 && c->nodes == 1)
		sbuf_printf(sb, " --data-parallel-size %d", c->replicas);
	if (c->ep != EP_NONE)
		sbuf_printf(sb, " --enable-expert-parallel");
	sbuf_printf(sb, " --max-num-seqs %d --max-num-batched-tokens %d --gpu-memory-utilization %g",
		    (c->max_num_seqs + ranks - 1) / ranks,
		    (c->max_num_batched_tokens + ranks - 1) / ranks, c->gpu_memory_utilization);
	if (!strcmp(c->dtype, "fp8"))
		sbuf_printf(sb, " --quantization fp8");
	if (!strcmp(c->kv_dtype, "fp8"))
		sbuf_printf(sb, " --kv-cache-dtype fp8");
	if (!c->chunked_prefill)
		sbuf_printf(sb, " --no-enable-chunked-prefill");
	if (!c->cuda_graphs)
		sbuf_printf(sb, " --enforce-eager");
	if (c->async_scheduling)
		sbuf_printf(sb, " --async-scheduling");
	/* prefix caching away from the engine's own default (V1: on; the vllm-v0 profile: off,
	 * where 0.5/0.6 know only --enable-prefix-caching) */
	{
		struct engine_profile e;
		int dflt = 1;
		if (c->engine[0] && engine_profile_load(&e, c->engine) == 0 && e.prefix_caching >= 0)
			dflt = e.prefix_caching;
		if (c->prefix_caching != dflt)
			sbuf_printf(sb, c->prefix_caching ? " --enable-prefix-caching"
							  : " --no-enable-prefix-caching");
	}
	if (!strcmp(c->spec_draft, "ngram"))
		sbuf_printf(sb, " --speculative-config '{\"method\": \"ngram\", "
				"\"num_speculative_tokens\": %d, \"prompt_lookup_max\": 4}'", c->spec_k);
	else if (c->spec_draft[0])
		sbuf_printf(sb, " --speculative-config '{\"model\": \"%s\", "
				"\"num_speculative_tokens\": %d}'", c->spec_draft, c->spec_k);
	if (c->nodes > 1)
		sbuf_printf(sb, " --distributed-executor-backend ray");
}

/* Replicas in one node that are separate servers (each its own GPUs and port). */
static void side_by_side(const struct run_config *c, struct sbuf *sb)
{
	sbuf_printf(sb, "%d such servers side by side, each on its own %d GPUs "
			"(CUDA_VISIBLE_DEVICES) and --port, behind a load balancer", c->replicas,
		    run_gpus(c) / c->replicas);
}

/* vLLM's multi-node launch (docs/serving/parallelism_scaling.md, "Multi-node deployment",
 * https://docs.vllm.ai/en/stable/serving/parallelism_scaling.html, vllm-project/vllm
 * commit 096bd6a4a1, Apache-2.0): a Ray cluster over the nodes (examples/online_serving/
 * run_cluster.sh: --head on one node, --worker on the others), then the server line with
 * --distributed-executor-backend ray on the head node; or, without Ray, the same line on
 * every node with --nnodes N --node-rank I --master-addr HEAD_IP (--headless on the
 * others). */
void plan_vllm_nodes(const struct run_config *c, struct sbuf *sb)
{
	if (c->nodes <= 1 && c->ep == EP_DP && c->replicas > 1)
		side_by_side(c, sb);
	if (c->nodes <= 1)
		return;
	sbuf_printf(sb, "%d nodes a replica: start a Ray cluster over them (vLLM's "
			"examples/online_serving/run_cluster.sh) and run the server line on its head "
			"node; or, without Ray, run it on each node with --distributed-executor-backend mp "
			"--nnodes %d --node-rank I --master-addr HEAD_IP (--headless where I > 0)", c->nodes, c->nodes);
	if (c->replicas > 1)
		sbuf_printf(sb, "; %d such replicas (%d nodes in all) behind a load balancer",
			    c->replicas, c->replicas * c->nodes);
}

/* The engine family of c's engine profile ("vllm" when c names none or it cannot be read:
 * the hardware profiles describe vLLM V1). */
static const char *engine_family(const struct run_config *c, char *buf, size_t n)
{
	struct engine_profile e;
	if (!c->engine[0] || engine_profile_load(&e, c->engine) < 0)
		return "vllm";
	snprintf(buf, n, "%s", e.engine);
	return buf;
}

/* SGLang's server line (python -m sglang.launch_server --help, sglang/srt/server_args.py;
 * https://docs.sglang.io/advanced_features/server_arguments.html, Apache-2.0): --tp-size,
 * --dp-size (replicas in one node, or the data-parallel attention ranks with
 * --enable-dp-attention), --pp-size, --ep-size, --max-running-requests,
 * --chunked-prefill-size (-1: off), --mem-fraction-static (weights and KV pool, the share
 * vLLM's --gpu-memory-utilization is), --quantization fp8, --kv-cache-dtype fp8_e4m3,
 * --disable-cuda-graph; a replica over nodes: --nnodes, --node-rank, --dist-init-addr. */
static void sglang_serve(const struct run_config *c, const char *model_id, struct sbuf *sb)
{
	int ranks = c->ep == EP_DP ? c->tp : 1;
	sbuf_printf(sb, "python -m sglang.launch_server --model-path %s --tp-size %d", model_id,
		    c->tp);
	if (ranks > 1)
		sbuf_printf(sb, " --dp-size %d --enable-dp-attention", ranks);
	else if (c->replicas > 1 && c->nodes == 1)
		sbuf_printf(sb, " --dp-size %d", c->replicas);
	if (c->pp > 1)
		sbuf_printf(sb, " --pp-size %d", c->pp);
	if (c->ep != EP_NONE)
		sbuf_printf(sb, " --ep-size %d", c->tp);
	sbuf_printf(sb, " --max-running-requests %d --chunked-prefill-size %d "
			"--mem-fraction-static %g", c->max_num_seqs,
		    c->chunked_prefill ? c->max_num_batched_tokens : -1, c->gpu_memory_utilization);
	if (c->kv_free_fraction > 0) /* not SGLang's rule: say what was simulated */
		sbuf_printf(sb, " (ttsim sized the KV cache as %g of the memory left free after "
				"the weights: set --mem-fraction-static to give the same cache)",
			    c->kv_free_fraction);
	if (!strcmp(c->dtype, "fp8"))
		sbuf_printf(sb, " --quantization fp8");
	if (!strcmp(c->kv_dtype, "fp8"))
		sbuf_printf(sb, " --kv-cache-dtype fp8_e4m3");
	if (!c->cuda_graphs)
		sbuf_printf(sb, " --disable-cuda-graph");
	if (c->nodes > 1)
		sbuf_printf(sb, " --nnodes %d --node-rank I --dist-init-addr HEAD_IP:PORT", c->nodes);
	if (c->spec_draft[0])
		sbuf_printf(sb, " (speculation: ttsim ran %s with k = %d; give it SGLang's "
				"--speculative-* flags)", c->spec_draft, c->spec_k);
}

/* TensorRT-LLM's server line (trtllm-serve --help; https://nvidia.github.io/TensorRT-LLM/
 * commands/trtllm-serve.html, Apache-2.0): --backend pytorch, --tp_size, --pp_size,
 * --ep_size, --max_batch_size, --max_num_tokens, --kv_cache_free_gpu_memory_fraction (of
 * the memory left after weights: ttsim's kv_free_fraction); the rest is the LLM API's
 * options in the YAML file --extra_llm_api_options names (enable_chunked_prefill,
 * enable_attention_dp, kv_cache_config.dtype), and fp8 weights come from an FP8
 * checkpoint, not a flag; a replica over nodes runs under srun or mpirun through
 * trtllm-llmapi-launch. */
static void trtllm_serve(const struct run_config *c, const char *model_id, struct sbuf *sb)
{
	int extra = c->chunked_prefill || c->ep == EP_DP || !strcmp(c->kv_dtype, "fp8");
	sbuf_printf(sb, "%strtllm-serve %s%s --backend pytorch --tp_size %d",
		    c->nodes > 1 ? "trtllm-llmapi-launch " : "", model_id,
		    !strcmp(c->dtype, "fp8") ? " (its FP8 checkpoint)" : "", c->tp);
	if (c->pp > 1)
		sbuf_printf(sb, " --pp_size %d", c->pp);
	if (c->ep != EP_NONE)
		sbuf_printf(sb, " --ep_size %d", c->tp);
	sbuf_printf(sb, " --max_batch_size %d --max_num_tokens %d", c->max_num_seqs,
		    c->max_num_batched_tokens);
	if (c->kv_free_fraction > 0)
		sbuf_printf(sb, " --kv_cache_free_gpu_memory_fraction %g", c->kv_free_fraction);
	else /* the run was sized by vLLM's rule, which trtllm-serve has no flag for */
		sbuf_printf(sb, " (ttsim sized the KV cache as vLLM does, gpu_memory_utilization %g "
				"of the whole GPU: set --kv_cache_free_gpu_memory_fraction to the share "
				"of the free memory that gives the same cache)", c->gpu_memory_utilization);
	if (extra) {
		sbuf_printf(sb, " --extra_llm_api_options extra.yaml (");
		if (c->chunked_prefill)
			sbuf_printf(sb, "enable_chunked_prefill: true; ");
		if (c->ep == EP_DP)
			sbuf_printf(sb, "enable_attention_dp: true; ");
		if (!strcmp(c->kv_dtype, "fp8"))
			sbuf_printf(sb, "kv_cache_config: {dtype: fp8}; ");
		sb->len -= 2;
		sb->buf[sb->len] = 0;
		sbuf_printf(sb, ")");
	}
	if (c->spec_draft[0])
		sbuf_printf(sb, " (speculation: ttsim ran %s with k = %d; give it as the LLM API's "
				"speculative_config)", c->spec_draft, c->spec_k);
}

void plan_serve(const struct run_config *c, const char *model_id, struct sbuf *sb)
{
	char buf[32];
	const char *f = engine_family(c, buf, sizeof(buf));
	if (!strcmp(f, "sglang"))
		sglang_serve(c, model_id, sb);
	else if (!strcmp(f, "trtllm"))
		trtllm_serve(c, model_id, sb);
	else
		plan_vllm_serve(c, model_id, sb);
}

void plan_nodes(const struct run_config *c, struct sbuf *sb)
{
	char buf[32];
	const char *f = engine_family(c, buf, sizeof(buf));
	if (!strcmp(f, "sglang")) {
		if (c->nodes > 1)
			sbuf_printf(sb, "%d nodes a replica: run the server line on each node, I its "
					"rank (0 on the head node, HEAD_IP)", c->nodes);
		if (c->nodes > 1 && c->replicas > 1)
			sbuf_printf(sb, "; %d such replicas (%d nodes in all) behind a load balancer",
				    c->replicas, c->replicas * c->nodes);
		if (c->nodes <= 1 && c->ep == EP_DP && c->replicas > 1)
			side_by_side(c, sb);
	} else if (!strcmp(f, "trtllm")) {
		/* trtllm-serve has no data-parallel flag: replicas in one node are servers */
		if (c->nodes > 1)
			sbuf_printf(sb, "%d nodes a replica: run the server line under srun or mpirun "
					"with one rank a GPU (%d ranks)%s", c->nodes, run_gpus(c) / c->replicas,
				    c->replicas > 1 ? ", one such job a replica, behind a load balancer" : "");
		else if (c->replicas > 1)
			side_by_side(c, sb);
	} else {
		plan_vllm_nodes(c, sb);
	}
}

void plan_vllm_bench(const struct run_config *c, const char *model_id,
		     const struct capacity_opts *o, double rate, struct sbuf *sb)
{
	double lim[3] = {0, 0, 0}; /* ms: ttft, tpot, e2el (the tightest of each) */
	static const char *const key[3] = {"ttft", "tpot", "e2el"};
	int any = 0;
	sbuf_printf(sb, "vllm bench serve --model %s --request-rate %.4g --num-prompts %ld --seed %llu",
		    model_id, rate, (long)(rate * 600 > 200 ? ceil(rate * 600) : 200),
		    (unsigned long long)c->seed);
	if (c->burstiness != 1)
		sbuf_printf(sb, " --burstiness %g", c->burstiness);
	if (!c->trace[0])
		sbuf_printf(sb, " --dataset-name random --random-input-len %d --random-output-len %d",
			    c->input_len, c->output_len);
	for (int i = 0; i < o->n_slo; i++) {
		const struct slo *s = &o->slo[i];
		if (s->metric == SLO_LATENCY)
			continue;
		if (lim[s->metric] <= 0 || s->limit * 1e3 < lim[s->metric])
			lim[s->metric] = s->limit * 1e3;
	}
	for (int i = 0; i < 3; i++)
		if (lim[i] > 0) {
			sbuf_printf(sb, "%s%s:%g", any ? " " : " --goodput ", key[i], lim[i]);
			any = 1;
		}
	sbuf_printf(sb, " --percentile-metrics ttft,tpot,e2el --metric-percentiles 50,90,99");
	if (c->trace[0])
		sbuf_printf(sb, " (prompts: the problems of trace '%s', drawn with replacement%s)",
			    c->trace, c->samples > 1 ? "; each one sent samples times" : "");
}
