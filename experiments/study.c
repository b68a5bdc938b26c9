/* study.c: the report of a study over its sweep's results (see study.h). */
#include "experiments/study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/pareto.h"
#include "experiments/report.h"
#include "lib/util.h"
#include "lib/ydoc.h"

#define MAX_WHERE 8

static int isalnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

struct cond {
	char col[64];
	char val[128];
};

struct plot {
	char name[64], title[256], x[64], y[64], series[64], aggregate[64];
	struct cond where[MAX_WHERE];
	int n_where;
	struct cond ratio; /* ratio.col[0] == 0: none */
	int logx, logy;
	size_t line;
};

struct limits {
	double min_acc, max_lat;
};

struct study {
	char **table;
	int n_table;
	struct plot *plots;
	int n_plots;
	char px[64], py[64], pz[64]; /* pareto axes; px[0] == 0: none */
	struct limits *best;
	int n_best;
};

static const char *sc(yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int copy_scalar(yaml_node_t *v, char *dst, size_t n, const char *path, const char *key)
{
	if (v->type != YAML_SCALAR_NODE || strlcpy0(dst, sc(v), n) < 0)
		return err_set("%s:%zu: key 'study.%s': expected a short text value", path,
			       ydoc_line(v), key);
	return 0;
}

static int parse_bool(yaml_node_t *v, int *out, const char *path, const char *key)
{
	if (v->type == YAML_SCALAR_NODE && !strcmp(sc(v), "true"))
		*out = 1;
	else if (v->type == YAML_SCALAR_NODE && !strcmp(sc(v), "false"))
		*out = 0;
	else
		return err_set("%s:%zu: key 'study.%s': expected true or false", path,
			       ydoc_line(v), key);
	return 0;
}

/* "a=1,b=x" -> conditions */
static int parse_conds(const char *text, struct cond *c, int max, const char *path, size_t line,
		       const char *key)
{
	int n = 0;
	char buf[512], *save = NULL, *tok;
	if (strlcpy0(buf, text, sizeof(buf)) < 0)
		return err_set("%s:%zu: key 'study.%s': too long", path, line, key);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq || eq == tok || n == max)
			return err_set("%s:%zu: key 'study.%s': expected 'column=value[,column=value]', "
				       "got '%s'", path, line, key, text);
		*eq = 0;
		while (*tok == ' ')
			tok++;
		if (strlcpy0(c[n].col, tok, sizeof(c[n].col)) < 0 ||
		    strlcpy0(c[n].val, eq + 1, sizeof(c[n].val)) < 0)
			return err_set("%s:%zu: key 'study.%s': too long", path, line, key);
		n++;
	}
	return n;
}

static int parse_plot(struct plot *pl, struct ydoc *doc, yaml_node_t *m, const char *path)
{
	struct ydoc_iter it;
	yaml_node_t *k, *v;
	memset(pl, 0, sizeof(*pl));
	/* the keys whose value is copied as it is written */
	const struct {
		const char *key;
		char *dst;
		size_t n; /* bytes */
	} text[] = {
		{"name", pl->name, sizeof(pl->name)}, {"title", pl->title, sizeof(pl->title)},
		{"x", pl->x, sizeof(pl->x)}, {"y", pl->y, sizeof(pl->y)},
		{"series", pl->series, sizeof(pl->series)},
		{"aggregate", pl->aggregate, sizeof(pl->aggregate)},
	};
	pl->line = ydoc_line(m);
	if (m->type != YAML_MAPPING_NODE)
		return err_set("%s:%zu: key 'study.plots': expected a mapping per plot", path, pl->line);
	if (ydoc_map_unique(doc, m, "study.plots.") < 0)
		return -1;
	for (ydoc_map_iter(&it, doc, m); ydoc_map_next(&it, &k, &v);) {
		const char *key = k->type == YAML_SCALAR_NODE ? sc(k) : "?";
		char kp[80];
		size_t t = 0, nt = sizeof(text) / sizeof(text[0]);
		snprintf(kp, sizeof(kp), "plots.%s", key);
		while (t < nt && strcmp(key, text[t].key))
			t++;
		if (t < nt) {
			if (copy_scalar(v, text[t].dst, text[t].n, path, kp) < 0)
				return -1;
			for (const char *c = pl->name; text[t].dst == pl->name && *c; c++)
				if (!(isalnum_ascii(*c) || *c == '_' || *c == '-'))
					return err_set("%s:%zu: key 'study.plots.name': '%s' must be letters, "
						       "digits, '_' or '-'", path, ydoc_line(v), pl->name);
		} else if (!strcmp(key, "where")) {
			int n;
			if (v->type != YAML_SCALAR_NODE)
				return err_set("%s:%zu: key 'study.%s': expected 'column=value,...'", path,
					       ydoc_line(v), kp);
			if ((n = parse_conds(sc(v), pl->where, MAX_WHERE, path, ydoc_line(v), kp)) < 0)
				return -1;
			pl->n_where = n;
		} else if (!strcmp(key, "ratio_to")) {
			if (v->type != YAML_SCALAR_NODE ||
			    parse_conds(sc(v), &pl->ratio, 1, path, ydoc_line(v), kp) != 1)
				return err_set("%s:%zu: key 'study.%s': expected one 'column=value'", path,
					       ydoc_line(v), kp);
		} else if (!strcmp(key, "logx")) {
			if (parse_bool(v, &pl->logx, path, kp) < 0)
				return -1;
		} else if (!strcmp(key, "logy")) {
			if (parse_bool(v, &pl->logy, path, kp) < 0)
				return -1;
		} else {
			return err_set("%s:%zu: key 'study.%s': unknown key (expected name, title, x, y, "
				       "series, where, aggregate, ratio_to, logx, logy)",
				       path, ydoc_line(k), kp);
		}
	}
	if (!pl->name[0] || !pl->x[0] || !pl->y[0])
		return err_set("%s:%zu: key 'study.plots': a plot needs name, x and y", path, pl->line);
	return 0;
}

