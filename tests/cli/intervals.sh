#!/bin/sh
# Honest intervals: the model-form error bands of the serving set's check part
# (`validate --intervals`), their coverage, and `run --profile-uncertainty` applying them.
. "$(dirname "$0")/lib.inc"
ok "intervals of the check part" "$TTSIM" validate tests/validation/serving_check.csv \
	--keep-going --summary-only --intervals
cp "$TMPD/out" "$TMPD/iv"
# output tok/s: 95% of the check rows inside in sample, and about 95% with each row's own
# benchmark left out of its band (the honest test: the band never saw the row)
python3 - "$TMPD/iv" > "$TMPD/cov" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("rows inside their band")[1].splitlines()
row = [l.split() for l in lines if l.startswith("output_tok_per_s")][0]
n, ins, loo = int(row[1]), float(row[2]), float(row[3])
print("cov ok" if n >= 300 and 94 <= ins <= 97 and 92 <= loo <= 98 else "cov bad %s" % row)
PY
has "cov ok" "about 95% of check rows inside their band" "$TMPD/cov"
has "^ttft_ms          open  *[0-9]*       -inf       +inf" "too few TTFT rows: unbounded, said" "$TMPD/iv"
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
t, b = r["output_tok_per_s"], f["output_tok_per_s"]
ok = f["regime"] == sys.argv[2] and b["rows"] >= 39 and b["log_lo"] < 0 < b["log_hi"]
# one replication: the interval is the point prediction times the band
ok = ok and math.isclose(t["ci95_lo"], t["mean"] * math.exp(b["log_lo"]), rel_tol=1e-9)
ok = ok and math.isclose(t["ci95_hi"], t["mean"] * math.exp(b["log_hi"]), rel_tol=1e-9)
ok = ok and r["ttft_ms"]["ci95_hi"] is None and f["ttft_ms"]["rows"] < 39
print("run ok" if ok else "run bad %s" % json.dumps(r))
PY
	has "run ok" "$want: the band of its regime widens the interval" "$TMPD/r"
done
ok "table says where the model-form error comes from" "$TTSIM" run --model qwen3-8b --gpu h100_sxm \
	--input-len 200 --output-len 50 --concurrency 4 --requests 8 --profile-uncertainty
has "model-form error: check part of the serving set, regime closed" "table line" "$TMPD/out"
finish
