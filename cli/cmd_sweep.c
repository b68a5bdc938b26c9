/*
 * cmd_sweep.c: `ttsim sweep EXPERIMENT.yaml [--jobs N] [--out DIR] [--resume]` and
 * `ttsim capacity EXPERIMENT.yaml --slo-ttft-p90 S --slo-tpot-p90 S`. The sweep itself is
 * experiments/sweep.c (points, lines) and experiments/sweep_exec.c (threads, MPI, ordered writing); this
 * file owns the output directory: fingerprint, refusal to mix sweeps, resume.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#ifdef TTSIM_MPI
#include <mpi.h>
#endif

#include "experiments/capacity.h"
#include "cli/cmd.h"
#include "cli/sweep_common.h"
#include "experiments/study.h"
#include "experiments/sweep.h"
#include "lib/flags.h"
#include "lib/csv.h"
#include "lib/util.h"

struct point_ctx {
	const struct sweep *s;
	struct sweep_cache **caches; /* one per worker */
};

static int sweep_point(void *ctx, int worker, long id, struct sbuf *csv, struct sbuf *jsonl)
{
	struct point_ctx *p = ctx;
	return sweep_run_point(p->s, id, p->caches[worker], csv, jsonl);
}

int mpi_rank, mpi_size = 1; /* shared with cmd_plan.c (cli/cmd.h) */

#ifndef TTSIM_MPI
/* The number of tasks an MPI launcher (mpirun, mpiexec, srun) started, from the environment
 * it gives each task; 1 when there is none or a single task. */
static long launcher_tasks(const char **var)
{
	static const char *const size_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE",
						"MPI_LOCALNRANKS", NULL};
	const char *v;
	long n;
	for (int i = 0; size_vars[i]; i++)
		if ((v = getenv(size_vars[i])) && !parse_long(v, &n) && n > 1) {
			*var = size_vars[i];
			return n;
		}
	/* PMIx gives the rank only: a rank above 0 means more than one task */
	if ((v = getenv("PMIX_RANK")) && !parse_long(v, &n) && n > 0) {
		*var = "PMIX_RANK";
		return n + 1;
	}
	/* Slurm: a task of a step (SLURM_PROCID) of more than one task */
	if (getenv("SLURM_PROCID")) {
		static const char *const slurm[] = {"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS",
						    "SLURM_NPROCS", NULL};
		for (int i = 0; slurm[i]; i++)
			if ((v = getenv(slurm[i])) && !parse_long(v, &n)) {
				if (n > 1) {
					*var = slurm[i];
					return n;
				}
				break;
			}
	}
	return 1;
}
#endif

void mpi_start(int *argc, char ***argv)
{
#ifndef TTSIM_MPI
	const char *var = NULL;
	long n = launcher_tasks(&var);
	(void)argc;
	if (n > 1)
		die("%s: started as one of %s%ld tasks by an MPI launcher (%s), but this ttsim was "
		    "built without MPI: each task would run every point; rebuild with 'make MPI=1', "
		    "or run it once without the launcher (threads: --jobs N)", (*argv)[0],
		    strcmp(var, "PMIX_RANK") ? "" : "at least ", n, var);
#endif
#ifdef TTSIM_MPI
	int provided;
	MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
	MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
	/* every rank parses the same input and fails the same way: rank 0 speaks for all */
	if (mpi_rank > 0 && !freopen("/dev/null", "w", stderr))
		bug("cannot reopen stderr");
#endif
}

void mpi_stop(void)
{
#ifdef TTSIM_MPI
	MPI_Finalize();
#endif
}

int parse_jobs(const char *v)
{
	long n;
	if (parse_long(v, &n) < 0 || n < 1 || n > 4096)
		die("--jobs: expected a number of workers from 1 to 4096, got '%s'", v);
	return (int)n;
}

/* A flags_parse error of sweep or capacity (cmd), in the words both use. */
void die_flags(const struct flags_error *fe, const char *cmd)
{
	if (fe->rule == FLAGS_NO_VALUE)
		die("%s: missing value", fe->arg);
	if (fe->rule == FLAGS_TWICE) /* flags_parse's words */
		die_err();
	die("unexpected argument '%s' (see 'ttsim %s --help')", fe->arg, cmd);
}

/* One cache of loaded inputs per worker (sweep and capacity): jobs of them. */
struct sweep_cache **caches_new(int jobs)
{
	struct sweep_cache **c = xcalloc((size_t)jobs, sizeof(*c)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	for (int i = 0; i < jobs; i++)
		c[i] = sweep_cache_new();
	return c;
}

void caches_free(struct sweep_cache **c, int jobs)
{
	for (int i = 0; i < jobs; i++)
		sweep_cache_free(c[i]);
	free(c);
}

int default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	/* under MPI the ranks are the parallelism: one compute thread each */
	return mpi_size > 1 ? 1 : n > 0 ? (int)n : 1;
}

