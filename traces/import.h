/*
 * import.h: traces from real runs.
 *
 * vllm-bench: the JSON that `vllm bench serve --save-result` writes. Each successful request
 * becomes one problem with one sample (prompt_tokens = input_lens[i], output_tokens =
 * output_lens[i], answer -1); optionally a measured-run CSV for `ttsim validate` with the mean
 * ttft_ms, tpot_ms, e2e_s and output_tok_per_s of the run.
 *
 * jsonl: offline generation logs, one sample per line; the field mapping is in
 * traces/README.md. Samples of one problem are grouped in order of first appearance; the
 * correct answer is 0 and distinct wrong extracted answers are numbered 1, 2, ... per problem.
 */
#ifndef TTSIM_IMPORT_H
#define TTSIM_IMPORT_H

#include "traces/trace.h"

struct import_opts {
	const char *model;          /* HF id; default from the file */
	const char *gpu;            /* vllm-bench: GPU name, for the measured CSV */
	int tp;                     /* vllm-bench: tensor-parallel degree */
	const char *dtype;          /* vllm-bench: default "bf16" */
	const char *engine_version; /* vllm-bench: default from the JSON, else "unknown" */
	const char *measured;       /* vllm-bench: path of the measured-run CSV to write, or NULL */
	int max_tokens;             /* tokens; samples longer are an error */
};

/* 0, or -1 with err_set naming the file (and line or key). */
int import_vllm_bench(struct trace *t, const char *path, const struct import_opts *io);
int import_jsonl(struct trace *t, const char *path, const struct import_opts *io);
/* The same on text in memory (len bytes; path names it in messages). */
int import_vllm_bench_text(struct trace *t, const char *text, size_t len, const char *path,
			   const struct import_opts *io);
int import_jsonl_text(struct trace *t, const char *text, size_t len, const char *path,
		      const struct import_opts *io);

#endif
