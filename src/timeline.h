/* timeline: when each kernel, copy and memset really ran, from a run of the
 * application without ncu (measure --timeline: the tracer, trace_inject.c,
 * writes one file per process; measure merges them into one timeline on
 * the clock of its power samples), and the estimate over that timeline: the
 * profiled kernels' power placed where the kernels ran, and between them the
 * power the GPU falls to in a gap of that length (the model's gap terms,
 * fitted on calibrate's gap probes). ncu cannot give this: it serialises
 * kernels and stretches the time between them.
 *
 * The timeline file:
 *     # gpu_profiler_timeline 1
 *     # window_ns START STOP      (CLOCK_MONOTONIC; the measured window)
 *     # processes N
 *     # dropped N                 (records CUPTI could not keep)
 *     # idle_before_w W           (measured before the application started)
 *     # context_ns START END      (a process's CUDA lifetime: its tracer's start and end)
 *     N ID NAME                   (a kernel name, mangled, before its first use)
 *     K START END DEVICE ID       (a kernel)
 *     C START END DEVICE BYTES    (a copy)
 *     S START END DEVICE BYTES    (a memset)
 *     P TIME POWER_W              (the GPU's instant power that measure read,
 *                                  every TIMELINE_POWER_STEP_S; one GPU only)
 *     # pm device ... and M ...   (the counters sampled as it ran: pm_samples.h) */
#ifndef GPU_PROFILER_TIMELINE_H
#define GPU_PROFILER_TIMELINE_H

#include <stddef.h>
#include <stdio.h>

#include "estimate.h"
#include "model.h"
#include "pm_samples.h"

/* The highest device number a timeline may name (CUDA numbers its devices
 * from 0; no host has thousands). */
#define TIMELINE_MAX_DEVICE 4095

#define TIMELINE_SIGNATURE "# gpu_profiler_timeline"

struct timeline_event {
    char kind;         /* 'K', 'C' or 'S' */
    int device;        /* the process's CUDA ordinal */
    long long start_ns, end_ns;
    const char *name;  /* K: the kernel's name as CUPTI gives it; else NULL */
    int name_id;       /* K: its index among the distinct names; else -1 */
};

#define TIMELINE_MAX_CONTEXTS 256

/* How often measure writes the GPU's power into the timeline (its samples
 * come every 5 ms; the file keeps one in two, at most TIMELINE_MAX_POWER). */
#define TIMELINE_POWER_STEP_S 0.01
#define TIMELINE_MAX_POWER 200000

struct timeline {
    long long window_start_ns, window_stop_ns;
    int processes;
    /* Before a process initialises CUDA and after it exits the GPU holds no
     * context and idles lower (H200: about 80 W against 129-131 W with a
     * context, the model's idle_w); gaps outside every process's CUDA
     * lifetime are at idle_before_w, the idle that measure read before the
     * application started (0: not known, the model's idle) */
    double idle_before_w;
    size_t ncontexts;
    long long context_start_ns[TIMELINE_MAX_CONTEXTS], context_end_ns[TIMELINE_MAX_CONTEXTS];
    unsigned long dropped;
    size_t n, cap;
    struct timeline_event *ev; /* sorted by start */
    char *names;               /* the distinct names' storage */
    size_t names_len, names_cap;
    size_t *name_off;          /* offset of each distinct name */
    size_t nnames, name_cap;
    size_t *hash;              /* open addressing: name id + 1, 0 empty */
    size_t hash_cap;
    /* the measured power (P lines), in time order; npower 0 when none */
    long long *power_ns;
    double *power_w;
    size_t npower, power_cap;
    /* the counters sampled as it ran (M lines; pm.ndev 0: none) */
    struct pm_samples pm;
};

void timeline_init(struct timeline *t);
void timeline_free(struct timeline *t);

