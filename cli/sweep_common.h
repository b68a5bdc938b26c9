/*
 * sweep_common.h: what `sweep`, `capacity` and `plan` share (cli/cmd_sweep.c): MPI start
 * and stop, --jobs, one cache of loaded inputs per worker, base options as flags, SLO
 * flag values.
 */
#ifndef TTSIM_SWEEP_COMMON_H
#define TTSIM_SWEEP_COMMON_H

#include "experiments/capacity.h"
#include "experiments/sweep.h"
#include "lib/flags.h"

extern int mpi_rank, mpi_size;
void mpi_start(int *argc, char ***argv);
void mpi_stop(void);
int parse_jobs(const char *v);
int default_jobs(void);
struct sweep_cache **caches_new(int jobs);
void caches_free(struct sweep_cache **c, int jobs);
/* A flags_parse error of a command (cmd), in the words they all use; exits. */
void die_flags(const struct flags_error *fe, const char *cmd);
/* An SLO flag's value: positive seconds; exits otherwise. */
double parse_slo(const char *flag, const char *v);

/* The SLO flags `capacity` and `plan` share: --slo-METRIC-pQ S (each metric of enum
 * slo_metric at p50, p90, p99) and --ci-width W. */
#define SLO_FLAG_ROWS (SLO_N_METRICS * 3)
struct slo_flags {
	const char *val[SLO_FLAG_ROWS]; /* each --slo-METRIC-pQ's value (NULL: not given) */
	char name[SLO_FLAG_ROWS][32];   /* "--slo-ttft-p90" */
	const char *ci_width;           /* --ci-width's value (NULL: not given) */
};
/* Zero s and write its SLO_FLAG_ROWS --slo-* rows into fl; returns SLO_FLAG_ROWS (the
 * caller adds {"--ci-width", FLAG_VALUE, &s->ci_width, ...} where its table wants it). */
int slo_flags_rows(struct slo_flags *s, struct flag *fl);
/* o's SLOs from the flags given (in the order of the rows) and its ci_width (0.1 unless
 * --ci-width); exits with a one-line error on a bad value. */
void slo_flags_apply(const struct slo_flags *s, struct capacity_opts *o);

/* Base options given on the command line (--requests 20): a flag row for each option of
 * the run table that argv names (hidden ones included), in order of first appearance, so
 * that lib/flags reads their values like any other flag's. */
struct base_flags {
	struct flag *fl;            /* the fixed rows, then one per option named; {0} ends it */
	char (*name)[72];           /* "--requests" of each option row */
	const struct option_def **opt;
	const char **val;           /* its value (NULL: not given) */
	int n_fixed, n;
};

void base_flags_init(struct base_flags *b, const struct flag *fixed, int argc, char **argv);
void base_flags_release(struct base_flags *b);
/* A flags_parse error of a command with base options (cmd): a base option without its
 * value is named by its key, the rest as die_flags words them; exits. */
void die_base_flags(const struct base_flags *b, const struct flags_error *fe, const char *cmd);

#endif
