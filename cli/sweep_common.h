/*
 * sweep_common.h: what `sweep`, `capacity` and `plan` share (cli/cmd_sweep.c): MPI start
 * and stop, --jobs, one cache of loaded inputs per worker, base options as flags, SLO
 * flag values.
 */
#ifndef TTSIM_SWEEP_COMMON_H
#define TTSIM_SWEEP_COMMON_H

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

#endif
