/* test_mla.c: DeepEP all-to-alls (profile.h "DeepEP all-to-all", cost_deepep_*) worked by
 * hand, in a decode step of DeepSeek-R1 under data-parallel attention, and their profile
 * keys refused when incomplete; and MLA decode from aiconfigurator's measured vLLM tables
 * (models/mla_table.h) and
 * the fitted section (profile.h "MLA decode", models/cost.c cost_mla_decode_layer): a
 * hand-worked lookup on a small table, the host floor and its hiccups left unread, the
 * table preferred to the fit where it answers and the fit elsewhere, worked by hand; the
 * shipped H200 table at DeepSeek-R1's TP8 shape; refusals of bad tables and bad profile
 * keys with file, line and key. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/mla_fit.h"
#include "lib/assets.h"
#include "lib/util.h"
#include "models/cost.h"
#include "models/mla_table.h"
#include "models/model.h"
#include "models/profile.h"
#include "tests/test.h"

#define HDR "kernel_source,kv_cache_dtype,num_heads,batch_size,isl,step,latency\n"

/* 16 heads, latencies in ms. The host floor: the points with batch x step <= 1024 (b1 at
 * 1, 64, 1024; b4 at 1, 64; b16 at 1, 64): 0.1 six times and a hiccup 0.25 (b4, 64): the
 * median 0.1 ms, so kernel-bound is >= 0.2 ms from a curve's first such step on. */
static const char small[] =
	HDR
	"k,bfloat16,16,1,1,1,0.1\n"
	"k,bfloat16,16,1,1,64,0.1\n"
	"k,bfloat16,16,1,1,1024,0.1\n"
	"k,bfloat16,16,1,1,16384,0.1\n"
	"k,bfloat16,16,1,1,65536,0.3\n"
	"k,bfloat16,16,4,1,1,0.1\n"
	"k,bfloat16,16,4,1,64,0.25\n"
	"k,bfloat16,16,4,1,1024,0.12\n"
	"k,bfloat16,16,4,1,16384,0.4\n"
	"k,bfloat16,16,4,1,65536,1.6\n"
	"k,bfloat16,16,16,1,1,0.1\n"
	"k,bfloat16,16,16,1,64,0.1\n"
	"k,bfloat16,16,16,1,1024,0.3\n"
	"k,bfloat16,16,16,1,16384,1.6\n"
	"k,bfloat16,16,16,1,65536,6.4\n"
	"f,fp8,16,16,1,65536,3.0\n";

static void test_lookup(void)
{
	struct mla_table t;
	const struct mla_slice *s;
	double v = 0;

	CHECK_INT(mla_table_parse(&t, small, strlen(small), "small.csv", "bfloat16"), 0);
	CHECK_STR(t.kernel, "k");
	CHECK_INT(t.n, 1);
	CHECK(mla_table_find(&t, 8) == NULL);
	s = mla_table_find(&t, 16);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_NEAR(s->floor, 0.1e-3, 1e-12);
	/* a measured point: its latency */
	CHECK_INT(mla_slice_eval(s, 16, 16384, &v), 1);
	CHECK_NEAR(v, 1.6e-3, 1e-12);
	CHECK_INT(mla_slice_eval(s, 16, 1024, &v), 1);
	CHECK_NEAR(v, 0.3e-3, 1e-12);
	/* batch 8 halfway between 4 and 16 in log(batch): the geometric mean of theirs,
	 * sqrt(0.4 x 1.6) = 0.8 ms, sqrt(1.6 x 6.4) = 3.2 ms */
	CHECK_INT(mla_slice_eval(s, 8, 16384, &v), 1);
	CHECK_NEAR(v, 0.8e-3, 1e-12);
	CHECK_INT(mla_slice_eval(s, 8, 65536, &v), 1);
	CHECK_NEAR(v, 3.2e-3, 1e-12);
	/* between steps: Steffen is monotone, so between its neighbours */
	CHECK_INT(mla_slice_eval(s, 16, 32768, &v), 1);
	CHECK(v > 1.6e-3 && v < 6.4e-3);
	/* not answered: the hiccup (b4, 64) and b4's host-bound 1024, b1 (host-bound but at
	 * 65536: 0.3 ms >= 0.2), outside the batches or the steps */
	CHECK_INT(mla_slice_eval(s, 4, 64, &v), 0);
	CHECK_INT(mla_slice_eval(s, 4, 1024, &v), 0);
	CHECK_INT(mla_slice_eval(s, 8, 1024, &v), 0);
	CHECK_INT(mla_slice_eval(s, 2, 16384, &v), 0);
	CHECK_INT(mla_slice_eval(s, 1, 65536, &v), 1);
	CHECK_INT(mla_slice_eval(s, 32, 16384, &v), 0);
	CHECK_INT(mla_slice_eval(s, 16, 100000, &v), 0);
	{
		/* the fit's points are the kernel-bound ones: b1 65536; b4 16384, 65536; b16
		 * 1024, 16384, 65536 */
		struct mla_point *pt;
		size_t n;
		mla_table_points(&t, &pt, &n);
		CHECK_INT(n, 6);
		free(pt);
	}
	mla_table_release(&t);
	/* the fp8 rows are another kernel's */
	CHECK_INT(mla_table_parse(&t, small, strlen(small), "small.csv", "fp8"), 0);
	CHECK_STR(t.kernel, "f");
	mla_table_release(&t);
}

