#!/usr/bin/env python3
"""A candidate for ttsim's non-KV, non-weight memory, fitted on memory.csv's fit rows and
reported on its check rows (issue 19). It changes nothing that ttsim ships: it reads ttsim's
plan for each row (memory.py's run) and asks what the KV memory would be if the profile's flat
`memory.reserved_bytes` (3e9 bytes on every GPU, uncited) were instead

    reserve(tp) = a + b x [tp > 1]      (GiB a GPU)

a: what vLLM holds outside weights, KV and the profile run's activations on one GPU (CUDA
context, cuBLAS workspace, allocator slack); b: what a tensor-parallel group adds (NCCL
communicators, custom all-reduce buffers). ttsim's activation term (forward peak or sampler
peak, models/cost.c) is kept as it is.

Split, fixed by source before any error was looked at: fit rows are the vLLM maintainers' own
runs quoted in vLLM pull requests (source github.com/vllm-project/vllm/pull/...); check rows
are everything else (user issues, blogs). Rows with a status ("known: ...") are not fitted and
are printed, not counted. A row's implied reserve is the one that makes ttsim's KV memory
vLLM's: the shipped reserve plus ttsim's KV minus vLLM's (GiB). a and b are the least-squares
line through the fit rows' implied reserves against [tp > 1] (GSL's gsl_fit_linear through
ctypes; with so few rows a robust fit would be no different and is not claimed).

Two deployments that vLLM ran and ttsim cannot (VALIDATION.md) are checked as bounds: GPUStack
Qwen3-32B on one H100 at 32K (vLLM held at least the 2007 blocks a 32,100-token request
needs) and Argonne Llama-2-70B TP 4 on A100 40GB (vLLM held at least one 4096-token request).

Usage: memory_candidate.py TTSIM [CSV]
"""
import ctypes
import ctypes.util
import re
import statistics
import subprocess
import sys

import memory

GIB = float(1 << 30)
SHIPPED = 3e9 / GIB  # models/profiles/*.yaml memory.reserved_bytes


def gsl_line(x, y):
    """y = c0 + c1 x by least squares (gsl_fit_linear)."""
    name = ctypes.util.find_library("gsl")
    if name is None:
        memory.die("memory_candidate.py: libgsl not found")
    gsl = ctypes.CDLL(name)
    n = len(x)
    X, Y = (ctypes.c_double * n)(*x), (ctypes.c_double * n)(*y)
    out = [ctypes.c_double() for _ in range(6)]
    rc = gsl.gsl_fit_linear(X, ctypes.c_size_t(1), Y, ctypes.c_size_t(1), ctypes.c_size_t(n),
                            *[ctypes.byref(o) for o in out])
    if rc != 0:
        memory.die(f"memory_candidate.py: gsl_fit_linear failed ({rc})")
    return out[0].value, out[1].value


def refused_kv(ttsim, args):
    """ttsim's (negative) KV memory in GiB from its 'does not fit' message."""
    p = subprocess.run([ttsim] + args, capture_output=True, text=True)
    m = re.search(r"([\d.]+) GB of weights, ([\d.]+) GB of activations and the profile's "
                  r"([\d.]+) GB reserve .*?per GPU at tp \d+, ([\d.]+) GB usable", p.stderr)
    if m is None:
        return None
    w, a, r, u = (float(v) * 1e9 / GIB for v in m.groups())
    return u - w - a - r


