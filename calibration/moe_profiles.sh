#!/bin/sh
# moe_profiles.sh TTSIM: fit the fused-MoE sections (moe_bf16, moe_fp8, moe_mxfp4;
# models/profile.h "Fused MoE") of the shipped profiles to aiconfigurator's measured MoE
# tables in calibration/data/aiconfigurator/moe and put them into models/profiles/*.yaml
# (with `table:`, the balanced table itself, whose exact shapes runs read measured),
# before the `uncertainty:` block, replacing any there. `make profiles` runs it last
# (calibration/profiles.sh); alone it redoes only the MoE part (seconds, not minutes).
# Each run prints the fit and its error held out by shape; byte-identical on every run.
set -eu
cd "$(dirname "$0")/.."
. calibration/put_sections.sh
T=${1:-./build/ttsim}
M=calibration/data/aiconfigurator/moe
R=build/calib-raw/moe
rm -rf "$R"
mkdir -p "$R"
TRITON_MXFP4=vllm_gptossmxfp4moe_triton_oaitritonmxfp4expertsmonolithic

for g in h100_sxm h200_sxm; do
	for d in bf16 fp8; do
		$T calibrate moe $M/${g}_moe_vllm_0.14.0_bf16_fp8block.csv --profile models/profiles/$g.yaml \
			--dtype $d --kernel vllm_fused_moe --yaml $R/$g.$d.yaml
	done
	$T calibrate moe $M/${g}_moe_vllm_0.24.0_mxfp4.csv --profile models/profiles/$g.yaml \
		--dtype mxfp4 --kernel $TRITON_MXFP4 --yaml $R/$g.mxfp4.yaml
	cat $R/$g.bf16.yaml $R/$g.fp8.yaml $R/$g.mxfp4.yaml >$R/$g.yaml
done
# gh200: the H100 fits (same GH100 die; efficiencies of its own hbm_bw), not the H100's
# measured table (its latencies are of the H100's HBM and clocks; models/moe_table.h)
sed -e 's/  # fit: /  # INFERRED, the h100_sxm fit: /' -e '/^  table: /d' $R/h100_sxm.yaml >$R/gh200.yaml
# a100_sxm: bf16 only (the table has no fp8 or MXFP4 rows; those experts keep the grouped
# GEMM at MOE_WONLY_EFF, models/cost.c); power-law rows only (moe_fit.h)
$T calibrate moe $M/a100_sxm_moe_vllm_0.14.0_bf16.csv --profile models/profiles/a100_sxm.yaml \
	--dtype bf16 --kernel vllm_fused_moe --distribution power_law_1.01 --yaml $R/a100_sxm.yaml

for g in h100_sxm h200_sxm gh200 a100_sxm; do
	y=models/profiles/$g.yaml
	# the new sections in place of the old ones (a top-level moe_* key and its indented
	# lines), else before the uncertainty block
	put_sections '^moe_[a-z0-9]*:' $R/$g.yaml $y
done
