#!/usr/bin/env python3
"""convert_moe.py: GPUStack performance-lab pages of Mixture-of-Experts models -> the
measured-run file tests/validation/moe_serving.csv (issue 19).

    python3 tests/validation/convert_moe.py GPUSTACK_GIT_DIR [COMMIT]

writes tests/validation/moe_fit.csv and tests/validation/moe_serving.csv.

GPUSTACK_GIT_DIR is a git directory of github.com/gpustack/gpustack (a clone, or the bare
snapshot the session's `fetch` gives); COMMIT defaults to PAGES_COMMIT below, the commit the
serving set's GPUStack rows cite. Deterministic: the same pages give the same file.

Every `vllm bench serve` result printed on the pages below becomes four rows (ttft_ms,
tpot_ms, output_tok_per_s; e2e is not printed), following convert_serving.py's GPUStack
conventions (tests/validation/README.md): input/output lengths are the printed totals /
successful requests, rounded (the unrounded means stay in the notes); the 1000-prompt ShareGPT
runs and the random runs are bursts (every prompt at t = 0, concurrency 0, request_rate inf);
"ShareGPT batch size 4" is a closed loop of 4 clients; random runs without --ignore-eos get
range_ratio 0 and max_output_len = the configured output length. The serving command's flags
(tp, pp, expert parallel, --async-scheduling, --max-num-batched-tokens, --max-model-len,
--kv-cache-dtype) are read from the page and kept in the notes; a run ttsim cannot reproduce
is kept with a status ("skip: why"), never dropped. Results that are an error message (a
crash printed instead of a benchmark) are not runs and give no row; the header of the output
lists them.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PAGES_COMMIT = "47277d79f4a5bae12a2d25e9ecbed2a2177a5f2d"
PAGES = [
    # (page, GPU profile, part); every page the lab has of a MoE model on an NVIDIA GPU ttsim has
    # a profile of. Left out: qwen3-30b-a3b/910b.md (Ascend 910B: no profile), glm-5.2 and
    # deepseek-v3.2 (DeepSeek-V3.2's sparse attention is not modelled), qwen3.5-35b-a3b
    # (hybrid linear attention: refused). The GLM pages (glm4_moe, December 2026: GLM-4.5-Air
    # on 4 GPUs, GLM-4.6 on 8) are check pages like the others.
    # The split is by page, as for the serving set: the one page a constant was chosen on
    # (cost.c MOE_WONLY_EFF, on its random-32K row) is the fit part; the rest is checked.
    ("docs/performance-lab/gpt-oss-20b/h100.md", "h100_sxm", "fit"),
    ("docs/performance-lab/gpt-oss-20b/a100.md", "a100_sxm", "check"),
    ("docs/performance-lab/gpt-oss-120b/h100.md", "h100_sxm", "check"),
    ("docs/performance-lab/gpt-oss-120b/a100.md", "a100_sxm", "check"),
    ("docs/performance-lab/qwen3-235b-a22b/h100.md", "h100_sxm", "check"),
    ("docs/performance-lab/qwen3-235b-a22b/a100.md", "a100_sxm", "check"),
    ("docs/performance-lab/deepseek-r1/h200.md", "h200_sxm", "check"),
    ("docs/performance-lab/glm-4.5-air/a100.md", "a100_sxm", "check"),
    ("docs/performance-lab/glm-4.5-air/h100.md", "h100_sxm", "check"),
    ("docs/performance-lab/glm-4.x/a100.md", "a100_sxm", "check"),
    ("docs/performance-lab/glm-4.x/h100.md", "h100_sxm", "check"),
    ("docs/performance-lab/glm-4.x/h200.md", "h200_sxm", "check"),
]

# Hugging Face id in the serving command -> (what ttsim simulates, dtype, note or "")
MODELS = {
    "openai/gpt-oss-20b": ("openai/gpt-oss-20b", "bf16", ""),
    "openai/gpt-oss-120b": ("openai/gpt-oss-120b", "bf16", ""),
    "Qwen/Qwen3-235B-A22B-Instruct-2507": (
        "Qwen/Qwen3-235B-A22B", "bf16",
        "Qwen3-235B-A22B-Instruct-2507 simulated as Qwen/Qwen3-235B-A22B (same dimensions; "
        "the 2507 release extends max_position_embeddings only)"),
    "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8": (
        "Qwen/Qwen3-235B-A22B", "fp8",
        "Qwen3-235B-A22B-Instruct-2507-FP8 (block fp8, 128x128) simulated as "
        "Qwen/Qwen3-235B-A22B in fp8 (same dimensions)"),
    "deepseek-ai/DeepSeek-R1-0528": ("deepseek-ai/DeepSeek-R1-0528", "fp8", ""),
    "/workspace/DeepSeek-R1-0528": ("deepseek-ai/DeepSeek-R1-0528", "fp8", ""),
    "zai-org/GLM-4.5-Air": ("zai-org/GLM-4.5-Air", "bf16", ""),
    "GLM-4.5-Air": ("zai-org/GLM-4.5-Air", "bf16",
                    "the command's --model GLM-4.5-Air (a local name) is zai-org/GLM-4.5-Air"),
    "zai-org/GLM-4.5-Air-FP8": (
        "zai-org/GLM-4.5-Air", "fp8",
        "GLM-4.5-Air-FP8 simulated as zai-org/GLM-4.5-Air in fp8 (same dimensions; its "
        "quantization block form not read)"),
    "zai-org/GLM-4.6": ("zai-org/GLM-4.6", "bf16", ""),
    "zai-org/GLM-4.6-FP8": (
        "zai-org/GLM-4.6", "fp8",
        "GLM-4.6-FP8 simulated as zai-org/GLM-4.6 in fp8 (same dimensions; its "
        "quantization block form not read)"),
}

# Sections whose printed outputs are another page's, not runs on this page's GPU: kept with
# a status. glm-4.5-air/h100.md's "Other Benchmark Cases" are byte for byte those of
# glm-4.5-air/a100.md (all eight outputs; both pages added in one commit, a5c9fafc), while the
# H100 page's own conclusion table gives other figures for the same cases (very long prompt,
# baseline: Total TPS 20732.85 against the printed output's 6435.97, the A100 page's). A
# search of every page of the lab at PAGES_COMMIT for outputs printed twice finds only these
# and the two Ascend 910B pages (not used).
COPIED = {
    ("docs/performance-lab/glm-4.5-air/h100.md", "Other Benchmark Cases"):
        "skip: the output printed here is glm-4.5-air/a100.md's (the same eight outputs to "
        "the digit; this page's conclusion table gives other figures): not an H100 run",
}

# page directory -> the model its results are of (a command naming another is a copy)
PAGE_MODEL = {"gpt-oss-20b": "gpt-oss-20b", "gpt-oss-120b": "gpt-oss-120b"}

# vLLM's scheduler limits when the serving command does not set them: the OpenAI server's
# defaults by GPU (vllm-project/vllm vllm/engine/arg_utils.py, EngineArgs._set_default_args,
# "NOTE(Kuntai): Setting large `max_num_batched_tokens` for A100 reduces throughput, see PR
# #17885": >= 70 GiB and not an A100 -> 8192 tokens and 1024 sequences a step, else 2048 and
# 256; in the file from v0.10 on and asserted by tests/engine/test_arg_utils.py
# test_defaults_with_usage_context; Apache-2.0). ttsim's vllm-v1 profile has one default
# for every GPU (256 / 8192), so the rows say what vLLM ran.
VLLM_DEFAULTS = {"h100_sxm": (1024, 8192), "h200_sxm": (1024, 8192), "a100_sxm": (256, 2048)}

RANDOM_CASES = {"32K": (32000, 100), "4K": (4000, 200), "2K": (2000, 100), "128": (128, 4)}

COLS = ["id", "model", "gpu", "tp", "dtype", "input_len", "output_len", "concurrency",
        "metric", "value", "kv_dtype", "num_prompts", "request_rate", "burstiness", "dataset",
        "range_ratio", "ignore_eos", "max_output_len", "max_num_seqs",
        "max_num_batched_tokens", "ep", "endpoint", "async_scheduling", "flashinfer_sampler",
        "engine", "engine_version", "status", "source", "notes"]

METRICS = [("ttft_ms", "Mean TTFT (ms)"), ("tpot_ms", "Mean TPOT (ms)"),
           ("output_tok_per_s", "Output token throughput (tok/s)")]


def fi_sampler(engine, version):
    """"true" for a vLLM 0.9 to 0.11.0 run on GPUStack: its runner images build and install
    FlashInfer (gpustack/runner pack/cuda/Dockerfile, "Build FlashInfer" / "Install
    FlashInfer"), and those vLLM releases sample top-k/top-p with it by default (PR #26859
    turned it off from 0.11.1): ttsim's flashinfer_sampler (models/cost.c)."""
    if engine != "vllm":
        return ""
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if not m:
        return ""
    v = (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
    return "true" if (0, 9, 0) <= v <= (0, 11, 0) else ""


def git_show(gitdir, commit, path):
    return subprocess.run(["git", "--git-dir", gitdir, "show", "%s:%s" % (commit, path)],
                          check=True, capture_output=True, text=True).stdout


def flag(cmd, names, default=None):
    for n in names:
        m = re.search(r"(?:^|\s)%s[= ](\S+)" % re.escape(n), cmd)
        if m:
            return m.group(1)
    return default


def engine_of(cmd):
    if "sglang.launch_server" in cmd:
        return "sglang"
    if "trtllm-serve" in cmd:
        return "trtllm"
    if "vllm serve" in cmd:
        return "vllm"
    raise SystemExit("convert_moe.py: no engine in serving command '%s'" % cmd)


def versions_of(text):
    v = {}
    for name, eng in (("vLLM", "vllm"), ("SGLang", "sglang"), ("TensorRT-LLM", "trtllm")):
        m = re.search(r"^- %s: v?(\S+)" % re.escape(name), text, re.M)
        if m:
            v[eng] = m.group(1)
    return v


def parse_result(lines):
    """The key: value lines of one '=== Serving Benchmark Result ===' block."""
    r = {}
    for ln in lines:
        m = re.match(r"\s*([A-Za-z][^:]*):\s+([0-9.]+)\s*$", ln)
        if m:
            r[m.group(1).strip()] = m.group(2)
    return r


def blocks(text):
    """(section, label, serving command, case label, result dict) for every benchmark
    result on a page, and the error results (section, label, first line)."""
    out, errors = [], []
    section, label, cmd, mode = "", "", "", None
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("### "):
            section, label = ln[4:].strip(), ""
        elif re.match(r"^[A-Za-z][A-Za-z .-]*$", ln) and i + 1 < len(lines) and \
                lines[i + 1].startswith("??? info"):
            label = ln.strip()
        elif ln.startswith("??? info") and "serving script" in ln.lower():
            mode = "cmd"
        elif ln.startswith("??? info") and "benchmark result" in ln.lower():
            mode = "res"
            if "Baseline" in ln:
                label = "baseline"
            elif "Optimized" in ln:
                label = "optimized"
        elif ln.strip().startswith("```") and mode:
            # the fenced block
            j = i + 1
            body = []
            while j < len(lines) and not lines[j].strip().startswith("```"):
                body.append(lines[j])
                j += 1
            if mode == "cmd":
                c = [b.strip() for b in body if b.strip() and not b.strip().startswith("#")]
                cmd = " ".join(c)
            else:
                case, cur, any_result = "", None, False
                for b in body + ["# END"]:
                    s = b.strip()
                    if s.startswith("# "):
                        if cur is not None:
                            out.append((section, label, cmd, case, parse_result(cur)))
                            cur = None
                        case = s[2:].strip()
                    elif "Serving Benchmark Result" in s:
                        if cur is not None:
                            out.append((section, label, cmd, case, parse_result(cur)))
                        cur, any_result = [], True
                    elif cur is not None:
                        cur.append(s)
                if not any_result:
                    first = next((b.strip() for b in body if b.strip()), "")
                    errors.append((section, label, first))
            mode = None
            i = j
        i += 1
    return out, errors


def slug(s):
    return re.sub(r"[^a-z0-9]+", "", s.lower())[:12]


def rows_of(page, gpu, text, source):
    vers = versions_of(text)
    res, errors = blocks(text)
    rows, seen = [], {}
    for section, label, cmd, case, r in res:
        eng = engine_of(cmd)
        hf = next((t for t in cmd.split() if t in MODELS), None)
        if hf is None:
            raise SystemExit("convert_moe.py: %s: no known model in '%s'" % (page, cmd))
        model, dtype, mnote = MODELS[hf]
        want = PAGE_MODEL.get(page.split("/")[-2])
        if want and not hf.split("/")[-1].lower().startswith(want):
            # a command copied from another page (gpt-oss-20b/h100.md section 5 names
            # gpt-oss-120b): the page, its title and its results are of the page's model
            mnote = ("the page's command names %s, a copy from another page; simulated as "
                     "the page's model" % hf)
            hf = "openai/" + want
            model, dtype, _ = MODELS[hf]
        tp = int(flag(cmd, ["-tp", "--tensor-parallel-size", "--tp-size", "--tp", "--tp_size"], "1"))
        pp = int(flag(cmd, ["-pp", "--pipeline-parallel-size", "--pp-size"], "1"))
        mnbt = flag(cmd, ["--max-num-batched-tokens"], "")
        m = re.match(r"--max-num-batched-tokens (\d+)", case)
        if m:  # one command, results for several values (the case label says which)
            mnbt = m.group(1)
        mns = flag(cmd, ["--max-num-seqs"], "")
        dflt = []
        if eng == "vllm":
            if not mns:
                mns = str(VLLM_DEFAULTS[gpu][0])
                dflt.append("max_num_seqs %s" % mns)
            if not mnbt:
                mnbt = str(VLLM_DEFAULTS[gpu][1])
                dflt.append("max_num_batched_tokens %s" % mnbt)
        kvd = flag(cmd, ["--kv-cache-dtype"], "")
        n = int(r["Successful requests"])
        conc = int(r.get("Maximum request concurrency", "0"))
        tin, tout = int(r["Total input tokens"]), int(r["Total generated tokens"])
        mi, mo = tin / n, tout / n
        rc = re.match(r"random (\S+) input", case)
        if rc:
            isl, osl = RANDOM_CASES[rc.group(1)]
            dataset, what = "random", "random %s input (ISL=%d OSL=%d, --seed 42)" % (
                rc.group(1), isl, osl)
        else:
            isl, osl = None, None
            dataset, what = "sharegpt", "ShareGPT_V3_unfiltered_cleaned_split"
        feats, skip = [], ""
        asy = "--async-scheduling" in cmd  # simulated: ttsim's async_scheduling (column)
        if asy:
            feats.append("--async-scheduling")
        if pp > 1:
            feats.append("pp=%d" % pp)
            skip = skip or "skip: pipeline parallel (validate has no pp column)"
        ep = ""
        if "--enable-expert-parallel" in cmd or flag(cmd, ["--ep_size", "--ep-size"]):
            # over the TP group, attention tensor-parallel: ttsim's --ep tp
            feats.append("expert parallel")
            ep = "tp"
        if "--enable-dp-attention" in cmd:
            feats.append("--enable-dp-attention")
            skip = skip or ("skip: SGLang data-parallel attention without expert "
                            "parallelism (not ttsim's --ep dp)")
        if "--enable-torch-compile" in cmd:
            skip = skip or "skip: SGLang --enable-torch-compile not modelled"
        if "--speculative-algorithm" in cmd:
            skip = skip or "skip: MTP speculative decoding of an MoE + MLA target (refused)"
        if "VLLM_ATTENTION_BACKEND" in cmd or "--attention-backend" in cmd:
            skip = skip or "skip: attention backend not modelled"
        if "--cuda-graph-max-bs" in cmd:
            skip = skip or "skip: SGLang --cuda-graph-max-bs not modelled"
        if "--gpu-memory-utilization" in cmd:
            skip = skip or ("skip: --gpu-memory-utilization %s (validate has no column for it; "
                            "the rows run at vLLM's 0.9)" % flag(cmd, ["--gpu-memory-utilization"]))
        if eng == "trtllm":
            skip = "skip: engine without a profile (trtllm)"
        skip = COPIED.get((page, section), skip)
        base = "gpsmoe_%s_%s_%s_%s_%s" % (gpu.split("_")[0], eng, hf.split("/")[-1].lower(),
                                          "sgpt" if dataset == "sharegpt" else
                                          "rnd" + rc.group(1).lower(),
                                          "c%d" % conc)
        key = (base, slug(section + label + (mnbt or "")))
        base += "_" + key[1]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            base += "_%d" % seen[base]
        mml = flag(cmd, ["--max-model-len", "--max_seq_len"], "")
        notes = ("GPUStack performance-lab '%s' section '%s'%s; %s (vllm bench serve --dataset-name "
                 "%s, chat endpoint%s); %s; num_prompts=%d; input_len/output_len = measured means "
                 "(Total input tokens %d / %d, Total generated tokens %d / %d); server cmd: %s; "
                 "flags: tp=%d%s%s%s%s; client: vllm bench serve (openai-chat); Mean ITL=%s ms; "
                 "req/s=%s; CONVERSION: lengths are means %.2f/%.2f, rounded%s" % (
                     page.split("performance-lab/")[1], section,
                     (" case '%s'" % case) if case else (" (%s)" % label if label else ""),
                     what, dataset, ", no --ignore-eos" if dataset == "random" else "",
                     ("closed-loop --max-concurrency %d" % conc) if conc else
                     "request-rate inf, no max-concurrency: all num_prompts sent at t=0 (rate=inf)",
                     n, tin, n, tout, n, cmd, tp,
                     "".join(", " + f for f in feats),
                     (", max-num-batched-tokens=%s" % mnbt) if mnbt else "",
                     (", max-model-len=%s" % mml) if mml else "",
                     (", kv-cache-dtype=%s" % kvd) if kvd else "",
                     r.get("Mean ITL (ms)", "?"), r.get("Request throughput (req/s)", "?"),
                     mi, mo, ("; " + mnote) if mnote else "") +
                 ("; %s: vLLM's OpenAI-server defaults on this GPU (not set by the command)"
                  % " and ".join(dflt) if dflt else ""))
        for metric, k in METRICS:
            o = {c: "" for c in COLS}
            o.update(id=base + "_" + metric.split("_")[0], model=model, gpu=gpu, tp=str(tp),
                     dtype=dtype, input_len=str(int(mi + 0.5)), output_len=str(int(mo + 0.5)),
                     concurrency=str(conc), metric=metric, value=r[k],
                     kv_dtype=kvd if kvd in ("fp8",) else "", num_prompts=str(n),
                     request_rate="" if conc else "inf", dataset=dataset, ignore_eos="false",
                     max_num_seqs=mns or "", max_num_batched_tokens=mnbt or "", ep=ep,
                     endpoint="chat",  # vllm bench serve --backend openai-chat (the notes)
                     async_scheduling="true" if asy else "",
                     flashinfer_sampler=fi_sampler(eng, vers.get(eng, "")),
                     engine=eng,
                     engine_version=vers.get(eng, ""), status=skip, source=source, notes=notes)
            if dataset == "random":
                o["range_ratio"] = "0"  # vLLM 0.10/0.11's default --random-range-ratio
                o["max_output_len"] = str(osl)
            rows.append(o)
    return rows, errors


def q(v):
    return '"%s"' % v.replace('"', '""') if any(ch in v for ch in ',"') else v


HEADS = {
    "fit": "# Fit part: the page MOE_WONLY_EFF (models/cost.c) was chosen on (its random-32K row).",
    "check": "# Check part: nothing in ttsim was fitted on these rows.",
}


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    gitdir = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else PAGES_COMMIT
    for part, fname in (("fit", "moe_fit.csv"), ("check", "moe_serving.csv")):
        allrows, allerr = [], []
        for page, gpu, pt in PAGES:
            if pt != part:
                continue
            text = git_show(gitdir, commit, page)
            source = "github gpustack/gpustack %s @%s" % (page, commit)
            rows, errors = rows_of(page, gpu, text, source)
            allrows += rows
            allerr += [(page, e) for e in errors]
        with open(os.path.join(HERE, fname), "w") as f:
            f.write("# Mixture-of-Experts serving set (issue 19): written by "
                    "tests/validation/convert_moe.py\n")
            f.write("# from GPUStack's performance-lab pages at %s (README.md, 'MoE set'). "
                    "Do not edit.\n" % commit)
            f.write(HEADS[part] + "\n")
            if allerr:
                f.write("# Results that are an error message, not a run (no row):\n")
            for page, (section, label, first) in allerr:
                f.write("#   %s '%s'%s: %s\n" % (page.split("performance-lab/")[1], section,
                                                " (%s)" % label if label else "", first[:110]))
            f.write(",".join(COLS) + "\n")
            for o in allrows:
                f.write(",".join(q(o[c]) for c in COLS) + "\n")


if __name__ == "__main__":
    main()
