#!/bin/sh
# Determinism across the matrix: one seed gives byte-identical JSON and CSV for `run`
# (stdout and every --out file), `validate`, `trace synth` (when ../shared/traces exists)
# `trace import` and `calibrate fit` (a small fit: the full one takes a minute).
# `sweep` (--jobs 1 and 2, MPI 2 ranks) is checked in sweep.sh.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

a="--model r1-qwen-1.5b --gpu h100_sxm --rate 4 --requests 40 --seed 7"
for fmt in json csv; do
	# shellcheck disable=SC2086
	"$TTSIM" run $a --format $fmt > "$TMPD/r1.$fmt"
	# shellcheck disable=SC2086
	"$TTSIM" run $a --format $fmt > "$TMPD/r2.$fmt"
	ok "run --format $fmt: same bytes" cmp "$TMPD/r1.$fmt" "$TMPD/r2.$fmt"
done
# (each option once: a repeated one is refused, so --requests 5 replaces $a's 40)
b="--model r1-qwen-1.5b --gpu h100_sxm --rate 4 --seed 7"
# shellcheck disable=SC2086
"$TTSIM" run $b --trace math500 --samples 2 --requests 5 --replications 2 --out "$TMPD/o1" > /dev/null
# shellcheck disable=SC2086
"$TTSIM" run $b --trace math500 --samples 2 --requests 5 --replications 2 --out "$TMPD/o2" > /dev/null
for f in summary.json requests.csv config.yaml; do
	ok "run --out $f: same bytes" cmp "$TMPD/o1/$f" "$TMPD/o2/$f"
done

"$TTSIM" validate tests/validation/dev.csv --format json > "$TMPD/v1" 2>/dev/null
"$TTSIM" validate tests/validation/dev.csv --format json > "$TMPD/v2" 2>/dev/null
ok "validate json: same bytes" cmp "$TMPD/v1" "$TMPD/v2"
ok "validate json: not empty" test -s "$TMPD/v1"

"$TTSIM" trace import jsonl tests/fuzz/corpus/fuzz_trace_import/log.jsonl -o "$TMPD/i1.jsonl"
"$TTSIM" trace import jsonl tests/fuzz/corpus/fuzz_trace_import/log.jsonl -o "$TMPD/i2.jsonl"
ok "trace import: same bytes" cmp "$TMPD/i1.jsonl" "$TMPD/i2.jsonl"

mkdir -p "$TMPD/raw"
printf '# gpu: NVIDIA H100 80GB HBM3\nop,bytes,time_s\nread,1e9,5e-4\nread,2e9,9e-4\nread,4e9,1.8e-3\ncopy,1e9,1e-3\n' > "$TMPD/raw/membw.csv"
"$TTSIM" calibrate import nccl-tests tests/data/calib/all_reduce_perf.txt -o "$TMPD/nt" > /dev/null
for k in 1 2; do # the profile is named after its file: one name in two folders
	mkdir -p "$TMPD/fit$k"
	"$TTSIM" calibrate fit "$TMPD/raw" "$TMPD/nt" --base calibration/data/base/h100_sxm.yaml \
		--report "$TMPD/fit$k/r.json" -o "$TMPD/fit$k/p.yaml" > /dev/null 2>&1
done
ok "calibrate fit profile: same bytes" cmp "$TMPD/fit1/p.yaml" "$TMPD/fit2/p.yaml"
ok "calibrate fit report: same bytes" cmp "$TMPD/fit1/r.json" "$TMPD/fit2/r.json"

if [ -d ../shared/traces ]; then
	"$TTSIM" trace synth r1-qwen-1.5b --from ../shared/traces --seed 5 --samples 4 -o "$TMPD/s1.jsonl"
	"$TTSIM" trace synth r1-qwen-1.5b --from ../shared/traces --seed 5 --samples 4 -o "$TMPD/s2.jsonl"
	ok "trace synth: same bytes" cmp "$TMPD/s1.jsonl" "$TMPD/s2.jsonl"
fi
finish
