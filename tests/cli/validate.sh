#!/bin/sh
# `ttsim validate`: the development set holds its line (CI), a self-generated measured file
# validates at 0%, the JSON shape, vllm bench JSON, and bad input (exit 2, FILE:LINE).
. "$(dirname "$0")/lib.inc"
# the line reached: TPOT 5.4%, TTFT 13.5% (one row: SGLang Qwen3-8B at 4 clients, run as the
# benchmark ran, ShareGPT lengths without --ignore-eos on the chat endpoint, as the fit part's
# rows of it) -> held at 7% and 15%
ok "dev set within the line reached" "$TTSIM" validate tests/validation/dev.csv --max-median-error tpot_ms=7,ttft_ms=15
has "tpot_ms" "summary printed" "$TMPD/out"
status 1 "a tighter line fails" "$TTSIM" validate tests/validation/dev.csv --max-median-error 1
has "median |error|" "failed line names the metric" "$TMPD/err"
# The MoE set (tests/validation/moe_mixtral.csv, BLIS shared-prefix rows, so with the
# prompt cache): TTFT 8.0%, e2e 2.9% and output tok/s 0.1% median reached with the front end
# as a latency (17.5% and 3.2% with the serial one; models/README.md) -> held at 9%, 4% and 1%.
# The front end by endpoint (issue 16) gives BLIS's /v1/completions 12.5 ms where the chat
# endpoint's 30 ms stood: TTFT 8.0 -> 16.4% (bias -13.5%; the 5-8 req/s runs 16-30% short,
# 15-19 ms, where the dense CodeLlama-34B TP2 runs of the same workloads are -6..-2%: an
# MoE engine-time shortfall the 30 ms hid, VALIDATION.md) -> held at 17%. The fused-MoE kernels
# fitted on aiconfigurator's tables (issue 19): TTFT 15.8%, e2e 13.7% (Mixtral's experts at
# TP2 are a shape vLLM has a tuned config for, 2.4x the fit's rate in prefill; VALIDATION.md
# "Fused-MoE kernels calibrated") -> held at 16% and 14%. Mixtral's TP2 layer read from the
# measured table where it has the shape (models/moe_table.h): e2e 13.7 -> 3.6%, TTFT 15.8 ->
# 21.5% (bias -5.1 -> -12.0%: the prefills now run at the tuned config's measured rate and
# the low-load shortfall above shows) -> held at 22%, 4% and 1%
ok "MoE set within the line reached" "$TTSIM" validate tests/validation/moe_mixtral.csv --max-median-error ttft_ms=22,e2e_s=4,output_tok_per_s=1
has "9 rows kept but not simulated" "MoE set's skips counted" "$TMPD/out"
# The MoE serving set (tests/validation/moe_serving.csv, GPUStack gpt-oss, Qwen3-235B-A22B and
# DeepSeek-R1 pages; VALIDATION.md "Mixture of Experts"): TTFT 26.1%, TPOT 41.5%, output tok/s
# 22.0% median reached (56 runs, 4 of them expert-parallel) with the weight-only expert kernels
# (cost.c MOE_WONLY_EFF) and vLLM's per-GPU scheduler limits in the rows; with sliding-window
# blocks freed TPOT went to 47.8% (gpt-oss-120b on one H100 now admits twice the 32K prompts
# and interleaves their prefills with decodes, where vLLM, with less KV, did not); the front
# end refitted as a 30 ms latency with no serial per-request time (the 1000-prompt bursts'
# TTFT short: some serial work exists that the fit part cannot identify); vLLM's MXFP4
# layouts (Marlin on A100) and the profile run's sampler peak (1024 sequences on H100) in the
# memory plan (gpt-oss-120b's KV on one GPU about what vLLM logs: its 32K rows queue their
# prompts, TTFT up; its H100 TPOT median 95 -> 41%). Together: TTFT 39.9%, TPOT 32.0%,
# output tok/s 25.1%; the front end by endpoint (these rows are chat: 50 ms latency, 0.4 ms a
# token): TTFT 40.8%; the chat endpoint's first-token time (25 ms a request, serial; 20 ms
# latency, 5 ms a request; fitted on the fit part's bursts): TTFT 35.6%, TPOT 34.3%, tok/s
# 27.0% (the 128/4 bursts now over-predicted, VALIDATION.md); the fused-MoE kernels fitted on
# aiconfigurator's tables in place of the assumed weight-only rate (issue 19): TTFT 38.5%,
# TPOT 32.4%, tok/s 22.7% (gpt-oss on H100 faster than its vLLM 0.10/0.11 rows, the A100 bf16
# and small-batch rows closer) -> held at 39%, 33% and 23%; the measured tables on the
# shapes they hold (Qwen3-235B-A22B on H100 TP4 fp8 and TP8, DeepSeek-R1 fp8 TP8 on H200,
# gpt-oss-120b TP1 on H100; A100 rows keep the fit;
# models/moe_table.h): TTFT 32.4%, TPOT 32.4%, tok/s 22.7% -> held at 33%, 33% and 23%; the
# A100 and GH200 per-step constant set to H100's 0.8 ms (issue 16, VALIDATION.md "Argonne on
# A100 and GH200"): TTFT 32.9%, TPOT 33.0%, tok/s 23.5% (its 25 A100 runs 33.4 / 33.4 / 23.1%
# against 33.1 / 32.8 / 22.1%) -> held at 33%, 33.5% and 24%
# (the 56 runs without --async-scheduling; its 25 runs are simulated since async scheduling
# is modelled, below). Preempted requests' blocks found in vLLM V1's prefix cache, and the
# FlashInfer sampler of GPUStack's vLLM images in the memory plan: 32.9 / 30.8 / 21.5% -> held
# at 33, 31 and 22. fp8 weights on the A100 as Marlin W8A16 (models/cost.c lin_gm; the
# Qwen3-235B-A22B FP8 A100 rows): 31.7 / 28.9 / 20.4% -> held at 32, 29, 21. GLM-4.5-Air and
# GLM-4.6 (glm4_moe; GPUStack's five GLM pages, 37 runs more, 12 more with a status):
# 37.5 / 41.4 / 21.9% over 93 runs -> held at 38, 41.5, 22
{ grep -v '^#' tests/validation/moe_serving.csv | head -1
  grep -v '^#' tests/validation/moe_serving.csv | tail -n +2 | grep -v ',chat,true,true,vllm,'; } > "$TMPD/moe_sync.csv"
