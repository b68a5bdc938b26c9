/* test_sweep.c: sweep blocks (lists, ranges, errors, point order), Pareto fronts and the
 * cheapest feasible row on hand-made tables, and the capacity search against the closed-form
 * M/M/1 queue. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiments/capacity.h"
#include "experiments/pareto.h"
#include "experiments/report.h"
#include "experiments/sweep.h"
#include "tests/test.h"

static int load(struct sweep *s, const char *text)
{
	return sweep_load_text(s, text, strlen(text), "t.yaml");
}

static void test_parse(void)
{
	struct sweep s;
	struct run_config c;
	/* a rate and a concurrency axis: each point would run one and ignore the other */
	CHECK_INT(load(&s, "schema_version: 1\nrequests: 5\nsweep:\n  tp: [1, 2, 4]\n"
			   "  rate: {from: 1, to: 10, step: 4.5}\n"
			   "  concurrency: {from: 1, to: 64, factor: 2}\n"), -1);
	CHECK(strstr(err_msg(), "t.yaml:6: key 'concurrency': given with a rate") == err_msg());
	/* with arrival swept beside them, each point names its mode */
	CHECK_INT(load(&s, "schema_version: 1\nrequests: 5\nsweep:\n  tp: [1, 2, 4]\n"
			   "  rate: {from: 1, to: 10, step: 4.5}\n"
			   "  concurrency: {from: 1, to: 64, factor: 2}\n"
			   "  arrival: [closed]\n"), 0);
	CHECK_INT(s.n_axes, 4);
	sweep_release(&s);
	CHECK_INT(load(&s, "schema_version: 1\nrequests: 5\nsweep:\n  tp: [1, 2, 4]\n"
			   "  rate: {from: 1, to: 10, step: 4.5}\n"
			   "  max_num_seqs: {from: 1, to: 64, factor: 2}\n"), 0);
	CHECK_INT(s.n_axes, 3);
	CHECK_INT(s.n_points, 3 * 3 * 7);
	CHECK_STR(s.axes[1].vals[2], "10");
	CHECK_STR(s.axes[2].vals[6], "64");
	sweep_point_config(&s, 0, &c);
	CHECK_INT(c.tp, 1);
	/* last key fastest: point 1 changes max_num_seqs only */
	sweep_point_config(&s, 1, &c);
	CHECK_INT(c.max_num_seqs, 2);
	CHECK_INT(c.tp, 1);
	sweep_point_config(&s, 3 * 7 * 2 + 7 + 3, &c);
	CHECK_INT(c.tp, 4);
	CHECK_NEAR(c.rate, 5.5, 1e-12);
	CHECK_INT(c.max_num_seqs, 8);
	CHECK_INT(c.requests, 5);
	sweep_release(&s);
	/* the fingerprint follows the content, not comments or layout */
	{
		struct sweep a, b;
		CHECK_INT(load(&a, "schema_version: 1\nsweep: {tp: [1, 2]}\n"), 0);
		CHECK_INT(load(&b, "# c\nschema_version: 1\nsweep:\n  tp: [1,2]\n"), 0);
		CHECK(a.fingerprint == b.fingerprint);
		sweep_release(&b);
		CHECK_INT(load(&b, "schema_version: 1\nsweep: {tp: [1, 4]}\n"), 0);
		CHECK(a.fingerprint != b.fingerprint);
		sweep_release(&a);
		sweep_release(&b);
	}
}

static void bad(const char *text, const char *want)
{
	struct sweep s;
	int rc = load(&s, text);
	CHECK_INT(rc, -1);
	if (rc == 0)
		sweep_release(&s);
	else if (!strstr(err_msg(), want)) {
		test_failed++;
		fprintf(stderr, "error '%s' lacks '%s'\n", err_msg(), want);
	}
}

static void test_errors(void)
{
	bad("schema_version: 1\nsweep: {}\n", "t.yaml:2: key 'sweep': empty");
	bad("schema_version: 1\nsweep:\n", "key 'sweep': empty");
	bad("schema_version: 1\nsweep:\n  filters: {skip_unfit: true}\n", "key 'sweep': empty");
	bad("schema_version: 1\nsweep:\n  nosuch: [1]\n", "t.yaml:3: key 'nosuch': unknown parameter");
	bad("schema_version: 1\nsweep:\n  rate: {from: 1, to: 10, step: -1}\n",
	    "t.yaml:3: key 'rate': step -1 never reaches 10 from 1 (expected a positive step)");
	bad("schema_version: 1\nsweep:\n  concurrency: {from: 8, to: 64, factor: 0.5}\n",
	    "factor 0.5 never reaches");
	bad("schema_version: 1\nsweep:\n  tp: []\n", "key 'tp': empty list");
	bad("schema_version: 1\nsweep:\n  tp: [1, 99]\n", "t.yaml:3: key 'tp': 99 is out of range");
	bad("schema_version: 1\nsweep:\n  tp: {from: 1, to: 2, step: 0.5}\n", "is not an integer");
	bad("schema_version: 1\ntp: 2\n", "key 'sweep': missing");
	/* a key given twice in the sweep block, a range or the filters: refused as in every
	 * other block (libyaml keeps both pairs; the sweep once took the last, or said
	 * 'swept twice' in words of its own) */
	bad("schema_version: 1\nsweep:\n  tp: [1, 2]\n  samples: [1, 4]\n  tp: [4]\n",
	    "t.yaml:5: key 'tp': given twice (expected once)");
	bad("schema_version: 1\nsweep:\n  rate: {from: 1, to: 4, step: 1, step: 2}\n",
	    "t.yaml:3: key 'rate.step': given twice (expected once)");
	bad("schema_version: 1\nsweep:\n  tp: [1]\n  filters:\n    gpus: 2\n    gpus: 4\n",
	    "t.yaml:6: key 'filters.gpus': given twice (expected once)");
	bad("schema_version: 1\nsweep:\n  tp: [1]\nsweep:\n  tp: [2]\n",
	    "t.yaml:4: key 'sweep': given twice (expected once)");
}

