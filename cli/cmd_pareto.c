/*
 * cmd_pareto.c: `ttsim pareto DIR [--x M --y M --z M]` and `ttsim best DIR --min-accuracy A
 * --max-latency-p90 S`, both over DIR/results.csv of a sweep (rows with status ok).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "experiments/pareto.h"
#include "experiments/report.h"
#include "lib/util.h"

static const char pareto_usage[] =
	"usage: ttsim pareto DIR [--x latency_p90_s] [--y accuracy] [--z usd_per_problem|none]\n\n"
	"The configurations of DIR/results.csv that no other beats in every metric (accuracy and\n"
	"throughput: higher is better; the rest: lower). Printed, and written to DIR/pareto.csv,\n"
	"DIR/pareto.gp and (with gnuplot) DIR/pareto.png and DIR/pareto.svg.\n";

static const char best_usage[] =
	"usage: ttsim best DIR --min-accuracy A --max-latency-p90 S\n\n"
	"The cheapest configuration (usd_per_problem) in DIR/results.csv with accuracy >= A and\n"
	"p90 problem latency <= S seconds, the runner-up, and why it lost. Exit status 1\n"
	"when none qualifies.\n";

/* cli_parse_flags with the wording of pareto and best (argv[0]): DIR into *dir. */
static int parse(const struct flag *fl, int argc, char **argv, const char **dir, const char *usage)
{
	char unknown[80];
	snprintf(unknown, sizeof(unknown), "unexpected argument '%%s' (see 'ttsim %s --help')", argv[0]);
	const struct cli_words w = {.usage = usage, .unknown = unknown, .no_value = "%s: missing value"};
	return cli_parse_flags(fl, argc, argv, dir, 1, &w);
}

static void load(struct table *t, const char *dir)
{
	if (report_load(t, dir) < 0)
		die_err();
	if (table_col(t, "id") != 0 || table_col(t, "status") < 0)
		die("%s/results.csv:1: not a sweep's results (expected columns 'id' and 'status')", dir);
}

static int need_col(const struct table *t, const char *dir, const char *name, const char *flag)
{
	int c = table_col(t, name);
	if (c < 0) {
		struct sbuf cols = {0};
		report_columns(t, &cols);
		die("%s/results.csv: %s: no column '%s' (expected one of %s)", dir, flag, name,
		    cols.buf);
	}
	return c;
}