ok "MoE serving set within the line reached" "$TTSIM" validate "$TMPD/moe_sync.csv" --keep-going --max-median-error ttft_ms=38,tpot_ms=41.5,output_tok_per_s=22
has "^ttft_ms  *93 " "the 93 runs without async scheduling (56 before the GLM pages)" "$TMPD/out"
# vLLM --async-scheduling (ttsim's async_scheduling: the engine's CPU overlaps the GPU step;
# models/cost.c): its 25 runs, most of them 1000-prompt bursts the chat front end bounds
# (VALIDATION.md), take the whole set to TTFT 54.6%, TPOT 34.5%, tok/s 30.7% -> held at 55,
# 35, 31. The clean test of the mechanism is the pair of 4-client ShareGPT runs of
# gpt-oss-120b with and without it: the measured ratio async / sync of TPOT and of output
# tok/s against the predicted one (A100: 0.945 / 0.912 and 1.056 / 1.095; H100, whose async
# run is at TP2: 0.692 / 0.657 and 1.425 / 1.483), held within 6% of the measured ratio and on
# its side of 1 (without the model the A100 pair's ratios would be 1: failed). With the
# prefix cache of preempted requests and the FlashInfer sampler (above): 47.0 / 29.5 / 24.0%
# -> held at 47.5, 30 and 24.5; fp8 on the A100 as Marlin W8A16: 47.0 / 27.7 / 23.7% -> held
# at 47.5, 28 and 24; with the GLM pages, 118 runs: 43.1 / 35.7 / 24.0% -> held at 43.5, 36
# and 24.5 (30 + 39 rows with a status: 24 of them glm-4.5-air/h100.md's copied section);
# the A100's attention fitted to aiconfigurator's measured vLLM 0.14.0 FA2 tables (it was the
# H100 fit scaled: its 60 A100 runs, 51 vLLM and 9 SGLang, within a point either way):
# 43.0 / 36.0 / 24.5% -> held at 43.5, 36.5 and 25
ok "MoE serving set with its async runs" "$TTSIM" validate tests/validation/moe_serving.csv --keep-going --max-median-error ttft_ms=43.5,tpot_ms=36.5,output_tok_per_s=25
has "69 rows kept but not simulated" "MoE serving set's skips counted (no async skip left)" "$TMPD/out"
grep -c "not an H100 run" tests/validation/moe_serving.csv > "$TMPD/copied"
has "^24$" "glm-4.5-air/h100.md's copied outputs kept with a status, never simulated" "$TMPD/copied"
ok "MoE serving set as JSON" "$TTSIM" validate tests/validation/moe_serving.csv --keep-going --format json
python3 - "$TMPD/out" > "$TMPD/async" <<'PY'
import json, sys
p = {x["id"]: x for x in json.load(open(sys.argv[1]))["rows"]}
bad = []
for g in ("a100", "h100"):
    for m in ("tpot", "output"):
        s = p["gpsmoe_%s_vllm_gpt-oss-120b_sgpt_c4_otherbenchma_%s" % (g, m)]
        a = p["gpsmoe_%s_vllm_gpt-oss-120b_sgpt_c4_otherbenchma_2_%s" % (g, m)]
        meas, pred = a["measured"] / s["measured"], a["predicted"] / s["predicted"]
        if abs(pred / meas - 1) > 0.06 or (pred - 1) * (meas - 1) <= 0:
            bad.append("%s %s measured %.3f predicted %.3f" % (g, m, meas, pred))
print("async ok" if not bad else "async bad %s" % bad)
PY
has "async ok" "async scheduling's gain on the 4-client pairs within 6% of the measured" "$TMPD/async"

# ttsim's own prediction as the measurement: 0% error.
"$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 200 --output-len 50 --concurrency 2 \
	--requests 100 --format json > "$TMPD/run.json"
