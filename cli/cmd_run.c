/* cmd_run.c: `ttsim run [EXPERIMENT.yaml] [--option value ...]`. */
#define _GNU_SOURCE /* renameat2(RENAME_EXCHANGE): swap --out directories in one step */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/assets.h"
#include "cli/cmd.h"
#include "experiments/replicate.h"
#include "sim/run.h"
#include "experiments/study.h"
#include "lib/flags.h"
#include "lib/util.h"
#include "lib/version.h"

#define HEADLINE "experiments/headline.yaml"

static void run_usage(FILE *f)
{
	size_t n;
	const struct option_def *o = config_options(&n);
	fprintf(f,
		"usage: ttsim run [EXPERIMENT.yaml] [--option value ...] [--format table|json|csv] "
		"[--out DIR]\n\n"
		"Simulate one configuration. With no arguments, run the headline study (the embedded\n"
		"%s). Options override the experiment file; each is also a YAML key\n"
		"(dashes become underscores).\n\n"
		"workload shortcuts:\n"
		"  --offline            all problems arrive at once (arrival: offline)\n"
		"  --rate QPS           Poisson arrivals (arrival: poisson)\n"
		"  --concurrency C      closed loop with C clients (arrival: closed)\n"
		"  --trace math500      the shipped MATH500 trace of the chosen model\n\n"
		"options:\n",
		HEADLINE);
	for (size_t i = 0; i < n; i++) {
		char flag[64];
		size_t k;
		for (k = 0; k < sizeof(flag) - 1 && o[i].name[k]; k++)
			flag[k] = o[i].name[k] == '_' ? '-' : o[i].name[k];
		flag[k] = 0;
		fprintf(f, "  --%-24s %s (default: %s)\n", flag, o[i].help,
			o[i].def[0] ? o[i].def : "none");
	}
	fprintf(f, "\noutput:\n  --format table|json|csv   what to print (default table)\n"
		   "  --out DIR                 write summary.json, requests.csv, problems.csv and\n"
		   "                            config.yaml; an earlier result in DIR is replaced\n"
		   "                            whole (a directory with other files is refused)\n\n"
		   "uncertainty:\n"
		   "  --replications R          run R seeds (seed, seed+1, ...): mean and 95%% t-interval\n"
		   "  --profile-uncertainty     also draw the profile's fitted parameters from their\n"
		   "                            'uncertainty:' block per replication (prediction interval)\n"
		   "                            and widen it by the model-form error: the 95%% band of\n"
		   "                            ln(measured/predicted) on the serving set's check part\n"
		   "                            (embedded) for the metric and the run's regime (at once,\n"
		   "                            closed, open; split conformal from 39 rows, Student t\n"
		   "                            below: VALIDATION.md, \"Honest intervals\")\n");
}

/* The option key of a flag name: "--max-num-seqs" -> "max_num_seqs" (cut to n). */
static const char *flag_key(const char *name, char *buf, size_t n)
{
	size_t k;
	for (k = 0; name[2 + k] && k < n - 1; k++)
		buf[k] = name[2 + k] == '-' ? '_' : name[2 + k];
	buf[k] = 0;
	return buf;
}

