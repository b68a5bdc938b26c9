/* test_calib.c: the fitter recovers known parameters from data the model itself generates
 * (with noise and outliers), refuses degenerate and malformed input with a one-line error
 * naming the file and line, and every importer round-trips an excerpt of its format. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_randist.h>

#include "calibration/fit.h"
#include "calibration/calib_import.h"
#include "models/comm.h"
#include "models/cost.h"
#include "calibration/raw.h"
#include "tests/test.h"
#include "lib/util.h"

/* The plain GEMM model (no tile terms) */
static struct gemm_model gemm(double peak, double eff_max, double m_half, double nk_half,
			      double bw_eff, double floor_s, double smooth)
{
	return (struct gemm_model){.peak = peak, .eff_max = eff_max, .m_half = m_half,
				   .nk_half = nk_half, .bw_eff = bw_eff, .floor = floor_s,
				   .smooth = smooth};
}

/* A GEMM model with every tile term on, near what the H100 fit gives */
static struct gemm_model gemm_tiles(void)
{
	struct gemm_model g = gemm(989e12, 0.8, 20, 60, 0.9, 2.5e-6, 4);
	g.sms = 132, g.cta_half = 0.5, g.wave_exp = 0.4, g.wave_time = 5e-7;
	g.row_time = 5e-9, g.k_lat = 8e-10, g.split_k = 3000, g.act_time = 1.5e-12;
	return g;
}

static struct profile base(void)
{
	struct profile p;
	memset(&p, 0, sizeof(p));
	p.hbm_bw = 3.35e12;
	p.attn_decode.l2_bytes = 5e7;
	p.gemm_bf16 = gemm(989e12, 0.7, 64, 256, 0.8, 5e-6, 2);
	p.gemm_fp8 = gemm(1979e12, 0.7, 64, 256, 0.8, 5e-6, 2);
	return p;
}

/* 2% log-normal noise, and every 37th row 3x slower (an outlier the robust fit must ignore) */
static double noisy(gsl_rng *r, double t, int i)
{
	return t * exp(gsl_ran_gaussian(r, 0.02)) * (i % 37 == 36 ? 3 : 1);
}

static void test_gemm_recovery(void)
{
	struct gemm_model truth = gemm(989e12, 0.78, 40, 600, 0.85, 7e-6, 3);
	struct raw_set rs;
	gsl_rng *r = rng_stream(1, "test_calib");
	int ms[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
	int nks[] = {256, 512, 1024, 2048, 4096, 8192, 16384};
	int i = 0;
	raw_set_init(&rs);
	for (size_t a = 0; a < 15; a++)
		for (size_t b = 0; b < 7; b++)
			for (size_t c = 0; c < 7; c += 2) {
				struct raw_row *row = raw_add(&rs, RAW_GEMM);
				strcpy(row->s[0], "bf16");
				row->v[0] = ms[a], row->v[1] = nks[b], row->v[2] = nks[c];
				row->t = noisy(r, cost_gemm(&truth, 3.35e12, ms[a], nks[b], nks[c], 2), i++);
			}
	struct profile p = base();
	struct fit_options o = {.no_loo = 0};
	struct fit_report rep;
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), 0);
	CHECK_NEAR(p.gemm_bf16.eff_max, truth.eff_max, 0.05);
	CHECK_NEAR(p.gemm_bf16.bw_eff, truth.bw_eff, 0.05);
	CHECK_NEAR(p.gemm_bf16.floor, truth.floor, 0.2);
	CHECK_NEAR(p.gemm_bf16.nk_half, truth.nk_half, 0.3);
	CHECK(rep.fam[FIT_GEMM].median < 0.03);
	CHECK(rep.fam[FIT_GEMM].loo_median < 0.03);
	CHECK_INT(rep.fam[FIT_GEMM].loo_groups, 28); /* one per (n, k) pair */
	CHECK(p.gemm_fp8.eff_max == 0.7);            /* no fp8 rows: base kept */
	raw_set_release(&rs);
	gsl_rng_free(r);
}

/* cost_gemm (which the fitter also evaluates) against the equation of models/profile.h
 * worked by hand for one shape: m = 65 (two 128-row tiles after padding), n = 1536
 * (12 columns of tiles), k = 7168, 132 SMs. Then the terms' directions. */
static void test_gemm_equation(void)
{
	static const double shapes[][3] = {
		{1, 128, 65536}, {7, 4096, 4096}, {64, 65536, 128}, {65, 1536, 7168},
		{192, 12288, 5120}, {1000, 128, 3072}, {4096, 16384, 16384}, {16384, 2048, 512},
	};
	struct gemm_model t = gemm_tiles(), plain = t, fp8 = t;
	double m = 65, n = 1536, k = 7168, bw = 3.35e12;
	double eff = 0.8 * m / (m + 20) * n / (n + 60) * k / (k + 60);
	double tiles = 1 * 12, waves = 1, q = tiles / 132, S = 132 / tiles; /* k/split_k = 2.39 */
	double tc, tm, want;
	S = S < k / 3000 ? S : k / 3000;
	tc = 2 * 128 * n * k / (989e12 * eff) / pow(q, 0.4);
	tm = (((m * k + m * n) * 2 + n * k * 2) / (bw * 0.9) + 8e-10 * k / S) *
	     (1 + 0.5 / (tiles * S));
	want = 2.5e-6 + (5e-9 + 1.5e-12 * k) * m + 5e-7 * waves + pow(pow(tc, 4) + pow(tm, 4), 0.25);
	CHECK_NEAR(cost_gemm(&t, bw, m, n, k, 2) / want, 1, 1e-12);
	memset(&plain.sms, 0, sizeof(plain) - offsetof(struct gemm_model, sms));
	tc = 2 * m * n * k / (989e12 * eff);
	tm = ((m * k + m * n) * 2 + n * k * 2) / (bw * 0.9);
	CHECK_NEAR(cost_gemm(&plain, bw, m, n, k, 2) / (2.5e-6 + pow(pow(tc, 4) + pow(tm, 4), 0.25)),
		   1, 1e-12);
	fp8.peak = 1979e12, fp8.split_k = 0, fp8.cta_half = 0;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
		/* the terms only add time: padding, idle SMs, latency, per-row work */
		CHECK(cost_gemm(&t, bw, m, n, k, 2) > cost_gemm(&plain, bw, m, n, k, 2));
		CHECK(cost_gemm(&fp8, 4.8e12, m, n, k, 1) < cost_gemm(&t, bw, m, n, k, 2));
	}
	/* few tiles on a large k: split-K shortens the serial k-loop */
	fp8 = t, fp8.split_k = 0;
	CHECK(cost_gemm(&t, 3.35e12, 1, 128, 16384, 2) < cost_gemm(&fp8, 3.35e12, 1, 128, 16384, 2));
}

