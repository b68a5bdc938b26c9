/* fuzz_profile.c: hardware profile YAML (profile_parse, then profile_validate). */
#include "tests/fuzz/fuzz.h"
#include "models/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct profile p; /* large: keep it off the stack */
	if (size > FUZZ_MAX_INPUT)
		return 0;
	memset(&p, 0, sizeof(p));
	if (profile_parse(&p, (const char *)data, size, "fuzz.yaml") == 0)
		profile_validate(&p, "fuzz.yaml");
	return 0;
}
