/*
 * cost.c: the time of one engine step, from the profile's operator models (see cost.h and
 * profile.h for the equations). This is the physics of ttsim; it holds no state.
 */
#include "models/cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "models/comm.h"
#include "models/moe_table.h"
#include "models/mla_table.h"

/* Elementwise kernels per layer: input norm, post-attention norm (each fused with the
 * residual add), rotary embedding and the MLP activation. The KV-cache write
 * (reshape_and_cache_flash) is not here: vLLM runs it inside the attention call, and the
 * attention tables the profiles are fitted to time that whole call (prefill_cache_round
 * and prefill_kv_bw describe it; decode_per_seq holds it for decode). */
#define EW_KERNELS 4
/* Kernels an MoE layer adds in vLLM's fused_moe (topk_softmax or grouped_topk,
 * moe_align_block_size, moe_sum), each timed as a launch. */
#define MOE_KERNELS 3
/* Ops the host issues, one at a time, in an eager forward (cost_host_ops): counted from the
 * model's structure as vLLM's modules call them, each a Python module call or custom op
 * through the PyTorch dispatcher. A dense layer: input norm (fused with the residual add),
 * QKV projection, rotary embedding, attention (one unified op: KV write and kernel), output
 * projection, post-attention norm, gate/up projection, activation, down projection. */
#define HOST_OPS_LAYER 9
#define HOST_OPS_QK_NORM 2  /* Qwen3's RMSNorm on q and on k */
#define HOST_OPS_MLA 4      /* MLA: the fused q_a/kv_a projection, its two norms, the
                             * absorbed up-projection (W_UK/W_UV) around attention */
#define HOST_OPS_TP 2       /* the all-reduces after attention and after the MLP */
/* An MoE layer's MLP in place of the dense one (4 ops): post-attention norm, router,
 * fused_moe's top-k, block alignment, expert up GEMM, activation, expert down GEMM and
 * weighted sum; shared experts add their own up, activation and down; data-parallel
 * attention its dispatch and combine all-to-alls. */
#define HOST_OPS_MOE_MLP 8
#define HOST_OPS_SHARED 3
#define HOST_OPS_A2A 2
/* Per step, outside the layers: embedding, final norm, LM head, sampler. */
#define HOST_OPS_STEP 4
/* ASSUMED where no measured table covers the kernel: the profiles' fused-MoE sections
 * (profile.h "Fused MoE", fitted on aiconfigurator's tables) replace it for bf16 experts,
 * block-scaled fp8 on fp8 tensor cores and MXFP4 on the Triton backend; it remains for
 * MXFP4 on Marlin (every A100) and fp8 on the A100 (W8A16), which no public table times.
 * Expert GEMMs whose weights the GPU cannot multiply natively (MXFP4 experts on every GPU
 * ttsim has a profile of: none has FP4 tensor cores; fp8 experts where the profile's fp8
 * GEMM is W8A16, the A100; AWQ/GPTQ/compressed-tensors integer experts everywhere, which
 * vLLM runs with its Marlin MoE kernel and no public table times) run as weight-only kernels that dequantise each weight tile
 * to bf16 inside the main loop (vLLM: Marlin MoE, or triton_kernels' matmul_ogs on
 * Hopper; "Your GPU does not have native support for FP4 computation ... Weight-only FP4
 * compression will be used leveraging the Marlin kernel"). Their compute term runs at
 * this fraction of the bf16 grouped GEMM's rate (cost_moe_compute_eff). FITTED, one
 * constant on one measured run: tests/validation/moe_fit.csv (gpt-oss-20b, 1 x H100,
 * vLLM 0.11, random 32000-token prompts: prefill-bound, the KV cache not binding),
 * checked on moe_serving.csv (VALIDATION.md, "Mixture of Experts"). In kind a public
 * kernel benchmark agrees: vLLM's fused Marlin MXFP4 MoE runs Mixtral's expert shapes at
 * 16,384 tokens in 144.6 ms on an H20, 80 TFLOP/s, 54% of its bf16 peak (measured;
 * https://github.com/flagos-ai/FlagGems/pull/4483, "vLLM (ms)" column). */
#define MOE_WONLY_EFF 0.25

/* Weight-only integer GEMMs (cost.h, cost_wq_gemm_model).
 * WQ_BW_EFF, FITTED: the fraction of the bf16 model's weight-streaming rate Marlin's W4A16
 * GEMM reaches, from the only public measured table of it on a GPU ttsim profiles that this
 * session could read: H100, n = k = 8192, channelwise scales, fp16 activations, m = 1, 2, 4,
 * Marlin and torch's fp16 GEMM in one harness (calibration/data/int4/marlin_w4a16_h100.csv;
 * inclusionAI/humming pull request #2, 2026-03-24). Each Marlin row's target is the H100
 * profile's bf16 time x (Marlin's measured time / torch's): relative to the harness's own
 * fp16 GEMM, whose rows run 17-18% slower than the profile's bf16 model (fitted on
 * aiconfigurator's vLLM tables). The factor that meets a target is a GSL Brent root; the
 * constant is the median (GSL) of the three, 0.522, reproduced with leave-one-out errors
 * under 1% by tests/test_model.c (test_wq_fit): the three rows are one shape, so this
 * says nothing of other shapes. Marlin at m = 1 is 2.17 times torch where the bytes alone
 * would give 4: on Hopper it is far from the bandwidth bound (its README: "not yet
 * optimized for Hopper"). Applied to every profile: on the A100, Marlin's design target,
 * it likely understates int4 decode speed (no A100 table was found to say by how much).
 * WQ_COMPUTE_EFF, ASSUMED: at large m Marlin ran at 0.60-0.61 of torch's fp16 GEMM
 * (batch 2048 and 4000, "speedup=0.60 / 0.61"; batch 128 about equal) in a measured run of
 * IST-DASLab/marlin's bench.py posted to vllm-project/vllm pull request #2497
 * (2024-01-24; the GPU is not named: calibration/data/int4/marlin_bench_vllm_pr2497.csv);
 * taken as 0.6 of the bf16 model's peak, not fitted.
 * The same model times fp8 linear layers on a GPU without fp8 tensor cores (the A100;
 * cost_ctx.lin_gm): vLLM serves an fp8 checkpoint there with its Marlin W8A16 kernel
 * ("Your GPU does not have native support for FP8 computation but FP8 quantization is being
 * used. Weight-only FP8 compression will be used leveraging the Marlin kernel. This may
 * degrade performance for compute-heavy workloads.",
 * vllm/model_executor/layers/quantization/utils/marlin_utils_fp8.py), the integer kernels'
 * dequantise-in-the-main-loop design, at one byte a weight. The profile's gemm_fp8 (bf16's
 * rate) still times the LM head and the other GEMMs an fp8 checkpoint leaves in bf16. */
#define WQ_BW_EFF 0.52
#define WQ_COMPUTE_EFF 0.6
const double cost_wq_bw_eff = WQ_BW_EFF, cost_wq_compute_eff = WQ_COMPUTE_EFF;

void cost_wq_gemm_model(const struct profile *p, struct gemm_model *out)
{
	*out = p->gemm_bf16;
	out->peak *= WQ_COMPUTE_EFF;
	out->bw_eff *= WQ_BW_EFF;
	/* the tile, wave and split-K terms were fitted to cuBLAS's tiling, not Marlin's (which
	 * splits k over idle SMs by its own rule): left out, the blend of the two bounds stays */
	out->sms = 0;
}

/* vLLM V1's profile run (gpu_model_runner.profile_run, _dummy_sampler_run) samples one
 * token for each of min(max_num_seqs, max_num_batched_tokens) dummy requests with top_k
 * vocab - 1 and top_p 0.9 set, "to profile the sampler's peak": the PyTorch top-k/top-p
 * path (vllm/v1/sample/ops/topk_topp_sampler.py apply_top_k_top_p: logits.to(fp32), sort,
 * top-k mask, softmax + cumsum, top-p mask, scatter) holds these many bytes an element of
 * the full-vocabulary logits (every TP rank samples all of them) at its peak, the sort's
 * own workspace not counted: vLLM 0.8-0.11 as pip-installed without FlashInfer ("FlashInfer
 * is not available. Falling back to the PyTorch-native implementation of top-p & top-k
 * sampling"), and from 0.11.1 unless asked (with FlashInfer, below). Counted tensors, read
 * from the code (vllm/v1/sample/ops/topk_topp_sampler.py and v1/worker/gpu_model_runner.py as of vLLM
 * 0.10, Apache-2.0, found by code search; the exact tag not pinned); not fitted. vLLM on
 * main samples 8 or more rows with a Triton top-k/top-p kernel and no sort, so this
 * overstates a recent vLLM (tests/validation/memory.csv, the 0.19 row).
 * gpt-oss (vocab 201,088) at vLLM's H100 default of 1024 sequences: 5.4 GiB.
 * COST_SAMPLER_SORT_BYTES (models/cost.h).
 *
 * With FlashInfer installed, vLLM 0.9 (PR #15777 adapted V1 to FlashInfer 0.2.3's sampling
 * API; #18608 samples from logits) to 0.11.0 samples top-k/top-p with it by default
 * (VLLM_USE_FLASHINFER_SAMPLER unset means on in V1; PR #26859, Oct 2025, in 0.11.1,
 * turned it off: "since flashinfer-python is a default dep of vLLM CUDA now, many more
 * users would be using this kernel by default"; vLLM's Docker image had long shipped
 * FlashInfer, PR #21389). Its path holds no sort: the bf16 logits 2, their fp32 copy 4
 * (temperature divides it in place), top_k_mask_logits' masked copy 4 and the softmax's
 * probabilities 4 (flashinfer.sampling.top_k_top_p_sampling_from_logits; its
 * top_p_sampling_from_probs makes nothing of that size): COST_SAMPLER_FLASHINFER_BYTES, read
 * from the code as the sort's count was; not fitted. */

