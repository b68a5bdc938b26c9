/*
 * cmd_plan.c: `ttsim plan [EXPERIMENT.yaml] --rate R --gpus KIND:N[,...] [--slo-METRIC-pQ S]`:
 * the cheapest layouts of the GPUs on offer that hold the SLOs at rate R (experiments/
 * plan.h: the layouts; experiments/capacity.h: the verdict), with their headroom, cost
 * per hour and per million output tokens, and the vLLM command lines that deploy and load
 * them. Runs the layouts on all cores or under mpirun, as `sweep` (experiments/sweep_exec).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef TTSIM_MPI
#include <mpi.h>
#endif

#include "cli/cmd.h"
#include "cli/sweep_common.h"
#include "experiments/plan.h"
#include "lib/csv.h"
#include "models/model.h"
#include "sim/config.h"
#include "models/profile.h"
#include "lib/util.h"


struct plan_ctx {
	const struct plan_space *sp;
	const struct plan_layout *lay;
	const struct run_config *base;
	struct sweep_cache **caches;
	struct capacity_opts o;
	double rate;
	const long *top; /* pass 2: the layouts whose capacity to find */
};

/* Pass 1: does layout id hold the SLOs at the rate? */
static int plan_point(void *ctx, int worker, long id, struct sbuf *csv, struct sbuf *jsonl)
{
	struct plan_ctx *pc = ctx;
	const struct plan_layout *l = &pc->lay[id];
	struct run_config c;
	const struct run_inputs *in;
	struct capacity_verdict v;
	struct run_result r;
	const struct steady *st = NULL;
	const char *status = "skipped", *why;
	double usd_h = NAN, usd_m = NAN;
	int tp_nodes, pp_cross;
	plan_layout_config(pc->sp, l, pc->base, &c);
	memset(&v, 0, sizeof(v));
	memset(&r, 0, sizeof(r));
	if (!(in = sweep_cache_get(pc->caches[worker], &c))) {
		why = err_msg();
	} else if (run_layout(&c, &in->profile, &tp_nodes, &pp_cross) < 0) {
		why = err_msg(); /* nodes it cannot join (no network) or place: skipped, said why */
	} else if (capacity_judge(&c, in, &pc->o, pc->rate, &v, &r) < 0) {
		run_result_release(&r);
		why = err_msg();
	} else {
		st = &r.sum.steady;
		status = v.meets ? "holds" : "fails";
		why = v.why;
		usd_h = run_gpus(&c) * in->profile.usd_per_gpu_hour;
		if (st->output_tok_per_s > 0)
			usd_m = usd_h / 3600.0 / st->output_tok_per_s * 1e6;
	}
	sbuf_printf(csv, "%ld", id);
	csv_put_field(csv, c.gpu);
	sbuf_printf(csv, ",%d,%d,%d,%d,%d", c.tp, c.pp, c.nodes, c.replicas, run_gpus(&c));
	csv_put_field(csv, c.dtype);
	csv_put_field(csv, c.spec_draft[0] ? c.spec_draft : "none");
	sbuf_printf(csv, ",%d,%d,%s", c.max_num_seqs, c.max_num_batched_tokens, status);
	csv_put_num(csv, usd_h, 6);
	csv_put_num(csv, usd_m, 6);
	csv_put_num(csv, st ? st->output_tok_per_s : NAN, 6);
	csv_put_num(csv, st ? (double)v.requests : NAN, 6);
	for (int i = 0; i < pc->o.n_slo; i++) {
		struct pct_ci ci;
		csv_put_num(csv, st ? slo_value(st, &pc->o.slo[i], &ci) : NAN, 6);
	}
	csv_put_num(csv, st ? st->goodput_req_per_s : NAN, 6);
	csv_put_field(csv, why);
	csv_put_field(csv, config_enum_word("ep", c.ep));
	sbuf_add(csv, "\n", 1);
	sbuf_printf(jsonl, "{\"id\":%ld}\n", id); /* not written (no JSONL file) */
	if (st)
		run_result_release(&r);
	return 0;
}

