/*
 * mla_table.h: measured MLA decode latencies (issue 19).
 *
 * aiconfigurator's generation_mla_perf tables for vLLM 0.14.0 (calibration/data/aiconfigurator/
 * mla, SOURCES.md there) time one vLLM MLA attention layer's decode forward
 * (MLACommonImpl.forward: the W_UK bmm that takes the queries into the latent space, the
 * latent-cache write, the attention kernel over kv_lora 512 + qk_rope 64 latents, the W_UV
 * bmm back) at DeepSeek-V3's shape (kv_lora 512, qk_nope 128, qk_rope 64, v_head 128), per
 * `num_heads` on the GPU (128 / tp_size), `batch_size` sequences of `step` cached tokens each,
 * one query token each. Each kv_cache_dtype has one kernel (`kernel_source`): bf16 vLLM's
 * FlashAttention MLA (vllm_flash_attn_mla), fp8 FlashMLA (vllm_flashmla).
 *
 * The collector timed the layer eagerly (CUDA events around 6 un-graphed calls), so small
 * batches and contexts measure the host, not the GPU: every (heads) slice has a floor of
 * 0.1-0.2 ms, flat and noisy, where the kernels take microseconds. Such a point says nothing
 * of a CUDA-graph decode step. So a point answers only where it is kernel-bound: it and every
 * longer step of its batch size at least MLA_TABLE_FLOOR_X times its slice's floor, the
 * median of the slice's points with batch_size x step <= MLA_TABLE_FLOOR_TOKENS (all
 * host-bound); a host hiccup at a short step, above the floor alone, is not read. Elsewhere the fit serves
 * (profile.h, "MLA decode"; calibration/mla_fit.c fits it on the kernel-bound points).
 *
 * Lookup: for `heads` exactly in the table, a batch s between two measured batch sizes
 * b0 <= s <= b1 and a per-sequence context c: each neighbour's latency over log(step) with
 * GSL's Steffen interpolant (as models/moe_table.h), then linear in log(batch) between the
 * two, in log(latency). It answers only when both neighbours measure c inside their
 * kernel-bound range and the result is at least MLA_TABLE_FLOOR_X times the floor.
 */
#ifndef TTSIM_MLA_TABLE_H
#define TTSIM_MLA_TABLE_H

#include <stddef.h>

#define MLA_TABLE_FLOOR_X 2.0        /* kernel-bound: at least this times the floor */
#define MLA_TABLE_FLOOR_TOKENS 1024.0 /* the floor: points with batch x step at most this */

/* The shape the tables were measured at (the collector's DeepSeek-V3 config). */
#define MLA_TABLE_KV_LORA 512
#define MLA_TABLE_QK_ROPE 64
#define MLA_TABLE_QK_NOPE 128
#define MLA_TABLE_V_HEAD 128

struct mla_curve {
	double batch;   /* batch_size */
	int n;          /* steps */
	double *x, *y;  /* log(step) ascending, log(latency in s) */
	void *interp;   /* gsl_interp (Steffen) */
	int kb;         /* its kernel-bound points: kb..n-1 (n: none) */
};

struct mla_slice {
	double heads;   /* num_heads on the GPU */
	double floor;   /* s: the host-bound floor (see above) */
	int n;          /* batch sizes, ascending */
	struct mla_curve *c;
};

struct mla_table {
	char path[160];
	char kv_dtype[16]; /* kv_cache_dtype read: "bfloat16" or "fp8" */
	char kernel[64];   /* its kernel_source */
	int n;             /* head counts */
	struct mla_slice *s;
};

/* Parse a generation_mla_perf CSV's rows of kv_cache_dtype `kv_dtype` into t. 0, or -1 with
 * err_set naming file, line and key (a missing column, a bad number, a non-positive latency,
 * two kernels for the dtype, isl other than 1, no usable slice). */
int mla_table_parse(struct mla_table *t, const char *text, size_t len, const char *fname,
		    const char *kv_dtype);
void mla_table_release(struct mla_table *t);

/* The table at `path` (embedded asset, else a file), parsed once per process (thread-safe);
 * NULL with err_set. */
const struct mla_table *mla_table_get(const char *path, const char *kv_dtype);

/* The slice of exactly `heads`, or NULL. */
const struct mla_slice *mla_table_find(const struct mla_table *t, double heads);

/* The measured latency (s) of s's layer for `batch` sequences of `ctx` cached tokens each:
 * 1 with *t set where the table answers (see above), else 0. */
int mla_slice_eval(const struct mla_slice *s, double batch, double ctx, double *t);

/* Every kernel-bound point of the table (its heads, batch, step, latency in s), for the
 * fit and its checks: arrays allocated here (caller frees *out), count in *n. */
struct mla_point {
	double heads, batch, step, lat;
};
void mla_table_points(const struct mla_table *t, struct mla_point **out, size_t *n);

/* Leave-one-out check of the lookup: each kernel-bound interior step of each curve predicted
 * from the others; relative errors appended to *err (caller frees), count in *n. */
void mla_table_loo(const struct mla_table *t, double **err, size_t *n);

#endif
