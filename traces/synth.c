/*
 * synth.c: synthetic MATH500 traces from public per-problem data and published statistics.
 * See synth.h for the contract and traces/README.md for the method. It reads CSV/JSONL
 * sources and writes a struct trace; it refuses to guess silently: every inferred figure
 * is named in the header it writes.
 */
#include "traces/synth.h"
#include "traces/import.h"
#include "traces/trace_alias.h"
#include "traces/vote.h"
#include "lib/csv.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define NPROB_MAX 600

void synth_defaults(struct synth_params *sp)
{
	sp->samples = 64;
	sp->max_tokens = 32768;
	sp->seed = 20250101;
}

/* Calls fn for each data line of a CSV file (lib/csv: RFC 4180 quotes, true line numbers;
 * the first line is the header, blank lines are skipped) with its fields; stops on fn < 0. */
static int csv_each(const char *dir, const char *name, int (*fn)(char **f, int n, const char *where, void *ctx), void *ctx)
{
	char path[512], where[600], *text;
	size_t len;
	struct csv c;
	int rc, header = 1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(text = file_read(path, &len)))
		return -1;
	csv_init(&c, text, len, CSV_SKIP_BLANK | CSV_QUOTES);
	free(text);
	while ((rc = csv_next(&c)) > 0) {
		if (header) {
			header = 0;
			continue;
		}
		snprintf(where, sizeof(where), "%s:%d", path, c.line);
		if (fn(c.f, c.nf, where, ctx) < 0)
			break;
	}
	if (rc < 0)
		err_set("%s:%d: a quoted field is not closed, or text follows its closing quote "
			"(expected RFC 4180 quoting)", path, c.line);
	csv_release(&c);
	return rc == 0 ? 0 : -1;
}

struct prob {
	char id[64], subject[32];
	int level, prompt_tokens;
	double words;     /* real R1-Distill-Qwen-7B reasoning words; 0 = truncated */
	int real_correct;
	int have_real;
};

struct src {
	struct prob p[NPROB_MAX];
	int n;
	/* published figures */
	double deer_tokens[4], openr1_acc[4], ds_acc[4];   /* 1.5B, 7B, 14B, 32B */
	double es7_tokens[6], es32_tokens[6], esr1_tokens[6], es7_acc[6];
	double esq3_32_tokens[6];   /* EVALSCOPE_Q3: Qwen3-32B thinking reasoning tokens */
	double s11_32_acc, r1d32_s1table_acc;
};

static int size_index(const char *model)
{
	static const char *sz[] = {"-1.5B", "-7B", "-14B", "-32B"};
	for (int i = 0; i < 4; i++) {
		size_t a = strlen(model), b = strlen(sz[i]);
		if (a >= b && !strcmp(model + a - b, sz[i]))
			return i;
	}
	return -1;
}

static int need_num(const char *s, double *v, const char *where, const char *key)
{
	if (parse_double(s, v) < 0)
		return err_set("%s: key '%s': not a number '%s' (expected a number)", where, key, s);
	return 0;
}

static int on_prompt(char **f, int n, const char *where, void *ctx)
{
	struct src *S = ctx;
	long lv, pt;
	if (n < 6)
		return err_set("%s: missing fields (expected unique_id,level,subject,problem_tokens,prompt_tokens_r1,solution_tokens)", where);
	if (parse_long(f[1], &lv) < 0 || lv < 1 || lv > 5)
		return err_set("%s: key 'level': bad level '%s' (expected 1..5)", where, f[1]);
	if (parse_long(f[4], &pt) < 0 || pt < 0)
		return err_set("%s: key 'prompt_tokens_r1': bad token count '%s' (expected >= 0)", where, f[4]);
	if (S->n >= NPROB_MAX)
		return err_set("%s: too many problems (expected at most %d)", where, NPROB_MAX);
	struct prob *p = &S->p[S->n++];
	strlcpy0(p->id, f[0], sizeof(p->id));
	strlcpy0(p->subject, f[2], sizeof(p->subject));
	p->level = (int)lv;
	p->prompt_tokens = (int)pt;
	return 0;
}

