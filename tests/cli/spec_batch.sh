#!/bin/sh
# Speculation at batch > 1 against measurement (issue 17): for every series of
# tests/validation/spec_batch.csv without a status, ttsim's speed-up at the series' largest
# measured batch is within the issue's 15% (spec_batch.py computes it from the rows; no
# number is written here); the acceptance tables it uses load; bad rows are refused.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

ok "largest-batch speed-up within 15% of the measured" \
	python3 tests/validation/spec_batch.py "$TTSIM" tests/validation/spec_batch.csv --check 0.15
cp "$TMPD/out" "$TMPD/batch"
has "largest batch of its series: sdb_gsm8k_eagle_b128" "the GSM8K EAGLE series is checked at batch 128" "$TMPD/batch"
has "largest batch of its series: sdb_sharegpt_eagle_b128" "the ShareGPT EAGLE series is checked at batch 128" "$TMPD/batch"

# the check can fail: the same rows held to 1% fail (ttsim is 6-7% low there)
status 1 "a 1% target fails" python3 tests/validation/spec_batch.py "$TTSIM" tests/validation/spec_batch.csv --check 0.01

# the shipped tables load, one per drafter and dataset
for f in experiments/paper/acceptance/*.csv; do
	ok "acceptance table $f loads" "$TTSIM" run --requests 2 --spec-draft ngram --spec-k 7 --spec-acceptance "$f"
done

# bad rows: one line naming file, line and key, exit 2
H=$(grep -v '^#' tests/validation/spec_batch.csv | head -n 1)
R=$(grep '^sdb_gsm8k_eagle_b128,' tests/validation/spec_batch.csv)
printf '%s\n%s\n' "$H" "$(echo "$R" | sed 's/,1\.22,/,fast,/')" > "$TMPD/bad.csv"
status 2 "a speed-up that is not a number" python3 tests/validation/spec_batch.py "$TTSIM" "$TMPD/bad.csv"
has "bad.csv:2: key 'speedup'" "the refusal names line and key" "$TMPD/err"
printf '%s\n%s\n' "$H" "$(echo "$R" | sed 's/,eagle,3,/,,3,/')" > "$TMPD/bad.csv"
status 2 "a row without a drafter" python3 tests/validation/spec_batch.py "$TTSIM" "$TMPD/bad.csv"
has "key 'spec_draft'" "the refusal names spec_draft" "$TMPD/err"
printf 'id,model\n' > "$TMPD/bad.csv"
status 2 "a wrong header" python3 tests/validation/spec_batch.py "$TTSIM" "$TMPD/bad.csv"
finish
