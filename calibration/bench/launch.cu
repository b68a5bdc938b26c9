/*
 * launch.cu: the GPU time of one kernel launched eagerly, and of one kernel replayed inside
 * a CUDA graph. Writes launch.csv (mode,kernels,time_s), time_s per kernel.
 *
 *   nvcc -O2 -arch=sm_90 -o launch launch.cu
 *   ./launch [--quick] [-o launch.csv]
 *
 * N back-to-back launches of a one-thread kernel that increments a counter, timed with CUDA
 * events; the counter is checked against the CPU's count (N per run) before timing.
 */
#include "common.h"

__global__ void bump(unsigned long long *c) { *c += 1; }

int main(int argc, char **argv)
{
	int quick;
	FILE *out = bench_out(argc, argv, &quick);
	unsigned long long *cnt, got;
	cudaStream_t s;
	cudaCheck(cudaMalloc(&cnt, sizeof(*cnt)));
	cudaCheck(cudaStreamCreate(&s));
	csv_header(out, "launch", argc, argv, 0, 0);
	fprintf(out, "mode,kernels,time_s\n");
	int sizes[] = {10, 100, 1000};
	for (int n : sizes) {
		cudaGraph_t g;
		cudaGraphExec_t ge;
		cudaCheck(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
		for (int i = 0; i < n; i++)
			bump<<<1, 1, 0, s>>>(cnt);
		cudaCheck(cudaStreamEndCapture(s, &g));
		cudaCheck(cudaGraphInstantiate(&ge, g, 0));
		/* CPU reference: one eager round and one replay add 2n */
		cudaCheck(cudaMemsetAsync(cnt, 0, sizeof(*cnt), s));
		for (int i = 0; i < n; i++)
			bump<<<1, 1, 0, s>>>(cnt);
		cudaCheck(cudaGraphLaunch(ge, s));
		cudaCheck(cudaMemcpyAsync(&got, cnt, sizeof(got), cudaMemcpyDeviceToHost, s));
		cudaCheck(cudaStreamSynchronize(s));
		check_close("launch counter", (double)got, 2.0 * n, 0, 0);
		int reps = quick ? 5 : 20;
		double te = time_median([&] { for (int i = 0; i < n; i++) bump<<<1, 1, 0, s>>>(cnt); }, 2, reps, NULL, s);
		double tg = time_median([&] { cudaCheck(cudaGraphLaunch(ge, s)); }, 2, reps, NULL, s);
		cudaCheck(cudaGetLastError());
		fprintf(out, "eager,%d,%.6e\ngraph,%d,%.6e\n", n, te / n, n, tg / n);
		cudaCheck(cudaGraphExecDestroy(ge));
		cudaCheck(cudaGraphDestroy(g));
	}
	cudaCheck(cudaFree(cnt));
	bench_close(out);
	return 0;
}
