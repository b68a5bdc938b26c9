#!/bin/sh
# Replay every fuzz target's corpus and regression inputs (tests/fuzz/corpus/<target>/,
# tests/fuzz/regress/<target>/) through the plain replay build of the target
# ($BUILD/fuzz-replay/<target>, made by `make test`): no crash, no sanitizer report under
# make check, no leak.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1
: "${BUILD:=build}"
for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	ok "replay $t" "$BUILD/fuzz-replay/$t" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t"
done
finish
