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
has "^plan: 15 layouts at 20 problems/s: " "plan: the layouts counted (h100 TP1 x1-4, TP1 PP2 x1-2, TP1 PP4, TP2 x1-2, TP2 PP2, TP4; a100 TP1 x1-2, TP1 PP2, TP2)" "$TMPD/plan2.txt"
has "^1\. .*(1 GPUs)" "plan: the cheapest first" "$TMPD/plan2.txt"
has "server    vllm serve deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B --tensor-parallel-size 1" "plan: the server's command line" "$TMPD/plan2.txt"
has "client    vllm bench serve .*--request-rate 20 .*--goodput ttft:200 tpot:50" "plan: the client's, with the SLOs as goodput" "$TMPD/plan2.txt"
has "headroom  [0-9.]*x" "plan: headroom" "$TMPD/plan2.txt"
ok "plan: every layout on file" test "$(wc -l < "$TMPD/all.csv")" = 16
# the costs are ordered: the printed ones never cost more per hour than a later one
ok "plan: ranked by USD per hour" sh -c "grep '   cost ' \"$TMPD/plan2.txt\" | awk '{ if (NR > 1 && \$2 + 0 < last) exit 1; last = \$2 + 0 }'"
# equal prices: the layout with more headroom first
ok "plan: equal prices by headroom" awk '/^   cost / { c = $2 + 0 } /^   headroom / { h = $2 + 0; if (n++ && c == lc && h > lh) exit 1; lc = c; lh = h }' "$TMPD/plan2.txt"
# the last place shown goes to the most headroom of its price, not to whichever the cut met
# first: the third of --top 3 is the third of --top 6 (three a100 layouts cost 3 USD/h here)
# shellcheck disable=SC2086
ok "plan --top 6" "$TTSIM" plan $P --gpus h100_sxm:4,a100_sxm:2 --top 6
cp "$TMPD/out" "$TMPD/plan6.txt"
ok "plan: a tie at the cut goes to headroom" sh -c "[ \"\$(grep -m1 '^3\. ' \"$TMPD/plan6.txt\")\" = \"\$(grep -m1 '^3\. ' \"$TMPD/plan2.txt\")\" ] && grep -q '^6\. ' \"$TMPD/plan6.txt\""
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
# pipeline stages and nodes: a 72B model with 28.8 GB usable a GH200 needs 8 of them, two
# 4-GPU nodes, so every layout that holds is multi-node (TP8, TP4 x PP2, TP2 x PP4, TP1 x
# PP8); the A100 profile has no network section, so its 2-node layouts are skipped, said why
B="--model qwen2.5-72b-instruct --input-len 512 --output-len 64 --requests 200 --rate 2 --slo-ttft-p90 1 --slo-tpot-p90 0.1 --gpu-memory-utilization 0.3"
# shellcheck disable=SC2086
ok "plan over 16 GH200s" "$TTSIM" plan $B --gpus gh200:16 --top 4 --jobs 2 --out "$TMPD/n.csv"
cp "$TMPD/out" "$TMPD/n2.txt"
cp "$TMPD/n.csv" "$TMPD/n2.csv"
has "^1\. 1 x TP[0-9]*\( PP[0-9]*\)\? on gh200 (8 GPUs, 2 nodes a replica)" "plan: the cheapest spans 2 nodes" "$TMPD/n2.txt"
has "^   skipped TP4 on gh200 (4 of 4 layouts): model .* does not fit" "plan: what does not fit, skipped with why" "$TMPD/n2.txt"
# each printed layout's server line carries its own tp, pp and the Ray backend, and a
# nodes line says how to launch it over 2 nodes
# shellcheck disable=SC2016
ok "plan: vllm serve flags match the layout" awk '
/^[0-9]+\. / { tp = $4; sub("TP", "", tp); pp = 1; if ($5 ~ /^PP/) { pp = $5; sub("PP", "", pp) } n++ }
/^   server / { if (index($0, "--tensor-parallel-size " tp " ") == 0) exit 1
	if (pp > 1 && index($0, "--pipeline-parallel-size " pp " ") == 0) exit 1
	if (pp == 1 && index($0, "--pipeline-parallel-size")) exit 1
	if (index($0, "--distributed-executor-backend ray") == 0) exit 1; s++; if (pp > 1) p++ }
