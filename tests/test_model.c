/* test_model.c: catalog numbers, parameter arithmetic, TP shapes and config.json parsing,
 * and hand-worked prefill attention of chunks that differ (models/cost.c). */
#include <stdlib.h>
#include <string.h>

#include "models/cost.h"
#include "models/model.h"
#include "tests/test.h"
#include "lib/util.h"

static struct model get(const char *name)
{
	struct model m;
	if (model_find(&m, name)) {
		fprintf(stderr, "model_find(%s): %s\n", name, err_msg());
		exit(1);
	}
	return m;
}

static void test_params(void)
{
	/* R1-Distill-Qwen-14B: embeddings 152064 x 5120 = 778,567,680, untied: x2 = 1,557,135,360.
	 * Per layer: q 5120x5120 = 26,214,400; k+v 2 x 5120 x (8x128) = 10,485,760;
	 * o 26,214,400; qkv bias 5120 + 2x1024 = 7,168; MLP 3 x 5120 x 13824 = 212,336,640;
	 * two norms 10,240; sum 275,268,608, x48 = 13,212,893,184. Final norm 5120.
	 * Total 14,770,033,664 (published: 14.8B). */
	struct model m = get("r1-qwen-14b");
	CHECK_NEAR(model_params(&m), 14770033664.0, 1e-12);
	CHECK_NEAR(model_params(&m), 14.77e9, 0.01);

	/* R1-Distill-Qwen-1.5B (untied): emb 151936 x 1536 = 233,373,696, x2 = 466,747,392.
	 * Layer: q 2,359,296 + kv 2x1536x256 = 786,432 + o 2,359,296 + bias 1536+512 = 2,048 +
	 * MLP 3x1536x8960 = 41,287,680 + norms 3,072 = 46,797,824; x28 = 1,310,339,072.
	 * Total + final norm 1536 = 1,777,088,000 (published 1.78B). */
	m = get("deepseek-ai/deepseek-r1-distill-qwen-1.5b");
	CHECK_NEAR(model_params(&m), 1777088000.0, 1e-12);
	CHECK_INT(m.tied_embeddings, 0);
	/* Qwen2.5-1.5B-Instruct ties: minus one embedding = 1,543,714,304 (published 1.54B). */
	m = get("qwen2.5-1.5b-instruct");
	CHECK_NEAR(model_params(&m), 1543714304.0, 1e-12);

	/* Llama-3.1-8B: emb 128256 x 4096 = 525,336,576, x2 = 1,050,673,152. Layer: q and o
	 * 2 x 16,777,216 + kv 2x4096x1024 = 8,388,608 + MLP 3x4096x14336 = 176,160,768 +
	 * norms 8,192 = 218,112,000; x32 = 6,979,584,000. Total + 4096 = 8,030,261,248. */
	m = get("llama-3.1-8b-instruct");
	CHECK_NEAR(model_params(&m), 8030261248.0, 1e-12);
	CHECK_NEAR(model_params(&m), 8.03e9, 0.01);

	/* Llama-2-7b: emb 32000 x 4096 = 131,072,000, x2 = 262,144,000. Layer: 4 x 16,777,216 =
	 * 67,108,864 + MLP 3x4096x11008 = 135,266,304 + 8,192 = 202,383,360; x32 =
	 * 6,476,267,520. Total + 4096 = 6,738,415,616 (published 6.74B). */
	m = get("llama-2-7b");
	CHECK_NEAR(model_params(&m), 6738415616.0, 1e-12);
	CHECK_NEAR(model_params(&m), 6.74e9, 0.01);

	/* Qwen2.5-72B: emb 152064 x 8192 = 1,245,708,288, x2 = 2,491,416,576. Layer: q and o
	 * 2 x 67,108,864 + kv 2x8192x1024 = 16,777,216 + bias 8192+2048 = 10,240 + MLP
	 * 3x8192x29568 = 726,663,168 + norms 16,384 = 877,684,736; x80 = 70,214,778,880.
	 * Total + 8192 = 72,706,203,648 (published 72.7B). */
	m = get("qwen2.5-72b-instruct");
	CHECK_NEAR(model_params(&m), 72706203648.0, 1e-12);
	CHECK_NEAR(model_params(&m), 72.7e9, 0.01);

	/* Qwen3-8B: emb 151936 x 4096 = 622,329,856, x2 = 1,244,659,712. Layer: q and o
	 * 2 x 16,777,216 + kv 8,388,608 + MLP 3x4096x12288 = 150,994,944 + norms 8,192 +
	 * q/k norms 2x128 = 256 = 192,946,432; x36 = 6,946,071,552. Total + 4096 =
	 * 8,190,735,360 (published 8.2B). */
	m = get("QWEN3-8B");
	CHECK_NEAR(model_params(&m), 8190735360.0, 1e-12);

	/* Phi-4-reasoning (phi-4's shape): emb 100352 x 5120 = 513,802,240, untied: x2 =
	 * 1,027,604,480. Layer: q and o 2 x 26,214,400 + kv 2 x 5120 x (10x128) = 13,107,200 +
	 * MLP 3 x 5120 x 17920 = 275,251,200 + norms 10,240 = 340,797,440; x40 =
	 * 13,631,897,600. Total + 5120 = 14,659,507,200 (published: 14B, phi-4 14.7B). */
	m = get("phi-4-reasoning");
	CHECK_NEAR(model_params(&m), 14659507200.0, 1e-12);
	CHECK_NEAR(model_params(&m), 14.7e9, 0.01);

	/* EXAONE-Deep-32B: emb 102400 x 5120 = 524,288,000, untied: x2 = 1,048,576,000. Layer:
	 * q and o 2 x 26,214,400 + kv 2 x 5120 x (8x128) = 10,485,760 + MLP 3 x 5120 x 27392 =
	 * 420,741,120 + norms 10,240 = 483,665,920; x64 = 30,954,618,880 (the card's 30.95B
	 * without embeddings). Total + 5120 = 32,003,200,000. */
	m = get("exaone-deep-32b");
	CHECK_NEAR(model_params(&m), 32003200000.0, 1e-12);
	CHECK_NEAR(model_params(&m) - 2.0 * 102400 * 5120 - 5120, 30.95e9, 0.001);

	/* MetaStone-S1-32B (QwQ-32B's shape): emb 152064 x 5120 = 778,567,680, x2 =
	 * 1,557,135,360. Layer: q and o 52,428,800 + kv 10,485,760 + QKV bias 5120 + 2 x 1024 =
	 * 7,168 + MLP 3 x 5120 x 27648 = 424,673,280 + norms 10,240 = 487,605,248; x64 =
	 * 31,206,735,872. Total + 5120 = 32,763,876,352. */
	m = get("metastone-s1-32b");
	CHECK_NEAR(model_params(&m), 32763876352.0, 1e-12);

	/* Every catalog row validates, has a source and a distinct alias. */
	for (size_t i = 0; i < model_catalog_count(); i++) {
		const struct model *c = model_catalog_get(i);
		CHECK_INT(model_validate(c), 0);
		CHECK(strstr(c->source, "https://huggingface.co/") == c->source);
		CHECK(c->alias[0] != 0);
		CHECK_INT(model_check_tp(c, 1), 0);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(c->alias, model_catalog_get(j)->alias));
	}
	CHECK(model_catalog_get(model_catalog_count()) == NULL);
}