/* With the SM count in the base, the fitter recovers the tile terms from noisy data. */
static void test_gemm_tiles_recovery(void)
{
	struct gemm_model truth = gemm_tiles();
	struct raw_set rs;
	gsl_rng *r = rng_stream(3, "test_calib");
	int ms[] = {1, 4, 16, 64, 96, 192, 256, 512, 1024, 2048, 4096, 8192, 16384};
	int nks[] = {128, 256, 512, 1024, 2048, 4096, 8192, 16384, 65536};
	int i = 0;
	raw_set_init(&rs);
	for (size_t a = 0; a < 13; a++)
		for (size_t b = 0; b < 9; b++)
			for (size_t c = 0; c < 9; c++) {
				struct raw_row *row = raw_add(&rs, RAW_GEMM);
				strcpy(row->s[0], "bf16");
				row->v[0] = ms[a], row->v[1] = nks[b], row->v[2] = nks[c];
				row->t = noisy(r, cost_gemm(&truth, 3.35e12, ms[a], nks[b], nks[c], 2), i++);
			}
	struct profile p = base();
	p.gemm_bf16.sms = 132;
	struct fit_options o = {.no_loo = 0};
	struct fit_report rep;
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), 0);
	const struct gemm_model *g = &p.gemm_bf16;
	CHECK_NEAR(g->eff_max, truth.eff_max, 0.05);
	CHECK_NEAR(g->bw_eff, truth.bw_eff, 0.05);
	CHECK_NEAR(g->floor, truth.floor, 0.1);
	CHECK_NEAR(g->cta_half, truth.cta_half, 0.2);
	CHECK_NEAR(g->wave_exp, truth.wave_exp, 0.05);
	CHECK_NEAR(g->wave_time, truth.wave_time, 0.15);
	CHECK_NEAR(g->row_time, truth.row_time, 0.05);
	CHECK_NEAR(g->k_lat, truth.k_lat, 0.05);
	CHECK_NEAR(g->split_k, truth.split_k, 0.1);
	CHECK_NEAR(g->act_time, truth.act_time, 0.05);
	CHECK_INT(g->sms, 132); /* a hardware fact: kept from the base */
	/* every fitted tile term has its uncertainty */
	int unc = 0;
	for (int u = 0; u < p.n_unc; u++)
		unc += !strncmp(p.unc[u].path, "gemm_bf16.", 10);
	CHECK_INT(unc, 13);
	CHECK(rep.fam[FIT_GEMM].median < 0.03);
	CHECK(rep.fam[FIT_GEMM].loo_median < 0.03);
	raw_set_release(&rs);
	gsl_rng_free(r);
}

