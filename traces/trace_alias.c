/* trace_alias.c: see trace_alias.h. */
#include "traces/trace_alias.h"

#include <string.h>
#include <strings.h>

const struct trace_alias trace_aliases[] = {
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "r1-qwen-1.5b", 1.5, 0},
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "r1-qwen-7b", 7, 0},
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "r1-qwen-14b", 14, 0},
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "r1-qwen-32b", 32, 0},
	{"simplescaling/s1.1-1.5B", "s1.1-1.5b", 1.5, 1},
	{"simplescaling/s1.1-7B", "s1.1-7b", 7, 1},
	{"simplescaling/s1.1-14B", "s1.1-14b", 14, 1},
	{"simplescaling/s1.1-32B", "s1.1-32b", 32, 1},
};
const int trace_n_aliases = sizeof(trace_aliases) / sizeof(trace_aliases[0]);

const struct trace_alias *trace_alias_row(const char *name)
{
	for (int i = 0; i < trace_n_aliases; i++)
		if (!strcasecmp(name, trace_aliases[i].hf_id) || !strcasecmp(name, trace_aliases[i].alias))
			return &trace_aliases[i];
	return NULL;
}

const char *trace_alias_find(const char *name)
{
	const struct trace_alias *a = trace_alias_row(name);
	return a ? a->alias : NULL;
}

const char *trace_alias_list(void)
{
	static char buf[256];
	if (!buf[0])
		for (int i = 0; i < trace_n_aliases; i++) {
			strcat(buf, i ? ", " : "");
			strcat(buf, trace_aliases[i].alias);
		}
	return buf;
}
