/* fake_cupti_pm.c: a stand-in for the CUPTI PM sampling and profiler host
 * calls, and the three CUDA driver calls, that the tracer's PM sampler
 * (src/trace_pm.c) makes, so tests/test_trace_pm.c runs its control flow
 * without a GPU. Linked directly in place of libcupti and libcuda, with
 * CUPTI's own headers (the signatures are theirs). Configured by the
 * environment, read at each call:
 *
 *   FAKE_PM_REFUSE       comma-separated substrings: a metric whose name holds
 *                        one is refused by ConfigAddMetrics with
 *                        CUPTI_ERROR_UNKNOWN (as GH100 refuses NVLink's
 *                        counters on a machine without NVLink)
 *   FAKE_PM_ONE_PASS     at most this many metrics fit one pass; a config of
 *                        more needs 2 (default: any number fits)
 *   FAKE_PM_ENABLE_FAIL  cuptiPmSamplingEnable fails with this CUPTI error
 *                        (its name, e.g. CUPTI_ERROR_INVALID_OPERATION, what
 *                        the header gives when PM sampling is already enabled
 *                        on the device, or its number)
 *   FAKE_PM_AVAIL_FAIL   GetCounterAvailability fails with this error
 *   FAKE_PM_UNSUPPORTED  comma-separated reasons cuptiProfilerDeviceSupported
 *                        gives: architecture, sli, vgpu, cc, cmp, wsl (each
 *                        of those flags UNSUPPORTED, isSupported too)
 *   FAKE_PM_SAMPLES      the synthetic samples, START:END:VALUE,... (ns, ns,
 *                        the value of the first metric; metric k of the
 *                        config reads VALUE + k)
 *   FAKE_PM_RAMP         N:START: N more samples after those, 1 ms each from
 *                        START (ns), sample i reading i (short enough for a
 *                        Windows environment, where a variable holds at most
 *                        32767 characters)
 *   FAKE_PM_BATCH        at most this many samples a DecodeData (default all)
 *   FAKE_PM_AT_STOP      1: DecodeData returns nothing until Stop (the H100's
 *                        decoder while the GPU is busy)
 *   FAKE_PM_OVERFLOW     1: DecodeData reports a hardware buffer overflow
 *   FAKE_PM_DECODE_FAIL  DecodeData fails with CUPTI_ERROR_OUT_OF_MEMORY from
 *                        this call on (1 the first; what the H100 did once
 *                        about half a second of records waited)
 *   FAKE_PM_RESTART_OK   N: a Start after a Stop counts DecodeData calls
 *                        afresh (FAKE_PM_DECODE_FAIL more until the next
 *                        failure) and drops the next N samples (the records
 *                        that waited, lost); unset, a failed decode stays
 *                        failed after a restart
 *   FAKE_PM_RESTART_FAIL a Start after a Stop fails with this CUPTI error (name
 *                        or number)
 *   FAKE_PM_MAX_BUFFER_MB SetConfig refuses a larger hardware buffer with
 *                        CUPTI_ERROR_OUT_OF_MEMORY
 *   FAKE_PM_GPU          the name cuDeviceGetName gives (default NVIDIA H100
 *                        80GB HBM3); FAKE_PM_CHIP the chip (default GH100)
 *
 * Each call checks its parameters as CUPTI documents them (structSize,
 * pPriv NULL, live objects, images of the right size, calls in order: Start
 * after SetConfig, a single-pass config, a sample index below the completed
 * count) and returns CUPTI_ERROR_INVALID_PARAMETER or _INVALID_OPERATION
 * otherwise. fake_pm_calls() reports what was called, for the test.
 *
 * On Windows it is built as DLLs that the sampler loads as it loads CUPTI's
 * and the driver's (Makefile, pm-windows): cupti64_fake.dll with
 * -DFAKE_PM_NO_DRIVER (the sampler must take the cu* functions from
 * nvcuda.dll, this file whole), and cupti64_old.dll with
 * -DFAKE_PM_NO_PM_SAMPLING too, a CUPTI older than the PM sampling API
 * (it lacks cuptiPmSamplingEnable: the sampler needs every entry point). */
