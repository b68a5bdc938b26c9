/*
 * trace_alias.h: the models that have a shipped MATH500 trace, by Hugging Face id and alias.
 *
 * A small table of its own, so that traces/ does not depend on the model catalog
 * (models/model.h). To ship one more synthetic trace: add a row here and in traces/synth.c's
 * table of published figures, then `make traces`; one more real trace: a row with its
 * per-sample CSV and cap, then `make traces`.
 */
#ifndef TTSIM_TRACE_ALIAS_H
#define TTSIM_TRACE_ALIAS_H

struct trace_alias {
	const char *hf_id;  /* e.g. "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B" */
	const char *alias;  /* file name stem under traces/math500/ */
	double params_b;    /* parameters, billions (for interpolation between sizes) */
	int s1;             /* 1 for the simplescaling s1.1 family, 0 for R1-Distill-Qwen */
	const char *per_sample; /* real traces: the CSV under ../shared/traces/per_sample/ it is
	                         * imported from (`ttsim trace import per-sample --all`); NULL for
	                         * synthetic ones (`ttsim trace synth --all`) */
	int max_tokens;     /* real traces: the generation cap of the run (tokens) */
};

extern const struct trace_alias trace_aliases[];
extern const int trace_n_aliases;

/* The alias for an HF id or alias (case-insensitive), or NULL. */
const char *trace_alias_find(const char *name);
/* The row for an HF id or alias, or NULL. */
const struct trace_alias *trace_alias_row(const char *name);
/* "r1-qwen-1.5b, r1-qwen-7b, ..." for error messages (static storage). */
const char *trace_alias_list(void);

#endif
