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
#include <strings.h>
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

/* The configuration families ttsim models, and the MoE and MLA keys each reads. A key of
 * either kind in any other family (or another family's form of it: `num_experts` in a
 * DeepSeek config) is refused, never dropped. */
struct family {
	const char *type;        /* model_type */
	const char *const *keys; /* the MoE and MLA keys it reads (NULL-terminated) */
};
static const char *const moe_keys[] = {"num_experts", "num_local_experts", "n_routed_experts",
				       "moe_intermediate_size", "n_shared_experts",
				       "num_experts_per_tok", "shared_expert_intermediate_size",
				       "first_k_dense_replace", "moe_layer_freq", "decoder_sparse_step",
				       "mlp_only_layers", "moe_layer_start_index", "expert_interval",
				       "experts_per_token", NULL};
static const char *const mla_keys[] = {"kv_lora_rank", "q_lora_rank", "qk_nope_head_dim",
				       "qk_rope_head_dim", "v_head_dim", NULL};
static const char *const fam_none[] = {NULL};
static const char *const fam_qwen3_moe[] = {"num_experts", "num_experts_per_tok",
					    "moe_intermediate_size", "decoder_sparse_step",
					    "mlp_only_layers", NULL};
static const char *const fam_mixtral[] = {"num_local_experts", "num_experts_per_tok", NULL};
static const char *const fam_gpt_oss[] = {"num_local_experts", "num_experts_per_tok",
					  "experts_per_token", NULL};
static const char *const fam_deepseek[] = {"n_routed_experts", "num_experts_per_tok",
					   "moe_intermediate_size", "n_shared_experts",
					   "first_k_dense_replace", "moe_layer_freq", "kv_lora_rank",
					   "q_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim",
					   "v_head_dim", NULL};
/* GLM-4.5 / 4.6 (Glm4MoeForCausalLM): DeepSeek-V3's experts (routed and shared, the first
 * layers dense, a sigmoid router with a correction bias) behind grouped-query attention */
static const char *const fam_glm4_moe[] = {"n_routed_experts", "num_experts_per_tok",
					   "moe_intermediate_size", "n_shared_experts",
					   "first_k_dense_replace", NULL};
static const struct family families[] = {
	{"llama", fam_none},          {"mistral", fam_none},
	{"qwen2", fam_none},          {"qwen3", fam_none},
	{"qwen3_moe", fam_qwen3_moe}, {"mixtral", fam_mixtral},
	{"deepseek_v2", fam_deepseek}, {"deepseek_v3", fam_deepseek},
	{"gpt_oss", fam_gpt_oss},     {"glm4_moe", fam_glm4_moe},
};

/* Families whose sliding window ttsim reads (every layer, or the layers layer_types names
 * "sliding_attention"); Qwen2's max_window_layers and Gemma's alternation are refused. */
static int reads_window(const struct family *fam)
{
	return fam && (!strcmp(fam->type, "mistral") || !strcmp(fam->type, "mixtral") ||
		       !strcmp(fam->type, "gpt_oss"));
}
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

static const struct family *family_of(const char *model_type)
{
	for (size_t i = 0; i < N_FAMILIES; i++)
		if (!strcmp(families[i].type, model_type))
			return &families[i];
	return NULL;
}

static int in_list(const char *const *list, const char *key)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], key))
			return 1;
	return 0;
}


/* --- weight-only integer checkpoints ------------------------------------------------
 * What vLLM runs with its mixed-precision kernels (vllm/model_executor/layers/quantization:
 * awq_marlin.py, gptq_marlin.py, utils/marlin_utils.py, compressed_tensors wNa16;
 * vllm-project/vllm, Apache-2.0, read through the code index, no tag pinned): Marlin on
 * SM80 and newer, Machete first on SM90 for GPTQ and compressed-tensors; group sizes -1,
 * 32, 64 and 128 (marlin_utils.py MARLIN_SUPPORTED_GROUP_SIZES); GPTQ symmetric only
 * (uint4b8, uint8b128: an asymmetric GPTQ checkpoint falls back to the exllama kernel);
 * AWQ 4-bit with zero points (uint4). Anything else is refused, naming the key. */

static int is_wq_method(const char *s)
{
	return !strcmp(s, "awq") || !strcmp(s, "gptq") || !strcmp(s, "compressed-tensors");
}

const char *wq_method_name(int method)
{
	return method == WQ_AWQ ? "awq" : method == WQ_GPTQ ? "gptq"
	       : method == WQ_CT ? "compressed-tensors" : "none";
}

/* The one weights scheme of a compressed-tensors config (NULL when it has not exactly one
 * group with weights). */
static const cJSON *ct_weights(const cJSON *q, const cJSON **group)
{
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(q, "config_groups");
	if (!cJSON_IsObject(groups) || cJSON_GetArraySize(groups) != 1)
		return NULL;
	*group = groups->child;
	return cJSON_GetObjectItemCaseSensitive(groups->child, "weights");
}

/* NVFP4 in any of its published forms: ModelOpt's quant_algo, or compressed-tensors 4-bit
 * floats. */
static int is_nvfp4(const cJSON *q)
{
	const cJSON *qm = cJSON_GetObjectItemCaseSensitive(q, "quant_method");
	const cJSON *algo = cJSON_GetObjectItemCaseSensitive(q, "quant_algo"), *g, *w, *t, *b;
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(q, "format");
	if (cJSON_IsString(qm) && (!strcmp(qm->valuestring, "modelopt_fp4") ||
				   !strcmp(qm->valuestring, "nvfp4")))
		return 1;
	if (cJSON_IsString(algo) && !strcmp(algo->valuestring, "NVFP4"))
		return 1;
	if (cJSON_IsString(fmt) && strstr(fmt->valuestring, "nvfp4"))
		return 1;
	if (!(w = ct_weights(q, &g)))
		return 0;
	t = cJSON_GetObjectItemCaseSensitive(w, "type");
	b = cJSON_GetObjectItemCaseSensitive(w, "num_bits");
	return cJSON_IsString(t) && !strcmp(t->valuestring, "float") && cJSON_IsNumber(b) &&
	       b->valuedouble == 4;
}

/* An integer key of q (the first of two spellings present), or def when absent; Q_BAD
 * when present but not an integer (so that 0 or -2 written in the file read as themselves) */
#define Q_MISSING INT_MIN
#define Q_BAD (INT_MIN + 1)
static int q_int(const cJSON *q, const char *key, const char *alt, int def, const char **name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, key);
	*name = key;
	if ((!v || cJSON_IsNull(v)) && alt && (v = cJSON_GetObjectItemCaseSensitive(q, alt)))
		*name = alt;
	if (!v || cJSON_IsNull(v))
		return def;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    fabs(v->valuedouble) > 1e6)
		return Q_BAD;
	return (int)v->valuedouble;
}

/* A boolean key of q: 1, 0, def when absent, -2 when not a boolean. */
static int q_bool(const cJSON *q, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, key);
	if (!v || cJSON_IsNull(v))
		return def;
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -2;
}

/* Which linear layers a weight-only checkpoint may name (wq_parse's `moe`): a dense block
 * (q, k, v, o, gate, up and down_proj), a qwen3_moe block (the same names, the last three
 * on each expert: mlp.experts.N.gate_proj) or a mixtral block (the experts' w1, w2, w3) */
enum wq_block { WQ_DENSE = 0, WQ_MOE_QWEN = 1, WQ_MOE_MIXTRAL = 2 };

