/* cli: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
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

int cli_check_output(const char *path, const char *signature, int force, const char *done)
{
    char why[256], msg[2048];
    int w;
    if (!path || strcmp(path, "-") == 0)
        return EXIT_OK;
    w = outfile_may_write(path, signature, force, why, sizeof why);
    if (w == OUTFILE_OK)
        return EXIT_OK;
    outfile_refusal_message(msg, sizeof msg, path, w, why, "move it", 0);
    fprintf(stderr, "%s: %s; %s\n", cli_prog, msg, done);
    return EXIT_OUTPUT;
}

int cli_save_output(const char *path, const char *signature, int force, int (*fn)(FILE *, void *), void *ctx)
{
    char why[512], msg[2048];
    int w;
    if (strcmp(path, "-") == 0) { /* stdout, which then holds this output alone */
        if (fn(stdout, ctx) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "%s: writing to stdout: %s\n", cli_prog, strerror(errno));
            return EXIT_OUTPUT;
        }
        return EXIT_OK;
    }
    if ((w = outfile_write(path, signature, force, fn, ctx, why, sizeof why)) == OUTFILE_OK)
        return EXIT_OK;
    outfile_refusal_message(msg, sizeof msg, path, w, why, "move it", 0);
    fprintf(stderr, "%s: %s\n", cli_prog, msg);
    return EXIT_OUTPUT;
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

/* The edit distance from a to b (insertions, deletions, substitutions and
 * swaps of two neighbours count one each), up to 63 characters each; 99
 * when longer. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t d[64][64], i, j, n = strlen(a), m = strlen(b);
    if (n >= 64 || m >= 64)
        return 99;
    for (i = 0; i <= n; i++)
        d[i][0] = i;
    for (j = 0; j <= m; j++)
        d[0][j] = j;
    for (i = 1; i <= n; i++)
        for (j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *cli_nearest(const char *word, const char *const *cand, size_t n)
{
    size_t i, best = 99, len = strlen(word), slip = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    const char *found = NULL;
    for (i = 0; i < n; i++) {
        size_t dist = edit_distance(word, cand[i]);
        if (dist < best) {
            best = dist;
            found = cand[i];
        }
    }
    return best <= slip ? found : NULL;
}

/* The long option nearest to opt ("--jsn", "--jsn=1"), or NULL. */
static const char *nearest_option(const char *opt, const struct option *table)
{
    const char *names[128];
    char word[64];
    size_t n = 0, len;
    if (strncmp(opt, "--", 2) != 0)
        return NULL;
    len = strcspn(opt + 2, "=");
    if (len == 0 || len >= sizeof word)
        return NULL;
    memcpy(word, opt + 2, len);
    word[len] = '\0';
    for (; table->name && n < sizeof names / sizeof names[0]; table++)
        names[n++] = table->name;
    return cli_nearest(word, names, n);
}

void cli_unknown_option(const char *sub, const char *opt, const struct option *table)
{
    const char *near = nearest_option(opt, table);
    if (near)
        cli_usage_error("%s%sunknown option '%s'; did you mean --%s?", sub ? sub : "", sub ? ": " : "", opt, near);
    else
        cli_usage_error("%s%sunknown option '%s'", sub ? sub : "", sub ? ": " : "", opt);
}

int cli_parse_sampled(const char *s, double default_ms, long long *interval_ns)
{
    double ms = default_ms;
    if (s && cli_parse_positive("--sampled", s, 0.01, 1000, &ms) != 0)
        return -1;
    *interval_ns = (long long)(ms * 1e6 + 0.5);
    return 0;
}