/* The table where it answers, the fit elsewhere: a profile made here, hand-worked. */
static void test_table_vs_fit(void)
{
	struct mla_table t;
	const struct mla_slice *s;
	struct profile p;
	struct mla_model mm = {.t0 = 8e-6, .seq_head = 2e-9, .bw_eff = 0.5};
	double bytes = 16 * 16384.0 * 576 * 2; /* 301,989,888 */
	double t_fit, t_old;

	memset(&p, 0, sizeof(p));
	p.hbm_bw = 3.35e12;
	p.gemm_bf16.peak = 989e12;
	CHECK_INT(mla_table_parse(&t, small, strlen(small), "small.csv", "bfloat16"), 0);
	s = mla_table_find(&t, 16);
	CHECK(s != NULL);
	/* 16 sequences of 16384: measured, 1.6 ms */
	CHECK_NEAR(cost_mla_decode_layer(&p, &mm, s, 512, 64, 128, 128, 16, 16, 16, 16 * 16384.0,
					 bytes, 0),
		   1.6e-3, 1e-12);
	/* two query tokens a sequence (the tables decode one): the fit. 8e-6 + 2e-9 x 32 x
	 * 16 = 9.024e-6; bytes / (3.35e12 x 0.5) = 1.802924704e-4 s against 2 x 16 x 2 x
	 * 262144 x 1088 = 1.8253611008e10 FLOPs / 989e12 = 1.846e-5 s: 1.893164704e-4 s */
	t_fit = cost_mla_decode_layer(&p, &mm, s, 512, 64, 128, 128, 16, 16, 32, 16 * 16384.0,
				      bytes, 0);
	CHECK_NEAR(t_fit, 1.893164704477612e-4, 1e-12);
	/* the same without the table */
	CHECK_NEAR(cost_mla_decode_layer(&p, &mm, NULL, 512, 64, 128, 128, 16, 16, 32,
					 16 * 16384.0, bytes, 0),
		   t_fit, 1e-15);
	/* a host-bound point of the table (4 x 64): the fit, 8e-6 + 2e-9 x 4 x 16 +
	 * 4 x 64 x 1152 / 1.675e12 = 8.128e-6 + 1.76062e-7 */
	CHECK_NEAR(cost_mla_decode_layer(&p, &mm, s, 512, 64, 128, 128, 16, 4, 4, 256,
					 256 * 1152.0, 0),
		   8.128e-6 + 256 * 1152.0 / 1.675e12, 1e-12);
	/* at least the launch */
	CHECK_NEAR(cost_mla_decode_layer(&p, &mm, s, 512, 64, 128, 128, 16, 4, 4, 256,
					 256 * 1152.0, 5e-5),
		   5e-5, 1e-12);
	/* no section: the FA3 decode terms (all 0 here) and the bmms, not the table */
	p.attn_decode.bw = 3e12;
	t_old = cost_mla_decode_layer(&p, NULL, s, 512, 64, 128, 128, 16, 16, 16, 16 * 16384.0,
				      bytes, 0);
	CHECK(t_old >= bytes / 3e12 && fabs(t_old - 1.6e-3) > 1e-4);
	mla_table_release(&t);
}

