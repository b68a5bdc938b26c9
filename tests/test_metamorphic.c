/*
 * test_metamorphic.c: relations between runs that must hold whatever the profile's numbers
 * (issue 14). Each relation draws its configurations from one seeded generator (argv[1],
 * default 14: `build/tests/test_metamorphic SEED` runs other cases; a failure prints the
 * configuration as `ttsim run` flags), runs them through the public run API (sim/run.h)
 * with the engine's invariant checker on (TTSIM_CHECK=1, read by run_simulate), and
 * compares:
 *
 *   1. bandwidth (and GEMM peak) up never slows a step (cost_step, per part) nor raises the
 *      makespan or any request's TTFT or end-to-end latency of an offline run (speculative
 *      runs on one replica; on several: test_bandwidth_up_spec_replicas, a known finding);
 *   2. one more replica at the same arrival stream never raises the p50 latency (offline,
 *      requests of one length or a cut trace; any stream: test_replicas_up_any_stream, a
 *      known finding, with a cause: test_cost_more_work, more work never a faster step);
 *   3. alpha up never raises the mean latency under speculative decoding: acceptance is drawn
 *      until the first rejection, so runs at two alphas consume the acceptance stream
 *      differently and the relation holds in distribution only; it is checked on means
 *      over all requests with a tolerance of SPEC_TOL (the gap between grid points is 20%
 *      or more of the mean, the noise about 1%);
 *   4. N + 1 samples never lower pass@N accuracy (vote pass), per problem and overall
 *      (test_pass_at_n_more_samples, a known finding until samples get a stream per problem);
 *   5. identities of the summary (sim/run.c summarize) on every run above;
 * Byte identity across --jobs, resume and MPI is tests/cli/metamorphic.sh.
 * Not a calibration test: no number here is compared with a measurement.
 */
#include <stdint.h>
#include <stdlib.h>

#include "models/cost.h"
#include "sim/run.h"
#include "tests/test.h"
#include "lib/util.h"

#define SPEC_TOL 0.03 /* relative: means of a run at a higher alpha may exceed by this */

/* ---- the test's own random numbers (tests/test.h) ---- */
static double runif(double lo, double hi) { return lo + (hi - lo) * test_unif(); }
static int pick(const int *v, int n) { return v[test_rnd() % (uint64_t)n]; }

/* ---- loaded inputs, one per (model, gpu, trace, draft), loaded once ---- */
static const char *const models[] = {"r1-qwen-1.5b", "r1-qwen-7b"};
static const char *const gpus[] = {"h100_sxm", "a100_sxm", "gh200", "h200_sxm"};
#define NIN 128
static struct {
	char key[1100];
	struct run_inputs in;
} cache[NIN];
static int ncache;

static struct run_inputs *inputs_for(const struct run_config *c)
{
	char key[1100];
	snprintf(key, sizeof(key), "%s|%s|%s|%s", c->model, c->gpu, c->trace, c->spec_draft);
	for (int i = 0; i < ncache; i++)
		if (!strcmp(cache[i].key, key))
			return &cache[i].in;
	if (ncache == NIN || run_load_inputs(c, &cache[ncache].in) < 0) {
		fprintf(stderr, "load %s: %s\n", key, ncache == NIN ? "cache full" : err_msg());
		exit(1);
	}
	strcpy(cache[ncache].key, key);
	return &cache[ncache++].in;
}

/* A random small synthetic configuration (offline unless the caller changes it). */
static void random_config(struct run_config *c)
{
	static const int seqs[] = {2, 4, 8, 16, 64, 256};
	static const int mbt[] = {512, 1024, 2048, 8192};
	config_defaults(c);
	strcpy(c->model, models[test_rnd() % 2]);
	strcpy(c->gpu, gpus[test_rnd() % 4]);
	c->tp = test_rint(1, 2);
	c->requests = test_rint(4, 24);
	c->input_len = test_rint(16, 600);
	c->output_len = test_rint(8, 300);
	c->length_dist = test_rint(0, 3);
	c->length_cv = runif(0.1, 1.0);
	c->max_num_seqs = pick(seqs, 6);
	c->max_num_batched_tokens = pick(mbt, 4);
	if (c->max_num_batched_tokens < c->max_num_seqs)
		c->max_num_batched_tokens = c->max_num_seqs;
	c->chunked_prefill = test_rint(0, 3) != 0;
	if (!c->chunked_prefill) { /* a step must hold a whole prompt and, after a preemption,
	                              its output: bounded lengths and a large step budget */
		c->length_dist = test_rint(0, 1) ? LEN_FIXED : LEN_UNIFORM;
		c->max_num_batched_tokens = 8192;
	}
	c->cuda_graphs = test_rint(0, 1);
	c->block_size = test_rint(0, 1) ? 16 : 32;
	/* some cases with little KV cache, so that preemption and recomputation run */
	c->gpu_memory_utilization = test_rint(0, 2) ? 0.9 : runif(0.25, 0.5);
	c->seed = test_rnd() % 1000 + 1;
}

/* One case in four: the first few problems of the model's MATH500 trace, a few samples each
 * (long reasoning outputs: chunked prefill on, room for the samples in a step). */
