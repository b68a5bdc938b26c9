/*
 * cmd_trace.c: `ttsim trace synth|stats|accuracy|import`. Flag parsing and printing only;
 * the work is in trace.c, synth.c, tts.c and import.c.
 */
#include "cli/cli.h"
#include "cli/cmd.h"
#include "models/profile.h"
#include "sim/config.h"
#include "traces/import.h"
#include "traces/rm_fit.h"
#include "traces/synth.h"
#include "traces/trace.h"
#include "traces/trace_alias.h"
#include "traces/tts.h"
#include "traces/tts_fit.h"
#include "traces/vote.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* The usage of every verb, and the wording of a bad flag (a flag last without its value is
 * unknown, as it always was). */
static const struct cli_words words = {
	.usage = "usage: ttsim trace synth MODEL [--from DIR] [--seed S] [--samples N] [-o FILE]\n"
		 "       ttsim trace synth --all [--from DIR] [--seed S] [--dir traces/math500]\n"
		 "       ttsim trace stats TRACE [--format text|json]\n"
		 "       ttsim trace accuracy TRACE --samples N [--budget B] [--waits W]\n"
		 "                            [--vote majority|best|pass] [--rm-accuracy A] [--rm-spread T]\n"
		 "                            [--no-early-stop]\n"
		 "                            [--seed S] [--format text|json]\n"
		 "       ttsim trace import vllm-bench RESULT.json -o TRACE.jsonl [--measured FILE.csv]\n"
		 "                            --gpu GPU --tp N [--model ID] [--dtype D] [--engine-version V]\n"
		 "       ttsim trace import jsonl LOG.jsonl -o TRACE.jsonl [--model ID] [--max-tokens N]\n"
		 "       ttsim trace import per-sample SAMPLES.csv -o TRACE.jsonl --model ID --max-tokens N\n"
		 "                            [--problems math500_prompt_tokens.csv] [--strmatch] [--source TEXT]\n"
		 "       ttsim trace import per-sample --all [--from DIR] [--dir traces/math500]\n"
		 "       ttsim trace crossval [--traces T1,T2,...] [--max-n N] [--draws D] [--seed S]\n"
		 "                            [--format text|json] [--write-twins DIR]\n"
		 "       ttsim trace tts-fit [--curves FILE] [--bf-curves FILE] [--rm-curves FILE] [--seed S]\n"
		 "TRACE is a file or math500:MODEL (a Hugging Face id or alias of a shipped trace).\n",
	.unknown = "unknown flag '%s' (expected a flag of 'ttsim trace --help')",
	.extra = "unexpected argument '%s' (see 'ttsim trace --help')",
};

static long need_long(const char *s, const char *name, long lo, long hi)
{
	long v;
	if (parse_long(s, &v) < 0 || v < lo || v > hi)
		die("flag '%s': bad value '%s' (expected an integer in %ld..%ld)", name, s, lo, hi);
	return v;
}

static int write_trace_file(const struct trace *t, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		die("cannot allocate an output buffer (expected memory for the output)");
	trace_write(t, f);
	fclose(f);
	if (file_write_atomic(path, buf, len) < 0) {
		free(buf);
		die_err();
	}
	free(buf);
	return 0;
}

static int do_synth(int argc, char **argv)
{
	struct synth_params sp;
	const char *from = "../shared/traces", *seed = NULL, *samples = NULL, *out = NULL;
	const char *dir = NULL, *pos[1];
	int all = 0;
	const struct flag fl[] = {
		{"--from", FLAG_VALUE, &from, NULL, "the pilot data (default ../shared/traces)"},
		{"--seed", FLAG_VALUE, &seed, NULL, "random seed"},
		{"--samples", FLAG_VALUE, &samples, NULL, "samples per problem"},
		{"-o", FLAG_VALUE, &out, NULL, "output file (default: standard output)"},
		{"--dir", FLAG_VALUE, &dir, NULL, "with --all: output directory"},
		{"--all", FLAG_SWITCH, NULL, &all, "every shipped model"},
		{0},
	};
	struct trace t;
	int np = cli_parse_flags(fl, argc, argv, pos, 1, &words);
	if (np == FLAGS_HELP)
		return EXIT_OK;
	synth_defaults(&sp);
	if (seed)
		sp.seed = (uint64_t)need_long(seed, "--seed", 0, 0x7fffffffffffffffL);
	if (samples)
		sp.samples = (int)need_long(samples, "--samples", 1, 4096);
	if (all) {
		char path[512];
		if (!dir)
			dir = "traces/math500";
		if (mkdir_p(dir) < 0)
			die_err();
		for (int i = 0; i < trace_n_aliases; i++) {
			if (trace_aliases[i].per_sample)
				continue; /* a real trace: ttsim trace import per-sample --all */
			if (synth_trace(&t, from, trace_aliases[i].alias, &sp) < 0)
				die_err();
			snprintf(path, sizeof(path), "%s/%s.jsonl", dir, trace_aliases[i].alias);
			write_trace_file(&t, path);
			trace_release(&t);
			fprintf(stderr, "wrote %s\n", path);
		}
		return EXIT_OK;
	}
	if (np != 1)
		die("trace synth: expected one MODEL or --all (see 'ttsim trace --help')");
	if (synth_trace(&t, from, pos[0], &sp) < 0)
		die_err();
	if (out)
		write_trace_file(&t, out);
	else
		trace_write(&t, stdout);
	trace_release(&t);
	return EXIT_OK;
}

static void load_or_die(struct trace *t, const char *name)
{
	if (trace_load(t, name) < 0)
		die_err();
}

static void stats_json(const struct trace_stats *s, struct sbuf *sb)
{
	sbuf_printf(sb, "{\"problems\": %d, \"samples\": %ld, \"mean_output_tokens\": %.2f, \"p50_output_tokens\": %.1f, "
			"\"p90_output_tokens\": %.1f, \"pass_at_1\": %.6f, \"majority_at\": {",
		    s->problems, s->samples, s->mean_output_tokens, s->p50_output_tokens, s->p90_output_tokens, s->pass_at_1);
	for (int m = 0; m < TTS_NMAJ; m++)
		if (isnan(s->majority_at[m])) /* a problem with fewer samples than that */
			sbuf_printf(sb, "%s\"%d\": null", m ? ", " : "", 1 << m);
		else
			sbuf_printf(sb, "%s\"%d\": %.6f", m ? ", " : "", 1 << m, s->majority_at[m]);
	sbuf_printf(sb, "}}");
}

