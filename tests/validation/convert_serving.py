#!/usr/bin/env python3
"""convert_serving.py: the measured serving runs of shared/validation/serving/ (and Argonne's
A100/GH200 rows copied under tests/validation/sources/argonne/, and the GPUStack page copied
under tests/validation/sources/gpustack/) -> the development set of
`ttsim validate` (tests/validation/serving_fit.csv, serving_check.csv; the copy's MoE rows
also into moe_argonne.csv).

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
    Simulated as a burst of `batch` prompts (num_prompts = concurrency = batch). The A100
    (Polaris, 40 GB) and GH200 rows of the same file are read from the copy
    (argonne_rows) and converted the same way; its TensorRT-LLM rows (0.11/0.12) are kept
    as given, with the no-profile status.
  - GPUStack: `vllm bench serve` runs; ShareGPT and random datasets without --ignore-eos;
    input/output lengths are the printed totals / prompts (means), rounded to tokens; the
    random runs' configured output length becomes max_output_len (the client's max_tokens).
  - BLIS: constant-rate open loop (inference-perf), ignore_eos; rate and requests sent from
    the notes; lengths are the measured means.
  - TensorRT-LLM perf-overview.md (trtllm-bench throughput): offline batches of fixed
    lengths, written as the Argonne ones (concurrency = num_prompts), with the max_batch_size
    and max_num_tokens trtllm-bench's heuristic picks for each (trtllm_bench_limits) and
    chunked prefill off; engine family trtllm-1 (models/engines/trtllm-1.yaml).
  - GPUStack trtllm-serve rows: as the other GPUStack rows, plus chunked_prefill true where
    the server command has --enable_chunked_prefill (trtllm-serve's default is off), and
    max_num_batched_tokens where it sets --max_num_tokens.
  - The copied GPUStack page (gpustack_rows): each benchmark output printed on it becomes
    rows in shared/'s GPUStack format (the same notes), then converted as those.
"""
import csv
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert_moe  # noqa: E402  (fi_sampler: one rule for both sets)

HERE = os.path.dirname(os.path.abspath(__file__))

OUT_COLS = ["id", "model", "gpu", "tp", "dtype", "input_len", "output_len", "concurrency",
            "metric", "value", "kv_dtype", "num_prompts", "request_rate", "burstiness", "dataset",
            "range_ratio", "ignore_eos", "max_output_len", "max_num_seqs",
            "max_num_batched_tokens", "chunked_prefill", "max_model_len", "flashinfer_sampler", "endpoint", "engine", "engine_version",
            "status", "source", "notes"]

