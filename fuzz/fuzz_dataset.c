/* libFuzzer entry: the dataset reader, and fit on whatever it reads. */
#include <stdint.h>
#include <stdio.h>

#include "dataset.h"
#include "fit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dataset d;
    static struct model m;
    static struct fit_report rep;
    char err[256];
    FILE *f;
    if (size == 0)
        return 0;
    f = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!f)
        return 0;
    if (dataset_read(f, &d, err, sizeof err) == 0) {
        if (d.n <= 64)
            fit_dataset(&d, "fuzz.csv", NULL, &m, &rep, err, sizeof err);
        dataset_free(&d);
    }
    fclose(f);
    return 0;
}
