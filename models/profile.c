/*
 * profile.c: read, check and write hardware profiles (models/profile.h; schema in
 * models/profiles/README.md).
 *
 * One table (after Redis's static_configs[]) lists every YAML key path, its type and the
 * struct field it fills; the parser, the missing-key check and the writer all walk it, so
 * adding a parameter is one row here plus its line in the README and the shipped YAMLs.
 * The YAML is read with libyaml's document API; each error names the file, the line
 * (mark + 1) and the dotted key path. This file computes nothing about time.
 */
#include "models/profile.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "lib/assets.h"
#include "lib/util.h"

enum ftype {
	F_INT, F_DBL, F_STR,
	F_AR,  /* position of the allreduce list when writing */
	F_OPT, /* a double that may be absent (then 0); written only when nonzero */
};

struct field {
	const char *path; /* dotted YAML key path */
	enum ftype type;
	size_t off;       /* offset in struct profile (or struct allreduce_model) */
	size_t size;      /* F_STR: buffer size */
};

/* NOLINTBEGIN(bugprone-macro-parentheses): f is a member designator for offsetof */
#define FI(path, f) {path, F_INT, offsetof(struct profile, f), 0}
#define FD(path, f) {path, F_DBL, offsetof(struct profile, f), 0}
#define FO(path, f) {path, F_OPT, offsetof(struct profile, f), 0}
#define FS(path, f) {path, F_STR, offsetof(struct profile, f), sizeof(((struct profile *)0)->f)}
#define GEMM(sec, g)                                                                          \
	FD(sec ".peak", g.peak), FD(sec ".eff_max", g.eff_max), FD(sec ".m_half", g.m_half),   \
	FD(sec ".nk_half", g.nk_half), FD(sec ".bw_eff", g.bw_eff), FD(sec ".floor", g.floor), \
	FD(sec ".smooth", g.smooth), FO(sec ".sms", g.sms), FO(sec ".cta_half", g.cta_half),  \
	FO(sec ".wave_exp", g.wave_exp), FO(sec ".wave_time", g.wave_time),                     \
	FO(sec ".row_time", g.row_time), FO(sec ".k_lat", g.k_lat), FO(sec ".split_k", g.split_k), \
	FO(sec ".act_time", g.act_time)
/* NOLINTEND(bugprone-macro-parentheses) */

