/* gpu_profiler: estimates the power an application draws on an NVIDIA GPU
 * from Nsight Compute counters. main picks the subcommand; each cmd_*.c
 * parses its command line, runs the pipeline's stages (runner -> ncu_csv ->
 * estimate -> report, or calibrate, fit, measure) and is the only place that
 * prints errors. */
#include <string.h>

#include "cli.h"
#include "plat.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    { "calibrate", cmd_calibrate },
    { "fit", cmd_fit },
    { "measure", cmd_measure },
};

int main(int argc, char **argv)
{
    size_t i;
    plat_init(&argc, &argv);
    for (i = 0; argc > 1 && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            cli_subcommand = commands[i].name;
            return commands[i].run(argc - 1, argv + 1);
        }
    return cmd_estimate(argc, argv);
}
