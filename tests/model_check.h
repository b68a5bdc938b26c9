/* model_check.h: that a config.json reads to its catalog row, field by field (everything
 * the cost model reads; not the id, alias or source), for tests/test_model.c and
 * tests/test_moe.c. */
#ifndef TTSIM_MODEL_CHECK_H
#define TTSIM_MODEL_CHECK_H

#include "models/model.h"
#include "tests/test.h"

static inline void check_same_arch(const struct model *a, const struct model *b)
{
	CHECK_STR(a->arch, b->arch);
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
	CHECK_INT(a->weight_dtype, b->weight_dtype);
	CHECK_INT(a->kv_dtype, b->kv_dtype);
	/* experts, MLA, windows, gpt-oss's extras, quantisation */
	CHECK_INT(a->n_experts, b->n_experts);
	CHECK_INT(a->top_k, b->top_k);
	CHECK_INT(a->moe_ff, b->moe_ff);
	CHECK_INT(a->n_shared, b->n_shared);
	CHECK_INT(a->first_dense, b->first_dense);
	CHECK_INT(a->n_mtp, b->n_mtp);
	CHECK_INT(a->router_bias, b->router_bias);
	CHECK_INT(a->kv_lora, b->kv_lora);
	CHECK_INT(a->q_lora, b->q_lora);
	CHECK_INT(a->qk_nope, b->qk_nope);
	CHECK_INT(a->qk_rope, b->qk_rope);
	CHECK_INT(a->v_head, b->v_head);
	CHECK_INT(a->window, b->window);
	CHECK_INT(a->n_swa, b->n_swa);
	CHECK_INT(a->o_bias, b->o_bias);
	CHECK_INT(a->sinks, b->sinks);
	CHECK_INT(a->expert_bias, b->expert_bias);
	CHECK_INT(a->expert_fp4, b->expert_fp4);
	CHECK_INT(a->quant_block, b->quant_block);
	CHECK_INT(a->wq_bits, b->wq_bits);
	CHECK_INT(a->wq_group, b->wq_group);
	CHECK_INT(a->wq_zeros, b->wq_zeros);
	CHECK_INT(a->wq_act_order, b->wq_act_order);
	CHECK_INT(a->wq_method, b->wq_method);
	CHECK_NEAR(model_params(a), model_params(b), 0);
	CHECK_NEAR(model_active_params(a), model_active_params(b), 0);
}

#endif
