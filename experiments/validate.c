/*
 * validate.c: read measured-run files, simulate their benchmarks, summarise the errors
 * (see validate.h). It prints nothing; cli/cmd_validate.c does.
 */
#include "experiments/validate.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "models/engine_profile.h"
#include "lib/csv.h"
#include "lib/util.h"

static const char *const metric_names[VM_N] = {"ttft_ms", "tpot_ms", "e2e_s",
					       "output_tok_per_s"};

const char *vmetric_name(int m) { return m >= 0 && m < VM_N ? metric_names[m] : "?"; }

int vmetric_parse(const char *s)
{
	for (int i = 0; i < VM_N; i++)
		if (!strcmp(s, metric_names[i]))
			return i;
	return -1;
}

/* Columns: the required ten, then the optional ones. */
enum col { C_ID, C_MODEL, C_GPU, C_TP, C_DTYPE, C_IN, C_OUT, C_CONC, C_METRIC, C_VALUE,
	   C_ENGINE, C_ENGINE_VERSION, C_SOURCE, C_NOTES, C_NUM_PROMPTS,
	   /* the client's columns (validate.h) */
	   C_REQUEST_RATE, C_BURSTINESS, C_DATASET, C_RANGE_RATIO, C_IGNORE_EOS, C_MAX_OUT,
	   C_KV_DTYPE, C_STATUS, C_MAX_SEQS, C_MAX_TOKENS,
	   /* speculative decoding (validate.h) */
	   C_SPEC_DRAFT, C_SPEC_K, C_SPEC_AL, C_SPEC_TREE,
	   /* expert parallelism (MoE) */
	   C_EP,
	   /* the API endpoint the client called: chat, completions or none (offline) */
	   C_ENDPOINT,
	   /* the engine's chunked prefill when the run set it (trtllm-serve --enable_chunked_prefill) */
	   C_CHUNKED,
	   /* the run disabled CUDA graphs (vllm --enforce-eager, sglang --disable-cuda-graph) */
	   C_EAGER,
	   /* vLLM's max_model_len of the run (the source model's max_position_embeddings) */
	   C_MAX_MODEL_LEN,
	   /* the run's vllm serve had --async-scheduling */
	   C_ASYNC,
	   /* the run's vLLM sampled with FlashInfer (its image had FlashInfer, vLLM 0.9-0.11.0) */
	   C_FI_SAMPLER, C_N };
#define C_REQUIRED C_ENGINE
static const char *const col_names[C_N] = {
	"id", "model", "gpu", "tp", "dtype", "input_len", "output_len", "concurrency", "metric",
	"value", "engine", "engine_version", "source", "notes", "num_prompts",
	"request_rate", "burstiness", "dataset", "range_ratio", "ignore_eos", "max_output_len",
	"kv_dtype", "status", "max_num_seqs", "max_num_batched_tokens",
	"spec_draft", "spec_k", "spec_acceptance_length", "spec_tree", "ep", "endpoint", "chunked_prefill",
	"enforce_eager", "max_model_len", "async_scheduling", "flashinfer_sampler"};

static struct vrow *vset_add(struct vset *s)
{
	struct vrow *r;
	xgrow((void **)&s->rows, &s->cap, s->n + 1, sizeof(*s->rows));
	r = &s->rows[s->n++];
	memset(r, 0, sizeof(*r));
	r->tp = 1;
	r->metric = -1;
	r->predicted = NAN;
	r->request_rate = INFINITY;
	r->burstiness = 1;
	r->ignore_eos = 1;
	r->endpoint = -1;
	r->chunked_prefill = -1;
	r->enforce_eager = -1;
	r->async_scheduling = -1;
	r->flashinfer_sampler = -1;
	return r;
}

/* What a row simulates with, loaded once: the front-end fit runs each row at thousands of
 * grid points that differ only in the engine profile's front end. */
struct vset_loaded {
	int ok;
	struct run_config c;
	struct run_inputs in;
};

