#!/bin/sh
# deepep_profiles.sh TTSIM: fit the DeepEP sections (deepep_8 ... deepep_64; models/profile.h
# "DeepEP all-to-all") of h100_sxm and h200_sxm to aiconfigurator's SGLang DeepEP tables in
# calibration/data/aiconfigurator/deepep and put them into the profiles in place of the
# sections there (else before the `uncertainty:` block). The profiles do not set
# ep_alltoall: runs keep NCCL's all-to-all unless a profile says `ep_alltoall: deepep`. aiconfigurator's h200_sxm
# DeepEP tables hold the h100_sxm rows' values exactly (SOURCES.md), so both profiles get
# the one fit. `make profiles` runs it after mla_profiles.sh (calibration/profiles.sh);
# byte-identical on every run.
set -eu
cd "$(dirname "$0")/.."
. calibration/put_sections.sh
T=${1:-./build/ttsim}
D=calibration/data/aiconfigurator/deepep
R=build/calib-raw/deepep
rm -rf "$R"
mkdir -p "$R"

$T calibrate deepep $D/h100_sxm_deepep_ll_sglang_0.5.6.post2.csv \
	$D/h100_sxm_deepep_normal_sglang_0.5.6.post2.csv --profile models/profiles/h100_sxm.yaml \
	--yaml $R/h100_sxm.yaml
sed -e 's/  # fit: /  # fit (the h100_sxm rows; aiconfigurator'"'"'s h200_sxm table holds the same values): /' \
	$R/h100_sxm.yaml >$R/h200_sxm.yaml

for g in h100_sxm h200_sxm; do
	y=models/profiles/$g.yaml
	put_sections '^deepep_[0-9]*:' $R/$g.yaml $y
done
