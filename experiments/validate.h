/*
 * validate.h: measured runs, and how far ttsim's predictions are from them.
 *
 * A measured-run file is CSV (public interface; README and tests/validation/README.md):
 *     id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value
 * in any column order, plus the optional columns engine, engine_version, source, notes
 * and num_prompts (requests the benchmark sent; empty: enough for a steady state, see
 * validate_requests), and the client's columns (all optional; empty = the default):
 *     request_rate    requests/s, or inf (all at once; the default)
 *     burstiness      gamma shape of the gaps between arrivals (1 = Poisson, the default;
 *                     inf = evenly spaced, a constant-rate client)
 *     dataset         random, sharegpt, shared_prefix, synthetic ... (as the benchmark said)
 *     range_ratio     vllm bench --random-range-ratio (0, the default: fixed lengths)
 *     ignore_eos      true (default) or false: outputs end at the model's own EOS
 *     max_output_len  tokens the client asked for per request (max_tokens), when the
 *                     outputs were shorter (ignore_eos false); empty = output_len
 *     kv_dtype        KV-cache dtype (bf16, the default, or fp8)
 *     max_num_seqs, max_num_batched_tokens   the engine's limits when the run set them
 *     chunked_prefill true or false when the run set it (e.g. trtllm-serve
 *                     --enable_chunked_prefill); empty: the engine profile's default
 *     enforce_eager   true when the run disabled CUDA graphs (vllm --enforce-eager, sglang
 *                     --disable-cuda-graph; ttsim's cuda_graphs false), false when it kept
 *                     them; empty: the default (CUDA graphs)
 *     async_scheduling true when the run's vllm serve had --async-scheduling (ttsim's
 *                     async_scheduling: the engine's CPU overlaps the GPU step); empty or
 *                     false: not
 *     flashinfer_sampler true when the run's vLLM sampled with FlashInfer (an image with
 *                     FlashInfer, vLLM 0.9 to 0.11.0; ttsim's flashinfer_sampler: the
 *                     memory plan's sampler term); empty or false: not
 *     max_model_len   vLLM's max_model_len as the run had it (the model's own
 *                     max_position_embeddings where the run did not set it): an engine
 *                     profile's defaults may size the step budget by it (vllm-v0:
 *                     defaults.unchunked_max_len); empty: the simulated model's max_len
 *     spec_draft, spec_k, spec_acceptance_length   speculative decoding: the drafter
 *                     (eagle = EAGLE-1, eagle3, ngram or a draft model), draft tokens per
 *                     step, and the measured acceptance length (tokens per verification,
 *                     bonus included; simulated as i.i.d. acceptance); all empty: none
 *     ep              MoE expert parallelism as `ttsim run --ep`: none (the default), tp
 *                     (vLLM --enable-expert-parallel over the TP group) or dp
 *     endpoint        the API path the client called, which picks the engine profile's
 *                     front-end latency: chat (/v1/chat/completions: vllm bench serve
 *                     --backend openai-chat), completions (/v1/completions) or none (an
 *                     offline batch, no API server); empty: none for an offline batch
 *                     (num_prompts = concurrency, request_rate inf), else completions
 *                     (vllm bench serve's default --endpoint); a JSON file's backend
 *                     openai-chat reads as chat
 *     status          empty: simulate the row; else why it is kept but not simulated
 *                     ("skip: mixture of experts"): counted, never silently dropped
 * Each row is one metric of one benchmark: `concurrency` C >= 1 is a closed loop (`vllm
 * bench serve --max-concurrency C`, request rate inf); 0 is an open loop at request_rate
 * (inf: every prompt at t = 0, a burst). metric is ttft_ms, tpot_ms, e2e_s or
 * output_tok_per_s, each a mean over the run; input_len and output_len are the mean
 * lengths the run processed. dtype is bf16, fp16 (simulated as bf16: same bytes, same
 * tensor-core rate) or fp8. Fields may be double-quoted (RFC 4180, on one line); '#' lines and blank lines are
 * skipped. A `vllm bench serve --save-result` JSON file is read as one row per metric it
 * holds (gpu, tp and dtype from its --metadata keys, else from the caller's defaults).
 *
 * Parsing checks the syntax of every row (numbers, metric, dtype); whether the model, GPU
 * and TP exist is checked when the row is simulated (validate_predict). A row that fails
 * keeps its message in `err`, so a caller may stop at the first or report all
 * (--keep-going). Messages are "FILE:LINE: key 'KEY': problem (expected ...)".
 *
 * The module owns nothing global; struct vset owns its rows (vset_release).
 */
