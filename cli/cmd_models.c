/* cmd_models.c: `ttsim models [--model M] [--format table|json]`, the model catalog. */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "models/model.h"
#include "lib/util.h"

static const struct cli_words words = {
	.usage = "usage: ttsim models [--model M] [--format table|json]\n\n"
		 "Without --model, list the shipped models (id, alias, parameters, layers, hidden\n"
		 "size, heads/KV heads, KV-cache bytes per token at TP 1 in bf16). With --model M (a\n"
		 "catalog id or alias, case-insensitive, or a config.json path), show one model.\n",
	.usage_on_error = 0, /* one line on error, as every command (the usage: --help) */
	.unknown = "models: unknown or incomplete option '%s' (expected --model M or --format table|json)",
};

static cJSON *model_json(const struct model *m)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", m->id);
	cJSON_AddStringToObject(o, "alias", m->alias);
	cJSON_AddStringToObject(o, "arch", m->arch);
	cJSON_AddStringToObject(o, "source", m->source);
	cJSON_AddNumberToObject(o, "params", model_params(m));
	cJSON_AddNumberToObject(o, "active_params", model_active_params(m));
	cJSON_AddNumberToObject(o, "n_experts", m->n_experts);
	cJSON_AddNumberToObject(o, "experts_per_token", m->top_k);
	cJSON_AddNumberToObject(o, "kv_lora_rank", m->kv_lora);
	cJSON_AddNumberToObject(o, "sliding_window", m->window);
	cJSON_AddStringToObject(o, "weight_dtype", dtype_name(m->weight_dtype));
	cJSON_AddNumberToObject(o, "n_layers", m->n_layers);
	cJSON_AddNumberToObject(o, "hidden", m->hidden);
	cJSON_AddNumberToObject(o, "n_heads", m->n_heads);
	cJSON_AddNumberToObject(o, "n_kv_heads", m->n_kv_heads);
	cJSON_AddNumberToObject(o, "head_dim", m->head_dim);
	cJSON_AddNumberToObject(o, "intermediate", m->intermediate);
	cJSON_AddNumberToObject(o, "vocab", m->vocab);
	cJSON_AddBoolToObject(o, "gated_mlp", m->gated_mlp);
	cJSON_AddBoolToObject(o, "tied_embeddings", m->tied_embeddings);
	cJSON_AddBoolToObject(o, "qkv_bias", m->qkv_bias);
	cJSON_AddBoolToObject(o, "qk_norm", m->qk_norm);
	cJSON_AddNumberToObject(o, "max_len", m->max_len);
	cJSON_AddNumberToObject(o, "kv_bytes_per_token", model_kv_bytes_per_token(m, 1));
	cJSON_AddNumberToObject(o, "weight_bytes", model_weight_bytes_per_gpu(m, 1));
	if (m->wq_bits) {
		cJSON *q = cJSON_AddObjectToObject(o, "weight_quant");
		cJSON_AddStringToObject(q, "method", wq_method_name(m->wq_method));
		cJSON_AddNumberToObject(q, "bits", m->wq_bits);
		cJSON_AddNumberToObject(q, "group", m->wq_group);
		cJSON_AddBoolToObject(q, "zero_points", m->wq_zeros);
		cJSON_AddBoolToObject(q, "act_order", m->wq_act_order);
	}
	return o;
}

