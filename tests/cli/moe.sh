#!/bin/sh
# Mixture-of-Experts, MLA and sliding windows from the command line (issue 19): the catalog
# rows run, --ep and --moe-skew reach the cost model (also per sweep point), a model that does
# not fit is refused, and unmodelled config.json keys exit 2 naming the key.
. "$(dirname "$0")/lib.inc"
run() { "$TTSIM" run --requests 16 --input-len 500 --output-len 200 --format json "$@"; }
tpot() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["tpot_ms"]["mean"])' "$1"; }

ok "qwen3-30b-a3b runs" run --model qwen3-30b-a3b --gpu h100_sxm
ok "gpt-oss-20b runs" run --model gpt-oss-20b --gpu h100_sxm
ok "deepseek-r1 fp8 runs on 8 H200 (ep none)" run --model deepseek-r1 --gpu h200_sxm --tp 8 --dtype fp8
cp "$TMPD/out" "$TMPD/none.json"
ok "deepseek-r1 with data-parallel attention" run --model deepseek-r1 --gpu h200_sxm --tp 8 --dtype fp8 --ep dp
cp "$TMPD/out" "$TMPD/dp.json"
[ "$(tpot "$TMPD/none.json")" != "$(tpot "$TMPD/dp.json")" ] && T_PASS=$((T_PASS+1)) ||
	{ T_FAIL=$((T_FAIL+1)); echo "FAIL: --ep dp changes nothing"; }
has '"ep":	"dp"' "the resolved config says ep" "$TMPD/dp.json"
status 2 "deepseek-r1 does not fit 8 H100 in fp8" run --model deepseek-r1 --gpu h100_sxm --tp 8 --dtype fp8
has "does not fit" "says so" "$TMPD/err"
status 2 "--ep on a dense model" run --model qwen3-8b --gpu h100_sxm --tp 2 --ep tp
has "key 'ep'" "names the key" "$TMPD/err"
status 2 "--ep unknown" run --model qwen3-30b-a3b --gpu h100_sxm --ep all
# Qwen3-30B-A3B in 128 x 128 fp8 blocks (as Qwen/Qwen3-30B-A3B-FP8): 768 / 8 = 96 is not
# whole blocks at TP 8 (vLLM refuses it too), whole experts under EP are
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["quantization_config"]={"quant_method":"fp8","weight_block_size":[128,128]}; json.dump(c,open(sys.argv[2],"w"))' \
	models/configs/Qwen3-30B-A3B.json "$TMPD/q30fp8.json"
status 2 "block-fp8 expert slices that are not whole blocks" run \
	--model "$TMPD/q30fp8.json" --gpu h100_sxm --tp 8 --dtype fp8
has "not a multiple of the fp8 block 128" "says why" "$TMPD/err"
ok "the same with whole experts a GPU" run --model "$TMPD/q30fp8.json" --gpu h100_sxm --tp 8 --dtype fp8 --ep tp

# unmodelled keys: exit 2, file and key named
printf '{"model_type": "qwen2_moe", "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 64, "vocab_size": 100, "num_experts": 8, "num_experts_per_tok": 2}\n' > "$TMPD/q2moe.json"
status 2 "qwen2_moe refused" run --model "$TMPD/q2moe.json" --gpu h100_sxm
has "q2moe.json: key 'num_experts': Mixture-of-Experts in this form is not modelled" "names file and key" "$TMPD/err"
status 2 "gemma-2's window refused" run --model models/configs/gemma-2-9b.json --gpu h100_sxm
has "key 'sliding_window'" "names the key" "$TMPD/err"

# a sweep over ep and moe_skew: each point its own model (the sweep's input cache keys them)
cat > "$TMPD/ep.yaml" <<'Y'
schema_version: 1
name: ep
model: qwen3-30b-a3b
gpu: h100_sxm
tp: 4
requests: 16
input_len: 500
output_len: 200
arrival: offline
sweep:
  ep: [none, tp, dp]
  moe_skew: [0, 1]
Y
ok "sweep over ep and moe_skew" "$TTSIM" run "$TMPD/ep.yaml" --out "$TMPD/sw"
n=$(python3 -c 'import csv,sys; print(len({r["tpot_ms.mean"] for r in csv.DictReader(open(sys.argv[1]))}))' "$TMPD/sw/results.csv")
[ "$n" = 6 ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: 6 sweep points gave $n distinct TPOTs"; }
# dtype auto: a published fp8 release is served in fp8 (DeepSeek-R1 fits 8 H200s so), and
# --dtype bf16 asks for twice the weights, which do not fit
ok "deepseek-r1 in its own fp8 on 8 H200" "$TTSIM" run --model deepseek-r1 --gpu h200_sxm --tp 8 --requests 2 --input-len 64 --output-len 16
status 2 "deepseek-r1 in bf16 does not fit" "$TTSIM" run --model deepseek-r1 --gpu h200_sxm --tp 8 --dtype bf16 --requests 2 --input-len 64 --output-len 16
has "does not fit" "says so" "$TMPD/err"
finish
