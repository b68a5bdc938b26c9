/*
 * engine.c: vLLM V1-style continuous batching over a paged KV cache, as a discrete-event
 * simulation (see engine.h for the model and its invariants).
 *
 * Notation. Each replica counts its steps (counter c). A sequence in the decode set joined
 * it at step c0 with ctx0 tokens in its KV cache and gen0 tokens generated; before step c
 * it holds ctx = ctx0 + (c - c0) KV tokens, and the step computes the KV of one more. It
 * needs a new block in step c exactly when ctx % bs == 0, i.e. when
 * (ctx0 - c0 + c) % bs == 0, so the decode set is bucketed by (ctx0 - c0) mod bs and a
 * step's block demand is one bucket's size. The sum of KV lengths is
 * S + n c with S = sum(ctx0 - c0). A sequence finishes after step
 * fin = c0 + (output - gen0) - 1; a min-heap on fin yields the finishers of each step.
 *
 * Under speculative decoding each sequence advances by a random number of tokens per
 * step, so the decode set cannot be kept as aggregates: sequences carry their own ctx and
 * blocks, and each step walks them (O(batch), unavoidable: the randomness is the point).
 * The same walk, one token per step and no folding, is the reference engine
 * (sim_setup.reference). The two implementations sit behind one interface, ds_* below;
 * the rest of the engine (scheduler, prefills, forks, preemption, early stop) is shared.
 *
 * Parallel samples (problem.share): the problem's first sequence (the leader) is queued
 * alone and prefills the prompt, reserving the other samples' batch slots and their copy
 * of the prompt's last, partial block; when its prefill completes it forks: the prompt's
 * full blocks become the problem's, shared by reference count, and every sample decodes
 * on from there. A forked sample that is preempted loses its share; with prefix caching,
 * admitted again while a sibling still holds the prompt's full blocks, it shares them again
 * and recomputes only what it lost of its own blocks (preempt_tail, admit_waiting), else
 * it recomputes alone.
 */
#include "sim/engine.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/comm.h"
#include "sim/evq.h"
#include "models/drafter.h"
#include "lib/heap.h"
#include "lib/util.h"

enum { ST_WAIT, ST_PREFILL, ST_DECODE, ST_DONE, ST_UNFORKED, ST_FORKING };
enum { EV_STEP_END = 0, EV_ARRIVAL = 1, EV_FE_ADMIT = 2 }; /* type, and priority at a tie */
#define NIL (-1)

/* The decode set's two implementations (see "the decode set" below). */
enum { DS_AGGREGATE, DS_WALK };

/* struct seq.spec_match: not drawn yet, a match (k draft tokens), none (one token). */
enum { SM_UNDRAWN, SM_MATCH, SM_NONE };

struct seq {
	int32_t prefill_len;  /* tokens to compute before the next sample */
	int32_t prefill_done; /* of those, already in the KV cache */
	int32_t chunk;        /* prefill tokens in the step in flight */
	int32_t gen;          /* generated tokens (in the aggregate set: those when it joined) */
	int32_t blocks;       /* KV blocks held while prefilling (and decoding, in the walk) */
	int32_t shared_off;   /* full prompt blocks it shares with its siblings (not its own) */
	int32_t reserved;     /* unforked leader: batch slots reserved for its siblings */
	int32_t res_blocks;   /* unforked leader: blocks reserved for the siblings' copies */
	int32_t commit;       /* no_evict: blocks of its whole length, counted in committed */
	int32_t kvseg;        /* preempted, waiting: its cached blocks' segment of the free
	                         queue (prefix caching), or NIL */
	int32_t prev, next;   /* running list, admission order */
	int32_t pprev, pnext; /* prefill list, admission order */
	uint8_t leader;       /* forks its siblings when its prefill completes */
	uint8_t reshare;      /* a forked sample preempted (prefix caching): admitted again while
	                         its siblings hold the prompt's full blocks, it shares them again */
	uint8_t spec_match;   /* speculation: its next verification's n-gram lookup (SM_*),
	                         drawn when the step reserves its slots, kept across a
	                         preemption until that verification runs */
	uint8_t state;
	int32_t vote;         /* its answer's counter among its problem's (from votes_off),
	                         NIL: it votes for nothing */
	union {               /* while in the decode set: its implementation's state */
		struct {
			int64_t c0, fin; /* join step and finishing step */
			int32_t ctx0;    /* KV tokens when it joined */
			int32_t hpos;    /* position in the finish heap */
		} agg;           /* DS_AGGREGATE */
		struct {
			int64_t ctx;     /* KV tokens */
		} walk;          /* DS_WALK */
	} d;
};

/* A replica's decode set. */
struct decode_set {
	int n;                /* sequences in it */
	int64_t S;            /* aggregate: sum of ctx0 - c0; walk: sum of ctx */
	long *bucket;         /* aggregate: [bs] sequences by (ctx0 - c0) mod bs */
	struct heap fh;       /* aggregate: sequences by (finishing step, index) */
	int alloc_done;       /* aggregate, during scheduling: this step's blocks are allocated */
};

struct replica {
	int64_t counter;      /* steps taken */
	int q_tok;            /* tokens per decoding sequence in the current step (spec_q) */
	int n_unmatched;      /* of the decode set, sequences whose n-gram lookup found no
	                         match this step: they verify 1 token, not q_tok (ds_reserve) */
	int busy;
	long free_blocks;     /* every free block, cached ones included (the free queue's) */
	int32_t fq_head, fq_tail; /* the free queue's segments, least recently freed first */
	long committed;       /* no_evict: the running sequences' commit blocks */
	int32_t *wq;          /* waiting deque (ring), sequence indices */
	size_t wq_cap, wq_head, wq_len;
	int32_t run_head, run_tail, n_running;
	int32_t pf_head, pf_tail;
	struct decode_set ds;
	int64_t step_c;       /* counter of the step in flight */
	int64_t step_n;       /* steps it stands for (> 1: a folded quiet stretch) */
	int64_t step_start;   /* ns */
	int preempted_now;    /* this step preempted: admit no waiting request */
	long load;            /* sequences assigned and not finished (least-loaded routing) */
	long queued_blocks;   /* blocks the requests routed to it and not yet admitted will
	                         take at admission, wait_blocks each (least-KV routing): from
	                         routing (with a front end, before the engine sees them) to
	                         admission or cancellation, and again after a preemption */
	int64_t busy_ns;      /* time spent stepping, less pipeline bubbles */
	int64_t bubble_ns;    /* of the step in flight (and its folded stretch), the time its
	                         stages wait on each other (pp > 1; step_time's busy share) */
	int64_t fe_free;      /* ns: when its API server is next idle (front end) */
	int64_t fe_last;      /* ns: when its last batch of tokens passed the server */
	double fe_fold_tokens;/* tokens of a folded stretch's steps but its last, already
	                         streamed when the stretch was folded (front end) */
};

struct problem_state {
	int32_t finished, cancelled;
	int32_t shared_refs;  /* forked samples holding the shared prompt blocks */
	int32_t shared_blocks;/* blocks of the prompt shared by the forked samples */
	int64_t votes_off;    /* into sim.votes: its counters, one per distinct answer */
	int32_t n_answers;    /* distinct answers among its samples (at most its n) */
	int32_t leader;       /* the counter with the most votes (the first to reach it) */
	int32_t lead, second; /* votes of the leader, and the most of any other counter */
	int64_t checked;      /* check_invariants: the last check that counted its shared blocks */
	int32_t fe_replica;   /* front end: the replica it was routed to at its arrival */
};

/* Front end: what an event made that waits for its batch of tokens to pass the server. */
struct fe_pending {
	int32_t *first, *last; /* sequences whose first token / last token it made */
	long *probs;           /* problems it completed, in completion order */
	size_t n_first, n_last, n_probs, cap_first, cap_last, cap_probs;
	double tokens0;        /* st->output_tokens when the step ended */
};

/* Scratch of pp_period: the prefill chunks of one micro-batch. */
struct pp_scratch {
	struct prefill_chunk *chunks;
	size_t cap;
};

/* A run of the free queue's blocks (see "the free queue" below). */
struct kvseg {
	long n;               /* blocks */
	long n0, tokens;      /* a sequence's: its blocks when cached, and the tokens they hold */
	int32_t seq;          /* the preempted sequence whose tokens they hold, or NIL */
	int32_t prev, next;
};

struct sim {
	const struct sim_setup *s;
	struct cost_ctx cost;
	struct sim_problem *probs;
	long n_probs;
	struct sim_req *reqs;
	struct seq *seqs;
	struct replica *rep;
	struct problem_state *ps;
	int32_t *votes;       /* early stopping: votes per (problem, distinct answer) */
	int bs;
	struct kv_groups kv;  /* the model's KV cache groups: what a block holds (model.h) */
	long total_blocks;
	struct evq q;
	int64_t now;
	long next_arrival;    /* open loop: next problem to arrive; closed: next to issue */
	int64_t next_arrival_time; /* open loop: time of the pending arrival (INT64_MAX: none) */
	long rr;              /* round-robin cursor */
	long problems_left;
	int64_t first_arrival, last_done;
	struct sim_stats *st;
	int spec;             /* speculative decoding on */
	int ds;               /* DS_AGGREGATE or DS_WALK: the decode set's implementation */
	int q_tok;            /* tokens per decoding sequence of a speculative step (k + 1; 1
	                         without speculation); each replica's step has its own (spec_q) */
	struct cost_ctx draft_cost;
	struct model eagle;   /* DRAFT_EAGLE, DRAFT_EAGLE3: the head as a one-layer model */
	gsl_rng *accept_rng;  /* speculation: the generator acceptance is drawn on */
	void *accept_live;    /* its state (gsl_rng_state), ACCEPT_STATE bytes */
	unsigned char *accept_state; /* [request] its own acceptance stream (draw_accepted) */
	gsl_ran_discrete_t *len_dist;
	int32_t *walk;        /* scratch: decode sequences of the step that just ended (walk) */
	size_t walk_cap;
	int32_t *fin;         /* scratch: sequences the step finished, by index (walk, no spec) */
	size_t n_fin, fin_next, fin_cap;
	struct prefill_chunk *chunks; /* scratch: the prefill chunks of the step composed */
	size_t chunks_cap;
	struct pp_scratch pps; /* pipeline parallelism: one micro-batch's chunks */
	int32_t *done_pf;     /* scratch: prefills completed by the step that just ended */
	size_t n_done_pf, done_pf_cap;
	int failed;           /* a step could not be timed (err_set): the run stops */
	int64_t checks;       /* check_invariants calls so far */
	int64_t check_tick;   /* steps started since the last check_invariants */
	struct kvseg *seg;    /* free-queue segments (pool; seg_free: its free list) */
	size_t seg_cap, seg_used;
	int32_t seg_free;
	int fe;               /* the front end is on */
	int64_t fe_req_ns;    /* ns of server time per request */
	int64_t fe_lat_ns;    /* ns from the server to the engine core, no server held */
	int64_t fe_ft_ns;     /* ns of server time per request at its first token */
	struct fe_pending fp; /* front end: the step being ended */
};

static inline int modp(int64_t a, int m) { int r = (int)(a % m); return r < 0 ? r + m : r; }

/* ---- KV blocks ----
 *
 * A pool block holds bs tokens of one KV cache group (models/model.h, struct kv_groups):
 * one group of every layer for all but hybrid models, where this is ceil(tokens / bs).
 * seq_blocks is the one rule every count below goes through: the blocks a sequence holds
 * with `tokens` slots allocated and `computed` tokens computed before the step that
 * allocated them (vLLM frees a sliding group's blocks wholly before the window when it
 * schedules the step; ttsim frees them when the step ends, the same blocks one scheduler
 * pass earlier). Forked samples share the prompt's full blocks of the full-attention groups
 * (fork_shared); a sliding group's in-window prompt blocks are each sample's own (vLLM shares
 * them through the prefix cache until they slide out: at most ceil(window / bs) + 1 blocks a
 * sample and group counted twice for its first window of tokens). */
static inline long seq_blocks(const struct sim *m, long tokens, long computed)
{
	return kv_seq_blocks(&m->kv, m->bs, tokens, computed);
}

/* The KV blocks guaranteed_no_evict reserves for request q at admission: its prompt and the
 * output it may reach (its own, or no_evict_out if longer), at the sequence's peak (a
 * sliding group holds its window, not every token: kv_seq_blocks_max, as the cache check) */
static long no_evict_blocks(const struct sim *m, const struct sim_setup *s,
			    const struct sim_req *q)
{
	long out = q->output > s->no_evict_out ? q->output : s->no_evict_out;
	return kv_seq_blocks_max(&m->kv, m->bs, (long)q->prompt + out, s->max_num_batched_tokens);
}

/* Blocks of a prompt of `prompt` tokens its forked samples share. */
static inline long fork_shared(const struct sim *m, long prompt)
{
	return prompt / m->bs * m->kv.n_full;
}

/* Blocks of its own a forked sample holds when it starts decoding (dense: the copy of the
 * prompt's partial last block). */
static inline long fork_own(const struct sim *m, long prompt)
{
	return seq_blocks(m, prompt, prompt) - fork_shared(m, prompt);
}

/* ---- the free queue ----
 *
 * vLLM V1 with prefix caching (its default; --enable-prefix-caching) returns a request's
 * blocks to a free queue that hands out the least recently freed first, and a freed full
 * block keeps its tokens' hash until it is handed out again: a preempted request admitted
 * again finds what is left of its blocks there, a prefix-cache hit, and computes only the
 * rest (vllm/v1/core/block_pool.py and kv_cache_manager.py; a request's blocks are freed
 * last block first, so its prefix outlives its tail). The queue here is a list of segments,
 * runs of blocks freed together: owned by the preempted sequence whose full blocks they
 * are, or by none (the blocks of finished requests, partial blocks, and everything with
 * prefix caching off: random and ShareGPT prompts do not repeat). Handing out takes blocks
 * from the head segment's front, which for a sequence's segment is its last blocks. */

