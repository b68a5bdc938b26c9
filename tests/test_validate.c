/* test_validate.c: the measured-run parser on good and bad files, the error summary, and the
 * shared CSV reader (lib/csv.c) under every format that uses it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/test.h"
#include "lib/csv.h"
#include "lib/util.h"
#include "calibration/calib_import.h"
#include "calibration/raw.h"
#include "experiments/pareto.h"
#include "experiments/validate.h"
#include "sim/run.h"

#define H "id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value"

static void good_file(void)
{
	struct vset s = {0};
	int bad = -1;
	const char *t = "# comment\n\n"
			"notes,value,metric,concurrency,output_len,input_len,dtype,tp,gpu,model,id,num_prompts\r\n"
			"\"a, quoted \"\"note\"\"\",7.19,tpot_ms,4,221,233,bf16,1,h100_sxm,qwen3-8b,r1,100\n"
			"x,27.7,ttft_ms,4,221,233,fp8,2,h200_sxm,Qwen/Qwen3-8B,r2,\n";
	CHECK_INT(vset_parse_csv(&s, t, "g.csv", &bad), 0);
	CHECK_INT(bad, 0);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.rows[0].notes, "a, quoted \"note\"");
	CHECK_STR(s.rows[0].where, "g.csv:4");
	CHECK_NEAR(s.rows[0].value, 7.19, 1e-12);
	CHECK_INT(s.rows[0].metric, VM_TPOT);
	CHECK_INT(s.rows[0].num_prompts, 100);
	CHECK_INT(validate_requests(&s.rows[0]), 100);
	CHECK_INT(s.rows[1].tp, 2);
	CHECK_STR(s.rows[1].dtype, "fp8");
	CHECK_INT(s.rows[1].metric, VM_TTFT);
	CHECK_INT(validate_requests(&s.rows[1]), 100); /* max(10 x 4, 100) */
	s.rows[1].concurrency = 64;
	CHECK_INT(validate_requests(&s.rows[1]), 640);
	CHECK(isnan(s.rows[0].predicted));
	vset_release(&s);
}

/* issue 14: ids over about 100 characters and mean lengths with decimals were refused */
static void long_ids_and_means(void)
{
	struct vset s = {0};
	struct sbuf t = {0}, id = {0};
	int bad = -1;
	for (int i = 0; i < 30; i++)
		sbuf_printf(&id, "run-%02d/", i); /* 210 characters */
	sbuf_printf(&t, H "\n%s,m,g,1,bf16,212.5,1499.49,4,tpot_ms,5\n", id.buf);
	CHECK_INT(vset_parse_csv(&s, t.buf, "l.csv", &bad), 0);
	CHECK_INT(bad, 0);
	CHECK_STR(s.rows[0].id, id.buf);
	CHECK_INT(s.rows[0].input_len, 213); /* lround: half away from zero */
	CHECK_INT(s.rows[0].output_len, 1499);
	vset_release(&s);
	/* past the limit: refused with the limit, never cut (ids must stay distinct) */
	for (int i = 0; i < 120; i++)
		sbuf_printf(&id, "run-%02d/", i % 100);
	t.len = 0;
	sbuf_printf(&t, H "\n%s,m,g,1,bf16,212,1499,4,tpot_ms,5\n", id.buf);
	CHECK_INT(vset_parse_csv(&s, t.buf, "l.csv", &bad), 0);
	CHECK_INT(bad, 1);
	CHECK(strstr(s.rows[0].err, "l.csv:2: key 'id': value too long (expected at most 1023 "
				    "characters") == s.rows[0].err);
	vset_release(&s);
	sbuf_release(&t);
	sbuf_release(&id);
}

