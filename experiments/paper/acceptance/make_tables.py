#!/usr/bin/env python3
"""Per-position acceptance tables (the `position,p_accept` format of --spec-acceptance) from
the per-token acceptance data SpecDecode-Bench published with its simulator.

Source: https://github.com/SpecDecode-Bench/simulator at commit
2fdccbd61b62be339fb85fd90caf43f5e8392aa6, data/llama3.1-8B/combined_<dataset>.jsonl
("our profiled acceptance data for Llama3.1-8B-Instruct on H100", README.md there; paper
arXiv:2601.11580, vLLM 0.10.1). No licence is stated in that repository: only the derived
probabilities (7 numbers per table) are shipped here, not the data.

Each JSON line is one request; acc_<method>.acc_len[i] is the number of tokens one
verification would emit if drafting started at output token i (accepted + the bonus token,
so 1 = nothing accepted), measured with the drafter proposing without a length limit. A
chain of K draft tokens is walked along each request (accepted = min(acc_len - 1, K), then
the next step starts after the accepted tokens and the bonus), and p_accept(j) =
P(j-th draft accepted | the first j-1 accepted) over all steps of all requests.

Usage: make_tables.py DATA.jsonl KEY [K]   (KEY: acc_eagle or acc_ngram; K default 7)
Prints the table to stdout, with the mean accepted length at each k as comments.
"""
import json
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: make_tables.py DATA.jsonl KEY [K]")
    path, key = sys.argv[1], sys.argv[2]
    k = int(sys.argv[3]) if len(sys.argv) == 4 else 7
    reach = [0] * (k + 1)
    requests = 0
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                acc = json.loads(line)[key]["acc_len"]
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{n}: key '{key}.acc_len': {e}")
            requests += 1
            p = 0
            while p < len(acc):
                a = min(acc[p] - 1, k)
                reach[0] += 1
                for j in range(1, a + 1):
                    reach[j] += 1
                p += a + 1
    print(f"# {requests} requests, {reach[0]} verification steps of a chain of {k}")
    run = 1.0
    for j in range(1, k + 1):
        run += reach[j] / reach[0]
        print(f"# mean tokens per verification at k {j}: {run:.3f}")
    print("position,p_accept")
    for j in range(1, k + 1):
        print(f"{j},{reach[j] / reach[j - 1]:.4f}")


if __name__ == "__main__":
    main()