#ifndef TTSIM_VALIDATE_H
#define TTSIM_VALIDATE_H

#include <cjson/cJSON.h>

#include "models/engine_profile.h"
#include "sim/run.h"

enum vmetric { VM_TTFT, VM_TPOT, VM_E2E, VM_THROUGHPUT, VM_N };

/* "ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s" */
const char *vmetric_name(int m);
/* The metric named s, or -1. */
int vmetric_parse(const char *s);

/* Longest id (bytes, with the NUL): ids are often paths or labels built from a config. */
#define VROW_ID_MAX 1024

struct vrow {
	char where[300];       /* "FILE:LINE" for messages */
	char id[VROW_ID_MAX];  /* a run's name: a file name, a date, a long label */
	char model[256];       /* catalog id, alias or config.json path */
	char gpu[256];         /* profile name or path */
	char dtype[8];         /* bf16 | fp16 | fp8 */
	int tp;
	int input_len, output_len; /* tokens per request (a measured mean, rounded) */
	int concurrency;       /* closed-loop clients; 0: open loop at request_rate */
	long num_prompts;      /* requests the benchmark sent; 0 = steady-state default */
	int metric;            /* enum vmetric */
	double value;          /* measured */
	char engine[32], engine_version[48];
	char notes[256];
	char source[320];      /* the cited document (truncated; "" when none) */
	/* the client (optional columns, see above) */
	double request_rate;   /* requests/s; INFINITY: all at once */
	double burstiness;     /* gamma shape of arrival gaps; INFINITY: evenly spaced */
	double range_ratio;    /* vllm --random-range-ratio */
	int ignore_eos;        /* 1, or 0: outputs end at the model's EOS */
	int max_output_len;    /* tokens the client asked for (0: output_len) */
	char dataset[24];      /* as the benchmark named it; "" unknown */
	char kv_dtype[8];      /* bf16 | fp8 */
	int max_num_seqs, max_num_batched_tokens; /* engine limits the run set; 0: defaults */
	int chunked_prefill;   /* the engine's chunked prefill as the run set it; -1: not said */
	int enforce_eager;     /* 1: the run disabled CUDA graphs; 0: it kept them; -1: not said */
	int async_scheduling;  /* 1: vllm serve --async-scheduling; 0: not; -1: not said */
	int flashinfer_sampler; /* 1: vLLM sampled with FlashInfer; 0: not; -1: not said */
	int max_model_len;     /* vLLM's max_model_len of the run; 0: the model's max_len */
	char spec_draft[64];   /* "": no speculation; eagle, eagle3, ngram or a model */
	int spec_k;            /* draft tokens per step */
	double spec_al;        /* measured acceptance length (tokens per verification) */
	int spec_tree_topk;    /* spec_tree "W/N": tree drafting's branches (0: a chain) */
	int spec_tree_tokens;  /* and the tokens it verifies per sequence */
	char ep[8];            /* "" (none), none, tp or dp: `--ep` (MoE expert parallelism) */
	int endpoint;          /* enum run_endpoint (sim/config.h); -1: not said: none for an
	                          offline batch (num_prompts = concurrency, all at once), else
	                          completions (vllm bench serve's default) */
	char status[160];      /* "": simulate; else why the row is kept but not simulated */
	char err[512];         /* "" when the row parsed; else why not */
	double predicted;      /* filled by the caller (NaN until then) */
};

