#!/usr/bin/env python3
"""residuals.py: residual tables of the served rows (vLLM V1, SGLang), for VALIDATION.md.

    build/ttsim validate tests/validation/serving_check.csv --keep-going --format json > c.json
    build/ttsim validate tests/validation/serving_fit.csv --keep-going --format json > f.json
    python3 tests/validation/residuals.py c.json f.json

(tests/validation/report.sh runs it.) Prints Markdown: one line per served benchmark
(signed % error of each metric; for an open loop, the offered output rate
(request_rate x output_len) against the throughput measured and predicted: a prediction
below the offered rate means ttsim's replica cannot keep up and its queue grows for the
whole run), then the median signed error by part, source kind and TP. Reads only the JSON
rows and the request_rate/engine columns of the CSVs they name; fits nothing.
"""
import csv, json, statistics, sys


def load(path):
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
    # the served rows: every engine but vLLM 0.5's offline batches (Argonne)
    return [r for r in rows if not r["engine"].startswith("vllm 0.5")]


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


if __name__ == "__main__":
    main()
