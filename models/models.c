/* The model table: a new model is one file in models/ plus one line here. */
#include <string.h>

#include "model.h"

extern const model model_diffusion;
extern const model model_fisher;
extern const model model_microneedling;
extern const model model_topical;

static const model *const table[] = {
    &model_diffusion,
    &model_fisher,
    &model_microneedling,
    &model_topical,
};

const model *const *model_list(int *n) {
  *n = (int)(sizeof table / sizeof table[0]);
  return table;
}

const model *model_find(const char *name) {
  if (!name) return NULL;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(table[i]->name, name) == 0) return table[i];
  return NULL;
}

const param_desc *model_registry_lookup(const char *name) {
  const model *m = model_find(name);
  return m ? m->params : NULL;
}