static void maybe_trace(struct run_config *c)
{
	if (test_rint(0, 3))
		return;
	strcpy(c->trace, "math500");
	c->requests = test_rint(1, 3);
	c->samples = test_rint(1, 4);
	c->vote = test_rint(0, 3);
	c->share_prefix = test_rint(0, 1);
	c->chunked_prefill = 1;
	if (c->max_num_seqs < 8)
		c->max_num_seqs = 8;
}

/* The configuration as `ttsim run` flags (enough to replay a case). */
static void print_config(const char *what, const struct run_config *c)
{
	static const char *const len_names[] = {"fixed", "uniform", "exponential", "lognormal"};
	static const char *const arr_names[] = {"offline", "poisson", "closed", "trace"};
	static const char *const vote_names[] = {"none", "majority", "best", "pass"};
	fprintf(stderr, "  %s: ttsim run --model %s --gpu %s --tp %d --replicas %d --route %s "
			"--requests %ld --input-len %d --output-len %d --length-dist %s "
			"--length-cv %.17g --max-num-seqs %d --max-num-batched-tokens %d "
			"--chunked-prefill %s --cuda-graphs %s --block-size %d "
			"--gpu-memory-utilization %.17g --seed %llu --arrival %s --rate %.17g",
		what, c->model, c->gpu, c->tp, c->replicas, c->route ? "least_loaded" : "round_robin",
		c->requests, c->input_len, c->output_len, len_names[c->length_dist], c->length_cv,
		c->max_num_seqs, c->max_num_batched_tokens, c->chunked_prefill ? "true" : "false",
		c->cuda_graphs ? "true" : "false", c->block_size, c->gpu_memory_utilization,
		(unsigned long long)c->seed, arr_names[c->arrival], c->rate);
	if (c->trace[0])
		fprintf(stderr, " --trace %s --samples %d --vote %s --early-stop %s --share-prefix %s "
				"--budget %d --waits %d", c->trace, c->samples, vote_names[c->vote],
			c->tts.early_stop ? "true" : "false", c->share_prefix ? "true" : "false",
			c->budget, c->waits);
	if (c->spec_draft[0])
		fprintf(stderr, " --spec-draft %s --spec-k %d --spec-alpha %g", c->spec_draft,
			c->spec_k, c->spec_alpha);
	fprintf(stderr, "\n");
}

/* The factors by which a faster profile f scales p's fields (for a failure message). */
static void print_speed_up(const struct profile *p, const struct profile *f)
{
	fprintf(stderr, "  profile scaled:");
#define R(x) do { if (f->x != p->x) fprintf(stderr, " %s x%.17g", #x, f->x / p->x); } while (0)
	R(hbm_bw);
	R(gemm_bf16.peak);
	R(gemm_fp8.peak);
	R(attn_prefill.rate);
	R(attn_prefill.kv_bw);
	R(attn_decode.bw);
	R(ew_bw);
	for (int i = 0; i < PROFILE_MAX_AR; i++) {
		R(ar[i].busbw);
		R(ar[i].car_bw);
		R(ar[i].ll128_busbw);
		R(ar[i].simple_busbw);
		R(ar[i].car2_bw);
	}
#undef R
	fprintf(stderr, "\n");
}

/* ---- 5. identities of one run's summary ---- */
static int finite_nonneg(double x) { return isfinite(x) && x >= 0; }

static int dist_ok(const struct dist *d)
{
	if (d->n == 0)
		return 1;
	/* GSL interpolates (1 - f) x + f x between equal values: a few ulps apart */
	return finite_nonneg(d->mean) && finite_nonneg(d->p50) && d->p50 <= d->p90 * (1 + 1e-12) &&
	       d->p90 <= d->p99 * (1 + 1e-12);
}

static long identities_checked;