struct vset_loaded; /* validate.c: a row's loaded inputs, kept across the front-end fit */
struct vset {
	struct vrow *rows;
	size_t n, cap;
	struct vset_loaded *loaded; /* NULL until a front-end fit; n_loaded entries */
	size_t n_loaded;
};

/* Defaults for JSON files that do not name these (vllm bench --metadata gpu=.. tp=..). */
struct vdefaults {
	const char *gpu;   /* NULL: the file must say */
	int tp;            /* 1 */
	const char *dtype; /* "bf16" */
};

/* Append the rows of FILE (CSV, or vLLM JSON when it starts with '{'). File-level
 * problems (unreadable, no header, a missing required column) return -1 with err_set;
 * bad rows are kept with their message in ->err and counted in *n_bad. */
int vset_load(struct vset *s, const char *path, const struct vdefaults *d, int *n_bad);
/* The same from text (fname for messages). */
int vset_parse_csv(struct vset *s, const char *text, const char *fname, int *n_bad);
int vset_parse_vllm_json(struct vset *s, const char *text, const char *fname,
			 const struct vdefaults *d, int *n_bad);
void vset_release(struct vset *s);

/* Requests simulated for a row: num_prompts when given, else max(10 C, 100): ten waves of
 * C clients so that the start-up burst (all C prompts at t = 0) and the drain at the end
 * weigh at most a tenth of the samples, as in a benchmark of that size. */
long validate_requests(const struct vrow *r);
/* The run configuration that reproduces a row's benchmark; 0 or -1 with err_set. */
int validate_config(const struct vrow *r, struct run_config *c);
/* The endpoint row r's client called (enum run_endpoint): its `endpoint` column, else none
 * for an offline batch and completions (vllm bench serve's default) otherwise. */
int validate_endpoint(const struct vrow *r);
/* The metric of row r from a summary. */
double validate_metric(const struct summary *s, int metric);

/* Simulate every parsed row (rows sharing one benchmark share one simulation) and fill
 * ->predicted. A row that cannot be simulated (unknown model or GPU, a TP the model cannot
 * use) gets ->err "FILE:LINE: key '...': ..."; without keep_going the first such row
 * returns -1 with that message. Returns the number of failed rows, or -1. */
int validate_predict(struct vset *s, int keep_going);

/* Per-metric error summary over rows with a prediction (err == ""). */
struct verr {
	long n;
	double median_abs, p90_abs, mean_signed; /* percent */
};
void validate_summary(const struct vset *s, struct verr out[VM_N]);

/* The engine family a row's engine and version belong to, for grouping: "vllm-v0" for
 * vLLM before 0.8 (the V0 engine was the default until 0.8), "vllm-v1" for later or
 * unstated vLLM versions, "sglang-0.5" for SGLang 0.5.x, else the engine's name in lower
 * case ("" -> "?"). */
void validate_family(const struct vrow *r, char *buf, size_t n);
/* Errors per (engine family, GPU, metric), in order of first appearance; *out is
 * allocated (free it). Returns the number of groups. */
struct vgroup {
	char family[32];
	char gpu[64];            /* "" in validate_families: every GPU kind */
	int metric;
	int gpus;                /* GPU kinds among its rows */
	struct verr e;
};
size_t validate_groups(const struct vset *s, struct vgroup **out);
/* The same per (engine family, metric) over every GPU (gpu ""): the unit issue 16's
 * targets are stated in (a family with 20 rows or more of a metric). */
