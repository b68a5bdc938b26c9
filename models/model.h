/*
 * model.h: a transformer's architecture, and the arithmetic that follows from it.
 *
 * A model is the handful of numbers in its Hugging Face config.json (dense decoder-only
 * transformers: Llama, Qwen2, Qwen3 and their distillations). ttsim ships a catalog of
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
};

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

/* Parameter count (embeddings, LM head unless tied, attention, MLP, norms, biases). */
double model_params(const struct model *m);
/* Bytes of weights on one GPU under tensor parallelism tp (embedding and LM head are
 * sharded over the vocabulary; norms replicated). */
double model_weight_bytes_per_gpu(const struct model *m, int tp);
/* KV heads held by one GPU: n_kv_heads / tp, at least 1 (replicated when tp > n_kv_heads). */
int model_kv_heads_per_gpu(const struct model *m, int tp);
/* Bytes of KV cache per token on one GPU: 2 (K and V) x layers x kv heads per GPU x
 * head_dim x dtype bytes. */
double model_kv_bytes_per_token(const struct model *m, int tp);

/* The GEMMs of one decoder layer, per GPU under tensor parallelism: y[m x n] = x[m x k] W.
 * m is the number of tokens in the step and is supplied by the caller. */
enum layer_gemm { GEMM_QKV, GEMM_O, GEMM_UP, GEMM_DOWN, GEMM_NLAYER };
struct gemm_shape {
	double n; /* output features per GPU */
	double k; /* input features per GPU */
};
void model_layer_gemms(const struct model *m, int tp, struct gemm_shape out[GEMM_NLAYER]);
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
