#!/bin/sh
# The studies of experiments/paper at a reduced size (--requests 10: the first 10
# MATH500 problems): each runs, prints its table and writes its plots; a rerun into the
# same directory resumes (computes nothing) and reports the same; bad study blocks fail
# with exit 2. The full-size runs are in `make bench`.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1
for s in accuracy_compute speculative tensor_parallel frontier spec_batch moe_nodes; do
	# tensor_parallel's throughput is a closed loop's steady state (1024 at once): it needs
	# 4000 resampled problems at least (a few seconds; the study runs 12000)
	nreq=10
	[ "$s" = tensor_parallel ] && nreq=4000
	ok "study $s (reduced)" "$TTSIM" run "experiments/paper/$s.yaml" --requests $nreq --out "$TMPD/$s"
	cp "$TMPD/out" "$TMPD/$s.txt"
	ok "study $s wrote results.csv" test -s "$TMPD/$s/results.csv"
	n=$(grep -c '^plot ' "$TMPD/$s.txt")
	ok "study $s drew its plots" test "$n" -ge 2
	if command -v gnuplot >/dev/null 2>&1; then
		for f in "$TMPD/$s"/plots/*.gp; do
			b=${f%.gp}
			ok "$(basename "$b").png" test -s "$b.png"
			ok "$(basename "$b").svg" test -s "$b.svg"
		done
	fi
	ok "study $s reruns (resume)" "$TTSIM" run "experiments/paper/$s.yaml" --requests $nreq --out "$TMPD/$s"
	has "0 computed now" "rerun computes nothing" "$TMPD/out"
done
has "Pareto set" "frontier prints the Pareto set" "$TMPD/frontier.txt"
ok "moe_nodes: DeepSeek-R1 on one node skipped, the reason recorded" grep -q '^[0-9]*,deepseek-r1,1,4,1,none,1,skipped,.*does not fit' "$TMPD/moe_nodes/results.csv"
ok "moe_nodes: Qwen3-235B-A22B on two nodes computed" grep -q '^[0-9]*,qwen3-235b-a22b,2,4,2,none,1,ok,' "$TMPD/moe_nodes/results.csv"
# integer axes get integer tics (tp 1, 2, 4: no tick at 1.5); log axes keep gnuplot's
has "set xtics 1" "tp plot has integer tics" "$TMPD/tensor_parallel/plots/speedup_vs_tp.gp"
ok "a log axis gets no integer tics" sh -c "! grep -q 'set xtics' \"$TMPD/accuracy_compute/plots/acc_vs_tokens_samples.gp\""
has "Cheapest configuration" "frontier prints best-under-limits" "$TMPD/frontier.txt"
# a speculative study row: the accepted length follows alpha
has "mean_accepted_len" "speculative table has mean_accepted_len" "$TMPD/speculative.txt"
ok "speculative study: no drafter-less point (speculative_plain.yaml holds them)" awk -F, 'NR > 1 && ($3 == "" || $7 != "ok") { bad = 1 } END { exit bad }' "$TMPD/speculative/results.csv"
ok "study speculative_plain (reduced)" "$TTSIM" run experiments/paper/speculative_plain.yaml --requests 10 --out "$TMPD/speculative_plain"
ok "speculative_plain: one row per model" test "$(grep -c ',ok,' "$TMPD/speculative_plain/results.csv")" = 2
# spec_batch: plain and EAGLE-3 points side by side, none refused
ok "spec_batch: every point ran" sh -c "! grep -q skipped '$TMPD/spec_batch/results.csv'"

# bad study blocks
# bad_study NAME BLOCK WHAT WANT SAYS: the study block BLOCK (lines with \n, below a sweep of
# samples 1 and 2 on math500) is refused with exit 2 (WHAT), and the error has WANT (SAYS)
bad_study() {
	printf 'schema_version: 1\ntrace: math500\nsweep:\n  samples: [1, 2]\nstudy:\n%b\n' "$2" > "$TMPD/$1.yaml"
	status 2 "$3" "$TTSIM" run "$TMPD/$1.yaml" --requests 2 --out "$TMPD/$1"
	has "$4" "$5" "$TMPD/err"
}
bad_study b1 '  plots:\n    - {name: a, x: samples}' "plot without y" "b1.yaml:7" "error names the line"
bad_study b5 '  table: [samples]\n  table: [accuracy]' "study key given twice" \
	"b5.yaml:7: key 'study.table': given twice (expected once)" "duplicate study key: line and key"
bad_study b2 '  tabel: [a]' "unknown study key" "study.tabel" "error names the key"
bad_study b3 '  table: [no_such_column]' "unknown column" "no_such_column" "error names the column"
status 2 "override of a swept option" "$TTSIM" run experiments/paper/frontier.yaml --samples 2 --out "$TMPD/b4"
finish
