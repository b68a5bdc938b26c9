/* test_moe.c: Mixture-of-Experts and Multi-head Latent Attention (models/model.c,
 * models/cost.c): parameter, weight and KV counts worked by hand against the published
 * totals, config.json parsing and refusal, the grouped expert GEMM, routing skew and
 * expert parallelism. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibration/moe_fit.h"
#include "models/comm.h"
#include "models/cost.h"
#include "models/model.h"
#include "models/moe_table.h"
#include "models/profile.h"
#include "lib/assets.h"
#include "tests/model_check.h"
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

static void test_counts(void)
{
	struct model m, j;

	/* Qwen3-30B-A3B: emb 151936 x 2048 = 311,164,928, untied x2 = 622,329,856. Layer:
	 * q 2048 x 4096 = 8,388,608; kv 2 x 2048 x 512 = 2,097,152; o 8,388,608; q/k norms 256;
	 * norms 4,096; router 2048 x 128 = 262,144; experts 128 x 3 x 2048 x 768 =
	 * 603,979,776: 623,120,640, x48 = 29,909,790,720. Total + final norm 2048 =
	 * 30,532,122,624 (published 30.5B; Keras's qwen3_moe_30b_a3b_en preset says
	 * 30532122624). Active: 8 experts = 37,748,736 instead: 56,889,600 x48 =
	 * 2,730,700,800 + 622,331,904 = 3,353,032,704 (published 3.3B). */
	m = get("qwen3-30b-a3b");
	CHECK_NEAR(model_params(&m), 30532122624.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 3353032704.0, 1e-12);
	/* the shipped config.json reads to the same model */
	j = get("models/configs/Qwen3-30B-A3B.json");
	check_same_arch(&j, &m);
	CHECK_INT(j.n_experts, 128);
	/* KV: 48 layers x 2 x 4 heads x 128 x 2 bytes = 98,304 bytes a token (not the 67 GB
	 * cache of a 3.3B dense model: the KV is that of the attention, unchanged) */
	CHECK_NEAR(model_kv_bytes_per_token(&m, 1), 98304.0, 1e-15);

	/* Qwen3-235B-A22B: emb 151936 x 4096 x2 = 1,244,659,712. Layer: q 33,554,432; kv
	 * 2 x 4096 x 512 = 4,194,304; o 33,554,432; q/k norms 256; norms 8,192; router 524,288;
	 * experts 128 x 3 x 4096 x 1536 = 2,415,919,104: 2,487,755,008 x94 = 233,848,970,752.
	 * Total + 4096 = 235,093,634,560 (published 235B). Active: 8 experts 150,994,944:
	 * 222,830,848 x94 + 1,244,663,808 = 22,190,763,520 (published 22B). */
	m = get("qwen3-235b-a22b");
	CHECK_NEAR(model_params(&m), 235093634560.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 22190763520.0, 1e-12);

	/* GLM-4.5-Air (glm4_moe): emb 151552 x 4096 x2 = 1,241,513,984. Attention: q 4096 x
	 * 12288 = 50,331,648; k, v 2 x 4096 x 1024 = 8,388,608; o 50,331,648; q/k/v bias
	 * 12288 + 2048 = 14,336: 109,066,240; norms 8,192. Dense first layer: 3 x 4096 x 10944
	 * = 134,479,872. MoE layer: 129 experts (128 routed, 1 shared) x 3 x 4096 x 1408 =
	 * 2,231,894,016; router 128 x 4096 + a correction bias 128 = 524,416: 2,232,418,432.
	 * 109,074,432 x 46 + 134,479,872 + 2,232,418,432 x 45 = 105,610,733,184; + emb + final
	 * norm 4096 = 106,852,251,264 (published 106B). Active: 9 experts 155,713,536 + router
	 * 524,416 = 156,237,952: 109,074,432 x 46 + 134,479,872 + 156,237,952 x 45 =
	 * 12,182,611,584 (published 12B, without the embeddings) + emb + 4096 =
	 * 13,424,129,664. No q/k norm; the MTP module is not counted (vLLM's main model does
	 * not load it). */
	m = get("glm-4.5-air");
	CHECK_NEAR(model_params(&m), 106852251264.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 13424129664.0, 1e-12);
	CHECK_INT(m.n_mtp, 1);
	/* KV: 46 layers x 2 x 8 heads x 128 x 2 bytes = 188,416 bytes a token */
	CHECK_NEAR(model_kv_bytes_per_token(&m, 1), 188416.0, 1e-15);
	/* its config.json reads to the same model */
	j = get("models/configs/GLM-4.5-Air.json");
	check_same_arch(&j, &m);
	CHECK_INT(j.router_bias, 1);
	/* GLM-4.6: emb 151552 x 5120 x2 = 1,551,892,480. Attention: q 5120 x 12288 =
	 * 62,914,560; k, v 2 x 5120 x 1024 = 10,485,760; o 62,914,560; bias 14,336; q/k norm
	 * 256: 136,329,472; norms 10,240. Dense: 3 x 5120 x 12288 = 188,743,680. MoE: 161 x 3 x
	 * 5120 x 1536 = 3,798,466,560; router 160 x 5120 + 160 = 819,360. Total: 136,339,712 x
	 * 92 + 3 x 188,743,680 + 89 x 3,799,285,920 + emb + 5120 = 352,797,829,024 (published
	 * 355B with its MTP module). Active: 9 experts 212,336,640 + router: 89 x 213,156,000
	 * instead: 33,632,266,144 (published 32B without the embeddings: 32.08B). */
	m = get("glm-4.6");
	CHECK_NEAR(model_params(&m), 352797829024.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 33632266144.0, 1e-12);
	CHECK_INT(m.qk_norm, 1);

	/* Mixtral-8x7B: emb 32000 x 4096 x2 = 262,144,000. Layer: q, o 2 x 16,777,216; kv
	 * 8,388,608; experts 8 x 3 x 4096 x 14336 = 1,409,286,144; router 32,768; norms 8,192:
	 * 1,451,270,144 x32 = 46,440,644,608. Total + 4096 = 46,702,792,704 (published 46.7B);
	 * active (2 experts: 352,321,536): 394,305,536 x32 + 262,148,096 = 12,879,925,248
	 * (published 12.9B). */
	m = get("mixtral-8x7b-instruct");
	CHECK_NEAR(model_params(&m), 46702792704.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 12879925248.0, 1e-12);

	/* DeepSeek-V3 (and R1): emb 129280 x 7168 = 926,679,040, x2 = 1,853,358,080.
	 * MLA: q_a 7168 x 1536 = 11,010,048; q_a norm 1,536; q_b 1536 x 128 x 192 =
	 * 37,748,736; kv_a 7168 x 576 = 4,128,768; kv_a norm 512; kv_b 512 x 128 x 256 =
	 * 16,777,216; o 128 x 128 x 7168 = 117,440,512: 187,107,328; norms 14,336.
	 * Dense layers (3): + MLP 3 x 7168 x 18432 = 396,361,728: 583,483,392, x3 =
	 * 1,750,450,176. MoE layers (58): + experts 256 x 3 x 7168 x 2048 = 11,274,289,152,
	 * shared 44,040,192, router 1,835,008, correction bias 256: 11,507,286,272, x58 =
	 * 667,422,603,776. Total + 7168 = 671,026,419,200 (published 671B). Active (8 experts
	 * 352,321,536): 585,318,656 x58 = 33,948,482,048 + 1,750,450,176 + 1,853,365,248 =
	 * 37,552,297,472 (published 37B; DeepSeek's 36.6B leaves out the input embedding). */
	m = get("deepseek-v3");
	CHECK_NEAR(model_params(&m), 671026419200.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 37552297472.0, 1e-12);
	CHECK_NEAR(model_active_params(&m) - 926679040.0, 36.6e9, 0.01);
	j = get("models/configs/DeepSeek-V3.json");
	check_same_arch(&j, &m);
	CHECK_INT(j.weight_dtype, DT_FP8);
	CHECK_INT(j.quant_block, 128);
	CHECK_INT(j.first_dense, 3);
	CHECK_INT(j.router_bias, 1);
	/* the latent KV: 61 layers x (512 + 64) x 2 bytes = 70,272 bytes a token on every GPU,
	 * against 61 x 2 x 128 heads x 192 x 2 = 5,996,544 for full heads (85x) */
	CHECK_NEAR(model_kv_bytes_per_token(&m, 1), 70272.0, 1e-15);
	CHECK_NEAR(model_kv_bytes_per_token(&m, 8), 70272.0, 1e-15);
	/* fp8 weights on 8 GPUs: linear bytes + 4 / 16384 of scales, router, norms and
	 * embeddings in bf16. Per GPU, layer linear: MLA replicated q_a 11,010,048 + kv_a
	 * 4,128,768 and split (q_b + kv_b + o) / 8 = 21,495,808: 36,634,624; dense MLP
	 * 49,545,216; experts + shared 257 x 3 x 7168 x 256 = 1,414,791,168. bf16: norms
	 * 16,384 (MoE + 256 bias), router 1,835,008. Dense layer 86,179,840 x (1 + 4/16384) +
	 * 16,384 x 2; MoE layer 1,451,425,792 x (1 + 4/16384) + (16,640 + 1,835,008) x 2;
	 * embeddings 2 x 926,679,040 / 8 x 2 + 7168 x 2. */
	m.weight_dtype = DT_FP8;
	{
		double s = 1 + 4.0 / 16384;
		double want = 3 * (86179840.0 * s + 16384 * 2) +
			      58 * (1451425792.0 * s + (16640.0 + 1835008) * 2) +
			      2 * 926679040.0 / 8 * 2 + 7168 * 2;
		CHECK_NEAR(model_weight_bytes_per_gpu(&m, 8), want, 1e-12);
		CHECK_NEAR(model_weight_bytes_per_gpu(&m, 8), 85.5e9, 0.01);
	}

	/* DeepSeek-V2-Lite (config.json): no q_lora, 64 experts of 1408, top 6, 2 shared, 1
	 * dense layer. emb 102400 x 2048 x2 = 419,430,400. Attention: q 2048 x 16 x 192 =
	 * 6,291,456; kv_a 1,179,648; norm 512; kv_b 2,097,152; o 4,194,304: 13,763,072; norms
	 * 4,096. Dense layer + 67,239,936 = 81,007,104. MoE layer + experts 553,648,128,
	 * shared 17,301,504, router 131,072 = 584,847,872, x26 = 15,206,044,672. Total + 2048 =
	 * 15,706,484,224 (published 15.7B). Active (6 experts: 51,904,512): 83,104,256 x26 +
	 * 81,007,104 + 419,432,448 = 2,661,150,208 (published 2.4B without the embedding). */
	m = get("models/configs/DeepSeek-V2-Lite.json");
	CHECK_NEAR(model_params(&m), 15706484224.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 2661150208.0, 1e-12);
	CHECK_INT(m.q_lora, 0);
	CHECK_INT(m.head_dim, 192);
	CHECK_INT(m.router_bias, 0);
	CHECK_NEAR(model_kv_bytes_per_token(&m, 2), 27.0 * 576 * 2, 1e-15);
}

