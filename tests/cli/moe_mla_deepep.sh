#!/bin/sh
# The MLA decode and DeepEP sections of the profiles (models/profile.h "MLA decode", "DeepEP
# all-to-all") and their fits, `ttsim calibrate mla` and `ttsim calibrate deepep` (issue 19):
# the shipped sections are what the fits of the shipped tables give, byte for byte; the
# reports print held-out errors and the model before; bad input exits 2 naming file, line
# and key.
. "$(dirname "$0")/lib.inc"
M=calibration/data/aiconfigurator/mla
D=calibration/data/aiconfigurator/deepep

# the shipped h200_sxm mla_bf16 section is the fit's (calibration/mla_profiles.sh)
ok "calibrate mla (bf16 cache, H200)" "$TTSIM" calibrate mla $M/h200_sxm_generation_mla_vllm_0.14.0.csv \
	--profile models/profiles/h200_sxm.yaml --kv bf16 --yaml "$TMPD/frag.yaml"
has "held out by head count (3 folds): median" "held-out error printed" "$TMPD/out"
has "before (no mla_bf16 section" "the model before printed" "$TMPD/out"
has "measured table: 8 head counts; interpolated .Steffen, log-log. leaving one step out" \
	"the table's own held-out error printed" "$TMPD/out"
grep -A4 '^mla_bf16:' models/profiles/h200_sxm.yaml > "$TMPD/shipped.yaml"
ok "the shipped MLA section is the fit's" cmp "$TMPD/frag.yaml" "$TMPD/shipped.yaml"

# the shipped h100_sxm DeepEP sections are the fit's (calibration/deepep_profiles.sh)
ok "calibrate deepep (H100)" "$TTSIM" calibrate deepep $D/h100_sxm_deepep_ll_sglang_0.5.6.post2.csv \
	$D/h100_sxm_deepep_normal_sglang_0.5.6.post2.csv --profile models/profiles/h100_sxm.yaml \
	--yaml "$TMPD/dfrag.yaml"
has " 64 ranks ll     dispatch  26 rows" "64 ranks fitted" "$TMPD/out"
awk '/^deepep_[0-9]*:/ { p = 1; print; next } p && /^ / { print; next } { p = 0 }' \
	models/profiles/h100_sxm.yaml > "$TMPD/dshipped.yaml"
ok "the shipped DeepEP sections are the fit's" cmp "$TMPD/dfrag.yaml" "$TMPD/dshipped.yaml"

# bad input: exit 2, one line naming what is wrong
status 2 "unknown --kv" "$TTSIM" calibrate mla $M/h200_sxm_generation_mla_vllm_0.14.0.csv \
	--profile h200_sxm --kv fp16
has "option '--kv': bad value 'fp16'" "names the option" "$TMPD/err"
head -5 $M/h100_sxm_generation_mla_vllm_0.14.0.csv | sed '4s/,[^,]*$/,fast/' > "$TMPD/bad.csv"
status 2 "an MLA latency that is no number" "$TTSIM" calibrate mla "$TMPD/bad.csv" \
	--profile h100_sxm --kv bf16
has "bad.csv:4: key 'latency'" "file:line: key" "$TMPD/err"
head -5 $D/h100_sxm_deepep_ll_sglang_0.5.6.post2.csv | sed '3s/,7168,/,wide,/' > "$TMPD/badep.csv"
status 2 "a DeepEP hidden size that is no number" "$TTSIM" calibrate deepep "$TMPD/badep.csv" \
	$D/h100_sxm_deepep_normal_sglang_0.5.6.post2.csv --profile h100_sxm
has "badep.csv:3: key 'hidden_size'" "file:line: key" "$TMPD/err"
sed "s|$M/h100_sxm_generation_mla_vllm_0.14.0.csv|$TMPD/nosuch.csv|" models/profiles/h100_sxm.yaml \
	> "$TMPD/notable.yaml"
status 2 "an MLA table that is not there" "$TTSIM" profiles "$TMPD/notable.yaml"
has "notable.yaml:[0-9]*: key 'mla_bf16.table': .*nosuch.csv" "file:line: key" "$TMPD/err"
sed '/^mla_fp8:/,/^[a-z]/{/^  bw_eff:/d}' models/profiles/h100_sxm.yaml > "$TMPD/nobw.yaml"
status 2 "an MLA section without bw_eff" "$TTSIM" profiles "$TMPD/nobw.yaml"
has "nobw.yaml:[0-9]*: key 'mla_fp8.bw_eff': missing" "file:line: key" "$TMPD/err"
printf 'ep_alltoall: nvlink\n' | cat models/profiles/h100_sxm.yaml - > "$TMPD/a2a.yaml"
status 2 "an unknown ep_alltoall" "$TTSIM" profiles "$TMPD/a2a.yaml"
has "a2a.yaml:[0-9]*: key 'ep_alltoall': expected nccl or deepep, got 'nvlink'" "file:line: key" \
	"$TMPD/err"
finish
