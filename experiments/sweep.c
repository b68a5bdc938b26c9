/* sweep.c: the sweep block, its points and their result lines (see sweep.h). It does not
 * run anything in parallel itself: sweep_exec.c does. */
#include "experiments/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "lib/assets.h"
#include "lib/csv.h"
#include "lib/ydoc.h"

uint64_t sweep_hash(uint64_t h, const char *s, size_t n)
{
	if (!h)
		h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static const char *scalar(yaml_node_t *n) { return ydoc_str(n); }

static void axis_add(struct sweep_axis *a, const char *v)
{
	/* capacity: the next power of two (geometric growth keeps loading linear) */
	if (!(a->n & (a->n - 1)))
		a->vals = xrealloc(a->vals, sizeof(char *) * (size_t)(a->n ? 2 * a->n : 1));
	a->vals[a->n++] = xstrdup(v);
}

/* {from: A, to: B, step: S} or {from: A, to: B, factor: F} into a's values. */
static int range_values(struct sweep_axis *a, struct ydoc *doc, yaml_node_t *m,
			const char *where)
{
	const char *key = a->opt->name;
	double from = NAN, to = NAN, step = NAN, factor = NAN, v;
	int integral = a->opt->type == OPT_INT || a->opt->type == OPT_LONG;
	char buf[64], prefix[80];
	long n;
	struct ydoc_iter it;
	yaml_node_t *k, *x;

	snprintf(prefix, sizeof(prefix), "%s.", key);
	if (ydoc_map_unique(doc, m, prefix) < 0)
		return -1;
	for (ydoc_map_iter(&it, doc, m); ydoc_map_next(&it, &k, &x);) {
		double *dst;
		if (k->type != YAML_SCALAR_NODE || x->type != YAML_SCALAR_NODE)
			return err_set("%s: key '%s': expected a range {from, to, step | factor}", where,
				       key);
		if (!strcmp(scalar(k), "from"))
			dst = &from;
		else if (!strcmp(scalar(k), "to"))
			dst = &to;
		else if (!strcmp(scalar(k), "step"))
			dst = &step;
		else if (!strcmp(scalar(k), "factor"))
			dst = &factor;
		else
			return err_set("%s: key '%s.%s': unknown key (expected from, to, step or factor)",
				       where, key, scalar(k));
		if (parse_double(scalar(x), dst) < 0 || !isfinite(*dst))
			return err_set("%s: key '%s.%s': expected a number, got '%s'", where, key,
				       scalar(k), scalar(x));
	}
	if (isnan(from) || isnan(to))
		return err_set("%s: key '%s': a range needs 'from' and 'to' (expected {from: A, to: B, step: S})", where, key);
	if (isnan(step) == isnan(factor))
		return err_set("%s: key '%s': a range needs one of 'step' or 'factor' (expected exactly one)", where, key);
	if (!isnan(step)) {
		if (step == 0 || (to - from) * step < 0)
			return err_set("%s: key '%s': step %g never reaches %g from %g (expected a %s "
				       "step)", where, key, step, to, from,
				       to >= from ? "positive" : "negative");
		n = (long)floor((to - from) / step + 1e-9) + 1;
	} else {
		if (from <= 0 || factor <= 0 || factor == 1 || (to - from) * (factor - 1) < 0)
			return err_set("%s: key '%s': factor %g never reaches %g from %g (expected "
				       "from > 0 and a factor %s)", where, key, factor, to, from,
				       to >= from ? "above 1" : "between 0 and 1");
		n = (long)floor(log(to / from) / log(factor) + 1e-9) + 1;
	}
	if (n > 1000000)
		return err_set("%s: key '%s': the range has %ld values (expected at most 1000000)", where, key,
			       n);
	for (long i = 0; i < n; i++) {
		v = !isnan(step) ? from + (double)i * step : from * pow(factor, (double)i);
		if (integral) {
			if (fabs(v - nearbyint(v)) > 1e-9 * fmax(1, fabs(v)))
				return err_set("%s: key '%s': value %.15g of the range is not an integer (expected integers)",
					       where, key, v);
			snprintf(buf, sizeof(buf), "%.0f", nearbyint(v));
		} else {
			snprintf(buf, sizeof(buf), "%.12g", v);
		}
		axis_add(a, buf);
	}
	return 0;
}

static int load_filters(struct sweep *s, struct ydoc *doc, yaml_node_t *m, const char *where)
{
	struct ydoc_iter it;
	yaml_node_t *k, *x;
	if (m->type != YAML_MAPPING_NODE)
		return err_set("%s: key 'filters': expected a mapping (e.g. {skip_unfit: true})", where);
	if (ydoc_map_unique(doc, m, "filters.") < 0)
		return -1;
	for (ydoc_map_iter(&it, doc, m); ydoc_map_next(&it, &k, &x);) {
		const char *key = k->type == YAML_SCALAR_NODE ? scalar(k) : "?";
		long g;
		if (!strcmp(key, "gpus") || !strcmp(key, "max_gpus")) {
			if (x->type != YAML_SCALAR_NODE || parse_long(scalar(x), &g) < 0 || g < 1 ||
			    g > 1 << 20)
				return err_set("%s:%zu: key 'filters.%s': expected a positive number of GPUs",
					       s->path, ydoc_line(x), key);
			if (!strcmp(key, "gpus"))
				s->gpus = (int)g;
			else
				s->max_gpus = (int)g;
			continue;
		}
		if (strcmp(key, "skip_unfit"))
			return err_set("%s:%zu: key 'filters.%s': unknown filter (expected skip_unfit, "
				       "gpus or max_gpus)",
				       s->path, ydoc_line(k), key);
		if (x->type == YAML_SCALAR_NODE && !strcmp(scalar(x), "true"))
			s->skip_unfit = 1;
		else if (x->type == YAML_SCALAR_NODE && !strcmp(scalar(x), "false"))
			s->skip_unfit = 0;
		else
			return err_set("%s:%zu: key 'filters.skip_unfit': expected true or false",
				       s->path, ydoc_line(x));
	}
	return 0;
}

static int option_set_in_file(const struct run_config *c, const char *name)
{
	size_t n, i;
	const struct option_def *all = config_options(&n);
	i = (size_t)(config_option(name) - all);
	return (c->set_mask[i / 64] >> (i % 64)) & 1;
}

/* Every value of axis a set on its own, and no value twice, as values: 64 and 064, yes and
 * true are one point. Linear in the number of values (a hash set of indices: the pairwise
 * comparison it replaces took a minute at 200,000); the values' canonical texts sit in one
 * pool, a few bytes each. A swept key set at the top level of the file too is refused (one
 * of the two would be ignored). */
static int check_values(const struct sweep *s, const struct sweep_axis *a, const char *where)
{
	size_t cap = 16, mask;
	int *set, rc = 0;
	size_t *at;
	struct sbuf pool = {0};
	if (option_set_in_file(&s->base, a->opt->name))
		return err_set("%s: key '%s': swept here and set at the top level of %s too "
			       "(expected one of them)", where, a->opt->name, s->path);
	while (cap < 2 * (size_t)a->n)
		cap *= 2;
	mask = cap - 1;
	set = xmalloc(cap * sizeof(*set));
	memset(set, 0xff, cap * sizeof(*set)); /* -1: empty */
	at = xmalloc((size_t)a->n * sizeof(*at));
	for (int i = 0; i < a->n && !rc; i++) {
		const char *v = a->vals[i];
		struct run_config c = s->base;
		char text[300];
		size_t h;
		if (config_set(&c, a->opt->name, v, where) < 0) {
			rc = -1;
			break;
		}
		config_value_text(&c, a->opt, text, sizeof(text));
		at[i] = pool.len;
		sbuf_add(&pool, text, strlen(text) + 1);
		h = (size_t)sweep_hash(0, text, strlen(text)) & mask;
		while (set[h] >= 0 && strcmp(pool.buf + at[set[h]], text))
			h = (h + 1) & mask;
		if (set[h] >= 0) {
			const char *other = a->vals[set[h]];
			rc = err_set("%s: key '%s': value '%s' listed twice (expected distinct values%s%s%s)",
				     where, a->opt->name, v, strcmp(other, v) ? "; it is '" : "",
				     strcmp(other, v) ? other : "", strcmp(other, v) ? "' again" : "");
			break;
		}
		set[h] = i;
	}
	sbuf_release(&pool);
	free(at);
	free(set);
	return rc;
}

static int load_block(struct sweep *s, struct ydoc *doc, yaml_node_t *blk, size_t line)
{
	char where[600];
	struct ydoc_iter it;
	yaml_node_t *k, *v;
	snprintf(where, sizeof(where), "%s:%zu", s->path, line);
	if (blk->type == YAML_SCALAR_NODE && !*scalar(blk))
		return err_set("%s: key 'sweep': empty (expected at least one parameter with a list "
			       "or a range)", where);
	if (blk->type != YAML_MAPPING_NODE)
		return err_set("%s: key 'sweep': expected a mapping of parameters to lists or ranges",
			       where);
	/* a key given twice is refused as in every other block (libyaml keeps both pairs) */
	if (ydoc_map_unique(doc, blk, "") < 0)
		return -1;
	for (ydoc_map_iter(&it, doc, blk); ydoc_map_next(&it, &k, &v);) {
		const struct option_def *o;
		struct sweep_axis *a;
		snprintf(where, sizeof(where), "%s:%zu", s->path, ydoc_line(k));
		if (k->type != YAML_SCALAR_NODE)
			return err_set("%s: expected a parameter name", where);
		if (!strcmp(scalar(k), "filters")) {
			if (load_filters(s, doc, v, where) < 0)
				return -1;
			continue;
		}
		o = config_option(scalar(k));
		if (!o || !strcmp(o->name, "name"))
			return err_set("%s: key '%s': unknown parameter (expected an option of 'ttsim run "
				       "--help')", where, scalar(k));
		if (s->n_axes == SWEEP_MAX_AXES)
			return err_set("%s: key '%s': too many parameters (expected at most %d)", where, o->name,
				       SWEEP_MAX_AXES);
		a = &s->axes[s->n_axes++];
		a->opt = o;
		if (v->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *item = v->data.sequence.items.start;
			     item < v->data.sequence.items.top; item++) {
				yaml_node_t *x = ydoc_node(doc, *item);
				if (x->type != YAML_SCALAR_NODE)
					return err_set("%s: key '%s': expected a list of values", where,
						       o->name);
				axis_add(a, scalar(x));
			}
		} else if (v->type == YAML_MAPPING_NODE) {
			if (range_values(a, doc, v, where) < 0)
				return -1;
		} else {
			return err_set("%s: key '%s': expected a list [a, b, ...] or a range {from, to, "
				       "step | factor}, got '%s'", where, o->name, scalar(v));
		}
		if (!a->n)
			return err_set("%s: key '%s': empty list (expected at least one value)", where, o->name);
		/* each value must be valid on its own, and distinct: say so now, with its line */
		if (check_values(s, a, where) < 0)
			return -1;
	}
	if (!s->n_axes)
		return err_set("%s:%zu: key 'sweep': empty (expected at least one parameter with a "
			       "list or a range)", s->path, line);
	return 0;
}