/* The tile, wave and split-K terms of models/profile.h (gm->sms > 0): scales *tc, extends
 * *tm, and returns the time outside the blend. */
static double gemm_tiles(const struct gemm_model *gm, double m, double n, double k, double *tc,
			 double *tm)
{
	double th = m <= 64 ? 64 : 128; /* cuBLAS and CUTLASS use short tiles for few tokens */
	double mt = ceil(m / th), tiles = mt * ceil(n / 128), waves = ceil(tiles / gm->sms);
	double q = tiles / (waves * gm->sms), s = 1;
	if (gm->split_k > 0) {
		s = gm->sms / tiles < k / gm->split_k ? gm->sms / tiles : k / gm->split_k;
		s = s > 1 ? s : 1;
	}
	*tc *= mt * th / m / (q < 1 ? pow(q, gm->wave_exp) : 1); /* full waves: no pow */
	*tm = (*tm + gm->k_lat * k / s) * (1 + gm->cta_half / (tiles * s));
	return (gm->row_time + gm->act_time * k) * m + gm->wave_time * waves;
}

double cost_gemm(const struct gemm_model *gm, double hbm_bw, double m, double n, double k,
		 double wb)
{
	double eff, tc, tm, s, extra = 0;
	if (m <= 0 || n <= 0 || k <= 0)
		return 0;
	eff = gm->eff_max * (m / (m + gm->m_half)) * (n / (n + gm->nk_half)) *
	      (k / (k + gm->nk_half));
	tc = 2.0 * m * n * k / (gm->peak * eff);
	tm = ((m * k + m * n) * 2.0 + n * k * wb) / (hbm_bw * gm->bw_eff);
	if (gm->sms > 0)
		extra = gemm_tiles(gm, m, n, k, &tc, &tm);
	s = gm->smooth;
	if (s >= 64) /* numerically a max */
		return gm->floor + extra + (tc > tm ? tc : tm);
	/* (tc^s + tm^s)^(1/s), scaled by the larger to avoid overflow: its term is exactly 1
	 * (pow(1, s) = 1), which saves a pow on a path every new batch size takes */
	{
		double mx = tc > tm ? tc : tm, mn = tc > tm ? tm : tc;
		return gm->floor + extra + mx * pow(1.0 + pow(mn / mx, s), 1.0 / s);
	}
}

double cost_grouped_gemm(const struct gemm_model *gm, double hbm_bw, double tokens,
			 const double *p, int experts, double n, double k, double wb)
{
	double rows = 0, active = 0, tc, tm, s, f, extra;
	if (tokens <= 0 || n <= 0 || k <= 0)
		return 0;
	for (int i = 0; i < experts; i++) {
		double pi = p[i] < 1 ? p[i] : 1;
		rows += tokens * pi;
		active += pi >= 1 ? 1 : -expm1(tokens * log1p(-pi));
	}
	if (rows <= 0)
		return 0;
	f = gm->eff_max * (n / (n + gm->nk_half)) * (k / (k + gm->nk_half));
	tc = 2.0 * n * k * (rows + active * gm->m_half) / (gm->peak * f);
	tm = (active * n * k * wb + 2.0 * rows * (n + k)) / (hbm_bw * gm->bw_eff);
	/* the per-row term of the tile model (profile.h); its waves are left out: the
	 * experts' tiles share one launch */
	extra = gm->sms > 0 ? (gm->row_time + gm->act_time * k) * rows : 0;
	s = gm->smooth;
	if (s >= 64)
		return gm->floor + extra + (tc > tm ? tc : tm);
	{
		double mx = tc > tm ? tc : tm, mn = tc > tm ? tm : tc;
		return gm->floor + extra + mx * pow(1.0 + pow(mn / mx, s), 1.0 / s);
	}
}

double cost_moe_padded(double rows, double block)
{
	double b = MOE_MIN_BLOCK;
	while (b < block && b < rows)
		b *= 2;
	return b * ceil(rows / b);
}

struct moe_rows cost_moe_rows(double tokens, int top_k, const double *p, int experts,
			      int all, double block)
{
	struct moe_rows r = {0, 0, 0, 0, 0};
	if (tokens <= 0)
		return r;
	r.slots = tokens * top_k;
	for (int i = 0; i < all; i++) {
		double pi = p[i] < 1 ? p[i] : 1;
		if (pi > 0)
			r.touched += pi >= 1 ? 1 : -expm1(tokens * log1p(-pi));
	}
	for (int i = 0; i < experts; i++) {
		double pi = p[i] < 1 ? p[i] : 1, ri = tokens * pi, ai;
		if (pi <= 0)
			continue;
		ai = pi >= 1 ? 1 : -expm1(tokens * log1p(-pi));
		r.rows += ri;
		r.active += ai;
		/* the rows a touched expert holds, in whole blocks; the relative 1e-6 keeps a
		 * count that is whole up to rounding (one token: r_i / a_i = 1; many: a_i within
		 * 1e-8 of 1) from taking one block more */
		r.padded += ai * cost_moe_padded(ri / ai * (1 - 1e-6), block);
	}
	return r;
}

double cost_fused_moe(const struct moe_model *mm, double peak, double hbm_bw,
		      const struct moe_rows *r, double h, double f, double wb)
{
	double tc, tm;
	if (r->rows <= 0 || h <= 0 || f <= 0)
		return 0;
	tc = 6.0 * r->padded * h * f / (peak * mm->eff);
	tm = (r->active * 3.0 * h * f * wb + 2.0 * r->rows * (3.0 * f + 2.0 * h)) /
		     (hbm_bw * mm->bw_eff) +
	     mm->expert_t * r->touched;
	return mm->t0 + (tc > tm ? tc : tm) +
	       2.0 * r->slots * (3.0 * f + 2.0 * h) / (hbm_bw * mm->slot_bw_eff);
}

const struct moe_dtype moe_dtypes[MOE_DTS] = {
	[MOE_DT_BF16] = {"bf16", "bfloat16", 2, 0},
	[MOE_DT_FP8] = {"fp8", "fp8_block", 1, 1},
	[MOE_DT_MXFP4] = {"mxfp4", "w4a16_mxfp4", MODEL_MXFP4_BYTES, 0},
};

int cost_moe_dt(const struct model *m)
{
	return m->expert_fp4 ? MOE_DT_MXFP4 : m->weight_dtype == DT_FP8 ? MOE_DT_FP8 : MOE_DT_BF16;
}

int cost_moe_shape(const struct model *m, const struct moe_model *mm, int tp,
		   const struct moe_shape **s)
{
	/* the table's moe_dtype of the section cost_moe_model picks for m */
	const struct moe_dtype *dt = &moe_dtypes[cost_moe_dt(m)];
	const struct moe_table *t;
	*s = NULL;
	if (!mm || !mm->table[0] || !model_is_moe(m) || m->moe_skew > 0)
		return 0;
	if (!(t = moe_table_get(mm->table, dt->table))) {
		char why[512];
		strlcpy0(why, err_msg(), sizeof(why));
		return err_set("key 'moe_%s.table': %s", dt->name, why);
	}
	*s = moe_table_find(t, m->hidden, m->moe_ff, m->n_experts, m->top_k, m->ep ? 1 : tp,
			    m->ep ? tp : 1);
	return 0;
}

double cost_moe_layer(const struct moe_model *mm, const struct moe_shape *s, double peak,
		      double hbm_bw, double tokens, int top_k, const double *p, int experts,
		      int all, double h, double f, double wb)
{
	double fit, t = 0, edge = 0;
	/* the measurement where it answers, before any fit work: -1 no table for the shape,
	 * 1 inside its measured range, 0 outside (the fit, scaled to agree at the edge) */
	int in = s && tokens > 0 ? moe_shape_eval(s, tokens, &t, &edge) : -1;
	struct moe_rows r;
	if (in == 1)
		return t;
	r = cost_moe_rows(tokens, top_k, p, experts, all, mm->block);
	fit = cost_fused_moe(mm, peak, hbm_bw, &r, h, f, wb);
	if (in < 0)
		return fit;
	r = cost_moe_rows(edge, top_k, p, experts, all, mm->block);
	return fit * t / cost_fused_moe(mm, peak, hbm_bw, &r, h, f, wb);
}