static void test_bytes_and_shapes(void)
{
	struct model m = get("r1-qwen-14b");
	struct gemm_shape g[GEMM_NLAYER], lm;

	/* 2 (K,V) x 48 layers x 8 KV heads x 128 x 2 bytes */
	CHECK_NEAR(model_kv_bytes_per_token(&m, 1), 196608, 0);
	CHECK_NEAR(model_kv_bytes_per_token(&m, 4), 196608 / 4, 0);
	/* weights: 2 bytes x params at TP 1 */
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 1), 2 * 14770033664.0, 1e-12);
	/* TP 4: everything but the norms (48 x 2 x 5120 + 5120 params) is split in 4 */
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 4),
		   2 * ((14770033664.0 - 496640) / 4 + 496640), 1e-12);

	/* TP 4: 10 query heads and 2 KV heads per GPU */
	model_layer_gemms(&m, 4, g);
	CHECK_INT(model_heads_per_gpu(&m, 4), 10);
	CHECK_INT(model_kv_heads_per_gpu(&m, 4), 2);
	CHECK_NEAR(g[GEMM_QKV].n, (10 + 2 * 2) * 128, 0); /* 1792 */
	CHECK_NEAR(g[GEMM_QKV].k, 5120, 0);
	CHECK_NEAR(g[GEMM_O].n, 5120, 0);
	CHECK_NEAR(g[GEMM_O].k, 1280, 0);
	CHECK_NEAR(g[GEMM_UP].n, 2 * 13824 / 4, 0); /* 6912 */
	CHECK_NEAR(g[GEMM_UP].k, 5120, 0);
	CHECK_NEAR(g[GEMM_DOWN].n, 5120, 0);
	CHECK_NEAR(g[GEMM_DOWN].k, 3456, 0);
	lm = model_lm_head(&m, 4);
	CHECK_NEAR(lm.n, 152064 / 4, 0);
	CHECK_NEAR(lm.k, 5120, 0);
	CHECK_NEAR(model_allreduce_bytes(&m, 256), 256 * 5120 * 2, 0);

	/* 1.5B at TP 4: 3 query heads, the 2 KV heads replicated to 1 per GPU */
	m = get("r1-qwen-1.5b");
	model_layer_gemms(&m, 4, g);
	CHECK_INT(model_kv_heads_per_gpu(&m, 4), 1);
	CHECK_NEAR(g[GEMM_QKV].n, (3 + 2) * 128, 0);
	CHECK_NEAR(model_kv_bytes_per_token(&m, 4), 2 * 28 * 1 * 128 * 2, 0);
	CHECK_NEAR(model_kv_bytes_per_token(&m, 1), 2 * 28 * 2 * 128 * 2, 0);

	/* fp8 weights and KV */
	m = get("llama-3.1-8b-instruct");
	m.kv_dtype = DT_FP8;
	CHECK_NEAR(model_kv_bytes_per_token(&m, 1), 2 * 32 * 8 * 128, 0);
	double bf = model_weight_bytes_per_gpu(&m, 1);
	m.weight_dtype = DT_FP8;
	CHECK(model_weight_bytes_per_gpu(&m, 1) < 0.6 * bf);
	CHECK(model_weight_bytes_per_gpu(&m, 1) > 0.5 * bf);
}

