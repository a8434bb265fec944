/* cuda_api: the few CUDA driver API calls calibrate needs, loaded at run time
 * with dlopen("libcuda.so.1"), so the tool builds and runs without the CUDA
 * toolkit and fails with a clear message where no driver is installed. */
#ifndef GPU_PROFILER_CUDA_API_H
#define GPU_PROFILER_CUDA_API_H

#include <stddef.h>

typedef int CUresult;          /* 0 = CUDA_SUCCESS */
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef unsigned long long CUdeviceptr;

enum { CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16, CU_DEVICE_ATTRIBUTE_CC_MAJOR = 75,
       CU_DEVICE_ATTRIBUTE_CC_MINOR = 76, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_SM = 39 };

struct cuda_api {
    void *lib;
    CUresult (*cuInit)(unsigned);
    CUresult (*cuDeviceGet)(CUdevice *, int);
    CUresult (*cuDeviceGetCount)(int *);
    CUresult (*cuDeviceGetName)(char *, int, CUdevice);
    CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
    CUresult (*cuDeviceGetPCIBusId)(char *, int, CUdevice);
    CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
    CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
    CUresult (*cuCtxSetCurrent)(CUcontext);
    CUresult (*cuCtxSynchronize)(void);
    CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *, void **);
    CUresult (*cuModuleUnload)(CUmodule);
    CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
    CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
    CUresult (*cuMemFree)(CUdeviceptr);
    CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
    CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
    CUresult (*cuMemsetD32)(CUdeviceptr, unsigned, size_t);
    CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                               unsigned, CUstream, void **, void **);
    CUresult (*cuEventCreate)(CUevent *, unsigned);
    CUresult (*cuEventRecord)(CUevent, CUstream);
    CUresult (*cuEventSynchronize)(CUevent);
    CUresult (*cuEventDestroy)(CUevent);
    CUresult (*cuGetErrorString)(CUresult, const char **);
};

/* Opens libcuda.so.1 and resolves every call. Returns 0, or -1 with a
 * message in err. */
int cuda_api_open(struct cuda_api *api, char *err, size_t errlen);
void cuda_api_close(struct cuda_api *api);
/* The driver's name for an error code ("unknown error N" if none). */
const char *cuda_api_error(const struct cuda_api *api, CUresult rc);

#endif
