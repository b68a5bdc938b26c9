/* csv.c: the one CSV reader (see csv.h). Splits an owned copy in place. */
#include "lib/csv.h"

#include <math.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

void csv_init(struct csv *c, const char *text, size_t len, unsigned flags)
{
	memset(c, 0, sizeof(*c));
	c->buf = xmalloc(len + 1);
	memcpy(c->buf, text, len);
	c->buf[len] = 0;
	c->p = c->buf;
	/* a UTF-8 byte-order mark (spreadsheets write one) is not part of the first column's name */
	if (len >= 3 && !memcmp(c->buf, "\xef\xbb\xbf", 3))
		c->p += 3;
	c->flags = flags;
}

void csv_release(struct csv *c)
{
	for (int i = 0; i < c->nh; i++)
		free(c->hdr[i]);
	free(c->hdr);
	free(c->f);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

static char *skip_blanks(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static char *trim(char *s)
{
	size_t n;
	s = skip_blanks(s);
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

char *csv_line(struct csv *c)
{
	while (c->p) {
		char *line = c->p, *nl = strchr(line, '\n'), *b;
		size_t n;
		c->line++;
		if (nl) {
			*nl = 0;
			c->p = nl + 1;
		} else {
			c->p = NULL;
			if (!*line) /* the empty piece after a final newline is no line */
				return NULL;
		}
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = 0;
		b = skip_blanks(line);
		if ((c->flags & CSV_SKIP_BLANK) && !*b)
			continue;
		if ((c->flags & CSV_SKIP_COMMENT) && *b == '#')
			continue;
		return line;
	}
	return NULL;
}

int csv_split(char *line, unsigned flags, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		char *start = p;
		if (n == max)
			return max + 1;
		if ((flags & CSV_QUOTES) && *p == '"') {
			char *out = p, *q = p + 1;
			for (;;) {
				if (!*q)
					return -1;
				if (*q == '"' && q[1] == '"') {
					*out++ = '"';
					q += 2;
				} else if (*q == '"') {
					q++;
					break;
				} else {
					*out++ = *q++;
				}
			}
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q && *q != ',')
				return -1;
			*out = 0;
			f[n++] = start;
			if (!*q)
				break;
			p = q + 1;
			continue;
		}
		while (*p && *p != ',')
			p++;
		f[n++] = start;
		if (!*p)
			break;
		*p++ = 0;
	}
	if (flags & CSV_TRIM)
		for (int i = 0; i < n; i++)
			f[i] = trim(f[i]);
	return n;
}

int csv_split_line(struct csv *c, char *line)
{
	size_t need = 1;
	int n;
	for (const char *s = line; *s; s++)
		need += *s == ',';
	xgrow((void **)&c->f, &c->fcap, need, sizeof(*c->f));
	n = csv_split(line, c->flags, c->f, (int)need);
	c->nf = n < 0 ? 0 : n;
	return n;
}

int csv_next(struct csv *c)
{
	char *line = csv_line(c);
	c->nf = 0;
	if (!line)
		return 0;
	return csv_split_line(c, line) < 0 ? -1 : 1;
}

void csv_set_header(struct csv *c)
{
	for (int i = 0; i < c->nh; i++)
		free(c->hdr[i]);
	free(c->hdr);
	c->hdr = xcalloc((size_t)c->nf + 1, sizeof(*c->hdr));
	for (int i = 0; i < c->nf; i++)
		c->hdr[i] = xstrdup(c->f[i]);
	c->nh = c->nf;
	c->hdr_line = c->line;
}

int csv_repeated(char *const *names, int n)
{
	for (int j = 0; j < n; j++)
		for (int k = 0; k < j; k++)
			if (!strcmp(names[j], names[k]))
				return j;
	return -1;
}

int csv_col(const struct csv *c, const char *name)
{
	for (int i = 0; i < c->nh; i++)
		if (!strcmp(c->hdr[i], name))
			return i;
	return -1;
}

const char *csv_get(const struct csv *c, int i)
{
	return i >= 0 && i < c->nf ? c->f[i] : NULL;
}

void csv_put_field(struct sbuf *sb, const char *v)
{
	if (!strpbrk(v, ",\"\n\r")) {
		sbuf_printf(sb, ",%s", v);
		return;
	}
	sbuf_add(sb, ",\"", 2);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			sbuf_add(sb, "\"", 1);
		sbuf_add(sb, *p == '\n' || *p == '\r' ? " " : p, 1);
	}
	sbuf_add(sb, "\"", 1);
}

