/* params_suggest: "did you mean" for a misspelled key, choice or layer field — the closest
 * candidate by edit distance (whole key or its last part), if it is close enough to help. */
#ifndef CISIM_PARAMS_SUGGEST_H
#define CISIM_PARAMS_SUGGEST_H

#include <stddef.h>

#include "params.h"

/* out: "; did you mean 'grid.spacing_um'?" or "" (no close key of p's registry). */
void params_suggest_key(const params *p, const char *key, char *out, size_t sz);
/* The same among the words of a sep-separated list ("square|hex|random"). */
void params_suggest_word(const char *list, char sep, const char *word, char *out, size_t sz);

#endif
