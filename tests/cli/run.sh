#!/bin/sh
# ttsim run: golden outputs, determinism, the JSON interface, --out, and bad input.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

# golden outputs from fixed seeds, byte for byte
while IFS=: read -r name args; do
	# shellcheck disable=SC2086
	"$TTSIM" run $args > "$TMPD/$name.json" 2>"$TMPD/err"
	if cmp -s "$TMPD/$name.json" "tests/golden/$name.json"; then T_PASS=$((T_PASS+1)); else
		T_FAIL=$((T_FAIL+1)); echo "FAIL: golden $name differs (make golden regenerates)"; diff "tests/golden/$name.json" "$TMPD/$name.json" | head -20; fi
done < tests/golden/commands

# two runs with one seed: byte-identical JSON; another seed: different
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --rate 3 --requests 100 --seed 11 --format json > "$TMPD/a"
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --rate 3 --requests 100 --seed 11 --format json > "$TMPD/b"
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --rate 3 --requests 100 --seed 12 --format json > "$TMPD/c"
ok "same seed, same bytes" cmp "$TMPD/a" "$TMPD/b"
status 1 "other seed, other bytes" cmp -s "$TMPD/a" "$TMPD/c"

# the public JSON keys; the seed is a number, digit for digit (issue 14: it was a string)
has '"seed":	11,' "seed is a JSON number" "$TMPD/a"
"$TTSIM" run --requests 2 --seed 18446744073709551615 --format json > "$TMPD/bigseed"
has '"seed":	18446744073709551615,' "a 64-bit seed is printed exactly" "$TMPD/bigseed"
# the public JSON keys
for k in ttft_ms tpot_ms e2e_s output_tok_per_s makespan_s gpu_seconds energy_j cost_usd usd_per_mtok_output; do
	has "\"$k\"" "summary key $k" "$TMPD/a"
done
"$TTSIM" run --model r1-qwen-1.5b --gpu h100_sxm --trace math500 --requests 20 --samples 4 --early-stop --format json > "$TMPD/t"
for k in problem_latency_s accuracy tokens_per_problem usd_per_problem usd_per_correct; do
	has "\"$k\"" "trace summary key $k" "$TMPD/t"
done
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --spec-draft ngram --spec-k 3 --requests 5 --format json > "$TMPD/s"
has '"acceptance_rate"' "spec key acceptance_rate" "$TMPD/s"
has '"mean_accepted_len"' "spec key mean_accepted_len" "$TMPD/s"

# --out DIR: summary.json (written last), requests.csv, config.yaml; the config reruns
ok "run --out" "$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --requests 10 --out "$TMPD/o" --format json
for f in summary.json requests.csv problems.csv config.yaml; do ok "--out wrote $f" test -s "$TMPD/o/$f"; done
ok "problems.csv has one line per problem" test "$(wc -l < "$TMPD/o/problems.csv")" = 11
ok "trace run --out" "$TTSIM" run --model r1-qwen-1.5b --gpu h100_sxm --trace math500 --requests 12 --samples 4 --out "$TMPD/tp"
ok "problems.csv: 12 problems" test "$(wc -l < "$TMPD/tp/problems.csv")" = 13
ok "requests.csv: 48 samples" test "$(wc -l < "$TMPD/tp/requests.csv")" = 49
has "test/" "problems.csv carries unique ids" "$TMPD/tp/problems.csv"
# the accuracy in summary.json is the mean of problems.csv's correct column
acc=$(grep -o '"accuracy":[^,]*' "$TMPD/tp/summary.json" | cut -d: -f2 | tr -d ' \t')
acc2=$(awk -F, 'NR>1{s+=$11;n++}END{printf "%g", s/n}' "$TMPD/tp/problems.csv")
ok "accuracy agrees with problems.csv" test "$(printf '%g' "$acc")" = "$acc2"
# early stopping: the tokens it saved are what the cancelled samples did not generate
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --trace math500 --requests 30 --samples 8 --early-stop --out "$TMPD/es" --format json > /dev/null
saved=$(grep -o '"tokens_saved_early_stop":[^,]*' "$TMPD/es/summary.json" | cut -d: -f2 | tr -d ' \t')
saved2=$(awk -F, 'NR>1 && $12==1 {s+=$5-$6} END {printf "%d", s}' "$TMPD/es/requests.csv")
ok "early stop saved tokens (summary $saved, requests.csv $saved2)" test "$saved" = "$saved2" -a "$saved2" -gt 0
# synthetic length distributions: the mean is near the requested one
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --requests 2000 --length-dist lognormal --length-cv 1 --output-len 400 --input-len 100 --offline --out "$TMPD/ld" --format json > /dev/null
m=$(awk -F, 'NR>1{s+=$5;n++}END{printf "%d", s/n}' "$TMPD/ld/requests.csv")
ok "lognormal output mean within 5% of 400 (got $m)" test "$m" -ge 380 -a "$m" -le 420
ok "requests.csv has one line per request" test "$(wc -l < "$TMPD/o/requests.csv")" = 11
ok "resolved config reruns" "$TTSIM" run "$TMPD/o/config.yaml" --format json
"$TTSIM" run "$TMPD/o/config.yaml" --format json > "$TMPD/r1"
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --requests 10 --format json > "$TMPD/r2"
ok "resolved config gives the same result" cmp "$TMPD/r1" "$TMPD/r2"
ok "csv format" "$TTSIM" run --requests 3 --model r1-qwen-7b --format csv
ok "help" "$TTSIM" run --help
ok "no-argument headline runs (reduced)" "$TTSIM" run experiments/headline.yaml --requests 8 --format json

