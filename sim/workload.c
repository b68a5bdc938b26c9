/* workload.c: configuration + trace -> problems and sequences for the engine. */
#include "sim/workload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "sim/client.h"
#include "traces/tts.h"
#include "lib/util.h"

/* The trace samples' streams of a run: mix64(seed ^ SAMPLES_SALT), then (problem, sample). */
#define SAMPLES_SALT 0x73616d706c6573ULL /* "samples" */

/* A synthetic length with the given mean (tokens, at least 1), stream "lengths". */
static long draw_len(gsl_rng *r, const struct run_config *c, double mean)
{
	double x = mean, cv = c->length_cv;
	switch (c->length_dist) {
	case LEN_UNIFORM: /* width chosen so the coefficient of variation is cv */
		x = mean * (1 + cv * sqrt(3.0) * (2 * gsl_rng_uniform(r) - 1));
		break;
	case LEN_EXPONENTIAL:
		x = gsl_ran_exponential(r, mean);
		break;
	case LEN_LOGNORMAL: { /* mean and cv of the lognormal itself */
		double s2 = log(1 + cv * cv);
		x = gsl_ran_lognormal(r, log(mean) - s2 / 2, sqrt(s2));
		break;
	}
	default:
		break;
	}
	x = floor(x + 0.5);
	return x < 1 ? 1 : x > 1e7 ? 10000000 : (long)x;
}