/* FNV-1a of a file's bytes, streamed (a trace may be up to FILE_READ_MAX); 0 when it is not
 * a regular file or cannot be read (the run says why, later). */
static uint64_t file_hash(const char *path)
{
	struct stat st;
	char buf[65536];
	uint64_t h = 0;
	size_t n;
	FILE *f;
	if (!path[0] || stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	h = sweep_hash(0, "file", 4);
	/* above the input limit the run refuses it unread: do not read it here either */
	if ((uint64_t)st.st_size > FILE_READ_MAX) {
		long long meta[2] = {(long long)st.st_size, (long long)st.st_mtime};
		return sweep_hash(h, (const char *)meta, sizeof(meta));
	}
	if (!(f = fopen(path, "rb")))
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		h = sweep_hash(h, buf, n);
	fclose(f);
	return h;
}

static void input_add(struct sweep *s, const char *name, uint64_t h)
{
	for (int i = 0; i < s->n_inputs; i++)
		if (!strcmp(s->inputs[i].name, name))
			return;
	s->inputs = xrealloc(s->inputs, sizeof(*s->inputs) * (size_t)(s->n_inputs + 1));
	snprintf(s->inputs[s->n_inputs].name, sizeof(s->inputs[0].name), "%s", name);
	s->inputs[s->n_inputs++].hash = h;
}

/* The inputs: the build (its sources and embedded files, lib/version.h), and each file that a text option of the base or a
 * swept value names (whatever option it is: one added later is covered too). */
static void collect_inputs(struct sweep *s)
{
	size_t n;
	const struct option_def *all = config_options(&n);
	char v[300];
	s->n_inputs = 0;
	input_add(s, "ttsim:build", sweep_hash(0, ttsim_build_id(), strlen(ttsim_build_id())));
	for (size_t i = 0; i < n; i++) {
		int swept = 0;
		if (all[i].type != OPT_STR)
			continue;
		for (int a = 0; a < s->n_axes; a++) {
			if (s->axes[a].opt != &all[i])
				continue;
			swept = 1;
			for (int j = 0; j < s->axes[a].n; j++) {
				uint64_t h = file_hash(s->axes[a].vals[j]);
				if (h)
					input_add(s, s->axes[a].vals[j], h);
			}
		}
		if (swept)
			continue;
		config_value_text(&s->base, &all[i], v, sizeof(v));
		uint64_t h = file_hash(v);
		if (h)
			input_add(s, v, h);
	}
}

/* The fingerprint: what the results depend on (not the file's name or comments). */
void sweep_fingerprint(struct sweep *s)
{
	struct sbuf sb = {0};
	collect_inputs(s);
	config_write_yaml(&s->base, &sb);
	sbuf_printf(&sb, "sweep:\n");
	for (int i = 0; i < s->n_axes; i++) {
		sbuf_printf(&sb, "  %s:", s->axes[i].opt->name);
		for (int j = 0; j < s->axes[i].n; j++)
			sbuf_printf(&sb, " %s", s->axes[i].vals[j]);
		sbuf_printf(&sb, "\n");
	}
	sbuf_printf(&sb, "skip_unfit: %d\n", s->skip_unfit);
	if (s->gpus || s->max_gpus)
		sbuf_printf(&sb, "gpus: %d max_gpus: %d\n", s->gpus, s->max_gpus);
	for (int i = 0; i < s->n_inputs; i++)
		sbuf_printf(&sb, "input %s %016llx\n", s->inputs[i].name,
			    (unsigned long long)s->inputs[i].hash);
	s->fingerprint = sweep_hash(0, sb.buf, sb.len);
	sbuf_release(&sb);
}

int sweep_override(struct sweep *s, const char *key, const char *val, const char *where)
{
	for (int i = 0; i < s->n_axes; i++) {
		const char *ax = s->axes[i].opt->name;
		if (!strcmp(ax, key))
			return err_set("%s: key '%s': is swept in %s (its values come from the sweep "
				       "block)", where, key, s->path);
		/* the swept one sets the points' arrival: the other would be ignored */
		if ((!strcmp(key, "rate") && !strcmp(ax, "concurrency")) ||
		    (!strcmp(key, "concurrency") && !strcmp(ax, "rate")))
			return err_set("%s: key '%s': %s sweeps %s (arrival %s), which a %s would not "
				       "change (expected no %s)", where, key, s->path, ax,
				       strcmp(ax, "rate") ? "closed" : "poisson", key, key);
	}
	if (config_set(&s->base, key, val, where) < 0)
		return -1;
	sweep_fingerprint(s);
	return 0;
}

int sweep_load_text(struct sweep *s, const char *text, size_t len, const char *path)
{
	struct ydoc doc;
	struct ydoc_iter it;
	yaml_node_t *k, *v;
	int has_sweep = 0, rc = -1;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	config_defaults(&s->base);
	if (config_load_yaml_text(&s->base, text, len, path, &has_sweep) < 0)
		return -1;
	if (!has_sweep)
		return err_set("%s:1: key 'sweep': missing (expected a 'sweep:' block; for one "
			       "configuration use 'ttsim run')", path);
	/* config_load_yaml_text read this text already: it is one mapping, keys once */
	if (ydoc_load(&doc, text, len, path, " (expected key: value lines)") < 0)
		goto out;
	for (ydoc_map_iter(&it, &doc, ydoc_root(&doc)); ydoc_map_next(&it, &k, &v);)
		if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), "sweep") &&
		    load_block(s, &doc, v, ydoc_line(k)) < 0)
			goto out;
	/* as the `ttsim run` flags do: sweeping the rate means Poisson arrivals */
	for (int i = 0; i < s->n_axes; i++) {
		if (option_set_in_file(&s->base, "arrival"))
			break;
		if (!strcmp(s->axes[i].opt->name, "rate"))
			s->base.arrival = ARR_POISSON;
		if (!strcmp(s->axes[i].opt->name, "concurrency"))
			s->base.arrival = ARR_CLOSED;
	}
	s->n_points = 1;
	for (int i = 0; i < s->n_axes; i++) {
		if (s->n_points > SWEEP_MAX_POINTS / s->axes[i].n) {
			err_set("%s: key 'sweep': too many points (expected at most %ld)", path, SWEEP_MAX_POINTS);
			goto out;
		}
		s->n_points *= s->axes[i].n;
	}
	sweep_fingerprint(s);
	rc = 0;