/* GEMM shapes of the MoE and MLA layers under TP and EP. */
static void test_shapes(void)
{
	struct gemm_shape g[GEMM_NLAYER];
	struct model m = get("deepseek-v3");

	model_layer_gemms(&m, 8, g);
	CHECK_NEAR(g[GEMM_QKV_A].n, 1536 + 512 + 64, 0);
	CHECK_NEAR(g[GEMM_QKV].n, 16 * 192, 0);
	CHECK_NEAR(g[GEMM_QKV].k, 1536, 0);
	CHECK_NEAR(g[GEMM_O].k, 16 * 128, 0);
	CHECK_NEAR(g[GEMM_ROUTER].n, 256, 0);
	CHECK_NEAR(g[GEMM_SHARED_UP].n, 2 * 256, 0);
	CHECK_NEAR(g[GEMM_EXPERT_UP].n, 2 * 256, 0);
	CHECK_NEAR(g[GEMM_EXPERT_DOWN].k, 256, 0);
	model_layer_gemms_ep(&m, 8, 1, g);
	CHECK_NEAR(g[GEMM_EXPERT_UP].n, 2 * 2048, 0);
	CHECK_NEAR(g[GEMM_SHARED_UP].n, 2 * 256, 0); /* the shared expert stays TP-split */
	m = get("qwen3-8b");
	model_layer_gemms(&m, 2, g);
	CHECK_NEAR(g[GEMM_ROUTER].n, 0, 0);
	CHECK_NEAR(g[GEMM_EXPERT_UP].n, 0, 0);
	CHECK_NEAR(g[GEMM_QKV_A].n, 0, 0);

	/* what tp and ep allow */
	m = get("qwen3-30b-a3b");
	CHECK_INT(model_check_ep(&m, 8, 0), 0);  /* 768 / 8 = 96 */
	CHECK_INT(model_check_ep(&m, 8, 1), 0);  /* 128 / 8 = 16 experts a GPU */
	m.weight_dtype = DT_FP8;
	m.quant_block = 128;
	CHECK_INT(model_check_ep(&m, 8, 0), -1); /* 96 is not a whole fp8 block */
	CHECK(strstr(err_msg(), "not a multiple of the fp8 block 128") != NULL);
	CHECK_INT(model_check_ep(&m, 4, 0), -1); /* 192 neither */
	CHECK_INT(model_check_ep(&m, 8, 1), 0);  /* whole experts are */
	m = get("mixtral-8x7b-instruct");
	CHECK_INT(model_check_ep(&m, 8, 1), 0);
	m = get("qwen3-8b");
	CHECK_INT(model_check_ep(&m, 2, 1), -1);
	CHECK(strstr(err_msg(), "key 'ep'") != NULL);
}

/* Configs of the modelled families with keys in a form ttsim does not read are refused. */
static void test_refusal(void)
{
	struct model a;
	char buf[1024];
#define QMOE "{\"model_type\": \"qwen3_moe\", \"num_hidden_layers\": 2, \"hidden_size\": 64, " \
	     "\"num_attention_heads\": 4, \"intermediate_size\": 256, \"vocab_size\": 100, " \
	     "\"num_experts\": 8, \"num_experts_per_tok\": 2, \"moe_intermediate_size\": 32%s}"
	static const char *const bad[][2] = {
		{", \"decoder_sparse_step\": 2", "key 'decoder_sparse_step': 2 is not modelled"},
		{", \"mlp_only_layers\": [0]", "key 'mlp_only_layers'"},
		{", \"n_routed_experts\": 8", "key 'n_routed_experts': Mixture-of-Experts in this form"},
		{", \"shared_expert_intermediate_size\": 64", "key 'shared_expert_intermediate_size'"},
		{", \"quantization_config\": {\"quant_method\": \"mxfp4\"}",
		 "key 'quantization_config.quant_method': \"mxfp4\" is not modelled"},
		{", \"quantization_config\": {\"quant_method\": \"fp8\", \"weight_block_size\": [64, 64]}",
		 "key 'quantization_config.weight_block_size'"},
		/* weight-only integer experts: act_order, layers other than the router left
		 * 16-bit and asymmetric compressed-tensors experts are not modelled */
		{", \"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 4, "
		 "\"group_size\": 128, \"sym\": true, \"desc_act\": true}",
		 "key 'quantization_config.desc_act': act_order (g_idx) in Mixture-of-Experts"},
		{", \"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4, "
		 "\"group_size\": 128, \"zero_point\": true, \"modules_to_not_convert\": "
		 "[\"gate\", \"mlp.experts\"]}",
		 "key 'quantization_config.modules_to_not_convert'"},
		{", \"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 4, "
		 "\"group_size\": 128, \"sym\": true, \"modules_in_block_to_quantize\": "
		 "[[\"self_attn.q_proj\", \"self_attn.k_proj\", \"self_attn.v_proj\"], "
		 "[\"self_attn.o_proj\"]]}",
		 "key 'quantization_config.modules_in_block_to_quantize'"},
		{", \"quantization_config\": {\"quant_method\": \"compressed-tensors\", "
		 "\"format\": \"pack-quantized\", \"ignore\": [\"lm_head\", \"re:.*mlp.gate$\"], "
		 "\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": "
		 "{\"num_bits\": 4, \"type\": \"int\", \"strategy\": \"group\", "
		 "\"group_size\": 128, \"symmetric\": false}}}}",
		 "weights.symmetric': asymmetric Mixture-of-Experts experts"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), QMOE, bad[i][0]);
		CHECK_INT(model_from_json(&a, buf, "q.json"), -1);
		CHECK(strstr(err_msg(), "q.json: ") == err_msg());
		CHECK(strstr(err_msg(), bad[i][1]) != NULL);
		if (!strstr(err_msg(), bad[i][1]))
			fprintf(stderr, "  %s -> %s\n", bad[i][0], err_msg());
	}
	/* glm4_moe: its own form only: MLA keys, or Qwen's num_experts, are refused, not read;
	 * more dense layers than layers is refused; its q/k norm follows use_qk_norm */
	{
		static const char *const glm_bad[][2] = {
			{", \"kv_lora_rank\": 512", "key 'kv_lora_rank': Multi-head Latent Attention"},
			{", \"num_experts\": 8", "key 'num_experts': Mixture-of-Experts in this form"},
			{", \"first_k_dense_replace\": 3", "key 'first_k_dense_replace': 3 is more"},
		};
#define GLM "{\"model_type\": \"glm4_moe\", \"num_hidden_layers\": 2, \"hidden_size\": 64, " \
	"\"num_attention_heads\": 4, \"head_dim\": 32, \"intermediate_size\": 256, " \
	"\"vocab_size\": 100, \"n_routed_experts\": 8, \"num_experts_per_tok\": 2, " \
	"\"moe_intermediate_size\": 32, \"n_shared_experts\": 1%s}"
		for (size_t i = 0; i < sizeof(glm_bad) / sizeof(glm_bad[0]); i++) {
			snprintf(buf, sizeof(buf), GLM, glm_bad[i][0]);
			CHECK_INT(model_from_json(&a, buf, "g.json"), -1);
			CHECK(strstr(err_msg(), glm_bad[i][1]) != NULL);
		}
		snprintf(buf, sizeof(buf), GLM, ", \"first_k_dense_replace\": 1, \"use_qk_norm\": true");
		CHECK_INT(model_from_json(&a, buf, "g.json"), 0);
		CHECK_INT(a.qk_norm, 1);
		CHECK_INT(a.first_dense, 1);
		CHECK_INT(a.router_bias, 1);
		CHECK_INT(a.head_dim, 32);
#undef GLM
	}
	/* missing and inconsistent expert keys */
	CHECK_INT(model_from_json(&a, "{\"model_type\": \"qwen3_moe\", \"num_hidden_layers\": 2, "
				      "\"hidden_size\": 64, \"num_attention_heads\": 4, "
				      "\"intermediate_size\": 256, \"vocab_size\": 100, "
				      "\"num_experts\": 8, \"num_experts_per_tok\": 9, "
				      "\"moe_intermediate_size\": 32}", "q.json"), -1);
	CHECK(strstr(err_msg(), "key 'num_experts_per_tok': 9 is more than the 8 experts") != NULL);
	CHECK_INT(model_from_json(&a, "{\"model_type\": \"mixtral\", \"num_hidden_layers\": 2, "
				      "\"hidden_size\": 64, \"num_attention_heads\": 4, "
				      "\"intermediate_size\": 256, \"vocab_size\": 100, "
				      "\"num_experts_per_tok\": 2}", "x.json"), -1);
	CHECK_STR(err_msg(), "x.json: key 'num_local_experts': missing (expected a positive integer)");
	snprintf(buf, sizeof(buf), QMOE, "");
	CHECK_INT(model_from_json(&a, buf, "q.json"), 0);
	CHECK_INT(a.n_experts, 8);
	CHECK_INT(a.moe_ff, 32);
	CHECK_INT(a.first_dense, 0);
#undef QMOE
	/* Gemma-2 (its own window scheme, soft-capping) and Qwen2-MoE stay refused */
	CHECK_INT(model_from_json(&a, "{\"model_type\": \"gemma2\", \"num_hidden_layers\": 2, "
				      "\"hidden_size\": 64, \"num_attention_heads\": 4, "
				      "\"intermediate_size\": 64, \"vocab_size\": 100, "
				      "\"num_local_experts\": 8, \"num_experts_per_tok\": 2, "
				      "\"sliding_window\": 128, \"max_position_embeddings\": 4096}",
				      "g.json"), -1);
	CHECK(strstr(err_msg(), "key 'num_local_experts'") != NULL);
	CHECK(strstr(err_msg(), "key 'sliding_window'") != NULL);
	CHECK_INT(model_from_json(&a, "{\"model_type\": \"qwen2_moe\", \"num_hidden_layers\": 2, "
				      "\"hidden_size\": 64, \"num_attention_heads\": 4, "
				      "\"intermediate_size\": 64, \"vocab_size\": 100, "
				      "\"num_experts\": 8, \"num_experts_per_tok\": 2}", "w.json"), -1);
	CHECK(strstr(err_msg(), "key 'num_experts'") != NULL);
}

