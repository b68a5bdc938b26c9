#!/usr/bin/env python3
"""convert_serving.py: the measured serving runs of shared/validation/serving/ -> the
development set of `ttsim validate` (tests/validation/serving_fit.csv, serving_check.csv).

    python3 tests/validation/convert_serving.py [SHARED_DIR]   # default ../shared/validation/serving

Deterministic: the same input gives the same two files. Every input row becomes exactly one
output row (in one of the two files); rows ttsim cannot simulate yet keep a `status` saying
why ("skip: ...") and `ttsim validate` counts them instead of simulating them.

The split is BY SOURCE DOCUMENT (the cited file or page): every row of one document goes to
one part. Which document goes where is the table SPLIT below, argued in README.md; a
document not in the table is an error, so a new source cannot fall into a part silently.

What each conversion does is in README.md ("Serving set: conversions"); in short:
  - Argonne offline batches: value (whole-batch wall time, s) -> output_tok_per_s
    = batch x output_len / wall time: ttsim's output_tok_per_s is output tokens over the
    makespan, and the batch's wall time is its makespan, so the two are the same quantity.
    Simulated as a burst of `batch` prompts (num_prompts = concurrency = batch).
  - GPUStack: `vllm bench serve` runs; ShareGPT and random datasets without --ignore-eos;
    input/output lengths are the printed totals / prompts (means), rounded to tokens; the
    random runs' configured output length becomes max_output_len (the client's max_tokens).
  - BLIS: constant-rate open loop (inference-perf), ignore_eos; rate and requests sent from
    the notes; lengths are the measured means.
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

OUT_COLS = ["id", "model", "gpu", "tp", "dtype", "input_len", "output_len", "concurrency",
            "metric", "value", "kv_dtype", "num_prompts", "request_rate", "burstiness", "dataset",
            "range_ratio", "ignore_eos", "max_output_len", "max_num_seqs",
            "max_num_batched_tokens", "endpoint", "engine", "engine_version",
            "status", "source", "notes"]

# Source documents -> part. Argued in README.md ("Serving set: the split").
SPLIT = [
    # GPUStack: the qwen3-8b latency page gave tests/validation/dev.csv (which set
    # step_base) and the qwen3-14b page gave burst.csv: both already seen -> fit.
    ("gpustack/gpustack docs/performance-lab/qwen3-8b/h100-latency.md", "fit"),
    ("gpustack/gpustack docs/performance-lab/qwen3-14b/h100.md", "fit"),
    ("gpustack/gpustack docs/performance-lab/qwen3-32b/h100.md", "check"),
    ("gpustack/gpustack docs/performance-lab/qwen3-32b/a100.md", "check"),
    # Argonne: the FP8/quantisation files and the TTFT figure -> fit; the main table of
    # fp16 runs (8 models, TP 1/2/4) -> check.
    ("argonne-lcf/LLM-Inference-Bench Plots/Fig_3/", "fit"),
    ("argonne-lcf/LLM-Inference-Bench Plots/Fig_22/", "fit"),
    ("argonne-lcf/LLM-Inference-Bench Plots/All_results.csv", "check"),
    # BLIS: one directory per run; TP1 runs (Llama-2-7B) -> fit, TP2/TP4 runs -> check
    ("inference-sim/training default_args/", None),  # by run, see blis_part()
    # other engines (no profile yet): the split is kept for when they get one
    ("NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md", "fit"),
    ("https://docs.nvidia.com/nim/", "check"),
]

# Hugging Face id in the source -> what ttsim simulates (same architecture), or None.
MODEL_MAP = {
    "meta-llama/Llama-2-7b-hf": "meta-llama/Llama-2-7b-hf",
    "meta-llama/Llama-2-70b-hf": "meta-llama/Llama-2-70b-hf",
    # Llama 3 and 3.1 share every dimension (hidden 4096/8192, 32/80 layers, GQA 8, FF
    # 14336/28672, vocab 128256); 3.1 only extends RoPE to 128k positions
    "meta-llama/Meta-Llama-3-8B": "meta-llama/Llama-3.1-8B-Instruct",
    "neuralmagic/Meta-Llama-3-8B-Instruct-FP8": "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Meta-Llama-3-70B": "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.3-70B-Instruct": "meta-llama/Llama-3.1-70B-Instruct",
    "nvidia/Llama-3.3-70B-Instruct-FP8": "meta-llama/Llama-3.1-70B-Instruct",
    "nvidia/Llama-3.1-8B-Instruct-FP8": "meta-llama/Llama-3.1-8B-Instruct",
    # Qwen2 and Qwen2.5 7B/72B share every dimension (3584/8192 hidden, 28/80 layers,
    # 28/64 heads, 4/8 KV heads, FF 18944/29568, vocab 152064, QKV bias)
    "Qwen/Qwen2-7B": "Qwen/Qwen2.5-7B-Instruct",
    "Qwen/Qwen2-72B": "Qwen/Qwen2.5-72B-Instruct",
    # not in the catalog: a config.json here (tests/validation/configs/, README.md)
    "mistralai/Mistral-7B-v0.1": "tests/validation/configs/Mistral-7B-v0.1.json",
    "codellama/CodeLlama-34b-Instruct-hf": "tests/validation/configs/CodeLlama-34b-Instruct-hf.json",
    "Qwen/Qwen3-8B": "Qwen/Qwen3-8B", "Qwen/Qwen3-8B-FP8": "Qwen/Qwen3-8B",
    "Qwen/Qwen3-14B": "Qwen/Qwen3-14B", "Qwen/Qwen3-14B-FP8": "Qwen/Qwen3-14B",
    "Qwen/Qwen3-32B": "Qwen/Qwen3-32B", "Qwen/Qwen3-32B-FP8": "Qwen/Qwen3-32B",
}
MODEL_SKIP = {
    "mistralai/Mixtral-8x7B-v0.1": "skip: mixture of experts (ttsim models dense decoders only)",
    "Deci/DeciLM-7B": "skip: variable GQA per layer (no config ttsim can read)",
    "nvidia/Llama-3.1-405B-Instruct-FP8": "skip: model not in the catalog and no config.json here",
}
ENGINES_WITH_PROFILE = {"vllm", "sglang"}
# ttsim's attention model is FlashAttention 3 (the profiles' fit); runs that chose another
# backend measure another kernel
ATTENTION_BACKENDS_MODELLED = {"fa3"}


def part_of(src, rid):
    for prefix, part in SPLIT:
        if prefix in src:
            if part is None:
                return blis_part(src)
            return part
    raise SystemExit("convert_serving.py: source '%s' (row %s) is in no part of SPLIT" % (src, rid))


def blis_part(src):
    m = re.search(r"-tp(\d+)-", src)
    return "fit" if m and m.group(1) == "1" else "check"


def version_of(engine, v):
    if engine == "vllm" and v.startswith("0.5"):
        return "0.5"
    if v.startswith("NIM "):
        return v[4:]
    if v.startswith("not stated (instrumented vLLM"):
        return "v1-2026-02"  # V0 was removed in 0.11 (Oct 2025): a Feb 2026 vLLM is V1
    return v.lstrip("v").split(" ")[0]


def rint(x):
    return str(int(float(x) + 0.5))


def blis_implied_tpot(rows):
    """BLIS run -> (e2e - ttft) / (output - 1) in ms, from the run's own e2e and TTFT rows."""
    runs = {}
    for _, r in rows:
        if r["id"].startswith("blis_"):
            runs.setdefault(r["id"].rsplit("_", 1)[0], {})[r["metric"]] = (float(r["value"]), float(r["output_len"]))
    return {k: (v["e2e_s"][0] * 1e3 - v["ttft_ms"][0]) / (v["e2e_s"][1] - 1) for k, v in runs.items()}


