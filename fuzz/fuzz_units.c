/* libFuzzer entry: unit strings and numbers as ncu prints them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    struct unit u;
    double v;
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    units_parse(s, &u);
    units_parse_number(s, &v);
    free(s);
    return 0;
}