static void test_attention_allreduce_recovery(void)
{
	struct profile truth = {0};
	struct raw_set rs;
	gsl_rng *r = rng_stream(2, "test_calib"), *ra = rng_stream(3, "test_calib");
	int i = 0, ia = 0;
	truth.attn_prefill.t0 = 2e-5, truth.attn_prefill.rate = 5e14;
	truth.attn_prefill.s_half = 800, truth.attn_prefill.d_half = 40;
	truth.attn_prefill.kv_bw = 7e11, truth.attn_prefill.tile = 1.5e-8;
	truth.attn_decode.t0 = 1e-5, truth.attn_decode.per_seq = 5e-8, truth.attn_decode.bw = 2.5e12;
	truth.gemm_bf16.sms = 132; /* the decode CTAs' waves */
	truth.attn_decode.cta = 1.9e-6, truth.attn_decode.cta_dim = 5e-9;
	truth.attn_decode.blk = 6.5e-7, truth.attn_decode.dyn_seq = 1.6e-8;
	truth.attn_prefill.tile_half = 60, truth.attn_decode.split = 2.3e-6;
	truth.attn_prefill.wide_eff = 0.5;
	truth.attn_prefill.wave_exp = 0.25, truth.attn_prefill.cache_round = 1.8e-6;
	truth.attn_decode.wide_t0 = 6e-6, truth.attn_decode.wide_cta = 2e-7;
	truth.attn_decode.l2_bytes = 5e7, truth.attn_decode.l2_bw = 5e12;
	/* 8 GPUs: NCCL's three protocols (knees near 2 MiB and 18 MiB) and vLLM's one- and
	 * two-stage kernels (crossing near 256 KiB); 2 GPUs: few rows, one regime each */
	struct allreduce_model ar = {8, 1.5e-5, 1.5e11, 5e-6, 4e10, 8 << 20,
				     2.5e-5, 3e11, 6e-5, 4.5e11, 1e-5, 2e11};
	struct allreduce_model ar2 = {.n_gpus = 2, .lat = 7e-6, .busbw = 2.5e11, .car_lat = 4.5e-6,
				      .car_bw = 2e11, .car_max_bytes = 8 << 20};
	raw_set_init(&rs);
	/* two head dims (d_half, cta_dim are identifiable) and one past FA3's (the fallback
	 * kernel's terms), and two KV-head counts (the K/V bytes, tiles and CTAs then move
	 * apart from the FLOPs); their own noise stream, so the all-reduce rows do not change
	 * with the attention grid */
	for (int b = 1; b <= 64; b *= 4)
		for (int s = 16; s <= 16384; s *= 2)
			for (int d = 64; d <= 512; d = d == 128 ? 512 : d * 2)
				for (int kv = 8; kv <= 32; kv *= 4) {
					struct raw_row *x = raw_add(&rs, RAW_PREFILL);
					x->v[0] = b, x->v[1] = s, x->v[2] = 32, x->v[3] = kv, x->v[4] = d;
					x->t = noisy(ra, fit_prefill_time(&truth, b, s, 32, kv, d), ia++);
				}
	/* batches short of and past the first wave of CTAs (split and not), short and long
	 * contexts, caches in and out of L2, one batch past FA3's per-sequence planning */
	for (int b = 1; b <= 1024; b *= 4)
		for (int s = 2; s <= 32768; s *= 4)
			for (int d = 64; d <= 512; d = d == 128 ? 512 : d * 2)
				for (int kv = 1; kv <= 8; kv *= 8) {
					struct raw_row *y = raw_add(&rs, RAW_DECODE);
					y->v[0] = b, y->v[1] = s, y->v[2] = 32, y->v[3] = kv, y->v[4] = d;
					y->t = noisy(ra, fit_decode_time(&truth, b, s, kv, d), ia++);
				}
	/* 8 GPUs: two sizes an octave, 8 B to 1 GiB (the powers of two exact), enough rows
	 * that the three NCCL regimes come back whatever the noise draws (checked over seven
	 * streams) */
	for (int j = 0; j <= 54; j++)
		for (int custom = 0; custom < 2; custom++) {
			double B = ldexp(j % 2 ? 1.4142135623730951 : 1, 3 + j / 2);
			struct raw_row *z = raw_add(&rs, RAW_ALLREDUCE);
			strcpy(z->s[0], custom ? "custom" : "nccl");
			z->v[0] = 8, z->v[1] = B, z->v[2] = custom;
			z->t = noisy(r, fit_allreduce_time(&ar, B, custom), i++);
		}
	for (double B = 1024; B <= 1 << 30; B *= 8)
		for (int custom = 0; custom < 2; custom++) {
			struct raw_row *z = raw_add(&rs, RAW_ALLREDUCE);
			strcpy(z->s[0], custom ? "custom" : "nccl");
			z->v[0] = 2, z->v[1] = B, z->v[2] = custom;
			z->t = noisy(r, fit_allreduce_time(&ar2, B, custom), i++);
		}
	struct profile p = base();
	struct fit_options o = {0};
	struct fit_report rep;
	p.gemm_bf16.sms = 132;
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), 0);
	CHECK_NEAR(p.attn_prefill.rate, truth.attn_prefill.rate, 0.05);
	CHECK_NEAR(p.attn_prefill.s_half, truth.attn_prefill.s_half, 0.1);
	CHECK_NEAR(p.attn_prefill.d_half, truth.attn_prefill.d_half, 0.1);
	CHECK_NEAR(p.attn_prefill.t0, truth.attn_prefill.t0, 0.05);
	CHECK_NEAR(p.attn_decode.bw, truth.attn_decode.bw, 0.05);
	CHECK_NEAR(p.attn_decode.t0, truth.attn_decode.t0, 0.1);
	CHECK_NEAR(p.attn_prefill.kv_bw, truth.attn_prefill.kv_bw, 0.1);
	CHECK_NEAR(p.attn_prefill.tile, truth.attn_prefill.tile, 0.2);
	CHECK_NEAR(p.attn_decode.cta, truth.attn_decode.cta, 0.2);
	CHECK_NEAR(p.attn_decode.cta_dim, truth.attn_decode.cta_dim, 0.2);
	CHECK_NEAR(p.attn_decode.blk, truth.attn_decode.blk, 0.1);
	CHECK_NEAR(p.attn_decode.dyn_seq, truth.attn_decode.dyn_seq, 0.2);
	CHECK_NEAR(p.attn_prefill.tile_half, truth.attn_prefill.tile_half, 0.2);
	CHECK_NEAR(p.attn_decode.split, truth.attn_decode.split, 0.2);
	CHECK_NEAR(p.attn_prefill.wide_eff, truth.attn_prefill.wide_eff, 0.05);
	CHECK_NEAR(p.attn_prefill.wave_exp, truth.attn_prefill.wave_exp, 0.2);
	CHECK_NEAR(p.attn_prefill.cache_round, truth.attn_prefill.cache_round, 0.2);
	CHECK_NEAR(p.attn_decode.wide_t0, truth.attn_decode.wide_t0, 0.2);
	CHECK_NEAR(p.attn_decode.wide_cta, truth.attn_decode.wide_cta, 0.1);
	CHECK_NEAR(p.attn_decode.l2_bw, truth.attn_decode.l2_bw, 0.1);
	CHECK(p.attn_decode.l2_bytes == 5e7); /* a hardware fact from the base, not fitted */
	CHECK(rep.fam[FIT_PREFILL].median < 0.03 && rep.fam[FIT_PREFILL].loo_median < 0.03);
	CHECK(rep.fam[FIT_DECODE].median < 0.03 && rep.fam[FIT_DECODE].loo_median < 0.03);
	const struct allreduce_model *a = profile_allreduce(&p, 8), *a2 = profile_allreduce(&p, 2);
	CHECK(a != NULL && a2 != NULL);
	if (a) {
		CHECK_NEAR(a->lat, ar.lat, 0.05);
		CHECK_NEAR(a->busbw, ar.busbw, 0.1);
		CHECK_NEAR(a->ll128_lat, ar.ll128_lat, 0.15);
		CHECK_NEAR(a->ll128_busbw, ar.ll128_busbw, 0.15);
		CHECK_NEAR(a->simple_lat, ar.simple_lat, 0.15);
		CHECK_NEAR(a->simple_busbw, ar.simple_busbw, 0.05);
		CHECK_NEAR(a->car_lat, ar.car_lat, 0.05);
		CHECK_NEAR(a->car_bw, ar.car_bw, 0.1);
		CHECK_NEAR(a->car2_lat, ar.car2_lat, 0.1);
		CHECK_NEAR(a->car2_bw, ar.car2_bw, 0.1);
		CHECK_NEAR(a->car_max_bytes, 8 << 20, 0);
	}
	if (a2) { /* too few rows for more regimes: the single-regime model, nothing else set */
		CHECK_NEAR(a2->lat, ar2.lat, 0.1);
		CHECK_NEAR(a2->busbw, ar2.busbw, 0.1);
		CHECK_NEAR(a2->car_lat, ar2.car_lat, 0.1);
		CHECK_NEAR(a2->car_bw, ar2.car_bw, 0.1);
		CHECK(a2->ll128_lat == 0 && a2->simple_lat == 0 && a2->car2_lat == 0);
	}
	/* size decades: 8 GPUs 10 nccl, 7 custom (<= 8 MiB); 2 GPUs 6 nccl, 4 custom */
	CHECK_INT(rep.fam[FIT_ALLREDUCE].loo_groups, 27);
	CHECK(rep.fam[FIT_ALLREDUCE].median < 0.03);
	CHECK(rep.fam[FIT_ALLREDUCE].loo_median < 0.05);
	{ /* the new parameters carry their fitted errors, under the entry's GPU count */
		int seen = 0;
		for (int u = 0; u < p.n_unc; u++)
			seen += !strcmp(p.unc[u].path, "allreduce.8.ll128_busbw") ||
				!strcmp(p.unc[u].path, "allreduce.8.car2_lat");
		CHECK_INT(seen, 2);
	}
	raw_set_release(&rs);
	gsl_rng_free(r);
	gsl_rng_free(ra);
}

/* cost_allreduce worked by hand: the faster of NCCL and (up to car_max_bytes) the custom
 * kernel, each the minimum over its regimes; without the optional regimes it is the
 * one-line model bit for bit. */
