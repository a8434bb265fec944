/* libFuzzer entry: the ncu CSV reader (tokenizer, both pages, units), fed
 * in two chunks split at the first input byte's value, so record
 * boundaries across feeds are exercised too. */
#include <stddef.h>
#include <stdint.h>

#include "ncu_csv.h"

static int on_kernel(void *ctx, const struct ncu_kernel *k)
{
    (void)ctx;
    (void)k;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ncu_reader *r = ncu_reader_new(on_kernel, NULL);
    size_t cut = size ? data[0] % (size + 1) : 0;
    if (!r)
        return 0;
    if (ncu_reader_feed(r, (const char *)data, cut) == 0 &&
        ncu_reader_feed(r, (const char *)data + cut, size - cut) == 0)
        ncu_reader_finish(r);
    ncu_reader_free(r);
    return 0;
}
