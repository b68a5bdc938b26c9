/* test_engine_profile.c: engine profiles (models/engine_profile.h): the shipped files parse,
 * bad files name their line and key, and a profile's CPU costs and defaults reach a run. */
#include <math.h>
#include <string.h>

#include "tests/test.h"
#include "lib/util.h"
#include "models/cost.h"
#include "models/engine_profile.h"
#include "sim/config.h"
#include "sim/run.h"

static void shipped(void)
{
	struct engine_profile e;
	CHECK_INT(engine_profile_load(&e, "vllm-v1"), 0);
	CHECK_STR(e.name, "vllm-v1");
	CHECK(e.step_base_extra == 0 && e.step_per_seq_extra == 0 && e.step_per_tp_extra == 0);
	CHECK(e.step_per_ctx_token_extra == 0); /* optional key, absent: 0 */
	CHECK_INT(e.chunked_prefill, 1);
	CHECK_INT(e.prefix_caching, 1);      /* V1's enable_prefix_caching */
	CHECK_INT(engine_profile_load(&e, "vllm-v0"), 0);
	CHECK_STR(e.engine, "vllm");
	CHECK_NEAR(e.step_base_extra, 0.001059, 1e-12);
	CHECK_NEAR(e.step_per_seq_extra, 4.204e-05, 1e-12);
	CHECK_NEAR(e.step_per_ctx_token_extra, 2.997e-08, 1e-12);
	CHECK(e.step_per_tp_extra == 0);
	CHECK_INT(e.chunked_prefill, 0);
	CHECK_INT(e.prefix_caching, 0);      /* V0: off unless asked */
	CHECK_INT(e.lim[0][0].tokens, 0); /* not said: ttsim's default */
	CHECK_INT(e.unchunked_max_len, 1);      /* V0's max(max_model_len, 2048) */
	CHECK_INT(e.long_context_len, 32768);   /* PR #6666: chunked above 32K, budget 512 */
	CHECK_INT(e.long_context_budget, 512);
	CHECK_INT(engine_profile_load(&e, "nosuch"), -1);
	CHECK(strstr(err_msg(), "unknown engine profile 'nosuch' (known: sglang-0.5, trtllm-1, vllm-v0, "
			      "vllm-v1") != NULL);
	/* TensorRT-LLM 1.x: its memory rule, capacity policy and defaults; vLLM's step costs */
	CHECK_INT(engine_profile_load(&e, "trtllm-1"), 0);
	CHECK_STR(e.engine, "trtllm");
	CHECK_NEAR(e.kv_free_fraction, 0.9, 1e-12);
	CHECK_INT(e.guaranteed_no_evict, 1);
	CHECK_INT(e.chunked_prefill, 0);
	CHECK_INT(e.lim[0][0].seqs, 2048);
	CHECK_INT(e.lim[0][0].tokens, 8192);
	CHECK(e.step_base_extra == 0 && e.step_per_seq_extra == 0 && e.fe[FE_CHAT].latency == 0);
	CHECK_STR(e.attention, "trtllm"); /* its own kernels: profile.h attention_trtllm */
	CHECK_INT(engine_profile_load(&e, "vllm-v1"), 0); /* not said: vLLM's rules */
	CHECK_STR(e.attention, "");
	CHECK(e.kv_free_fraction == 0);
	CHECK_INT(e.guaranteed_no_evict, -1);
	CHECK_INT(e.unchunked_max_len, -1);
	CHECK_INT(e.long_context_len, 0);
	CHECK_INT(engine_profile_exists("vllm-v1"), 1);
	CHECK_INT(engine_profile_exists("nosuch"), 0);
	CHECK_INT(engine_profile_load(&e, "vllm-v1"), 0); /* embedded: its fitted front end */
	/* /v1/completions */
	CHECK(e.fe[FE_COMPLETIONS].latency == 0);
	CHECK_NEAR(e.fe[FE_COMPLETIONS].per_request, 0.0125, 1e-12);
	CHECK_NEAR(e.fe[FE_COMPLETIONS].per_output_token, 0.00018, 1e-12);
	/* /v1/chat/completions */
	CHECK(e.fe[FE_COMPLETIONS].first_token == 0);
	CHECK_NEAR(e.fe[FE_CHAT].latency, 0.02, 1e-12);
	CHECK_NEAR(e.fe[FE_CHAT].per_request, 0.005, 1e-12);
	CHECK_NEAR(e.fe[FE_CHAT].per_output_token, 0.0004, 1e-12);
	CHECK_NEAR(e.fe[FE_CHAT].first_token, 0.025, 1e-12);
	/* the speculative block (tests/validation/spec_fit.py): vllm-v1 has one, vllm-v0 none
	 * (a speculative run under vllm-v0 is refused unless its options give the costs) */
	CHECK_INT(e.has_spec, 1);
	CHECK_NEAR(e.spec_draft_forward_cpu, 0.00075, 1e-12);
	CHECK_NEAR(e.spec_step_cpu, 0.00118, 1e-12);
	CHECK_NEAR(e.spec_eagle3_remap_cpu, 0.0001, 1e-12);
	CHECK_INT(engine_profile_load(&e, "vllm-v0"), 0);
	CHECK_INT(e.has_spec, 0);
}