static void test_allreduce_agrees(void)
{
	struct allreduce_model full = {8, 1.6e-5, 1.8e11, 4.7e-6, 4e10, 8 << 20,
				       2.7e-5, 3e11, 7.2e-5, 4.6e11, 9.5e-6, 2e11};
	struct allreduce_model one = {.n_gpus = 4, .lat = 1e-5, .busbw = 3e11, .car_lat = 4.6e-6,
				      .car_bw = 1e11, .car_max_bytes = 8 << 20};
	static const double sizes[] = {512, 65536, 262144, 1 << 20, 3e6, 8 << 20, 9e6, 64 << 20,
				       1 << 30};
	/* 512 B: the one-stage custom kernel (4.7 us) beats LL (16 us); 1 MiB: two stages
	 * (9.5 + 5.2 us) beat one (4.7 + 26.2 us) and LL (16 + 10.2 us); 9e6 B, past
	 * car_max_bytes: NCCL alone, LL128 (27 + 52.5 us) ahead of Simple (72 + 34.2 us) and LL
	 * (16 + 87.5 us), although two custom stages would take 54.5 us */
	CHECK_NEAR(cost_allreduce(&full, 512), 4.7e-6 + 512 / 4e10, 1e-12);
	CHECK_NEAR(cost_allreduce(&full, 1 << 20), 9.5e-6 + (1 << 20) / 2e11, 1e-12);
	CHECK_NEAR(cost_allreduce(&full, 9e6), 2.7e-5 + 9e6 * 1.75 / 3e11, 1e-12);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double B = sizes[i];
		CHECK(cost_allreduce(&one, B) ==
		      fmin(one.lat + B * 2.0 * 3 / 4 / one.busbw,
			   B <= one.car_max_bytes ? one.car_lat + B / one.car_bw : INFINITY));
	}
	/* each regime wins where it should: LL small, LL128 mid, Simple large; two stages
	 * beat one above the crossing near 256 KiB */
	CHECK_NEAR(fit_allreduce_time(&full, 4096, 0), full.lat + 4096 * 1.75 / full.busbw, 1e-12);
	CHECK_NEAR(fit_allreduce_time(&full, 4 << 20, 0),
		   full.ll128_lat + (4 << 20) * 1.75 / full.ll128_busbw, 1e-12);
	CHECK_NEAR(fit_allreduce_time(&full, 1 << 30, 0),
		   full.simple_lat + 1.75 * (1 << 30) / full.simple_busbw, 1e-12);
	CHECK_NEAR(fit_allreduce_time(&full, 1 << 20, 1), full.car2_lat + (1 << 20) / full.car2_bw,
		   1e-12);
}

/* Both call cost_attn_prefill/_decode; what this checks is cost_step's side: heads and KV
 * heads per GPU, K/V bytes per layer, the layer count, and the decode terms it keeps across
 * steps (batch size and context change from one step to the next here) give the fitter's
 * per-row time, at FA3's head dims and past them. The warm-L2 term is the benchmark's
 * alone: the simulator computes the fitter's time without it. */
static void attention_fit_matches_cost(int head_dim)
{
	struct model m;
	struct profile p, cold;
	struct cost_ctx c;
	static const double bs[] = {1, 7, 64, 300}, ss[] = {1, 100, 129, 4096};
	CHECK_INT(model_find(&m, "r1-qwen-7b"), 0); /* 28 query heads, 4 KV heads, head dim 128 */
	m.head_dim = head_dim;
	CHECK_INT(profile_load(&p, "h100_sxm"), 0);
	p.attn_prefill.t0 = 1.2e-5, p.attn_prefill.rate = 8.7e14;
	p.attn_prefill.s_half = 500, p.attn_prefill.d_half = 40;
	p.attn_prefill.kv_bw = 7e11, p.attn_prefill.tile = 1.4e-8;
	p.attn_decode.t0 = 1.2e-5, p.attn_decode.per_seq = 1e-8, p.attn_decode.bw = 3e12;
	p.attn_decode.cta = 1.9e-6, p.attn_decode.cta_dim = 5e-9, p.attn_decode.blk = 6.5e-7;
	p.attn_prefill.tile_half = 65, p.attn_decode.split = 2.3e-6, p.attn_decode.dyn_seq = 1.6e-8;
	p.attn_prefill.wide_eff = 0.5, p.attn_decode.wide_t0 = 6e-6, p.attn_decode.wide_cta = 2e-7;
	p.attn_prefill.wave_exp = 0.2, p.attn_prefill.cache_round = 1.8e-6;
	p.attn_decode.l2_bytes = 5e7, p.attn_decode.l2_bw = 4.5e12;
	cold = p;
	cold.attn_decode.l2_bw = 0;
	/* the L2 term is live in the fitter: a 1 MB cache reads faster warm */
	CHECK(fit_decode_time(&p, 1, 1024, 4, head_dim) < fit_decode_time(&cold, 1, 1024, 4, head_dim));
	CHECK_INT(cost_init(&c, &m, &p, 1, 0), 0);
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 4; j++) {
			double b = bs[i], s = ss[j], L = m.n_layers;
			struct step_batch pb = {.n_prefill = (int)b, .prefill_tokens = b * s,
						.prefill_pairs = b * s * (s + 1) / 2, .n_sample = (int)b};
			struct step_batch db = {.n_decode = (int)b, .decode_q = 1, .decode_ctx = b * s,
						.n_sample = (int)b};
			struct step_cost a;
			double want;
			cost_step(&c, &pb, &a);
			want = L * fit_prefill_time(&p, b, s, m.n_heads, m.n_kv_heads, m.head_dim);
			CHECK_NEAR(a.attn_prefill, want, 1e-9);
			cost_step(&c, &db, &a);
			want = L * fit_decode_time(&cold, b, s, m.n_kv_heads, m.head_dim);
			CHECK_NEAR(a.attn_decode, want, 1e-9);
		}
	cost_release(&c);
}

/* The decode plan worked by hand (models/profile.h), on a 108-SM GPU with only the per-block
 * work and the merge set, the KV stream made negligible:
 * - 48 pairs, 60 KV blocks: FA3's own example (flash_api.cpp) picks 2 splits (wave
 *   efficiency 0.89; 1 gives 0.44, 3 gives 0.67; 0.89 is within 85% of the best, 1.0 at
 *   9): 96 CTAs in one wave, 30 blocks each, plus the merge (1 split would be 60 blocks,
 *   3 two waves of 20, 9 four waves of 7);
 * - 4 KV blocks: never split, 48 CTAs of 4 blocks, no merge;
 * - 88 pairs (at least 0.8 x 108 = 86.4): unsplit, one wave of 64 blocks;
 * - 120 pairs: unsplit, two waves of 64 blocks;
 * - the per-sequence planning term counts up to 992 sequences and not past them. */
static void test_decode_plan(void)
{
	struct profile p = {0};
	const double blk = 1e-6, split = 2.5e-6, bw = 1e30;
	p.gemm_bf16.sms = 108, p.attn_decode.bw = bw;
	p.attn_decode.blk = blk, p.attn_decode.split = split;
	CHECK_NEAR(fit_decode_time(&p, 48, 60 * 128, 1, 128), split + 30 * blk, 1e-9);
	CHECK_NEAR(fit_decode_time(&p, 48, 4 * 128, 1, 128), 4 * blk, 1e-9);
	CHECK_NEAR(fit_decode_time(&p, 88, 64 * 128, 1, 128), 64 * blk, 1e-9);
	CHECK_NEAR(fit_decode_time(&p, 120, 64 * 128, 1, 128), 2 * 64 * blk, 1e-9);
	/* the block work scales with the head dim; 2 KV heads double the pairs */
	CHECK_NEAR(fit_decode_time(&p, 44, 64 * 128, 2, 64), 64 * blk / 2, 1e-9);
	p.attn_decode.blk = 0, p.attn_decode.cta = 1e-12; /* CTA terms on, no work */
	p.attn_decode.dyn_seq = 1e-8;
	CHECK_NEAR(fit_decode_time(&p, 992, 128, 1, 128), 992 * 1e-8, 1e-5);
	CHECK(fit_decode_time(&p, 993, 128, 1, 128) < 1e-8);
}

