/*
 * gemm.cu: cuBLASLt bf16 and fp8 GEMM time over the operator shapes of 1.5B to 72B models
 * at TP 1 to 8, m from 1 to 16,384. Writes gemm.csv (dtype,m,n,k,time_s,model).
 *
 *   nvcc -O2 -arch=sm_90 -o gemm gemm.cu -lcublasLt
 *   ./gemm [--quick] [-o gemm.csv]
 *
 * y[m x n] = x[m x k] W[k x n] in cuBLASLt's column-major terms: D[n x m] = W^T[n x k] x[k x m]
 * ("TN", the layout FP8 requires on Hopper), D in bf16, fp32 accumulation. Every shape is
 * first checked against a CPU reference on sampled output elements, then timed with CUDA
 * events after warm-up, L2 flushed before each timed run (weights come from HBM, as in
 * inference). FP8 is skipped with a message on GPUs without FP8 tensor cores.
 */
#include <math.h>
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include "common.h"

static void cublas_check(cublasStatus_t s, const char *file, int line)
{
	if (s != CUBLAS_STATUS_SUCCESS) {
		fprintf(stderr, "%s:%d: cuBLAS error %d\n", file, line, (int)s);
		exit(1);
	}
}
#define cublasCheck(x) cublas_check((x), __FILE__, __LINE__)

/* Model shapes: hidden, intermediate, heads, KV heads, head dim. */
static const struct {
	const char *name;
	int hidden, inter, heads, kv_heads, head_dim;
} models[] = {
	{"qwen2.5-1.5b", 1536, 8960, 12, 2, 128}, {"qwen2.5-7b", 3584, 18944, 28, 4, 128},
	{"llama-3.1-8b", 4096, 14336, 32, 8, 128}, {"qwen2.5-14b", 5120, 13824, 40, 8, 128},
	{"qwen2.5-32b", 5120, 27648, 40, 8, 128}, {"qwen2.5-72b", 8192, 29568, 64, 8, 128},
};

template <typename T>
__global__ void fill(T *p, size_t n, unsigned seed, float scale)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = T(hash_val(i, seed) * scale);
}

/* Host value of element i as the device holds it (rounded to the storage type). */
static float host_val(int fp8, size_t i, unsigned seed, float scale)
{
	float v = hash_val(i, seed) * scale;
	return fp8 ? float(__nv_fp8_e4m3(v)) : __bfloat162float(__float2bfloat16(v));
}

struct gemm {
	cublasLtHandle_t lt;
	void *ws;
	size_t ws_bytes;
};

/* D = W^T x; returns 0, 1 when cuBLASLt has no algorithm for this shape/type, or 2 when
 * the matmul itself refuses it (an algorithm the heuristic offered but cannot run). */
static int run(struct gemm *g, int fp8, int m, int n, int k, const void *W, const void *X,
	       __nv_bfloat16 *D, cudaStream_t s, int do_run, cublasLtMatmulAlgo_t *algo_io)
{
	cudaDataType_t ab = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
	cublasLtMatmulDesc_t op;
	cublasLtMatrixLayout_t la, lb, ld;
	cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
	float alpha = 1, beta = 0;
	cublasCheck(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
	cublasCheck(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof(ta)));
	cublasCheck(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof(tb)));
	cublasCheck(cublasLtMatrixLayoutCreate(&la, ab, k, n, k));
	cublasCheck(cublasLtMatrixLayoutCreate(&lb, ab, k, m, k));
	cublasCheck(cublasLtMatrixLayoutCreate(&ld, CUDA_R_16BF, n, m, n));
	int rc = 0;
	if (!do_run) {
		cublasLtMatmulPreference_t pref;
		cublasLtMatmulHeuristicResult_t h;
		int found = 0;
		cublasCheck(cublasLtMatmulPreferenceCreate(&pref));
		cublasCheck(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
								  &g->ws_bytes, sizeof(g->ws_bytes)));
		cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(g->lt, op, la, lb, ld, ld, pref, 1, &h, &found);
		if (st != CUBLAS_STATUS_SUCCESS || !found)
			rc = 1;
		else
			*algo_io = h.algo;
		cublasCheck(cublasLtMatmulPreferenceDestroy(pref));
	} else if (cublasLtMatmul(g->lt, op, &alpha, W, la, X, lb, &beta, D, ld, D, ld, algo_io,
				  g->ws, g->ws_bytes, s) != CUBLAS_STATUS_SUCCESS) {
		rc = 2;
	}
	cublasCheck(cublasLtMatrixLayoutDestroy(la));
	cublasCheck(cublasLtMatrixLayoutDestroy(lb));
	cublasCheck(cublasLtMatrixLayoutDestroy(ld));
	cublasCheck(cublasLtMatmulDescDestroy(op));
	return rc;
}

