/* cmd_profiles.c: `ttsim profiles [NAME]`, the shipped hardware profiles. */
#include <stdio.h>
#include <string.h>

#include "lib/assets.h"
#include "cli/cmd.h"
#include "models/profile.h"
#include "lib/util.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ttsim profiles [NAME|PATH]\n\n"
		   "Without NAME, list the shipped hardware profiles (GPU, HBM, bandwidth, bf16 peak).\n"
		   "With NAME (a shipped profile) print its YAML with the source of every number;\n"
		   "with a PATH, check the file and print it as ttsim reads it.\n");
}

int cmd_profiles(int argc, char **argv)
{
	struct profile p;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		usage(stderr);
		die("profiles: expected at most one NAME, got '%s'", argv[argc - 1]);
	}
	if (argc == 2) {
		char path[256];
		const struct asset *a;
		if (profile_load(&p, argv[1]))
			die_err();
		snprintf(path, sizeof(path), "models/profiles/%s.yaml", argv[1]);
		a = strchr(argv[1], '/') ? NULL : asset_find(path);
		if (a)
			fwrite(a->data, 1, a->len, stdout);
		else if (profile_write(&p, stdout))
			die_err();
		return EXIT_OK;
	}
	printf("%-10s %-28s %-16s %8s %9s %10s %5s\n", "name", "gpu", "topology", "hbm_GiB",
	       "hbm_TB/s", "bf16_TF/s", "gpus");
	for (size_t i = 0; i < profile_builtin_count(); i++) {
		if (profile_load(&p, profile_builtin_name(i)))
			die_err();
		printf("%-10s %-28s %-16s %8.1f %9.3f %10.0f %5d\n", p.name, p.gpu, p.topology,
		       p.hbm_bytes / (1024.0 * 1024 * 1024), p.hbm_bw / 1e12, p.gemm_bf16.peak / 1e12,
		       p.gpus_per_node);
	}
	return EXIT_OK;
}
