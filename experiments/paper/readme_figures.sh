#!/bin/sh
# Every command whose output README.md (and the runs quoted in traces/README.md and
# experiments/README.md) quotes, in the order the README quotes them. Run from the
# repository root after `make`; results go under out/ (the studies' tables, CSVs and plots
# in out/NAME/). Prints nothing of its own but the commands' output, each after the line
# "$ COMMAND", so two runs diff line by line. Not part of `make test`: the full studies take
# minutes on 2 cores. After a rerun, copy the plots the README shows:
#   for f in experiments/paper/figures/*.png; do b=${f##*/}; cp "out/${b%%__*}/plots/${b#*__}" "$f"; done
# (plots named in experiments/paper/NAME.yaml, `study: plots:`).
set -u
T=${TTSIM:-./build/ttsim}
mkdir -p out
run() {
	echo "\$ $*"
	"$@"
	echo
}

# README "A worked example": the headline (`make demo` runs it) and a serving benchmark
run "$T" run
run "$T" run --model r1-qwen-7b --gpu h100_sxm --concurrency 16 --requests 200 --input-len 1000 --output-len 1000

# README "Commands": the capacity example (issue 18)
run "$T" capacity experiments/sweeps/r1_32b_h100.yaml --slo-ttft-p90 2 --slo-tpot-p90 0.1

# README "The five studies"
for s in accuracy_compute speculative speculative_plain tensor_parallel frontier spec_batch moe_nodes; do
	run "$T" run experiments/paper/$s.yaml --out out/$s
done
# study 2: a published EAGLE-3 acceptance length on math reasoning
run "$T" run --model r1-qwen-14b --gpu h100_sxm --trace math500 --requests 50 --concurrency 1 \
	--samples 1 --vote none --spec-draft eagle3 --spec-k 7 --spec-acceptance-length 4.5 --seed 1
# study 2: speculation against batch, checked against SpecDecode-Bench
run python3 tests/validation/spec_batch.py "$T"
# study 3: all of MATH500 at once, 1 x TP4 against 4 x TP1 (makespan throughput)
run "$T" run --model r1-qwen-14b --gpu gh200 --trace math500 --samples 1 --tp 4 --replicas 1
run "$T" run --model r1-qwen-14b --gpu gh200 --trace math500 --samples 1 --tp 1 --replicas 4
# study 5: Qwen3-235B-A22B tp 4 x pp 2 on 2 nodes, 16 samples, ep dp against ep tp
for ep in dp tp; do
	run "$T" run --model qwen3-235b-a22b --gpu gh200 --trace math500 --vote majority --seed 1 \
		--nodes 2 --tp 4 --pp 2 --samples 16 --ep $ep
done

# README "How the model works": memory plan against vLLM's logs (also gpt-oss-20b's
# concurrency with sliding-window blocks freed, and with nothing freed)
run python3 tests/validation/memory.py "$T"

# README "What is measured, fitted and synthetic" and traces/README.md
run "$T" trace crossval
run "$T" trace tts-fit
for a in qwen3-14b qwen3-30b-a3b-thinking-2507 gpt-oss-20b metastone-s1-32b exaone-deep-32b \
	phi-4-reasoning nemotron-nano-9b-v2 r1-qwen-1.5b r1-qwen-7b r1-qwen-14b r1-qwen-32b s1.1-1.5b \
	s1.1-7b s1.1-14b s1.1-32b deepseek-r1 qwen3-235b-a22b; do
	run "$T" trace stats math500:$a
done
run "$T" trace accuracy math500:s1.1-32b --samples 1
run "$T" trace accuracy math500:s1.1-32b --samples 1 --waits 1
for v in best majority pass; do
	run "$T" trace accuracy math500:r1-qwen-14b --samples 16 --vote $v
done
run "$T" validate tests/validation/spec_check.csv
run "$T" validate tests/validation/serving_check.csv --keep-going --summary-only
run "$T" validate tests/validation/moe_serving.csv --keep-going --summary-only
echo "\$ $T validate tests/validation/moe_serving.csv --keep-going --format json > out/moe_serving.json"
"$T" validate tests/validation/moe_serving.csv --keep-going --format json > out/moe_serving.json 2>/dev/null
echo
run python3 tests/validation/moe_report.py out/moe_serving.json
# models/README.md "Measured" and VALIDATION.md: Mixtral-8x7B on 2 x H100 (BLIS)
run "$T" validate tests/validation/moe_mixtral.csv

# experiments/README.md: plan examples (out/plan_72b.csv: every layout's verdict, e.g. TP8 over
# 2 nodes)
run "$T" plan --model r1-qwen-32b --trace math500 --rate 0.8 --slo-ttft-p90 2 --slo-tpot-p90 0.1 \
	--gpus h100_sxm:8,gh200:4 --try-dtype bf16,fp8 --try-pp 1
run "$T" plan --model qwen2.5-72b-instruct --input-len 1024 --output-len 256 --requests 1000 --rate 2 \
	--slo-ttft-p90 1 --slo-tpot-p90 0.1 --gpu-memory-utilization 0.3 --gpus gh200:16 --top 2 \
	--out out/plan_72b.csv
run "$T" plan --model qwen2.5-72b-instruct --input-len 1024 --output-len 256 --requests 1000 --rate 2 \
	--slo-ttft-p90 1 --slo-tpot-p90 0.1 --gpu-memory-utilization 0.3 --gpus gh200:16 --top 2 --max-nodes 1
run "$T" plan --model qwen3-235b-a22b --input-len 1024 --output-len 512 --requests 1000 --rate 2 \
	--slo-ttft-p90 2 --slo-tpot-p90 0.1 --gpus h100_sxm:8 --try-dtype bf16,fp8 --try-pp 1 --top 3
exit 0