static void bad_files(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"name: x\nengine: y\nsource: s\n", "b.yaml:1: key 'schema_version': missing"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nspeed: 3\n",
		 "b.yaml:5: key 'speed': unknown key"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nstep_cpu_extra:\n  base_s: -1\n",
		 "b.yaml:6: key 'step_cpu_extra.base_s': expected seconds in [0, 1), got '-1'"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nstep_cpu_extra:\n  per_ctx_token_s: x\n",
		 "b.yaml:6: key 'step_cpu_extra.per_ctx_token_s': expected seconds in [0, 1), got 'x'"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n  chunked_prefill: maybe\n",
		 "b.yaml:6: key 'defaults.chunked_prefill': expected true or false"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n  prefix_caching: 1\n",
		 "b.yaml:6: key 'defaults.prefix_caching': expected true or false"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n  per_hour: 1\n",
		 "b.yaml:6: key 'frontend.per_hour': unknown key"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n  latency_s: 2\n",
		 "b.yaml:6: key 'frontend.latency_s': expected seconds in [0, 1), got '2'"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n"
		 "  chat_per_request_s: 1\n",
		 "b.yaml:6: key 'frontend.chat_per_request_s': expected seconds in [0, 1), got '1'"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n  chat_latency_s: x\n",
		 "b.yaml:6: key 'frontend.chat_latency_s': expected seconds in [0, 1), got 'x'"},
		{"schema_version: 1\nname: x\nengine: y\n", "b.yaml:1: key 'source': missing"},
		{"schema_version: 1\nname: x\nname: z\nengine: y\nsource: s\n",
		 "b.yaml:3: key 'name': given twice"},
		{"schema_version: 2\n", "b.yaml:1: key 'schema_version': unsupported version"},
		/* the speculative block is all or nothing: a missing cost is not read as 0 */
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nspeculative:\n"
		 "  draft_forward_cpu_s: 0.001\n  eagle3_remap_cpu_s: 0\n",
		 "b.yaml:1: key 'speculative.step_cpu_s': missing"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\nspeculative:\n  tree_s: 1\n",
		 "b.yaml:6: key 'speculative.tree_s': unknown key"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  attention_kernels: flashinfer\n",
		 "b.yaml:6: key 'defaults.attention_kernels': expected trtllm (or no key: the "
		 "hardware profile's attention section), got 'flashinfer'"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n  kv_free_fraction: 0\n",
		 "b.yaml:6: key 'defaults.kv_free_fraction': expected a fraction in (0, 1], got '0'"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n  kv_free_fraction: 1.5\n",
		 "b.yaml:6: key 'defaults.kv_free_fraction': expected a fraction in (0, 1]"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  guaranteed_no_evict: 1\n",
		 "b.yaml:6: key 'defaults.guaranteed_no_evict': expected true or false"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  unchunked_max_len: yes\n",
		 "b.yaml:6: key 'defaults.unchunked_max_len': expected true or false"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  long_context_len: 32768\n",
		 "b.yaml:1: key 'defaults.long_context_max_num_batched_tokens': missing (expected "
		 "with defaults.long_context_len)"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  long_context_max_num_batched_tokens: -1\n",
		 "b.yaml:6: key 'defaults.long_context_max_num_batched_tokens': expected an integer"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  large_gpu_min_gib: -70\n",
		 "b.yaml:6: key 'defaults.large_gpu_min_gib': expected an integer"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  large_gpu_offline_max_num_seqs: 1024\n",
		 "b.yaml:1: key 'defaults.large_gpu_min_gib': missing (expected with the "
		 "defaults.large_gpu_ keys)"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n"
		 "  large_gpu_except: \"a100\"\n",
		 "b.yaml:1: key 'defaults.large_gpu_min_gib': missing"},
		{"schema_version: 1\nname: x\nengine: y\nsource: s\ndefaults:\n  large_gpu_min_gib: 70\n"
		 "  large_gpu_except: \"0123456789012345678901234567890123\"\n",
		 "b.yaml:7: key 'defaults.large_gpu_except': value too long (expected at most 31"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct engine_profile e;
		CHECK_INT(engine_profile_parse(&e, cases[i].text, strlen(cases[i].text), "b.yaml"), -1);
		CHECK(strstr(err_msg(), cases[i].msg) != NULL);
		if (!strstr(err_msg(), cases[i].msg))
			fprintf(stderr, "  case %zu got: %s\n", i, err_msg());
	}
}

/* vllm-v0 adds 1.105 ms + 63 us x seqs to every step: a single request of 1 prompt token and
 * 101 output tokens takes about 101 steps x (1.105 ms + 63 us) longer. */
