/* test_client.c: the benchmark client (sim/client.h) against hand-worked cases: vLLM's two
 * random-dataset length laws, gamma arrival gaps, the EOS stop law, length-pair files; and
 * a closed loop at random lengths is not lock-stepped (arrivals spread over many steps). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"
#include "lib/util.h"
#include "sim/client.h"
#include "sim/config.h"
#include "sim/run.h"

static void range_laws(void)
{
	long lo, hi;
	/* current vLLM: [floor(L(1-r)), ceil(L(1+r))] */
	client_random_bounds(100, 0.5, CLIENT_RANGE_VLLM, &lo, &hi);
	CHECK_INT(lo, 50);
	CHECK_INT(hi, 150);
	client_random_bounds(3, 0.5, CLIENT_RANGE_VLLM, &lo, &hi); /* floor 1.5, ceil 4.5 */
	CHECK_INT(lo, 1);
	CHECK_INT(hi, 5);
	client_random_bounds(1, 0.9, CLIENT_RANGE_VLLM, &lo, &hi); /* floor 0.1 = 0 -> 1 */
	CHECK_INT(lo, 1);
	CHECK_INT(hi, 2);
	client_random_bounds(4000, 0, CLIENT_RANGE_VLLM, &lo, &hi); /* default r = 0: fixed */
	CHECK_INT(lo, 4000);
	CHECK_INT(hi, 4000);
	client_random_bounds(7, 0.3, CLIENT_RANGE_VLLM, &lo, &hi); /* 4.9 -> 4, 9.1 -> 10 */
	CHECK_INT(lo, 4);
	CHECK_INT(hi, 10);
	/* old vLLM (benchmark_serving.py): [int(L r), L], default r = 1: fixed */
	client_random_bounds(100, 0.5, CLIENT_RANGE_VLLM_OLD, &lo, &hi);
	CHECK_INT(lo, 50);
	CHECK_INT(hi, 100);
	client_random_bounds(100, 1, CLIENT_RANGE_VLLM_OLD, &lo, &hi);
	CHECK_INT(lo, 100);
	CHECK_INT(hi, 100);
	client_random_bounds(7, 0.3, CLIENT_RANGE_VLLM_OLD, &lo, &hi); /* int(2.1) = 2 */
	CHECK_INT(lo, 2);
	CHECK_INT(hi, 7);
}

static void uniform_draws(void)
{
	gsl_rng *g = rng_stream(7, "lengths");
	long seen[11] = {0}, n = 110000;
	double sum = 0;
	int out = 0;
	for (long i = 0; i < n; i++) {
		long x = client_uniform(g, 50, 60);
		out += x < 50 || x > 60;
		if (x >= 50 && x <= 60)
			seen[x - 50]++;
		sum += (double)x;
	}
	CHECK_INT(out, 0);
	for (int k = 0; k <= 10; k++) /* each value about 10000 times */
		CHECK(seen[k] > 9400 && seen[k] < 10600);
	CHECK_NEAR(sum / (double)n, 55.0, 2e-3);
	gsl_rng_free(g);
}

static void gamma_gaps(void)
{
	static const double shapes[] = {1, 0.25, 4};
	for (size_t s = 0; s < 3; s++) {
		gsl_rng *g = rng_stream(3, "arrivals");
		double sum = 0, sq = 0, n = 200000, mean, var;
		for (long i = 0; i < (long)n; i++) {
			double x = client_gap_s(g, 4.0, shapes[s]);
			sum += x;
			sq += x * x;
		}
		mean = sum / n;
		var = sq / n - mean * mean;
		/* mean 1/rate whatever the shape; CV = 1 / sqrt(shape) */
		CHECK_NEAR(mean, 0.25, 0.01);
		CHECK_NEAR(sqrt(var) / mean, 1 / sqrt(shapes[s]), 0.02);
		gsl_rng_free(g);
	}
	{
		gsl_rng *g = rng_stream(3, "arrivals");
		CHECK(client_gap_s(g, 4.0, 1e9) == 0.25); /* evenly spaced: exactly 1/rate */
		CHECK(client_gap_s(g, 4.0, CLIENT_EVEN_BURSTINESS) == 0.25);
		gsl_rng_free(g);
	}
}