static int do_stats(int argc, char **argv)
{
	const char *fmt = NULL, *pos[1];
	const struct flag fl[] = {{"--format", FLAG_VALUE, &fmt, NULL, "text or json"}, {0}};
	struct trace t;
	struct trace_stats st[6];
	int np = cli_parse_flags(fl, argc, argv, pos, 1, &words);
	if (np == FLAGS_HELP)
		return EXIT_OK;
	if (np != 1)
		die("trace stats: expected one TRACE (see 'ttsim trace --help')");
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "text"))
		die("flag '--format': bad value '%s' (expected text or json)", fmt);
	load_or_die(&t, pos[0]);
	for (int l = 0; l <= 5; l++)
		trace_stats(&t, l, &st[l]);
	if (fmt && !strcmp(fmt, "json")) {
		struct sbuf sb = {0};
		sbuf_printf(&sb, "{\"trace\": ");
		sbuf_printf(&sb, "\"%s\", \"model\": \"%s\", \"overall\": ", t.name, t.model);
		stats_json(&st[0], &sb);
		sbuf_printf(&sb, ", \"levels\": {");
		int first = 1;
		for (int l = 1; l <= 5; l++) {
			if (!st[l].problems)
				continue;
			sbuf_printf(&sb, "%s\"%d\": ", first ? "" : ", ", l);
			stats_json(&st[l], &sb);
			first = 0;
		}
		sbuf_printf(&sb, "}}\n");
		fputs(sb.buf, stdout);
		sbuf_release(&sb);
	} else {
		printf("trace %s (%s, %s)\n", t.name, t.model, t.provenance);
		printf("%-8s %8s %8s %8s %8s %8s %7s", "level", "problems", "samples", "mean", "p50", "p90", "pass@1");
		for (int m = 0; m < TTS_NMAJ; m++)
			printf("  maj@%-2d", 1 << m);
		printf("\n");
		for (int l = 1; l <= 6; l++) {
			const struct trace_stats *s = &st[l % 6];
			if (!s->problems)
				continue;
			printf("%-8s %8d %8ld %8.0f %8.0f %8.0f %7.4f", l == 6 ? "overall" : (char[2]){(char)('0' + l), 0},
			       s->problems, s->samples, s->mean_output_tokens, s->p50_output_tokens, s->p90_output_tokens,
			       s->pass_at_1);
			for (int m = 0; m < TTS_NMAJ; m++) { /* n/a: a problem has fewer samples */
				if (isnan(s->majority_at[m]))
					printf("  %6s", "n/a");
				else
					printf("  %6.4f", s->majority_at[m]);
			}
			printf("\n");
		}
	}
	trace_release(&t);
	return EXIT_OK;
}

static int do_accuracy(int argc, char **argv)
{
	struct tts_params tp;
	const char *v, *pos[1], *fmt = NULL, *s_n = NULL, *s_budget = NULL, *s_waits = NULL;
	const char *s_seed = NULL, *s_vote = NULL, *s_rm = NULL, *s_rs = NULL;
	int no_early = 0;
	const struct flag fl[] = {
		{"--samples", FLAG_VALUE, &s_n, NULL, "samples per problem N"},
		{"--budget", FLAG_VALUE, &s_budget, NULL, "thinking budget, tokens"},
		{"--waits", FLAG_VALUE, &s_waits, NULL, "\"Wait\" extensions"},
		{"--seed", FLAG_VALUE, &s_seed, NULL, "random seed"},
		{"--vote", FLAG_VALUE, &s_vote, NULL, "majority, best or pass"},
		{"--rm-accuracy", FLAG_VALUE, &s_rm, NULL, "reward model's pairwise accuracy (option tts_rm_accuracy)"},
		{"--rm-spread", FLAG_VALUE, &s_rs, NULL,
		 "reward model's spread of separation over problems (option tts_rm_spread)"},
		{"--no-early-stop", FLAG_SWITCH, NULL, &no_early, "vote over every sample"},
		{"--format", FLAG_VALUE, &fmt, NULL, "text or json"},
		{0},
	};
	long n, budget = 0, waits = 0;
	uint64_t seed = 1;
	int vote = TTS_MAJORITY;
	struct trace t;
	struct run_config rc;
	int np = cli_parse_flags(fl, argc, argv, pos, 1, &words);
	if (np == FLAGS_HELP)
		return EXIT_OK;
	/* the option table's defaults; early stopping on unless --no-early-stop, since the
	 * report gives the tokens with and without it */
	config_defaults(&rc);
	tp = rc.tts;
	tp.early_stop = !no_early;
	if (!(v = s_n))
		die("trace accuracy: flag '--samples' missing (expected --samples N)");
	n = need_long(v, "--samples", 1, 65536);
	if ((v = s_budget))
		budget = need_long(v, "--budget", 0, 1L << 30);
	if ((v = s_waits))
		waits = need_long(v, "--waits", 0, 64);
	if ((v = s_seed))
		seed = (uint64_t)need_long(v, "--seed", 0, 0x7fffffffffffffffL);
	if ((v = s_vote) && (vote = tts_vote_parse(v)) < 0)
		die("flag '--vote': bad value '%s' (expected majority, best or pass)", v);
	if ((v = s_rm) &&
	    (parse_double(v, &tp.rm_accuracy) < 0 || tp.rm_accuracy <= 0 || tp.rm_accuracy >= 1))
		die("flag '--rm-accuracy': bad value '%s' (expected a probability in (0, 1))", v);
	if ((v = s_rs) && (parse_double(v, &tp.rm_spread) < 0 || !(tp.rm_spread >= 0 && tp.rm_spread <= 20)))
		die("flag '--rm-spread': bad value '%s' (expected a number in 0..20)", v);
	if ((s_rm || s_rs) && vote != TTS_BEST) /* the reward model scores best-of-N only */
		die("flag '%s': the reward model's, which only --vote best uses (expected --vote "
		    "best, or no %s)", s_rm ? "--rm-accuracy" : "--rm-spread",
		    s_rm ? "--rm-accuracy" : "--rm-spread");
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "text"))
		die("flag '--format': bad value '%s' (expected text or json)", fmt);
	if (np != 1)
		die("trace accuracy: expected one TRACE (see 'ttsim trace --help')");
	load_or_die(&t, pos[0]);

	gsl_rng *rng = rng_stream(seed, "tts-accuracy");
	double correct = 0, tok = 0, tok_early = 0, ncomp = 0;
	for (int i = 0; i < t.n_problems; i++) {
		struct tts_result r;
		if (tts_problem(&t.problems[i], t.max_tokens, (int)n, (enum tts_vote)vote, (int)budget, (int)waits, &tp,
				rng, NULL, &r) < 0)
			die_err();
		correct += r.correct;
		tok += (double)r.tokens;
		tok_early += (double)r.tokens_early;
		ncomp += r.n_complete;
	}
	gsl_rng_free(rng);
	int P = t.n_problems;
	static const char *vn[] = {"majority", "best", "pass"};
	if (fmt && !strcmp(fmt, "json"))
		printf("{\"trace\": \"%s\", \"samples\": %ld, \"budget\": %ld, \"waits\": %ld, \"vote\": \"%s\", "
		       "\"seed\": %llu, \"problems\": %d, \"accuracy\": %.6f, \"tokens_per_problem\": %.2f, "
		       "\"early_stop\": %s, \"tokens_per_problem_early_stop\": %.2f, \"tokens_saved_per_problem\": %.2f, "
		       "\"samples_completed_per_problem\": %.3f}\n",
		       t.name, n, budget, waits, vn[vote], (unsigned long long)seed, P, correct / P, tok / P,
		       tp.early_stop ? "true" : "false", tok_early / P, (tok - tok_early) / P, ncomp / P);
	else
		printf("trace %s: %s@%ld, budget %ld, waits %ld, seed %llu\n"
		       "accuracy %.4f over %d problems\n"
		       "tokens per problem %.1f; with early stopping %.1f (saved %.1f, %.1f%%; %.2f samples completed)\n",
		       t.name, vn[vote], n, budget, waits, (unsigned long long)seed, correct / P, P, tok / P, tok_early / P,
		       (tok - tok_early) / P, tok > 0 ? 100 * (tok - tok_early) / tok : 0, ncomp / P);
	trace_release(&t);
	return EXIT_OK;
}

