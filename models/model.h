/*
 * model.h: a transformer's architecture, and the arithmetic that follows from it.
 *
 * A model is the handful of numbers in its Hugging Face config.json: dense decoder-only
 * transformers (Llama, Mistral, Qwen2, Qwen3 and their distillations), Mixture-of-Experts
 * ones (Qwen3-MoE, Mixtral, DeepSeek-V2/V3/R1: routed and shared experts, dense first
 * layers, a router) and Multi-head Latent Attention (DeepSeek-V2/V3/R1: a latent KV cache of
 * kv_lora_rank + qk_rope_head_dim elements per token and layer, shared by all heads).
 * gpt-oss (MoE with sliding-window layers, attention sinks, MXFP4 experts) and Mistral's
 * sliding window are read too, and so are weight-only integer checkpoints of dense models
 * (AWQ, GPTQ and compressed-tensors W4A16/W8A16, as vLLM's Marlin and Machete kernels run
 * them). Whatever else changes the computation (Qwen2's or Gemma's windows, linear or
 * state-space layers, NVFP4, an unknown model_type) is refused, naming the key. ttsim ships a catalog of
 * public configs (models/catalog.c, each with its source) addressable by Hugging Face id
 * (case-insensitive) or by short alias; any other model is read from a config.json path.
 *
 * This module knows what a model is made of and the shapes of its operators under tensor
 * parallelism. It knows nothing of GPUs (models/cost.h) or of scheduling (sim/).
 *
 * To add a model to the catalog: add one row to catalog.c with the numbers of its
 * config.json and the URL/commit they came from, and a hand-computed parameter count to
 * tests/test_model.c.
 */
#ifndef TTSIM_MODEL_H
#define TTSIM_MODEL_H

#include <stddef.h>

enum dtype { DT_BF16 = 0, DT_FP8 = 1 };

/* Bytes per element of a dtype (bf16: 2, fp8: 1). */
int dtype_bytes(enum dtype d);
/* "bf16" / "fp8"; parse returns -1 for anything else. */
const char *dtype_name(enum dtype d);
int dtype_parse(const char *s, enum dtype *out);