/* Parse argv into c (defaults, then the experiment file, then the flags). */
int run_parse_args(int argc, char **argv, struct run_config *c, struct run_args *a)
{
	int first = 1;
	struct config_layer l = {0}; /* the flags are one layer of the arrival rule */
	char w_arr[80], w_rate[80], w_conc[80];
	a->format = "table";
	a->out = NULL;
	a->profile_unc = 0;
	a->n_keys = 0;
	config_defaults(c);
	if (argc < 2) {
		const struct asset *h = asset_find(HEADLINE);
		if (!h)
			bug("headline experiment not embedded");
		if (config_load_yaml_text(c, (const char *)h->data, h->len, HEADLINE, NULL) < 0)
			return -1;
		return 0;
	}
	if (argv[1][0] != '-') {
		int has_sweep;
		if (config_load_yaml(c, argv[1], &has_sweep) < 0)
			return -1;
		if (has_sweep)
			return err_set("%s: key 'sweep': a sweep block (expected 'ttsim sweep %s')",
				       argv[1], argv[1]);
		first = 2;
	}
	for (int i = first; i < argc; i++) {
		char key[64], where[80];
		const char *val, *eq;
		const struct option_def *o;
		/* where: the flag without "=value" (cut to the buffer: flags can be any length);
		 * the flags are the option table's, so only the splitting is lib/flags.c's */
		if (flags_split(argv[i], where, sizeof(where), &eq) < 0)
			return err_set("unexpected argument '%s' (expected --option value; see 'ttsim run --help')", argv[i]);
		flag_key(where, key, sizeof(key));
		/* an option given twice: one of the two would be dropped unseen */
		for (int k = 0; k < a->n_keys; k++)
			if (!strcmp(a->keys[k], key))
				return err_set("%s: given twice (expected it once)", where);
		if (a->n_keys == RUN_MAX_FLAGS)
			return err_set("%s: more than %d options (expected fewer)", where, RUN_MAX_FLAGS);
		snprintf(a->keys[a->n_keys++], sizeof(a->keys[0]), "%s", key);
		if (!strcmp(key, "profile_uncertainty")) {
			a->profile_unc = 1;
			continue;
		}
		if (!strcmp(key, "offline")) {
			if (config_set(c, "arrival", "offline", where) < 0)
				return -1;
			l.arrival = strcpy(w_arr, where);
			continue;
		}
		o = config_option(key);
		if (o && o->type == OPT_BOOL && !eq) {
			/* "--early-stop" alone means true; "--chunked-prefill false" is read too */
			static const char *const words[] = {"true", "false", "yes", "no", "on", "off"};
			const char *v = "true";
			for (size_t w = 0; i + 1 < argc && w < sizeof(words) / sizeof(words[0]); w++)
				if (!strcmp(argv[i + 1], words[w]))
					v = argv[++i];
			if (config_set(c, key, v, where) < 0)
				return -1;
			continue;
		}
		if (!strcmp(key, "no_cuda_graphs") || !strcmp(key, "enforce_eager")) {
			c->cuda_graphs = 0;
			continue;
		}
		if (eq)
			val = eq;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return err_set("%s: key '%s': missing value (expected %s VALUE)", where, key, where);
		if (!strcmp(key, "format")) {
			if (strcmp(val, "table") && strcmp(val, "json") && strcmp(val, "csv"))
				return err_set("--format: unknown value '%s' (expected table, json or csv)",
					       val);
			a->format = val;
			continue;
		}
		if (!strcmp(key, "out")) {
			a->out = val;
			continue;
		}
		if (config_set(c, key, val, where) < 0)
			return -1;
		if (!strcmp(key, "arrival"))
			l.arrival = strcpy(w_arr, where);
		if (!strcmp(key, "rate"))
			l.rate = strcpy(w_rate, where);
		if (!strcmp(key, "concurrency"))
			l.concurrency = strcpy(w_conc, where);
	}
	/* --rate means Poisson arrivals and --concurrency a closed loop, as the keys do */
	return config_resolve_arrival(c, &l);
}

static cJSON *config_json(const struct run_config *c)
{
	size_t n;
	const struct option_def *o = config_options(&n);
	cJSON *j = cJSON_CreateObject();
	char v[300];
	for (size_t i = 0; i < n; i++) {
		config_value_text(c, &o[i], v, sizeof(v));
		if (o[i].type == OPT_INT || o[i].type == OPT_LONG || o[i].type == OPT_DOUBLE)
			cJSON_AddNumberToObject(j, o[i].name, strtod(v, NULL));
		else if (o[i].type == OPT_U64)
			/* a number, digit for digit: a double would round seeds above 2^53 */
			cJSON_AddRawToObject(j, o[i].name, v);
		else if (o[i].type == OPT_BOOL)
			cJSON_AddBoolToObject(j, o[i].name, !strcmp(v, "true"));
		else
			cJSON_AddStringToObject(j, o[i].name, v);
	}
	return j;
}

