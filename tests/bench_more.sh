#!/bin/sh
# Sweep throughput, called by tests/bench.sh with the ttsim path as $1: points per minute of
# a sweep over seeds of "MATH500-sized" points (4000 sequences of 100 + 4000 tokens, 14B,
# one GH200 node as 4 replicas: the shape of MATH500 x 8 samples; the synthetic stand-in
# keeps the figure independent of the trace module), with --jobs 1, --jobs 2 and, when
# build/mpi/ttsim exists (make MPI=1 BUILD=build/mpi), mpirun -n 2.
TTSIM=${1:-build/ttsim}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
N=${SWEEP_BENCH_POINTS:-600}
cat > "$D/b.yaml" <<Y
schema_version: 1
model: r1-qwen-14b
gpu: gh200
replicas: 4
requests: 4000
input_len: 100
output_len: 4000
sweep:
  seed: {from: 1, to: $N, step: 1}
Y
rate() { # rate LABEL CMD...: points per minute
	label=$1; shift
	rm -rf "$D/o"
	R_LAST=0
	t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "$label: FAILED"; return; }; t1=$(date +%s.%N)
	R_LAST=$(echo "$N*60/($t1-$t0)" | bc -l)
	printf '%-58s %8.0f points/min (%d points, %.2f s)\n' "$label" "$R_LAST" "$N" "$(echo "$t1-$t0" | bc -l)"
}
ratio() { # ratio LABEL A B: A / B in percent (the issue's target for MPI: >= 90%)
	printf '%-58s %8.0f%%\n' "$1" "$(echo "100*$2/$3" | bc -l)"
}
rate "sweep, 14B MATH500-sized points, --jobs 1" "$TTSIM" sweep "$D/b.yaml" --jobs 1 --out "$D/o"
rate "sweep, 14B MATH500-sized points, --jobs 2" "$TTSIM" sweep "$D/b.yaml" --jobs 2 --out "$D/o"
if [ -x build/mpi/ttsim ] && command -v mpirun >/dev/null 2>&1; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	rate "sweep, 14B MATH500-sized points, mpirun -n 2" mpirun --oversubscribe -n 2 build/mpi/ttsim sweep "$D/b.yaml" --out "$D/o"
fi
# the same on the real thing: MATH500 x 8 samples from the shipped trace (long-tailed
# lengths, so the KV cache thrashes and preemption keeps steps short); more points, so that
# mpirun's start-up (~0.5 s) does not dominate
NT=${SWEEP_BENCH_TRACE_POINTS:-1800}
cat > "$D/t.yaml" <<Y
schema_version: 1
model: r1-qwen-14b
gpu: gh200
replicas: 4
trace: math500
samples: 8
sweep:
  seed: {from: 1, to: $NT, step: 1}
Y
N=$NT
rate "sweep, MATH500 x 8 samples, 14B, GH200 x 4, --jobs 1" "$TTSIM" sweep "$D/t.yaml" --jobs 1 --out "$D/o"
rate "sweep, MATH500 x 8 samples, 14B, GH200 x 4, --jobs 2" "$TTSIM" sweep "$D/t.yaml" --jobs 2 --out "$D/o"
J2=$R_LAST
if [ -x build/mpi/ttsim ] && command -v mpirun >/dev/null 2>&1; then
	rate "sweep, MATH500 x 8 samples, 14B, GH200 x 4, mpirun -n 2" mpirun --oversubscribe -n 2 build/mpi/ttsim sweep "$D/t.yaml" --out "$D/o"
	[ "$R_LAST" != 0 ] && ratio "  mpirun -n 2 / --jobs 2 (mpirun start-up included)" "$R_LAST" "$J2"
fi
# the studies at full size (study 1 must take under a minute on 2 cores)
for s in accuracy_compute speculative tensor_parallel frontier; do
	rm -rf "$D/st"
	t0=$(date +%s.%N); "$TTSIM" run "experiments/paper/$s.yaml" --out "$D/st" >/dev/null 2>&1 || echo "study $s: FAILED"; t1=$(date +%s.%N)
	printf '%-58s %8.2f s (%d points)\n' "study $s, full size" "$(echo "$t1-$t0" | bc -l)" "$(($(wc -l < "$D/st/results.csv") - 1))"
done
# sweep loading is linear in the axis values (issue 14: it was quadratic, 60-100 s here):
# 200,000 values, stopped right after loading by overriding the swept key
awk 'BEGIN { printf "schema_version: 1\nsweep:\n  seed: ["; for (i = 1; i <= 200000; i++) printf "%s%d", (i > 1 ? ", " : ""), i; print "]" }' > "$D/big.yaml"
t0=$(date +%s.%N); "$TTSIM" sweep "$D/big.yaml" --seed 3 --out "$D/big" >/dev/null 2>&1; t1=$(date +%s.%N)
printf '%-58s %8.2f s\n' "load a sweep of 200,000 axis values" "$(echo "$t1-$t0" | bc -l)"
