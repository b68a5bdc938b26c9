/*
 * test_differential.c: the fast engine against the reference engine, byte for byte.
 *
 * The engine keeps token-at-a-time decoding as aggregates and folds quiet stretches of
 * steps into one event (sim/engine.c); sim_setup.reference runs the same scheduler with a
 * per-sequence decode set and no folding, which is slow but plainly right. Both must give
 * identical results (every sequence's timestamps, counts and replica, every problem's
 * completion, the whole summary) on many small random configurations: models, tensor
 * parallelism, pipeline stages, replicas and routing, batch limits, block sizes, KV caches small enough to preempt, forked samples,
 * early stopping on votes, speculative decoding (several k, acceptance models and
 * drafters, n-gram lookups that find no match), open, offline and closed-loop arrivals, a front end (API server) from light to
 * the bottleneck. A failure prints the case's seed and
 * setup; rerun one case with DIFF_CASE=N.
 *
 * Refuses to be: a test of the engine's timings (test_engine.c does those by hand).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"
#include "models/cost.h"
#include "models/model.h"
#include "sim/engine.h"
#include "tests/engine_fixture.h"
#include "tests/test.h"

#define N_CASES 1000
#define N_SWA 150 /* cases on models with sliding windows, after the N_CASES */
#define MAXR 400
#define MAXP 80

static struct sim_problem P[2][MAXP];
static struct sim_req R[2][MAXR];

struct dcase {
	struct sim_setup s;
	struct profile prof;
	long np, nr;
	int target_blocks;
	char desc[512];
};

/* Coverage over all cases: shows the random cases reach what they are meant to. */
static long cov_nomatch; /* cases where some n-gram lookup found no match */
static long cov_steps, cov_ok, cov_err, cov_preempt, cov_cancel, cov_spec, cov_closed, cov_fork,
	cov_multi, cov_fe, cov_fe_first, cov_pp, cov_swa, cov_swa_preempt, cov_noevict, cov_pc_hit,
	cov_swa_hit, cov_fork_hit;

