/* test_profile.c: shipped profiles load and validate; write/parse round trip; bad YAML. */
#include <stdlib.h>
#include <string.h>

#include "models/comm.h"
#include "models/cost.h"
#include "models/profile.h"
#include "tests/test.h"
#include "lib/util.h"

/* Write p to a string (open_memstream is POSIX 2008). */
static char *write_str(const struct profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	CHECK_INT(profile_write(p, f), 0);
	fclose(f);
	return buf;
}

static void test_shipped(void)
{
	static const char *names[] = {"a100_sxm", "gh200", "h100_sxm", "h200_sxm"};
	struct profile p, q;

	CHECK_INT(profile_builtin_count(), 4);
	for (size_t i = 0; i < 4; i++) {
		CHECK_STR(profile_builtin_name(i), names[i]);
		int rc = profile_load(&p, names[i]);
		CHECK_INT(rc, 0);
		if (rc) {
			fprintf(stderr, "%s\n", err_msg());
			continue;
		}
		CHECK_STR(p.name, names[i]);
		CHECK_INT(profile_validate(&p, names[i]), 0);
		CHECK(profile_allreduce(&p, 2) != NULL);
		CHECK(profile_allreduce(&p, 4) != NULL);
		CHECK(profile_allreduce(&p, 3) == NULL);
		CHECK_INT(profile_allreduce(&p, 4)->n_gpus, 4);

		/* write -> parse gives the identical struct; writing again gives the same bytes */
		size_t len, len2;
		char *s = write_str(&p, &len);
		CHECK_INT(profile_parse(&q, s, len, "roundtrip.yaml"), 0);
		CHECK(memcmp(&p, &q, sizeof(p)) == 0);
		char *s2 = write_str(&q, &len2);
		CHECK_INT(len, len2);
		CHECK(len == len2 && memcmp(s, s2, len) == 0);
		free(s);
		free(s2);
	}
	CHECK(profile_builtin_name(4) == NULL);

	/* the optional GEMM tile terms survive write -> parse */
	{
		size_t len;
		CHECK_INT(profile_load(&p, "h100_sxm"), 0);
		p.gemm_fp8.sms = 132, p.gemm_fp8.cta_half = 0.5, p.gemm_fp8.wave_exp = 0.7;
		p.gemm_fp8.wave_time = 5e-7, p.gemm_fp8.row_time = 6e-9, p.gemm_fp8.k_lat = 2e-10;
		p.gemm_fp8.split_k = 1e5, p.gemm_fp8.act_time = 1.4e-12;
		char *s = write_str(&p, &len);
		CHECK(strstr(s, "\n  split_k: ") != NULL);
		CHECK_INT(profile_parse(&q, s, len, "tiles.yaml"), 0);
		CHECK_INT(profile_validate(&q, "tiles.yaml"), 0);
		CHECK(memcmp(&p.gemm_fp8, &q.gemm_fp8, sizeof(p.gemm_fp8)) == 0);
		free(s);
	}

	/* strings with the bytes YAML does not allow in a file (a parsed "\x7f" or "\n" holds
	 * them) are written escaped and read back the same (DEL was written raw) */
	{
		size_t len;
		CHECK_INT(profile_load(&p, "h100_sxm"), 0);
		strcpy(p.gpu, "H100\x7f\x01\n\"q\"\\");
		char *s = write_str(&p, &len);
		CHECK_INT(profile_parse(&q, s, len, "ctl.yaml"), 0);
		CHECK_STR(q.gpu, "H100\x7f\x01\n\"q\"\\");
		free(s);
	}

	CHECK_INT(profile_load(&p, "h100_sxm"), 0);
	CHECK_NEAR(p.hbm_bw, 3.35e12, 0);
	CHECK_NEAR(p.gemm_bf16.peak, 989e12, 0);
	CHECK_NEAR(p.gemm_fp8.peak, 1979e12, 0);
	CHECK_INT(p.gpus_per_node, 8);
	CHECK(profile_allreduce(&p, 8) != NULL);
	CHECK_INT(profile_load(&p, "gh200"), 0);
	CHECK_INT(p.gpus_per_node, 4);
	CHECK_STR(p.topology, "pairwise-nvlink");
	CHECK(profile_allreduce(&p, 4) != NULL); /* an 8-GPU entry, if any, is between nodes */
	CHECK_INT(profile_load(&p, "a100_sxm"), 0);
	CHECK_NEAR(p.gemm_fp8.peak, p.gemm_bf16.peak, 0); /* no fp8 on A100 */
	/* a fused-MoE section made in code is held to the parsed file's rules: block on the fit's
	 * grid (16..128), eff, bw_eff, block and slot_bw_eff above 0, t0 and expert_t optional */
	CHECK_INT(profile_load(&p, "h100_sxm"), 0);
	p.moe_fp8.block = 48;
	CHECK_INT(profile_validate(&p, "m.yaml"), -1);
	CHECK(strstr(err_msg(), "m.yaml: key 'moe_fp8.block': expected 16, 32, 64 or 128") != NULL);
	p.moe_fp8.block = 256;
	CHECK_INT(profile_validate(&p, "m.yaml"), -1);
	p.moe_fp8.block = 32;
	p.moe_fp8.t0 = p.moe_fp8.expert_t = 0;
	CHECK_INT(profile_validate(&p, "m.yaml"), 0);
	p.moe_fp8.slot_bw_eff = 0;
	CHECK_INT(profile_validate(&p, "m.yaml"), -1);
	CHECK(strstr(err_msg(), "key 'moe_fp8.slot_bw_eff': expected eff, bw_eff, block and slot_bw_eff") != NULL);

	/* a path works too, and an unknown name lists the shipped ones */
	CHECK_INT(profile_load(&p, "models/profiles/h200_sxm.yaml"), 0);
	CHECK_STR(p.name, "h200_sxm");
	CHECK_INT(profile_load(&p, "h300"), -1);
	CHECK(strstr(err_msg(), "unknown profile 'h300' (known: a100_sxm, gh200") == err_msg());
}

