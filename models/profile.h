/*
 * profile.h: a hardware profile, the calibrated description of one GPU kind and its node.
 *
 * A profile is a YAML file (schema_version 1; every key with its unit, range and meaning is
 * a row of the schema table in profile.c: `ttsim profiles --schema`, and the table of
 * models/profiles/README.md generated from it). This comment is the one home of the
 * equations below. A profile holds a few physically meaningful parameters from which
 * models/cost.c predicts the time of any operator; calibration/ fits them from
 * microbenchmarks. Shipped profiles (models/profiles/<name>.yaml) are embedded in the
 * binary and addressable by name ("gh200", "h100_sxm", "h200_sxm", "a100_sxm"); any other
 * profile is read from a path.
 *
 * All times are seconds, rates per second, sizes bytes, in double.
 *
 * GEMM time model (one launch, y[m x n] = x[m x k] W, weights of wb bytes per element):
 *     t_c   = 2 m n k / (peak x eff_max x m/(m+m_half) x n/(n+nk_half) x k/(k+nk_half))
 *     t_m   = ((m k + m n) x 2 + n k x wb) / (hbm_bw x bw_eff)
 *     t     = floor + (t_c^s + t_m^s)^(1/s)          (s = smooth; large s -> max)
 * With sms > 0 (optional fields; absent or 0: the lines above, exactly), the GEMM runs as
 * output tiles of th x 128 (th = 64 rows for m <= 64, else 128) in waves over the SMs:
 *     tiles = ceil(m/th) ceil(n/128), waves = ceil(tiles/sms), q = tiles / (waves x sms)
 *     S     = max(1, min(sms/tiles, k/split_k))      (split-K; S = 1 when split_k = 0)
 *     t_c   = 2 ceil(m/th) th n k / (peak x eff) / q^wave_exp   (padded rows, idle SMs)
 *     t_m   = (t_m above + k_lat x k/S) x (1 + cta_half / (tiles x S))
 *     t     = floor + (row_time + act_time x k) x m + wave_time x waves + (t_c^s + t_m^s)^(1/s)
 *   (few CTAs cannot keep enough loads in flight to reach the bandwidth, a CTA's k-loop
 *   has a latency per step that split-K shortens, a wave of tiles costs its prologue and
 *   epilogue, and vLLM's fp8 path first quantises x per token in a kernel of its own)
 * Attention (per layer, per GPU):
 *     prefill: t = t0 + flops / (rate x s/(s+s_half) x d/(d+d_half))
 *                  + tokens x kv_heads x d x 4 / kv_bw + tile x seqs x kv_heads x ceil(q g / r)
 *              flops = 4 x heads x head_dim x causal pairs, s = 2 x pairs / tokens (the
 *              prompt length of a whole prefill), d = head_dim; s_half, d_half optional
 *              (0: the factor is 1): FlashAttention runs far below its peak on short rows
 *              and small heads. kv_bw, tile optional (0: no term): the K and V of every
 *              prompt token (bf16) move through memory once more (the paged-cache write),
 *              at kv_bw; and each query tile of r rows costs `tile` however few rows
 *              it holds: FA3 packs the g = heads / kv_heads query heads of one KV head
 *              into a tile, so a sequence of q new tokens launches kv_heads x ceil(q g / r)
 *              tiles (q = tokens / seqs in a step)
 *              tile_half optional (0: no factor): the rate also falls x n/(n+tile_half)
 *              with n = seqs x kv_heads x ceil(q g / r) tiles: fewer tiles than the SMs
 *              can hold leave part of the GPU idle
 *              wide_eff optional (0: no factor): past FA3's widest head dim (d > 256,
 *              PROFILE_FA_MAX_DIM) vLLM runs a fallback kernel; the rate x wide_eff
 *              r = 192 query rows at head dims up to 64 (FA3's hdim-64 kernel,
 *              PROFILE_ATTN_TILE_D64), else 128 (PROFILE_ATTN_TILE).
 *              With gemm_bf16.sms set (all optional, 0: no term):
 *              wave_exp: the tiles run in waves over the SMs, and a last wave that
 *              fills part of them lowers the rate x q^wave_exp, q = n / (ceil(n/sms)
 *              x sms), n the tiles above (as the GEMM's wave_exp)
 *              cache_round: before attention vLLM writes the new tokens' K and V into
 *              the paged cache (reshape_and_cache_flash): one CTA per token of
 *              min(512, kv_heads x d) threads, as many per SM as 2048 threads and 32
 *              CTAs allow (PROFILE_SM_THREADS, PROFILE_SM_CTAS); each round of
 *              sms x that many CTAs costs cache_round, a latency-bound copy:
 *              + cache_round x ceil(tokens / (sms x ctas_per_sm))
 *              mixed chunks (a step's chunks not all one length after one cached length;
 *              the lines above are for alike chunks, as calibrated): the FLOP term goes
 *              tile by tile. Chunk i of c_i new tokens and p_i pairs holds
 *              n_i = kv_heads x ceil(c_i g / r) tiles of w_i = (p_i + s_half x c_i / 2) / n_i
 *              pairs each (its own row-length factor, p_i (s_i + s_half) / s_i). All tiles
 *              advance together at the rate of as many alike tiles until the lightest
 *              finish, then the rest at the rate of fewer (processor sharing):
 *                t_flops = 4 x heads x d x sum_j (w_j - w_j+1) E(N_j) / (rate x d/(d+d_half))
 *              the chunks sorted by w descending (w_n+1 = 0), N_j the tiles of the j
 *              heaviest, E(N) = max(F(1), F(N)), F(N) = (N + tile_half) / q(N)^wave_exp
 *              (q as above; each factor 1 when absent; x wide_eff as above). Alike chunks
 *              keep the alike line (one phase, F(N) w without the max). The max: the
 *              fitted F falls below F(1) at few tiles (N alike tiles finish sooner than
 *              one), which a chunk joining another must not inherit, or more work would
 *              make a step faster (issue 14). The tile term takes sum n_i; kv_bw,
 *              cache_round and t0 as above, on the sums
 *     decode:  t = t0 + per_seq x seqs + kv_bytes / bw   kv_bytes = KV bytes read
 *              + dyn_seq x seqs where seqs <= 992 (PROFILE_FA_DYN_MAX_SEQS; optional):
 *              up to 992 sequences FA3 works out each one's KV splits in a kernel of its
 *              own (flash_api.cpp: use_dynamic_split)
 *              with cta, cta_dim or blk set (all 0: the lines above, exactly):
 *              t = t0 + per_seq x seqs + [split] + (w^2 + (kv_bytes / bw)^2)^(1/2)
 *              w = ceil(ctas / sms) x (cta + cta_dim x d + ceil(nblk / splits) x blk x d/128)
 *              FA3 runs one CTA per (sequence, KV head) and split, in waves over the
 *              SMs (sms = gemm_bf16.sms); each has a fixed cost (load Q, page table,
 *              write O) and its share of the nblk = ceil(ctx / seqs / 128) KV blocks of
 *              the mean context, work that a short KV stream cannot hide (the decode set
 *              knows only the sum of contexts and the count: a short sequence joining long
 *              ones lowers w, as may the split count; issue 14 bounds the fall by w). splits is
 *              FA3's own heuristic (num_splits_heuristic): 1 from 0.8 x sms pairs up,
 *              or for 4 blocks or fewer; else the fewest whose wave efficiency is
 *              within 85% of the best. ctas = seqs x kv_heads x splits; where
 *              splits > 1 the parts are merged in one more step costing `split`
 *              d > 256 with wide_t0 or wide_cta set: the fallback kernel instead,
 *              t = t0 + wide_t0 + per_seq x seqs + ((wide_cta x seqs x kv_heads)^2
 *                  + (kv_bytes / bw)^2)^(1/2)
 *              (its CTAs, one per (sequence, KV head), do not overlap in a first wave)
 *              l2_bytes, l2_bw: the fitter only, never the simulator. The benchmark
 *              re-reads one cache, so kv_bytes <= l2_bytes read warm at l2_bw; in
 *              serving each layer's cache is cold (weights and other layers stream
 *              through L2 in between), so models/cost.c always uses bw
 * All-reduce over n GPUs of B bytes (n = 2, 4, 8):
 *     nccl:   t = min(lat + b / busbw, ll128_lat + b / ll128_busbw,
 *                     simple_lat + b / simple_busbw)         b = B x 2(n-1)/n (bus bytes)
 *             one regime per NCCL protocol (LL, LL128, Simple): each trades latency for
 *             bandwidth and NCCL's tuner runs the one it predicts fastest; the LL128 and
 *             Simple pairs are optional (0: absent, t = lat + b / busbw)
 *     custom: t = min(car_lat + B / car_bw, car2_lat + B / car2_bw), only for
 *             B <= car_max_bytes (0 = not available): vLLM's one-stage kernel (each GPU
 *             reads all n buffers) and the optional two-stage one (reduce-scatter +
 *             all-gather), which vLLM switches to where it gets faster
 *     the engine uses the faster of the two that apply.
 * Fused MoE (one layer's routed experts on one GPU: vLLM's fused_moe from the router's
 * logits to the weighted sum, as aiconfigurator's MoE tables time it; sections moe_bf16,
 * moe_fp8, moe_mxfp4, optional). Of the GPU's E local experts, expert i is chosen by a
 * token with probability p_i; over T tokens it receives r_i = T p_i rows and is touched
 * with probability a_i = 1 - (1 - p_i)^T; a touched expert's x_i = r_i / a_i rows run in
 * tiles of b_i rows, b_i the smallest power of two from 16 that holds them, at most B
 * (vLLM's tuned configs grow BLOCK_SIZE_M with the tokens):
 *     R     = sum_i a_i b_i ceil(x_i / b_i)            (padded rows)
 *     t_c   = 2 R x 3 h f / (peak x eff)               (gate-up 2f x h, down h x f)
 *     t_m   = (sum_i a_i x 3 h f x wb + 2 T' (3 f + 2 h)) / (hbm_bw x bw_eff)
 *             + expert_t x A                           (A = sum a_i over all the layer's
 *                                                       experts, every GPU's)
 *     t_s   = 2 S (3 f + 2 h) / (hbm_bw x slot_bw_eff)     (S = T top_k token slots)
 *     t     = t0 + max(t_c, t_m) + t_s
 * t_s: vLLM's activation (silu_and_mul) and weighted sum (moe_sum) run over the caches of
 * all T top_k slots, those of other GPUs' experts too (expert parallelism leaves them empty
 * but there), and the block alignment sorts them all; likewise its grid spans every
 * expert's tiles, the others' exiting at once (expert_t x A). h the hidden size,
 * f the expert's intermediate size on the GPU (MXFP4: in vLLM's padded layout), wb the
 * expert weight's bytes per element, T' = sum_i r_i, peak the GEMM model's peak of the
 * datatype that multiplies (bf16 for mxfp4, which dequantises). The fit (calibration/
 * moe_fit.h) reads B on a grid (16, 32, 64, 128).
 * Every kernel costs at least its launch: launch_graph inside a CUDA graph (decode-only
 * steps of at most graph_max_seqs sequences), launch_eager otherwise.
 * Eager mode (cuda_graphs false) waits for the host too: a forward takes the longer of its
 * GPU time and host_op_eager x the ops the host issues (models/cost.c, cost_host_ops).
 * Per engine step, the CPU adds step_base + step_per_seq x seqs + step_per_tp x (tp-1)
 * (+ step_per_ctx_token x the decoding sequences' KV tokens, from an engine profile).
 *
 * Optional `uncertainty:` block: dotted field path -> relative standard error of a fitted
 * parameter (e.g. `gemm_bf16.eff_max: 0.04`), as a fitter reports it from its parameter
 * covariance (diagonal). `ttsim run --profile-uncertainty` samples each such parameter from
 * a normal with that relative error (profile_perturb) to widen its intervals.
 */
