#!/bin/sh
# Weight-only integer checkpoints (AWQ, GPTQ, compressed-tensors W4A16) from the command line
# (issue 19): the catalog's AWQ model and its shipped config.json run and plan, hold fewer
# weight bytes (more KV cache) than the bf16 original, and the formats ttsim does not model
# exit 2 naming the file and key.
. "$(dirname "$0")/lib.inc"
run() { "$TTSIM" run --requests 16 --input-len 500 --output-len 200 --format json "$@"; }
kv() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["kv_cache_gb_per_gpu"])' "$1"; }
tpot() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["tpot_ms"]["mean"])' "$1"; }
gt() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$1" "$2"; }

ok "qwq-32b-awq runs on one H100" run --model qwq-32b-awq --gpu h100_sxm
cp "$TMPD/out" "$TMPD/awq.json"
ok "qwq-32b (bf16) runs on one H100" run --model qwq-32b --gpu h100_sxm
cp "$TMPD/out" "$TMPD/bf16.json"
if gt "$(kv "$TMPD/awq.json")" "$(kv "$TMPD/bf16.json")"; then T_PASS=$((T_PASS+1)); else
	T_FAIL=$((T_FAIL+1)); echo "FAIL: int4 weights leave no more KV cache than bf16"; fi
# decode at 16 sequences is weight-bound: int4 streams about a quarter of the bytes
if gt "$(tpot "$TMPD/bf16.json")" "$(tpot "$TMPD/awq.json")"; then T_PASS=$((T_PASS+1)); else
	T_FAIL=$((T_FAIL+1)); echo "FAIL: int4 decode is not faster than bf16 at 16 sequences"; fi
ok "the shipped AWQ config.json runs on an A100" run --model models/configs/QwQ-32B-AWQ.json --gpu a100_sxm
ok "the GPTQ (compressed-tensors) R1 distill runs at TP 2" run --model r1-qwen-14b-w4a16 --gpu h200_sxm --tp 2
ok "plan picks layouts for the AWQ model" "$TTSIM" plan --model qwq-32b-awq --rate 0.2 --gpus h100_sxm:2 \
	--input-len 1000 --output-len 500 --requests 200 --top 1
has "vllm serve Qwen/QwQ-32B-AWQ" "plan prints its server line" "$TMPD/out"
status 2 "--dtype fp8 on an int4 checkpoint" run --model qwq-32b-awq --gpu h100_sxm --dtype fp8
has "key 'dtype': 'Qwen/QwQ-32B-AWQ' is a 4-bit awq checkpoint" "says why" "$TMPD/err"

ok "models describes the AWQ checkpoint" "$TTSIM" models --model qwq-32b-awq
has "weights            int4 weight-only (awq, group 128, zero points)" "models says int4, not bf16" "$TMPD/out"
ok "models --format json carries the quantisation" "$TTSIM" models --model r1-qwen-14b-w4a16 --format json
has '"bits":	4' "JSON weight_quant bits" "$TMPD/out"
has '"method":	"compressed-tensors"' "JSON weight_quant method" "$TMPD/out"

