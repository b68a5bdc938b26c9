/*
 * test_capacity.c: the capacity search against queueing theory, where a configuration of
 * the engine is a textbook queue, and against the simulator itself.
 *
 * M/D/1: one replica with max_num_seqs 1 and fixed lengths serves one request at a time
 * in a fixed time D (measured here from the engine: one request alone). With Poisson
 * arrivals at rate l (rho = l D < 1) the waiting time W has Erlang's distribution
 *     P(W <= t) = (1 - rho) sum_{k=0}^{floor(t/D)} (l (k D - t))^k / k! e^{-l (k D - t)}
 * (e.g. Gross & Harris, Fundamentals of Queueing Theory, M/D/1 waiting times). An SLO on
 * the p90 of the end-to-end latency W + D of 3 D holds up to the rate l* at which
 * P(W <= 2 D) = 0.9 (solved here with GSL's Brent solver); capacity must find it within 3%.
 *
 * M/M/c-like: c replicas of one request at a time, exponential output lengths, arrivals
 * routed to the least loaded. Whatever the routing, such a system keeps up with arrivals
 * below c / E[S] and not above (E[S]: the mean service time, measured from the engine
 * as the makespan of many requests served back to back, divided by their number). With no
 * SLO, capacity is the steady state alone and must find c / E[S] within 3%.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>

#include "experiments/capacity.h"
#include "lib/util.h"
#include "tests/test.h"

static struct run_inputs in;

static void base(struct run_config *c)
{
	config_defaults(c);
	snprintf(c->model, sizeof(c->model), "r1-qwen-1.5b");
	snprintf(c->gpu, sizeof(c->gpu), "h100_sxm");
	c->max_num_seqs = 1;
	c->input_len = 32;
	c->output_len = 64;
}

/* Erlang's M/D/1 waiting-time distribution. */
static double md1_wait_cdf(double l, double d, double t)
{
	double rho = l * d, s = 0;
	for (int k = 0; k <= (int)floor(t / d + 1e-12); k++) {
		double x = l * (k * d - t);
		s += pow(x, k) / gsl_sf_fact((unsigned)k) * exp(-x);
	}
	return (1 - rho) * s;
}

struct md1 {
	double d, t, q;
};

static double md1_resid(double l, void *arg)
{
	const struct md1 *m = arg;
	return md1_wait_cdf(l, m->d, m->t) - m->q;
}

/* The rate at which P(W <= t) = q. */
static double md1_rate(double d, double t, double q)
{
	struct md1 m = {d, t, q};
	gsl_function f = {md1_resid, &m};
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	double lo = 1e-6 / d, hi = 0.999999 / d, r = 0;
	int status = GSL_CONTINUE;
	gsl_root_fsolver_set(s, &f, lo, hi);
	for (int i = 0; i < 200 && status == GSL_CONTINUE; i++) {
		gsl_root_fsolver_iterate(s);
		r = gsl_root_fsolver_root(s);
		status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
						gsl_root_fsolver_x_upper(s), 0, 1e-12);
	}
	gsl_root_fsolver_free(s);
	return r;
}

static struct capacity_opts opts(long n)
{
	struct capacity_opts o;
	memset(&o, 0, sizeof(o));
	o.rel_tol = 0.005;
	o.ci_width = 0.05;
	o.requests = n;
	o.max_requests = 8 * n;
	return o;
}

static void test_md1(void)
{
	struct run_config c;
	struct run_result r;
	struct capacity_opts o = opts(4000);
	struct capacity_result res;
	double d, want;
	base(&c);
	c.requests = 1;
	CHECK(run_simulate(&c, &in, &r) == 0);
	d = r.sum.e2e_s.mean;
	run_result_release(&r);
	/* the formula itself: P(W <= 0) = 1 - rho, and P(W <= t) rises to 1 */
	CHECK_NEAR(md1_wait_cdf(0.5 / d, d, 0), 0.5, 1e-12);
	CHECK(md1_wait_cdf(0.5 / d, d, 20 * d) > 0.999);
	want = md1_rate(d, 2 * d, 0.9);
	CHECK(want > 0.3 / d && want < 0.95 / d);
	o.n_slo = 1;
	o.slo[0] = (struct slo){SLO_E2E, 90, 3 * d};
	CHECK(capacity_find(&c, &in, &o, &res) == 0);
	printf("M/D/1: D %.6g s, analytic rate %.6g/s, capacity %.6g/s (%+.2f%%)\n", d, want,
	       res.rate, 100 * (res.rate / want - 1));
	CHECK_NEAR(res.rate, want, 0.03);
	/* the simulator against itself: a long run of another seed at the rate holds the SLO,
	 * and one 10% above it does not */
	c.arrival = ARR_POISSON;
	c.requests = 100000;
	c.seed = 7;
	c.rate = res.rate;
	CHECK(run_simulate(&c, &in, &r) == 0);
	printf("M/D/1: a long run at it: p90 e2e %.4g D\n", r.sum.steady.e2e_s.p90 / d);
	CHECK(r.sum.steady.stationary && r.sum.steady.e2e_s.p90 <= 3 * d * 1.01);
	run_result_release(&r);
	c.rate = res.rate * 1.1;
	CHECK(run_simulate(&c, &in, &r) == 0);
	CHECK(r.sum.steady.e2e_s.p90 > 3 * d);
	run_result_release(&r);
	capacity_result_release(&res);
}

