/*
 * trace.h: a workload trace, problems with their prompt length and sampled outputs.
 *
 * File format (JSONL, documented in traces/README.md):
 *   line 1, the header:
 *     {"format": "ttsim-trace", "version": 1, "model": "<HF id>", "dataset": "MATH500",
 *      "temperature": 0.6, "top_p": 0.95, "max_tokens": 32768, "samples_per_problem": 64,
 *      "provenance": "measured" | "synthetic", "source": "...", "method": "...", ...}
 *     (unknown header keys are kept verbatim and ignored)
 *   then one line per problem:
 *     {"unique_id": "test/algebra/2584.json", "level": 3, "subject": "Algebra",
 *      "prompt_tokens": 66, "arrival_s": 0.0 (optional),
 *      "samples": [{"output_tokens": 2310, "answer": 0, "finished": true}, ...]}
 *   "answer" 0 means the correct answer; k > 0 names the k-th distinct wrong answer of
 *   that problem; -1 (or absent) means unknown. "finished" false marks a sample cut at
 *   max_tokens. A sample may carry more keys; they are ignored.
 *   Compact form of a problem line (the imported real traces, 80 samples each): instead of
 *   "samples", parallel arrays "output_tokens": [N, ...] and "answers": [K, ...] and, when
 *   some samples are cut, "cut": [sample index, ...]. A trace in this form is written back in it.
 *
 * This module knows workloads and accuracy; it knows nothing of GPUs. Shipped traces
 * (traces/math500/<alias>.jsonl) are embedded in the binary and named "math500:<model>",
 * where <model> is a Hugging Face id or alias of the catalog (models/model.h).
 */
#ifndef TTSIM_TRACE_H
#define TTSIM_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#define TRACE_FORMAT_VERSION 1

struct trace_sample {
	int32_t output_tokens; /* tokens generated (reasoning + answer) */
	int16_t answer;        /* 0 correct, k > 0 wrong answer k, -1 unknown */
	uint8_t finished;      /* 0 if cut at max_tokens */
	uint8_t pad_;
};

struct trace_problem {
	char *unique_id;        /* owned */
	char subject[32];
	int level;              /* 1..5 for MATH500; 0 unknown */
	int prompt_tokens;      /* tokens */
	double arrival_s;       /* s from the start; < 0 when the trace has no timestamps */
	int n_samples;
	struct trace_sample *samples; /* owned, n_samples entries */
	int line;               /* its line in the file it was read from (0: made, not read) */
};

struct trace {
	int version;
	char model[96];         /* HF id of the model that produced it */
	char dataset[32];
	char provenance[16];    /* "measured" or "synthetic" */
	double temperature;
	int max_tokens;
	int samples_per_problem; /* the header's, or 0: every problem must have that many */
	char *header_json;      /* the header line verbatim (owned) */
	int n_problems;
	struct trace_problem *problems; /* owned */
	char name[128];         /* where it came from: path or "math500:alias" */
	int compact;            /* 1: problems are written in the compact form (parallel arrays) */
};

/* Load NAME: "math500:<model>" for a shipped trace, or a path. 0 or -1 with err_set naming
 * file and line. */
int trace_load(struct trace *t, const char *name);
/* Parse JSONL text; fname for messages. Checks: header first, required fields, counts
 * non-negative, no duplicate unique_id, at least one problem and one sample each. */
int trace_parse(struct trace *t, const char *text, size_t len, const char *fname);
void trace_release(struct trace *t);
/* Write in the format above, byte-stable (fixed key order, %.17g-free integers). */
int trace_write(const struct trace *t, FILE *f);
/* Total samples over all problems. */
long trace_total_samples(const struct trace *t);
/* Write s as a JSON string literal (quotes and escapes). */
void trace_json_string(FILE *f, const char *s);

#endif