python3 - "$TMPD/run.json" > "$TMPD/self.csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print("id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,num_prompts")
for m, v in [("ttft_ms", s["ttft_ms"]["mean"]), ("tpot_ms", s["tpot_ms"]["mean"]),
             ("e2e_s", s["e2e_s"]["mean"]), ("output_tok_per_s", s["output_tok_per_s"])]:
    print("self,qwen3-8b,h100_sxm,1,bf16,200,50,2,%s,%.17g,100" % (m, v))
PY
ok "self-generated file validates" "$TTSIM" validate "$TMPD/self.csv" --max-median-error 0.000001
ok "json output" "$TTSIM" validate "$TMPD/self.csv" --format json
python3 - "$TMPD/out" > "$TMPD/shape" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = set(d) == {"rows", "summary", "groups", "families", "skipped"} and len(d["rows"]) == 4
ok = ok and [g["engine"] for g in d["groups"]] == ["?"] * 4 and d["skipped"] == 0
# per family over its GPUs: one GPU here, the same four as the groups, without a gpu key
ok = ok and [(f["engine"], f["metric"], f["n"]) for f in d["families"]] == \
    [(g["engine"], g["metric"], g["n"]) for g in d["groups"]] and \
    all("gpu" not in f and f["gpu_kinds"] == 1 for f in d["families"])
ok = ok and all(set(r) >= {"id", "metric", "predicted", "measured", "pct_err", "abs_pct_err"} for r in d["rows"])
ok = ok and all(set(v) == {"n", "median_abs_pct_err", "p90_abs_pct_err", "mean_signed_pct_err"} for v in d["summary"].values())
ok = ok and set(d["summary"]) == {"ttft_ms", "tpot_ms", "e2e_s", "output_tok_per_s"}
ok = ok and all(abs(r["pct_err"]) < 1e-9 for r in d["rows"])
print("shape ok" if ok else "shape bad")
PY
has "shape ok" "json shape and 0% error" "$TMPD/shape"
cp "$TMPD/out" "$TMPD/v1.json"
ok "json output, --format=json" "$TTSIM" validate "$TMPD/self.csv" --format=json
cp "$TMPD/out" "$TMPD/v2.json"
ok "--format=json reads the same as --format json" cmp "$TMPD/v1.json" "$TMPD/v2.json"
status 2 "validate: flag without its value" "$TTSIM" validate "$TMPD/self.csv" --gpu
has "missing value (expected --gpu VALUE" "missing value wording" "$TMPD/err"

# vllm bench serve --save-result JSON, gpu/tp from --metadata
cat > "$TMPD/bench.json" <<'J'
{"date": "20260101-000000", "backend": "vllm", "model_id": "Qwen/Qwen3-8B", "num_prompts": 40,
 "request_rate": "inf", "max_concurrency": 4, "completed": 40, "total_input_tokens": 9320,
 "total_output_tokens": 8840, "mean_ttft_ms": 27.7, "mean_tpot_ms": 7.19, "mean_e2el_ms": 1600,
 "output_throughput": 540, "gpu": "h100_sxm", "tp": 1}
J
ok "vllm bench json" "$TTSIM" validate "$TMPD/bench.json"
has "output_tok_per_s" "bench json rows" "$TMPD/out"
has "e2e_s" "bench json e2e" "$TMPD/out"

# Bad input: exit 2 naming the file and line; --keep-going reports and continues.
H="id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value"
printf '%s\nr1,nosuch,h100_sxm,1,bf16,100,10,1,tpot_ms,5\n' "$H" > "$TMPD/m.csv"
status 2 "unknown model" "$TTSIM" validate "$TMPD/m.csv"
has "m.csv:2: key 'model'" "unknown model names file:line" "$TMPD/err"
printf '%s\nr1,qwen3-8b,h999,1,bf16,100,10,1,tpot_ms,5\n' "$H" > "$TMPD/g.csv"
status 2 "unknown gpu" "$TTSIM" validate "$TMPD/g.csv"
has "g.csv:2: key 'gpu'" "unknown gpu names file:line" "$TMPD/err"
printf '%s\nr1,qwen3-8b,h100_sxm,1,bf16,100,10,1,itl_ms,5\n' "$H" > "$TMPD/x.csv"
status 2 "unsupported metric" "$TTSIM" validate "$TMPD/x.csv"
has "x.csv:2: key 'metric': unsupported metric 'itl_ms'" "metric message" "$TMPD/err"
printf '%s\n# c\nr1,qwen3-8b,h100_sxm,1,bf16,100,10,1,tpot_ms,~13.5\n' "$H" > "$TMPD/v.csv"
status 2 "non-numeric value" "$TTSIM" validate "$TMPD/v.csv"
has "v.csv:3: key 'value': expected a number, got '~13.5'" "value message" "$TMPD/err"
printf '%s\nr1,qwen3-8b,h100_sxm,3,bf16,100,10,1,tpot_ms,5\n' "$H" > "$TMPD/t.csv"
status 2 "tp the model cannot use" "$TTSIM" validate "$TMPD/t.csv"
has "t.csv:2: key 'tp'" "tp message" "$TMPD/err"
printf '%s,endpoint\nr1,qwen3-8b,h100_sxm,1,bf16,100,10,1,tpot_ms,5,grpc\n' "$H" > "$TMPD/ep.csv"
status 2 "unknown endpoint" "$TTSIM" validate "$TMPD/ep.csv"
has "ep.csv:2: key 'endpoint': unknown endpoint 'grpc' (expected chat, completions or none)" \
	"endpoint message" "$TMPD/err"
