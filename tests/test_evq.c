/* test_evq.c: the event queue's total order (time, priority, sequence) and cancellation. */
#include <stdlib.h>

#include "sim/evq.h"
#include "tests/test.h"

int main(void)
{
	struct evq q;
	struct event e;
	int32_t h[8];
	evq_init(&q);
	CHECK(!evq_pop(&q, &e));
	CHECK_INT(evq_peek_time(&q), INT64_MAX);

	/* time first */
	evq_push(&q, 30, 0, 1, 0);
	evq_push(&q, 10, 0, 2, 0);
	evq_push(&q, 20, 0, 3, 0);
	CHECK(evq_pop(&q, &e));
	CHECK_INT(e.type, 2);
	CHECK(evq_pop(&q, &e));
	CHECK_INT(e.type, 3);
	CHECK(evq_pop(&q, &e));
	CHECK_INT(e.type, 1);

	/* ties: priority, then insertion order */
	evq_push(&q, 5, 1, 10, 0);
	evq_push(&q, 5, 0, 11, 0);
	evq_push(&q, 5, 1, 12, 0);
	evq_push(&q, 5, 0, 13, 0);
	{
		int want[] = {11, 13, 10, 12};
		for (int i = 0; i < 4; i++) {
			CHECK(evq_pop(&q, &e));
			CHECK_INT(e.type, want[i]);
		}
	}

	/* cancel: a cancelled event never fires; cancelling twice fails */
	for (int i = 0; i < 8; i++)
		h[i] = evq_push(&q, 100 - i, 0, i, i);
	CHECK_INT(evq_cancel(&q, h[3]), 0);
	CHECK_INT(evq_cancel(&q, h[3]), -1);
	CHECK_INT(evq_cancel(&q, h[7]), 0);
	CHECK_INT(evq_size(&q), 6);
	{
		int64_t last = -1;
		int n = 0;
		while (evq_pop(&q, &e)) {
			CHECK(e.type != 3 && e.type != 7);
			CHECK(e.time >= last);
			last = e.time;
			n++;
		}
		CHECK_INT(n, 6);
	}

	/* many random events come out sorted; handles are reused after firing */
	srand(7);
	for (int i = 0; i < 5000; i++)
		evq_push(&q, rand() % 1000, rand() % 3, 0, i);
	{
		struct event prev = {-1, 0, 0, 0, 0, 0, 0};
		int ok = 1;
		while (evq_pop(&q, &e)) {
			if (e.time < prev.time ||
			    (e.time == prev.time && (e.prio < prev.prio ||
						     (e.prio == prev.prio && e.seq < prev.seq))))
				ok = 0;
			prev = e;
		}
		CHECK(ok);
	}
	evq_release(&q);
	return TEST_REPORT();
}
