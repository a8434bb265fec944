/* sampled: the estimate from counters sampled as the application ran (PM
 * sampling, pm_samples.h), over the real run: the sampled model's power for
 * every sample interval, so idle, gaps and overlap are in it; min and peak
 * over windows of SAMPLED_WINDOW_S; each kernel's energy its share of the
 * intervals it ran in. No ncu, no replay.
 *
 * A kernel's share of an interval: the interval's energy split among the
 * kernels that ran in it by their time in it; where kernels overlap (streams)
 * their times add up to more than the interval and each gets its time over
 * that sum; where they cover less, the rest of the interval is the time
 * between kernels ("between kernels" in the output). */
#ifndef GPU_PROFILER_SAMPLED_H
#define GPU_PROFILER_SAMPLED_H

#include <stddef.h>

#include "model.h"
#include "timeline.h"

#define SAMPLED_WINDOW_S 0.1

struct sampled_name {
    int name_id;            /* into the timeline's names */
    size_t calls;
    double time_s, energy_j;
};

struct sampled_result {
    int device;
    char gpu[128];              /* from the tracer's pm_gpu line, or "" */
    long long interval_ns;
    size_t nmetrics, samples;   /* samples inside the window */
    double duration_s;          /* the window (up to the sampler's stop, where it stopped early) */
    double left_out_s;          /* after the sampler stopped early (a failed decode): not estimated */
    char stop_why[160];         /* the tracer's note on that stop, or "" */
    double covered_s;           /* of it, inside samples (the rest at the idle measured before, or bridged) */
    double bridged_s;           /* gaps of the sampler's restarts, bridged from the samples on either side */
    size_t restarts;            /* the tracer's restarts of the sampler (failed decodes) */
    char restart_why[96];       /* the first one's error, or "" */
    double energy_j, avg_w;     /* the estimate over the window */
    double min_w, peak_w;       /* lowest and highest mean over SAMPLED_WINDOW_S */
    double busy_s, busy_energy_j, busy_avg_w; /* the samples (and bridged gaps) in which kernels ran */
    double component_j[MODEL_MAX_COMPONENTS];
    size_t kernels;             /* traced kernels in the window */
    double kernel_energy_j, between_j; /* the window's energy in kernels, and between them */
    size_t nnames;
    struct sampled_name *names; /* by energy, highest first */
    /* the measured power (the timeline's P lines), over the same windows */
    int has_measured;
    double meas_avg_w, meas_min_w, meas_peak_w;
    double window_mape_pct;     /* estimate against measured over SAMPLED_WINDOW_S windows */
    size_t nwindows;
    double series_w[TIMELINE_BINS], measured_w[TIMELINE_BINS];
    /* the estimate's components in the same bins (TIMELINE_BINS rows of
     * ncomponents, malloc'd; the rest of series_w is outside the samples) */
    size_t ncomponents;
    double *component_series_w;
};

/* What a reader of the estimate must know before its figures, in one
 * sentence into buf: the sampler stopped early (the rest of the run left
 * out), or the samples cover less than 90% of the window (the rest at idle:
 * the estimate reads low). Returns 1 with one, 0 with buf "". */
int sampled_caveat(const struct sampled_result *r, char *buf, size_t n);

/* The GPU name the tracer recorded for device (its pm_gpu note), into out;
 * "" when there is none. */
void sampled_gpu_name(const struct timeline *t, int device, char *out, size_t outlen);

/* The estimate over t's window for one device with m (a sampled model).
 * Where the tracer's sampler stopped early (a pm_error decode note: on an
 * H100 the decode can fail mid-run) the window ends at its last sample,
 * measurement included, and left_out_s says what was cut off.
 * Returns 0, or -1 with err (no samples of that device, a model whose
 * features the samples lack, out of memory). r->names is malloc'd: free
 * it with sampled_free. */
int sampled_estimate(const struct timeline *t, int device, const struct model *m, struct sampled_result *r,
                     char *err, size_t errlen);
void sampled_free(struct sampled_result *r);

/* The power of one sample (the avg target, capped at the limit), with its
 * components (MODEL_MAX_COMPONENTS, may be NULL). -1 when a feature
 * cannot be computed from it. */
int sampled_power(const struct pm_device *d, size_t i, const struct model *m, double *power_w, double *component_w);

/* The picture (--report FILE.svg): the run's estimated power over time,
 * its components stacked, NVML's readings over it, the power limit; and
 * FILE.html: the picture and the kernels' table in one page. title: what
 * it is of. Return 0, or -1 on a write error. */
int sampled_svg(FILE *out, const struct model *m, const struct sampled_result *r, const char *title, int in_html);
int sampled_html(FILE *out, const struct timeline *t, const struct model *m, const struct sampled_result *r,
                 const char *title);

#endif