const struct moe_model *cost_moe_model(const struct model *m, const struct profile *p,
				       double *peak, double *wb)
{
	const struct moe_model *mm = NULL;
	int d = cost_moe_dt(m);
	if (!model_is_moe(m))
		return NULL;
	*peak = moe_dtypes[d].fp8 ? p->gemm_fp8.peak : p->gemm_bf16.peak;
	*wb = moe_dtypes[d].wb;
	if (m->wq_bits) {
		/* weight-only integer experts (vLLM's Marlin MoE): no measured table; the
		 * grouped-GEMM model with the weight-only rates below times them */
		return NULL;
	} else if (d == MOE_DT_MXFP4) {
		if (m->mxfp4_backend == MXFP4_TRITON)
			mm = &p->moe_mxfp4;
	} else if (d == MOE_DT_FP8) {
		if (profile_fp8_native(p))
			mm = &p->moe_fp8;
	} else {
		mm = &p->moe_bf16;
	}
	return mm && mm->eff > 0 ? mm : NULL;
}

double cost_moe_compute_eff(const struct model *m, const struct profile *p)
{
	if (!model_is_moe(m))
		return 1;
	if (m->wq_bits || cost_moe_dt(m) == MOE_DT_MXFP4 ||
	    (cost_moe_dt(m) == MOE_DT_FP8 && !profile_fp8_native(p)))
		return MOE_WONLY_EFF;
	return 1;
}

void cost_moe_probs(const struct model *m, double *p)
{
	int e = m->n_experts, clipped = 0, more = 1;
	if (m->moe_skew <= 0) {
		for (int i = 0; i < e; i++)
			p[i] = (double)m->top_k / e;
		return;
	}
	/* k x w_i, where no expert can be chosen twice by one token: the weight of those that
	 * would pass 1 goes to the others (each pass clips at least one more, so at most e) */
	while (more) {
		double rest = 0, scale;
		more = 0;
		for (int i = clipped; i < e; i++)
			rest += pow(i + 1.0, -m->moe_skew);
		scale = (m->top_k - clipped) / rest;
		for (int i = clipped; i < e; i++)
			p[i] = scale * pow(i + 1.0, -m->moe_skew);
		/* the weights fall with i: the clipped ones are a prefix */
		while (clipped < e && p[clipped] >= 1) {
			p[clipped++] = 1;
			more = 1;
		}
	}
}

/* The busiest GPU's experts' probabilities (the first moe_local: the hottest, in order). */
static const double *moe_probs(struct cost_ctx *c)
{
	if (!c->moe_p) {
		c->moe_p = xmalloc(sizeof(double) * (size_t)c->m->n_experts);
		cost_moe_probs(c->m, c->moe_p);
	}
	return c->moe_p;
}

/* t, or the time of one more all-reduce regime (lat, bw; lat 0: absent) over `moved`
 * bytes when that is shorter */
static double faster_regime(double t, double lat, double bw, double moved)
{
	if (lat > 0 && lat + moved / bw < t)
		return lat + moved / bw;
	return t;
}

double cost_allreduce_nccl(const struct allreduce_model *ar, double bytes)
{
	double moved = bytes * 2.0 * (ar->n_gpus - 1) / ar->n_gpus, t;
	t = ar->lat + moved / ar->busbw;
	/* NCCL's tuner runs whichever protocol it predicts fastest (LL, LL128, Simple) */
	t = faster_regime(t, ar->ll128_lat, ar->ll128_busbw, moved);
	return faster_regime(t, ar->simple_lat, ar->simple_busbw, moved);
}

double cost_allreduce_custom(const struct allreduce_model *ar, double bytes)
{
	/* vLLM switches from one to two stages where two get faster */
	return faster_regime(ar->car_lat + bytes / ar->car_bw, ar->car2_lat, ar->car2_bw, bytes);
}

double cost_allreduce(const struct allreduce_model *ar, double bytes)
{
	double t;
	if (!ar || bytes <= 0)
		return 0;
	t = cost_allreduce_nccl(ar, bytes);
	if (ar->car_lat > 0 && bytes <= ar->car_max_bytes) {
		double tc = cost_allreduce_custom(ar, bytes);
		if (tc < t)
			t = tc;
	}
	return t;
}

static double tiles_factor(const struct attn_prefill_model *a, double sms, double live);

int cost_init(struct cost_ctx *c, const struct model *m, const struct profile *p, int tp,
	      int cuda_graphs)
{
	int g = p->gpus_per_node;
	return cost_init_nodes(c, m, p, tp, tp > g ? (tp + g - 1) / g : 1, cuda_graphs);
}

int cost_init_nodes(struct cost_ctx *c, const struct model *m, const struct profile *p, int tp,
		    int tp_nodes, int cuda_graphs)
{
	c->m = m;
	c->p = p;
	c->tp = tp;
	c->cuda_graphs = cuda_graphs;
	c->async_sched = 0;
	c->sampler_bytes = COST_SAMPLER_SORT_BYTES;
	c->memo = NULL;
	c->memo_lent = 0;
	c->dec.seqs = -1;
	c->splits = NULL;
	c->tiles_f = NULL;
	c->moe_p = NULL;
	if (model_check_tp(m, tp) < 0 || model_check_ep(m, tp, m->ep) < 0)
		return -1;
	model_layer_gemms_ep(m, tp, m->ep, c->g);
	c->moe_local = model_is_moe(m) ? (m->ep ? m->n_experts / tp : m->n_experts) : 0;
	c->dp = m->ep == EP_DP ? tp : 1;
	c->tp_attn = tp / c->dp;
	c->a2a_bytes_tok = 0;
	c->deepep = NULL;
	c->lm = model_lm_head(m, c->tp_attn);
	c->gm = m->weight_dtype == DT_FP8 ? &p->gemm_fp8 : &p->gemm_bf16;
	if (m->wq_bits && m->weight_dtype != DT_BF16)
		return err_set("key 'dtype': '%s' is a %d-bit %s checkpoint, served with bf16 "
			       "activations (expected auto or bf16, got %s)", m->id, m->wq_bits,
			       wq_method_name(m->wq_method), dtype_name(m->weight_dtype));
	if (m->wq_bits && model_is_mla(m))
		return err_set("key 'model': '%s': weight-only integer MLA models are not modelled "
			       "yet", m->id);
	cost_wq_gemm_model(p, &c->wq_gm);
	c->lin_gm = m->wq_bits || (m->weight_dtype == DT_FP8 && !profile_fp8_native(p))
			    ? &c->wq_gm : c->gm;
	c->moe_eff = cost_moe_compute_eff(m, p);
	c->moe_gm = *c->gm;
	c->moe_gm.peak *= c->moe_eff;
	/* weight-only integer experts (Marlin MoE): their packed weights and group scales
	 * stream at the dense Marlin GEMM's fitted fraction of the bf16 rate, WQ_BW_EFF; the
	 * compute at MOE_WONLY_EFF (above). Neither is fitted on an integer MoE run */
	if (m->wq_bits)
		c->moe_gm.bw_eff *= WQ_BW_EFF;
	c->moe_mm = cost_moe_model(m, p, &c->moe_peak, &c->moe_wb);
	if (cost_moe_shape(m, c->moe_mm, tp, &c->moe_shape) < 0)
		return -1;
	c->moe_h = c->g[GEMM_EXPERT_DOWN].n;
	c->moe_f = c->g[GEMM_EXPERT_DOWN].k;
	if (m->expert_fp4) /* vLLM's MXFP4 layouts (model.h, enum mxfp4_backend) */
		model_mxfp4_pad(m->mxfp4_backend, &c->moe_f, &c->moe_h);
	c->heads = model_heads_per_gpu(m, c->tp_attn);
	c->kv_heads = model_kv_heads_per_gpu(m, c->tp_attn);
	c->mla_mm = cost_mla_model(m, p);
	if (cost_mla_slice(m, p, c->heads, &c->mla_s) < 0)
		return -1;
	/* a token's KV lives on one rank under DP attention: per GPU of the replica, 1/dp */
	c->kv_bytes_tok = model_kv_bytes_per_token(m, c->tp_attn) / c->dp;
	c->one_tile = tiles_factor(&p->attn_prefill, p->gemm_bf16.sms, 1);
	c->ar = NULL;
	c->tp_nodes = tp_nodes;
	if (c->dp > 1) {
		/* a token's top_k experts lie on dp (1 - (1 - 1/dp)^top_k) ranks on average
		 * (balanced placement); its bf16 hidden state goes to each; over the nodes the
		 * replica spans, checked once here (layout, network), timed by models/comm.c */
		double ranks = c->dp * -expm1(m->top_k * log1p(-1.0 / c->dp));
		c->a2a_bytes_tok = ranks * m->hidden * 2.0;
		if (comm_alltoall(p, c->a2a_bytes_tok, c->dp, tp_nodes) < 0)
			return err_prefix("key 'ep': ");
		c->deepep = cost_deepep_model(p, c->dp, tp_nodes);
	} else if (tp > 1 && tp_nodes > 1) {
		/* across nodes: checked once here (layout, network), timed by models/comm.c */
		if (comm_allreduce(p, 2, tp, tp_nodes) < 0) {
			char why[256];
			strlcpy0(why, err_msg(), sizeof(why));
			return err_set("key 'tp': %s", why);
		}
		c->ar = profile_allreduce(p, tp / tp_nodes); /* the node's part (NULL: 1 GPU) */
	} else if (tp > 1) {
		c->ar = profile_allreduce(p, tp);
		if (!c->ar)
			return err_set("key 'tp': profile '%s' has no all-reduce model for %d GPUs",
				       p->name, tp);
	}
	c->host_ops = cost_host_ops(c);
	return 0;
}