/^   nodes     2 nodes a replica: start a Ray cluster/ && /--nnodes 2 --node-rank I --master-addr/ { m++ }
END { exit !(n == 4 && s == 4 && m == 4 && p >= 1) }' "$TMPD/n2.txt"
# shellcheck disable=SC2086
ok "plan over 16 GH200s, --jobs 1" "$TTSIM" plan $B --gpus gh200:16 --top 4 --jobs 1 --out "$TMPD/n.csv"
cp "$TMPD/out" "$TMPD/n1.txt"
ok "plan: nodes, --jobs 1 = --jobs 2" cmp "$TMPD/n2.txt" "$TMPD/n1.txt"
ok "plan: nodes, --jobs 1 = --jobs 2 (every layout)" cmp "$TMPD/n2.csv" "$TMPD/n.csv"
if [ -x build/mpi/ttsim ] && [ "${BUILD:-build}" != build/san ]; then
	# shellcheck disable=SC2086
	ok "plan over nodes under mpirun -n 2" mpirun --oversubscribe -n 2 build/mpi/ttsim plan $B --gpus gh200:16 --top 4 --out "$TMPD/n.csv"
	cp "$TMPD/out" "$TMPD/n_mpi.txt"
	ok "plan over nodes: MPI = local" cmp "$TMPD/n2.txt" "$TMPD/n_mpi.txt"
	ok "plan over nodes: MPI = local (every layout)" cmp "$TMPD/n2.csv" "$TMPD/n.csv"
fi
ok "plan: header names pp and nodes" grep -q "^id,gpu,tp,pp,nodes,replicas,gpus," "$TMPD/n.csv"
# with A100s on offer too: their 2-node layouts (16 GPUs) are skipped for the missing
# network, the plan goes on
# shellcheck disable=SC2086
ok "plan with A100s that cannot join nodes" "$TTSIM" plan $B --gpus a100_sxm:16,gh200:8 --try-tp 2,4,8 --try-pp 1,2,4 --jobs 2 --out "$TMPD/a.csv"
cp "$TMPD/out" "$TMPD/a.txt"
ok "plan: a100 2-node layouts skipped for the network" test "$(awk -F, '$2 == "a100_sxm" && $5 == 2 && $12 == "skipped" && /no network section/' "$TMPD/a.csv" | wc -l)" = 2
ok "plan: no a100 2-node layout judged" test "$(awk -F, '$2 == "a100_sxm" && $5 == 2 && $12 != "skipped"' "$TMPD/a.csv" | wc -l)" = 0
has "^1\. .* on a100_sxm (8 GPUs)" "plan: a one-node a100 layout holds" "$TMPD/a.txt"
has "^   skipped TP8 PP2 over 2 nodes on a100_sxm (1 of 1 layouts): key 'nodes': profile 'a100_sxm' has no network section" "plan: says why" "$TMPD/a.txt"
# --max-nodes 1: nothing fits on one GH200 node, so none holds and none spans nodes
# shellcheck disable=SC2086
status 1 "plan --max-nodes 1" "$TTSIM" plan $B --gpus gh200:16 --max-nodes 1 --out "$TMPD/m.csv"
ok "plan: --max-nodes bounds the nodes" test "$(awk -F, 'NR > 1 && $5 != 1' "$TMPD/m.csv" | wc -l)" = 0
# --try-tp / --try-pp choose the sizes
# shellcheck disable=SC2086
ok "plan --try-tp 8 --try-pp 1" "$TTSIM" plan $B --gpus gh200:16 --try-tp 8 --try-pp 1 --out "$TMPD/t.csv"
ok "plan: only TP8, 1 and 2 replicas" test "$(awk -F, 'NR > 1 { print $3 "x" $4 "x" $5 "x" $6 }' "$TMPD/t.csv" | tr '\n' ' ')" = "8x1x2x1 8x1x2x2 "
# shellcheck disable=SC2086
status 2 "plan: --try-pp 0" "$TTSIM" plan $B --gpus gh200:4 --try-pp 0
has "^ttsim: --try-pp: '0': expected whole numbers from 1 to 64" "plan: --try-pp wording" "$TMPD/err"
# shellcheck disable=SC2086
status 2 "plan: --max-nodes x" "$TTSIM" plan $B --gpus gh200:4 --max-nodes x
has "^ttsim: --max-nodes: expected 1 to 4096, got 'x'" "plan: --max-nodes wording" "$TMPD/err"
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
# expert parallelism: a dense model's plan names none (every layout's ep is none) ...
ok "plan: a dense model's layouts have no expert parallelism" test "$(awk -F, 'NR > 1 && $NF != "none"' "$TMPD/all2.csv" | wc -l)" = 0
ok "plan: nor its server lines" sh -c "! grep -q -e 'ep=' -e '--enable-expert-parallel' \"$TMPD/plan2.txt\""
ok "plan: header ends in ep" grep -q ",why,ep$" "$TMPD/all2.csv"
# ... an MoE model's tries none, tp and dp at TP > 1: Qwen3-30B-A3B on 4 H100s, TP 2 and 4:
# TP2 3 modes x 2 replicas + TP4 3 modes x 1 = 9 layouts
M="--model qwen3-30b-a3b --input-len 512 --output-len 64 --requests 400 --rate 20 --slo-ttft-p90 0.5 --slo-tpot-p90 0.05"
# shellcheck disable=SC2086
ok "plan: MoE" "$TTSIM" plan $M --gpus h100_sxm:4 --try-tp 2,4 --try-pp 1 --top 9 --jobs 2 --out "$TMPD/moe.csv"
cp "$TMPD/out" "$TMPD/moe2.txt"
cp "$TMPD/moe.csv" "$TMPD/moe2.csv"
has "^plan: 9 layouts at 20 problems/s: 9 hold" "plan: MoE layouts counted (TP2 x 3 modes x 2 replicas, TP4 x 3)" "$TMPD/moe2.txt"
ok "plan: MoE modes on file" test "$(awk -F, 'NR > 1 { print $NF }' "$TMPD/moe.csv" | sort | uniq -c | awk '{ printf "%s %s ", $1, $2 }')" = "3 dp 3 none 3 tp "
# each server line matches its layout's mode: ep=tp keeps TP and adds EP; ep=dp is TP 1,
# the GPUs data-parallel ranks; none has no EP
# shellcheck disable=SC2016
ok "plan: MoE server flags match the mode" awk '
/^[0-9]+\. / { ep = "none"; if ($0 ~ / ep=tp /) ep = "tp"; if ($0 ~ / ep=dp /) ep = "dp"; tp = $4; sub("TP", "", tp); n++ }
/^   server / { e = index($0, " --enable-expert-parallel ")
	if (ep == "none" && e) exit 1
	if (ep == "tp" && (!e || !index($0, "--tensor-parallel-size " tp " "))) exit 1
	if (ep == "dp" && (!e || !index($0, "--tensor-parallel-size 1 --data-parallel-size " tp " "))) exit 1
	c[ep]++ }
