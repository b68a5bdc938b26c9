/*
 * flags.h: the command line of a subcommand as a table of flags (after Redis's
 * static_configs[]: one row per flag). A row names the flag ("--model" or "-o"), says
 * whether it takes a value, and points at where the value goes; `--flag value` and
 * `--flag=value` are both read. A FLAG_LIST flag may be given again: each value is kept;
 * a FLAG_VALUE flag may not (FLAGS_TWICE). Arguments that do not start with '-' (and "-" alone) are
 * positionals. --help and -h are recognised everywhere.
 *
 * The parser reports which rule an argument broke and leaves the wording to the command:
 * its messages are part of its interface (the tests under tests/cli check them). A command
 * with no wording of its own can die_err(): flags_parse also records a plain message.
 *
 * Use:
 *     const char *model = NULL; int all = 0;
 *     const struct flag fl[] = {
 *             {"--model", FLAG_VALUE, &model, NULL, "M: one model"},
 *             {"--all", FLAG_SWITCH, NULL, &all, "every model"},
 *             {0}};
 *     struct flags_error e;
 *     int n = flags_parse(fl, argc, argv, pos, 1, &e);   (argv[0] is the command)
 *     if (n == FLAGS_HELP) ...; else if (n < 0) die("... '%s' ...", e.arg);
 *
 * To add a kind of flag: a value of enum flag_kind, handled in flags.c's one loop.
 */
#ifndef TTSIM_FLAGS_H
#define TTSIM_FLAGS_H

#include <stddef.h>

enum flag_kind {
	FLAG_VALUE,  /* takes a value: *value = it (points into argv) */
	FLAG_SWITCH, /* takes none: *on = 1 */
	FLAG_LIST,   /* takes a value, and may be given again: value[(*on)++] = it; value has
	                room for argc entries (a command line holds no more) and *on starts at 0 */
};

struct flag {
	const char *name;    /* "--model" or "-o"; NULL ends the table */
	enum flag_kind kind;
	const char **value;  /* FLAG_VALUE; FLAG_LIST: the array */
	int *on;             /* FLAG_SWITCH; FLAG_LIST: how many values the array holds */
	const char *help;    /* one line, for usage texts */
};

/* What went wrong (flags_parse returned -1): the rule, and the argument that broke it. */
enum flags_rule {
	FLAGS_UNKNOWN,  /* a flag not in the table (or a switch given "=value") */
	FLAGS_NO_VALUE, /* a FLAG_VALUE flag last on the line */
	FLAGS_EXTRA,    /* more positionals than max_pos */
	FLAGS_TWICE,    /* a FLAG_VALUE flag given again (the first would be dropped) */
};
struct flags_error {
	enum flags_rule rule;
	const char *arg;       /* the argument as given ("--x=1" included) */
	const struct flag *fl; /* its row (FLAGS_NO_VALUE), else NULL */
};

#define FLAGS_HELP (-2) /* flags_parse: --help or -h was given */

/* Parse argv[1..argc) by the table: fills the flags' targets and pos[0..max_pos). Returns
 * the number of positionals, FLAGS_HELP, or -1 with *e set and err_set (a plain message).
 * A FLAG_VALUE flag given twice is FLAGS_TWICE: one of the two would be dropped unseen. */
int flags_parse(const struct flag *fl, int argc, char **argv, const char **pos, int max_pos,
		struct flags_error *e);

/* A long option "--name[=value]": its name ("--name") into buf (cut to n), *value the text
 * after '=' or NULL. 0, or -1 when arg is not a long option. For commands whose flags come
 * from another table (`ttsim run`'s options). */
int flags_split(const char *arg, char *buf, size_t n, const char **value);
/* 1 when --help or -h is among argv[1..argc). */
int flags_want_help(int argc, char **argv);

#endif
