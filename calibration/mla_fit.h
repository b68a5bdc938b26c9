/*
 * mla_fit.h: the MLA decode model of models/profile.h ("MLA decode") fitted to aiconfigurator's
 * measured generation_mla tables (models/mla_table.h: vLLM 0.14.0's MLA decode layer at
 * DeepSeek-V3's shape, timed eagerly), on their kernel-bound points only (the others time
 * the host; mla_table.h says which are which).
 * The fit: seq_head and bw_eff (a fraction of hbm_bw) by robust.h's fitter (Huber-reweighted relative residuals), both
 * positive, the FLOP term at the profile's bf16 GEMM peak (not fitted). t0 is not fitted: the
 * kernel-bound points all take 0.2 ms or more, so a fixed time of tens of microseconds is
 * not identified by them (a free t0 came out 70-150 us, the points nearest the host floor
 * pulling it), and the small points that would identify it time the host; t0 is the
 * profile's attention.decode_t0 (the FA3 decode kernel's launch, fitted on ttsim's own
 * decode tables), written into the section as such.
 * Held-out error: the head counts in three folds (every third of them, ascending), each fold
 * predicted by the fit of the other two. "Before": the model ttsim used without a section
 * (cost_mla_decode_layer with no mla_model: the FA3 decode terms and the bmm GEMMs, kernels
 * at the CUDA-graph launch floor) on the same points.
 */
#ifndef TTSIM_MLA_FIT_H
#define TTSIM_MLA_FIT_H

#include <stddef.h>

#include "models/mla_table.h"
#include "models/profile.h"

struct mla_fit_report {
	size_t n;                       /* kernel-bound points */
	int heads;                      /* distinct head counts among them */
	double med, p90, max;           /* in-sample relative error */
	double ho_med, ho_p90, ho_max;  /* held out by head count (three folds) */
	double before_med, before_p90, before_max; /* the model without a section */
	double rel_se[2];               /* seq_head, bw_eff */
};

/* Fit mm (seq_head, bw_eff; t0 = p's attention.decode_t0; table left "") to t's kernel-bound points: kv_bytes per latent
 * element (2 bf16, 1 fp8), p for the bf16 peak and the "before" model. 0, or -1 with err_set. */
int mla_fit(struct mla_model *mm, const struct mla_table *t, const struct profile *p,
	    double kv_bytes, struct mla_fit_report *rep);

/* The model's time (s) of one point under mm (mm NULL: the model without a section). */
double mla_fit_pred(const struct mla_model *mm, const struct profile *p, double kv_bytes,
		    const struct mla_point *pt);

#endif
