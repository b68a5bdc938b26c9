/*
 * test_config.c: the option table. The accuracy model's defaults live twice, as text in
 * the option table (what experiment files and flags start from) and in tts_defaults()
 * (what `ttsim trace accuracy` starts from): they must agree. Setting options by name
 * checks types and bounds.
 */
#include "sim/config.h"
#include "tests/test.h"
#include "traces/tts.h"
#include "lib/util.h"

int main(void)
{
	struct run_config c;
	struct tts_params tp;
	config_defaults(&c);
	tts_defaults(&tp);
	CHECK_NEAR(c.tts_bf_kappa, tp.bf_kappa, 0);
	CHECK_INT(c.tts_answer_tokens, tp.answer_tokens);
	CHECK_NEAR(c.tts_wait_frac, tp.wait_frac, 0);
	CHECK_NEAR(c.tts_wait_shape, tp.wait_shape, 0);
	CHECK_NEAR(c.tts_wait_fix, tp.wait_fix, 0);
	CHECK_NEAR(c.tts_wait_break, tp.wait_break, 0);
	CHECK_NEAR(c.tts_rm_accuracy, tp.rm_accuracy, 0);

	CHECK_INT(config_set(&c, "tp", "4", "--tp"), 0);
	CHECK_INT(c.tp, 4);
	CHECK_INT(config_set(&c, "tp", "four", "--tp"), -1);
	CHECK_STR(err_msg(), "--tp: key 'tp': expected an integer, got 'four'");
	CHECK_INT(config_set(&c, "gpu_memory_utilization", "1.5", "x.yaml:3"), -1);
	CHECK(strstr(err_msg(), "x.yaml:3: key 'gpu_memory_utilization': 1.5 is out of range") == err_msg());
	CHECK_INT(config_set(&c, "vote", "plurality", "--vote"), -1);
	CHECK(strstr(err_msg(), "expected one of none, majority, best, pass") != NULL);
	CHECK_INT(config_set(&c, "no_such", "1", "--no-such"), -1);
	CHECK_INT(config_set(&c, "early_stop", "yes", "--early-stop"), 0);
	CHECK_INT(c.early_stop, 1);
	c.max_num_batched_tokens = 100;
	c.max_num_seqs = 256;
	CHECK_INT(config_check(&c), -1);
	return TEST_REPORT();
}
