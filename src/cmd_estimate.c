/* cmd_estimate: the default command: profile (-a) or read (-c) ncu's
 * output, estimate, and report; with --measure and --timeline, the
 * measurement and the traced run beside it. */
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "cli.h"
#include "plat.h"
#include "power_meter.h"
#include "estimate.h"
#include "feature_table.h"
#include "inputs.h"
#include "measure.h"
#include "model.h"
#include "name_hints.h"
#include "outfile.h"
#include "report.h"
#include "report_format.h"
#include "runner.h"
#include "timeline.h"

/* --help: the options in a line each and a few examples, under 60 lines;
 * the long form (every option's details, the definitions, the environment)
 * is the man page, docs/gpu_profiler.1. */
static void print_help_usage(void)
{
    printf("Usage: gpu_profiler [OPTIONS] -a APP [-s ARG]... [-- ARGS...]   profile APP under ncu, estimate\n"
           "       gpu_profiler [OPTIONS] -c CSV        estimate from what ncu exported ('-': stdin)\n"
           "       gpu_profiler [OPTIONS]               read ./" RUNNER_CSV_NAME " or ./" LEGACY_CSV "\n"
           "       gpu_profiler calibrate|fit|measure ...   (each has its --help)\n"
           "Estimates the power an NVIDIA GPU draws running an application (min, avg and peak watts,\n"
           "energy, per task and per kernel) from Nsight Compute counters and a measured power model.\n"
           "\n"
           "Input:\n"
           "  -a, --app APP         profile APP under ncu; -s, --arg ARG: one argument for it\n"
           "  -c, --csv FILE        an ncu CSV (raw or details page), .ncu-rep or folder; repeatable\n"
           "      --ncu PATH        the ncu to run (default: $NCU, PATH, $CUDA_HOME/bin, ...)\n"
           "      --output-dir DIR  where -a leaves its .ncu-rep and CSV (default .)\n"
           "      --skip-kernels N, --max-kernels N   profile from launch N+1 / at most N launches\n"
           "      --sample N        profile about 1 in N invocations of each kernel\n"
           "      --nvtx-range NAME, --duration S, --ncu-arg ARG, --skip-nccl   what -a profiles\n"
           "      --measure         also measure APP without ncu (NVML) and print the error\n"
           "      --timeline FILE   also estimate over a run 'gpu_profiler measure --timeline' traced\n"
           "      --sampled[=MS]    estimate from counters sampled as APP runs (no ncu; man page)\n"
           "Model:\n"
           "      --fast, --tier raw|fast|full|detailed|basic, --model FILE, --no-board, --list-features\n"
           "Output:\n"
           "  -m, --mode MODE       min, avg, peak or all (default avg)\n"
           "      --json            one JSON document on stdout (docs/schema/)\n"
           "      --per-kernel, --wide, --top N   every kernel / names unshortened / N kernels\n"
           "      --out-csv FILE    task, name and kernel rows ('-': stdout)\n"
           "      --report FILE     FILE.svg (a picture) or FILE.html (the picture and the tables)\n"
           "      --no-predictions  do not write ./" PREDICTIONS_CSV " (not written when stdout is JSON or CSV)\n"
           "      --force           replace output files that gpu_profiler did not write\n"
           "  -q, --quiet, -v, --verbose, -h, --help, -V, --version (built-in models, their errors)\n"
           "\n"
           "Examples:\n"
           "  gpu_profiler -m all -a ./train -s data.bin          profile and estimate a program\n"
           "  gpu_profiler -c report.csv --report power.html      a CSV from 'ncu --csv', a web page\n"
           "  gpu_profiler --max-kernels 2000 --json -a python3 -- train.py > power.json\n"
           "  gpu_profiler measure -- ./train                     what NVML measures, no ncu\n"
           "  gpu_profiler calibrate -o my_gpu.model              a model for this GPU (~6 min)\n"
           "\n"
           "From ncu: --launch-count N is --max-kernels N, --launch-skip N is --skip-kernels N, and\n"
           "-k NAME goes to ncu as --ncu-arg=-k --ncu-arg=NAME.\n"
           "\n");
}

static void print_help(void)
{
    char gpus[512];
    print_help_usage();
    printf("Exit status: 0 ok, 1 internal, 2 command line, 3 input, 4 model, 5 ncu, 6 no application,\n"
           "7 output file, 8 GPU, 9 application failed, 10 no start marker, 130/143 interrupted.\n"
           "The long form of this text: man gpu_profiler (docs/gpu_profiler.1).\n"
           "Built-in models: %s (each tier: --version)\n", model_builtin_gpus(gpus, sizeof gpus) ? gpus : "none");
    if (PLAT_WINDOWS)
        printf("Windows: -a with a real ncu, measure, --measure, calibrate and the tracer were never run on a\n"
               "Windows GPU (README.md, \"Windows\"); run from a console, so that Ctrl-C reaches ncu.\n");
}