static void test_mmc(void)
{
	struct run_config c;
	struct run_result r;
	struct capacity_opts o = opts(4000);
	struct capacity_result res;
	double es, want;
	const int reps = 4;
	base(&c);
	c.length_dist = LEN_EXPONENTIAL;
	c.requests = 20000;
	CHECK(run_simulate(&c, &in, &r) == 0); /* offline, one replica: back to back */
	es = r.sum.makespan_s / (double)r.sum.requests;
	run_result_release(&r);
	c.replicas = reps;
	c.route = ROUTE_LEAST_LOADED;
	want = reps / es;
	CHECK(capacity_find(&c, &in, &o, &res) == 0);
	printf("M/M/%d-like: E[S] %.6g s, analytic c/E[S] %.6g/s, capacity %.6g/s (%+.2f%%)\n",
	       reps, es, want, res.rate, 100 * (res.rate / want - 1));
	CHECK_NEAR(res.rate, want, 0.03);
	CHECK(res.has_run && res.run.sum.steady.stationary);
	capacity_result_release(&res);
}

/* Unstable and far too fast: not sustained, whatever the SLO; a run of a finite trace
 * offered all at once has no steady state. */
static void test_unstable(void)
{
	struct run_config c;
	struct capacity_opts o = opts(400);
	struct capacity_verdict v;
	struct run_result r;
	base(&c);
	CHECK(capacity_judge(&c, &in, &o, 1e7, &v, NULL) == 0);
	CHECK(!v.meets);
	c.arrival = ARR_POISSON;
	c.rate = 1e7;
	c.requests = 500;
	CHECK(run_simulate(&c, &in, &r) == 0);
	CHECK(r.sum.steady.valid && !r.sum.steady.stationary);
	run_result_release(&r);
	/* offline: no steady state to look for */
	base(&c);
	c.requests = 500;
	CHECK(run_simulate(&c, &in, &r) == 0);
	CHECK(!r.sum.steady.valid);
	run_result_release(&r);
}

/* Goodput: every request within a generous SLO, none within an impossible one. */
static void test_goodput(void)
{
	struct run_config c;
	struct run_result r;
	base(&c);
	c.arrival = ARR_POISSON;
	c.rate = 1;
	c.requests = 300;
	CHECK(run_simulate(&c, &in, &r) == 0);
	CHECK(isnan(r.sum.goodput_req_per_s)); /* no SLO: none */
	run_result_release(&r);
	c.slo_e2e_ms = 1e9;
	CHECK(run_simulate(&c, &in, &r) == 0);
	CHECK_NEAR(r.sum.goodput_req_per_s, r.sum.requests / r.sum.makespan_s, 1e-12);
	run_result_release(&r);
	c.slo_e2e_ms = 0;
	c.slo_ttft_ms = 1e-6;
	CHECK(run_simulate(&c, &in, &r) == 0);
	CHECK(r.sum.goodput_req_per_s == 0);
	run_result_release(&r);
}

/* The order-statistic interval: it holds the percentile and narrows with n. */
static void test_ci(void)
{
	static double v[10000];
	struct pct_ci a, b;
	for (int i = 0; i < 10000; i++)
		v[i] = i;
	a = pct_ci_sorted(v, 100, 0.9);
	b = pct_ci_sorted(v, 10000, 0.9);
	CHECK(a.lo < 89 && a.hi > 89);
	CHECK(b.lo < 8999 && b.hi > 8999);
	CHECK((b.hi - b.lo) / 9000 < (a.hi - a.lo) / 90);
}

int main(void)
{
	struct run_config c;
	base(&c);
	if (run_load_inputs(&c, &in) < 0) {
		fprintf(stderr, "%s\n", err_msg());
		return 1;
	}
	test_ci();
	test_goodput();
	test_unstable();
	test_md1();
	test_mmc();
	run_inputs_release(&in);
	return TEST_REPORT();
}
