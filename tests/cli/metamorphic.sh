#!/bin/sh
# Metamorphic relations through the binary (issue 14; the rest is tests/test_metamorphic.c):
# a sweep's results do not depend on how it was run. sweep.sh covers --jobs 1 = 2 = MPI on
# synthetic points and a kill -9 at a random point; here: test-time scaling (samples, votes,
# early stop, shared prefixes) and speculative points on several replicas, --jobs 1 = 2 = 3
# (= mpirun -n 2 when mpicc exists), and a deterministic interruption after every k points
# (the results cut to k lines, or one file a line ahead, or a torn line), then --resume:
# byte-identical to the uninterrupted sweep. (lib.inc's ok() sets $d: no variable here is named d.)
. "$(dirname "$0")/lib.inc"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cat > "$TMPD/tts.yaml" <<'Y'
schema_version: 1
name: meta-tts
model: r1-qwen-1.5b
gpu: h100_sxm
trace: math500
requests: 3
budget: 3000
sweep:
  samples: [1, 3]
  vote: [majority, pass]
  early_stop: [false, true]
  replicas: [1, 2]
  filters: {skip_unfit: true}   # early_stop with vote pass is refused: recorded as skipped
Y
cat > "$TMPD/spec.yaml" <<'Y'
schema_version: 1
name: meta-spec
model: r1-qwen-1.5b
gpu: h100_sxm
requests: 24
input_len: 200
output_len: 120
length_dist: lognormal
arrival: poisson
rate: 20
spec_draft: ngram
sweep:
  spec_alpha: [0.3, 0.8]
  replicas: [1, 3]
  route: [round_robin, least_loaded]
Y
for y in tts spec; do
	ok "$y: sweep --jobs 1" "$TTSIM" sweep "$TMPD/$y.yaml" --jobs 1 --out "$TMPD/$y.j1"
	for j in 2 3; do
		ok "$y: sweep --jobs $j" "$TTSIM" sweep "$TMPD/$y.yaml" --jobs $j --out "$TMPD/$y.j$j"
		ok "$y: results.csv --jobs 1 = --jobs $j" cmp "$TMPD/$y.j1/results.csv" "$TMPD/$y.j$j/results.csv"
		ok "$y: results.jsonl --jobs 1 = --jobs $j" cmp "$TMPD/$y.j1/results.jsonl" "$TMPD/$y.j$j/results.jsonl"
	done
	ok "$y: no point failed" sh -c "! grep -q ',failed,\|,error,' '$TMPD/$y.j1/results.csv'"
done

# MPI (a sanitizer build skips it: OpenMPI's own allocations trip LeakSanitizer)
if [ "${BUILD:-build}" = build/san ]; then
	echo "metamorphic.sh: sanitizer build, MPI checks skipped (they run in make test)"
elif command -v mpicc >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1; then
	ok "make MPI=1" env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory MPI=1 BUILD=build/mpi build/mpi/ttsim
	for y in tts spec; do
		ok "$y: mpirun -n 2 sweep" mpirun --oversubscribe -n 2 build/mpi/ttsim sweep "$TMPD/$y.yaml" --out "$TMPD/$y.m2"
		ok "$y: results.csv --jobs 1 = mpirun -n 2" cmp "$TMPD/$y.j1/results.csv" "$TMPD/$y.m2/results.csv"
		ok "$y: results.jsonl --jobs 1 = mpirun -n 2" cmp "$TMPD/$y.j1/results.jsonl" "$TMPD/$y.m2/results.jsonl"
	done
else
	echo "metamorphic.sh: mpicc or mpirun not found, MPI checks skipped"
fi

# interrupted after k points (k = 0, 1, 7, 15, 16 of 16), resumed: the uninterrupted bytes
ref="$TMPD/tts.j1"
n=$(($(wc -l < "$ref/results.csv") - 1))
for k in 0 1 7 $((n - 1)) $n; do
	cut="$TMPD/cut$k"
	cp -r "$ref" "$cut"
	head -n $((k + 1)) "$ref/results.csv" > "$cut/results.csv"
	head -n "$k" "$ref/results.jsonl" > "$cut/results.jsonl"
	ok "cut after $k: --resume" "$TTSIM" sweep "$TMPD/tts.yaml" --jobs 2 --out "$cut" --resume
	ok "cut after $k: results.csv = uninterrupted" cmp "$ref/results.csv" "$cut/results.csv"
	ok "cut after $k: results.jsonl = uninterrupted" cmp "$ref/results.jsonl" "$cut/results.jsonl"
done
# the files disagree (jsonl one line ahead) and the csv's last line is torn
cut="$TMPD/torn"
cp -r "$ref" "$cut"
head -n 5 "$ref/results.csv" > "$cut/results.csv"
sed -n 6p "$ref/results.csv" | head -c 9 >> "$cut/results.csv"
head -n 5 "$ref/results.jsonl" > "$cut/results.jsonl"
ok "torn csv, jsonl ahead: --resume" "$TTSIM" sweep "$TMPD/tts.yaml" --jobs 1 --out "$cut" --resume
ok "torn csv, jsonl ahead: results.csv = uninterrupted" cmp "$ref/results.csv" "$cut/results.csv"
ok "torn csv, jsonl ahead: results.jsonl = uninterrupted" cmp "$ref/results.jsonl" "$cut/results.jsonl"
# resumed twice, at two different cuts, with different --jobs
cut="$TMPD/twice"
cp -r "$ref" "$cut"
head -n 3 "$ref/results.csv" > "$cut/results.csv"
head -n 2 "$ref/results.jsonl" > "$cut/results.jsonl"
ok "twice: first --resume" "$TTSIM" sweep "$TMPD/tts.yaml" --jobs 3 --out "$cut" --resume
head -n 10 "$ref/results.csv" > "$cut/results.csv"
head -n 9 "$ref/results.jsonl" > "$cut/results.jsonl"
ok "twice: second --resume" "$TTSIM" sweep "$TMPD/tts.yaml" --jobs 1 --out "$cut" --resume
ok "twice: results.csv = uninterrupted" cmp "$ref/results.csv" "$cut/results.csv"
finish