/* Complete lines of a results file, read one line at a time (a sweep of 10^8 points has
 * files of hundreds of GB: nothing is held but the current line). Counts at most `limit`
 * data lines; *end = the offset just after the last one counted (after the header when
 * none). The id at the start of data line i must be i. Returns the count (0 for a missing
 * file), or -1 with err_set. */
static long scan_lines(const char *path, int has_header, const char *header, long limit,
		       long *end)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t k;
	long n = 0, lineno = 0, off = 0;
	*end = 0;
	if (!f)
		return errno == ENOENT ? 0 : err_set("%s: cannot read: %s", path, strerror(errno));
	if (has_header && (k = getline(&line, &cap, f)) > 0) {
		if ((size_t)k != strlen(header) || memcmp(line, header, (size_t)k)) {
			free(line);
			fclose(f);
			return err_set("%s:1: the header differs from this sweep's columns", path);
		}
		off = *end = (long)k;
		lineno = 1;
	}
	while (n < limit && (k = getline(&line, &cap, f)) > 0 && line[k - 1] == '\n') {
		char *e;
		long id;
		const char *p = has_header ? line : line + 6;
		lineno++;
		if (!has_header && strncmp(line, "{\"id\":", 6)) {
			err_set("%s:%ld: not a result line", path, lineno);
			n = -1;
			break;
		}
		id = strtol(p, &e, 10);
		if (e == p || id != n) {
			err_set("%s:%ld: expected point %ld here (was the file edited?)", path, lineno, n);
			n = -1;
			break;
		}
		off += (long)k;
		*end = off;
		n++;
	}
	if (n >= 0 && ferror(f))
		n = err_set("%s: cannot read: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return n;
}

/* Skipped points in a results.jsonl, read a line at a time. */
static long count_skipped(const char *dir)
{
	char path[1100], *line = NULL;
	size_t cap = 0;
	long n = 0;
	FILE *f;
	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	if (!(f = fopen(path, "rb")))
		return 0;
	while (getline(&line, &cap, f) > 0)
		n += strstr(line, "\"status\":\"skipped\"") != NULL;
	free(line);
	fclose(f);
	return n;
}

/* Why a directory's fingerprint differs: the first input whose hash changed, one that is
 * new, or the configuration itself. */
static void changed_input(const struct sweep *s, const cJSON *old, char *why, size_t n)
{
	if (!cJSON_IsObject(old)) {
		snprintf(why, n, "written by an older ttsim or another configuration");
		return;
	}
	for (int i = 0; i < s->n_inputs; i++) {
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(old, s->inputs[i].name);
		char now[20];
		snprintf(now, sizeof(now), "%016llx", (unsigned long long)s->inputs[i].hash);
		if (cJSON_IsString(h) && !strcmp(h->valuestring, now))
			continue;
		if (!strcmp(s->inputs[i].name, "ttsim:version"))
			snprintf(why, n, "computed by another ttsim version, this one is %s",
				 TTSIM_VERSION);
		else if (!strcmp(s->inputs[i].name, "ttsim:assets"))
			snprintf(why, n, "computed with other shipped profiles or traces (another "
				 "ttsim build)");
		else if (cJSON_IsString(h))
			snprintf(why, n, "input file '%s' changed since", s->inputs[i].name);
		else
			snprintf(why, n, "input file '%s' was not an input then", s->inputs[i].name);
		return;
	}
	snprintf(why, n, "another configuration or sweep block");
}

/* Hold DIR/sweep.lock (an fcntl write lock) until the process exits, so that two sweeps
 * into one directory cannot interleave their lines: the second one stops here, naming the
 * process that holds it. The lock goes with the process, even on kill -9. */
static void lock_dir(const char *dir)
{
	static int fd = -1;
	char path[1100], pid[32];
	struct flock fl;
	if (fd >= 0)
		return;
	snprintf(path, sizeof(path), "%s/sweep.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT, 0644)) < 0)
		die("%s: cannot create the lock file: %s", path, strerror(errno));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		if (errno != EACCES && errno != EAGAIN)
			die("%s: cannot lock: %s", path, strerror(errno));
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			die("%s: in use by another sweep (process %ld holds %s); wait for it, or "
			    "choose another --out", dir, (long)fl.l_pid, path);
		die("%s: in use by another sweep (it holds %s); wait for it, or choose another "
		    "--out", dir, path);
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) < 0)
		die("%s: cannot write: %s", path, strerror(errno));
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Open DIR's results for this sweep: fresh, or (resume) cut to the points complete in both
 * files. Returns the number of points already there. Dies on a directory of another sweep. */
