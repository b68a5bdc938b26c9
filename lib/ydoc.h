/*
 * ydoc.h: one YAML document loaded with libyaml, and the walking every YAML reader repeats:
 * load with the line of a syntax error, the 1-based line of a node, scalar text, mapping
 * iteration in file order, and the refusal of a key given twice in one mapping (libyaml
 * keeps both pairs, so a reader that looks keys up would silently take one of them).
 *
 * A struct ydoc is caller-owned: ydoc_load, then ydoc_release (also after a failed load).
 * Nodes belong to the document. Messages follow util.h: "PATH:LINE: key 'K': ...".
 *
 * What it refuses to be: a schema. Readers keep their keys, types and messages; to add a
 * walk that two readers repeat, put it here.
 */
#ifndef TTSIM_YDOC_H
#define TTSIM_YDOC_H

#include <stddef.h>
#include <yaml.h>

struct ydoc {
	yaml_parser_t parser;
	yaml_document_t doc;
	const char *path; /* for messages (not owned) */
	int loaded;
};

/* Parse text as one YAML document. 0, or -1 with err_set "PATH:LINE: malformed YAML:
 * PROBLEM" followed by hint (e.g. " (expected key: value lines)"; may be ""). */
int ydoc_load(struct ydoc *d, const char *text, size_t len, const char *path, const char *hint);
/* After the first document of parser: 0 when the stream ends there, else -1 naming the line
 * of a second document (it would be dropped without a word) or the parse error. ydoc_load
 * calls it; a reader with its own parser (models/profile.c) too. */
int ydoc_one(yaml_parser_t *parser, const char *path, const char *hint);
void ydoc_release(struct ydoc *d);

/* The root node (NULL for an empty document); node by id. */
yaml_node_t *ydoc_root(struct ydoc *d);
yaml_node_t *ydoc_node(struct ydoc *d, int id);
/* 1-based line where a node starts. */
size_t ydoc_line(const yaml_node_t *n);
/* A scalar's text; NULL when n is not a scalar. */
const char *ydoc_str(const yaml_node_t *n);

/* The pairs of a mapping node, in file order:
 *     struct ydoc_iter it; yaml_node_t *k, *v;
 *     for (ydoc_map_iter(&it, d, map); ydoc_map_next(&it, &k, &v);) ... */
struct ydoc_iter {
	struct ydoc *d;
	yaml_node_pair_t *p, *end;
};
void ydoc_map_iter(struct ydoc_iter *it, struct ydoc *d, yaml_node_t *map);
int ydoc_map_next(struct ydoc_iter *it, yaml_node_t **k, yaml_node_t **v);

/* 0 when no scalar key occurs twice in the mapping; else -1 with err_set
 * "PATH:LINE: key 'PREFIXKEY': given twice (expected once)" at the second occurrence. */
int ydoc_map_unique(struct ydoc *d, yaml_node_t *map, const char *prefix);

/* s as a YAML double-quoted scalar, appended to sb: '"' and '\\' escaped, and the bytes YAML
 * does not allow in a file (C0 controls and DEL; a parsed "\x01" or "\n" holds them) as
 * \xNN, so that what a writer writes every YAML reader reads back to the same bytes. */
struct sbuf;
void ydoc_put_quoted(struct sbuf *sb, const char *s);

#endif
