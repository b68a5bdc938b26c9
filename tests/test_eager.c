/* test_eager.c: eager mode (cuda_graphs false) costed as host-bound dispatch (models/cost.c,
 * cost_host_ops and the end of cost_step): the op counts worked by hand, a host-bound step
 * (small batch: the host's ops outlast the GPU) and a GPU-bound one (large batch), graph mode
 * untouched, monotonicity, the profile key's refusal, the validate column, and the one-row
 * fit of the shipped overhead.host_op_eager reproduced from tests/validation/eager.csv. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/validate.h"
#include "models/cost.h"
#include "models/model.h"
#include "models/profile.h"
#include "tests/engine_fixture.h"
#include "tests/test.h"
#include "lib/util.h"

static struct model get(const char *name)
{
	struct model m;
	if (model_find(&m, name)) {
		fprintf(stderr, "model_find(%s): %s\n", name, err_msg());
		exit(1);
	}
	return m;
}

/* One step's total on a fresh context (no memo shared between the calls compared). */
static double step(const struct model *m, const struct profile *p, int tp, int graphs,
		   const struct step_batch *b, struct step_cost *sc)
{
	struct cost_ctx c;
	double t;
	if (cost_init(&c, m, p, tp, graphs) < 0) {
		fprintf(stderr, "cost_init: %s\n", err_msg());
		exit(1);
	}
	t = cost_step(&c, b, sc);
	cost_release(&c);
	return t;
}

static double host_ops(const struct model *m, const struct profile *p, int tp)
{
	struct cost_ctx c;
	double n;
	if (cost_init(&c, m, p, tp, 0) < 0)
		exit(1);
	n = cost_host_ops(&c);
	cost_release(&c);
	return n;
}

static struct step_batch decode(int seqs, double ctx)
{
	struct step_batch b;
	memset(&b, 0, sizeof(b));
	b.n_decode = seqs;
	b.decode_q = 1;
	b.decode_ctx = seqs * ctx;
	b.n_sample = seqs;
	return b;
}

static void test_ops(void)
{
	struct profile p = fixture_profile();
	struct model m = get("llama-3.1-8b-instruct");
	/* Llama-3.1-8B, 32 layers of 9 ops (input norm, QKV, rotary, attention, O, post norm,
	 * gate/up, activation, down) + 4 a step (embedding, final norm, LM head, sampler) */
	CHECK_NEAR(host_ops(&m, &p, 1), 32 * 9 + 4, 0);
	/* TP 2: the two all-reduces of each layer: 32 x 11 + 4 */
	CHECK_NEAR(host_ops(&m, &p, 2), 32 * 11 + 4, 0);
	/* Qwen3-14B: 40 layers, q and k norms: 40 x 11 + 4 = 444 */
	m = get("qwen3-14b");
	CHECK_NEAR(host_ops(&m, &p, 1), 444, 0);
	/* Qwen3-30B-A3B: 48 MoE layers, qk norms: attention 7, MoE MLP 8 (norm, router, top-k,
	 * align, up, activation, down, sum), no shared experts: 48 x 15 + 4 = 724 */
	m = get("qwen3-30b-a3b");
	CHECK_NEAR(host_ops(&m, &p, 1), 724, 0);
}

static void test_host_bound(void)
{
	struct profile p = fixture_profile(), p0;
	struct model m = get("llama-3.1-8b-instruct");
	struct step_batch b = decode(1, 1000);
	struct step_cost sc, sc0;
	double t, t0, cpu, gpu, host;
	p.host_op_eager = 25e-6;
	p0 = p;
	p0.host_op_eager = 0; /* the old eager model: GPU time with launch_eager floors */
	t0 = step(&m, &p0, 1, 0, &b, &sc0);
	t = step(&m, &p, 1, 0, &b, &sc);
	/* batch 1: the engine's CPU (step_base + step_per_seq) then 292 ops of 25 us = 7.3 ms
	 * of host, past the GPU's ~5 ms of weights (16 GB at 3.35 TB/s x 0.85 + launches) */
	cpu = p.step_base + p.step_per_seq * 1;
	host = 292 * 25e-6;
	gpu = t0 - cpu;
	CHECK(host > gpu);
	CHECK(gpu > 3e-3); /* the comparison is not vacuous */
	CHECK_NEAR(t, cpu + host, 1e-12);
	/* the wait is its own part; the CPU's and the GPU's are those of the old model */
	CHECK_NEAR(sc.host_wait, host - gpu, 1e-9);
	CHECK_NEAR(sc.cpu, sc0.cpu, 0);
	CHECK_NEAR(sc0.host_wait, 0, 0);
	CHECK_NEAR(sc.gemm, sc0.gemm, 0);
	CHECK_NEAR(sc.attn_decode, sc0.attn_decode, 0);
	CHECK_NEAR(sc.total, sc.gemm + sc.attn_decode + sc.attn_prefill + sc.allreduce +
				     sc.elementwise + sc.lm_head + sc.cpu + sc.host_wait, 1e-9);
	/* the memoised path (out NULL) gives the same total */
	CHECK_NEAR(step(&m, &p, 1, 0, &b, NULL), t, 0);
}