static long open_results(const struct sweep *s, const char *dir, int resume, int *csv_fd,
			 int *jsonl_fd)
{
	char p_json[1100], p_csv[1100], p_jsonl[1100], p_cfg[1100], fp[32];
	struct sbuf hdr = {0}, sb = {0};
	long done = 0, nc, nj, ec = 0, ej = 0;
	int have_meta;

	snprintf(p_json, sizeof(p_json), "%s/sweep.json", dir);
	snprintf(p_csv, sizeof(p_csv), "%s/results.csv", dir);
	snprintf(p_jsonl, sizeof(p_jsonl), "%s/results.jsonl", dir);
	snprintf(p_cfg, sizeof(p_cfg), "%s/config.yaml", dir);
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)s->fingerprint);
	sweep_csv_header(s, &hdr);
	/* before anything is read or cut: a second writer would interleave lines */
	if (mkdir_p(dir) < 0)
		die_err();
	lock_dir(dir);
	have_meta = file_exists(p_json);
	if (have_meta) {
		size_t len;
		char *t = file_read(p_json, &len);
		cJSON *j = t ? cJSON_Parse(t) : NULL;
		cJSON *f = j ? cJSON_GetObjectItem(j, "fingerprint") : NULL;
		if (!cJSON_IsString(f))
			die("%s: unreadable sweep fingerprint; remove '%s' to start fresh", p_json, dir);
		if (strcmp(f->valuestring, fp)) { /* NOLINT(clang-analyzer-core.NullDereference): cJSON_IsString(NULL) is false */
			char why[700], was[64];
			changed_input(s, cJSON_GetObjectItem(j, "inputs"), why, sizeof(why));
			snprintf(was, sizeof(was), "%s", f->valuestring);
			cJSON_Delete(j); /* freed before exiting: LeakSanitizer runs at exit */
			free(t);
			die("%s: holds results of a different sweep (%s; fingerprint %s, this one %s); "
			    "remove it (rm -r %s) or choose another --out to start fresh",
			    dir, why, was, fp, dir);
		}
		cJSON_Delete(j);
		free(t);
	} else if (file_exists(p_csv) || file_exists(p_jsonl)) {
		die("%s: holds results but no sweep.json (not this sweep's); remove it (rm -r %s) or "
		    "choose another --out to start fresh", dir, dir);
	}
	if (have_meta) {
		if ((nc = scan_lines(p_csv, 1, hdr.buf, LONG_MAX, &ec)) < 0 ||
		    (nj = scan_lines(p_jsonl, 0, NULL, LONG_MAX, &ej)) < 0)
			die("%s; remove '%s' to start fresh", err_msg(), dir);
		done = nc < nj ? nc : nj;
		if (done > 0 && !resume)
			die("%s: already holds %ld of %ld points of this sweep; add --resume to continue, "
			    "or remove it (rm -r %s) to start fresh", dir, done, s->n_points, dir);
		if (resume && done > 0) {
			/* cut a torn last line, and lines one file has that the other lacks (a second
			 * pass, up to `done`, over the longer one) */
			if ((nc > done && scan_lines(p_csv, 1, hdr.buf, done, &ec) < 0) ||
			    (nj > done && scan_lines(p_jsonl, 0, NULL, done, &ej) < 0))
				die("%s; remove '%s' to start fresh", err_msg(), dir);
			if (truncate(p_csv, ec) < 0 || truncate(p_jsonl, ej) < 0)
				die("%s: cannot truncate: %s", dir, strerror(errno));
		}
	}
	sbuf_printf(&sb, "{\"ttsim\": \"" TTSIM_VERSION "\", \"experiment\": \"%s\", \"fingerprint\": \"%s\", "
			 "\"points\": %ld, \"parameters\": [", s->path, fp, s->n_points);
	for (int i = 0; i < s->n_axes; i++)
		sbuf_printf(&sb, "%s\"%s\"", i ? ", " : "", s->axes[i].opt->name);
	sbuf_printf(&sb, "], \"skip_unfit\": %s, \"inputs\": {", s->skip_unfit ? "true" : "false");
	for (int i = 0; i < s->n_inputs; i++) {
		cJSON *name = cJSON_CreateString(s->inputs[i].name);
		char *q = cJSON_PrintUnformatted(name);
		sbuf_printf(&sb, "%s%s: \"%016llx\"", i ? ", " : "", q,
			    (unsigned long long)s->inputs[i].hash);
		cJSON_free(q);
		cJSON_Delete(name);
	}
	sbuf_printf(&sb, "}}\n");
	if (file_write_atomic(p_json, sb.buf, sb.len) < 0)
		die_err();
	sb.len = 0;
	config_write_yaml(&s->base, &sb);
	if (file_write_atomic(p_cfg, sb.buf, sb.len) < 0)
		die_err();
	*csv_fd = open(p_csv, O_WRONLY | O_CREAT | O_APPEND | (done ? 0 : O_TRUNC), 0644);
	*jsonl_fd = open(p_jsonl, O_WRONLY | O_CREAT | O_APPEND | (done ? 0 : O_TRUNC), 0644);
	if (*csv_fd < 0 || *jsonl_fd < 0)
		die("%s: cannot open results: %s", dir, strerror(errno));
	if (!done && write(*csv_fd, hdr.buf, hdr.len) != (ssize_t)hdr.len)
		die("%s: cannot write: %s", p_csv, strerror(errno));
	sbuf_release(&hdr);
	sbuf_release(&sb);
	return done;
}