/* The shipped profiles: DeepSeek-R1 at TP8 on H200 (16 heads a GPU) reads the H200 table,
 * where it measured 16 heads x 256 sequences x 8191 tokens twice (lines 4208 and 4224:
 * 0.6090613206227621 and 0.6085173288981119 ms, as 128 heads / 8 and 64 / 4): the median,
 * their mean; gh200 has the fit alone (no table); an fp8 cache takes mla_fp8. */
static void test_shipped(void)
{
	struct profile h, g;
	struct model m;
	const struct mla_slice *s = NULL;
	struct cost_ctx c;
	double v = 0;

	CHECK_INT(profile_load(&h, "h200_sxm"), 0);
	CHECK_INT(profile_load(&g, "gh200"), 0);
	CHECK_INT(model_find(&m, "deepseek-r1"), 0);
	CHECK(cost_mla_model(&m, &h) == &h.mla_bf16 && h.mla_bf16.table[0]);
	CHECK_INT(cost_mla_slice(&m, &h, 16, &s), 0);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(mla_slice_eval(s, 256, 8191, &v), 1);
		CHECK_NEAR(v, (0.6090613206227621 + 0.6085173288981119) / 2 * 1e-3, 1e-12);
	}
	CHECK(cost_mla_model(&m, &g) == &g.mla_bf16 && !g.mla_bf16.table[0]);
	CHECK_INT(cost_mla_slice(&m, &g, 16, &s), 0);
	CHECK(s == NULL);
	/* the engine's context: TP8 finds the 16-head slice */
	CHECK_INT(cost_init(&c, &m, &h, 8, 1), 0);
	CHECK(c.mla_mm == &h.mla_bf16 && c.mla_s != NULL && c.mla_s->heads == 16);
	cost_release(&c);
	m.kv_dtype = DT_FP8;
	CHECK(cost_mla_model(&m, &h) == &h.mla_fp8);
	/* a shape the table did not measure (a wider latent): the fit alone */
	m.kv_dtype = DT_BF16;
	m.kv_lora = 1024;
	CHECK_INT(cost_mla_slice(&m, &h, 16, &s), 0);
	CHECK(s == NULL);
}

/* The fit recovers its own model: points made by the model with known constants. */
static void test_fit(void)
{
	struct profile p;
	struct mla_table t;
	struct mla_model want = {.t0 = 5e-6, .seq_head = 3e-9, .bw_eff = 0.6}, got;
	struct mla_fit_report rep;
	struct sbuf y = {0};
	static const int heads[3] = {16, 32, 64};
	static const int batch[4] = {32, 64, 128, 256};
	static const int step[4] = {4096, 8192, 16384, 32768};

	memset(&p, 0, sizeof(p));
	p.hbm_bw = 3.35e12;
	p.gemm_bf16.peak = 989e12;
	p.attn_decode.t0 = 5e-6;
	sbuf_printf(&y, HDR);
	for (int h = 0; h < 3; h++) {
		/* the host floor: 0.01 ms at batch 1 (kernel-bound: >= 0.02 ms, every point
		 * of the model's below, the least 75 us) */
		sbuf_printf(&y, "k,bfloat16,%d,1,1,1,0.01\nk,bfloat16,%d,1,1,64,0.01\n"
			    "k,bfloat16,%d,1,1,512,0.01\n", heads[h], heads[h], heads[h]);
		for (int b = 0; b < 4; b++)
			for (int k = 0; k < 4; k++) {
				struct mla_point pt = {heads[h], batch[b], step[k], 0};
				sbuf_printf(&y, "k,bfloat16,%d,%d,1,%d,%.17g\n", heads[h], batch[b],
					    step[k], 1e3 * mla_fit_pred(&want, &p, 2, &pt));
			}
	}
	CHECK_INT(mla_table_parse(&t, y.buf, y.len, "gen.csv", "bfloat16"), 0);
	CHECK_INT(mla_fit(&got, &t, &p, 2, &rep), 0);
	CHECK_INT(rep.n, 3 * 4 * 4);
	CHECK_NEAR(got.bw_eff, 0.6, 1e-4);
	CHECK_NEAR(got.seq_head, 3e-9, 1e-3);
	CHECK(got.t0 == 5e-6);
	CHECK(rep.ho_med < 1e-4);
	mla_table_release(&t);
	sbuf_release(&y);
}