# Source documents -> part. Argued in README.md ("Serving set: the split").
SPLIT = [
    # GPUStack: the qwen3-8b latency page gave tests/validation/dev.csv (which set
    # step_base) and the qwen3-14b page gave burst.csv: both already seen -> fit.
    ("gpustack/gpustack docs/performance-lab/qwen3-8b/h100-latency.md", "fit"),
    ("gpustack/gpustack docs/performance-lab/qwen3-14b/h100.md", "fit"),
    ("gpustack/gpustack docs/performance-lab/qwen3-32b/h100.md", "check"),
    ("gpustack/gpustack docs/performance-lab/qwen3-32b/a100.md", "check"),
    # not in shared/: copied under sources/gpustack/ (gpustack_rows below); unseen -> check
    ("gpustack/gpustack docs/performance-lab/qwen3-14b/a100.md", "check"),
    # Argonne: the FP8/quantisation files and the TTFT figure -> fit; the main table of
    # fp16 runs (8 models, TP 1/2/4) -> check.
    ("argonne-lcf/LLM-Inference-Bench Plots/Fig_3/", "fit"),
    ("argonne-lcf/LLM-Inference-Bench Plots/Fig_22/", "fit"),
    ("argonne-lcf/LLM-Inference-Bench Plots/All_results.csv", "check"),
    # BLIS: one directory per run; TP1 runs (Llama-2-7B) -> fit, TP2/TP4 runs -> check
    ("inference-sim/training default_args/", None),  # by run, see blis_part()
    # TensorRT-LLM's own offline table -> fit (models/engines/trtllm-1.yaml is fitted on it
    # and on the fit part's GPUStack trtllm rows); NIM: no profile (backend not stated)
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
    # the AWQ checkpoint is in the catalog (4-bit weights, group 128; bf16 activations)
    "Qwen/Qwen3-14B-AWQ": "Qwen/Qwen3-14B-AWQ",
    "mistralai/Mixtral-8x7B-v0.1": "mistralai/Mixtral-8x7B-v0.1",  # see IN_OTHER_SET
    # LLaMA-1 7B has Llama-2-7B's every dimension (hidden 4096, 32 layers, 32 heads and KV
    # heads, FF 11008, vocab 32000; huggyllama/llama-7b's config.json as its fine-tunes copy
    # it, e.g. huggingface.co/ContextualAI/archangel_sft_llama7b); only its context is 2048
    # (LLAMA1_MAX_LEN below)
    "huggyllama/llama-7b": "meta-llama/Llama-2-7b-hf",
    # Qwen1.5-7B: a qwen2 config (tests/validation/configs/Qwen1.5-7B.json, its _ttsim_note)
    "Qwen/Qwen1.5-7B": "tests/validation/configs/Qwen1.5-7B.json",
}
# ttsim models MoE since issue 19; the 24 Mixtral-8x7B rows (all BLIS TP2, check part) are the
# rows of tests/validation/moe_mixtral.csv, which simulates them (every column equal, the
# status apart): kept here with a status naming that file, so that no run is counted twice;
# rows skipped for another reason keep that reason (moe_mixtral.csv skips them too)
IN_OTHER_SET = {
    "mistralai/Mixtral-8x7B-v0.1": "skip: simulated in moe_mixtral.csv (MoE set, issue 19; the same row)",
}
MODEL_SKIP = {
    "Deci/DeciLM-7B": "skip: variable GQA per layer (no config ttsim can read)",
    "nvidia/Llama-3.1-405B-Instruct-FP8": "skip: model not in the catalog and no config.json here",
    # Argonne's older 7B models (GH200, and one row each on H100): architectures ttsim does
    # not model (models/model.c refuses their model_type)
    "bigscience/bloom-7b1": "skip: model_type bloom (ALiBi positions, ungated GELU MLP) not modelled",
    "EleutherAI/gpt-j-6b": "skip: model_type gptj (parallel attention and MLP, ungated GELU MLP) not modelled",
    "facebook/opt-6.7b": "skip: model_type opt (learned positions, ungated ReLU MLP) not modelled",
    "BAAI/Aquila-7B": "skip: model_type aquila (remote code) not modelled; no config.json here",
}
# huggyllama/llama-7b's max_position_embeddings: vLLM caps a sequence there, so a run whose
# input + output exceeds it did not generate its output (Argonne's GH200 io2048 rows: 0.05 s
# for what takes Llama-2-7B 14.7 s)
LLAMA1_MAX_LEN = 2048
# The SOURCE model's max_position_embeddings (not the simulated proxy's: Llama-3 8B/70B run
# as Llama-3.1 have 8192, not 131072): vLLM's max_model_len when the run does not set it
# (vllm/config.py _get_and_verify_max_len: the smallest length key of config.json; capped
# by the sliding window only with --disable-sliding-window, which no Argonne run passes;
# no rope_scaling in these configs). It sizes vLLM V0's default step budget,
# max(max_model_len, 2048) (models/engines/vllm-v0.yaml defaults.unchunked_max_len).
# Written on every Argonne vLLM row. Each value from the model's Hugging Face config.json,
# read where noted (a copy is a third-party file quoting the config whole):
SOURCE_MAX_LEN = {
    # ttsim's catalog rows (models/catalog.c, HF configs): 4096
    "meta-llama/Llama-2-7b-hf": 4096,
    "meta-llama/Llama-2-70b-hf": 4096,
    # huggingface.co/meta-llama/Meta-Llama-3-8B and -70B config.json, as quoted with their
    # URLs in a public planner's presets (find_string '"_name_or_path":
    # "meta-llama/Meta-Llama-3-8B"'): 8192 each
    "meta-llama/Meta-Llama-3-8B": 8192,
    "meta-llama/Meta-Llama-3-70B": 8192,
    # its config.json as copied with its model card in github llm-d/llm-d-kv-cache-manager
    # tests/e2e/redis_mock/testdata/local-llama3/ @eea3a359b55bb8ddcdaed40c00ce3a586882c393
    # (quantization_config fp8, static): 8192
    "neuralmagic/Meta-Llama-3-8B-Instruct-FP8": 8192,
    # tests/validation/configs/Mistral-7B-v0.1.json's _ttsim_note: the HF config's 32768
    # (sliding_window 4096, not a cap: see above)
    "mistralai/Mistral-7B-v0.1": 32768,
    # huggingface.co/mistralai/Mixtral-8x7B-v0.1 config.json (the same presets): 32768
    "mistralai/Mixtral-8x7B-v0.1": 32768,
    # Qwen/Qwen2-7B and Qwen/Qwen2-72B (the BASE models the runs name; their -Instruct
    # releases and the Qwen2.5 proxies say 32768): 131072, use_sliding_window false, in
    # copies of both configs (find_string '"max_window_layers": 80' and '"_name_or_path":
    # "Qwen/Qwen2-7B"': hidden 8192 / 3584, FF 29568 / 18944, vocab 152064)
    "Qwen/Qwen2-7B": 131072,
    "Qwen/Qwen2-72B": 131072,
    # tests/validation/configs/Qwen1.5-7B.json (Qwen1.5-7B-Chat's config, the base's
    # dimensions): 32768
    "Qwen/Qwen1.5-7B": 32768,
    # LLAMA1_MAX_LEN above
    "huggyllama/llama-7b": LLAMA1_MAX_LEN,
}
ENGINES_WITH_PROFILE = {"vllm", "sglang", "trtllm"}
# trtllm: models/engines/trtllm-1.yaml describes the 1.x releases (PyTorch backend) only
TRTLLM_VERSIONS = ("1.",)

