/*
 * attention.cu: decode attention over a paged KV cache and causal prefill attention, with
 * our own kernels (bf16 storage, fp32 math, online softmax). Writes attention_decode.csv
 * (batch,kv_len,heads,kv_heads,head_dim,time_s) and attention_prefill.csv
 * (batch,seq_len,heads,kv_heads,head_dim,time_s) into DIR.
 *
 *   nvcc -O2 -arch=sm_90 -o attention attention.cu
 *   ./attention [--quick] [-d DIR]
 *
 * Both kernels are first checked against a CPU reference on small problems (GQA, ragged
 * lengths, several blocks); every timed configuration is then run after warm-up with the
 * L2 flushed before each timed run. head_dim is a template parameter (64, 128).
 *
 * These are reference kernels on CUDA cores, many times slower than the FlashAttention-3 that
 * vLLM runs on Hopper's tensor cores; both CSVs say so ('# kernel: ttsim-reference'), and
 * `ttsim calibrate fit` leaves their rows out of the attention models unless asked
 * (--attention-from-reference). They measure how this GPU runs a fixed attention code, for
 * comparing GPUs with each other, not the serving engine's attention.
 */
#include <math.h>
#include <string>
#include <cuda_bf16.h>
#include "common.h"

#define BLOCK 16 /* tokens per KV-cache block, as vLLM */

__global__ void fill(__nv_bfloat16 *p, size_t n, unsigned seed)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = __float2bfloat16(hash_val(i, seed));
}
static float hval(size_t i, unsigned seed) { return __bfloat162float(__float2bfloat16(hash_val(i, seed))); }

/* Decode: one block of 4 warps per (sequence, head). q [B][H][D]; cache [nblocks][BLOCK][KVH][D];
 * table [B][maxblk]; lens [B]; out [B][H][D]. Warp w takes tokens w, w+4, ...; lanes split D. */
template <int D>
__global__ void decode(const __nv_bfloat16 *q, const __nv_bfloat16 *kc, const __nv_bfloat16 *vc,
		       const int *table, const int *lens, int maxblk, int H, int KVH, float scale,
		       float *out)
{
	const int b = blockIdx.x, h = blockIdx.y, kvh = h / (H / KVH), w = threadIdx.x / 32,
		  lane = threadIdx.x % 32, E = D / 32;
	float qv[D / 32], acc[D / 32], m = -INFINITY, l = 0;
	for (int e = 0; e < E; e++) {
		qv[e] = __bfloat162float(q[((size_t)b * H + h) * D + lane * E + e]);
		acc[e] = 0;
	}
	int len = lens[b];
	for (int t = w; t < len; t += 4) {
		size_t base = (((size_t)table[b * maxblk + t / BLOCK] * BLOCK + t % BLOCK) * KVH + kvh) * D + lane * E;
		float s = 0;
		for (int e = 0; e < E; e++)
			s += qv[e] * __bfloat162float(kc[base + e]);
		for (int o = 16; o > 0; o /= 2)
			s += __shfl_xor_sync(0xffffffff, s, o);
		s *= scale;
		float mn = fmaxf(m, s), c = expf(m - mn), p = expf(s - mn);
		for (int e = 0; e < E; e++)
			acc[e] = acc[e] * c + p * __bfloat162float(vc[base + e]);
		l = l * c + p;
		m = mn;
	}
	__shared__ float sm[4], sl[4], sacc[4][D];
	if (!lane)
		sm[w] = m, sl[w] = l;
	for (int e = 0; e < E; e++)
		sacc[w][lane * E + e] = acc[e];
	__syncthreads();
	if (w)
		return;
	float M = fmaxf(fmaxf(sm[0], sm[1]), fmaxf(sm[2], sm[3])), L = 0;
	for (int i = 0; i < 4; i++)
		L += sm[i] == -INFINITY ? 0 : sl[i] * expf(sm[i] - M);
	for (int e = 0; e < E; e++) {
		float a = 0;
		for (int i = 0; i < 4; i++)
			a += sm[i] == -INFINITY ? 0 : sacc[i][lane * E + e] * expf(sm[i] - M);
		out[((size_t)b * H + h) * D + lane * E + e] = a / L;
	}
}