END { exit !(n == 9 && c["none"] == 3 && c["tp"] == 3 && c["dp"] == 3) }' "$TMPD/moe2.txt"
# shellcheck disable=SC2086
ok "plan: MoE, --jobs 1" "$TTSIM" plan $M --gpus h100_sxm:4 --try-tp 2,4 --try-pp 1 --top 9 --jobs 1 --out "$TMPD/moe.csv"
cp "$TMPD/out" "$TMPD/moe1.txt"
ok "plan: MoE, --jobs 1 = --jobs 2" cmp "$TMPD/moe2.txt" "$TMPD/moe1.txt"
ok "plan: MoE, --jobs 1 = --jobs 2 (every layout)" cmp "$TMPD/moe2.csv" "$TMPD/moe.csv"
# --try-ep bounds the modes; an experiment's ep alone is tried when --try-ep is not given
# shellcheck disable=SC2086
ok "plan: --try-ep tp" "$TTSIM" plan $M --gpus h100_sxm:4 --try-tp 2,4 --try-pp 1 --try-ep tp --out "$TMPD/e.csv"
ok "plan: --try-ep tp only" test "$(awk -F, 'NR > 1 { print $3 $NF }' "$TMPD/e.csv" | tr '\n' ' ')" = "2tp 2tp 4tp "
# shellcheck disable=SC2086
ok "plan: --ep dp" "$TTSIM" plan $M --gpus h100_sxm:4 --try-tp 2,4 --try-pp 1 --ep dp --out "$TMPD/e.csv"
ok "plan: --ep dp only" test "$(awk -F, 'NR > 1 { print $NF }' "$TMPD/e.csv" | sort -u)" = dp
# experts the GPUs cannot share evenly: 12 experts over 8 GPUs, skipped with the reason
sed 's/"num_experts": 128/"num_experts": 12/' models/configs/Qwen3-30B-A3B.json > "$TMPD/q12.json"
M12=$(echo "$M" | sed "s|qwen3-30b-a3b|$TMPD/q12.json|")
# shellcheck disable=SC2086
ok "plan: 12 experts" "$TTSIM" plan $M12 --gpus h100_sxm:8 --try-tp 4,8 --try-pp 1 --top 1
has "^plan: 9 layouts at 20 problems/s: 7 hold the SLOs, 0 fail, 2 skipped" "plan: what the experts cannot take, skipped" "$TMPD/out"
has "^   skipped TP8 ep=dp on h100_sxm (1 of 1 layouts): key 'ep': 8 GPUs do not divide the 12 experts" "plan: says why" "$TMPD/out"
# bad --try-ep: one line, exit status 2
# shellcheck disable=SC2086
status 2 "plan: --try-ep ep" "$TTSIM" plan $M --gpus h100_sxm:4 --try-ep none,ep
has "^ttsim: --try-ep: 'ep': expected none, tp or dp$" "plan: --try-ep wording" "$TMPD/err"
# shellcheck disable=SC2086
status 2 "plan: --try-ep tp for a dense model" "$TTSIM" plan $P --gpus h100_sxm:4 --try-ep tp
has "^ttsim: --try-ep: 'tp': 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B' is a dense model" "plan: dense --try-ep wording" "$TMPD/err"
ok "plan: one-line --try-ep error" test "$(wc -l < "$TMPD/err")" = 1
: "$first"
finish
