/* config.c: the option table and its three readers (YAML, flags, defaults). See config.h. */
#include "sim/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/ydoc.h"

static const char *const route_names[] = {"round_robin", "least_loaded", "least_kv", NULL};
static const char *const arrival_names[] = {"offline", "poisson", "closed", "trace", NULL};
static const char *const length_names[] = {"fixed", "uniform", "exponential", "lognormal", NULL};
static const char *const ep_names[] = {"none", "tp", "dp", NULL};
static const char *const mxfp4_names[] = {"auto", "marlin", "triton", NULL};
static const char *const vote_names[] = {"none", "majority", "best", "pass", NULL};
static const char *const range_law_names[] = {"vllm", "vllm_old", NULL};
static const char *const endpoint_names[] = {"completions", "chat", "none", NULL};

#define F(f) offsetof(struct run_config, f)
#define S(f) sizeof(((struct run_config *)0)->f)
#define BIG 1e18

static const struct option_def options[] = {
	{"name", OPT_STR, F(name), S(name), 0, 0, "", NULL, "experiment name"},
	{"model", OPT_STR, F(model), S(model), 0, 0, "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", NULL,
	 "model: Hugging Face id, alias (ttsim models) or path to a config.json"},
	{"gpu", OPT_STR, F(gpu), S(gpu), 0, 0, "gh200", NULL,
	 "hardware profile: shipped name (ttsim profiles) or YAML path"},
	{"tp", OPT_INT, F(tp), 0, 1, 8, "1", NULL, "tensor-parallel GPUs per replica (1, 2, 4, 8)"},
	{"ep", OPT_ENUM, F(ep), 0, 0, 0, "none", ep_names,
	 "expert parallelism for MoE models over the tp GPUs: none (each expert split by width), "
	 "tp (whole experts a GPU, attention tensor-parallel: vLLM --enable-expert-parallel), "
	 "dp (data-parallel attention, each GPU its own sequences, tokens dispatched to the "
	 "experts and combined by all-to-alls: vLLM --data-parallel-size tp "
	 "--enable-expert-parallel; max_num_seqs and max_num_batched_tokens are the replica's, "
	 "the sum over its ranks)"},
	{"mxfp4_backend", OPT_ENUM, F(mxfp4_backend), 0, 0, 0, "auto", mxfp4_names,
	 "vLLM's kernel for MXFP4 experts (gpt-oss), which sets the padded shapes it loads them "
	 "in: marlin (intermediate size a GPU rounded to 128, hidden to 256: every A100; H100, "
	 "H200 and GH200 up to vLLM 0.11.0), triton (triton_kernels, Hopper from vLLM 0.11.1: "
	 "intermediate to 64; refused on a GPU without it); auto: marlin below SM90 (A100), "
	 "triton on SM90 (pass marlin for a pip-installed vLLM 0.11.0 or older there)"},
	{"moe_skew", OPT_DOUBLE, F(moe_skew), 0, 0, 4, "0", NULL,
	 "MoE routing skew: 0 balanced; s > 0 expert i chosen in proportion to i^-s, the "
	 "hottest on the first GPU (synthetic, no public per-expert loads used)"},
	{"replicas", OPT_INT, F(replicas), 0, 1, 4096, "1", NULL, "data-parallel replicas"},
	{"pp", OPT_INT, F(pp), 0, 1, 64, "1", NULL,
	 "pipeline-parallel stages per replica, tp GPUs each (vLLM --pipeline-parallel-size)"},
	{"nodes", OPT_INT, F(nodes), 0, 1, 64, "1", NULL,
	 "nodes one replica's tp x pp GPUs spread over, evenly: stages packed into nodes "
	 "first, a TP group split over nodes only when there are more nodes than stages; "
	 "over 1 needs a profile with a network section"},
	{"route", OPT_ENUM, F(route), 0, 0, 0, "least_loaded", route_names,
	 "routing of problems to replicas, at arrival: round_robin (in turn), least_loaded (fewest "
	 "sequences routed and unfinished), least_kv (fewest KV blocks in use plus prompt blocks "
	 "routed and not yet admitted); ties to the lower index"},
	{"trace", OPT_STR, F(trace), S(trace), 0, 0, "", NULL,
	 "trace: math500:MODEL or a JSONL path (empty: synthetic requests)"},
	{"input_len", OPT_INT, F(input_len), 0, 1, 1 << 24, "1024", NULL,
	 "prompt tokens of synthetic requests"},
	{"output_len", OPT_INT, F(output_len), 0, 1, 1 << 24, "1024", NULL,
	 "output tokens of synthetic requests"},
	{"requests", OPT_LONG, F(requests), 0, 0, 1e8, "0", NULL,
	 "synthetic requests (0: 100), or the first K problems of a trace (0: all; with "
	 "resample, K drawn with replacement)"},
	{"length_dist", OPT_ENUM, F(length_dist), 0, 0, 0, "fixed", length_names,
	 "synthetic lengths: fixed, uniform, exponential or lognormal, with means input_len and "
	 "output_len"},
	{"length_cv", OPT_DOUBLE, F(length_cv), 0, 0, 10, "0.5", NULL,
	 "coefficient of variation of uniform and lognormal lengths"},
	{"arrival", OPT_ENUM, F(arrival), 0, 0, 0, "offline", arrival_names,
	 "arrivals: offline (all at once), poisson (--rate), closed (--concurrency), trace"},
	{"rate", OPT_DOUBLE, F(rate), 0, 1e-9, 1e9, "1", NULL, "Poisson arrival rate, problems/s"},
	{"concurrency", OPT_INT, F(concurrency), 0, 1, 1 << 24, "1", NULL,
	 "closed-loop clients (vllm bench serve --max-concurrency)"},
	{"seed", OPT_U64, F(seed), 0, 0, 0, "1", NULL, "random seed"},
	{"max_num_seqs", OPT_INT, F(max_num_seqs), 0, 1, 1 << 20, "256", NULL,
	 "vLLM max_num_seqs: sequences per step"},
	{"max_num_batched_tokens", OPT_INT, F(max_num_batched_tokens), 0, 1, 1 << 24, "8192", NULL,
	 "vLLM max_num_batched_tokens: tokens per step"},
	{"block_size", OPT_INT, F(block_size), 0, 1, 256, "16", NULL, "tokens per KV-cache block"},
	{"gpu_memory_utilization", OPT_DOUBLE, F(gpu_memory_utilization), 0, 0.05, 1.0, "0.9", NULL,
	 "fraction of HBM vLLM may use"},
	{"guaranteed_no_evict", OPT_BOOL, F(guaranteed_no_evict), 0, 0, 1, "false", NULL,
	 "admit a request only when the KV blocks of its whole length (prompt and the output it "
	 "may reach) fit beside those of every running request, so none is ever preempted "
	 "(TensorRT-LLM's GUARANTEED_NO_EVICT capacity policy); false: vLLM's admission by the "
	 "prompt's blocks, preempting when decodes run out"},
	{"kv_free_fraction", OPT_DOUBLE, F(kv_free_fraction), 0, 0, 1.0, "0", NULL,
	 "KV cache as TensorRT-LLM sizes it: this fraction of the memory left free after "
	 "weights, activations and the reserve (kv_cache_free_gpu_memory_fraction); 0: vLLM's "
	 "rule (gpu_memory_utilization of HBM, less the same)"},
	{"max_model_len", OPT_INT, F(max_model_len), 0, 0, 1 << 24, "0", NULL,
	 "vLLM --max-model-len: the memory report's (summary.memory: maximum_concurrency at "
	 "this many tokens a request), and the step budget an engine profile sets (vllm-v0: "
	 "max(max_model_len, 2048)); 0: the model's max_position_embeddings"},
	{"chunked_prefill", OPT_BOOL, F(chunked_prefill), 0, 0, 1, "true", NULL,
	 "split long prefills over steps"},
	{"async_scheduling", OPT_BOOL, F(async_scheduling), 0, 0, 1, "false", NULL,
	 "vLLM --async-scheduling: the engine schedules step N+1 while the GPU runs step N, so "
	 "a step lasts the longer of its GPU time and the engine's per-step CPU, not their sum "
	 "(vLLM PRs #19970, #23569); not with speculative decoding or pipeline stages, which "
	 "vLLM does not run with it"},
	{"cuda_graphs", OPT_BOOL, F(cuda_graphs), 0, 0, 1, "true", NULL,
	 "replay decode steps as CUDA graphs (vLLM default; false = --enforce-eager: each op "
	 "then costs the profile's overhead.host_op_eager of host time, and a step lasts the "
	 "longer of its GPU and host time)"},
	{"dtype", OPT_STR, F(dtype), S(dtype), 0, 0, "auto", NULL,
	 "weight dtype: auto (the checkpoint's own: fp8 for a published fp8 release such as "
	 "DeepSeek-V3/R1, else bf16), bf16 or fp8"},
	{"kv_dtype", OPT_STR, F(kv_dtype), S(kv_dtype), 0, 0, "bf16", NULL,
	 "KV-cache dtype: bf16 or fp8"},
	{"usd_per_gpu_hour", OPT_DOUBLE, F(usd_per_gpu_hour), 0, -1, 1e6, "-1", NULL,
	 "price per GPU-hour in USD; -1 takes the profile's"},
	{"samples", OPT_INT, F(samples), 0, 1, 1 << 16, "1", NULL, "samples per problem (trace)"},
	{"vote", OPT_ENUM, F(vote), 0, 0, 0, "majority", vote_names,
	 "answer aggregation: none (first sample), majority, best (reward model), pass (perfect verifier)"},
	{"early_stop", OPT_BOOL, F(tts.early_stop), 0, 0, 1, "false", NULL,
	 "cancel a problem's samples once the vote is decided"},
	{"budget", OPT_INT, F(budget), 0, 0, 1 << 24, "0", NULL,
	 "thinking budget per sample, tokens (0: none)"},
	{"waits", OPT_INT, F(waits), 0, 0, 64, "0", NULL, "\"Wait\" extensions (budget forcing)"},
	{"share_prefix", OPT_BOOL, F(share_prefix), 0, 0, 1, "true", NULL,
	 "samples of a problem share one prefill and the prompt's KV blocks (vLLM n > 1)"},
	{"flashinfer_sampler", OPT_BOOL, F(flashinfer_sampler), 0, 0, 1, "false", NULL,
	 "vLLM samples top-k/top-p with FlashInfer's kernel (VLLM_USE_FLASHINFER_SAMPLER: on in "
	 "vLLM 0.9 to 0.11.0 where FlashInfer is installed, as in vLLM's and GPUStack's images; "
	 "off from 0.11.1): its startup profile's sampler pass over max_num_seqs rows holds 14 "
	 "bytes a logit, not the PyTorch sort's 28, so the KV cache is larger"},
	{"prefix_caching", OPT_BOOL, F(prefix_caching), 0, 0, 1, "true", NULL,
	 "vLLM --enable-prefix-caching, on in V1 (an engine profile may say otherwise): a "
	 "preempted request admitted again finds what is left of its full KV blocks in the "
	 "prefix cache and recomputes only the rest"},
	{"prompt_cache", OPT_BOOL, F(prompt_cache), 0, 0, 1, "false", NULL,
	 "every prompt was sent before (a benchmark cycling a pool of prompts): its full KV "
	 "blocks, all but its last token's, come from vLLM's prefix cache, not prefilled"},
	/* the accuracy model of test-time scaling: defaults and grounds in traces/README.md */
	{"tts_bf_settle", OPT_DOUBLE, F(tts.bf_settle), 0, 0.01, 10, "0.4071", NULL,
	 "budget forcing: a sample's answer is settled around this x its problem's geometric-mean "
	 "correct length (fitted with tts_bf_sigma and tts_bf_guess to Time's Up!'s accuracy-against-budget "
	 "curves, arXiv:2504.14350: ttsim trace tts-fit)"},
	{"tts_bf_sigma", OPT_DOUBLE, F(tts.bf_sigma), 0, 0.01, 5, "1.4867", NULL,
	 "log-sd of the settle point (fitted with tts_bf_settle)"},
	{"tts_bf_guess", OPT_DOUBLE, F(tts.bf_guess), 0, 0, 1, "0.2544", NULL,
	 "budget forcing: an answer forced before it is settled is right with this x the problem's solve "
	 "rate (fitted with tts_bf_settle)"},
	{"tts_answer_tokens", OPT_INT, F(tts.answer_tokens), 0, 0, 4096, "16", NULL,
	 "tokens of a forced answer"},
	{"tts_wait_frac", OPT_DOUBLE, F(tts.wait_frac), 0, 0, 10, "0.25", NULL,
	 "mean tokens per \"Wait\", as a fraction of the sample's length"},
	{"tts_wait_shape", OPT_DOUBLE, F(tts.wait_shape), 0, 0.01, 100, "2", NULL,
	 "gamma shape of a \"Wait\" continuation's length"},
	{"tts_wait_fix", OPT_DOUBLE, F(tts.wait_fix), 0, 0, 1, "1", NULL,
	 "per wait: P(wrong -> right) = wait_fix x the problem's solve rate"},
	{"tts_wait_break", OPT_DOUBLE, F(tts.wait_break), 0, 0, 1, "0.0075", NULL,
	 "per wait: P(right -> wrong)"},
	{"tts_rm_accuracy", OPT_DOUBLE, F(tts.rm_accuracy), 0, 0, 1, "0.6099", NULL,
	 "reward model: P(a correct sample outscores a wrong one of its problem), for vote: best "
	 "(fitted by ttsim trace tts-fit to public best-of-N rows, traces/rm_curves.csv)"},
	{"tts_rm_spread", OPT_DOUBLE, F(tts.rm_spread), 0, 0, 20, "1.557", NULL,
	 "reward model: s.d. over problems of its separation of right from wrong scores, for vote: best "
	 "(fitted with tts_rm_accuracy)"},
	{"spec_draft", OPT_STR, F(spec_draft), S(spec_draft), 0, 0, "", NULL,
	 "speculative drafter: a model (own weights and KV cache), ngram, eagle (EAGLE-1), eagle3, or mtp "
	 "(the target's own multi-token-prediction modules, num_nextn_predict_layers of its "
	 "config.json; each forward one module, EAGLE-1's shapes) (empty: none)"},
	{"spec_k", OPT_INT, F(spec_k), 0, 1, 16, "4", NULL, "draft tokens per speculative step"},
	{"spec_alpha", OPT_DOUBLE, F(spec_alpha), 0, 0, 1, "0.7", NULL,
	 "i.i.d. per-token acceptance rate"},
	{"spec_acceptance_length", OPT_DOUBLE, F(spec_acceptance_length), 0, 0, 17, "0",
	 NULL, "mean tokens per target forward, bonus included, as vLLM and SGLang report it "
	 "(0: unset); gives the i.i.d. alpha of spec_k: AL = (1 - alpha^(k+1)) / (1 - alpha). "
	 "Four ways to give acceptance, one at a time: spec_alpha (i.i.d.), "
	 "spec_acceptance_length (i.i.d., alpha derived for spec_k, printed), or spec_acceptance: "
	 "a per-position table (position,p_accept: P(accept i | 1..i-1 accepted)) or an "
	 "empirical distribution (accepted,weight); AL = 1 + sum of the products of the "
	 "per-position rates"},
	{"spec_draft_cpu_s", OPT_DOUBLE, F(spec_draft_cpu_s), 0, -1, 0.1, "-1", NULL,
	 "CPU seconds per draft forward of a model or EAGLE drafter under CUDA graphs (input "
	 "preparation, attention metadata; eager: the engine's step overhead); -1: the "
	 "engine profile's speculative block (vllm-v1's without --engine: fitted on "
	 "tests/validation/spec_fit.csv); -1: the engine's, else overrides it"},
	{"spec_step_cpu_s", OPT_DOUBLE, F(spec_step_cpu_s), 0, -1, 0.1, "-1", NULL,
	 "CPU seconds a speculative step adds once (proposal bookkeeping, rejection sampling "
	 "setup); -1: the engine profile's, else overrides it"},
	{"spec_eagle3_remap_cpu_s", OPT_DOUBLE, F(spec_eagle3_remap_cpu_s), 0, -1, 0.1, "-1",
	 NULL, "CPU seconds an EAGLE-3 draft forward adds for its draft-to-target vocabulary "
	 "remap (eager ops outside the drafter's CUDA graph); -1: the engine profile's, else "
	 "overrides it"},
	{"spec_tree_topk", OPT_INT, F(spec_tree_topk), 0, 1, 64, "1", NULL,
	 "tree drafting with an EAGLE head (SGLang's speculative_eagle_topk): each draft "
	 "forward after the first expands this many branches per sequence; 1: a chain. "
	 "spec_k is the tree's depth (speculative_num_steps)"},
	{"spec_tree_tokens", OPT_INT, F(spec_tree_tokens), 0, 0, 4096, "0", NULL,
	 "draft tokens a tree verifies per sequence, root included (SGLang's "
	 "speculative_num_draft_tokens): the verification batch is the tree, not a chain of "
	 "spec_k + 1; 0: the chain's. Acceptance (alpha, acceptance length, tables) is along "
	 "the accepted path, at most spec_k + 1 tokens per verification"},
	{"spec_ngram_match", OPT_DOUBLE, F(spec_ngram_match), 0, 0, 1, "1", NULL,
	 "n-gram drafter: probability, per sequence and step, that its prompt lookup finds a "
	 "match (an earlier occurrence of its last n tokens) and drafts spec_k tokens; without "
	 "one it drafts nothing and verifies its one token (vLLM V1's n-gram proposer). In "
	 "(0, 1]; 1: always. vLLM's mean acceptance length and acceptance rate count only the "
	 "steps with drafts: give them as they are (spec_acceptance_length, spec_acceptance) "
	 "and the match here; tokens per step are then 1 + match x (AL - 1)"},
	{"spec_disable_batch", OPT_INT, F(spec_disable_batch), 0, 0, 1 << 20, "0", NULL,
	 "a step with more decoding sequences than this runs without speculation (vLLM V0's "
	 "speculative_disable_by_batch_size; 0: never)"},
	{"spec_acceptance", OPT_STR, F(spec_acceptance), S(spec_acceptance), 0, 0, "", NULL,
	 "acceptance file (per-position table or accepted-length distribution)"},
	{"replications", OPT_INT, F(replications), 0, 1, 10000, "1", NULL,
	 "seeds to run; metrics get a 95% interval"},
	/* the benchmark client (sim/client.h) */
	{"range_ratio", OPT_DOUBLE, F(range_ratio), 0, 0, 1, "0", NULL,
	 "vllm bench --random-range-ratio: lengths uniform in [floor(L(1-r)), ceil(L(1+r))] "
	 "(range_law vllm) or [floor(rL), L] (vllm_old); 0: fixed"},
	{"range_law", OPT_ENUM, F(range_law), 0, 0, 0, "vllm", range_law_names,
	 "random-dataset length law: vllm (0.10 on) or vllm_old (0.4-0.6 benchmark_serving.py)"},
	{"burstiness", OPT_DOUBLE, F(burstiness), 0, 1e-3, 1e9, "1", NULL,
	 "gamma shape of arrival gaps at --rate (1 Poisson, <1 burstier, >=1e6 evenly spaced)"},
	{"ignore_eos", OPT_BOOL, F(ignore_eos), 0, 0, 1, "true", NULL,
	 "outputs run to output_len; false: the model stops on its own (mean eos_mean_len)"},
	{"eos_mean_len", OPT_DOUBLE, F(eos_mean_len), 0, 0, 1e7, "0", NULL,
	 "ignore_eos false: mean output tokens, the asked-for length being the cap"},
	{"length_file", OPT_STR, F(length_file), S(length_file), 0, 0, "", NULL,
	 "CSV of input_len,output_len pairs (e.g. ShareGPT), drawn with replacement"},
	{"engine", OPT_STR, F(engine), S(engine), 0, 0, "", NULL,
	 "engine profile: NAME (models/engines/NAME.yaml, embedded) or a path (empty: vLLM V1 "
	 "as profiled, no front end); its step CPU costs, its front end (API server), and its "
	 "max_num_seqs, max_num_batched_tokens and chunked_prefill where the run does not set "
	 "them"},
	{"endpoint", OPT_ENUM, F(endpoint), 0, 0, 0, "completions", endpoint_names,
	 "API endpoint the client calls, for the engine profile's front end: completions "
	 "(/v1/completions, what vllm bench serve calls unless --backend openai-chat), chat "
	 "(/v1/chat/completions: the profile's frontend.chat_* keys) or none (an offline batch: no API server)"},
	{"resample", OPT_BOOL, F(resample), 0, 0, 1, "false", NULL,
	 "trace: draw the `requests` problems with replacement (seeded stream \"resample\"), "
	 "so a run at a rate can be longer than the trace"},
	{"slo_ttft_ms", OPT_DOUBLE, F(slo_ttft_ms), 0, 0, 1e9, "0", NULL,
	 "goodput: a request meets its SLO with TTFT at most this (ms; 0: no limit), as "
	 "'vllm bench serve --goodput ttft:MS'"},
	{"slo_tpot_ms", OPT_DOUBLE, F(slo_tpot_ms), 0, 0, 1e9, "0", NULL,
	 "goodput: TPOT at most this (ms; 0: no limit), as --goodput tpot:MS"},
	{"slo_e2e_ms", OPT_DOUBLE, F(slo_e2e_ms), 0, 0, 1e12, "0", NULL,
	 "goodput: end-to-end latency at most this (ms; 0: no limit), as --goodput e2el:MS"},
	{"steady_tol", OPT_DOUBLE, F(steady_tol), 0, 0.001, 1, "0.02", NULL,
	 "steady state: the most the number in the system may grow over the window, as a "
	 "fraction of the problems that arrived in it, for the run to count as stationary"},
	/* hidden (the last N_HIDDEN rows): read like any option, never listed */
	{"reference_engine", OPT_BOOL, F(reference_engine), 0, 0, 1, "false", NULL,
	 "run the per-sequence reference engine (the fast engine's oracle; same results, slower)"},
};
#define N_HIDDEN 1

