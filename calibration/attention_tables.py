#!/usr/bin/env python3
"""attention_tables.py [TABLE.csv ...]: what the docs say of aiconfigurator's attention
tables, from the tables themselves (calibration/README.md, data/SOURCES.md, VALIDATION.md).

1. TensorRT-LLM against vLLM at the shapes both tables of a GPU and phase hold: the median
   ratio of their latencies (all shared shapes, and those where vLLM takes over 0.1 ms).
2. Each generation table's largest effective cache read: batch x (isl + step) x kv_heads x
   head_dim x 4 bytes (bf16 K and V) over the latency, against the GPU's HBM bandwidth. A
   table above the HBM cannot be reading what serving reads (the 1.0.0 / 1.2.0rc5
   TensorRT-LLM tables' K-only cache; give their converted CSVs as arguments: they are not
   shipped).

Reads the shipped CSVs in calibration/data/aiconfigurator/attention (and any given);
standard library only; prints, writes nothing.
"""
import csv
import glob
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "data", "aiconfigurator", "attention")
HBM = {"a100_sxm": 2.039e12, "h100_sxm": 3.35e12, "h200_sxm": 4.8e12}


def load(path):
    """{(batch, isl, heads, kv_heads, head_dim, step): latency ms} of a table's full-attention
    bf16 rows (window 0)"""
    rows = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            if r.get("window_size", "0") != "0":
                continue
            key = tuple(int(r[k]) for k in ("batch_size", "isl", "num_heads",
                                            "num_key_value_heads", "head_dim", "step"))
            rows[key] = float(r.get("latency_ms") or r["latency"])
    return rows


def parse_name(path):
    """(gpu, phase, engine) from <gpu>_<phase>_attention_<engine>_<version>_bf16kv.csv"""
    b = os.path.basename(path)
    gpu = b.split("_context_")[0].split("_generation_")[0]
    phase = "context" if "_context_" in b else "generation"
    engine = b.split("_attention_")[1].split("_")[0]
    return gpu, phase, engine


def main(extra):
    files = sorted(glob.glob(os.path.join(DIR, "*.csv"))) + extra
    tables = {}
    for f in files:
        tables.setdefault(parse_name(f), []).append(f)
    print("TensorRT-LLM / vLLM latency at shared shapes (median ratio)")
    for (gpu, phase, eng), fs in sorted(tables.items()):
        if eng != "trtllm" or (gpu, phase, "vllm") not in tables:
            continue
        v = load(tables[(gpu, phase, "vllm")][0])
        for f in fs:
            t = load(f)
            common = [k for k in v if k in t]
            if not common:
                continue
            big = [t[k] / v[k] for k in common if v[k] > 0.1]
            print(f"  {gpu:9} {phase:10} {os.path.basename(f):55} {len(common):5} shapes "
                  f"{statistics.median(t[k] / v[k] for k in common):.3f}"
                  + (f"; vLLM over 0.1 ms: {len(big)} shapes {statistics.median(big):.3f}"
                     if big else ""))
    print("largest effective cache read of each generation table (bf16 K and V)")
    for (gpu, phase, eng), fs in sorted(tables.items()):
        if phase != "generation":
            continue
        for f in fs:
            best = max((b * (isl + step) * kvh * d * 4 / (ms * 1e-3), k)
                       for k, ms in load(f).items()
                       for b, isl, _, kvh, d, step in [k])
            print(f"  {gpu:9} {os.path.basename(f):55} {best[0] / 1e12:5.2f} TB/s = "
                  f"{best[0] / HBM[gpu]:.2f} x HBM (batch {best[1][0]}, "
                  f"{best[1][1] + best[1][5]} cached tokens)")


if __name__ == "__main__":
    main(sys.argv[1:])