#ifndef TTSIM_PROFILE_H
#define TTSIM_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#define PROFILE_SCHEMA_VERSION 1
#define PROFILE_MAX_AR 4 /* all-reduce entries: 2, 4, 8 GPUs (and one spare) */
#define PROFILE_MAX_UNC 128 /* entries of the optional uncertainty block (a fit writes ~75) */
#define PROFILE_ATTN_TILE 128 /* query rows of one FlashAttention-3 prefill tile */
#define PROFILE_ATTN_TILE_D64 192 /* ... of FA3's kernel for head dims up to 64 */
#define PROFILE_FA_KV_BLOCK 128 /* KV tokens per block of one FlashAttention-3 decode CTA */
#define PROFILE_CACHE_THREADS 512 /* most threads of one reshape_and_cache_flash CTA (vLLM) */
#define PROFILE_SM_THREADS 2048 /* resident threads per SM (Ampere, Hopper) */
#define PROFILE_SM_CTAS 32      /* resident CTAs per SM (Ampere, Hopper) */
#define PROFILE_FA_MAX_DIM 256 /* largest head dim FlashAttention-3 runs; wider ones fall back */
#define PROFILE_FA_DYN_MAX_SEQS 992 /* largest batch FA3 plans splits per sequence for */

struct gemm_model {
	double peak;     /* FLOP/s: dense peak of the datatype */
	double eff_max;  /* fraction of peak reached by large GEMMs (0..1] */
	double m_half;   /* tokens at which m-efficiency is one half */
	double nk_half;  /* features at which n- and k-efficiency are one half */
	double bw_eff;   /* fraction of hbm_bw reached when streaming weights (0..1] */
	double floor;    /* s: fixed time of one launch on the GPU */
	double smooth;   /* blend exponent between the compute and memory terms (>= 1) */
	/* optional (0 = absent): tiles, waves and split-K, used only when sms > 0 */
	double sms;       /* streaming multiprocessors (a hardware fact, from the base) */
	double cta_half;  /* CTAs at which streaming weights reaches half of bw_eff */
	double wave_exp;  /* exponent of the wave-quantisation efficiency on t_c */
	double wave_time; /* s per wave of output tiles (tile prologue and epilogue) */
	double row_time;  /* s per row of x (per token: fp8 quantises activations per token) */
	double k_lat;     /* s per element of k a CTA reduces serially (k-loop latency) */
	double split_k;   /* k of one split when the library splits k over idle SMs (0: never) */
	double act_time;  /* s per element of x (fp8: the pass that quantises activations) */
};