static void test_tp(void)
{
	struct model m = get("r1-qwen-1.5b");
	CHECK_INT(model_check_tp(&m, 2), 0);
	CHECK_INT(model_check_tp(&m, 4), 0);
	CHECK_INT(model_check_tp(&m, 8), -1);
	CHECK_STR(err_msg(), "key 'tp': 8 does not divide the 12 attention heads of "
			     "'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B'");
	CHECK_INT(model_check_tp(&m, 3), -1);
	CHECK(strstr(err_msg(), "expected 1, 2, 4 or 8, got '3'") != NULL);
	CHECK_INT(model_check_tp(&m, 16), -1);
	m = get("r1-qwen-7b"); /* 28 heads: TP 8 does not divide */
	CHECK_INT(model_check_tp(&m, 4), 0);
	CHECK_INT(model_check_tp(&m, 8), -1);
	m = get("qwen2.5-72b-instruct");
	CHECK_INT(model_check_tp(&m, 8), 0);
	m = get("llama-3.1-70b");
	CHECK_INT(model_check_tp(&m, 8), 0);
}

static void same_arch(const struct model *a, const struct model *b)
{
	CHECK_INT(a->n_layers, b->n_layers);
	CHECK_INT(a->hidden, b->hidden);
	CHECK_INT(a->n_heads, b->n_heads);
	CHECK_INT(a->n_kv_heads, b->n_kv_heads);
	CHECK_INT(a->head_dim, b->head_dim);
	CHECK_INT(a->intermediate, b->intermediate);
	CHECK_INT(a->vocab, b->vocab);
	CHECK_INT(a->gated_mlp, b->gated_mlp);
	CHECK_INT(a->tied_embeddings, b->tied_embeddings);
	CHECK_INT(a->qkv_bias, b->qkv_bias);
	CHECK_INT(a->qk_norm, b->qk_norm);
	CHECK_INT(a->max_len, b->max_len);
	CHECK_STR(a->arch, b->arch);
	CHECK_NEAR(model_params(a), model_params(b), 0);
}

