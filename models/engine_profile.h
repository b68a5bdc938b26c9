/*
 * engine_profile.h: engine profiles: what a serving engine of one family and version adds
 * to the hardware profile, as a small YAML file in models/engines/ (README there).
 *
 * The shipped profiles are embedded in the binary (Makefile ASSETS, lib/assets.h), so that
 * `ttsim run --engine NAME` and `ttsim validate` work from any directory.
 *
 * A hardware profile's `overhead` block (step_base, step_per_seq, step_per_tp) is the CPU
 * time of vLLM V1's engine step on that GPU's host. An engine profile says what another
 * engine (or version) costs beyond that, and what it does by default:
 *
 *     schema_version: 1
 *     name: vllm-v0                # the engine family ttsim validate groups by
 *     engine: vllm
 *     versions: "0.4 - 0.7"        # free text: which releases it describes
 *     step_cpu_extra:              # s, added to the hardware profile's overheads
 *       base_s: 0.0012             #   per engine step
 *       per_seq_s: 6.7e-05         #   per sequence in the step
 *       per_tp_s: 0                #   per extra tensor-parallel worker
 *       per_ctx_token_s: 0         #   per KV token the step's decoding sequences hold
 *                                  #   (optional; absent: 0)
 *     frontend:                    # the API server, in series with the engine
 *       per_request_s: 0           #   per request (template, tokenise, set up)
 *       per_output_token_s: 0      #   per streamed output token
 *       latency_s: 0               #   per request, occupying no serial server (optional;
 *                                  #   the /v1/completions endpoint's)
 *       chat_latency_s: 0          #   the same on /v1/chat/completions (optional;
 *                                  #   absent: latency_s): the chat template, message
 *                                  #   parsing and the chat response path
 *       chat_per_request_s: 0      #   per_request_s on /v1/chat/completions (optional;
 *                                  #   absent: per_request_s)
 *       chat_per_output_token_s: 0 #   per_output_token_s on /v1/chat/completions
 *                                  #   (optional; absent: per_output_token_s)
 *       first_token_s: 0           #   per request, once, when its first token passes the
 *                                  #   server: its output state, first chunk, parsers
 *                                  #   (optional; absent: 0)
 *       chat_first_token_s: 0      #   first_token_s on /v1/chat/completions (optional;
 *                                  #   absent: first_token_s)
 *     speculative:                 # per-draft costs of its proposers (optional; without
 *                                  #   it, model and EAGLE drafters are refused unless the
 *                                  #   run gives spec_draft_cpu_s, spec_step_cpu_s and
 *                                  #   spec_eagle3_remap_cpu_s)
 *       draft_forward_cpu_s: 0.0007  # CPU per draft forward (under CUDA graphs: a floor
 *                                    #   the forward's GPU time overlaps)
 *       step_cpu_s: 0.00129          # CPU a speculative step adds once
 *       eagle3_remap_cpu_s: 0.0001   # CPU per EAGLE-3 draft forward for its
 *                                    #   draft-to-target vocabulary remap (eager ops)
 *     defaults:                    # the engine's defaults (a run's own options win)
 *       chunked_prefill: false
 *       prefix_caching: false      # optional: a preempted request finds its blocks in
 *                                  #   the prefix cache (absent: ttsim's default, true)
 *       max_num_seqs: 256
 *       max_num_batched_tokens: 0  # 0: ttsim's default
 *       guaranteed_no_evict: true  # optional: admit only what can run to its end with
 *                                  #   no preemption (TensorRT-LLM's capacity policy)
 *       kv_free_fraction: 0.9      # optional: the KV cache is this share of the memory
 *                                  #   left after weights, activations and the reserve
 *                                  #   (TensorRT-LLM's free_gpu_memory_fraction); absent:
 *                                  #   vLLM's rule (gpu_memory_utilization of HBM)
 *       unchunked_max_len: true    # optional: with chunked prefill off and no budget of
 *                                  #   the run's or the profile's, the step budget is
 *                                  #   max(max_model_len, 2048) (vLLM V0's
 *                                  #   SchedulerConfig); max_model_len: the run's, else
 *                                  #   the model's max_len (sim/run.c run_engine_defaults)
 *       long_context_len: 32768    # optional (0: none): a run that does not set chunked
 *                                  #   prefill and whose max_model_len exceeds this gets
 *                                  #   it on (V0 since vLLM PR #6666; not with a sliding window
 *                                  #   or a drafter), with the budget below unless the run
 *                                  #   gives one
 *       long_context_max_num_batched_tokens: 512  # that budget (required with
 *                                  #   long_context_len)
 *       offline_max_num_seqs: 256  # optional: the two limits for an offline batch (the
 *       offline_max_num_batched_tokens: 8192  # run's endpoint none, vLLM's LLM class);
 *                                  #   absent: the two above (an API server's)
 *       attention_kernels: trtllm  # optional: the engine's own attention kernels, timed
 *                                  #   by the hardware profile's attention_trtllm section
 *                                  #   (fitted to TensorRT-LLM's measured kernels) where it
 *                                  #   has one; absent: its attention section (vLLM's
 *                                  #   FlashAttention), as for every engine before
 *       large_gpu_min_gib: 70      # optional (0: none): on a GPU of at least this much
 *       large_gpu_except: "a100"   #   HBM whose hardware profile's name and gpu do not
 *                                  #   contain this (case aside), the limits below
 *                                  #   (vLLM >= 0.10's EngineArgs defaults by device)
 *       large_gpu_max_num_seqs: 1024             # an API server there; absent: the
 *       large_gpu_max_num_batched_tokens: 8192   #   ones above
 *       large_gpu_offline_max_num_seqs: 1024     # an offline batch there; absent: the
 *       large_gpu_offline_max_num_batched_tokens: 16384  # API server's there
 *     source: "..."                # where each number comes from (required)
 *
 * Unknown keys are errors ("FILE:LINE: key 'k': ..."). The frontend block is the engine's
 * front-end stage (sim/engine.h: one serial server per replica, per request and per
 * streamed token, in series with the engine core).
 */