static int refuses(const char *text, const char *dtype, const char *want)
{
	struct mla_table t;
	int ok = mla_table_parse(&t, text, strlen(text), "t.csv", dtype) == -1 &&
		 strstr(err_msg(), want) != NULL && strstr(err_msg(), "t.csv:") == err_msg();
	if (!ok)
		fprintf(stderr, "refuses: got '%s', expected '%s'\n", err_msg(), want);
	return ok;
}

static void test_bad_tables(void)
{
	CHECK(refuses(HDR "a,bfloat16,16,1,1,1,0.1\nb,bfloat16,16,1,1,2,0.1\n", "bfloat16",
		      "t.csv:3: key 'kernel_source'"));
	CHECK(refuses(HDR "a,bfloat16,16,1,2,1,0.1\n", "bfloat16", "t.csv:2: key 'isl'"));
	CHECK(refuses(HDR "a,bfloat16,16,1,1,1,-0.1\n", "bfloat16", "t.csv:2: key 'latency'"));
	CHECK(refuses(HDR "a,bfloat16,x,1,1,1,0.1\n", "bfloat16", "t.csv:2: key 'num_heads'"));
	CHECK(refuses(HDR "a,bfloat16,16,1,1,1,0.1\n", "fp8", "key 'kv_cache_dtype'"));
	CHECK(refuses("kernel_source,kv_cache_dtype,num_heads,batch_size,isl,step\n"
		      "a,bfloat16,16,1,1,1\n", "bfloat16", "latency"));
}

/* A copy of the shipped h100_sxm.yaml with `from` (its first occurrence after the
 * mla_bf16 section starts) replaced by `to`, parsed as p.yaml: -1 expected, with want in
 * the message after "p.yaml:LINE:". */
static int profile_refuses(const char *from, const char *to, const char *want)
{
	const struct asset *a = asset_find("models/profiles/h100_sxm.yaml");
	struct profile h;
	struct sbuf y = {0};
	const char *sec, *at;
	int ok;
	if (!a)
		return 0;
	sec = strstr((const char *)a->data, "\nmla_bf16:\n");
	at = sec ? strstr(sec, from) : NULL;
	if (!at)
		return 0;
	sbuf_add(&y, (const char *)a->data, (size_t)(at - (const char *)a->data));
	sbuf_printf(&y, "%s", to);
	sbuf_printf(&y, "%s", at + strlen(from));
	ok = profile_parse(&h, y.buf, y.len, "p.yaml") == -1 && strstr(err_msg(), want) &&
	     strstr(err_msg(), "p.yaml:") == err_msg() && strchr(err_msg() + 7, ':');
	if (!ok)
		fprintf(stderr, "profile_refuses: got '%s', expected '%s'\n", err_msg(), want);
	sbuf_release(&y);
	return ok;
}

