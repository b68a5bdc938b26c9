/*
 * profile.c: read, check and write hardware profiles (models/profile.h).
 *
 * One table (after Redis's static_configs[]), fields[], is the schema: every YAML key path,
 * its type, the struct field it fills, its unit, range, whether it is optional or needs the
 * SM count, its meaning and how calibration/fit.c fits it. The parser, the missing-key
 * check, profile_validate's ranges, the writer, `ttsim profiles --schema` and the fitter
 * all walk it; ar_fields[] is the same for one all-reduce entry. Its order is the order
 * the writer emits (and the shipped YAMLs hold) the keys, and the order a fit holds its
 * parameters in. The YAML is read with libyaml's document API; each error names the file,
 * the line (mark + 1) and the dotted key path. This file computes nothing about time.
 */
#include "models/profile.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "lib/assets.h"
#include "lib/util.h"
#include "lib/ydoc.h"

/* NOLINTBEGIN(bugprone-macro-parentheses): f is a member designator for offsetof */
#define ROW(path, type, f, flags, min, max, unit, meaning) \
	{path, type, offsetof(struct profile, f), 0, flags, min, max, unit, meaning, {0}}
#define FITROW(path, f, flags, min, max, unit, meaning, fam, enc, when, scaled, start)       \
	{path, PROFILE_DBL, offsetof(struct profile, f), 0, flags, min, max, unit, meaning,     \
	 {PROFILE_FIT_##fam, PROFILE_ENC_##enc, PROFILE_WHEN_##when, scaled, start}}
#define STR(path, f, meaning) \
	{path, PROFILE_STR, offsetof(struct profile, f), sizeof(((struct profile *)0)->f), 0, 0, 0, "-", meaning, {0}}
#define GT0 PROFILE_MIN_OPEN /* (0, max ...: a positive number */
#define OPT PROFILE_OPT
#define OSMS (PROFILE_OPT | PROFILE_SMS)
#define GROW(sec, g, f, flags, min, max, unit, meaning, enc) \
	FITROW(sec "." #f, g.f, flags, min, max, unit, meaning, GEMM, enc, ALWAYS, 0, 0)
/* the rows of one GEMM model, struct gemm_model g; its fit starts from the data (fit.c) */
#define GEMM(sec, g)                                                                              \
	{sec ".peak", PROFILE_DBL, offsetof(struct profile, g.peak), 0, 0, 1e12, 1e17, "FLOP/s",    \
	 "dense tensor-core peak of the datatype (a datasheet fact, from the base)", {0}},          \
	GROW(sec, g, eff_max, GT0, 0, 1, "1", "fraction of peak approached by large GEMMs", FRAC),    \
	GROW(sec, g, m_half, PROFILE_MAX_OPEN, 0, 1e6, "tokens",                                      \
	     "m at which the m-efficiency factor m/(m+m_half) is 1/2", POS),                       \
	GROW(sec, g, nk_half, PROFILE_MAX_OPEN, 0, 1e6, "features", "the same for n and k", POS),     \
	GROW(sec, g, bw_eff, GT0, 0, 1, "1", "fraction of hbm_bw reached streaming weights", FRAC),   \
	GROW(sec, g, floor, PROFILE_MAX_OPEN, 0, 1e-3, "s", "fixed time per GEMM launch on the GPU", POS), \
	GROW(sec, g, smooth, 0, 1, 64, "1",                                                           \
	     "exponent s blending compute and memory time: (t_c^s + t_m^s)^(1/s)", GT1),           \
	ROW(sec ".sms", PROFILE_DBL, g.sms, OPT | PROFILE_WHOLE, 0, 4096, "SMs",                   \
	    "streaming multiprocessors (a hardware fact, set in the base, not fitted); turns on "  \
	    "the tile terms, which need it: tiles of th x 128 outputs (th = 64 rows for m <= 64, " \
	    "else 128) in waves = ceil(tiles/sms); absent or 0: none of them"),                    \
	GROW(sec, g, cta_half, OSMS, 0, 1e6, "CTAs",                                                  \
	     "the memory time x (1 + cta_half / (tiles x S)): few CTAs cannot keep enough loads "  \
	     "in flight to reach bw_eff", POS),                                                    \
	GROW(sec, g, wave_exp, OSMS, 0, 8, "1",                                                       \
	     "t_c / q^wave_exp, q = tiles / (waves x sms), the busy fraction of the SMs over the " \
	     "waves (t_c also counts m padded to whole tiles)", POS),                              \
	GROW(sec, g, wave_time, OSMS, 0, 1e-3, "s", "time per wave of tiles (tile prologue and epilogue)", POS), \
	GROW(sec, g, row_time, OSMS, 0, 1e-3, "s",                                                    \
	     "time per row of x (per token); vLLM's fp8 path quantises x per token in a kernel of " \
	     "its own", POS),                                                                      \
	GROW(sec, g, k_lat, OSMS, 0, 1e-3, "s",                                                       \
	     "latency per element of k of a CTA's serial k-loop, k_lat x k / S added to the "      \
	     "memory time", POS),                                                                  \
	GROW(sec, g, split_k, OSMS, 0, 1e12, "elements",                                              \
	     "the library splits k over idle SMs, S = max(1, min(sms/tiles, k/split_k)) splits; "  \
	     "0: never (S = 1)", POS),                                                             \
	GROW(sec, g, act_time, OSMS, 0, 1e-6, "s",                                                    \
	     "time per element of x (m x k), the fp8 quantisation pass over the activations", POS)
/* the rows of one fused-MoE model (profile.h, "Fused MoE"): fitted by `ttsim calibrate moe`
 * on its own; eff, bw_eff, block and slot_bw_eff or none, t0 and expert_t optional
 * (absent 0: the writer leaves a fitted 0 out; check_moe_keys) */
#define MOE(sec, g)                                                                              \
	ROW(sec ".t0", PROFILE_DBL, g.t0, OPT | PROFILE_MAX_OPEN, 0, 1e-2, "s",                     \
	    "fixed time of one fused-MoE layer (routing, block alignment, the weighted sum); "     \
	    "absent section: the grouped GEMM of the GEMM model"),                                 \
	ROW(sec ".eff", PROFILE_DBL, g.eff, OPT, 0, 1, "1",                                          \
	    "fraction of the GEMM peak at which the padded expert rows' FLOPs run"),              \
	ROW(sec ".bw_eff", PROFILE_DBL, g.bw_eff, OPT, 0, 1, "1",                                    \
	    "fraction of hbm_bw at which the touched experts' weights stream"),                   \
	ROW(sec ".block", PROFILE_DBL, g.block, OPT | PROFILE_WHOLE, 0, 1024, "rows",                \
	    "each expert's rows are padded to a multiple of it (moe_align_block_size)"),          \
	ROW(sec ".slot_bw_eff", PROFILE_DBL, g.slot_bw_eff, OPT, 0, 1, "1",                          \
	    "fraction of hbm_bw of the activation and weighted-sum passes over all T x top_k "     \
	    "token slots"),                                                                        \
	ROW(sec ".expert_t", PROFILE_DBL, g.expert_t, OPT | PROFILE_MAX_OPEN, 0, 1e-3, "s",          \
	    "per touched expert, added to the weights' streaming time (its tiles' fixed cost)"), \
	{sec ".table", PROFILE_STR, offsetof(struct profile, g.table),                             \
	 sizeof(((struct profile *)0)->g.table), OPT, 0, 0, "-",                                   \
	 "measured table (aiconfigurator moe_perf CSV: embedded asset or file) whose exact "       \
	 "shapes are costed from their latencies, interpolated over the tokens "                   \
	 "(models/moe_table.h); absent: the fit everywhere", {0}}
/* the rows of one MLA decode model (profile.h, "MLA decode"): fitted by `ttsim calibrate
 * mla`; bw_eff required once any key is there (check_mla_keys), t0 and seq_head absent 0 */
#define MLA(sec, g)                                                                              \
	ROW(sec ".t0", PROFILE_DBL, g.t0, OPT | PROFILE_MAX_OPEN, 0, 1e-2, "s",                     \
	    "fixed time of one layer's MLA decode (absent section: the FA3 decode model's)"),     \
	ROW(sec ".seq_head", PROFILE_DBL, g.seq_head, OPT | PROFILE_MAX_OPEN, 0, 1e-5, "s",          \
	    "per sequence and head on the GPU (the absorbed bmms, the query's handling)"),        \
	ROW(sec ".bw_eff", PROFILE_DBL, g.bw_eff, OPT, 0, 1, "1",                                    \
	    "fraction of hbm_bw at which the latent cache (kv_lora + qk_rope elements per "       \
	    "cached token) streams"),                                                              \
	{sec ".table", PROFILE_STR, offsetof(struct profile, g.table),                             \
	 sizeof(((struct profile *)0)->g.table), OPT, 0, 0, "-",                                   \
	 "measured table (aiconfigurator generation_mla_perf CSV: embedded asset or file) whose "  \
	 "kernel-bound points are costed from their latencies (models/mla_table.h); absent: the " \
	 "fit everywhere", {0}}
/* the rows of one DeepEP section (profile.h, "DeepEP all-to-all"): fitted by `ttsim
 * calibrate deepep`; all eight or none (check_deepep_keys) */
#define DEEPEP_ROW(sec, g, f, lat)                                                                \
	ROW(sec "." #f, PROFILE_DBL, g.f, OPT | PROFILE_MAX_OPEN, 0, (lat) ? 1e-2 : 1e13,             \
	    (lat) ? "s" : "bytes/s",                                                               \
	    (lat) ? "fixed time of one DeepEP dispatch or combine at this rank count"              \
		  : "bytes (tokens x top_k x hidden x 2) a second, effective")
#define DEEPEP(sec, g)                                                                            \
	DEEPEP_ROW(sec, g, ll_dispatch_lat, 1), DEEPEP_ROW(sec, g, ll_dispatch_bw, 0),             \
	DEEPEP_ROW(sec, g, ll_combine_lat, 1), DEEPEP_ROW(sec, g, ll_combine_bw, 0),               \
	DEEPEP_ROW(sec, g, normal_dispatch_lat, 1), DEEPEP_ROW(sec, g, normal_dispatch_bw, 0),     \
	DEEPEP_ROW(sec, g, normal_combine_lat, 1), DEEPEP_ROW(sec, g, normal_combine_bw, 0)
/* the rows of the optional attention_trtllm section: attention's keys (profile.h), not
 * fitted by `calibrate fit` itself (calibration/trtllm_profiles.sh fits them as attention
 * and moves them here); the prefill part with prefill_rate, the decode part with
 * decode_bw, each or neither (check_trtllm_keys) */
#define TRT_PRE(k, unit)                                                                          \
	ROW("attention_trtllm.prefill_" #k, PROFILE_DBL, attn_prefill_trtllm.k, OPT, 0, INFINITY,   \
	    unit, "as attention.prefill_" #k ", for TensorRT-LLM's own kernels")
#define TRT_DEC(k, unit)                                                                          \
	ROW("attention_trtllm.decode_" #k, PROFILE_DBL, attn_decode_trtllm.k, OPT, 0, INFINITY,     \
	    unit, "as attention.decode_" #k ", for TensorRT-LLM's own kernels")
#define PRE(k, flags, max, unit, meaning, enc, when, scaled, start)                             \
	FITROW("attention.prefill_" #k, attn_prefill.k, flags, 0, max, unit, meaning, PREFILL, enc, \
	       when, scaled, start)
#define DEC(k, flags, max, unit, meaning, enc, when, scaled, start)                            \
	FITROW("attention.decode_" #k, attn_decode.k, flags, 0, max, unit, meaning, DECODE, enc, \
	       when, scaled, start)
/* NOLINTEND(bugprone-macro-parentheses) */

/* Every key, in the order the writer emits them (and the shipped YAMLs hold them). The
 * attention rows also say where calibration/fit.c starts each parameter, and when the
 * rows identify it; x of a family's fit holds them in this order. */
static const struct profile_key fields[] = {
	ROW("schema_version", PROFILE_INT, schema_version, 0, 1, 1, "-", "1"),
	STR("name", name, "short name, the file's stem (`h100_sxm`)"),
	STR("gpu", gpu, "marketing name as nvidia-smi prints it"),
	STR("source", source, "one line: where the numbers come from"),
	ROW("node.gpus_per_node", PROFILE_INT, gpus_per_node, 0, 1, 72, "GPUs",
	    "GPUs in one node (TP stays inside a node)"),
	STR("node.topology", topology, "`nvswitch`, `pairwise-nvlink` or `pcie`"),
	ROW("memory.hbm_bytes", PROFILE_DBL, hbm_bytes, 0, 1e9, 1e13, "bytes", "HBM per GPU"),
	ROW("memory.hbm_bw", PROFILE_DBL, hbm_bw, 0, 1e10, 1e14, "bytes/s",
	    "peak HBM bandwidth per GPU"),
	ROW("memory.reserved_bytes", PROFILE_DBL, mem_reserved_bytes, 0, 0, 1e13, "bytes",
	    "per GPU, not available to weights or KV (CUDA context, graphs, NCCL); below hbm_bytes"),
	GEMM("gemm_bf16", gemm_bf16),
	GEMM("gemm_fp8", gemm_fp8),
	PRE(t0, PROFILE_MAX_OPEN, 1e-3, "s", "per layer launch of prefill attention",
	    POS, ALWAYS, 0, 1e-5),
	PRE(rate, GT0, 1e17, "FLOP/s", "asymptotic rate over 4 x heads x head_dim x causal pairs",
	    POS, ALWAYS, 0, 6e14),
	PRE(s_half, OPT, INFINITY, "tokens",
	    "row length at which the rate is halved, x s/(s+s_half), s = 2 x pairs / tokens "
	    "(a whole prompt's length)", POS, ALWAYS, 0, 1000),
	PRE(d_half, OPT, INFINITY, "head dim", "head dim at which the rate is halved, x d/(d+d_half)",
	    POS, ALWAYS, 0, 32),
	DEC(t0, PROFILE_MAX_OPEN, 1e-3, "s", "per layer launch of decode attention",
	    POS, ALWAYS, 0, 1e-5),
	DEC(per_seq, PROFILE_MAX_OPEN, 1e-3, "s", "per sequence in the batch", POS, ALWAYS, 0, 1e-8),
	DEC(bw, GT0, 1e14, "bytes/s", "reading the KV cache", POS, ALWAYS, 1, 3e12),
	/* an HBM term once the cache write's CTA rounds are apart: H200 (1.43x the HBM
	 * bandwidth of H100) fits 1.39x of it */
	PRE(kv_bw, OPT, INFINITY, "bytes/s",
	    "the K and V of every prompt token (kv_heads x head_dim x 4 bytes, bf16) move through "
	    "memory once more (the paged-cache write): + tokens x kv_heads x head_dim x 4 / kv_bw",
	    POS, ALWAYS, 1, 1e12),
	PRE(tile, OPT, 1e-3, "s",
	    "per query tile of r rows (192 at head dims up to 64, else 128), however few it holds; "
	    "a sequence of q new tokens launches kv_heads x ceil(q x heads / kv_heads / r) tiles",
	    POS, ALWAYS, 0, 1e-8),
	DEC(cta, OSMS, 1e-3, "s",
	    "fixed cost of one decode CTA (load Q and the page table, write O); FA3 runs one CTA per "
	    "(sequence, KV head, split) in waves over the SMs (profile.h)", POS, SMS, 0, 1e-6),
	DEC(cta_dim, OSMS, 1e-3, "s", "per head-dim element of one decode CTA (loading Q, writing O)",
	    POS, SMS, 0, 1e-9),
	DEC(blk, OSMS, 1e-3, "s",
	    "per 128-token KV block of one decode CTA at head dim 128 (x head_dim / 128)",
	    POS, SMS, 0, 5e-7),
	PRE(tile_half, OPT, INFINITY, "tiles",
	    "query tiles at which the prefill rate halves, x n/(n+tile_half): fewer tiles than the "
	    "SMs hold leave the GPU part idle", POS, ALWAYS, 0, 50),
	DEC(split, OSMS, 1e-3, "s", "FA3's split-KV merge, where its heuristic splits (splits > 1)",
	    POS, SMS, 0, 2e-6),
	DEC(dyn_seq, OPT, 1e-3, "s",
	    "per sequence, for batches of at most 992: FA3 then plans each sequence's KV splits in "
	    "a kernel of its own (flash_api.cpp, use_dynamic_split)", POS, DYN, 0, 1e-8),
	PRE(wide_eff, OPT, 1, "1",
	    "head dims past 256 (FA3's widest) run vLLM's fallback kernel at rate x wide_eff",
	    FRAC, WIDE, 0, 0.5),
	PRE(wave_exp, OSMS, 4, "1",
	    "a part-filled last wave of query tiles lowers the rate x q^wave_exp, "
	    "q = n / (ceil(n / sms) x sms) (as the GEMM's wave_exp)", POS, SMS, 0, 0.3),
	PRE(cache_round, OSMS, 1e-3, "s",
	    "per round of sms x (CTAs per SM) CTAs of vLLM's paged-cache write "
	    "(reshape_and_cache_flash, one CTA per token)", POS, SMS, 0, 1e-6),
	DEC(wide_t0, OPT, 1e-3, "s",
	    "head dims past 256: added to decode_t0 per launch; with decode_wide_cta it replaces "
	    "the CTA terms", POS, WIDE, 0, 5e-6),
	DEC(wide_cta, OPT, 1e-3, "s",
	    "head dims past 256: per (sequence, KV head) of the fallback decode kernel (no wave "
	    "overlaps them)", POS, WIDE, 0, 2e-6),
	ROW("attention.decode_l2_bytes", PROFILE_DBL, attn_decode.l2_bytes, OPT, 0, INFINITY, "bytes",
	    "measurement setup: L2 size (a hardware fact, from the base) below which the decode "
	    "benchmark's re-read KV cache stays warm"),
	/* an L2 bandwidth of the benchmark's warm rows: never scaled (L2, not HBM) */
	DEC(l2_bw, OPT, INFINITY, "bytes/s",
	    "measurement setup: the rate of those warm reads, for the fitter only; the simulator "
	    "never applies it (in serving each layer's cache is cold)", POS, WARM, 0, 0),
	/* in the order the fit writes attention's (the shipped YAMLs: the fit's block renamed) */
	TRT_PRE(t0, "s"), TRT_PRE(rate, "FLOP/s"), TRT_PRE(s_half, "tokens"),
	TRT_PRE(d_half, "head dim"), TRT_DEC(t0, "s"), TRT_DEC(per_seq, "s"),
	TRT_DEC(bw, "bytes/s"), TRT_PRE(kv_bw, "bytes/s"), TRT_PRE(tile, "s"), TRT_DEC(cta, "s"),
	TRT_DEC(cta_dim, "s"), TRT_DEC(blk, "s"), TRT_PRE(tile_half, "tiles"), TRT_DEC(split, "s"),
	TRT_DEC(dyn_seq, "s"), TRT_PRE(wide_eff, "1"), TRT_PRE(wave_exp, "1"),
	TRT_PRE(cache_round, "s"), TRT_DEC(wide_t0, "s"), TRT_DEC(wide_cta, "s"),
	TRT_DEC(l2_bytes, "bytes"), TRT_DEC(l2_bw, "bytes/s"),
	ROW("elementwise.bw", PROFILE_DBL, ew_bw, 0, 1e10, 1e14, "bytes/s",
	    "norms, rotary embedding, activation, residual adds"),
	{"allreduce", PROFILE_LIST, 0, 0, 0, 0, 0, "-",
	 "list of all-reduce models, one per GPU count (`[]` for a single-GPU profile)", {0}},
	ROW("network.lat", PROFILE_DBL, net.lat, OPT | PROFILE_MAX_OPEN, 0, 1e-2, "s",
	    "between nodes (absent: one node only): one inter-node step of NCCL's low-latency "
	    "protocol, net = steps x lat + bytes per NIC / bw (models/comm.c)"),
	ROW("network.bw", PROFILE_DBL, net.bw, OPT, 0, 1e13, "bytes/s",
	    "per GPU over its own NIC, effective (fitted with the hierarchy's sum; with lat: a pair)"),
	ROW("network.simple_lat", PROFILE_DBL, net.simple_lat, OPT | PROFILE_MAX_OPEN, 0, 1e-2, "s",
	    "one inter-node step of NCCL's Simple protocol (with simple_bw: a pair); NCCL runs "
	    "the faster"),
	ROW("network.simple_bw", PROFILE_DBL, net.simple_bw, OPT, 0, 1e13, "bytes/s",
	    "per GPU in the Simple protocol"),
	ROW("overhead.launch_eager", PROFILE_DBL, launch_eager, GT0, 0, 1e-3, "s",
	    "minimum time of a kernel launched eagerly"),
	ROW("overhead.launch_graph", PROFILE_DBL, launch_graph, GT0, 0, 1e-3, "s",
	    "minimum time of a kernel replayed in a CUDA graph (<= launch_eager)"),
	ROW("overhead.graph_max_seqs", PROFILE_INT, graph_max_seqs, 0, 1, 1e6, "seqs",
	    "largest decode batch captured in CUDA graphs"),
	ROW("overhead.host_op_eager", PROFILE_DBL, host_op_eager, OPT, 0, 1e-3, "s",
	    "host time to issue one op of an eager forward (no CUDA graphs: the step waits for "
	    "the longer of GPU and host); absent: not host-bound"),
	ROW("overhead.step_base", PROFILE_DBL, step_base, PROFILE_MAX_OPEN, 0, 1, "s",
	    "CPU time per engine step (schedule, prepare inputs, sample)"),
	ROW("overhead.step_per_seq", PROFILE_DBL, step_per_seq, PROFILE_MAX_OPEN, 0, 1e-2, "s",
	    "CPU time per sequence in a step"),
	ROW("overhead.step_per_tp", PROFILE_DBL, step_per_tp, PROFILE_MAX_OPEN, 0, 0.1, "s",
	    "CPU time per extra tensor-parallel worker per step"),
	ROW("power.idle_w", PROFILE_DBL, power_idle_w, 0, 0, 1e4, "W",
	    "per GPU, idle with a model loaded (<= busy_w)"),
	ROW("power.busy_w", PROFILE_DBL, power_busy_w, GT0, 0, 1e4, "W", "per GPU while stepping"),
	ROW("price.usd_per_gpu_hour", PROFILE_DBL, usd_per_gpu_hour, 0, 0, 1e6, "USD",
	    "price of one GPU-hour (an assumption; override per study)"),
	MOE("moe_bf16", moe_bf16),
	MOE("moe_fp8", moe_fp8),
	MOE("moe_mxfp4", moe_mxfp4),
	MLA("mla_bf16", mla_bf16),
	MLA("mla_fp8", mla_fp8),
	{"ep_alltoall", PROFILE_STR, offsetof(struct profile, ep_alltoall),
	 sizeof(((struct profile *)0)->ep_alltoall), OPT, 0, 0, "-",
	 "expert-parallel all-to-alls: `nccl` (absent: the same; models/comm.c) or `deepep` (the "
	 "deepep_<ranks> section of the run's rank count, NCCL's where there is none)", {0}},
	DEEPEP("deepep_8", deepep[0]),
	DEEPEP("deepep_16", deepep[1]),
	DEEPEP("deepep_32", deepep[2]),
	DEEPEP("deepep_64", deepep[3]),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

#define AROW(key, type, f, flags, min, max, unit, meaning) \
	{key, type, offsetof(struct allreduce_model, f), 0, flags, min, max, unit, meaning, {0}}
static const struct profile_key ar_fields[] = {
	AROW("n_gpus", PROFILE_INT, n_gpus, 0, 2, 8, "GPUs",
	     "2, 4 or 8, each at most once; above gpus_per_node: between nodes (reference only)"),
	AROW("lat", PROFILE_DBL, lat, GT0 | PROFILE_MAX_OPEN, 0, 1e-2, "s",
	     "NCCL small-message latency (its LL protocol where the other pairs are given)"),
	AROW("busbw", PROFILE_DBL, busbw, 0, 1e8, 1e13, "bytes/s",
	     "NCCL bus bandwidth: t = lat + B x 2(n-1)/n / busbw"),
	AROW("car_lat", PROFILE_DBL, car_lat, PROFILE_MAX_OPEN, 0, 1e-2, "s",
	     "custom all-reduce latency (0 if none; the one-stage kernel)"),
	AROW("car_bw", PROFILE_DBL, car_bw, 0, 0, 1e13, "bytes/s",
	     "custom all-reduce: t = car_lat + B / car_bw"),
	AROW("car_max_bytes", PROFILE_DBL, car_max_bytes, 0, 0, INFINITY, "bytes",
	     "largest message for the custom all-reduce (0: none)"),
	AROW("ll128_lat", PROFILE_DBL, ll128_lat, OPT | PROFILE_MAX_OPEN, 0, 1e-2, "s",
	     "NCCL's LL128 protocol, with ll128_busbw (a pair: both or neither)"),
	AROW("ll128_busbw", PROFILE_DBL, ll128_busbw, OPT, 0, 1e13, "bytes/s",
	     "t = ll128_lat + B x 2(n-1)/n / ll128_busbw; NCCL takes the fastest regime"),
	AROW("simple_lat", PROFILE_DBL, simple_lat, OPT | PROFILE_MAX_OPEN, 0, 1e-2, "s",
	     "NCCL's Simple protocol, with simple_busbw (a pair)"),
	AROW("simple_busbw", PROFILE_DBL, simple_busbw, OPT, 0, 1e13, "bytes/s",
	     "t = simple_lat + B x 2(n-1)/n / simple_busbw"),
	AROW("car2_lat", PROFILE_DBL, car2_lat, OPT | PROFILE_MAX_OPEN, 0, 1e-2, "s",
	     "vLLM's two-stage custom all-reduce, with car2_bw (a pair; needs car_max_bytes > 0)"),
	AROW("car2_bw", PROFILE_DBL, car2_bw, OPT, 0, 1e13, "bytes/s",
	     "t = car2_lat + B / car2_bw; the custom time is the faster of the two kernels"),
};
#define NAR_FIELDS (sizeof(ar_fields) / sizeof(ar_fields[0]))

const struct profile_key *profile_keys(size_t *n)
{
	*n = NFIELDS;
	return fields;
}

const struct profile_key *profile_ar_keys(size_t *n)
{
	*n = NAR_FIELDS;
	return ar_fields;
}

/* --- parsing ------------------------------------------------------------------------ */

struct pctx {
	yaml_document_t *doc;
	const char *fname;
	struct profile *p;
	unsigned char seen[NFIELDS];
	int at[NFIELDS]; /* the line of each seen key */
	int seen_ar;
};

static int line(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

/* Store scalar text s into the field f of base; path for messages. */
static int set_field(void *base, const struct profile_key *f, const yaml_node_t *v, const char *path,
		     const char *fname)
{
	char *dst = (char *)base + f->off;
	const char *s;

	if (v->type != YAML_SCALAR_NODE)
		return err_set("%s:%d: key '%s': expected a %s, got a %s", fname, line(v), path,
			       f->type == PROFILE_STR ? "string" : "number",
			       v->type == YAML_MAPPING_NODE ? "mapping" : "list");
	s = (const char *)v->data.scalar.value;
	if (f->type == PROFILE_STR) {
		if (strlcpy0(dst, s, f->size))
			return err_set("%s:%d: key '%s': too long (expected at most %zu characters)", fname,
				       line(v), path, f->size - 1);
		return 0;
	}
	if (f->type == PROFILE_INT) {
		long l;
		if (parse_long(s, &l) || l <= 0 || l > 1000000)
			return err_set("%s:%d: key '%s': expected a positive integer, got '%s'",
				       fname, line(v), path, s);
		*(int *)(void *)dst = (int)l;
		return 0;
	}
	double d;
	if (parse_double(s, &d) || !isfinite(d))
		return err_set("%s:%d: key '%s': expected a number, got '%s'", fname, line(v),
			       path, s);
	if (d < 0)
		return err_set("%s:%d: key '%s': expected a non-negative number, got '%s'", fname,
			       line(v), path, s);
	*(double *)(void *)dst = d;
	return 0;
}

static int parse_ar_list(struct pctx *c, const yaml_node_t *seq)
{
	if (seq->type != YAML_SEQUENCE_NODE)
		return err_set("%s:%d: key 'allreduce': expected a list of mappings", c->fname,
			       line(seq));
	int i = 0;
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++, i++) {
		const yaml_node_t *e = yaml_document_get_node(c->doc, *it);
		unsigned char seen[NAR_FIELDS] = {0};
		char path[96];

		if (i >= PROFILE_MAX_AR)
			return err_set("%s:%d: key 'allreduce': too many entries (expected at most %d)", c->fname,
				       line(e), PROFILE_MAX_AR);
		if (e->type != YAML_MAPPING_NODE)
			return err_set("%s:%d: key 'allreduce[%d]': expected a mapping", c->fname,
				       line(e), i);
		for (yaml_node_pair_t *kv = e->data.mapping.pairs.start;
		     kv < e->data.mapping.pairs.top; kv++) {
			const yaml_node_t *k = yaml_document_get_node(c->doc, kv->key);
			const yaml_node_t *v = yaml_document_get_node(c->doc, kv->value);
			const char *ks = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
			size_t j;
			snprintf(path, sizeof(path), "allreduce[%d].%s", i, ks);
			for (j = 0; j < NAR_FIELDS && strcmp(ar_fields[j].key, ks); j++)
				;
			if (j == NAR_FIELDS)
				return err_set("%s:%d: key '%s': unknown key (expected a key of the profile schema)", c->fname, line(k), path);
			if (seen[j]++)
				return err_set("%s:%d: key '%s': given twice (expected once)", c->fname, line(k), path);
			if (set_field(&c->p->ar[i], &ar_fields[j], v, path, c->fname))
				return -1;
		}
		for (size_t j = 0; j < NAR_FIELDS; j++)
			if (!seen[j] && !(ar_fields[j].flags & PROFILE_OPT))
				return err_set("%s:%d: key 'allreduce[%d].%s': missing (expected a number)", c->fname,
					       line(e), i, ar_fields[j].key);
	}
	return 0;
}

/* An uncertainty path of an all-reduce parameter, "allreduce.N.KEY" (N the entry's
 * n_gpus, since list positions move when a profile is refitted): 0 with *n and the
 * ar_fields index *j, or -1. */
static int ar_unc_path(const char *path, int *n, size_t *j)
{
	char *end;
	long l;
	if (strncmp(path, "allreduce.", 10))
		return -1;
	l = strtol(path + 10, &end, 10);
	if ((l != 2 && l != 4 && l != 8) || *end != '.')
		return -1;
	for (*j = 0; *j < NAR_FIELDS; (*j)++)
		if (ar_fields[*j].type != PROFILE_INT && !strcmp(ar_fields[*j].key, end + 1)) {
			*n = (int)l;
			return 0;
		}
	return -1;
}

/* uncertainty: {path: relative standard error} over numeric fields (optional block). */
static int parse_unc(struct pctx *c, const yaml_node_t *map)
{
	if (map->type != YAML_MAPPING_NODE)
		return err_set("%s:%d: key 'uncertainty': expected a mapping of key paths to "
			       "relative errors",
			       c->fname, line(map));
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top;
	     kv++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, kv->key);
		const yaml_node_t *v = yaml_document_get_node(c->doc, kv->value);
		const char *ks = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		size_t i, j;
		int n;
		double d;
		for (i = 0; i < NFIELDS && (fields[i].type != PROFILE_DBL ||
					    strcmp(fields[i].key, ks)); i++)
			;
		if (i == NFIELDS && ar_unc_path(ks, &n, &j))
			return err_set("%s:%d: key 'uncertainty.%s': not a numeric profile field "
				       "(expected a path such as gemm_bf16.eff_max or allreduce.8.busbw)",
				       c->fname, line(k), ks);
		if (v->type != YAML_SCALAR_NODE ||
		    parse_double((const char *)v->data.scalar.value, &d) || !(d >= 0 && d < 1))
			return err_set("%s:%d: key 'uncertainty.%s': expected a relative error in "
				       "[0, 1)",
				       c->fname, line(v), ks);
		if (c->p->n_unc == PROFILE_MAX_UNC)
			return err_set("%s:%d: key 'uncertainty': too many entries (expected at most %d)", c->fname,
				       line(k), PROFILE_MAX_UNC);
		strlcpy0(c->p->unc[c->p->n_unc].path, ks, sizeof(c->p->unc[0].path));
		c->p->unc[c->p->n_unc++].rel = d;
	}
	return 0;
}

/* A fused-MoE section's `table`: an embedded asset or a file, checked here so that a missing
 * one is refused with the profile's file, line and key; models/cost.c parses it on first use
 * (a bad table is refused then, with the table's file, line and key). */
static int check_moe_table(const void *p, const struct profile_key *f, const yaml_node_t *v,
			   const char *path, const char *fname)
{
	const char *t = (const char *)p + f->off;
	struct stat st;
	if (f->type != PROFILE_STR || (strncmp(path, "moe_", 4) && strncmp(path, "mla_", 4)) ||
	    !strstr(path, ".table"))
		return 0;
	if (!t[0])
		return err_set("%s:%d: key '%s': expected a table path, got ''", fname, line(v), path);
	if (!asset_find(t) && (stat(t, &st) || !S_ISREG(st.st_mode)))
		return err_set("%s:%d: key '%s': cannot read '%s' (expected an embedded table or a "
			       "file)", fname, line(v), path, t);
	return 0;
}

static int parse_map(struct pctx *c, const yaml_node_t *map, const char *prefix)
{
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top;
	     kv++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, kv->key);
		const yaml_node_t *v = yaml_document_get_node(c->doc, kv->value);
		char path[128];
		size_t i, plen;

		if (k->type != YAML_SCALAR_NODE)
			return err_set("%s:%d: expected a plain key", c->fname, line(k));
		snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "",
			 (const char *)k->data.scalar.value);
		if (!prefix[0] && !strcmp(path, "sources")) {
			/* free-form provenance: key -> string, kept out of the struct */
			if (v->type != YAML_MAPPING_NODE)
				return err_set("%s:%d: key 'sources': expected a mapping of strings",
					       c->fname, line(v));
			continue;
		}
		if (!prefix[0] && !strcmp(path, "uncertainty")) {
			if (parse_unc(c, v))
				return -1;
			continue;
		}
		if (!prefix[0] && !strcmp(path, "allreduce")) {
			if (c->seen_ar++)
				return err_set("%s:%d: key 'allreduce': given twice (expected once)", c->fname, line(k));
			if (parse_ar_list(c, v))
				return -1;
			continue;
		}
		plen = strlen(path);
		for (i = 0; i < NFIELDS; i++)
			if (!strcmp(fields[i].key, path))
				break;
		if (i < NFIELDS) {
			if (c->seen[i]++)
				return err_set("%s:%d: key '%s': given twice (expected once)", c->fname, line(k), path);
			c->at[i] = line(k);
			if (set_field(c->p, &fields[i], v, path, c->fname) ||
			    check_moe_table(c->p, &fields[i], v, path, c->fname))
				return -1;
			continue;
		}
		/* a section: some field path starts with "path." */
		for (i = 0; i < NFIELDS; i++)
			if (!strncmp(fields[i].key, path, plen) && fields[i].key[plen] == '.')
				break;
		if (i == NFIELDS)
			return err_set("%s:%d: key '%s': unknown key (expected a key of the profile schema)", c->fname, line(k), path);
		if (v->type != YAML_MAPPING_NODE)
			return err_set("%s:%d: key '%s': expected a mapping", c->fname, line(v), path);
		if (parse_map(c, v, path))
			return -1;
	}
	return 0;
}

/* The block sizes of calibration/moe_fit.c's grid (MOE_FIT_BLOCKS): a fitted `block` is one
 * of them, and the fit's checks look a profile's block up on it. */
static int moe_block_on_grid(double b) { return b == 16 || b == 32 || b == 64 || b == 128; }

/* A fused-MoE section as parsed: once any of its keys is there, eff, bw_eff, block and
 * slot_bw_eff must be (the fit writes them all, each > 0); t0 and expert_t are optional,
 * absent 0, as the writer leaves out a fitted 0. `block` is on the fit's grid. */
static int check_moe_keys(const struct pctx *c, const char *sec)
{
	static const char *const need[] = {"eff", "bw_eff", "block", "slot_bw_eff"};
	size_t sl = strlen(sec), first = NFIELDS;
	int fitted = 0, table_at = 0;
	for (size_t i = 0; i < NFIELDS; i++) {
		if (strncmp(fields[i].key, sec, sl) || fields[i].key[sl] != '.' || !c->seen[i])
			continue;
		if (first == NFIELDS || c->at[i] < c->at[first])
			first = i;
		if (!strcmp(fields[i].key + sl + 1, "table"))
			table_at = c->at[i];
		else
			fitted = 1;
	}
	if (first == NFIELDS)
		return 0;
	if (!fitted)
		return err_set("%s:%d: key '%s.table': expected the fitted eff, bw_eff, block and "
			       "slot_bw_eff too (the fit costs the shapes the table lacks)", c->fname,
			       table_at, sec);
	for (size_t n = 0; n < sizeof(need) / sizeof(need[0]); n++) {
		char key[64];
		size_t i = 0;
		snprintf(key, sizeof(key), "%s.%s", sec, need[n]);
		while (i < NFIELDS && strcmp(fields[i].key, key))
			i++;
		if (i == NFIELDS)
			bug("profile: no key %s in the table", key);
		if (!c->seen[i])
			return err_set("%s:%d: key '%s': missing (a fused-MoE section needs eff, bw_eff, "
				       "block and slot_bw_eff; t0 and expert_t are optional, absent 0)",
				       c->fname, c->at[first], key);
		double v = *(const double *)(const void *)((const char *)c->p + fields[i].off);
		if (!strcmp(need[n], "block") && !moe_block_on_grid(v))
			return err_set("%s:%d: key '%s': expected 16, 32, 64 or 128 (the block grid of "
				       "calibration/moe_fit.c), got '%g'", c->fname, c->at[i], key, v);
	}
	return 0;
}

static int check_key(const void *base, const struct profile_key *k, const char *path,
		     const struct profile *p, const char *fname);

/* Keys of a section (or of one part of it: every key starting with prefix) as parsed: once
 * any is there, prefix + need must be, above 0 (why: what the error says in parentheses). */
static int check_needs(const struct pctx *c, const char *prefix, const char *need,
		       const char *why)
{
	size_t pl = strlen(prefix), first = NFIELDS, at = NFIELDS;
	for (size_t i = 0; i < NFIELDS; i++) {
		if (strncmp(fields[i].key, prefix, pl))
			continue;
		if (!strcmp(fields[i].key + pl, need))
			at = i;
		if (c->seen[i] && (first == NFIELDS || c->at[i] < c->at[first]))
			first = i;
	}
	if (at == NFIELDS)
		bug("profile: no key %s%s in the table", prefix, need);
	if (first == NFIELDS)
		return 0;
	if (!c->seen[at])
		return err_set("%s:%d: key '%s': missing (%s)", c->fname, c->at[first],
			       fields[at].key, why);
	if (!(*(const double *)(const void *)((const char *)c->p + fields[at].off) > 0))
		return err_set("%s:%d: key '%s': expected above 0", c->fname, c->at[at],
			       fields[at].key);
	return 0;
}

/* An MLA decode section as parsed: once any of its keys is there, bw_eff must be (the fit
 * writes it, > 0); t0 and seq_head are optional, absent 0. */
static int check_mla_keys(const struct pctx *c, const char *sec)
{
	char prefix[32];
	size_t sl = strlen(sec);
	snprintf(prefix, sizeof(prefix), "%s.", sec);
	if (check_needs(c, prefix, "bw_eff", "an MLA decode section needs the fitted bw_eff; "
					     "t0 and seq_head are optional, absent 0"))
		return -1;
	/* each number in its row's range, named with its line (profile_validate says the
	 * same without one) */
	for (size_t i = 0; i < NFIELDS; i++) {
		char at[256];
		if (strncmp(fields[i].key, sec, sl) || fields[i].key[sl] != '.' || !c->seen[i] ||
		    fields[i].type != PROFILE_DBL)
			continue;
		snprintf(at, sizeof(at), "%s:%d", c->fname, c->at[i]);
		if (check_key(c->p, &fields[i], fields[i].key, c->p, at))
			return -1;
	}
	return 0;
}

/* An attention_trtllm section as parsed: its prefill part (prefill_ keys) with
 * prefill_rate above 0 and its decode part (decode_ keys) with decode_bw above 0, each or
 * neither (a table of one phase may be missing or unusable: calibration/trtllm_profiles.sh) */
static int check_trtllm_keys(const struct pctx *c)
{
	return check_needs(c, "attention_trtllm.prefill_", "rate",
			   "the section's prefill keys need it; the others are optional, absent 0") ||
	       check_needs(c, "attention_trtllm.decode_", "bw",
			   "the section's decode keys need it; the others are optional, absent 0");
}

/* A DeepEP section as parsed: all eight keys, each above 0, or none. */
static int check_deepep_keys(const struct pctx *c, const char *sec)
{
	size_t sl = strlen(sec), first = NFIELDS;
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strncmp(fields[i].key, sec, sl) && fields[i].key[sl] == '.' && c->seen[i] &&
		    (first == NFIELDS || c->at[i] < c->at[first]))
			first = i;
	if (first == NFIELDS)
		return 0;
	for (size_t i = 0; i < NFIELDS; i++) {
		if (strncmp(fields[i].key, sec, sl) || fields[i].key[sl] != '.')
			continue;
		if (!c->seen[i])
			return err_set("%s:%d: key '%s': missing (a DeepEP section needs the ll_ and "
				       "normal_ dispatch and combine lat and bw, all eight)", c->fname,
				       c->at[first], fields[i].key);
		if (!(*(const double *)(const void *)((const char *)c->p + fields[i].off) > 0))
			return err_set("%s:%d: key '%s': expected above 0", c->fname, c->at[i],
				       fields[i].key);
	}
	return 0;
}

