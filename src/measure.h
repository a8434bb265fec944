/* measure: runs an application without ncu while NVML is sampled, and says
 * what it really drew (MEASURE.md): average and energy from the energy
 * counter over the run (or between two marker lines the application prints),
 * minimum and peak from the instant-power field polled every 5 ms, idle power
 * just before. The ground truth the estimates are compared against. */
#ifndef GPU_PROFILER_MEASURE_H
#define GPU_PROFILER_MEASURE_H

#include "plat.h"

#include <stddef.h>

#define MEASURE_MAX_GPUS 16

struct measure_opts {
    const char *app;
    char *const *args;
    size_t nargs;
    /* The GPUs to measure, as NVML indices or UUIDs separated by commas, or
     * "all". NULL: the GPUs the application can see, which is the entries of
     * CUDA_VISIBLE_DEVICES when it is set and every GPU otherwise. */
    const char *devices;
    const char *start_marker; /* a line of the app's stdout that opens the window */
    const char *stop_marker;  /* and one that closes it */
    double idle_s;            /* idle measured before the run */
    const char *timeline_out; /* write the run's timeline here (timeline.h), or NULL */
    int force;                /* replace a timeline file gpu_profiler did not write */
    int timeline_optional;    /* a timeline that cannot be made is a note (timeline_note), not an error */
    int output_to_stderr;     /* the application's output to our stderr (stdout holds JSON alone) */
    /* with the timeline, the GPU's counters sampled every this many ns as
     * the application runs (the tracer's PM sampler, trace_pm.h); 0: not */
    long long pm_interval_ns;
};

/* The default interval of the sampled counters: 1 ms (docs/PERFORMANCE.md:
 * the tracer's decoding costs about 18 us of CPU a sample). */
#define MEASURE_PM_INTERVAL_NS 1000000LL

/* One GPU's figures over the window. */
struct measure_gpu {
    char id[48];         /* as chosen: the NVML index, or the UUID */
    char name[96];
    double idle_w;
    double energy_j, avg_w;
    double min_w, peak_w;/* instant power, NaN if no sample */
    double sm_clock_mhz;
    size_t samples;
};

struct measure_result {
    /* all measured GPUs together: energies and averages add up; min and
     * peak are those of the sum of the GPUs' instant power, read at the same
     * moments every 5 ms */
    char gpu[96];        /* the GPUs' name ("2 x NAME" when several of one kind) */
    double idle_w;
    double duration_s;   /* the window */
    double energy_j;     /* energy counter over the window */
    double avg_w;        /* energy_j / duration_s */
    double min_w, peak_w;/* instant power, NaN if no sample */
    double sm_clock_mhz; /* mean over the GPUs */
    size_t samples;
    struct plat_exit app_exit; /* how the application ended */
    int from_markers;    /* 1 when both markers were seen */
    int timeline_written;/* timeline_out holds this run's timeline */
    char implausible[512]; /* what NVML gave that no GPU draws (avg above peak, above 5 kW or 10 x the
                            * power limit), "" when nothing: the figures are the driver's, not power */
    char timeline_note[512]; /* why not, when it was optional */
    /* each GPU, in the order the application numbers them (its CUDA ordinal
     * is the position here when the list came from CUDA_VISIBLE_DEVICES or
     * from "all") */
    size_t ngpus;
    struct measure_gpu gpus[MEASURE_MAX_GPUS];
};

enum { MEASURE_OK = 0, MEASURE_NO_APP, MEASURE_NO_NVML, MEASURE_FAILED, MEASURE_NO_TRACER, MEASURE_OUTPUT,
       MEASURE_NO_MARKER };

/* Parses a GPU list ("0,1", "GPU-uuid,...", "all"; NULL for the default
 * described at measure_opts.devices) into ids ("#N" or a UUID). Returns the
 * number of GPUs, or -1 with a message in err. */
int measure_pick_gpus(const char *devices, char ids[][48], size_t max, char *err, size_t errlen);

int measure_run(const struct measure_opts *o, struct measure_result *r, char *err, size_t errlen);

#endif