/* GPTQ's modules_in_block_to_quantize (absent: every linear layer): 1 when it names every
 * linear layer of the block, in vLLM's nested lists or flat (an entry ending in the
 * module's name counts). */
static int gptq_quantises_all(const cJSON *v, int moe)
{
	enum { NEED = 7 }; /* a block's linear layers, the same count in both */
	static const char *const dense[NEED] = {"q_proj", "k_proj", "v_proj", "o_proj",
						"gate_proj", "up_proj", "down_proj"};
	static const char *const mixtral[NEED] = {"q_proj", "k_proj", "v_proj", "o_proj", "w1",
						  "w2", "w3"};
	const char *const *need = moe == WQ_MOE_MIXTRAL ? mixtral : dense;
	const cJSON *a, *b;
	unsigned seen = 0;
	if (!v)
		return 1;
	if (!cJSON_IsArray(v))
		return 0;
	cJSON_ArrayForEach(a, v) {
		for (b = cJSON_IsArray(a) ? a->child : a; b; b = cJSON_IsArray(a) ? b->next : NULL) {
			if (!cJSON_IsString(b))
				return 0;
			for (unsigned j = 0; j < NEED; j++) {
				size_t lb = strlen(b->valuestring), ln = strlen(need[j]);
				if (lb >= ln && !strcmp(b->valuestring + lb - ln, need[j]))
					seen |= 1u << j;
			}
		}
	}
	return seen == (1u << NEED) - 1;
}

/* 1 when a layer name left unquantised (AWQ's modules_to_not_convert, compressed-tensors'
 * ignore) names only the MoE router: "gate", a name ending in "mlp.gate" or
 * "block_sparse_moe.gate", or such a name as a "re:" pattern (".*mlp.gate$"). vLLM keeps
 * the router unquantised anyway (its gate is a ReplicatedLinear built with
 * quant_config=None in qwen3_moe.py and mixtral.py); GPTQModel's qwen3_moe definition
 * skips it too ("gate": "0.5MB per layer. Not worth quantizing", ModelCloud/GPTQModel
 * gptqmodel/models/definitions/qwen3_moe.py) */
static int names_router(const char *s)
{
	static const char *const ends[] = {"mlp.gate", "block_sparse_moe.gate", NULL};
	char b[256];
	size_t n;
	if (!strncmp(s, "re:", 3))
		s += 3;
	if (!strncmp(s, ".*", 2))
		s += 2;
	strlcpy0(b, s, sizeof(b));
	n = strlen(b);
	if (n && b[n - 1] == '$')
		b[--n] = 0;
	if (!strcmp(b, "gate"))
		return 1;
	for (int i = 0; ends[i]; i++) {
		size_t l = strlen(ends[i]);
		if (n >= l && !strcmp(b + n - l, ends[i]) &&
		    (n == l || b[n - l - 1] == '.' || b[n - l - 1] == '*'))
			return 1;
	}
	return 0;
}

/* Read a weight-only quantization_config into m's wq_* fields; refusals go to sb ("; key
 * 'quantization_config.KEY': ..."). moe: the block's layers (enum wq_block). */