/* profile_validate's message "FNAME: key 'K': ..." as "FNAME:LINE: key 'K': ...", with the
 * line of key K in the file (or of the first key of section K); unchanged when K was not
 * read from it. */
static void with_line(const struct pctx *c, const char *fname)
{
	char msg[1024], key[128];
	size_t n = strlen(fname), kl;
	int ln = 0;
	snprintf(msg, sizeof(msg), "%s", err_msg());
	if (strncmp(msg, fname, n) || strncmp(msg + n, ": ", 2) ||
	    err_key_at(msg + n + 2, key, sizeof(key)) < 0)
		return;
	kl = strlen(key);
	for (size_t i = 0; i < NFIELDS && !ln; i++)
		if (c->seen[i] && (!strcmp(fields[i].key, key) ||
				   (!strncmp(fields[i].key, key, kl) && fields[i].key[kl] == '.')))
			ln = c->at[i];
	if (ln > 0)
		err_set("%s:%d: %s", fname, ln, msg + n + 2);
}

int profile_parse(struct profile *p, const char *text, size_t len, const char *fname)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct pctx c = {.doc = &doc, .fname = fname, .p = p};
	const yaml_node_t *root;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (!yaml_parser_initialize(&parser))
		return err_set("%s: cannot initialize the YAML parser (expected memory to parse)", fname);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err_set("%s:%d: invalid YAML: %s%s%s (expected key: value lines)", fname, (int)parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "syntax error",
			parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		err_set("%s:1: expected a mapping of profile keys (schema_version, name, ...)", fname);
		goto out;
	}
	if (ydoc_one(&parser, fname, " (expected key: value lines)") < 0)
		goto out;
	if (parse_map(&c, root, ""))
		goto out;
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].type != PROFILE_LIST && !(fields[i].flags & PROFILE_OPT) && !c.seen[i]) {
			err_set("%s:%d: key '%s': missing (expected a value)", fname, line(root), fields[i].key);
			goto out;
		}
	if (check_moe_keys(&c, "moe_bf16") || check_moe_keys(&c, "moe_fp8") || check_moe_keys(&c, "moe_mxfp4"))
		goto out;
	if (check_mla_keys(&c, "mla_bf16") || check_mla_keys(&c, "mla_fp8") ||
	    check_trtllm_keys(&c))
		goto out;
	if (check_deepep_keys(&c, "deepep_8") || check_deepep_keys(&c, "deepep_16") ||
	    check_deepep_keys(&c, "deepep_32") || check_deepep_keys(&c, "deepep_64"))
		goto out;
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].key, "ep_alltoall") && c.seen[i] && strcmp(p->ep_alltoall, "nccl") &&
		    strcmp(p->ep_alltoall, "deepep")) {
			err_set("%s:%d: key 'ep_alltoall': expected nccl or deepep, got '%s'", fname,
				c.at[i], p->ep_alltoall);
			goto out;
		}
	/* each number in its row's range, named with its line (profile_validate, which also
	 * checks profiles built in memory, says the same without one) */
	for (size_t i = 0; i < NFIELDS; i++) {
		char at[256];
		if (!c.seen[i] || fields[i].type == PROFILE_LIST || fields[i].type == PROFILE_STR)
			continue;
		if (!strcmp(fields[i].key, "schema_version")) {
			if (p->schema_version != PROFILE_SCHEMA_VERSION) {
				err_set("%s:%d: key 'schema_version': expected %d, got '%d'", fname,
					c.at[i], PROFILE_SCHEMA_VERSION, p->schema_version);
				goto out;
			}
			continue;
		}
		snprintf(at, sizeof(at), "%s:%d", fname, c.at[i]);
		if (check_key(p, &fields[i], fields[i].key, p, at))
			goto out;
	}
	if (!c.seen_ar) {
		err_set("%s:%d: key 'allreduce': missing (use [] for a single-GPU profile)", fname,
			line(root));
		goto out;
	}
	if (p->schema_version != PROFILE_SCHEMA_VERSION) {
		err_set("%s: key 'schema_version': expected %d, got '%d'", fname,
			PROFILE_SCHEMA_VERSION, p->schema_version);
		goto out;
	}
	/* the checks across keys (profile_validate, which also checks profiles built in
	 * memory and so names no line): here with the line of the key they name */
	if (profile_validate(p, fname) < 0) {
		with_line(&c, fname);
		goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* --- checks ------------------------------------------------------------------------- */

static double num_at(const void *base, const struct profile_key *k)
{
	const char *src = (const char *)base + k->off;
	return k->type == PROFILE_INT ? *(const int *)(const void *)src
				      : *(const double *)(const void *)src;
}

const char *profile_key_sms(const struct profile_key *k, char *buf, size_t n)
{
	const char *dot = strchr(k->key, '.');
	int sl = dot ? (int)(dot - k->key) : 0;
	snprintf(buf, n, "%.*s.sms", sl, k->key);
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].key, buf))
			return buf;
	snprintf(buf, n, "gemm_bf16.sms");
	return buf;
}

