/* import.c: see import.h. Converts real-run files into traces; it computes no predictions. */
#include "traces/import.h"
#include "lib/csv.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

static const cJSON *num_array(const cJSON *o, const char *key, int n, const char *path)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsArray(a) || (n >= 0 && cJSON_GetArraySize(a) != n)) {
		err_set("%s: key '%s': missing or wrong length (expected an array with one entry per request)", path, key);
		return NULL;
	}
	return a;
}

static void set_header(struct trace *t, const char *model, const char *provenance, const char *source, int max_tokens)
{
	cJSON *h = cJSON_CreateObject();
	char *s;
	cJSON_AddStringToObject(h, "format", "ttsim-trace");
	cJSON_AddNumberToObject(h, "version", TRACE_FORMAT_VERSION);
	cJSON_AddStringToObject(h, "model", model);
	cJSON_AddStringToObject(h, "dataset", t->dataset);
	cJSON_AddNumberToObject(h, "max_tokens", max_tokens);
	cJSON_AddStringToObject(h, "provenance", provenance);
	cJSON_AddStringToObject(h, "source", source);
	s = cJSON_PrintUnformatted(h);
	t->header_json = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(h);
	t->version = TRACE_FORMAT_VERSION;
	strlcpy0(t->model, model, sizeof(t->model));
	strlcpy0(t->provenance, provenance, sizeof(t->provenance));
	t->max_tokens = max_tokens;
	t->temperature = -1;
}

typedef int (*import_text_fn)(struct trace *t, const char *text, size_t len, const char *path,
			      const struct import_opts *io);

/* Read path and import its text with fn (t zeroed when the file cannot be read). */
static int import_file(struct trace *t, const char *path, const struct import_opts *io,
		       import_text_fn fn)
{
	size_t len;
	char *text = file_read(path, &len);
	int rc;
	if (!text) {
		memset(t, 0, sizeof(*t));
		return -1;
	}
	rc = fn(t, text, len, path, io);
	free(text);
	return rc;
}

int import_vllm_bench(struct trace *t, const char *path, const struct import_opts *io)
{
	return import_file(t, path, io, import_vllm_bench_text);
}

