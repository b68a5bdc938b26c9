/*
 * catalog.c: the shipped models, and resolving a name (id, alias or config.json path).
 *
 * Each row holds the numbers of the model's public Hugging Face config.json; `source` is the
 * URL they were read from. Parameter counts that follow from these rows are checked against
 * hand arithmetic and published sizes in tests/test_model.c.
 *
 * Families (all bf16 weights as published, except Llama-2 whose torch_dtype is float16,
 * 2 bytes as well):
 *   qwen2  Qwen2.5-*-Instruct, DeepSeek-R1-Distill-Qwen-* (Qwen2.5 / Qwen2.5-Math bases,
 *          max_position_embeddings 131072), simplescaling/s1.1-* (fine-tunes of
 *          Qwen2.5-*-Instruct, same architecture). QKV bias, SwiGLU. Only the 1.5B and 3B
 *          Qwen2.5 tie their embeddings; the R1 distill of 1.5B does not.
 *   qwen3  Qwen3-*: head_dim 128 given explicitly, no QKV bias, RMSNorm on q and k.
 *   llama  Llama-2, Llama-3.1: SwiGLU, no bias, untied.
 *   phi3   Phi-4-reasoning (phi-4's shape): SwiGLU, no bias, untied, GQA 40/10.
 *   exaone EXAONE-Deep-32B (EXAONE-3.5-32B's shape): SwiGLU, no bias, untied, GQA 40/8.
 *   qwen3_moe, mixtral, deepseek_v3, gpt_oss, glm4_moe  Mixture-of-Experts (XROW with
 *          MOE(...) and, for DeepSeek, MLA(...)): see the block's comment.
 */
#include "models/model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"

#define HF(id) "https://huggingface.co/" id "/blob/main/config.json"
/* The rows' macros name each field; their arguments are constants and string literals (a
 * string literal cannot take parentheses as an array's initializer). */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
/* id, alias, arch, layers, hidden, heads, kv heads, head_dim, intermediate, vocab,
 * tied, qkv bias, qk norm, max_position_embeddings */
#define ROW(ID_, ALIAS_, ARCH_, L, H, NH, KV, HD, FF, V, TIE, BIAS, QKN, MAXLEN)                 \
	{.id = ID_, .alias = ALIAS_, .arch = ARCH_, .source = HF(ID_), .n_layers = L, .hidden = H, \
	 .n_heads = NH, .n_kv_heads = KV, .head_dim = HD, .intermediate = FF, .vocab = V,        \
	 .gated_mlp = 1, .tied_embeddings = TIE, .qkv_bias = BIAS, .max_len = MAXLEN,            \
	 .weight_dtype = DT_BF16, .kv_dtype = DT_BF16, .qk_norm = QKN}
/* Mixture-of-Experts rows: a ROW of the attention and dense sizes, then the experts:
 * E routed experts of width EFF, top K, S shared, the first D layers dense */
#define MOE(E, K, EFF, S, D) .n_experts = E, .top_k = K, .moe_ff = EFF, .n_shared = S,            \
	.first_dense = D
/* Multi-head Latent Attention: kv_lora, q_lora, qk_nope, qk_rope, v_head dims */
#define MLA(KVL, QL, NOPE, ROPE, V) .kv_lora = KVL, .q_lora = QL, .qk_nope = NOPE,                \
	.qk_rope = ROPE, .v_head = V
#define XROW(ID_, ALIAS_, ARCH_, L, H, NH, KV, HD, FF, V, TIE, BIAS, QKN, MAXLEN, ...)             \
	{.id = ID_, .alias = ALIAS_, .arch = ARCH_, .source = HF(ID_), .n_layers = L, .hidden = H, \
	 .n_heads = NH, .n_kv_heads = KV, .head_dim = HD, .intermediate = FF, .vocab = V,        \
	 .gated_mlp = 1, .tied_embeddings = TIE, .qkv_bias = BIAS, .max_len = MAXLEN,            \
	 .weight_dtype = DT_BF16, .kv_dtype = DT_BF16, .qk_norm = QKN, __VA_ARGS__}
