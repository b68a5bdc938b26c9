#!/bin/sh
# .ci/deps.sh --ci asks for every CI tool (it once lost '--ci' to `set -- $p` and asked for
# none, so a fresh CI machine skipped the MPI, valgrind, lint and fuzz tiers in silence);
# .ci/run fails when CI=true and a tool is missing. Run with a PATH of stubs: nothing is
# installed (the stub `id` is not root, so deps.sh only prints the command).
. "$(dirname "$0")/lib.inc"
mkdir -p "$TMPD/bin"
for t in pkg-config gnuplot; do printf '#!/bin/sh\nexit 0\n' > "$TMPD/bin/$t"; done
printf '#!/bin/sh\necho 1000\n' > "$TMPD/bin/id"
chmod +x "$TMPD/bin/"*
ln -s "$(command -v dirname)" "$TMPD/bin/dirname"
SH=$(command -v sh)
status 1 "deps --ci with no CI tool" env PATH="$TMPD/bin" "$SH" .ci/deps.sh --ci
for p in libopenmpi-dev openmpi-bin valgrind cppcheck clang-tidy clang libclang-rt-dev; do
	has " $p" "deps --ci asks for $p" "$TMPD/err"
done
ok "deps without --ci needs none of them" env PATH="$TMPD/bin" "$SH" .ci/deps.sh
# .ci/run's guard: a stub deps.sh that succeeds, then CI=true with the tools missing
mkdir -p "$TMPD/repo/.ci"
cp .ci/run "$TMPD/repo/.ci/run"
printf '#!/bin/sh\nexit 0\n' > "$TMPD/repo/.ci/deps.sh"
chmod +x "$TMPD/repo/.ci/deps.sh"
status 1 "CI=true with a tool missing fails" env PATH="$TMPD/bin" CI=true "$SH" -c "cd \"$TMPD/repo\" && .ci/run"
has "cannot run: not installed (CI=true: failing" "says which tool and why" "$TMPD/err"
finish
