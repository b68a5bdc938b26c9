#!/bin/sh
# `ttsim run --replications R [--profile-uncertainty]`: JSON shape, intervals, bad input.
. "$(dirname "$0")/lib.inc"
A="--model qwen3-8b --gpu h100_sxm --rate 2 --requests 100 --input-len 300 --output-len 50"
ok "replications json" "$TTSIM" run $A --replications 4 --format json
python3 - "$TMPD/out" > "$TMPD/r" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["replications"]
ok = r["n"] == 4 and not r["profile_uncertainty"]
for m in ("ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"):
    ok = ok and r[m]["ci95_lo"] <= r[m]["mean"] <= r[m]["ci95_hi"] and r[m]["ci95_hi"] > r[m]["ci95_lo"]
print("rep ok" if ok else "rep bad")
PY
has "rep ok" "mean inside a non-empty interval" "$TMPD/r"
ok "replications table" "$TTSIM" run $A --replications 3
has "3 replications" "table line" "$TMPD/out"
cp tests/data/frozen_h100.yaml "$TMPD/u.yaml"   # no uncertainty block of its own
printf 'uncertainty:\n  gemm_bf16.bw_eff: 0.05\n  attention.decode_bw: 0.1\n' >> "$TMPD/u.yaml"
ok "profile uncertainty" "$TTSIM" run --model qwen3-8b --gpu "$TMPD/u.yaml" --concurrency 1 \
	--requests 20 --input-len 300 --output-len 50 --replications 6 --profile-uncertainty --format json
python3 - "$TMPD/out" > "$TMPD/u" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["replications"]
t = r["output_tok_per_s"]  # every metric's model-form band is bounded (Student t below 39 rows)
ok = r["profile_uncertainty"] and r["uncertain_parameters"] == 2
ok = ok and all(r[m]["ci95_lo"] < r[m]["mean"] < r[m]["ci95_hi"] for m in ("ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"))
print("unc ok" if ok and t["ci95_hi"] - t["ci95_lo"] > 0.01 * t["mean"] else "unc bad")
PY
has "unc ok" "a deterministic closed loop gains a width (parameters and model form)" "$TMPD/u"
ok "profiles prints the uncertainty block" "$TTSIM" profiles "$TMPD/u.yaml"
has "gemm_bf16.bw_eff: 0.05" "uncertainty written back" "$TMPD/out"
printf 'uncertainty:\n  gemm_bf16.nosuch: 0.05\n' > "$TMPD/b.yaml"; cat models/profiles/h100_sxm.yaml >> "$TMPD/b.yaml"
status 2 "unknown uncertainty key" "$TTSIM" profiles "$TMPD/b.yaml"
has "b.yaml:2: key 'uncertainty.gemm_bf16.nosuch'" "file:line: key" "$TMPD/err"
status 2 "replications 0" "$TTSIM" run $A --replications 0
finish