# What `trtllm-bench throughput` picks for max_batch_size and max_num_tokens when the run does
# not set them (perf-overview.md's commands do not): TensorRT-LLM
# tensorrt_llm/bench/benchmark/utils/general.py get_settings @0171265edef1c67ef334e0db2427148161aa2815
# (chunked prefill off by default; then max_num_tokens >= the dataset's max ISL + max_batch_size)
# and tensorrt_llm/bench/build/tuning.py calc_engine_setting / finetune_setting
# @04cba882084a25665e7f80f5bda71b35b9790b6f (Apache-2.0; re-derived here, not copied).
# Model: (parameters, layers, KV heads, head size), from the models' config.json
# (Llama-3.1-8B: 32 layers, 8 KV heads of 128, 8.03e9 parameters; Llama-3.3-70B = 3.1-70B:
# 80, 8, 128, 70.55e9; the parameter counts are the dimensions' sums, as get_model_config's).
TRT_BENCH_MODEL = {
    "meta-llama/Llama-3.1-8B-Instruct": (8030261248, 32, 8, 128),
    "meta-llama/Llama-3.1-70B-Instruct": (70553706496, 80, 8, 128),
}
# GPU memory in GiB as ttsim's hardware profiles give it (models/profiles/*.yaml hbm_bytes;
# the tool reads NVML's total, ~79.6 GiB on an H100 SXM: the max_batch_size buckets below
# absorb the difference)
GPU_GIB = {"h100_sxm": 80.0, "h200_sxm": 140.0}
# trtllm-bench's --kv_cache_free_gpu_mem_fraction default; perf-overview.md: "In many cases,
# we also use ... 0.95", per row not stated: the default is taken
TRT_BENCH_KV_FRACTION = 0.90


def trtllm_bench_limits(model, gpu, tp, isl, osl):
    """-> (max_batch_size, max_num_tokens) as trtllm-bench throughput sets them for an FP8
    checkpoint (1 byte a weight) with a 16-bit KV cache (the checkpoints' KV quantisation is
    not stated by the page: taken as none), ISL/OSL fixed, pp 1."""
    params, layers, kv_heads, head = TRT_BENCH_MODEL[model]
    gib = 1024.0 ** 3
    per_token = 2 * layers * max(tp, kv_heads) * head * 2 / gib
    available = GPU_GIB[gpu] * tp - params * 1.0 / gib
    requests = available * TRT_BENCH_KV_FRACTION / (per_token * (isl + osl))
    raw_bs = min(requests, 4096)
    raw_tok = min(raw_bs * (1 + isl / osl), 32768)
    if raw_bs < 256:
        bs = max(64, 32 * math.ceil(raw_bs / 32))
    elif raw_bs < 1024:
        bs = 128 * math.ceil(raw_bs / 128)
    else:
        bs = 256 * math.ceil(raw_bs / 256)
    if raw_tok < 4096:
        tok = max(2048, 256 * math.ceil(raw_tok / 256))
    elif raw_tok < 8192:
        tok = 512 * math.ceil(raw_tok / 512)
    else:
        tok = 1024 * math.ceil(raw_tok / 1024)
    return bs, max(tok, isl + bs)
