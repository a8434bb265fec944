/* trace_pm: the tracer's PM sampler; see trace_pm.h. */
#define _GNU_SOURCE
#include "trace_pm.h"

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#endif
#include "cupti_packing.h"
#include <cuda.h>
#include <cupti.h>
#include <cupti_pmsampling.h>
#include <cupti_profiler_host.h>
#include <cupti_profiler_target.h>
#include <cupti_target.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The counters asked for, most useful first: when the accepted ones do not
 * fit one pass, the last are dropped until they do. Accepted one by one on a
 * GH100 (../shared/tools/pmprobe, 2026-12-06); NVLink's are refused on a
 * machine without NVLink, and so come last. The names are those that
 * src/feature_table.c's sampled metrics give (after the group prefix). */
static const char *const TRACE_PM_METRICS[] = {
    "gpc__cycles_elapsed.avg.per_second",
    "TPC.TriageCompute.sm__cycles_active.avg",
    "TPC.TriageCompute.sm__inst_executed_realtime.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.sm__inst_executed_pipe_fma_realtime.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.sm__pipe_tensor_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.sm__pipe_fp64_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed",
    "FBSP.TriageCompute.dramc__read_throughput.avg.pct_of_peak_sustained_elapsed",
    "FBSP.TriageCompute.dramc__write_throughput.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.sm__inst_executed_pipe_alu_realtime.avg.pct_of_peak_sustained_elapsed",
    "LTS.TriageCompute.lts__t_sector_throughput.avg.pct_of_peak_sustained_elapsed",
    "SM_A.TriageCompute.l1tex__throughput.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.tpc__warps_active_realtime.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.sm__inst_executed_pipe_fmaheavy_realtime.avg.pct_of_peak_sustained_elapsed",
    "SM_A.TriageCompute.sm__inst_executed_pipe_xu_realtime.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.sm__pipe_tensor_op_hmma_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed",
    "TPC.TriageCompute.sm__pipe_tensor_op_imma_cycles_active_realtime.avg.pct_of_peak_sustained_elapsed",
    "SM_A.TriageCompute.sm__inst_executed_pipe_uniform_realtime.avg.pct_of_peak_sustained_elapsed",
    /* what the first sampled model lacked (docs/ACCURACY.md): shared-memory and L1 wavefronts. With the
     * FMA-lite pipe too (25 counters, one pass) every decode after the first few failed on an H100 (runs 19, 20);
     * it is the fma pipe less fmaheavy's half, so it is left out */
    "SM_A.TriageCompute.l1tex__data_pipe_lsu_wavefronts_mem_shared.sum.pct_of_peak_sustained_elapsed",
    "SM_A.TriageCompute.l1tex__data_pipe_lsu_wavefronts.avg.pct_of_peak_sustained_elapsed",
    "LTS.TriageCompute.lts__average_t_sector_hit_rate_realtime.pct",
    "FE_B.TriageCompute.gr__cycles_active.avg.pct_of_peak_sustained_elapsed",
    "PCI.TriageCompute.pcie__read_bytes.sum",
    "PCI.TriageCompute.pcie__write_bytes.sum",
    "sys__cycles_elapsed.avg.per_second",
    "NVLRX.TriageCompute.nvlrx__bytes_packet_request_data_user.sum",
    "NVLTX.TriageCompute.nvltx__bytes_packet_request_data_user.sum",
};
#define PM_NMETRICS (sizeof TRACE_PM_METRICS / sizeof TRACE_PM_METRICS[0])
#define PM_MAX_DEVICES 64
/* the smallest hardware buffer tried where the default is refused, and
 * the largest GP_PM_BUFFER_MB takes (64 GiB) */
#define PM_MIN_BUFFER_MB 64ull
#define PM_MAX_BUFFER_MB 65536ull
/* the counter data image holds this many decode cadences of samples, so
 * that it does not fill while the decoder is late */
#define PM_IMAGE_CADENCES 8
#define PM_IMAGE_MIN_SAMPLES 1000u
#define PM_IMAGE_MAX_SAMPLES 200000u
/* restarts after failed decodes, per device (restart) */
#define PM_MAX_RESTARTS 100u

#define PARAMS(T, v)                                                                                                   \
    T v;                                                                                                               \
    memset(&v, 0, sizeof v);                                                                                           \
    v.structSize = T##_STRUCT_SIZE

/* Every CUPTI and CUDA driver function the sampler calls, the PM sampling
 * ones first (an older CUPTI lacks them). Linux links them: PM(fn) is fn.
 * The Windows tracer takes them at run time from the CUPTI DLL that
 * trace_inject.c loaded and from nvcuda.dll (trace_pm_load). */
#define PM_CUPTI_ENTRY_POINTS(X)                                                                                        \
    X(cuptiPmSamplingGetCounterAvailability) X(cuptiPmSamplingEnable) X(cuptiPmSamplingDisable)                      \
    X(cuptiPmSamplingSetConfig) X(cuptiPmSamplingGetCounterDataSize) X(cuptiPmSamplingCounterDataImageInitialize)   \
    X(cuptiPmSamplingStart) X(cuptiPmSamplingStop) X(cuptiPmSamplingDecodeData)                                      \
    X(cuptiPmSamplingGetCounterDataInfo) X(cuptiPmSamplingCounterDataGetSampleInfo)                                  \
    X(cuptiProfilerHostInitialize) X(cuptiProfilerHostDeinitialize) X(cuptiProfilerHostConfigAddMetrics)             \
    X(cuptiProfilerHostGetConfigImageSize) X(cuptiProfilerHostGetConfigImage) X(cuptiProfilerHostGetNumOfPasses)     \
    X(cuptiProfilerHostEvaluateToGpuValues) X(cuptiProfilerInitialize) X(cuptiProfilerDeviceSupported)               \
    X(cuptiDeviceGetChipName) X(cuptiGetResultString)
