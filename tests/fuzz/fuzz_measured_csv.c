/* fuzz_measured_csv.c: measured-run CSV of `ttsim validate` (vset_parse_csv). */
#include "tests/fuzz/fuzz.h"
#include "experiments/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vset s = {0};
	int n_bad = 0;
	char *text;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	text = fuzz_text(data, size);
	vset_parse_csv(&s, text, "fuzz.csv", &n_bad);
	for (size_t i = 0; i < s.n; i++)
		(void)validate_requests(&s.rows[i]);
	vset_release(&s);
	free(text);
	return 0;
}