# ttsim's attention model is FlashAttention 3 (the profiles' fit); runs that chose another
# backend measure another kernel
ATTENTION_BACKENDS_MODELLED = {"fa3"}


# vLLM's OpenAI-server scheduler limits when `vllm serve` does not set them, by GPU (>= 70 GiB
# and not an A100: 1024 sequences and 8192 tokens a step, else 256 and 2048; vLLM >= 0.10,
# vllm-project/vllm vllm/engine/arg_utils.py, "see PR #17885"; convert_moe.py VLLM_DEFAULTS,
# the same table). Applied to the GPUStack vLLM rows; --without-server-limits DIR writes the
# set as it was before (one default for every GPU, the engine profile's) into DIR.
VLLM_SERVER_LIMITS = {"h100_sxm": (1024, 8192), "h200_sxm": (1024, 8192), "a100_sxm": (256, 2048)}
SERVER_LIMITS = True


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
    if (not status and hf == "huggyllama/llama-7b" and
            int(o["input_len"]) + int(o["output_len"]) > LLAMA1_MAX_LEN):
        status = ("skip: input + output %d exceeds LLaMA-1's %d-token context: vLLM stopped "
                  "the sequences there (the run did not generate its output)"
                  % (int(o["input_len"]) + int(o["output_len"]), LLAMA1_MAX_LEN))
    if not status and hf not in MODEL_MAP:
        status = "skip: model not in the catalog and no config.json here"
    if not status and r["engine"] == "nim":
        status = ("skip: NIM: the engine behind it (TensorRT-LLM or vLLM profile) and the "
                  "client's endpoint are not stated on the page")
    if not status and r["engine"] not in ENGINES_WITH_PROFILE:
        status = "skip: engine without a profile (%s)" % r["engine"]
    if not status and r["engine"] == "trtllm" and not o["engine_version"].startswith(TRTLLM_VERSIONS):
        status = "skip: TensorRT-LLM %s: no profile (trtllm-1.yaml is 1.x)" % o["engine_version"]
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
        # the scripts' --enable-chunked-prefill is store_true: LLM(enable_chunked_prefill=
        # False) on every run, so no vLLM release turned it on for a long context
        o["chunked_prefill"] = "false"
        if SOURCE_MAX_LEN.get(hf):
            o["max_model_len"] = str(SOURCE_MAX_LEN[hf])
            extra.append("max_model_len %d: %s's max_position_embeddings (not set by the "
                         "run)" % (SOURCE_MAX_LEN[hf], hf))
        extra.append("value = %d x %d / %.6g s (batch x output_len / whole-batch wall time)"
                     % (b, out, wall))
    elif sid.startswith("anltrt_"):
        # Argonne's TensorRT-LLM rows: kept as the file gives them (Latency, s); never
        # simulated (the engine version's skip above), so not converted further
        o["endpoint"] = "none"
        o["dataset"] = "random"
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
        if r["engine"] == "trtllm" and "--enable_chunked_prefill" in notes:
            o["chunked_prefill"] = "true"  # trtllm-serve's default is off (trtllm-1.yaml)
        m = re.search(r"server cmd: [^;]*--max_num_tokens[= ](\d+)", notes)
        if r["engine"] == "trtllm" and m:
            o["max_num_batched_tokens"] = m.group(1)  # trtllm-serve's step budget (default 8192)
        # GPUStack's runner images install FlashInfer, which vLLM 0.9 to 0.11.0 samples
        # with by default (convert_moe.py fi_sampler, the one rule for both sets)
        if r["engine"] == "vllm":
            o["flashinfer_sampler"] = convert_moe.fi_sampler("vllm", o["engine_version"])
        # a plain `vllm serve` (every GPUStack vLLM row: none sets --max-num-seqs or
        # --max-num-batched-tokens) runs the OpenAI server's limits for its GPU, vLLM >= 0.10;
        # the same rule and table as convert_moe.py's VLLM_DEFAULTS (VALIDATION.md, "Burst
        # TPOT on GPUStack", item 4)
        if SERVER_LIMITS and r["engine"] == "vllm" and o["engine_version"].startswith(("0.10", "0.11")):
            m = re.search(r"server cmd: ([^;]*)", notes)
            if not m or "--max-num" in m.group(1):
                raise SystemExit("convert_serving.py: row %s: GPUStack vLLM row without a plain "
                                 "server command in the notes" % sid)
            o["max_num_seqs"], o["max_num_batched_tokens"] = (str(v) for v in VLLM_SERVER_LIMITS[o["gpu"]])
            extra.append("max_num_seqs %s, max_num_batched_tokens %s: vLLM's OpenAI-server "
                         "defaults on this GPU (vllm/engine/arg_utils.py, PR #17885)"
                         % (o["max_num_seqs"], o["max_num_batched_tokens"]))
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
        # an offline batch, written as the Argonne batches are: concurrency = num_prompts
        # (each of N clients sends one request at t = 0: the same run as a burst of N), so
        # that `validate --fit-engine` reads it as an offline batch (its makespan = total
        # output / throughput)
        o["concurrency"] = o["num_prompts"]
        extra.append("concurrency %s = num_prompts (an offline batch, as the Argonne rows)"
                     % o["num_prompts"])
        o["endpoint"] = "none"  # trtllm-bench throughput: offline, no API server
        o["dataset"] = "synthetic"
        o["ignore_eos"] = "true"
        if not status:
            # trtllm-bench throughput's own limits for this ISL/OSL (trtllm_bench_limits),
            # chunked prefill off (its default; the page's options do not set it)
            isl, osl = int(o["input_len"]), int(o["output_len"])
            bs, tok = trtllm_bench_limits(o["model"], o["gpu"], int(o["tp"]), isl, osl)
            # ttsim's unchunked scheduler is vLLM's: a preempted sequence recomputes its
            # prompt and output so far in one step, so it needs the budget to hold ISL + OSL
            # - 1 (sim/engine.c). TensorRT-LLM's default capacity policy (GUARANTEED_NO_EVICT)
            # never preempts; the budget is raised to that where the heuristic's is smaller
            sim_tok = max(tok, isl + osl - 1)
            o["max_num_seqs"], o["max_num_batched_tokens"] = str(bs), str(sim_tok)
            o["chunked_prefill"] = "false"
            extra.append("max_num_seqs %d and max_num_batched_tokens %d: what trtllm-bench "
                         "throughput's heuristic picks for this model, GPU, TP and ISL/OSL "
                         "(kv fraction 0.90, 16-bit KV assumed)%s; chunked prefill off"
                         % (bs, tok, "" if sim_tok == tok else
                            ", raised to %d = ISL + OSL - 1 (ttsim's unchunked scheduler "
                            "recomputes a preempted sequence in one step)" % sim_tok))
    else:
        raise SystemExit("convert_serving.py: row %s: unknown source family" % sid)
    if not status and hf in IN_OTHER_SET:
        status = IN_OTHER_SET[hf]
    if "kv_cache_dtype=fp8" in notes:
        o["kv_dtype"] = "fp8"
    if o["dtype"] == "fp16":
        extra.append("fp16, simulated as bf16 (same bytes and tensor-core rate)")
    o["status"] = status
    o["notes"] = (notes + ("; CONVERSION: " + "; ".join(extra) if extra else ""))
    return o


