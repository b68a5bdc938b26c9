/* flags.c: a subcommand's command line, read by a table of flags (see flags.h). */
#include "lib/flags.h"

#include <string.h>

#include "lib/util.h"

int flags_split(const char *arg, char *buf, size_t n, const char **value)
{
	const char *eq;
	size_t k;
	*value = NULL;
	if (strncmp(arg, "--", 2) || !arg[2])
		return -1;
	eq = strchr(arg, '=');
	k = eq ? (size_t)(eq - arg) : strlen(arg);
	if (k >= n)
		k = n - 1;
	memcpy(buf, arg, k);
	buf[k] = 0;
	if (eq)
		*value = eq + 1;
	return 0;
}

int flags_want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static int is_flag(const char *a) { return a[0] == '-' && a[1]; }

static int fail(struct flags_error *e, enum flags_rule rule, const char *arg,
		const struct flag *fl)
{
	e->rule = rule;
	e->arg = arg;
	e->fl = fl;
	if (rule == FLAGS_UNKNOWN)
		return err_set("unknown flag '%s'", arg);
	if (rule == FLAGS_NO_VALUE)
		return err_set("flag '%s': missing value", arg);
	if (rule == FLAGS_TWICE)
		return err_set("%s: given twice (expected it once)", fl->name);
	return err_set("unexpected argument '%s'", arg);
}

int flags_parse(const struct flag *fl, int argc, char **argv, const char **pos, int max_pos,
		struct flags_error *e)
{
	int n = 0;
	unsigned char seen[64] = {0}; /* the table's FLAG_VALUE rows given so far (512 rows) */
	if (flags_want_help(argc, argv))
		return FLAGS_HELP;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		const struct flag *f;
		size_t len;
		if (!is_flag(a)) {
			if (n >= max_pos)
				return fail(e, FLAGS_EXTRA, a, NULL);
			pos[n++] = a;
			continue;
		}
		eq = !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;
		len = eq ? (size_t)(eq - a) : strlen(a);
		for (f = fl; f->name; f++)
			if (strlen(f->name) == len && !strncmp(f->name, a, len))
				break;
		if (!f->name)
			return fail(e, FLAGS_UNKNOWN, a, NULL);
		if (f->kind == FLAG_SWITCH) {
			if (eq) /* a switch takes no "=value" */
				return fail(e, FLAGS_UNKNOWN, a, NULL);
			*f->on = 1;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return fail(e, FLAGS_NO_VALUE, a, f);
		if (f->kind == FLAG_LIST) {
			f->value[(*f->on)++] = val;
			continue;
		}
		/* given before on this line: one of the two would be dropped unseen */
		if ((size_t)(f - fl) < sizeof(seen) * 8) {
			size_t b = (size_t)(f - fl);
			if (seen[b / 8] & (1u << (b % 8)))
				return fail(e, FLAGS_TWICE, a, f);
			seen[b / 8] |= (unsigned char)(1u << (b % 8));
		}
		*f->value = val;
	}
	return n;
}