static const struct field fields[] = {
	FI("schema_version", schema_version),
	FS("name", name),
	FS("gpu", gpu),
	FS("source", source),
	FI("node.gpus_per_node", gpus_per_node),
	FS("node.topology", topology),
	FD("memory.hbm_bytes", hbm_bytes),
	FD("memory.hbm_bw", hbm_bw),
	FD("memory.reserved_bytes", mem_reserved_bytes),
	GEMM("gemm_bf16", gemm_bf16),
	GEMM("gemm_fp8", gemm_fp8),
	FD("attention.prefill_t0", attn_prefill.t0),
	FD("attention.prefill_rate", attn_prefill.rate),
	FO("attention.prefill_s_half", attn_prefill.s_half),
	FO("attention.prefill_d_half", attn_prefill.d_half),
	FD("attention.decode_t0", attn_decode.t0),
	FD("attention.decode_per_seq", attn_decode.per_seq),
	FD("attention.decode_bw", attn_decode.bw),
	FO("attention.prefill_kv_bw", attn_prefill.kv_bw),
	FO("attention.prefill_tile", attn_prefill.tile),
	FO("attention.decode_cta", attn_decode.cta),
	FO("attention.decode_cta_dim", attn_decode.cta_dim),
	FO("attention.decode_blk", attn_decode.blk),
	FO("attention.prefill_tile_half", attn_prefill.tile_half),
	FO("attention.decode_split", attn_decode.split),
	FO("attention.decode_dyn_seq", attn_decode.dyn_seq),
	FO("attention.prefill_wide_eff", attn_prefill.wide_eff),
	FO("attention.prefill_wave_exp", attn_prefill.wave_exp),
	FO("attention.prefill_cache_round", attn_prefill.cache_round),
	FO("attention.decode_wide_t0", attn_decode.wide_t0),
	FO("attention.decode_wide_cta", attn_decode.wide_cta),
	FO("attention.decode_l2_bytes", attn_decode.l2_bytes),
	FO("attention.decode_l2_bw", attn_decode.l2_bw),
	FD("elementwise.bw", ew_bw),
	{"allreduce", F_AR, 0, 0},
	FD("overhead.launch_eager", launch_eager),
	FD("overhead.launch_graph", launch_graph),
	FI("overhead.graph_max_seqs", graph_max_seqs),
	FD("overhead.step_base", step_base),
	FD("overhead.step_per_seq", step_per_seq),
	FD("overhead.step_per_tp", step_per_tp),
	FD("power.idle_w", power_idle_w),
	FD("power.busy_w", power_busy_w),
	FD("price.usd_per_gpu_hour", usd_per_gpu_hour),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

#define AD(key, f) {key, F_DBL, offsetof(struct allreduce_model, f), 0}
#define AO(key, f) {key, F_OPT, offsetof(struct allreduce_model, f), 0}
static const struct field ar_fields[] = {
	{"n_gpus", F_INT, offsetof(struct allreduce_model, n_gpus), 0},
	AD("lat", lat), AD("busbw", busbw), AD("car_lat", car_lat), AD("car_bw", car_bw),
	AD("car_max_bytes", car_max_bytes),
	AO("ll128_lat", ll128_lat), AO("ll128_busbw", ll128_busbw), AO("simple_lat", simple_lat),
	AO("simple_busbw", simple_busbw), AO("car2_lat", car2_lat), AO("car2_bw", car2_bw),
};
#define NAR_FIELDS (sizeof(ar_fields) / sizeof(ar_fields[0]))

/* --- parsing ------------------------------------------------------------------------ */

struct pctx {
	yaml_document_t *doc;
	const char *fname;
	struct profile *p;
	unsigned char seen[NFIELDS];
	int seen_ar;
};

static int line(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

/* Store scalar text s into the field f of base; path for messages. */
static int set_field(void *base, const struct field *f, const yaml_node_t *v, const char *path,
		     const char *fname)
{
	char *dst = (char *)base + f->off;
	const char *s;

	if (v->type != YAML_SCALAR_NODE)
		return err_set("%s:%d: key '%s': expected a %s, got a %s", fname, line(v), path,
			       f->type == F_STR ? "string" : "number",
			       v->type == YAML_MAPPING_NODE ? "mapping" : "list");
	s = (const char *)v->data.scalar.value;
	if (f->type == F_STR) {
		if (strlcpy0(dst, s, f->size))
			return err_set("%s:%d: key '%s': too long (expected at most %zu characters)", fname,
				       line(v), path, f->size - 1);
		return 0;
	}
	if (f->type == F_INT) {
		long l;
		if (parse_long(s, &l) || l <= 0 || l > 1000000)
			return err_set("%s:%d: key '%s': expected a positive integer, got '%s'",
				       fname, line(v), path, s);
		*(int *)(void *)dst = (int)l;
		return 0;
	}
	double d;
	if (parse_double(s, &d) || !isfinite(d))
		return err_set("%s:%d: key '%s': expected a number, got '%s'", fname, line(v),
			       path, s);
	if (d < 0)
		return err_set("%s:%d: key '%s': expected a non-negative number, got '%s'", fname,
			       line(v), path, s);
	*(double *)(void *)dst = d;
	return 0;
}

static int parse_ar_list(struct pctx *c, const yaml_node_t *seq)
{
	if (seq->type != YAML_SEQUENCE_NODE)
		return err_set("%s:%d: key 'allreduce': expected a list of mappings", c->fname,
			       line(seq));
	int i = 0;
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++, i++) {
		const yaml_node_t *e = yaml_document_get_node(c->doc, *it);
		unsigned char seen[NAR_FIELDS] = {0};
		char path[96];

		if (i >= PROFILE_MAX_AR)
			return err_set("%s:%d: key 'allreduce': too many entries (expected at most %d)", c->fname,
				       line(e), PROFILE_MAX_AR);
		if (e->type != YAML_MAPPING_NODE)
			return err_set("%s:%d: key 'allreduce[%d]': expected a mapping", c->fname,
				       line(e), i);
		for (yaml_node_pair_t *kv = e->data.mapping.pairs.start;
		     kv < e->data.mapping.pairs.top; kv++) {
			const yaml_node_t *k = yaml_document_get_node(c->doc, kv->key);
			const yaml_node_t *v = yaml_document_get_node(c->doc, kv->value);
			const char *ks = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
			size_t j;
			snprintf(path, sizeof(path), "allreduce[%d].%s", i, ks);
			for (j = 0; j < NAR_FIELDS && strcmp(ar_fields[j].path, ks); j++)
				;
			if (j == NAR_FIELDS)
				return err_set("%s:%d: key '%s': unknown key (expected a key of the profile schema)", c->fname, line(k), path);
			if (seen[j]++)
				return err_set("%s:%d: key '%s': given twice (expected once)", c->fname, line(k), path);
			if (set_field(&c->p->ar[i], &ar_fields[j], v, path, c->fname))
				return -1;
		}
		for (size_t j = 0; j < NAR_FIELDS; j++)
			if (!seen[j] && ar_fields[j].type != F_OPT)
				return err_set("%s:%d: key 'allreduce[%d].%s': missing (expected a number)", c->fname,
					       line(e), i, ar_fields[j].path);
	}
	return 0;
}

/* An uncertainty path of an all-reduce parameter, "allreduce.N.KEY" (N the entry's
 * n_gpus, since list positions move when a profile is refitted): 0 with *n and the
 * ar_fields index *j, or -1. */
static int ar_unc_path(const char *path, int *n, size_t *j)
{
	char *end;
	long l;
	if (strncmp(path, "allreduce.", 10))
		return -1;
	l = strtol(path + 10, &end, 10);
	if ((l != 2 && l != 4 && l != 8) || *end != '.')
		return -1;
	for (*j = 0; *j < NAR_FIELDS; (*j)++)
		if (ar_fields[*j].type != F_INT && !strcmp(ar_fields[*j].path, end + 1)) {
			*n = (int)l;
			return 0;
		}
	return -1;
}

/* uncertainty: {path: relative standard error} over numeric fields (optional block). */
static int parse_unc(struct pctx *c, const yaml_node_t *map)
{
	if (map->type != YAML_MAPPING_NODE)
		return err_set("%s:%d: key 'uncertainty': expected a mapping of key paths to "
			       "relative errors",
			       c->fname, line(map));
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top;
	     kv++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, kv->key);
		const yaml_node_t *v = yaml_document_get_node(c->doc, kv->value);
		const char *ks = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		size_t i, j;
		int n;
		double d;
		for (i = 0; i < NFIELDS && ((fields[i].type != F_DBL && fields[i].type != F_OPT) ||
					    strcmp(fields[i].path, ks)); i++)
			;
		if (i == NFIELDS && ar_unc_path(ks, &n, &j))
			return err_set("%s:%d: key 'uncertainty.%s': not a numeric profile field "
				       "(expected a path such as gemm_bf16.eff_max or allreduce.8.busbw)",
				       c->fname, line(k), ks);
		if (v->type != YAML_SCALAR_NODE ||
		    parse_double((const char *)v->data.scalar.value, &d) || !(d >= 0 && d < 1))
			return err_set("%s:%d: key 'uncertainty.%s': expected a relative error in "
				       "[0, 1)",
				       c->fname, line(v), ks);
		if (c->p->n_unc == PROFILE_MAX_UNC)
			return err_set("%s:%d: key 'uncertainty': too many entries (expected at most %d)", c->fname,
				       line(k), PROFILE_MAX_UNC);
		strlcpy0(c->p->unc[c->p->n_unc].path, ks, sizeof(c->p->unc[0].path));
		c->p->unc[c->p->n_unc++].rel = d;
	}
	return 0;
}