out:
	ydoc_release(&doc);
	if (rc < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", err_msg());
		sweep_release(s);
		err_set("%s", msg);
	}
	return rc;
}

int sweep_load(struct sweep *s, const char *path)
{
	size_t len;
	char *text = file_read(path, &len);
	int rc;
	if (!text)
		return -1;
	rc = sweep_load_text(s, text, len, path);
	free(text);
	return rc;
}

void sweep_release(struct sweep *s)
{
	for (int i = 0; i < s->n_axes; i++) {
		for (int j = 0; j < s->axes[i].n; j++)
			free(s->axes[i].vals[j]);
		free(s->axes[i].vals);
	}
	s->n_axes = 0;
	free(s->inputs);
	s->inputs = NULL;
	s->n_inputs = 0;
}

/* The value index of axis i at point id (last axis fastest). */
static int value_index(const struct sweep *s, long id, int axis)
{
	for (int i = s->n_axes - 1; i > axis; i--)
		id /= s->axes[i].n;
	return (int)(id % s->axes[axis].n);
}

void sweep_point_config(const struct sweep *s, long id, struct run_config *c)
{
	*c = s->base;
	for (int i = 0; i < s->n_axes; i++)
		if (config_set(c, s->axes[i].opt->name, s->axes[i].vals[value_index(s, id, i)],
			       "sweep") < 0)
			bug("sweep value checked at load: %s", err_msg());
}

