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


if __name__ == "__main__":
    main()