# bad input: exit 2, one line naming the key (and file:line for files)
status 2 "unknown flag" "$TTSIM" run --no-such-option 3
has "no_such_option" "unknown flag names the key" "$TMPD/err"
printf 'schema_version: 1\ntp: 2\nrequests: 5\ntp: 4\n' > "$TMPD/dup.yaml"
status 2 "experiment with a key given twice" "$TTSIM" run "$TMPD/dup.yaml"
has "dup.yaml:4: key 'tp': given twice (expected once)" "duplicate key: file, line and key" "$TMPD/err"
status 2 "tp 3" "$TTSIM" run --tp 3
status 2 "tp not dividing heads" "$TTSIM" run --model r1-qwen-1.5b --tp 8 --gpu h100_sxm
has "heads" "tp error names the heads" "$TMPD/err"
status 2 "negative requests" "$TTSIM" run --requests -5
status 2 "unknown model" "$TTSIM" run --model no-such-model
status 2 "unknown gpu" "$TTSIM" run --gpu no-such-gpu
status 2 "model does not fit" "$TTSIM" run --model qwen2.5-72b-instruct --gpu h100_sxm --tp 1
has "does not fit" "fit error" "$TMPD/err"
status 2 "zero replicas" "$TTSIM" run --replicas 0
status 2 "missing experiment" "$TTSIM" run "$TMPD/nope.yaml"
printf 'schema_version: 1\nmodel: r1-qwen-7b\ntpp: 2\n' > "$TMPD/bad.yaml"
status 2 "unknown yaml key" "$TTSIM" run "$TMPD/bad.yaml"
has "bad.yaml:3: key 'tpp'" "yaml error names file, line and key" "$TMPD/err"
printf 'schema_version: 1\nmodel: [unclosed\n' > "$TMPD/bad2.yaml"
status 2 "malformed yaml" "$TTSIM" run "$TMPD/bad2.yaml"
printf 'model: r1-qwen-7b\n' > "$TMPD/bad3.yaml"
status 2 "missing schema_version" "$TTSIM" run "$TMPD/bad3.yaml"
status 2 "bad format" "$TTSIM" run --format xml
# unchunked, a step must hold a whole prompt, and a preempted sequence's prompt and output
status 2 "unchunked budget below a recompute" "$TTSIM" run --model r1-qwen-7b --gpu h100_sxm \
	--chunked-prefill false --input-len 500 --output-len 4000 --requests 30 --max-num-batched-tokens 2048
has "chunked_prefill off" "the error says why" "$TMPD/err"
ok "unchunked within the budget" "$TTSIM" run --model r1-qwen-7b --gpu h100_sxm \
	--chunked-prefill false --input-len 500 --output-len 1000 --requests 30 --max-num-batched-tokens 2048
