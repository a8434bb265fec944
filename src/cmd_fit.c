/* cmd_fit: the command line of 'gpu_profiler fit' (dataset.h and fit.h do
 * the work). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "cli.h"
#include "dataset.h"
#include "feature_table.h"
#include "fit.h"
#include "model.h"

static int write_model_file(FILE *f, void *ctx)
{
    return model_write(f, ctx);
}

struct fit_options {
    const char *out, *variant, *path, *base;
    int tier, force, quiet, board, comm, sampled;
    char feature_buf[1024];
    char *feature_names[MODEL_MAX_FEATURES + 2];
    const char *const *features;
};

static void print_fit_help(void)
{
    printf("Usage: gpu_profiler fit DATASET [-o MODEL] [--tier T | --sampled | --features F1,F2,...] [--variant NAME]\n"
           "                        [--force] [-q]\n"
           "       gpu_profiler fit --board QUICK_DATASET [-o MODEL] [--variant fast | --base MODEL]\n"
           "                        [--force] [-q]\n"
           "       gpu_profiler fit --comm DATASET [-o MODEL] [--variant fast | --base MODEL]\n"
           "                        [--force] [-q]\n"
           "\n"
           "Fits the power model to a dataset written by 'gpu_profiler calibrate' (no GPU needed)\n"
           "and writes it to MODEL (default gpu_profiler.model). The same dataset always gives\n"
           "the same model file, byte for byte. Prints the cross-validated error: each family of\n"
           "microbenchmarks is held out in turn and predicted by a model fitted on the others.\n"
           "--features fits only those features ('gpu_profiler --list-features'): fewer metrics\n"
           "mean fewer ncu replay passes per kernel, at the accuracy the printed error shows.\n"
           "--sampled fits the model of counters sampled as the application runs from a dataset\n"
           "of 'calibrate --sampled' (its features, variant sampled): byte for byte its model.\n"
           "--variant names the model's kind in the file ('fast' is what --fast picks among the\n"
           "built-in models).\n"
           "--tier fits the model of one kind of ncu export from the same dataset: raw (the\n"
           "default), fast, full (details page of --set full), detailed (of --set detailed) or basic (details\n"
           "page of ncu's default set): the tier's features that the dataset holds, named after it.\n"
           "--board adjusts the built-in model (--variant fast: the fast one) to the board of a\n"
           "dataset written by 'calibrate --quick', as calibrate --quick did: P = offset + scale x\n"
           "the built-in's, fitted over its configurations; byte for byte the model it wrote.\n"
           "--base MODEL adjusts that model in place of the built-in one: the built-in model a\n"
           "quick dataset was made against, when gpu_profiler has a newer one since (the estimate\n"
           "then leaves the old board model unused and says so).\n"
           "--comm gives the built-in model (or --base's) the communication term of the collectives\n"
           "in a dataset (family comm: 'calibrate --only comm' on a machine of two or more GPUs):\n"
           "the power of a GPU in a collective of 16 MiB or more, which the estimate puts on NCCL's\n"
           "kernels; byte for byte the model calibrate --only comm wrote. A full dataset with\n"
           "collectives gets the term from plain 'fit' too.\n"
           "Exit status: 0 ok, 2 usage, 3 dataset unreadable, 4 fit failed, 7 output file.\n");
}

/* --features F1,F2,...: into o->features. 0, or -1 after a usage error. */
static int parse_features(struct fit_options *o, const char *arg)
{
    size_t n = 0;
    char *tok, *save = NULL;
    if (strlen(arg) >= sizeof o->feature_buf) {
        cli_usage_error("fit: --features: list too long");
        return -1;
    }
    snprintf(o->feature_buf, sizeof o->feature_buf, "%s", arg);
    for (tok = strtok_r(o->feature_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n > MODEL_MAX_FEATURES) {
            cli_usage_error("fit: --features: at most %d features", MODEL_MAX_FEATURES);
            return -1;
        }
        o->feature_names[n++] = tok;
    }
    if (n == 0) {
        cli_usage_error("fit: --features needs a comma-separated list of features (see --list-features)");
        return -1;
    }
    o->feature_names[n] = NULL;
    o->features = (const char *const *)o->feature_names;
    return 0;
}