static int32_t seg_new(struct sim *m, struct replica *r, long n, int32_t seq)
{
	int32_t g = m->seg_free;
	struct kvseg *e;
	if (g != NIL) {
		m->seg_free = m->seg[g].next;
	} else {
		xgrow((void **)&m->seg, &m->seg_cap, m->seg_used + 1, sizeof(*m->seg));
		g = (int32_t)m->seg_used++;
	}
	e = &m->seg[g];
	e->n = e->n0 = n;
	e->tokens = 0;
	e->seq = seq;
	e->next = NIL;
	e->prev = r->fq_tail;
	if (r->fq_tail != NIL)
		m->seg[r->fq_tail].next = g;
	else
		r->fq_head = g;
	r->fq_tail = g;
	if (seq != NIL)
		m->seqs[seq].kvseg = g;
	return g;
}

static void seg_unlink(struct sim *m, struct replica *r, int32_t g)
{
	struct kvseg *e = &m->seg[g];
	if (e->seq != NIL)
		m->seqs[e->seq].kvseg = NIL;
	if (e->prev != NIL)
		m->seg[e->prev].next = e->next;
	else
		r->fq_head = e->next;
	if (e->next != NIL)
		m->seg[e->next].prev = e->prev;
	else
		r->fq_tail = e->prev;
	e->next = m->seg_free;
	m->seg_free = g;
}

static void blocks_take(struct sim *m, struct replica *r, long n);

/* n blocks back to the queue, owned by none. */
static void blocks_give(struct sim *m, struct replica *r, long n)
{
	if (n <= 0) { /* n < 0: taken (a sliding group's blocks, recounted) */
		if (n < 0)
			blocks_take(m, r, -n);
		return;
	}
	r->free_blocks += n;
	if (r->fq_tail != NIL && m->seg[r->fq_tail].seq == NIL)
		m->seg[r->fq_tail].n += n;
	else
		seg_new(m, r, n, NIL);
}

/* n blocks handed out (n < 0: given back), the least recently freed first. The caller has
 * checked that they are free. */
static void blocks_take(struct sim *m, struct replica *r, long n)
{
	if (n < 0) {
		blocks_give(m, r, -n);
		return;
	}
	if (n > r->free_blocks)
		bug("%ld blocks taken, %ld free", n, r->free_blocks);
	r->free_blocks -= n;
	while (n > 0) {
		struct kvseg *e = &m->seg[r->fq_head];
		long k = e->n < n ? e->n : n;
		e->n -= k;
		n -= k;
		if (e->n == 0)
			seg_unlink(m, r, r->fq_head);
	}
}

/* The last n blocks given back are sequence i's cached ones, the full blocks of its first
 * `tokens` tokens. */
static void blocks_cache(struct sim *m, struct replica *r, int32_t i, long n, long tokens)
{
	struct kvseg *t;
	int32_t g;
	if (n <= 0)
		return;
	if (r->fq_tail == NIL)
		bug("sequence %d: %ld blocks to cache, none given back", i, n);
	t = &m->seg[r->fq_tail];
	if (t->seq != NIL || t->n < n)
		bug("sequence %d: %ld blocks to cache, not the last given back", i, n);
	t->n -= n;
	if (t->n == 0)
		seg_unlink(m, r, r->fq_tail);
	g = seg_new(m, r, n, i); /* it may move m->seg */
	m->seg[g].tokens = tokens;
}

/* What waiting sequence i, preempted, finds of its own in the prefix cache beyond the
 * `cached` tokens it has from elsewhere, as far as all but its last token: returns those
 * tokens (0: nothing), with *own the blocks its segment gives back and *base the prompt's
 * full blocks it shares again.
 *  - its segment holds the surviving prefix of its full blocks (a sequence's last blocks
 *    are freed, so handed out, first);
 *  - with sliding-window groups all or nothing: vLLM's hit needs a sliding group's last
 *    window as well as the full groups' prefix, and a window reaching a block freed
 *    before the preemption finds nothing;
 *  - a forked sample's own blocks follow the prompt's full blocks, found only while its
 *    siblings still hold those (dense models: preempt_tail). */
static long preempted_hit(const struct sim *m, int32_t i, long cached, long *own, long *base)
{
	const struct seq *q = &m->seqs[i];
	const struct problem_state *ps = &m->ps[m->reqs[i].problem];
	const struct kvseg *e = q->kvseg != NIL ? &m->seg[q->kvseg] : NULL;
	long top = (q->prefill_len - 1) / m->bs * m->bs, seg_n = e ? e->n : 0, hit, from_seg;
	*own = *base = 0;
	if (q->reshare) {
		if (ps->shared_refs == 0)
			return 0;
		*base = ps->shared_blocks;
		hit = (*base + seg_n) / m->kv.n_full * m->bs;
	} else if (!e) {
		return 0;
	} else if (m->kv.n_swa) {
		hit = e->n == e->n0 ? e->tokens : 0;
	} else {
		hit = seg_n / m->kv.n_full * m->bs;
	}
	if (hit > top)
		hit = top;
	from_seg = seq_blocks(m, hit, hit) - *base;
	if (hit <= cached || from_seg < 0 || from_seg > seg_n) {
		*base = 0;
		return 0;
	}
	*own = from_seg;
	return hit - cached;
}

/* Sequence i takes n of its cached blocks back (a prefix-cache hit); the rest of its
 * segment stays in the queue owned by none. */
static void blocks_reclaim(struct sim *m, struct replica *r, int32_t i, long n)
{
	int32_t g = m->seqs[i].kvseg;
	if (g == NIL)
		return;
	if (n > m->seg[g].n)
		bug("sequence %d reclaims %ld of %ld cached blocks", i, n, m->seg[g].n);
	m->seg[g].n -= n;
	r->free_blocks -= n;
	m->seg[g].seq = NIL;
	m->seqs[i].kvseg = NIL;
	if (m->seg[g].n == 0)
		seg_unlink(m, r, g);
}

/* Sequence i leaves without coming back (done, cancelled): its cached blocks are no one's. */
static inline void blocks_forget(struct sim *m, int32_t i)
{
	if (m->seqs[i].kvseg != NIL) {
		m->seg[m->seqs[i].kvseg].seq = NIL;
		m->seqs[i].kvseg = NIL;
	}
}

/* ---- waiting deque ---- */

/* Blocks a waiting sequence takes at admission if its prefill runs whole: its prompt (after
 * a preemption, prompt and output to recompute) and an unforked leader's sibling copies.
 * Constant while it waits. */
static inline long wait_blocks(const struct sim *m, const struct seq *q)
{
	return seq_blocks(m, q->prefill_len, 0) + q->res_blocks;
}

static void wq_push_back(struct replica *r, int32_t i)
{
	if (r->wq_len == r->wq_cap) {
		size_t old = r->wq_cap, nc = old ? 2 * old : 64;
		int32_t *n = xmalloc(nc * sizeof(*n));
		for (size_t k = 0; k < r->wq_len; k++)
			n[k] = r->wq[(r->wq_head + k) % (old ? old : 1)];
		free(r->wq);
		r->wq = n;
		r->wq_cap = nc;
		r->wq_head = 0;
	}
	r->wq[(r->wq_head + r->wq_len) % r->wq_cap] = i;
	r->wq_len++;
}

static void wq_push_front(struct replica *r, int32_t i)
{
	if (r->wq_len == r->wq_cap)
		wq_push_back(r, i), r->wq_len--; /* grow, then undo the append */
	r->wq_head = (r->wq_head + r->wq_cap - 1) % r->wq_cap;
	r->wq[r->wq_head] = i;
	r->wq_len++;
}

static inline int32_t wq_front(const struct replica *r) { return r->wq[r->wq_head]; }

static inline void wq_pop_front(struct replica *r)
{
	r->wq_head = (r->wq_head + 1) % r->wq_cap;
	r->wq_len--;
}

/* ---- intrusive lists ---- */

static void run_append(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	q->prev = r->run_tail;
	q->next = NIL;
	if (r->run_tail != NIL)
		m->seqs[r->run_tail].next = i;
	else
		r->run_head = i;
	r->run_tail = i;
	r->n_running++;
}

static void run_remove(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	if (q->prev != NIL)
		m->seqs[q->prev].next = q->next;
	else
		r->run_head = q->next;
	if (q->next != NIL)
		m->seqs[q->next].prev = q->prev;
	else
		r->run_tail = q->prev;
	r->n_running--;
}

static void pf_append(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	q->pprev = r->pf_tail;
	q->pnext = NIL;
	if (r->pf_tail != NIL)
		m->seqs[r->pf_tail].pnext = i;
	else
		r->pf_head = i;
	r->pf_tail = i;
}

static void pf_remove(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	if (q->pprev != NIL)
		m->seqs[q->pprev].pnext = q->pnext;
	else
		r->pf_head = q->pnext;
	if (q->pnext != NIL)
		m->seqs[q->pnext].pprev = q->pprev;
	else
		r->pf_tail = q->pprev;
}

/* ---- the decode set ----
 *
 * The running sequences that decode, behind one interface with two implementations:
 *   DS_AGGREGATE  token-at-a-time decoding kept as aggregates (bucketed block demand, the
 *                 sum of KV lengths, a heap of finishing steps; see the top comment):
 *                 O(log n) per join, leave or finish, nothing per sequence per step, and
 *                 quiet stretches folded into one event (fold_quiet_steps);
 *   DS_WALK       every sequence carries its ctx and blocks and each step walks them:
 *                 needed under speculative decoding (each advances by a random number of
 *                 tokens), and, with one token per step, the reference engine
 *                 (sim_setup.reference) that the aggregate set is checked against.
 * Operations (a switch on m->ds, not a vtable: the aggregate cases stay inlined):
 *   ds_join, ds_leave        a sequence enters (prefill done) or leaves (finish, preempt,
 *                            cancel) the set; leave returns the blocks it held
 *   ds_reserve               blocks for the next step's tokens, preempting the newest
 *                            running sequence while they do not fit
 *   ds_ctx                   the step's sum of attended KV lengths
 *   ds_advance               after a step: tokens generated, blocks trimmed
 *   ds_pop_finished          after a step: the next sequence that produced its last token
 */

static inline int fh_before(const struct seq *sq, int32_t a, int32_t b)
{
	int64_t fa = sq[a].d.agg.fin, fb = sq[b].d.agg.fin;
	return fa != fb ? fa < fb : a < b;
}

static inline void fh_moved(struct seq *sq, int32_t i, size_t k) { sq[i].d.agg.hpos = (int32_t)k; }

HEAP_DEFINE(fh, struct seq *, fh_before, fh_moved)

/* Tokens sequence q of the decode set verifies in the step being composed: the step's
 * q_tok, or 1 when its n-gram lookup found no match (drafted nothing). */
static inline int seq_q(const struct replica *r, const struct seq *q)
{
	return q->spec_match == SM_NONE && r->q_tok > 1 ? 1 : r->q_tok;
}

/* Query tokens of the decode set in the step being composed (after ds_reserve). */
static inline long ds_tokens(const struct replica *r)
{
	return (long)r->ds.n * r->q_tok - (long)r->n_unmatched * (r->q_tok - 1);
}

static void ds_join(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	const struct sim_req *rq = &m->reqs[i];
	struct decode_set *ds = &r->ds;
	q->state = ST_DECODE;
	ds->n++;
	if (m->ds == DS_WALK) {
		q->d.walk.ctx = q->prefill_len;
		ds->S += q->prefill_len;
		return;
	}
	q->blocks = 0; /* from now on counted from ctx */
	q->d.agg.ctx0 = q->prefill_len;
	q->d.agg.c0 = r->counter;
	q->d.agg.fin = r->counter + (rq->output - q->gen) - 1;
	ds->bucket[modp(q->d.agg.ctx0 - q->d.agg.c0, m->bs)]++;
	ds->S += q->d.agg.ctx0 - q->d.agg.c0;
	fh_push(m->seqs, &ds->fh, i);
}

/* KV tokens of a sequence in the aggregate set now (between steps, or during scheduling). */
static inline int64_t agg_ctx(const struct replica *r, const struct seq *q)
{
	return q->d.agg.ctx0 + (r->counter - q->d.agg.c0) + (r->ds.alloc_done ? 1 : 0);
}

/* Remove i from the decode set; returns the KV blocks it held and sets its generated count. */
static long ds_leave(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	struct decode_set *ds = &r->ds;
	long blocks;
	ds->n--;
	if (m->ds == DS_WALK) {
		ds->S -= q->d.walk.ctx;
		/* the step being composed counted it (ds_reserve); between steps the count is
		 * stale and recounted by the next ds_reserve */
		r->n_unmatched -= seq_q(r, q) < r->q_tok;
		/* a draw belongs to one step: preempted, it draws again when it decodes again
		 * (else a stale "no match" is taken back by a later pass that never counted it) */
		q->spec_match = SM_UNDRAWN;
		blocks = q->blocks;
		q->blocks = 0;
		return blocks;
	}
	blocks = seq_blocks(m, (long)agg_ctx(r, q), (long)agg_ctx(r, q)) - q->shared_off;
	q->gen = q->gen + (int32_t)(r->counter - q->d.agg.c0);
	ds->bucket[modp(q->d.agg.ctx0 - q->d.agg.c0, m->bs)]--;
	ds->S -= q->d.agg.ctx0 - q->d.agg.c0;
	fh_remove(m->seqs, &ds->fh, (size_t)q->d.agg.hpos);
	q->d.agg.hpos = NIL;
	return blocks;
}

static int32_t preempt_tail(struct sim *m, struct replica *r);
static int draw_match(struct sim *m, int32_t i);

/* Blocks for step c's tokens (seq_q per sequence), preempting the newest running sequence
 * (decoding or not) while they do not fit; counts the step's unmatched sequences. */
