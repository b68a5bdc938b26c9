/*
 * cost.h: the time of one engine step on one replica, from a model, a profile and the
 * step's composition.
 *
 * The engine (sim/) describes a step by aggregates it keeps up to date incrementally, never
 * by a list of sequences: how many sequences decode and how many KV tokens they read in
 * total, how many prefill tokens and causal (query, key) pairs the chunks hold, how many
 * rows sample. cost_step() sums, over the step's operators, the profile's time models
 * (models/profile.h): the four GEMMs of each layer and the LM head at m = tokens in the
 * step, prefill and decode attention, two all-reduces per layer under tensor parallelism,
 * elementwise kernels, each kernel at least its launch cost, and the CPU overhead. MoE
 * layers add the router, shared experts and the routed experts as grouped GEMMs (the
 * busiest GPU's); MLA replaces attention (see mla_prefill, mla_decode in cost.c). Under
 * data-parallel attention (EP_DP, models/model.h) each GPU computes 1/tp of the step's
 * sequences (rounded up: the busiest rank) and all tokens' share of its experts, and two
 * all-to-alls per MoE layer (models/comm.h) replace the all-reduces.
 *
 * cost_step() is a function of its inputs, but memoises the GEMM times per token count in
 * the context (the step loop asks for the same few thousand m values millions of times,
 * and each GEMM evaluation costs two pow() calls): a context belongs to one simulation,
 * one thread; release it with cost_release().
 */
#ifndef TTSIM_COST_H
#define TTSIM_COST_H

#include "models/model.h"
#include "models/profile.h"
#include "models/mla_table.h"

/* Decode attention's terms that depend on the batch size and the KV blocks of its mean
 * context, not on the bytes read (cost.c). */
struct decode_coeffs {
	double seqs;      /* the batch size they hold (-1: none) */
	double ctx_lo, ctx_hi; /* and the contexts (sum of KV tokens) they hold for: the same
	                          KV blocks per sequence, (ctx_lo, ctx_hi] */
	double base;      /* s: launch, per-sequence, split-merge and wide-kernel fixed times */
	double w2;        /* s^2: the CTA work, squared */
	double a2, a2_l2; /* s^2 per byte^2: the KV stream (HBM; warm L2) */
	int plain;        /* none of the optional terms: base + bytes / bw */
};

