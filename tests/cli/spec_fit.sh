#!/bin/sh
# The speculative CPU terms of models/engines/vllm-v1.yaml are the fit's (issue 17):
# tests/validation/spec_fit.py refits them on tests/validation/spec_fit.csv (the fit rows,
# simulated offline as they ran) and --check compares the refit with the shipped block,
# within half a grid step. The values live in the profile only; no number is written here.
# A profile one grid step off fails; a profile without the block is refused.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

P=models/engines/vllm-v1.yaml
ok "the refit reproduces the shipped speculative block" \
	python3 tests/validation/spec_fit.py "$TTSIM" --check "$P"
for k in draft_forward_cpu_s step_cpu_s eagle3_remap_cpu_s; do
	has "$P speculative.$k: shipped" "the refit of $k is compared" "$TMPD/out"
done

# the check can fail: the step term moved by 20 us (two grid steps) is not the fit's
awk '/^  step_cpu_s:/ { printf "  step_cpu_s: %.6g\n", $2 + 2e-05; next } { print }' "$P" > "$TMPD/moved.yaml"
status 1 "a step term off the fit fails" \
	python3 tests/validation/spec_fit.py "$TTSIM" --check "$TMPD/moved.yaml"
has "speculative.step_cpu_s: shipped .* (differs" "the differing term is named" "$TMPD/out"

# bad profiles: refused before the fit's runs, exit 2, naming the file and key
status 2 "a profile without a speculative block" \
	python3 tests/validation/spec_fit.py "$TTSIM" --check models/engines/vllm-v0.yaml
has "vllm-v0.yaml:1: key 'speculative': missing" "the refusal names file and key" "$TMPD/err"
printf 'speculative:\n  draft_forward_cpu_s: fast\n  step_cpu_s: 0.001\n  eagle3_remap_cpu_s: 0\n' > "$TMPD/bad.yaml"
status 2 "a cost that is not a number" \
	python3 tests/validation/spec_fit.py "$TTSIM" --check "$TMPD/bad.yaml"
has "key 'speculative.draft_forward_cpu_s': expected seconds" "the refusal names the key" "$TMPD/err"
printf 'speculative: [\n' > "$TMPD/bad.yaml"
status 2 "a profile that is not YAML" \
	python3 tests/validation/spec_fit.py "$TTSIM" --check "$TMPD/bad.yaml"
finish