struct model {
	char id[96];      /* Hugging Face id, e.g. "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B" */
	char alias[48];   /* short alias, e.g. "r1-qwen-14b"; "" for a config.json path */
	char arch[32];    /* "qwen2", "qwen3", "llama" */
	char source[200]; /* where the numbers came from (URL @ commit, or the file path) */
	int n_layers;     /* num_hidden_layers */
	int hidden;       /* hidden_size */
	int n_heads;      /* num_attention_heads */
	int n_kv_heads;   /* num_key_value_heads */
	int head_dim;     /* head_dim, or hidden / n_heads */
	int intermediate; /* intermediate_size (MLP width) */
	int vocab;        /* vocab_size */
	int gated_mlp;    /* 1: SwiGLU (gate and up projections), 0: plain MLP */
	int tied_embeddings; /* tie_word_embeddings: LM head shares the embedding matrix */
	int qkv_bias;     /* 1 if QKV projections carry a bias (Qwen2): counted in params */
	int max_len;      /* max_position_embeddings (tokens) */
	enum dtype weight_dtype; /* weights as served (bf16 unless --dtype fp8) */
	enum dtype kv_dtype;     /* KV-cache elements */
	int qk_norm;      /* 1 if each layer has RMSNorm weights on q and k (Qwen3): params */
	/* Mixture-of-Experts (n_experts 0: dense). Layers [0, first_dense) keep the dense MLP of
	 * `intermediate`; the others route each token to top_k of n_experts experts of width
	 * moe_ff and run n_shared shared experts of the same width on every token. */
	int n_experts;    /* num_experts / num_local_experts / n_routed_experts */
	int top_k;        /* num_experts_per_tok */
	int moe_ff;       /* moe_intermediate_size (Mixtral: intermediate_size) */
	int n_shared;     /* n_shared_experts (DeepSeek) */
	int first_dense;  /* first_k_dense_replace (DeepSeek) */
	int n_mtp;        /* num_nextn_predict_layers: MTP modules in the checkpoint (DeepSeek) */
	int router_bias;  /* 1: an expert-score correction bias per expert (DeepSeek-V3 noaux_tc) */
	/* Multi-head Latent Attention (kv_lora 0: none). head_dim is then qk_nope + qk_rope
	 * (the query/key width), n_kv_heads = n_heads (prefill decompresses full heads). */
	int kv_lora;      /* kv_lora_rank: latent KV width */
	int q_lora;       /* q_lora_rank (0: a direct q projection, DeepSeek-V2-Lite) */
	int qk_nope;      /* qk_nope_head_dim */
	int qk_rope;      /* qk_rope_head_dim: the decoupled rotary key, cached beside the latent */
	int v_head;       /* v_head_dim */
	/* Sliding-window attention (window 0: none): n_swa of the layers attend to the last
	 * `window` tokens only (Mistral: all; gpt-oss: those layer_types calls
	 * "sliding_attention"). Their KV blocks outside the window are freed as vLLM V1's
	 * hybrid KV cache manager frees them (struct kv_groups below; sim/engine.c). */
	int window;       /* sliding_window, tokens */
	int n_swa;        /* layers with the window */
	/* gpt-oss: biases on o_proj and on every expert's projections, a learned sink logit
	 * per head, experts in MXFP4 (4-bit values, one 8-bit scale per 32: 4.25 bits) */
	int o_bias;       /* 1: o_proj has a bias */
	int sinks;        /* 1: one attention-sink logit per head and layer */
	int expert_bias;  /* 1: biases on the experts' gate/up and down */
	int expert_fp4;   /* 1: routed experts stored MXFP4 (weight-only on Hopper and Ampere:
	                     dequantised into bf16 GEMMs, as vLLM's Marlin/Triton MoE kernels) */
	int quant_block;  /* fp8 weight_block_size (128: one fp32 scale per 128 x 128 block);
	                     0: per-tensor scales */
	/* Weight-only integer quantisation (wq_bits 0: none): the linear layers of a dense model,
	 * or of a qwen3_moe / mixtral one (attention and experts; the router stays 16-bit),
	 * stored as wq_bits-bit integers, one fp16 scale per wq_group input features of each
	 * output feature (wq_group -1: one per output feature, "channelwise"), a wq_bits-bit
	 * zero point with each scale when wq_zeros; GPTQ's act_order adds two int32 indices
	 * per input feature (g_idx and its sort, as vLLM's Marlin keeps them). Embeddings,
	 * LM head, norms and biases stay 16-bit; activations and the KV cache are bf16 (W4A16).
	 * weight_dtype stays DT_BF16: the GEMMs multiply in 16 bits (models/cost.c). */
	int wq_bits;      /* 4 or 8 */
	int wq_group;     /* 32, 64, 128 or -1 */
	int wq_zeros;     /* 1: asymmetric, a zero point per group (AWQ) */
	int wq_act_order; /* 1: GPTQ desc_act with groups (the g_idx permutation) */
	int wq_method;    /* enum wq_method */
	/* How the experts are served (set by the run, like weight_dtype; 0 from config.json): */
	int ep;           /* enum ep_mode: how the replica's tp GPUs share the experts */
	int mxfp4_backend; /* enum mxfp4_backend: vLLM's kernel for MXFP4 experts (its layout) */
	double moe_skew;  /* routing: 0 balanced (every expert equally likely); s > 0: Zipf-like,
	                     expert i (from 1) chosen in proportion to i^-s, the hottest experts
	                     on the first GPU (vLLM's contiguous placement, no EPLB) */
};

/* vLLM V1's KV cache groups (vllm/v1/core/kv_cache_utils.py,
 * _get_kv_cache_groups_uniform_page_size; vllm-project/vllm@001cabc1, Apache-2.0): layers of
 * one attention type share a block table; a model with full and sliding layers is split into
 * groups of the same number of layers (the smaller type's count, or the larger's when it is
 * under 1.5 times the smaller: gpt-oss 12 + 12 -> one full and one sliding group of 12), and
 * one pool block holds block_size tokens of one group's layers. A model with one attention
 * type (every dense model; Mistral's all-sliding layers) is one group of all its layers, so a
 * pool block is block_size tokens of the whole model, as before. A sequence holds, per full
 * group, ceil(tokens / bs) blocks and, per sliding group, those not wholly before the window
 * (single_type_kv_cache_manager.py, SlidingWindowManager: get_num_skipped_tokens(c) =
 * max(0, c - window + 1), blocks [0, skipped / bs) replaced by the null block). */
