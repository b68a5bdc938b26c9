/*
 * model.c: dtype helpers, config.json parsing and the arithmetic of model.h (parameters,
 * bytes, GEMM shapes under tensor parallelism). The shipped catalog and name lookup live in
 * catalog.c. Nothing here knows about GPUs or time.
 */
#include "models/model.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "lib/util.h"

int dtype_bytes(enum dtype d) { return d == DT_FP8 ? 1 : 2; }

const char *dtype_name(enum dtype d) { return d == DT_FP8 ? "fp8" : "bf16"; }

int dtype_parse(const char *s, enum dtype *out)
{
	if (!strcmp(s, "bf16") || !strcmp(s, "bfloat16")) {
		*out = DT_BF16;
		return 0;
	}
	if (!strcmp(s, "fp8")) {
		*out = DT_FP8;
		return 0;
	}
	return -1;
}

/* --- config.json -------------------------------------------------------------------- */

/* 1-based line of byte offset off in text. */
static int line_of(const char *text, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

/* Render a JSON value briefly for an error message. */
static void json_brief(const cJSON *v, char *buf, size_t n)
{
	char *s = cJSON_PrintUnformatted(v);
	snprintf(buf, n, "%s", s ? s : "?");
	if (strlen(buf) == n - 1 && n > 4)
		strcpy(buf + n - 4, "...");
	cJSON_free(s);
}

/* The value of key when present and not null: 1 with *out set, 0 when absent, or -1 with
 * err_set "expected WHAT, got '...'" when `is` refuses it. */
static int json_get(const cJSON *root, const char *key, cJSON_bool (*is)(const cJSON *),
		    const char *what, const cJSON **out, const char *fname)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
	char got[64];

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!is(v)) {
		json_brief(v, got, sizeof(got));
		return err_set("%s: key '%s': expected %s, got '%s'", fname, key, what, got);
	}
	*out = v;
	return 1;
}

static cJSON_bool json_is_posint(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	       v->valuedouble > 0 && v->valuedouble <= INT_MAX;
}

/* The readers of one key each: 0 (an absent key leaves *out untouched), or -1 with err_set. */

/* A positive integer; missing is an error when required. */
static int json_posint(const cJSON *root, const char *key, int required, int *out,
		       const char *fname)
{
	const cJSON *v = NULL;
	int r = json_get(root, key, json_is_posint, "a positive integer", &v, fname);

	if (r == 0 && required)
		return err_set("%s: key '%s': missing (expected a positive integer)", fname, key);
	if (r > 0 && v)
		*out = (int)v->valuedouble;
	return r < 0 ? -1 : 0;
}

static int json_bool(const cJSON *root, const char *key, int *out, const char *fname)
{
	const cJSON *v = NULL;
	int r = json_get(root, key, cJSON_IsBool, "true or false", &v, fname);

	if (r > 0 && v)
		*out = cJSON_IsTrue(v);
	return r < 0 ? -1 : 0;
}

static int json_str(const cJSON *root, const char *key, const char **out, const char *fname)
{
	const cJSON *v = NULL;
	int r = json_get(root, key, cJSON_IsString, "a string", &v, fname);

	if (r > 0 && v)
		*out = v->valuestring;
	return r < 0 ? -1 : 0;
}

/* A key present with a value that switches something on (not null, false, 0, "" or []). */
static const cJSON *json_on(const cJSON *root, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v) || (cJSON_IsNumber(v) && v->valuedouble == 0) ||
	    (cJSON_IsString(v) && !v->valuestring[0]) ||
	    ((cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child))
		return NULL;
	return v;
}

/*
 * Refuse a config whose keys change the computation in a way ttsim does not model, rather
 * than read it as the dense model its common keys describe (a Mixture-of-Experts config read
 * as dense is a model ten times smaller; MLA read as full-size KV heads is a KV cache ten
 * times larger; a sliding window ignored is a KV cache that never stops growing).
 * Returns 0, or -1 with err_set naming the first key of each kind found (MoE and MLA
 * together in DeepSeek-V2), in one line.
 */
