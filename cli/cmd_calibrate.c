/*
 * cmd_calibrate.c: `ttsim calibrate fit|check|import`, measurements in, hardware profile out.
 *
 *   ttsim calibrate fit RAW_DIR... [--base NAME|FILE] [--gpu-name NAME] [--report FILE.json]
 *                       [--note KEY=TEXT]... [--source TEXT] [--scale-bw-from BYTES_PER_S]
 *                       [--car-max-bytes B] [--no-loo] [--attention-from-reference]
 *                       [--without TERM]... -o PROFILE.yaml
 *   ttsim calibrate check PROFILE RAW_DIR... [--gpu-name NAME] [--report FILE.json]
 *                         [--attention-trtllm]
 *   ttsim calibrate import aiconfigurator|vidur|nccl-tests SRC... [--gpu NAME]
 *                       [--match TEXT] -o RAW_DIR
 *   ttsim calibrate engine MEASURED.csv... --family FAMILY [--base NAME|FILE]
 *                       [--name NAME] [--source TEXT] -o ENGINE.yaml
 *   ttsim calibrate moe MOE_PERF.csv --profile NAME|FILE --dtype bf16|fp8|mxfp4
 *                       --kernel SOURCE [--distribution D] [--yaml FILE]
 *
 * Each verb reads its flags by a lib/flags.h table: `--flag value` or `--flag=value`.
 * The profile is written only when every family with data was fitted (fit.h). Parameters
 * the raw data do not cover come from the base profile; the YAML marks each fitted line.
 * `engine` fits an engine profile (models/engine_profile.h) to end-to-end measured runs
 * with the hardware profiles held fixed (experiments/validate.h: validate_fit_engine,
 * validate_fit_frontend), the same fits as `ttsim validate --fit-engine`.
 */
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "calibration/fit.h"
#include "calibration/calib_import.h"
#include "calibration/moe_fit.h"
#include "models/cost.h"
#include "models/moe_table.h"
#include "models/mla_table.h"
#include "calibration/mla_fit.h"
#include "calibration/deepep_fit.h"
#include "models/profile.h"
#include "calibration/raw.h"
#include "experiments/validate.h"
#include "models/engine_profile.h"
#include "lib/util.h"

/* An output path that names one of the inputs (the same file, by device and inode): the
 * write would destroy the table it was fitted to, exit 0. Refused before anything runs. */
