/*
 * workload.h: turn a configuration (and a trace) into the engine's problems and sequences.
 *
 * Synthetic workloads: `requests` problems of one sequence each, input_len prompt tokens
 * and output_len output tokens. Trace workloads: the first `requests` problems (all when
 * 0), `samples` sequences each, chosen and shaped by traces/tts.h (the first recorded
 * samples, resampled with replacement beyond them; budget forcing and "Wait" extensions
 * change their lengths and answers); the vote gives the accuracy. Each sample draws from
 * streams of (seed, problem, sample), so `samples: N + 1` is `samples: N` plus one sample
 * per problem, and synthetic lengths come from one stream in request order (stream
 * "lengths"), so `requests: K + 1` is `requests: K` plus one. Arrivals: all at 0
 * (offline), Poisson at `rate` (stream "arrivals"), the trace's own timestamps, or set by
 * the engine (closed loop).
 * With `resample` (trace only), the `requests` problems (0: as many as the trace has) are
 * drawn uniformly with replacement from the trace (stream "resample"), so a run at a rate
 * can last as long as its steady state needs; problem p's samples still draw from the
 * streams of (seed, p), so two draws of one trace problem are two independent attempts.
 * Outputs are capped so that prompt + output never exceeds the max length (the run's max_model_len,
 * else the model's); a synthetic prompt whose own length reaches it is refused.
 */
#ifndef TTSIM_WORKLOAD_H
#define TTSIM_WORKLOAD_H

#include "sim/config.h"
#include "sim/engine.h"
#include "models/model.h"
#include "traces/trace.h"

struct workload {
	struct sim_problem *probs;
	long n_probs;
	struct sim_req *reqs;
	long n_reqs;
	/* per problem: the answer the vote picks (0 correct), for accuracy */
	int16_t *voted;
	long capped;          /* requests cut at the max length (max_model_len) */
	long budget_cut;      /* samples cut by the thinking budget */
	const struct trace *trace; /* NULL for synthetic */
	int32_t *src;         /* resample: the trace problem each problem is (NULL: problem p
	                         is the trace's problem p) */
};

/* Most sequences (problems x samples) one run simulates: request indices are int32 and
 * each sequence costs about 200 bytes, so larger workloads are refused, not attempted. */
#define WORKLOAD_MAX_SEQS 100000000L

/* Build the workload; 0, or -1 with err_set (including more than WORKLOAD_MAX_SEQS). */
int workload_build(struct workload *w, const struct run_config *c, const struct model *m,
		   const struct trace *t);
void workload_release(struct workload *w);

#endif
