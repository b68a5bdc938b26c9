/*
 * sweep.h: parameter sweeps. An experiment file with a `sweep:` block names, for any option
 * of the option table (config.h), a list of values or a numeric range; the sweep is the
 * Cartesian product of those lists, in the order the keys appear, the last key fastest.
 * Point id = its index in that order. Each point is one `ttsim run` of the base
 * configuration with the point's values set by name (config_set), so every option that
 * `ttsim run` knows can be swept and nothing here needs to change when one is added.
 *
 *   sweep:
 *     model: [r1-qwen-1.5b, r1-qwen-14b]     # a list
 *     rate: {from: 1, to: 10, step: 1}       # an arithmetic range (step may be negative)
 *     concurrency: {from: 1, to: 64, factor: 2}  # a geometric range (factor > 1)
 *     filters: {skip_unfit: true}            # record points the engine refuses as skipped
 *     filters: {gpus: 4}                     # only layouts with tp x replicas = 4 (max_gpus: <=)
 *
 * Sweeping `rate` implies `arrival: poisson` and `concurrency` implies `arrival: closed`
 * unless the file sets `arrival` itself (as the `ttsim run` flags do).
 *
 * Results (DIR/results.csv, DIR/results.jsonl) hold one line per point, strictly in point
 * order, each written with one write(2), so a crash leaves at most one torn final line,
 * which --resume cuts off. DIR/sweep.json holds the sweep's fingerprint (a hash of the
 * resolved base configuration, the sweep block, the CONTENTS of every file a point names, the
 * shipped profiles and traces embedded in the binary, and ttsim's version); a directory with
 * another fingerprint is refused rather than mixed, naming the input that changed. The lines of a point depend only on its configuration, so the
 * files are byte-identical whatever the number of threads, MPI ranks or resumptions.
 *
 * Ownership: struct sweep owns its value strings (sweep_release). Workers keep their own
 * struct sweep_cache of loaded inputs (model, profile, trace), keyed by the strings that
 * run_load_inputs reads, so a trace is parsed once per worker, not once per point.
 */
#ifndef TTSIM_SWEEP_H
#define TTSIM_SWEEP_H

#include <stdint.h>

#include "sim/config.h"
#include "sim/run.h"
#include "lib/util.h"
#include "lib/version.h"

#define SWEEP_MAX_AXES 32
#define SWEEP_MAX_POINTS 100000000L

struct sweep_axis {
	const struct option_def *opt; /* the swept option */
	int n;                        /* values */
	char **vals;                  /* canonical text of each value (owned) */
};

struct sweep {
	char path[512];               /* the experiment file */
	struct run_config base;       /* options outside the sweep block, resolved */
	int n_axes;
	struct sweep_axis axes[SWEEP_MAX_AXES];
	long n_points;                /* product of the axes' sizes */
	int skip_unfit;               /* filters.skip_unfit */
	int gpus, max_gpus;           /* filters: keep points with tp x replicas == gpus (<= max_gpus) */
	uint64_t fingerprint;         /* FNV-1a of all that the results depend on (below) */
	int n_inputs;                 /* files the points name, and the shipped assets */
	struct sweep_input *inputs;   /* owned */
};

/* One input whose bytes the results depend on: a file a point's configuration names (by
 * any text option: model config.json, profile, trace, acceptance table), hashed by content,
 * or "ttsim:build" (the build id of lib/version.h, which covers the embedded files too). */
struct sweep_input {
	char name[300];
	uint64_t hash;                /* FNV-1a of the contents */
};

/* Read an experiment file with a sweep block. 0, or -1 with err_set ("FILE:LINE: key 'K':
 * ..."): no sweep block, an empty one, an unknown parameter, a bad value or range. */
int sweep_load(struct sweep *s, const char *path);
int sweep_load_text(struct sweep *s, const char *text, size_t len, const char *path);
void sweep_release(struct sweep *s);
/* Set a base option from the command line (not a swept one); the fingerprint follows. */
int sweep_override(struct sweep *s, const char *key, const char *val, const char *where);
/* Recompute s->fingerprint (and s->inputs) from the base configuration, axes, filters,
 * the files they name (read again now), the embedded assets and the version. */
