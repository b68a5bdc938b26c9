#!/usr/bin/env python3
"""ttsim's memory plan against what vLLM logs at startup (issue 19).

Reads tests/validation/memory.csv (one row a public vLLM startup log: "Model loading took X
GiB", "Available KV cache memory: Y GiB", "GPU KV cache size: N tokens", "Maximum concurrency
for L tokens per request: C x"), runs `ttsim run` for each row's deployment and compares
summary.memory, column by column where the log has the line:

  weights   model_loading_gib against ttsim's weights per GPU
  kv        available_kv_gib against ttsim's KV memory per GPU (rows on a shipped profile
            only; a negative logged value, vLLM refusing to start, must be a ttsim refusal
            or a KV memory below one request at max_model_len)
  tok/GiB   kv_tokens / available_kv_gib against ttsim's gpu_kv_cache_size_tokens /
            available_kv_cache_memory_gib: the block arithmetic alone, whatever the memory
  conc      max_concurrency against ttsim's concurrency at the logged KV memory (ttsim's
            blocks per GiB times the logged GiB, over its blocks a request)

It prints, for the hybrid (sliding-window) models, ttsim's tokens and concurrency with the
sliding layers' blocks freed (as now) and not freed (every layer holding every token, as
before issue 19's change and as vLLM with --disable-hybrid-kv-cache-manager).

With --check W,K,T it exits 1 unless every compared weight is within W, every KV memory within
K and every tokens-per-GiB and concurrency within T (relative); a row's KV memory is held only
when its status is empty (a status "known: why" prints it, unheld: vLLM's non-KV memory there
is not explained by a mechanism ttsim models).
Exit 2 on bad input (a one-line error naming file, line and key).

Usage: memory.py TTSIM [CSV] [--check W,K,T]
"""
import csv
import json
import subprocess
import sys

COLS = ["id", "model", "gpu", "tp", "dtype", "gpu_memory_utilization", "max_model_len",
        "max_num_batched_tokens", "vllm", "model_loading_gib", "available_kv_gib",
        "kv_tokens", "max_concurrency", "status", "source", "notes"]
GIB = float(1 << 30)


def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)


def num(path, line, key, text, kind=float, positive=False):
    if text == "":
        return None
    try:
        v = kind(text)
    except ValueError:
        die(f"{path}:{line}: key '{key}': '{text}' is not a number")
    if v != v or (positive and v <= 0):
        die(f"{path}:{line}: key '{key}': expected a positive number, got '{text}'")
    return v


def read_rows(path):
    try:
        f = open(path, newline="")
    except OSError as e:
        die(f"{path}: {e.strerror}")
    with f:
        lines = [(n, l) for n, l in enumerate(f, 1) if l.strip() and not l.startswith("#")]
    if not lines:
        die(f"{path}: no header (expected {','.join(COLS)})")
    reader = csv.reader([l for _, l in lines])
    header = next(reader)
    if header != COLS:
        die(f"{path}:{lines[0][0]}: header: expected {','.join(COLS)}")
    rows = []
    for (n, _), r in zip(lines[1:], reader):
        if len(r) != len(COLS):
            die(f"{path}:{n}: {len(r)} fields, expected {len(COLS)}")
        d = dict(zip(COLS, r))
        for k in ("id", "model", "gpu", "source"):
            if not d[k]:
                die(f"{path}:{n}: key '{k}': empty")
        d["line"] = n
        d["tp"] = num(path, n, "tp", d["tp"], int, True)
        if d["tp"] is None:
            die(f"{path}:{n}: key 'tp': empty")
        for k in ("gpu_memory_utilization", "model_loading_gib", "max_concurrency"):
            d[k] = num(path, n, k, d[k], float, True)
        d["available_kv_gib"] = num(path, n, "available_kv_gib", d["available_kv_gib"])
        for k in ("max_model_len", "max_num_batched_tokens", "kv_tokens"):
            d[k] = num(path, n, k, d[k], int, True)
        if d["gpu_memory_utilization"] is not None and d["gpu_memory_utilization"] > 1:
            die(f"{path}:{n}: key 'gpu_memory_utilization': expected at most 1")
        if d["status"] and not d["status"].startswith("known: "):
            die(f"{path}:{n}: key 'status': expected empty or 'known: why', got "
                f"'{d['status']}'")
        if d["dtype"] not in ("auto", "bf16", "fp8"):
            die(f"{path}:{n}: key 'dtype': expected auto, bf16 or fp8, got '{d['dtype']}'")
        if (d["kv_tokens"] or d["max_concurrency"]) and d["available_kv_gib"] is None:
            die(f"{path}:{n}: key 'available_kv_gib': needed beside kv_tokens or "
                "max_concurrency")
        rows.append(d)
    if not rows:
        die(f"{path}: no rows")
    return rows