/* The H100 YAML with the text `from` replaced by `to`, and where from2 is not NULL, from2
 * by to2 as well, parsed and validated into *p. */
static int parse_edit2_into(struct profile *p, const char *from, const char *to,
			    const char *from2, const char *to2)
{
	size_t len;
	char *text = file_read("tests/data/frozen_h100.yaml", &len) /* text fixed, unlike the refitted profile */;
	const char *ed[2][2] = {{from, to}, {from2, to2}};
	int rc;

	if (!text)
		return -2;
	for (int i = 0; i < 2 && ed[i][0]; i++) {
		char *at = strstr(text, ed[i][0]);
		struct sbuf sb = {0};
		if (!at) {
			fprintf(stderr, "parse_edit: '%s' not found\n", ed[i][0]);
			free(text);
			return -2;
		}
		sbuf_add(&sb, text, (size_t)(at - text));
		sbuf_add(&sb, ed[i][1], strlen(ed[i][1]));
		sbuf_add(&sb, at + strlen(ed[i][0]), strlen(at + strlen(ed[i][0])));
		free(text);
		text = sb.buf, len = sb.len;
	}
	rc = profile_parse(p, text, len, "t.yaml");
	if (!rc)
		rc = profile_validate(p, "t.yaml");
	free(text);
	return rc;
}

static int parse_edit_into(struct profile *p, const char *from, const char *to)
{
	return parse_edit2_into(p, from, to, NULL, NULL);
}

static int parse_edit(const char *from, const char *to)
{
	struct profile p;
	return parse_edit_into(&p, from, to);
}

/* The optional all-reduce regimes: parsed after the five required keys, written back only
 * when set, checked in pairs, and their uncertainty named by GPU count. */
