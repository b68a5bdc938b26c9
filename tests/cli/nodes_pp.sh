#!/bin/sh
# Layouts over nodes and pipeline stages from the command line: they run where the profile
# has a network, show in the summary, and are refused with their key (exit 2) where they do
# not fit or the profile cannot join nodes; a sweep takes pp and nodes as axes.
. "$(dirname "$0")/lib.inc"
R="--requests 4 --input-len 500 --output-len 50 --concurrency 4"

ok "gh200 tp 8 over 2 nodes" $TTSIM run --gpu gh200 --tp 8 --nodes 2 $R
has "1 x TP8 (8 GPUs, 2 nodes a replica)" "summary names the layout" "$TMPD/out"
ok "gh200 tp 4 pp 2 over 2 nodes" $TTSIM run --gpu gh200 --tp 4 --pp 2 --nodes 2 $R --format json
has '"gpus":.8$' "pp counts its GPUs" "$TMPD/out"
ok "h100 pp 2 in one node" $TTSIM run --gpu h100_sxm --pp 2 $R
has "1 x TP1 PP2 (2 GPUs)" "summary names the stages" "$TMPD/out"
status 2 "tp 8 on one gh200 node" $TTSIM run --gpu gh200 --tp 8 $R
has "key 'nodes': tp 8 x pp 1 = 8 GPUs do not fit in one 'gh200' node of 4 GPUs" "names nodes" "$TMPD/err"
status 2 "a100 has no network" $TTSIM run --gpu a100_sxm --tp 8 --pp 2 --nodes 2 $R
has "no network section" "names the missing section" "$TMPD/err"
status 2 "3 stages on 2 nodes" $TTSIM run --gpu gh200 --tp 2 --pp 3 --nodes 2 $R
has "key 'nodes'" "names nodes" "$TMPD/err"
status 2 "pp 0" $TTSIM run --gpu gh200 --pp 0 $R

cat > "$TMPD/s.yaml" <<YAML
schema_version: 1
name: pp_nodes
gpu: gh200
input_len: 500
output_len: 50
requests: 4
concurrency: 4
sweep:
  tp: [2, 4]
  pp: [1, 2]
  nodes: [1, 2]
  filters: {skip_unfit: true}
YAML
ok "sweep over tp x pp x nodes" $TTSIM sweep "$TMPD/s.yaml" --out "$TMPD/sw"
[ "$(grep -c ',ok,' "$TMPD/sw/results.csv" 2>/dev/null)" -ge 4 ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: sweep ok points"; head -20 "$TMPD/sw/results.csv"; }
finish
