#!/bin/sh
# ttsim trace: stats JSON keys, accuracy, import, bad input exits 2 naming file and line.
. "$(dirname "$0")/lib.inc"
ok "stats json" "$TTSIM" trace stats math500:deepseek-ai/DeepSeek-R1-Distill-Qwen-14B --format json
cp "$TMPD/out" "$TMPD/stats.json"
for k in '"overall"' '"levels"' '"5":' '"mean_output_tokens"' '"p50_output_tokens"' '"p90_output_tokens"' '"pass_at_1"' '"majority_at"' '"64":'; do
	has "$k" "stats json key $k" "$TMPD/stats.json"
done
ok "stats text" "$TTSIM" trace stats math500:s1.1-7b
has "overall" "stats text has overall" "$TMPD/out"
ok "accuracy json" "$TTSIM" trace accuracy math500:r1-qwen-7b --samples 8 --budget 4000 --waits 1 --vote majority --format json
has '"tokens_saved_per_problem"' "accuracy reports tokens saved" "$TMPD/out"
cp "$TMPD/out" "$TMPD/acc1.json"
# flags read by a table (lib/flags.c): --flag=value is the same as --flag value
ok "accuracy, --flag=value" "$TTSIM" trace accuracy math500:r1-qwen-7b --samples=8 --budget=4000 --waits=1 --vote=majority --format=json
cp "$TMPD/out" "$TMPD/acc2.json"
ok "--flag=value reads the same" cmp "$TMPD/acc1.json" "$TMPD/acc2.json"
status 2 "trace: unknown flag" "$TTSIM" trace stats math500:s1.1-7b --bogus
has "unknown flag '--bogus' (expected a flag of 'ttsim trace --help')" "unknown flag wording" "$TMPD/err"
status 2 "trace: flag without its value" "$TTSIM" trace stats math500:s1.1-7b --format
has "unknown flag '--format'" "a flag last without its value" "$TMPD/err"
ok "trace accuracy --help" "$TTSIM" trace accuracy --help
ok "accuracy pass" "$TTSIM" trace accuracy math500:r1-qwen-1.5b --samples 100 --vote pass
ok "accuracy best" "$TTSIM" trace accuracy math500:r1-qwen-1.5b --samples 4 --vote best --rm-accuracy 0.7
ok "accuracy best, spread" "$TTSIM" trace accuracy math500:r1-qwen-1.5b --samples 4 --vote best --rm-spread 0
status 2 "accuracy: bad --rm-spread" "$TTSIM" trace accuracy math500:r1-qwen-1.5b --samples 4 --vote best --rm-spread -1
status 2 "unknown model" "$TTSIM" trace stats math500:nope
# bad input: exit 2 with FILE:LINE
H='{"format":"ttsim-trace","version":1,"model":"m","max_tokens":100}'
printf '%s\n{"unique_id":"a","prompt_tokens":1,"samples":[{"output_tokens":-1}]}\n' "$H" > "$TMPD/neg.jsonl"
status 2 "negative tokens" "$TTSIM" trace stats "$TMPD/neg.jsonl"
has "neg.jsonl:2: key 'output_tokens'" "negative names file and line" "$TMPD/err"
printf '%s\n{"unique_id":"a","samples":[{"output_tokens":1}]}\n' "$H" > "$TMPD/miss.jsonl"
status 2 "missing field" "$TTSIM" trace stats "$TMPD/miss.jsonl"
has "miss.jsonl:2: key 'prompt_tokens'" "missing names file and line" "$TMPD/err"
printf '%s\n{"unique_id":"a",\n' "$H" > "$TMPD/bad.jsonl"
status 2 "malformed line" "$TTSIM" trace stats "$TMPD/bad.jsonl"
has "bad.jsonl:2: malformed" "malformed names file and line" "$TMPD/err"
printf '%s\n{"unique_id":"a","prompt_tokens":1,"samples":[{"output_tokens":1}]}\n{"unique_id":"a","prompt_tokens":1,"samples":[{"output_tokens":1}]}\n' "$H" > "$TMPD/dup.jsonl"
status 2 "duplicate ids" "$TTSIM" trace stats "$TMPD/dup.jsonl"
has "dup.jsonl:3: key 'unique_id': duplicate" "duplicate names file and line" "$TMPD/err"
printf '%s\n{"unique_id":"a","prompt_tokens":1,"samples":[{"output_tokens":101}]}\n' "$H" > "$TMPD/long.jsonl"
status 2 "sample too long" "$TTSIM" trace stats "$TMPD/long.jsonl"
has "long.jsonl:2: key 'output_tokens': 101 is longer" "too long names file and line" "$TMPD/err"
# import: a small vllm bench result
cat > "$TMPD/res.json" <<'J'
{"model_id":"Qwen/Qwen2.5-7B-Instruct","duration":2.0,"max_concurrency":2,"input_lens":[10,20],"output_lens":[3,5],
 "ttfts":[0.1,0.2],"itls":[[0.01,0.01],[0.02,0.02,0.02,0.02]],"errors":["",""]}