#ifdef _WIN32
#include "cupti_packing.h"
#endif
#include <cuda.h>
#include <cupti.h>
#include <cupti_pmsampling.h>
#include <cupti_profiler_host.h>
#include <cupti_profiler_target.h>
#include <cupti_target.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_cupti_pm.h"

#define MAX_HOSTS 256
#define MAX_NAMES 64
#define MAX_PM 16
#define MAX_SAMPLES 4096

static pthread_mutex_t fk_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fake_pm_calls fk_calls;

struct fk_host {
    int live;
    size_t n;
    const char *names[MAX_NAMES]; /* the caller's strings: the tracer's are static */
};
/* every host object ever made stays here (so none is lost to a leak checker) */
static struct fk_host fk_hosts[MAX_HOSTS];

struct fk_pm {
    int live, configured, started, stopped;
    size_t device, nmetrics;
    size_t next; /* the next synthetic sample to hand out */
    long decodes; /* DecodeData calls so far */
};
static struct fk_pm fk_pms[MAX_PM];

/* the config image: what it holds */
struct fk_config {
    char magic[8];
    size_t nmetrics;
};
/* the counter data image: a header, then capacity samples */
struct fk_sample {
    uint64_t start, end;
    double value;
};
struct fk_image {
    char magic[8];
    size_t nmetrics, capacity, count;
    struct fk_sample s[];
};

static const struct {
    const char *name;
    CUptiResult r;
} fk_errors[] = {
    { "CUPTI_SUCCESS", CUPTI_SUCCESS },
    { "CUPTI_ERROR_INVALID_PARAMETER", CUPTI_ERROR_INVALID_PARAMETER },
    { "CUPTI_ERROR_INVALID_DEVICE", CUPTI_ERROR_INVALID_DEVICE },
    { "CUPTI_ERROR_INVALID_OPERATION", CUPTI_ERROR_INVALID_OPERATION },
    { "CUPTI_ERROR_OUT_OF_MEMORY", CUPTI_ERROR_OUT_OF_MEMORY },
    { "CUPTI_ERROR_NOT_INITIALIZED", CUPTI_ERROR_NOT_INITIALIZED },
    { "CUPTI_ERROR_HARDWARE_BUSY", CUPTI_ERROR_HARDWARE_BUSY },
    { "CUPTI_ERROR_NOT_SUPPORTED", CUPTI_ERROR_NOT_SUPPORTED },
    { "CUPTI_ERROR_INSUFFICIENT_PRIVILEGES", CUPTI_ERROR_INSUFFICIENT_PRIVILEGES },
    { "CUPTI_ERROR_OLD_PROFILER_API_INITIALIZED", CUPTI_ERROR_OLD_PROFILER_API_INITIALIZED },
    { "CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED", CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED },
    { "CUPTI_ERROR_MIG_DEVICE_NOT_SUPPORTED", CUPTI_ERROR_MIG_DEVICE_NOT_SUPPORTED },
    { "CUPTI_ERROR_UNKNOWN", CUPTI_ERROR_UNKNOWN },
};

static CUptiResult env_error(const char *var)
{
    const char *s = getenv(var);
    size_t i;
    if (!s || !*s)
        return CUPTI_SUCCESS;
    for (i = 0; i < sizeof fk_errors / sizeof fk_errors[0]; i++)
        if (strcmp(s, fk_errors[i].name) == 0)
            return fk_errors[i].r;
    return (CUptiResult)atoi(s) ? (CUptiResult)atoi(s) : CUPTI_ERROR_UNKNOWN;
}

static long env_long(const char *var, long dflt)
{
    const char *s = getenv(var);
    return s && *s ? atol(s) : dflt;
}