# refused: exit 2, file and key named, one line
q() { python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["quantization_config"]=json.loads(sys.argv[2]); json.dump(c,open(sys.argv[3],"w"))' \
	models/configs/QwQ-32B-AWQ.json "$1" "$TMPD/$2.json"; }
refused() { name=$1 key=$2; status 2 "$name refused" run --model "$TMPD/$name.json" --gpu h100_sxm
	has "$name.json: key '$key'" "names file and key" "$TMPD/err"
	[ "$(wc -l < "$TMPD/err")" = 1 ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: $name: not one line"; }; }
q '{"quant_method": "awq", "bits": 3, "group_size": 128, "zero_point": true}' awq3
refused awq3 quantization_config.bits
q '{"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": false, "desc_act": true}' gptqasym
refused gptqasym quantization_config.sym
q '{"quant_method": "gptq", "bits": 4, "group_size": 96, "sym": true}' gptq96
refused gptq96 quantization_config.group_size
q '{"quant_method": "modelopt", "quant_algo": "NVFP4", "group_size": 16}' nvfp4
refused nvfp4 quantization_config.quant_method
has "no GPU ttsim has a profile for has them" "says no profiled GPU has FP4 tensor cores" "$TMPD/err"
q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {"g": {"input_activations": {"num_bits": 8, "type": "int"}, "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128}}}}' w4a8
refused w4a8 quantization_config.config_groups.g.input_activations
# a flag that is not a boolean is refused, not read as its default or as true: "zero_point":
# "false" (a string) was AWQ with zero points, "desc_act": "true" GPTQ without act_order
q '{"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": "false"}' awqzpstr
refused awqzpstr quantization_config.zero_point
q '{"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": true, "desc_act": "true"}' gptqdescstr
refused gptqdescstr quantization_config.desc_act
q '{"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": true, "lm_head": "true"}' gptqlmstr
refused gptqlmstr quantization_config.lm_head
q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {"g": {"weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128, "symmetric": "no"}}}}' ctsymstr
refused ctsymstr quantization_config.config_groups.g.weights.symmetric
# compressed-tensors layers left 16-bit by targets or an ignore that is not a list are
# refused, not read as every linear layer in int4
q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {"g": {"targets": ["re:.*down_proj"], "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128}}}}' cttargets
refused cttargets quantization_config.config_groups.g.targets
q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "ignore": "model.layers.0.mlp", "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128}}}}' ctignstr
refused ctignstr quantization_config.ignore
q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "ignore": ["lm_head"], "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128}}}}' ctlinear
ok "compressed-tensors with targets [\"Linear\"] and ignore [\"lm_head\"] is read" "$TTSIM" models --model "$TMPD/ctlinear.json"
# a 2:4-sparse compressed-tensors checkpoint is refused, not sized as dense W4A16; a "dense"
# sparsity_config (what llm-compressor writes for none) is read
q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "sparsity_config": {"format": "sparse-24-bitmask", "sparsity_structure": "2:4"}, "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128}}}}' ctsparse
refused ctsparse quantization_config.sparsity_config
q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "sparsity_config": {"format": "dense", "global_sparsity": 0.0, "sparsity_structure": "unstructured"}, "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128}}}}' ctdense
ok "a dense sparsity_config is read" "$TTSIM" models --model "$TMPD/ctdense.json"
# GPTQ quantising only some of a block's layers is refused; the full list (as Qwen's GPTQ
# releases may write it) is read
q '{"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": true, "modules_in_block_to_quantize": [["self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj"], ["self_attn.o_proj"]]}' gptqpart
refused gptqpart quantization_config.modules_in_block_to_quantize
q '{"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": true, "modules_in_block_to_quantize": [["self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj"], ["self_attn.o_proj"], ["mlp.up_proj", "mlp.gate_proj"], ["mlp.down_proj"]]}' gptqall
ok "GPTQ naming every layer of the block is read" "$TTSIM" models --model "$TMPD/gptqall.json"
# a group size of 0 or -2 written in the file is named as such, not as "missing" or "not
# an integer"
q '{"quant_method": "gptq", "bits": 4, "group_size": 0, "sym": true}' gptqg0
refused gptqg0 quantization_config.group_size
has "this size is not modelled (expected -1, 32, 64 or 128, the group sizes vLLM's Marlin runs) (got 0)" "group_size 0 named" "$TMPD/err"
q '{"quant_method": "gptq", "bits": 4, "group_size": -2, "sym": true}' gptqgm2
refused gptqgm2 quantization_config.group_size
has "(got -2)" "group_size -2 named" "$TMPD/err"
# compressed-tensors actorder true (and "GROUP") is group act_order, as compressed-tensors
# reads it: g_idx held
for a in true '"GROUP"'; do
	q '{"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128, "actorder": '"$a"'}}}}' ctact
	ok "compressed-tensors actorder $a" "$TTSIM" models --model "$TMPD/ctact.json" --format json
	has '"act_order":	true' "actorder $a read as group act_order" "$TMPD/out"
done
# int4 Mixture-of-Experts (qwen3_moe, mixtral): the catalog's GPTQ Qwen3-30B-A3B and its
# shipped config.json run, hold fewer weight bytes (more KV cache) and decode faster than the
# bf16 original; what vLLM's Marlin MoE does not run, and MLA, are refused naming the key
ok "qwen3-30b-a3b-gptq-int4 runs on one H100" run --model qwen3-30b-a3b-gptq-int4 --gpu h100_sxm
cp "$TMPD/out" "$TMPD/moe4.json"
ok "qwen3-30b-a3b (bf16) runs on one H100" run --model qwen3-30b-a3b --gpu h100_sxm
cp "$TMPD/out" "$TMPD/moe16.json"
if gt "$(kv "$TMPD/moe4.json")" "$(kv "$TMPD/moe16.json")"; then T_PASS=$((T_PASS+1)); else
	T_FAIL=$((T_FAIL+1)); echo "FAIL: int4 experts leave no more KV cache than bf16"; fi
if gt "$(tpot "$TMPD/moe16.json")" "$(tpot "$TMPD/moe4.json")"; then T_PASS=$((T_PASS+1)); else
	T_FAIL=$((T_FAIL+1)); echo "FAIL: int4 MoE decode is not faster than bf16 at 16 sequences"; fi
ok "the shipped GPTQ MoE config.json runs on an A100 at TP 2" run \
	--model models/configs/Qwen3-30B-A3B-GPTQ-Int4.json --gpu a100_sxm --tp 2
ok "TP 4 with expert parallelism runs" run --model qwen3-30b-a3b-gptq-int4 --gpu h100_sxm --tp 4 --ep tp
status 2 "TP 4 by width: 192-wide expert slices, not Marlin MoE's" run \
	--model qwen3-30b-a3b-gptq-int4 --gpu h100_sxm --tp 4
has "key 'tp': the expert width 768" "names tp and the width" "$TMPD/err"
ok "models describes the int4 MoE checkpoint" "$TTSIM" models --model qwen3-30b-a3b-gptq-int4
has "weights            int4 weight-only (gptq, group 128)" "models says int4 for the MoE" "$TMPD/out"
ok "models lists it" "$TTSIM" models
has "Qwen/Qwen3-30B-A3B-GPTQ-Int4" "listed" "$TMPD/out"
qm() { python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["quantization_config"]=json.loads(sys.argv[2]); json.dump(c,open(sys.argv[3],"w"))' \
	models/configs/Qwen3-30B-A3B-GPTQ-Int4.json "$1" "$TMPD/$2.json"; }
qm '{"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": true, "version": "gemm", "modules_to_not_convert": ["gate"]}' moeawq
ok "AWQ MoE with the router left 16-bit is read" "$TTSIM" models --model "$TMPD/moeawq.json"
has "int4 weight-only (awq, group 128, zero points)" "AWQ MoE read as int4" "$TMPD/out"
qm '{"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": true, "desc_act": true}' moeact
refused moeact quantization_config.desc_act
qm '{"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": true, "modules_to_not_convert": ["mlp.experts"]}' moeskip
refused moeskip quantization_config.modules_to_not_convert
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["quantization_config"]={"quant_method": "awq", "bits": 4, "group_size": 128}; json.dump(c,open(sys.argv[2],"w"))' \
	models/configs/DeepSeek-V2-Lite.json "$TMPD/mlaawq.json"
refused mlaawq quantization_config.quant_method
has "not modelled yet for MLA models and gpt-oss" "says MLA is not modelled" "$TMPD/err"
# `models --model`'s TP table says what `run --tp N` accepts: TP 4 slices the experts into
# 192-wide pieces vLLM's Marlin MoE cannot run
ok "models: the int4 MoE's TP table" "$TTSIM" models --model qwen3-30b-a3b-gptq-int4
has "^   4  no  key 'tp': the expert width 768" "models: TP 4 refused as run refuses it" "$TMPD/out"
has "^   2  yes" "models: TP 2 accepted" "$TMPD/out"
finish