/* --variant NAME: 1 to 15 of a-z, 0-9, _. */
static int parse_variant(struct fit_options *o, const char *arg)
{
    const char *p;
    for (p = arg; *p && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'); p++)
        ;
    if (!*arg || *p || strlen(arg) > 15) {
        cli_usage_error("fit: --variant wants a name of 1 to 15 characters a-z, 0-9 or _, like 'fast'");
        return -1;
    }
    o->variant = arg;
    return 0;
}

/* The command line into o. Returns -1 to go on, else the exit status. */
static int parse_fit_options(int argc, char **argv, struct fit_options *o)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'f' },
        { "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
        { "features", required_argument, NULL, 'F' }, { "variant", required_argument, NULL, 'V' },
        { "tier", required_argument, NULL, 'T' },     { "board", no_argument, NULL, 'B' },
        { "base", required_argument, NULL, 'b' },     { "comm", no_argument, NULL, 'C' },
        { "sampled", no_argument, NULL, 'S' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    o->out = "gpu_profiler.model";
    o->tier = -1;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qhF:V:T:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'T':
            if ((o->tier = features_tier_find(optarg)) < 0) {
                cli_usage_error("fit: --tier is one of raw, fast, full, detailed, basic, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f': o->force = 1; break;
        case 'q': o->quiet = 1; break;
        case 'B': o->board = 1; break;
        case 'C': o->comm = 1; break;
        case 'b': o->base = optarg; break;
        case 'S': /* calibrate --sampled's model: its features, its variant */
            if (o->features || o->variant) {
                cli_usage_error("fit: --sampled chooses the features and names the variant: leave out --features "
                                "and --variant");
                return EXIT_USAGE;
            }
            o->features = features_sampled;
            o->variant = "sampled";
            o->sampled = 1;
            break;
        case 'F':
            if (parse_features(o, optarg) != 0)
                return EXIT_USAGE;
            break;
        case 'V':
            if (parse_variant(o, optarg) != 0)
                return EXIT_USAGE;
            break;
        case 'h': print_fit_help(); return EXIT_OK;
        case ':': cli_usage_error("fit: option '%s' needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_unknown_option("fit", argv[optind - 1], longopts); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_usage_error(optind >= argc ? "fit needs a dataset file" : "fit takes one dataset file");
        return EXIT_USAGE;
    }
    if (o->sampled && (o->tier >= 0 || o->board || o->comm)) {
        cli_usage_error("fit: --sampled fits the dataset of calibrate --sampled with its own features: leave out %s",
                        o->tier >= 0 ? "--tier" : o->board ? "--board" : "--comm");
        return EXIT_USAGE;
    }
    if (o->board && (o->tier >= 0 || o->features || (o->variant && strcmp(o->variant, "fast") != 0))) {
        cli_usage_error("fit: --board adjusts a built-in model: leave out --tier and --features (--variant: fast only)");
        return EXIT_USAGE;
    }
    if (o->board && o->comm) {
        cli_usage_error("fit: --board and --comm are two kinds of dataset: give one");
        return EXIT_USAGE;
    }
    if (o->comm && (o->tier >= 0 || o->features || (o->variant && strcmp(o->variant, "fast") != 0))) {
        cli_usage_error("fit: --comm adds to a built-in model: leave out --tier and --features (--variant: fast only)");
        return EXIT_USAGE;
    }
    if (o->base && (!(o->board || o->comm) || o->variant)) {
        cli_usage_error(o->board  ? "fit: --base is the model to adjust: leave out --variant"
                        : o->comm ? "fit: --base is the model to add to: leave out --variant"
                                  : "fit: --base goes with --board or --comm");
        return EXIT_USAGE;
    }
    if (o->tier >= 0 && (o->features || o->variant)) {
        cli_usage_error("fit: --tier chooses the features and names the variant: leave out --features and --variant");
        return EXIT_USAGE;
    }
    o->path = argv[optind];
    return -1;
}

/* The model --board or --comm starts from: --base's, else the built-in
 * one of the dataset's GPU (and --variant). NULL with err. */
static const struct model *fit_base(const struct fit_options *o, const struct dataset *d, char *err, size_t errlen)
{
    static struct model base_file;
    const struct model *base = model_builtin_for(d->gpu, o->variant ? o->variant : "");
    char why[512];
    if (o->base) {
        if (model_load(o->base, &base_file, why, sizeof why) != 0) {
            snprintf(err, errlen, "--base %s: %s", o->base, why);
            return NULL;
        }
        if (strcmp(base_file.gpu, d->gpu) != 0) {
            snprintf(err, errlen, "--base %s is a model of the %s, the dataset was measured on the %s", o->base,
                     base_file.gpu, d->gpu);
            return NULL;
        }
        base = &base_file;
    }
    if (!base)
        snprintf(err, errlen, "no built-in %smodel for %s to %s", o->variant ? "fast " : "", d->gpu,
                 o->board ? "adjust" : "add the term to");
    return base;
}

/* fit --comm: the base model with the dataset's communication term. */
static int fit_comm(const struct fit_options *o, const struct dataset *d, struct model *m, char *err, size_t errlen)
{
    struct fit_report rep;
    const struct model *base = fit_base(o, d, err, errlen);
    if (!base || fit_comm_model(d, base, m, &rep, err, errlen) != 0)
        return -1;
    if (!o->quiet)
        fit_comm_report_print(strcmp(o->out, "-") == 0 ? stderr : stdout, &rep);
    return 0;
}

/* fit --board: the built-in model (or --base's) adjusted to the quick
 * dataset's board. */
static int fit_board(const struct fit_options *o, const struct dataset *d, struct model *m, char *err,
                     size_t errlen)
{
    const struct model *base = fit_base(o, d, err, errlen);
    struct board_fit fit;
    if (!base)
        return -1;
    if (board_adjust(base, d, o->path, m, &fit, err, errlen) != 0)
        return -1;
    if (!o->quiet)
        fprintf(strcmp(o->out, "-") == 0 ? stderr : stdout,
                "board %s: %.3f x %s%s %+.1f W over %zu configurations; avg error there %.1f%% "
                "%s, %.1f%% adjusted, %.1f%% each left out of the fit\n", m->board, fit.scale,
                o->base ? "the model " : "the built-in model", o->base ? o->base : "", fit.offset_w, fit.n,
                fit.built_in_mape_pct, o->base ? "before" : "built in", fit.adjusted_mape_pct, fit.loo_mape_pct);
    return 0;
}

int cmd_fit(int argc, char **argv)
{
    static struct fit_options o;
    struct dataset d;
    struct model m;
    struct fit_report rep;
    char err[1024];
    int rc;
    memset(&o, 0, sizeof o);
    if ((rc = parse_fit_options(argc, argv, &o)) >= 0)
        return rc;
    if (cli_check_output(o.out, "gpu_profiler_model", o.force, "nothing was fitted") != EXIT_OK)
        return EXIT_OUTPUT;
    if (dataset_load(o.path, &d, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_prog, o.path, err);
        return EXIT_INPUT;
    }
    if ((o.board  ? fit_board(&o, &d, &m, err, sizeof err)
         : o.comm ? fit_comm(&o, &d, &m, err, sizeof err)
                 : o.tier >= 0 ? fit_tier(&d, o.path, o.tier, &m, &rep, err, sizeof err)
                               : fit_dataset(&d, o.path, o.features, &m, &rep, err, sizeof err)) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_prog, o.path, err);
        dataset_free(&d);
        return EXIT_MODEL;
    }
    dataset_free(&d);
    if (o.variant && !o.board && !o.comm)
        snprintf(m.variant, sizeof m.variant, "%s", o.variant);
    if (model_check_written(&m, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: the fitted model is not one gpu_profiler can use (%s); nothing written\n",
                cli_prog, o.path, err);
        return EXIT_MODEL;
    }
    if (!o.quiet && !o.board && !o.comm) /* beside the model on stdout ('-o -'), the report goes to stderr */
        fit_report_print(strcmp(o.out, "-") == 0 ? stderr : stdout, &rep);
    if (!o.quiet && !o.board && !o.comm && rep.dropped_features)
        fprintf(stderr, "%s: warning: %s has no column for %zu of the features asked for (%s): the model is fitted "
                        "without them%s\n", cli_prog, o.path, rep.dropped_features, rep.dropped,
                rep.dataset_sampled && !o.sampled ? "; this is a dataset of calibrate --sampled: fit it with --sampled"
                                                  : "");
    if (cli_save_output(o.out, "gpu_profiler_model", o.force, write_model_file, &m) != EXIT_OK)
        return EXIT_OUTPUT;
    if (!o.quiet && strcmp(o.out, "-") != 0)
        fprintf(stderr, "%s: wrote %s\n", cli_prog, o.out);
    return EXIT_OK;
}
