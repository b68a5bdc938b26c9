/*
 * cmd_validate.c: `ttsim validate FILE... [--format table|json] [--max-median-error PCT]
 * [--keep-going]`: simulate every measured row (experiments/validate.h) and report the errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "experiments/validate.h"
#include "models/engine_profile.h"
#include "models/profile.h"
#include "sim/config.h"
#include "lib/flags.h"
#include "lib/util.h"

static void validate_usage(FILE *f)
{
	fprintf(f,
		"usage: ttsim validate FILE... [--format table|json] [--max-median-error PCT]\n"
		"                      [--keep-going] [--gpu NAME] [--tp N] [--dtype bf16|fp8]\n\n"
		"Simulate every row of measured-run files as the benchmark it records (concurrency\n"
		"C >= 1: C closed-loop clients; 0: an open loop at request_rate, inf = every prompt\n"
		"at once; num_prompts requests or, for a closed loop that does not say, max(10 C,\n"
		"100)) and print predicted, measured, signed and absolute %% error per row, then\n"
		"per metric, and per engine family, GPU and metric, the count, median and p90 of\n"
		"|error| and the bias (and per engine family over its GPU kinds, gpu \"all\", for\n"
		"a family on more than one; JSON: \"families\"). Rows with a status\n"
		"(\"skip: ...\") are counted, not run.\n"
		"A row whose engine family has a profile in models/engines/ (embedded in the\n"
		"binary) gets its step costs, its front end and its defaults; a known engine's\n"
		"release without one (SGLang 0.3, TensorRT-LLM 0.x, NIM), or no engine, runs as\n"
		"vLLM V1, grouped under its own family. engine is vllm, sglang, trtllm or nim;\n"
		"dataset random, sharegpt, shared_prefix or synthetic; status empty or 'skip: WHY'.\n\n"
		"FILE: CSV with the header id,model,gpu,tp,dtype,input_len,output_len,concurrency,\n"
		"metric,value (optional engine,engine_version,source,notes,num_prompts and the\n"
		"client's request_rate,burstiness,dataset,range_ratio,ignore_eos,max_output_len,\n"
		"kv_dtype,status,ep,endpoint, and the engine's max_num_seqs,max_num_batched_tokens,\n"
		"chunked_prefill,max_model_len,enforce_eager,async_scheduling,flashinfer_sampler);\n"
		"metric is ttft_ms, tpot_ms, e2e_s or\n"
		"output_tok_per_s. A 'vllm bench serve --save-result'\n"
		"JSON file is read directly (gpu, tp, dtype from its --metadata, else the flags):\n"
		"max_concurrency C a closed loop of C clients, else request_rate R an open loop at R\n"
		"(burstiness its gamma shape), or \"inf\" every prompt at once.\n\n"
		"  --format table|json      output (default table)\n"
		"  --max-median-error PCT   exit 1 when a metric's median |error| exceeds PCT\n"
		"                           (or per metric: tpot_ms=10,ttft_ms=20)\n"
		"  --keep-going             report bad rows and go on (default: stop, exit 2)\n"
		"  --summary-only           table: only the summaries (no per-row lines)\n"
		"  --fit-engine FAMILY      fit FAMILY's step_cpu_extra (to its offline batches)\n"
		"                           and frontend (to its served rows) blocks\n"
		"                           (models/engine_profile.h; Huber, leave-one-out) and\n"
		"                           print them as YAML; refuses the check part\n"
		"  --intervals              also the model-form error bands (95%% prediction\n"
		"                           intervals of ln(measured/predicted) per metric and\n"
		"                           regime: split conformal from 39 rows, Student t below,\n"
		"                           for a new benchmark where its rows move together;\n"
		"                           the intervals of run --profile-uncertainty when FILE is\n"
		"                           the check part) and the share of rows inside them, in\n"
		"                           sample and leaving each row's own run, and its own\n"
		"                           benchmark (its publisher's runs of its deployment), out\n"
		"                           (JSON: key \"intervals\")\n"
		"  --gpu, --tp, --dtype     defaults for JSON files that do not say\n");
}

/* --intervals: the bands and their coverage (validate.h, model-form error). */
static void print_intervals(const struct vset *s, FILE *f)
{
	struct vband b[VM_N][VR_N];
	double cov[3][VM_N];
	long n[3][VM_N];
	validate_bands(s, b);
	for (int k = VCOV_IN; k <= VCOV_BENCH; k++)
		validate_coverage(s, k, cov[k], n[k]);
	fprintf(f, "\nmodel-form error bands: 95%% prediction interval of ln(measured / predicted)\n"
		"(conformal: the k-th smallest and largest residual, k = ceil(0.975 (n + 1)), from\n"
		"%d rows; student_t: mean +- t(0.975, n-1) s sqrt(1 + 1/n) below that;\n"
		"random_effects_t: where rows of one benchmark (below) move together, the t band\n"
		"of a row of a new benchmark, between- and within-benchmark variance by one-way\n"
		"ANOVA, Satterthwaite df (experiments/validate.h); s and the half-width never\n"
		"under the repeat noise %.3g; pooled: the regime has < %d rows, every regime's\n"
		"rows of the metric)\n",
		VBAND_MIN_ROWS, VBAND_REPEAT_SD, VBAND_MIN_ROWS);
	fprintf(f, "%-16s %-8s %5s %10s %10s %16s %s\n", "metric", "regime", "n", "lo", "hi",
		"factor lo..hi", "method");
	for (int m = 0; m < VM_N; m++)
		for (int g = 0; g < VR_N; g++)
			if (b[m][g].n)
				fprintf(f, b[m][g].pooled ? "%-16s %-8s %5ld %+10.3f %+10.3f "
							    "%7.3g..%-8.3g %-16s pooled\n"
							  : "%-16s %-8s %5ld %+10.3f %+10.3f "
							    "%7.3g..%-8.3g %s\n",
					vmetric_name(m), vregime_name(g), b[m][g].n, b[m][g].lo,
					b[m][g].hi, exp(b[m][g].lo), exp(b[m][g].hi),
					vband_method_name(b[m][g].method));
	/* the random-effects bands' parts: once for a pooled band (every regime's the same) */
	for (int m = 0; m < VM_N; m++)
		for (int g = 0; g < VR_N; g++) {
			const struct vband *x = &b[m][g];
			if (x->method != VBAND_RANDOM_T)
				continue;
			fprintf(f, "%-16s %-8s random effects: %ld benchmarks, sd between %.3f, "
				"within %.3f, df %.1f\n", vmetric_name(m),
				x->pooled ? "pooled" : vregime_name(g), x->groups, x->sd_between,
				x->sd_within, x->df);
			if (x->pooled)
				break;
		}
	fprintf(f, "\nrows inside their band (rows with a bounded band only; run out: the band\n"
		"without the rows of the row's own simulation; benchmark out: without those of its\n"
		"deployment at its publisher: same cited repository or site, model, GPU, TP, engine)\n");
	fprintf(f, "%-16s %5s %12s %5s %14s %5s %18s\n", "metric", "n", "in sample %", "n",
		"own run out %", "n", "own benchmark out %");
	for (int m = 0; m < VM_N; m++)
		if (n[VCOV_IN][m] || n[VCOV_RUN][m] || n[VCOV_BENCH][m])
			fprintf(f, "%-16s %5ld %12.1f %5ld %14.1f %5ld %18.1f\n", vmetric_name(m),
				n[VCOV_IN][m], 100 * cov[VCOV_IN][m], n[VCOV_RUN][m],
				100 * cov[VCOV_RUN][m], n[VCOV_BENCH][m], 100 * cov[VCOV_BENCH][m]);
}

