/* import.c: public tables to raw calibration rows (see import.h). */
#include "calibration/calib_import.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/util.h"

/* Column index of a header name, -1 if absent. */
static int col(const struct csv *c, const char *name) { return csv_col(c, name); }

static int set_gpu(struct raw_set *rs, const char *gpu, const char *file, int line,
		   const struct import_options *o)
{
	if (o->gpu)
		gpu = o->gpu;
	if (!gpu || !*gpu)
		return 0;
	if (!rs->gpu[0]) {
		strlcpy0(rs->gpu, gpu, sizeof(rs->gpu));
		strlcpy0(rs->gpu_file, file, sizeof(rs->gpu_file));
		return 0;
	}
	if (strcmp(rs->gpu, gpu))
		return err_set("%s:%d: key 'device': mixed GPUs, '%s' here but '%s' in %s (expected "
			       "one GPU kind per import; --gpu NAME to override)", file, line, gpu,
			       rs->gpu, rs->gpu_file);
	return 0;
}

static int num(const char *file, int line, char **f, int nf, int c, const char *name, double *out)
{
	if (c < 0 || c >= nf || parse_double(f[c], out) || !isfinite(*out) || *out <= 0)
		return err_set("%s:%d: key '%s': bad value '%s' (expected a positive number)", file,
			       line, name, c >= 0 && c < nf ? f[c] : "");
	return 0;
}

static int need(const struct csv *c, const char *file, const char *const *names)
{
	for (; *names; names++)
		if (col(c, *names) < 0)
			return err_set("%s:%d: key '%s': missing column (expected it in the header)",
				       file, c->hdr_line, *names);
	return 0;
}

static double dtype_bytes(const char *t)
{
	if (!strcmp(t, "half") || !strcmp(t, "bfloat16") || !strcmp(t, "float16") ||
	    !strcmp(t, "bf16") || !strcmp(t, "fp16"))
		return 2;
	if (!strcmp(t, "float") || !strcmp(t, "float32"))
		return 4;
	if (!strcmp(t, "int8") || !strcmp(t, "fp8") || !strcmp(t, "uint8"))
		return 1;
	return 0;
}

/* The base name of path without directories and extension, into buf. */
static void base_name(const char *path, char *buf, size_t n)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	strlcpy0(buf, b, n);
	char *dot = strstr(buf, ".csv");
	if (dot)
		*dot = 0;
}