static void reaches_a_run(void)
{
	struct run_config c;
	struct run_inputs in;
	struct run_result a, b;
	double extra;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", "h100_sxm", "t") |
			  config_set(&c, "input_len", "1", "t") | config_set(&c, "output_len", "101", "t") |
			  config_set(&c, "requests", "1", "t"),
		  0);
	CHECK_INT(run_load_inputs(&c, &in), 0);
	CHECK_INT(run_simulate(&c, &in, &a), 0);
	run_inputs_release(&in);
	CHECK_INT(config_set(&c, "engine", "vllm-v0", "t"), 0);
	CHECK_INT(config_set(&c, "max_num_seqs", "64", "t"), 0);
	CHECK_INT(config_set(&c, "max_model_len", "32768", "t"), 0); /* not a long context */
	CHECK_INT(run_engine_defaults(&c), 0);
	CHECK_INT(c.chunked_prefill, 0);    /* the profile's default */
	CHECK_INT(c.prefix_caching, 0);     /* the profile's (ttsim's own default: on) */
	CHECK_INT(c.max_num_seqs, 64);      /* the run's own setting wins */
	CHECK_INT(run_load_inputs(&c, &in), 0);
	CHECK_NEAR(in.profile.step_base, 0.0008 + 0.001059, 1e-12);
	CHECK_NEAR(in.profile.step_per_ctx_token, 2.997e-08, 1e-12); /* hardware profile: 0 */
	CHECK_INT(run_simulate(&c, &in, &b), 0);
	extra = b.sum.e2e_s.mean - a.sum.e2e_s.mean;
	CHECK_NEAR(extra, (double)b.st.steps * (0.001059 + 4.204e-05), 0.01);
	run_result_release(&a);
	/* the KV-token term alone: the 100 decode steps of a 1-token prompt hold 2, 3, ...,
	 * 101 KV tokens (the prompt, the tokens so far and the new one), 5150 in all, so it
	 * adds 2.997e-08 x 5150 = 1.54346e-4 s (to the steps' nanosecond rounding) */
	in.profile.step_per_ctx_token = 0;
	CHECK_INT(run_simulate(&c, &in, &a), 0);
	CHECK_NEAR(b.sum.e2e_s.mean - a.sum.e2e_s.mean, 2.997e-08 * 5150, 1e-3);
	run_result_release(&a);
	run_result_release(&b);
	run_inputs_release(&in);
}

/* The relative error the profile gives the key path (-1: none). */
static double unc_of(const struct profile *p, const char *path)
{
	for (int i = 0; i < p->n_unc; i++)
		if (!strcmp(p->unc[i].path, path))
			return p->unc[i].rel;
	return -1;
}

/* An engine with its own attention kernels runs the hardware profile's attention_trtllm
 * section in place of its attention section, phase by phase where the section has it
 * (A100: the prefill only); other engines, and GH200 (no section), keep the attention
 * section. A prefill-only step then costs what the swapped profile costs it. */
static void trtllm_attention(void)
{
	static const char *const gpus[] = {"h100_sxm", "a100_sxm", "gh200"};
	for (int g = 0; g < 3; g++) {
		struct run_config c;
		struct run_inputs in, base;
		struct profile hw;
		struct cost_ctx cc;
		struct step_batch pf = {.n_prefill = 4, .prefill_tokens = 4 * 2048,
					.prefill_pairs = 4 * 2048 * 2049 / 2.0};
		config_defaults(&c);
		CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", gpus[g], "t"),
			  0);
		CHECK_INT(profile_load(&hw, gpus[g]), 0);
		CHECK_INT(run_load_inputs(&c, &base), 0); /* no engine: the attention section */
		CHECK(memcmp(&base.profile.attn_prefill, &hw.attn_prefill, sizeof(hw.attn_prefill)) == 0);
		CHECK_INT(base.attn_trtllm, 0);
		CHECK_INT(config_set(&c, "engine", "vllm-v1", "t"), 0);
		CHECK_INT(run_load_inputs(&c, &in), 0);
		CHECK_INT(in.attn_trtllm, 0);
		CHECK(memcmp(&in.profile.attn_prefill, &hw.attn_prefill, sizeof(hw.attn_prefill)) == 0);
		CHECK(memcmp(&in.profile.attn_decode, &hw.attn_decode, sizeof(hw.attn_decode)) == 0);
		run_inputs_release(&in);
		CHECK_INT(config_set(&c, "engine", "trtllm-1", "t"), 0);
		CHECK_INT(run_load_inputs(&c, &in), 0);
		/* what the run reports: asked, and the phases the section timed */
		CHECK_INT(in.attn_trtllm, g == 0 ? RUN_ATTN_ASKED | PROFILE_ATTN_PREFILL | PROFILE_ATTN_DECODE :
					  g == 1 ? RUN_ATTN_ASKED | PROFILE_ATTN_PREFILL : RUN_ATTN_ASKED);
		CHECK_STR(run_attn_phases(in.attn_trtllm), g == 0 ? "prefill and decode" :
							   g == 1 ? "prefill" : "none");
		/* --profile-uncertainty perturbs a swapped phase by the section's own errors, an
		 * unswapped one by the attention section's */
		CHECK_INT(unc_of(&hw, "attention_trtllm.prefill_t0") > 0, g < 2);
		CHECK(unc_of(&in.profile, "attention.prefill_t0") ==
		      unc_of(&hw, g < 2 ? "attention_trtllm.prefill_t0" : "attention.prefill_t0"));
		CHECK(unc_of(&in.profile, "attention.prefill_t0") > 0);
		CHECK(unc_of(&in.profile, "attention.decode_bw") ==
		      unc_of(&hw, g == 0 ? "attention_trtllm.decode_bw" : "attention.decode_bw"));
		CHECK(unc_of(&in.profile, "attention.decode_bw") > 0);
		if (g < 2)
			CHECK(unc_of(&in.profile, "attention.prefill_t0") != unc_of(&hw, "attention.prefill_t0"));
		CHECK(memcmp(&in.profile.attn_prefill, hw.attn_prefill_trtllm.rate > 0 ?
			     &hw.attn_prefill_trtllm : &hw.attn_prefill, sizeof(hw.attn_prefill)) == 0);
		CHECK(memcmp(&in.profile.attn_decode, hw.attn_decode_trtllm.bw > 0 ?
			     &hw.attn_decode_trtllm : &hw.attn_decode, sizeof(hw.attn_decode)) == 0);
		CHECK_INT(g == 2 ? hw.attn_prefill_trtllm.rate == 0 : hw.attn_prefill_trtllm.rate > 0, 1);
		CHECK_INT(g == 0 ? hw.attn_decode_trtllm.bw > 0 : hw.attn_decode_trtllm.bw == 0, 1);
		/* a prefill step's attention: the trtllm-1 inputs' is the plain inputs' with the
		 * section put in by hand, and differs from the plain one where swapped */
		struct step_cost s_trt, s_plain, s_hand;
		CHECK_INT(cost_init(&cc, &in.model, &in.profile, 1, 1), 0);
		cost_step(&cc, &pf, &s_trt);
		cost_release(&cc);
		CHECK_INT(cost_init(&cc, &base.model, &base.profile, 1, 1), 0);
		cost_step(&cc, &pf, &s_plain);
		cost_release(&cc);
		if (hw.attn_prefill_trtllm.rate > 0)
			base.profile.attn_prefill = hw.attn_prefill_trtllm;
		CHECK_INT(cost_init(&cc, &base.model, &base.profile, 1, 1), 0);
		cost_step(&cc, &pf, &s_hand);
		cost_release(&cc);
		CHECK(s_trt.attn_prefill > 0 && s_trt.attn_prefill == s_hand.attn_prefill);
		CHECK_INT(s_trt.attn_prefill != s_plain.attn_prefill, g < 2);
		run_inputs_release(&in);
		run_inputs_release(&base);
	}
}

