/*
 * assets.h: files embedded in the binary at build time (shipped profiles and traces), so
 * that `ttsim` runs from any directory, installed or not.
 *
 * The Makefile generates build/assets.S (one .incbin per file under models/profiles/NAME.yaml
 * and traces/math500/NAME.jsonl) and build/assets_index.c (the table below). To ship one more
 * file, drop it into one of those folders: nothing else to edit.
 */
#ifndef TTSIM_ASSETS_H
#define TTSIM_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;          /* repository path, e.g. "models/profiles/gh200.yaml" */
	const unsigned char *data; /* NUL-terminated */
	size_t len;                /* bytes, without the NUL */
};

/* The asset at repository path `path`, or NULL. */
const struct asset *asset_find(const char *path);
size_t asset_count(void);
const struct asset *asset_get(size_t i);

#endif
