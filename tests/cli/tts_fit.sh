#!/bin/sh
# ttsim trace tts-fit: the budget-forcing, "Wait" and reward-model fits to the shipped curves, and
# bad curve files exit 2 naming file, line and key. (Split from trace.sh: the fits take most of
# its time, and tests/run.sh runs the two side by side.)
. "$(dirname "$0")/lib.inc"
ok "tts-fit" "$TTSIM" trace tts-fit
has "bf_settle 0.4071  bf_sigma 1.4867  bf_guess 0.2544   (defaults 0.4071 1.4867 0.2544)" "tts-fit fits the budget-forcing terms to the option table's defaults" "$TMPD/out"
has "all                                             check    252     2.76    10.45    25.87    61.16" "tts-fit's budget-curve check errors" "$TMPD/out"
has "all       sigma held                            check    252     5.93    18.56" "tts-fit: the settle spread held at the length spread fits worse" "$TMPD/out"
has "DEER_T5   Qwen3-14B                      math500:qwen3-14b              0.682     0.311 yes" "DEER's exit bounds the settle point" "$TMPD/out"
has "wait_break 0.0075 (default 0.0075)" "tts-fit fits the Wait term to the option table's default" "$TMPD/out"
has "published 0.944 -> 0.954; model 0.9440 -> 0.954" "one Wait gains as published" "$TMPD/out"
has "check S1_T5 s1.1-32B, 2 waits: published 0.944 -> 0.954; model 0.9440 -> 0.955" "the held-out Wait row is reported against the model" "$TMPD/out"
has "(defaults: tts_rm_accuracy 0.6099, tts_rm_spread 1.557)" "tts-fit prints the reward model's defaults" "$TMPD/out"
has "all, pooled                      0.58" "tts-fit fits the reward model" "$TMPD/out"
has "slope b 1.709, s 2.077" "the reward model's policy has the vote model's fitted slope" "$TMPD/out"
# bad_curve FLAG FILE CONTENT WHAT TEXT: `tts-fit FLAG FILE` with CONTENT (printf %b: \n
# ends a line) exits 2, its error names TEXT (file, line and key), and it printed nothing
# before the error
bad_curve() {
	printf '%b\n' "$3" > "$TMPD/$2"
	status 2 "tts-fit: $4" "$TTSIM" trace tts-fit "$1" "$TMPD/$2"
	has "$5" "tts-fit: $4: the error" "$TMPD/err"
	ok "tts-fit: $4: no output before the error" test ! -s "$TMPD/out"
}
bad_curve --curves curves.csv 'source_id,model,trace,kind,waits,use,base_acc,acc,base_tokens,tokens,read,source\nX,m,math500:s1.1-32b,wait,1,fit,0.9,1.5,0,0,table,s' "accuracy over 1" "curves.csv:2: key 'acc'"
bad_curve --bf-curves bf.csv 'source_id,model,trace,prompt,use,budget,acc,read\nX,m,math500:r1-qwen-7b,sbs,fit,100,0.5,eye' "a bad budget-curve point" "bf.csv:2: key 'read'"
bad_curve --bf-curves bf.csv 'source_id,model,trace,prompt,use,budget,acc,read\nX,DeepSeek-R1-Distill-Qwen-7B,math500:r1-qwen-7b,sbs,check,100,0.5,data' "no budget-curve point to fit" "no budget-forcing point to fit to"
bad_curve --bf-curves bf.csv 'source_id,model,trace,prompt,use,budget,acc,read\nX,m,math500:nosuch,sbs,fit,100,0.5,data' "an unknown trace" "bf.csv:2: key 'trace': trace 'math500:nosuch'"
bad_curve --curves curves.csv 'source_id,model,trace,kind,waits,use,base_acc,acc,base_tokens,tokens,read,source\nX,m,math500:r1-qwen-7b,deer,0,fit,0.9,0.9,10,5,table,s' "a deer row marked fit" "curves.csv:2: key 'use': a deer row is a check only"
bad_curve --rm-curves rm.csv 'source_id,policy,pass1,rm,rm_type,n,acc,use,read\nX,p,0.5,r,orm,4,0.6,fit,tabel' "a bad best-of-N row" "rm.csv:2: key 'read'"
bad_curve --rm-curves rm2.csv 'source_id,policy,pass1,rm,rm_type,n,acc,use,read\nX,p,0.995,r,orm,4,0.6,fit,table' "a pass@1 no policy of the vote model reaches" "rm2.csv:2: key 'pass1'"
finish