/* Every real shipped trace, from the per-sample CSVs under DIR/per_sample. */
static int import_all(const char *from, const char *dir)
{
	char path[512], csvp[512], probs[512], src[1024];
	snprintf(probs, sizeof(probs), "%s/math500_prompt_tokens.csv", from);
	if (mkdir_p(dir) < 0)
		die_err();
	for (int i = 0; i < trace_n_aliases; i++) {
		const struct trace_alias *a = &trace_aliases[i];
		struct import_opts io = {0};
		struct trace t;
		if (!a->per_sample)
			continue;
		snprintf(csvp, sizeof(csvp), "%s/per_sample/%s", from, a->per_sample);
		snprintf(src, sizeof(src),
			 "../shared/traces/per_sample/%s (see its README.md): the Best-of-infinity paper (Komiyama, Oba, "
			 "Oyamada, arXiv:2509.21091), repository jkomiyama/BoInf-code-publish at "
			 "fbcb0970b0e235e9e5d8d7f5f1a6c81fe96d259c, boinf/jsonl/analysis_math500_<model>.jsonl; no licence "
			 "file, used as measured facts with this citation; T = 0.6, top-k 20",
			 a->per_sample);
		io.model = a->hf_id;
		io.alias = a->alias;
		io.max_tokens = a->max_tokens;
		io.problems = probs;
		io.source = src;
		if (import_per_sample(&t, csvp, &io) < 0)
			die_err();
		snprintf(path, sizeof(path), "%s/%s.jsonl", dir, a->alias);
		write_trace_file(&t, path);
		trace_release(&t);
		fprintf(stderr, "wrote %s\n", path);
	}
	return EXIT_OK;
}

static int do_import(int argc, char **argv)
{
	const char *pos[2], *out = NULL, *s_tp = NULL, *s_max = NULL, *from = "../shared/traces", *dir = NULL;
	struct import_opts io = {0};
	int all = 0;
	const struct flag fl[] = {
		{"-o", FLAG_VALUE, &out, NULL, "the trace to write"},
		{"--model", FLAG_VALUE, &io.model, NULL, "model id"},
		{"--gpu", FLAG_VALUE, &io.gpu, NULL, "GPU of the run"},
		{"--dtype", FLAG_VALUE, &io.dtype, NULL, "weights dtype"},
		{"--engine-version", FLAG_VALUE, &io.engine_version, NULL, "engine version"},
		{"--measured", FLAG_VALUE, &io.measured, NULL, "where it was measured"},
		{"--tp", FLAG_VALUE, &s_tp, NULL, "tensor parallelism of the run"},
		{"--max-tokens", FLAG_VALUE, &s_max, NULL, "the run's max_tokens (default 32768)"},
		{"--problems", FLAG_VALUE, &io.problems, NULL, "per-sample: the problem table (math500_prompt_tokens.csv)"},
		{"--strmatch", FLAG_SWITCH, NULL, &io.strmatch, "per-sample: grade by correct_strmatch"},
		{"--source", FLAG_VALUE, &io.source, NULL, "per-sample: the citation for the header"},
		{"--all", FLAG_SWITCH, NULL, &all, "per-sample: every shipped real trace"},
		{"--from", FLAG_VALUE, &from, NULL, "per-sample --all: the public data (default ../shared/traces)"},
		{"--dir", FLAG_VALUE, &dir, NULL, "per-sample --all: output directory (default traces/math500)"},
		{0},
	};
	struct trace t;
	int np = cli_parse_flags(fl, argc, argv, pos, 2, &words);
	if (np == FLAGS_HELP)
		return EXIT_OK;
	io.max_tokens = 32768;
	if (s_tp)
		io.tp = (int)need_long(s_tp, "--tp", 1, 1024);
	if (s_max)
		io.max_tokens = (int)need_long(s_max, "--max-tokens", 1, 1L << 30);
	if (all) {
		if (np != 1 || strcmp(pos[0], "per-sample"))
			die("trace import: flag '--all' goes with 'per-sample' alone (expected trace import per-sample --all)");
		return import_all(from, dir ? dir : "traces/math500");
	}
	if (np != 2)
		die("trace import: expected a kind (vllm-bench, jsonl or per-sample) and a file (see 'ttsim trace --help')");
	if (!out)
		die("trace import: flag '-o' missing (expected -o TRACE.jsonl)");
	if (!strcmp(pos[0], "vllm-bench")) {
		if (!io.gpu || !io.tp)
			die("trace import vllm-bench: flags '--gpu' and '--tp' missing (expected --gpu G --tp N: the result JSON lacks them)");
		/* what --measured writes, validate reads: a profile it can load, a TP it runs */
		if (io.measured) {
			struct profile p;
			if (profile_load(&p, io.gpu) < 0)
				die("--gpu: '%s': %s", io.gpu, err_msg());
			if (!config_tp_ok(io.tp))
				die("--tp: expected 1, 2, 4 or 8, got %d", io.tp);
		}
		if (import_vllm_bench(&t, pos[1], &io) < 0)
			die_err();
	} else if (!strcmp(pos[0], "jsonl")) {
		if (import_jsonl(&t, pos[1], &io) < 0)
			die_err();
	} else if (!strcmp(pos[0], "per-sample")) {
		if (!io.model || !s_max)
			die("trace import per-sample: %s missing (expected --model ID --max-tokens N: the "
			    "CSV lacks them)", !io.model && !s_max ? "flags '--model' and '--max-tokens'"
			    : !io.model ? "flag '--model'" : "flag '--max-tokens'");
		if (import_per_sample(&t, pos[1], &io) < 0)
			die_err();
	} else
		die("trace import: unknown kind '%s' (expected vllm-bench, jsonl or per-sample)", pos[0]);
	write_trace_file(&t, out);
	trace_release(&t);
	return EXIT_OK;
}

