/* evq.c: the event queue: a pool of events with handles, ordered by lib/heap.h. */
#include "sim/evq.h"

#include <stdlib.h>

#include "lib/util.h"

void evq_init(struct evq *q)
{
	q->pool = NULL;
	q->pool_cap = 0;
	q->free_head = -1;
	heap_init(&q->heap);
	q->next_seq = 0;
}

void evq_release(struct evq *q)
{
	free(q->pool);
	heap_release(&q->heap);
	evq_init(q);
}

static inline int ev_before(const struct event *pool, int32_t a, int32_t b)
{
	const struct event *x = &pool[a], *y = &pool[b];
	if (x->time != y->time)
		return x->time < y->time;
	if (x->prio != y->prio)
		return x->prio < y->prio;
	return x->seq < y->seq;
}

static inline void ev_moved(struct event *pool, int32_t h, size_t k) { pool[h].heap = (int32_t)k; }

HEAP_DEFINE(evh, struct event *, ev_before, ev_moved)

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
	evh_push(q->pool, &q->heap, h);
	return h;
}

static void remove_at(struct evq *q, size_t i)
{
	int32_t h = q->heap.a[i];
	evh_remove(q->pool, &q->heap, i);
	q->pool[h].heap = -1;
	q->pool[h].next_free = q->free_head;
	q->free_head = h;
}

int evq_pop(struct evq *q, struct event *out)
{
	if (q->heap.n == 0)
		return 0;
	*out = q->pool[q->heap.a[0]];
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

int64_t evq_peek_time(const struct evq *q)
{
	return q->heap.n ? q->pool[q->heap.a[0]].time : INT64_MAX;
}