const char *profile_key_range(const struct profile_key *k, char *buf, size_t n)
{
	if (k->type == PROFILE_STR || k->type == PROFILE_LIST)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%c%g, %g%c", k->flags & PROFILE_MIN_OPEN ? '(' : '[', k->min,
			 k->max, k->flags & PROFILE_MAX_OPEN || isinf(k->max) ? ')' : ']');
	return buf;
}

/* A number of the struct at base in the range its row gives, and, where it is one of the
 * terms of CTAs in waves over the SMs, set only with the SM count (sms). path: the key as
 * messages name it. */
static int check_key(const void *base, const struct profile_key *k, const char *path,
		     const struct profile *p, const char *fname)
{
	double v = num_at(base, k);
	int lo = k->flags & PROFILE_MIN_OPEN ? v > k->min : v >= k->min;
	int hi = k->flags & PROFILE_MAX_OPEN ? v < k->max : v <= k->max;
	char range[64], sms[48];
	if (!(lo && hi) || (k->flags & PROFILE_WHOLE && v != floor(v))) {
		const char *what = k->flags & PROFILE_WHOLE ? "a whole number"
			: k->min == 0 && k->max == 1 && k->flags == PROFILE_MIN_OPEN ? "a fraction"
			: "a number";
		int unit = strcmp(k->unit, "1") && strcmp(k->unit, "-");
		return err_set("%s: key '%s': expected %s in %s%s%s, got '%g'", fname, path, what,
			       profile_key_range(k, range, sizeof(range)), unit ? " " : "",
			       unit ? k->unit : "", v);
	}
	if (v > 0 && k->flags & PROFILE_SMS) {
		const struct profile_key *s = NULL;
		profile_key_sms(k, sms, sizeof(sms));
		for (size_t i = 0; i < NFIELDS && !s; i++)
			s = strcmp(fields[i].key, sms) ? NULL : &fields[i];
		if (!(num_at(p, s) > 0))
			return err_set("%s: key '%s': needs '%s' (the SM count) to be set", fname, path,
				       sms);
	}
	return 0;
}

