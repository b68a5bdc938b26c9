#!/bin/sh
# profiles.sh TTSIM: regenerate the shipped profiles models/profiles/{h100_sxm,h200_sxm,
# gh200,a100_sxm}.yaml and their fit reports calibration/reports/<name>.json from the public
# data in calibration/data (run by `make profiles`; byte-identical on every run).
# Every base is an explicit file, so the result never depends on the profiles it replaces.
set -eu
cd "$(dirname "$0")/.."
T=${1:-./build/ttsim}
D=calibration/data
AI=$D/aiconfigurator
R=build/calib-raw
B=$D/base
rm -rf "$R"
mkdir -p "$R" calibration/reports models/profiles

for g in h100_sxm h200_sxm; do
	$T calibrate import aiconfigurator $AI/gemm/${g}_gemm_vllm_0.24.0_bf16_fp8.csv \
		$AI/attention/${g}_context_attention_vllm_0.24.0_bf16kv.csv \
		$AI/attention/${g}_generation_attention_vllm_0.24.0_bf16kv.csv \
		$AI/nccl/${g}_nccl_2.29.2.csv $AI/custom_allreduce/${g}_car_vllm_0.24.0.csv -o $R/$g
	$T calibrate fit $R/$g --base $B/$g.yaml -o models/profiles/$g.yaml \
		--report calibration/reports/$g.json \
		--note "network.lat=ASSUMED: the GH200 Slingshot-11 fit (no public multi-node nccl-tests table for HGX)" \
		--note "network.simple_bw=ASSUMED: InfiniBand NDR line rate, 50 GB/s per GPU (ConnectX-7)"
done

# gh200: Hopper compute measured on H100, bandwidth terms scaled to 4.0 TB/s; 8 GPUs from
# the CSCS 2 x 4 GH200 nccl-tests run (CXI hook enabled, as Alps runs by default).
$T calibrate import aiconfigurator $AI/gemm/h100_sxm_gemm_vllm_0.24.0_bf16_fp8.csv \
	$AI/attention/h100_sxm_context_attention_vllm_0.24.0_bf16kv.csv \
	$AI/attention/h100_sxm_generation_attention_vllm_0.24.0_bf16kv.csv -o $R/gh200_compute
$T calibrate import nccl-tests $D/cscs/alps_gh200_nccl_tests_allreduce.csv \
	--match cxi_hook_enabled --gpu "NVIDIA GH200 120GB" -o $R/gh200_net
$T calibrate fit $R/gh200_compute $R/gh200_net --base $B/gh200.yaml \
	--gpu-name "NVIDIA GH200 120GB" --scale-bw-from 3.35e12 -o models/profiles/gh200.yaml \
	--report calibration/reports/gh200.json \
	--note "gemm_bf16.peak=H100 SXM dense bf16 (same GH100 die)" \
	--note "gemm_fp8.peak=H100 SXM dense fp8 (same GH100 die)" \
	--note "memory.hbm_bw=GH200 spec 4.0 TB/s; GEMM bw_eff from the H100 fit applies to it" \
	--note "attention.decode_bw=INFERRED: H100 fit x 4.0/3.35" \
	--note "attention.prefill_kv_bw=INFERRED: H100 fit x 4.0/3.35" \
	--note "allreduce.2.=INFERRED from topology: H100 fit, bandwidth x 150/450 (one NVLink bundle)" \
	--note "allreduce.4.=INFERRED from topology: H100 fit (3 x 150 GB/s all-to-all = NVSwitch 450 GB/s)" \
	--note "allreduce.8.=fit: CSCS nccl-tests 2 nodes x 4 GH200 over Slingshot-11 (inter-node; reference, models/comm.c times nodes by network.*)" \
	--note "elementwise.bw=INFERRED: 0.8 x hbm_bw" \
	--note "overhead.launch_eager=hand-set (no launch data); step_base etc.: INFERRED, vLLM V1 on Grace (see calibration/data/base/gh200.yaml)" \
	--note "power.busy_w=INFERRED: superchip module limit ~900 W, Grace CPU included (the CPU runs the engine)"

# a100_sxm: Vidur operator profiles (GEMMs), aiconfigurator's vLLM 0.14.0 attention tables
# (FlashAttention 2, measured on the A100) and NCCL 2.27.3.
$T calibrate import vidur $D/vidur/compute/a100_*__mlp.csv --gpu "NVIDIA A100-SXM4-80GB" \
	-o $R/a100_compute
$T calibrate import aiconfigurator $AI/attention/a100_sxm_context_attention_vllm_0.14.0_bf16kv.csv \
	$AI/attention/a100_sxm_generation_attention_vllm_0.14.0_bf16kv.csv -o $R/a100_attn
$T calibrate import aiconfigurator $AI/nccl/a100_sxm_nccl_2.27.3.csv -o $R/a100_net
$T calibrate fit $R/a100_compute $R/a100_attn $R/a100_net --base $B/a100_sxm.yaml --fp8-from-bf16 \
	-o models/profiles/a100_sxm.yaml --report calibration/reports/a100_sxm.json \
	--note "gemm_fp8.peak=INFERRED: no FP8 tensor cores, FP8 weights run as W8A16 at the bf16 rate" \
	--note "elementwise.bw=INFERRED: 0.8 x hbm_bw"

# the attention_trtllm sections, from aiconfigurator's TensorRT-LLM attention tables
# (calibration/trtllm_profiles.sh)
./calibration/trtllm_profiles.sh "$T"

# the fused-MoE sections, from aiconfigurator's MoE tables (calibration/moe_profiles.sh)
./calibration/moe_profiles.sh "$T"

# the MLA decode sections, from aiconfigurator's vLLM MLA tables (calibration/mla_profiles.sh)
./calibration/mla_profiles.sh "$T"

# the DeepEP sections, from aiconfigurator's SGLang DeepEP tables (calibration/deepep_profiles.sh)
./calibration/deepep_profiles.sh "$T"