static void ds_reserve(struct sim *m, struct replica *r, int64_t c)
{
	long need;
	r->n_unmatched = 0;
	if (m->ds == DS_AGGREGATE) { /* one block table a sequence (setup walks the others) */
		for (;;) {
			need = r->ds.n ? r->ds.bucket[modp(-c, m->bs)] : 0;
			if (need <= r->free_blocks)
				break;
			preempt_tail(m, r);
		}
		blocks_take(m, r, need);
		r->ds.alloc_done = 1;
		return;
	}
	for (int32_t i = r->run_head; i != NIL;) {
		struct seq *q = &m->seqs[i];
		if (q->state != ST_DECODE) {
			i = q->next;
			continue;
		}
		/* KV for the tokens computed (q_tok, or 1 when its n-gram lookup finds nothing:
		 * vLLM allocates slots for the proposed tokens only); under speculation the
		 * rejected ones' slots are freed after the step; a sliding group frees what left
		 * its window (need < 0: a prefill that just joined held its prompt's blocks whole) */
		if (r->q_tok > 1 && q->spec_match == SM_UNDRAWN)
			q->spec_match = draw_match(m, i);
		need = seq_blocks(m, (long)q->d.walk.ctx + seq_q(r, q), (long)q->d.walk.ctx) -
		       q->shared_off - q->blocks;
		r->n_unmatched += seq_q(r, q) < r->q_tok; /* ds_leave takes it back if preempted */
		while (need > r->free_blocks)
			if (preempt_tail(m, r) == i)
				return; /* it was the newest: nothing after it */
		if (need > 0 || m->kv.n_swa) {
			blocks_take(m, r, need);
			q->blocks += (int32_t)need;
		}
		i = q->next;
	}
}

/* Sum over the set of the KV each sequence attends to in step c (its ctx plus the
 * seq_q tokens computed). In double, as the cost model takes it; exact below 2^53 tokens. */
static inline double ds_ctx(const struct sim *m, const struct replica *r, int64_t c)
{
	if (m->ds == DS_AGGREGATE)
		return (double)r->ds.S + (double)r->ds.n * (double)(c + 1);
	return (double)(r->ds.S + ds_tokens(r));
}

static void seq_finish(struct sim *m, struct replica *r, int32_t i, long blocks);
static int draw_accepted(struct sim *m, int32_t i);

/* After the step(s) just ended: each sequence of the set gains its tokens. Under
 * speculation each keeps its accepted draft tokens plus the target's one, and one that is
 * done finishes here, in running order; otherwise the finishers wait for ds_pop_finished
 * (after the step's prefills, in index order: the aggregate set's heap order). */
static void ds_advance(struct sim *m, struct replica *r)
{
	const int k = r->q_tok - 1;
	size_t n_walk = 0;
	m->n_fin = m->fin_next = 0;
	if (m->ds == DS_AGGREGATE) {
		m->st->output_tokens += (double)r->ds.n * (double)r->step_n;
		return;
	}
	if (k == 0)
		m->st->output_tokens += (double)r->ds.n;
	for (int32_t i = r->run_head; i != NIL; i = m->seqs[i].next)
		if (m->seqs[i].state == ST_DECODE) {
			xgrow((void **)&m->walk, &m->walk_cap, n_walk + 1, sizeof(int32_t));
			m->walk[n_walk++] = i;
		}
	for (size_t w = 0; w < n_walk; w++) {
		int32_t i = m->walk[w];
		struct seq *q = &m->seqs[i];
		struct sim_req *rq = &m->reqs[i];
		int a = 0, made = 1;
		long keep;
		if (q->state != ST_DECODE) /* cancelled by a sibling this step */
			continue;
		if (k > 0 && q->spec_match == SM_NONE) {
			/* its lookup found nothing: no draft, the target's one token; vLLM's
			 * SpecDecodingStats count only the requests that had drafts */
			m->st->spec_undrafted += 1;
			m->st->output_tokens += 1;
		} else if (k > 0) {
			a = draw_accepted(m, i);
			made = a + 1 < rq->output - q->gen ? a + 1 : rq->output - q->gen;
			m->st->spec_drafted += k;
			m->st->spec_accepted += a;
			m->st->spec_verifications += 1;
			m->st->output_tokens += made;
		}
		if (k > 0)
			q->spec_match = SM_UNDRAWN;
		q->gen += made;
		q->d.walk.ctx += a + 1;
		r->ds.S += a + 1;
		keep = seq_blocks(m, (long)q->d.walk.ctx, (long)q->d.walk.ctx) - q->shared_off;
		if (keep < 0)
			keep = 0;
		blocks_give(m, r, q->blocks - keep);
		q->blocks = (int32_t)keep;
		if (q->gen < rq->output)
			continue;
		if (m->spec) {
			seq_finish(m, r, i, ds_leave(m, r, i));
			continue;
		}
		/* finishers in index order (insertion: few per step) */
		xgrow((void **)&m->fin, &m->fin_cap, m->n_fin + 1, sizeof(int32_t));
		{
			size_t j = m->n_fin++;
			for (; j > 0 && m->fin[j - 1] > i; j--)
				m->fin[j] = m->fin[j - 1];
			m->fin[j] = i;
		}
	}
}

/* The next sequence that produced its last token in the step(s) just ended, whose last
 * step was c; NIL when none is left. */
static int32_t ds_pop_finished(struct sim *m, struct replica *r, int64_t c)
{
	if (m->ds == DS_AGGREGATE) {
		int32_t i = heap_top(&r->ds.fh);
		if (i == NIL)
			return NIL;
		if (m->seqs[i].d.agg.fin < c)
			bug("sequence %d missed its finishing step", i);
		if (m->seqs[i].d.agg.fin != c)
			return NIL;
		if (m->seqs[i].state != ST_DECODE)
			bug("finish heap holds a sequence in state %d", m->seqs[i].state);
		return i;
	}
	while (m->fin_next < m->n_fin) {
		int32_t i = m->fin[m->fin_next++];
		if (m->seqs[i].state == ST_DECODE) /* else cancelled by a sibling meanwhile */
			return i;
	}
	return NIL;
}

/* ---- problems, finishing, cancelling ---- */

/* Problem p is complete for its client at t (ns): a closed-loop client sends the next. */
static void problem_complete(struct sim *m, long p, int64_t t)
{
	m->probs[p].t_done = t;
	if (t > m->last_done)
		m->last_done = t;
	m->problems_left--;
	if (m->s->loop == SIM_CLOSED && m->next_arrival < m->n_probs) {
		long np = m->next_arrival++;
		m->probs[np].arrival = t;
		evq_push(&m->q, t, EV_ARRIVAL, EV_ARRIVAL, np);
	}
}

static void fe_note(int32_t **a, size_t *n, size_t *cap, int32_t i);

static void problem_seq_ended(struct sim *m, long p)
{
	struct problem_state *ps = &m->ps[p];
	if (ps->finished + ps->cancelled < m->probs[p].n)
		return;
	if (!m->fe) {
		problem_complete(m, p, m->now);
		return;
	}
	xgrow((void **)&m->fp.probs, &m->fp.cap_probs, m->fp.n_probs + 1, sizeof(long));
	m->fp.probs[m->fp.n_probs++] = p;
}

/* A forked sample gives up its share of the prompt's blocks. */
static void unshare(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	struct problem_state *ps = &m->ps[m->reqs[i].problem];
	if (!q->shared_off)
		return;
	q->shared_off = 0;
	if (--ps->shared_refs == 0) {
		blocks_give(m, r, ps->shared_blocks);
		ps->shared_blocks = 0;
	}
}

/* Take sequence i out of whatever it is in, freeing its blocks (and its share). */
static void seq_detach(struct sim *m, struct replica *r, int32_t i)
{
	struct seq *q = &m->seqs[i];
	switch (q->state) {
	case ST_DECODE:
		blocks_give(m, r, ds_leave(m, r, i));
		run_remove(m, r, i);
		break;
	case ST_PREFILL:
		blocks_give(m, r, q->blocks);
		q->blocks = 0;
		r->n_running -= q->reserved; /* an unforked leader's sibling slots */
		pf_remove(m, r, i);
		run_remove(m, r, i);
		break;
	case ST_FORKING:
		blocks_give(m, r, q->blocks);
		q->blocks = 0;
		run_remove(m, r, i);
		break;
	default: /* waiting: what it left in the prefix cache is no one's now */
		blocks_forget(m, i);
		q->reshare = 0;
		break;
	}
	r->committed -= q->commit;
	q->commit = 0;
	unshare(m, r, i);
}

/* A vote for counter a. Votes only grow, so the two largest counts are kept as they change:
 * O(1) per vote, where a scan of the counters would make a problem of 65,536 samples with
 * distinct answers quadratic. */
static void vote(struct sim *m, struct problem_state *ps, int32_t a)
{
	int32_t c = ++m->votes[ps->votes_off + a];
	if (a == ps->leader) {
		ps->lead = c;
	} else if (c > ps->lead) {
		ps->second = ps->lead;
		ps->lead = c;
		ps->leader = a;
	} else if (c > ps->second) {
		ps->second = c;
	}
}

static void early_stop_check(struct sim *m, struct replica *r, long p)
{
	struct problem_state *ps = &m->ps[p];
	const struct sim_problem *pr = &m->probs[p];
	int32_t left;
	if (!pr->early_stop || ps->n_answers == 0)
		return;
	left = pr->n - ps->finished - ps->cancelled;
	if (left == 0 || ps->lead <= ps->second + left)
		return;
	/* The leader cannot be overtaken (nor tied): cancel the rest. */
	for (int32_t i = pr->first; i < pr->first + pr->n; i++) {
		struct seq *q = &m->seqs[i];
		if (q->state == ST_DONE)
			continue;
		if (q->state == ST_WAIT) /* stays in the queue, skipped at admission */
			r->queued_blocks -= wait_blocks(m, q);
		seq_detach(m, r, i);
		m->reqs[i].generated = q->gen;
		q->state = ST_DONE;
		m->reqs[i].cancelled = 1;
		m->reqs[i].t_done = m->now;
		r->load--;
		ps->cancelled++;
	}
}

static void seq_finish(struct sim *m, struct replica *r, int32_t i, long blocks)
{
	struct seq *q = &m->seqs[i];
	struct sim_req *rq = &m->reqs[i];
	long p = rq->problem;
	q->state = ST_DONE;
	blocks_give(m, r, blocks);
	r->committed -= q->commit;
	q->commit = 0;
	run_remove(m, r, i);
	unshare(m, r, i);
	rq->t_done = m->now;
	if (m->fe)
		fe_note(&m->fp.last, &m->fp.n_last, &m->fp.cap_last, i);
	rq->generated = rq->output;
	r->load--;
	m->ps[p].finished++;
	if (q->vote != NIL)
		vote(m, &m->ps[p], q->vote);
	early_stop_check(m, r, p);
	problem_seq_ended(m, p);
}

/* Preempt the newest running sequence: free its blocks, back to the front of the queue,
 * to recompute its prompt and what it generated so far (vLLM's recompute preemption), less
 * what it finds of its blocks in the prefix cache when it is admitted again (a forked
 * sample: the prompt's full blocks too, by reference, while a sibling holds them: vLLM V1
 * runs n > 1 as n requests whose prompts meet in the prefix cache). */
static int32_t preempt_tail(struct sim *m, struct replica *r)
{
	int32_t i = r->run_tail;
	struct seq *q;
	long freed, shared;
	int cache, was_decoding;
	if (i == NIL)
		bug("preemption with nothing running");
	q = &m->seqs[i];
	/* prefix caching: the full blocks of what it computed stay in the free queue, its own
	 * (a forked sample's beyond the prompt blocks it shares, which its siblings may still
	 * hold: it shares them again when admitted, reshare; not a sliding-window model's
	 * forked sample, nor an unforked leader's) */
	cache = m->s->prefix_caching && !q->res_blocks &&
		(q->state == ST_DECODE || q->state == ST_PREFILL) &&
		!(q->shared_off && m->kv.n_swa);
	shared = q->shared_off;
	was_decoding = q->state == ST_DECODE;
	freed = r->free_blocks;
	seq_detach(m, r, i);
	freed = r->free_blocks - freed;
	if (cache) {
		long kv = was_decoding ? (long)m->reqs[i].prompt + q->gen - 1 : q->prefill_done;
		long full = seq_blocks(m, kv / m->bs * m->bs, kv / m->bs * m->bs) - shared;
		q->reshare = shared > 0;
		blocks_cache(m, r, i, full < freed ? full : freed, kv / m->bs * m->bs);
	}
	q->state = ST_WAIT;
	q->prefill_len = m->reqs[i].prompt + q->gen;
	q->prefill_done = 0;
	q->chunk = 0;
	m->reqs[i].preemptions++;
	m->st->preemptions++;
	r->preempted_now = 1;
	wq_push_front(r, i);
	r->queued_blocks += wait_blocks(m, q);
	return i;
}

/* ---- the front end (engine.h) ----
 *
 * One serial server per replica. A request takes it at its arrival (fe_arrive) and reaches
 * the engine fe.latency after; a step's tokens take it when the step ends (fe_stream).
 * The first- and last-token times step_end sets, and the problems it completes, wait in
 * m->fp until the step's batch has passed the server (fe_step_end). A folded quiet stretch streams each of its steps but the last as it is
 * folded: with a front end a stretch stops before the next event of any kind, so nothing
 * else takes the server before it ends, and the fast and the reference engine stream the
 * same batches at the same times. */

static void fe_note(int32_t **a, size_t *n, size_t *cap, int32_t i)
{
	xgrow((void **)a, cap, *n + 1, sizeof(int32_t));
	(*a)[(*n)++] = i;
}

/* k tokens made by a step of replica r that ended at t pass its server, k_first of them
 * first tokens; returns when (ns). A sequence's token made before its previous one has
 * passed (t < fe_last: the step before this one had not passed the server when this one
 * ended) joins that request's waiting output and costs no server time of its own (vLLM's
 * RequestOutputCollector merges a request's outputs while its consumer is behind); a
 * first token has no waiting output to join. */