static void print_groups(const struct vset *s, FILE *f)
{
	struct vgroup *g;
	size_t ng = validate_groups(s, &g);
	long skipped = validate_skipped(s);
	fprintf(f, "\n%-10s %-10s %-16s %4s %12s %12s %12s\n", "engine", "gpu", "metric", "n",
		"median|err|%", "p90|err|%", "bias%");
	for (size_t k = 0; k < ng; k++) {
		/* a profile given by path (tests/validation/configs/a100_sxm4_40gb.yaml) by its
		 * file's stem, as the shipped ones are named; the JSON keeps the path */
		const char *gpu = strrchr(g[k].gpu, '/');
		const char *dot;
		int len;
		gpu = gpu ? gpu + 1 : g[k].gpu;
		dot = strrchr(gpu, '.');
		len = dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")) ? (int)(dot - gpu)
									       : (int)strlen(gpu);
		fprintf(f, "%-10s %-10.*s %-16s %4ld %12.1f %12.1f %+12.1f\n", g[k].family, len, gpu,
			vmetric_name(g[k].metric), g[k].e.n, g[k].e.median_abs, g[k].e.p90_abs,
			g[k].e.mean_signed);
	}
	free(g);
	/* the same per family over every GPU kind ("all"), where a family's metric has rows on
	 * more than one: the unit a target per engine family is stated in */
	ng = validate_families(s, &g);
	for (size_t k = 0, said = 0; k < ng; k++) {
		if (g[k].gpus < 2)
			continue;
		if (!said++)
			fprintf(f, "\nper engine family, its GPU kinds pooled (gpu \"all\"):\n");
		fprintf(f, "%-10s %-10s %-16s %4ld %12.1f %12.1f %+12.1f\n", g[k].family, "all",
			vmetric_name(g[k].metric), g[k].e.n, g[k].e.median_abs, g[k].e.p90_abs,
			g[k].e.mean_signed);
	}
	free(g);
	if (skipped)
		fprintf(f, "\n%ld rows kept but not simulated (their status column says why)\n",
			skipped);
}