/* The KV-token term in one step's cost, by hand: 64 decoding sequences holding 3,000 KV
 * tokens each add 2e-08 x 192,000 = 3.84 ms of CPU, to the cpu part and the total alike,
 * and nothing to a prefill-only step (no decoding sequence holds a block table). */
static void ctx_token_step(void)
{
	struct run_config c;
	struct run_inputs in;
	struct cost_ctx cc;
	struct step_cost s0, s1;
	struct step_batch d = {.n_decode = 64, .decode_q = 1, .decode_ctx = 64 * 3000.0,
			       .n_sample = 64};
	struct step_batch pf = {.n_prefill = 2, .prefill_tokens = 512, .n_sample = 2,
				.prefill_pairs = 2 * 256 * 257 / 2.0};
	double t0, t1;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", "h100_sxm", "t"),
		  0);
	CHECK_INT(run_load_inputs(&c, &in), 0);
	CHECK(in.profile.step_per_ctx_token == 0); /* no engine profile: V1's overheads */
	CHECK_INT(cost_init(&cc, &in.model, &in.profile, 1, 1), 0);
	t0 = cost_step(&cc, &d, &s0);
	in.profile.step_per_ctx_token = 2e-08;
	t1 = cost_step(&cc, &d, &s1);
	CHECK_NEAR(t1 - t0, 3.84e-3, 1e-9);
	CHECK_NEAR(s1.cpu - s0.cpu, 3.84e-3, 1e-9);
	CHECK(s1.attn_decode == s0.attn_decode && s1.gemm == s0.gemm);
	t1 = cost_step(&cc, &pf, NULL);
	in.profile.step_per_ctx_token = 0;
	CHECK(cost_step(&cc, &pf, NULL) == t1);
	cost_release(&cc);
	run_inputs_release(&in);
}

/* The front end by endpoint, by hand: one request of 1 prompt token, nothing else in the
 * engine. Its TTFT is its endpoint's per-request time and latency plus the same engine
 * time, so the chat endpoint's TTFT is the completions one's + (chat_per_request +
 * chat_latency - per_request - latency) = 9 + 47 - 4 - 12 = 40 ms, and the completions
 * one's is the offline (no API server) one's + 4 + 12 ms; a profile without the chat keys
 * reads its per_request_s and latency_s for both. */