status 2 "bad boolean" "$TTSIM" run --chunked-prefill=maybe
ok "one-line errors" test "$(wc -l < "$TMPD/err")" -le 1
# the arrival rule: a file's concurrency or rate switches the mode as the flags do (issue 14:
# an experiment's `concurrency: 1` ran every problem at once); a contradiction is refused
printf 'schema_version: 1\nmodel: r1-qwen-7b\ngpu: h100_sxm\nrequests: 4\nconcurrency: 1\n' > "$TMPD/c1.yaml"
"$TTSIM" run "$TMPD/c1.yaml" --format json > "$TMPD/c1.json"
"$TTSIM" run --model r1-qwen-7b --gpu h100_sxm --requests 4 --concurrency 1 --format json > "$TMPD/c1f.json"
ok "concurrency: in a file is --concurrency" cmp "$TMPD/c1.json" "$TMPD/c1f.json"
has '"arrival":	"closed"' "concurrency: means arrival closed" "$TMPD/c1.json"
printf 'schema_version: 1\nrequests: 4\nrate: 2\n' > "$TMPD/r1.yaml"
"$TTSIM" run "$TMPD/r1.yaml" --format json > "$TMPD/r1.json"
has '"arrival":	"poisson"' "rate: means arrival poisson" "$TMPD/r1.json"
ok "a flag overrides the file's mode" "$TTSIM" run "$TMPD/c1.yaml" --rate 3
printf 'schema_version: 1\nrequests: 4\narrival: offline\nrate: 5\n' > "$TMPD/ar.yaml"
status 2 "arrival offline with a rate" "$TTSIM" run "$TMPD/ar.yaml"
has "ar.yaml:4: key 'rate': given with arrival 'offline'" "the contradiction names file, line, key" "$TMPD/err"
status 2 "--arrival offline --rate 5" "$TTSIM" run --requests 4 --arrival offline --rate 5
has "option '--rate': given with arrival 'offline'" "the flag contradiction names the flag" "$TMPD/err"
status 2 "--offline --concurrency 2" "$TTSIM" run --requests 4 --offline --concurrency 2
status 2 "--rate with --concurrency" "$TTSIM" run --requests 4 --rate 1 --concurrency 2
# the resolved config of a closed loop reruns to the same result
ok "closed-loop run --out" "$TTSIM" run "$TMPD/c1.yaml" --out "$TMPD/oc" --format json
"$TTSIM" run "$TMPD/oc/config.yaml" --format json > "$TMPD/oc.json"
ok "closed-loop resolved config gives the same result" cmp "$TMPD/oc.json" "$TMPD/c1.json"
# names with quotes, backslashes and tabs round-trip through config.yaml
ok "odd name --out" "$TTSIM" run --requests 3 --name "$(printf 'a"b\\c\td: #e')" --out "$TMPD/on"
ok "odd name reruns" "$TTSIM" run "$TMPD/on/config.yaml" --out "$TMPD/on2"
ok "odd name round-trips" cmp "$TMPD/on/config.yaml" "$TMPD/on2/config.yaml"
# options that would do nothing are refused (issue 14)
status 2 "--budget without a trace" "$TTSIM" run --requests 3 --budget 1000
has "key 'budget': a thinking budget needs a trace" "budget refusal says why" "$TMPD/err"
status 2 "--early-stop with --vote pass" "$TTSIM" run --requests 3 --trace math500 --samples 4 --vote pass --early-stop
has "key 'early_stop': applies to vote: majority" "early-stop refusal says why" "$TMPD/err"
status 2 "a price in (-1, 0)" "$TTSIM" run --requests 3 --usd-per-gpu-hour -0.5
printf 'position,p_accept\n1,0.8\n3,0.6\n' > "$TMPD/gap.csv"
status 2 "acceptance table with a gap" "$TTSIM" run --requests 3 --spec-draft ngram --spec-acceptance "$TMPD/gap.csv"
has "position 2 missing" "the gap is named" "$TMPD/err"
printf 'position,p_accept\n1,0.8\n2,0.6\n' > "$TMPD/short.csv"
status 2 "acceptance table shorter than spec_k" "$TTSIM" run --requests 3 --spec-draft ngram --spec-k 4 --spec-acceptance "$TMPD/short.csv"
has "position 3 missing" "the first missing position is named" "$TMPD/err"
ok "acceptance table as long as spec_k" "$TTSIM" run --requests 3 --spec-draft ngram --spec-k 2 --spec-acceptance "$TMPD/short.csv"
# acceptance length as users report it (issue 17): the derived alpha is printed; AL must
# lie in [1, k + 1] and is one of the ways to give acceptance
"$TTSIM" run --requests 3 --spec-draft ngram --spec-k 2 --spec-acceptance-length 1.75 > "$TMPD/al"
has "speculation alpha 0.5000 (i.i.d., derived from acceptance length 1.75 at k 2)" "AL 1.75 at k 2 is alpha 0.5" "$TMPD/al"
status 2 "acceptance length above k + 1" "$TTSIM" run --requests 3 --spec-draft ngram --spec-k 2 --spec-acceptance-length 3.5
has "key 'spec_acceptance_length': 3.5 is outside" "AL refusal says why" "$TMPD/err"
status 2 "acceptance length without a drafter" "$TTSIM" run --requests 3 --spec-acceptance-length 2
status 2 "acceptance length and alpha" "$TTSIM" run --requests 3 --spec-draft ngram --spec-alpha 0.5 --spec-acceptance-length 2
status 2 "spec_disable_batch without a drafter" "$TTSIM" run --requests 3 --spec-disable-batch 4
status 2 "spec_disable_batch that never disables" "$TTSIM" run --requests 3 --spec-draft eagle3 --spec-disable-batch 256 --max-num-seqs 256
has "key 'spec_disable_batch': 256 never disables speculation" "disable refusal says why" "$TMPD/err"
status 2 "spec_draft_cpu_s with n-gram" "$TTSIM" run --requests 3 --spec-draft ngram --spec-draft-cpu-s 0.001
# k and alpha without a drafter would be read silently (issue 17): refused, naming the key
status 2 "spec_k without a drafter" "$TTSIM" run --requests 3 --spec-k 2
has "key 'spec_k': needs a drafter" "spec_k refusal names the key" "$TMPD/err"
status 2 "spec_alpha without a drafter" "$TTSIM" run --requests 3 --spec-alpha 0.5
has "key 'spec_alpha': needs a drafter" "spec_alpha refusal names the key" "$TMPD/err"
# the drafter's CPU costs are the engine profile's speculative block; options override it
status 2 "EAGLE-3 remap for an EAGLE-1 head" "$TTSIM" run --requests 3 --spec-draft eagle --spec-eagle3-remap-cpu-s 0.001
status 2 "a negative CPU cost other than -1" "$TTSIM" run --requests 3 --spec-draft eagle --spec-draft-cpu-s -0.5
status 2 "an engine with no speculative costs" "$TTSIM" run --requests 3 --spec-draft eagle3 --engine vllm-v0
has "key 'engine': 'vllm-v0' gives no speculative costs" "says which engine lacks them" "$TMPD/err"
ok "the same with the costs given" "$TTSIM" run --requests 3 --spec-draft eagle3 --engine vllm-v0 --spec-draft-cpu-s 0.001 --spec-step-cpu-s 0.001 --spec-eagle3-remap-cpu-s 0
sp() { "$TTSIM" run --requests 4 --input-len 64 --output-len 64 --concurrency 1 --format json "$@" | sed -n 's/.*"output_tok_per_s":[[:space:]]*\([0-9.e+-]*\).*/\1/p' | head -1; }
a=$(sp --spec-draft eagle3); b=$(sp --spec-draft eagle3 --spec-draft-cpu-s 0.00075 --spec-step-cpu-s 0.00118 --spec-eagle3-remap-cpu-s 0.0001)
ok "without an engine: vllm-v1's speculative block (models/engines/vllm-v1.yaml)" test -n "$a" -a "$a" = "$b"
# MTP: the target's own modules (num_nextn_predict_layers of its config.json), each forward
# EAGLE-1's shapes: the same TPOT at batch 1; a model without them is refused
python3 -c "import json,sys; c=json.load(open('models/configs/DeepSeek-R1-Distill-Qwen-1.5B.json')); c['num_nextn_predict_layers']=1; json.dump(c, open(sys.argv[1], 'w'))" "$TMPD/mtp.json"
python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c['num_nextn_predict_layers']='two'; json.dump(c, open(sys.argv[2], 'w'))" "$TMPD/mtp.json" "$TMPD/mtp_bad.json"
m=$(sp --model "$TMPD/mtp.json" --spec-draft mtp --spec-k 2); e=$(sp --model "$TMPD/mtp.json" --spec-draft eagle --spec-k 2)
ok "MTP runs, at EAGLE-1's speed at batch 1" test -n "$m" -a "$m" = "$e"
status 2 "MTP on a model without MTP modules" "$TTSIM" run --requests 3 --spec-draft mtp
has "has no MTP modules" "says why" "$TMPD/err"
status 2 "MTP with a bad module count" "$TTSIM" run --requests 3 --model "$TMPD/mtp_bad.json" --spec-draft mtp
has "key 'num_nextn_predict_layers'" "names the key" "$TMPD/err"
status 2 "MTP of an MoE + MLA target (DeepSeek-R1) is not costed" "$TTSIM" run --requests 3 --model deepseek-r1 --gpu h200_sxm --tp 8 --spec-draft mtp
has "Mixture-of-Experts / MLA layers" "says why" "$TMPD/err"
# tree drafting: the tree's size is checked against its depth and width, and is an EAGLE head's
status 2 "a tree without its token count" "$TTSIM" run --requests 3 --spec-draft eagle3 --spec-tree-topk 4
has "key 'spec_tree_tokens': missing" "names the missing key" "$TMPD/err"
status 2 "a tree of n-gram proposals" "$TTSIM" run --requests 3 --spec-draft ngram --spec-tree-topk 4 --spec-tree-tokens 8
status 2 "a tree larger than its depth and width hold" "$TTSIM" run --requests 3 --spec-draft eagle3 --spec-tree-topk 2 --spec-tree-tokens 40
has "key 'spec_tree_tokens': 40 is outside" "says the bounds" "$TMPD/err"
status 2 "a chain of the wrong length" "$TTSIM" run --requests 3 --spec-draft eagle3 --spec-tree-tokens 6
t=$(sp --spec-draft eagle3 --spec-k 4 --spec-tree-topk 4 --spec-tree-tokens 16)
ok "a 4/4/16 tree runs" test -n "$t"
d=$(sp --spec-draft eagle3 --spec-eagle3-remap-cpu-s 0.001)
ok "a dearer remap is slower" awk -v a="$a" -v d="$d" 'BEGIN { exit !(d < a) }'
ok "spec_disable_batch with a drafter" "$TTSIM" run --requests 8 --offline --spec-draft eagle3 --spec-disable-batch 4
# prefix caching (vLLM V1's default): a preempted request finds its blocks in the prefix
# cache; the same preemptions, fewer tokens recomputed, an earlier end
pc() { "$TTSIM" run --model r1-qwen-14b --gpu h100_sxm --gpu-memory-utilization 0.47 --offline \
	--requests 64 --input-len 1000 --output-len 1000 --format json "$@" |
	python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["preemptions"], s["preemption_cache_hit_tokens"], s["makespan_s"])'; }