/* Prefill attention of one layer (the "prefill:" lines above; YAML keys attention.prefill_*) */
struct attn_prefill_model {
	double t0;       /* s per layer launch */
	double rate;     /* FLOP/s reached by prefill attention (asymptote) */
	/* optional (0: absent) */
	double s_half;   /* tokens: row length at which the rate is halved */
	double d_half;   /* head dim at which the rate is halved */
	double kv_bw;    /* bytes/s of the prompt tokens' K and V traffic */
	double tile;     /* s per query tile (192 or 128 rows), GQA-packed */
	double tile_half;/* query tiles at which the rate halves */
	double wide_eff; /* fraction of the rate the fallback kernel past PROFILE_FA_MAX_DIM reaches */
	/* optional (0: absent), with gemm_bf16.sms: waves of tiles, and the paged-cache write */
	double wave_exp;    /* exponent of a part-filled last wave's efficiency */
	double cache_round; /* s per round of reshape_and_cache_flash's CTAs */
};

/* Decode attention of one layer (the "decode:" lines above; YAML keys attention.decode_*) */
struct attn_decode_model {
	double t0;       /* s per layer launch */
	double per_seq;  /* s per sequence in the batch */
	double bw;       /* bytes/s reached reading the KV cache */
	/* optional (0: absent); cta, cta_dim and blk need gemm_bf16.sms */
	double cta;      /* s: fixed cost of one CTA in a wave */
	double cta_dim;  /* s per CTA per head-dim element */
	double blk;      /* s per 128-token KV block of one CTA at head dim 128 */
	double split;    /* s of the split-KV merge where FA3 splits */
	double dyn_seq;  /* s per sequence of FA3's split planning, <= 992 sequences */
	double wide_t0;  /* s added to t0 per launch past PROFILE_FA_MAX_DIM */
	double wide_cta; /* s per (sequence, KV head) of that fallback kernel, no wave overlaps */
	/* optional (0: absent), measurement setup only: the decode benchmark re-reads one KV
	 * cache, so one that fits in L2 is read warm. The fit describes those rows with it;
	 * the simulator never applies it (in serving each layer's cache is cold). */
	double l2_bytes; /* bytes of L2 (hardware fact, from the base profile) */
	double l2_bw;    /* bytes/s reading a cache warm from L2 */
};

