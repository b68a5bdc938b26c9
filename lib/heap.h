/*
 * heap.h: one intrusive binary min-heap, for every priority queue in the simulator (the
 * event queue, the engine's finish heap). After libuv's heap-inl.h, but array-based: the
 * heap holds int32 ids of items the caller owns, and tells each item where it sits, so an
 * item can be removed or re-keyed by id in O(log n).
 *
 * The order is the caller's: `before(ctx, a, b)` must be a strict total order on the items
 * (break ties with a sequence number or the id), so that the order in which items come out
 * depends on the items alone, never on the heap's history or its layout.
 *
 * One heap, specialised per use at compile time, so that the comparison inlines into the
 * sift loops as in a hand-written heap (the event queue is on the hot path of every run):
 *
 *	HEAP_DEFINE(name, ctx_t, before, moved)
 *
 * defines static inline name_push(ctx, h, id), name_remove(ctx, h, pos) and
 * name_fix(ctx, h, pos) (after the item at pos changed its key) over a struct heap, where before(ctx_t, int32_t a, int32_t b)
 * returns nonzero when a comes first and moved(ctx_t, int32_t id, size_t pos) records that
 * id now sits at pos. Removing does not tell the removed item: the caller marks it.
 */
#ifndef TTSIM_HEAP_H
#define TTSIM_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"

struct heap {
	int32_t *a;      /* ids; a[0] is the minimum */
	size_t n, cap;
};

static inline void heap_init(struct heap *h) { h->a = NULL, h->n = h->cap = 0; }
static inline void heap_release(struct heap *h) { free(h->a), heap_init(h); }
/* The first id, or -1 when empty. */
static inline int32_t heap_top(const struct heap *h) { return h->n ? h->a[0] : -1; }

#define HEAP_DEFINE(name, ctx_t, before, moved)                                          \
	static inline void name##_up(ctx_t ctx, struct heap *h, size_t k)                \
	{                                                                                \
		int32_t x = h->a[k];                                                     \
		while (k > 0) {                                                          \
			size_t parent = (k - 1) / 2;                                     \
			if (!before(ctx, x, h->a[parent]))                               \
				break;                                                   \
			h->a[k] = h->a[parent];                                          \
			moved(ctx, h->a[k], k);                                          \
			k = parent;                                                      \
		}                                                                        \
		h->a[k] = x;                                                             \
		moved(ctx, x, k);                                                        \
	}                                                                                \
	static inline void name##_down(ctx_t ctx, struct heap *h, size_t k)              \
	{                                                                                \
		int32_t x = h->a[k];                                                     \
		for (;;) {                                                               \
			size_t l = 2 * k + 1, c = k;                                     \
			int32_t best = x;                                                \
			if (l < h->n && before(ctx, h->a[l], best))                      \
				c = l, best = h->a[l];                                   \
			if (l + 1 < h->n && before(ctx, h->a[l + 1], best))              \
				c = l + 1, best = h->a[l + 1];                           \
			if (c == k)                                                      \
				break;                                                   \
			h->a[k] = best;                                                  \
			moved(ctx, best, k);                                             \
			k = c;                                                           \
		}                                                                        \
		h->a[k] = x;                                                             \
		moved(ctx, x, k);                                                        \
	}                                                                                \
	/* after the item at k changed its key */                                        \
	static inline void name##_fix(ctx_t ctx, struct heap *h, size_t k)               \
	{                                                                                \
		if (k > 0 && before(ctx, h->a[k], h->a[(k - 1) / 2]))                    \
			name##_up(ctx, h, k);                                            \
		else                                                                     \
			name##_down(ctx, h, k);                                          \
	}                                                                                \
	static inline void name##_push(ctx_t ctx, struct heap *h, int32_t x)             \
	{                                                                                \
		xgrow((void **)&h->a, &h->cap, h->n + 1, sizeof(*h->a));                 \
		h->a[h->n++] = x;                                                        \
		name##_up(ctx, h, h->n - 1);                                             \
	}                                                                                \
	static inline void name##_remove(ctx_t ctx, struct heap *h, size_t k)            \
	{                                                                                \
		h->n--;                                                                  \
		if (k != h->n) {                                                         \
			h->a[k] = h->a[h->n];                                            \
			name##_fix(ctx, h, k);                                           \
		}                                                                        \
	}

#endif
