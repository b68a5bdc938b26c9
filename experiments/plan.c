/* plan.c: the layouts `ttsim plan` tries and the vLLM command lines of one (see plan.h).
 * The flags are vLLM's own (`vllm serve --help`; `vllm bench serve`: vllm/benchmarks/
 * serve.py, --goodput KEY:MS with keys ttft, tpot, e2el, --percentile-metrics,
 * --metric-percentiles; https://docs.vllm.ai/en/stable/api/vllm/benchmarks/serve/,
 * Apache-2.0). */
#include "experiments/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int plan_parse_offers(struct plan_space *sp, const char *v)
{
	char buf[1024], *save = NULL, *tok;
	snprintf(buf, sizeof(buf), "%s", v);
	sp->n_offers = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(tok, ':');
		long n;
		struct plan_offer *o;
		if (!colon || colon == tok || parse_long(colon + 1, &n) < 0 || n < 1 || n > 4096)
			return err_set("--gpus: '%s': expected KIND:COUNT (e.g. h100_sxm:8), COUNT 1 to "
				       "4096", tok);
		if (sp->n_offers == PLAN_MAX_OFFERS)
			return err_set("--gpus: more than %d kinds", PLAN_MAX_OFFERS);
		*colon = 0;
		if (strlen(tok) >= sizeof(sp->offers[0].gpu))
			return err_set("--gpus: '%s': name too long", tok);
		for (int i = 0; i < sp->n_offers; i++)
			if (!strcmp(sp->offers[i].gpu, tok))
				return err_set("--gpus: '%s' given twice (expected each kind once)", tok);
		o = &sp->offers[sp->n_offers++];
		snprintf(o->gpu, sizeof(o->gpu), "%s", tok);
		o->count = (int)n;
		o->usd_per_gpu_hour = -1;
	}
	if (!sp->n_offers)
		return err_set("--gpus: expected KIND:COUNT[,KIND:COUNT...]");
	return 0;
}

int plan_parse_prices(struct plan_space *sp, const char *v)
{
	char buf[1024], *save = NULL, *tok;
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strrchr(tok, '=');
		double usd;
		int found = 0;
		if (!eq || eq == tok || parse_double(eq + 1, &usd) < 0 || !(usd >= 0) || usd > 1e6)
			return err_set("--price: '%s': expected KIND=USD_PER_GPU_HOUR (e.g. h100_sxm=2.5)",
				       tok);
		*eq = 0;
		for (int i = 0; i < sp->n_offers; i++)
			if (!strcmp(sp->offers[i].gpu, tok)) {
				sp->offers[i].usd_per_gpu_hour = usd;
				found = 1;
			}
		if (!found)
			return err_set("--price: '%s' is not one of the kinds of --gpus", tok);
	}
	return 0;
}

struct plan_layout *plan_layouts(const struct plan_space *sp, long *n)
{
	static const int tps[] = {1, 2, 4, 8};
	long cap = 64, k = 0;
	struct plan_layout *v = xmalloc(sizeof(*v) * (size_t)cap);
	for (int o = 0; o < sp->n_offers; o++)
		for (int t = 0; t < 4; t++) {
			int tp = tps[t];
			if (tp > sp->offers[o].count)
				continue;
			for (int r = 1; r <= sp->offers[o].count / tp; r++)
				for (int d = 0; d < sp->n_dtypes; d++)
					for (int s = 0; s < sp->n_specs; s++)
						for (int m = 0; m < sp->n_mns; m++)
							for (int b = 0; b < sp->n_mbt; b++) {
								if (k == cap) {
									cap *= 2;
									v = xrealloc(v, sizeof(*v) * (size_t)cap);
								}
								v[k++] = (struct plan_layout){o, tp, r, d, s, m, b};
							}
		}
	*n = k;
	return v;
}