static void bad_rows(void)
{
	static const struct {
		const char *row, *msg;
	} cases[] = {
		{"r,m,g,1,bf16,100,10,1,tpot_ms,~13.5", "f.csv:2: key 'value': expected a number, got '~13.5'"},
		{"r,m,g,1,bf16,100,10,1,itl_ms,5", "f.csv:2: key 'metric': unsupported metric 'itl_ms'"},
		{"r,m,g,1,int4,100,10,1,tpot_ms,5", "f.csv:2: key 'dtype': unknown dtype 'int4'"},
		{"r,m,g,x,bf16,100,10,1,tpot_ms,5", "f.csv:2: key 'tp': expected an integer"},
		{"r,m,g,1,bf16,0,10,1,tpot_ms,5", "f.csv:2: key 'input_len': expected a token count in 1.."},
		{"r,m,g,1,bf16,100,0.4,1,tpot_ms,5", "f.csv:2: key 'output_len': expected a token count"},
		{"r,m,g,1,bf16,1e9,10,1,tpot_ms,5", "f.csv:2: key 'input_len': expected a token count"},
		{"r,m,g,1,bf16,100,10,1,tpot_ms,-1", "f.csv:2: key 'value': expected a positive number"},
		{"r,,g,1,bf16,100,10,1,tpot_ms,5", "f.csv:2: key 'model': empty value"},
		{"r,m,g,1,bf16,100,10,1,tpot_ms", "f.csv:2: 9 fields (expected 10"},
		{"\"r,m,g,1,bf16,100,10,1,tpot_ms,5", "f.csv:2: unterminated quoted field"},
		{"r,m,g,1,bf16,100,10,-1,tpot_ms,5", "f.csv:2: key 'concurrency': expected an integer in 0.."},
		/* an open loop with every prompt at once must say how many */
		{"r,m,g,1,bf16,100,10,0,tpot_ms,5", "f.csv:2: key 'num_prompts': an all-at-once run"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vset s = {0};
		char text[512];
		int bad = 0;
		snprintf(text, sizeof(text), H "\n%s\n", cases[i].row);
		CHECK_INT(vset_parse_csv(&s, text, "f.csv", &bad), 0);
		CHECK_INT(bad, 1);
		CHECK(s.n == 1 && !strncmp(s.rows[0].err, cases[i].msg, strlen(cases[i].msg)));
		if (s.n == 1 && strncmp(s.rows[0].err, cases[i].msg, strlen(cases[i].msg)))
			fprintf(stderr, "  got: %s\n", s.rows[0].err);
		vset_release(&s);
	}
}

/* The client's optional columns, status rows, fp16 and the grouping by engine family. */
static void serving_columns(void)
{
	struct vset s = {0};
	struct vgroup *g;
	char fam[32];
	int bad = -1;
	const char *t = H ",num_prompts,request_rate,burstiness,dataset,range_ratio,ignore_eos,"
			  "max_output_len,kv_dtype,status,max_num_seqs,max_num_batched_tokens,engine,"
			  "engine_version\n"
			  "a,qwen3-8b,h100_sxm,1,fp16,100,20,0,tpot_ms,5,50,inf,,random,0.5,false,30,fp8,,"
			  "16,512,vllm,0.5\n"
			  "a,qwen3-8b,h100_sxm,1,fp16,100,20,0,ttft_ms,20,50,inf,,random,0.5,false,30,fp8,,"
			  "16,512,vllm,0.5\n"
			  "b,qwen3-8b,h100_sxm,1,bf16,100,20,0,e2e_s,2,40,4,inf,sharegpt,,,,,,,,vLLM,v0.11.0\n"
			  "c,mixtral,h100_sxm,2,bf16,100,20,0,e2e_s,2,40,4,,,,,,,skip: moe,,,vllm,\n";
	CHECK_INT(vset_parse_csv(&s, t, "s.csv", &bad), 0);
	CHECK_INT(bad, 0);
	CHECK_INT(s.n, 4);
	CHECK(isinf(s.rows[0].request_rate));
	CHECK_NEAR(s.rows[0].range_ratio, 0.5, 1e-12);
	CHECK_INT(s.rows[0].ignore_eos, 0);
	CHECK_INT(s.rows[0].max_output_len, 30);
	CHECK_STR(s.rows[0].kv_dtype, "fp8");
	CHECK_STR(s.rows[0].dtype, "fp16");
	CHECK_INT(s.rows[0].max_num_seqs, 16);
	CHECK_INT(validate_requests(&s.rows[0]), 50);
	CHECK_NEAR(s.rows[2].request_rate, 4, 1e-12);
	CHECK(isinf(s.rows[2].burstiness));
	CHECK_INT(s.rows[2].ignore_eos, 1); /* default */
	CHECK_NEAR(s.rows[3].burstiness, 1, 1e-12); /* default: Poisson */
	CHECK_STR(s.rows[3].status, "skip: moe");
	validate_family(&s.rows[0], fam, sizeof(fam));
	CHECK_STR(fam, "vllm-v0");
	validate_family(&s.rows[2], fam, sizeof(fam));
	CHECK_STR(fam, "vllm-v1");
	CHECK_INT(validate_skipped(&s), 1);
	/* the skipped row is never simulated (its model does not exist) */
	CHECK_INT(validate_predict(&s, 0), 0);
	CHECK(s.rows[0].predicted > 0 && s.rows[2].predicted > 0 && isnan(s.rows[3].predicted));
	{ /* inference-perf's shared-prefix prompts repeat: the prefix cache holds them */
		struct run_config c;
		CHECK_INT(validate_config(&s.rows[2], &c), 0);
		CHECK_INT(c.prompt_cache, 0);
		strcpy(s.rows[2].dataset, "shared_prefix");
		CHECK_INT(validate_config(&s.rows[2], &c), 0);
		CHECK_INT(c.prompt_cache, 1);
		CHECK_INT(c.length_dist, 0); /* fixed lengths, not ShareGPT's */
		strcpy(s.rows[2].dataset, "sharegpt");
	}
	CHECK_INT(validate_groups(&s, &g), 3); /* (v0, tpot), (v0, ttft), (v1, e2e) */
	CHECK_STR(g[2].family, "vllm-v1");
	CHECK_INT(g[2].metric, VM_E2E);
	CHECK_INT(g[2].e.n, 1);
	free(g);
	/* per family over every GPU: the same three here (one GPU), their gpu "" */
	CHECK_INT(validate_families(&s, &g), 3);
	CHECK_STR(g[2].family, "vllm-v1");
	CHECK_STR(g[2].gpu, "");
	CHECK_INT(g[2].e.n, 1);
	free(g);
	{ /* one family's TPOT on two GPU kinds: two groups, one family group of both rows */
		char gpu1[sizeof(s.rows[1].gpu)];
		int metric1 = s.rows[1].metric;
		double pred1 = s.rows[1].predicted;
		strcpy(gpu1, s.rows[1].gpu);
		strcpy(s.rows[1].gpu, "a100_sxm");
		s.rows[1].metric = VM_TPOT;
		s.rows[1].predicted = s.rows[0].predicted;
		CHECK_INT(validate_groups(&s, &g), 3); /* (v0 h100 tpot) (v0 a100 tpot) (v1 e2e) */
		CHECK_INT(g[0].e.n, 1);
		free(g);
		CHECK_INT(validate_families(&s, &g), 2); /* (v0 tpot: both rows) (v1 e2e) */
		CHECK_STR(g[0].family, "vllm-v0");
		CHECK_INT(g[0].metric, VM_TPOT);
		CHECK_INT(g[0].e.n, 2);
		CHECK_INT(g[0].gpus, 2);
		CHECK_INT(g[1].gpus, 1);
		free(g);
		strcpy(s.rows[1].gpu, gpu1);
		s.rows[1].metric = metric1;
		s.rows[1].predicted = pred1;
	}
	vset_release(&s);
}

/* Two rows of one benchmark on two engine families are two simulations: each takes its
 * own family's profile (a cache keyed without the family gave the SGLang row vLLM's run). */
static void family_runs_apart(void)
{
	struct vset s = {0};
	int bad = -1;
	const char *t = H ",num_prompts,request_rate,dataset,engine,engine_version\n"
			  "v,qwen3-8b,h100_sxm,1,bf16,200,100,0,e2e_s,2,200,inf,sharegpt,vllm,0.11.0\n"
			  "g,qwen3-8b,h100_sxm,1,bf16,200,100,0,e2e_s,2,200,inf,sharegpt,sglang,0.5.4\n"
			  "w,qwen3-8b,h100_sxm,1,bf16,200,100,0,ttft_ms,9,200,inf,sharegpt,vllm,0.11.0\n";
	CHECK_INT(vset_parse_csv(&s, t, "f.csv", &bad), 0);
	CHECK_INT(s.n, 3);
	CHECK_INT(validate_predict(&s, 0), 0);
	CHECK(s.rows[0].predicted > 0 && s.rows[1].predicted > 0);
	CHECK(fabs(s.rows[0].predicted - s.rows[1].predicted) > 1e-3 * s.rows[0].predicted);
	vset_release(&s);
}

/* The ep column: an MoE run with vLLM's --enable-expert-parallel is simulated with --ep tp,
 * apart from the same benchmark without it; an unknown value is a row error naming the key. */
static void ep_column(void)
{
	struct vset s = {0};
	struct run_config c;
	int bad = -1;
	const char *t = H ",num_prompts,dataset,engine,ep\n"
			  "n,qwen3-30b-a3b,h100_sxm,2,bf16,2000,100,0,ttft_ms,9,64,random,vllm,\n"
			  "e,qwen3-30b-a3b,h100_sxm,2,bf16,2000,100,0,ttft_ms,9,64,random,vllm,tp\n"
			  "x,qwen3-30b-a3b,h100_sxm,2,bf16,2000,100,0,ttft_ms,9,64,random,vllm,ep8\n";
	CHECK_INT(vset_parse_csv(&s, t, "ep.csv", &bad), 0);
	CHECK_INT(bad, 1);
	CHECK(strstr(s.rows[2].err, "ep.csv:4: key 'ep'") != NULL);
	CHECK_STR(s.rows[1].ep, "tp");
	CHECK_INT(validate_config(&s.rows[0], &c), 0);
	CHECK_INT(c.ep, EP_NONE);
	CHECK_INT(validate_config(&s.rows[1], &c), 0);
	CHECK_INT(c.ep, EP_TP);
	s.n = 2; /* the bad row is not simulated */
	CHECK_INT(validate_predict(&s, 0), 0);
	CHECK(s.rows[0].predicted > 0 && s.rows[1].predicted > 0);
	CHECK(fabs(s.rows[0].predicted - s.rows[1].predicted) > 1e-6 * s.rows[0].predicted);
	s.n = 3;
	vset_release(&s);
}

/* The endpoint column: chat, completions or none reach the run; empty is none for an
 * offline batch (num_prompts = concurrency, all at once) and completions otherwise; anything
 * else is refused with its file, line and key. */
static void endpoint_column(void)
{
	struct vset s = {0};
	struct run_config c;
	int bad = -1;
	const char *t = H ",num_prompts,request_rate,engine,endpoint\n"
			  "a,qwen3-8b,h100_sxm,1,bf16,100,100,4,ttft_ms,9,16,inf,vllm,chat\n"
			  "b,qwen3-8b,h100_sxm,1,bf16,100,100,4,ttft_ms,9,16,inf,vllm,\n"
			  "c,qwen3-8b,h100_sxm,1,bf16,100,100,16,ttft_ms,9,16,inf,vllm,\n"
			  "d,qwen3-8b,h100_sxm,1,bf16,100,100,4,ttft_ms,9,16,inf,vllm,none\n"
			  "e,qwen3-8b,h100_sxm,1,bf16,100,100,4,ttft_ms,9,16,inf,vllm,completions\n"
			  "x,qwen3-8b,h100_sxm,1,bf16,100,100,4,ttft_ms,9,16,inf,vllm,Chat\n";
	static const int want[] = {ENDPOINT_CHAT, ENDPOINT_COMPLETIONS, ENDPOINT_NONE,
				   ENDPOINT_NONE, ENDPOINT_COMPLETIONS};
	CHECK_INT(vset_parse_csv(&s, t, "endpoint.csv", &bad), 0);
	CHECK_INT(bad, 1);
	CHECK(strstr(s.rows[5].err, "endpoint.csv:7: key 'endpoint': unknown endpoint 'Chat'") !=
	      NULL);
	for (int i = 0; i < 5; i++) {
		CHECK_INT(validate_config(&s.rows[i], &c), 0);
		CHECK_INT(c.endpoint, want[i]);
		CHECK_INT(validate_endpoint(&s.rows[i]), want[i]);
	}
	CHECK_INT(validate_fe_row(&s.rows[3], "vllm-v1"), 0); /* no API server: not fitted */
	CHECK_INT(validate_fe_row(&s.rows[0], "vllm-v1"), 1);
	vset_release(&s);
}

/* TensorRT-LLM rows: 1.x releases are the trtllm-1 family (models/engines/trtllm-1.yaml),
 * others a family without a profile; the chunked_prefill column is the run's own setting
 * and wins over the profile's default (off), an empty one leaves the default. */
static void trtllm_rows(void)
{
	struct vset s = {0};
	struct run_config c;
	char fam[32];
	int bad = -1;
	const char *t = H ",num_prompts,request_rate,engine,engine_version,chunked_prefill\n"
			  "a,qwen3-8b,h100_sxm,1,bf16,100,100,0,ttft_ms,9,16,inf,trtllm,v1.2.0rc1,true\n"
			  "b,qwen3-8b,h100_sxm,1,bf16,100,100,0,ttft_ms,9,16,inf,trtllm,1.0,\n"
			  "c,qwen3-8b,h100_sxm,1,bf16,100,100,0,ttft_ms,9,16,inf,trtllm,0.21,\n"
			  "x,qwen3-8b,h100_sxm,1,bf16,100,100,0,ttft_ms,9,16,inf,trtllm,1.0,yes\n";
	CHECK_INT(vset_parse_csv(&s, t, "trt.csv", &bad), 0);
	CHECK_INT(bad, 1);
	CHECK(strstr(s.rows[3].err, "trt.csv:5: key 'chunked_prefill': expected true or false") !=
	      NULL);
	validate_family(&s.rows[0], fam, sizeof(fam));
	CHECK_STR(fam, "trtllm-1");
	validate_family(&s.rows[1], fam, sizeof(fam));
	CHECK_STR(fam, "trtllm-1");
	validate_family(&s.rows[2], fam, sizeof(fam));
	CHECK_STR(fam, "trtllm");
	CHECK_INT(s.rows[0].chunked_prefill, 1);
	CHECK_INT(s.rows[1].chunked_prefill, -1);
	CHECK_INT(validate_config(&s.rows[0], &c), 0);
	CHECK_INT(c.chunked_prefill, 1);       /* the row's */
	CHECK_NEAR(c.kv_free_fraction, 0.9, 1e-12); /* the profile's */
	CHECK_INT(c.guaranteed_no_evict, 1);
	CHECK_INT(validate_config(&s.rows[1], &c), 0);
	CHECK_INT(c.chunked_prefill, 0);       /* the profile's default */
	CHECK_INT(c.max_num_seqs, 2048);
	CHECK_INT(validate_config(&s.rows[2], &c), 0);
	CHECK_INT(c.guaranteed_no_evict, 0);   /* no profile: vLLM V1 as profiled */
	CHECK(c.kv_free_fraction == 0);
	vset_release(&s);
}

/* The max_model_len column: vLLM's max_model_len of the run, which sizes vLLM V0's default
 * budget (max(max_model_len, 2048), models/engines/vllm-v0.yaml); empty: the model's own
 * max_len (qwen3-8b's 40960: over 32K, so chunked prefill at 512); a bad value names its
 * line and key. */
static void max_model_len_rows(void)
{
	struct vset s = {0};
	struct run_config c, d;
	struct model m;
	int bad = -1;
	const char *t = H ",num_prompts,request_rate,engine,engine_version,max_model_len\n"
			  "a,qwen3-8b,h100_sxm,1,bf16,100,100,16,output_tok_per_s,9,16,inf,vllm,0.5,"
			  "8192\n"
			  "b,qwen3-8b,h100_sxm,1,bf16,100,100,16,output_tok_per_s,9,16,inf,vllm,0.5,\n"
			  "c,qwen3-8b,h100_sxm,1,bf16,100,100,16,output_tok_per_s,9,16,inf,vllm,0.5,"
			  "1000\n"
			  "d,qwen3-8b,h100_sxm,1,bf16,100,100,16,output_tok_per_s,9,16,inf,vllm,0.11,"
			  "20000\n"
			  "x,qwen3-8b,h100_sxm,1,bf16,100,100,16,output_tok_per_s,9,16,inf,vllm,0.5,"
			  "long\n";
	CHECK_INT(model_find(&m, "qwen3-8b"), 0);
	config_defaults(&d);
	CHECK_INT(vset_parse_csv(&s, t, "mml.csv", &bad), 0);
	CHECK_INT(bad, 1);
	CHECK(strstr(s.rows[4].err, "mml.csv:6: key 'max_model_len': expected an integer") != NULL);
	CHECK_INT(s.rows[0].max_model_len, 8192);
	CHECK_INT(s.rows[1].max_model_len, 0);
	CHECK_INT(validate_config(&s.rows[0], &c), 0);
	CHECK_INT(c.max_model_len, 8192);
	CHECK_INT(c.max_num_batched_tokens, 8192); /* vllm-v0: max(8192, 2048) */
	CHECK_INT(validate_config(&s.rows[1], &c), 0);
	/* the model's own, over 32K: chunked prefill with its 512 budget (vLLM PR #6666) */
	CHECK(m.max_len > 32768);
	CHECK_INT(c.chunked_prefill, 1);
	CHECK_INT(c.max_num_batched_tokens, 512);
	CHECK_INT(validate_config(&s.rows[2], &c), 0);
	CHECK_INT(c.max_num_batched_tokens, 2048);
	/* vllm-v1: chunked, its own budget, which is an offline batch's (16 prompts at once
	 * on 16 clients: vLLM's LLM class) on an H100: 16384, not the 8192 of its server (the
	 * endpoint is set before the engine's defaults, which read it) */
	CHECK_INT(validate_config(&s.rows[3], &c), 0);
	CHECK_INT(c.endpoint, ENDPOINT_NONE);
	CHECK_INT(c.max_model_len, 20000);
	CHECK_INT(c.max_num_batched_tokens, 16384);
	CHECK(c.max_num_batched_tokens != d.max_num_batched_tokens);
	vset_release(&s);
}

/* A "measured" run's configuration: qwen3-8b on h100_sxm under engine, len tokens in and
 * len out. */
static void measured_config(struct run_config *c, const char *engine, int len)
{
	char v[32];
	config_defaults(c);
	snprintf(v, sizeof(v), "%d", len);
	config_set(c, "model", "qwen3-8b", "t");
	config_set(c, "gpu", "h100_sxm", "t");
	config_set(c, "input_len", v, "t");
	config_set(c, "output_len", v, "t");
	config_set(c, "engine", engine, "t");
}

/* Neither fit takes a row of the check part: both refuse a set parsed from it. */
static void check_part_refused(const char *csv, const char *family, int frontend)
{
	struct vset s = {0};
	struct vfit f;
	struct vfefit fe;
	int bad;
	CHECK_INT(vset_parse_csv(&s, csv, "tests/validation/serving_check.csv", &bad), 0);
	CHECK_INT(frontend ? validate_fit_frontend(&s, family, &fe) : validate_fit_engine(&s, family, &f),
		  -1);
	CHECK(strstr(err_msg(), "the check part is never fitted") != NULL);
	vset_release(&s);
}

/* The engine fit recovers known constants: "measured" batches simulated with the shipped
 * vllm-v0 profile's extra CPU time are fitted back to it (per_tp not fitted: TP1 only;
 * per_ctx_token from the two lengths), and the check part is refused. */
static void engine_fit_recovers(void)
{
	struct vset s = {0};
	struct vfit f;
	struct sbuf sb = {0};
	static const int batch[] = {1, 4, 16, 64}, len[] = {64, 256};
	int bad, k = 0;
	sbuf_printf(&sb, H ",num_prompts,request_rate,engine,engine_version\n");
	for (int b = 0; b < 4; b++)
		for (int l = 0; l < 2; l++, k++) {
			struct run_config c;
			struct run_inputs in;
			struct run_result r;
			char v[32];
			measured_config(&c, "vllm-v0", len[l]);
			snprintf(v, sizeof(v), "%d", batch[b]);
			config_set(&c, "requests", v, "t");
			CHECK_INT(run_engine_defaults(&c), 0);
			CHECK_INT(run_load_inputs(&c, &in), 0);
			CHECK_INT(run_simulate(&c, &in, &r), 0);
			sbuf_printf(&sb, "r%d,qwen3-8b,h100_sxm,1,bf16,%d,%d,%d,output_tok_per_s,%.17g,%d,inf,"
				    "vllm,0.5\n", k, len[l], len[l], batch[b], r.sum.output_tok_per_s, batch[b]);
			run_result_release(&r);
			run_inputs_release(&in);
		}
	CHECK_INT(vset_parse_csv(&s, sb.buf, "serving_fit.csv", &bad), 0);
	CHECK_INT(validate_fit_engine(&s, "vllm-v0", &f), 0);
	CHECK_INT(f.n, 8);
	CHECK_INT(f.p, 3); /* base, per_seq and, the lengths differing, per_ctx_token */
	CHECK(f.fitted[VFIT_CTX] && !f.fitted[VFIT_TP] && f.coef[VFIT_TP] == 0);
	CHECK_NEAR(f.coef[0], 0.001059, 0.05);
	CHECK_NEAR(f.coef[1], 4.204e-05, 0.05);
	CHECK_NEAR(f.coef[VFIT_CTX], 2.997e-08, 0.05);
	CHECK(f.in_median < 1 && f.loo_median < 2);
	CHECK_INT(validate_fit_engine(&s, "vllm-v1", &f), -1); /* no row of that family */
	vset_release(&s);
	check_part_refused(sb.buf, "vllm-v0", 0);
	sbuf_release(&sb);
}

/* The front-end fit recovers known constants on its grid: "measured" closed-loop runs
 * simulated with a front end of 10 ms per request, 0.1 ms per token and a 20 ms latency on
 * the completions endpoint, 15 ms, 0.2 ms and 35 ms on the chat endpoint, are fitted back
 * to it (the serial time and the latency are told apart by the clients that queue on the
 * server at 4 clients, not at 1; each endpoint's by its own rows); the offline batches are not its
 * rows; the check part is refused. */
static void frontend_fit_recovers(void)
{
	struct vset s = {0};
	struct vfefit f;
	struct sbuf sb = {0};
	static const struct {
		int conc, len, chat;
	} runs[] = {{1, 16, 0}, {1, 64, 0}, {4, 16, 0}, {4, 64, 0},
		    {1, 16, 1}, {1, 64, 1}, {4, 16, 1}, {4, 64, 1}};
	static const int metric[] = {VM_TTFT, VM_THROUGHPUT};
	/* per_request, per_output_token, latency, first_token of each endpoint */
	struct frontend truth[FE_N] = {{0.01, 1e-4, 0.02, 0.005}, {0.015, 2e-4, 0.035, 0.0075}};
	int bad, k = 0;
	sbuf_printf(&sb, H ",num_prompts,request_rate,engine,engine_version,endpoint\n");
	for (int b = 0; b < 8; b++) {
		struct run_config c;
		struct run_inputs in;
		struct run_result r;
		char v[32];
		measured_config(&c, "vllm-v1", runs[b].len);
		config_set(&c, "requests", "8", "t");
		snprintf(v, sizeof(v), "%d", runs[b].conc);
		config_set(&c, "concurrency", v, "t");
		config_set(&c, "endpoint", runs[b].chat ? "chat" : "completions", "t");
		c.arrival = ARR_CLOSED;
		CHECK_INT(run_engine_defaults(&c), 0);
		CHECK_INT(run_load_inputs(&c, &in), 0);
		memcpy(in.fe, truth, sizeof(in.fe));
		CHECK_INT(run_simulate(&c, &in, &r), 0);
		for (int m = 0; m < 2; m++, k++)
			sbuf_printf(&sb, "r%d,qwen3-8b,h100_sxm,1,bf16,%d,%d,%d,%s,%.17g,8,inf,"
				    "vllm,0.11.0,%s\n", k, runs[b].len, runs[b].len, runs[b].conc,
				    vmetric_name(metric[m]), validate_metric(&r.sum, metric[m]),
				    runs[b].chat ? "chat" : "completions");
		run_result_release(&r);
		run_inputs_release(&in);
	}
	/* an offline batch: no API server, not a row of the fit */
	sbuf_printf(&sb, "off,qwen3-8b,h100_sxm,1,bf16,64,64,8,output_tok_per_s,1000,8,inf,"
		    "vllm,0.11.0,\n");
	CHECK_INT(vset_parse_csv(&s, sb.buf, "serving_fit.csv", &bad), 0);
	CHECK_INT(validate_fit_frontend(&s, "vllm-v1", &f), 0);
	CHECK_INT(f.n, 16);
	CHECK_INT(f.n_chat, 8);
	CHECK_INT(f.runs, 8);
	for (int e = 0; e < FE_N; e++) /* each endpoint's constants, each on its own term */
		for (int t = 0; t < FE_NTERM; t++)
			CHECK_NEAR(*frontend_term(&f.coef[e], t), *frontend_term(&truth[e], t),
				   1e-9);
	CHECK(f.in_median < 1e-6 && f.loo_median < 1e-6 && f.before_median > 1);
	CHECK_INT(validate_fit_frontend(&s, "vllm-v0", &f), -1); /* no row of that family */
	CHECK(strstr(err_msg(), "0 served benchmarks") != NULL);
	vset_release(&s);
	check_part_refused(sb.buf, "vllm-v1", 1);
	sbuf_release(&sb);
}

static void bad_files(void)
{
	struct vset s = {0};
	int bad;
	CHECK_INT(vset_parse_csv(&s, "# only a comment\n", "e.csv", &bad), -1);
	CHECK(strstr(err_msg(), "e.csv: no header line") != NULL);
	CHECK_INT(vset_parse_csv(&s, "id,model,gpu,tp\n", "h.csv", &bad), -1);
	CHECK(strstr(err_msg(), "h.csv:1: key 'dtype': missing column") != NULL);
	CHECK_INT(vset_parse_csv(&s, H ",colour\n", "c.csv", &bad), -1);
	CHECK(strstr(err_msg(), "c.csv:1: key 'colour': unknown column") != NULL);
	CHECK_INT(vset_parse_vllm_json(&s, "{\"model_id\": \"qwen3-8b\", \"completed\": 1,"
					   "\"total_input_tokens\": 10, \"total_output_tokens\": 5,"
					   "\"request_rate\": 4, \"mean_tpot_ms\": 5}",
				       "p.json", NULL, &bad),
		  -1);
	CHECK(strstr(err_msg(), "key 'gpu'") != NULL);
	vset_release(&s);
}

static void prediction_and_summary(void)
{
	struct vset s = {0};
	struct verr e[VM_N];
	int bad;
	const char *t = H "\n"
			"a,qwen3-8b,h100_sxm,1,bf16,100,20,2,tpot_ms,5\n"
			"a,qwen3-8b,h100_sxm,1,bf16,100,20,2,ttft_ms,20\n"
			"b,qwen3-8b,h100_sxm,3,bf16,100,20,2,tpot_ms,5\n";
	CHECK_INT(vset_parse_csv(&s, t, "p.csv", &bad), 0);
	CHECK_INT(validate_predict(&s, 0), -1);
	CHECK(strstr(err_msg(), "p.csv:4: key 'tp'") != NULL);
	s.rows[2].err[0] = 0;
	CHECK_INT(validate_predict(&s, 1), 1); /* keep going: the tp row fails again */
	CHECK(strstr(s.rows[2].err, "p.csv:4: key 'tp'") != NULL);
	CHECK(s.rows[0].predicted > 0 && s.rows[1].predicted > 0);
	/* measured = predicted x 1.1 and x 0.8: errors -9.09% and +25% */
	s.rows[0].value = s.rows[0].predicted * 1.1;
	s.rows[1].value = s.rows[1].predicted * 0.8;
	validate_summary(&s, e);
	CHECK_INT(e[VM_TPOT].n, 1);
	CHECK_NEAR(e[VM_TPOT].median_abs, 100.0 / 11.0, 1e-9);
	CHECK_NEAR(e[VM_TPOT].mean_signed, -100.0 / 11.0, 1e-9);
	CHECK_NEAR(e[VM_TTFT].median_abs, 25.0, 1e-9);
	CHECK_INT(e[VM_E2E].n, 0);
	vset_release(&s);
}

/* lib/csv.c: true file lines after blank and comment lines, quotes, header by name */
static void csv_reader(void)
{
	struct csv c;
	const char *t = "# c\n\na, b ,\"x,\"\"y\"\"\"\r\n\n  \n1,2,3\n\"open\n";
	csv_init(&c, t, strlen(t), CSV_SKIP_BLANK | CSV_SKIP_COMMENT | CSV_QUOTES | CSV_TRIM);
	CHECK_INT(csv_next(&c), 1);
	CHECK_INT(c.line, 3);
	CHECK_INT(c.nf, 3);
	CHECK_STR(c.f[1], "b");
	CHECK_STR(c.f[2], "x,\"y\"");
	csv_set_header(&c);
	CHECK_INT(c.hdr_line, 3);
	CHECK_INT(csv_next(&c), 1);
	CHECK_INT(c.line, 6);
	CHECK_STR(csv_get(&c, csv_col(&c, "b")), "2");
	CHECK(csv_get(&c, csv_col(&c, "nope")) == NULL);
	CHECK_INT(csv_next(&c), -1);
	CHECK_INT(c.line, 7);
	CHECK_INT(csv_next(&c), 0);
	csv_release(&c);
}

/* A blank line before a bad row: every reader names the bad row's own line (the
 * speculative acceptance reader once lost count: strtok_r skipped blank lines). */
static void csv_line_numbers(void)
{
	struct spec_setup sp = {0};
	const char *acc = "# measured\nposition,p_accept\n1,0.8\n\n2,oops\n";
	CHECK_INT(spec_acceptance_parse(&sp, acc, strlen(acc), "a.csv"), -1);
	CHECK(strstr(err_msg(), "a.csv:5: key 'spec_acceptance'") != NULL);
	const char *acc2 = "position,p_accept\n1,0.8\n\n2,\n";
	CHECK_INT(spec_acceptance_parse(&sp, acc2, strlen(acc2), "b.csv"), -1);
	CHECK(strstr(err_msg(), "b.csv:4: key 'spec_acceptance'") != NULL);

	/* issue 14: a position left out of the table read as 0 (never accepted), silently */
	const char *gap = "position,p_accept\n1,0.8\n3,0.6\n";
	CHECK_INT(spec_acceptance_parse(&sp, gap, strlen(gap), "g.csv"), -1);
	CHECK_STR(err_msg(), "g.csv: key 'spec_acceptance': position 2 missing (expected one row "
			     "per position 1..3)");
	const char *twice = "position,p_accept\n1,0.8\n1,0.6\n";
	CHECK_INT(spec_acceptance_parse(&sp, twice, strlen(twice), "t.csv"), -1);
	CHECK(strstr(err_msg(), "t.csv:3: key 'spec_acceptance': position 1 given twice") == err_msg());
	const char *inf = "accepted,weight\n0,1\n1,inf\n";
	CHECK_INT(spec_acceptance_parse(&sp, inf, strlen(inf), "i.csv"), -1);
	CHECK(strstr(err_msg(), "i.csv:3: key 'spec_acceptance'") == err_msg());
	const char *huge = "accepted,weight\n0,1e308\n1,1e308\n2,1e308\n";
	CHECK_INT(spec_acceptance_parse(&sp, huge, strlen(huge), "h.csv"), -1);
	CHECK(strstr(err_msg(), "h.csv: key 'spec_acceptance': the weights sum to infinity") == err_msg());
	/* positions past the table are marked for run_simulate, which holds spec_k to them */
	const char *two = "position,p_accept\n1,0.8\n2,0.6\n";
	CHECK_INT(spec_acceptance_parse(&sp, two, strlen(two), "two.csv"), 0);
	CHECK_NEAR(sp.pos[1], 0.6, 0);
	CHECK(sp.pos[2] < 0);

	struct raw_set rs;
	raw_set_init(&rs);
	const char *raw = "# gpu: H100\n\nop,bytes,time_s\nread,1024,1e-6\n\nread,1024,-1\n";
	CHECK_INT(raw_parse(&rs, RAW_MEMBW, raw, "membw.csv", 0), -1);
	CHECK(strstr(err_msg(), "membw.csv:6: key 'time_s'") != NULL);
	raw_set_release(&rs);

	raw_set_init(&rs);
	struct import_options o = {"H100", NULL};
	const char *vid = "# from vidur\n\nrank,num_workers\n0,1\n";
	CHECK_INT(import_text(&rs, "vidur", vid, strlen(vid), "v.csv", &o), -1);
	CHECK(strstr(err_msg(), "v.csv:3: unknown vidur layout") != NULL);
	raw_set_release(&rs);

	struct vset s = {0};
	int bad = 0;
	const char *m = H "\n\n# x\nr,m,g,1,bf16,100,10,1,tpot_ms\n";
	CHECK_INT(vset_parse_csv(&s, m, "m.csv", &bad), 0);
	CHECK_INT(bad, 1);
	CHECK(s.n == 1 && strstr(s.rows[0].err, "m.csv:4: 9 fields") != NULL);
	vset_release(&s);

	struct table tb;
	char path[] = "/tmp/ttsim_csv_lines_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		fputs("id,status\n1,ok\n\"2,ok\n", f);
		fclose(f);
	}
	CHECK_INT(table_load_csv(&tb, path), -1);
	CHECK(strstr(err_msg(), ":3: unterminated quoted field") != NULL);
	f = fopen(path, "w");
	if (f) {
		fputs("id,status\n1,ok\n2\n", f);
		fclose(f);
	}
	CHECK_INT(table_load_csv(&tb, path), -1);
	CHECK(strstr(err_msg(), ":3: 1 fields (expected 2") != NULL);
	remove(path);
}

