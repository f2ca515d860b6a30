/* sweep_plan: `cisim sweep plan SPEC.yaml -o DIR`: reads a sweep spec (base config, varied
 * keys, mode grid/zip/random/sobol, replicates), checks that every point loads as a config,
 * and writes the plan: manifest, one override file per point, base.yaml and spec.yaml. */
#ifndef CISIM_SWEEP_PLAN_H
#define CISIM_SWEEP_PLAN_H

int sweep_plan(int argc, char **argv);

#endif
