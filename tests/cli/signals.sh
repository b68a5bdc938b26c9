#!/bin/sh
# Robustness of `ttsim run`: SIGINT/SIGTERM stop a run cleanly (exit 128 + signal, nothing written
# under --out), and absurd inputs are refused with a message instead of exhausting memory.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

long="--model r1-qwen-7b --gpu h100_sxm --rate 50 --requests 2000000 --output-len 2000"
for sig in INT:130 TERM:143; do
	want=${sig#*:} sig=${sig%:*}
	# shellcheck disable=SC2086
	"$TTSIM" run $long --out "$TMPD/o$sig" >/dev/null 2>"$TMPD/e$sig" &
	pid=$!
	# Signal until it ends: on a loaded machine the first signal can come before ttsim has
	# installed its handler (a background job of a non-interactive shell starts with SIGINT
	# ignored, so that one would be lost); the run itself takes tens of seconds.
	sleep 1
	n=0
	while kill -"$sig" $pid 2>/dev/null && [ $n -lt 40 ]; do sleep 0.5; n=$((n+1)); done
	wait $pid; rc=$?
	if [ $rc = "$want" ]; then T_PASS=$((T_PASS+1)); else T_FAIL=$((T_FAIL+1)); echo "FAIL: SIG$sig: exit $rc, want $want"; cat "$TMPD/e$sig"; fi
	has "interrupted by signal.*nothing was written" "SIG$sig message" "$TMPD/e$sig"
	status 1 "SIG$sig: no summary.json" test -e "$TMPD/o$sig/summary.json"
done

# capacity and plan: a signal stops them with 128 + it and a message (capacity exited 1 in
# silence with part of its table; plan exited 2 with "layout -1:")
printf 'schema_version: 1\nmodel: r1-qwen-1.5b\ngpu: gh200\ninput_len: 256\noutput_len: 1024\nsweep:\n  max_num_seqs: {from: 8, to: 256, step: 8}\n' > "$TMPD/cap.yaml"
for cmd in capacity plan; do
	if [ $cmd = capacity ]; then
		"$TTSIM" capacity "$TMPD/cap.yaml" --slo-tpot-p90 0.05 --jobs 1 >/dev/null 2>"$TMPD/e$cmd" &
	else
		"$TTSIM" plan --model r1-qwen-1.5b --requests 200 --rate 5 --gpus h100_sxm:4096 --jobs 1 >/dev/null 2>"$TMPD/e$cmd" &
	fi
	pid=$!
	sleep 1
	n=0
	while kill -INT $pid 2>/dev/null && [ $n -lt 40 ]; do sleep 0.5; n=$((n+1)); done
	wait $pid; rc=$?
	if [ $rc = 130 ]; then T_PASS=$((T_PASS+1)); else T_FAIL=$((T_FAIL+1)); echo "FAIL: $cmd SIGINT: exit $rc, want 130"; cat "$TMPD/e$cmd"; fi
	has "stopped by signal 2" "$cmd: says it was stopped" "$TMPD/e$cmd"
done

# a signal after the simulation (while the summary is made, or the files written) is
# honoured too: nothing is written, an earlier result stays whole (TTSIM_TEST_TERM: a test
# hook that raises SIGTERM at that point)
TTSIM_TEST_TERM=after-sim "$TTSIM" run --requests 5 --out "$TMPD/late" >/dev/null 2>"$TMPD/err"; rc=$?
if [ $rc = 143 ]; then T_PASS=$((T_PASS+1)); else T_FAIL=$((T_FAIL+1)); echo "FAIL: SIGTERM after the simulation: exit $rc, want 143"; fi
has "interrupted by signal 15; nothing was written" "after the simulation: message" "$TMPD/err"
status 1 "after the simulation: no result" test -e "$TMPD/late/summary.json"
ok "an earlier result" "$TTSIM" run --requests 5 --seed 1 --out "$TMPD/late"
cp "$TMPD/late/summary.json" "$TMPD/late.json"
TTSIM_TEST_TERM=written "$TTSIM" run --requests 5 --seed 2 --out "$TMPD/late" >/dev/null 2>"$TMPD/err"; rc=$?
if [ $rc = 143 ]; then T_PASS=$((T_PASS+1)); else T_FAIL=$((T_FAIL+1)); echo "FAIL: SIGTERM while writing: exit $rc, want 143"; fi
ok "while writing: the earlier result stays" cmp "$TMPD/late.json" "$TMPD/late/summary.json"
ok "while writing: no half-written directory left" sh -c "! ls -a '$TMPD' | grep -q ttsim-new"

# a file above the 1 GiB input limit is refused before it is read (sparse: no disk used)
truncate -s 1100M "$TMPD/huge.jsonl"
status 2 "1.1 GB trace refused" "$TTSIM" run --trace "$TMPD/huge.jsonl"
has "file too large" "size message" "$TMPD/err"
status 2 "10^9 requests refused" "$TTSIM" run --requests 1000000000
has "expected 0 to 100000000" "requests limit named" "$TMPD/err"
# problems x samples above 10^8 sequences: refused before anything is allocated
{ echo '{"format":"ttsim-trace","version":1,"model":"m","max_tokens":100}'
  awk 'BEGIN { for (i = 0; i < 2000; i++) printf "{\"unique_id\":\"p%d\",\"prompt_tokens\":5,\"samples\":[{\"output_tokens\":9}]}\n", i }'
} > "$TMPD/t2000.jsonl"
status 2 "2000 problems x 65536 samples refused" "$TTSIM" run --model r1-qwen-1.5b --trace "$TMPD/t2000.jsonl" --samples 65536
has "sequences is too many" "sequence limit named" "$TMPD/err"
# the exit statuses of `ttsim --help` and the README's table agree
"$TTSIM" --help > "$TMPD/help"
for st in "  0 " "  1 " "  2 " "130, 143"; do has "$st" "--help lists exit status '$st'" "$TMPD/help"; done
for st in "| 0 |" "| 1 |" "| 2 |" "| 130, 143 |"; do has "$st" "README lists exit status '$st'" README.md; done
finish