size_t validate_families(const struct vset *s, struct vgroup **out);
/* Rows kept but not simulated (status set), and how many distinct reasons. */
long validate_skipped(const struct vset *s);
/* Signed percent error of a row: 100 (predicted - measured) / measured. */
double validate_pct_err(const struct vrow *r);
/* Fit an engine profile's step_cpu_extra (models/engine_profile.h) to the rows of engine
 * family `family` that are offline batches measured as output_tok_per_s (concurrency =
 * num_prompts, request_rate inf: the value is output tokens / the batch's wall time, and
 * the batch's wall time is the simulated makespan). Each row is simulated with the
 * family's defaults but no extra CPU time; then
 *     wall_measured - makespan_0 = base x steps + per_seq x output_tokens
 *                                  [+ per_tp x (tp - 1) x steps]
 *                                  [+ per_ctx_token x kv_tokens]
 * (a decode step holds one token of every sequence in it, so the sequences summed over
 * the steps are the output tokens; kv_tokens sums over the steps the KV tokens the
 * decoding sequences hold, measured as the makespan's growth under a probe cost per KV
 * token), fitted robustly (Huber, gsl_multifit_robust), with per_tp only when some row
 * has tp > 1 and per_ctx_token only when the rows' lengths (input + output) differ. Leave-one-out refits without each row and
 * predicts it. Errors are of the wall time, in percent. Refuses a file named
 * serving_check*: the check part is never fitted. 0, or -1 with err_set. */
enum { VFIT_BASE, VFIT_SEQ, VFIT_TP, VFIT_CTX, VFIT_MAX };
struct vfit {
	long n;              /* rows used */
	int p;               /* parameters fitted: base and per_seq, per_tp where a row has
	                        TP > 1, per_ctx_token where the rows' lengths differ */
	double coef[VFIT_MAX]; /* base_s, per_seq_s, per_tp_s, per_ctx_token_s (0: not fitted) */
	double se[VFIT_MAX];   /* their standard errors */
	int fitted[VFIT_MAX];  /* 1 where the coefficient was fitted */
	double in_median, in_p90, in_bias;    /* % error of the wall time, in sample */
	double loo_median, loo_p90, loo_bias; /* leave one out */
};
int validate_fit_engine(struct vset *s, const char *family, struct vfit *out);

/* Fit an engine profile's frontend block (per_request_s, per_output_token_s, latency_s:
 * the API server and the hop to the engine core, sim/engine.h) to the served rows of
 * engine family `family` (every metric; not the offline batches, which no API server
 * serves). The predictions are a queue's, nonlinear in the constants, so the robust fit is
 * a Huber M-estimate on log(predicted / measured) (threshold 0.2) minimised over a grid of
 * the three constants, every grid point a simulation of every row with the family's
 * profile and that front end. Leave-one-out leaves out one benchmark (all its rows) at a
 * time, refits on the same grid, and predicts it. Errors are of the rows' metrics, in
 * percent; `before` is with no front end. Refuses a file named serving_check*. 0, or -1
 * with err_set (fewer than four served benchmarks, a row that cannot be simulated). */
/* The front end's fit: three grid stages over its four constants per endpoint
 * (experiments/validate.c); first_token_s takes VFE_NF values. */
#define VFE_NF 17
struct vfefit {
	long n, runs;        /* rows and distinct benchmarks used */
	long n_chat;         /* of the n rows, those on the chat endpoint (0 or n: the two
	                        latencies are one, not told apart) */
	struct frontend coef[FE_N];    /* per endpoint (FE_COMPLETIONS: the keys per_request_s,
	                                  .., first_token_s; FE_CHAT: the chat_ ones) */
	double step[FE_NTERM], max[FE_NTERM]; /* the grid: its steps and largest values (s), by
	                                  enum fe_term; each endpoint's constants on the
	                                  same axes */
	struct frontend loo_lo[FE_N], loo_hi[FE_N]; /* range of the constants over the
	                                  leave-one-out fits */
	double prof[FE_N][VFE_NF];     /* per endpoint (0 completions, 1 chat): the least loss
	                                  at each first_token_s of the grid, per_request_s and
	                                  latency_s refitted (stage 2): how well the rows tell
	                                  it (NAN: no row of the endpoint) */
	double before_median, before_p90, before_bias; /* % error with no front end */
	double in_median, in_p90, in_bias;             /* in sample */
	double loo_median, loo_p90, loo_bias;          /* leave one benchmark out */
};
/* Whether row r is one validate_fit_frontend uses for `family`. */
int validate_fe_row(const struct vrow *r, const char *family);
int validate_fit_frontend(struct vset *s, const char *family, struct vfefit *out);