static void test_gpu_bound(void)
{
	struct profile p = fixture_profile(), p0;
	struct model m = get("llama-3.1-8b-instruct");
	struct step_batch b = decode(256, 4000), pf;
	double t, t0;
	p.host_op_eager = 25e-6;
	p0 = p;
	p0.host_op_eager = 0;
	/* 256 sequences of 4000 tokens: ~1M KV tokens at 128 KB each, 134 GB... of reads
	 * per step over 32 layers: the GPU's tens of ms outlast 7.3 ms of host ops */
	t0 = step(&m, &p0, 1, 0, &b, NULL);
	t = step(&m, &p, 1, 0, &b, NULL);
	CHECK(t0 - (p.step_base + p.step_per_seq * 256) > 292 * 25e-6);
	CHECK(t == t0); /* bit-identical: the GPU's time wins */
	/* a prefill of 8192 tokens: GPU-bound too */
	memset(&pf, 0, sizeof(pf));
	pf.n_prefill = 1;
	pf.prefill_tokens = 8192;
	pf.prefill_pairs = 8192.0 * 8193 / 2;
	pf.n_sample = 1;
	CHECK(step(&m, &p, 1, 0, &pf, NULL) == step(&m, &p0, 1, 0, &pf, NULL));
}

/* vLLM's async scheduling (cost_ctx.async_sched): the engine's per-step CPU runs beside the
 * GPU's step, so a step lasts max(GPU, CPU) where it lasted GPU + CPU. By hand, batch 1 under
 * CUDA graphs: the GPU's ~5 ms outlasts step_base + step_per_seq, so the step loses exactly
 * its CPU; with a 30 ms step_base the CPU is the step; eager and host-bound, the host's ops
 * and the engine's CPU overlap too. */
static double step_async(const struct model *m, const struct profile *p, int graphs,
			 const struct step_batch *b, struct step_cost *sc)
{
	struct cost_ctx c;
	double t;
	if (cost_init(&c, m, p, 1, graphs) < 0) {
		fprintf(stderr, "cost_init: %s\n", err_msg());
		exit(1);
	}
	CHECK_INT(c.async_sched, 0); /* cost_init leaves it off */
	c.async_sched = 1;
	t = cost_step(&c, b, sc);
	cost_release(&c);
	return t;
}

static void test_async_scheduling(void)
{
	struct profile p = fixture_profile();
	struct model m = get("llama-3.1-8b-instruct");
	struct step_batch b = decode(1, 1000);
	struct step_cost sc;
	double sync = step(&m, &p, 1, 1, &b, NULL), cpu = p.step_base + p.step_per_seq * 1;
	CHECK(sync - cpu > cpu); /* GPU-bound: the GPU's part outlasts the CPU's */
	CHECK_NEAR(step_async(&m, &p, 1, &b, &sc), sync - cpu, 1e-12);
	CHECK_NEAR(sc.total, sync - cpu, 1e-12);
	CHECK_NEAR(sc.cpu, cpu, 1e-15); /* the part itself is still reported */
	CHECK_NEAR(step_async(&m, &p, 1, &b, NULL), sync - cpu, 1e-12); /* memoised path */
	p.step_base = 30e-3; /* CPU-bound */
	sync = step(&m, &p, 1, 1, &b, NULL);
	CHECK_NEAR(step_async(&m, &p, 1, &b, NULL), 30e-3 + p.step_per_seq, 1e-12);
	CHECK(sync > 30e-3 + p.step_per_seq + 3e-3);
	/* eager and host-bound: CPU then 7.3 ms of host ops in sync, the longer of them here */
	p = fixture_profile();
	p.host_op_eager = 25e-6;
	CHECK_NEAR(step(&m, &p, 1, 0, &b, NULL), cpu + 292 * 25e-6, 1e-12);
	CHECK_NEAR(step_async(&m, &p, 0, &b, NULL), 292 * 25e-6, 1e-12);
}

static void test_graphs_untouched(void)
{
	struct profile p = fixture_profile(), p0;
	struct model m = get("llama-3.1-8b-instruct");
	struct step_batch b = decode(1, 1000), pf;
	p.host_op_eager = 40e-6;
	p0 = p;
	p0.host_op_eager = 0;
	/* CUDA graphs: decode replayed in a graph, and the steps outside (prefill) are not
	 * host-bound in this model: both bit-identical */
	CHECK(step(&m, &p, 1, 1, &b, NULL) == step(&m, &p0, 1, 1, &b, NULL));
	memset(&pf, 0, sizeof(pf));
	pf.n_prefill = 1;
	pf.prefill_tokens = 16;
	pf.prefill_pairs = 16.0 * 17 / 2;
	pf.n_sample = 1;
	CHECK(step(&m, &p, 1, 1, &pf, NULL) == step(&m, &p0, 1, 1, &pf, NULL));
	/* while eager the same short prefill is host-bound */
	CHECK(step(&m, &p, 1, 0, &pf, NULL) > step(&m, &p0, 1, 0, &pf, NULL));
}

