/* fuzz_engine_profile.c: engine profile YAML (engine_profile_parse), then what a parsed one
 * is used for: written back (engine_profile_write) and read again, which must parse, and
 * its limits resolved for each GPU class and usage. */
#include "tests/fuzz/fuzz.h"
#include "lib/util.h"
#include "models/engine_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_profile e, f;
	struct sbuf sb = {0};
	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (engine_profile_parse(&e, (const char *)data, size, "fuzz.yaml") < 0)
		return 0;
	for (int large = 0; large < 2; large++)
		for (int offline = 0; offline < 2; offline++)
			(void)engine_profile_limits(&e, large, offline);
	(void)engine_profile_large_gpu(&e, 80e9, "h100_sxm", "NVIDIA H100 SXM5 80GB");
	engine_profile_write(&e, &sb, NULL, NULL);
	if (engine_profile_parse(&f, sb.buf, sb.len, "written.yaml") < 0)
		__builtin_trap(); /* what it wrote it must read */
	sbuf_release(&sb);
	return 0;
}