int import_vllm_bench_text(struct trace *t, const char *text, size_t len, const char *path,
			   const struct import_opts *io)
{
	cJSON *o;
	const cJSON *in, *outl, *ttft, *itl, *v, *errs;
	int n, k = 0, maxtok = 0;
	double s_ttft = 0, s_tpot = 0, s_e2e = 0, s_in = 0, s_out = 0, dur;
	int n_tpot = 0;
	char model[96];

	memset(t, 0, sizeof(*t));
	o = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(o))
		return cJSON_Delete(o), err_set("%s:1: malformed json (expected the object of vllm bench serve --save-result)", path);
	if (!(in = num_array(o, "input_lens", -1, path)))
		goto fail;
	n = cJSON_GetArraySize(in);
	if (!(outl = num_array(o, "output_lens", n, path)) || !(ttft = num_array(o, "ttfts", n, path)) ||
	    !(itl = num_array(o, "itls", n, path)))
		goto fail;
	errs = cJSON_GetObjectItemCaseSensitive(o, "errors");
	v = cJSON_GetObjectItemCaseSensitive(o, "model_id");
	strlcpy0(model, io->model ? io->model : cJSON_IsString(v) ? v->valuestring : "unknown", sizeof(model));
	if (n < 1) {
		err_set("%s: key 'input_lens': empty (expected at least one request)", path);
		goto fail;
	}
	t->problems = xcalloc((size_t)n, sizeof(*t->problems));
	for (int i = 0; i < n; i++) {
		const cJSON *a = cJSON_GetArrayItem(in, i), *b = cJSON_GetArrayItem(outl, i), *c = cJSON_GetArrayItem(ttft, i),
			    *d = cJSON_GetArrayItem(itl, i), *e = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, i) : NULL;
		if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !cJSON_IsNumber(c) || !cJSON_IsArray(d)) {
			err_set("%s: request %d: key 'input_lens/output_lens/ttfts/itls': not numbers (expected numbers)", path, i);
			goto fail;
		}
		if (!(a->valuedouble >= 0 && a->valuedouble <= INT32_MAX) ||
		    !(b->valuedouble >= 0 && b->valuedouble <= INT32_MAX)) {
			err_set("%s: request %d: key 'input_lens/output_lens': token count out of range (expected 0..%d)",
				path, i, INT32_MAX);
			goto fail;
		}
		if ((cJSON_IsString(e) && e->valuestring[0]) || b->valuedouble == 0)
			continue; /* a failed request */
		/* times: a TTFT and gaps that are seconds (>= 0), at most one gap a token after
		 * the first (fewer when the server merged tokens into one chunk) */
		if (!(c->valuedouble >= 0 && c->valuedouble <= 1e7)) {
			err_set("%s: request %d: key 'ttfts': %g s (expected 0..1e7 seconds)", path, i,
				c->valuedouble);
			goto fail;
		}
		if (cJSON_GetArraySize(d) > b->valuedouble) {
			err_set("%s: request %d: key 'itls': %d gaps for %.0f output tokens (expected at "
				"most one a token after the first)", path, i, cJSON_GetArraySize(d),
				b->valuedouble);
			goto fail;
		}
		struct trace_problem *p = &t->problems[k++];
		char id[32];
		double e2e = c->valuedouble, out = b->valuedouble;
		const cJSON *x;
		cJSON_ArrayForEach(x, d) {
			if (!cJSON_IsNumber(x) || !(x->valuedouble >= 0 && x->valuedouble <= 1e7)) {
				err_set("%s: request %d: key 'itls': an entry that is not a gap in seconds "
					"(expected numbers in 0..1e7)", path, i);
				goto fail;
			}
			e2e += x->valuedouble;
		}
		snprintf(id, sizeof(id), "request-%d", i);
		p->unique_id = xstrdup(id);
		p->prompt_tokens = (int)a->valuedouble;
		p->arrival_s = -1;
		p->n_samples = 1;
		p->samples = xcalloc(1, sizeof(*p->samples));
		p->samples[0].output_tokens = (int32_t)out;
		p->samples[0].answer = -1;
		p->samples[0].finished = 1;
		if (out > maxtok)
			maxtok = (int)out;
		s_in += a->valuedouble;
		s_out += out;
		s_ttft += c->valuedouble;
		s_e2e += e2e;
		if (out > 1) {
			s_tpot += (e2e - c->valuedouble) / (out - 1);
			n_tpot++;
		}
	}
	t->n_problems = k;
	if (!k) {
		err_set("%s: no successful requests (expected at least one)", path);
		goto fail;
	}
	strlcpy0(t->dataset, "vllm-bench", sizeof(t->dataset));
	set_header(t, model, "measured", path, maxtok > io->max_tokens ? maxtok : io->max_tokens);
	snprintf(t->name, sizeof(t->name), "%s", path);
	if (io->measured) {
		struct sbuf sb = {0};
		const char *ver = io->engine_version;
		const cJSON *mc = cJSON_GetObjectItemCaseSensitive(o, "max_concurrency");
		v = cJSON_GetObjectItemCaseSensitive(o, "duration");
		dur = cJSON_IsNumber(v) ? v->valuedouble : 0;
		/* absent: no throughput row; present: the run's seconds, which the output rate
		 * divides by (a rate past 1e9 tokens/s is no run's) */
		if (v && !(cJSON_IsNumber(v) && dur > 0 && s_out / dur <= 1e9)) {
			err_set("%s: key 'duration': expected the benchmark's positive seconds (output "
				"rate at most 1e9 tokens/s)", path);
			goto fail;
		}
		if (!ver) { /* empty when the file does not say: validate reads it as vLLM V1 */
			v = cJSON_GetObjectItemCaseSensitive(o, "vllm_version");
			ver = cJSON_IsString(v) ? v->valuestring : "";
		}
		const char *stem = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		int conc = cJSON_IsNumber(mc) && mc->valuedouble >= 1 && mc->valuedouble <= INT32_MAX
				   ? (int)mc->valuedouble : k;
		const char *metric[4] = {"ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"};
		double val[4] = {1000 * s_ttft / k, n_tpot ? 1000 * s_tpot / n_tpot : 0, s_e2e / k, dur > 0 ? s_out / dur : 0};
		sbuf_printf(&sb, "id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,engine,engine_version,source,notes\n");
		for (int m = 0; m < 4; m++) {
			char id[300], num[160];
			if ((m == 3 && dur <= 0) || (m == 1 && !n_tpot))
				continue; /* no duration; no request of two tokens or more */
			/* text fields quoted where they need it (a comma or quote in a path or name);
			 * csv_put_field writes ",FIELD", so the first field goes bare */
			size_t at = sb.len;
			snprintf(id, sizeof(id), "%s-%s", stem, metric[m]);
			csv_put_field(&sb, id); /* then drop its leading comma: the line's first field */
			memmove(sb.buf + at, sb.buf + at + 1, sb.len - at); /* the NUL too */
			sb.len--;
			csv_put_field(&sb, model);
			csv_put_field(&sb, io->gpu);
			snprintf(num, sizeof(num), "%d", io->tp);
			csv_put_field(&sb, num);
			csv_put_field(&sb, io->dtype ? io->dtype : "bf16");
			snprintf(num, sizeof(num), "%.0f,%.0f,%d", s_in / k, s_out / k, conc);
			sbuf_printf(&sb, ",%s", num);
			csv_put_field(&sb, metric[m]);
			snprintf(num, sizeof(num), "%.6g", val[m]);
			sbuf_printf(&sb, ",%s,vllm", num);
			csv_put_field(&sb, ver);
			csv_put_field(&sb, stem);
			snprintf(num, sizeof(num), "mean over %d requests", k);
			csv_put_field(&sb, num);
			sbuf_printf(&sb, "\n");
		}
		int rc = file_write_atomic(io->measured, sb.buf, sb.len);
		sbuf_release(&sb);
		if (rc < 0)
			goto fail;
	}
	cJSON_Delete(o);
	return 0;
