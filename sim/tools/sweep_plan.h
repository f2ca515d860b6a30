/* sweep_plan: `cisim sweep plan SPEC.yaml -o DIR`: reads a sweep spec (base config, varied
 * keys with their values or ranges and distributions (sweep_vary.h), mode
 * grid/zip/random/sobol/saltelli/morris (sweep_design.h), replicates with distinct or paired
 * seeds), checks that every point loads as a config, and writes the plan: manifest, one
 * override file per point, base.yaml, design.txt and spec.yaml. */
#ifndef CISIM_SWEEP_PLAN_H
#define CISIM_SWEEP_PLAN_H

int sweep_plan(int argc, char **argv);

#endif