/* The prefill plan worked by hand (models/profile.h) on 132 SMs, with only the rate, the
 * tile cost, the wave exponent and the cache rounds set:
 * - head dim 64, 2 prompts of 300 tokens, 16 heads on 2 KV heads (8 packed per tile):
 *   FA3's 192-row tiles, 2 x 2 x ceil(2400/192) = 52 (128-row ones would be 76), one
 *   wave 52/132 full; the cache write runs CTAs of min(512, 2 x 64) = 128 threads, 16 per
 *   SM, so 600 tokens take one round of 2112;
 * - head dim 128, 64 prompts of 100 tokens, 32 heads on 8: 64 x 8 x ceil(400/128) = 2048
 *   tiles in 16 waves (the last 2048/2112 full); 512-thread CTAs, 4 per SM: 6400 tokens
 *   take ceil(6400/528) = 13 rounds;
 * - 264 tiles fill two waves exactly: no wave factor (below). */
static void test_prefill_plan(void)
{
	struct profile p = {0};
	const double rate = 1e15, tile = 1e-8, round = 2e-6;
	p.gemm_bf16.sms = 132, p.attn_prefill.rate = rate, p.attn_prefill.tile = tile;
	p.attn_prefill.wave_exp = 0.5, p.attn_prefill.cache_round = round;
	double fl = 4.0 * 16 * 64 * (2 * 300 * 301 / 2.0);
	CHECK_NEAR(fit_prefill_time(&p, 2, 300, 16, 2, 64),
		   fl / (rate * sqrt(52 / 132.0)) + 52 * tile + round, 1e-12);
	fl = 4.0 * 32 * 128 * (64 * 100 * 101 / 2.0);
	CHECK_NEAR(fit_prefill_time(&p, 64, 100, 32, 8, 128),
		   fl / (rate * sqrt(2048 / 2112.0)) + 2048 * tile + 13 * round, 1e-12);
	/* 33 prompts of 128 tokens, 8 heads on 1: 33 x 1 x ceil(1024/128) = 264 tiles; 4224
	 * tokens in CTAs of 128 threads take 2 rounds of 2112 exactly */
	fl = 4.0 * 8 * 128 * (33 * 128 * 129 / 2.0);
	CHECK_NEAR(fit_prefill_time(&p, 33, 128, 8, 1, 128), fl / rate + 264 * tile + 2 * round,
		   1e-12);
}

/* --scale-bw-from: data measured on a GPU of another HBM bandwidth. The fitted bandwidth
 * terms (the prefill K/V copy, elementwise) scale by base hbm_bw / that bandwidth; times
 * and rates of compute (the cache write's CTA rounds, the attention rate) do not. */
/* Exact prefill rows of an H100-like truth with every term on (sms 132), into rs */
static void prefill_rows(struct raw_set *rs)
{
	struct profile truth = base();
	truth.gemm_bf16.sms = 132;
	truth.attn_prefill.t0 = 1e-5, truth.attn_prefill.rate = 9e14;
	truth.attn_prefill.s_half = 300, truth.attn_prefill.d_half = 50;
	truth.attn_prefill.kv_bw = 1.3e12, truth.attn_prefill.tile = 2e-8;
	truth.attn_prefill.tile_half = 50, truth.attn_prefill.wave_exp = 0.2;
	truth.attn_prefill.cache_round = 1.8e-6;
	for (int b = 1; b <= 256; b *= 4)
		for (int sq = 16; sq <= 8192; sq *= 2)
			for (int kv = 1; kv <= 16; kv *= 4)
				for (int d = 64; d <= 128; d *= 2) {
					struct raw_row *r = raw_add(rs, RAW_PREFILL);
					r->v[0] = b, r->v[1] = sq, r->v[2] = 32, r->v[3] = kv, r->v[4] = d;
					r->t = fit_prefill_time(&truth, b, sq, 32, kv, d);
				}
}

static void test_scale_bw(void)
{
	struct profile p1 = base(), p2 = base();
	struct fit_options o = {.no_loo = 1};
	struct fit_report rep;
	struct raw_set rs;
	p1.gemm_bf16.sms = p2.gemm_bf16.sms = 132;
	raw_set_init(&rs);
	prefill_rows(&rs);
	for (int i = 0; i < 3; i++) {
		struct raw_row *r = raw_add(&rs, RAW_MEMBW);
		strcpy(r->s[0], "copy");
		r->v[0] = 1e9 * (1 << i), r->t = 5e-6 + r->v[0] / 2.5e12;
	}
	CHECK_INT(fit_profile(&p1, &rs, &o, &rep), 0);
	o.scale_bw_from = p2.hbm_bw / 2;
	CHECK_INT(fit_profile(&p2, &rs, &o, &rep), 0);
	CHECK_NEAR(p1.attn_prefill.kv_bw, 1.3e12, 0.01);
	CHECK_NEAR(p2.attn_prefill.kv_bw, 2 * p1.attn_prefill.kv_bw, 1e-9);
	CHECK_NEAR(p2.ew_bw, 2 * p1.ew_bw, 1e-9);
	CHECK_NEAR(p2.attn_prefill.rate, p1.attn_prefill.rate, 1e-12);
	CHECK_NEAR(p2.attn_prefill.cache_round, p1.attn_prefill.cache_round, 1e-12);
	raw_set_release(&rs);
}

/* --without: a term left out is off in the profile (0, no uncertainty entry, not marked
 * fitted, even where the base had it), the others are fitted without it, and a term that
 * every model needs, or none has, is refused. */
static void test_without(void)
{
	struct profile p = base();
	struct fit_options o = {.no_loo = 1, .without = {"attention.prefill_wave_exp"},
				.n_without = 1};
	struct fit_report rep;
	struct raw_set rs;
	p.gemm_bf16.sms = 132, p.attn_prefill.wave_exp = 0.3;
	strcpy(p.unc[0].path, "attention.prefill_wave_exp");
	p.unc[0].rel = 0.1, p.n_unc = 1;
	raw_set_init(&rs);
	prefill_rows(&rs);
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), 0);
	CHECK(p.attn_prefill.wave_exp == 0);
	CHECK(p.attn_prefill.cache_round > 0);
	for (int u = 0; u < p.n_unc; u++)
		CHECK(strcmp(p.unc[u].path, "attention.prefill_wave_exp") != 0);
	for (int i = 0; i < rep.n_set; i++)
		CHECK(strcmp(rep.set[i].path, "attention.prefill_wave_exp") != 0);
	/* without the wave term the exact rows are no longer matched exactly */
	CHECK(rep.fam[FIT_PREFILL].max > 1e-3);
	o.without[0] = "attention.prefill_rate";
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), -1);
	CHECK(strstr(err_msg(), "'attention.prefill_rate' is not an optional attention term") != NULL);
	o.without[0] = "attention.prefill_tiles";
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), -1);
	raw_set_release(&rs);
}

/* calibrate check: the error of a profile on rows, without fitting. Rows made from the
 * profile's own times, some scaled by a known factor: the report gives those factors back;
 * custom all-reduce messages past car_max_bytes are not the model's and are left out; a
 * GPU count the profile has no model for is refused with the row's file and line. */
