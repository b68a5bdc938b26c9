#!/bin/sh
# Inputs that parse but would give a wrong answer: each is refused with exit 2 and a
# one-line message naming the file, line or key (the rule of README.md, "Errors"), where
# it used to run. Found by an adversarial pass over the command line (December 2026).
. tests/cli/lib.inc

# --- the max length: a synthetic prompt at or past it is refused, as vLLM refuses it
status 2 "a prompt past the model's context" "$TTSIM" run --model meta-llama/Llama-2-7b-hf --gpu h100_sxm --requests 20 --input-len 100000
has "key 'input_len': prompts of 100000 tokens reach the max length 4096 of 'meta-llama/Llama-2-7b-hf' (its max_position_embeddings" "names the key, the limit and where it comes from" "$TMPD/err"
[ "$(wc -l < "$TMPD/err")" = 1 ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: one line"; }
status 2 "a prompt past --max-model-len" "$TTSIM" run --model qwen3-8b --max-model-len 100 --input-len 256 --output-len 128 --requests 4
has "reach the max length 100 of 'Qwen/Qwen3-8B' (max_model_len" "max_model_len is the limit when below the model's" "$TMPD/err"
# an output past it ends there, counted once per request (it counted prompt and output)
ok "an output past --max-model-len is cut" "$TTSIM" run --model qwen3-8b --max-model-len 300 --input-len 256 --output-len 128 --requests 4 --format json
python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["summary"]; print(s["samples_capped"], s["output_tokens"])' "$TMPD/out" > "$TMPD/cap"
has "^4 176$" "4 requests cut, each at 300 - 256 = 44 tokens" "$TMPD/cap"
# validate: a row whose prompt is past the model is refused, not simulated as a cut one
printf 'id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value\nr,meta-llama/Llama-2-7b-hf,h100_sxm,1,bf16,100000,100,1,ttft_ms,50\n' > "$TMPD/long.csv"
status 2 "validate: a prompt past the model" "$TTSIM" validate "$TMPD/long.csv"
has "long.csv:2: key 'input_len': prompts of 100000 tokens reach the max length 4096" "names the row" "$TMPD/err"

# a length file's pair past it: refused by line, as --input-len is (it ran, cut to 1 token)
printf 'input_len,output_len\n100,10\n200000,10\n' > "$TMPD/lf.csv"
status 2 "a length file's prompt past the model" "$TTSIM" run --length-file "$TMPD/lf.csv" --requests 2
has "lf.csv:3: key 'length_file': a prompt of 200000 tokens reaches the max length" "names the line" "$TMPD/err"

# --- validate rows: what a typo would silently turn into something else
H='id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,engine,engine_version,dataset,status,range_ratio'
row() { printf '%s\nr,qwen3-8b,h100_sxm,1,bf16,256,64,1,tpot_ms,7,%s\n' "$H" "$1" > "$TMPD/r.csv"; }
row 'vlm,0.11.0,,,'
status 2 "an unknown engine" "$TTSIM" validate "$TMPD/r.csv"
has "r.csv:2: key 'engine': unknown engine 'vlm'" "names the engine" "$TMPD/err"
row 'vllm,zzz,,,'
status 2 "a vLLM version that is not one" "$TTSIM" validate "$TMPD/r.csv"
has "key 'engine_version': not a vLLM version: 'zzz'" "names the version" "$TMPD/err"
row 'vllm,2026-04,,,'
ok "a vLLM build of a date runs as V1" "$TTSIM" validate "$TMPD/r.csv"
has "^vllm-v1 " "grouped as vllm-v1" "$TMPD/out"
row 'vllm,~0.6.x,,,'
ok "vLLM ~0.6.x runs as V0" "$TTSIM" validate "$TMPD/r.csv"
has "^vllm-v0 " "grouped as vllm-v0 (it was read as V1)" "$TMPD/out"
row 'vllm,0.11.0,foo,,'
status 2 "an unknown dataset" "$TTSIM" validate "$TMPD/r.csv"
has "key 'dataset': unknown dataset 'foo'" "names the dataset" "$TMPD/err"
row 'vllm,0.11.0,,garbage,'
status 2 "a status that is not a skip" "$TTSIM" validate "$TMPD/r.csv"
has "key 'status': expected empty (simulate the row) or 'skip: WHY'" "names the status" "$TMPD/err"
row 'vllm,0.11.0,random,,1'
status 2 "range_ratio 1 on vLLM >= 0.10's law" "$TTSIM" validate "$TMPD/r.csv"
has "key 'range_ratio': vLLM's random dataset takes a ratio below 1" "says why" "$TMPD/err"
row 'vllm,0.6.0,random,,1'
ok "range_ratio 1 on the old law (its default: fixed lengths)" "$TTSIM" validate "$TMPD/r.csv"
printf '%s\nr,qwen3-8b,h100_sxm,1,bf16,256,64,1,tpot_ms,1e300,,,,,\n' "$H" > "$TMPD/r.csv"
status 2 "an absurd measured value" "$TTSIM" validate "$TMPD/r.csv"
has "key 'value': expected a positive number below 1e+09" "names the value's bound" "$TMPD/err"
printf '%s\nr,qwen3-8b,h100_sxm,1,bf16,0x100,64,1,tpot_ms,7,,,,,\n' "$H" > "$TMPD/r.csv"
status 2 "a hex number" "$TTSIM" validate "$TMPD/r.csv"
printf '\357\273\277%s\nr,qwen3-8b,h100_sxm,1,bf16,256,64,1,tpot_ms,7,vllm,0.11.0,,,\n' "$H" > "$TMPD/r.csv"
ok "a UTF-8 byte-order mark is not part of the first column's name" "$TTSIM" validate "$TMPD/r.csv"
printf '%s\n' "$H" > "$TMPD/r.csv"
status 2 "a header and no rows" "$TTSIM" validate "$TMPD/r.csv"
has "r.csv: no measured rows" "says there is nothing to check" "$TMPD/err"
printf '[1, 2]\n' > "$TMPD/a.json"
status 2 "a JSON array" "$TTSIM" validate "$TMPD/a.json"
has "a.json: a JSON array" "says what it is" "$TMPD/err"
status 2 "validate --gpu that is no profile" "$TTSIM" validate tests/validation/dev.csv --gpu nope
status 2 "validate --dtype fp4" "$TTSIM" validate tests/validation/dev.csv --dtype fp4
status 2 "validate --tp 3" "$TTSIM" validate tests/validation/dev.csv --tp 3
status 2 "a metric's limit given twice" "$TTSIM" validate tests/validation/dev.csv --max-median-error ttft_ms=5,ttft_ms=1000

# --- vllm bench serve JSON: every key read is checked, none dropped
B=tests/fuzz/corpus/fuzz_vllm_bench/bench.json
bj() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); exec(sys.argv[2]); open(sys.argv[3], "w").write(json.dumps(d, indent=1))' "$B" "$1" "$TMPD/b.json"; }
bj 'd["request_rate"] = 5'
status 2 "bench JSON: a finite rate with max_concurrency" "$TTSIM" validate "$TMPD/b.json"
has "key 'request_rate': a finite rate with a concurrency limit is not supported" "as the CSV says" "$TMPD/err"
has "b.json:[0-9]*: key" "names the line" "$TMPD/err"
bj 'd["request_rate"] = "abc"'
status 2 "bench JSON: a rate that is not a number" "$TTSIM" validate "$TMPD/b.json"
bj 'd["mean_ttft_ms"] = None'
status 2 "bench JSON: a null metric" "$TTSIM" validate "$TMPD/b.json"
has "key 'mean_ttft_ms': expected a number" "names the metric" "$TMPD/err"
bj 'd["tp"] = 1.5'
status 2 "bench JSON: a fractional tp" "$TTSIM" validate "$TMPD/b.json"
bj 'd["num_prompts"] = 0'
status 2 "bench JSON: no prompts" "$TTSIM" validate "$TMPD/b.json"
bj 'd["completed"] = 41'
status 2 "bench JSON: more completed than sent" "$TTSIM" validate "$TMPD/b.json"
bj 'd["mean_ttft_ms"] = 1e308'
status 2 "bench JSON: an absurd value" "$TTSIM" validate "$TMPD/b.json"
printf '{"tp": 1,\n "tp": 2}\n' > "$TMPD/d.json"
status 2 "bench JSON: a key given twice" "$TTSIM" validate "$TMPD/d.json"
has "d.json:1: key 'tp': given twice" "names it" "$TMPD/err"
printf '%s trailing' "$(cat "$B")" > "$TMPD/t.json"
status 2 "bench JSON: text after the object" "$TTSIM" validate "$TMPD/t.json"
# an open loop at a rate (no max_concurrency): simulated as one, as a CSV row of it is
bj 'del d["max_concurrency"]; d["request_rate"] = 2'
ok "bench JSON: --request-rate without --max-concurrency is an open loop" "$TTSIM" validate "$TMPD/b.json" --format json
python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["rows"][0]; print(r["concurrency"], r["requests"])' "$TMPD/out" > "$TMPD/ol"
has "^0 40$" "concurrency 0, the 40 prompts sent" "$TMPD/ol"

