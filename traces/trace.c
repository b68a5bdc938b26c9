/*
 * trace.c: load, check and write workload traces (format in trace.h and traces/README.md).
 * It parses and validates; it never synthesises or simulates.
 */
#include "traces/trace.h"
#include "traces/trace_alias.h"
#include "lib/util.h"
#include "lib/assets.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

/* An integer-valued JSON number, or -1 with err_set naming the key. */
static int get_int(const cJSON *o, const char *key, long *out, int required, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) {
		if (required)
			return err_set("%s: key '%s': missing (expected an integer)", where, key);
		return 1;
	}
	/* bounded before the cast: a double beyond long's range converts with undefined result */
	if (!cJSON_IsNumber(v) || !(fabs(v->valuedouble) <= INT32_MAX) ||
	    v->valuedouble != (double)(long)v->valuedouble)
		return err_set("%s: key '%s': not an integer (expected an integer of at most %d)",
			       where, key, INT32_MAX);
	*out = (long)v->valuedouble;
	return 0;
}

static int parse_header(struct trace *t, const cJSON *h, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, "format");
	long n = 0;
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "ttsim-trace"))
		return err_set("%s: key 'format': missing or wrong (expected \"ttsim-trace\" on the first line)", where);
	if (get_int(h, "version", &n, 1, where) < 0)
		return -1;
	if (n != TRACE_FORMAT_VERSION)
		return err_set("%s: key 'version': unsupported version %ld (expected %d)", where, n, TRACE_FORMAT_VERSION);
	t->version = (int)n;
	v = cJSON_GetObjectItemCaseSensitive(h, "model");
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return err_set("%s: key 'model': missing (expected the model's Hugging Face id)", where);
	strlcpy0(t->model, v->valuestring, sizeof(t->model));
	v = cJSON_GetObjectItemCaseSensitive(h, "dataset");
	strlcpy0(t->dataset, cJSON_IsString(v) ? v->valuestring : "", sizeof(t->dataset));
	v = cJSON_GetObjectItemCaseSensitive(h, "provenance");
	strlcpy0(t->provenance, cJSON_IsString(v) ? v->valuestring : "", sizeof(t->provenance));
	v = cJSON_GetObjectItemCaseSensitive(h, "temperature");
	t->temperature = cJSON_IsNumber(v) ? v->valuedouble : -1;
	if (get_int(h, "max_tokens", &n, 1, where) < 0)
		return -1;
	if (n <= 0)
		return err_set("%s: key 'max_tokens': %ld is not positive (expected > 0)", where, n);
	t->max_tokens = (int)n;
	if (get_int(h, "samples_per_problem", &n, 0, where) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(h, "samples_per_problem")) {
		if (n < 1 || n > 1000000)
			return err_set("%s: key 'samples_per_problem': %ld (expected 1..1000000, the "
				       "samples every problem line holds)", where, n);
		t->samples_per_problem = (int)n;
	}
	return 0;
}

/* Every key of object o among `known` (NULL-terminated): a misspelt key ("anwser") would
 * otherwise be read as absent, its default taken without a word. */