static void make_case(struct dcase *d, const struct model *models, int n_models, int ci)
{
	struct sim_setup *s = &d->s;
	static const int bss[] = {1, 2, 4, 8, 16, 32};
	const struct model *m = &models[test_rint(0, n_models - 1)];
	int samples, share, early, offline, max_prompt = 0, max_out = 0, max_need = 0, k = 0;
	long t = 0;

	d->prof = fixture_profile();
	*s = fixture_setup(m, &d->prof);
	s->seed = test_rnd();
	s->tp = 1 << test_rint(0, 2);
	s->replicas = test_rint(1, 4);
	s->route = test_rint(0, 2); /* enum route_policy: round robin, least loaded, least KV */
	s->cuda_graphs = test_rint(0, 1);
	s->chunked_prefill = test_rint(0, 3) > 0;
	s->block_size = bss[test_rint(0, 5)];
	s->max_num_seqs = test_rint(1, 48);
	s->loop = test_rint(0, 3) == 0 ? SIM_CLOSED : SIM_OPEN;
	s->concurrency = test_rint(1, 12);
	s->check = ci % 2 == 0 || ci >= N_CASES; /* invariants every step on half the cases
						   (slow), and on the sliding-window ones */
	if (test_rint(0, 2) == 0) {
		static const int kinds[] = {DRAFT_NGRAM, DRAFT_EAGLE, DRAFT_MODEL};
		struct spec_setup *sp = &s->spec;
		k = sp->k = test_rint(1, 8);
		sp->draft_kind = kinds[test_rint(0, 2)];
		sp->draft = sp->draft_kind == DRAFT_MODEL ? &models[0] : NULL;
		sp->accept_kind = test_rint(0, 2);
		sp->alpha = test_unif();
		sp->ngram_s_per_seq = 5e-6;
		for (int j = 0; j < SPEC_MAX_K; j++)
			sp->pos[j] = test_unif();
		for (int j = 0; j <= SPEC_MAX_K; j++)
			sp->len_p[j] = j <= k ? test_unif() : 0;
	}

	/* problems: samples (forked or not), answers for votes, arrivals */
	samples = test_rint(0, 2) ? test_rint(1, 6) : 1;
	share = test_rint(0, 1);
	early = test_rint(0, 1);
	offline = test_rint(0, 3) == 0;
	if (share && samples > s->max_num_seqs)
		s->max_num_seqs = samples;
	d->np = test_rint(1, MAXP / 2);
	if (d->np * samples > MAXR)
		d->np = MAXR / samples;
	d->nr = 0;
	memset(P[0], 0, sizeof(P[0]));
	memset(R[0], 0, sizeof(R[0]));
	for (long p = 0; p < d->np; p++) {
		int prompt = test_rint(1, test_rint(0, 3) ? 64 : 400);
		struct sim_problem *pr = &P[0][p];
		int wide = test_rint(0, 3) == 0;
		pr->first = (int32_t)d->nr;
		pr->n = samples;
		pr->share = (uint8_t)share;
		pr->early_stop = (uint8_t)early;
		if (s->loop == SIM_OPEN && !offline) {
			int gap = test_rint(0, 4);
			/* ties (gap 0), near ties and spread arrivals; offline: all at 0 */
			t += gap == 0 ? 0 : gap == 1 ? 1 : (long)(test_unif() * 2e8);
			pr->arrival = t;
		}
		for (int j = 0; j < samples; j++) {
			struct sim_req *rq = &R[0][d->nr++];
			rq->problem = (int32_t)p;
			rq->prompt = prompt;
			rq->output = test_rint(1, wide ? 600 : 120);
			rq->answer = (int16_t)test_rint(-1, 3);
			if (rq->prompt > max_prompt)
				max_prompt = rq->prompt;
			if (rq->output > max_out)
				max_out = rq->output;
			if (rq->prompt + rq->output > max_need)
				max_need = rq->prompt + rq->output;
		}
	}
	/* token budget: tight (forces chunking), and whole requests when unchunked */
	s->max_num_batched_tokens = test_rint(0, 1) ? test_rint(s->max_num_seqs, s->max_num_seqs + 256)
						  : test_rint(512, 4096);
	/* the engine does not cap speculative decodes by the token budget: keep them within */
	if (s->max_num_batched_tokens < s->max_num_seqs * (k + 1))
		s->max_num_batched_tokens = s->max_num_seqs * (k + 1);
	if (!s->chunked_prefill && s->max_num_batched_tokens < max_need)
		s->max_num_batched_tokens = max_need;
	/* KV cache: from just enough for the largest request (constant preemption) to roomy */
	{
		int bs = s->block_size;
		int one = (max_need + k + 1 + bs - 1) / bs;
		int fork = share ? (max_prompt + bs - 1) / bs + 2 * samples : 0;
		int lo = one > fork ? one : fork;
		struct kv_groups g;
		/* a hybrid model's request takes a block a group (model.h struct kv_groups) */
		model_kv_groups(m, &g);
		lo *= g.n_full + g.n_swa;
		d->target_blocks = lo + test_rint(0, 3) * test_rint(0, lo * 2);
		if (test_rint(0, 4) == 0)
			d->target_blocks = lo + 4000;
	}
	if (fixture_size_kv(&d->prof, &d->s, d->target_blocks) < 0)
		bug("fixture_size_kv: %s", err_msg());
	/* a front end on a third of the cases, from the case number so that the other draws
	 * (and the cases without one) stay as they were: per request 0 to 20 ms, per token 0
	 * to 2 ms (a step's ~1 ms of engine time: from light to the bottleneck) */
	if (ci % 3 == 1) {
		s->fe.per_request = (ci / 3 % 5) * 5e-3;
		s->fe.per_output_token = (ci / 15 % 5) * 0.5e-3 + (ci / 3 % 2) * 1.7e-6;
		s->fe.latency = (ci / 75 % 3) * 4e-3; /* 0, 4 or 8 ms, holding no server */
		/* the server's work at a request's first token: 0, 10 or 25 ms (vllm-v1's
		 * chat endpoint fits 25 ms) */
		s->fe.first_token = (double)(ci / 6 % 3) * (ci / 6 % 3 == 2 ? 12.5e-3 : 10e-3);
	}
	/* pipeline stages on a fifth of the cases without speculation, from the case number
	 * (the other draws stay as they were): 2 to 4 stages in one node */
	if (ci % 5 == 2 && s->spec.k == 0)
		s->pp = 2 + ci / 5 % 3;
	/* n-gram lookups that find no match (the sequence verifies one token) on every other
	 * n-gram case, from the case number: P(no match) 0.1 to 0.9 */
	if (s->spec.draft_kind == DRAFT_NGRAM && ci % 2 == 1)
		s->spec.ngram_miss = (ci / 2 % 9 + 1) / 10.0;
	/* prefix caching (a preempted sequence's blocks kept in the free queue) on every
	 * other case, from the case number */
	s->prefix_caching = ci % 2 == 0;
	/* prompts in the prefix cache on a seventh of the cases, from the case number */
	s->prompt_cache = ci % 7 == 3;
	/* TensorRT-LLM's GUARANTEED_NO_EVICT admission on an eleventh of the cases without
	 * speculation (refused with it, and with forked samples: those cases are refused alike),
	 * from the case number, reserving up to 64 more output tokens on some */
	s->no_evict = ci % 11 == 6 && s->spec.k == 0;
	s->no_evict_out = s->no_evict && ci / 11 % 2 ? 64 : 0;
	snprintf(d->desc, sizeof(d->desc),
		 "prompt_cache %d pp %d model %s tp %d offline %d replicas %d route %d graphs %d chunked %d bs %d seqs %d tokens %d "
		 "blocks~%d loop %d conc %d spec k %d draft %d accept %d alpha %.3f miss %.1f problems %ld "
		 "samples %d share %d early %d frontend %g %g %g %g no_evict %d %d",
		 s->prompt_cache, s->pp, m->id, s->tp, offline, s->replicas, s->route, s->cuda_graphs, s->chunked_prefill, s->block_size,
		 s->max_num_seqs, s->max_num_batched_tokens, d->target_blocks, s->loop,
		 s->concurrency, s->spec.k, s->spec.draft_kind, s->spec.accept_kind, s->spec.alpha,
		 s->spec.ngram_miss, d->np, samples, share, early, s->fe.per_request, s->fe.per_output_token,
		 s->fe.latency, s->fe.first_token, s->no_evict, s->no_evict_out);
}