static void print_table(const struct vset *s, int rows, FILE *f)
{
	struct verr e[VM_N];
	if (rows)
		fprintf(f, "%-34s %-16s %12s %12s %9s %9s\n", "id", "metric", "predicted",
			"measured", "err%", "|err|%");
	for (size_t i = 0; i < s->n && rows; i++) {
		const struct vrow *r = &s->rows[i];
		if (r->status[0])
			continue;
		if (r->err[0]) {
			fprintf(f, "%-34.34s %-16s error: %s\n", r->id[0] ? r->id : "?",
				vmetric_name(r->metric), r->err);
			continue;
		}
		fprintf(f, "%-34.34s %-16s %12.4g %12.4g %+9.1f %9.1f\n", r->id,
			vmetric_name(r->metric), r->predicted, r->value, validate_pct_err(r),
			fabs(validate_pct_err(r)));
	}
	validate_summary(s, e);
	fprintf(f, "\n%-16s %4s %12s %12s %12s\n", "metric", "n", "median|err|%", "p90|err|%",
		"bias%");
	for (int m = 0; m < VM_N; m++)
		if (e[m].n)
			fprintf(f, "%-16s %4ld %12.1f %12.1f %+12.1f\n", vmetric_name(m), e[m].n,
				e[m].median_abs, e[m].p90_abs, e[m].mean_signed);
	print_groups(s, f);
}

/* --fit-engine: the fitted blocks of an engine profile, with their errors; a block the
 * rows cannot fit is said so, not invented. */
