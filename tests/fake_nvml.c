/* fake_nvml.c: a stand-in for the NVIDIA driver's NVML library
 * (libnvidia-ml.so.1) for the CLI tests on machines without a GPU:
 * FAKE_NVML_GPUS (default 1) "NVIDIA H100 80GB HBM3"s, GPU i drawing a
 * constant power, the i-th of the comma-separated watts in FAKE_NVML_W
 * (default 400; the last one given applies to the GPUs after it): its energy
 * counter grows with the wall clock, its instant power is that figure. UUIDs
 * are GPU-fake-<i>. Only the calls gpu_profiler makes, with NVML's
 * signatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct fake_device *nvmlDevice_t;
#define MAX_GPUS 16
static struct fake_device { unsigned index; } devices[MAX_GPUS] = {
    { 0 }, { 1 }, { 2 }, { 3 }, { 4 }, { 5 }, { 6 }, { 7 }, { 8 }, { 9 }, { 10 }, { 11 }, { 12 }, { 13 }, { 14 }, { 15 },
};

struct field_value { /* nvmlFieldValue_t */
    unsigned field_id, scope_id;
    long long timestamp, latency_us;
    int value_type, nvml_return;
    union { double d; unsigned u; unsigned long ul; unsigned long long ull; long long sll; int si; } value;
};

static unsigned gpu_count(void)
{
    const char *n = getenv("FAKE_NVML_GPUS");
    int v = n ? atoi(n) : 1;
    return v < 0 ? 0 : v > MAX_GPUS ? MAX_GPUS : (unsigned)v;
}

static double watts_of(const struct fake_device *d)
{
    const char *w = getenv("FAKE_NVML_W");
    unsigned i;
    if (!w)
        return 400.0;
    for (i = 0; i < d->index; i++) {
        const char *comma = strchr(w, ',');
        if (!comma)
            break;
        w = comma + 1;
    }
    return atof(w);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int nvmlInit_v2(void) { return 0; }
int nvmlShutdown(void) { return 0; }
const char *nvmlErrorString(int r) { return r ? "fake NVML error" : "success"; }
int nvmlSystemGetDriverVersion(char *v, unsigned n) { strncpy(v, "580.0-fake", n); v[n - 1] = '\0'; return 0; }
int nvmlDeviceGetCount_v2(unsigned *n) { *n = gpu_count(); return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *d)
{
    if (i >= gpu_count())
        return 2; /* NVML_ERROR_INVALID_ARGUMENT */
    *d = &devices[i];
    return 0;
}
/* "0000:0N:00.0" is GPU N (as tests/fake_cuda_nccl.c names them), anything else GPU 0 */
int nvmlDeviceGetHandleByPciBusId_v2(const char *bus, nvmlDevice_t *d)
{
    unsigned i = 0;
    if (strlen(bus) == 12 && strncmp(bus, "0000:", 5) == 0 && strcmp(bus + 7, ":00.0") == 0)
        i = (unsigned)strtoul(bus + 5, NULL, 16);
    return nvmlDeviceGetHandleByIndex_v2(i, d);
}
/* FAKE_NVML_NVLINKS links active (default none: NVML's "not supported") */
int nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned link, int *active)
{
    const char *s = getenv("FAKE_NVML_NVLINKS");
    (void)d;
    if (!s || atoi(s) <= 0)
        return 3; /* NVML_ERROR_NOT_SUPPORTED */
    *active = link < (unsigned)atoi(s);
    return 0;
}
int nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *d)
{
    if (strncmp(uuid, "GPU-fake-", 9) != 0)
        return 6; /* NVML_ERROR_NOT_FOUND */
    return nvmlDeviceGetHandleByIndex_v2((unsigned)atoi(uuid + 9), d);
}
/* the board: FAKE_NVML_SERIAL (default 1650000000001 + the index), or none
 * (FAKE_NVML_SERIAL=none: NVML's N/A, the UUID then) */
int nvmlDeviceGetSerial(nvmlDevice_t d, char *serial, unsigned n)
{
    const char *s = getenv("FAKE_NVML_SERIAL");
    if (s && strcmp(s, "none") == 0)
        s = "N/A";
    if (s && *s)
        snprintf(serial, n, "%s", s);
    else
        snprintf(serial, n, "%llu", 1650000000001ull + ((const struct fake_device *)d)->index);
    return 0;
}
int nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned n)
{
    snprintf(uuid, n, "GPU-fake-%u", ((const struct fake_device *)d)->index);
    return 0;
}
int nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned n)
{
    (void)d;
    strncpy(name, "NVIDIA H100 80GB HBM3", n);
    name[n - 1] = '\0';
    return 0;
}
int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *mj)
{
    (void)d;
    *mj = (unsigned long long)(now_s() * watts_of(d) * 1000.0);
    return 0;
}
int nvmlDeviceGetFieldValues(nvmlDevice_t d, int n, struct field_value *v)
{
    int i;
    (void)d;
    for (i = 0; i < n; i++) {
        v[i].nvml_return = 0;
        v[i].value_type = 1;
        v[i].value.u = (unsigned)(watts_of(d) * 1000.0);
    }
    return 0;
}
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned *mw) { *mw = (unsigned)(watts_of(d) * 1000.0); return 0; }
int nvmlDeviceGetClockInfo(nvmlDevice_t d, int t, unsigned *mhz) { (void)d; (void)t; *mhz = 1980; return 0; }
int nvmlDeviceGetTemperature(nvmlDevice_t d, int t, unsigned *c) { (void)d; (void)t; *c = 40; return 0; }
int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned *mw) { (void)d; *mw = 700000; return 0; }