int cmd_pareto(int argc, char **argv)
{
	const char *dir = NULL, *name[3] = {"latency_p90_s", "accuracy", "usd_per_problem"};
	struct table t;
	int col[3], dir3[3], d = 3;
	double *v;
	long *front, m, n_ok = 0;
	struct sbuf sb = {0};
	char q[3][128];

	const struct flag fl[] = {
		{"--x", FLAG_VALUE, &name[0], NULL, "x metric (default latency_p90_s)"},
		{"--y", FLAG_VALUE, &name[1], NULL, "y metric (default accuracy)"},
		{"--z", FLAG_VALUE, &name[2], NULL, "third metric, or none (default usd_per_problem)"},
		{0},
	};
	if (parse(fl, argc, argv, &dir, pareto_usage) == FLAGS_HELP)
		return EXIT_OK;
	if (!dir)
		die("missing DIR (a 'ttsim sweep' output directory)");
	if (!strcmp(name[2], "none") || !*name[2])
		d = 2;
	for (int k = 0; k < d; k++) /* a metric against itself is no trade-off */
		for (int j = 0; j < k; j++)
			if (!strcmp(name[k], name[j]))
				die("--%c: '%s' is --%c too (expected distinct metrics)", "xyz"[k],
				    name[k], "xyz"[j]);
	load(&t, dir);
	for (int k = 0; k < d; k++) {
		col[k] = need_col(&t, dir, name[k], k == 0 ? "--x" : k == 1 ? "--y" : "--z");
		dir3[k] = metric_direction(name[k]);
	}
	v = report_values(&t, col, d);
	front = xcalloc((size_t)t.nrow + 1, sizeof(long));
	m = pareto_front(v, t.nrow, d, dir3, front);
	n_ok = pareto_rows(v, t.nrow, d);
	if (!m)
		die("%s/results.csv: no configuration has values for '%s', '%s'%s%s", dir, name[0],
		    name[1], d == 3 ? " and " : "", d == 3 ? name[2] : "");
	/* sort the front by x for reading and for the line through it */
	for (long a = 1; a < m; a++)
		for (long b = a; b > 0 && v[front[b] * d] < v[front[b - 1] * d]; b--) {
			long x = front[b];
			front[b] = front[b - 1];
			front[b - 1] = x;
		}
	/* of the configurations that ran: skipped and failed points have no values */
	printf("%ld of %ld configurations are on the front (%s %s, %s %s", m, n_ok, name[0],
	       dir3[0] > 0 ? "max" : "min", name[1], dir3[1] > 0 ? "max" : "min");
	if (d == 3)
		printf(", %s %s", name[2], dir3[2] > 0 ? "max" : "min");
	printf("):\n  %6s %14s %14s", "id", name[0], name[1]);
	if (d == 3)
		printf(" %14s", name[2]);
	printf("  configuration\n");
	sbuf_printf(&sb, "id,%s,%s%s%s,configuration\n", name[0], name[1], d == 3 ? "," : "",
		    d == 3 ? name[2] : "");
	for (long i = 0; i < m; i++) {
		struct sbuf lb = {0};
		long r = front[i];
		report_row_params(&t, r, &lb);
		printf("  %6s %14.6g %14.6g", t.rows[r][0], v[r * d], v[r * d + 1]);
		sbuf_printf(&sb, "%s,%.10g,%.10g", t.rows[r][0], v[r * d], v[r * d + 1]);
		if (d == 3) {
			printf(" %14.6g", v[r * d + 2]);
			sbuf_printf(&sb, ",%.10g", v[r * d + 2]);
		}
		printf("  %s\n", lb.buf ? lb.buf : "");
		sbuf_printf(&sb, ",\"%s\"\n", lb.buf ? lb.buf : "");
		sbuf_release(&lb);
	}
	if (report_write(dir, "pareto.csv", &sb) < 0)
		die_err();
	/* the plot: every configuration in grey, the front as a line, colored by z; latencies
	 * span decades (log axis), integer axes (tp, samples) get integer tics */
	sb.len = 0;
	sbuf_printf(&sb,
		    "# written by ttsim pareto: gnuplot pareto.gp (in this directory)\n"
		    "set datafile separator ','\nset key bottom right\nset grid\n"
		    "set xlabel \"%s\"\nset ylabel \"%s\"\n", report_gp_text(name[0], 1, q[0], 128),
		    report_gp_text(name[1], 1, q[1], 128));
	if (d == 3)
		sbuf_printf(&sb, "set cblabel \"%s\"\n", report_gp_text(name[2], 1, q[2], 128));
	for (int k = 0; k < 2; k++)
		if (report_is_latency(name[k]))
			sbuf_printf(&sb, "set logscale %c\n", "xy"[k]);
		else if (report_integer_axis(v + k, t.nrow, d))
			sbuf_printf(&sb, "set %ctics 1\n", "xy"[k]);
	for (int term = 0; term < 2; term++) {
		report_gp_terminal(&sb, term, "pareto", 800, 560, 0);
		sbuf_printf(&sb,
			    "plot 'results.csv' skip 1 using (strcol(%d) eq \"ok\" ? column(%d) : NaN):%d "
			    "with points pt 7 ps 0.5 lc rgb '#bbbbbb' title 'configurations', \\\n"
			    "     'pareto.csv' skip 1 using 2:3%s with linespoints pt 7 ps 1.2 lw 2 %s "
			    "title 'Pareto front'\n",
			    table_col(&t, "status") + 1, col[0] + 1, col[1] + 1, d == 3 ? ":4" : "",
			    d == 3 ? "lc palette" : "lc rgb '#d62728'");
	}
	if (report_write(dir, "pareto.gp", &sb) < 0)
		die_err();
	sb.len = 0;
	if (!report_have_gnuplot()) {
		printf("gnuplot not found: wrote %s/pareto.csv and %s/pareto.gp (run 'gnuplot "
		       "pareto.gp' there to plot)\n", dir, dir);
	} else {
		int st = report_gnuplot(dir, "pareto.gp", &sb);
		/* gnuplot's own lines (warnings such as an empty y range when every point has
		 * the same accuracy) are passed on; only its exit status says it failed */
		/* (-1: no shell to start it in, nothing to say.) Only the sb.len bytes gnuplot
		 * wrote: the buffer still holds the script before them (it printed the script
		 * back as gnuplot's when gnuplot said nothing) */
		if (st >= 0 && sb.len)
			for (char *l = sb.buf, *stop = sb.buf + sb.len, *end; l < stop; l = end) {
				end = memchr(l, '\n', (size_t)(stop - l));
				end = end ? end + 1 : stop;
				fprintf(stderr, "gnuplot: %.*s", (int)(end - l), l);
			}
		if (st == 0)
			printf("wrote %s/pareto.csv, pareto.gp, pareto.png, pareto.svg\n", dir);
		else if (st > 0)
			fprintf(stderr, "ttsim: gnuplot failed; the data and script are in %s\n", dir);
	}
	sbuf_release(&sb);
	free(v);
	free(front);
	table_release(&t);
	return EXIT_OK;
}