struct kv_groups {
	int n_full;       /* full-attention groups (1 for a dense model) */
	int n_swa;        /* sliding-window groups */
	int layers;       /* layers per group (padding included: n_layers for one group) */
	int window;       /* tokens (0: no sliding group) */
};
void model_kv_groups(const struct model *m, struct kv_groups *g);
/* The fraction of the model's per-token KV bytes one pool block of one token holds:
 * layers / n_layers (exactly 1 for one group). */
double model_kv_block_frac(const struct model *m);
/* Pool blocks one sequence holds with `tokens` KV slots allocated, `computed` of them
 * computed before the step that allocates them (vLLM frees the skipped blocks first). */
static inline long kv_seq_blocks(const struct kv_groups *g, int bs, long tokens, long computed)
{
	long b = (tokens + bs - 1) / bs, skip;
	if (!g->n_swa)
		return b * g->n_full;
	skip = computed - g->window + 1 > 0 ? (computed - g->window + 1) / bs : 0;
	return b * g->n_full + (b - (skip < b ? skip : b)) * g->n_swa;
}
/* The most blocks one sequence of `tokens` tokens can hold, in steps of at most
 * `max_step` tokens: vLLM's max_memory_usage_bytes per group (kv_cache_interface.py:
 * sliding min(window - 1 + max_num_batched_tokens, tokens) / bs + 1 blocks). */
long kv_seq_blocks_max(const struct kv_groups *g, int bs, long tokens, long max_step);
/* A request's blocks at max_model_len as vLLM counts them for "Maximum concurrency"
 * (get_max_concurrency_for_kv_cache_config: each group's max_memory_usage_bytes in pages,
 * summed; a sliding group's cdiv(min(window - 1 + max_num_batched_tokens, len), bs) + 1). */
long kv_request_blocks(const struct kv_groups *g, int bs, long max_model_len, long max_batched);

/* Expert parallelism inside a replica of tp GPUs.
 *   EP_NONE  tensor parallelism everywhere: each expert split tp ways by width.
 *   EP_TP    vLLM --tensor-parallel-size tp --enable-expert-parallel: attention stays
 *            tensor-parallel, each GPU holds n_experts / tp whole experts; every GPU has
 *            every token, so the experts' outputs are combined by the all-reduce TP has.
 *   EP_DP    vLLM --data-parallel-size tp --enable-expert-parallel (data-parallel
 *            attention): each GPU runs attention, dense layers and shared experts whole
 *            for its own 1/tp of the sequences, and n_experts / tp whole experts for the
 *            tokens of all; an all-to-all dispatches tokens to their experts and another
 *            combines them (models/comm.h). */
enum ep_mode { EP_NONE = 0, EP_TP = 1, EP_DP = 2 };

/* The kernel vLLM runs MXFP4 experts with on a GPU without FP4 tensor cores, which fixes
 * the shapes it allocates them in (vllm/model_executor/layers/quantization/mxfp4.py,
 * Mxfp4MoEMethod.create_weights; vllm-project/vllm@007d5005, Apache-2.0; the tags of
 * tests/validation/memory.csv's rows were not read, but their logged weights agree with the
 * rule within 0.5% on Marlin):
 *   MXFP4_MARLIN  fused Marlin MoE (every SM80 GPU; SM90 up to vLLM 0.11.0, whose wheels
 *                 ship no triton_kernels: vllm-project/vllm#27370, 2025-10-22, added it):
 *                 "n % 256 == 0 and k % 128 == 0", so each GPU's intermediate size is
 *                 rounded up to 128 and the hidden size to 256 (gpt-oss: 2880 -> 2944 and
 *                 3072, +9.0% of the expert weights), scales and biases with them; biases
 *                 stay bf16.
 *   MXFP4_TRITON  triton_kernels' matmul_ogs (SM90 from vLLM 0.11.1, which vendors
 *                 triton_kernels): the intermediate size rounded up to 64, the hidden size
 *                 as is; the biases converted to fp32 (process_weights_after_loading). */
