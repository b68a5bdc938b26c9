#!/usr/bin/env python3
"""early_diag.py: what drives the length of a majority vote with early stopping, from the
real per-sample traces alone (traces/math500/<alias>.jsonl; the diagnostics of
traces/README.md, "gpt-oss-20b's early-stopped length"). Not part of any result.

  python3 traces/early_diag.py [ALIAS] [--twin FILE]   (default gpt-oss-20b; about ten seconds)

FILE: the model's cross-validation twin, `ttsim trace crossval --write-twins DIR` (DIR/ALIAS_twin.jsonl).

1. The target's noise: early-stopped tokens per problem of the first N recorded samples
   against the mean over the S / gcd(S, N) cyclic windows (vote_early_tokens) and the spread
   of the disjoint windows, for every real trace.
2. Tail: samples over 3x their problem's median, their share of the tokens, and the
   kurtosis of log length around each problem's mean.
3. For ALIAS: its own samples' correctness and answers with synthetic lengths, per problem
   exp(shift + level + sd z), z ~ N(0, 1), shift bisected to its mean tokens, against its
   real early-stopped tokens (all windows), N = 4, 16, 64.
4. With --twin: the twin against the real trace on the problems the real model solves 80, 72-79
   and fewer than 72 times of 80: early-stopped tokens per problem (N = 4, 64) and their ratio
   to N x the mean length, mean and geometric-mean length, within-problem s.d. of log length.
The vote and the early stop are tts.c's (ties to the first answer seen; an answerless
sample votes for nothing; samples finish in order of length, the rest cancelled at the
length of the last one)."""
import json, math, random, statistics as st, sys, os

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = ["qwen3-14b", "qwen3-30b-a3b-thinking-2507", "gpt-oss-20b", "metastone-s1-32b",
        "exaone-deep-32b", "phi-4-reasoning", "nemotron-nano-9b-v2"]


def load(alias):
    out = []
    path = alias if alias.endswith(".jsonl") else os.path.join(HERE, "math500", alias + ".jsonl")
    with open(path) as f:
        f.readline()
        for line in f:
            o = json.loads(line)
            if "samples" in o:
                out.append([(s["output_tokens"], s.get("answer", -1)) for s in o["samples"]])
            else:
                out.append(list(zip(o["output_tokens"], o["answers"])))
    return out


def majority(done):
    cnt, order = {}, []
    for a in done:
        if a < 0:
            continue
        if a not in cnt:
            cnt[a] = 0
            order.append(a)
        cnt[a] += 1
    if not cnt:
        return -1
    top = max(cnt.values())
    return next(a for a in order if cnt[a] == top)


def early(samples):
    n = len(samples)
    s = sorted(samples, key=lambda x: x[0])
    tot, done = 0, []
    for k, (t, a) in enumerate(s):
        tot += t
        done.append(a)
        rem = n - k - 1
        lead = majority(done)
        c1 = done.count(lead)
        c2 = max([done.count(x) for x in set(done) if x >= 0 and x != lead] or [0])
        if (lead >= 0 and c1 > c2 + rem) or rem == 0:
            return tot + rem * t


