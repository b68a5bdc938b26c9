/*
 * synth.h: build a synthetic MATH500 trace for one shipped model from the public data in
 * ../shared/traces (method, fits and their quality in traces/README.md).
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
	double beta_len;     /* logits of difficulty per s.d. of the problem's real log length */
	double beta_wrong;   /* logits of difficulty when the real 7B sample was wrong */
	double lambda;       /* logits lost per s.d. of a sample's length within its problem */
	int wrong_answers;   /* distinct wrong answers per problem */
	double dirichlet_a;  /* concentration of the wrong-answer shares (smaller: more clustered) */
};

void synth_defaults(struct synth_params *sp);

/* Synthesise the trace of `model` (HF id or alias) from the files in `srcdir`. 0, or -1 with
 * err_set naming the file and line of bad input. */
int synth_trace(struct trace *t, const char *srcdir, const char *model, const struct synth_params *sp);

/* The published (or inferred) overall targets of a model: mean output tokens and pass@1
 * (fraction), as written into the trace header. 0 or -1 with err_set. */
int synth_targets(const char *srcdir, const char *model, double *mean_tokens, double *pass1, int *inferred);

#endif