#define SAME(field, fmt)                                                                   \
	do {                                                                               \
		if (a->field != b->field) {                                                \
			fprintf(stderr, "case %d: %s: fast " fmt " reference " fmt "\n", ci,      \
				#field, a->field, b->field);                                       \
			return 0;                                                          \
		}                                                                          \
	} while (0)

static int same_stats(int ci, const struct sim_stats *a, const struct sim_stats *b)
{
	SAME(makespan, "%" PRId64);
	SAME(busy_ns_total, "%" PRId64);
	SAME(steps, "%ld");
	SAME(preemptions, "%ld");
	SAME(preempt_hit_tokens, "%.17g");
	SAME(output_tokens, "%.17g");
	SAME(prefill_tokens, "%.17g");
	SAME(kv_blocks, "%ld");
	SAME(kv_bytes, "%.17g");
	SAME(weight_bytes, "%.17g");
	SAME(max_running, "%d");
	SAME(peak_kv_blocks, "%ld");
	SAME(spec_drafted, "%.17g");
	SAME(spec_accepted, "%.17g");
	SAME(spec_verifications, "%.17g");
	SAME(spec_undrafted, "%.17g");
	SAME(draft_s, "%.17g");
	return 1;
}

static int same_req(int ci, long i, const struct sim_req *a, const struct sim_req *b)
{
	if (a->t_first == b->t_first && a->t_done == b->t_done && a->generated == b->generated &&
	    a->preemptions == b->preemptions && a->replica == b->replica &&
	    a->cancelled == b->cancelled)
		return 1;
	fprintf(stderr,
		"case %d: request %ld: fast first %lld done %lld gen %d pre %d rep %d canc %d, "
		"reference first %lld done %lld gen %d pre %d rep %d canc %d\n",
		ci, i, (long long)a->t_first, (long long)a->t_done, a->generated, a->preemptions,
		a->replica, a->cancelled, (long long)b->t_first, (long long)b->t_done, b->generated,
		b->preemptions, b->replica, b->cancelled);
	return 0;
}

/* Run case ci through both engines; 1 when they agree. */
static int run_case(int ci, const struct model *models, int n_models)
{
	struct dcase d;
	struct sim_stats st[2];
	char err[2][256];
	int rc[2], ok = 1;

	test_seed(0x7457u * 1000003u + (uint64_t)ci); /* each case its own stream: DIFF_CASE=N */
	make_case(&d, models, n_models, ci);
	memcpy(P[1], P[0], sizeof(P[0]));
	memcpy(R[1], R[0], sizeof(R[0]));
	for (int e = 0; e < 2; e++) {
		d.s.reference = e;
		if (getenv("DIFF_VERBOSE"))
			fprintf(stderr, "case %d, %s engine: %s\n", ci, e ? "reference" : "fast",
				d.desc);
		rc[e] = sim_run(&d.s, P[e], d.np, R[e], d.nr, &st[e]);
		snprintf(err[e], sizeof(err[e]), "%s", rc[e] < 0 ? err_msg() : "");
	}
	if (rc[0] != rc[1] || strcmp(err[0], err[1])) {
		fprintf(stderr, "case %d: fast returns %d '%s', reference %d '%s'\n", ci, rc[0],
			err[0], rc[1], err[1]);
		ok = 0;
	} else if (rc[0] < 0) {
		if (getenv("DIFF_VERBOSE"))
			fprintf(stderr, "case %d refused: %s\n", ci, err[0]);
		cov_err++;
		return 1;
	}
	if (ok) {
		ok = same_stats(ci, &st[0], &st[1]);
		for (long i = 0; ok && i < d.nr; i++)
			ok = same_req(ci, i, &R[0][i], &R[1][i]);
		for (long p = 0; ok && p < d.np; p++)
			if (P[0][p].t_done != P[1][p].t_done || P[0][p].arrival != P[1][p].arrival) {
				fprintf(stderr, "case %d: problem %ld: fast arrival %lld done %lld, "
						"reference arrival %lld done %lld\n",
					ci, p, (long long)P[0][p].arrival, (long long)P[0][p].t_done,
					(long long)P[1][p].arrival, (long long)P[1][p].t_done);
				ok = 0;
			}
	}
	if (!ok) {
		fprintf(stderr, "case %d: %s\n", ci, d.desc);
		return 0;
	}
	cov_ok++;
	cov_steps += st[0].steps;
	cov_preempt += st[0].preemptions > 0;
	cov_pc_hit += st[0].preempt_hit_tokens > 0;
	cov_swa_hit += d.s.model->n_swa > 0 && st[0].preempt_hit_tokens > 0;
	cov_fork_hit += P[0][0].share && P[0][0].n > 1 && st[0].preempt_hit_tokens > 0;
	cov_spec += d.s.spec.k > 0;
	cov_nomatch += st[0].spec_undrafted > 0;
	cov_closed += d.s.loop == SIM_CLOSED;
	cov_fork += P[0][0].share && P[0][0].n > 1;
	cov_multi += d.s.replicas > 1;
	cov_fe += d.s.fe.per_request > 0 || d.s.fe.per_output_token > 0;
	cov_fe_first += d.s.fe.first_token > 0;
	cov_pp += d.s.pp > 1;
	cov_noevict += d.s.no_evict;
	cov_swa += d.s.model->n_swa > 0;
	cov_swa_preempt += d.s.model->n_swa > 0 && st[0].preemptions > 0;
	for (long i = 0; i < d.nr; i++)
		if (R[0][i].cancelled) {
			cov_cancel++;
			break;
		}
	return 1;
}

int main(void)
{
	static const char *const names[] = {"r1-qwen-1.5b", "r1-qwen-7b", "qwen2.5-3b-instruct",
					    "llama-3.1-8b-instruct"};
	struct model models[4], swa[3];
	const char *one = getenv("DIFF_CASE");
	int failed = 0;

	for (int i = 0; i < 4; i++)
		CHECK_INT(model_find(&models[i], names[i]), 0);
	CHECK_INT(model_find(&swa[0], "gpt-oss-20b"), 0);
	swa[1] = models[0];
	swa[1].window = 32;
	swa[1].n_swa = swa[1].n_layers;
	swa[2] = models[2];
	swa[2].window = 48;
	swa[2].n_swa = swa[2].n_layers / 2;
	for (int ci = one ? atoi(one) : 0; ci < (one ? atoi(one) + 1 : N_CASES); ci++) {
		int ok = ci < N_CASES ? run_case(ci, models, 4) : run_case(ci, swa, 3);
		CHECK(ok);
		if (!ok && ++failed >= 5)
			break; /* the first few differences are enough to go on */
	}
	/* Sliding windows (vLLM's hybrid KV cache manager: blocks outside a window freed):
	 * gpt-oss-20b (12 sliding, 12 full layers, window 128) and two dense models given a
	 * window on all or half their layers. Both engines walk such a decode set (the
	 * aggregate one counts one block table a sequence), so what these cases check is the
	 * invariant checker, on at every step: each sequence holds exactly the rule's blocks,
	 * the pool is held + free, nothing is lost across forks, the prompt cache and
	 * preemption. */
	for (int ci = N_CASES; !one && ci < N_CASES + N_SWA; ci++) {
		int ok = run_case(ci, swa, 3);
		CHECK(ok);
		if (!ok && ++failed >= 5)
			break;
	}
	printf("test_differential.c: %ld cases agree (%ld refused alike, %ld steps); with "
	       "preemption %ld (%ld finding their blocks in the prefix cache, %ld of them with forked "
	       "samples), "
	       "cancellations %ld, speculation %ld, closed loop %ld, forked samples %ld, "
	       "several replicas %ld, front end %ld (%ld with first-token work), pipeline stages %ld, n-gram without a "
	       "match %ld, sliding windows %ld (%ld preempting, %ld with prefix-cache hits), no "
	       "eviction %ld\n",
	       cov_ok, cov_err, cov_steps, cov_preempt, cov_pc_hit, cov_fork_hit, cov_cancel, cov_spec, cov_closed, cov_fork,
	       cov_multi, cov_fe, cov_fe_first, cov_pp, cov_nomatch, cov_swa, cov_swa_preempt, cov_swa_hit, cov_noevict);
	if (!one) { /* the random cases must reach what they are meant to */
		CHECK(cov_ok >= (N_CASES + N_SWA) * 3 / 4);
		CHECK(cov_swa >= N_SWA * 3 / 4 && cov_swa_preempt >= 15 && cov_swa_hit >= 4);
		CHECK(cov_preempt >= 20 && cov_cancel >= 20 && cov_spec >= 20 && cov_closed >= 20 &&
		      cov_fork >= 20 && cov_multi >= 20 && cov_fe >= 200 && cov_fe_first >= 100 && cov_pp >= 100 &&
		      cov_nomatch >= 20 && cov_noevict >= 20 && cov_pc_hit >= 20 &&
		      cov_fork_hit >= 10);
	}
	return TEST_REPORT();
}