status 2 "run: unknown endpoint" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --endpoint grpc
has "endpoint" "run names the endpoint key" "$TMPD/err"
printf 'id,model,gpu\n' > "$TMPD/h.csv"
status 2 "missing column" "$TTSIM" validate "$TMPD/h.csv"
has "key 'tp': missing column" "missing column message" "$TMPD/err"
{ printf '%s\n' "$H"; printf 'ok,qwen3-8b,h100_sxm,1,bf16,100,10,1,tpot_ms,5\n'; \
  printf 'bad,qwen3-8b,h100_sxm,3,bf16,100,10,1,tpot_ms,5\n'; \
  printf 'bad2,qwen3-8b,h100_sxm,1,bf16,100,10,1,tpot_ms,x\n'; } > "$TMPD/k.csv"
ok "keep-going" "$TTSIM" validate "$TMPD/k.csv" --keep-going
has "k.csv:3: key 'tp'" "keep-going reports the tp row" "$TMPD/err"
has "k.csv:4: key 'value'" "keep-going reports the value row" "$TMPD/err"
has "^tpot_ms  *1 " "keep-going summarises the good row" "$TMPD/out"
# The serving set (tests/validation/README.md): both parts parse and run (a few check rows
# cannot be simulated yet: --keep-going), grouped by engine family, GPU and metric.
# The line reached on the check part (VALIDATION.md, "Now": 18.8 / 39.0 / 5.3 / 8.8%), rounded
# up: CI holds it, per metric; far from issue 16's targets, which VALIDATION.md says why.
# (TTFT and e2e from 39.4 / 40.6% when BLIS's prompts got the prefix cache they hit; then
# 15.9 / 47.3 / 5.2 / 8.8 with a serial front end that saturated at 20 req/s; the front end
# refitted with its latency and merged outputs: TPOT 42.9 and the p90s of TTFT and e2e from
# 59 / 541% to 44 / 12.5%, but the TTFT median up to 18.8%: the fitted 30 ms latency is
# GPUStack's chat endpoint, which BLIS's completions runs do not pay; with the profile run's
# sampler peak in the memory plan, KV a few percent smaller: TPOT 39.0%. The front end by
# endpoint, each endpoint's fitted on its own fit rows: TTFT 18.8 -> 17.1%, p90 44.1 ->
# 43.1%, e2e 5.3 -> 5.2% on that branch; with the sampler peak beside it 18.5 / 39.0 / 5.2 /
# 8.8%.) The chat endpoint's first-token time (25 ms a request, fitted on the fit part's
# bursts): 18.3 / 36.1 / 5.2 / 8.6%. vLLM V0's step CPU per KV token (issue 16, fitted on
# the fit part; VALIDATION.md, "vLLM V0 on the check part"): output tok/s 8.6 -> 8.2%. The
# TensorRT-LLM rows simulated (trtllm-1, no fitted constant): 18.4 / 33.8 / 5.2 / 8.2%.
# Argonne's A100 (40 GB, Polaris) and GH200 vLLM rows added (tests/validation/README.md,
# "Argonne on A100 and GH200"; nothing fitted): output tok/s 8.2 -> 8.3% over 625 rows.
# vLLM V0's own default budget, max(max_model_len, 2048) with the source model's
# max_model_len (issue 16, models/engines/vllm-v0.yaml defaults.unchunked_max_len): 8.3 ->
# 8.5% over 634 rows (9 more A100 Llama-2-70B TP4 rows simulated: the smaller budget's
# activations leave them room) -> held at 9. The A100 and GH200 profiles' per-step constant
# (uncited 1.8 and 2.0 ms) set to H100's 0.8 ms: TTFT 18.8%, output tok/s 5.6% over 634 rows
# -> held at 19 and 6. vLLM's per-GPU server limits on the GPUStack vLLM rows: TTFT 16.5%
# (32 rows), TPOT 33.8% -> held at 17. A preempted request's blocks found in vLLM V1's prefix
# cache (prefix_caching): TTFT 16.2%. The GPUStack vLLM rows' FlashInfer sampler (their
# images install FlashInfer; vLLM 0.11.0 samples with it: a smaller profile-run peak, a
# larger KV cache): TPOT 33.8 -> 25.6%, p90 61.1 -> 53.5%, but TTFT 16.2 -> 17.6%: the H100
# rows' bursts drain faster with more sequences running, and that node's measured throughput
# is below ttsim's H100 SXM (tok/s +45 to +69% on its 2K, 4K and ShareGPT bursts; VALIDATION.md,
# "Compensating errors") -> held at TTFT 18, TPOT 26. GPUStack's qwen3-14b/a100.md page
# (sources/gpustack/, 45 unseen rows: vLLM, SGLang, TensorRT-LLM on one A100) and fp8 weights
# on the A100 as Marlin W8A16 (models/cost.c lin_gm): TTFT 15.6% over 47 rows, TPOT 23.2%
# over 36, tok/s 5.7% over 649 -> held at 16, 23.5, 6. The A100's measured attention (FA2)
# and TensorRT-LLM's own kernels (attention_trtllm): 15.6 / 23.6 / 5.7% -> TPOT held at 24.
ok "serving check part within the line reached" "$TTSIM" validate tests/validation/serving_check.csv \
	--keep-going --summary-only --max-median-error ttft_ms=16,tpot_ms=24,e2e_s=5.5,output_tok_per_s=6
