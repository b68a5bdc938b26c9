/*
 * run.h: one simulation from a configuration to its summary: resolve the model, profile
 * and trace, build the workload, run the engine, reduce the results. `ttsim run`, sweeps
 * and validation all go through here, so a metric is computed in one place.
 */
#ifndef TTSIM_RUN_H
#define TTSIM_RUN_H

#include <cjson/cJSON.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "models/model.h"
#include "models/profile.h"
#include "traces/trace.h"
#include "sim/workload.h"

/* Loaded inputs of a run (a sweep loads each distinct one once). */
struct run_inputs {
	struct model model;
	struct profile profile;
	struct trace trace;
	int has_trace;
	struct model draft;          /* spec_draft names a model */
	struct spec_setup spec;      /* speculative decoding as configured (k = 0: off) */
	struct frontend fe[FE_N];    /* the engine profile's front end per endpoint (0: none) */
	unsigned attn_trtllm;        /* RUN_ATTN_ASKED where the engine profile's
	                                attention_kernels names them, with the PROFILE_ATTN_
	                                bits of the phases the profile's attention_trtllm
	                                section times (0: its attention) */
	volatile sig_atomic_t *stop; /* NULL, or a flag a signal handler sets: run_simulate then
	                                fails with err "interrupted" (set it after loading) */
	struct cost_memo_pool *memo_pool; /* GEMM memo tables shared by the runs of these
	                                     inputs (one thread at a time) */
};

/* RUN_ATTN_ASKED: the engine brings its own kernels (beside it in run_inputs.attn_trtllm,
 * the PROFILE_ATTN_ bits of the phases the profile times them: models/profile.h) */
enum { RUN_ATTN_ASKED = 4 };
/* "prefill and decode", "prefill", "decode" for a PROFILE_ATTN_ set ("none" for neither). */
const char *run_attn_phases(unsigned set);

/* Mean and percentiles of a metric over requests or problems. */
struct dist {
	long n;
	double mean, p50, p90, p99;
};

/* The 95% confidence interval of a percentile (distribution-free, from order statistics:
 * ranks n q -/+ 1.96 sqrt(n q (1 - q)), the normal approximation of the binomial; it
 * treats the samples as independent, which queueing makes them only approximately). */
struct pct_ci {
	double lo, hi;
};

/* Percentiles 50, 90, 99 (index 0, 1, 2) with their intervals. */
struct dist_ci {
	struct pct_ci p[3];
};

/* The steady state of a run at a rate or a concurrency: the window between the arrival of
 * the problem 10% of the way into the run (after the first `concurrency` in a closed loop),
 * and at least the whole run's p99 problem latency after the first arrival, and that of
 * the problem 10% before its end: it leaves out the warm-up (an empty system filling) and
 * the drain (no more arrivals). A run with no such window of 20 problems or more (too
 * short, or a queue that never settles) is not `settled` nor stationary, and its figures
 * are those of the window that skips 10% of the problems only. Latencies are those of the problems
 * that arrived in the window; throughput counts the tokens delivered in it (a request's
 * tokens spread evenly from its first token to its last). Stationarity: the least-squares
 * trend of the number of problems in the system (arrived, not finished), sampled at 256
 * points of the window, times the window's length, as a fraction of the problems that
 * arrived in it (queue_growth), is at most steady_tol; completion_rate / arrival_rate
 * says the same from the ends. Offline runs (everything at 0) have no steady state. */
struct steady {
	int valid;                   /* 0: offline, or under 50 problems (or a closed loop of
	                                fewer than 70 above its concurrency): not looked for */
	int settled;                 /* a window after the p99-latency warm-up exists */
	int stationary;              /* settled, and queue_growth <= steady_tol */
	double t0_s, t1_s;           /* the window */
	long problems, requests;     /* that arrived in it */
	struct dist ttft_ms, tpot_ms, e2e_s, problem_latency_s;
	struct dist_ci ttft_ci, tpot_ci, e2e_ci, problem_latency_ci;
	double arrival_rate, completion_rate; /* problems/s in the window */
	double queue_growth, queue_growth_se; /* the trend, and its standard error (OLS) */
	double output_tok_per_s, tok_per_s_per_gpu;
	double goodput_req_per_s;    /* requests that arrived in it and met every SLO, per s */
};

