#!/bin/sh
# make layers: the layering of the source tree, checked. tests/layers.sh [ROOT]
#
#   lib            base: errors, strings, files, random streams, embedded assets
#   models traces  what a step costs; workloads and test-time-scaling accuracy (peers)
#   sim calibration one simulation; microbenchmarks and the fitter (peers)
#   experiments    many simulations: sweeps, capacity, validation, studies, Pareto
#   cli            main and the commands
#
# A file may include its own folder's headers and those of lower ranks only, always
# path-qualified from the repository root ("lib/util.h", never "util.h"). Peers may not
# include each other. tests/ may include anything.
#
# Second check: every folder's README.md names every source file in that folder, so that the
# README is a true map of the code.
cd "${1:-$(dirname "$0")/..}" || exit 2
rank() {
	case $1 in
	lib) echo 0 ;; models | traces) echo 1 ;; sim | calibration) echo 2 ;;
	experiments) echo 3 ;; cli) echo 4 ;; tests) echo 9 ;; *) echo -1 ;;
	esac
}
bad=0
n=0
for f in lib/*.[ch] models/*.[ch] traces/*.[ch] sim/*.[ch] calibration/*.[ch] experiments/*.[ch] \
	cli/*.[ch] tests/*.[ch] tests/fuzz/*.[ch]; do
	[ -f "$f" ] || continue
	dir=${f%%/*}
	own=$(rank "$dir")
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" >/tmp/ttsim-layers.$$ || true
	while IFS= read -r line; do
		n=$((n + 1))
		lno=${line%%:*}
		inc=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
		case $inc in
		*/*) ;;
		*)
			echo "$f:$lno: #include \"$inc\" is not path-qualified (write \"DIR/$inc\")"
			bad=$((bad + 1))
			continue ;;
		esac
		to=${inc%%/*}
		r=$(rank "$to")
		if [ "$r" -lt 0 ]; then
			echo "$f:$lno: #include \"$inc\": '$to' is not a layer"
			bad=$((bad + 1))
		elif [ "$to" != "$dir" ] && [ "$r" -ge "$own" ]; then
			echo "$f:$lno: $dir (rank $own) includes $inc from $to (rank $r): a layer may include only lower ones"
			bad=$((bad + 1))
		fi
	done </tmp/ttsim-layers.$$
done
rm -f /tmp/ttsim-layers.$$
# the engine is configuration-free: the option table is read above it (sim/run.c)
for f in sim/engine.c sim/engine.h sim/evq.c sim/evq.h; do
	if grep -q '#include "sim/config.h"' "$f"; then
		echo "$f: includes sim/config.h: the engine takes a struct sim_setup, not the option table"
		bad=$((bad + 1))
	fi
done
# READMEs: every source file named
for d in lib models traces sim calibration experiments cli tests tests/fuzz calibration/bench; do
	[ -f "$d/README.md" ] || { echo "$d/README.md: missing"; bad=$((bad + 1)); continue; }
	for f in "$d"/*.c "$d"/*.h "$d"/*.cu "$d"/*.sh; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		stem=${b%.*}
		# a pair may be named together as name.[ch] or name.c/h; a table row as | name |
		grep -qF "$b" "$d/README.md" || grep -qF "$stem.[ch]" "$d/README.md" ||
			grep -qF "$stem.c/h" "$d/README.md" || grep -qF "| $stem |" "$d/README.md" || {
			echo "$d/README.md: does not name $b"
			bad=$((bad + 1))
		}
	done
done
if [ "$bad" -gt 0 ]; then
	echo "layers: $bad problem(s)"
	exit 1
fi
echo "layers: $n includes in layer order; every README names its folder's files"
