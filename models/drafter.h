/*
 * drafter.h: speculative drafters that are part of the target's own checkpoint.
 *
 * MTP (DeepSeek-style multi-token prediction, vLLM's model_executor/models/deepseek_mtp.py):
 * num_nextn_predict_layers modules after the target's last layer, each
 *     enorm(embedding of the token) and hnorm(the previous hidden state), concatenated,
 *     eh_proj [2h -> h], one decoder layer of the target's own kind (mtp_block), and a
 *     shared_head: a norm and an LM head of the full vocabulary (its own copy).
 * Draft forward j runs module j % n (spec_step_idx % num_mtp_layers), so every forward
 * has the shape of an EAGLE-1 forward (fc 2h -> h, one target layer, a vocab x h head):
 * sim/engine.c costs it so. What the modules add is their weights: n x (the layer,
 * eh_proj, norms and the LM head copy).
 */
#ifndef TTSIM_DRAFTER_H
#define TTSIM_DRAFTER_H

#include "models/model.h"

#define DRAFTER_MTP_MAX 16

/* The target's MTP modules (struct model's n_mtp: num_nextn_predict_layers of its
 * config.json, checked there to be 0..DRAFTER_MTP_MAX; DeepSeek-V3/R1 in the catalog: 1).
 * 0, or -1 with err_set when the modules are of a kind not costed (MoE or MLA targets). */
int drafter_mtp_layers(const struct model *target, int *n);
/* Weight bytes the n MTP modules add on one GPU under tensor parallelism tp. */
double drafter_mtp_weight_bytes_per_gpu(const struct model *target, int n, int tp);

#endif
