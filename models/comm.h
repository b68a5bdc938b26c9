/*
 * comm.h: the time of the collectives that parallel layouts put between GPUs.
 *
 * Tensor parallelism all-reduces activations; expert parallelism dispatches tokens to the
 * GPUs that hold their experts and combines the results (two all-to-alls a MoE layer);
 * pipeline parallelism sends activations from one stage to the next. Each collective is
 * timed for `ranks` GPUs spread evenly over `nodes` nodes of the profile (nodes 1: inside
 * one node, over its NVLink/NVSwitch; nodes > 1: the slowest link is the network).
 *
 * Sizes are the bytes each rank contributes (all-reduce: the whole buffer; all-gather: a
 * rank's shard; all-to-all: everything a rank sends, to all peers together; send/recv: the
 * message). Times are seconds; 0 for ranks 1 or bytes 0. A layout the profile cannot
 * time (no model for that many GPUs, or no network for several nodes) returns a negative
 * value and sets err (lib/util.h), naming the profile and the key it lacks.
 */
#ifndef TTSIM_COMM_H
#define TTSIM_COMM_H

#include "models/profile.h"

double comm_allreduce(const struct profile *p, double bytes, int ranks, int nodes);
double comm_allgather(const struct profile *p, double bytes, int ranks, int nodes);
double comm_alltoall(const struct profile *p, double bytes, int ranks, int nodes);
double comm_sendrecv(const struct profile *p, double bytes, int nodes);

#endif