static void print_engine_fit(struct vset *s, const char *family, const char **files, int n)
{
	struct vfit f;
	struct vfefit g;
	char why_step[512] = "", why_fe[512] = "";
	const char *key;
	if (validate_fit_engine(s, family, &f) < 0)
		snprintf(why_step, sizeof(why_step), "%s", err_msg());
	if (validate_fit_frontend(s, family, &g) < 0)
		snprintf(why_fe, sizeof(why_fe), "%s", err_msg());
	if (why_step[0] && why_fe[0])
		die("%s; %s", why_step, why_fe);
	printf("# ttsim validate --fit-engine %s", family);
	for (int i = 0; i < n; i++)
		printf(" %s", files[i]);
	printf("\n");
	if (why_step[0]) {
		printf("# step_cpu_extra: not fitted: %s\n", why_step);
	} else {
		printf("# %ld offline-batch output_tok_per_s rows; Huber robust fit, relative to wall, of\n"
		       "# wall - makespan_0 = base x steps + per_seq x output_tokens%s%s\n",
		       f.n, f.fitted[VFIT_TP] ? " + per_tp x (tp - 1) x steps" : "",
		       f.fitted[VFIT_CTX] ? " + per_ctx_token x kv_tokens" : "");
		printf("# wall-time error, in sample: median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
		       f.in_median, f.in_p90, f.in_bias);
		printf("# leave one out:               median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
		       f.loo_median, f.loo_p90, f.loo_bias);
		printf("step_cpu_extra:\n");
		printf("  base_s: %.4g        # +- %.2g\n", f.coef[0], f.se[0]);
		printf("  per_seq_s: %.4g     # +- %.2g\n", f.coef[1], f.se[1]);
		if (f.fitted[VFIT_TP])
			printf("  per_tp_s: %.4g      # +- %.2g\n", f.coef[2], f.se[2]);
		else
			printf("  per_tp_s: 0         # not fitted: every row is TP1\n");
		if (f.fitted[VFIT_CTX])
			printf("  per_ctx_token_s: %.4g  # +- %.2g\n", f.coef[VFIT_CTX],
			       f.se[VFIT_CTX]);
		else
			printf("  per_ctx_token_s: 0  # not fitted: every row has one length\n");
	}
	if (why_fe[0]) {
		printf("# frontend: not fitted: %s\n", why_fe);
		return;
	}
	printf("# frontend: %ld served rows of %ld benchmarks (every metric); Huber (0.2) on\n"
	       "# log(predicted / measured), minimised over a grid (per_request_s 0..%g by %g,\n"
	       "# per_output_token_s 0..%g by %g, latency_s 0..%g by %g, first_token_s 0..%g\n"
	       "# by %g; three stages: the first three, no first token; per_request_s, latency_s,\n"
	       "# first_token_s; per_output_token_s, first_token_s (experiments/validate.c);\n"
	       "# each endpoint's its own, fitted on its rows: %ld chat, %ld completions);\n"
	       "# rows:\n",
	       g.n, g.runs, g.max[0], g.step[0], g.max[1], g.step[1], g.max[2], g.step[2],
	       g.max[3], g.step[3], g.n_chat, g.n - g.n_chat);
	for (size_t i = 0; i < s->n; i++)
		if (validate_fe_row(&s->rows[i], family))
			printf("#   %s %s (%s)\n", s->rows[i].where, s->rows[i].id,
			       validate_endpoint(&s->rows[i]) == ENDPOINT_CHAT ? "chat" : "completions");
	printf("# %% error of the rows' metrics, no front end: median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
	       g.before_median, g.before_p90, g.before_bias);
	printf("# in sample:                                 median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
	       g.in_median, g.in_p90, g.in_bias);
	printf("# leave one benchmark out:                   median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
	       g.loo_median, g.loo_p90, g.loo_bias);
	printf("frontend:\n");
	for (int i = 0, ep, t; (key = engine_profile_fe_key(i, &ep, &t)); i++) {
		/* an endpoint with no row took the other's constants */
		int borrowed = ep == FE_CHAT ? g.n_chat == 0 : g.n_chat == g.n;
		int pad = strlen(key) < 18 ? 20 - (int)strlen(key) : 2; /* the comments aligned */
		const char *why = !borrowed ? ""
				  : ep == FE_CHAT ? " (no chat row: completions')"
						  : " (no completions row: chat's)";
		printf("  %s: %.4g%*s# leave one out: %.4g .. %.4g%s\n", key,
		       *frontend_term(&g.coef[ep], t), pad, "", *frontend_term(&g.loo_lo[ep], t),
		       *frontend_term(&g.loo_hi[ep], t), why);
	}
	for (int e = 0; e < FE_N; e++) {
		if (isnan(g.prof[e][0]))
			continue;
		printf("# %s: least loss at each first_token_s (s: loss):", e ? "chat" : "completions");
		for (int q = 0; q < VFE_NF; q++)
			printf("%s %.4g: %.3f", q ? "," : "", q * g.step[FE_FIRST_TOKEN],
			       g.prof[e][q]);
		printf("\n");
	}
}

