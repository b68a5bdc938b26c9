/* import.c: see import.h. Converts real-run files into traces; it computes no predictions. */
#include "traces/import.h"
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

int import_vllm_bench(struct trace *t, const char *path, const struct import_opts *io)
{
	size_t len;
	char *text = file_read(path, &len);
	int rc;
	if (!text) {
		memset(t, 0, sizeof(*t));
		return -1;
	}
	rc = import_vllm_bench_text(t, text, len, path, io);
	free(text);
	return rc;
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
		struct trace_problem *p = &t->problems[k++];
		char id[32];
		double e2e = c->valuedouble, out = b->valuedouble;
		const cJSON *x;
		cJSON_ArrayForEach(x, d) e2e += cJSON_IsNumber(x) ? x->valuedouble : 0;
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
		if (!ver) {
			v = cJSON_GetObjectItemCaseSensitive(o, "vllm_version");
			ver = cJSON_IsString(v) ? v->valuestring : "unknown";
		}
		const char *stem = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		int conc = cJSON_IsNumber(mc) && mc->valuedouble >= 1 && mc->valuedouble <= INT32_MAX
				   ? (int)mc->valuedouble : k;
		const char *metric[4] = {"ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"};
		double val[4] = {1000 * s_ttft / k, n_tpot ? 1000 * s_tpot / n_tpot : 0, s_e2e / k, dur > 0 ? s_out / dur : 0};
		sbuf_printf(&sb, "id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,engine,engine_version,source,notes\n");
		for (int m = 0; m < 4; m++) {
			if (m == 3 && dur <= 0)
				continue;
			sbuf_printf(&sb, "%s-%s,%s,%s,%d,%s,%.0f,%.0f,%d,%s,%.6g,vllm,%s,%s,mean over %d requests\n", stem,
				    metric[m], model, io->gpu, io->tp, io->dtype ? io->dtype : "bf16", s_in / k, s_out / k, conc,
				    metric[m], val[m], ver, stem, k);
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
		if (cJSON_IsString(v))
			strlcpy0(idbuf, v->valuestring, sizeof(idbuf));
		else if (cJSON_IsNumber(v))
			snprintf(idbuf, sizeof(idbuf), "%.0f", v->valuedouble);
		else {
			cJSON_Delete(o);
			err_set("%s:%d: key 'unique_id': missing (expected unique_id, problem_id, item_id or id)", path, line);
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
			if ((v = field(o, k_lv)) && cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 5)
				t->problems[pi].level = (int)v->valuedouble;
			if ((v = field(o, k_sub)) && cJSON_IsString(v))
				strlcpy0(t->problems[pi].subject, v->valuestring, sizeof(t->problems[pi].subject));
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
		if (v->valuedouble < 0 || v->valuedouble > io->max_tokens) {
			/* the message reads v, which o owns: delete o after (was a use after free) */
			err_set("%s:%d: key 'output_tokens': %.0f out of range (expected 0..max_tokens %d)", path, line, v->valuedouble, io->max_tokens);
			cJSON_Delete(o);
			goto fail;
		}
		s.output_tokens = (int32_t)v->valuedouble;
		if ((v = field(o, k_fin)))
			s.finished = cJSON_IsString(v) ? strcmp(v->valuestring, "length") != 0 : !cJSON_IsFalse(v);
		if (s.output_tokens >= io->max_tokens)
			s.finished = 0;
		const cJSON *ok = field(o, k_ok), *an = field(o, k_ans);
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