struct cost_ctx {
	const struct model *m;
	const struct profile *p;
	int tp;                 /* GPUs in the replica */
	int cuda_graphs;        /* 1: decode-only steps replay CUDA graphs */
	int async_sched;        /* 1: the engine's per-step CPU overlaps the GPU's work (vLLM
	                           --async-scheduling): a step lasts the longer of the two
	                           (cost_step); set after cost_init, 0 there */
	double sampler_bytes;   /* bytes a logit of vLLM's profile-run sampler pass holds at
	                           its peak (cost_mem_plan): COST_SAMPLER_SORT_BYTES, set by
	                           cost_init, or COST_SAMPLER_FLASHINFER_BYTES after it */
	/* Derived once by cost_init (do not set): */
	struct gemm_shape g[GEMM_NLAYER], lm;
	const struct gemm_model *gm; /* bf16 or fp8 GEMM model, by m->weight_dtype */
	double moe_eff;         /* the routed experts' compute rate, a fraction of gm's peak
	                           (cost_moe_compute_eff) */
	struct gemm_model moe_gm; /* gm at moe_eff of its peak: the routed experts' GEMMs */
	struct gemm_model wq_gm; /* weight-only kernels (Marlin): gemm_bf16 with
	                            cost_wq_gemm_model's efficiencies */
	const struct gemm_model *lin_gm; /* the layers' linear GEMMs: gm, or wq_gm for weights
	                           the GPU cannot multiply as stored, integers (m->wq_bits) and
	                           fp8 without fp8 tensor cores (the A100: vLLM's Marlin W8A16
	                           dequantises each tile to bf16 as its integer kernels do), at
	                           model_wq_bytes_per_weight */
	const struct moe_model *moe_mm; /* the profile's fused-MoE model (NULL: moe_gm) */
	const struct moe_shape *moe_shape; /* its measured table's shape equal to the run's
	                                     (cost_moe_shape; NULL: the fit alone) */
	double moe_peak, moe_wb; /* its GEMM peak and expert weight bytes (cost_moe_model) */
	double moe_h, moe_f;    /* an expert's hidden and intermediate size on a GPU, in the
	                           layout vLLM allocates (MXFP4: padded, model.h) */
	const struct allreduce_model *ar; /* NULL when tp == 1 */
	int tp_nodes;           /* nodes the tensor-parallel group spans (1: inside one) */
	int heads, kv_heads;    /* per GPU */
	double kv_bytes_tok;    /* KV bytes per token per GPU */
	double host_ops;        /* ops an eager forward issues (cost_host_ops), set by cost_init */
	double one_tile;        /* prefill tiles' factor F(1) of one tile alone (profile.h) */
	double *memo;           /* lazily allocated: GEMM sums by (launch mode, m); NaN unset */
	int memo_lent;          /* 1: memo belongs to a struct cost_memo_pool */
	struct decode_coeffs dec; /* for the last decode batch size and context */
	unsigned char *splits;  /* lazily allocated: FA3's split counts by (pairs, KV blocks) */
	int splits_pairs, splits_blks; /* its rows and columns */
	double *tiles_f;        /* lazily allocated: prefill tiles' factors F(N) by N (0: unset) */
	double *moe_p;          /* lazily allocated: per-token selection probability of each
	                           routed expert on the busiest GPU (moe_local of them) */
	int moe_local;          /* routed experts on one GPU (n_experts, or / tp under EP) */
	int dp;                 /* data-parallel attention ranks (EP_DP: tp; otherwise 1) */
	int tp_attn;            /* GPUs that split attention and dense layers (tp / dp) */
	const struct mla_model *mla_mm; /* the profile's MLA decode model for m's KV dtype
	                           (NULL: the FA3 decode terms; cost_mla_model) */
	const struct mla_slice *mla_s; /* its measured table's slice of this GPU's heads, where
	                           m has the table's shape (NULL: the fit alone) */
	const struct deepep_model *deepep; /* EP_DP: the profile's DeepEP model for dp ranks,
	                           where its ep_alltoall says deepep (NULL: NCCL's, comm.c) */
	double a2a_bytes_tok;   /* EP_DP: bytes one rank sends per token in a dispatch (its
	                           hidden state to each other rank holding one of its experts) */
};

/* One prefill chunk of a step: `tokens` new tokens after `cached` ones already in the KV
 * cache. */
struct prefill_chunk {
	double tokens, cached; /* tokens */
};

/* What one step computes. Counts are sequences, tokens or (query, key) pairs. */
struct step_batch {
	int n_decode;          /* sequences in the decode phase */
	int decode_q;          /* query tokens per decoding sequence (1; k+1 when verifying) */
	int decode_unmatched;  /* of the n_decode, those that verify one token, not decode_q
	                          (speculation: an n-gram lookup that found no match drafts
	                          nothing); 0 in every other step. cost_decode_tokens sums */
	double decode_ctx;     /* sum over decoding sequences of the KV tokens each attends to */
	int n_prefill;         /* sequences with a prefill chunk in this step */
	double prefill_tokens; /* sum of the chunks' lengths */
	double prefill_pairs;  /* causal pairs: for a chunk of c tokens after p cached ones,
	                          c p + c (c + 1) / 2 */
	int n_sample;          /* rows that go through the LM head and sampler */
	const struct prefill_chunk *chunks; /* the n_prefill chunks (their sums are the two
	                          above), or NULL: all alike, timed from the sums. Chunks that
	                          differ are timed tile by tile (profile.h, "mixed chunks") */
};