const struct option_def *config_options(size_t *n)
{
	*n = sizeof(options) / sizeof(options[0]) - N_HIDDEN;
	return options;
}

const struct option_def *config_option(const char *name)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (!strcmp(options[i].name, name))
			return &options[i];
	return NULL;
}

int config_enum_value(const char *name, const char *word)
{
	const struct option_def *o = config_option(name);
	for (int i = 0; o && o->enums && o->enums[i]; i++)
		if (!strcmp(o->enums[i], word))
			return i;
	return -1;
}

const char *config_enum_word(const char *name, int value)
{
	const struct option_def *o = config_option(name);
	for (int i = 0; o && o->enums && o->enums[i]; i++)
		if (i == value)
			return o->enums[i];
	return NULL;
}

static int set_one(struct run_config *c, const struct option_def *o, const char *val,
		   const char *where)
{
	char *field = (char *)c + o->offset;
	long l;
	double d;

	switch (o->type) {
	case OPT_INT:
	case OPT_LONG:
		if (parse_long(val, &l) < 0)
			return err_set("%s: key '%s': expected an integer, got '%s'", where, o->name, val);
		if (l < o->min || l > o->max)
			return err_set("%s: key '%s': %ld is out of range (expected %.0f to %.0f)", where,
				       o->name, l, o->min, o->max);
		if (o->type == OPT_INT)
			*(int *)field = (int)l;
		else
			*(long *)field = l;
		return 0;
	case OPT_U64: {
		char *end;
		unsigned long long u;
		if (!*val || *val == '-' || isspace((unsigned char)*val))
			return err_set("%s: key '%s': expected a non-negative integer, got '%s'", where,
				       o->name, val);
		errno = 0;
		u = strtoull(val, &end, 10);
		if (*end || errno == ERANGE) /* past 2^64 - 1 strtoull gives its largest, silently */
			return err_set("%s: key '%s': expected a non-negative integer below 2^64, got "
				       "'%s'", where, o->name, val);
		*(uint64_t *)field = u;
		return 0;
	}
	case OPT_DOUBLE:
		if (parse_double(val, &d) < 0)
			return err_set("%s: key '%s': expected a number, got '%s'", where, o->name, val);
		if (d < o->min || d > o->max)
			return err_set("%s: key '%s': %g is out of range (expected %g to %g)", where,
				       o->name, d, o->min, o->max);
		memcpy(field, &d, sizeof(d)); /* field points at a double member */
		return 0;
	case OPT_STR:
		if (strlen(val) >= o->size)
			return err_set("%s: key '%s': value is too long (expected at most %zu characters, got %zu)",
				       where, o->name, o->size - 1, strlen(val));
		/* an option whose default is empty: 'none' is that default, as --help prints it
		 * ("(default: none)"; --spec-draft none, trace: none) */
		strcpy(field, !o->def[0] && !strcmp(val, "none") ? "" : val);
		return 0;
	case OPT_BOOL:
		if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1") ||
		    !strcmp(val, "on"))
			*(int *)field = 1;
		else if (!strcmp(val, "false") || !strcmp(val, "no") || !strcmp(val, "0") ||
			 !strcmp(val, "off"))
			*(int *)field = 0;
		else
			return err_set("%s: key '%s': expected true or false, got '%s'", where, o->name,
				       val);
		return 0;
	case OPT_ENUM:
		for (int i = 0; o->enums[i]; i++)
			if (!strcmp(val, o->enums[i])) {
				*(int *)field = i;
				return 0;
			}
		{
			struct sbuf sb = {0};
			for (int i = 0; o->enums[i]; i++)
				sbuf_printf(&sb, "%s%s", i ? ", " : "", o->enums[i]);
			err_set("%s: key '%s': unknown value '%s' (expected one of %s)", where, o->name,
				val, sb.buf);
			sbuf_release(&sb);
			return -1;
		}
	}
	bug("option type %d", o->type);
}

