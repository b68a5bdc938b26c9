#!/bin/sh
# Memory against vLLM's startup logs (issue 19): tests/validation/memory.csv's rows held to
# limits set from them (weights 6%: triton_kernels' Hopper layout of vLLM 0.14.1 is not
# modelled, -5.5%; the Marlin rows within 1%; KV memory 7% on the rows without a status:
# vLLM 0.19 on an A100, -6.5%, ttsim counting the 0.10-0.11 sampler sort; tokens per KV GiB
# and concurrency 2%: the block arithmetic); vLLM 0.10.1 refusing gpt-oss-120b on one H100
# at 0.9 (Marlin-padded experts, the sampler peak of 1024 sequences) is a ttsim refusal;
# summary.memory names vLLM's lines; gpt-oss-20b's concurrency at 131,072 tokens is its
# hybrid KV cache's (sliding blocks freed), about twice the not-freed figure; bad rows refused.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

ok "every row within its limit" python3 tests/validation/memory.py "$TTSIM" tests/validation/memory.csv --check 0.06,0.07,0.02
cp "$TMPD/out" "$TMPD/mem"
# the Marlin rows' weights (padded MXFP4 experts) within 1%
awk '$2 == "weights" && ($1 == "oss20b_a100_v019" || $1 == "oss120b_h100_v010") {
	e = $5; sub("%", "", e); e += 0; if (e < 0) e = -e; if (e <= 1) n++ } END { print "marlin_ok", n + 0 }' \
	"$TMPD/mem" > "$TMPD/m"
has "marlin_ok 2" "gpt-oss Marlin weights within 1% on A100 and H100" "$TMPD/m"
has "oss120b_h100_v010          kv               -2.14     refused" "vLLM 0.10.1's refusal is ttsim's" "$TMPD/mem"
# the backend: an A100 has no triton_kernels (exit 2 naming the key); on an H100 Marlin's
# padded experts take 5.13 GiB more than Triton's (36 x 128 x (14,431,744 - 13,253,760))
status 2 "triton MXFP4 refused on an A100" "$TTSIM" run --model gpt-oss-20b --gpu a100_sxm --mxfp4-backend triton --requests 1
has "key 'mxfp4_backend'" "the refusal names the key" "$TMPD/err"
for b in marlin triton; do
	ok "gpt-oss-120b with $b" "$TTSIM" run --model gpt-oss-120b --gpu h100_sxm --mxfp4-backend $b --gpu-memory-utilization 0.95 --max-model-len 8192 --requests 1 --input-len 8 --output-len 8 --format json
	cp "$TMPD/out" "$TMPD/$b.json"
done
python3 - "$TMPD/marlin.json" "$TMPD/triton.json" > "$TMPD/m" <<'PY'
import json, sys
w = [json.load(open(f))["summary"]["memory"]["model_loading_gib"] for f in sys.argv[1:]]
print("pad_ok", abs((w[0] - w[1]) * 2**30 - 36 * 128 * (14431744 - 13253760)) < 1e4)
PY
has "pad_ok True" "Marlin's padding on gpt-oss-120b by hand" "$TMPD/m"
has "qwen3_14b_lmcache          conc" "concurrency checked against the Qwen3-14B log" "$TMPD/mem"
has "llama31_8b_3090_v0         tok/GiB" "tokens per GiB checked against the V0 log" "$TMPD/mem"
has "oss20b_a100_v019           kv" "gpt-oss-20b's KV memory checked on A100" "$TMPD/mem"
# the check can fail: held to 1% the gpt-oss weights fail (vLLM 0.14.1's Triton layout)
status 1 "a 1% weight limit fails" python3 tests/validation/memory.py "$TTSIM" tests/validation/memory.csv --check 0.01,0.05,0.02