static int64_t fe_stream(struct sim *m, struct replica *r, int64_t t, double k, double k_first)
{
	double paid = t >= r->fe_last ? k : k_first;
	int64_t work = (int64_t)(paid * m->s->fe.per_output_token * 1e9 + 0.5) +
		       (int64_t)k_first * m->fe_ft_ns;
	r->fe_free = (t > r->fe_free ? t : r->fe_free) + work;
	r->fe_last = r->fe_free;
	return r->fe_free;
}

/* A step_end begins: note what it makes from here. */
static void fe_step_begin(struct sim *m)
{
	m->fp.n_first = m->fp.n_last = m->fp.n_probs = 0;
	m->fp.tokens0 = m->st->output_tokens;
}

/* The step_end is done: its tokens (a folded stretch's: its last step's) pass the server,
 * and what waited for them gets the time they passed. */
static void fe_step_end(struct sim *m, struct replica *r)
{
	double k = m->st->output_tokens - m->fp.tokens0 - r->fe_fold_tokens;
	int64_t d;
	r->fe_fold_tokens = 0;
	if (k <= 0 && m->fp.n_first + m->fp.n_last + m->fp.n_probs == 0)
		return;
	d = fe_stream(m, r, m->now, k, (double)m->fp.n_first);
	/* the step's first tokens pass one after another, each fe.first_token of the server
	 * (the j-th of n at d - (n - 1 - j) fe.first_token): the last of them at d */
	for (size_t j = 0; j < m->fp.n_first; j++)
		if (!m->reqs[m->fp.first[j]].cancelled) /* else never streamed */
			m->reqs[m->fp.first[j]].t_first =
				d - (int64_t)(m->fp.n_first - 1 - j) * m->fe_ft_ns;
	for (size_t j = 0; j < m->fp.n_last; j++)
		m->reqs[m->fp.last[j]].t_done = d;
	for (size_t j = 0; j < m->fp.n_probs; j++)
		problem_complete(m, m->fp.probs[j], d);
}

/* ---- invariants (tests only: walks every sequence) ---- */

static void check_invariants(struct sim *m, int ri, long tokens)
{
	struct replica *r = &m->rep[ri];
	long held = 0, n_run = 0, n_dec = 0, reserved = 0;
	int64_t S = 0;
	long unmatched = 0;
	if (tokens > m->s->max_num_batched_tokens)
		bug("step of %ld tokens exceeds max_num_batched_tokens", tokens);
	if (r->n_running > m->s->max_num_seqs)
		bug("%d sequences running, max_num_seqs %d", r->n_running, m->s->max_num_seqs);
	for (int32_t i = r->run_head; i != NIL; i = m->seqs[i].next) {
		const struct seq *q = &m->seqs[i];
		n_run++;
		if (q->state == ST_DECODE) {
			n_dec++;
			if (m->ds == DS_WALK) {
				held += q->blocks;
				S += q->d.walk.ctx;
				unmatched += seq_q(r, q) < r->q_tok;
				/* ds_reserve gave it exactly the rule's blocks for this step */
				if (q->blocks + q->shared_off !=
				    seq_blocks(m, (long)q->d.walk.ctx + seq_q(r, q), (long)q->d.walk.ctx))
					bug("sequence %d holds %d + %d shared blocks at %lld tokens, "
					    "expected %ld", i, q->blocks, q->shared_off,
					    (long long)q->d.walk.ctx,
					    seq_blocks(m, (long)q->d.walk.ctx + seq_q(r, q),
						       (long)q->d.walk.ctx));
				continue;
			}
			/* the step in flight has allocated the slot of the token it computes */
			held += seq_blocks(m, (long)(q->d.agg.ctx0 + (r->counter - q->d.agg.c0) + 1),
					   (long)(q->d.agg.ctx0 + (r->counter - q->d.agg.c0))) -
				q->shared_off;
			S += q->d.agg.ctx0 - q->d.agg.c0;
		} else if (q->state == ST_PREFILL) {
			held += q->blocks;
			reserved += q->reserved;
			if (q->blocks + q->shared_off - q->res_blocks <
			    seq_blocks(m, q->prefill_done + q->chunk, q->prefill_done))
				bug("sequence %d holds %d blocks for %d tokens", i, q->blocks,
				    q->prefill_done + q->chunk);
		} else {
			bug("sequence %d in the running list in state %d", i, q->state);
		}
	}
	/* the prompt blocks a problem's forked samples share, once per problem: found through
	 * the running list (the samples that hold a share are running), not by a walk over
	 * every problem each step, so that a check costs O(batch) however long the workload;
	 * a share held by no running sample shows up as blocks missing below */
	m->checks++;
	for (int32_t i = r->run_head; i != NIL; i = m->seqs[i].next) {
		struct problem_state *ps = &m->ps[m->reqs[i].problem];
		if (m->seqs[i].shared_off > 0 && ps->checked != m->checks) {
			ps->checked = m->checks;
			held += ps->shared_blocks;
		}
	}
	if (m->ds == DS_WALK && unmatched != r->n_unmatched)
		bug("replica %d: %ld sequences without an n-gram match, counted %d", ri, unmatched,
		    r->n_unmatched);
	if (n_run + reserved != r->n_running || n_dec != r->ds.n || S != r->ds.S)
		bug("replica %d: running %ld+%ld/%d decode %ld/%d S %lld/%lld", ri, n_run, reserved,
		    r->n_running, n_dec, r->ds.n, (long long)S, (long long)r->ds.S);
	if (held + r->free_blocks != m->total_blocks)
		bug("replica %d: %ld blocks held + %ld free != %ld", ri, held, r->free_blocks,
		    m->total_blocks);
	if (r->free_blocks < 0)
		bug("replica %d: KV cache over capacity", ri);
	/* the free queue holds the free blocks; a segment's owner waits and points back */
	held = 0;
	for (int32_t g = r->fq_head, prev = NIL; g != NIL; prev = g, g = m->seg[g].next) {
		const struct kvseg *e = &m->seg[g];
		if (e->n <= 0 || e->prev != prev ||
		    (e->seq != NIL && (m->seqs[e->seq].kvseg != g ||
				       m->seqs[e->seq].state != ST_WAIT)))
			bug("replica %d: free-queue segment %d (%ld blocks, sequence %d) broken", ri,
			    g, e->n, e->seq);
		held += e->n;
	}
	if (held != r->free_blocks)
		bug("replica %d: %ld blocks in the free queue, %ld free", ri, held, r->free_blocks);
	/* the queued blocks are the waiting requests' (and, with a front end, those still
	 * in its server's hands) */
	held = 0;
	for (size_t k = 0; k < r->wq_len; k++) {
		const struct seq *q = &m->seqs[r->wq[(r->wq_head + k) % r->wq_cap]];
		if (q->state == ST_WAIT)
			held += wait_blocks(m, q);
		else if (q->state != ST_DONE)
			bug("replica %d: a queued sequence in state %d", ri, q->state);
	}
	if (m->fe ? held > r->queued_blocks : held != r->queued_blocks)
		bug("replica %d: %ld blocks queued, counted %ld", ri, held, r->queued_blocks);
}

/* ---- speculative decoding ---- */

/* Draft tokens accepted in one verification of sequence i (0..k).
 *
 * Each sequence draws from a stream of its own, seeded from (seed, its index) at setup:
 * what a sequence accepts at its n-th verification depends on nothing else, so a faster
 * profile, another replica count or another interleaving of the replicas' steps hand it
 * the same draws (one shared stream, consumed in step order, did not: issue 14). The
 * streams are gsl_rng_taus2, 24 bytes of state each; the one generator's state is swapped
 * in and out around the draws. Forked samples are sequences of their own, so independent.
 * A preempted sequence keeps its stream where it stood: the tokens it accepted are kept
 * (recomputing re-prefills them, it does not redraw them), and its next verification takes
 * the next draws, so its run of acceptances is the same whether or not it was preempted. */
#define ACCEPT_STATE (3 * sizeof(unsigned long)) /* gsl_rng_taus2's state: a constant size,
                                                    so the copies inline */
static int draw_accepted(struct sim *m, int32_t i)
{
	const struct spec_setup *sp = &m->s->spec;
	unsigned char *st = m->accept_state + (size_t)i * ACCEPT_STATE;
	gsl_rng *r = m->accept_rng;
	int a = 0;
	memcpy(m->accept_live, st, ACCEPT_STATE);
	switch (sp->accept_kind) {
	case ACCEPT_IID:
		while (a < sp->k && gsl_rng_uniform(r) < sp->alpha)
			a++;
		break;
	case ACCEPT_POSITION:
		while (a < sp->k && gsl_rng_uniform(r) < sp->pos[a])
			a++;
		break;
	default:
		a = (int)gsl_ran_discrete(r, m->len_dist);
		break;
	}
	memcpy(st, m->accept_live, ACCEPT_STATE);
	return a;
}

/* Whether sequence i's n-gram lookup finds a match for its next verification (SM_MATCH,
 * SM_NONE): a Bernoulli draw of P(no match) = ngram_miss on its own acceptance stream, before
 * that verification's acceptance draws; never drawn when ngram_miss is 0 (every lookup
 * matches: the stream is then as without the option). vLLM V1's n-gram proposer
 * (v1/spec_decode/ngram_proposer.py) drafts the k tokens after an earlier occurrence of the
 * context's last n tokens (n in [prompt_lookup_min, prompt_lookup_max]) and nothing when
 * there is none; the draws are independent from step to step (real matches cluster in
 * repeated spans: not modelled). */
static int draw_match(struct sim *m, int32_t i)
{
	const struct spec_setup *sp = &m->s->spec;
	unsigned char *st = m->accept_state + (size_t)i * ACCEPT_STATE;
	int miss;
	if (!(sp->ngram_miss > 0))
		return SM_MATCH;
	memcpy(m->accept_live, st, ACCEPT_STATE);
	miss = (int)gsl_ran_bernoulli(m->accept_rng, sp->ngram_miss);
	memcpy(st, m->accept_live, ACCEPT_STATE);
	return miss ? SM_NONE : SM_MATCH;
}

/* Kernels of the rejection sampler after the target's forward (vLLM V1
 * v1/sample/rejection_sampler.py: target argmax or probabilities, the accept/reject kernel,
 * the bonus-token write): each at least a launch. */
#define REJECT_KERNELS 3

/* Tokens per sequence of a verification: a chain's k + 1, or the tree's draft tokens. */
static inline int spec_verify_q(const struct spec_setup *sp)
{
	return sp->verify_tokens > 0 ? sp->verify_tokens : sp->k + 1;
}

/* Seconds the drafter adds to a step, as vLLM V1 builds its proposers (v1/spec_decode/):
 *  - n-gram: CPU time only, per decoding sequence;
 *  - a draft model or an EAGLE head: k forwards over the decoding sequences. The first
 *    reads every token the target verified (k + 1 per sequence: the drafter catches up
 *    on their KV or hidden states), the others one token each; each forward samples one
 *    row per sequence through its LM head (a draft model's own; EAGLE-1: the target's,
 *    vocab x hidden; EAGLE-3: its own draft vocabulary), EAGLE adds its fc projection
 *    (models/model.h); under CUDA graphs a forward lasts max(GPU time, draft_step_s of
 *    CPU: input preparation and attention metadata, overlapped with the previous
 *    forward), eager it adds the engine's whole per-step overhead; EAGLE-3 adds
 *    eagle3_remap_s of CPU per forward (its vocabulary remap, outside the graph);
 *  - a tree (tree_topk > 1, SGLang's EAGLE-2/3 drafting): the first forward as a chain's,
 *    each later one expands tree_topk branches per sequence, each branch a decode row of
 *    its own over the sequence's context (n x topk rows, each sampling its top-k); the
 *    verification then holds the tree's verify_tokens per sequence (spec_q);
 *  - the rejection sampler, REJECT_KERNELS launches, and step_cpu_s of CPU once per step;
 *  - the step's prefill chunks, once through the drafter. */
static double draft_time(struct sim *m, const struct step_batch *b)
{
	const struct spec_setup *sp = &m->s->spec;
	const struct profile *p = m->s->profile;
	struct step_cost sc;
	double t = 0, remap, cpu;
	/* an MTP module's forward has EAGLE-1's shapes (models/drafter.h) */
	int eagle = sp->draft_kind == DRAFT_EAGLE || sp->draft_kind == DRAFT_MTP ? EAGLE_1 :
		    sp->draft_kind == DRAFT_EAGLE3 ? EAGLE_3 : 0;
	if (b->n_decode > 0)
		t += REJECT_KERNELS * (m->cost.cuda_graphs && b->n_prefill == 0 &&
				       b->n_decode <= p->graph_max_seqs ?
				       p->launch_graph : p->launch_eager);
	if (sp->draft_kind == DRAFT_NGRAM)
		return t + sp->ngram_s_per_seq * b->n_decode;
	if (b->n_decode > 0)
		t += sp->step_cpu_s;
	/* EAGLE-3 maps each forward's draft-vocabulary logits onto the target's vocabulary
	 * (Eagle3LlamaForCausalLM.compute_logits: arange, add, a -inf fill of the full
	 * vocabulary, an index write), eager PyTorch ops outside the graphed forward */
	remap = eagle == EAGLE_3 ? sp->eagle3_remap_s : 0;
	cpu = sp->draft_step_s + remap;
	for (int j = 0; j < sp->k && b->n_decode > 0; j++) {
		struct step_batch d = {0};
		int graph;
		double rows, fc_k, qkv_k, gpu;
		int br = j > 0 && sp->tree_topk > 1 ? sp->tree_topk : 1; /* rows per sequence */
		d.n_decode = b->n_decode * br;
		d.decode_q = j == 0 ? sp->k + 1 : 1;
		d.decode_ctx = br * (j == 0 ? b->decode_ctx :
				     b->decode_ctx - (double)b->n_decode * (spec_verify_q(sp) - 1 - j));
		d.n_sample = d.n_decode;
		cost_step(&m->draft_cost, &d, &sc);
		graph = m->draft_cost.cuda_graphs && d.n_decode <= p->graph_max_seqs;
		gpu = sc.total - sc.cpu;
		if (eagle) {
			rows = (double)d.n_decode * d.decode_q;
			model_eagle_extra(m->s->model, eagle, j == 0, &fc_k, &qkv_k);
			gpu += cost_extra_gemm(&m->draft_cost, rows, m->s->model->hidden, fc_k, graph) +
			       cost_extra_gemm(&m->draft_cost, rows, m->draft_cost.g[GEMM_QKV].n, qkv_k,
					       graph);
		}
		/* the proposer's loop queues forward j + 1 while forward j runs: a forward lasts
		 * the longer of its GPU time and its CPU time; eager, the whole step overhead
		 * is serial as in the target's steps */
		t += graph ? (gpu > cpu ? gpu : cpu) : gpu + sc.cpu + remap;
	}
	if (b->n_prefill > 0) {
		struct step_batch d = *b;
		d.n_decode = 0;
		d.decode_ctx = 0;
		d.n_sample = 0;
		cost_step(&m->draft_cost, &d, &sc);
		t += sc.total - sc.cpu;
	}
	return t;
}

