/* model: the power model, its text file format and its prediction.
 *
 * A model predicts, per target (min, avg, peak), a kernel's steady-state power
 * as static power plus one linear term per feature:
 *     P = intercept_w + sum_i coef_i * x_i,  capped at power_limit_w,
 * where x_i is feature i of the kernel (features.h). Each feature belongs to a
 * component (fp_pipes, tensor, dram, ...): the terms of a component's features
 * are the watts that component draws, so a prediction says where the watts go.
 *
 * File format (text, one statement per line, '#' starts a comment):
 *     gpu_profiler_model 1
 *     gpu NVIDIA H100 80GB HBM3
 *     compute_capability 9.0
 *     ncu_version 2025.3.1
 *     driver 580.159.04
 *     power_limit_w 700
 *     idle_w 125.1
 *     feature fp32 fp_pipes          (one per feature, in order)
 *     target avg 130.2 95.1 ...      (intercept, then one coefficient per feature)
 *     target min ...   target peak ...
 *     stat avg cv_mape_pct 4.1       (optional: n, folds, fit_mape_pct,
 *                                     cv_mape_pct, cv_max_ape_pct, spread_pct)
 *     dataset data/h100.csv          (optional provenance: dataset, cv_scheme,
 *                                     created)
 *     board 1652826072263            (optional: a model adjusted to one board,
 *     board_adjust 1.03 -4.2          P = offset_w + scale * the built-in's)
 *     measured validation_avg_mape_pct 7.1   (optional: what was measured of
 *                                     this model on real work, see
 *                                     model_measured below)
 * The parser is strict: unknown statements, repeated ones, wrong counts,
 * numbers that are not finite, and over-long lines are errors with a line. */
#ifndef GPU_PROFILER_MODEL_H
#define GPU_PROFILER_MODEL_H

#include <stddef.h>
#include <stdio.h>

#define MODEL_MAX_FEATURES 32
#define MODEL_MAX_COMPONENTS (MODEL_MAX_FEATURES + 1)
#define MODEL_MAX_BYTES (1u << 20)
#define MODEL_MAX_REGIONS 192
#define MODEL_INTERVAL_NEIGHBOURS 8
#define MODEL_INTERVAL_LEVEL 0.8

enum model_target { TARGET_MIN, TARGET_AVG, TARGET_PEAK, TARGET_COUNT };
extern const char *const model_target_names[TARGET_COUNT];

/* What was measured of a model after it was made, on work it was not fitted
 * on (docs/ACCURACY.md; "measured NAME VALUE" in the file, written by hand
 * into the shipped models, never by fit): the one source of these figures
 * for --version, --help and the first line of the output, which
 * tests/figures.sh checks README.md and the man page against.
 *   validation_avg_mape_pct  avg error (MAPE over GPU-busy time) on the
 *                            validation workloads (real applications)
 *   validation_workloads     how many there were
 *   interval_coverage_pct    how often the 80% error bar held the measured
 *                            avg on them
 *   board_spread_pct         how far one board's powers are from another's
 *                            (80th percentile of |difference| on the
 *                            calibration's configurations below the limit);
 *                            the error bars add it, for a model used on
 *                            another board than the one it was made on */
enum model_measured { MEAS_VALIDATION_MAPE, MEAS_VALIDATION_N, MEAS_COVERAGE, MEAS_BOARD_SPREAD, MEAS_COUNT };
extern const char *const model_measured_names[MEAS_COUNT];

enum model_stat { STAT_N, STAT_FOLDS, STAT_FIT_MAPE, STAT_CV_MAPE, STAT_CV_MAX_APE, STAT_SPREAD, STAT_COUNT };
extern const char *const model_stat_names[STAT_COUNT];