# --- sweeps: a rate and a concurrency at once
printf 'schema_version: 1\nrequests: 5\nsweep:\n  rate: [1]\n  concurrency: [2]\n' > "$TMPD/rc.yaml"
status 2 "sweep: rate and concurrency axes" "$TTSIM" sweep "$TMPD/rc.yaml" --out "$TMPD/rc"
has "rc.yaml:5: key 'concurrency': given with a rate" "names the line" "$TMPD/err"
printf 'schema_version: 1\nrequests: 5\nsweep:\n  concurrency: [2]\n' > "$TMPD/c.yaml"
status 2 "sweep: --rate over a concurrency axis" "$TTSIM" sweep "$TMPD/c.yaml" --rate 3 --out "$TMPD/c"
has "^ttsim: --rate: key 'rate': .*sweeps concurrency (arrival closed)" "names the flag and the axis" "$TMPD/err"

# --- YAML: null values and a second document
printf 'schema_version: 1\nmodel: ~\n' > "$TMPD/n.yaml"
status 2 "YAML: a null model" "$TTSIM" run "$TMPD/n.yaml"
has "n.yaml:2: key 'model': null" "names the file, line and key" "$TMPD/err"
printf 'schema_version: 1\ntp: 1\n---\ntp: 2\n' > "$TMPD/m.yaml"
status 2 "YAML: a second document" "$TTSIM" run "$TMPD/m.yaml"
has "m.yaml:4: a second YAML document" "names the line" "$TMPD/err"
printf -- '---\nschema_version: 1\nrequests: 2\n' > "$TMPD/s.yaml"
ok "YAML: a leading --- is one document" "$TTSIM" run "$TMPD/s.yaml"

