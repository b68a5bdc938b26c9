/* fuzz_kernel_tables.c: the measured kernel tables a profile points at or `ttsim calibrate
 * moe|mla|deepep` reads (aiconfigurator CSVs). The first byte picks the reader: 'e' the
 * fused-MoE table (moe_table_parse), 'f' its fit loader (moe_fit_load: the MXFP4 table's
 * kernel, dtype and padded layout when the second byte is odd, else bf16's), 'd' / 'n' the
 * DeepEP low-latency / normal table (deepep_fit_load), anything else the MLA decode table
 * (mla_table_parse: fp8 cache rows when the second byte is odd); the rest is the file.
 * Each reader returns 0 or -1 with err_set and releases what it made. */
#include "calibration/deepep_fit.h"
#include "calibration/moe_fit.h"
#include "models/mla_table.h"
#include "models/model.h"
#include "models/moe_table.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text;
	size_t len;
	if (size < 2 || size > FUZZ_MAX_INPUT)
		return 0;
	text = (const char *)data + 2;
	len = size - 2;
	if (data[0] == 'e') {
		struct moe_table t;
		memset(&t, 0, sizeof(t));
		if (moe_table_parse(&t, text, len, "moe.csv", "bfloat16") == 0)
			moe_table_release(&t);
	} else if (data[0] == 'f') {
		struct moe_set s;
		memset(&s, 0, sizeof(s));
		if (data[1] & 1) /* the MXFP4 table: its kernel, dtype and padded layout */
			(void)moe_fit_load(&s, text, len, "moe.csv",
					   "vllm_gptossmxfp4moe_triton_oaitritonmxfp4expertsmonolithic",
					   "w4a16_mxfp4", "balanced", MXFP4_TRITON);
		else
			(void)moe_fit_load(&s, text, len, "moe.csv", "vllm_fused_moe", "bfloat16",
					   "power_law_1.01", -1);
		moe_set_release(&s);
	} else if (data[0] == 'd' || data[0] == 'n') {
		struct deepep_set s;
		memset(&s, 0, sizeof(s));
		(void)deepep_fit_load(&s, text, len, "deepep.csv", data[0] == 'd');
		deepep_set_release(&s);
	} else {
		struct mla_table t;
		memset(&t, 0, sizeof(t));
		if (mla_table_parse(&t, text, len, "mla.csv", data[1] & 1 ? "fp8" : "bfloat16") == 0)
			mla_table_release(&t);
	}
	return 0;
}