static void wq_parse(const cJSON *q, struct model *m, struct sbuf *sb, int moe)
{
	const cJSON *qm = cJSON_GetObjectItemCaseSensitive(q, "quant_method"), *g = NULL, *w, *v;
	const char *method = qm->valuestring, *bname = "bits", *gname = "group_size";
	const char *pre = "quantization_config.";
	int bits, group, sym;

	m->wq_method = !strcmp(method, "awq") ? WQ_AWQ : !strcmp(method, "gptq") ? WQ_GPTQ : WQ_CT;
	if (m->wq_method == WQ_CT) {
		const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(q, "format"), *ign, *it;
		const cJSON *act, *t, *st;
		if (!(w = ct_weights(q, &g))) {
			sbuf_printf(sb, "; key '%sconfig_groups': expected exactly one group with "
				    "'weights' (mixed schemes are not modelled)", pre);
			return;
		}
		act = cJSON_GetObjectItemCaseSensitive(g, "input_activations");
		t = cJSON_GetObjectItemCaseSensitive(w, "type");
		st = cJSON_GetObjectItemCaseSensitive(w, "strategy");
		if (act && !cJSON_IsNull(act)) {
			sbuf_printf(sb, "; key '%sconfig_groups.%s.input_activations': quantised "
				    "activations (W4A8, W8A8) are not modelled yet (only weight-only "
				    "W4A16/W8A16: null)", pre, g->string);
			return;
		}
		if (!cJSON_IsString(t) || strcmp(t->valuestring, "int")) {
			sbuf_printf(sb, "; key '%sconfig_groups.%s.weights.type': only \"int\" "
				    "weights are modelled", pre, g->string);
			return;
		}
		if (cJSON_IsString(fmt) && strcmp(fmt->valuestring, "pack-quantized")) {
			sbuf_printf(sb, "; key '%sformat': \"%s\" is not modelled (only "
				    "\"pack-quantized\")", pre, fmt->valuestring);
			return;
		}
		/* targets other than every Linear leave layers unquantised, as an ignore list does */
		it = cJSON_GetObjectItemCaseSensitive(g, "targets");
		if (it && !cJSON_IsNull(it) && !(cJSON_IsArray(it) && cJSON_GetArraySize(it) == 1 &&
						 cJSON_IsString(it->child) &&
						 !strcmp(it->child->valuestring, "Linear"))) {
			sbuf_printf(sb, "; key '%sconfig_groups.%s.targets': quantising only some "
				    "layers is not modelled (only [\"Linear\"])", pre, g->string);
			return;
		}
		/* a sparse checkpoint (2:4 and the like) is not the dense W4A16 sized here; vLLM
		 * reads sparsity_config beside the quantisation (compressed_tensors.py,
		 * supports_cutlass_24) */
		it = json_on(q, "sparsity_config");
		if (it && !(cJSON_IsObject(it) && (!json_on(it, "format") ||
						   (cJSON_IsString(json_on(it, "format")) &&
						    !strcmp(json_on(it, "format")->valuestring,
							    "dense"))))) {
			sbuf_printf(sb, "; key '%ssparsity_config': sparse weights are not modelled "
				    "(only null or format \"dense\")", pre);
			return;
		}
		ign = cJSON_GetObjectItemCaseSensitive(q, "ignore");
		if (ign && !cJSON_IsNull(ign) && !cJSON_IsArray(ign)) {
			sbuf_printf(sb, "; key '%signore': expected a list of layer names", pre);
			return;
		}
		cJSON_ArrayForEach(it, ign)
			if (!cJSON_IsString(it) || (strcmp(it->valuestring, "lm_head") &&
						    !(moe && names_router(it->valuestring)))) {
				sbuf_printf(sb, "; key '%signore': layers left unquantised other than "
					    "lm_head%s are not modelled", pre,
					    moe ? " and the MoE router (mlp.gate)" : "");
				return;
			}
		bits = q_int(w, "num_bits", NULL, Q_MISSING, &bname);
		sym = q_bool(w, "symmetric", 1);
		if (sym == -2) {
			sbuf_printf(sb, "; key '%sconfig_groups.%s.weights.symmetric': expected true "
				    "or false", pre, g->string);
			return;
		}
		if (cJSON_IsString(st) && !strcmp(st->valuestring, "channel"))
			group = -1;
		else if (cJSON_IsString(st) && !strcmp(st->valuestring, "group"))
			group = q_int(w, "group_size", NULL, Q_MISSING, &gname);
		else {
			sbuf_printf(sb, "; key '%sconfig_groups.%s.weights.strategy': expected "
				    "\"group\" or \"channel\"", pre, g->string);
			return;
		}
		v = cJSON_GetObjectItemCaseSensitive(w, "actorder");
		/* compressed-tensors reads true as "group", and strings case-blind, "dynamic"
		 * being an alias of "group" (QuantizationArgs.validate_actorder) */
		m->wq_act_order = cJSON_IsTrue(v) ||
				  (cJSON_IsString(v) && (!strcasecmp(v->valuestring, "group") ||
							 !strcasecmp(v->valuestring, "dynamic")));
		pre = "quantization_config.config_groups.*.weights.";
	} else {
		bits = q_int(q, "bits", "w_bit", Q_MISSING, &bname);
		group = q_int(q, "group_size", "q_group_size", Q_MISSING, &gname);
		if (m->wq_method == WQ_AWQ) {
			/* -2 (not a boolean) is kept, not negated into "symmetric" */
			sym = q_bool(q, "zero_point", 1);
			sym = sym == -2 ? -2 : !sym;
			v = cJSON_GetObjectItemCaseSensitive(q, "version");
			if (v && !cJSON_IsNull(v) && !(cJSON_IsString(v) &&
						       !strcasecmp(v->valuestring, "gemm"))) {
				char got[64];
				json_brief(v, got, sizeof(got));
				sbuf_printf(sb, "; key '%sversion': %s is not modelled (only \"gemm\", "
					    "the layout vLLM's awq_marlin repacks)", pre, got);
				return;
			}
			if ((v = json_on(q, "modules_to_not_convert"))) {
				const cJSON *it, *list = moe && cJSON_IsArray(v) ? v : NULL;
				int ok = list != NULL;
				cJSON_ArrayForEach(it, list)
					ok = ok && cJSON_IsString(it) && names_router(it->valuestring);
				if (!ok) {
					sbuf_printf(sb, "; key '%smodules_to_not_convert': layers left "
						    "unquantised are not modelled (only null or []%s)",
						    pre, moe ? ", or the MoE router: [\"gate\"]" : "");
					return;
				}
			}
		} else {
			int desc = q_bool(q, "desc_act", 0);
			sym = q_bool(q, "sym", 1);
			if (desc == -2 || q_bool(q, "lm_head", 0) == -2) {
				sbuf_printf(sb, "; key '%s%s': expected true or false", pre,
					    desc == -2 ? "desc_act" : "lm_head");
				return;
			}
			m->wq_act_order = desc;
			if (q_bool(q, "lm_head", 0) == 1) {
				sbuf_printf(sb, "; key '%slm_head': a quantised LM head is not "
					    "modelled (only false)", pre);
				return;
			}
			if (!gptq_quantises_all(json_on(q, "modules_in_block_to_quantize"), moe)) {
				sbuf_printf(sb, "; key '%smodules_in_block_to_quantize': layers left "
					    "unquantised are not modelled (only null, or a list naming q, k, "
					    "v, o_proj and %s)", pre,
					    moe == WQ_MOE_MIXTRAL ? "the experts' w1, w2, w3"
					    : moe ? "the experts' gate, up and down_proj"
						  : "gate, up and down_proj");
				return;
			}
			if (json_on(q, "dynamic")) {
				sbuf_printf(sb, "; key '%sdynamic': per-module overrides are not "
					    "modelled", pre);
				return;
			}
		}
		if (sym == -2) {
			sbuf_printf(sb, "; key '%s%s': expected true or false", pre,
				    m->wq_method == WQ_AWQ ? "zero_point" : "sym");
			return;
		}
	}
	if (!(bits == 4 || (bits == 8 && m->wq_method != WQ_AWQ))) {
		sbuf_printf(sb, "; key '%s%s': %s is not modelled (%s)", pre, bname,
			    bits == Q_MISSING ? "missing" : bits == Q_BAD ? "not an integer"
						       : "this width",
			    m->wq_method == WQ_AWQ ? "AWQ: 4 bits, as vLLM's awq_marlin runs it"
						   : "4 or 8 bits, as vLLM's Marlin runs them");
		if (bits != Q_MISSING && bits != Q_BAD)
			sbuf_printf(sb, " (got %d)", bits);
		return;
	}
	if (!(group == -1 || group == 32 || group == 64 || group == 128)) {
		sbuf_printf(sb, "; key '%s%s': %s is not modelled (expected -1, 32, 64 or 128, the "
			    "group sizes vLLM's Marlin runs)", pre, gname,
			    group == Q_MISSING ? "missing" : group == Q_BAD ? "not an integer"
							 : "this size");
		if (group != Q_MISSING && group != Q_BAD)
			sbuf_printf(sb, " (got %d)", group);
		return;
	}
	if (m->wq_method == WQ_GPTQ && !sym) {
		sbuf_printf(sb, "; key '%ssym': false is not modelled (vLLM runs asymmetric GPTQ "
			    "with its exllama kernel, not Marlin)", pre);
		return;
	}
	if (m->wq_method == WQ_AWQ && sym) {
		sbuf_printf(sb, "; key '%szero_point': false is not modelled (vLLM's awq_marlin "
			    "needs zero points)", pre);
		return;
	}
	if (m->wq_method == WQ_CT && !sym && bits != 4) {
		sbuf_printf(sb, "; key '%ssymmetric': asymmetric %d-bit weights are not modelled "
			    "(Marlin's zero points are 4-bit)", pre, bits);
		return;
	}
	/* vLLM drops desc_act without groups (gptq_marlin.py: "if desc_act and group_size ==
	 * -1: desc_act = False") */
	if (group == -1)
		m->wq_act_order = 0;
	/* Mixture-of-Experts: vLLM's Marlin MoE methods keep a g_idx and sort order per expert
	 * and their own scale layout under TP; not sized here. compressed-tensors' Marlin MoE
	 * method runs the symmetric types only (uint4b8, uint8b128: compressed_tensors_moe.py
	 * CompressedTensorsWNA16MarlinMoEMethod, WNA16_SUPPORTED_TYPES_MAP) */
	if (moe && m->wq_act_order) {
		sbuf_printf(sb, "; key '%s%s': act_order (g_idx) in Mixture-of-Experts experts is "
			    "not modelled (only false)", pre,
			    m->wq_method == WQ_CT ? "actorder" : "desc_act");
		return;
	}
	if (moe && m->wq_method == WQ_CT && !sym) {
		sbuf_printf(sb, "; key '%ssymmetric': asymmetric Mixture-of-Experts experts are "
			    "not modelled (vLLM's compressed-tensors Marlin MoE runs symmetric "
			    "weights)", pre);
		return;
	}
	m->wq_bits = bits;
	m->wq_group = group;
	m->wq_zeros = !sym;
}

/* The block kind of wq_parse for a model family (NULL: a dense one): -1 for the MoE and
 * MLA families whose weight-only checkpoints are not modelled (deepseek_v2/v3: MLA; gpt_oss:
 * its own MXFP4) */
static int wq_block_of(const struct family *fam)
{
	if (!fam)
		return WQ_DENSE;
	if (!strcmp(fam->type, "qwen3_moe"))
		return WQ_MOE_QWEN;
	if (!strcmp(fam->type, "mixtral"))
		return WQ_MOE_MIXTRAL;
	return fam->keys[0] ? -1 : WQ_DENSE;
}

