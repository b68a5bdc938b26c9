/* main.c: `ttsim SUBCOMMAND ...`, the dispatch table and the top-level help. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "lib/util.h"
#include "lib/version.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{"run", cmd_run, "simulate one configuration (no arguments: the headline study)"},
	{"models", cmd_models, "list the shipped models, or show one (--model M)"},
	{"profiles", cmd_profiles, "list the shipped hardware profiles, or print one"},
	{"trace", cmd_trace, "workload traces: synth, stats, accuracy under test-time scaling, import"},
	{"validate", cmd_validate, "compare predictions with measured runs (CSV or vllm bench JSON)"},
	{"sweep", cmd_sweep, "run every point of an experiment's sweep block (--jobs, mpirun)"},
	{"pareto", cmd_pareto, "the non-dominated configurations of a sweep, printed and plotted"},
	{"best", cmd_best, "the cheapest configuration of a sweep that meets accuracy and latency"},
	{"capacity", cmd_capacity, "the highest arrival rate each configuration sustains in an SLO"},
	{"plan", cmd_plan, "the cheapest layouts of the GPUs on offer that hold the SLOs at a rate"},
	{"calibrate", cmd_calibrate, "fit a hardware profile to benchmarks, or import public data"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ttsim <command> [options]   (ttsim <command> --help for each)\n\n"
		   "ttsim predicts latency, throughput, accuracy, energy and cost of LLM inference\n"
		   "with test-time scaling, from a calibrated model of the GPUs and a vLLM-style engine.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nexit status:\n"
		   "  0        success\n"
		   "  1        a check failed (such as validate --max-median-error), or an internal error\n"
		   "  2        bad input (flags, files, values), with one line\n"
		   "           'ttsim: FILE:LINE: key 'KEY': what is wrong (expected ...)'\n"
		   "  130, 143 stopped by SIGINT or SIGTERM: run writes nothing; sweep keeps the\n"
		   "           complete points (continue with --resume)\n");
}

int main(int argc, char **argv)
{
	static char run_name[] = "run"; /* argv strings are writable; a literal is not */

	util_gsl_init();
	if (argc < 2)
		return cmd_run(1, (char *[]){run_name, NULL});
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ttsim %s (build %s)\n", TTSIM_VERSION, ttsim_build_id());
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	{ /* the list from the table, so that it names every command there is */
		struct sbuf sb = {0};
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			sbuf_printf(&sb, "%s%s", i ? (i + 1 < sizeof(commands) / sizeof(commands[0])
						       ? ", " : " or ") : "", commands[i].name);
		fprintf(stderr, "ttsim: unknown command '%s' (expected %s; see 'ttsim --help')\n",
			argv[1], sb.buf);
		sbuf_release(&sb);
	}
	return EXIT_BAD_INPUT;
}