static void eos_law(void)
{
	gsl_rng *g = rng_stream(5, "lengths");
	double sum = 0;
	long n = 200000, over = 0;
	double p;
	CHECK(client_eos_hazard(100, 100) == 0); /* mean at the cap: never stops early */
	CHECK(client_eos_hazard(150, 100) == 0);
	CHECK(client_eos_hazard(1, 100) == 1);
	/* cap 2: E[min(2, X)] = 1 + (1 - p) = 2 - p, so mean 1.5 -> p = 0.5 */
	CHECK_NEAR(client_eos_hazard(1.5, 2), 0.5, 1e-9);
	/* cap 100, mean 50: (1 - (1 - p)^100) / p = 50 */
	p = client_eos_hazard(50, 100);
	CHECK_NEAR((1 - pow(1 - p, 100)) / p, 50, 1e-9);
	for (long i = 0; i < n; i++) {
		long x = client_eos_len(g, p, 100);
		over += x < 1 || x > 100;
		sum += (double)x;
	}
	CHECK_INT(over, 0);
	CHECK_NEAR(sum / (double)n, 50, 0.01);
	CHECK_INT(client_eos_len(g, 0, 77), 77);
	gsl_rng_free(g);
}

static void pairs_file(void)
{
	struct client_pairs p;
	const char *good = "# ShareGPT-like\ninput_len,output_len\n10,20\n\n 30 , 40 \n";
	CHECK_INT(client_pairs_parse(&p, good, strlen(good), "p.csv"), 0);
	CHECK_INT(p.n, 2);
	CHECK_INT(p.in[1], 30);
	CHECK_INT(p.out[1], 40);
	client_pairs_release(&p);
	CHECK_INT(client_pairs_parse(&p, "in,out\n1,2\n", 11, "h.csv"), -1);
	CHECK(strstr(err_msg(), "h.csv:1: key 'length_file': unknown header") != NULL);
	{
		const char *bad = "input_len,output_len\n1,2\n# c\n3,0\n";
		CHECK_INT(client_pairs_parse(&p, bad, strlen(bad), "b.csv"), -1);
		CHECK(strstr(err_msg(), "b.csv:4: key 'length_file': expected two token counts") != NULL);
	}
	CHECK_INT(client_pairs_parse(&p, "input_len,output_len\n", 21, "e.csv"), -1);
	CHECK(strstr(err_msg(), "key 'length_file': no length pairs") != NULL);
}

/* Distinct arrival times of a closed loop's problems (the first wave all arrive at 0). */
static long distinct_arrivals(const struct run_result *r)
{
	long d = 0;
	int64_t *t = xmalloc(sizeof(*t) * (size_t)r->w.n_probs);
	for (long i = 0; i < r->w.n_probs; i++)
		t[i] = r->w.probs[i].arrival;
	for (long i = 0; i < r->w.n_probs; i++) {
		long j;
		for (j = 0; j < i && t[j] != t[i]; j++)
			;
		d += j == i;
	}
	free(t);
	return d;
}