/* Time of each part of a step, seconds (for reports and tests). */
struct step_cost {
	double gemm, attn_prefill, attn_decode, allreduce, elementwise, lm_head, cpu;
	double host_wait; /* eager: the forward's host time past its GPU time (cost_host_ops) */
	double total;
};

/* Fill the derived fields; 0, or -1 with err_set (tp not usable, no all-reduce model). */
int cost_init(struct cost_ctx *c, const struct model *m, const struct profile *p, int tp,
	      int cuda_graphs);
/* The same with the tensor-parallel group spread over tp_nodes nodes (tp / tp_nodes GPUs on
 * each; its all-reduces then cross the network, models/comm.c). cost_init takes tp_nodes 1,
 * or tp / gpus_per_node where tp is more than one node holds. */
int cost_init_nodes(struct cost_ctx *c, const struct model *m, const struct profile *p, int tp,
		    int tp_nodes, int cuda_graphs);
/* Ops the host issues one by one in an eager forward of one step (every layer's norms,
 * projections, rotary, attention, activation, all-reduces; MoE and MLA ops; embedding, final
 * norm, LM head and sampler): an eager step lasts at least the engine's CPU plus these
 * times the profile's overhead.host_op_eager (cost_step). */
double cost_host_ops(const struct cost_ctx *c);
/* Seconds of one step; fills *out when out is non-NULL. */
double cost_step(struct cost_ctx *c, const struct step_batch *b, struct step_cost *out);
/* Query tokens of b's decoding sequences: decode_q each, but one for the unmatched. */
static inline double cost_decode_tokens(const struct step_batch *b)
{
	return (double)b->n_decode * b->decode_q - (double)b->decode_unmatched * (b->decode_q - 1);
}
/* One GEMM beside the model's own layers (a drafter's fc projection): m rows of k input
 * features, n output features, the context's weight dtype; at least one kernel launch
 * (graph-replayed when graph is 1). Seconds. */
double cost_extra_gemm(const struct cost_ctx *c, double m, double n, double k, int graph);
/* Free the memo (the context stays usable). */
void cost_release(struct cost_ctx *c);

/* Memo tables that outlive one simulation. A sweep simulates one model on one profile
 * thousands of times, and each new simulation would otherwise recompute (and allocate) the
 * GEMM times of every token count it meets. A pool keeps the tables of the last few
 * (model, profile, tp, launch mode) keys, compared by content, so a lent table only ever
 * holds what the borrowing context would compute itself: results do not depend on it.
 * One thread per pool; a context that borrowed must be released before the pool is freed. */
struct cost_memo_pool;
struct cost_memo_pool *cost_memo_pool_new(void);
void cost_memo_pool_free(struct cost_memo_pool *pool);
/* After cost_init: use pool's table for c's key (made on first use). */
void cost_use_pool(struct cost_ctx *c, struct cost_memo_pool *pool);

/* The routed experts' GEMM compute rate as a fraction of the weight dtype's GEMM model:
 * MOE_WONLY_EFF (cost.c, fitted) when the GPU cannot multiply the expert weights natively
 * and a weight-only kernel dequantises them to bf16 (MXFP4 experts on every profile; fp8
 * experts where the profile's fp8 peak is its bf16 peak, W8A16; AWQ/GPTQ/compressed-tensors
 * integer experts, m->wq_bits, on every profile: vLLM's Marlin MoE), else 1. */
double cost_moe_compute_eff(const struct model *m, const struct profile *p);

/* One grouped (MoE) GEMM launch under model gm (s): `experts` expert weights of n x k, expert
 * i chosen by each of `tokens` tokens with probability p[i] (balanced routing: top_k /
 * n_experts each). Expert i then holds tokens x p[i] rows on average and is active (its
 * weights read) with probability a_i = 1 - (1 - p[i])^tokens. As cost_gemm without its
 * tile and wave terms, over the sums:
 *   tc = 2 n k sum_i (tokens p[i] + a_i m_half) / (peak eff_max f(n) f(k))
 *        (each active expert's rows at the efficiency of its own row count),
 *   tm = (sum_i a_i n k wb + 2 tokens sum_i p[i] (n + k)) / (hbm_bw bw_eff),
 *   t  = floor + (tc^s + tm^s)^(1/s), one floor: one launch for all experts.
 * One expert chosen by every token (p = 1) is exactly cost_gemm without the tile terms. */