struct allreduce_model {
	int n_gpus;           /* 2, 4 or 8; 0 marks an unused slot */
	double lat;           /* s: NCCL small-message latency */
	double busbw;         /* bytes/s: NCCL bus bandwidth for large messages */
	double car_lat;       /* s: custom all-reduce latency (0 if none) */
	double car_bw;        /* bytes/s: custom all-reduce algorithm bandwidth */
	double car_max_bytes; /* bytes: largest message the custom all-reduce takes */
	/* optional (0: absent): NCCL's other protocols and vLLM's two-stage kernel; with
	 * them, lat/busbw describe NCCL's LL protocol and car_lat/car_bw the one-stage kernel */
	double ll128_lat;     /* s: NCCL LL128 protocol latency */
	double ll128_busbw;   /* bytes/s: NCCL LL128 bus bandwidth */
	double simple_lat;    /* s: NCCL Simple protocol latency */
	double simple_busbw;  /* bytes/s: NCCL Simple bus bandwidth */
	double car2_lat;      /* s: custom all-reduce two-stage latency */
	double car2_bw;       /* bytes/s: custom all-reduce two-stage algorithm bandwidth */
};

/* The network between nodes (YAML section `network`, all optional: absent, a layout over
 * several nodes is refused). One NIC per GPU (GH200 quad nodes over Slingshot-11, HGX
 * H100/H200 over InfiniBand: rail-optimised); the collectives over nodes (models/comm.c):
 *     net(moved, steps) = min(steps x lat + moved / bw, steps x simple_lat + moved / simple_bw)
 * with `moved` the bytes one NIC carries and `steps` the inter-node hops in sequence; the
 * all-reduce of B bytes over N nodes of g GPUs each runs as NCCL's hierarchy does: inside
 * each node (the g-GPU all-reduce model), then across the nodes on every GPU's own NIC with
 * a 1/g shard:
 *     t = allreduce_g(B) + net(2 (N-1)/N x B/g, 2 (N-1))
 * bw is an effective rate fitted with that sum, not the line rate: NCCL overlaps the two
 * parts, which the fit folds into bw. */