static void test_bad_keys(void)
{
	struct profile h;
	CHECK_INT(profile_load(&h, "h100_sxm"), 0);
	CHECK(h.mla_bf16.bw_eff > 0 && h.mla_fp8.bw_eff > 0 && h.mla_bf16.table[0]);
	CHECK(profile_refuses("  bw_eff: ", "  bw_eff: 1.5  # ",
			      "key 'mla_bf16.bw_eff': expected a number in"));
	CHECK(profile_refuses("  seq_head: ", "  seq_head: -1e-9  # ",
			      "key 'mla_bf16.seq_head': expected a non-negative"));
	CHECK(profile_refuses("  bw_eff: ", "  bw_eff: 0  # ", "key 'mla_bf16.bw_eff': expected above 0"));
	CHECK(profile_refuses("  bw_eff: ", "  bw_eff: fast  # ", "key 'mla_bf16.bw_eff'"));
	CHECK(profile_refuses("  bw_eff: ", "  bw: ", "key 'mla_bf16.bw': unknown key"));
	CHECK(profile_refuses("  bw_eff: ", "  seq_head: 1e-9\n  x_eff: ", "given twice"));
	CHECK(profile_refuses("  table: calibration/data/aiconfigurator/mla/",
			      "  table: calibration/data/aiconfigurator/nosuch/",
			      "key 'mla_bf16.table'"));
	/* bw_eff left out: the section's first line named */
	CHECK(profile_refuses("  bw_eff: ", "  #bw_eff: ", "key 'mla_bf16.bw_eff': missing"));
}

static void test_deepep(void)
{
	struct deepep_model d = {.ll_dispatch_lat = 20e-6, .ll_dispatch_bw = 1e11,
				 .ll_combine_lat = 25e-6, .ll_combine_bw = 5e10,
				 .normal_dispatch_lat = 40e-6, .normal_dispatch_bw = 4e11,
				 .normal_combine_lat = 50e-6, .normal_combine_bw = 2e11};
	struct profile p;
	struct model m;
	struct cost_ctx c;
	struct step_cost sc;
	struct step_batch b = {.n_decode = 61, .decode_q = 1, .decode_ctx = 61 * 3000.0,
			       .n_sample = 61};

	/* 64 tokens x 8 x 7168 x 2 = 7,340,032 bytes. Low-latency: 20e-6 + 7.340032e-5 +
	 * 25e-6 + 1.4680064e-4 = 2.6520096e-4 s; normal: 40e-6 + 1.835008e-5 + 50e-6 +
	 * 3.670016e-5 = 1.4505024e-4 s; each at least the launch */
	CHECK_NEAR(cost_deepep_pair(&d, 64, 8, 7168, 1, 0), 2.6520096e-4, 1e-12);
	CHECK_NEAR(cost_deepep_pair(&d, 64, 8, 7168, 0, 0), 1.4505024e-4, 1e-12);
	CHECK_NEAR(cost_deepep_pair(&d, 1, 8, 7168, 0, 1e-3), 2e-3, 1e-12);

	CHECK_INT(profile_load(&p, "h200_sxm"), 0);
	CHECK(p.deepep[0].ll_dispatch_bw > 0 && p.deepep[3].normal_combine_bw > 0);
	/* the shipped profile keeps NCCL's unless it says deepep */
	CHECK(cost_deepep_model(&p, 8, 1) == NULL);
	strlcpy0(p.ep_alltoall, "deepep", sizeof(p.ep_alltoall));
	CHECK(cost_deepep_model(&p, 8, 1) == &p.deepep[0]);
	CHECK(cost_deepep_model(&p, 16, 2) == &p.deepep[1]);
	CHECK(cost_deepep_model(&p, 64, 8) == &p.deepep[3]);
	CHECK(cost_deepep_model(&p, 16, 4) == NULL); /* 4 a node: not measured */
	CHECK(cost_deepep_model(&p, 4, 1) == NULL);
	CHECK(cost_deepep_model(&p, 128, 16) == NULL);
	/* DeepSeek-R1, data-parallel attention over 8 H200s: the busiest rank's ceil(61 / 8) =
	 * 8 tokens, each of the 58 MoE layers one low-latency dispatch and combine */
	p.deepep[0] = d;
	CHECK_INT(model_find(&m, "deepseek-r1"), 0);
	m.weight_dtype = DT_FP8;
	m.ep = EP_DP;
	CHECK_INT(cost_init(&c, &m, &p, 8, 1), 0);
	CHECK(c.deepep == &p.deepep[0]);
	cost_step(&c, &b, &sc);
	/* 8 x 8 x 7168 x 2 = 917,504 bytes: 20e-6 + 9.17504e-6 + 25e-6 + 1.835008e-5 */
	CHECK_NEAR(sc.allreduce, 58 * (20e-6 + 9.17504e-6 + 25e-6 + 1.835008e-5), 1e-12);
	cost_release(&c);
	/* the profile's NCCL all-to-all otherwise: a different time */
	p.ep_alltoall[0] = 0;
	CHECK_INT(cost_init(&c, &m, &p, 8, 1), 0);
	CHECK(c.deepep == NULL);
	{
		struct step_cost s2;
		cost_step(&c, &b, &s2);
		CHECK(s2.allreduce > 0 && fabs(s2.allreduce - sc.allreduce) > 1e-6);
	}
	cost_release(&c);
}

