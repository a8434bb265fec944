/* gpu_profiler: estimates the power an application draws on an NVIDIA GPU
 * from Nsight Compute counters. main parses the command line, runs the
 * pipeline (runner -> ncu_csv -> estimate -> report) and is the only place
 * that prints errors. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate.h"
#include "dataset.h"
#include "estimate.h"
#include "fit.h"
#include "measure.h"
#include "feature_table.h"
#include "inputs.h"
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
    EXIT_OUTPUT = 7,    /* an output file could not be written or would clobber one */
    EXIT_GPU = 8        /* calibrate: no usable GPU, driver, NVML, or a benchmark failed its check */
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
           "       gpu_profiler calibrate [-o MODEL] ...   (measure this GPU, fit a model; --help)\n"
           "       gpu_profiler fit DATASET [-o MODEL]     (refit a model from a dataset; --help)\n"
           "       gpu_profiler measure -a APP [-s ARG]... (measured power with NVML, no ncu; --help)\n"
           "\n"
           "Estimates the power an application draws on an NVIDIA GPU (min, avg and peak watts and\n"
           "energy, per task and per kernel) from Nsight Compute counters and a power model measured\n"
           "on real hardware.\n"
           "\n"
           "Input:\n"
           "  -a, --app APP        profile APP under ncu (--clock-control none), then estimate\n"
           "  -s, --arg ARG        one argument for APP (repeatable; no shell splitting)\n"
           "  --                   everything after it goes to APP as well\n"
           "  -c, --csv FILE       estimate from what ncu exported: a CSV of the raw page or of the\n"
           "                       details page of any section set (--set basic, detailed, full),\n"
           "                       any units, ncu's stdout with program output mixed in; '-' reads\n"
           "                       stdin; a report (FILE.ncu-rep, exported through ncu --import);\n"
           "                       a folder (its *.csv and *.ncu-rep). Repeatable: several files are\n"
           "                       one job (processes, GPUs, nodes), one task line per host and\n"
           "                       device. -c wins over -a.\n"
           "      --ncu PATH       the ncu to run (default: $NCU, PATH, $CUDA_HOME/bin,\n"
           "                       /usr/local/cuda/bin, /opt/nvidia/nsight-compute/*/)\n"
           "      --output-dir DIR where -a leaves " RUNNER_REPORT_BASE ".ncu-rep and " RUNNER_CSV_NAME
           " (default .)\n"
           "      --skip-kernels N profile from the (N+1)-th kernel launch on (ncu --launch-skip)\n"
           "      --max-kernels N  profile at most N kernel launches (ncu --launch-count); the estimate\n"
           "                       then stands for the whole run only if the run repeats that mix\n"
           "      --sample N       profile about 1 in N invocations of each kernel (2 to 10000; chosen\n"
           "                       by fixed endings of their numbers, spread so that no short period\n"
           "                       aliases, the same in every run; ncu --kernel-id) and count each\n"
           "                       profiled one about N times in the GPU time and energy: the run's\n"
           "                       mix at about 1/N of the cost,\n"
           "                       for runs whose kernels each run many times more than N. With -c:\n"
           "                       the CSV was profiled so (docs/ACCURACY.md measures what it adds)\n"
           "      --nvtx-range NAME profile only kernels inside the NVTX push/pop range NAME\n"
           "      --ncu-arg ARG    pass ARG to ncu as it is, before APP (repeatable), e.g. --ncu-arg=-k\n"
           "                       --ncu-arg='regex:^(?!nccl)' to leave NCCL's kernels unprofiled\n"
           "      --duration S     stop profiling after S seconds (ncu is sent SIGINT, as by Ctrl-C) and\n"
           "                       estimate from the kernels profiled until then\n"
           "      --measure        first run APP without ncu under NVML (as 'measure' does), then\n"
           "                       profile it; print the measurement beside the estimate with the\n"
           "                       error, and the estimate over the whole run (kernels plus the\n"
           "                       model's idle power between them; needs the whole run profiled;\n"
           "                       low for work at the power limit, whose kernels run longer than\n"
           "                       under ncu and whose short bursts above the limit are not capped);\n"
           "                       where the tracer was built (CUPTI), also the estimate over the\n"
           "                       traced run, as with --timeline, recorded in --output-dir\n"
           "      --timeline FILE  also estimate over the run recorded in FILE by 'gpu_profiler measure\n"
           "                       --timeline FILE': each traced kernel at the power of the profiled\n"
           "                       kernels of its name (by function name; others at the profile's\n"
           "                       mean), the GPU at idle between kernels, and kernels above the\n"
           "                       power limit uncapped where the run's power over 1 s stays under\n"
           "                       it (short bursts); min and peak over 0.1 s windows of the real\n"
           "                       timeline. The profile may cover part of the run (--nvtx-range)\n"
           "\n"
           "Model:\n"
           "      --fast           use the built-in fast model: 5 counters that ncu collects in one\n"
           "                       replay pass per kernel on the H100 (the full model needs 4); on the\n"
           "                       validation workloads its avg error is 8.5%% (H100) and 10.9%% (H200)\n"
           "                       against 7.8%% and 8.4%% (docs/ACCURACY.md)\n"
           "      --tier T         the built-in model of tier T: raw (the raw page's counters, what -a\n"
           "                       collects; the most accurate), fast, detailed (what the details\n"
           "                       page of --set detailed or full prints) or basic (ncu's default\n"
           "                       set). Default: the richest tier the input allows, printed on the\n"
           "                       first line with its error. On the H200 validation workloads the\n"
           "                       avg error is 8.4%% (raw), 21.8%% (detailed), 31.8%% (basic)\n"
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
           "      --report FILE    FILE.svg: a picture of power over the kernels in launch order,\n"
           "                       coloured by component, and the top kernels split into components\n"
           "                       (with --measure, the measured min/avg/peak drawn over it);\n"
           "                       FILE.html: the same picture with the tables, in one page\n"
           "      --no-predictions do not write ./" PREDICTIONS_CSV " (the task rows, as the original\n"
           "                       tool did; written by default)\n"
           "      --force          replace output files that gpu_profiler did not write\n"
           "  -q, --quiet          no notes on stderr (and no progress line during -a)\n"
           "  -v, --verbose        also say how many non-CSV lines were skipped\n"
           "  -h, --help           this text\n"
           "  -V, --version        version and built-in models\n"
           "\n"
           "Output files are written whole or not at all (a temporary file, then a rename), and a file\n"
           "that gpu_profiler did not write is never replaced without --force.\n"
           "\n"
           "Definitions: a kernel's power is its steady-state power when run back to back. Per device,\n"
           "avg = sum(P_k * t_k) / sum(t_k) over GPU-busy time, energy = sum(P_k * t_k), min and peak\n"
           "are the lowest and highest power averaged over 0.1 s sliding along the kernels laid end to\n"
           "end (what NVML's instant power, updated about 12 times a second, would show; the whole\n"
           "run when it is shorter). Idle gaps are not counted. Over a traced run (--timeline,\n"
           "--measure with the tracer) they are: avg and energy over the run's measured window,\n"
           "min and peak over 0.1 s windows of its real timeline.\n"
           "\n"
           "Exit status:\n"
           "  0  success                      4  model file invalid, or no model for the GPU\n"
           "  1  internal error               5  ncu not found or failed\n"
           "  2  bad command line             6  the application was not found\n"
           "  3  CSV unreadable or unusable   7  an output file could not be written\n"
           "  8  calibrate: no usable GPU, driver or NVML, or a microbenchmark failed its check\n"
           "  130, 143  -a was interrupted by SIGINT or SIGTERM: ncu was asked to stop (it saves its\n"
           "     report), and the estimate from what it had profiled was still printed\n"
           "\n"
           "Built-in models:");
    if (model_builtin_count() == 0)
        printf(" none");
    for (i = 0; i < model_builtin_count(); i++)
        printf("%s %s%s%s", i ? "," : "", model_builtin(i)->gpu, model_builtin(i)->variant[0] ? " " : "",
               model_builtin(i)->variant);
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
        printf("%-25s raw: %s%s%s%s%s\n", "", n->raw, f->sub > 0 ? " - " : "",
               f->sub > 0 ? features_metrics[f->sub].raw : "", f->den >= 0 ? " / " : "",
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

static int write_svg(FILE *f, void *ctx)
{
    struct csv_ctx *c = ctx;
    return report_svg.write(f, c->e, &c->o);
}

static int write_html(FILE *f, void *ctx)
{
    struct csv_ctx *c = ctx;
    return report_html.write(f, c->e, &c->o);
}

/* Whether path ends with ext (case-insensitive). */
static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return n > m && strcasecmp(path + n - m, ext) == 0;
}

