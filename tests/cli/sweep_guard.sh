#!/bin/sh
# `ttsim sweep` refusing what would silently give wrong files (issue 14): results computed from
# inputs that changed since (a profile edited between runs), two writers in one directory, a
# binary without MPI started by an MPI launcher; a failed write named as such; the resume
# progress line; loading a sweep of 200,000 values in linear time.
. "$(dirname "$0")/lib.inc"
cp models/profiles/gh200.yaml "$TMPD/p.yaml"
cat > "$TMPD/s.yaml" <<Y
schema_version: 1
gpu: $TMPD/p.yaml
requests: 4
input_len: 16
output_len: 8
sweep:
  seed: {from: 1, to: 6, step: 1}
Y
ok "sweep with a profile file" "$TTSIM" sweep "$TMPD/s.yaml" --jobs 1 --out "$TMPD/a"
has "\"$TMPD/p.yaml\": \"" "sweep.json lists the profile file with its hash" "$TMPD/a/sweep.json"
has "\"ttsim:build\"" "sweep.json lists the build (which covers the shipped assets)" "$TMPD/a/sweep.json"
ok "unchanged inputs resume" "$TTSIM" sweep "$TMPD/s.yaml" --jobs 1 --out "$TMPD/a" --resume
echo "# edited" >> "$TMPD/p.yaml"
status 2 "an edited profile is not resumed" "$TTSIM" sweep "$TMPD/s.yaml" --jobs 1 --out "$TMPD/a" --resume
has "input file '$TMPD/p.yaml' changed since" "the refusal names the edited file" "$TMPD/err"
ok "one-line error" test "$(wc -l < "$TMPD/err")" = 1

# a study (`ttsim run STUDY.yaml` resumes its sweep, then reports): an edited profile is not
# reported from the old results
cp models/profiles/gh200.yaml "$TMPD/sp.yaml"
printf 'schema_version: 1\ngpu: %s\nrequests: 4\ninput_len: 16\noutput_len: 8\nsweep:\n  seed: [1, 2]\nstudy:\n  table: [seed, e2e_s.mean]\n' "$TMPD/sp.yaml" > "$TMPD/study.yaml"
ok "study" "$TTSIM" run "$TMPD/study.yaml" --out "$TMPD/st"
ok "study rerun (resumes)" "$TTSIM" run "$TMPD/study.yaml" --out "$TMPD/st"
echo "# edited" >> "$TMPD/sp.yaml"
status 2 "study after its profile was edited" "$TTSIM" run "$TMPD/study.yaml" --out "$TMPD/st"
has "input file '$TMPD/sp.yaml' changed since" "the study names the edited profile" "$TMPD/err"

# a swept file: the value that names it is hashed too
cp models/profiles/h100_sxm.yaml "$TMPD/q.yaml"
sed -e "s|^gpu: .*||" -e "s|^sweep:|sweep:\n  gpu: [gh200, $TMPD/q.yaml]|" "$TMPD/s.yaml" > "$TMPD/g.yaml"
ok "sweep over a profile file" "$TTSIM" sweep "$TMPD/g.yaml" --jobs 1 --out "$TMPD/g"
echo "# edited" >> "$TMPD/q.yaml"
status 2 "an edited swept profile is not resumed" "$TTSIM" sweep "$TMPD/g.yaml" --jobs 1 --out "$TMPD/g" --resume
has "input file '$TMPD/q.yaml' changed since" "the refusal names the swept file" "$TMPD/err"

# two writers: the second stops at once, naming the directory and the first one's pid
printf 'schema_version: 1\nrequests: 1000\ninput_len: 64\noutput_len: 300\nsweep:\n  seed: {from: 1, to: 400, step: 1}\n' > "$TMPD/l.yaml"
"$TTSIM" sweep "$TMPD/l.yaml" --jobs 1 --out "$TMPD/l" >/dev/null 2>&1 &
pid=$!; n=0
while [ $n -lt 200 ] && ! [ -s "$TMPD/l/results.csv" ]; do sleep 0.02; n=$((n + 1)); done
status 2 "a second sweep into the same directory" "$TTSIM" sweep "$TMPD/l.yaml" --jobs 1 --out "$TMPD/l" --resume
has "$TMPD/l: in use by another sweep (process $pid" "names the directory and the pid" "$TMPD/err"
kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
# the lock went with the process: now the directory is judged by its contents
status 2 "after the first one stopped" "$TTSIM" sweep "$TMPD/s.yaml" --jobs 1 --out "$TMPD/l"
has "holds results of a different sweep" "the lock is released with its process" "$TMPD/err"