struct network_model {
	double lat;        /* s: one inter-node step, NCCL's low-latency protocol */
	double bw;         /* bytes/s per GPU (its NIC) in that protocol */
	double simple_lat; /* s: one inter-node step of the Simple protocol (0: absent) */
	double simple_bw;  /* bytes/s per GPU in the Simple protocol */
};

/* One fused-MoE layer's routed experts (YAML sections moe_bf16, moe_fp8, moe_mxfp4; all
 * optional: absent, models/cost.c falls back to the grouped GEMM of the GEMM model). The
 * equation is in the comment at the top of this file ("Fused MoE"). */
struct moe_model {
	double t0;     /* s: fixed time of the layer (routing, align, the two GEMMs' tails, sum) */
	double eff;    /* fraction of the GEMM peak the padded rows' FLOPs run at */
	double bw_eff; /* fraction of hbm_bw the touched experts' weights stream at */
	double block;  /* rows: each expert's rows are padded to a multiple of it */
	double slot_bw_eff; /* fraction of hbm_bw of the passes over every token's top_k rows */
	double expert_t; /* s per touched expert, with its weights (its tiles' fixed cost) */
	/* optional: the measured table the fit was made on (models/moe_table.h): a shape of
	 * a run found in it exactly is costed from its latencies, not the fit ("" none);
	 * profile_parse checks that it exists, models/cost.c parses it on first use */
	char table[160];
};

