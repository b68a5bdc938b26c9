/*
 * study.h: the `study:` block of an experiment file, and the report it asks for once the
 * sweep's results are on disk: a table of chosen columns, plots (gnuplot PNG and SVG), the
 * Pareto set and the cheapest configuration under given limits.
 *
 *   study:
 *     table: [model, samples, accuracy, usd_per_problem]
 *     plots:
 *       - {name: acc_vs_cost, title: "...", x: usd_per_problem, y: accuracy,
 *          series: model,             # one line per value of this column
 *          where: "budget=32768,tp=1",# keep rows whose cells equal these values
 *          aggregate: seed,           # mean and standard deviation over this column
 *          ratio_to: "tp=1",          # plot y(baseline) / y: a speed-up for latencies
 *          logx: true, logy: false}
 *     pareto: {x: latency_p90_s, y: accuracy, z: usd_per_problem}
 *     best: [{min_accuracy: 0.9, max_latency_p90: 600}]
 *
 * Nothing here simulates: it reads DIR/results.csv (experiments/pareto.h's table) and writes files
 * under DIR. `ttsim run STUDY.yaml --out DIR` runs the sweep, then this.
 */
#ifndef TTSIM_STUDY_H
#define TTSIM_STUDY_H

/* Print the report of the study in `path` over the results in `dir`, and write its plots to
 * dir/plots/. 0, or -1 with err_set (bad study block, missing column, unreadable results). */
int study_report(const char *path, const char *dir);
/* Read the study block only (before running its sweep); 0 or -1 with err_set. */
int study_check(const char *path);

#endif