/* The model-form bands, worked by hand: n rows with ln(measured / predicted) = i / 100
 * (i = 0 .. n-1, each its own benchmark). Split conformal: k = ceil(0.975 (n + 1)); n = 40
 * gives k = 40, the band [a_0, a_39] = [0, 0.39]; n = 38 gives k = 39 > 38: the Student-t
 * interval instead; the regimes (at once, closed, open) are told apart, and a regime under
 * 39 rows is pooled. */
static struct vset band_set(int n, const char *conc, const char *np, const char *rate)
{
	struct vset s = {0};
	struct sbuf sb = {0};
	int bad;
	sbuf_printf(&sb, H ",num_prompts,request_rate\n");
	for (int i = 0; i < n; i++)
		sbuf_printf(&sb, "r%d,qwen3-8b,h100_sxm,1,bf16,%d,64,%s,output_tok_per_s,%.17g,%s,%s\n",
			    i, 100 + i, conc, exp(i / 100.0), np, rate);
	CHECK_INT(vset_parse_csv(&s, sb.buf, "b.csv", &bad), 0);
	for (size_t i = 0; i < s.n; i++)
		s.rows[i].predicted = 1;
	sbuf_release(&sb);
	return s;
}

static void model_form_bands(void)
{
	struct vband b[VM_N][VR_N];
	double cov[VM_N];
	long n[VM_N];
	struct vset s = band_set(40, "8", "8", "inf");
	CHECK_INT(validate_regime(&s.rows[0]), VR_AT_ONCE);
	validate_bands(&s, b);
	CHECK_INT(b[VM_THROUGHPUT][VR_AT_ONCE].n, 40);
	CHECK_INT(b[VM_THROUGHPUT][VR_AT_ONCE].pooled, 0);
	CHECK_INT(b[VM_THROUGHPUT][VR_AT_ONCE].method, VBAND_CONFORMAL);
	CHECK_NEAR(b[VM_THROUGHPUT][VR_AT_ONCE].lo, 0, 1e-12);
	CHECK_NEAR(b[VM_THROUGHPUT][VR_AT_ONCE].hi, 0.39, 1e-12);
	CHECK_INT(b[VM_THROUGHPUT][VR_OPEN].pooled, 1); /* no open-loop row: every regime's */
	CHECK_NEAR(b[VM_THROUGHPUT][VR_OPEN].hi, 0.39, 1e-12);
	CHECK(isnan(b[VM_TTFT][VR_AT_ONCE].lo)); /* no row of the metric */
	validate_coverage(&s, VCOV_IN, cov, n);
	CHECK_INT(n[VM_THROUGHPUT], 40);
	CHECK_NEAR(cov[VM_THROUGHPUT], 1, 1e-12);
	/* each row left out: the band of the other 39 (k = 39, their extremes); the two end
	 * rows fall outside. No row cites a source: its benchmark is its run */
	validate_coverage(&s, VCOV_RUN, cov, n);
	CHECK_NEAR(cov[VM_THROUGHPUT], 38.0 / 40, 1e-12);
	validate_coverage(&s, VCOV_BENCH, cov, n);
	CHECK_NEAR(cov[VM_THROUGHPUT], 38.0 / 40, 1e-12);
	vset_release(&s);
	/* 38 rows: t(0.975, 37) = 2.026192 (tables), mean 0.185, s (n - 1 form) =
	 * sqrt(38 x 39 / 12) / 100 */
	s = band_set(38, "4", "40", "inf");
	CHECK_INT(validate_regime(&s.rows[0]), VR_CLOSED);
	validate_bands(&s, b);
	CHECK_INT(b[VM_THROUGHPUT][VR_CLOSED].method, VBAND_STUDENT_T);
	CHECK_NEAR(b[VM_THROUGHPUT][VR_CLOSED].hi,
		   0.185 + 2.026192 * sqrt(38.0 * 39 / 12) / 100 * sqrt(1 + 1.0 / 38), 1e-6);
	CHECK_NEAR(b[VM_THROUGHPUT][VR_CLOSED].lo,
		   0.185 - 2.026192 * sqrt(38.0 * 39 / 12) / 100 * sqrt(1 + 1.0 / 38), 1e-5);
	validate_coverage(&s, VCOV_IN, cov, n); /* every row is bounded now: counted */
	CHECK_INT(n[VM_THROUGHPUT], 38);
	CHECK_NEAR(cov[VM_THROUGHPUT], 1, 1e-12);
	vset_release(&s);
	s = band_set(2, "0", "", "2.5");
	CHECK_INT(validate_regime(&s.rows[0]), VR_OPEN);
	vset_release(&s);
}