static void by_endpoint(void)
{
	static const char *const ep[] = {"completions", "chat", "none"};
	struct run_config c;
	struct run_inputs in;
	struct engine_profile e;
	double ttft[3];
	const char *one = "schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n"
			  "  latency_s: 0.012\n";
	const char *two = "schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n"
			  "  latency_s: 0.012\n  chat_latency_s: 0.047\n";
	CHECK_INT(engine_profile_parse(&e, one, strlen(one), "one.yaml"), 0);
	CHECK(e.fe[FE_CHAT].latency == 0.012 && e.fe[FE_COMPLETIONS].latency == 0.012);
	CHECK(e.fe[FE_CHAT].per_request == 0 && e.fe[FE_COMPLETIONS].per_request == 0);
	CHECK(e.fe[FE_CHAT].per_output_token == 0 && e.fe[FE_COMPLETIONS].per_output_token == 0);
	/* absent: none */
	CHECK(e.fe[FE_COMPLETIONS].first_token == 0 && e.fe[FE_CHAT].first_token == 0);
	CHECK_INT(engine_profile_parse(&e, two, strlen(two), "two.yaml"), 0);
	CHECK(e.fe[FE_CHAT].latency == 0.047 && e.fe[FE_COMPLETIONS].latency == 0.012);
	{
		/* first_token_s: the chat endpoint's is the completions one's unless given */
		const char *ft = "schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n"
				 "  first_token_s: 0.003\n";
		const char *cft = "schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n"
				  "  first_token_s: 0.003\n  chat_first_token_s: 0.025\n";
		const char *neg = "schema_version: 1\nname: x\nengine: y\nsource: s\nfrontend:\n"
				  "  chat_first_token_s: -1\n";
		CHECK_INT(engine_profile_parse(&e, ft, strlen(ft), "ft.yaml"), 0);
		CHECK(e.fe[FE_COMPLETIONS].first_token == 0.003 &&
		      e.fe[FE_CHAT].first_token == 0.003);
		CHECK_INT(engine_profile_parse(&e, cft, strlen(cft), "cft.yaml"), 0);
		CHECK(e.fe[FE_COMPLETIONS].first_token == 0.003 &&
		      e.fe[FE_CHAT].first_token == 0.025);
		CHECK_INT(engine_profile_parse(&e, neg, strlen(neg), "neg.yaml"), -1);
		CHECK(strstr(err_msg(), "neg.yaml:6") != NULL &&
		      strstr(err_msg(), "chat_first_token_s") != NULL);
		CHECK_INT(engine_profile_parse(&e, two, strlen(two), "two.yaml"), 0);
	}
	config_defaults(&c);
	CHECK_INT(c.endpoint, ENDPOINT_COMPLETIONS); /* vllm bench serve's default */
	CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", "h100_sxm", "t") |
			  config_set(&c, "input_len", "1", "t") | config_set(&c, "output_len", "4", "t") |
			  config_set(&c, "requests", "1", "t") | config_set(&c, "engine", "vllm-v1", "t"),
		  0);
	CHECK_INT(config_set(&c, "endpoint", "grpc", "t"), -1);
	CHECK(strstr(err_msg(), "endpoint") != NULL);
	CHECK_INT(run_load_inputs(&c, &in), 0);
	in.fe[FE_COMPLETIONS].per_request = 0.004;
	in.fe[FE_CHAT].per_request = 0.009;
	in.fe[FE_COMPLETIONS].per_output_token = 0;
	in.fe[FE_CHAT].per_output_token = 0;
	in.fe[FE_COMPLETIONS].latency = 0.012;
	in.fe[FE_CHAT].latency = 0.047;
	/* the shipped chat first token is not what this test works by hand */
	in.fe[FE_COMPLETIONS].first_token = 0;
	in.fe[FE_CHAT].first_token = 0;
	for (int i = 0; i < 3; i++) {
		struct run_result r;
		CHECK_INT(config_set(&c, "endpoint", ep[i], "t"), 0);
		CHECK_INT(c.endpoint, i);
		CHECK_INT(run_simulate(&c, &in, &r), 0);
		ttft[i] = r.sum.ttft_ms.mean;
		run_result_release(&r);
	}
	CHECK_NEAR(ttft[1] - ttft[0], 40.0, 1e-3);
	CHECK_NEAR(ttft[0] - ttft[2], 16.0, 1e-3);
	CHECK(ttft[2] > 0);
	run_inputs_release(&in);
}

/* A written profile reads back as it was: the front end's latency kept, and a profile
 * without a speculative block written without one (as zeros it would read as drafting
 * that costs nothing, where its absence refuses model and EAGLE drafters). */
static void writes_back(void)
{
	static const char *const names[] = {"vllm-v1", "vllm-v0", "trtllm-1"};
	for (int i = 0; i < 3; i++) {
		struct engine_profile e, f;
		struct sbuf sb = {0};
		CHECK_INT(engine_profile_load(&e, names[i]), 0);
		/* written and read back, the chat one apart */
		e.fe[FE_COMPLETIONS].first_token = 0.0025;
		e.fe[FE_CHAT].first_token = 0.0175;
		engine_profile_write(&e, &sb, NULL, NULL);
		CHECK_INT(engine_profile_parse(&f, sb.buf, sb.len, "w.yaml"), 0);
		CHECK_INT(f.has_spec, e.has_spec);
		for (int ep = 0; ep < FE_N; ep++) /* every term of both endpoints */
			for (int t = 0; t < FE_NTERM; t++)
				CHECK(*frontend_term(&f.fe[ep], t) == *frontend_term(&e.fe[ep], t));
		CHECK(f.fe[FE_COMPLETIONS].first_token == 0.0025 &&
		      f.fe[FE_CHAT].first_token == 0.0175);
		CHECK(f.step_per_ctx_token_extra == e.step_per_ctx_token_extra);
		CHECK((strstr(sb.buf, "speculative:") != NULL) == (i == 0));
		/* TensorRT-LLM's memory rule and capacity policy: written when said, else not */
		CHECK(f.kv_free_fraction == e.kv_free_fraction);
		CHECK_INT(f.guaranteed_no_evict, e.guaranteed_no_evict);
		CHECK((strstr(sb.buf, "kv_free_fraction") != NULL) == (i == 2));
		/* V0's budget rule: written when said (vllm-v0), else not */
		CHECK_INT(f.unchunked_max_len, e.unchunked_max_len);
		CHECK((strstr(sb.buf, "unchunked_max_len: true") != NULL) == (i == 1));
		CHECK_INT(f.long_context_len, e.long_context_len);
		CHECK_INT(f.long_context_budget, e.long_context_budget);
		CHECK((strstr(sb.buf, "long_context_len: 32768") != NULL) == (i == 1));
		CHECK((strstr(sb.buf, "long_context") != NULL) == (i == 1)); /* 0: not written */
		/* the limits by GPU and usage: vllm-v1's, read back alike */
		CHECK(!memcmp(f.lim, e.lim, sizeof(e.lim)));
		CHECK_INT(f.large_gpu_min_gib, e.large_gpu_min_gib);
		CHECK_STR(f.large_gpu_except, e.large_gpu_except);
		CHECK((strstr(sb.buf, "large_gpu_except: \"a100\"") != NULL) == (i == 0));
		sbuf_release(&sb);
		/* a string holding control characters (a parsed "\x01" or "\n") is written
		 * escaped, so the file reads back (fuzz_engine_profile found it written raw) */
		strcpy(e.versions, "1.0\x01\n\"2\"\\");
		engine_profile_write(&e, &sb, NULL, NULL);
		CHECK_INT(engine_profile_parse(&f, sb.buf, sb.len, "w.yaml"), 0);
		CHECK_STR(f.versions, "1.0\x01\n\"2\"\\");
		sbuf_release(&sb);
	}
}