J
ok "import vllm-bench" "$TTSIM" trace import vllm-bench "$TMPD/res.json" -o "$TMPD/v.jsonl" --gpu h100_sxm --tp 1 --measured "$TMPD/m.csv"
has "id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,engine,engine_version,source,notes" "measured header" "$TMPD/m.csv"
has "res.json-ttft_ms,Qwen/Qwen2.5-7B-Instruct,h100_sxm,1,bf16,15,4,2,ttft_ms,150," "ttft mean in ms" "$TMPD/m.csv"
has "output_tok_per_s,4," "throughput = 8 tokens / 2 s" "$TMPD/m.csv"
ok "imported trace loads" "$TTSIM" trace stats "$TMPD/v.jsonl"
# what --measured writes, validate reads (no vllm_version in the file: the version empty)
ok "the measured CSV validates" "$TTSIM" validate "$TMPD/m.csv"
status 2 "vllm-bench needs --gpu" "$TTSIM" trace import vllm-bench "$TMPD/res.json" -o "$TMPD/v.jsonl"
status 2 "--measured: a GPU with no profile" "$TTSIM" trace import vllm-bench "$TMPD/res.json" -o "$TMPD/v.jsonl" --gpu H100 --tp 1 --measured "$TMPD/m2.csv"
status 2 "--measured: tp 3" "$TTSIM" trace import vllm-bench "$TMPD/res.json" -o "$TMPD/v.jsonl" --gpu h100_sxm --tp 3 --measured "$TMPD/m2.csv"
# impossible times are refused, not averaged
sed 's/"ttfts":\[0.1/"ttfts":[-0.1/' "$TMPD/res.json" > "$TMPD/neg.json"
status 2 "a negative TTFT" "$TTSIM" trace import vllm-bench "$TMPD/neg.json" -o "$TMPD/v2.jsonl" --gpu h100_sxm --tp 1
has "request 0: key 'ttfts'" "names the request and key" "$TMPD/err"
sed 's/\[0.01,0.01\]/[0.01,-0.01]/' "$TMPD/res.json" > "$TMPD/negi.json"
status 2 "a negative ITL" "$TTSIM" trace import vllm-bench "$TMPD/negi.json" -o "$TMPD/v2.jsonl" --gpu h100_sxm --tp 1
sed 's/"duration":2.0/"duration":0/' "$TMPD/res.json" > "$TMPD/d0.json"
status 2 "a zero duration" "$TTSIM" trace import vllm-bench "$TMPD/d0.json" -o "$TMPD/v2.jsonl" --gpu h100_sxm --tp 1 --measured "$TMPD/m2.csv"
has "key 'duration'" "names the key" "$TMPD/err"
# a comma in the file's name is quoted in the measured CSV, which validate reads back
cp "$TMPD/res.json" "$TMPD/r,1.json"
ok "a comma in the name" "$TTSIM" trace import vllm-bench "$TMPD/r,1.json" -o "$TMPD/v3.jsonl" --gpu h100_sxm --tp 1 --measured "$TMPD/m3.csv"
has '^"r,1.json-ttft_ms",' "the id quoted" "$TMPD/m3.csv"
ok "and validates" "$TTSIM" validate "$TMPD/m3.csv"
printf '{"item_id":"p1","total_generated_tokens":50,"is_correct":true,"extracted_answer":"3"}\n{"item_id":"p1","total_generated_tokens":70,"is_correct":false,"extracted_answer":"4"}\n{"item_id":"p1","total_generated_tokens":60,"is_correct":false,"extracted_answer":"5"}\n{"item_id":"p1","total_generated_tokens":60,"is_correct":false,"extracted_answer":"4"}\n' > "$TMPD/log.jsonl"
ok "import jsonl" "$TTSIM" trace import jsonl "$TMPD/log.jsonl" -o "$TMPD/j.jsonl"
has '"answer":0},{"output_tokens":70,"answer":1},{"output_tokens":60,"answer":2},{"output_tokens":60,"answer":1}' "wrong answers numbered per problem" "$TMPD/j.jsonl"
# determinism: synth equals the shipped file byte for byte
if [ -d ../shared/traces ]; then
	ok "synth" "$TTSIM" trace synth s1.1-14b --from ../shared/traces -o "$TMPD/s.jsonl"
	ok "synth byte-identical to shipped" cmp "$TMPD/s.jsonl" traces/math500/s1.1-14b.jsonl
	# the real traces: imported again, byte-identical to the shipped ones
	ok "import per-sample --all" "$TTSIM" trace import per-sample --all --from ../shared/traces --dir "$TMPD/real"
	for f in "$TMPD"/real/*.jsonl; do
		ok "real trace $(basename "$f") byte-identical to shipped" cmp "$f" "traces/math500/$(basename "$f")"
	done
	status 2 "synth refuses a real trace" "$TTSIM" trace synth qwen3-14b --from ../shared/traces
	has "its shipped trace is real samples" "synth names why" "$TMPD/err"
fi
# a shipped real trace whose model is not modelled: refused by name, with the reason
status 2 "nemotron refused" "$TTSIM" run --model nemotron-nano-9b-v2 --trace math500:nemotron-nano-9b-v2 --requests 2
has "hybrid Mamba-2/attention model" "refusal names why" "$TMPD/err"
ok "nemotron's samples still load" "$TTSIM" trace stats math500:nvidia/NVIDIA-Nemotron-Nano-9B-v2
# import per-sample: a small table, and its bad input
printf 'problem_id,sample_idx,extracted_answer,gold_answer,correct_strmatch,correct_relaxed,output_tokens\n0,0,1,1,1,1,40\n0,1,2,1,0,0,50\n' > "$TMPD/ps.csv"
ok "import per-sample" "$TTSIM" trace import per-sample "$TMPD/ps.csv" -o "$TMPD/ps.jsonl" --model m --max-tokens 50
has '"output_tokens":.40,50.,"answers":.0,1.,"cut":.1.' "compact samples, the one at the cap cut" "$TMPD/ps.jsonl"
ok "imported per-sample trace loads" "$TTSIM" trace stats "$TMPD/ps.jsonl"
status 2 "per-sample needs --model and --max-tokens" "$TTSIM" trace import per-sample "$TMPD/ps.csv" -o "$TMPD/ps.jsonl"
status 2 "per-sample over the cap" "$TTSIM" trace import per-sample "$TMPD/ps.csv" -o "$TMPD/ps.jsonl" --model m --max-tokens 45
has "ps.csv:3: key 'output_tokens'" "over the cap names file, line and key" "$TMPD/err"
# crossval: a small run on three real traces, and too few traces
ok "crossval json" "$TTSIM" trace crossval --traces math500:qwen3-14b,math500:gpt-oss-20b,math500:phi-4-reasoning --max-n 4 --draws 2 --reps 1 --format json
has '"fit_all": {"models": 3, "s": ' "crossval fits" "$TMPD/out"
has '"maj_median_err": ' "crossval errors" "$TMPD/out"
has '"slope": ' "crossval fits the slope of a model's logits on the consensus" "$TMPD/out"
# the cut samples: 702 in the three traces (92 + 0 + 610), Phi-4-reasoning's twin takes its 1.5% cut
has '"cut_samples": 702' "crossval counts the cut samples it fits" "$TMPD/out"
has '"cut": 0.015' "crossval takes the held-out share cut at the cap" "$TMPD/out"
ok "crossval writes its twins" "$TTSIM" trace crossval --traces math500:qwen3-14b,math500:gpt-oss-20b,math500:phi-4-reasoning --max-n 2 --draws 1 --reps 1 --write-twins "$TMPD/twins"
ok "a written twin is a trace" "$TTSIM" trace stats "$TMPD/twins/gpt-oss-20b_twin.jsonl"
has "overall       500    40000     1735" "the twin has the held-out model's problems, samples and mean tokens" "$TMPD/out"
status 2 "crossval needs three traces" "$TTSIM" trace crossval --traces math500:qwen3-14b,math500:gpt-oss-20b
status 2 "crossval refuses traces of other problems" "$TTSIM" trace crossval --traces math500:qwen3-14b,math500:gpt-oss-20b,"$TMPD/ps.jsonl"
finish