/* The metrics a model needs, as ncu's --metrics takes them; with no model
 * chosen yet, what any model may use. */
static char *metric_list(const struct model *m, const char *variant)
{
    int feat[MODEL_MAX_FEATURES * 4];
    size_t n = 0, i, j;
    if (m)
        return features_metric_list(m->feature, m->nfeatures);
    /* the union of the built-in models' features (of that variant), else every feature */
    for (i = 0; i < model_builtin_count(); i++) {
        const struct model *b = model_builtin(i);
        if (strcmp(b->variant, variant ? variant : "") != 0)
            continue;
        for (j = 0; j < b->nfeatures && n < sizeof feat / sizeof feat[0]; j++)
            feat[n++] = b->feature[j];
    }
    return features_metric_list(feat, n);
}

static void print_calibrate_help(void)
{
    printf("Usage: gpu_profiler calibrate [OPTIONS]\n"
           "\n"
           "Measures this GPU's power over a suite of about 120 microbenchmarks (FP32, FP64, FP16/BF16\n"
           "and integer pipes, special functions, tensor cores, shared memory, L1, L2, DRAM, atomics,\n"
           "divergence, occupancy, idle), takes their counters in one ncu run, fits a power model and\n"
           "writes it. Each benchmark's result is checked, so none can have been optimised away;\n"
           "one with a wrong result is left out, with a note (up to a tenth of the suite: more, or\n"
           "any CUDA error, stops calibrate with exit status 8).\n"
           "Power comes from NVML: the energy counter for the average, the instant-power field polled\n"
           "every 5 ms for min and peak, idle measured first; each configuration is measured\n"
           "--repeats times in changing orders. Clocks, power limits, persistence and compute mode are\n"
           "never changed; ncu runs with --clock-control none. About 6 minutes with the probes\n"
           "(376 s on an H200 with 111 configurations; the 11 added since, SGEMM, bounded FP32\n"
           "accumulators and tensor work with memory traffic, cost about 25 s more).\n"
           "\n"
           "  -o, --output FILE    the model (default gpu_profiler.model); use it with --model FILE\n"
           "      --dataset FILE   the measured dataset (default gpu_profiler_dataset.csv), which\n"
           "                       'gpu_profiler fit' turns into the same model without a GPU\n"
           "      --log FILE       the run's log (default gpu_profiler_calibrate.log)\n"
           "      --device N       CUDA device ordinal (default 0; CUDA_VISIBLE_DEVICES applies)\n"
           "      --ncu PATH       the ncu to run (default: as for -a)\n"
           "      --only LIST      only these families, comma-separated (see --list)\n"
           "      --repeats N      measurements of each configuration (default 3, at least 2)\n"
           "      --window S       measured seconds per configuration and repeat (default and least\n"
           "                       0.5: NVML's energy counter changes too rarely in shorter ones)\n"
           "      --warmup S       seconds run before each window (default 0.2)\n"
           "      --limit-window S then measure the (up to 3) configurations that ran within 3%% of\n"
           "                       the power limit once more over S seconds (default 4; 0: not):\n"
           "                       the power manager swings over seconds, and min and peak at the\n"
           "                       limit come from these (family 'limit' in the dataset)\n"
           "      --no-gap-probes  do not measure the highest (at the limit: the one with the lowest\n"
           "                       clock), a middle and a DRAM configuration in bursts of 1, 5 and\n"
           "                       25 launches with the GPU idle 0.1-100 ms between them (family\n"
           "                       'gaps': how power falls between kernels and how long a burst may\n"
           "                       stay above the limit; about 95 s)\n"
           "      --list           print the suite for this GPU and exit\n"
           "      --force          replace output files that gpu_profiler did not write\n"
           "  -q, --quiet          no progress on stderr\n"
           "  -h, --help           this text\n"
           "\n"
           "Needs an NVIDIA GPU of compute capability 8.0 or newer, its driver (libcuda.so.1,\n"
           "libnvidia-ml.so.1), ncu with access to the counters, and a gpu_profiler built where make\n"
           "found nvcc (the microbenchmarks are compiled to PTX then and built in).\n"
           "Exit status: 0 ok, 2 usage, 4 fit failed, 5 ncu, 7 output file, 8 GPU/driver/check.\n");
}