static inline double at_least(double t, double floor) { return t > floor ? t : floor; }

/* One all-reduce of the tensor-parallel group: inside a node from its model, across nodes
 * by models/comm.c (the layout was checked by cost_init_nodes) */
static double tp_allreduce(const struct cost_ctx *c, double bytes)
{
	if (c->tp_nodes > 1)
		return comm_allreduce(c->p, bytes, c->tp, c->tp_nodes);
	return cost_allreduce(c->ar, bytes);
}

/* Memo layout, each [graph][m]: the four layer GEMMs; the LM head; all but attention of a
 * decode-only step of m sequences. */
#define MEMO_M 16384

void cost_release(struct cost_ctx *c)
{
	if (!c->memo_lent)
		free(c->memo);
	c->memo = NULL;
	c->memo_lent = 0;
	c->dec.seqs = -1;
	free(c->splits);
	c->splits = NULL;
	free(c->tiles_f);
	c->tiles_f = NULL;
	free(c->moe_p);
	c->moe_p = NULL;
}

#define MEMO_VALUES (6 * MEMO_M)
#define POOL_KEYS 4

struct cost_memo_pool {
	struct pool_entry {
		struct model model;
		struct profile profile;
		int tp, tp_nodes, cuda_graphs, used;
		unsigned long stamp; /* last use, to replace the oldest */
		double *memo;
	} e[POOL_KEYS];
	unsigned long clock;
};

static double *memo_new(void)
{
	double *memo = xmalloc(sizeof(double) * MEMO_VALUES);
	for (size_t i = 0; i < MEMO_VALUES; i++)
		memo[i] = NAN;
	return memo;
}

struct cost_memo_pool *cost_memo_pool_new(void)
{
	return xcalloc(1, sizeof(struct cost_memo_pool));
}

void cost_memo_pool_free(struct cost_memo_pool *pool)
{
	if (!pool)
		return;
	for (int i = 0; i < POOL_KEYS; i++)
		free(pool->e[i].memo);
	free(pool);
}

void cost_use_pool(struct cost_ctx *c, struct cost_memo_pool *pool)
{
	struct pool_entry *e, *old;
	if (!pool || c->memo)
		return;
	old = &pool->e[0];
	for (int i = 0; i < POOL_KEYS; i++) {
		e = &pool->e[i];
		/* whole structs compared: padding that differs only costs a miss */
		if (e->used && e->tp == c->tp && e->tp_nodes == c->tp_nodes &&
		    e->cuda_graphs == c->cuda_graphs &&
		    /* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison): padding only misses */
		    !memcmp(&e->model, c->m, sizeof(e->model)) &&
		    /* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison): padding only misses */
		    !memcmp(&e->profile, c->p, sizeof(e->profile)))
			goto found;
		if (!e->used || (old->used && e->stamp < old->stamp))
			old = e;
	}
	e = old;
	free(e->memo);
	memcpy(&e->model, c->m, sizeof(e->model));
	memcpy(&e->profile, c->p, sizeof(e->profile));
	e->tp = c->tp;
	e->tp_nodes = c->tp_nodes;
	e->cuda_graphs = c->cuda_graphs;
	e->used = 1;
	e->memo = memo_new();
found:
	e->stamp = ++pool->clock;
	c->memo = e->memo;
	c->memo_lent = 1;
}

static double *memo_slot(struct cost_ctx *c, int table, int graph, double m)
{
	if (m < 1 || m >= MEMO_M || m != (double)(long)m)
		return NULL;
	if (!c->memo)
		c->memo = memo_new();
	return &c->memo[((size_t)table * 2 + (size_t)graph) * MEMO_M + (size_t)m];
}

double cost_extra_gemm(const struct cost_ctx *c, double m, double n, double k, int graph)
{
	double launch = graph ? c->p->launch_graph : c->p->launch_eager;
	if (m <= 0 || n <= 0 || k <= 0)
		return 0;
	return at_least(cost_gemm(c->gm, c->p->hbm_bw, m, n, k, dtype_bytes(c->m->weight_dtype)),
			launch);
}

/* Rows (tokens, sequences) of the busiest data-parallel rank: x / dp rounded up. */
static inline double local_rows(const struct cost_ctx *c, double x)
{
	return c->dp > 1 ? ceil(x / c->dp) : x;
}

/* One GEMM of the layer at m tokens, at least a launch; 0 when the model has none. Its
 * weights' bytes: the dtype's, or an integer format's with its scales (cost.h lin_gm). */
static double one_gemm(const struct cost_ctx *c, enum layer_gemm i, double m, double launch)
{
	if (c->g[i].n <= 0)
		return 0;
	return at_least(cost_gemm(c->lin_gm, c->p->hbm_bw, m, c->g[i].n, c->g[i].k,
				  model_wq_bytes_per_weight(c->m, c->g[i].k)),
			launch);
}

/* The GEMMs of every layer at m tokens, each at least a launch: attention's projections,
 * then the dense MLP, or the router, shared experts and the grouped routed experts (the
 * busiest GPU's: under EP the one holding the hottest experts). */
static double layer_gemms(struct cost_ctx *c, double m, double launch, int graph, double wb)
{
	double *slot = memo_slot(c, 0, graph, m), t = 0, moe = 0, all = m;
	const struct model *md = c->m;
	int moe_layers = model_moe_layers(md);
	if (slot && !isnan(*slot))
		return *slot;
	m = local_rows(c, m); /* the busiest rank's tokens; the experts see all */
	t = one_gemm(c, GEMM_QKV, m, launch) + one_gemm(c, GEMM_O, m, launch) +
	    one_gemm(c, GEMM_QKV_A, m, launch);
	if (moe_layers) {
		const double *p = moe_probs(c);
		/* the router stays bf16 (vLLM leaves the gate unquantised) */
		moe = t + at_least(cost_gemm(&c->p->gemm_bf16, c->p->hbm_bw, m, c->g[GEMM_ROUTER].n,
					     c->g[GEMM_ROUTER].k, 2.0), launch) +
		      one_gemm(c, GEMM_SHARED_UP, m, launch) +
		      one_gemm(c, GEMM_SHARED_DOWN, m, launch);
		if (c->moe_mm) {
			/* the fused-MoE kernel fitted on measured tables (profile.h, "Fused MoE"),
			 * or the table itself where it measured this shape (moe_table.h) */
			moe += at_least(cost_moe_layer(c->moe_mm, c->moe_shape, c->moe_peak,
						       c->p->hbm_bw, all, md->top_k, p, c->moe_local,
						       md->n_experts, c->moe_h, c->moe_f, c->moe_wb),
					launch);
		} else {
			/* MXFP4 experts stream 4.25 bits a weight into bf16 (or fp8) GEMMs;
			 * weight-only (dequantising) kernels compute at moe_eff of the GEMM
			 * model's peak */
			double ewb = md->expert_fp4 ? MODEL_MXFP4_BYTES : wb, dwb = ewb;
			/* weight-only integers: wq_bits a weight and a group's scales and zero
			 * points, grouped along each GEMM's input (h for up, f for down) */
			if (md->wq_bits) {
				ewb = model_wq_bytes_per_weight(md, c->moe_h);
				dwb = model_wq_bytes_per_weight(md, c->moe_f);
			}
			moe += at_least(cost_grouped_gemm(&c->moe_gm, c->p->hbm_bw, all, p,
							  c->moe_local, 2 * c->moe_f, c->moe_h, ewb),
					launch) +
			       at_least(cost_grouped_gemm(&c->moe_gm, c->p->hbm_bw, all, p,
							  c->moe_local, c->moe_h, c->moe_f, dwb),
					launch);
		}
	}
	t += one_gemm(c, GEMM_UP, m, launch) + one_gemm(c, GEMM_DOWN, m, launch);
	t = (md->n_layers - moe_layers) * t + moe_layers * moe;
	if (slot)
		*slot = t;
	return t;
}

static double lm_head_gemm(struct cost_ctx *c, double rows, double launch, int graph, double wb)
{
	double *slot = memo_slot(c, 1, graph, rows), t;
	if (slot && !isnan(*slot))
		return *slot;
	t = at_least(cost_gemm(c->gm, c->p->hbm_bw, rows, c->lm.n, c->lm.k, wb), launch);
	if (slot)
		*slot = t;
	return t;
}

double cost_host_ops(const struct cost_ctx *c)
{
	const struct model *m = c->m;
	double L = m->n_layers, nm = model_moe_layers(m);
	double attn = HOST_OPS_LAYER - 4, mlp = 4, moe = HOST_OPS_MOE_MLP;
	if (m->qk_norm)
		attn += HOST_OPS_QK_NORM;
	if (model_is_mla(m))
		attn += HOST_OPS_MLA;
	if (c->tp_attn > 1)
		attn += HOST_OPS_TP;
	if (c->g[GEMM_SHARED_UP].n > 0)
		moe += HOST_OPS_SHARED;
	if (c->dp > 1)
		moe += HOST_OPS_A2A;
	return L * attn + (L - nm) * mlp + nm * moe + HOST_OPS_STEP;
}