/* The whole JSON document of one run. */
static char *result_json(const struct run_config *c, const struct run_inputs *in,
			 const struct run_result *r, const struct replication *rep)
{
	cJSON *root = cJSON_CreateObject();
	struct run_config ce = *c;
	char *s;
	/* the config that was simulated: with the engine profile's defaults for what the run
	 * did not set, as run_simulate applied them (it succeeded, so they apply) */
	if (run_engine_defaults(&ce) < 0)
		ce = *c;
	cJSON_AddStringToObject(root, "ttsim", TTSIM_VERSION);
	cJSON_AddStringToObject(root, "model", in->model.id);
	cJSON_AddStringToObject(root, "profile", in->profile.name);
	if (in->attn_trtllm) /* the phases the profile's attention_trtllm section timed */
		cJSON_AddStringToObject(root, "attention_trtllm", run_attn_phases(in->attn_trtllm));
	cJSON_AddItemToObject(root, "config", config_json(&ce));
	cJSON_AddItemToObject(root, "summary", summary_to_json(&r->sum));
	if (rep)
		cJSON_AddItemToObject(root, "replications", replication_json(rep));
	s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}

static void csv_flatten(cJSON *o, const char *prefix, struct sbuf *h, struct sbuf *v)
{
	for (cJSON *x = o->child; x; x = x->next) {
		char name[256];
		snprintf(name, sizeof(name), "%s%s", prefix, x->string);
		if (cJSON_IsObject(x)) {
			char p[300];
			snprintf(p, sizeof(p), "%s.", name);
			csv_flatten(x, p, h, v);
			continue;
		}
		sbuf_printf(h, "%s%s", h->len ? "," : "", name);
		if (cJSON_IsNumber(x))
			sbuf_printf(v, "%s%.17g", v->len ? "," : "", x->valuedouble);
		else if (cJSON_IsString(x))
			sbuf_printf(v, "%s%s", v->len ? "," : "", x->valuestring);
		else if (cJSON_IsBool(x))
			sbuf_printf(v, "%s%s", v->len ? "," : "", cJSON_IsTrue(x) ? "true" : "false");
		else
			sbuf_printf(v, "%s", v->len ? "," : "");
	}
}

/* dir/name <- data, atomically; 0 or -1 with err_set. */
static int write_one(const char *dir, const char *name, const char *data, size_t len)
{
	struct sbuf path = {0};
	int rc;
	sbuf_printf(&path, "%s/%s", dir, name);
	rc = file_write_atomic(path.buf, data, len);
	sbuf_release(&path);
	return rc;
}

/* The files of a result directory (--out), the only ones write_out replaces. */
static const char *const out_files[] = {"summary.json", "requests.csv", "problems.csv",
					"config.yaml", NULL};

/* 1 if name is one of out_files, or a temporary of file_write_atomic ("NAME.tmp.PID"). */
static int out_file(const char *name)
{
	for (int i = 0; out_files[i]; i++) {
		size_t n = strlen(out_files[i]);
		if (!strncmp(name, out_files[i], n) && (!name[n] || !strncmp(name + n, ".tmp.", 5)))
			return 1;
	}
	return 0;
}

/* Is dir absent (0), a directory holding only a result's files (1), or something else
 * (-1 with err_set: a file, or a directory with other files that replacing would lose)? */
static int out_state(const char *dir)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 1;
	/* a symbolic link would be replaced by a directory of its own (its target left as it
	 * was); a directory the user may not write to, replaced beside it: both refused */
	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		return err_set("option '--out': '%s' is a symbolic link (expected a directory path: "
			       "give its target)", dir);
	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 0 : err_set("option '--out': '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set("option '--out': '%s' is not a directory (expected a directory to "
			       "create or an earlier result)", dir);
	if (access(dir, W_OK) != 0)
		return err_set("option '--out': '%s' is not writable (expected a directory this user "
			       "may write to)", dir);
	if (!(d = opendir(dir)))
		return err_set("option '--out': '%s': %s", dir, strerror(errno));
	while (rc > 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !out_file(e->d_name))
			rc = err_set("option '--out': '%s' holds '%s', which is not a ttsim result file "
				     "(expected a new or empty directory, or an earlier --out)",
				     dir, e->d_name);
	closedir(d);
	return rc;
}