static void sweep_usage(FILE *f)
{
	fprintf(f, "usage: ttsim sweep EXPERIMENT.yaml [--jobs N] [--out DIR] [--resume]\n\n"
		   "Run every point of the experiment's sweep block (the Cartesian product of its\n"
		   "lists and ranges, last key fastest) and stream one line per point, in point order,\n"
		   "to DIR/results.csv and DIR/results.jsonl (see experiments/README.md).\n\n"
		   "  --jobs N    worker threads (default: all cores; 1 per rank under mpirun)\n"
		   "  --out DIR   output directory (default: sweeps/<experiment name>)\n"
		   "  --resume    continue a sweep stopped part-way (same experiment only)\n"
		   "  --OPTION V  set a base option of the experiment (as 'ttsim run' flags), e.g.\n"
		   "              --requests 20 for a reduced run; swept options cannot be set\n\n"
		   "With 'make MPI=1', 'mpirun -n R ttsim sweep ...' spreads the points over R ranks;\n"
		   "the files are byte-identical to a local run.\n");
}

/* "--max-num-seqs[=V]" -> "max_num_seqs" when that is an option of the table; else NULL. */
static const struct option_def *option_flag(const char *arg, char *key, size_t n)
{
	size_t k;
	if (strncmp(arg, "--", 2))
		return NULL;
	for (k = 0; arg[2 + k] && arg[2 + k] != '=' && k < n - 1; k++)
		key[k] = arg[2 + k] == '-' ? '_' : arg[2 + k];
	key[k] = 0;
	return config_option(key);
}

