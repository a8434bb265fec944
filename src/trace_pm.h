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

/* How often each device's thread drains the hardware buffer (GP_PM_DECODE_MS
 * changes it). On an H100 (CUDA 13.0, driver 580; runs 17-23 of
 * docs/PERFORMANCE.md) every decode failed with CUPTI_ERROR_OUT_OF_MEMORY
 * once about half a second of records had waited (500 ms failed, 250 ms
 * held, at 10 ms and at 50 ms samples, with 22 or 24 counters; with 25 even
 * 100 ms failed), and the decoding took about 60% of one core whatever the
 * cadence and the interval. */
#define TRACE_PM_DECODE_MS 200

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