static double num_of(yaml_node_t *v, const char *path, const char *key, int *bad)
{
	double d;
	if (v->type != YAML_SCALAR_NODE || parse_double(sc(v), &d) < 0) {
		*bad = err_set("%s:%zu: key 'study.%s': expected a number", path, ydoc_line(v), key);
		return NAN;
	}
	return d;
}

static void study_release(struct study *st)
{
	for (int i = 0; i < st->n_table; i++)
		free(st->table[i]);
	free(st->table);
	free(st->plots);
	free(st->best);
	memset(st, 0, sizeof(*st));
}

static int parse_study(struct study *st, struct ydoc *doc, yaml_node_t *m, const char *path)
{
	struct ydoc_iter it, iq;
	yaml_node_t *k, *v, *kk, *vv;
	if (m->type != YAML_MAPPING_NODE)
		return err_set("%s:%zu: key 'study': expected a mapping", path, ydoc_line(m));
	if (ydoc_map_unique(doc, m, "study.") < 0)
		return -1;
	for (ydoc_map_iter(&it, doc, m); ydoc_map_next(&it, &k, &v);) {
		const char *key = k->type == YAML_SCALAR_NODE ? sc(k) : "?";
		if (!strcmp(key, "table")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return err_set("%s:%zu: key 'study.table': expected a list of columns", path,
					       ydoc_line(v));
			for (yaml_node_item_t *item = v->data.sequence.items.start; item < v->data.sequence.items.top; item++) {
				yaml_node_t *c = ydoc_node(doc, *item);
				if (c->type != YAML_SCALAR_NODE)
					return err_set("%s:%zu: key 'study.table': expected column names", path,
						       ydoc_line(c));
				st->table = xrealloc(st->table, sizeof(char *) * (size_t)(st->n_table + 1));
				st->table[st->n_table++] = xstrdup(sc(c));
			}
		} else if (!strcmp(key, "plots")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return err_set("%s:%zu: key 'study.plots': expected a list of plots", path,
					       ydoc_line(v));
			for (yaml_node_item_t *item = v->data.sequence.items.start; item < v->data.sequence.items.top; item++) {
				st->plots = xrealloc(st->plots, sizeof(*st->plots) * (size_t)(st->n_plots + 1));
				if (parse_plot(&st->plots[st->n_plots], doc, ydoc_node(doc, *item), path) < 0)
					return -1;
				st->n_plots++;
			}
		} else if (!strcmp(key, "pareto")) {
			if (v->type != YAML_MAPPING_NODE)
				return err_set("%s:%zu: key 'study.pareto': expected {x: .., y: .., z: ..}",
					       path, ydoc_line(v));
			if (ydoc_map_unique(doc, v, "study.pareto.") < 0)
				return -1;
			for (ydoc_map_iter(&iq, doc, v); ydoc_map_next(&iq, &kk, &vv);) {
				const char *a = kk->type == YAML_SCALAR_NODE ? sc(kk) : "?";
				char *dst = !strcmp(a, "x") ? st->px : !strcmp(a, "y") ? st->py : !strcmp(a, "z") ? st->pz : NULL;
				if (!dst)
					return err_set("%s:%zu: key 'study.pareto.%s': unknown key (expected x, y, z)",
						       path, ydoc_line(kk), a);
				if (copy_scalar(vv, dst, 64, path, "pareto") < 0)
					return -1;
			}
			if (!st->px[0] || !st->py[0])
				return err_set("%s:%zu: key 'study.pareto': needs x and y", path, ydoc_line(v));
		} else if (!strcmp(key, "best")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return err_set("%s:%zu: key 'study.best': expected a list of limits", path,
					       ydoc_line(v));
			for (yaml_node_item_t *item = v->data.sequence.items.start; item < v->data.sequence.items.top; item++) {
				yaml_node_t *b = ydoc_node(doc, *item);
				struct limits l = {NAN, NAN};
				int bad = 0;
				if (b->type != YAML_MAPPING_NODE)
					return err_set("%s:%zu: key 'study.best': expected {min_accuracy: A, "
						       "max_latency_p90: S}", path, ydoc_line(b));
				if (ydoc_map_unique(doc, b, "study.best.") < 0)
					return -1;
				for (ydoc_map_iter(&iq, doc, b); ydoc_map_next(&iq, &kk, &vv);) {
					const char *a = kk->type == YAML_SCALAR_NODE ? sc(kk) : "?";
					if (!strcmp(a, "min_accuracy"))
						l.min_acc = num_of(vv, path, "best.min_accuracy", &bad);
					else if (!strcmp(a, "max_latency_p90"))
						l.max_lat = num_of(vv, path, "best.max_latency_p90", &bad);
					else
						return err_set("%s:%zu: key 'study.best.%s': unknown key (expected "
							       "min_accuracy, max_latency_p90)", path,
							       ydoc_line(kk), a);
					if (bad)
						return -1;
				}
				if (isnan(l.min_acc) || isnan(l.max_lat))
					return err_set("%s:%zu: key 'study.best': needs min_accuracy and "
						       "max_latency_p90", path, ydoc_line(b));
				st->best = xrealloc(st->best, sizeof(*st->best) * (size_t)(st->n_best + 1));
				st->best[st->n_best++] = l;
			}
		} else {
			return err_set("%s:%zu: key 'study.%s': unknown key (expected table, plots, pareto, "
				       "best)", path, ydoc_line(k), key);
		}
	}
	return 0;
}