void sweep_fingerprint(struct sweep *s);

/* The configuration of point id (0 <= id < n_points): base + the point's values. */
void sweep_point_config(const struct sweep *s, long id, struct run_config *c);
/* Does c pass the sweep's GPU filters (filters: gpus, max_gpus)? 1, or 0 with err_set saying
 * why ("filtered: ..."), for a point recorded as skipped. */
int sweep_gpus_pass(const struct sweep *s, const struct run_config *c);
/* "tp=2 samples=8" for messages. */
void sweep_point_label(const struct sweep *s, long id, struct sbuf *sb);

/* Loaded inputs, per worker. */
struct sweep_cache;
struct sweep_cache *sweep_cache_new(void);
void sweep_cache_free(struct sweep_cache *k);
/* The inputs for c, loaded on first use; NULL with err_set. */
const struct run_inputs *sweep_cache_get(struct sweep_cache *k, const struct run_config *c);

/* The CSV header line (with '\n'): id, the swept parameters, status, metrics, reason. */
void sweep_csv_header(const struct sweep *s, struct sbuf *sb);
/* Simulate point id and append its CSV and JSONL lines (each ending in '\n'). Returns 0
 * (status ok, or skipped under skip_unfit), or -1 with err_set for a point that fails. */
int sweep_run_point(const struct sweep *s, long id, struct sweep_cache *k, struct sbuf *csv,
		    struct sbuf *jsonl);

/*
 * The runner: points [0, n) computed by `jobs` threads (and MPI ranks), handed out one at a
 * time (dynamic load balancing: points differ a lot in cost), written in point order by one
 * writer. point() fills one point's two lines; it may run concurrently for different ids
 * and gets its worker's index (0..jobs-1) for per-worker state.
 */
typedef int (*sweep_point_fn)(void *ctx, int worker, long id, struct sbuf *csv,
			      struct sbuf *jsonl);

struct sweep_exec {
	long n;                 /* points */
	int jobs;               /* compute threads in this process */
	sweep_point_fn point;
	void *ctx;
	int csv_fd, jsonl_fd;   /* where lines go (appended), or -1 */
	long start;             /* first point to compute (those before are on file) */
	int progress;           /* 0 none, 1 a bar (terminal), 2 plain periodic lines */
	const char *what;       /* "points" / "configurations", for the progress line */
	/* out: */
	long done;              /* points on file when it returned (start + written) */
	long failed_id;         /* the point that failed (-1 none) */
	int io_error;           /* writing its lines failed (disk full...), not the point:
				 * 1 the CSV file, 2 the JSONL file; 0 none */
	char failed_msg[512];
	int signal;             /* SIGINT/SIGTERM that stopped it, 0 none */
};
/* A run of n points of `point` over jobs threads, nothing on file yet, no output files
 * (csv_fd and jsonl_fd -1), no progress line; `what` names the points in messages. */
static inline struct sweep_exec sweep_exec_make(long n, int jobs, sweep_point_fn point,
						void *ctx, const char *what)
{
	struct sweep_exec e = {.n = n, .jobs = jobs, .point = point, .ctx = ctx,
			       .csv_fd = -1, .jsonl_fd = -1, .what = what};
	return e;
}
/* Run it; 0 when every point was written, -1 otherwise (failed point, signal, I/O error;
 * the lines written are complete). */
int sweep_exec_run(struct sweep_exec *e);
/* Under MPI (TTSIM_MPI) with more than one rank: ranks > 0 call this instead; it returns
 * when rank 0 says stop. */
int sweep_exec_worker(struct sweep_exec *e);

/* Hash (FNV-1a 64) used for fingerprints. */
uint64_t sweep_hash(uint64_t h, const char *s, size_t n);

#endif
