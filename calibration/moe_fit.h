/*
 * moe_fit.h: the fused-MoE model of models/profile.h ("Fused MoE") fitted to aiconfigurator's
 * measured MoE tables (moe_perf: one vLLM FusedMoE layer, router logits in, weighted sum
 * out, under a CUDA graph; collector/vllm/collect_moe.py @095f58a). A table row is
 *   num_tokens T entering the layer on one GPU, hidden_size h, inter_size I (the whole
 *   expert's), topk k, num_experts E, moe_tp_size tp (each GPU holds I / tp of every
 *   expert), moe_ep_size ep (each GPU holds E / ep whole experts: rank 0's), distribution
 *   (`balanced`: helper.py balanced_logits, a fixed stride over the experts; or
 *   `power_law_<alpha>`), latency in ms; read through models/moe_table.h's moe_csv_row, the
 *   one reader of a row (the same bounds as the measured table's).
 * For a balanced row the expert counts rank 0 receives are worked out as balanced_logits
 * chooses them (token t's j-th expert (t + j ceil(E/k)) mod E, or for T < ceil(E/k) the
 * floor of (t ceil(E/k) / T + j ceil(E/k)) mod E), so the rows, touched experts and padded
 * rows of the model are exact. A power-law row (only A100 has no balanced ones) is read as
 * balanced; only rows with T k >= 4 E and ep = 1 are taken, where every expert is touched
 * and the total rows are T k whatever the skew (its padding is then approximate).
 * The fit: block B on a grid (16, 32, 64, 128: Triton fused_moe's BLOCK_SIZE_M choices),
 * t0, eff, bw_eff and slot_bw_eff by robust.h's fitter at each, the B of the smallest loss kept.
 * Held-out error: the shapes (h, I, E, k) in three folds, every third shape in a fold
 * (with fewer than three shapes, the layouts (tp, ep) instead); each fold predicted by the
 * fit of the other two.
 */
#ifndef TTSIM_MOE_FIT_H
#define TTSIM_MOE_FIT_H

#include <stddef.h>

#include "models/profile.h"

#define MOE_FIT_BLOCKS 4 /* the block grid: 16, 32, 64, 128 */

struct moe_row {
	double tokens, h, f, topk, experts, tp, ep; /* f = the padded I / tp (moe_fit_load) */
	double lat;                                 /* s */
	double shape;                               /* index of (h, I, E, k) among the set's */
	double rows, active[MOE_FIT_BLOCKS], padded[MOE_FIT_BLOCKS]; /* rank 0's, per block */
};
struct moe_set {
	struct moe_row *r;
	size_t n, cap;
	int shapes;
};

/* The rows of `text` (an aiconfigurator moe_perf CSV, fname for errors) whose kernel_source
 * is `kernel`, moe_dtype `dtype` and distribution `dist`, appended to s. mxfp4_backend:
 * for MXFP4 experts, the enum mxfp4_backend whose layout pads the per-GPU sizes
 * (model_mxfp4_pad); -1: none. 0, or -1 with err_set naming file, line and key (no
 * matching row is an error too). */
int moe_fit_load(struct moe_set *s, const char *text, size_t len, const char *fname,
		 const char *kernel, const char *dtype, const char *dist, int mxfp4_backend);
void moe_set_release(struct moe_set *s);

struct moe_fit_report {
	size_t n;                 /* rows */
	int shapes;               /* distinct (h, I, E, k) */
	double med, p90, max;     /* in-sample relative error */
	double ho_med, ho_p90, ho_max; /* held out by shape (three folds) */
	double rel_se[5]; /* t0, eff, bw_eff, slot_bw_eff, expert_t: relative standard errors */
};

/* Fit mm on s: peak the FLOP/s of the GEMM datatype that multiplies, hbm_bw the profile's,
 * wb the expert weight's bytes per element. 0, or -1 with err_set. */
int moe_fit(struct moe_model *mm, const struct moe_set *s, double peak, double hbm_bw, double wb,
	    struct moe_fit_report *rep);

/* The index of block in the grid (a block off it is a bug). */
int moe_fit_block_index(double block);
/* The model's time for row r (s), under block index bi of the grid (models/cost.c). */
double moe_fit_pred(const struct moe_model *mm, const struct moe_row *r, int bi, double peak,
		    double hbm_bw, double wb);

#endif