static void test_monotone(void)
{
	struct profile p = fixture_profile();
	struct model m = get("qwen3-14b");
	double last = 0;
	/* in the per-op cost */
	for (int i = 0; i <= 10; i++) {
		struct step_batch b = decode(4, 2000);
		double t;
		p.host_op_eager = i * 5e-6;
		t = step(&m, &p, 1, 0, &b, NULL);
		CHECK(t >= last);
		last = t;
		/* never below graph mode */
		CHECK(t >= step(&m, &p, 1, 1, &b, NULL));
	}
	/* in the batch: at or above the host's floor, never falling */
	p.host_op_eager = 25e-6;
	last = 0;
	for (int n = 1; n <= 1024; n *= 2) {
		struct step_batch b = decode(n, 2000);
		double t = step(&m, &p, 1, 0, &b, NULL);
		CHECK(t >= last);
		CHECK(t >= 444 * 25e-6);
		last = t;
	}
}

static void test_refusal(void)
{
	struct profile p;
	CHECK_INT(profile_load(&p, "h100_sxm"), 0);
	CHECK(p.host_op_eager > 0); /* every shipped profile has it */
	p.host_op_eager = -1e-6;
	CHECK_INT(profile_validate(&p, "e.yaml"), -1);
	CHECK(strstr(err_msg(), "e.yaml: key 'overhead.host_op_eager'") != NULL);
	p.host_op_eager = 2e-3;
	CHECK_INT(profile_validate(&p, "e.yaml"), -1);
	CHECK(strstr(err_msg(), "key 'overhead.host_op_eager'") != NULL);
	for (const char *const *g = (const char *const[]){"a100_sxm", "h200_sxm", "gh200", NULL};
	     *g; g++) {
		CHECK_INT(profile_load(&p, *g), 0);
		CHECK(p.host_op_eager > 0);
	}
}

/* The shipped overhead.host_op_eager is the one-row fit (models/profiles/README, the base
 * YAML's note): the _fit row's measured decode step = the engine's CPU + host ops x h, where
 * the step is host-bound; reproduced from the CSV and the shipped profile. */
static void test_fit_and_column(void)
{
	struct vset s;
	struct vdefaults d = {NULL, 1, "bf16"};
	struct profile p;
	struct model m = get("llama-3.1-8b-instruct");
	const struct vrow *fit = NULL;
	int n_bad = 0, eager = 0, graphs = 0;
	memset(&s, 0, sizeof(s));
	CHECK_INT(vset_load(&s, "tests/validation/eager.csv", &d, &n_bad), 0);
	CHECK_INT(n_bad, 0);
	for (size_t i = 0; i < s.n; i++) {
		const struct vrow *r = &s.rows[i];
		struct run_config c;
		size_t l = strlen(r->id);
		eager += r->enforce_eager == 1;
		graphs += r->enforce_eager == 0;
		if (l > 4 && !strcmp(r->id + l - 4, "_fit"))
			fit = r;
		/* the column reaches the run's configuration */
		CHECK_INT(validate_config(r, &c), 0);
		CHECK_INT(c.cuda_graphs, !r->enforce_eager);
	}
	CHECK(eager >= 2 && graphs >= 2);
	CHECK(fit != NULL);
	if (fit) {
		struct step_batch b = decode(1, fit->input_len + fit->output_len / 2.0);
		struct profile p0;
		double cpu, h, gpu;
		CHECK_INT(fit->enforce_eager, 1);
		CHECK_INT(profile_load(&p, fit->gpu), 0);
		cpu = p.step_base + p.step_per_seq;
		h = (fit->value / 1e3 - cpu) / host_ops(&m, &p, 1);
		/* shipped rounded to three figures (25.41 us: 2.54e-5) */
		CHECK(fabs(p.host_op_eager - h) < 0.05e-6);
		/* and host-bound there, as the closed form assumes */
		p0 = p;
		p0.host_op_eager = 0;
		gpu = step(&m, &p0, 1, 0, &b, NULL) - cpu;
		CHECK(host_ops(&m, &p, 1) * h > gpu);
	}
	vset_release(&s);
	/* a bad value is refused naming the file, line and key */
	memset(&s, 0, sizeof(s));
	n_bad = 0;
	vset_parse_csv(&s,
		       "id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,"
		       "enforce_eager\n"
		       "a,llama-3.1-8b-instruct,h100_sxm,1,bf16,128,8,1,tpot_ms,8,maybe\n",
		       "bad.csv", &n_bad);
	CHECK_INT(n_bad, 1);
	CHECK(s.n == 1 && strstr(s.rows[0].err, "bad.csv:2: key 'enforce_eager': expected true "
						"or false") != NULL);
	vset_release(&s);
}

int main(void)
{
	test_ops();
	test_host_bound();
	test_gpu_bound();
	test_async_scheduling();
	test_graphs_untouched();
	test_monotone();
	test_refusal();
	test_fit_and_column();
	return TEST_REPORT();
}