int cmd_best(int argc, char **argv)
{
	const char *dir = NULL;
	double min_acc = -INFINITY, max_lat = INFINITY;
	struct table t;
	int ca, cl, cc;
	double *acc, *lat, *cost;
	long best, second;

	const char *s_acc = NULL, *s_lat = NULL;
	const struct flag fl[] = {
		{"--min-accuracy", FLAG_VALUE, &s_acc, NULL, "accuracy floor A"},
		{"--max-latency-p90", FLAG_VALUE, &s_lat, NULL, "p90 problem latency ceiling S (seconds)"},
		{0},
	};
	if (parse(fl, argc, argv, &dir, best_usage) == FLAGS_HELP)
		return EXIT_OK;
	if (s_acc && (parse_double(s_acc, &min_acc) < 0 || !(min_acc >= 0 && min_acc <= 1)))
		die("%s: expected an accuracy in 0..1, got '%s'", fl[0].name, s_acc);
	if (s_lat && (parse_double(s_lat, &max_lat) < 0 || isnan(max_lat)))
		die("%s: expected a number, got '%s'", fl[1].name, s_lat);
	if (s_lat && max_lat < 0)
		die("%s: expected seconds >= 0, got '%s'", fl[1].name, s_lat);
	if (!dir)
		die("missing DIR (a 'ttsim sweep' output directory)");
	load(&t, dir);
	ca = need_col(&t, dir, "accuracy", "--min-accuracy");
	cl = need_col(&t, dir, "latency_p90_s", "--max-latency-p90");
	cc = need_col(&t, dir, "usd_per_problem", "cost");
	acc = report_values(&t, &ca, 1);
	lat = report_values(&t, &cl, 1);
	cost = report_values(&t, &cc, 1);
	best = best_pick(acc, lat, cost, t.nrow, min_acc, max_lat, &second);
	if (best < 0) {
		/* nothing qualifies: say what came closest on cost */
		long cheapest = -1;
		for (long i = 0; i < t.nrow; i++)
			if (isfinite(cost[i]) && (cheapest < 0 || cost[i] < cost[cheapest]))
				cheapest = i;
		printf("no configuration has accuracy >= %g and latency_p90_s <= %g", min_acc, max_lat);
		if (cheapest >= 0)
			printf(" (the cheapest, id %s, has accuracy %.4g and latency_p90_s %.4g)",
			       t.rows[cheapest][0], acc[cheapest], lat[cheapest]);
		printf("\n");
		table_release(&t);
		free(acc), free(lat), free(cost);
		return EXIT_CHECK_FAILED;
	}
	{
		struct sbuf lb = {0};
		report_row_params(&t, best, &lb);
		printf("best:      id %s  %s\n           usd_per_problem %.6g, accuracy %.4g, "
		       "latency_p90_s %.4g\n", t.rows[best][0], lb.buf ? lb.buf : "", cost[best],
		       acc[best], lat[best]);
		sbuf_release(&lb);
	}
	if (second >= 0) {
		struct sbuf lb = {0};
		report_row_params(&t, second, &lb);
		printf("runner-up: id %s  %s\n           usd_per_problem %.6g, accuracy %.4g, "
		       "latency_p90_s %.4g\n", t.rows[second][0], lb.buf ? lb.buf : "", cost[second],
		       acc[second], lat[second]);
		if (cost[second] > cost[best])
			printf("           lost: costs %.6g USD more per problem (+%.1f%%)\n",
			       cost[second] - cost[best], 100 * (cost[second] / cost[best] - 1));
		else
			printf("           lost: the same cost; the lower id wins the tie\n");
		sbuf_release(&lb);
	} else {
		printf("runner-up: none (no other configuration meets both)\n");
	}
	table_release(&t);
	free(acc), free(lat), free(cost);
	return EXIT_OK;
}