static void test_fit_check(void)
{
	struct profile p;
	struct raw_set rs;
	struct fit_report rep;
	struct raw_row *r;
	CHECK_INT(profile_load(&p, "h100_sxm"), 0);
	raw_set_init(&rs);
	for (int i = 0; i < 3; i++) { /* measured 10% slower than predicted: |1/1.1 - 1| */
		r = raw_add(&rs, RAW_PREFILL);
		r->v[0] = 2, r->v[1] = 1024 << i, r->v[2] = 32, r->v[3] = 8, r->v[4] = 128;
		r->t = 1.1 * fit_prefill_time(&p, 2, 1024 << i, 32, 8, 128);
	}
	r = raw_add(&rs, RAW_DECODE);
	r->v[0] = 64, r->v[1] = 4096, r->v[2] = 32, r->v[3] = 8, r->v[4] = 128;
	r->t = fit_decode_time(&p, 64, 4096, 8, 128);
	r = raw_add(&rs, RAW_GEMM); /* fp8 rows take the fp8 model */
	strcpy(r->s[0], "fp8");
	r->v[0] = 256, r->v[1] = 4096, r->v[2] = 4096;
	r->t = cost_gemm(&p.gemm_fp8, p.hbm_bw, 256, 4096, 4096, 1) / 0.8;
	for (int custom = 0; custom < 2; custom++) {
		r = raw_add(&rs, RAW_ALLREDUCE);
		strcpy(r->s[0], custom ? "custom" : "nccl");
		r->v[0] = 8, r->v[1] = custom ? 64 << 20 : 1 << 20, r->v[2] = custom;
		r->t = 1e-3; /* the custom row is past car_max_bytes: not counted */
	}
	CHECK_INT(fit_check(&p, &rs, &rep), 0);
	CHECK_INT(rep.fam[FIT_PREFILL].n, 3);
	CHECK_NEAR(rep.fam[FIT_PREFILL].median, 1 - 1 / 1.1, 1e-9);
	CHECK(rep.fam[FIT_DECODE].n == 1 && rep.fam[FIT_DECODE].median < 1e-12);
	CHECK_NEAR(rep.fam[FIT_GEMM].median, 0.2, 1e-9);
	CHECK_INT(rep.fam[FIT_ALLREDUCE].n, 1);
	CHECK_NEAR(rep.fam[FIT_ALLREDUCE].median,
		   fabs(cost_allreduce_nccl(profile_allreduce(&p, 8), 1 << 20) / 1e-3 - 1), 1e-9);
	CHECK(isnan(rep.fam[FIT_PREFILL].loo_median) && rep.fam[FIT_MEMBW].n == 0);
	/* a GPU count without a model */
	for (int i = 0; i < PROFILE_MAX_AR; i++)
		if (p.ar[i].n_gpus == 8)
			p.ar[i].n_gpus = 0;
	rs.fam[RAW_ALLREDUCE].rows[0].file = "ar.csv", rs.fam[RAW_ALLREDUCE].rows[0].line = 7;
	CHECK_INT(fit_check(&p, &rs, &rep), -1);
	CHECK_STR(err_msg(), "ar.csv:7: key 'n_gpus': profile 'h100_sxm' has no nccl all-reduce "
			     "model for 8 GPUs");
	raw_set_release(&rs);
}

static void test_attention_fit_matches_cost(void)
{
	attention_fit_matches_cost(128);
	attention_fit_matches_cost(512); /* past FA3: the fallback kernel's terms */
}

/* raw_parse on text; returns its status and leaves the message in err_msg() */
static int parse(enum raw_family f, const char *text)
{
	struct raw_set rs;
	raw_set_init(&rs);
	int rc = raw_parse(&rs, f, text, "x.csv", 0);
	raw_set_release(&rs);
	return rc;
}

static void test_bad_input(void)
{
	CHECK_INT(parse(RAW_GEMM, "dtype,m,n,k,time_ms\nbf16,1,2,3,0.5\n"), -1);
	CHECK(strstr(err_msg(), "x.csv:1: key 'time_s': missing column") != NULL);
	CHECK(strstr(err_msg(), "seconds") != NULL);
	CHECK_INT(parse(RAW_GEMM, "# gpu: A\ndtype,m,n,k,time_s\nbf16,1,2,3,nan\n"), -1);
	CHECK(strstr(err_msg(), "x.csv:3: key 'time_s': bad value 'nan'") != NULL);
	CHECK_INT(parse(RAW_ALLREDUCE, "n_gpus,bytes,time_s,impl,graph\n3,8,1e-5,nccl,2\n"), -1);
	CHECK(strstr(err_msg(), "x.csv:2: key 'graph'") != NULL);
	CHECK_INT(parse(RAW_ALLREDUCE, "n_gpus,bytes,time_s,impl,graph\n2,8,1e-5,mpi,0\n"), -1);
	CHECK(strstr(err_msg(), "key 'impl'") != NULL);
	CHECK_INT(parse(RAW_MEMBW, "op,bytes,time_s\ntriad,1e9,12000\n"), -1); /* ms, not s */
	CHECK(strstr(err_msg(), "expected seconds") != NULL);
	CHECK_INT(parse(RAW_MEMBW, "op,bytes,time_s\n"), -1);
	CHECK(strstr(err_msg(), "no data rows") != NULL);
	CHECK_INT(parse(RAW_LAUNCH, "mode,kernels,time_s\neager,10,5e-6\n"), 0);

	/* mixed GPUs across files */
	struct raw_set rs;
	raw_set_init(&rs);
	CHECK_INT(raw_parse(&rs, RAW_MEMBW, "# gpu: H100\nop,bytes,time_s\nread,1e9,5e-4\n", "a.csv", 0), 0);
	CHECK_INT(raw_parse(&rs, RAW_MEMBW, "# gpu: A100\nop,bytes,time_s\nread,1e9,5e-4\n", "b.csv", 0), -1);
	CHECK(strstr(err_msg(), "b.csv:1: key 'gpu': mixed GPUs") != NULL);
	raw_set_release(&rs);

	/* a single point, and no spread in m: refused, naming file and line */
	struct profile p = base();
	struct fit_options o = {.no_loo = 1};
	struct fit_report rep;
	raw_set_init(&rs);
	CHECK_INT(raw_parse(&rs, RAW_GEMM, "dtype,m,n,k,time_s\nbf16,64,4096,4096,1e-4\n", "g.csv", 0), 0);
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), -1);
	CHECK(strstr(err_msg(), "g.csv:2: gemm bf16: 1 rows with 1 distinct 'm'") != NULL);
	raw_set_release(&rs);
	raw_set_init(&rs);
	CHECK_INT(raw_parse(&rs, RAW_PREFILL, "batch,seq_len,heads,kv_heads,head_dim,time_s\n"
			    "1,512,32,8,128,1e-4\n1,512,32,8,128,1.1e-4\n1,512,32,8,128,0.9e-4\n",
			    "p.csv", 0), 0);
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), -1);
	CHECK(strstr(err_msg(), "p.csv:2: attention_prefill: 3 rows with 1 distinct 'seq_len'") != NULL);
	raw_set_release(&rs);
	/* no peak in the base */
	raw_set_init(&rs);
	CHECK_INT(raw_parse(&rs, RAW_GEMM, "dtype,m,n,k,time_s\nfp8,1,8,8,1e-5\nfp8,8,8,8,1e-5\n"
			    "fp8,64,8,8,1e-5\n", "f.csv", 0), 0);
	p.gemm_fp8.peak = 0;
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), -1);
	CHECK(strstr(err_msg(), "base profile has no peak") != NULL);
	raw_set_release(&rs);
}