/* The engine's CPU time of a step (schedule, prepare inputs, sample); each data-parallel
 * rank has an engine core of its own: its sequences, no TP workers */
static double step_cpu(const struct cost_ctx *c, const struct step_batch *b)
{
	const struct profile *p = c->p;
	double seqs = local_rows(c, b->n_decode + b->n_prefill);
	return seqs > 0 ? p->step_base + p->step_per_seq * seqs + p->step_per_tp * (c->tp_attn - 1)
			: 0;
}

/* Everything but attention: GEMMs, all-reduces, elementwise kernels, the LM head and the
 * CPU. For a decode-only step it depends on the batch size alone, so it is memoised. */
static void step_rest(struct cost_ctx *c, const struct step_batch *b, double tokens, int graph,
		      struct step_cost *sc)
{
	const struct model *m = c->m;
	const struct profile *p = c->p;
	double wb = dtype_bytes(m->weight_dtype), L = m->n_layers;
	double launch = graph ? p->launch_graph : p->launch_eager;
	double samples = local_rows(c, b->n_sample);

	if (tokens > 0) {
		sc->gemm = layer_gemms(c, tokens, launch, graph, wb);
		tokens = local_rows(c, tokens);
		/* data-parallel attention: each MoE layer dispatches the rank's tokens to their
		 * experts and combines the results, two all-to-alls (comm.h) */
		if (c->dp > 1 && c->deepep) /* DeepEP: low-latency kernels when decoding */
			sc->allreduce = model_moe_layers(m) *
					cost_deepep_pair(c->deepep, tokens, m->top_k, m->hidden,
							 b->n_prefill == 0, launch);
		else if (c->dp > 1)
			sc->allreduce = model_moe_layers(m) * 2.0 *
					at_least(comm_alltoall(p, tokens * c->a2a_bytes_tok, c->dp,
							       c->tp_nodes), launch);
		if (c->tp_attn > 1)
			sc->allreduce = L * 2.0 *
					at_least(tp_allreduce(c, model_allreduce_bytes(m, tokens)),
						 launch);
		{
			/* bf16 bytes moved by the elementwise kernels of one layer */
			double h = m->hidden, qkv = c->g[GEMM_QKV].n, inter = c->g[GEMM_DOWN].k;
			double bytes, nm = model_moe_layers(m);
			/* MoE layers: the activation over each token's routed and shared experts */
			if (nm > 0)
				inter = (m->top_k * c->g[GEMM_EXPERT_DOWN].k + c->g[GEMM_SHARED_DOWN].k);
			bytes = tokens * 2.0 * (8.0 * h + 2.0 * qkv + 3.0 * inter);
			sc->elementwise = L * (at_least(bytes / p->ew_bw, launch) +
					       (EW_KERNELS - 1) * launch);
			/* and its routing kernels: top-k, the sort of rows by expert, the weighted
			 * sum of the experts' outputs (inside the fused-MoE model's t0 where the
			 * profile has one: the tables time them with the experts) */
			if (!c->moe_mm)
				sc->elementwise += nm * MOE_KERNELS * launch;
		}
	}
	if (b->n_sample > 0) {
		sc->lm_head = lm_head_gemm(c, samples, launch, graph, wb) +
			      2.0 * launch; /* final norm, sampler */
		if (c->tp_attn > 1) /* logits gathered to the driver worker */
			sc->lm_head += tp_allreduce(c, samples * c->lm.n * 2.0);
	}
	sc->cpu = step_cpu(c, b);
}

double cost_attn_prefill(const struct profile *p, double seqs, double tokens, double pairs,
			 double heads, double kv_heads, double head_dim, double kv_bytes)
{
	/* the rate falls on short rows and small heads; a step's rows are as long as
	 * 2 x pairs / tokens, a whole prompt's length + 1 for a full prefill */
	double rate = p->attn_prefill.rate, t, tiles = 0, sms = p->gemm_bf16.sms;
	double rows = head_dim <= 64 ? PROFILE_ATTN_TILE_D64 : PROFILE_ATTN_TILE;
	if (seqs > 0) /* query tiles, a KV head's query heads packed in one */
		tiles = seqs * kv_heads * ceil(tokens / seqs * (heads / kv_heads) / rows);
	if (p->attn_prefill.s_half > 0) {
		double srow = 2.0 * pairs / tokens;
		rate *= srow / (srow + p->attn_prefill.s_half);
	}
	if (p->attn_prefill.d_half > 0)
		rate *= head_dim / (head_dim + p->attn_prefill.d_half);
	/* past FA3's widest head another kernel runs, at its own efficiency */
	if (head_dim > PROFILE_FA_MAX_DIM && p->attn_prefill.wide_eff > 0)
		rate *= p->attn_prefill.wide_eff;
	/* fewer query tiles than the SMs can run leave the GPU part empty */
	if (p->attn_prefill.tile_half > 0 && tiles > 0)
		rate *= tiles / (tiles + p->attn_prefill.tile_half);
	/* and a last wave of tiles that fills only part of them, as in a GEMM */
	if (p->attn_prefill.wave_exp > 0 && tiles > 0 && sms > 0) {
		double q = tiles / (ceil(tiles / sms) * sms);
		if (q < 1)
			rate *= pow(q, p->attn_prefill.wave_exp);
	}
	t = p->attn_prefill.t0 + 4.0 * heads * head_dim * pairs / rate;
	/* K and V of the new tokens through memory once more (the paged-cache write) */
	if (p->attn_prefill.kv_bw > 0)
		t += kv_bytes / p->attn_prefill.kv_bw;
	if (p->attn_prefill.tile > 0)
		t += p->attn_prefill.tile * tiles;
	/* vLLM's paged-cache write: one CTA per new token, rounds of them over the SMs */
	if (p->attn_prefill.cache_round > 0 && sms > 0 && tokens > 0) {
		double threads = fmin(PROFILE_CACHE_THREADS, kv_heads * head_dim);
		double per_sm = fmin(PROFILE_SM_CTAS, floor(PROFILE_SM_THREADS / threads));
		t += p->attn_prefill.cache_round * ceil(tokens / (sms * per_sm));
	}
	return t;
}

/* ceil() of 0 <= x < 2^63: on baseline x86-64 ceil() is a libm call, and the decode terms
 * below take it on every step */
static inline double ceil_pos(double x)
{
	double t = (double)(long long)x;
	return t < x ? t + 1 : t;
}

/* A chunk's query tiles and the work each holds, in causal pairs (attn_prefill_mixed). */
struct chunk_tiles {
	double n, w;
};