# Argonne rows beyond shared/: the A100 and GH200 vLLM runs (and every Nvidia TensorRT-LLM
# run) of the same Plots/All_results.csv the H100 rows come from, copied with its licence
# (sources/argonne/SOURCES.md). Same split rule: the file is the check part's.
ARGONNE_COPY = os.path.join("sources", "argonne", "All_results_nvidia.csv")
ARGONNE_SRC = ("github argonne-lcf/LLM-Inference-Bench Plots/All_results.csv "
               "@4211f5d4e9bc0145ed541b6d372d5d8223b44235 (copy: tests/validation/%s line %%d)"
               % ARGONNE_COPY)
# Hardware -> (id tag, ttsim GPU, engine versions by framework, how the run was set up)
ARGONNE_GPU = {
    "Nvidia A100 GPU": ("a100", "tests/validation/configs/a100_sxm4_40gb.yaml", {
        "vLLM": "0.6.x (not pinned; vLLM/A100 requirements files are vLLM 0.6.x's: torch 2.4.0, "
                "xformers 0.0.27.post2, vllm-flash-attn 2.6.1; V0 engine)",
        "TensorRT-LLM": "0.11.0"},
        "ALCF Polaris (PBS, /lus/grand): A100 SXM4 40 GiB, 4 a node, NVLink between every pair; "
        "vLLM/A100/Throughput_measurement/benchmark_throughput.py"),
    "Nvidia GH200 GPU": ("gh200", "gh200", {
        "vLLM": "0.5.3.post1 (vLLM/GH200/run-throughput-bench.sh)",
        "TensorRT-LLM": "0.12.0"},
        "JLSE GH200 (memory variant not stated; ttsim's gh200 profile is 96 GB HBM3, 4.0 TB/s); "
        "Apptainer image from nvcr.io/nvidia/pytorch:24.06; vLLM/GH200/"),
    "Nvidia H100 GPU": ("h100", "h100_sxm", {"TensorRT-LLM": "0.11.0"}, "JLSE H100"),
}
ARGONNE_SHORT = {
    "meta-llama/Llama-2-7b-hf": "l2-7b-hf", "meta-llama/Llama-2-70b-hf": "l2-70b-hf",
    "meta-llama/Meta-Llama-3-8B": "l3-8b", "meta-llama/Meta-Llama-3-70B": "l3-70b",
    "mistralai/Mistral-7B-v0.1": "mis-7b-v0.1", "mistralai/Mixtral-8x7B-v0.1": "mix-8x7b-v0.1",
    "Qwen/Qwen2-7B": "qwen2-7b", "Qwen/Qwen2-72B": "qwen2-72b", "Deci/DeciLM-7B": "decilm-7b",
}
# the MoE rows of the copy: simulated in their own file (as BLIS's Mixtral rows are in
# moe_mixtral.csv), kept in serving_check.csv with a status naming it
ARGONNE_MOE_FILE = "moe_argonne.csv"
ARGONNE_MOE = {"mistralai/Mixtral-8x7B-v0.1"}