def default_batched_tokens(r):
    """vLLM V1's default max_num_batched_tokens for the row's GPU when the log does not
    give it (vllm/engine/arg_utils.py, the same rule as max_seqs and as
    tests/validation/convert_moe.py's VLLM_DEFAULTS: 8192 on a GPU of 70 GiB or more that
    is not an A100, else 2048; V0 without chunked prefill: 8192 here, as before)."""
    v1 = not r["vllm"].lstrip("~").startswith("0.6")
    big = r["gpu"] in ("h100_sxm", "h200_sxm", "gh200", "any")
    return 8192 if big or not v1 else 2048


def max_seqs(r):
    """vLLM V1's default max_num_seqs for the row's GPU (vllm/engine/arg_utils.py,
    _set_default_args / get_batch_defaults, API server: 1024 on a GPU of 70 GiB or more
    that is not an A100, else 256; V0: 256), capped by max_num_batched_tokens as vLLM
    requires. It sets the rows of the profile run's sampler pass (models/cost.c)."""
    v1 = not r["vllm"].lstrip("~").startswith("0.6")
    big = r["gpu"] in ("h100_sxm", "h200_sxm", "gh200")
    return min(1024 if v1 and big else 256, r["max_num_batched_tokens"] or default_batched_tokens(r))


def mxfp4_backend(r):
    """vLLM's MXFP4 MoE kernel for the row (models/model.h enum mxfp4_backend): Triton on
    an SM90 GPU from vLLM 0.11.1 (triton_kernels shipped with vLLM), else Marlin."""
    v = tuple(int(x) for x in r["vllm"].lstrip("~").split("."))
    hopper = r["gpu"] in ("h100_sxm", "h200_sxm", "gh200")
    return "triton" if hopper and v >= (0, 11, 1) else "marlin"


def run(ttsim, r, weights_only=False):
    gpu = "h100_sxm" if r["gpu"] == "any" else r["gpu"]
    mbt = r["max_num_batched_tokens"] or default_batched_tokens(r)
    util, mml, seqs = r["gpu_memory_utilization"] or 0.9, r["max_model_len"] or 0, max_seqs(r)
    if weights_only:  # the weights alone: the whole GPU, a short context, one sequence
        util, mml, seqs, mbt = 1, 4096, 1, 4096
    args = [ttsim, "run", "--model", r["model"], "--gpu", gpu, "--tp", str(r["tp"]),
            "--dtype", r["dtype"], "--gpu-memory-utilization", str(util),
            "--max-num-batched-tokens", str(mbt), "--max-num-seqs", str(seqs),
            "--max-model-len", str(mml), "--mxfp4-backend", mxfp4_backend(r),
            "--requests", "1", "--input-len", "8", "--output-len", "8", "--format", "json"]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode == 2 and "does not fit" in p.stderr:
        return None
    if p.returncode != 0:
        die(f"row {r['id']} (line {r['line']}): ttsim failed: {p.stderr.strip()}")
    return json.loads(p.stdout)["summary"]["memory"]


def rel(pred, meas):
    return (pred - meas) / abs(meas)


