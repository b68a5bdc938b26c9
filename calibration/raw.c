/* raw.c: read and write the raw calibration CSVs (see raw.h). Knows no model equations. */
#include "calibration/raw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/util.h"

/* One row per family: file, columns (text columns marked by a leading '$'; '?' = optional). */
static const struct {
	const char *name, *file, *cols;
} raw_specs[RAW_NFAMILY] = {
	[RAW_GEMM] = {"gemm", "gemm.csv", "$dtype,m,n,k,time_s,?$model"},
	[RAW_PREFILL] = {"attention_prefill", "attention_prefill.csv",
			 "batch,seq_len,heads,kv_heads,head_dim,time_s"},
	[RAW_DECODE] = {"attention_decode", "attention_decode.csv",
			"batch,kv_len,heads,kv_heads,head_dim,time_s"},
	[RAW_MEMBW] = {"membw", "membw.csv", "$op,bytes,time_s"},
	[RAW_ALLREDUCE] = {"allreduce", "allreduce.csv", "n_gpus,bytes,time_s,$impl,graph"},
	[RAW_LAUNCH] = {"launch", "launch.csv", "$mode,kernels,time_s"},
};

const char *raw_family_file(enum raw_family f) { return raw_specs[f].file; }
const char *raw_family_name(enum raw_family f) { return raw_specs[f].name; }

static int kernel_is_reference(const char *k)
{
	return !strncmp(k, RAW_REFERENCE_KERNEL, strlen(RAW_REFERENCE_KERNEL));
}

int raw_is_reference(const struct raw_table *t) { return kernel_is_reference(t->kernel); }

const char *raw_family_columns(enum raw_family f)
{
	static char buf[RAW_NFAMILY][96];
	if (!buf[f][0]) {
		size_t j = 0;
		for (const char *c = raw_specs[f].cols; *c && j + 1 < sizeof(buf[f]); c++)
			if (*c != '$' && *c != '?')
				buf[f][j++] = *c;
	}
	return buf[f];
}

void raw_set_init(struct raw_set *rs) { memset(rs, 0, sizeof(*rs)); }

