/* libFuzzer entry: the timeline reader, and the estimate over whatever it
 * reads (a made-up profile of two kernels, one above the limit). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct model m;
    static struct estimate e;
    static struct kernel_result k[2];
    struct timeline t;
    struct timeline_result r;
    char err[256];
    FILE *f;
    if (size == 0)
        return 0;
    f = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!f)
        return 0;
    memset(&m, 0, sizeof m);
    m.idle_w = 100;
    m.power_limit_w = 700;
    memset(&e, 0, sizeof e);
    memset(k, 0, sizeof k);
    e.used = &m;
    e.kernels = k;
    e.nkernels = 2;
    k[0].name = "void at::native::vectorized_elementwise_kernel<4>(int)";
    k[0].duration_s = 1e-3;
    k[0].power_w[TARGET_MIN] = k[0].power_w[TARGET_AVG] = k[0].power_w[TARGET_PEAK] = 400;
    k[1].name = "_Z1bi";
    k[1].duration_s = 2e-3;
    k[1].power_w[TARGET_MIN] = 600;
    k[1].power_w[TARGET_AVG] = 700;
    k[1].power_w[TARGET_PEAK] = 750;
    k[1].uncapped_w = 900;
    k[1].capped = 1;
    if (timeline_read(f, "fuzz", &t, err, sizeof err) == 0) {
        timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err);
        timeline_free(&t);
    }
    fclose(f);
    return 0;
}
