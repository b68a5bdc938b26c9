/* evq.c: binary min-heap of events with handles (after libuv's heap-inl.h, array-based). */
#include "sim/evq.h"

#include <stdlib.h>

#include "lib/util.h"

void evq_init(struct evq *q)
{
	q->pool = NULL;
	q->pool_cap = 0;
	q->free_head = -1;
	q->heap = NULL;
	q->n = q->heap_cap = 0;
	q->next_seq = 0;
}

void evq_release(struct evq *q)
{
	free(q->pool);
	free(q->heap);
	evq_init(q);
}

static inline int before(const struct evq *q, int32_t a, int32_t b)
{
	const struct event *x = &q->pool[a], *y = &q->pool[b];
	if (x->time != y->time)
		return x->time < y->time;
	if (x->prio != y->prio)
		return x->prio < y->prio;
	return x->seq < y->seq;
}

static inline void place(struct evq *q, size_t i, int32_t h)
{
	q->heap[i] = h;
	q->pool[h].heap = (int32_t)i;
}

static void sift_up(struct evq *q, size_t i)
{
	int32_t h = q->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(q, h, q->heap[parent]))
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, h);
}

static void sift_down(struct evq *q, size_t i)
{
	int32_t h = q->heap[i];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		int32_t best = h;
		if (l < q->n && before(q, q->heap[l], best)) {
			m = l;
			best = q->heap[l];
		}
		if (r < q->n && before(q, q->heap[r], best)) {
			m = r;
			best = q->heap[r];
		}
		if (m == i)
			break;
		place(q, i, best);
		i = m;
	}
	place(q, i, h);
}

int32_t evq_push(struct evq *q, int64_t time, int32_t prio, int32_t type, int64_t arg)
{
	int32_t h;
	struct event *e;
	if (q->free_head < 0) {
		size_t old = q->pool_cap;
		xgrow((void **)&q->pool, &q->pool_cap, old + 1, sizeof(*q->pool));
		for (size_t i = q->pool_cap; i-- > old;) {
			q->pool[i].heap = -1;
			q->pool[i].next_free = q->free_head;
			q->free_head = (int32_t)i;
		}
	}
	h = q->free_head;
	e = &q->pool[h];
	q->free_head = e->next_free;
	e->time = time;
	e->prio = prio;
	e->type = type;
	e->arg = arg;
	e->seq = q->next_seq++;
	xgrow((void **)&q->heap, &q->heap_cap, q->n + 1, sizeof(*q->heap));
	q->heap[q->n] = h;
	e->heap = (int32_t)q->n;
	q->n++;
	sift_up(q, q->n - 1);
	return h;
}

static void remove_at(struct evq *q, size_t i)
{
	int32_t h = q->heap[i];
	q->n--;
	if (i != q->n) {
		place(q, i, q->heap[q->n]);
		if (i > 0 && before(q, q->heap[i], q->heap[(i - 1) / 2]))
			sift_up(q, i);
		else
			sift_down(q, i);
	}
	q->pool[h].heap = -1;
	q->pool[h].next_free = q->free_head;
	q->free_head = h;
}

int evq_pop(struct evq *q, struct event *out)
{
	if (q->n == 0)
		return 0;
	*out = q->pool[q->heap[0]];
	remove_at(q, 0);
	return 1;
}

int evq_cancel(struct evq *q, int32_t h)
{
	if (h < 0 || (size_t)h >= q->pool_cap || q->pool[h].heap < 0)
		return -1;
	remove_at(q, (size_t)q->pool[h].heap);
	return 0;
}

int64_t evq_peek_time(const struct evq *q) { return q->n ? q->pool[q->heap[0]].time : INT64_MAX; }
