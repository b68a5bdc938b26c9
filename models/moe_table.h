/*
 * moe_table.h: measured fused-MoE latencies by exact layer shape (issue 19).
 *
 * aiconfigurator's moe_perf tables (calibration/data/aiconfigurator/moe, SOURCES.md there;
 * columns in calibration/moe_fit.h) time one vLLM FusedMoE layer per (hidden_size,
 * inter_size, topk, num_experts, moe_tp_size, moe_ep_size) over 27 token counts 1..16384,
 * and vLLM runs many of those shapes with a tuned kernel config of its own
 * (vllm/model_executor/layers/fused_moe/configs/E=...,N=...json) that the global fit of
 * profile.h "Fused MoE" does not see. A profile's fused-MoE section may name such a table
 * (`table:`, a repository path of an embedded asset or a file); where a run's layer shape is
 * in it, models/cost.c takes the measured latency instead of the fit:
 *   - tokens inside the measured range: interpolated in log(tokens)-log(latency) with GSL's
 *     Steffen interpolant (monotone between the points, no overshoot, so a noisy table
 *     whose latency is flat over one stretch and steep over the next does not ring as a
 *     cubic spline would; a continuous slope, unlike a piecewise-linear one);
 *   - outside it: the fit, scaled by measured / fit at the nearest measured count
 *     (cost.c, so the two agree at the edge).
 * Only `distribution` balanced rows of the section's moe_dtype are read (ttsim's balanced
 * routing); a shape needs at least 3 token counts. Rows of another dtype or distribution
 * are skipped. A point measured more than once (the H100 and H200 tables time the
 * Kimi-K2 shape, 7168/2048/8/384, twice) counts as the median of its repeats. Refused (one
 * line naming file, line and key): a missing column, a bad number, a non-positive latency
 * or size, two kernel_source values for the dtype (two kernels timed: which one vLLM runs
 * is unknown), no usable shape.
 */
#ifndef TTSIM_MOE_TABLE_H
#define TTSIM_MOE_TABLE_H

#include <stddef.h>

struct moe_shape {
	double h, inter, experts, topk, tp, ep; /* the table's columns (inter: the whole expert's) */
	int n;                                  /* token counts */
	double *x, *y;                          /* log(tokens) ascending, log(latency in s) */
	void *interp;                           /* gsl_interp (Steffen) over x, y */
};

struct moe_table {
	char path[160];  /* as the profile names it */
	char dtype[24];  /* moe_dtype read */
	char kernel[96]; /* its kernel_source */
	int n;           /* shapes */
	struct moe_shape *s;
};

/* aiconfigurator's moe_perf columns, as both readers of the CSV (moe_table_parse here,
 * calibration/moe_fit.c) name them to csv_table_parse, and one row's numbers. */
enum { MOE_CSV_KERNEL, MOE_CSV_DTYPE, MOE_CSV_TOKENS, MOE_CSV_HIDDEN, MOE_CSV_INTER,
       MOE_CSV_TOPK, MOE_CSV_EXPERTS, MOE_CSV_TP, MOE_CSV_EP, MOE_CSV_DIST, MOE_CSV_LAT,
       MOE_CSV_NCOLS };
extern const char *const moe_csv_cols[MOE_CSV_NCOLS];
struct moe_csv_row {
	double tokens, h, inter, topk, experts, tp, ep; /* inter: the whole expert's */
	double lat;                                     /* s (the CSV's ms) */
};
/* The numbers of row v (fields in moe_csv_cols' order; line of fname for errors) into r,
 * each in its one range: num_tokens, hidden_size, inter_size 1..1e7, topk 1..1e4,
 * num_experts 1..1e6, moe_tp_size and moe_ep_size 1..1e5, latency 1e-6..1e6 ms. 0, or -1
 * with err_set naming file, line and key (the first bad field in column order). */
int moe_csv_row(const char *const *v, const char *fname, int line, struct moe_csv_row *r);

/* Parse a moe_perf CSV's balanced rows of moe_dtype `dtype` into t (fname for errors).
 * 0, or -1 with err_set naming file, line and key (no usable shape is an error too). */
int moe_table_parse(struct moe_table *t, const char *text, size_t len, const char *fname,
		    const char *dtype);
void moe_table_release(struct moe_table *t);

/* The table at `path` (an embedded asset, else a file) for `dtype`, parsed once and kept
 * for the life of the process (thread-safe); NULL with err_set on error. */
const struct moe_table *moe_table_get(const char *path, const char *dtype);

/* The shape equal to (h, inter, experts, topk, tp, ep) exactly, or NULL. */
const struct moe_shape *moe_table_find(const struct moe_table *t, double h, double inter,
				       double experts, double topk, double tp, double ep);

/* The measured latency (s) of s at `tokens` > 0: 1 inside the measured range (interpolated);
 * 0 outside it, *t then the latency at the nearest measured count *edge. */
int moe_shape_eval(const struct moe_shape *s, double tokens, double *t, double *edge);

/* Leave-one-out check of the interpolation: each interior token count of each shape
 * predicted from the others; relative errors appended to err (caller frees), count in *n.
 * 0, or -1 with err_set. */
int moe_table_loo(const struct moe_table *t, double **err, size_t *n);
/* Point j of s (interior: 0 < j < n - 1, n > 3) predicted from the others (s) into *pred:
 * 1, else 0 (an end point, or too few points). */
int moe_shape_loo(const struct moe_shape *s, int j, double *pred);

#endif