/* Prefill, causal: q,k,v [B][S][heads][D]; a block of 16 warps takes 16 consecutive queries
 * of one (sequence, head) and streams K/V tiles of 32 keys through shared memory. */
#define QW 16
#define KT 32
template <int D>
__global__ void prefill(const __nv_bfloat16 *q, const __nv_bfloat16 *k, const __nv_bfloat16 *v,
			int S, int H, int KVH, float scale, float *out)
{
	const int b = blockIdx.z, h = blockIdx.y, kvh = h / (H / KVH), w = threadIdx.x / 32,
		  lane = threadIdx.x % 32, E = D / 32, qi = blockIdx.x * QW + w;
	__shared__ float ks[KT][D], vs[KT][D];
	float qv[D / 32], acc[D / 32], m = -INFINITY, l = 0;
	for (int e = 0; e < E; e++) {
		qv[e] = qi < S ? __bfloat162float(q[(((size_t)b * S + qi) * H + h) * D + lane * E + e]) : 0;
		acc[e] = 0;
	}
	int last = min(S - 1, blockIdx.x * QW + QW - 1);
	for (int t0 = 0; t0 <= last; t0 += KT) {
		__syncthreads();
		for (int i = threadIdx.x; i < KT * D; i += blockDim.x) {
			int t = t0 + i / D, d = i % D;
			size_t idx = (((size_t)b * S + t) * KVH + kvh) * D + d;
			ks[i / D][d] = t < S ? __bfloat162float(k[idx]) : 0;
			vs[i / D][d] = t < S ? __bfloat162float(v[idx]) : 0;
		}
		__syncthreads();
		for (int j = 0; j < KT && t0 + j <= qi && qi < S; j++) {
			float s = 0;
			for (int e = 0; e < E; e++)
				s += qv[e] * ks[j][lane * E + e];
			for (int o = 16; o > 0; o /= 2)
				s += __shfl_xor_sync(0xffffffff, s, o);
			s *= scale;
			float mn = fmaxf(m, s), c = expf(m - mn), p = expf(s - mn);
			for (int e = 0; e < E; e++)
				acc[e] = acc[e] * c + p * vs[j][lane * E + e];
			l = l * c + p;
			m = mn;
		}
	}
	if (qi < S)
		for (int e = 0; e < E; e++)
			out[(((size_t)b * S + qi) * H + h) * D + lane * E + e] = acc[e] / l;
}

struct buf {
	__nv_bfloat16 *q, *k, *v;
	float *o;
	int *table, *lens;
};

/* The first launch of go: its errors surfaced, and (to check it) the n floats of out it
 * wrote, copied back; empty when not checking. */
template <typename F>
static std::vector<float> first_run(F &go, const float *out, size_t n, bool check, cudaStream_t s)
{
	std::vector<float> o(check ? n : 0);
	go();
	cudaCheck(cudaGetLastError());
	cudaCheck(cudaStreamSynchronize(s));
	if (check)
		cudaCheck(cudaMemcpy(o.data(), out, n * 4, cudaMemcpyDeviceToHost));
	return o;
}

/* Decode problem: batch B, every sequence kv_len tokens (lens_opt overrides), blocks
 * assigned in a scrambled order so reads are paged, not contiguous. */