_Static_assert(sizeof(options) / sizeof(options[0]) <= CONFIG_MAX_OPTIONS,
	       "set_mask has a bit per option: raise CONFIG_MAX_OPTIONS");

void config_defaults(struct run_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (set_one(c, &options[i], options[i].def, "default") < 0)
			bug("%s", err_msg());
}

int config_was_set(const struct run_config *c, const char *name)
{
	const struct option_def *o = config_option(name);
	size_t i;
	if (!o)
		bug("config_was_set: no option '%s'", name);
	i = (size_t)(o - options);
	return (c->set_mask[i / 64] >> (i % 64)) & 1;
}

int config_set(struct run_config *c, const char *key, const char *val, const char *where)
{
	const struct option_def *o = config_option(key);
	if (!o)
		return err_set("%s: key '%s': unknown key (expected an option of 'ttsim run --help')", where, key);
	if (set_one(c, o, val, where) < 0)
		return -1;
	/* -1 is "the profile's price"; any other negative used to mean that too, silently */
	if (o->offset == offsetof(struct run_config, usd_per_gpu_hour) && c->usd_per_gpu_hour < 0 &&
	    c->usd_per_gpu_hour != -1)
		return err_set("%s: key 'usd_per_gpu_hour': %s is negative (expected a price >= 0, or "
			       "-1 for the profile's)", where, val);
	{
		size_t i = (size_t)(o - options);
		c->set_mask[i / 64] |= 1ULL << (i % 64);
	}
	return 0;
}