/* Tokens per decoding sequence in the replica's next step: k + 1 under speculation, 1
 * without, or when more sequences decode than disable_batch (vLLM V0's
 * speculative_disable_by_batch_size: the whole step then runs without drafting). */
static int spec_q(const struct sim *m, const struct replica *r)
{
	const struct spec_setup *sp = &m->s->spec;
	if (!m->spec)
		return 1;
	if (sp->disable_batch > 0 && r->ds.n > sp->disable_batch)
		return 1;
	return spec_verify_q(sp);
}

/* ---- one step ---- */

/* Blocks a prefill needs for `tokens` tokens, `computed` of them in the cache before this
 * step: its own, plus (an unforked leader) each sibling's own blocks (fork_own). */
static inline long prefill_blocks(const struct sim *m, const struct seq *q, long tokens,
				  long computed)
{
	return seq_blocks(m, tokens, computed) + q->res_blocks;
}

/* A step of dt seconds in ns (at least 1, so that time moves); -1 when dt is out of range
 * (NaN, negative or past TIME_S_MAX), with err_set. */
static inline int step_ns(double dt, int64_t *ns)
{
	if (secs_to_ns(dt, ns) < 0)
		return -1;
	if (*ns < 1)
		*ns = 1;
	return 0;
}

/* --- pipeline parallelism ---------------------------------------------------------------
 * vLLM V1 with pipeline_parallel_size pp keeps up to pp batches in flight (the engine
 * core's batch queue): a batch holds only requests not already in flight, runs its
 * ceil(L/pp) layers on stage 1, sends its hidden states and residual to stage 2, and so on;
 * the last stage samples. Each engine step here is one round in which every scheduled
 * sequence advances: its sequences split round-robin (decodes, then prefill chunks) into
 * k = min(pp, sequences) micro-batches. In steady state the round takes
 *     T = max( sum_j (f x layers_j + lm_j),             the busiest stage (f = ceil(L/pp)/L)
 *              sum_j cpu_j,                              the CPU schedules every micro-batch
 *              max_j (cpu_j + layers_j + lm_j + send_j) ) one micro-batch through all stages
 * with layers_j the time of all L layers on micro-batch j (cost_step's GEMM, attention,
 * all-reduce and elementwise parts), lm_j its LM head and sampler, cpu_j its step
 * overhead, and send_j its pp - 1 stage-to-stage transfers of 2 x tokens x hidden x 2
 * bytes (hidden states and residual, bf16) split over the tp ranks, each by comm_sendrecv
 * over the network where a boundary crosses nodes (pp_cross of them). Fewer sequences than
 * stages leave stages idle: one sequence takes the whole pipe's latency a token (the
 * bubble). pp 1 is cost_step exactly. */

/* Seconds of the pp - 1 stage-to-stage transfers of `tokens` tokens' activations. */
static double pp_send(const struct cost_ctx *c, const struct sim_setup *s, double tokens)
{
	double bytes = 2.0 * tokens * c->m->hidden * 2.0 / s->tp;
	int cross = s->pp_cross, inside = s->pp - 1 - s->pp_cross;
	double t = 0, x;
	if (cross > 0) {
		x = comm_sendrecv(s->profile, bytes, 2);
		t += x < 0 ? NAN : cross * x;
	}
	if (inside > 0) {
		x = comm_sendrecv(s->profile, bytes, 1);
		t += x < 0 ? NAN : inside * x;
	}
	return t;
}

/* One round of the pipeline: k micro-batches of the step's sequences, the longest of the
 * busiest stage, the CPU, and one micro-batch's trip through all stages with its sends.
 * *busy: the share of the round a stage's GPUs work, averaged over the stages (each
 * micro-batch's layers are spread over pp stages, its LM head on the last; the CPU counts
 * as busy, as in a step without stages); the rest is the bubble, idle power. */
static double pp_period(struct cost_ctx *c, const struct sim_setup *s, const struct step_batch *b,
			struct pp_scratch *sc, double *busy)
{
	int pp = s->pp, seqs = b->n_decode + b->n_prefill, k = seqs < pp ? seqs : pp;
	double L = c->m->n_layers, f = ceil(L / pp) / L, stage = 0, cpu = 0, trip = 0, work = 0;
	double period;
	int ps = b->n_sample - (int)cost_decode_tokens(b); /* prefills that sample */
	*busy = 1;
	if (k < 1)
		return 0;
	if ((size_t)b->n_prefill > sc->cap)
		xgrow((void **)&sc->chunks, &sc->cap, (size_t)b->n_prefill, sizeof(*sc->chunks));
	for (int j = 0; j < k; j++) {
		struct step_batch mb = {.decode_q = b->decode_q, .chunks = sc->chunks};
		struct step_cost part;
		double layers, tokens;
		mb.n_decode = b->n_decode / k + (j < b->n_decode % k);
		/* the unmatched n-gram sequences split as the others do: never more than mb's */
		mb.decode_unmatched = b->decode_unmatched / k + (j < b->decode_unmatched % k);
		mb.decode_ctx = mb.n_decode ? b->decode_ctx * mb.n_decode / b->n_decode : 0;
		for (int i = 0; i < b->n_prefill; i++) {
			struct prefill_chunk ch;
			if ((b->n_decode + i) % k != j)
				continue;
			ch = b->chunks ? b->chunks[i]
				       : (struct prefill_chunk){b->prefill_tokens / b->n_prefill, 0};
			sc->chunks[mb.n_prefill++] = ch;
			mb.prefill_tokens += ch.tokens;
			mb.prefill_pairs += ch.tokens * ch.cached + ch.tokens * (ch.tokens + 1) / 2;
		}
		if (!b->chunks && mb.n_prefill) /* alike chunks: their share of the pairs */
			mb.prefill_pairs = b->prefill_pairs * mb.n_prefill / b->n_prefill;
		mb.n_sample = (int)cost_decode_tokens(&mb) + ps / k + (j < ps % k);
		cost_step(c, &mb, &part);
		layers = part.gemm + part.attn_prefill + part.attn_decode + part.allreduce +
			 part.elementwise;
		tokens = cost_decode_tokens(&mb) + mb.prefill_tokens;
		/* eager (cost_step's host_wait): each stage's host issues its share of the
		 * ops, so a stage waits for its share of the host time; the GPU idles then */
		stage += f * (layers + part.host_wait) + part.lm_head;
		work += layers + part.lm_head;
		cpu += part.cpu;
		if (part.cpu + layers + part.host_wait + part.lm_head + pp_send(c, s, tokens) > trip)
			trip = part.cpu + layers + part.host_wait + part.lm_head +
			       pp_send(c, s, tokens);
	}
	period = fmax(fmax(stage, cpu), trip);
	if (period > 0)
		*busy = fmin(1, (work / pp + cpu) / period);
	return period;
}

/* Seconds of one engine step (with pp > 1: one round of the pipeline); *busy, the share of
 * it the GPUs work (1 without stages). */
static double step_time(struct sim *m, const struct step_batch *b, double *busy)
{
	*busy = 1;
	if (m->s->pp <= 1)
		return cost_step(&m->cost, b, NULL);
	return pp_period(&m->cost, m->s, b, &m->pps, busy);
}

double sim_pp_period(const struct sim_setup *s, const struct step_batch *b, double *busy_share)
{
	struct cost_ctx c;
	struct pp_scratch sc = {0};
	double t, busy;
	if (cost_init_nodes(&c, s->model, s->profile, s->tp, s->tp_nodes > 1 ? s->tp_nodes : 1,
			    s->cuda_graphs) < 0)
		return -1;
	busy = 1;
	t = s->pp > 1 ? pp_period(&c, s, b, &sc, &busy) : cost_step(&c, b, NULL);
	if (busy_share)
		*busy_share = busy;
	free(sc.chunks);
	cost_release(&c);
	return t;
}

/* The KV pool of a single-stage replica. vLLM (kv_free_fraction 0): gpu_memory_utilization
 * of HBM less weights, activations and the reserve (cost_mem_plan). TensorRT-LLM: the share
 * kv_free_fraction of the memory left free "after allocating model weights and buffers"
 * (its KvCacheConfig free_gpu_memory_fraction: models/engines/trtllm-1.yaml), i.e.
 * cost_mem_plan at the utilisation u with u x HBM - used = f x (HBM - used). Its buffers
 * are the forward's activations at max_num_tokens; vLLM's sampler pass over max_num_seqs
 * rows (cost_sampler_peak_bytes: 8.7 GB for Qwen3 at 2048 rows) is vLLM's profile run and
 * is not counted (a single row's). */
static int kv_mem_plan(struct sim *m, const struct sim_setup *s, struct mem_plan *mp)
{
	double f = s->kv_free_fraction, u;
	if (!(f > 0))
		return cost_mem_plan(&m->cost, s->gpu_memory_utilization, s->max_num_batched_tokens,
				     s->max_num_seqs, s->block_size, mp);
	if (cost_mem_plan(&m->cost, 1.0, s->max_num_batched_tokens, 1, s->block_size, mp) < 0)
		return err_prefix("key 'kv_free_fraction': ");
	u = 1.0 - (1.0 - f) * mp->kv / s->profile->hbm_bytes;
	return cost_mem_plan(&m->cost, u, s->max_num_batched_tokens, 1, s->block_size, mp);
}

/* The memory of the busiest stage: ceil(L/pp) layers' weights and KV, and one of the
 * embedding and the LM head (vLLM loads the embedding on the first stage, the head on the
 * last, the tied matrix on both). Replaces mp's weights, KV and block count. */
static int pp_mem_plan(struct sim *m, const struct sim_setup *s, struct mem_plan *mp)
{
	const struct model *md = s->model;
	double L = md->n_layers, f = ceil(L / s->pp) / L;
	double emb = (double)md->vocab * md->hidden / s->tp * 2.0;
	double ends = emb * (md->tied_embeddings ? 1 : 2) + md->hidden * 2.0, budget;
	/* the whole model's plan with no budget bound: its weights, activations, reserve */
	if (cost_mem_plan(&m->cost, 1e9, s->max_num_batched_tokens, s->max_num_seqs,
			  s->block_size, mp) < 0)
		return -1;
	mp->weights = (mp->weights - ends) * f + emb + md->hidden * 2.0;
	budget = s->profile->hbm_bytes * s->gpu_memory_utilization;
	mp->kv = budget - mp->weights - mp->activations - mp->reserved;
	mp->kv_blocks = mp->kv > 0 ? (long)floor(mp->kv / (m->cost.kv_bytes_tok * f *
							    s->block_size *
							    model_kv_block_frac(md))) : 0;
	if (mp->kv_blocks <= 0)
		return err_set("model '%s' does not fit: %.1f GB of weights, %.1f GB of "
			       "activations and the profile's %.1f GB reserve per GPU in the busiest "
			       "of %d stages at tp %d, %.1f GB usable on '%s' "
			       "(gpu_memory_utilization %.2f)", md->id, mp->weights / 1e9,
			       mp->activations / 1e9, mp->reserved / 1e9, s->pp, s->tp, budget / 1e9,
			       s->profile->name, s->gpu_memory_utilization);
	return 0;
}

/* A step of dt seconds that starts at m->now cannot be timed: it is out of range, or would
 * end past TIME_NS_MAX. Record why, naming what is likely wrong, and stop the run. A step
 * of more than an hour is no workload's doing: the profile's rates are in the wrong unit. */
static void time_overflow(struct sim *m, const struct step_batch *b, double dt)
{
	m->failed = 1;
	if (!(dt <= 3600)) {
		struct step_cost sc;
		const char *part[] = {"gemm", "attn_prefill", "attn_decode", "allreduce",
				      "elementwise", "lm_head", "cpu"};
		double t[7];
		int big = 0;
		cost_step(&m->cost, b, &sc);
		t[0] = sc.gemm, t[1] = sc.attn_prefill, t[2] = sc.attn_decode;
		t[3] = sc.allreduce, t[4] = sc.elementwise, t[5] = sc.lm_head, t[6] = sc.cpu;
		for (int i = 1; i < 7; i++)
			if (!(t[i] <= t[big])) /* larger, or NaN */
				big = i;
		err_set("key 'gpu': profile '%s': one step takes %.6g s (%.6g s of it %s), past the "
			"simulated time's limit of %.6g s, about 100 years (expected steps well under "
			"a second: a bandwidth or FLOP/s in the wrong unit, such as TB/s given as "
			"B/s?)", m->s->profile->name, dt, t[big], part[big], TIME_S_MAX);
	} else {
		err_set("key 'requests': the run passes the simulated time's limit of %.6g s "
			"(about 100 years) in a step that starts at %.6g s (expected a shorter "
			"workload: fewer requests or a higher rate)", TIME_S_MAX, (double)m->now / 1e9);
	}
}

