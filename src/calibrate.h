/* calibrate: measures this GPU's power over the microbenchmark suite and
 * fits a model of it.
 *   1. size each configuration so one launch takes about launch_s, and check
 *      that it computed what it should;
 *   2. take its counters in one ncu run over the whole suite (this program
 *      again, as `gpu_profiler calibrate --run-plan FILE`, one launch per
 *      configuration, --clock-control none);
 *   3. measure its power with NVML while it runs back to back: idle first,
 *      then every configuration `repeats` times in changing orders (warm-up,
 *      then a window: energy counter for the average, instant power polled
 *      every 5 ms for min and peak);
 *   3b. the probes (dataset.h): the configurations at the power limit once
 *      more over limit_window_s (the power manager's swing, for min and peak
 *      at the limit); and, unless no_gap_probes, three configurations (the
 *      highest, a middle and a DRAM one) in bursts of 1, 5 and 25 launches
 *      with the GPU idle 0.1-100 ms between them (how power falls between
 *      kernels, how long a burst may run above the limit);
 *   3c. the collectives (collectives.h): all-reduce, all-gather,
 *      reduce-scatter and broadcast over every GPU through NCCL, each GPU
 *      measured; skipped with a note on one GPU or without NCCL;
 *   4. write the dataset, fit the model (fit.c) and write it and the log.
 * It never changes clocks, power limits, persistence or compute mode. */
#ifndef GPU_PROFILER_CALIBRATE_H
#define GPU_PROFILER_CALIBRATE_H

#include <stddef.h>

struct calibrate_opts {
    const char *model_out;    /* model file */
    const char *dataset_out;  /* dataset CSV */
    const char *log_out;      /* log of the run */
    const char *ncu;          /* --ncu or NULL */
    const char *only;         /* comma-separated families, NULL for all */
    double warmup_s;          /* before each window */
    double window_s;          /* measured window */
    double launch_s;          /* target duration of one launch */
    double limit_window_s;    /* probes at the limit (0: none) */
    int no_gap_probes;
    int repeats;
    int device;               /* CUDA device ordinal */
    int force;
    int quiet;
    int list;                 /* print the suite and exit */
    int quick;                /* --quick: CALIBRATE_QUICK_CONFIGS only, the built-in model adjusted to this
                                 board (board.h) instead of a fit; outputs NULL: the cache folder's */
    int tiers;                /* also every details-page tier's metrics (calibrate_metrics) */
    const char *nccl;         /* --nccl: the NCCL library for the collectives (collectives.h), or NULL */
    int comm_one_rank;        /* --comm-one-rank: the collectives on one GPU too, as one rank (a test of
                                 NCCL and the meters: no data crosses a link, no term is fitted) */
    long long pm_interval_ns; /* --sampled: no ncu; the counters sampled as the suite runs (the tracer's PM
                                 sampler in this process) every this many ns, the sampled model fitted */
    const char *timeline_out; /* --sampled: keep the run's timeline (its samples) here, or NULL */
};

/* The configurations of calibrate --quick: idle, FP32, FP64, integer,
 * tensor (below the limit) and DRAM, each run below the power limit. */
#define CALIBRATE_QUICK_CONFIGS "idle_sleep_w64,fp32_ilp4_w64,fp32_ilp8_sm50,fp64_ilp4_w64,int_alu_ilp2_w64," \
                                "mma_ilp4_sm50,dram_load_w16,dram_copy_w64"


#define CALIBRATE_LOG_SIGNATURE "# gpu_profiler calibrate log"

enum { CAL_OK = 0, CAL_ERR_GPU, CAL_ERR_NCU, CAL_ERR_CHECK, CAL_ERR_OUTPUT, CAL_ERR_FIT, CAL_ERR_USAGE };

void calibrate_defaults(struct calibrate_opts *o);
/* Runs the whole calibration. Returns CAL_*, with err. */
int calibrate_run(const struct calibrate_opts *o, char *err, size_t errlen);
/* The process ncu profiles: one launch per line of the plan. */
int calibrate_run_plan(const char *plan_path, int device, char *err, size_t errlen);
/* Whether this binary holds the microbenchmarks (built with nvcc). */
int calibrate_available(void);
/* The metrics calibrate's ncu run collects on a GPU of that compute
 * capability, into need[M_COUNT] (feature_table.h): the raw model's and, with
 * tiers, every tier's, the rule features' as ncu's rules compute them (the
 * roofline's FP32/FP64 counts and peaks, the Shared pipe, ALU cycles); its
 * dataset's metric columns are these. */
void calibrate_metrics(int cc_major, int cc_minor, int tiers, unsigned char *need);

#endif
