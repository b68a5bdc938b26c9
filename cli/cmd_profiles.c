/* cmd_profiles.c: `ttsim profiles [NAME]`, the shipped hardware profiles, and
 * `ttsim profiles --schema`, the keys a profile holds (models/profile.c's table). */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "lib/assets.h"
#include "cli/cli.h"
#include "cli/cmd.h"
#include "models/profile.h"
#include "lib/util.h"

static const struct cli_words words = {
	.usage = "usage: ttsim profiles [NAME|PATH]\n"
		 "       ttsim profiles --schema [--format table|markdown|json]\n\n"
		 "Without NAME, list the shipped hardware profiles (GPU, HBM, bandwidth, bf16 peak).\n"
		 "With NAME (a shipped profile) print its YAML with the source of every number;\n"
		 "with a PATH, check the file and print it as ttsim reads it.\n"
		 "--schema prints every key a profile holds: unit, range, required or optional,\n"
		 "the SM count it needs, and its meaning (equations: models/profile.h); markdown\n"
		 "is the table of models/profiles/README.md.\n",
	.usage_on_error = 0, /* one line on error, as every command (the usage: --help) */
	.unknown = "profiles: expected at most one NAME, or --schema [--format F], got '%s'",
};

/* One schema row as the table names it: all-reduce keys as allreduce[].KEY */
struct srow {
	char key[64], range[64], needs[32];
	const struct profile_key *k;
};

static void srow_init(struct srow *r, const struct profile_key *k, int ar)
{
	r->k = k;
	snprintf(r->key, sizeof(r->key), "%s%s", ar ? "allreduce[]." : "", k->key);
	profile_key_range(k, r->range, sizeof(r->range));
	r->needs[0] = 0;
	if (k->flags & PROFILE_SMS)
		profile_key_sms(k, r->needs, sizeof(r->needs));
}

static void print_row(const struct srow *r, const char *fmt, cJSON *arr)
{
	const char *req = r->k->flags & PROFILE_OPT ? "optional" : "required";
	if (!strcmp(fmt, "markdown")) {
		printf("| `%s` | %s | %s | %s | %s | %s |\n", r->key, r->k->unit, r->range, req,
		       r->needs[0] ? r->needs : "", r->k->meaning);
	} else if (!strcmp(fmt, "json")) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", r->key);
		cJSON_AddStringToObject(o, "unit", r->k->unit);
		cJSON_AddStringToObject(o, "range", r->range);
		cJSON_AddBoolToObject(o, "required", !(r->k->flags & PROFILE_OPT));
		if (r->needs[0])
			cJSON_AddStringToObject(o, "needs", r->needs);
		else
			cJSON_AddNullToObject(o, "needs");
		cJSON_AddStringToObject(o, "meaning", r->k->meaning);
		cJSON_AddItemToArray(arr, o);
	} else {
		printf("%-32s %-9s %-16s %-8s %-13s %s\n", r->key, r->k->unit, r->range, req,
		       r->needs[0] ? r->needs : "-", r->k->meaning);
	}
}

/* Every key in file order, the all-reduce entry's keys where the list stands. */
static void print_schema(const char *fmt)
{
	size_t nk, nar;
	const struct profile_key *k = profile_keys(&nk), *ak = profile_ar_keys(&nar);
	cJSON *arr = !strcmp(fmt, "json") ? cJSON_CreateArray() : NULL;
	struct srow r;

	if (!strcmp(fmt, "markdown"))
		printf("| key | unit | range | required | needs | meaning |\n|---|---|---|---|---|---|\n");
	else if (!arr)
		printf("%-32s %-9s %-16s %-8s %-13s %s\n", "key", "unit", "range", "required",
		       "needs", "meaning");
	for (size_t i = 0; i < nk; i++) {
		srow_init(&r, &k[i], 0);
		print_row(&r, fmt, arr);
		for (size_t j = 0; k[i].type == PROFILE_LIST && j < nar; j++) {
			srow_init(&r, &ak[j], 1);
			print_row(&r, fmt, arr);
		}
	}
	if (arr)
		cli_print_json(arr);
}

int cmd_profiles(int argc, char **argv)
{
	struct profile p;
	const char *name = NULL, *format = NULL;
	int schema = 0;
	const struct flag fl[] = {
		{"--schema", FLAG_SWITCH, NULL, &schema, "the keys a profile holds"},
		{"--format", FLAG_VALUE, &format, NULL, "with --schema: table, markdown or json"},
		{0},
	};

	if (cli_parse_flags(fl, argc, argv, &name, 1, &words) == FLAGS_HELP)
		return EXIT_OK;
	if (format && !schema)
		die("profiles: option '--format': expected with --schema");
	if (schema) {
		if (name)
			die("profiles: expected --schema or a NAME, got both");
		if (!format)
			format = "table";
		if (strcmp(format, "table") && strcmp(format, "markdown") && strcmp(format, "json"))
			die("profiles: key 'format': expected table, markdown or json, got '%s'", format);
		print_schema(format);
		return EXIT_OK;
	}
	if (name) {
		char path[256];
		const struct asset *a;
		if (profile_load(&p, name))
			die_err();
		snprintf(path, sizeof(path), "models/profiles/%s.yaml", name);
		a = strchr(name, '/') ? NULL : asset_find(path);
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
