#!/bin/sh
# Leak check of whole commands under valgrind (CI; not part of make test, too slow there):
# a small `ttsim run` (with --out), a two-job `ttsim sweep`, `validate`, `calibrate`.
# Any leak ("definitely" or "indirectly" lost) or memory error fails. LeakSanitizer covers
# the whole suite under make check.
# Usage: tests/valgrind.sh [TTSIM]   (default build/ttsim)
cd "$(dirname "$0")/.." || exit 1
TTSIM=${1:-build/ttsim}
command -v valgrind >/dev/null 2>&1 || { echo "valgrind: not installed, leak check skipped"; exit 0; }
TMPD=$(mktemp -d); trap 'rm -rf "$TMPD"' EXIT
VG="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
cat > "$TMPD/s.yaml" <<'Y'
schema_version: 1
name: vg
requests: 8
input_len: 64
output_len: 64
sweep:
  model: [r1-qwen-1.5b]
  tp: [1, 2]
Y
fail=0
check() { d=$1; shift; if $VG "$@" >"$TMPD/out" 2>"$TMPD/err"; then echo "  valgrind ok: $d"; else fail=1; echo "FAIL valgrind: $d"; tail -n 30 "$TMPD/err"; fi; }
check "run" "$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --rate 3 --requests 30 --format json --out "$TMPD/run"
check "run trace" "$TTSIM" run --model r1-qwen-1.5b --trace math500 --requests 5 --samples 2
check "sweep --jobs 2" "$TTSIM" sweep "$TMPD/s.yaml" --jobs 2 --out "$TMPD/sw"
check "validate" "$TTSIM" validate tests/validation/dev.csv --format json
check "calibrate import" "$TTSIM" calibrate import nccl-tests tests/data/calib/all_reduce_perf.txt -o "$TMPD/nt"
check "calibrate fit" "$TTSIM" calibrate fit "$TMPD/nt" --base calibration/data/base/h100_sxm.yaml -o "$TMPD/p.yaml"
$VG "$TTSIM" run --tp 3 >/dev/null 2>"$TMPD/err"; rc=$?
if [ $rc = 2 ]; then echo "  valgrind ok: bad input (exit 2)"; else fail=1; echo "FAIL valgrind: bad input (exit $rc)"; tail -n 30 "$TMPD/err"; fi
[ $fail = 0 ] && echo "valgrind: no leaks or memory errors"
exit $fail