static void closed_loop_not_lock_stepped(void)
{
	struct run_config c;
	struct run_inputs in;
	struct run_result fixed, rnd, rnd2;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", "h100_sxm", "t") |
			  config_set(&c, "input_len", "256", "t") | config_set(&c, "output_len", "128", "t") |
			  config_set(&c, "concurrency", "16", "t") | config_set(&c, "requests", "160", "t") |
			  config_set(&c, "arrival", "closed", "t"),
		  0);
	CHECK_INT(run_load_inputs(&c, &in), 0);
	CHECK_INT(run_simulate(&c, &in, &fixed), 0);
	/* fixed lengths: each wave of 16 finishes together and re-arrives together */
	CHECK(distinct_arrivals(&fixed) <= 2 * (160 / 16)); /* 19: a wave re-arrives at one
	                                                         or two steps' ends */
	CHECK_INT(config_set(&c, "range_ratio", "0.5", "t"), 0);
	CHECK_INT(run_simulate(&c, &in, &rnd), 0);
	/* random lengths: arrivals spread over many steps (138 of 160 distinct) */
	CHECK(distinct_arrivals(&rnd) > 100);
	for (long i = 0; i < rnd.w.n_reqs; i++)
		CHECK(rnd.w.reqs[i].prompt >= 128 && rnd.w.reqs[i].prompt <= 384 &&
		      rnd.w.reqs[i].output >= 64 && rnd.w.reqs[i].output <= 192);
	/* seeded: the same run twice is the same */
	CHECK_INT(run_simulate(&c, &in, &rnd2), 0);
	CHECK(rnd.sum.ttft_ms.mean == rnd2.sum.ttft_ms.mean && rnd.st.steps == rnd2.st.steps);
	for (long i = 0; i < rnd.w.n_reqs; i++)
		CHECK(rnd.w.reqs[i].t_done == rnd2.w.reqs[i].t_done);
	run_result_release(&fixed);
	run_result_release(&rnd);
	run_result_release(&rnd2);
	/* ignore_eos false without a mean, and a range law with length_dist, are refused */
	CHECK_INT(config_set(&c, "ignore_eos", "false", "t"), 0);
	CHECK_INT(run_simulate(&c, &in, &rnd), -1);
	CHECK(strstr(err_msg(), "key 'eos_mean_len'") != NULL);
	CHECK_INT(config_set(&c, "eos_mean_len", "40", "t"), 0);
	CHECK_INT(run_simulate(&c, &in, &rnd), 0);
	{
		double mean = 0;
		for (long i = 0; i < rnd.w.n_reqs; i++)
			mean += rnd.w.reqs[i].output;
		mean /= (double)rnd.w.n_reqs;
		CHECK(mean > 25 && mean < 55); /* 40 on average, capped at the drawn length */
	}
	run_result_release(&rnd);
	CHECK_INT(config_set(&c, "length_dist", "uniform", "t"), 0);
	CHECK_INT(run_simulate(&c, &in, &rnd), -1);
	CHECK(strstr(err_msg(), "key 'length_dist'") != NULL);
	run_inputs_release(&in);
}

/* Open loop at a rate: gamma gaps with burstiness, evenly spaced at the limit. */
static void open_loop_burstiness(void)
{
	struct run_config c;
	struct run_inputs in;
	struct run_result r;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "model", "qwen3-8b", "t") | config_set(&c, "gpu", "h100_sxm", "t") |
			  config_set(&c, "input_len", "64", "t") | config_set(&c, "output_len", "8", "t") |
			  config_set(&c, "requests", "50", "t") | config_set(&c, "arrival", "poisson", "t") |
			  config_set(&c, "rate", "5", "t") | config_set(&c, "burstiness", "1e9", "t"),
		  0);
	CHECK_INT(run_load_inputs(&c, &in), 0);
	CHECK_INT(run_simulate(&c, &in, &r), 0);
	for (long i = 0; i < r.w.n_probs; i++) /* every 200 ms exactly */
		CHECK_INT(r.w.probs[i].arrival, (i + 1) * 200000000L);
	run_result_release(&r);
	run_inputs_release(&in);
}

int main(void)
{
	util_gsl_init();
	range_laws();
	uniform_draws();
	gamma_gaps();
	eos_law();
	pairs_file();
	closed_loop_not_lock_stepped();
	open_loop_burstiness();
	return TEST_REPORT();
}
