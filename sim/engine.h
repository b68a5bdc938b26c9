/*
 * engine.h: the event-driven model of a vLLM-style serving system.
 *
 * A cluster of `replicas` engines, each a group of tp GPUs in one node, serves problems;
 * a problem is one or more sequences (its samples) that arrive together. Each replica runs
 * vLLM V1's scheduling loop: running decodes first, then running prefill chunks, then
 * waiting requests in FCFS order, within max_num_seqs and max_num_batched_tokens; a paged
 * KV cache of fixed-size blocks, allocated as sequences grow; when a step cannot get the
 * blocks it needs, the newest running sequence is preempted and later recomputed. Each
 * step's time comes from models/cost.h.
 *
 * The engine never reads files and owns no global state: sim_run() is a pure function of
 * its inputs (several may run at once in one process).
 *
 * The decoding sequences of a replica form its decode set, one interface (join, leave,
 * reserve the next step's blocks, the step's context sum, advance after a step, pop the
 * sequences that finished) with two implementations in engine.c:
 *   - the aggregate set, for token-at-a-time decoding: count, sum of KV lengths, sequences
 *     by block phase and a heap of finishing steps, so a step costs O(log n) in the
 *     sequences that start or finish, not O(n) in the batch; stretches of steps in which
 *     only decoding happens are folded into one event, each step timed as if alone;
 *   - the per-sequence walk: each sequence holds its KV length and blocks and every step
 *     visits them all; needed by speculative decoding, where each sequence advances by a
 *     random number of tokens, and by models with sliding-window KV cache groups, where
 *     each sequence frees blocks as it passes its window (models/model.h, kv_groups).
 * sim_setup.reference runs every configuration through the walk without folding: the
 * reference engine. Both give byte-identical results (tests/test_differential.c); an
 * engine change that moves one but not the other is a bug in the fast one.
 *
 * The front end (sim_setup.fe, its endpoint's struct frontend of models/engine_profile.h;
 * off when all are 0): each replica has one serial server,
 * the API server process (HTTP, chat template, tokenisation, detokenisation, streaming), in
 * series with its engine, first come first served over requests and output tokens, and a
 * fixed latency that occupies no server:
 *   - a request routed to the replica at its arrival a takes fe.per_request of the server,
 *     F = max(a, free) + fe.per_request (free: when the server is next idle; then free = F),
 *     and the engine sees it fe.latency later, at F + fe.latency (the hop to the engine
 *     core: ZMQ, its input thread, the HTTP exchange; many requests are in it at once);
 *   - the k > 0 output tokens an engine step makes, ending at t, are streamed as one batch
 *     (vLLM's output processor takes a step's outputs together): they pass the server at
 *     D = max(t, free) + round(k' fe.per_output_token) (then free = D and last = D), where
 *     k' = k if the replica's previous batch had passed (t >= last), else only the step's
 *     first tokens: a request's token made while its previous output still waits joins
 *     that output and is streamed with it (vLLM V1's RequestOutputCollector merges a
 *     request's outputs while its consumer is behind), so a server that falls behind
 *     catches up instead of queueing every token;
 *     plus fe.first_token for each of the step's first tokens (a request's output state,
 *     first chunk and parsers: once per request); the step's first tokens pass one after
 *     another, the j-th of n at D - (n - 1 - j) fe.first_token;
 *   - a request's first token time (t_first) is that, and its end (t_done, of a completed
 *     request) the D of the step that made its last token; a problem ends when its last sequence's
 *     last token has passed, and a closed-loop client sends its next problem then.
 * Cancelled (early-stopped) sequences end at the engine's time: nothing is streamed for them.
 * The front end's time is not engine busy time. Zero front end: exactly the engine without.
 */
#ifndef TTSIM_ENGINE_H
#define TTSIM_ENGINE_H

#include <stdint.h>

#include <signal.h>

#include "models/cost.h"
#include "models/engine_profile.h"

/* One sequence: a sample of a problem. Inputs, then results filled by sim_run. */
struct sim_req {
	int32_t problem;     /* index of its problem */
	int32_t prompt;      /* prompt tokens */
	int32_t output;      /* output tokens to generate */
	int16_t answer;      /* for early stopping: 0 correct, k > 0 wrong answer k, -1 unknown */
	uint8_t cancelled;   /* result: cancelled by early stopping before it finished */
	uint8_t pad_;
	int64_t t_first;     /* result, ns: first output token (-1 if never) */
	int64_t t_done;      /* result, ns: last output token or cancellation */
	int32_t generated;   /* result: output tokens produced */
	int32_t preemptions; /* result: times it was preempted */
	int32_t replica;     /* result: replica that served it */
};

