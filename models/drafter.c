/* drafter.c: drafters in the target's checkpoint (see drafter.h). */
#include "models/drafter.h"

#include <math.h>
#include <stdlib.h>
#include <cjson/cJSON.h>

#include "lib/util.h"

int drafter_mtp_layers(const struct model *target, int *n)
{
	char *text;
	size_t len;
	cJSON *root;
	const cJSON *v;
	int rc = 0;
	*n = 0;
	if (target->alias[0]) /* a catalog model: its config.json has no MTP modules */
		return 0;
	if (!(text = file_read(target->source, &len)))
		return err_set("%s: key 'num_nextn_predict_layers': cannot read the model's "
			       "config.json", target->source);
	root = cJSON_ParseWithLength(text, len);
	free(text);
	if (!root)
		return err_set("%s: key 'num_nextn_predict_layers': the config.json does not "
			       "parse", target->source);
	v = cJSON_GetObjectItemCaseSensitive(root, "num_nextn_predict_layers");
	if (v && !cJSON_IsNull(v)) {
		double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
		if (!(d >= 0 && d <= DRAFTER_MTP_MAX && d == floor(d)))
			rc = err_set("%s: key 'num_nextn_predict_layers': expected a count in "
				     "0..%d", target->source, DRAFTER_MTP_MAX);
		else
			*n = (int)d;
	}
	cJSON_Delete(root);
	return rc;
}

double drafter_mtp_weight_bytes_per_gpu(const struct model *target, int n, int tp)
{
	/* one module: EAGLE-1's head (a layer, fc 2h -> h, norms) plus its own LM head */
	double lm = (double)target->vocab * target->hidden * dtype_bytes(target->weight_dtype) / tp;
	return n * (model_eagle_weight_bytes_per_gpu(target, EAGLE_1, tp) + lm);
}
