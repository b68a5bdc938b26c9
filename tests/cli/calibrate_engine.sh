#!/bin/sh
# `ttsim calibrate engine`: fits an engine profile to end-to-end measured runs and writes a
# YAML that `--engine FILE` accepts. "Measured" offline batches are simulated with the
# shipped vllm-v0 profile; the fit must give its step CPU constants back, and the written
# profile must reproduce the rows. Bad input exits 2 with a one-line message.
. "$(dirname "$0")/lib.inc"
M="$TMPD/m.csv"
# max_model_len 32768: vLLM V0 unchunked (over 32K, V0 since PR #6666 chunks at 512, where the fit's
# per-sequence regressor is no longer exact), the run's budget max(32768, 2048)
echo "id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,num_prompts,request_rate,engine,engine_version,max_model_len" > "$M"
k=0
for b in 1 4 16 64; do
	for l in 64 256; do
		"$TTSIM" run --engine vllm-v0 --model qwen3-8b --gpu h100_sxm --input-len $l \
			--output-len $l --concurrency $b --requests $b --max-model-len 32768 \
			--format json > "$TMPD/r.json"
		v=$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["summary"]["output_tok_per_s"]))' "$TMPD/r.json")
		echo "r$k,qwen3-8b,h100_sxm,1,bf16,$l,$l,$b,output_tok_per_s,$v,$b,inf,vllm,0.5,32768" >> "$M"
		k=$((k + 1))
	done
done
ok "fit vllm-v0 to its own batches" "$TTSIM" calibrate engine "$M" --family vllm-v0 -o "$TMPD/e.yaml"
has "wrote $TMPD/e.yaml" "says what it wrote" "$TMPD/out"
has "frontend: not fitted" "an unfittable block is said so" "$TMPD/out"
has "base_s: 0.001059  # fitted" "base_s recovered" "$TMPD/e.yaml"
has "per_seq_s: 4.204e-05  # fitted" "per_seq_s recovered" "$TMPD/e.yaml"
has "per_ctx_token_s: 2.997e-08  # fitted" "per_ctx_token_s recovered (two lengths)" "$TMPD/e.yaml"
has '^name: "e"' "name from the output file" "$TMPD/e.yaml"
has "chunked_prefill: false" "defaults from the base (vllm-v0)" "$TMPD/e.yaml"
# the written profile runs, and reproduces a row (r2: batch 4 of 64 tokens)
ok "--engine FILE accepts it" "$TTSIM" run --engine "$TMPD/e.yaml" --model qwen3-8b --gpu h100_sxm \
	--input-len 64 --output-len 64 --concurrency 4 --requests 4 --max-model-len 32768 --format json
python3 - "$TMPD/out" "$M" > "$TMPD/same" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))["summary"]["output_tok_per_s"]
want = float([l for l in open(sys.argv[2]) if l.startswith("r2,")][0].split(",")[9])
print("same" if abs(got - want) <= 1e-6 * want else "differ %r %r" % (got, want))
PY
has "^same" "the fitted profile reproduces the row" "$TMPD/same"
# --name, --source
ok "--name and --source" "$TTSIM" calibrate engine "$M" --family vllm-v0 --name my-v0 \
	--source 'my "bench" runs' -o "$TMPD/f.yaml"
has '^name: "my-v0"' "--name" "$TMPD/f.yaml"
has '^source: "my \\"bench\\" runs"' "--source quoted" "$TMPD/f.yaml"
ok "quoted source reads back" "$TTSIM" run --engine "$TMPD/f.yaml" --model qwen3-8b --gpu h100_sxm \
	--input-len 16 --output-len 4 --requests 2
# bad input
status 2 "no family" "$TTSIM" calibrate engine "$M" -o "$TMPD/x.yaml"
has "--family FAMILY missing" "no family: says so" "$TMPD/err"
status 2 "no output" "$TTSIM" calibrate engine "$M" --family vllm-v0
status 2 "no rows of the family" "$TTSIM" calibrate engine "$M" --family sglang -o "$TMPD/x.yaml"
has "nothing to fit" "no rows: says why" "$TMPD/err"
[ ! -e "$TMPD/x.yaml" ] && T_PASS=$((T_PASS + 1)) || { T_FAIL=$((T_FAIL + 1)); echo "FAIL: a failed fit wrote a file"; }
cp "$M" "$TMPD/serving_check.csv"
status 2 "the check part is refused" "$TTSIM" calibrate engine "$TMPD/serving_check.csv" --family vllm-v0 -o "$TMPD/x.yaml"
has "never fitted" "refusal says why" "$TMPD/err"
status 2 "unknown base" "$TTSIM" calibrate engine "$M" --family vllm-v0 --base nosuch -o "$TMPD/x.yaml"
has "unknown engine profile 'nosuch'" "unknown base named" "$TMPD/err"
status 2 "unknown option" "$TTSIM" calibrate engine "$M" --family vllm-v0 --colour red -o "$TMPD/x.yaml"
printf 'id,model\n' > "$TMPD/bad.csv"
status 2 "bad measured file" "$TTSIM" calibrate engine "$TMPD/bad.csv" --family vllm-v0 -o "$TMPD/x.yaml"
has "bad.csv:1: key" "bad file: file, line and key" "$TMPD/err"
# a fit that is not a CPU cost (trtllm-1's trtllm-bench rows ask for a negative step time)
# is not written as a profile that cannot be read back: its block is "not fitted", and with
# no front-end fit either there is nothing to fit (exit 2, one line; it once hit a BUG)
status 2 "a negative step fit is refused" "$TTSIM" calibrate engine tests/validation/serving_fit.csv \
	--family trtllm-1 -o "$TMPD/x.yaml"
has "the fit is not a CPU cost (base_s -" "the refusal says why" "$TMPD/err"
ok "help" "$TTSIM" calibrate engine --help
has "calibrate engine" "help text" "$TMPD/out"
finish