def argonne_rows():
    """sources/argonne/All_results_nvidia.csv -> rows in shared/'s measured format."""
    out, seen = [], {}
    with open(os.path.join(HERE, ARGONNE_COPY), newline="") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            fw, model = r["Framework"], r["Model"]
            if r["Hardware"] not in ARGONNE_GPU or fw not in ARGONNE_GPU[r["Hardware"]][2]:
                raise SystemExit("convert_serving.py: %s:%d: Hardware '%s' / Framework '%s' "
                                 "not in ARGONNE_GPU" % (ARGONNE_COPY, line, r["Hardware"], fw))
            tag, gpu, versions, setup = ARGONNE_GPU[r["Hardware"]]
            n, b, tp = r["Input Output Length"], r["Batch Size"], r["Num of Hardware"]
            short = ARGONNE_SHORT.get(model, model.split("/")[-1].lower())
            base = "%s_%s_tp%s_%s_io%s_b%s" % ("anl" if fw == "vLLM" else "anltrt", tag, tp,
                                              short, n, b)
            seen[base] = seen.get(base, 0) + 1
            rid = base if seen[base] == 1 else "%s_r%d" % (base, seen[base])
            notes = ("offline batch of %s random-id prompts (%s); %s; input_len=output_len fixed; "
                     "ignore_eos=True; value=Latency column (s; for vLLM the whole-batch wall "
                     "time of one llm.generate after three warm-ups); --dtype float16; source "
                     "Throughput column (batch*(in+out)/latency, total tok/s)=%s"
                     % (b, fw, setup, r["Throughput"]))
            if seen[base] > 1:
                notes += "; a repeat of the same configuration in the source file (both kept)"
            out.append((ARGONNE_COPY, {
                "id": rid, "model": model, "gpu": gpu, "tp": tp, "dtype": "fp16",
                "input_len": n, "output_len": n, "concurrency": b, "metric": "e2e_s",
                "value": r["Latency"], "engine": "vllm" if fw == "vLLM" else "trtllm",
                "engine_version": versions[fw], "source": ARGONNE_SRC % line, "notes": notes}))
    return out