static void print_features(void)
{
    size_t i;
    printf("%-14s %-10s %s\n", "feature", "component", "meaning / raw metric / details-page metric");
    for (i = 0; i < features_count; i++) {
        const struct feature_def *f = &features_table[i];
        const struct metric_def *n = &features_metrics[f->num];
        printf("%-14s %-10s %s\n", f->name, f->component, f->what);
        printf("%-25s raw: %s%s%s%s%s%s%s\n", "", n->raw, f->sub > 0 ? " - " : "",
               f->sub > 0 ? features_metrics[f->sub].raw : "", f->mul > 0 ? " * " : "",
               f->mul > 0 ? features_metrics[f->mul].raw : "", f->den >= 0 ? " / " : "",
               f->den >= 0 ? features_metrics[f->den].raw : "");
        if (n->section && (f->den < 0 || features_metrics[f->den].section) &&
            (f->mul <= 0 || features_metrics[f->mul].section))
            printf("%-25s details: %s / %s%s%s%s%s\n", "", n->section, n->name, f->mul > 0 ? " times " : "",
                   f->mul > 0 ? features_metrics[f->mul].name : "", f->den >= 0 ? " over " : "",
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
 * the rest of the measured time (all of it on a GPU that ran no kernel);
 * with skip_nccl (NCCL's kernels left unprofiled) the rest at the model's
 * communication term where it has one: the loop's measured time minus the
 * profiled kernels' is the collectives'. */
static void fill_measured(struct report_measured *rm, const struct measure_result *m, const struct estimate *est,
                          int whole, int skip_nccl)
{
    size_t g, d;
    double idle_w = est->used->idle_w;
    memset(rm, 0, sizeof *rm);
    rm->skip_nccl = skip_nccl;
    rm->rest_comm = skip_nccl && est->used->comm_w[TARGET_AVG] > 0;
    rm->rest_w = rm->rest_comm ? est->used->comm_w[TARGET_AVG] : idle_w;
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
        rg->device = (long long)g;
        snprintf(rg->id, sizeof rg->id, "%s", mg->id);
        snprintf(rg->name, sizeof rg->name, "%s", mg->name);
        rg->energy_j = mg->energy_j;
        rg->avg_w = mg->avg_w;
        rg->min_w = mg->min_w;
        rg->peak_w = mg->peak_w;
        rg->run_avg_w = rg->busy_share = NAN;
        for (d = 0; d < est->ndevices; d++)
            if (est->devices[d].device == (long long)g || (est->devices[d].device < 0 && g == 0))
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
            double rest_w = rg->estimate ? rm->rest_w : idle_w; /* a GPU that ran nothing profiled idles */
            rg->run_avg_w = (p * busy + rest_w * (m->duration_s - busy)) / m->duration_s;
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

/* For -v: the rule texts read (kernels per rule), and which of the model's
 * features came from them (on a raw page: derived from the pipe metrics). */
static void verbose_rules(const struct estimate *e)
{
    char line[512] = "none", feats[512] = "";
    size_t i, off = 0, foff = 0;
    unsigned r;
    for (r = 0; r < NCU_RULE_COUNT; r++)
        if (e->rules_read[r] && off < sizeof line)
            off += (size_t)snprintf(line + off, sizeof line - off, "%s%s %lu", off ? ", " : "", ncu_rules_name(r),
                                    e->rules_read[r]);
    fprintf(stderr, "%s: rule texts read: %s (kernels)\n", cli_prog, line);
    for (r = 0; r < NCU_RULE_COUNT; r++)
        if (e->rules_not_understood[r])
            fprintf(stderr, "%s: rule %s: its text was not understood on %lu kernels (they lack its features)\n",
                    cli_prog, ncu_rules_name(r), e->rules_not_understood[r]);
    for (i = 0; e->used && i < e->used->nfeatures && foff < sizeof feats; i++) {
        const struct feature_def *f = &features_table[e->used->feature[i]];
        if (features_metrics[f->num].rule == 1)
            foff += (size_t)snprintf(feats + foff, sizeof feats - foff, "%s%s", foff ? ", " : "", f->name);
    }
    if (foff)
        fprintf(stderr, "%s: the model's features %s: %s\n", cli_prog,
                e->stats.page == NCU_PAGE_DETAILS ? "from rule texts" : "derived from the pipe metrics as the rule "
                "derives them (a raw page has no rule texts)", feats);
}

/* Tier basic (the default set's page) reads how busy the SMs were, not with
 * what: where the page allowed no richer tier (not --tier basic) and most
 * of the energy is in kernels whose names give no hint either, say so once
 * (docs/ACCURACY.md: blur_4k read 43% low and sobel_edges 24% high from such
 * pages, within 15% from the raw page). */
static void note_basic_blind(const struct estimate *e, int auto_tier)
{
    size_t i, n = e->by_name.n ? e->by_name.n : e->nkernels;
    double blind_j = 0, total_j = 0;
    if (!auto_tier || e->tier < 0 || e->tier != features_tier_find("basic"))
        return; /* --tier basic: asked for, on whatever page */
    for (i = 0; i < n; i++) {
        const char *name = e->by_name.n ? e->by_name.v[i].name : e->kernels[i].name;
        double j = e->by_name.n ? e->by_name.v[i].energy_j : e->kernels[i].energy_j;
        struct name_hint h;
        total_j += j;
        if (!name_hint_of(name, &h))
            blind_j += j;
    }
    if (total_j > 0 && blind_j >= 0.5 * total_j)
        fprintf(stderr, "%s: note: tier basic reads how busy the SMs were, not with what, and %.0f%% of the energy "
                        "is in kernels whose names give no hint either: such kernels read far off, either way, on "
                        "real pages (docs/ACCURACY.md, \"Real pages of an H100\"); the raw page of 'ncu --set full' "
                        "(or -a) reads them best\n", cli_prog, 100.0 * blind_j / total_j);
}

/* For -v: each kernel name with a hint (name_hints.h), once. */
static void verbose_hints(const struct estimate *e)
{
    size_t i, j, n = e->by_name.n ? e->by_name.n : e->nkernels, shown = 0;
    for (i = 0; i < n; i++) {
        const char *name = e->by_name.n ? e->by_name.v[i].name : e->kernels[i].name;
        struct name_hint h;
        for (j = 0; !e->by_name.n && j < i && e->kernels[j].name != name; j++)
            ;
        if ((!e->by_name.n && j < i) || !name_hint_of(name, &h))
            continue;
        fprintf(stderr, "%s: name hint: %s%s%s (%s%s%s): %s\n", cli_prog, h.dtype ? h.dtype : "",
                h.dtype && h.unit ? ", " : "", h.unit ? name_hint_unit_name(h.unit) : "",
                h.dtype_pattern ? h.dtype_pattern : "", h.dtype_pattern && h.unit_pattern &&
                h.unit_pattern != h.dtype_pattern ? ", " : "", h.unit_pattern && h.unit_pattern != h.dtype_pattern ?
                h.unit_pattern : "", name);
        shown++;
    }
    fprintf(stderr, "%s: name hints: %zu kernel name%s matched the table (docs/ACCURACY.md, Name hints)\n", cli_prog,
            shown, shown == 1 ? "" : "s");
    if (e->used) {
        char feats[512] = "";
        size_t foff = 0;
        for (i = 0; i < e->used->nfeatures && foff < sizeof feats; i++) {
            const struct feature_def *f = &features_table[e->used->feature[i]];
            if (features_metrics[f->num].rule == 2)
                foff += (size_t)snprintf(feats + foff, sizeof feats - foff, "%s%s", foff ? ", " : "", f->name);
        }
        fprintf(stderr, "%s: kernel-name features of the model: %s\n", cli_prog, foff ? feats : "none");
    }
}

/* What the folders and -c named that is not read: never silent. */
static void note_inputs_left_out(const struct input_list *in, int quiet)
{
    char clean[256];
    if (quiet)
        return;
    if (in->not_files)
        fprintf(stderr, "%s: note: %s%s is not a regular file (a FIFO, a device or a folder): left out%s\n", cli_prog,
                report_clean(clean, sizeof clean, in->first_not_file), in->not_files > 1 ? " and others" : "",
                in->not_files > 1 ? "; give such a file with -c FILE to read it" : "; -c FILE reads it");
    if (in->twice)
        fprintf(stderr, "%s: note: %s names a file already read (the same profile): read once%s\n", cli_prog,
                report_clean(clean, sizeof clean, in->first_twice), in->twice > 1 ? ", as are the others" : "");
}

/* Reads every input (-c, repeatable; a folder; a report) into the estimate.
 * Returns an exit status; errors are printed with the file they concern. */
static int read_inputs(struct estimate *est, const char *const *args, size_t nargs, const char *ncu, int verbose,
                       int quiet)
{
    struct input_list in;
    char err[4096];
    size_t i;
    int rc = EXIT_OK, r, auto_tier = !est->model && !est->variant, stdin_read = 0;
    unsigned tiers = ~0u; /* the tiers every kernel read so far allows */
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
    note_inputs_left_out(&in, quiet);
    if (in.n > 1 && !est->model && !est->variant) {
        int t = common_tier(&in, quiet, err, sizeof err);
        if (t == -2) {
            char clean[4096];
            fprintf(stderr, "%s: %s\n", cli_prog, report_clean(clean, sizeof clean, err));
            inputs_free(&in);
            return EXIT_INPUT;
        }
        if (t >= 0)
            est->variant = features_tiers[t].name;
    }
again:
    for (i = 0; i < in.n && rc == EXIT_OK; i++) {
        int t;
        stdin_read |= strcmp(in.csv[i], "-") == 0;
        switch (r = estimate_add_file(est, in.csv[i], err, sizeof err)) {
        case ESTIMATE_OK: break;
        case ESTIMATE_ERR_MODEL: rc = EXIT_MODEL; break;
        case ESTIMATE_ERR_NOMEM: rc = EXIT_INTERNAL; break;
        default: rc = EXIT_INPUT; break;
        }
        /* the tier was chosen at the first kernel (of each input): where a later kernel lacks a metric of
           it, every input is read again with the richest tier that every kernel read allows (stdin cannot
           be read again: its error names that tier) */
        tiers &= est->tiers_all;
        if (r == ESTIMATE_ERR_MISSING && auto_tier && est->kernels_missing && est->tier >= 0 &&
            (t = estimate_richest_tier(tiers)) >= 0 && t != est->tier) {
            char clean[4096];
            if (!stdin_read) {
                if (!quiet)
                    fprintf(stderr, "%s: %s: %lu kernel%s lack metrics of tier %s, which its first kernel allows; "
                            "all are estimated with tier %s, the richest every kernel allows\n", cli_prog,
                            report_clean(clean, sizeof clean, in.named[i]), est->kernels_missing,
                            est->kernels_missing == 1 ? "" : "s", features_tiers[est->tier].name,
                            features_tiers[t].name);
                estimate_reset(est);
                est->variant = features_tiers[t].name;
                rc = EXIT_OK;
                goto again;
            }
            snprintf(err + strlen(err), sizeof err - strlen(err), "; every kernel allows tier %s: --tier %s "
                     "estimates them all", features_tiers[t].name, features_tiers[t].name);
        }
        if (rc != EXIT_OK) {
            char clean[4096];
            fprintf(stderr, "%s: %s: ", cli_prog, report_clean(clean, sizeof clean, in.named[i]));
            fprintf(stderr, "%s\n", report_clean(clean, sizeof clean, err)); /* it may quote the CSV */
            if (verbose && est->missing_detail[0])
                fprintf(stderr, "%s: %s: %s\n", cli_prog, in.named[i], est->missing_detail);
            break;
        }
        if (!quiet && est->stats.kernel_like)
            fprintf(stderr, "%s: warning: %s: %lu unquoted line%s shaped like a kernel row (the first on line %lu) "
                            "skipped as the application's output: ncu quotes every field it writes (was the file "
                            "edited?)\n", cli_prog, in.named[i], est->stats.kernel_like,
                    est->stats.kernel_like == 1 ? "" : "s", est->stats.kernel_like_line);
        if (verbose)
            fprintf(stderr, "%s: %s: %s page, %lu rows, %lu kernels, %lu %s not ncu CSV skipped\n",
                    cli_prog, in.named[i], est->stats.page == NCU_PAGE_RAW ? "raw" : "details", est->stats.rows,
                    est->stats.kernels, est->stats.lines_skipped,
                    est->stats.lines_skipped == 1 ? "line that is" : "lines that are");
        if (!quiet && i == 0 && est->model_guessed == GPU_FIRST_MODEL)
            fprintf(stderr, "%s: %s does not name its GPU; using the model for %s\n", cli_prog, in.named[i],
                    est->used->gpu);
    }
    if (rc == EXIT_OK && estimate_finish(est, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cli_prog, err);
        rc = EXIT_INTERNAL;
    }
    if (rc == EXIT_OK && verbose) {
        verbose_rules(est);
        verbose_hints(est);
    }
    if (rc == EXIT_OK && !quiet)
        note_basic_blind(est, auto_tier);
    if (rc == EXIT_OK && !quiet && est->first_gpu[0] && strcmp(est->first_gpu, est->used->gpu) != 0) {
        char g1[160], g2[160];
        fprintf(stderr, "%s: the CSV was recorded on %s but the model is for %s\n", cli_prog,
                report_clean(g1, sizeof g1, est->first_gpu), report_clean(g2, sizeof g2, est->used->gpu));
    }
    inputs_free(&in);
    return rc;
}

/* The parsed command line of the estimate. */
struct estimate_options {
    unsigned mode;
    const char *app;
    char **app_args;           /* -s and what follows --, napp_args of them (owned) */
    size_t napp_args;
    const char *csv;           /* the last -c, then what is read when there is one input */
    const char *csv_args[64];  /* every -c */
    size_t n_csv;
    const char *model_path, *out_csv, *ncu, *out_dir, *nvtx_range, *report_path, *timeline_path, *tier;
    int json, no_pred, force, per_kernel, quiet, verbose, measure_too, fast, wide, no_board;
    int skip_nccl;             /* --skip-nccl: NCCL's kernels unprofiled, the rest of the run communication */
    long long sampled_ns;      /* --sampled[=MS]: the sampled route (cmd_sampled.c), its interval */
    int stdout_taken;          /* --json, --out-csv - or --report -: stdout holds that alone */
    long top, skip_kernels, max_kernels, sample_every;
    double duration_s, sample_weight;
    char sample_id[16384];     /* ncu --kernel-id for --sample */
    char *ncu_args[32];
    size_t n_ncu_args;
};

/* What the stages hand on to each other. */
struct estimate_run {
    struct estimate_options o;
    struct model model;        /* --model, when given */
    struct measure_result measured;
    int interrupted;           /* the signal that stopped -a, or 0 */
    int app_failed;            /* the application failed (under ncu, or measured first) */
    char csv_buf[1100];        /* the CSV that -a wrote */
    char inputs_shown[32];     /* "N files" */
    char timeline_auto[4200];  /* --measure's timeline file */
    struct model board_model[2]; /* the profiled board's, full and fast (calibrate --quick) */
    struct estimate est;
    struct report_opts ro;
    struct report_measured rm;
    struct report_timeline rtl;
};

enum { O_MODEL = 256, O_JSON, O_OUT_CSV, O_NO_PRED, O_FORCE, O_PER_KERNEL, O_TOP, O_NCU, O_OUTDIR,
       O_LIST_FEATURES, O_SKIP_KERNELS, O_MAX_KERNELS, O_NVTX, O_REPORT, O_DURATION, O_MEASURE, O_NCU_ARG, O_FAST,
       O_SAMPLE, O_TIMELINE, O_TIER, O_WIDE, O_NO_BOARD, O_SKIP_NCCL, O_SAMPLED };

static const struct option estimate_longopts[] = {
    { "timeline", required_argument, NULL, O_TIMELINE },
    { "mode", required_argument, NULL, 'm' },    { "app", required_argument, NULL, 'a' },
    { "arg", required_argument, NULL, 's' },     { "csv", required_argument, NULL, 'c' },
    { "model", required_argument, NULL, O_MODEL }, { "json", no_argument, NULL, O_JSON },
    { "out-csv", required_argument, NULL, O_OUT_CSV }, { "no-predictions", no_argument, NULL, O_NO_PRED },
    { "force", no_argument, NULL, O_FORCE },     { "per-kernel", no_argument, NULL, O_PER_KERNEL },
    { "wide", no_argument, NULL, O_WIDE },
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
    { "skip-nccl", no_argument, NULL, O_SKIP_NCCL },
    { "sampled", optional_argument, NULL, O_SAMPLED },
    { "fast", no_argument, NULL, O_FAST },       { "no-board", no_argument, NULL, O_NO_BOARD },
    { "tier", required_argument, NULL, O_TIER },
    { "quiet", no_argument, NULL, 'q' },         { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

/* A whole number from lo to hi; 0, or -1 (the caller names the option). */
static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end || end == s || errno == ERANGE || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static void print_version(void)
{
    size_t i;
    printf("gpu_profiler %s\n", GPU_PROFILER_VERSION);
    for (i = 0; i < model_builtin_count(); i++) {
        const struct model *m = model_builtin(i);
        double v = model_measured(m, MEAS_VALIDATION_MAPE), cov = model_measured(m, MEAS_COVERAGE);
        printf("built-in model: %s%s%s (%s%s)", m->gpu, m->variant[0] ? ", " : "", m->variant,
               strcmp(m->variant, "sampled") == 0 ? "PM sampling, no ncu" : "ncu ",
               strcmp(m->variant, "sampled") == 0 ? "" : m->ncu_version);
        if (v >= 0)
            printf(": validation avg error %.1f%%", v);
        else
            printf(": not validated on real work");
        if (m->has_stat[TARGET_AVG][STAT_CV_MAPE])
            printf(", held out %.1f%%", m->stat[TARGET_AVG][STAT_CV_MAPE]);
        if (cov >= 0)
            printf(", error bar held %.0f%%", cov);
        if (model_measured(m, MEAS_BOARD_SPREAD) >= 0)
            printf(", board spread %.1f%%", model_measured(m, MEAS_BOARD_SPREAD));
        putchar('\n');
    }
}

/* An ncu option given to gpu_profiler (an ncu user's habit): what
 * gpu_profiler offers in its place, or NULL. */
static const char *ncu_habit(const char *opt)
{
    static const struct {
        const char *ncu, *hint;
    } habits[] = {
        { "-k", "ncu's kernel filter; gpu_profiler profiles every kernel (--nvtx-range NAME and --skip-nccl choose "
                "some); to filter by name, hand it to ncu: --ncu-arg=-k --ncu-arg=NAME" },
        { "--kernel-name", "ncu's kernel filter: hand it to ncu, --ncu-arg=--kernel-name --ncu-arg=NAME" },
        { "--kernel-regex", "ncu's kernel filter: hand it to ncu, --ncu-arg=--kernel-name --ncu-arg=regex:RE" },
        { "--launch-count", "ncu's; gpu_profiler's is --max-kernels N" },
        { "--launch-skip", "ncu's; gpu_profiler's is --skip-kernels N" },
        { "--set", "ncu's; gpu_profiler collects the metrics its model needs (-a), or reads any set's CSV (-c)" },
        { "--section", "ncu's; gpu_profiler collects the metrics its model needs (-a), or reads any set's CSV (-c)" },
        { "--metrics", "ncu's; gpu_profiler collects the metrics its model needs (--list-features lists them)" },
    };
    size_t i, len = strcspn(opt, "=");
    for (i = 0; i < sizeof habits / sizeof habits[0]; i++)
        if (strlen(habits[i].ncu) == len && strncmp(opt, habits[i].ncu, len) == 0)
            return habits[i].hint;
    return NULL;
}

/* An option getopt could not take: unknown (with what ncu users mean by
 * it, or the nearest option), or without its value. */
static int bad_option(int c, char **argv)
{
    const char *opt = argv[optind - 1], *hint;
    char shortopt[3] = { '-', (char)optopt, '\0' };
    if (c == ':') {
        if (strncmp(opt, "--", 2) != 0)
            cli_usage_error("option '-%c' needs a value", optopt);
        else
            cli_usage_error("option '%s' needs a value", opt);
        return EXIT_USAGE;
    }
    if (optopt && strncmp(opt, "--", 2) != 0)
        opt = shortopt;
    if ((hint = ncu_habit(opt)))
        cli_usage_error("unknown option '%s': %s", opt, hint);
    else
        cli_unknown_option(NULL, opt, estimate_longopts);
    return EXIT_USAGE;
}

/* The options whose value is a number. Returns -1 when taken, else the exit status. */
static int number_option(struct estimate_options *o, int c, const char *arg)
{
    switch (c) {
    case O_SKIP_KERNELS:
    case O_MAX_KERNELS:
        if (parse_long(arg, c == O_SKIP_KERNELS ? 0 : 1, 1000000000, c == O_SKIP_KERNELS ? &o->skip_kernels
                                                                                         : &o->max_kernels) != 0) {
            cli_usage_error("%s needs a whole number from %d to 1000000000, not '%s'",
                            c == O_SKIP_KERNELS ? "--skip-kernels" : "--max-kernels", c == O_SKIP_KERNELS ? 0 : 1, arg);
            return EXIT_USAGE;
        }
        return -1;
    case O_SAMPLE:
        if (parse_long(arg, 2, RUNNER_SAMPLE_MAX, &o->sample_every) != 0 ||
            runner_sample_kernel_id(o->sample_every, o->sample_id, sizeof o->sample_id, &o->sample_weight) != 0) {
            cli_usage_error("--sample needs a whole number from 2 to %d, not '%s'", RUNNER_SAMPLE_MAX, arg);
            return EXIT_USAGE;
        }
        return -1;
    case O_DURATION: {
        char *end;
        errno = 0;
        o->duration_s = strtod(arg, &end);
        if (*end || end == arg || errno == ERANGE || !(o->duration_s > 0) || o->duration_s > 1e7) {
            cli_usage_error("--duration needs a number of seconds above 0, not '%s'", arg);
            return EXIT_USAGE;
        }
        return -1;
    }
    default: /* O_TOP */
        if (parse_long(arg, 1, 1000000, &o->top) != 0) {
            cli_usage_error("--top needs a whole number from 1 to 1000000, not '%s'", arg);
            return EXIT_USAGE;
        }
        return -1;
    }
}

/* Whether -c - came already. */
static int stdin_named(const struct estimate_options *o)
{
    size_t i;
    for (i = 0; i < o->n_csv; i++)
        if (strcmp(o->csv_args[i], "-") == 0)
            return 1;
    return 0;
}

/* The options that name something (a file, a range, a tier, a mode). */
static int value_option(struct estimate_options *o, int c, const char *arg)
{
    switch (c) {
    case 'm':
        if (!(o->mode = parse_mode(arg))) {
            cli_usage_error("invalid mode '%s' (use min, avg, peak or all)", arg);
            return EXIT_USAGE;
        }
        return -1;
    case 'c':
        if (o->n_csv == sizeof o->csv_args / sizeof o->csv_args[0]) {
            cli_usage_error("at most %zu -c (a folder counts once: give the folder)",
                            sizeof o->csv_args / sizeof o->csv_args[0]);
            return EXIT_USAGE;
        }
        if (arg[0] && strspn(arg, "0123456789") == strlen(arg) && !plat_exists(arg)) {
            cli_usage_error("-c %s: no such file; -c names the CSV to read (ncu's -c, --launch-count, is "
                            "gpu_profiler's --max-kernels %s)", arg, arg);
            return EXIT_USAGE;
        }
        if (strcmp(arg, "-") == 0 && stdin_named(o)) {
            cli_usage_error("-c - given twice: standard input is read once (save each CSV to a file and give "
                            "both files)");
            return EXIT_USAGE;
        }
        o->csv = o->csv_args[o->n_csv++] = arg;
        return -1;
    case O_REPORT:
        if (strcmp(arg, "-") != 0 && !cli_has_ext(arg, ".svg") && !cli_has_ext(arg, ".html") &&
            !cli_has_ext(arg, ".htm")) {
            cli_usage_error("--report writes FILE.svg (the picture) or FILE.html (the picture and the tables), "
                            "not '%s'", arg);
            return EXIT_USAGE;
        }
        if (o->report_path) { /* the last would win, and the first be silently not written */
            cli_usage_error("--report given twice (%s and %s): one report a run; the HTML one holds the picture "
                            "too", o->report_path, arg);
            return EXIT_USAGE;
        }
        o->report_path = arg;
        return -1;
    case O_NCU_ARG:
        if (o->n_ncu_args == sizeof o->ncu_args / sizeof o->ncu_args[0]) {
            cli_usage_error("at most %zu --ncu-arg", sizeof o->ncu_args / sizeof o->ncu_args[0]);
            return EXIT_USAGE;
        }
        o->ncu_args[o->n_ncu_args++] = (char *)(uintptr_t)arg; /* runner_opts takes char *const * */
        return -1;
    case O_SKIP_NCCL:
        o->skip_nccl = 1;
        return -1;
    case O_NVTX:
        if (!*arg || strlen(arg) > 200) {
            cli_usage_error("--nvtx-range needs a range name of 1 to 200 characters");
            return EXIT_USAGE;
        }
        o->nvtx_range = arg;
        return -1;
    case O_TIER:
        if (features_tier_find(arg) < 0) {
            cli_usage_error("--tier is one of raw, fast, full, detailed, basic, not '%s'", arg);
            return EXIT_USAGE;
        }
        o->tier = arg;
        return -1;
    default:
        return number_option(o, c, arg);
    }
}

/* One option. Returns -1 when taken, else the exit status (--help and
 * --version too: 0). */
static int take_option(struct estimate_options *o, int c, char *arg, char **argv)
{
    switch (c) {
    case 'a': o->app = arg; return -1;
    case 's': o->app_args[o->napp_args++] = arg; return -1;
    case O_MODEL: o->model_path = arg; return -1;
    case O_JSON: o->json = 1; return -1;
    case O_OUT_CSV:
        if (o->out_csv) {
            cli_usage_error("--out-csv given twice (%s and %s): one file a run", o->out_csv, arg);
            return EXIT_USAGE;
        }
        o->out_csv = arg;
        return -1;
    case O_MEASURE: o->measure_too = 1; return -1;
    case O_TIMELINE: o->timeline_path = arg; return -1;
    case O_SAMPLED: return cli_parse_sampled(arg, 10.0, &o->sampled_ns) != 0 ? EXIT_USAGE : -1;
    case O_FAST: o->fast = 1; return -1;
    case O_NO_BOARD: o->no_board = 1; return -1;
    case O_NO_PRED: o->no_pred = 1; return -1;
    case O_FORCE: o->force = 1; return -1;
    case O_PER_KERNEL: o->per_kernel = 1; return -1;
    case O_WIDE: o->wide = 1; return -1;
    case O_NCU: o->ncu = arg; return -1;
    case O_OUTDIR: o->out_dir = arg; return -1;
    case 'q': o->quiet = 1; return -1;
    case 'v': o->verbose = 1; return -1;
    case O_LIST_FEATURES: print_features(); return EXIT_OK;
    case 'h': print_help(); return EXIT_OK;
    case 'V': print_version(); return EXIT_OK;
    case ':':
    case '?': return bad_option(c, argv);
    default: return value_option(o, c, arg);
    }
}

static int check_model_options(struct estimate_options *o);

/* Options that only profiling (-a) uses, given where nothing is profiled. */
static void note_profiling_options(const struct estimate_options *o)
{
    const char *unused[7];
    size_t n = 0, i;
    if (o->quiet || (o->app && !o->csv))
        return;
    if (o->skip_kernels)
        unused[n++] = "--skip-kernels";
    if (o->max_kernels)
        unused[n++] = "--max-kernels";
    if (o->nvtx_range)
        unused[n++] = "--nvtx-range";
    if (o->duration_s > 0)
        unused[n++] = "--duration";
    if (strcmp(o->out_dir, ".") != 0)
        unused[n++] = "--output-dir";
    if (o->n_ncu_args)
        unused[n++] = "--ncu-arg";
    if (o->skip_nccl)
        unused[n++] = "--skip-nccl";
    for (i = 0; i < n; i++)
        fprintf(stderr, "%s: note: %s acts on profiling (-a APP); nothing is profiled here, so it is ignored\n",
                cli_prog, unused[i]);
}

/* At most one output on stdout ('-' or --json); with one, the table is not
 * printed and ncu's and the application's output go to stderr. Returns -1
 * when that holds, else after a usage error. */
static int check_stdout_owner(struct estimate_options *o)
{
    int n = o->json + (o->out_csv && strcmp(o->out_csv, "-") == 0) +
            (o->report_path && strcmp(o->report_path, "-") == 0);
    if (n > 1) {
        cli_usage_error("%s", "only one output can go to stdout: --json, --out-csv - or --report -");
        return EXIT_USAGE;
    }
    o->stdout_taken = n == 1;
    return -1;
}

/* --skip-nccl: ncu's kernel filter that leaves NCCL's kernels out (a
 * collective waits for its peers, which ncu's replay of one kernel at a
 * time holds back). 0, or -1 after a usage error. */
static int add_skip_nccl(struct estimate_options *o)
{
    static char k[] = "-k", re[] = "regex:^(?!nccl)";
    size_t i;
    for (i = 0; i < o->n_ncu_args; i++)
        if (strcmp(o->ncu_args[i], "-k") == 0 || strncmp(o->ncu_args[i], "--kernel-name", 13) == 0 ||
            strncmp(o->ncu_args[i], "--kernel-regex", 14) == 0) {
            cli_usage_error("--skip-nccl chooses the kernels by name itself (ncu -k 'regex:^(?!nccl)'): leave "
                            "out --ncu-arg=%s", o->ncu_args[i]);
            return -1;
        }
    if (o->n_ncu_args + 2 > sizeof o->ncu_args / sizeof o->ncu_args[0]) {
        cli_usage_error("at most %zu --ncu-arg with --skip-nccl", sizeof o->ncu_args / sizeof o->ncu_args[0] - 2);
        return -1;
    }
    o->ncu_args[o->n_ncu_args++] = k;
    o->ncu_args[o->n_ncu_args++] = re;
    return 0;
}

/* Options that do not go together, and what follows the options. Returns -1
 * when the command line holds together, else the exit status. */
static int check_options(struct estimate_options *o, int argc, char **argv)
{
    size_t i;
    for (; optind < argc; optind++) {
        if (!o->app) {
            const char *a = argv[optind];
            if (cli_has_ext(a, ".csv") || cli_has_ext(a, ".ncu-rep") || plat_exists(a))
                cli_usage_error("unexpected argument '%s' (to estimate from it: gpu_profiler -c %s; to profile a "
                                "program: -a APP)", a, a);
            else
                cli_usage_error("unexpected argument '%s' (application arguments need -a APP first)", a);
            return EXIT_USAGE;
        }
        o->app_args[o->napp_args++] = argv[optind];
    }
    if (!o->app && o->napp_args) {
        cli_usage_error("%s", "-s gives an argument to the application: it needs -a APP");
        return EXIT_USAGE;
    }
    if (o->csv && o->app && !o->quiet)
        fprintf(stderr, "%s: -c given: not running -a %s; estimating from %s\n", cli_prog, o->app, o->csv);
    note_profiling_options(o);
    if (o->measure_too && o->timeline_path) {
        cli_usage_error("%s", "--measure records its own timeline (in --output-dir, gpu_profiler_timeline.txt); "
                        "--timeline reads one that 'gpu_profiler measure --timeline' recorded: use one of them");
        return EXIT_USAGE;
    }
    if (o->measure_too && (o->csv || !o->app)) {
        cli_usage_error("%s", "--measure runs the application without ncu first: it needs -a APP (and no -c)");
        return EXIT_USAGE;
    }
    if (check_stdout_owner(o) >= 0)
        return EXIT_USAGE;
    for (i = 0; o->sample_every > 1 && i < o->n_ncu_args; i++)
        if (strncmp(o->ncu_args[i], "--kernel-id", 11) == 0) {
            cli_usage_error("%s", "--sample profiles by ncu's --kernel-id: leave --ncu-arg=--kernel-id out, or "
                                  "--sample");
            return EXIT_USAGE;
        }
    if (o->skip_nccl && o->app && !o->csv && add_skip_nccl(o) != 0)
        return EXIT_USAGE;
    return check_model_options(o);
}

/* --fast, --tier and --model: one way to pick the model. */
static int check_model_options(struct estimate_options *o)
{
    if (o->fast && o->model_path) {
        cli_usage_error("%s", "--fast picks the built-in fast model; --model gives another: use one of them");
        return EXIT_USAGE;
    }
    if (o->tier && (o->fast || o->model_path)) {
        cli_usage_error("%s", "--tier picks a built-in model; --fast and --model pick one too: use one of them");
        return EXIT_USAGE;
    }
    if (o->tier && o->app && !o->csv && strcmp(o->tier, "raw") != 0 && strcmp(o->tier, "fast") != 0) {
        cli_usage_error("-a profiles the raw page's counters (tier raw, or fast with --fast); --tier %s is for "
                        "a details page you already have (-c FILE)", o->tier);
        return EXIT_USAGE;
    }
    if (o->tier && strcmp(o->tier, "fast") == 0) {
        o->fast = 1;
        o->tier = NULL;
    }
    return -1;
}

/* The command line into o. Returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct estimate_options *o)
{
    int c, rc;
    o->mode = MODE_AVG;
    o->out_dir = ".";
    o->top = 10;
    o->sample_every = 1;
    o->sample_weight = 1;
    o->app_args = calloc((size_t)argc + 1, sizeof *o->app_args);
    if (!o->app_args) {
        fprintf(stderr, "%s: out of memory\n", cli_prog);
        return EXIT_INTERNAL;
    }
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:a:s:c:qvhV", estimate_longopts, NULL)) != -1)
        if ((rc = take_option(o, c, optarg, argv)) >= 0)
            return rc;
    return check_options(o, argc, argv);
}

/* --model FILE. */
static int stage_model(struct estimate_run *r)
{
    char err[2048];
    if (r->o.model_path && model_load(r->o.model_path, &r->model, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_prog, r->o.model_path, err);
        return EXIT_MODEL;
    }
    if (r->o.model_path && strcmp(r->model.variant, "sampled") == 0) {
        fprintf(stderr, "%s: %s: a sampled model (variant sampled: PM sampling's counters, not ncu's); use it with "
                "--sampled (-a APP --sampled, or --sampled --timeline FILE)\n", cli_prog, r->o.model_path);
        return EXIT_MODEL;
    }
    return EXIT_OK;
}

/* What --measure says of the timeline it tried to record. */
static void say_timeline(struct estimate_run *r, const struct measure_opts *mo)
{
    if (r->measured.timeline_written) {
        r->o.timeline_path = mo->timeline_out;
        if (!r->o.quiet)
            fprintf(stderr, "%s: wrote %s\n", cli_prog, r->o.timeline_path);
    } else if (mo->timeline_out) {
        if (!r->o.quiet)
            fprintf(stderr, "%s: no timeline: %s\n", cli_prog, r->measured.timeline_note);
    } else if (!r->o.quiet) {
        fprintf(stderr, "%s: no timeline tracer (" TIMELINE_TRACER ", built where make finds CUPTI): the "
                "estimate over the run takes the model's idle power between the kernels\n", cli_prog);
    }
}

/* --measure: first the application alone under NVML (and, when the tracer
 * is there, when each kernel ran: timeline.h), then under ncu. */
static int stage_measure(struct estimate_run *r)
{
    struct measure_opts mo;
    char tracer[4096], err[2048];
    int rc;
    if (!r->o.measure_too)
        return EXIT_OK;
    memset(&mo, 0, sizeof mo);
    mo.app = r->o.app;
    mo.args = r->o.app_args;
    mo.nargs = r->o.napp_args;
    mo.idle_s = 1.0;
    mo.output_to_stderr = r->o.stdout_taken;
    if (!getenv("CUDA_INJECTION64_PATH") && timeline_find_tracer(tracer, sizeof tracer) == 0 &&
        (size_t)snprintf(r->timeline_auto, sizeof r->timeline_auto, "%s/gpu_profiler_timeline.txt", r->o.out_dir) <
            sizeof r->timeline_auto) {
        mo.timeline_out = r->timeline_auto;
        mo.force = r->o.force;
        mo.timeline_optional = 1;
    }
    if (!r->o.quiet)
        fprintf(stderr, "%s: measuring %s without ncu (NVML%s)\n", cli_prog, r->o.app,
                mo.timeline_out ? ", and its kernels' timeline through CUPTI" : "");
    rc = measure_run(&mo, &r->measured, err, sizeof err);
    if (rc != MEASURE_OK) {
        fprintf(stderr, "%s: --measure: %s\n", cli_prog, err);
        return rc == MEASURE_NO_APP ? EXIT_APP : rc == MEASURE_OUTPUT ? EXIT_OUTPUT
                                                 : rc == MEASURE_NO_MARKER ? EXIT_NO_MARKER : EXIT_GPU;
    }
    if (plat_exit_failed(r->measured.app_exit)) {
        r->app_failed = 1;
        if (!r->o.quiet)
            fprintf(stderr, "%s: --measure: %s failed without ncu (status %d)\n", cli_prog, r->o.app,
                    r->measured.app_exit.signal ? -1 : r->measured.app_exit.code);
    }
    say_timeline(r, &mo);
    return EXIT_OK;
}

/* -a: the application under ncu, into --output-dir. */
static int stage_profile(struct estimate_run *r)
{
    struct estimate_options *o = &r->o;
    struct runner_opts ro = { .ncu = o->ncu, .app = o->app, .args = o->app_args, .nargs = o->napp_args,
                              .out_dir = o->out_dir, .force = o->force, .quiet = o->quiet,
                              .skip_kernels = o->skip_kernels, .max_kernels = o->max_kernels,
                              .nvtx_range = o->nvtx_range, .duration_s = o->duration_s, .ncu_args = o->ncu_args,
                              .n_ncu_args = o->n_ncu_args, .kernel_id = o->sample_every > 1 ? o->sample_id : NULL,
                              .output_to_stderr = o->stdout_taken,
                              .keep_signals_held = 1 /* a signal after profiling ends the run after its estimate */ };
    char *metrics = metric_list(o->model_path ? &r->model : NULL, o->fast ? "fast" : NULL);
    char err[2048];
    int rc;
    if (!metrics) {
        fprintf(stderr, "%s: out of memory\n", cli_prog);
        return EXIT_INTERNAL;
    }
    ro.metrics = metrics;
    rc = runner_profile(&ro, r->csv_buf, sizeof r->csv_buf, err, sizeof err);
    free(metrics);
    r->interrupted = ro.interrupted;
    r->app_failed |= ro.app_failed;
    if (rc != RUNNER_OK) {
        fprintf(stderr, "%s: %s\n", cli_prog, err);
        return rc == RUNNER_NO_APP ? EXIT_APP : rc == RUNNER_OUTPUT ? EXIT_OUTPUT : EXIT_PROFILE;
    }
    o->csv = r->csv_buf;
    return EXIT_OK;
}

/* Neither -a nor -c: what the last run, or the original tool, left here. */
static int stage_default_input(struct estimate_run *r)
{
    if (plat_exists(RUNNER_CSV_NAME))
        r->o.csv = RUNNER_CSV_NAME;
    else if (plat_exists(LEGACY_CSV))
        r->o.csv = LEGACY_CSV;
    else {
        fprintf(stderr,
                "%s: nothing to estimate: no -a APP, no -c CSV, and neither ./%s (left by a profiling run) "
                "nor ./%s here\nTry '%s --help' for more information.\n",
                cli_prog, RUNNER_CSV_NAME, LEGACY_CSV, cli_prog);
        return EXIT_USAGE;
    }
    if (!r->o.quiet)
        fprintf(stderr, "%s: reading %s\n", cli_prog, r->o.csv);
    return EXIT_OK;
}

/* How many launches the estimate keeps when only the text table and task
 * rows are written: the table's --top (memory then grows with the kernel
 * names, not the launches: issue 19). 0 (keep every launch) when an output
 * lists them all: --per-kernel, --json, --out-csv, --report, --timeline
 * (matched by name over the launches), --measure. */
static size_t aggregate_top(const struct estimate_options *o)
{
    if (o->per_kernel || o->json || o->out_csv || o->report_path || o->timeline_path || o->measure_too ||
        o->top > 1000)
        return 0;
    return o->top > 0 ? (size_t)o->top : 1;
}

/* With -a: the models calibrate --quick adjusted to the board profiled
 * (CUDA's first visible GPU, as ncu's device 0), when there are any. */
static void stage_board(struct estimate_run *r)
{
    static const char *const variants[2] = { "", "fast" };
    char ids[16][48], err[512];
    struct power_meter *pm;
    size_t i;
    if (r->o.no_board || r->o.model_path || r->o.csv != r->csv_buf ||
        measure_pick_gpus(NULL, ids, 16, err, sizeof err) < 1 || !(pm = power_meter_open(ids[0], err, sizeof err)))
        return; /* no -a, or no NVML here: the built-in models */
    for (i = 0; i < 2; i++) {
        int rc = board_model_load(power_meter_board(pm), power_meter_gpu_name(pm), variants[i],
                                  model_builtin_for(power_meter_gpu_name(pm), variants[i]), &r->board_model[i], err,
                                  sizeof err);
        if (rc == 0)
            r->est.board[i] = &r->board_model[i];
        else if (rc < 0 && !r->o.quiet)
            fprintf(stderr, "%s: note: %s; the built-in model is used\n", cli_prog, err);
    }
    power_meter_close(pm);
}

/* The inputs into the estimate. */
static int stage_read(struct estimate_run *r)
{
    struct estimate_options *o = &r->o;
    int rc;
    if (!o->csv && o->app)
        rc = stage_profile(r);
    else if (!o->csv)
        rc = stage_default_input(r);
    else
        rc = EXIT_OK;
    if (rc != EXIT_OK)
        return rc;
    estimate_init(&r->est, o->model_path ? &r->model : NULL);
    stage_board(r);
    r->est.variant = o->fast ? "fast" : o->tier;
    r->est.sample_weight = o->sample_weight;
    r->est.sample_every = o->sample_every;
    r->est.aggregate_top = aggregate_top(o);
    if (o->n_csv <= 1) {
        o->csv_args[0] = o->csv;
        o->n_csv = 1;
    }
    if ((rc = read_inputs(&r->est, o->csv_args, o->n_csv, o->ncu, o->verbose, o->quiet)) != EXIT_OK)
        return rc;
    if (r->est.nfiles > 1) {
        snprintf(r->inputs_shown, sizeof r->inputs_shown, "%zu files", r->est.nfiles);
        o->csv = r->inputs_shown;
    } else if (o->n_csv > 1) {
        o->csv = o->csv_args[0]; /* the others named it again */
    }
    return EXIT_OK;
}

/* The columns the table fits: $COLUMNS (40 to 1000), else the terminal's
 * when stdout is one, else no limit. */
static size_t text_width(void)
{
    const char *env = getenv("COLUMNS");
    int cols;
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (!*end && v >= 40 && v <= 1000)
            return (size_t)v;
    }
    cols = plat_term_columns(stdout);
    return cols >= 40 ? (size_t)cols : 0;
}

/* How the reports look, and the measurement beside the estimate. */
static void stage_report_opts(struct estimate_run *r)
{
    struct estimate_options *o = &r->o;
    r->ro.mode = o->mode;
    r->ro.per_kernel = o->per_kernel;
    r->ro.top = (size_t)o->top;
    r->ro.input = o->csv;
    if (o->csv == r->csv_buf)
        r->ro.title = o->app; /* -a profiled it: the pictures name the application's file name */
    r->ro.color = !o->json && plat_isatty(stdout) && !getenv("NO_COLOR");
    r->ro.wide = o->wide;
    r->ro.width = o->wide ? 0 : text_width();
    if (o->measure_too && r->est.ndevices) {
        /* the whole run's estimate needs a profile of the whole run */
        int whole = !o->skip_kernels && !o->max_kernels && !o->nvtx_range && !o->duration_s && !r->interrupted &&
                    r->measured.duration_s > 0;
        fill_measured(&r->rm, &r->measured, &r->est, whole, o->skip_nccl);
        r->ro.measured = &r->rm;
    }
}

/* A timeline none of whose kernels bears a profiled kernel's name is most
 * likely another application's run (or another GPU's): said, not refused,
 * since a run whose kernels all went unprofiled (-k, a launch count) is
 * estimated at the profile's mean on purpose. */
static void warn_unmatched(const char *path, long long dev, const struct timeline_result *res, int quiet)
{
    size_t placed = res->comm_w > 0 ? res->nccl : 0; /* NCCL's, at the communication term */
    if (quiet || res->matched > 0 || res->kernels <= placed)
        return;
    fprintf(stderr, "%s: warning: --timeline %s: none of the %zu traced kernels of device %lld is named like a "
                    "profiled one: all are estimated at the profile's mean (is the timeline from the same "
                    "application, and the CSV from the same GPU?)\n", cli_prog, path, res->kernels - placed, dev);
}

/* --timeline (or --measure's): the estimate over the traced run, per device. */
static int stage_timeline(struct estimate_run *r)
{
    struct report_timeline *rtl = &r->rtl;
    struct timeline tl;
    const char *path = r->o.timeline_path;
    char err[2048];
    size_t d;
    if (!path || !r->est.ndevices)
        return EXIT_OK;
    if (timeline_load(path, &tl, err, sizeof err) != 0) {
        fprintf(stderr, "%s: --timeline %s\n", cli_prog, err);
        return EXIT_INPUT;
    }
    rtl->path = path;
    rtl->window_s = ESTIMATE_WINDOW_S;
    for (d = 0; d < r->est.ndevices && rtl->ndevices < REPORT_MAX_GPUS; d++) {
        long long dev = r->est.devices[d].device < 0 ? 0 : r->est.devices[d].device;
        if (timeline_estimate(&tl, dev, &r->est, ESTIMATE_WINDOW_S, &rtl->r[rtl->ndevices], err,
                              sizeof err) != 0) {
            fprintf(stderr, "%s: --timeline %s: %s\n", cli_prog, path, err);
            timeline_free(&tl);
            return EXIT_INPUT;
        }
        warn_unmatched(path, dev, &rtl->r[rtl->ndevices], r->o.quiet);
        rtl->device[rtl->ndevices++] = dev;
    }
    if (!r->o.quiet && tl.dropped)
        fprintf(stderr, "%s: %s: CUPTI dropped %lu records; the timeline misses some kernels\n", cli_prog, path,
                tl.dropped);
    timeline_free(&tl);
    r->ro.timeline = rtl;
    return EXIT_OK;
}

/* The table (or JSON) on stdout. */
static int stage_print(struct estimate_run *r)
{
    if (r->o.stdout_taken && !r->o.json)
        return EXIT_OK; /* stdout is --out-csv's or --report's */
    if ((r->o.json ? report_json : report_text).write(stdout, &r->est, &r->ro) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "%s: writing to stdout: %s\n", cli_prog, strerror(errno));
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

/* ./predictions.csv, as the original tool wrote it: a side file the user
 * did not ask for by name, so a failure is a note, not an error. */
static void write_predictions(struct estimate_run *r)
{
    struct csv_ctx cc = { &r->est, r->ro };
    char err[2048];
    cc.o.tasks_only = 1;
    switch (outfile_write(PREDICTIONS_CSV, REPORT_CSV_SIGNATURE, r->o.force, write_csv, &cc, err, sizeof err)) {
    case OUTFILE_OK: break;
    case OUTFILE_FOREIGN:
        if (!r->o.quiet)
            fprintf(stderr, "%s: note: ./%s exists and was not written by gpu_profiler; left as it is "
                            "(--force replaces it, --no-predictions skips it)\n", cli_prog, PREDICTIONS_CSV);
        break;
    default:
        if (!r->o.quiet)
            fprintf(stderr, "%s: note: ./%s not written: %s\n", cli_prog, PREDICTIONS_CSV, err);
    }
}

/* --report, --out-csv and ./predictions.csv (not where stdout carries a
 * document: --json, --out-csv -, --report -). */
static int stage_files(struct estimate_run *r)
{
    struct csv_ctx cc = { &r->est, r->ro };
    int rc = EXIT_OK;
    if (r->o.report_path) {
        int html = cli_has_ext(r->o.report_path, ".html") || cli_has_ext(r->o.report_path, ".htm"); /* '-': SVG */
        if (cli_save_output(r->o.report_path, REPORT_SVG_SIGNATURE, r->o.force, html ? write_html : write_svg,
                            &cc) != EXIT_OK)
            rc = EXIT_OUTPUT;
    }
    if (r->o.out_csv && cli_save_output(r->o.out_csv, REPORT_CSV_SIGNATURE, r->o.force, write_csv, &cc) != EXIT_OK)
        rc = EXIT_OUTPUT;
    if (!r->o.no_pred && !r->o.stdout_taken) /* a document on stdout: a script runs it, and asked for that */
        write_predictions(r);
    return rc;
}

/* -a: --output-dir is a folder that takes files, and ncu's CSV there may be
 * written, before --measure or ncu runs (the runner checks again). */
static int check_output_dir(const struct estimate_options *o)
{
    char csv[2048], err[2048];
    if (strlen(o->out_dir) > RUNNER_DIR_MAX)
        return EXIT_OK; /* the runner says how long it may be, before it runs anything */
    if (runner_check_dir(o->out_dir, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cli_prog, err);
        return EXIT_OUTPUT;
    }
    if (o->sampled_ns) /* no ncu: the timeline's own check names the folder */
        return EXIT_OK;
    snprintf(csv, sizeof csv, "%s/%s", o->out_dir, RUNNER_CSV_NAME); /* fits: RUNNER_DIR_MAX */
    return cli_check_output(csv, RUNNER_CSV_SIGNATURE, o->force, "nothing was run");
}

/* Before the long part: every output can be written, and no two are one file. */
static int stage_check_outputs(struct estimate_run *r)
{
    const struct estimate_options *o = &r->o;
    int rc;
    /* one file by any name: ./x, an absolute path, a link; PREDICTIONS.csv on Windows */
    if (o->out_csv && !o->no_pred && strcmp(o->out_csv, "-") != 0 && plat_same_file(o->out_csv, PREDICTIONS_CSV)) {
        cli_usage_error("--out-csv %s is ./%s, where the task rows go by default: name another file, or add "
                        "--no-predictions", o->out_csv, PREDICTIONS_CSV);
        return EXIT_USAGE;
    }
    if (o->out_csv && o->report_path && strcmp(o->out_csv, "-") != 0 && strcmp(o->report_path, "-") != 0 &&
        plat_same_file(o->out_csv, o->report_path)) {
        cli_usage_error("--out-csv %s and --report %s name the same file: name two", o->out_csv, o->report_path);
        return EXIT_USAGE;
    }
    if ((rc = cli_check_output(o->out_csv, REPORT_CSV_SIGNATURE, o->force, "nothing was run")) != EXIT_OK ||
        (rc = cli_check_output(o->report_path, REPORT_SVG_SIGNATURE, o->force, "nothing was run")) != EXIT_OK)
        return rc;
    return o->app && !o->csv ? check_output_dir(o) : EXIT_OK;
}

/* The pipeline: model, measurement, profile or inputs, estimate, traced
 * run, reports. */
static int run_stages(struct estimate_run *r)
{
    int rc;
    if ((rc = stage_check_outputs(r)) != EXIT_OK || (rc = stage_model(r)) != EXIT_OK ||
        (rc = stage_measure(r)) != EXIT_OK || (rc = stage_read(r)) != EXIT_OK)
        return rc;
    stage_report_opts(r);
    if ((rc = stage_timeline(r)) != EXIT_OK || (rc = stage_print(r)) != EXIT_OK)
        return rc;
    rc = stage_files(r);
    /* the estimate of an interrupted run is printed, and the status says it
     * was interrupted: during profiling, or after it (the export, the estimate) */
    if (rc == EXIT_OK && !r->interrupted)
        r->interrupted = runner_held_signal();
    if (rc == EXIT_OK && r->interrupted)
        rc = 128 + r->interrupted;
    else if (rc == EXIT_OK && r->app_failed)
        rc = EXIT_APP_FAILED; /* what was profiled is printed; the status says the application failed */
    return rc;
}

/* --sampled: -a APP run once with its counters sampled, or --timeline FILE
 * of such a run; no ncu, no -c. */
static int check_sampled(const struct estimate_options *o)
{
    if (o->csv || o->measure_too || o->fast || o->tier || o->skip_nccl) {
        cli_usage_error("%s", "--sampled estimates from counters sampled as the application runs: leave out -c, "
                        "--measure, --fast, --tier and --skip-nccl");
        return EXIT_USAGE;
    }
    if (o->out_csv) {
        cli_usage_error("%s", "--sampled writes no CSV: leave out --out-csv (--json gives its figures and kernels "
                        "to a script)");
        return EXIT_USAGE;
    }
    if (!o->app == !o->timeline_path) {
        cli_usage_error("%s", "--sampled needs -a APP (run it once, sampled) or --timeline FILE (a run recorded "
                        "with 'gpu_profiler measure --sampled --timeline FILE'), one of them");
        return EXIT_USAGE;
    }
    return -1;
}

static int run_sampled(struct estimate_options *o)
{
    struct sampled_cli c;
    int rc = check_sampled(o);
    if (rc >= 0)
        return rc;
    memset(&c, 0, sizeof c);
    c.app = o->app;
    c.args = o->app_args;
    c.nargs = o->napp_args;
    c.timeline_path = o->timeline_path;
    c.out_dir = o->out_dir;
    c.model_path = o->model_path;
    c.report_path = o->report_path;
    c.interval_ns = o->sampled_ns;
    c.top = o->top;
    c.wide = o->wide;
    c.json = o->json;
    c.force = o->force;
    c.quiet = o->quiet;
    c.verbose = o->verbose;
    return cmd_sampled_run(&c);
}

int cmd_estimate(int argc, char **argv)
{
    struct estimate_run *r = calloc(1, sizeof *r);
    int rc;
    if (!r) {
        fprintf(stderr, "%s: out of memory\n", cli_prog);
        return EXIT_INTERNAL;
    }
    rc = parse_options(argc, argv, &r->o);
    if (rc < 0 && r->o.sampled_ns)
        rc = run_sampled(&r->o);
    else if (rc < 0)
        rc = run_stages(r);
    if (rc == SAMPLED_FALL_BACK) { /* no PM sampling on this GPU or for this user: the replay route */
        r->o.sampled_ns = 0;
        rc = run_stages(r);
    }
    estimate_free(&r->est);
    free(r->o.app_args);
    free(r);
    return rc;
}
