#!/bin/sh
# tests/bench_vs.sh OLD_TTSIM NEW_TTSIM [ROUNDS]: two builds side by side, interleaved, on
# one machine in one run (a noisy VM moves a binary's own times by 10-20% between runs, so
# only an interleaved comparison says anything). Prints the wall seconds of each round and
# each binary's fastest; with CALLGRIND=1 also instruction counts (deterministic).
#   a) a sweep of 300 synthetic points (14B, GH200 x 4, 4,000 x (100 + 4,000) tokens), --jobs 1
#   b) one run of MATH500 x 64 samples (14B, GH200 x 4, offline)
# The README's "Speed" comparison with 357c5fb comes from this script.
OLD=${1:?usage: tests/bench_vs.sh OLD_TTSIM NEW_TTSIM [ROUNDS]}
NEW=${2:?usage: tests/bench_vs.sh OLD_TTSIM NEW_TTSIM [ROUNDS]}
R=${3:-4}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
cat > "$D/sw.yaml" <<Y
schema_version: 1
model: r1-qwen-14b
gpu: gh200
replicas: 4
requests: 4000
input_len: 100
output_len: 4000
sweep:
  seed: {from: 1, to: 300, step: 1}
Y
run_a() { rm -rf "$D/o"; "$1" sweep "$D/sw.yaml" --jobs 1 --out "$D/o" >/dev/null 2>&1; }
run_b() { "$1" run --model r1-qwen-14b --gpu gh200 --replicas 4 --trace math500 --samples 64 --offline --format json >/dev/null 2>&1; }
secs() { s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }
for what in a b; do
	best_old=999 best_new=999
	for i in $(seq "$R"); do
		to=$(secs run_$what "$OLD"); tn=$(secs run_$what "$NEW")
		printf '%s round %d: old %.3f s, new %.3f s\n' "$what" "$i" "$to" "$tn"
		best_old=$(echo "if ($to < $best_old) $to else $best_old" | bc)
		best_new=$(echo "if ($tn < $best_new) $tn else $best_new" | bc)
	done
	printf '%s fastest: old %.3f s, new %.3f s (new/old %.1f%%)\n' "$what" "$best_old" "$best_new" \
		"$(echo "100 * $best_new / $best_old" | bc -l)"
done
if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
	for b in "$OLD" "$NEW"; do
		n8=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$b" run --model r1-qwen-14b \
			--gpu gh200 --replicas 4 --trace math500 --samples 8 --format json 2>&1 >/dev/null |
			sed -n 's/.*Collected : //p')
		rm -rf "$D/o"
		ns=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$b" sweep "$D/sw.yaml" --jobs 1 \
			--out "$D/o" 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
		printf 'callgrind %s: MATH500 x 8 run %s instructions, 300-point sweep %s\n' "$b" "$n8" "$ns"
	done
fi
