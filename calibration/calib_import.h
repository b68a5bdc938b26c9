/*
 * calib_import.h: convert public measurement tables into the raw calibration format (raw.h).
 *
 *   aiconfigurator  ai-dynamo/aiconfigurator CSVs (converted from its parquet files):
 *                   gemm_perf (gemm_dtype,m,n,k,latency_ms), context/generation attention
 *                   (batch_size,isl,step,num_heads,num_key_value_heads,head_dim,latency_ms
 *                   or latency, both ms),
 *                   nccl_perf (op_name,nccl_dtype,num_gpus,message_size in elements,
 *                   latency ms; 8-bit rows skipped: the engine reduces bf16) and
 *                   custom_allreduce_perf (kernel_source *_graph|*_eager).
 *                   The layout is recognised from the header line.
 *   vidur           microsoft/vidur profiling CSVs: compute mlp.csv (per-operator times in
 *                   ms, model shape columns; becomes gemm rows labelled with the model from
 *                   the file name) and network all_reduce.csv (size in bytes, median ms;
 *                   single-node rows of rank 0 only).
 *   nccl-tests      plain stdout of all_reduce_perf (out-of-place time, GPU count from the
 *                   "# Rank" lines, CUDA graph from "graph: N"), or a CSV of its table with
 *                   columns size_bytes, oop_time_us and topology "... (N ranks)".
 *
 * Units are converted (ms and us to s, elements to bytes) and every value is checked as
 * raw_parse checks it; an error names the source file and line.
 */
#ifndef TTSIM_CALIB_IMPORT_H
#define TTSIM_CALIB_IMPORT_H

#include "calibration/raw.h"

struct import_options {
	const char *gpu;   /* GPU name to record (overrides the files'; needed by vidur, CSV) */
	const char *match; /* keep only data lines containing this text (NULL: all) */
};

/* Import one source file of the given kind ("aiconfigurator", "vidur", "nccl-tests") into
 * rs. 0, or -1 with err_set "FILE:LINE: ...". */
int import_file(struct raw_set *rs, const char *kind, const char *path,
		const struct import_options *o);
/* The same on text in memory (len bytes; path names it in messages and, for vidur, gives
 * the model label). */
int import_text(struct raw_set *rs, const char *kind, const char *text, size_t len,
		const char *path, const struct import_options *o);
/* 1 if kind names an importer. */
int import_kind_ok(const char *kind);

#endif