static void test_allreduce_regimes(void)
{
	static const char *last8 = "    car_bw: 1.50e11\n    car_max_bytes: 8388608\noverhead:";
	static const char *regimes8 =
		"    car_bw: 1.50e11\n    car_max_bytes: 8388608\n    ll128_lat: 2.7e-5\n"
		"    ll128_busbw: 3.0e11\n    simple_lat: 7.2e-5\n    simple_busbw: 4.6e11\n"
		"    car2_lat: 9.5e-6\n    car2_bw: 2.0e11\noverhead:";
	struct profile p, q, plain;
	size_t len;
	char *buf = NULL;

	CHECK_INT(parse_edit_into(&plain, "price:", "price:"), 0);
	CHECK_INT(parse_edit_into(&p, last8, regimes8), 0);
	const struct allreduce_model *a = profile_allreduce(&p, 8);
	CHECK(a && a->ll128_lat == 2.7e-5 && a->simple_busbw == 4.6e11 && a->car2_bw == 2e11);
	CHECK(profile_allreduce(&p, 4)->ll128_lat == 0); /* absent: 0, the one-line model */
	/* absent regimes are not written; present ones read back to the same struct */
	{
		FILE *f = open_memstream(&buf, &len);
		CHECK_INT(profile_write(&plain, f), 0);
		fclose(f);
		CHECK(strstr(buf, "ll128") == NULL && strstr(buf, "car2") == NULL);
		free(buf);
		buf = NULL;
		f = open_memstream(&buf, &len);
		CHECK_INT(profile_write(&p, f), 0);
		fclose(f);
		CHECK_INT(profile_parse(&q, buf, len, "rt.yaml"), 0);
		CHECK(memcmp(&p, &q, sizeof(p)) == 0);
		free(buf);
	}
	/* a latency without its bandwidth, or a two-stage kernel without the custom one */
	CHECK_INT(parse_edit(last8, "    car_bw: 1.50e11\n    car_max_bytes: 8388608\n"
				    "    ll128_lat: 2.7e-5\noverhead:"), -1);
	CHECK(strstr(err_msg(), "key 'allreduce[2].ll128_lat': expected ll128_lat in (0, 1e-2) s") != NULL);
	CHECK_INT(parse_edit(last8, "    car_bw: 1.50e11\n    car_max_bytes: 0\n"
				    "    car2_lat: 9.5e-6\n    car2_bw: 2e11\noverhead:"), -1);
	CHECK(strstr(err_msg(), "key 'allreduce[2].car2_lat': expected car_max_bytes > 0") != NULL);
	CHECK_INT(parse_edit(last8, "    car_bw: 1.50e11\n    car_max_bytes: 8388608\n"
				    "    simple_lat: 2e-2\n    simple_busbw: 4e11\noverhead:"), -1);
	CHECK(strstr(err_msg(), "simple_lat") != NULL);
	/* uncertainty of an all-reduce parameter: by GPU count; perturb scales that entry */
	CHECK_INT(parse_edit_into(&p, "price:", "uncertainty:\n  allreduce.8.busbw: 0.1\n"
					       "  allreduce.4.ll128_busbw: 0.2\nprice:"), 0);
	CHECK_INT(p.n_unc, 2);
	{
		double z[2] = {1, 1};
		profile_perturb(&p, z);
		CHECK_NEAR(profile_allreduce(&p, 8)->busbw, 3.79e11 * 1.1, 1e-12);
		CHECK(profile_allreduce(&p, 4)->ll128_busbw == 0); /* absent stays absent */
		CHECK(profile_allreduce(&p, 2)->busbw == 2.47e11);
	}
	CHECK_INT(parse_edit("price:", "uncertainty:\n  allreduce.3.busbw: 0.1\nprice:"), -1);
	CHECK(strstr(err_msg(), "key 'uncertainty.allreduce.3.busbw': not a numeric profile field") != NULL);
	CHECK_INT(parse_edit("price:", "uncertainty:\n  allreduce.8.n_gpus: 0.1\nprice:"), -1);
}

/* The optional attention terms: absent is 0 and not written; set, they read back to the
 * same struct; negative ones, CTA times of a millisecond, or an efficiency past 1 are
 * refused. */
