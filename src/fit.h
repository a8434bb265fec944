/* fit: fits the power model to a calibration dataset and measures its error
 * on work it was not fitted on.
 *
 * Per target (min, avg, peak) the model is P = static + sum_i c_i * x_i with
 * every term non-negative (each unit the kernel keeps busy adds power; a
 * negative watt has no meaning in the breakdown), fitted by non-negative
 * least squares on relative error (rows weighted by 1 / measured power,
 * which is what MAPE counts). Lawson-Hanson active set, Cholesky on the
 * passive columns, a fixed iteration order: the same dataset gives the same
 * model, bit for bit, on any IEEE-754 machine.
 *
 * Cross-validation holds out one family of microbenchmarks at a time (all
 * of fp32, all of dram, ...), fits on the rest and predicts the held-out
 * family, so every row's error is measured by a model that never saw its
 * kind of work. */
#ifndef GPU_PROFILER_FIT_H
#define GPU_PROFILER_FIT_H

#include <stddef.h>

#include "dataset.h"
#include "model.h"

#define FIT_MAX_FAMILIES 64

struct fit_family {
    char family[16];
    size_t n;
    double cv_mape_pct[TARGET_COUNT];
    double cv_max_ape_pct[TARGET_COUNT];
};

struct fit_report {
    size_t n;
    size_t nfamilies;
    struct fit_family family[FIT_MAX_FAMILIES];
    double fit_mape_pct[TARGET_COUNT];
    double cv_mape_pct[TARGET_COUNT];
    double cv_max_ape_pct[TARGET_COUNT];
    char cv_worst[TARGET_COUNT][48];
    double spread_pct[TARGET_COUNT];     /* mean measurement spread over rows */
    size_t dropped_features;             /* features the dataset has no metric for */
    char dropped[512];                   /* their names, comma-separated (cut where long) */
    int dataset_sampled;                 /* the dataset holds the sampled counters (calibrate --sampled) */
    /* the probes (dataset.h) */
    size_t limit_probes;                 /* cap ratios from these when > 0 */
    size_t gap_rows;                     /* gap probes the gap terms were fitted on */
    double gap_rms_w, gap_idle_rms_w;    /* their RMS error with the best decay, and with gaps at idle */
    double gap_tau_s;                    /* the best decay's time constant */
    int gap_kept;                        /* in the model: it was at least 10% better */
    /* the collectives (dataset.h family "comm", collectives.h) */
    size_t comm_rows;                    /* rows the communication term averages (0: no term) */
    size_t comm_one_rank;                /* rows of one-rank collectives: no communication, not used */
    double comm_w[TARGET_COUNT];
    size_t ncomm_ops;
    struct fit_comm_op {
        char kernel[32];                 /* ncclAllReduce, ... */
        size_t n;                        /* rows (GPUs) at its largest message of two or more ranks */
        double msg_bytes, avg_w, bus_gbs;
        double nj_per_byte;              /* (avg - idle) / bus_gbs: the energy per byte over the bus */
    } comm_op[8];
};

/* The communication term: per target the mean over the dataset's comm rows
 * of two or more ranks with messages of FIT_COMM_MIN_BYTES or more (the
 * gradients' all-reduce of training is bandwidth-bound). Returns how many
 * rows it averaged (0: no term, comm_w left 0). */
#define FIT_COMM_MIN_BYTES (16.0 * 1048576.0)
size_t fit_comm_term(const struct dataset *d, double comm_w[TARGET_COUNT]);

/* The features calibrate measures and fit uses, by name, NULL-terminated. */
extern const char *const *const fit_default_features;

/* Fits d into m (metadata from d; dataset_name is recorded as given, use a
 * base name for reproducible files) with the named features (NULL-terminated;
 * NULL: fit_default_features, leaving out those the dataset lacks; a feature
 * named here must be in the dataset). Returns 0, or -1 with err. */
int fit_dataset(const struct dataset *d, const char *dataset_name, const char *const *features, struct model *m,
                struct fit_report *r, char *err, size_t errlen);

/* Fits the features of a tier (features_tiers[tier]) that the dataset has
 * and names the model's variant after the tier ("" for raw). */
int fit_tier(const struct dataset *d, const char *dataset_name, int tier, struct model *m, struct fit_report *r,
             char *err, size_t errlen);

/* Prints the report's tables (per family and overall) as text. */
void fit_report_print(FILE *f, const struct fit_report *r);

/* base with the communication term of d's collectives (fit_comm_term): a
 * model that had none gets one, measured on the machine of d (calibrate
 * --only comm, fit --comm). The report holds only the collectives' part.
 * Returns 0, or -1 with err where d is of another GPU or gives no term. */
int fit_comm_model(const struct dataset *d, const struct model *base, struct model *out, struct fit_report *rep,
                   char *err, size_t errlen);
/* The collectives' lines of the report (fit_report_print prints them too). */
void fit_comm_report_print(FILE *f, const struct fit_report *r);

/* Non-negative least squares: minimise |A x - b| with x >= 0. A is rows x
 * cols, row-major. Returns 0, or -1 if it did not converge or cols is too
 * large. Exposed for the unit tests. */
int fit_nnls(const double *A, const double *b, size_t rows, size_t cols, double *x);

#endif
