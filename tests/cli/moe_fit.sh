#!/bin/sh
# The fused-MoE sections of the profiles (models/profile.h "Fused MoE") and their fit,
# `ttsim calibrate moe` (issue 19): the shipped section is what the fit of the shipped table
# gives, byte for byte; bad sections and bad tables exit 2 naming file, line and key.
. "$(dirname "$0")/lib.inc"
M=calibration/data/aiconfigurator/moe
K=vllm_gptossmxfp4moe_triton_oaitritonmxfp4expertsmonolithic

# the shipped h100_sxm moe_mxfp4 section is the fit's (calibration/moe_profiles.sh)
ok "calibrate moe (MXFP4, H100)" "$TTSIM" calibrate moe $M/h100_sxm_moe_vllm_0.24.0_mxfp4.csv \
	--profile models/profiles/h100_sxm.yaml --dtype mxfp4 --kernel $K --yaml "$TMPD/frag.yaml"
has "held out by layout (3 folds): median" "held-out error printed" "$TMPD/out"
has "measured table: 24 shapes; interpolated .Steffen, log-log. leaving one token count out" \
	"the table's own held-out error printed" "$TMPD/out"
grep -A7 '^moe_mxfp4:' models/profiles/h100_sxm.yaml > "$TMPD/shipped.yaml"
ok "the shipped section is the fit's" cmp "$TMPD/frag.yaml" "$TMPD/shipped.yaml"
has "^  table: $M/h100_sxm_moe_vllm_0.24.0_mxfp4.csv  # measured" "the section names its table" \
	"$TMPD/frag.yaml"

# a profile's measured table (models/moe_table.h): missing, bad, or without the fit: exit 2
sed "s|$M/h100_sxm_moe_vllm_0.24.0_mxfp4.csv|$TMPD/nosuch.csv|" models/profiles/h100_sxm.yaml \
	> "$TMPD/notable.yaml"
status 2 "a table that is not there" "$TTSIM" profiles "$TMPD/notable.yaml"
has "notable.yaml:[0-9]*: key 'moe_mxfp4.table': .*nosuch.csv" "file:line: key" "$TMPD/err"
sed "s|$M/h100_sxm_moe_vllm_0.24.0_mxfp4.csv|$TMPD/bad.csv|" models/profiles/h100_sxm.yaml \
	> "$TMPD/badtable.yaml"

# bad input: exit 2, one line naming what is wrong
status 2 "unknown --dtype" "$TTSIM" calibrate moe $M/h100_sxm_moe_vllm_0.24.0_mxfp4.csv \
	--profile h100_sxm --dtype fp4 --kernel $K
has "option '--dtype': bad value 'fp4'" "names the option" "$TMPD/err"
status 2 "fp8 experts on a GPU without fp8 tensor cores" "$TTSIM" calibrate moe \
	$M/a100_sxm_moe_vllm_0.14.0_bf16.csv --profile a100_sxm --dtype fp8 --kernel vllm_fused_moe
has "no fp8 tensor cores" "says why" "$TMPD/err"
head -5 $M/h100_sxm_moe_vllm_0.24.0_mxfp4.csv | sed '4s/,[^,]*$/,fast/' > "$TMPD/bad.csv"
status 2 "a latency that is no number" "$TTSIM" calibrate moe "$TMPD/bad.csv" --profile h100_sxm \
	--dtype mxfp4 --kernel $K
has "bad.csv:4: key 'latency'" "file:line: key" "$TMPD/err"
ok "a bad table is read only where a run needs it" "$TTSIM" profiles "$TMPD/badtable.yaml"
status 2 "a run that needs a bad table" "$TTSIM" run --model gpt-oss-20b --gpu "$TMPD/badtable.yaml" \
	--mxfp4-backend triton --requests 1 --input-len 8 --output-len 8
has "key 'moe_mxfp4.table': .*bad.csv:4: key 'latency'" "the table's file, line and key" \
	"$TMPD/err"
cp tests/data/frozen_h100.yaml "$TMPD/tableonly.yaml"
printf 'moe_bf16:\n  table: %s\n' $M/h100_sxm_moe_vllm_0.14.0_bf16_fp8block.csv >> "$TMPD/tableonly.yaml"
status 2 "a table without the fit" "$TTSIM" profiles "$TMPD/tableonly.yaml"
has "tableonly.yaml:[0-9]*: key 'moe_bf16.table': expected the fitted eff, bw_eff" "names the key" "$TMPD/err"
status 2 "no row of the kernel" "$TTSIM" calibrate moe $M/h100_sxm_moe_vllm_0.24.0_mxfp4.csv \
	--profile h100_sxm --dtype mxfp4 --kernel nosuch --yaml "$TMPD/none.yaml"