struct model {
    char gpu[128];
    char variant[16];                  /* "" the full model; "fast": fewer counters (gpu_profiler --fast) */
    double compute_capability;
    char ncu_version[32];
    char driver[32];
    char created[32];
    char dataset[256];
    char cv_scheme[64];
    double power_limit_w;
    double idle_w;                     /* measured idle power, for reports */
    size_t nfeatures;
    int feature[MODEL_MAX_FEATURES];   /* index into features_table */
    int feature_component[MODEL_MAX_FEATURES];
    size_t ncomponents;                /* component 0 is "static" */
    char component[MODEL_MAX_COMPONENTS][32];
    double coef[TARGET_COUNT][MODEL_MAX_FEATURES + 1]; /* [0] = intercept_w */
    double stat[TARGET_COUNT][STAT_COUNT];
    unsigned char has_stat[TARGET_COUNT][STAT_COUNT];
    /* At the power limit the GPU's power management swings the power
     * around its average: min and peak of a capped kernel are the limit
     * times these ratios (measured on the calibration configurations that
     * ran at the limit). 0: not known, min and peak are the limit too. */
    double cap_ratio[TARGET_COUNT];
    /* Between kernels the power does not drop to idle at once: in a gap of
     * t seconds after a kernel of power P it is
     *     idle_w + gap_tail * (P - idle_w) * exp(-t / gap_tau_s)
     * (fitted on calibrate's gap probes; "gap TAU_S TAIL" in the file).
     * gap_tau_s 0: not known, the gaps are at idle. */
    double gap_tau_s, gap_tail;
    /* The power of a GPU while NCCL's collectives run on it, min, avg and
     * peak ("comm MIN AVG PEAK" in the file): the communication term (issue
     * 22), placed on a traced run's NCCL kernels, which ncu cannot profile.
     * comm_w[TARGET_AVG] 0: none (no calibration on two GPUs has made one). */
    double comm_w[TARGET_COUNT];
    /* A built-in model adjusted to one board (board.h, calibrate --quick):
     * the board's id, and P_board = board_offset_w + board_scale * P_built_in
     * (already in coef; kept to say what was done). board_scale 0: none. */
    char board[64];
    double board_scale, board_offset_w;
    double board_loo_pct;  /* the adjustment's avg error, each configuration left out of it */
    double measured[MEAS_COUNT]; /* enum model_measured; valid where has_measured */
    unsigned char has_measured[MEAS_COUNT];
    /* The error bar (an interval of MODEL_INTERVAL_LEVEL): the calibration's
     * configurations as points, each its features (divided by region_scale)
     * and its avg error when it was left out of the fit; a kernel's bar is
     * the 80th percentile of the errors of its MODEL_INTERVAL_NEIGHBOURS
     * nearest configurations, never below region_floor_pct (their median
     * over all). nregions 0: no intervals. */
    double region_floor_pct;
    size_t nregions;
    double region_scale[MODEL_MAX_FEATURES];
    char region_name[MODEL_MAX_REGIONS][16];
    double region_pct[MODEL_MAX_REGIONS];
    double region_center[MODEL_MAX_REGIONS][MODEL_MAX_FEATURES];
};

/* Parses a model from memory. Returns 0, or -1 with a message in err
 * ("line N: ..."). */
int model_parse(const char *text, size_t len, struct model *m, char *err, size_t errlen);
/* Whether m, written as model_write writes it, reads back with model_parse
 * (fit and calibrate check what they are about to write). 0, or -1 with the
 * parser's message. */
int model_check_written(const struct model *m, char *err, size_t errlen);
/* Reads and parses a file; the message names neither the file nor the tool. */
int model_load(const char *path, struct model *m, char *err, size_t errlen);
/* Writes m in the file format; model_parse of the output gives m back
 * exactly. Returns 0 or -1 (errno from stdio). */
int model_write(FILE *out, const struct model *m);

struct prediction {
    double power_w[TARGET_COUNT];
    double component_w[MODEL_MAX_COMPONENTS]; /* avg target, sums to power_w[avg] */
    int capped;                               /* a target hit power_limit_w */
    double uncapped_w;                        /* the avg fit before the cap (a short burst's power) */
    double interval_pct;                      /* the avg's error bar, % of it (0: the model has none) */
};

/* The mean power over a gap of gap_s after a kernel of before_w: the gap
 * terms above, or idle_w when the model has none (before_w for no gap). */
double model_gap_power(const struct model *m, double before_w, double gap_s);

/* x holds the model's features in model order. */
void model_predict(const struct model *m, const double *x, struct prediction *out);
/* The error bar (%) of a kernel of features x: see region_* above; 0 when
 * m has none. */
double model_interval_pct(const struct model *m, const double *x);

/* The embedded model whose gpu name and variant (NULL or "": the full
 * model) match, else NULL. */
const struct model *model_builtin_for(const char *gpu_name, const char *variant);
/* A figure measured of m (enum model_measured), or -1 when m has none (a
 * model that fit or calibrate made, or one adjusted to a board). */
double model_measured(const struct model *m, enum model_measured k);
/* The built-in model of gpu_name and variant's figure k, or -1. */
double model_builtin_measured(const char *gpu_name, const char *variant, enum model_measured k);
/* Number of embedded models and the i-th (for --help and --version). */
size_t model_builtin_count(void);
const struct model *model_builtin(size_t i);
/* The GPUs that have built-in models, each once ("NVIDIA H100 80GB HBM3,
 * NVIDIA H200"), into buf (cut to n - 1 bytes); returns how many. */
size_t model_builtin_gpus(char *buf, size_t n);

#endif