/* kv_free_fraction by hand: TensorRT-LLM's KV pool is the share f of the memory left after
 * weights, activations and the reserve, which is the pool vLLM's rule gives at
 * gpu_memory_utilization 1 with one sampler row (max_num_seqs 1): at f = 0.5, half of it.
 * guaranteed_no_evict by hand: two requests of 2000 + 6000 tokens (500 blocks of 16 each)
 * in a pool of about 750 blocks. vLLM's rule admits both (125 prompt blocks each) and
 * preempts when their decodes outgrow the pool; TensorRT-LLM's admits the second only when
 * the first has finished: no preemption, never more than one request's 500 blocks in use,
 * and the second's first token after the first's last. */
static void trtllm_memory_and_capacity(void)
{
	struct run_config c;
	struct run_inputs in;
	struct run_result a, b;
	char v[64];
	double per_block, f;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", "h100_sxm", "t") |
			  config_set(&c, "input_len", "2000", "t") |
			  config_set(&c, "output_len", "6000", "t") | config_set(&c, "requests", "2", "t"),
		  0);
	CHECK_INT(run_load_inputs(&c, &in), 0);
	CHECK_INT(config_set(&c, "gpu_memory_utilization", "1", "t") |
			  config_set(&c, "max_num_seqs", "1", "t") | config_set(&c, "requests", "1", "t"),
		  0);
	CHECK_INT(run_simulate(&c, &in, &a), 0);
	config_defaults(&c);
	CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", "h100_sxm", "t") |
			  config_set(&c, "input_len", "2000", "t") |
			  config_set(&c, "output_len", "6000", "t") | config_set(&c, "requests", "1", "t") |
			  config_set(&c, "kv_free_fraction", "0.5", "t"),
		  0);
	CHECK_INT(run_simulate(&c, &in, &b), 0);
	CHECK_NEAR(b.st.kv_bytes, 0.5 * a.st.kv_bytes, 1e-6 * a.st.kv_bytes);
	per_block = a.st.kv_bytes / (double)a.st.kv_blocks; /* within a block of the pool */
	f = 750.5 * per_block / a.st.kv_bytes;
	run_result_release(&a);
	run_result_release(&b);
	snprintf(v, sizeof(v), "%.17g", f);
	CHECK_INT(config_set(&c, "kv_free_fraction", v, "t") | config_set(&c, "requests", "2", "t"),
		  0);
	CHECK_INT(run_simulate(&c, &in, &a), 0);
	CHECK(a.st.kv_blocks >= 749 && a.st.kv_blocks <= 751);
	CHECK(a.st.preemptions > 0);           /* vLLM's admission */
	CHECK_INT(config_set(&c, "guaranteed_no_evict", "true", "t"), 0);
	CHECK_INT(run_simulate(&c, &in, &b), 0);
	CHECK_INT(b.st.preemptions, 0);
	CHECK(b.st.peak_kv_blocks <= 500 && b.st.peak_kv_blocks >= 499);
	CHECK(b.w.reqs[1].t_first >= b.w.reqs[0].t_done);
	run_result_release(&a);
	run_result_release(&b);
	/* a request whose whole length cannot fit is refused, not left waiting */
	CHECK_INT(config_set(&c, "output_len", "20000", "t"), 0);
	CHECK_INT(run_simulate(&c, &in, &b), -1);
	CHECK(strstr(err_msg(), "guaranteed_no_evict") != NULL);
	run_inputs_release(&in);
}

/* The budget vLLM V0 takes when a run gives none (defaults.unchunked_max_len): with chunked
 * prefill off, max(max_model_len, 2048), max_model_len the run's or else the model's
 * max_len; a budget or chunked prefill of the run's own wins, and vllm-v1 says nothing. */