/* ---- model-form error: how far a prediction is from a real run (honest intervals) ----
 *
 * A row's regime is how its requests arrive: all at once (an offline batch, a burst at
 * request rate inf, or a closed loop with no more requests than clients), a closed loop
 * of C clients, or an open loop at a finite rate. The model-form band of a metric and
 * regime is a 95% prediction interval for a new row's residual ln(measured / predicted),
 * from the n residuals of the predicted rows of that metric and regime:
 *   - n >= VBAND_MIN_ROWS (39): split conformal, distribution-free (Lei et al. 2018,
 *     "Distribution-free predictive inference for regression", JASA 113:1094): with the
 *     residuals sorted and k = ceil(0.975 (n + 1)), the k-th smallest and k-th largest (a
 *     new exchangeable residual falls inside with probability >= 95%). Used where it
 *     exists because the large sets are heavy-tailed (output tok/s: skewness -2, excess
 *     kurtosis +8), where a normal law would misplace both ends.
 *   - 2 <= n < 39 (no such k): the Student-t prediction interval for one new draw of a
 *     normal law, mean +- t(0.975, n-1) s sqrt(1 + 1/n) (gsl_cdf_tdist_Pinv,
 *     gsl_stats_mean, gsl_stats_sd_m). Normality is an assumption there, checked per
 *     metric by tests/validation/residuals.py (VALIDATION.md, "Honest intervals").
 *     When the rows come from fewer benchmarks than rows (validate_coverage's same
 *     deployment at the same publisher) and their residuals spread more between
 *     benchmarks than within them, rows of one benchmark are not independent draws: the
 *     band is then for a row of a NEW benchmark, from the one-way random-effects model
 *     r = mu + u_b + e (u_b the benchmark's, e the row's; ANOVA estimators, unbalanced:
 *     MSB, MSW, n0 = (n - sum n_b^2 / n) / (k - 1), sigma_u^2 = (MSB - MSW) / n0,
 *     sigma_e^2 = MSW; Searle, Casella & McCulloch, "Variance Components", 1992, ch. 3):
 *     mean +- t(0.975, df) sqrt(sigma_u^2 + sigma_e^2 + var(mean)), df by Satterthwaite
 *     (1946) for MSB / n0 + MSW (1 - 1/n0), var(mean) = sigma_u^2 sum n_b^2 / n^2 +
 *     sigma_e^2 / n ("random_effects_t"). With one benchmark, or MSB <= MSW, the plain t.
 *   - n = 1: no spread to take: unbounded (-inf, +inf); n = 0: NaN (no rows).
 * No band is narrower than the run-to-run noise of the measurements themselves: s is at
 * least VBAND_REPEAT_SD in the t interval, and a conformal band is widened about its
 * midpoint to +- z(0.975) VBAND_REPEAT_SD (a set of identical residuals would otherwise
 * give a zero-width band that a repeated run of the same benchmark falls outside).
 * A regime with fewer than VBAND_MIN_ROWS rows uses the metric's rows of every regime
 * (pooled). A prediction p then has the interval [p e^lo, p e^hi]. `ttsim run
 * --profile-uncertainty` derives the bands from the CHECK part of the serving set
 * (tests/validation/serving_check.csv, embedded), simulated by the running binary, so
 * they are the model's error as it is now. */
