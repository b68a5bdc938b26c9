/* run.c: configuration -> inputs -> engine -> summary (see run.h). */
#include "sim/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "models/drafter.h"
#include "models/engine_profile.h"
#include "lib/csv.h"
#include "lib/util.h"
#include "traces/trace_alias.h"

#define GIB 1073741824.0 /* vLLM logs memory in GiB */

/* The engine profile's CPU costs on top of the hardware profile's (V1) overheads, and its
 * front end (the API server: sim/engine.h). */
static int engine_apply(const struct run_config *c, struct run_inputs *in)
{
	struct engine_profile e;
	if (engine_profile_load(&e, c->engine) < 0)
		return err_prefix("key 'engine': ");
	memcpy(in->fe, e.fe, sizeof(in->fe));
	/* the engine's own attention kernels, each phase where the hardware profile times
	 * them; else its attention section (vLLM's FlashAttention) */
	if (!strcmp(e.attention, "trtllm"))
		in->attn_trtllm = RUN_ATTN_ASKED | profile_use_trtllm_attention(&in->profile);
	in->profile.step_base += e.step_base_extra;
	in->profile.step_per_seq += e.step_per_seq_extra;
	in->profile.step_per_tp += e.step_per_tp_extra;
	in->profile.step_per_ctx_token += e.step_per_ctx_token_extra;
	return 0;
}

/* The CPU costs of a model or EAGLE drafter: the engine profile's speculative block (vLLM
 * V1's, models/engines/vllm-v1.yaml, without an engine); -1 where the engine gives none,
 * so that run_simulate refuses the run unless its options give all three. */
static int spec_engine_costs(const struct run_config *c, struct spec_setup *sp)
{
	struct engine_profile e;
	if (engine_profile_load(&e, c->engine[0] ? c->engine : "vllm-v1") < 0)
		return err_prefix("key 'engine': ");
	sp->draft_step_s = e.has_spec ? e.spec_draft_forward_cpu : -1;
	sp->step_cpu_s = e.has_spec ? e.spec_step_cpu : -1;
	sp->eagle3_remap_s = e.has_spec ? e.spec_eagle3_remap_cpu : -1;
	return 0;
}

int run_engine_defaults(struct run_config *c)
{
	return run_engine_defaults_on(c, NULL);
}

int run_engine_defaults_on(struct run_config *c, const struct profile *gpu)
{
	struct engine_profile e;
	struct engine_limits lim;
	int large = 0;
	char v[32];
	if (!c->engine[0])
		return 0;
	if (engine_profile_load(&e, c->engine) < 0)
		return err_prefix("key 'engine': ");
	if (e.chunked_prefill >= 0 && !config_was_set(c, "chunked_prefill"))
		c->chunked_prefill = e.chunked_prefill;
	if (e.prefix_caching >= 0 && !config_was_set(c, "prefix_caching"))
		c->prefix_caching = e.prefix_caching;
	/* the limits by GPU (a large one: the hardware profile's HBM and name) and by usage
	 * (an offline batch, or an API server: the run's endpoint) */
	if (e.large_gpu_min_gib > 0 && !(config_was_set(c, "max_num_seqs") &&
					 config_was_set(c, "max_num_batched_tokens"))) {
		struct profile *own = NULL; /* loaded here only when not given: ~1.5 ms */
		if (!gpu) {
			own = xmalloc(sizeof(*own));
			if (profile_load(own, c->gpu) < 0) {
				free(own);
				return err_prefix("key 'gpu': ");
			}
			gpu = own;
		}
		large = engine_profile_large_gpu(&e, gpu->hbm_bytes, gpu->name, gpu->gpu);
		free(own);
	}
	lim = engine_profile_limits(&e, large, c->endpoint == ENDPOINT_NONE);
	if (lim.seqs > 0 && !config_was_set(c, "max_num_seqs")) {
		snprintf(v, sizeof(v), "%d", lim.seqs);
		if (config_set(c, "max_num_seqs", v, e.name) < 0)
			return -1;
	}
	if (lim.tokens > 0 && !config_was_set(c, "max_num_batched_tokens")) {
		snprintf(v, sizeof(v), "%d", lim.tokens);
		if (config_set(c, "max_num_batched_tokens", v, e.name) < 0)
			return -1;
	}
	if (e.guaranteed_no_evict >= 0 && !config_was_set(c, "guaranteed_no_evict"))
		c->guaranteed_no_evict = e.guaranteed_no_evict;
	if (e.unchunked_max_len == 1 || e.long_context_len > 0) {
		/* max_model_len: the run's, else the model's max_position_embeddings (vLLM's
		 * _get_and_verify_max_len) */
		struct model m;
		int len = c->max_model_len;
		if (model_find(&m, c->model) < 0)
			return err_prefix("key 'model': ");
		if (len <= 0)
			len = m.max_len;
		/* vLLM V0 since PR #6666 (July 2024, EngineArgs.create_engine_config): chunked prefill
		 * not given, a context over 32K, no sliding window and no drafter: on, with
		 * SchedulerConfig's chunked budget unless the run gives one */
		if (e.long_context_len > 0 && !config_was_set(c, "chunked_prefill") &&
		    len > e.long_context_len && !m.window && !c->spec_draft[0]) {
			c->chunked_prefill = 1;
			if (!config_was_set(c, "max_num_batched_tokens")) {
				snprintf(v, sizeof(v), "%d", e.long_context_budget);
				if (config_set(c, "max_num_batched_tokens", v, e.name) < 0)
					return -1;
			}
		}
		/* vLLM V0's SchedulerConfig: without chunked prefill and without a budget, the
		 * step budget is max(max_model_len, 2048), so that one prompt of any allowed
		 * length fits one step (vllm/config.py, 0.4 - 0.6) */
		if (e.unchunked_max_len == 1 && !c->chunked_prefill &&
		    !config_was_set(c, "max_num_batched_tokens")) {
			snprintf(v, sizeof(v), "%d", len > 2048 ? len : 2048);
			if (config_set(c, "max_num_batched_tokens", v, e.name) < 0)
				return -1;
		}
	}
	if (e.kv_free_fraction > 0 && !config_was_set(c, "kv_free_fraction") &&
	    !config_was_set(c, "gpu_memory_utilization")) {
		snprintf(v, sizeof(v), "%.17g", e.kv_free_fraction);
		if (config_set(c, "kv_free_fraction", v, e.name) < 0)
			return -1;
	}
	return 0;
}

void run_inputs_key(const struct run_config *c, char *buf, size_t n)
{
	/* exactly what run_load_inputs (and engine_apply, spec_engine_costs) read: keep the
	 * two together */
	snprintf(buf, n, "%s\n%s\n%s\n%s\n%s\n%.17g\n%s\n%s\n%s\n%d\n%.17g\n%d", c->model,
		 c->gpu, c->trace, c->dtype, c->kv_dtype, c->usd_per_gpu_hour, c->spec_draft,
		 c->spec_acceptance, c->engine, c->ep, c->moe_skew, c->mxfp4_backend);
}