static int load_study(struct study *st, const char *path)
{
	size_t len;
	char *text = file_read(path, &len);
	struct ydoc doc;
	struct ydoc_iter it;
	yaml_node_t *k, *v;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (!text)
		return -1;
	if (ydoc_load(&doc, text, len, path, "") < 0) {
		ydoc_release(&doc);
		free(text);
		return -1;
	}
	for (ydoc_map_iter(&it, &doc, ydoc_root(&doc)); ydoc_map_next(&it, &k, &v);)
		if (k->type == YAML_SCALAR_NODE && !strcmp(sc(k), "study")) {
			rc = parse_study(st, &doc, v, path);
			break;
		}
	ydoc_release(&doc);
	free(text);
	return rc;
}

/* ---- the report ---- */

static int need(const struct table *t, const char *col, const char *dir, const char *what)
{
	int c = table_col(t, col);
	if (c < 0)
		return err_set("%s/results.csv: no column '%s' (asked for by study %s)", dir, col, what);
	return c;
}

static void print_table(const struct table *t, const int *cols, int n)
{
	int w[64];
	for (int j = 0; j < n; j++) {
		w[j] = (int)strlen(t->cols[cols[j]]);
		for (long i = 0; i < t->nrow; i++)
			if (report_row_ok(t, i)) {
				char buf[64];
				double v = table_num(t, i, cols[j]);
				int l = isnan(v) || strpbrk(t->rows[i][cols[j]], "abcdfghijklmnoqrstuvwxyz-/")
						? (int)strlen(t->rows[i][cols[j]])
						: snprintf(buf, sizeof(buf), "%.4g", v);
				if (l > w[j])
					w[j] = l;
			}
		if (w[j] > 40)
			w[j] = 40;
	}
	for (int j = 0; j < n; j++)
		printf("%s%-*s", j ? "  " : "", w[j], t->cols[cols[j]]);
	printf("\n");
	for (long i = 0; i < t->nrow; i++) {
		if (!report_row_ok(t, i))
			continue;
		for (int j = 0; j < n; j++) {
			const char *cell = t->rows[i][cols[j]];
			double v;
			if (parse_double(cell, &v) == 0 && strpbrk(cell, ".eE"))
				printf("%s%*.4g", j ? "  " : "", w[j], v);
			else
				printf("%s%-*.*s", j ? "  " : "", w[j], w[j], cell);
		}
		printf("\n");
	}
}