set -- $(pc) $(pc --prefix-caching false)
ok "preempted requests found their blocks in the prefix cache" awk -v p="$1" -v h="$2" 'BEGIN { exit !(p > 0 && h > 0) }'
ok "without prefix caching, none found and a later end" awk -v h="$5" -v a="$3" -v b="$6" 'BEGIN { exit !(h == 0 && b > a) }'
# the free queue's segment pool grows while a preempted sequence is being cached (a stale
# pointer there wrote past the old pool: AddressSanitizer's heap-buffer-overflow under make
# check, a crash of the accuracy_compute study in make bench)
ok "a free queue that grows while a sequence is cached" "$TTSIM" run --model r1-qwen-32b --gpu gh200 \
	--trace math500 --samples 32 --requests 100 --format json
"$TTSIM" run --engine vllm-v0 --requests 2 --format json > "$TMPD/v0.json"
ok "the vllm-v0 profile has it off" python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["config"]["prefix_caching"] is not False)' "$TMPD/v0.json"
"$TTSIM" run --help > "$TMPD/help"
ok "--help: no option with two defaults" sh -c "! grep -E 'default.*default' '$TMPD/help' | grep -v 'vLLM default'"
# --out DIR holds a complete earlier result or a complete new one, whenever the run dies
# (issue 14: kill -9 while replacing left new and old files side by side)
ok "first result" "$TTSIM" run --requests 5 --seed 1 --out "$TMPD/k/r"
cp -r "$TMPD/k/r" "$TMPD/k1"
ok "replaced result" "$TTSIM" run --requests 5 --seed 2 --rate 1 --out "$TMPD/k/r"
ok "the replaced result is the new one" grep -q "seed: 2" "$TMPD/k/r/config.yaml"
ok "no requests.csv of the old run left" test "$(wc -l < "$TMPD/k/r/requests.csv")" = 6
ok "nothing left beside it" test "$(ls -A "$TMPD/k" | wc -l)" = 1
cp -r "$TMPD/k/r" "$TMPD/k2"
TTSIM_TEST_OUT_KILL=before-swap "$TTSIM" run --requests 7 --seed 3 --out "$TMPD/k/r" >/dev/null 2>&1
ok "killed before the swap: the earlier result, whole" diff -r "$TMPD/k/r" "$TMPD/k2"
TTSIM_TEST_OUT_KILL=after-swap "$TTSIM" run --requests 7 --seed 4 --out "$TMPD/k/r" >/dev/null 2>&1
ok "killed after the swap: the new result, whole" grep -q "seed: 4" "$TMPD/k/r/config.yaml"
ok "killed after the swap: all four files" test -s "$TMPD/k/r/summary.json" -a "$(wc -l < "$TMPD/k/r/requests.csv")" = 8
ok "next run" "$TTSIM" run --requests 5 --seed 5 --out "$TMPD/k/r"
ok "the next run removes what the killed ones left" test "$(ls -A "$TMPD/k" | wc -l)" = 1
mkdir -p "$TMPD/mine" && echo keep > "$TMPD/mine/notes.txt"
status 2 "--out into a directory with other files" "$TTSIM" run --requests 3 --out "$TMPD/mine"
has "holds 'notes.txt', which is not a ttsim result file" "the refusal names the file" "$TMPD/err"
ok "the other files are kept" test -s "$TMPD/mine/notes.txt"
# a failed run leaves no summary.json behind
mkdir -p "$TMPD/o2"
status 2 "failed run with --out" "$TTSIM" run --model qwen2.5-72b-instruct --gpu h100_sxm --out "$TMPD/o2"
status 1 "no summary.json after a failure" test -e "$TMPD/o2/summary.json"
# a config.json model has no shipped trace of its own: the message says how to name one
status 2 "math500 with a config.json model" "$TTSIM" run --model models/configs/Qwen3-8B.json --trace math500 --requests 3
has "expected math500:ALIAS, ALIAS one of r1-qwen-1.5b" "says to name math500:ALIAS" "$TMPD/err"
ok "math500:ALIAS with a config.json model" "$TTSIM" run --model models/configs/Qwen3-8B.json --trace math500:r1-qwen-7b --requests 3
# the client's options are refused where they would do nothing
status 2 "burstiness offline" "$TTSIM" run --requests 3 --burstiness 2
has "key 'burstiness': applies to arrivals at a rate" "burstiness needs a rate" "$TMPD/err"
status 2 "burstiness closed loop" "$TTSIM" run --requests 3 --burstiness 2 --concurrency 2
ok "burstiness at a rate" "$TTSIM" run --requests 3 --burstiness 2 --rate 4
status 2 "range_ratio with a trace" "$TTSIM" run --requests 3 --trace math500 --range-ratio 0.5
has "key 'range_ratio': shapes synthetic requests" "range_ratio named" "$TMPD/err"
status 2 "eos_mean_len with ignore_eos" "$TTSIM" run --requests 3 --eos-mean-len 100
# TPOT over the requests of more than one output token, as vllm bench serve keeps them: with
# lengths 1 to 3, the TPOT count is the TTFT count less the one-token requests, and a run of
# one-token requests has none
ok "one-token requests" "$TTSIM" run --model r1-qwen-1.5b --input-len 100 --output-len 2 --range-ratio 0.5 --requests 40 --seed 3 --format json
cp "$TMPD/out" "$TMPD/tpot1.json"
ok "TPOT leaves one-token requests out" python3 -c "
import json, sys
s = json.load(open('$TMPD/tpot1.json'))['summary']
assert 0 < s['tpot_ms']['n'] < s['ttft_ms']['n'] == 40, (s['tpot_ms']['n'], s['ttft_ms']['n'])
"
ok "only one-token requests" "$TTSIM" run --model r1-qwen-1.5b --input-len 100 --output-len 1 --requests 10 --format json
cp "$TMPD/out" "$TMPD/tpot2.json"
ok "no TPOT of one-token requests" python3 -c "
import json
s = json.load(open('$TMPD/tpot2.json'))['summary']
assert s['tpot_ms']['n'] == 0 and s['tpot_ms']['mean'] is None
"
# the JSON config is what was simulated: an engine profile's defaults for what the run did
# not set (trtllm-1: no chunked prefill, 2048 sequences, KV from 0.9 of the free memory, no
# eviction), the run's own values where it set them
ok "run --engine trtllm-1" "$TTSIM" run --model r1-qwen-1.5b --engine trtllm-1 --requests 4 --input-len 64 --output-len 8 --max-num-batched-tokens 4096 --format json
cp "$TMPD/out" "$TMPD/trt.json"
ok "its config echoes the profile's defaults and the run's own limit" python3 -c "
import json
c = json.load(open('$TMPD/trt.json'))['config']
assert c['chunked_prefill'] is False and c['max_num_seqs'] == 2048, c
assert c['kv_free_fraction'] == 0.9 and c['guaranteed_no_evict'] is True, c
assert c['max_num_batched_tokens'] == 4096, c
# the default GPU (gh200) has no TensorRT-LLM section: the run says so
assert json.load(open('$TMPD/trt.json'))['attention_trtllm'] == 'none'
"
# the run says which kernels timed attention: the A100's section has the prefill only,
# GH200 none; an engine with vLLM's kernels says nothing
ok "trtllm-1 on the A100: its attention line" "$TTSIM" run --model qwen3-8b --gpu a100_sxm --engine trtllm-1 --requests 2 --input-len 64 --output-len 8
has "^  attention: prefill by a100_sxm's TensorRT-LLM kernels (attention_trtllm); decode by its FlashAttention fit$" "the A100's phases named" "$TMPD/out"
ok "trtllm-1 on GH200" "$TTSIM" run --model qwen3-8b --gpu gh200 --engine trtllm-1 --requests 2 --input-len 64 --output-len 8
has "^  attention: gh200 has no TensorRT-LLM section" "GH200 says it has none" "$TMPD/out"
ok "vllm-v1 on the A100" "$TTSIM" run --model qwen3-8b --gpu a100_sxm --engine vllm-v1 --requests 2 --input-len 64 --output-len 8
cp "$TMPD/out" "$TMPD/vllm_a100.txt"
ok "vLLM's kernels: no attention line" sh -c "! grep -q 'attention:' '$TMPD/vllm_a100.txt'"
# guaranteed_no_evict preempts nothing, so an unchunked step needs only the prompt (it once
# required prompt + output <= max_num_batched_tokens and refused trtllm-1 on any output past
# 8192 tokens); and it reserves a sliding-window model's peak blocks, not every token's
ok "trtllm-1 with outputs longer than its 8192-token steps" "$TTSIM" run --model qwen3-8b --engine trtllm-1 --requests 4 --input-len 1000 --output-len 9000
has " 0 preemptions" "and nothing preempted" "$TMPD/out"
ok "trtllm-1 reserves a sliding-window model's window, not its whole length" "$TTSIM" run --model gpt-oss-20b --engine trtllm-1 --kv-free-fraction 0.05 --requests 1 --input-len 1000 --output-len 100000
status 2 "a prompt longer than an unchunked step is still refused" "$TTSIM" run --model qwen3-8b --engine trtllm-1 --requests 2 --input-len 9000 --output-len 8
has "key 'max_num_batched_tokens': 8192 cannot hold request 0 whole (9000 tokens: its prompt)" "says the prompt is what does not fit" "$TMPD/err"
# an engine profile's admission or KV rule that ttsim cannot run with the rest of the run is
# refused naming the engine and the way out, and the way out runs
status 2 "trtllm-1 with forked samples" "$TTSIM" run --model r1-qwen-7b --trace math500 --samples 4 --requests 8 --engine trtllm-1
has "engine 'trtllm-1' admits with it, which ttsim does not model with samples forked from one prompt" "names the engine's default" "$TMPD/err"
ok "the same without prompt sharing" "$TTSIM" run --model r1-qwen-7b --trace math500 --samples 4 --requests 8 --engine trtllm-1 --share-prefix false
status 2 "trtllm-1 with pipeline stages" "$TTSIM" run --model r1-qwen-7b --requests 4 --engine trtllm-1 --pp 2
has "engine 'trtllm-1' sizes its KV cache from the free memory" "names the engine's KV rule" "$TMPD/err"
ok "the same with vLLM's memory rule" "$TTSIM" run --model r1-qwen-7b --requests 4 --engine trtllm-1 --pp 2 --kv-free-fraction 0
# vllm-v1's scheduler limits by GPU and usage (vLLM >= 0.10, PR #17885): the run's config
# says what it ran with; what the run sets wins
for spec in "a100_sxm completions 256 2048" "a100_sxm none 256 8192" "h100_sxm chat 1024 8192" \
	"gh200 none 1024 16384"; do
	set -- $spec
	ok "vllm-v1 limits on $1 ($2)" "$TTSIM" run --model qwen3-8b --gpu "$1" --engine vllm-v1 \
		--endpoint "$2" --requests 2 --input-len 64 --output-len 4 --format json
	python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["config"]; print(c["max_num_seqs"], c["max_num_batched_tokens"])' \
		"$TMPD/out" > "$TMPD/lim"
	has "^$3 $4\$" "$1 $2: $3 sequences, $4 tokens a step" "$TMPD/lim"