has "no row of kernel 'nosuch'" "says so" "$TMPD/err"
[ ! -e "$TMPD/none.yaml" ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: yaml written"; }

# a profile's section: eff, bw_eff, block and slot_bw_eff or none (t0, expert_t optional),
# each in its range, block on the fit's grid, no unknown key
cp tests/data/frozen_h100.yaml "$TMPD/half.yaml"
L=$(($(wc -l < "$TMPD/half.yaml") + 2))
printf 'moe_bf16:\n  t0: 1e-5\n  eff: 0.5\n' >> "$TMPD/half.yaml"
status 2 "half a fused-MoE section" "$TTSIM" profiles "$TMPD/half.yaml"
has "half.yaml:$L: key 'moe_bf16.bw_eff': missing (a fused-MoE section needs eff, bw_eff, block and slot_bw_eff; t0 and expert_t are optional" \
	"names file, line and the missing key" "$TMPD/err"
cp tests/data/frozen_h100.yaml "$TMPD/noslot.yaml"
printf 'moe_bf16:\n  t0: 1e-5\n  eff: 0.5\n  bw_eff: 0.5\n  block: 64\n  expert_t: 1e-7\n' >> "$TMPD/noslot.yaml"
status 2 "a section without slot_bw_eff" "$TTSIM" profiles "$TMPD/noslot.yaml"
has "noslot.yaml:$L: key 'moe_bf16.slot_bw_eff': missing" "names the fifth number's key" "$TMPD/err"
cp tests/data/frozen_h100.yaml "$TMPD/grid.yaml"
printf 'moe_bf16:\n  eff: 0.5\n  bw_eff: 0.5\n  block: 48\n  slot_bw_eff: 0.5\n' >> "$TMPD/grid.yaml"
status 2 "a block off the fit's grid" "$TTSIM" profiles "$TMPD/grid.yaml"
has "grid.yaml:$((L + 2)): key 'moe_bf16.block': expected 16, 32, 64 or 128 (the block grid of calibration/moe_fit.c), got '48'" \
	"names file, line and key" "$TMPD/err"
status 2 "a run on that profile refuses it before any cost" "$TTSIM" run --model qwen3-30b-a3b --gpu "$TMPD/grid.yaml" \
	--requests 1 --input-len 8 --output-len 8
has "grid.yaml:$((L + 2)): key 'moe_bf16.block'" "the run names file, line and key" "$TMPD/err"
sed 's/  block: 48/  block: 32/' "$TMPD/grid.yaml" > "$TMPD/not0.yaml"
ok "t0 and expert_t may be absent (0: the writer leaves a fitted 0 out)" "$TTSIM" profiles "$TMPD/not0.yaml"
cp tests/data/frozen_h100.yaml "$TMPD/range.yaml"
printf 'moe_fp8:\n  t0: 1e-5\n  eff: 1.5\n  bw_eff: 0.5\n  block: 64\n  slot_bw_eff: 0.5\n' \
	>> "$TMPD/range.yaml"
status 2 "eff above 1" "$TTSIM" profiles "$TMPD/range.yaml"
has "range.yaml:[0-9]*: key 'moe_fp8.eff': expected a number in \[0, 1\], got '1.5'" "names the key" \
	"$TMPD/err"
sed 's/  eff: 1.5/  eff: 0.5/; s/  block: 64/  block: 64.5/' "$TMPD/range.yaml" > "$TMPD/block.yaml"
status 2 "a block that is not whole" "$TTSIM" profiles "$TMPD/block.yaml"
has "block.yaml:[0-9]*: key 'moe_fp8.block': expected 16, 32, 64 or 128" "names file, line and key" "$TMPD/err"
sed 's/  block: 64.5/  blok: 64/' "$TMPD/block.yaml" > "$TMPD/key.yaml"
status 2 "an unknown key in the section" "$TTSIM" profiles "$TMPD/key.yaml"
has "key.yaml:[0-9]*: key 'moe_fp8.blok': unknown key" "file:line: key" "$TMPD/err"
sed 's/  blok: 64/  block: 64/' "$TMPD/key.yaml" > "$TMPD/good.yaml"
ok "a whole section reads" "$TTSIM" profiles "$TMPD/good.yaml"
finish
