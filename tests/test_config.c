/*
 * test_config.c: the option table. Setting options by name checks types and bounds; the
 * accuracy model's options fill the struct that traces/tts.c takes. And the flag tables
 * of the commands (lib/flags.c): both flag forms, switches, lists, positionals, each error
 * rule. The arrival rule of files, sweeps and flags, and the resolved config.yaml's round trip.
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

/* Load an experiment text on defaults: the rc, and c holds the result. */
static int load(struct run_config *c, const char *text)
{
	config_defaults(c);
	return config_load_yaml_text(c, text, strlen(text), "e.yaml", NULL);
}

/* issue 14: a file's `concurrency:` or `rate:` without `arrival:` ran offline; the keys now
 * follow the rule of the flags (config_resolve_arrival), and a contradiction is refused */
static void test_arrival_rule(void)
{
	struct run_config c;
	struct config_layer l = {0};

	CHECK_INT(load(&c, "schema_version: 1\nconcurrency: 1\n"), 0);
	CHECK_INT(c.arrival, ARR_CLOSED);
	CHECK_INT(load(&c, "schema_version: 1\nrate: 2.5\n"), 0);
	CHECK_INT(c.arrival, ARR_POISSON);
	CHECK_INT(load(&c, "schema_version: 1\n"), 0);
	CHECK_INT(c.arrival, ARR_OFFLINE);
	CHECK_INT(load(&c, "schema_version: 1\narrival: closed\nconcurrency: 3\n"), 0);
	CHECK_INT(c.arrival, ARR_CLOSED);
	CHECK_INT(load(&c, "schema_version: 1\narrival: offline\nrate: 5\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:3: key 'rate': given with arrival 'offline'") == err_msg());
	CHECK_INT(load(&c, "schema_version: 1\nrate: 5\narrival: closed\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:2: key 'rate': given with arrival 'closed'") == err_msg());
	CHECK_INT(load(&c, "schema_version: 1\narrival: poisson\nconcurrency: 4\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:3: key 'concurrency': given with arrival 'poisson'") ==
	      err_msg());
	CHECK_INT(load(&c, "schema_version: 1\nrate: 5\nconcurrency: 4\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:3: key 'concurrency': given with a rate") == err_msg());
	/* a sweep's axes are keys of the file: sweeping the rate means Poisson arrivals, so a
	 * file that sets another arrival contradicts it; a swept arrival names its own */
	CHECK_INT(load(&c, "schema_version: 1\narrival: closed\nsweep:\n  rate: [1, 2]\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:4: key 'rate': given with arrival 'closed'") == err_msg());
	CHECK_INT(load(&c, "schema_version: 1\nconcurrency: 2\nsweep:\n  rate: [1, 2]\n"), -1);
	CHECK_INT(load(&c, "schema_version: 1\nconcurrency: 1\nsweep:\n  arrival: [closed, offline]\n"), 0);
	CHECK_INT(load(&c, "schema_version: 1\narrival: poisson\nsweep:\n  concurrency: [1, 2]\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:4: key 'concurrency': given with arrival 'poisson'") ==
	      err_msg());
	/* replications are one configuration's seeds: a sweep would ignore them */
	CHECK_INT(load(&c, "schema_version: 1\nreplications: 3\nsweep:\n  tp: [1, 2]\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:2: key 'replications': a sweep runs each point once") ==
	      err_msg());
	CHECK_INT(load(&c, "schema_version: 1\nsweep:\n  replications: [2, 3]\n"), -1);
	CHECK(strstr(err_msg(), "e.yaml:3: key 'replications'") == err_msg());
	/* the flags: one layer over the file, which they override */
	CHECK_INT(load(&c, "schema_version: 1\narrival: closed\nconcurrency: 3\n"), 0);
	CHECK_INT(config_set(&c, "rate", "5", "--rate"), 0);
	l.rate = "--rate";
	CHECK_INT(config_resolve_arrival(&c, &l), 0);
	CHECK_INT(c.arrival, ARR_POISSON);
	CHECK_INT(config_set(&c, "arrival", "offline", "--arrival"), 0);
	l.arrival = "--arrival";
	CHECK_INT(config_resolve_arrival(&c, &l), -1);
	CHECK(strstr(err_msg(), "option '--rate': given with arrival 'offline'") == err_msg());
}

/* config.yaml (the resolved configuration) reads back as it was written: strings with
 * quotes, backslashes and tabs, and the keys of the arrival mode in use only */