enum mxfp4_backend { MXFP4_MARLIN = 0, MXFP4_TRITON = 1 };
/* A GPU's expert intermediate size *ff and hidden size *h padded as `backend` lays MXFP4
 * experts out (above; the one home of the rule: memory, cost and calibrate all use it). */
void model_mxfp4_pad(int backend, double *ff, double *h);

/* Bytes of one MoE layer's routed MXFP4 experts (values, e8m0 scales and biases) on one of
 * tp GPUs as vLLM allocates them (m->mxfp4_backend, m->ep); 0 unless m->expert_fp4. */
double model_mxfp4_expert_bytes(const struct model *m, int tp);

/* Where a weight-only checkpoint came from (its config.json's quant_method). */
enum wq_method { WQ_NONE = 0, WQ_AWQ = 1, WQ_GPTQ = 2, WQ_CT = 3 };
/* "awq", "gptq", "compressed-tensors" ("none" for WQ_NONE). */
const char *wq_method_name(int method);
/* Bytes one weight of a GEMM with k input features takes in m's weight-only format:
 * wq_bits / 8, plus (2 + wq_zeros x wq_bits / 8) / group for the scales and zero points
 * (group: wq_group, or k for -1). */
double model_wq_bytes_per_weight(const struct model *m, double k);

/* MoE and MLA queries. */
static inline int model_is_moe(const struct model *m) { return m->n_experts > 0; }
static inline int model_is_mla(const struct model *m) { return m->kv_lora > 0; }
/* Bytes a routed expert's weight takes per parameter when it is not the model's dtype
 * (MXFP4: 4.25 / 8); 0 when the experts take the served weight dtype. */
#define MODEL_MXFP4_BYTES (4.25 / 8)
/* Layers with routed experts (n_layers - first_dense; 0 for a dense model). */
int model_moe_layers(const struct model *m);

/* Catalog: the shipped models. */
size_t model_catalog_count(void);
const struct model *model_catalog_get(size_t i);

/* Resolve NAME: a catalog id or alias, or a path to a config.json. 0, or -1 with err_set
 * ("unknown model 'x'" lists the closest aliases). */
int model_find(struct model *m, const char *name);
/* Parse a Hugging Face config.json text; fname is used in messages. 0 or -1 with err_set. */
int model_from_json(struct model *m, const char *text, const char *fname);

/* Check the architecture is self-consistent and positive; 0 or -1 with err_set. */
int model_validate(const struct model *m);
/* Can the model run at tensor parallelism tp? (tp in 1,2,4,8; n_heads % tp == 0;
 * n_kv_heads % tp == 0 or tp % n_kv_heads == 0, KV heads then being replicated.) */
int model_check_tp(const struct model *m, int tp);

/* Can the MoE layers run on tp GPUs, tensor-parallel inside each expert (EP_NONE:
 * moe_ff % tp) or expert-parallel (EP_TP, EP_DP: whole experts spread, n_experts % tp)?
 * 0, or -1 with err_set; a dense model takes EP_NONE only. */
int model_check_ep(const struct model *m, int tp, int ep);

/* Parameter count (embeddings, LM head unless tied, attention, MLP, all experts, router,
 * norms, biases). */
double model_params(const struct model *m);
/* Parameters one token passes through: the same with top_k routed experts of each MoE
 * layer instead of all (the embedding counted, as Qwen and DeepSeek count "active"). */
double model_active_params(const struct model *m);
/* Bytes of weights on one GPU under tensor parallelism tp (embedding and LM head are
 * sharded over the vocabulary; norms, router and MLA's down-projections replicated; the
 * routed experts split over the tp GPUs, by width or, under expert parallelism, whole:
 * the same bytes when n_experts % tp == 0; under EP_DP all but the routed experts are
 * whole on every GPU). fp8 with quant_block adds its fp32 scales; a weight-only integer
 * model (wq_bits) counts each linear GEMM exactly: n k model_wq_bytes_per_weight(k), and
 * 8 k bytes of act_order indices; its routed experts as each GPU holds them (2 f x h up,
 * h x f down, f the per-GPU width; n_experts / tp whole ones under EP). */
