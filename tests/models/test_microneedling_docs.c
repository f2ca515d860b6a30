/* docs/model.md lists every parameter of `cisim params microneedling` with its unit and
 * default (issue 3: "a cisim params microneedling listing matches the doc"). Each registry key
 * must appear as a table row "| `key` | unit | default |". */
#include "test_microneedling_util.h"

int main(void) {
  /* this file is tests/models/test_microneedling_docs.c: the doc is ../../docs/model.md from it */
  char path[4096];
  snprintf(path, sizeof path, "%s", __FILE__);
  char *slash = strrchr(path, '/');
  if (slash) *slash = '\0';
  else snprintf(path, sizeof path, ".");
  strncat(path, "/../../docs/model.md", sizeof path - strlen(path) - 1);
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("FAIL  cannot read %s\n", path);
    return 1;
  }
  static char doc[1 << 20];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  doc[n] = '\0';
  fclose(f);
  const model *m = model_find("microneedling");
  int fails = 0, count = 0;
  for (const param_desc *d = m->params; d->key; d++, count++) {
    char row[512];
    const char *unit = d->unit && strcmp(d->unit, "") ? d->unit : "";
    snprintf(row, sizeof row, "| `%s` | %s | %s |", d->key, unit, d->def ? d->def : "(required)");
    /* an empty unit cell is written "| |" */
    if (!unit[0]) snprintf(row, sizeof row, "| `%s` | | %s |", d->key, d->def ? d->def : "(required)");
    int ok = strstr(doc, row) != NULL;
    if (!ok) printf("FAIL  docs/model.md lacks the row: %s\n", row);
    fails += !ok;
  }
  printf("%s  %d registry keys with unit and default in docs/model.md\n", fails ? "FAIL" : "PASS",
         count);
  return fails != 0;
}