struct summary {
	struct dist ttft_ms, tpot_ms, e2e_s, problem_latency_s;
	long problems, requests, cancelled;
	long samples_capped;         /* outputs cut at the model's max length */
	long samples_budget_cut;     /* outputs cut by the thinking budget (forced answers) */
	double tokens_saved_early_stop; /* output tokens the cancelled samples did not generate */
	double output_tokens;        /* tokens delivered (cancelled samples' partial output too) */
	double output_tok_per_s, total_tok_per_s, tok_per_s_per_gpu;
	double makespan_s, gpu_seconds, energy_j, j_per_output_token;
	double cost_usd, usd_per_mtok_output;
	double accuracy;             /* NaN without answers */
	double tokens_per_problem, usd_per_problem, usd_per_correct;
	long steps, preemptions;
	double preempt_hit_tokens;   /* of what preempted requests recompute, the tokens found in
	                                the prefix cache (prefix_caching) */
	double acceptance_rate;      /* speculative: accepted / drafted tokens (NaN if off) */
	double mean_accepted_len;    /* speculative: tokens per verification, bonus included */
	double spec_alpha_derived;   /* alpha derived from spec_acceptance_length (NaN if not) */
	double spec_drafted_fraction;/* n-gram with spec_ngram_match < 1: the share of sequence
	                                steps that drafted (NaN otherwise) */
	double kv_cache_gb;          /* per GPU */
	/* what vLLM logs at startup, for the same deployment (summary.memory): "Model loading
	 * took X GiB", "Available KV cache memory: Y GiB", "GPU KV cache size: N tokens" (pool
	 * blocks / KV cache groups x block_size), "Maximum concurrency for L tokens per
	 * request: C x" (pool blocks / a request's blocks at L in every group) */
	struct {
		double weights_gib, kv_gib, max_concurrency;
		long kv_tokens, kv_blocks, max_model_len;
		int groups, group_layers;
	} mem;
	int gpus;
	/* goodput as 'vllm bench serve --goodput' has it: finished requests meeting every SLO
	 * set (slo_ttft_ms, slo_tpot_ms, slo_e2e_ms) per second of the run (makespan); NaN
	 * when no SLO is set */
	double goodput_req_per_s;
	struct steady steady;
	/* the steady state's throughput where it settled (NaN otherwise): sweep columns */
	double steady_output_tok_per_s, steady_tok_per_s_per_gpu;
};

struct run_result {
	struct workload w;
	struct sim_stats st;
	struct summary sum;
};

/* Acceptance as users report it. The acceptance length AL (mean tokens per verification,
 * bonus token included) of i.i.d. acceptance alpha with k draft tokens:
 *     AL = 1 + alpha + ... + alpha^k = (1 - alpha^(k+1)) / (1 - alpha).
 * spec_alpha_from_length inverts it for k (GSL's Brent solver on [0, 1]; AL is increasing
 * in alpha): 0 with *alpha set, or -1 with err_set when AL is outside [1, k + 1]. */
double spec_length_from_alpha(double alpha, int k);
int spec_alpha_from_length(double al, int k, double *alpha);

/* Read a speculative acceptance file (CSV with a header `position,p_accept`: per-position
 * conditional acceptance; or `accepted,weight`: distribution of accepted draft tokens per
 * step, 0..k) into sp; 0 or -1 with err_set naming file and line. */
int spec_acceptance_load(struct spec_setup *sp, const char *path);
/* The same on text in memory (len bytes; path names it in messages). */
int spec_acceptance_parse(struct spec_setup *sp, const char *text, size_t len, const char *path);
/* GPUs a configuration occupies: tp x pp a replica, times replicas. */
static inline int run_gpus(const struct run_config *c) { return c->tp * c->pp * c->replicas; }
/* Load model, profile and trace named by c; 0 or -1 with err_set. */
int run_load_inputs(const struct run_config *c, struct run_inputs *in);
/* The options run_load_inputs reads, as one string (configurations with equal keys load
 * equal inputs: the sweep's cache of loaded inputs is keyed by it). */
void run_inputs_key(const struct run_config *c, char *buf, size_t n);
/* Where one replica's tp x pp GPUs sit on `nodes` nodes of p (gpus_per_node each), spread
 * evenly: stages are packed into nodes first (pp >= nodes: pp / nodes stages a node, TP
 * inside a node, nodes - 1 of the pp - 1 stage boundaries cross the network); with fewer
 * stages than nodes each stage's TP group spans nodes / pp nodes (every boundary crosses).
 * Fills *tp_nodes and *pp_cross; 0, or -1 with err naming key 'nodes' (or 'tp', 'pp'). */
int run_layout(const struct run_config *c, const struct profile *p, int *tp_nodes,
	       int *pp_cross);
void run_inputs_release(struct run_inputs *in);
/* Set the options c->engine's profile (models/engine_profile.h) has defaults for and the
 * run did not set itself; nothing when c->engine is "". Limits that depend on the GPU
 * (defaults.large_gpu_*) read c->gpu's hardware profile: run_engine_defaults_on takes it
 * loaded (gpu: c->gpu's, as run_load_inputs gave it), run_engine_defaults loads it when
 * needed (~1.5 ms). 0, or -1 with err_set. */
int run_engine_defaults(struct run_config *c);
int run_engine_defaults_on(struct run_config *c, const struct profile *gpu);
/* Simulate c on loaded inputs; 0 or -1 with err_set. */
int run_simulate(const struct run_config *c, const struct run_inputs *in, struct run_result *r);
void run_result_release(struct run_result *r);

/* Add number v under key k: finite values as they are (cJSON prints %1.15g, or %1.17g
 * when needed to round-trip), NaN and infinities as null. */
void json_num(cJSON *o, const char *k, double v);
/* The summary as a JSON object (keys of the public interface, see README). */
cJSON *summary_to_json(const struct summary *s);
/* The steady state's JSON object (inside summary_to_json's, key "steady"). */
cJSON *steady_to_json(const struct steady *s);
/* The 95% interval of quantile q (0..1) of n sorted values (see struct pct_ci). */
struct pct_ci pct_ci_sorted(const double *v, long n, double q);
/* Print the summary as a table. */
void summary_print_table(const struct summary *s, const struct run_config *c,
			 const struct run_inputs *in, FILE *f);
/* problems.csv: one line per problem (latency to its last sample, tokens, vote). */
void problems_csv(const struct run_result *r, struct sbuf *sb);
/* requests.csv: one line per sequence. */
void requests_csv(const struct run_result *r, struct sbuf *sb);

#endif
