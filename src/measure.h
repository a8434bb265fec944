/* measure: runs an application without ncu while NVML is sampled, and says
 * what it really drew (MEASURE.md): average and energy from the energy
 * counter over the run (or between two marker lines the application prints),
 * minimum and peak from the instant-power field polled every 5 ms, idle power
 * just before. The ground truth the estimates are compared against. */
#ifndef GPU_PROFILER_MEASURE_H
#define GPU_PROFILER_MEASURE_H

#include <stddef.h>

struct measure_opts {
    const char *app;
    char *const *args;
    size_t nargs;
    int device;               /* NVML index; -1: first of CUDA_VISIBLE_DEVICES, else 0 */
    const char *start_marker; /* a line of the app's stdout that opens the window */
    const char *stop_marker;  /* and one that closes it */
    double idle_s;            /* idle measured before the run */
};

struct measure_result {
    char gpu[96];
    double idle_w;
    double duration_s;   /* the window */
    double energy_j;     /* energy counter over the window */
    double avg_w;        /* energy_j / duration_s */
    double min_w, peak_w;/* instant power, NaN if no sample */
    double sm_clock_mhz;
    size_t samples;
    int wait_status;     /* the application's, as waitpid gives it */
    int from_markers;    /* 1 when both markers were seen */
};

enum { MEASURE_OK = 0, MEASURE_NO_APP, MEASURE_NO_NVML, MEASURE_FAILED };

int measure_run(const struct measure_opts *o, struct measure_result *r, char *err, size_t errlen);

#endif
