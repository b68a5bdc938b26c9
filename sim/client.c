/* client.c: the benchmark client's length laws and arrival gaps (see client.h). */
#include "sim/client.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "sim/config.h"
#include "lib/csv.h"
#include "lib/util.h"

void client_random_bounds(long L, double r, int law, long *lo, long *hi)
{
	if (law == CLIENT_RANGE_VLLM_OLD) {
		*lo = (long)floor((double)L * r);
		*hi = L;
	} else {
		*lo = (long)floor((double)L * (1 - r));
		*hi = (long)ceil((double)L * (1 + r));
	}
	if (*lo < 1)
		*lo = 1;
	if (*hi < *lo)
		*hi = *lo;
}

long client_uniform(gsl_rng *g, long lo, long hi)
{
	return lo + (long)gsl_rng_uniform_int(g, (unsigned long)(hi - lo + 1));
}

double client_gap_s(gsl_rng *g, double rate, double burstiness)
{
	if (burstiness >= CLIENT_EVEN_BURSTINESS)
		return 1.0 / rate;
	return gsl_ran_gamma(g, burstiness, 1.0 / (rate * burstiness));
}

/* E[min(cap, X)] = sum_{k=0}^{cap-1} P(X > k) = (1 - (1 - p)^cap) / p */
static double capped_mean(double p, long cap)
{
	return -expm1((double)cap * log1p(-p)) / p;
}

double client_eos_hazard(double mean, long cap)
{
	double lo = 0, hi = 1;
	if (mean >= (double)cap)
		return 0;
	if (mean <= 1)
		return 1;
	/* capped_mean falls from cap (p -> 0) to 1 (p = 1): bisect */
	for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
		double mid = 0.5 * (lo + hi);
		if (capped_mean(mid, cap) > mean)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

long client_eos_len(gsl_rng *g, double p, long cap)
{
	unsigned int x;
	if (p <= 0)
		return cap;
	x = gsl_ran_geometric(g, p);
	return (long)x < cap ? (long)x : cap;
}

int client_pairs_parse(struct client_pairs *p, const char *text, size_t len, const char *fname)
{
	struct csv c;
	size_t cap = 0, cap2 = 0, cap3 = 0;
	int rc, header = 0;
	memset(p, 0, sizeof(*p));
	csv_init(&c, text, len, CSV_SKIP_BLANK | CSV_SKIP_COMMENT | CSV_TRIM);
	while ((rc = csv_next(&c)) > 0) {
		long a, b;
		if (!header) {
			if (c.nf != 2 || strcmp(c.f[0], "input_len") || strcmp(c.f[1], "output_len")) {
				err_set("%s:%d: key 'length_file': unknown header (expected "
					"'input_len,output_len')", fname, c.line);
				goto bad;
			}
			header = 1;
			continue;
		}
		if (c.nf != 2 || parse_long(c.f[0], &a) < 0 || parse_long(c.f[1], &b) < 0 ||
		    a < 1 || b < 1 || a > (1L << 24) || b > (1L << 24)) {
			err_set("%s:%d: key 'length_file': expected two token counts 1..%ld "
				"(input_len,output_len)", fname, c.line, 1L << 24);
			goto bad;
		}
		xgrow((void **)&p->in, &cap, (size_t)p->n + 1, sizeof(*p->in));
		xgrow((void **)&p->out, &cap2, (size_t)p->n + 1, sizeof(*p->out));
		xgrow((void **)&p->line, &cap3, (size_t)p->n + 1, sizeof(*p->line));
		p->line[p->n] = c.line;
		p->in[p->n] = (int32_t)a;
		p->out[p->n++] = (int32_t)b;
	}
	if (rc < 0) {
		err_set("%s:%d: key 'length_file': unreadable line", fname, c.line);
		goto bad;
	}
	if (p->n == 0) {
		err_set("%s:%d: key 'length_file': no length pairs (expected a header "
			"'input_len,output_len' and one line per request)", fname, c.line);
		goto bad;
	}
	csv_release(&c);
	return 0;
bad:
	csv_release(&c);
	client_pairs_release(p);
	return -1;
}

int client_pairs_load(struct client_pairs *p, const char *path)
{
	size_t len;
	char *text = file_read(path, &len);
	int rc;
	memset(p, 0, sizeof(*p));
	if (!text)
		return err_prefix("key 'length_file': ");
	rc = client_pairs_parse(p, text, len, path);
	free(text);
	return rc;
}

void client_pairs_release(struct client_pairs *p)
{
	free(p->in);
	free(p->out);
	free(p->line);
	memset(p, 0, sizeof(*p));
}

int client_init(struct client *cl, const struct run_config *c)
{
	memset(cl, 0, sizeof(*cl));
	cl->c = c;
	cl->on = c->range_ratio > 0 || c->range_law != CLIENT_RANGE_VLLM || !c->ignore_eos ||
		 c->length_file[0];
	if (c->length_file[0] && client_pairs_load(&cl->pairs, c->length_file) < 0)
		return -1;
	if (!c->ignore_eos)
		cl->eos_p = client_eos_hazard(c->eos_mean_len, c->output_len);
	return 0;
}

void client_lengths(struct client *cl, gsl_rng *g, long *in, long *out)
{
	const struct run_config *c = cl->c;
	long lo, hi;
	if (cl->pairs.n) {
		long k = (long)gsl_rng_uniform_int(g, (unsigned long)cl->pairs.n);
		*in = cl->pairs.in[k];
		*out = cl->pairs.out[k];
	} else if (c->range_ratio > 0 || c->range_law != CLIENT_RANGE_VLLM) {
		client_random_bounds(c->input_len, c->range_ratio, c->range_law, &lo, &hi);
		*in = client_uniform(g, lo, hi);
		client_random_bounds(c->output_len, c->range_ratio, c->range_law, &lo, &hi);
		*out = client_uniform(g, lo, hi);
	} else {
		*in = c->input_len;
		*out = c->output_len;
	}
	/* the length asked for is a cap: the model may stop before it */
	if (!c->ignore_eos)
		*out = client_eos_len(g, cl->eos_p, *out);
}

void client_release(struct client *cl) { client_pairs_release(&cl->pairs); }
