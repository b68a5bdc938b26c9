/* fuzz_spec_csv.c: speculative-decoding acceptance CSV (spec_acceptance_parse, the text
 * half of spec_acceptance_load). */
#include "tests/fuzz/fuzz.h"
#include "sim/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_setup sp;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	memset(&sp, 0, sizeof(sp));
	sp.k = 4;
	spec_acceptance_parse(&sp, (const char *)data, size, "fuzz.csv");
	return 0;
}
