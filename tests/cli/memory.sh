#!/bin/sh
# Memory against vLLM's startup logs (issue 19): tests/validation/memory.csv's rows held to
# limits set from them (weights 8%: Marlin's MXFP4 padding is not modelled; KV memory 5% on
# the rows without a status; tokens per KV GiB and concurrency 2%: the block arithmetic);
# summary.memory names vLLM's lines; gpt-oss-20b's concurrency at 131,072 tokens is its
# hybrid KV cache's (sliding blocks freed), about twice the not-freed figure; bad rows refused.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

ok "every row within its limit" python3 tests/validation/memory.py "$TTSIM" tests/validation/memory.csv --check 0.08,0.05,0.02
cp "$TMPD/out" "$TMPD/mem"
has "qwen3_14b_lmcache          conc" "concurrency checked against the Qwen3-14B log" "$TMPD/mem"
has "llama31_8b_3090_v0         tok/GiB" "tokens per GiB checked against the V0 log" "$TMPD/mem"
has "oss20b_a100_v019           kv" "gpt-oss-20b's KV memory checked on A100" "$TMPD/mem"
# the check can fail: held to 1% the gpt-oss weights fail (MXFP4 padding not modelled)
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
finish