double model_weight_bytes_per_gpu(const struct model *m, int tp);
/* KV heads held by one GPU: n_kv_heads / tp, at least 1 (replicated when tp > n_kv_heads). */
int model_kv_heads_per_gpu(const struct model *m, int tp);
/* Bytes of KV cache per token on one GPU: 2 (K and V) x layers x kv heads per GPU x
 * head_dim x dtype bytes; under MLA layers x (kv_lora + qk_rope) x dtype bytes on every GPU
 * (vLLM keeps the whole latent on each tensor-parallel rank). */
double model_kv_bytes_per_token(const struct model *m, int tp);

/* The GEMMs of one decoder layer, per GPU under tensor parallelism: y[m x n] = x[m x k] W.
 * m is the number of tokens in the step and is supplied by the caller. */
/* The four dense GEMMs; then, where the model has them (n 0 otherwise): MLA's replicated
 * down-projections (fused q_a and kv_a: n = q_lora + kv_lora + qk_rope, k = hidden), the
 * router (n = n_experts, k = hidden, bf16, replicated), the shared experts' up and down, and
 * one routed expert's up and down on this GPU (moe_ff / tp wide; whole under EP). For MLA
 * GEMM_QKV is q_b (or q_proj): n = heads per GPU x (qk_nope + qk_rope). For an MoE model
 * GEMM_UP and GEMM_DOWN are the dense MLP of the first_dense layers. */
enum layer_gemm {
	GEMM_QKV, GEMM_O, GEMM_UP, GEMM_DOWN,
	GEMM_QKV_A, GEMM_ROUTER, GEMM_SHARED_UP, GEMM_SHARED_DOWN, GEMM_EXPERT_UP,
	GEMM_EXPERT_DOWN, GEMM_NLAYER
};
struct gemm_shape {
	double n; /* output features per GPU */
	double k; /* input features per GPU */
};
void model_layer_gemms(const struct model *m, int tp, struct gemm_shape out[GEMM_NLAYER]);
/* The same with expert parallelism (ep != EP_NONE: each GPU holds n_experts / tp whole
 * experts; EP_DP: the rest whole too, as at tp 1). */
void model_layer_gemms_ep(const struct model *m, int tp, int ep,
			  struct gemm_shape out[GEMM_NLAYER]);
/* The LM head GEMM per GPU (n = vocab / tp, k = hidden), run for sampled rows only. */
struct gemm_shape model_lm_head(const struct model *m, int tp);
/* Query heads per GPU. */
int model_heads_per_gpu(const struct model *m, int tp);
/* Bytes of one all-reduce after attention or MLP: m x hidden x 2 (bf16 activations). */
double model_allreduce_bytes(const struct model *m, double m_tokens);

/* Speculative drafters built from the target's shape (sim/engine.c costs them; vLLM V1's
 * v1/spec_decode/eagle.py and model_executor/models/llama_eagle{,3}.py are the shapes):
 *   EAGLE-1: fc [2h -> h] over (token embedding, target's last hidden state), one decoder
 *            layer of the target's shape, then the target's own LM head (vocab x h): the
 *            embedding and LM head are shared, not loaded twice.
 *   EAGLE-3: fc [3h -> h] fusing three target layers' hidden states (first draft forward
 *            only; later forwards feed the drafter's own h), one decoder layer whose QKV
 *            reads (embedding, hidden) = 2h, and its own LM head over a draft vocabulary
 *            (draft_vocab_size 32000 in yuhuili/EAGLE3-LLaMA3.1-Instruct-8B config.json). */
enum eagle_version { EAGLE_1 = 1, EAGLE_3 = 3 };
#define EAGLE3_DRAFT_VOCAB 32000
/* The head as a one-layer model of its own (n_layers 1, its LM head's vocabulary). */
void model_eagle_head(const struct model *target, int version, struct model *out);
/* Weight bytes the head adds on one GPU (shared embedding and, for EAGLE-1, LM head not
 * counted again). */
double model_eagle_weight_bytes_per_gpu(const struct model *target, int version, int tp);
/* Input features of the extra GEMMs of one draft forward (rows = the forward's tokens,
 * output features h for fc, the QKV width for EAGLE-3's second half of the QKV input):
 * *fc_k = fc input on this forward (0: none), *qkv_extra_k = extra QKV input (0: none). */
void model_eagle_extra(const struct model *target, int version, int first, double *fc_k,
		       double *qkv_extra_k);

#endif