/* gpt-oss: sliding-window layers, sinks, biases and MXFP4 experts, by hand. */
static void test_gpt_oss(void)
{
	struct model m, j;
	struct profile p;
	struct cost_ctx c;
	struct step_cost s1, s2;
	struct step_batch b = {.n_decode = 16, .decode_q = 1, .decode_ctx = 16 * 20000.0,
			       .n_sample = 16};
	char buf[2048];

	/* gpt-oss-120b: emb 201088 x 2880 = 579,133,440, untied x2 = 1,158,266,880. Layer:
	 * q 2880 x 4096 = 11,796,480; kv 2 x 2880 x 512 = 2,949,120; o 11,796,480; biases
	 * 4096 + 1024 + 2880 = 8,000; sinks 64: 26,550,144; norms 5,760; router 368,640 + bias
	 * 128; experts 128 x (2880 x 5760 + 5760 + 2880 x 2880 + 2880) = 128 x 24,891,840 =
	 * 3,186,155,520: 3,213,080,192, x36 = 115,670,886,912. Total + 2880 =
	 * 116,829,156,672 (published 116.8B, "117B"). Active (4 experts, 99,567,360):
	 * 126,492,032 x36 + 1,158,269,760 = 5,711,982,912; without the input embedding
	 * 5,132,849,472 (published 5.1B). */
	m = get("gpt-oss-120b");
	CHECK_NEAR(model_params(&m), 116829156672.0, 1e-12);
	CHECK_NEAR(model_active_params(&m), 5711982912.0, 1e-12);
	CHECK_NEAR(model_active_params(&m) - 579133440.0, 5.1e9, 0.01);
	/* gpt-oss-20b: 32 experts: 26,550,144 + 5,760 + 92,192 + 796,538,880 = 823,186,976 x24
	 * + 1,158,269,760 = 20,914,757,184 (20.9B); active 4,187,440,704, 3.61B without the
	 * input embedding (published 3.6B) */
	m = get("gpt-oss-20b");
	CHECK_NEAR(model_params(&m), 20914757184.0, 1e-12);
	CHECK_NEAR(model_active_params(&m) - 579133440.0, 3608307264.0, 1e-12);
	/* weights on one GPU as the checkpoint stores them (triton_kernels' layout, biases
	 * bf16 as in the checkpoint): experts 128 x 3 x 2880^2 x 36 = 114,661,785,600 at 4.25
	 * bits (60,914,073,600 bytes); the rest bf16: 36 x (26,550,144 + 5,760 + 368,768 + 128 x
	 * 8,640) + 1,158,269,760 = 2,167,371,072 params, 4,334,742,144 bytes. 65.25 GB: the
	 * published checkpoint is ~60.8 GiB (65.3 GB). The loaded layouts: test_mxfp4_layout. */
	m = get("gpt-oss-120b");
	m.mxfp4_backend = MXFP4_TRITON;
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 1) - 36 * 128 * 8640.0 * 2 /* fp32 biases */,
		   60914073600.0 + 4334742144.0, 1e-12);
	/* KV: every layer in full (the hybrid manager's freeing is not modelled): 36 x 2 x 8 x
	 * 64 x 2 = 73,728 bytes a token */
	CHECK_NEAR(model_kv_bytes_per_token(&m, 1), 73728.0, 1e-15);

	/* the config.json form: layer_types, sliding_window, mxfp4 */
#define OSS "{\"model_type\": \"gpt_oss\", \"num_hidden_layers\": 4, \"hidden_size\": 2880, " \
	    "\"num_attention_heads\": 64, \"num_key_value_heads\": 8, \"head_dim\": 64, " \
	    "\"intermediate_size\": 2880, \"vocab_size\": 201088, \"attention_bias\": true, " \
	    "\"num_local_experts\": 32, \"num_experts_per_tok\": 4, \"experts_per_token\": 4, " \
	    "\"sliding_window\": 128, \"max_position_embeddings\": 131072, \"swiglu_limit\": 7.0, " \
	    "\"quantization_config\": {\"quant_method\": \"mxfp4\"}, \"layer_types\": %s}"
	snprintf(buf, sizeof(buf), OSS, "[\"sliding_attention\", \"full_attention\", "
					"\"sliding_attention\", \"full_attention\"]");
	CHECK_INT(model_from_json(&j, buf, "oss.json"), 0);
	CHECK_INT(j.n_swa, 2);
	CHECK_INT(j.window, 128);
	CHECK_INT(j.expert_fp4, 1);
	CHECK_INT(j.sinks, 1);
	CHECK_INT(j.o_bias, 1);
	m = get("gpt-oss-20b");
	m.n_layers = 4, m.n_swa = 2;
	CHECK_NEAR(model_params(&j), model_params(&m), 1e-15);
	snprintf(buf, sizeof(buf), OSS, "[\"sliding_attention\", \"full_attention\"]");
	CHECK_INT(model_from_json(&j, buf, "oss.json"), -1);
	CHECK_STR(err_msg(), "oss.json: key 'layer_types': 2 entries for 4 layers");
	snprintf(buf, sizeof(buf), OSS, "[\"sliding_attention\", \"linear_attention\", "
					"\"full_attention\", \"full_attention\"]");
	CHECK_INT(model_from_json(&j, buf, "oss.json"), -1);
	CHECK(strstr(err_msg(), "layer type \"linear_attention\" is not modelled") != NULL);
#undef OSS
	/* mxfp4 only for gpt-oss; Qwen2's window still refused; Mistral's read for all layers */
	CHECK_INT(model_from_json(&j, "{\"model_type\": \"qwen3_moe\", \"num_hidden_layers\": 2, "
				      "\"hidden_size\": 64, \"num_attention_heads\": 4, "
				      "\"intermediate_size\": 256, \"vocab_size\": 100, "
				      "\"num_experts\": 8, \"num_experts_per_tok\": 2, "
				      "\"moe_intermediate_size\": 32, \"quantization_config\": "
				      "{\"quant_method\": \"mxfp4\"}}", "q.json"), -1);
	CHECK(strstr(err_msg(), "\"mxfp4\" is not modelled") != NULL);
	CHECK_INT(model_from_json(&j, "{\"model_type\": \"mistral\", \"num_hidden_layers\": 32, "
				      "\"hidden_size\": 4096, \"num_attention_heads\": 32, "
				      "\"num_key_value_heads\": 8, \"intermediate_size\": 14336, "
				      "\"vocab_size\": 32000, \"max_position_embeddings\": 32768, "
				      "\"sliding_window\": 4096}", "mistral.json"), 0);
	CHECK_INT(j.n_swa, 32);
	CHECK_INT(j.window, 4096);

	/* decode attention of 16 sequences of 20,000 tokens: the 18 sliding layers read 128
	 * tokens each, the 18 full ones all; without the window all 36 read all */
	if (profile_load(&p, "h100_sxm") < 0)
		exit(1);
	m = get("gpt-oss-120b");
	CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
	cost_step(&c, &b, &s1);
	cost_release(&c);
	{
		double t_full = s1.attn_decode, ctx = 16 * 128.0, tw;
		m.n_swa = 0, m.window = 0;
		CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
		cost_step(&c, &b, &s2);
		cost_release(&c);
		tw = cost_attn_decode(&p, 16, ctx, ctx * 73728.0 / 36, 8, 64, 0);
		CHECK_NEAR(t_full, s2.attn_decode / 2 + 18 * fmax(tw, p.launch_graph), 1e-12);
		CHECK(t_full < 0.6 * s2.attn_decode);
	}
	/* an EAGLE head on an MoE, MLA or windowed target is one dense layer of its shape */
	{
		struct model h;
		const char *const targets[] = {"gpt-oss-120b", "deepseek-r1", "qwen3-30b-a3b"};
		for (int i = 0; i < 3; i++) {
			m = get(targets[i]);
			model_eagle_head(&m, EAGLE_3, &h);
			CHECK_INT(model_validate(&h), 0);
			CHECK_INT(h.n_experts + h.n_swa + h.window + h.kv_lora + h.expert_fp4, 0);
			CHECK(model_eagle_weight_bytes_per_gpu(&m, EAGLE_3, 1) > 0);
		}
	}
}

/* The grouped GEMM, by hand on a plain GEMM model (peak 1e15, bandwidth 1e12, no
 * efficiency halves, a max): 4 tokens routed to 2 of 8 experts, p = 1/4 each. Rows 4 x 1/4
 * x 8 = 8; each expert active with probability 1 - (3/4)^4 = 0.68359375, 5.46875 in all.
 * n = k = 1024, fp8 (wb 1): tm = (5.46875 x 1024^2 + 2 x 8 x 2048) / 1e12 = 5.767168e-6 s;
 * tc = 2 x 1024^2 x 8 / 1e15 = 1.6777216e-8 s: memory-bound, 5.767168 us. With m_half 16
 * the compute is 2 x 1024^2 x (8 + 5.46875 x 16) / 1e15 = 2.00278016e-7 s. */
static void test_grouped_gemm(void)
{
	struct gemm_model gm;
	double p[8], one = 1;
	memset(&gm, 0, sizeof(gm));
	gm.peak = 1e15, gm.eff_max = 1, gm.bw_eff = 1, gm.smooth = 64;
	for (int i = 0; i < 8; i++)
		p[i] = 0.25;
	CHECK_NEAR(cost_grouped_gemm(&gm, 1e12, 4, p, 8, 1024, 1024, 1), 5.767168e-6, 1e-12);
	gm.m_half = 16;
	gm.bw_eff = 1e6; /* memory out of the way: the compute alone */
	CHECK_NEAR(cost_grouped_gemm(&gm, 1e12, 4, p, 8, 1024, 1024, 1), 2.00278016e-7, 1e-6);
	/* one expert that every token chooses is a plain GEMM (without the tile terms) */
	gm.bw_eff = 0.8, gm.nk_half = 300, gm.smooth = 3, gm.floor = 2e-6;
	CHECK_NEAR(cost_grouped_gemm(&gm, 3e12, 37, &one, 1, 4096, 2048, 2),
		   cost_gemm(&gm, 3e12, 37, 4096, 2048, 2), 1e-12);
	/* more tokens never take less time; no tokens, none */
	CHECK(cost_grouped_gemm(&gm, 3e12, 64, p, 8, 1024, 1024, 2) >
	      cost_grouped_gemm(&gm, 3e12, 4, p, 8, 1024, 1024, 2));
	CHECK_NEAR(cost_grouped_gemm(&gm, 3e12, 0, p, 8, 1024, 1024, 2), 0, 0);
}