#define PM_CUDA_ENTRY_POINTS(X) X(cuCtxSetCurrent) X(cuDeviceGet) X(cuDeviceGetName)
#ifdef _WIN32
#define PM_FIELD(fn) __typeof__(&fn) fn;
static struct {
    PM_CUPTI_ENTRY_POINTS(PM_FIELD)
    PM_CUDA_ENTRY_POINTS(PM_FIELD)
} pm_api;
#define PM(fn) pm_api.fn
#else
#define PM(fn) fn
#endif

struct pm_dev {
    int state; /* 0 untouched, 1 sampling, 2 unavailable or stopped */
    unsigned device;
    CUcontext ctx;
    char chip[32];
    CUpti_Profiler_Host_Object *host;
    CUpti_PmSampling_Object *obj;
    uint8_t *avail, *config, *img;
    size_t avail_size, config_size, img_size;
    const char *names[PM_NMETRICS];
    size_t nnames;
    double *values;
    pthread_t thread;
    volatile int stop;
    volatile int returned; /* the decoder's thread ended by returning (not by the process's exit) */
    unsigned long long samples, decodes, fulls, max_batch, failed_samples;
    unsigned long long last_end_ns; /* the end of the last sample written */
    unsigned restarts;              /* after failed decodes (restart) */
    int decode_said;                /* the decoder gave up on a failed decode and said so (pm_error) */
    int sampler_stopped;            /* a restart's Stop whose Start then failed: stop_device's Stop is not due */
    int overflow;
    double cpu_s, setup_cpu_s;
    /* the setup's handshake with the context callback */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int setup_done;
};

static FILE **pm_out;
static pthread_mutex_t *pm_mu;
static unsigned long long pm_interval_ns;
static long pm_decode_ms = TRACE_PM_DECODE_MS;
static struct pm_dev pm_devs[PM_MAX_DEVICES];
static pthread_mutex_t pm_devs_mu = PTHREAD_MUTEX_INITIALIZER;
static int pm_profiler_ready;

void trace_pm_init(FILE **out, pthread_mutex_t *mu)
{
    const char *e = getenv("GP_PM_SAMPLING");
    pm_out = out;
    pm_mu = mu;
    pm_interval_ns = e && *e ? strtoull(e, NULL, 10) : 0;
    if (pm_interval_ns && pm_interval_ns < 10000)
        pm_interval_ns = 10000;
    e = getenv("GP_PM_DECODE_MS");
    pm_decode_ms = e && atol(e) > 0 ? atol(e) : TRACE_PM_DECODE_MS;
}

int trace_pm_wanted(void)
{
    return pm_interval_ns > 0;
}

static const char *pm_err(CUptiResult r)
{
    const char *s = NULL;
    if (PM(cuptiGetResultString)(r, &s) != CUPTI_SUCCESS || !s)
        return "unknown CUPTI error";
    return s;
}

