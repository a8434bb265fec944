/* cmd_fit: the command line of 'gpu_profiler fit' (dataset.h and fit.h do
 * the work). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dataset.h"
#include "feature_table.h"
#include "fit.h"
#include "model.h"

static int write_model_file(FILE *f, void *ctx)
{
    return model_write(f, ctx);
}

int cmd_fit(int argc, char **argv)
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
                cli_usage_error("fit: --tier is one of raw, fast, detailed, basic, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        case 'F': {
            size_t n = 0;
            char *tok, *save = NULL;
            if (strlen(optarg) >= sizeof feature_buf) {
                cli_usage_error("fit: --features: list too long");
                return EXIT_USAGE;
            }
            snprintf(feature_buf, sizeof feature_buf, "%s", optarg);
            for (tok = strtok_r(feature_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (n > MODEL_MAX_FEATURES) {
                    cli_usage_error("fit: --features: at most %d features", MODEL_MAX_FEATURES);
                    return EXIT_USAGE;
                }
                feature_names[n++] = tok;
            }
            if (n == 0) {
                cli_usage_error("fit: --features needs a comma-separated list of features (see --list-features)");
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
                cli_usage_error("fit: --variant wants a name of 1 to 15 characters a-z, 0-9 or _, like 'fast'");
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
        case ':': cli_usage_error("fit: option '%s' needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_usage_error("fit: unknown option '%s'", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_usage_error(optind >= argc ? "fit needs a dataset file" : "fit takes one dataset file");
        return EXIT_USAGE;
    }
    if (tier >= 0 && (features || variant)) {
        cli_usage_error("fit: --tier chooses the features and names the variant: leave out --features and --variant");
        return EXIT_USAGE;
    }
    path = argv[optind];
    if (dataset_load(path, &d, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_prog, path, err);
        return EXIT_INPUT;
    }
    if ((tier >= 0 ? fit_tier(&d, path, tier, &m, &rep, err, sizeof err)
                   : fit_dataset(&d, path, features, &m, &rep, err, sizeof err)) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cli_prog, path, err);
        dataset_free(&d);
        return EXIT_MODEL;
    }
    dataset_free(&d);
    if (variant)
        snprintf(m.variant, sizeof m.variant, "%s", variant);
    if (!quiet)
        fit_report_print(stdout, &rep);
    if (cli_save_output(out, "gpu_profiler_model", force, write_model_file, &m) != EXIT_OK)
        return EXIT_OUTPUT;
    if (!quiet)
        fprintf(stderr, "%s: wrote %s\n", cli_prog, out);
    return EXIT_OK;
}