/* The shipped real traces (the alias table's per-sample rows), or the comma-separated list. */
static int load_real(const char *list, struct trace *t, int max)
{
	int n = 0;
	if (!list) {
		for (int i = 0; i < trace_n_aliases && n < max; i++)
			if (trace_aliases[i].per_sample) {
				char nm[160];
				snprintf(nm, sizeof(nm), "math500:%s", trace_aliases[i].alias);
				load_or_die(&t[n++], nm);
			}
		return n;
	}
	char *copy = xstrdup(list), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			die("flag '--traces': more than %d traces (expected at most %d)", max, max);
		load_or_die(&t[n++], tok);
	}
	free(copy);
	return n;
}

static int do_crossval(int argc, char **argv)
{
	const char *pos[1], *list = NULL, *s_n = NULL, *s_d = NULL, *s_seed = NULL, *fmt = NULL, *s_r = NULL;
	const char *twin_dir = NULL;
	const struct flag fl[] = {
		{"--traces", FLAG_VALUE, &list, NULL, "real traces, comma-separated (default: the shipped real ones)"},
		{"--write-twins", FLAG_VALUE, &twin_dir, NULL,
		 "also write each held-out model's first twin to DIR/NAME_twin.jsonl (NAME: the trace's alias or file name)"},
		{"--max-n", FLAG_VALUE, &s_n, NULL, "largest N of the curves (default 64)"},
		{"--draws", FLAG_VALUE, &s_d, NULL, "random subsets per problem and N for majority@N (default 64)"},
		{"--reps", FLAG_VALUE, &s_r, NULL, "synthetic twins averaged per prediction (default 4)"},
		{"--seed", FLAG_VALUE, &s_seed, NULL, "random seed (default 1)"},
		{"--format", FLAG_VALUE, &fmt, NULL, "text or json"},
		{0},
	};
	struct trace t[16];
	const struct trace *tp[16];
	int np = cli_parse_flags(fl, argc, argv, pos, 0, &words), n, nmax = 64, draws = 64, reps = 4;
	uint64_t seed = 1;
	struct vote_model all;
	if (np == FLAGS_HELP)
		return EXIT_OK;
	if (s_n)
		nmax = (int)need_long(s_n, "--max-n", 1, 64);
	if (s_d)
		draws = (int)need_long(s_d, "--draws", 1, 100000);
	if (s_r)
		reps = (int)need_long(s_r, "--reps", 1, 1000);
	if (s_seed)
		seed = (uint64_t)need_long(s_seed, "--seed", 0, 0x7fffffffffffffffL);
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "text"))
		die("flag '--format': bad value '%s' (expected text or json)", fmt);
	n = load_real(list, t, 16);
	if (n < 3)
		die("trace crossval: %d traces (expected at least 3 real traces of the same problems)", n);
	/* each model once, and measured: a trace twice (or an alias beside its id) would sit in
	 * its own training set, a synthetic one is the model's own output */
	for (int k = 0; k < n; k++) {
		if (strcmp(t[k].provenance, "measured"))
			die("trace crossval: '%s' is %s, not measured (expected real traces)", t[k].name,
			    t[k].provenance[0] ? t[k].provenance : "of no stated provenance");
		for (int j = 0; j < k; j++)
			if (!strcmp(t[k].model, t[j].model))
				die("trace crossval: '%s' and '%s' are both traces of %s (expected each "
				    "model once: it would be in its own training set)", t[j].name, t[k].name,
				    t[k].model);
	}
	for (int k = 0; k < n; k++)
		tp[k] = &t[k];
	if (vote_fit(tp, n, &all) < 0)
		die_err();
	int json = fmt && !strcmp(fmt, "json");
	if (json)
		printf("{\"fit_all\": {\"models\": %d, \"s\": %.4f, \"slope\": %.4f, \"slope_s\": %.4f, \"theta\": %.4f, \"abstain\": %.4f, \"lambda\": %.4f, "
		       "\"sigma_w\": %.4f, \"s_len\": %.4f, \"cut_answer\": %.4f, \"cut_logit\": %.4f, \"cut_samples\": %d, "
		       "\"partitions\": %d, \"mixed\": %d}, \"max_n\": %d, \"draws\": %d, "
		       "\"reps\": %d, \"seed\": %llu, \"held_out\": [",
		       all.n_models, all.s, all.slope, all.slope_s, all.theta, all.abstain, all.lambda, all.sigma_w, all.s_len,
		       all.cut_answer, all.cut_logit, all.n_cut, all.n_partitions, all.n_mixed, nmax, draws, reps,
		       (unsigned long long)seed);
	else
		printf("vote model fitted to all %d traces: s %.3f (slope 1; with the slope: b %.3f, s %.3f), theta %.3f, abstain %.3f, lambda %.3f, sigma_w %.3f, "
		       "s_len %.3f, cut_answer %.3f, cut_logit %.2f (%d wrong-answer partitions, %d mixed problems, %d cut "
		       "samples)\n"
		       "leave one out, N = 1..%d (%d subsets per problem and N, %d twins), errors in accuracy points:\n"
		       "%-36s %6s %7s %7s %7s %7s %9s %9s %9s %9s %9s %9s %9s\n",
		       all.n_models, all.s, all.slope, all.slope_s, all.theta, all.abstain, all.lambda, all.sigma_w,
		       all.s_len, all.cut_answer, all.cut_logit, all.n_partitions, all.n_mixed, all.n_cut, nmax, draws, reps, "held out", "pass@1", "tokens",
		       "abstain", "cut", "cut ans", "maj med", "maj max", "pass med", "pass max", "early@4", "early@16", "early@64");
	for (int h = 0; h < n; h++) {
		struct vote_cv cv;
		struct trace twin;
		if (vote_crossval_twin(tp, n, h, nmax, draws, reps, seed, &cv, twin_dir ? &twin : NULL) < 0)
			die_err();
		if (twin_dir) {
			char path[1024], base[256];
			const char *b = strrchr(t[h].name, ':'), *sl = strrchr(t[h].name, '/');
			b = sl && (!b || sl > b) ? sl + 1 : b ? b + 1 : t[h].name;
			strlcpy0(base, b, sizeof(base));
			char *dot = strstr(base, ".jsonl");
			if (dot)
				*dot = 0;
			if (mkdir_p(twin_dir) < 0)
				die_err();
			snprintf(path, sizeof(path), "%s/%s_twin.jsonl", twin_dir, base);
			write_trace_file(&twin, path);
			trace_release(&twin);
		}
		double er[3];
		for (int k = 0; k < 3; k++)
			er[k] = cv.early_real[k] > 0 ? 100 * (cv.early_pred[k] / cv.early_real[k] - 1) : 0;
		if (json) {
			printf("%s{\"model\": \"%s\", \"pass_at_1\": %.6f, \"mean_tokens\": %.1f, \"abstain\": %.4f, "
			       "\"cut\": %.4f, \"cut_pred\": %.4f, \"cut_answer\": %.4f, \"maj_median_err\": %.4f, "
			       "\"maj_max_err\": %.4f, \"maj_max_err_n\": %d, \"pass_median_err\": %.4f, \"pass_max_err\": %.4f, "
			       "\"pass_max_err_n\": %d, \"early_tokens_err_pct\": [%.3f, %.3f, %.3f], \"maj_real\": [",
			       h ? ", " : "", t[h].model, cv.pass1, cv.mean_tokens, cv.abstain, cv.cut, cv.cut_pred, cv.cut_answer,
			       cv.maj_med_err, cv.maj_max_err,
			       cv.maj_max_n,
			       cv.pass_med_err, cv.pass_max_err, cv.pass_max_n, er[0], er[1], er[2]);
			for (int k = 0; k < nmax; k++)
				printf("%s%.5f", k ? ", " : "", cv.maj_real[k]);
			printf("], \"maj_pred\": [");
			for (int k = 0; k < nmax; k++)
				printf("%s%.5f", k ? ", " : "", cv.maj_pred[k]);
			printf("], \"pass_real\": [");
			for (int k = 0; k < nmax; k++)
				printf("%s%.5f", k ? ", " : "", cv.pass_real[k]);
			printf("], \"pass_pred\": [");
			for (int k = 0; k < nmax; k++)
				printf("%s%.5f", k ? ", " : "", cv.pass_pred[k]);
			printf("]}");
		} else
			printf("%-36s %6.4f %7.0f %7.3f %7.4f %7.3f %9.2f %6.2f@%-2d %9.2f %6.2f@%-2d %8.1f%% %8.1f%% %8.1f%%\n",
			       t[h].model, cv.pass1, cv.mean_tokens, cv.abstain, cv.cut, cv.cut_answer, cv.maj_med_err, cv.maj_max_err, cv.maj_max_n, cv.pass_med_err, cv.pass_max_err,
			       cv.pass_max_n, er[0], er[1], er[2]);
	}
	if (json)
		printf("]}\n");
	for (int k = 0; k < n; k++)
		trace_release(&t[k]);
	return EXIT_OK;
}

