/* ydoc.c: one YAML document and the walks every reader repeats (see ydoc.h). */
#include "lib/ydoc.h"

#include <string.h>

#include "lib/util.h"

int ydoc_load(struct ydoc *d, const char *text, size_t len, const char *path, const char *hint)
{
	memset(d, 0, sizeof(*d));
	d->path = path;
	yaml_parser_initialize(&d->parser);
	yaml_parser_set_input_string(&d->parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&d->parser, &d->doc))
		return err_set("%s:%zu: malformed YAML: %s%s", path, d->parser.problem_mark.line + 1,
			       d->parser.problem ? d->parser.problem : "parse error", hint);
	d->loaded = 1;
	return ydoc_one(&d->parser, path, hint);
}

int ydoc_one(yaml_parser_t *parser, const char *path, const char *hint)
{
	yaml_document_t next;
	size_t line;
	if (!yaml_parser_load(parser, &next))
		return err_set("%s:%zu: malformed YAML: %s%s", path, parser->problem_mark.line + 1,
			       parser->problem ? parser->problem : "parse error", hint);
	if (!yaml_document_get_root_node(&next)) {
		yaml_document_delete(&next);
		return 0;
	}
	line = yaml_document_get_root_node(&next)->start_mark.line + 1;
	yaml_document_delete(&next);
	return err_set("%s:%zu: a second YAML document (expected one; ttsim reads one file per "
		       "experiment, profile or engine)", path, line);
}

void ydoc_release(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	yaml_parser_delete(&d->parser);
	memset(d, 0, sizeof(*d));
}

yaml_node_t *ydoc_root(struct ydoc *d) { return yaml_document_get_root_node(&d->doc); }

yaml_node_t *ydoc_node(struct ydoc *d, int id) { return yaml_document_get_node(&d->doc, id); }

size_t ydoc_line(const yaml_node_t *n) { return n->start_mark.line + 1; }

const char *ydoc_str(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

void ydoc_map_iter(struct ydoc_iter *it, struct ydoc *d, yaml_node_t *map)
{
	it->d = d;
	it->p = it->end = NULL;
	if (map && map->type == YAML_MAPPING_NODE) {
		it->p = map->data.mapping.pairs.start;
		it->end = map->data.mapping.pairs.top;
	}
}

int ydoc_map_next(struct ydoc_iter *it, yaml_node_t **k, yaml_node_t **v)
{
	if (it->p >= it->end)
		return 0;
	*k = ydoc_node(it->d, it->p->key);
	*v = ydoc_node(it->d, it->p->value);
	it->p++;
	return 1;
}

int ydoc_map_unique(struct ydoc *d, yaml_node_t *map, const char *prefix)
{
	struct ydoc_iter a, b;
	yaml_node_t *k, *v, *k2, *v2;
	for (ydoc_map_iter(&a, d, map); ydoc_map_next(&a, &k, &v);) {
		const char *s = ydoc_str(k);
		if (!s)
			continue;
		/* the pairs before this one: an earlier equal key makes this the second */
		for (ydoc_map_iter(&b, d, map); b.p < a.p - 1 && ydoc_map_next(&b, &k2, &v2);) {
			const char *t = ydoc_str(k2);
			if (t && !strcmp(s, t))
				return err_set("%s:%zu: key '%s%s': given twice (expected once)", d->path,
					       ydoc_line(k), prefix, s);
		}
	}
	return 0;
}

void ydoc_put_quoted(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			sbuf_printf(sb, "\\x%02x", c);
		else if (c == '"' || c == '\\')
			sbuf_printf(sb, "\\%c", c);
		else
			sbuf_add(sb, s, 1);
	}
	sbuf_add(sb, "\"", 1);
}