static int parse_map(struct pctx *c, const yaml_node_t *map, const char *prefix)
{
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top;
	     kv++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, kv->key);
		const yaml_node_t *v = yaml_document_get_node(c->doc, kv->value);
		char path[128];
		size_t i, plen;

		if (k->type != YAML_SCALAR_NODE)
			return err_set("%s:%d: expected a plain key", c->fname, line(k));
		snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "",
			 (const char *)k->data.scalar.value);
		if (!prefix[0] && !strcmp(path, "sources")) {
			/* free-form provenance: key -> string, kept out of the struct */
			if (v->type != YAML_MAPPING_NODE)
				return err_set("%s:%d: key 'sources': expected a mapping of strings",
					       c->fname, line(v));
			continue;
		}
		if (!prefix[0] && !strcmp(path, "uncertainty")) {
			if (parse_unc(c, v))
				return -1;
			continue;
		}
		if (!prefix[0] && !strcmp(path, "allreduce")) {
			if (c->seen_ar++)
				return err_set("%s:%d: key 'allreduce': given twice (expected once)", c->fname, line(k));
			if (parse_ar_list(c, v))
				return -1;
			continue;
		}
		plen = strlen(path);
		for (i = 0; i < NFIELDS; i++)
			if (!strcmp(fields[i].path, path))
				break;
		if (i < NFIELDS) {
			if (c->seen[i]++)
				return err_set("%s:%d: key '%s': given twice (expected once)", c->fname, line(k), path);
			if (set_field(c->p, &fields[i], v, path, c->fname))
				return -1;
			continue;
		}
		/* a section: some field path starts with "path." */
		for (i = 0; i < NFIELDS; i++)
			if (!strncmp(fields[i].path, path, plen) && fields[i].path[plen] == '.')
				break;
		if (i == NFIELDS)
			return err_set("%s:%d: key '%s': unknown key (expected a key of the profile schema)", c->fname, line(k), path);
		if (v->type != YAML_MAPPING_NODE)
			return err_set("%s:%d: key '%s': expected a mapping", c->fname, line(v), path);
		if (parse_map(c, v, path))
			return -1;
	}
	return 0;
}

