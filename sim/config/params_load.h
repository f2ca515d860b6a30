/* params_load: a YAML config and --set overrides bound against the parameter registry
 * (sim/core/params.h), with every error located as FILE:LINE:COL: key. */
#ifndef CISIM_PARAMS_LOAD_H
#define CISIM_PARAMS_LOAD_H

#include "error.h"
#include "params.h"

/* Load FILE, apply the --set overrides ("key.path=value", YAML value syntax), and validate
 * against the engine registry plus the registry of the model named by the key `model`.
 * model_registry_for(name) returns that model's param_desc list (key == NULL terminated) or
 * NULL for an unknown model. On failure p is left empty (params_free is still safe). */
typedef const param_desc *(*params_model_lookup)(const char *model_name);
cs_status params_load(params *p, const char *path, const char *const *sets, int nsets,
                      params_model_lookup model_registry_for);

/* The names of all models, used only to suggest one when `model` names none of them (the
 * lookup alone cannot list them). The CLI calls it once at start-up; the array must outlive
 * every params_load. Without it, an unknown model is reported without suggestions. */
void params_set_model_names(const char *const *names, int n);

#endif
