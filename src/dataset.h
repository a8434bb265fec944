/* dataset: the calibration dataset, one row per microbenchmark
 * configuration: its counters (raw ncu metrics of the feature table) and the
 * power measured while it ran back to back. A CSV file, written by
 * calibrate and read by fit, so a model can be refitted without a GPU:
 *
 *     # gpu_profiler_dataset 1
 *     # gpu: NVIDIA H100 80GB HBM3        (metadata, "# key: value")
 *     config,family,kernel,grid,threads,iters,launch_s,<metrics...>,min_w,...
 *     fp32_ilp8_w64,fp32,mb_ffma_f32,1056,256,...
 *
 * An empty metric cell means ncu did not report it.
 *
 * Besides the configurations the model is fitted on, calibrate measures a few
 * of them again in other ways (the probes, kept apart in probe[]): family
 * "limit", a configuration at the power limit over a long window (the swing of
 * the power manager, for min and peak at the limit); family "gaps", one
 * configuration in bursts of busy_s with the GPU idle gap_s between them (how
 * the power falls between kernels). Their rows carry the columns window_s,
 * gap_s and busy_s, written only when the dataset has probes; family "comm",
 * an NCCL collective on every GPU at once, a row per GPU (collectives.h),
 * with the columns msg_bytes, ranks, rank and bus_gbs, written only when the
 * dataset has such rows. */
#ifndef GPU_PROFILER_DATASET_H
#define GPU_PROFILER_DATASET_H

#include <stddef.h>
#include <stdio.h>

#include "feature_table.h"
#include "model.h"

#define DATASET_SIGNATURE "# gpu_profiler_dataset"

struct dataset_row {
    char config[48];
    char family[16];
    char kernel[32];
    unsigned grid, threads;
    long iters;
    double launch_s;                 /* one launch, timed while sizing */
    double value[M_COUNT];           /* raw metrics, base units */
    unsigned char have[M_COUNT];
    double power_w[TARGET_COUNT];    /* mean over repeats */
    double spread_pct[TARGET_COUNT]; /* (max - min) / mean over repeats, % */
    int repeats;
    double sm_clock_mhz;             /* mean while measured */
    double temp_c;                   /* highest seen */
    double window_s;                 /* probes: measured seconds (0: the protocol's) */
    double gap_s, busy_s;            /* probes "gaps": mean idle and busy time per cycle */
    double msg_bytes;                /* probes "comm": the collective's message (collectives.h) */
    int ranks, rank;                 /* its GPUs, and this row's GPU (CUDA ordinal) */
    double bus_gbs;                  /* bytes over the bus per second, 1e9 */
};

#define DATASET_PROBE_LIMIT "limit"
#define DATASET_PROBE_GAPS "gaps"
#define DATASET_PROBE_COMM "comm"
/* Whether a family name is one of the probes'. */
int dataset_is_probe(const char *family);

struct dataset {
    char gpu[128];
    double compute_capability;
    unsigned sm_count;
    char driver[32];
    char ncu_version[32];
    char created[32];
    char protocol[160];
    char board[64];         /* the board's serial (or UUID) as NVML gives it, or "" */
    double power_limit_w;
    double idle_w;
    unsigned char metric_cols[M_COUNT]; /* 1: a column of the file; 2: derived from columns (features_derive) */
    size_t n, cap;
    struct dataset_row *rows;
    size_t nprobe, probe_cap;
    struct dataset_row *probe; /* not fitted on; see above */
};

/* A microbenchmark's kernel name as calibrate names it now: the names of
 * datasets recorded before issue 30's rename (mb_fp32, mb_mma, ...) mapped
 * one to one to the new (mb_ffma_f32, mb_hmma_f16, ...); others as given. */
const char *dataset_kernel_now(const char *kernel);

void dataset_init(struct dataset *d);
void dataset_free(struct dataset *d);
/* Appends a zeroed row; NULL when out of memory. */
struct dataset_row *dataset_add(struct dataset *d);
/* The same for a probe row. */
struct dataset_row *dataset_add_probe(struct dataset *d);

/* Writes the CSV. Returns 0 or -1. */
int dataset_write(FILE *f, const struct dataset *d);
/* Reads a dataset file; errors name the line. Returns 0 or -1. */
int dataset_load(const char *path, struct dataset *d, char *err, size_t errlen);
/* The same from an open stream (not closed). */
int dataset_read(FILE *f, struct dataset *d, char *err, size_t errlen);

#endif
