#!/usr/bin/env python3
"""moe_report.py: per-model residuals of the MoE serving set (VALIDATION.md, "Mixture of
Experts").

    build/ttsim validate tests/validation/moe_serving.csv --keep-going --format json > m.json
    python3 tests/validation/moe_report.py m.json

Prints, per model, GPU, engine, layout (tp, dtype) and metric, the count, median and p90 of
|error| and the median signed error (markdown), then the same per workload (ShareGPT burst of
1000 prompts, random 32K/4K/2K/128-token bursts, ShareGPT at concurrency 4), over all models'
vLLM rows, and the simulated runs by engine and expert layout (the rows' `ep`).
p90 interpolates between order statistics at 0.9 (n - 1), as `ttsim validate` does (GSL's
gsl_stats_quantile_from_sorted_data).
"""
import collections
import json
import math
import sys


def q(xs, p):
    xs = sorted(xs)
    d = p * (len(xs) - 1)
    i = int(math.floor(d))
    return xs[i] if i + 1 >= len(xs) else xs[i] + (d - i) * (xs[i + 1] - xs[i])


def med(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def workload(rid):
    for k, name in (("_sgpt_c4_", "ShareGPT, 4 clients"), ("_sgpt_c0_", "ShareGPT, 1000 at once"),
                    ("_rnd32k_", "random 32000/100"), ("_rnd4k_", "random 4000/200"),
                    ("_rnd2k_", "random 2000/100"), ("_rnd128_", "random 128/4")):
        if k in rid:
            return name
    return "?"


def table(groups, head):
    print("| %s | metric | n | median abs err %% | p90 abs err %% | median signed %% |" % head)
    print("|---|---|---:|---:|---:|---:|")
    for k in sorted(groups):
        e = groups[k]
        a = [abs(x) for x in e]
        print("| %s | %s | %d | %.1f | %.1f | %+.1f |" % (k[0], k[1], len(e), med(a), q(a, 0.9),
                                                          med(e)))


def main():
    rows = [r for r in json.load(open(sys.argv[1]))["rows"] if "predicted" in r]
    by_model, by_work = collections.defaultdict(list), collections.defaultdict(list)
    for r in rows:
        eng = "sglang" if "_sglang_" in r["id"] else "vllm"
        label = "%s, %s, %s tp%d %s" % (r["model"].split("/")[-1], r["gpu"], eng, r["tp"],
                                         r["dtype"])
        by_model[(label, r["metric"])].append(r["pct_err"])
        if eng == "vllm":
            by_work[(workload(r["id"]), r["metric"])].append(r["pct_err"])
    table(by_model, "model, GPU, engine, layout")
    print()
    table(by_work, "workload (vLLM rows)")
    # runs (one TTFT row each) by engine and whether the experts are spread (ep column)
    runs = collections.Counter(("sglang" if "_sglang_" in r["id"] else "vllm",
                                "expert-parallel" if r.get("ep") else "tensor-parallel")
                               for r in rows if r["metric"] == "ttft_ms")
    print()
    print("| engine | experts | runs simulated |")
    print("|---|---|---:|")
    for k in sorted(runs):
        print("| %s | %s | %d |" % (k[0], k[1], runs[k]))


if __name__ == "__main__":
    main()