static void test_attention_terms(void)
{
	static const char *bw = "  decode_bw: 3.0e12 ";
	static const char *terms = "  prefill_kv_bw: 6.8e11\n  prefill_tile: 1.4e-8\n"
				   "  decode_cta: 1.5e-8\n  decode_cta_dim: 8.4e-11\n"
				   "  decode_blk: 6.6e-7\n  prefill_tile_half: 67\n"
				   "  decode_split: 1.6e-6\n  decode_dyn_seq: 1.6e-8\n"
				   "  prefill_wide_eff: 0.53\n"
				   "  prefill_wave_exp: 0.21\n  prefill_cache_round: 1.8e-6\n"
				   "  decode_wide_t0: 6.4e-6\n  decode_wide_cta: 2.2e-7\n"
				   "  decode_l2_bytes: 5.0e7\n  decode_l2_bw: 4.6e12\n"
				   "  decode_bw: 3.0e12 ";
	struct profile p, q;
	size_t len;
	char *buf;

	CHECK_INT(parse_edit_into(&p, "price:", "price:"), 0);
	CHECK(p.attn_prefill.kv_bw == 0 && p.attn_prefill.tile == 0 && p.attn_decode.cta == 0 &&
	      p.attn_decode.cta_dim == 0 && p.attn_decode.blk == 0);
	CHECK(p.attn_prefill.tile_half == 0 && p.attn_decode.split == 0 &&
	      p.attn_decode.dyn_seq == 0 &&
	      p.attn_prefill.wide_eff == 0 && p.attn_decode.wide_t0 == 0 &&
	      p.attn_prefill.wave_exp == 0 && p.attn_prefill.cache_round == 0 &&
	      p.attn_decode.wide_cta == 0 && p.attn_decode.l2_bytes == 0 && p.attn_decode.l2_bw == 0);
	buf = write_str(&p, &len);
	CHECK(strstr(buf, "kv_bw") == NULL && strstr(buf, "cta") == NULL);
	CHECK(strstr(buf, "tile_half") == NULL && strstr(buf, "split") == NULL &&
	      strstr(buf, "blk") == NULL && strstr(buf, "dyn_seq") == NULL &&
	      strstr(buf, "wide") == NULL && strstr(buf, "l2_") == NULL &&
	      strstr(buf, "prefill_wave_exp") == NULL && strstr(buf, "cache_round") == NULL);
	free(buf);
	/* the prefill waves and cache rounds are over the SMs too: refused without the count */
	CHECK_INT(parse_edit_into(&p, bw, "  prefill_cache_round: 1.8e-6\n  decode_bw: 3.0e12 "), -1);
	CHECK(strstr(err_msg(), "key 'attention.prefill_cache_round': needs 'gemm_bf16.sms'") != NULL);
	/* the decode CTA terms run in waves over the SMs: refused without the SM count */
	CHECK_INT(parse_edit_into(&p, bw, "  decode_cta: 1.5e-8\n  decode_bw: 3.0e12 "), -1);
	CHECK(strstr(err_msg(), "key 'attention.decode_cta': needs 'gemm_bf16.sms'") != NULL);
	CHECK_INT(parse_edit_into(&p, bw, terms), -1); /* the first such term, in file order */
	CHECK(strstr(err_msg(), "key 'attention.decode_cta': needs 'gemm_bf16.sms'") != NULL);
	CHECK_INT(parse_edit2_into(&p, bw, terms, "  peak: 989e12", "  peak: 989e12\n  sms: 132"), 0);
	CHECK(p.attn_prefill.kv_bw == 6.8e11 && p.attn_prefill.tile == 1.4e-8 &&
	      p.attn_decode.cta == 1.5e-8 && p.attn_decode.cta_dim == 8.4e-11 &&
	      p.attn_decode.blk == 6.6e-7);
	CHECK(p.attn_prefill.tile_half == 67 && p.attn_decode.split == 1.6e-6 &&
	      p.attn_decode.dyn_seq == 1.6e-8 &&
	      p.attn_prefill.wide_eff == 0.53 && p.attn_decode.wide_t0 == 6.4e-6 &&
	      p.attn_decode.wide_cta == 2.2e-7 && p.attn_decode.l2_bytes == 5e7 &&
	      p.attn_decode.l2_bw == 4.6e12);
	CHECK(p.attn_prefill.wave_exp == 0.21 && p.attn_prefill.cache_round == 1.8e-6);
	buf = write_str(&p, &len);
	CHECK_INT(profile_parse(&q, buf, len, "rt.yaml"), 0);
	CHECK(memcmp(&p, &q, sizeof(p)) == 0);
	free(buf);
	/* each term out of range is refused by its own key (negative ones by the parser) */
	{
		static const char *const bad[][2] = {
			{"prefill_kv_bw: -1", "key 'attention.prefill_kv_bw': expected a non-negative"},
			{"decode_l2_bw: -1", "key 'attention.decode_l2_bw': expected a non-negative"},
			{"prefill_tile: 2e-3", "key 'attention.prefill_tile': expected a number in [0, 0.001]"},
			{"prefill_wide_eff: 1.5", "key 'attention.prefill_wide_eff': expected a number in [0, 1]"},
			{"decode_cta: 2e-3", "key 'attention.decode_cta': expected a number in [0, 0.001]"},
			{"decode_cta_dim: 2e-3", "key 'attention.decode_cta_dim': expected"},
			{"decode_blk: 2e-3", "key 'attention.decode_blk': expected"},
			{"decode_split: 2e-3", "key 'attention.decode_split': expected"},
			{"decode_dyn_seq: 2e-3", "key 'attention.decode_dyn_seq': expected"},
			{"decode_wide_t0: 2e-3", "key 'attention.decode_wide_t0': expected"},
			{"decode_wide_cta: 2e-3", "key 'attention.decode_wide_cta': expected"},
			{"prefill_wave_exp: 5", "key 'attention.prefill_wave_exp': expected a number in [0, 4]"},
			{"prefill_cache_round: 2e-3", "key 'attention.prefill_cache_round': expected"},
		};
		char edit[96];
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(edit, sizeof(edit), "  %s\n  decode_bw: 3.0e12 ", bad[i][0]);
			CHECK_INT(parse_edit2_into(&p, bw, edit, "  peak: 989e12", "  peak: 989e12\n  sms: 132"),
				  -1);
			if (!strstr(err_msg(), bad[i][1]))
				fprintf(stderr, "  '%s': got '%s'\n", bad[i][0], err_msg());
			CHECK(strstr(err_msg(), bad[i][1]) != NULL);
		}
	}
}