def main():
    if len(sys.argv) < 2:
        memory.die("usage: memory_candidate.py TTSIM [CSV]")
    ttsim = sys.argv[1]
    path = sys.argv[2] if len(sys.argv) > 2 else "tests/validation/memory.csv"
    rows = [r for r in memory.read_rows(path)
            if r["gpu"] != "any" and r["available_kv_gib"] is not None
            and r["gpu_memory_utilization"] is not None]
    for r in rows:
        r["split"] = "fit" if "github.com/vllm-project/vllm/pull/" in r["source"] else "check"
    fit = [r for r in rows if r["split"] == "fit" and not r["status"]]
    if len(fit) < 3 or len({r["tp"] > 1 for r in fit}) < 2:
        memory.die(f"{path}: the fit needs 3 or more fit rows with a status-free KV memory, "
                   "at TP 1 and above")
    for r in rows:
        m = memory.run(ttsim, r)
        r["ttsim_kv"] = None if m is None else m["available_kv_cache_memory_gib"]
    if any(r["ttsim_kv"] is None for r in fit):
        memory.die(f"{path}: a fit row's deployment does not fit in ttsim: "
                   + ", ".join(r["id"] for r in fit if r["ttsim_kv"] is None))
    x = [1.0 if r["tp"] > 1 else 0.0 for r in fit]
    y = [SHIPPED + r["ttsim_kv"] - r["available_kv_gib"] for r in fit]
    a, b = gsl_line(x, y)
    print(f"fit rows {len(fit)}: reserve(tp) = {a:.2f} + {b:.2f} x [tp > 1] GiB "
          f"(shipped: {SHIPPED:.2f} GiB at every tp)")
    for r, yi in zip(fit, y):
        print(f"  implied {r['id']:26} tp {r['tp']}  {yi:5.2f} GiB")
    print(f"{'row':26} {'split':6} {'vLLM':>7} {'shipped':>8} {'err':>7} {'cand':>7} {'err':>7}")
    errs = {"fit": ([], []), "check": ([], [])}
    for r in rows:
        kv = r["available_kv_gib"]
        res = a + (b if r["tp"] > 1 else 0.0)
        if r["ttsim_kv"] is None:  # refused by ttsim: its KV from the message
            gpu = "h100_sxm" if r["gpu"] == "any" else r["gpu"]
            args = ["run", "--model", r["model"], "--gpu", gpu, "--tp", str(r["tp"]),
                    "--dtype", r["dtype"], "--gpu-memory-utilization",
                    str(r["gpu_memory_utilization"]), "--max-num-batched-tokens",
                    str(r["max_num_batched_tokens"] or memory.default_batched_tokens(r)),
                    "--max-num-seqs", str(memory.max_seqs(r)), "--max-model-len",
                    str(r["max_model_len"] or 0), "--mxfp4-backend", memory.mxfp4_backend(r),
                    "--requests", "1"]
            shipped = refused_kv(ttsim, args)
        else:
            shipped = r["ttsim_kv"]
        cand = None if shipped is None else shipped + SHIPPED - res
        e0 = memory.rel(shipped, kv) if shipped is not None else None
        e1 = memory.rel(cand, kv) if cand is not None else None
        tag = f"  {r['status'][:60]}" if r["status"] else ""
        f = lambda v, p: f"{v:{p}}" if v is not None else "-"
        print(f"{r['id']:26} {r['split']:6} {kv:7.2f} {f(shipped, '8.2f'):>8} "
              f"{f(e0, '+7.1%'):>7} {f(cand, '7.2f'):>7} {f(e1, '+7.1%'):>7}{tag}")
        if not r["status"] and e0 is not None and kv > 0:
            errs[r["split"]][0].append(abs(e0))
            errs[r["split"]][1].append(abs(e1))
    for s, (e0, e1) in errs.items():
        if e0:
            print(f"{s}: {len(e0)} rows, |err| of KV GiB median {statistics.median(e0):.1%} "
                  f"max {max(e0):.1%} shipped -> median {statistics.median(e1):.1%} "
                  f"max {max(e1):.1%} candidate")
    # the two bounds: vLLM ran these, so its KV memory was at least what they need
    qwen = ["--model", "qwen3-32b", "--gpu", "h100_sxm", "--max-model-len", "40960",
            "--max-num-batched-tokens", "8192"]
    llama = ["--model", "llama-2-70b", "--gpu", "tests/validation/configs/a100_sxm4_40gb.yaml",
             "--tp", "4", "--max-model-len", "4096", "--max-num-seqs", "256"]
    q_need, l_need = 2007 * 16 * 262144 / GIB, 256 * 16 * 81920 / GIB
    bounds = [  # name, ttsim arguments, vLLM's KV at least (GiB), tp, what
        ("qwen3_32b_h100_32k_seqs256", qwen + ["--max-num-seqs", "256"], q_need, 1,
         "2007 blocks; 256 sequences, as ttsim validate runs serving_check.csv"),
        ("qwen3_32b_h100_32k_seqs1024", qwen + ["--max-num-seqs", "1024"], q_need, 1,
         "2007 blocks; 1024 sequences, vLLM 0.11's H100 default"),
        ("l2_70b_a100_40gb_tp4_mbt8192", llama + ["--max-num-batched-tokens", "8192"], l_need,
         4, "one 4096-token request; 8192 batched tokens, as ttsim validate runs it"),
        ("l2_70b_a100_40gb_tp4_mbt4096", llama + ["--max-num-batched-tokens", "4096"], l_need,
         4, "one 4096-token request; 4096 batched tokens, vLLM 0.6's max(max_model_len, 2048)"),
    ]
    for name, args, need, tp, what in bounds:
        p = subprocess.run([ttsim, "run"] + args + ["--requests", "1", "--input-len", "8",
                                                    "--output-len", "8", "--format", "json"],
                           capture_output=True, text=True)
        if p.returncode == 0:
            import json
            shipped = json.loads(p.stdout)["summary"]["memory"]["available_kv_cache_memory_gib"]
        else:
            shipped = refused_kv(ttsim, ["run"] + args + ["--requests", "1"])
        cand = shipped + SHIPPED - (a + (b if tp > 1 else 0.0))
        print(f"bound {name}: vLLM >= {need:.2f} GiB ({what}); ttsim shipped {shipped:.2f}, "
              f"candidate {cand:.2f}: {'fits' if cand >= need else 'still short'}")


if __name__ == "__main__":
    main()
