#!/bin/sh
# Run every unit-test binary given as arguments, then every tests/cli/*.sh script, and print
# one closing line "N passed, N failed" (checks counted across all programs).
# Environment: TTSIM = the ttsim binary under test.
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 bad=""

# run_one NAME CMD...: run CMD, add the counts of its closing line to pass and fail (a
# program that prints none, or exits non-zero with 0 failed, counts as one failure), show
# the tail of a failing one's output, and print one line for it
run_one() {
	name=$1; shift
	out=$("$@" 2>&1); rc=$?
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/'); f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ -n "$p" ] || { p=0; f=1; }
	[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" != 0 ]; then bad="$bad $name"; printf '%s\n' "$out" | tail -n 30; fi
	printf '  %-40s %s\n' "$(basename "$name")" "${line:-crashed (exit $rc)}"
}

for t in "$@"; do
	run_one "$t" "$t"
done
for s in tests/cli/*.sh; do
	[ -f "$s" ] || continue
	run_one "$s" sh "$s"
done
[ -n "$bad" ] && echo "failing:$bad"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