static void test_pareto(void)
{
	/* (latency min, accuracy max): 0 and 2 are on the front; 1 is dominated by 0; 3 = 2 */
	double v[] = {1, 0.8, 2, 0.7, 3, 0.9, 3, 0.9, NAN, 1.0, 0.5, 0.1};
	int dir[] = {-1, +1};
	long out[6];
	long m = pareto_front(v, 6, 2, dir, out);
	CHECK_INT(m, 3);
	CHECK_INT(out[0], 0);
	CHECK_INT(out[1], 2);
	CHECK_INT(out[2], 5);
	/* the rows it considered: row 4 has no latency; a NaN in the second metric counts too */
	CHECK_INT(pareto_rows(v, 6, 2), 5);
	v[3] = NAN;
	CHECK_INT(pareto_rows(v, 6, 2), 4);
	CHECK_INT(metric_direction("accuracy"), 1);
	CHECK_INT(metric_direction("latency_p90_s"), -1);
}

static void test_best(void)
{
	double acc[] = {0.9, 0.95, 0.7, 0.92, 0.99};
	double lat[] = {10, 20, 5, 12, 100};
	double cost[] = {3, 2, 1, 2.5, 0.5};
	long second, b = best_pick(acc, lat, cost, 5, 0.85, 30, &second);
	CHECK_INT(b, 1);      /* 2 too inaccurate, 4 too slow */
	CHECK_INT(second, 3);
	b = best_pick(acc, lat, cost, 5, 0.99, 30, &second);
	CHECK_INT(b, -1);
	/* a row whose accuracy is NaN (not measured, or a row that did not run) never meets an
	 * accuracy floor, however cheap, nor the absence of one (-inf) */
	double acc2[] = {NAN, 0.9, 0.95};
	double lat2[] = {1, 10, 20};
	double cost2[] = {0.1, 3, 2};
	b = best_pick(acc2, lat2, cost2, 3, 0.5, 30, &second);
	CHECK_INT(b, 2);
	CHECK_INT(second, 1);
	b = best_pick(acc2, lat2, cost2, 3, -INFINITY, INFINITY, &second);
	CHECK_INT(b, 2);
}

/* experiments/report.c: the row filter and values that pareto, best and studies share */
static void test_report(void)
{
	struct table t;
	char dir[] = "/tmp/ttsim_report_XXXXXX", path[64];
	struct sbuf f = {0};
	if (!mkdtemp(dir))
		bug("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/report_test.csv", dir);
	sbuf_printf(&f, "id,tp,status,accuracy,latency_p90_s\n0,1,ok,0.8,10\n1,2,skipped,0.9,5\n"
			"2,4,ok,,7\n");
	CHECK_INT(report_write(dir, "report_test.csv", &f), 0);
	sbuf_release(&f);
	CHECK_INT(table_load_csv(&t, path), 0);
	remove(path);
	rmdir(dir);
	int c[2] = {3, 4};
	double *v = report_values(&t, c, 2);
	CHECK_NEAR(v[0], 0.8, 0);
	CHECK(isnan(v[2]) && isnan(v[3])); /* did not run */
	CHECK(isnan(v[4]));                /* empty cell */
	CHECK_NEAR(v[5], 7, 0);
	free(v);
	struct sbuf sb = {0};
	report_row_params(&t, 2, &sb);
	CHECK_STR(sb.buf, "tp=4");
	sb.len = 0;
	report_columns(&t, &sb);
	CHECK_STR(sb.buf, "tp, accuracy, latency_p90_s");
	sbuf_release(&sb);
	CHECK(report_cell_is("2.0", "2") && !report_cell_is("a", "b"));
	table_release(&t);
	char q[64];
	CHECK_STR(report_gp_text("p90_\"x\"", 1, q, sizeof(q)), "p90 \\\"x\\\"");
	CHECK_STR(report_gp_text("p90_s", 0, q, sizeof(q)), "p90_s");
	CHECK(report_is_latency("latency_p90_s") && !report_is_latency("accuracy"));
	double x[] = {1, 2, 4, NAN}, y[] = {1, 1.5}, z[] = {0, 1000};
	CHECK_INT(report_integer_axis(x, 4, 1), 1);
	CHECK_INT(report_integer_axis(y, 2, 1), 0);
	CHECK_INT(report_integer_axis(z, 2, 1), 0);
}

