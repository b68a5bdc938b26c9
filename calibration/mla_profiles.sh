#!/bin/sh
# mla_profiles.sh TTSIM: fit the MLA decode sections (mla_bf16, mla_fp8; models/profile.h
# "MLA decode") of the shipped profiles to aiconfigurator's measured vLLM 0.14.0 MLA decode
# tables in calibration/data/aiconfigurator/mla and put them into models/profiles/*.yaml
# (with `table:`, the table itself, whose kernel-bound points of DeepSeek-V3's shape runs
# read measured), in place of the sections there (else before the `uncertainty:` block).
# `make profiles` runs it after moe_profiles.sh (calibration/profiles.sh); alone it redoes only the MLA
# part. Each run prints the fit, its error held out by head count and the error of the
# model without the section; byte-identical on every run.
set -eu
cd "$(dirname "$0")/.."
. calibration/put_sections.sh
T=${1:-./build/ttsim}
M=calibration/data/aiconfigurator/mla
R=build/calib-raw/mla
rm -rf "$R"
mkdir -p "$R"

for g in h100_sxm h200_sxm; do
	for kv in bf16 fp8; do
		$T calibrate mla $M/${g}_generation_mla_vllm_0.14.0.csv --profile models/profiles/$g.yaml \
			--kv $kv --yaml $R/$g.$kv.yaml
	done
	cat $R/$g.bf16.yaml $R/$g.fp8.yaml >$R/$g.yaml
done
# gh200: the H100 fit (same GH100 die; bw_eff of its own hbm_bw, t0 its own decode_t0 as
# the fit takes it), not the H100's measured table (its latencies are the H100's)
awk '/^attention:/ { a = 1; next } a && /^  decode_t0:/ { print $2; exit }' models/profiles/gh200.yaml >$R/gh200.t0
sed -e 's/  # fit: /  # INFERRED, the h100_sxm fit: /' -e '/^  table: /d' \
	-e "s/^  t0: [^ ]*  # attention.decode_t0 of h100_sxm,/  t0: $(cat $R/gh200.t0)  # attention.decode_t0 of gh200,/" \
	$R/h100_sxm.yaml >$R/gh200.yaml

for g in h100_sxm h200_sxm gh200; do
	y=models/profiles/$g.yaml
	put_sections '^mla_[a-z0-9]*:' $R/$g.yaml $y
done