#ifndef TTSIM_ENGINE_PROFILE_H
#define TTSIM_ENGINE_PROFILE_H

#include <stddef.h>

#define ENGINE_PROFILE_DIR "models/engines/"

/* The front end (the frontend block; sim/engine.h: one serial server per replica, in
 * series with the engine core) of one endpoint. A profile holds one per endpoint: its
 * keys per_request_s, per_output_token_s, latency_s, first_token_s are FE_COMPLETIONS
 * (/v1/completions), the chat_ ones FE_CHAT (/v1/chat/completions). */
enum fe_endpoint { FE_COMPLETIONS, FE_CHAT, FE_N };
/* Its terms, in this order wherever a fit or a printout takes them by number. */
enum fe_term { FE_PER_REQUEST, FE_PER_OUTPUT_TOKEN, FE_LATENCY, FE_FIRST_TOKEN, FE_NTERM };
struct frontend {
	double per_request;       /* s of the API server per request (template, tokenise) */
	double per_output_token;  /* s of the API server per streamed output token */
	double latency;           /* s from the server's hand-off to the engine core seeing a
	                             request, occupying no serial server (the hop) */
	double first_token;       /* s of the API server per request, once, when its first
	                             token passes the server (0 when absent) */
};
/* One more term: its field here, its case in frontend_term, its key per endpoint in
 * engine_profile.c's key table (the order there is the order written), its axis in the
 * fit (experiments/validate.c: fe_n, fe_step, the stages' strides); sim/engine.c reads
 * it. One more endpoint: its FE_ value, its keys in that table, and sim/run.c's pick by
 * the client's endpoint (sim/config.h). The loops elsewhere follow FE_N and FE_NTERM. */
/* Term t (enum fe_term) of f. */
double *frontend_term(struct frontend *f, int t);
/* The i-th key of the frontend block (0 <= i < FE_N x FE_NTERM), without "frontend.", in
 * the order engine_profile_write writes them ("per_request_s", .., "chat_first_token_s"),
 * with the endpoint and term it sets; NULL past the last. */