fail:
	cJSON_Delete(o);
	t->n_problems = k; /* the problems filled so far, so that their strings are freed */
	trace_release(t);
	return -1;
}

/* First present key among names (NULL-terminated), looking also inside "metadata". */
static const cJSON *field(const cJSON *o, const char *const *names)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	for (; *names; names++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *names);
		if (!v && cJSON_IsObject(md))
			v = cJSON_GetObjectItemCaseSensitive(md, *names);
		if (v && !cJSON_IsNull(v))
			return v;
	}
	return NULL;
}

struct wrong {
	char **s;
	int n;
};

/* The body of import_jsonl on text it owns (split in place, freed here). */
static int jsonl_take(struct trace *t, char *text, const char *path, const struct import_opts *io)
{
	static const char *k_id[] = {"unique_id", "problem_id", "item_id", "id", NULL};
	static const char *k_tok[] = {"output_tokens", "total_generated_tokens", "completion_tokens", "num_tokens", NULL};
	static const char *k_ok[] = {"is_correct", "correct", NULL};
	static const char *k_ans[] = {"extracted_answer", "pred", "answer", NULL};
	static const char *k_pt[] = {"prompt_tokens", "input_tokens", NULL};
	static const char *k_lv[] = {"level", NULL};
	static const char *k_sub[] = {"subject", "type", NULL};
	static const char *k_fin[] = {"finish_reason", "finished", NULL};
	static const char *k_model[] = {"model_name", "model", NULL};
	size_t cap = 0;
	int rc = -1;
	char *p, model[96] = "";
	struct wrong *wr = NULL;
	int line = 0;

	memset(t, 0, sizeof(*t));
	if (!text)
		return -1;
	for (p = text; *p;) {
		char *nl = strchr(p, '\n');
		cJSON *o;
		const cJSON *v;
		int pi;
		if (nl)
			*nl = 0;
		line++;
		if (!*p)
			goto next;
		o = cJSON_Parse(p);
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			err_set("%s:%d: malformed line (expected one JSON object per line)", path, line);
			goto fail;
		}
		char idbuf[64];
		v = field(o, k_id);
		if (cJSON_IsString(v) && v->valuestring[0])
			strlcpy0(idbuf, v->valuestring, sizeof(idbuf));
		else if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble))
			snprintf(idbuf, sizeof(idbuf), "%.0f", v->valuedouble);
		else {
			cJSON_Delete(o);
			err_set("%s:%d: key 'unique_id': missing or empty (expected unique_id, problem_id, item_id or id: a non-empty string or a whole number)", path, line);
			goto fail;
		}
		for (pi = 0; pi < t->n_problems && strcmp(t->problems[pi].unique_id, idbuf); pi++)
			;
		if (pi == t->n_problems) {
			size_t c2 = cap;
			xgrow((void **)&t->problems, &cap, (size_t)pi + 1, sizeof(*t->problems));
			xgrow((void **)&wr, &c2, (size_t)pi + 1, sizeof(*wr));
			memset(&t->problems[pi], 0, sizeof(*t->problems));
			memset(&wr[pi], 0, sizeof(*wr));
			t->problems[pi].unique_id = xstrdup(idbuf);
			t->problems[pi].arrival_s = -1;
			t->n_problems++;
			if ((v = field(o, k_pt)) && cJSON_IsNumber(v)) {
				if (!(v->valuedouble >= 0 && v->valuedouble <= INT32_MAX)) {
					/* the message reads v, which o owns: delete o after */
					err_set("%s:%d: key 'prompt_tokens': %g out of range (expected 0..%d)",
						path, line, v->valuedouble, INT32_MAX);
					cJSON_Delete(o);
					goto fail;
				}
				t->problems[pi].prompt_tokens = (int)v->valuedouble;
			}
			if ((v = field(o, k_lv))) {
				if (!(cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 5 &&
				      v->valuedouble == floor(v->valuedouble))) {
					cJSON_Delete(o);
					err_set("%s:%d: key 'level': expected a whole number 0..5 (the trace "
						"format's)", path, line);
					goto fail;
				}
				t->problems[pi].level = (int)v->valuedouble;
			}
			if ((v = field(o, k_sub)) && cJSON_IsString(v))
				strlcpy0(t->problems[pi].subject, v->valuestring, sizeof(t->problems[pi].subject));
		} else if (((v = field(o, k_pt)) && cJSON_IsNumber(v) &&
			    v->valuedouble != t->problems[pi].prompt_tokens) ||
			   ((v = field(o, k_lv)) && cJSON_IsNumber(v) &&
			    v->valuedouble != t->problems[pi].level)) {
			/* a later sample of the problem says otherwise of it: which is right? */
			int is_pt = field(o, k_pt) == v;
			err_set("%s:%d: key '%s': %g where an earlier sample of problem '%s' gave %d "
				"(expected one value a problem)", path, line, is_pt ? "prompt_tokens" : "level",
				v->valuedouble, idbuf,
				is_pt ? t->problems[pi].prompt_tokens : t->problems[pi].level);
			cJSON_Delete(o);
			goto fail;
		}
		if (!model[0] && (v = field(o, k_model)) && cJSON_IsString(v))
			strlcpy0(model, v->valuestring, sizeof(model));
		struct trace_problem *pr = &t->problems[pi];
		struct trace_sample s = {0, -1, 1, 0};
		v = field(o, k_tok);
		if (!cJSON_IsNumber(v)) {
			cJSON_Delete(o);
			err_set("%s:%d: key 'output_tokens': missing (expected output_tokens, total_generated_tokens or completion_tokens)", path, line);
			goto fail;
		}
		if (v->valuedouble < 0 || v->valuedouble > io->max_tokens ||
		    v->valuedouble != floor(v->valuedouble)) {
			/* the message reads v, which o owns: delete o after (was a use after free) */
			err_set("%s:%d: key 'output_tokens': %g (expected a whole number 0..max_tokens %d)", path, line, v->valuedouble, io->max_tokens);
			cJSON_Delete(o);
			goto fail;
		}
		s.output_tokens = (int32_t)v->valuedouble;
		if ((v = field(o, k_fin)))
			s.finished = cJSON_IsString(v) ? strcmp(v->valuestring, "length") != 0 : !cJSON_IsFalse(v);
		if (s.output_tokens >= io->max_tokens)
			s.finished = 0;
		const cJSON *ok = field(o, k_ok), *an = field(o, k_ans);
		/* correctness is a boolean (or 0/1): "yes" or 2 would be read as a guess */
		if (ok && !cJSON_IsBool(ok) &&
		    !(cJSON_IsNumber(ok) && (ok->valuedouble == 0 || ok->valuedouble == 1))) {
			cJSON_Delete(o);
			err_set("%s:%d: key 'is_correct': expected true or false (or 1 or 0)", path, line);
			goto fail;
		}
		if (ok && (cJSON_IsTrue(ok) || (cJSON_IsNumber(ok) && ok->valuedouble != 0)))
			s.answer = 0;
		else if (ok && cJSON_IsString(an) && an->valuestring[0]) {
			int k;
			struct wrong *w = &wr[pi];
			for (k = 0; k < w->n && strcmp(w->s[k], an->valuestring); k++) /* NOLINT(clang-analyzer-core.NullDereference): wr grows with t->problems */
				;
			if (k == w->n && k >= INT16_MAX - 1) {
				cJSON_Delete(o);
				err_set("%s:%d: key 'extracted_answer': more than %d distinct answers to one problem",
					path, line, INT16_MAX - 2);
				goto fail;
			}
			if (k == w->n) {
				w->s = xrealloc(w->s, (size_t)(w->n + 1) * sizeof(char *));
				w->s[w->n++] = xstrdup(an->valuestring);
			}
			s.answer = (int16_t)(k + 1);
		}
		pr->samples = xrealloc(pr->samples, (size_t)(pr->n_samples + 1) * sizeof(s));
		pr->samples[pr->n_samples++] = s;
		cJSON_Delete(o);
	next:
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!t->n_problems) {
		err_set("%s:%d: no samples (expected one JSON object per sample)", path, line);
		goto fail;
	}
	strlcpy0(t->dataset, "imported", sizeof(t->dataset));
	set_header(t, io->model ? io->model : model[0] ? model : "unknown", "measured", path, io->max_tokens);
	snprintf(t->name, sizeof(t->name), "%s", path);
	rc = 0;