/* A quiet stretch: only decodes run, nothing waiting can be admitted, nothing arrives.
 * Then each following step differs from this one only by one more KV token per sequence,
 * until the first sequence finishes or the blocks run out: fold those steps into this
 * one. Every folded step is timed exactly as if it ran alone (same cost, same rounding),
 * so the results are identical; only the events in between are saved. Returns the extra
 * nanoseconds and sets r->step_n. */
static int64_t fold_quiet_steps(struct sim *m, struct replica *r, int64_t c, int64_t t_end)
{
	struct decode_set *ds = &r->ds;
	struct step_batch b = {0};
	int64_t limit, extra = 0, last;
	long need_total = 0;

	if (ds->n == 0 || r->pf_head != NIL || ds->fh.n == 0)
		return 0;
	/* Whatever stopped admission this step (a full batch, too few blocks for the head)
	 * holds while blocks only shrink and nothing leaves; an arrival could change that,
	 * and in a closed loop any event might bring one; with a front end, any event may
	 * admit a request or take the server this stretch streams its tokens through. */
	limit = m->s->loop == SIM_CLOSED || m->fe ? evq_peek_time(&m->q) : m->next_arrival_time;
	if (limit > TIME_NS_MAX) /* a step past it is refused when it runs alone */
		limit = TIME_NS_MAX;
	last = m->seqs[heap_top(&ds->fh)].d.agg.fin; /* the first finish ends the stretch */
	b.n_decode = ds->n;
	b.decode_q = 1;
	b.n_sample = ds->n;
	for (int64_t j = c + 1; j <= last; j++) {
		long need = ds->bucket[modp(-j, m->bs)];
		int64_t dns;
		if (need_total + need > r->free_blocks)
			break;
		double busy;
		b.decode_ctx = ds_ctx(m, r, j);
		if (step_ns(step_time(m, &b, &busy), &dns) < 0 ||
		    dns >= limit - (t_end + extra)) /* t_end + extra < limit: no overflow */
			break;
		r->bubble_ns += busy < 1 ? (int64_t)((double)dns * (1 - busy)) : 0;
		if (m->fe) { /* the stretch's last step so far is no longer its last: stream it */
			fe_stream(m, r, t_end + extra, (double)ds->n, 0);
			r->fe_fold_tokens += ds->n;
		}
		need_total += need;
		extra += dns;
		r->step_n++;
	}
	blocks_take(m, r, need_total);
	if (m->total_blocks - r->free_blocks > m->st->peak_kv_blocks)
		m->st->peak_kv_blocks = m->total_blocks - r->free_blocks;
	return extra;
}

/* A step, in the order of vLLM V1's scheduler: (1) the decode set reserves its blocks
 * (ds_reserve, preempting), (2) running prefills get their next chunks, (3) waiting
 * requests are admitted, (4) the batch is composed, (5) the step starts. Returns the token
 * budget left after each stage. */

/* 2. Running prefills, in admission order. */
static long schedule_prefills(struct sim *m, struct replica *r, long budget)
{
	for (int32_t i = r->pf_head; i != NIL && budget > 0;) {
		struct seq *q = &m->seqs[i];
		long want = q->prefill_len - q->prefill_done, chunk = want < budget ? want : budget;
		long need = prefill_blocks(m, q, q->prefill_done + chunk, q->prefill_done) -
			    q->shared_off -
			    q->blocks;
		while (need > r->free_blocks)
			if (preempt_tail(m, r) == i)
				return budget;
		blocks_take(m, r, need);
		q->blocks += (int32_t)need;
		q->chunk = (int32_t)chunk;
		budget -= chunk;
		i = q->pnext;
	}
	return budget;
}

/* 3. Waiting requests, first come first served; none in a step that preempted (as vLLM
 * V1: admitting while evicting would only thrash). */
static long admit_waiting(struct sim *m, struct replica *r, int ri, long budget)
{
	const struct sim_setup *s = m->s;
	while (!r->preempted_now && budget > 0 && r->n_running < s->max_num_seqs && r->wq_len > 0) {
		int32_t i = wq_front(r);
		struct seq *q = &m->seqs[i];
		long want, chunk, need, cached, commit, own, base, hit;
		if (q->state == ST_DONE) { /* cancelled while waiting */
			wq_pop_front(r);
			continue;
		}
		if (r->n_running + 1 + q->reserved > s->max_num_seqs)
			break;
		/* prefix cache hit: the prompt's full blocks but the last token's (vLLM V1
		 * computes at least one token), also after a preemption (its prompt blocks stay
		 * cached; what it generated is recomputed) */
		cached = 0;
		if (s->prompt_cache) {
			cached = m->reqs[i].prompt < q->prefill_len - 1 ? m->reqs[i].prompt
									 : q->prefill_len - 1;
			cached = cached / m->bs * m->bs;
		}
		/* after a preemption: what is left of its own blocks in the free queue */
		hit = preempted_hit(m, i, cached, &own, &base);
		cached += hit;
		want = q->prefill_len - cached;
		chunk = want <= budget ? want : (s->chunked_prefill ? budget : 0);
		if (chunk == 0)
			break;
		need = prefill_blocks(m, q, cached + chunk, cached);
		if (need - base > r->free_blocks)
			break;
		if (s->no_evict) { /* its whole length must fit beside the running ones' */
			commit = no_evict_blocks(m, s, &m->reqs[i]);
			if (r->committed + commit > m->total_blocks)
				break;
			r->committed += commit;
			q->commit = (int32_t)commit;
		}
		wq_pop_front(r);
		r->queued_blocks -= wait_blocks(m, q);
		blocks_reclaim(m, r, i, own);
		blocks_take(m, r, need - base - own);
		m->st->preempt_hit_tokens += (double)hit;
		q->blocks = (int32_t)(need - base);
		if (base > 0) { /* the prompt's full blocks again, by reference */
			q->shared_off = (int32_t)base;
			m->ps[m->reqs[i].problem].shared_refs++;
		}
		q->reshare = 0;
		q->state = ST_PREFILL;
		q->prefill_done = (int32_t)cached;
		q->chunk = (int32_t)chunk;
		budget -= chunk;
		run_append(m, r, i);
		r->n_running += q->reserved;
		pf_append(m, r, i);
		m->reqs[i].replica = ri;
	}
	return budget;
}

/* 4. The step's composition, from the decode set's aggregates and the prefill chunks. */
static void compose_batch(struct sim *m, struct replica *r, int64_t c, struct step_batch *b)
{
	b->n_decode = r->ds.n;
	b->decode_q = r->q_tok;
	b->decode_unmatched = r->n_unmatched;
	b->decode_ctx = ds_ctx(m, r, c);
	for (int32_t i = r->pf_head; i != NIL; i = m->seqs[i].pnext) {
		const struct seq *q = &m->seqs[i];
		double ch = q->chunk;
		if (q->chunk == 0)
			continue;
		/* each chunk for the cost model, which times chunks that differ one by one */
		if ((size_t)b->n_prefill == m->chunks_cap)
			xgrow((void **)&m->chunks, &m->chunks_cap, (size_t)b->n_prefill + 1,
			      sizeof(*m->chunks));
		m->chunks[b->n_prefill].tokens = ch;
		m->chunks[b->n_prefill].cached = q->prefill_done;
		b->n_prefill++;
		b->prefill_tokens += ch;
		b->prefill_pairs += ch * q->prefill_done + ch * (ch + 1) / 2;
		if (q->prefill_done + q->chunk == q->prefill_len)
			b->n_sample++;
	}
	b->n_sample += (int)ds_tokens(r);
	b->chunks = m->chunks;
}

/* 5. Time the step (and the quiet stretch it may stand for) and schedule its end. */
static void start_step(struct sim *m, int ri, int64_t c, const struct step_batch *b)
{
	struct replica *r = &m->rep[ri];
	double dt, busy;
	int64_t dns;
	if (r->n_running > m->st->max_running)
		m->st->max_running = r->n_running;
	if (m->total_blocks - r->free_blocks > m->st->peak_kv_blocks)
		m->st->peak_kv_blocks = m->total_blocks - r->free_blocks;
	if (m->s->check && ++m->check_tick >= m->s->check) {
		m->check_tick = 0;
		check_invariants(m, ri, (long)(cost_decode_tokens(b) + b->prefill_tokens));
	}
	dt = step_time(m, b, &busy);
	if (r->q_tok > 1) {
		double d = draft_time(m, b);
		dt += d;
		m->st->draft_s += d;
	}
	if (step_ns(dt, &dns) < 0 || dns > TIME_NS_MAX - m->now) {
		time_overflow(m, b, dt);
		return;
	}
	r->step_n = 1;
	r->fe_fold_tokens = 0;
	/* as a folded step counts it, so that folding changes nothing (speculation, whose
	 * drafting dns also holds, is refused with stages: busy is 1 there) */
	r->bubble_ns = busy < 1 ? (int64_t)((double)dns * (1 - busy)) : 0;
	if (m->ds == DS_AGGREGATE && b->n_prefill == 0 && !r->preempted_now)
		dns += fold_quiet_steps(m, r, c, m->now + dns);
	r->busy = 1;
	r->step_c = c;
	r->step_start = m->now;
	m->st->steps += r->step_n;
	m->st->prefill_tokens += b->prefill_tokens;
	evq_push(&m->q, m->now + dns, EV_STEP_END, EV_STEP_END, ri);
}

static void try_step(struct sim *m, int ri)
{
	struct replica *r = &m->rep[ri];
	struct step_batch b = {0};
	int64_t c = r->counter;
	long budget;

	if (r->busy || (r->n_running == 0 && r->wq_len == 0))
		return;
	r->ds.alloc_done = 0;
	r->preempted_now = 0;
	r->q_tok = spec_q(m, r);
	ds_reserve(m, r, c);
	budget = m->s->max_num_batched_tokens - ds_tokens(r);
	budget = schedule_prefills(m, r, budget);
	admit_waiting(m, r, ri, budget);
	r->ds.alloc_done = 0;
	compose_batch(m, r, c, &b);
	if (b.n_decode == 0 && b.n_prefill == 0) {
		/* Nothing fits: only possible if a waiting request can never be admitted. */
		if (r->n_running == 0 && r->wq_len > 0 && m->seqs[wq_front(r)].state != ST_DONE)
			bug("request %d cannot be admitted on an idle replica", wq_front(r));
		return;
	}
	start_step(m, ri, c, &b);
}

/* An unforked leader finished its prefill: the prompt's full blocks become the problem's,
 * and each sibling starts decoding with its own copy of the partial last block. The
 * leader's blocks (its prompt and the copies it reserved) are exactly redistributed. */
static void fork_samples(struct sim *m, struct replica *r, int32_t lead)
{
	struct seq *q = &m->seqs[lead];
	const struct sim_req *rq = &m->reqs[lead];
	const struct sim_problem *pr = &m->probs[rq->problem];
	struct problem_state *ps = &m->ps[rq->problem];
	long prompt = rq->prompt, shared = fork_shared(m, prompt), partial = fork_own(m, prompt);

	/* a sliding group's blocks before the window, held while the prompt was computed,
	 * are freed now */
	if (q->blocks != shared + partial + q->res_blocks &&
	    !(m->kv.n_swa && q->blocks > shared + partial + q->res_blocks))
		bug("leader %d holds %d blocks, expected %ld", lead, q->blocks,
		    shared + partial + q->res_blocks);
	blocks_give(m, r, q->blocks - (shared + partial + q->res_blocks));
	ps->shared_blocks = (int32_t)shared;
	ps->shared_refs = 0;
	r->n_running -= q->reserved;
	q->reserved = 0;
	q->res_blocks = 0;
	q->leader = 0;
	/* Everyone joins first, then some may finish: finishing can cancel siblings. */
	for (int32_t i = pr->first; i < pr->first + pr->n; i++) {
		struct seq *x = &m->seqs[i];
		struct sim_req *xr = &m->reqs[i];
		if (i != lead) {
			if (x->state != ST_UNFORKED)
				continue;
			x->prefill_len = (int32_t)prompt;
			x->prefill_done = (int32_t)prompt;
			x->gen = 1;
			xr->t_first = m->now;
			if (m->fe)
				fe_note(&m->fp.first, &m->fp.n_first, &m->fp.cap_first, i);
			xr->replica = (int32_t)(r - m->rep);
			m->st->output_tokens += 1;
			run_append(m, r, i);
		}
		x->state = ST_FORKING;
		x->shared_off = (int32_t)shared;
		x->blocks = (int32_t)partial;
		ps->shared_refs++;
	}
	for (int32_t i = pr->first; i < pr->first + pr->n; i++) {
		struct seq *x = &m->seqs[i];
		if (x->state != ST_FORKING)
			continue;
		if (x->gen >= m->reqs[i].output) {
			long blocks = x->blocks;
			x->blocks = 0;
			seq_finish(m, r, i, blocks);
		} else {
			ds_join(m, r, i);
		}
	}
}