/* median and worst absolute error (points) of the rows of `rm` (NULL: all) with use == fit_rows */
static double rm_errors(const struct rm_row *rows, double *const *w, int n, const char *rm, int fit_rows, double mu,
			double tau, double *worst, int *count)
{
	double *e = xmalloc((size_t)n * sizeof(*e)), med = 0;
	int m = 0;
	*worst = 0;
	for (int r = 0; r < n; r++) {
		if (rows[r].fit != fit_rows || (rm && strcmp(rows[r].rm, rm)))
			continue;
		e[m] = 100 * fabs(rm_bon(w[r], rows[r].n, mu, tau) - rows[r].acc);
		*worst = fmax(*worst, e[m]);
		m++;
	}
	if (m) {
		gsl_sort(e, 1, (size_t)m);
		med = gsl_stats_median_from_sorted_data(e, 1, (size_t)m);
	}
	free(e);
	*count = m;
	return med;
}

/* `trace tts-fit`, the reward model: (mu, tau) of best-of-N fitted to the public rows */
/* Each row's count weights (rm_fit.h) from the vote model of the shipped real traces; a row
 * out of reach exits 2 here, before anything is printed. *b, *s and *nt: the slope, the spread and
 * the traces. */
static double **rm_weights(const struct rm_row *rows, int n, const char *path, double *b, double *s, int *nt)
{
	struct trace t[16];
	const struct trace *tp[16];
	struct vote_model vm;
	double *d, *L, **w;
	int P;
	*nt = load_real(NULL, t, 16);
	for (int k = 0; k < *nt; k++)
		tp[k] = &t[k];
	if (*nt < 2 || vote_fit(tp, *nt, &vm) < 0)
		die_err();
	P = t[0].n_problems;
	d = xmalloc((size_t)P * sizeof(*d));
	L = xmalloc((size_t)P * sizeof(*L));
	if (vote_consensus(tp, *nt, d, L) < 0)
		die_err();
	w = xmalloc((size_t)n * sizeof(*w)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	for (int r = 0; r < n; r++) {
		int same = -1;
		w[r] = xmalloc((size_t)(rows[r].n + 1) * sizeof(**w));
		for (int s2 = 0; s2 < r && same < 0; s2++)
			if (rows[s2].n == rows[r].n && rows[s2].pass1 == rows[r].pass1)
				same = s2;
		if (same >= 0) { /* the same policy and N: the same weights */
			memcpy(w[r], w[same], (size_t)(rows[r].n + 1) * sizeof(**w));
			continue;
		}
		if (rm_count_weights(d, P, vm.slope, vm.slope_s, rows[r].pass1, rows[r].n, w[r]) < 0)
			die("%s:%d: key 'pass1': %s", path ? path : "traces/rm_curves.csv", rows[r].line, err_msg());
	}
	*b = vm.slope;
	*s = vm.slope_s;
	free(d);
	free(L);
	for (int k = 0; k < *nt; k++)
		trace_release(&t[k]);
	return w;
}

static void rm_fit_report(const struct rm_row *rows, int n, double **w, double b, double s, int nt,
			  const struct tts_params *def)
{
	printf("\nreward model (best-of-N): a wrong sample scores N(0, 1), a correct one N(mu + tau g, 1), g ~ N(0, 1)\n"
	       "per problem; rm_acc = Phi(mu / sqrt(2 + tau^2)). A row's policy: the vote model's solve rates\n"
	       "sigmoid(a + b d_i + s e), d_i of the %d real traces, slope b %.3f, s %.3f, a bisected to its pass@1.\n"
	       "Fitted to the rows marked fit, checked on the others (%d rows in all); errors in accuracy points:\n",
	       nt, b, s, n);
	printf("%-26s %-4s %6s %6s %7s %5s %8s %6s %9s %9s\n", "reward model", "type", "mu", "tau", "rm_acc", "fit",
	       "fit rmse", "check", "check med", "check max");
	const char *names[RM_ROWS_MAX] = {0};
	int nn = 0;
	for (int r = 0; r < n; r++) {
		int seen = 0;
		for (int k = 0; k < nn; k++)
			seen |= !strcmp(names[k], rows[r].rm);
		if (!seen)
			names[nn++] = rows[r].rm;
	}
	for (int k = 0; k <= nn; k++) {
		const char *rm = k < nn ? names[k] : NULL, *type = "";
		struct rm_fit_result f;
		double worst, med;
		int nc;
		for (int r = 0; r < n && rm; r++)
			if (!strcmp(rows[r].rm, rm))
				type = rows[r].rm_type;
		if (rm_fit(rows, (const double *const *)w, n, rm, -1, &f) < 0) {
			printf("%-26s %s\n", rm ? rm : "all, pooled", err_msg());
			continue;
		}
		med = rm_errors(rows, w, n, rm, 0, f.mu, f.tau, &worst, &nc);
		printf("%-26s %-4s %6.3f %6.3f %7.4f %5d %8.2f %6d %9.2f %9.2f\n", rm ? rm : "all, pooled", type, f.mu, f.tau,
		       f.accuracy, f.n_rows, f.rmse, nc, med, worst);
		if (!rm) {
			struct rm_fit_result f0;
			printf("(defaults: tts_rm_accuracy %.4f, tts_rm_spread %.3f)\n", def->rm_accuracy, def->rm_spread);
			if (rm_fit(rows, (const double *const *)w, n, NULL, 0, &f0) == 0) {
				med = rm_errors(rows, w, n, NULL, 0, f0.mu, 0, &worst, &nc);
				printf("%-26s %-4s %6.3f %6.3f %7.4f %5d %8.2f %6d %9.2f %9.2f\n", "all, pooled, tau held 0", "",
				       f0.mu, 0.0, f0.accuracy, f0.n_rows, f0.rmse, nc, med, worst);
			}
			med = rm_errors(rows, w, n, NULL, 0, rm_mu(0.8, 0), 0, &worst, &nc);
			printf("%-26s %-4s %6.3f %6.3f %7.4f %5s %8s %6d %9.2f %9.2f\n", "the old default", "", rm_mu(0.8, 0), 0.0,
			       0.8, "-", "-", nc, med, worst);
			/* per source, policy and N: the mean over reward models, published against the pooled fit */
			printf("pooled fit by source, policy and N (mean over the reward models of the row):\n"
			       "%-13s %-26s %6s %4s %9s %9s %9s\n", "source", "policy", "pass@1", "N", "published", "model",
			       "pass@N");
			for (int r = 0; r < n; r++) {
				int first = 1, cnt = 0;
				double pub = 0, mod = 0;
				for (int s2 = 0; s2 < r; s2++)
					if (!strcmp(rows[s2].source_id, rows[r].source_id) && !strcmp(rows[s2].policy, rows[r].policy) &&
					    rows[s2].n == rows[r].n)
						first = 0;
				if (!first)
					continue;
				for (int s2 = r; s2 < n; s2++)
					if (!strcmp(rows[s2].source_id, rows[r].source_id) && !strcmp(rows[s2].policy, rows[r].policy) &&
					    rows[s2].n == rows[r].n) {
						pub += rows[s2].acc;
						mod += rm_bon(w[s2], rows[s2].n, f.mu, f.tau);
						cnt++;
					}
				printf("%-13s %-26s %6.3f %4d %9.3f %9.3f %9.3f\n", rows[r].source_id, rows[r].policy, rows[r].pass1,
				       rows[r].n, pub / cnt, mod / cnt, 1 - w[r][0]);
			}
		}
	}
	for (int r = 0; r < n; r++)
		free(w[r]);
	free(w);
}

/* the trace of each name once: t[k] for the k-th distinct name of names[0..n), name k from
 * line lines[k] of file `file` (an unknown trace dies naming them) */
static int traces_by_name(const char *const *names, const int *lines, const char *file, int n, struct trace *t, int max,
			  const struct trace **of)
{
	int nt = 0;
	static const char *loaded[TTS_CURVES_MAX];
	for (int k = 0; k < n; k++) {
		int i = 0;
		while (i < nt && strcmp(loaded[i], names[k]))
			i++;
		if (i == nt) {
			if (nt == max)
				die("trace tts-fit: more than %d distinct traces in the curves", max);
			if (trace_load(&t[nt], names[k]) < 0)
				die("%s:%d: key 'trace': %s", file, lines[k], err_msg());
			loaded[nt++] = names[k];
		}
		of[k] = &t[i];
	}
	return nt;
}

/* the budget-forcing terms before they were fitted to accuracy-against-budget curves (the settle
 * point fitted to DEER's exits, its spread the traces' length spread, the guess assumed:
 * traces/README.md) */
static const double bf_old[3] = {0.797, 0.292, 0.89};

/* `trace tts-fit`, budget forcing: (bf_settle, bf_sigma, bf_guess) fitted to the fit points of
 * the accuracy-against-budget curves; errors of both parts, with the fit and the old terms */
static void bf_fit_report(const struct bf_point *pts, const struct trace *const *pt, int np, struct tts_params *tp)
{
	struct tts_params fitd, old = *tp;
	double rmse, med, worst, om, ow;
	int budgets[] = {25, 100, 200, 400, 800, 1600, 2400};
	old.bf_settle = bf_old[0];
	old.bf_sigma = bf_old[1];
	old.bf_guess = bf_old[2];
	struct tts_params held = *tp, heldf;
	double hrmse;
	held.bf_sigma = bf_old[1];
	if (tts_fit_bf(pts, pt, np, tp, 1, &fitd, &rmse) < 0 || tts_fit_bf(pts, pt, np, &held, 0, &heldf, &hrmse) < 0)
		die_err();
	printf("budget forcing: an answer is settled at a log-normal point S around bf_settle x its problem's geometric-mean\n"
	       "correct length, log-sd bf_sigma; cut at B < S it is right with bf_guess x the solve rate. Fitted (GSL\n"
	       "nmsimplex2, least squares) to the accuracy-against-budget points marked fit (rmse %.2f points):\n"
	       "  bf_settle %.4f  bf_sigma %.4f  bf_guess %.4f   (defaults %.4f %.4f %.4f)\n",
	       rmse, fitd.bf_settle, fitd.bf_sigma, fitd.bf_guess, tp->bf_settle, tp->bf_sigma, tp->bf_guess);
	printf("errors in accuracy points, |model - published|, with the fit and with the old terms (%.3f %.3f %.2f):\n",
	       bf_old[0], bf_old[1], bf_old[2]);
	printf("%-9s %-30s %-6s %-5s %6s %8s %8s %8s %8s\n", "source", "model", "prompt", "use", "points", "median", "worst",
	       "old med", "old max");
	for (int k = 0; k < np; k++) {
		int first = 1;
		for (int j = 0; j < k && first; j++)
			first = strcmp(pts[j].source_id, pts[k].source_id) || strcmp(pts[j].trace, pts[k].trace) ||
				strcmp(pts[j].prompt, pts[k].prompt) || pts[j].fit != pts[k].fit;
		if (!first)
			continue;
		int m = tts_bf_errors(pts, pt, np, &fitd, pts[k].fit, pts[k].prompt, pts[k].trace, &med, &worst);
		tts_bf_errors(pts, pt, np, &old, pts[k].fit, pts[k].prompt, pts[k].trace, &om, &ow);
		printf("%-9s %-30s %-6s %-5s %6d %8.2f %8.2f %8.2f %8.2f\n", pts[k].source_id, pts[k].model, pts[k].prompt,
		       pts[k].fit ? "fit" : "check", m, med, worst, om, ow);
	}
	for (int f = 1; f >= 0; f--) {
		int m = tts_bf_errors(pts, pt, np, &fitd, f, NULL, NULL, &med, &worst);
		tts_bf_errors(pts, pt, np, &old, f, NULL, NULL, &om, &ow);
		printf("%-9s %-30s %-6s %-5s %6d %8.2f %8.2f %8.2f %8.2f\n", "all", "", "", f ? "fit" : "check", m, med, worst,
		       om, ow);
	}
	/* the settle point's spread held at the traces' length spread, as it was: the data need it wider */
	printf("with bf_sigma held at %.3f (the real traces' length spread): bf_settle %.4f, bf_guess %.4f, fit rmse %.2f\n",
	       bf_old[1], heldf.bf_settle, heldf.bf_guess, hrmse);
	for (int f = 1; f >= 0; f--) {
		int m = tts_bf_errors(pts, pt, np, &heldf, f, NULL, NULL, &med, &worst);
		printf("%-9s %-30s %-6s %-5s %6d %8.2f %8.2f\n", "all", "sigma held", "", f ? "fit" : "check", m, med, worst);
	}
	printf("published / model (fit) accuracy at budget B:\n%-30s %-6s", "model", "prompt");
	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++)
		printf(" %11d", budgets[b]);
	printf("\n");
	for (int k = 0; k < np; k++) {
		int first = 1;
		for (int j = 0; j < k && first; j++)
			first = strcmp(pts[j].trace, pts[k].trace) || strcmp(pts[j].prompt, pts[k].prompt);
		if (!first || !pt[k])
			continue;
		printf("%-30s %-6s", pts[k].model, pts[k].prompt);
		for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
			int j = k;
			while (j < np && (strcmp(pts[j].trace, pts[k].trace) || strcmp(pts[j].prompt, pts[k].prompt) ||
					  pts[j].budget != budgets[b]))
				j++;
			if (j < np)
				printf(" %.3f/%.3f", pts[j].acc, tts_bf_accuracy(pt[k], budgets[b], &fitd));
			else
				printf(" %11s", "-");
		}
		printf("\n");
	}
	printf("(the model: expected accuracy over each problem's first %d samples of the trace)\n", TTS_BF_SAMPLES);
	tp->bf_settle = fitd.bf_settle;
	tp->bf_sigma = fitd.bf_sigma;
	tp->bf_guess = fitd.bf_guess;
}