static const char *scalar(yaml_node_t *n) { return ydoc_str(n); }

/* A message about a key of the layer: "FILE:LINE: key 'k': ..." for files, "option
 * '--k': ..." for flags (where starts with "--"). Returns -1. */
static int layer_err(const char *where, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int layer_err(const char *where, const char *key, const char *fmt, ...)
{
	char m[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (!strncmp(where, "--", 2))
		return err_set("option '%s': %s", where, m);
	return err_set("%s: key '%s': %s", where, key, m);
}

int config_resolve_arrival(struct run_config *c, const struct config_layer *l)
{
	const char *mode = arrival_names[c->arrival];
	const char *rate = l->rate ? l->rate : l->swept_rate;
	const char *conc = l->concurrency ? l->concurrency : l->swept_concurrency;
	if (l->arrival_swept)
		return 0; /* each point of the sweep names its own mode */
	if (l->arrival) {
		if (rate && c->arrival != ARR_POISSON)
			return layer_err(rate, "rate", "given with arrival '%s' (a rate means arrival: "
				       "poisson; drop the rate or change the arrival)", mode);
		if (conc && c->arrival != ARR_CLOSED)
			return layer_err(conc, "concurrency", "given with arrival '%s' (a concurrency "
				       "means arrival: closed; drop it or change the arrival)", mode);
		return 0;
	}
	/* a rate and a concurrency, given or swept: each point would run one of them and
	 * ignore the other (a swept arrival names the mode per point, above) */
	if (rate && conc)
		return layer_err(conc, "concurrency", "given with a rate (a rate means arrival: "
			       "poisson, a concurrency arrival: closed; set arrival to choose, or "
			       "sweep arrival with both)");
	if (l->rate)
		c->arrival = ARR_POISSON;
	if (l->concurrency)
		c->arrival = ARR_CLOSED;
	return 0;
}

/* The axes of a `sweep:` block that the file's own checks need (its reader is
 * experiments/sweep.c): a swept rate or concurrency is a key of the file's arrival layer,
 * a swept arrival names the mode per point, and replications may not be swept. */
static void sweep_axes(struct ydoc *d, yaml_node_t *sw, const char *path, struct config_layer *l,
		       char *w_rate, char *w_conc, char *w_rep, int *swept_rep)
{
	struct ydoc_iter it;
	yaml_node_t *k, *v;
	l->swept = 1;
	if (sw->type != YAML_MAPPING_NODE)
		return; /* experiments/sweep.c says what is wrong with it */
	for (ydoc_map_iter(&it, d, sw); ydoc_map_next(&it, &k, &v);) {
		const char *name = scalar(k);
		char *w = NULL;
		if (!name)
			continue;
		if (!strcmp(name, "arrival"))
			l->arrival_swept = 1;
		else if (!strcmp(name, "rate"))
			l->swept_rate = w = w_rate;
		else if (!strcmp(name, "concurrency"))
			l->swept_concurrency = w = w_conc;
		else if (!strcmp(name, "replications")) {
			*swept_rep = 1;
			w = w_rep;
		}
		if (w)
			snprintf(w, 512, "%s:%zu", path, ydoc_line(k));
	}
}

int config_load_yaml(struct run_config *c, const char *path, int *has_sweep)
{
	size_t len;
	char *text = file_read(path, &len);
	int rc;
	if (!text)
		return -1;
	rc = config_load_yaml_text(c, text, len, path, has_sweep);
	free(text);
	return rc;
}

void config_err_in_file(const char *path, char (*flag_keys)[64], int n_flag_keys)
{
	char msg[1024], key[64];
	size_t len;
	char *text;
	struct ydoc d;
	struct ydoc_iter it;
	yaml_node_t *k, *v;
	int line = 0;
	snprintf(msg, sizeof(msg), "%s", err_msg());
	if (err_key_at(msg, key, sizeof(key)) < 0)
		return;
	/* given on the command line too: the flag's value is the one checked */
	for (int i = 0; i < n_flag_keys; i++)
		if (!strcmp(flag_keys[i], key))
			return;
	if (!(text = file_read(path, &len)))
		return;
	if (ydoc_load(&d, text, len, path, "") == 0) {
		for (ydoc_map_iter(&it, &d, ydoc_root(&d)); ydoc_map_next(&it, &k, &v);)
			if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), key))
				line = (int)ydoc_line(k);
	}
	ydoc_release(&d);
	free(text);
	if (line > 0)
		err_set("%s:%d: %s", path, line, msg);
	else
		err_set("%s", msg);
}

