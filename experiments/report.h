/*
 * report.h: what `ttsim pareto`, `ttsim best` and a study's report share once a sweep's
 * results are on disk: reading DIR/results.csv, the row filter (status ok, where-cells), the
 * numbers of chosen columns, the swept parameters of a row, and the gnuplot side (text
 * quoting, terminals, axes, writing .dat/.gp files and running gnuplot).
 *
 * Nothing here prints: callers word their own output, so `pareto`, `best` and the studies
 * keep their formats while reading the table, filtering rows and quoting text one way.
 * Pure choices among rows (Pareto fronts, cheapest feasible) are in pareto.h.
 *
 * To add a plot rule (an axis kind, a tic policy): a function here, used by both writers.
 */
#ifndef TTSIM_REPORT_H
#define TTSIM_REPORT_H

#include <stddef.h>

#include "experiments/pareto.h"
#include "lib/util.h"

/* ---- the results table ---- */

/* Load DIR/results.csv into t. 0, or -1 with err_set ("DIR/results.csv:LINE: ..."). */
int report_load(struct table *t, const char *dir);
/* Row i ran: its status cell is "ok" (a table without a status column: every row). */
int report_row_ok(const struct table *t, long i);
/* Cell equality for where-filters: numerically when both parse as numbers, else as text. */
int report_cell_is(const char *cell, const char *val);
/* The values of d columns for every row, n x d row-major (free()); NaN for rows that did
 * not run and for empty or non-numeric cells, so such rows never meet a limit. */
double *report_values(const struct table *t, const int *cols, int d);
/* The swept parameters of row i, "tp=2 samples=8": the columns between id and status. */
void report_row_params(const struct table *t, long i, struct sbuf *sb);
/* The columns a report may name (all but id and status), "a, b, c", for error messages. */
void report_columns(const struct table *t, struct sbuf *sb);

/* ---- gnuplot ---- */

/* Text for a gnuplot double-quoted string into buf (n bytes, cut if longer): quotes and
 * backslashes escaped; with enhanced (a terminal in enhanced text mode), '_' becomes a
 * space, since it would start a subscript. */
const char *report_gp_text(const char *s, int enhanced, char *buf, size_t n);
/* "set terminal ...\nset output 'BASE.png|svg'\n" for pass 0 (PNG) or 1 (SVG). */
void report_gp_terminal(struct sbuf *sb, int pass, const char *base, int w, int h,
			int noenhanced);
/* 1 when the metric is a latency (seconds or ms spanning decades: plotted on a log axis). */
int report_is_latency(const char *metric);
/* 1 when every finite value of x (n values, stride apart) is an integer and there are at
 * most 32 integers between the smallest and the largest: tics at integers only (tp 1, 2,
 * 4 has no tick at 1.5). */
int report_integer_axis(const double *x, long n, long stride);
/* Write sb to DIR/NAME atomically; 0 or -1 with err_set. */
int report_write(const char *dir, const char *name, const struct sbuf *sb);
/* 1 when gnuplot is on the PATH. */
int report_have_gnuplot(void);
/* Run `gnuplot GP` in DIR, its output (stdout and stderr) into out; the exit status, or -1
 * when it could not be started. */
int report_gnuplot(const char *dir, const char *gp, struct sbuf *out);

#endif