static int known_keys(const cJSON *o, const char *const *known, const char *what, const char *where)
{
	const cJSON *k;
	cJSON_ArrayForEach(k, o) {
		int i;
		for (i = 0; known[i] && strcmp(known[i], k->string); i++)
			;
		if (!known[i]) {
			char list[256] = "";
			for (i = 0; known[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", known[i]);
			return err_set("%s: key '%.60s': unknown in %s (expected %s)", where, k->string,
				       what, list);
		}
	}
	return 0;
}

static int parse_sample(struct trace_sample *s, const cJSON *o, int max_tokens, const char *where)
{
	long n = 0;
	const cJSON *v;
	static const char *const keys[] = {"output_tokens", "answer", "finished", NULL};
	if (!cJSON_IsObject(o))
		return err_set("%s: key 'samples': an element is not an object (expected {\"output_tokens\": N, ...})", where);
	if (known_keys(o, keys, "a sample", where) < 0)
		return -1;
	if (get_int(o, "output_tokens", &n, 1, where) < 0)
		return -1;
	if (n < 0)
		return err_set("%s: key 'output_tokens': negative token count %ld (expected >= 0)", where, n);
	if (n > max_tokens)
		return err_set("%s: key 'output_tokens': %ld is longer than the model's max length (expected <= max_tokens %d)",
			       where, n, max_tokens);
	s->output_tokens = (int32_t)n;
	s->answer = -1;
	if (get_int(o, "answer", &n, 0, where) < 0)
		return -1;
	else if (cJSON_GetObjectItemCaseSensitive(o, "answer")) {
		if (n < -1 || n > 32767)
			return err_set("%s: key 'answer': %ld out of range (expected -1, 0 or a wrong-answer number 1..32767)", where, n);
		s->answer = (int16_t)n;
	}
	s->finished = 1;
	v = cJSON_GetObjectItemCaseSensitive(o, "finished");
	if (v) {
		if (!cJSON_IsBool(v))
			return err_set("%s: key 'finished': not a boolean (expected true or false)", where);
		s->finished = cJSON_IsTrue(v) ? 1 : 0;
	}
	s->pad_ = 0;
	return 0;
}

/* An array element that is an integer in lo..hi, or -1 with err_set naming key and index. */
static int array_int(const cJSON *e, const char *key, int i, long lo, long hi, long *out, const char *where)
{
	if (!cJSON_IsNumber(e) || !(e->valuedouble >= (double)lo && e->valuedouble <= (double)hi) ||
	    e->valuedouble != (double)(long)e->valuedouble)
		return err_set("%s: key '%s': element %d is not an integer in %ld..%ld (expected one)", where, key, i, lo, hi);
	*out = (long)e->valuedouble;
	return 0;
}

/* The compact form: "output_tokens" and "answers" arrays of one length, "cut" indices. */
static int parse_compact(struct trace_problem *p, const cJSON *o, int max_tokens, const char *where)
{
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(o, "output_tokens");
	const cJSON *ans = cJSON_GetObjectItemCaseSensitive(o, "answers");
	const cJSON *cut = cJSON_GetObjectItemCaseSensitive(o, "cut"), *e;
	long n = 0;
	int i = 0;
	if (!cJSON_IsArray(tok) || cJSON_GetArraySize(tok) < 1)
		return err_set("%s: key 'output_tokens': not a non-empty array (expected the samples' token counts)", where);
	p->n_samples = cJSON_GetArraySize(tok);
	if (!cJSON_IsArray(ans) || cJSON_GetArraySize(ans) != p->n_samples)
		return err_set("%s: key 'answers': missing or of another length than 'output_tokens' (expected %d answers)",
			       where, p->n_samples);
	if (cut && !cJSON_IsArray(cut))
		return err_set("%s: key 'cut': not an array (expected sample indices)", where);
	p->samples = xcalloc((size_t)p->n_samples, sizeof(*p->samples));
	cJSON_ArrayForEach(e, tok) {
		if (array_int(e, "output_tokens", i, 0, max_tokens, &n, where) < 0)
			return -1;
		p->samples[i].output_tokens = (int32_t)n;
		p->samples[i++].finished = 1;
	}
	i = 0;
	cJSON_ArrayForEach(e, ans) {
		if (array_int(e, "answers", i, -1, 32767, &n, where) < 0)
			return -1;
		p->samples[i++].answer = (int16_t)n;
	}
	i = 0;
	if (cut) {
		cJSON_ArrayForEach(e, cut) {
			if (array_int(e, "cut", i++, 0, p->n_samples - 1, &n, where) < 0)
				return -1;
			if (!p->samples[n].finished)
				return err_set("%s: key 'cut': sample %ld listed twice (expected each cut "
					       "sample once)", where, n);
			p->samples[n].finished = 0;
		}
	}
	return 1;
}

static int parse_problem(struct trace_problem *p, const cJSON *o, int max_tokens, const char *where)
{
	const cJSON *v, *e;
	long n = 0;
	int i;
	static const char *const keys[] = {"unique_id", "subject", "level", "prompt_tokens",
					   "arrival_s", "samples", "output_tokens", "answers",
					   "cut", NULL};
	memset(p, 0, sizeof(*p));
	p->arrival_s = -1;
	if (known_keys(o, keys, "a problem", where) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(o, "samples") &&
	    (cJSON_GetObjectItemCaseSensitive(o, "output_tokens") ||
	     cJSON_GetObjectItemCaseSensitive(o, "answers") || cJSON_GetObjectItemCaseSensitive(o, "cut")))
		return err_set("%s: key 'samples': given with the compact form's output_tokens, "
			       "answers or cut (expected one form)", where);
	v = cJSON_GetObjectItemCaseSensitive(o, "unique_id");
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return err_set("%s: key 'unique_id': missing (expected a non-empty string)", where);
	p->unique_id = xstrdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(o, "subject");
	if (v && !cJSON_IsString(v))
		return err_set("%s: key 'subject': not a string (expected a string)", where);
	strlcpy0(p->subject, v ? v->valuestring : "", sizeof(p->subject));
	if (get_int(o, "level", &n, 0, where) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(o, "level")) {
		if (n < 0 || n > 5)
			return err_set("%s: key 'level': %ld out of range (expected 0..5)", where, n);
		p->level = (int)n;
	}
	if (get_int(o, "prompt_tokens", &n, 1, where) < 0)
		return -1;
	if (n < 0)
		return err_set("%s: key 'prompt_tokens': negative token count %ld (expected >= 0)", where, n);
	p->prompt_tokens = (int)n;
	v = cJSON_GetObjectItemCaseSensitive(o, "arrival_s");
	if (v) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0)
			return err_set("%s: key 'arrival_s': not a non-negative number (expected seconds >= 0)", where);
		p->arrival_s = v->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "samples");
	if (!v && cJSON_GetObjectItemCaseSensitive(o, "output_tokens"))
		return parse_compact(p, o, max_tokens, where);
	if (!cJSON_IsArray(v))
		return err_set("%s: key 'samples': missing (expected an array of samples)", where);
	p->n_samples = cJSON_GetArraySize(v);
	if (p->n_samples < 1)
		return err_set("%s: key 'samples': empty (expected at least one sample)", where);
	p->samples = xcalloc((size_t)p->n_samples, sizeof(*p->samples));
	i = 0;
	cJSON_ArrayForEach(e, v)
		if (parse_sample(&p->samples[i++], e, max_tokens, where) < 0)
			return -1;
	return 0;
}

