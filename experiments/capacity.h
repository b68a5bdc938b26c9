/*
 * capacity.h: the highest arrival rate a configuration sustains within its SLOs.
 *
 * A rate is sustained when a run at it reaches a steady state (sim/run.h: a window after
 * the warm-up in which the number of problems in the system does not grow by more than
 * steady_tol of the arrivals) and every SLO percentile, measured over that window, holds.
 * Each verdict is statistical: a percentile's 95% interval entirely above its limit
 * fails; entirely below passes, once the longest run (max_requests) confirms it (near
 * saturation the queue wanders for longer than a short run lasts); an interval across the
 * limit fails when the estimate is over it or the interval is narrower than ci_width of
 * the estimate, else the run is doubled (up to max_requests, where it fails: a reported
 * rate is one whose intervals lie within the limits). Runs that have not settled double
 * too, unless completions already fall far behind arrivals. Trace workloads are resampled (problems drawn
 * with replacement, seeded), so a run is as long as this needs, never cut at the trace's
 * end. The search brackets the rate by doubling or halving from a guess, then bisects
 * (as Vidur's capacity search); one seed for every rate, so that a rate's arrivals are
 * those of another scaled in time.
 */
#ifndef TTSIM_CAPACITY_H
#define TTSIM_CAPACITY_H

#include "sim/run.h"

/* Evaluate one rate (problems/s); 0 with *meets set, or -1 with err_set. */
typedef int (*capacity_meets_fn)(void *ctx, double rate, int *meets);

#define CAPACITY_MIN_RATE 1e-6 /* problems/s: below this, the answer is 0 */
#define CAPACITY_MAX_RATE 1e7  /* problems/s: above this, the answer is this */

/* The highest rate that meets, to within rel_tol (e.g. 0.01) of itself, into *rate; 0 when
 * even CAPACITY_MIN_RATE fails. Starts from guess > 0. 0, or -1 when meets() fails. */
int capacity_search(capacity_meets_fn meets, void *ctx, double guess, double rel_tol,
		    double *rate);

/* One SLO: percentile pct (50, 90 or 99) of a steady-state metric at most limit. */
enum slo_metric { SLO_TTFT, SLO_TPOT, SLO_E2E, SLO_LATENCY, SLO_N_METRICS };
struct slo {
	enum slo_metric metric;
	int pct;      /* 50, 90, 99 */
	double limit; /* seconds */
};
#define CAPACITY_MAX_SLOS 12

/* The metric's key as in the summary ("ttft_ms"), and the flag's word ("ttft"). */
const char *slo_metric_key(enum slo_metric m);
const char *slo_metric_flag(enum slo_metric m);
/* "--slo-ttft-p90" -> metric and pct; 0, or -1 when it is not an SLO flag. */
int slo_parse_flag(const char *flag, enum slo_metric *m, int *pct);

struct capacity_opts {
	struct slo slo[CAPACITY_MAX_SLOS];
	int n_slo;            /* none: the steady state alone (the rate the system keeps up with) */
	double rel_tol;       /* bisection stops within this of the rate (0.01) */
	double ci_width;      /* relative width of a percentile's interval that decides (0.1) */
	long requests;        /* the first run's problems (e.g. 2000) */
	long max_requests;    /* the longest run (e.g. 16 x requests) */
};

/* The verdict at one rate. */
struct capacity_verdict {
	int meets;
	long requests;        /* the run length that decided */
	char why[160];        /* what failed: "ttft_ms.p90 1.2 s > 1 s", "not stationary ..." */
};

/* Judge rate for configuration c (arrival and rate are set here; a trace is resampled):
 * 0 with *v set and, when r is not NULL, r holding the deciding run (the caller releases
 * it); -1 with err_set when the run fails (a model that does not fit, ...). */
int capacity_judge(const struct run_config *c, const struct run_inputs *in,
		   const struct capacity_opts *o, double rate, struct capacity_verdict *v,
		   struct run_result *r);

struct capacity_result {
	double rate;          /* problems/s; 0 when even CAPACITY_MIN_RATE fails */
	int at_max;           /* 1: CAPACITY_MAX_RATE still met (no bound found) */
	struct capacity_verdict at, above; /* at rate, and at the lowest failing rate tried */
	struct run_result run; /* the run at rate (rate > 0), to release */
	int has_run;
	int evaluations;      /* runs made */
};

/* Search the capacity of c; 0, or -1 with err_set. */
int capacity_find(const struct run_config *c, const struct run_inputs *in,
		  const struct capacity_opts *o, struct capacity_result *res);
void capacity_result_release(struct capacity_result *res);

/* The steady percentile the SLO constrains, and its interval, in seconds. */
double slo_value(const struct steady *st, const struct slo *s, struct pct_ci *ci);

#endif