int profile_parse(struct profile *p, const char *text, size_t len, const char *fname)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct pctx c = {.doc = &doc, .fname = fname, .p = p};
	const yaml_node_t *root;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (!yaml_parser_initialize(&parser))
		return err_set("%s: cannot initialize the YAML parser (expected memory to parse)", fname);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err_set("%s:%d: invalid YAML: %s%s%s (expected key: value lines)", fname, (int)parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "syntax error",
			parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		err_set("%s:1: expected a mapping of profile keys (schema_version, name, ...)", fname);
		goto out;
	}
	if (parse_map(&c, root, ""))
		goto out;
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].type != F_AR && fields[i].type != F_OPT && !c.seen[i]) {
			err_set("%s:%d: key '%s': missing (expected a value)", fname, line(root), fields[i].path);
			goto out;
		}
	if (!c.seen_ar) {
		err_set("%s:%d: key 'allreduce': missing (use [] for a single-GPU profile)", fname,
			line(root));
		goto out;
	}
	if (p->schema_version != PROFILE_SCHEMA_VERSION) {
		err_set("%s: key 'schema_version': expected %d, got '%d'", fname,
			PROFILE_SCHEMA_VERSION, p->schema_version);
		goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* --- checks ------------------------------------------------------------------------- */

/* An optional term and the range it must lie in, [0, max] (0: absent); sms: it is a term
 * of CTAs in waves over the SMs, so it needs the SM count */
struct range {
	const char *key;
	size_t off;
	double max;
	int sms;
};

static double at_off(const void *base, size_t off)
{
	return *(const double *)(const void *)((const char *)base + off);
}

/* Each term of t (fields of the struct at base, in section sec) in its range, and none
 * that needs the SM count set without it (sms_sec.sms, sms its value). */
static int check_ranges(const void *base, const struct range *t, size_t n, const char *sec,
			double sms, const char *sms_sec, const char *fname)
{
	for (size_t i = 0; i < n; i++) {
		double v = at_off(base, t[i].off);
		if (!(v >= 0 && v <= t[i].max))
			return err_set("%s: key '%s.%s': expected a number in [0, %g], got '%g'", fname,
				       sec, t[i].key, t[i].max, v);
		if (v > 0 && t[i].sms && !(sms > 0))
			return err_set("%s: key '%s.%s': needs '%s.sms' (the SM count) to be set", fname,
				       sec, t[i].key, sms_sec);
	}
	return 0;
}

/* The optional tile terms: each in its range, and none without the SM count they need. */
static int check_gemm_tiles(const struct gemm_model *g, const char *sec, const char *fname)
{
#define GT(k, max) {#k, offsetof(struct gemm_model, k), max, 1}
	static const struct range t[] = {
		GT(cta_half, 1e6), GT(wave_exp, 8), GT(wave_time, 1e-3), GT(row_time, 1e-3),
		GT(k_lat, 1e-3), GT(split_k, 1e12), GT(act_time, 1e-6),
	};
#undef GT
	if (!(g->sms >= 0 && g->sms <= 4096 && g->sms == floor(g->sms)))
		return err_set("%s: key '%s.sms': expected a whole number of SMs in [0, 4096], got '%g'",
			       fname, sec, g->sms);
	return check_ranges(g, t, sizeof(t) / sizeof(t[0]), sec, g->sms, sec, fname);
}

/* The optional attention terms: times per launch, CTA or sequence at most a millisecond,
 * the fallback kernel's efficiency a fraction, rates and sizes non-negative, and the terms
 * of CTAs in waves over the SMs only with the SM count. */
static int check_attention_terms(const struct profile *p, const char *fname)
{
#define AT(k, f, max, sms) {#k, offsetof(struct profile, f), max, sms}
	static const struct range t[] = {
		AT(prefill_kv_bw, attn_prefill.kv_bw, INFINITY, 0),
		AT(prefill_tile, attn_prefill.tile, 1e-3, 0),
		AT(prefill_tile_half, attn_prefill.tile_half, INFINITY, 0),
		AT(prefill_wide_eff, attn_prefill.wide_eff, 1, 0),
		AT(prefill_wave_exp, attn_prefill.wave_exp, 4, 1),
		AT(prefill_cache_round, attn_prefill.cache_round, 1e-3, 1),
		AT(decode_cta, attn_decode.cta, 1e-3, 1),
		AT(decode_cta_dim, attn_decode.cta_dim, 1e-3, 1),
		AT(decode_blk, attn_decode.blk, 1e-3, 1),
		AT(decode_split, attn_decode.split, 1e-3, 0),
		AT(decode_dyn_seq, attn_decode.dyn_seq, 1e-3, 0),
		AT(decode_wide_t0, attn_decode.wide_t0, 1e-3, 0),
		AT(decode_wide_cta, attn_decode.wide_cta, 1e-3, 0),
		AT(decode_l2_bytes, attn_decode.l2_bytes, INFINITY, 0),
		AT(decode_l2_bw, attn_decode.l2_bw, INFINITY, 0),
	};
#undef AT
	return check_ranges(p, t, sizeof(t) / sizeof(t[0]), "attention", p->gemm_bf16.sms,
			    "gemm_bf16", fname);
}

static int check_gemm(const struct gemm_model *g, const char *sec, const char *fname)
{
	if (!(g->peak > 0))
		return err_set("%s: key '%s.peak': expected a positive rate, got '%g'", fname, sec, g->peak);
	if (!(g->eff_max > 0 && g->eff_max <= 1))
		return err_set("%s: key '%s.eff_max': expected a fraction in (0, 1], got '%g'", fname,
			       sec, g->eff_max);
	if (!(g->bw_eff > 0 && g->bw_eff <= 1))
		return err_set("%s: key '%s.bw_eff': expected a fraction in (0, 1], got '%g'", fname,
			       sec, g->bw_eff);
	if (!(g->smooth >= 1 && g->smooth <= 64))
		return err_set("%s: key '%s.smooth': expected a number in [1, 64], got '%g'", fname,
			       sec, g->smooth);
	if (!(g->floor < 1e-3))
		return err_set("%s: key '%s.floor': expected seconds below 1e-3, got '%g'", fname,
			       sec, g->floor);
	if (!(g->m_half < 1e6 && g->nk_half < 1e6))
		return err_set("%s: key '%s.m_half': expected fewer than 1e6 tokens/features", fname, sec);
	return check_gemm_tiles(g, sec, fname);
}

static int check_ar_pair(double lat, double bw, int i, const char *name, const char *fname)
{
	if (lat == 0 && bw == 0)
		return 0;
	if (!(lat > 0 && lat < 1e-2 && bw > 0))
		return err_set("%s: key 'allreduce[%d].%s_lat': expected %s_lat in (0, 1e-2) s and "
			       "%s_%s > 0 (or neither), got '%g' and '%g'", fname, i, name, name, name,
			       strcmp(name, "car2") ? "busbw" : "bw", lat, bw);
	return 0;
}

int profile_validate(const struct profile *p, const char *fname)
{
	if (p->schema_version != PROFILE_SCHEMA_VERSION)
		return err_set("%s: key 'schema_version': expected %d, got '%d'", fname,
			       PROFILE_SCHEMA_VERSION, p->schema_version);
	if (!p->name[0] || !p->gpu[0])
		return err_set("%s: key 'name': expected a non-empty name and gpu", fname);
	if (p->gpus_per_node < 1 || p->gpus_per_node > 72)
		return err_set("%s: key 'node.gpus_per_node': expected 1..72, got '%d'", fname,
			       p->gpus_per_node);
	if (strcmp(p->topology, "nvswitch") && strcmp(p->topology, "pairwise-nvlink") &&
	    strcmp(p->topology, "pcie"))
		return err_set("%s: key 'node.topology': expected nvswitch, pairwise-nvlink or pcie, "
			       "got '%s'", fname, p->topology);
	if (!(p->hbm_bytes > 0 && p->hbm_bw > 0))
		return err_set("%s: key 'memory.hbm_bytes': expected positive memory size and bandwidth",
			       fname);
	if (!(p->mem_reserved_bytes < p->hbm_bytes))
		return err_set("%s: key 'memory.reserved_bytes': expected less than hbm_bytes, got '%g'",
			       fname, p->mem_reserved_bytes);
	if (check_gemm(&p->gemm_bf16, "gemm_bf16", fname) ||
	    check_gemm(&p->gemm_fp8, "gemm_fp8", fname))
		return -1;
	if (!(p->attn_prefill.rate > 0))
		return err_set("%s: key 'attention.prefill_rate': expected a positive rate", fname);
	if (!(p->attn_decode.bw > 0))
		return err_set("%s: key 'attention.decode_bw': expected a positive bandwidth", fname);
	if (!(p->attn_prefill.t0 < 1e-3 && p->attn_decode.t0 < 1e-3 && p->attn_decode.per_seq < 1e-3))
		return err_set("%s: key 'attention': expected per-launch and per-sequence times "
			       "below 1e-3 s", fname);
	/* the optional terms (absent: 0; the parser refuses negative ones) */
	if (check_attention_terms(p, fname))
		return -1;
	if (!(p->ew_bw > 0))
		return err_set("%s: key 'elementwise.bw': expected a positive bandwidth", fname);
	for (int i = 0; i < PROFILE_MAX_AR; i++) {
		const struct allreduce_model *a = &p->ar[i];
		if (!a->n_gpus)
			continue;
		if (a->n_gpus != 2 && a->n_gpus != 4 && a->n_gpus != 8)
			return err_set("%s: key 'allreduce[%d].n_gpus': expected 2, 4 or 8, got '%d'",
				       fname, i, a->n_gpus);
		/* an entry above gpus_per_node describes an all-reduce between nodes: kept for
		 * reference, never used for tensor parallelism (which stays inside a node) */
		for (int j = 0; j < i; j++)
			if (p->ar[j].n_gpus == a->n_gpus)
				return err_set("%s: key 'allreduce[%d].n_gpus': %d given twice", fname,
					       i, a->n_gpus);
		if (!(a->lat > 0 && a->lat < 1e-2 && a->busbw > 0))
			return err_set("%s: key 'allreduce[%d]': expected lat in (0, 1e-2) s and "
				       "busbw > 0", fname, i);
		if (a->car_max_bytes > 0 && !(a->car_bw > 0 && a->car_lat > 0 && a->car_lat < 1e-2))
			return err_set("%s: key 'allreduce[%d].car_bw': expected car_lat in (0, 1e-2) s "
				       "and car_bw > 0 when car_max_bytes > 0", fname, i);
		/* the optional regimes come in (latency, bandwidth) pairs: both or neither */
		if (check_ar_pair(a->ll128_lat, a->ll128_busbw, i, "ll128", fname) ||
		    check_ar_pair(a->simple_lat, a->simple_busbw, i, "simple", fname) ||
		    check_ar_pair(a->car2_lat, a->car2_bw, i, "car2", fname))
			return -1;
		if (a->car2_lat > 0 && !(a->car_max_bytes > 0))
			return err_set("%s: key 'allreduce[%d].car2_lat': expected car_max_bytes > 0 "
				       "(the two-stage kernel is the custom all-reduce's)", fname, i);
	}
	if (!(p->launch_eager > 0 && p->launch_graph > 0 && p->launch_graph <= p->launch_eager))
		return err_set("%s: key 'overhead.launch_graph': expected 0 < launch_graph <= "
			       "launch_eager, got '%g' and '%g'", fname, p->launch_graph, p->launch_eager);
	if (p->launch_eager > 1e-3)
		return err_set("%s: key 'overhead.launch_eager': expected seconds below 1e-3, got '%g'",
			       fname, p->launch_eager);
	if (!(p->step_base < 1 && p->step_per_seq < 1e-2 && p->step_per_tp < 1e-1))
		return err_set("%s: key 'overhead.step_base': implausible CPU overheads (expected "
			       "step_base < 1 s, step_per_seq < 1e-2 s, step_per_tp < 0.1 s)", fname);
	if (!(p->power_busy_w > 0 && p->power_idle_w <= p->power_busy_w))
		return err_set("%s: key 'power.busy_w': expected busy_w > 0 and idle_w <= busy_w, got "
			       "'%g' and '%g'", fname, p->power_busy_w, p->power_idle_w);
	return 0;
}

/* --- writing ------------------------------------------------------------------------ */

/* The shortest decimal that reads back to exactly d (so the output is byte-stable). */
static void fmt_double(char *buf, size_t n, double d)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_value(FILE *f, const void *base, const struct field *fl)
{
	const char *src = (const char *)base + fl->off;
	char num[40];
	if (fl->type == F_STR) {
		put_string(f, src);
	} else if (fl->type == F_INT) {
		fprintf(f, "%d", *(const int *)(const void *)src);
	} else {
		fmt_double(num, sizeof(num), *(const double *)(const void *)src);
		fputs(num, f);
	}
}

/* The value's line end, with the caller's comment for `path` if it has one. */
static void end_line(FILE *f, profile_note_fn note, void *ctx, const char *path)
{
	const char *n = note ? note(path, ctx) : NULL;
	if (n)
		fprintf(f, "  # %s", n);
	fputc('\n', f);
}

int profile_write(const struct profile *p, FILE *f)
{
	return profile_write_notes(p, f, NULL, NULL, NULL);
}

int profile_write_notes(const struct profile *p, FILE *f, const char *header,
			profile_note_fn note, void *ctx)
{
	char section[32] = "", path[96];

	fputs(header ? header : "# ttsim hardware profile (schema in models/profiles/README.md)\n",
	      f);
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *dot = strchr(fields[i].path, '.');
		if (fields[i].type == F_AR) {
			int any = 0;
			section[0] = 0;
			for (int a = 0; a < PROFILE_MAX_AR; a++) {
				if (!p->ar[a].n_gpus)
					continue;
				if (!any++)
					fputs("allreduce:\n", f);
				for (size_t j = 0; j < NAR_FIELDS; j++) {
					if (ar_fields[j].type == F_OPT &&
					    *(const double *)(const void *)((const char *)&p->ar[a] + ar_fields[j].off) == 0)
						continue;
					fprintf(f, "  %s %s: ", j ? " " : "-", ar_fields[j].path);
					put_value(f, &p->ar[a], &ar_fields[j]);
					snprintf(path, sizeof(path), "allreduce.%d.%s", p->ar[a].n_gpus,
						 ar_fields[j].path);
					end_line(f, note, ctx, path);
				}
			}
			if (!any)
				fputs("allreduce: []\n", f);
			continue;
		}
		if (fields[i].type == F_OPT && *(const double *)(const void *)((const char *)p + fields[i].off) == 0)
			continue;
		if (!dot) {
			section[0] = 0;
			fprintf(f, "%s: ", fields[i].path);
		} else {
			size_t sl = (size_t)(dot - fields[i].path);
			if (strlen(section) != sl || strncmp(section, fields[i].path, sl)) {
				snprintf(section, sizeof(section), "%.*s", (int)sl, fields[i].path);
				fprintf(f, "%s:\n", section);
			}
			fprintf(f, "  %s: ", dot + 1);
		}
		put_value(f, p, &fields[i]);
		end_line(f, note, ctx, fields[i].path);
	}
	if (p->n_unc && note)
		fputs("# relative standard errors of the fitted parameters (diagonal of the fit's\n"
		      "# covariance; the parameters are correlated, so sampling them one by one\n"
		      "# overstates the spread), used by ttsim run --profile-uncertainty. They are\n"
		      "# statistical errors given the model; the model's own misfit (the fit report's\n"
		      "# median error) is larger and is not in them.\n", f);
	if (p->n_unc)
		fputs("uncertainty:\n", f);
	for (int u = 0; u < p->n_unc; u++)
		fprintf(f, "  %s: %.6g\n", p->unc[u].path, p->unc[u].rel);
	if (ferror(f))
		return err_set("cannot write the profile '%s' (expected a writable output)", p->name);
	return 0;
}