# --- config.json: a key twice, text after the object, an empty model_type
printf '{"model_type": "qwen3", "num_hidden_layers": 2, "num_hidden_layers": 3, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}\n' > "$TMPD/dup.json"
status 2 "config.json: a key twice" "$TTSIM" run --model "$TMPD/dup.json" --requests 2
has "key 'num_hidden_layers': given twice" "names it" "$TMPD/err"
printf '{"model_type": "qwen3", "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100} x\n' > "$TMPD/tg.json"
status 2 "config.json: text after the object" "$TTSIM" run --model "$TMPD/tg.json" --requests 2
printf '{"model_type": "", "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}\n' > "$TMPD/mt.json"
status 2 "config.json: an empty model_type" "$TTSIM" run --model "$TMPD/mt.json" --requests 2
has "key 'model_type': empty" "names it" "$TMPD/err"

# --- plan: a typo in a --try list is bad input (2), not "no layout holds" (1)
P="--model qwen3-8b --requests 200 --input-len 256 --output-len 128 --rate 5 --gpus h100_sxm:2"
status 2 "plan --try-tp 3" "$TTSIM" plan $P --try-tp 3
status 2 "plan --try-dtype fp4" "$TTSIM" plan $P --try-dtype bf16,fp4
status 2 "plan --try-spec bogus" "$TTSIM" plan $P --try-spec bogus
has "try-spec: 'bogus': unknown model" "names the value" "$TMPD/err"