int config_load_yaml_text(struct run_config *c, const char *text, size_t len, const char *path,
			  int *has_sweep)
{
	struct ydoc d;
	struct ydoc_iter it;
	yaml_node_t *root, *k, *v;
	int rc = -1, seen_version = 0;
	char where[512], w_arr[512], w_rate[512], w_conc[512], w_frate[512], w_fconc[512];
	char w_rep[512];
	struct config_layer l = {0};
	int swept_rep = 0;

	snprintf(w_rep, sizeof(w_rep), "%s:1", path);

	if (has_sweep)
		*has_sweep = 0;
	if (ydoc_load(&d, text, len, path, " (expected key: value lines)") < 0)
		goto out;
	root = ydoc_root(&d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		err_set("%s:%zu: expected a mapping of options", path, root ? ydoc_line(root) : 1);
		goto out;
	}
	/* libyaml keeps both pairs of a key given twice: refuse it rather than take one */
	if (ydoc_map_unique(&d, root, "") < 0)
		goto out;
	for (ydoc_map_iter(&it, &d, root); ydoc_map_next(&it, &k, &v);) {
		snprintf(where, sizeof(where), "%s:%zu", path, ydoc_line(k));
		if (k->type != YAML_SCALAR_NODE) {
			err_set("%s: expected a key", where);
			goto out;
		}
		if (!strcmp(scalar(k), "sweep") || !strcmp(scalar(k), "plots") ||
		    !strcmp(scalar(k), "study")) {
			if (!strcmp(scalar(k), "sweep")) {
				if (has_sweep)
					*has_sweep = 1;
				sweep_axes(&d, v, path, &l, w_rate, w_conc, w_rep, &swept_rep);
			}
			continue;
		}
		if (v->type != YAML_SCALAR_NODE) {
			err_set("%s: key '%s': expected a single value", where, scalar(k));
			goto out;
		}
		if (!strcmp(scalar(k), "schema_version")) {
			if (strcmp(scalar(v), "1")) {
				err_set("%s: key 'schema_version': unsupported version '%s' (expected 1)",
					where, scalar(v));
				goto out;
			}
			seen_version = 1;
			continue;
		}
		if (!strcmp(scalar(k), "description"))
			continue;
		/* YAML's null (~, null, or nothing after the colon) is no value: refused by name
		 * here, not read later as a model or path called '~' */
		if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (!scalar(v)[0] || !strcmp(scalar(v), "~") || !strcasecmp(scalar(v), "null"))) {
			err_set("%s: key '%s': null (expected a value; quote it for the text '%s')",
				where, scalar(k), scalar(v));
			goto out;
		}
		if (config_set(c, scalar(k), scalar(v), where) < 0)
			goto out;
		if (!strcmp(scalar(k), "arrival"))
			l.arrival = strcpy(w_arr, where);
		else if (!strcmp(scalar(k), "rate"))
			l.rate = strcpy(w_frate, where);
		else if (!strcmp(scalar(k), "concurrency"))
			l.concurrency = strcpy(w_fconc, where);
		else if (!strcmp(scalar(k), "replications") && !swept_rep)
			snprintf(w_rep, sizeof(w_rep), "%s", where);
	}
	if (!seen_version) {
		err_set("%s:1: key 'schema_version': missing (expected 'schema_version: 1')", path);
		goto out;
	}
	/* the file is one layer of the arrival rule (its sweep's axes included) */
	if (config_resolve_arrival(c, &l) < 0)
		goto out;
	/* a sweep runs each point once: replications would be ignored */
	if (l.swept && (swept_rep || c->replications > 1)) {
		err_set("%s: key 'replications': a sweep runs each point once (expected no "
			"replications; sweep 'seed' for several seeds)", w_rep);
		goto out;
	}
	rc = 0;
