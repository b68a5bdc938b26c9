#!/usr/bin/env python3
"""Fit the CPU terms of speculative decoding on tests/validation/spec_fit.csv ONLY.

    spec_draft_cpu_s         CPU seconds per draft forward (under CUDA graphs)
    spec_step_cpu_s          CPU seconds a speculative step adds once
    spec_eagle3_remap_cpu_s  CPU seconds an EAGLE-3 draft forward adds (vocabulary remap)

They are vLLM V1's, the speculative block of models/engines/vllm-v1.yaml.

Each row is compared as a speed-up over the no-speculation row of its source (same
source, no spec_draft), measured against simulated: the vanilla rows of different
sources disagree by more than speculation's overheads (PR 16937's 133 tok/s is 7.5 ms per
token, issue 20780's vanilla TPOT 7.07 ms), and the fitted terms are to describe what
speculation adds, not that offset.

Two stages. (1) The first two terms on the rows of every drafter but EAGLE-3. A step's
time is linear in b (sim/engine.c adds it once per step) but not in a (a draft forward
lasts max(GPU time, a)): for each a on a 25 us grid the rows are simulated at b = 0 and
b = 1 ms, b is then scanned on a 10 us grid by linear interpolation, and the fit
minimises the sum over rows of squared log errors of the row's metric (1 / output tok/s,
or TPOT). (2) With a and b fixed, the EAGLE-3 term on the EAGLE-3 rows, scanned on a
10 us grid. Rows of spec_check.csv are never read.

The rows are simulated as they ran: offline (vLLM's LLM class, examples/offline_inference/
eagle.py), so without an API server. The runs give no --engine (the speculative terms come
from the options, the rest is vLLM V1's, whose defaults a batch-1 run does not reach): with
--engine vllm-v1 they would carry its fitted front end (per streamed token), and every
refit of that front end would move these terms (0.24 -> 0.16 ms a token moved the step term
1.17 -> 1.13 ms).

With --check PROFILE (an engine profile YAML, e.g. models/engines/vllm-v1.yaml) it also
compares the fitted terms with the profile's speculative block and exits 1 unless each is
within half its grid step (the shipped constants are the fit's), 2 if the profile has no
such block.

    python3 tests/validation/spec_fit.py [build/ttsim] [--draft-only] [--check PROFILE]
"""
import csv, json, math, subprocess, sys

ARGV = sys.argv[1:]
CHECK = None
if "--check" in ARGV:
    i = ARGV.index("--check")
    if i + 1 >= len(ARGV):
        sys.exit("spec_fit: --check: expected an engine profile YAML")
    CHECK = ARGV[i + 1]
    del ARGV[i:i + 2]
TTSIM = ([a for a in ARGV if not a.startswith("--")] or ["build/ttsim"])[0]
FIT = "tests/validation/spec_fit.csv"
B_FREE = "--draft-only" not in ARGV


def all_rows():
    with open(FIT) as f:
        lines = [l for l in f if l.strip() and not l.startswith("#")]
    return [r for r in csv.DictReader(lines) if not r["status"]]


def rows():
    return [r for r in all_rows() if r["spec_draft"]]


def vanilla_of(r):
    for v in all_rows():
        if not v["spec_draft"] and v["source"] == r["source"] and v["metric"] == r["metric"]:
            return v
    sys.exit("spec_fit: no vanilla row for %s" % r["id"])


def run_vanilla(v):
    args = [TTSIM, "run", "--model", v["model"], "--gpu", v["gpu"], "--tp", v["tp"],
            "--dtype", v["dtype"], "--input-len", v["input_len"], "--output-len",
            v["output_len"], "--concurrency", v["concurrency"], "--requests",
            v["num_prompts"] or "100", "--format", "json"]
    s = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    s = s.get("summary", s)
    return 1.0 / s["output_tok_per_s"] if v["metric"] == "output_tok_per_s" else s["tpot_ms"]["mean"]


def run(r, a, b, c=None):
    args = [TTSIM, "run", "--model", r["model"], "--gpu", r["gpu"], "--tp", r["tp"],
            "--dtype", r["dtype"], "--input-len", r["input_len"], "--output-len",
            r["output_len"], "--concurrency", r["concurrency"], "--requests",
            r["num_prompts"] or "100", "--spec-draft", r["spec_draft"],
            "--spec-k", r["spec_k"], "--spec-acceptance-length", r["spec_acceptance_length"],
            "--spec-draft-cpu-s", repr(a), "--spec-step-cpu-s", repr(b), "--format", "json"]
    if c is not None:
        args += ["--spec-eagle3-remap-cpu-s", repr(c)]
    s = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    s = s.get("summary", s)
    return 1.0 / s["output_tok_per_s"] if r["metric"] == "output_tok_per_s" else s["tpot_ms"]["mean"]


