/* commands: the subcommands of the `cisim` program, the table main() dispatches on. Each is
 * defined in the file named after it (cmd_run.c, cmd_check.c, bench.c, compare_cli.c,
 * info.c, sweep.c, cmd_calibrate.c, cmd_validate.c) and returns the process exit status (0 success, 1 run failure, 2 bad usage
 * or configuration, 3 run stopped early with a checkpoint); only main() exits. */
#ifndef CISIM_COMMANDS_H
#define CISIM_COMMANDS_H

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_params(int argc, char **argv);
int cli_models(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_calibrate(int argc, char **argv);
int cli_validate(int argc, char **argv);

#endif