def windows(p, n):
    S = len(p)
    return [[p[(g * n + j) % S] for j in range(n)] for g in range(S // math.gcd(S, n))]


def est(P, n):
    return sum(st.mean(early(w) for w in windows(p, n)) for p in P) / len(P)


def main():
    args = sys.argv[1:]
    twin = None
    if "--twin" in args:
        k = args.index("--twin")
        twin = args[k + 1]
        del args[k:k + 2]
    alias = args[0] if args else "gpt-oss-20b"
    print("1. early-stopped tokens per problem: first N samples / mean of all windows (disjoint windows' s.d.)")
    print("2. samples over 3x their problem's median, their share of tokens; kurtosis of log length within problems")
    for a in REAL:
        P = load(a)
        row = "%-28s" % a
        for n in (4, 16):
            g = [sum(early(p[k * n:(k + 1) * n]) for p in P) / len(P) for k in range(len(P[0]) // n)]
            row += "  N=%-2d %6.0f / %6.0f (%+5.1f%%, s.d. %4.1f%%)" % (n, g[0], st.mean(g), 100 * (g[0] / st.mean(g) - 1),
                                                                     100 * st.stdev(g) / st.mean(g))
        tot = tail = ntail = 0
        dev = []
        for p in P:
            med = st.median(t for t, _ in p)
            lg = [math.log(max(t, 1)) for t, _ in p]
            m = st.mean(lg)
            dev += [x - m for x in lg]
            for t, _ in p:
                tot += t
                if t > 3 * med:
                    tail += t
                    ntail += 1
        v = st.mean(x * x for x in dev)
        row += "  tail %4d %4.1f%%  kurtosis %5.1f" % (ntail, 100 * tail / tot, st.mean(x ** 4 for x in dev) / v / v)
        print(row, flush=True)

    P = load(alias)
    S = len(P[0])
    mean_tok = sum(t for p in P for t, _ in p) / (len(P) * S)
    real = {n: est(P, n) for n in (4, 16, 64)}
    rnd = random.Random(3)
    Z = [[rnd.gauss(0, 1) for _ in range(S)] for _ in P]
    lv = [st.mean(math.log(max(t, 1)) for t, _ in p) for p in P]
    sds = [st.pstdev([math.log(max(t, 1)) for t, _ in p]) for p in P]
    pooled = math.sqrt(st.mean(s * s for s in sds))
    print("3. %s: its correctness and answers, lengths exp(shift + its own problem level + sd z), mean tokens held; "
          "error of the early-stopped tokens against its real ones" % alias)
    for label, sd in (("sd 0.292 (the fit's sigma_w)", [0.292] * len(P)),
                      ("sd %.3f (its own, pooled)" % pooled, [pooled] * len(P)),
                      ("sd of each problem (its own)", sds)):
        def build(shift):
            return [[(max(1, round(math.exp(shift + lv[i] + sd[i] * Z[i][j]))), a) for j, (_, a) in enumerate(p)]
                    for i, p in enumerate(P)]
        lo, hi = -3.0, 3.0
        for _ in range(40):
            mid = (lo + hi) / 2
            Q = build(mid)
            if sum(t for q in Q for t, _ in q) / (len(Q) * S) < mean_tok:
                lo = mid
            else:
                hi = mid
        Q = build(mid)
        print("   %-30s" % label + "".join("  N=%d %+5.1f%%" % (n, 100 * (est(Q, n) / real[n] - 1)) for n in (4, 16, 64)),
              flush=True)

    if not twin:
        return
    W = load(twin)
    print("4. %s against its twin %s, by the real model's solve count of 80:" % (alias, twin))
    for n in (4, 64):
        er = [st.mean(early(w) for w in windows(p, n)) for p in P]
        ew = [st.mean(early(w) for w in windows(p, n)) for p in W]
        print("   N=%d: all %+.1f%%" % (n, 100 * (sum(ew) / sum(er) - 1)))
        for lo, hi, name in ((80, 80, "80"), (72, 79, "72-79"), (0, 71, "< 72")):
            idx = [i for i, p in enumerate(P) if lo <= sum(1 for _, a in p if a == 0) <= hi]
            if not idx:
                continue
            row = "     %-6s %3d problems" % (name, len(idx))
            for lab, Q, e in (("real", P, er), ("twin", W, ew)):
                mean = st.mean(st.mean(t for t, _ in Q[i]) for i in idx)
                geo = math.exp(st.mean(math.log(max(t, 1)) for i in idx for t, _ in Q[i]))
                sdw = st.mean(st.pstdev([math.log(max(t, 1)) for t, _ in Q[i]]) for i in idx)
                tok = st.mean(e[i] for i in idx)
                row += "  %s: early %7.0f (%.2f of N x mean) mean %5.0f geo %5.0f s.d. %.3f" % (
                    lab, tok, tok / (n * mean), mean, geo, sdw)
            row += "  twin - real, per problem of all: %+.0f" % ((sum(ew[i] for i in idx) - sum(er[i] for i in idx)) / len(P))
            print(row, flush=True)


if __name__ == "__main__":
    main()
