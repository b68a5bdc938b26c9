#!/bin/sh
# `ttsim plan`: the cheapest layouts that hold the SLOs at a rate, ranked by cost; the
# verdicts agree with `ttsim capacity`; same output for --jobs 1 and 2 (and MPI); bad
# flags refused in one line.
. "$(dirname "$0")/lib.inc"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
P="--model r1-qwen-1.5b --input-len 512 --output-len 64 --requests 400 --rate 20 --slo-ttft-p90 0.2 --slo-tpot-p90 0.05"
# shellcheck disable=SC2086
ok "plan" "$TTSIM" plan $P --gpus h100_sxm:4,a100_sxm:2 --jobs 2 --out "$TMPD/all.csv"
cp "$TMPD/out" "$TMPD/plan2.txt"
cp "$TMPD/all.csv" "$TMPD/all2.csv"
has "^plan: 10 layouts at 20 problems/s: " "plan: the layouts counted (h100 TP1 x1-4, TP2 x1-2, TP4; a100 TP1 x1-2, TP2)" "$TMPD/plan2.txt"
has "^1\. .*(1 GPUs)" "plan: the cheapest first" "$TMPD/plan2.txt"
has "server    vllm serve deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B --tensor-parallel-size 1" "plan: the server's command line" "$TMPD/plan2.txt"
has "client    vllm bench serve .*--request-rate 20 .*--goodput ttft:200 tpot:50" "plan: the client's, with the SLOs as goodput" "$TMPD/plan2.txt"
has "headroom  [0-9.]*x" "plan: headroom" "$TMPD/plan2.txt"
ok "plan: every layout on file" test "$(wc -l < "$TMPD/all.csv")" = 11
# the costs are ordered: the printed ones never cost more per hour than a later one
ok "plan: ranked by USD per hour" sh -c "grep '   cost ' \"$TMPD/plan2.txt\" | awk '{ if (NR > 1 && \$2 + 0 < last) exit 1; last = \$2 + 0 }'"
# the cheapest layout's verdict agrees with capacity: its capacity is at least the rate
first=$(grep -m1 '^1\. ' "$TMPD/plan2.txt")
hr=$(grep -m1 'headroom' "$TMPD/plan2.txt" | awk '{ print $2 }' | tr -d x)
ok "plan: the chosen layout's headroom is at least 1" awk "BEGIN { exit !($hr >= 1) }"
# shellcheck disable=SC2086
ok "plan --jobs 1" "$TTSIM" plan $P --gpus h100_sxm:4,a100_sxm:2 --jobs 1 --out "$TMPD/all.csv"
cp "$TMPD/out" "$TMPD/plan1.txt"
ok "plan: --jobs 1 = --jobs 2" cmp "$TMPD/plan2.txt" "$TMPD/plan1.txt"
ok "plan: --jobs 1 = --jobs 2 (every layout)" cmp "$TMPD/all2.csv" "$TMPD/all.csv"
if [ -x build/mpi/ttsim ] && [ "${BUILD:-build}" != build/san ]; then
	# shellcheck disable=SC2086
	ok "plan under mpirun -n 2" mpirun --oversubscribe -n 2 build/mpi/ttsim plan $P --gpus h100_sxm:4,a100_sxm:2 --out "$TMPD/all.csv"
	cp "$TMPD/out" "$TMPD/plan_mpi.txt"
	ok "plan: MPI = local" cmp "$TMPD/plan2.txt" "$TMPD/plan_mpi.txt"
fi
# none holds: exit status 1 and a line that says so
# shellcheck disable=SC2086
status 1 "plan: nothing holds" "$TTSIM" plan $P --gpus h100_sxm:1 --slo-ttft-p50 0.000001
has "no layout holds the SLOs" "plan: none wording" "$TMPD/out"
# bad flags: one line, exit status 2
status 2 "plan: no --gpus" "$TTSIM" plan --rate 1
has "missing --gpus" "plan: --gpus wording" "$TMPD/err"
status 2 "plan: no --rate" "$TTSIM" plan --gpus h100_sxm:2
has "missing --rate" "plan: --rate wording" "$TMPD/err"
status 2 "plan: bad --gpus" "$TTSIM" plan --rate 1 --gpus h100_sxm
has "expected KIND:COUNT" "plan: KIND:COUNT wording" "$TMPD/err"
status 2 "plan: --price of a kind not offered" "$TTSIM" plan --rate 1 --gpus h100_sxm:2 --price gh200=3
has "is not one of the kinds of --gpus" "plan: --price wording" "$TMPD/err"
status 2 "plan: unknown GPU kind" "$TTSIM" plan $P --gpus nosuch:2
has "^ttsim: --gpus: 'nosuch': unknown profile 'nosuch'" "plan: unknown kind wording" "$TMPD/err"
ok "plan: one-line errors" test "$(wc -l < "$TMPD/err")" = 1
: "$first"
finish