/* Remove a result directory that out_state accepted (its files, then itself). */
static void out_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct sbuf p = {0};
	while (d && (e = readdir(d))) {
		if (!out_file(e->d_name))
			continue;
		p.len = 0;
		sbuf_printf(&p, "%s/%s", dir, e->d_name);
		unlink(p.buf);
	}
	if (d)
		closedir(d);
	sbuf_release(&p);
	rmdir(dir);
}

/* Remove what killed runs left beside DIR (".BASE.ttsim-new.PID", ".BASE.ttsim-old.PID" of
 * processes no longer alive) in its parent `parent` ("" for the working directory). */
static void out_sweep_stale(const char *parent, const char *base)
{
	DIR *d = opendir(*parent ? parent : ".");
	struct dirent *e;
	struct sbuf pre = {0}, p = {0};
	sbuf_printf(&pre, ".%s.ttsim-", base);
	while (d && (e = readdir(d))) {
		const char *t = e->d_name + pre.len;
		long pid;
		if (strncmp(e->d_name, pre.buf, pre.len))
			continue;
		if (!strncmp(t, "new.", 4) || !strncmp(t, "old.", 4))
			t += 4;
		else
			continue;
		if (parse_long(t, &pid) < 0 || pid <= 0 || !(kill((pid_t)pid, 0) < 0 && errno == ESRCH))
			continue;
		p.len = 0;
		sbuf_printf(&p, "%s%s", parent, e->d_name);
		if (out_state(p.buf) > 0)
			out_remove(p.buf);
	}
	if (d)
		closedir(d);
	sbuf_release(&pre);
	sbuf_release(&p);
}

/* Tests only: TTSIM_TEST_OUT_KILL=before-swap|after-swap kills the process (SIGKILL) at
 * that point of write_out, as a crash or kill -9 would. */
static void test_kill(const char *at)
{
	const char *k = getenv("TTSIM_TEST_OUT_KILL"), *t = getenv("TTSIM_TEST_TERM");
	if (k && !strcmp(k, at))
		raise(SIGKILL);
	if (t && !strcmp(t, at)) /* tests: a SIGTERM that lands exactly here */
		raise(SIGTERM);
}

/* Set by the SIGINT/SIGTERM handler (catch_signals, below): the signal's number. */
static volatile sig_atomic_t stop_flag;

/* Write the result into DIR so that DIR holds either the complete earlier result or the
 * complete new one, whenever the process dies (kill -9 included): the files go to a fresh
 * sibling directory ".NAME.ttsim-new.PID", which then takes DIR's place in one
 * renameat2(RENAME_EXCHANGE) (Linux); where that is unsupported, DIR is renamed aside and
 * the new one renamed in, leaving DIR briefly absent, never mixed. A crash leaves at most
 * a hidden sibling behind, which the next write_out to DIR removes. 0 or -1 with err_set. */
