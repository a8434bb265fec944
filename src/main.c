/* gpu_profiler: estimates the power an application draws on an NVIDIA GPU
 * from Nsight Compute counters. main parses the command line, runs the
 * pipeline (runner -> ncu_csv -> estimate -> report) and is the only place
 * that prints errors. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "estimate.h"
#include "feature_table.h"
#include "model.h"
#include "outfile.h"
#include "report.h"
#include "runner.h"

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
    EXIT_OUTPUT = 7     /* an output file could not be written or would clobber one */
};

#define PREDICTIONS_CSV "predictions.csv"
#define LEGACY_CSV "extracted_data.csv"

static const char *prog = "gpu_profiler";

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
}

static void print_help(void)
{
    size_t i;
    printf("Usage: gpu_profiler [OPTIONS] -a APP [-s ARG]... [-- ARGS...]\n"
           "       gpu_profiler [OPTIONS] -c CSV\n"
           "       gpu_profiler [OPTIONS]            (reads ./" RUNNER_CSV_NAME " or ./" LEGACY_CSV ")\n"
           "\n"
           "Estimates the power an application draws on an NVIDIA GPU (min, avg and peak watts and\n"
           "energy, per task and per kernel) from Nsight Compute counters and a power model measured\n"
           "on real hardware.\n"
           "\n"
           "Input:\n"
           "  -a, --app APP        profile APP under ncu (--clock-control none), then estimate\n"
           "  -s, --arg ARG        one argument for APP (repeatable; no shell splitting)\n"
           "  --                   everything after it goes to APP as well\n"
           "  -c, --csv FILE       estimate from an ncu CSV: details or raw page, any units,\n"
           "                       ncu's stdout with program output mixed in; '-' reads stdin.\n"
           "                       -c wins over -a.\n"
           "      --ncu PATH       the ncu to run (default: $NCU, PATH, $CUDA_HOME/bin,\n"
           "                       /usr/local/cuda/bin, /opt/nvidia/nsight-compute/*/)\n"
           "      --output-dir DIR where -a leaves " RUNNER_REPORT_BASE ".ncu-rep and " RUNNER_CSV_NAME
           " (default .)\n"
           "\n"
           "Model:\n"
           "      --model FILE     use this model file (default: the built-in model for the GPU\n"
           "                       named in the CSV; the details page names none, then the first)\n"
           "      --list-features  print the features a model may use and the metrics behind them\n"
           "\n"
           "Output:\n"
           "  -m, --mode MODE      min, avg, peak or all: the figures the table shows (default avg)\n"
           "      --json           print one JSON document instead of the table\n"
           "      --per-kernel     list every kernel with its power split into components\n"
           "      --top N          kernels listed in the table (default 10)\n"
           "      --out-csv FILE   write task and per-kernel rows to FILE\n"
           "      --no-predictions do not write ./" PREDICTIONS_CSV " (the task rows, as the original\n"
           "                       tool did; written by default)\n"
           "      --force          replace output files that gpu_profiler did not write\n"
           "  -q, --quiet          no notes on stderr\n"
           "  -v, --verbose        also say how many non-CSV lines were skipped\n"
           "  -h, --help           this text\n"
           "  -V, --version        version and built-in models\n"
           "\n"
           "Output files are written whole or not at all (a temporary file, then a rename), and a file\n"
           "that gpu_profiler did not write is never replaced without --force.\n"
           "\n"
           "Definitions: a kernel's power is its steady-state power when run back to back. Per device,\n"
           "avg = sum(P_k * t_k) / sum(t_k) over GPU-busy time, energy = sum(P_k * t_k), min and peak\n"
           "are the lowest kernel minimum and the highest kernel peak. Idle gaps are not counted.\n"
           "\n"
           "Exit status:\n"
           "  0  success                      4  model file invalid, or no model for the GPU\n"
           "  1  internal error               5  ncu not found or failed\n"
           "  2  bad command line             6  the application was not found\n"
           "  3  CSV unreadable or unusable   7  an output file could not be written\n"
           "\n"
           "Built-in models:");
    if (model_builtin_count() == 0)
        printf(" none");
    for (i = 0; i < model_builtin_count(); i++)
        printf("%s %s", i ? "," : "", model_builtin(i)->gpu);
    printf("\n");
}