static int refuse_unmodelled(const cJSON *root, const char *fname, int max_len)
{
	static const char *const moe[] = {"num_experts", "num_local_experts", "n_routed_experts",
					  "moe_intermediate_size", "n_shared_experts",
					  "num_experts_per_tok", NULL};
	static const char *const mla[] = {"kv_lora_rank", "q_lora_rank", NULL};
	static const char *const hybrid[] = {"mamba_d_state", "mamba_expand", "mamba_d_conv",
					     "ssm_cfg", "state_size", "attn_layer_indices",
					     "layers_block_type", "hybrid_override_pattern",
					     "linear_attn_config", "full_attention_interval",
					     "block_types", NULL};
	/* dense decoder-only families whose every config key ttsim reads as vLLM does */
	static const char *const known[] = {"llama", "mistral", "qwen2", "qwen3", NULL};
	const cJSON *v, *mt;
	struct sbuf sb = {0};
	char got[64];
	int rc;

	for (int i = 0; moe[i]; i++)
		if (json_on(root, moe[i])) {
			sbuf_printf(&sb, "; key '%s': Mixture-of-Experts models are not modelled yet "
				    "(ttsim would read it as a dense model of the shared sizes)", moe[i]);
			break;
		}
	for (int i = 0; mla[i]; i++)
		if (json_on(root, mla[i])) {
			sbuf_printf(&sb, "; key '%s': Multi-head Latent Attention is not modelled yet "
				    "(ttsim would size the KV cache for full heads)", mla[i]);
			break;
		}
	for (int i = 0; hybrid[i]; i++)
		if (json_on(root, hybrid[i])) {
			sbuf_printf(&sb, "; key '%s': hybrid (state-space or linear attention) layers "
				    "are not modelled yet", hybrid[i]);
			break;
		}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "layer_types")) && !cJSON_IsNull(v)) {
		const cJSON *t;
		if (!cJSON_IsArray(v))
			sbuf_printf(&sb, "; key 'layer_types': expected a list of layer types");
		else
			cJSON_ArrayForEach(t, v)
				if (!cJSON_IsString(t) || strcmp(t->valuestring, "full_attention")) {
					json_brief(t, got, sizeof(got));
					sbuf_printf(&sb, "; key 'layer_types': layer type %s is not modelled "
						    "yet (only \"full_attention\")", got);
					break;
				}
	}
	/* Qwen2/Qwen3 carry sliding_window with use_sliding_window: false: not used */
	v = cJSON_GetObjectItemCaseSensitive(root, "use_sliding_window");
	if (!(v && cJSON_IsFalse(v))) {
		const char *keys[] = {"sliding_window", "sliding_window_size", "attention_window",
				      NULL};
		for (int i = 0; keys[i]; i++) {
			v = json_on(root, keys[i]);
			if (!v || (cJSON_IsNumber(v) && v->valuedouble >= max_len))
				continue;
			json_brief(v, got, sizeof(got));
			sbuf_printf(&sb, "; key '%s': sliding-window attention (%s tokens, context %d) "
				    "is not modelled yet (only null, or a window no smaller than "
				    "max_position_embeddings)", keys[i], got, max_len);
			break;
		}
	}
	mt = cJSON_GetObjectItemCaseSensitive(root, "model_type");
	if (!sb.len && cJSON_IsString(mt) && mt->valuestring[0]) {
		int i;
		for (i = 0; known[i] && strcmp(known[i], mt->valuestring); i++)
			;
		if (!known[i])
			sbuf_printf(&sb, "; key 'model_type': '%s' is not modelled yet (expected llama, "
				    "mistral, qwen2 or qwen3: dense decoder-only models)",
				    mt->valuestring);
	}
	rc = sb.len ? err_set("%s: %s (expected a dense config)", fname, sb.buf + 2) : 0;
	sbuf_release(&sb);
	return rc;
}

