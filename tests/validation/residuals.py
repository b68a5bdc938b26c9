#!/usr/bin/env python3
"""residuals.py: residual tables of the served rows (vLLM V1, SGLang), for VALIDATION.md.

    build/ttsim validate tests/validation/serving_check.csv --keep-going --format json > c.json
    build/ttsim validate tests/validation/serving_fit.csv --keep-going --format json > f.json
    python3 tests/validation/residuals.py c.json f.json

(tests/validation/report.sh runs it.) Prints Markdown: one line per served benchmark
(signed % error of each metric; for an open loop, the offered output rate
(request_rate x output_len) against the throughput measured and predicted: a prediction
below the offered rate means ttsim's replica cannot keep up and its queue grows for the
whole run), then the median signed error by part, source kind and TP, and the shape of
the log residuals per metric and regime that chose the model-form bands' method
(experiments/validate.h: split conformal from 39 rows, Student t below). Reads only the
JSON rows and the request_rate/engine/source columns of the CSVs they name; fits nothing.
"""
import csv, json, math, statistics, sys


def load_all(path):
    d = json.load(open(path))
    rows = [r for r in d["rows"] if "predicted" in r]
    extra = {}
    for f in {r["where"].rsplit(":", 1)[0] for r in rows}:
        with open(f) as fh:
            lines = [l for l in fh if not l.startswith("#")]
        for row in csv.DictReader(lines):
            extra[row["id"]] = row
    for r in rows:
        x = extra.get(r["id"], {})
        r["rate"] = x.get("request_rate", "")
        r["engine"] = (x.get("engine", "") + " " + x.get("engine_version", "")).strip()
        r["part"] = "check" if "serving_check" in r["where"] else "fit"
        r["kind"] = r["id"].split("_")[0]
        r["source"] = x.get("source", "")
    return rows


def load(path):
    # the served rows: all but Argonne's offline batches (vLLM 0.5 on H100 and GH200, 0.6.x
    # on A100; the id's source kind, as the engine version no longer tells them apart)
    return [r for r in load_all(path) if r["kind"] != "anl"]


def regime(r):
    """validate.c, validate_regime: at once, closed loop or open loop."""
    if r["concurrency"] > 0:
        return "at_once" if r["requests"] <= r["concurrency"] else "closed"
    return "at_once" if r["rate"] in ("", "inf") else "open"


def origin(src):
    """validate.c, source_origin: the publisher a source cites ("github OWNER/REPO ...",
    "https://github.com/OWNER/REPO/...": OWNER/REPO; another URL: its host)."""
    if src.startswith("github "):
        return src[7:].split(" ")[0]
    if "://" in src:
        p = src.split("://", 1)[1].split(" ")[0]
        if p.startswith("github.com/"):
            return "/".join(p[11:].split("/")[:2])
        return p.split("/")[0]
    return src