void sweep_point_label(const struct sweep *s, long id, struct sbuf *sb)
{
	for (int i = 0; i < s->n_axes; i++)
		sbuf_printf(sb, "%s%s=%s", i ? " " : "", s->axes[i].opt->name,
			    s->axes[i].vals[value_index(s, id, i)]);
}

/* --- inputs cache --- */

struct cache_entry {
	char key[4096];
	struct run_inputs in;
	int ok;
	char err[512];
	struct cache_entry *next;
};

struct sweep_cache {
	struct cache_entry *head;
};

struct sweep_cache *sweep_cache_new(void) { return xcalloc(1, sizeof(struct sweep_cache)); }

void sweep_cache_free(struct sweep_cache *k)
{
	if (!k)
		return;
	for (struct cache_entry *e = k->head, *nx; e; e = nx) {
		nx = e->next;
		if (e->ok)
			run_inputs_release(&e->in);
		free(e);
	}
	free(k);
}

int sweep_gpus_pass(const struct sweep *s, const struct run_config *c)
{
	if ((s->gpus && run_gpus(c) != s->gpus) || (s->max_gpus && run_gpus(c) > s->max_gpus)) {
		err_set("filtered: tp x pp x replicas = %d GPUs (filters: gpus %d, max_gpus %d)",
			run_gpus(c), s->gpus, s->max_gpus);
		return 0;
	}
	return 1;
}