/* Pass 2: the capacity of one of the chosen layouts, for its headroom. */
static int plan_capacity(void *ctx, int worker, long k, struct sbuf *csv, struct sbuf *jsonl)
{
	struct plan_ctx *pc = ctx;
	struct run_config c;
	const struct run_inputs *in;
	struct capacity_result res;
	memset(&res, 0, sizeof(res));
	plan_layout_config(pc->sp, &pc->lay[pc->top[k]], pc->base, &c);
	if (!(in = sweep_cache_get(pc->caches[worker], &c)) ||
	    capacity_find(&c, in, &pc->o, &res) < 0)
		return -1;
	sbuf_printf(csv, "%ld,%.6g\n", k, res.rate);
	sbuf_printf(jsonl, "{\"id\":%ld}\n", k);
	capacity_result_release(&res);
	return 0;
}

static void plan_usage(void)
{
	printf("usage: ttsim plan [EXPERIMENT.yaml] --rate R --gpus KIND:N[,KIND:N...] "
	       "[--slo-METRIC-pQ S ...]\n                  [--price KIND=USD,...] [--try-dtype "
	       "bf16,fp8] [--try-spec none,ngram,MODEL]\n                  "
	       "[--try-max-num-seqs N,...] [--try-max-num-batched-tokens N,...] [--top K]\n"
	       "                  [--try-tp N,...] [--try-pp N,...] [--try-ep none,tp,dp] [--max-nodes N]\n"
	       "                  [--out FILE] [--jobs N] [--OPTION V ...]\n\n"
	       "The cheapest deployments of the GPUs on offer that hold the SLOs at R problems/s\n"
	       "(Poisson) of the workload (the model, trace or lengths of EXPERIMENT.yaml and the\n"
	       "--OPTION flags, as for 'ttsim run'). Every layout is tried: a GPU kind, TP 1, 2,\n"
	       "4, 8 (--try-tp) and pipeline stages 1, 2, 4, 8 (--try-pp) within its count, for a\n"
	       "Mixture-of-Experts model expert parallelism none, tp and dp at TP > 1 (--try-ep;\n"
	       "a dense model: none; what the model's experts cannot take is skipped), over\n"
	       "the fewest nodes of the profile's node size that hold tp x pp GPUs (at most\n"
	       "--max-nodes; kinds without a network section cannot join nodes: skipped, with\n"
	       "why), any number of replicas the count allows, and each choice of --try-*. A\n"
	       "layout holds when its steady state at R exists and every SLO percentile holds (as\n"
	       "'ttsim capacity' judges a rate). The K cheapest (USD per hour, then per\n"
	       "million output tokens; of those, equal prices most headroom first) are printed\n"
	       "with their headroom (capacity / R), costs, and the server's command line ('vllm\n"
	       "serve'; with --engine sglang-* or trtllm-*, that engine's own, with the profile's\n"
	       "defaults) and 'vllm bench serve'; --out FILE keeps every\n"
	       "layout's line (CSV). Prices: the profiles' (ttsim profiles), or --price.\n\n"
	       "With 'make MPI=1', 'mpirun -n R ttsim plan ...' spreads the layouts over R ranks.\n");
}

/* "a,b,c" into at most PLAN_MAX_CHOICES words of width w (in dst, row by row). */
static int split_list(const char *flag, const char *v, char *dst, size_t w)
{
	char buf[1024], *save = NULL, *tok;
	int n = 0;
	if (plan_list_check(flag, v) < 0)
		die_err();
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == PLAN_MAX_CHOICES || strlen(tok) >= w)
			die("%s: '%s': at most %d values of %zu characters", flag, v,
			    PLAN_MAX_CHOICES, w - 1);
		for (int i = 0; i < n; i++) /* each layout once: a repeat doubles the search */
			if (!strcmp(dst + (size_t)i * w, tok))
				die("%s: '%s' given twice", flag, tok);
		snprintf(dst + (size_t)n * w, w, "%s", tok);
		n++;
	}
	if (!n)
		die("%s: expected a comma-separated list", flag);
	return n;
}

