/* trace_pm: the PM sampler of the timeline tracer (trace_inject.c), the
 * GPU's performance counters read device-wide every interval while the
 * application runs, through CUPTI's PM sampling API. Part of the tracer
 * library only (never of gpu_profiler itself).
 *
 * Enabled by $GP_PM_SAMPLING = the interval in nanoseconds (gpu_profiler
 * -a --sampled and measure --sampled set it). On the first context of each
 * device the process uses it enables PM sampling on that device, with the
 * counters of TRACE_PM_METRICS that the device accepts in one pass, and a
 * thread per device decodes the hardware buffer every TRACE_PM_DECODE_MS
 * and writes the completed samples into the trace file:
 *
 *     # pm_gpu device D NAME           (the GPU's name, which picks the model)
 *     # pm device D interval_ns I chip GH100 metrics N NAME...
 *     # pm_left_out device D NAME REASON
 *     M D START END V1 ... VN          (one sample; CUPTI timestamps, ns)
 *     # pm_stats device D samples N overflow 0|1 decode_cpu_s S
 *     # pm_unavailable device D REASON  (then nothing more for D)
 *
 * Several processes on one GPU: the first to enable it samples the device
 * for all; the others say so on a pm_unavailable line. */
#ifndef GPU_PROFILER_TRACE_PM_H
#define GPU_PROFILER_TRACE_PM_H

#include <pthread.h>
#include <stdio.h>

/* How often each device's thread drains the hardware buffer. At 50 ms the
 * decoding took 40% of a core on an H100 (issue 29, 2026-12-06: about
 * 0.1 s of CPU per decode call, however few samples it returned; the
 * decoder returns little while the GPU is busy, the rest at the stop); the
 * 256 MB buffer holds minutes of samples, so it decodes once a second
 * (not yet measured at this cadence). */
#define TRACE_PM_DECODE_MS 1000

/* out and mu: the trace file and the lock that every writer of it takes. */
void trace_pm_init(FILE **out, pthread_mutex_t *mu);
/* Whether $GP_PM_SAMPLING asked for sampling. */
int trace_pm_wanted(void);
/* A context was created on CUDA device `device` (its ordinal). */
void trace_pm_context(void *ctx, unsigned device);
/* Stops every device's sampling and writes what is left. */
void trace_pm_finish(void);
/* In a forked child: forget the parent's sampler without touching it. */
void trace_pm_forget(void);

#endif