/* Routing skew: Zipf probabilities sum to top_k and fall; the busiest GPU under EP then
 * holds the hottest experts and the step slows down. */
static void test_skew_and_ep(void)
{
	struct model m = get("qwen3-30b-a3b");
	struct profile p;
	struct cost_ctx c;
	struct step_batch b = {.n_decode = 64, .decode_q = 1, .decode_ctx = 64 * 1000.0,
			       .n_sample = 64};
	struct step_batch chunk = {.n_prefill = 1, .prefill_tokens = 4096,
				   .prefill_pairs = 4096.0 * 4097 / 2, .n_sample = 1};
	double pr[128], sum = 0, t_bal, t_skew, t_tp;

	m.moe_skew = 1;
	cost_moe_probs(&m, pr);
	for (int i = 0; i < 128; i++) {
		sum += pr[i];
		if (i)
			CHECK(pr[i] < pr[i - 1]);
	}
	CHECK_NEAR(sum, 8, 1e-12);
	m.moe_skew = 0;
	cost_moe_probs(&m, pr);
	CHECK_NEAR(pr[77], 8.0 / 128, 1e-15);

	if (profile_load(&p, "h100_sxm") < 0) {
		fprintf(stderr, "profile_load(h100_sxm): %s\n", err_msg());
		exit(1);
	}
	/* a prefill chunk's rows, where the hottest experts' rows cost compute (a decode step's
	 * few rows a touched expert stream the same weights either way, and skew touches fewer
	 * experts of the layer in all) */
	m.ep = 1;
	CHECK_INT(cost_init(&c, &m, &p, 4, 1), 0);
	t_bal = cost_step(&c, &chunk, NULL);
	cost_release(&c);
	m.moe_skew = 1.2;
	CHECK_INT(cost_init(&c, &m, &p, 4, 1), 0);
	t_skew = cost_step(&c, &chunk, NULL);
	cost_release(&c);
	CHECK(t_skew > t_bal);
	m.ep = 0, m.moe_skew = 0;
	CHECK_INT(cost_init(&c, &m, &p, 4, 1), 0);
	t_tp = cost_step(&c, &b, NULL);
	/* a dense model of the active size reads far fewer weights than the experts hit by 64
	 * tokens x 8: the MoE decode step is slower than its active parameters say */
	{
		struct step_cost sc;
		cost_step(&c, &b, &sc);
		CHECK(sc.gemm > 0 && sc.total == t_tp);
	}
	cost_release(&c);
	CHECK(t_tp > 0);
	/* an MoE step with one token reads top_k experts a layer, with 512 nearly all 128 */
	{
		struct step_batch one = {.n_decode = 1, .decode_q = 1, .decode_ctx = 1000,
					 .n_sample = 1};
		struct step_batch many = {.n_decode = 512, .decode_q = 1, .decode_ctx = 512000,
					  .n_sample = 512};
		struct step_cost s1, s2;
		CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
		cost_step(&c, &one, &s1);
		cost_step(&c, &many, &s2);
		CHECK(s2.gemm > 4 * s1.gemm);
		cost_release(&c);
	}
}

/* MLA decode reads the latent cache: on DeepSeek-V2-Lite the decode attention of a long
 * context costs far less than full heads of the same model would. */
static void test_mla_cost(void)
{
	struct model m = get("models/configs/DeepSeek-V2-Lite.json"), full;
	struct profile p;
	struct cost_ctx c;
	struct step_batch b = {.n_decode = 32, .decode_q = 1, .decode_ctx = 32 * 8000.0,
			       .n_sample = 32};
	struct step_batch pre = {.n_prefill = 1, .prefill_tokens = 2048,
				 .prefill_pairs = 2048.0 * 2049 / 2, .n_sample = 1};
	struct step_cost s1, s2, s3;
	struct mem_plan mp;

	if (profile_load(&p, "h100_sxm") < 0)
		exit(1);
	CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
	cost_step(&c, &b, &s1);
	cost_step(&c, &pre, &s3);
	CHECK_INT(cost_mem_plan(&c, 0.9, 8192, 256, 16, &mp), 0);
	/* blocks of 16 tokens x 27 layers x 576 x 2 bytes */
	CHECK_INT(mp.kv_blocks, (long)floor(mp.kv / (16 * 27.0 * 576 * 2)));
	cost_release(&c);
	full = m;
	full.kv_lora = full.q_lora = full.qk_nope = full.qk_rope = full.v_head = 0;
	CHECK_INT(cost_init(&c, &full, &p, 1, 1), 0);
	cost_step(&c, &b, &s2);
	cost_release(&c);
	CHECK(s1.attn_decode > 0 && s1.attn_decode * 4 < s2.attn_decode);
	CHECK(s3.attn_prefill > 0);
}

/* Data-parallel attention with expert parallelism (EP_DP) on DeepSeek-R1, 8 GPUs. */
static void test_ep_dp(void)
{
	struct model m = get("deepseek-r1");
	struct profile p;
	struct cost_ctx c;
	struct step_cost sc;
	struct step_batch b = {.n_decode = 61, .decode_q = 1, .decode_ctx = 61 * 3000.0,
			       .n_sample = 61};
	const struct allreduce_model *ar;
	double s = 1 + 4.0 / 16384, ranks, bytes, a2a, want;

	if (profile_load(&p, "h200_sxm") < 0)
		exit(1);
	m.weight_dtype = DT_FP8;
	m.ep = EP_DP;
	/* weights: all but the routed experts whole on each GPU. Linear: MLA 187,105,280;
	 * dense layer + 396,361,728 = 583,467,008; MoE layer + 3 x 7168 x 2048 x (256 / 8 + 1
	 * shared) = 1,453,326,336: 1,640,431,616. bf16: norms 16,384 (+256 bias), router
	 * 1,835,008; embeddings 2 x 926,679,040 x 2 bytes + final norm 7168 x 2. */
	want = 3 * (583467008.0 * s + 16384 * 2) + 58 * (1640431616.0 * s + (16640.0 + 1835008) * 2) +
	       2 * 926679040.0 * 2 + 7168 * 2;
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 8), want, 1e-12);
	CHECK_INT(cost_init(&c, &m, &p, 8, 1), 0);
	CHECK_INT(c.dp, 8);
	CHECK_INT(c.tp_attn, 1);
	CHECK_INT(c.heads, 128);
	CHECK_INT(c.moe_local, 32);
	/* a token's KV on one rank: 70,272 bytes / 8 per GPU of the replica */
	CHECK_NEAR(c.kv_bytes_tok, 70272.0 / 8, 1e-15);
	/* a token's 8 experts lie on 8 (1 - (7/8)^8) = 5.2511... ranks; 7168 x 2 bytes to each */
	ranks = 8 * (1 - pow(7.0 / 8, 8));
	CHECK_NEAR(c.a2a_bytes_tok, ranks * 7168 * 2, 1e-12);
	/* the busiest rank has ceil(61 / 8) = 8 tokens: each of the 58 MoE layers two
	 * all-to-alls of 8 x that, each (n - 1) / n of it over the bus after NCCL's latency
	 * (comm.c), and no all-reduce */
	ar = profile_allreduce(&p, 8);
	bytes = 8 * ranks * 7168 * 2;
	a2a = ar->lat + bytes * 7 / 8 / ar->busbw;
	CHECK_NEAR(comm_alltoall(&p, bytes, 8, 1), a2a, 1e-12);
	cost_step(&c, &b, &sc);
	CHECK_NEAR(sc.allreduce, 58 * 2 * fmax(a2a, p.launch_graph), 1e-12);
	cost_release(&c);
	/* over two nodes of 4 (gh200): the all-to-alls cross the network (models/comm.c) */
	{
		struct profile g;
		if (profile_load(&g, "gh200") < 0)
			exit(1);
		CHECK_INT(cost_init_nodes(&c, &m, &g, 8, 2, 1), 0);
		cost_step(&c, &b, &sc);
		a2a = comm_alltoall(&g, bytes, 8, 2);
		CHECK(a2a > comm_alltoall(&g, bytes, 4, 1));
		CHECK_NEAR(sc.allreduce, 58 * 2 * fmax(a2a, g.launch_graph), 1e-12);
		cost_release(&c);
	}
	/* the same step tensor-parallel: all-reduces, no all-to-all, and every GPU holds
	 * every sequence's latent KV */
	m.ep = EP_NONE;
	CHECK_INT(cost_init(&c, &m, &p, 8, 1), 0);
	CHECK_NEAR(c.kv_bytes_tok, 70272.0, 1e-15);
	CHECK_INT(c.dp, 1);
	cost_step(&c, &b, &sc);
	CHECK(sc.allreduce > 0);
	cost_release(&c);
	/* refused: experts that do not split over the GPUs, and a dense model */
	m = get("mixtral-8x7b-instruct");
	m.ep = EP_DP;
	CHECK_INT(cost_init(&c, &m, &p, 8, 1), 0);
	cost_release(&c);
	m = get("qwen3-8b");
	m.ep = EP_DP;
	CHECK_INT(cost_init(&c, &m, &p, 2, 1), -1);
	CHECK(strstr(err_msg(), "key 'ep'") != NULL);
}

/* Weight-only expert kernels (cost.c MOE_WONLY_EFF): MXFP4 experts on every profile and fp8
 * experts where fp8 is W8A16 (A100) compute at a fraction of the GEMM model's peak; native
 * bf16 and fp8 (H100) experts and dense models do not. The step's GEMM time grows by exactly
 * the routed experts' two grouped GEMMs at the lower peak, in every MoE layer. */