/* whether name holds one of the comma-separated substrings of var */
static int env_matches(const char *var, const char *name)
{
    const char *s = getenv(var);
    char item[128];
    while (s && *s) {
        size_t n = strcspn(s, ",");
        if (n > 0 && n < sizeof item) {
            memcpy(item, s, n);
            item[n] = '\0';
            if (strstr(name, item))
                return 1;
        }
        s += n + (s[n] == ',');
    }
    return 0;
}

/* the synthetic samples of FAKE_PM_SAMPLES and FAKE_PM_RAMP, into out; their number */
static size_t samples(struct fk_sample *out, size_t max)
{
    const char *s = getenv("FAKE_PM_SAMPLES"), *ramp = getenv("FAKE_PM_RAMP");
    unsigned long long count = 0, from = 0, i;
    size_t n = 0;
    while (s && *s && n < max) {
        unsigned long long a, b;
        double v;
        int used = 0;
        if (sscanf(s, "%llu:%llu:%lf%n", &a, &b, &v, &used) != 3)
            break;
        out[n].start = a;
        out[n].end = b;
        out[n].value = v;
        n++;
        s += used;
        if (*s == ',')
            s++;
    }
    if (ramp && sscanf(ramp, "%llu:%llu", &count, &from) == 2)
        for (i = 0; i < count && n < max; i++, n++) {
            out[n].start = from + i * 1000000ull;
            out[n].end = out[n].start + 1000000ull;
            out[n].value = (double)i;
        }
    return n;
}