void base_flags_init(struct base_flags *b, const struct flag *fixed, int argc, char **argv)
{
	int nf = 0;
	while (fixed[nf].name)
		nf++;
	b->n_fixed = nf;
	b->n = 0;
	b->fl = xcalloc((size_t)nf + (size_t)argc + 1, sizeof(*b->fl));
	b->name = xcalloc((size_t)argc + 1, sizeof(*b->name));
	b->opt = xcalloc((size_t)argc + 1, sizeof(*b->opt)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	b->val = xcalloc((size_t)argc + 1, sizeof(*b->val));
	memcpy(b->fl, fixed, (size_t)nf * sizeof(*b->fl));
	for (int i = 1; i < argc; i++) {
		char key[64];
		const struct option_def *o = option_flag(argv[i], key, sizeof(key));
		const char *eq = strchr(argv[i], '=');
		size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		int seen = 0;
		if (!o || len >= sizeof(b->name[0]))
			continue;
		/* a row per spelling as written ("--max-num-seqs", "--max_num_seqs") */
		snprintf(b->name[b->n], sizeof(b->name[b->n]), "%.*s", (int)len, argv[i]);
		for (int j = 0; j < b->n && !seen; j++)
			seen = !strcmp(b->name[j], b->name[b->n]);
		if (seen)
			continue;
		b->opt[b->n] = o;
		b->fl[nf + b->n] = (struct flag){b->name[b->n], FLAG_VALUE, &b->val[b->n], NULL, o->help};
		b->n++;
	}
}

void base_flags_release(struct base_flags *b)
{
	free(b->fl);
	free(b->name);
	free(b->opt);
	free(b->val);
}

int cmd_sweep(int argc, char **argv)
{
	const char *path = NULL, *out = NULL, *jobs_s = NULL;
	int jobs = 0, resume = 0, rc, n_pos;
	struct sweep s;
	struct sweep_exec e;
	struct point_ctx pc;
	struct base_flags bf;
	struct flags_error fe;
	char outbuf[600];
	double t0;
	const struct flag fixed[] = {
		{"--jobs", FLAG_VALUE, &jobs_s, NULL, "worker threads"},
		{"--out", FLAG_VALUE, &out, NULL, "output directory"},
		{"--resume", FLAG_SWITCH, NULL, &resume, "continue a sweep stopped part-way"},
		{0},
	};

	if (flags_want_help(argc, argv)) {
		sweep_usage(stdout);
		return EXIT_OK;
	}
	mpi_start(&argc, &argv);
	base_flags_init(&bf, fixed, argc, argv);
	n_pos = flags_parse(bf.fl, argc, argv, &path, 1, &fe);
	if (n_pos < 0)
		die_base_flags(&bf, &fe, "sweep");
	if (jobs_s)
		jobs = parse_jobs(jobs_s);
	if (!path)
		die("missing EXPERIMENT.yaml (see 'ttsim sweep --help')");
	if (sweep_load(&s, path) < 0)
		die_err();
	/* a study's report block is run's to print, but checked here too: a file sweep reads
	 * is never partly ignored */
	if (study_check(path) < 0)
		die_err();
	for (int i = 0; i < bf.n; i++)
		if (sweep_override(&s, bf.opt[i]->name, bf.val[i], bf.name[i]) < 0)
			die_err();
	base_flags_release(&bf);
	if (!out) {
		snprintf(outbuf, sizeof(outbuf), "sweeps/%s", s.base.name[0] ? s.base.name : "sweep");
		out = outbuf;
	}
	if (!jobs)
		jobs = default_jobs();
	pc.s = &s;
	pc.caches = caches_new(jobs);
	e = sweep_exec_make(s.n_points, jobs, sweep_point, &pc, "points");
	if (mpi_rank > 0) {
		sweep_exec_worker(&e);
		rc = 0;
		goto done;
	}
	e.start = open_results(&s, out, resume, &e.csv_fd, &e.jsonl_fd);
	e.progress = isatty(2) ? 1 : 2;
	t0 = wall_seconds();
	rc = sweep_exec_run(&e);
	close(e.csv_fd);
	close(e.jsonl_fd);
	if (e.failed_id >= 0 && e.io_error)
		die("%s/%s: %s, at point %ld (the disk may be full; kept %ld points in %s: free some "
		    "space and continue with --resume)", out,
		    e.io_error == 1 ? "results.csv" : "results.jsonl", e.failed_msg, e.failed_id,
		    e.done, out);
	if (e.failed_id >= 0) {
		struct sbuf lb = {0};
		sweep_point_label(&s, e.failed_id, &lb);
		die("%s: point %ld (%s): %s (kept %ld points in %s%s)", path, e.failed_id, lb.buf,
		    e.failed_msg, e.done, out,
		    s.skip_unfit ? "" : "; 'filters: {skip_unfit: true}' records refused points as "
				       "skipped");
	}
	if (e.signal) {
		fprintf(stderr, "ttsim: stopped by signal %d: kept %ld of %ld points in %s/results.csv "
				"(continue with --resume)\n", e.signal, e.done, e.n, out);
		rc = 128 + e.signal;
		goto done;
	}
	printf("sweep: %ld points (%ld skipped, %ld computed now in %.2f s) in %s/results.csv and "
	       "results.jsonl\n", e.done, count_skipped(out), e.done - e.start, wall_seconds() - t0,
	       out);
	rc = rc < 0 ? EXIT_CHECK_FAILED : EXIT_OK;
done:
	caches_free(pc.caches, jobs);
	sweep_release(&s);
	mpi_stop();
	return rc;
}

/* --- capacity --- */

struct cap_ctx {
	const struct sweep *s;
	struct sweep_cache **caches;
	struct capacity_opts o;
};

/* The SLO limits that are per request (TTFT, TPOT, end-to-end) as goodput's thresholds,
 * where the experiment sets none of its own: the tightest limit of each metric. */
static void cap_goodput_slos(struct run_config *c, const struct capacity_opts *o)
{
	double *f[3] = {&c->slo_ttft_ms, &c->slo_tpot_ms, &c->slo_e2e_ms};
	int set = c->slo_ttft_ms > 0 || c->slo_tpot_ms > 0 || c->slo_e2e_ms > 0;
	if (set)
		return;
	for (int i = 0; i < o->n_slo; i++) {
		const struct slo *s = &o->slo[i];
		if (s->metric == SLO_LATENCY)
			continue;
		if (*f[s->metric] <= 0 || s->limit * 1e3 < *f[s->metric])
			*f[s->metric] = s->limit * 1e3;
	}
}

static int cap_point(void *ctx, int worker, long id, struct sbuf *csv, struct sbuf *jsonl)
{
	struct cap_ctx *cc = ctx;
	struct run_config c;
	struct capacity_result res;
	const struct run_inputs *in;
	const struct steady *st = NULL;
	const struct sweep *s = cc->s;
	int ok = 1;

	memset(&res, 0, sizeof(res));
	sweep_point_config(s, id, &c);
	cap_goodput_slos(&c, &cc->o);
	if (!sweep_gpus_pass(s, &c)) {
		ok = 0;
	} else {
		if (!(in = sweep_cache_get(cc->caches[worker], &c)))
			return -1;
		if (capacity_find(&c, in, &cc->o, &res) < 0) {
			capacity_result_release(&res);
			if (!s->skip_unfit)
				return -1;
			ok = 0;
		}
	}
	if (ok && res.has_run)
		st = &res.run.sum.steady;
	sbuf_printf(csv, "%ld", id);
	for (int i = 0; i < s->n_axes; i++) {
		char v[300];
		config_value_text(&c, s->axes[i].opt, v, sizeof(v));
		csv_put_field(csv, v);
	}
	sbuf_printf(csv, ",%s", ok ? "ok" : "skipped");
	csv_put_num(csv, ok ? res.rate : NAN, 6);
	csv_put_num(csv, st ? (double)res.at.requests : NAN, 6);
	csv_put_num(csv, st ? st->queue_growth : NAN, 6);
	for (int i = 0; i < cc->o.n_slo; i++) {
		struct pct_ci ci = {NAN, NAN};
		double v = st ? slo_value(st, &cc->o.slo[i], &ci) : NAN;
		csv_put_num(csv, v, 6);
		csv_put_num(csv, ci.lo, 6);
		csv_put_num(csv, ci.hi, 6);
	}
	csv_put_num(csv, st ? st->goodput_req_per_s : NAN, 6);
	csv_put_num(csv, st ? st->output_tok_per_s : NAN, 6);
	csv_put_num(csv, st ? st->tok_per_s_per_gpu : NAN, 6);
	csv_put_num(csv, run_gpus(&c), 6);
	csv_put_num(csv, ok ? res.evaluations : NAN, 6);
	/* what holds the rate down: the verdict at the lowest rate that failed */
	csv_put_field(csv, ok && res.rate > 0 && !res.at_max ? res.above.why
		       : ok && res.at_max ? "no bound found below the largest rate tried"
		       : ok ? res.above.why : "");
	csv_put_field(csv, ok ? "" : err_msg());
	sbuf_add(csv, "\n", 1);
	if (ok)
		sbuf_printf(jsonl, "{\"id\":%ld,\"max_rate\":%.6g}\n", id, res.rate);
	else
		sbuf_printf(jsonl, "{\"id\":%ld,\"status\":\"skipped\"}\n", id);
	capacity_result_release(&res);
	return 0;
}

/* An SLO flag's value: positive seconds. */
double parse_slo(const char *flag, const char *v)
{
	double x;
	if (parse_double(v, &x) < 0 || !(x > 0) || !isfinite(x))
		die("%s: expected a positive number of seconds, got '%s'", flag, v);
	return x;
}

int slo_flags_rows(struct slo_flags *s, struct flag *fl)
{
	static const int pcts[3] = {50, 90, 99};
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < SLO_FLAG_ROWS; i++) {
		snprintf(s->name[i], sizeof(s->name[i]), "--slo-%s-p%d",
			 slo_metric_flag((enum slo_metric)(i / 3)), pcts[i % 3]);
		fl[i] = (struct flag){s->name[i], FLAG_VALUE, &s->val[i], NULL,
				      "S: SLO limit, seconds"};
	}
	return SLO_FLAG_ROWS;
}