static void test_weight_only(void)
{
	struct model oss = get("gpt-oss-20b"), q = get("qwen3-235b-a22b"), d = get("Qwen/Qwen3-14B");
	struct profile h, a;
	struct cost_ctx c;
	struct step_cost s1, s2;
	struct step_batch pre = {.n_prefill = 1, .prefill_tokens = 8192,
				 .prefill_pairs = 8192.0 * 8193 / 2, .n_sample = 1};
	double eff, pr[32], want = 0;
	struct gemm_model eg;

	if (profile_load(&h, "h100_sxm") < 0 || profile_load(&a, "a100_sxm") < 0)
		exit(1);
	eff = cost_moe_compute_eff(&oss, &h);
	CHECK(eff > 0 && eff < 1);
	CHECK_NEAR(cost_moe_compute_eff(&oss, &a), eff, 0);
	CHECK_NEAR(cost_moe_compute_eff(&q, &h), 1, 0);
	CHECK_NEAR(cost_moe_compute_eff(&d, &a), 1, 0);
	q.weight_dtype = DT_FP8;
	CHECK_NEAR(cost_moe_compute_eff(&q, &h), 1, 0);   /* fp8 tensor cores */
	CHECK_NEAR(cost_moe_compute_eff(&q, &a), eff, 0); /* W8A16 Marlin */
	d.weight_dtype = DT_FP8;
	CHECK_NEAR(cost_moe_compute_eff(&d, &a), 1, 0);   /* dense: no experts */

	/* gpt-oss-20b, one H100, a prefill of 8192 tokens: 24 MoE layers, 4 of 32 experts a
	 * token (p = 1/8 each), MXFP4 weights (4.25 bits) */
	CHECK_INT(cost_init(&c, &oss, &h, 1, 1), 0);
	CHECK_NEAR(c.moe_eff, eff, 0);
	cost_step(&c, &pre, &s1);
	cost_release(&c);
	c.moe_eff = 1; /* the same context with the experts at the bf16 GEMM's own rate */
	c.moe_gm = *c.gm;
	cost_step(&c, &pre, &s2);
	cost_release(&c);
	for (int i = 0; i < 32; i++)
		pr[i] = 4.0 / 32;
	eg = h.gemm_bf16;
	eg.peak *= eff;
	/* in Marlin's padded layout (2880 -> 2944 intermediate, 3072 hidden; model.h) */
	CHECK_NEAR(c.moe_f, 2944, 0);
	CHECK_NEAR(c.moe_h, 3072, 0);
	for (int i = 0; i < 2; i++) {
		double n = i ? c.moe_h : 2 * c.moe_f, k = i ? c.moe_f : c.moe_h;
		want += cost_grouped_gemm(&eg, h.hbm_bw, 8192, pr, 32, n, k, 4.25 / 8) -
			cost_grouped_gemm(&h.gemm_bf16, h.hbm_bw, 8192, pr, 32, n, k, 4.25 / 8);
	}
	CHECK_NEAR(s1.gemm - s2.gemm, 24 * want, 1e-9);
	CHECK(s1.gemm > 1.5 * s2.gemm);
	/* attention and everything else unchanged */
	CHECK_NEAR(s1.attn_prefill, s2.attn_prefill, 1e-15);
	CHECK_NEAR(s1.elementwise, s2.elementwise, 1e-15);
}

/* Weight-only integer (GPTQ/AWQ/compressed-tensors W4A16) Mixture-of-Experts checkpoints:
 * bytes by hand, what is read and refused, and the experts' cost. */
static void test_wq_moe(void)
{
	struct model m = get("qwen3-30b-a3b-gptq-int4"), b = get("qwen3-30b-a3b"), j;
	struct profile h;
	struct cost_ctx c;
	struct step_cost s1, s2;
	struct step_batch dec = {.n_decode = 16, .decode_q = 1, .decode_ctx = 16 * 1000.0,
				 .n_sample = 16};
	struct gemm_model eg;
	double pr[128], want = 0;

	CHECK_INT(m.wq_bits, 4);
	CHECK_INT(m.wq_group, 128);
	CHECK_INT(m.wq_zeros, 0);
	CHECK_NEAR(model_params(&m), model_params(&b), 0);
	/* Qwen3-30B-A3B-GPTQ-Int4 on one GPU. 4 bits and one fp16 scale per 128 weights (GPTQ
	 * symmetric: no zeros): 0.5 + 2 / 128 = 0.515625 bytes a weight, k = 2048 and 768 both
	 * whole groups. A layer: QKV (32 + 2 x 4) x 128 = 5120 x 2048 = 10,485,760 and O
	 * 2048 x 4096 = 8,388,608 weights; 128 experts x (2 x 768 x 2048 up + 2048 x 768
	 * down) = 603,979,776; 622,854,144 x 0.515625 = 321,159,168 bytes. 16-bit: the router
	 * 128 x 2048 = 262,144, q/k norms 256, two RMSNorms 4096: 532,992 bytes. 321,692,160
	 * a layer x 48 = 15,441,223,680; embedding and LM head 151936 x 2048 x 2 x 2 =
	 * 1,244,659,712; final norm 4096. 16,685,887,488 bytes (15.54 GiB), against 61.06 GB
	 * in bf16. No published size could be read from the hub in this session; third-party
	 * notes give "16G" and "15.6 GB" for the download, which also holds GPTQ's unused
	 * qzeros and g_idx (vLLM's Marlin drops both when desc_act is false). */
	CHECK_NEAR(model_wq_bytes_per_weight(&m, 768), 0.515625, 0);
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 1), 16685887488.0, 1e-12);
	/* TP 2, experts split by width: QKV 2560 x 2048 + O 2048 x 2048 = 9,437,184 and the
	 * experts 128 x 3 x 384 x 2048 = 301,989,888 weights, x 0.515625 = 160,579,584;
	 * 16-bit parts replicated (532,992): 161,112,576 x 48 + 622,329,856 + 4096 */
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 2), 8355737600.0, 1e-12);
	/* TP 4 with expert parallelism: 32 whole experts (150,994,944 weights) and attention
	 * 1280 x 2048 + 2048 x 1024 = 4,718,592: 80,289,792 + 532,992 a layer x 48, plus
	 * 311,164,928 + 4096 */
	m.ep = EP_TP;
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 4), 4190662656.0, 1e-12);
	CHECK_INT(model_check_ep(&m, 4, EP_TP), 0);
	m.ep = EP_NONE;
	/* by width over 4 GPUs each expert is 192 wide: not a multiple of 128, so vLLM would
	 * run the Triton moe_wna16 kernel, not Marlin; refused */
	CHECK_INT(model_check_ep(&m, 2, EP_NONE), 0);
	CHECK_INT(model_check_ep(&m, 4, EP_NONE), -1);
	CHECK(strstr(err_msg(), "key 'tp': the expert width 768") != NULL);
	CHECK(strstr(err_msg(), "Marlin MoE needs a multiple of 128") != NULL);

	/* the shipped config reads to the catalog row */
	CHECK_INT(model_find(&j, "models/configs/Qwen3-30B-A3B-GPTQ-Int4.json"), 0);
	CHECK_INT(j.wq_bits, 4);
	CHECK_INT(j.wq_method, WQ_GPTQ);
	CHECK_NEAR(model_weight_bytes_per_gpu(&j, 1), 16685887488.0, 1e-12);
	/* AWQ with the router left 16-bit (modules_to_not_convert ["gate"]) and
	 * compressed-tensors with ignore ["lm_head", "re:.*mlp.gate$"] are read; AWQ's 4-bit
	 * zeros add 0.5 / 128 a weight */
#define Q30 "{\"model_type\": \"qwen3_moe\", \"num_hidden_layers\": 48, \"hidden_size\": 2048, " \
	    "\"num_attention_heads\": 32, \"num_key_value_heads\": 4, \"head_dim\": 128, " \
	    "\"intermediate_size\": 6144, \"vocab_size\": 151936, \"num_experts\": 128, " \
	    "\"num_experts_per_tok\": 8, \"moe_intermediate_size\": 768, " \
	    "\"quantization_config\": %s}"
	{
		char buf[2048];
		snprintf(buf, sizeof(buf), Q30, "{\"quant_method\": \"awq\", \"bits\": 4, "
			 "\"group_size\": 128, \"zero_point\": true, \"version\": \"gemm\", "
			 "\"modules_to_not_convert\": [\"gate\"]}");
		CHECK_INT(model_from_json(&j, buf, "awq.json"), 0);
		CHECK_INT(j.wq_zeros, 1);
		CHECK_NEAR(model_weight_bytes_per_gpu(&j, 1),
			   16685887488.0 + 48 * 622854144.0 * 0.5 / 128, 1e-12);
		snprintf(buf, sizeof(buf), Q30, "{\"quant_method\": \"compressed-tensors\", "
			 "\"format\": \"pack-quantized\", \"ignore\": [\"lm_head\", "
			 "\"re:.*mlp.gate$\"], \"config_groups\": {\"group_0\": {\"targets\": "
			 "[\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"int\", "
			 "\"strategy\": \"group\", \"group_size\": 128, \"symmetric\": true}}}}");
		CHECK_INT(model_from_json(&j, buf, "ct.json"), 0);
		CHECK_INT(j.wq_method, WQ_CT);
		CHECK_NEAR(model_weight_bytes_per_gpu(&j, 1), 16685887488.0, 1e-12);
		/* an ignore naming an expert is not the router */
		snprintf(buf, sizeof(buf), Q30, "{\"quant_method\": \"compressed-tensors\", "
			 "\"format\": \"pack-quantized\", \"ignore\": [\"re:.*mlp.experts.*\"], "
			 "\"config_groups\": {\"group_0\": {\"targets\": [\"Linear\"], \"weights\": "
			 "{\"num_bits\": 4, \"type\": \"int\", \"strategy\": \"group\", "
			 "\"group_size\": 128, \"symmetric\": true}}}}");
		CHECK_INT(model_from_json(&j, buf, "ct.json"), -1);
		CHECK(strstr(err_msg(), "ct.json: key 'quantization_config.ignore'") == err_msg());
	}