void raw_set_release(struct raw_set *rs)
{
	for (int f = 0; f < RAW_NFAMILY; f++)
		free(rs->fam[f].rows);
	for (size_t i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	memset(rs, 0, sizeof(*rs));
}

struct raw_row *raw_add(struct raw_set *rs, enum raw_family f)
{
	struct raw_table *t = &rs->fam[f];
	xgrow((void **)&t->rows, &t->cap, t->n + 1, sizeof(*t->rows));
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	return &t->rows[t->n++];
}

const char *raw_intern(struct raw_set *rs, const char *name)
{
	rs->files = xrealloc(rs->files, (rs->nfiles + 1) * sizeof(*rs->files));
	rs->files[rs->nfiles] = xstrdup(name);
	return rs->files[rs->nfiles++];
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = 0;
	return s;
}

int raw_split(char *line, char **fields, int max)
{
	int n = csv_split(line, CSV_TRIM, fields, max);
	return n > max ? max : n;
}

/* Column spec parsed: name, text or number, optional. */
struct colspec {
	char name[24];
	int text, optional, idx; /* idx: position in the file, -1 if absent */
};

static int parse_spec(enum raw_family f, struct colspec *cs)
{
	char buf[128], *fld[12];
	strlcpy0(buf, raw_specs[f].cols, sizeof(buf));
	int n = raw_split(buf, fld, 12);
	for (int i = 0; i < n; i++) {
		const char *s = fld[i];
		cs[i].optional = *s == '?';
		if (*s == '?')
			s++;
		cs[i].text = *s == '$';
		if (*s == '$')
			s++;
		strlcpy0(cs[i].name, s, sizeof(cs[i].name));
		cs[i].idx = -1;
	}
	return n;
}

/* Bounds of numeric columns: a value outside means wrong units or a broken file. */
static int check_value(const char *col, double v)
{
	if (!strcmp(col, "time_s"))
		return v > 0 && v < 600 ? 0 : -1;
	if (!strcmp(col, "graph"))
		return v == 0 || v == 1 ? 0 : -1;
	if (!strcmp(col, "n_gpus"))
		return v >= 2 && v <= 8 && v == floor(v) ? 0 : -1;
	return v >= 1 && v < 1e15 && v == floor(v) ? 0 : -1;
}

static const char *expect_of(const char *col)
{
	if (!strcmp(col, "time_s"))
		return "seconds, > 0 and < 600";
	if (!strcmp(col, "graph"))
		return "0 or 1";
	if (!strcmp(col, "n_gpus"))
		return "an integer from 2 to 8";
	return "a positive integer";
}

/* The words of the text columns that take a fixed set (the rest: any word under 32 bytes),
 * and each set as its message says it. */
static const struct {
	const char *col, *words[5], *say;
} text_cols[] = {
	{"dtype", {"bf16", "fp8"}, "bf16 or fp8"},
	{"op", {"read", "write", "copy", "triad"}, "read, write, copy or triad"},
	{"impl", {"nccl", "custom"}, "nccl or custom"},
	{"mode", {"eager", "graph"}, "eager or graph"},
};

static int check_text(const char *col, const char *s)
{
	for (size_t i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++)
		if (!strcmp(text_cols[i].col, col)) {
			for (int j = 0; j < 5 && text_cols[i].words[j]; j++)
				if (!strcmp(text_cols[i].words[j], s))
					return 0;
			return -1;
		}
	return strlen(s) < 32 ? 0 : -1;
}

/* What a text column takes, for its message. */
static const char *text_choices(const char *col)
{
	for (size_t i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++)
		if (!strcmp(text_cols[i].col, col))
			return text_cols[i].say;
	return "a word of at most 31 characters";
}

int raw_parse(struct raw_set *rs, enum raw_family f, const char *text, const char *fname,
	      int allow_mixed)
{
	struct colspec cs[12];
	int ncs = parse_spec(f, cs), have_header = 0, nrows = 0, lineno = 0, hdr_nf = 0;
	struct raw_table *t = &rs->fam[f];
	char kernel[sizeof(t->kernel)] = "";
	const char *file = raw_intern(rs, fname);
	struct csv c;
	char *line;
	int rc = 0;

	/* '#' lines are read here: they carry the '# gpu:' and '# kernel:' metadata */
	csv_init(&c, text, strlen(text), CSV_SKIP_BLANK | CSV_TRIM);
	while ((line = csv_line(&c)) != NULL) {
		lineno = c.line;
		char *l = trim(line);
		if (*l == '#') {
			char *key = trim(l + 1), *colon = strchr(key, ':');
			if (!colon)
				continue;
			*colon = 0;
			char *val = trim(colon + 1);
			if (!strcmp(trim(key), "kernel") && !have_header)
				strlcpy0(kernel, val, sizeof(kernel));
			if (!strcmp(trim(key), "gpu") && *val) {
				if (!rs->gpu[0]) {
					strlcpy0(rs->gpu, val, sizeof(rs->gpu));
					strlcpy0(rs->gpu_file, fname, sizeof(rs->gpu_file));
				} else if (strcmp(rs->gpu, val) && !allow_mixed) {
					rc = err_set("%s:%d: key 'gpu': mixed GPUs, '%s' here but '%s' in %s "
						     "(expected one GPU kind; --gpu-name NAME to combine)",
						     fname, lineno, val, rs->gpu, rs->gpu_file);
					break;
				}
			}
			continue;
		}
		int nf = csv_split_line(&c, l);
		char **fld = c.f;
		if (!have_header) {
			int dup = csv_repeated(fld, nf);
			if (dup >= 0) {
				rc = err_set("%s:%d: key '%s': a column named twice (expected each once)",
					     fname, lineno, fld[dup]);
				break;
			}
			hdr_nf = nf;
			for (int i = 0; i < ncs; i++)
				for (int j = 0; j < nf; j++)
					if (!strcmp(fld[j], cs[i].name))
						cs[i].idx = j;
			for (int i = 0; i < ncs; i++) {
				if (cs[i].idx >= 0 || cs[i].optional)
					continue;
				const char *hint = "";
				for (int j = 0; j < nf; j++)
					if (!strcmp(cs[i].name, "time_s") && strstr(fld[j], "time"))
						hint = " (times must be in seconds)";
				rc = err_set("%s:%d: key '%s': missing column (expected %s)%s", fname, lineno,
					     cs[i].name, raw_family_columns(f), hint);
				break;
			}
			if (rc)
				break;
			/* a fit of reference kernels and the serving engine's together fits neither */
			if (t->nfiles && kernel_is_reference(kernel) != raw_is_reference(t)) {
				rc = err_set("%s:%d: key 'kernel': %s%s%s here but %s%s%s in %s "
					     "(expected ttsim's reference kernels or measurements of "
					     "another kernel, not both)", fname, lineno,
					     kernel[0] ? "'" : "", kernel[0] ? kernel : "none",
					     kernel[0] ? "'" : "", t->kernel[0] ? "'" : "",
					     t->kernel[0] ? t->kernel : "none", t->kernel[0] ? "'" : "",
					     t->kernel_file);
				break;
			}
			if (!t->nfiles++) {
				strlcpy0(t->kernel, kernel, sizeof(t->kernel));
				t->kernel_file = file;
			}
			have_header = 1;
			continue;
		}
		if (nf != hdr_nf) { /* a row of more or fewer fields than the header names */
			rc = err_set("%s:%d: %d fields (expected %d as in the header)", fname, lineno,
				     nf, hdr_nf);
			break;
		}
		struct raw_row *r = raw_add(rs, f);
		int nv = 0, ns = 0;
		r->file = file;
		r->line = lineno;
		for (int i = 0; i < ncs && !rc; i++) {
			const char *s = cs[i].idx >= 0 && cs[i].idx < nf ? fld[cs[i].idx] : NULL;
			if (cs[i].idx >= 0 && !s)
				rc = err_set("%s:%d: key '%s': missing value (expected %d fields)", fname,
					     lineno, cs[i].name, ncs);
			else if (cs[i].text) {
				if (s && check_text(cs[i].name, s))
					rc = err_set("%s:%d: key '%s': bad value '%s' (expected %s)", fname,
						     lineno, cs[i].name, s, text_choices(cs[i].name));
				else
					strlcpy0(r->s[ns], s ? s : "", sizeof(r->s[0]));
				ns++;
			} else {
				double v;
				if (parse_double(s, &v) || !isfinite(v) || check_value(cs[i].name, v))
					rc = err_set("%s:%d: key '%s': bad value '%s' (expected %s)", fname,
						     lineno, cs[i].name, s, expect_of(cs[i].name));
				else if (!strcmp(cs[i].name, "time_s"))
					r->t = v;
				else
					r->v[nv++] = v;
			}
		}
		if (rc)
			break;
		nrows++;
	}
	if (!line)
		lineno = c.line;
	if (!rc && !have_header)
		rc = err_set("%s:%d: no header line (expected %s)", fname, lineno, raw_family_columns(f));
	else if (!rc && !nrows)
		rc = err_set("%s:%d: no data rows (expected at least one)", fname, lineno);
	csv_release(&c);
	return rc;
}

int raw_load_dir(struct raw_set *rs, const char *dir, int allow_mixed)
{
	int found = 0;
	for (int f = 0; f < RAW_NFAMILY; f++) {
		char path[1024];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, raw_specs[f].file);
		FILE *probe = fopen(path, "rb");
		if (!probe)
			continue;
		fclose(probe);
		char *text = file_read(path, &len);
		if (!text)
			return -1;
		int rc = raw_parse(rs, f, text, path, allow_mixed);
		free(text);
		if (rc)
			return -1;
		found++;
	}
	if (!found)
		return err_set("%s: no raw calibration files (expected gemm.csv, attention_prefill.csv, "
			       "attention_decode.csv, membw.csv, allreduce.csv or launch.csv)", dir);
	return 0;
}

