#!/bin/sh
# Make sure pkg-config finds GSL, cJSON and libyaml (and gnuplot exists for plots).
# As root on Debian/Ubuntu, install what is missing; otherwise print the command to run.
# --ci: also what CI's tiers use (MPI sweeps, valgrind, lint, clang's libFuzzer): .ci/run
# fails, rather than skips a tier, when one of them is still missing afterwards.
set -e
mode=${1:-} # read before the loop below: `set -- $p` replaces the positional parameters
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
for p in "gsl libgsl-dev" "libcjson libcjson-dev" "yaml-0.1 libyaml-dev"; do
	set -- $p
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$1"; then
		missing="$missing $2"
	fi
done
command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
if [ "$mode" = --ci ]; then
	{ command -v mpicc && command -v mpirun; } >/dev/null 2>&1 || missing="$missing libopenmpi-dev openmpi-bin"
	command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
	command -v cppcheck >/dev/null 2>&1 || missing="$missing cppcheck"
	command -v clang-tidy >/dev/null 2>&1 || missing="$missing clang-tidy"
	command -v clang >/dev/null 2>&1 || missing="$missing clang libclang-rt-dev"
	if command -v clang >/dev/null 2>&1 && \
	   ! ls "$(clang -print-resource-dir 2>/dev/null)"/lib/*/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
		v=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
		[ -n "$v" ] && missing="$missing libclang-rt-$v-dev"
	fi
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	# apt's own progress is shown: a first install downloads a few hundred MB
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y $missing
	exit 0
fi
echo "deps: missing$missing; run: sudo apt-get install -y$missing" >&2
exit 1