void vset_release(struct vset *s)
{
	for (size_t i = 0; i < s->n_loaded; i++)
		if (s->loaded[i].ok)
			run_inputs_release(&s->loaded[i].in);
	free(s->loaded);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

static char *trim(char *s)
{
	size_t l;
	while (isspace((unsigned char)*s))
		s++;
	l = strlen(s);
	while (l && isspace((unsigned char)s[l - 1]))
		s[--l] = 0;
	return s;
}

/* Set row->err to "FILE:LINE: key 'KEY': <fmt>" and return -1. */
/* A measured value above this is no measurement (ms, s or tokens/s alike): refused */
#define VALUE_MAX 1e9

static int row_err(struct vrow *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int row_err(struct vrow *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(r->err, sizeof(r->err), "%.300s: key '%.40s': ", r->where, key);
	va_start(ap, fmt);
	vsnprintf(r->err + k, sizeof(r->err) - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* A true/false column: *out 1 or 0. */
static int set_bool(struct vrow *r, const char *key, const char *v, int *out)
{
	if (strcmp(v, "true") && strcmp(v, "false"))
		return row_err(r, key, "expected true or false, got '%.60s'", v);
	*out = !strcmp(v, "true");
	return 0;
}

static int set_int(struct vrow *r, const char *key, const char *v, long lo, long hi, long *out)
{
	if (parse_long(v, out) < 0 || *out < lo || *out > hi)
		return row_err(r, key, "expected an integer in %ld..%ld, got '%.60s'", lo, hi, v);
	return 0;
}

/* A length in tokens: an integer, or a measured mean with decimals (rounded to the nearest
 * token, as the vllm JSON reader rounds total_*_tokens / completed). */
static int set_len(struct vrow *r, const char *key, const char *v, int *out)
{
	double d;
	if (parse_double(v, &d) < 0 || !(d >= 0.5) || d > (1 << 24))
		return row_err(r, key, "expected a token count in 1..%d (a mean may have "
			       "decimals), got '%.60s'", 1 << 24, v);
	*out = (int)lround(d);
	return 0;
}

static int set_str(struct vrow *r, const char *key, char *dst, size_t n, const char *v)
{
	if (!v[0])
		return row_err(r, key, "empty value (expected %s)", "a name");
	if (strlcpy0(dst, v, n) < 0)
		return row_err(r, key, "value too long (expected at most %zu characters, got %zu): "
			       "'%.40s...'", n - 1, strlen(v), v);
	return 0;
}

/* A positive number or "inf" (empty: leave *out). */
static int set_pos_or_inf(struct vrow *r, const char *key, const char *v, double *out)
{
	if (!v || !v[0])
		return 0;
	if (!strcmp(v, "inf")) {
		*out = INFINITY;
		return 0;
	}
	if (parse_double(v, out) < 0 || !(*out > 0))
		return row_err(r, key, "expected a positive number or inf, got '%.60s'", v);
	return 0;
}

/* The client's optional columns. */
/* The speculative columns: all empty (no speculation), or a drafter with its k and the
 * measured acceptance length. */
static int spec_fill(struct vrow *r, char **f)
{
	const char *d = f[C_SPEC_DRAFT], *k = f[C_SPEC_K], *al = f[C_SPEC_AL];
	const char *tr = f[C_SPEC_TREE];
	long x;
	if (!(d && d[0])) {
		if ((k && k[0]) || (al && al[0]) || (tr && tr[0]))
			return row_err(r, "spec_draft", "spec_k, spec_acceptance_length and "
				       "spec_tree need a drafter (expected eagle, eagle3, ngram or a "
				       "model)");
		return 0;
	}
	if (tr && tr[0]) { /* "W/N": top-W branches, N tokens verified (SGLang's topk/draft) */
		char buf[32], *slash;
		long w = 0, n = 0;
		if (strlcpy0(buf, tr, sizeof(buf)) < 0 || !(slash = strchr(buf, '/')) ||
		    (*slash = 0, parse_long(buf, &w) < 0) || parse_long(slash + 1, &n) < 0 ||
		    w < 1 || w > 64 || n < 1 || n > 4096)
			return row_err(r, "spec_tree", "expected TOPK/TOKENS (e.g. 4/16: SGLang's "
				       "speculative_eagle_topk / speculative_num_draft_tokens), got "
				       "'%.40s'", tr);
		r->spec_tree_topk = (int)w;
		r->spec_tree_tokens = (int)n;
	}
	if (strlcpy0(r->spec_draft, d, sizeof(r->spec_draft)) < 0)
		return row_err(r, "spec_draft", "value too long: '%.40s...'", d);
	if (!(k && k[0]))
		return row_err(r, "spec_k", "a drafter needs its draft tokens per step");
	if (set_int(r, "spec_k", k, 1, 16, &x) < 0)
		return -1;
	r->spec_k = (int)x;
	if (!(al && al[0]))
		return row_err(r, "spec_acceptance_length", "a drafter needs its measured "
			       "acceptance length (tokens per verification, bonus included)");
	if (parse_double(al, &r->spec_al) < 0 || !(r->spec_al >= 1 && r->spec_al <= r->spec_k + 1))
		return row_err(r, "spec_acceptance_length", "expected a number in [1, spec_k + 1 = "
			       "%d], got '%.60s'", r->spec_k + 1, al);
	return 0;
}

static int client_fill(struct vrow *r, char **f)
{
	const char *v;
	long x;
	if (set_pos_or_inf(r, "request_rate", f[C_REQUEST_RATE], &r->request_rate) < 0 ||
	    set_pos_or_inf(r, "burstiness", f[C_BURSTINESS], &r->burstiness) < 0)
		return -1;
	if (r->concurrency == 0 && isinf(r->request_rate) && r->num_prompts <= 0)
		return row_err(r, "num_prompts", "an all-at-once run (concurrency 0, request_rate "
			       "inf) needs num_prompts");
	if (r->concurrency > 0 && !isinf(r->request_rate))
		return row_err(r, "request_rate", "a finite rate with a concurrency limit is not "
			       "supported (expected concurrency 0 or request_rate inf)");
	/* vLLM >= 0.10's law asserts r < 1 (a width of 2L); the old [floor(rL), L] takes 1,
	 * its default (fixed lengths): which law is the row's family's (validate_client) */
	if ((v = f[C_RANGE_RATIO]) && v[0] &&
	    (parse_double(v, &r->range_ratio) < 0 || r->range_ratio < 0 || r->range_ratio > 1))
		return row_err(r, "range_ratio", "expected a number in 0..1, got '%.60s'", v);
	if ((v = f[C_IGNORE_EOS]) && v[0] && set_bool(r, "ignore_eos", v, &r->ignore_eos) < 0)
		return -1;
	if ((v = f[C_MAX_OUT]) && v[0]) {
		if (set_int(r, "max_output_len", v, 1, 1 << 24, &x) < 0)
			return -1;
		if (x < r->output_len)
			return row_err(r, "max_output_len", "%ld is below output_len %d (expected the "
				       "client's max_tokens, at least the mean generated)", x,
				       r->output_len);
		r->max_output_len = (int)x;
	}
	if ((v = f[C_MAX_SEQS]) && v[0]) {
		if (set_int(r, "max_num_seqs", v, 1, 1 << 20, &x) < 0)
			return -1;
		r->max_num_seqs = (int)x;
	}
	if ((v = f[C_MAX_TOKENS]) && v[0]) {
		if (set_int(r, "max_num_batched_tokens", v, 1, 1 << 24, &x) < 0)
			return -1;
		r->max_num_batched_tokens = (int)x;
	}
	if ((v = f[C_MAX_MODEL_LEN]) && v[0]) {
		if (set_int(r, "max_model_len", v, 1, 1 << 24, &x) < 0)
			return -1;
		r->max_model_len = (int)x;
	}
	if (((v = f[C_CHUNKED]) && v[0] &&
	     set_bool(r, "chunked_prefill", v, &r->chunked_prefill) < 0) ||
	    ((v = f[C_EAGER]) && v[0] && set_bool(r, "enforce_eager", v, &r->enforce_eager) < 0) ||
	    ((v = f[C_ASYNC]) && v[0] &&
	     set_bool(r, "async_scheduling", v, &r->async_scheduling) < 0) ||
	    ((v = f[C_FI_SAMPLER]) && v[0] &&
	     set_bool(r, "flashinfer_sampler", v, &r->flashinfer_sampler) < 0))
		return -1;
	if ((v = f[C_KV_DTYPE]) && v[0]) {
		if (strcmp(v, "bf16") && strcmp(v, "fp8"))
			return row_err(r, "kv_dtype", "unknown dtype '%.40s' (expected bf16 or fp8)", v);
		strlcpy0(r->kv_dtype, v, sizeof(r->kv_dtype));
	}
	if ((v = f[C_DATASET]) && v[0] && strlcpy0(r->dataset, v, sizeof(r->dataset)) < 0)
		return row_err(r, "dataset", "value too long: '%.40s...'", v);
	if ((v = f[C_STATUS]) && v[0])
		strlcpy0(r->status, v, sizeof(r->status));
	if ((v = f[C_EP]) && v[0]) {
		if (config_enum_value("ep", v) < 0)
			return row_err(r, "ep", "unknown expert parallelism '%.40s' (expected none, "
				       "tp or dp)", v);
		strlcpy0(r->ep, v, sizeof(r->ep));
	}
	if ((v = f[C_ENDPOINT]) && v[0]) {
		if ((r->endpoint = config_enum_value("endpoint", v)) < 0)
			return row_err(r, "endpoint", "unknown endpoint '%.40s' (expected chat, "
				       "completions or none)", v);
	}
	return spec_fill(r, f);
}

/* vLLM's generation from a version string: 0 (V0: 0.N with N < 8, a 2024 build), 1 (V1:
 * 0.8 on, 1.x, a "v1"/"V1 ..." designation, a build of 2025 on), -1 (not a version). A leading v, V or ~ is skipped; empty
 * is V1 (ttsim's default engine). */
static int vllm_generation(const char *ver)
{
	const char *v = ver;
	char *end;
	long minor;
	while (*v == 'v' || *v == 'V' || *v == '~')
		v++;
	if (!*v)
		return 1;
	if (v[0] == '1' && !isdigit((unsigned char)v[1]))
		return 1;
	/* a build of main at a date (YYYY-MM...): V1 is the default engine from 2025 (0.8) */
	if (strlen(v) >= 5 && isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[1]) &&
	    isdigit((unsigned char)v[2]) && isdigit((unsigned char)v[3]) && v[4] == '-')
		return strtol(v, NULL, 10) >= 2025 ? 1 : 0;
	if (v[0] != '0' || v[1] != '.' || !isdigit((unsigned char)v[2]))
		return -1;
	minor = strtol(v + 2, &end, 10);
	return minor < 8 ? 0 : 1;
}

/* Is v one of list (NULL-terminated), compared by cmp? */
static int word_in(const char *v, const char *const *list, int (*cmp)(const char *, const char *))
{
	for (; *list; list++)
		if (!cmp(v, *list))
			return 1;
	return 0;
}

/* What a row names that ttsim would otherwise read as something else: an engine it does
 * not know (a typo would run as vLLM V1), a vLLM version that is not one, a dataset whose
 * client it does not model, a status that is not a skip. (A known engine's release with
 * no profile, such as SGLang 0.3, runs as vLLM V1 under its own family's name, as the
 * help says.) */
static int row_check(struct vrow *r)
{
	static const char *const engines[] = {"vllm", "sglang", "trtllm", "nim", NULL};
	static const char *const datasets[] = {"random", "sharegpt", "shared_prefix", "synthetic",
					       NULL};
	if (r->engine[0]) {
		if (!word_in(r->engine, engines, strcasecmp))
			return row_err(r, "engine", "unknown engine '%.40s' (expected vllm, sglang, "
				       "trtllm or nim; empty: vLLM V1)", r->engine);
		if (!strcasecmp(r->engine, "vllm") && vllm_generation(r->engine_version) < 0)
			return row_err(r, "engine_version", "not a vLLM version: '%.40s' (expected "
				       "0.N..., 1.x, v1... or empty)", r->engine_version);
	}
	if (r->status[0] && strncmp(r->status, "skip:", 5))
		return row_err(r, "status", "expected empty (simulate the row) or 'skip: WHY', got "
			       "'%.60s'", r->status);
	if (r->dataset[0] && !word_in(r->dataset, datasets, strcmp))
		return row_err(r, "dataset", "unknown dataset '%.40s' (expected random, "
			       "sharegpt, shared_prefix or synthetic; empty: random)", r->dataset);
	return 0;
}

/* Fill a row from its fields (f[c] NULL when column c is absent). */
static int row_fill(struct vrow *r, char **f)
{
	long x;
	const char *v;
	if (set_str(r, "id", r->id, sizeof(r->id), f[C_ID]) < 0 ||
	    set_str(r, "model", r->model, sizeof(r->model), f[C_MODEL]) < 0 ||
	    set_str(r, "gpu", r->gpu, sizeof(r->gpu), f[C_GPU]) < 0)
		return -1;
	if (set_int(r, "tp", f[C_TP], 1, 64, &x) < 0)
		return -1;
	r->tp = (int)x;
	if (strcmp(f[C_DTYPE], "bf16") && strcmp(f[C_DTYPE], "fp16") && strcmp(f[C_DTYPE], "fp8"))
		return row_err(r, "dtype", "unknown dtype '%.40s' (expected bf16, fp16 or fp8)",
			       f[C_DTYPE]);
	strlcpy0(r->dtype, f[C_DTYPE], sizeof(r->dtype));
	if (set_len(r, "input_len", f[C_IN], &r->input_len) < 0 ||
	    set_len(r, "output_len", f[C_OUT], &r->output_len) < 0)
		return -1;
	if (set_int(r, "concurrency", f[C_CONC], 0, 1 << 20, &x) < 0)
		return -1;
	r->concurrency = (int)x;
	r->metric = vmetric_parse(f[C_METRIC]);
	if (r->metric < 0)
		return row_err(r, "metric",
			       "unsupported metric '%.60s' (expected ttft_ms, tpot_ms, e2e_s or "
			       "output_tok_per_s)",
			       f[C_METRIC]);
	if (parse_double(f[C_VALUE], &r->value) < 0 || !isfinite(r->value))
		return row_err(r, "value", "expected a number, got '%.60s'", f[C_VALUE]);
	if (!(r->value > 0 && r->value < VALUE_MAX))
		return row_err(r, "value", "expected a positive number below %g (ms, s or tokens/s), "
			       "got '%.60s'", VALUE_MAX, f[C_VALUE]);
	if ((v = f[C_NUM_PROMPTS]) && v[0]) {
		if (set_int(r, "num_prompts", v, 1, 100000000, &r->num_prompts) < 0)
			return -1;
	}
	if (client_fill(r, f) < 0)
		return -1;
	if (f[C_ENGINE])
		strlcpy0(r->engine, f[C_ENGINE], sizeof(r->engine));
	if (f[C_ENGINE_VERSION])
		strlcpy0(r->engine_version, f[C_ENGINE_VERSION], sizeof(r->engine_version));
	if (f[C_NOTES])
		strlcpy0(r->notes, f[C_NOTES], sizeof(r->notes));
	if (f[C_SOURCE])
		strlcpy0(r->source, f[C_SOURCE], sizeof(r->source));
	return row_check(r);
}

#define MAX_COLS 64

int vset_parse_csv(struct vset *s, const char *text, const char *fname, int *n_bad)
{
	struct csv rd;
	char *line, **f;
	int pos[C_N], ncols = 0, lineno = 0, have_header = 0, rc = -1;
	*n_bad = 0;
	for (int c = 0; c < C_N; c++)
		pos[c] = -1;
	csv_init(&rd, text, strlen(text), CSV_SKIP_BLANK | CSV_SKIP_COMMENT | CSV_QUOTES);
	while ((line = csv_line(&rd)) != NULL) {
		int n = csv_split_line(&rd, line);
		lineno = rd.line;
		f = rd.f;
		if (!have_header) {
			if (n < 0 || n > MAX_COLS) {
				err_set("%s:%d: bad header (expected %s,... on one line)", fname, lineno,
					col_names[0]);
				goto out;
			}
			for (int i = 0; i < n; i++) {
				int c;
				char *name = trim(f[i]);
				for (c = 0; c < C_N && strcmp(name, col_names[c]); c++)
					;
				if (c == C_N) {
					err_set("%s:%d: key '%s': unknown column (expected id, model, gpu, "
						"tp, dtype, input_len, output_len, concurrency, metric, value, "
						"engine, engine_version, source, notes, num_prompts, "
						"request_rate, burstiness, dataset, range_ratio, ignore_eos, "
						"max_output_len, kv_dtype, status, max_num_seqs, "
						"max_num_batched_tokens, spec_draft, spec_k, "
						"spec_acceptance_length, spec_tree, ep, endpoint, "
						"chunked_prefill, enforce_eager, max_model_len, "
						"async_scheduling or flashinfer_sampler)",
						fname, lineno, name);
					goto out;
				}
				if (pos[c] >= 0) {
					err_set("%s:%d: key '%s': column given twice", fname, lineno, name);
					goto out;
				}
				pos[c] = i;
			}
			for (int c = 0; c < C_REQUIRED; c++)
				if (pos[c] < 0) {
					err_set("%s:%d: key '%s': missing column (expected the header "
						"id,model,gpu,tp,dtype,input_len,output_len,concurrency,"
						"metric,value)",
						fname, lineno, col_names[c]);
					goto out;
				}
			ncols = n;
			have_header = 1;
			continue;
		}
		{
			struct vrow *r = vset_add(s);
			char *cf[C_N];
			snprintf(r->where, sizeof(r->where), "%s:%d", fname, lineno);
			if (n < 0) {
				snprintf(r->err, sizeof(r->err), "%s: unterminated quoted field (a "
					 "quoted field ends on its own line: records are lines)",
					 r->where);
				++*n_bad;
				continue;
			}
			if (n != ncols) {
				snprintf(r->err, sizeof(r->err),
					 "%s: %d fields (expected %d, as in the header)", r->where, n,
					 ncols);
				++*n_bad;
				continue;
			}
			for (int c = 0; c < C_N; c++)
				cf[c] = pos[c] >= 0 ? trim(f[pos[c]]) : NULL;
			if (row_fill(r, cf) < 0)
				++*n_bad;
		}
	}
	if (!have_header) {
		err_set("%s: no header line (expected id,model,gpu,tp,dtype,input_len,output_len,"
			"concurrency,metric,value)",
			fname);
		goto out;
	}
	rc = 0;
out:
	csv_release(&rd);
	return rc;
}

/* The line of the first "key" in a JSON text (1 when absent): cJSON keeps no positions. */
static int jline(const char *text, const char *key)
{
	char pat[80];
	const char *at;
	int line = 1;
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	at = strstr(text, pat);
	for (const char *c = text; at && c < at; c++)
		line += *c == '\n';
	return line;
}

/* A number at key k: NaN when absent (or null, vLLM's None, where `nullable`); a present
 * key of another type, or a string that is not a number, is an error naming it. */
static int jnum(const cJSON *o, const char *k, int nullable, const char *text,
		const char *fname, double *out)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
	*out = NAN;
	if (!x || (nullable && cJSON_IsNull(x)))
		return 0;
	if (cJSON_IsNumber(x) && isfinite(x->valuedouble)) {
		*out = x->valuedouble;
		return 0;
	}
	if (cJSON_IsString(x) && parse_double(x->valuestring, out) == 0)
		return 0;
	return err_set("%s:%d: key '%s': expected a number", fname, jline(text, k), k);
}

/* A count at key k (absent or null: NaN): a whole number in lo..hi. */
static int jcount(const cJSON *o, const char *k, double lo, double hi, const char *text,
		  const char *fname, double *out)
{
	if (jnum(o, k, 1, text, fname, out) < 0)
		return -1;
	if (!isnan(*out) && !(*out >= lo && *out <= hi && *out == floor(*out)))
		return err_set("%s:%d: key '%s': expected a whole number in %.0f..%.0f, got %.17g",
			       fname, jline(text, k), k, lo, hi, *out);
	return 0;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

int vset_parse_vllm_json(struct vset *s, const char *text, const char *fname,
			 const struct vdefaults *d, int *n_bad)
{
	cJSON *j = cJSON_ParseWithOpts(text, NULL, 1); /* nothing after the object */
	struct vrow base;
	const char *model, *gpu, *dtype, *id, *rs;
	double completed, in_tok, out_tok, conc, rate = NAN, tp, nprompts, burst;
	static const struct {
		const char *key;
		int metric;
		double scale;
	} keys[] = {{"mean_ttft_ms", VM_TTFT, 1}, {"mean_tpot_ms", VM_TPOT, 1},
		    {"mean_e2el_ms", VM_E2E, 1e-3}, {"output_throughput", VM_THROUGHPUT, 1}};
	int rc = -1;

	*n_bad = 0;
	if (!cJSON_IsObject(j))
		return cJSON_Delete(j), err_set("%s: not a JSON object, or text after it (expected "
			       "one 'vllm bench serve --save-result' object)", fname);
	/* a key given twice: cJSON would take the first silently */
	for (const cJSON *a = j->child; a; a = a->next)
		for (const cJSON *b = a->next; b; b = b->next)
			if (a->string && b->string && !strcmp(a->string, b->string)) {
				err_set("%s:%d: key '%s': given twice", fname, jline(text, a->string),
					a->string);
				goto out;
			}
	memset(&base, 0, sizeof(base));
	snprintf(base.where, sizeof(base.where), "%s:1", fname);
	model = jstr(j, "model_id");
	gpu = jstr(j, "gpu") ? jstr(j, "gpu") : d ? d->gpu : NULL;
	dtype = jstr(j, "dtype") ? jstr(j, "dtype") : d && d->dtype ? d->dtype : "bf16";
	/* counts bounded before they become ints (a double out of int's range converts with
	 * undefined result); max_concurrency null is vllm bench's "no limit" */
	if (jcount(j, "tp", 1, 64, text, fname, &tp) < 0 ||
	    jcount(j, "completed", 1, 1e8, text, fname, &completed) < 0 ||
	    jcount(j, "num_prompts", 1, 1e8, text, fname, &nprompts) < 0 ||
	    jcount(j, "max_concurrency", 1, 1 << 20, text, fname, &conc) < 0 ||
	    jnum(j, "total_input_tokens", 0, text, fname, &in_tok) < 0 ||
	    jnum(j, "total_output_tokens", 0, text, fname, &out_tok) < 0 ||
	    jnum(j, "burstiness", 1, text, fname, &burst) < 0)
		goto out;
	if (isnan(tp))
		tp = d && d->tp ? d->tp : 1;
	/* request_rate: a positive number, or "inf" (vllm bench writes the string), or absent */
	rs = jstr(j, "request_rate");
	if (rs && !strcmp(rs, "inf"))
		rate = INFINITY;
	else if (jnum(j, "request_rate", 1, text, fname, &rate) < 0)
		goto out;
	else if (!isnan(rate) && !(rate > 0)) {
		err_set("%s:%d: key 'request_rate': expected a positive number or \"inf\", got %.17g",
			fname, jline(text, "request_rate"), rate);
		goto out;
	}
	if (!model) {
		err_set("%s:%d: key 'model_id': missing (expected the model's name)", fname,
			jline(text, "model_id"));
		goto out;
	}
	if (!gpu) {
		err_set("%s: key 'gpu': missing (expected --metadata gpu=NAME when benchmarking, "
			"or 'ttsim validate --gpu NAME')",
			fname);
		goto out;
	}
	if (isnan(completed) || !(in_tok > 0) || !(out_tok > 0)) {
		err_set("%s:%d: key 'completed': expected completed, total_input_tokens and "
			"total_output_tokens > 0",
			fname, jline(text, "completed"));
		goto out;
	}
	if (isnan(nprompts))
		nprompts = completed;
	if (completed > nprompts) {
		err_set("%s:%d: key 'completed': %.0f requests completed of %.0f sent (num_prompts)",
			fname, jline(text, "completed"), completed, nprompts);
		goto out;
	}
	if (!(in_tok / completed <= INT32_MAX) || !(out_tok / completed <= INT32_MAX)) {
		err_set("%s:%d: key 'total_input_tokens': tokens per request out of range (expected "
			"at most %d)", fname, jline(text, "total_input_tokens"), INT32_MAX);
		goto out;
	}
	if (!isnan(conc) && !isnan(rate) && !isinf(rate)) {
		err_set("%s:%d: key 'request_rate': a finite rate with a concurrency limit is not "
			"supported (expected max_concurrency null, or request_rate \"inf\")",
			fname, jline(text, "request_rate"));
		goto out;
	}
	if (!isnan(burst) && !(burst > 0)) {
		err_set("%s:%d: key 'burstiness': expected a positive number, got %.17g", fname,
			jline(text, "burstiness"), burst);
		goto out;
	}
	id = jstr(j, "date") ? jstr(j, "date") : fname;
	if (strlcpy0(base.id, id, sizeof(base.id)) < 0) { /* never cut: ids must stay distinct */
		err_set("%s: key 'date': the id is too long (expected at most %d characters, got "
			"%zu)", fname, VROW_ID_MAX - 1, strlen(id));
		goto out;
	}
	strlcpy0(base.model, model, sizeof(base.model));
	strlcpy0(base.gpu, gpu, sizeof(base.gpu));
	strlcpy0(base.dtype, dtype, sizeof(base.dtype));
	if (jstr(j, "backend"))
		strlcpy0(base.engine, jstr(j, "backend"), sizeof(base.engine));
	base.tp = (int)tp;
	base.input_len = (int)lround(in_tok / completed);
	base.output_len = (int)lround(out_tok / completed);
	base.num_prompts = (long)nprompts;
	base.predicted = NAN;
	base.burstiness = isnan(burst) ? 1 : burst;
	if (!isnan(conc)) { /* --max-concurrency: a closed loop */
		base.concurrency = (int)conc;
		base.request_rate = INFINITY;
	} else if (isnan(rate) || isinf(rate)) { /* every request sent at once */
		base.concurrency = (int)nprompts;
		base.request_rate = INFINITY;
	} else { /* --request-rate R: an open loop at R */
		base.concurrency = 0;
		base.request_rate = rate;
	}
	if (base.request_rate == INFINITY)
		base.burstiness = 1; /* burstiness shapes the gaps of a finite rate only */
	base.ignore_eos = 1;
	base.chunked_prefill = -1; /* not said: the engine profile's default */
	base.enforce_eager = -1;
	base.async_scheduling = -1;
	base.flashinfer_sampler = -1;
	/* vllm bench serve's backend: openai-chat calls /v1/chat/completions, the others
	 * (vllm, openai) /v1/completions */
	base.endpoint = jstr(j, "backend") && strstr(jstr(j, "backend"), "chat") ? ENDPOINT_CHAT
									: ENDPOINT_COMPLETIONS;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		double v;
		struct vrow *r;
		if (jnum(j, keys[k].key, 0, text, fname, &v) < 0)
			goto out;
		if (isnan(v))
			continue;
		r = vset_add(s);
		*r = base;
		snprintf(r->where, sizeof(r->where), "%s:%d", fname, jline(text, keys[k].key));
		r->metric = keys[k].metric;
		r->value = v * keys[k].scale;
		if (strcmp(r->dtype, "bf16") && strcmp(r->dtype, "fp8")) {
			row_err(r, "dtype", "unknown dtype '%s' (expected bf16 or fp8)", r->dtype);
			++*n_bad;
		} else if (!(r->value > 0 && r->value < VALUE_MAX)) {
			row_err(r, keys[k].key, "expected a positive number below %g", VALUE_MAX);
			++*n_bad;
		}
	}
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

int vset_load(struct vset *s, const char *path, const struct vdefaults *d, int *n_bad)
{
	size_t len;
	char *text = file_read(path, &len);
	const char *p;
	int rc;
	if (!text)
		return -1;
	for (p = text; isspace((unsigned char)*p); p++)
		;
	if (*p == '{')
		rc = vset_parse_vllm_json(s, text, path, d, n_bad);
	else if (*p == '[')
		rc = err_set("%s: a JSON array (expected one 'vllm bench serve --save-result' "
			     "object, or a CSV)", path);
	else
		rc = vset_parse_csv(s, text, path, n_bad);
	free(text);
	return rc;
}

long validate_requests(const struct vrow *r)
{
	if (r->concurrency == 0) /* open loop: the prompts sent (or 1000, vllm's default) */
		return r->num_prompts > 0 ? r->num_prompts : 1000;
	long n = 10L * r->concurrency;
	if (r->num_prompts > 0)
		return r->num_prompts;
	return n > 100 ? n : 100;
}

/* The benchmark client the row describes (sim/client.h), on top of the fixed lengths:
 *   - random dataset with a range ratio: vLLM's law for that version of `vllm bench` (the
 *     old [floor(rL), L] for the V0 family, whose benchmark_serving.py used it);
 *   - ignore_eos false with max_output_len: outputs end at EOS, capped at what the client
 *     asked for, with the mean the run reported (output_len);
 *   - ShareGPT (no length file ships with ttsim): lognormal prompt and output lengths with
 *     the run's means and a coefficient of variation of 1, ShareGPT's order of magnitude
 *     (a stated assumption, never fitted; a length_file of the real pairs replaces it);
 *   - request_rate with burstiness (inf: evenly spaced);
 *   - shared_prefix (inference-perf's shared-prefix generator, BLIS's runs): it makes its
 *     num_groups x num_prompts_per_group prompts once and cycles through them (request i
 *     sends prompt i mod their number: kubernetes-sigs/inference-perf
 *     inference_perf/datagen/shared_prefix_datagen.py, load_lazy_data, @0ba9aceb,
 *     Apache-2.0), so every prompt after the first pass is in vLLM's prefix cache (on by
 *     default in V1): prompt_cache. The first pass (45 to 100 prompts of 3000 to 12000
 *     requests) is taken as cached too.
 * Every setting is a fact of the row's benchmark; nothing here is tuned to a result. */
static int validate_client(const struct vrow *r, struct run_config *c)
{
	char v[40], fam[32];
	validate_family(r, fam, sizeof(fam));
	if (r->range_ratio > 0) {
		snprintf(v, sizeof(v), "%.17g", r->range_ratio);
		if (config_set(c, "range_ratio", v, r->where) < 0 ||
		    config_set(c, "range_law", strcmp(fam, "vllm-v0") ? "vllm" : "vllm_old",
			       r->where) < 0)
			return -1;
	}
	if (!r->ignore_eos && r->max_output_len > r->output_len) {
		snprintf(v, sizeof(v), "%d", r->output_len);
		if (config_set(c, "ignore_eos", "false", r->where) < 0 ||
		    config_set(c, "eos_mean_len", v, r->where) < 0)
			return -1;
		snprintf(v, sizeof(v), "%d", r->max_output_len);
		if (config_set(c, "output_len", v, r->where) < 0)
			return -1;
	} else if (!strcmp(r->dataset, "sharegpt")) {
		if (config_set(c, "length_dist", "lognormal", r->where) < 0 ||
		    config_set(c, "length_cv", "1", r->where) < 0)
			return -1;
	}
	if (!strcmp(r->dataset, "shared_prefix") &&
	    config_set(c, "prompt_cache", "true", r->where) < 0)
		return -1;
	if (r->burstiness != 1) {
		snprintf(v, sizeof(v), "%.17g", isinf(r->burstiness) ? 1e9 : r->burstiness);
		if (config_set(c, "burstiness", v, r->where) < 0)
			return -1;
	}
	return 0;
}

/* A run switch a row says: x 1 or 0 sets it; -1 (not said) leaves the engine profile's. */
static int set_switch(struct run_config *c, const char *key, int x, const char *where)
{
	return x < 0 ? 0 : config_set(c, key, x ? "true" : "false", where);
}

/* The engine profile of the row's family (models/engines/FAMILY.yaml, embedded in the
 * binary) when one exists: its CPU costs and its defaults
 * for what the row does not say. Families without a profile run as vLLM V1, as before. */
static int validate_engine(const struct vrow *r, struct run_config *c)
{
	char fam[32];
	validate_family(r, fam, sizeof(fam));
	if (!engine_profile_exists(fam))
		return 0;
	if (config_set(c, "engine", fam, r->where) < 0 || run_engine_defaults(c) < 0)
		return err_prefix("%s: ", r->where);
	return 0;
}

int validate_endpoint(const struct vrow *r)
{
	if (r->endpoint >= 0)
		return r->endpoint;
	return isinf(r->request_rate) && r->num_prompts == r->concurrency ? ENDPOINT_NONE
									   : ENDPOINT_COMPLETIONS;
}

int validate_config(const struct vrow *r, struct run_config *c)
{
	char v[32];
	config_defaults(c);
	/* fp16 weights: the same bytes and tensor-core rate as bf16 */
	if (config_set(c, "model", r->model, r->where) < 0 ||
	    config_set(c, "gpu", r->gpu, r->where) < 0 ||
	    config_set(c, "dtype", strcmp(r->dtype, "fp16") ? r->dtype : "bf16", r->where) < 0 ||
	    (r->kv_dtype[0] && config_set(c, "kv_dtype", r->kv_dtype, r->where) < 0) ||
	    (r->ep[0] && config_set(c, "ep", r->ep, r->where) < 0))
		return -1;
#define SETI(key, x) (snprintf(v, sizeof(v), "%ld", (long)(x)), config_set(c, key, v, r->where))
	if (SETI("tp", r->tp) < 0 || SETI("input_len", r->input_len) < 0 ||
	    SETI("output_len", r->output_len) < 0 || SETI("requests", validate_requests(r)) < 0)
		return -1;
	/* the engine's switches the row says (-1: not said, the profile's default) */
	if (set_switch(c, "chunked_prefill", r->chunked_prefill, r->where) < 0 ||
	    set_switch(c, "cuda_graphs", r->enforce_eager < 0 ? -1 : !r->enforce_eager,
		       r->where) < 0 ||
	    set_switch(c, "async_scheduling", r->async_scheduling, r->where) < 0 ||
	    set_switch(c, "flashinfer_sampler", r->flashinfer_sampler, r->where) < 0)
		return -1;
	if ((r->max_num_seqs && SETI("max_num_seqs", r->max_num_seqs) < 0) ||
	    (r->max_num_batched_tokens &&
	     SETI("max_num_batched_tokens", r->max_num_batched_tokens) < 0) ||
	    (r->max_model_len && SETI("max_model_len", r->max_model_len) < 0))
		return -1;
	if (validate_client(r, c) < 0)
		return -1;
	if (r->spec_draft[0]) {
		if (config_set(c, "spec_draft", r->spec_draft, r->where) < 0 ||
		    SETI("spec_k", r->spec_k) < 0)
			return -1;
		snprintf(v, sizeof(v), "%.17g", r->spec_al); /* after SETI, which writes v */
		if (config_set(c, "spec_acceptance_length", v, r->where) < 0)
			return -1;
		if (r->spec_tree_topk && (SETI("spec_tree_topk", r->spec_tree_topk) < 0 ||
					  SETI("spec_tree_tokens", r->spec_tree_tokens) < 0))
			return -1;
	}
	/* the endpoint first: the engine's defaults differ by it (an offline batch or a server) */
	c->endpoint = validate_endpoint(r);
	if (validate_engine(r, c) < 0)
		return -1;
	if (r->concurrency > 0) {
		if (SETI("concurrency", r->concurrency) < 0)
			return -1;
		c->arrival = ARR_CLOSED;
	} else if (isinf(r->request_rate)) {
		c->arrival = ARR_OFFLINE;
	} else {
		snprintf(v, sizeof(v), "%.17g", r->request_rate);
		if (config_set(c, "rate", v, r->where) < 0)
			return -1;
		c->arrival = ARR_POISSON;
	}
#undef SETI
	return 0;
}

double validate_metric(const struct summary *s, int metric)
{
	switch (metric) {
	case VM_TTFT: return s->ttft_ms.mean;
	case VM_TPOT: return s->tpot_ms.mean;
	case VM_E2E: return s->e2e_s.mean;
	case VM_THROUGHPUT: return s->output_tok_per_s;
	}
	return NAN;
}

static int same_num(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* Rows describe the same benchmark on the same engine family (one simulation serves both:
 * the family picks the engine profile, so an SGLang row must not take a vLLM row's run). */
static int same_run(const struct vrow *a, const struct vrow *b)
{
	char fa[32], fb[32];
	validate_family(a, fa, sizeof(fa));
	validate_family(b, fb, sizeof(fb));
	return !strcmp(fa, fb) && !strcmp(a->model, b->model) && !strcmp(a->gpu, b->gpu) &&
	       !strcmp(a->dtype, b->dtype) && a->tp == b->tp && a->input_len == b->input_len &&
	       a->output_len == b->output_len && a->concurrency == b->concurrency &&
	       validate_requests(a) == validate_requests(b) && !strcmp(a->kv_dtype, b->kv_dtype) &&
	       same_num(a->request_rate, b->request_rate) && same_num(a->burstiness, b->burstiness) &&
	       a->range_ratio == b->range_ratio && a->ignore_eos == b->ignore_eos &&
	       a->max_output_len == b->max_output_len && !strcmp(a->dataset, b->dataset) &&
	       a->max_num_seqs == b->max_num_seqs && !strcmp(a->spec_draft, b->spec_draft) &&
	       a->spec_k == b->spec_k && a->spec_al == b->spec_al &&
	       a->spec_tree_topk == b->spec_tree_topk && a->spec_tree_tokens == b->spec_tree_tokens &&
	       a->max_num_batched_tokens == b->max_num_batched_tokens && !strcmp(a->ep, b->ep) &&
	       a->chunked_prefill == b->chunked_prefill && a->enforce_eager == b->enforce_eager &&
	       a->async_scheduling == b->async_scheduling &&
	       a->flashinfer_sampler == b->flashinfer_sampler &&
	       a->max_model_len == b->max_model_len &&
	       validate_endpoint(a) == validate_endpoint(b);
}

int validate_predict(struct vset *s, int keep_going)
{
	int failed = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct vrow *r = &s->rows[i];
		struct run_config c;
		struct run_inputs in;
		struct run_result res;
		size_t j;
		if (r->err[0] || r->status[0] || !isnan(r->predicted))
			continue;
		if (validate_config(r, &c) < 0 || run_load_inputs(&c, &in) < 0 ||
		    (run_simulate(&c, &in, &res) < 0 && (run_inputs_release(&in), 1))) {
			const char *m = err_msg();
			/* config_set already names the row; the others name only the key */
			if (!strncmp(m, r->where, strlen(r->where)))
				snprintf(r->err, sizeof(r->err), "%s", m);
			else
				snprintf(r->err, sizeof(r->err), "%s: %s", r->where, m);
			failed++;
			if (!keep_going)
				return err_set("%s", r->err);
			continue;
		}
		for (j = i; j < s->n; j++)
			if (!s->rows[j].err[0] && !s->rows[j].status[0] &&
			    isnan(s->rows[j].predicted) && same_run(r, &s->rows[j]))
				s->rows[j].predicted = validate_metric(&res.sum, s->rows[j].metric);
		run_result_release(&res);
		run_inputs_release(&in);
	}
	return failed;
}

double validate_pct_err(const struct vrow *r)
{
	return 100.0 * (r->predicted - r->value) / r->value;
}

/* The errors of the predicted rows of metric m for which keep(r, arg) holds. */
static struct verr errors_of(const struct vset *s, int m, double *a,
			     int (*keep)(const struct vrow *, const void *), const void *arg)
{
	struct verr e = {0};
	size_t n = 0;
	double sum = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		if (r->err[0] || r->status[0] || r->metric != m || isnan(r->predicted) ||
		    (keep && !keep(r, arg)))
			continue;
		sum += validate_pct_err(r);
		a[n++] = fabs(validate_pct_err(r));
	}
	e.n = (long)n;
	if (!n) {
		e.median_abs = e.p90_abs = e.mean_signed = NAN;
		return e;
	}
	gsl_sort(a, 1, n);
	e.median_abs = gsl_stats_median_from_sorted_data(a, 1, n);
	e.p90_abs = gsl_stats_quantile_from_sorted_data(a, 1, n, 0.90);
	e.mean_signed = sum / (double)n;
	return e;
}

void validate_summary(const struct vset *s, struct verr out[VM_N])
{
	double *a = xmalloc(sizeof(double) * (s->n + 1));
	for (int m = 0; m < VM_N; m++)
		out[m] = errors_of(s, m, a, NULL, NULL);
	free(a);
}

void validate_family(const struct vrow *r, char *buf, size_t n)
{
	char e[32];
	size_t i;
	for (i = 0; r->engine[i] && i + 1 < sizeof(e); i++)
		e[i] = (char)tolower((unsigned char)r->engine[i]);
	e[i] = 0;
	if (!strcmp(e, "vllm")) {
		snprintf(buf, n, "%s", vllm_generation(r->engine_version) == 0 ? "vllm-v0" : "vllm-v1");
	} else if (!strcmp(e, "trtllm")) {
		/* one profile for the 1.x releases (PyTorch backend): models/engines/trtllm-1.yaml */
		const char *v = r->engine_version + (r->engine_version[0] == 'v');
		snprintf(buf, n, "%s", !strncmp(v, "1.", 2) ? "trtllm-1" : "trtllm");
	} else if (!strcmp(e, "sglang")) {
		/* one profile per minor release: models/engines/sglang-0.5.yaml */
		const char *v = r->engine_version + (r->engine_version[0] == 'v');
		snprintf(buf, n, "%s", !strncmp(v, "0.5", 3) && (!v[3] || v[3] == '.') ? "sglang-0.5"
										   : "sglang");
	} else {
		snprintf(buf, n, "%s", e[0] ? e : "?");
	}
}

/* a group's rows: its family's, on its GPU (every GPU when the group's gpu is "") */
static int in_group(const struct vrow *r, const void *arg)
{
	const struct vgroup *g = arg;
	char fam[32];
	validate_family(r, fam, sizeof(fam));
	return !strcmp(fam, g->family) && (!g->gpu[0] || !strcmp(r->gpu, g->gpu));
}

/* GPU kinds among the predicted rows of g (its metric) */
static int group_gpus(const struct vset *s, const struct vgroup *g)
{
	int n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		size_t j;
		if (r->err[0] || r->status[0] || isnan(r->predicted) || r->metric != g->metric ||
		    !in_group(r, g))
			continue;
		for (j = 0; j < i; j++) { /* counted at its first row */
			const struct vrow *q = &s->rows[j];
			if (!q->err[0] && !q->status[0] && !isnan(q->predicted) &&
			    q->metric == g->metric && in_group(q, g) && !strcmp(q->gpu, r->gpu))
				break;
		}
		n += j == i;
	}
	return n;
}

static size_t groups_by(const struct vset *s, struct vgroup **out, int by_gpu)
{
	struct vgroup *g = NULL;
	size_t n = 0, cap = 0;
	double *a = xmalloc(sizeof(double) * (s->n + 1));
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		struct vgroup key;
		size_t k;
		if (r->err[0] || r->status[0] || isnan(r->predicted))
			continue;
		memset(&key, 0, sizeof(key));
		validate_family(r, key.family, sizeof(key.family));
		strlcpy0(key.gpu, by_gpu ? r->gpu : "", sizeof(key.gpu));
		key.metric = r->metric;
		for (k = 0; k < n; k++)
			if (!strcmp(g[k].family, key.family) && !strcmp(g[k].gpu, key.gpu) &&
			    g[k].metric == key.metric)
				break;
		if (k < n)
			continue;
		key.e = errors_of(s, key.metric, a, in_group, &key);
		key.gpus = group_gpus(s, &key);
		xgrow((void **)&g, &cap, n + 1, sizeof(*g));
		g[n++] = key;
	}
	free(a);
	*out = g;
	return n;
}

size_t validate_groups(const struct vset *s, struct vgroup **out)
{
	return groups_by(s, out, 1);
}

size_t validate_families(const struct vset *s, struct vgroup **out)
{
	return groups_by(s, out, 0);
}

long validate_skipped(const struct vset *s)
{
	long n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->rows[i].status[0] != 0;
	return n;
}

/* root[key]: the groups `by` makes of s (per GPU: its gpu; per family: its GPU kinds) */
static void groups_json(cJSON *root, const char *key, const struct vset *s,
			size_t (*by)(const struct vset *, struct vgroup **))
{
	struct vgroup *g;
	size_t ng = by(s, &g);
	cJSON *ga = cJSON_AddArrayToObject(root, key);
	for (size_t k = 0; k < ng; k++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "engine", g[k].family);
		if (g[k].gpu[0])
			cJSON_AddStringToObject(o, "gpu", g[k].gpu);
		else
			cJSON_AddNumberToObject(o, "gpu_kinds", g[k].gpus);
		cJSON_AddStringToObject(o, "metric", vmetric_name(g[k].metric));
		cJSON_AddNumberToObject(o, "n", (double)g[k].e.n);
		json_num(o, "median_abs_pct_err", g[k].e.median_abs);
		json_num(o, "p90_abs_pct_err", g[k].e.p90_abs);
		json_num(o, "mean_signed_pct_err", g[k].e.mean_signed);
		cJSON_AddItemToArray(ga, o);
	}
	free(g);
}