/* Reads the tracer's files PREFIX.PID (each process's, in its CUPTI clock),
 * moves them onto CLOCK_MONOTONIC by their clock lines and writes the merged
 * timeline to out_path (outfile rules: never a foreign file unless force)
 * with the window [t_start_s, t_stop_s] (power_meter_now's clock), the
 * idle measured before the run (0: none) and the GPU's measured power at
 * times power_t_s as P lines (npower 0: none; NaN readings left out). The
 * tracer's files are removed. Returns 0, or -1 with a message. */
int timeline_merge(const char *prefix, const char *out_path, double t_start_s, double t_stop_s,
                   double idle_before_w, const double *power_t_s, const double *power_w, size_t npower, int force,
                   char *err, size_t errlen);

/* Removes the tracer's files PREFIX.PID that a failed run left. */
void timeline_discard(const char *prefix);

/* The tracer library: $GP_TRACER, or TIMELINE_TRACER beside this
 * program, in build/ beside it, or in ../lib/gpu_profiler/. Returns 0 with
 * its path, or -1. */
#ifdef _WIN32
#define TIMELINE_TRACER "gpu_profiler_trace.dll"
#else
#define TIMELINE_TRACER "gpu_profiler_trace.so"
#endif
int timeline_find_tracer(char *out, size_t outlen);

/* Reads a timeline file; errors name the line. Returns 0 or -1. */
int timeline_load(const char *path, struct timeline *t, char *err, size_t errlen);
/* The same from an open stream (not closed), named path in the messages. */
int timeline_read(FILE *f, const char *path, struct timeline *t, char *err, size_t errlen);

/* The function's own name, without namespaces, template arguments or
 * parameters, from a mangled (_Z...) or demangled kernel name:
 * "_ZN2at6native29vectorized_elementwise_kernelILi4E..." and
 * "void at::native::vectorized_elementwise_kernel<4, ...>(int, ...)" both
 * give "vectorized_elementwise_kernel". What ncu and CUPTI both name. */
void timeline_base_name(const char *name, char *out, size_t outlen);

/* The estimate over a timeline's window, one GPU (device). Every traced
 * kernel takes the power of the profiled kernels of its base name (their
 * time-weighted mean; a kernel never profiled takes the mean of all), capped
 * at the limit as the profile's are; copies and memsets, and every gap, the
 * power the model gives a gap of that length after what ran before it. */
#define TIMELINE_BINS 440 /* two pixels each in the picture */
struct timeline_result {
    double duration_s;       /* the window */
    double busy_s;           /* kernels (and copies) running, union of intervals */
    double energy_j, avg_w;
    double busy_energy_j;    /* of it, while kernels (and copies) ran */
    double avg_interval_w;   /* the avg's error bar (half-width, W): the profile's on the busy part; 0: none */
    double min_w, peak_w;    /* lowest and highest mean over windows of window_s */
    size_t kernels, matched; /* traced kernels in the window, those with a profiled namesake */
    size_t copies;
    size_t uncapped;         /* capped kernels run above the limit: short bursts (see below) */
    size_t nccl;             /* traced NCCL kernels (nccl...) with no profiled namesake: at the model's
                                communication term where it has one (comm_w > 0), else at the profile's mean */
    double comm_w;           /* the term they were placed at (avg, W); 0: none */
    /* for the picture: the window in TIMELINE_BINS equal bins, the estimate's
     * mean power in each and the measured (P lines; NaN where none) */
    double series_w[TIMELINE_BINS], measured_w[TIMELINE_BINS];
    int has_measured;
    double measured_avg_w;   /* the P lines' mean over the window, NaN when none */
};

/* The power limit holds the average over about this long: in the
 * calibration probes (H200), a DRAM kernel at the limit averaged 745 W over
 * 0.5 s windows and 698 W over 4 s, and bursts of 4-100 ms between gaps ran
 * at 745-784 W; a task whose power averaged over this window stays under the
 * limit with its kernels uncapped is estimated so. */
#define TIMELINE_LIMIT_WINDOW_S 1.0
int timeline_estimate(const struct timeline *t, long long device, const struct estimate *e, double window_s,
                      struct timeline_result *r, char *err, size_t errlen);


#endif
