/* report.c: results tables and gnuplot files for pareto, best and studies (see report.h). */
#include "experiments/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

int report_load(struct table *t, const char *dir)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	return table_load_csv(t, path);
}

int report_row_ok(const struct table *t, long i)
{
	int c = table_col(t, "status");
	return c < 0 || !strcmp(t->rows[i][c], "ok");
}

int report_cell_is(const char *cell, const char *val)
{
	double a, b;
	if (parse_double(cell, &a) == 0 && parse_double(val, &b) == 0)
		return a == b;
	return !strcmp(cell, val);
}

double *report_values(const struct table *t, const int *cols, int d)
{
	double *v = xcalloc((size_t)t->nrow * (size_t)d + 1, sizeof(double));
	for (long i = 0; i < t->nrow; i++) {
		int ok = report_row_ok(t, i);
		for (int k = 0; k < d; k++)
			v[i * d + k] = ok ? table_num(t, i, cols[k]) : NAN;
	}
	return v;
}

void report_row_params(const struct table *t, long i, struct sbuf *sb)
{
	int st = table_col(t, "status");
	for (int j = 1; j < st; j++)
		sbuf_printf(sb, "%s%s=%s", j > 1 ? " " : "", t->cols[j], t->rows[i][j]);
}

void report_columns(const struct table *t, struct sbuf *sb)
{
	int n = 0;
	for (int j = 0; j < t->ncol; j++)
		if (strcmp(t->cols[j], "id") && strcmp(t->cols[j], "status"))
			sbuf_printf(sb, "%s%s", n++ ? ", " : "", t->cols[j]);
	if (!n)
		sbuf_add(sb, "", 0);
}

const char *report_gp_text(const char *s, int enhanced, char *buf, size_t n)
{
	size_t k = 0;
	for (; *s && k + 2 < n; s++) {
		if (*s == '"' || *s == '\\')
			buf[k++] = '\\';
		buf[k++] = enhanced && *s == '_' ? ' ' : *s;
	}
	buf[k] = 0;
	return buf;
}

void report_gp_terminal(struct sbuf *sb, int pass, const char *base, int w, int h,
			int noenhanced)
{
	if (pass)
		sbuf_printf(sb, "set terminal svg size %d,%d%s\nset output '%s.svg'\n", w, h,
			    noenhanced ? " dynamic noenhanced" : "", base);
	else
		sbuf_printf(sb, "set terminal pngcairo size %d,%d%s\nset output '%s.png'\n", w, h,
			    noenhanced ? " noenhanced" : "", base);
}

int report_is_latency(const char *m)
{
	return strstr(m, "latency") || strstr(m, "ttft") || strstr(m, "tpot") || strstr(m, "itl") ||
	       strstr(m, "e2e");
}

int report_integer_axis(const double *x, long n, long stride)
{
	double lo = INFINITY, hi = -INFINITY;
	for (long i = 0; i < n; i++) {
		double v = x[i * stride];
		if (!isfinite(v))
			continue;
		if (v != floor(v))
			return 0;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	return lo <= hi && hi - lo <= 32;
}

int report_write(const char *dir, const char *name, const struct sbuf *sb)
{
	struct sbuf path = {0};
	int rc;
	sbuf_printf(&path, "%s/%s", dir, name);
	rc = file_write_atomic(path.buf, sb->buf ? sb->buf : "", sb->len);
	sbuf_release(&path);
	return rc;
}

int report_have_gnuplot(void)
{
	return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

int report_gnuplot(const char *dir, const char *gp, struct sbuf *out)
{
	struct sbuf cmd = {0};
	char line[512];
	FILE *f;
	int st;
	sbuf_printf(&cmd, "cd '%s' && gnuplot '%s' 2>&1", dir, gp);
	f = popen(cmd.buf, "r");
	sbuf_release(&cmd);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sbuf_add(out, line, strlen(line));
	st = pclose(f);
	return st < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