static int v0_budget_of(const char *model, const char *engine, const char *max_model_len,
			const char *budget, const char *chunked, int *chunked_out)
{
	struct run_config c;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "model", model, "t") | config_set(&c, "engine", engine, "t"), 0);
	if (max_model_len)
		CHECK_INT(config_set(&c, "max_model_len", max_model_len, "t"), 0);
	if (budget)
		CHECK_INT(config_set(&c, "max_num_batched_tokens", budget, "t"), 0);
	if (chunked)
		CHECK_INT(config_set(&c, "chunked_prefill", chunked, "t"), 0);
	CHECK_INT(run_engine_defaults(&c), 0);
	if (chunked_out)
		*chunked_out = c.chunked_prefill;
	return c.max_num_batched_tokens;
}

static int v0_budget(const char *engine, const char *max_model_len, const char *budget,
		     const char *chunked)
{
	return v0_budget_of("meta-llama/Llama-2-7b-hf", engine, max_model_len, budget, chunked,
			    NULL);
}

static void unchunked_max_len(void)
{
	struct model m;
	struct run_config d;
	config_defaults(&d); /* ttsim's own budget, where no rule applies */
	CHECK_INT(model_find(&m, "meta-llama/Llama-2-7b-hf"), 0);
	CHECK(m.max_len > 2048 && m.max_len != d.max_num_batched_tokens);
	CHECK_INT(v0_budget("vllm-v0", NULL, NULL, NULL), m.max_len);
	CHECK_INT(v0_budget("vllm-v0", "30000", NULL, NULL), 30000);
	CHECK_INT(v0_budget("vllm-v0", "1000", NULL, NULL), 2048); /* at least 2048 */
	CHECK_INT(v0_budget("vllm-v0", "30000", "512", NULL), 512);
	CHECK_INT(v0_budget("vllm-v0", "30000", NULL, "true"), d.max_num_batched_tokens);
	CHECK_INT(v0_budget("vllm-v1", "30000", NULL, "false"), d.max_num_batched_tokens);
	/* vLLM since PR #6666: over a 32K context, chunked prefill comes on with a 512 budget unless
	 * the run says otherwise; at 32K itself, or with a sliding window (gpt-oss), not */
	{
		int ch = -1;
		CHECK_INT(v0_budget_of("meta-llama/Llama-2-7b-hf", "vllm-v0", "32769", NULL, NULL,
				       &ch), 512);
		CHECK_INT(ch, 1);
		CHECK_INT(v0_budget_of("meta-llama/Llama-2-7b-hf", "vllm-v0", "32768", NULL, NULL,
				       &ch), 32768);
		CHECK_INT(ch, 0);
		CHECK_INT(v0_budget_of("meta-llama/Llama-2-7b-hf", "vllm-v0", "40000", "1024", NULL,
				       &ch), 1024);
		CHECK_INT(ch, 1);
		CHECK_INT(v0_budget_of("meta-llama/Llama-2-7b-hf", "vllm-v0", "40000", NULL, "false",
				       &ch), 40000);
		CHECK_INT(ch, 0);
		CHECK_INT(v0_budget_of("openai/gpt-oss-20b", "vllm-v0",
				       "40000", NULL, NULL, &ch), 40000);
		CHECK_INT(ch, 0);
		CHECK_INT(v0_budget_of("meta-llama/Llama-2-7b-hf", "vllm-v1", "40000", NULL, NULL,
				       &ch), d.max_num_batched_tokens);
		CHECK_INT(ch, 1);
	}
	/* a model ttsim cannot find is refused, naming the key */
	{
		struct run_config c;
		config_defaults(&c);
		CHECK_INT(config_set(&c, "model", "no/such-model", "t") |
				  config_set(&c, "engine", "vllm-v0", "t"),
			  0);
		CHECK_INT(run_engine_defaults(&c), -1);
		CHECK(strstr(err_msg(), "key 'model'") != NULL);
	}
}

/* The frontend block's keys: each sets its own endpoint's term and no other (a chat_ key
 * not given is the completions one's), engine_profile_fe_key names them in the order
 * engine_profile_write writes them, and each written line reads back to its term. */
static void fe_keys(void)
{
	static const char *const want[] = {"per_request_s", "per_output_token_s", "latency_s",
					   "chat_latency_s", "chat_per_request_s",
					   "chat_per_output_token_s", "first_token_s",
					   "chat_first_token_s"};
	struct engine_profile e;
	struct sbuf sb = {0};
	const char *key, *at;
	int i, ep, t, seen[FE_N][FE_NTERM] = {{0}};
	for (i = 0; (key = engine_profile_fe_key(i, &ep, &t)); i++) {
		char y[256];
		CHECK(i < 8 && !strcmp(key, want[i]));
		CHECK(ep >= 0 && ep < FE_N && t >= 0 && t < FE_NTERM && !seen[ep][t]);
		CHECK_INT(!strncmp(key, "chat_", 5), ep == FE_CHAT);
		seen[ep][t] = 1;
		snprintf(y, sizeof(y), "schema_version: 1\nname: x\nengine: y\nsource: s\n"
			 "frontend:\n  %s: 0.0125\n", key);
		CHECK_INT(engine_profile_parse(&e, y, strlen(y), "k.yaml"), 0);
		for (int e2 = 0; e2 < FE_N; e2++)
			for (int t2 = 0; t2 < FE_NTERM; t2++)
				CHECK(*frontend_term(&e.fe[e2], t2) ==
				      (t2 == t && (e2 == ep || ep == FE_COMPLETIONS) ? 0.0125 : 0));
	}
	CHECK_INT(i, FE_N * FE_NTERM);
	CHECK(engine_profile_fe_key(-1, &ep, &t) == NULL);
	/* the written block: the keys in that order, each with its own term's value */
	CHECK_INT(engine_profile_load(&e, "vllm-v1"), 0);
	for (ep = 0; ep < FE_N; ep++)
		for (t = 0; t < FE_NTERM; t++)
			*frontend_term(&e.fe[ep], t) = 0.001 * (1 + ep * FE_NTERM + t);
	engine_profile_write(&e, &sb, NULL, NULL);
	at = strstr(sb.buf, "\nfrontend:\n");
	for (i = 0; at && (key = engine_profile_fe_key(i, &ep, &t)); i++) {
		char line[96];
		snprintf(line, sizeof(line), "\n  %s: %.6g\n", key, 0.001 * (1 + ep * FE_NTERM + t));
		CHECK(!strncmp(at + strcspn(at + 1, "\n") + 1, line, strlen(line)));
		at += strcspn(at + 1, "\n") + 1;
	}
	CHECK(at != NULL && i == 8);
	sbuf_release(&sb);
}

