#!/bin/sh
# make bench: speed and memory figures, printed (not pass/fail: machines differ).
# Each line says what was run, so a reader can rerun it by hand.
TTSIM=${1:-build/ttsim}
tm() { # tm LABEL CMD...: wall seconds and peak RSS of one process
	label=$1; shift
	/usr/bin/time -f "%e %M" -o /tmp/ttsim-bench.$$ "$@" >/tmp/ttsim-bench-out.$$ 2>&1 || { echo "$label: FAILED"; tail -3 /tmp/ttsim-bench-out.$$; return; }
	read -r wall rss </tmp/ttsim-bench.$$
	printf '%-58s %8.3f s wall %8.1f MB peak\n' "$label" "$wall" "$(echo "$rss/1024" | bc -l)"
}
echo "ttsim bench on $(nproc) cores ($(uname -m))"
tm "offline 500 x (150 in, 4000 out), R1-Qwen-14B, 1 H100" \
	"$TTSIM" run --model r1-qwen-14b --gpu h100_sxm --offline --requests 500 --input-len 150 --output-len 4000 --format json
tm "MATH500 x 64 samples, R1-Qwen-14B, GH200 4 x TP1" \
	"$TTSIM" run --model r1-qwen-14b --gpu gh200 --replicas 4 --trace math500 --samples 64 --offline --format json
# simulated tokens and steps per wall-second, for the MATH500 x 64 case
"$TTSIM" run --model r1-qwen-14b --gpu gh200 --replicas 4 --trace math500 --samples 64 --offline --format json >/tmp/ttsim-bench-json.$$ 2>/dev/null
/usr/bin/time -f "%e" -o /tmp/ttsim-bench.$$ "$TTSIM" run --model r1-qwen-14b --gpu gh200 --replicas 4 --trace math500 --samples 64 --offline --format json >/dev/null 2>&1
wall=$(cat /tmp/ttsim-bench.$$)
tok=$(grep -o '"output_tokens":[^,]*' /tmp/ttsim-bench-json.$$ | head -1 | cut -d: -f2)
steps=$(grep -o '"steps":[^,]*' /tmp/ttsim-bench-json.$$ | head -1 | cut -d: -f2)
printf '%-58s %.3g tokens/s, %.3g steps/s (wall)\n' "simulated output tokens and engine steps per wall-second" \
	"$(echo "$tok/$wall" | bc -l)" "$(echo "$steps/$wall" | bc -l)"
tm "capacity search, MATH500, R1-Qwen-32B, 1 x TP4 H100 (1 job)" \
	"$TTSIM" capacity experiments/sweeps/r1_32b_tp4.yaml --slo-ttft-p90 2 --slo-tpot-p90 0.1 --jobs 1
tm "plan, MATH500, R1-Qwen-32B at 0.8/s, 116 layouts (2 jobs)" \
	"$TTSIM" plan --model r1-qwen-32b --trace math500 --rate 0.8 --slo-ttft-p90 2 --slo-tpot-p90 0.1 \
	--gpus h100_sxm:8,gh200:4,h200_sxm:4 --try-dtype bf16,fp8 --try-max-num-seqs 128,256 --try-pp 1 --jobs 2
[ -x tests/bench_more.sh ] && tests/bench_more.sh "$TTSIM"
rm -f /tmp/ttsim-bench.$$ /tmp/ttsim-bench-out.$$ /tmp/ttsim-bench-json.$$