/* "10" (every metric) or "tpot_ms=10,ttft_ms=20" into lim[] (-1: no limit); 0 or -1. */
static int parse_limits(const char *text, double *lim)
{
	char buf[256], *save = NULL, *tok;
	double v;
	if (parse_double(text, &v) == 0) {
		if (!(v >= 0))
			return -1;
		for (int m = 0; m < VM_N; m++)
			lim[m] = v;
		return 0;
	}
	if (strlcpy0(buf, text, sizeof(buf)) < 0)
		return -1;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int m;
		if (!eq)
			return -1;
		*eq = 0;
		for (m = 0; m < VM_N && strcmp(vmetric_name(m), tok); m++)
			;
		if (m == VM_N || parse_double(eq + 1, &v) < 0 || !(v >= 0) || lim[m] >= 0)
			return -1; /* unknown, not a percentage, or the metric given twice */
		lim[m] = v;
	}
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	struct vset s = {0};
	struct vdefaults d = {NULL, 1, "bf16"};
	const char *format = "table";
	double lim[VM_N];
	int keep_going = 0, summary_only = 0, intervals = 0, n_files = 0, bad = 0, rc = EXIT_OK;
	const char **files = xcalloc((size_t)argc, sizeof(*files));

	const char *lims = NULL, *tps = NULL, *fit_engine = NULL;
	const struct flag fl[] = {
		{"--keep-going", FLAG_SWITCH, NULL, &keep_going, "report every bad row, then go on"},
		{"--format", FLAG_VALUE, &format, NULL, "table or json"},
		{"--summary-only", FLAG_SWITCH, NULL, &summary_only, "table: the summaries, no rows"},
		{"--intervals", FLAG_SWITCH, NULL, &intervals, "model-form error bands"},
		{"--fit-engine", FLAG_VALUE, &fit_engine, NULL, "fit FAMILY's step CPU time"},
		{"--max-median-error", FLAG_VALUE, &lims, NULL, "PCT or METRIC=PCT,...: fail above"},
		{"--gpu", FLAG_VALUE, &d.gpu, NULL, "GPU of rows that name none"},
		{"--tp", FLAG_VALUE, &tps, NULL, "tensor parallelism of rows that name none"},
		{"--dtype", FLAG_VALUE, &d.dtype, NULL, "dtype of rows that name none"},
		{0},
	};
	struct flags_error fe;

	for (int m = 0; m < VM_N; m++)
		lim[m] = -1;
	n_files = flags_parse(fl, argc, argv, files, argc, &fe);
	if (n_files == FLAGS_HELP) {
		validate_usage(stdout);
		free(files);
		return EXIT_OK;
	}
	if (n_files < 0 && fe.rule == FLAGS_TWICE) /* flags_parse's words */
		die_err();
	if (n_files < 0 && fe.rule == FLAGS_NO_VALUE)
		die("%s: missing value (expected %s VALUE; see 'ttsim validate --help')", fe.arg, fe.arg);
	if (n_files < 0)
		die("unknown option '%s' (expected an option of 'ttsim validate --help')", fe.arg);
	if (strcmp(format, "table") && strcmp(format, "json"))
		die("--format: unknown value '%s' (expected table or json)", format);
	if (lims && parse_limits(lims, lim) < 0)
		die("--max-median-error: expected PCT or METRIC=PCT[,METRIC=PCT...] "
		    "(metrics ttft_ms, tpot_ms, e2e_s, output_tok_per_s), got '%s'", lims);
	if (tps) {
		long tp;
		if (parse_long(tps, &tp) < 0 || !config_tp_ok(tp))
			die("--tp: expected 1, 2, 4 or 8, got '%s'", tps);
		d.tp = (int)tp;
	}
	/* checked whether or not a file uses them: a typo is refused, not ignored */
	if (d.dtype && strcmp(d.dtype, "bf16") && strcmp(d.dtype, "fp8"))
		die("--dtype: expected bf16 or fp8, got '%s'", d.dtype);
	if (d.gpu) {
		struct profile p;
		if (profile_load(&p, d.gpu) < 0)
			die("--gpu: '%s': %s", d.gpu, err_msg());
	}
	if (!n_files)
		die("validate: no measured-run file given (expected ttsim validate FILE.csv|FILE.json)");
	for (int i = 0; i < n_files; i++) {
		int nb = 0;
		if (vset_load(&s, files[i], &d, &nb) < 0)
			die_err();
		bad += nb;
	}
	if (bad && !keep_going)
		for (size_t i = 0; i < s.n; i++)
			if (s.rows[i].err[0])
				die("%s", s.rows[i].err);
	if (fit_engine) {
		print_engine_fit(&s, fit_engine, files, n_files);
		vset_release(&s);
		free(files);
		return EXIT_OK;
	}
	if (!s.n)
		die("%s: no measured rows (expected a CSV with rows under its header, or a 'vllm "
		    "bench serve --save-result' JSON with a metric)", n_files == 1 ? files[0] : "validate");
	if (validate_predict(&s, keep_going) < 0)
		die_err();
	for (size_t i = 0; i < s.n; i++)
		if (s.rows[i].err[0])
			fprintf(stderr, "ttsim: %s (row skipped)\n", s.rows[i].err);
	if (!strcmp(format, "json")) {
		cJSON *j = validate_json(&s);
		char *t;
		if (intervals)
			cJSON_AddItemToObject(j, "intervals", validate_intervals_json(&s));
		t = cJSON_Print(j);
		printf("%s\n", t);
		free(t);
		cJSON_Delete(j);
	} else {
		print_table(&s, !summary_only, stdout);
		if (intervals)
			print_intervals(&s, stdout);
	}
	{
		struct verr e[VM_N];
		validate_summary(&s, e);
		for (int m = 0; m < VM_N; m++)
			if (lim[m] >= 0 && e[m].n && e[m].median_abs > lim[m]) {
				fprintf(stderr,
					"ttsim: validate: %s median |error| %.1f%% is above "
					"--max-median-error %g%%\n",
					vmetric_name(m), e[m].median_abs, lim[m]);
				rc = EXIT_CHECK_FAILED;
			}
	}
	vset_release(&s);
	free(files);
	return rc;
}
