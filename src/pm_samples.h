/* pm_samples: the GPU's counters sampled as the application ran (CUPTI PM
 * sampling in the tracer, trace_pm.c), as the tracer's files and the merged
 * timeline hold them:
 *
 *     # pm device D interval_ns I chip C metrics N NAME...
 *     # pm_left_out / pm_unavailable / pm_stats / pm_error ...   (notes, kept as they are)
 *     M D START_NS END_NS V1 ... VN
 *     # pm_restart device D after_ns T decode: WHY
 *
 * A pm_restart line (the tracer restarted its sampler after a failed
 * decode, the records waiting lost) marks the gap after the sample read
 * last of D that ended at T: restart_after of that sample. Every line
 * counts in restarts, one that marks no sample too (pm_samples_write
 * writes those with after_ns 0, so that the count survives the merge).
 *
 * In the tracer's files the times are CUPTI's; in a timeline, on
 * CLOCK_MONOTONIC (timeline_merge moves them as it moves the kernels). */
#ifndef GPU_PROFILER_PM_SAMPLES_H
#define GPU_PROFILER_PM_SAMPLES_H

#include <stddef.h>
#include <stdio.h>

#include "feature_table.h"

#define PM_MAX_DEVICES 16
#define PM_MAX_METRICS 32
#define PM_MAX_NOTES 64
/* At most this many samples a device (an hour at 1 ms). */
#define PM_MAX_SAMPLES 3600000

struct pm_device {
    int device;                    /* CUDA ordinal in the sampling process */
    long long interval_ns;
    char chip[32];
    size_t nmetrics;
    char *name[PM_MAX_METRICS];    /* as the tracer wrote them */
    int metric[PM_MAX_METRICS];    /* features_metric_by_sampled, -1: not used by any model */
    size_t n, cap;
    long long *start_ns, *end_ns;
    float *value;                  /* n rows of nmetrics */
    unsigned char *restart_after;  /* 1: the sampler restarted after this sample: the gap to the next is lost */
    size_t restarts;               /* the tracer's pm_restart lines of this device */
    char restart_why[96];          /* the first one's error */
};

struct pm_samples {
    size_t ndev;
    struct pm_device dev[PM_MAX_DEVICES];
    size_t nnotes;
    char *note[PM_MAX_NOTES];      /* "# pm_..." lines, without "# " */
};

void pm_samples_init(struct pm_samples *s);
void pm_samples_free(struct pm_samples *s);

/* One line of a tracer file or timeline. Returns 1 if it was a PM line
 * (taken), 0 if not, -1 if a malformed one (why says what). */
int pm_samples_line(struct pm_samples *s, const char *line, char *why, size_t whylen);

/* The samples of device d (NULL: none). */
const struct pm_device *pm_samples_device(const struct pm_samples *s, int device);

/* The tracer's note that device's sampler stopped early (its decode failed:
 * "# pm_error device D decode: WHY"), from "decode:" on; NULL when none. */
const char *pm_samples_stop_note(const struct pm_samples *s, int device);

/* Samples read from index first[k] on of each device k moved from the
 * CUPTI clock to the monotonic one: m0 + (t - c0) * rate. first has
 * PM_MAX_DEVICES entries; pm_samples_mark fills it with the counts now. */
void pm_samples_mark(const struct pm_samples *s, size_t *first);
void pm_samples_move(struct pm_samples *s, const size_t *first, double c0, double m0, double rate);

/* Sorts each device's samples by start and drops those the clock lines
 * show wrong (a start after the end, or a sample over 100 intervals long:
 * the time the sampler was idle before its start). */
void pm_samples_tidy(struct pm_samples *s);

/* Writes the header, notes and M lines. */
void pm_samples_write(FILE *f, const struct pm_samples *s);

/* The metrics of sample i as value[]/have[] (M_COUNT entries): each
 * counter where a metric takes it, and the sample's elapsed cycles
 * (its clock times its length) as M_SM_ELAPSED_CYC. */
void pm_samples_values(const struct pm_device *d, size_t i, double *value, unsigned char *have);

#endif
