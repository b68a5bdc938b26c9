#!/bin/sh
# `ttsim models` and `ttsim profiles`: listing, detail, JSON, and the exit status of bad input.
. "$(dirname "$0")/lib.inc"
ok "models lists the catalog" "$TTSIM" models
has "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B" "models table" "$TMPD/out"
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
finish