static int check_ar_pair(double lat, double bw, int i, const char *name, const char *fname)
{
	if (lat == 0 && bw == 0)
		return 0;
	if (!(lat > 0 && lat < 1e-2 && bw > 0))
		return err_set("%s: key 'allreduce[%d].%s_lat': expected %s_lat in (0, 1e-2) s and "
			       "%s_%s > 0 (or neither), got '%g' and '%g'", fname, i, name, name, name,
			       strcmp(name, "car2") ? "busbw" : "bw", lat, bw);
	return 0;
}

/* One all-reduce entry: its GPU count, each key in its range, the optional regimes as
 * whole (latency, bandwidth) pairs. */
static int check_ar(const struct profile *p, int i, const char *fname)
{
	const struct allreduce_model *a = &p->ar[i];
	char path[64];
	if (a->n_gpus != 2 && a->n_gpus != 4 && a->n_gpus != 8)
		return err_set("%s: key 'allreduce[%d].n_gpus': expected 2, 4 or 8, got '%d'",
			       fname, i, a->n_gpus);
	/* an entry above gpus_per_node describes an all-reduce between nodes: kept for
	 * reference, never used for tensor parallelism (which stays inside a node) */
	for (int j = 0; j < i; j++)
		if (p->ar[j].n_gpus == a->n_gpus)
			return err_set("%s: key 'allreduce[%d].n_gpus': %d given twice", fname, i,
				       a->n_gpus);
	for (size_t j = 1; j < NAR_FIELDS; j++) {
		snprintf(path, sizeof(path), "allreduce[%d].%s", i, ar_fields[j].key);
		if (check_key(a, &ar_fields[j], path, p, fname))
			return -1;
	}
	if (a->car_max_bytes > 0 && !(a->car_bw > 0 && a->car_lat > 0))
		return err_set("%s: key 'allreduce[%d].car_bw': expected car_lat in (0, 1e-2) s "
			       "and car_bw > 0 when car_max_bytes > 0", fname, i);
	/* the optional regimes come in (latency, bandwidth) pairs: both or neither */
	if (check_ar_pair(a->ll128_lat, a->ll128_busbw, i, "ll128", fname) ||
	    check_ar_pair(a->simple_lat, a->simple_busbw, i, "simple", fname) ||
	    check_ar_pair(a->car2_lat, a->car2_bw, i, "car2", fname))
		return -1;
	if (a->car2_lat > 0 && !(a->car_max_bytes > 0))
		return err_set("%s: key 'allreduce[%d].car2_lat': expected car_max_bytes > 0 "
			       "(the two-stage kernel is the custom all-reduce's)", fname, i);
	return 0;
}

