/*
 * evq.h: the discrete-event queue. Integer time (ns), and a total order on events:
 * (time, priority, sequence number), so simultaneous events run in a defined order and two
 * runs with the same inputs replay identically. lib/heap.h's min-heap over a pool of
 * events; an event is named by a handle (its pool index) that stays valid until it fires or
 * is cancelled. No global state: each simulation owns its queue.
 */
#ifndef TTSIM_EVQ_H
#define TTSIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

#include "lib/heap.h"

struct event {
	int64_t time;  /* ns */
	int32_t prio;  /* lower runs first among events at the same time */
	int32_t type;  /* the owner's event kind */
	int64_t arg;   /* the owner's argument (replica, problem, ...) */
	uint64_t seq;  /* insertion order: the final tie-break */
	int32_t heap;  /* position in the heap, -1 when free */
	int32_t next_free;
};

struct evq {
	struct event *pool;
	size_t pool_cap;
	int32_t free_head;
	struct heap heap; /* pool indices */
	uint64_t next_seq;
};

void evq_init(struct evq *q);
void evq_release(struct evq *q);
/* Schedule an event; returns its handle. */
int32_t evq_push(struct evq *q, int64_t time, int32_t prio, int32_t type, int64_t arg);
/* Remove the earliest event into *out; 0 if the queue is empty, 1 otherwise. */
int evq_pop(struct evq *q, struct event *out);
/* Cancel a pending event by handle; returns 0, or -1 if it is not pending. */
int evq_cancel(struct evq *q, int32_t h);
/* Time of the earliest event, or INT64_MAX when empty. */
int64_t evq_peek_time(const struct evq *q);
static inline size_t evq_size(const struct evq *q) { return q->heap.n; }

#endif
