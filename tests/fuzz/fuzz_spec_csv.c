/* fuzz_spec_csv.c: speculative-decoding acceptance CSV (spec_acceptance_load). */
#include "fuzz.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_setup sp;
	const char *path;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	memset(&sp, 0, sizeof(sp));
	sp.k = 4;
	if ((path = fuzz_file(data, size, ".csv")))
		spec_acceptance_load(&sp, path);
	return 0;
}