static void test_json(void)
{
	static const char *pairs[][2] = {
		{"models/configs/DeepSeek-R1-Distill-Qwen-14B.json", "r1-qwen-14b"},
		{"models/configs/DeepSeek-R1-Distill-Qwen-1.5B.json", "r1-qwen-1.5b"},
		{"models/configs/Qwen3-8B.json", "qwen3-8b"},
		{"models/configs/Llama-3.1-8B-Instruct.json", "llama-3.1-8b-instruct"},
	};
	struct model a, b;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int rc = model_find(&a, pairs[i][0]);
		CHECK_INT(rc, 0);
		if (rc) {
			fprintf(stderr, "%s\n", err_msg());
			continue;
		}
		CHECK_STR(a.source, pairs[i][0]);
		CHECK_STR(a.alias, "");
		b = get(pairs[i][1]);
		same_arch(&a, &b);
	}

	/* Defaults: kv heads = heads, head_dim = hidden / heads, not gated for gelu. */
	CHECK_INT(model_from_json(&a, "{\"num_hidden_layers\": 2, \"hidden_size\": 64,"
				      " \"num_attention_heads\": 4, \"intermediate_size\": 256,"
				      " \"vocab_size\": 100, \"hidden_act\": \"gelu\"}", "t.json"), 0);
	CHECK_INT(a.n_kv_heads, 4);
	CHECK_INT(a.head_dim, 16);
	CHECK_INT(a.gated_mlp, 0);

	/* Bad JSON: the line of the error. */
	CHECK_INT(model_from_json(&a, "{\n  \"hidden_size\": 5120,\n  \"vocab_size\" 1\n}", "bad.json"), -1);
	CHECK(strncmp(err_msg(), "bad.json:3: ", 12) == 0);
	CHECK_INT(model_from_json(&a, "[1, 2]", "arr.json"), -1);
	CHECK(strncmp(err_msg(), "arr.json:1: expected a JSON object", 34) == 0);
	/* Wrong types and values. */
#define BASE "{\"num_hidden_layers\": 2, \"hidden_size\": %s, \"num_attention_heads\": 4," \
	     " \"intermediate_size\": 256, \"vocab_size\": 100}"
	char buf[512];
	snprintf(buf, sizeof(buf), BASE, "-3");
	CHECK_INT(model_from_json(&a, buf, "c.json"), -1);
	CHECK_STR(err_msg(), "c.json: key 'hidden_size': expected a positive integer, got '-3'");
	snprintf(buf, sizeof(buf), BASE, "\"64\"");
	CHECK_INT(model_from_json(&a, buf, "c.json"), -1);
	CHECK_STR(err_msg(), "c.json: key 'hidden_size': expected a positive integer, got '\"64\"'");
	snprintf(buf, sizeof(buf), BASE, "64.5");
	CHECK_INT(model_from_json(&a, buf, "c.json"), -1);
	CHECK_INT(model_from_json(&a, "{\"hidden_size\": 64}", "d.json"), -1);
	CHECK_STR(err_msg(), "d.json: key 'num_hidden_layers': missing (expected a positive integer)");
	CHECK_INT(model_from_json(&a, "{\"num_hidden_layers\": 2, \"hidden_size\": 64,"
				      " \"num_attention_heads\": 4, \"num_key_value_heads\": 3,"
				      " \"intermediate_size\": 256, \"vocab_size\": 100}", "e.json"), -1);
	CHECK(strstr(err_msg(), "e.json: ") == err_msg());
	CHECK(strstr(err_msg(), "num_key_value_heads") != NULL);
	CHECK_INT(model_from_json(&a, "{\"num_hidden_layers\": 2, \"hidden_size\": 64,"
				      " \"num_attention_heads\": 4, \"tie_word_embeddings\": 1,"
				      " \"intermediate_size\": 256, \"vocab_size\": 100}", "f.json"), -1);
	CHECK_STR(err_msg(), "f.json: key 'tie_word_embeddings': expected true or false, got '1'");
	CHECK_INT(model_from_json(&a, "{\"num_hidden_layers\": 2, \"hidden_size\": 64,"
				      " \"num_attention_heads\": 4, \"model_type\": 7,"
				      " \"intermediate_size\": 256, \"vocab_size\": 100}", "g.json"), -1);
	CHECK_STR(err_msg(), "g.json: key 'model_type': expected a string, got '7'");

	/* Unknown names list the closest aliases. */
	CHECK_INT(model_find(&a, "r1-qwen-15b"), -1);
	CHECK(strstr(err_msg(), "unknown model 'r1-qwen-15b'") == err_msg());
	CHECK(strstr(err_msg(), "r1-qwen-1.5b") != NULL);
	CHECK_INT(model_find(&a, "R1-QWEN-1.5B"), 0);
}

static void test_dtype(void)
{
	enum dtype d;
	CHECK_INT(dtype_bytes(DT_BF16), 2);
	CHECK_INT(dtype_bytes(DT_FP8), 1);
	CHECK_STR(dtype_name(DT_FP8), "fp8");
	CHECK_INT(dtype_parse("fp8", &d), 0);
	CHECK_INT(d, DT_FP8);
	CHECK_INT(dtype_parse("bf16", &d), 0);
	CHECK_INT(d, DT_BF16);
	CHECK_INT(dtype_parse("fp16", &d), -1);
}