static void check_identities(const struct run_config *c, const struct run_inputs *in,
			     const struct run_result *r)
{
	const struct summary *s = &r->sum;
	const struct workload *w = &r->w;
	const struct profile *p = &in->profile;
	double tokens = 0, idle, energy, lo_e, hi_e;
	long preempt = 0, bad_req = -1, bad_prob = -1;
	int f0 = test_failed;

	for (long i = 0; i < w->n_reqs; i++) {
		const struct sim_req *q = &w->reqs[i];
		int64_t arr = w->probs[q->problem].arrival;
		tokens += q->generated;
		preempt += q->preemptions;
		if (q->preemptions < 0 || q->generated < 0 || q->generated > q->output ||
		    (!q->cancelled && q->generated != q->output) || q->t_done < arr ||
		    (q->t_first >= 0 && (q->t_first < arr || q->t_first > q->t_done)) ||
		    (!q->cancelled && q->t_first < 0) ||
		    q->t_done > w->probs[q->problem].t_done) /* problem latency >= sample e2e */
			if (bad_req < 0)
				bad_req = i;
	}
	for (long i = 0; i < w->n_probs; i++)
		if (w->probs[i].t_done < w->probs[i].arrival && bad_prob < 0)
			bad_prob = i;
	CHECK_INT(bad_req, -1);
	CHECK_INT(bad_prob, -1);
	CHECK_NEAR(s->output_tokens, tokens, 0);
	CHECK_INT(s->preemptions, preempt);
	CHECK(s->preemptions >= 0 && s->steps > 0);
	CHECK_INT(s->gpus, c->tp * c->replicas);
	CHECK_NEAR(s->gpu_seconds, s->makespan_s * s->gpus, 1e-12);
	CHECK_NEAR(s->cost_usd, s->gpu_seconds * p->usd_per_gpu_hour / 3600, 1e-12);
	/* energy: every GPU of every replica draws busy power while its replica steps and
	 * idle power otherwise, from time 0 to the makespan */
	CHECK(r->st.busy_ns_total >= 0 && r->st.busy_ns_total <= r->st.makespan * c->replicas);
	idle = (double)r->st.makespan * c->replicas - (double)r->st.busy_ns_total;
	energy = c->tp * ((double)r->st.busy_ns_total * p->power_busy_w + idle * p->power_idle_w) / 1e9;
	CHECK_NEAR(s->energy_j, energy, 1e-12);
	lo_e = s->gpu_seconds * fmin(p->power_idle_w, p->power_busy_w);
	hi_e = s->gpu_seconds * fmax(p->power_idle_w, p->power_busy_w);
	CHECK(s->energy_j >= lo_e * (1 - 1e-12) && s->energy_j <= hi_e * (1 + 1e-12));
	CHECK(s->makespan_s > 0);
	CHECK_NEAR(s->output_tok_per_s, s->output_tokens / s->makespan_s, 1e-12);
	CHECK_NEAR(s->tok_per_s_per_gpu * s->gpus, s->output_tok_per_s, 1e-12);
	CHECK_NEAR(s->tokens_per_problem * (double)s->problems, s->output_tokens, 1e-12);
	CHECK_NEAR(s->usd_per_problem * (double)s->problems, s->cost_usd, 1e-12);
	CHECK_NEAR(s->j_per_output_token * s->output_tokens, s->energy_j, 1e-12);
	CHECK_NEAR(s->usd_per_mtok_output * s->output_tokens / 1e6, s->cost_usd, 1e-12);
	CHECK_INT(s->problems, w->n_probs);
	CHECK_INT(s->requests, w->n_reqs);
	CHECK(s->cancelled >= 0 && s->cancelled <= s->requests);
	CHECK(dist_ok(&s->ttft_ms) && dist_ok(&s->tpot_ms) && dist_ok(&s->e2e_s) &&
	      dist_ok(&s->problem_latency_s));
	/* a request's TTFT never exceeds its end-to-end latency, so neither do their means */
	CHECK(s->ttft_ms.mean / 1e3 <= s->e2e_s.mean * (1 + 1e-12));
	CHECK(s->problem_latency_s.mean * (1 + 1e-12) >= s->e2e_s.mean * (s->cancelled ? 0 : 1));
	CHECK(finite_nonneg(s->total_tok_per_s) && s->total_tok_per_s >= s->output_tok_per_s);
	CHECK(finite_nonneg(s->kv_cache_gb) && finite_nonneg(s->tokens_saved_early_stop));
	if (w->trace) {
		CHECK(s->accuracy >= 0 && s->accuracy <= 1);
	} else {
		CHECK(isnan(s->accuracy));
	}
	if (isfinite(s->acceptance_rate))
		CHECK(s->acceptance_rate >= 0 && s->acceptance_rate <= 1 &&
		      s->mean_accepted_len >= 1 && s->mean_accepted_len <= c->spec_k + 1);
	if (test_failed != f0) {
		fprintf(stderr, "  identities failed (request %ld, problem %ld)\n", bad_req, bad_prob);
		print_config("run", c);
	}
	identities_checked++;
}

/* Run c; 0 (identities checked), or -1 when it does not run (printed, not a failure: a
 * random configuration may not fit). */
static int run(const struct run_config *c0, const struct run_inputs *in, struct run_result *r)
{
	struct run_config tidy = *c0, d;
	const struct run_config *c = &tidy;
	/* ttsim refuses options that would do nothing (issue 14): a random case drops them */
	config_defaults(&d);
	if (tidy.trace[0]) {
		tidy.input_len = d.input_len;
		tidy.output_len = d.output_len;
		tidy.length_dist = d.length_dist;
		tidy.length_cv = d.length_cv;
	} else if (tidy.length_dist != LEN_UNIFORM && tidy.length_dist != LEN_LOGNORMAL) {
		tidy.length_cv = d.length_cv;
	}
	if (tidy.vote != VOTE_MAJORITY)
		tidy.tts.early_stop = 0;
	if (run_simulate(c, in, r) < 0) {
		if (!strstr(err_msg(), "does not fit") && !strstr(err_msg(), "larger than") &&
		    !strstr(err_msg(), "KV cache")) {
			fprintf(stderr, "run failed: %s\n", err_msg());
			print_config("run", c);
			CHECK(0);
		}
		return -1;
	}
	check_identities(c, in, r);
	return 0;
}

/* Run a relation's two sides, ca on ina into a, then cb on inb into b; 0 when both ran, or
 * -1 (nothing left to release) when a does not run, or when b does not: that is a failure,
 * as every relation here keeps the memory plan of a. */
static int run_pair(const struct run_config *ca, const struct run_inputs *ina,
		    const struct run_config *cb, const struct run_inputs *inb, struct run_result *a,
		    struct run_result *b)
{
	if (run(ca, ina, a) < 0)
		return -1;
	if (run(cb, inb, b) < 0) {
		CHECK(0);
		run_result_release(a);
		return -1;
	}
	return 0;
}

