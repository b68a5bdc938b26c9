/* fuzz_calib_raw.c: the raw calibration CSVs that `ttsim calibrate fit` reads (raw_parse).
 * The first byte picks the family (its value modulo the number of families); the rest is
 * the file. */
#include "tests/fuzz/fuzz.h"
#include "calibration/raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct raw_set rs;
	char *text;
	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	text = fuzz_text(data + 1, size - 1);
	raw_set_init(&rs);
	raw_parse(&rs, (enum raw_family)(data[0] % RAW_NFAMILY), text, "raw.csv", 0);
	raw_set_release(&rs);
	free(text);
	return 0;
}
