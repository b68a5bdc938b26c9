#!/usr/bin/env python3
"""moe_table_report.py: the fused-MoE fit against the measured table on the shapes ttsim's
catalog models have (models/moe_table.h, VALIDATION.md "Fused-MoE kernels calibrated").

    M=calibration/data/aiconfigurator/moe
    build/ttsim calibrate moe $M/h100_sxm_moe_vllm_0.14.0_bf16_fp8block.csv --profile h100_sxm \
        --dtype bf16 --kernel vllm_fused_moe --residuals fit.csv --table-residuals table.csv
    python3 calibration/moe_table_report.py fit.csv table.csv

Prints per catalog shape (all its layouts): points, the fit's median and p90 relative error
(in sample), and the table's, each interior token count interpolated from the shape's other
points (leave one out; at a measured point the table itself is exact). p90 interpolates
between order statistics at 0.9 (n - 1), as `ttsim validate` does.
"""
import csv
import math
import sys

# (hidden, whole expert's intermediate size, experts, top-k) -> catalog models (models/catalog.c)
CATALOG = {
    (4096, 14336, 8, 2): "Mixtral-8x7B",
    (2048, 768, 128, 8): "Qwen3-30B-A3B",
    (4096, 1536, 128, 8): "Qwen3-235B-A22B",
    (7168, 2048, 256, 8): "DeepSeek-V3/R1",
    (2880, 2880, 32, 4): "gpt-oss-20b",
    (2880, 2880, 128, 4): "gpt-oss-120b",
}
MXFP4_PAD = 64  # vLLM's MXFP4 Triton layout pads each GPU's intermediate size (model.h)


def q(xs, p):
    xs = sorted(xs)
    d = p * (len(xs) - 1)
    i = int(math.floor(d))
    return xs[i] if i + 1 >= len(xs) else xs[i] + (d - i) * (xs[i + 1] - xs[i])


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: moe_table_report.py FIT_RESIDUALS.csv TABLE_RESIDUALS.csv")
    fit, tab = {}, {}
    for r in csv.DictReader(open(sys.argv[1])):
        f, tp = float(r["inter_per_gpu"]), float(r["tp"])
        for k, name in CATALOG.items():
            per = math.ceil(k[1] / tp / MXFP4_PAD) * MXFP4_PAD if k[0] == 2880 else k[1] / tp
            if (float(r["hidden"]), float(r["experts"]), float(r["topk"])) == k[:1] + k[2:] \
                    and f == per:
                fit.setdefault(name, []).append(
                    abs(float(r["predicted_s"]) / float(r["measured_s"]) - 1))
    for r in csv.DictReader(open(sys.argv[2])):
        k = (float(r["hidden"]), float(r["inter"]), float(r["experts"]), float(r["topk"]))
        if k in CATALOG and r["held_out_s"]:
            tab.setdefault(CATALOG[k], []).append(
                abs(float(r["held_out_s"]) / float(r["measured_s"]) - 1))
    print("| shape | fit: points, median, p90 | table, one token count left out: points, median, p90 |")
    print("|---|---|---|")
    for name in CATALOG.values():
        if name not in tab:
            continue
        f, t = fit.get(name, []), tab[name]
        fs = "%d, %.1f%%, %.1f%%" % (len(f), 100 * q(f, 0.5), 100 * q(f, 0.9)) if f else "-"
        print("| %s | %s | %d, %.1f%%, %.1f%% |" % (name, fs, len(t), 100 * q(t, 0.5),
                                                    100 * q(t, 0.9)))


main()