double model_wq_bytes_per_weight(const struct model *m, double k)
{
	double g = m->wq_group > 0 ? m->wq_group : k;
	if (!m->wq_bits)
		return dtype_bytes(m->weight_dtype);
	return m->wq_bits / 8.0 + (2.0 + (m->wq_zeros ? m->wq_bits / 8.0 : 0)) / g;
}

/*
 * Refuse a config whose keys change the computation in a way ttsim does not model, rather
 * than read it as the model its common keys describe (a Mixture-of-Experts config read as
 * dense is a model ten times smaller; MLA read as full-size KV heads is a KV cache ten
 * times larger; a sliding window ignored is a KV cache that never stops growing).
 * fam is the config's family (NULL: unknown model_type). Returns 0, or -1 with err_set
 * naming the first key of each kind found, in one line.
 */
static int refuse_unmodelled(const cJSON *root, const char *fname, int max_len,
			     const struct family *fam)
{
	static const char *const hybrid[] = {"mamba_d_state", "mamba_expand", "mamba_d_conv",
					     "ssm_cfg", "state_size", "attn_layer_indices",
					     "layers_block_type", "hybrid_override_pattern",
					     "linear_attn_config", "full_attention_interval",
					     "block_types", NULL};
	static const char *const other[] = {"attention_sinks", "sliding_window_pattern",
					    "use_sliding_window_layers", NULL};
	const cJSON *v, *mt;
	struct sbuf sb = {0};
	char got[64];
	int rc;

	for (int i = 0; moe_keys[i]; i++)
		if (json_on(root, moe_keys[i]) && !(fam && in_list(fam->keys, moe_keys[i]))) {
			sbuf_printf(&sb, "; key '%s': Mixture-of-Experts in this form is not modelled "
				    "(ttsim models qwen3_moe, mixtral, deepseek_v2/v3, gpt_oss and "
				    "glm4_moe experts)",
				    moe_keys[i]);
			break;
		}
	for (int i = 0; mla_keys[i]; i++)
		if (json_on(root, mla_keys[i]) && !(fam && in_list(fam->keys, mla_keys[i]))) {
			sbuf_printf(&sb, "; key '%s': Multi-head Latent Attention outside "
				    "deepseek_v2/v3 is not modelled (ttsim would size the KV cache for "
				    "full heads)", mla_keys[i]);
			break;
		}
	for (int i = 0; hybrid[i]; i++)
		if (json_on(root, hybrid[i])) {
			sbuf_printf(&sb, "; key '%s': hybrid (state-space or linear attention) layers "
				    "are not modelled yet", hybrid[i]);
			break;
		}
	for (int i = 0; other[i]; i++)
		if (json_on(root, other[i])) {
			sbuf_printf(&sb, "; key '%s': attention sinks and per-layer window patterns "
				    "are not modelled yet", other[i]);
			break;
		}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "layer_types")) && !cJSON_IsNull(v)) {
		const cJSON *t;
		if (!cJSON_IsArray(v))
			sbuf_printf(&sb, "; key 'layer_types': expected a list of layer types");
		else
			cJSON_ArrayForEach(t, v)
				if (!cJSON_IsString(t) || (strcmp(t->valuestring, "full_attention") &&
							   !(reads_window(fam) &&
							     !strcmp(t->valuestring,
								     "sliding_attention")))) {
					json_brief(t, got, sizeof(got));
					sbuf_printf(&sb, "; key 'layer_types': layer type %s is not modelled "
						    "yet (only \"full_attention\"%s)", got,
						    reads_window(fam) ? " and \"sliding_attention\"" : "");
					break;
				}
	}
	/* Qwen2/Qwen3 carry sliding_window with use_sliding_window: false: not used */
	v = cJSON_GetObjectItemCaseSensitive(root, "use_sliding_window");
	if (!(v && cJSON_IsFalse(v)) && !reads_window(fam)) {
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
	/* quantised checkpoints: fp8 (per-tensor or 128 x 128 blocks), gpt-oss's MXFP4 experts,
	 * and the weight-only integer formats wq_parse reads */
	if ((v = json_on(root, "quantization_config"))) {
		const cJSON *qm = cJSON_GetObjectItemCaseSensitive(v, "quant_method");
		const cJSON *bs = cJSON_GetObjectItemCaseSensitive(v, "weight_block_size");
		int mxfp4 = fam && !strcmp(fam->type, "gpt_oss") && cJSON_IsString(qm) &&
			    !strcmp(qm->valuestring, "mxfp4");
		struct model wq;
		if (mxfp4)
			;
		else if (cJSON_IsString(qm) && is_nvfp4(v))
			sbuf_printf(&sb, "; key 'quantization_config.quant_method': \"%s\" is NVFP4, "
				    "which needs FP4 tensor cores (Blackwell): no GPU ttsim has a profile "
				    "for has them (a100_sxm, h100_sxm, h200_sxm, gh200)", qm->valuestring);
		else if (cJSON_IsString(qm) && is_wq_method(qm->valuestring) && wq_block_of(fam) < 0)
			sbuf_printf(&sb, "; key 'quantization_config.quant_method': \"%s\" is not "
				    "modelled yet for MLA models and gpt-oss (only dense models, "
				    "qwen3_moe and mixtral)", qm->valuestring);
		else if (cJSON_IsString(qm) && is_wq_method(qm->valuestring)) {
			memset(&wq, 0, sizeof(wq));
			wq_parse(v, &wq, &sb, wq_block_of(fam));
		}
		else if (!cJSON_IsString(qm) || strcmp(qm->valuestring, "fp8")) {
			json_brief(qm ? qm : v, got, sizeof(got));
			sbuf_printf(&sb, "; key 'quantization_config.quant_method': %s is not modelled "
				    "yet (only \"fp8\", \"awq\", \"gptq\", \"compressed-tensors\" "
				    "W4A16/W8A16, and gpt-oss's \"mxfp4\" experts)", got);
		} else if (bs && !cJSON_IsNull(bs) &&
			   !(cJSON_IsArray(bs) && cJSON_GetArraySize(bs) == 2 &&
			     cJSON_GetArrayItem(bs, 0)->valuedouble == 128 &&
			     cJSON_GetArrayItem(bs, 1)->valuedouble == 128)) {
			json_brief(bs, got, sizeof(got));
			sbuf_printf(&sb, "; key 'quantization_config.weight_block_size': %s is not "
				    "modelled (only [128, 128])", got);
		}
	}
	mt = cJSON_GetObjectItemCaseSensitive(root, "model_type");
	if (!sb.len && cJSON_IsString(mt) && mt->valuestring[0] && !fam)
		sbuf_printf(&sb, "; key 'model_type': '%s' is not modelled yet (expected llama, "
			    "mistral, qwen2, qwen3, qwen3_moe, mixtral, deepseek_v2, deepseek_v3, "
			    "gpt_oss or glm4_moe)", mt->valuestring);
	rc = sb.len ? err_set("%s: %s", fname, sb.buf + 2) : 0;
	sbuf_release(&sb);
	return rc;
}

/* A non-negative integer (0 allowed, unlike json_posint); absent leaves *out. */
static cJSON_bool json_is_natural(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	       v->valuedouble >= 0 && v->valuedouble <= INT_MAX;
}

static int json_natural(const cJSON *root, const char *key, int *out, const char *fname)
{
	const cJSON *v = NULL;
	int r = json_get(root, key, json_is_natural, "a non-negative integer", &v, fname);
	if (r > 0 && v)
		*out = (int)v->valuedouble;
	return r < 0 ? -1 : 0;
}

