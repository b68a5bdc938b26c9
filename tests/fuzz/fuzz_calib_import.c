/* fuzz_calib_import.c: the public measurement tables of `ttsim calibrate import`
 * (import_text, the text half of import_file). The first byte picks the kind: 'v' vidur,
 * 'n' nccl-tests, anything else aiconfigurator; the rest is the file. */
#include "calibration/calib_import.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct raw_set rs;
	struct import_options o = {"h100_sxm", NULL};
	const char *kind = "aiconfigurator", *path = "aic.csv";
	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	if (data[0] == 'v') {
		kind = "vidur";
		path = "h100_meta-llama_Llama-2-7b-hf__mlp.csv"; /* the model label comes from here */
	} else if (data[0] == 'n') {
		kind = "nccl-tests";
		path = "all_reduce_perf.txt";
	}
	raw_set_init(&rs);
	import_text(&rs, kind, (const char *)data + 1, size - 1, path, &o);
	raw_set_release(&rs);
	return 0;
}