/* A problem: sequences [first, first + n) that arrive together. */
struct sim_problem {
	int64_t arrival;     /* ns; ignored (set by the engine) in closed-loop mode */
	int32_t first, n;
	uint8_t early_stop;  /* cancel the rest once the majority cannot change */
	uint8_t share;       /* n > 1: one prefill, then fork n samples sharing the prompt's
	                        full KV blocks (reference counted, as vLLM's n > 1) */
	int64_t t_done;      /* result, ns: when its last sequence finished or was cancelled */
};

enum { SIM_OPEN = 0, SIM_CLOSED = 1 };

/* Speculative decoding. Each step drafts k tokens per decoding sequence, then verifies
 * k + 1 tokens per sequence with the target; a sequence keeps the accepted prefix of the
 * draft plus one token from the target. Acceptance is drawn per sequence and step. */
/* How arrivals are spread over replicas (the `route` option's values, in this order), at
 * each problem's arrival, from what a router can know then (no output lengths):
 *   ROUTE_ROUND_ROBIN   in turn;
 *   ROUTE_LEAST_LOADED  fewest sequences routed to it and not finished or cancelled;
 *   ROUTE_LEAST_KV      fewest KV blocks: those in use (the step in flight's included)
 *                       plus those that the requests routed to it and not yet admitted
 *                       will take at admission (prompt, or prompt and output to recompute
 *                       after a preemption; a forked leader's copies for its siblings).
 * Ties go to the lower index. */
enum route_policy { ROUTE_ROUND_ROBIN, ROUTE_LEAST_LOADED, ROUTE_LEAST_KV };

#define SPEC_MAX_K 16
enum { DRAFT_NONE, DRAFT_MODEL, DRAFT_NGRAM, DRAFT_EAGLE, DRAFT_EAGLE3, DRAFT_MTP };
enum { ACCEPT_IID, ACCEPT_POSITION, ACCEPT_LENGTH };
struct spec_setup {
	int k;                        /* draft tokens per step; 0: no speculation */
	int draft_kind;               /* DRAFT_* */
	const struct model *draft;    /* DRAFT_MODEL: the draft model (same tokenizer) */
	int mtp_layers;               /* DRAFT_MTP: the target's MTP modules (models/drafter.h) */
	int accept_kind;              /* ACCEPT_* */
	double alpha;                 /* ACCEPT_IID: P(accept) of each draft token */
	double pos[SPEC_MAX_K];       /* ACCEPT_POSITION: P(accept token i | 0..i-1 accepted) */
	double len_p[SPEC_MAX_K + 1]; /* ACCEPT_LENGTH: P(j draft tokens accepted), j = 0..k */
	double ngram_s_per_seq;       /* DRAFT_NGRAM: CPU seconds per sequence per proposal */
	double ngram_miss;            /* DRAFT_NGRAM: P(a sequence's lookup finds no match at a
	                                 step: it drafts nothing and verifies 1 token), drawn
	                                 per sequence and step; 0: every lookup matches */
	double draft_step_s;          /* model and EAGLE drafters: CPU seconds per draft forward
	                                 under CUDA graphs (eager: the engine's step overhead) */
	double step_cpu_s;            /* model and EAGLE drafters: CPU seconds a speculative
	                                 step adds once (bookkeeping, rejection setup) */
	double eagle3_remap_s;        /* EAGLE-3: CPU seconds per draft forward of its
	                                 draft-to-target vocabulary remap (eager ops outside
	                                 the drafter's CUDA graph) */
	int tree_topk;                /* EAGLE tree drafting (SGLang's speculative_eagle_topk,
	                                 vLLM's speculative_token_tree): candidates each draft
	                                 forward after the first keeps per expanded branch;
	                                 0 or 1: a chain */
	int verify_tokens;            /* tokens per sequence in the verification: the tree's
	                                 (speculative_num_draft_tokens, root included), or
	                                 0: a chain's k + 1 */
	int disable_batch;            /* > 0: steps with more decoding sequences than this run
	                                 without speculation (vLLM disable_by_batch_size) */
};

/* Expected speed-up of speculation for one decode-only step of n sequences each attending
 * to ctx cached tokens: E[tokens per verification] x t(plain step) / (t(verification of
 * k + 1 tokens per sequence) + t(drafting)), from the cost model alone (no simulation).
 * s as for sim_run with s->spec.k >= 1; the acceptance's expectation, not a draw. */
struct sim_setup;
double sim_spec_speedup(const struct sim_setup *s, int n, double ctx);
/* Seconds of one engine step of batch b under s's pipeline (engine.c, "pipeline
 * parallelism"; pp 1: cost_step), or -1 with err set; *busy_share (if not NULL), the share
 * of it the stages' GPUs work, the rest being the bubble that energy counts as idle (1 at
 * pp 1). For tests and reports. */
double sim_pp_period(const struct sim_setup *s, const struct step_batch *b, double *busy_share);

