/*
 * config.h: the configuration of one simulation, as one table of options (after Redis's
 * static_configs[]): name, type, field, bounds, default, help. The same table serves the
 * experiment YAML files, the command-line flags (--name-with-dashes) and the resolved
 * configuration written next to results, so an option is added in exactly one place.
 *
 * Experiment file (YAML, schema_version 1): a mapping of option names to values, plus
 * `schema_version`, `name` and `description`; a `sweep:` block is read by experiments/sweep.c.
 * Unknown keys are errors that name the file, line and key.
 */
#ifndef TTSIM_CONFIG_H
#define TTSIM_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "lib/util.h"
#include "traces/tts.h"

#define CONFIG_SCHEMA_VERSION 1

enum arrival_mode { ARR_OFFLINE, ARR_POISSON, ARR_CLOSED, ARR_TRACE };
enum length_dist { LEN_FIXED, LEN_UNIFORM, LEN_EXPONENTIAL, LEN_LOGNORMAL };
enum vote_rule { VOTE_NONE, VOTE_MAJORITY, VOTE_BEST, VOTE_PASS };

#define CONFIG_MAX_OPTIONS 128 /* rows of the option table, hidden ones included */

/* The API endpoint the client calls (the engine profile's front end differs by it): vLLM's
 * /v1/completions, /v1/chat/completions, or none (an offline batch, LLM.generate: no API
 * server). */
enum run_endpoint { ENDPOINT_COMPLETIONS, ENDPOINT_CHAT, ENDPOINT_NONE };

struct run_config {
	char name[64];           /* experiment name (from the file) */
	char model[256];         /* catalog id, alias or config.json path */
	char gpu[256];           /* profile name or YAML path */
	int tp;                  /* GPUs per replica */
	int replicas;            /* data-parallel replicas */
	int pp;                  /* pipeline-parallel stages per replica (tp GPUs each) */
	int nodes;               /* nodes one replica spans (sim/run.c: run_layout) */
	int route;               /* enum route_policy (sim/engine.h) */
	char trace[256];         /* trace name or path; "" for synthetic requests */
	int input_len;           /* tokens, synthetic requests */
	int output_len;          /* tokens, synthetic requests */
	long requests;           /* synthetic requests, or the first K problems of a trace */
	int length_dist;         /* enum length_dist: synthetic lengths around input/output_len */
	double length_cv;        /* coefficient of variation for uniform and lognormal */
	int arrival;             /* enum arrival_mode */
	double rate;             /* problems/s for poisson */
	int concurrency;         /* closed-loop clients */
	uint64_t seed;
	int max_num_seqs;        /* vLLM scheduler limits */
	int max_num_batched_tokens;
	int block_size;          /* tokens per KV block */
	double gpu_memory_utilization;
	int guaranteed_no_evict;  /* TensorRT-LLM's capacity policy (sim/engine.h no_evict) */
	double kv_free_fraction;  /* > 0: KV = this share of the free memory (TensorRT-LLM) */
	int max_model_len;       /* memory report: tokens a request (0: the model's max_len) */
	int chunked_prefill;     /* bool */
	int cuda_graphs;         /* bool */
	int async_scheduling;    /* bool: vLLM --async-scheduling (models/cost.h async_sched) */
	char dtype[8];           /* weights: bf16 | fp8 */
	char kv_dtype[8];        /* KV cache: bf16 | fp8 */
	int ep;                  /* enum ep_mode (models/model.h): none, tp, dp */
	int mxfp4_backend;       /* 0 auto, 1 marlin, 2 triton (models/model.h) */
	double moe_skew;         /* routing skew: 0 balanced, s > 0 Zipf exponent */
	double usd_per_gpu_hour; /* < 0: the profile's price */
	/* test-time scaling */
	int samples;             /* samples per problem (trace), 0 = 1 */
	int vote;                /* enum vote_rule */
	int budget;              /* thinking budget in tokens, 0 = none */
	int waits;               /* "Wait" extensions */
	int share_prefix;        /* bool: samples share one prefill and the prompt's KV blocks */
	int flashinfer_sampler;  /* bool: vLLM's FlashInfer top-k/top-p sampler (memory plan) */
	int prefix_caching;      /* bool: a preempted request's blocks stay in the prefix cache
	                            until handed out again (vLLM V1's default) */
	int prompt_cache;        /* bool: every prompt's KV is in vLLM's prefix cache (repeated
	                            prompts): only its last block is prefilled */
	/* the accuracy model, as traces/tts.c takes it: options tts_bf_settle, tts_bf_sigma,
	 * tts_bf_guess, tts_answer_tokens, tts_wait_frac, tts_wait_shape, tts_wait_fix, tts_wait_break, tts_rm_accuracy, tts_rm_spread and
	 * early_stop fill it, and their defaults live in the option table (config.c) alone */
	struct tts_params tts;
	/* speculative decoding */
	char spec_draft[256];    /* "" none, a model, "ngram" or "eagle" */
	int spec_k;              /* draft tokens per step */
	double spec_alpha;       /* i.i.d. per-token acceptance */
	double spec_acceptance_length; /* tokens per verification, bonus included; 0: unset */
	double spec_draft_cpu_s; /* s: CPU per draft forward under CUDA graphs */
	double spec_step_cpu_s;  /* s: CPU a speculative step adds once */
	double spec_eagle3_remap_cpu_s; /* s: CPU per EAGLE-3 draft forward (vocab remap) */
	int spec_tree_topk;      /* tree drafting: branches per draft forward; 1: a chain */
	int spec_tree_tokens;    /* tree drafting: tokens verified per sequence; 0: k + 1 */
	double spec_ngram_match; /* P(the n-gram lookup matches) per sequence and step */
	int spec_disable_batch;  /* steps with more decoding sequences run without speculation; 0: never */
	char spec_acceptance[256]; /* file: per-position table or accepted-length distribution */
	int replications;        /* seeds to run (uncertainty) */
	int reference_engine;    /* hidden: the engine's slow reference (sim_setup.reference) */
	/* the benchmark client (sim/client.h); defaults: fixed lengths, Poisson */
	double range_ratio;      /* vllm bench --random-range-ratio */
	int range_law;           /* enum client_range_law */
	double burstiness;       /* gamma shape of Poisson-mode arrival gaps */
	int ignore_eos;          /* bool */
	double eos_mean_len;     /* tokens: mean output when the model stops on its own */
	char length_file[256];   /* input_len,output_len pairs; "" none */
	char engine[64];         /* engine profile (models/engines/); "" = the hardware
	                            profile's own overheads (vLLM V1) */
	int endpoint;            /* enum run_endpoint: which API path the client calls */
	int resample;            /* bool: a trace's problems drawn with replacement (seeded) */
	double slo_ttft_ms, slo_tpot_ms, slo_e2e_ms; /* goodput SLOs per request; 0: none */
	double steady_tol;       /* stationarity: queue growth allowed, fraction of arrivals */
	/* which options were set (config_set), a bit per option index: config_was_set */
	uint64_t set_mask[CONFIG_MAX_OPTIONS / 64];
};