/* Rows of aiconfigurator / vidur / nccl-tests CSVs. Returns rows added, or -1. */
static int import_csv_line(struct raw_set *rs, const char *kind, const struct csv *c,
			   const char *path, const char *rpath, int line, char **f, int nf,
			   const struct import_options *o)
{
	double v[8] = {0};
	int dev = col(c, "device");
	if (dev >= 0 && dev < nf && set_gpu(rs, f[dev], path, line, o))
		return -1;

	if (!strcmp(kind, "aiconfigurator") && col(c, "gemm_dtype") >= 0) {
		int dc = col(c, "gemm_dtype");
		if (dc >= nf) /* a short row: f[dc] was never set */
			return err_set("%s:%d: key 'gemm_dtype': missing field (expected %d fields)",
				       path, line, c->nh);
		const char *dt = f[dc];
		const char *d = !strcmp(dt, "bfloat16") ? "bf16" : !strcmp(dt, "fp8") ? "fp8" : NULL;
		if (!d)
			return 0;
		if (num(path, line, f, nf, col(c, "m"), "m", &v[0]) ||
		    num(path, line, f, nf, col(c, "n"), "n", &v[1]) ||
		    num(path, line, f, nf, col(c, "k"), "k", &v[2]) ||
		    num(path, line, f, nf, col(c, "latency_ms"), "latency_ms", &v[3]))
			return -1;
		struct raw_row *r = raw_add(rs, RAW_GEMM);
		strlcpy0(r->s[0], d, sizeof(r->s[0]));
		r->v[0] = v[0], r->v[1] = v[1], r->v[2] = v[2], r->t = v[3] * 1e-3;
		r->file = rpath, r->line = line;
		return 1;
	}
	if (!strcmp(kind, "aiconfigurator") && col(c, "num_key_value_heads") >= 0) {
		/* ms in both: 'latency_ms' in the 0.24.0 tables as converted, 'latency' in the
		 * parquet's own columns (the A100 0.14.0 tables, shipped unchanged) */
		const char *lat = col(c, "latency_ms") >= 0 ? "latency_ms" : "latency";
		int ws = col(c, "window_size");
		if (ws >= 0 && ws < nf && strcmp(f[ws], "0"))
			return 0; /* sliding-window rows: not in the profile's model */
		if (num(path, line, f, nf, col(c, "batch_size"), "batch_size", &v[0]) ||
		    num(path, line, f, nf, col(c, "isl"), "isl", &v[1]) ||
		    num(path, line, f, nf, col(c, "num_heads"), "num_heads", &v[2]) ||
		    num(path, line, f, nf, col(c, "num_key_value_heads"), "num_key_value_heads", &v[3]) ||
		    num(path, line, f, nf, col(c, "head_dim"), "head_dim", &v[4]) ||
		    num(path, line, f, nf, col(c, lat), lat, &v[5]))
			return -1;
		double step = 0;
		int sc = col(c, "step");
		if (sc >= 0 && sc < nf && (parse_double(f[sc], &step) || step < 0))
			return err_set("%s:%d: key 'step': bad value '%s' (expected >= 0)", path, line, f[sc]);
		int gen = strstr(path, "generation") ? 1 : strstr(path, "context") ? 0 : v[1] == 1;
		struct raw_row *r = raw_add(rs, gen ? RAW_DECODE : RAW_PREFILL);
		r->v[0] = v[0], r->v[1] = gen ? v[1] + step : v[1];
		r->v[2] = v[2], r->v[3] = v[3], r->v[4] = v[4], r->t = v[5] * 1e-3;
		r->file = rpath, r->line = line;
		return 1;
	}
	if (!strcmp(kind, "aiconfigurator") && col(c, "message_size") >= 0) {
		int custom = col(c, "allreduce_dtype") >= 0;
		int opc = col(c, "op_name"), dtc = col(c, custom ? "allreduce_dtype" : "nccl_dtype");
		if (opc < 0 || dtc < 0)
			return err_set("%s:%d: key '%s': missing column (expected it in the header)", path, c->hdr_line, opc < 0 ? "op_name" :
				       custom ? "allreduce_dtype" : "nccl_dtype");
		if (opc >= nf || strcmp(f[opc], "all_reduce"))
			return 0;
		double eb = dtc < nf ? dtype_bytes(f[dtc]) : 0;
		if (eb == 1)
			return 0; /* int8 sums: another kernel; the engine reduces bf16 activations */
		if (!eb)
			return err_set("%s:%d: key '%s': unknown data type '%s' (expected a known NCCL data type)", path, line,
				       c->hdr[dtc], dtc < nf ? f[dtc] : "");
		if (num(path, line, f, nf, col(c, "num_gpus"), "num_gpus", &v[0]) ||
		    num(path, line, f, nf, col(c, "message_size"), "message_size", &v[1]) ||
		    num(path, line, f, nf, col(c, "latency"), "latency", &v[2]))
			return -1;
		int ks = col(c, "kernel_source");
		struct raw_row *r = raw_add(rs, RAW_ALLREDUCE);
		strlcpy0(r->s[0], custom ? "custom" : "nccl", sizeof(r->s[0]));
		r->v[0] = v[0], r->v[1] = v[1] * eb;
		r->v[2] = custom && ks >= 0 && ks < nf && strstr(f[ks], "graph");
		r->t = v[2] * 1e-3;
		r->file = rpath, r->line = line;
		return 1;
	}
	if (!strcmp(kind, "vidur") && col(c, "time_stats.all_reduce.median") >= 0) {
		int rk = col(c, "rank"), dpn = col(c, "devices_per_node"), nw = col(c, "num_workers");
		if (need(c, path, (const char *const[]){"rank", "devices_per_node", "num_workers", "size", 0}))
			return -1;
		if (rk >= nf || strcmp(f[rk], "0") || dpn >= nf || nw >= nf || strcmp(f[dpn], f[nw]))
			return 0; /* other ranks repeat rank 0; multi-node rows are not in the model */
		if (num(path, line, f, nf, nw, "num_workers", &v[0]) ||
		    num(path, line, f, nf, col(c, "size"), "size", &v[1]) ||
		    num(path, line, f, nf, col(c, "time_stats.all_reduce.median"),
			"time_stats.all_reduce.median", &v[2]))
			return -1;
		if (v[0] < 2)
			return 0;
		struct raw_row *r = raw_add(rs, RAW_ALLREDUCE);
		strlcpy0(r->s[0], "nccl", sizeof(r->s[0]));
		r->v[0] = v[0], r->v[1] = v[1], r->v[2] = 0, r->t = v[2] * 1e-3;
		r->file = rpath, r->line = line;
		return 1;
	}
	if (!strcmp(kind, "vidur") && col(c, "time_stats.mlp_up_proj.median") >= 0) {
		static const char *const cols[] = {"n_head", "n_kv_head", "n_embd", "n_expanded_embd",
						   "use_gated_mlp", "num_tokens",
						   "num_tensor_parallel_workers", 0};
		if (need(c, path, cols))
			return -1;
		double nh = 0, nkv = 0, emb = 0, exp = 0, tok = 0, tp = 0;
		if (num(path, line, f, nf, col(c, "n_head"), "n_head", &nh) ||
		    num(path, line, f, nf, col(c, "n_kv_head"), "n_kv_head", &nkv) ||
		    num(path, line, f, nf, col(c, "n_embd"), "n_embd", &emb) ||
		    num(path, line, f, nf, col(c, "n_expanded_embd"), "n_expanded_embd", &exp) ||
		    num(path, line, f, nf, col(c, "num_tokens"), "num_tokens", &tok) ||
		    num(path, line, f, nf, col(c, "num_tensor_parallel_workers"),
			"num_tensor_parallel_workers", &tp))
			return -1;
		int gc = col(c, "use_gated_mlp");
		if (gc >= nf) /* a short row: f[gc] was never set */
			return err_set("%s:%d: key 'use_gated_mlp': missing field (expected %d fields)",
				       path, line, c->nh);
		const char *g = f[gc];
		int gated = !strcmp(g, "True") || !strcmp(g, "true") || !strcmp(g, "1");
		double hd = emb / nh;
		struct { const char *op; double n, k; } ops[4] = {
			{"attn_pre_proj", (nh + 2 * nkv) * hd / tp, emb},
			{"attn_post_proj", emb, nh * hd / tp},
			{"mlp_up_proj", exp * (gated ? 2 : 1) / tp, emb},
			{"mlp_down_proj", emb, exp / tp},
		};
		char model[64], key[80];
		base_name(path, model, sizeof(model));
		char *us = strstr(model, "__");
		if (us)
			*us = 0;
		char *p1 = strchr(model, '_'); /* drop the "h100_" prefix */
		const char *label = p1 ? p1 + 1 : model;
		int added = 0;
		for (int i = 0; i < 4; i++) {
			snprintf(key, sizeof(key), "time_stats.%s.median", ops[i].op);
			int tc = col(c, key);
			double t = 0;
			if (tc < 0)
				return err_set("%s:%d: key '%s': missing column (expected it in the header)", path, c->hdr_line, key);
			if (num(path, line, f, nf, tc, key, &t))
				return -1;
			struct raw_row *r = raw_add(rs, RAW_GEMM);
			strlcpy0(r->s[0], "bf16", sizeof(r->s[0]));
			strlcpy0(r->s[1], label, sizeof(r->s[1]));
			r->v[0] = tok, r->v[1] = floor(ops[i].n + 0.5), r->v[2] = floor(ops[i].k + 0.5);
			r->t = t * 1e-3;
			r->file = rpath, r->line = line;
			added++;
		}
		return added;
	}
	if (!strcmp(kind, "nccl-tests") && col(c, "oop_time_us") >= 0) {
		int tc = col(c, "topology");
		const char *rk = tc >= 0 && tc < nf ? strstr(f[tc], "ranks)") : NULL;
		double n = 0;
		if (rk) {
			const char *p = rk;
			while (p > f[tc] && (p[-1] == ' ' || (p[-1] >= '0' && p[-1] <= '9')))
				p--;
			n = strtod(p, NULL);
		}
		if (!(n >= 2 && n <= 8))
			return n == 1 ? 0 : err_set("%s:%d: key 'topology': no GPU count in '%s' "
						    "(expected '... (N ranks)', N from 2 to 8)", path,
						    line, tc >= 0 && tc < nf ? f[tc] : "");
		if (num(path, line, f, nf, col(c, "size_bytes"), "size_bytes", &v[0]) ||
		    num(path, line, f, nf, col(c, "oop_time_us"), "oop_time_us", &v[1]))
			return -1;
		struct raw_row *r = raw_add(rs, RAW_ALLREDUCE);
		strlcpy0(r->s[0], "nccl", sizeof(r->s[0]));
		r->v[0] = n, r->v[1] = v[0], r->v[2] = 0, r->t = v[1] * 1e-6;
		r->file = rpath, r->line = line;
		return 1;
	}
	return err_set("%s:%d: unknown %s layout (header '%s...'; expected one of calibration/README.md)", path,
		       c->hdr_line, kind, c->nh ? c->hdr[0] : "");
}

