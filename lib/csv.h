/*
 * csv.h: the one CSV reader. Every CSV file ttsim reads (raw calibration tables, public
 * benchmark imports, measured runs, a sweep's results.csv, speculative acceptance tables)
 * goes through it, so that line numbers, quoting and number parsing agree everywhere.
 *
 * A reader owns a copy of the text and splits it in place, one line at a time. Lines end at
 * '\n'; a trailing '\r' is dropped. c->line is always the TRUE 1-based line of the file that
 * the current record came from, blank and comment lines included, so messages can say
 * "file.csv:7:" and an editor opens the right line. After the last line csv_next returns 0
 * and c->line is the number of '\n'-separated pieces (the last, empty one included), which
 * is what "no data rows" messages point at.
 *
 * What the reader refuses to be: it knows no column, no units and no error text of a
 * format; each format's reader checks its own header and values and words its own
 * messages. A quoted field may not hold a newline (records are lines).
 *
 * Use:
 *     struct csv c;
 *     csv_init(&c, text, len, CSV_SKIP_BLANK | CSV_SKIP_COMMENT | CSV_TRIM);
 *     if (csv_next(&c) > 0)
 *             csv_set_header(&c);
 *     while ((rc = csv_next(&c)) > 0)
 *             ... csv_get(&c, csv_col(&c, "time_s")), parse_double ..., c.line ...
 *     csv_release(&c);
 *
 * To add an option: a CSV_ flag below, honoured in csv_line or csv_split.
 */
#ifndef TTSIM_CSV_H
#define TTSIM_CSV_H

#include <stddef.h>

/* Flags of a reader (or of one csv_split call). */
#define CSV_SKIP_BLANK 1u   /* skip lines that are empty or only blanks */
#define CSV_SKIP_COMMENT 2u /* skip lines whose first non-blank character is '#' */
#define CSV_QUOTES 4u       /* a field that starts with '"' is quoted: commas inside, "" is a
			     * quote, only blanks may follow the closing quote */
#define CSV_TRIM 8u         /* strip blanks (isspace) around every field */

struct csv {
	int line;        /* 1-based file line of the current record */
	char **f;        /* fields of the current record (into the reader's buffer) */
	int nf;          /* their count */
	char **hdr;      /* the header after csv_set_header (owned copies), else NULL */
	int nh;
	int hdr_line;    /* the file line of the header (0 before csv_set_header) */
	/* private */
	char *buf, *p;
	unsigned flags;
	size_t fcap;
};

void csv_init(struct csv *c, const char *text, size_t len, unsigned flags);
void csv_release(struct csv *c);

/* The next line the flags do not skip (NUL-terminated, '\r' dropped, not trimmed), with
 * c->line its number; NULL at the end. The caller may modify it in place. */
char *csv_line(struct csv *c);
/* Split line in place into c->f / c->nf. Returns the field count, or -1 when a quoted field
 * is unterminated or followed by other text (c->nf is then 0). */
int csv_split_line(struct csv *c, char *line);
/* csv_line + csv_split_line: 1 with a record in c->f, 0 at the end, -1 on bad quoting
 * (c->line names the line). */
int csv_next(struct csv *c);

/* Keep the current record as the header (copied; the record stays in c->f). */
void csv_set_header(struct csv *c);
/* The index of the header column name, -1 if absent (or no header yet). */
int csv_col(const struct csv *c, const char *name);
/* The index of the first of names[0..n) that repeats an earlier one (a column named twice:
 * which one a reader takes would be the file's accident), or -1. */
int csv_repeated(char *const *names, int n);
/* Field i of the current record; NULL when i < 0 or the record is shorter. */
const char *csv_get(const struct csv *c, int i);

/* Split a single line in place into at most max fields (the flags above; blanks/comments
 * are not looked at). Returns the count, max + 1 when there were more fields (the first
 * max are set), or -1 on bad quoting. */
int csv_split(char *line, unsigned flags, char **f, int max);

#define CSV_TABLE_MAX_COLS 32 /* csv_table_parse: the most named columns */
/* A table of named columns (blank lines and '#' comments skipped, RFC 4180 quotes, fields
 * trimmed): the header must hold every name of cols; row(v, line, arg) gets each data row's
 * fields in cols' order. Errors name file, line and key: no header, a missing column or
 * field, more than max rows, bad quoting, no data row ("expected at least one <what>").
 * *n: the rows read. row returns -1 with err set to stop. 0, or -1 with err set. */
int csv_table_parse(const char *text, size_t len, const char *name, const char *const *cols,
		    int ncols, int max, const char *what,
		    int (*row)(const char *const *v, int line, void *arg), void *arg, int *n);
/* Field checks for csv_table_parse's row callbacks, with their file:line:key errors: v
 * copied into dst (1 to cap - 1 characters); v a number in [lo, hi]. 0, or -1. */
int csv_field_copy(char *dst, size_t cap, const char *v, const char *name, int line,
		   const char *key);
int csv_field_num(const char *v, const char *name, int line, const char *key, double lo,
		  double hi, double *out);

/* Writing: append ",v" to sb, quoted as RFC 4180 wants where v holds a comma, a quote or a
 * line break (quotes doubled; line breaks become spaces, so a record stays one line). */
struct sbuf;
void csv_put_field(struct sbuf *sb, const char *v);
/* Append ",v" with `digits` significant digits (%.*g), or "," alone for NaN or infinity. */
void csv_put_num(struct sbuf *sb, double v, int digits);

#endif
