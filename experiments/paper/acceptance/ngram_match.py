#!/usr/bin/env python3
"""The n-gram proposer's match rate, and the acceptance given a match, from the token ids
SpecDecode-Bench published with its simulator (the same files as make_tables.py: see its
docstring and README.md here for the source, commit and licence).

vLLM V1's n-gram proposer (vllm/v1/spec_decode/ngram_proposer.py,
_find_longest_matched_ngram_and_propose_tokens) drafts the tokens that followed an earlier
occurrence of the context's last n tokens, n in [prompt_lookup_min, prompt_lookup_max]
(vLLM's defaults: 5 and 5, SpeculativeConfig); without such an occurrence it drafts nothing
and the sequence verifies its one token. A suffix of length n occurs earlier iff its last
prompt_lookup_min tokens do, so the match is: the context's last `min_n` tokens occur
earlier in the context (prompt + output so far). Written here from that definition (a set of
the n-grams seen), not from vLLM's code.

A chain of K is walked along each request as make_tables.py walks it (accepted =
min(acc_len - 1, K), next step after the accepted tokens and the bonus), with one change: a
step whose context has no match drafts nothing and advances one token. Printed: the fraction
of steps with a match (--spec-ngram-match), the steps with acc_len > 1 but no match (should be
0 if the lookup is the one the data was taken with), and the per-position table given a match
(the `position,p_accept` format of --spec-acceptance), with the mean acceptance length as vLLM
reports it (drafted steps only) and per step (all steps).

Usage: ngram_match.py DATA.jsonl [K [MIN_N]]   (K default 3, MIN_N default 5)
"""
import json
import sys


def main():
    if len(sys.argv) not in (2, 3, 4):
        sys.exit("usage: ngram_match.py DATA.jsonl [K [MIN_N]]")
    path = sys.argv[1]
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    steps = matched = odd = tokens = 0
    reach = [0] * (k + 1)
    requests = 0
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            try:
                d = json.loads(line)
                acc = d["acc_ngram"]["acc_len"]
                ctx = list(d["prompt_token_ids"])
                gen = d["generated_token_ids"]
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{ln}: key 'acc_ngram.acc_len' or token ids: {e}")
            requests += 1
            seen = set()  # n-grams starting at 0 .. len(ctx) - n - 1 (all but the suffix)
            top = 0       # next start to add to seen

            def grow(upto):
                nonlocal top
                while top + n <= upto:
                    seen.add(tuple(ctx[top:top + n]))
                    top += 1

            p = 0
            while p < len(acc) and p < len(gen):
                # context: prompt + output before position p
                L = len(ctx)
                grow(L - 1)  # starts before the suffix's own (L - n)
                hit = L >= n and tuple(ctx[L - n:L]) in seen
                steps += 1
                if hit:
                    matched += 1
                    a = min(acc[p] - 1, k)
                    reach[0] += 1
                    for j in range(1, a + 1):
                        reach[j] += 1
                else:
                    a = 0
                    odd += acc[p] > 1
                adv = a + 1
                ctx.extend(gen[p:p + adv])
                tokens += min(adv, len(gen) - p)
                p += adv
    print(f"# {requests} requests, {steps} verification steps of a chain of {k}, "
          f"prompt_lookup_min {n}")
    print(f"# steps with a match: {matched} = {matched / steps:.4f} of steps")
    print(f"# steps without a match whose acc_len > 1: {odd} "
          f"({odd / max(1, steps - matched):.4f} of the unmatched)")
    al = 1 + sum(reach[1:]) / max(1, reach[0])
    print(f"# mean acceptance length as vLLM reports it (drafted steps): {al:.3f}")
    print(f"# mean tokens per step (all steps): {tokens / steps:.3f}")
    print("position,p_accept")
    for j in range(1, k + 1):
        print(f"{j},{reach[j] / max(1, reach[j - 1]):.4f}")


if __name__ == "__main__":
    main()