/* validate_band on its own: a small set by hand, one row, none. */
static void band_small_sets(void)
{
	/* {0, .1, .2, .3, .4} (unsorted): mean 0.2, s = sqrt(0.1 / 4), t(0.975, 4) = 2.776445
	 * (tables), half-width 2.776445 x 0.158114 x sqrt(1 + 1/5) = 0.480894 */
	double a[] = {0.3, 0.1, 0.4, 0.0, 0.2};
	struct vband b = validate_band(a, NULL, 5);
	CHECK_INT(b.method, VBAND_STUDENT_T);
	CHECK_INT(b.n, 5);
	CHECK_NEAR(b.hi, 0.2 + 0.480894, 1e-6);
	CHECK_NEAR(b.lo, 0.2 - 0.480894, 1e-5);
	b = validate_band(a, NULL, 1); /* one residual: no spread to take */
	CHECK(isinf(b.lo) && b.lo < 0 && isinf(b.hi) && b.hi > 0);
	CHECK_INT(b.method, VBAND_NONE);
	b = validate_band(a, NULL, 0);
	CHECK(isnan(b.lo) && isnan(b.hi));
	CHECK_STR(vband_method_name(VBAND_STUDENT_T), "student_t");
}

/* Rows that share a benchmark: three benchmarks of two rows, {0, .1}, {.4, .5}, {.8, .9}.
 * Mean 0.45; MSB = 2 (0.4^2 + 0 + 0.4^2) / 2 = 0.32; MSW = 6 x 0.05^2 / 3 = 0.005;
 * n0 = (6 - 12 / 6) / 2 = 2; sigma_u^2 = (MSB - MSW) / 2 = 0.1575; MSB / n0 = 0.16 and
 * MSW (1 - 1/n0) = 0.0025 sum to 0.1625, var(mean) = 0.1575 x 12 / 36 + MSW / 6 =
 * 0.053333, so the half-width is t(0.975, df) sqrt(0.215833); Satterthwaite df = 0.1625^2 /
 * (0.16^2 / 2 + 0.0025^2 / 3) = 2.062653, t(0.975, 2.062653) = 4.179807 (GSL; 4.303 at
 * df 2 and 3.182 at 3 in tables): half-width 1.941849. The plain t on the same six rows
 * would be 0.45 +- 2.570582 x 0.361939 x sqrt(7/6) = +-1.004941, blind to the rows of one
 * benchmark moving together. */