static void step_end(struct sim *m, int ri)
{
	struct replica *r = &m->rep[ri];
	int64_t c = r->step_c;
	int32_t i;
	if (m->fe)
		fe_step_begin(m);
	r->busy = 0;
	r->busy_ns += m->now - r->step_start - r->bubble_ns; /* at most now: no overflow */
	r->counter = c + r->step_n;
	c += r->step_n - 1; /* the last step it stood for */

	ds_advance(m, r);

	/* Prefill chunks: those that complete their prompt sample a token. Collected first,
	 * since finishing one may cancel others (early stopping). */
	m->n_done_pf = 0;
	for (i = r->pf_head; i != NIL; i = m->seqs[i].pnext) {
		struct seq *q = &m->seqs[i];
		if (q->chunk == 0)
			continue;
		q->prefill_done += q->chunk;
		q->chunk = 0;
		if (q->prefill_done == q->prefill_len) {
			xgrow((void **)&m->done_pf, &m->done_pf_cap, m->n_done_pf + 1, sizeof(int32_t));
			m->done_pf[m->n_done_pf++] = i;
		}
	}
	for (size_t k = 0; k < m->n_done_pf; k++) {
		struct seq *q;
		struct sim_req *rq;
		i = m->done_pf[k];
		q = &m->seqs[i];
		rq = &m->reqs[i];
		if (q->state != ST_PREFILL) /* cancelled by a sibling that just finished */
			continue;
		q->gen++;
		m->st->output_tokens += 1;
		if (rq->t_first < 0) {
			rq->t_first = m->now;
			if (m->fe)
				fe_note(&m->fp.first, &m->fp.n_first, &m->fp.cap_first, i);
		}
		pf_remove(m, r, i);
		if (q->leader) {
			fork_samples(m, r, i);
			continue;
		}
		if (q->gen >= rq->output) {
			long blocks = q->blocks;
			q->blocks = 0;
			seq_finish(m, r, i, blocks);
		} else {
			ds_join(m, r, i);
		}
	}
	/* Decodes that produced their last token. */
	while ((i = ds_pop_finished(m, r, c)) != NIL)
		seq_finish(m, r, i, ds_leave(m, r, i));
	if (m->fe)
		fe_step_end(m, r);
}
/* ---- arrivals and routing ---- */

/* Replica r's KV work for least-KV routing: blocks in use plus blocks queued (engine.h). */
static inline long kv_work(const struct sim *m, const struct replica *r)
{
	return m->total_blocks - r->free_blocks + r->queued_blocks;
}

/* The replica problem p goes to (engine.h, enum route_policy); counts it there. */
static int route(struct sim *m, long p)
{
	const struct sim_problem *pr = &m->probs[p];
	int best = 0;
	long prompt = m->reqs[pr->first].prompt;
	if (m->s->route == ROUTE_ROUND_ROBIN) {
		best = (int)(m->rr++ % m->s->replicas);
	} else if (m->s->route == ROUTE_LEAST_KV) {
		long w = kv_work(m, &m->rep[0]);
		for (int i = 1; i < m->s->replicas; i++) {
			long wi = kv_work(m, &m->rep[i]);
			if (wi < w)
				best = i, w = wi;
		}
	} else {
		for (int i = 1; i < m->s->replicas; i++)
			if (m->rep[i].load < m->rep[best].load)
				best = i;
	}
	m->rep[best].load += pr->n;
	/* what enqueue_problem will queue, wait_blocks each: a forked leader alone, with a
	 * copy of the prompt's partial last block per sibling, or every sample */
	if (pr->share && pr->n > 1)
		m->rep[best].queued_blocks += seq_blocks(m, prompt, 0) +
			(pr->n - 1) * fork_own(m, prompt);
	else
		for (int32_t i = pr->first; i < pr->first + pr->n; i++)
			m->rep[best].queued_blocks += seq_blocks(m, m->reqs[i].prompt, 0);
	return best;
}

/* Problem p, routed to replica ri (its load and blocks already counted), reaches the
 * engine. */
static void enqueue_problem(struct sim *m, long p, int ri)
{
	const struct sim_problem *pr = &m->probs[p];
	struct replica *r = &m->rep[ri];
	int fork = pr->share && pr->n > 1;
	long prompt = m->reqs[pr->first].prompt;
	long partial = fork_own(m, prompt);
	if (pr->arrival < m->first_arrival)
		m->first_arrival = pr->arrival;
	for (int32_t i = pr->first; i < pr->first + pr->n; i++) {
		struct seq *q = &m->seqs[i];
		q->prefill_len = m->reqs[i].prompt;
		q->prefill_done = q->chunk = q->gen = q->blocks = 0;
		q->shared_off = q->reserved = q->res_blocks = 0;
		q->leader = 0;
		m->reqs[i].replica = ri;
		if (fork && i != pr->first) {
			q->state = ST_UNFORKED;
			continue;
		}
		q->state = ST_WAIT;
		if (fork) {
			q->leader = 1;
			q->reserved = pr->n - 1;
			q->res_blocks = (int32_t)((pr->n - 1) * partial);
		}
		wq_push_back(r, i);
	}
	try_step(m, ri);
}

/* Problem p arrives; without a front end the engine sees it now. */
static void dispatch_problem(struct sim *m, long p)
{
	enqueue_problem(m, p, route(m, p));
}

/* With a front end: routed at its arrival, it reaches the engine fe.latency after its
 * replica's server has taken it in (one request for samples sharing a prompt, as vLLM's
 * n > 1, else one per sample). */
static void fe_arrive(struct sim *m, long p)
{
	const struct sim_problem *pr = &m->probs[p];
	int ri = route(m, p);
	struct replica *r = &m->rep[ri];
	int64_t requests = pr->share ? 1 : pr->n;
	m->ps[p].fe_replica = ri;
	r->fe_free = (m->now > r->fe_free ? m->now : r->fe_free) + requests * m->fe_req_ns;
	evq_push(&m->q, r->fe_free + m->fe_lat_ns, EV_FE_ADMIT, EV_FE_ADMIT, p);
}

static int draft_cost_init(struct sim *m, const struct sim_setup *s, double *extra_w);

static int setup_spec(struct sim *m, const struct sim_setup *s, long nr, struct mem_plan *mp)
{
	const struct spec_setup *sp = &s->spec;
	const struct model *dm = NULL;
	double kv_tok, extra_w = 0;
	gsl_rng *seeds;
	if (sp->k < 1 || sp->k > SPEC_MAX_K)
		return err_set("key 'spec_k': expected 1 to %d, got '%d'", SPEC_MAX_K, sp->k);
	/* a full batch verifies k + 1 tokens per sequence (a tree: its verify_tokens), in one
	 * step (as config_check) */
	if ((long)s->max_num_seqs * spec_verify_q(sp) > s->max_num_batched_tokens)
		return err_set("key 'max_num_batched_tokens': %d cannot hold max_num_seqs %d x "
			       "%d verified tokens (expected at least %ld)",
			       s->max_num_batched_tokens, s->max_num_seqs, spec_verify_q(sp),
			       (long)s->max_num_seqs * spec_verify_q(sp));
	m->spec = 1;
	/* a stream per sequence (draw_accepted): the i-th seed of the run's acceptance stream */
	m->accept_rng = gsl_rng_alloc(gsl_rng_taus2);
	if (!m->accept_rng)
		bug("out of memory for a generator");
	if (gsl_rng_size(m->accept_rng) != ACCEPT_STATE)
		bug("gsl_rng_taus2 holds %zu bytes of state, expected %zu",
		    gsl_rng_size(m->accept_rng), ACCEPT_STATE);
	m->accept_live = gsl_rng_state(m->accept_rng);
	m->accept_state = xmalloc((size_t)(nr > 0 ? nr : 1) * ACCEPT_STATE);
	seeds = rng_stream(s->seed, "acceptance");
	for (long i = 0; i < nr; i++) {
		gsl_rng_set(m->accept_rng, gsl_rng_get(seeds));
		memcpy(m->accept_state + (size_t)i * ACCEPT_STATE, m->accept_live, ACCEPT_STATE);
	}
	gsl_rng_free(seeds);
	if (sp->accept_kind == ACCEPT_LENGTH) {
		double sum = 0;
		for (int j = 0; j <= sp->k; j++)
			sum += sp->len_p[j];
		if (!(sum > 0))
			return err_set("key 'spec_acceptance': the accepted-length distribution is empty (expected a positive weight)");
		m->len_dist = gsl_ran_discrete_preproc((size_t)sp->k + 1, sp->len_p);
	}
	if (draft_cost_init(m, s, &extra_w) < 0)
		return -1;
	dm = m->draft_cost.m;
	/* The drafter's weights come out of the KV budget; its KV grows with the target's. */
	kv_tok = m->cost.kv_bytes_tok + (dm ? m->draft_cost.kv_bytes_tok : 0);
	mp->kv -= extra_w;
	/* a hybrid target's groups: the drafter's layers taken as spread over them alike
	 * (vLLM pads the groups to fit them: gpt-oss-20b + EAGLE, 12 sliding + 13 full) */
	mp->kv_blocks = mp->kv > 0 ? (long)(mp->kv / (kv_tok * s->block_size *
						      model_kv_block_frac(s->model))) : 0;
	if (mp->kv_blocks <= 0)
		return err_set("key 'spec_draft': the draft model does not fit beside '%s'",
			       s->model->id);
	return 0;
}

/* The drafter's cost context (none for n-gram: draft_cost.m stays NULL) and the weight
 * bytes it adds on one GPU; 0 or -1 with err_set. */
static int draft_cost_init(struct sim *m, const struct sim_setup *s, double *extra_w)
{
	const struct spec_setup *sp = &s->spec;
	const struct model *dm = NULL;
	*extra_w = 0;
	m->draft_cost.m = NULL;
	if (sp->draft_kind == DRAFT_MODEL) {
		if (!sp->draft)
			bug("draft model missing");
		dm = sp->draft;
	} else if (sp->draft_kind == DRAFT_EAGLE || sp->draft_kind == DRAFT_EAGLE3) {
		/* one decoder layer of the target's shape, fc, and an LM head (models/model.h) */
		int v = sp->draft_kind == DRAFT_EAGLE ? EAGLE_1 : EAGLE_3;
		model_eagle_head(s->model, v, &m->eagle);
		dm = &m->eagle;
		*extra_w = model_eagle_weight_bytes_per_gpu(s->model, v, s->tp);
	} else if (sp->draft_kind == DRAFT_MTP) {
		/* each forward one module: EAGLE-1's shapes; all modules' weights held
		 * (models/drafter.h) */
		if (sp->mtp_layers < 1)
			bug("MTP drafter without modules");
		model_eagle_head(s->model, EAGLE_1, &m->eagle);
		snprintf(m->eagle.id, sizeof(m->eagle.id), "MTP module of %.60s", s->model->id);
		dm = &m->eagle;
		*extra_w = drafter_mtp_weight_bytes_per_gpu(s->model, sp->mtp_layers, s->tp);
	}
	if (dm) {
		if (cost_init_nodes(&m->draft_cost, dm, s->profile, s->tp,
				    s->tp_nodes > 1 ? s->tp_nodes : 1, s->cuda_graphs) < 0)
			return err_prefix("key 'spec_draft': ");
		cost_use_pool(&m->draft_cost, s->memo_pool);
		if (sp->draft_kind == DRAFT_MODEL) /* its own weights, embeddings and KV cache */
			*extra_w = model_weight_bytes_per_gpu(dm, s->tp);
	}
	return 0;
}

double sim_spec_speedup(const struct sim_setup *s, int n, double ctx)
{
	const struct spec_setup *sp = &s->spec;
	struct sim *m = xcalloc(1, sizeof(*m));
	struct step_batch b = {0};
	double extra_w, plain, spec, al = 1, p = 1, w = 0;
	m->s = s;
	if (cost_init_nodes(&m->cost, s->model, s->profile, s->tp, s->tp_nodes > 1 ? s->tp_nodes : 1,
			    s->cuda_graphs) < 0 ||
	    draft_cost_init(m, s, &extra_w) < 0)
		bug("sim_spec_speedup: %s", err_msg());
	/* expected tokens per verification */
	if (sp->accept_kind == ACCEPT_LENGTH) {
		for (int j = 0; j <= sp->k; j++)
			w += sp->len_p[j], al += j * sp->len_p[j];
		al = 1 + (al - 1) / w;
	} else {
		for (int i = 0; i < sp->k; i++)
			al += p *= sp->accept_kind == ACCEPT_IID ? sp->alpha : sp->pos[i];
	}
	/* n-gram: the unmatched share drafts nothing and verifies its one token */
	if (sp->ngram_miss > 0)
		al = 1 + (1 - sp->ngram_miss) * (al - 1);
	b.n_decode = n;
	b.decode_q = 1;
	b.decode_ctx = (double)n * (ctx + 1);
	b.n_sample = n;
	plain = cost_step(&m->cost, &b, NULL);
	b.decode_q = spec_verify_q(sp);
	b.decode_unmatched = (int)lround(n * sp->ngram_miss);
	b.decode_ctx = (double)n * ctx + cost_decode_tokens(&b);
	b.n_sample = (int)cost_decode_tokens(&b);
	spec = cost_step(&m->cost, &b, NULL) + draft_time(m, &b);
	cost_release(&m->cost);
	if (m->draft_cost.m)
		cost_release(&m->draft_cost);
	free(m);
	return al * plain / spec;
}