# GPUStack pages beyond shared/: copied under sources/gpustack/ (SOURCES.md there), read with
# convert_moe.py's page parser and written as shared/'s GPUStack rows are (the same notes,
# so that convert() treats them alike). (copy, page, ttsim GPU, how the page's hardware was
# read, for the notes)
GPUSTACK_COMMIT = convert_moe.PAGES_COMMIT
GPUSTACK_COPIES = [
    ("sources/gpustack/qwen3-14b-a100.md", "docs/performance-lab/qwen3-14b/a100.md", "a100_sxm",
     "the page's 'A single NVIDIA A100 SXM GPU', taken as the 80 GB part "
     "(sources/gpustack/SOURCES.md)"),
]
# the dtype column is the activations' for a weight-only integer checkpoint (its config's
# quantization_config gives the weights' bits: models/catalog.c)
GPUSTACK_DTYPE = {"-FP8": "fp8", "-AWQ": "bf16"}


def gpustack_rows():
    """sources/gpustack/*.md -> rows in shared/'s measured format: every `vllm bench serve`
    result printed on the page (an error printed instead of a result is not a run)."""
    out = []
    for copy, page, gpu, hardware in GPUSTACK_COPIES:
        text = open(os.path.join(HERE, copy)).read()
        vers = convert_moe.versions_of(text)
        res, _ = convert_moe.blocks(text)
        src = ("github gpustack/gpustack %s @%s (copy: tests/validation/%s)"
               % (page, GPUSTACK_COMMIT, copy))
        name = page.split("performance-lab/")[1]
        seen = {}
        for section, _label, cmd, case, r in res:
            eng = convert_moe.engine_of(cmd)
            if case.startswith("--"):
                # one command, a result per value of the flag the case names
                flagname = case.split("=")[0]
                cmd = re.sub(r"%s[= ]\S+" % re.escape(flagname), case, cmd)
            toks = cmd.split()
            hf = toks[toks.index("--model-path") + 1] if "--model-path" in toks else \
                toks[2 if eng == "vllm" else 1]
            dtype = next((d for k, d in GPUSTACK_DTYPE.items() if hf.endswith(k)), "bf16")
            n = int(r["Successful requests"])
            conc = int(r.get("Maximum request concurrency", "0"))
            tin, tout = int(r["Total input tokens"]), int(r["Total generated tokens"])
            rc = re.match(r"random (\S+) input", case)
            sec = re.sub(r"^\d+\.\s*", "", section)
            if rc:
                isl, osl = convert_moe.RANDOM_CASES[rc.group(1)]
                what = ("random dataset configured ISL=%d OSL=%d (vllm bench serve --dataset-name "
                        "random --seed 42, no --ignore-eos, random-range-ratio default)" % (isl, osl))
            else:
                what = ("ShareGPT_V3_unfiltered_cleaned_split (vllm bench serve --dataset-name "
                        "sharegpt, chat endpoint)")
            flags = " ".join(t for t in toks[toks.index(hf) + 1:])
            tag = re.sub(r"[^a-z0-9]+", "", flags.lower())[:16]
            base = "gps_%s_%s_%s_%s_c%d%s" % (gpu.split("_")[0], eng, hf.split("/")[-1].lower(),
                                              "rnd" + rc.group(1).lower() if rc else "sgpt",
                                              conc, "_" + tag if tag else "")
            seen[base] = seen.get(base, 0) + 1
            if seen[base] > 1:
                raise SystemExit("convert_serving.py: %s: two results of %s" % (copy, base))
            notes = ("GPUStack performance-lab '%s' section '%s'%s; %s; %s; num_prompts=%d; "
                     "input_len/output_len = measured means (Total input tokens %d / %d, Total "
                     "generated tokens %d / %d); server cmd: %s; client: vllm bench serve "
                     "(openai-chat); Mean ITL=%s ms; req/s=%s; hardware: %s"
                     % (name, sec, (" case '%s'" % case) if case else "", what,
                        ("closed-loop --max-concurrency %d" % conc) if conc else
                        "request-rate inf, no max-concurrency: all num_prompts sent at t=0 (rate=inf)",
                        n, tin, n, tout, n, cmd, r.get("Mean ITL (ms)", "?"),
                        r.get("Request throughput (req/s)", "?"), hardware))
            for metric, key in convert_moe.METRICS:
                out.append((copy, {
                    "id": base + "_" + metric.split("_")[0], "model": hf, "gpu": gpu, "tp": "1",
                    "dtype": dtype, "input_len": "%g" % round(tin / n, 2),
                    "output_len": "%g" % round(tout / n, 2), "concurrency": str(conc),
                    "metric": metric, "value": r[key], "engine": eng,
                    "engine_version": "v" + vers[eng], "source": src, "notes": notes}))
    return out