/* Weight-only integer checkpoints: method, bits, group size, zero points (model.h) */
#define WQ(M, B, G, Z) .wq_method = M, .wq_bits = B, .wq_group = G, .wq_zeros = Z
/* NOLINTEND(bugprone-macro-parentheses) */

static const struct model catalog[] = {
	/* DeepSeek-R1-Distill-Qwen: Qwen2ForCausalLM, rope_theta 10000, 131072 positions */
	ROW("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "r1-qwen-1.5b", "qwen2",
	    28, 1536, 12, 2, 128, 8960, 151936, 0, 1, 0, 131072),
	ROW("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "r1-qwen-7b", "qwen2",
	    28, 3584, 28, 4, 128, 18944, 152064, 0, 1, 0, 131072),
	ROW("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "r1-qwen-14b", "qwen2",
	    48, 5120, 40, 8, 128, 13824, 152064, 0, 1, 0, 131072),
	ROW("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "r1-qwen-32b", "qwen2",
	    64, 5120, 40, 8, 128, 27648, 152064, 0, 1, 0, 131072),
	/* s1.1: full fine-tunes of Qwen2.5-*-Instruct (architecture unchanged) */
	ROW("simplescaling/s1.1-1.5B", "s1.1-1.5b", "qwen2",
	    28, 1536, 12, 2, 128, 8960, 151936, 1, 1, 0, 32768),
	ROW("simplescaling/s1.1-3B", "s1.1-3b", "qwen2",
	    36, 2048, 16, 2, 128, 11008, 151936, 1, 1, 0, 32768),
	ROW("simplescaling/s1.1-7B", "s1.1-7b", "qwen2",
	    28, 3584, 28, 4, 128, 18944, 152064, 0, 1, 0, 32768),
	ROW("simplescaling/s1.1-14B", "s1.1-14b", "qwen2",
	    48, 5120, 40, 8, 128, 13824, 152064, 0, 1, 0, 32768),
	ROW("simplescaling/s1.1-32B", "s1.1-32b", "qwen2",
	    64, 5120, 40, 8, 128, 27648, 152064, 0, 1, 0, 32768),
	/* Qwen2.5 Instruct */
	ROW("Qwen/Qwen2.5-1.5B-Instruct", "qwen2.5-1.5b-instruct", "qwen2",
	    28, 1536, 12, 2, 128, 8960, 151936, 1, 1, 0, 32768),
	ROW("Qwen/Qwen2.5-3B-Instruct", "qwen2.5-3b-instruct", "qwen2",
	    36, 2048, 16, 2, 128, 11008, 151936, 1, 1, 0, 32768),
	ROW("Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b-instruct", "qwen2",
	    28, 3584, 28, 4, 128, 18944, 152064, 0, 1, 0, 32768),
	ROW("Qwen/Qwen2.5-14B-Instruct", "qwen2.5-14b-instruct", "qwen2",
	    48, 5120, 40, 8, 128, 13824, 152064, 0, 1, 0, 32768),
	ROW("Qwen/Qwen2.5-32B-Instruct", "qwen2.5-32b-instruct", "qwen2",
	    64, 5120, 40, 8, 128, 27648, 152064, 0, 1, 0, 32768),
	ROW("Qwen/Qwen2.5-72B-Instruct", "qwen2.5-72b-instruct", "qwen2",
	    80, 8192, 64, 8, 128, 29568, 152064, 0, 1, 0, 32768),
	/* Qwen3 (dense) */
	ROW("Qwen/Qwen3-8B", "qwen3-8b", "qwen3",
	    36, 4096, 32, 8, 128, 12288, 151936, 0, 0, 1, 40960),
	ROW("Qwen/Qwen3-14B", "qwen3-14b", "qwen3",
	    40, 5120, 40, 8, 128, 17408, 151936, 0, 0, 1, 40960),
	ROW("Qwen/Qwen3-32B", "qwen3-32b", "qwen3",
	    64, 5120, 64, 8, 128, 25600, 151936, 0, 0, 1, 40960),
	/* Reasoning models of 2025-26 (issue 19). QwQ-32B: Qwen2 architecture, 40960 positions.
	 * Qwen3-MoE (Qwen3MoeForCausalLM): every layer has 128 experts, top 8, no shared
	 * expert; the 2507 Thinking variants change only max_position_embeddings (262144).
	 * Mixtral (MixtralForCausalLM): 8 experts of intermediate_size, top 2, sliding_window
	 * null. DeepSeek-V3 and R1 (DeepseekV3ForCausalLM, one config): MLA (kv_lora_rank 512,
	 * q_lora_rank 1536, qk 128 + 64 rope, v 128), 256 routed experts of 2048, top 8, one
	 * shared, 3 dense first layers, noaux_tc router with a correction bias, published as
	 * fp8 in 128 x 128 blocks (served fp8 with --dtype fp8). Configs as read on
	 * huggingface.co; the DeepSeek-V3 one is models/configs/DeepSeek-V3.json. */
	ROW("Qwen/QwQ-32B", "qwq-32b", "qwen2",
	    64, 5120, 40, 8, 128, 27648, 152064, 0, 1, 0, 40960),
	/* Weight-only int4 releases of reasoning models (model.h, wq_*), the shapes of their
	 * bf16 originals. Qwen/QwQ-32B-AWQ: quantization_config {quant_method awq, bits 4,
	 * group_size 128, zero_point true, version gemm} (its config.json on huggingface.co;
	 * not re-read in this session, no commit pinned). neuralmagic/DeepSeek-R1-Distill-Qwen-
	 * 14B-quantized.w4a16: "INT4 ... symmetric per-group scheme, with group size 128. The
	 * GPTQ algorithm is applied ... llm-compressor", "Only the weights of the linear
	 * operators within transformer blocks are quantized" (its README @ 1834dc78): a
	 * compressed-tensors pack-quantized checkpoint; act_order not stated, taken as none. */
	XROW("Qwen/QwQ-32B-AWQ", "qwq-32b-awq", "qwen2",
	     64, 5120, 40, 8, 128, 27648, 152064, 0, 1, 0, 40960, WQ(WQ_AWQ, 4, 128, 1)),
	/* Qwen/Qwen3-14B-AWQ: Qwen3-14B's shape, the same quantization_config as QwQ-32B-AWQ
	 * (Qwen's AWQ releases; not re-read in this session): the model of the measured run in
	 * tests/validation/quant.csv */
	XROW("Qwen/Qwen3-14B-AWQ", "qwen3-14b-awq", "qwen3",
	     40, 5120, 40, 8, 128, 17408, 151936, 0, 0, 1, 40960, WQ(WQ_AWQ, 4, 128, 1)),
	XROW("neuralmagic/DeepSeek-R1-Distill-Qwen-14B-quantized.w4a16", "r1-qwen-14b-w4a16",
	     "qwen2", 48, 5120, 40, 8, 128, 13824, 152064, 0, 1, 0, 131072, WQ(WQ_CT, 4, 128, 0)),
	XROW("Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b", "qwen3_moe",
	     48, 2048, 32, 4, 128, 6144, 151936, 0, 0, 1, 40960, MOE(128, 8, 768, 0, 0)),
	XROW("Qwen/Qwen3-30B-A3B-Thinking-2507", "qwen3-30b-a3b-thinking", "qwen3_moe",
	     48, 2048, 32, 4, 128, 6144, 151936, 0, 0, 1, 262144, MOE(128, 8, 768, 0, 0)),
	/* Qwen/Qwen3-30B-A3B-GPTQ-Int4: Qwen3-30B-A3B's shape, GPTQ 4-bit, group 128, symmetric,
	 * desc_act false (models/configs/Qwen3-30B-A3B-GPTQ-Int4.json: typed, not checked against
	 * the hub in this session); attention and experts int4, the router (mlp.gate) 16-bit,
	 * as vLLM builds it and GPTQModel's qwen3_moe definition leaves it */
	XROW("Qwen/Qwen3-30B-A3B-GPTQ-Int4", "qwen3-30b-a3b-gptq-int4", "qwen3_moe",
	     48, 2048, 32, 4, 128, 6144, 151936, 0, 0, 1, 40960, MOE(128, 8, 768, 0, 0),
	     WQ(WQ_GPTQ, 4, 128, 0)),
	XROW("Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b", "qwen3_moe",
	     94, 4096, 64, 4, 128, 12288, 151936, 0, 0, 1, 40960, MOE(128, 8, 1536, 0, 0)),
	XROW("Qwen/Qwen3-235B-A22B-Thinking-2507", "qwen3-235b-a22b-thinking", "qwen3_moe",
	     94, 4096, 64, 4, 128, 12288, 151936, 0, 0, 1, 262144, MOE(128, 8, 1536, 0, 0)),
	XROW("mistralai/Mixtral-8x7B-v0.1", "mixtral-8x7b", "mixtral",
	     32, 4096, 32, 8, 128, 14336, 32000, 0, 0, 0, 32768, MOE(8, 2, 14336, 0, 0)),
	XROW("mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b-instruct", "mixtral",
	     32, 4096, 32, 8, 128, 14336, 32000, 0, 0, 0, 32768, MOE(8, 2, 14336, 0, 0)),
	XROW("deepseek-ai/DeepSeek-V3", "deepseek-v3", "deepseek_v3",
	     61, 7168, 128, 128, 192, 18432, 129280, 0, 0, 0, 163840, MOE(256, 8, 2048, 1, 3),
	     MLA(512, 1536, 128, 64, 128), .router_bias = 1, .quant_block = 128, .n_mtp = 1),
	XROW("deepseek-ai/DeepSeek-R1", "deepseek-r1", "deepseek_v3",
	     61, 7168, 128, 128, 192, 18432, 129280, 0, 0, 0, 163840, MOE(256, 8, 2048, 1, 3),
	     MLA(512, 1536, 128, 64, 128), .router_bias = 1, .quant_block = 128, .n_mtp = 1),
	XROW("deepseek-ai/DeepSeek-R1-0528", "deepseek-r1-0528", "deepseek_v3",
	     61, 7168, 128, 128, 192, 18432, 129280, 0, 0, 0, 163840, MOE(256, 8, 2048, 1, 3),
	     MLA(512, 1536, 128, 64, 128), .router_bias = 1, .quant_block = 128, .n_mtp = 1),
	/* GLM-4.5-Air and GLM-4.6 (Glm4MoeForCausalLM, model.c's glm4_moe): 96 query heads of
	 * 128 on 8 KV heads (head_dim given: 96 x 128 is not the hidden size), a bias on q, k
	 * and v, rotary on half of each head; DeepSeek-V3's expert layout: routed experts, one
	 * shared, the first layers dense, a sigmoid router with a correction bias; one MTP
	 * module (num_nextn_predict_layers 1, not loaded by vLLM's main model). 4.5-Air: 46
	 * layers, hidden 4096, dense 10944, 128 experts of 1408, top 8, 1 dense layer, no q/k
	 * norm, 131072 positions; 4.6: 92 layers, hidden 5120, dense 12288, 160 experts of
	 * 1536, top 8, 3 dense layers, q/k norm, 202752 positions; vocab 151552, untied. The
	 * configs as printed whole by third-party code (find_string: ms-swift's Glm4MoeConfig
	 * dump of GLM-4.5-Air; a GLM-4.6 conversion test's FULL_CFG, the same numbers as the
	 * "GLM-4.6 configuration manifest" of another), not read on huggingface.co in this
	 * session; counts in tests/test_moe.c against the published 106B / 12B active and 355B
	 * / 32B active. Their FP8 releases are served as these in fp8 (validate rows). */
	XROW("zai-org/GLM-4.5-Air", "glm-4.5-air", "glm4_moe",
	     46, 4096, 96, 8, 128, 10944, 151552, 0, 1, 0, 131072, MOE(128, 8, 1408, 1, 1),
	     .router_bias = 1, .n_mtp = 1),
	XROW("zai-org/GLM-4.6", "glm-4.6", "glm4_moe",
	     92, 5120, 96, 8, 128, 12288, 151552, 0, 1, 1, 202752, MOE(160, 8, 1536, 1, 3),
	     .router_bias = 1, .n_mtp = 1),
	/* gpt-oss (GptOssForCausalLM): 64 query heads of 64 on 8 KV heads, biases on every
	 * attention projection and expert, a sink logit per head, 128 (120b) or 32 (20b)
	 * experts of 2880, top 4, MXFP4 experts; layer_types alternate sliding (window 128,
	 * even layers) and full. Numbers from vLLM's GptOssConfig defaults (120b) and a
	 * snapshot of openai/gpt-oss-20b's config (github EchoCog/gpt-oss-20b
	 * docs/gpt-oss-20b-architecture.md); counts in tests/test_moe.c against the published
	 * 116.8B / 5.1B active and 20.9B / 3.6B. */
	XROW("openai/gpt-oss-120b", "gpt-oss-120b", "gpt_oss",
	     36, 2880, 64, 8, 64, 2880, 201088, 0, 1, 0, 131072, MOE(128, 4, 2880, 0, 0),
	     .router_bias = 1, .window = 128, .n_swa = 18, .o_bias = 1, .sinks = 1,
	     .expert_bias = 1, .expert_fp4 = 1),
	XROW("openai/gpt-oss-20b", "gpt-oss-20b", "gpt_oss",
	     24, 2880, 64, 8, 64, 2880, 201088, 0, 1, 0, 131072, MOE(32, 4, 2880, 0, 0),
	     .router_bias = 1, .window = 128, .n_swa = 12, .o_bias = 1, .sinks = 1,
	     .expert_bias = 1, .expert_fp4 = 1),
	/* Llama */
	ROW("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct", "llama",
	    32, 4096, 32, 8, 128, 14336, 128256, 0, 0, 0, 131072),
	ROW("meta-llama/Llama-3.1-70B", "llama-3.1-70b", "llama",
	    80, 8192, 64, 8, 128, 28672, 128256, 0, 0, 0, 131072),
	ROW("meta-llama/Llama-3.1-70B-Instruct", "llama-3.1-70b-instruct", "llama",
	    80, 8192, 64, 8, 128, 28672, 128256, 0, 0, 0, 131072),
	ROW("meta-llama/Llama-2-7b-hf", "llama-2-7b", "llama",
	    32, 4096, 32, 32, 128, 11008, 32000, 0, 0, 0, 4096),
	ROW("meta-llama/Llama-2-70b-hf", "llama-2-70b", "llama",
	    80, 8192, 64, 8, 128, 28672, 32000, 0, 0, 0, 4096),
	/* Phi-4-reasoning (a real per-sample MATH500 trace, traces/README.md): a fine-tune of
	 * microsoft/phi-4, "same as previously released Phi-4" (its model card), so the shape is
	 * phi-4's config.json (https://huggingface.co/microsoft/phi-4/blob/main/config.json:
	 * Phi3ForCausalLM, no attention bias, untied); the context is the card's 32k, the cap
	 * 30,268 = 32,768 - 2,500 of its per-sample run agrees */
	ROW("microsoft/Phi-4-reasoning", "phi-4-reasoning", "phi3",
	    40, 5120, 40, 10, 128, 17920, 100352, 0, 0, 0, 32768),
	/* MetaStone-S1-32B (a real per-sample MATH500 trace): "the base model used for this repo
	 * is QwQ-32B" (MetaStone-AI/MetaStone-S1 README @ fa9980ad); its own config.json was not
	 * read, so the shape is QwQ-32B's config.json (Qwen2ForCausalLM, as mirrored with
	 * _name_or_path Qwen/QwQ-32B at https://huggingface.co/unsloth/QwQ-32B/blob/
	 * 403266f19437562e1152ca719315275081826623/config.json: 64 layers, 5120, 40/8 heads,
	 * 27648, vocab 152064, untied, 131072 positions; qwen2 has QKV bias). Its SPRM score head
	 * (a small head on the shared backbone) is not modelled. */
	ROW("MetaStoneTec/MetaStone-S1-32B", "metastone-s1-32b", "qwen2",
	    64, 5120, 40, 8, 128, 27648, 152064, 0, 1, 0, 131072),
	/* EXAONE-Deep-32B (a real per-sample MATH500 trace): its model card
	 * (https://huggingface.co/LGAI-EXAONE/EXAONE-Deep-32B) gives 64 layers, GQA 40 Q / 8 KV
	 * heads, vocab 102,400, 32,768 tokens of context and 30.95B parameters without
	 * embeddings; hidden 5120, head_dim 128 and intermediate 27392 are EXAONE-3.5-32B's
	 * (ExaoneForCausalLM, https://huggingface.co/LGAI-EXAONE/EXAONE-3.5-32B-Instruct-AWQ/
	 * blob/main/config.json: SwiGLU, no bias, untied), which reproduce the card's 30.95B
	 * exactly (tests/test_model.c). */
	ROW("LGAI-EXAONE/EXAONE-Deep-32B", "exaone-deep-32b", "exaone",
	    64, 5120, 40, 8, 128, 27392, 102400, 0, 0, 0, 32768),
};