def main():
    spec = rows()
    base = []
    for r in spec:
        v = vanilla_of(r)
        conv = (lambda x: 1.0 / x) if r["metric"] == "output_tok_per_s" else (lambda x: x)
        # simulated time over simulated vanilla vs measured over measured vanilla
        sv, mv = run_vanilla(v), conv(float(v["value"]))
        base.append((r, sv, conv(float(r["value"])) / mv))
    first = [x for x in base if x[0]["spec_draft"] != "eagle3"]
    e3 = [x for x in base if x[0]["spec_draft"] == "eagle3"]
    best = None
    for i in range(0, 49):            # a: 0 .. 1.2 ms in 25 us steps
        a = i * 25e-3                 # ms
        data = []
        for r, sv, meas in first:
            y0 = run(r, a * 1e-3, 0.0)
            yb = run(r, a * 1e-3, 1e-3) - y0
            data.append((r["id"], y0 / sv, yb / sv, meas))
        for j in range(0, 301 if B_FREE else 1):  # b: 0 .. 3 ms in 10 us steps
            b = j * 1e-2
            sse = sum(math.log((y0 + b * yb) / m) ** 2 for _, y0, yb, m in data)
            if best is None or sse < best[0]:
                best = (sse, a, b, data)
    sse, a, b, data = best
    print("fit on %d rows of %s: spec_draft_cpu_s %.6g, spec_step_cpu_s %.6g (rms log error %.4f)"
          % (len(data), FIT, a * 1e-3, b * 1e-3, math.sqrt(sse / len(data))))
    for rid, y0, yb, m in data:
        print("  %-22s predicted/measured speed-up %.3f" % (rid, m / (y0 + b * yb)))
    c = None
    if not e3:
        return finish(a, b, c)
    best = None
    for k in range(0, 51):            # c: 0 .. 0.5 ms in 10 us steps
        c = k * 1e-2
        res = [(r["id"], run(r, a * 1e-3, b * 1e-3, c * 1e-3) / sv, m) for r, sv, m in e3]
        sse = sum(math.log(y / m) ** 2 for _, y, m in res)
        if best is None or sse < best[0]:
            best = (sse, c, res)
    sse, c, res = best
    print("fit on %d EAGLE-3 rows: spec_eagle3_remap_cpu_s %.6g (rms log error %.4f)"
          % (len(res), c * 1e-3, math.sqrt(sse / len(res))))
    for rid, y, m in res:
        print("  %-22s predicted/measured speed-up %.3f" % (rid, m / y))
    return finish(a, b, c)


def shipped(path):
    """The speculative block of an engine profile: {key: seconds}; exit 2 on bad input."""
    import yaml
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        print("%s: %s" % (path, e.strerror), file=sys.stderr)
        sys.exit(2)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        print("%s:%d: not YAML (%s)" % (path, mark.line + 1 if mark else 1,
                                        getattr(e, "problem", e)), file=sys.stderr)
        sys.exit(2)
    spec = doc.get("speculative") if isinstance(doc, dict) else None
    if not isinstance(spec, dict):
        print("%s:1: key 'speculative': missing (expected the block spec_fit.py fits)" % path,
              file=sys.stderr)
        sys.exit(2)
    out = {}
    for k in ("draft_forward_cpu_s", "step_cpu_s", "eagle3_remap_cpu_s"):
        v = spec.get(k)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            print("%s:1: key 'speculative.%s': expected seconds, got %r" % (path, k, v),
                  file=sys.stderr)
            sys.exit(2)
        out[k] = float(v)
    return out


def finish(a, b, c):
    """With --check: the fitted terms (ms) against the profile's (s), half a grid step."""
    if CHECK is None:
        return 0
    want = shipped(CHECK)
    got = [("draft_forward_cpu_s", a * 1e-3, 12.5e-6), ("step_cpu_s", b * 1e-3, 5e-6)]
    if c is not None:
        got.append(("eagle3_remap_cpu_s", c * 1e-3, 5e-6))
    bad = 0
    for k, v, tol in got:
        same = abs(v - want[k]) <= tol + 1e-12
        bad += not same
        print("%s speculative.%s: shipped %.6g, refit %.6g%s"
              % (CHECK, k, want[k], v, "" if same else " (differs: refit and ship the refit)"))
    return 1 if bad else 0


if __name__ == "__main__":
    if CHECK is not None:
        shipped(CHECK)  # bad input is refused before the fit's runs
    sys.exit(main())