void profile_perturb(struct profile *p, const double *z)
{
	for (int u = 0; u < p->n_unc; u++) {
		double f = 1.0 + p->unc[u].rel * z[u], *x = NULL;
		size_t j;
		int n;
		for (size_t i = 0; i < NFIELDS && !x; i++)
			if ((fields[i].type == F_DBL || fields[i].type == F_OPT) &&
			    !strcmp(fields[i].path, p->unc[u].path))
				x = (double *)(void *)((char *)p + fields[i].off);
		if (!x && !ar_unc_path(p->unc[u].path, &n, &j))
			for (int a = 0; a < PROFILE_MAX_AR && !x; a++)
				if (p->ar[a].n_gpus == n)
					x = (double *)(void *)((char *)&p->ar[a] + ar_fields[j].off);
		if (x)
			*x *= f > 0.1 ? f : 0.1;
	}
}

/* --- lookup ------------------------------------------------------------------------- */

const struct allreduce_model *profile_allreduce(const struct profile *p, int n_gpus)
{
	for (int i = 0; i < PROFILE_MAX_AR; i++)
		if (p->ar[i].n_gpus && p->ar[i].n_gpus == n_gpus)
			return &p->ar[i];
	return NULL;
}

#define PROFILE_DIR "models/profiles/"
#define MAX_BUILTIN 32
static char builtin_names[MAX_BUILTIN][48];
static size_t n_builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_init(void)
{
	size_t dl = strlen(PROFILE_DIR);
	for (size_t i = 0; i < asset_count() && n_builtin < MAX_BUILTIN; i++) {
		const char *path = asset_get(i)->path;
		size_t l = strlen(path);
		if (strncmp(path, PROFILE_DIR, dl) || l < dl + 6 || strcmp(path + l - 5, ".yaml") ||
		    strchr(path + dl, '/') || l - dl - 5 >= sizeof(builtin_names[0]))
			continue;
		memcpy(builtin_names[n_builtin], path + dl, l - dl - 5);
		builtin_names[n_builtin++][l - dl - 5] = 0;
	}
}

