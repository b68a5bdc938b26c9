/*
 * fit.h: fit a hardware profile's parameters to raw measurements (raw.h), robustly, and
 * report how well the fitted model predicts them, in and out of sample.
 *
 * Every family is fitted by nonlinear least squares on relative residuals
 * (predicted / measured - 1) with GSL's trust-region solver (gsl_multifit_nlinear), and
 * iteratively reweighted with Huber's rule (k = 1.345 MADs) so that a few outliers do not
 * move the fit. Positive parameters are fitted as logarithms, so they stay positive.
 * The time models are the ones of models/profile.h (written there only), evaluated by the
 * simulator's own functions (models/cost.c: cost_gemm directly; fit_prefill_time and
 * friends put the others in the raw files' terms), so what is fitted is exactly what the simulator predicts with.
 *
 * What the fit sets, from which file (the keys and when each is fitted: the fit columns of
 * the schema in models/profile.c, `ttsim profiles --schema`; the equations: profile.h):
 *   gemm.csv               gemm_bf16 / gemm_fp8, the keys fitted from the data (peak and
 *                          hbm_bw come from the base; the tile terms where it gives sms)
 *   attention_prefill.csv  attention.prefill_*: the schema rows of fit family PREFILL whose
 *   attention_decode.csv   (or DECODE) condition the rows meet: always, with the SM count
 *                          (gemm_bf16.sms), 3+ rows past head dim 256, 3+ decode batches
 *                          on each side of 992, 3+ decode caches on each side of the base's
 *                          decode_l2_bytes
 *   membw.csv              elementwise.bw
 *   allreduce.csv          per GPU count: lat, busbw (impl nccl, eager rows; graph rows if
 *                          no eager ones), and ll128_lat/busbw, simple_lat/busbw when the
 *                          sizes span 4+ decades in 15+ rows; car_lat, car_bw,
 *                          car_max_bytes (impl custom, graph rows first, messages up to
 *                          car_max_bytes), and car2_lat/bw on 4+ GPUs over 3+ decades
 *   launch.csv             launch_eager, launch_graph (median time per kernel)
 * Attention rows of ttsim's own reference kernels (calibration/bench/attention.cu, '# kernel:
 * ttsim-reference') are left out unless asked for: the attention models describe the serving
 * engine's FlashAttention-3, which runs on tensor cores many times faster than they do, so
 * a fit to them would slow every simulated step's attention by that factor.
 * Everything else stays as in the base profile. A family with data that cannot be fitted
 * (too few points, no spread, no convergence) is an error: no profile is written.
 */
#ifndef TTSIM_FIT_H
#define TTSIM_FIT_H

#include <stdio.h>

#include "models/profile.h"
#include "calibration/raw.h"
#include "calibration/robust.h"
#include "lib/util.h"

enum fit_fam { FIT_GEMM, FIT_PREFILL, FIT_DECODE, FIT_MEMBW, FIT_ALLREDUCE, FIT_NETWORK, FIT_NFAM };

/* Relative errors |pred - meas| / meas of one family; n = 0 when it had no data. */
struct fit_stats {
	int n;
	double median, p90, max;   /* in sample */
	double loo_median, loo_p90; /* leave-one-group-out */
	int loo_groups;
};

#define FIT_MAX_SET 128

struct fit_report {
	struct fit_stats fam[FIT_NFAM];
	int fitted[RAW_NFAMILY]; /* rows used per raw family */
	int reference[RAW_NFAMILY]; /* rows of ttsim's reference attention kernels left out */
	struct {
		char path[48];   /* dotted profile path, "attention.decode_bw" */
		int fam;         /* enum raw_family of the data it was fitted to */
	} set[FIT_MAX_SET];      /* every parameter the fit set, in the order it set them */
	int n_set;
};

struct fit_options {
	double car_max_bytes; /* bytes: largest custom all-reduce message (default 8 MiB) */
	double scale_bw_from; /* bytes/s: raw data measured on a GPU of this HBM bandwidth;
	                         bandwidth parameters are scaled to the base's hbm_bw (0 = off) */
	int no_loo;           /* 1: skip leave-one-out (faster) */
	int reference_attention; /* 1: fit the attention models to rows of ttsim's reference
	                            kernels too (raw.h); by default they are left out */
	const char *without[16]; /* attention terms ("attention.prefill_wave_exp") left out of
	                            the fit and off in the profile, to see what each buys */
	int n_without;
};

/* Family names as in the report ("gemm", "attention_prefill", ...). */
const char *fit_fam_name(enum fit_fam f);

/* Fit p (holding the base profile on entry) to rs. 0, or -1 with err_set naming the file
 * and line or the family; p is then unspecified and must not be written. */
int fit_profile(struct profile *p, const struct raw_set *rs, const struct fit_options *o,
		struct fit_report *rep);

/* The error of profile p on the rows of rs, without fitting: the report's in-sample
 * figures per family (leave-one-out NaN; membw and launch rows are not checked). All-reduce
 * rows are those a fit would use, custom messages up to the profile's car_max_bytes.
 * Returns -1 (err_msg) when p has no model for rows' GPU count. */
int fit_check(const struct profile *p, const struct raw_set *rs, struct fit_report *rep);

/* Append the report as JSON (one object per family, fields as in struct fit_stats). */
void fit_report_json(const struct fit_report *rep, const char *profile_name, struct sbuf *sb);
/* Print a human-readable table of the report. */
void fit_report_print(const struct fit_report *rep, FILE *f);

/* The attention and all-reduce models of models/profile.h (seconds), in the raw files'
 * terms (a GEMM row is cost_gemm's arguments as they are): each calls models/cost.c's own
 * function (the all-reduce of one implementation; decode with the benchmark's warm L2). */
double fit_prefill_time(const struct profile *p, double batch, double seq, double heads,
			double kv_heads, double head_dim);
double fit_decode_time(const struct profile *p, double batch, double kv_len, double kv_heads,
		       double head_dim);
double fit_allreduce_time(const struct allreduce_model *a, double bytes, int custom);

/* The generic robust fitter (robust.h) with fit.c's defaults, for tests and new families. pred(x, i, ctx) gives the model's
 * time for row i with parameters x (already transformed: positive, or >= 1 where
 * kind[j] = 1). x holds the starting point on entry and the fit on success. Returns 0, or
 * -1 with err_set (fewer rows than parameters + 1, or no convergence). */
typedef robust_pred_fn fit_pred_fn;
int fit_robust(int np, double *x, const int *kind, size_t n, const double *y, fit_pred_fn pred,
	       void *ctx, const char *what);

#endif