# --- a trace imported without its prompts' lengths: refused when run, naming the problem
printf '{"format": "ttsim-trace", "version": 1, "model": "Qwen/Qwen3-8B", "max_tokens": 1000}\n{"unique_id": "p0", "prompt_tokens": 0, "samples": [{"output_tokens": 10, "answer": 0}]}\n' > "$TMPD/p0.jsonl"
status 2 "a trace with prompt_tokens 0" "$TTSIM" run --model qwen3-8b --trace "$TMPD/p0.jsonl"
has "problem 0 (p0): key 'prompt_tokens': 0" "names the problem and the key" "$TMPD/err"
# --- traces: a misspelt key, two forms at once, a cut listed twice, a header's count
TH='{"format": "ttsim-trace", "version": 1, "model": "Qwen/Qwen3-8B", "max_tokens": 1000}'
printf '%s\n{"unique_id": "p0", "prompt_tokens": 5, "samples": [{"output_tokens": 10, "anwser": 0}]}\n' "$TH" > "$TMPD/k.jsonl"
status 2 "a trace sample's misspelt key" "$TTSIM" trace stats "$TMPD/k.jsonl"
has "k.jsonl:2: key 'anwser': unknown in a sample (expected output_tokens, answer, finished)" "names it" "$TMPD/err"
printf '%s\n{"unique_id": "p0", "prompt_tokens": 5, "samples": [{"output_tokens": 10}], "output_tokens": [10], "answers": [0]}\n' "$TH" > "$TMPD/b2.jsonl"
status 2 "both forms of samples" "$TTSIM" trace stats "$TMPD/b2.jsonl"
printf '%s\n{"unique_id": "p0", "prompt_tokens": 5, "output_tokens": [10, 1000], "answers": [0, 1], "cut": [1, 1]}\n' "$TH" > "$TMPD/c2.jsonl"
status 2 "a cut sample listed twice" "$TTSIM" trace stats "$TMPD/c2.jsonl"
printf '%s\n{"unique_id": "p0", "prompt_tokens": 5, "samples": [{"output_tokens": 10}]}\n' '{"format": "ttsim-trace", "version": 1, "model": "Qwen/Qwen3-8B", "max_tokens": 1000, "samples_per_problem": 4}' > "$TMPD/n4.jsonl"
status 2 "a header's samples_per_problem the lines do not hold" "$TTSIM" trace stats "$TMPD/n4.jsonl"
has "n4.jsonl:2: key 'samples': 1 samples (the header's samples_per_problem says 4)" "names the line" "$TMPD/err"
# a majority of more samples than a problem has is n/a, not the majority of all of them
printf '%s\n{"unique_id": "p0", "prompt_tokens": 5, "samples": [{"output_tokens": 10, "answer": 0}, {"output_tokens": 10, "answer": 1}, {"output_tokens": 10, "answer": 1}]}\n' "$TH" > "$TMPD/m3.jsonl"
ok "trace stats on 3 samples" "$TTSIM" trace stats "$TMPD/m3.jsonl"
has "0.3333  0.3333  1.0000     n/a" "maj@1, maj@2 (a tie goes to the first answer), then n/a from maj@4" "$TMPD/out"
# trace import jsonl: what the trace reader would refuse, or read as something else
printf '{"unique_id":"","output_tokens":10,"is_correct":true}\n' > "$TMPD/j.jsonl"
status 2 "import jsonl: an empty id" "$TTSIM" trace import jsonl "$TMPD/j.jsonl" -o "$TMPD/jo.jsonl"
printf '{"unique_id":"a","output_tokens":10,"is_correct":"yes"}\n' > "$TMPD/j.jsonl"
status 2 "import jsonl: is_correct yes" "$TTSIM" trace import jsonl "$TMPD/j.jsonl" -o "$TMPD/jo.jsonl"
printf '{"unique_id":"a","output_tokens":10.7,"is_correct":true}\n' > "$TMPD/j.jsonl"
status 2 "import jsonl: a fractional token count" "$TTSIM" trace import jsonl "$TMPD/j.jsonl" -o "$TMPD/jo.jsonl"
printf '{"unique_id":"a","output_tokens":10,"is_correct":true,"level":9}\n' > "$TMPD/j.jsonl"
status 2 "import jsonl: level 9" "$TTSIM" trace import jsonl "$TMPD/j.jsonl" -o "$TMPD/jo.jsonl"
printf '{"unique_id":"a","output_tokens":10,"is_correct":true,"prompt_tokens":10}\n{"unique_id":"a","output_tokens":10,"is_correct":true,"prompt_tokens":12}\n' > "$TMPD/j.jsonl"
status 2 "import jsonl: a problem's prompt given two ways" "$TTSIM" trace import jsonl "$TMPD/j.jsonl" -o "$TMPD/jo.jsonl"
has "j.jsonl:2: key 'prompt_tokens': 12 where an earlier sample of problem 'a' gave 10" "names both" "$TMPD/err"
# trace import per-sample: a gap in a problem's sample numbers is a lost row
printf 'problem_id,sample_idx,extracted_answer,gold_answer,correct_strmatch,correct_relaxed,output_tokens\n0,0,1,1,1,1,100\n0,5,1,1,1,1,100\n' > "$TMPD/ps.csv"
status 2 "import per-sample: a gap in sample_idx" "$TTSIM" trace import per-sample "$TMPD/ps.csv" -o "$TMPD/pso.jsonl" --model Qwen/Qwen3-8B --max-tokens 1000
has "ps.csv:3: key 'sample_idx': 5 of problem 0 where 1 was expected" "names the row" "$TMPD/err"