size_t profile_builtin_count(void)
{
	pthread_once(&builtin_once, builtin_init);
	return n_builtin;
}

const char *profile_builtin_name(size_t i)
{
	return i < profile_builtin_count() ? builtin_names[i] : NULL;
}

int profile_load(struct profile *p, const char *name)
{
	char path[256];
	const struct asset *a = NULL;
	struct stat st;
	int rc;

	if (strlen(name) < 64 && !strchr(name, '/')) {
		snprintf(path, sizeof(path), PROFILE_DIR "%s.yaml", name);
		a = asset_find(path);
	}
	if (a) {
		rc = profile_parse(p, (const char *)a->data, a->len, path);
		return rc ? rc : profile_validate(p, path);
	}
	if (stat(name, &st) || !S_ISREG(st.st_mode)) {
		struct sbuf sb = {0};
		for (size_t i = 0; i < profile_builtin_count(); i++)
			sbuf_printf(&sb, "%s%s", i ? ", " : "", profile_builtin_name(i));
		err_set("unknown profile '%s' (known: %s; or a path to a profile YAML)", name,
			sb.buf ? sb.buf : "none");
		sbuf_release(&sb);
		return -1;
	}
	size_t len;
	char *text = file_read(name, &len);
	if (!text)
		return -1;
	rc = profile_parse(p, text, len, name);
	free(text);
	return rc ? rc : profile_validate(p, name);
}