def shape(paths):
    """The log residuals ln(measured / predicted) per part, metric and regime (and the
    metric's regimes pooled): how far from a normal law they are. Skewness and excess
    kurtosis (moment estimates), the Jarque-Bera statistic JB = n/6 (S^2 + K^2/4) and its
    chi-square(2) tail p = exp(-JB/2) (asymptotic: a rough guide below ~30 rows), and the
    rows below and above mean -+ 1.96 sd (a normal law puts 2.5% each side)."""
    print()
    print("Shape of the log residuals ln(measured / predicted), all predicted rows (offline "
          "batches included), by part, metric and regime (all: the regimes pooled); "
          "JB p: Jarque-Bera normality p-value; below/above: rows outside mean -+ 1.96 sd:")
    print()
    print("| part | metric | regime | n | deployments | mean | sd | skewness | excess kurtosis "
          "| JB p | below | above |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        rows = load_all(p)
        part = rows[0]["part"] if rows else "?"
        for m in ("ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"):
            regs = sorted({regime(r) for r in rows if r["metric"] == m})
            for g in regs + (["all"] if len(regs) > 1 else []):
                rs = [r for r in rows if r["metric"] == m and g in ("all", regime(r))]
                e = [math.log(r["measured"] / r["predicted"]) for r in rs]
                n = len(e)
                if n < 3:
                    print("| %s | %s | %s | %d | | | | | | | | |" % (part, m, g, n))
                    continue
                mu = statistics.fmean(e)
                var = sum((x - mu) ** 2 for x in e) / n
                sk = sum((x - mu) ** 3 for x in e) / n / var ** 1.5
                ku = sum((x - mu) ** 4 for x in e) / n / var ** 2 - 3
                jb = n / 6 * (sk * sk + ku * ku / 4)
                sd = statistics.stdev(e)
                # deployments at their publisher: validate's "own benchmark" (engine and
                # version stand in for its engine family)
                bench = len({(origin(r["source"]), r["model"], r["gpu"], r["tp"], r["dtype"],
                              r["engine"]) for r in rs})
                print("| %s | %s | %s | %d | %d | %+.3f | %.3f | %+.2f | %+.2f | %.2g | %d | %d |" %
                      (part, m, g, n, bench, mu, sd, sk, ku, math.exp(-jb / 2),
                       sum(x < mu - 1.96 * sd for x in e), sum(x > mu + 1.96 * sd for x in e)))


def main():
    rows = []
    for p in sys.argv[1:]:
        rows += load(p)
    bench = {}
    for r in rows:
        k = (r["part"], r["kind"] + " " + r["engine"].split(" ")[0], r["model"].split("/")[-1].replace(".json", "") + " " + r["dtype"], r["gpu"],
             r["tp"], r["input_len"], r["output_len"], r["rate"] or "inf", r["requests"],
             r["concurrency"])
        bench.setdefault(k, {})[r["metric"]] = r
    mets = ["ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"]
    print("| part | source | model | GPU | TP | in/out | rate (req/s) | clients | requests | "
          "TTFT % | TPOT % | e2e % | tok/s % | offered tok/s | measured | predicted |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for k in sorted(bench, key=lambda k: (k[0] != "check", k[1], k[2], k[4], k[5], float(k[7]), k[9])):
        m = bench[k]
        cells = ["%+.0f" % m[x]["pct_err"] if x in m else "" for x in mets]
        off = meas = pred = ""
        if k[7] != "inf" and "output_tok_per_s" in m:
            off = "%.0f" % (float(k[7]) * k[6])
            meas = "%.0f" % m["output_tok_per_s"]["measured"]
            p = m["output_tok_per_s"]["predicted"]
            pred = "%.0f%s" % (p, " **saturated**" if p < 0.97 * float(k[7]) * k[6] else "")
        print("| %s | %s | %s | %s | %d | %d/%d | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" %
              (k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[9] or "", k[8], *cells, off,
               meas, pred))
    print()
    print("Median signed % error (n) by part, source and engine, GPU and TP:")
    print()
    print("| part | source | GPU | TP | TTFT | TPOT | e2e | tok/s |")
    print("|---|---|---|---|---|---|---|---|")
    groups = {}
    for r in rows:
        groups.setdefault((r["part"], r["kind"] + " " + r["engine"].split(" ")[0], r["gpu"],
                           r["tp"]), []).append(r)
    for g in sorted(groups):
        cells = []
        for x in mets:
            e = [r["pct_err"] for r in groups[g] if r["metric"] == x]
            cells.append("%+.0f (%d)" % (statistics.median(e), len(e)) if e else "")
        print("| %s | %s | %s | %d | %s |" % (*g, " | ".join(cells)))

    # Per output token of the open loops (BLIS): (e2e - TTFT) / (output_len - 1) is the
    # mean time between a request's tokens, i.e. the engine's mean step time as a decoding
    # sequence sees it (decode steps and the prefill chunks mixed into them). Against the
    # offered rate it is a line: its intercept (no load) is the bare decode step, its slope
    # the cost of load (each request's prefill, the batch it adds). Saturated runs (ttsim's
    # replica slower than the offered rate) are left out of the line: their queue, not the
    # step, sets their e2e. statistics.linear_regression, least squares.
    print()
    print("Time per output token of the open loops, (e2e - TTFT) / (output - 1), ms, by "
          "offered rate; the line through the unsaturated chat runs at 5-10 req/s as "
          "intercept + slope x rate:")
    print()
    print("| part | model | TP | rate: measured / predicted ms | measured line | predicted line |")
    print("|---|---|---|---|---|---|")
    runs = {}
    for k, m in bench.items():
        if k[7] == "inf" or "e2e_s" not in m or "ttft_ms" not in m or k[6] < 2:
            continue
        tok = {w: (m["e2e_s"][w] - m["ttft_ms"][w] / 1e3) / (k[6] - 1) * 1e3
               for w in ("measured", "predicted")}
        sat = ("output_tok_per_s" in m and
               m["output_tok_per_s"]["predicted"] < 0.97 * float(k[7]) * k[6])
        runs.setdefault((k[0], k[2], k[4]), []).append((float(k[7]), tok, sat))
    for g in sorted(runs, key=lambda g: (g[0] != "check", g[2], g[1])):
        pts = sorted(runs[g], key=lambda x: x[0])
        cells = ", ".join("%g: %.1f / %.1f%s" % (q, t["measured"], t["predicted"],
                                                 " (sat.)" if sat else "")
                          for q, t, sat in pts)
        lines = []
        for w in ("measured", "predicted"):
            xy = [(q, t[w]) for q, t, sat in pts if not sat and 5 <= q <= 10]
            if len({q for q, _ in xy}) < 2:
                lines.append("")
                continue
            fit = statistics.linear_regression([q for q, _ in xy], [y for _, y in xy])
            lines.append("%.1f + %.2f x rate" % (fit.intercept, fit.slope))
        print("| %s | %s | %d | %s | %s | %s |" % (g[0], g[1], g[2], cells, *lines))

    offline(sys.argv[1])
    shape(sys.argv[1:])


def offline(path):
    """Argonne's offline batches of the check part (output tok/s only): median signed %
    error (n) by GPU and TP, one column per batch size, and all batches."""
    rows = [r for r in load_all(path) if r["kind"] == "anl"]
    if not rows:
        return
    batches = sorted({r["concurrency"] for r in rows})
    print()
    print("Argonne's offline batches (vLLM V0; output tok/s), median signed % error (n) by "
          "GPU, TP and batch (GPU: the profile the rows name):")
    print()
    print("| GPU | TP | %s | all |" % " | ".join("batch %d" % b for b in batches))
    print("|---|---|%s---|" % ("---|" * len(batches)))
    groups = {}
    for r in rows:
        gpu = r["gpu"].split("/")[-1]
        gpu = gpu[:-5] if gpu.endswith(".yaml") else gpu
        groups.setdefault((gpu, r["tp"]), []).append(r)
    for g in sorted(groups):
        cells = []
        for b in batches + [None]:
            e = [r["pct_err"] for r in groups[g] if b is None or r["concurrency"] == b]
            cells.append("%+.1f (%d)" % (statistics.median(e), len(e)) if e else "")
        print("| %s | %d | %s |" % (g[0], g[1], " | ".join(cells)))


if __name__ == "__main__":
    main()
