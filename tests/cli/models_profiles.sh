#!/bin/sh
# `ttsim models` and `ttsim profiles`: listing, detail, JSON, and the exit status of bad input.
. "$(dirname "$0")/lib.inc"
ok "models lists the catalog" "$TTSIM" models
has "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B" "models table" "$TMPD/out"
# MoE models show their active parameters; a dense model's equal its total
has "^deepseek-ai/DeepSeek-R1 .* 671.03 *37.55 " "R1: 671 B total, 37.6 B active" "$TMPD/out"
has "^deepseek-ai/DeepSeek-R1-Distill-Qwen-7B .* 7.62 *7.62 " "dense: active = total" "$TMPD/out"
ok "models --model deepseek-r1" "$TTSIM" models --model deepseek-r1
has "^weights *fp8" "R1 is served in its published fp8" "$TMPD/out"
has "^active parameters .*8 of 256 experts" "R1's routing" "$TMPD/out"
ok "models --format json" "$TTSIM" models --format json
has '"active_params":' "JSON names active parameters" "$TMPD/out"
has "196608" "14B KV bytes per token" "$TMPD/out"
ok "models --model alias" "$TTSIM" models --model R1-QWEN-1.5B
has "does not divide the 12 attention heads" "tp 8 refused for 1.5B" "$TMPD/out"
ok "models --format json" "$TTSIM" models --model models/configs/Qwen3-8B.json --format json
has '"n_layers":	36' "json from a config.json" "$TMPD/out"
status 2 "unknown model" "$TTSIM" models --model nosuch
has "unknown model 'nosuch'" "unknown model message" "$TMPD/err"
status 2 "bad format" "$TTSIM" models --format xml
ok "profiles lists" "$TTSIM" profiles
has "gh200" "gh200 listed" "$TMPD/out"
has "h200_sxm" "h200 listed" "$TMPD/out"
ok "profiles NAME prints YAML" "$TTSIM" profiles a100_sxm
has "gemm_bf16:" "yaml printed" "$TMPD/out"
ok "profiles PATH" "$TTSIM" profiles models/profiles/gh200.yaml
sed 's/  peak: 989e12 /  peek: 989e12 /' tests/data/frozen_h100.yaml > "$TMPD/bad.yaml"
status 2 "unknown key in a profile" "$TTSIM" profiles "$TMPD/bad.yaml"
has "bad.yaml:22: key 'gemm_bf16.peek': unknown key" "file:line: key" "$TMPD/err"
# the schema: every key once, and models/profiles/README.md's table is its markdown, verbatim
ok "profiles --schema" "$TTSIM" profiles --schema
has "attention.decode_cta  *s  *\[0, 0.001\]  *optional gemm_bf16.sms" "schema row: unit, range, needs" "$TMPD/out"
has "allreduce\[\].ll128_lat" "schema lists the all-reduce keys" "$TMPD/out"
ok "profiles --schema --format json" "$TTSIM" profiles --schema --format json
has '"key":	"gemm_fp8.k_lat"' "schema json" "$TMPD/out"
cp "$TMPD/out" "$TMPD/schema.json"
ok "profiles --schema --format=json" "$TTSIM" profiles --schema --format=json
cp "$TMPD/out" "$TMPD/schema2.json"
ok "--format=json: the same schema" cmp "$TMPD/schema.json" "$TMPD/schema2.json"
status 2 "--format without --schema" "$TTSIM" profiles --format json
status 2 "unknown schema format" "$TTSIM" profiles --schema --format xml
ok "profiles --schema --format markdown" "$TTSIM" profiles --schema --format markdown
sed -n '/^<!-- schema:begin -->$/,/^<!-- schema:end -->$/p' models/profiles/README.md | sed '1d;$d' > "$TMPD/readme_table"
if cmp -s "$TMPD/out" "$TMPD/readme_table"; then T_PASS=$((T_PASS+1)); else T_FAIL=$((T_FAIL+1))
	echo "FAIL: models/profiles/README.md's schema table differs from 'ttsim profiles --schema --format markdown' (paste its output between the schema markers)"
	diff "$TMPD/readme_table" "$TMPD/out" | head -n 20; fi
finish