static int on_words(char **f, int n, const char *where, void *ctx)
{
	struct src *S = ctx;
	double w;
	long c;
	if (n < 7)
		return err_set("%s: missing fields (expected model,item_index,unique_id,level,subject,is_correct,reasoning_words_whitespace)", where);
	if (strcmp(f[0], "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"))
		return 0;
	if (need_num(f[6], &w, where, "reasoning_words_whitespace") < 0 || parse_long(f[5], &c) < 0)
		return err_set("%s: key 'is_correct': bad value (expected 0 or 1)", where);
	for (int i = 0; i < S->n; i++)
		if (!strcmp(S->p[i].id, f[2])) {
			S->p[i].words = w;
			S->p[i].real_correct = c != 0;
			S->p[i].have_real = 1;
			return 0;
		}
	return err_set("%s: key 'unique_id': '%s' not in math500_prompt_tokens.csv (expected a MATH500 id)", where, f[2]);
}

static int on_stats(char **f, int n, const char *where, void *ctx)
{
	struct src *S = ctx;
	double v;
	long lvl = 0;
	int si, lv;
	if (n < 6)
		return err_set("%s: missing fields (expected source_id,model,setting,level,metric,value,...)", where);
	if (need_num(f[5], &v, where, "value") < 0)
		return -1;
	if (strcmp(f[3], "all") && (parse_long(f[3], &lvl) < 0 || lvl < 1 || lvl > 5))
		lvl = -1;
	lv = (int)lvl;
	if (lv < 0 || lv > 5)
		return err_set("%s: key 'level': bad level '%s' (expected all or 1..5)", where, f[3]);
	si = strncmp(f[1], "DeepSeek-R1-Distill-Qwen-", 25) ? -1 : size_index(f[1]);
	if (!strcmp(f[0], "DEER_T5") && si >= 0 && !strncmp(f[2], "vanilla", 7) && !strcmp(f[4], "mean_output_tokens"))
		S->deer_tokens[si] = v;
	if (!strcmp(f[0], "OPENR1_README") && si >= 0 && !strcmp(f[4], "pass1_pct")) {
		const char *r = n > 7 ? strstr(f[7], "DeepSeek reported ") : NULL;
		S->openr1_acc[si] = v / 100;
		if (!r || need_num(r + 18, &S->ds_acc[si], where, "notes") < 0) {
			/* the notes end with ")" for the 1.5B row */
			char tmp[32];
			if (!r)
				return err_set("%s: key 'notes': no 'DeepSeek reported X' (expected it)", where);
			strlcpy0(tmp, r + 18, sizeof(tmp));
			tmp[strcspn(tmp, ")")] = 0;
			if (need_num(tmp, &S->ds_acc[si], where, "notes") < 0)
				return -1;
		}
		S->ds_acc[si] /= 100;
	}
	if (!strcmp(f[0], "EVALSCOPE_6M") && lv >= 1) {
		if (!strcmp(f[1], "DeepSeek-R1-Distill-Qwen-7B"))
			S->es7_tokens[lv] = v;
		else if (!strcmp(f[1], "DeepSeek-R1-Distill-Qwen-32B"))
			S->es32_tokens[lv] = v;
		else if (!strcmp(f[1], "DeepSeek-R1"))
			S->esr1_tokens[lv] = v;
	}
	if (!strcmp(f[0], "EVALSCOPE_Q3") && lv >= 1 && !strcmp(f[1], "Qwen3-32B") && !strcmp(f[4], "mean_reasoning_tokens"))
		S->esq3_32_tokens[lv] = v;
	if (!strcmp(f[0], "EVALSCOPE_THINK") && lv >= 1 && !strcmp(f[4], "averagepass1"))
		S->es7_acc[lv] = v;
	if (!strcmp(f[0], "S1_T2") && !strcmp(f[1], "s1.1 w/o BF"))
		S->s11_32_acc = v / 100;
	if (!strcmp(f[0], "S1_T2") && !strcmp(f[1], "r1-distill (32B)"))
		S->r1d32_s1table_acc = v / 100;
	return 0;
}

/* tokens = r x words, least squares through the origin, on the pilot runs that carry both
 * a real token count and the reasoning word count (truncated runs excluded). */
struct ratio_fit {
	double r, r2, med_rel;
	int n;
};

