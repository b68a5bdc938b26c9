/* engine_profile.c: read an engine profile (see engine_profile.h). */
#include "models/engine_profile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/assets.h"
#include "lib/util.h"
#include "lib/ydoc.h"

/* One scalar key of a block: "block.key" (block "" at the top). */
/* EK_OPTCOUNT: a count whose 0 means not said (not written) */
enum ek_type { EK_STR, EK_SECONDS, EK_BOOL, EK_COUNT, EK_FRACTION, EK_OPTCOUNT };
struct ekey {
	const char *key;
	enum ek_type type;
	size_t off, size;
};
#define EO(f) offsetof(struct engine_profile, f)
#define ES(f) sizeof(((struct engine_profile *)0)->f)
static const struct ekey keys[] = {
	{"name", EK_STR, EO(name), ES(name)},
	{"engine", EK_STR, EO(engine), ES(engine)},
	{"versions", EK_STR, EO(versions), ES(versions)},
	{"source", EK_STR, EO(source), ES(source)},
	{"step_cpu_extra.base_s", EK_SECONDS, EO(step_base_extra), 0},
	{"step_cpu_extra.per_seq_s", EK_SECONDS, EO(step_per_seq_extra), 0},
	{"step_cpu_extra.per_tp_s", EK_SECONDS, EO(step_per_tp_extra), 0},
	{"step_cpu_extra.per_ctx_token_s", EK_SECONDS, EO(step_per_ctx_token_extra), 0},
	{"frontend.per_request_s", EK_SECONDS, EO(fe[FE_COMPLETIONS].per_request), 0},
	{"frontend.per_output_token_s", EK_SECONDS, EO(fe[FE_COMPLETIONS].per_output_token), 0},
	{"frontend.latency_s", EK_SECONDS, EO(fe[FE_COMPLETIONS].latency), 0},
	{"frontend.chat_latency_s", EK_SECONDS, EO(fe[FE_CHAT].latency), 0},
	{"frontend.chat_per_request_s", EK_SECONDS, EO(fe[FE_CHAT].per_request), 0},
	{"frontend.chat_per_output_token_s", EK_SECONDS, EO(fe[FE_CHAT].per_output_token), 0},
	{"frontend.first_token_s", EK_SECONDS, EO(fe[FE_COMPLETIONS].first_token), 0},
	{"frontend.chat_first_token_s", EK_SECONDS, EO(fe[FE_CHAT].first_token), 0},
	{"defaults.chunked_prefill", EK_BOOL, EO(chunked_prefill), 0},
	{"defaults.prefix_caching", EK_BOOL, EO(prefix_caching), 0},
	{"speculative.draft_forward_cpu_s", EK_SECONDS, EO(spec_draft_forward_cpu), 0},
	{"speculative.step_cpu_s", EK_SECONDS, EO(spec_step_cpu), 0},
	{"speculative.eagle3_remap_cpu_s", EK_SECONDS, EO(spec_eagle3_remap_cpu), 0},
	{"defaults.max_num_seqs", EK_COUNT, EO(lim[0][0].seqs), 0},
	{"defaults.max_num_batched_tokens", EK_COUNT, EO(lim[0][0].tokens), 0},
	{"defaults.kv_free_fraction", EK_FRACTION, EO(kv_free_fraction), 0},
	{"defaults.guaranteed_no_evict", EK_BOOL, EO(guaranteed_no_evict), 0},
	{"defaults.unchunked_max_len", EK_BOOL, EO(unchunked_max_len), 0},
	{"defaults.long_context_len", EK_OPTCOUNT, EO(long_context_len), 0},
	{"defaults.long_context_max_num_batched_tokens", EK_OPTCOUNT, EO(long_context_budget), 0},
	{"defaults.offline_max_num_seqs", EK_OPTCOUNT, EO(lim[0][1].seqs), 0},
	{"defaults.offline_max_num_batched_tokens", EK_OPTCOUNT, EO(lim[0][1].tokens), 0},
	{"defaults.attention_kernels", EK_STR, EO(attention), ES(attention)},
	{"defaults.large_gpu_min_gib", EK_OPTCOUNT, EO(large_gpu_min_gib), 0},
	{"defaults.large_gpu_except", EK_STR, EO(large_gpu_except), ES(large_gpu_except)},
	{"defaults.large_gpu_max_num_seqs", EK_OPTCOUNT, EO(lim[1][0].seqs), 0},
	{"defaults.large_gpu_max_num_batched_tokens", EK_OPTCOUNT, EO(lim[1][0].tokens), 0},
	{"defaults.large_gpu_offline_max_num_seqs", EK_OPTCOUNT, EO(lim[1][1].seqs), 0},
	{"defaults.large_gpu_offline_max_num_batched_tokens", EK_OPTCOUNT, EO(lim[1][1].tokens), 0},
};
/* the bit set of the keys seen; its top bit is schema_version's */
#define SEEN_SCHEMA (1ull << 63)
_Static_assert(sizeof(keys) / sizeof(keys[0]) < 63, "engine profile keys outgrow the seen set");