cJSON *validate_json(const struct vset *s)
{
	cJSON *root = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(root, "rows"), *sum;
	struct verr e[VM_N];
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", r->id);
		cJSON_AddStringToObject(o, "where", r->where);
		cJSON_AddStringToObject(o, "metric", vmetric_name(r->metric));
		if (r->err[0]) {
			cJSON_AddStringToObject(o, "error", r->err);
		} else if (r->status[0]) {
			cJSON_AddStringToObject(o, "status", r->status);
		} else {
			cJSON_AddStringToObject(o, "model", r->model);
			cJSON_AddStringToObject(o, "gpu", r->gpu);
			cJSON_AddNumberToObject(o, "tp", r->tp);
			if (r->ep[0]) /* expert parallelism of the run (the ep column) */
				cJSON_AddStringToObject(o, "ep", r->ep);
			cJSON_AddStringToObject(o, "dtype", r->dtype);
			cJSON_AddNumberToObject(o, "input_len", r->input_len);
			cJSON_AddNumberToObject(o, "output_len", r->output_len);
			cJSON_AddNumberToObject(o, "concurrency", r->concurrency);
			cJSON_AddNumberToObject(o, "requests", (double)validate_requests(r));
			json_num(o, "predicted", r->predicted);
			json_num(o, "measured", r->value);
			json_num(o, "pct_err", validate_pct_err(r));
			json_num(o, "abs_pct_err", fabs(validate_pct_err(r)));
		}
		cJSON_AddItemToArray(rows, o);
	}
	validate_summary(s, e);
	sum = cJSON_AddObjectToObject(root, "summary");
	for (int m = 0; m < VM_N; m++) {
		cJSON *o;
		if (!e[m].n)
			continue;
		o = cJSON_AddObjectToObject(sum, vmetric_name(m));
		cJSON_AddNumberToObject(o, "n", (double)e[m].n);
		json_num(o, "median_abs_pct_err", e[m].median_abs);
		json_num(o, "p90_abs_pct_err", e[m].p90_abs);
		json_num(o, "mean_signed_pct_err", e[m].mean_signed);
	}
	groups_json(root, "groups", s, validate_groups);
	groups_json(root, "families", s, validate_families);
	cJSON_AddNumberToObject(root, "skipped", (double)validate_skipped(s));
	return root;
}