#undef Q30
	/* a Mixtral GPTQ naming the experts' w1, w2, w3 is read */
	CHECK_INT(model_from_json(&j, "{\"model_type\": \"mixtral\", \"num_hidden_layers\": 2, "
				      "\"hidden_size\": 256, \"num_attention_heads\": 4, "
				      "\"intermediate_size\": 512, \"vocab_size\": 100, "
				      "\"num_local_experts\": 8, \"num_experts_per_tok\": 2, "
				      "\"quantization_config\": {\"quant_method\": \"gptq\", "
				      "\"bits\": 4, \"group_size\": 128, \"sym\": true, "
				      "\"modules_in_block_to_quantize\": [[\"self_attn.q_proj\", "
				      "\"self_attn.k_proj\", \"self_attn.v_proj\"], "
				      "[\"self_attn.o_proj\"], [\"block_sparse_moe.experts.0.w1\", "
				      "\"block_sparse_moe.experts.0.w3\"], "
				      "[\"block_sparse_moe.experts.0.w2\"]]}}", "mx.json"), 0);
	CHECK_INT(j.wq_bits, 4);
	/* MLA (DeepSeek) and gpt-oss stay refused */
	CHECK_INT(model_from_json(&j, "{\"model_type\": \"deepseek_v3\", \"num_hidden_layers\": 2, "
				      "\"hidden_size\": 256, \"num_attention_heads\": 4, "
				      "\"intermediate_size\": 512, \"vocab_size\": 100, "
				      "\"n_routed_experts\": 8, \"num_experts_per_tok\": 2, "
				      "\"kv_lora_rank\": 64, \"quantization_config\": {\"quant_method\": "
				      "\"awq\", \"bits\": 4, \"group_size\": 128}}", "ds.json"), -1);
	CHECK(strstr(err_msg(), "ds.json: key 'quantization_config.quant_method': \"awq\" is not "
			       "modelled yet for MLA models and gpt-oss") == err_msg());

	/* cost: the experts are a weight-only grouped GEMM (no measured int4 table), computing
	 * at MOE_WONLY_EFF of the bf16 peak and streaming 0.515625 bytes a weight at WQ_BW_EFF
	 * of the bf16 rate; decode of 16 sequences, one H100 */
	if (profile_load(&h, "h100_sxm") < 0)
		exit(1);
	CHECK_INT(cost_init(&c, &m, &h, 1, 1), 0);
	CHECK(c.moe_mm == NULL);
	j = get("gpt-oss-20b");
	CHECK_NEAR(c.moe_eff, cost_moe_compute_eff(&j, &h), 0);
	CHECK_NEAR(c.moe_gm.bw_eff, h.gemm_bf16.bw_eff * cost_wq_bw_eff, 1e-15);
	cost_step(&c, &dec, &s1);
	cost_release(&c);
	c.moe_gm = *c.gm; /* the same experts at the bf16 GEMM's own rates */
	cost_step(&c, &dec, &s2);
	cost_release(&c);
	for (int i = 0; i < 128; i++)
		pr[i] = 8.0 / 128;
	eg = h.gemm_bf16;
	eg.peak *= cost_moe_compute_eff(&m, &h);
	eg.bw_eff *= cost_wq_bw_eff;
	for (int i = 0; i < 2; i++) {
		double n = i ? 2048 : 2 * 768, k = i ? 768 : 2048;
		want += cost_grouped_gemm(&eg, h.hbm_bw, 16, pr, 128, n, k, 0.515625) -
			cost_grouped_gemm(&h.gemm_bf16, h.hbm_bw, 16, pr, 128, n, k, 0.515625);
	}
	CHECK_NEAR(s1.gemm - s2.gemm, 48 * want, 1e-9);
	/* int4 experts stream fewer bytes than bf16 ones: at 16 tokens (weight-bound) the
	 * grouped GEMMs are faster even at WQ_BW_EFF, and the whole decode step too */
	for (int i = 0; i < 2; i++) {
		double n = i ? 2048 : 2 * 768, k = i ? 768 : 2048;
		CHECK(cost_grouped_gemm(&eg, h.hbm_bw, 16, pr, 128, n, k, 0.515625) <
		      0.6 * cost_grouped_gemm(&h.gemm_bf16, h.hbm_bw, 16, pr, 128, n, k, 2.0));
	}
	CHECK_INT(cost_init(&c, &b, &h, 1, 1), 0);
	cost_step(&c, &dec, &s2);
	cost_release(&c);
	CHECK(s1.gemm < s2.gemm);
	CHECK(s1.total < s2.total);
	CHECK_NEAR(s1.attn_decode, s2.attn_decode, 1e-15);
}

/* The shapes vLLM loads MXFP4 experts in (models/model.h enum mxfp4_backend), by hand. */
static void test_mxfp4_layout(void)
{
	struct model m = get("gpt-oss-120b"), s;
	struct profile p;
	struct cost_ctx c;
	struct mem_plan mp;
	/* everything but the experts and their biases (test_gpt_oss: 4,334,742,144 bytes less
	 * 36 x 128 x 8,640 bias params x 2 bytes) */
	double rest = 4334742144.0 - 36 * 128 * 8640.0 * 2;

	/* Marlin: intermediate 2880 -> 2944 (a multiple of 128), hidden 2880 -> 3072 (of 256):
	 * an expert 3 x 2944 x 3072 = 27,131,904 weights x 4.25 bits = 14,413,824 bytes, biases
	 * (2 x 2944 + 3072) x 2 = 17,920: 14,431,744; x 128 x 36 = 66,501,476,352. Total
	 * 70,756,592,256 bytes = 65.90 GiB (vLLM 0.10.1 logs 65.97: memory.csv) */
	m.mxfp4_backend = MXFP4_MARLIN;
	CHECK_NEAR(model_mxfp4_expert_bytes(&m, 1), 128 * 14431744.0, 1e-15);
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 1), 66501476352.0 + rest, 1e-12);
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 1), 70756592256.0, 1e-12);
	/* +9.0% of the experts' weights: 2944 x 3072 / 2880^2 */
	CHECK_NEAR(14413824.0 / (3 * 2880.0 * 2880 * 4.25 / 8), 1.0904, 1e-4);
	/* tp 2, each expert split by width: 1440 -> 1536; 3 x 1536 x 3072 x 4.25 / 8 =
	 * 7,520,256 + biases (2 x 1536 + 3072) x 2 = 12,288 */
	CHECK_NEAR(model_mxfp4_expert_bytes(&m, 2), 128 * (7520256.0 + 12288), 1e-15);
	/* tp 2 with expert parallelism: 64 whole experts a GPU */
	s = m;
	s.ep = EP_TP;
	CHECK_NEAR(model_mxfp4_expert_bytes(&s, 2), 64 * 14431744.0, 1e-15);
	/* Triton: 2880 is a multiple of 64, hidden as is: 3 x 2880^2 x 4.25 / 8 = 13,219,200,
	 * biases fp32 (5760 + 2880) x 4 = 34,560; at tp 2: 1440 -> 1472, 3 x 1472 x 2880 x
	 * 4.25 / 8 = 6,756,480, biases (2944 + 2880) x 4 = 23,296 */
	m.mxfp4_backend = MXFP4_TRITON;
	CHECK_NEAR(model_mxfp4_expert_bytes(&m, 1), 128 * (13219200.0 + 34560), 1e-15);
	CHECK_NEAR(model_mxfp4_expert_bytes(&m, 2), 128 * (6756480.0 + 23296), 1e-15);
	/* gpt-oss-20b, Marlin: 32 experts of 14,431,744 bytes in 24 layers = 11,083,579,392
	 * bytes; the rest as for Triton (vLLM 0.19 on an A100 logs 13.72 GiB: memory.csv) */
	m = get("gpt-oss-20b");
	m.mxfp4_backend = MXFP4_MARLIN;
	CHECK_NEAR(model_mxfp4_expert_bytes(&m, 1), 32 * 14431744.0, 1e-15);
	s = m;
	s.mxfp4_backend = MXFP4_TRITON;
	CHECK_NEAR(model_weight_bytes_per_gpu(&m, 1) - model_weight_bytes_per_gpu(&s, 1),
		   24 * 32 * (14431744.0 - 13219200.0 - 34560), 1e-12);
	/* a model without MXFP4 experts: none of this */
	s = get("qwen3-30b-a3b");
	CHECK_NEAR(model_mxfp4_expert_bytes(&s, 1), 0, 0);

	/* The profile run's sampler: 1024 rows x 201,088 x 28 bytes = 5,765,595,136 (5.37 GiB),
	 * the peak of the plan's activations at vLLM's H100 default of 1024 sequences; with 8
	 * sequences the forward's activations are the larger */
	m = get("gpt-oss-120b");
	if (profile_load(&p, "h100_sxm") < 0)
		exit(1);
	CHECK_INT(cost_init(&c, &m, &p, 1, 1), 0);
	CHECK_NEAR(cost_sampler_peak_bytes(&c, 1024), 5765595136.0, 1e-15);
	CHECK_INT(cost_mem_plan(&c, 1.0, 8192, 1024, 16, &mp), 0);
	CHECK_NEAR(mp.activations, 5765595136.0, 1e-15);
	CHECK_INT(cost_mem_plan(&c, 1.0, 8192, 8, 16, &mp), 0);
	CHECK(mp.activations > cost_sampler_peak_bytes(&c, 8) && mp.activations < 2e9);
	/* rows: min(max_num_seqs, max_num_batched_tokens) */
	CHECK_INT(cost_mem_plan(&c, 1.0, 512, 1024, 16, &mp), 0);
	CHECK_NEAR(mp.activations, cost_sampler_peak_bytes(&c, 512), 1e-15);
	/* FlashInfer's sampler (vLLM 0.9-0.11.0 with FlashInfer installed): 14 bytes a logit,
	 * 1024 x 201,088 x 14 = 2,882,797,568; the KV cache gains the difference */
	{
		double kv = 0;
		CHECK_INT(cost_mem_plan(&c, 1.0, 8192, 1024, 16, &mp), 0);
		kv = mp.kv;
		c.sampler_bytes = COST_SAMPLER_FLASHINFER_BYTES;
		CHECK_INT(cost_mem_plan(&c, 1.0, 8192, 1024, 16, &mp), 0);
		CHECK_NEAR(mp.activations, 2882797568.0, 1e-15);
		CHECK_NEAR(mp.kv - kv, 5765595136.0 - 2882797568.0, 1e-12);
	}
	cost_release(&c);
}

/* The fused-MoE model (models/profile.h "Fused MoE"), by hand: t0 10 us, eff 0.5, bw_eff 0.8,
 * block 16, slot_bw_eff 0.5; hbm 1e12 B/s; 8 experts, top 2 (p = 1/4 each); h 1024, f 512,
 * bf16 (wb 2).
 * One token: two experts touched (a_i = 1/4 each), each padded to one block of 16 rows:
 *   R = 32, t_c = 6 x 32 x 1024 x 512 / (1e15 x 0.5) = 2.01326592e-7 s
 *   t_m = (2 x 3 x 1024 x 512 x 2 + 2 x 2 x (1536 + 2048)) / 8e11 = 7.88224e-6 s
 *   t_s = 2 x 2 x 3584 / 5e11 = 2.8672e-8 s; t = 1e-5 + t_m + t_s = 1.7910912e-5 s.
 * 100 tokens on a slow GPU (peak 1e13): 25 rows an expert (a_i = 1 - (3/4)^100, 1 within
 * 3e-13), padded to 32: R = 256, not 200; t_c = 6 x 256 x 1024 x 512 / 5e12 = 1.610612736e-4
 * s > t_m (3.324928e-5): compute-bound; t_s = 2 x 200 x 3584 / 5e11 = 2.8672e-6;
 * t = 1.739284736e-4 s. */