double *frontend_term(struct frontend *f, int t)
{
	switch (t) {
	case FE_PER_REQUEST: return &f->per_request;
	case FE_PER_OUTPUT_TOKEN: return &f->per_output_token;
	case FE_LATENCY: return &f->latency;
	default: return &f->first_token;
	}
}

/* Whether k is a frontend key; then the endpoint and term it sets. */
static int fe_key_of(const struct ekey *k, int *endpoint, int *term)
{
	struct frontend f;
	for (int ep = 0; ep < FE_N; ep++)
		for (int t = 0; t < FE_NTERM; t++)
			if (k->off == EO(fe) + ep * sizeof(f) +
					      (size_t)((char *)frontend_term(&f, t) - (char *)&f)) {
				*endpoint = ep;
				*term = t;
				return 1;
			}
	return 0;
}

const char *engine_profile_fe_key(int i, int *endpoint, int *term)
{
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (fe_key_of(&keys[k], endpoint, term) && i-- == 0)
			return keys[k].key + strlen("frontend.");
	return NULL;
}

static int set_key(struct engine_profile *e, const struct ekey *k, const char *v,
		   const char *where)
{
	char *f = (char *)e + k->off;
	double d;
	long l;
	switch (k->type) {
	case EK_STR:
		/* the one alternative attention section hardware profiles carry (profile.h) */
		if (k->off == EO(attention) && strcmp(v, "trtllm"))
			return err_set("%s: key '%s': expected trtllm (or no key: the hardware "
				       "profile's attention section), got '%s'", where, k->key, v);
		if (strlcpy0(f, v, k->size) < 0)
			return err_set("%s: key '%s': value too long (expected at most %zu characters)",
				       where, k->key, k->size - 1);
		return 0;
	case EK_SECONDS:
		/* an engine step's CPU costs and a request's front end are well under 1 s */
		if (parse_double(v, &d) < 0 || d < 0 || d >= 1)
			return err_set("%s: key '%s': expected seconds in [0, 1), got '%s'", where,
				       k->key, v);
		memcpy(f, &d, sizeof(d));
		return 0;
	case EK_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return err_set("%s: key '%s': expected true or false, got '%s'", where, k->key,
				       v);
		*(int *)f = !strcmp(v, "true");
		return 0;
	case EK_COUNT:
	case EK_OPTCOUNT:
		if (parse_long(v, &l) < 0 || l < 0 || l > (1L << 24))
			return err_set("%s: key '%s': expected an integer in 0..%ld, got '%s'", where,
				       k->key, 1L << 24, v);
		*(int *)f = (int)l;
		return 0;
	case EK_FRACTION:
		if (parse_double(v, &d) < 0 || !(d > 0 && d <= 1))
			return err_set("%s: key '%s': expected a fraction in (0, 1], got '%s'", where,
				       k->key, v);
		memcpy(f, &d, sizeof(d));
		return 0;
	}
	bug("engine profile key type %d", k->type);
}