/* A network regime is a (latency, bandwidth) pair: both or neither. */
static int check_net_pair(double lat, double bw, const char *klat, const char *kbw,
			  const char *fname)
{
	if ((lat > 0) != (bw > 0))
		return err_set("%s: key '%s': expected %s and %s both set or both absent, got "
			       "'%g' and '%g'", fname, lat > 0 ? kbw : klat, klat, kbw, lat, bw);
	return 0;
}

/* A fused-MoE section holds eff, bw_eff, block and slot_bw_eff, each > 0, or none of them
 * (t0 and expert_t are optional, absent 0); half a section would cost the experts with a term
 * missing. check_moe_keys says the same of a parsed file with its lines; this holds a profile
 * made in code to it, block on the fit's grid too. */
static int check_moe(const struct moe_model *mm, const char *sec, const char *fname)
{
	int set = (mm->eff > 0) + (mm->bw_eff > 0) + (mm->block > 0) + (mm->slot_bw_eff > 0);
	if (set == 0 && mm->t0 == 0 && !mm->table[0])
		return 0;
	if (set == 0 && mm->table[0])
		return err_set("%s: key '%s.table': expected the fitted eff, bw_eff, block and "
			       "slot_bw_eff too (the fit costs the shapes the table lacks)", fname,
			       sec);
	if (set < 4)
		return err_set("%s: key '%s.%s': expected eff, bw_eff, block and slot_bw_eff together, "
			       "each above 0 (t0 and expert_t are optional, absent 0)", fname, sec,
			       !(mm->eff > 0) ? "eff" : !(mm->bw_eff > 0) ? "bw_eff"
			       : !(mm->block > 0) ? "block" : "slot_bw_eff");
	if (!moe_block_on_grid(mm->block))
		return err_set("%s: key '%s.block': expected 16, 32, 64 or 128 (the block grid of "
			       "calibration/moe_fit.c), got '%g'", fname, sec, mm->block);
	return 0;
}