/* `trace tts-fit`: the budget-forcing and "Wait" fits to the public curves, and the checks */
static int do_tts_fit(int argc, char **argv)
{
	const char *pos[1], *path = NULL, *s_seed = NULL, *rm_path = NULL, *bf_path = NULL;
	const struct flag fl[] = {
		{"--curves", FLAG_VALUE, &path, NULL, "DEER and \"Wait\" rows (default: the shipped traces/tts_curves.csv)"},
		{"--bf-curves", FLAG_VALUE, &bf_path, NULL,
		 "accuracy-against-budget points (default: the shipped traces/bf_curves.csv)"},
		{"--rm-curves", FLAG_VALUE, &rm_path, NULL,
		 "best-of-N rows of the reward-model fit (default: the shipped traces/rm_curves.csv)"},
		{"--seed", FLAG_VALUE, &s_seed, NULL, "random seed of the accuracy runs (default 1)"},
		{0},
	};
	static struct tts_curve rows[TTS_CURVES_MAX];
	static struct rm_row rm_rows[RM_ROWS_MAX];
	static struct bf_point pts[BF_POINTS_MAX];
	static const char *names[BF_POINTS_MAX];
	static int lines[BF_POINTS_MAX];
	static const struct trace *pt[BF_POINTS_MAX];
	struct trace t[TTS_CURVES_MAX], bt[TTS_CURVES_MAX];
	const struct trace *tp[TTS_CURVES_MAX];
	struct run_config c;
	uint64_t seed = 1;
	int n = 0, n_rm = 0, rm_nt, n_bf = 0, n_bt, np = cli_parse_flags(fl, argc, argv, pos, 0, &words);
	double brk;
	if (np == FLAGS_HELP)
		return EXIT_OK;
	if (s_seed)
		seed = (uint64_t)need_long(s_seed, "--seed", 0, 0x7fffffffffffffffL);
	if (tts_curves_load(path, rows, TTS_CURVES_MAX, &n) < 0 || rm_rows_load(rm_path, rm_rows, RM_ROWS_MAX, &n_rm) < 0 ||
	    bf_points_load(bf_path, pts, BF_POINTS_MAX, &n_bf) < 0)
		die_err();
	double rm_b, rm_s, **rm_w = rm_weights(rm_rows, n_rm, rm_path, &rm_b, &rm_s, &rm_nt);
	for (int k = 0; k < n; k++) {
		load_or_die(&t[k], rows[k].trace);
		tp[k] = &t[k];
	}
	for (int k = 0; k < n_bf; k++) {
		names[k] = pts[k].trace;
		lines[k] = pts[k].line;
	}
	const char *bf_name = bf_path ? bf_path : BF_CURVES_PATH;
	n_bt = traces_by_name(names, lines, bf_name, n_bf, bt, TTS_CURVES_MAX, pt);
	if (bf_points_match(pts, pt, n_bf, bf_name) < 0)
		die_err();
	config_defaults(&c);
	bf_fit_report(pts, pt, n_bf, &c.tts);
	/* DEER exits once a trial answer is confident, at no loss of accuracy: the answer was settled
	 * by then, so its exit bounds the model's mean settle point from above */
	printf("check, DEER (arXiv:2504.15895 Table 5): an exit once a trial answer is confident, its tokens / the full\n"
	       "run's; an upper bound on the model's mean settle point E[S | S <= T] / T:\n");
	printf("%-9s %-30s %-26s %9s %9s %s\n", "source", "model", "trace", "published", "model", "model <= published");
	for (int k = 0; k < n; k++) {
		if (strcmp(rows[k].kind, "deer"))
			continue;
		double pub = rows[k].tokens / rows[k].base_tokens, m = tts_deer_ratio(&t[k], c.tts.bf_settle, c.tts.bf_sigma);
		printf("%-9s %-30s %-26s %9.3f %9.3f %s\n", rows[k].source_id, rows[k].model, rows[k].trace, pub, m,
		       m <= pub ? "yes" : "NO");
	}
	c.tts.early_stop = 0;
	int rc = tts_fit_wait(rows, tp, n, &c.tts, seed, &brk);
	for (int k = 0; k < n; k++) {
		/* the first wait row (the fit's), then the check rows, then budget forcing on its trace */
		if (strcmp(rows[k].kind, "wait") || (!rows[k].fit && rc == 0))
			continue;
		if (rc < 0)
			printf("\"Wait\": %s\n", err_msg());
		else
			printf("\"Wait\": %s, wait_fix %.3f and wait_frac %.2f held; fitted on %s (%s): wait_break %.4f "
			       "(default %.4f)\n",
			       rows[k].waits == 1 ? "one extension" : "extensions", c.tts.wait_fix, c.tts.wait_frac, rows[k].trace,
			       rows[k].fit ? "fit" : "check", brk, c.tts.wait_break);
		struct tts_params q = c.tts;
		q.wait_break = rc < 0 ? c.tts.wait_break : brk;
		double a0 = tts_mean_accuracy(&t[k], 0, 0, &q, seed), a1 = tts_mean_accuracy(&t[k], 0, 1, &q, seed);
		double a2 = tts_mean_accuracy(&t[k], 0, 2, &q, seed);
		printf("  %s %s: published %.3f -> %.3f; model %.4f -> %.4f (1 wait) -> %.4f (2 waits)\n", rows[k].source_id,
		       rows[k].model, rows[k].base_acc, rows[k].acc, a0, a1, a2);
		/* the held-out rows: the published accuracy after their waits against the model's */
		for (int h = 0; h < n && rc == 0; h++) {
			if (strcmp(rows[h].kind, "wait") || rows[h].fit)
				continue;
			double b0 = tts_mean_accuracy(&t[h], 0, 0, &q, seed), bw = tts_mean_accuracy(&t[h], 0, rows[h].waits, &q, seed);
			printf("  check %s %s, %d waits: published %.3f -> %.3f; model %.4f -> %.4f; error %+.2f points\n",
			       rows[h].source_id, rows[h].model, rows[h].waits, rows[h].base_acc, rows[h].acc, b0, bw,
			       100 * ((bw - b0) - (rows[h].acc - rows[h].base_acc)));
		}
		c.tts.wait_break = q.wait_break;
		/* the check: cut to about 15% of the natural length */
		double mean = 0;
		long ns = 0;
		for (int i = 0; i < t[k].n_problems; i++)
			for (int j = 0; j < t[k].problems[i].n_samples; j++, ns++)
				mean += t[k].problems[i].samples[j].output_tokens;
		mean /= ns > 0 ? (double)ns : 1;
		printf("  budget forcing on %s (mean %.0f tokens): budget, accuracy, kept fraction of the unforced %.4f:\n",
		       rows[k].trace, mean, a0);
		int bud[] = {(int)(0.15 * mean + 0.5), 512, 1024, 2048, 4096, 8192};
		for (int b = 0; b < 6; b++) {
			double ab = tts_mean_accuracy(&t[k], bud[b], 0, &c.tts, seed);
			printf("  %6d %.4f %.3f%s\n", bud[b], ab, a0 > 0 ? ab / a0 : 0, b ? "" : "  (15% of the mean length)");
		}
	}
	for (int k = 0; k < n; k++)
		trace_release(&t[k]);
	for (int k = 0; k < n_bt; k++)
		trace_release(&bt[k]);
	rm_fit_report(rm_rows, n_rm, rm_w, rm_b, rm_s, rm_nt, &c.tts);
	return EXIT_OK;
}

int cmd_trace(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(words.usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
	}
	argc--, argv++; /* argv[0] is now the verb */
	if (!strcmp(argv[0], "synth"))
		return do_synth(argc, argv);
	if (!strcmp(argv[0], "stats"))
		return do_stats(argc, argv);
	if (!strcmp(argv[0], "accuracy"))
		return do_accuracy(argc, argv);
	if (!strcmp(argv[0], "import"))
		return do_import(argc, argv);
	if (!strcmp(argv[0], "crossval"))
		return do_crossval(argc, argv);
	if (!strcmp(argv[0], "tts-fit"))
		return do_tts_fit(argc, argv);
	die("trace: unknown verb '%s' (expected synth, stats, accuracy, import, crossval or tts-fit)", argv[0]);
}
