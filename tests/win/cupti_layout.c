/* The CUPTI activity records the tracer reads, as each compiler lays them
 * out: built natively and with mingw-w64 (with the tracer's own packing
 * macros, below), run under wine, the two outputs must be the same (make
 * check-windows). */
#include "cupti_packing.h"
#include <cupti.h>
#include <stddef.h>
#include <stdio.h>

#define FIELD(type, field) printf("%s.%s %zu %zu\n", #type, #field, offsetof(type, field), sizeof(((type *)0)->field))

int main(void)
{
    printf("CUpti_Activity %zu\n", sizeof(CUpti_Activity));
    FIELD(CUpti_Activity, kind);
    printf("CUpti_ActivityKernel10 %zu\n", sizeof(CUpti_ActivityKernel10));
    FIELD(CUpti_ActivityKernel10, start);
    FIELD(CUpti_ActivityKernel10, end);
    FIELD(CUpti_ActivityKernel10, deviceId);
    FIELD(CUpti_ActivityKernel10, name);
    printf("CUpti_ActivityMemcpy6 %zu\n", sizeof(CUpti_ActivityMemcpy6));
    FIELD(CUpti_ActivityMemcpy6, bytes);
    FIELD(CUpti_ActivityMemcpy6, start);
    FIELD(CUpti_ActivityMemcpy6, end);
    FIELD(CUpti_ActivityMemcpy6, deviceId);
    printf("CUpti_ActivityMemset4 %zu\n", sizeof(CUpti_ActivityMemset4));
    FIELD(CUpti_ActivityMemset4, bytes);
    FIELD(CUpti_ActivityMemset4, start);
    FIELD(CUpti_ActivityMemset4, end);
    FIELD(CUpti_ActivityMemset4, deviceId);
    return 0;
}
