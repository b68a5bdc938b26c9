/* fuzz_engine.c: the engine itself, on configurations and generated workloads that the input
 * bytes pick, with the scheduler's invariant checker on (sim_setup.check), and, where the
 * run is small, the reference engine beside it, byte for byte (as tests/test_differential.c).
 *
 * Input: a header of FE_HEADER bytes picks the configuration (model, tp, replicas, routing,
 * block size, batch limits, KV cache from one request's worth to roomy, samples, forking,
 * early stopping, speculation, arrival mode, a profile scaled up to absurd units; after the
 * workload: the API server's terms, n-gram no-match, the prefix cache) and the
 * workload's shape (problems up to 4000, prompt and output lengths, answers up to 32767);
 * the bytes after it give each problem's lengths, answers and arrival gap while they last,
 * then a stream seeded by a hash of the whole input goes on. So a few bytes describe a large
 * workload, and the fuzzer still steers each problem it reaches.
 *
 * A finding: a crash or sanitizer report, bug() (an invariant broken: abort), a run whose
 * results contradict themselves (check_results: abort), or engines that disagree. A refusal
 * (sim_run -1 with err_set) is an answer, not a finding.
 */
#include <math.h>

#include "lib/util.h"
#include "models/cost.h"
#include "models/model.h"
#include "sim/engine.h"
#include "tests/engine_fixture.h"
#include "tests/fuzz/fuzz.h"

#define FE_HEADER 20
#define FE_MAX_PROBS 4000
#define FE_MAX_SEQS 20000
#define FE_MAX_TOKENS 400000L /* prompt + output over all sequences: bounds the run's time */
#define FE_REF_SEQS 400       /* compare with the reference engine up to this many sequences */
#define FE_REF_TOKENS 60000L  /* ... and tokens */

struct bytes {
	const uint8_t *p;
	size_t n, i;
	uint64_t s; /* splitmix64 state once the bytes are used up */
};

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The next byte of the input, then of the stream. */
static unsigned byte(struct bytes *b)
{
	return b->i < b->n ? b->p[b->i++] : (unsigned)(mix(&b->s) & 0xff);
}

/* lo..hi, from two bytes */
static long pick(struct bytes *b, long lo, long hi)
{
	unsigned v = byte(b) << 8;
	v |= byte(b);
	return lo + (long)(v % (unsigned long)(hi - lo + 1));
}

/* A length of 1..max tokens, mostly short, sometimes long (log-uniform). */
static int length(struct bytes *b, int max)
{
	int bits = (int)(byte(b) % 15);
	long v = 1 + pick(b, 0, (1L << bits) - 1);
	return v > max ? max : (int)v;
}

static void fail(const char *what, long i)
{
	fprintf(stderr, "fuzz_engine: %s (%ld)\n", what, i);
	abort();
}

/* What any successful run must satisfy, whatever the configuration. */
static void check_results(const struct sim_setup *s, const struct sim_problem *P, long np,
			  const struct sim_req *R, long nr, const struct sim_stats *st)
{
	int64_t first = INT64_MAX, last = INT64_MIN;
	double generated = 0;
	for (long p = 0; p < np; p++) {
		int64_t done = INT64_MIN;
		for (long i = P[p].first; i < P[p].first + P[p].n; i++) {
			const struct sim_req *q = &R[i];
			if (q->t_done < P[p].arrival || q->t_done > TIME_NS_MAX)
				fail("request ends before its arrival or past the time limit", i);
			if (!q->cancelled && (q->generated != q->output || q->t_first < P[p].arrival ||
					      q->t_first > q->t_done))
				fail("finished request with wrong count or times", i);
			if (q->cancelled && (q->generated > q->output || !P[p].early_stop))
				fail("cancelled request overran or had no early stop", i);
			if (q->replica < 0 || q->replica >= s->replicas || q->preemptions < 0)
				fail("request replica or preemptions out of range", i);
			if (q->t_done > done)
				done = q->t_done;
			generated += q->generated;
		}
		if (P[p].t_done != done)
			fail("problem done at another time than its last sequence", p);
		if (P[p].arrival < first)
			first = P[p].arrival;
		if (done > last)
			last = done;
	}
	if (st->makespan != last - first || st->makespan < 0)
		fail("makespan is not last done - first arrival", (long)st->makespan);
	if (st->busy_ns_total < 0 || (double)st->busy_ns_total > (double)st->makespan * s->replicas)
		fail("busy time out of range", (long)st->busy_ns_total);
	if (st->output_tokens < generated)
		fail("fewer output tokens than generated", (long)st->output_tokens);
	if (st->steps < 1 || st->peak_kv_blocks > st->kv_blocks || st->max_running > s->max_num_seqs)
		fail("steps, peak blocks or batch out of range", st->steps);
	(void)nr;
}