static void band_random_effects(void)
{
	double a[] = {0.0, 0.1, 0.4, 0.5, 0.8, 0.9};
	int grp[] = {0, 0, 2, 2, 4, 4}, one[] = {0, 0, 0, 0, 0, 0}, own[] = {0, 1, 2, 3, 4, 5};
	int across[] = {0, 1, 0, 1, 0, 1}; /* each benchmark's means equal: MSB < MSW */
	struct vband b = validate_band(a, grp, 6);
	CHECK_INT(b.method, VBAND_RANDOM_T);
	CHECK_INT(b.groups, 3);
	CHECK_NEAR(b.sd_between, sqrt(0.1575), 1e-9);
	CHECK_NEAR(b.sd_within, sqrt(0.005), 1e-9);
	CHECK_NEAR(b.df, 2.062653, 1e-6);
	CHECK_NEAR(b.lo, 0.45 - 1.941849, 1e-5);
	CHECK_NEAR(b.hi, 0.45 + 1.941849, 1e-5);
	CHECK_STR(vband_method_name(VBAND_RANDOM_T), "random_effects_t");
	/* the plain t wherever no benchmark term can be taken */
	const int *plain[] = {NULL, one, own, across};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		b = validate_band(a, plain[i], 6);
		CHECK_INT(b.method, VBAND_STUDENT_T);
		CHECK_INT(b.groups, 0);
		CHECK_NEAR(b.hi, 0.45 + 1.004941, 1e-5);
	}
}

