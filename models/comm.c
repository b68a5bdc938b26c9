/*
 * comm.c: collectives' times (see comm.h).
 *
 * Inside one node, from the profile's fitted all-reduce models (NCCL ring: an all-reduce
 * moves 2 (n-1)/n of the buffer over the bus, an all-gather and an all-to-all (n-1)/n of
 * theirs, at the same bus bandwidth and small-message latency).
 *
 * Over N nodes of g = ranks / N GPUs each (ranks spread evenly; every GPU has its own NIC,
 * as on GH200 quad nodes and HGX H100/H200), the hierarchy NCCL runs across nodes, timed by
 * the profile's network (models/profile.h, struct network_model):
 *     net(moved, steps) = min over the regimes of steps x lat + moved / bw
 *     all-reduce B:    allreduce_g(B) + net(2 (N-1)/N x B/g, 2 (N-1))
 *                      (reduce inside the node, all-reduce the 1/g shards across the nodes
 *                      on each GPU's NIC, broadcast inside the node; g = 1: no node part)
 *     all-gather b:    net((N-1) b, N-1) + pass_g(N g b)
 *                      (each GPU gathers its rail's N-1 remote shards, then the node
 *                      gathers the N g shards over NVLink)
 *     all-to-all b:    max(net(b (n-g)/n, 1), pass_g(b g/n))
 *                      (a rank's traffic to the n-g ranks off its node leaves by its NIC,
 *                      the rest over NVLink, at once: NCCL posts every send together)
 *     send/recv b:     net(b, 1)
 * with pass_g(total) = lat_g + total (g-1)/g / busbw_g, the one-pass form above.
 */
#include "models/comm.h"

#include "lib/util.h"
#include "models/cost.h"

/* The all-reduce model inside a node for g GPUs (NULL, err set: none). */
static const struct allreduce_model *intra(const struct profile *p, int g, const char *what)
{
	const struct allreduce_model *ar = profile_allreduce(p, g);
	if (!ar)
		err_set("profile '%s' has no all-reduce model for %d GPUs (for %s)", p->name, g,
			what);
	return ar;
}

/* GPUs per node of `ranks` over `nodes`, 0 with err set when the layout does not fit. */
static int per_node(const struct profile *p, int ranks, int nodes, const char *what)
{
	if (nodes < 1 || ranks % nodes) {
		err_set("key 'nodes': %s over %d GPUs cannot be spread evenly over %d nodes", what,
			ranks, nodes);
		return 0;
	}
	if (ranks / nodes > p->gpus_per_node) {
		err_set("%s over %d GPUs do not fit in %d '%s' node%s of %d GPUs", what, ranks,
			nodes, p->name, nodes > 1 ? "s" : "", p->gpus_per_node);
		return 0;
	}
	if (nodes > 1 && !(p->net.bw > 0)) {
		err_set("key 'nodes': profile '%s' has no network section (network.lat, "
			"network.bw) for %s over %d nodes", p->name, what, nodes);
		return 0;
	}
	return ranks / nodes;
}

/* The network term: `moved` bytes through one NIC after `steps` inter-node steps. */
static double net(const struct network_model *n, double moved, double steps)
{
	double t = steps * n->lat + moved / n->bw;
	if (n->simple_lat > 0 && steps * n->simple_lat + moved / n->simple_bw < t)
		t = steps * n->simple_lat + moved / n->simple_bw;
	return t;
}

/* One pass of (g-1)/g of `total` bytes over a node's bus, as NCCL's ring all-gather and
 * all-to-all; 0 for g = 1, -1 with err set when the profile has no model for g. */
static double pass(const struct profile *p, int g, double total, const char *what)
{
	const struct allreduce_model *ar;
	if (g <= 1 || total <= 0)
		return 0;
	ar = intra(p, g, what);
	return ar ? ar->lat + total * (g - 1) / g / ar->busbw : -1;
}

double comm_allreduce(const struct profile *p, double bytes, int ranks, int nodes)
{
	const struct allreduce_model *ar = NULL;
	int g;
	if (ranks <= 1 || bytes <= 0)
		return 0;
	if (!(g = per_node(p, ranks, nodes, "an all-reduce")))
		return -1;
	if (g > 1 && !(ar = intra(p, g, "an all-reduce")))
		return -1;
	if (nodes == 1)
		return cost_allreduce(ar, bytes);
	return (ar ? cost_allreduce(ar, bytes) : 0) +
	       net(&p->net, 2.0 * (nodes - 1) / nodes * bytes / g, 2.0 * (nodes - 1));
}

double comm_allgather(const struct profile *p, double bytes, int ranks, int nodes)
{
	double t;
	int g;
	if (ranks <= 1 || bytes <= 0)
		return 0;
	if (!(g = per_node(p, ranks, nodes, "an all-gather")))
		return -1;
	if ((t = pass(p, g, bytes * ranks, "an all-gather")) < 0)
		return -1;
	return nodes == 1 ? t : t + net(&p->net, (nodes - 1) * bytes, nodes - 1);
}

double comm_alltoall(const struct profile *p, double bytes, int ranks, int nodes)
{
	double t, tn;
	int g;
	if (ranks <= 1 || bytes <= 0)
		return 0;
	if (!(g = per_node(p, ranks, nodes, "an all-to-all")))
		return -1;
	if ((t = pass(p, g, bytes * g / ranks, "an all-to-all")) < 0 || nodes == 1)
		return t;
	tn = net(&p->net, bytes * (ranks - g) / ranks, 1);
	return tn > t ? tn : t;
}

double comm_sendrecv(const struct profile *p, double bytes, int nodes)
{
	if (bytes <= 0)
		return 0;
	if (nodes > 1) {
		if (!per_node(p, nodes, nodes, "a send/recv"))
			return -1;
		return net(&p->net, bytes, 1);
	}
	return pass(p, 2, 2.0 * bytes, "a send/recv");
}