const struct run_inputs *sweep_cache_get(struct sweep_cache *k, const struct run_config *c)
{
	char key[4096];
	struct cache_entry *e;
	run_inputs_key(c, key, sizeof(key));
	for (e = k->head; e; e = e->next)
		if (!strcmp(e->key, key))
			break;
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->ok = run_load_inputs(c, &e->in) == 0;
		if (!e->ok)
			snprintf(e->err, sizeof(e->err), "%s", err_msg());
		e->next = k->head;
		k->head = e;
	}
	if (!e->ok) {
		err_set("%s", e->err);
		return NULL;
	}
	return &e->in;
}

/* --- result lines --- */

struct metric {
	const char *name;
	size_t off;  /* into struct summary: a double, or a struct dist */
	int is_dist;
};

#define M(f) offsetof(struct summary, f)
static const struct metric metrics[] = {
	{"ttft_ms", M(ttft_ms), 1},
	{"tpot_ms", M(tpot_ms), 1},
	{"e2e_s", M(e2e_s), 1},
	{"problem_latency_s", M(problem_latency_s), 1},
	{"output_tok_per_s", M(output_tok_per_s), 0},
	{"total_tok_per_s", M(total_tok_per_s), 0},
	{"makespan_s", M(makespan_s), 0},
	{"gpu_seconds", M(gpu_seconds), 0},
	{"energy_j", M(energy_j), 0},
	{"cost_usd", M(cost_usd), 0},
	{"usd_per_mtok_output", M(usd_per_mtok_output), 0},
	{"accuracy", M(accuracy), 0},
	{"tokens_per_problem", M(tokens_per_problem), 0},
	{"usd_per_problem", M(usd_per_problem), 0},
	{"usd_per_correct", M(usd_per_correct), 0},
	{"output_tokens", M(output_tokens), 0},
	{"tok_per_s_per_gpu", M(tok_per_s_per_gpu), 0},
	{"acceptance_rate", M(acceptance_rate), 0},
	{"mean_accepted_len", M(mean_accepted_len), 0},
	{"goodput_req_per_s", M(goodput_req_per_s), 0},
	{"steady_output_tok_per_s", M(steady_output_tok_per_s), 0},
	{"steady_tok_per_s_per_gpu", M(steady_tok_per_s_per_gpu), 0},
	{"spec_drafted_fraction", M(spec_drafted_fraction), 0},
};
#undef M
static const char *const dist_fields[] = {"mean", "p50", "p90", "p99"};