void csv_put_num(struct sbuf *sb, double v, int digits)
{
	if (isfinite(v))
		sbuf_printf(sb, ",%.*g", digits, v);
	else
		sbuf_add(sb, ",", 1);
}

int csv_table_parse(const char *text, size_t len, const char *name, const char *const *cols,
		    int ncols, int max, const char *what,
		    int (*row)(const char *const *v, int line, void *arg), void *arg, int *n)
{
	struct csv c;
	int idx[CSV_TABLE_MAX_COLS], rc, k0;
	const char *v[CSV_TABLE_MAX_COLS];
	*n = 0;
	if (ncols < 1 || ncols > CSV_TABLE_MAX_COLS)
		return err_set("%s: %d columns (expected 1 to %d)", name, ncols, CSV_TABLE_MAX_COLS);
	csv_init(&c, text, len, CSV_SKIP_BLANK | CSV_SKIP_COMMENT | CSV_QUOTES | CSV_TRIM);
	if (csv_next(&c) <= 0) {
		rc = err_set("%s:%d: no header (expected the columns %s%s%s,...)", name, c.line, cols[0],
			     ncols > 1 ? "," : "", ncols > 1 ? cols[1] : "");
		goto out;
	}
	csv_set_header(&c);
	if ((k0 = csv_repeated(c.hdr, c.nh)) >= 0) {
		rc = err_set("%s:%d: key '%s': a column named twice (expected each once)", name,
			     c.hdr_line, c.hdr[k0]);
		goto out;
	}
	for (int k = 0; k < ncols; k++)
		if ((idx[k] = csv_col(&c, cols[k])) < 0) {
			rc = err_set("%s:%d: key '%s': missing column (expected it in the header)", name,
				     c.hdr_line, cols[k]);
			goto out;
		}
	while ((rc = csv_next(&c)) > 0) {
		for (int k = 0; k < ncols; k++)
			if (!(v[k] = csv_get(&c, idx[k]))) {
				rc = err_set("%s:%d: key '%s': missing field (expected %d fields)", name,
					     c.line, cols[k], c.nh);
				goto out;
			}
		if (*n == max) {
			rc = err_set("%s:%d: more than %d rows (expected at most %d)", name, c.line, max,
				     max);
			goto out;
		}
		if (row(v, c.line, arg) < 0) {
			rc = -1;
			goto out;
		}
		(*n)++;
	}
	if (rc < 0)
		rc = err_set("%s:%d: bad quoting (expected RFC 4180 fields)", name, c.line);
	else if (!*n)
		rc = err_set("%s:%d: no data rows (expected at least one %s)", name, c.line, what);
out:
	csv_release(&c);
	return rc < 0 ? -1 : 0;
}

int csv_field_copy(char *dst, size_t cap, const char *v, const char *name, int line,
		   const char *key)
{
	if (!*v || strlen(v) >= cap)
		return err_set("%s:%d: key '%s': bad value '%s' (expected 1 to %zu characters)", name,
			       line, key, v, cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int csv_field_num(const char *v, const char *name, int line, const char *key, double lo,
		  double hi, double *out)
{
	if (parse_double(v, out) < 0 || !(*out >= lo && *out <= hi))
		return err_set("%s:%d: key '%s': bad value '%s' (expected a number in %g..%g)", name,
			       line, key, v, lo, hi);
	return 0;
}
