/*
 * capacity.h: the highest arrival rate a configuration sustains within an SLO, found the
 * way Vidur's capacity search does: bracket the rate by doubling (or halving) from a
 * guess, then bisect. The caller supplies meets(rate): does a run at that rate meet the
 * SLO? It must be (close to) monotone: true below the capacity, false above.
 */
#ifndef TTSIM_CAPACITY_H
#define TTSIM_CAPACITY_H

/* Evaluate one rate (problems/s); 0 with *meets set, or -1 with err_set. */
typedef int (*capacity_meets_fn)(void *ctx, double rate, int *meets);

#define CAPACITY_MIN_RATE 1e-6 /* problems/s: below this, the answer is 0 */
#define CAPACITY_MAX_RATE 1e7  /* problems/s: above this, the answer is this */

/* The highest rate that meets, to within rel_tol (e.g. 0.01) of itself, into *rate; 0 when
 * even CAPACITY_MIN_RATE fails. Starts from guess > 0. 0, or -1 when meets() fails. */
int capacity_search(capacity_meets_fn meets, void *ctx, double guess, double rel_tol,
		    double *rate);

#endif
