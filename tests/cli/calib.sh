#!/bin/sh
# calib.sh: `ttsim calibrate` from the command line: import, fit, and refusals of bad input
# (exit 2, one line naming the file and line, no profile written).
. "$(dirname "$0")/lib.inc"
D=tests/data/calib
B=calibration/data/base/h100_sxm.yaml
ok "import aiconfigurator" $TTSIM calibrate import aiconfigurator $D/aic_gemm.csv $D/aic_nccl.csv -o $TMPD/raw
has "n_gpus,bytes,time_s,impl,graph" "allreduce.csv header" $TMPD/raw/allreduce.csv
has "# gpu: NVIDIA H100 80GB HBM3" "gpu header" $TMPD/raw/gemm.csv
ok "import nccl-tests stdout" $TTSIM calibrate import nccl-tests $D/all_reduce_perf.txt -o $TMPD/nt
ok "import: --gpu=NAME" $TTSIM calibrate import nccl-tests $D/all_reduce_perf.txt --gpu="NVIDIA X" -o $TMPD/nt2
has "# gpu: NVIDIA X" "--gpu=NAME recorded" $TMPD/nt2/allreduce.csv
status 2 "unknown importer" $TTSIM calibrate import foo $D/aic_gemm.csv -o $TMPD/x
# check: a profile's error on rows it was not fitted to, nothing written but the report
ok "check" $TTSIM calibrate check h100_sxm $TMPD/raw --report $TMPD/check.json
has "^gemm  *4 " "check counts the gemm rows" $TMPD/out
has "^allreduce " "check covers the all-reduce rows" $TMPD/out
has '"loo_median_rel_err": null' "check report: no leave-one-out" $TMPD/check.json
status 2 "check: no RAW_DIR" $TTSIM calibrate check h100_sxm
has "no RAW_DIR given" "check names what is missing" $TMPD/err
ok "check: --report=FILE" $TTSIM calibrate check h100_sxm $TMPD/raw --report=$TMPD/check2.json
ok "check: the same report" cmp $TMPD/check.json $TMPD/check2.json
status 2 "check: unknown profile" $TTSIM calibrate check h300 $TMPD/raw
# rows of one GPU against another's profile: refused, unless --gpu-name asks for it
status 2 "check: H100 rows against the A100 profile" $TTSIM calibrate check a100_sxm $TMPD/raw
has "key 'gpu': the rows are of 'NVIDIA H100 80GB HBM3', profile 'a100_sxm'" "names both GPUs" $TMPD/err
ok "check across GPUs with --gpu-name" $TTSIM calibrate check a100_sxm $TMPD/raw --gpu-name "NVIDIA H100 80GB HBM3"
status 2 "fit: 4 gemm rows are not enough" $TTSIM calibrate fit $TMPD/raw --base $B -o $TMPD/p.yaml
has "gemm.csv:" "error names the file" $TMPD/err
[ ! -e $TMPD/p.yaml ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: profile written"; }
mkdir -p $TMPD/bad
printf '# gpu: X\ndtype,m,n,k,time_ms\nbf16,1,8,8,0.1\n' > $TMPD/bad/gemm.csv
status 2 "fit: time in ms" $TTSIM calibrate fit $TMPD/bad --base $B -o $TMPD/p.yaml
has "gemm.csv:2: key 'time_s': missing column" "missing column message" $TMPD/err
printf 'op,bytes,time_s\ncopy,1e9,nan\n' > $TMPD/bad/gemm.csv; mv $TMPD/bad/gemm.csv $TMPD/bad/membw.csv
status 2 "fit: NaN" $TTSIM calibrate fit $TMPD/bad --base $B -o $TMPD/p.yaml
has "membw.csv:2: key 'time_s': bad value 'nan'" "NaN message" $TMPD/err
mkdir -p $TMPD/other
printf '# gpu: Y\nop,bytes,time_s\nread,1e9,5e-4\nread,2e9,9e-4\nread,4e9,1.8e-3\n' > $TMPD/other/membw.csv
cp $TMPD/other/membw.csv $TMPD/bad/membw.csv; sed -i 's/# gpu: Y/# gpu: Z/' $TMPD/bad/membw.csv
status 2 "fit: mixed GPUs" $TTSIM calibrate fit $TMPD/other $TMPD/bad --base $B -o $TMPD/p.yaml
has "mixed GPUs" "mixed GPU message" $TMPD/err
ok "fit: membw only" $TTSIM calibrate fit $TMPD/other --base $B --report $TMPD/r.json -o $TMPD/p.yaml
has "bw: " "profile written" $TMPD/p.yaml
has '"membw": {"n": 3' "report" $TMPD/r.json
# the fitter marks what it set, and only that: elementwise.bw from membw.csv
has "  bw: .*  # fit: membw.csv, 3 rows" "fitted line marked" $TMPD/p.yaml
ok "no other line marked" test "$(grep -c '# fit:' $TMPD/p.yaml)" = 1
# --flag=value reads as --flag value; a --note given twice: the last one for its key wins
mkdir -p $TMPD/p2
ok "fit: --flag=value" $TTSIM calibrate fit $TMPD/other --base=$B --report=$TMPD/r2.json --note=elementwise.bw=first --note "elementwise.bw=measured here" -o $TMPD/p2/p.yaml
has "  bw: .*  # measured here" "--note=KEY=TEXT, the last for its key" $TMPD/p2/p.yaml
ok "--report=FILE: the same report" cmp $TMPD/r.json $TMPD/r2.json
ok "fit: a name that JSON must escape" $TTSIM calibrate fit $TMPD/other --base $B --report $TMPD/q.json -o "$TMPD/p2/q\"uote.yaml"
has '"profile": "q\\"uote",' "the report's name escaped" $TMPD/q.json
# no --base and no shipped profile named like the output: the one shipped for the data's GPU
mkdir -p $TMPD/h200
sed 's/# gpu: Y/# gpu: NVIDIA H200/' $TMPD/other/membw.csv > $TMPD/h200/membw.csv
ok "fit: base from the data's GPU" $TTSIM calibrate fit $TMPD/h200 -o $TMPD/box.yaml
has "^# base: h200_sxm " "base chosen by GPU name" $TMPD/box.yaml
has "base profile 'h200_sxm', shipped for the data's GPU 'NVIDIA H200'" "base choice said" $TMPD/err
status 2 "fit: no base for an unknown GPU" $TTSIM calibrate fit $TMPD/other -o $TMPD/box2.yaml
has "none is shipped for GPU 'Y' (shipped: a100_sxm (NVIDIA A100-SXM4-80GB)" "lists the shipped GPUs" $TMPD/err
[ ! -e $TMPD/box2.yaml ] && T_PASS=$((T_PASS+1)) || { T_FAIL=$((T_FAIL+1)); echo "FAIL: profile written"; }
# attention rows of ttsim's reference kernels: left out unless asked for
{ printf '# gpu: NVIDIA H200\n# kernel: ttsim-reference (CUDA cores, fp32 math; not FlashAttention)\n'
  printf 'batch,seq_len,heads,kv_heads,head_dim,time_s\n'
  for s in 64 128 256 512 1024 2048 4096; do for h in 8 32 64; do
	echo "1,$s,$h,8,128,$(awk "BEGIN{printf \"%.6e\", 1e-5 + 4*$h*128*$s*$s/2/5e12}")"
  done; done; } > $TMPD/h200/attention_prefill.csv
ok "fit: reference attention left out" $TTSIM calibrate fit $TMPD/h200 -o $TMPD/box.yaml --report $TMPD/box.json
has "attention_prefill.csv: 21 rows of ttsim's reference kernels" "left out, said" $TMPD/err
has '"reference_rows_left_out": 21' "left out, in the report" $TMPD/box.json
ok "no attention line fitted" test "$(grep -c '# fit: attention' $TMPD/box.yaml)" = 0
ok "fit: --attention-from-reference" $TTSIM calibrate fit $TMPD/h200 --attention-from-reference --no-loo -o $TMPD/box.yaml
ok "attention lines fitted" test "$(grep -c '# fit: attention_prefill.csv, 21 rows' $TMPD/box.yaml)" -ge 3
grep -v '^# kernel' $TMPD/h200/attention_prefill.csv > $TMPD/other/attention_prefill.csv
sed -i 's/# gpu: Y/# gpu: NVIDIA H200/' $TMPD/other/membw.csv
status 2 "fit: reference and other kernels mixed" $TTSIM calibrate fit $TMPD/h200 $TMPD/other -o $TMPD/box.yaml
has "other/attention_prefill.csv:2: key 'kernel': none here but 'ttsim-reference" "mixed kernels message" $TMPD/err
status 2 "fit: --without a term every model needs" $TTSIM calibrate fit $TMPD/h200 --without attention.prefill_rate -o $TMPD/box.yaml
has "option '--without': 'attention.prefill_rate' is not an optional attention term" "--without refusal" $TMPD/err
# calibration/run_on_gpu.sh with stand-in benchmarks (BENCH_BIN): a table that exits 0 goes
# into RAW, a failed one's partial CSV goes to RAW/failed/ (never fitted), an empty one (one
# GPU: no all-reduce) is dropped, the fit runs on what is left and the exit status says 1
FB=$TMPD/fakebench; mkdir -p $FB
cat > $FB/launch <<'EOS'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -o ] && f=$2; shift; done
printf '# gpu: NVIDIA H200\nmode,kernels,time_s\neager,10,4.1e-6\neager,100,4.0e-6\ngraph,10,1.5e-6\ngraph,100,1.4e-6\n' > "$f"
EOS
cat > $FB/membw <<'EOS'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -o ] && f=$2; shift; done
printf '# gpu: NVIDIA H200\nop,bytes,time_s\ncopy,1e9,2.2e-4\ncopy,2e9,4.3e-4\ncopy,4e9,8.5e-4\n' > "$f"
EOS
cat > $FB/attention <<'EOS'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -d ] && d=$2; shift; done
printf '# gpu: NVIDIA H200\nbatch,seq_len,heads,kv_heads,head_dim,time_s\n1,128,32,8,128,2e-5\n' > "$d/attention_prefill.csv"
exit 1
EOS
printf '#!/bin/sh\nexit 3\n' > $FB/gemm
cat > $FB/allreduce <<'EOS'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -o ] && f=$2; shift; done
: > "$f"; echo "allreduce: 1 GPU, needs at least 2 (skipped)" >&2
EOS
chmod +x $FB/*
export BENCH_BIN=$FB RAW=$TMPD/gpuraw
status 1 "run_on_gpu.sh: two benchmarks fail, the run says so" env TTSIM=$TTSIM sh calibration/run_on_gpu.sh box
has "attention FAILED (exit 1); what it wrote is in .*/failed/, not used" "failure reported" $TMPD/out
has "gemm FAILED (exit 3)" "second failure reported" $TMPD/out
ok "passed tables kept" test -s $RAW/launch.csv -a -s $RAW/membw.csv
ok "failed table not in RAW" test ! -e $RAW/attention_prefill.csv -a -s $RAW/failed/attention_prefill.csv
ok "empty table dropped" test ! -e $RAW/allreduce.csv
has "bw: .*# fit: membw.csv, 3 rows" "fit on what passed" $RAW/box.yaml
has "^# base: h200_sxm " "fit base from the GPU the CSVs name" $RAW/box.yaml
status 1 "run_on_gpu.sh again" env TTSIM=$TTSIM sh calibration/run_on_gpu.sh box
has "earlier run in .* moved to .*/previous/" "an earlier run moved aside" $TMPD/out
ok "earlier run kept" test -s $RAW/previous/membw.csv -a -s $RAW/membw.csv
ok "no staging left" test -z "$(ls -A $RAW | grep staging)"
unset BENCH_BIN RAW