int raw_write_dir(const struct raw_set *rs, const char *dir, const struct raw_meta *meta)
{
	if (mkdir_p(dir))
		return -1;
	for (int f = 0; f < RAW_NFAMILY; f++) {
		const struct raw_table *t = &rs->fam[f];
		struct colspec cs[12];
		int ncs = parse_spec(f, cs);
		struct sbuf sb = {0};
		char path[1024];
		if (!t->n)
			continue;
		sbuf_printf(&sb, "# ttsim raw calibration: %s\n", raw_specs[f].name);
		sbuf_printf(&sb, "# gpu: %s\n", meta->gpu ? meta->gpu : rs->gpu);
		if (meta->gpu_count)
			sbuf_printf(&sb, "# gpu_count: %d\n", meta->gpu_count);
		if (t->kernel[0])
			sbuf_printf(&sb, "# kernel: %s\n", t->kernel);
		if (meta->source)
			sbuf_printf(&sb, "# source: %s\n", meta->source);
		if (meta->command)
			sbuf_printf(&sb, "# command: %s\n", meta->command);
		if (meta->date)
			sbuf_printf(&sb, "# date: %s\n", meta->date);
		sbuf_printf(&sb, "%s\n", raw_family_columns(f));
		for (size_t i = 0; i < t->n; i++) {
			const struct raw_row *r = &t->rows[i];
			int nv = 0, ns = 0;
			for (int c = 0; c < ncs; c++) {
				if (c)
					sbuf_add(&sb, ",", 1);
				if (cs[c].text)
					sbuf_printf(&sb, "%s", r->s[ns++]);
				else if (!strcmp(cs[c].name, "time_s"))
					sbuf_printf(&sb, "%.9g", r->t);
				else
					sbuf_printf(&sb, "%.17g", r->v[nv++]);
			}
			sbuf_add(&sb, "\n", 1);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, raw_specs[f].file);
		int rc = file_write_atomic(path, sb.buf, sb.len);
		sbuf_release(&sb);
		if (rc)
			return -1;
	}
	return 0;
}
