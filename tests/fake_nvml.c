/* fake_nvml.c: a stand-in for the NVIDIA driver's NVML library
 * (libnvidia-ml.so.1) for the CLI tests on machines without a GPU: one
 * "NVIDIA H100 80GB HBM3" that draws a constant FAKE_NVML_W watts (default
 * 400): its energy counter grows with the wall clock, its instant power is
 * that figure. Only the calls gpu_profiler makes, with NVML's signatures. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct fake_device *nvmlDevice_t;
static struct fake_device { int unused; } the_device;

struct field_value { /* nvmlFieldValue_t */
    unsigned field_id, scope_id;
    long long timestamp, latency_us;
    int value_type, nvml_return;
    union { double d; unsigned u; unsigned long ul; unsigned long long ull; long long sll; int si; } value;
};

static double watts(void)
{
    const char *w = getenv("FAKE_NVML_W");
    return w ? atof(w) : 400.0;
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
int nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *d) { *d = &the_device; return i == 0 ? 0 : 2; }
int nvmlDeviceGetHandleByPciBusId_v2(const char *bus, nvmlDevice_t *d) { (void)bus; *d = &the_device; return 0; }
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
    *mj = (unsigned long long)(now_s() * watts() * 1000.0);
    return 0;
}
int nvmlDeviceGetFieldValues(nvmlDevice_t d, int n, struct field_value *v)
{
    int i;
    (void)d;
    for (i = 0; i < n; i++) {
        v[i].nvml_return = 0;
        v[i].value_type = 1;
        v[i].value.u = (unsigned)(watts() * 1000.0);
    }
    return 0;
}
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned *mw) { (void)d; *mw = (unsigned)(watts() * 1000.0); return 0; }
int nvmlDeviceGetClockInfo(nvmlDevice_t d, int t, unsigned *mhz) { (void)d; (void)t; *mhz = 1980; return 0; }
int nvmlDeviceGetTemperature(nvmlDevice_t d, int t, unsigned *c) { (void)d; (void)t; *c = 40; return 0; }
int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned *mw) { (void)d; *mw = 700000; return 0; }