void slo_flags_apply(const struct slo_flags *s, struct capacity_opts *o)
{
	static const int pcts[3] = {50, 90, 99};
	for (int i = 0; i < SLO_FLAG_ROWS; i++)
		if (s->val[i]) {
			struct slo *sl = &o->slo[o->n_slo++];
			sl->metric = (enum slo_metric)(i / 3);
			sl->pct = pcts[i % 3];
			sl->limit = parse_slo(s->name[i], s->val[i]);
		}
	o->ci_width = 0.1;
	if (s->ci_width && (parse_double(s->ci_width, &o->ci_width) < 0 || !(o->ci_width > 0) ||
			    o->ci_width > 10))
		die("--ci-width: expected a relative width above 0 and at most 10, got '%s'",
		    s->ci_width);
}

void die_base_flags(const struct base_flags *b, const struct flags_error *fe, const char *cmd)
{
	if (fe->rule == FLAGS_NO_VALUE && fe->fl - b->fl >= b->n_fixed)
		die("%s: key '%s': missing value", fe->arg, b->opt[fe->fl - b->fl - b->n_fixed]->name);
	die_flags(fe, cmd);
}

static void capacity_usage(void)
{
	printf("usage: ttsim capacity EXPERIMENT.yaml [--slo-METRIC-pQ S ...] [--jobs N] "
	       "[--ci-width W]\n                      [--max-requests N] [--OPTION V ...]\n\n"
	       "For each configuration of the experiment (every point of its sweep block, or the\n"
	       "one configuration), the highest Poisson arrival rate (problems/s) it sustains: a\n"
	       "run at that rate reaches a steady state (the number in the system stops growing:\n"
	       "completions keep up with arrivals within steady_tol) and every SLO percentile\n"
	       "holds over that steady state. Bracketing and bisection on the rate, each verdict\n"
	       "from the 95%% confidence interval of the percentile: a run whose interval straddles\n"
	       "the limit and is wider than W of the estimate is run again twice as long, and a\n"
	       "pass holds only when the longest run (--max-requests) passes too.\n"
	       "Trace workloads are resampled (problems drawn with replacement, seeded).\n\n"
	       "  --slo-METRIC-pQ S  METRIC ttft, tpot, e2e (a request's end-to-end latency) or\n"
	       "                     latency (a problem's, all its samples); Q 50, 90 or 99;\n"
	       "                     S seconds. Any subset; none: the steady state alone\n"
	       "  --ci-width W       relative width of an interval that decides (default 0.1)\n"
	       "  --requests N       problems of the first run at each rate (default 4000)\n"
	       "  --max-requests N   the longest run, which confirms every pass (default 8 x\n"
	       "                     --requests)\n"
	       "  --jobs N           worker threads (default: all cores)\n"
	       "  --OPTION V         a base option of the experiment, as for 'ttsim sweep'\n\n"
	       "Output: CSV on stdout, a line per configuration in order: max_rate, the run length\n"
	       "that decided, its queue growth, each SLO's steady percentile and interval, goodput\n"
	       "(requests meeting every per-request SLO, per second), steady output tokens/s (and\n"
	       "per GPU), and 'bound': what fails just above max_rate. With filters: {skip_unfit:\n"
	       "true}, a configuration that cannot run is a 'skipped' line with its reason.\n\n"
	       "With 'make MPI=1', 'mpirun -n R ttsim capacity ...' spreads the configurations over\n"
	       "R ranks (rank 0 prints; the output is the same as a local run's).\n");
}