out:
	ydoc_release(&d);
	return rc;
}

/* The defaults, made once: config_check asks for them per key, per sweep point. */
static struct run_config defaults_cache;
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;
static void defaults_init(void) { config_defaults(&defaults_cache); }

/* 1 if option `name` holds its default value in c (its value, not whether it was set: a
 * resolved config.yaml sets every option, and must read back). */
static int at_default(const struct run_config *c, const char *name)
{
	const struct option_def *o = config_option(name);
	char a[300], b[300];
	pthread_once(&defaults_once, defaults_init);
	config_value_text(c, o, a, sizeof(a));
	config_value_text(&defaults_cache, o, b, sizeof(b));
	return !strcmp(a, b);
}

/* Tree drafting (spec_tree_topk > 1): an EAGLE head's, with the tree's size given. A tree
 * of depth k expanding topk branches holds at most topk + (k - 1) x topk^2 candidates
 * (the first forward's top-k, then top-k children of each kept branch), and verifies
 * between a chain's k + 1 and that many plus the root. */
static int spec_tree_check(const struct run_config *c)
{
	long topk = c->spec_tree_topk, k = c->spec_k, n = c->spec_tree_tokens, most;
	if (topk == 1 && n == 0)
		return 0;
	if (strcmp(c->spec_draft, "eagle") && strcmp(c->spec_draft, "eagle1") &&
	    strcmp(c->spec_draft, "eagle3") && strcmp(c->spec_draft, "mtp"))
		return err_set("key '%s': tree drafting applies to an EAGLE head or MTP modules "
			       "(expected spec_draft: eagle, eagle3 or mtp)",
			       topk > 1 ? "spec_tree_topk" : "spec_tree_tokens");
	if (topk == 1)
		return n == k + 1 ? 0 :
		       err_set("key 'spec_tree_tokens': a chain (spec_tree_topk 1) verifies "
			       "spec_k + 1 = %ld tokens, got %ld", k + 1, n);
	if (n == 0)
		return err_set("key 'spec_tree_tokens': missing for a tree of spec_tree_topk %ld "
			       "(expected the tokens it verifies, SGLang's "
			       "speculative_num_draft_tokens)", topk);
	most = 1 + topk + (k - 1) * topk * topk;
	if (n < k + 1 || n > most)
		return err_set("key 'spec_tree_tokens': %ld is outside [spec_k + 1 = %ld, %ld] (a "
			       "tree of depth %ld and top-%ld holds at most %ld candidates)",
			       n, k + 1, most, k, topk, most - 1);
	if ((long)c->max_num_seqs * n > c->max_num_batched_tokens)
		return err_set("key 'max_num_batched_tokens': %d cannot verify %d sequences of "
			       "spec_tree_tokens = %ld tokens in one step (expected at least %ld)",
			       c->max_num_batched_tokens, c->max_num_seqs, n,
			       (long)c->max_num_seqs * n);
	return 0;
}

