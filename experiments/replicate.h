/*
 * replicate.h: a run repeated over seeds (and, optionally, over profile parameters drawn
 * from their fitted uncertainty), reduced to a mean and a 95% interval per metric.
 *
 * Replication i runs the configuration with seed + i. Without profile uncertainty the
 * interval is the Student-t confidence interval of the mean over the R seeds:
 *     mean +- t(0.975, R-1) x s / sqrt(R)
 * With it, replication i also draws every parameter listed in the profile's `uncertainty:`
 * block from a normal with that relative standard error (stream "profile" of seed + i;
 * models/profile.h, profile_perturb), and the interval becomes the t prediction interval
 *     mean +- t(0.975, R-1) x s x sqrt(1 + 1/R)
 * because the parameters' error does not average away with more runs: it is where one
 * real measurement may fall given the fit, not where the mean of the simulations lies.
 * R = 1 gives no interval (NaN).
 */
#ifndef TTSIM_REPLICATE_H
#define TTSIM_REPLICATE_H

#include <cjson/cJSON.h>

#include "sim/run.h"

enum rep_metric { REP_TTFT, REP_TPOT, REP_E2E, REP_THROUGHPUT, REP_N };

struct rep_stat {
	double mean, ci95_lo, ci95_hi;
};

struct replication {
	int n;               /* replications run */
	int profile_unc;     /* 1: parameters were drawn from the profile's uncertainty */
	int n_unc;           /* parameters drawn */
	struct rep_stat m[REP_N];
};

/* "ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s" (means over requests) */
const char *rep_metric_name(int m);
/* Run c->replications seeds on in; 0, or -1 with err_set. */
int replicate(const struct run_config *c, const struct run_inputs *in, int profile_unc,
	      struct replication *out);
/* {"n": R, "profile_uncertainty": bool, "<metric>": {"mean", "ci95_lo", "ci95_hi"}} */
cJSON *replication_json(const struct replication *r);

#endif