/* nccl-tests stdout: "#  Rank  0 Group ... device  0 [0x..] NAME" lines, "graph: N", and
 * data lines whose out-of-place time (us) is the 8th field from the end. */
static int import_nccl_stdout(struct raw_set *rs, char *text, const char *path,
			      const char *rpath, const struct import_options *o)
{
	int ranks = 0, graph = 0, line = 0, rows = 0;
	char *save = text, *l;
	for (char *p = text; (p = strstr(p, "Rank ")) != NULL; p++)
		ranks++;
	char *g = strstr(text, "graph:");
	if (g)
		graph = strtol(g + 6, NULL, 10) != 0;
	while ((l = save) != NULL) {
		char *nl = strchr(l, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = 0;
		line++;
		if (*l == '#') {
			char *b = strstr(l, "] ");
			if (strstr(l, "Rank") && b && set_gpu(rs, b + 2, path, line, o))
				return -1;
			continue;
		}
		char *tok[32];
		int nt = 0;
		for (char *t = strtok(l, " \t\r"); t && nt < 32; t = strtok(NULL, " \t\r"))
			tok[nt++] = t;
		if (nt < 10 || tok[0][0] < '0' || tok[0][0] > '9')
			continue;
		if (o->match && !strstr(l, o->match))
			continue;
		double bytes, t;
		if (parse_double(tok[0], &bytes) || parse_double(tok[nt - 8], &t) || !(t > 0) ||
		    !(bytes > 0))
			return err_set("%s:%d: bad nccl-tests line (expected size, count, type, ..., "
				       "time in us, algbw, busbw, #wrong)", path, line);
		if (ranks < 2 || ranks > 8)
			return err_set("%s:%d: %d '# Rank' lines (expected 2 to 8 GPUs in one process)",
				       path, line, ranks);
		struct raw_row *r = raw_add(rs, RAW_ALLREDUCE);
		strlcpy0(r->s[0], "nccl", sizeof(r->s[0]));
		r->v[0] = ranks, r->v[1] = bytes, r->v[2] = graph, r->t = t * 1e-6;
		r->file = rpath, r->line = line;
		rows++;
	}
	if (!rows)
		return err_set("%s:%d: no all_reduce_perf data lines", path, line);
	if (!rs->gpu[0] && o->gpu)
		set_gpu(rs, NULL, path, 0, o);
	return 0;
}

int import_kind_ok(const char *kind)
{
	return !strcmp(kind, "aiconfigurator") || !strcmp(kind, "vidur") || !strcmp(kind, "nccl-tests");
}

int import_file(struct raw_set *rs, const char *kind, const char *path,
		const struct import_options *o)
{
	size_t len;
	char *text = file_read(path, &len);
	int rc;
	if (!text)
		return -1;
	rc = import_text(rs, kind, text, len, path, o);
	free(text);
	return rc;
}

int import_text(struct raw_set *rs, const char *kind, const char *src, size_t len,
		const char *path, const struct import_options *o)
{
	char *text = xmalloc(len + 1);
	memcpy(text, src, len);
	text[len] = 0;
	const char *rpath = raw_intern(rs, path);
	int rc = 0, rows = 0, line = 0;
	char *l;

	if (!strcmp(kind, "nccl-tests") && !strstr(text, "oop_time_us")) {
		rc = import_nccl_stdout(rs, text, path, rpath, o);
		free(text);
		return rc;
	}
	struct csv c;
	csv_init(&c, text, len, CSV_SKIP_BLANK | CSV_SKIP_COMMENT | CSV_TRIM);
	while (!rc && (l = csv_line(&c)) != NULL) {
		if (!c.hdr_line) {
			csv_split_line(&c, l);
			csv_set_header(&c);
			continue;
		}
		if (o->match && !strstr(l, o->match))
			continue;
		csv_split_line(&c, l);
		int n = import_csv_line(rs, kind, &c, path, rpath, c.line, c.f, c.nf, o);
		if (n < 0)
			rc = -1;
		else
			rows += n;
	}
	line = c.line;
	if (!rc && !c.hdr_line)
		rc = err_set("%s:%d: empty file (expected a header line)", path, line);
	if (!rc && !rows)
		rc = err_set("%s:%d: no usable rows for %s", path, line, kind);
	if (!rc && o->gpu && !rs->gpu[0])
		set_gpu(rs, NULL, path, 0, o);
	csv_release(&c);
	free(text);
	return rc;
}