/* An MLA decode section has bw_eff > 0, or no key at all (check_mla_keys for a parsed
 * file). */
static int check_mla(const struct mla_model *mm, const char *sec, const char *fname)
{
	if (mm->bw_eff > 0 || (mm->t0 == 0 && mm->seq_head == 0 && !mm->table[0]))
		return 0;
	return err_set("%s: key '%s.bw_eff': expected above 0 with any other key of the section "
		       "(t0, seq_head, table)", fname, sec);
}

/* The relative errors of attention's phase keys ("prefill_" or "decode_") become those of
 * the same keys of attention_trtllm (absent there: none). */
static void unc_take_trtllm(struct profile *p, const char *phase)
{
	char from[48], to[48];
	int n = 0;
	snprintf(from, sizeof(from), "attention_trtllm.%s", phase);
	snprintf(to, sizeof(to), "attention.%s", phase);
	for (int i = 0; i < p->n_unc; i++) /* drop the attention section's own */
		if (strncmp(p->unc[i].path, to, strlen(to)))
			p->unc[n++] = p->unc[i];
	p->n_unc = n;
	for (int i = 0; i < n && p->n_unc < PROFILE_MAX_UNC; i++)
		if (!strncmp(p->unc[i].path, from, strlen(from))) {
			snprintf(p->unc[p->n_unc].path, sizeof(p->unc[0].path), "attention.%s",
				 p->unc[i].path + strlen("attention_trtllm."));
			p->unc[p->n_unc++].rel = p->unc[i].rel;
		}
}