# summary.memory: vLLM's names; the hybrid pool of gpt-oss-20b (two groups of 12 layers)
ok "gpt-oss-20b memory report" "$TTSIM" run --model gpt-oss-20b --gpu h100_sxm --requests 1 --input-len 8 --output-len 8 --max-model-len 131072 --format json
python3 - "$TMPD/out" > "$TMPD/m" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["summary"]["memory"]
blocks, per_req = m["num_gpu_blocks"], 8192 + 521  # hand-worked: full 131072 / 16, sliding
print("groups", m["kv_cache_groups"], m["layers_per_kv_cache_group"])
print("tokens_ok", m["gpu_kv_cache_size_tokens"] == blocks // 2 * 16)
print("conc_ok", abs(m["maximum_concurrency"] - blocks / per_req) < 1e-9)
print("doubled", m["maximum_concurrency"] / ((blocks // 2) / 8192) > 1.8)
PY
has "groups 2 12" "gpt-oss-20b: two KV cache groups of 12 layers" "$TMPD/m"
has "tokens_ok True" "GPU KV cache size: blocks / groups x block size" "$TMPD/m"
has "conc_ok True" "maximum concurrency: blocks over 8192 + 521 a request" "$TMPD/m"
has "doubled True" "concurrency about twice the not-freed one" "$TMPD/m"
ok "a dense model's memory report" "$TTSIM" run --model r1-qwen-14b --gpu h100_sxm --requests 1 --input-len 8 --output-len 8 --max-model-len 32768 --format json
python3 - "$TMPD/out" > "$TMPD/m" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["summary"]["memory"]
print("dense", m["kv_cache_groups"], m["gpu_kv_cache_size_tokens"] == m["num_gpu_blocks"] * 16,
      abs(m["maximum_concurrency"] - m["num_gpu_blocks"] / 2048) < 1e-9)
PY
has "dense 1 True True" "a dense model: one group, blocks x 16 tokens, blocks / 2048 at 32768" "$TMPD/m"

# bad rows: one line naming file, line and key, exit 2
H=$(grep -v '^#' tests/validation/memory.csv | head -n 1)
R=$(grep '^qwen3_14b_lmcache,' tests/validation/memory.csv)
printf '%s\n%s\n' "$H" "$(echo "$R" | sed 's/,6\.51,/,lots,/')" > "$TMPD/bad.csv"
status 2 "a KV memory that is not a number" python3 tests/validation/memory.py "$TTSIM" "$TMPD/bad.csv"
has "bad.csv:2: key 'available_kv_gib'" "the refusal names line and key" "$TMPD/err"
printf '%s\n%s\n' "$H" "$(echo "$R" | sed 's/,auto,/,int4,/')" > "$TMPD/bad.csv"
status 2 "an unknown dtype" python3 tests/validation/memory.py "$TTSIM" "$TMPD/bad.csv"
has "bad.csv:2: key 'dtype'" "the refusal names the dtype" "$TMPD/err"
printf '%s\n%s\n' "$H" "$(echo "$R" | sed 's/,1\.30,,/,1.30,maybe,/')" > "$TMPD/bad.csv"
status 2 "a status that is not 'known: why'" python3 tests/validation/memory.py "$TTSIM" "$TMPD/bad.csv"
has "bad.csv:2: key 'status'" "the refusal names the status" "$TMPD/err"
status 2 "max_model_len out of range" "$TTSIM" run --max-model-len -5 --requests 1

# The non-KV memory candidate (tests/validation/memory_candidate.py; the shipped profiles keep
# memory.reserved_bytes): a + b x [tp > 1] fitted by GSL on the vLLM pull requests' rows (3),
# reported on the others; the Qwen3-235B-FP8 TP 4 row (vLLM 0.9.2, not fitted) lands within 2%
# where the shipped flat reserve is +24%; GPUStack's Qwen3-32B 32K deployment stays short of
# the 2007 blocks vLLM held either way.
ok "the memory candidate" python3 tests/validation/memory_candidate.py "$TTSIM"
cp "$TMPD/out" "$TMPD/cand"
has "fit rows 3: reserve(tp)" "three fit rows" "$TMPD/cand"
awk '$1 == "qwen3_235b_fp8_h100_tp4" { e = $7; sub("%", "", e); e += 0; if (e < 0) e = -e;
	print "q235_ok", (e <= 2) }' "$TMPD/cand" > "$TMPD/m"
has "q235_ok 1" "the TP 4 check row within 2% with the candidate" "$TMPD/m"
grep '^bound qwen3_32b_h100_32k_seqs256' "$TMPD/cand" > "$TMPD/m"
has "still short" "GPUStack Qwen3-32B at 32K: short of vLLM's 2007 blocks" "$TMPD/m"
grep -v '^#' tests/validation/memory.csv | grep -v 'vllm-project/vllm/pull/' > "$TMPD/nofit.csv"
status 2 "no fit rows" python3 tests/validation/memory_candidate.py "$TTSIM" "$TMPD/nofit.csv"
has "nofit.csv: the fit needs 3 or more fit rows" "the refusal names the file" "$TMPD/err"
finish
