#!/bin/sh
# run_on_gpu.sh: build and run every calibration benchmark, then fit a profile from them.
#   calibration/run_on_gpu.sh [--full] [NAME]     -> calibration/raw/NAME/ (default: host name)
# Default, for a short lease: the --quick grids, each benchmark bounded by `timeout` (launch
# 20 s, membw 30 s, attention 50 s, gemm 100 s, allreduce 50 s: at most 250 s with the
# build's 10-20 s on top), a fit without leave-one-out. --full (what `make calibrate` runs):
# the full grids, no time bounds, leave-one-out in the fit.
# Each benchmark writes into a staging directory, and only one that exits 0 has its CSVs
# moved into RAW (an empty one, as allreduce leaves on a single GPU, is dropped). What a
# failed or timed-out one wrote goes to RAW/failed/, where the fitter does not look: a
# half-written table never passes for a whole one. CSVs of an earlier run in RAW move to
# RAW/previous/ first, so that RAW holds one run. Exit status 1 when a benchmark or the fit
# failed; the others still run.
# Environment: NVCC; BASE (the fit's base profile, default the one shipped for the GPU the
# CSVs name); RAW (output directory); TTSIM (default build/ttsim); BENCH_BIN (run these
# benchmark binaries and skip the build and the GPU check: the tests use it).
set -u
cd "$(dirname "$0")/.." || exit 1
full=0
[ "${1:-}" = --full ] && { full=1; shift; }
NAME=${1:-$(hostname -s)}
RAW=${RAW:-calibration/raw/$NAME}
TTSIM=${TTSIM:-build/ttsim}
if [ -n "${BENCH_BIN:-}" ]; then
	B=$BENCH_BIN
else
	NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
	[ -x "$NVCC" ] || { echo "run_on_gpu: nvcc not found (set NVCC)"; exit 2; }
	nvidia-smi -L >/dev/null 2>&1 || { echo "run_on_gpu: no GPU visible (nvidia-smi -L failed)"; exit 2; }
	B=build/bench
	make -s -j5 -C calibration/bench NVCC="$NVCC" OUT="$(pwd)/$B" all || exit 1
fi
mkdir -p "$RAW" || exit 1
old=$(ls "$RAW"/*.csv 2>/dev/null)
if [ -n "$old" ]; then
	mkdir -p "$RAW/previous" && mv "$RAW"/*.csv "$RAW/previous/" || exit 1
	echo "run_on_gpu: the CSVs of an earlier run in $RAW moved to $RAW/previous/"
fi
stage=$(mktemp -d "$RAW/.staging.XXXXXX") || exit 1
trap 'rm -rf "$stage"' EXIT
start=$(date +%s) failed=0
run() { # NAME LIMIT_S CMD... (CMD writes its CSVs into $stage)
	n=$1 lim=$2
	shift 2
	if [ $full = 1 ]; then "$@"; else timeout "$lim" "$@"; fi
	rc=$?
	if [ $rc = 0 ]; then
		for f in "$stage"/*.csv; do
			[ -e "$f" ] || continue
			if [ -s "$f" ]; then mv "$f" "$RAW/"; else rm -f "$f"; fi
		done
		echo "run_on_gpu: $n done ($(($(date +%s) - start)) s)"
	else
		mkdir -p "$RAW/failed"
		for f in "$stage"/*; do [ -e "$f" ] && mv "$f" "$RAW/failed/"; done
		why="exit $rc"
		[ $rc = 124 ] && why="timed out after $lim s"
		echo "run_on_gpu: $n FAILED ($why); what it wrote is in $RAW/failed/, not used"
		failed=$((failed + 1))
	fi
}
q=--quick
[ $full = 1 ] && q=
run launch 20 "$B/launch" $q -o "$stage/launch.csv"
run membw 30 "$B/membw" $q -o "$stage/membw.csv"
run attention 50 "$B/attention" $q -d "$stage"
run gemm 100 "$B/gemm" $q -o "$stage/gemm.csv"
run allreduce 50 "$B/allreduce" $q -o "$stage/allreduce.csv"
echo "run_on_gpu: raw data in $RAW ($(($(date +%s) - start)) s, $failed failed)"
loo=--no-loo
[ $full = 1 ] && loo=
if [ -x "$TTSIM" ]; then
	"$TTSIM" calibrate fit "$RAW" ${BASE:+--base "$BASE"} $loo \
		-o "$RAW/$NAME.yaml" --report "$RAW/report.json" || failed=$((failed + 1))
else
	echo "run_on_gpu: $TTSIM not built, no fit (make; then ttsim calibrate fit $RAW -o ...)"
fi
[ $failed = 0 ]