const char *engine_profile_fe_key(int i, int *endpoint, int *term);

struct engine_profile {
	char name[64];
	char engine[32];
	char versions[64];
	char source[512];
	double step_base_extra;      /* s per step */
	double step_per_seq_extra;   /* s per sequence per step */
	double step_per_tp_extra;    /* s per extra TP worker per step */
	double step_per_ctx_token_extra; /* s per KV token of the step's decoding sequences */
	struct frontend fe[FE_N];    /* the API server, per endpoint (the chat_ keys: FE_CHAT;
	                                a chat_ key not given: the completions one) */
	int has_spec;                /* the speculative block was given (all three keys) */
	double spec_draft_forward_cpu; /* s of CPU per draft forward */
	double spec_step_cpu;        /* s of CPU per speculative step */
	double spec_eagle3_remap_cpu; /* s of CPU per EAGLE-3 draft forward (vocab remap) */
	int chunked_prefill;         /* -1: not said, else 0/1 */
	int prefix_caching;          /* -1: not said, else 0/1 */
	int guaranteed_no_evict;     /* -1: not said, else 0/1 */
	double kv_free_fraction;     /* 0: not said (vLLM's gpu_memory_utilization rule) */
	int unchunked_max_len;       /* -1: not said, else 0/1: unchunked, the budget is
	                                max(max_model_len, 2048) (vLLM V0) */
	int long_context_len;        /* 0: not said; above it, chunked prefill by default */
	int long_context_budget;     /* the budget then (defaults.long_context_max_num_
	                                batched_tokens) */
	/* max_num_seqs and max_num_batched_tokens by GPU and usage, [large GPU][offline] (0:
	 * not said; [0][0]: defaults.max_num_seqs and max_num_batched_tokens, an API server on
	 * any GPU): engine_profile_limits resolves them */
	struct engine_limits {
		int seqs, tokens;
	} lim[2][2];
	char attention[16];          /* "" (the hardware profile's attention section) or
	                                "trtllm" (its attention_trtllm section where it has
	                                one: sim/run.c engine_apply) */
	int large_gpu_min_gib;       /* 0: no GPU is large */
	char large_gpu_except[32];   /* a name no large GPU's contains ("" none) */
};
/* The engine's max_num_seqs and max_num_batched_tokens (0: not said) for a run on a large
 * GPU or not, offline or served: each key as given for that case, else the served one of
 * the same GPU class, else the base pair. */
struct engine_limits engine_profile_limits(const struct engine_profile *e, int large,
					   int offline);
/* Whether a GPU of hbm_bytes named name (the hardware profile's name) and gpu (its
 * description) is large for e: large_gpu_min_gib set, HBM at least that, and neither string
 * containing large_gpu_except (case aside). */
int engine_profile_large_gpu(const struct engine_profile *e, double hbm_bytes,
			     const char *name, const char *gpu);

/* Parse a profile's text (path for messages). 0, or -1 with err_set. */
int engine_profile_parse(struct engine_profile *e, const char *text, size_t len,
			 const char *path);
/* NAME (models/engines/NAME.yaml, embedded in the binary: lib/assets.h) or a path to a
 * YAML file (one with a '/'). 0, or -1 with err_set (an unknown NAME lists the known). */
int engine_profile_load(struct engine_profile *e, const char *name);
/* Whether NAME is an embedded engine profile. */
int engine_profile_exists(const char *name);
/* Append e as a complete profile (schema_version 1, every key of the schema above, in its
 * order; values with %.6g, enough for the fitted seconds) that engine_profile_parse reads
 * back to the same values. comment(key) may give a comment for a key's line ("block.key";
 * NULL: none). `ttsim calibrate engine` writes its fits with it. */
struct sbuf;
void engine_profile_write(const struct engine_profile *e, struct sbuf *sb,
			  const char *(*comment)(const char *key, void *ctx), void *ctx);

#endif