/* The absolute % errors e[0..n) -> median, p90 (sorts e); signed mean from s. */
static void err_stats(double *e, const double *sgn, size_t n, double *med, double *p90,
		      double *bias)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += sgn[i];
	gsl_sort(e, 1, n);
	*med = gsl_stats_median_from_sorted_data(e, 1, n);
	*p90 = gsl_stats_quantile_from_sorted_data(e, 1, n, 0.90);
	*bias = sum / (double)n;
}

/* Robust fit of y = X c over the rows with keep[i]; 0, or -1 (GSL could not fit). */
static int robust_fit(const gsl_matrix *X, const gsl_vector *y, const int *keep, size_t p,
		      gsl_vector *c, gsl_matrix *cov)
{
	size_t n = 0, k = 0;
	gsl_matrix *Xs;
	gsl_vector *ys;
	gsl_multifit_robust_workspace *w;
	gsl_error_handler_t *old;
	int rc;
	for (size_t i = 0; i < X->size1; i++)
		n += keep[i] != 0;
	if (n <= p)
		return -1;
	Xs = gsl_matrix_alloc(n, p);
	ys = gsl_vector_alloc(n);
	for (size_t i = 0; i < X->size1; i++) {
		if (!keep[i])
			continue;
		for (size_t j = 0; j < p; j++)
			gsl_matrix_set(Xs, k, j, gsl_matrix_get(X, i, j));
		gsl_vector_set(ys, k++, gsl_vector_get(y, i));
	}
	w = gsl_multifit_robust_alloc(gsl_multifit_robust_huber, n, p);
	/* GSL's handler is ttsim's bug(): a fit that does not converge is an answer here */
	old = gsl_set_error_handler_off();
	rc = gsl_multifit_robust(Xs, ys, c, cov, w);
	gsl_set_error_handler(old);
	gsl_multifit_robust_free(w);
	gsl_matrix_free(Xs);
	gsl_vector_free(ys);
	return rc == GSL_SUCCESS || rc == GSL_EMAXITER ? 0 : -1;
}

