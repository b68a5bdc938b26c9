/* capacity.c: bracketing and bisection on the arrival rate (see capacity.h). */
#include "experiments/capacity.h"

int capacity_search(capacity_meets_fn meets, void *ctx, double guess, double rel_tol,
		    double *rate)
{
	double lo, hi, r = guess;
	int ok;

	*rate = 0;
	if (meets(ctx, r, &ok) < 0)
		return -1;
	if (ok) { /* double until it fails */
		lo = r;
		for (;;) {
			r *= 2;
			if (r > CAPACITY_MAX_RATE) {
				*rate = CAPACITY_MAX_RATE;
				return 0;
			}
			if (meets(ctx, r, &ok) < 0)
				return -1;
			if (!ok)
				break;
			lo = r;
		}
		hi = r;
	} else { /* halve until it meets */
		hi = r;
		for (;;) {
			r /= 2;
			if (r < CAPACITY_MIN_RATE)
				return 0;
			if (meets(ctx, r, &ok) < 0)
				return -1;
			if (ok)
				break;
			hi = r;
		}
		lo = r;
	}
	while (hi - lo > rel_tol * lo) {
		double mid = 0.5 * (lo + hi);
		if (meets(ctx, mid, &ok) < 0)
			return -1;
		if (ok)
			lo = mid;
		else
			hi = mid;
	}
	*rate = lo;
	return 0;
}