int cmd_capacity(int argc, char **argv)
{
	const char *path = NULL, *jobs_s = NULL, *maxr_s = NULL;
	struct slo_flags sf;
	int jobs = 0, rc, has_sweep = 0, n_pos, nf = 0;
	struct sweep s;
	struct sweep_exec e;
	struct cap_ctx cc;
	struct sbuf hdr = {0};
	struct flags_error fe;
	struct base_flags bf;
	struct flag fl[SLO_FLAG_ROWS + 4];

	if (flags_want_help(argc, argv)) {
		capacity_usage();
		return EXIT_OK;
	}
	memset(fl, 0, sizeof(fl));
	nf = slo_flags_rows(&sf, fl);
	fl[nf++] = (struct flag){"--jobs", FLAG_VALUE, &jobs_s, NULL, "worker threads"};
	fl[nf++] = (struct flag){"--ci-width", FLAG_VALUE, &sf.ci_width, NULL, "interval width"};
	fl[nf++] = (struct flag){"--max-requests", FLAG_VALUE, &maxr_s, NULL, "longest run"};
	mpi_start(&argc, &argv);
	base_flags_init(&bf, fl, argc, argv);
	n_pos = flags_parse(bf.fl, argc, argv, &path, 1, &fe);
	if (n_pos < 0)
		die_base_flags(&bf, &fe, "capacity");
	if (jobs_s)
		jobs = parse_jobs(jobs_s);
	memset(&cc, 0, sizeof(cc));
	slo_flags_apply(&sf, &cc.o);
	cc.o.rel_tol = 0.01;
	if (!path)
		die("missing EXPERIMENT.yaml (see 'ttsim capacity --help')");
	memset(&s, 0, sizeof(s));
	config_defaults(&s.base);
	if (config_load_yaml(&s.base, path, &has_sweep) < 0)
		die_err();
	if (has_sweep && sweep_load(&s, path) < 0)
		die_err();
	if (!has_sweep) {
		snprintf(s.path, sizeof(s.path), "%s", path);
		s.n_points = 1;
	}
	for (int i = 0; i < bf.n; i++) {
		if (!strcmp(bf.opt[i]->name, "rate") || !strcmp(bf.opt[i]->name, "arrival") ||
		    !strcmp(bf.opt[i]->name, "concurrency"))
			die("%s: capacity searches the arrival rate itself (expected no %s)",
			    bf.name[i], bf.name[i]);
		if (has_sweep ? sweep_override(&s, bf.opt[i]->name, bf.val[i], bf.name[i]) < 0
			      : config_set(&s.base, bf.opt[i]->name, bf.val[i], bf.name[i]) < 0)
			die_err();
	}
	base_flags_release(&bf);
	for (int i = 0; i < s.n_axes; i++)
		if (!strcmp(s.axes[i].opt->name, "rate") || !strcmp(s.axes[i].opt->name, "arrival") ||
		    !strcmp(s.axes[i].opt->name, "concurrency"))
			die("%s: key '%s': capacity searches the arrival rate itself (remove '%s' from "
			    "the sweep)", path, s.axes[i].opt->name, s.axes[i].opt->name);
	/* the first run's length: --requests or the experiment's, else 4000 problems */
	cc.o.requests = s.base.requests > 0 ? s.base.requests : 4000;
	if (cc.o.requests < 100)
		die("key 'requests': capacity runs %ld problems at each rate, too few for a steady "
		    "state (expected at least 100)", cc.o.requests);
	cc.o.max_requests = 8 * cc.o.requests;
	if (maxr_s && (parse_long(maxr_s, &cc.o.max_requests) < 0 ||
		       cc.o.max_requests < cc.o.requests || cc.o.max_requests > 100000000L))
		die("--max-requests: expected a number of problems from --requests (%ld) to 1e8, got "
		    "'%s'", cc.o.requests, maxr_s);
	if (!jobs)
		jobs = default_jobs();
	cc.s = &s;
	cc.caches = caches_new(jobs);
	e = sweep_exec_make(s.n_points, jobs, cap_point, &cc, "configurations");
	if (mpi_rank > 0) {
		sweep_exec_worker(&e);
		rc = 0;
		goto done;
	}
	sbuf_printf(&hdr, "id");
	for (int i = 0; i < s.n_axes; i++)
		sbuf_printf(&hdr, ",%s", s.axes[i].opt->name);
	sbuf_printf(&hdr, ",status,max_rate,requests,queue_growth");
	for (int i = 0; i < cc.o.n_slo; i++) {
		const char *k = slo_metric_key(cc.o.slo[i].metric);
		int q = cc.o.slo[i].pct;
		sbuf_printf(&hdr, ",%s.p%d_s,%s.p%d_lo_s,%s.p%d_hi_s", k, q, k, q, k, q);
	}
	sbuf_printf(&hdr, ",goodput_req_per_s,output_tok_per_s,tok_per_s_per_gpu,gpus,runs,bound,"
			  "reason\n");
	fputs(hdr.buf, stdout);
	fflush(stdout);
	e.csv_fd = 1;
	e.progress = isatty(2) ? 1 : 0;
	rc = sweep_exec_run(&e);
	if (e.signal) { /* the rows printed are complete configurations; the rest are not run */
		fprintf(stderr, "ttsim: stopped by signal %d: %ld of %ld configurations printed\n",
			e.signal, e.done, e.n);
		rc = EXIT_SIGNAL_BASE + e.signal;
		goto done;
	}
	if (e.failed_id >= 0 && e.io_error)
		die("stdout: %s, at configuration %ld", e.failed_msg, e.failed_id);
	if (e.failed_id >= 0) {
		struct sbuf lb = {0};
		sweep_point_label(&s, e.failed_id, &lb);
		die("%s: configuration %ld (%s): %s%s", path, e.failed_id, lb.buf, e.failed_msg,
		    s.skip_unfit ? "" : " ('filters: {skip_unfit: true}' records it as skipped)");
	}
	rc = rc < 0 ? EXIT_CHECK_FAILED : EXIT_OK;
done:
	caches_free(cc.caches, jobs);
	sbuf_release(&hdr);
	sweep_release(&s);
	mpi_stop();
	return rc;
}
