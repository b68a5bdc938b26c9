/* drafter.c: drafters in the target's checkpoint (see drafter.h). */
#include "models/drafter.h"

#include "lib/util.h"

int drafter_mtp_layers(const struct model *target, int *n)
{
	*n = target->n_mtp;
	/* DeepSeek's MTP block is a layer of the target's own kind: with MoE and MLA that is
	 * an MoE + MLA layer, which the EAGLE-1-shaped cost below does not describe */
	if (*n && (model_is_moe(target) || model_is_mla(target)))
		return err_set("the MTP modules of '%s' are Mixture-of-Experts / MLA layers, which "
			       "ttsim does not cost as a drafter yet (dense targets only)", target->id);
	return 0;
}

double drafter_mtp_weight_bytes_per_gpu(const struct model *target, int n, int tp)
{
	/* one module: EAGLE-1's head (a layer, fc 2h -> h, norms) plus its own LM head */
	double lm = (double)target->vocab * target->hidden * dtype_bytes(target->weight_dtype) / tp;
	return n * (model_eagle_weight_bytes_per_gpu(target, EAGLE_1, tp) + lm);
}
