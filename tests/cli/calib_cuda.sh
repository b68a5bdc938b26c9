#!/bin/sh
# calib_cuda.sh: compile check of the CUDA benchmarks (nvcc -arch=sm_90), the GPU-less part
# of the GPU tier. Slow (about 40 s), so it runs only with TTSIM_CUDA_CHECK=1 (CI sets it);
# otherwise, or without nvcc, it says so and checks nothing.
. "$(dirname "$0")/lib.inc"
NVCC=${NVCC:-$(command -v nvcc || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; })}
if [ -z "$NVCC" ]; then echo "calib_cuda: nvcc not found, CUDA compile check skipped"; finish; fi
if [ "${TTSIM_CUDA_CHECK:-0}" != 1 ]; then echo "calib_cuda: skipped (TTSIM_CUDA_CHECK=1 to compile the .cu files)"; finish; fi
ok "nvcc -arch=sm_90 compiles every benchmark" make -s -j5 -C calibration/bench NVCC="$NVCC" OUT="$TMPD/bench" all
for b in gemm membw attention launch allreduce; do
	[ -x "$TMPD/bench/$b" ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: $b not built"; }
done
finish
