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

/* A first word that is no option, no file and near a command's name: a
 * mistyped command ("caliberate"). Returns its usage error's status, or 0. */
static int mistyped_command(const char *word)
{
    const char *names[sizeof commands / sizeof commands[0]], *near;
    size_t i;
    if (word[0] == '-' || plat_exists(word))
        return 0;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].name;
    if (!(near = cli_nearest(word, names, sizeof names / sizeof names[0])))
        return 0;
    cli_usage_error("unknown command '%s'; did you mean %s?", word, near);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    size_t i;
    int rc;
    plat_init(&argc, &argv);
    for (i = 0; argc > 1 && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            cli_subcommand = commands[i].name;
            return commands[i].run(argc - 1, argv + 1);
        }
    if (argc > 1 && (rc = mistyped_command(argv[1])) != 0)
        return rc;
    return cmd_estimate(argc, argv);
}