struct sim_setup {
	const struct model *model;
	const struct profile *profile;
	struct cost_memo_pool *memo_pool; /* NULL, or GEMM memo tables to share across runs
	                                     on this thread (models/cost.h) */
	int tp, replicas;
	int pp;                      /* pipeline stages per replica (1: none) */
	int tp_nodes;                /* nodes a TP group spans (run_layout; 0 or 1: one) */
	int pp_cross;                /* stage boundaries that cross nodes (of pp - 1) */
	int route;                   /* enum route_policy */
	int cuda_graphs, chunked_prefill;
	int async_sched;             /* vLLM --async-scheduling (models/cost.h async_sched) */
	int flashinfer_sampler;      /* vLLM samples with FlashInfer's top-k/top-p kernel: its
	                                profile run's sampler pass holds less (cost_mem_plan) */
	int prefix_caching;          /* a preempted sequence's full blocks stay cached in the free
	                                queue until handed out again; admitted again, it
	                                recomputes only what was handed out (vLLM V1) */
	int prompt_cache;            /* every prompt's full blocks, all but its last token's, are
	                                in the prefix cache at admission (held as the sequence's
	                                own blocks): the prefill starts after them */
	int max_num_seqs, max_num_batched_tokens, block_size;
	double gpu_memory_utilization;
	int no_evict;                /* admit a request only when the blocks of its whole length
	                                fit beside every running request's (TensorRT-LLM's
	                                GUARANTEED_NO_EVICT): nothing is ever preempted */
	int32_t no_evict_out;        /* no_evict: output tokens a request may reach when more
	                                than its own output (the client's max_tokens) */
	double kv_free_fraction;       /* > 0: KV = this share of HBM less weights, activations
	                                  and reserve (TensorRT-LLM); 0: gpu_memory_utilization */
	int loop;                    /* SIM_OPEN: problems arrive at their time; SIM_CLOSED */
	int concurrency;             /* SIM_CLOSED: problems in flight */
	uint64_t seed;
	struct spec_setup spec;
	int check;                   /* tests: verify the scheduler's invariants every
	                                `check`-th step (1: every step; 0: never; each check
	                                walks every sequence: slow) */
	int reference;               /* run the reference engine: the per-sequence decode set
	                                for every run, no folded steps (slow; the oracle the
	                                fast engine is checked against, byte for byte) */
	struct frontend fe;          /* the API server (all 0: no front end, the engine sees each
	                                request at its arrival): per_request, s of its time per
	                                request; per_output_token, per streamed output token;
	                                latency, a request's delay from the server to the engine
	                                core, occupying no server; first_token, per request,
	                                once, when its first token passes the server (its
	                                output state, first chunk, parsers): the step's k_first
	                                first tokens add k_first fe.first_token to its batch's
	                                server time */
	volatile sig_atomic_t *stop; /* NULL, or a flag (set by a signal handler) checked every
	                                SIM_STOP_EVERY events: when nonzero, sim_run returns -1
	                                with err "interrupted" */
};

#define SIM_STOP_EVERY 4096 /* events between two looks at *stop */

struct sim_stats {
	int64_t makespan;        /* ns: from the first arrival to the last completion */
	int64_t busy_ns_total;   /* ns: sum over replicas of time spent stepping */
	long steps;              /* engine steps over all replicas */
	long preemptions;
	double output_tokens;    /* tokens generated (including recomputed ones once) */
	double prefill_tokens;   /* tokens prefilled, recomputation included */
	double preempt_hit_tokens; /* of the tokens preempted sequences had to recompute,
	                              those found in the prefix cache (prefix_caching) */
	long kv_blocks;          /* KV blocks per replica */
	double kv_bytes;         /* bytes of KV cache per GPU */
	double weight_bytes;     /* bytes of weights per GPU */
	int max_running;         /* most sequences running at once on one replica */
	long peak_kv_blocks;     /* most KV blocks in use at once on one replica */
	double spec_drafted;     /* draft tokens proposed */
	double spec_accepted;    /* draft tokens accepted */
	double spec_verifications; /* (sequence, step) verifications with drafts */
	double spec_undrafted;   /* (sequence, step) pairs of a speculative step without a
	                            draft (n-gram: no match), one token verified */
	double draft_s;          /* s: time spent drafting, over all steps */
};

/* Run the simulation. Problems must be sorted by arrival (open loop), at 0 to TIME_NS_MAX
 * (lib/util.h). 0, or -1 with err_set (a model that does not fit, a request larger than
 * the KV cache, a step that would end past TIME_NS_MAX: "key 'gpu': ..." when the step
 * alone takes over an hour, a profile's unit typed wrong, else "key 'requests': ...";
 * or "interrupted" when *s->stop was set). The fast and the reference engine refuse
 * alike. */
int sim_run(const struct sim_setup *s, struct sim_problem *probs, long n_probs,
	    struct sim_req *reqs, long n_reqs, struct sim_stats *out);

#endif