struct idline {
	const char *id;
	int line;
};

static int cmp_idline(const void *a, const void *b)
{
	const struct idline *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : x->line - y->line;
}

int trace_parse(struct trace *t, const char *text, size_t len, const char *fname)
{
	const char *p = text, *end = text + len;
	int line = 0, have_header = 0;
	size_t cap = 0;
	int *lines = NULL;
	char where[512];

	memset(t, 0, sizeof(*t));
	strlcpy0(t->name, fname, sizeof(t->name));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		cJSON *o;
		line++;
		snprintf(where, sizeof(where), "%s:%d", fname, line);
		/* skip blank lines */
		{
			const char *q = p;
			while (q < le && isspace((unsigned char)*q))
				q++;
			if (q == le) {
				p = le + 1;
				continue;
			}
		}
		o = cJSON_ParseWithLength(p, (size_t)(le - p));
		if (!o || !cJSON_IsObject(o)) {
			cJSON_Delete(o);
			err_set("%s: malformed line (expected one JSON object per line)", where);
			goto fail;
		}
		if (!have_header) {
			int rc = parse_header(t, o, where);
			if (!rc) {
				char *s = xmalloc((size_t)(le - p) + 1);
				memcpy(s, p, (size_t)(le - p));
				s[le - p] = 0;
				t->header_json = s;
			}
			cJSON_Delete(o);
			if (rc < 0)
				goto fail;
			have_header = 1;
		} else {
			xgrow((void **)&t->problems, &cap, (size_t)t->n_problems + 1, sizeof(*t->problems));
			lines = xrealloc(lines, cap * sizeof(*lines));
			lines[t->n_problems] = line;
			int rc = parse_problem(&t->problems[t->n_problems], o, t->max_tokens, where);
			t->problems[t->n_problems].line = line;
			t->n_problems++;
			if (rc == 1)
				t->compact = 1;
			cJSON_Delete(o);
			if (rc < 0)
				goto fail;
		}
		p = le + 1;
	}
	if (!have_header) {
		err_set("%s:1: key 'format': missing header (expected a ttsim-trace header line)", fname);
		goto fail;
	}
	if (t->n_problems < 1) {
		err_set("%s:%d: no problems (expected at least one problem line after the header)", fname, line);
		goto fail;
	}
	{
		struct idline *ids = xmalloc((size_t)t->n_problems * sizeof(*ids));
		int dup = -1;
		for (int i = 0; i < t->n_problems; i++)
			ids[i] = (struct idline){t->problems[i].unique_id, lines[i]}; /* NOLINT(clang-analyzer-core.NullDereference): lines grows with t->problems */
		qsort(ids, (size_t)t->n_problems, sizeof(*ids), cmp_idline);
		for (int i = 1; i < t->n_problems; i++)
			if (!strcmp(ids[i].id, ids[i - 1].id) && (dup < 0 || ids[i].line < ids[dup].line))
				dup = i;
		if (dup >= 0)
			err_set("%s:%d: key 'unique_id': duplicate id '%s' (expected unique ids; first on line %d)",
				fname, ids[dup].line, ids[dup].id, ids[dup - 1].line);
		free(ids);
		if (dup >= 0)
			goto fail;
	}
	/* the header's count is a promise about every line (trace stats, the studies read it) */
	for (int i = 0; t->samples_per_problem && i < t->n_problems; i++)
		if (t->problems[i].n_samples != t->samples_per_problem) {
			err_set("%s:%d: key 'samples': %d samples (the header's samples_per_problem "
				"says %d)", fname, lines[i], t->problems[i].n_samples,
				t->samples_per_problem);
			goto fail;
		}
	free(lines);
	return 0;