/* The MoE and MLA keys of the families that have them; 0 or -1 with err_set. */
static int read_moe_mla(struct model *m, const cJSON *root, const char *type, const char *fname)
{
	int qwen = !strcmp(type, "qwen3_moe"), mixtral = !strcmp(type, "mixtral");
	int deepseek = !strncmp(type, "deepseek_v", 10), one = 1;
	int oss = !strcmp(type, "gpt_oss"), glm = !strcmp(type, "glm4_moe");
	const cJSON *v;
	char got[64];

	if (qwen || mixtral || deepseek || oss || glm) {
		if (json_posint(root, qwen ? "num_experts" : (mixtral || oss) ? "num_local_experts" :
				"n_routed_experts", 1, &m->n_experts, fname) ||
		    json_posint(root, "num_experts_per_tok", 1, &m->top_k, fname))
			return -1;
		/* Mixtral's and gpt-oss's experts are intermediate_size wide */
		m->moe_ff = m->intermediate;
		if (!mixtral && !oss &&
		    json_posint(root, "moe_intermediate_size", 1, &m->moe_ff, fname))
			return -1;
		if (m->top_k > m->n_experts)
			return err_set("%s: key 'num_experts_per_tok': %d is more than the %d experts",
				       fname, m->top_k, m->n_experts);
	}
	if (qwen) {
		/* every layer sparse: decoder_sparse_step 1 and no mlp_only_layers */
		if (json_posint(root, "decoder_sparse_step", 0, &one, fname))
			return -1;
		if (one != 1)
			return err_set("%s: key 'decoder_sparse_step': %d is not modelled (only 1: "
				       "every layer has experts)", fname, one);
		if (json_on(root, "mlp_only_layers"))
			return err_set("%s: key 'mlp_only_layers': dense layers among the experts are "
				       "not modelled (only [])", fname);
		m->qk_norm = 1;
	}
	if (oss) {
		const cJSON *q = json_on(root, "quantization_config");
		m->o_bias = m->qkv_bias; /* attention_bias: every projection */
		m->sinks = 1;
		m->expert_bias = 1;
		m->router_bias = 1;
		m->expert_fp4 = q != NULL; /* refuse_unmodelled let only mxfp4 through */
	}
	if (!deepseek && !glm)
		return 0;
	/* DeepSeek's expert layout, GLM-4.5's too: shared experts, the first layers dense */
	if (json_natural(root, "n_shared_experts", &m->n_shared, fname) ||
	    json_natural(root, "first_k_dense_replace", &m->first_dense, fname))
		return -1;
	if (m->first_dense > m->n_layers)
		return err_set("%s: key 'first_k_dense_replace': %d is more than the %d layers",
			       fname, m->first_dense, m->n_layers);
	if (glm) {
		/* vllm/model_executor/models/glm4_moe.py: the router's e_score_correction_bias
		 * always (noaux_tc), q/k RMSNorm when use_qk_norm, a bias on q, k and v only
		 * (attention_bias), rotary on partial_rotary_factor of each head (no cost ttsim
		 * counts); grouped-query attention, no MLA */
		int qkn = 0;
		if (json_bool(root, "use_qk_norm", &qkn, fname))
			return -1;
		m->qk_norm = qkn;
		m->router_bias = 1;
		return 0;
	}
	if (json_posint(root, "moe_layer_freq", 0, &one, fname))
		return -1;
	if (one != 1)
		return err_set("%s: key 'moe_layer_freq': %d is not modelled (only 1)", fname, one);
	v = cJSON_GetObjectItemCaseSensitive(root, "topk_method");
	m->router_bias = cJSON_IsString(v) && !strcmp(v->valuestring, "noaux_tc");
	if (v && !cJSON_IsNull(v) && !(cJSON_IsString(v) && (!strcmp(v->valuestring, "greedy") ||
							     !strcmp(v->valuestring, "group_limited_greedy") ||
							     m->router_bias))) {
		json_brief(v, got, sizeof(got));
		return err_set("%s: key 'topk_method': %s is not modelled (expected greedy, "
			       "group_limited_greedy or noaux_tc)", fname, got);
	}
	if (json_posint(root, "kv_lora_rank", 1, &m->kv_lora, fname) ||
	    json_posint(root, "q_lora_rank", 0, &m->q_lora, fname) ||
	    json_posint(root, "qk_nope_head_dim", 1, &m->qk_nope, fname) ||
	    json_posint(root, "qk_rope_head_dim", 1, &m->qk_rope, fname) ||
	    json_posint(root, "v_head_dim", 1, &m->v_head, fname))
		return -1;
	m->head_dim = m->qk_nope + m->qk_rope;
	m->n_kv_heads = m->n_heads; /* as decompressed for prefill */
	return 0;
}

/* The window of a family that reads it (refuse_unmodelled refused the others): every layer,
 * or those layer_types marks "sliding_attention". A window no shorter than the context is
 * none. 0 or -1 with err_set. */
static int read_window(struct model *m, const cJSON *root, const char *type,
		       const char *fname)
{
	const cJSON *lt = cJSON_GetObjectItemCaseSensitive(root, "layer_types"), *t;
	int n = 0, swa = 0;
	if (!reads_window(family_of(type)))
		return 0;
	if (json_posint(root, "sliding_window", 0, &m->window, fname))
		return -1;
	if (cJSON_IsArray(lt)) {
		cJSON_ArrayForEach(t, lt) {
			n++;
			swa += !strcmp(t->valuestring, "sliding_attention");
		}
		if (n != m->n_layers)
			return err_set("%s: key 'layer_types': %d entries for %d layers", fname, n,
				       m->n_layers);
		m->n_swa = swa;
	} else {
		m->n_swa = m->window ? m->n_layers : 0;
	}
	if (m->n_swa && !m->window)
		return err_set("%s: key 'sliding_window': missing for the %d sliding layers "
			       "(expected a positive integer)", fname, m->n_swa);
	if (!m->n_swa || m->window >= m->max_len)
		m->window = m->n_swa = 0;
	return 0;
}