void plan_layout_config(const struct plan_space *sp, const struct plan_layout *l,
			const struct run_config *base, struct run_config *c)
{
	*c = *base;
	snprintf(c->gpu, sizeof(c->gpu), "%s", sp->offers[l->offer].gpu);
	c->usd_per_gpu_hour = sp->offers[l->offer].usd_per_gpu_hour;
	c->tp = l->tp;
	c->replicas = l->replicas;
	snprintf(c->dtype, sizeof(c->dtype), "%s", sp->dtypes[l->dtype]);
	snprintf(c->spec_draft, sizeof(c->spec_draft), "%s", sp->specs[l->spec]);
	c->max_num_seqs = sp->max_num_seqs[l->mns];
	c->max_num_batched_tokens = sp->max_batched[l->mbt];
}

void plan_vllm_serve(const struct run_config *c, const char *model_id, struct sbuf *sb)
{
	sbuf_printf(sb, "vllm serve %s --tensor-parallel-size %d", model_id, c->tp);
	if (c->replicas > 1)
		sbuf_printf(sb, " --data-parallel-size %d", c->replicas);
	sbuf_printf(sb, " --max-num-seqs %d --max-num-batched-tokens %d --gpu-memory-utilization %g",
		    c->max_num_seqs, c->max_num_batched_tokens, c->gpu_memory_utilization);
	if (!strcmp(c->dtype, "fp8"))
		sbuf_printf(sb, " --quantization fp8");
	if (!strcmp(c->kv_dtype, "fp8"))
		sbuf_printf(sb, " --kv-cache-dtype fp8");
	if (!c->chunked_prefill)
		sbuf_printf(sb, " --no-enable-chunked-prefill");
	if (!c->cuda_graphs)
		sbuf_printf(sb, " --enforce-eager");
	if (!strcmp(c->spec_draft, "ngram"))
		sbuf_printf(sb, " --speculative-config '{\"method\": \"ngram\", "
				"\"num_speculative_tokens\": %d, \"prompt_lookup_max\": 4}'", c->spec_k);
	else if (c->spec_draft[0])
		sbuf_printf(sb, " --speculative-config '{\"model\": \"%s\", "
				"\"num_speculative_tokens\": %d}'", c->spec_draft, c->spec_k);
}

void plan_vllm_bench(const struct run_config *c, const char *model_id,
		     const struct capacity_opts *o, double rate, struct sbuf *sb)
{
	double lim[3] = {0, 0, 0}; /* ms: ttft, tpot, e2el (the tightest of each) */
	static const char *const key[3] = {"ttft", "tpot", "e2el"};
	int any = 0;
	sbuf_printf(sb, "vllm bench serve --model %s --request-rate %.4g --num-prompts %ld --seed %llu",
		    model_id, rate, (long)(rate * 600 > 200 ? ceil(rate * 600) : 200),
		    (unsigned long long)c->seed);
	if (c->burstiness != 1)
		sbuf_printf(sb, " --burstiness %g", c->burstiness);
	if (!c->trace[0])
		sbuf_printf(sb, " --dataset-name random --random-input-len %d --random-output-len %d",
			    c->input_len, c->output_len);
	for (int i = 0; i < o->n_slo; i++) {
		const struct slo *s = &o->slo[i];
		if (s->metric == SLO_LATENCY)
			continue;
		if (lim[s->metric] <= 0 || s->limit * 1e3 < lim[s->metric])
			lim[s->metric] = s->limit * 1e3;
	}
	for (int i = 0; i < 3; i++)
		if (lim[i] > 0) {
			sbuf_printf(sb, "%s%s:%g", any ? " " : " --goodput ", key[i], lim[i]);
			any = 1;
		}
	sbuf_printf(sb, " --percentile-metrics ttft,tpot,e2el --metric-percentiles 50,90,99");
	if (c->trace[0])
		sbuf_printf(sb, " (prompts: the problems of trace '%s', drawn with replacement%s)",
			    c->trace, c->samples > 1 ? "; each one sent samples times" : "");
}
