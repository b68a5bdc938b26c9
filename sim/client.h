/*
 * client.h: the benchmark client, as `vllm bench serve` runs it: how long each request's
 * prompt and output are, and when the requests are sent.
 *
 * Lengths (stream "lengths" of the run's seed):
 *   - vLLM's random dataset, range ratio r around a configured length L, integers drawn
 *     uniformly in an inclusive range:
 *       current law (vllm/benchmarks/datasets.py, RandomDataset.get_sampling_params, vLLM
 *       0.10-0.12 and vllm-project/vllm@0056b87f): [floor(L (1 - r)), ceil(L (1 + r))],
 *       0 <= r < 1, default r = 0 (fixed lengths); output low bound at least 1;
 *       old law (benchmarks/benchmark_serving.py of vLLM 0.4-0.6, sample_random_requests):
 *       [int(L r), L], default r = 1 (fixed lengths);
 *   - a length-pair file (CSV `input_len,output_len`, one measured request per line, e.g.
 *     ShareGPT as vLLM samples it), drawn uniformly with replacement;
 *   - without --ignore-eos, the model ends an output on its own: a geometric number of
 *     tokens (a constant per-token stop probability, solved so that the mean of the capped
 *     lengths is the mean the benchmark reported) capped at what the client asked for.
 * Arrivals (stream "arrivals"): at rate R with burstiness b, gaps are gamma(shape b,
 * scale 1 / (R b)) (vllm/benchmarks/serve.py get_request): mean 1/R, b = 1 Poisson, b < 1
 * burstier, b >= CLIENT_EVEN_BURSTINESS evenly spaced (a constant-rate client such as
 * inference-perf's; a gamma of shape 1e6 has a CV of 0.1%, so this is its limit).
 *
 * The module owns no global state; struct client_pairs owns its arrays.
 */
#ifndef TTSIM_CLIENT_H
#define TTSIM_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

enum client_range_law { CLIENT_RANGE_VLLM, CLIENT_RANGE_VLLM_OLD };

#define CLIENT_EVEN_BURSTINESS 1e6

/* Inclusive bounds of a random-dataset length around L (tokens) with range ratio r under
 * law (enum client_range_law); lo >= 1. */
void client_random_bounds(long L, double r, int law, long *lo, long *hi);
/* An integer uniformly in [lo, hi]. */
long client_uniform(gsl_rng *g, long lo, long hi);

/* Seconds to the next arrival at rate requests/s and the given burstiness. */
double client_gap_s(gsl_rng *g, double rate, double burstiness);

/* The per-token stop probability p for which min(cap, X), X geometric on {1, 2, ...} with
 * P(X = k) = (1 - p)^(k-1) p, has the given mean: 0 when mean >= cap (every output reaches
 * the cap), 1 when mean <= 1. */
double client_eos_hazard(double mean, long cap);
/* One output length: min(cap, X) as above. */
long client_eos_len(gsl_rng *g, double p, long cap);

/* A length-pair file. */
struct client_pairs {
	int32_t *in, *out; /* tokens */
	int32_t *line;     /* each pair's line in its file (for messages) */
	long n;
};
/* Parse "input_len,output_len" lines ('#' comments and blank lines skipped); 0, or -1 with
 * err_set("FILE:LINE: key 'k': ..."). */
int client_pairs_parse(struct client_pairs *p, const char *text, size_t len, const char *fname);
int client_pairs_load(struct client_pairs *p, const char *path);
void client_pairs_release(struct client_pairs *p);

/* The client of one run (sim/config.h's options range_ratio, range_law, ignore_eos,
 * eos_mean_len, length_file): `on` is 0 when every option has its default, and then the
 * workload draws lengths exactly as before the client existed (byte-identical runs). */
struct run_config;
struct client {
	const struct run_config *c;
	struct client_pairs pairs; /* length_file, if any */
	double eos_p;              /* per-token stop probability (ignore_eos false) */
	int on;
};
/* 0, or -1 with err_set (an unreadable length_file). */
int client_init(struct client *cl, const struct run_config *c);
/* One request's prompt and output tokens (stream g: the run's "lengths"). */
void client_lengths(struct client *cl, gsl_rng *g, long *in, long *out);
void client_release(struct client *cl);

#endif