static void test_fused_moe(void)
{
	struct moe_model mm = {.t0 = 10e-6, .eff = 0.5, .bw_eff = 0.8, .block = 16, .slot_bw_eff = 0.5};
	struct moe_rows r;
	double p[8];
	for (int i = 0; i < 8; i++)
		p[i] = 0.25;
	r = cost_moe_rows(1, 2, p, 8, 8, 16);
	CHECK_NEAR(r.rows, 2, 1e-12);
	CHECK_NEAR(r.active, 2, 1e-12);
	CHECK_NEAR(r.padded, 32, 1e-9);
	CHECK_NEAR(r.slots, 2, 0);
	CHECK_NEAR(cost_fused_moe(&mm, 1e15, 1e12, &r, 1024, 512, 2), 1.7910912e-5, 1e-15);
	r = cost_moe_rows(100, 2, p, 8, 8, 16);
	CHECK_NEAR(r.rows, 200, 1e-9);
	CHECK_NEAR(r.padded, 256, 1e-9);
	CHECK_NEAR(cost_fused_moe(&mm, 1e13, 1e12, &r, 1024, 512, 2), 1.739284736e-4, 1e-11);
	/* 400 tokens, 100 rows an expert: in tiles of 16 (block 16) 112 rows; with block 128
	 * the tile grows to the power of two that holds them, 128; with block 64, two of 64 */
	r = cost_moe_rows(400, 2, p, 8, 8, 16);
	CHECK_NEAR(r.padded, 8 * 112, 1e-6);
	r = cost_moe_rows(400, 2, p, 8, 8, 128);
	CHECK_NEAR(r.padded, 8 * 128, 1e-6);
	r = cost_moe_rows(400, 2, p, 8, 8, 64);
	CHECK_NEAR(r.padded, 8 * 128, 1e-6);
	CHECK_NEAR(cost_moe_padded(1, 128), 16, 0);
	CHECK_NEAR(cost_moe_padded(17, 128), 32, 0);
	CHECK_NEAR(cost_moe_padded(300, 128), 384, 0);
	/* the layer's touched experts count every GPU's (expert parallelism: 4 of the 8 here) */
	r = cost_moe_rows(1, 2, p, 4, 8, 16);
	CHECK_NEAR(r.active, 1, 1e-12);
	CHECK_NEAR(r.touched, 2, 1e-12);
	/* 64 tokens: 16 rows an expert, whole blocks (a_i within 1e-8 of 1 takes no more) */
	r = cost_moe_rows(64, 2, p, 8, 8, 16);
	CHECK_NEAR(r.padded, 128, 1e-6);
	/* no tokens, no time */
	r = cost_moe_rows(0, 2, p, 8, 8, 16);
	CHECK_NEAR(cost_fused_moe(&mm, 1e15, 1e12, &r, 1024, 512, 2), 0, 0);

	/* which experts the shipped profiles' sections cost (cost_moe_model) */
	{
		struct model q = get("qwen3-235b-a22b"), oss = get("gpt-oss-20b");
		struct model d = get("Qwen/Qwen3-14B");
		struct profile h, a;
		double peak, wb;
		if (profile_load(&h, "h100_sxm") < 0 || profile_load(&a, "a100_sxm") < 0)
			exit(1);
		CHECK(cost_moe_model(&q, &h, &peak, &wb) == &h.moe_bf16);
		CHECK_NEAR(peak, h.gemm_bf16.peak, 0);
		CHECK_NEAR(wb, 2, 0);
		CHECK(cost_moe_model(&q, &a, &peak, &wb) == &a.moe_bf16);
		q.weight_dtype = DT_FP8;
		CHECK(cost_moe_model(&q, &h, &peak, &wb) == &h.moe_fp8);
		CHECK_NEAR(peak, h.gemm_fp8.peak, 0);
		CHECK_NEAR(wb, 1, 0);
		CHECK(cost_moe_model(&q, &a, &peak, &wb) == NULL); /* W8A16: no table */
		oss.mxfp4_backend = MXFP4_TRITON;
		CHECK(cost_moe_model(&oss, &h, &peak, &wb) == &h.moe_mxfp4);
		CHECK_NEAR(peak, h.gemm_bf16.peak, 0);
		CHECK_NEAR(wb, 4.25 / 8, 0);
		oss.mxfp4_backend = MXFP4_MARLIN;
		CHECK(cost_moe_model(&oss, &h, &peak, &wb) == NULL); /* Marlin: no table */
		CHECK(cost_moe_model(&d, &h, &peak, &wb) == NULL);   /* dense */

		/* a step of the fused model: its GEMM time is the grouped GEMMs' replaced by the
		 * fused layer, at least a launch, in every MoE layer (qwen3-235b: 94) */
		struct cost_ctx c;
		struct step_cost s1, s2;
		struct step_batch b = {.n_decode = 16, .decode_q = 1, .decode_ctx = 16 * 1000.0,
				       .n_sample = 16};
		double pr[128], want;
		const struct moe_shape *sh;
		q.weight_dtype = DT_BF16;
		CHECK_INT(cost_init(&c, &q, &h, 8, 1), 0);
		CHECK(c.moe_mm == &h.moe_bf16);
		/* Qwen3-235B's layer at TP8 is a shape of the H100 table: 16 tokens measured
		 * 0.22743467489878336 ms (h100_sxm_moe_vllm_0.14.0_bf16_fp8block.csv) */
		sh = c.moe_shape;
		CHECK(sh != NULL);
		cost_step(&c, &b, &s1);
		cost_release(&c);
		c.moe_mm = NULL; /* the same context on the grouped GEMM */
		cost_step(&c, &b, &s2);
		cost_release(&c);
		for (int i = 0; i < 128; i++)
			pr[i] = 8.0 / 128;
		want = cost_moe_layer(&h.moe_bf16, sh, h.gemm_bf16.peak, h.hbm_bw, 16, 8, pr, 128,
				      128, 4096, 1536 / 8, 2);
		CHECK_NEAR(want, 0.22743467489878336e-3, 1e-12);
		want = want > h.launch_graph ? want : h.launch_graph;
		for (int i = 0; i < 2; i++) {
			double n = i ? 4096 : 2 * 192, k = i ? 192 : 4096, g;
			g = cost_grouped_gemm(&h.gemm_bf16, h.hbm_bw, 16, pr, 128, n, k, 2);
			want -= g > h.launch_graph ? g : h.launch_graph;
		}
		CHECK_NEAR(s1.gemm - s2.gemm, 94 * want, 1e-12);
		/* the routing kernels' launches are in the fused model's t0 */
		CHECK_NEAR(s2.elementwise - s1.elementwise, 94 * 3 * h.launch_graph, 1e-12);
	}
}


/* Measured fused-MoE tables by exact shape (models/moe_table.h). A small table: the shape
 * (h 1024, inter 512, E 8, k 2, tp 1, ep 1) at 1, 4, 25 and 100 tokens, 0.1 x sqrt(T) ms
 * (25 measured twice, 0.4 and 0.6 ms: their median 0.5); rows of another dtype or
 * distribution skipped; a tp-2 shape with two points only (too few to interpolate). */
static const char small_table[] =
	"framework,kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,num_experts,"
	"moe_tp_size,moe_ep_size,distribution,latency\n"
	"VLLM,k,bfloat16,100,1024,512,2,8,1,1,balanced,1.0\n"
	"VLLM,k,bfloat16,1,1024,512,2,8,1,1,balanced,0.1\n"
	"VLLM,k,bfloat16,4,1024,512,2,8,1,1,balanced,0.2\n"
	"VLLM,k,bfloat16,25,1024,512,2,8,1,1,balanced,0.4\n"
	"VLLM,k,bfloat16,25,1024,512,2,8,1,1,balanced,0.6\n"
	"VLLM,k,fp8_block,2,1024,512,2,8,1,1,balanced,9\n"
	"VLLM,k,bfloat16,2,1024,512,2,8,1,1,power_law_1.01,9\n"
	"VLLM,k,bfloat16,1,1024,512,2,8,2,1,balanced,0.1\n"
	"VLLM,k,bfloat16,4,1024,512,2,8,2,1,balanced,0.2\n";

static int table_err(const char *text, const char *want)
{
	struct moe_table t;
	int rc = moe_table_parse(&t, text, strlen(text), "t.csv", "bfloat16");
	if (rc == 0) {
		moe_table_release(&t);
		return 0;
	}
	if (!strstr(err_msg(), want))
		fprintf(stderr, "moe table error '%s' lacks '%s'\n", err_msg(), want);
	return strstr(err_msg(), want) != NULL;
}

/* 1 if m's layer on tp GPUs is a shape of mm's table, 0 if not, -1 on error */
static int shape_of(const struct model *m, const struct moe_model *mm, int tp)
{
	const struct moe_shape *s;
	if (cost_moe_shape(m, mm, tp, &s) < 0)
		return -1;
	return s != NULL;
}

