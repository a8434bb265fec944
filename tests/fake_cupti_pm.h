/* fake_cupti_pm.h: what the stand-in CUPTI (tests/fake_cupti_pm.c) saw
 * called, for tests/test_trace_pm.c. */
#ifndef GPU_PROFILER_FAKE_CUPTI_PM_H
#define GPU_PROFILER_FAKE_CUPTI_PM_H

#include <stdint.h>

struct fake_pm_calls {
    int profiler_init;     /* cuptiProfilerInitialize */
    int host_init;         /* cuptiProfilerHostInitialize */
    int hosts_live;        /* host objects not deinitialised */
    int enable, disable;   /* cuptiPmSamplingEnable (tried), Disable */
    int start, stop;
    int stop_refused;      /* a Stop of an object not started */
    int decode, evaluate;
    uint64_t interval_ns;  /* the last SetConfig's */
    uint64_t buffer_bytes; /* the last SetConfig's hardware buffer */
};

/* A copy of the counts so far. */
void fake_pm_get_calls(struct fake_pm_calls *out);

#endif
