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
