#!/bin/sh
# Run every unit-test binary given as arguments, then every tests/cli/*.sh script, and print
# one closing line "N passed, N failed" (checks counted across all programs).
# Environment: TTSIM = the ttsim binary under test.
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 bad=""
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/'); f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ -n "$p" ] || { p=0; f=1; }
	[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" != 0 ]; then bad="$bad $t"; printf '%s\n' "$out" | tail -n 30; fi
	printf '  %-40s %s\n' "$(basename "$t")" "${line:-crashed (exit $rc)}"
done
for s in tests/cli/*.sh; do
	[ -f "$s" ] || continue
	out=$(sh "$s" 2>&1); rc=$?
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/'); f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ -n "$p" ] || { p=0; f=1; }
	[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" != 0 ]; then bad="$bad $s"; printf '%s\n' "$out" | tail -n 30; fi
	printf '  %-40s %s\n' "$(basename "$s")" "${line:-crashed (exit $rc)}"
done
[ -n "$bad" ] && echo "failing:$bad"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