/* Speculative decoding with draft ("ngram", "eagle") and k tokens; a step's token budget is
 * raised to hold every sequence's k + 1 tokens. */
static void with_spec(struct run_config *c, const char *draft, int k)
{
	strcpy(c->spec_draft, draft);
	c->spec_k = k;
	if (c->max_num_seqs * (c->spec_k + 1) > c->max_num_batched_tokens)
		c->max_num_batched_tokens = c->max_num_seqs * (c->spec_k + 1);
}

/* ---- 1. bandwidth and peak up ---- */

/* Scale every bandwidth and compute rate of p up, each by its own factor in [1, 4]
 * (one in three left alone). */
static void speed_up(struct profile *p)
{
#define UP(x) do { if (test_rint(0, 2)) (x) *= runif(1.0, 4.0); } while (0)
	UP(p->hbm_bw);
	UP(p->gemm_bf16.peak);
	UP(p->gemm_fp8.peak);
	UP(p->attn_prefill.rate);
	UP(p->attn_prefill.kv_bw);
	UP(p->attn_decode.bw);
	UP(p->ew_bw);
	for (int i = 0; i < PROFILE_MAX_AR; i++) {
		UP(p->ar[i].busbw);
		UP(p->ar[i].car_bw);
		UP(p->ar[i].ll128_busbw);
		UP(p->ar[i].simple_busbw);
		UP(p->ar[i].car2_bw);
	}
#undef UP
}

/* A random batch; its prefill chunks go to ch[] (room for 8; NULL: the sums only). */
static void random_batch(struct step_batch *b, struct prefill_chunk *ch)
{
	memset(b, 0, sizeof(*b));
	b->n_decode = test_rint(0, 3) ? test_rint(0, 600) : 0;
	b->decode_q = test_rint(0, 2) ? 1 : test_rint(2, 9);
	b->decode_ctx = b->n_decode * runif(1, 12000);
	b->n_prefill = test_rint(0, 2) ? test_rint(0, 6) : 0;
	if (b->n_decode + b->n_prefill == 0)
		b->n_prefill = 1;
	for (int i = 0; i < b->n_prefill; i++) {
		double c = test_rint(1, 2048), cached = test_rint(0, 1) ? test_rint(0, 8000) : 0;
		b->prefill_tokens += c;
		b->prefill_pairs += c * cached + c * (c + 1) / 2;
		if (ch) {
			ch[i].tokens = c;
			ch[i].cached = cached;
		}
	}
	b->n_sample = b->n_decode + test_rint(0, b->n_prefill);
	b->chunks = ch;
}

static void test_cost_faster_profile(void)
{
	const int cases = 30, batches = 300;
	long bad = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		struct cost_ctx slow, fast;
		struct profile pf;
		const struct run_inputs *in;
		random_config(&c);
		c.tp = 1 << test_rint(0, 2);
		c.cuda_graphs = test_rint(0, 1);
		strcpy(c.dtype, test_rint(0, 1) ? "bf16" : "fp8");
		in = inputs_for(&c);
		pf = in->profile;
		speed_up(&pf);
		if (cost_init(&slow, &in->model, &in->profile, c.tp, c.cuda_graphs) < 0)
			continue;
		CHECK_INT(cost_init(&fast, &in->model, &pf, c.tp, c.cuda_graphs), 0);
		for (int j = 0; j < batches; j++) {
			struct step_batch b;
			struct step_cost a, f;
			struct prefill_chunk ch[8];
			random_batch(&b, ch);
			cost_step(&slow, &b, &a);
			cost_step(&fast, &b, &f);
#define PART(x) (f.x <= a.x * (1 + 1e-12))
			if (!(PART(total) && PART(gemm) && PART(attn_prefill) && PART(attn_decode) &&
			      PART(allreduce) && PART(elementwise) && PART(lm_head) && PART(cpu))) {
#undef PART
				if (bad++ < 3)
					fprintf(stderr, "faster profile, slower step (%s %s on %s tp %d "
							"graphs %d): decode %d x q%d ctx %.0f, prefill %d seqs %.0f "
							"tokens %.0f pairs, %d sampled: total %.9g > %.9g (gemm %.3g/%.3g "
							"prefill %.3g/%.3g decode %.3g/%.3g ar %.3g/%.3g ew %.3g/%.3g "
							"lm %.3g/%.3g)\n",
						c.dtype, c.model, c.gpu, c.tp, c.cuda_graphs,
						b.n_decode, b.decode_q, b.decode_ctx, b.n_prefill,
						b.prefill_tokens, b.prefill_pairs, b.n_sample, f.total,
						a.total, f.gemm, a.gemm, f.attn_prefill, a.attn_prefill,
						f.attn_decode, a.attn_decode, f.allreduce, a.allreduce,
						f.elementwise, a.elementwise, f.lm_head, a.lm_head);
			}
		}
		cost_release(&slow);
		cost_release(&fast);
	}
	CHECK_INT(bad, 0);
}