# --- profiles: a price no GPU-hour costs; an engine profile with no source
sed 's/^  usd_per_gpu_hour: .*/  usd_per_gpu_hour: 1.7e308/' models/profiles/h100_sxm.yaml > "$TMPD/p.yaml"
status 2 "a profile's price past 1e6 USD a GPU-hour" "$TTSIM" run --gpu "$TMPD/p.yaml" --requests 2
sed 's/^source: .*/source: ""/' models/engines/vllm-v1.yaml > "$TMPD/e.yaml"
status 2 "an engine profile with an empty source" "$TTSIM" run --engine "$TMPD/e.yaml" --requests 2
has "key 'source': empty" "names it" "$TMPD/err"
printf 'accepted,weight\n0,0\n1,0\n' > "$TMPD/acc.csv"
status 2 "acceptance weights all 0" "$TTSIM" run --model qwen3-8b --spec-draft eagle --spec-acceptance "$TMPD/acc.csv" --requests 2
has "acc.csv: key 'spec_acceptance': every weight is 0" "names the file" "$TMPD/err"
status 2 "an unknown command" "$TTSIM" nope
has "expected run, models, profiles, trace, validate, sweep, pareto, best, capacity, plan or calibrate" "lists every command" "$TMPD/err"
sed 's/^  idle_w: .*/  idle_w: 9000/' models/profiles/h100_sxm.yaml > "$TMPD/pw.yaml"
status 2 "a profile's idle power above its busy power" "$TTSIM" run --gpu "$TMPD/pw.yaml" --requests 2
has "pw.yaml:[0-9]*: key 'power.busy_w': expected busy_w > 0 and idle_w <= busy_w" "a check across keys names a line" "$TMPD/err"
# --- numbers and lists that were silently clamped, merged or repeated
status 2 "a seed past 2^64 - 1" "$TTSIM" run --seed 18446744073709551616 --requests 2
has "key 'seed': expected a non-negative integer below 2^64" "says the bound" "$TMPD/err"
ok "the largest seed" "$TTSIM" run --seed 18446744073709551615 --requests 2
printf 'schema_version: 1\nrequests: 2\nmax_num_seqs: 32\nsweep:\n  max_num_seqs: [64, 128]\n' > "$TMPD/st.yaml"
status 2 "a swept key set at the top level too" "$TTSIM" sweep "$TMPD/st.yaml" --out "$TMPD/st"
has "st.yaml:5: key 'max_num_seqs': swept here and set at the top level" "names the line" "$TMPD/err"
printf 'schema_version: 1\nrequests: 2\nsweep:\n  max_num_seqs: [64, 064]\n' > "$TMPD/sd.yaml"
status 2 "one value spelt two ways on an axis" "$TTSIM" sweep "$TMPD/sd.yaml" --out "$TMPD/sd"
has "value '064' listed twice (expected distinct values; it is '64' again)" "names both spellings" "$TMPD/err"
printf 'schema_version: 1\nrequests: 2\nsweep:\n  chunked_prefill: [yes, no, true]\n' > "$TMPD/sb.yaml"
status 2 "yes and true on one axis" "$TTSIM" sweep "$TMPD/sb.yaml" --out "$TMPD/sb"
has "value 'true' listed twice (expected distinct values; it is 'yes' again)" "compared as values" "$TMPD/err"
status 2 "plan --try-tp 1,1" "$TTSIM" plan $P --try-tp 1,1
status 2 "plan --gpus with a trailing comma" "$TTSIM" plan --model qwen3-8b --requests 200 --input-len 256 --output-len 128 --rate 5 --gpus "h100_sxm:2,"
status 2 "plan --price of one kind twice" "$TTSIM" plan $P --price h100_sxm=2,h100_sxm=3
# a flag given twice: the first was dropped unseen
status 2 "run --tp twice" "$TTSIM" run --tp 1 --tp 2 --requests 2
has "^ttsim: --tp: given twice (expected it once)$" "one line" "$TMPD/err"
status 2 "validate --gpu twice" "$TTSIM" validate tests/validation/dev.csv --gpu gh200 --gpu h100_sxm
status 2 "plan --rate twice" "$TTSIM" plan $P --rate 6
status 2 "models --format twice" "$TTSIM" models --format json --format table
# --- best and pareto read results.csv as a sweep writes it
R='id,tp,status,accuracy,latency_p90_s,usd_per_problem,reason'
res() { mkdir -p "$TMPD/res"; printf '%s\n0,1,ok,0.9,10,0.01,\n%s\n' "$R" "$1" > "$TMPD/res/results.csv"; }
res '1,2,ok,0.95,8,0.02,'
ok "best on a sound table" "$TTSIM" best "$TMPD/res" --min-accuracy 0.5
res '1,2,OK,0.95,8,0.02,'
status 2 "best: a status that is not ok or skipped" "$TTSIM" best "$TMPD/res"
has "results.csv:3: key 'status': 'OK' (expected ok or skipped)" "names the line" "$TMPD/err"
res '1,2,ok,0.95,8,cheap,'
status 2 "best: text in a number's cell" "$TTSIM" best "$TMPD/res"
res '1,2,ok,0.95,8,-5,'
status 2 "best: a negative cost (it won)" "$TTSIM" best "$TMPD/res"
res '1,2,ok,2.5,8,0.02,'
status 2 "pareto: an accuracy of 2.5" "$TTSIM" pareto "$TMPD/res" --z none
printf 'id,tp,status,accuracy,accuracy,latency_p90_s,usd_per_problem,reason\n0,1,ok,0.9,0.9,10,0.01,\n' > "$TMPD/res/results.csv"
status 2 "best: a column named twice" "$TTSIM" best "$TMPD/res"
res '1,2,ok,0.95,8,0.02,'
status 2 "best --min-accuracy 1.5" "$TTSIM" best "$TMPD/res" --min-accuracy 1.5
status 2 "pareto: one metric on two axes" "$TTSIM" pareto "$TMPD/res" --x accuracy --y accuracy
# --- 'none' is the default it names; a check across keys names the file's line; one-line errors
ok "--spec-draft none (the help's default)" "$TTSIM" run --spec-draft none --requests 2
printf 'schema_version: 1\nrequests: 2\ntp: 3\n' > "$TMPD/tp.yaml"
status 2 "an experiment's tp 3" "$TTSIM" run "$TMPD/tp.yaml"
has "tp.yaml:3: key 'tp': expected 1, 2, 4 or 8" "names the file's line" "$TMPD/err"
status 2 "the same key given by flag" "$TTSIM" run "$TMPD/tp.yaml" --tp 5
has "^ttsim: key 'tp': expected 1, 2, 4 or 8, got '5'$" "the flag's, not the file's line" "$TMPD/err"
status 2 "models with a stray argument" "$TTSIM" models r1-qwen-1.5b
[ "$(wc -l < "$TMPD/err")" = 1 ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: models: one line, not the usage"; }
printf 'schema_version: 1\nrequests: 2\nsweep:\n  tp: [1]\nstudy:\n  foo: 1\n' > "$TMPD/stf.yaml"
status 2 "sweep: a study block with an unknown key" "$TTSIM" sweep "$TMPD/stf.yaml" --out "$TMPD/stf"
has "stf.yaml:6: key 'study.foo': unknown key" "names the line" "$TMPD/err"
# --- outputs that would overwrite an input, or land elsewhere than asked (fourth pass)
cp calibration/data/aiconfigurator/mla/h100_sxm_generation_mla_vllm_0.14.0.csv "$TMPD/mla.csv"
status 2 "calibrate mla --yaml onto its own table" "$TTSIM" calibrate mla "$TMPD/mla.csv" --profile h100_sxm --kv bf16 --yaml "$TMPD/mla.csv"
has "is the input" "says why" "$TMPD/err"
ok "the table is untouched" cmp "$TMPD/mla.csv" calibration/data/aiconfigurator/mla/h100_sxm_generation_mla_vllm_0.14.0.csv
mkdir -p "$TMPD/real"; ln -s "$TMPD/real" "$TMPD/link"
status 2 "run --out through a symbolic link" "$TTSIM" run --requests 2 --out "$TMPD/link"
has "is a symbolic link" "says why" "$TMPD/err"
ok "the link is still a link" test -L "$TMPD/link"
status 2 "crossval: one trace three times" "$TTSIM" trace crossval --traces math500:qwen3-14b,math500:qwen3-14b,math500:qwen3-14b --max-n 2 --draws 1
has "both traces of Qwen/Qwen3-14B" "names the model" "$TMPD/err"
status 2 "crossval: a synthetic trace" "$TTSIM" trace crossval --traces math500:qwen3-14b,math500:r1-qwen-1.5b,math500:phi-4-reasoning --max-n 2 --draws 1
status 2 "more problems than the trace holds" "$TTSIM" run --model r1-qwen-1.5b --trace math500 --requests 501
has "key 'requests': 501 problems of a trace of 500" "says how many there are" "$TMPD/err"
status 2 "trace accuracy: the reward model's flag without --vote best" "$TTSIM" trace accuracy math500:r1-qwen-1.5b --samples 4 --rm-accuracy 0.7
(cat models/profiles/h100_sxm.yaml; printf -- '---\nx: 1\n') > "$TMPD/p2.yaml"
status 2 "a hardware profile with a second YAML document" "$TTSIM" run --gpu "$TMPD/p2.yaml" --requests 2
has "p2.yaml:[0-9]*: a second YAML document" "names the line" "$TMPD/err"
status 2 "plan --try-tp with a doubled comma" "$TTSIM" plan $P --try-tp 1,,2
finish
