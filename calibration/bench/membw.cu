/*
 * membw.cu: HBM bandwidth of read, write, copy and triad over buffers far larger than L2.
 * Writes membw.csv (op,bytes,time_s), bytes = bytes moved (read + written) by one kernel.
 *
 *   nvcc -O2 -arch=sm_90 -o membw membw.cu
 *   ./membw [--quick] [-o membw.csv]
 *
 * float4 grid-stride kernels. Each op's result is checked against a CPU reference (the
 * read sum against its closed form; copy and triad on sampled elements) before timing.
 */
#include <math.h>
#include "common.h"

__global__ void init(float *p, size_t n, float v)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = v + (float)(i % 7);
}

/* read: each block writes its partial sum, so the read cannot be optimised away */
__global__ void k_read(const float4 *a, size_t n4, double *part)
{
	__shared__ double sh[256];
	double s = 0;
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n4; i += (size_t)gridDim.x * blockDim.x) {
		float4 v = a[i];
		s += (double)v.x + v.y + v.z + v.w;
	}
	sh[threadIdx.x] = s;
	__syncthreads();
	for (int o = blockDim.x / 2; o > 0; o /= 2) {
		if (threadIdx.x < o)
			sh[threadIdx.x] += sh[threadIdx.x + o];
		__syncthreads();
	}
	if (!threadIdx.x)
		part[blockIdx.x] = sh[0];
}

__global__ void k_write(float4 *a, size_t n4, float v)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n4; i += (size_t)gridDim.x * blockDim.x)
		a[i] = make_float4(v, v, v, v);
}

__global__ void k_copy(float4 *__restrict__ b, const float4 *__restrict__ a, size_t n4)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n4; i += (size_t)gridDim.x * blockDim.x)
		b[i] = a[i];
}

__global__ void k_triad(float4 *__restrict__ a, const float4 *__restrict__ b,
			const float4 *__restrict__ c, float s, size_t n4)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n4; i += (size_t)gridDim.x * blockDim.x) {
		float4 x = b[i], y = c[i];
		a[i] = make_float4(x.x + s * y.x, x.y + s * y.y, x.z + s * y.z, x.w + s * y.w);
	}
}

static float at(const float *d, size_t i)
{
	float v;
	cudaCheck(cudaMemcpy(&v, d + i, sizeof(v), cudaMemcpyDeviceToHost));
	return v;
}

int main(int argc, char **argv)
{
	int quick, dev, sms;
	FILE *out = bench_out(argc, argv, &quick);
	cudaCheck(cudaGetDevice(&dev));
	cudaCheck(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
	size_t maxn = (quick ? 256ull : 1024ull) << 20 >> 2; /* floats per buffer */
	float *a, *b, *c;
	double *part;
	int grid = sms * 8, block = 256;
	cudaCheck(cudaMalloc(&a, maxn * 4));
	cudaCheck(cudaMalloc(&b, maxn * 4));
	cudaCheck(cudaMalloc(&c, maxn * 4));
	cudaCheck(cudaMalloc(&part, grid * sizeof(double)));
	cudaStream_t s;
	cudaCheck(cudaStreamCreate(&s));
	csv_header(out, "membw", argc, argv, 0, 0);
	fprintf(out, "op,bytes,time_s\n");
	for (size_t n = maxn / 4; n <= maxn; n *= 2) {
		size_t n4 = n / 4;
		init<<<grid, block, 0, s>>>(a, n, 1.0f);
		init<<<grid, block, 0, s>>>(b, n, 2.0f);
		init<<<grid, block, 0, s>>>(c, n, 3.0f);
		cudaCheck(cudaGetLastError());
		/* checks: read sum of a = sum_i (1 + i % 7); copy b <- a; triad a <- b + 2c */
		k_read<<<grid, block, 0, s>>>((const float4 *)a, n4, part);
		std::vector<double> hp(grid);
		cudaCheck(cudaMemcpy(hp.data(), part, grid * sizeof(double), cudaMemcpyDeviceToHost));
		double sum = 0, ref = 0;
		for (double v : hp)
			sum += v;
		for (size_t r = 0; r < 7; r++)
			ref += (1.0 + r) * (double)((n + 6 - r) / 7);
		check_close("membw read", sum, ref, 0, 1e-9);
		k_copy<<<grid, block, 0, s>>>((float4 *)b, (const float4 *)a, n4);
		cudaCheck(cudaGetLastError());
		for (size_t i = 1; i < n; i = i * 3 + 1)
			check_close("membw copy", at(b, i), 1.0 + i % 7, 0, 0);
		init<<<grid, block, 0, s>>>(b, n, 2.0f);
		k_triad<<<grid, block, 0, s>>>((float4 *)a, (const float4 *)b, (const float4 *)c, 2.0f, n4);
		cudaCheck(cudaGetLastError());
		for (size_t i = 1; i < n; i = i * 3 + 1)
			check_close("membw triad", at(a, i), (2.0 + i % 7) + 2 * (3.0 + i % 7), 0, 1e-6);
		k_write<<<grid, block, 0, s>>>((float4 *)c, n4, 5.0f);
		cudaCheck(cudaGetLastError());
		check_close("membw write", at(c, n - 1), 5.0, 0, 0);

		double B = n * 4.0;
		double t;
		t = time_median([&] { k_read<<<grid, block, 0, s>>>((const float4 *)a, n4, part); }, 3, 10, NULL, s);
		fprintf(out, "read,%.0f,%.6e\n", B, t);
		t = time_median([&] { k_write<<<grid, block, 0, s>>>((float4 *)c, n4, 1.0f); }, 3, 10, NULL, s);
		fprintf(out, "write,%.0f,%.6e\n", B, t);
		t = time_median([&] { k_copy<<<grid, block, 0, s>>>((float4 *)b, (const float4 *)a, n4); }, 3, 10, NULL, s);
		fprintf(out, "copy,%.0f,%.6e\n", 2 * B, t);
		t = time_median([&] { k_triad<<<grid, block, 0, s>>>((float4 *)a, (const float4 *)b, (const float4 *)c, 2.0f, n4); },
				3, 10, NULL, s);
		fprintf(out, "triad,%.0f,%.6e\n", 3 * B, t);
		cudaCheck(cudaGetLastError());
	}
	cudaCheck(cudaFree(a));
	cudaCheck(cudaFree(b));
	cudaCheck(cudaFree(c));
	cudaCheck(cudaFree(part));
	bench_close(out);
	return 0;
}