/* MLA decode (YAML sections mla_bf16, mla_fp8 by the KV cache's dtype; optional): one
 * layer's absorbed decode (the W_UK and W_UV bmms, the latent-cache write, the attention
 * kernel over the kv_lora + qk_rope latents) as aiconfigurator's generation_mla tables time
 * vLLM 0.14.0's (models/mla_table.h), for s sequences of c cached tokens, H heads on the GPU:
 *     t = t0 + seq_head x s x H + max(bytes / (hbm_bw x bw_eff), flops / gemm_bf16.peak)
 *     bytes = s x c x (kv_lora + qk_rope) x KV bytes, flops = 2 H s c (2 kv_lora + qk_rope)
 * fitted by `ttsim calibrate mla` on the table's kernel-bound points; where the run's shape
 * and point are in the table (`table:`), models/cost.c takes the measured latency instead.
 * Absent: the FA3 decode model's terms and bmm GEMMs (cost.c, mla_decode). */
struct mla_model {
	double t0;       /* s: fixed time of the layer's decode */
	double seq_head; /* s per (sequence, head): the bmms and the query's handling */
	double bw_eff;   /* fraction of hbm_bw the latent cache streams at (0: no section) */
	char table[160]; /* the measured table ("" none) */
};

/* DeepEP all-to-all (YAML sections deepep_8, deepep_16, deepep_32, deepep_64: EP ranks, 8 a
 * node; optional): one dispatch or combine of T tokens a rank, B = T x top_k x hidden x 2
 * bytes (each token's bf16 copy per chosen expert, DeepEP's count), takes lat + B / bw, in
 * the low-latency kernels (ll_*, decode) or the normal ones (normal_*, prefill; DeepEP's
 * default 20 SMs, notify and transmit together), fitted by `ttsim calibrate deepep` on
 * aiconfigurator's SGLang DeepEP tables. bw is an effective rate of that count, not a link's.
 * Used for expert-parallel all-to-alls only where `ep_alltoall: deepep` says so (absent:
 * NCCL's, models/comm.c) and the section for the run's rank count is there. */
struct deepep_model {
	double ll_dispatch_lat, ll_dispatch_bw, ll_combine_lat, ll_combine_bw;
	double normal_dispatch_lat, normal_dispatch_bw, normal_combine_lat, normal_combine_bw;
};
#define PROFILE_DEEPEP_N 4 /* 8, 16, 32, 64 ranks */

struct profile {
	int schema_version;
	char name[48];       /* "gh200" */
	char gpu[96];        /* "NVIDIA GH200 96GB HBM3" */
	char source[512];    /* one line: where the numbers come from (details in the YAML) */
	int gpus_per_node;   /* GPUs in one node */
	char topology[32];   /* "nvswitch", "pairwise-nvlink", "pcie" */
	double hbm_bytes;    /* bytes of HBM per GPU */
	double hbm_bw;       /* bytes/s: peak HBM bandwidth per GPU */
	struct gemm_model gemm_bf16, gemm_fp8;
	struct attn_prefill_model attn_prefill;
	struct attn_decode_model attn_decode;
	/* optional (all 0 when absent; YAML section attention_trtllm, the keys of attention):
	 * the same two models fitted to TensorRT-LLM's own attention kernels (its context
	 * FMHA and XQA decode, aiconfigurator's trtllm tables), which an engine profile with
	 * `attention_kernels: trtllm` runs in place of the two above (sim/run.c); either part
	 * may be absent (prefill_rate or decode_bw 0: that phase keeps the section above) */
	struct attn_prefill_model attn_prefill_trtllm;
	struct attn_decode_model attn_decode_trtllm;
	double ew_bw;              /* bytes/s of elementwise kernels (norms, rope, activation) */
	struct allreduce_model ar[PROFILE_MAX_AR];
	struct network_model net;  /* between nodes; all 0 when absent */
	double launch_eager;       /* s: minimum time of one kernel launched eagerly */
	double launch_graph;       /* s: minimum time of one kernel replayed in a CUDA graph */
	int graph_max_seqs;        /* largest decode batch captured in CUDA graphs */
	double host_op_eager;      /* s: host (CPU) time to issue one op of an eager forward
	                              (Python module, dispatcher, custom-op wrapper); 0: eager
	                              steps are not host-bound (models/cost.c, cost_host_ops) */
	double step_base;          /* s: CPU time per engine step (schedule, prepare, sample) */
	double step_per_seq;       /* s: CPU time per sequence in the step */
	double step_per_tp;        /* s: CPU time per extra tensor-parallel worker */
	double step_per_ctx_token; /* s: CPU time per KV token the step's decoding sequences
	                              hold; 0 in every hardware profile (no YAML key): only an
	                              engine profile sets it (engine_profile.h, per_ctx_token_s) */
	double mem_reserved_bytes; /* bytes per GPU outside weights and KV (context, graphs) */
	double power_idle_w;       /* W per GPU when idle */
	double power_busy_w;       /* W per GPU while stepping */
	double usd_per_gpu_hour;   /* price of one GPU-hour */
	/* optional (all 0 when absent): fused-MoE kernels by expert datatype; fp8 is
	 * block-scaled W8A8 (native fp8 GPUs), mxfp4 the weight-only Triton (matmul_ogs) kernel */
	struct moe_model moe_bf16, moe_fp8, moe_mxfp4;
	/* optional (all 0 when absent): MLA decode by KV dtype (struct mla_model) */
	struct mla_model mla_bf16, mla_fp8;
	/* optional (all 0 when absent): DeepEP dispatch and combine at 8 << i ranks, and
	 * whether expert-parallel all-to-alls use them ("deepep") or NCCL's ("" or "nccl") */
	struct deepep_model deepep[PROFILE_DEEPEP_N];
	char ep_alltoall[16];
	/* optional: relative standard errors of fitted parameters (0 entries when absent) */
	int n_unc;
	struct {
		char path[48]; /* dotted key path of a numeric field, "gemm_bf16.eff_max" */
		double rel;    /* relative standard error (0.05 = 5%) */
	} unc[PROFILE_MAX_UNC];
};