/* Configs whose keys change the computation in ways ttsim does not model are refused with
 * the key named, not read as the dense model their common keys describe. */
static void test_refused(void)
{
	static const char *const cases[][2] = {
		{"models/configs/gemma-2-9b.json", "key 'sliding_window': sliding-window attention"},
	};
	struct model a;
	char buf[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(model_find(&a, cases[i][0]), -1);
		CHECK(strstr(err_msg(), cases[i][0]) == err_msg());
		CHECK(strstr(err_msg(), cases[i][1]) != NULL);
	}
	/* MoE and MLA keys outside the families that have them: both named, one line */
	CHECK_INT(model_from_json(&a, "{\"num_hidden_layers\": 2, \"hidden_size\": 64, "
				      "\"num_attention_heads\": 4, \"intermediate_size\": 256, "
				      "\"vocab_size\": 100, \"n_routed_experts\": 8, "
				      "\"kv_lora_rank\": 16}", "two.json"), -1);
	CHECK(strstr(err_msg(), "key 'n_routed_experts': Mixture-of-Experts") != NULL);
	CHECK(strstr(err_msg(), "; key 'kv_lora_rank': Multi-head Latent Attention") != NULL);
	CHECK(strchr(err_msg(), '\n') == NULL);
#define DENSE "{\"num_hidden_layers\": 2, \"hidden_size\": 64, \"num_attention_heads\": 4," \
	      " \"intermediate_size\": 256, \"vocab_size\": 100, \"max_position_embeddings\": 8192%s}"
	static const char *const extra[][2] = {
		{", \"kv_lora_rank\": 512, \"q_lora_rank\": null", "key 'kv_lora_rank': Multi-head Latent"},
		{", \"q_lora_rank\": 1536", "key 'q_lora_rank'"},
		{", \"num_local_experts\": 8", "key 'num_local_experts'"},
		{", \"moe_intermediate_size\": 768", "key 'moe_intermediate_size'"},
		{", \"layer_types\": [\"full_attention\", \"sliding_attention\"]", "key 'layer_types'"},
		{", \"mamba_d_state\": 16", "key 'mamba_d_state': hybrid"},
		{", \"model_type\": \"gemma3_text\"", "key 'model_type': 'gemma3_text' is not modelled"},
		{", \"sliding_window\": 4096, \"use_sliding_window\": true", "key 'sliding_window'"},
		{", \"sliding_window\": 4096", "key 'sliding_window'"},
	};
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(buf, sizeof(buf), DENSE, extra[i][0]);
		CHECK_INT(model_from_json(&a, buf, "x.json"), -1);
		CHECK(strstr(err_msg(), "x.json: ") == err_msg());
		CHECK(strstr(err_msg(), extra[i][1]) != NULL);
		if (!strstr(err_msg(), extra[i][1]))
			fprintf(stderr, "  %s -> %s\n", extra[i][0], err_msg());
	}
	/* still loads: Qwen2's window switched off, a window as long as the context, null
	 * windows and MoE keys set to nothing, all-full layer types */
	static const char *const fine[] = {
		", \"model_type\": \"qwen2\", \"sliding_window\": 4096, \"use_sliding_window\": false",
		", \"sliding_window\": 8192",
		", \"sliding_window\": null, \"num_experts\": 0, \"q_lora_rank\": null",
		", \"layer_types\": [\"full_attention\", \"full_attention\"]",
		", \"model_type\": \"mistral\", \"sliding_window\": null",
	};
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		snprintf(buf, sizeof(buf), DENSE, fine[i]);
		CHECK_INT(model_from_json(&a, buf, "ok.json"), 0);
		if (a.n_layers != 2)
			fprintf(stderr, "  %s -> %s\n", fine[i], err_msg());
	}
