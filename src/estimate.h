/* estimate: turns kernel records into power and energy. For each kernel the
 * model gives min/avg/peak watts; energy is avg watts times the kernel's
 * duration. Per device, over its GPU-busy time (idle gaps are not in the
 * counters, so they are not in the figures):
 *     avg = sum(P_k * t_k) / sum(t_k),  energy = sum(P_k * t_k),
 *     min, peak = the lowest and highest power averaged over a window of
 *     ESTIMATE_WINDOW_S sliding along the kernels laid end to end (the
 *     kernels' min and peak heads, weighted by time), as a power meter that
 *     averages over that window would read them. */
#ifndef GPU_PROFILER_ESTIMATE_H
#define GPU_PROFILER_ESTIMATE_H

#include <stddef.h>

#include "model.h"
#include "ncu_csv.h"
#include "ncu_rules.h"
#include "window.h"

/* NVML's instant power on the H100 and H200 changes about 12 times a
 * second (MEASURE.md): what it shows is an average over about 0.1 s. */
#define ESTIMATE_WINDOW_S 0.1

struct kernel_result {
    long long id, pid, device;
    const char *name;          /* owned by the estimate (interned) */
    const char *host;          /* Host Name, "" when the CSV has none (interned) */
    size_t file;               /* which input it came from (estimate_add_file's order) */
    size_t dev;                /* its device: an index into estimate.devices */
    double duration_s;
    double power_w[TARGET_COUNT];
    double energy_j;
    int capped;
    double uncapped_w;         /* the model's avg before the power limit's cap */
    double interval_pct;       /* the avg's error bar (MODEL_INTERVAL_LEVEL), % of it; 0: none */
};

/* A device is one GPU: a host's GPU at one PCI location where the CSV has
 * it, else a (host, device, file) triple (two nodes' device 0 are two GPUs,
 * and so are two ranks' files where each rank sees its GPU as device 0);
 * never two GPU names. */
struct device_result {
    long long device;          /* -1 when the CSV has no Device column */
    const char *host;          /* "" when the CSV names no host */
    const char *gpu;           /* "" when the CSV does not name it */
    long long pci;             /* PCI address (ncu_kernel.pci), -1 when the CSV has none */
    size_t file;               /* the input it was first seen in */
    char tell[48];             /* what tells it from a device of the same host and number
                                * (", PCI 0000:1b:00", ", file 2"), "" when none shares them */
    size_t nkernels;
    double gpu_time_s;
    double energy_j;
    double power_w[TARGET_COUNT];
    double component_j[MODEL_MAX_COMPONENTS];
    size_t capped_kernels;
    double interval_j;         /* sum of each kernel's energy x its error bar (%): / energy_j is the task's */
    double kernel_lo_w, kernel_hi_w; /* the lowest and highest avg W of its kernels (min and peak are what a
                                        meter averaging ESTIMATE_WINDOW_S shows: these are the kernels' own) */
    struct window_stream stream; /* min and peak as the kernels stream by */
};

/* A device's error bar on its avg and energy, % (the kernels' bars weighted
 * by their energy: errors of one model on one workload go together, so they
 * add up rather than average out); 0 where the model has none. */
double estimate_interval_pct(const struct device_result *d);

/* A kernel name's launches, added up. */
struct estimate_name {
    const char *name;            /* interned */
    size_t launches;
    double time_s, energy_j;
    double interval_j;           /* its launches' energy x their error bar (%): / energy_j is its bar */
    double min_ws, peak_ws;      /* its launches' min and peak heads x their time: / time_s is what a meter
                                  * averaging ESTIMATE_WINDOW_S shows while the name runs back to back */
    double component_j[MODEL_MAX_COMPONENTS]; /* the energy by the model's components */
    struct kernel_result first;  /* its first launch */
};

/* Kernel names with their launches added up, in order of first launch. */
struct estimate_names {
    struct estimate_name *v;
    size_t n, cap;
    size_t *slot, nslots;        /* index + 1 by the interned name's address (open addressing); 0 empty */
};
/* Adds launch r (its component watts cw, nc of them) to its name's sums.
 * Returns 0, or -1 out of memory. */
int estimate_names_add(struct estimate_names *t, const struct kernel_result *r, const double *cw, size_t nc);
void estimate_names_free(struct estimate_names *t);

enum { GPU_NAMED, GPU_BY_DRAM_CLOCK, GPU_FIRST_MODEL };

/* More than features_tier_count (checked where the tiers are read). */
#define ESTIMATE_MAX_TIERS 8