/* One line into the trace file, under its lock. */
#ifdef __MINGW32__
#define PM_PRINTF __attribute__((format(gnu_printf, 1, 2))) /* mingw-w64's C99 printf */
#else
#define PM_PRINTF __attribute__((format(printf, 1, 2)))
#endif
static void pm_line(const char *fmt, ...) PM_PRINTF;
static void pm_line(const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(pm_mu);
    if (*pm_out) {
        va_start(ap, fmt);
        vfprintf(*pm_out, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(pm_mu);
}

static void pm_unavailable(struct pm_dev *d, const char *what, CUptiResult r)
{
    d->state = 2;
    pm_line("# pm_unavailable device %u %s: %s\n", d->device, what, r == CUPTI_SUCCESS ? "refused" : pm_err(r));
    fprintf(stderr, "gpu_profiler trace: no PM sampling on device %u (%s: %s); its counters will not be sampled\n",
            d->device, what, r == CUPTI_SUCCESS ? "refused" : pm_err(r));
}

#ifdef _WIN32
/* fn from lib into pm_api; its name when lib lacks it */
#define PM_LOAD(lib, fn)                                                                                               \
    if (!(f = GetProcAddress(lib, #fn)))                                                                               \
        return #fn;                                                                                                    \
    memcpy(&pm_api.fn, &f, sizeof f);
#define PM_LOAD_CUPTI(fn) PM_LOAD(cupti, fn)
#define PM_LOAD_CUDA(fn) PM_LOAD(cuda, fn)

/* Every entry point; NULL, or the name of the first that is missing. */
static const char *load_entry_points(HMODULE cupti, HMODULE cuda)
{
    FARPROC f;
    PM_CUPTI_ENTRY_POINTS(PM_LOAD_CUPTI)
    PM_CUDA_ENTRY_POINTS(PM_LOAD_CUDA)
    return NULL;
}

/* what lacks the entry point: the DLL's file name */
static const char *dll_name(HMODULE lib, char *out, DWORD len)
{
    const char *slash;
    DWORD n = GetModuleFileNameA(lib, out, len);
    if (n == 0 || n >= len)
        return "its DLL";
    slash = strrchr(out, '\\');
    return slash ? slash + 1 : out;
}

int trace_pm_load(void *cupti_dll)
{
    /* the driver is the application's, loaded already (it loaded the tracer) */
    HMODULE cuda = GetModuleHandleA("nvcuda.dll");
    const char *missing = "nvcuda.dll", *in = "the process", *hint = "";
    char path[MAX_PATH];
    if (!cuda)
        cuda = LoadLibraryExA("nvcuda.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (cuda && !(missing = load_entry_points((HMODULE)cupti_dll, cuda)))
        return 0;
    if (cuda && strncmp(missing, "cupti", 5) == 0) {
        in = dll_name((HMODULE)cupti_dll, path, sizeof path);
        hint = " (a CUPTI older than its PM sampling API)";
    } else if (cuda) {
        in = dll_name(cuda, path, sizeof path);
    }
    pm_interval_ns = 0; /* trace_pm_context does nothing from here on */
    pm_line("# pm_unavailable device all no %s in %s%s\n", missing, in, hint);
    fprintf(stderr, "gpu_profiler trace: no PM sampling: no %s in %s%s; no counters will be sampled\n", missing, in,
            hint);
    return -1;
}
#endif

static void host_free(struct pm_dev *d)
{
    if (d->host) {
        PARAMS(CUpti_Profiler_Host_Deinitialize_Params, p);
        p.pHostObject = d->host;
        PM(cuptiProfilerHostDeinitialize)(&p);
        d->host = NULL;
    }
}

/* A fresh host object holding the given metrics. */
static CUptiResult host_with(struct pm_dev *d, const char **names, size_t n)
{
    CUptiResult r;
    host_free(d);
    {
        PARAMS(CUpti_Profiler_Host_Initialize_Params, p);
        p.profilerType = CUPTI_PROFILER_TYPE_PM_SAMPLING;
        p.pChipName = d->chip;
        p.pCounterAvailabilityImage = d->avail;
        if ((r = PM(cuptiProfilerHostInitialize)(&p)) != CUPTI_SUCCESS)
            return r;
        d->host = p.pHostObject;
    }
    {
        PARAMS(CUpti_Profiler_Host_ConfigAddMetrics_Params, p);
        p.pHostObject = d->host;
        p.ppMetricNames = names;
        p.numMetrics = n;
        return PM(cuptiProfilerHostConfigAddMetrics)(&p);
    }
}

/* The config image of the current host object and its number of passes. */
static CUptiResult config_image(struct pm_dev *d, size_t *passes)
{
    CUptiResult r;
    PARAMS(CUpti_Profiler_Host_GetConfigImageSize_Params, s);
    s.pHostObject = d->host;
    if ((r = PM(cuptiProfilerHostGetConfigImageSize)(&s)) != CUPTI_SUCCESS)
        return r;
    free(d->config);
    if (!(d->config = calloc(1, s.configImageSize)))
        return CUPTI_ERROR_OUT_OF_MEMORY;
    d->config_size = s.configImageSize;
    {
        PARAMS(CUpti_Profiler_Host_GetConfigImage_Params, p);
        p.pHostObject = d->host;
        p.configImageSize = d->config_size;
        p.pConfigImage = d->config;
        if ((r = PM(cuptiProfilerHostGetConfigImage)(&p)) != CUPTI_SUCCESS)
            return r;
    }
    {
        PARAMS(CUpti_Profiler_Host_GetNumOfPasses_Params, p);
        p.configImageSize = d->config_size;
        p.pConfigImage = d->config;
        if ((r = PM(cuptiProfilerHostGetNumOfPasses)(&p)) != CUPTI_SUCCESS)
            return r;
        *passes = p.numOfPasses;
    }
    return CUPTI_SUCCESS;
}

/* Whether metric m holds one of the comma-separated parts of list. */
static int skipped(const char *list, const char *m)
{
    while (list && *list) {
        size_t n = strcspn(list, ",");
        char part[128];
        if (n > 0 && n < sizeof part) {
            memcpy(part, list, n);
            part[n] = '\0';
            if (strstr(m, part))
                return 1;
        }
        list += n + (list[n] == ',');
    }
    return 0;
}

/* The counters this device accepts, one by one, then as few dropped from the
 * end as make them fit one pass; each left out is said in the trace. */
static CUptiResult choose_metrics(struct pm_dev *d)
{
    size_t i, passes = 0;
    CUptiResult r;
    const char *skip = getenv("GP_PM_SKIP"); /* comma-separated parts of names: left out, for diagnosis */
    d->nnames = 0;
    for (i = 0; i < PM_NMETRICS; i++) {
        const char *m = TRACE_PM_METRICS[i];
        if (skipped(skip, m))
            pm_line("# pm_left_out device %u %s GP_PM_SKIP\n", d->device, m);
        else if ((r = host_with(d, &m, 1)) == CUPTI_SUCCESS)
            d->names[d->nnames++] = m;
        else
            pm_line("# pm_left_out device %u %s %s\n", d->device, m, pm_err(r));
    }
    while (d->nnames > 0) {
        if ((r = host_with(d, d->names, d->nnames)) == CUPTI_SUCCESS && (r = config_image(d, &passes)) == CUPTI_SUCCESS &&
            passes == 1)
            return CUPTI_SUCCESS;
        d->nnames--;
        pm_line("# pm_left_out device %u %s %s\n", d->device, d->names[d->nnames],
                r != CUPTI_SUCCESS ? pm_err(r) : "needs a second pass");
    }
    return CUPTI_ERROR_NOT_SUPPORTED;
}

static CUptiResult counter_availability(struct pm_dev *d)
{
    CUptiResult r;
    PARAMS(CUpti_PmSampling_GetCounterAvailability_Params, p);
    p.deviceIndex = d->device;
    if ((r = PM(cuptiPmSamplingGetCounterAvailability)(&p)) != CUPTI_SUCCESS)
        return r;
    if (!(d->avail = calloc(1, p.counterAvailabilityImageSize)))
        return CUPTI_ERROR_OUT_OF_MEMORY;
    d->avail_size = p.counterAvailabilityImageSize;
    p.pCounterAvailabilityImage = d->avail;
    return PM(cuptiPmSamplingGetCounterAvailability)(&p);
}

static CUptiResult init_image(struct pm_dev *d)
{
    PARAMS(CUpti_PmSampling_CounterDataImage_Initialize_Params, p);
    p.pPmSamplingObject = d->obj;
    p.counterDataSize = d->img_size;
    p.pCounterData = d->img;
    return PM(cuptiPmSamplingCounterDataImageInitialize)(&p);
}

/* A counter data image of max_samples samples, initialised. */
static CUptiResult alloc_image(struct pm_dev *d, uint32_t max_samples)
{
    CUptiResult r;
    PARAMS(CUpti_PmSampling_GetCounterDataSize_Params, p);
    p.pPmSamplingObject = d->obj;
    p.pMetricNames = d->names;
    p.numMetrics = d->nnames;
    p.maxSamples = max_samples;
    if ((r = PM(cuptiPmSamplingGetCounterDataSize)(&p)) != CUPTI_SUCCESS)
        return r;
    if (!(d->img = calloc(1, p.counterDataSize)))
        return CUPTI_ERROR_OUT_OF_MEMORY;
    d->img_size = p.counterDataSize;
    return init_image(d);
}

/* The image's capacity: PM_IMAGE_CADENCES decode cadences of samples,
 * within the bounds. */
static uint32_t image_samples(void)
{
    uint64_t n = (uint64_t)PM_IMAGE_CADENCES * (uint64_t)pm_decode_ms * 1000000ull / pm_interval_ns;
    return n < PM_IMAGE_MIN_SAMPLES ? PM_IMAGE_MIN_SAMPLES : n > PM_IMAGE_MAX_SAMPLES ? PM_IMAGE_MAX_SAMPLES : (uint32_t)n;
}

/* The hardware buffer asked for, MiB: GP_PM_BUFFER_MB's where it is a
 * whole number from 1 to PM_MAX_BUFFER_MB (*chosen set), else the default
 * (*bad set where the variable held something else, which the caller
 * says). */
static unsigned long long buffer_mb(int *chosen, int *bad)
{
    const char *e = getenv("GP_PM_BUFFER_MB");
    char *end = NULL;
    unsigned long long mb = 0;
    *chosen = *bad = 0;
    if (!e || !*e)
        return TRACE_PM_BUFFER_MB;
    if (*e >= '0' && *e <= '9')
        mb = strtoull(e, &end, 10);
    if (!end || *end || mb < 1 || mb > PM_MAX_BUFFER_MB) {
        *bad = 1;
        return TRACE_PM_BUFFER_MB;
    }
    *chosen = 1;
    return mb;
}

static CUptiResult set_config(struct pm_dev *d, unsigned long long mb)
{
    PARAMS(CUpti_PmSampling_SetConfig_Params, p);
    p.pPmSamplingObject = d->obj;
    p.configSize = d->config_size;
    p.pConfig = d->config;
    p.hardwareBufferSize = mb << 20;
    p.samplingInterval = pm_interval_ns;
    p.triggerMode = CUPTI_PM_SAMPLING_TRIGGER_MODE_GPU_TIME_INTERVAL;
    p.hwBufferAppendMode = CUPTI_PM_SAMPLING_HARDWARE_BUFFER_APPEND_MODE_KEEP_OLDEST;
    return PM(cuptiPmSamplingSetConfig)(&p);
}

/* The interval and the hardware buffer: where the default buffer is
 * refused for want of memory (CUPTI_ERROR_OUT_OF_MEMORY), half of it, down
 * to PM_MIN_BUFFER_MB, said in the trace (a smaller buffer samples a
 * shorter run: trace_pm.h); a size the user chose is taken or refused as
 * it is. */
static CUptiResult configure_buffer(struct pm_dev *d)
{
    int chosen, bad;
    unsigned long long want = buffer_mb(&chosen, &bad), mb = want;
    CUptiResult r;
    if (bad)
        pm_line("# pm_buffer device %u GP_PM_BUFFER_MB '%.40s' is not a size in MiB (1 to %llu): %llu used\n",
                d->device, getenv("GP_PM_BUFFER_MB"), PM_MAX_BUFFER_MB, want);
    r = set_config(d, mb);
    while (r == CUPTI_ERROR_OUT_OF_MEMORY && !chosen && mb / 2 >= PM_MIN_BUFFER_MB)
        r = set_config(d, mb /= 2);
    if (r == CUPTI_SUCCESS && mb != want)
        pm_line("# pm_buffer device %u mib %llu (%llu refused; a shorter run fits: GP_PM_BUFFER_MB)\n", d->device, mb,
                want);
    return r;
}

/* Configure the enabled object: interval, buffer, counter data image. */
static CUptiResult configure(struct pm_dev *d)
{
    CUptiResult r;
    if ((r = configure_buffer(d)) != CUPTI_SUCCESS)
        return r;
    if (!(d->values = calloc(d->nnames, sizeof *d->values)))
        return CUPTI_ERROR_OUT_OF_MEMORY;
    return alloc_image(d, image_samples());
}

static int profiler_ready(void)
{
    if (!pm_profiler_ready) {
        PARAMS(CUpti_Profiler_Initialize_Params, p);
        pm_profiler_ready = PM(cuptiProfilerInitialize)(&p) == CUPTI_SUCCESS ? 1 : -1;
    }
    return pm_profiler_ready == 1;
}

/* Support, chip, counters, enable, configure; 0 when sampling can start. */
static int setup(struct pm_dev *d)
{
    CUptiResult r;
    if (!profiler_ready())
        return pm_unavailable(d, "cuptiProfilerInitialize", CUPTI_ERROR_NOT_INITIALIZED), -1;
    {
        PARAMS(CUpti_Profiler_DeviceSupported_Params, p);
        p.cuDevice = (CUdevice)d->device;
        p.api = CUPTI_PROFILER_PM_SAMPLING;
        if ((r = PM(cuptiProfilerDeviceSupported)(&p)) != CUPTI_SUCCESS)
            return pm_unavailable(d, "support check", r), -1;
        if (p.isSupported != CUPTI_PROFILER_CONFIGURATION_SUPPORTED) {
            const char *why = p.architecture != CUPTI_PROFILER_CONFIGURATION_SUPPORTED ? "architecture"
                              : p.vGpu != CUPTI_PROFILER_CONFIGURATION_SUPPORTED    ? "vGPU"
                              : p.confidentialCompute != CUPTI_PROFILER_CONFIGURATION_SUPPORTED ? "confidential compute"
                              : p.wsl != CUPTI_PROFILER_CONFIGURATION_SUPPORTED      ? "WSL"
                                                                                     : "configuration (SLI, CMP or MIG)";
            return pm_unavailable(d, why, CUPTI_ERROR_NOT_SUPPORTED), -1;
        }
    }
    {
        PARAMS(CUpti_Device_GetChipName_Params, p);
        p.deviceIndex = d->device;
        if ((r = PM(cuptiDeviceGetChipName)(&p)) != CUPTI_SUCCESS)
            return pm_unavailable(d, "chip name", r), -1;
        snprintf(d->chip, sizeof d->chip, "%s", p.pChipName);
    }
    if ((r = counter_availability(d)) != CUPTI_SUCCESS)
        return pm_unavailable(d, "counter availability (another profiler, or no permission to the counters)", r), -1;
    if ((r = choose_metrics(d)) != CUPTI_SUCCESS)
        return pm_unavailable(d, "no counter accepted", r), -1;
    {
        PARAMS(CUpti_PmSampling_Enable_Params, p);
        p.deviceIndex = d->device;
        if ((r = PM(cuptiPmSamplingEnable)(&p)) != CUPTI_SUCCESS)
            return pm_unavailable(d, "enable (another process or profiler samples this GPU)", r), -1;
        d->obj = p.pPmSamplingObject;
    }
    if ((r = configure(d)) != CUPTI_SUCCESS) {
        PARAMS(CUpti_PmSampling_Disable_Params, p);
        p.pPmSamplingObject = d->obj;
        PM(cuptiPmSamplingDisable)(&p);
        return pm_unavailable(d, "configuration", r), -1;
    }
    return 0;
}

/* The calling thread's CPU time, s; on Windows in the scheduler's ticks
 * (15.6 ms by default), so a short setup may read 0. */
static double thread_cpu_s(void)
{
#ifdef _WIN32
    FILETIME created, exited, kernel, user;
    if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user))
        return 0.0;
    return 1e-7 * (double)(((unsigned long long)kernel.dwHighDateTime << 32 | kernel.dwLowDateTime) +
                           ((unsigned long long)user.dwHighDateTime << 32 | user.dwLowDateTime));
#else
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#endif
}

/* Writes one completed sample as an M line. */
static void write_sample(struct pm_dev *d, size_t index)
{
    size_t k;
    CUptiResult r;
    PARAMS(CUpti_PmSampling_CounterData_GetSampleInfo_Params, si);
    PARAMS(CUpti_Profiler_Host_EvaluateToGpuValues_Params, ev);
    si.pPmSamplingObject = d->obj;
    si.pCounterDataImage = d->img;
    si.counterDataImageSize = d->img_size;
    si.sampleIndex = index;
    if ((r = PM(cuptiPmSamplingCounterDataGetSampleInfo)(&si)) != CUPTI_SUCCESS) {
        if (d->failed_samples++ == 0)
            pm_line("# pm_error device %u sample info: %s\n", d->device, pm_err(r));
        return;
    }
    ev.pHostObject = d->host;
    ev.pCounterDataImage = d->img;
    ev.counterDataImageSize = d->img_size;
    ev.rangeIndex = index;
    ev.ppMetricNames = d->names;
    ev.numMetrics = d->nnames;
    ev.pMetricValues = d->values;
    if ((r = PM(cuptiProfilerHostEvaluateToGpuValues)(&ev)) != CUPTI_SUCCESS) {
        if (d->failed_samples++ == 0)
            pm_line("# pm_error device %u evaluate: %s\n", d->device, pm_err(r));
        return;
    }
    pthread_mutex_lock(pm_mu);
    if (*pm_out) {
        fprintf(*pm_out, "M %u %llu %llu", d->device, (unsigned long long)si.startTimestamp,
                (unsigned long long)si.endTimestamp);
        for (k = 0; k < d->nnames; k++)
            /* a ratio of nothing (0/0) is no activity; the reader takes numbers only */
            fprintf(*pm_out, " %.6g", isfinite(d->values[k]) ? d->values[k] : 0.0);
        fputc('\n', *pm_out);
    }
    pthread_mutex_unlock(pm_mu);
    d->samples++;
    d->last_end_ns = si.endTimestamp;
}

/* Drains the hardware buffer once; the number of samples written, -1 on
 * error (*failed: CUPTI's answer to a failed decode; the caller says it). */
static long decode_once(struct pm_dev *d, int *full, CUptiResult *failed)
{
    size_t i;
    CUptiResult r;
    PARAMS(CUpti_PmSampling_DecodeData_Params, p);
    PARAMS(CUpti_PmSampling_GetCounterDataInfo_Params, gi);
    p.pPmSamplingObject = d->obj;
    p.pCounterDataImage = d->img;
    p.counterDataImageSize = d->img_size;
    *failed = CUPTI_SUCCESS;
    r = PM(cuptiPmSamplingDecodeData)(&p);
    if (r != CUPTI_SUCCESS) {
        /* on the H100 (CUDA 13.0, driver 580) the decode fails with CUPTI_ERROR_OUT_OF_MEMORY, and every
         * decode after it, once too many records wait (docs/PERFORMANCE.md) */
        *failed = r;
        return -1;
    }
    if (p.overflow && !d->overflow)
        pm_line("# pm_error device %u the hardware buffer overflowed: samples were lost\n", d->device);
    d->overflow |= p.overflow != 0;
    d->decodes++;
    *full = p.decodeStopReason == CUPTI_PM_SAMPLING_DECODE_STOP_REASON_COUNTER_DATA_FULL;
    d->fulls += *full;
    gi.pCounterDataImage = d->img;
    gi.counterDataImageSize = d->img_size;
    if ((r = PM(cuptiPmSamplingGetCounterDataInfo)(&gi)) != CUPTI_SUCCESS) {
        pm_line("# pm_error device %u counter data info: %s\n", d->device, pm_err(r));
        return -1;
    }
    if (gi.numCompletedSamples > d->max_batch)
        d->max_batch = gi.numCompletedSamples;
    for (i = 0; i < gi.numCompletedSamples; i++)
        write_sample(d, i);
    init_image(d);
    return (long)gi.numCompletedSamples;
}

/* After a failed decode: the sampler stopped and started again, its waiting
 * records lost, so that the rest of the run is sampled (before, the first
 * failure ended the sampling: runs 17-24 of docs/PERFORMANCE.md). The gap
 * is noted from the end of the last sample written; the estimate bridges it
 * (sampled.c). -1, with the decode's error noted as before, where the
 * sampler failed again before a sample, restarted PM_MAX_RESTARTS times
 * already, or did not start. */
static int restart(struct pm_dev *d, CUptiResult failed, unsigned long long samples_before)
{
    CUptiResult r = CUPTI_SUCCESS;
    PARAMS(CUpti_PmSampling_Stop_Params, sp);
    PARAMS(CUpti_PmSampling_Start_Params, st);
    d->decode_said = 1; /* on every way out but the restart's */
    if (d->restarts >= PM_MAX_RESTARTS) {
        pm_line("# pm_error device %u decode: %s (after %u restarts, the most allowed)\n", d->device, pm_err(failed),
                d->restarts);
        return -1;
    }
    if (d->restarts > 0 && d->samples == samples_before) {
        pm_line("# pm_error device %u decode: %s\n", d->device, pm_err(failed));
        return -1;
    }
    sp.pPmSamplingObject = d->obj;
    PM(cuptiPmSamplingStop)(&sp);
    init_image(d);
    st.pPmSamplingObject = d->obj;
    if ((r = PM(cuptiPmSamplingStart)(&st)) != CUPTI_SUCCESS) {
        d->sampler_stopped = 1;
        pm_line("# pm_error device %u decode: %s (the restart after it: %s)\n", d->device, pm_err(failed),
                pm_err(r));
        return -1;
    }
    d->decode_said = 0;
    d->restarts++;
    pm_line("# pm_restart device %u after_ns %llu decode: %s\n", d->device, d->last_end_ns, pm_err(failed));
    return 0;
}

static void sleep_ms(long ms)
{
#ifdef _WIN32
    Sleep((DWORD)ms);
#else
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
#endif
}

/* ms from now on CLOCK_MONOTONIC, the clock of the sampler's timed waits */
static struct timespec deadline_in(long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return until;
}

/* pthread_cond_timedwait until a deadline_in. The condition variables wait
 * on CLOCK_MONOTONIC (trace_pm_context); winpthreads' absolute waits read
 * the wall clock whatever the attribute, so on Windows the time left is
 * waited, relative. */
static int wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, const struct timespec *until)
{
#ifdef _WIN32
    struct timespec now, left;
    clock_gettime(CLOCK_MONOTONIC, &now);
    left.tv_sec = until->tv_sec - now.tv_sec;
    left.tv_nsec = until->tv_nsec - now.tv_nsec;
    if (left.tv_nsec < 0) {
        left.tv_sec--;
        left.tv_nsec += 1000000000L;
    }
    if (left.tv_sec < 0)
        return ETIMEDOUT;
    return pthread_cond_timedwait_relative_np(cv, mu, &left);
#else
    return pthread_cond_timedwait(cv, mu, until);
#endif
}

/* Waits ms, or less when trace_pm_finish asks the thread to stop: the
 * application's exit (and gp_trace_pm_stop) must not wait out the decoder's
 * sleep, up to TRACE_PM_DECODE_MS. */
static void wait_or_stop(struct pm_dev *d, long ms)
{
    struct timespec until = deadline_in(ms);
    pthread_mutex_lock(&d->mu);
    while (!d->stop)
        if (wait_until(&d->cv, &d->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&d->mu);
}

static void *decode_thread(void *arg)
{
    struct pm_dev *d = arg;
    int full = 0;
    unsigned long long samples_at_restart = 0;
    double c0;
    /* the setup runs here, with the new context current, while the
     * callback that started it waits (briefly) */
    PM(cuCtxSetCurrent)(d->ctx);
    c0 = thread_cpu_s();
    if (setup(d) == 0) {
        d->setup_cpu_s = thread_cpu_s() - c0;
        PARAMS(CUpti_PmSampling_Start_Params, p);
        CUptiResult r;
        size_t k;
        p.pPmSamplingObject = d->obj;
        if ((r = PM(cuptiPmSamplingStart)(&p)) != CUPTI_SUCCESS) {
            pm_unavailable(d, "start", r);
        } else {
            char gpu[256] = "";
            CUdevice cu;
            if (PM(cuDeviceGet)(&cu, (int)d->device) != CUDA_SUCCESS ||
                PM(cuDeviceGetName)(gpu, (int)sizeof gpu, cu) != CUDA_SUCCESS)
                gpu[0] = '\0';
            pthread_mutex_lock(pm_mu);
            if (*pm_out) {
                if (gpu[0]) /* which model's GPU: the chip (GH100) is the H100's and the H200's */
                    fprintf(*pm_out, "# pm_gpu device %u %s\n", d->device, gpu);
                fprintf(*pm_out, "# pm device %u interval_ns %llu chip %s metrics %zu", d->device, pm_interval_ns,
                        d->chip, d->nnames);
                for (k = 0; k < d->nnames; k++)
                    fprintf(*pm_out, " %s", d->names[k]);
                fputc('\n', *pm_out);
            }
            pthread_mutex_unlock(pm_mu);
            d->state = 1;
        }
    }
    pthread_mutex_lock(&d->mu);
    d->setup_done = 1;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    while (d->state == 1 && !d->stop) {
        CUptiResult failed;
        if (decode_once(d, &full, &failed) < 0) {
            if (failed == CUPTI_SUCCESS || restart(d, failed, samples_at_restart) != 0)
                break;
            samples_at_restart = d->samples;
            continue;
        }
        if (!full)
            wait_or_stop(d, pm_decode_ms);
        pthread_mutex_lock(pm_mu);
        if (*pm_out)
            fflush(*pm_out); /* what a signal's end leaves is kept */
        pthread_mutex_unlock(pm_mu);
    }
    d->cpu_s += thread_cpu_s() - c0;
    d->returned = 1;
    return NULL;
}

void trace_pm_context(void *ctx, unsigned device)
{
    struct pm_dev *d;
    struct timespec until;
#ifndef _WIN32
    pthread_condattr_t ca;
#endif
    if (!pm_interval_ns || device >= PM_MAX_DEVICES)
        return;
    pthread_mutex_lock(&pm_devs_mu);
    d = &pm_devs[device];
    if (d->state != 0 || d->thread) {
        pthread_mutex_unlock(&pm_devs_mu);
        return;
    }
    d->device = device;
    d->ctx = (CUcontext)ctx;
    pthread_mutex_init(&d->mu, NULL);
#ifdef _WIN32
    pthread_cond_init(&d->cv, NULL); /* wait_until waits relative */
#else
    pthread_condattr_init(&ca); /* its waits time out on the monotonic clock */
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cv, &ca);
    pthread_condattr_destroy(&ca);
#endif
    if (pthread_create(&d->thread, NULL, decode_thread, d) != 0) {
        d->state = 2;
        pthread_mutex_unlock(&pm_devs_mu);
        return;
    }
    pthread_mutex_unlock(&pm_devs_mu);
    /* the first kernels should be sampled: wait for the start, but never
     * long (the setup needs the driver, which this callback may hold) */
    until = deadline_in(2000);
    pthread_mutex_lock(&d->mu);
    while (!d->setup_done)
        if (wait_until(&d->cv, &d->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&d->mu);
}

static int pm_debug(const char *what)
{
    static int on = -1;
    if (on < 0)
        on = getenv("GP_PM_DEBUG") != NULL;
    if (on)
        fprintf(stderr, "gpu_profiler trace: pm %s\n", what);
    return on;
}

/* The last samples, then stop and disable. The host object is left to the
 * process's end (CUPTI tears its own state down then). After the decoder
 * gave up (restart) the drain is tried still, but its failure is not said
 * twice, and a sampler a failed restart left stopped is not stopped again. */
static void stop_device(struct pm_dev *d)
{
    int full = 0, empty = 0, k;
    double c0 = thread_cpu_s();
    PARAMS(CUpti_PmSampling_Stop_Params, sp);
    PARAMS(CUpti_PmSampling_Disable_Params, dp);
    sp.pPmSamplingObject = d->obj;
    pm_debug("stop");
    if (!d->sampler_stopped)
        PM(cuptiPmSamplingStop)(&sp);
    pm_debug("stopped");
    for (k = 0; k < 1000 && empty < 2; k++) {
        CUptiResult failed;
        long n = decode_once(d, &full, &failed);
        if (n < 0) {
            if (failed != CUPTI_SUCCESS && !d->decode_said)
                pm_line("# pm_error device %u decode: %s\n", d->device, pm_err(failed));
            break;
        }
        if (n == 0 && !full) {
            empty++;
            sleep_ms(5);
        } else {
            empty = 0;
        }
    }
    pm_debug("drained");
    dp.pPmSamplingObject = d->obj;
    /* disabling at exit aborted the application (double free inside CUPTI,
     * H100, CUDA 13.0, driver 580): the process's end releases it */
    if (getenv("GP_PM_DISABLE"))
        PM(cuptiPmSamplingDisable)(&dp);
    pm_debug("disabled");
    d->cpu_s += thread_cpu_s() - c0;
    pm_line("# pm_stats device %u samples %llu overflow %d decode_cpu_s %.3f decodes %llu full %llu max_batch %llu "
            "failed %llu setup_cpu_s %.3f restarts %u\n", d->device, d->samples, d->overflow, d->cpu_s - d->setup_cpu_s,
            d->decodes, d->fulls, d->max_batch, d->failed_samples, d->setup_cpu_s, d->restarts);
    pthread_mutex_lock(pm_mu);
    if (*pm_out)
        fflush(*pm_out); /* what an abort after this would lose */
    pthread_mutex_unlock(pm_mu);
    if (getenv("GP_PM_DEINIT"))
        host_free(d);
    pm_debug("done");
    d->state = 2;
}

int trace_lock_at_exit(pthread_mutex_t *mu)
{
#ifdef _WIN32
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until); /* winpthreads' timed lock reads the wall clock */
    until.tv_sec += 2;
    return pthread_mutex_timedlock(mu, &until) == 0 ? 0 : -1;
#else
    return pthread_mutex_lock(mu) == 0 ? 0 : -1;
#endif
}

#ifdef _WIN32
/* Whether the decoder still runs: at ExitProcess Windows ends every other
 * thread before the DLL's atexit, and then its locks and CUPTI's state are
 * past trusting. */
static int decoder_alive(pthread_t t)
{
    DWORD code = 0;
    HANDLE h = pthread_gethandle(t);
    return h && GetExitCodeThread(h, &code) && code == STILL_ACTIVE;
}

/* A device whose decoder the process's exit ended (Windows): its last
 * samples, after its last decode, are lost; said once, if the lock is free. */
static void decoder_ended(struct pm_dev *d)
{
    fprintf(stderr, "gpu_profiler trace: the process's exit ended the PM decoder of device %u before the tracer's "
                    "stop: samples after its last decode are lost\n", d->device);
    if (pthread_mutex_trylock(pm_mu) == 0) {
        if (*pm_out)
            fprintf(*pm_out, "# pm_error device %u the exit ended the decoder: the last samples are lost\n",
                    d->device);
        pthread_mutex_unlock(pm_mu);
    }
    d->thread = 0;
    d->state = 2;
}
#endif

void trace_pm_finish(void)
{
    size_t i;
    for (i = 0; i < PM_MAX_DEVICES; i++) {
        struct pm_dev *d = &pm_devs[i];
        if (!d->thread)
            continue;
#ifdef _WIN32
        if (!d->returned && !decoder_alive(d->thread)) { /* ended by the exit, perhaps holding a lock */
            decoder_ended(d);
            continue;
        }
#endif
        pthread_mutex_lock(&d->mu);
        d->stop = 1;
        pthread_cond_broadcast(&d->cv); /* wakes the decoder from its wait */
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->thread, NULL);
        d->thread = 0;
        if (d->state == 1)
            stop_device(d);
    }
}

#ifndef _WIN32
void trace_pm_forget(void)
{
    memset(pm_devs, 0, sizeof pm_devs);
    pthread_mutex_init(&pm_devs_mu, NULL);
    pm_interval_ns = 0;
}
#endif