#define CHECK_PARAMS(T, p)                                                                                             \
    do {                                                                                                               \
        if (!(p) || (p)->structSize != T##_STRUCT_SIZE || (p)->pPriv)                                                  \
            return CUPTI_ERROR_INVALID_PARAMETER;                                                                      \
    } while (0)

#ifndef _WIN32
/* a child forked while a decoder thread holds the lock can still ask */
static void fk_lock(void) { pthread_mutex_lock(&fk_mu); }
static void fk_unlock(void) { pthread_mutex_unlock(&fk_mu); }
__attribute__((constructor)) static void fk_setup(void)
{
    pthread_atfork(fk_lock, fk_unlock, fk_unlock);
}
#endif

void fake_pm_get_calls(struct fake_pm_calls *out)
{
    pthread_mutex_lock(&fk_mu);
    *out = fk_calls;
    pthread_mutex_unlock(&fk_mu);
}

CUptiResult CUPTIAPI cuptiGetResultString(CUptiResult result, const char **str)
{
    size_t i;
    for (i = 0; i < sizeof fk_errors / sizeof fk_errors[0]; i++)
        if (fk_errors[i].r == result) {
            *str = fk_errors[i].name;
            return CUPTI_SUCCESS;
        }
    *str = NULL;
    return CUPTI_ERROR_INVALID_PARAMETER;
}

CUptiResult CUPTIAPI cuptiProfilerInitialize(CUpti_Profiler_Initialize_Params *p)
{
    CHECK_PARAMS(CUpti_Profiler_Initialize_Params, p);
    pthread_mutex_lock(&fk_mu);
    fk_calls.profiler_init++;
    pthread_mutex_unlock(&fk_mu);
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiProfilerDeviceSupported(CUpti_Profiler_DeviceSupported_Params *p)
{
    const char *s = getenv("FAKE_PM_UNSUPPORTED");
    CHECK_PARAMS(CUpti_Profiler_DeviceSupported_Params, p);
    if (p->api != CUPTI_PROFILER_PM_SAMPLING || p->cuDevice < 0 || p->cuDevice >= MAX_PM)
        return CUPTI_ERROR_INVALID_PARAMETER;
#define FLAG(f, name, bad) p->f = env_matches("FAKE_PM_UNSUPPORTED", name) ? (bad) : CUPTI_PROFILER_CONFIGURATION_SUPPORTED
    FLAG(architecture, "architecture", CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED);
    FLAG(sli, "sli", CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED);
    FLAG(vGpu, "vgpu", CUPTI_PROFILER_CONFIGURATION_DISABLED);
    FLAG(confidentialCompute, "cc", CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED);
    FLAG(cmp, "cmp", CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED);
    FLAG(wsl, "wsl", CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED);
#undef FLAG
    p->isSupported = s && *s ? CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED : CUPTI_PROFILER_CONFIGURATION_SUPPORTED;
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiDeviceGetChipName(CUpti_Device_GetChipName_Params *p)
{
    const char *chip = getenv("FAKE_PM_CHIP");
    CHECK_PARAMS(CUpti_Device_GetChipName_Params, p);
    if (p->deviceIndex >= MAX_PM)
        return CUPTI_ERROR_INVALID_DEVICE;
    p->pChipName = chip && *chip ? chip : "GH100";
    return CUPTI_SUCCESS;
}

#define AVAIL_SIZE 64
CUptiResult CUPTIAPI cuptiPmSamplingGetCounterAvailability(CUpti_PmSampling_GetCounterAvailability_Params *p)
{
    CUptiResult r = env_error("FAKE_PM_AVAIL_FAIL");
    CHECK_PARAMS(CUpti_PmSampling_GetCounterAvailability_Params, p);
    if (r != CUPTI_SUCCESS)
        return r;
    if (!p->pCounterAvailabilityImage) {
        p->counterAvailabilityImageSize = AVAIL_SIZE;
        return CUPTI_SUCCESS;
    }
    if (p->counterAvailabilityImageSize < AVAIL_SIZE)
        return CUPTI_ERROR_INVALID_PARAMETER;
    memset(p->pCounterAvailabilityImage, 0, AVAIL_SIZE);
    memcpy(p->pCounterAvailabilityImage, "FKAVAIL", 8);
    return CUPTI_SUCCESS;
}

static struct fk_host *host_of(const CUpti_Profiler_Host_Object *h)
{
    const struct fk_host *x = (const struct fk_host *)(const void *)h;
    if (x < fk_hosts || x >= fk_hosts + MAX_HOSTS || !x->live)
        return NULL;
    return &fk_hosts[x - fk_hosts];
}

CUptiResult CUPTIAPI cuptiProfilerHostInitialize(CUpti_Profiler_Host_Initialize_Params *p)
{
    size_t i;
    CHECK_PARAMS(CUpti_Profiler_Host_Initialize_Params, p);
    if (p->profilerType != CUPTI_PROFILER_TYPE_PM_SAMPLING || !p->pChipName || !p->pCounterAvailabilityImage ||
        memcmp(p->pCounterAvailabilityImage, "FKAVAIL", 8) != 0)
        return CUPTI_ERROR_INVALID_PARAMETER;
    if (strcmp(p->pChipName, getenv("FAKE_PM_CHIP") && *getenv("FAKE_PM_CHIP") ? getenv("FAKE_PM_CHIP") : "GH100"))
        return CUPTI_ERROR_INVALID_CHIP_NAME;
    pthread_mutex_lock(&fk_mu);
    for (i = 0; i < MAX_HOSTS && fk_hosts[i].live; i++)
        ;
    if (i == MAX_HOSTS) {
        pthread_mutex_unlock(&fk_mu);
        return CUPTI_ERROR_OUT_OF_MEMORY; /* more than MAX_HOSTS alive: the caller never deinitialises */
    }
    memset(&fk_hosts[i], 0, sizeof fk_hosts[i]);
    fk_hosts[i].live = 1;
    fk_calls.host_init++;
    fk_calls.hosts_live++;
    pthread_mutex_unlock(&fk_mu);
    p->pHostObject = (CUpti_Profiler_Host_Object *)(void *)&fk_hosts[i];
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiProfilerHostDeinitialize(CUpti_Profiler_Host_Deinitialize_Params *p)
{
    struct fk_host *h;
    CHECK_PARAMS(CUpti_Profiler_Host_Deinitialize_Params, p);
    if (!(h = host_of(p->pHostObject)))
        return CUPTI_ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&fk_mu);
    h->live = 0;
    fk_calls.hosts_live--;
    pthread_mutex_unlock(&fk_mu);
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiProfilerHostConfigAddMetrics(CUpti_Profiler_Host_ConfigAddMetrics_Params *p)
{
    struct fk_host *h;
    size_t i;
    CHECK_PARAMS(CUpti_Profiler_Host_ConfigAddMetrics_Params, p);
    if (!(h = host_of(p->pHostObject)) || !p->ppMetricNames || !p->numMetrics)
        return CUPTI_ERROR_INVALID_PARAMETER;
    for (i = 0; i < p->numMetrics; i++)
        if (!p->ppMetricNames[i] || env_matches("FAKE_PM_REFUSE", p->ppMetricNames[i]))
            return CUPTI_ERROR_UNKNOWN; /* and the whole set fails */
    if (h->n + p->numMetrics > MAX_NAMES)
        return CUPTI_ERROR_INVALID_PARAMETER;
    for (i = 0; i < p->numMetrics; i++)
        h->names[h->n++] = p->ppMetricNames[i];
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiProfilerHostGetConfigImageSize(CUpti_Profiler_Host_GetConfigImageSize_Params *p)
{
    CHECK_PARAMS(CUpti_Profiler_Host_GetConfigImageSize_Params, p);
    if (!host_of(p->pHostObject))
        return CUPTI_ERROR_INVALID_PARAMETER;
    p->configImageSize = sizeof(struct fk_config);
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiProfilerHostGetConfigImage(CUpti_Profiler_Host_GetConfigImage_Params *p)
{
    struct fk_host *h;
    struct fk_config c;
    CHECK_PARAMS(CUpti_Profiler_Host_GetConfigImage_Params, p);
    if (!(h = host_of(p->pHostObject)) || !p->pConfigImage || p->configImageSize < sizeof c || !h->n)
        return CUPTI_ERROR_INVALID_PARAMETER;
    memset(&c, 0, sizeof c);
    memcpy(c.magic, "FKCONF", 7);
    c.nmetrics = h->n;
    memcpy(p->pConfigImage, &c, sizeof c);
    return CUPTI_SUCCESS;
}

static const struct fk_config *config_of(const uint8_t *img, size_t size)
{
    const struct fk_config *c = (const struct fk_config *)(const void *)img;
    return img && size == sizeof *c && memcmp(c->magic, "FKCONF", 7) == 0 ? c : NULL;
}

static size_t passes_of(const struct fk_config *c)
{
    long one = env_long("FAKE_PM_ONE_PASS", 0);
    return one > 0 && c->nmetrics > (size_t)one ? 2 : 1;
}

CUptiResult CUPTIAPI cuptiProfilerHostGetNumOfPasses(CUpti_Profiler_Host_GetNumOfPasses_Params *p)
{
    const struct fk_config *c;
    CHECK_PARAMS(CUpti_Profiler_Host_GetNumOfPasses_Params, p);
    if (!(c = config_of(p->pConfigImage, p->configImageSize)))
        return CUPTI_ERROR_INVALID_PARAMETER;
    p->numOfPasses = passes_of(c);
    return CUPTI_SUCCESS;
}

static struct fk_pm *pm_of(const CUpti_PmSampling_Object *o)
{
    const struct fk_pm *x = (const struct fk_pm *)(const void *)o;
    if (x < fk_pms || x >= fk_pms + MAX_PM || !x->live)
        return NULL;
    return &fk_pms[x - fk_pms];
}

#ifndef FAKE_PM_NO_PM_SAMPLING
CUptiResult CUPTIAPI cuptiPmSamplingEnable(CUpti_PmSampling_Enable_Params *p)
{
    CUptiResult r = env_error("FAKE_PM_ENABLE_FAIL");
    CHECK_PARAMS(CUpti_PmSampling_Enable_Params, p);
    if (p->deviceIndex >= MAX_PM)
        return CUPTI_ERROR_INVALID_DEVICE;
    pthread_mutex_lock(&fk_mu);
    fk_calls.enable++;
    if (r == CUPTI_SUCCESS && fk_pms[p->deviceIndex].live)
        r = CUPTI_ERROR_INVALID_OPERATION; /* already enabled on the device */
    if (r == CUPTI_SUCCESS) {
        memset(&fk_pms[p->deviceIndex], 0, sizeof fk_pms[0]);
        fk_pms[p->deviceIndex].live = 1;
        fk_pms[p->deviceIndex].device = p->deviceIndex;
        p->pPmSamplingObject = (CUpti_PmSampling_Object *)(void *)&fk_pms[p->deviceIndex];
    }
    pthread_mutex_unlock(&fk_mu);
    return r;
}
#endif

CUptiResult CUPTIAPI cuptiPmSamplingDisable(CUpti_PmSampling_Disable_Params *p)
{
    struct fk_pm *o;
    CHECK_PARAMS(CUpti_PmSampling_Disable_Params, p);
    if (!(o = pm_of(p->pPmSamplingObject)))
        return CUPTI_ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&fk_mu);
    o->live = 0;
    fk_calls.disable++;
    pthread_mutex_unlock(&fk_mu);
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiPmSamplingSetConfig(CUpti_PmSampling_SetConfig_Params *p)
{
    struct fk_pm *o;
    const struct fk_config *c;
    CHECK_PARAMS(CUpti_PmSampling_SetConfig_Params, p);
    if (!(o = pm_of(p->pPmSamplingObject)) || !(c = config_of(p->pConfig, p->configSize)) || !p->samplingInterval ||
        !p->hardwareBufferSize || p->triggerMode >= CUPTI_PM_SAMPLING_TRIGGER_MODE_COUNT)
        return CUPTI_ERROR_INVALID_PARAMETER;
    if (passes_of(c) != 1)
        return CUPTI_ERROR_NOT_SUPPORTED;
    if (o->started)
        return CUPTI_ERROR_INVALID_OPERATION;
    if (env_long("FAKE_PM_MAX_BUFFER_MB", 0) && p->hardwareBufferSize > (size_t)env_long("FAKE_PM_MAX_BUFFER_MB", 0) << 20)
        return CUPTI_ERROR_OUT_OF_MEMORY;
    o->configured = 1;
    o->nmetrics = c->nmetrics;
    pthread_mutex_lock(&fk_mu);
    fk_calls.interval_ns = p->samplingInterval;
    fk_calls.buffer_bytes = p->hardwareBufferSize;
    pthread_mutex_unlock(&fk_mu);
    return CUPTI_SUCCESS;
}

static size_t image_bytes(size_t capacity)
{
    return sizeof(struct fk_image) + capacity * sizeof(struct fk_sample);
}

CUptiResult CUPTIAPI cuptiPmSamplingGetCounterDataSize(CUpti_PmSampling_GetCounterDataSize_Params *p)
{
    struct fk_pm *o;
    CHECK_PARAMS(CUpti_PmSampling_GetCounterDataSize_Params, p);
    if (!(o = pm_of(p->pPmSamplingObject)) || !p->pMetricNames || !p->numMetrics || !p->maxSamples)
        return CUPTI_ERROR_INVALID_PARAMETER;
    if (!o->configured)
        return CUPTI_ERROR_INVALID_OPERATION;
    p->counterDataSize = image_bytes(p->maxSamples);
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiPmSamplingCounterDataImageInitialize(CUpti_PmSampling_CounterDataImage_Initialize_Params *p)
{
    struct fk_pm *o;
    struct fk_image *img;
    CHECK_PARAMS(CUpti_PmSampling_CounterDataImage_Initialize_Params, p);
    if (!(o = pm_of(p->pPmSamplingObject)) || !p->pCounterData || p->counterDataSize < image_bytes(1))
        return CUPTI_ERROR_INVALID_PARAMETER;
    img = (struct fk_image *)(void *)p->pCounterData;
    memset(img, 0, sizeof *img);
    memcpy(img->magic, "FKDATA", 7);
    img->nmetrics = o->nmetrics;
    img->capacity = (p->counterDataSize - sizeof *img) / sizeof(struct fk_sample);
    return CUPTI_SUCCESS;
}

static struct fk_image *image_of(const uint8_t *p, size_t size)
{
    struct fk_image *img = (struct fk_image *)(void *)(uintptr_t)p;
    if (!p || size < sizeof *img || memcmp(img->magic, "FKDATA", 7) != 0 || image_bytes(img->capacity) > size ||
        img->count > img->capacity)
        return NULL;
    return img;
}

CUptiResult CUPTIAPI cuptiPmSamplingStart(CUpti_PmSampling_Start_Params *p)
{
    struct fk_pm *o;
    CHECK_PARAMS(CUpti_PmSampling_Start_Params, p);
    if (!(o = pm_of(p->pPmSamplingObject)))
        return CUPTI_ERROR_INVALID_PARAMETER;
    if (!o->configured || o->started)
        return CUPTI_ERROR_INVALID_OPERATION;
    if (o->stopped && env_error("FAKE_PM_RESTART_FAIL") != CUPTI_SUCCESS)
        return env_error("FAKE_PM_RESTART_FAIL");
    pthread_mutex_lock(&fk_mu);
    if (o->stopped && getenv("FAKE_PM_RESTART_OK")) {
        o->decodes = 0;
        o->next += (size_t)env_long("FAKE_PM_RESTART_OK", 0);
    }
    o->started = 1;
    o->stopped = 0;
    fk_calls.start++;
    pthread_mutex_unlock(&fk_mu);
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiPmSamplingStop(CUpti_PmSampling_Stop_Params *p)
{
    struct fk_pm *o;
    CHECK_PARAMS(CUpti_PmSampling_Stop_Params, p);
    if (!(o = pm_of(p->pPmSamplingObject)))
        return CUPTI_ERROR_INVALID_PARAMETER;
    if (!o->started) {
        pthread_mutex_lock(&fk_mu);
        fk_calls.stop_refused++;
        pthread_mutex_unlock(&fk_mu);
        return CUPTI_ERROR_INVALID_OPERATION;
    }
    o->started = 0;
    o->stopped = 1;
    pthread_mutex_lock(&fk_mu);
    fk_calls.stop++;
    pthread_mutex_unlock(&fk_mu);
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiPmSamplingDecodeData(CUpti_PmSampling_DecodeData_Params *p)
{
    static struct fk_sample all[MAX_SAMPLES];
    struct fk_pm *o;
    struct fk_image *img;
    size_t n, batch = (size_t)env_long("FAKE_PM_BATCH", MAX_SAMPLES), got = 0;
    CHECK_PARAMS(CUpti_PmSampling_DecodeData_Params, p);
    if (!(o = pm_of(p->pPmSamplingObject)) || !(img = image_of(p->pCounterDataImage, p->counterDataImageSize)) ||
        img->nmetrics != o->nmetrics)
        return CUPTI_ERROR_INVALID_PARAMETER;
    if (!o->started && !o->stopped)
        return CUPTI_ERROR_INVALID_OPERATION;
    if (env_long("FAKE_PM_DECODE_FAIL", 0) && ++o->decodes >= env_long("FAKE_PM_DECODE_FAIL", 0))
        return CUPTI_ERROR_OUT_OF_MEMORY;
    pthread_mutex_lock(&fk_mu);
    fk_calls.decode++;
    n = samples(all, MAX_SAMPLES);
    if (!(env_long("FAKE_PM_AT_STOP", 0) && !o->stopped))
        while (o->next < n && got < batch && img->count < img->capacity) {
            img->s[img->count++] = all[o->next++];
            got++;
        }
    pthread_mutex_unlock(&fk_mu);
    p->decodeStopReason = o->next < n && img->count == img->capacity ? CUPTI_PM_SAMPLING_DECODE_STOP_REASON_COUNTER_DATA_FULL
                                                                      : CUPTI_PM_SAMPLING_DECODE_STOP_REASON_END_OF_RECORDS;
    p->overflow = env_long("FAKE_PM_OVERFLOW", 0) ? 1 : 0;
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiPmSamplingGetCounterDataInfo(CUpti_PmSampling_GetCounterDataInfo_Params *p)
{
    const struct fk_image *img;
    CHECK_PARAMS(CUpti_PmSampling_GetCounterDataInfo_Params, p);
    if (!(img = image_of(p->pCounterDataImage, p->counterDataImageSize)))
        return CUPTI_ERROR_INVALID_PARAMETER;
    p->numTotalSamples = img->capacity;
    p->numPopulatedSamples = img->count;
    p->numCompletedSamples = img->count;
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiPmSamplingCounterDataGetSampleInfo(CUpti_PmSampling_CounterData_GetSampleInfo_Params *p)
{
    const struct fk_image *img;
    CHECK_PARAMS(CUpti_PmSampling_CounterData_GetSampleInfo_Params, p);
    if (!pm_of(p->pPmSamplingObject) || !(img = image_of(p->pCounterDataImage, p->counterDataImageSize)) ||
        p->sampleIndex >= img->count)
        return CUPTI_ERROR_INVALID_PARAMETER;
    p->startTimestamp = img->s[p->sampleIndex].start;
    p->endTimestamp = img->s[p->sampleIndex].end;
    return CUPTI_SUCCESS;
}

CUptiResult CUPTIAPI cuptiProfilerHostEvaluateToGpuValues(CUpti_Profiler_Host_EvaluateToGpuValues_Params *p)
{
    const struct fk_host *h;
    const struct fk_image *img;
    size_t i, k;
    CHECK_PARAMS(CUpti_Profiler_Host_EvaluateToGpuValues_Params, p);
    if (!(h = host_of(p->pHostObject)) || !(img = image_of(p->pCounterDataImage, p->counterDataImageSize)) ||
        p->rangeIndex >= img->count || !p->ppMetricNames || !p->numMetrics || !p->pMetricValues)
        return CUPTI_ERROR_INVALID_PARAMETER;
    for (i = 0; i < p->numMetrics; i++) {
        /* the value is the sample's plus the metric's place in the config */
        for (k = 0; k < h->n && strcmp(h->names[k], p->ppMetricNames[i]) != 0; k++)
            ;
        if (k == h->n)
            return CUPTI_ERROR_INVALID_PARAMETER; /* a metric the config does not hold */
        p->pMetricValues[i] = img->s[p->rangeIndex].value + (double)k;
    }
    pthread_mutex_lock(&fk_mu);
    fk_calls.evaluate++;
    pthread_mutex_unlock(&fk_mu);
    return CUPTI_SUCCESS;
}

#ifndef FAKE_PM_NO_DRIVER
/* the CUDA driver's three */
CUresult CUDAAPI cuCtxSetCurrent(CUcontext ctx)
{
    (void)ctx;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGet(CUdevice *device, int ordinal)
{
    if (ordinal < 0 || ordinal >= MAX_PM)
        return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetName(char *name, int len, CUdevice dev)
{
    const char *gpu = getenv("FAKE_PM_GPU");
    if (dev < 0 || dev >= MAX_PM || len <= 0)
        return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "%s", gpu && *gpu ? gpu : "NVIDIA H100 80GB HBM3");
    return CUDA_SUCCESS;
}
#endif
