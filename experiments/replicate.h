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
 *
 * With profile uncertainty the interval also carries the MODEL-FORM error: how far ttsim's
 * predictions are from real runs, which no parameter draw shows. Each metric's interval
 * [lo, hi] (R = 1: the point prediction) becomes [lo e^a, hi e^b], where [a, b] is the
 * 95% prediction interval of ln(measured / predicted) over the check part of the serving
 * set (tests/validation/serving_check.csv, embedded, simulated by this binary at the
 * start of the run: never fitted) for that metric and the run's regime (experiments/
 * validate.h, validate_bands: at once, closed loop, open loop; pooled over regimes when a
 * regime has too few rows): split conformal from 39 rows, the Student-t interval for a
 * new draw below that. Only a metric with a single check row has no bound: (0, inf),
 * said, not hidden.
 */
#ifndef TTSIM_REPLICATE_H
#define TTSIM_REPLICATE_H

#include <cjson/cJSON.h>

#include "experiments/validate.h"
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
	int regime;          /* enum vregime of the run (profile_unc), -1: none */
	struct vband form[REP_N]; /* the model-form band applied to each metric (profile_unc) */
};

/* "ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s" (means over requests) */
const char *rep_metric_name(int m);
/* Run c->replications seeds on in; 0, or -1 with err_set. */
int replicate(const struct run_config *c, const struct run_inputs *in, int profile_unc,
	      struct replication *out);
/* {"n": R, "profile_uncertainty": bool, "<metric>": {"mean", "ci95_lo", "ci95_hi"}}, and
 * with profile uncertainty "model_form": {"source", "regime", "<metric>": {"rows",
 * "pooled", "method", "log_lo", "log_hi"}} (method "conformal" or "student_t", validate.h;
 * null bounds: unbounded) */
cJSON *replication_json(const struct replication *r);

#endif
