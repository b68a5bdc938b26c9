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
 *
 * per-sample: the CSV of ../shared/traces/per_sample (one row per sample:
 * problem_id,sample_idx,extracted_answer,gold_answer,correct_strmatch,correct_relaxed,
 * output_tokens). Problems in order of problem_id, samples in order of sample_idx; a sample is
 * correct by correct_relaxed (or correct_strmatch); wrong extracted answers are numbered by
 * frequency within the problem (1 the most common, ties to the lower sample_idx), an empty one
 * is -1; a sample of max_tokens tokens is cut (finished false) and keeps its extracted answer.
 * With a problem table (math500_prompt_tokens.csv), problem_id k is its k-th row (unique_id,
 * level, subject, prompt_tokens_r1); without, the id is the problem_id and prompt_tokens 0.
 * The trace is written in the compact form (trace.h).
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
	const char *problems;       /* per-sample: math500_prompt_tokens.csv, or NULL */
	int strmatch;               /* per-sample: 1 to grade by correct_strmatch */
	const char *source;         /* per-sample: the citation for the header (default: the path) */
	const char *alias;          /* per-sample: the header's alias, or NULL */
};

/* 0, or -1 with err_set naming the file (and line or key). */
int import_vllm_bench(struct trace *t, const char *path, const struct import_opts *io);
int import_jsonl(struct trace *t, const char *path, const struct import_opts *io);
int import_per_sample(struct trace *t, const char *path, const struct import_opts *io);
int import_per_sample_text(struct trace *t, const char *text, size_t len, const char *path,
			   const struct import_opts *io);
/* The same on text in memory (len bytes; path names it in messages). */
int import_vllm_bench_text(struct trace *t, const char *text, size_t len, const char *path,
			   const struct import_opts *io);
int import_jsonl_text(struct trace *t, const char *text, size_t len, const char *path,
		      const struct import_opts *io);

#endif