fail:
	for (int i = 0; i < t->n_problems; i++) {
		for (int k = 0; k < wr[i].n; k++) /* NOLINT(clang-analyzer-core.NullDereference): wr grows with t->problems */
			free(wr[i].s[k]);
		free(wr[i].s);
	}
	free(wr);
	free(text);
	if (rc < 0)
		trace_release(t);
	return rc;
}

int import_jsonl(struct trace *t, const char *path, const struct import_opts *io)
{
	size_t len;
	return jsonl_take(t, file_read(path, &len), path, io);
}

int import_jsonl_text(struct trace *t, const char *text, size_t len, const char *path,
		      const struct import_opts *io)
{
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = 0;
	return jsonl_take(t, copy, path, io);
}

/* ---- per-sample CSV (../shared/traces/per_sample) ---- */

struct ps_row {
	long pid, sidx;
	char *ans;   /* extracted answer (owned), "" when none */
	int correct; /* 0 or 1 */
	long tokens;
	int line;
	int16_t code; /* the answer number, set per problem */
};

static int cmp_ps(const void *a, const void *b)
{
	const struct ps_row *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->sidx < y->sidx ? -1 : x->sidx > y->sidx;
}

struct ps_class {
	const char *ans;
	int count, first; /* first: index of its first row (rows are in sample order) */
};