static int write_out(const char *dir_arg, const struct run_config *c, const struct run_result *r,
		     const char *json)
{
	struct sbuf sb = {0}, dir = {0}, tmp = {0}, old = {0};
	const char *base;
	char *slash;
	int rc = -1, state;

	sbuf_printf(&dir, "%s", dir_arg);
	while (dir.len > 1 && dir.buf[dir.len - 1] == '/')
		dir.buf[--dir.len] = 0;
	if ((state = out_state(dir.buf)) < 0)
		goto out;
	slash = strrchr(dir.buf, '/');
	base = slash ? slash + 1 : dir.buf;
	if (slash && slash != dir.buf) { /* the parent must exist for the sibling */
		*slash = 0;
		rc = mkdir_p(dir.buf);
		*slash = '/';
		if (rc < 0)
			goto out;
		rc = -1;
	}
	sbuf_printf(&tmp, "%.*s.%s.ttsim-new.%ld", (int)(base - dir.buf), dir.buf, base,
		    (long)getpid());
	sbuf_printf(&old, "%.*s.%s.ttsim-old.%ld", (int)(base - dir.buf), dir.buf, base,
		    (long)getpid());
	{
		char *parent = xstrdup(dir.buf);
		parent[base - dir.buf] = 0; /* "dir/" or "" */
		out_sweep_stale(parent, base);
		free(parent);
	}
	out_remove(tmp.buf); /* a leftover of an earlier process with this pid */
	if (mkdir(tmp.buf, 0755) != 0) {
		err_set("option '--out': cannot create '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	requests_csv(r, &sb);
	if (write_one(tmp.buf, "requests.csv", sb.buf, sb.len) < 0)
		goto fail;
	sb.len = 0;
	problems_csv(r, &sb);
	if (write_one(tmp.buf, "problems.csv", sb.buf, sb.len) < 0)
		goto fail;
	sb.len = 0;
	config_write_yaml(c, &sb);
	if (write_one(tmp.buf, "config.yaml", sb.buf, sb.len) < 0)
		goto fail;
	if (write_one(tmp.buf, "summary.json", json, strlen(json)) < 0)
		goto fail;
	test_kill("written");
	if (stop_flag) { /* a signal while the files were written: the old result stays */
		err_set("interrupted");
		goto fail;
	}
	test_kill("before-swap");
	if (state == 0) {
		if (rename(tmp.buf, dir.buf) != 0) {
			err_set("option '--out': cannot create '%s': %s", dir.buf, strerror(errno));
			goto fail;
		}
		rc = 0;
		goto out;
	}
#ifdef RENAME_EXCHANGE
	if (renameat2(AT_FDCWD, tmp.buf, AT_FDCWD, dir.buf, RENAME_EXCHANGE) == 0) {
		test_kill("after-swap");
		out_remove(tmp.buf); /* now the earlier result */
		rc = 0;
		goto out;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
		err_set("option '--out': cannot replace '%s': %s", dir.buf, strerror(errno));
		goto fail;
	}
#endif
	if (rename(dir.buf, old.buf) != 0) {
		err_set("option '--out': cannot replace '%s': %s", dir.buf, strerror(errno));
		goto fail;
	}
	if (rename(tmp.buf, dir.buf) != 0) {
		err_set("option '--out': cannot replace '%s': %s", dir.buf, strerror(errno));
		rename(old.buf, dir.buf); /* put the earlier result back */
		goto fail;
	}
	test_kill("after-swap");
	out_remove(old.buf);
	rc = 0;
	goto out;
fail:
	out_remove(tmp.buf);
out:
	sbuf_release(&sb);
	sbuf_release(&dir);
	sbuf_release(&tmp);
	sbuf_release(&old);
	return rc;
}

/* SIGINT or SIGTERM during the simulation: the engine stops at its next look at the flag
 * and the command exits 128 + the signal (130, 143; as `sweep` does) having written nothing
 * (results are written only at the end, into a sibling directory swapped in whole: see
 * write_out). The flag holds the signal. */

static void on_signal(int sig)
{
	stop_flag = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* A failed simulation: "interrupted" exits 128 + the signal, as shells report it. */
static __attribute__((noreturn)) void die_sim(void)
{
	if (stop_flag && !strcmp(err_msg(), "interrupted")) {
		fprintf(stderr, "ttsim: interrupted by signal %d; nothing was written\n", (int)stop_flag);
		exit(EXIT_SIGNAL_BASE + (int)stop_flag);
	}
	die_err();
}

/* `ttsim run STUDY.yaml [--out DIR] [--option value ...]`: a file with a sweep block is a
 * study: run its sweep (resuming what DIR already holds), then print its report. */
static int run_study(int argc, char **argv, const struct run_config *c)
{
	char dir[600], **sv = xcalloc((size_t)argc + 8, sizeof(char *));
	static char s_sweep[] = "sweep", s_out[] = "--out", s_resume[] = "--resume";
	int n = 0, rc;
	if (study_check(argv[1]) < 0)
		die_err();
	snprintf(dir, sizeof(dir), "out/%s", c->name[0] ? c->name : "study");
	sv[n++] = s_sweep;
	sv[n++] = argv[1];
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			snprintf(dir, sizeof(dir), "%s", argv[++i]);
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			i++; /* the study prints tables */
		} else {
			sv[n++] = argv[i];
		}
	}
	sv[n++] = s_out;
	sv[n++] = dir;
	sv[n++] = s_resume;
	rc = cmd_sweep(n, sv);
	free(sv);
	if (rc != EXIT_OK)
		return rc;
	if (study_report(argv[1], dir) < 0)
		die_err();
	return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	struct run_config c;
	struct run_args a;
	struct run_inputs in;
	struct run_result r;
	struct replication rep;
	int want_rep;
	char *json;

	if (flags_want_help(argc, argv)) {
		run_usage(stdout);
		return EXIT_OK;
	}
	if (argc >= 2 && argv[1][0] != '-') {
		int has_sweep;
		config_defaults(&c);
		if (config_load_yaml(&c, argv[1], &has_sweep) < 0)
			die_err();
		if (has_sweep)
			return run_study(argc, argv, &c);
	}
	catch_signals();
	if (run_parse_args(argc, argv, &c, &a) < 0)
		die_err();
	/* a check across keys names the key: with an experiment file, its line there too */
	if (run_load_inputs(&c, &in) < 0) {
		if (argc >= 2 && argv[1][0] != '-')
			config_err_in_file(argv[1], a.keys, a.n_keys);
		die_err();
	}
	in.stop = &stop_flag;
	if (run_simulate(&c, &in, &r) < 0) {
		if (argc >= 2 && argv[1][0] != '-' && !(stop_flag && !strcmp(err_msg(), "interrupted")))
			config_err_in_file(argv[1], a.keys, a.n_keys);
		die_sim();
	}
	want_rep = c.replications > 1 || a.profile_unc;
	if (want_rep) {
		if (a.profile_unc && !in.profile.n_unc)
			fprintf(stderr, "ttsim: profile '%s' has no 'uncertainty:' block; the interval "
					"covers seeds only\n",
				in.profile.name);
		if (replicate(&c, &in, a.profile_unc, &rep) < 0)
			die_sim();
	}
	json = result_json(&c, &in, &r, want_rep ? &rep : NULL);
	test_kill("after-sim");
	if (stop_flag) { /* a signal after the simulation, while the summary was computed */
		free(json);
		run_result_release(&r);
		run_inputs_release(&in);
		err_set("interrupted");
		die_sim();
	}
	if (a.out && write_out(a.out, &c, &r, json) < 0) {
		free(json); /* freed before exiting: LeakSanitizer reports it otherwise */
		die_sim();
	}
	if (!strcmp(a.format, "json")) {
		printf("%s\n", json);
	} else if (!strcmp(a.format, "csv")) {
		cJSON *root = cJSON_Parse(json);
		struct sbuf h = {0}, v = {0};
		csv_flatten(cJSON_GetObjectItem(root, "summary"), "", &h, &v);
		printf("%s\n%s\n", h.buf, v.buf);
		sbuf_release(&h);
		sbuf_release(&v);
		cJSON_Delete(root);
	} else {
		summary_print_table(&r.sum, &c, &in, stdout);
		if (want_rep) {
			printf("  %d replications%s: mean [95%% %s]\n", rep.n,
			       rep.profile_unc ? " with profile uncertainty" : "",
			       rep.profile_unc ? "prediction interval" : "confidence interval");
			for (int m = 0; m < REP_N; m++)
				printf("  %-20s %12.4g [%.4g, %.4g]\n", rep_metric_name(m),
				       rep.m[m].mean, rep.m[m].ci95_lo, rep.m[m].ci95_hi);
			if (rep.profile_unc) {
				printf("  model-form error: check part of the serving set, regime %s "
				       "(VALIDATION.md)\n", vregime_name(rep.regime));
				for (int m = 0; m < REP_N; m++)
					if (rep.form[m].method == VBAND_RANDOM_T)
						printf("  %-20s for a new deployment: random effects over "
						       "%ld benchmarks\n", rep_metric_name(m),
						       rep.form[m].groups);
			}
		}
	}
	free(json);
	run_result_release(&r);
	run_inputs_release(&in);
	return EXIT_OK;
}