template <int D>
static double run_decode(int B, int kv_len, int H, int KVH, struct buf *bf, const int *lens_opt,
			 struct l2flush *fl, cudaStream_t s, bool check)
{
	int maxblk = (kv_len + BLOCK - 1) / BLOCK, nblk = B * maxblk;
	std::vector<int> table(nblk), lens(B);
	for (int i = 0; i < nblk; i++)
		table[i] = (int)(((long long)i * 7919) % nblk);
	for (int i = 0; i < B; i++)
		lens[i] = lens_opt ? lens_opt[i] : kv_len;
	size_t qn = (size_t)B * H * D, kn = (size_t)nblk * BLOCK * KVH * D;
	fill<<<512, 256, 0, s>>>(bf->q, qn, 11);
	fill<<<512, 256, 0, s>>>(bf->k, kn, 12);
	fill<<<512, 256, 0, s>>>(bf->v, kn, 13);
	cudaCheck(cudaMemcpyAsync(bf->table, table.data(), nblk * sizeof(int), cudaMemcpyHostToDevice, s));
	cudaCheck(cudaMemcpyAsync(bf->lens, lens.data(), B * sizeof(int), cudaMemcpyHostToDevice, s));
	float scale = 1 / sqrtf((float)D);
	dim3 grid(B, H);
	auto go = [&] { decode<D><<<grid, 128, 0, s>>>(bf->q, bf->k, bf->v, bf->table, bf->lens, maxblk, H, KVH, scale, bf->o); };
	std::vector<float> o = first_run(go, bf->o, qn, check, s);
	if (check) {
		for (int b = 0; b < B; b++)
			for (int h = 0; h < H; h++) {
				int kvh = h / (H / KVH);
				std::vector<double> sc(lens[b]);
				double mx = -1e30, L = 0;
				for (int t = 0; t < lens[b]; t++) {
					size_t base = (((size_t)table[b * maxblk + t / BLOCK] * BLOCK + t % BLOCK) * KVH + kvh) * D;
					double d = 0;
					for (int e = 0; e < D; e++)
						d += hval(((size_t)b * H + h) * D + e, 11) * hval(base + e, 12);
					sc[t] = d * scale;
					mx = fmax(mx, sc[t]);
				}
				for (int t = 0; t < lens[b]; t++)
					L += exp(sc[t] - mx);
				for (int e = 0; e < D; e++) {
					double a = 0;
					for (int t = 0; t < lens[b]; t++) {
						size_t base = (((size_t)table[b * maxblk + t / BLOCK] * BLOCK + t % BLOCK) * KVH + kvh) * D;
						a += exp(sc[t] - mx) * hval(base + e, 13);
					}
					check_close("decode attention", o[((size_t)b * H + h) * D + e], a / L, 2e-3, 2e-3);
				}
			}
		return 0;
	}
	return time_median(go, 3, 10, fl, s);
}

template <int D>
static double run_prefill(int B, int S, int H, int KVH, struct buf *bf, struct l2flush *fl,
			  cudaStream_t s, bool check)
{
	size_t qn = (size_t)B * S * H * D, kn = (size_t)B * S * KVH * D;
	fill<<<512, 256, 0, s>>>(bf->q, qn, 21);
	fill<<<512, 256, 0, s>>>(bf->k, kn, 22);
	fill<<<512, 256, 0, s>>>(bf->v, kn, 23);
	float scale = 1 / sqrtf((float)D);
	dim3 grid((S + QW - 1) / QW, H, B);
	auto go = [&] { prefill<D><<<grid, QW * 32, 0, s>>>(bf->q, bf->k, bf->v, S, H, KVH, scale, bf->o); };
	std::vector<float> o = first_run(go, bf->o, qn, check, s);
	if (check) {
		for (int b = 0; b < B; b++)
			for (int i = 0; i < S; i++)
				for (int h = 0; h < H; h++) {
					int kvh = h / (H / KVH);
					std::vector<double> sc(i + 1);
					double mx = -1e30, L = 0;
					for (int t = 0; t <= i; t++) {
						double d = 0;
						for (int e = 0; e < D; e++)
							d += hval((((size_t)b * S + i) * H + h) * D + e, 21) *
							     hval((((size_t)b * S + t) * KVH + kvh) * D + e, 22);
						sc[t] = d * scale;
						mx = fmax(mx, sc[t]);
					}
					for (int t = 0; t <= i; t++)
						L += exp(sc[t] - mx);
					for (int e = 0; e < D; e++) {
						double a = 0;
						for (int t = 0; t <= i; t++)
							a += exp(sc[t] - mx) * hval((((size_t)b * S + t) * KVH + kvh) * D + e, 23);
						check_close("prefill attention", o[(((size_t)b * S + i) * H + h) * D + e], a / L, 2e-3, 2e-3);
					}
				}
		return 0;
	}
	return time_median(go, 2, 5, fl, s);
}

