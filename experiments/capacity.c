/* capacity.c: the verdict at one rate (steady state and SLO percentiles with their
 * intervals) and the bracketing and bisection on it (see capacity.h). */
#include "experiments/capacity.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

int capacity_search(capacity_meets_fn meets, void *ctx, double guess, double rel_tol,
		    double *rate)
{
	double lo, hi, r = guess;
	int ok;

	*rate = 0;
	if (meets(ctx, r, &ok) < 0)
		return -1;
	if (ok) { /* double until it fails */
		lo = r;
		for (;;) {
			r *= 2;
			if (r > CAPACITY_MAX_RATE) {
				*rate = CAPACITY_MAX_RATE;
				return 0;
			}
			if (meets(ctx, r, &ok) < 0)
				return -1;
			if (!ok)
				break;
			lo = r;
		}
		hi = r;
	} else { /* halve until it meets */
		hi = r;
		for (;;) {
			r /= 2;
			if (r < CAPACITY_MIN_RATE)
				return 0;
			if (meets(ctx, r, &ok) < 0)
				return -1;
			if (ok)
				break;
			hi = r;
		}
		lo = r;
	}
	while (hi - lo > rel_tol * lo) {
		double mid = 0.5 * (lo + hi);
		if (meets(ctx, mid, &ok) < 0)
			return -1;
		if (ok)
			lo = mid;
		else
			hi = mid;
	}
	*rate = lo;
	return 0;
}

static const char *const metric_keys[SLO_N_METRICS] = {"ttft_ms", "tpot_ms", "e2e_s",
							"problem_latency_s"};
static const char *const metric_flags[SLO_N_METRICS] = {"ttft", "tpot", "e2e", "latency"};

const char *slo_metric_key(enum slo_metric m) { return metric_keys[m]; }
const char *slo_metric_flag(enum slo_metric m) { return metric_flags[m]; }

int slo_parse_flag(const char *flag, enum slo_metric *m, int *pct)
{
	static const int pcts[3] = {50, 90, 99};
	char want[40];
	for (int i = 0; i < SLO_N_METRICS; i++)
		for (int j = 0; j < 3; j++) {
			snprintf(want, sizeof(want), "--slo-%s-p%d", metric_flags[i], pcts[j]);
			if (!strcmp(flag, want)) {
				*m = (enum slo_metric)i;
				*pct = pcts[j];
				return 0;
			}
		}
	return -1;
}

double slo_value(const struct steady *st, const struct slo *s, struct pct_ci *ci)
{
	const struct dist *d;
	const struct dist_ci *c;
	double scale = 1, v;
	int k = s->pct == 50 ? 0 : s->pct == 90 ? 1 : 2;
	switch (s->metric) {
	case SLO_TTFT:
		d = &st->ttft_ms, c = &st->ttft_ci, scale = 1e-3;
		break;
	case SLO_TPOT:
		d = &st->tpot_ms, c = &st->tpot_ci, scale = 1e-3;
		break;
	case SLO_E2E:
		d = &st->e2e_s, c = &st->e2e_ci;
		break;
	default:
		d = &st->problem_latency_s, c = &st->problem_latency_ci;
		break;
	}
	v = k == 0 ? d->p50 : k == 1 ? d->p90 : d->p99;
	ci->lo = c->p[k].lo * scale;
	ci->hi = c->p[k].hi * scale;
	return v * scale;
}