/* Walk a mapping; prefix is "" or "block.". */
static int walk(struct engine_profile *e, struct ydoc *d, yaml_node_t *map, const char *prefix,
		const char *path, unsigned long long *seen)
{
	struct ydoc_iter it;
	yaml_node_t *k, *v;
	char full[128], where[512];
	if (ydoc_map_unique(d, map, prefix) < 0)
		return -1;
	for (ydoc_map_iter(&it, d, map); ydoc_map_next(&it, &k, &v);) {
		size_t i;
		snprintf(where, sizeof(where), "%s:%zu", path, ydoc_line(k));
		if (!ydoc_str(k))
			return err_set("%s: expected a key", where);
		snprintf(full, sizeof(full), "%s%s", prefix, ydoc_str(k));
		if (!*prefix && !strcmp(full, "schema_version")) {
			if (!ydoc_str(v) || strcmp(ydoc_str(v), "1"))
				return err_set("%s: key 'schema_version': unsupported version (expected 1)",
					       where);
			*seen |= SEEN_SCHEMA;
			continue;
		}
		if (!*prefix && v->type == YAML_MAPPING_NODE &&
		    (!strcmp(full, "step_cpu_extra") || !strcmp(full, "frontend") ||
		     !strcmp(full, "defaults") || !strcmp(full, "speculative"))) {
			char sub[160];
			snprintf(sub, sizeof(sub), "%s.", full);
			if (walk(e, d, v, sub, path, seen) < 0)
				return -1;
			continue;
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[i].key, full); i++)
			;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return err_set("%s: key '%s': unknown key (expected name, engine, versions, "
				       "source, step_cpu_extra, frontend, speculative or defaults: "
				       "models/engine_profile.h)",
				       where, full);
		if (!ydoc_str(v))
			return err_set("%s: key '%s': expected a single value", where, full);
		if (set_key(e, &keys[i], ydoc_str(v), where) < 0)
			return -1;
		*seen |= 1ull << i;
	}
	return 0;
}