static void test_errors(void)
{
	struct profile p;

	CHECK_INT(parse_edit("  peak: 989e12", "  peek: 989e12"), -1);
	CHECK_STR(err_msg(), "t.yaml:22: key 'gemm_bf16.peek': unknown key (expected a key of the profile schema)");
	CHECK_INT(parse_edit("  eff_max: 0.93\n", ""), -1);
	CHECK(strstr(err_msg(), "t.yaml:") == err_msg());
	CHECK(strstr(err_msg(), "key 'gemm_bf16.eff_max': missing") != NULL);
	CHECK_INT(parse_edit("  hbm_bw: 3.35e12", "  hbm_bw: fast"), -1);
	CHECK_STR(err_msg(), "t.yaml:19: key 'memory.hbm_bw': expected a number, got 'fast'");
	CHECK_INT(parse_edit("  hbm_bw: 3.35e12", "  hbm_bw: -3.35e12"), -1);
	CHECK_STR(err_msg(), "t.yaml:19: key 'memory.hbm_bw': expected a non-negative number, "
			     "got '-3.35e12'");
	CHECK_INT(parse_edit("  eff_max: 0.93", "  eff_max: 1.5"), -1);
	CHECK_STR(err_msg(), "t.yaml:23: key 'gemm_bf16.eff_max': expected a fraction in (0, 1], got '1.5'");
	/* one edit each (from -> to), and what its error names */
	{
		static const char *const bad[][3] = {
			{"  hbm_bw: 3.35e12", "  hbm_bw: .nan", "key 'memory.hbm_bw': expected a number"},
			{"  hbm_bw: 3.35e12", "  hbm_bw: nan", "key 'memory.hbm_bw': expected a number"},
			{"  gpus_per_node: 8", "  gpus_per_node: 8.5",
			 "key 'node.gpus_per_node': expected a positive integer, got '8.5'"},
			{"    busbw: 3.0e11", "    busbw: 3.0e11\n    bus_bw: 1",
			 "key 'allreduce[1].bus_bw': unknown key"},
			{"schema_version: 1", "schema_version: 2", "t.yaml:7: key 'schema_version': expected 1, got '2'"},
			{"price:", "prices:", "key 'prices': unknown key"},
			{"  eff_max: 0.93", "  eff_max: [1]",
			 "key 'gemm_bf16.eff_max': expected a number, got a list"},
			{"  smooth: 2.75", "  smooth: 0.5", "key 'gemm_bf16.smooth'"},
			{"  topology: nvswitch", "  topology: ring", "key 'node.topology'"},
			{"  launch_graph: 1.5e-6", "  launch_graph: 1.5e-5", "launch_graph"},
			{"  - n_gpus: 4", "  - n_gpus: 2", "given twice"},
			{"    lat: 7.0e-6\n", "", "key 'allreduce[0].lat': missing"},
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK_INT(parse_edit(bad[i][0], bad[i][1]), -1);
			if (!strstr(err_msg(), bad[i][2]))
				fprintf(stderr, "  '%s' -> '%s': got '%s'\n", bad[i][0], bad[i][1], err_msg());
			CHECK(strstr(err_msg(), bad[i][2]) != NULL);
		}
	}

	/* the optional GEMM tile terms: in range, and only with the SM count */
	CHECK_INT(parse_edit("  smooth: 2.75", "  smooth: 2.75\n  sms: 132\n  k_lat: 8e-10"), 0);
	CHECK_INT(parse_edit("  smooth: 2.75", "  smooth: 2.75\n  k_lat: 8e-10"), -1);
	CHECK_STR(err_msg(), "t.yaml:29: key 'gemm_bf16.k_lat': needs 'gemm_bf16.sms' (the SM count) "
			     "to be set");
	CHECK_INT(parse_edit("  smooth: 2.75", "  smooth: 2.75\n  sms: 132.5"), -1);
	CHECK(strstr(err_msg(), "key 'gemm_bf16.sms': expected a whole number") != NULL);
	CHECK_INT(parse_edit("  smooth: 2.75", "  smooth: 2.75\n  sms: 132\n  wave_exp: 9"), -1);
	CHECK(strstr(err_msg(), "key 'gemm_bf16.wave_exp': expected a number in [0, 8], got '9'") != NULL);

	/* invalid YAML syntax names the line */
	CHECK_INT(profile_parse(&p, "a: 1\nb: [1, 2\nc: 3\n", 19, "s.yaml"), -1);
	CHECK(strstr(err_msg(), "s.yaml:") == err_msg());
	CHECK(strstr(err_msg(), "invalid YAML") != NULL);
	CHECK_INT(profile_parse(&p, "- 1\n", 4, "l.yaml"), -1);
	CHECK(strstr(err_msg(), "l.yaml:1: expected a mapping") == err_msg());
	CHECK_INT(profile_parse(&p, "schema_version: 1\n", 18, "m.yaml"), -1);
	CHECK(strstr(err_msg(), "m.yaml:1: key 'name': missing") == err_msg());
}

/* The schema table: keys unique, each SM-count term's count a key of the table, fitted
 * keys numbers, and a range check named by the row (not by code of its own). */