static void print_features(void)
{
    size_t i;
    printf("%-14s %-10s %s\n", "feature", "component", "meaning / raw metric / details-page metric");
    for (i = 0; i < features_count; i++) {
        const struct feature_def *f = &features_table[i];
        const struct metric_def *n = &features_metrics[f->num];
        printf("%-14s %-10s %s\n", f->name, f->component, f->what);
        printf("%-25s raw: %s%s%s\n", "", n->raw, f->den >= 0 ? " / " : "",
               f->den >= 0 ? features_metrics[f->den].raw : "");
        if (n->section && (f->den < 0 || features_metrics[f->den].section))
            printf("%-25s details: %s / %s%s%s\n", "", n->section, n->name, f->den >= 0 ? " over " : "",
                   f->den >= 0 ? features_metrics[f->den].name : "");
        else
            printf("%-25s details: not printed on the details page\n", "");
    }
}

static unsigned parse_mode(const char *s)
{
    if (strcmp(s, "min") == 0)
        return MODE_MIN;
    if (strcmp(s, "avg") == 0)
        return MODE_AVG;
    if (strcmp(s, "peak") == 0)
        return MODE_PEAK;
    if (strcmp(s, "all") == 0)
        return MODE_ALL;
    return 0;
}

struct csv_ctx {
    const struct estimate *e;
    struct report_opts o;
};

static int write_csv(FILE *f, void *ctx)
{
    struct csv_ctx *c = ctx;
    return report_csv.write(f, c->e, &c->o);
}

/* The metrics a model needs, as ncu's --metrics takes them. */
static char *metric_list(const struct model *m)
{
    unsigned char need[M_COUNT] = { 0 };
    size_t i, len = 0;
    char *s;
    need[M_DURATION] = 1;
    for (i = 0; m && i < m->nfeatures; i++) {
        const struct feature_def *f = &features_table[m->feature[i]];
        need[f->num] = 1;
        if (f->den >= 0)
            need[f->den] = 1;
    }
    if (!m) /* no model chosen yet: collect what any model may use */
        memset(need, 1, sizeof need);
    for (i = 0; i < M_COUNT; i++)
        len += strlen(features_metrics[i].raw) + 1;
    len += sizeof "device__attribute_display_name";
    s = malloc(len + 1);
    if (!s)
        return NULL;
    strcpy(s, "device__attribute_display_name");
    for (i = 0; i < M_COUNT; i++)
        if (need[i]) {
            strcat(s, ",");
            strcat(s, features_metrics[i].raw);
        }
    return s;
}