has "^vllm-v0    h100_sxm   output_tok_per_s  [0-9][0-9][0-9] " "check part: vllm-v0 group" "$TMPD/out"
has "^vllm-v0    gh200      output_tok_per_s   96 " "check part: vllm-v0 GH200 group" "$TMPD/out"
has "^vllm-v0    a100_sxm4_40gb output_tok_per_s  [12][0-9][0-9] " \
	"check part: vllm-v0 A100 40GB group" "$TMPD/out"
has "rows kept but not simulated" "check part: skipped rows counted" "$TMPD/out"
# per engine family over its GPU kinds (the unit of issue 16's targets: a family with 20 rows
# or more of a metric): vLLM V1's 26 TTFT rows on H100 and A100 (15 + 11), V0's 602
has "^per engine family, its GPU kinds pooled" "check part: the family table said" "$TMPD/out"
has "^vllm-v1    all        ttft_ms            26 " "check part: vllm-v1 pooled over H100 and A100" "$TMPD/out"
has "^vllm-v0    all        output_tok_per_s  602 " "check part: vllm-v0 pooled over three GPU kinds" "$TMPD/out"
# each GPU kind's vllm-v0 bias (mean signed %) held at the value reached, rounded up: H100
# +8.0 (issue 16 asks for 5%: not met, TP2/TP4 rows, VALIDATION.md says why); A100 40GB -4.0
# and GH200 +1.8 since their per-step constant is H100's 0.8 ms (were -10.0 and -8.6 with the
# uncited 1.8 and 2.0 ms)
awk '$1 == "vllm-v0" && $3 == "output_tok_per_s" { b = $7 < 0 ? -$7 : $7;
	lim = $2 == "h100_sxm" ? 8.5 : $2 == "gh200" ? 2.5 : 4.5;
	print $2, (b <= lim ? "bias ok" : "bias " $7) }' \
	"$TMPD/out" > "$TMPD/bias"
has "^h100_sxm bias ok" "vllm-v0 H100 bias within 8.5%" "$TMPD/bias"
has "^gh200 bias ok" "vllm-v0 GH200 bias within 2.5%" "$TMPD/bias"
has "^a100_sxm4_40gb bias ok" "vllm-v0 A100 40GB bias within 4.5%" "$TMPD/bias"
status 1 "check part: a tighter line fails" "$TTSIM" validate tests/validation/serving_check.csv \
	--keep-going --summary-only --max-median-error output_tok_per_s=5
