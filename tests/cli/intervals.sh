#!/bin/sh
# Honest intervals: the model-form error bands of the serving set's check part
# (`validate --intervals`), their coverage, and `run --profile-uncertainty` applying them.
. "$(dirname "$0")/lib.inc"
ok "intervals of the check part" "$TTSIM" validate tests/validation/serving_check.csv \
	--keep-going --summary-only --intervals
cp "$TMPD/out" "$TMPD/iv"
# every metric's band is finite (conformal from 39 rows, Student t below: for a new benchmark
# where the rows of one benchmark move together), and about 95% of
# the check rows fall inside their band: for each metric and each coverage (in sample, own
# run out, own benchmark out) the count of rows outside is one a 95% band gives with
# probability at least 2.5% on either side (inside the central 95% of Binomial(n, 0.05)):
# at 334 rows 9 to 26 outside (92.2-97.3%), at 32 rows 0 to 4, at 10-11 rows 0 to 2; a band
# too narrow (too many out) or too wide for many rows (none out of 334) fails
python3 - "$TMPD/iv" > "$TMPD/cov" <<'PY'
import sys
from math import comb
text = open(sys.argv[1]).read()
bands, cov = text.split("model-form error bands")[1].split("rows inside their band")
bad = []
mets = ("ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s")
seen = {m: 0 for m in mets}
for l in bands.splitlines():
    f = l.split()
    if f and f[0] in mets and "random effects:" not in l:
        seen[f[0]] += 1
        lo, hi = float(f[3]), float(f[4])
        if not (-5 < lo < 0 < hi < 5) or f[6] not in ("conformal", "student_t", "random_effects_t"):
            bad.append("band " + l)
bad += ["no band for %s" % m for m in mets if seen[m] != 3]
rows = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in cov.splitlines()
        if l.split() and l.split()[0] in mets}


def plausible(n, share):
    """k rows outside of n: within the central 95% of Binomial(n, 0.05)"""
    k = n - round(n * share / 100)
    pmf = [comb(n, i) * 0.05 ** i * 0.95 ** (n - i) for i in range(n + 1)]
    return sum(pmf[:k + 1]) >= 0.025 and sum(pmf[k:]) >= 0.025


for m in mets:
    if m not in rows:
        bad.append("no coverage for " + m)
        continue
    n, ins, nrun, run, nb, bench = rows[m]
    for what, k, share in (("in sample", n, ins), ("own run out", nrun, run),
                           ("own benchmark out", nb, bench)):
        if k < 10 or not plausible(int(k), share):
            bad.append("%s %s: %s of %d" % (what, m, share, k))
print("cov ok" if not bad else "cov bad %s" % bad)
PY
has "cov ok" "every band finite, about 95% of check rows inside" "$TMPD/cov"
has "^e2e_s            open  .*student_t  *pooled" "a small set: Student t, pooled, said" "$TMPD/iv"
# TPOT's 36 rows come from 12 benchmarks whose residuals differ more between than within
# them: the band is for a row of a new benchmark (random effects), wider than the plain t
# band of 36 independent rows (width 1.71 on this set: mean 0.254, s 0.415, t(0.975, 35)
# 2.030). TTFT had that band at 32 rows (9 benchmarks); with GPUStack's qwen3-14b/a100.md
# page it has 47 and takes the conformal band (39 rows or more)
has "^tpot_ms          closed .*random_effects_t pooled" "TPOT: a new benchmark's band, said" "$TMPD/iv"
has "^tpot_ms          pooled   random effects: 12 benchmarks, sd between 0\.[0-9]*, within 0\.[0-9]*, df [0-9]" \
	"TPOT: the band's parts, said once (pooled)" "$TMPD/iv"
has "^ttft_ms          closed  *47 .*conformal  *pooled" "TTFT: 47 rows, the conformal band" "$TMPD/iv"
# the same bands and shares in JSON (validate --intervals --format json, key "intervals")
ok "intervals as JSON" "$TTSIM" validate tests/validation/serving_check.csv --keep-going \
	--intervals --format json
python3 - "$TMPD/out" "$TMPD/iv" > "$TMPD/j" <<'PY'
import json, math, sys
iv = json.load(open(sys.argv[1]))["intervals"]
text = open(sys.argv[2]).read().split("rows inside their band")[1]
rows = {l.split()[0]: l.split()[1:] for l in text.splitlines() if l[:1].isalpha()}
ok = True
for m in ("ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"):
    for g in ("at_once", "closed", "open"):
        b = iv["bands"][m][g]
        ok = ok and b["log_lo"] is not None and b["log_hi"] is not None and b["log_lo"] < b["log_hi"]
        # a random-effects band says from how many benchmarks; no other band does
        ok = ok and (b["method"] == "random_effects_t") == (b.get("benchmarks", 0) >= 2)
        ok = ok and (b["method"] != "random_effects_t" or
                     (b["sd_between"] > 0 and b["sd_within"] > 0 and b["df"] > 1))
    ok = ok and (m != "tpot_ms" or iv["bands"][m]["closed"]["log_hi"] - iv["bands"][m]["closed"]["log_lo"] > 1.71 + 0.1)
    for k, col in (("in_sample", 1), ("own_run_out", 3), ("own_benchmark_out", 5)):
        c = iv["coverage"][k][m]
        ok = ok and c["rows"] == int(rows[m][col - 1]) and "%.1f" % (100 * c["share"]) == rows[m][col]
print("json ok" if ok else "json bad")
PY
has "json ok" "JSON bands finite, shares as the table's" "$TMPD/j"
# run applies the band of its regime: at once (concurrency = requests), closed, open
R="--model qwen3-8b --gpu h100_sxm --input-len 200 --output-len 50 --profile-uncertainty --format json"
for spec in "at_once:--concurrency 8 --requests 8" "closed:--concurrency 4 --requests 40" \
	"open:--rate 4 --requests 40"; do
	want=${spec%%:*}
	ok "run --profile-uncertainty ($want)" "$TTSIM" run $R ${spec#*:}
	python3 - "$TMPD/out" "$want" > "$TMPD/r" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))["replications"]
f = r["model_form"]
ok = f["regime"] == sys.argv[2]
for m, method in (("output_tok_per_s", "conformal"), ("ttft_ms", "conformal"),
                  ("tpot_ms", "random_effects_t"), ("e2e_s", "student_t")):
    t, b = r[m], f[m]
    ok = ok and b["method"] == method and (b["rows"] >= 39) == (method == "conformal")
    ok = ok and b["log_lo"] < 0 < b["log_hi"]
    # one replication: the interval is the point prediction times the band
    ok = ok and math.isclose(t["ci95_lo"], t["mean"] * math.exp(b["log_lo"]), rel_tol=1e-9)
    ok = ok and math.isclose(t["ci95_hi"], t["mean"] * math.exp(b["log_hi"]), rel_tol=1e-9)
print("run ok" if ok else "run bad %s" % json.dumps(r))
PY
	has "run ok" "$want: the band of its regime widens the interval" "$TMPD/r"
done
ok "table says where the model-form error comes from" "$TTSIM" run --model qwen3-8b --gpu h100_sxm \
	--input-len 200 --output-len 50 --concurrency 4 --requests 8 --profile-uncertainty
has "model-form error: check part of the serving set, regime closed" "table line" "$TMPD/out"
has "^  tpot_ms  *for a new deployment: random effects over 12 benchmarks" \
	"the TPOT band said to be a new deployment's" "$TMPD/out"
finish