/* 0, or -1 (the first row named) when a row of s comes from the check part: the fits use
 * the fit part only, so that the check part stays unseen. */
static int refuse_check_part(const struct vset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		const char *base = strrchr(r->where, '/') ? strrchr(r->where, '/') + 1 : r->where;
		if (!strncmp(base, "serving_check", 13))
			return err_set("%s: the check part is never fitted (expected the fit part, "
				       "tests/validation/serving_fit.csv)", r->where);
	}
	return 0;
}

/* s per KV token of the fit's probe run (validate_fit_engine): large enough that the
 * per-step nanosecond rounding is lost in it, small enough to keep a step well under 1 s */
#define FIT_CTX_PROBE 1e-6

int validate_fit_engine(struct vset *s, const char *family, struct vfit *out)
{
	size_t n = 0, cap = 0, p;
	double *y0 = NULL, *steps = NULL, *tok = NULL, *tpm = NULL, *wall = NULL, *ctx = NULL;
	int has_tp = 0, has_ctx = 0, rc = -1, col[VFIT_MAX];
	long len0 = -1;
	memset(out, 0, sizeof(*out));
	if (refuse_check_part(s) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		struct vrow *r = &s->rows[i];
		struct run_config c;
		struct run_inputs in;
		struct run_result res;
		char fam[32];
		double ctx_n;
		if (r->err[0] || r->status[0] || r->metric != VM_THROUGHPUT ||
		    !isinf(r->request_rate) || r->num_prompts != r->concurrency)
			continue;
		validate_family(r, fam, sizeof(fam));
		if (strcmp(fam, family))
			continue;
		if (validate_config(r, &c) < 0)
			goto out;
		c.engine[0] = 0; /* the family's defaults, none of its extra CPU time */
		if (run_load_inputs(&c, &in) < 0) {
			err_prefix("%s: ", r->where);
			goto out;
		}
		if (run_simulate(&c, &in, &res) < 0) {
			run_inputs_release(&in);
			err_prefix("%s: ", r->where);
			goto out;
		}
		/* the KV tokens the decoding sequences held, summed over the steps: the batch
		 * once more at a probe cost per KV token (the CPU adds to each step alone, so
		 * the makespan grows by exactly probe x that sum, to the nanosecond rounding) */
		{
			struct run_result r1;
			in.profile.step_per_ctx_token = FIT_CTX_PROBE;
			if (run_simulate(&c, &in, &r1) < 0) {
				run_result_release(&res);
				run_inputs_release(&in);
				err_prefix("%s: ", r->where);
				goto out;
			}
			ctx_n = (r1.sum.makespan_s - res.sum.makespan_s) / FIT_CTX_PROBE;
			run_result_release(&r1);
		}
		if (n + 1 > cap) {
			size_t c0 = cap;
			xgrow((void **)&y0, &c0, n + 1, sizeof(double));
			c0 = cap;
			xgrow((void **)&steps, &c0, n + 1, sizeof(double));
			c0 = cap;
			xgrow((void **)&tok, &c0, n + 1, sizeof(double));
			c0 = cap;
			xgrow((void **)&tpm, &c0, n + 1, sizeof(double));
			c0 = cap;
			xgrow((void **)&wall, &c0, n + 1, sizeof(double));
			c0 = cap;
			xgrow((void **)&ctx, &c0, n + 1, sizeof(double));
			cap = c0;
		}
		ctx[n] = ctx_n;
		wall[n] = (double)r->concurrency * r->output_len / r->value;
		y0[n] = res.sum.makespan_s;
		steps[n] = (double)res.st.steps;
		tok[n] = res.sum.output_tokens;
		tpm[n] = (double)(r->tp - 1) * steps[n];
		has_tp |= r->tp > 1;
		if (len0 < 0)
			len0 = r->input_len + r->output_len;
		has_ctx |= r->input_len + r->output_len != len0;
		n++;
		run_result_release(&res);
		run_inputs_release(&in);
	}
	/* the columns fitted, each a coefficient of out->coef: the TP term where some row
	 * has TP > 1, the KV-token term where the rows' lengths differ */
	p = 0;
	col[p++] = VFIT_BASE;
	col[p++] = VFIT_SEQ;
	if (has_tp)
		col[p++] = VFIT_TP;
	if (has_ctx)
		col[p++] = VFIT_CTX;
	if (n <= p + 1) {
		err_set("key 'engine': %zu offline-batch output_tok_per_s rows of family '%s' "
			"(expected more than %zu to fit and leave one out)", n, family, p + 1);
		goto out;
	}
	{
		gsl_matrix *X = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
		gsl_vector *y = gsl_vector_alloc(n), *cf = gsl_vector_alloc(p);
		int *keep = xmalloc(sizeof(int) * n);
		double *e = xmalloc(sizeof(double) * n), *sg = xmalloc(sizeof(double) * n);
		/* each row divided by its measured wall time: the fit minimises relative
		 * errors, the metric's, instead of letting the longest batches decide */
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < p; j++) {
				double x = col[j] == VFIT_BASE  ? steps[i]
					   : col[j] == VFIT_SEQ ? tok[i]
					   : col[j] == VFIT_TP  ? tpm[i]
								: ctx[i];
				gsl_matrix_set(X, i, j, x / wall[i]);
			}
			gsl_vector_set(y, i, (wall[i] - y0[i]) / wall[i]);
			keep[i] = 1;
		}
		if (robust_fit(X, y, keep, p, cf, cov) < 0) {
			err_set("key 'engine': the robust fit of family '%s' failed", family);
		} else {
			out->n = (long)n;
			out->p = (int)p;
			for (size_t j = 0; j < p; j++) {
				out->coef[col[j]] = gsl_vector_get(cf, j);
				out->se[col[j]] = sqrt(gsl_matrix_get(cov, j, j));
				out->fitted[col[j]] = 1;
			}
			for (size_t i = 0; i < n; i++) {
				double pred = y0[i];
				for (size_t j = 0; j < p; j++)
					pred += out->coef[col[j]] * gsl_matrix_get(X, i, j) * wall[i];
				sg[i] = 100 * (pred - wall[i]) / wall[i];
				e[i] = fabs(sg[i]);
			}
			err_stats(e, sg, n, &out->in_median, &out->in_p90, &out->in_bias);
			rc = 0;
			for (size_t i = 0; i < n && rc == 0; i++) {
				gsl_vector *c1 = gsl_vector_alloc(p);
				double pred = y0[i];
				keep[i] = 0;
				if (robust_fit(X, y, keep, p, c1, cov) < 0)
					rc = err_set("key 'engine': the leave-one-out fit without row %zu "
						     "failed", i);
				keep[i] = 1;
				for (size_t j = 0; j < p; j++)
					pred += gsl_vector_get(c1, j) * gsl_matrix_get(X, i, j) * wall[i];
				sg[i] = 100 * (pred - wall[i]) / wall[i];
				e[i] = fabs(sg[i]);
				gsl_vector_free(c1);
			}
			if (rc == 0)
				err_stats(e, sg, n, &out->loo_median, &out->loo_p90, &out->loo_bias);
		}
		gsl_matrix_free(X);
		gsl_matrix_free(cov);
		gsl_vector_free(y);
		gsl_vector_free(cf);
		free(keep);
		free(e);
		free(sg);
	}
