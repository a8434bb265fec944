/* libFuzzer entry: the model-file parser, and the writer's round trip on
 * whatever parses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct model m, back;
    char err[256];
    if (model_parse((const char *)data, size, &m, err, sizeof err) == 0) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (f) {
            model_write(f, &m);
            fclose(f);
            if (model_parse(buf, len, &back, err, sizeof err) != 0)
                abort(); /* what we write, we must read */
            free(buf);
        }
    }
    return 0;
}
