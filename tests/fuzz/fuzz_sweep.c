/* fuzz_sweep.c: experiment YAML with a sweep block (sweep_load_text), then the first and
 * last point's configuration and label. */
#include "tests/fuzz/fuzz.h"
#include "experiments/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sweep s; /* large: keep it off the stack */
	if (size > FUZZ_MAX_INPUT)
		return 0;
	memset(&s, 0, sizeof(s));
	if (sweep_load_text(&s, (const char *)data, size, "fuzz.yaml") == 0) {
		struct run_config c;
		struct sbuf sb = {0};
		sweep_point_config(&s, 0, &c);
		sweep_point_config(&s, s.n_points - 1, &c);
		sweep_point_label(&s, s.n_points - 1, &sb);
		sweep_csv_header(&s, &sb);
		sbuf_release(&sb);
	}
	sweep_release(&s);
	return 0;
}