int config_tp_ok(long tp) { return tp == 1 || tp == 2 || tp == 4 || tp == 8; }

int config_check(const struct run_config *c)
{
	if (!config_tp_ok(c->tp))
		return err_set("key 'tp': expected 1, 2, 4 or 8, got '%d'", c->tp);
	if (c->max_num_batched_tokens < c->max_num_seqs)
		return err_set("key 'max_num_batched_tokens': %d is below max_num_seqs %d (vLLM "
			       "requires at least one token per sequence)",
			       c->max_num_batched_tokens, c->max_num_seqs);
	if (c->block_size & (c->block_size - 1))
		return err_set("key 'block_size': expected a power of two, got '%d'", c->block_size);
	if (c->async_scheduling && (c->spec_draft[0] || c->pp > 1))
		return err_set("key 'async_scheduling': vLLM's async scheduling does not run with %s "
			       "(vllm-project/vllm PR #19970; expected async_scheduling false, or %s)",
			       c->spec_draft[0] ? "speculative decoding" : "pipeline parallelism",
			       c->spec_draft[0] ? "spec_draft none" : "pp 1");
	if (c->spec_draft[0] && (long)c->max_num_seqs * (c->spec_k + 1) > c->max_num_batched_tokens)
		return err_set("key 'max_num_batched_tokens': %d cannot verify %d sequences of "
			       "spec_k + 1 = %d tokens in one step (expected at least %ld)",
			       c->max_num_batched_tokens, c->max_num_seqs, c->spec_k + 1,
			       (long)c->max_num_seqs * (c->spec_k + 1));
	if (spec_tree_check(c) < 0)
		return -1;
	/* vLLM >= 0.10 (benchmarks/datasets.py, RandomDataset) asserts range_ratio < 1: its
	 * lengths run from floor(L(1 - r)), which r = 1 makes 0. The old law's r = 1 is its
	 * default, fixed lengths. */
	if (c->range_ratio >= 1 && c->range_law == 0) /* vllm (sim/client.h CLIENT_RANGE_VLLM) */
		return err_set("key 'range_ratio': vLLM's random dataset takes a ratio below 1 "
			       "(lengths from floor(L(1 - r)); got %g: expected 0 <= r < 1, or "
			       "range_law vllm_old, whose 1 is fixed lengths)", c->range_ratio);
	if ((c->range_ratio > 0 || c->range_law || c->length_file[0]) && c->length_dist != LEN_FIXED)
		return err_set("key 'length_dist': the client's length law (range_ratio, range_law, "
			       "length_file) replaces length_dist (expected length_dist fixed)");
	if (!c->ignore_eos && !(c->eos_mean_len >= 1))
		return err_set("key 'eos_mean_len': ignore_eos false needs the mean output length "
			       "the model reaches (expected eos_mean_len >= 1)");
	if (c->ignore_eos && !at_default(c, "eos_mean_len"))
		return err_set("key 'eos_mean_len': applies to ignore_eos false (outputs that run "
			       "to output_len have no mean of their own)");
	/* burstiness shapes the gaps of an open-loop client at a rate: elsewhere it does nothing */
	if (!at_default(c, "burstiness") && c->arrival != ARR_POISSON)
		return err_set("key 'burstiness': applies to arrivals at a rate (expected rate: or "
			       "--rate; got arrival '%s')", arrival_names[c->arrival]);
	if (c->samples > 1 && !c->trace[0])
		return err_set("key 'samples': %d samples need a trace (--trace)", c->samples);
	if (c->resample && !c->trace[0])
		return err_set("key 'resample': draws a trace's problems (expected a trace, --trace; "
			       "synthetic requests are drawn anyway)");
	if (c->resample && c->arrival == ARR_TRACE)
		return err_set("key 'resample': the trace's own arrival times belong to its own "
			       "problems (expected arrival poisson, closed or offline)");
	/* test-time scaling acts on a trace's samples: on synthetic requests these options
	 * would do nothing, so they are refused rather than ignored */
	if (!c->trace[0]) {
		if (c->budget)
			return err_set("key 'budget': a thinking budget needs a trace (--trace; "
				       "synthetic requests have fixed lengths)");
		if (c->waits)
			return err_set("key 'waits': \"Wait\" extensions need a trace (--trace)");
		if (c->vote != VOTE_MAJORITY)
			return err_set("key 'vote': a vote needs a trace (--trace; synthetic requests "
				       "have no answers)");
		if (c->tts.early_stop)
			return err_set("key 'early_stop': early stopping needs a trace (--trace) and "
				       "samples to vote on");
	}
	/* the synthetic length options shape synthetic requests only: a trace's samples have
	 * their own lengths, and only uniform and lognormal lengths have a spread */
	if (c->trace[0]) {
		static const char *const synth[] = {"input_len", "output_len", "length_dist",
						    "length_cv", "range_ratio", "range_law",
						    "ignore_eos", "eos_mean_len", "length_file"};
		for (size_t i = 0; i < sizeof(synth) / sizeof(synth[0]); i++)
			if (!at_default(c, synth[i]))
				return err_set("key '%s': shapes synthetic requests (a trace's samples "
					       "have their own lengths; expected no %s with a trace)",
					       synth[i], synth[i]);
	} else if (!at_default(c, "length_cv") && c->length_dist != LEN_UNIFORM &&
		   c->length_dist != LEN_LOGNORMAL) {
		return err_set("key 'length_cv': applies to length_dist uniform or lognormal (got "
			       "'%s', whose spread is fixed)", length_names[c->length_dist]);
	}
	/* an acceptance table replaces spec_alpha, and needs a drafter to accept from */
	if (c->spec_acceptance[0] && !c->spec_draft[0])
		return err_set("key 'spec_acceptance': needs a drafter (expected spec_draft: a "
			       "model, ngram or eagle)");
	if (c->spec_acceptance_length > 0) {
		if (!c->spec_draft[0])
			return err_set("key 'spec_acceptance_length': needs a drafter (expected "
				       "spec_draft: a model, ngram, eagle or eagle3)");
		if (!at_default(c, "spec_alpha") || c->spec_acceptance[0])
			return err_set("key 'spec_acceptance_length': gives the acceptance (expected "
				       "one of spec_alpha, spec_acceptance_length and spec_acceptance)");
		if (c->spec_acceptance_length < 1 || c->spec_acceptance_length > c->spec_k + 1)
			return err_set("key 'spec_acceptance_length': %g is outside [1, spec_k + 1 = %d] "
				       "(a verification keeps 1 to k + 1 tokens)",
				       c->spec_acceptance_length, c->spec_k + 1);
	}
	if (!at_default(c, "spec_ngram_match") && strcmp(c->spec_draft, "ngram"))
		return err_set("key 'spec_ngram_match': applies to an n-gram drafter (expected "
			       "spec_draft: ngram)");
	if (!(c->spec_ngram_match > 0))
		return err_set("key 'spec_ngram_match': expected a probability in (0, 1], got "
			       "'%g' (a drafter that never matches is no drafter)", c->spec_ngram_match);
	if (c->spec_disable_batch > 0 && !c->spec_draft[0])
		return err_set("key 'spec_disable_batch': needs a drafter (expected spec_draft: a "
			       "model, ngram, eagle or eagle3)");
	if (c->spec_disable_batch >= c->max_num_seqs)
		return err_set("key 'spec_disable_batch': %d never disables speculation (a step "
			       "holds at most max_num_seqs = %d sequences; expected fewer)",
			       c->spec_disable_batch, c->max_num_seqs);
	/* the CPU terms of model and EAGLE drafters: n-gram proposals have their own cost */
	/* -1: the engine profile's (sim/run.c); a value of its own overrides it */
	for (int i = 0; i < 3; i++) {
		const char *k = i == 2 ? "spec_eagle3_remap_cpu_s" :
				i ? "spec_step_cpu_s" : "spec_draft_cpu_s";
		double v = i == 2 ? c->spec_eagle3_remap_cpu_s :
			   i ? c->spec_step_cpu_s : c->spec_draft_cpu_s;
		if (v < 0 && v != -1)
			return err_set("key '%s': expected -1 (the engine profile's) or seconds in "
				       "[0, 0.1], got '%g'", k, v);
	}
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "spec_step_cpu_s" : "spec_draft_cpu_s";
		if (!at_default(c, k) && (!c->spec_draft[0] || !strcmp(c->spec_draft, "ngram")))
			return err_set("key '%s': applies to a model or EAGLE drafter (expected "
				       "spec_draft: a model, eagle or eagle3)", k);
	}
	if (!at_default(c, "spec_eagle3_remap_cpu_s") && strcmp(c->spec_draft, "eagle3"))
		return err_set("key 'spec_eagle3_remap_cpu_s': applies to an EAGLE-3 drafter "
			       "(expected spec_draft: eagle3)");
	/* k and alpha describe a drafter's proposals: without one they would be read silently
	 * (a resolved config.yaml repeats the defaults, so those stay accepted) */
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "spec_alpha" : "spec_k";
		if (!at_default(c, k) && !c->spec_draft[0])
			return err_set("key '%s': needs a drafter (expected spec_draft: a model, "
				       "ngram, eagle or eagle3)", k);
	}
	if (c->spec_acceptance[0] && !at_default(c, "spec_alpha"))
		return err_set("key 'spec_alpha': the acceptance table '%s' gives the acceptance "
			       "(expected one of spec_alpha and spec_acceptance)", c->spec_acceptance);
	/* the engine stops a problem once its majority is decided; other rules never stop */
	if (c->tts.early_stop && c->vote != VOTE_MAJORITY)
		return err_set("key 'early_stop': applies to vote: majority (got vote '%s', whose "
			       "samples all run)", vote_names[c->vote]);
	return 0;
}

