#!/bin/sh
# The four studies of experiments/paper at a reduced size (--requests 10: the first 10
# MATH500 problems): each runs, prints its table and writes its plots; a rerun into the
# same directory resumes (computes nothing) and reports the same; bad study blocks fail
# with exit 2. The full-size runs are in `make bench`.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1
for s in accuracy_compute speculative tensor_parallel frontier; do
	ok "study $s (reduced)" "$TTSIM" run "experiments/paper/$s.yaml" --requests 10 --out "$TMPD/$s"
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
	ok "study $s reruns (resume)" "$TTSIM" run "experiments/paper/$s.yaml" --requests 10 --out "$TMPD/$s"
	has "0 computed now" "rerun computes nothing" "$TMPD/out"
done
has "Pareto set" "frontier prints the Pareto set" "$TMPD/frontier.txt"
# integer axes get integer tics (tp 1, 2, 4: no tick at 1.5); log axes keep gnuplot's
has "set xtics 1" "tp plot has integer tics" "$TMPD/tensor_parallel/plots/speedup_vs_tp.gp"
ok "a log axis gets no integer tics" sh -c "! grep -q 'set xtics' \"$TMPD/accuracy_compute/plots/acc_vs_tokens_samples.gp\""
has "Cheapest configuration" "frontier prints best-under-limits" "$TMPD/frontier.txt"
# a speculative study row: the accepted length follows alpha
has "mean_accepted_len" "speculative table has mean_accepted_len" "$TMPD/speculative.txt"

# bad study blocks
printf 'schema_version: 1\ntrace: math500\nsweep:\n  samples: [1, 2]\nstudy:\n  plots:\n    - {name: a, x: samples}\n' > "$TMPD/b1.yaml"
status 2 "plot without y" "$TTSIM" run "$TMPD/b1.yaml" --requests 2 --out "$TMPD/b1"
has "b1.yaml:7" "error names the line" "$TMPD/err"
printf 'schema_version: 1\ntrace: math500\nsweep:\n  samples: [1, 2]\nstudy:\n  table: [samples]\n  table: [accuracy]\n' > "$TMPD/b5.yaml"
status 2 "study key given twice" "$TTSIM" run "$TMPD/b5.yaml" --requests 2 --out "$TMPD/b5"
has "b5.yaml:7: key 'study.table': given twice (expected once)" "duplicate study key: line and key" "$TMPD/err"
printf 'schema_version: 1\ntrace: math500\nsweep:\n  samples: [1, 2]\nstudy:\n  tabel: [a]\n' > "$TMPD/b2.yaml"
status 2 "unknown study key" "$TTSIM" run "$TMPD/b2.yaml" --requests 2 --out "$TMPD/b2"
has "study.tabel" "error names the key" "$TMPD/err"
printf 'schema_version: 1\ntrace: math500\nsweep:\n  samples: [1, 2]\nstudy:\n  table: [no_such_column]\n' > "$TMPD/b3.yaml"
status 2 "unknown column" "$TTSIM" run "$TMPD/b3.yaml" --requests 2 --out "$TMPD/b3"
has "no_such_column" "error names the column" "$TMPD/err"
status 2 "override of a swept option" "$TTSIM" run experiments/paper/frontier.yaml --samples 2 --out "$TMPD/b4"
finish
