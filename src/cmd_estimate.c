/* cmd_estimate: the default command: profile (-a) or read (-c) ncu's
 * output, estimate, and report; with --measure and --timeline, the
 * measurement and the traced run beside it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "estimate.h"
#include "feature_table.h"
#include "inputs.h"
#include "measure.h"
#include "model.h"
#include "outfile.h"
#include "report.h"
#include "runner.h"
#include "timeline.h"

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
                        "every one of them allows\n", cli_prog, features_tiers[lo].name);
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
            fprintf(stderr, "%s: %s\n", cli_prog, err);
            inputs_free(&in);
            return r == INPUTS_ERR_NCU ? EXIT_PROFILE : r == INPUTS_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        }
    if (verbose && in.skipped)
        fprintf(stderr, "%s: %zu file%s of the folder left out: reports beside a CSV of the same name (the same "
                        "profile), gpu_profiler's own outputs\n", cli_prog, in.skipped, in.skipped == 1 ? "" : "s");
    if (in.n > 1 && !est->model && !est->variant) {
        int t = common_tier(&in, quiet, err, sizeof err);
        if (t == -2) {
            fprintf(stderr, "%s: %s\n", cli_prog, err);
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
            fprintf(stderr, "%s: %s: %s\n", cli_prog, in.named[i], err);
            if (verbose && est->missing_detail[0])
                fprintf(stderr, "%s: %s: %s\n", cli_prog, in.named[i], est->missing_detail);
            break;
        }
        if (verbose)
            fprintf(stderr, "%s: %s: %s page, %lu rows, %lu kernels, %lu lines that are not ncu CSV skipped\n",
                    cli_prog, in.named[i], est->stats.page == NCU_PAGE_RAW ? "raw" : "details", est->stats.rows,
                    est->stats.kernels, est->stats.lines_skipped);
        if (!quiet && i == 0 && est->model_guessed)
            fprintf(stderr, "%s: %s does not name its GPU; using the model for %s\n", cli_prog, in.named[i],
                    est->used->gpu);
    }
    if (rc == EXIT_OK && estimate_finish(est, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cli_prog, err);
        rc = EXIT_INTERNAL;
    }
    if (rc == EXIT_OK && !quiet && est->first_gpu[0] && strcmp(est->first_gpu, est->used->gpu) != 0)
        fprintf(stderr, "%s: the CSV was recorded on %s but the model is for %s\n", cli_prog, est->first_gpu,
                est->used->gpu);
    inputs_free(&in);
    return rc;
}

int cmd_estimate(int argc, char **argv)
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


    app_args = calloc((size_t)argc + 1, sizeof *app_args);
    if (!app_args) {
        fprintf(stderr, "%s: out of memory\n", cli_prog);
        return EXIT_INTERNAL;
    }
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:a:s:c:qvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (!(mode = parse_mode(optarg))) {
                cli_usage_error("invalid mode '%s' (use min, avg, peak or all)", optarg);
                free(app_args);
                return EXIT_USAGE;
            }
            break;
        case 'a': app = optarg; break;
        case 's': app_args[napp_args++] = optarg; break;
        case 'c':
            if (n_csv == sizeof csv_args / sizeof csv_args[0]) {
                cli_usage_error("at most %zu -c (a folder counts once: give the folder)",
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
            if (!cli_has_ext(report_path, ".svg") && !cli_has_ext(report_path, ".html") && !cli_has_ext(report_path, ".htm")) {
                cli_usage_error("--report writes FILE.svg (the picture) or FILE.html (the picture and the tables), "
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
                cli_usage_error("--tier is one of raw, fast, detailed, basic, not '%s'", optarg);
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
                cli_usage_error("at most %zu --ncu-arg", sizeof ncu_args / sizeof ncu_args[0]);
                free(app_args);
                return EXIT_USAGE;
            }
            ncu_args[n_ncu_args++] = optarg;
            break;
        case O_OUTDIR: out_dir = optarg; break;
        case O_NVTX:
            if (!*optarg || strlen(optarg) > 200) {
                cli_usage_error("--nvtx-range needs a range name of 1 to 200 characters");
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
                cli_usage_error("%s needs a whole number from %d to 1000000000, not '%s'",
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
                cli_usage_error("--sample needs a whole number from 2 to %d, not '%s'", RUNNER_SAMPLE_MAX, optarg);
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
                cli_usage_error("--duration needs a number of seconds above 0, not '%s'", optarg);
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
                cli_usage_error("--top needs a whole number from 1 to 1000000, not '%s'", optarg);
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
                fprintf(stderr, "%s: option '-%c' needs a value\n", cli_prog, optopt);
            else
                fprintf(stderr, "%s: option '%s' needs a value\n", cli_prog, argv[optind - 1]);
            fprintf(stderr, "Try '%s --help' for more information.\n", cli_prog);
            free(app_args);
            return EXIT_USAGE;
        default:
            if (optopt && strncmp(argv[optind - 1], "--", 2) != 0)
                fprintf(stderr, "%s: unknown option '-%c'\n", cli_prog, optopt);
            else
                fprintf(stderr, "%s: unknown option '%s'\n", cli_prog, argv[optind - 1]);
            fprintf(stderr, "Try '%s --help' for more information.\n", cli_prog);
            free(app_args);
            return EXIT_USAGE;
        }
    }
    for (; optind < argc; optind++) {
        if (!app) {
            cli_usage_error("unexpected argument '%s' (application arguments need -a APP first)", argv[optind]);
            free(app_args);
            return EXIT_USAGE;
        }
        app_args[napp_args++] = argv[optind];
    }
    if (!app && napp_args) {
        cli_usage_error("%s", "-s gives an argument to the application: it needs -a APP");
        free(app_args);
        return EXIT_USAGE;
    }
    if (csv && app && !quiet)
        fprintf(stderr, "%s: -c given: not running -a %s; estimating from %s\n", cli_prog, app, csv);
    if (measure_too && timeline_path) {
        cli_usage_error("%s", "--measure records its own timeline (in --output-dir, gpu_profiler_timeline.txt); "
                    "--timeline reads one that 'gpu_profiler measure --timeline' recorded: use one of them");
        free(app_args);
        return EXIT_USAGE;
    }
    if (measure_too && (csv || !app)) {
        cli_usage_error("%s", "--measure runs the application without ncu first: it needs -a APP (and no -c)");
        free(app_args);
        return EXIT_USAGE;
    }

    for (i = 0; sample_every > 1 && i < n_ncu_args; i++)
        if (strncmp(ncu_args[i], "--kernel-id", 11) == 0) {
            cli_usage_error("%s", "--sample profiles by ncu's --kernel-id: leave --ncu-arg=--kernel-id out, or "
                              "--sample");
            free(app_args);
            return EXIT_USAGE;
        }
    if (fast && model_path) {
        cli_usage_error("%s", "--fast picks the built-in fast model; --model gives another: use one of them");
        free(app_args);
        return EXIT_USAGE;
    }
    if (tier && (fast || model_path)) {
        cli_usage_error("%s", "--tier picks a built-in model; --fast and --model pick one too: use one of them");
        free(app_args);
        return EXIT_USAGE;
    }
    if (tier && app && !csv && strcmp(tier, "raw") != 0 && strcmp(tier, "fast") != 0) {
        cli_usage_error("-a profiles the raw page's counters (tier raw, or fast with --fast); --tier %s is for "
                    "a details page you already have (-c FILE)", tier);
        free(app_args);
        return EXIT_USAGE;
    }
    if (tier && strcmp(tier, "fast") == 0)
        fast = 1, tier = NULL;
    if (model_path) {
        if (model_load(model_path, &model, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s: %s\n", cli_prog, model_path, err);
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
            fprintf(stderr, "%s: measuring %s without ncu (NVML%s)\n", cli_prog, app,
                    mo.timeline_out ? ", and its kernels' timeline through CUPTI" : "");
        r = measure_run(&mo, &measured, err, sizeof err);
        if (r != MEASURE_OK) {
            fprintf(stderr, "%s: --measure: %s\n", cli_prog, err);
            free(app_args);
            return r == MEASURE_NO_APP ? EXIT_APP : r == MEASURE_OUTPUT ? EXIT_OUTPUT : EXIT_GPU;
        }
        if (measured.timeline_written) {
            timeline_path = mo.timeline_out;
            if (!quiet)
                fprintf(stderr, "%s: wrote %s\n", cli_prog, timeline_path);
        } else if (mo.timeline_out) {
            if (!quiet)
                fprintf(stderr, "%s: no timeline: %s\n", cli_prog, measured.timeline_note);
        } else if (!quiet) {
            fprintf(stderr, "%s: no timeline tracer (gpu_profiler_trace.so, built where make finds CUPTI): the "
                    "estimate over the run takes the model's idle power between the kernels\n", cli_prog);
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
            fprintf(stderr, "%s: out of memory\n", cli_prog);
            free(app_args);
            return EXIT_INTERNAL;
        }
        o.metrics = metrics;
        r = runner_profile(&o, csv_buf, sizeof csv_buf, err, sizeof err);
        free(metrics);
        interrupted = o.interrupted;
        if (r != RUNNER_OK) {
            fprintf(stderr, "%s: %s\n", cli_prog, err);
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
                    cli_prog, RUNNER_CSV_NAME, LEGACY_CSV, cli_prog);
            free(app_args);
            return EXIT_USAGE;
        }
        if (!quiet)
            fprintf(stderr, "%s: reading %s\n", cli_prog, csv);
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
            fprintf(stderr, "%s: --timeline %s\n", cli_prog, err);
            estimate_free(&est);
            return EXIT_INPUT;
        }
        rtl.path = timeline_path;
        rtl.window_s = ESTIMATE_WINDOW_S;
        for (d = 0; d < est.ndevices && rtl.ndevices < REPORT_MAX_GPUS; d++) {
            long dev = est.devices[d].device < 0 ? 0 : est.devices[d].device;
            if (timeline_estimate(&tl, (int)dev, &est, ESTIMATE_WINDOW_S, &rtl.r[rtl.ndevices], err, sizeof err) != 0) {
                fprintf(stderr, "%s: --timeline %s: %s\n", cli_prog, timeline_path, err);
                timeline_free(&tl);
                estimate_free(&est);
                return EXIT_INPUT;
            }
            rtl.device[rtl.ndevices++] = dev;
        }
        if (!quiet && tl.dropped)
            fprintf(stderr, "%s: %s: CUPTI dropped %lu records; the timeline misses some kernels\n", cli_prog,
                    timeline_path, tl.dropped);
        timeline_free(&tl);
        ro.timeline = &rtl;
    }
    if ((json ? report_json : report_text).write(stdout, &est, &ro) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "%s: writing to stdout: %s\n", cli_prog, strerror(errno));
        estimate_free(&est);
        return EXIT_OUTPUT;
    }

    if (report_path) {
        struct csv_ctx cc = { &est, ro };
        int html = cli_has_ext(report_path, ".html") || cli_has_ext(report_path, ".htm");
        if (cli_save_output(report_path, REPORT_SVG_SIGNATURE, force, html ? write_html : write_svg, &cc) != EXIT_OK)
            rc = EXIT_OUTPUT;
    }
    if (out_csv) {
        struct csv_ctx cc = { &est, ro };
        if (cli_save_output(out_csv, REPORT_CSV_SIGNATURE, force, write_csv, &cc) != EXIT_OK)
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
                                "(--force replaces it, --no-predictions skips it)\n", cli_prog, PREDICTIONS_CSV);
            break;
        default:
            if (!quiet)
                fprintf(stderr, "%s: note: ./%s not written: %s\n", cli_prog, PREDICTIONS_CSV, err);
        }
    }
    estimate_free(&est);
    /* the estimate of an interrupted run is printed, and the status says it was interrupted */
    if (rc == EXIT_OK && interrupted)
        rc = 128 + interrupted;
    return rc;
}