static void test_bandwidth_up(void)
{
	const int cases = 40;
	int ran = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		struct run_inputs fast;
		struct run_result a, b;
		long worse = -1;
		random_config(&c);
		c.replicas = test_rint(1, 2);
		maybe_trace(&c);
		if (test_rint(0, 3) == 0) {
			/* one replica: acceptance is drawn in step order, so the faster run takes the
			 * same path (replicas share one stream: test_bandwidth_up_spec_replicas) */
			c.replicas = 1;
			with_spec(&c, "ngram", test_rint(1, 4));
		}
		fast = *inputs_for(&c);
		speed_up(&fast.profile);
		if (run_pair(&c, inputs_for(&c), &c, &fast, &a, &b) < 0)
			continue;
		ran++;
		/* offline: the scheduler's decisions do not depend on time, only step times shrink */
		for (long i = 0; i < a.w.n_reqs && worse < 0; i++)
			if (b.w.reqs[i].t_done > a.w.reqs[i].t_done || b.w.reqs[i].t_first > a.w.reqs[i].t_first)
				worse = i;
		CHECK(b.sum.makespan_s <= a.sum.makespan_s);
		CHECK_INT(worse, -1);
		if (worse >= 0 || b.sum.makespan_s > a.sum.makespan_s) {
			fprintf(stderr, "  bandwidth up, later finish: makespan %.9f -> %.9f s, request %ld\n",
				a.sum.makespan_s, b.sum.makespan_s, worse);
			print_config("bandwidth", &c);
			print_speed_up(&inputs_for(&c)->profile, &fast.profile);
		}
		run_result_release(&a);
		run_result_release(&b);
	}
	CHECK(ran >= cases / 2);
	printf("  bandwidth up: %d of %d cases ran\n", ran, cases);
}

/* Relation 1 with speculative decoding on 2-3 replicas.
 * KNOWN FINDING (issue 14): fails today. The replicas draw acceptance from one stream in
 * the order their steps happen; a faster profile reorders the replicas' steps, so each gets
 * other draws and a request can finish later. Fix: a stream per replica (or sequence).
 * Smallest case found: ttsim run --model r1-qwen-1.5b --gpu h100_sxm --replicas 3
 * --requests 5 --input-len 64 --output-len 64 --length-dist exponential --spec-draft ngram
 * --spec-k 2 --seed 11: request 0 (6 tokens) ends at 9.50 ms, and at 12.65 ms on the same
 * profile with hbm_bw doubled. */
static void test_bandwidth_up_spec_replicas(void)
{
	const int cases = 30;
	long worse_cases = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		struct run_inputs fast;
		struct run_result a, b;
		long worse = -1;
		random_config(&c);
		c.replicas = test_rint(2, 3);
		c.requests = test_rint(6, 24);
		with_spec(&c, "ngram", test_rint(1, 4));
		fast = *inputs_for(&c);
		speed_up(&fast.profile);
		if (run_pair(&c, inputs_for(&c), &c, &fast, &a, &b) < 0)
			continue;
		for (long i = 0; i < a.w.n_reqs && worse < 0; i++)
			if (b.w.reqs[i].t_done > a.w.reqs[i].t_done)
				worse = i;
		if (worse >= 0 && worse_cases++ < 3) {
			fprintf(stderr, "  bandwidth up, speculative, %d replicas: request %ld ends at "
					"%.6f s, was %.6f s\n", c.replicas, worse,
				b.w.reqs[worse].t_done / 1e9, a.w.reqs[worse].t_done / 1e9);
			print_config("bandwidth up", &c);
			print_speed_up(&inputs_for(&c)->profile, &fast.profile);
		}
		run_result_release(&a);
		run_result_release(&b);
	}
	if (worse_cases)
		fprintf(stderr, "  KNOWN FINDING (issue 14): with speculation on several replicas a "
				"faster profile delays a request in %ld of %d cases: one acceptance "
				"stream is shared by the replicas in step order (fix: a stream per "
				"replica or sequence)\n", worse_cases, cases);
	CHECK_INT(worse_cases, 0);
}

/* More work never makes a step faster: one more prefill chunk (any length, any cached
 * prefix) in a random batch must not lower cost_step's total; one more decoding sequence
 * may, by at most the decode attention's CTA work (below).
 * Issue 14 found both falling, attention being timed from the batch's sums. Prefill: a
 * chunk of 63 tokens after ~2800 cached ones cost 1.007 ms of prefill attention at TP 4
 * (r1-qwen-1.5b, h100_sxm), and 0.564 ms with a second chunk of 161 new tokens beside it:
 * the query tiles' occupancy factor rose with the fresh chunk's tiles and sped up the
 * cached chunk's work too. Chunks that differ are now timed tile by tile (profile.h,
 * "mixed chunks"; 1.09 ms for that pair), which is monotone; alike chunks keep the
 * calibrated equation, and that one itself falls when an alike chunk joins while the
 * tiles are few (its occupancy fit: N alike tiles finish sooner than one below ~70 tiles
 * on h100_sxm): such a case (the batch alike before and after) is counted, not checked.
 * Decode, left as it is: the aggregate decode set knows the sum of the contexts and the
 * count only, so FA3's per-CTA work is that of the mean context's KV blocks (two 400-token
 * sequences 2821.7 us, with a third of 10 tokens 2814.4 us at TP 1), and FA3's split count
 * (num_splits_heuristic, calibrated and uniform: 67 sequences split in 7, 68 in 5) changes
 * the waves. Both act only on the CTA-work term w of profile.h's decode equation, so the
 * step may fall by at most L x w of the batch before (t = base + sqrt(w^2 + (kv/bw)^2)
 * with base and kv rising): that bound is checked, and the falls are counted (about 1% of
 * the decode additions, up to 2% of a step). */