static void test_schema(void)
{
	size_t nk, nar, nfit = 0, dup = 0;
	const struct profile_key *k = profile_keys(&nk), *ak = profile_ar_keys(&nar);
	char buf[64];
	for (size_t i = 0; i < nk; i++) {
		for (size_t j = 0; j < i; j++)
			dup += !strcmp(k[i].key, k[j].key);
		CHECK(k[i].unit != NULL && k[i].meaning != NULL && k[i].meaning[0]);
		if (k[i].flags & PROFILE_SMS) {
			size_t j;
			profile_key_sms(&k[i], buf, sizeof(buf));
			for (j = 0; j < nk && strcmp(k[j].key, buf); j++)
				;
			CHECK(j < nk && k[j].type == PROFILE_DBL);
		}
		if (k[i].fit.fam != PROFILE_FIT_NONE) {
			CHECK(k[i].type == PROFILE_DBL);
			nfit++;
		}
	}
	CHECK_INT((int)dup, 0);
	CHECK_INT((int)nfit, 2 * 13 + 10 + 11); /* two GEMMs, prefill, decode attention */
	CHECK_INT((int)nar, 12);
	CHECK_STR(profile_key_range(&ak[1], buf, sizeof(buf)), "(0, 0.01)");
	CHECK_STR(profile_key_sms(&k[nk - 1], buf, sizeof(buf)), "gemm_bf16.sms");
	CHECK_INT(parse_edit("  hbm_bw: 3.35e12", "  hbm_bw: 0"), -1);
	CHECK_STR(err_msg(), "t.yaml:19: key 'memory.hbm_bw': expected a number in [1e+10, 1e+14] bytes/s, got '0'");
	/* plausible ranges: a TB/s figure typed as B/s, a peak typed in TFLOP/s (issue 14) */
	CHECK_INT(parse_edit("  hbm_bw: 3.35e12", "  hbm_bw: 3.35"), -1);
	CHECK(strstr(err_msg(), "key 'memory.hbm_bw': expected a number in [1e+10, 1e+14] bytes/s, got '3.35'") != NULL);
	CHECK_INT(parse_edit("  peak: 989e12", "  peak: 989"), -1);
	CHECK(strstr(err_msg(), "key 'gemm_bf16.peak': expected a number in [1e+12, 1e+17] FLOP/s, got '989'") != NULL);
	CHECK_INT(parse_edit("  smooth: 2.75", "  smooth: 2.75\n  sms: 132\n  k_lat: 8e-10"), 0);
	CHECK_INT(parse_edit("  smooth: 2.75", "  smooth: 2.75\n  sms: 132\n  act_time: 2e-6"), -1);
	CHECK_STR(err_msg(), "t.yaml:30: key 'gemm_bf16.act_time': expected a number in [0, 1e-06] s, got '2e-06'");
}

/* Collectives (models/comm.c) against hand-worked ring times on the fitted 4-GPU model. */
static void test_comm(void)
{
	struct profile p;
	const struct allreduce_model *ar;
	double b = 64e6;
	CHECK_INT(profile_load(&p, "h100_sxm"), 0);
	ar = profile_allreduce(&p, 4);
	CHECK(ar != NULL);
	if (!ar)
		return;
	CHECK(comm_allreduce(&p, b, 1, 1) == 0);
	CHECK(comm_alltoall(&p, 0, 4, 1) == 0);
	CHECK_NEAR(comm_allreduce(&p, b, 4, 1), cost_allreduce(ar, b), 1e-12);
	/* all-to-all: each rank sends 3/4 of its b bytes away */
	CHECK_NEAR(comm_alltoall(&p, b, 4, 1), ar->lat + b * 0.75 / ar->busbw, 1e-12);
	/* all-gather of a b-byte shard: 3 shards arrive at each rank */
	CHECK_NEAR(comm_allgather(&p, b, 4, 1), ar->lat + 3 * b / ar->busbw, 1e-12);
	CHECK(comm_alltoall(&p, b, 16, 1) < 0);
	CHECK(strstr(err_msg(), "do not fit") != NULL);
	p.net = (struct network_model){0};
	CHECK(comm_alltoall(&p, b, 8, 2) < 0);
	CHECK(strstr(err_msg(), "key 'nodes'") != NULL);
}

/* Collectives over nodes against hand-worked times: gh200 (4 GPUs a node) with a network
 * of round numbers, LL 5 us + 25 GB/s and Simple 100 us + 40 GB/s per NIC. */