unsigned profile_use_trtllm_attention(struct profile *p)
{
	unsigned took = 0;
	if (p->attn_prefill_trtllm.rate > 0) {
		p->attn_prefill = p->attn_prefill_trtllm;
		unc_take_trtllm(p, "prefill_");
		took |= PROFILE_ATTN_PREFILL;
	}
	if (p->attn_decode_trtllm.bw > 0) {
		p->attn_decode = p->attn_decode_trtllm;
		unc_take_trtllm(p, "decode_");
		took |= PROFILE_ATTN_DECODE;
	}
	return took;
}

int profile_validate(const struct profile *p, const char *fname)
{
	if (p->schema_version != PROFILE_SCHEMA_VERSION)
		return err_set("%s: key 'schema_version': expected %d, got '%d'", fname,
			       PROFILE_SCHEMA_VERSION, p->schema_version);
	if (!p->name[0] || !p->gpu[0])
		return err_set("%s: key 'name': expected a non-empty name and gpu", fname);
	/* every number in the range of its row, in the order of the file */
	for (size_t i = 0; i < NFIELDS; i++) {
		if (fields[i].type == PROFILE_LIST) {
			for (int a = 0; a < PROFILE_MAX_AR; a++)
				if (p->ar[a].n_gpus && check_ar(p, a, fname))
					return -1;
		} else if (fields[i].type != PROFILE_STR &&
			   check_key(p, &fields[i], fields[i].key, p, fname)) {
			return -1;
		}
	}
	/* what one row cannot say: the choices of a string, and relations between keys */
	if (strcmp(p->topology, "nvswitch") && strcmp(p->topology, "pairwise-nvlink") &&
	    strcmp(p->topology, "pcie"))
		return err_set("%s: key 'node.topology': expected nvswitch, pairwise-nvlink or pcie, "
			       "got '%s'", fname, p->topology);
	if (check_net_pair(p->net.lat, p->net.bw, "network.lat", "network.bw", fname) ||
	    check_net_pair(p->net.simple_lat, p->net.simple_bw, "network.simple_lat",
			   "network.simple_bw", fname))
		return -1;
	if (p->net.simple_lat > 0 && !(p->net.lat > 0))
		return err_set("%s: key 'network.simple_lat': expected network.lat and network.bw "
			       "too (the low-latency protocol is the network's first regime)", fname);
	if (check_moe(&p->moe_bf16, "moe_bf16", fname) || check_moe(&p->moe_fp8, "moe_fp8", fname) ||
	    check_moe(&p->moe_mxfp4, "moe_mxfp4", fname) ||
	    check_mla(&p->mla_bf16, "mla_bf16", fname) || check_mla(&p->mla_fp8, "mla_fp8", fname))
		return -1;
	if ((p->attn_prefill_trtllm.t0 > 0 && !(p->attn_prefill_trtllm.rate > 0)) ||
	    (p->attn_decode_trtllm.t0 > 0 && !(p->attn_decode_trtllm.bw > 0)))
		return err_set("%s: key 'attention_trtllm.%s': expected above 0 with the other keys "
			       "of its part", fname,
			       p->attn_prefill_trtllm.t0 > 0 && !(p->attn_prefill_trtllm.rate > 0) ?
			       "prefill_rate" : "decode_bw");
	if (p->ep_alltoall[0] && strcmp(p->ep_alltoall, "nccl") && strcmp(p->ep_alltoall, "deepep"))
		return err_set("%s: key 'ep_alltoall': expected nccl or deepep, got '%s'", fname,
			       p->ep_alltoall);
	for (int i = 0; i < PROFILE_DEEPEP_N; i++) {
		const struct deepep_model *d = &p->deepep[i];
		const double v[8] = {d->ll_dispatch_lat,     d->ll_dispatch_bw,
				     d->ll_combine_lat,      d->ll_combine_bw,
				     d->normal_dispatch_lat, d->normal_dispatch_bw,
				     d->normal_combine_lat,  d->normal_combine_bw};
		int set = 0;
		for (int k = 0; k < 8; k++)
			set += v[k] > 0;
		if (set != 0 && set != 8)
			return err_set("%s: key 'deepep_%d': expected all eight lat and bw above 0, or "
				       "none", fname, 8 << i);
	}
	if (!(p->mem_reserved_bytes < p->hbm_bytes))
		return err_set("%s: key 'memory.reserved_bytes': expected less than hbm_bytes, got '%g'",
			       fname, p->mem_reserved_bytes);
	if (!(p->launch_graph <= p->launch_eager))
		return err_set("%s: key 'overhead.launch_graph': expected 0 < launch_graph <= "
			       "launch_eager, got '%g' and '%g'", fname, p->launch_graph, p->launch_eager);
	if (!(p->power_idle_w <= p->power_busy_w))
		return err_set("%s: key 'power.busy_w': expected busy_w > 0 and idle_w <= busy_w, got "
			       "'%g' and '%g'", fname, p->power_busy_w, p->power_idle_w);
	return 0;
}