enum vregime { VR_AT_ONCE, VR_CLOSED, VR_OPEN, VR_N };
#define VBAND_MIN_ROWS 39 /* the fewest rows that bound a 95% split-conformal band */
/* Measured: the SD of one run's ln(value) over repeated runs of one benchmark, from the
 * three repeats in the check part (anl_h100_tp1_{l2-7b-hf,qwen2-7b,decilm-7b}_io1024_b32
 * and their _r2, github argonne-lcf/LLM-Inference-Bench Plots/All_results.csv @4211f5d4):
 * ln(second / first) = -0.0159, -0.0306, -0.0185; rms 0.0226, / sqrt 2 = 0.016. */
#define VBAND_REPEAT_SD 0.016
/* How a band was taken (struct vband.method). */
enum vband_method { VBAND_NONE, VBAND_CONFORMAL, VBAND_STUDENT_T, VBAND_RANDOM_T };
/* "none", "conformal", "student_t", "random_effects_t" */
const char *vband_method_name(int m);
/* "at_once", "closed", "open" */
const char *vregime_name(int g);
int validate_regime(const struct vrow *r);
/* The regime of a run configuration (sim/config.h; -1: a trace's arrivals, none of these). */
int validate_config_regime(const struct run_config *c);
struct vband {
	long n;      /* rows the band was taken from */
	int pooled;  /* 1: the regime had fewer than VBAND_MIN_ROWS rows; every regime's rows */
	int method;  /* enum vband_method */
	long groups; /* VBAND_RANDOM_T: the benchmarks among the rows; else 0 */
	double sd_between, sd_within, df; /* VBAND_RANDOM_T: sigma_u, sigma_e, Satterthwaite df */
	double lo, hi; /* the band of ln(measured / predicted); +-inf: one row; NaN: none */
};
/* The band of the residuals a[0..n) (reordered), as above; pooled 0. grp[i] in [0, n) names
 * row i's benchmark (NULL: each row its own). */
struct vband validate_band(double *a, const int *grp, size_t n);
/* The bands of every metric and regime from the predicted rows of s. */
void validate_bands(const struct vset *s, struct vband b[VM_N][VR_N]);
/* Coverage: the fraction of predicted rows whose measured value lies in [p e^lo, p e^hi]
 * of their metric's and regime's band: in sample (VCOV_IN), with each row's band taken
 * without the rows of its own run (VCOV_RUN: the rows that share its simulation), or
 * without those of its own benchmark (VCOV_BENCH: its run's rows and every row whose
 * source cites the same publisher (the GitHub repository, or the site of a URL) with the
 * same model, GPU, TP, dtype and engine family: one deployment's sweep, or one session's
 * stages filed apart, whose errors move together). Rows whose band is unbounded are not
 * counted (they say nothing). Per metric into cov[] (NaN: no bounded row), n[] rows
 * counted. */
enum vcov { VCOV_IN, VCOV_RUN, VCOV_BENCH };
void validate_coverage(const struct vset *s, int loo, double cov[VM_N], long n[VM_N]);
/* One band as JSON into o: "rows", "pooled", "method", "benchmarks", "sd_between",
 * "sd_within", "df" (random_effects_t only), "log_lo", "log_hi" (null: unbounded). */
void validate_band_json(cJSON *o, const struct vband *b);
/* {"method", "repeat_sd", "bands": {"<metric>": {"<regime>": {"rows", "pooled", "method",
 * "benchmarks", "sd_between", "sd_within", "df", "log_lo", "log_hi"}}}, "coverage": {"in_sample" | "own_run_out" | "own_benchmark_out":
 * {"<metric>": {"rows", "share"}}}} (validate --intervals --format json; null: unbounded) */
cJSON *validate_intervals_json(const struct vset *s);

/* {"rows": [...], "summary": {"<metric>": {...}}, "groups": [...], "skipped": N} */
cJSON *validate_json(const struct vset *s);

#endif