static int same(const struct sim_problem *P0, const struct sim_problem *P1, long np,
		const struct sim_req *R0, const struct sim_req *R1, long nr,
		const struct sim_stats *a, const struct sim_stats *b)
{
	for (long p = 0; p < np; p++)
		if (P0[p].t_done != P1[p].t_done || P0[p].arrival != P1[p].arrival)
			return 0;
	for (long i = 0; i < nr; i++)
		if (R0[i].t_first != R1[i].t_first || R0[i].t_done != R1[i].t_done ||
		    R0[i].generated != R1[i].generated || R0[i].preemptions != R1[i].preemptions ||
		    R0[i].replica != R1[i].replica || R0[i].cancelled != R1[i].cancelled)
			return 0;
	return a->makespan == b->makespan && a->busy_ns_total == b->busy_ns_total &&
	       a->steps == b->steps && a->preemptions == b->preemptions &&
	       a->output_tokens == b->output_tokens && a->prefill_tokens == b->prefill_tokens &&
	       a->max_running == b->max_running && a->peak_kv_blocks == b->peak_kv_blocks &&
	       a->spec_drafted == b->spec_drafted && a->spec_accepted == b->spec_accepted &&
	       a->draft_s == b->draft_s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"r1-qwen-1.5b", "r1-qwen-7b", "qwen2.5-3b-instruct",
					    "llama-3.1-8b-instruct"};
	static const int bss[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
	static struct model models[4];
	static int loaded;
	struct bytes b = {data, size, 0, 0x5eedULL};
	struct profile prof = fixture_profile();
	struct sim_setup s;
	struct sim_stats st, st_ref;
	struct sim_problem *P = NULL, *P1 = NULL;
	struct sim_req *R = NULL, *R1 = NULL;
	const struct model *m;
	long np, nr = 0, tokens = 0, blocks, t = 0, filled = 0;
	int samples, share, early, loop, arrival, max_prompt, max_out, answers, max_need = 0, k;
	unsigned u;

	if (size > FUZZ_MAX_INPUT || size < FE_HEADER)
		return 0;
	if (!loaded) {
		for (int i = 0; i < 4; i++)
			if (model_find(&models[i], names[i]) < 0)
				fail("model_find", i);
		loaded = 1;
	}
	for (size_t i = 0; i < size; i++) /* FNV-1a: the stream after the bytes */
		b.s = (b.s ^ data[i]) * 0x100000001b3ULL;

	m = &models[byte(&b) % 4];
	s = fixture_setup(m, &prof);
	s.check = 1;
	s.seed = byte(&b);
	s.tp = 1 << (byte(&b) % 3);
	s.replicas = 1 + (int)(byte(&b) % 8);
	u = byte(&b);
	s.route = u & 1;
	s.cuda_graphs = (u >> 1) & 1;
	s.chunked_prefill = (u >> 2) % 4 != 0;
	loop = (u >> 4) % 4; /* 0 offline, 1 open with gaps, 2 open in bursts, 3 closed */
	s.loop = loop == 3 ? SIM_CLOSED : SIM_OPEN;
	s.block_size = bss[byte(&b) % 9];
	s.max_num_seqs = (int)pick(&b, 1, 512);
	s.concurrency = (int)pick(&b, 1, 600);
	u = byte(&b);
	samples = u < 128 ? 1 : u < 240 ? 1 + (int)(u % 8) : 1 + (int)(u % 64);
	share = byte(&b) & 1;
	early = byte(&b) & 1;
	u = byte(&b);
	k = u < 200 ? 0 : 1 + (int)(u % 8);
	if (k) {
		static const int kinds[] = {DRAFT_NGRAM, DRAFT_EAGLE, DRAFT_MODEL};
		s.spec.k = k;
		s.spec.draft_kind = kinds[byte(&b) % 3];
		s.spec.draft = s.spec.draft_kind == DRAFT_MODEL ? &models[0] : NULL;
		s.spec.accept_kind = (int)(byte(&b) % 3);
		s.spec.alpha = byte(&b) / 255.0;
		s.spec.ngram_s_per_seq = 5e-6;
		for (int j = 0; j < SPEC_MAX_K; j++)
			s.spec.pos[j] = (j * 37 + k * 11) % 100 / 100.0;
		for (int j = 0; j <= k; j++)
			s.spec.len_p[j] = 1 + (j * 13 + k) % 7;
	}
	/* mostly a real profile; sometimes every rate scaled down to absurd units (a TB/s
	 * bandwidth given in B/s divides by 10^12): the time limit must hold */
	u = byte(&b);
	if (u >= 232) {
		double f = pow(10, -(double)(u - 232) / 2);
		prof.hbm_bw *= f, prof.attn_decode.bw *= f, prof.ew_bw *= f;
		prof.gemm_bf16.peak *= f, prof.attn_prefill.rate *= f;
	}
	np = length(&b, FE_MAX_PROBS); /* log-uniform: most runs small, some thousands */
	max_prompt = 1 << (byte(&b) % 14);
	max_out = 1 << (byte(&b) % 15);
	arrival = byte(&b) % 4; /* gap scale: ns, us, ms, up to years */
	answers = byte(&b) % 3; /* small numbers, up to 32767, none */
	if (np * samples > FE_MAX_SEQS)
		np = FE_MAX_SEQS / samples;
	if (share && samples > s.max_num_seqs)
		s.max_num_seqs = samples;

	P = xcalloc((size_t)np, sizeof(*P));
	R = xcalloc((size_t)np * samples, sizeof(*R));
	for (long p = 0; p < np && tokens < FE_MAX_TOKENS; p++) {
		int prompt = length(&b, max_prompt);
		P[p].first = (int32_t)nr;
		P[p].n = samples;
		P[p].share = (uint8_t)share;
		P[p].early_stop = (uint8_t)early;
		if (s.loop == SIM_OPEN && loop != 0) {
			static const double scale[] = {1, 1e3, 1e7, 1e16};
			long gap = loop == 2 && byte(&b) < 200 ? 0 : (long)(byte(&b) * scale[arrival]);
			t = gap > TIME_NS_MAX - t ? TIME_NS_MAX : t + gap;
			P[p].arrival = t;
		}
		for (int j = 0; j < samples; j++) {
			struct sim_req *q = &R[nr++];
			u = byte(&b);
			q->problem = (int32_t)p;
			q->prompt = prompt;
			q->output = length(&b, max_out);
			q->answer = (int16_t)(answers == 2 ? -1 : answers == 0 ? (int)(u % 5) - 1
						 : u < 64 ? -1 : u < 128 ? 0 : INT16_MAX - (int)(u % 4));
			tokens += (long)q->prompt + q->output;
			if (q->prompt + q->output > max_need)
				max_need = q->prompt + q->output;
		}
		filled = p + 1;
	}
	np = filled;
	/* the invariant checker walks every sequence: every step up to 1,000 sequences, then
	 * every (1 + n / 1,000)-th step, so that a run of 20,000 sequences over 40,000 steps
	 * stays within the fuzzer's time per input (a broken count persists, so a later check
	 * still sees it; a per-step limit is checked on the steps that are checked) */
	s.check = 1 + (int)(nr / 1000);
	/* token budget: tight or roomy; whole requests when unchunked, k + 1 per sequence */
	u = byte(&b);
	s.max_num_batched_tokens = u < 128 ? s.max_num_seqs + (int)(u % 64) * 8 : 512 << (u % 5);
	if (s.max_num_batched_tokens < s.max_num_seqs * (k + 1))
		s.max_num_batched_tokens = s.max_num_seqs * (k + 1);
	if (!s.chunked_prefill && byte(&b) < 200 && s.max_num_batched_tokens < max_need)
		s.max_num_batched_tokens = max_need;
	/* KV cache: from one request's worth (constant preemption) to roomy */
	{
		long one = (max_need + k + 1 + s.block_size - 1) / s.block_size;
		long fork = share ? (max_prompt + s.block_size - 1) / s.block_size + 2L * samples : 0;
		long lo = one > fork ? one : fork;
		u = byte(&b);
		blocks = u < 64 ? lo : u < 192 ? lo + (long)(u % 16) * lo / 4 : lo + 100000;
	}
	/* after every other pick, so that the corpus keeps its configurations: the API
	 * server in front (per request, per streamed token, a latency, at the first token),
	 * n-gram lookups that find no match, prompts in the prefix cache */
	u = byte(&b);
	if (u & 1) {
		s.fe.per_request = (double)(byte(&b) % 21) * 1e-3;
		s.fe.per_output_token = (double)(byte(&b) % 21) * 1e-4;
		s.fe.latency = (double)(byte(&b) % 11) * 2e-3;
		s.fe.first_token = (double)(byte(&b) % 31) * 1e-3;
	}
	if (k && s.spec.draft_kind == DRAFT_NGRAM && (u & 2))
		s.spec.ngram_miss = (double)(byte(&b) % 11) / 10.0;
	s.prompt_cache = (u & 12) == 12;
	if (fixture_size_kv(&prof, &s, (double)blocks) == 0) {
		int rc;
		int ref = nr <= FE_REF_SEQS && tokens <= FE_REF_TOKENS;
		if (ref) {
			P1 = xmalloc((size_t)np * sizeof(*P1));
			R1 = xmalloc((size_t)nr * sizeof(*R1));
			memcpy(P1, P, (size_t)np * sizeof(*P1));
			memcpy(R1, R, (size_t)nr * sizeof(*R1));
		}
		rc = sim_run(&s, P, np, R, nr, &st);
		if (getenv("FUZZ_ENGINE_VERBOSE"))
			fprintf(stderr, "fuzz_engine: %s tp %d replicas %d route %d graphs %d chunked "
				"%d bs %d seqs %d tokens %d blocks %ld loop %d conc %d spec %d problems "
				"%ld x %d share %d early %d, %ld tokens: %s%s (%ld steps, %ld preemptions)\n",
				m->id, s.tp, s.replicas, s.route, s.cuda_graphs, s.chunked_prefill,
				s.block_size, s.max_num_seqs, s.max_num_batched_tokens, blocks, loop,
				s.concurrency, k, np, samples, share, early, tokens,
				rc ? "refused: " : "ran", rc ? err_msg() : "", rc ? 0 : st.steps,
				rc ? 0 : st.preemptions);
		if (rc == 0)
			check_results(&s, P, np, R, nr, &st);
		if (ref) {
			char err[1024];
			snprintf(err, sizeof(err), "%s", rc < 0 ? err_msg() : "");
			s.reference = 1;
			if (sim_run(&s, P1, np, R1, nr, &st_ref) != rc ||
			    (rc < 0 && strcmp(err, err_msg()) != 0) ||
			    (rc == 0 && !same(P, P1, np, R, R1, nr, &st, &st_ref))) {
				fprintf(stderr, "fast: %s\n", err);
				fprintf(stderr, "reference: %s\n", rc < 0 ? err_msg() : "");
				fail("the fast and the reference engine disagree", nr);
			}
		}
	}
	free(P);
	free(R);
	free(P1);
	free(R1);
	return 0;
}