static int cmp_class(const void *a, const void *b)
{
	const struct ps_class *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first - y->first;
}

/* Number the wrong answers of rows[0..n) by frequency (1 the most common). */
static int number_wrong(struct ps_row *r, int n, const char *path)
{
	struct ps_class *c = xmalloc((size_t)n * sizeof(*c));
	int nc = 0;
	for (int i = 0; i < n; i++) {
		int k;
		r[i].code = r[i].correct ? 0 : -1;
		if (r[i].correct || !r[i].ans[0])
			continue;
		for (k = 0; k < nc && strcmp(c[k].ans, r[i].ans); k++)
			;
		if (k == nc)
			c[nc++] = (struct ps_class){r[i].ans, 0, i};
		c[k].count++;
	}
	if (nc >= INT16_MAX) {
		free(c);
		return err_set("%s:%d: key 'extracted_answer': more than %d distinct answers to one problem", path, r[0].line,
			       INT16_MAX - 1);
	}
	qsort(c, (size_t)nc, sizeof(*c), cmp_class);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < nc && r[i].code < 0 && r[i].ans[0] && !r[i].correct; k++)
			if (!strcmp(c[k].ans, r[i].ans))
				r[i].code = (int16_t)(k + 1);
	free(c);
	return 0;
}

/* The problem table: row k of math500_prompt_tokens.csv names problem k. */
struct ps_prob {
	char id[64], subject[32];
	int level, prompt_tokens;
};