out:
	free(y0);
	free(steps);
	free(tok);
	free(tpm);
	free(wall);
	free(ctx);
	return rc;
}

/* ---- the front end's fit ---- */

int validate_fe_row(const struct vrow *r, const char *family)
{
	char fam[32];
	if (r->err[0] || r->status[0])
		return 0;
	/* an offline batch (LLM.generate: every prompt at once, as many clients) has no API
	 * server in front of it */
	if (validate_endpoint(r) == ENDPOINT_NONE)
		return 0;
	validate_family(r, fam, sizeof(fam));
	return !strcmp(fam, family);
}

/* The front end's four constants per endpoint, as a grid stage sets them: v[e] for
 * endpoint e (FE_COMPLETIONS, FE_CHAT), each term p (enum fe_term: per_request_s,
 * per_output_token_s, latency_s, first_token_s) at *frontend_term(&v[e], p). */

/* Predict rows idx[0..n) with front end v: pred[k] for idx[k]. 0 or -1. */
static int fe_predict(struct vset *s, const size_t *idx, size_t n,
		      const struct frontend v[FE_N], double *pred)
{
	for (size_t k = 0; k < n; k++)
		pred[k] = NAN;
	if (s->n_loaded < s->n) {
		s->loaded = xrealloc(s->loaded, sizeof(*s->loaded) * s->n);
		memset(s->loaded + s->n_loaded, 0, sizeof(*s->loaded) * (s->n - s->n_loaded));
		s->n_loaded = s->n;
	}
	for (size_t k = 0; k < n; k++) {
		struct vrow *r = &s->rows[idx[k]];
		struct vset_loaded *l = &s->loaded[idx[k]];
		struct run_inputs in;
		struct run_result res;
		if (!isnan(pred[k]))
			continue;
		if (!l->ok) {
			if (validate_config(r, &l->c) < 0 || run_load_inputs(&l->c, &l->in) < 0)
				return err_prefix("%s: ", r->where);
			l->ok = 1;
		}
		in = l->in; /* the loaded inputs with this grid point's front end */
		memcpy(in.fe, v, sizeof(in.fe)); /* the row's endpoint picks its own */
		if (run_simulate(&l->c, &in, &res) < 0)
			return err_prefix("%s: ", r->where);
		for (size_t j = k; j < n; j++)
			if (isnan(pred[j]) && same_run(r, &s->rows[idx[j]]))
				pred[j] = validate_metric(&res.sum, s->rows[idx[j]].metric);
		run_result_release(&res);
	}
	return 0;
}

/* The front end's fit searches grids. The predictions are a queue's, not linear in the
 * constants (a linearised fit wandered between the regimes of the rows), so the robust fit
 * is a Huber M-estimate minimised over a grid. Each constant's axis: 0, step, .. (n
 * values). The ranges hold every fit so far (per request 15 ms and per token 0.16-0.4 ms
 * with no latency; the first token's server work: the GPUStack 1000-prompt bursts were
 * 23-31 ms a request short without it, VALIDATION.md); the steps are the resolution the
 * rows resolve (leave-one-out ranges of a step or two). Four constants an endpoint on one
 * grid is too many runs (60,000 points), so the fit is three stages, each a grid over
 * some constants with the others held (each endpoint's its own: a row's front end is its
 * endpoint's only, so the loss is a completions part plus a chat part, each minimised over
 * its own constants at the cost of one pass):
 *   1. per_request_s, per_output_token_s and latency_s, no first token (the fit before
 *      first_token_s: every step, since a coarser first stage gave the completions
 *      endpoint a worse per_output_token_s that the later stages kept);
 *   2. per_request_s, latency_s and first_token_s, per_output_token_s held at stage 1's
 *      (the three add alike to a lone request's TTFT; bursts tell them apart);
 *   3. per_output_token_s and first_token_s, the other two held at stage 2's.
 * About 6,800 points, 1.9 times the 3-constant grid's (3,549). */
static const size_t fe_n[FE_NTERM] = {13, 21, 13, VFE_NF};
static const double fe_step[FE_NTERM] = {2.5e-3, 2e-5, 5e-3, 2.5e-3};
#define FE_HUBER 0.2 /* Huber's threshold on log(predicted / measured): about 22% */

/* A stage: which constants it searches (stride: every stride-th step; 0: held at
 * held[e]'s). Its grid point g is a mixed-radix number, FE_PER_REQUEST most significant. */
struct fe_stage {
	size_t stride[FE_NTERM];
	struct frontend held[FE_N];
	size_t n, ng;      /* rows; grid points */
	double *pred;      /* ng x n predictions */
};

static size_t fe_stage_len(const struct fe_stage *st, int p)
{
	return st->stride[p] ? (fe_n[p] - 1) / st->stride[p] + 1 : 1;
}