has "output_tok_per_s median |error| 5.7% is above" "check part: the failing metric named" "$TMPD/err"
# Argonne beyond H100, per GPU kind (medians reached: GH200 8.3%, A100 40GB 9.3%; 8.1 and
# 8.7% before V0's default budget; 2.9 and 4.7% with H100's per-step constant), and every
# vLLM row of the copied source file in the check part (200 GH200 + 235 A100)
for g in gh200:3 a100:5; do
	{ grep -v '^#' tests/validation/serving_check.csv | head -1
	  grep "^anl_${g%%:*}_" tests/validation/serving_check.csv; } > "$TMPD/anl.csv"
	ok "Argonne ${g%%:*} rows within the line reached" "$TTSIM" validate "$TMPD/anl.csv" \
		--keep-going --summary-only --max-median-error output_tok_per_s=${g#*:}
done
n_src=$(grep -c '^Nvidia \(A100\|GH200\) GPU,[0-9]*,vLLM,' tests/validation/sources/argonne/All_results_nvidia.csv)
n_chk=$(grep -c '^anl_\(a100\|gh200\)_' tests/validation/serving_check.csv)
echo "source $n_src check $n_chk" > "$TMPD/n"
has "^source 435 check 435$" "every A100/GH200 vLLM row of the copy in the check part" "$TMPD/n"
# their Mixtral-8x7B rows (A100 TP4): MoE, simulated in moe_argonne.csv (17.8% reached; 11.8%
# with H100's per-step constant on the A100)
ok "Argonne MoE rows within the line reached" "$TTSIM" validate tests/validation/moe_argonne.csv \
	--keep-going --summary-only --max-median-error output_tok_per_s=12
has "^output_tok_per_s   27 " "all 27 Argonne Mixtral rows simulated" "$TMPD/out"
# TensorRT-LLM's check rows (GPUStack trtllm-serve 1.2.0rc1, Qwen3-32B bursts; issue 16,
# VALIDATION.md "TensorRT-LLM (issue 16)"), simulated with models/engines/trtllm-1.yaml (no
# fitted constant): A100 TTFT 1.0%, TPOT 8.0%, output tok/s 2.7% median -> held at 2, 9, 3;
# all 33 (the H100 page, where vLLM and SGLang miss alike, 53 / 48 / 94%): 48.2 / 23.9 /
# 62.6% -> held at 49, 24, 63. With the qwen3-14b/a100.md page (7 more A100 runs: ShareGPT at
# three step budgets, the 32K/4K/2K/128 bursts), A100 12 rows 3.3 / 14.3 / 5.1% -> held at 3.5,
# 14.5, 5.5; all 18: 6.9 / 22.5 / 11.0% -> held at 7, 23, 11.5. TensorRT-LLM's attention
# timed by its own measured kernels (the profiles' attention_trtllm sections: H100 both
# phases, A100 the prefill; its context attention measures 1.18-1.22x vLLM's FlashAttention
# at the same shapes) and the A100's vLLM attention by its measured FA2 tables: A100
# 4.4 / 17.0 / 6.9% (the FA2 tables alone, TensorRT-LLM timed by them: 6.2 / 15.8 / 6.3%)
# -> held at 4.5, 17.5, 7; all 18: 9.2 / 23.6 / 13.4% -> held at 9.5, 24, 13.5. The earlier
# lines were met with the A100's attention scaled from the H100 fit, which the A100's measured
# tables put 22-32% off (calibration/README.md)
{ grep -v '^#' tests/validation/serving_check.csv | head -1
  grep ',trtllm,' tests/validation/serving_check.csv; } > "$TMPD/trt.csv"
{ head -1 "$TMPD/trt.csv"; grep '^gps_a100_' "$TMPD/trt.csv"; } > "$TMPD/trt_a100.csv"
ok "trtllm A100 check rows within the line reached" "$TTSIM" validate "$TMPD/trt_a100.csv" \
	--summary-only --max-median-error ttft_ms=4.5,tpot_ms=17.5,output_tok_per_s=7
has "^trtllm-1   a100_sxm   ttft_ms  *12 " "trtllm A100 rows simulated" "$TMPD/out"
ok "trtllm check rows within the line reached" "$TTSIM" validate "$TMPD/trt.csv" \
	--summary-only --max-median-error ttft_ms=9.5,tpot_ms=24,output_tok_per_s=13.5
has "^ttft_ms  *18 " "every trtllm check row simulated" "$TMPD/out"
# BLIS's two 20-req/s runs (CodeLlama-34B TP2, Llama-2-70B TP4; vLLM served 4979 and 4875
# tok/s): a front end that queued every streamed token saturated them (TTFT +64,000% and
# +143,000%, the queue growing for the whole 600 s); with merged outputs they are served
{ grep -v '^#' tests/validation/serving_check.csv | head -1
  grep -E '^blis_(codellama-34b-it-hf_tp2|l2-70b-hf_tp4)_general_s1_(ttft|e2e),' \
	tests/validation/serving_check.csv; } > "$TMPD/q20.csv"
ok "the 20 req/s runs are not saturated" "$TTSIM" validate "$TMPD/q20.csv" \
	--max-median-error ttft_ms=30,e2e_s=12
has "^e2e_s  *2 " "both 20 req/s runs simulated" "$TMPD/out"
ok "serving fit part runs" "$TTSIM" validate tests/validation/serving_fit.csv --keep-going --summary-only
has "^vllm-v1    h100_sxm   ttft_ms " "fit part: vllm-v1 group" "$TMPD/out"
# --fit-engine: V0's step CPU block; its front end is not invented (no served V0 fit rows)
ok "fit-engine vllm-v0" "$TTSIM" validate tests/validation/serving_fit.csv --keep-going --fit-engine vllm-v0
has "^  per_seq_s: " "fit-engine prints the step_cpu_extra block" "$TMPD/out"
has "^  per_ctx_token_s: [0-9]" "fit-engine fits the KV-token term (the rows' lengths differ)" "$TMPD/out"
has "^# frontend: not fitted: key 'frontend': 0 served benchmarks" "fit-engine says the front end is not fitted" "$TMPD/out"
# vLLM's per-GPU server limits (VALIDATION.md "Burst TPOT on GPUStack", item 4): the GPUStack
# vLLM rows of each part (30 a part) carry them; --without-server-limits DIR writes the set as
# it was before into a directory it makes, none of them there
grep -c '^gps_a100_vllm_.*,256,2048,' tests/validation/serving_check.csv > "$TMPD/n_a100"
grep -c '^gps_h100_vllm_.*,1024,8192,' tests/validation/serving_fit.csv > "$TMPD/n_h100"
has "^36$" "the 36 A100 check rows at 256 / 2048 (15 of qwen3-32b/a100.md, 21 of qwen3-14b/a100.md)" "$TMPD/n_a100"
has "^30$" "the 30 H100 fit rows (8B and 14B pages) at 1024 / 8192" "$TMPD/n_h100"
ok "converter: --without-server-limits" python3 tests/validation/convert_serving.py \
	--without-server-limits "$TMPD/before/limits"
grep -c '^gps_.*_vllm_.*,\(256,2048\|1024,8192\),' "$TMPD/before/limits/serving_check.csv" > "$TMPD/n_before"
has "^0$" "the set before: no row carries them" "$TMPD/n_before"
status 2 "fit-engine refuses the check part" "$TTSIM" validate tests/validation/serving_check.csv --keep-going --fit-engine vllm-v1
has "the check part is never fitted" "check part refusal names why" "$TMPD/err"

# engine profiles (models/engines/): by name, and an unknown one refused with its key
ok "run --engine vllm-v0" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 64 --output-len 8 --requests 4 --engine vllm-v0
status 2 "unknown engine profile" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --requests 4 --engine nosuch
has "key 'engine'" "unknown engine names its key" "$TMPD/err"
has "known: sglang-0.5, trtllm-1, vllm-v0, vllm-v1" "unknown engine lists the embedded ones" "$TMPD/err"
# embedded in the binary: validate gives the same from another directory (the vllm-v0 and
# vllm-v1 groups, whose profiles it applies; rows whose model is a config.json path
# relative to the repository are left out)
ROOT=$(pwd)
grep -v ",tests/validation/configs/" tests/validation/serving_fit.csv > "$TMPD/sub.csv"
"$TTSIM" validate "$TMPD/sub.csv" --keep-going --summary-only > "$TMPD/here" 2>/dev/null
ok "validate from another directory" sh -c "cd '$TMPD' && '$TTSIM' validate sub.csv --keep-going --summary-only"
cp "$TMPD/out" "$TMPD/there"
ok "same groups from another directory" cmp "$TMPD/there" "$TMPD/here"
has "^vllm-v0    h100_sxm   output_tok_per_s  *[0-9]" "the V0 profile applied there" "$TMPD/there"
has "^vllm-v1    h100_sxm   ttft_ms  *[0-9]" "the V1 profile applied there" "$TMPD/there"
# run --engine applies the engine's defaults unless the run sets them: vllm-v0 has chunked
# prefill off (at a context of 32K or less), so a 9000-token prompt over an 8192-token
# budget is refused, and runs when the run turns chunked prefill on itself (and without the
# engine: ttsim's default, on)
status 2 "run --engine vllm-v0: its chunked_prefill default applies" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 9000 --output-len 4 --requests 2 --max-num-batched-tokens 8192 --engine vllm-v0 --max-model-len 32768
has "key 'max_num_batched_tokens'.*chunked_prefill off" "refusal says why" "$TMPD/err"
ok "run --engine vllm-v0 --chunked-prefill true: the run's setting wins" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 9000 --output-len 4 --requests 2 --max-num-batched-tokens 8192 --engine vllm-v0 --chunked-prefill true
ok "the same without the engine" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 9000 --output-len 4 --requests 2 --max-num-batched-tokens 8192
# ... and with no budget given, vllm-v0 takes V0's own, max(max_model_len, 2048): a
# max_model_len of 20000 holds the prompt; one of 4096 is below the prompt itself, which
# vLLM refuses before any budget (so V0's budget, never below max_model_len, always holds
# a prompt it admits); over 32K (qwen3-8b's own 40960) vLLM since PR #6666 (July 2024)
# turns chunked prefill on with a 512-token budget
ok "run --engine vllm-v0 --max-model-len 20000: V0's budget 20000" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 9000 --output-len 4 --requests 2 --engine vllm-v0 --max-model-len 20000
status 2 "run --engine vllm-v0 --max-model-len 4096: V0's budget 4096" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 9000 --output-len 4 --requests 2 --engine vllm-v0 --max-model-len 4096
has "key 'input_len': prompts of 9000 tokens reach the max length 4096 of 'Qwen/Qwen3-8B' (max_model_len" "a prompt past max_model_len is refused" "$TMPD/err"
ok "run --engine vllm-v0 over 32K: chunked at 512" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 9000 --output-len 4 --requests 2 --engine vllm-v0 --format json
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; print("budget", c["max_num_batched_tokens"], "chunked", c["chunked_prefill"])' "$TMPD/out" > "$TMPD/lc"
has "^budget 512 chunked True$" "the long-context rule's budget and chunking" "$TMPD/lc"
# run --engine vllm-v1 applies its front end: TTFT and e2e grow by the streaming
"$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 64 --output-len 8 --requests 1 --format json > "$TMPD/nofe.json"
ok "run --engine vllm-v1" "$TTSIM" run --model qwen3-8b --gpu h100_sxm --input-len 64 --output-len 8 --requests 1 --format json --engine vllm-v1
python3 - "$TMPD/nofe.json" "$TMPD/out" > "$TMPD/fe" <<'PY'
import json, sys
a, b = (json.load(open(f))["summary"] for f in sys.argv[1:3])
print("later" if b["ttft_ms"]["mean"] > a["ttft_ms"]["mean"] and b["e2e_s"]["mean"] > a["e2e_s"]["mean"] else "same")
PY
has "^later$" "the vllm-v1 front end shows in TTFT and e2e" "$TMPD/fe"

status 2 "bad per-metric limit" "$TTSIM" validate tests/validation/dev.csv --max-median-error nope=3
# a speculative row with a tree (spec_tree TOPK/TOKENS): the run it describes validates at 0%
"$TTSIM" run --model llama-3.1-8b-instruct --gpu h100_sxm --input-len 128 --output-len 64 \
	--concurrency 1 --requests 20 --spec-draft eagle3 --spec-k 4 --spec-acceptance-length 3 \
	--spec-tree-topk 4 --spec-tree-tokens 16 --format json > "$TMPD/tree.json"
python3 - "$TMPD/tree.json" > "$TMPD/tree.csv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print("id,model,gpu,tp,dtype,input_len,output_len,concurrency,metric,value,num_prompts,spec_draft,spec_k,spec_acceptance_length,spec_tree")
print("tree,llama-3.1-8b-instruct,h100_sxm,1,bf16,128,64,1,tpot_ms,%.17g,20,eagle3,4,3,4/16" % s["tpot_ms"]["mean"])
PY
ok "a tree row validates at 0%" "$TTSIM" validate "$TMPD/tree.csv" --max-median-error 0.000001
sed 's#,4/16$#,4/9999#' "$TMPD/tree.csv" > "$TMPD/tree_bad.csv"
status 2 "a tree row of a bad size" "$TTSIM" validate "$TMPD/tree_bad.csv"
sed 's#,4/16$#,4x16#' "$TMPD/tree.csv" > "$TMPD/tree_bad2.csv"
status 2 "a tree row not TOPK/TOKENS" "$TTSIM" validate "$TMPD/tree_bad2.csv"
has "spec_tree" "the error names the column" "$TMPD/err"
# (TPOT 32.5% before the A100 took H100's 0.8 ms per-step constant: 37.4%; an eager run on an
# A100 host whose per-op dispatch time is H100's x86 fit, models/profiles/a100_sxm.yaml)
ok "the int4 set: one AWQ run, TTFT 12.2%, TPOT 34.1% (eager vLLM, enforce_eager column; GPU-bound in ttsim; vLLM's A100 budget of 2048 tokens; the A100's measured FA2 attention: 14.3 / 37.4% before)" "$TTSIM" validate tests/validation/quant.csv --max-median-error ttft_ms=12.5,tpot_ms=34.5
# the eager set (issues 16, 19): SGLang batch-1 pairs with and without CUDA graphs; median 5.2%
ok "the eager set within the line reached" "$TTSIM" validate tests/validation/eager.csv --max-median-error tpot_ms=5.5
status 1 "eager set: a tighter line fails" "$TTSIM" validate tests/validation/eager.csv --max-median-error tpot_ms=4
"$TTSIM" validate tests/validation/eager.csv --format json > "$TMPD/eager.json"
python3 - "$TMPD/eager.json" > "$TMPD/eager_pairs" <<'PY'
import json, sys
rows = {r["id"]: r["predicted"] for r in json.load(open(sys.argv[1]))["rows"]}
for b in ("flashinfer", "triton"):
    e = rows["sglang1401_llama3_8b_h100_%s_eager%s" % (b, "_fit" if b == "flashinfer" else "")]
    g = rows["sglang1401_llama3_8b_h100_%s_graph" % b]
    print("%s eager/graph %.3f" % (b, e / g))
PY
has "flashinfer eager/graph 1.2" "eager costs more than graphs at batch 1 (host-bound)" "$TMPD/eager_pairs"
sed 's#,none,true,sglang,#,none,maybe,sglang,#' tests/validation/eager.csv > "$TMPD/eager_bad.csv"
status 2 "an enforce_eager that is not true or false" "$TTSIM" validate "$TMPD/eager_bad.csv"
has "key 'enforce_eager': expected true or false" "the error names the column" "$TMPD/err"
{ grep -v '^#' tests/validation/moe_serving.csv | head -1
  grep ',chat,true,true,vllm,' tests/validation/moe_serving.csv | head -1 | sed 's#,chat,true,true,vllm,#,chat,sometimes,true,vllm,#'; } > "$TMPD/async_bad.csv"
status 2 "an async_scheduling that is not true or false" "$TTSIM" validate "$TMPD/async_bad.csv"
has "key 'async_scheduling': expected true or false" "the error names the column" "$TMPD/err"
has "async_bad.csv:2" "and the line" "$TMPD/err"
{ grep -v '^#' tests/validation/moe_serving.csv | head -1
  grep ',chat,,true,vllm,' tests/validation/moe_serving.csv | head -1 | sed 's#,chat,,true,vllm,#,chat,,yes,vllm,#'; } > "$TMPD/fi_bad.csv"
status 2 "a flashinfer_sampler that is not true or false" "$TTSIM" validate "$TMPD/fi_bad.csv"
has "fi_bad.csv:2: key 'flashinfer_sampler': expected true or false" "the error names the line and column" "$TMPD/err"
# the FlashInfer sampler's smaller profile-run peak: a larger KV cache, the same model
# (Qwen3-32B on an H100 at vLLM's 1024 sequences: 1024 x 151,936 x (28 - 14) bytes more)
kvfi() { "$TTSIM" run --model qwen3-32b --gpu h100_sxm --max-num-seqs 1024 --requests 1 --format json "$@" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["memory"]["available_kv_cache_memory_gib"])'; }
ok "FlashInfer's sampler leaves 14 bytes a logit more to the KV cache" awk -v a="$(kvfi)" -v b="$(kvfi --flashinfer-sampler true)" \
	'BEGIN { d = (b - a) * 2^30; exit !(d > 0.999 * 1024 * 151936 * 14 && d < 1.001 * 1024 * 151936 * 14) }'
finish