/* Rows of ttsim's own reference attention kernels (# kernel: ttsim-reference) are left out
 * of the attention fit unless asked for, and one family never mixes them with others. */
static void test_reference_kernels(void)
{
	struct profile truth = base(), p;
	struct fit_options o = {.no_loo = 1};
	struct fit_report rep;
	struct raw_set rs;
	struct sbuf sb = {0};
	static const int hk[3][2] = {{12, 2}, {32, 8}, {64, 8}};

	truth.attn_prefill.t0 = 1e-5, truth.attn_prefill.rate = 5e13; /* CUDA cores: slow */
	truth.attn_prefill.s_half = 300, truth.attn_prefill.d_half = 40;
	truth.attn_prefill.kv_bw = 7e11, truth.attn_prefill.tile = 2e-8;
	truth.attn_prefill.tile_half = 60;
	sbuf_printf(&sb, "# gpu: G\n# kernel: ttsim-reference (CUDA cores)\n"
		    "batch,seq_len,heads,kv_heads,head_dim,time_s\n");
	for (int b = 1; b <= 4; b *= 4)
		for (int sq = 64; sq <= 4096; sq *= 2)
			for (int h = 0; h < 3; h++)
				for (int d = 64; d <= 128; d *= 2)
					sbuf_printf(&sb, "%d,%d,%d,%d,%d,%.9e\n", b, sq, hk[h][0], hk[h][1], d,
						    fit_prefill_time(&truth, b, sq, hk[h][0], hk[h][1], d));
	raw_set_init(&rs);
	CHECK_INT(raw_parse(&rs, RAW_PREFILL, sb.buf, "ref.csv", 0), 0);
	CHECK(raw_is_reference(&rs.fam[RAW_PREFILL]));
	/* by default: nothing fitted, the base's model kept, the rows counted */
	p = base();
	p.attn_prefill.rate = 6e14;
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), 0);
	CHECK_INT(rep.reference[RAW_PREFILL], 84);
	CHECK_INT(rep.fam[FIT_PREFILL].n, 0);
	CHECK_INT(rep.n_set, 0);
	CHECK_NEAR(p.attn_prefill.rate, 6e14, 1e-12);
	/* asked for: fitted to them (the reference kernels' slow rate comes back) */
	o.reference_attention = 1;
	p = base();
	p.attn_prefill.rate = 6e14;
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), 0);
	CHECK_INT(rep.reference[RAW_PREFILL], 0);
	CHECK_INT(rep.fam[FIT_PREFILL].n, 84);
	CHECK(p.attn_prefill.rate < 1e14);
	/* a file of another kernel in the same family is refused, naming file, line and key */
	CHECK_INT(raw_parse(&rs, RAW_PREFILL, "# gpu: G\nbatch,seq_len,heads,kv_heads,head_dim,"
			    "time_s\n1,512,32,8,128,1e-4\n", "fa3.csv", 0), -1);
	CHECK(strstr(err_msg(), "fa3.csv:2: key 'kernel': none here but 'ttsim-reference") != NULL);
	CHECK(strstr(err_msg(), "in ref.csv") != NULL);
	raw_set_release(&rs);
	sbuf_release(&sb);
}

static double pred_line(const double *x, size_t i, void *ctx)
{
	return x[0] + x[1] * (double)(i + 1);
}

static void test_fit_robust(void)
{
	double y[2] = {1, 2}, x[2] = {1, 1};
	CHECK_INT(fit_robust(2, x, NULL, 2, y, pred_line, NULL, "line"), -1);
	CHECK(strstr(err_msg(), "line: 2 data points for 2 parameters") != NULL);
	double y2[40], x2[2] = {1, 1};
	for (int i = 0; i < 40; i++)
		y2[i] = 3 + 0.5 * (i + 1) + (i == 10 ? 100 : 0); /* one wild outlier */
	CHECK_INT(fit_robust(2, x2, NULL, 40, y2, pred_line, NULL, "line"), 0);
	CHECK_NEAR(x2[0], 3, 0.01);
	CHECK_NEAR(x2[1], 0.5, 0.01);
}

/* Import SRC, write it as raw CSVs, read them back: the same rows. */
static void roundtrip(const char *kind, const char *src, const char *gpu, enum raw_family f,
		      size_t want, double v0, double t0)
{
	struct raw_set a, b;
	struct import_options o = {.gpu = gpu};
	char dir[] = "/tmp/ttsim-calib-XXXXXX";
	raw_set_init(&a);
	raw_set_init(&b);
	CHECK(mkdtemp(dir) != NULL);
	int rc = import_file(&a, kind, src, &o);
	if (rc)
		fprintf(stderr, "%s\n", err_msg());
	CHECK_INT(rc, 0);
	CHECK_INT(a.fam[f].n, want);
	struct raw_meta m = {.gpu = a.gpu, .source = src};
	CHECK_INT(raw_write_dir(&a, dir, &m), 0);
	CHECK_INT(raw_load_dir(&b, dir, 0), 0);
	CHECK_INT(b.fam[f].n, want);
	CHECK_STR(b.gpu, a.gpu);
	if (a.fam[f].n && b.fam[f].n) {
		if (v0 > 0) { /* the first row, converted to raw units */
			CHECK_NEAR(a.fam[f].rows[0].v[0], v0, 1e-12);
			CHECK_NEAR(a.fam[f].rows[0].t, t0, 1e-9);
		}
		for (size_t i = 0; i < a.fam[f].n && i < b.fam[f].n; i++) {
			CHECK_NEAR(b.fam[f].rows[i].t, a.fam[f].rows[i].t, 1e-8);
			for (int j = 0; j < RAW_MAXNUM; j++)
				CHECK_NEAR(b.fam[f].rows[i].v[j], a.fam[f].rows[i].v[j], 0);
			CHECK_STR(b.fam[f].rows[i].s[0], a.fam[f].rows[i].s[0]);
		}
	}
	for (int i = 0; i < RAW_NFAMILY; i++) {
		char p[600];
		snprintf(p, sizeof(p), "%s/%s", dir, raw_family_file(i));
		unlink(p);
	}
	rmdir(dir);
	raw_set_release(&a);
	raw_set_release(&b);
}