/* The constants of endpoint e at grid point g. */
static void fe_stage_at(const struct fe_stage *st, size_t g, int e, struct frontend *v)
{
	*v = st->held[e];
	for (int p = FE_NTERM - 1; p >= 0; p--) {
		size_t len = fe_stage_len(st, p), i = g % len;
		g /= len;
		if (st->stride[p])
			*frontend_term(v, p) = (double)(i * st->stride[p]) * fe_step[p];
	}
}

static int fe_stage_run(struct vset *s, const size_t *idx, size_t n, struct fe_stage *st)
{
	st->n = n;
	st->ng = 1;
	for (int p = 0; p < FE_NTERM; p++)
		st->ng *= fe_stage_len(st, p);
	st->pred = xmalloc(sizeof(double) * (n + 1) * st->ng);
	for (size_t g = 0; g < st->ng; g++) {
		struct frontend v[FE_N];
		for (int e = 0; e < FE_N; e++)
			fe_stage_at(st, g, e, &v[e]);
		if (fe_predict(s, idx, n, v, st->pred + g * n) < 0)
			return -1;
	}
	return 0;
}

/* Huber loss over the kept rows of endpoint ep (chat[k] == ep) of predictions pred. */
static double fe_loss(const struct vset *s, const size_t *idx, size_t n, const int *keep,
		      const int *chat, int ep, const double *pred)
{
	double sum = 0;
	for (size_t k = 0; k < n; k++) {
		double e;
		if (!keep[k] || chat[k] != ep)
			continue;
		e = pred[k] > 0 ? fabs(log(pred[k] / s->rows[idx[k]].value)) : 30;
		sum += e <= FE_HUBER ? 0.5 * e * e : FE_HUBER * (e - 0.5 * FE_HUBER);
	}
	return sum;
}

/* The least-loss grid point of each endpoint over the kept rows: g[e]; prof (if not NULL):
 * prof[e][q], the least loss at first_token_s q x its step (NAN: no kept row). An endpoint
 * with no kept row takes the other's point (not identified: nothing tells them apart). */
static void fe_stage_argmin(const struct vset *s, const size_t *idx, const int *keep,
			    const int *chat, const struct fe_stage *st, size_t *g,
			    double prof[FE_N][VFE_NF])
{
	int have[2] = {0, 0};
	size_t nf = fe_stage_len(st, FE_FIRST_TOKEN);
	for (size_t k = 0; k < st->n; k++)
		if (keep[k])
			have[chat[k]] = 1;
	for (int ep = 0; ep < 2; ep++) {
		double lb = INFINITY;
		g[ep] = 0;
		if (prof)
			for (size_t q = 0; q < VFE_NF; q++)
				prof[ep][q] = have[ep] && q < nf ? INFINITY : NAN;
		for (size_t x = 0; x < st->ng && have[ep]; x++) {
			double l = fe_loss(s, idx, st->n, keep, chat, ep, st->pred + x * st->n);
			if (prof && l < prof[ep][x % nf])
				prof[ep][x % nf] = l;
			if (l < lb)
				lb = l, g[ep] = x;
		}
	}
	for (int ep = 0; ep < 2; ep++)
		if (!have[ep])
			g[ep] = g[1 - ep];
}

/* % errors of rows idx (kept ones) predicted as pred -> median, p90, bias. */
static void fe_stats(const struct vset *s, const size_t *idx, size_t n, const double *pred,
		     double *med, double *p90, double *bias)
{
	double *e = xmalloc(sizeof(double) * n), *sg = xmalloc(sizeof(double) * n);
	for (size_t k = 0; k < n; k++) {
		double v = s->rows[idx[k]].value;
		sg[k] = 100 * (pred[k] - v) / v;
		e[k] = fabs(sg[k]);
	}
	err_stats(e, sg, n, med, p90, bias);
	free(e);
	free(sg);
}

/* Widen out's leave-one-out ranges of constants ps (np of them) to the stage's point g. */
static void fe_widen(struct vfefit *out, const struct fe_stage *st, const size_t *g,
		     const int *ps, int np)
{
	for (int e = 0; e < FE_N; e++) {
		struct frontend v;
		fe_stage_at(st, g[e], e, &v);
		for (int m = 0; m < np; m++) {
			double x = *frontend_term(&v, ps[m]);
			double *lo = frontend_term(&out->loo_lo[e], ps[m]);
			double *hi = frontend_term(&out->loo_hi[e], ps[m]);
			*lo = fmin(*lo, x);
			*hi = fmax(*hi, x);
		}
	}
}

int validate_fit_frontend(struct vset *s, const char *family, struct vfefit *out)
{
	size_t n = 0, *idx = NULL, cap = 0, g1[2], g2[2], g3[2];
	int *keep = NULL, *run = NULL, *chat = NULL, rc = -1;
	double *pred = NULL, *loo = NULL;
	const struct frontend none[FE_N] = {{0}};
	struct fe_stage s1 = {.stride = {1, 1, 1, 0}};
	struct fe_stage s2 = {.stride = {1, 0, 1, 1}};
	struct fe_stage s3 = {.stride = {0, 1, 0, 1}};
	static const int ps2[] = {FE_PER_REQUEST, FE_LATENCY};
	static const int ps3[] = {FE_PER_OUTPUT_TOKEN, FE_FIRST_TOKEN};
	memset(out, 0, sizeof(*out));
	if (refuse_check_part(s) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		if (!validate_fe_row(r, family))
			continue;
		xgrow((void **)&idx, &cap, n + 1, sizeof(size_t));
		idx[n++] = i;
	}
	keep = xmalloc(sizeof(int) * (n + 1));
	run = xmalloc(sizeof(int) * (n + 1));
	chat = xmalloc(sizeof(int) * (n + 1));
	pred = xmalloc(sizeof(double) * (n + 1));
	loo = xmalloc(sizeof(double) * (n + 1));
	for (size_t k = 0; k < n; k++) {
		keep[k] = 1;
		chat[k] = validate_endpoint(&s->rows[idx[k]]) == ENDPOINT_CHAT;
		out->n_chat += chat[k];
		run[k] = (int)out->runs;
		for (size_t j = 0; j < k; j++)
			if (same_run(&s->rows[idx[k]], &s->rows[idx[j]])) {
				run[k] = run[j];
				break;
			}
		if (run[k] == (int)out->runs)
			out->runs++;
	}
	if (out->runs < 4) {
		err_set("key 'frontend': %ld served benchmarks of family '%s' (expected at least 4 "
			"to fit three constants and leave one out)", out->runs, family);
		goto out;
	}
	out->n = (long)n;
	if (fe_predict(s, idx, n, none, pred) < 0)
		goto out;
	fe_stats(s, idx, n, pred, &out->before_median, &out->before_p90, &out->before_bias);
	for (int p = 0; p < FE_NTERM; p++) {
		out->step[p] = fe_step[p];
		out->max[p] = (double)(fe_n[p] - 1) * fe_step[p];
	}
	/* stage 1, then 2 from its per_output_token_s, then 3 from 2's per_request_s and
	 * latency_s */
	if (fe_stage_run(s, idx, n, &s1) < 0)
		goto out;
	fe_stage_argmin(s, idx, keep, chat, &s1, g1, NULL);
	for (int e = 0; e < FE_N; e++)
		fe_stage_at(&s1, g1[e], e, &s2.held[e]);
	if (fe_stage_run(s, idx, n, &s2) < 0)
		goto out;
	fe_stage_argmin(s, idx, keep, chat, &s2, g2, out->prof);
	for (int e = 0; e < FE_N; e++)
		fe_stage_at(&s2, g2[e], e, &s3.held[e]);
	if (fe_stage_run(s, idx, n, &s3) < 0)
		goto out;
	fe_stage_argmin(s, idx, keep, chat, &s3, g3, NULL);
	for (int e = 0; e < FE_N; e++) {
		fe_stage_at(&s3, g3[e], e, &out->coef[e]);
		out->loo_lo[e] = out->loo_hi[e] = out->coef[e];
	}
	for (size_t k = 0; k < n; k++)
		pred[k] = s3.pred[g3[chat[k]] * n + k];
	fe_stats(s, idx, n, pred, &out->in_median, &out->in_p90, &out->in_bias);
	/* leave one benchmark out: stage 2 refitted (the ranges of per_request_s and
	 * latency_s), stage 3 refitted on its grid (per_request_s and latency_s held at the
	 * full fit's: the rows' predictions, and the ranges of the other two) */
	for (int b = 0; b < (int)out->runs; b++) {
		size_t g[2];
		for (size_t k = 0; k < n; k++)
			keep[k] = run[k] != b;
		fe_stage_argmin(s, idx, keep, chat, &s2, g, NULL);
		fe_widen(out, &s2, g, ps2, 2);
		fe_stage_argmin(s, idx, keep, chat, &s3, g, NULL);
		fe_widen(out, &s3, g, ps3, 2);
		for (size_t k = 0; k < n; k++)
			if (run[k] == b)
				loo[k] = s3.pred[g[chat[k]] * n + k];
	}
	fe_stats(s, idx, n, loo, &out->loo_median, &out->loo_p90, &out->loo_bias);
	rc = 0;
out:
	free(idx);
	free(keep);
	free(run);
	free(chat);
	free(pred);
	free(loo);
	free(s1.pred);
	free(s2.pred);
	free(s3.pred);
	return rc;
}

/* ---- model-form error bands (validate.h) ---- */

static const char *const regime_names[VR_N] = {"at_once", "closed", "open"};

const char *vregime_name(int g) { return g >= 0 && g < VR_N ? regime_names[g] : "?"; }

int validate_regime(const struct vrow *r)
{
	if (r->concurrency > 0)
		return validate_requests(r) <= r->concurrency ? VR_AT_ONCE : VR_CLOSED;
	return isinf(r->request_rate) ? VR_AT_ONCE : VR_OPEN;
}

int validate_config_regime(const struct run_config *c)
{
	switch (c->arrival) {
	case ARR_OFFLINE: return VR_AT_ONCE;
	case ARR_CLOSED: return c->requests <= c->concurrency ? VR_AT_ONCE : VR_CLOSED;
	case ARR_POISSON: return VR_OPEN;
	}
	return -1;
}

static int band_row(const struct vrow *r)
{
	return !r->err[0] && !r->status[0] && isfinite(r->predicted) && r->predicted > 0 &&
	       r->value > 0;
}

static const char *const method_names[] = {"none", "conformal", "student_t",
					     "random_effects_t"};

const char *vband_method_name(int m)
{
	return m >= VBAND_NONE && m <= VBAND_RANDOM_T ? method_names[m] : "?";
}

/* The Student-t band of one new draw, mean +- t(0.975, n-1) s sqrt(1 + 1/n). */
static void band_t(struct vband *b, const double *a, size_t n)
{
	double m = gsl_stats_mean(a, 1, n), sd = gsl_stats_sd_m(a, 1, n, m);
	double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * fmax(sd, VBAND_REPEAT_SD) *
		      sqrt(1.0 + 1.0 / (double)n);
	b->method = VBAND_STUDENT_T;
	b->lo = m - half;
	b->hi = m + half;
}