int engine_profile_parse(struct engine_profile *e, const char *text, size_t len,
			 const char *path)
{
	struct ydoc d;
	yaml_node_t *root;
	unsigned long long seen = 0;
	int rc = -1;
	memset(e, 0, sizeof(*e));
	e->chunked_prefill = -1;
	e->prefix_caching = -1;
	e->guaranteed_no_evict = -1;
	e->unchunked_max_len = -1;
	if (ydoc_load(&d, text, len, path, " (expected an engine profile: models/engine_profile.h)") < 0)
		goto out;
	root = ydoc_root(&d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		err_set("%s:%zu: expected a mapping (an engine profile: models/engine_profile.h)", path,
			root ? ydoc_line(root) : (size_t)1);
		goto out;
	}
	if (walk(e, &d, root, "", path, &seen) < 0)
		goto out;
	if (!(seen & SEEN_SCHEMA)) {
		err_set("%s:1: key 'schema_version': missing (expected 'schema_version: 1')", path);
		goto out;
	}
	/* name, engine and source are required: a number without its source is not kept */
	for (int i = 0; i < 4; i++)
		if (i != 2 && !(seen & (1ull << i))) {
			err_set("%s:1: key '%s': missing (expected it in every engine profile)", path,
				keys[i].key);
			goto out;
		}
	if (!e->name[0] || !e->engine[0] || !e->source[0]) {
		err_set("%s:1: key '%s': empty (expected it in every engine profile)", path,
			!e->name[0] ? "name" : !e->engine[0] ? "engine" : "source");
		goto out;
	}
	/* the long-context rule needs both its keys: a length without its budget would fall
	 * back on ttsim's, which is no engine's */
	if ((e->long_context_len > 0) != (e->long_context_budget > 0)) {
		err_set("%s:1: key 'defaults.%s': missing (expected with defaults.%s)", path,
			e->long_context_len > 0 ? "long_context_max_num_batched_tokens" :
						  "long_context_len",
			e->long_context_len > 0 ? "long_context_len" :
						  "long_context_max_num_batched_tokens");
		goto out;
	}
	/* a large GPU's limits, or its exception, without the size that makes a GPU large
	 * would never apply: say so rather than ignore them */
	if (!e->large_gpu_min_gib &&
	    (e->lim[1][0].seqs || e->lim[1][0].tokens || e->lim[1][1].seqs ||
	     e->lim[1][1].tokens || e->large_gpu_except[0])) {
		err_set("%s:1: key 'defaults.large_gpu_min_gib': missing (expected with the "
			"defaults.large_gpu_ keys)", path);
		goto out;
	}
	/* the speculative block is all or nothing: a missing cost is not read as 0 */
	{
		unsigned long long any = 0, all = 0;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(keys[i].key, "speculative.", 12)) {
				all |= 1ull << i;
				if (seen & (1ull << i))
					any |= 1ull << i;
			}
		if (any && any != all) {
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if ((all & ~any) & (1ull << i)) {
					err_set("%s:1: key '%s': missing (expected every key of the "
						"speculative block: models/engine_profile.h)", path,
						keys[i].key);
					goto out;
				}
		}
		e->has_spec = any != 0;
	}
	/* a chat_ key not given: the chat endpoint's is the completions endpoint's */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int ep, t;
		if (!(seen & (1ull << i)) && fe_key_of(&keys[i], &ep, &t) && ep == FE_CHAT)
			*frontend_term(&e->fe[FE_CHAT], t) =
				*frontend_term(&e->fe[FE_COMPLETIONS], t);
	}
	rc = 0;
out:
	ydoc_release(&d);
	return rc;
}

/* One key's line (indented inside a block), with its comment. */
static void put_key(const struct engine_profile *e, const struct ekey *k, struct sbuf *sb,
		    const char *(*comment)(const char *key, void *ctx), void *ctx)
{
	const char *dot = strchr(k->key, '.'), *f = (const char *)e + k->off;
	const char *c = comment ? comment(k->key, ctx) : NULL;
	int iv;
	double dv = 0;
	memcpy(&iv, f, sizeof(iv));
	if (k->type == EK_SECONDS || k->type == EK_FRACTION)
		memcpy(&dv, f, sizeof(dv));
	if ((k->type == EK_BOOL && iv < 0) || (k->type == EK_STR && !f[0] && dot) ||
	    (k->type == EK_FRACTION && !(dv > 0)) || (k->type == EK_OPTCOUNT && iv <= 0))
		return; /* not said */
	sbuf_printf(sb, "%s%s: ", dot ? "  " : "", dot ? dot + 1 : k->key);
	switch (k->type) {
	case EK_STR: ydoc_put_quoted(sb, f); break;
	case EK_SECONDS: memcpy(&dv, f, sizeof(dv)); sbuf_printf(sb, "%.6g", dv); break;
	case EK_BOOL: sbuf_printf(sb, "%s", iv ? "true" : "false"); break;
	case EK_COUNT:
	case EK_OPTCOUNT: sbuf_printf(sb, "%d", iv); break;
	case EK_FRACTION: sbuf_printf(sb, "%.6g", dv); break;
	}
	if (c)
		sbuf_printf(sb, "  # %s", c);
	sbuf_add(sb, "\n", 1);
}