# the shipped attention_trtllm sections, checked as a TensorRT-LLM run times them: on the
# tables trtllm_profiles.sh fitted them to, check gives the fit report's in-sample figures
# (the attention section on the same rows is further off); a profile without one refuses
A=calibration/data/aiconfigurator/attention
ok "import the H100's TensorRT-LLM tables" $TTSIM calibrate import aiconfigurator \
	$A/h100_sxm_context_attention_trtllm_1.3.0rc20_bf16kv.csv \
	$A/h100_sxm_generation_attention_trtllm_1.3.0rc20_bf16kv.csv -o $TMPD/trt
ok "check --attention-trtllm" $TTSIM calibrate check h100_sxm $TMPD/trt --attention-trtllm --report $TMPD/trt.json
ok "check without it" $TTSIM calibrate check h100_sxm $TMPD/trt --report $TMPD/fa.json
ok "the section's figures are its fit's, and better than the attention section's" python3 -c "
import json
c, f = json.load(open('$TMPD/trt.json')), json.load(open('calibration/reports/h100_sxm_trtllm.json'))
a = json.load(open('$TMPD/fa.json'))
for fam in ('attention_prefill', 'attention_decode'):
    assert c[fam]['n'] == f[fam]['n'] and abs(c[fam]['median_rel_err'] - f[fam]['median_rel_err']) < 1e-4, (c[fam], f[fam])
    assert a[fam]['median_rel_err'] > c[fam]['median_rel_err'], (a[fam], c[fam])
"
# the tables' own figures the docs quote: no shipped generation table reads past the HBM,
# TensorRT-LLM's context attention slower than vLLM's on every GPU
ok "attention_tables.py" python3 calibration/attention_tables.py
cp "$TMPD/out" "$TMPD/attn_tables.txt"
ok "its figures" python3 -c "
import re
t = open('$TMPD/attn_tables.txt').read()
reads = [float(x) for x in re.findall(r'= ([0-9.]+) x HBM', t)]
assert len(reads) == 5 and max(reads) < 1, reads
ctx = [float(x) for x in re.findall(r'context .* shapes ([0-9.]+);', t)]
assert len(ctx) == 3 and min(ctx) > 1.1, ctx
"
status 2 "check --attention-trtllm on gh200 (no section)" $TTSIM calibrate check gh200 $TMPD/trt --attention-trtllm --gpu-name x
has "gh200: key 'attention_trtllm': no such section" "names the key" $TMPD/err
finish