void config_value_text(const struct run_config *c, const struct option_def *o, char *buf,
		       size_t n)
{
	const char *field = (const char *)c + o->offset;
	switch (o->type) {
	case OPT_INT:
		snprintf(buf, n, "%d", *(const int *)field);
		break;
	case OPT_LONG:
		snprintf(buf, n, "%ld", *(const long *)field);
		break;
	case OPT_U64:
		snprintf(buf, n, "%llu", (unsigned long long)*(const uint64_t *)field);
		break;
	case OPT_DOUBLE: {
		double d;
		memcpy(&d, field, sizeof(d)); /* field points at a double member */
		snprintf(buf, n, "%.17g", d);
		break;
	}
	case OPT_STR:
		snprintf(buf, n, "%s", field);
		break;
	case OPT_BOOL:
		snprintf(buf, n, "%s", *(const int *)field ? "true" : "false");
		break;
	case OPT_ENUM:
		snprintf(buf, n, "%s", o->enums[*(const int *)field]);
		break;
	}
}

/* s as a YAML double-quoted scalar: quotes, backslashes and control characters escaped,
 * so that any name reads back as it was written. */
static void yaml_quote(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			sbuf_printf(sb, "\\%c", ch);
		else if (ch == '\t')
			sbuf_add(sb, "\\t", 2);
		else if (ch == '\n')
			sbuf_add(sb, "\\n", 2);
		else if (ch < 0x20 || ch == 0x7f)
			sbuf_printf(sb, "\\x%02x", ch);
		else
			sbuf_add(sb, s, 1);
	}
	sbuf_add(sb, "\"", 1);
}

void config_write_yaml(const struct run_config *c, struct sbuf *sb)
{
	char v[300];
	sbuf_printf(sb, "# resolved configuration, written by ttsim\nschema_version: %d\n",
		    CONFIG_SCHEMA_VERSION);
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const char *name = options[i].name;
		config_value_text(c, &options[i], v, sizeof(v));
		/* the key of another arrival mode is not in use; written as a key, it would
		 * contradict the arrival on rereading (config_resolve_arrival) */
		if ((!strcmp(name, "rate") && c->arrival != ARR_POISSON) ||
		    (!strcmp(name, "concurrency") && c->arrival != ARR_CLOSED)) {
			sbuf_printf(sb, "# %s: %s (not used: arrival is %s)\n", name, v,
				    arrival_names[c->arrival]);
			continue;
		}
		sbuf_printf(sb, "%s: ", name);
		if (options[i].type == OPT_STR)
			yaml_quote(sb, v);
		else
			sbuf_add(sb, v, strlen(v));
		sbuf_add(sb, "\n", 1);
	}
}