static int parse_positive(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (*s == '\0' || *end || errno || !(v >= lo && v <= hi)) {
        usage_error("%s wants a number from %g to %g, not '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int cmd_calibrate(int argc, char **argv)
{
    enum { O_DATASET = 256, O_LOG, O_DEVICE, O_NCU, O_ONLY, O_REPEATS, O_WINDOW, O_WARMUP, O_LIST, O_FORCE,
           O_RUN_PLAN, O_LIMIT_WINDOW, O_NO_GAPS };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },   { "dataset", required_argument, NULL, O_DATASET },
        { "log", required_argument, NULL, O_LOG },    { "device", required_argument, NULL, O_DEVICE },
        { "ncu", required_argument, NULL, O_NCU },    { "only", required_argument, NULL, O_ONLY },
        { "repeats", required_argument, NULL, O_REPEATS }, { "window", required_argument, NULL, O_WINDOW },
        { "warmup", required_argument, NULL, O_WARMUP }, { "list", no_argument, NULL, O_LIST },
        { "force", no_argument, NULL, O_FORCE },      { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },           { "run-plan", required_argument, NULL, O_RUN_PLAN },
        { "limit-window", required_argument, NULL, O_LIMIT_WINDOW },
        { "no-gap-probes", no_argument, NULL, O_NO_GAPS },
        { NULL, 0, NULL, 0 },
    };
    struct calibrate_opts o;
    const char *run_plan = NULL;
    char err[2048];
    double v;
    int c, rc;
    calibrate_defaults(&o);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o.model_out = optarg; break;
        case O_DATASET: o.dataset_out = optarg; break;
        case O_LOG: o.log_out = optarg; break;
        case O_DEVICE:
            if (parse_positive("--device", optarg, 0, 1024, &v) != 0)
                return EXIT_USAGE;
            o.device = (int)v;
            break;
        case O_NCU: o.ncu = optarg; break;
        case O_ONLY: o.only = optarg; break;
        case O_REPEATS:
            if (parse_positive("--repeats", optarg, 2, 100, &v) != 0)
                return EXIT_USAGE;
            o.repeats = (int)v;
            break;
        case O_WINDOW:
            /* a 0.2 s window failed on an H100 (the energy counter changed
             * too rarely to average); 0.5 and 0.6 are what ran */
            if (parse_positive("--window", optarg, 0.5, 60, &o.window_s) != 0)
                return EXIT_USAGE;
            break;
        case O_WARMUP:
            if (parse_positive("--warmup", optarg, 0, 60, &o.warmup_s) != 0)
                return EXIT_USAGE;
            break;
        case O_LIMIT_WINDOW:
            if (parse_positive("--limit-window", optarg, 0, 60, &o.limit_window_s) != 0)
                return EXIT_USAGE;
            if (o.limit_window_s > 0 && o.limit_window_s < 0.5) {
                usage_error("--limit-window wants 0 (no limit probes) or 0.5 to 60 seconds, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_NO_GAPS: o.no_gap_probes = 1; break;
        case O_LIST: o.list = 1; break;
        case O_FORCE: o.force = 1; break;
        case 'q': o.quiet = 1; break;
        case 'h': print_calibrate_help(); return EXIT_OK;
        case O_RUN_PLAN: run_plan = optarg; break;
        case ':': usage_error("calibrate: option '%s' needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: usage_error("calibrate: unknown option '%s'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        usage_error("calibrate takes no operands ('%s')", argv[optind]);
        return EXIT_USAGE;
    }
    if (run_plan) {
        if (calibrate_run_plan(run_plan, o.device, err, sizeof err) != 0) {
            fprintf(stderr, "%s calibrate --run-plan: %s\n", prog, err);
            return EXIT_GPU;
        }
        return EXIT_OK;
    }
    rc = calibrate_run(&o, err, sizeof err);
    if (rc == CAL_OK)
        return EXIT_OK;
    fprintf(stderr, "%s calibrate: %s\n", prog, err);
    switch (rc) {
    case CAL_ERR_NCU: return EXIT_PROFILE;
    case CAL_ERR_OUTPUT: return EXIT_OUTPUT;
    case CAL_ERR_FIT: return EXIT_MODEL;
    case CAL_ERR_USAGE: return EXIT_USAGE;
    default: return EXIT_GPU;
    }
}

static void print_measure_help(void)
{
    printf("Usage: gpu_profiler measure [OPTIONS] -a APP [-s ARG]... [-- ARGS...]\n"
           "       gpu_profiler measure [OPTIONS] -- APP [ARGS...]\n"
           "\n"
           "Runs APP without ncu while NVML is sampled and prints the power it really drew: average\n"
           "and energy from the GPU's energy counter over the run, min and peak from the instant\n"
           "power polled every 5 ms, and the idle power just before. APP's output passes through.\n"
           "The figures cover the whole run (start-up and idle gaps included) unless APP prints\n"
           "marker lines: then only the time between them.\n"
           "\n"
           "  -a, --app APP            the application; -s ARG (repeatable) or -- ARGS for its arguments\n"
           "      --device LIST        the GPUs to measure: NVML indices or GPU UUIDs separated by commas, or\n"
           "                           'all' (default: those in CUDA_VISIBLE_DEVICES when it is set, else all).\n"
           "                           With several GPUs each is shown, then their sum; the sum's min and\n"
           "                           peak are those of the GPUs' power added up at the same moments\n"
           "      --start-marker LINE  start the window when APP prints this exact line on stdout\n"
           "      --stop-marker LINE   end it when APP prints this line (default: when APP exits)\n"
           "      --idle S             seconds of idle measured first (default 1)\n"
           "      --json               one JSON document instead of the text\n"
           "      --timeline FILE      also record when every kernel, copy and memset ran (CUPTI, through\n"
           "                           the tracer gpu_profiler_trace.so loaded into APP's processes by the\n"
           "                           driver) and write it with the window to FILE; then\n"
           "                           'gpu_profiler -c CSV --timeline FILE' estimates over that run,\n"
           "                           gaps included\n"
           "      --force              replace a FILE that gpu_profiler did not write\n"
           "  -h, --help               this text\n"
           "Exit status: 0 ok (APP's own status is reported), 2 usage, 6 APP not found, 7 the timeline\n"
           "could not be written, 8 no NVML or no power reading, or no tracer for --timeline.\n");
}

static void json_num(const char *key, double v, int last)
{
    if (isnan(v))
        printf("  \"%s\": null%s\n", key, last ? "" : ",");
    else
        printf("  \"%s\": %.6g%s\n", key, v, last ? "" : ",");
}

static void fmt_watts(char *buf, size_t n, double w)
{
    if (isnan(w))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.1f W", w);
}

static int cmd_measure(int argc, char **argv)
{
    enum { O_DEVICE = 256, O_START, O_STOP, O_IDLE, O_JSON, O_TIMELINE, O_FORCE };
    static const struct option longopts[] = {
        { "timeline", required_argument, NULL, O_TIMELINE }, { "force", no_argument, NULL, O_FORCE },
        { "app", required_argument, NULL, 'a' },        { "arg", required_argument, NULL, 's' },
        { "device", required_argument, NULL, O_DEVICE }, { "start-marker", required_argument, NULL, O_START },
        { "stop-marker", required_argument, NULL, O_STOP }, { "idle", required_argument, NULL, O_IDLE },
        { "json", no_argument, NULL, O_JSON },          { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct measure_opts o;
    struct measure_result r;
    char **args = calloc((size_t)argc + 1, sizeof *args), err[1024];
    size_t nargs = 0;
    int c, json = 0, rc;
    size_t g;
    if (!args) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_INTERNAL;
    }
    memset(&o, 0, sizeof o);
    o.idle_s = 1.0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:a:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': o.app = optarg; break;
        case 's': args[nargs++] = optarg; break;
        case O_DEVICE: {
            char ids[MEASURE_MAX_GPUS][48];
            if (strcmp(optarg, "all") != 0 && measure_pick_gpus(optarg, ids, MEASURE_MAX_GPUS, err, sizeof err) < 0) {
                usage_error("%s", err);
                goto usage;
            }
            o.devices = optarg;
            break;
        }
        case O_START: o.start_marker = optarg; break;
        case O_STOP: o.stop_marker = optarg; break;
        case O_IDLE:
            if (parse_positive("--idle", optarg, 0, 60, &o.idle_s) != 0)
                goto usage;
            break;
        case O_JSON: json = 1; break;
        case O_TIMELINE: o.timeline_out = optarg; break;
        case O_FORCE: o.force = 1; break;
        case 'h': print_measure_help(); free(args); return EXIT_OK;
        case ':': usage_error("measure: option '%s' needs a value", argv[optind - 1]); goto usage;
        default: usage_error("measure: unknown option '%s'", argv[optind - 1]); goto usage;
        }
    }
    if (!o.app && optind < argc)
        o.app = argv[optind++];
    while (optind < argc)
        args[nargs++] = argv[optind++];
    if (!o.app) {
        usage_error("measure needs an application: -a APP or -- APP ARGS");
        goto usage;
    }
    if (o.stop_marker && !o.start_marker) {
        usage_error("--stop-marker needs --start-marker");
        goto usage;
    }
    o.args = args;
    o.nargs = nargs;
    rc = measure_run(&o, &r, err, sizeof err);
    free(args);
    if (rc != MEASURE_OK) {
        fprintf(stderr, "%s measure: %s\n", prog, err);
        return rc == MEASURE_NO_APP ? EXIT_APP : rc == MEASURE_OUTPUT ? EXIT_OUTPUT : EXIT_GPU;
    }
    if (WIFEXITED(r.wait_status) && WEXITSTATUS(r.wait_status) != 0)
        fprintf(stderr, "%s measure: %s exited with status %d\n", prog, o.app, WEXITSTATUS(r.wait_status));
    else if (WIFSIGNALED(r.wait_status))
        fprintf(stderr, "%s measure: %s ended by signal %d\n", prog, o.app, WTERMSIG(r.wait_status));
    if (json) {
        printf("{\n  \"gpu\": \"%s\",\n  \"window\": \"%s\",\n", r.gpu, r.from_markers ? "markers" : o.start_marker ? "start marker to exit" : "whole run");
        json_num("duration_s", r.duration_s, 0);
        json_num("energy_j", r.energy_j, 0);
        json_num("min_w", r.min_w, 0);
        json_num("avg_w", r.avg_w, 0);
        json_num("peak_w", r.peak_w, 0);
        json_num("idle_w", r.idle_w, 0);
        json_num("sm_clock_mhz", r.sm_clock_mhz, 0);
        printf("  \"samples\": %zu,\n  \"gpus\": [", r.samples);
        for (g = 0; g < r.ngpus; g++) {
            const struct measure_gpu *mg = &r.gpus[g];
            printf("%s\n    {\"id\": \"%s\", \"name\": \"%s\", \"energy_j\": %.6g, \"avg_w\": %.6g, ", g ? "," : "",
                   mg->id, mg->name, mg->energy_j, mg->avg_w);
            if (isnan(mg->min_w))
                printf("\"min_w\": null, \"peak_w\": null, ");
            else
                printf("\"min_w\": %.6g, \"peak_w\": %.6g, ", mg->min_w, mg->peak_w);
            printf("\"idle_w\": %.6g, \"samples\": %zu}", mg->idle_w, mg->samples);
        }
        printf("\n  ],\n  \"timeline\": ");
        if (r.timeline_written)
            report_json_string(stdout, o.timeline_out);
        else
            printf("null");
        printf(",\n  \"exit_status\": %d\n}\n", WIFEXITED(r.wait_status) ? WEXITSTATUS(r.wait_status) : -1);
    } else {
        char mn[32], pk[32];
        const char *window = r.from_markers ? "between the markers" : o.start_marker ? "start marker to exit"
                                                                                     : "whole run";
        printf("measured on %s (NVML: energy counter%s; instant power every 5 ms, %zu samples)\n", r.gpu,
               r.ngpus > 1 ? "s" : "", r.samples);
        for (g = 0; r.ngpus > 1 && g < r.ngpus; g++) {
            const struct measure_gpu *mg = &r.gpus[g];
            fmt_watts(mn, sizeof mn, mg->min_w);
            fmt_watts(pk, sizeof pk, mg->peak_w);
            printf("  GPU %s (%s):  min %s  avg %.1f W  peak %s  energy %.3f J; idle before %.1f W\n", mg->id,
                   mg->name, mn, mg->avg_w, pk, mg->energy_j, mg->idle_w);
        }
        fmt_watts(mn, sizeof mn, r.min_w);
        fmt_watts(pk, sizeof pk, r.peak_w);
        printf("measured%s:  min %s  avg %.1f W  peak %s  energy %.3f J over %.3f s (%s); idle before %.1f W\n",
               r.ngpus > 1 ? ", all together" : "", mn, r.avg_w, pk, r.energy_j, r.duration_s, window, r.idle_w);
        if (r.timeline_written)
            printf("timeline: %s (gpu_profiler -c CSV --timeline %s estimates over it)\n", o.timeline_out,
                   o.timeline_out);
    }
    return EXIT_OK;
usage:
    free(args);
    return EXIT_USAGE;
}

/* -a --measure: the measured GPUs beside the estimate's devices. GPU g of
 * the measured list is the application's CUDA device g (the list follows
 * CUDA_VISIBLE_DEVICES, else NVML's order). With whole, the estimate over
 * the whole run: each GPU's kernels' energy plus the model's idle power for
 * the rest of the measured time (all of it on a GPU that ran no kernel). */
static void fill_measured(struct report_measured *rm, const struct measure_result *m, const struct estimate *est,
                          int whole)
{
    size_t g, d;
    double idle_w = est->used->idle_w;
    memset(rm, 0, sizeof *rm);
    rm->duration_s = m->duration_s;
    rm->energy_j = m->energy_j;
    rm->avg_w = m->avg_w;
    rm->min_w = m->min_w;
    rm->peak_w = m->peak_w;
    rm->busy_share = rm->run_avg_w = NAN;
    rm->ngpus = m->ngpus < REPORT_MAX_GPUS ? m->ngpus : REPORT_MAX_GPUS;
    if (whole)
        rm->run_avg_w = 0;
    for (g = 0; g < rm->ngpus; g++) {
        struct report_measured_gpu *rg = &rm->gpu[g];
        const struct measure_gpu *mg = &m->gpus[g];
        rg->device = (long)g;
        snprintf(rg->id, sizeof rg->id, "%s", mg->id);
        snprintf(rg->name, sizeof rg->name, "%s", mg->name);
        rg->energy_j = mg->energy_j;
        rg->avg_w = mg->avg_w;
        rg->min_w = mg->min_w;
        rg->peak_w = mg->peak_w;
        rg->run_avg_w = rg->busy_share = NAN;
        for (d = 0; d < est->ndevices; d++)
            if (est->devices[d].device == (long)g || (est->devices[d].device < 0 && g == 0))
                rg->estimate = &est->devices[d];
        if (!rg->estimate && rm->ngpus == 1)
            rg->estimate = &est->devices[0]; /* one GPU measured: it ran what was profiled */
        if (whole) {
            double busy = 0, p = 0;
            if (rg->estimate) {
                busy = rg->estimate->gpu_time_s < m->duration_s ? rg->estimate->gpu_time_s : m->duration_s;
                p = rg->estimate->power_w[TARGET_AVG];
            }
            rg->busy_share = busy / m->duration_s;
            rg->run_avg_w = (p * busy + idle_w * (m->duration_s - busy)) / m->duration_s;
            rm->run_avg_w += rg->run_avg_w;
        }
    }
    if (rm->ngpus == 1) {
        rm->busy_share = rm->gpu[0].busy_share;
        rm->run_avg_w = rm->gpu[0].run_avg_w;
    }
}

/* Writes an output file the user named through outfile; EXIT_OK or
 * EXIT_OUTPUT with the reason on stderr. */
static int save_output(const char *path, const char *signature, int force, int (*fn)(FILE *, void *), void *ctx)
{
    char why[512];
    switch (outfile_write(path, signature, force, fn, ctx, why, sizeof why)) {
    case OUTFILE_OK:
        return EXIT_OK;
    case OUTFILE_FOREIGN:
        fprintf(stderr, "%s: %s exists and was not written by gpu_profiler; move it or use --force\n", prog, path);
        return EXIT_OUTPUT;
    default:
        fprintf(stderr, "%s: %s: %s\n", prog, path, why);
        return EXIT_OUTPUT;
    }
}

static int write_model_file(FILE *f, void *ctx)
{
    return model_write(f, ctx);
}

static int cmd_fit(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'f' },
        { "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
        { "features", required_argument, NULL, 'F' }, { "variant", required_argument, NULL, 'V' },
        { "tier", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = "gpu_profiler.model", *path, *variant = NULL;
    int tier = -1;
    char feature_buf[1024], *feature_names[MODEL_MAX_FEATURES + 2];
    const char *const *features = NULL;
    int c, force = 0, quiet = 0;
    struct dataset d;
    struct model m;
    struct fit_report rep;
    char err[1024];
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qhF:V:T:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'T':
            if ((tier = features_tier_find(optarg)) < 0) {
                usage_error("fit: --tier is one of raw, fast, detailed, basic, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        case 'F': {
            size_t n = 0;
            char *tok, *save = NULL;
            if (strlen(optarg) >= sizeof feature_buf) {
                usage_error("fit: --features: list too long");
                return EXIT_USAGE;
            }
            snprintf(feature_buf, sizeof feature_buf, "%s", optarg);
            for (tok = strtok_r(feature_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (n > MODEL_MAX_FEATURES) {
                    usage_error("fit: --features: at most %d features", MODEL_MAX_FEATURES);
                    return EXIT_USAGE;
                }
                feature_names[n++] = tok;
            }
            if (n == 0) {
                usage_error("fit: --features needs a comma-separated list of features (see --list-features)");
                return EXIT_USAGE;
            }
            feature_names[n] = NULL;
            features = (const char *const *)feature_names;
            break;
        }
        case 'V': {
            const char *p;
            for (p = optarg; *p && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'); p++)
                ;
            if (!*optarg || *p || strlen(optarg) > 15) {
                usage_error("fit: --variant wants a name of 1 to 15 characters a-z, 0-9 or _, like 'fast'");
                return EXIT_USAGE;
            }
            variant = optarg;
            break;
        }
        case 'h':
            printf("Usage: gpu_profiler fit DATASET [-o MODEL] [--tier T | --features F1,F2,...] [--variant NAME]\n"
                   "                        [--force] [-q]\n"
                   "\n"
                   "Fits the power model to a dataset written by 'gpu_profiler calibrate' (no GPU needed)\n"
                   "and writes it to MODEL (default gpu_profiler.model). The same dataset always gives\n"
                   "the same model file, byte for byte. Prints the cross-validated error: each family of\n"
                   "microbenchmarks is held out in turn and predicted by a model fitted on the others.\n"
                   "--features fits only those features ('gpu_profiler --list-features'): fewer metrics\n"
                   "mean fewer ncu replay passes per kernel, at the accuracy the printed error shows.\n"
                   "--variant names the model's kind in the file ('fast' is what --fast picks among the\n"
                   "built-in models).\n"
                   "--tier fits the model of one kind of ncu export from the same dataset: raw (the\n"
                   "default), fast, detailed (details page of --set detailed or full) or basic (details\n"
                   "page of ncu's default set): the tier's features that the dataset holds, named after it.\n"
                   "Exit status: 0 ok, 2 usage, 3 dataset unreadable, 4 fit failed, 7 output file.\n");
            return EXIT_OK;
        case ':': usage_error("fit: option '%s' needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: usage_error("fit: unknown option '%s'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage_error(optind >= argc ? "fit needs a dataset file" : "fit takes one dataset file");
        return EXIT_USAGE;
    }
    if (tier >= 0 && (features || variant)) {
        usage_error("fit: --tier chooses the features and names the variant: leave out --features and --variant");
        return EXIT_USAGE;
    }
    path = argv[optind];
    if (dataset_load(path, &d, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, err);
        return EXIT_INPUT;
    }
    if ((tier >= 0 ? fit_tier(&d, path, tier, &m, &rep, err, sizeof err)
                   : fit_dataset(&d, path, features, &m, &rep, err, sizeof err)) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, err);
        dataset_free(&d);
        return EXIT_MODEL;
    }
    dataset_free(&d);
    if (variant)
        snprintf(m.variant, sizeof m.variant, "%s", variant);
    if (!quiet)
        fit_report_print(stdout, &rep);
    if (save_output(out, "gpu_profiler_model", force, write_model_file, &m) != EXIT_OK)
        return EXIT_OUTPUT;
    if (!quiet)
        fprintf(stderr, "%s: wrote %s\n", prog, out);
    return EXIT_OK;
}

/* The tier every input allows: the richest that all of them have the
 * metrics of (estimate_best_tier), said when one input allows more. */
static int common_tier(const struct input_list *in, int quiet, char *err, size_t errlen)
{
    int lo = -1, hi = -1;
    size_t i;
    for (i = 0; i < in->n; i++) {
        int t;
        char why[1024];
        if (strcmp(in->csv[i], "-") == 0)
            continue; /* read once: it takes what the others allow */
        if ((t = estimate_best_tier(in->csv[i], why, sizeof why)) < 0) {
            snprintf(err, errlen, "%s: %s", in->named[i], why);
            return -2;
        }
        lo = lo < 0 || t > lo ? t : lo; /* later tiers are poorer */
        hi = hi < 0 || t < hi ? t : hi;
    }
    if (!quiet && lo != hi)
        fprintf(stderr, "%s: the inputs allow different model tiers; all are estimated with tier %s, the richest "
                        "every one of them allows\n", prog, features_tiers[lo].name);
    return lo;
}

/* Reads every input (-c, repeatable; a folder; a report) into the estimate.
 * Returns an exit status; errors are printed with the file they concern. */
static int read_inputs(struct estimate *est, const char *const *args, size_t nargs, const char *ncu, int verbose,
                       int quiet)
{
    struct input_list in;
    char err[4096];
    size_t i;
    int rc = EXIT_OK, r;
    inputs_init(&in);
    for (i = 0; i < nargs; i++)
        if ((r = inputs_add(&in, args[i], ncu, err, sizeof err)) != INPUTS_OK) {
            fprintf(stderr, "%s: %s\n", prog, err);
            inputs_free(&in);
            return r == INPUTS_ERR_NCU ? EXIT_PROFILE : r == INPUTS_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        }
    if (verbose && in.skipped)
        fprintf(stderr, "%s: %zu file%s of the folder left out: reports beside a CSV of the same name (the same "
                        "profile), gpu_profiler's own outputs\n", prog, in.skipped, in.skipped == 1 ? "" : "s");
    if (in.n > 1 && !est->model && !est->variant) {
        int t = common_tier(&in, quiet, err, sizeof err);
        if (t == -2) {
            fprintf(stderr, "%s: %s\n", prog, err);
            inputs_free(&in);
            return EXIT_INPUT;
        }
        if (t >= 0)
            est->variant = features_tiers[t].name;
    }
    for (i = 0; i < in.n && rc == EXIT_OK; i++) {
        switch (estimate_add_file(est, in.csv[i], err, sizeof err)) {
        case ESTIMATE_OK: break;
        case ESTIMATE_ERR_MODEL: rc = EXIT_MODEL; break;
        case ESTIMATE_ERR_NOMEM: rc = EXIT_INTERNAL; break;
        default: rc = EXIT_INPUT; break;
        }
        if (rc != EXIT_OK) {
            fprintf(stderr, "%s: %s: %s\n", prog, in.named[i], err);
            if (verbose && est->missing_detail[0])
                fprintf(stderr, "%s: %s: %s\n", prog, in.named[i], est->missing_detail);
            break;
        }
        if (verbose)
            fprintf(stderr, "%s: %s: %s page, %lu rows, %lu kernels, %lu lines that are not ncu CSV skipped\n",
                    prog, in.named[i], est->stats.page == NCU_PAGE_RAW ? "raw" : "details", est->stats.rows,
                    est->stats.kernels, est->stats.lines_skipped);
        if (!quiet && i == 0 && est->model_guessed)
            fprintf(stderr, "%s: %s does not name its GPU; using the model for %s\n", prog, in.named[i],
                    est->used->gpu);
    }
    if (rc == EXIT_OK && estimate_finish(est, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        rc = EXIT_INTERNAL;
    }
    if (rc == EXIT_OK && !quiet && est->first_gpu[0] && strcmp(est->first_gpu, est->used->gpu) != 0)
        fprintf(stderr, "%s: the CSV was recorded on %s but the model is for %s\n", prog, est->first_gpu,
                est->used->gpu);
    inputs_free(&in);
    return rc;
}

int main(int argc, char **argv)
{
    enum { O_MODEL = 256, O_JSON, O_OUT_CSV, O_NO_PRED, O_FORCE, O_PER_KERNEL, O_TOP, O_NCU, O_OUTDIR,
           O_LIST_FEATURES, O_SKIP_KERNELS, O_MAX_KERNELS, O_NVTX, O_REPORT, O_DURATION, O_MEASURE, O_NCU_ARG, O_FAST,
           O_SAMPLE, O_TIMELINE, O_TIER };
    static const struct option longopts[] = {
        { "timeline", required_argument, NULL, O_TIMELINE },
        { "mode", required_argument, NULL, 'm' },    { "app", required_argument, NULL, 'a' },
        { "arg", required_argument, NULL, 's' },     { "csv", required_argument, NULL, 'c' },
        { "model", required_argument, NULL, O_MODEL }, { "json", no_argument, NULL, O_JSON },
        { "out-csv", required_argument, NULL, O_OUT_CSV }, { "no-predictions", no_argument, NULL, O_NO_PRED },
        { "force", no_argument, NULL, O_FORCE },     { "per-kernel", no_argument, NULL, O_PER_KERNEL },
        { "top", required_argument, NULL, O_TOP },   { "ncu", required_argument, NULL, O_NCU },
        { "output-dir", required_argument, NULL, O_OUTDIR },
        { "list-features", no_argument, NULL, O_LIST_FEATURES },
        { "skip-kernels", required_argument, NULL, O_SKIP_KERNELS },
        { "max-kernels", required_argument, NULL, O_MAX_KERNELS },
        { "sample", required_argument, NULL, O_SAMPLE },
        { "nvtx-range", required_argument, NULL, O_NVTX },
        { "report", required_argument, NULL, O_REPORT },
        { "duration", required_argument, NULL, O_DURATION },
        { "measure", no_argument, NULL, O_MEASURE },
        { "ncu-arg", required_argument, NULL, O_NCU_ARG },
        { "fast", no_argument, NULL, O_FAST },
        { "tier", required_argument, NULL, O_TIER },
        { "quiet", no_argument, NULL, 'q' },         { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    long skip_kernels = 0, max_kernels = 0, sample_every = 1;
    double duration_s = 0, sample_weight = 1;
    char sample_id[16384];
    char *ncu_args[32];
    size_t n_ncu_args = 0;
    int interrupted = 0, measure_too = 0, fast = 0;
    const char *tier = NULL;
    struct measure_result measured;
    struct report_measured rm;
    const char *nvtx_range = NULL, *report_path = NULL, *timeline_path = NULL;
    static struct report_timeline rtl;
    const char *app = NULL, *csv = NULL, *model_path = NULL, *out_csv = NULL, *ncu = NULL, *out_dir = ".";
    char **app_args = NULL;
    size_t napp_args = 0, i;
    unsigned mode = MODE_AVG;
    int json = 0, no_pred = 0, force = 0, per_kernel = 0, quiet = 0, verbose = 0, c, rc = EXIT_OK;
    long top = 10;
    struct model model;
    struct estimate est;
    struct report_opts ro;
    char err[2048], csv_buf[1100], inputs_shown[32];
    const char *csv_args[64];
    size_t n_csv = 0;

    if (argc > 1 && strcmp(argv[1], "calibrate") == 0)
        return cmd_calibrate(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "fit") == 0)
        return cmd_fit(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "measure") == 0)
        return cmd_measure(argc - 1, argv + 1);

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
        case 'c':
            if (n_csv == sizeof csv_args / sizeof csv_args[0]) {
                usage_error("at most %zu -c (a folder counts once: give the folder)",
                            sizeof csv_args / sizeof csv_args[0]);
                free(app_args);
                return EXIT_USAGE;
            }
            csv = csv_args[n_csv++] = optarg;
            break;
        case O_MODEL: model_path = optarg; break;
        case O_JSON: json = 1; break;
        case O_OUT_CSV: out_csv = optarg; break;
        case O_REPORT:
            report_path = optarg;
            if (!has_ext(report_path, ".svg") && !has_ext(report_path, ".html") && !has_ext(report_path, ".htm")) {
                usage_error("--report writes FILE.svg (the picture) or FILE.html (the picture and the tables), "
                            "not '%s'", optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            break;
        case O_MEASURE: measure_too = 1; break;
        case O_TIMELINE: timeline_path = optarg; break;
        case O_FAST: fast = 1; break;
        case O_TIER:
            if (features_tier_find(optarg) < 0) {
                usage_error("--tier is one of raw, fast, detailed, basic, not '%s'", optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            tier = optarg;
            break;
        case O_NO_PRED: no_pred = 1; break;
        case O_FORCE: force = 1; break;
        case O_PER_KERNEL: per_kernel = 1; break;
        case O_NCU: ncu = optarg; break;
        case O_NCU_ARG:
            if (n_ncu_args == sizeof ncu_args / sizeof ncu_args[0]) {
                usage_error("at most %zu --ncu-arg", sizeof ncu_args / sizeof ncu_args[0]);
                free(app_args);
                return EXIT_USAGE;
            }
            ncu_args[n_ncu_args++] = optarg;
            break;
        case O_OUTDIR: out_dir = optarg; break;
        case O_NVTX:
            if (!*optarg || strlen(optarg) > 200) {
                usage_error("--nvtx-range needs a range name of 1 to 200 characters");
                free(app_args);
                return EXIT_USAGE;
            }
            nvtx_range = optarg;
            break;
        case O_SKIP_KERNELS:
        case O_MAX_KERNELS: {
            char *end;
            long v;
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (*end || end == optarg || errno == ERANGE || v < (c == O_SKIP_KERNELS ? 0 : 1) || v > 1000000000) {
                usage_error("%s needs a whole number from %d to 1000000000, not '%s'",
                            c == O_SKIP_KERNELS ? "--skip-kernels" : "--max-kernels", c == O_SKIP_KERNELS ? 0 : 1,
                            optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            if (c == O_SKIP_KERNELS)
                skip_kernels = v;
            else
                max_kernels = v;
            break;
        }
        case O_SAMPLE: {
            char *end;
            errno = 0;
            sample_every = strtol(optarg, &end, 10);
            if (*end || end == optarg || errno == ERANGE || sample_every < 2 ||
                runner_sample_kernel_id(sample_every, sample_id, sizeof sample_id, &sample_weight) != 0) {
                usage_error("--sample needs a whole number from 2 to %d, not '%s'", RUNNER_SAMPLE_MAX, optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            break;
        }
        case O_DURATION: {
            char *end;
            errno = 0;
            duration_s = strtod(optarg, &end);
            if (*end || end == optarg || errno == ERANGE || !(duration_s > 0) || duration_s > 1e7) {
                usage_error("--duration needs a number of seconds above 0, not '%s'", optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            break;
        }
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
                printf("built-in model: %s%s%s (ncu %s)\n", model_builtin(i)->gpu,
                       model_builtin(i)->variant[0] ? ", " : "", model_builtin(i)->variant,
                       model_builtin(i)->ncu_version);
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
    if (measure_too && timeline_path) {
        usage_error("%s", "--measure records its own timeline (in --output-dir, gpu_profiler_timeline.txt); "
                    "--timeline reads one that 'gpu_profiler measure --timeline' recorded: use one of them");
        free(app_args);
        return EXIT_USAGE;
    }
    if (measure_too && (csv || !app)) {
        usage_error("%s", "--measure runs the application without ncu first: it needs -a APP (and no -c)");
        free(app_args);
        return EXIT_USAGE;
    }

    for (i = 0; sample_every > 1 && i < n_ncu_args; i++)
        if (strncmp(ncu_args[i], "--kernel-id", 11) == 0) {
            usage_error("%s", "--sample profiles by ncu's --kernel-id: leave --ncu-arg=--kernel-id out, or "
                              "--sample");
            free(app_args);
            return EXIT_USAGE;
        }
    if (fast && model_path) {
        usage_error("%s", "--fast picks the built-in fast model; --model gives another: use one of them");
        free(app_args);
        return EXIT_USAGE;
    }
    if (tier && (fast || model_path)) {
        usage_error("%s", "--tier picks a built-in model; --fast and --model pick one too: use one of them");
        free(app_args);
        return EXIT_USAGE;
    }
    if (tier && app && !csv && strcmp(tier, "raw") != 0 && strcmp(tier, "fast") != 0) {
        usage_error("-a profiles the raw page's counters (tier raw, or fast with --fast); --tier %s is for "
                    "a details page you already have (-c FILE)", tier);
        free(app_args);
        return EXIT_USAGE;
    }
    if (tier && strcmp(tier, "fast") == 0)
        fast = 1, tier = NULL;
    if (model_path) {
        if (model_load(model_path, &model, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, model_path, err);
            free(app_args);
            return EXIT_MODEL;
        }
    }

    if (measure_too) {
        /* first the application alone under NVML, then under ncu */
        struct measure_opts mo;
        int r;
        memset(&mo, 0, sizeof mo);
        mo.app = app;
        mo.args = app_args;
        mo.nargs = napp_args;
        mo.idle_s = 1.0;
        {   /* and when the tracer is there, when each kernel ran (timeline.h) */
            static char tl_auto[4200];
            char tracer[4096];
            if (!getenv("CUDA_INJECTION64_PATH") && timeline_find_tracer(tracer, sizeof tracer) == 0 &&
                (size_t)snprintf(tl_auto, sizeof tl_auto, "%s/gpu_profiler_timeline.txt", out_dir) < sizeof tl_auto) {
                mo.timeline_out = tl_auto;
                mo.force = force;
                mo.timeline_optional = 1;
            }
        }
        if (!quiet)
            fprintf(stderr, "%s: measuring %s without ncu (NVML%s)\n", prog, app,
                    mo.timeline_out ? ", and its kernels' timeline through CUPTI" : "");
        r = measure_run(&mo, &measured, err, sizeof err);
        if (r != MEASURE_OK) {
            fprintf(stderr, "%s: --measure: %s\n", prog, err);
            free(app_args);
            return r == MEASURE_NO_APP ? EXIT_APP : r == MEASURE_OUTPUT ? EXIT_OUTPUT : EXIT_GPU;
        }
        if (measured.timeline_written) {
            timeline_path = mo.timeline_out;
            if (!quiet)
                fprintf(stderr, "%s: wrote %s\n", prog, timeline_path);
        } else if (mo.timeline_out) {
            if (!quiet)
                fprintf(stderr, "%s: no timeline: %s\n", prog, measured.timeline_note);
        } else if (!quiet) {
            fprintf(stderr, "%s: no timeline tracer (gpu_profiler_trace.so, built where make finds CUPTI): the "
                    "estimate over the run takes the model's idle power between the kernels\n", prog);
        }
    }

    if (!csv && app) {
        struct runner_opts o = { .ncu = ncu, .app = app, .args = app_args, .nargs = napp_args,
                                 .out_dir = out_dir, .force = force, .quiet = quiet,
                                 .skip_kernels = skip_kernels, .max_kernels = max_kernels,
                                 .nvtx_range = nvtx_range, .duration_s = duration_s, .ncu_args = ncu_args,
                                 .n_ncu_args = n_ncu_args, .kernel_id = sample_every > 1 ? sample_id : NULL };
        char *metrics = metric_list(model_path ? &model : NULL, fast ? "fast" : NULL);
        int r;
        if (!metrics) {
            fprintf(stderr, "%s: out of memory\n", prog);
            free(app_args);
            return EXIT_INTERNAL;
        }
        o.metrics = metrics;
        r = runner_profile(&o, csv_buf, sizeof csv_buf, err, sizeof err);
        free(metrics);
        interrupted = o.interrupted;
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
    est.variant = fast ? "fast" : tier;
    est.sample_weight = sample_weight;
    est.sample_every = sample_every;
    if (n_csv <= 1)
        csv_args[0] = csv, n_csv = 1;
    if ((rc = read_inputs(&est, csv_args, n_csv, ncu, verbose, quiet)) != EXIT_OK) {
        estimate_free(&est);
        return rc;
    }
    if (n_csv > 1 || est.nfiles > 1) {
        snprintf(inputs_shown, sizeof inputs_shown, "%zu files", est.nfiles);
        csv = inputs_shown;
    }

    memset(&ro, 0, sizeof ro);
    ro.mode = mode;
    ro.per_kernel = per_kernel;
    ro.top = (size_t)top;
    ro.input = csv;
    ro.color = !json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if (measure_too && est.ndevices) {
        /* the whole run's estimate needs a profile of the whole run */
        int whole = !skip_kernels && !max_kernels && !nvtx_range && !duration_s && !interrupted &&
                    measured.duration_s > 0;
        fill_measured(&rm, &measured, &est, whole);
        ro.measured = &rm;
    }
    if (timeline_path && est.ndevices) {
        struct timeline tl;
        size_t d;
        if (timeline_load(timeline_path, &tl, err, sizeof err) != 0) {
            fprintf(stderr, "%s: --timeline %s\n", prog, err);
            estimate_free(&est);
            return EXIT_INPUT;
        }
        rtl.path = timeline_path;
        rtl.window_s = ESTIMATE_WINDOW_S;
        for (d = 0; d < est.ndevices && rtl.ndevices < REPORT_MAX_GPUS; d++) {
            long dev = est.devices[d].device < 0 ? 0 : est.devices[d].device;
            if (timeline_estimate(&tl, (int)dev, &est, ESTIMATE_WINDOW_S, &rtl.r[rtl.ndevices], err, sizeof err) != 0) {
                fprintf(stderr, "%s: --timeline %s: %s\n", prog, timeline_path, err);
                timeline_free(&tl);
                estimate_free(&est);
                return EXIT_INPUT;
            }
            rtl.device[rtl.ndevices++] = dev;
        }
        if (!quiet && tl.dropped)
            fprintf(stderr, "%s: %s: CUPTI dropped %lu records; the timeline misses some kernels\n", prog,
                    timeline_path, tl.dropped);
        timeline_free(&tl);
        ro.timeline = &rtl;
    }
    if ((json ? report_json : report_text).write(stdout, &est, &ro) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "%s: writing to stdout: %s\n", prog, strerror(errno));
        estimate_free(&est);
        return EXIT_OUTPUT;
    }

    if (report_path) {
        struct csv_ctx cc = { &est, ro };
        int html = has_ext(report_path, ".html") || has_ext(report_path, ".htm");
        if (save_output(report_path, REPORT_SVG_SIGNATURE, force, html ? write_html : write_svg, &cc) != EXIT_OK)
            rc = EXIT_OUTPUT;
    }
    if (out_csv) {
        struct csv_ctx cc = { &est, ro };
        if (save_output(out_csv, REPORT_CSV_SIGNATURE, force, write_csv, &cc) != EXIT_OK)
            rc = EXIT_OUTPUT;
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
    /* the estimate of an interrupted run is printed, and the status says it was interrupted */
    if (rc == EXIT_OK && interrupted)
        rc = 128 + interrupted;
    return rc;
}
