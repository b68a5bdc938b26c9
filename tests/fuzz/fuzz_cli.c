/* fuzz_cli.c: the command-line parser of `ttsim run` (run_parse_args, then config_check).
 * The input is split into arguments at NUL bytes and newlines. A first argument that is not
 * a flag would be opened as an experiment file; the fuzzer gets no say over file names, so
 * such inputs are skipped (the YAML is fuzzed by fuzz_experiment). */
#include "cli/cmd.h"
#include "sim/config.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *argv[MAX_ARGS + 2], name[] = "run";
	int argc = 1;
	struct run_config c;
	struct run_args a;
	if (size > 4096)
		return 0;
	text = fuzz_text(data, size);
	argv[0] = name;
	for (char *p = text; argc <= MAX_ARGS && p < text + size;) {
		size_t n = strcspn(p, "\n");
		p[n] = 0;
		argv[argc++] = p;
		p += n + 1;
	}
	argv[argc] = NULL;
	if (argc >= 2 && argv[1][0] != '-') {
		free(text);
		return 0;
	}
	if (run_parse_args(argc, argv, &c, &a) == 0)
		config_check(&c);
	free(text);
	return 0;
}