static void die_if_input(const char *flag, const char *out, const char *const *in, int n)
{
	struct stat so, si;
	if (!out || stat(out, &so) < 0)
		return; /* not there yet: no input it can be */
	for (int i = 0; i < n; i++)
		if (in[i] && stat(in[i], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
			die("%s: '%s' is the input %s (expected another file: it would be overwritten)",
			    flag, out, in[i]);
}

static const char fit_usage[] =
	"usage: ttsim calibrate fit RAW_DIR... -o PROFILE.yaml [options]\n"
	"  --base NAME|FILE        parameters the data do not cover (default: the shipped profile\n"
	"                          named like PROFILE, else the one shipped for the data's GPU)\n"
	"  --gpu-name NAME         GPU name to record; allows raw directories of other GPU names\n"
	"  --report FILE.json      write the fit report (median, p90, max, leave-one-out errors)\n"
	"  --note KEY=TEXT         comment on a YAML key (e.g. memory.hbm_bw=\"inferred: ...\")\n"
	"  --source TEXT           the profile's source line\n"
	"  --scale-bw-from B/S     the data come from a GPU with this HBM bandwidth: scale the\n"
	"                          bandwidth parameters to the base profile's memory.hbm_bw\n"
	"  --car-max-bytes B       largest custom all-reduce message (default 8388608)\n"
	"  --fp8-from-bf16         no FP8 tensor cores (A100): FP8 weights run as W8A16, so the\n"
	"                          fp8 GEMM model is the fitted bf16 one\n"
	"  --no-loo                skip leave-one-out\n"
	"  --attention-from-reference\n"
	"                          fit the attention models to rows of ttsim's own reference\n"
	"                          kernels too (left out by default: they are not FlashAttention)\n"
	"  --without TERM          leave an optional attention term out of the fit (repeatable;\n"
	"                          e.g. attention.prefill_wave_exp): what does it buy?\n";

static const char check_usage[] =
	"usage: ttsim calibrate check PROFILE RAW_DIR... [options]\n"
	"  the error of PROFILE (a name or a YAML file) on the rows of RAW_DIR, without fitting:\n"
	"  median, p90 and max relative error per family (gemm, attention, all-reduce)\n"
	"  --gpu-name NAME         allows raw directories of other GPU names\n"
	"  --report FILE.json      write the figures as the fit report does (leave-one-out null)\n"
	"  --attention-trtllm      time the attention rows by the profile's attention_trtllm\n"
	"                          section (TensorRT-LLM's kernels; a phase it lacks keeps the\n"
	"                          attention section), as `--engine trtllm-1` runs do\n";

static const char import_usage[] =
	"usage: ttsim calibrate import aiconfigurator|vidur|nccl-tests SRC... -o RAW_DIR\n"
	"  --gpu NAME              GPU name to record (vidur and nccl-tests CSVs carry none)\n"
	"  --match TEXT            keep only data lines containing TEXT\n"
	"formats: see calibration/README.md\n";

static const char engine_usage[] =
	"usage: ttsim calibrate engine MEASURED.csv|.json... --family FAMILY -o ENGINE.yaml\n"
	"  fit an engine profile's constants to end-to-end measured runs (the rows of FAMILY\n"
	"  in the measured-run files of 'ttsim validate'), the hardware profiles held fixed:\n"
	"  step_cpu_extra (base_s, per_seq_s, per_tp_s when some row has tp > 1) to the\n"
	"  offline batches measured as output_tok_per_s (Huber, leave one row out), and\n"
	"  frontend (per_request_s, per_output_token_s, latency_s) to the served rows, every metric\n"
	"  (Huber on log(predicted/measured) over a grid, leave one benchmark out). A block\n"
	"  the rows cannot fit keeps the base profile's values and says so. The report goes\n"
	"  to stdout and into the YAML's comments; a file named serving_check* is refused.\n"
	"  The written file works as 'ttsim run --engine ENGINE.yaml'. The rows are simulated\n"
	"  as 'ttsim validate' does: with FAMILY's shipped profile when there is one (its\n"
	"  defaults), else with vLLM V1's; --base only fills the written file.\n"
	"  --family FAMILY         the rows' engine family (vllm-v0, vllm-v1, sglang-0.5, ...:\n"
	"                          the engine column of 'ttsim validate')\n"
	"  --base NAME|FILE        defaults and unfitted blocks (default: FAMILY's shipped\n"
	"                          profile, else vllm-v1)\n"
	"  --name NAME             the profile's name (default: the output's file name)\n"
	"  --source TEXT           the profile's source line (default: the command)\n"
	"  --gpu, --tp, --dtype    defaults for JSON files that do not say\n";

static const char moe_usage[] =
	"usage: ttsim calibrate moe MOE_PERF.csv --profile NAME|FILE --dtype bf16|fp8|mxfp4\n"
	"                           --kernel SOURCE [--distribution D] [--yaml FILE]\n"
	"  fit the fused-MoE model (models/profile.h, \"Fused MoE\") to an aiconfigurator MoE\n"
	"  table's rows of one kernel_source, moe_dtype and distribution (default balanced);\n"
	"  prints the constants and their in-sample and held-out (by shape) errors\n"
	"  --profile NAME|FILE     the GEMM peaks and hbm_bw the model divides by\n"
	"  --dtype bf16|fp8|mxfp4  the profile section it fits (moe_bf16, moe_fp8, moe_mxfp4):\n"
	"                          rows moe_dtype bfloat16, fp8_block, w4a16_mxfp4\n"
	"  --yaml FILE             write the section as YAML lines, each value with its fit;\n"
	"                          with balanced rows also `table: MOE_PERF.csv`, the table whose\n"
	"                          exact shapes runs cost from its latencies (models/moe_table.h)\n"
	"  --residuals FILE.csv    each row's shape, measured and predicted time (s)\n"
	"  --table-residuals FILE.csv  (balanced rows) each measured point of the table with\n"
	"                          its interpolation from the shape's other points (s; empty at\n"
	"                          the ends)\n";

static const char mla_usage[] =
	"usage: ttsim calibrate mla GENERATION_MLA.csv --profile NAME|FILE --kv bf16|fp8\n"
	"                           [--yaml FILE] [--residuals FILE.csv]\n"
	"  fit the MLA decode model (models/profile.h, \"MLA decode\") to an aiconfigurator\n"
	"  generation_mla_perf table's rows of one kv_cache_dtype, on its kernel-bound points\n"
	"  (models/mla_table.h: the others time the host); prints the constants, their\n"
	"  in-sample and held-out (by head count) errors, the error of the model without the\n"
	"  section on the same points, and the table's own leave-one-out error\n"
	"  --profile NAME|FILE     the bf16 GEMM peak, hbm_bw and the model without a section\n"
	"  --kv bf16|fp8           the profile section it fits (mla_bf16, mla_fp8): rows\n"
	"                          kv_cache_dtype bfloat16, fp8\n"
	"  --yaml FILE             write the section as YAML lines, each value with its fit,\n"
	"                          and `table: GENERATION_MLA.csv`\n"
	"  --residuals FILE.csv    each kernel-bound point: heads, batch, step, measured,\n"
	"                          fitted and before (s)\n";

static const char deepep_usage[] =
	"usage: ttsim calibrate deepep LL.csv NORMAL.csv --profile NAME|FILE [--yaml FILE]\n"
	"  fit the DeepEP all-to-all model (models/profile.h, \"DeepEP all-to-all\") to\n"
	"  aiconfigurator's SGLang DeepEP tables: LL.csv the low-latency kernels\n"
	"  (wideep_deepep_ll_perf), NORMAL.csv the normal ones (wideep_deepep_normal_perf, rows\n"
	"  at DeepEP's default 20 SMs); per rank count (node_num x 8) and kernel, lat and bw of\n"
	"  lat + tokens x top_k x hidden x 2 / bw; prints them with their in-sample and held-out\n"
	"  (by token count) errors and the error of ttsim's NCCL all-to-all on the same rows\n"
	"  --profile NAME|FILE     the NCCL model compared with (its all-reduce and network)\n"
	"  --yaml FILE             write the deepep_<ranks> sections as YAML lines\n";

static const char usage[] =
	"usage: ttsim calibrate fit|check|import|engine|moe|mla|deepep ...   (ttsim calibrate fit --help)\n"
	"  fit     fit a hardware profile to raw benchmark CSVs\n"
	"  check   the error of a profile on raw benchmark CSVs, without fitting\n"
	"  import  convert public tables (aiconfigurator, vidur, nccl-tests) to raw CSVs\n"
	"  engine  fit an engine profile to end-to-end measured serving runs\n"
	"  moe     fit a profile's fused-MoE section to an aiconfigurator MoE table\n"
	"  mla     fit a profile's MLA decode section to an aiconfigurator MLA table\n"
	"  deepep  fit a profile's DeepEP sections to aiconfigurator's DeepEP tables\n";

/* ---- the notes written beside the profile's values (profile_write_notes) ---- */

#define MAX_NOTES 128

struct notes {
	const char *key[MAX_NOTES], *text[MAX_NOTES];
	int n;
};

static const char *note_of(const struct notes *nt, const char *key)
{
	for (int i = nt->n - 1; i >= 0; i--)
		if (!strcmp(nt->key[i], key))
			return nt->text[i];
	return NULL;
}

static void note_add(struct notes *nt, const char *key, const char *text)
{
	if (nt->n == MAX_NOTES)
		bug("calibrate: more than %d notes", MAX_NOTES);
	nt->key[nt->n] = key;
	nt->text[nt->n++] = text;
}

/* profile_note_fn: the note of a field; an all-reduce entry's `n_gpus` line carries the
 * notes of the whole entry, keyed "allreduce.N." */
static const char *field_note(const char *path, void *ctx)
{
	const struct notes *nt = ctx;
	const char *n = note_of(nt, path);
	size_t len = strlen(path);
	if (!n && !strncmp(path, "allreduce.", 10) && len > 6 &&
	    !strcmp(path + len - 6, "n_gpus")) {
		char entry[96];
		snprintf(entry, sizeof(entry), "%.*s", (int)(len - 6), path);
		n = note_of(nt, entry);
	}
	return n;
}

/* ---- the flags of a verb ---- */

/* cli_parse_flags with calibrate's wording, one for the three verbs (argv[0] is the verb);
 * every positional goes to pos (room for argc). The tables leave each flag's help NULL: the
 * verb's usage text is its help. */
static int parse(const struct flag *fl, int argc, char **argv, const char **pos,
		 const char *verb_usage)
{
	char unknown[64];
	snprintf(unknown, sizeof(unknown), "calibrate %s: unknown option '%%s' (see --help)", argv[0]);
	const struct cli_words w = {.usage = verb_usage, .unknown = unknown,
				    .no_value = "option '%s': missing value"};
	return cli_parse_flags(fl, argc, argv, pos, argc, &w);
}

/* ---- fit ---- */

static double arg_double(const char *opt, const char *s)
{
	double v;
	if (parse_double(s, &v) || !(v > 0) || !isfinite(v))
		die("option '%s': bad value '%s' (expected a positive number)", opt, s);
	return v;
}

static void name_of(const char *out, char *name, size_t n)
{
	const char *b = strrchr(out, '/');
	strlcpy0(name, b ? b + 1 : out, n);
	char *dot = strrchr(name, '.');
	if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
		*dot = 0;
}

/* Load the base profile into p and return its name: --base when given, else the shipped
 * profile named like the output, else the one shipped for the raw data's GPU (a raw
 * directory from calibration/run_on_gpu.sh is named after its host, not a profile). */
static const char *choose_base(struct profile *p, const char *base, const char *name,
			       const char *data_gpu)
{
	memset(p, 0, sizeof(*p));
	if (base) {
		if (profile_load(p, base))
			die_err();
		return base;
	}
	if (!profile_load(p, name))
		return name;
	struct sbuf sb = {0};
	for (size_t i = 0; i < profile_builtin_count(); i++) {
		const char *b = profile_builtin_name(i);
		if (profile_load(p, b))
			die_err();
		if (data_gpu[0] && !strcmp(p->gpu, data_gpu)) {
			fprintf(stderr, "calibrate fit: base profile '%s', shipped for the data's GPU "
				"'%s' (--base NAME|FILE for another)\n", b, data_gpu);
			sbuf_release(&sb);
			return b;
		}
		sbuf_printf(&sb, "%s%s (%s)", i ? ", " : "", b, p->gpu);
	}
	die("calibrate fit: no base profile: none is named '%s' and none is shipped for GPU '%s' "
	    "(shipped: %s; expected --base NAME|FILE)", name, data_gpu[0] ? data_gpu : "unnamed",
	    sb.buf ? sb.buf : "none");
}

/* The raw rows of every directory into rs; a bad file exits with its file and line. */
static void load_raw(struct raw_set *rs, const char **dirs, int nd, int allow_mixed)
{
	raw_set_init(rs);
	for (int i = 0; i < nd; i++)
		if (raw_load_dir(rs, dirs[i], allow_mixed))
			die_err();
}

static int cmd_fit(int argc, char **argv)
{
	const char *out = NULL, *base = NULL, *gpu = NULL, *report = NULL, *source = NULL;
	const char *scale_bw = NULL, *car_max = NULL;
	const char **dirs = xcalloc(argc, sizeof(*dirs)), **note = xcalloc(argc, sizeof(*note));
	const char **without = xcalloc(argc, sizeof(*without));
	char **note_key = xcalloc(argc, sizeof(*note_key));
	struct fit_options o = {0};
	struct notes nt = {.n = 0};
	int n_note = 0, n_without = 0, fp8_from_bf16 = 0;
	const struct flag fl[] = {
		{"-o", FLAG_VALUE, &out, NULL, NULL},
		{"--base", FLAG_VALUE, &base, NULL, NULL},
		{"--gpu-name", FLAG_VALUE, &gpu, NULL, NULL},
		{"--report", FLAG_VALUE, &report, NULL, NULL},
		{"--source", FLAG_VALUE, &source, NULL, NULL},
		{"--note", FLAG_LIST, note, &n_note, NULL},
		{"--scale-bw-from", FLAG_VALUE, &scale_bw, NULL, NULL},
		{"--car-max-bytes", FLAG_VALUE, &car_max, NULL, NULL},
		{"--fp8-from-bf16", FLAG_SWITCH, NULL, &fp8_from_bf16, NULL},
		{"--no-loo", FLAG_SWITCH, NULL, &o.no_loo, NULL},
		{"--attention-from-reference", FLAG_SWITCH, NULL, &o.reference_attention, NULL},
		{"--without", FLAG_LIST, without, &n_without, NULL},
		{0},
	};
	int nd = parse(fl, argc, argv, dirs, fit_usage);

	if (nd == FLAGS_HELP) {
		free(dirs), free(note), free(without), free(note_key);
		return EXIT_OK;
	}
	const int max_without = (int)(sizeof(o.without) / sizeof(o.without[0]));
	if (n_without > max_without)
		die("option '--without': more than %d terms", max_without);
	memcpy(o.without, without, (size_t)n_without * sizeof(*without));
	o.n_without = n_without;
	if (scale_bw)
		o.scale_bw_from = arg_double("--scale-bw-from", scale_bw);
	if (car_max)
		o.car_max_bytes = arg_double("--car-max-bytes", car_max);
	for (int i = 0; i < n_note; i++) { /* KEY=TEXT: the key is cut from a copy */
		char *eq;
		note_key[i] = xstrdup(note[i]);
		if (!(eq = strchr(note_key[i], '=')))
			die("option '--note': bad value '%s' (expected KEY=TEXT)", note[i]);
		*eq = 0;
		note_add(&nt, note_key[i], eq + 1);
	}
	if (!nd || !out)
		die("calibrate fit: %s (see --help)", !nd ? "no RAW_DIR given" : "option '-o' missing");

	char name[48];
	struct profile p;
	name_of(out, name, sizeof(name));

	struct raw_set rs;
	load_raw(&rs, dirs, nd, gpu != NULL);
	base = choose_base(&p, base, name, rs.gpu);

	struct fit_report rep;
	if (fit_profile(&p, &rs, &o, &rep))
		die("calibrate fit: %s (no profile written)", err_msg());
	for (int f = 0; f < RAW_NFAMILY; f++)
		if (rep.reference[f])
			fprintf(stderr, "calibrate fit: %s: %d rows of ttsim's reference kernels "
				"(CUDA cores, not FlashAttention) left out; the attention model stays "
				"the base's (--attention-from-reference to fit them)\n",
				raw_family_file(f), rep.reference[f]);

	if (fp8_from_bf16)
		p.gemm_fp8 = p.gemm_bf16;

	/* mark what was fitted */
	static char ar_notes[PROFILE_MAX_AR * 2][96];
	char fitnote[RAW_NFAMILY][64];
	for (int f = 0; f < RAW_NFAMILY; f++)
		snprintf(fitnote[f], sizeof(fitnote[f]), "fit: %s, %d rows", raw_family_file(f),
			 rep.fitted[f]);
	struct notes all = {.n = 0};
	/* every parameter the fit set (all-reduce entries are marked whole, below); with
	 * --fp8-from-bf16 the fp8 GEMM lines are copies of the fitted bf16 ones */
	static char fp8_paths[FIT_MAX_SET][48];
	for (int i = 0; i < rep.n_set; i++) {
		const char *path = rep.set[i].path;
		if (!strncmp(path, "allreduce.", 10))
			continue;
		note_add(&all, path, fitnote[rep.set[i].fam]);
		if (fp8_from_bf16 && !strncmp(path, "gemm_bf16.", 10)) {
			snprintf(fp8_paths[i], sizeof(fp8_paths[i]), "gemm_fp8.%s", path + 10);
			note_add(&all, fp8_paths[i], fitnote[rep.set[i].fam]);
		}
	}
	for (int n = 2, k = 0; n <= 8; n++) {
		int have[2] = {0, 0};
		for (size_t i = 0; i < rs.fam[RAW_ALLREDUCE].n; i++)
			if ((int)rs.fam[RAW_ALLREDUCE].rows[i].v[0] == n)
				have[!strcmp(rs.fam[RAW_ALLREDUCE].rows[i].s[0], "custom")] = 1;
		if (!have[0] && !have[1])
			continue;
		snprintf(ar_notes[k], sizeof(ar_notes[k]), "allreduce.%d.", n);
		snprintf(ar_notes[k + 1], sizeof(ar_notes[k + 1]), "fit: allreduce.csv (%s%s%s)",
			 have[0] ? "nccl" : "", have[0] && have[1] ? ", " : "", have[1] ? "custom" : "");
		note_add(&all, ar_notes[k], ar_notes[k + 1]);
		k += 2;
		if (k >= (int)(sizeof(ar_notes) / sizeof(ar_notes[0])))
			break;
	}
	for (int i = 0; i < nt.n; i++)
		note_add(&all, nt.key[i], nt.text[i]);

	strlcpy0(p.name, name, sizeof(p.name));
	if (gpu)
		strlcpy0(p.gpu, gpu, sizeof(p.gpu));
	else if (rs.gpu[0])
		strlcpy0(p.gpu, rs.gpu, sizeof(p.gpu));
	if (source)
		strlcpy0(p.source, source, sizeof(p.source));
	/* the fitted values past a profile's range are the fit's doing, not the file's: say so
	 * (it read as if OUT were a bad input) */
	if (profile_validate(&p, "the fitted profile"))
		die("calibrate fit: %s: the rows do not pin this parameter (too few, or too "
		    "scattered; --report FILE.json shows the fit) (no profile written to %s)",
		    err_msg(), out);

	struct sbuf hdr = {0}, js = {0};
	char *yaml = NULL;
	size_t yaml_len = 0;
	sbuf_printf(&hdr, "# %s: hardware profile written by `ttsim calibrate fit`\n# raw data:", name);
	for (int i = 0; i < nd; i++)
		sbuf_printf(&hdr, " %s", dirs[i]);
	sbuf_printf(&hdr, "\n# base: %s (every line without a 'fit:' comment comes from it)\n",
		    base);
	{
		FILE *f = open_memstream(&yaml, &yaml_len);
		if (!f || profile_write_notes(&p, f, hdr.buf, field_note, &all) < 0 || fclose(f))
			die("calibrate fit: cannot format the profile");
	}
	fit_report_json(&rep, name, &js);
	fit_report_print(&rep, stdout);
	if (report && file_write_atomic(report, js.buf, js.len))
		die_err();
	if (file_write_atomic(out, yaml, yaml_len))
		die_err();
	printf("wrote %s\n", out);
	sbuf_release(&hdr);
	free(yaml);
	sbuf_release(&js);
	raw_set_release(&rs);
	for (int i = 0; i < n_note; i++)
		free(note_key[i]);
	free(dirs), free(note), free(without), free(note_key);
	return EXIT_OK;
}

/* ---- import ---- */

static int cmd_import(int argc, char **argv)
{
	const char *out = NULL, *kind;
	struct import_options o = {0};
	const char **pos = xcalloc(argc, sizeof(*pos)), **src = pos + 1;
	const struct flag fl[] = {
		{"-o", FLAG_VALUE, &out, NULL, NULL},
		{"--gpu", FLAG_VALUE, &o.gpu, NULL, NULL},
		{"--match", FLAG_VALUE, &o.match, NULL, NULL},
		{0},
	};
	int np = parse(fl, argc, argv, pos, import_usage), ns = np - 1;

	if (np == FLAGS_HELP) {
		free(pos);
		return EXIT_OK;
	}
	kind = pos[0];
	if (!kind || !import_kind_ok(kind))
		die("calibrate import: %s '%s' (expected aiconfigurator, vidur or nccl-tests)",
		    kind ? "unknown format" : "no format", kind ? kind : "");
	if (!ns || !out)
		die("calibrate import: %s (see --help)", !ns ? "no SRC given" : "option '-o' missing");

	struct raw_set rs;
	raw_set_init(&rs);
	for (int i = 0; i < ns; i++)
		if (import_file(&rs, kind, src[i], &o))
			die_err();
	struct sbuf srcs = {0}, cmd = {0};
	sbuf_printf(&srcs, "%s:", kind);
	for (int i = 0; i < ns; i++)
		sbuf_printf(&srcs, " %s", src[i]);
	sbuf_printf(&cmd, "ttsim calibrate import %s ... -o %s", kind, out);
	struct raw_meta meta = {.gpu = rs.gpu, .source = srcs.buf, .command = cmd.buf};
	if (raw_write_dir(&rs, out, &meta))
		die_err();
	for (int f = 0; f < RAW_NFAMILY; f++)
		if (rs.fam[f].n)
			printf("%s/%s: %zu rows\n", out, raw_family_file(f), rs.fam[f].n);
	sbuf_release(&srcs);
	sbuf_release(&cmd);
	raw_set_release(&rs);
	free(pos);
	return EXIT_OK;
}

/* ---- check ---- */

static int cmd_check(int argc, char **argv)
{
	const char *gpu = NULL, *report = NULL;
	const char **pos = xcalloc(argc, sizeof(*pos)), *prof, **dirs = pos + 1;
	int trt = 0;
	const struct flag fl[] = {
		{"--gpu-name", FLAG_VALUE, &gpu, NULL, NULL},
		{"--report", FLAG_VALUE, &report, NULL, NULL},
		{"--attention-trtllm", FLAG_SWITCH, NULL, &trt, NULL},
		{0},
	};
	int np = parse(fl, argc, argv, pos, check_usage), nd = np - 1;

	if (np == FLAGS_HELP) {
		free(pos);
		return EXIT_OK;
	}
	if (nd < 1)
		die("calibrate check: %s (see --help)", np < 1 ? "no PROFILE given" : "no RAW_DIR given");
	prof = pos[0];

	struct profile p;
	struct raw_set rs;
	struct fit_report rep;
	struct sbuf js = {0};
	if (profile_load(&p, prof))
		die_err();
	/* the parts a TensorRT-LLM run takes (sim/run.c engine_apply) */
	if (trt && !profile_use_trtllm_attention(&p))
		die("%s: key 'attention_trtllm': no such section (expected a profile with "
		    "TensorRT-LLM's attention, calibration/trtllm_profiles.sh)", prof);
	load_raw(&rs, dirs, nd, gpu != NULL);
	/* data of another GPU than the profile's: errors of 585% that say nothing of either */
	if (!gpu && rs.gpu[0] && strcmp(rs.gpu, p.gpu))
		die("%s: key 'gpu': the rows are of '%s', profile '%s' of '%s' (expected the "
		    "profile of that GPU; --gpu-name NAME to compare across GPUs)", rs.gpu_file,
		    rs.gpu, p.name, p.gpu);
	if (fit_check(&p, &rs, &rep))
		die_err();
	fit_report_print(&rep, stdout);
	fit_report_json(&rep, p.name, &js);
	if (report && file_write_atomic(report, js.buf, js.len))
		die_err();
	sbuf_release(&js);
	raw_set_release(&rs);
	free(pos);
	return EXIT_OK;
}

/* ---- engine ---- */

struct efit_notes {
	char step[4][96], fe[FE_N][FE_NTERM][96];
};

static const char *efit_comment(const char *key, void *ctx)
{
	const struct efit_notes *n = ctx;
	static const char *const step[] = {"step_cpu_extra.base_s", "step_cpu_extra.per_seq_s",
					   "step_cpu_extra.per_tp_s",
					   "step_cpu_extra.per_ctx_token_s"};
	const char *fe;
	for (int i = 0; i < 4; i++)
		if (!strcmp(key, step[i]))
			return n->step[i][0] ? n->step[i] : NULL;
	for (int i = 0, ep, t; strncmp(key, "frontend.", 9) == 0 &&
			       (fe = engine_profile_fe_key(i, &ep, &t)); i++)
		if (!strcmp(key + 9, fe))
			return n->fe[ep][t][0] ? n->fe[ep][t] : NULL;
	return NULL;
}

static int cmd_engine(int argc, char **argv)
{
	const char *out = NULL, *family = NULL, *base = NULL, *name = NULL, *source = NULL;
	const char *tps = NULL;
	const char **files = xcalloc(argc, sizeof(*files));
	struct vdefaults d = {NULL, 1, "bf16"};
	const struct flag fl[] = {
		{"-o", FLAG_VALUE, &out, NULL, NULL},
		{"--family", FLAG_VALUE, &family, NULL, NULL},
		{"--base", FLAG_VALUE, &base, NULL, NULL},
		{"--name", FLAG_VALUE, &name, NULL, NULL},
		{"--source", FLAG_VALUE, &source, NULL, NULL},
		{"--gpu", FLAG_VALUE, &d.gpu, NULL, NULL},
		{"--tp", FLAG_VALUE, &tps, NULL, NULL},
		{"--dtype", FLAG_VALUE, &d.dtype, NULL, NULL},
		{0},
	};
	int nf = parse(fl, argc, argv, files, engine_usage), bad = 0;
	struct vset s = {0};
	struct vfit f;
	struct vfefit g;
	struct engine_profile e;
	struct efit_notes nt;
	struct sbuf rep = {0}, cmd = {0}, yaml = {0};
	char why_step[512] = "", why_fe[512] = "", nm[64];
	long tp;

	if (nf == FLAGS_HELP) {
		free(files);
		return EXIT_OK;
	}
	if (nf < 1)
		die("calibrate engine: no measured-run file given (see --help)");
	if (!family)
		die("calibrate engine: --family FAMILY missing (the rows' engine family: vllm-v0, "
		    "vllm-v1, sglang-0.5, trtllm-1, ...)");
	if (!out)
		die("calibrate engine: -o ENGINE.yaml missing");
	die_if_input("-o", out, files, nf);
	if (tps) {
		if (parse_long(tps, &tp) < 0 || tp < 1 || tp > 64)
			die("--tp: expected 1, 2, 4 or 8, got '%s'", tps);
		d.tp = (int)tp;
	}
	if (!base)
		base = engine_profile_exists(family) ? family : "vllm-v1";
	if (engine_profile_load(&e, base) < 0)
		die_err();
	for (int i = 0; i < nf; i++) {
		int nb = 0;
		if (vset_load(&s, files[i], &d, &nb) < 0)
			die_err();
		bad += nb;
	}
	for (size_t i = 0; i < s.n && bad; i++)
		if (s.rows[i].err[0])
			die("%s", s.rows[i].err);

	sbuf_printf(&cmd, "ttsim calibrate engine --family %s --base %s", family, base);
	for (int i = 0; i < nf; i++)
		sbuf_printf(&cmd, " %s", files[i]);
	if (validate_fit_engine(&s, family, &f) < 0) {
		snprintf(why_step, sizeof(why_step), "%s", err_msg());
	} else {
		/* a profile's step costs are added CPU seconds, never negative: rows faster than
		 * the hardware profile's own step overhead allows are not an engine CPU term
		 * (trtllm-1 on its trtllm-bench rows: models/engines/trtllm-1.yaml); every fitted
		 * coefficient, the per-KV-token one too (a negative one would be written and then
		 * refused by the profile's own parser) */
		static const char *const coef_name[VFIT_MAX] = {"base_s", "per_seq_s", "per_tp_s",
							   "per_ctx_token_s"};
		int neg = 0;
		char vals[200] = "";
		for (int j = 0; j < VFIT_MAX; j++) {
			size_t len = strlen(vals);
			if (!f.fitted[j])
				continue;
			neg |= !(f.coef[j] >= 0);
			snprintf(vals + len, sizeof(vals) - len, "%s%s %.3g", len ? ", " : "", coef_name[j],
				 f.coef[j]);
		}
		if (neg)
			snprintf(why_step, sizeof(why_step), "the fit is not a CPU cost (%s: expected "
				 "each >= 0; the rows run faster than the hardware profile's own step "
				 "overhead allows)", vals);
	}
	if (validate_fit_frontend(&s, family, &g) < 0)
		snprintf(why_fe, sizeof(why_fe), "%s", err_msg());
	if (why_step[0] && why_fe[0])
		die("calibrate engine: nothing to fit: %s; %s", why_step, why_fe);

	memset(&nt, 0, sizeof(nt));
	sbuf_printf(&rep, "# %s\n", cmd.buf);
	if (why_step[0]) {
		sbuf_printf(&rep, "# step_cpu_extra: not fitted (the base's values kept): %s\n", why_step);
	} else {
		sbuf_printf(&rep, "# step_cpu_extra: %ld offline-batch output_tok_per_s rows; Huber fit of\n"
			    "#   wall - makespan_0 = base x steps + per_seq x output_tokens%s%s\n"
			    "#   wall-time error in sample: median %.1f%%, p90 %.1f%%, bias %+.1f%%\n"
			    "#   leave one row out:        median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
			    f.n, f.fitted[VFIT_TP] ? " + per_tp x (tp - 1) x steps" : "",
			    f.fitted[VFIT_CTX] ? " + per_ctx_token x kv_tokens" : "", f.in_median,
			    f.in_p90, f.in_bias, f.loo_median, f.loo_p90, f.loo_bias);
		e.step_base_extra = f.coef[0];
		e.step_per_seq_extra = f.coef[1];
		snprintf(nt.step[0], sizeof(nt.step[0]), "fitted, +- %.2g", f.se[0]);
		snprintf(nt.step[1], sizeof(nt.step[1]), "fitted, +- %.2g", f.se[1]);
		if (f.fitted[VFIT_TP]) {
			e.step_per_tp_extra = f.coef[2];
			snprintf(nt.step[2], sizeof(nt.step[2]), "fitted, +- %.2g", f.se[2]);
		} else {
			snprintf(nt.step[2], sizeof(nt.step[2]), "not fitted (every row is TP1): the base's");
		}
		if (f.fitted[VFIT_CTX]) {
			e.step_per_ctx_token_extra = f.coef[VFIT_CTX];
			snprintf(nt.step[3], sizeof(nt.step[3]), "fitted, +- %.2g", f.se[VFIT_CTX]);
		} else {
			snprintf(nt.step[3], sizeof(nt.step[3]),
				 "not fitted (every row has one length): the base's");
		}
	}
	if (why_fe[0]) {
		sbuf_printf(&rep, "# frontend: not fitted (the base's values kept): %s\n", why_fe);
	} else {
		sbuf_printf(&rep, "# frontend: %ld served rows of %ld benchmarks; Huber (0.2) on log(pred/meas)\n"
			    "#   over a grid (per_request_s 0..%g by %g, per_output_token_s 0..%g by %g,\n"
			    "#   latency_s 0..%g by %g, first_token_s 0..%g by %g, in three stages\n"
			    "#   (experiments/validate.c); each endpoint's its own, fitted on\n"
			    "#   its rows: %ld chat, %ld completions)\n"
			    "#   row error, no front end: median %.1f%%, p90 %.1f%%, bias %+.1f%%\n"
			    "#   in sample:               median %.1f%%, p90 %.1f%%, bias %+.1f%%\n"
			    "#   leave one benchmark out: median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
			    g.n, g.runs, g.max[0], g.step[0], g.max[1], g.step[1], g.max[2],
			    g.step[2], g.max[3], g.step[3], g.n_chat, g.n - g.n_chat, g.before_median,
			    g.before_p90, g.before_bias, g.in_median, g.in_p90, g.in_bias,
			    g.loo_median, g.loo_p90, g.loo_bias);
		for (int ep = 0; ep < FE_N; ep++) {
			/* an endpoint with no row took the other's constants */
			int borrowed = ep == FE_CHAT ? g.n_chat == 0 : g.n_chat == g.n;
			e.fe[ep] = g.coef[ep];
			for (int t = 0; t < FE_NTERM; t++) {
				char *note = nt.fe[ep][t];
				if (borrowed)
					snprintf(note, sizeof(nt.fe[ep][t]), "not identified (no %s "
						 "row): the other endpoint's",
						 ep == FE_CHAT ? "chat" : "completions");
				else
					snprintf(note, sizeof(nt.fe[ep][t]),
						 "fitted; leave one out %.3g .. %.3g",
						 *frontend_term(&g.loo_lo[ep], t),
						 *frontend_term(&g.loo_hi[ep], t));
			}
		}
	}
	if (!name) {
		name_of(out, nm, sizeof(nm));
		name = nm;
	}
	if (strlcpy0(e.name, name, sizeof(e.name)) < 0)
		die("calibrate engine: --name: too long (at most %zu characters)", sizeof(e.name) - 1);
	if (source) {
		if (strlcpy0(e.source, source, sizeof(e.source)) < 0)
			die("calibrate engine: --source: too long (at most %zu characters)",
			    sizeof(e.source) - 1);
	} else {
		snprintf(e.source, sizeof(e.source), "fitted: %s (defaults and unfitted blocks: %s)",
			 cmd.buf, base);
	}
	sbuf_printf(&yaml, "%s", rep.buf);
	engine_profile_write(&e, &yaml, efit_comment, &nt);
	{
		/* what is written must read back: a profile `--engine FILE` accepts */
		struct engine_profile back;
		if (engine_profile_parse(&back, yaml.buf, yaml.len, out) < 0)
			bug("calibrate engine: written profile does not parse: %s", err_msg());
	}
	if (file_write_atomic(out, yaml.buf, yaml.len))
		die_err();
	fputs(rep.buf, stdout);
	printf("wrote %s\n", out);
	sbuf_release(&rep);
	sbuf_release(&cmd);
	sbuf_release(&yaml);
	vset_release(&s);
	free(files);
	return EXIT_OK;
}

/* ---- moe ---- */

static int cmd_moe(int argc, char **argv)
{
	const char *prof = NULL, *dtype = NULL, *kernel = NULL, *dist = "balanced", *yaml = NULL;
	const char *resid = NULL, *tresid = NULL;
	const char **pos = xcalloc(argc, sizeof(*pos));
	const struct flag fl[] = {
		{"--profile", FLAG_VALUE, &prof, NULL, NULL},
		{"--dtype", FLAG_VALUE, &dtype, NULL, NULL},
		{"--kernel", FLAG_VALUE, &kernel, NULL, NULL},
		{"--distribution", FLAG_VALUE, &dist, NULL, NULL},
		{"--yaml", FLAG_VALUE, &yaml, NULL, NULL},
		{"--residuals", FLAG_VALUE, &resid, NULL, NULL},
		{"--table-residuals", FLAG_VALUE, &tresid, NULL, NULL},
		{0},
	};
	int np = parse(fl, argc, argv, pos, moe_usage);
	int d = -1;
	struct profile p;
	struct moe_set s = {0};
	struct moe_model mm;
	struct moe_fit_report rep;
	struct moe_table tab = {0};
	double peak, wb, loo_med = 0, loo_p90 = 0;
	size_t len;
	char *text;

	if (np == FLAGS_HELP) {
		free(pos);
		return EXIT_OK;
	}
	if (np != 1 || !prof || !dtype || !kernel)
		die("calibrate moe: %s (see --help)", np != 1 ? "expected one MOE_PERF.csv"
			: !prof ? "option '--profile' missing" : !dtype ? "option '--dtype' missing"
			: "option '--kernel' missing");
	die_if_input("--yaml", yaml, pos, 1);
	die_if_input("--residuals", resid, pos, 1);
	die_if_input("--table-residuals", tresid, pos, 1);
	for (int i = 0; i < MOE_DTS; i++)
		if (!strcmp(dtype, moe_dtypes[i].name))
			d = i;
	if (d < 0)
		die("option '--dtype': bad value '%s' (expected bf16, fp8 or mxfp4)", dtype);
	memset(&p, 0, sizeof(p));
	if (profile_load(&p, prof))
		die_err();
	/* the datatype that multiplies: fp8 on fp8 tensor cores, else bf16 (MXFP4 dequantised) */
	peak = moe_dtypes[d].fp8 ? p.gemm_fp8.peak : p.gemm_bf16.peak;
	wb = moe_dtypes[d].wb;
	if (moe_dtypes[d].fp8 && !profile_fp8_native(&p))
		die("option '--dtype': profile '%s' has no fp8 tensor cores (fp8 experts run "
		    "weight-only there; no table times that kernel)", p.name);
	if (!(text = file_read(pos[0], &len)))
		die_err();
	/* the MXFP4 tables time vLLM's Triton kernel: its layout (model_mxfp4_pad) */
	if (moe_fit_load(&s, text, len, pos[0], kernel, moe_dtypes[d].table, dist,
			 d == MOE_DT_MXFP4 ? MXFP4_TRITON : -1) ||
	    moe_fit(&mm, &s, peak, p.hbm_bw, wb, &rep))
		die_err();
	printf("moe_%s on %s: %zu rows, %d shapes (%s, %s, %s)\n", moe_dtypes[d].name, p.name,
	       rep.n, rep.shapes, kernel, moe_dtypes[d].table, dist);
	printf("  t0 %.4g s, eff %.4g, bw_eff %.4g, block %g, slot_bw_eff %.4g, expert_t %.4g s\n",
	       mm.t0, mm.eff, mm.bw_eff, mm.block, mm.slot_bw_eff, mm.expert_t);
	printf("  relative error in sample: median %.1f%%, p90 %.1f%%, max %.1f%%\n",
	       100 * rep.med, 100 * rep.p90, 100 * rep.max);
	printf("  held out by %s (3 folds): median %.1f%%, p90 %.1f%%, max %.1f%%\n",
	       rep.shapes >= 3 ? "shape" : "layout", 100 * rep.ho_med, 100 * rep.ho_p90,
	       100 * rep.ho_max);
	if (!strcmp(dist, "balanced")) {
		/* the table itself, as runs of its exact shapes read it (models/moe_table.h) */
		double *e;
		size_t ne;
		if (moe_table_parse(&tab, text, len, pos[0], moe_dtypes[d].table) ||
		    moe_table_loo(&tab, &e, &ne))
			die_err();
		if (ne) {
			gsl_sort(e, 1, ne);
			loo_med = gsl_stats_quantile_from_sorted_data(e, 1, ne, 0.5);
			loo_p90 = gsl_stats_quantile_from_sorted_data(e, 1, ne, 0.9);
			printf("  measured table: %d shapes; interpolated (Steffen, log-log) leaving one "
			       "token count out: median %.1f%%, p90 %.1f%%, max %.1f%% (%zu points)\n",
			       tab.n, 100 * loo_med, 100 * loo_p90, 100 * e[ne - 1], ne);
		}
		free(e);
		if (tresid) {
			struct sbuf y = {0};
			sbuf_printf(&y, "hidden,inter,experts,topk,tp,ep,tokens,measured_s,"
				    "held_out_s\n");
			for (int i = 0; i < tab.n; i++) {
				const struct moe_shape *sh = &tab.s[i];
				for (int j = 0; j < sh->n; j++) {
					double pr;
					sbuf_printf(&y, "%g,%g,%g,%g,%g,%g,%.6g,%.6g,", sh->h,
						    sh->inter, sh->experts, sh->topk, sh->tp, sh->ep,
						    exp(sh->x[j]), exp(sh->y[j]));
					if (moe_shape_loo(sh, j, &pr))
						sbuf_printf(&y, "%.6g", pr);
					sbuf_printf(&y, "\n");
				}
			}
			if (file_write_atomic(tresid, y.buf, y.len))
				die_err();
			sbuf_release(&y);
		}
	}
	if (resid) {
		struct sbuf y = {0};
		int bi = moe_fit_block_index(mm.block);
		sbuf_printf(&y, "tokens,hidden,inter_per_gpu,experts,topk,tp,ep,measured_s,predicted_s\n");
		for (size_t i = 0; i < s.n; i++) {
			const struct moe_row *r = &s.r[i];
			sbuf_printf(&y, "%g,%g,%g,%g,%g,%g,%g,%.6g,%.6g\n", r->tokens, r->h, r->f,
				    r->experts, r->topk, r->tp, r->ep, r->lat,
				    moe_fit_pred(&mm, r, bi, peak, p.hbm_bw, wb));
		}
		if (file_write_atomic(resid, y.buf, y.len))
			die_err();
		sbuf_release(&y);
	}
	if (yaml) {
		struct sbuf y = {0};
		const char *key[6] = {"t0", "eff", "bw_eff", "block", "slot_bw_eff", "expert_t"};
		double v[6] = {mm.t0, mm.eff, mm.bw_eff, mm.block, mm.slot_bw_eff, mm.expert_t};
		const char *base = strrchr(pos[0], '/');
		sbuf_printf(&y, "moe_%s:\n", moe_dtypes[d].name);
		for (int i = 0; i < 6; i++)
			sbuf_printf(&y, "  %s: %.17g  # fit: %s, %zu rows%s; held out %.1f%% median, "
				    "%.1f%% p90\n", key[i], v[i], base ? base + 1 : pos[0], rep.n,
				    i == 3 ? ", grid 16/32/64/128" : "", 100 * rep.ho_med,
				    100 * rep.ho_p90);
		if (tab.n)
			sbuf_printf(&y, "  table: %s  # measured: %d shapes of balanced rows, each "
				    "interpolated over the tokens; one token count left out %.1f%% "
				    "median, %.1f%% p90\n", pos[0], tab.n, 100 * loo_med,
				    100 * loo_p90);
		if (file_write_atomic(yaml, y.buf, y.len))
			die_err();
		sbuf_release(&y);
	}
	moe_set_release(&s);
	moe_table_release(&tab);
	free(text);
	free(pos);
	return EXIT_OK;
}

static int cmd_mla(int argc, char **argv)
{
	const char *prof = NULL, *kv = NULL, *yaml = NULL, *resid = NULL;
	const char **pos = xcalloc(argc, sizeof(*pos));
	const struct flag fl[] = {
		{"--profile", FLAG_VALUE, &prof, NULL, NULL},
		{"--kv", FLAG_VALUE, &kv, NULL, NULL},
		{"--yaml", FLAG_VALUE, &yaml, NULL, NULL},
		{"--residuals", FLAG_VALUE, &resid, NULL, NULL},
		{0},
	};
	int np = parse(fl, argc, argv, pos, mla_usage), fp8;
	struct profile p;
	struct mla_table tab = {0};
	struct mla_model mm;
	struct mla_fit_report rep;
	double kvb, *e = NULL, loo_med = 0, loo_p90 = 0;
	size_t len, ne;
	char *text;

	if (np == FLAGS_HELP) {
		free(pos);
		return EXIT_OK;
	}
	if (np != 1 || !prof || !kv)
		die("calibrate mla: %s (see --help)", np != 1 ? "expected one GENERATION_MLA.csv"
			: !prof ? "option '--profile' missing" : "option '--kv' missing");
	if (strcmp(kv, "bf16") && strcmp(kv, "fp8"))
		die("option '--kv': bad value '%s' (expected bf16 or fp8)", kv);
	die_if_input("--yaml", yaml, pos, 1);
	die_if_input("--residuals", resid, pos, 1);
	fp8 = !strcmp(kv, "fp8");
	kvb = fp8 ? 1 : 2;
	memset(&p, 0, sizeof(p));
	if (profile_load(&p, prof))
		die_err();
	if (!(text = file_read(pos[0], &len)))
		die_err();
	if (mla_table_parse(&tab, text, len, pos[0], fp8 ? "fp8" : "bfloat16") ||
	    mla_fit(&mm, &tab, &p, kvb, &rep))
		die_err();
	printf("mla_%s on %s: %zu kernel-bound points of %d head counts (%s, kv %s)\n", kv,
	       p.name, rep.n, rep.heads, tab.kernel, tab.kv_dtype);
	printf("  t0 %.4g s (attention.decode_t0, not fitted), seq_head %.4g s, bw_eff %.4g "
	       "(%.3g bytes/s)\n", mm.t0, mm.seq_head, mm.bw_eff, mm.bw_eff * p.hbm_bw);
	printf("  relative error in sample: median %.1f%%, p90 %.1f%%, max %.1f%%\n",
	       100 * rep.med, 100 * rep.p90, 100 * rep.max);
	printf("  held out by head count (3 folds): median %.1f%%, p90 %.1f%%, max %.1f%%\n",
	       100 * rep.ho_med, 100 * rep.ho_p90, 100 * rep.ho_max);
	printf("  before (no mla_%s section: FA3 decode terms, bmm GEMMs): median %.1f%%, "
	       "p90 %.1f%%, max %.1f%%\n", kv, 100 * rep.before_med, 100 * rep.before_p90,
	       100 * rep.before_max);
	mla_table_loo(&tab, &e, &ne);
	if (ne) {
		gsl_sort(e, 1, ne);
		loo_med = gsl_stats_quantile_from_sorted_data(e, 1, ne, 0.5);
		loo_p90 = gsl_stats_quantile_from_sorted_data(e, 1, ne, 0.9);
		printf("  measured table: %d head counts; interpolated (Steffen, log-log) leaving one "
		       "step out: median %.1f%%, p90 %.1f%%, max %.1f%% (%zu points)\n", tab.n,
		       100 * loo_med, 100 * loo_p90, 100 * e[ne - 1], ne);
	}
	free(e);
	if (resid) {
		struct sbuf y = {0};
		struct mla_point *pt;
		size_t n;
		mla_table_points(&tab, &pt, &n);
		sbuf_printf(&y, "heads,batch,step,measured_s,fitted_s,before_s\n");
		for (size_t i = 0; i < n; i++)
			sbuf_printf(&y, "%g,%g,%g,%.6g,%.6g,%.6g\n", pt[i].heads, pt[i].batch,
				    pt[i].step, pt[i].lat, mla_fit_pred(&mm, &p, kvb, &pt[i]),
				    mla_fit_pred(NULL, &p, kvb, &pt[i]));
		free(pt);
		if (file_write_atomic(resid, y.buf, y.len))
			die_err();
		sbuf_release(&y);
	}
	if (yaml) {
		struct sbuf y = {0};
		const char *key[3] = {"t0", "seq_head", "bw_eff"};
		double v[3] = {mm.t0, mm.seq_head, mm.bw_eff};
		const char *base = strrchr(pos[0], '/');
		sbuf_printf(&y, "mla_%s:\n", kv);
		sbuf_printf(&y, "  t0: %.17g  # attention.decode_t0 of %s, not fitted (calibration/"
			    "mla_fit.h)\n", v[0], p.name);
		for (int i = 1; i < 3; i++)
			sbuf_printf(&y, "  %s: %.17g  # fit: %s, %zu kernel-bound points (%s); held "
				    "out %.1f%% median, %.1f%% p90\n", key[i], v[i],
				    base ? base + 1 : pos[0], rep.n, tab.kernel, 100 * rep.ho_med,
				    100 * rep.ho_p90);
		sbuf_printf(&y, "  table: %s  # measured: %d head counts, kernel-bound points only; "
			    "one step left out %.1f%% median, %.1f%% p90\n", pos[0], tab.n,
			    100 * loo_med, 100 * loo_p90);
		if (file_write_atomic(yaml, y.buf, y.len))
			die_err();
		sbuf_release(&y);
	}
	mla_table_release(&tab);
	free(text);
	free(pos);
	return EXIT_OK;
}

static int cmd_deepep(int argc, char **argv)
{
	const char *prof = NULL, *yaml = NULL;
	const char **pos = xcalloc(argc, sizeof(*pos));
	const struct flag fl[] = {
		{"--profile", FLAG_VALUE, &prof, NULL, NULL},
		{"--yaml", FLAG_VALUE, &yaml, NULL, NULL},
		{0},
	};
	int np = parse(fl, argc, argv, pos, deepep_usage);
	struct profile p;
	struct deepep_set set[2] = {{0}, {0}};
	struct deepep_fit_report rep[2];
	static const char *const mode[2] = {"ll", "normal"}, *const op[2] = {"dispatch", "combine"};
	struct sbuf y = {0};

	if (np == FLAGS_HELP) {
		free(pos);
		return EXIT_OK;
	}
	if (np != 2 || !prof)
		die("calibrate deepep: %s (see --help)", np != 2 ? "expected LL.csv and NORMAL.csv"
			: "option '--profile' missing");
	die_if_input("--yaml", yaml, pos, 2);
	memset(&p, 0, sizeof(p));
	if (profile_load(&p, prof))
		die_err();
	for (int k = 0; k < 2; k++) {
		size_t len;
		char *text = file_read(pos[k], &len);
		if (!text || deepep_fit_load(&set[k], text, len, pos[k], k == 0) ||
		    deepep_fit(&set[k], &p, &rep[k]))
			die_err();
		free(text);
	}
	printf("deepep on %s: lat + tokens x top_k x hidden x 2 / bw, per rank count "
	       "(held out by token count, 3 folds; before: ttsim's NCCL all-to-all)\n", p.name);
	for (int g = 0; g < PROFILE_DEEPEP_N; g++) {
		if (!rep[0].n[g] && !rep[1].n[g])
			continue;
		if (yaml)
			sbuf_printf(&y, "deepep_%d:\n", 8 << g);
		for (int k = 0; k < 2; k++)
			for (int o = 0; o < 2; o++) {
				const struct deepep_fit_report *r = &rep[k];
				if (r->n[g] < 4)
					die("calibrate deepep: %s has %zu rows at %d ranks (expected at "
					    "least 4 for a fit)", pos[k], r->n[g], 8 << g);
				printf("  %3d ranks %-6s %-8s %3zu rows: lat %6.2f us, bw %8.4g B/s; "
				       "in sample %.1f%%, held out %.1f%% median (p90 %.1f%%); before "
				       "%.1f%%\n", 8 << g, mode[k], op[o], r->n[g], 1e6 * r->lat[g][o],
				       r->bw[g][o], 100 * r->med[g][o], 100 * r->ho_med[g][o],
				       100 * r->ho_p90[g][o], 100 * r->before_med[g][o]);
				if (yaml) {
					const char *b = strrchr(pos[k], '/');
					sbuf_printf(&y, "  %s_%s_lat: %.17g  # fit: %s, %zu rows; held "
						    "out %.1f%% median\n", mode[k], op[o], r->lat[g][o],
						    b ? b + 1 : pos[k], r->n[g], 100 * r->ho_med[g][o]);
					sbuf_printf(&y, "  %s_%s_bw: %.17g  # fit: %s, %zu rows; held "
						    "out %.1f%% median\n", mode[k], op[o], r->bw[g][o],
						    b ? b + 1 : pos[k], r->n[g], 100 * r->ho_med[g][o]);
				}
			}
	}
	if (yaml && file_write_atomic(yaml, y.buf, y.len))
		die_err();
	sbuf_release(&y);
	deepep_set_release(&set[0]);
	deepep_set_release(&set[1]);
	free(pos);
	return EXIT_OK;
}

int cmd_calibrate(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
	}
	if (!strcmp(argv[1], "fit"))
		return cmd_fit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "engine"))
		return cmd_engine(argc - 1, argv + 1);
	if (!strcmp(argv[1], "moe"))
		return cmd_moe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mla"))
		return cmd_mla(argc - 1, argv + 1);
	if (!strcmp(argv[1], "deepep"))
		return cmd_deepep(argc - 1, argv + 1);
	die("calibrate: unknown subcommand '%s' (expected fit, check, import, engine, moe, mla or "
	    "deepep)",
	    argv[1]);
}