double cost_grouped_gemm(const struct gemm_model *gm, double hbm_bw, double tokens,
			 const double *p, int experts, double n, double k, double wb);
/* The padded rows, touched experts and rows of one GPU's routed experts (profile.h, "Fused
 * MoE"): `experts` experts, expert i chosen by each of `tokens` tokens with probability
 * p[i]; each touched expert's expected rows padded up to whole blocks of `block`. */
struct moe_shape;
struct moe_rows {
	double rows;   /* sum_i r_i, r_i = tokens p_i */
	double active; /* sum_i a_i, a_i = 1 - (1 - p_i)^tokens: experts whose weights are read */
	double padded; /* sum_i a_i block ceil(r_i / (a_i block)) */
	double slots;  /* tokens x top_k: every token's rows, on this GPU's experts or not */
	double touched; /* sum_i a_i over every expert of the layer, this GPU's or not */
};
/* The rows one touched expert of `rows` rows is computed in: whole tiles of b rows, b the
 * smallest power of two from MOE_MIN_BLOCK that holds them, at most `block` (vLLM's tuned
 * fused_moe configs grow BLOCK_SIZE_M with the tokens, 16 to 128): b ceil(rows / b). */
#define MOE_MIN_BLOCK 16
double cost_moe_padded(double rows, double block);
struct moe_rows cost_moe_rows(double tokens, int top_k, const double *p, int experts,
			      int all, double block);
/* One fused-MoE layer's routed experts under mm (s), for those rows: hidden size h, expert
 * intermediate size f on the GPU, wb expert weight bytes per element, peak the FLOP/s of
 * the GEMM datatype that multiplies: t0 + max(6 padded h f / (peak eff), (active 3 h f wb +
 * 2 rows (3 f + 2 h)) / (hbm_bw bw_eff)) + 2 slots (3 f + 2 h) / (hbm_bw slot_bw_eff).
 * 0 without rows. */
double cost_fused_moe(const struct moe_model *mm, double peak, double hbm_bw,
		      const struct moe_rows *r, double h, double f, double wb);
/* The routed experts' datatypes, one row each, the one home of what each maps to: the
 * profile section's suffix (moe_<name>; calibrate moe's --dtype), aiconfigurator's moe_dtype
 * column, the expert weight's bytes per element, and whether it multiplies on fp8 tensor
 * cores (else bf16; MXFP4 dequantised). */
enum moe_dt { MOE_DT_BF16, MOE_DT_FP8, MOE_DT_MXFP4, MOE_DTS };
struct moe_dtype {
	const char *name, *table;
	double wb;
	int fp8;
};
extern const struct moe_dtype moe_dtypes[MOE_DTS];
/* m's routed experts' datatype (enum moe_dt): MXFP4 checkpoints, else fp8 or bf16 weights. */
int cost_moe_dt(const struct model *m);
/* The profile's fused-MoE model for m's routed experts, with the peak and the weight bytes it
 * takes, or NULL where the profile has none for them (then the grouped GEMM at
 * cost_moe_compute_eff applies): bf16 experts; fp8 (block-scaled W8A8) on a GPU with fp8
 * tensor cores; MXFP4 on the Triton backend (multiplied in bf16). */
const struct moe_model *cost_moe_model(const struct model *m, const struct profile *p,
				       double *peak, double *wb);

/* The shape of mm's measured table (models/moe_table.h, parsed on first use) that m's routed
 * experts on tp GPUs are, exactly: hidden size, the whole expert's intermediate size,
 * experts, top-k, and the layout (expert-parallel: moe_tp 1, moe_ep tp; else moe_tp tp,
 * moe_ep 1), into *s; NULL where mm (cost_moe_model's for m) has no table, the shape or
 * layout is not in it, or the routing is skewed (the tables time balanced routing): the
 * fit then costs the layer. 0, or -1 with err_set when the table cannot be read. */