static void test_resolved_roundtrip(void)
{
	struct run_config a, b;
	struct sbuf s1 = {0}, s2 = {0};
	config_defaults(&a);
	CHECK_INT(config_set(&a, "name", "q\"u\\o\tte: #x", "--name"), 0);
	CHECK_INT(config_set(&a, "trace", "dir with 'quotes'/t.jsonl", "--trace"), 0);
	CHECK_INT(config_set(&a, "rate", "3", "--rate"), 0);
	a.arrival = ARR_POISSON;
	config_write_yaml(&a, &s1);
	config_defaults(&b);
	CHECK_INT(config_load_yaml_text(&b, s1.buf, s1.len, "config.yaml", NULL), 0);
	CHECK_STR(b.name, a.name);
	CHECK_STR(b.trace, a.trace);
	CHECK_INT(b.arrival, ARR_POISSON);
	config_write_yaml(&b, &s2);
	CHECK_STR(s2.buf, s1.buf);
	sbuf_release(&s1);
	sbuf_release(&s2);
}

/* issue 14: options that did nothing are refused with a message */
static void test_refusals(void)
{
	struct run_config c;
	static const char *const tts_only[][2] = {
		{"budget", "1000"}, {"waits", "1"}, {"vote", "pass"}, {"early_stop", "true"},
	};
	for (size_t i = 0; i < sizeof(tts_only) / sizeof(tts_only[0]); i++) {
		char want[64];
		config_defaults(&c);
		CHECK_INT(config_set(&c, tts_only[i][0], tts_only[i][1], "--x"), 0);
		CHECK_INT(config_check(&c), -1);
		snprintf(want, sizeof(want), "key '%s': ", tts_only[i][0]);
		CHECK(strstr(err_msg(), want) == err_msg());
		CHECK(strstr(err_msg(), "trace") != NULL);
		CHECK_INT(config_set(&c, "trace", "math500", "--trace"), 0);
		CHECK_INT(config_check(&c), 0);
	}
	/* early stopping is the majority vote's: pass, best and none run every sample */
	for (int v = VOTE_NONE; v <= VOTE_PASS; v++) {
		config_defaults(&c);
		CHECK_INT(config_set(&c, "trace", "math500", "--trace"), 0);
		c.tts.early_stop = 1;
		c.vote = v;
		CHECK_INT(config_check(&c), v == VOTE_MAJORITY ? 0 : -1);
	}
	CHECK(strstr(err_msg(), "key 'early_stop': applies to vote: majority (got vote 'pass'") ==
	      err_msg());
	/* siblings: synthetic length options with a trace, a spread on a fixed distribution,
	 * an acceptance table without a drafter or beside spec_alpha */
	{
		static const char *const cases[][4] = {
			{"trace", "math500", "input_len", "100"},
			{"trace", "math500", "length_dist", "lognormal"},
			{"length_dist", "exponential", "length_cv", "1"},
			{"spec_k", "2", "spec_acceptance", "t.csv"},
			{"spec_acceptance", "t.csv", "spec_draft", ""},
			{"spec_draft", "ngram", "spec_acceptance", "t.csv"},
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			config_defaults(&c);
			CHECK_INT(config_set(&c, cases[i][0], cases[i][1], "--a"), 0);
			CHECK_INT(config_set(&c, cases[i][2], cases[i][3], "--b"), 0);
			CHECK_INT(config_check(&c), i == 5 ? 0 : -1);
		}
		CHECK_INT(config_set(&c, "spec_alpha", "0.5", "--spec-alpha"), 0);
		CHECK_INT(config_check(&c), -1);
		CHECK(strstr(err_msg(), "key 'spec_alpha': the acceptance table 't.csv' gives") ==
		      err_msg());
		config_defaults(&c);
		CHECK_INT(config_set(&c, "length_dist", "uniform", "--length-dist"), 0);
		CHECK_INT(config_set(&c, "length_cv", "1", "--length-cv"), 0);
		CHECK_INT(config_check(&c), 0);
	}
	/* a price: -1 (the profile's) or >= 0; -0.5 silently meant the profile's */
	config_defaults(&c);
	CHECK_INT(config_set(&c, "usd_per_gpu_hour", "-0.5", "e.yaml:2"), -1);
	CHECK(strstr(err_msg(), "e.yaml:2: key 'usd_per_gpu_hour': -0.5 is negative") == err_msg());
	CHECK_INT(config_set(&c, "usd_per_gpu_hour", "-1", "e.yaml:2"), 0);
	CHECK_INT(config_set(&c, "usd_per_gpu_hour", "0", "e.yaml:2"), 0);
	CHECK_INT(config_set(&c, "usd_per_gpu_hour", "-1.5", "e.yaml:2"), -1);
	/* --help prints one default per option (usd_per_gpu_hour and requests printed two):
	 * the help text names none of its own */
	{
		size_t n;
		const struct option_def *o = config_options(&n);
		for (size_t i = 0; i < n; i++)
			CHECK(strstr(o[i].help, "(default") == NULL && strstr(o[i].help, "default:") == NULL);
	}
}

int main(void)
{
	test_flags();
	test_refusals();
	test_arrival_rule();
	test_resolved_roundtrip();
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