/* --- the schema: one row per key ------------------------------------------------------
 * models/profile.c holds one table of every key (after Redis's static_configs[]): the YAML
 * path, the field, unit, range, whether it is optional or needs the SM count, a one-line
 * meaning, and how calibration/fit.c fits it. The parser, the range checks, the writer,
 * `ttsim profiles --schema` (and models/profiles/README.md's table, generated from it) and
 * the fitter's attention parameters all walk it. Adding a parameter: its field in a struct
 * above (with its units), its row there, its equation in the comment at the top of this
 * file, its use in models/cost.c, and the README's table regenerated
 * (`ttsim profiles --schema --format markdown`; tests/cli/schema.sh diffs them). */
enum profile_type { PROFILE_INT, PROFILE_DBL, PROFILE_STR, PROFILE_LIST };
enum {
	PROFILE_OPT = 1,      /* optional: absent means 0 (the term is off); 0 is not written */
	PROFILE_SMS = 2,      /* nonzero only with the SM count (profile_key_sms) */
	PROFILE_MIN_OPEN = 4, /* the range excludes min (min < v) */
	PROFILE_MAX_OPEN = 8, /* the range excludes max (v < max) */
	PROFILE_WHOLE = 16,   /* a whole number */
};
/* Which fit sets a key (calibration/fit.c), how it encodes it so that it stays in its
 * range (x > 0 fitted as log x, x > 1 as log(x - 1), a fraction as its logit), and when
 * the rows identify it (always; with the SM count; 3+ rows past FA3's widest head dim;
 * 3+ decode batches on each side of 992; 3+ decode caches on each side of the L2 size). */
enum profile_fit_fam { PROFILE_FIT_NONE, PROFILE_FIT_GEMM, PROFILE_FIT_PREFILL, PROFILE_FIT_DECODE };
enum profile_fit_enc { PROFILE_ENC_POS, PROFILE_ENC_GT1, PROFILE_ENC_FRAC };
enum profile_fit_when {
	PROFILE_WHEN_ALWAYS, PROFILE_WHEN_SMS, PROFILE_WHEN_WIDE, PROFILE_WHEN_DYN, PROFILE_WHEN_WARM
};