enum opt_type { OPT_INT, OPT_LONG, OPT_U64, OPT_DOUBLE, OPT_STR, OPT_BOOL, OPT_ENUM };

struct option_def {
	const char *name;      /* YAML key; the flag is --name with '_' -> '-' */
	enum opt_type type;
	size_t offset;         /* into struct run_config */
	size_t size;           /* for OPT_STR */
	double min, max;       /* bounds for numbers */
	const char *def;       /* default, as text */
	const char *const *enums; /* NULL-terminated names for OPT_ENUM */
	const char *help;
};

/* The option table: *n visible options (--help, resolved configs, sweeps); config_option
 * also finds the hidden ones after them (developer switches such as reference_engine). */
const struct option_def *config_options(size_t *n);
const struct option_def *config_option(const char *name);
/* An OPT_ENUM option's value for a word (-1: not one of its words), and the word of a value
 * (NULL: none): the option table's names, so that readers of other formats (measured
 * runs, plan's flags) take the same words. */
int config_enum_value(const char *name, const char *word);
const char *config_enum_word(const char *name, int value);

/* Defaults for every option. */
void config_defaults(struct run_config *c);
/* 1 when option `name` was set (by a file, a flag or config_set), not left at its default:
 * what an engine profile's defaults may not override. */
int config_was_set(const struct run_config *c, const char *name);
/* Set option `key` from its text `val`; where is "FILE:LINE" or "--flag" for messages.
 * 0, or -1 with err_set("<where>: key 'k': ..."). */
int config_set(struct run_config *c, const char *key, const char *val, const char *where);
/* Read an experiment file into c (on top of what c holds). The `sweep:` and `plots:`
 * blocks are skipped here (*has_sweep set if present). 0 or -1 with err_set. */
int config_load_yaml(struct run_config *c, const char *path, int *has_sweep);
int config_load_yaml_text(struct run_config *c, const char *text, size_t len, const char *path,
			  int *has_sweep);
/* Where the keys of the arrival rule were given in one layer of the configuration (an
 * experiment file with its sweep axes, or the command line): "FILE:LINE" or "--flag", NULL
 * when the layer does not give the key. */
struct config_layer {
	const char *arrival, *rate, *concurrency;
	const char *swept_rate, *swept_concurrency; /* axes of the file's sweep block */
	int arrival_swept; /* the file's sweep varies arrival: each point names its mode */
	int swept;         /* the file has a sweep block */
};
/* The arrival rule, one for experiment files, sweeps and flags: within one layer `rate`
 * means arrival: poisson and `concurrency` arrival: closed, unless the layer sets `arrival`;
 * a layer that sets arrival with a key of another mode (arrival: offline with a rate), or
 * rate and concurrency without arrival, is refused. A swept rate or concurrency is held
 * against the file's arrival and keys (its points' arrival is set by experiments/sweep.c,
 * which applies the same implication per axis). A later layer overrides an earlier one
 * (the flags override the file), as for every other option. Sets c->arrival; 0, or -1 with
 * err_set naming the key and where it was given. */
int config_resolve_arrival(struct run_config *c, const struct config_layer *l);
/* Cross-field checks (e.g. max_num_batched_tokens >= max_num_seqs). */
int config_check(const struct run_config *c);
/* A tensor-parallel size ttsim runs (1, 2, 4 or 8): config_check's rule, for the flags that
 * take one outside a config (plan --try-tp, validate --tp, trace import --tp). */
int config_tp_ok(long tp);
/* An error "key 'K': ..." about a run read from the experiment at path: "path:LINE: key
 * 'K': ..." when K is a top-level key of that file and not one of flag_keys (the keys the
 * run's flags set, whose values are the ones checked); the message unchanged otherwise. */
void config_err_in_file(const char *path, char (*flag_keys)[64], int n_flag_keys);
/* Write the resolved configuration as YAML (every option, fixed order). */
void config_write_yaml(const struct run_config *c, struct sbuf *sb);
/* Text of one option's value (for tables and results.csv). */
void config_value_text(const struct run_config *c, const struct option_def *o, char *buf,
		       size_t n);

#endif