int main(int argc, char **argv)
{
    enum { O_MODEL = 256, O_JSON, O_OUT_CSV, O_NO_PRED, O_FORCE, O_PER_KERNEL, O_TOP, O_NCU, O_OUTDIR,
           O_LIST_FEATURES };
    static const struct option longopts[] = {
        { "mode", required_argument, NULL, 'm' },    { "app", required_argument, NULL, 'a' },
        { "arg", required_argument, NULL, 's' },     { "csv", required_argument, NULL, 'c' },
        { "model", required_argument, NULL, O_MODEL }, { "json", no_argument, NULL, O_JSON },
        { "out-csv", required_argument, NULL, O_OUT_CSV }, { "no-predictions", no_argument, NULL, O_NO_PRED },
        { "force", no_argument, NULL, O_FORCE },     { "per-kernel", no_argument, NULL, O_PER_KERNEL },
        { "top", required_argument, NULL, O_TOP },   { "ncu", required_argument, NULL, O_NCU },
        { "output-dir", required_argument, NULL, O_OUTDIR },
        { "list-features", no_argument, NULL, O_LIST_FEATURES },
        { "quiet", no_argument, NULL, 'q' },         { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *app = NULL, *csv = NULL, *model_path = NULL, *out_csv = NULL, *ncu = NULL, *out_dir = ".";
    char **app_args = NULL;
    size_t napp_args = 0, i;
    unsigned mode = MODE_AVG;
    int json = 0, no_pred = 0, force = 0, per_kernel = 0, quiet = 0, verbose = 0, c, rc = EXIT_OK;
    long top = 10;
    struct model model;
    struct estimate est;
    struct report_opts ro;
    char err[2048], csv_buf[1100];

    app_args = calloc((size_t)argc + 1, sizeof *app_args);
    if (!app_args) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_INTERNAL;
    }
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:a:s:c:qvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (!(mode = parse_mode(optarg))) {
                usage_error("invalid mode '%s' (use min, avg, peak or all)", optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            break;
        case 'a': app = optarg; break;
        case 's': app_args[napp_args++] = optarg; break;
        case 'c': csv = optarg; break;
        case O_MODEL: model_path = optarg; break;
        case O_JSON: json = 1; break;
        case O_OUT_CSV: out_csv = optarg; break;
        case O_NO_PRED: no_pred = 1; break;
        case O_FORCE: force = 1; break;
        case O_PER_KERNEL: per_kernel = 1; break;
        case O_NCU: ncu = optarg; break;
        case O_OUTDIR: out_dir = optarg; break;
        case O_TOP: {
            char *end;
            errno = 0;
            top = strtol(optarg, &end, 10);
            if (*end || end == optarg || errno == ERANGE || top < 1 || top > 1000000) {
                usage_error("--top needs a whole number from 1 to 1000000, not '%s'", optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            break;
        }
        case O_LIST_FEATURES:
            print_features();
            free(app_args);
            return EXIT_OK;
        case 'q': quiet = 1; break;
        case 'v': verbose = 1; break;
        case 'h':
            print_help();
            free(app_args);
            return EXIT_OK;
        case 'V':
            printf("gpu_profiler %s\n", GPU_PROFILER_VERSION);
            for (i = 0; i < model_builtin_count(); i++)
                printf("built-in model: %s (ncu %s)\n", model_builtin(i)->gpu, model_builtin(i)->ncu_version);
            free(app_args);
            return EXIT_OK;
        case ':':
            if (strncmp(argv[optind - 1], "--", 2) != 0)
                fprintf(stderr, "%s: option '-%c' needs a value\n", prog, optopt);
            else
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, argv[optind - 1]);
            fprintf(stderr, "Try '%s --help' for more information.\n", prog);
            free(app_args);
            return EXIT_USAGE;
        default:
            if (optopt && strncmp(argv[optind - 1], "--", 2) != 0)
                fprintf(stderr, "%s: unknown option '-%c'\n", prog, optopt);
            else
                fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[optind - 1]);
            fprintf(stderr, "Try '%s --help' for more information.\n", prog);
            free(app_args);
            return EXIT_USAGE;
        }
    }
    for (; optind < argc; optind++) {
        if (!app) {
            usage_error("unexpected argument '%s' (application arguments need -a APP first)", argv[optind]);
            free(app_args);
            return EXIT_USAGE;
        }
        app_args[napp_args++] = argv[optind];
    }
    if (!app && napp_args) {
        usage_error("%s", "-s gives an argument to the application: it needs -a APP");
        free(app_args);
        return EXIT_USAGE;
    }
    if (csv && app && !quiet)
        fprintf(stderr, "%s: -c given: not running -a %s; estimating from %s\n", prog, app, csv);

    if (model_path) {
        if (model_load(model_path, &model, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, model_path, err);
            free(app_args);
            return EXIT_MODEL;
        }
    }

    if (!csv && app) {
        struct runner_opts o = { ncu, app, app_args, napp_args, out_dir, force, quiet, NULL };
        char *metrics = metric_list(model_path ? &model : NULL);
        int r;
        if (!metrics) {
            fprintf(stderr, "%s: out of memory\n", prog);
            free(app_args);
            return EXIT_INTERNAL;
        }
        o.metrics = metrics;
        r = runner_profile(&o, csv_buf, sizeof csv_buf, err, sizeof err);
        free(metrics);
        if (r != RUNNER_OK) {
            fprintf(stderr, "%s: %s\n", prog, err);
            free(app_args);
            return r == RUNNER_NO_APP ? EXIT_APP : r == RUNNER_OUTPUT ? EXIT_OUTPUT : EXIT_PROFILE;
        }
        csv = csv_buf;
    } else if (!csv) {
        if (access(RUNNER_CSV_NAME, F_OK) == 0)
            csv = RUNNER_CSV_NAME;
        else if (access(LEGACY_CSV, F_OK) == 0)
            csv = LEGACY_CSV;
        else {
            fprintf(stderr,
                    "%s: nothing to estimate: no -a APP, no -c CSV, and neither ./%s (left by a profiling run) "
                    "nor ./%s here\nTry '%s --help' for more information.\n",
                    prog, RUNNER_CSV_NAME, LEGACY_CSV, prog);
            free(app_args);
            return EXIT_USAGE;
        }
        if (!quiet)
            fprintf(stderr, "%s: reading %s\n", prog, csv);
    }
    free(app_args);

    estimate_init(&est, model_path ? &model : NULL);
    switch (estimate_file(&est, csv, err, sizeof err)) {
    case ESTIMATE_OK: break;
    case ESTIMATE_ERR_MODEL: rc = EXIT_MODEL; break;
    case ESTIMATE_ERR_NOMEM: rc = EXIT_INTERNAL; break;
    default: rc = EXIT_INPUT; break;
    }
    if (rc != EXIT_OK) {
        fprintf(stderr, "%s: %s: %s\n", prog, csv, err);
        estimate_free(&est);
        return rc;
    }
    if (verbose)
        fprintf(stderr, "%s: %s: %s page, %lu rows, %lu kernels, %lu lines that are not ncu CSV skipped\n", prog,
                csv, est.stats.page == NCU_PAGE_RAW ? "raw" : "details", est.stats.rows, est.stats.kernels,
                est.stats.lines_skipped);
    if (!quiet && est.model_guessed)
        fprintf(stderr, "%s: %s does not name its GPU; using the model for %s\n", prog, csv, est.used->gpu);
    if (!quiet && est.first_gpu[0] && strcmp(est.first_gpu, est.used->gpu) != 0)
        fprintf(stderr, "%s: the CSV was recorded on %s but the model is for %s\n", prog, est.first_gpu,
                est.used->gpu);

    memset(&ro, 0, sizeof ro);
    ro.mode = mode;
    ro.per_kernel = per_kernel;
    ro.top = (size_t)top;
    ro.input = csv;
    ro.color = !json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if ((json ? report_json : report_text).write(stdout, &est, &ro) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "%s: writing to stdout: %s\n", prog, strerror(errno));
        estimate_free(&est);
        return EXIT_OUTPUT;
    }

    if (out_csv) {
        struct csv_ctx cc = { &est, ro };
        switch (outfile_write(out_csv, REPORT_CSV_SIGNATURE, force, write_csv, &cc, err, sizeof err)) {
        case OUTFILE_OK: break;
        case OUTFILE_FOREIGN:
            fprintf(stderr, "%s: %s exists and was not written by gpu_profiler; not replaced (use --force)\n",
                    prog, out_csv);
            rc = EXIT_OUTPUT;
            break;
        default:
            fprintf(stderr, "%s: %s: %s\n", prog, out_csv, err);
            rc = EXIT_OUTPUT;
        }
    }
    if (!no_pred) {
        struct csv_ctx cc = { &est, ro };
        cc.o.tasks_only = 1;
        switch (outfile_write(PREDICTIONS_CSV, REPORT_CSV_SIGNATURE, force, write_csv, &cc, err, sizeof err)) {
        case OUTFILE_OK: break;
        case OUTFILE_FOREIGN:
            /* a side file the user did not ask for by name: warn, do not fail */
            if (!quiet)
                fprintf(stderr, "%s: note: ./%s exists and was not written by gpu_profiler; left as it is "
                                "(--force replaces it, --no-predictions skips it)\n", prog, PREDICTIONS_CSV);
            break;
        default:
            if (!quiet)
                fprintf(stderr, "%s: note: ./%s not written: %s\n", prog, PREDICTIONS_CSV, err);
        }
    }
    estimate_free(&est);
    return rc;
}