static int split_ints(const char *flag, const char *v, int *dst, long lo, long hi)
{
	char words[PLAN_MAX_CHOICES][24];
	int n = split_list(flag, v, &words[0][0], sizeof(words[0]));
	for (int i = 0; i < n; i++) {
		long x;
		if (parse_long(words[i], &x) < 0 || x < lo || x > hi)
			die("%s: '%s': expected whole numbers from %ld to %ld", flag, words[i], lo, hi);
		dst[i] = (int)x;
	}
	return n;
}

/* The expert-parallel modes to try (--try-ep): given, each of none, tp, dp, the MoE ones
 * refused for a dense model; not given, the experiment's ep if it sets one, else none, tp
 * and dp for a Mixture-of-Experts model and none for a dense one. */
static void set_eps(struct plan_space *sp, const struct run_config *base, const char *v)
{
	struct model m;
	char words[PLAN_MAX_CHOICES][8];
	int moe;
	if (model_find(&m, base->model) < 0)
		die_err();
	moe = model_is_moe(&m);
	if (!v && config_was_set(base, "ep"))
		v = config_enum_word("ep", base->ep);
	if (!v)
		v = moe ? "none,tp,dp" : "none";
	sp->n_eps = split_list("--try-ep", v, &words[0][0], sizeof(words[0]));
	for (int i = 0; i < sp->n_eps; i++) {
		int e = config_enum_value("ep", words[i]);
		if (e < 0)
			die("--try-ep: '%s': expected none, tp or dp", words[i]);
		if (e != EP_NONE && !moe)
			die("--try-ep: '%s': '%s' is a dense model, no experts to spread (expected "
			    "none)", words[i], m.id);
		for (int k = 0; k < i; k++)
			if (sp->eps[k] == e)
				die("--try-ep: '%s' given twice", words[i]);
		sp->eps[i] = e;
	}
}

/* The lines of a results file, parsed: per layout id, its status and costs. */
struct plan_row {
	int holds, skipped;
	char why[256];
	double usd_h, usd_m, tok_s, goodput;
	double slo[CAPACITY_MAX_SLOS];
	char line[2048];
};

static double field_num(const char *v)
{
	double x;
	return parse_double(v, &x) < 0 ? NAN : x;
}

static void read_rows(FILE *f, struct plan_row *rows, long n, int n_slo)
{
	size_t cap = 0;
	char *line = NULL;
	ssize_t k;
	rewind(f);
	while ((k = getline(&line, &cap, f)) > 0) {
		struct csv c;
		long id;
		csv_init(&c, line, (size_t)k, CSV_QUOTES);
		if (csv_next(&c) > 0 && c.nf >= 18 + n_slo && !parse_long(c.f[0], &id) && id >= 0 &&
		    id < n) {
			rows[id].holds = !strcmp(c.f[11], "holds");
			rows[id].skipped = !strcmp(c.f[11], "skipped");
			rows[id].usd_h = field_num(c.f[12]);
			rows[id].usd_m = field_num(c.f[13]);
			rows[id].tok_s = field_num(c.f[14]);
			for (int i = 0; i < n_slo; i++)
				rows[id].slo[i] = field_num(c.f[16 + i]);
			rows[id].goodput = field_num(c.f[16 + n_slo]);
			snprintf(rows[id].why, sizeof(rows[id].why), "%s", c.f[17 + n_slo]);
			snprintf(rows[id].line, sizeof(rows[id].line), "%s", line);
		}
		csv_release(&c);
	}
	free(line);
}

