/* pareto.c: results tables, Pareto fronts and the cheapest feasible row (see pareto.h). */
#include "experiments/pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/csv.h"
#include "lib/util.h"

static char **copy_fields(const struct csv *c)
{
	char **r = xcalloc((size_t)c->nf + 1, sizeof(*r));
	for (int j = 0; j < c->nf; j++)
		r[j] = xstrdup(c->f[j]);
	return r;
}

/* Duplicate ids: a results table holds each point once. Two writers in one directory (two
 * sweeps at once, a build without MPI started under mpirun) wrote doubled lines before the
 * directory was locked; a file that still has them is refused, not read as more points. */
struct id_line {
	const char *id;
	int line;
};

static int cmp_id_line(const void *a, const void *b)
{
	const struct id_line *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int check_unique_ids(const struct table *t, const int *lines, const char *path)
{
	int c = table_col(t, "id"), rc = 0;
	struct id_line *v;
	if (c < 0 || t->nrow < 2 || !lines)
		return 0;
	v = xmalloc((size_t)t->nrow * sizeof(*v));
	for (long i = 0; i < t->nrow; i++)
		v[i] = (struct id_line){t->rows[i][c], lines[i]};
	qsort(v, (size_t)t->nrow, sizeof(*v), cmp_id_line);
	for (long i = 1; i < t->nrow && !rc; i++)
		if (!strcmp(v[i].id, v[i - 1].id))
			rc = err_set("%s:%d: key 'id': '%s' appears again (first on line %d; two writers "
				     "in one directory? expected each point once)", path, v[i].line,
				     v[i].id, v[i - 1].line);
	free(v);
	return rc;
}

/* What pareto, best and the studies read of a row, as a sweep writes it: each header name
 * once; a status of ok or skipped; on an ok row, every cell after the status (but the
 * reason) empty or nan (no value) or a number >= 0, and the shares (accuracy, acceptance rate,
 * drafted fraction) at most 1. A cell of text, a negative cost or an accuracy of 2.5 was
 * dropped or taken as it stood: refused, by line and column. */
static int check_cells(const struct table *t, const int *lines, const char *path)
{
	int st = table_col(t, "status"), dup = csv_repeated(t->cols, t->ncol);
	if (dup >= 0)
		return err_set("%s:1: key '%s': a column named twice (expected each once)", path,
			       t->cols[dup]);
	if (st < 0)
		return 0;
	for (long i = 0; i < t->nrow; i++) {
		const char *s = t->rows[i][st];
		int ln = lines ? lines[i] : 0;
		if (strcmp(s, "ok") && strcmp(s, "skipped"))
			return err_set("%s:%d: key 'status': '%s' (expected ok or skipped)", path, ln, s);
		if (strcmp(s, "ok"))
			continue;
		for (int j = st + 1; j < t->ncol; j++) {
			const char *v = t->rows[i][j], *name = t->cols[j];
			double x;
			if (!strcmp(name, "reason") || !*v || !strcasecmp(v, "nan") ||
			    !strcasecmp(v, "-nan"))
				continue; /* no value (a sweep writes an empty cell; nan reads the same) */
			if (parse_double(v, &x) < 0)
				return err_set("%s:%d: key '%s': '%.40s' is not a number (expected a "
					       "value, or an empty cell for none)", path, ln, name, v);
			if (x < 0 || ((!strcmp(name, "accuracy") || !strcmp(name, "acceptance_rate") ||
				       !strcmp(name, "spec_drafted_fraction")) && x > 1))
				return err_set("%s:%d: key '%s': %g is out of range (expected %s)", path,
					       ln, name, x, x < 0 ? "a value >= 0" : "a share in 0..1");
		}
	}
	return 0;
}

int table_load_csv(struct table *t, const char *path)
{
	size_t len, cap = 0, lcap = 0;
	int *lines = NULL;
	char *text = file_read(path, &len);
	struct csv c;
	int rc;
	memset(t, 0, sizeof(*t));
	if (!text)
		return -1;
	if (!*text) {
		free(text);
		return err_set("%s:1: empty file (expected a header line)", path);
	}
	csv_init(&c, text, len, CSV_QUOTES);
	free(text);
	if ((rc = csv_next(&c)) > 0) {
		t->cols = copy_fields(&c);
		t->ncol = c.nf;
	}
	while (rc > 0 && (rc = csv_next(&c)) > 0) {
		if (c.nf != t->ncol) {
			rc = err_set("%s:%d: %d fields (expected %d as in the header)", path, c.line,
				     c.nf, t->ncol);
			break;
		}
		xgrow((void **)&t->rows, &cap, (size_t)t->nrow + 1, sizeof(char **));
		xgrow((void **)&lines, &lcap, (size_t)t->nrow + 1, sizeof(int));
		lines[t->nrow] = c.line;
		t->rows[t->nrow++] = copy_fields(&c);
	}
	if (rc < 0 && !c.nf)
		err_set("%s:%d: unterminated quoted field", path, c.line);
	csv_release(&c);
	if (rc >= 0 && check_unique_ids(t, lines, path) < 0)
		rc = -1;
	if (rc >= 0 && check_cells(t, lines, path) < 0)
		rc = -1;
	free(lines);
	if (rc < 0)
		table_release(t);
	return rc < 0 ? -1 : 0;
}

void table_release(struct table *t)
{
	for (long i = 0; i < t->nrow; i++) {
		for (int j = 0; j < t->ncol; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	for (int j = 0; j < t->ncol; j++)
		free(t->cols[j]);
	free(t->rows);
	free(t->cols);
	memset(t, 0, sizeof(*t));
}

int table_col(const struct table *t, const char *name)
{
	for (int j = 0; j < t->ncol; j++)
		if (!strcmp(t->cols[j], name))
			return j;
	return -1;
}

double table_num(const struct table *t, long i, int col)
{
	double v;
	if (col < 0 || parse_double(t->rows[i][col], &v) < 0)
		return NAN;
	return v;
}

int metric_direction(const char *name)
{
	return strstr(name, "accuracy") || strstr(name, "tok_per_s") || strstr(name, "max_rate")
		       ? 1
		       : -1;
}

/* a dominates b: no worse in every metric, better in one */
static int dominates(const double *a, const double *b, int d, const int *dir)
{
	int better = 0;
	for (int k = 0; k < d; k++) {
		double x = a[k] * dir[k], y = b[k] * dir[k];
		if (x < y)
			return 0;
		better |= x > y;
	}
	return better;
}

static int finite_row(const double *a, int d)
{
	for (int k = 0; k < d; k++)
		if (!isfinite(a[k]))
			return 0;
	return 1;
}

long pareto_rows(const double *v, long n, int d)
{
	long m = 0;
	for (long i = 0; i < n; i++)
		m += finite_row(v + i * d, d);
	return m;
}

long pareto_front(const double *v, long n, int d, const int *dir, long *out)
{
	long m = 0;
	for (long i = 0; i < n; i++) {
		const double *a = v + i * d;
		int keep = finite_row(a, d);
		for (long j = 0; keep && j < n; j++) {
			const double *b = v + j * d;
			if (j == i || !finite_row(b, d))
				continue;
			if (dominates(b, a, d, dir) || (j < i && !memcmp(a, b, sizeof(double) * (size_t)d)))
				keep = 0;
		}
		if (keep)
			out[m++] = i;
	}
	return m;
}

long best_pick(const double *acc, const double *lat, const double *cost, long n, double min_acc,
	       double max_lat, long *runner_up)
{
	long best = -1, second = -1;
	for (long i = 0; i < n; i++) {
		if (!(acc[i] >= min_acc) || !(lat[i] <= max_lat) || !isfinite(cost[i]))
			continue;
		if (best < 0 || cost[i] < cost[best]) {
			second = best;
			best = i;
		} else if (second < 0 || cost[i] < cost[second]) {
			second = i;
		}
	}
	*runner_up = second;
	return best;
}
