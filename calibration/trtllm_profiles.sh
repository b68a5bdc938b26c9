#!/bin/sh
# trtllm_profiles.sh TTSIM: fit the attention_trtllm sections of the shipped profiles
# (models/profile.h: TensorRT-LLM's own attention kernels, its context FMHA and XQA decode)
# to aiconfigurator's measured TensorRT-LLM attention tables in
# calibration/data/aiconfigurator/attention, with the same models and fitter as the
# attention section (`ttsim calibrate fit` on those rows alone, the profile itself as the
# base), and put each fit's attention block into models/profiles/<gpu>.yaml renamed
# attention_trtllm, before the uncertainty block, replacing any there, and its relative
# standard errors, renamed, at the end of that block. Engine profiles with
# `attention_kernels: trtllm` (models/engines/trtllm-1.yaml) run them. `make profiles` runs
# it after the base fits (calibration/profiles.sh); byte-identical on every run. gh200 has
# no TensorRT-LLM table and no section (its runs keep the attention section).
set -eu
cd "$(dirname "$0")/.."
. calibration/put_sections.sh
T=${1:-./build/ttsim}
A=calibration/data/aiconfigurator/attention
R=build/calib-raw/trtllm
rm -rf "$R"
mkdir -p "$R"

# GPU:version:phases. The A100's only TensorRT-LLM tables are 1.0.0's, collected before
# aiconfigurator's commit dec5f4cd2 (2026-08-03) with a K-only cache
# (CacheType.SELFKONLY), so that their decode reads about half the bytes serving reads
# (up to 1.7x the A100's HBM bandwidth on the biggest rows): their prefill part only. The
# H100 and H200 tables are 1.3.0rc20's, with the serving layout (CacheType.SELF).
for gvp in h100_sxm:1.3.0rc20:prefill_decode h200_sxm:1.3.0rc20:prefill_decode \
	a100_sxm:1.0.0:prefill; do
	g=${gvp%%:*} v=${gvp#*:} p=${v#*:} v=${v%%:*}
	files=$A/${g}_context_attention_trtllm_${v}_bf16kv.csv
	[ "$p" = prefill ] || files="$files $A/${g}_generation_attention_trtllm_${v}_bf16kv.csv"
	$T calibrate import aiconfigurator $files -o $R/$g
	$T calibrate fit $R/$g --base models/profiles/$g.yaml -o $R/$g.fit.yaml \
		--report calibration/reports/${g}_trtllm.json
	# the fitted attention block, renamed (its keys and '# fit:' comments as written),
	# of the phases fitted
	awk -v p="$p" '/^attention:/ { on = 1; print "attention_trtllm:"; next }
	     on && /^  prefill_/ { print; next }
	     on && /^  decode_/ { if (p != "prefill") print; next }
	     { on = 0 }' $R/$g.fit.yaml >$R/$g.yaml
	put_sections '^attention_trtllm:' $R/$g.yaml models/profiles/$g.yaml
	# their relative standard errors, renamed, in place of any there at the end of the
	# uncertainty block (the profile's last): `run --profile-uncertainty` perturbs a
	# TensorRT-LLM run's attention by them (sim/run.c engine_apply)
	y=models/profiles/$g.yaml
	grep -v '^  attention_trtllm\.' $y >$R/$g.unc.yaml
	sed -n '/^uncertainty:/,$p' $R/$g.fit.yaml | grep '^  attention\.' |
		{ [ "$p" = prefill ] && grep '^  attention\.prefill_' || cat; } |
		sed 's/^  attention\./  attention_trtllm./' >>$R/$g.unc.yaml
	mv $R/$g.unc.yaml $y
done