fail:
	free(lines);
	trace_release(t);
	return -1;
}

void trace_release(struct trace *t)
{
	for (int i = 0; i < t->n_problems; i++) {
		free(t->problems[i].unique_id);
		free(t->problems[i].samples);
	}
	free(t->problems);
	free(t->header_json);
	memset(t, 0, sizeof(*t));
}

long trace_total_samples(const struct trace *t)
{
	long n = 0;
	for (int i = 0; i < t->n_problems; i++)
		n += t->problems[i].n_samples;
	return n;
}

void trace_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int trace_write(const struct trace *t, FILE *f)
{
	if (t->header_json) {
		fputs(t->header_json, f);
		fputc('\n', f);
	} else {
		fprintf(f, "{\"format\":\"ttsim-trace\",\"version\":%d,\"model\":", TRACE_FORMAT_VERSION);
		trace_json_string(f, t->model);
		fputs(",\"dataset\":", f);
		trace_json_string(f, t->dataset);
		fprintf(f, ",\"temperature\":%g,\"max_tokens\":%d,\"provenance\":", t->temperature, t->max_tokens);
		trace_json_string(f, t->provenance);
		fputs("}\n", f);
	}
	for (int i = 0; i < t->n_problems; i++) {
		const struct trace_problem *p = &t->problems[i];
		fputs("{\"unique_id\":", f);
		trace_json_string(f, p->unique_id);
		fprintf(f, ",\"level\":%d,\"subject\":", p->level);
		trace_json_string(f, p->subject);
		fprintf(f, ",\"prompt_tokens\":%d", p->prompt_tokens);
		if (p->arrival_s >= 0)
			fprintf(f, ",\"arrival_s\":%.6f", p->arrival_s);
		if (t->compact) {
			int nc = 0;
			for (int j = 0; j < p->n_samples; j++)
				fprintf(f, "%s%d", j ? "," : ",\"output_tokens\":[", p->samples[j].output_tokens);
			for (int j = 0; j < p->n_samples; j++)
				fprintf(f, "%s%d", j ? "," : "],\"answers\":[", p->samples[j].answer);
			for (int j = 0; j < p->n_samples; j++)
				if (!p->samples[j].finished)
					fprintf(f, "%s%d", nc++ ? "," : "],\"cut\":[", j);
			fputs("]}\n", f);
			continue;
		}
		fputs(",\"samples\":[", f);
		for (int j = 0; j < p->n_samples; j++) {
			const struct trace_sample *s = &p->samples[j];
			fprintf(f, "%s{\"output_tokens\":%d,\"answer\":%d%s}", j ? "," : "", s->output_tokens,
				s->answer, s->finished ? "" : ",\"finished\":false");
		}
		fputs("]}\n", f);
	}
	return ferror(f) ? err_set("write error (expected a writable output)") : 0;
}

int trace_load(struct trace *t, const char *name)
{
	char path[256];
	size_t len;
	char *text;
	int rc;

	if (!strncmp(name, "math500:", 8)) {
		const char *alias = trace_alias_find(name + 8);
		const struct asset *a;
		if (!alias)
			return err_set("trace '%s': unknown model '%s' (expected one of %s)", name, name + 8,
				       trace_alias_list());
		snprintf(path, sizeof(path), "traces/math500/%s.jsonl", alias);
		a = asset_find(path);
		if (a) {
			char nm[128];
			snprintf(nm, sizeof(nm), "math500:%s", alias);
			return trace_parse(t, (const char *)a->data, a->len, nm);
		}
		name = path; /* not embedded: read it from the source tree */
	}
	text = file_read(name, &len);
	if (!text)
		return -1;
	rc = trace_parse(t, text, len, name);
	free(text);
	return rc;
}