/* --- writing ------------------------------------------------------------------------ */

/* The shortest decimal that reads back to exactly d (so the output is byte-stable). */
static void fmt_double(char *buf, size_t n, double d)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void put_string(FILE *f, const char *s)
{
	struct sbuf sb = {0};
	ydoc_put_quoted(&sb, s);
	fwrite(sb.buf, 1, sb.len, f);
	sbuf_release(&sb);
}

static void put_value(FILE *f, const void *base, const struct profile_key *fl)
{
	const char *src = (const char *)base + fl->off;
	char num[40];
	if (fl->type == PROFILE_STR) {
		put_string(f, src);
	} else if (fl->type == PROFILE_INT) {
		fprintf(f, "%d", *(const int *)(const void *)src);
	} else {
		fmt_double(num, sizeof(num), *(const double *)(const void *)src);
		fputs(num, f);
	}
}

/* The value's line end, with the caller's comment for `path` if it has one. */
static void end_line(FILE *f, profile_note_fn note, void *ctx, const char *path)
{
	const char *n = note ? note(path, ctx) : NULL;
	if (n)
		fprintf(f, "  # %s", n);
	fputc('\n', f);
}

int profile_write(const struct profile *p, FILE *f)
{
	return profile_write_notes(p, f, NULL, NULL, NULL);
}

int profile_write_notes(const struct profile *p, FILE *f, const char *header,
			profile_note_fn note, void *ctx)
{
	char section[32] = "", path[96];

	fputs(header ? header : "# ttsim hardware profile (schema in models/profiles/README.md)\n",
	      f);
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *dot = strchr(fields[i].key, '.');
		if (fields[i].type == PROFILE_LIST) {
			int any = 0;
			section[0] = 0;
			for (int a = 0; a < PROFILE_MAX_AR; a++) {
				if (!p->ar[a].n_gpus)
					continue;
				if (!any++)
					fputs("allreduce:\n", f);
				for (size_t j = 0; j < NAR_FIELDS; j++) {
					if ((ar_fields[j].flags & PROFILE_OPT) &&
					    *(const double *)(const void *)((const char *)&p->ar[a] + ar_fields[j].off) == 0)
						continue;
					fprintf(f, "  %s %s: ", j ? " " : "-", ar_fields[j].key);
					put_value(f, &p->ar[a], &ar_fields[j]);
					snprintf(path, sizeof(path), "allreduce.%d.%s", p->ar[a].n_gpus,
						 ar_fields[j].key);
					end_line(f, note, ctx, path);
				}
			}
			if (!any)
				fputs("allreduce: []\n", f);
			continue;
		}
		if ((fields[i].flags & PROFILE_OPT) &&
		    (fields[i].type == PROFILE_STR ? !((const char *)p + fields[i].off)[0]
		     : *(const double *)(const void *)((const char *)p + fields[i].off) == 0))
			continue;
		if (!dot) {
			section[0] = 0;
			fprintf(f, "%s: ", fields[i].key);
		} else {
			size_t sl = (size_t)(dot - fields[i].key);
			if (strlen(section) != sl || strncmp(section, fields[i].key, sl)) {
				snprintf(section, sizeof(section), "%.*s", (int)sl, fields[i].key);
				fprintf(f, "%s:\n", section);
			}
			fprintf(f, "  %s: ", dot + 1);
		}
		put_value(f, p, &fields[i]);
		end_line(f, note, ctx, fields[i].key);
	}
	if (p->n_unc && note)
		fputs("# relative standard errors of the fitted parameters (diagonal of the fit's\n"
		      "# covariance; the parameters are correlated, so sampling them one by one\n"
		      "# overstates the spread), used by ttsim run --profile-uncertainty. They are\n"
		      "# statistical errors given the model; the model's own misfit (the fit report's\n"
		      "# median error) is larger and is not in them.\n", f);
	if (p->n_unc)
		fputs("uncertainty:\n", f);
	for (int u = 0; u < p->n_unc; u++)
		fprintf(f, "  %s: %.6g\n", p->unc[u].path, p->unc[u].rel);
	if (ferror(f))
		return err_set("cannot write the profile '%s' (expected a writable output)", p->name);
	return 0;
}

void profile_perturb(struct profile *p, const double *z)
{
	for (int u = 0; u < p->n_unc; u++) {
		double f = 1.0 + p->unc[u].rel * z[u], *x = NULL;
		size_t j;
		int n;
		for (size_t i = 0; i < NFIELDS && !x; i++)
			if (fields[i].type == PROFILE_DBL &&
			    !strcmp(fields[i].key, p->unc[u].path))
				x = (double *)(void *)((char *)p + fields[i].off);
		if (!x && !ar_unc_path(p->unc[u].path, &n, &j))
			for (int a = 0; a < PROFILE_MAX_AR && !x; a++)
				if (p->ar[a].n_gpus == n)
					x = (double *)(void *)((char *)&p->ar[a] + ar_fields[j].off);
		if (x)
			*x *= f > 0.1 ? f : 0.1;
	}
}

/* --- lookup ------------------------------------------------------------------------- */

const struct allreduce_model *profile_allreduce(const struct profile *p, int n_gpus)
{
	for (int i = 0; i < PROFILE_MAX_AR; i++)
		if (p->ar[i].n_gpus && p->ar[i].n_gpus == n_gpus)
			return &p->ar[i];
	return NULL;
}

#define PROFILE_DIR "models/profiles/"
#define MAX_BUILTIN 32
static char builtin_names[MAX_BUILTIN][48];
static size_t n_builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_init(void)
{
	size_t dl = strlen(PROFILE_DIR);
	for (size_t i = 0; i < asset_count() && n_builtin < MAX_BUILTIN; i++) {
		const char *path = asset_get(i)->path;
		size_t l = strlen(path);
		if (strncmp(path, PROFILE_DIR, dl) || l < dl + 6 || strcmp(path + l - 5, ".yaml") ||
		    strchr(path + dl, '/') || l - dl - 5 >= sizeof(builtin_names[0]))
			continue;
		memcpy(builtin_names[n_builtin], path + dl, l - dl - 5);
		builtin_names[n_builtin++][l - dl - 5] = 0;
	}
}

size_t profile_builtin_count(void)
{
	pthread_once(&builtin_once, builtin_init);
	return n_builtin;
}

const char *profile_builtin_name(size_t i)
{
	return i < profile_builtin_count() ? builtin_names[i] : NULL;
}

int profile_load(struct profile *p, const char *name)
{
	char path[256];
	const struct asset *a = NULL;
	struct stat st;
	int rc;

	if (strlen(name) < 64 && !strchr(name, '/')) {
		snprintf(path, sizeof(path), PROFILE_DIR "%s.yaml", name);
		a = asset_find(path);
	}
	if (a) {
		rc = profile_parse(p, (const char *)a->data, a->len, path);
		return rc ? rc : profile_validate(p, path);
	}
	if (stat(name, &st) || !S_ISREG(st.st_mode)) {
		struct sbuf sb = {0};
		for (size_t i = 0; i < profile_builtin_count(); i++)
			sbuf_printf(&sb, "%s%s", i ? ", " : "", profile_builtin_name(i));
		err_set("unknown profile '%s' (known: %s; or a path to a profile YAML)", name,
			sb.buf ? sb.buf : "none");
		sbuf_release(&sb);
		return -1;
	}
	size_t len;
	char *text = file_read(name, &len);
	if (!text)
		return -1;
	rc = profile_parse(p, text, len, name);
	free(text);
	return rc ? rc : profile_validate(p, name);
}
