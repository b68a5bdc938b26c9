#!/bin/sh
# Speculation at batch > 1 against measurement (issue 17): for every series of
# tests/validation/spec_batch.csv without a status, ttsim's speed-up at the series' largest
# measured batch is within the issue's 15% (spec_batch.py computes it from the rows; no
# number is written here), n-gram's with its lookup's match rate (spec_ngram_match) and
# without it beyond; the acceptance tables it uses load; bad rows and bad match rates are
# refused.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

ok "largest-batch speed-up within 15% of the measured" \
	python3 tests/validation/spec_batch.py "$TTSIM" tests/validation/spec_batch.csv --check 0.15
cp "$TMPD/out" "$TMPD/batch"
has "largest batch of its series: sdb_gsm8k_eagle_b128" "the GSM8K EAGLE series is checked at batch 128" "$TMPD/batch"
has "largest batch of its series: sdb_sharegpt_eagle_b128" "the ShareGPT EAGLE series is checked at batch 128" "$TMPD/batch"
has "largest batch of its series: sdb_gsm8k_ngram_b128" "the GSM8K n-gram series is checked at batch 128" "$TMPD/batch"
has "largest batch of its series: sdb_sharegpt_ngram_b128" "the ShareGPT n-gram series is checked at batch 128" "$TMPD/batch"

# the mechanism carries it: the n-gram rows as before (every sequence verifying k + 1, the
# unconditional tables of the same data) miss the 15% at batch 128
grep -v ',eagle,' tests/validation/spec_batch.csv |
	sed -e 's/_ngram_matched\.csv,0\.[0-9]*,/_ngram.csv,,/' > "$TMPD/always.csv"
status 1 "n-gram verifying k + 1 for every sequence misses 15%" python3 tests/validation/spec_batch.py "$TTSIM" "$TMPD/always.csv" --check 0.15
has "beyond 15%" "the miss is said" "$TMPD/out"

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
R=$(grep '^sdb_gsm8k_ngram_b128,' tests/validation/spec_batch.csv)
printf '%s\n%s\n' "$H" "$(echo "$R" | sed 's/,0\.141,/,1.5,/')" > "$TMPD/bad.csv"
status 2 "a match rate above 1" python3 tests/validation/spec_batch.py "$TTSIM" "$TMPD/bad.csv"
has "bad.csv:2: key 'spec_ngram_match'" "the refusal names line and key" "$TMPD/err"
printf 'id,model\n' > "$TMPD/bad.csv"
status 2 "a wrong header" python3 tests/validation/spec_batch.py "$TTSIM" "$TMPD/bad.csv"

# --spec-ngram-match: n-gram only, in (0, 1]; the drafted share is reported
status 2 "a match rate of 0" "$TTSIM" run --requests 3 --spec-draft ngram --spec-ngram-match 0
has "key 'spec_ngram_match': expected a probability in (0, 1]" "the refusal says why" "$TMPD/err"
status 2 "a match rate above 1" "$TTSIM" run --requests 3 --spec-draft ngram --spec-ngram-match 1.5
status 2 "a match rate for an EAGLE head" "$TTSIM" run --requests 3 --spec-draft eagle --spec-ngram-match 0.5
has "key 'spec_ngram_match': applies to an n-gram drafter" "the refusal names the drafter" "$TMPD/err"
"$TTSIM" run --requests 20 --spec-draft ngram --spec-k 3 --spec-ngram-match 0.4 --format json > "$TMPD/m"
has '"spec_drafted_fraction"' "the drafted share is reported" "$TMPD/m"
"$TTSIM" run --requests 20 --spec-draft ngram --spec-k 3 --format json > "$TMPD/m1"
status 1 "no drafted share at match 1" grep -q '"spec_drafted_fraction"' "$TMPD/m1"
finish
