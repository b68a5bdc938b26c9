/* trace_alias.c: see trace_alias.h. */
#include "traces/trace_alias.h"

#include <string.h>
#include <strings.h>

const struct trace_alias trace_aliases[] = {
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "r1-qwen-1.5b", 1.5, 0, NULL, 0},
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "r1-qwen-7b", 7, 0, NULL, 0},
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "r1-qwen-14b", 14, 0, NULL, 0},
	{"deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "r1-qwen-32b", 32, 0, NULL, 0},
	{"simplescaling/s1.1-1.5B", "s1.1-1.5b", 1.5, 1, NULL, 0},
	{"simplescaling/s1.1-7B", "s1.1-7b", 7, 1, NULL, 0},
	{"simplescaling/s1.1-14B", "s1.1-14b", 14, 1, NULL, 0},
	{"simplescaling/s1.1-32B", "s1.1-32b", 32, 1, NULL, 0},
	/* real samples (../shared/traces/per_sample/README.md: the Best-of-infinity paper's
	 * repository, jkomiyama/BoInf-code-publish@fbcb0970). Cap: min(100000, max_model_len -
	 * 2500), the repository's generation default; 30,268 for the 32,768-token models */
	{"Qwen/Qwen3-14B", "qwen3-14b", 14.8, 0, "math500_Qwen3-14B_N80.csv", 100000},
	{"Qwen/Qwen3-30B-A3B-Thinking-2507", "qwen3-30b-a3b-thinking-2507", 30.5, 0,
	 "math500_Qwen3-30B-A3B-Thinking-2507_N80.csv", 100000},
	{"openai/gpt-oss-20b", "gpt-oss-20b", 20.9, 0, "math500_gpt-oss-20b_N80.csv", 100000},
	{"MetaStoneTec/MetaStone-S1-32B", "metastone-s1-32b", 32.8, 0, "math500_MetaStone-S1-32B_N80.csv", 100000},
	{"LGAI-EXAONE/EXAONE-Deep-32B", "exaone-deep-32b", 32.0, 0, "math500_EXAONE-Deep-32B_N80.csv", 30268},
	{"microsoft/Phi-4-reasoning", "phi-4-reasoning", 14.7, 0, "math500_Phi-4-reasoning_N80.csv", 30268},
	{"nvidia/NVIDIA-Nemotron-Nano-9B-v2", "nemotron-nano-9b-v2", 8.9, 0,
	 "math500_NVIDIA-Nemotron-Nano-9B-v2_N80.csv", 30268},
	/* synthetic (after the real rows, whose order tests/test_trace.c follows), with its own published targets (synth.c, published_targets[]) */
	{"deepseek-ai/DeepSeek-R1", "deepseek-r1", 671, 0, NULL, 0},
	{"Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b", 235, 0, NULL, 0},
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
	static char buf[512];
	if (!buf[0])
		for (int i = 0; i < trace_n_aliases; i++) {
			strcat(buf, i ? ", " : "");
			strcat(buf, trace_aliases[i].alias);
		}
	return buf;
}