struct pt {
	char series[128];
	double x, y, sd;
	long n;
};

static int cmp_pt(const void *a, const void *b)
{
	const struct pt *p = a, *q = b;
	int c = strcmp(p->series, q->series);
	if (c)
		return c;
	return (p->x > q->x) - (p->x < q->x);
}

static int draw(const struct table *t, const struct plot *pl, const char *dir, int *drawn)
{
	int cx, cy, cs = -1, ca = -1, cr = -1, cw[MAX_WHERE];
	struct pt *pts = xcalloc((size_t)t->nrow + 1, sizeof(*pts));
	long n = 0, m = 0;
	struct sbuf sb = {0}, path = {0}, name = {0};
	char tb[600];
	int rc = -1, n_series = 0;

	if ((cx = need(t, pl->x, dir, pl->name)) < 0 || (cy = need(t, pl->y, dir, pl->name)) < 0)
		goto out;
	if (pl->series[0] && (cs = need(t, pl->series, dir, pl->name)) < 0)
		goto out;
	if (pl->aggregate[0] && (ca = need(t, pl->aggregate, dir, pl->name)) < 0)
		goto out;
	if (pl->ratio.col[0] && (cr = need(t, pl->ratio.col, dir, pl->name)) < 0)
		goto out;
	for (int k = 0; k < pl->n_where; k++)
		if ((cw[k] = need(t, pl->where[k].col, dir, pl->name)) < 0)
			goto out;
	for (long i = 0; i < t->nrow; i++) {
		int keep = report_row_ok(t, i);
		for (int k = 0; keep && k < pl->n_where; k++)
			keep = report_cell_is(t->rows[i][cw[k]], pl->where[k].val); /* NOLINT(clang-analyzer-core.uninitialized.ArraySubscript): cw[0..n_where) set above */
		if (!keep || isnan(table_num(t, i, cx)) || isnan(table_num(t, i, cy)))
			continue;
		snprintf(pts[n].series, sizeof(pts[n].series), "%s",
			 cs < 0 ? pl->y : t->rows[i][cs][0] ? t->rows[i][cs] : "none");
		pts[n].x = table_num(t, i, cx);
		pts[n].y = table_num(t, i, cy);
		pts[n].n = 1;
		if (cr >= 0) { /* y(baseline) / y, the baseline from the same series (and where) */
			double base = NAN;
			for (long j = 0; j < t->nrow; j++) {
				int same = report_row_ok(t, j) && report_cell_is(t->rows[j][cr], pl->ratio.val) &&
					   (cs < 0 || !strcmp(t->rows[j][cs], t->rows[i][cs])) &&
					   (ca < 0 || !strcmp(t->rows[j][ca], t->rows[i][ca]));
				for (int k = 0; same && k < pl->n_where; k++)
					same = report_cell_is(t->rows[j][cw[k]], pl->where[k].val); /* NOLINT(clang-analyzer-core.uninitialized.ArraySubscript): cw[0..n_where) set above */
				if (same) {
					base = table_num(t, j, cy);
					break;
				}
			}
			if (isnan(base))
				continue;
			pts[n].y = base / pts[n].y;
		}
		n++;
	}
	if (n == 0) {
		err_set("study plot '%s' (line %zu): no rows match (where, and status ok)", pl->name,
			pl->line);
		goto out;
	}
	qsort(pts, (size_t)n, sizeof(*pts), cmp_pt);
	if (ca >= 0) { /* mean and standard deviation of rows with the same series and x */
		for (long i = 0; i < n;) {
			long j = i;
			double s = 0, s2 = 0;
			while (j < n && !strcmp(pts[j].series, pts[i].series) && pts[j].x == pts[i].x)
				s += pts[j].y, j++;
			s /= (double)(j - i);
			for (long k = i; k < j; k++)
				s2 += (pts[k].y - s) * (pts[k].y - s);
			pts[m] = pts[i];
			pts[m].y = s;
			pts[m].sd = j - i > 1 ? sqrt(s2 / (double)(j - i - 1)) : 0;
			pts[m].n = j - i;
			m++;
			i = j;
		}
		n = m;
	}
	sbuf_printf(&path, "%s/plots", dir);
	if (mkdir_p(path.buf) < 0)
		goto out;
	sbuf_printf(&name, "%s.dat", pl->name);
	/* the data: one block per series, separated by two blank lines (gnuplot's index) */
	sbuf_printf(&sb, "# %s: %s vs %s%s%s\n", pl->name, pl->y, pl->x,
		    ca >= 0 ? ", mean and sd over " : "", ca >= 0 ? pl->aggregate : "");
	for (long i = 0; i < n; i++) {
		if (i == 0 || strcmp(pts[i].series, pts[i - 1].series)) {
			sbuf_printf(&sb, "%s# %s\n", i ? "\n\n" : "", pts[i].series);
			n_series++;
		}
		sbuf_printf(&sb, "%.10g %.10g %.10g %ld\n", pts[i].x, pts[i].y, pts[i].sd, pts[i].n);
	}
	if (report_write(path.buf, name.buf, &sb) < 0)
		goto out;
	sb.len = 0;
	sbuf_printf(&sb, "# written by ttsim (study plot '%s'): gnuplot %s.gp\n", pl->name, pl->name);
	sbuf_printf(&sb, "set title \"%s\"\n", report_gp_text(pl->title[0] ? pl->title : pl->name, 0, tb, sizeof(tb)));
	sbuf_printf(&sb, "set xlabel \"%s\"\n", report_gp_text(pl->x, 0, tb, sizeof(tb)));
	sbuf_printf(&sb, "set ylabel \"%s%s\"\nset grid\nset key outside right\n",
		    report_gp_text(pl->y, 0, tb, sizeof(tb)), cr >= 0 ? " (baseline / value)" : "");
	if (pl->logx)
		sbuf_printf(&sb, "set logscale x\n");
	else {
		double *xs = xcalloc((size_t)n, sizeof(double));
		for (long i = 0; i < n; i++)
			xs[i] = pts[i].x;
		if (report_integer_axis(xs, n, 1))
			sbuf_printf(&sb, "set xtics 1\n"); /* tp 1, 2, 4: no tick at 1.5 */
		free(xs);
	}
	if (pl->logy)
		sbuf_printf(&sb, "set logscale y\n");
	for (int pass = 0; pass < 2; pass++) {
		long i = 0;
		report_gp_terminal(&sb, pass, pl->name, 960, 600, 1);
		sbuf_printf(&sb, "plot ");
		for (int k = 0; k < n_series; k++) {
			sbuf_printf(&sb, "%s'%s.dat' index %d using 1:2%s with %s title \"%s\"", k ? ", \\\n     " : "",
				    pl->name, k, ca >= 0 ? ":3" : "",
				    ca >= 0 ? "yerrorlines" : "linespoints", report_gp_text(pts[i].series, 0, tb, sizeof(tb)));
			while (i + 1 < n && !strcmp(pts[i + 1].series, pts[i].series))
				i++;
			i++;
		}
		sbuf_printf(&sb, "\n");
	}
	name.len = 0;
	sbuf_printf(&name, "%s.gp", pl->name);
	if (report_write(path.buf, name.buf, &sb) < 0)
		goto out;
	if (report_have_gnuplot()) {
		int st;
		sb.len = 0;
		st = report_gnuplot(path.buf, name.buf, &sb);
		if (sb.len) /* gnuplot's warnings, as it printed them */
			fwrite(sb.buf, 1, sb.len, stdout);
		if (st != 0) {
			err_set("gnuplot failed on %s/plots/%s.gp", dir, pl->name);
			goto out;
		}
		(*drawn)++;
	}
	printf("plot %-28s %ld points, %d series -> %s/plots/%s.{png,svg}\n", pl->name, n, n_series,
	       dir, pl->name);
	rc = 0;
out:
	free(pts);
	sbuf_release(&sb);
	sbuf_release(&path);
	sbuf_release(&name);
	return rc;
}