/* Identical residuals: s = 0 would give the zero-width band [x, x]; the repeat noise keeps
 * it open: t(0.975, 4) x 0.016 x sqrt(1.2) = 0.048663 each side with 5 rows, z(0.975) x
 * 0.016 = 0.031359 with 40 (conformal); every row inside, in sample and left out. */
static struct vset same_set(int n, const char *src)
{
	struct vset s = {0};
	struct sbuf sb = {0};
	int bad;
	sbuf_printf(&sb, H ",source\n");
	for (int i = 0; i < n; i++)
		sbuf_printf(&sb, "r%d,qwen3-8b,h100_sxm,1,bf16,%d,64,4,ttft_ms,1.1,%s\n", i, 100 + i,
			    src);
	CHECK_INT(vset_parse_csv(&s, sb.buf, "s.csv", &bad), 0);
	for (size_t i = 0; i < s.n; i++)
		s.rows[i].predicted = 1;
	sbuf_release(&sb);
	return s;
}

static void band_identical_residuals(void)
{
	struct vband b[VM_N][VR_N];
	double cov[VM_N];
	long n[VM_N];
	struct vset s = same_set(5, "");
	validate_bands(&s, b);
	CHECK_NEAR(b[VM_TTFT][VR_AT_ONCE].lo, log(1.1) - 0.048663, 1e-4);
	CHECK_NEAR(b[VM_TTFT][VR_AT_ONCE].hi, log(1.1) + 0.048663, 1e-4);
	for (int k = VCOV_IN; k <= VCOV_BENCH; k++) {
		validate_coverage(&s, k, cov, n);
		CHECK_INT(n[VM_TTFT], 5);
		CHECK_NEAR(cov[VM_TTFT], 1, 1e-12);
	}
	vset_release(&s);
	s = same_set(40, "");
	validate_bands(&s, b);
	CHECK_INT(b[VM_TTFT][VR_AT_ONCE].method, VBAND_CONFORMAL);
	CHECK_NEAR(b[VM_TTFT][VR_AT_ONCE].hi - b[VM_TTFT][VR_AT_ONCE].lo, 2 * 0.031359, 1e-4);
	validate_coverage(&s, VCOV_RUN, cov, n);
	CHECK_NEAR(cov[VM_TTFT], 1, 1e-12);
	vset_release(&s);
}

