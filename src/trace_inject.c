/* trace_inject.c: the timeline tracer, a library the CUDA driver loads into
 * the application (CUDA_INJECTION64_PATH) when `gpu_profiler measure
 * --timeline` runs it. It asks CUPTI's activity API for the start and end of
 * every kernel, copy and memset on the GPU, which ncu cannot give (it
 * serialises kernels and stretches the time between them), and writes them
 * to $GP_TRACE_FILE.PID as text:
 *
 *     # gpu_profiler_trace 1
 *     # clock start cupti_ns 1764000000000000000 monotonic_ns 123456789
 *     K 1764000000100000000 1764000000100500000 0 _Z6kernelPf      (kernel)
 *     C 1764000000200000000 1764000000200100000 0 1048576          (copy, bytes)
 *     S ...                                                        (memset, bytes)
 *     # clock end cupti_ns ... monotonic_ns ...
 *
 * The clock lines map CUPTI's timestamps onto CLOCK_MONOTONIC, the clock of
 * gpu_profiler's power samples. Built only where CUPTI's headers are found
 * (Makefile); it is not part of gpu_profiler itself, which stays free of
 * CUDA at link time. */
#define _GNU_SOURCE
#include <cupti.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int InitializeInjection(void);

static FILE *trace_out;
static pthread_mutex_t trace_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned long long monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* both clocks, the CUPTI one read on either side of the monotonic one */
static void clock_line(const char *what)
{
    uint64_t c0 = 0, c1 = 0;
    unsigned long long m;
    cuptiGetTimestamp(&c0);
    m = monotonic_ns();
    cuptiGetTimestamp(&c1);
    fprintf(trace_out, "# clock %s cupti_ns %llu monotonic_ns %llu\n", what,
            (unsigned long long)(c0 / 2 + c1 / 2 + (c0 % 2 + c1 % 2) / 2), m);
}

static void CUPTIAPI buffer_requested(uint8_t **buf, size_t *size, size_t *max_records)
{
    *size = 8u << 20;
    *buf = aligned_alloc(8, *size);
    *max_records = 0;
    if (!*buf)
        *size = 0;
}

static void CUPTIAPI buffer_completed(CUcontext ctx, uint32_t stream, uint8_t *buf, size_t size, size_t valid)
{
    CUpti_Activity *rec = NULL;
    size_t dropped = 0;
    (void)size;
    pthread_mutex_lock(&trace_mu);
    while (trace_out && cuptiActivityGetNextRecord(buf, valid, &rec) == CUPTI_SUCCESS) {
        if (rec->kind == CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL || rec->kind == CUPTI_ACTIVITY_KIND_KERNEL) {
            const CUpti_ActivityKernel10 *k = (const CUpti_ActivityKernel10 *)(const void *)rec;
            fprintf(trace_out, "K %llu %llu %u %s\n", (unsigned long long)k->start, (unsigned long long)k->end,
                    k->deviceId, k->name && *k->name ? k->name : "?");
        } else if (rec->kind == CUPTI_ACTIVITY_KIND_MEMCPY) {
            const CUpti_ActivityMemcpy6 *c = (const CUpti_ActivityMemcpy6 *)(const void *)rec;
            fprintf(trace_out, "C %llu %llu %u %llu\n", (unsigned long long)c->start, (unsigned long long)c->end,
                    c->deviceId, (unsigned long long)c->bytes);
        } else if (rec->kind == CUPTI_ACTIVITY_KIND_MEMSET) {
            const CUpti_ActivityMemset4 *s = (const CUpti_ActivityMemset4 *)(const void *)rec;
            fprintf(trace_out, "S %llu %llu %u %llu\n", (unsigned long long)s->start, (unsigned long long)s->end,
                    s->deviceId, (unsigned long long)s->bytes);
        }
    }
    if (trace_out && cuptiActivityGetNumDroppedRecords(ctx, stream, &dropped) == CUPTI_SUCCESS && dropped)
        fprintf(trace_out, "# dropped %zu\n", dropped);
    pthread_mutex_unlock(&trace_mu);
    free(buf);
}

static void trace_finish(void)
{
    if (!trace_out)
        return; /* a forked child's, or the file could not be written */
    cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    pthread_mutex_lock(&trace_mu);
    if (trace_out) {
        clock_line("end");
        if (fclose(trace_out) != 0)
            fprintf(stderr, "gpu_profiler trace: cannot write the timeline\n");
        trace_out = NULL;
    }
    pthread_mutex_unlock(&trace_mu);
}

/* A child forked after CUDA started has no CUDA of its own (and may not use
 * the parent's): it must not write the parent's buffered records again, or
 * its end line, into the parent's file at its exit. */
static void forget_in_child(void)
{
    trace_out = NULL; /* its stdio buffer is the parent's: dropped, not flushed */
    pthread_mutex_init(&trace_mu, NULL);
}

/* Called by the CUDA driver while it initialises, once per process. */
int InitializeInjection(void)
{
    static const CUpti_ActivityKind kinds[] = { CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY,
                                                CUPTI_ACTIVITY_KIND_MEMSET };
    const char *prefix = getenv("GP_TRACE_FILE");
    char path[4096];
    size_t i;
    if (!prefix || !*prefix || trace_out)
        return 1;
    snprintf(path, sizeof path, "%s.%ld", prefix, (long)getpid());
    trace_out = fopen(path, "w");
    if (!trace_out) {
        fprintf(stderr, "gpu_profiler trace: cannot write %s; no timeline for this process\n", path);
        return 1;
    }
    setvbuf(trace_out, NULL, _IOFBF, 1u << 20);
    fprintf(trace_out, "# gpu_profiler_trace 1\n# pid %ld\n", (long)getpid());
    clock_line("start");
    if (cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed) != CUPTI_SUCCESS) {
        fprintf(trace_out, "# error: CUPTI refused the activity callbacks\n");
        fclose(trace_out);
        trace_out = NULL;
        return 1;
    }
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (cuptiActivityEnable(kinds[i]) != CUPTI_SUCCESS)
            fprintf(trace_out, "# error: CUPTI refused activity kind %d\n", (int)kinds[i]);
    atexit(trace_finish);
    pthread_atfork(NULL, NULL, forget_in_child);
    return 1;
}