/* The one-way random-effects band (validate.h): residuals a[i] in benchmarks grp[i]. 0 when
 * the rows show no spread between benchmarks beyond that within them (then the plain t). */
static int band_random_t(struct vband *b, const double *a, const int *grp, size_t n)
{
	double mean[VBAND_MIN_ROWS] = {0}, cnt[VBAND_MIN_ROWS] = {0};
	double gm = gsl_stats_mean(a, 1, n), msb = 0, msw = 0, s2 = 0, n0, su, x, y, tot, df, vm;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (grp[i] < 0 || (size_t)grp[i] >= n)
			return 0; /* not a benchmark index (validate.h): no term */
		mean[grp[i]] += a[i];
		k += cnt[grp[i]]++ == 0;
	}
	if (k < 2 || k == n)
		return 0; /* one benchmark: nothing to tell between; n: the plain t already */
	for (size_t g = 0; g < n; g++)
		if (cnt[g] > 0) {
			mean[g] /= cnt[g];
			msb += cnt[g] * (mean[g] - gm) * (mean[g] - gm);
			s2 += cnt[g] * cnt[g];
		}
	for (size_t i = 0; i < n; i++)
		msw += (a[i] - mean[grp[i]]) * (a[i] - mean[grp[i]]);
	msb /= (double)(k - 1);
	msw /= (double)(n - k);
	if (msb <= msw)
		return 0;
	n0 = ((double)n - s2 / (double)n) / (double)(k - 1);
	su = (msb - msw) / n0;
	x = msb / n0;             /* sigma_u^2 + sigma_e^2 = x + y, both mean squares' shares */
	y = msw * (1.0 - 1.0 / n0);
	tot = x + y;
	df = tot * tot / (x * x / (double)(k - 1) + y * y / (double)(n - k)); /* Satterthwaite */
	vm = su * s2 / ((double)n * (double)n) + msw / (double)n; /* of the grand mean */
	x = gsl_cdf_tdist_Pinv(0.975, df) * sqrt(fmax(tot, VBAND_REPEAT_SD * VBAND_REPEAT_SD) + vm);
	b->method = VBAND_RANDOM_T;
	b->groups = (long)k;
	b->sd_between = sqrt(su);
	b->sd_within = sqrt(msw);
	b->df = df;
	b->lo = gm - x;
	b->hi = gm + x;
	return 1;
}

/* validate.h: conformal from VBAND_MIN_ROWS rows, Student t below (with a benchmark term
 * when grp says which rows share one), never narrower than the measurements' repeat noise */
struct vband validate_band(double *a, const int *grp, size_t n)
{
	struct vband b = {(long)n, 0, VBAND_NONE, 0, NAN, NAN, NAN, NAN, NAN};
	if (n == 0)
		return b;
	if (n < 2) {
		b.lo = -INFINITY;
		b.hi = INFINITY;
		return b;
	}
	if (n >= VBAND_MIN_ROWS) {
		/* the k-th smallest and k-th largest, k = ceil(0.975 (n + 1)) <= n */
		size_t k = (size_t)ceil(0.975 * (double)(n + 1));
		double z = gsl_cdf_ugaussian_Pinv(0.975) * VBAND_REPEAT_SD, mid;
		gsl_sort(a, 1, n);
		b.method = VBAND_CONFORMAL;
		b.lo = a[n - k];
		b.hi = a[k - 1];
		mid = 0.5 * (b.lo + b.hi);
		if (b.hi - mid < z) {
			b.lo = mid - z;
			b.hi = mid + z;
		}
	} else if (!grp || !band_random_t(&b, a, grp, n)) {
		band_t(&b, a, n);
	}
	return b;
}

/* The publisher part of a source citation, into o: "github OWNER/REPO ..." and
 * "https://github.com/OWNER/REPO/..." give OWNER/REPO; another URL its host; anything else
 * the whole citation. */
static void source_origin(const char *src, char *o, size_t n)
{
	const char *p = src, *end;
	int slashes = 0;
	if (!strncmp(p, "github ", 7)) {
		p += 7;
		end = p + strcspn(p, " ");
	} else if (strstr(p, "://")) {
		p = strstr(p, "://") + 3;
		if (!strncmp(p, "github.com/", 11)) {
			p += 11;
			slashes = 1; /* OWNER/REPO: up to the second '/' */
		}
		for (end = p; *end && *end != ' ' && (*end != '/' || slashes-- > 0); end++)
			;
	} else {
		end = p + strlen(p);
	}
	snprintf(o, n, "%.*s", (int)(end - p), p);
}

/* One benchmark: its run's rows, and the rows of the same publisher (source_origin) and
 * deployment (model, GPU, TP, dtype, engine family): one sweep, or one session's stages,
 * whose errors move together. Rows citing no source are their run only. */
static int same_bench(const struct vrow *a, const struct vrow *b)
{
	char fa[32], fb[32], oa[sizeof(a->source)], ob[sizeof(b->source)];
	if (same_run(a, b))
		return 1;
	if (!a->source[0] || !b->source[0])
		return 0;
	source_origin(a->source, oa, sizeof(oa));
	source_origin(b->source, ob, sizeof(ob));
	validate_family(a, fa, sizeof(fa));
	validate_family(b, fb, sizeof(fb));
	return !strcmp(oa, ob) && !strcmp(fa, fb) && !strcmp(a->model, b->model) &&
	       !strcmp(a->gpu, b->gpu) && !strcmp(a->dtype, b->dtype) && a->tp == b->tp;
}

/* The band of ln(measured / predicted) over the rows of metric m (regime g, or any when
 * g < 0) other than those of row `out`'s run (loo VCOV_RUN) or benchmark (VCOV_BENCH). */
static struct vband band_of(const struct vset *s, int m, int g, size_t out, int loo, double *a)
{
	size_t n = 0, idx[VBAND_MIN_ROWS];
	int grp[VBAND_MIN_ROWS];
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		if (!band_row(r) || r->metric != m || (g >= 0 && validate_regime(r) != g))
			continue;
		if (loo == VCOV_RUN && same_run(r, &s->rows[out]))
			continue;
		if (loo == VCOV_BENCH && same_bench(r, &s->rows[out]))
			continue;
		if (n < VBAND_MIN_ROWS)
			idx[n] = i;
		a[n++] = log(r->value / r->predicted);
	}
	if (n >= VBAND_MIN_ROWS)
		return validate_band(a, NULL, n);
	/* which rows share a benchmark: the first earlier row of the same one names it */
	for (size_t i = 0; i < n; i++) {
		grp[i] = (int)i;
		for (size_t j = 0; j < i; j++)
			if (same_bench(&s->rows[idx[j]], &s->rows[idx[i]])) {
				grp[i] = grp[j];
				break;
			}
	}
	return validate_band(a, grp, n);
}

static struct vband band_for(const struct vset *s, int m, int g, size_t out, int loo,
			     double *a)
{
	struct vband b = band_of(s, m, g, out, loo, a);
	if (b.n < VBAND_MIN_ROWS) {
		b = band_of(s, m, -1, out, loo, a);
		b.pooled = 1;
	}
	return b;
}

void validate_bands(const struct vset *s, struct vband b[VM_N][VR_N])
{
	double *a = xmalloc(sizeof(double) * (s->n + 1));
	for (int m = 0; m < VM_N; m++)
		for (int g = 0; g < VR_N; g++)
			b[m][g] = band_for(s, m, g, SIZE_MAX, VCOV_IN, a);
	free(a);
}

void validate_coverage(const struct vset *s, int loo, double cov[VM_N], long n[VM_N])
{
	double *a = xmalloc(sizeof(double) * (s->n + 1));
	long in[VM_N] = {0};
	struct vband b[VM_N][VR_N];
	if (loo == VCOV_IN)
		validate_bands(s, b);
	for (int m = 0; m < VM_N; m++)
		n[m] = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct vrow *r = &s->rows[i];
		struct vband x;
		double e;
		if (!band_row(r))
			continue;
		x = loo != VCOV_IN ? band_for(s, r->metric, validate_regime(r), i, loo, a)
				   : b[r->metric][validate_regime(r)];
		if (!(isfinite(x.lo) && isfinite(x.hi)))
			continue; /* an unbounded band holds every row: no evidence */
		e = log(r->value / r->predicted);
		n[r->metric]++;
		in[r->metric] += x.n > 0 && e >= x.lo && e <= x.hi;
	}
	for (int m = 0; m < VM_N; m++)
		cov[m] = n[m] ? (double)in[m] / (double)n[m] : NAN;
	free(a);
}

void validate_band_json(cJSON *o, const struct vband *b)
{
	cJSON_AddNumberToObject(o, "rows", (double)b->n);
	cJSON_AddBoolToObject(o, "pooled", b->pooled);
	cJSON_AddStringToObject(o, "method", vband_method_name(b->method));
	if (b->method == VBAND_RANDOM_T) {
		cJSON_AddNumberToObject(o, "benchmarks", (double)b->groups);
		json_num(o, "sd_between", b->sd_between);
		json_num(o, "sd_within", b->sd_within);
		json_num(o, "df", b->df);
	}
	json_num(o, "log_lo", b->lo);
	json_num(o, "log_hi", b->hi);
}

cJSON *validate_intervals_json(const struct vset *s)
{
	static const char *const cov_names[] = {"in_sample", "own_run_out", "own_benchmark_out"};
	cJSON *o = cJSON_CreateObject(), *bands, *cov;
	struct vband b[VM_N][VR_N];
	validate_bands(s, b);
	cJSON_AddStringToObject(o, "method", "95% prediction interval of ln(measured/predicted) "
				"per metric and regime: split conformal from 39 rows, Student t "
				"below, for a new benchmark (random effects) where the rows' "
				"benchmarks differ (experiments/validate.h)");
	json_num(o, "repeat_sd", VBAND_REPEAT_SD);
	bands = cJSON_AddObjectToObject(o, "bands");
	for (int m = 0; m < VM_N; m++) {
		cJSON *x = NULL;
		for (int g = 0; g < VR_N; g++) {
			cJSON *y;
			if (!b[m][g].n)
				continue;
			if (!x)
				x = cJSON_AddObjectToObject(bands, vmetric_name(m));
			y = cJSON_AddObjectToObject(x, vregime_name(g));
			validate_band_json(y, &b[m][g]);
		}
	}
	cov = cJSON_AddObjectToObject(o, "coverage");
	for (int k = VCOV_IN; k <= VCOV_BENCH; k++) {
		double c[VM_N];
		long n[VM_N];
		cJSON *x = cJSON_AddObjectToObject(cov, cov_names[k]);
		validate_coverage(s, k, c, n);
		for (int m = 0; m < VM_N; m++) {
			cJSON *y;
			if (!n[m])
				continue;
			y = cJSON_AddObjectToObject(x, vmetric_name(m));
			cJSON_AddNumberToObject(y, "rows", (double)n[m]);
			json_num(y, "share", c[m]);
		}
	}
	return o;
}
