/*
 * pareto.h: reading a sweep's results.csv back, and choosing among its rows: the
 * non-dominated set (Pareto front) over two or three metrics, and the cheapest row that
 * meets an accuracy floor and a latency ceiling. Pure functions over arrays, so they are
 * tested against hand-made tables (tests/test_sweep.c).
 */
#ifndef TTSIM_PARETO_H
#define TTSIM_PARETO_H

/* A CSV table (RFC 4180 quoting), all cells as text. */
struct table {
	int ncol;
	char **cols;     /* header names (owned) */
	long nrow;
	char ***rows;    /* rows[i][j] (owned) */
};
/* 0, or -1 with err_set ("FILE:LINE: ..."). */
int table_load_csv(struct table *t, const char *path);
void table_release(struct table *t);
/* Column index of name, or -1. */
int table_col(const struct table *t, const char *name);
/* Cell (i, col) as a number; NaN when empty or not a number. */
double table_num(const struct table *t, long i, int col);

/* +1 when larger is better for this metric (accuracy, throughput), -1 otherwise. */
int metric_direction(const char *name);

/* Rows of v (n rows x d metrics, row-major; NaN rows are never on the front) that no other
 * row dominates under dir[k] (+1 maximize, -1 minimize). Writes their indices, in input
 * order, to out; returns how many. Rows equal in every metric are kept once (the first). */
long pareto_front(const double *v, long n, int d, const int *dir, long *out);
/* The rows pareto_front considers: those finite in every metric (the "of M" it reports) */
long pareto_rows(const double *v, long n, int d);

/* best_pick: among rows with acc >= min_acc and lat <= max_lat (both finite), the lowest
 * cost (ties: the lower index). Returns its index or -1; *runner_up the next cheapest
 * feasible row or -1. */
long best_pick(const double *acc, const double *lat, const double *cost, long n, double min_acc,
	       double max_lat, long *runner_up);

#endif
