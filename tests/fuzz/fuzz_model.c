/* fuzz_model.c: Hugging Face config.json (model_from_json, then model_validate). */
#include "tests/fuzz/fuzz.h"
#include "models/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m;
	char *text;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	text = fuzz_text(data, size);
	memset(&m, 0, sizeof(m));
	if (model_from_json(&m, text, "fuzz.json") == 0 && model_validate(&m) == 0)
		for (int tp = 1; tp <= 8; tp *= 2)
			if (model_check_tp(&m, tp) == 0) {
				(void)model_params(&m);
				(void)model_kv_bytes_per_token(&m, tp);
			}
	free(text);
	return 0;
}
