/*
 * raw.h: the raw calibration format, the measured tables that the CUDA benchmarks
 * (calibration/bench/) write and the importers produce, and that the fitter reads.
 *
 * A raw directory holds up to one CSV per family (calibration/README.md documents each):
 *     gemm.csv               dtype,m,n,k,time_s[,model]
 *     attention_prefill.csv  batch,seq_len,heads,kv_heads,head_dim,time_s
 *     attention_decode.csv   batch,kv_len,heads,kv_heads,head_dim,time_s
 *     membw.csv              op,bytes,time_s
 *     allreduce.csv          n_gpus,bytes,time_s,impl,graph
 *     launch.csv             mode,kernels,time_s
 * Each file opens with '#' lines "# key: value" (gpu, gpu_count, driver, cuda, cublas, nccl,
 * clocks, date, command, source), then one header line naming the columns (any order,
 * extra columns ignored), then one row per measurement. Times are seconds, sizes bytes.
 *
 * A raw_set owns its rows and the file names they came from; rows of several directories
 * can be loaded into one set (raw_load_dir appends). Every row remembers its file and line
 * so that the fitter's messages can name them.
 *
 * To add a family: a row in raw_specs (raw.c) naming its columns, an enum value here,
 * and a fit in fit.c.
 */
#ifndef TTSIM_RAW_H
#define TTSIM_RAW_H

#include <stddef.h>

enum raw_family {
	RAW_GEMM, RAW_PREFILL, RAW_DECODE, RAW_MEMBW, RAW_ALLREDUCE, RAW_LAUNCH, RAW_NFAMILY
};

#define RAW_MAXNUM 5 /* numeric columns besides time_s */
#define RAW_MAXSTR 2 /* text columns */

/* One measurement. Columns in the order of the family's spec (raw.c):
 *   gemm:      s[0] dtype ("bf16"|"fp8"), v = m, n, k;  s[1] model label ("" if none)
 *   prefill:   v = batch, seq_len, heads, kv_heads, head_dim
 *   decode:    v = batch, kv_len, heads, kv_heads, head_dim
 *   membw:     s[0] op (read|write|copy|triad), v = bytes moved
 *   allreduce: s[0] impl (nccl|custom), v = n_gpus, bytes, graph (0|1)
 *   launch:    s[0] mode (eager|graph), v = kernels */
struct raw_row {
	double v[RAW_MAXNUM];
	char s[RAW_MAXSTR][32];
	double t;          /* s: measured time of one operation */
	const char *file;  /* owned by the raw_set */
	int line;          /* 1-based line in file */
};

struct raw_table {
	struct raw_row *rows;
	size_t n, cap;
	char kernel[64];         /* '# kernel:' of its first file ("" if it names none) */
	const char *kernel_file; /* that file */
	int nfiles;
};

/* The '# kernel:' value that ttsim's own attention benchmark (calibration/bench/attention.cu)
 * writes: CUDA-core reference kernels, not the serving engine's FlashAttention. One family
 * of a raw_set holds rows of reference kernels or of others, never both. */
#define RAW_REFERENCE_KERNEL "ttsim-reference"
int raw_is_reference(const struct raw_table *t);

struct raw_set {
	struct raw_table fam[RAW_NFAMILY];
	char gpu[96];       /* from '# gpu:' of the first file ("" if none) */
	char gpu_file[256]; /* the file that named it */
	char **files;       /* names owned here */
	size_t nfiles;
};

/* The file name ("gemm.csv") and the column list ("dtype,m,n,k,time_s") of a family. */
const char *raw_family_file(enum raw_family f);
const char *raw_family_columns(enum raw_family f);
/* Short family name for reports ("gemm", "attention_prefill", ...). */
const char *raw_family_name(enum raw_family f);

void raw_set_init(struct raw_set *rs);
void raw_set_release(struct raw_set *rs);
/* Append a row (its file and line may be NULL and 0 for generated data). */
struct raw_row *raw_add(struct raw_set *rs, enum raw_family f);
/* Remember a file name; returns the copy owned by rs. */
const char *raw_intern(struct raw_set *rs, const char *name);

/* Parse one family's CSV text into rs. 0, or -1 with err_set "FILE:LINE: ..." for missing
 * columns, wrong units (a time column not in seconds), NaN or out-of-range values, or a
 * '# gpu:' that differs from the one already in rs (unless allow_mixed), or a file of
 * ttsim's reference kernels in a family that has rows of other kernels (or the reverse). */
int raw_parse(struct raw_set *rs, enum raw_family f, const char *text, const char *fname,
	      int allow_mixed);
/* Load every family file present in dir; -1 if none is, or on the first error. */
int raw_load_dir(struct raw_set *rs, const char *dir, int allow_mixed);

/* Split a CSV line in place at commas (no quoting: raw and imported files have none);
 * strips spaces and a trailing CR. Returns the number of fields (at most max). */
int raw_split(char *line, char **fields, int max);

/* Header lines written at the top of every raw CSV ("# key: value"). */
struct raw_meta {
	const char *gpu, *source, *command, *date;
	int gpu_count;
};
/* Write the families of rs that have rows into dir (created if needed), one CSV each,
 * through file_write_atomic. 0, or -1 with err_set. */
int raw_write_dir(const struct raw_set *rs, const char *dir, const struct raw_meta *meta);

#endif
