#!/bin/sh
# run_on_gpu.sh: build and run every calibration benchmark in --quick mode, within about
# 5 minutes of a short GPU lease, then fit a profile from the result.
#   calibration/run_on_gpu.sh [NAME]      -> calibration/raw/NAME/ (default: host name)
# Each benchmark is bounded by `timeout`, so one slow family cannot eat the lease; a family
# that fails or times out is reported and the others still run.
set -u
cd "$(dirname "$0")/.." || exit 1
NAME=${1:-$(hostname -s)}
RAW=calibration/raw/$NAME
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
[ -x "$NVCC" ] || { echo "run_on_gpu: nvcc not found (set NVCC)"; exit 2; }
nvidia-smi -L >/dev/null 2>&1 || { echo "run_on_gpu: no GPU visible (nvidia-smi -L failed)"; exit 2; }
mkdir -p "$RAW"
B=build/bench
make -s -j5 -C calibration/bench NVCC="$NVCC" OUT="$(pwd)/$B" all || exit 1
start=$(date +%s)
run() { # NAME LIMIT_S CMD...
	n=$1 lim=$2; shift 2
	if timeout "$lim" "$@"; then echo "run_on_gpu: $n done ($(( $(date +%s) - start )) s)";
	else echo "run_on_gpu: $n FAILED or timed out after ${lim}s (exit $?)"; fi
}
run launch 20 $B/launch --quick -o "$RAW/launch.csv"
run membw 30 $B/membw --quick -o "$RAW/membw.csv"
run attention 60 $B/attention --quick -d "$RAW"
run gemm 120 $B/gemm --quick -o "$RAW/gemm.csv"
run allreduce 50 $B/allreduce --quick -o "$RAW/allreduce.csv"
for f in "$RAW"/*.csv; do [ -s "$f" ] || rm -f "$f"; done
echo "run_on_gpu: raw data in $RAW ($(( $(date +%s) - start )) s)"
# the base profile: BASE=NAME|FILE, else the one shipped for the GPU the CSVs name (the fit
# stops and says so when there is none; the raw data stay either way)
if [ -x build/ttsim ]; then
	build/ttsim calibrate fit "$RAW" ${BASE:+--base "$BASE"} --no-loo \
		-o "$RAW/$NAME.yaml" --report "$RAW/report.json" || true
fi
