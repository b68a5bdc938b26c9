#!/bin/sh
# Inputs at and past the documented limits (issue 14): times that would overflow int64 ns are
# refused with the key that caused them (exit 2, one line), never turned into negative
# makespans; a trace of 70,000 problems with early stopping and large answer numbers runs.
. "$(dirname "$0")/lib.inc"
cd "$(dirname "$0")/../.." || exit 1

one_line() { # DESC: the error is one line "ttsim: ... key '...': ..."
	if [ "$(wc -l < "$TMPD/err")" = 1 ] && grep -q "^ttsim: .*key '[a-z_]*': " "$TMPD/err"; then
		T_PASS=$((T_PASS+1)); else T_FAIL=$((T_FAIL+1)); echo "FAIL: $1: not one line naming a key"; cat "$TMPD/err"; fi
}

# a bandwidth in TB/s typed as B/s: steps of 10^9 s; refused (by the engine's time limit now; by
# the profile's plausible ranges, with key 'hbm_bw', once they exist: both pass these checks),
# not run into negative times
sed 's/^\( *hbm_bw:\) .*/\1 3.35/' models/profiles/h100_sxm.yaml > "$TMPD/bw.yaml"
has "^ *hbm_bw: 3.35$" "the shipped profile's hbm_bw replaced" "$TMPD/bw.yaml"
status 2 "hbm_bw 3.35 B/s refused" "$TTSIM" run --model r1-qwen-1.5b --gpu "$TMPD/bw.yaml" --requests 20
one_line "hbm_bw 3.35"
has "key 'memory.hbm_bw': expected a number in \[1e+10, 1e+14\] bytes/s, got '3.35'" "the profile's plausible range, with its unit" "$TMPD/err"
status 2 "hbm_bw 3.35 B/s refused, poisson arrivals" "$TTSIM" run --model r1-qwen-1.5b --gpu "$TMPD/bw.yaml" --requests 20 --arrival poisson --rate 5 --format json
one_line "hbm_bw 3.35, poisson"

# Poisson arrivals 30 years apart: refused at the arrival that passes 100 years
status 2 "--rate 1e-9 refused" "$TTSIM" run --model r1-qwen-1.5b --arrival poisson --rate 1e-9
has "key 'rate': problem [0-9]* would arrive past 3.15576e+09 s" "rate limit named" "$TMPD/err"
one_line "--rate 1e-9"
# ...and a horizon just inside the limit runs, with positive times
ok "--rate 1e-9, 2 requests" "$TTSIM" run --model r1-qwen-1.5b --arrival poisson --rate 1e-9 --requests 2 --format json
for k in makespan_s energy_j gpu_seconds; do has "\"$k\":[[:space:]]*[1-9]" "--rate 1e-9: $k positive" "$TMPD/out"; done

# trace arrivals past 100 years, or past what a double-to-int64 cast holds
H='{"format":"ttsim-trace","version":1,"model":"m","max_tokens":100}'
for a in 3.2e9 1e300; do
	{ echo "$H"; echo '{"unique_id":"a","prompt_tokens":5,"arrival_s":0,"samples":[{"output_tokens":9}]}'
	  echo "{\"unique_id\":\"b\",\"prompt_tokens\":5,\"arrival_s\":$a,\"samples\":[{\"output_tokens\":9}]}"; } > "$TMPD/arr.jsonl"
	status 2 "arrival_s $a refused" "$TTSIM" run --model r1-qwen-1.5b --trace "$TMPD/arr.jsonl" --arrival trace
	has "problem 1: key 'arrival_s': .* s is out of range" "arrival_s $a named" "$TMPD/err"
	one_line "arrival_s $a"
done

# 70,000 problems x 2 samples, early stopping, answers numbered up to 32767: a vote counter per
# answer number (70,000 x 32,768 > 2^31) once overflowed a 32-bit offset and crashed. Then 3,000
# problems x 3 samples, where the first and the third agree and finish first, so the second
# is cancelled. (Parsing 70,000 lines is most of the time: about 10 s under make check.)
trace_of() { # PROBLEMS SAMPLES_JSON (%d: the right or wrong answer)
	echo "$H"
	awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) { a = i % 3 ? 32000 : 0
		printf "{\"unique_id\":\"p%d\",\"prompt_tokens\":5,\"samples\":[" s "]}\n", i, a, a } }'
}
trace_of 70000 '{"output_tokens":9,"answer":%d},{"output_tokens":40,"answer":32767}' > "$TMPD/t70k.jsonl"
trace_of 3000 '{"output_tokens":9,"answer":%d},{"output_tokens":40,"answer":32767},{"output_tokens":10,"answer":%d}' > "$TMPD/t3k.jsonl"
ok "70,000 problems x 2 samples, early stop" "$TTSIM" run --model r1-qwen-1.5b --trace "$TMPD/t70k.jsonl" --samples 2 --early-stop --vote majority --format json
has '"accuracy":[[:space:]]*0.3333' "70,000 x 2: a third voted right (ties to the first answer)" "$TMPD/out"
ok "3,000 problems x 3 samples, early stop" "$TTSIM" run --model r1-qwen-1.5b --trace "$TMPD/t3k.jsonl" --samples 3 --early-stop --vote majority --format json
has '"accuracy":[[:space:]]*0.3333' "3,000 x 3: a third voted right" "$TMPD/out"
has '"cancelled":[[:space:]]*3000,' "3,000 x 3: every second sample cancelled" "$TMPD/out"
finish