done
ok "a run's own limit wins over vllm-v1's" "$TTSIM" run --model qwen3-8b --gpu a100_sxm --engine vllm-v1 \
	--max-num-batched-tokens 4096 --requests 2 --input-len 64 --output-len 4 --format json
python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["config"]; print(c["max_num_seqs"], c["max_num_batched_tokens"])' \
	"$TMPD/out" > "$TMPD/lim"
has "^256 4096$" "A100: the run's 4096 tokens, the engine's 256 sequences" "$TMPD/lim"
# --async-scheduling (vLLM's): the engine's CPU beside the GPU's step, so the same run is no
# slower and, here at 32 clients of a small MoE model, faster; refused where vLLM refuses it
A="--model gpt-oss-20b --gpu h100_sxm --input-len 500 --output-len 200 --concurrency 32 --requests 64 --format json"
ok "run without async scheduling" "$TTSIM" run $A
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["tpot_ms"]["mean"])' "$TMPD/out" > "$TMPD/t_sync"
ok "run with async scheduling" "$TTSIM" run $A --async-scheduling
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["tpot_ms"]["mean"])' "$TMPD/out" > "$TMPD/t_async"
paste "$TMPD/t_sync" "$TMPD/t_async" | awk '{ print ($2 < 0.97 * $1 ? "faster" : "not faster " $0) }' > "$TMPD/t_cmp"
has "^faster$" "async scheduling: TPOT at least 3% lower" "$TMPD/t_cmp"
status 2 "async scheduling with speculation" "$TTSIM" run --model qwen3-8b --requests 2 --async-scheduling --spec-draft eagle3
has "key 'async_scheduling': vLLM's async scheduling does not run with speculative decoding" "names the key and why" "$TMPD/err"
status 2 "async scheduling with pipeline stages" "$TTSIM" run --model qwen3-8b --requests 2 --async-scheduling --pp 2
has "key 'async_scheduling'" "names the key" "$TMPD/err"
finish