static void test_comm_nodes(void)
{
	struct profile p;
	const struct allreduce_model *a4;
	double b = 64e6;
	CHECK_INT(profile_load(&p, "gh200"), 0);
	p.net = (struct network_model){.lat = 5e-6, .bw = 25e9, .simple_lat = 1e-4, .simple_bw = 40e9};
	a4 = profile_allreduce(&p, 4);
	CHECK(a4 != NULL);
	if (!a4)
		return;
	/* 8 ranks on 2 nodes: the node's 4-GPU all-reduce, then 16 MB shards (64 MB / 4) moved
	 * 2 x 1/2 x 16 MB = 16 MB per NIC in 2 steps: LL 10 us + 640 us, Simple 200 + 400 us */
	CHECK_NEAR(comm_allreduce(&p, b, 8, 2), cost_allreduce(a4, b) + 6e-4, 1e-12);
	/* 2 ranks on 2 nodes, 4 KiB: no node part; LL: 2 x 5 us + 4096 B / 25 GB/s */
	CHECK_NEAR(comm_allreduce(&p, 4096, 2, 2), 1e-5 + 4096 / 25e9, 1e-15);
	/* 16 ranks on 4 nodes: 2 (4-1)/4 x 64 MB / 4 = 24 MB per NIC in 6 steps:
	 * LL 30 us + 960 us, Simple 600 us + 600 us -> LL */
	CHECK_NEAR(comm_allreduce(&p, b, 16, 4), cost_allreduce(a4, b) + 9.9e-4, 1e-12);
	/* all-to-all, 8 MB a rank over 8 ranks on 2 nodes: half leaves by the NIC (4 MB:
	 * LL 5 + 160 us), a quarter x 3/4 over NVLink at the same time (shorter) */
	CHECK_NEAR(comm_alltoall(&p, 8e6, 8, 2), 1.65e-4, 1e-12);
	CHECK(a4->lat + 8e6 * 4 / 8 * 0.75 / a4->busbw < 1.65e-4);
	/* all-gather of 1 MB shards: the remote shard of the rail (5 + 40 us), then the node
	 * gathers 8 MB: 3/4 of it arrives over NVLink */
	CHECK_NEAR(comm_allgather(&p, 1e6, 8, 2), 4.5e-5 + a4->lat + 6e6 / a4->busbw, 1e-12);
	CHECK_NEAR(comm_sendrecv(&p, 1e6, 2), 4.5e-5, 1e-12);
	CHECK_NEAR(comm_sendrecv(&p, 1e9, 2), 1e-4 + 1e9 / 40e9, 1e-12); /* Simple */
	/* layouts that do not fit, and a profile without a network */
	CHECK(comm_allreduce(&p, b, 6, 4) < 0);
	CHECK(strstr(err_msg(), "spread evenly") != NULL);
	CHECK(comm_allreduce(&p, b, 16, 2) < 0);
	CHECK(strstr(err_msg(), "do not fit in 2 'gh200' nodes of 4 GPUs") != NULL);
	p.net = (struct network_model){0};
	CHECK(comm_sendrecv(&p, 1e6, 2) < 0);
	CHECK(strstr(err_msg(), "no network section") != NULL);
}

/* The network section: optional, and its regimes come in pairs. */
static void test_network_keys(void)
{
	CHECK_INT(parse_edit("allreduce:", "network:\n  lat: 5e-6\n  bw: 2e10\nallreduce:"), 0);
	CHECK_INT(parse_edit("allreduce:", "network:\n  lat: 5e-6\nallreduce:"), -1);
	CHECK(strstr(err_msg(), "key 'network.bw': expected network.lat and network.bw both set") != NULL);
	CHECK_INT(parse_edit("allreduce:", "network:\n  simple_lat: 1e-4\n  simple_bw: 2e10\nallreduce:"), -1);
	CHECK(strstr(err_msg(), "key 'network.simple_lat': expected network.lat") != NULL);
	CHECK_INT(parse_edit("allreduce:", "network:\n  lat: 5e-2\n  bw: 2e10\nallreduce:"), -1);
	CHECK(strstr(err_msg(), "key 'network.lat': expected a number in") != NULL);
}

/* The attention_trtllm section (TensorRT-LLM's own kernels): each part optional, each
 * with its rate; shipped for H100 and H200 (both phases, 1.3.0rc20's tables) and A100 (the
 * prefill only: its 1.0.0 decode table was measured with a K-only cache), not GH200. */
