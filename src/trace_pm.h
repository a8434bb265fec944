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
 *     # pm_restart device D after_ns T decode: ERROR (the records after T lost)
 *     # pm_stats device D samples N overflow 0|1 decode_cpu_s S ... restarts R
 *     # pm_unavailable device D REASON  (then nothing more for D)
 *
 * Several processes on one GPU: the first to enable it samples the device
 * for all; the others say so on a pm_unavailable line.
 *
 * On Windows (gpu_profiler_trace.dll) the CUPTI and CUDA driver functions
 * come from their DLLs at run time (trace_pm_load); where CUPTI's DLL has
 * no PM sampling API, one line says so for every device:
 *
 *     # pm_unavailable device all no cuptiPmSampling... in cupti64_....dll ... */
#ifndef GPU_PROFILER_TRACE_PM_H
#define GPU_PROFILER_TRACE_PM_H

#include <pthread.h>
#include <stdio.h>

/* How often each device's thread drains the hardware buffer (GP_PM_DECODE_MS
 * changes it). On an H100 (CUDA 13.0, driver 580; runs 17-27 of
 * docs/PERFORMANCE.md) the decode fails with CUPTI_ERROR_OUT_OF_MEMORY once
 * too many records wait: with 24 counters at 200 ms, 13 of 25 validation
 * workloads failed (run 24); at 20 ms none of the 6 runs that failed at 200
 * ms did (run 27). The decoding takes 55-70% of one core whatever the
 * cadence; a decode call itself lasts about 0.1 s, so at 20 ms the decoder
 * decodes nearly back to back. A failed decode restarts the sampler
 * (trace_pm.c, restart), its waiting records lost. */
#define TRACE_PM_DECODE_MS 20

/* The hardware buffer per device, MiB (GP_PM_BUFFER_MB changes it). The
 * decode also failed, at any cadence, after so much sampling: a decoded
 * record's room in the buffer did not seem to come back (runs 28-34 of
 * docs/PERFORMANCE.md, H100 and H200). calibrate --sampled (147 s, 10 ms
 * samples, 24 counters) stopped after 1,368-1,468 samples with 64 MiB
 * (twice) and 1,437-4,745 with 256 MiB (three H100 boards; run 29 with 22
 * counters), and completed, 14,527 samples, with 1024 MiB (run 30).
 * Neither a Stop and Start, nor a drain after a Stop, nor keeping the
 * latest records helped. */
#define TRACE_PM_BUFFER_MB 1024

/* out and mu: the trace file and the lock that every writer of it takes. */
void trace_pm_init(FILE **out, pthread_mutex_t *mu);
/* Whether $GP_PM_SAMPLING asked for sampling. */
int trace_pm_wanted(void);
/* A context was created on CUDA device `device` (its ordinal). */
void trace_pm_context(void *ctx, unsigned device);
/* Stops every device's sampling and writes what is left. */
void trace_pm_finish(void);
/* The trace file's lock, taken at the process's exit: 0 when taken. On
 * Windows the exit ends every other thread before the DLL's atexit runs,
 * the decoder perhaps while it held the lock: there it gives up after 2 s
 * (-1) rather than hang the application's exit. Elsewhere it waits. */
int trace_lock_at_exit(pthread_mutex_t *mu);
#ifdef _WIN32
/* After trace_pm_init, where sampling is wanted: every entry point from
 * cupti_dll (the HMODULE of the CUPTI DLL the tracer loaded, borrowed) and
 * from nvcuda.dll (the application's, already loaded). 0, or -1 after a
 * pm_unavailable line for all devices and a line on stderr naming what is
 * missing; the sampler then does nothing. */
int trace_pm_load(void *cupti_dll);
#else
/* In a forked child: forget the parent's sampler without touching it
 * (fork is POSIX's only). */
void trace_pm_forget(void);
#endif

#endif
