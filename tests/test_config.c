/*
 * test_config.c: the option table. Setting options by name checks types and bounds; the
 * accuracy model's options fill the struct that traces/tts.c takes.
 */
#include "sim/config.h"
#include "tests/test.h"
#include "lib/util.h"

int main(void)
{
	struct run_config c;
	config_defaults(&c);
	CHECK_INT(config_set(&c, "tts_rm_accuracy", "0.7", "--tts-rm-accuracy"), 0);
	CHECK_NEAR(c.tts.rm_accuracy, 0.7, 0);

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
	CHECK_INT(c.tts.early_stop, 1);
	c.max_num_batched_tokens = 100;
	c.max_num_seqs = 256;
	CHECK_INT(config_check(&c), -1);
	return TEST_REPORT();
}
