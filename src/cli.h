/* cli: what the command-line front ends share (main.c dispatches to one
 * cmd_*.c per subcommand): exit codes, the program's name in messages,
 * usage errors and the output files a user names. Only the front ends
 * print; the stages they run return codes and messages. */
#ifndef GPU_PROFILER_CLI_H
#define GPU_PROFILER_CLI_H

#include "plat.h"
#include <stdio.h>

#ifndef GPU_PROFILER_VERSION
#define GPU_PROFILER_VERSION "0.1.0"
#endif

/* Exit codes: also in --help, README.md and gpu_profiler.1. */
enum exit_code {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,  /* out of memory, a bug */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_INPUT = 3,     /* CSV unreadable, not ncu's, missing metrics, no kernels */
    EXIT_MODEL = 4,     /* model file invalid or no model for the GPU */
    EXIT_PROFILE = 5,   /* ncu not found or failed */
    EXIT_APP = 6,       /* the application was not found */
    EXIT_OUTPUT = 7,    /* an output file could not be written or would clobber one */
    EXIT_GPU = 8,       /* calibrate: no usable GPU, driver, NVML, or a benchmark failed its check */
    EXIT_APP_FAILED = 9,/* the application ran and failed (non-zero status or a signal); what was
                           profiled or measured is still printed */
    EXIT_NO_MARKER = 10 /* measure: the start marker line never came */
};

#define PREDICTIONS_CSV "predictions.csv"
#define LEGACY_CSV "extracted_data.csv"

extern const char *const cli_prog; /* "gpu_profiler", the prefix of every message */
extern const char *cli_subcommand; /* the subcommand running ("fit"...), NULL for the estimate: usage
                                      errors point to its --help */

/* "gpu_profiler: <message>" and the pointer to --help, on stderr. */
void cli_usage_error(const char *fmt, ...) PLAT_PRINTF(1, 2);
/* Before the long part: path ('-' aside) can be written (absent with a
 * folder that takes a file, ours, or --force); else a message naming the path
 * and why, ending in "; " and done (say "nothing was run"), and EXIT_OUTPUT. */
int cli_check_output(const char *path, const char *signature, int force, const char *done);

/* Writes an output file the user named through outfile ("-": stdout);
 * EXIT_OK or EXIT_OUTPUT with the reason on stderr. */
int cli_save_output(const char *path, const char *signature, int force, int (*fn)(FILE *, void *), void *ctx);
/* Whether path ends with ext (case-insensitive). */
int cli_has_ext(const char *path, const char *ext);
/* A number of an option from lo to hi; 0, or -1 after a usage error. */
int cli_parse_positive(const char *opt, const char *s, double lo, double hi, double *out);
/* --sampled[=MS]: the PM sampling interval in ns, default_ms without a
 * value; 0, or -1 after a usage error. */
int cli_parse_sampled(const char *s, double default_ms, long long *interval_ns);

/* The candidate nearest to word in edit distance when near enough to be a
 * slip (1 for words of up to 4 characters, 2 up to 8, else 3): "caliberate"
 * gives "calibrate"; else NULL. */
const char *cli_nearest(const char *word, const char *const *cand, size_t n);
/* An unknown option's usage error ("sub: " before it when sub is not NULL),
 * with "did you mean --NAME?" where a long option of table is near it. */
struct option;
void cli_unknown_option(const char *sub, const char *opt, const struct option *table);

/* The subcommands: argv[0] is the subcommand's name (or the program's for
 * the estimate); each returns the exit status. */
int cmd_estimate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_measure(int argc, char **argv);

/* The sampled route (cmd_sampled.c): -a APP --sampled, or --timeline FILE
 * of such a run, without -c. */
struct sampled_cli {
    const char *app;
    char *const *args;
    size_t nargs;
    const char *timeline_path;  /* without app: the recorded run */
    const char *out_dir, *model_path, *start_marker, *stop_marker;
    const char *report_path;    /* --report FILE.svg|.html, or NULL */
    long long interval_ns;
    long top;
    int json, force, quiet, verbose, wide; /* wide: names as they are, not cut at SAMPLED_NAME_COLS */
};
/* An exit status, or SAMPLED_FALL_BACK: -a APP ran but PM sampling was
 * unavailable (the tracer's line said why), so the caller estimates by the
 * replay route (ncu) instead, as the issue asks of an unsupported GPU. */
#define SAMPLED_FALL_BACK (-2)
int cmd_sampled_run(struct sampled_cli *c);

#endif