static void test_cost_more_work(void)
{
	const int cases = 30, batches = 300;
	long bad = 0, alike_falls = 0, decode_falls = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		struct cost_ctx cc;
		const struct run_inputs *in;
		random_config(&c);
		c.tp = 1 << test_rint(0, 2);
		in = inputs_for(&c);
		if (cost_init(&cc, &in->model, &in->profile, c.tp, c.cuda_graphs) < 0)
			continue;
		for (int j = 0; j < batches; j++) {
			struct step_batch b, m;
			struct step_cost pb, pm;
			struct prefill_chunk ch[8], mch[9];
			double t, tm, slack = 0;
			int dec = test_rint(0, 1), alike = 1;
			random_batch(&b, ch);
			m = b;
			memcpy(mch, ch, sizeof(ch));
			m.chunks = mch;
			if (dec) {
				m.n_decode++;
				m.decode_ctx += test_rint(1, 12000);
				m.n_sample++;
			} else {
				double len = test_rint(1, 2048), cached = test_rint(0, 1) ? test_rint(0, 8000) : 0;
				mch[m.n_prefill].tokens = len;
				mch[m.n_prefill].cached = cached;
				m.n_prefill++;
				m.prefill_tokens += len;
				m.prefill_pairs += len * cached + len * (len + 1) / 2;
			}
			t = cost_step(&cc, &b, &pb);
			/* the CTA-work term of b's decode attention (cc.dec holds b's coefficients) */
			if (b.n_decode > 0 && !cc.dec.plain)
				slack = in->model.n_layers * sqrt(cc.dec.w2);
			tm = cost_step(&cc, &m, &pm);
			for (int i = 1; i < m.n_prefill; i++)
				alike &= mch[i].tokens == mch[0].tokens && mch[i].cached == mch[0].cached;
			if (tm >= t * (1 - 1e-12))
				continue;
			if (dec)
				decode_falls++;
			if (!dec && alike) {
				alike_falls++;
				continue;
			}
			if (tm < (t - slack) * (1 - 1e-12) && bad++ < 3)
				fprintf(stderr, "  more work, faster step (%s on %s tp %d graphs %d): decode %d "
						"x q%d ctx %.0f, prefill %d seqs %.0f tokens %.0f pairs: %.9g s; "
						"with decode %d ctx %.0f, prefill %d seqs %.0f tokens %.0f pairs: "
						"%.9g s (gemm %.4g/%.4g prefill %.4g/%.4g decode %.4g/%.4g)\n",
					c.model, c.gpu, c.tp, c.cuda_graphs, b.n_decode, b.decode_q,
					b.decode_ctx, b.n_prefill, b.prefill_tokens, b.prefill_pairs, t,
					m.n_decode, m.decode_ctx, m.n_prefill, m.prefill_tokens,
					m.prefill_pairs, tm, pb.gemm, pm.gemm, pb.attn_prefill,
					pm.attn_prefill, pb.attn_decode, pm.attn_decode);
		}
		cost_release(&cc);
	}
	printf("  more work: %ld of %d batches with one more decode sequence were faster (within "
	       "the CTA-work bound), %ld with one more alike chunk (the calibrated equation)\n",
	       decode_falls, cases * batches, alike_falls);
	CHECK_INT(bad, 0);
}

/* ---- 2. more replicas, same arrivals ---- */

/* Replicas r and r + 1 on one arrival stream: the p50 end-to-end latency must not rise by
 * more than tol (relative). mixed = 0: offline, requests of one length (or a cut trace);
 * mixed = 1: any lengths, offline or Poisson. */
static double replicas_worst; /* the largest relative rise seen */
static long replicas_up(int mixed, int cases, double tol)
{
	int ran = 0;
	long worse = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c, more;
		struct run_result a, b;
		const struct run_inputs *in;
		random_config(&c);
		if (!mixed)
			c.length_dist = LEN_FIXED;
		else if (c.length_dist == LEN_FIXED)
			c.length_dist = LEN_EXPONENTIAL;
		c.requests = test_rint(8, 40);
		if (!mixed)
			maybe_trace(&c); /* equal prompts, samples of one problem on one replica */
		c.replicas = test_rint(1, 3);
		c.route = test_rint(0, 1);
		if (mixed && test_rint(0, 1)) {
			c.arrival = ARR_POISSON;
			c.rate = runif(0.5, 40);
		}
		in = inputs_for(&c);
		more = c;
		more.replicas++;
		if (run_pair(&c, in, &more, in, &a, &b) < 0)
			continue;
		ran++;
		if (b.sum.e2e_s.p50 / a.sum.e2e_s.p50 - 1 > replicas_worst)
			replicas_worst = b.sum.e2e_s.p50 / a.sum.e2e_s.p50 - 1;
		CHECK(b.sum.e2e_s.p50 <= a.sum.e2e_s.p50 * (1 + tol));
		if (b.sum.e2e_s.p50 > a.sum.e2e_s.p50 * (1 + tol)) {
			worse++;
			fprintf(stderr, "  replicas %d -> %d: e2e p50 %.9g -> %.9g s\n", c.replicas,
				more.replicas, a.sum.e2e_s.p50, b.sum.e2e_s.p50);
			print_config("replicas (then one more)", &c);
		}
		run_result_release(&a);
		run_result_release(&b);
	}
	CHECK(ran >= cases / 2);
	printf("  replicas up (%s lengths): %d of %d cases ran\n", mixed ? "mixed" : "equal", ran, cases);
	return worse;
}