static void print_detail(const struct model *m)
{
	printf("id                 %s\n", m->id);
	printf("alias              %s\n", m->alias[0] ? m->alias : "-");
	printf("arch               %s\n", m->arch);
	printf("source             %s\n", m->source);
	printf("parameters         %.0f (%.2f B)\n", model_params(m), model_params(m) / 1e9);
	if (model_is_moe(m))
		printf("active parameters  %.0f (%.2f B): %d of %d experts a token, %d shared\n",
		       model_active_params(m), model_active_params(m) / 1e9, m->top_k,
		       m->n_experts, m->n_shared);
	if (model_is_mla(m))
		printf("attention          MLA (latent KV %d + rope %d a token and layer)\n",
		       m->kv_lora, m->qk_rope);
	if (m->n_swa)
		printf("sliding window     %d tokens on %d of %d layers\n", m->window, m->n_swa,
		       m->n_layers);
	if (m->wq_bits) {
		char group[32];
		if (m->wq_group > 0)
			snprintf(group, sizeof group, "group %d", m->wq_group);
		else
			snprintf(group, sizeof group, "channelwise");
		printf("weights            int%d weight-only (%s, %s%s%s); embeddings, LM head and "
		       "norms %s\n",
		       m->wq_bits, wq_method_name(m->wq_method), group,
		       m->wq_zeros ? ", zero points" : "", m->wq_act_order ? ", act_order" : "",
		       dtype_name(m->weight_dtype));
	} else {
		printf("weights            %s\n", dtype_name(m->weight_dtype));
	}
	printf("layers             %d\n", m->n_layers);
	printf("hidden             %d\n", m->hidden);
	printf("heads / kv heads   %d / %d (head_dim %d)\n", m->n_heads, m->n_kv_heads, m->head_dim);
	printf("intermediate       %d (%s MLP)\n", m->intermediate, m->gated_mlp ? "gated" : "plain");
	printf("vocab              %d (%s embeddings)\n", m->vocab,
	       m->tied_embeddings ? "tied" : "untied");
	printf("qkv bias / qk norm %s / %s\n", m->qkv_bias ? "yes" : "no", m->qk_norm ? "yes" : "no");
	printf("max_len            %d tokens\n", m->max_len);
	printf("\n  tp  ok  weights/GPU (GiB)  KV bytes/token/GPU\n");
	for (int tp = 1; tp <= 8; tp *= 2) {
		/* what `run --tp N` (ep none) accepts: the TP split and, for experts, their slices */
		if (model_check_tp(m, tp) || model_check_ep(m, tp, EP_NONE)) {
			printf("  %2d  no  %s\n", tp, err_msg());
			continue;
		}
		printf("  %2d  yes %18.2f %19.0f\n", tp,
		       model_weight_bytes_per_gpu(m, tp) / (1024.0 * 1024 * 1024),
		       model_kv_bytes_per_token(m, tp));
	}
}

int cmd_models(int argc, char **argv)
{
	const char *name = NULL, *format = "table";
	const struct flag fl[] = {
		{"--model", FLAG_VALUE, &name, NULL, "one model, as JSON or a table"},
		{"--format", FLAG_VALUE, &format, NULL, "table or json"},
		{0},
	};

	if (cli_parse_flags(fl, argc, argv, NULL, 0, &words) == FLAGS_HELP)
		return EXIT_OK;
	if (strcmp(format, "table") && strcmp(format, "json"))
		die("models: key 'format': expected table or json, got '%s'", format);

	if (name) {
		struct model m;
		if (model_find(&m, name))
			die_err();
		if (!strcmp(format, "json"))
			cli_print_json(model_json(&m));
		else
			print_detail(&m);
		return EXIT_OK;
	}

	if (!strcmp(format, "json")) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < model_catalog_count(); i++) {
			struct model m;
			if (model_find(&m, model_catalog_get(i)->id) < 0)
				die_err();
			cJSON_AddItemToArray(a, model_json(&m));
		}
		cli_print_json(a);
		return EXIT_OK;
	}
	printf("%-44s %-24s %8s %8s %6s %6s %7s %9s\n", "id", "alias", "params_B", "active_B",
	       "layers", "hidden", "heads", "kv_B/tok");
	for (size_t i = 0; i < model_catalog_count(); i++) {
		struct model m;
		char heads[16];
		/* as a run resolves it (model_find: a published fp8 release in fp8) */
		if (model_find(&m, model_catalog_get(i)->id) < 0)
			die_err();
		snprintf(heads, sizeof(heads), "%d/%d", m.n_heads, m.n_kv_heads);
		printf("%-44s %-24s %8.2f %8.2f %6d %6d %7s %9.0f\n", m.id, m.alias,
		       model_params(&m) / 1e9, model_active_params(&m) / 1e9, m.n_layers, m.hidden,
		       heads, model_kv_bytes_per_token(&m, 1));
	}
	return EXIT_OK;
}