void engine_profile_write(const struct engine_profile *e, struct sbuf *sb,
			  const char *(*comment)(const char *key, void *ctx), void *ctx)
{
	const size_t nk = sizeof(keys) / sizeof(keys[0]);
	sbuf_printf(sb, "schema_version: 1\n");
	for (size_t i = 0; i < nk; i++) /* the top-level keys, then each block once */
		if (!strchr(keys[i].key, '.'))
			put_key(e, &keys[i], sb, comment, ctx);
	for (size_t i = 0; i < nk; i++) {
		const char *dot = strchr(keys[i].key, '.');
		size_t bl = dot ? (size_t)(dot - keys[i].key) : 0, j;
		if (!dot)
			continue;
		for (j = 0; j < i && strncmp(keys[j].key, keys[i].key, bl + 1); j++)
			;
		if (j < i) /* block written already */
			continue;
		if (!strncmp(keys[i].key, "speculative.", bl + 1) && !e->has_spec)
			continue; /* not given: written as zeros it would read as free drafting */
		sbuf_printf(sb, "%.*s:\n", (int)bl, keys[i].key);
		for (j = i; j < nk; j++)
			if (!strncmp(keys[j].key, keys[i].key, bl + 1))
				put_key(e, &keys[j], sb, comment, ctx);
	}
}

/* x's limits over r's, where x says them */
static void limits_over(struct engine_limits *r, const struct engine_limits *x)
{
	if (x->seqs > 0)
		r->seqs = x->seqs;
	if (x->tokens > 0)
		r->tokens = x->tokens;
}

struct engine_limits engine_profile_limits(const struct engine_profile *e, int large,
					   int offline)
{
	struct engine_limits r = e->lim[0][0];
	if (large)
		limits_over(&r, &e->lim[1][0]);
	if (offline)
		limits_over(&r, &e->lim[large][1]);
	return r;
}

/* Whether s contains t, case aside (ASCII). */
static int has_nocase(const char *s, const char *t)
{
	size_t n = strlen(t);
	for (; *s; s++) {
		size_t i = 0;
		while (i < n && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)t[i]))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

int engine_profile_large_gpu(const struct engine_profile *e, double hbm_bytes,
			     const char *name, const char *gpu)
{
	if (e->large_gpu_min_gib <= 0 || hbm_bytes < e->large_gpu_min_gib * 1073741824.0)
		return 0;
	return !e->large_gpu_except[0] ||
	       !(has_nocase(name, e->large_gpu_except) || has_nocase(gpu, e->large_gpu_except));
}

/* The embedded profile a plain NAME stands for (path set), or NULL. */
static const struct asset *engine_asset(const char *name, char *path, size_t n)
{
	if (strchr(name, '/') || strlen(name) >= 64)
		return NULL;
	snprintf(path, n, ENGINE_PROFILE_DIR "%s.yaml", name);
	return asset_find(path);
}

int engine_profile_exists(const char *name)
{
	char path[128];
	return engine_asset(name, path, sizeof(path)) != NULL;
}

int engine_profile_load(struct engine_profile *e, const char *name)
{
	char path[128];
	const struct asset *a = engine_asset(name, path, sizeof(path));
	size_t len;
	char *text;
	int rc;
	if (a)
		return engine_profile_parse(e, (const char *)a->data, a->len, path);
	if (!strchr(name, '/')) {
		struct sbuf sb = {0};
		size_t dl = strlen(ENGINE_PROFILE_DIR);
		for (size_t i = 0; i < asset_count(); i++) {
			const char *p = asset_get(i)->path;
			size_t l = strlen(p);
			if (!strncmp(p, ENGINE_PROFILE_DIR, dl) && l > dl + 5)
				sbuf_printf(&sb, "%s%.*s", sb.len ? ", " : "", (int)(l - dl - 5), p + dl);
		}
		err_set("unknown engine profile '%s' (known: %s; or a path to an engine profile "
			"YAML)", name, sb.buf ? sb.buf : "none");
		sbuf_release(&sb);
		return -1;
	}
	text = file_read(name, &len);
	if (!text)
		return -1;
	rc = engine_profile_parse(e, text, len, name);
	free(text);
	return rc;
}