/* What one run says: 1 meets, 0 fails, 2 undecided (a longer run may decide). */
static int verdict_of(const struct steady *st, const struct capacity_opts *o, double tol,
		      char *why, size_t nwhy)
{
	int undecided = 0;
	if (!st->valid) {
		snprintf(why, nwhy, "too few problems for a steady state");
		return 2;
	}
	if (!st->settled) {
		snprintf(why, nwhy, "no steady state: the run never settles (completions %.4g/s "
			 "for arrivals %.4g/s)", st->completion_rate, st->arrival_rate);
		/* far behind: unstable, whatever the length; else maybe just too short */
		return isfinite(st->queue_growth) && st->queue_growth > 2 * tol ? 0 : 2;
	}
	if (!st->stationary) {
		snprintf(why, nwhy, "not stationary: the queue grows by %.3g of the arrivals "
			 "(tolerance %.3g; completions %.4g/s for arrivals %.4g/s)",
			 st->queue_growth, tol, st->completion_rate, st->arrival_rate);
		return st->queue_growth - tol < 2 * st->queue_growth_se ? 2 : 0;
	}
	for (int i = 0; i < o->n_slo; i++) {
		struct pct_ci ci;
		const struct slo *s = &o->slo[i];
		double v = slo_value(st, s, &ci);
		if (!(ci.lo <= s->limit)) { /* NaN (nothing finished) fails too */
			snprintf(why, nwhy, "%s.p%d %.4g s > %.4g s (95%% interval %.4g-%.4g s)",
				 slo_metric_key(s->metric), s->pct, v, s->limit, ci.lo, ci.hi);
			return 0;
		}
		if (ci.hi <= s->limit)
			continue;
		snprintf(why, nwhy, "%s.p%d %.4g s: its 95%% interval %.4g-%.4g s straddles %.4g s",
			 slo_metric_key(s->metric), s->pct, v, ci.lo, ci.hi, s->limit);
		/* narrow enough, or the estimate already over: a longer run would not pass */
		if ((ci.hi - ci.lo) <= o->ci_width * v || v > s->limit)
			return 0;
		undecided = 1;
	}
	if (undecided)
		return 2;
	snprintf(why, nwhy, "meets");
	return 1;
}

int capacity_judge(const struct run_config *c, const struct run_inputs *in,
		   const struct capacity_opts *o, double rate, struct capacity_verdict *v,
		   struct run_result *r)
{
	struct run_config cc = *c;
	struct run_result rr;
	long n = o->requests;
	memset(v, 0, sizeof(*v));
	cc.arrival = ARR_POISSON;
	cc.rate = rate;
	cc.resample = cc.trace[0] != 0;
	for (;;) {
		int k;
		cc.requests = n;
		if (run_simulate(&cc, in, &rr) < 0) {
			run_result_release(&rr);
			return -1;
		}
		k = verdict_of(&rr.sum.steady, o, cc.steady_tol, v->why, sizeof(v->why));
		v->requests = n;
		if (k == 2 && n < o->max_requests) {
			run_result_release(&rr);
			n = n * 2 < o->max_requests ? n * 2 : o->max_requests;
			continue;
		}
		/* a pass is confirmed by the longest run: near saturation the queue wanders for
		 * longer than a short run lasts, and a short run that never saw it would pass */
		if (k == 1 && n < o->max_requests) {
			run_result_release(&rr);
			n = o->max_requests;
			continue;
		}
		/* undecided at the longest run: not shown to hold, so it does not (a rate
		 * reported is one whose SLO intervals lie within the limits) */
		v->meets = k == 1;
		break;
	}
	if (r)
		*r = rr;
	else
		run_result_release(&rr);
	return 0;
}

struct find_ctx {
	const struct run_config *c;
	const struct run_inputs *in;
	const struct capacity_opts *o;
	struct capacity_result *res;
	double lowest_fail;
};

static int find_meets(void *ctx, double rate, int *meets)
{
	struct find_ctx *f = ctx;
	struct capacity_verdict v;
	if (capacity_judge(f->c, f->in, f->o, rate, &v, NULL) < 0)
		return -1;
	f->res->evaluations++;
	*meets = v.meets;
	if (!v.meets && (f->lowest_fail < 0 || rate < f->lowest_fail)) {
		f->lowest_fail = rate;
		f->res->above = v;
	}
	return 0;
}

int capacity_find(const struct run_config *c, const struct run_inputs *in,
		  const struct capacity_opts *o, struct capacity_result *res)
{
	struct find_ctx f = {c, in, o, res, -1};
	memset(res, 0, sizeof(*res));
	if (capacity_search(find_meets, &f, 1.0, o->rel_tol, &res->rate) < 0)
		return -1;
	res->at_max = res->rate >= CAPACITY_MAX_RATE;
	if (res->rate <= 0)
		return 0;
	if (capacity_judge(c, in, o, res->rate, &res->at, &res->run) < 0)
		return -1;
	res->has_run = 1;
	res->evaluations++;
	return 0;
}

void capacity_result_release(struct capacity_result *res)
{
	if (res->has_run)
		run_result_release(&res->run);
	res->has_run = 0;
}
