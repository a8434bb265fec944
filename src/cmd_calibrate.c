/* cmd_calibrate: the command line of 'gpu_profiler calibrate' (calibrate.h
 * does the work). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "cli.h"

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
           "every 5 ms for min and peak (from 0.2 s into each configuration: the field lags the load),\n"
           "idle measured first; each configuration is measured --repeats times in changing orders.\n"
           "Clocks, power limits, persistence and compute mode are never changed; ncu runs with\n"
           "--clock-control none. About 5 minutes with the probes (301-304 s on H200s with 122\n"
           "configurations, 2026-12-02).\n"
           "\n"
           "--quick instead measures 8 configurations (idle, FP32, FP64, integer, tensor, DRAM) and\n"
           "adjusts the built-in model of this GPU to this board: P = offset + scale x the built-in's,\n"
           "fitted over them (boards of one GPU differ by several percent). 21-24 s on H200s. The\n"
           "models (full and fast) go to $XDG_CACHE_HOME/gpu_profiler/BOARD.model (~/.cache without\n"
           "it; %%LOCALAPPDATA%% on Windows), BOARD being the board's serial number (or UUID), with\n"
           "the dataset and log beside them; gpu_profiler -a then uses them whenever the GPU it\n"
           "profiles is this board, and says so. 'gpu_profiler fit --board DATASET' refits them.\n"
           "\n"
           "      --quick          the board in use in 21-24 s (above)\n"
           "      --tiers          also collect every details-page tier's metrics and what ncu's rules\n"
           "                       there are computed from (the roofline's FP32/FP64 counts, the\n"
           "                       Shared pipe, ALU cycles), for 'gpu_profiler fit --tier': 7 more ncu\n"
           "                       replay passes, about 30 s, before those counters were added (the\n"
           "                       log gives ncu's count)\n"
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
           "      --warmup S       seconds run before each window (default 0.05: 0.05 and 0.2 measured\n"
           "                       the same powers on an H200, docs/ACCURACY.md)\n"
           "      --limit-window S then measure the (up to 3) configurations that ran within 3%% of\n"
           "                       the power limit once more over S seconds (default 3; 0: not):\n"
           "                       the power manager swings over seconds, and min and peak at the\n"
           "                       limit come from these (family 'limit' in the dataset)\n"
           "      --no-gap-probes  do not measure the highest (at the limit: the one with the lowest\n"
           "                       clock), a middle and a DRAM configuration in bursts of 1, 5 and\n"
           "                       25 launches with the GPU idle 0.1-100 ms between them (family\n"
           "                       'gaps': how power falls between kernels and how long a burst may\n"
           "                       stay above the limit; about 50 s)\n"
           "      --nccl PATH      the NCCL library for the collectives (default: $GP_NCCL, else\n"
           "                       libnccl.so.2 by the loader's search; PyTorch's wheel has one in\n"
           "                       site-packages/nvidia/nccl/lib)\n"
           "      --comm-one-rank  run the collectives on a machine of one GPU too, as one rank: a\n"
           "                       check of NCCL and of the measurement, in which no data crosses a\n"
           "                       link (such rows give no communication term)\n"
           "      --sampled[=MS]   no ncu: the suite's counters sampled every MS milliseconds (default 10)\n"
           "                       as it runs (CUPTI PM sampling through the tracer), and the sampled\n"
           "                       model fitted (variant sampled: gpu_profiler -a --sampled uses it)\n"
           "      --timeline FILE  with --sampled, keep the run's samples and kernels in FILE\n"
           "      --list           print the suite for this GPU and exit\n"
           "      --force          replace output files that gpu_profiler did not write\n"
           "  -q, --quiet          no progress on stderr\n"
           "  -h, --help           this text\n"
           "\n"
           "The collectives (family 'comm'): where the CUDA driver shows two or more GPUs and NCCL\n"
           "loads, all-reduce, all-gather, reduce-scatter and broadcast of 1, 16 and 256 MiB run\n"
           "over all of them at once (one rank a GPU, CUDA_VISIBLE_DEVICES applies; NVLink multicast\n"
           "off: NCCL_NVLS_ENABLE=0 unless set), each GPU measured as above (15-16 s as one rank on an\n"
           "H200; --only comm: the collectives alone, the built-in model with their term); the model\n"
           "then has a communication term (comm in the file: the power of a GPU in a collective of\n"
           "16 MiB or more), which the estimate puts on NCCL's kernels. On one GPU, without NCCL or\n"
           "on Windows they are skipped with a note in the log. Not yet measured on any machine of\n"
           "two GPUs (docs/ACCURACY.md).\n"
           "\n"
           "Needs an NVIDIA GPU of compute capability 8.0 or newer, its driver (libcuda.so.1,\n"
           "libnvidia-ml.so.1), ncu with access to the counters, and a gpu_profiler built where make\n"
           "found nvcc (the microbenchmarks are compiled to PTX then and built in).\n"
           "Exit status: 0 ok, 2 usage, 4 fit failed, 5 ncu, 7 output file, 8 GPU/driver/check.\n");
}

int cmd_calibrate(int argc, char **argv)
{
    enum { O_DATASET = 256, O_LOG, O_DEVICE, O_NCU, O_ONLY, O_REPEATS, O_WINDOW, O_WARMUP, O_LIST, O_FORCE,
           O_RUN_PLAN, O_LIMIT_WINDOW, O_NO_GAPS, O_QUICK, O_TIERS, O_NCCL, O_COMM_ONE_RANK, O_SAMPLED,
           O_TIMELINE };
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
        { "quick", no_argument, NULL, O_QUICK },      { "tiers", no_argument, NULL, O_TIERS },
        { "nccl", required_argument, NULL, O_NCCL },  { "comm-one-rank", no_argument, NULL, O_COMM_ONE_RANK },
        { "sampled", optional_argument, NULL, O_SAMPLED }, { "timeline", required_argument, NULL, O_TIMELINE },
        { NULL, 0, NULL, 0 },
    };
    struct calibrate_opts o;
    const char *run_plan = NULL;
    char err[2048];
    double v;
    int c, rc, gave_o = 0, gave_dataset = 0, gave_log = 0;
    calibrate_defaults(&o);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o.model_out = optarg; gave_o = 1; break;
        case O_DATASET: o.dataset_out = optarg; gave_dataset = 1; break;
        case O_LOG: o.log_out = optarg; gave_log = 1; break;
        case O_QUICK: o.quick = 1; break;
        case O_TIERS: o.tiers = 1; break;
        case O_NCCL:
            if (!*optarg) {
                cli_usage_error("calibrate: --nccl needs the path of the NCCL library (libnccl.so.2)");
                return EXIT_USAGE;
            }
            o.nccl = optarg;
            break;
        case O_COMM_ONE_RANK: o.comm_one_rank = 1; break;
        case O_SAMPLED: /* 10 ms: the windows' means need no finer, 50 samples each */
            if (cli_parse_sampled(optarg, 10.0, &o.pm_interval_ns) != 0)
                return EXIT_USAGE;
            break;
        case O_TIMELINE: o.timeline_out = optarg; break;
        case O_DEVICE:
            if (cli_parse_positive("--device", optarg, 0, 1024, &v) != 0)
                return EXIT_USAGE;
            o.device = (int)v;
            break;
        case O_NCU: o.ncu = optarg; break;
        case O_ONLY: o.only = optarg; break;
        case O_REPEATS:
            if (cli_parse_positive("--repeats", optarg, 2, 100, &v) != 0)
                return EXIT_USAGE;
            o.repeats = (int)v;
            break;
        case O_WINDOW:
            /* a 0.2 s window failed on an H100 (the energy counter changed
             * too rarely to average); 0.5 and 0.6 are what ran */
            if (cli_parse_positive("--window", optarg, 0.5, 60, &o.window_s) != 0)
                return EXIT_USAGE;
            break;
        case O_WARMUP:
            if (cli_parse_positive("--warmup", optarg, 0, 60, &o.warmup_s) != 0)
                return EXIT_USAGE;
            break;
        case O_LIMIT_WINDOW:
            if (cli_parse_positive("--limit-window", optarg, 0, 60, &o.limit_window_s) != 0)
                return EXIT_USAGE;
            if (o.limit_window_s > 0 && o.limit_window_s < 0.5) {
                cli_usage_error("--limit-window wants 0 (no limit probes) or 0.5 to 60 seconds, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_NO_GAPS: o.no_gap_probes = 1; break;
        case O_LIST: o.list = 1; break;
        case O_FORCE: o.force = 1; break;
        case 'q': o.quiet = 1; break;
        case 'h': print_calibrate_help(); return EXIT_OK;
        case O_RUN_PLAN: run_plan = optarg; break;
        case ':': cli_usage_error("calibrate: option '%s' needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_unknown_option("calibrate", argv[optind - 1], longopts); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_usage_error("calibrate takes no operands ('%s')", argv[optind]);
        return EXIT_USAGE;
    }
    if (o.quick && (o.only || o.tiers)) {
        cli_usage_error("calibrate: --quick measures its own configurations: leave out --only and --tiers");
        return EXIT_USAGE;
    }
    if (o.pm_interval_ns && (o.quick || o.tiers || o.nccl || o.comm_one_rank)) {
        cli_usage_error("calibrate: --sampled measures the suite's power with its counters sampled, no ncu: leave out "
                        "--quick, --tiers, --nccl and --comm-one-rank");
        return EXIT_USAGE;
    }
    if (o.timeline_out && !o.pm_interval_ns) {
        cli_usage_error("calibrate: --timeline keeps the samples of --sampled: add --sampled");
        return EXIT_USAGE;
    }
    if (o.quick && (o.nccl || o.comm_one_rank)) {
        cli_usage_error("calibrate: --quick measures no collectives: leave out --nccl and --comm-one-rank");
        return EXIT_USAGE;
    }
    if (o.quick) { /* into the cache folder, under the board's id, unless named */
        o.model_out = gave_o ? o.model_out : NULL;
        o.dataset_out = gave_dataset ? o.dataset_out : NULL;
        o.log_out = gave_log ? o.log_out : NULL;
    }
    if (run_plan) {
        if (calibrate_run_plan(run_plan, o.device, err, sizeof err) != 0) {
            fprintf(stderr, "%s calibrate --run-plan: %s\n", cli_prog, err);
            return EXIT_GPU;
        }
        return EXIT_OK;
    }
    rc = calibrate_run(&o, err, sizeof err);
    if (rc == CAL_OK)
        return EXIT_OK;
    fprintf(stderr, "%s calibrate: %s\n", cli_prog, err);
    switch (rc) {
    case CAL_ERR_NCU: return EXIT_PROFILE;
    case CAL_ERR_OUTPUT: return EXIT_OUTPUT;
    case CAL_ERR_FIT: return EXIT_MODEL;
    case CAL_ERR_USAGE: return EXIT_USAGE;
    default: return EXIT_GPU;
    }
}