int workload_build(struct workload *w, const struct run_config *c, const struct model *m,
		   const struct trace *t)
{
	gsl_rng *ra, *rl;
	struct tts_sample *ts = NULL;
	struct client cl;
	long np, nr = 0, L;
	int N = c->samples > 0 ? c->samples : 1;

	memset(w, 0, sizeof(*w));
	w->trace = t;
	if (t && c->resample) {
		np = c->requests > 0 ? c->requests : t->n_problems;
		nr = np * N;
	} else if (t) {
		if (c->requests > t->n_problems) /* it ran the trace's problems and no more */
			return err_set("key 'requests': %ld problems of a trace of %d (expected at most "
				       "%d, or resample to draw them with replacement)", c->requests,
				       t->n_problems, t->n_problems);
		np = c->requests > 0 && c->requests < t->n_problems ? c->requests : t->n_problems;
		nr = np * N;
	} else {
		np = c->requests > 0 ? c->requests : 100;
		nr = np;
	}
	if (np <= 0)
		return err_set("key 'requests': the workload is empty (expected at least one request)");
	/* The longest sequence the engine takes (vLLM's max_model_len): the run's when it is
	 * below the model's max_position_embeddings, else the model's. (A larger one is
	 * allowed: the serving set's rows give the SOURCE model's length while simulating a
	 * proxy config; it sizes vLLM V0's step budget, sim/run.c.) vLLM refuses a prompt
	 * that reaches it; an output that would pass it ends there. */
	L = c->max_model_len > 0 && c->max_model_len < m->max_len ? c->max_model_len : m->max_len;
	/* synthetic prompts whose own length (fixed, or the mean of their law) reaches it:
	 * every request, or a typical one, would be refused; a single draw past it (a long
	 * tail, a length file's pair) is cut and counted */
	if (!t && !c->length_file[0] && c->input_len >= L)
		return err_set("key 'input_len': prompts of %d tokens reach the max length %ld of "
			       "'%s' (%s; vLLM refuses such a request: expected input_len below it)",
			       c->input_len, L, m->id,
			       L < m->max_len ? "max_model_len" : "its max_position_embeddings");
	if (nr > WORKLOAD_MAX_SEQS)
		return err_set("key 'samples': %ld problems x %d samples = %ld sequences is too many "
			       "(expected at most %ld; lower requests or samples)",
			       np, t ? N : 1, nr, (long)WORKLOAD_MAX_SEQS);
	if (client_init(&cl, c) < 0)
		return -1;
	/* a length file's prompt at or past the max length: vLLM refuses that request (vllm
	 * bench's own ShareGPT sampler leaves such pairs out), so it is refused here by line */
	for (long i = 0; i < cl.pairs.n; i++)
		if (cl.pairs.in[i] >= L) {
			err_set("%s:%d: key 'length_file': a prompt of %d tokens reaches the max "
				"length %ld of '%s' (vLLM refuses such a request: expected prompts "
				"below it)", c->length_file, cl.pairs.line[i], cl.pairs.in[i], L, m->id);
			client_release(&cl);
			return -1;
		}
	w->probs = xcalloc((size_t)np, sizeof(*w->probs));
	w->reqs = xcalloc((size_t)nr, sizeof(*w->reqs));
	w->voted = xcalloc((size_t)np, sizeof(*w->voted));
	w->n_probs = np;
	w->n_reqs = nr;
	/* trace samples draw from streams of (seed, problem, sample) (traces/tts.h); synthetic
	 * lengths from one stream in request order, so the first K requests of K + 1 are those
	 * of K */
	rl = rng_stream(c->seed, "lengths");
	if (t) {
		ts = xcalloc((size_t)N, sizeof(*ts));
	}
	if (t && c->resample) { /* problems drawn with replacement, one stream of its own */
		gsl_rng *rs = rng_stream(c->seed, "resample");
		w->src = xcalloc((size_t)np, sizeof(*w->src));
		for (long p = 0; p < np; p++)
			w->src[p] = (int32_t)gsl_rng_uniform_int(rs, (unsigned long)t->n_problems);
		gsl_rng_free(rs);
	}
	for (long p = 0, r = 0; p < np; p++) {
		struct sim_problem *pr = &w->probs[p];
		const struct trace_problem *tpr = t ? &t->problems[w->src ? w->src[p] : p] : NULL;
		int n = t ? N : 1;
		pr->first = (int32_t)r;
		pr->n = n;
		pr->early_stop = (uint8_t)(c->tts.early_stop && c->vote == VOTE_MAJORITY && n > 1);
		pr->share = (uint8_t)(c->share_prefix && n > 1);
		if (t) {
			struct tts_result res;
			static const enum tts_vote rule[] = {TTS_MAJORITY, TTS_MAJORITY, TTS_BEST, TTS_PASS};
			if (tts_problem_seeded(tpr, t->max_tokens > 0 ? t->max_tokens : m->max_len,
					       n, rule[c->vote], c->budget, c->waits, &c->tts,
					       mix64(c->seed ^ SAMPLES_SALT), p, ts, &res) < 0) {
				free(ts);
				gsl_rng_free(rl);
				client_release(&cl);
				return err_prefix("%s: problem %ld: ", t->name, p);
			}
			/* vote none: the first sample's answer is the problem's */
			w->voted[p] = (int16_t)(c->vote == VOTE_NONE ? ts[0].answer : res.voted);
		}
		for (int k = 0; k < n; k++, r++) {
			struct sim_req *q = &w->reqs[r];
			long out;
			int cut;
			q->problem = (int32_t)p;
			if (t) {
				if (tpr->prompt_tokens < 1) { /* a trace imported without its prompts */
					free(ts);
					gsl_rng_free(rl);
					client_release(&cl);
					return err_set("%s:%d: problem %ld (%s): key 'prompt_tokens': %d "
						       "(the trace does not give its prompts' lengths; "
						       "expected at least 1: import it with --problems)",
						       t->name, tpr->line, w->src ? (long)w->src[p] : p,
						       tpr->unique_id ? tpr->unique_id : "?",
						       tpr->prompt_tokens);
				}
				q->prompt = tpr->prompt_tokens;
				out = ts[k].tokens;
				q->answer = ts[k].answer;
				w->budget_cut += ts[k].forced;
			} else if (cl.on) { /* the benchmark client's laws (sim/client.h) */
				long in;
				client_lengths(&cl, rl, &in, &out);
				q->prompt = (int32_t)in;
				q->answer = -1;
			} else {
				q->prompt = (int32_t)draw_len(rl, c, c->input_len);
				out = draw_len(rl, c, c->output_len);
				q->answer = -1;
			}
			cut = 0;
			if (!t && q->prompt >= L) { /* a synthetic draw past the max length */
				q->prompt = (int32_t)(L - 1);
				cut = 1;
			}
			if (t && tpr && q->prompt >= L) { /* a trace's (a synthetic one is cut above) */
				free(ts);
				gsl_rng_free(rl);
				client_release(&cl);
				return err_set("%s:%d: problem %ld: key 'prompt_tokens': a prompt of %d "
					       "tokens reaches the max length %ld of '%s'%s", t->name,
					       tpr->line, p, q->prompt, L, m->id,
					       L < m->max_len ? " (max_model_len)" : "");
			}
			if (q->prompt + out > L) {
				out = L - q->prompt;
				cut = 1;
			}
			w->capped += cut; /* a request once, whatever of it was cut */
			if (out < 1)
				out = 1;
			q->output = (int32_t)out;
		}
		if (!t)
			w->voted[p] = -1;
	}
	free(ts);
	gsl_rng_free(rl);
	client_release(&cl);

	ra = rng_stream(c->seed, "arrivals");
	for (long p = 0, tns = 0; p < np; p++) {
		int64_t gap;
		switch (c->arrival) {
		case ARR_POISSON:
			if (secs_to_ns(c->burstiness == 1 ? gsl_ran_exponential(ra, 1.0 / c->rate)
					   : client_gap_s(ra, c->rate, c->burstiness), &gap) < 0 ||
			    gap > TIME_NS_MAX - tns) {
				gsl_rng_free(ra);
				return err_set("key 'rate': problem %ld would arrive past %.6g s (about 100 "
					       "years) at %g problems/s (expected a higher rate or fewer "
					       "requests)", p, TIME_S_MAX, c->rate);
			}
			tns += gap;
			w->probs[p].arrival = tns;
			break;
		case ARR_TRACE:
			if (!t || t->problems[p].arrival_s < 0) {
				gsl_rng_free(ra);
				return err_set("key 'arrival': 'trace' needs a trace with arrival_s on "
					       "every problem (problem %ld has none)", p);
			}
			if (secs_to_ns(t->problems[p].arrival_s, &w->probs[p].arrival) < 0) {
				gsl_rng_free(ra);
				return err_prefix("%s:%d: problem %ld: key 'arrival_s': ", t->name,
						  t->problems[p].line, p);
			}
			if (p > 0 && w->probs[p].arrival < w->probs[p - 1].arrival) {
				gsl_rng_free(ra);
				return err_set("%s:%d: problem %ld: key 'arrival_s': goes backwards (expected non-decreasing arrivals)",
					       t->name, t->problems[p].line, p);
			}
			break;
		default:
			w->probs[p].arrival = 0;
		}
	}
	gsl_rng_free(ra);
	return 0;
}

void workload_release(struct workload *w)
{
	free(w->probs);
	free(w->reqs);
	free(w->voted);
	free(w->src);
	memset(w, 0, sizeof(*w));
}
