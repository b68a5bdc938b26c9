/*
 * common.h: what every calibration benchmark shares (after llm.c dev/cuda/common.h):
 * return-code checks that exit with file and line, CUDA-event timing with an L2 flush
 * before each timed run, and the '#' header of the raw CSVs (calibration/README.md).
 * Header-only; each benchmark .cu is otherwise self-contained.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <algorithm>
#include <vector>
#include <cuda_runtime.h>

static inline void cuda_check(cudaError_t e, const char *file, int line)
{
	if (e != cudaSuccess) {
		fprintf(stderr, "%s:%d: CUDA error: %s\n", file, line, cudaGetErrorString(e));
		exit(1);
	}
}
#define cudaCheck(x) cuda_check((x), __FILE__, __LINE__)

/* Deterministic test values in [-1, 1): the same on host and device, so that CPU
 * references can regenerate any input element without copying it back. */
__host__ __device__ static inline float hash_val(unsigned long long i, unsigned seed)
{
	unsigned long long x = i * 0x9E3779B97F4A7C15ull + seed * 0xBF58476D1CE4E5B9ull;
	x ^= x >> 31;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 29;
	return (float)((x >> 40) & 0xFFFF) / 32768.0f - 1.0f;
}

/* Flush L2 by writing a buffer twice its size (so weights are read from HBM, as in a
 * model's forward pass where each weight is touched once per step). */
struct l2flush {
	void *buf;
	size_t bytes;
};
static inline void l2flush_init(struct l2flush *f)
{
	int l2 = 0, dev;
	cudaCheck(cudaGetDevice(&dev));
	cudaCheck(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, dev));
	f->bytes = (size_t)(l2 > 0 ? l2 : 50 << 20) * 2;
	cudaCheck(cudaMalloc(&f->buf, f->bytes));
}
static inline void l2flush_run(struct l2flush *f, cudaStream_t s)
{
	cudaCheck(cudaMemsetAsync(f->buf, 0, f->bytes, s));
}
static inline void l2flush_free(struct l2flush *f) { cudaCheck(cudaFree(f->buf)); }

/* Median seconds of `iters` timed runs of fn after `warmup` untimed ones; each run is
 * preceded by an L2 flush when flush is non-NULL. */
template <typename F>
static inline double time_median(F fn, int warmup, int iters, struct l2flush *flush, cudaStream_t s)
{
	cudaEvent_t a, b;
	std::vector<float> ms;
	cudaCheck(cudaEventCreate(&a));
	cudaCheck(cudaEventCreate(&b));
	for (int i = 0; i < warmup; i++)
		fn();
	cudaCheck(cudaStreamSynchronize(s));
	for (int i = 0; i < iters; i++) {
		float t;
		if (flush)
			l2flush_run(flush, s);
		cudaCheck(cudaEventRecord(a, s));
		fn();
		cudaCheck(cudaEventRecord(b, s));
		cudaCheck(cudaEventSynchronize(b));
		cudaCheck(cudaEventElapsedTime(&t, a, b));
		ms.push_back(t);
	}
	cudaCheck(cudaEventDestroy(a));
	cudaCheck(cudaEventDestroy(b));
	std::sort(ms.begin(), ms.end());
	return ms[ms.size() / 2] * 1e-3;
}

/* The '#' header: GPU, count, driver, CUDA, cuBLAS and NCCL versions, clocks, date,
 * command line. cublas/nccl are version numbers or 0 when the benchmark uses neither. */
static inline void csv_header(FILE *f, const char *family, int argc, char **argv, int cublas, int nccl)
{
	cudaDeviceProp p;
	int dev, count, drv, rt, clk = 0, mclk = 0;
	char date[64];
	time_t now = time(NULL);
	cudaCheck(cudaGetDevice(&dev));
	cudaCheck(cudaGetDeviceCount(&count));
	cudaCheck(cudaGetDeviceProperties(&p, dev));
	cudaCheck(cudaDriverGetVersion(&drv));
	cudaCheck(cudaRuntimeGetVersion(&rt));
	cudaDeviceGetAttribute(&clk, cudaDevAttrClockRate, dev);
	cudaDeviceGetAttribute(&mclk, cudaDevAttrMemoryClockRate, dev);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "# ttsim raw calibration: %s\n# gpu: %s\n# gpu_count: %d\n", family, p.name, count);
	fprintf(f, "# driver: %d.%d\n# cuda: %d.%d\n", drv / 1000, drv % 1000 / 10, rt / 1000,
		rt % 1000 / 10);
	if (cublas)
		fprintf(f, "# cublas: %d\n", cublas);
	if (nccl)
		fprintf(f, "# nccl: %d\n", nccl);
	fprintf(f, "# clocks: sm %d MHz, memory %d MHz\n# date: %s\n# command:", clk / 1000,
		mclk / 1000, date);
	for (int i = 0; i < argc; i++)
		fprintf(f, " %s", argv[i]);
	fprintf(f, "\n");
}

/* -o FILE (default stdout) and --quick from argv. */
static inline FILE *bench_out(int argc, char **argv, int *quick)
{
	FILE *f = stdout;
	*quick = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			*quick = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			f = fopen(argv[++i], "w");
			if (!f) {
				fprintf(stderr, "%s: cannot open '%s'\n", argv[0], argv[i]);
				exit(2);
			}
		}
	}
	return f;
}

/* Close what bench_out opened (standard output stays open); a failed write exits, so that a
 * short CSV is never taken for a whole one. */
static inline void bench_close(FILE *f)
{
	if (f != stdout && fclose(f)) {
		perror("bench: cannot write the output");
		exit(2);
	}
}

/* Compare got against want: |got - want| <= atol + rtol |want|; exits on a mismatch. */
static inline void check_close(const char *what, double got, double want, double atol, double rtol)
{
	if (!(fabs(got - want) <= atol + rtol * fabs(want))) {
		fprintf(stderr, "%s: result does not match the CPU reference: %g vs %g\n", what, got, want);
		exit(1);
	}
}

#endif
