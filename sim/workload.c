/* workload.c: configuration + trace -> problems and sequences for the engine. */
#include "workload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "util.h"

/* Majority over answers (0 correct, k > 0 wrong answer k, < 0 unknown: never counted);
 * ties go to the answer reached first in sample order. */
static int16_t vote_majority(const struct sim_req *r, int n)
{
	int16_t best = -1;
	int best_n = 0;
	for (int i = 0; i < n; i++) {
		int cnt = 0;
		if (r[i].answer < 0)
			continue;
		for (int j = 0; j < n; j++)
			cnt += r[j].answer == r[i].answer;
		if (cnt > best_n)
			best_n = cnt, best = r[i].answer;
	}
	return best;
}

int workload_build(struct workload *w, const struct run_config *c, const struct model *m,
		   const struct trace *t)
{
	gsl_rng *rs = NULL, *ra;
	long np, nr = 0;
	int N = c->samples > 0 ? c->samples : 1;

	memset(w, 0, sizeof(*w));
	w->trace = t;
	if (t) {
		np = c->requests > 0 && c->requests < t->n_problems ? c->requests : t->n_problems;
		nr = np * N;
	} else {
		np = c->requests > 0 ? c->requests : 100;
		nr = np;
	}
	if (np <= 0)
		return err_set("key 'requests': the workload is empty");
	w->probs = xcalloc((size_t)np, sizeof(*w->probs));
	w->reqs = xcalloc((size_t)nr, sizeof(*w->reqs));
	w->voted = xcalloc((size_t)np, sizeof(*w->voted));
	w->n_probs = np;
	w->n_reqs = nr;
	rs = rng_stream(c->seed, "samples");
	for (long p = 0, r = 0; p < np; p++) {
		struct sim_problem *pr = &w->probs[p];
		int n = t ? N : 1;
		pr->first = (int32_t)r;
		pr->n = n;
		pr->early_stop = (uint8_t)(c->early_stop && c->vote == VOTE_MAJORITY && n > 1);
		for (int k = 0; k < n; k++, r++) {
			struct sim_req *q = &w->reqs[r];
			long out;
			q->problem = (int32_t)p;
			if (t) {
				const struct trace_problem *tp = &t->problems[p];
				const struct trace_sample *ts =
					k < tp->n_samples
						? &tp->samples[k]
						: &tp->samples[gsl_rng_uniform_int(rs, (unsigned long)tp->n_samples)];
				q->prompt = tp->prompt_tokens;
				out = ts->output_tokens;
				q->answer = ts->answer;
				if (c->budget > 0 && out > c->budget) {
					out = c->budget;
					w->budget_cut++;
				}
			} else {
				q->prompt = c->input_len;
				out = c->output_len;
				q->answer = -1;
			}
			if (q->prompt >= m->max_len)
				return err_set("problem %ld: prompt of %d tokens reaches the max length %d "
					       "of '%s'", p, q->prompt, m->max_len, m->id);
			if (q->prompt + out > m->max_len) {
				out = m->max_len - q->prompt;
				w->capped++;
			}
			if (out < 1)
				out = 1;
			q->output = (int32_t)out;
		}
		w->voted[p] = c->vote == VOTE_NONE ? w->reqs[pr->first].answer
						   : vote_majority(&w->reqs[pr->first], n);
		if (c->vote == VOTE_BEST) { /* best-of-N with a perfect verifier */
			w->voted[p] = w->reqs[pr->first].answer;
			for (int k = 0; k < n; k++)
				if (w->reqs[pr->first + k].answer == 0)
					w->voted[p] = 0;
		}
	}
	gsl_rng_free(rs);

	ra = rng_stream(c->seed, "arrivals");
	for (long p = 0, tns = 0; p < np; p++) {
		switch (c->arrival) {
		case ARR_POISSON:
			tns += (long)llround(gsl_ran_exponential(ra, 1.0 / c->rate) * 1e9);
			w->probs[p].arrival = tns;
			break;
		case ARR_TRACE:
			if (!t || t->problems[p].arrival_s < 0) {
				gsl_rng_free(ra);
				return err_set("key 'arrival': 'trace' needs a trace with arrival_s on "
					       "every problem (problem %ld has none)", p);
			}
			w->probs[p].arrival = (int64_t)llround(t->problems[p].arrival_s * 1e9);
			if (p > 0 && w->probs[p].arrival < w->probs[p - 1].arrival) {
				gsl_rng_free(ra);
				return err_set("%s: problem %ld: arrival_s goes backwards", t->name, p);
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
	memset(w, 0, sizeof(*w));
}
