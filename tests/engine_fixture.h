/* engine_fixture.h: a hand-set H100-like profile and request builders for engine tests, so
 * that engine tests do not depend on the shipped profiles (whose numbers may be refitted). */
#ifndef TTSIM_ENGINE_FIXTURE_H
#define TTSIM_ENGINE_FIXTURE_H

#include <string.h>

#include "sim/engine.h"
#include "models/cost.h"
#include "models/model.h"
#include "models/profile.h"

static inline struct profile fixture_profile(void)
{
	struct profile p;
	memset(&p, 0, sizeof(p));
	p.schema_version = 1;
	strcpy(p.name, "fixture");
	strcpy(p.gpu, "test GPU");
	p.gpus_per_node = 8;
	strcpy(p.topology, "nvswitch");
	p.hbm_bytes = 80e9;
	p.hbm_bw = 3.35e12;
	p.gemm_bf16 = (struct gemm_model){.peak = 989e12, .eff_max = 0.75, .m_half = 64,
					  .nk_half = 256, .bw_eff = 0.85, .floor = 4e-6, .smooth = 3};
	p.gemm_fp8 = (struct gemm_model){.peak = 1979e12, .eff_max = 0.7, .m_half = 64,
					 .nk_half = 256, .bw_eff = 0.85, .floor = 4e-6, .smooth = 3};
	p.attn_prefill.t0 = 5e-6;
	p.attn_prefill.rate = 400e12;
	p.attn_decode.t0 = 5e-6;
	p.attn_decode.per_seq = 1e-8;
	p.attn_decode.bw = 2.8e12;
	p.ew_bw = 2.5e12;
	p.ar[0] = (struct allreduce_model){.n_gpus = 2, .lat = 10e-6, .busbw = 300e9, .car_lat = 5e-6,
					   .car_bw = 150e9, .car_max_bytes = 8e6};
	p.ar[1] = (struct allreduce_model){.n_gpus = 4, .lat = 15e-6, .busbw = 300e9, .car_lat = 7e-6,
					   .car_bw = 120e9, .car_max_bytes = 8e6};
	p.ar[2] = (struct allreduce_model){.n_gpus = 8, .lat = 20e-6, .busbw = 300e9, .car_lat = 9e-6,
					   .car_bw = 100e9, .car_max_bytes = 8e6};
	p.launch_eager = 5e-6;
	p.launch_graph = 1.5e-6;
	p.graph_max_seqs = 512;
	p.step_base = 1e-3;
	p.step_per_seq = 5e-6;
	p.step_per_tp = 50e-6;
	p.mem_reserved_bytes = 2e9;
	p.power_idle_w = 100;
	p.power_busy_w = 700;
	p.usd_per_gpu_hour = 2.5;
	return p;
}

static inline struct sim_setup fixture_setup(const struct model *m, const struct profile *p)
{
	struct sim_setup s;
	memset(&s, 0, sizeof(s));
	s.model = m;
	s.profile = p;
	s.tp = 1;
	s.replicas = 1;
	s.cuda_graphs = 1;
	s.chunked_prefill = 1;
	s.max_num_seqs = 256;
	s.max_num_batched_tokens = 8192;
	s.block_size = 16;
	s.gpu_memory_utilization = 0.9;
	s.loop = SIM_OPEN;
	s.concurrency = 1;
	s.seed = 1;
	s.check = 1;
	return s;
}

/* n problems of one request each, all arriving at 0. */
static inline void fixture_requests(struct sim_problem *pr, struct sim_req *rq, long n,
				    int prompt, int output)
{
	memset(pr, 0, sizeof(*pr) * (size_t)n);
	memset(rq, 0, sizeof(*rq) * (size_t)n);
	for (long i = 0; i < n; i++) {
		pr[i].first = (int32_t)i;
		pr[i].n = 1;
		rq[i].problem = (int32_t)i;
		rq[i].prompt = prompt;
		rq[i].output = output;
		rq[i].answer = -1;
	}
}

/* Mean TPOT (ms) of the first n requests of r. */
static inline double fixture_mean_tpot_ms(const struct sim_req *r, long n)
{
	double s = 0;
	for (long i = 0; i < n; i++)
		s += (double)(r[i].t_done - r[i].t_first) / 1e6 / (r[i].output - 1);
	return s / (double)n;
}

/* Set prof's HBM so that setup s's KV cache holds about `blocks` blocks (the drafter's
 * weights and KV beside the target's, about): small caches make preemption and
 * recomputation run. The KV budget is linear in hbm_bytes, so one correction from a
 * roomy start lands mid-block. 0, or -1 with err_set when s does not fit at all. */
static inline int fixture_size_kv(struct profile *prof, const struct sim_setup *s, double blocks)
{
	struct cost_ctx c;
	struct mem_plan mp;
	prof->hbm_bytes = 4e12;
	if (cost_init(&c, s->model, prof, s->tp, s->cuda_graphs) < 0)
		return -1;
	if (cost_mem_plan(&c, s->gpu_memory_utilization, s->max_num_batched_tokens,
			  s->max_num_seqs, s->block_size, &mp) < 0) {
		cost_release(&c);
		return -1;
	}
	prof->hbm_bytes -= (mp.kv - (blocks + 0.5) * c.kv_bytes_tok * s->block_size *
				    model_kv_block_frac(s->model)) /
			   s->gpu_memory_utilization;
	cost_release(&c);
	if (s->spec.k > 0 && s->spec.draft_kind != DRAFT_NGRAM) {
		struct model dm = s->spec.draft ? *s->spec.draft : *s->model;
		if (!s->spec.draft)
			dm.n_layers = 1;
		prof->hbm_bytes += (model_weight_bytes_per_gpu(&dm, s->tp) +
				    (blocks + 1) * s->block_size * model_kv_bytes_per_token(&dm, s->tp)) /
				   s->gpu_memory_utilization;
	}
	return 0;
}

#endif