struct estimate {
    /* set by the caller before reading */
    const struct model *model;   /* NULL: pick the built-in model for the GPU */
    const char *variant;         /* with model NULL: which built-in tier ("fast", "detailed", "basic";
                                  * "raw" or "" the full model; NULL: the richest tier the input's
                                  * first kernel allows; tiers_all says which hold for every kernel) */
    double sample_weight;        /* each kernel in the CSV stands for this many invocations (--sample;
                                  * 0 or 1: for itself): the devices' GPU time, energy and windows
                                  * count it that many times; the per-kernel figures do not */
    long sample_every;           /* the --sample N that gave that weight (reports), or 0 */
    size_t aggregate_top;        /* > 0: aggregate mode: keep per-launch records only for the
                                  * aggregate_top launches of most energy, and per-name sums
                                  * (memory bounded by the names, not the launches; for outputs
                                  * that list no launch beyond those: the text table) */
    /* results */
    const struct model *board[2];/* the profiled board's adjusted models (board.h), full and fast, or NULL:
                                  * used in place of the built-in model of that GPU and variant */
    const struct model *used;    /* the model that made the figures */
    int tier;                    /* features_tiers index of used, -1 for a model file of no tier */
    unsigned tiers_all;          /* with a built-in model: bit t set while every kernel read has the
                                  * metrics of features_tiers[t]'s model for its GPU (0 with a model file) */
    const struct model *tier_model[ESTIMATE_MAX_TIERS]; /* those models, found at the first kernel */
    char export_kind[96];        /* what the first input is ("raw page", "details page of ncu --set full") */
    char missing_detail[2048];   /* with ESTIMATE_ERR_MISSING and no tier: the metrics each tier lacks */
    int model_guessed;           /* GPU_NAMED, or how the model's GPU was chosen when the CSV names none */
    double board_spread_pct;     /* what the error bars add for the board (choose_board_spread), % */
    size_t nfiles;               /* inputs read so far */
    size_t nhosts;               /* distinct host names among the devices ("" counts as one) */
    struct kernel_result *kernels; /* every launch; in aggregate mode those of most energy */
    double *component_w;         /* nkernels x used->ncomponents, avg target */
    size_t nkernels, cap;
    size_t nlaunches;            /* the launches estimated (nkernels but in aggregate mode) */
    struct estimate_names by_name; /* aggregate mode: the names' sums */
    struct device_result *devices;
    size_t ndevices, devices_cap;
    size_t *dev_slot, ndev_slots; /* index + 1 of each device by its identity (open addressing); 0 empty */
    const char *job_gpu;         /* the first GPU the inputs name (or their DRAM clock says), interned */
    size_t job_gpu_file;         /* the input it came from */
    struct ncu_stats stats;
    /* rule texts (ncu_rules.h): kernels with each rule read, and with its text not understood */
    unsigned long rules_read[NCU_RULE_COUNT], rules_not_understood[NCU_RULE_COUNT];
    /* kernels that lacked a metric the model needs, per metric */
    unsigned long missing[M_COUNT];
    unsigned long kernels_missing;
    char first_gpu[128];
    struct intern *names;
};

void estimate_init(struct estimate *e, const struct model *model);
void estimate_free(struct estimate *e);

/* Reads an ncu CSV file ("-" for stdin) and estimates every kernel in it.
 * Returns 0 or a nonzero ESTIMATE_ERR_* with a message in err (without the
 * file name). The same as estimate_add_file then estimate_finish. */
enum { ESTIMATE_OK = 0, ESTIMATE_ERR_IO, ESTIMATE_ERR_INPUT, ESTIMATE_ERR_MISSING, ESTIMATE_ERR_MODEL,
       ESTIMATE_ERR_NOMEM };
int estimate_file(struct estimate *e, const char *path, char *err, size_t errlen);

/* Several inputs are one job (processes, GPUs, nodes): each file's kernels
 * are added, keeping their file, host and device; then estimate_finish
 * gives the devices their figures. Every file must hold what the model of
 * the first one needs (estimate_best_tier chooses one all of them allow). */
int estimate_add_file(struct estimate *e, const char *path, char *err, size_t errlen);
int estimate_finish(struct estimate *e, char *err, size_t errlen);

/* Forgets what was read (kernels, devices, figures, the model chosen) and
 * keeps what the caller set before reading (model, variant, sampling,
 * aggregate_top, board), to read the inputs again. */
void estimate_reset(struct estimate *e);

/* The richest tier (features_tiers index) whose bit is set in tiers
 * (estimate.tiers_all), or -1 when none is. */
int estimate_richest_tier(unsigned tiers);

/* The richest tier (features_tiers index) whose built-in model for the
 * file's GPU has all its metrics in the file's first kernel, or -1 with a
 * message (too few metrics, unreadable, no kernel). Reads the file only up
 * to its first kernel. */
int estimate_best_tier(const char *path, char *err, size_t errlen);

/* The same, fed from memory (tests, fuzzing). */
int estimate_buffer(struct estimate *e, const char *buf, size_t len, char *err, size_t errlen);

/* The lowest and highest power averaged over a window of window_s sliding
 * along n kernels laid end to end (durations dur_s, min heads min_w, peak
 * heads peak_w): min over windows of the time-weighted min heads, max of
 * the peak heads; the whole timeline when it is no longer than the window.
 * The average over a sliding window is piecewise linear in the window's
 * start, so its extremes are found where an edge of the window meets a
 * kernel boundary, in O(n log n). Returns 0, or -1 out of memory. */
int estimate_window_extremes(const double *dur_s, const double *min_w, const double *peak_w, size_t n,
                             double window_s, double *lo_w, double *hi_w);

/* Per-kernel component watts (avg target), used->ncomponents of them. */
const double *estimate_components(const struct estimate *e, size_t kernel);

#endif
