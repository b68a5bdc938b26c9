/*
 * test_config.c: the option table. Setting options by name checks types and bounds; the
 * accuracy model's options fill the struct that traces/tts.c takes. And the flag tables
 * of the commands (lib/flags.c): both flag forms, switches, lists, positionals, each error
 * rule.
 */
#include "sim/config.h"
#include "tests/test.h"
#include "lib/flags.h"
#include "lib/util.h"

static void test_flags(void)
{
	const char *model = NULL, *fmt = "table", *pos[2];
	int all = 0, n;
	const struct flag fl[] = {
		{"--model", FLAG_VALUE, &model, NULL, "a model"},
		{"--format", FLAG_VALUE, &fmt, NULL, "table or json"},
		{"--all", FLAG_SWITCH, NULL, &all, "every one"},
		{"-o", FLAG_VALUE, NULL, NULL, NULL},
		{0},
	};
	struct flags_error e;
	static char a0[] = "cmd", a1[] = "--model", a2[] = "m1", a3[] = "x", a4[] = "--format=json",
		    a5[] = "--all", a6[] = "-", a7[] = "y", a8[] = "--bogus", a9[] = "--all=1",
		    a10[] = "--help";
	char *v1[] = {a0, a1, a2, a3, a4, a5, a6};
	n = flags_parse(fl, 7, v1, pos, 2, &e);
	CHECK_INT(n, 2);
	CHECK_STR(model, "m1");
	CHECK_STR(fmt, "json");
	CHECK_INT(all, 1);
	CHECK_STR(pos[0], "x");
	CHECK_STR(pos[1], "-"); /* "-" alone is a positional (standard input) */
	char *v2[] = {a0, a3, a7, a6};
	CHECK_INT(flags_parse(fl, 4, v2, pos, 2, &e), -1);
	CHECK_INT(e.rule, FLAGS_EXTRA);
	CHECK_STR(e.arg, "-");
	char *v3[] = {a0, a8, a2};
	CHECK_INT(flags_parse(fl, 3, v3, pos, 2, &e), -1);
	CHECK_INT(e.rule, FLAGS_UNKNOWN);
	CHECK_STR(err_msg(), "unknown flag '--bogus'");
	char *v4[] = {a0, a3, a1};
	CHECK_INT(flags_parse(fl, 3, v4, pos, 2, &e), -1);
	CHECK_INT(e.rule, FLAGS_NO_VALUE);
	CHECK(e.fl == &fl[0]);
	char *v5[] = {a0, a9};
	CHECK_INT(flags_parse(fl, 2, v5, pos, 2, &e), -1);
	CHECK_INT(e.rule, FLAGS_UNKNOWN);
	char *v6[] = {a0, a8, a10};
	CHECK_INT(flags_parse(fl, 3, v6, pos, 2, &e), FLAGS_HELP);
	/* a list keeps every value, in order, in both forms */
	const char *notes[4];
	int n_notes = 0;
	const struct flag fl_list[] = {{"--note", FLAG_LIST, notes, &n_notes, NULL}, {0}};
	static char l1[] = "--note", l2[] = "a=1", l3[] = "--note=b=2";
	char *v7[] = {a0, l1, l2, l3};
	CHECK_INT(flags_parse(fl_list, 4, v7, pos, 0, &e), 0);
	CHECK_INT(n_notes, 2);
	CHECK_STR(notes[0], "a=1");
	CHECK_STR(notes[1], "b=2");
	char name[8];
	const char *val;
	CHECK_INT(flags_split("--max-num-seqs=8", name, sizeof(name), &val), 0);
	CHECK_STR(name, "--max-n"); /* cut to the buffer */
	CHECK_STR(val, "8");
	CHECK_INT(flags_split("-o", name, sizeof(name), &val), -1);
	CHECK_INT(flags_split("--tp", name, sizeof(name), &val), 0);
	CHECK(val == NULL);
}

int main(void)
{
	test_flags();
	struct run_config c;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "tts_rm_accuracy", "0.7", "--tts-rm-accuracy"), 0);
	CHECK_NEAR(c.tts.rm_accuracy, 0.7, 0);

	CHECK_INT(config_set(&c, "tp", "4", "--tp"), 0);
	CHECK_INT(c.tp, 4);
	CHECK_INT(config_set(&c, "tp", "four", "--tp"), -1);
	CHECK_STR(err_msg(), "--tp: key 'tp': expected an integer, got 'four'");
	CHECK_INT(config_set(&c, "gpu_memory_utilization", "1.5", "x.yaml:3"), -1);
	CHECK(strstr(err_msg(), "x.yaml:3: key 'gpu_memory_utilization': 1.5 is out of range") == err_msg());
	CHECK_INT(config_set(&c, "vote", "plurality", "--vote"), -1);
	CHECK(strstr(err_msg(), "expected one of none, majority, best, pass") != NULL);
	CHECK_INT(config_set(&c, "no_such", "1", "--no-such"), -1);
	CHECK_INT(config_set(&c, "early_stop", "yes", "--early-stop"), 0);
	CHECK_INT(c.tts.early_stop, 1);
	/* a key given twice is refused at its second line (libyaml keeps both pairs) */
	const char *dup = "schema_version: 1\ntp: 2\n# again\ntp: 4\n";
	CHECK_INT(config_load_yaml_text(&c, dup, strlen(dup), "d.yaml", NULL), -1);
	CHECK_STR(err_msg(), "d.yaml:4: key 'tp': given twice (expected once)");
	const char *bad = "schema_version: 1\ntp: [2\n";
	CHECK_INT(config_load_yaml_text(&c, bad, strlen(bad), "b.yaml", NULL), -1);
	CHECK(strstr(err_msg(), "b.yaml:3: malformed YAML: ") == err_msg());
	CHECK(strstr(err_msg(), "(expected key: value lines)") != NULL);
	const char *ok = "schema_version: 1\ntp: 2\nsweep:\n  tp: [1, 2]\n";
	int has_sweep = 0;
	CHECK_INT(config_load_yaml_text(&c, ok, strlen(ok), "o.yaml", &has_sweep), 0);
	CHECK_INT(has_sweep, 1);
	c.max_num_batched_tokens = 100;
	c.max_num_seqs = 256;
	CHECK_INT(config_check(&c), -1);
	return TEST_REPORT();
}
