/* fuzz_vllm_bench.c: the JSON of `vllm bench serve --save-result`, both as a measured run
 * of `ttsim validate` (vset_parse_vllm_json) and as `ttsim trace import vllm-bench`. */
#include "tests/fuzz/fuzz.h"
#include "traces/import.h"
#include "experiments/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vset s = {0};
	struct vdefaults d = {"h100_sxm", 1, "bf16"};
	struct import_opts io = {0};
	struct trace t;
	int n_bad = 0;
	char *text;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	text = fuzz_text(data, size);
	vset_parse_vllm_json(&s, text, "fuzz.json", &d, &n_bad);
	vset_release(&s);
	io.gpu = "h100_sxm";
	io.tp = 1;
	io.max_tokens = 1 << 20;
	if (import_vllm_bench_text(&t, text, size, "fuzz.json", &io) == 0)
		trace_release(&t);
	free(text);
	return 0;
}
