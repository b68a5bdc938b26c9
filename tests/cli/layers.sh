#!/bin/sh
# tests/layers.sh (make layers) on small made-up trees: it passes the real tree and refuses
# each kind of violation, naming the file and line.
. "$(dirname "$0")/lib.inc"
L="$(cd "$(dirname "$0")/.." && pwd)/layers.sh"
ok "the real tree is in layer order" "$L"
mk() { # a minimal tree whose READMEs name its files
	rm -rf "$TMPD/t"; for d in lib models traces sim calibration experiments cli tests tests/fuzz calibration/bench; do
		mkdir -p "$TMPD/t/$d"; echo "# $d" >"$TMPD/t/$d/README.md"; done
	printf '#include "lib/util.h"\n' >"$TMPD/t/sim/engine.c"; echo '`engine.c`' >>"$TMPD/t/sim/README.md"
	: >"$TMPD/t/lib/util.h"; echo '`util.h`' >>"$TMPD/t/lib/README.md"
}
mk; ok "a minimal tree passes" "$L" "$TMPD/t"
mk; printf '#include "experiments/sweep.h"\n' >>"$TMPD/t/sim/engine.c"
status 1 "sim including experiments is refused" "$L" "$TMPD/t"
has "sim/engine.c:2: sim (rank 2) includes experiments/sweep.h" "names file, line and layers" "$TMPD/out"
mk; printf '#include "util.h"\n' >>"$TMPD/t/sim/engine.c"
status 1 "an unqualified include is refused" "$L" "$TMPD/t"
has "sim/engine.c:2: #include \"util.h\" is not path-qualified" "unqualified named" "$TMPD/out"
mk; printf '#include "traces/trace.h"\n' >"$TMPD/t/models/model.c"; echo '`model.c`' >>"$TMPD/t/models/README.md"
status 1 "peers may not include each other" "$L" "$TMPD/t"
mk; printf '#include "sim/config.h"\n' >>"$TMPD/t/sim/engine.c"
status 1 "the engine may not include the option table" "$L" "$TMPD/t"
has "sim/engine.c: includes sim/config.h" "engine/config named" "$TMPD/out"
mk; : >"$TMPD/t/lib/new.c"
status 1 "a file its README does not name is refused" "$L" "$TMPD/t"
has "lib/README.md: does not name new.c" "unnamed file named" "$TMPD/out"
finish
