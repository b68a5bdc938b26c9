/* cli.c: what the commands share (see cli.h). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

int cli_parse_flags(const struct flag *fl, int argc, char **argv, const char **pos, int max_pos,
		    const struct cli_words *w)
{
	struct flags_error e;
	const char *msg, *at;
	int n = flags_parse(fl, argc, argv, pos, max_pos, &e);

	if (n == FLAGS_HELP)
		fputs(w->usage, stdout);
	if (n >= 0 || n == FLAGS_HELP)
		return n;
	if (e.rule == FLAGS_TWICE) /* flags_parse's words, the same in every command */
		die_err();
	msg = e.rule == FLAGS_NO_VALUE ? w->no_value : e.rule == FLAGS_EXTRA ? w->extra : NULL;
	if (!msg)
		msg = w->unknown;
	if (w->usage_on_error)
		fputs(w->usage, stderr);
	at = strstr(msg, "%s");
	if (!at)
		die("%s", msg);
	die("%.*s%s%s", (int)(at - msg), msg, e.arg, at + 2);
}

void cli_print_json(cJSON *j)
{
	char *s = cJSON_Print(j);
	printf("%s\n", s);
	cJSON_free(s);
	cJSON_Delete(j);
}
