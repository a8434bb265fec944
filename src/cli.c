/* cli: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "outfile.h"

const char *const cli_prog = "gpu_profiler";
const char *cli_subcommand;

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s%s%s --help' for more information.\n", cli_prog, cli_subcommand ? " " : "",
            cli_subcommand ? cli_subcommand : "");
}

int cli_save_output(const char *path, const char *signature, int force, int (*fn)(FILE *, void *), void *ctx)
{
    char why[512];
    if (strcmp(path, "-") == 0) { /* stdout, which then holds this output alone */
        if (fn(stdout, ctx) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "%s: writing to stdout: %s\n", cli_prog, strerror(errno));
            return EXIT_OUTPUT;
        }
        return EXIT_OK;
    }
    switch (outfile_write(path, signature, force, fn, ctx, why, sizeof why)) {
    case OUTFILE_OK:
        return EXIT_OK;
    case OUTFILE_FOREIGN:
        fprintf(stderr, "%s: %s exists and was not written by gpu_profiler; move it or use --force\n", cli_prog, path);
        return EXIT_OUTPUT;
    default:
        fprintf(stderr, "%s: %s: %s\n", cli_prog, path, why);
        return EXIT_OUTPUT;
    }
}

int cli_has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return n > m && strcasecmp(path + n - m, ext) == 0;
}

int cli_parse_positive(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (*s == '\0' || *end || errno || !(v >= lo && v <= hi)) {
        cli_usage_error("%s wants a number from %g to %g, not '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}
