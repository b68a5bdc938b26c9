/* fuzz_trace_import.c: generation logs of `ttsim trace import jsonl` (import_jsonl_text, the text
 * half of import_jsonl). */
#include "tests/fuzz/fuzz.h"
#include "traces/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts io = {0};
	struct trace t;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	io.max_tokens = 1 << 20;
	if (import_jsonl_text(&t, (const char *)data, size, "fuzz.jsonl", &io) == 0)
		trace_release(&t);
	return 0;
}