void sweep_csv_header(const struct sweep *s, struct sbuf *sb)
{
	sbuf_printf(sb, "id");
	for (int i = 0; i < s->n_axes; i++)
		sbuf_printf(sb, ",%s", s->axes[i].opt->name);
	sbuf_printf(sb, ",status");
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
		if (!metrics[i].is_dist) {
			sbuf_printf(sb, ",%s", metrics[i].name);
			continue;
		}
		for (int j = 0; j < 4; j++)
			sbuf_printf(sb, ",%s.%s", metrics[i].name, dist_fields[j]);
	}
	sbuf_printf(sb, ",gpus,preemptions,latency_p90_s,reason\n");
}

static void params_json(const struct sweep *s, long id, cJSON *o)
{
	for (int i = 0; i < s->n_axes; i++) {
		const struct option_def *d = s->axes[i].opt;
		const char *v = s->axes[i].vals[value_index(s, id, i)];
		if (d->type == OPT_INT || d->type == OPT_LONG || d->type == OPT_DOUBLE)
			cJSON_AddNumberToObject(o, d->name, strtod(v, NULL));
		else
			cJSON_AddStringToObject(o, d->name, v);
	}
}

int sweep_run_point(const struct sweep *s, long id, struct sweep_cache *k, struct sbuf *csv,
		    struct sbuf *jsonl)
{
	struct run_config c;
	const struct run_inputs *in;
	struct run_result r;
	cJSON *root;
	char *js;
	int ok, filtered = 0;