int model_from_json(struct model *m, const char *text, const char *fname)
{
	const char *end = NULL, *model_type = "", *act = "", *dt = NULL, *name = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 0);
	int rc = -1, head_dim = 0;

	memset(m, 0, sizeof(*m));
	if (!root) {
		size_t off = end ? (size_t)(end - text) : 0;
		return err_set("%s:%d: invalid JSON near byte %zu (expected a config.json object)",
			       fname, line_of(text, off), off);
	}
	if (!cJSON_IsObject(root)) {
		err_set("%s:1: expected a JSON object (a Hugging Face config.json)", fname);
		goto out;
	}
	if (json_posint(root, "num_hidden_layers", 1, &m->n_layers, fname) ||
	    json_posint(root, "hidden_size", 1, &m->hidden, fname) ||
	    json_posint(root, "num_attention_heads", 1, &m->n_heads, fname) ||
	    json_posint(root, "intermediate_size", 1, &m->intermediate, fname) ||
	    json_posint(root, "vocab_size", 1, &m->vocab, fname))
		goto out;
	m->n_kv_heads = m->n_heads;
	m->max_len = 4096; /* the Llama-2 context when the config does not say */
	if (json_posint(root, "num_key_value_heads", 0, &m->n_kv_heads, fname) ||
	    json_posint(root, "head_dim", 0, &head_dim, fname) ||
	    json_posint(root, "max_position_embeddings", 0, &m->max_len, fname) ||
	    json_bool(root, "tie_word_embeddings", &m->tied_embeddings, fname) ||
	    json_bool(root, "attention_bias", &m->qkv_bias, fname) ||
	    json_str(root, "model_type", &model_type, fname) ||
	    json_str(root, "hidden_act", &act, fname) ||
	    json_str(root, "torch_dtype", &dt, fname) ||
	    json_str(root, "_name_or_path", &name, fname))
		goto out;
	if (dt && strcmp(dt, "bfloat16") && strcmp(dt, "float16") && strcmp(dt, "float32")) {
		err_set("%s: key 'torch_dtype': expected bfloat16, float16 or float32, got '%s'",
			fname, dt);
		goto out;
	}
	if (refuse_unmodelled(root, fname, m->max_len) < 0)
		goto out;
	/* as vLLM: without an explicit head_dim the heads must split the hidden size exactly */
	if (!head_dim && m->hidden % m->n_heads) {
		err_set("%s: key 'num_attention_heads': %d does not divide hidden_size %d (expected a "
			"divisor, or an explicit head_dim)", fname, m->n_heads, m->hidden);
		goto out;
	}
	m->head_dim = head_dim ? head_dim : m->hidden / m->n_heads;
	/* Qwen2 always has a QKV bias (its config has no attention_bias key). */
	if (!strcmp(model_type, "qwen2"))
		m->qkv_bias = 1;
	if (!strcmp(model_type, "qwen3"))
		m->qk_norm = 1;
	m->gated_mlp = !strcmp(model_type, "llama") || !strcmp(model_type, "qwen2") ||
		       !strcmp(model_type, "qwen3") || !strcmp(model_type, "mistral") ||
		       !strcmp(act, "silu");
	strlcpy0(m->arch, model_type[0] ? model_type : "unknown", sizeof(m->arch));
	strlcpy0(m->id, name && name[0] ? name : fname, sizeof(m->id));
	strlcpy0(m->source, fname, sizeof(m->source));
	m->weight_dtype = DT_BF16;
	m->kv_dtype = DT_BF16;
	if (model_validate(m)) {
		err_prefix("%s: ", fname);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* --- checks ------------------------------------------------------------------------- */

int model_validate(const struct model *m)
{
	if (m->n_layers <= 0 || m->hidden <= 0 || m->n_heads <= 0 || m->n_kv_heads <= 0 ||
	    m->head_dim <= 0 || m->intermediate <= 0 || m->vocab <= 0 || m->max_len <= 0)
		return err_set("model '%s': a size is not positive (expected every size > 0)", m->id);
	if (m->n_heads % m->n_kv_heads)
		return err_set("model '%s': key 'num_key_value_heads': %d does not divide the %d "
			       "attention heads", m->id, m->n_kv_heads, m->n_heads);
	if (!m->head_dim || (long)m->n_heads * m->head_dim > 4L * m->hidden)
		return err_set("model '%s': key 'head_dim': %d x %d heads is implausible for "
			       "hidden size %d", m->id, m->head_dim, m->n_heads, m->hidden);
	return 0;
}

int model_check_tp(const struct model *m, int tp)
{
	if (tp != 1 && tp != 2 && tp != 4 && tp != 8)
		return err_set("key 'tp': expected 1, 2, 4 or 8, got '%d'", tp);
	if (m->n_heads % tp)
		return err_set("key 'tp': %d does not divide the %d attention heads of '%s'", tp,
			       m->n_heads, m->id);
	if (m->n_kv_heads % tp && tp % m->n_kv_heads)
		return err_set("key 'tp': %d neither divides nor is a multiple of the %d KV heads "
			       "of '%s'", tp, m->n_kv_heads, m->id);
	if (m->intermediate % tp)
		return err_set("key 'tp': %d does not divide the intermediate size %d of '%s'", tp,
			       m->intermediate, m->id);
	return 0;
}

/* --- arithmetic --------------------------------------------------------------------- */

int model_heads_per_gpu(const struct model *m, int tp) { return m->n_heads / tp; }

int model_kv_heads_per_gpu(const struct model *m, int tp)
{
	int h = m->n_kv_heads / tp;
	return h > 0 ? h : 1;
}

/* Parameters of one decoder layer as held by one GPU, split into the linear weights (which
 * take the served weight dtype) and the rest (biases, norms: kept in bf16). */
static void layer_params(const struct model *m, int tp, double *linear, double *other)
{
	double hd = m->head_dim, h = m->hidden;
	double q = model_heads_per_gpu(m, tp), kv = model_kv_heads_per_gpu(m, tp);

	*linear = h * (q + 2 * kv) * hd /* QKV */ + q * hd * h /* O */ +
		  (m->gated_mlp ? 3.0 : 2.0) * h * (m->intermediate / (double)tp) /* MLP */;
	*other = 2 * h /* input and post-attention RMSNorm */ +
		 (m->qkv_bias ? (q + 2 * kv) * hd : 0) + (m->qk_norm ? 2 * hd : 0);
}

double model_params(const struct model *m)
{
	double lin, oth, emb = (double)m->vocab * m->hidden;
	layer_params(m, 1, &lin, &oth);
	return emb * (m->tied_embeddings ? 1 : 2) + m->n_layers * (lin + oth) + m->hidden;
}

double model_weight_bytes_per_gpu(const struct model *m, int tp)
{
	double lin, oth, emb = (double)m->vocab * m->hidden / tp;
	layer_params(m, tp, &lin, &oth);
	/* Embedding, LM head and norms stay in bf16 even when the linear layers are fp8
	 * (vLLM's fp8 quantization leaves them unquantized). */
	return m->n_layers * (lin * dtype_bytes(m->weight_dtype) + oth * 2) +
	       emb * (m->tied_embeddings ? 1 : 2) * 2 + m->hidden * 2.0;
}

double model_kv_bytes_per_token(const struct model *m, int tp)
{
	return 2.0 * m->n_layers * model_kv_heads_per_gpu(m, tp) * m->head_dim *
	       dtype_bytes(m->kv_dtype);
}

void model_layer_gemms(const struct model *m, int tp, struct gemm_shape out[GEMM_NLAYER])
{
	double hd = m->head_dim, q = model_heads_per_gpu(m, tp);
	double kv = model_kv_heads_per_gpu(m, tp), ff = m->intermediate / (double)tp;

	out[GEMM_QKV] = (struct gemm_shape){(q + 2 * kv) * hd, m->hidden};
	out[GEMM_O] = (struct gemm_shape){m->hidden, q * hd};
	out[GEMM_UP] = (struct gemm_shape){(m->gated_mlp ? 2 : 1) * ff, m->hidden};
	out[GEMM_DOWN] = (struct gemm_shape){m->hidden, ff};
}

struct gemm_shape model_lm_head(const struct model *m, int tp)
{
	return (struct gemm_shape){m->vocab / (double)tp, m->hidden};
}

double model_allreduce_bytes(const struct model *m, double m_tokens)
{
	return m_tokens * m->hidden * 2.0;
}

void model_eagle_head(const struct model *target, int version, struct model *out)
{
	*out = *target;
	out->n_layers = 1;
	if (version == EAGLE_3 && target->vocab > EAGLE3_DRAFT_VOCAB)
		out->vocab = EAGLE3_DRAFT_VOCAB;
	snprintf(out->id, sizeof(out->id), "EAGLE-%d head of %.60s", version, target->id);
}

double model_eagle_weight_bytes_per_gpu(const struct model *target, int version, int tp)
{
	struct model h;
	double w, h2 = (double)target->hidden * target->hidden * 2; /* bf16 */
	model_eagle_head(target, version, &h);
	h.tied_embeddings = 1; /* one vocab x hidden matrix counted: the LM head */
	w = model_weight_bytes_per_gpu(&h, tp);
	if (version == EAGLE_1) /* the LM head is the target's */
		w -= (double)h.vocab * h.hidden * 2 / tp;
	/* fc (replicated on every GPU): 2h -> h, or 3h -> h */
	w += (version == EAGLE_3 ? 3 : 2) * h2;
	if (version == EAGLE_3) /* QKV reads 2h */
		w += (double)target->hidden * (model_heads_per_gpu(target, tp) +
					       2.0 * model_kv_heads_per_gpu(target, tp)) *
		     target->head_dim * dtype_bytes(target->weight_dtype);
	return w;
}

void model_eagle_extra(const struct model *target, int version, int first, double *fc_k,
		       double *qkv_extra_k)
{
	double h = target->hidden;
	*fc_k = version == EAGLE_3 ? (first ? 3 * h : 0) : 2 * h;
	*qkv_extra_k = version == EAGLE_3 ? h : 0;
}