static int fit_ratio(const char *dir, struct ratio_fit *rf)
{
	static const char *files[] = {"mrt_pilot_math500_qwen7b.jsonl", "mrt_pilot_math500_llama8b.jsonl",
				      "mrt_math500_deepseek_r1.jsonl"};
	double w[128], t[128], swt = 0, sww = 0, mean = 0, sst = 0, sse = 0, rel[128];
	int n = 0;
	for (int k = 0; k < 3; k++) {
		char path[512], *text, *p;
		size_t len;
		int line = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, files[k]);
		if (!(text = file_read(path, &len)))
			return -1;
		for (p = text; *p;) {
			char *nl = strchr(p, '\n');
			cJSON *o;
			line++;
			if (nl)
				*nl = 0;
			o = cJSON_Parse(p);
			if (!o) {
				free(text);
				return err_set("%s:%d: malformed line (expected a JSON object)", path, line);
			}
			cJSON *a = cJSON_GetObjectItem(o, "trace_token_count"), *b = cJSON_GetObjectItem(o, "total_generated_tokens");
			if (cJSON_IsNumber(a) && cJSON_IsNumber(b) && a->valuedouble > 0 && b->valuedouble < 32768 && n < 128) {
				w[n] = a->valuedouble;
				t[n] = b->valuedouble;
				n++;
			}
			cJSON_Delete(o);
			if (!nl)
				break;
			p = nl + 1;
		}
		free(text);
	}
	if (n < 3)
		return err_set("%s: too few pilot records with tokens and words (expected >= 3)", dir);
	for (int i = 0; i < n; i++) {
		swt += w[i] * t[i];
		sww += w[i] * w[i];
		mean += t[i] / n;
	}
	rf->r = swt / sww;
	for (int i = 0; i < n; i++) {
		sst += (t[i] - mean) * (t[i] - mean);
		sse += (t[i] - rf->r * w[i]) * (t[i] - rf->r * w[i]);
		rel[i] = fabs(rf->r * w[i] - t[i]) / t[i];
	}
	gsl_sort(rel, 1, (size_t)n);
	rf->r2 = 1 - sse / sst;
	rf->med_rel = gsl_stats_median_from_sorted_data(rel, 1, (size_t)n);
	rf->n = n;
	return 0;
}

/* Within-problem spread of log length, from the two independent R1-Distill-Qwen-7B runs
 * of items 0..19 (pilot file and the word-count CSV): var(log a - log b) / 2. */