int run_load_inputs(const struct run_config *c, struct run_inputs *in)
{
	memset(in, 0, sizeof(*in));
	if (model_find(&in->model, c->model) < 0)
		return err_prefix("key 'model': ");
	if (strcmp(c->dtype, "auto") && dtype_parse(c->dtype, &in->model.weight_dtype) < 0)
		return err_set("key 'dtype': expected auto, bf16 or fp8, got '%s'", c->dtype);
	if (dtype_parse(c->kv_dtype, &in->model.kv_dtype) < 0)
		return err_set("key 'kv_dtype': expected bf16 or fp8, got '%s'", c->kv_dtype);
	in->model.ep = c->ep;
	in->model.moe_skew = c->moe_skew;
	if (profile_load(&in->profile, c->gpu) < 0)
		return err_prefix("key 'gpu': ");
	if (c->usd_per_gpu_hour >= 0)
		in->profile.usd_per_gpu_hour = c->usd_per_gpu_hour;
	/* vLLM's MXFP4 MoE kernel (models/model.h): triton_kernels' on SM90 and newer where it
	 * is installed (mxfp4.py's triton_kernels_supported), Marlin below; among the profiles
	 * the SM90 GPUs are those with fp8 tensor cores */
	{
		int sm90 = profile_fp8_native(&in->profile);
		if (c->mxfp4_backend == 2 && !sm90)
			return err_set("key 'mxfp4_backend': 'triton' needs an SM90 GPU "
				       "(triton_kernels), '%s' has none; vLLM runs MXFP4 experts "
				       "there with Marlin", in->profile.name);
		in->model.mxfp4_backend = c->mxfp4_backend == 1 || (!c->mxfp4_backend && !sm90) ?
					  MXFP4_MARLIN : MXFP4_TRITON;
	}
	if (c->engine[0] && engine_apply(c, in) < 0)
		return -1;
	/* The drafter and any acceptance file; k and alpha are per run (run_simulate). */
	in->spec.accept_kind = ACCEPT_IID;
	if (c->spec_draft[0]) {
		struct spec_setup *sp = &in->spec;
		if (!strcmp(c->spec_draft, "ngram")) {
			sp->draft_kind = DRAFT_NGRAM;
		} else if (!strcmp(c->spec_draft, "eagle") || !strcmp(c->spec_draft, "eagle1")) {
			sp->draft_kind = DRAFT_EAGLE;
		} else if (!strcmp(c->spec_draft, "eagle3")) {
			sp->draft_kind = DRAFT_EAGLE3;
		} else if (!strcmp(c->spec_draft, "mtp")) {
			/* the target's own MTP modules (models/drafter.h) */
			if (drafter_mtp_layers(&in->model, &sp->mtp_layers) < 0)
				return err_prefix("key 'spec_draft': ");
			if (sp->mtp_layers == 0)
				return err_set("key 'spec_draft': '%s' has no MTP modules (expected "
					       "num_nextn_predict_layers of 1 or more in its config.json)",
					       in->model.id);
			sp->draft_kind = DRAFT_MTP;
		} else {
			if (model_find(&in->draft, c->spec_draft) < 0)
				return err_prefix("key 'spec_draft': ");
			in->draft.weight_dtype = in->model.weight_dtype;
			in->draft.kv_dtype = in->model.kv_dtype;
			if (abs(in->draft.vocab - in->model.vocab) > 1024)
				return err_set("key 'spec_draft': '%s' has a vocabulary of %d, the target "
					       "'%s' %d: they cannot share a tokenizer",
					       in->draft.id, in->draft.vocab, in->model.id, in->model.vocab);
			sp->draft_kind = DRAFT_MODEL;
		}
		if (c->spec_acceptance[0] && spec_acceptance_load(sp, c->spec_acceptance) < 0)
			return -1;
		if (sp->draft_kind != DRAFT_NGRAM && spec_engine_costs(c, sp) < 0)
			return -1;
	}
	if (c->trace[0]) {
		char name[300];
		/* "math500" alone: the shipped MATH500 trace of the chosen model, which only a
		 * catalog model can name (a config.json path has no trace of its own) */
		if (!strcmp(c->trace, "math500") && !in->model.alias[0])
			return err_set("key 'trace': 'math500' alone picks the shipped trace of a catalog "
				       "model, and '%s' is a config.json path (expected math500:ALIAS, "
				       "ALIAS one of %s)", c->model, trace_alias_list());
		snprintf(name, sizeof(name), "%s%s%s", c->trace,
			 strcmp(c->trace, "math500") ? "" : ":", strcmp(c->trace, "math500") ? "" : in->model.id);
		if (trace_load(&in->trace, name) < 0)
			return err_prefix("key 'trace': ");
		in->has_trace = 1;
	}
	in->memo_pool = cost_memo_pool_new();
	return 0;
}

void run_inputs_release(struct run_inputs *in)
{
	if (in->has_trace)
		trace_release(&in->trace);
	in->has_trace = 0;
	cost_memo_pool_free(in->memo_pool);
	in->memo_pool = NULL;
}

/* The latencies a request reports, in the summary's units (TTFT and TPOT in ms, e2e in
 * s). TPOT only over requests of more than one output token, as `vllm bench serve` keeps
 * them (benchmarks/serve.py calculate_metrics: tpots gets a value only when output_len > 1;
 * its goodput counts the others as TPOT 0, as req_good does). Returns 1 and sets *x when
 * the request counts for metric m, else 0 (cancelled, never started, or one token). */
enum latency { LAT_TTFT, LAT_TPOT, LAT_E2E, LAT_N };

static int req_latency(const struct workload *w, const struct sim_req *q, enum latency m,
		       double *x)
{
	int64_t arrival = w->probs[q->problem].arrival;

	if (q->cancelled || q->t_first < 0)
		return 0;
	switch (m) {
	case LAT_TTFT:
		*x = (double)(q->t_first - arrival) / 1e6;
		return 1;
	case LAT_TPOT:
		if (q->output <= 1)
			return 0;
		*x = (double)(q->t_done - q->t_first) / 1e6 / (q->output - 1);
		return 1;
	default:
		*x = (double)(q->t_done - arrival) / 1e9;
		return 1;
	}
}

static struct dist dist_of(double *v, long n)
{
	struct dist d = {0};
	d.n = n;
	if (n == 0) {
		d.mean = d.p50 = d.p90 = d.p99 = NAN;
		return d;
	}
	gsl_sort(v, 1, (size_t)n);
	d.mean = gsl_stats_mean(v, 1, (size_t)n);
	d.p50 = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)n, 0.50);
	d.p90 = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)n, 0.90);
	d.p99 = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)n, 0.99);
	return d;
}

struct pct_ci pct_ci_sorted(const double *v, long n, double q)
{
	struct pct_ci ci = {NAN, NAN};
	double z, h, lo, hi;
	if (n <= 0)
		return ci;
	z = gsl_cdf_ugaussian_Pinv(0.975);
	h = z * sqrt((double)n * q * (1 - q));
	/* 1-based ranks n q -/+ h, to 0-based indices, clamped to the sample */
	lo = floor((double)n * q - h) - 1;
	hi = ceil((double)n * q + h) - 1;
	ci.lo = v[lo < 0 ? 0 : lo > n - 1 ? n - 1 : (long)lo];
	ci.hi = v[hi < 0 ? 0 : hi > n - 1 ? n - 1 : (long)hi];
	return ci;
}

static struct dist dist_ci_of(double *v, long n, struct dist_ci *ci)
{
	static const double q[3] = {0.50, 0.90, 0.99};
	struct dist d = dist_of(v, n);
	for (int i = 0; i < 3; i++)
		ci->p[i] = pct_ci_sorted(v, n, q[i]);
	return d;
}