int model_from_json(struct model *m, const char *text, const char *fname)
{
	const char *end = NULL, *model_type = "", *act = "", *dt = NULL, *name = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1); /* nothing after the object */
	const cJSON *q;
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
	/* a key given twice: cJSON would take the first without a word */
	for (const cJSON *a = root->child; a; a = a->next)
		for (const cJSON *b = a->next; b; b = b->next)
			if (a->string && b->string && !strcmp(a->string, b->string)) {
				err_set("%s: key '%s': given twice", fname, a->string);
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
	/* given, the architecture must name one: an empty one is no architecture (absent, the
	 * config is a generic decoder, its MLP gated when hidden_act is silu) */
	q = cJSON_GetObjectItemCaseSensitive(root, "model_type");
	if (q && !model_type[0]) {
		err_set("%s: key 'model_type': empty (expected the architecture: llama, mistral, "
			"qwen2, qwen3, qwen3_moe, mixtral, deepseek_v2, deepseek_v3, gpt_oss or glm4_moe)",
			fname);
		goto out;
	}
	if (dt && strcmp(dt, "bfloat16") && strcmp(dt, "float16") && strcmp(dt, "float32")) {
		err_set("%s: key 'torch_dtype': expected bfloat16, float16 or float32, got '%s'",
			fname, dt);
		goto out;
	}
	if (refuse_unmodelled(root, fname, m->max_len, family_of(model_type)) < 0)
		goto out;
	/* as vLLM: without an explicit head_dim the heads must split the hidden size exactly */
	if (!head_dim && m->hidden % m->n_heads && strncmp(model_type, "deepseek_v", 10)) {
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
	if (read_moe_mla(m, root, model_type, fname) < 0 || read_window(m, root, model_type, fname) < 0)
		goto out;
	if (json_natural(root, "num_nextn_predict_layers", &m->n_mtp, fname) < 0)
		goto out;
	if (m->n_mtp > 16) { /* DRAFTER_MTP_MAX */
		err_set("%s: key 'num_nextn_predict_layers': %d MTP modules (at most 16)", fname,
			m->n_mtp);
		goto out;
	}
	m->gated_mlp = !strcmp(model_type, "llama") || !strcmp(model_type, "qwen2") ||
		       !strcmp(model_type, "qwen3") || !strcmp(model_type, "mistral") ||
		       model_is_moe(m) || !strcmp(act, "silu");
	strlcpy0(m->arch, model_type[0] ? model_type : "unknown", sizeof(m->arch));
	strlcpy0(m->id, name && name[0] ? name : fname, sizeof(m->id));
	strlcpy0(m->source, fname, sizeof(m->source));
	m->weight_dtype = DT_BF16;
	m->kv_dtype = DT_BF16;
	/* a published fp8 checkpoint, or a weight-only integer one (refuse_unmodelled let
	 * only these and gpt-oss's MXFP4 through; gpt-oss is read as fp8 here, as before) */
	if ((q = json_on(root, "quantization_config"))) {
		const cJSON *qm = cJSON_GetObjectItemCaseSensitive(q, "quant_method");
		if (cJSON_IsString(qm) && is_wq_method(qm->valuestring)) {
			/* refuse_unmodelled (above) let through dense, qwen3_moe and mixtral
			 * only, and only what wq_parse reads */
			struct sbuf sb = {0};
			wq_parse(q, m, &sb, wq_block_of(family_of(model_type)));
			sbuf_release(&sb);
		} else {
			m->weight_dtype = DT_FP8;
			m->quant_block = json_on(q, "weight_block_size") ? 128 : 0;
		}
	}
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
	if (m->n_experts < 0 || m->top_k < 0 || m->moe_ff < 0 || m->n_shared < 0 ||
	    m->first_dense < 0 || m->first_dense > m->n_layers ||
	    (m->n_experts > 0 && (m->top_k <= 0 || m->top_k > m->n_experts || m->moe_ff <= 0)) ||
	    (m->n_experts == 0 && (m->top_k || m->n_shared || m->first_dense)))
		return err_set("model '%s': key 'num_experts_per_tok': the expert sizes are "
			       "inconsistent (expected 0 < top-k <= experts, a positive width)", m->id);
	if (m->window < 0 || m->n_swa < 0 || m->n_swa > m->n_layers ||
	    (m->n_swa > 0) != (m->window > 0))
		return err_set("model '%s': key 'sliding_window': the window sizes are inconsistent "
			       "(expected a positive window on at most every layer)", m->id);
	if (m->kv_lora < 0 || (m->kv_lora > 0 && (m->qk_nope <= 0 || m->qk_rope <= 0 ||
						   m->v_head <= 0 ||
						   m->head_dim != m->qk_nope + m->qk_rope ||
						   m->n_kv_heads != m->n_heads)))
		return err_set("model '%s': key 'kv_lora_rank': the MLA sizes are inconsistent "
			       "(expected positive head dims, head_dim = qk_nope + qk_rope)", m->id);
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
	/* the dense MLP exists in a dense model and in an MoE model's first_dense layers */
	if ((!model_is_moe(m) || m->first_dense > 0) && m->intermediate % tp)
		return err_set("key 'tp': %d does not divide the intermediate size %d of '%s'", tp,
			       m->intermediate, m->id);
	/* weight-only integers: each GPU's slice of a row-parallel GEMM (o_proj, down_proj)
	 * must hold whole groups, as vLLM's Marlin needs (marlin_utils.py,
	 * check_marlin_supports_shape: input_size_per_partition % group_size) */
	if (m->wq_bits && m->wq_group > 0 &&
	    ((m->n_heads / tp * m->head_dim) % m->wq_group ||
	     ((!model_is_moe(m) || m->first_dense > 0) && (m->intermediate / tp) % m->wq_group)))
		return err_set("key 'tp': %d splits the %d-wide o_proj or %d-wide down_proj input of "
			       "'%s' into slices that are not whole groups of %d (vLLM's Marlin needs "
			       "them; expected a smaller tp)", tp, m->n_heads * m->head_dim,
			       m->intermediate, m->id, m->wq_group);
	return 0;
}

int model_check_ep(const struct model *m, int tp, int ep)
{
	if (!model_is_moe(m))
		return ep ? err_set("key 'ep': '%s' has no experts to spread (expected ep 0 for a "
				    "dense model)", m->id) : 0;
	if (ep < EP_NONE || ep > EP_DP)
		return err_set("key 'ep': expected none, tp or dp, got '%d'", ep);
	if (ep && m->n_experts % tp)
		return err_set("key 'ep': %d GPUs do not divide the %d experts of '%s'", tp,
			       m->n_experts, m->id);
	if (!ep && m->moe_ff % tp)
		return err_set("key 'tp': %d does not divide the expert width %d of '%s' (expected "
			       "a divisor, or ep 1)", tp, m->moe_ff, m->id);
	/* weight-only integer experts run on vLLM's Marlin MoE only when hidden % 128 == 0 and
	 * each GPU's expert width is a multiple of max(64, group) (marlin_utils.py,
	 * check_moe_marlin_supports_layer); otherwise vLLM falls back to its Triton moe_wna16
	 * kernel, which is not modelled */
	if (m->wq_bits) {
		int f = ep ? m->moe_ff : m->moe_ff / tp, g = m->wq_group > 64 ? m->wq_group : 64;
		if (m->hidden % 128 || f % g)
			return err_set("key '%s': the expert width %d of '%s' over %d GPUs is %d "
				       "(hidden %d): vLLM's Marlin MoE needs a multiple of %d and a "
				       "hidden size that is a multiple of 128 (expected %s)",
				       ep ? "ep" : "tp", m->moe_ff, m->id, ep ? 1 : tp, f, m->hidden,
				       g, ep ? "another model" : "a smaller tp, or ep tp");
	}
	/* vLLM's block-fp8 MoE kernels need whole 128-wide blocks in each GPU's expert slice */
	if (!ep && m->weight_dtype == DT_FP8 && m->quant_block &&
	    (m->moe_ff / tp) % m->quant_block)
		return err_set("key 'tp': the expert width %d of '%s' over %d GPUs is %d, not a "
			       "multiple of the fp8 block %d (expected a smaller tp, or ep 1)",
			       m->moe_ff, m->id, tp, m->moe_ff / tp, m->quant_block);
	return 0;
}

/* --- arithmetic --------------------------------------------------------------------- */

int model_moe_layers(const struct model *m)
{
	return model_is_moe(m) ? m->n_layers - m->first_dense : 0;
}

int model_heads_per_gpu(const struct model *m, int tp) { return m->n_heads / tp; }

int model_kv_heads_per_gpu(const struct model *m, int tp)
{
	int h = m->n_kv_heads / tp;
	return h > 0 ? h : 1;
}

/* Parameters of one layer as held by one GPU (tp), in three parts by the dtype they are
 * served in: *linear (the served weight dtype), *bf16 (the router: vLLM keeps it unquantised)
 * and *other (biases, norms: bf16). moe 1: a layer with experts, of which `experts` count
 * (n_experts for the weights, top_k for the active parameters). */
struct layer_parts {
	double linear, bf16, other;
	double expert; /* the routed experts' linear weights (part of linear unless MXFP4) */
	double ebias;  /* the routed experts' biases (gpt-oss), bf16 in the checkpoint */
};

static struct layer_parts layer_params(const struct model *m, int tp, int moe, double experts,
				       int tp_exp)
{
	struct layer_parts r = {0, 0, 0, 0, 0};
	double hd = m->head_dim, h = m->hidden;
	double q = model_heads_per_gpu(m, tp), kv = model_kv_heads_per_gpu(m, tp);

	if (model_is_mla(m)) {
		/* replicated down-projections (q_a, kv_a with the rotary key) and their norms;
		 * split q_b (or q_proj), kv_b (to the heads' nope keys and values) and o */
		double qa = m->q_lora ? h * m->q_lora : 0;
		double qb = (m->q_lora ? m->q_lora : h) * q * hd;
		r.linear = qa + qb + h * (m->kv_lora + m->qk_rope) +
			   m->kv_lora * q * (m->qk_nope + m->v_head) + q * m->v_head * h;
		r.other = m->q_lora + m->kv_lora;
	} else {
		r.linear = h * (q + 2 * kv) * hd /* QKV */ + q * hd * h /* O */;
		r.other = (m->qkv_bias ? (q + 2 * kv) * hd : 0) + (m->qk_norm ? 2 * hd : 0) +
			  (m->o_bias ? h : 0) + (m->sinks ? q : 0);
	}
	r.other += 2 * h; /* input and post-attention RMSNorm */
	if (!moe) {
		r.linear += (m->gated_mlp ? 3.0 : 2.0) * h * (m->intermediate / (double)tp);
		return r;
	}
	/* SwiGLU experts (every MoE family here): gate, up, down; the routed ones split over
	 * tp_exp GPUs, the shared ones as the rest of the layer */
	r.expert = 3.0 * h * m->moe_ff * experts / tp_exp;
	r.linear += 3.0 * h * m->moe_ff * m->n_shared / tp;
	if (!m->expert_fp4)
		r.linear += r.expert, r.expert = 0;
	r.bf16 = (double)m->n_experts * h; /* router, replicated */
	r.other += m->router_bias ? m->n_experts : 0;
	/* gpt-oss's expert biases: gate/up (2 moe_ff, split with the width) and down (hidden,
	 * whole on each GPU holding the expert) */
	if (m->expert_bias)
		r.ebias = m->ep || tp_exp == 1 ? experts / tp_exp * (2.0 * m->moe_ff + h) :
			  experts * (2.0 * m->moe_ff / tp_exp + h);
	return r;
}

/* Parameters of the whole model, with `experts` routed experts counted per MoE layer. */
static double params_with(const struct model *m, double experts)
{
	double emb = (double)m->vocab * m->hidden, t = emb * (m->tied_embeddings ? 1 : 2) + m->hidden;
	int moe_layers = model_moe_layers(m);
	struct layer_parts d = layer_params(m, 1, 0, 0, 1), e = layer_params(m, 1, 1, experts, 1);
	t += (m->n_layers - moe_layers) * (d.linear + d.bf16 + d.other);
	t += moe_layers * (e.linear + e.expert + e.bf16 + e.other + e.ebias);
	return t;
}

double model_params(const struct model *m) { return params_with(m, m->n_experts); }

double model_active_params(const struct model *m) { return params_with(m, m->top_k); }

/* The packed weights, scales and zero points of the layer GEMMs lin[0..n) of g in m's
 * weight-only integer format: each n x k at model_wq_bytes_per_weight(k), and with
 * act_order two int32 indices per input feature (vLLM's Marlin keeps g_idx and its sort
 * order; marlin_utils.py) */
static double wq_gemms_bytes(const struct model *m, const struct gemm_shape *g,
			     const enum layer_gemm *lin, int n)
{
	double t = 0;
	for (int i = 0; i < n; i++)
		if (g[lin[i]].n > 0)
			t += g[lin[i]].n * g[lin[i]].k * model_wq_bytes_per_weight(m, g[lin[i]].k) +
			     (m->wq_act_order ? 8.0 * g[lin[i]].k : 0);
	return t;
}

/* A dense layer's linear weights on one GPU in m's weight-only integer format */
static double wq_layer_bytes(const struct model *m, int tp)
{
	struct gemm_shape g[GEMM_NLAYER];
	const enum layer_gemm lin[] = {GEMM_QKV, GEMM_O, GEMM_UP, GEMM_DOWN};
	double t;
	model_layer_gemms(m, tp, g);
	t = wq_gemms_bytes(m, g, lin, (int)(sizeof(lin) / sizeof(lin[0])));
	/* with act_order a row-parallel GEMM (o_proj, down_proj) keeps the scales and zero
	 * points of the whole input on every GPU, not its slice's (marlin_utils.py,
	 * marlin_repeat_scales_on_all_ranks): the other tp - 1 slices' groups are added */
	if (m->wq_act_order && m->wq_group > 0 && tp > 1)
		for (int i = 1; i < 4; i += 2)
			t += g[lin[i]].n * g[lin[i]].k * (tp - 1) / m->wq_group *
			     (2.0 + (m->wq_zeros ? m->wq_bits / 8.0 : 0));
	return t;
}

/* An MoE layer's linear weights on one GPU in m's weight-only integer format (wq_parse
 * refused act_order there): attention and shared experts as wq_layer_bytes (tpa), each
 * GPU's routed experts as vLLM's Marlin MoE holds them: n_experts / tp whole ones under
 * EP, else all of them at moe_ff / tp wide, the up GEMM (2 f x h) grouped along h, the
 * down GEMM (h x f) along the slice's f. The router is not among them (bf16). */
static double wq_moe_layer_bytes(const struct model *m, int tpa, int tp)
{
	struct gemm_shape g[GEMM_NLAYER];
	const enum layer_gemm lin[] = {GEMM_QKV, GEMM_O, GEMM_SHARED_UP, GEMM_SHARED_DOWN};
	double h = m->hidden, e = m->ep ? m->n_experts / (double)tp : m->n_experts;
	double f = m->ep ? m->moe_ff : m->moe_ff / (double)tp;
	model_layer_gemms(m, tpa, g);
	return wq_gemms_bytes(m, g, lin, (int)(sizeof(lin) / sizeof(lin[0]))) +
	       e * (2 * f * h * model_wq_bytes_per_weight(m, h) +
		    h * f * model_wq_bytes_per_weight(m, f));
}

double model_weight_bytes_per_gpu(const struct model *m, int tp)
{
	/* under data-parallel attention all but the routed experts are whole on each GPU */
	int tpa = m->ep == EP_DP ? 1 : tp;
	double emb = (double)m->vocab * m->hidden / tpa, wb = dtype_bytes(m->weight_dtype), t;
	int moe_layers = model_moe_layers(m);
	struct layer_parts d = layer_params(m, tpa, 0, 0, tp);
	struct layer_parts e = layer_params(m, tpa, 1, m->n_experts, tp);

	/* block-scaled fp8: one fp32 scale per 128 x 128 block of each linear weight */
	if (m->weight_dtype == DT_FP8 && m->quant_block)
		wb += 4.0 / ((double)m->quant_block * m->quant_block);
	/* Embedding, LM head, router and norms stay in bf16 even when the linear layers are
	 * fp8 (vLLM's fp8 quantization leaves them unquantized), or integers. */
	t = (m->n_layers - moe_layers) *
	    ((m->wq_bits ? wq_layer_bytes(m, tpa) : d.linear * wb) + (d.bf16 + d.other) * 2);
	if (m->expert_fp4) /* the experts in vLLM's padded layout, with their biases */
		t += moe_layers * (e.linear * wb + model_mxfp4_expert_bytes(m, tp) +
				   (e.bf16 + e.other) * 2);
	else if (m->wq_bits)
		t += moe_layers * (wq_moe_layer_bytes(m, tpa, tp) + (e.bf16 + e.other + e.ebias) * 2);
	else
		t += moe_layers * (e.linear * wb + (e.bf16 + e.other + e.ebias) * 2);
	return t + emb * (m->tied_embeddings ? 1 : 2) * 2 + m->hidden * 2.0;
}

static double round_up(double x, int to) { return ceil(x / to) * to; }

void model_mxfp4_pad(int backend, double *ff, double *h)
{
	if (backend == MXFP4_MARLIN) {
		*ff = round_up(*ff, 128);
		*h = round_up(*h, 256);
	} else {
		*ff = round_up(*ff, 64);
	}
}

double model_mxfp4_expert_bytes(const struct model *m, int tp)
{
	/* EP: n_experts / tp whole experts a GPU; else every expert, split tp ways by width
	 * (vLLM's intermediate_size_per_partition) */
	double experts = m->ep ? (double)m->n_experts / tp : m->n_experts;
	double ff = m->ep ? m->moe_ff : ceil((double)m->moe_ff / tp), h = m->hidden, bias_b = 2;

	if (!m->expert_fp4)
		return 0;
	model_mxfp4_pad(m->mxfp4_backend, &ff, &h);
	if (m->mxfp4_backend != MXFP4_MARLIN)
		bias_b = 4;
	/* w13 (2 ff x h) and w2 (h x ff): 4-bit values and one 8-bit scale per 32 */
	return experts * (3.0 * ff * h * MODEL_MXFP4_BYTES +
			  (m->expert_bias ? (2.0 * ff + h) * bias_b : 0));
}

double model_kv_bytes_per_token(const struct model *m, int tp)
{
	if (model_is_mla(m))
		return (double)m->n_layers * (m->kv_lora + m->qk_rope) * dtype_bytes(m->kv_dtype);
	return 2.0 * m->n_layers * model_kv_heads_per_gpu(m, tp) * m->head_dim *
	       dtype_bytes(m->kv_dtype);
}

void model_kv_groups(const struct model *m, struct kv_groups *g)
{
	int nf = m->n_layers - m->n_swa, ns = m->n_swa, lo, hi, size;
	g->window = m->window;
	if (!ns || !nf) { /* one attention type: one group of every layer */
		g->n_full = ns ? 0 : 1;
		g->n_swa = ns ? 1 : 0;
		g->layers = m->n_layers;
		if (!ns)
			g->window = 0;
		return;
	}
	lo = nf < ns ? nf : ns;
	hi = nf < ns ? ns : nf;
	size = hi < lo * 1.5 ? hi : lo;
	g->n_full = (nf + size - 1) / size;
	g->n_swa = (ns + size - 1) / size;
	g->layers = size;
}

double model_kv_block_frac(const struct model *m)
{
	struct kv_groups g;
	model_kv_groups(m, &g);
	return g.n_full + g.n_swa == 1 ? 1.0 : (double)g.layers / m->n_layers;
}

/* A sliding group's blocks around the window: the last window - 1 tokens before a step of
 * up to max_step, or all of them, plus one block the window may straddle (vLLM's
 * SlidingWindowSpec). */
static long swa_window_blocks(const struct kv_groups *g, int bs, long tokens, long max_step)
{
	long w = g->window - 1 + max_step < tokens ? g->window - 1 + max_step : tokens;
	return (w + bs - 1) / bs + 1;
}

long kv_seq_blocks_max(const struct kv_groups *g, int bs, long tokens, long max_step)
{
	long b = (tokens + bs - 1) / bs, w;
	if (!g->n_swa)
		return b * g->n_full;
	w = swa_window_blocks(g, bs, tokens, max_step);
	return b * g->n_full + (w < b ? w : b) * g->n_swa;
}

long kv_request_blocks(const struct kv_groups *g, int bs, long max_model_len, long max_batched)
{
	/* vLLM's max_memory_usage: the window's blocks not capped at the context's */
	return (max_model_len + bs - 1) / bs * g->n_full +
	       swa_window_blocks(g, bs, max_model_len, max_batched) * g->n_swa;
}

void model_layer_gemms_ep(const struct model *m, int tp, int ep,
			  struct gemm_shape out[GEMM_NLAYER])
{
	if (ep == EP_DP) /* everything whole, as on one GPU; the experts are whole under EP */
		tp = 1;
	double hd = m->head_dim, h = m->hidden, q = model_heads_per_gpu(m, tp);
	double kv = model_kv_heads_per_gpu(m, tp), ff = m->intermediate / (double)tp;
	double eff = ep ? m->moe_ff : m->moe_ff / (double)tp;

	for (int i = 0; i < GEMM_NLAYER; i++)
		out[i] = (struct gemm_shape){0, 0};
	if (model_is_mla(m)) {
		out[GEMM_QKV_A] = (struct gemm_shape){(m->q_lora ? m->q_lora : 0) + m->kv_lora +
						      m->qk_rope, h};
		out[GEMM_QKV] = (struct gemm_shape){q * hd, m->q_lora ? m->q_lora : h};
		out[GEMM_O] = (struct gemm_shape){h, q * m->v_head};
	} else {
		out[GEMM_QKV] = (struct gemm_shape){(q + 2 * kv) * hd, h};
		out[GEMM_O] = (struct gemm_shape){h, q * hd};
	}
	out[GEMM_UP] = (struct gemm_shape){(m->gated_mlp ? 2 : 1) * ff, h};
	out[GEMM_DOWN] = (struct gemm_shape){h, ff};
	if (!model_is_moe(m))
		return;
	out[GEMM_ROUTER] = (struct gemm_shape){m->n_experts, h};
	if (m->n_shared) {
		double sf = (double)m->n_shared * m->moe_ff / tp;
		out[GEMM_SHARED_UP] = (struct gemm_shape){2 * sf, h};
		out[GEMM_SHARED_DOWN] = (struct gemm_shape){h, sf};
	}
	out[GEMM_EXPERT_UP] = (struct gemm_shape){2 * eff, h};
	out[GEMM_EXPERT_DOWN] = (struct gemm_shape){h, eff};
}

void model_layer_gemms(const struct model *m, int tp, struct gemm_shape out[GEMM_NLAYER])
{
	model_layer_gemms_ep(m, tp, 0, out);
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
	/* the head is one dense layer of the target's shape: no experts, plain attention */
	out->n_experts = out->top_k = out->moe_ff = out->n_shared = out->first_dense = 0;
	out->router_bias = out->expert_bias = out->expert_fp4 = 0;
	out->window = out->n_swa = 0;
	/* a published EAGLE head is its own 16-bit checkpoint: vLLM loads the draft with its
	 * own quantization_config, not the target's int4 one */
	out->wq_bits = out->wq_group = out->wq_zeros = out->wq_act_order = 0;
	out->wq_method = WQ_NONE;
	if (model_is_mla(target)) {
		out->kv_lora = out->q_lora = out->qk_nope = out->qk_rope = out->v_head = 0;
		out->n_kv_heads = target->n_heads;
	}
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