static void test_replicas_up(void) { replicas_up(0, 40, 1e-12); }

/* Relation 2 on any arrival stream: lengths drawn from a distribution, offline or Poisson.
 * On one draw of the lengths it does not hold, and need not: routing (round robin or fewest
 * sequences) is blind to lengths, so with one more replica the median request may land
 * behind a long one (seed 11 of this file: 26 exponential-length requests, max_num_seqs 2,
 * 3 -> 4 replicas, p50 1.948 -> 2.210 s), and a decode step is timed from the batch's mean
 * context. What holds is the relation in distribution: the p50 averaged over
 * REPLICAS_SEEDS draws of the workload does not rise by more than REPLICAS_ANY_TOL. */
#define REPLICAS_SEEDS 8
#define REPLICAS_ANY_TOL 0.02
static void test_replicas_up_any_stream(void)
{
	const int cases = 30;
	int ran = 0;
	double worst = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		const struct run_inputs *in;
		double pa = 0, pb = 0;
		int ok = 1;
		random_config(&c);
		if (c.length_dist == LEN_FIXED)
			c.length_dist = LEN_EXPONENTIAL;
		c.requests = test_rint(8, 40);
		c.replicas = test_rint(1, 3);
		c.route = test_rint(0, 1);
		if (test_rint(0, 1)) {
			c.arrival = ARR_POISSON;
			c.rate = runif(0.5, 40);
		}
		in = inputs_for(&c);
		for (int s = 0; s < REPLICAS_SEEDS && ok; s++) {
			struct run_result a, b;
			struct run_config more;
			c.seed += 1;
			more = c;
			more.replicas++;
			if (run_pair(&c, in, &more, in, &a, &b) < 0) {
				ok = 0;
				break;
			}
			pa += a.sum.e2e_s.p50;
			pb += b.sum.e2e_s.p50;
			run_result_release(&a);
			run_result_release(&b);
		}
		if (!ok)
			continue;
		ran++;
		if (pb / pa - 1 > worst)
			worst = pb / pa - 1;
		CHECK(pb <= pa * (1 + REPLICAS_ANY_TOL));
		if (pb > pa * (1 + REPLICAS_ANY_TOL)) {
			fprintf(stderr, "  replicas %d -> %d: mean e2e p50 over %d seeds %.9g -> %.9g s\n",
				c.replicas, c.replicas + 1, REPLICAS_SEEDS, pa / REPLICAS_SEEDS,
				pb / REPLICAS_SEEDS);
			print_config("replicas (then one more; seeds from seed + 1)", &c);
		}
	}
	CHECK(ran >= cases / 2);
	printf("  replicas up (mixed lengths, %d seeds each): %d of %d cases ran, largest rise of "
	       "the mean p50 %.3f%% (limit %.0f%%)\n", REPLICAS_SEEDS, ran, cases, 100 * worst,
	       100 * REPLICAS_ANY_TOL);
}

/* ---- 3. speculative acceptance up ---- */
static void test_alpha_up(void)
{
	static const double grid[] = {0.1, 0.3, 0.5, 0.7, 0.9};
	const int cases = 30;
	int ran = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		const struct run_inputs *in;
		double prev_tpot = INFINITY, prev_e2e = INFINITY;
		const char *draft;
		random_config(&c);
		c.requests = test_rint(24, 48);
		c.output_len = test_rint(150, 400);
		c.length_dist = 0; /* the noise is the acceptance's alone */
		c.gpu_memory_utilization = 0.9;
		draft = test_rint(0, 1) ? "ngram" : "eagle";
		with_spec(&c, draft, test_rint(2, 6));
		if (test_rint(0, 1)) {
			c.arrival = ARR_POISSON;
			c.rate = runif(1, 20);
		}
		in = inputs_for(&c);
		for (int g = 0; g < 5; g++) {
			struct run_result r;
			c.spec_alpha = grid[g];
			if (run(&c, in, &r) < 0)
				break;
			if (g == 4)
				ran++;
			CHECK(r.sum.tpot_ms.mean <= prev_tpot * (1 + SPEC_TOL));
			CHECK(r.sum.e2e_s.mean <= prev_e2e * (1 + SPEC_TOL));
			if (r.sum.tpot_ms.mean > prev_tpot * (1 + SPEC_TOL) ||
			    r.sum.e2e_s.mean > prev_e2e * (1 + SPEC_TOL)) {
				fprintf(stderr, "  alpha %.1f -> %.1f: mean tpot %.6g -> %.6g ms, mean e2e "
						"%.6g -> %.6g s\n", grid[g > 0 ? g - 1 : 0], grid[g], prev_tpot,
					r.sum.tpot_ms.mean, prev_e2e, r.sum.e2e_s.mean);
				print_config("alpha (the grid 0.1 to 0.9)", &c);
			}
			prev_tpot = r.sum.tpot_ms.mean;
			prev_e2e = r.sum.e2e_s.mean;
			run_result_release(&r);
		}
	}
	CHECK(ran >= cases / 2);
	printf("  alpha up: %d of %d cases ran (5 alphas each)\n", ran, cases);
}

