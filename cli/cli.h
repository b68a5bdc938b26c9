/*
 * cli.h: what the commands share, written once: reading a command's flags by its table
 * (lib/flags.h) with the command's own wording of errors, and printing a JSON document.
 * Like every file in cli/, these print and exit; nothing below cli/ may call them.
 *
 * Use:
 *     static const struct cli_words words = {
 *             .usage = usage_text,
 *             .unknown = "unknown flag '%s' (expected a flag of 'ttsim x --help')"};
 *     int n = cli_parse_flags(fl, argc, argv, pos, 1, &words);
 *     if (n == FLAGS_HELP)
 *             return EXIT_OK;
 */
#ifndef TTSIM_CLI_H
#define TTSIM_CLI_H

#include <cjson/cJSON.h>

#include "lib/flags.h"

/* How a command words its flag errors: one message a rule of flags.h, in which "%s" stands
 * for the argument as given; NULL takes unknown's. The messages are the command's interface
 * (tests/cli check them), so each command keeps its own. */
struct cli_words {
	const char *usage;    /* printed for --help (stdout) */
	int usage_on_error;   /* 1: also printed to stderr before an error */
	const char *unknown;  /* FLAGS_UNKNOWN (and every rule left NULL) */
	const char *no_value; /* FLAGS_NO_VALUE */
	const char *extra;    /* FLAGS_EXTRA */
};

/* flags_parse() with the command's words: the number of positionals, or FLAGS_HELP once the
 * usage is printed (the command then returns EXIT_OK). A bad argument dies (exit 2). */
int cli_parse_flags(const struct flag *fl, int argc, char **argv, const char **pos, int max_pos,
		    const struct cli_words *w);

/* Print j to stdout, indented as cJSON_Print does, with a newline, and free it. */
void cli_print_json(cJSON *j);

#endif