static int read_problems(const char *path, struct ps_prob **out, int *n)
{
	size_t len, cap = 0;
	char *text = file_read(path, &len);
	struct csv c;
	int rc, ci[4], bad = 0;
	static const char *cols[4] = {"unique_id", "level", "subject", "prompt_tokens_r1"};
	*out = NULL;
	*n = 0;
	if (!text)
		return -1;
	csv_init(&c, text, len, CSV_SKIP_BLANK | CSV_QUOTES);
	free(text);
	if (csv_next(&c) <= 0) {
		csv_release(&c);
		return err_set("%s:1: no header (expected unique_id,level,subject,...,prompt_tokens_r1)", path);
	}
	csv_set_header(&c);
	for (int k = 0; k < 4; k++)
		if ((ci[k] = csv_col(&c, cols[k])) < 0) {
			csv_release(&c);
			return err_set("%s:%d: key '%s': column missing (expected it in the header)", path, c.hdr_line, cols[k]);
		}
	while ((rc = csv_next(&c)) > 0) {
		long lv, pt;
		const char *f[4];
		for (int k = 0; k < 4; k++)
			f[k] = csv_get(&c, ci[k]);
		if (!f[0] || !f[1] || !f[2] || !f[3]) {
			rc = err_set("%s:%d: missing fields (expected %d columns)", path, c.line, c.nh);
			bad = 1;
			break;
		}
		if (parse_long(f[1], &lv) < 0 || lv < 0 || lv > 5) {
			rc = err_set("%s:%d: key 'level': bad value '%s' (expected 0..5)", path, c.line, f[1]);
			bad = 1;
			break;
		}
		if (parse_long(f[3], &pt) < 0 || pt < 0 || pt > INT32_MAX) {
			rc = err_set("%s:%d: key 'prompt_tokens_r1': bad value '%s' (expected a token count)", path, c.line, f[3]);
			bad = 1;
			break;
		}
		xgrow((void **)out, &cap, (size_t)*n + 1, sizeof(**out));
		struct ps_prob *p = &(*out)[(*n)++];
		strlcpy0(p->id, f[0], sizeof(p->id));
		strlcpy0(p->subject, f[2], sizeof(p->subject));
		p->level = (int)lv;
		p->prompt_tokens = (int)pt;
	}
	if (rc < 0 && !bad)
		err_set("%s:%d: a quoted field is not closed (expected RFC 4180 quoting)", path, c.line);
	csv_release(&c);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int import_per_sample_text(struct trace *t, const char *text, size_t len, const char *path,
			   const struct import_opts *io)
{
	const char *cols[5] = {"problem_id", "sample_idx", "extracted_answer", "correct_relaxed", "output_tokens"};
	struct csv c;
	struct ps_row *r = NULL;
	struct ps_prob *pt = NULL;
	size_t cap = 0;
	int nr = 0, npt = 0, ci[5], rc, ret = -1;

	memset(t, 0, sizeof(*t));
	if (io->problems && read_problems(io->problems, &pt, &npt) < 0)
		return -1;
	csv_init(&c, text, len, CSV_SKIP_BLANK | CSV_QUOTES);
	if (csv_next(&c) <= 0) {
		err_set("%s:1: no header (expected problem_id,sample_idx,extracted_answer,...,output_tokens)", path);
		goto out;
	}
	csv_set_header(&c);
	if (io->strmatch)
		cols[3] = "correct_strmatch";
	for (int k = 0; k < 5; k++)
		if ((ci[k] = csv_col(&c, cols[k])) < 0) {
			err_set("%s:%d: key '%s': column missing (expected it in the header)", path, c.hdr_line, cols[k]);
			goto out;
		}
	while ((rc = csv_next(&c)) > 0) {
		const char *f[5];
		struct ps_row x = {0};
		long ok;
		for (int k = 0; k < 5; k++)
			if (!(f[k] = csv_get(&c, ci[k]))) {
				err_set("%s:%d: key '%s': missing field (expected %d columns)", path, c.line, cols[k], c.nh);
				goto out;
			}
		x.line = c.line;
		if (parse_long(f[0], &x.pid) < 0 || x.pid < 0 || x.pid > INT32_MAX) {
			err_set("%s:%d: key 'problem_id': bad value '%s' (expected an integer >= 0)", path, c.line, f[0]);
			goto out;
		}
		if (pt && x.pid >= npt) {
			err_set("%s:%d: key 'problem_id': %ld not in the problem table %s (expected 0..%d)", path, c.line, x.pid,
				io->problems, npt - 1);
			goto out;
		}
		if (parse_long(f[1], &x.sidx) < 0 || x.sidx < 0 || x.sidx > INT32_MAX) {
			err_set("%s:%d: key 'sample_idx': bad value '%s' (expected an integer >= 0)", path, c.line, f[1]);
			goto out;
		}
		if (parse_long(f[3], &ok) < 0 || (ok != 0 && ok != 1)) {
			err_set("%s:%d: key '%s': bad value '%s' (expected 0 or 1)", path, c.line, cols[3], f[3]);
			goto out;
		}
		x.correct = (int)ok;
		if (parse_long(f[4], &x.tokens) < 0 || x.tokens < 0 || x.tokens > io->max_tokens) {
			err_set("%s:%d: key 'output_tokens': bad value '%s' (expected 0..max_tokens %d)", path, c.line, f[4],
				io->max_tokens);
			goto out;
		}
		x.ans = xstrdup(f[2]);
		xgrow((void **)&r, &cap, (size_t)nr + 1, sizeof(*r));
		r[nr++] = x;
	}
	if (rc < 0) {
		err_set("%s:%d: a quoted field is not closed, or text follows its closing quote (expected RFC 4180 quoting)",
			path, c.line);
		goto out;
	}
	if (!nr) {
		err_set("%s:%d: no samples (expected one row per sample)", path, c.line);
		goto out;
	}
	qsort(r, (size_t)nr, sizeof(*r), cmp_ps);
	for (int i = 1; i < nr; i++)
		if (r[i].pid == r[i - 1].pid && r[i].sidx == r[i - 1].sidx) {
			int a = r[i].line < r[i - 1].line ? i : i - 1;
			err_set("%s:%d: key 'sample_idx': duplicate sample %ld of problem %ld (expected each once; also on line %d)",
				path, r[a].line, r[a].sidx, r[a].pid, r[a == i ? i - 1 : i].line);
			goto out;
		}
	for (int i = 0; i < nr; i++)
		if (!i || r[i].pid != r[i - 1].pid)
			t->n_problems++;
	t->problems = xcalloc((size_t)t->n_problems, sizeof(*t->problems));
	for (int i = 0, k = 0; i < nr; k++) {
		int j = i;
		struct trace_problem *p = &t->problems[k];
		char id[32];
		while (j < nr && r[j].pid == r[i].pid)
			j++;
		/* a problem's samples are numbered 0..N-1 (sorted above): a gap is a lost row */
		for (int m = i; m < j; m++)
			if (r[m].sidx != m - i) {
				err_set("%s:%d: key 'sample_idx': %ld of problem %ld where %d was expected "
					"(samples numbered 0..N-1 with no gaps)", path, r[m].line, r[m].sidx,
					r[m].pid, m - i);
				goto out;
			}
		if (number_wrong(r + i, j - i, path) < 0)
			goto out;
		if (pt) {
			p->unique_id = xstrdup(pt[r[i].pid].id);
			strlcpy0(p->subject, pt[r[i].pid].subject, sizeof(p->subject));
			p->level = pt[r[i].pid].level;
			p->prompt_tokens = pt[r[i].pid].prompt_tokens;
		} else {
			snprintf(id, sizeof(id), "%ld", r[i].pid);
			p->unique_id = xstrdup(id);
		}
		p->arrival_s = -1;
		p->n_samples = j - i;
		p->samples = xcalloc((size_t)p->n_samples, sizeof(*p->samples));
		for (int m = i; m < j; m++) {
			struct trace_sample *s = &p->samples[m - i];
			s->output_tokens = (int32_t)r[m].tokens;
			s->answer = r[m].code;
			s->finished = r[m].tokens < io->max_tokens;
		}
		i = j;
	}
	{
		cJSON *h = cJSON_CreateObject();
		char *s;
		int spp = t->problems[0].n_samples;
		for (int k = 1; k < t->n_problems; k++)
			if (t->problems[k].n_samples != spp)
				spp = -1;
		cJSON_AddStringToObject(h, "format", "ttsim-trace");
		cJSON_AddNumberToObject(h, "version", TRACE_FORMAT_VERSION);
		cJSON_AddStringToObject(h, "model", io->model ? io->model : "unknown");
		if (io->alias)
			cJSON_AddStringToObject(h, "alias", io->alias);
		cJSON_AddStringToObject(h, "dataset", pt ? "MATH500" : "imported");
		cJSON_AddNumberToObject(h, "max_tokens", io->max_tokens);
		if (spp > 0)
			cJSON_AddNumberToObject(h, "samples_per_problem", spp);
		cJSON_AddStringToObject(h, "provenance", "measured");
		cJSON_AddStringToObject(h, "generator", "ttsim trace import per-sample (traces/import.c)");
		cJSON_AddStringToObject(h, "source", io->source ? io->source : path);
		cJSON_AddStringToObject(h, "correct", io->strmatch ? "correct_strmatch" : "correct_relaxed");
		cJSON_AddStringToObject(h, "method",
					"real samples as recorded: answer 0 when the correctness column is 1, wrong "
					"extracted answers numbered by frequency within the problem (1 the most common), "
					"an empty one -1; a sample of max_tokens tokens is cut and keeps its extracted "
					"answer; prompt_tokens are prompt_tokens_r1 of the problem table (R1 tokenizer)");
		s = cJSON_PrintUnformatted(h);
		t->header_json = xstrdup(s);
		cJSON_free(s);
		cJSON_Delete(h);
	}
	t->version = TRACE_FORMAT_VERSION;
	strlcpy0(t->model, io->model ? io->model : "unknown", sizeof(t->model));
	strlcpy0(t->provenance, "measured", sizeof(t->provenance));
	strlcpy0(t->dataset, pt ? "MATH500" : "imported", sizeof(t->dataset));
	t->max_tokens = io->max_tokens;
	t->temperature = -1;
	t->compact = 1;
	snprintf(t->name, sizeof(t->name), "%s", path);
	ret = 0;
out:
	csv_release(&c);
	for (int i = 0; i < nr; i++)
		free(r[i].ans);
	free(r);
	free(pt);
	if (ret < 0)
		trace_release(t);
	return ret;
}

int import_per_sample(struct trace *t, const char *path, const struct import_opts *io)
{
	return import_file(t, path, io, import_per_sample_text);
}