/* Does request q (of a problem that arrived at arr ns) meet every SLO of c? Finished
 * requests only (vLLM counts the completed ones); TPOT 0 for one output token, as vLLM. */
static int req_good(const struct run_config *c, const struct sim_req *q, int64_t arr)
{
	double ttft, tpot, e2e;
	if (q->cancelled || q->t_first < 0)
		return 0;
	ttft = (double)(q->t_first - arr) / 1e6;
	tpot = q->output > 1 ? (double)(q->t_done - q->t_first) / 1e6 / (q->output - 1) : 0.0;
	e2e = (double)(q->t_done - arr) / 1e6;
	return (c->slo_ttft_ms <= 0 || ttft <= c->slo_ttft_ms) &&
	       (c->slo_tpot_ms <= 0 || tpot <= c->slo_tpot_ms) &&
	       (c->slo_e2e_ms <= 0 || e2e <= c->slo_e2e_ms);
}

static int has_slo(const struct run_config *c)
{
	return c->slo_ttft_ms > 0 || c->slo_tpot_ms > 0 || c->slo_e2e_ms > 0;
}

/* How many of the n sorted values are <= x. */
static long count_le(const double *a, long n, double x)
{
	long lo = 0, hi = n;
	while (lo < hi) {
		long m = lo + (hi - lo) / 2;
		if (a[m] <= x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

#define STEADY_SAMPLES 256
#define STEADY_MIN_PROBLEMS 50 /* fewer: no steady state is looked for */
#define STEADY_MIN_WINDOW 20   /* problems in the window, at least */

/* The steady state (see struct steady in run.h). */
static void steady_state(const struct run_config *c, struct run_result *r)
{
	const struct workload *w = &r->w;
	struct steady *st = &r->sum.steady;
	long n = w->n_probs, skip0, i0, i1, a, nv = 0, good = 0;
	double *arr, *done, *v, t0, t1, len, x[STEADY_SAMPLES], y[STEADY_SAMPLES];
	double c0, c1, cov00, cov01, cov11, sumsq, tokens = 0;

	memset(st, 0, sizeof(*st));
	st->t0_s = st->t1_s = st->arrival_rate = st->completion_rate = NAN;
	st->queue_growth = st->queue_growth_se = st->output_tok_per_s = NAN;
	st->tok_per_s_per_gpu = st->goodput_req_per_s = NAN;
	st->ttft_ms = st->tpot_ms = st->e2e_s = st->problem_latency_s = dist_of(NULL, 0);
	for (int i = 0; i < 3; i++)
		st->ttft_ci.p[i] = st->tpot_ci.p[i] = st->e2e_ci.p[i] = st->problem_latency_ci.p[i] =
			(struct pct_ci){NAN, NAN};
	if (c->arrival == ARR_OFFLINE || n < STEADY_MIN_PROBLEMS)
		return;
	for (long p = 1; p < n; p++)
		if (w->probs[p].arrival < w->probs[p - 1].arrival)
			return; /* not in arrival order: no window to cut */
	st->valid = 1;
	skip0 = c->arrival == ARR_CLOSED ? (c->concurrency < n ? c->concurrency : n) : 0;
	if (skip0 >= n)
		return;
	/* warm-up: 10% of the problems, and the p99 problem latency of the whole run (the
	 * system is filled once nearly all who arrived at its start have left) */
	i0 = skip0 + (n - skip0) / 10;
	i1 = n - 1 - n / 10;
	if (i1 - i0 < STEADY_MIN_WINDOW)
		return;
	{
		int64_t warm = w->probs[skip0].arrival;
		double p99 = r->sum.problem_latency_s.p99 * 1e9;
		long j = i0;
		if (isfinite(p99) && (double)warm + p99 < (double)TIME_NS_MAX)
			warm += (int64_t)p99;
		while (j < n && w->probs[j].arrival < warm)
			j++;
		/* no window after it: the run is too short, or its queue never settles; the
		 * 10% window still shows how far completions fall behind */
		st->settled = i1 - j >= STEADY_MIN_WINDOW;
		if (st->settled)
			i0 = j;
	}
	a = i1 - i0;
	arr = xmalloc(sizeof(double) * (size_t)n);
	done = xmalloc(sizeof(double) * (size_t)n);
	for (long p = 0; p < n; p++) {
		arr[p] = (double)w->probs[p].arrival;
		done[p] = (double)w->probs[p].t_done;
	}
	gsl_sort(done, 1, (size_t)n);
	t0 = arr[i0];
	t1 = arr[i1];
	len = (t1 - t0) / 1e9;
	st->t0_s = t0 / 1e9;
	st->t1_s = t1 / 1e9;
	st->problems = a + 1;
	if (len > 0) {
		for (int k = 0; k < STEADY_SAMPLES; k++) {
			double t = t0 + (t1 - t0) * k / (STEADY_SAMPLES - 1);
			x[k] = (t - t0) / 1e9;
			y[k] = (double)(count_le(arr, n, t) - count_le(done, n, t));
		}
		gsl_fit_linear(x, 1, y, 1, STEADY_SAMPLES, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
		st->queue_growth = c1 * len / (double)a;
		st->queue_growth_se = sqrt(cov11) * len / (double)a;
		st->arrival_rate = (double)a / len;
		st->completion_rate = (double)(count_le(done, n, t1) - count_le(done, n, t0)) / len;
	} else { /* all of the window arrived at one instant: nothing can keep up */
		st->queue_growth = 1;
		st->queue_growth_se = 0;
		st->arrival_rate = INFINITY;
		st->completion_rate = 0;
	}
	st->stationary = st->settled && st->queue_growth <= c->steady_tol;
	/* tokens delivered in (t0, t1]: the first at t_first, the rest evenly to t_done */
	for (long i = 0; i < w->n_reqs; i++) {
		const struct sim_req *q = &w->reqs[i];
		double f = (double)q->t_first, d = (double)q->t_done, lo, hi;
		if (q->t_first < 0 || q->generated <= 0)
			continue;
		if (f > t0 && f <= t1)
			tokens += 1;
		if (q->generated > 1 && d > f) {
			lo = f > t0 ? f : t0;
			hi = d < t1 ? d : t1;
			if (hi > lo)
				tokens += (q->generated - 1) * (hi - lo) / (d - f);
		} else if (q->generated > 1 && d > t0 && d <= t1) {
			tokens += q->generated - 1;
		}
	}
	if (len > 0) {
		st->output_tok_per_s = tokens / len;
		st->tok_per_s_per_gpu = st->output_tok_per_s / run_gpus(c);
	}
	/* latencies of the problems that arrived in the window */
	v = xmalloc(sizeof(double) * (size_t)(w->n_reqs > n ? w->n_reqs : n));
	{
		struct dist *d[LAT_N] = {&st->ttft_ms, &st->tpot_ms, &st->e2e_s};
		struct dist_ci *ci[LAT_N] = {&st->ttft_ci, &st->tpot_ci, &st->e2e_ci};
		for (int m = 0; m < LAT_N; m++) {
			nv = 0;
			for (long p = i0; p <= i1; p++)
				for (int32_t j = w->probs[p].first;
				     j < w->probs[p].first + w->probs[p].n; j++)
					nv += req_latency(w, &w->reqs[j], (enum latency)m, &v[nv]);
			*d[m] = dist_ci_of(v, nv, ci[m]);
		}
	}
	for (long p = i0; p <= i1; p++) {
		v[p - i0] = (double)(w->probs[p].t_done - w->probs[p].arrival) / 1e9;
		st->requests += w->probs[p].n;
		for (int32_t j = w->probs[p].first; j < w->probs[p].first + w->probs[p].n; j++)
			good += p > i0 && req_good(c, &w->reqs[j], w->probs[p].arrival);
	}
	st->problem_latency_s = dist_ci_of(v, a + 1, &st->problem_latency_ci);
	if (has_slo(c) && len > 0)
		st->goodput_req_per_s = (double)good / len;
	free(v);
	free(arr);
	free(done);
}

static void summarize(const struct run_config *c, const struct run_inputs *in,
		      struct run_result *r)
{
	const struct workload *w = &r->w;
	const struct profile *p = &in->profile;
	struct summary *s = &r->sum;
	double *v = xmalloc(sizeof(double) * (size_t)(w->n_reqs > w->n_probs ? w->n_reqs : w->n_probs));
	long n = 0, correct = 0, prompt_tokens = 0;
	double idle_ns;

	memset(s, 0, sizeof(*s));
	s->problems = w->n_probs;
	s->requests = w->n_reqs;
	s->gpus = run_gpus(c);
	s->samples_capped = w->capped;
	s->samples_budget_cut = w->budget_cut;
	for (long i = 0; i < w->n_reqs; i++) {
		if (w->reqs[i].cancelled)
			s->tokens_saved_early_stop += w->reqs[i].output - w->reqs[i].generated;
		s->cancelled += w->reqs[i].cancelled;
		s->output_tokens += w->reqs[i].generated;
		prompt_tokens += w->reqs[i].prompt;
	}
	{
		struct dist *d[LAT_N] = {&s->ttft_ms, &s->tpot_ms, &s->e2e_s};
		for (int m = 0; m < LAT_N; m++) {
			n = 0;
			for (long i = 0; i < w->n_reqs; i++)
				n += req_latency(w, &w->reqs[i], (enum latency)m, &v[n]);
			*d[m] = dist_of(v, n);
		}
	}
	for (long i = 0; i < w->n_probs; i++)
		v[i] = (double)(w->probs[i].t_done - w->probs[i].arrival) / 1e9;
	s->problem_latency_s = dist_of(v, w->n_probs);
	free(v);

	s->makespan_s = (double)r->st.makespan / 1e9;
	s->steps = r->st.steps;
	s->preemptions = r->st.preemptions;
	s->preempt_hit_tokens = r->st.preempt_hit_tokens;
	s->kv_cache_gb = r->st.kv_bytes / 1e9;
	{
		struct kv_groups g;
		model_kv_groups(&in->model, &g);
		s->mem.groups = g.n_full + g.n_swa;
		s->mem.group_layers = g.layers;
		s->mem.weights_gib = r->st.weight_bytes / GIB;
		s->mem.kv_gib = r->st.kv_bytes / GIB;
		s->mem.kv_blocks = r->st.kv_blocks;
		s->mem.kv_tokens = r->st.kv_blocks / s->mem.groups * c->block_size;
		s->mem.max_model_len = c->max_model_len > 0 ? c->max_model_len : in->model.max_len;
		s->mem.max_concurrency = (double)r->st.kv_blocks /
			kv_request_blocks(&g, c->block_size, s->mem.max_model_len,
					  c->max_num_batched_tokens);
	}
	s->gpu_seconds = s->makespan_s * s->gpus;
	idle_ns = (double)r->st.makespan * c->replicas - (double)r->st.busy_ns_total;
	if (idle_ns < 0)
		idle_ns = 0;
	s->energy_j = c->tp * c->pp * ((double)r->st.busy_ns_total * p->power_busy_w +
			       idle_ns * p->power_idle_w) / 1e9;
	s->cost_usd = s->gpu_seconds / 3600.0 * p->usd_per_gpu_hour;
	if (s->makespan_s > 0) {
		s->output_tok_per_s = s->output_tokens / s->makespan_s;
		s->total_tok_per_s = (s->output_tokens + (double)prompt_tokens) / s->makespan_s;
		s->tok_per_s_per_gpu = s->output_tok_per_s / s->gpus;
	}
	s->j_per_output_token = s->output_tokens > 0 ? s->energy_j / s->output_tokens : NAN;
	s->usd_per_mtok_output = s->output_tokens > 0 ? s->cost_usd / s->output_tokens * 1e6 : NAN;
	s->tokens_per_problem = s->output_tokens / (double)w->n_probs;
	s->usd_per_problem = s->cost_usd / (double)w->n_probs;
	s->accuracy = NAN;
	s->usd_per_correct = NAN;
	s->acceptance_rate = s->mean_accepted_len = s->spec_alpha_derived = NAN;
	s->spec_drafted_fraction = NAN;
	if (c->spec_draft[0] && c->spec_acceptance_length > 0 &&
	    spec_alpha_from_length(c->spec_acceptance_length, c->spec_k, &s->spec_alpha_derived) < 0)
		s->spec_alpha_derived = NAN;
	if (r->st.spec_verifications > 0) {
		s->acceptance_rate = r->st.spec_accepted / r->st.spec_drafted;
		s->mean_accepted_len = (r->st.spec_accepted + r->st.spec_verifications) /
				       r->st.spec_verifications;
		if (c->spec_ngram_match < 1)
			s->spec_drafted_fraction = r->st.spec_verifications /
						   (r->st.spec_verifications + r->st.spec_undrafted);
	}
	if (w->trace) {
		for (long i = 0; i < w->n_probs; i++)
			correct += w->voted[i] == 0;
		s->accuracy = (double)correct / (double)w->n_probs;
		s->usd_per_correct = correct ? s->cost_usd / (double)correct : NAN;
	}
	s->goodput_req_per_s = NAN;
	if (has_slo(c) && s->makespan_s > 0) {
		long good = 0;
		for (long i = 0; i < w->n_reqs; i++)
			good += req_good(c, &w->reqs[i], w->probs[w->reqs[i].problem].arrival);
		s->goodput_req_per_s = (double)good / s->makespan_s;
	}
	steady_state(c, r);
	s->steady_output_tok_per_s = s->steady.settled ? s->steady.output_tok_per_s : NAN;
	s->steady_tok_per_s_per_gpu = s->steady.settled ? s->steady.tok_per_s_per_gpu : NAN;
}

double spec_length_from_alpha(double alpha, int k)
{
	double al = 1, p = 1; /* the sum form: exact at alpha = 1, where the quotient is 0/0 */
	for (int i = 1; i <= k; i++)
		al += p *= alpha;
	return al;
}

struct al_target {
	double al;
	int k;
};

static double al_residual(double alpha, void *arg)
{
	const struct al_target *t = arg;
	return spec_length_from_alpha(alpha, t->k) - t->al;
}

int spec_alpha_from_length(double al, int k, double *alpha)
{
	struct al_target t = {al, k};
	gsl_function f = {al_residual, &t};
	gsl_root_fsolver *s;
	double lo = 0, hi = 1;
	int status = GSL_CONTINUE;
	if (k < 1 || !(al >= 1 && al <= k + 1))
		return err_set("key 'spec_acceptance_length': %g is outside [1, k + 1 = %d] (a "
			       "verification keeps 1 to k + 1 tokens)", al, k + 1);
	/* the ends are exact: no draft token accepted, or every one */
	if (al == 1 || al == k + 1) {
		*alpha = al == 1 ? 0 : 1;
		return 0;
	}
	s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!s)
		die("out of memory");
	gsl_root_fsolver_set(s, &f, lo, hi);
	for (int it = 0; it < 200 && status == GSL_CONTINUE; it++) {
		gsl_root_fsolver_iterate(s);
		lo = gsl_root_fsolver_x_lower(s);
		hi = gsl_root_fsolver_x_upper(s);
		status = gsl_root_test_interval(lo, hi, 0, 1e-14);
	}
	*alpha = gsl_root_fsolver_root(s);
	gsl_root_fsolver_free(s);
	return 0;
}

int spec_acceptance_load(struct spec_setup *sp, const char *path)
{
	size_t len;
	char *text = file_read(path, &len);
	int rc;
	if (!text)
		return err_prefix("key 'spec_acceptance': ");
	rc = spec_acceptance_parse(sp, text, len, path);
	free(text);
	return rc;
}

int spec_acceptance_parse(struct spec_setup *sp, const char *src, size_t len, const char *path)
{
	struct csv c;
	int kind = -1, rows = 0, rc = 0, maxi = 0;
	double v[SPEC_MAX_K + 1] = {0}, sum = 0;
	int line[SPEC_MAX_K + 1] = {0}; /* where each index was given (0: not given) */
	/* c.line counts blank and comment lines too (strtok_r once skipped blank lines, so a
	 * row after one was reported a line early) */
	csv_init(&c, src, len, CSV_SKIP_BLANK | CSV_SKIP_COMMENT);
	while ((rc = csv_next(&c)) > 0) {
		long idx;
		double x;
		if (kind < 0) {
			if (c.nf == 2 && !strcmp(c.f[0], "position") && !strcmp(c.f[1], "p_accept"))
				kind = ACCEPT_POSITION;
			else if (c.nf == 2 && !strcmp(c.f[0], "accepted") && !strcmp(c.f[1], "weight"))
				kind = ACCEPT_LENGTH;
			else
				goto bad_header;
			continue;
		}
		if (c.nf != 2 || parse_long(c.f[0], &idx) < 0 || parse_double(c.f[1], &x) < 0 ||
		    !(x >= 0) || (kind == ACCEPT_POSITION && x > 1))
			goto bad_row;
		if (kind == ACCEPT_POSITION ? (idx < 1 || idx > SPEC_MAX_K) : (idx < 0 || idx > SPEC_MAX_K))
			goto bad_row;
		if (line[idx]) {
			rc = err_set("%s:%d: key 'spec_acceptance': %s %ld given twice (first on line "
				     "%d; expected one row each)", path, c.line,
				     kind == ACCEPT_POSITION ? "position" : "accepted count", idx, line[idx]);
			csv_release(&c);
			return rc;
		}
		line[idx] = c.line;
		v[idx] = x;
		sum += x;
		if (idx > maxi)
			maxi = (int)idx;
		rows++;
	}
	if (rc < 0) { /* csv_next: a quoted field left open */
		rc = err_set("%s:%d: key 'spec_acceptance': unterminated quote (expected "
			     "'index,value')", path, c.line);
		csv_release(&c);
		return rc;
	}
	csv_release(&c);
	if (kind < 0 || rows == 0)
		return err_set("%s:1: key 'spec_acceptance': no rows (expected a header "
			       "'position,p_accept' or 'accepted,weight' and one row per position)", path);
	/* a position left out would read as 0 (never accepted), silently cutting every
	 * speculation there: each position up to the last given needs its row */
	if (kind == ACCEPT_POSITION)
		for (int i = 1; i < maxi; i++)
			if (!line[i])
				return err_set("%s: key 'spec_acceptance': position %d missing (expected "
					       "one row per position 1..%d)", path, i, maxi);
	if (kind == ACCEPT_LENGTH && !isfinite(sum))
		return err_set("%s: key 'spec_acceptance': the weights sum to infinity (expected "
			       "finite weights; scale them down)", path);
	if (kind == ACCEPT_LENGTH && !(sum > 0)) /* named here, with its file */
		return err_set("%s: key 'spec_acceptance': every weight is 0 (expected a positive "
			       "weight on some accepted count)", path);
	sp->accept_kind = kind;
	for (int i = 0; i <= SPEC_MAX_K; i++) {
		/* positions past the table: -1 until run_simulate checks spec_k against them */
		if (kind == ACCEPT_POSITION && i >= 1)
			sp->pos[i - 1] = i <= maxi ? v[i] : -1;
		if (kind == ACCEPT_LENGTH)
			sp->len_p[i] = v[i];
	}
	return 0;
bad_header:
	rc = err_set("%s:%d: key 'spec_acceptance': unknown header (expected "
		     "'position,p_accept' or 'accepted,weight')", path, c.line);
	csv_release(&c);
	return rc;
bad_row:
	rc = err_set("%s:%d: key 'spec_acceptance': expected 'index,value' with a position 1..%d "
		     "(or accepted count 0..%d) and a probability or weight", path, c.line,
		     SPEC_MAX_K, SPEC_MAX_K);
	csv_release(&c);
	return rc;
}

int run_layout(const struct run_config *c, const struct profile *p, int *tp_nodes,
	       int *pp_cross)
{
	int gpus = c->tp * c->pp, n = c->nodes, g = p->gpus_per_node;
	*tp_nodes = 1;
	*pp_cross = 0;
	if (n == 1) {
		if (gpus > g)
			return err_set("key 'nodes': tp %d x pp %d = %d GPUs do not fit in one '%s' "
				       "node of %d GPUs (set nodes to spread them)", c->tp, c->pp, gpus,
				       p->name, g);
		return 0;
	}
	if (gpus % n || gpus / n > g)
		return err_set("key 'nodes': tp %d x pp %d = %d GPUs cannot be spread evenly over "
			       "%d '%s' nodes of %d GPUs", c->tp, c->pp, gpus, n, p->name, g);
	if (c->pp >= n ? c->pp % n : n % c->pp)
		return err_set("key 'nodes': %d pipeline stages cannot be placed evenly on %d "
			       "nodes (expected one a multiple of the other)", c->pp, n);
	if (!(p->net.bw > 0))
		return err_set("key 'nodes': profile '%s' has no network section (network.lat, "
			       "network.bw) to join %d nodes", p->name, n);
	if (c->pp >= n)
		*pp_cross = n - 1;
	else
		*tp_nodes = n / c->pp, *pp_cross = c->pp - 1;
	return 0;
}

int run_simulate(const struct run_config *c, const struct run_inputs *in, struct run_result *r)
{
	struct sim_setup s = {0};
	struct cost_ctx probe;
	struct run_config ce;
	const char *chk;
	memset(r, 0, sizeof(*r));
	/* the engine profile's defaults for what the run did not set (run, sweep, validate
	 * alike; idempotent, and the run's own config stays as written) */
	if (c->engine[0]) {
		ce = *c;
		if (run_engine_defaults_on(&ce, &in->profile) < 0)
			return -1;
		/* what the engine profile set and ttsim cannot run with the rest: say where it
		 * came from and how to run without it, rather than the engine's bare refusal */
		if (ce.guaranteed_no_evict && !config_was_set(c, "guaranteed_no_evict") &&
		    (ce.spec_draft[0] || (ce.samples > 1 && ce.share_prefix)))
			return err_set("key 'guaranteed_no_evict': engine '%s' admits with it, which "
				       "ttsim does not model with %s (expected guaranteed_no_evict "
				       "false, vLLM's admission, or %s)", c->engine,
				       ce.spec_draft[0] ? "speculative decoding"
						       : "samples forked from one prompt",
				       ce.spec_draft[0] ? "no spec_draft" : "share_prefix false");
		if (ce.kv_free_fraction > 0 && ce.pp > 1 && !config_was_set(c, "kv_free_fraction"))
			return err_set("key 'kv_free_fraction': engine '%s' sizes its KV cache from "
				       "the free memory, which ttsim does not model with pipeline "
				       "stages (expected kv_free_fraction 0, vLLM's "
				       "gpu_memory_utilization rule, or pp 1)", c->engine);
		c = &ce;
	}
	if (config_check(c) < 0)
		return -1;
	/* refuse a layout the cost model cannot time before building the workload */
	if (model_check_tp(&in->model, c->tp) < 0 ||
	    run_layout(c, &in->profile, &s.tp_nodes, &s.pp_cross) < 0 ||
	    cost_init_nodes(&probe, &in->model, &in->profile, c->tp, s.tp_nodes,
			    c->cuda_graphs) < 0)
		return -1;
	cost_release(&probe);
	if (workload_build(&r->w, c, &in->model, in->has_trace ? &in->trace : NULL) < 0)
		return -1;
	s.model = &in->model;
	s.profile = &in->profile;
	s.memo_pool = in->memo_pool;
	/* the front end by the client's endpoint: an offline batch has none */
	if (c->endpoint != ENDPOINT_NONE) {
		s.fe = in->fe[c->endpoint == ENDPOINT_CHAT ? FE_CHAT : FE_COMPLETIONS];
	}
	s.tp = c->tp;
	s.pp = c->pp;
	s.replicas = c->replicas;
	s.route = c->route;
	s.cuda_graphs = c->cuda_graphs;
	s.async_sched = c->async_scheduling;
	s.chunked_prefill = c->chunked_prefill;
	s.prefix_caching = c->prefix_caching;
	s.flashinfer_sampler = c->flashinfer_sampler;
	s.prompt_cache = c->prompt_cache;
	s.max_num_seqs = c->max_num_seqs;
	s.max_num_batched_tokens = c->max_num_batched_tokens;
	s.block_size = c->block_size;
	s.gpu_memory_utilization = c->gpu_memory_utilization;
	s.kv_free_fraction = c->kv_free_fraction;
	s.no_evict = c->guaranteed_no_evict;
	/* outputs that stop at EOS may run to the client's max_tokens: reserved */
	s.no_evict_out = c->ignore_eos ? 0 : c->output_len;
	s.loop = c->arrival == ARR_CLOSED ? SIM_CLOSED : SIM_OPEN;
	s.concurrency = c->concurrency;
	s.seed = c->seed;
	s.reference = c->reference_engine;
	/* TTSIM_CHECK=1 (make check, tests): the engine verifies its invariants every step */
	s.check = (chk = getenv("TTSIM_CHECK")) != NULL && strcmp(chk, "0") != 0;
	s.spec = in->spec;
	if (c->spec_draft[0]) {
		s.spec.k = c->spec_k;
		s.spec.alpha = c->spec_alpha;
		if (c->spec_acceptance_length > 0 &&
		    spec_alpha_from_length(c->spec_acceptance_length, c->spec_k, &s.spec.alpha) < 0) {
			workload_release(&r->w);
			return -1;
		}
		/* n-gram (prompt lookup) proposals run on the CPU: a few microseconds per
		 * sequence (vLLM's numba KMP over the token history) */
		s.spec.ngram_s_per_seq = 5e-6;
		/* CPU per draft forward and per speculative step: the engine profile's (fitted on
		 * tests/validation/spec_fit.csv only: tests/validation/spec_fit.py), or the run's */
		if (c->spec_draft_cpu_s >= 0)
			s.spec.draft_step_s = c->spec_draft_cpu_s;
		if (c->spec_step_cpu_s >= 0)
			s.spec.step_cpu_s = c->spec_step_cpu_s;
		if (c->spec_eagle3_remap_cpu_s >= 0)
			s.spec.eagle3_remap_s = c->spec_eagle3_remap_cpu_s;
		if (s.spec.draft_kind != DRAFT_NGRAM &&
		    (s.spec.draft_step_s < 0 || s.spec.step_cpu_s < 0 ||
		     (s.spec.draft_kind == DRAFT_EAGLE3 && s.spec.eagle3_remap_s < 0))) {
			workload_release(&r->w);
			return err_set("key 'engine': '%s' gives no speculative costs (expected a "
				       "speculative block in its profile, or spec_draft_cpu_s, "
				       "spec_step_cpu_s and, for eagle3, spec_eagle3_remap_cpu_s)",
				       c->engine[0] ? c->engine : "vllm-v1");
		}
		s.spec.disable_batch = c->spec_disable_batch;
		s.spec.ngram_miss = s.spec.draft_kind == DRAFT_NGRAM ? 1 - c->spec_ngram_match : 0;
		s.spec.tree_topk = c->spec_tree_topk;
		s.spec.verify_tokens = c->spec_tree_tokens;
		s.spec.draft = s.spec.draft_kind == DRAFT_MODEL ? &in->draft : NULL;
		if (s.spec.accept_kind == ACCEPT_POSITION) {
			if (c->spec_k > SPEC_MAX_K || s.spec.pos[c->spec_k - 1] < 0) {
				int n = 0;
				while (n < SPEC_MAX_K && s.spec.pos[n] >= 0)
					n++;
				workload_release(&r->w);
				return err_set("%s: key 'spec_acceptance': position %d missing (spec_k %d "
					       "drafts %d tokens; the table gives positions 1..%d)",
					       c->spec_acceptance, n + 1, c->spec_k, c->spec_k, n);
			}
			for (int i = c->spec_k; i < SPEC_MAX_K; i++)
				s.spec.pos[i] = 0; /* never drafted */
		}
		if (s.spec.accept_kind == ACCEPT_LENGTH)
			for (int i = c->spec_k + 1; i <= SPEC_MAX_K; i++)
				if (s.spec.len_p[i] > 0) {
					workload_release(&r->w);
					return err_set("%s: key 'spec_acceptance': accepted length %d "
						       "exceeds spec_k %d", c->spec_acceptance, i, c->spec_k);
				}
	}
	s.stop = in->stop;
	if (sim_run(&s, r->w.probs, r->w.n_probs, r->w.reqs, r->w.n_reqs, &r->st) < 0) {
		workload_release(&r->w);
		return -1;
	}
	summarize(c, in, r);
	return 0;
}

void run_result_release(struct run_result *r) { workload_release(&r->w); }

/* Numbers in JSON: finite ones as they are (cJSON prints %1.15g, or %1.17g when needed to
 * round-trip), NaN as null. */
void json_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void dist_json(cJSON *o, const char *k, const struct dist *d)
{
	cJSON *x = cJSON_AddObjectToObject(o, k);
	json_num(x, "mean", d->mean);
	json_num(x, "p50", d->p50);
	json_num(x, "p90", d->p90);
	json_num(x, "p99", d->p99);
	cJSON_AddNumberToObject(x, "n", (double)d->n);
}

static void dist_ci_json(cJSON *o, const char *k, const struct dist *d, const struct dist_ci *ci)
{
	static const char *const names[3] = {"p50_ci", "p90_ci", "p99_ci"};
	cJSON *x;
	dist_json(o, k, d);
	x = cJSON_GetObjectItemCaseSensitive(o, k);
	for (int i = 0; i < 3; i++) {
		cJSON *a = cJSON_AddArrayToObject(x, names[i]);
		cJSON *lo = isfinite(ci->p[i].lo) ? cJSON_CreateNumber(ci->p[i].lo) : cJSON_CreateNull();
		cJSON *hi = isfinite(ci->p[i].hi) ? cJSON_CreateNumber(ci->p[i].hi) : cJSON_CreateNull();
		cJSON_AddItemToArray(a, lo);
		cJSON_AddItemToArray(a, hi);
	}
}

cJSON *steady_to_json(const struct steady *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "stationary", s->stationary);
	cJSON_AddBoolToObject(o, "settled", s->settled);
	json_num(o, "window_start_s", s->t0_s);
	json_num(o, "window_end_s", s->t1_s);
	cJSON_AddNumberToObject(o, "problems", (double)s->problems);
	cJSON_AddNumberToObject(o, "requests", (double)s->requests);
	json_num(o, "arrival_rate", s->arrival_rate);
	json_num(o, "completion_rate", s->completion_rate);
	json_num(o, "queue_growth", s->queue_growth);
	json_num(o, "queue_growth_se", s->queue_growth_se);
	dist_ci_json(o, "ttft_ms", &s->ttft_ms, &s->ttft_ci);
	dist_ci_json(o, "tpot_ms", &s->tpot_ms, &s->tpot_ci);
	dist_ci_json(o, "e2e_s", &s->e2e_s, &s->e2e_ci);
	dist_ci_json(o, "problem_latency_s", &s->problem_latency_s, &s->problem_latency_ci);
	json_num(o, "output_tok_per_s", s->output_tok_per_s);
	json_num(o, "tok_per_s_per_gpu", s->tok_per_s_per_gpu);
	if (isfinite(s->goodput_req_per_s))
		json_num(o, "goodput_req_per_s", s->goodput_req_per_s);
	return o;
}

cJSON *summary_to_json(const struct summary *s)
{
	cJSON *o = cJSON_CreateObject();
	dist_json(o, "ttft_ms", &s->ttft_ms);
	dist_json(o, "tpot_ms", &s->tpot_ms);
	dist_json(o, "e2e_s", &s->e2e_s);
	dist_json(o, "problem_latency_s", &s->problem_latency_s);
	json_num(o, "output_tok_per_s", s->output_tok_per_s);
	json_num(o, "total_tok_per_s", s->total_tok_per_s);
	json_num(o, "tok_per_s_per_gpu", s->tok_per_s_per_gpu);
	json_num(o, "makespan_s", s->makespan_s);
	json_num(o, "gpu_seconds", s->gpu_seconds);
	json_num(o, "energy_j", s->energy_j);
	json_num(o, "j_per_output_token", s->j_per_output_token);
	json_num(o, "cost_usd", s->cost_usd);
	json_num(o, "usd_per_mtok_output", s->usd_per_mtok_output);
	json_num(o, "accuracy", s->accuracy);
	json_num(o, "tokens_per_problem", s->tokens_per_problem);
	json_num(o, "usd_per_problem", s->usd_per_problem);
	json_num(o, "usd_per_correct", s->usd_per_correct);
	if (isfinite(s->acceptance_rate)) {
		json_num(o, "acceptance_rate", s->acceptance_rate);
		json_num(o, "mean_accepted_len", s->mean_accepted_len);
		if (isfinite(s->spec_alpha_derived))
			json_num(o, "spec_alpha_derived", s->spec_alpha_derived);
		if (isfinite(s->spec_drafted_fraction))
			json_num(o, "spec_drafted_fraction", s->spec_drafted_fraction);
	}
	cJSON_AddNumberToObject(o, "problems", (double)s->problems);
	cJSON_AddNumberToObject(o, "requests", (double)s->requests);
	cJSON_AddNumberToObject(o, "cancelled", (double)s->cancelled);
	json_num(o, "tokens_saved_early_stop", s->tokens_saved_early_stop);
	cJSON_AddNumberToObject(o, "samples_budget_cut", (double)s->samples_budget_cut);
	cJSON_AddNumberToObject(o, "samples_capped", (double)s->samples_capped);
	json_num(o, "output_tokens", s->output_tokens);
	cJSON_AddNumberToObject(o, "steps", (double)s->steps);
	cJSON_AddNumberToObject(o, "preemptions", (double)s->preemptions);
	cJSON_AddNumberToObject(o, "preemption_cache_hit_tokens", s->preempt_hit_tokens);
	json_num(o, "kv_cache_gb_per_gpu", s->kv_cache_gb);
	{
		cJSON *mo = cJSON_AddObjectToObject(o, "memory");
		json_num(mo, "model_loading_gib", s->mem.weights_gib);
		json_num(mo, "available_kv_cache_memory_gib", s->mem.kv_gib);
		cJSON_AddNumberToObject(mo, "kv_cache_groups", s->mem.groups);
		cJSON_AddNumberToObject(mo, "layers_per_kv_cache_group", s->mem.group_layers);
		cJSON_AddNumberToObject(mo, "num_gpu_blocks", (double)s->mem.kv_blocks);
		cJSON_AddNumberToObject(mo, "gpu_kv_cache_size_tokens", (double)s->mem.kv_tokens);
		cJSON_AddNumberToObject(mo, "max_model_len", (double)s->mem.max_model_len);
		json_num(mo, "maximum_concurrency", s->mem.max_concurrency);
	}
	cJSON_AddNumberToObject(o, "gpus", s->gpus);
	if (isfinite(s->goodput_req_per_s))
		json_num(o, "goodput_req_per_s", s->goodput_req_per_s);
	if (s->steady.valid)
		cJSON_AddItemToObject(o, "steady", steady_to_json(&s->steady));
	return o;
}

const char *run_attn_phases(unsigned set)
{
	static const char *const name[] = {"none", "prefill", "decode", "prefill and decode"};
	return name[set & 3];
}

void summary_print_table(const struct summary *s, const struct run_config *c,
			 const struct run_inputs *in, FILE *f)
{
	char pp[48] = "", nodes[48] = "";
	if (c->pp > 1)
		snprintf(pp, sizeof(pp), " PP%d", c->pp);
	if (c->nodes > 1)
		snprintf(nodes, sizeof(nodes), ", %d nodes a replica", c->nodes);
	fprintf(f, "%s on %s: %d x TP%d%s (%d GPUs%s), %s\n", in->model.id, in->profile.name,
		c->replicas, c->tp, pp, s->gpus, nodes,
		in->has_trace ? in->trace.name : "synthetic requests");
	/* which kernels time attention, where the engine brings its own */
	if (in->attn_trtllm == RUN_ATTN_ASKED)
		fprintf(f, "  attention: %s has no TensorRT-LLM section (attention_trtllm); its "
			   "FlashAttention fit times both phases\n", in->profile.name);
	else if (in->attn_trtllm)
		fprintf(f, "  attention: %s by %s's TensorRT-LLM kernels (attention_trtllm)%s\n",
			run_attn_phases(in->attn_trtllm), in->profile.name,
			!(in->attn_trtllm & PROFILE_ATTN_DECODE) ? "; decode by its FlashAttention fit" :
			!(in->attn_trtllm & PROFILE_ATTN_PREFILL) ? "; prefill by its FlashAttention fit" : "");
	fprintf(f, "  %ld problems, %ld sequences, %.0f output tokens, %ld steps, %ld preemptions, "
		   "KV cache %.1f GB/GPU\n",
		s->problems, s->requests, s->output_tokens, s->steps, s->preemptions, s->kv_cache_gb);
	fprintf(f, "  %-20s %12s %12s %12s %12s\n", "metric", "mean", "p50", "p90", "p99");
#define ROW(name, d) fprintf(f, "  %-20s %12.4g %12.4g %12.4g %12.4g\n", name, (d).mean, (d).p50, (d).p90, (d).p99)
	ROW("ttft_ms", s->ttft_ms);
	ROW("tpot_ms", s->tpot_ms);
	ROW("e2e_s", s->e2e_s);
	ROW("problem_latency_s", s->problem_latency_s);
#undef ROW
	fprintf(f, "  throughput  %.1f output tok/s (%.1f per GPU), makespan %.2f s\n",
		s->output_tok_per_s, s->tok_per_s_per_gpu, s->makespan_s);
	fprintf(f, "  cost        %.4f USD (%.3f USD per M output tokens), %.1f GPU-s, %.0f J "
		   "(%.3f J/token)\n",
		s->cost_usd, s->usd_per_mtok_output, s->gpu_seconds, s->energy_j,
		s->j_per_output_token);
	if (isfinite(s->goodput_req_per_s))
		fprintf(f, "  goodput     %.4g requests/s meeting every SLO (whole run)\n",
			s->goodput_req_per_s);
	if (s->steady.valid && s->steady.problems && !s->steady.settled)
		fprintf(f, "  steady      NOT stationary: no window after the warm-up (the run is "
			   "shorter than its p99 latency, or its queue never settles); the window "
			   "below skips 10%% of the problems only\n");
	if (s->steady.valid && s->steady.problems) {
		const struct steady *st = &s->steady;
		fprintf(f, "  steady      %s: window %.2f-%.2f s, %ld problems, arrivals %.4g/s, "
			   "completions %.4g/s, queue growth %.3f (+/- %.3f) of arrivals\n",
			st->stationary ? "stationary" : "NOT stationary (the queue grows: the rate "
			"is not sustained)", st->t0_s, st->t1_s, st->problems, st->arrival_rate,
			st->completion_rate, st->queue_growth, st->queue_growth_se);
		fprintf(f, "  steady      %.1f output tok/s (%.1f per GPU); p90 TTFT %.4g ms [%.4g, "
			   "%.4g], p90 TPOT %.4g ms, p90 problem latency %.4g s",
			st->output_tok_per_s, st->tok_per_s_per_gpu, st->ttft_ms.p90, st->ttft_ci.p[1].lo,
			st->ttft_ci.p[1].hi, st->tpot_ms.p90, st->problem_latency_s.p90);
		if (isfinite(st->goodput_req_per_s))
			fprintf(f, ", goodput %.4g req/s", st->goodput_req_per_s);
		fprintf(f, "\n");
	}
	if (isfinite(s->acceptance_rate))
		fprintf(f, "  speculation acceptance rate %.3f, %.3f tokens per verification\n",
			s->acceptance_rate, s->mean_accepted_len);
	if (isfinite(s->spec_drafted_fraction))
		fprintf(f, "  speculation %.3f of sequence steps drafted (n-gram match %g; the rest "
			   "verified 1 token)\n", s->spec_drafted_fraction, c->spec_ngram_match);
	if (c->spec_draft[0] && c->spec_acceptance_length > 0 && isfinite(s->spec_alpha_derived))
		fprintf(f, "  speculation alpha %.4f (i.i.d., derived from acceptance length %g at "
			   "k %d)\n", s->spec_alpha_derived, c->spec_acceptance_length, c->spec_k);
	if (s->cancelled)
		fprintf(f, "  early stop  %ld samples cancelled, %.0f output tokens saved\n", s->cancelled,
			s->tokens_saved_early_stop);
	if (s->samples_budget_cut || s->samples_capped)
		fprintf(f, "  cut         %ld samples at the thinking budget, %ld at the max length\n",
			s->samples_budget_cut, s->samples_capped);
	if (isfinite(s->accuracy))
		fprintf(f, "  accuracy    %.4f, %.0f tokens/problem, %.5f USD/problem, %.5f USD/correct\n",
			s->accuracy, s->tokens_per_problem, s->usd_per_problem, s->usd_per_correct);
}

void problems_csv(const struct run_result *r, struct sbuf *sb)
{
	const struct workload *w = &r->w;
	sbuf_printf(sb, "problem,unique_id,level,arrival_s,done_s,latency_s,samples,cancelled,"
			"output_tokens,voted_answer,correct\n");
	for (long p = 0; p < w->n_probs; p++) {
		const struct sim_problem *pr = &w->probs[p];
		const struct trace_problem *tp =
			w->trace ? &w->trace->problems[w->src ? w->src[p] : p] : NULL;
		long tokens = 0, cancelled = 0;
		for (int32_t i = pr->first; i < pr->first + pr->n; i++) {
			tokens += w->reqs[i].generated;
			cancelled += w->reqs[i].cancelled;
		}
		sbuf_printf(sb, "%ld,%s,%d,%.9f,%.9f,%.9f,%d,%ld,%ld,%d,%s\n", p,
			    tp ? tp->unique_id : "", tp ? tp->level : 0, (double)pr->arrival / 1e9,
			    (double)pr->t_done / 1e9, (double)(pr->t_done - pr->arrival) / 1e9, pr->n,
			    cancelled, tokens, w->voted[p],
			    !tp ? "" : w->voted[p] == 0 ? "1" : "0");
	}
}

void requests_csv(const struct run_result *r, struct sbuf *sb)
{
	const struct workload *w = &r->w;
	sbuf_printf(sb, "id,problem,replica,prompt_tokens,output_tokens,generated,arrival_s,"
			"ttft_ms,tpot_ms,e2e_s,preemptions,cancelled\n");
	for (long i = 0; i < w->n_reqs; i++) {
		const struct sim_req *q = &w->reqs[i];
		double arr = (double)w->probs[q->problem].arrival;
		double ttft = q->t_first >= 0 ? (q->t_first - arr) / 1e6 : NAN;
		double tpot = q->t_first >= 0 && q->generated > 1
				      ? (double)(q->t_done - q->t_first) / 1e6 / (q->generated - 1)
				      : NAN;
		sbuf_printf(sb, "%ld,%d,%d,%d,%d,%d,%.9f,%.6f,%.6f,%.9f,%d,%d\n", i, q->problem,
			    q->replica, q->prompt, q->output, q->generated, arr / 1e9, ttft, tpot,
			    (q->t_done - arr) / 1e9, q->preemptions, q->cancelled);
	}
}