/* M/M/1 with service rate mu: the sojourn time is exponential with rate mu - lambda, so its
 * p90 is ln(10) / (mu - lambda), and the highest rate with p90 <= S is mu - ln(10) / S. */
struct mm1 { double mu, slo; int calls; };
static int mm1_meets(void *ctx, double rate, int *meets)
{
	struct mm1 *q = ctx;
	q->calls++;
	*meets = rate < q->mu && log(10) / (q->mu - rate) <= q->slo;
	return 0;
}

static void test_capacity(void)
{
	struct mm1 q = {50, 0.5, 0};
	double r;
	CHECK_INT(capacity_search(mm1_meets, &q, 1.0, 1e-3, &r), 0);
	CHECK_NEAR(r, 50 - log(10) / 0.5, 1e-3);
	CHECK(q.calls < 40);
	q.mu = 0.02; /* below the guess: halving */
	CHECK_INT(capacity_search(mm1_meets, &q, 1.0, 1e-3, &r), 0);
	CHECK(r == 0); /* 0.02 - 4.6 < 0: nothing meets */
	q.mu = 0.5;
	q.slo = 100;
	CHECK_INT(capacity_search(mm1_meets, &q, 1.0, 1e-3, &r), 0);
	CHECK_NEAR(r, 0.5 - log(10) / 100, 1e-3);
}

/* The fingerprint covers the CONTENTS of the files a point names (base or swept), the
 * shipped assets and the version: an edited profile is not resumed as the old one. */
static void test_fingerprint_inputs(void)
{
	char path[] = "/tmp/ttsim_test_sweep_XXXXXX", text[512];
	struct sweep a, b;
	int fd = mkstemp(path);
	FILE *f;
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	f = fopen(path, "w");
	fputs("a: 1\n", f);
	fclose(f);
	for (int swept = 0; swept < 2; swept++) {
		if (swept)
			snprintf(text, sizeof(text), "schema_version: 1\nsweep:\n  gpu: [gh200, %s]\n", path);
		else
			snprintf(text, sizeof(text), "schema_version: 1\ngpu: %s\nsweep: {tp: [1, 2]}\n", path);
		f = fopen(path, "w");
		fputs("a: 1\n", f);
		fclose(f);
		CHECK_INT(load(&a, text), 0);
		CHECK_INT(load(&b, text), 0);
		CHECK(a.fingerprint == b.fingerprint);
		sweep_release(&b);
		f = fopen(path, "a");
		fputs("# edited\n", f);
		fclose(f);
		CHECK_INT(load(&b, text), 0);
		CHECK(a.fingerprint != b.fingerprint);
		/* listed by name: the build (sources and embedded files), the file */
		CHECK_INT(b.n_inputs, 2);
		CHECK_STR(b.inputs[0].name, "ttsim:build");
		CHECK_STR(b.inputs[1].name, path);
		CHECK(a.inputs[1].hash != b.inputs[1].hash);
		sweep_release(&a);
		sweep_release(&b);
	}
	remove(path);
}

/* Values checked for duplicates in linear time: 200,000 distinct load, a repeat is named. */
static void test_many_values(void)
{
	struct sbuf sb = {0};
	struct sweep s;
	sbuf_printf(&sb, "schema_version: 1\nsweep:\n  seed: [");
	for (int i = 1; i <= 200000; i++)
		sbuf_printf(&sb, "%s%d", i > 1 ? ", " : "", i);
	sbuf_printf(&sb, "]\n");
	CHECK_INT(sweep_load_text(&s, sb.buf, sb.len, "big.yaml"), 0);
	CHECK_INT((int)s.n_points, 200000);
	CHECK_STR(s.axes[0].vals[199999], "200000");
	sweep_release(&s);
	/* its speed (linear: 0.2 s; it was 60-100 s) is make bench's, not a timed test's */
	sb.len = 0;
	sbuf_printf(&sb, "schema_version: 1\nsweep:\n  seed: [");
	for (int i = 1; i <= 1000; i++)
		sbuf_printf(&sb, "%d, ", i);
	sbuf_printf(&sb, "17]\n");
	CHECK_INT(sweep_load_text(&s, sb.buf, sb.len, "dup.yaml"), -1);
	CHECK(strstr(err_msg(), "key 'seed': value '17' listed twice") != NULL);
	sbuf_release(&sb);
}

int main(void)
{
	util_gsl_init();
	test_parse();
	test_errors();
	test_fingerprint_inputs();
	test_many_values();
	test_pareto();
	test_best();
	test_report();
	test_capacity();
	return TEST_REPORT();
}