static int setup(struct sim *m, const struct sim_setup *s, struct sim_problem *probs, long np,
		 struct sim_req *reqs, long nr, struct sim_stats *st)
{
	struct mem_plan mp;
	int64_t total_votes = 0;
	int32_t *slot = NULL; /* scratch: answer number -> counter of the problem at hand */
	memset(m, 0, sizeof(*m));
	m->s = s;
	m->probs = probs;
	m->n_probs = np;
	m->reqs = reqs;
	m->st = st;
	m->bs = s->block_size;
	model_kv_groups(s->model, &m->kv);
	memset(st, 0, sizeof(*st));
	evq_init(&m->q);
	if (s->replicas < 1 || s->max_num_seqs < 1 || s->block_size < 1 ||
	    s->max_num_batched_tokens < s->max_num_seqs)
		return err_set("engine settings out of range");
	if (cost_init_nodes(&m->cost, s->model, s->profile, s->tp, s->tp_nodes > 1 ? s->tp_nodes : 1,
			    s->cuda_graphs) < 0)
		return -1;
	m->cost.async_sched = s->async_sched;
	if (s->flashinfer_sampler)
		m->cost.sampler_bytes = COST_SAMPLER_FLASHINFER_BYTES;
	cost_use_pool(&m->cost, s->memo_pool);
	if (s->no_evict && s->spec.k > 0)
		return err_set("key 'guaranteed_no_evict': with speculative decoding not modelled "
			       "(expected no spec_draft, or guaranteed_no_evict false)");
	for (long p = 0; s->no_evict && p < np; p++)
		if (probs[p].share && probs[p].n > 1)
			return err_set("key 'guaranteed_no_evict': with samples forked from one prompt "
				       "not modelled (expected n 1, or guaranteed_no_evict false)");
	if (s->pp > 1) {
		if (s->kv_free_fraction > 0)
			return err_set("key 'kv_free_fraction': with pipeline parallelism not "
				       "modelled (expected pp 1 or kv_free_fraction 0)");
		if (s->spec.k > 0)
			return err_set("key 'pp': speculative decoding with pipeline parallelism is "
				       "not modelled (expected pp 1 or no spec_draft)");
		if (s->pp > s->model->n_layers)
			return err_set("key 'pp': %d stages for %d layers (expected at most one "
				       "stage a layer)", s->pp, s->model->n_layers);
		if (isnan(pp_send(&m->cost, s, 1)))
			return err_prefix("key 'pp': stage-to-stage send/recv: ");
		if (pp_mem_plan(m, s, &mp) < 0)
			return -1;
	} else if (kv_mem_plan(m, s, &mp) < 0) {
		return -1;
	}
	if (s->spec.k > 0 && setup_spec(m, s, nr, &mp) < 0)
		return -1;
	m->q_tok = m->spec ? spec_verify_q(&s->spec) : 1;
	if (!(s->fe.per_request >= 0 && s->fe.per_request < 1e3) ||
	    !(s->fe.per_output_token >= 0 && s->fe.per_output_token < 1e3) ||
	    !(s->fe.latency >= 0 && s->fe.latency < 1e3) ||
	    !(s->fe.first_token >= 0 && s->fe.first_token < 1e3))
		return err_set("key 'frontend': expected times from 0 to 1000 s, got %g, %g, %g "
			       "and %g", s->fe.per_request, s->fe.per_output_token, s->fe.latency,
			       s->fe.first_token);
	m->fe = s->fe.per_request > 0 || s->fe.per_output_token > 0 || s->fe.latency > 0 ||
		s->fe.first_token > 0;
	m->fe_req_ns = (int64_t)(s->fe.per_request * 1e9 + 0.5);
	m->fe_lat_ns = (int64_t)(s->fe.latency * 1e9 + 0.5);
	m->fe_ft_ns = (int64_t)(s->fe.first_token * 1e9 + 0.5);
	/* a sliding group frees blocks as each sequence passes its window: per sequence, so
	 * walked (the aggregate set counts one block table a sequence) */
	m->ds = m->spec || s->reference || m->kv.n_swa || m->kv.n_full != 1 ? DS_WALK
									  : DS_AGGREGATE;
	m->total_blocks = mp.kv_blocks;
	st->kv_blocks = mp.kv_blocks;
	st->kv_bytes = mp.kv;
	st->weight_bytes = mp.weights;
	for (long i = 0; i < nr; i++) {
		long tokens = (long)reqs[i].prompt + reqs[i].output + (m->spec ? spec_verify_q(&s->spec) : 0);
		/* unchunked, a prefill runs in one step, and a preempted sequence recomputes its
		 * prompt and output so far in one (as vLLM, which then requires
		 * max_num_batched_tokens >= max_model_len); under guaranteed_no_evict nothing
		 * is preempted, so the prompt alone must fit */
		if (!s->chunked_prefill &&
		    (s->no_evict ? (long)reqs[i].prompt
				 : (long)reqs[i].prompt + reqs[i].output - 1) > s->max_num_batched_tokens)
			return err_set("key 'max_num_batched_tokens': %d cannot hold request %ld whole "
				       "(%ld tokens: its prompt%s) with chunked_prefill off (expected "
				       "at least %ld, or chunked prefill on)",
				       s->max_num_batched_tokens, i,
				       s->no_evict ? (long)reqs[i].prompt
						   : (long)reqs[i].prompt + reqs[i].output - 1,
				       s->no_evict ? "" : " and, after a preemption, its output",
				       s->no_evict ? (long)reqs[i].prompt
						   : (long)reqs[i].prompt + reqs[i].output - 1);
		if (reqs[i].prompt < 1 || reqs[i].output < 1)
			return err_set("request %ld: an empty prompt or output (expected at least one token each)", i);
		if ((long)reqs[i].prompt + reqs[i].output > s->model->max_len)
			return err_set("request %ld: %ld tokens exceed the model's max length %d", i,
				       (long)reqs[i].prompt + reqs[i].output, s->model->max_len);
		if (s->no_evict && no_evict_blocks(m, s, &reqs[i]) > m->total_blocks)
			return err_set("request %ld: its prompt and the output it may reach need %ld "
				       "KV blocks to be admitted with guaranteed_no_evict, the cache "
				       "holds %ld", i, no_evict_blocks(m, s, &reqs[i]),
				       m->total_blocks);
		if (kv_seq_blocks_max(&m->kv, m->bs, tokens, s->max_num_batched_tokens) >
		    m->total_blocks)
			return err_set("request %ld: %ld tokens need %ld KV blocks, the cache holds "
				       "%ld (raise gpu_memory_utilization or tp)",
				       i, tokens,
				       kv_seq_blocks_max(&m->kv, m->bs, tokens,
							 s->max_num_batched_tokens),
				       m->total_blocks);
	}
	for (long p = 0; p < np; p++) {
		const struct sim_problem *pr = &probs[p];
		if (pr->first < 0 || pr->n < 1 || (long)pr->first + pr->n > nr)
			return err_set("problem %ld: bad request range", p);
		if (s->loop == SIM_OPEN && (pr->arrival < 0 || pr->arrival > TIME_NS_MAX))
			return err_set("problem %ld: arrival at %lld ns is out of range (expected 0 to "
				       "%lld ns, about 100 years)", p, (long long)pr->arrival,
				       (long long)TIME_NS_MAX);
		if (s->loop == SIM_OPEN && p > 0 && pr->arrival < probs[p - 1].arrival)
			return err_set("problem %ld: arrivals are not sorted", p);
		if (pr->share && pr->n > 1) {
			long prompt = reqs[pr->first].prompt;
			for (int32_t i = pr->first; i < pr->first + pr->n; i++)
				if (reqs[i].prompt != prompt)
					return err_set("problem %ld: samples sharing a prompt differ in "
						       "prompt length", p);
			if (pr->n > s->max_num_seqs)
				return err_set("key 'samples': %d samples of one problem exceed "
					       "max_num_seqs %d", pr->n, s->max_num_seqs);
			if (seq_blocks(m, prompt, 0) + (long)pr->n * 2 * (m->kv.n_full + m->kv.n_swa) +
			    (m->kv.n_swa ? (pr->n - 1) * fork_own(m, prompt) : 0) > m->total_blocks)
				return err_set("problem %ld: %d samples do not fit in the KV cache", p, pr->n);
		}
	}
	m->seqs = xcalloc((size_t)nr, sizeof(*m->seqs));
	m->ps = xcalloc((size_t)np, sizeof(*m->ps));
	for (long i = 0; i < nr; i++)
		m->seqs[i].vote = NIL;
	/* Early stopping counts a problem's votes per distinct answer among its samples, not
	 * per answer number: numbers go up to 32767 per problem, and a counter for each would
	 * take 70,000 problems past 2^31 counters. The counters' order does not matter (the
	 * check compares the two largest). */
	for (long p = 0; p < np; p++) {
		int32_t k = 0;
		if (probs[p].early_stop) {
			if (!slot)
				slot = xmalloc(((size_t)INT16_MAX + 1) * sizeof(*slot));
			for (int32_t i = probs[p].first; i < probs[p].first + probs[p].n; i++)
				if (reqs[i].answer >= 0)
					slot[reqs[i].answer] = NIL;
			for (int32_t i = probs[p].first; i < probs[p].first + probs[p].n; i++) {
				int16_t a = reqs[i].answer;
				if (a < 0)
					continue;
				if (slot[a] == NIL)
					slot[a] = k++;
				m->seqs[i].vote = slot[a];
			}
		}
		m->ps[p].votes_off = total_votes;
		m->ps[p].n_answers = k;
		m->ps[p].leader = NIL;
		total_votes += k;
		probs[p].t_done = -1;
	}
	free(slot);
	m->votes = xcalloc((size_t)total_votes + 1, sizeof(*m->votes));
	for (long i = 0; i < nr; i++) {
		m->seqs[i].prev = m->seqs[i].next = NIL;
		m->seqs[i].kvseg = NIL;
		m->seqs[i].state = ST_DONE;
		reqs[i].t_first = reqs[i].t_done = -1;
		reqs[i].generated = reqs[i].preemptions = 0;
		reqs[i].cancelled = 0;
		reqs[i].replica = -1;
	}
	m->seg_free = NIL;
	m->rep = xcalloc((size_t)s->replicas, sizeof(*m->rep));
	for (int i = 0; i < s->replicas; i++) {
		struct replica *r = &m->rep[i];
		r->fq_head = r->fq_tail = NIL;
		blocks_give(m, r, m->total_blocks);
		r->q_tok = 1;
		r->run_head = r->run_tail = r->pf_head = r->pf_tail = NIL;
		if (m->ds == DS_AGGREGATE)
			r->ds.bucket = xcalloc((size_t)m->bs, sizeof(*r->ds.bucket));
	}
	m->problems_left = np;
	m->first_arrival = INT64_MAX;
	m->next_arrival_time = INT64_MAX;
	return 0;
}

static void teardown(struct sim *m)
{
	for (int i = 0; m->rep && i < m->s->replicas; i++) {
		free(m->rep[i].wq);
		free(m->rep[i].ds.bucket);
		heap_release(&m->rep[i].ds.fh);
	}
	free(m->rep);
	free(m->seg);
	free(m->seqs);
	free(m->ps);
	free(m->votes);
	free(m->done_pf);
	free(m->chunks);
	free(m->pps.chunks);
	free(m->walk);
	free(m->fin);
	free(m->fp.first);
	free(m->fp.last);
	free(m->fp.probs);
	if (m->accept_rng)
		gsl_rng_free(m->accept_rng);
	free(m->accept_state);
	if (m->len_dist)
		gsl_ran_discrete_free(m->len_dist);
	evq_release(&m->q);
	cost_release(&m->cost);
	cost_release(&m->draft_cost);
}

int sim_run(const struct sim_setup *s, struct sim_problem *probs, long n_probs,
	    struct sim_req *reqs, long n_reqs, struct sim_stats *out)
{
	struct sim m;
	struct event ev;

	if (setup(&m, s, probs, n_probs, reqs, n_reqs, out) < 0) {
		teardown(&m);
		return -1;
	}
	if (s->loop == SIM_CLOSED) {
		long c = s->concurrency < n_probs ? s->concurrency : n_probs;
		for (m.next_arrival = 0; m.next_arrival < c; m.next_arrival++) {
			probs[m.next_arrival].arrival = 0;
			evq_push(&m.q, 0, EV_ARRIVAL, EV_ARRIVAL, m.next_arrival);
		}
	} else if (n_probs > 0) {
		evq_push(&m.q, probs[0].arrival, EV_ARRIVAL, EV_ARRIVAL, 0);
		m.next_arrival = 1;
		m.next_arrival_time = probs[0].arrival;
	}
	for (unsigned long n_ev = 0; evq_pop(&m.q, &ev); n_ev++) {
		if (s->stop && n_ev % SIM_STOP_EVERY == 0 && *s->stop) {
			teardown(&m);
			return err_set("interrupted");
		}
		m.now = ev.time;
		if (ev.type == EV_STEP_END) {
			step_end(&m, (int)ev.arg);
			try_step(&m, (int)ev.arg);
		} else if (ev.type == EV_FE_ADMIT) {
			enqueue_problem(&m, (long)ev.arg, m.ps[ev.arg].fe_replica);
		} else {
			if (s->loop == SIM_OPEN && ev.arg + 1 == m.next_arrival) {
				/* schedule the next arrival before dispatching, so that a step
				 * scheduled now knows when the queue can next change */
				m.next_arrival_time = INT64_MAX;
				if (m.next_arrival < n_probs) {
					evq_push(&m.q, probs[m.next_arrival].arrival, EV_ARRIVAL,
						 EV_ARRIVAL, m.next_arrival);
					m.next_arrival_time = probs[m.next_arrival].arrival;
					m.next_arrival++;
				}
			}
			if (m.fe)
				fe_arrive(&m, (long)ev.arg);
			else
				dispatch_problem(&m, (long)ev.arg);
		}
		if (m.failed) {
			teardown(&m);
			return -1;
		}
	}
	if (m.problems_left != 0)
		bug("%ld problems never finished", m.problems_left);
	for (int i = 0; s->check && i < s->replicas; i++)
		if (m.rep[i].free_blocks != m.total_blocks || m.rep[i].n_running != 0 ||
		    m.rep[i].queued_blocks != 0)
			bug("replica %d ends with %ld of %ld blocks free, %d running, %ld queued", i,
			    m.rep[i].free_blocks, m.total_blocks, m.rep[i].n_running,
			    m.rep[i].queued_blocks);
	out->makespan = n_probs ? m.last_done - m.first_arrival : 0;
	/* summed once at the end, so that both engines refuse alike: each replica's time is
	 * at most 100 years, but thousands of replicas' sum can pass int64 */
	for (int i = 0; i < s->replicas; i++) {
		if (m.rep[i].busy_ns > INT64_MAX - out->busy_ns_total) {
			teardown(&m);
			return err_set("key 'replicas': %d replicas were busy for more than %.6g s in "
				       "total (expected a shorter workload or fewer replicas)",
				       s->replicas, (double)INT64_MAX / 1e9);
		}
		out->busy_ns_total += m.rep[i].busy_ns;
	}
	teardown(&m);
	return 0;
}