/* ---- 5 on test-time scaling runs: samples, votes, early stop, budgets, shared prefixes ---- */
static void test_tts_identities(void)
{
	const int cases = 20;
	int cancelled_runs = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		struct run_result r;
		random_config(&c);
		strcpy(c.trace, "math500");
		c.requests = test_rint(2, 6);
		c.samples = test_rint(1, 6);
		c.vote = test_rint(0, 3);
		c.tts.early_stop = test_rint(0, 1);
		if (k % 2) { /* early stopping: cancelled samples' partial outputs count */
			c.samples = test_rint(4, 8);
			c.vote = VOTE_MAJORITY;
			c.tts.early_stop = 1;
		}
		c.share_prefix = test_rint(0, 1);
		c.budget = test_rint(0, 1) ? 0 : test_rint(500, 4000);
		c.waits = test_rint(0, 2) ? 0 : 1;
		c.max_num_batched_tokens = 8192;
		c.chunked_prefill = 1; /* reasoning outputs outgrow any step after a preemption */
		if (c.max_num_seqs < c.samples)
			c.max_num_seqs = 8;
		c.gpu_memory_utilization = 0.9;
		if (test_rint(0, 1)) {
			c.arrival = ARR_POISSON;
			c.rate = runif(0.5, 5);
		}
		if (run(&c, inputs_for(&c), &r) == 0) {
			cancelled_runs += r.sum.cancelled > 0;
			run_result_release(&r);
		}
	}
	CHECK(cancelled_runs > 0); /* the identities met cancelled samples */
	printf("  test-time scaling: %d of %d runs cancelled samples\n", cancelled_runs, cases);
}

/* ---- 4. pass@N: one more sample never loses a problem ----
 * KNOWN FINDING (issue 14): fails today, fixed on another branch. Smallest case found:
 * ttsim run --model r1-qwen-1.5b --gpu h100_sxm --trace math500 --requests 10 --samples 1
 * --vote pass --budget 2000 --seed 4 has accuracy 0.8, and 0.7 with --samples 2. */
static void test_pass_at_n_more_samples(void)
{
	const int cases = 40;
	long lost_cases = 0;
	for (int k = 0; k < cases; k++) {
		struct run_config c;
		struct workload a, b;
		const struct run_inputs *in;
		long acc_a = 0, acc_b = 0, lost = -1;
		random_config(&c);
		strcpy(c.trace, "math500");
		c.requests = test_rint(20, 120);
		c.samples = test_rint(1, 80); /* past the trace's 64 recorded samples, too */
		c.vote = VOTE_PASS;
		c.budget = test_rint(0, 2) ? test_rint(1000, 12000) : 0;
		c.waits = test_rint(0, 2) ? 0 : test_rint(1, 2);
		in = inputs_for(&c);
		if (workload_build(&a, &c, &in->model, &in->trace) < 0) {
			fprintf(stderr, "workload: %s\n", err_msg());
			CHECK(0);
			continue;
		}
		c.samples++;
		CHECK_INT(workload_build(&b, &c, &in->model, &in->trace), 0);
		for (long p = 0; p < a.n_probs; p++) {
			acc_a += a.voted[p] == 0;
			acc_b += b.voted[p] == 0;
			if (a.voted[p] == 0 && b.voted[p] != 0 && lost < 0)
				lost = p;
		}
		CHECK(acc_b >= acc_a);
		if (lost >= 0 || acc_b < acc_a) {
			lost_cases++;
			if (lost_cases <= 3) {
				fprintf(stderr, "  pass@%d solves problem %ld, pass@%d does not (accuracy "
						"%ld -> %ld of %ld): --trace math500 --model %s --requests %ld "
						"--samples %d --vote pass --budget %d --waits %d --seed %llu\n",
					c.samples - 1, lost, c.samples, acc_a, acc_b, a.n_probs, c.model,
					c.requests, c.samples - 1, c.budget, c.waits,
					(unsigned long long)c.seed);
			}
		}
		workload_release(&a);
		workload_release(&b);
	}
	if (lost_cases)
		fprintf(stderr, "  KNOWN FINDING (issue 14): pass@N lost a problem at N + 1 in %ld of %d "
				"cases: one 'samples' stream is shared by all problems, so one more "
				"sample of problem p shifts every later problem's draws (fix: a stream "
				"per (seed, problem, sample))\n", lost_cases, cases);
	CHECK_INT(lost_cases, 0);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 14;
	util_gsl_init();
	setenv("TTSIM_CHECK", "1", 1); /* run_simulate: the engine's invariant checker on */
	printf("  relations from seed %llu (tests/test_metamorphic SEED replays another)\n",
	       (unsigned long long)seed);
	test_seed(seed);
	test_cost_faster_profile();
	test_bandwidth_up();
	test_replicas_up();
	test_alpha_up();
	test_tts_identities();
	test_bandwidth_up_spec_replicas();
	test_cost_more_work();
	test_replicas_up_any_stream();
	test_pass_at_n_more_samples();
	printf("  identities checked on %ld runs\n", identities_checked);
	for (int i = 0; i < ncache; i++)
		run_inputs_release(&cache[i].in);
	return TEST_REPORT();
}
