/*
 * comm.c: collectives' times (see comm.h).
 *
 * First version: inside one node only, from the profile's fitted all-reduce models (NCCL
 * ring: an all-reduce moves 2 (n-1)/n of the buffer over the bus, an all-gather and an
 * all-to-all (n-1)/n of theirs, at the same bus bandwidth and small-message latency).
 * Several nodes are refused until the profiles carry a network.
 */
#include "models/comm.h"

#include "lib/util.h"
#include "models/cost.h"

static const struct allreduce_model *intra(const struct profile *p, int ranks, int nodes,
					   const char *what)
{
	const struct allreduce_model *ar;
	if (nodes > 1) {
		err_set("key 'nodes': profile '%s' has no inter-node network model for %s over "
			"%d nodes", p->name, what, nodes);
		return NULL;
	}
	if (ranks > p->gpus_per_node) {
		err_set("%s over %d GPUs do not fit in one '%s' node of %d GPUs", what, ranks,
			p->name, p->gpus_per_node);
		return NULL;
	}
	ar = profile_allreduce(p, ranks);
	if (!ar)
		err_set("profile '%s' has no all-reduce model for %d GPUs", p->name, ranks);
	return ar;
}

double comm_allreduce(const struct profile *p, double bytes, int ranks, int nodes)
{
	const struct allreduce_model *ar;
	if (ranks <= 1 || bytes <= 0)
		return 0;
	ar = intra(p, ranks, nodes, "an all-reduce");
	return ar ? cost_allreduce(ar, bytes) : -1;
}

/* One pass of (n-1)/n of the data over the bus, as NCCL's ring all-gather and all-to-all. */
static double one_pass(const struct profile *p, double bytes, int ranks, int nodes,
		       const char *what, double total)
{
	const struct allreduce_model *ar;
	if (ranks <= 1 || bytes <= 0)
		return 0;
	ar = intra(p, ranks, nodes, what);
	if (!ar)
		return -1;
	return ar->lat + total * (ranks - 1) / ranks / ar->busbw;
}

double comm_allgather(const struct profile *p, double bytes, int ranks, int nodes)
{
	return one_pass(p, bytes, ranks, nodes, "an all-gather", bytes * ranks);
}

double comm_alltoall(const struct profile *p, double bytes, int ranks, int nodes)
{
	return one_pass(p, bytes, ranks, nodes, "an all-to-all", bytes);
}

double comm_sendrecv(const struct profile *p, double bytes, int nodes)
{
	return one_pass(p, bytes, 2, nodes, "a send/recv", 2.0 * bytes);
}