struct profile_key {
	const char *key;      /* dotted YAML path, "attention.decode_bw"; all-reduce keys: "lat" */
	enum profile_type type;
	size_t off;           /* in struct profile (all-reduce keys: in struct allreduce_model) */
	size_t size;          /* PROFILE_STR: buffer size */
	unsigned flags;       /* PROFILE_OPT, PROFILE_SMS, ... */
	double min, max;      /* numbers: profile_validate's range (PROFILE_*_OPEN) */
	const char *unit;     /* "s", "bytes/s", "FLOP/s", "1" (a fraction), "-" (text) */
	const char *meaning;  /* one line, for --schema and the README */
	struct {
		enum profile_fit_fam fam; /* NONE: not fitted here (by hand, or a fit of its own) */
		enum profile_fit_enc enc;
		enum profile_fit_when when;
		int scaled;   /* --scale-bw-from scales it: an HBM bandwidth */
		double start; /* where the fit starts (0: twice the base's hbm_bw) */
	} fit;
};

/* The keys of a profile in YAML order (one PROFILE_LIST row, "allreduce", stands for the
 * list), and the keys of one all-reduce entry. n: the number of rows. */
const struct profile_key *profile_keys(size_t *n);
const struct profile_key *profile_ar_keys(size_t *n);
/* The key giving the SM count a PROFILE_SMS key needs: its own section's `sms` where it has
 * one ("gemm_fp8.sms"), else "gemm_bf16.sms". Written into buf (n bytes). */
const char *profile_key_sms(const struct profile_key *k, char *buf, size_t n);
/* The key's range as text, "(0, 1]" or "[0, 0.001]" ("-" for text and the list). */
const char *profile_key_range(const struct profile_key *k, char *buf, size_t n);

/* Whether the GPU multiplies fp8 natively (fp8 tensor cores: SM89/SM90 and newer), read
 * from the profile's GEMM models: an fp8 peak above bf16's. What decides vLLM's kernels for
 * weights the GPU cannot multiply (weight-only fp8, MXFP4 backend). */
static inline int profile_fp8_native(const struct profile *p)
{
	return p->gemm_fp8.peak > p->gemm_bf16.peak;
}

/* Load NAME: a shipped profile name, or a path to a YAML file. 0, or -1 with err_set
 * naming the file, line and key. Unknown keys are errors. */
int profile_load(struct profile *p, const char *name);
/* Parse YAML text (fname for messages). */
int profile_parse(struct profile *p, const char *text, size_t len, const char *fname);
/* Check every field is present, positive and plausible; 0 or -1 with err_set. */
int profile_validate(const struct profile *p, const char *fname);
/* Time attention by the attention_trtllm section (TensorRT-LLM's kernels): each part the
 * profile has replaces the attention section's, and its relative errors replace theirs in
 * the uncertainty list. Returns the parts taken, PROFILE_ATTN_PREFILL | PROFILE_ATTN_DECODE
 * (0: none, the attention section stays). */
enum { PROFILE_ATTN_PREFILL = 1, PROFILE_ATTN_DECODE = 2 };
unsigned profile_use_trtllm_attention(struct profile *p);
/* Write the profile as YAML (schema_version 1); 0 or -1 with err_set. */
int profile_write(const struct profile *p, FILE *f);
/* The same, with `header` (comment lines; NULL: the default one) first and, after each
 * value, the comment note(path, ctx) gives for its dotted path ("gemm_bf16.eff_max",
 * "allreduce.8.lat"; NULL: none). The fitter marks what it fitted this way. */
typedef const char *(*profile_note_fn)(const char *path, void *ctx);
int profile_write_notes(const struct profile *p, FILE *f, const char *header,
			profile_note_fn note, void *ctx);
/* Scale each parameter of the uncertainty block by (1 + rel x z[i]), z[i] a standard
 * normal draw per entry (n_unc of them), clipped to stay above a tenth of its value. */
void profile_perturb(struct profile *p, const double *z);
/* The all-reduce model for n GPUs, or NULL if the profile has none for n. */
const struct allreduce_model *profile_allreduce(const struct profile *p, int n_gpus);
/* Names of the shipped profiles. */
size_t profile_builtin_count(void);
const char *profile_builtin_name(size_t i);

#endif