size_t model_catalog_count(void) { return sizeof(catalog) / sizeof(catalog[0]); }

const struct model *model_catalog_get(size_t i)
{
	return i < model_catalog_count() ? &catalog[i] : NULL;
}

static int lower(int c) { return tolower((unsigned char)c); }

static int eq_nocase(const char *a, const char *b)
{
	while (*a && lower(*a) == lower(*b))
		a++, b++;
	return lower(*a) == lower(*b);
}

/* Case-insensitive edit distance (Levenshtein), for "did you mean". Strings are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[128];
	if (la > 127 || lb > 127)
		return la + lb;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (lower(a[i - 1]) != lower(b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Known models that ttsim refuses, and why (their traces may still be shipped: the accuracy
 * side needs no serving model). NVIDIA-Nemotron-Nano-9B-v2 is NemotronHForCausalLM, mostly
 * Mamba-2 layers with a few attention layers (its Hugging Face model card). */
static const struct {
	const char *id, *alias, *why;
} refused[] = {
	{"nvidia/NVIDIA-Nemotron-Nano-9B-v2", "nemotron-nano-9b-v2",
	 "a hybrid Mamba-2/attention model (NemotronH): state-space layers are not modelled yet"},
};

int model_find(struct model *m, const char *name)
{
	struct stat st;
	size_t n = model_catalog_count();

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (eq_nocase(name, refused[i].id) || eq_nocase(name, refused[i].alias))
			return err_set("model '%s': refused, %s (expected a dense or modelled model; see 'ttsim models')",
				       name, refused[i].why);

	for (size_t i = 0; i < n; i++)
		if (eq_nocase(name, catalog[i].id) || eq_nocase(name, catalog[i].alias)) {
			*m = catalog[i];
			/* a block-fp8 release (DeepSeek-V3/R1) is served in fp8, as its config.json
			 * says (model_from_json does the same) */
			if (m->quant_block)
				m->weight_dtype = DT_FP8;
			return 0;
		}
	if (!stat(name, &st) && S_ISREG(st.st_mode)) {
		size_t len;
		char *text = file_read(name, &len);
		int rc;
		if (!text)
			return -1;
		rc = model_from_json(m, text, name);
		free(text);
		return rc;
	}

	/* The three closest aliases, by edit distance (ties: catalog order). */
	size_t best[3] = {n, n, n}, bd[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(name, catalog[i].alias), d2 = distance(name, catalog[i].id);
		d = d2 < d ? d2 : d;
		for (int k = 0; k < 3; k++)
			if (d < bd[k]) {
				for (int j = 2; j > k; j--)
					bd[j] = bd[j - 1], best[j] = best[j - 1];
				bd[k] = d, best[k] = i;
				break;
			}
	}
	return err_set("unknown model '%s' (known: a catalog id or alias, or a config.json "
		       "path; closest aliases: %s, %s, %s; see 'ttsim models')", name,
		       catalog[best[0]].alias, catalog[best[1]].alias, catalog[best[2]].alias);
}