static void test_moe_table(void)
{
	struct moe_table t;
	struct moe_model mm = {.t0 = 10e-6, .eff = 0.5, .bw_eff = 0.8, .block = 16, .slot_bw_eff = 0.5};
	const struct moe_shape *s;
	struct model m = get("mixtral-8x7b");
	double p[8], v, edge;

	CHECK(moe_table_parse(&t, small_table, strlen(small_table), "small.csv", "bfloat16") == 0);
	CHECK(t.n == 1 && !strcmp(t.kernel, "k"));
	s = moe_table_find(&t, 1024, 512, 8, 2, 1, 1);
	CHECK(s != NULL && s->n == 4);
	CHECK(moe_table_find(&t, 1024, 512, 8, 2, 2, 1) == NULL); /* two points: not kept */
	if (!s)
		return;
	/* exact hits (ms -> s; 25: the median of its repeats) */
	CHECK(moe_shape_eval(s, 1, &v, &edge) == 1);
	CHECK_NEAR(v, 1e-4, 1e-12);
	CHECK(moe_shape_eval(s, 25, &v, &edge) == 1);
	CHECK_NEAR(v, 5e-4, 1e-12);
	CHECK(moe_shape_eval(s, 100, &v, &edge) == 1);
	CHECK_NEAR(v, 1e-3, 1e-12);
	/* between points: the points lie on one line in log-log (slope 1/2), and Steffen's
	 * slopes there are that line's, so the interpolant is the line: 0.1 sqrt(T) ms */
	CHECK(moe_shape_eval(s, 2, &v, &edge) == 1);
	CHECK_NEAR(v, 1e-4 * sqrt(2.0), 1e-12);
	CHECK(moe_shape_eval(s, 50, &v, &edge) == 1);
	CHECK_NEAR(v, 1e-4 * sqrt(50.0), 1e-12);
	/* beyond: the edge's point */
	CHECK(moe_shape_eval(s, 400, &v, &edge) == 0);
	CHECK_NEAR(edge, 100, 1e-12);
	CHECK_NEAR(v, 1e-3, 1e-12);
	CHECK(moe_shape_eval(s, 0.5, &v, &edge) == 0);
	CHECK_NEAR(edge, 1, 1e-12);

	/* the layer: the table inside its range; beyond it, the fit scaled at the edge. With
	 * test_fused_moe's model (peak 1e13, hbm 1e12, h 1024, f 512, 8 experts at 1/4): the
	 * fit at 100 tokens is 1.739284736e-4 s; at 400 tokens, 896 padded rows: t_c = 6 x 896
	 * x 1024 x 512 / 5e12 = 5.637144576e-4, t_s = 2 x 800 x 3584 / 5e11 = 1.14688e-5, so
	 * 5.851832576e-4 s; scaled by the measured 1e-3 at 100: 3.364505221530e-3 s */
	for (int i = 0; i < 8; i++)
		p[i] = 0.25;
	CHECK_NEAR(cost_moe_layer(&mm, s, 1e13, 1e12, 50, 2, p, 8, 8, 1024, 512, 2),
		   1e-4 * sqrt(50.0), 1e-12);
	CHECK_NEAR(cost_moe_layer(&mm, s, 1e13, 1e12, 400, 2, p, 8, 8, 1024, 512, 2),
		   3.364505221530329e-3, 1e-9);
	/* continuous at both edges; no shape: the fit */
	CHECK_NEAR(cost_moe_layer(&mm, s, 1e13, 1e12, 100 * (1 + 1e-9), 2, p, 8, 8, 1024, 512, 2),
		   1e-3, 1e-6);
	CHECK_NEAR(cost_moe_layer(&mm, s, 1e13, 1e12, 1 - 1e-9, 2, p, 8, 8, 1024, 512, 2), 1e-4,
		   1e-6);
	CHECK_NEAR(cost_moe_layer(&mm, NULL, 1e13, 1e12, 100, 2, p, 8, 8, 1024, 512, 2),
		   1.739284736e-4, 1e-11);

	/* shape matching: exact, else the fit (NULL); the table read from a file by path */
	{
		char path[] = "/tmp/ttsim_test_moe_XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		CHECK(f != NULL);
		if (!f)
			return;
		fputs(small_table, f);
		fclose(f);
		strlcpy0(mm.table, path, sizeof(mm.table));
		CHECK(cost_moe_shape(&m, &mm, 1, &s) == 0); /* parses and caches it */
		unlink(path);
	}
	m.hidden = 1024;
	m.moe_ff = 512;
	m.n_experts = 8;
	m.top_k = 2;
	m.ep = EP_NONE;
	m.moe_skew = 0;
	CHECK(shape_of(&m, &mm, 1) == 1);
	CHECK(shape_of(&m, &mm, 2) == 0); /* the tp-2 shape has too few points */
	m.ep = EP_TP;                     /* tp 1 with EP: moe_tp 1, moe_ep 1 */
	CHECK(shape_of(&m, &mm, 1) == 1);
	m.ep = EP_NONE;
	m.moe_ff = 513; /* another N */
	CHECK(shape_of(&m, &mm, 1) == 0);
	m.moe_ff = 512;
	m.n_experts = 16; /* another E */
	CHECK(shape_of(&m, &mm, 1) == 0);
	m.n_experts = 8;
	m.top_k = 1;
	CHECK(shape_of(&m, &mm, 1) == 0);
	m.top_k = 2;
	m.moe_skew = 0.5; /* skewed routing: the tables are balanced */
	CHECK(shape_of(&m, &mm, 1) == 0);
	m.moe_skew = 0;
	CHECK(shape_of(&m, NULL, 1) == 0);
	/* a table that cannot be read is refused where a run needs it: its file, line, key */
	{
		char path[] = "/tmp/ttsim_test_moe_XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		CHECK(f != NULL);
		if (f) {
			fputs("kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,"
			      "num_experts,moe_tp_size,moe_ep_size,distribution,latency\n"
			      "k,bfloat16,1,1024,512,2,8,1,1,balanced,-1\n", f);
			fclose(f);
			strlcpy0(mm.table, path, sizeof(mm.table));
			CHECK(shape_of(&m, &mm, 1) == -1);
			CHECK(strstr(err_msg(), "key 'moe_bf16.table': ") == err_msg());
			CHECK(strstr(err_msg(), ":2: key 'latency'") != NULL);
			unlink(path);
		}
	}
	moe_table_release(&t);

	/* leave one token count out: 4 and 25 each predicted from the other three (on the
	 * line: exact) */
	{
		double *e;
		size_t n;
		CHECK(moe_table_parse(&t, small_table, strlen(small_table), "small.csv", "bfloat16") ==
		      0);
		CHECK(moe_table_loo(&t, &e, &n) == 0);
		CHECK(n == 2);
		for (size_t i = 0; i < n; i++)
			CHECK_NEAR(e[i], 0, 1e-9);
		free(e);
		moe_table_release(&t);
	}

	/* bad tables: file, line and key */
	CHECK(table_err("kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,"
			"num_experts,moe_tp_size,moe_ep_size,latency\n", "'distribution'"));
	CHECK(table_err("kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,num_experts,"
			"moe_tp_size,moe_ep_size,distribution,latency\n"
			"k,bfloat16,1,1024,512,2,8,1,1,balanced,fast\n",
			"t.csv:2: key 'latency'"));
	CHECK(table_err("kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,num_experts,"
			"moe_tp_size,moe_ep_size,distribution,latency\n"
			"k,bfloat16,1,1024,512,2,8,1,1,balanced,0.1\n"
			"j,bfloat16,2,1024,512,2,8,1,1,balanced,0.1\n",
			"t.csv:3: key 'kernel_source'"));
	CHECK(table_err("kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,num_experts,"
			"moe_tp_size,moe_ep_size,distribution,latency\n"
			"k,bfloat16,0,1024,512,2,8,1,1,balanced,0.1\n",
			"t.csv:2: key 'num_tokens'"));
	CHECK(table_err("kernel_source,moe_dtype,num_tokens,hidden_size,inter_size,topk,num_experts,"
			"moe_tp_size,moe_ep_size,distribution,latency\n"
			"k,fp8_block,1,1024,512,2,8,1,1,balanced,0.1\n",
			"key 'moe_dtype'"));
	/* the table and calibrate moe read a row through one moe_csv_row: the same bounds, so
	 * the same refusal (a latency over 1e6 ms; a top-k over 1e4) from both */
	{
		static const char *const bad[2][2] = {
			{"k,bfloat16,1,1024,512,2,8,1,1,balanced,2e6\n", "t.csv:2: key 'latency'"},
			{"k,bfloat16,1,1024,512,20000,8,1,1,balanced,0.1\n", "t.csv:2: key 'topk'"}};
		for (int i = 0; i < 2; i++) {
			char text[512];
			struct moe_set set = {0};
			snprintf(text, sizeof(text), "kernel_source,moe_dtype,num_tokens,hidden_size,"
				 "inter_size,topk,num_experts,moe_tp_size,moe_ep_size,distribution,"
				 "latency\n%s", bad[i][0]);
			CHECK(table_err(text, bad[i][1]));
			CHECK(moe_fit_load(&set, text, strlen(text), "t.csv", "k", "bfloat16",
					   "balanced", -1) == -1);
			CHECK(strstr(err_msg(), bad[i][1]) != NULL);
			CHECK(strstr(err_msg(), i ? "1..10000" : "1e-06..1e+06") != NULL);
			moe_set_release(&set);
		}
	}

	/* the shipped h100_sxm: Mixtral's TP2 bf16 layer is in the table (1024 tokens: 0.6865
	 * ms measured, line 722 of the H100 table); gh200 has the fit alone */
	{
		struct profile h, g;
		struct model mx = get("mixtral-8x7b");
		double peak, wb, q[8];
		const struct moe_model *hm;
		CHECK(profile_load(&h, "h100_sxm") == 0);
		CHECK(profile_load(&g, "gh200") == 0);
		hm = cost_moe_model(&mx, &h, &peak, &wb);
		CHECK(hm == &h.moe_bf16 && hm->table[0]);
		CHECK(cost_moe_shape(&mx, hm, 2, &s) == 0 && s != NULL);
		cost_moe_probs(&mx, q);
		if (s)
			CHECK_NEAR(cost_moe_layer(hm, s, peak, h.hbm_bw, 1024, 2, q, 8, 8, 4096,
						  14336 / 2, wb),
				   0.6864906946818033e-3, 1e-12);
		CHECK(shape_of(&mx, hm, 3) == 0);
		CHECK(shape_of(&mx, cost_moe_model(&mx, &g, &peak, &wb), 2) == 0);
	}
	/* a profile naming a table that is not there: file, line and key */
	{
		const struct asset *a = asset_find("models/profiles/h100_sxm.yaml");
		char *y = a ? xmalloc(a->len + 64) : NULL, *at;
		struct profile h;
		CHECK(a != NULL);
		if (a) {
			memcpy(y, a->data, a->len + 1);
			at = strstr(y, "calibration/data/aiconfigurator/moe/h100_sxm_moe_vllm_0.24.0");
			CHECK(at != NULL);
			if (at)
				memcpy(at, "calibration/data/nosuch_____", 28);
			CHECK(profile_parse(&h, y, strlen(y), "p.yaml") == -1);
			CHECK(strstr(err_msg(), "key 'moe_mxfp4.table'") != NULL);
			CHECK(strstr(err_msg(), "p.yaml:") == err_msg());
			free(y);
		}
	}
}

int main(void)
{
	test_counts();
	test_shapes();
	test_refusal();
	test_grouped_gemm();
	test_skew_and_ep();
	test_mla_cost();
	test_ep_dp();
	test_gpt_oss();
	test_weight_only();
	test_wq_moe();
	test_mxfp4_layout();
	test_fused_moe();
	test_moe_table();
	return TEST_REPORT();
}