def main():
    argv = sys.argv[1:]
    check = None
    if "--check" in argv:
        i = argv.index("--check")
        try:
            check = [float(x) for x in argv[i + 1].split(",")]
            assert len(check) == 3
        except (IndexError, ValueError, AssertionError):
            die("--check: expected W,K,T (three relative tolerances)")
        del argv[i:i + 2]
    if not argv:
        die("usage: memory.py TTSIM [CSV] [--check W,K,T]")
    ttsim = argv[0]
    path = argv[1] if len(argv) > 1 else "tests/validation/memory.csv"
    rows = read_rows(path)
    bad = []
    errs = {"weights": [], "kv": [], "tok/GiB": [], "conc": []}

    def held(kind, e, r):
        errs[kind].append(e)
        tol = None if check is None else check[{"weights": 0, "kv": 1}.get(kind, 2)]
        if tol is not None and abs(e) > tol:
            bad.append(f"{r['id']}: {kind} {e:+.1%} (limit {tol:.0%})")

    print(f"{'row':26} {'what':10} {'vLLM':>11} {'ttsim':>11} {'err':>8}")
    for r in rows:
        m = run(ttsim, r)
        if m is None:  # ttsim: the model does not fit
            if r["available_kv_gib"] is not None and r["available_kv_gib"] > 0 and \
                    r["gpu"] != "any":
                bad.append(f"{r['id']}: ttsim refuses, vLLM had {r['available_kv_gib']} GiB")
            print(f"{r['id']:26} {'kv':10} {r['available_kv_gib'] or '':>11} {'refused':>11}")
            m = run(ttsim, r, weights_only=True) if r["model_loading_gib"] else None
            refused = True
        else:
            refused = False
        if m is not None and r["model_loading_gib"] is not None:
            e = rel(m["model_loading_gib"], r["model_loading_gib"])
            held("weights", e, r)
            print(f"{r['id']:26} {'weights':10} {r['model_loading_gib']:11.2f} "
                  f"{m['model_loading_gib']:11.2f} {e:+8.1%}")
        if refused:
            continue  # only the weights were compared
        kv = r["available_kv_gib"]
        if kv is not None and r["gpu"] != "any" and r["gpu_memory_utilization"] is not None:
            e = rel(m["available_kv_cache_memory_gib"], kv)
            if r["status"]:
                print(f"{r['id']:26} {'kv':10} {kv:11.2f} "
                      f"{m['available_kv_cache_memory_gib']:11.2f} {e:+8.1%}  {r['status']}")
            else:
                held("kv", e, r)
                print(f"{r['id']:26} {'kv':10} {kv:11.2f} "
                      f"{m['available_kv_cache_memory_gib']:11.2f} {e:+8.1%}")
        tpg = m["gpu_kv_cache_size_tokens"] / m["available_kv_cache_memory_gib"]
        if r["kv_tokens"] is not None:
            meas = r["kv_tokens"] / kv
            e = rel(tpg, meas)
            held("tok/GiB", e, r)
            print(f"{r['id']:26} {'tok/GiB':10} {meas:11.0f} {tpg:11.0f} {e:+8.1%}")
        if r["max_concurrency"] is not None:
            # ttsim's concurrency at the logged KV memory: its blocks per GiB x the GiB
            per_req = m["num_gpu_blocks"] / m["maximum_concurrency"]
            blocks = int(m["num_gpu_blocks"] / m["available_kv_cache_memory_gib"] * kv)
            pred = blocks / per_req
            e = rel(pred, r["max_concurrency"])
            held("conc", e, r)
            print(f"{r['id']:26} {'conc':10} {r['max_concurrency']:11.2f} {pred:11.2f} "
                  f"{e:+8.1%}")
        if m["kv_cache_groups"] > 1:
            # not freed: one group of every layer (gpt-oss: the groups' layers make the
            # model's, no padding), a block as many times larger as there are groups
            g = m["kv_cache_groups"]
            bs = m["gpu_kv_cache_size_tokens"] // (m["num_gpu_blocks"] // g)
            before_blocks = m["num_gpu_blocks"] // g
            L = m["max_model_len"]
            before_conc = before_blocks / -(-L // bs)
            print(f"{r['id']:26} {'hybrid':10} concurrency at {L:,} tokens "
                  f"{m['maximum_concurrency']:.2f}x, {before_conc:.2f}x with nothing freed "
                  f"({m['gpu_kv_cache_size_tokens']:,} tokens either way)")
    for k, v in errs.items():
        v = [abs(x) for x in v if x is not None]
        if v:
            print(f"{k}: {len(v)} rows, median |err| {sorted(v)[len(v) // 2]:.1%}, "
                  f"max {max(v):.1%}")
    if check is not None:
        for b in bad:
            print("FAIL " + b)
        if bad:
            sys.exit(1)
        print("memory: every compared row within its limit")


if __name__ == "__main__":
    main()
