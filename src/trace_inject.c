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
 * CUDA at link time.
 *
 * On Windows it is gpu_profiler_trace.dll: CUPTI is loaded at run time
 * (its DLL's name carries its version: cupti64_2025.3.1.dll), from
 * $GP_CUPTI_DLL or the newest cupti64_*.dll in %CUDA_PATH%\extras\CUPTI\lib64
 * or %CUDA_PATH%\bin, and the monotonic clock is the performance counter
 * that gpu_profiler's own clock (plat_win32.c) reads. Its PM sampler takes
 * its CUPTI functions from that same DLL (trace_pm_load). */
#define _GNU_SOURCE
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#endif
#include "cupti_packing.h"
#include <cupti.h>
#include "trace_pm.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#ifdef _WIN32
#define TRACE_EXPORT __declspec(dllexport)
#else
#define TRACE_EXPORT
#endif
TRACE_EXPORT int InitializeInjection(void);

#ifdef _WIN32
/* CUPTI's entry points, from its DLL (the PM sampler's: trace_pm_load) */
#define CUPTI_ENTRY_POINTS(X)                                                                                          \
    X(ActivityEnable) X(ActivityFlushAll) X(ActivityGetNextRecord) X(ActivityGetNumDroppedRecords)                     \
    X(ActivityRegisterCallbacks) X(GetTimestamp) X(Subscribe) X(EnableCallback) X(GetDeviceId)
#define CUPTI_FIELD(fn) __typeof__(&cupti##fn) fn;
static struct {
    CUPTI_ENTRY_POINTS(CUPTI_FIELD)
} cupti;
static HMODULE cupti_dll;
#define CUPTI(fn) cupti.fn

/* The newest cupti64_*.dll in dir (by name: the version is in it), loaded. */
static HMODULE load_newest(const char *dir)
{
    char pattern[MAX_PATH], best[MAX_PATH] = "", path[MAX_PATH * 2];
    WIN32_FIND_DATAA fd;
    HANDLE h;
    snprintf(pattern, sizeof pattern, "%s\\cupti64_*.dll", dir);
    if ((h = FindFirstFileA(pattern, &fd)) == INVALID_HANDLE_VALUE)
        return NULL;
    do {
        if (!best[0] || strcmp(fd.cFileName, best) > 0)
            snprintf(best, sizeof best, "%s", fd.cFileName);
    } while (FindNextFileA(h, &fd));
    FindClose(h);
    snprintf(path, sizeof path, "%s\\%s", dir, best);
    return LoadLibraryExA(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
}

static int cupti_load(void)
{
    const char *env = getenv("GP_CUPTI_DLL"), *cuda = getenv("CUDA_PATH");
    char dir[MAX_PATH];
    HMODULE lib = NULL;
    FARPROC f;
    if (env && *env)
        lib = LoadLibraryExA(env, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!lib && cuda && *cuda) {
        snprintf(dir, sizeof dir, "%s\\extras\\CUPTI\\lib64", cuda);
        if (!(lib = load_newest(dir))) {
            snprintf(dir, sizeof dir, "%s\\bin", cuda);
            lib = load_newest(dir);
        }
    }
    if (!(cupti_dll = lib))
        return -1;
#define CUPTI_LOAD(fn)                                                                                                 \
    if (!(f = GetProcAddress(lib, "cupti" #fn)))                                                                       \
        return -1;                                                                                                     \
    memcpy(&cupti.fn, &f, sizeof f);
    CUPTI_ENTRY_POINTS(CUPTI_LOAD)
    return 0;
}

static long process_id(void)
{
    return (long)GetCurrentProcessId();
}

#define trace_alloc(n) _aligned_malloc((n), 8)
#define trace_free(p) _aligned_free(p)
#else
#define CUPTI(fn) cupti##fn
static int cupti_load(void)
{
    return 0; /* linked */
}

static long process_id(void)
{
    return (long)getpid();
}

#define trace_alloc(n) aligned_alloc(8, (n))
#define trace_free(p) free(p)
#endif

static FILE *trace_out;
static pthread_mutex_t trace_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned long long monotonic_ns(void)
{
#ifdef _WIN32
    LARGE_INTEGER t, freq;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (unsigned long long)(t.QuadPart / freq.QuadPart) * 1000000000ull +
           (unsigned long long)(t.QuadPart % freq.QuadPart) * 1000000000ull / (unsigned long long)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
#endif
}

/* both clocks, the CUPTI one read on either side of the monotonic one */
static void clock_line(const char *what)
{
    uint64_t c0 = 0, c1 = 0;
    unsigned long long m;
    CUPTI(GetTimestamp)(&c0);
    m = monotonic_ns();
    CUPTI(GetTimestamp)(&c1);
    fprintf(trace_out, "# clock %s cupti_ns %llu monotonic_ns %llu\n", what,
            (unsigned long long)(c0 / 2 + c1 / 2 + (c0 % 2 + c1 % 2) / 2), m);
}

static void CUPTIAPI buffer_requested(uint8_t **buf, size_t *size, size_t *max_records)
{
    *size = 8u << 20;
    *buf = trace_alloc(*size);
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
    while (trace_out && CUPTI(ActivityGetNextRecord)(buf, valid, &rec) == CUPTI_SUCCESS) {
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
    if (trace_out && CUPTI(ActivityGetNumDroppedRecords)(ctx, stream, &dropped) == CUPTI_SUCCESS && dropped)
        fprintf(trace_out, "# dropped %zu\n", dropped);
    pthread_mutex_unlock(&trace_mu);
    trace_free(buf);
}

static void trace_finish(void)
{
    if (!trace_out)
        return; /* a forked child's, or the file could not be written */
    trace_pm_finish();
    if (getenv("GP_PM_DEBUG"))
        fprintf(stderr, "gpu_profiler trace: pm finished; flushing the activity records\n");
    CUPTI(ActivityFlushAll)(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
    if (trace_lock_at_exit(&trace_mu) != 0) { /* held by a thread the exit ended (Windows) */
        fprintf(stderr, "gpu_profiler trace: the timeline's lock was held at exit: its end line is not written\n");
        return;
    }
    if (trace_out) {
        clock_line("end");
        if (fclose(trace_out) != 0)
            fprintf(stderr, "gpu_profiler trace: cannot write the timeline\n");
        trace_out = NULL;
    }
    pthread_mutex_unlock(&trace_mu);
}

/* Stops the PM sampler now and writes its samples (what the process's end
 * does): gpu_profiler calibrate --sampled calls it before it reads them. */
TRACE_EXPORT void gp_trace_pm_stop(void);
void gp_trace_pm_stop(void)
{
    trace_pm_finish();
    pthread_mutex_lock(&trace_mu);
    if (trace_out)
        fflush(trace_out);
    pthread_mutex_unlock(&trace_mu);
}

#ifndef _WIN32
/* A child forked after CUDA started has no CUDA of its own (and may not use
 * the parent's): it must not write the parent's buffered records again, or
 * its end line, into the parent's file at its exit. */
static void forget_in_child(void)
{
    trace_out = NULL; /* its stdio buffer is the parent's: dropped, not flushed */
    pthread_mutex_init(&trace_mu, NULL);
    trace_pm_forget();
}
#endif

/* Each new context: its device's PM sampler (trace_pm.c), when asked for. */
static void CUPTIAPI on_resource(void *user, CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const void *data)
{
    const CUpti_ResourceData *rd = data;
    uint32_t device = 0;
    (void)user;
    if (domain != CUPTI_CB_DOMAIN_RESOURCE || cbid != CUPTI_CBID_RESOURCE_CONTEXT_CREATED || !rd || !rd->context)
        return;
    if (CUPTI(GetDeviceId)(rd->context, &device) == CUPTI_SUCCESS)
        trace_pm_context(rd->context, device);
}

/* PM sampling, when $GP_PM_SAMPLING asks for it: started on each device's
 * first context. */
static void start_pm_sampling(void)
{
    static CUpti_SubscriberHandle sub;
    trace_pm_init(&trace_out, &trace_mu);
    if (!trace_pm_wanted())
        return;
#ifdef _WIN32
    if (trace_pm_load(cupti_dll) != 0)
        return;
#endif
    if (CUPTI(Subscribe)(&sub, on_resource, NULL) != CUPTI_SUCCESS ||
        CUPTI(EnableCallback)(1, sub, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_CONTEXT_CREATED) != CUPTI_SUCCESS) {
        fprintf(trace_out, "# pm_unavailable device all CUPTI refused the context callback (another tool subscribes)\n");
        fprintf(stderr, "gpu_profiler trace: no PM sampling: CUPTI refused the context callback (another tool "
                        "subscribes)\n");
    }
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
    if (cupti_load() != 0) {
        fprintf(stderr, "gpu_profiler trace: CUPTI not found (set GP_CUPTI_DLL to its cupti64_*.dll); no "
                        "timeline for this process\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s.%ld", prefix, process_id());
    trace_out = fopen(path, "wb");
    if (!trace_out) {
        fprintf(stderr, "gpu_profiler trace: cannot write %s; no timeline for this process\n", path);
        return 1;
    }
    setvbuf(trace_out, NULL, _IOFBF, 1u << 20);
    fprintf(trace_out, "# gpu_profiler_trace 1\n# pid %ld\n", process_id());
    clock_line("start");
    if (CUPTI(ActivityRegisterCallbacks)(buffer_requested, buffer_completed) != CUPTI_SUCCESS) {
        fprintf(trace_out, "# error: CUPTI refused the activity callbacks\n");
        fclose(trace_out);
        trace_out = NULL;
        return 1;
    }
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (CUPTI(ActivityEnable)(kinds[i]) != CUPTI_SUCCESS)
            fprintf(trace_out, "# error: CUPTI refused activity kind %d\n", (int)kinds[i]);
    start_pm_sampling();
    atexit(trace_finish);
#ifndef _WIN32
    pthread_atfork(NULL, NULL, forget_in_child);
#endif
    return 1;
}
