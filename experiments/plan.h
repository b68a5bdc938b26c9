/*
 * plan.h: `ttsim plan`'s search space. Given the GPUs on offer (kinds, counts, prices,
 * GPUs a node), the layouts to try: a GPU kind, tensor-parallel size (1, 2, 4, 8), pipeline
 * stages (1, 2, 4, 8), expert parallelism (none, tp, dp: MoE models only), the nodes one replica spreads over (the fewest its tp x pp GPUs fit
 * on), replicas (any number the count allows), weight dtype, speculation, max_num_seqs and
 * max_num_batched_tokens; and the `vllm serve` and `vllm bench serve` command lines that
 * deploy and load one. The layouts are enumerated from one table of axes (plan.c,
 * plan_axes): each axis lists its values given the axes before it and sets its option of
 * the run configuration, so a new axis is one row (expert parallelism was). Each layout is judged by capacity_judge (experiments/capacity.h)
 * at the target rate; cli/cmd_plan.c runs them (threads, MPI) and ranks them by cost.
 */
#ifndef TTSIM_PLAN_H
#define TTSIM_PLAN_H

#include "experiments/capacity.h"
#include "lib/util.h"

#define PLAN_MAX_OFFERS 8
#define PLAN_MAX_CHOICES 8
#define PLAN_MAX_VALUES 4096 /* values of one axis for one prefix (replicas: up to the count) */

struct plan_offer {
	char gpu[64];            /* profile name or path */
	int count;               /* GPUs of this kind on offer */
	double usd_per_gpu_hour; /* < 0: the profile's price */
	int gpus_per_node;       /* the profile's node (set by the caller after loading it) */
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
	int tps[PLAN_MAX_CHOICES];              /* tensor-parallel sizes to try */
	int n_tps;
	int pps[PLAN_MAX_CHOICES];              /* pipeline stages to try */
	int n_pps;
	int eps[PLAN_MAX_CHOICES];              /* enum ep_mode values to try ({EP_NONE}: dense) */
	int n_eps;
	int max_nodes;                          /* nodes one replica may span (0: any) */
};

/* The axes of a layout, in the order they are enumerated (the first varies slowest). */
enum plan_axis_id {
	PLAN_OFFER,    /* index into sp->offers */
	PLAN_TP,       /* tensor-parallel size */
	PLAN_PP,       /* pipeline stages */
	PLAN_EP,       /* enum ep_mode (models/model.h); tp 1 takes EP_NONE only */
	PLAN_NODES,    /* nodes one replica spans */
	PLAN_REPLICAS, /* replicas */
	PLAN_DTYPE,    /* index into sp->dtypes */
	PLAN_SPEC,     /* index into sp->specs */
	PLAN_MNS,      /* index into sp->max_num_seqs */
	PLAN_MBT,      /* index into sp->max_batched */
	PLAN_N_AXES
};

struct plan_layout {
	int v[PLAN_N_AXES]; /* each axis's value (a number, or an index into the space) */
};

/* Parse "--gpus h100_sxm:8,gh200:4" into sp->offers (prices -1); 0 or -1 with err_set. */
/* A flag's comma-separated list with no empty item (a trailing or doubled comma is a typo,
 * not nothing): 0, or -1 with err_set naming flag. */
int plan_list_check(const char *flag, const char *v);
int plan_parse_offers(struct plan_space *sp, const char *v);
/* Apply "--price h100_sxm=2.1,gh200=3" to the offers; 0 or -1 with err_set. */
int plan_parse_prices(struct plan_space *sp, const char *v);
/* Every layout, in the order of enum plan_axis_id (offer slowest); *n set; the caller
 * frees. Offers need gpus_per_node set. */
struct plan_layout *plan_layouts(const struct plan_space *sp, long *n);
/* base with layout l applied. */
void plan_layout_config(const struct plan_space *sp, const struct plan_layout *l,
			const struct run_config *base, struct run_config *c);
/* "vllm serve MODEL --tensor-parallel-size ..." for c (model id: the Hugging Face one);
 * with expert parallelism, --enable-expert-parallel (ep dp: --tensor-parallel-size 1
 * --data-parallel-size tp, --max-num-seqs and --max-num-batched-tokens a rank's). */
void plan_vllm_serve(const struct run_config *c, const char *model_id, struct sbuf *sb);
/* For a replica over c->nodes > 1 nodes: how to launch it there (a Ray cluster, or vLLM's
 * own multi-node flags), one line; for ep dp replicas in one node (each its own server:
 * its data-parallel ranks are its GPUs), how to run them side by side; else nothing. */
void plan_vllm_nodes(const struct run_config *c, struct sbuf *sb);
/* The server line of c's engine: plan_vllm_serve for vLLM (and no engine profile), SGLang's
 * python -m sglang.launch_server and TensorRT-LLM's trtllm-serve with the same limits in
 * their own flags, and what has no flag said in words. */
void plan_serve(const struct run_config *c, const char *model_id, struct sbuf *sb);
/* plan_vllm_nodes for c's engine: how its replicas over nodes, or side by side, run. */
void plan_nodes(const struct run_config *c, struct sbuf *sb);
/* "vllm bench serve ..." offering rate problems/s with the SLOs as --goodput. */
void plan_vllm_bench(const struct run_config *c, const char *model_id,
		     const struct capacity_opts *o, double rate, struct sbuf *sb);

#endif