int main(int argc, char **argv)
{
	int quick;
	std::string dir = ".";
	bench_out(argc, argv, &quick);
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "-d"))
			dir = argv[i + 1];
	FILE *fd = fopen((dir + "/attention_decode.csv").c_str(), "w");
	FILE *fp = fopen((dir + "/attention_prefill.csv").c_str(), "w");
	if (!fd || !fp) {
		fprintf(stderr, "attention: cannot write into '%s'\n", dir.c_str());
		return 2;
	}
	struct buf bf;
	size_t cap = 2ull << 30; /* elements per buffer: 4 GiB of bf16 */
	cudaCheck(cudaMalloc(&bf.q, cap * 2));
	cudaCheck(cudaMalloc(&bf.k, cap * 2));
	cudaCheck(cudaMalloc(&bf.v, cap * 2));
	cudaCheck(cudaMalloc(&bf.o, (256ull << 20) * 4));
	cudaCheck(cudaMalloc(&bf.table, (64 << 20) * sizeof(int)));
	cudaCheck(cudaMalloc(&bf.lens, 4096 * sizeof(int)));
	cudaStream_t s;
	cudaCheck(cudaStreamCreate(&s));
	struct l2flush fl;
	l2flush_init(&fl);

	/* CPU references first: GQA 4:1 and 1:1, ragged lengths across blocks, both head dims */
	int ragged[3] = {1, 37, 70};
	run_decode<128>(3, 70, 8, 2, &bf, ragged, &fl, s, true);
	run_decode<64>(2, 33, 4, 4, &bf, NULL, &fl, s, true);
	run_prefill<128>(2, 45, 4, 2, &bf, &fl, s, true);
	run_prefill<64>(1, 33, 2, 1, &bf, &fl, s, true);
	fprintf(stderr, "attention: decode and prefill kernels match the CPU reference\n");

	struct { int H, KVH; } heads[] = {{12, 2}, {28, 4}, {32, 8}, {64, 8}, {8, 1}};
	std::vector<int> batches = quick ? std::vector<int>{1, 32, 256} : std::vector<int>{1, 8, 32, 64, 128, 256};
	std::vector<int> kvs = quick ? std::vector<int>{256, 4096} : std::vector<int>{128, 512, 1024, 2048, 4096, 8192};
	/* what the fitter must know: these rows are not the serving engine's FlashAttention */
	const char *kernel = "# kernel: ttsim-reference (CUDA cores, fp32 math; not FlashAttention)\n";
	csv_header(fd, "attention_decode", argc, argv, 0, 0);
	fputs(kernel, fd);
	fprintf(fd, "batch,kv_len,heads,kv_heads,head_dim,time_s\n");
	for (auto &hd : heads)
		for (int B : batches)
			for (int L : kvs) {
				if ((size_t)B * L * hd.KVH * 128 > cap)
					continue;
				double t = run_decode<128>(B, L, hd.H, hd.KVH, &bf, NULL, &fl, s, false);
				fprintf(fd, "%d,%d,%d,%d,128,%.6e\n", B, L, hd.H, hd.KVH, t);
			}
	csv_header(fp, "attention_prefill", argc, argv, 0, 0);
	fputs(kernel, fp);
	fprintf(fp, "batch,seq_len,heads,kv_heads,head_dim,time_s\n");
	std::vector<int> seqs = quick ? std::vector<int>{128, 1024, 4096} : std::vector<int>{64, 128, 256, 512, 1024, 2048, 4096, 8192};
	for (auto &hd : heads)
		for (int B : {1, 4})
			for (int S : seqs) {
				if ((size_t)B * S * hd.H * 128 > (256ull << 20))
					continue;
				double t = run_prefill<128>(B, S, hd.H, hd.KVH, &bf, &fl, s, false);
				fprintf(fp, "%d,%d,%d,%d,128,%.6e\n", B, S, hd.H, hd.KVH, t);
			}
	fclose(fd);
	fclose(fp);
	l2flush_free(&fl);
	cudaCheck(cudaFree(bf.q));
	cudaCheck(cudaFree(bf.k));
	cudaCheck(cudaFree(bf.v));
	cudaCheck(cudaFree(bf.o));
	cudaCheck(cudaFree(bf.table));
	cudaCheck(cudaFree(bf.lens));
	return 0;
}
