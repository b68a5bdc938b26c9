/*
 * synth.h: build a synthetic MATH500 trace for one shipped model from the public data in
 * ../shared/traces (method, fits and their quality in traces/README.md). Lengths come from
 * the real R1-Distill-Qwen-7B word counts and published means; correctness and wrong answers
 * from the vote model (traces/vote.h) fitted to the real per-sample traces under
 * ../shared/traces/per_sample.
 *
 * Deterministic: the same source files, model and seed give a byte-identical trace. All
 * randomness comes from rng_stream(seed, "trace-synth:<alias>").
 */
#ifndef TTSIM_SYNTH_H
#define TTSIM_SYNTH_H

#include <stdint.h>
#include "traces/trace.h"

/* Knobs of the synthesis; synth_defaults() fills them (justified in traces/README.md). */
struct synth_params {
	int samples;         /* samples per problem */
	int max_tokens;      /* tokens; the generation cap, samples reaching it are cut */
	uint64_t seed;
};

void synth_defaults(struct synth_params *sp);

/* Synthesise the trace of `model` (HF id or alias) from the files in `srcdir`. 0, or -1 with
 * err_set naming the file and line of bad input. */
int synth_trace(struct trace *t, const char *srcdir, const char *model, const struct synth_params *sp);

/* The published (or inferred) overall targets of a model: mean output tokens and pass@1
 * (fraction), as written into the trace header. 0 or -1 with err_set. */
int synth_targets(const char *srcdir, const char *model, double *mean_tokens, double *pass1, int *inferred);

#endif