static const struct plan_row *sort_rows;
static int by_cost(const void *a, const void *b)
{
	long i = *(const long *)a, j = *(const long *)b;
	const struct plan_row *x = &sort_rows[i], *y = &sort_rows[j];
	if (x->usd_h != y->usd_h)
		return x->usd_h < y->usd_h ? -1 : 1;
	if (x->usd_m != y->usd_m && isfinite(x->usd_m) && isfinite(y->usd_m))
		return x->usd_m < y->usd_m ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* "2 x TP4 PP2 on gh200 (16 GPUs, 2 nodes a replica)", as `ttsim run` names a layout
 * (with expert parallelism: "1 x TP8 ep=dp on ..."). */
static const char *layout_name(const struct run_config *c, const char *gpu, char *buf,
			       size_t n)
{
	char pp[32] = "", nodes[32] = "";
	if (c->pp > 1)
		snprintf(pp, sizeof(pp), " PP%d", c->pp);
	if (c->ep != EP_NONE)
		snprintf(pp + strlen(pp), sizeof(pp) - strlen(pp), " ep=%s", config_enum_word("ep", c->ep));
	if (c->nodes > 1)
		snprintf(nodes, sizeof(nodes), ", %d nodes a replica", c->nodes);
	snprintf(buf, n, "%d x TP%d%s on %s (%d GPUs%s)", c->replicas, c->tp, pp, gpu,
		 run_gpus(c), nodes);
	return buf;
}

/* The skipped layouts and why (the profile cannot join nodes, the model does not fit ...):
 * one line per replica shape (GPU kind, tp, pp, ep, nodes: consecutive in the enumeration) with
 * the first one's reason, the first PLAN_SHOW_SKIPPED shapes; --out has every layout. */
#define PLAN_SHOW_SKIPPED 8
static void print_skipped(const struct plan_space *sp, const struct plan_layout *lay,
			  const struct plan_row *rows, long n)
{
	long shapes = 0, more = 0;
	for (long i = 0; i < n;) {
		const struct plan_layout *l = &lay[i];
		const struct plan_offer *o = &sp->offers[l->v[PLAN_OFFER]];
		long j = i, k = 0;
		char pp[32] = "", nodes[32] = "";
		while (j < n && lay[j].v[PLAN_OFFER] == l->v[PLAN_OFFER] &&
		       lay[j].v[PLAN_TP] == l->v[PLAN_TP] && lay[j].v[PLAN_PP] == l->v[PLAN_PP] &&
		       lay[j].v[PLAN_EP] == l->v[PLAN_EP] && lay[j].v[PLAN_NODES] == l->v[PLAN_NODES])
			k += rows[j++].skipped;
		if (k && shapes++ < PLAN_SHOW_SKIPPED) {
			long first = i;
			while (!rows[first].skipped)
				first++;
			if (l->v[PLAN_PP] > 1)
				snprintf(pp, sizeof(pp), " PP%d", l->v[PLAN_PP]);
			if (l->v[PLAN_EP] != EP_NONE)
				snprintf(pp + strlen(pp), sizeof(pp) - strlen(pp), " ep=%s",
					 config_enum_word("ep", l->v[PLAN_EP]));
			if (l->v[PLAN_NODES] > 1)
				snprintf(nodes, sizeof(nodes), " over %d nodes", l->v[PLAN_NODES]);
			printf("   skipped TP%d%s%s on %s (%ld of %ld layouts): %s\n", l->v[PLAN_TP], pp,
			       nodes, o->gpu, k, j - i, rows[first].why);
		} else if (k) {
			more += k;
		}
		i = j;
	}
	if (more)
		printf("   skipped %ld more layouts (--out FILE lists every layout and why)\n", more);
}

int cmd_plan(int argc, char **argv)
{
	const char *path = NULL, *gpus_s = NULL, *price_s = NULL, *dt_s = NULL, *spec_s = NULL;
	const char *mns_s = NULL, *mbt_s = NULL, *top_s = NULL, *out_s = NULL, *jobs_s = NULL;
	const char *tp_s = NULL, *pp_s = NULL, *ep_s = NULL, *mn_s = NULL;
	struct slo_flags sf;
	struct flag fl[SLO_FLAG_ROWS + 17];
	struct base_flags bf;
	struct flags_error fe;
	struct plan_space sp;
	struct plan_ctx pc;
	struct run_config base;
	struct sweep_exec e;
	struct plan_layout *lay;
	struct plan_row *rows = NULL;
	long n_lay, top[64], n_top = 0, n_hold = 0, n_fail = 0, n_skip = 0, k_top = 3;
	double headroom[64];
	int jobs = 0, nf = 0, rc = EXIT_OK, has_sweep = 0;
	FILE *tmp = NULL;

	if (flags_want_help(argc, argv)) {
		plan_usage();
		return EXIT_OK;
	}
	memset(fl, 0, sizeof(fl));
	nf = slo_flags_rows(&sf, fl);
	fl[nf++] = (struct flag){"--gpus", FLAG_VALUE, &gpus_s, NULL, "GPUs on offer"};
	fl[nf++] = (struct flag){"--price", FLAG_VALUE, &price_s, NULL, "USD per GPU-hour"};
	fl[nf++] = (struct flag){"--try-dtype", FLAG_VALUE, &dt_s, NULL, "weight dtypes"};
	fl[nf++] = (struct flag){"--try-spec", FLAG_VALUE, &spec_s, NULL, "speculation"};
	fl[nf++] = (struct flag){"--try-max-num-seqs", FLAG_VALUE, &mns_s, NULL, "max_num_seqs"};
	fl[nf++] = (struct flag){"--try-max-num-batched-tokens", FLAG_VALUE, &mbt_s, NULL,
				 "max_num_batched_tokens"};
	fl[nf++] = (struct flag){"--try-tp", FLAG_VALUE, &tp_s, NULL, "tensor-parallel sizes"};
	fl[nf++] = (struct flag){"--try-pp", FLAG_VALUE, &pp_s, NULL, "pipeline stages"};
	fl[nf++] = (struct flag){"--try-ep", FLAG_VALUE, &ep_s, NULL, "expert parallelism"};
	fl[nf++] = (struct flag){"--max-nodes", FLAG_VALUE, &mn_s, NULL, "nodes a replica"};
	fl[nf++] = (struct flag){"--top", FLAG_VALUE, &top_s, NULL, "how many to print"};
	fl[nf++] = (struct flag){"--out", FLAG_VALUE, &out_s, NULL, "every layout, CSV"};
	fl[nf++] = (struct flag){"--jobs", FLAG_VALUE, &jobs_s, NULL, "worker threads"};
	fl[nf++] = (struct flag){"--ci-width", FLAG_VALUE, &sf.ci_width, NULL, "interval width"};
	mpi_start(&argc, &argv);
	base_flags_init(&bf, fl, argc, argv);
	if (flags_parse(bf.fl, argc, argv, &path, 1, &fe) < 0)
		die_base_flags(&bf, &fe, "plan");
	if (jobs_s)
		jobs = parse_jobs(jobs_s);
	memset(&pc, 0, sizeof(pc));
	slo_flags_apply(&sf, &pc.o);
	pc.o.rel_tol = 0.02;
	if (top_s && (parse_long(top_s, &k_top) < 0 || k_top < 1 || k_top > 64))
		die("--top: expected 1 to 64, got '%s'", top_s);
	memset(&sp, 0, sizeof(sp));
	if (!gpus_s)
		die("missing --gpus KIND:COUNT[,KIND:COUNT...] (the GPUs on offer; see 'ttsim profiles')");
	if (plan_parse_offers(&sp, gpus_s) < 0 || (price_s && plan_parse_prices(&sp, price_s) < 0))
		die_err();
	for (int i = 0; i < sp.n_offers; i++) { /* a kind that does not load is a typo: refused */
		struct profile p;
		if (profile_load(&p, sp.offers[i].gpu) < 0)
			die("--gpus: '%s': %s", sp.offers[i].gpu, err_msg());
		sp.offers[i].gpus_per_node = p.gpus_per_node;
	}
	sp.n_tps = split_ints("--try-tp", tp_s ? tp_s : "1,2,4,8", sp.tps, 1, 64);
	for (int i = 0; i < sp.n_tps; i++) /* a size ttsim does not run is a typo, not a layout */
		if (!config_tp_ok(sp.tps[i]))
			die("--try-tp: '%d': expected 1, 2, 4 or 8 (ttsim's tensor-parallel sizes)",
			    sp.tps[i]);
	sp.n_pps = split_ints("--try-pp", pp_s ? pp_s : "1,2,4,8", sp.pps, 1, 64);
	if (mn_s) {
		long x;
		if (parse_long(mn_s, &x) < 0 || x < 1 || x > 4096)
			die("--max-nodes: expected 1 to 4096, got '%s'", mn_s);
		sp.max_nodes = (int)x;
	}
	sp.n_dtypes = split_list("--try-dtype", dt_s ? dt_s : "bf16", &sp.dtypes[0][0],
				 sizeof(sp.dtypes[0]));
	sp.n_specs = split_list("--try-spec", spec_s ? spec_s : "none", &sp.specs[0][0],
				sizeof(sp.specs[0]));
	for (int i = 0; i < sp.n_dtypes; i++) /* a typo is refused, not tried and failed */
		if (strcmp(sp.dtypes[i], "bf16") && strcmp(sp.dtypes[i], "fp8") &&
		    strcmp(sp.dtypes[i], "auto"))
			die("--try-dtype: '%s': expected auto, bf16 or fp8", sp.dtypes[i]);
	for (int i = 0; i < sp.n_specs; i++) {
		if (!strcmp(sp.specs[i], "none"))
			sp.specs[i][0] = 0;
		else if (strcmp(sp.specs[i], "ngram") && strncmp(sp.specs[i], "eagle", 5) &&
			 strcmp(sp.specs[i], "mtp")) {
			struct model m;
			if (model_find(&m, sp.specs[i]) < 0)
				die("--try-spec: '%s': %s", sp.specs[i], err_msg());
		}
		if (!strncmp(sp.specs[i], "eagle", 5))
			die("--try-spec: '%s': vllm serve needs the EAGLE head's path, which ttsim does "
			    "not know (expected none, ngram or a draft model)", sp.specs[i]);
	}
	config_defaults(&base);
	if (path && config_load_yaml(&base, path, &has_sweep) < 0)
		die_err();
	if (has_sweep)
		die("%s: key 'sweep': plan searches its own layouts (expected an experiment without "
		    "a sweep block)", path);
	for (int i = 0; i < bf.n; i++)
		if (config_set(&base, bf.opt[i]->name, bf.val[i], bf.name[i]) < 0)
			die_err();
	base_flags_release(&bf);
	if (!config_was_set(&base, "rate"))
		die("missing --rate R (the problems per second to serve)");
	set_eps(&sp, &base, ep_s);
	sp.max_num_seqs[0] = base.max_num_seqs;
	sp.max_batched[0] = base.max_num_batched_tokens;
	sp.n_mns = mns_s ? split_ints("--try-max-num-seqs", mns_s, sp.max_num_seqs, 1, 1 << 20) : 1;
	sp.n_mbt = mbt_s ? split_ints("--try-max-num-batched-tokens", mbt_s, sp.max_batched, 1,
				      1 << 24) : 1;
	pc.o.requests = base.requests > 0 ? base.requests : 4000;
	if (pc.o.requests < 100)
		die("key 'requests': %ld problems per run are too few for a steady state (expected "
		    "at least 100)", pc.o.requests);
	pc.o.max_requests = 8 * pc.o.requests;
	/* goodput: the per-request SLOs, unless the experiment sets its own */
	if (base.slo_ttft_ms <= 0 && base.slo_tpot_ms <= 0 && base.slo_e2e_ms <= 0)
		for (int i = 0; i < pc.o.n_slo; i++) {
			double *f = pc.o.slo[i].metric == SLO_TTFT ? &base.slo_ttft_ms
				    : pc.o.slo[i].metric == SLO_TPOT ? &base.slo_tpot_ms
				    : pc.o.slo[i].metric == SLO_E2E ? &base.slo_e2e_ms : NULL;
			if (f && (*f <= 0 || pc.o.slo[i].limit * 1e3 < *f))
				*f = pc.o.slo[i].limit * 1e3;
		}
	lay = plan_layouts(&sp, &n_lay);
	if (!jobs)
		jobs = default_jobs();
	pc.sp = &sp;
	pc.lay = lay;
	pc.base = &base;
	pc.rate = base.rate;
	pc.caches = caches_new(jobs);
	e = sweep_exec_make(n_lay, jobs, plan_point, &pc, "layouts");
	if (mpi_rank > 0) {
		sweep_exec_worker(&e);
	} else {
		if (!(tmp = tmpfile()))
			die("plan: cannot create a temporary file");
		e.csv_fd = fileno(tmp);
		e.progress = isatty(2) ? 1 : 2;
		if (sweep_exec_run(&e) < 0) {
			if (e.signal) /* nothing is written: a plan of some layouts is no plan */
				die_code(EXIT_SIGNAL_BASE + e.signal, "plan: stopped by signal %d after %ld "
					 "of %ld layouts; nothing written", e.signal, e.done, e.n);
			die("plan: layout %ld: %s", e.failed_id, e.failed_msg);
		}
		rows = xcalloc((size_t)n_lay, sizeof(*rows));
		read_rows(tmp, rows, n_lay, pc.o.n_slo);
		{
			long *ids = xmalloc(sizeof(long) * (size_t)(n_lay ? n_lay : 1));
			long nh = 0;
			for (long i = 0; i < n_lay; i++) {
				n_hold += rows[i].holds;
				n_fail += !rows[i].holds && !rows[i].skipped;
				if (rows[i].holds)
					ids[nh++] = i;
			}
			n_skip = n_lay - n_hold - n_fail;
			sort_rows = rows;
			qsort(ids, (size_t)nh, sizeof(long), by_cost);
			n_top = nh < k_top ? nh : k_top;
			/* the layouts priced as the last one shown are candidates too: among equal
			 * prices headroom decides (below), not the noise in USD per token */
			while (n_top > 0 && n_top < nh && n_top < 64 &&
			       rows[ids[n_top]].usd_h == rows[ids[n_top - 1]].usd_h)
				n_top++;
			memcpy(top, ids, sizeof(long) * (size_t)n_top);
			free(ids);
		}
	}
#ifdef TTSIM_MPI
	if (mpi_size > 1) {
		MPI_Bcast(&n_top, 1, MPI_LONG, 0, MPI_COMM_WORLD);
		MPI_Bcast(top, (int)n_top, MPI_LONG, 0, MPI_COMM_WORLD);
	}
#endif
	pc.top = top;
	e = sweep_exec_make(n_top, jobs, plan_capacity, &pc, "headroom searches");
	if (mpi_rank > 0) {
		if (n_top)
			sweep_exec_worker(&e);
		goto done;
	}
	for (long k = 0; k < n_top; k++)
		headroom[k] = NAN;
	if (n_top) {
		FILE *t2 = tmpfile();
		char *line = NULL;
		size_t cap = 0;
		if (!t2)
			die("plan: cannot create a temporary file");
		e.csv_fd = fileno(t2);
		e.progress = isatty(2) ? 1 : 2;
		if (sweep_exec_run(&e) < 0) {
			if (e.signal)
				die_code(EXIT_SIGNAL_BASE + e.signal, "plan: stopped by signal %d during "
					 "the headroom searches; nothing written", e.signal);
			die("plan: headroom of layout %ld: %s", top[e.failed_id], e.failed_msg);
		}
		rewind(t2);
		ssize_t len;
		while ((len = getline(&line, &cap, t2)) > 0) {
			struct csv cv;
			long k;
			double r;
			csv_init(&cv, line, (size_t)len, 0);
			if (csv_next(&cv) > 0 && cv.nf == 2 && !parse_long(cv.f[0], &k) &&
			    !parse_double(cv.f[1], &r) && k >= 0 && k < n_top)
				headroom[k] = r / pc.rate;
			csv_release(&cv);
		}
		free(line);
		fclose(t2);
	}
	/* Equal prices: the layout with more headroom first. At the asked rate every layout's
	 * output tok/s is the offered load, so USD per million tokens differs between them by
	 * noise; the capacity beyond the rate is what tells them apart. Insertion sort: stable,
	 * and n_top <= 64. */
	for (long k = 1; k < n_top; k++)
		for (long j = k; j > 0 && rows[top[j - 1]].usd_h == rows[top[j]].usd_h &&
				 (isnan(headroom[j - 1]) ? !isnan(headroom[j])
							 : headroom[j] > headroom[j - 1]);
		     j--) {
			long t = top[j];
			double h = headroom[j];
			top[j] = top[j - 1];
			headroom[j] = headroom[j - 1];
			top[j - 1] = t;
			headroom[j - 1] = h;
		}
	if (n_top > k_top)
		n_top = k_top;
	if (out_s) {
		struct sbuf sb = {0};
		sbuf_printf(&sb, "id,gpu,tp,pp,nodes,replicas,gpus,dtype,spec,max_num_seqs,"
				 "max_num_batched_tokens,status,usd_per_hour,usd_per_mtok_output,"
				 "output_tok_per_s,requests");
		for (int i = 0; i < pc.o.n_slo; i++)
			sbuf_printf(&sb, ",%s.p%d_s", slo_metric_key(pc.o.slo[i].metric),
				    pc.o.slo[i].pct);
		sbuf_printf(&sb, ",goodput_req_per_s,why,ep\n");
		for (long i = 0; i < n_lay; i++)
			sbuf_printf(&sb, "%s", rows[i].line);
		if (file_write_atomic(out_s, sb.buf, sb.len) < 0)
			die_err();
		sbuf_release(&sb);
	}
	printf("plan: %ld layouts at %g problems/s: %ld hold the SLOs, %ld fail, %ld skipped",
	       n_lay, pc.rate, n_hold, n_fail, n_skip);
	if (out_s)
		printf(" (every layout in %s)", out_s);
	printf("\n");
	print_skipped(&sp, lay, rows, n_lay);
	for (long k = 0; k < n_top; k++) {
		const struct plan_layout *l = &lay[top[k]];
		const struct plan_row *row = &rows[top[k]];
		struct run_config c;
		const struct run_inputs *in;
		struct sbuf sb = {0};
		char name[160];
		plan_layout_config(&sp, l, &base, &c);
		if (!(in = sweep_cache_get(pc.caches[0], &c)))
			die_err();
		/* the engine profile's defaults, as the simulation applied them (run_simulate),
		 * so that the lines below give what was simulated */
		if (run_engine_defaults(&c) < 0)
			die_err();
		printf("\n%ld. %s, %s%s%s, max-num-seqs %d, max-num-batched-tokens %d\n", k + 1,
		       layout_name(&c, in->profile.name, name, sizeof(name)), c.dtype, c.spec_draft[0] ? ", speculation " : "",
		       c.spec_draft, c.max_num_seqs, c.max_num_batched_tokens);
		printf("   cost      %.2f USD/h (%.3g USD per GPU-hour: %s), %.3f USD per M output "
		       "tokens\n", row->usd_h, in->profile.usd_per_gpu_hour,
		       sp.offers[l->v[PLAN_OFFER]].usd_per_gpu_hour >= 0 ? "--price"
							       : "the profile's price",
		       row->usd_m);
		printf("   headroom  %.2fx (sustains %.4g problems/s)\n", headroom[k],
		       headroom[k] * pc.rate);
		printf("   steady    %.1f output tok/s", row->tok_s);
		for (int i = 0; i < pc.o.n_slo; i++)
			printf(", %s.p%d %.4g s (<= %g)", slo_metric_key(pc.o.slo[i].metric),
			       pc.o.slo[i].pct, row->slo[i], pc.o.slo[i].limit);
		if (isfinite(row->goodput))
			printf(", goodput %.4g req/s", row->goodput);
		printf("\n");
		plan_serve(&c, in->model.id, &sb);
		printf("   server    %s\n", sb.buf);
		sb.len = 0;
		sb.buf[0] = 0;
		plan_nodes(&c, &sb);
		if (sb.len)
			printf("   %-9s %s\n", c.nodes > 1 ? "nodes" : "replicas", sb.buf);
		sb.len = 0;
		sb.buf[0] = 0;
		plan_vllm_bench(&c, in->model.id, &pc.o, pc.rate, &sb);
		printf("   client    %s\n", sb.buf);
		sbuf_release(&sb);
	}
	if (!n_top) {
		printf("plan: no layout holds the SLOs at %g problems/s (offer more GPUs, relax the "
		       "SLOs, or see --out for why each fails)\n", pc.rate);
		rc = EXIT_CHECK_FAILED;
	}
done:
	if (tmp)
		fclose(tmp);
	free(rows);
	free(lay);
	caches_free(pc.caches, jobs);
	mpi_stop();
	return rc;
}