int main(int argc, char **argv)
{
	int quick, dev;
	FILE *out = bench_out(argc, argv, &quick);
	cudaDeviceProp prop;
	cudaCheck(cudaGetDevice(&dev));
	cudaCheck(cudaGetDeviceProperties(&prop, dev));
	int has_fp8 = prop.major > 8 || (prop.major == 8 && prop.minor >= 9);
	if (!has_fp8)
		fprintf(stderr, "gemm: %s has no FP8 tensor cores, fp8 skipped\n", prop.name);

	std::vector<int> ms = quick ? std::vector<int>{1, 16, 64, 256, 1024, 4096, 16384}
				    : std::vector<int>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024,
						       2048, 4096, 8192, 16384};
	const int maxm = 16384;
	size_t maxw = 0, maxk = 0, maxn = 0;
	struct shape { const char *model; int n, k; };
	std::vector<shape> shapes;
	for (auto &md : models) {
		for (int tp = 1; tp <= 8; tp *= 2) {
			if (quick && tp != 1 && tp != 8)
				continue;
			int q = (md.heads + 2 * md.kv_heads) * md.head_dim / tp;
			shape s4[4] = {{md.name, q, md.hidden},
				       {md.name, md.hidden, md.heads * md.head_dim / tp},
				       {md.name, 2 * md.inter / tp, md.hidden},
				       {md.name, md.hidden, md.inter / tp}};
			for (auto &s : s4) {
				shapes.push_back(s);
				maxw = std::max(maxw, (size_t)s.n * s.k);
				maxk = std::max(maxk, (size_t)s.k);
				maxn = std::max(maxn, (size_t)s.n);
			}
		}
	}
	struct gemm g;
	cublasCheck(cublasLtCreate(&g.lt));
	g.ws_bytes = 32 << 20;
	cudaCheck(cudaMalloc(&g.ws, g.ws_bytes));
	void *W, *X;
	__nv_bfloat16 *D;
	cudaCheck(cudaMalloc(&W, maxw * 2));
	cudaCheck(cudaMalloc(&X, (size_t)maxm * maxk * 2));
	cudaCheck(cudaMalloc(&D, (size_t)maxm * maxn * 2));
	cudaStream_t s;
	cudaCheck(cudaStreamCreate(&s));
	struct l2flush fl;
	l2flush_init(&fl);

	csv_header(out, "gemm", argc, argv, (int)cublasLtGetVersion(), 0);
	fprintf(out, "dtype,m,n,k,time_s,model\n");
	for (int fp8 = 0; fp8 <= has_fp8; fp8++) {
		/* inputs scaled so fp8 values stay well inside e4m3's range */
		if (fp8) {
			fill<__nv_fp8_e4m3><<<1024, 256, 0, s>>>((__nv_fp8_e4m3 *)W, maxw, 1, 1.0f);
			fill<__nv_fp8_e4m3><<<1024, 256, 0, s>>>((__nv_fp8_e4m3 *)X, (size_t)maxm * maxk, 2, 1.0f);
		} else {
			fill<__nv_bfloat16><<<1024, 256, 0, s>>>((__nv_bfloat16 *)W, maxw, 1, 1.0f);
			fill<__nv_bfloat16><<<1024, 256, 0, s>>>((__nv_bfloat16 *)X, (size_t)maxm * maxk, 2, 1.0f);
		}
		cudaCheck(cudaGetLastError());
		for (auto &sh : shapes)
			for (int m : ms) {
				cublasLtMatmulAlgo_t algo;
				if (run(&g, fp8, m, sh.n, sh.k, W, X, D, s, 0, &algo)) {
					fprintf(stderr, "gemm: no cuBLASLt algorithm for %s m=%d n=%d k=%d, skipped\n",
						fp8 ? "fp8" : "bf16", m, sh.n, sh.k);
					continue;
				}
				/* CPU reference on 16 sampled outputs: D[j + i n] = sum_l W[l + j k] X[l + i k] */
				if (run(&g, fp8, m, sh.n, sh.k, W, X, D, s, 1, &algo)) {
					fprintf(stderr, "gemm: cuBLASLt cannot run %s m=%d n=%d k=%d, skipped\n",
						fp8 ? "fp8" : "bf16", m, sh.n, sh.k);
					continue;
				}
				cudaCheck(cudaStreamSynchronize(s));
				for (int t = 0; t < 16; t++) {
					size_t i = (size_t)((hash_val(t, 7) * 0.5f + 0.5f) * (m - 1));
					size_t j = (size_t)((hash_val(t, 9) * 0.5f + 0.5f) * (sh.n - 1));
					double ref = 0;
					for (int l = 0; l < sh.k; l++)
						ref += (double)host_val(fp8, l + j * sh.k, 1, 1.0f) *
						       host_val(fp8, l + i * sh.k, 2, 1.0f);
					__nv_bfloat16 got;
					cudaCheck(cudaMemcpy(&got, D + j + i * sh.n, 2, cudaMemcpyDeviceToHost));
					check_close("gemm", __bfloat162float(got), ref, 1e-2 * sqrt((double)sh.k), 1e-2);
				}
				double flop = 2.0 * m * sh.n * sh.k;
				int iters = flop > 1e12 ? 5 : 20;
				/* the same call ran above, so a failure now is an error */
				double t = time_median([&] {
					if (run(&g, fp8, m, sh.n, sh.k, W, X, D, s, 1, &algo)) {
						fprintf(stderr, "gemm: cuBLASLt failed while timing\n");
						exit(1);
					}
				}, 3, iters, &fl, s);
				fprintf(out, "%s,%d,%d,%d,%.6e,%s\n", fp8 ? "fp8" : "bf16", m, sh.n, sh.k, t, sh.model);
			}
	}
	fflush(out);
	l2flush_free(&fl);
	cudaCheck(cudaFree(W));
	cudaCheck(cudaFree(X));
	cudaCheck(cudaFree(D));
	cudaCheck(cudaFree(g.ws));
	cublasCheck(cublasLtDestroy(g.lt));
	bench_close(out);
	return 0;
}