static int fit_sigma_within(const char *dir, const struct src *S, double *sigma, int *npairs)
{
	char path[512], *text, *p;
	size_t len;
	int line = 0, n = 0;
	double ss = 0;
	snprintf(path, sizeof(path), "%s/mrt_pilot_math500_qwen7b.jsonl", dir);
	if (!(text = file_read(path, &len)))
		return -1;
	for (p = text; *p && line < S->n;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		cJSON *o = cJSON_Parse(p), *a = o ? cJSON_GetObjectItem(o, "trace_token_count") : NULL;
		if (cJSON_IsNumber(a) && a->valuedouble > 0 && S->p[line].words > 0) { /* NOLINT(clang-analyzer-core.NullDereference): cJSON_IsNumber(NULL) is false */
			double d = log(a->valuedouble) - log(S->p[line].words);
			ss += d * d;
			n++;
		}
		cJSON_Delete(o);
		line++;
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	if (n < 3)
		return err_set("%s: too few paired runs (expected >= 3)", path);
	*sigma = sqrt(ss / (2.0 * n));
	*npairs = n;
	return 0;
}

static int load_src(struct src *S, const char *dir)
{
	memset(S, 0, sizeof(*S));
	if (csv_each(dir, "math500_prompt_tokens.csv", on_prompt, S) < 0 ||
	    csv_each(dir, "math500_r1distill_qwen7b_llama8b_wordcounts.csv", on_words, S) < 0 ||
	    csv_each(dir, "math500_published_stats.csv", on_stats, S) < 0)
		return -1;
	for (int i = 0; i < S->n; i++)
		if (!S->p[i].have_real)
			return err_set("%s/math500_r1distill_qwen7b_llama8b_wordcounts.csv: problem '%s' missing (expected all 500)", dir, S->p[i].id);
	for (int k = 0; k < 4; k++)
		if (!S->deer_tokens[k] || !S->openr1_acc[k] || !S->ds_acc[k])
			return err_set("%s/math500_published_stats.csv: a DEER_T5 or OPENR1_README figure is missing (expected all four sizes)", dir);
	for (int l = 1; l <= 5; l++)
		if (!S->es7_tokens[l] || !S->es32_tokens[l] || !S->esr1_tokens[l] || !S->es7_acc[l] || !S->esq3_32_tokens[l])
			return err_set("%s/math500_published_stats.csv: an EVALSCOPE per-level figure is missing (expected levels 1..5)", dir);
	if (!S->s11_32_acc || !S->r1d32_s1table_acc)
		return err_set("%s/math500_published_stats.csv: S1_T2 row missing (expected s1.1 w/o BF and r1-distill (32B))", dir);
	return 0;
}

/* Level-count-weighted overall mean of a per-level table. */
static double weighted(const struct src *S, const double *lv)
{
	double s = 0;
	for (int i = 0; i < S->n; i++)
		s += lv[S->p[i].level];
	return s / S->n;
}

struct targets {
	double mean, acc;          /* overall: tokens, fraction */
	double level_mean[6];      /* tokens */
	double shape[6];           /* level mean / overall mean */
	int inferred;
	char rule[600];
};

/* Models with their own published MATH500 pass@1 (below, with its source); mean output tokens
 * and the per-level shape are EVALSCOPE reasoning tokens (math500_published_stats.csv) of the
 * same model (published) or, where none is published, of a sibling (inferred, and said so). */
static const struct {
	const char *hf_id;
	double pass1;           /* fraction */
	const char *pass1_src;
	int tokens_of;          /* 0: EVALSCOPE_6M DeepSeek-R1 (the model itself); 1: EVALSCOPE_Q3 Qwen3-32B */
} published_targets[] = {
	/* DeepSeek-R1 (arXiv:2501.12948, Table 4, "MATH-500 (Pass@1) 97.3"; also the model card
	 * huggingface.co/deepseek-ai/DeepSeek-R1 README; MIT): measured by its authors, 32,768
	 * max tokens, T = 0.6, top-p 0.95, 64 samples per question */
	{"deepseek-ai/DeepSeek-R1", 0.973, "DeepSeek-R1 paper arXiv:2501.12948 Table 4 (MATH-500 pass@1 97.3)", 0},
	/* Qwen3-235B-A22B, thinking mode (Qwen3 Technical Report arXiv:2505.09388v1, Table 11,
	 * "MATH-500 ... 98.0"; T = 0.6, top-p 0.95, top-k 20, 32,768 max output tokens, Section
	 * 4.6; read from the transcription liudu2326526/llm-study@977f46a6, file
	 * 学习文件/论文/Qwen/Qwen3_Technical_Report.md; the models are Apache-2.0). Measured by its
	 * authors. No per-level token counts are published for it: those of Qwen3-32B (thinking,
	 * EVALSCOPE_Q3) stand in, an inference (same family, same post-training recipe) */
	{"Qwen/Qwen3-235B-A22B", 0.980, "Qwen3 Technical Report arXiv:2505.09388 Table 11 (MATH-500 98.0, thinking)", 1},
};

static void make_targets(const struct src *S, const struct trace_alias *a, struct targets *T)
{
	for (size_t k = 0; k < sizeof(published_targets) / sizeof(published_targets[0]); k++) {
		if (strcmp(a->hf_id, published_targets[k].hf_id))
			continue;
		const double *lv = published_targets[k].tokens_of ? S->esq3_32_tokens : S->esr1_tokens;
		double o = weighted(S, lv);
		memset(T, 0, sizeof(*T));
		T->mean = o;
		T->acc = published_targets[k].pass1;
		T->inferred = published_targets[k].tokens_of != 0;
		for (int l = 1; l <= 5; l++) {
			T->shape[l] = lv[l] / o;
			T->level_mean[l] = lv[l];
		}
		snprintf(T->rule, sizeof(T->rule), "%s (before </think>, level-count weighted); pass@1 published, %s",
			 T->inferred ? "inferred: mean output tokens and per-level shape = Qwen3-32B thinking reasoning "
				       "tokens (EVALSCOPE_Q3), none being published for this model"
				     : "published: mean output tokens and per-level shape EVALSCOPE_6M DeepSeek-R1 reasoning tokens",
			 published_targets[k].pass1_src);
		return;
	}

	int si = a->params_b < 2 ? 0 : a->params_b < 10 ? 1 : a->params_b < 20 ? 2 : 3;
	double o7 = weighted(S, S->es7_tokens), o32 = weighted(S, S->es32_tokens), or1 = weighted(S, S->esr1_tokens);
	/* per-level shape: linear in log(params) between the 7B and 32B shapes, clamped */
	double x = (log(a->params_b) - log(7)) / (log(32) - log(7));
	x = x < 0 ? 0 : x > 1 ? 1 : x;
	memset(T, 0, sizeof(*T));
	for (int l = 1; l <= 5; l++)
		T->shape[l] = (1 - x) * S->es7_tokens[l] / o7 + x * S->es32_tokens[l] / o32;
	double norm = weighted(S, T->shape);
	if (!a->s1) {
		T->mean = S->deer_tokens[si];
		T->acc = S->openr1_acc[si];
		snprintf(T->rule, sizeof(T->rule),
			 "published: mean output tokens DEER_T5 (vanilla), pass@1 OPENR1_README (32768 tokens, T=0.6)");
	} else {
		double k = (1 - S->s11_32_acc) / (1 - S->r1d32_s1table_acc);
		double lr = or1 / o32;
		T->mean = S->deer_tokens[si] * lr;
		T->acc = si == 3 ? S->s11_32_acc : 1 - (1 - S->ds_acc[si]) * k;
		T->inferred = 1;
		snprintf(T->rule, sizeof(T->rule),
			 "inferred: mean tokens = R1-Distill-Qwen of the same size (DEER_T5) x %.4f, the ratio of the "
			 "teacher DeepSeek-R1 to R1-Distill-Qwen-32B reasoning tokens (EVALSCOPE_6M), since s1.1 imitates "
			 "R1 traces; pass@1 %s",
			 lr, si == 3 ? "published (S1_T2 s1.1 w/o BF)"
				    : "= 1 - (1 - DeepSeek-reported R1-Distill of the same size) x (error of s1.1-32B / "
				      "error of r1-distill-32B in S1_T2)");
	}
	for (int l = 1; l <= 5; l++) {
		T->shape[l] /= norm;
		T->level_mean[l] = T->mean * T->shape[l];
	}
}

int synth_targets(const char *srcdir, const char *model, double *mean_tokens, double *pass1, int *inferred)
{
	const struct trace_alias *a = trace_alias_row(model);
	struct src *S;
	struct targets T;
	if (!a)
		return err_set("model '%s': no shipped trace (expected one of %s)", model, trace_alias_list());
	if (a->per_sample)
		return err_set("model '%s': its shipped trace is real samples, not synthesised (expected a model "
			       "without per-sample data; see ttsim trace import per-sample)", model);
	S = xmalloc(sizeof(*S));
	if (load_src(S, srcdir) < 0) {
		free(S);
		return -1;
	}
	make_targets(S, a, &T);
	*mean_tokens = T.mean;
	*pass1 = T.acc;
	*inferred = T.inferred;
	free(S);
	return 0;
}

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

/* The vote model fitted to every real per-sample trace under dir/per_sample, and the
 * consensus difficulty of each problem of S (same ids, same order). */
static int fit_votes(const char *dir, const struct src *S, struct vote_model *vm, double *d, double *th)
{
	struct trace tr[16];
	const struct trace *tp[16];
	char probs[512], path[512];
	int n = 0, rc = -1;
	double *L = xmalloc((size_t)S->n * sizeof(*L));
	snprintf(probs, sizeof(probs), "%s/math500_prompt_tokens.csv", dir);
	for (int i = 0; i < trace_n_aliases && n < 16; i++) {
		struct import_opts io = {0};
		if (!trace_aliases[i].per_sample)
			continue;
		io.model = trace_aliases[i].hf_id;
		io.max_tokens = trace_aliases[i].max_tokens;
		io.problems = probs;
		snprintf(path, sizeof(path), "%s/per_sample/%s", dir, trace_aliases[i].per_sample);
		if (import_per_sample(&tr[n], path, &io) < 0)
			goto out;
		tp[n] = &tr[n];
		n++;
	}
	for (int k = 0; k < n; k++)
		for (int i = 0; i < S->n; i++)
			if (tr[k].n_problems != S->n || strcmp(tr[k].problems[i].unique_id, S->p[i].id)) {
				err_set("%s: problem %d is not '%s' of math500_prompt_tokens.csv (expected the same problems)",
					tr[k].name, i, S->p[i].id);
				goto out;
			}
	if (vote_fit(tp, n, vm) < 0 || vote_consensus(tp, n, d, L) < 0 || vote_problem_theta(tp, n, vm->theta, th) < 0)
		goto out;
	rc = 0;
out:
	for (int k = 0; k < n; k++)
		trace_release(&tr[k]);
	free(L);
	return rc;
}

int synth_trace(struct trace *t, const char *srcdir, const char *model, const struct synth_params *sp)
{
	const struct trace_alias *a = trace_alias_row(model);
	struct src *S;
	struct targets T;
	struct ratio_fit rf = {0};
	double sigma_w = 0, lvmean[6] = {0}, lvvar[6] = {0}, rho[6], scale[6];
	int npairs = 0, lvn[6] = {0}, ns = sp->samples;
	double *zlen, *bias, *z, *u, *vv, *ww, *y, *dc, *e, *thp;
	struct vote_model vm;
	gsl_rng *rng;
	char purpose[64];

	if (!a)
		return err_set("model '%s': no shipped trace (expected one of %s)", model, trace_alias_list());
	if (a->per_sample)
		return err_set("model '%s': its shipped trace is real samples, not synthesised (expected a model "
			       "without per-sample data; see ttsim trace import per-sample)", model);
	if (ns < 1 || ns > 4096)
		return err_set("synth: bad samples (expected 1..4096)");
	S = xmalloc(sizeof(*S));
	if (load_src(S, srcdir) < 0 || fit_ratio(srcdir, &rf) < 0 || fit_sigma_within(srcdir, S, &sigma_w, &npairs) < 0) {
		free(S);
		return -1;
	}
	make_targets(S, a, &T);
	int n = S->n;
	dc = xmalloc((size_t)n * sizeof(*dc));
	thp = xmalloc((size_t)n * sizeof(*thp));
	if (fit_votes(srcdir, S, &vm, dc, thp) < 0) {
		free(dc);
		free(thp);
		free(S);
		return -1;
	}
	e = xmalloc((size_t)n * sizeof(*e));
	zlen = xcalloc((size_t)n, sizeof(double));
	bias = xcalloc((size_t)n, sizeof(double));
	z = xmalloc((size_t)n * ns * sizeof(double));
	u = xmalloc((size_t)n * ns * sizeof(double));
	vv = xmalloc((size_t)n * ns * sizeof(double));
	y = xmalloc((size_t)n * ns * sizeof(double));
	ww = xmalloc((size_t)n * ns * sizeof(double));

	/* real log lengths in tokens; a truncated real run (0 words) counts as the cap */
	for (int i = 0; i < n; i++) {
		double tok = S->p[i].words > 0 ? S->p[i].words * rf.r : sp->max_tokens;
		zlen[i] = log(tok);
		lvmean[S->p[i].level] += zlen[i];
		lvn[S->p[i].level]++;
	}
	for (int l = 1; l <= 5; l++)
		lvmean[l] /= lvn[l] ? lvn[l] : 1;
	for (int i = 0; i < n; i++) {
		int l = S->p[i].level;
		lvvar[l] += (zlen[i] - lvmean[l]) * (zlen[i] - lvmean[l]) / (lvn[l] > 1 ? lvn[l] - 1 : 1);
	}
	for (int l = 1; l <= 5; l++)
		rho[l] = sqrt(fmax(0.05, 1 - sigma_w * sigma_w / fmax(lvvar[l], 1e-9)));
	for (int i = 0; i < n; i++) {
		int l = S->p[i].level;
		double dev = zlen[i] - lvmean[l];
		bias[i] = rho[l] * dev; /* problem's log-mean offset, keeping the between-problem variance */
		zlen[i] = dev / sqrt(fmax(lvvar[l], 1e-9));
	}

	/* the shipped synthetic traces keep every cut sample answerless (vote_answers with
	 * cut_answer 0): giving them the real traces' share (0.665, fitted in vote_fit and used by
	 * the cross-validation) moves the budget-forcing and "Wait" terms fitted on these traces
	 * (measured with the terms of the time: tts_bf_settle 0.797 -> 0.794, tts_wait_break 0.0158
	 * -> 0.0169), whose defaults live in
	 * sim/config.c; left for a change that refits them together (traces/README.md) */
	vm.cut_answer = 0;

	/* draws, in a fixed order: per problem its deviation from the consensus, then per sample
	 * z (length), u (correct), v (abstains), w (which wrong answer) */
	snprintf(purpose, sizeof(purpose), "trace-synth:%s", a->alias);
	rng = rng_stream(sp->seed, purpose);
	for (int i = 0; i < n; i++) {
		e[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
		for (int j = 0; j < ns; j++) {
			size_t q = (size_t)i * ns + j;
			z[q] = gsl_ran_gaussian_ziggurat(rng, 1.0);
			u[q] = gsl_rng_uniform(rng);
			vv[q] = gsl_rng_uniform(rng);
			ww[q] = gsl_rng_uniform(rng);
			y[q] = exp(bias[i] + sigma_w * z[q]);
		}
	}
	gsl_rng_free(rng);

	/* per-level scale, by bisection, so that the level's mean of capped lengths hits its target */
	for (int l = 1; l <= 5; l++) {
		double lo = 1, hi = 1e6;
		for (int it = 0; it < 100; it++) {
			double mid = sqrt(lo * hi), s = 0;
			long cnt = 0;
			for (int i = 0; i < n; i++)
				if (S->p[i].level == l)
					for (int j = 0; j < ns; j++, cnt++)
						s += fmin(sp->max_tokens, fmax(1, floor(mid * y[(size_t)i * ns + j] + 0.5)));
			if (s / cnt < T.level_mean[l])
				lo = mid;
			else
				hi = mid;
		}
		scale[l] = sqrt(lo * hi);
	}

	/* one logit shift for all levels, by bisection, so that overall pass@1 hits its target */
	memset(t, 0, sizeof(*t));
	t->n_problems = n;
	t->problems = xcalloc((size_t)n, sizeof(*t->problems));
	for (int i = 0; i < n; i++) {
		struct trace_problem *p = &t->problems[i];
		int l = S->p[i].level;
		p->unique_id = xstrdup(S->p[i].id);
		strlcpy0(p->subject, S->p[i].subject, sizeof(p->subject));
		p->level = l;
		p->prompt_tokens = S->p[i].prompt_tokens;
		p->arrival_s = -1;
		p->n_samples = ns;
		p->samples = xcalloc((size_t)ns, sizeof(*p->samples));
		for (int j = 0; j < ns; j++) {
			double v = floor(scale[l] * y[(size_t)i * ns + j] + 0.5);
			struct trace_sample *s = &p->samples[j];
			s->output_tokens = (int32_t)fmin(sp->max_tokens, fmax(1, v));
			s->finished = v < sp->max_tokens;
		}
	}
	/* the intercept a, by bisection, so that overall pass@1 hits its target: sample j of
	 * problem i is correct iff u < sigmoid(a + b d_i + s_b e_i - lambda z) (vote model, with
	 * the slope b on the consensus difficulty and its s_b, as the cross-validated twins of
	 * vote_generate draw them) */
	double b = vm.slope > 0 ? vm.slope : 1, sb = vm.slope > 0 ? vm.slope_s : vm.s;
	double lo = -30, hi = 30, delta = 0;
	for (int it = 0; it < 80; it++) {
		long ok = 0;
		delta = 0.5 * (lo + hi);
		for (int i = 0; i < n; i++) {
			double c = delta + b * dc[i] + sb * e[i];
			for (int j = 0; j < ns; j++) {
				size_t q = (size_t)i * ns + j;
				ok += t->problems[i].samples[j].finished && u[q] < sigmoid(c - vm.lambda * z[q]);
			}
		}
		if ((double)ok / ((double)n * ns) < T.acc)
			lo = delta;
		else
			hi = delta;
	}
	delta = hi;
	double sum_tok = 0;
	long ok = 0, cut = 0;
	uint8_t *okv = xmalloc((size_t)ns);
	for (int i = 0; i < n; i++) {
		double c = delta + b * dc[i] + sb * e[i];
		struct trace_problem *p = &t->problems[i];
		for (int j = 0; j < ns; j++) {
			size_t q = (size_t)i * ns + j;
			okv[j] = u[q] < sigmoid(c - vm.lambda * z[q]);
			sum_tok += p->samples[j].output_tokens;
			cut += !p->samples[j].finished;
			ok += okv[j] && p->samples[j].finished;
		}
		vote_answers(p, okv, vv + (size_t)i * ns, ww + (size_t)i * ns, &vm, thp[i]);
	}
	free(okv);

	/* the header: every figure the trace rests on */
	cJSON *h = cJSON_CreateObject(), *fit, *tg, *lv;
	cJSON_AddStringToObject(h, "format", "ttsim-trace");
	cJSON_AddNumberToObject(h, "version", TRACE_FORMAT_VERSION);
	cJSON_AddStringToObject(h, "model", a->hf_id);
	cJSON_AddStringToObject(h, "alias", a->alias);
	cJSON_AddStringToObject(h, "dataset", "MATH500");
	cJSON_AddNumberToObject(h, "temperature", 0.6);
	cJSON_AddNumberToObject(h, "top_p", 0.95);
	cJSON_AddNumberToObject(h, "max_tokens", sp->max_tokens);
	cJSON_AddNumberToObject(h, "samples_per_problem", ns);
	cJSON_AddStringToObject(h, "provenance", "synthetic");
	cJSON_AddNumberToObject(h, "seed", (double)sp->seed);
	cJSON_AddStringToObject(h, "generator", "ttsim trace synth (traces/synth.c)");
	cJSON_AddStringToObject(h, "source",
		"../shared/traces (see its SOURCES.md): math500_prompt_tokens.csv (prompt_tokens_r1), "
		"math500_r1distill_qwen7b_llama8b_wordcounts.csv (R1-Distill-Qwen-7B rows), "
		"mrt_pilot_math500_{qwen7b,llama8b}.jsonl + mrt_math500_deepseek_r1.jsonl (word->token ratio), "
		"math500_published_stats.csv (DEER_T5, OPENR1_README, EVALSCOPE_6M, EVALSCOPE_THINK, S1_T2), "
		"per_sample/*.csv (the vote model)");
	cJSON_AddStringToObject(h, "method",
		"problem log-mean length = level mean + rho_L x (real 7B log tokens - level mean), rho_L = "
		"sqrt(1 - sigma_w^2 / var_L); sample length = scale_L x exp(offset + sigma_w z), z ~ N(0,1), "
		"scale_L bisected so the level mean of min(cap, length) hits the target; samples at the cap are "
		"cut (finished false, answer -1); vote model (traces/vote.h) fitted to the real per-sample traces: "
		"correct iff u < sigmoid(a + b d_i + s_b e_i - lambda z), d_i the consensus difficulty of the real "
		"traces, b its fitted slope, e_i ~ N(0,1), a bisected to hit pass@1; a finished wrong sample abstains with probability "
		"abstain (fitted as the real traces' share of finished non-correct samples without an answer), else its answer follows a Chinese restaurant process of concentration theta_i (the "
		"problem's own, from the real traces' wrong answers, shrunk to the pooled theta), numbered "
		"by frequency. See traces/README.md");
	fit = cJSON_AddObjectToObject(h, "fit");
	cJSON_AddNumberToObject(fit, "word_token_ratio", round(rf.r * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "word_token_r2", round(rf.r2 * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "word_token_median_abs_rel_err", round(rf.med_rel * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "word_token_n", rf.n);
	cJSON_AddNumberToObject(fit, "sigma_within", round(sigma_w * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "sigma_within_pairs", npairs);
	cJSON_AddNumberToObject(fit, "vote_models", vm.n_models);
	cJSON_AddNumberToObject(fit, "vote_s", round(vm.s * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "vote_slope", round(b * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "vote_slope_s", round(sb * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "vote_theta", round(vm.theta * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "vote_abstain", round(vm.abstain * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "vote_lambda", round(vm.lambda * 1e4) / 1e4);
	cJSON_AddNumberToObject(fit, "a", round(delta * 1e4) / 1e4);
	tg = cJSON_AddObjectToObject(h, "targets");
	cJSON_AddNumberToObject(tg, "mean_output_tokens", round(T.mean * 10) / 10);
	cJSON_AddNumberToObject(tg, "pass_at_1", round(T.acc * 1e4) / 1e4);
	cJSON_AddBoolToObject(tg, "inferred", T.inferred);
	cJSON_AddStringToObject(tg, "rule", T.rule);
	lv = cJSON_AddObjectToObject(tg, "level_mean_output_tokens");
	for (int l = 1; l <= 5; l++) {
		char k[16];
		snprintf(k, sizeof(k), "%d", l);
		cJSON_AddNumberToObject(lv, k, round(T.level_mean[l] * 10) / 10);
	}
	tg = cJSON_AddObjectToObject(h, "realized");
	cJSON_AddNumberToObject(tg, "mean_output_tokens", round(sum_tok / ((double)n * ns) * 10) / 10);
	cJSON_AddNumberToObject(tg, "pass_at_1", round((double)ok / ((double)n * ns) * 1e4) / 1e4);
	cJSON_AddNumberToObject(tg, "cut_samples", (double)cut);
	t->header_json = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	{ /* fill the struct fields from the header, as a load would */
		char *hj = t->header_json;
		t->header_json = xstrdup(hj);
		cJSON_free(hj);
	}
	t->version = TRACE_FORMAT_VERSION;
	strlcpy0(t->model, a->hf_id, sizeof(t->model));
	strlcpy0(t->dataset, "MATH500", sizeof(t->dataset));
	strlcpy0(t->provenance, "synthetic", sizeof(t->provenance));
	t->temperature = 0.6;
	t->max_tokens = sp->max_tokens;
	snprintf(t->name, sizeof(t->name), "math500:%s", a->alias);

	free(zlen);
	free(bias);
	free(z);
	free(u);
	free(vv);
	free(y);
	free(ww);
	free(e);
	free(dc);
	free(thp);
	free(S);
	return 0;
}