	sweep_point_config(s, id, &c);
	memset(&r, 0, sizeof(r));
	if (!sweep_gpus_pass(s, &c)) {
		/* filtered out: recorded as skipped, so point ids stay those of the product */
		ok = 0;
		filtered = 1;
	} else {
		if (!(in = sweep_cache_get(k, &c)))
			return -1;
		ok = run_simulate(&c, in, &r) == 0;
	}
	if (!ok && !s->skip_unfit && !filtered) {
		run_result_release(&r);
		return -1;
	}
	sbuf_printf(csv, "%ld", id);
	for (int i = 0; i < s->n_axes; i++)
		csv_put_field(csv, s->axes[i].vals[value_index(s, id, i)]);
	sbuf_printf(csv, ",%s", ok ? "ok" : "skipped");
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
		const char *f = (const char *)&r.sum + metrics[i].off;
		if (!metrics[i].is_dist) {
			csv_put_num(csv, ok ? *(const double *)f : NAN, 10);
			continue;
		}
		const struct dist *d = (const struct dist *)f;
		csv_put_num(csv, ok ? d->mean : NAN, 10);
		csv_put_num(csv, ok ? d->p50 : NAN, 10);
		csv_put_num(csv, ok ? d->p90 : NAN, 10);
		csv_put_num(csv, ok ? d->p99 : NAN, 10);
	}
	csv_put_num(csv, ok ? r.sum.gpus : NAN, 10);
	csv_put_num(csv, ok ? (double)r.sum.preemptions : NAN, 10);
	csv_put_num(csv, ok ? r.sum.problem_latency_s.p90 : NAN, 10);
	csv_put_field(csv, ok ? "" : err_msg());
	sbuf_add(csv, "\n", 1);

	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "id", (double)id);
	params_json(s, id, cJSON_AddObjectToObject(root, "params"));
	cJSON_AddStringToObject(root, "status", ok ? "ok" : "skipped");
	if (ok) {
		cJSON_AddItemToObject(root, "summary", summary_to_json(&r.sum));
		if (isfinite(r.sum.problem_latency_s.p90))
			cJSON_AddNumberToObject(root, "latency_p90_s", r.sum.problem_latency_s.p90);
	} else {
		cJSON_AddStringToObject(root, "reason", err_msg());
	}
	js = cJSON_PrintUnformatted(root);
	sbuf_printf(jsonl, "%s\n", js);
	free(js);
	cJSON_Delete(root);
	run_result_release(&r);
	return 0;
}