static int report_pareto(const struct table *t, const struct study *st, const char *dir)
{
	const char *ax[3] = {st->px, st->py, st->pz};
	int d = st->pz[0] ? 3 : 2, col[3], dir3[3];
	double *v;
	long *front, n;
	for (int k = 0; k < d; k++) {
		if ((col[k] = need(t, ax[k], dir, "pareto")) < 0)
			return -1;
		dir3[k] = metric_direction(ax[k]);
	}
	v = report_values(t, col, d);
	front = xmalloc(sizeof(long) * (size_t)(t->nrow + 1));
	n = pareto_front(v, t->nrow, d, dir3, front);
	long n_ok = pareto_rows(v, t->nrow, d);
	/* of the configurations that ran: skipped points (filters) have no values */
	printf("\nPareto set over %s (%s), %s (%s)%s%s%s: %ld of %ld configurations\n", ax[0],
	       dir3[0] > 0 ? "max" : "min", ax[1], dir3[1] > 0 ? "max" : "min", d == 3 ? ", " : "",
	       d == 3 ? ax[2] : "", d == 3 ? (dir3[2] > 0 ? " (max)" : " (min)") : "", n, n_ok);
	for (long f = 0; f < n; f++) {
		struct sbuf sb = {0};
		report_row_params(t, front[f], &sb);
		printf("  ");
		for (int k = 0; k < d; k++)
			printf("%s=%-10.4g ", ax[k], v[front[f] * d + k]);
		printf(" %s\n", sb.buf);
		sbuf_release(&sb);
	}
	free(v);
	free(front);
	return 0;
}

