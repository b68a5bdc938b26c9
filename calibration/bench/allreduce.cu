/*
 * allreduce.cu: NCCL all-reduce across 2, 4 and 8 GPUs of the node from one process
 * (ncclCommInitAll), 8 B to 1 GiB, eager and inside a CUDA graph. Writes allreduce.csv
 * (n_gpus,bytes,time_s,impl,graph,algo,algbw_GBps,busbw_GBps): time and bandwidths as
 * nccl-tests reports them (out-of-place, float sum; busbw = algbw x 2(n-1)/n).
 *
 *   nvcc -O2 -arch=sm_90 -o allreduce allreduce.cu -lnccl
 *   ./allreduce [--quick] [-o allreduce.csv]
 *
 * Each (GPU count, size) is first checked against the CPU's sum (rank r holds r + 1 + i%3,
 * so every element of the result is known), then timed after warm-up: host wall time over
 * a batch of iterations with all streams synchronized, as nccl-tests does. "algo" is
 * NCCL_ALGO from the environment ("auto" when unset: NCCL chooses per size).
 * Without nccl.h this file compiles to a stub that says so and exits 0.
 */
#include "common.h"

#if __has_include(<nccl.h>)
#include <nccl.h>

static void nccl_check(ncclResult_t r, const char *file, int line)
{
	if (r != ncclSuccess) {
		fprintf(stderr, "%s:%d: NCCL error: %s\n", file, line, ncclGetErrorString(r));
		exit(1);
	}
}
#define ncclCheck(x) nccl_check((x), __FILE__, __LINE__)

__global__ void init(float *p, size_t n, int rank)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = (float)(rank + 1 + i % 3);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
	int quick, ndev, ver;
	FILE *out = bench_out(argc, argv, &quick);
	cudaCheck(cudaGetDeviceCount(&ndev));
	ncclCheck(ncclGetVersion(&ver));
	if (ndev < 2) {
		fprintf(stderr, "allreduce: %d GPU, needs at least 2 (skipped)\n", ndev);
		return 0;
	}
	const char *algo = getenv("NCCL_ALGO") ? getenv("NCCL_ALGO") : "auto";
	size_t maxb = quick ? 256ull << 20 : 1ull << 30;
	csv_header(out, "allreduce", argc, argv, 0, ver);
	fprintf(out, "n_gpus,bytes,time_s,impl,graph,algo,algbw_GBps,busbw_GBps\n");
	for (int n = 2; n <= ndev && n <= 8; n *= 2) {
		std::vector<ncclComm_t> comm(n);
		std::vector<int> devs(n);
		std::vector<float *> sb(n), rb(n);
		std::vector<cudaStream_t> st(n);
		for (int i = 0; i < n; i++)
			devs[i] = i;
		ncclCheck(ncclCommInitAll(comm.data(), n, devs.data()));
		for (int i = 0; i < n; i++) {
			cudaCheck(cudaSetDevice(i));
			cudaCheck(cudaMalloc(&sb[i], maxb));
			cudaCheck(cudaMalloc(&rb[i], maxb));
			cudaCheck(cudaStreamCreateWithFlags(&st[i], cudaStreamNonBlocking));
			init<<<256, 256, 0, st[i]>>>(sb[i], maxb / 4, i);
			cudaCheck(cudaGetLastError());
		}
		auto ar = [&](size_t count) {
			ncclCheck(ncclGroupStart());
			for (int i = 0; i < n; i++)
				ncclCheck(ncclAllReduce(sb[i], rb[i], count, ncclFloat, ncclSum, comm[i], st[i]));
			ncclCheck(ncclGroupEnd());
		};
		auto sync = [&] {
			for (int i = 0; i < n; i++) {
				cudaCheck(cudaSetDevice(i));
				cudaCheck(cudaStreamSynchronize(st[i]));
			}
		};
		for (size_t bytes = 8; bytes <= maxb; bytes *= quick ? 4 : 2) {
			size_t count = bytes / 4 ? bytes / 4 : 1;
			/* CPU reference: sum over ranks of (r + 1 + i % 3) */
			ar(count);
			sync();
			for (int i = 0; i < n; i++) {
				size_t idx[3] = {0, count / 2, count - 1};
				for (size_t j : idx) {
					float got;
					cudaCheck(cudaSetDevice(i));
					cudaCheck(cudaMemcpy(&got, rb[i] + j, 4, cudaMemcpyDeviceToHost));
					check_close("allreduce", got, n * (n + 1) / 2.0 + n * (double)(j % 3), 0, 0);
				}
			}
			int iters = bytes >= (64 << 20) ? 5 : 20;
			for (int graph = 0; graph < 2; graph++) {
				std::vector<cudaGraphExec_t> ge(n);
				if (graph) {
					/* one graph per GPU, captured around the same grouped call */
					std::vector<cudaGraph_t> g(n);
					for (int i = 0; i < n; i++) {
						cudaCheck(cudaSetDevice(i));
						cudaCheck(cudaStreamBeginCapture(st[i], cudaStreamCaptureModeThreadLocal));
					}
					for (int it = 0; it < iters; it++)
						ar(count);
					for (int i = 0; i < n; i++) {
						cudaCheck(cudaSetDevice(i));
						cudaCheck(cudaStreamEndCapture(st[i], &g[i]));
						cudaCheck(cudaGraphInstantiate(&ge[i], g[i], 0));
						cudaCheck(cudaGraphDestroy(g[i]));
					}
				}
				auto batch = [&] {
					if (graph)
						for (int i = 0; i < n; i++) {
							cudaCheck(cudaSetDevice(i));
							cudaCheck(cudaGraphLaunch(ge[i], st[i]));
						}
					else
						for (int it = 0; it < iters; it++)
							ar(count);
				};
				batch(); /* warm-up */
				sync();
				std::vector<double> ts;
				for (int rep = 0; rep < 3; rep++) {
					double t0 = now();
					batch();
					sync();
					ts.push_back((now() - t0) / iters);
				}
				std::sort(ts.begin(), ts.end());
				double t = ts[1], algbw = bytes / t / 1e9;
				fprintf(out, "%d,%zu,%.6e,nccl,%d,%s,%.3f,%.3f\n", n, count * 4, t, graph, algo,
					algbw, algbw * 2 * (n - 1) / n);
				if (graph)
					for (int i = 0; i < n; i++)
						cudaCheck(cudaGraphExecDestroy(ge[i]));
			}
			fflush(out);
		}
		for (int i = 0; i < n; i++) {
			cudaCheck(cudaSetDevice(i));
			cudaCheck(cudaFree(sb[i]));
			cudaCheck(cudaFree(rb[i]));
			cudaCheck(cudaStreamDestroy(st[i]));
			ncclCheck(ncclCommDestroy(comm[i]));
		}
	}
	bench_close(out);
	return 0;
}

#else
int main(void)
{
	fprintf(stderr, "allreduce: built without nccl.h, NCCL all-reduce benchmark skipped\n");
	return 0;
}
#endif