static void test_trtllm_section(void)
{
	static const char *pre = "attention_trtllm:\n  prefill_t0: 1e-5\n  prefill_rate: 5e14\nprice:";
	struct profile p, plain;
	CHECK_INT(parse_edit_into(&plain, "price:", "price:"), 0);
	CHECK(plain.attn_prefill_trtllm.rate == 0 && plain.attn_decode_trtllm.bw == 0);
	CHECK_INT(parse_edit_into(&p, "price:", pre), 0);
	CHECK(p.attn_prefill_trtllm.t0 == 1e-5 && p.attn_prefill_trtllm.rate == 5e14);
	CHECK(p.attn_decode_trtllm.bw == 0); /* the decode part absent */
	CHECK(memcmp(&p.attn_prefill, &plain.attn_prefill, sizeof(p.attn_prefill)) == 0);
	CHECK_INT(profile_validate(&p, "t.yaml"), 0);
	/* a part without its rate, or with a zero rate, names the key and its line */
	CHECK_INT(parse_edit("price:", "attention_trtllm:\n  decode_t0: 1e-5\nprice:"), -1);
	CHECK(strstr(err_msg(), "key 'attention_trtllm.decode_bw': missing") != NULL);
	CHECK(strstr(err_msg(), "t.yaml:") == err_msg());
	CHECK_INT(parse_edit("price:", "attention_trtllm:\n  prefill_t0: 1e-5\n  prefill_rate: 0\nprice:"), -1);
	CHECK(strstr(err_msg(), "key 'attention_trtllm.prefill_rate': expected above 0") != NULL);
	CHECK_INT(parse_edit("price:", "attention_trtllm:\n  decode_bww: 1\nprice:"), -1);
	CHECK(strstr(err_msg(), "key 'attention_trtllm.decode_bww': unknown key") != NULL);
	p.attn_prefill_trtllm.rate = 0; /* made in code: the same rule */
	CHECK_INT(profile_validate(&p, "m.yaml"), -1);
	CHECK(strstr(err_msg(), "attention_trtllm.prefill_rate") != NULL);
	/* written back and read the same */
	{
		size_t len;
		struct profile q;
		CHECK_INT(profile_load(&p, "a100_sxm"), 0);
		char *s = write_str(&p, &len);
		CHECK(strstr(s, "\nattention_trtllm:\n  prefill_t0: ") != NULL);
		CHECK_INT(profile_parse(&q, s, len, "w.yaml"), 0);
		CHECK(memcmp(&p.attn_prefill_trtllm, &q.attn_prefill_trtllm, sizeof(q.attn_prefill_trtllm)) == 0);
		free(s);
	}
	/* the shipped sections */
	CHECK_INT(profile_load(&p, "a100_sxm"), 0);
	CHECK(p.attn_prefill_trtllm.rate > 0 && p.attn_decode_trtllm.bw == 0);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(profile_load(&p, i ? "h200_sxm" : "h100_sxm"), 0);
		CHECK(p.attn_prefill_trtllm.rate > 0 && p.attn_decode_trtllm.bw > 0);
		/* a physical cache read: below the HBM's peak (the K-only tables were not) */
		CHECK(p.attn_decode_trtllm.bw < p.hbm_bw);
	}
	CHECK_INT(profile_load(&p, "gh200"), 0);
	CHECK(p.attn_prefill_trtllm.rate == 0 && p.attn_decode_trtllm.bw == 0);
	/* taking the section: the parts there are, nothing where there is none */
	{
		struct profile q;
		CHECK_INT(profile_load(&q, "gh200"), 0);
		CHECK_INT(profile_use_trtllm_attention(&q), 0);
		CHECK(memcmp(&p, &q, sizeof(p)) == 0);
		CHECK_INT(profile_load(&p, "a100_sxm"), 0);
		q = p;
		CHECK_INT(profile_use_trtllm_attention(&q), PROFILE_ATTN_PREFILL);
		CHECK(memcmp(&q.attn_prefill, &p.attn_prefill_trtllm, sizeof(q.attn_prefill)) == 0);
		CHECK(memcmp(&q.attn_decode, &p.attn_decode, sizeof(q.attn_decode)) == 0);
		CHECK_INT(profile_load(&p, "h100_sxm"), 0);
		q = p;
		CHECK_INT(profile_use_trtllm_attention(&q), PROFILE_ATTN_PREFILL | PROFILE_ATTN_DECODE);
		CHECK(memcmp(&q.attn_decode, &p.attn_decode_trtllm, sizeof(q.attn_decode)) == 0);
	}
	/* the section's keys are attention's, in the same order: a key added to one and not
	 * the other fails here */
	{
		size_t n, na = 0, nt = 0;
		const struct profile_key *k = profile_keys(&n);
		const char *a[64], *t[64];
		for (size_t i = 0; i < n; i++) {
			if (!strncmp(k[i].key, "attention.", 10) && na < 64)
				a[na++] = k[i].key + 10;
			if (!strncmp(k[i].key, "attention_trtllm.", 17) && nt < 64)
				t[nt++] = k[i].key + 17;
		}
		CHECK(na > 20);
		CHECK_INT(nt, na);
		for (size_t i = 0; i < na && i < nt; i++)
			CHECK_STR(t[i], a[i]);
	}
}

int main(void)
{
	test_schema();
	test_shipped();
	test_errors();
	test_allreduce_regimes();
	test_attention_terms();
	test_comm();
	test_comm_nodes();
	test_network_keys();
	test_trtllm_section();
	return TEST_REPORT();
}