static int report_best(const struct table *t, const struct study *st, const char *dir)
{
	int ca, cl, cc;
	double *acc, *lat, *cost;
	if ((ca = need(t, "accuracy", dir, "best")) < 0 || (cl = need(t, "latency_p90_s", dir, "best")) < 0 ||
	    (cc = need(t, "usd_per_problem", dir, "best")) < 0)
		return -1;
	acc = report_values(t, &ca, 1);
	lat = report_values(t, &cl, 1);
	cost = report_values(t, &cc, 1);
	printf("\nCheapest configuration (usd_per_problem) under each limit:\n");
	for (int b = 0; b < st->n_best; b++) {
		long ru, i = best_pick(acc, lat, cost, t->nrow, st->best[b].min_acc, st->best[b].max_lat, &ru);
		printf("  accuracy >= %.3g, p90 latency <= %.6g s: ", st->best[b].min_acc, st->best[b].max_lat);
		if (i < 0) {
			printf("none meets both\n");
			continue;
		}
		{
			struct sbuf sb = {0};
			report_row_params(t, i, &sb);
			printf("%s (accuracy %.4g, p90 %.4g s, %.4g USD/problem)\n", sb.buf, acc[i], lat[i], cost[i]);
			sbuf_release(&sb);
		}
		if (ru >= 0) {
			struct sbuf sb = {0};
			report_row_params(t, ru, &sb);
			printf("    runner-up: %s (%.4g USD/problem, %.1f%% dearer)\n", sb.buf, cost[ru],
			       100 * (cost[ru] / cost[i] - 1));
			sbuf_release(&sb);
		}
	}
	free(acc);
	free(lat);
	free(cost);
	return 0;
}

int study_check(const char *path)
{
	struct study st;
	int rc = load_study(&st, path);
	study_release(&st);
	return rc;
}

int study_report(const char *path, const char *dir)
{
	struct study st;
	struct table t;
	int rc = -1, drawn = 0;

	if (load_study(&st, path) < 0)
		return -1;
	if (report_load(&t, dir) < 0) {
		study_release(&st);
		return -1;
	}
	if (st.n_table > 0) {
		int cols[64], n = 0;
		for (int j = 0; j < st.n_table && n < 64; j++)
			if ((cols[n++] = need(&t, st.table[j], dir, "table")) < 0)
				goto out;
		printf("\n");
		print_table(&t, cols, n);
	}
	if (st.px[0] && report_pareto(&t, &st, dir) < 0)
		goto out;
	if (st.n_best && report_best(&t, &st, dir) < 0)
		goto out;
	if (st.n_plots)
		printf("\n");
	for (int i = 0; i < st.n_plots; i++)
		if (draw(&t, &st.plots[i], dir, &drawn) < 0)
			goto out;
	if (st.n_plots && !drawn)
		printf("gnuplot not found: the data (.dat) and scripts (.gp) are in %s/plots\n", dir);
	rc = 0;
out:
	table_release(&t);
	study_release(&st);
	return rc;
}
