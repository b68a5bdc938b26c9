/* fuzz_trace_per_sample.c: the per-sample CSV of `ttsim trace import per-sample`
 * (import_per_sample_text, no problem table). */
#include "tests/fuzz/fuzz.h"
#include "traces/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts io = {0};
	struct trace t;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	io.max_tokens = 1 << 20;
	io.model = "fuzz";
	if (import_per_sample_text(&t, (const char *)data, size, "fuzz.csv", &io) == 0)
		trace_release(&t);
	return 0;
}