# a binary built without MPI under an MPI launcher: every rank would run every point
# (tests run the build without MPI; build/mpi/ttsim is tested by sweep.sh)
if true; then
	for v in OMPI_COMM_WORLD_SIZE=2 PMI_SIZE=4 PMIX_RANK=1 "SLURM_PROCID=0 SLURM_NTASKS=2" \
		 "SLURM_PROCID=1 SLURM_NPROCS=3"; do
		status 2 "sweep under $v" env $v "$TTSIM" sweep "$TMPD/s.yaml" --out "$TMPD/m"
		has "built without MPI" "sweep under $v: says why" "$TMPD/err"
	done
	status 2 "capacity under OMPI_COMM_WORLD_SIZE=2" env OMPI_COMM_WORLD_SIZE=2 "$TTSIM" capacity "$TMPD/s.yaml" --slo-ttft-p90 1 --slo-tpot-p90 1
	has "rebuild with 'make MPI=1'" "capacity: says what to do" "$TMPD/err"
	ok "one task is fine" env OMPI_COMM_WORLD_SIZE=1 SLURM_PROCID=0 SLURM_NTASKS=1 "$TTSIM" sweep "$TMPD/s.yaml" --jobs 1 --out "$TMPD/m1"
fi

# a write that fails (here: the file size limit) is not blamed on the point
printf 'schema_version: 1\nrequests: 4\ninput_len: 16\noutput_len: 8\nsweep:\n  seed: {from: 1, to: 40, step: 1}\n' > "$TMPD/w.yaml"
status 2 "a failed write" sh -c "trap '' XFSZ; ulimit -f 8; exec \"$TTSIM\" sweep \"$TMPD/w.yaml\" --jobs 1 --out \"$TMPD/w\""
has "$TMPD/w/results.jsonl: cannot write: " "names the file and the write" "$TMPD/err"
has "continue with --resume" "says how to go on" "$TMPD/err"
if grep -q skip_unfit "$TMPD/err"; then T_FAIL=$((T_FAIL+1)); echo "FAIL: a failed write suggests skip_unfit"; else T_PASS=$((T_PASS+1)); fi
ok "resume after the failed write" "$TTSIM" sweep "$TMPD/w.yaml" --jobs 1 --out "$TMPD/w" --resume
has "/40 points ([0-9]* resumed)" "the progress line counts resumed points apart" "$TMPD/err"
if grep -q " 0\.0/s" "$TMPD/err"; then T_FAIL=$((T_FAIL+1)); echo "FAIL: progress says 0.0/s"; cat "$TMPD/err"; else T_PASS=$((T_PASS+1)); fi
ok "40 lines after resuming" test "$(wc -l < "$TMPD/w/results.jsonl")" = 40

# 200,000 values of one axis load (in linear time: make bench prints how long; it was 60-100 s)
awk 'BEGIN { printf "schema_version: 1\nsweep:\n  seed: ["; for (i = 1; i <= 200000; i++) printf "%s%d", (i > 1 ? ", " : ""), i; print "]" }' > "$TMPD/big.yaml"
status 2 "load 200,000 values (then refuse a swept override)" "$TTSIM" sweep "$TMPD/big.yaml" --seed 3 --out "$TMPD/big"
has "key 'seed': is swept" "got as far as the override" "$TMPD/err"
# the build is part of every fingerprint: --version names it, sweep.json lists it
ok "--version" "$TTSIM" --version
has "^ttsim 0\.1 (build [0-9a-f]\{16\})$" "--version names the build" "$TMPD/out"
printf 'schema_version: 1\nrequests: 2\ninput_len: 16\noutput_len: 8\nsweep:\n  seed: [1, 2]\n' > "$TMPD/v.yaml"
ok "a small sweep" "$TTSIM" sweep "$TMPD/v.yaml" --jobs 1 --out "$TMPD/v"
has '"ttsim:build": "[0-9a-f]\{16\}"' "sweep.json lists the build among its inputs" "$TMPD/v/sweep.json"
finish