static int by_work_down(const void *a, const void *b)
{
	double x = ((const struct chunk_tiles *)a)->w, y = ((const struct chunk_tiles *)b)->w;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* By work, heaviest first: insertion for the tens of chunks of a typical step. */
static void sort_by_work(struct chunk_tiles *ct, int n)
{
	if (n > 64) {
		qsort(ct, (size_t)n, sizeof(*ct), by_work_down);
		return;
	}
	for (int i = 1; i < n; i++) {
		struct chunk_tiles x = ct[i];
		int j = i;
		for (; j > 0 && ct[j - 1].w < x.w; j--)
			ct[j] = ct[j - 1];
		ct[j] = x;
	}
}

/* Tiles' work-to-time factor in a batch of `live` alike query tiles: live over their
 * occupancy (the tile_half and wave_exp factors of cost_attn_prefill; 1 each when absent). */
static double tiles_factor(const struct attn_prefill_model *a, double sms, double live)
{
	double occ = 1;
	if (a->tile_half > 0)
		occ *= live / (live + a->tile_half);
	if (a->wave_exp > 0 && sms > 0) {
		double q = live / (ceil_pos(live / sms) * sms);
		if (q < 1)
			occ *= pow(q, a->wave_exp);
	}
	return live / occ;
}

/* tiles_factor through the context's table where it has one: a simulation meets the same
 * few thousand tile counts again and again, and each costs a pow(). */
#define TILES_MEMO 8192
static inline double ctx_tiles_factor(struct cost_ctx *c, const struct attn_prefill_model *a,
				      double sms, double live)
{
	double *e;
	if (!c || live >= TILES_MEMO)
		return tiles_factor(a, sms, live);
	if (!c->tiles_f)
		c->tiles_f = xcalloc(TILES_MEMO, sizeof(double)); /* 0: not yet */
	e = &c->tiles_f[(size_t)live];
	if (*e == 0)
		*e = tiles_factor(a, sms, live);
	return *e;
}

/* Prefill attention of chunks that differ (profile.h, "mixed chunks"): each chunk's tiles
 * carry its own work, and all tiles progress together, at the rate a batch of as many alike
 * tiles gets (never above the rate of one tile alone: one_tile = tiles_factor(1)), until
 * the lightest finish; then the rest go on at the rate of fewer. The terms outside the
 * FLOPs are those of cost_attn_prefill over the chunks' sums. */
static double attn_prefill_mixed(struct cost_ctx *cc, const struct profile *p,
				 const struct prefill_chunk *ch, int n, double heads,
				 double kv_heads, double head_dim, double kv_bytes, double one_tile)
{
	const struct attn_prefill_model *a = &p->attn_prefill;
	double rate = a->rate, sms = p->gemm_bf16.sms, tiles = 0, tokens = 0, work = 0, live = 0, t;
	double rows = head_dim <= 64 ? PROFILE_ATTN_TILE_D64 : PROFILE_ATTN_TILE;
	struct chunk_tiles one[16], *ct = n <= 16 ? one : xmalloc((size_t)n * sizeof(*ct));
	for (int i = 0; i < n; i++) {
		double c = ch[i].tokens, pairs = c * ch[i].cached + c * (c + 1) / 2;
		/* the row-length factor of each chunk: pairs x (s + s_half) / s, s = 2 pairs / c */
		double f = a->s_half > 0 ? pairs + a->s_half * c / 2 : pairs;
		ct[i].n = kv_heads * ceil_pos(c * (heads / kv_heads) / rows);
		ct[i].w = ct[i].n > 0 ? f / ct[i].n : 0;
		tiles += ct[i].n;
		tokens += c;
	}
	sort_by_work(ct, n);
	/* sum over the phases, heaviest tiles last to finish: the work each phase advances
	 * every live tile by, times the factor of that many tiles (profile.h) */
	for (int i = 0; i < n; i++) {
		double next = i + 1 < n ? ct[i + 1].w : 0;
		live += ct[i].n;
		if (ct[i].w > next)
			work += (ct[i].w - next) * fmax(one_tile, ctx_tiles_factor(cc, a, sms, live));
	}
	if (ct != one)
		free(ct);
	if (a->d_half > 0)
		rate *= head_dim / (head_dim + a->d_half);
	if (head_dim > PROFILE_FA_MAX_DIM && a->wide_eff > 0)
		rate *= a->wide_eff;
	t = a->t0 + 4.0 * heads * head_dim * work / rate;
	if (a->kv_bw > 0)
		t += kv_bytes / a->kv_bw;
	if (a->tile > 0)
		t += a->tile * tiles;
	if (a->cache_round > 0 && sms > 0 && tokens > 0) {
		double threads = fmin(PROFILE_CACHE_THREADS, kv_heads * head_dim);
		double per_sm = fmin(PROFILE_SM_CTAS, floor(PROFILE_SM_THREADS / threads));
		t += a->cache_round * ceil(tokens / (sms * per_sm));
	}
	return t;
}

/* 1 when the chunks are all one length after one cached length: the calibrated case */
static int chunks_alike(const struct prefill_chunk *ch, int n)
{
	for (int i = 1; i < n; i++)
		if (ch[i].tokens != ch[0].tokens || ch[i].cached != ch[0].cached)
			return 0;
	return 1;
}

double cost_attn_prefill_chunks(const struct profile *p, const struct prefill_chunk *chunks,
				int n, double heads, double kv_heads, double head_dim,
				double kv_bytes)
{
	double tokens = 0, pairs = 0;
	if (!chunks_alike(chunks, n))
		return attn_prefill_mixed(NULL, p, chunks, n, heads, kv_heads, head_dim, kv_bytes,
					  tiles_factor(&p->attn_prefill, p->gemm_bf16.sms, 1));
	/* the sums as the engine forms them */
	for (int i = 0; i < n; i++) {
		double c = chunks[i].tokens;
		tokens += c;
		pairs += c * chunks[i].cached + c * (c + 1) / 2;
	}
	return cost_attn_prefill(p, n, tokens, pairs, heads, kv_heads, head_dim, kv_bytes);
}

/* FlashAttention-3's split-KV count (flash_api.cpp, num_splits_heuristic): a launch of at
 * least 0.8 x sms CTAs, or of at most 4 KV blocks, runs unsplit; otherwise it takes the
 * fewest splits whose wave efficiency is within 85% of the best up to min(128, sms, blocks). */
static int fa3_num_splits(double ctas, double sms, double nblk)
{
	double best = 0, eff[129];
	int mx = (int)fmin(fmin(128, sms), nblk);
	if (ctas >= 0.8 * sms || nblk <= 4)
		return 1;
	for (int k = 1; k <= mx; k++) {
		double w = ctas * k / sms;
		eff[k] = w / ceil_pos(w);
		if (eff[k] > best)
			best = eff[k];
	}
	for (int k = 1; k <= mx; k++)
		if (eff[k] >= 0.85 * best)
			return k;
	return 1;
}

/* fa3_num_splits, through the context's table where it has one: a simulation asks for few
 * (pairs, blocks) thousands of times. Only the heuristic's loop is tabled (fewer pairs than
 * 0.8 x sms, more than 4 blocks); past min(128, sms) blocks the count no longer depends on
 * them. Inline: most calls take the first return. */
static inline int ctx_num_splits(struct cost_ctx *c, double pairs, double sms, double nblk)
{
	if (!c || pairs >= 0.8 * sms || nblk <= 4)
		return fa3_num_splits(pairs, sms, nblk);
	if (!c->splits) {
		c->splits_pairs = (int)ceil(0.8 * sms);
		c->splits_blks = (int)fmin(128, sms) + 1;
		c->splits = xcalloc((size_t)c->splits_pairs * c->splits_blks, 1);
	}
	int b = (int)fmin(nblk, c->splits_blks - 1);
	unsigned char *e = &c->splits[(size_t)pairs * c->splits_blks + b];
	if (!*e)
		*e = (unsigned char)fa3_num_splits(pairs, sms, b);
	return *e;
}

/* KV blocks of PROFILE_FA_KV_BLOCK tokens in a sequence's mean context: the least n with
 * n x seqs x 128 >= ctx_tokens (defined by the product, so that decode_coeffs' range of
 * contexts (ctx_lo, ctx_hi] holds exactly the contexts of the same n) */
static double decode_blocks(double seqs, double ctx_tokens)
{
	double per = seqs * PROFILE_FA_KV_BLOCK, n = ceil_pos(ctx_tokens / per);
	while (n * per < ctx_tokens)
		n++;
	while (n > 0 && (n - 1) * per >= ctx_tokens)
		n--;
	return n;
}

/* The parts of decode attention that depend on the batch and its mean context in KV
 * blocks, not on the KV read. With none of the optional terms (plain = 1) the time is
 * base + kv_bytes / bw exactly. c (may be NULL) keeps the split counts. */
static void decode_coeffs(struct cost_ctx *c, const struct profile *p, double seqs, double nblk,
			  double kv_heads, double head_dim, struct decode_coeffs *co)
{
	double pairs = seqs * kv_heads, w = 0;
	int wide = head_dim > PROFILE_FA_MAX_DIM &&
		   (p->attn_decode.wide_t0 > 0 || p->attn_decode.wide_cta > 0);
	co->seqs = seqs;
	/* the contexts these terms hold for: those of nblk blocks, or any where they do not
	 * depend on it */
	co->ctx_lo = -INFINITY, co->ctx_hi = INFINITY;
	co->base = p->attn_decode.t0 + p->attn_decode.per_seq * seqs;
	/* FA3 works out each sequence's splits in a kernel of its own up to 992 sequences */
	if (seqs <= PROFILE_FA_DYN_MAX_SEQS)
		co->base += p->attn_decode.dyn_seq * seqs;
	co->plain = !(wide || p->attn_decode.cta > 0 || p->attn_decode.cta_dim > 0 ||
		      p->attn_decode.blk > 0);
	if (co->plain)
		return;
	if (wide) {
		/* the fallback kernel of wide heads: per (sequence, KV head), no first wave */
		co->base += p->attn_decode.wide_t0;
		w = p->attn_decode.wide_cta * pairs;
	} else {
		/* one CTA per (sequence, KV head) and split, in waves over the SMs; each costs
		 * its fixed part and its share of the KV blocks. Where it splits, the parts are
		 * merged in one more step. */
		double sms = p->gemm_bf16.sms, splits = ctx_num_splits(c, pairs, sms, nblk);
		co->ctx_lo = (nblk - 1) * seqs * PROFILE_FA_KV_BLOCK;
		co->ctx_hi = nblk * seqs * PROFILE_FA_KV_BLOCK;
		double waves = ceil_pos(pairs * splits / sms);
		w = waves * (p->attn_decode.cta + p->attn_decode.cta_dim * head_dim +
			     ceil_pos(nblk / splits) * p->attn_decode.blk * head_dim / 128);
		if (splits > 1)
			co->base += p->attn_decode.split;
	}
	co->w2 = w * w;
	/* seconds^2 per byte^2 of the stream (HBM, or L2 for a warm benchmark), combined with
	 * the CTA work as one root sum of squares */
	co->a2 = 1.0 / (p->attn_decode.bw * p->attn_decode.bw);
	co->a2_l2 = p->attn_decode.l2_bw > 0 ?
			    1.0 / (p->attn_decode.l2_bw * p->attn_decode.l2_bw) : co->a2;
}

static double decode_eval(const struct profile *p, const struct decode_coeffs *co,
			  double kv_bytes, int warm_l2)
{
	/* a benchmark that re-reads one cache finds it in L2 when it fits; serving does not */
	int l2 = warm_l2 && p->attn_decode.l2_bw > 0 && kv_bytes <= p->attn_decode.l2_bytes;
	if (co->plain)
		return co->base + kv_bytes / (l2 ? p->attn_decode.l2_bw : p->attn_decode.bw);
	/* one square root per step: this runs on every decode step of a simulation */
	return co->base + sqrt(co->w2 + kv_bytes * kv_bytes * (l2 ? co->a2_l2 : co->a2));
}

double cost_attn_decode(const struct profile *p, double seqs, double ctx_tokens, double kv_bytes,
			double kv_heads, double head_dim, int warm_l2)
{
	struct decode_coeffs co;
	decode_coeffs(NULL, p, seqs, decode_blocks(seqs, ctx_tokens), kv_heads, head_dim, &co);
	return decode_eval(p, &co, kv_bytes, warm_l2);
}

/*
 * Multi-head Latent Attention as vLLM runs it (v1/attention/backends/mla/common.py).
 *
 * Prefill: the cached latents of the chunk's context and its new tokens are decompressed by
 * kv_b (kv_lora -> heads x (qk_nope + v_head)) and attended as ordinary heads of width
 * qk_nope + qk_rope (the profile's prefill attention model, kv_heads = heads); the cache
 * write is the latent only.
 *
 * Decode ("absorbed" weights): each query's nope part is taken into the latent space by
 * W_UK (per head qk_nope -> kv_lora) and the output back by W_UV (kv_lora -> v_head), two
 * batched GEMMs over the heads; attention itself is one latent KV head of kv_lora + qk_rope
 * shared by every query head (FlashMLA): it streams the latent cache once and computes
 * 2 x heads x (2 kv_lora + qk_rope) FLOPs per (query, cached token). Its time here is the
 * profile's decode fixed terms (t0, per_seq) plus the larger of the stream at the decode
 * bandwidth and the FLOPs at the bf16 GEMM peak, where the profile has no MLA decode section
 * for the KV dtype; with one, the section's fit (profile.h "MLA decode") and, at the measured
 * shape, aiconfigurator's measured vLLM latencies (models/mla_table.h).
 */
static double mla_prefill(struct cost_ctx *c, const struct step_batch *b, double launch,
			  double kvt)
{
	const struct model *m = c->m;
	const struct profile *p = c->p;
	double L = m->n_layers, kv = b->prefill_tokens * kvt / L, cached = 0, t, up;
	if (b->chunks)
		for (int i = 0; i < b->n_prefill; i++)
			cached += b->chunks[i].cached;
	else if (b->n_prefill > 0) /* alike chunks: pairs / tokens = cached + (c + 1) / 2 */
		cached = b->n_prefill * fmax(0, b->prefill_pairs / b->prefill_tokens -
						       (b->prefill_tokens / b->n_prefill + 1) / 2);
	if (b->chunks && b->n_prefill > 1 && !chunks_alike(b->chunks, b->n_prefill))
		t = attn_prefill_mixed(c, p, b->chunks, b->n_prefill, c->heads, c->heads,
				       m->head_dim, kv, c->one_tile);
	else
		t = cost_attn_prefill(p, b->n_prefill, b->prefill_tokens, b->prefill_pairs,
				      c->heads, c->heads, m->head_dim, kv);
	up = cost_gemm(c->gm, p->hbm_bw, b->prefill_tokens + cached,
		       (double)c->heads * (m->qk_nope + m->v_head), m->kv_lora,
		       dtype_bytes(m->weight_dtype));
	return L * (at_least(t, launch) + at_least(up, launch));
}

const struct deepep_model *cost_deepep_model(const struct profile *p, int ranks, int nodes)
{
	if (strcmp(p->ep_alltoall, "deepep") || nodes < 1 || ranks != 8 * nodes)
		return NULL;
	for (int i = 0; i < PROFILE_DEEPEP_N; i++)
		if (ranks == 8 << i && p->deepep[i].ll_dispatch_bw > 0)
			return &p->deepep[i];
	return NULL;
}

double cost_deepep_pair(const struct deepep_model *d, double tokens, int top_k, int hidden,
			int ll, double launch)
{
	double bytes = tokens * top_k * hidden * 2.0;
	if (ll)
		return at_least(d->ll_dispatch_lat + bytes / d->ll_dispatch_bw, launch) +
		       at_least(d->ll_combine_lat + bytes / d->ll_combine_bw, launch);
	return at_least(d->normal_dispatch_lat + bytes / d->normal_dispatch_bw, launch) +
	       at_least(d->normal_combine_lat + bytes / d->normal_combine_bw, launch);
}

const struct mla_model *cost_mla_model(const struct model *m, const struct profile *p)
{
	const struct mla_model *mm = m->kv_dtype == DT_FP8 ? &p->mla_fp8 : &p->mla_bf16;
	return model_is_mla(m) && mm->bw_eff > 0 ? mm : NULL;
}

int cost_mla_slice(const struct model *m, const struct profile *p, int heads,
		   const struct mla_slice **s)
{
	const struct mla_model *mm = cost_mla_model(m, p);
	const char *dt = m->kv_dtype == DT_FP8 ? "fp8" : "bfloat16";
	const struct mla_table *t;
	*s = NULL;
	if (!mm || !mm->table[0] || m->kv_lora != MLA_TABLE_KV_LORA ||
	    m->qk_rope != MLA_TABLE_QK_ROPE || m->qk_nope != MLA_TABLE_QK_NOPE ||
	    m->v_head != MLA_TABLE_V_HEAD)
		return 0;
	if (!(t = mla_table_get(mm->table, dt))) {
		char why[512];
		strlcpy0(why, err_msg(), sizeof(why));
		return err_set("key 'mla_%s.table': %s", m->kv_dtype == DT_FP8 ? "fp8" : "bf16",
			       why);
	}
	*s = mla_table_find(t, heads);
	return 0;
}

double cost_mla_decode_layer(const struct profile *p, const struct mla_model *mm,
			     const struct mla_slice *s, int kv_lora, int qk_rope, int qk_nope,
			     int v_head, double heads, double seqs, double q, double ctx_tokens,
			     double bytes, double launch)
{
	double one = 1, t, bmm, tab;
	/* each query token scores its sequence's context: the mean query tokens a sequence */
	double flops = 2.0 * heads * (q / seqs) * ctx_tokens * (2.0 * kv_lora + qk_rope);
	if (mm) {
		if (s && q == seqs && mla_slice_eval(s, seqs, ctx_tokens / seqs, &tab))
			return tab;
		t = mm->t0 + mm->seq_head * q * heads +
		    fmax(bytes / (p->hbm_bw * mm->bw_eff), flops / p->gemm_bf16.peak);
		return at_least(t, launch);
	}
	t = p->attn_decode.t0 + p->attn_decode.per_seq * seqs +
	    fmax(bytes / p->attn_decode.bw, flops / p->gemm_bf16.peak);
	/* W_UK and W_UV: one batched launch each of `heads` GEMMs over q rows, timed as one
	 * GEMM of the heads' weights side by side, in bf16 (vLLM dequantises them) */
	bmm = at_least(cost_grouped_gemm(&p->gemm_bf16, p->hbm_bw, q, &one, 1, heads * kv_lora,
					 qk_nope, 2.0), launch) +
	      at_least(cost_grouped_gemm(&p->gemm_bf16, p->hbm_bw, q, &one, 1, heads * v_head,
					 kv_lora, 2.0), launch);
	return at_least(t, launch) + bmm;
}

static double mla_decode(struct cost_ctx *c, const struct step_batch *b, double launch,
			 double kvt)
{
	const struct model *m = c->m;
	double L = m->n_layers;
	return L * cost_mla_decode_layer(c->p, c->mla_mm, c->mla_s, m->kv_lora, m->qk_rope,
					 m->qk_nope, m->v_head, c->heads, b->n_decode,
					 cost_decode_tokens(b), b->decode_ctx,
					 b->decode_ctx * kvt / L, launch);
}

/* The busiest data-parallel rank's share of a step's attention: 1/dp of its sequences
 * rounded up, with their share of the context, tokens and pairs (chunks then alike). */
static void local_batch(const struct cost_ctx *c, const struct step_batch *b,
			struct step_batch *l)
{
	*l = *b;
	l->n_decode = (int)local_rows(c, b->n_decode);
	l->n_prefill = (int)local_rows(c, b->n_prefill);
	l->n_sample = (int)local_rows(c, b->n_sample);
	if (b->n_decode > 0) {
		l->decode_ctx = b->decode_ctx * l->n_decode / b->n_decode;
		/* the unmatched n-gram sequences split as the others do, rank 0 taking the
		 * remainder of each (as sim/engine.c pp_period splits micro-batches) */
		l->decode_unmatched = (int)local_rows(c, b->decode_unmatched);
	}
	if (b->n_prefill > 0 && l->n_prefill < b->n_prefill) {
		double f = (double)l->n_prefill / b->n_prefill;
		l->prefill_tokens = ceil(b->prefill_tokens * f);
		l->prefill_pairs = b->prefill_pairs * f;
		l->chunks = NULL;
	}
}

double cost_step(struct cost_ctx *c, const struct step_batch *b, struct step_cost *out)
{
	const struct model *m = c->m;
	const struct profile *p = c->p;
	struct step_cost sc = {0};
	double tokens = cost_decode_tokens(b) + b->prefill_tokens;
	double L = m->n_layers, launch, rest;
	int graph = c->cuda_graphs && b->n_prefill == 0 && b->n_decode <= p->graph_max_seqs;
	double *slot = NULL;

	struct step_batch lb;
	double kvt = c->kv_bytes_tok;
	/* the engine's CPU of the step, where it is not simply added: eager (no CUDA graphs
	 * anywhere), before the forward's host ops; under async scheduling, beside the GPU */
	double cpu = (!c->cuda_graphs && p->host_op_eager > 0) || c->async_sched ? step_cpu(c, b)
										: 0;

	launch = graph ? p->launch_graph : p->launch_eager;
	if (!out && b->n_prefill == 0 && b->decode_q == 1 && b->n_sample == b->n_decode)
		slot = memo_slot(c, 2, graph, b->n_decode);
	if (slot && !isnan(*slot)) {
		rest = *slot;
	} else {
		step_rest(c, b, tokens, graph, &sc);
		rest = sc.gemm + sc.allreduce + sc.elementwise + sc.lm_head + sc.cpu;
		if (slot)
			*slot = rest;
	}
	/* attention is each rank's own under DP attention: the busiest rank's sequences,
	 * whose KV tokens are whole on it */
	if (c->dp > 1) {
		local_batch(c, b, &lb);
		b = &lb;
		kvt *= c->dp;
	}
	if (tokens > 0 && b->prefill_pairs > 0 && model_is_mla(m)) {
		sc.attn_prefill = mla_prefill(c, b, launch, kvt);
	} else if (tokens > 0 && b->prefill_pairs > 0) {
		double kv = b->prefill_tokens * kvt / L, t;
		/* chunks that differ tile by tile; alike ones (the calibrated case) by the sums */
		if (b->chunks && b->n_prefill > 1 && !chunks_alike(b->chunks, b->n_prefill))
			t = attn_prefill_mixed(c, p, b->chunks, b->n_prefill, c->heads,
					       c->kv_heads, m->head_dim, kv, c->one_tile);
		else
			t = cost_attn_prefill(p, b->n_prefill, b->prefill_tokens, b->prefill_pairs,
					      c->heads, c->kv_heads, m->head_dim, kv);
		sc.attn_prefill = L * at_least(t, launch);
		/* sliding layers: each query sees at most `window` keys (the pairs bounded by
		 * tokens x window: exact for chunks wholly past the window, above otherwise) */
		if (m->n_swa && b->prefill_pairs > b->prefill_tokens * m->window) {
			double tw = cost_attn_prefill(p, b->n_prefill, b->prefill_tokens,
						      b->prefill_tokens * m->window, c->heads,
						      c->kv_heads, m->head_dim, kv);
			sc.attn_prefill = (L - m->n_swa) * at_least(t, launch) +
					  m->n_swa * at_least(tw, launch);
		}
	}
	if (tokens > 0 && b->n_decode > 0 && model_is_mla(m)) {
		sc.attn_decode = mla_decode(c, b, launch, kvt);
	} else if (tokens > 0 && b->n_decode > 0) {
		/* K and V of every attended token, read once per layer; the query tokens of a
		 * verification step share the reads. A layer's cache is cold in serving. */
		double t;
		/* the batch part is kept for the last batch size and mean context in KV blocks:
		 * a quiet stretch of decode steps (sim/engine.c) asks for one size thousands of
		 * times, and the mean context crosses a block every 128 steps at most */
		if (c->dec.seqs != b->n_decode || !(b->decode_ctx > c->dec.ctx_lo) ||
		    !(b->decode_ctx <= c->dec.ctx_hi))
			decode_coeffs(c, p, b->n_decode, decode_blocks(b->n_decode, b->decode_ctx),
				      c->kv_heads, m->head_dim, &c->dec);
		t = decode_eval(p, &c->dec, b->decode_ctx * kvt / L, 0);
		sc.attn_decode = L * at_least(t, launch);
		/* sliding layers read at most `window` tokens a sequence (the sum bounded by
		 * sequences x window: exact once every sequence is past the window) */
		if (m->n_swa && b->decode_ctx > (double)b->n_decode * m->window) {
			double ctx = (double)b->n_decode * m->window;
			double tw = cost_attn_decode(p, b->n_decode, ctx, ctx * kvt / L, c->kv_heads,
						     m->head_dim, 0);
			sc.attn_decode = (L - m->n_swa) * at_least(t, launch) +
					 m->n_swa * at_least(tw, launch);
		}
	}
	/* an engine whose step walks each decoding sequence's block table on the CPU (vLLM
	 * V0: models/engines/vllm-v0.yaml); outside the memoised rest, which sees the batch
	 * size alone. b is the busiest rank's under DP attention, as its engine core's. */
	if (p->step_per_ctx_token > 0 && b->n_decode > 0) {
		double ctx_cpu = p->step_per_ctx_token * b->decode_ctx;
		sc.cpu += ctx_cpu;
		rest += ctx_cpu;
		cpu += ctx_cpu;
	}
	sc.total = rest + sc.attn_prefill + sc.attn_decode;
	/* Eager, the host issues the forward's ops one by one (cost_host_ops, each
	 * host_op_eager of CPU) while the GPU runs behind it: the forward lasts the longer of
	 * its GPU time and its host time, after the engine's CPU. */
	if (!c->cuda_graphs && p->host_op_eager > 0 && tokens > 0) {
		double host = c->host_ops * p->host_op_eager, gpu = sc.total - cpu;
		if (host > gpu) {
			sc.host_wait = host - gpu;
			sc.total = cpu + host;
		}
	}
	/* vLLM's async scheduling (vllm-project/vllm PR #19970, "overlapping scheduling with
	 * model execution ... one step ahead"; PR #23569, input preparation overlapped too):
	 * the engine's CPU for the next step runs while the GPU runs this one, so a step lasts
	 * the longer of its GPU (or eager host) time and the engine's CPU, not their sum */
	if (c->async_sched && cpu > 0) {
		double gpu = sc.total - cpu;
		sc.total = gpu > cpu ? gpu : cpu;
	}
	if (out)
		*out = sc;
	return sc.total;
}

double cost_sampler_peak_bytes(const struct cost_ctx *c, double rows)
{
	/* the sort's bytes an element of the rows x vocab logits holds: bf16 logits 2, their
	 * fp32 copy 4, sorted values 4 and int64 indices 8, the top-k mask 1, the
	 * softmax/cumsum 4, the top-p mask 1 and the scattered result 4; FlashInfer's above */
	return rows * (double)c->m->vocab * c->sampler_bytes;
}

int cost_mem_plan(const struct cost_ctx *c, double gpu_mem_util, int max_batched_tokens,
		  int max_seqs, int block_size, struct mem_plan *out)
{
	const struct model *m = c->m;
	const struct profile *p = c->p;
	double T = local_rows(c, max_batched_tokens), budget, sampler;
	/* one pool block: block_size tokens of one KV cache group's layers (models/model.h) */
	double per_block = c->kv_bytes_tok * block_size * model_kv_block_frac(m);

	out->weights = model_weight_bytes_per_gpu(m, c->tp);
	/* Peak of vLLM's profiling forward pass at max_num_batched_tokens: hidden states and
	 * residual, the QKV output and the MLP's gate/up output (bf16). */
	out->activations = T * 2.0 * (4.0 * m->hidden + c->g[GEMM_QKV].n + c->g[GEMM_UP].n);
	/* fused_moe's caches: each token's top_k rows of the experts' gate/up output and of
	 * their down output (bf16) */
	if (model_is_moe(m))
		out->activations += T * m->top_k * 2.0 *
				    (c->g[GEMM_EXPERT_UP].n + c->g[GEMM_EXPERT_DOWN].n);
	/* The profile run's sampler pass comes after the forward's activations are freed:
	 * the peak is the larger of the two (cost_sampler_peak_bytes). */
	sampler = cost_sampler_peak_bytes(c, local_rows(c, max_seqs < max_batched_tokens ?
							  max_seqs : max_batched_tokens));
	if (sampler > out->activations)
		out->activations = sampler;
	out->reserved = p->mem_reserved_bytes;
	budget = p->hbm_bytes * gpu_mem_util;
	out->kv = budget - out->weights - out->activations - out->reserved;
	out->kv_blocks = out->kv > 0 ? (long)floor(out->kv / per_block) : 0;
	if (out->kv_blocks <= 0)
		return err_set("model '%s' does not fit: %.1f GB of weights, %.1f GB of "
			       "activations and the profile's %.1f GB reserve (memory.reserved_bytes) "
			       "per GPU at tp %d, %.1f GB usable on '%s' (gpu_memory_utilization %.2f)",
			       m->id, out->weights / 1e9, out->activations / 1e9, out->reserved / 1e9,
			       c->tp, budget / 1e9, p->name, gpu_mem_util);
	return 0;
}