#undef DENSE
	/* vLLM refuses heads that do not split the hidden size; ttsim used to round down */
	CHECK_INT(model_from_json(&a, "{\"num_hidden_layers\": 2, \"hidden_size\": 100,"
				      " \"num_attention_heads\": 3, \"intermediate_size\": 256,"
				      " \"vocab_size\": 100}", "h.json"), -1);
	CHECK_STR(err_msg(), "h.json: key 'num_attention_heads': 3 does not divide hidden_size 100 "
			     "(expected a divisor, or an explicit head_dim)");
	/* with an explicit head_dim it is the config's word */
	CHECK_INT(model_from_json(&a, "{\"num_hidden_layers\": 2, \"hidden_size\": 100,"
				      " \"num_attention_heads\": 4, \"head_dim\": 32, \"intermediate_size\": 256,"
				      " \"vocab_size\": 100}", "h.json"), 0);
	/* every shipped config still loads */
	static const char *const shipped[] = {
		"models/configs/DeepSeek-R1-Distill-Qwen-1.5B.json",
		"models/configs/DeepSeek-R1-Distill-Qwen-14B.json",
		"models/configs/Llama-3.1-8B-Instruct.json", "models/configs/Qwen3-8B.json",
		"models/configs/Qwen3-30B-A3B.json", "models/configs/DeepSeek-V2-Lite.json",
		"models/configs/DeepSeek-V3.json",
	};
	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
		CHECK_INT(model_find(&a, shipped[i]), 0);
}

/* Prefill attention of mixed chunks (profile.h, "mixed chunks"), worked by hand on a
 * profile with only a rate and tile_half = 3 (no waves): 2 heads on 1 KV head of dim 128,
 * so a chunk of c tokens holds ceil(2c / 128) tiles.
 *   A: 64 tokens after 1000 cached: 66080 pairs, 1 tile, 66080 pairs per tile
 *   B: 128 fresh tokens: 8256 pairs, 2 tiles, 4128 per tile
 * All 3 tiles advance 4128 pairs at the factor of 3 tiles, (3 + 3) / 3 x 3 = 6; then A's
 * alone the remaining 61952 at that of 1 tile, 4: 272576 pair-units, x 4 x 2 x 128 / rate.
 * From the sums alone (the old equation) the pair was 1024 x 74336 x 7/4 / rate: less than
 * A alone (1024 x 66080 x 4 / rate), the finding of issue 14. */
static void test_prefill_chunks(void)
{
	struct profile p;
	struct prefill_chunk ab[2] = {{64, 1000}, {128, 0}}, a3[3] = {{300, 77}, {300, 77}, {300, 77}};
	double t, ta;
	memset(&p, 0, sizeof(p));
	p.attn_prefill.rate = 1e12;
	p.attn_prefill.tile_half = 3;
	t = cost_attn_prefill_chunks(&p, ab, 2, 2, 1, 128, 0);
	ta = cost_attn_prefill(&p, 1, 64, 66080, 2, 1, 128, 0);
	CHECK_NEAR(t, 1024.0 * 272576 / 1e12, 1e-12);
	CHECK_NEAR(ta, 1024.0 * 66080 * 4 / 1e12, 1e-12);
	CHECK_NEAR(cost_attn_prefill(&p, 2, 192, 74336, 2, 1, 128, 0), 1024.0 * 74336 * 7 / 4 / 1e12,
		   1e-12);
	CHECK(t >= ta);
	/* the order of the chunks does not matter */
	{
		struct prefill_chunk ba[2] = {ab[1], ab[0]};
		CHECK(cost_attn_prefill_chunks(&p, ba, 2, 2, 1, 128, 0) == t);
	}
	/* alike chunks are the calibrated case: exactly the equation on their sums */
	{
		struct profile h;
		if (profile_load(&h, "h100_sxm") < 0) {
			fprintf(stderr, "profile_load(h100_sxm): %s\n", err_msg());
			exit(1);
		}
		CHECK(cost_attn_prefill_chunks(&h, a3, 3, 12, 2, 128, 0) ==
		      cost_attn_prefill(&h, 3, 900, 3 * (300.0 * 77 + 300.0 * 301 / 2), 12, 2, 128, 0));
		/* and a chunk joining a lone one never makes it faster (the brief of issue 14:
		 * 63 tokens after 2785 cached, then 161 fresh ones beside it, TP 4 of
		 * r1-qwen-1.5b: 3 heads on 1 KV head) */
		{
			struct prefill_chunk two[2] = {{63, 2785}, {161, 0}};
			double one = cost_attn_prefill_chunks(&h, two, 1, 3, 1, 128, 0);
			CHECK(cost_attn_prefill_chunks(&h, two, 2, 3, 1, 128, 0) > one);
		}
	}
}

int main(void)
{
	test_prefill_chunks();
	test_dtype();
	test_params();
	test_bytes_and_shapes();
	test_tp();
	test_json();
	test_refused();
	return TEST_REPORT();
}