/* A copy of the shipped h200_sxm.yaml with `from` (first occurrence) replaced by `to`: -1
 * expected from profile_parse, with want in the message after "p.yaml:LINE:". */
static int deepep_refuses(const char *from, const char *to, const char *want)
{
	const struct asset *a = asset_find("models/profiles/h200_sxm.yaml");
	struct profile h;
	struct sbuf y = {0};
	const char *at = a ? strstr((const char *)a->data, from) : NULL;
	int ok;
	if (!at)
		return 0;
	sbuf_add(&y, (const char *)a->data, (size_t)(at - (const char *)a->data));
	sbuf_printf(&y, "%s%s", to, at + strlen(from));
	ok = profile_parse(&h, y.buf, y.len, "p.yaml") == -1 && strstr(err_msg(), want) &&
	     strstr(err_msg(), "p.yaml:") == err_msg();
	if (!ok)
		fprintf(stderr, "deepep_refuses: got '%s', expected '%s'\n", err_msg(), want);
	sbuf_release(&y);
	return ok;
}

static void test_deepep_keys(void)
{
	CHECK(deepep_refuses("\ndeepep_16:\n", "\nep_alltoall: fast\ndeepep_16:\n",
			     "key 'ep_alltoall': expected nccl or deepep, got 'fast'"));
	CHECK(deepep_refuses("  normal_combine_bw: ", "  #normal_combine_bw: ",
			     "key 'deepep_8.normal_combine_bw': missing"));
	CHECK(deepep_refuses("  ll_dispatch_lat: ", "  ll_dispatch_lat: 0  # ",
			     "key 'deepep_8.ll_dispatch_lat': expected above 0"));
	CHECK(deepep_refuses("  ll_dispatch_lat: ", "  ll_dispatch_us: ",
			     "key 'deepep_8.ll_dispatch_us': unknown key"));
	{
		/* and `ep_alltoall: deepep` is accepted */
		const struct asset *a = asset_find("models/profiles/h200_sxm.yaml");
		struct profile h;
		struct sbuf y = {0};
		CHECK(a != NULL);
		if (a) {
			sbuf_add(&y, (const char *)a->data, a->len);
			sbuf_printf(&y, "ep_alltoall: deepep\n");
			CHECK_INT(profile_parse(&h, y.buf, y.len, "p.yaml"), 0);
			CHECK_STR(h.ep_alltoall, "deepep");
			sbuf_release(&y);
		}
	}
}

int main(void)
{
	test_deepep();
	test_deepep_keys();
	test_lookup();
	test_table_vs_fit();
	test_shipped();
	test_fit();
	test_bad_tables();
	test_bad_keys();
	return TEST_REPORT();
}
