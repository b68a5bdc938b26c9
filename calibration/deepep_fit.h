/*
 * deepep_fit.h: the DeepEP all-to-all model of models/profile.h ("DeepEP all-to-all") fitted
 * to aiconfigurator's SGLang DeepEP tables (calibration/data/aiconfigurator/deepep,
 * SOURCES.md there): wideep_deepep_ll_perf (low-latency kernels: dispatch_avg_t_us,
 * combine_avg_t_us) and wideep_deepep_normal_perf (normal kernels: {dispatch,combine}_
 * {transmit,notify}_us, the two summed; only the rows at DEEPEP_FIT_SMS SMs, DeepEP's
 * default), per node_num (8 GPUs a node), num_token tokens a rank, num_topk, hidden_size.
 * A row's bytes B = num_token x num_topk x hidden_size x 2.
 * The fit, per (mode, dispatch or combine, node count): lat and bw of lat + B / bw by
 * robust.h's fitter (Huber-reweighted relative residuals), both positive. Held-out error:
 * the token counts in three folds (every third, ascending), each predicted by the fit of
 * the other two. "Before": ttsim's NCCL all-to-all (models/comm.c comm_alltoall) of the
 * bytes models/cost.c sends without the section, tokens x r x hidden x 2 with
 * r = n (1 - (1 - 1/n)^top_k) ranks a token's experts lie on (n ranks), over the nodes.
 */
#ifndef TTSIM_DEEPEP_FIT_H
#define TTSIM_DEEPEP_FIT_H

#include <stddef.h>

#include "models/profile.h"

#define DEEPEP_FIT_SMS 20 /* deepseek-ai/DeepEP deep_ep/buffer.py: Buffer.num_sms = 20 */

struct deepep_row {
	double nodes, tokens, topk, hidden;
	double t[2]; /* s: dispatch, combine */
	int line;
};
struct deepep_set {
	struct deepep_row *r;
	size_t n, cap;
};

/* The rows of an aiconfigurator DeepEP table (fname for errors): ll != 0 the low-latency
 * table, else the normal one (rows at DEEPEP_FIT_SMS SMs only). 0, or -1 with err_set
 * naming file, line and key (no row is an error too). */
int deepep_fit_load(struct deepep_set *s, const char *text, size_t len, const char *fname,
		    int ll);
void deepep_set_release(struct deepep_set *s);

struct deepep_fit_report {
	size_t n[PROFILE_DEEPEP_N];          /* rows at 8 << i ranks */
	double lat[PROFILE_DEEPEP_N][2], bw[PROFILE_DEEPEP_N][2]; /* the fits (dispatch, combine) */
	double med[PROFILE_DEEPEP_N][2], ho_med[PROFILE_DEEPEP_N][2], ho_p90[PROFILE_DEEPEP_N][2];
	double before_med[PROFILE_DEEPEP_N][2]; /* NaN: the profile cannot time that layout */
};

/* Fit each node count's dispatch and combine; p for the "before" model. 0, or -1 with
 * err_set (a node count other than 1, 2, 4, 8; a fit that fails). */
int deepep_fit(const struct deepep_set *s, const struct profile *p, struct deepep_fit_report *rep);

#endif
