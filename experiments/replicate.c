/* replicate.c: seeds (and profile parameters) -> mean and 95% interval (see replicate.h). */
#include "experiments/replicate.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "experiments/validate.h"
#include "lib/assets.h"
#include "lib/util.h"

#define MODEL_FORM_SET "tests/validation/serving_check.csv"

/* The model-form bands of the embedded check part, as this binary predicts it. */
static int model_form_bands(struct vband b[VM_N][VR_N])
{
	const struct asset *a = asset_find(MODEL_FORM_SET);
	struct vset s = {0};
	int bad;
	if (!a)
		return err_set("%s: not embedded in this binary (Makefile ASSETS)", MODEL_FORM_SET);
	if (vset_parse_csv(&s, (const char *)a->data, MODEL_FORM_SET, &bad) < 0 ||
	    validate_predict(&s, 1) < 0) { /* rows that cannot be simulated are left out */
		vset_release(&s);
		return -1;
	}
	validate_bands(&s, b);
	vset_release(&s);
	return 0;
}

static const char *const names[REP_N] = {"ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"};

const char *rep_metric_name(int m) { return m >= 0 && m < REP_N ? names[m] : "?"; }

/* A summary's metric is read in one place, validate_metric: the two lists are one. */
_Static_assert((int)REP_TTFT == VM_TTFT && (int)REP_TPOT == VM_TPOT && (int)REP_E2E == VM_E2E &&
		       (int)REP_THROUGHPUT == VM_THROUGHPUT && (int)REP_N == VM_N,
	       "enum rep_metric and enum vmetric name the same metrics in the same order");

int replicate(const struct run_config *c, const struct run_inputs *in, int profile_unc,
	      struct replication *out)
{
	int R = c->replications > 0 ? c->replications : 1;
	double *v = xmalloc(sizeof(double) * (size_t)R * REP_N);
	int rc = -1;

	out->n = R;
	out->profile_unc = profile_unc;
	out->n_unc = profile_unc ? in->profile.n_unc : 0;
	for (int i = 0; i < R; i++) {
		struct run_config ci = *c;
		struct run_inputs ii = *in; /* shallow: the trace is shared, never released here */
		struct run_result r;
		ci.seed = c->seed + (uint64_t)i;
		if (profile_unc && in->profile.n_unc) {
			double z[PROFILE_MAX_UNC];
			gsl_rng *g = rng_stream(ci.seed, "profile");
			for (int u = 0; u < in->profile.n_unc; u++)
				z[u] = gsl_ran_ugaussian(g);
			gsl_rng_free(g);
			profile_perturb(&ii.profile, z);
		}
		if (run_simulate(&ci, &ii, &r) < 0)
			goto out;
		for (int m = 0; m < REP_N; m++)
			v[m * R + i] = validate_metric(&r.sum, m);
		run_result_release(&r);
	}
	out->regime = -1;
	for (int m = 0; m < REP_N; m++) {
		const double *x = v + m * R;
		struct rep_stat *s = &out->m[m];
		s->mean = gsl_stats_mean(x, 1, (size_t)R);
		s->ci95_lo = s->ci95_hi = NAN;
		if (R > 1 && isfinite(s->mean)) {
			double sd = gsl_stats_sd_m(x, 1, (size_t)R, s->mean);
			double t = gsl_cdf_tdist_Pinv(0.975, R - 1);
			double half = t * sd * (profile_unc ? sqrt(1.0 + 1.0 / R) : 1.0 / sqrt(R));
			s->ci95_lo = s->mean - half;
			s->ci95_hi = s->mean + half;
		}
	}
	if (profile_unc) {
		struct vband b[VM_N][VR_N];
		int g = validate_config_regime(c);
		if (model_form_bands(b) < 0)
			goto out;
		out->regime = g < 0 ? VR_OPEN : g; /* a trace's arrivals: as an open loop */
		for (int m = 0; m < REP_N; m++) {
			struct rep_stat *s = &out->m[m];
			double lo = R > 1 ? s->ci95_lo : s->mean, hi = R > 1 ? s->ci95_hi : s->mean;
			out->form[m] = b[m][out->regime];
			if (!isfinite(s->mean))
				continue;
			s->ci95_lo = isnan(out->form[m].lo) ? lo : lo * exp(out->form[m].lo);
			s->ci95_hi = isnan(out->form[m].hi) ? hi : hi * exp(out->form[m].hi);
		}
	}
	rc = 0;
out:
	free(v);
	return rc;
}

cJSON *replication_json(const struct replication *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", r->n);
	cJSON_AddBoolToObject(o, "profile_uncertainty", r->profile_unc);
	cJSON_AddNumberToObject(o, "uncertain_parameters", r->n_unc);
	for (int m = 0; m < REP_N; m++) {
		cJSON *x = cJSON_AddObjectToObject(o, names[m]);
		json_num(x, "mean", r->m[m].mean);
		json_num(x, "ci95_lo", r->m[m].ci95_lo);
		json_num(x, "ci95_hi", r->m[m].ci95_hi);
	}
	if (r->profile_unc) {
		cJSON *f = cJSON_AddObjectToObject(o, "model_form");
		cJSON_AddStringToObject(f, "source", MODEL_FORM_SET " (embedded; 95% prediction "
					"interval of ln(measured/predicted) per metric and regime: split "
					"conformal from 39 rows, Student t below, for a new "
					"benchmark where the rows' benchmarks differ)");
		cJSON_AddStringToObject(f, "regime", vregime_name(r->regime));
		for (int m = 0; m < REP_N; m++) {
			validate_band_json(cJSON_AddObjectToObject(f, names[m]), &r->form[m]);
		}
	}
	return o;
}