/* Own benchmark out: rows of one publisher (the repository or site their source cites) and
 * one deployment (model, GPU, TP, engine) leave together, whatever file of it each cites.
 * Three rows of publisher o/r at residual 0.5, three of docs.example.com at 0, 0.01, 0.02:
 * with its own run out, each row's band comes from the five others (wide: every row in);
 * with its benchmark out, o/r's rows get the others' band (0.01 +- t(0.975, 2) x 0.016 x
 * sqrt(4/3) = +-0.0795, s floored) and those rows o/r's (0.5 +- 0.0795): none inside. */
static void band_benchmark_out(void)
{
	struct vset s = {0};
	double cov[VM_N];
	long n[VM_N];
	int bad;
	const char *csv = H ",source\n"
			  "a1,qwen3-8b,h100_sxm,1,bf16,100,64,4,ttft_ms,1.6487212707,"
			  "github o/r runs/1/stage_0.json @abc\n"
			  "a2,qwen3-8b,h100_sxm,1,bf16,200,64,4,ttft_ms,1.6487212707,"
			  "github o/r runs/1/stage_1.json @abc\n"
			  "a3,qwen3-8b,h100_sxm,1,bf16,300,64,4,ttft_ms,1.6487212707,"
			  "https://github.com/o/r/blob/main/c.md\n"
			  "b1,qwen3-8b,h100_sxm,1,bf16,100,64,4,ttft_ms,1,https://docs.example.com/p1\n"
			  "b2,qwen3-8b,h100_sxm,1,bf16,200,64,4,ttft_ms,1.0100501671,"
			  "https://docs.example.com/p2 (table 2)\n"
			  "b3,qwen3-8b,h100_sxm,1,bf16,300,64,4,ttft_ms,1.0202013400,"
			  "https://docs.example.com\n";
	CHECK_INT(vset_parse_csv(&s, csv, "g.csv", &bad), 0);
	for (size_t i = 0; i < s.n; i++)
		s.rows[i].predicted = 1;
	validate_coverage(&s, VCOV_RUN, cov, n);
	CHECK_INT(n[VM_TTFT], 6);
	CHECK_NEAR(cov[VM_TTFT], 1, 1e-12);
	validate_coverage(&s, VCOV_BENCH, cov, n);
	CHECK_INT(n[VM_TTFT], 6);
	CHECK_NEAR(cov[VM_TTFT], 0, 1e-12);
	/* another TP is another deployment: a1 at TP 2 keeps a2 and a3 in its band, and its
	 * own residual (0.5) is inside theirs; the other A rows now see a1 too */
	s.rows[0].tp = 2;
	validate_coverage(&s, VCOV_BENCH, cov, n);
	CHECK(cov[VM_TTFT] > 0);
	vset_release(&s);
}

int main(void)
{
	util_gsl_init();
	good_file();
	long_ids_and_means();
	bad_rows();
	bad_files();
	serving_columns();
	family_runs_apart();
	ep_column();
	endpoint_column();
	trtllm_rows();
	max_model_len_rows();
	engine_fit_recovers();
	frontend_fit_recovers();
	model_form_bands();
	band_small_sets();
	band_random_effects();
	band_identical_residuals();
	band_benchmark_out();
	prediction_and_summary();
	csv_reader();
	csv_line_numbers();
	return TEST_REPORT();
}
