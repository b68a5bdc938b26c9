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
status 2 "unknown importer" $TTSIM calibrate import foo $D/aic_gemm.csv -o $TMPD/x
# check: a profile's error on rows it was not fitted to, nothing written but the report
ok "check" $TTSIM calibrate check h100_sxm $TMPD/raw --report $TMPD/check.json
has "^gemm  *4 " "check counts the gemm rows" $TMPD/out
has "^allreduce " "check covers the all-reduce rows" $TMPD/out
has '"loo_median_rel_err": null' "check report: no leave-one-out" $TMPD/check.json
status 2 "check: no RAW_DIR" $TTSIM calibrate check h100_sxm
has "no RAW_DIR given" "check names what is missing" $TMPD/err
status 2 "check: unknown profile" $TTSIM calibrate check h300 $TMPD/raw
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
finish