BLIS_TPOT = {}


def convert(r):
    """One input row -> one output dict."""
    src, notes = r["source"], r["notes"]
    o = {k: "" for k in OUT_COLS}
    for k in ["id", "gpu", "tp", "dtype", "concurrency", "metric", "value", "engine"]:
        o[k] = r[k]
    o["source"] = src
    o["engine_version"] = version_of(r["engine"], r["engine_version"])
    hf = r["model"]
    o["model"] = MODEL_MAP.get(hf, hf)
    extra = []
    if o["model"] != hf:
        extra.append("source model %s simulated as %s (same architecture)" % (hf, o["model"]))
    o["input_len"], o["output_len"] = rint(r["input_len"]), rint(r["output_len"])
    if "." in r["input_len"] or "." in r["output_len"]:
        extra.append("lengths are means %s/%s, rounded" % (r["input_len"], r["output_len"]))
    status = MODEL_SKIP.get(hf, "")
    if not status and hf not in MODEL_MAP:
        status = "skip: model not in the catalog and no config.json here"
    if not status and r["engine"] not in ENGINES_WITH_PROFILE:
        status = "skip: engine without a profile (%s)" % r["engine"]
    # the benchmark's case names the backend (the notes' "server cmd" was copied between
    # cases of one section, so it is not read)
    m = re.search(r"section 'Attention Backends?[^']*' case '(?:--attention-backend=)?([^']*)'",
                  notes)
    if not status and m and m.group(1) not in ATTENTION_BACKENDS_MODELLED:
        status = ("skip: attention backend '%s' not modelled (ttsim's attention is "
                  "FlashAttention 3)" % m.group(1))
    sid = r["id"]
    if sid.startswith("anl_"):
        b, out = int(r["concurrency"]), int(r["output_len"])
        wall = float(r["value"])
        o["metric"] = "output_tok_per_s"
        o["value"] = "%.6g" % (b * out / wall)
        o["num_prompts"] = str(b)
        o["endpoint"] = "none"  # offline LLM.generate batches: no API server
        o["request_rate"] = "inf"
        o["dataset"] = "random"
        o["ignore_eos"] = "true"
        o["range_ratio"] = "0"
        extra.append("value = %d x %d / %.6g s (batch x output_len / whole-batch wall time)"
                     % (b, out, wall))
    elif sid.startswith("gps_"):
        # GPUStack's client is `vllm bench serve --backend openai-chat`: the chat endpoint
        if "openai-chat" not in notes and "chat endpoint" not in notes:
            raise SystemExit("convert_serving.py: row %s: GPUStack row without its client's "
                             "endpoint in the notes" % sid)
        o["endpoint"] = "chat"
        m = re.search(r"num_prompts=(\d+)", notes)
        o["num_prompts"] = m.group(1) if m else ""
        if r["concurrency"] == "0":
            o["request_rate"] = "inf"
        o["ignore_eos"] = "false"
        if "--dataset-name random" in notes:
            o["dataset"] = "random"
            o["range_ratio"] = "0"  # vLLM 0.11's default --random-range-ratio
            m = re.search(r"OSL=(\d+)", notes)
            o["max_output_len"] = m.group(1)
        else:
            o["dataset"] = "sharegpt"
    elif sid.startswith("blis_"):
        m = re.search(r"rate=(\d+(?:\.\d+)?) QPS", notes)
        o["request_rate"] = m.group(1)
        o["burstiness"] = "inf"  # constant rate: evenly spaced arrivals
        if "streaming completions" not in notes:
            raise SystemExit("convert_serving.py: row %s: BLIS row without 'streaming "
                             "completions' in the notes" % sid)
        o["endpoint"] = "completions"  # inference-perf's streaming /v1/completions
        sf = re.search(r"successes=(\d+) failures=(\d+)", notes)
        o["num_prompts"] = str(int(sf.group(1)) + int(sf.group(2)))
        o["dataset"] = "shared_prefix"
        o["ignore_eos"] = "true"
        o["max_num_seqs"], o["max_num_batched_tokens"] = "128", "2048"  # vLLM args in the notes
        m = re.search(r"successes=(\d+) failures=(\d+)", notes)
        ok, bad = int(m.group(1)), int(m.group(2))
        if not status and bad > 0.1 * (ok + bad):
            status = "skip: overloaded run (%d of %d requests failed; BLIS excludes it)" % (bad, ok + bad)
        implied = BLIS_TPOT[sid.rsplit("_", 1)[0]]
        if r["metric"] == "tpot_ms" and not status and abs(implied / float(r["value"]) - 1) > 0.25:
            status = ("skip: tpot_ms disagrees with the run's own e2e_s and ttft_ms "
                      "(%.2f ms; (e2e - ttft) / (output - 1) = %.2f ms): definition unknown"
                      % (float(r["value"]), implied))
    elif sid.startswith("nim_"):
        o["dataset"] = "synthetic"  # endpoint: genai-perf's, not stated on the page (empty)
    elif sid.startswith("trt_"):
        o["request_rate"] = "inf"
        o["num_prompts"] = re.search(r"all (\d+) requests", notes).group(1)
        o["endpoint"] = "none"  # trtllm-bench throughput: offline, no API server
        o["dataset"] = "synthetic"
        o["ignore_eos"] = "true"
    else:
        raise SystemExit("convert_serving.py: row %s: unknown source family" % sid)
    if "kv_cache_dtype=fp8" in notes:
        o["kv_dtype"] = "fp8"
    if o["dtype"] == "fp16":
        extra.append("fp16, simulated as bf16 (same bytes and tensor-core rate)")
    o["status"] = status
    o["notes"] = (notes + ("; CONVERSION: " + "; ".join(extra) if extra else ""))
    return o


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "validation", "serving")
    rows = []
    for f in ["measured.csv", "measured_fp16.csv"]:
        with open(os.path.join(shared, f), newline="") as fh:
            rows += [(f, r) for r in csv.DictReader(fh)]
    BLIS_TPOT.update(blis_implied_tpot(rows))
    parts = {"fit": [], "check": []}
    for f, r in rows:
        o = convert(r)
        parts[part_of(r["source"], r["id"])].append(o)
    for part, rs in parts.items():
        path = os.path.join(HERE, "serving_%s.csv" % part)
        with open(path, "w", newline="") as fh:
            fh.write("# Serving development set, %s part: written by tests/validation/convert_serving.py\n"
                     "# from shared/validation/serving/{measured,measured_fp16}.csv (see README.md). Do not edit.\n" % part)
            w = csv.DictWriter(fh, fieldnames=OUT_COLS, lineterminator="\n")
            w.writeheader()
            for o in rs:
                w.writerow(o)
    print("fit %d rows, check %d rows (of %d)" % (len(parts["fit"]), len(parts["check"]), len(rows)))


if __name__ == "__main__":
    main()
