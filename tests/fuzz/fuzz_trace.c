/* fuzz_trace.c: trace JSONL (trace_parse). */
#include "tests/fuzz/fuzz.h"
#include "traces/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace t;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (trace_parse(&t, (const char *)data, size, "fuzz.jsonl") == 0) {
		(void)trace_total_samples(&t);
		trace_release(&t);
	}
	return 0;
}