def main():
    # usage: convert_serving.py [SHARED_DIR] [--without-server-limits OUT_DIR]: the second
    # form writes the parts without vLLM's per-GPU server limits (the set before they were
    # applied) into OUT_DIR, made if missing, not here
    global SERVER_LIMITS
    args, out_dir = sys.argv[1:], HERE
    if "--without-server-limits" in args:
        i = args.index("--without-server-limits")
        if i + 1 >= len(args):
            raise SystemExit("convert_serving.py: --without-server-limits needs an output directory")
        SERVER_LIMITS, out_dir = False, args[i + 1]
        del args[i:i + 2]
        os.makedirs(out_dir, exist_ok=True)
    shared = args[0] if args else os.path.join(HERE, "..", "..", "..", "shared", "validation", "serving")
    rows = []
    for f in ["measured.csv", "measured_fp16.csv"]:
        with open(os.path.join(shared, f), newline="") as fh:
            rows += [(f, r) for r in csv.DictReader(fh)]
    BLIS_TPOT.update(blis_implied_tpot(rows))
    parts = {"fit": [], "check": []}
    for f, r in rows:
        o = convert(r)
        parts[part_of(r["source"], r["id"])].append(o)
    for f, r in gpustack_rows():
        parts[part_of(r["source"], r["id"])].append(convert(r))
    moe = []
    for f, r in argonne_rows():
        o = convert(r)
        if r["model"] in ARGONNE_MOE and not o["status"].startswith("skip:") or \
                o["status"].startswith("skip: simulated in moe_mixtral"):
            m = dict(o)
            m["status"] = ""
            moe.append(m)
            o["status"] = ("skip: simulated in %s (MoE set; the same row)" % ARGONNE_MOE_FILE)
        parts[part_of(r["source"], r["id"])].append(o)
    with open(os.path.join(out_dir, ARGONNE_MOE_FILE), "w", newline="") as fh:
        fh.write("# Mixture-of-Experts measured runs: Argonne's Mixtral-8x7B-v0.1 vLLM offline batches on\n"
                 "# 4 x A100 SXM4 40GB (Polaris), written by tests/validation/convert_serving.py from\n"
                 "# sources/argonne/All_results_nvidia.csv; the same rows as serving_check.csv's, simulated here. Do not edit.\n")
        w = csv.DictWriter(fh, fieldnames=OUT_COLS, lineterminator="\n")
        w.writeheader()
        for o in moe:
            w.writerow(o)
    for part, rs in parts.items():
        path = os.path.join(out_dir, "serving_%s.csv" % part)
        with open(path, "w", newline="") as fh:
            fh.write("# Serving development set, %s part: written by tests/validation/convert_serving.py\n"
                     "# from shared/validation/serving/{measured,measured_fp16}.csv%s (see README.md). Do not edit.\n"
                     % (part, " and sources/{argonne/All_results_nvidia.csv,gpustack/*.md}" if part == "check" else ""))
            w = csv.DictWriter(fh, fieldnames=OUT_COLS, lineterminator="\n")
            w.writeheader()
            for o in rs:
                w.writerow(o)
    print("fit %d rows, check %d rows (of %d; %d MoE rows in %s)"
          % (len(parts["fit"]), len(parts["check"]), len(rows) + len(argonne_rows()) + len(gpustack_rows()), len(moe),
             ARGONNE_MOE_FILE))


if __name__ == "__main__":
    main()
