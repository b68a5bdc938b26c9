/*
 * plan.h: `ttsim plan`'s search space. Given the GPUs on offer (kinds, counts, prices),
 * the layouts to try: a GPU kind, tensor-parallel size (1, 2, 4, 8, within the count),
 * replicas (any number the count allows), weight dtype, speculation, max_num_seqs and
 * max_num_batched_tokens; and the `vllm serve` and `vllm bench serve` command lines that
 * deploy and load one. Each layout is judged by capacity_judge (experiments/capacity.h)
 * at the target rate; cli/cmd_plan.c runs them (threads, MPI) and ranks them by cost.
 */
#ifndef TTSIM_PLAN_H
#define TTSIM_PLAN_H

#include "experiments/capacity.h"
#include "lib/util.h"

#define PLAN_MAX_OFFERS 8
#define PLAN_MAX_CHOICES 8

struct plan_offer {
	char gpu[64];            /* profile name or path */
	int count;               /* GPUs of this kind on offer */
	double usd_per_gpu_hour; /* < 0: the profile's price */
};

struct plan_space {
	struct plan_offer offers[PLAN_MAX_OFFERS];
	int n_offers;
	char dtypes[PLAN_MAX_CHOICES][8];       /* weight dtypes: bf16, fp8 */
	int n_dtypes;
	char specs[PLAN_MAX_CHOICES][96];       /* spec_draft values; "" none */
	int n_specs;
	int max_num_seqs[PLAN_MAX_CHOICES];
	int n_mns;
	int max_batched[PLAN_MAX_CHOICES];      /* max_num_batched_tokens */
	int n_mbt;
};

struct plan_layout {
	int offer, tp, replicas, dtype, spec, mns, mbt; /* indices into the space, tp, replicas */
};

/* Parse "--gpus h100_sxm:8,gh200:4" into sp->offers (prices -1); 0 or -1 with err_set. */
int plan_parse_offers(struct plan_space *sp, const char *v);
/* Apply "--price h100_sxm=2.1,gh200=3" to the offers; 0 or -1 with err_set. */
int plan_parse_prices(struct plan_space *sp, const char *v);
/* Every layout, in order (offer, tp, replicas, dtype, spec, max_num_seqs,
 * max_num_batched_tokens); *n set; the caller frees. */
struct plan_layout *plan_layouts(const struct plan_space *sp, long *n);
/* base with layout l applied. */
void plan_layout_config(const struct plan_space *sp, const struct plan_layout *l,
			const struct run_config *base, struct run_config *c);
/* "vllm serve MODEL --tensor-parallel-size ..." for c (model id: the Hugging Face one). */
void plan_vllm_serve(const struct run_config *c, const char *model_id, struct sbuf *sb);
/* "vllm bench serve ..." offering rate problems/s with the SLOs as --goodput. */
void plan_vllm_bench(const struct run_config *c, const char *model_id,
		     const struct capacity_opts *o, double rate, struct sbuf *sb);

#endif
