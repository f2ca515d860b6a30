/* compare_params: the /parameters attributes of two run files, as exact text, merged by name:
 * each one that differs (or is in one file only) becomes an entry of the report. Unreadable
 * parameters only weaken the report; they never stop the comparison. */
#ifndef CISIM_COMPARE_PARAMS_H
#define CISIM_COMPARE_PARAMS_H

#include "compare_report.h"
#include "compare_runfile.h"
#include "error.h"

/* Appends the differing parameters of A and B, sorted by name, to r->params. */
cs_status compare_params(const compare_runfile *a, const compare_runfile *b, compare_report *r);

#endif