/* vLLM >= 0.10's limits by device and usage (vllm-v1.yaml, from EngineArgs): 1024
 * sequences and 8192 / 16384 tokens served / offline on a GPU of >= 70 GiB that is not an
 * A100, else 256 and 2048 / 8192; what the run sets wins; a profile's missing case falls
 * back on the served one of its GPU class, then on the base pair. */
static void limits_by_gpu(void)
{
	static const struct {
		const char *gpu, *endpoint;
		int seqs, tokens;
	} want[] = {
		{"h100_sxm", "completions", 1024, 8192}, {"h100_sxm", "none", 1024, 16384},
		{"h200_sxm", "chat", 1024, 8192},        {"gh200", "none", 1024, 16384},
		{"a100_sxm", "chat", 256, 2048},         {"a100_sxm", "none", 256, 8192},
	};
	struct engine_profile e;
	struct engine_limits l;
	CHECK_INT(engine_profile_load(&e, "vllm-v1"), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct run_config c;
		config_defaults(&c);
		CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") |
				  config_set(&c, "gpu", want[i].gpu, "t") |
				  config_set(&c, "engine", "vllm-v1", "t") |
				  config_set(&c, "endpoint", want[i].endpoint, "t"),
			  0);
		CHECK_INT(run_engine_defaults(&c), 0);
		CHECK_INT(c.max_num_seqs, want[i].seqs);
		CHECK_INT(c.max_num_batched_tokens, want[i].tokens);
		if (i == 0) { /* the run's own limit wins; the other still the engine's */
			config_defaults(&c);
			CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") |
					  config_set(&c, "gpu", "h100_sxm", "t") |
					  config_set(&c, "engine", "vllm-v1", "t") |
					  config_set(&c, "max_num_seqs", "8", "t"),
				  0);
			CHECK_INT(run_engine_defaults(&c), 0);
			CHECK_INT(c.max_num_seqs, 8);
			CHECK_INT(c.max_num_batched_tokens, 8192);
		}
	}
	/* the GPU test: HBM, then the name or description, case aside */
	CHECK_INT(engine_profile_large_gpu(&e, 80e9, "h100_sxm", "NVIDIA H100 SXM5 80GB"), 1);
	CHECK_INT(engine_profile_large_gpu(&e, 80e9, "x", "NVIDIA A100-SXM4-80GB"), 0);
	CHECK_INT(engine_profile_large_gpu(&e, 80e9, "My_A100", "x"), 0);
	CHECK_INT(engine_profile_large_gpu(&e, 69.9 * 1073741824.0, "l40", "NVIDIA L40"), 0);
	CHECK_INT(engine_profile_large_gpu(&e, 70.0 * 1073741824.0, "l40", "NVIDIA L40"), 1);
	/* fallbacks: no large offline pair -> the large served one; no large pair -> the base */
	e.lim[1][1] = (struct engine_limits){0, 0};
	l = engine_profile_limits(&e, 1, 1);
	CHECK_INT(l.seqs, 1024);
	CHECK_INT(l.tokens, 8192);
	e.lim[1][0] = (struct engine_limits){0, 4096};
	l = engine_profile_limits(&e, 1, 1);
	CHECK_INT(l.seqs, 256);
	CHECK_INT(l.tokens, 4096);
	l = engine_profile_limits(&e, 0, 1); /* the small offline pair, as said */
	CHECK_INT(l.seqs, 256);
	CHECK_INT(l.tokens, 8192);
	e.large_gpu_min_gib = 0; /* no large GPU at all */
	CHECK_INT(engine_profile_large_gpu(&e, 200e9, "b200", "NVIDIA B200"), 0);
	e.large_gpu_min_gib = 70;
	e.large_gpu_except[0] = 0; /* no exception: every GPU of that memory */
	CHECK_INT(engine_profile_large_gpu(&e, 80e9, "a100_sxm", "NVIDIA A100"), 1);
}

int main(void)
{
	util_gsl_init();
	shipped();
	bad_files();
	reaches_a_run();
	ctx_token_step();
	trtllm_attention();
	by_endpoint();
	writes_back();
	fe_keys();
	trtllm_memory_and_capacity();
	unchunked_max_len();
	limits_by_gpu();
	return TEST_REPORT();
}