int cost_moe_shape(const struct model *m, const struct moe_model *mm, int tp,
		   const struct moe_shape **s);
/* One fused-MoE layer at `tokens` (s): cost_fused_moe of cost_moe_rows (arguments as
 * theirs); with a shape s, its measured latency interpolated over the tokens where they are
 * inside its measured range, else the fit scaled by measured / fit at the nearest measured
 * count (the two agree at the edge). */
double cost_moe_layer(const struct moe_model *mm, const struct moe_shape *s, double peak,
		      double hbm_bw, double tokens, int top_k, const double *p, int experts,
		      int all, double h, double f, double wb);

/* MLA decode (profile.h "MLA decode", models/mla_table.h). The profile's section for m's
 * KV dtype (mla_fp8 for an fp8 cache, else mla_bf16), NULL where it has none or m is not
 * MLA; and its table's slice for `heads` on a GPU where the section names a table and m has
 * the table's shape (kv_lora 512, qk_rope 64, qk_nope 128, v_head 128), else NULL. 0, or -1
 * with err_set when the table cannot be read. */
const struct mla_model *cost_mla_model(const struct model *m, const struct profile *p);
int cost_mla_slice(const struct model *m, const struct profile *p, int heads,
		   const struct mla_slice **s);
/* One layer's MLA decode of `seqs` sequences holding ctx_tokens cached tokens in all, q query
 * tokens in all, `heads` query heads on the GPU, `bytes` of latents read. With mm
 * (the fit): t0 + seq_head q heads + max(bytes / (hbm_bw bw_eff), flops / peak); with a slice s too, its
 * measured latency where it answers (q = seqs only: the tables decode one token). Without mm:
 * the FA3 decode model's t0 and per_seq terms, max(bytes / decode bw, flops / peak), and the
 * W_UK and W_UV bmms from the bf16 GEMM model, each kernel at least `launch`. */
double cost_mla_decode_layer(const struct profile *p, const struct mla_model *mm,
			     const struct mla_slice *s, int kv_lora, int qk_rope, int qk_nope,
			     int v_head, double heads, double seqs, double q, double ctx_tokens,
			     double bytes, double launch);

/* The profile's DeepEP model for an expert-parallel group of `ranks` over `nodes` nodes:
 * where ep_alltoall is deepep, ranks is 8, 16, 32 or 64, eight a node, and the profile has
 * that section; else NULL (NCCL's all-to-all, models/comm.c). */
const struct deepep_model *cost_deepep_model(const struct profile *p, int ranks, int nodes);
/* One DeepEP dispatch plus one combine of `tokens` a rank (B = tokens x top_k x hidden x
 * 2): the low-latency kernels (ll != 0, decode steps) or the normal ones, each lat + B / bw
 * and at least `launch`. */
double cost_deepep_pair(const struct deepep_model *d, double tokens, int top_k, int hidden,
			int ll, double launch);

/* Routed experts' selection probabilities (n_experts of them, in the order the GPUs hold
 * them): top_k / n_experts each when skew is 0; else top_k x i^-skew / sum_j j^-skew,
 * at most 1. */
void cost_moe_probs(const struct model *m, double *p);

/* Weight-only integer GEMMs (AWQ, GPTQ, compressed-tensors W4A16/W8A16; model.h wq_*): vLLM
 * runs them with Marlin (Machete first on SM90 for GPTQ), kernels that stream the packed
 * weights and dequantise each tile to 16 bits in registers before bf16/fp16 tensor-core
 * MMAs. Their time is cost_gemm under the profile's bf16 model with
 *   wb   = model_wq_bytes_per_weight(m, k) (bits / 8 + scales and zero points per group),
 *   peak = gemm_bf16.peak x WQ_COMPUTE_EFF (the dequantisation in the main loop: at large
 *          m these kernels run below cuBLAS's bf16 rate),
 *   bw_eff = gemm_bf16.bw_eff x WQ_BW_EFF (the packed stream and its scale loads reach
 *          less of the HBM bandwidth than cuBLAS's bf16 stream),
 * and without the tile, wave and split-K terms (sms 0: they describe cuBLAS's tiling).
 * WQ_BW_EFF is fitted, WQ_COMPUTE_EFF assumed (cost.c says on what). Fills *out. */
