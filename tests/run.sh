#!/bin/sh
# Run every unit-test binary given as arguments, then every tests/cli/*.sh script, and print
# one closing line "N passed, N failed" (checks counted across all programs).
# Environment: TTSIM = the ttsim binary under test; TEST_JOBS = how many programs run at once
# (default: the number of online CPUs). Each program writes to its own file, and the results
# are printed in the order of the arguments, whatever order they finished in; every test
# keeps its temporary files in a mktemp directory of its own, so they can run side by side.
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 bad=""
jobs=${TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) echo "tests/run.sh: TEST_JOBS must be a positive integer" >&2; exit 2 ;; esac
RUN_DIR=$(mktemp -d) || exit 1
trap 'rm -rf "$RUN_DIR"' EXIT INT TERM

# The programs, numbered in the order their results are printed. The slowest ones (about a
# fifth of the tier's time each, measured with `make test`) start first, so that two
# workers end together rather than one running the longest program alone at the end.
i=0
for t in "$@" tests/cli/*.sh; do
	[ -f "$t" ] || continue
	i=$((i + 1))
	printf '%s %s\n' "$i" "$t" >>"$RUN_DIR/list"
done
[ -f "$RUN_DIR/list" ] || { echo "0 passed, 1 failed (no test program found)"; exit 1; }
slow=' (tests/cli/(trace|tts_fit|sweep|studies|spec_fit)\.sh|.*/test_(vote|trace))$'
{ grep -E "$slow" "$RUN_DIR/list"; grep -vE "$slow" "$RUN_DIR/list"; } >"$RUN_DIR/order"

# one worker's job: run program $2 (a script through sh), its output and exit status to $1.*
export RUN_DIR
xargs -P "$jobs" -n 2 sh -c '
	case $2 in *.sh) sh "$2" ;; *) "$2" ;; esac >"$RUN_DIR/$1.out" 2>&1
	echo $? >"$RUN_DIR/$1.rc"' run <"$RUN_DIR/order"

# add the counts of each program's closing line to pass and fail (a program that prints none,
# or exits non-zero with 0 failed, counts as one failure), show the tail of a failing one's
# output, and print one line for it
while read -r k name; do
	out=$(cat "$RUN_DIR/$k.out" 2>/dev/null)
	rc=$(cat "$RUN_DIR/$k.rc" 2>/dev/null || echo 127)
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/'); f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ -n "$p" ] || { p=0; f=1; }
	[ "$rc" -ne 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" != 0 ]; then bad="$bad $name"; printf '%s\n' "$out" | tail -n 30; fi
	printf '  %-40s %s\n' "$(basename "$name")" "${line:-crashed (exit $rc)}"
done <"$RUN_DIR/list"
[ -n "$bad" ] && echo "failing:$bad"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
