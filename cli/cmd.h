/*
 * cmd.h: the subcommands of `ttsim`. Each is `int cmd_NAME(int argc, char **argv)` where
 * argv[0] is the subcommand's name; it returns an exit status (util.h) and handles --help.
 * To add one: write cli/cmd_NAME.c, declare it here, add a row to the
 * table in cli/main.c.
 */
#ifndef TTSIM_CMD_H
#define TTSIM_CMD_H

int cmd_run(int argc, char **argv);

/* The parser of `ttsim run`'s arguments, exposed for tests and the fuzz target: defaults,
 * then the experiment file (argv[1] if it is not a flag), then the flags. 0 or -1 with
 * err_set; it never exits. Pointers in a point into argv. */
struct run_config;
#define RUN_MAX_FLAGS 64
struct run_args {
	const char *format, *out;
	int profile_unc; /* --profile-uncertainty */
	/* the keys the flags gave (dashes as underscores), each once: a second is refused */
	char keys[RUN_MAX_FLAGS][64];
	int n_keys;
};
int run_parse_args(int argc, char **argv, struct run_config *c, struct run_args *a);
int cmd_models(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_pareto(int argc, char **argv);
int cmd_best(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
int cmd_plan(int argc, char **argv);
/* cli/cmd_calibrate.c */
int cmd_calibrate(int argc, char **argv);

#endif