static void test_importers(void)
{
	const char *d = "tests/data/calib/";
	char p[256];
#define P(f) (snprintf(p, sizeof(p), "%s%s", d, f), p)
	roundtrip("aiconfigurator", P("aic_gemm.csv"), NULL, RAW_GEMM, 4, 64, 0.014767110347747803e-3);
	roundtrip("aiconfigurator", P("aic_context_attention.csv"), NULL, RAW_PREFILL, 3, 2, 5.424549102783203e-3);
	roundtrip("aiconfigurator", P("aic_generation_attention.csv"), NULL, RAW_DECODE, 3, 32, 1.126933346192042e-5);
	/* the parquet's own columns ('latency' in ms, no window_size): the A100 0.14.0 tables */
	roundtrip("aiconfigurator", P("aic_a100_generation_attention.csv"), NULL, RAW_DECODE, 3, 32,
		  0.013712000101804733e-3);
	roundtrip("aiconfigurator", P("aic_nccl.csv"), NULL, RAW_ALLREDUCE, 3, 2, 6.18e-6);
	roundtrip("aiconfigurator", P("aic_car.csv"), NULL, RAW_ALLREDUCE, 4, 2, 4.291520118713379e-6);
	roundtrip("vidur", P("h100_meta-llama_Llama-2-7b-hf__mlp.csv"), "H100", RAW_GEMM, 8, 0, 0);
	roundtrip("vidur", P("h100_dgx__all_reduce.csv"), "H100", RAW_ALLREDUCE, 3, 8, 0.037e-3);
	roundtrip("nccl-tests", P("all_reduce_perf.txt"), NULL, RAW_ALLREDUCE, 3, 2, 10.52e-6);
	roundtrip("nccl-tests", P("cscs_allreduce.csv"), "GH200", RAW_ALLREDUCE, 3, 8, 17.93e-6);

	/* details the round trip does not show */
	struct raw_set a;
	struct import_options o = {0};
	raw_set_init(&a);
	CHECK_INT(import_file(&a, "aiconfigurator", P("aic_car.csv"), &o), 0);
	CHECK_INT(a.fam[RAW_ALLREDUCE].rows[0].v[2], 1); /* vLLM_custom_graph */
	CHECK_INT(a.fam[RAW_ALLREDUCE].rows[1].v[2], 0); /* vLLM_custom_eager */
	CHECK_NEAR(a.fam[RAW_ALLREDUCE].rows[0].v[1], 256, 0); /* 128 bf16 elements */
	CHECK_STR(a.gpu, "NVIDIA H100 80GB HBM3");
	raw_set_release(&a);
	raw_set_init(&a);
	CHECK_INT(import_file(&a, "aiconfigurator", P("aic_a100_generation_attention.csv"), &o), 0);
	CHECK_STR(a.gpu, "NVIDIA A100-SXM4-80GB");
	CHECK_NEAR(a.fam[RAW_DECODE].rows[1].v[1], 1 + 3, 0); /* the KV: isl + step */
	CHECK_NEAR(a.fam[RAW_DECODE].rows[1].t, 0.013728000223636627e-3, 1e-15);
	raw_set_release(&a);
	raw_set_init(&a);
	CHECK_INT(import_file(&a, "nccl-tests", P("all_reduce_perf.txt"), &o), 0);
	CHECK_NEAR(a.fam[RAW_ALLREDUCE].rows[a.fam[RAW_ALLREDUCE].n - 1].v[1], 1048576, 0);
	CHECK_INT(import_file(&a, "vidur", P("aic_gemm.csv"), &o), -1);
	CHECK(strstr(err_msg(), "aic_gemm.csv:1: unknown vidur layout") != NULL);
	raw_set_release(&a);
	raw_set_init(&a);
	CHECK_INT(import_file(&a, "vidur", P("h100_meta-llama_Llama-2-7b-hf__mlp.csv"), &o), 0);
	/* Llama-2-7b TP1: qkv n = 3 x 4096, k = 4096; label from the file name */
	CHECK_NEAR(a.fam[RAW_GEMM].rows[0].v[1], 12288, 0);
	CHECK_STR(a.fam[RAW_GEMM].rows[0].s[1], "meta-llama_Llama-2-7b-hf");
	CHECK_NEAR(a.fam[RAW_GEMM].rows[2].v[1], 2 * 11008, 0);
	raw_set_release(&a);
#undef P
}

/* The network between nodes comes back from noisy all-reduce rows over 2 and 4 nodes of 4
 * GPUs (models/comm.c's hierarchy, the node's 4-GPU model held), two regimes; check
 * reproduces the fit's in-sample error; and a profile without a network cannot time them. */
static void test_network_recovery(void)
{
	struct profile truth = base(), p;
	struct fit_options o = {.no_loo = 1};
	struct fit_report rep, chk;
	struct raw_set rs;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int i = 0;
	truth.gpus_per_node = 4;
	truth.ar[0] = (struct allreduce_model){.n_gpus = 4, .lat = 1e-5, .busbw = 3e11};
	truth.net = (struct network_model){.lat = 6e-6, .bw = 5e8, .simple_lat = 8e-5,
					   .simple_bw = 2.5e10};
	raw_set_init(&rs);
	for (int n = 8; n <= 16; n *= 2)
		for (int j = 3; j <= 30; j++) {
			struct raw_row *z = raw_add(&rs, RAW_ALLREDUCE);
			strcpy(z->s[0], "nccl");
			z->v[0] = n, z->v[1] = ldexp(1, j), z->v[2] = 0;
			z->t = noisy(r, comm_allreduce(&truth, z->v[1], n, n / 4), i++);
		}
	p = truth;
	p.net = (struct network_model){0};
	CHECK_INT(fit_profile(&p, &rs, &o, &rep), 0);
	CHECK_NEAR(p.net.lat, truth.net.lat, 0.1);
	CHECK_NEAR(p.net.bw, truth.net.bw, 0.1);
	CHECK_NEAR(p.net.simple_lat, truth.net.simple_lat, 0.1);
	CHECK_NEAR(p.net.simple_bw, truth.net.simple_bw, 0.05);
	CHECK_INT(rep.fam[FIT_NETWORK].n, 56);
	CHECK(rep.fam[FIT_NETWORK].median < 0.03);
	CHECK_INT(fit_check(&p, &rs, &chk), 0);
	CHECK_NEAR(chk.fam[FIT_NETWORK].median, rep.fam[FIT_NETWORK].median, 1e-12);
	p.net = (struct network_model){0};
	CHECK_INT(fit_check(&p, &rs, &chk), -1);
	CHECK(strstr(err_msg(), "no network section") != NULL);
	raw_set_release(&rs);
	gsl_rng_free(r);
}

int main(void)
{
	test_gemm_recovery();
	test_gemm_equation();
	test_gemm_tiles_recovery();
	test_attention_allreduce_recovery();
	test_allreduce_agrees();
	test_attention_fit_matches_cost();
	test_decode_plan();
	test_prefill_plan();
	test_scale_bw();
	test_without();
	test_fit_check();
	test_bad_input();
	test_reference_kernels();
	test_fit_robust();
	test_importers();
	test_network_recovery();
	return TEST_REPORT();
}
