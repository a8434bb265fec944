/* cuda_api: see cuda_api.h. */
#include "cuda_api.h"

#include "plat.h"

#include <stdio.h>
#include <string.h>

struct sym {
    const char *name;
    size_t offset;
};

#define SYM(field, name) { name, offsetof(struct cuda_api, field) }
static const struct sym syms[] = {
    SYM(cuInit, "cuInit"),
    SYM(cuDeviceGet, "cuDeviceGet"),
    SYM(cuDeviceGetCount, "cuDeviceGetCount"),
    SYM(cuDeviceGetName, "cuDeviceGetName"),
    SYM(cuDeviceGetAttribute, "cuDeviceGetAttribute"),
    SYM(cuDeviceGetPCIBusId, "cuDeviceGetPCIBusId"),
    SYM(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
    SYM(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"),
    SYM(cuCtxSetCurrent, "cuCtxSetCurrent"),
    SYM(cuCtxSynchronize, "cuCtxSynchronize"),
    SYM(cuModuleLoadDataEx, "cuModuleLoadDataEx"),
    SYM(cuModuleUnload, "cuModuleUnload"),
    SYM(cuModuleGetFunction, "cuModuleGetFunction"),
    SYM(cuMemAlloc, "cuMemAlloc_v2"),
    SYM(cuMemFree, "cuMemFree_v2"),
    SYM(cuMemcpyDtoH, "cuMemcpyDtoH_v2"),
    SYM(cuMemcpyHtoD, "cuMemcpyHtoD_v2"),
    SYM(cuMemsetD32, "cuMemsetD32_v2"),
    SYM(cuLaunchKernel, "cuLaunchKernel"),
    SYM(cuEventCreate, "cuEventCreate"),
    SYM(cuEventRecord, "cuEventRecord"),
    SYM(cuEventSynchronize, "cuEventSynchronize"),
    SYM(cuEventDestroy, "cuEventDestroy_v2"),
    SYM(cuGetErrorString, "cuGetErrorString"),
};

int cuda_api_open(struct cuda_api *api, char *err, size_t errlen)
{
    size_t i;
    memset(api, 0, sizeof *api);
    char why[512];
    api->lib = plat_lib_open(PLAT_LIB_CUDA, why, sizeof why);
    if (!api->lib) {
        snprintf(err, errlen, "cannot load the CUDA driver (%s): %s; calibrate needs an NVIDIA GPU "
                 "with its driver installed", plat_lib_file(PLAT_LIB_CUDA), why);
        return -1;
    }
    for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        void *f = plat_lib_sym(api->lib, syms[i].name);
        if (!f) {
            snprintf(err, errlen, "the CUDA driver (%s) lacks %s; it is older than this tool supports",
                     plat_lib_file(PLAT_LIB_CUDA), syms[i].name);
            plat_lib_close(api->lib);
            api->lib = NULL;
            return -1;
        }
        memcpy((char *)api + syms[i].offset, &f, sizeof f);
    }
    return 0;
}

void cuda_api_close(struct cuda_api *api)
{
    plat_lib_close(api->lib);
    memset(api, 0, sizeof *api);
}

const char *cuda_api_error(const struct cuda_api *api, CUresult rc)
{
    static char buf[48];
    const char *s = NULL;
    if (api->cuGetErrorString && api->cuGetErrorString(rc, &s) == 0 && s)
        return s;
    snprintf(buf, sizeof buf, "unknown error %d", rc);
    return buf;
}