void cost_wq_gemm_model(const struct profile *p, struct gemm_model *out);
/* The two factors, for tests and reports. */
extern const double cost_wq_bw_eff, cost_wq_compute_eff;

/* Time of one GEMM launch under model gm (s); wb = weight bytes per element. */
double cost_gemm(const struct gemm_model *gm, double hbm_bw, double m, double n, double k,
		 double wb);
/* Time of one all-reduce of `bytes` (s); 0 when ar is NULL: the faster of NCCL and, up to
 * car_max_bytes, the custom all-reduce. */
double cost_allreduce(const struct allreduce_model *ar, double bytes);
/* Each implementation alone (calibration fits them apart): NCCL's fastest protocol, and
 * vLLM's custom all-reduce at any size (its one- or two-stage kernel, the faster). */
double cost_allreduce_nccl(const struct allreduce_model *ar, double bytes);
double cost_allreduce_custom(const struct allreduce_model *ar, double bytes);

/* Prefill attention of one layer on one GPU (s, before the launch floor; profile.h):
 * `seqs` chunks of `tokens` new tokens in all, holding `pairs` causal (query, key) pairs,
 * heads and kv_heads per GPU, writing kv_bytes of K and V. */
double cost_attn_prefill(const struct profile *p, double seqs, double tokens, double pairs,
			 double heads, double kv_heads, double head_dim, double kv_bytes);
/* The same for n chunks that may differ (profile.h, "mixed chunks"): chunks all alike
 * give exactly cost_attn_prefill of their sums. */
double cost_attn_prefill_chunks(const struct profile *p, const struct prefill_chunk *chunks,
				int n, double heads, double kv_heads, double head_dim,
				double kv_bytes);
/* Decode attention of one layer on one GPU (s, before the launch floor): `seqs` sequences
 * attending to ctx_tokens cached tokens in all, kv_bytes of K and V read. warm_l2 = 1 only
 * for a benchmark that re-reads one cache (calibration); serving reads it cold. */
double cost_attn_decode(const struct profile *p, double seqs, double ctx_tokens, double kv_bytes,
			double kv_heads, double head_dim, int warm_l2);

/* Memory plan of one GPU of a replica. */
struct mem_plan {
	double weights;     /* bytes */
	double activations; /* bytes: peak activations at max_num_batched_tokens */
	double reserved;    /* bytes: profile's mem_reserved_bytes */
	double kv;          /* bytes left for the KV cache */
	long kv_blocks;     /* KV blocks of block_size tokens */
};
/* Bytes a logit of vLLM's profile-run sampler pass holds at its peak: its PyTorch top-k/top-p
 * path (a sort) or FlashInfer's kernel (models/cost.c). */
#define COST_SAMPLER_SORT_BYTES 28.0
#define COST_SAMPLER_FLASHINFER_BYTES 14.0

/* Bytes of vLLM's profile-run sampler pass over `rows` dummy requests, at c->sampler_bytes
 * a logit (models/cost.c). */
double cost_sampler_peak_bytes(const struct cost_ctx *c, double rows);
/* KV capacity as vLLM sizes it: hbm x gpu_mem_util - weights - activations - reserved.
 * 0, or -1 with err_set ("model 'x' does not fit: ...") when nothing is left. */
int cost_mem_plan(const struct cost_ctx *c, double gpu_mem_util, int max_batched_tokens,
		  int max_seqs, int block_size, struct mem_plan *out);

#endif
