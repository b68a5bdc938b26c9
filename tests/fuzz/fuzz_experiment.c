/* fuzz_experiment.c: experiment YAML (config_load_yaml_text, then the cross-field checks). */
#include "sim/config.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_config c;
	int has_sweep = 0;
	if (size > FUZZ_MAX_INPUT)
		return 0;
	config_defaults(&c);
	if (config_load_yaml_text(&c, (const char *)data, size, "fuzz.yaml", &has_sweep) == 0)
		config_check(&c);
	return 0;
}
