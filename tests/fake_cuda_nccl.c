/* fake_cuda_nccl.c: stand-ins for the CUDA driver (libcuda.so.1, built
 * with -DFAKE_CUDA) and NCCL (libnccl.so.2, -DFAKE_NCCL), so the
 * collectives family (src/collectives.c) runs without a GPU in
 * tests/test_collectives.c:
 *   FAKE_CUDA_GPUS   devices the driver shows (default 2), PCI bus ids
 *                    0000:0N:00.0 (which the stand-in NVML maps to GPU N);
 *   FAKE_NCCL_FAIL   "init": ncclCommInitAll fails; "op": collectives fail.
 * Memory is the host's, reserved and never written; a collective takes as long as its message at
 * FAKE_NCCL_GBS (default 100) GB/s, slept at the group's end. NCCL's init
 * fails unless NCCL_NVLS_ENABLE is "0" (multicast must stay off). Only the
 * calls gpu_profiler makes, with their signatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef FAKE_CUDA
typedef int CUresult;
static int ngpus(void)
{
    const char *s = getenv("FAKE_CUDA_GPUS");
    return s ? atoi(s) : 2;
}
CUresult cuInit(unsigned f) { (void)f; return 0; }
CUresult cuDeviceGetCount(int *n) { *n = ngpus(); return 0; }
CUresult cuDeviceGet(int *d, int i) { *d = i; return i >= 0 && i < ngpus() ? 0 : 101; }
CUresult cuDeviceGetName(char *s, int n, int d) { (void)d; snprintf(s, (size_t)n, "NVIDIA H100 80GB HBM3"); return 0; }
CUresult cuDeviceGetAttribute(int *v, int a, int d) { (void)a; (void)d; *v = 9; return 0; }
CUresult cuDeviceGetPCIBusId(char *s, int n, int d) { snprintf(s, (size_t)n, "0000:%02x:00.0", d); return 0; }
CUresult cuDevicePrimaryCtxRetain(void **c, int d) { *c = (void *)(size_t)(d + 1); return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int d) { (void)d; return 0; }
CUresult cuCtxSetCurrent(void *c) { (void)c; return 0; }
CUresult cuCtxSynchronize(void) { return 0; }
CUresult cuModuleLoadDataEx(void **m, const void *p, unsigned n, int *o, void **v)
{
    (void)m; (void)p; (void)n; (void)o; (void)v;
    return 200;
}
CUresult cuModuleUnload(void *m) { (void)m; return 0; }
CUresult cuModuleGetFunction(void **f, void *m, const char *n) { (void)f; (void)m; (void)n; return 500; }
CUresult cuMemAlloc_v2(unsigned long long *p, size_t n)
{
    void *q = malloc(n);
    *p = (unsigned long long)(size_t)q;
    return q ? 0 : 2;
}
CUresult cuMemFree_v2(unsigned long long p) { free((void *)(size_t)p); return 0; }
CUresult cuMemcpyDtoH_v2(void *d, unsigned long long s, size_t n) { memcpy(d, (void *)(size_t)s, n); return 0; }
/* nothing is copied to the stand-in GPUs: their memory is never touched (a collective moves no data here) */
CUresult cuMemcpyHtoD_v2(unsigned long long d, const void *s, size_t n) { (void)d; (void)s; (void)n; return 0; }
CUresult cuMemsetD32_v2(unsigned long long d, unsigned v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        ((unsigned *)(size_t)d)[i] = v;
    return 0;
}
CUresult cuLaunchKernel(void *f, unsigned a, unsigned b, unsigned c, unsigned d, unsigned e, unsigned g, unsigned h,
                        void *s, void **p, void **x)
{
    (void)f; (void)a; (void)b; (void)c; (void)d; (void)e; (void)g; (void)h; (void)s; (void)p; (void)x;
    return 500;
}
CUresult cuEventCreate(void **e, unsigned f) { (void)f; *e = NULL; return 0; }
CUresult cuEventRecord(void *e, void *s) { (void)e; (void)s; return 0; }
CUresult cuEventSynchronize(void *e) { (void)e; return 0; }
CUresult cuEventDestroy_v2(void *e) { (void)e; return 0; }
CUresult cuGetErrorString(CUresult r, const char **s) { *s = r ? "fake CUDA error" : "no error"; return 0; }
#endif

#ifdef FAKE_NCCL
static double group_bytes;
static int in_group, nranks;

static int failing(const char *what)
{
    const char *f = getenv("FAKE_NCCL_FAIL");
    return f && strcmp(f, what) == 0;
}
int ncclGetVersion(int *v) { *v = 22809; return 0; }
const char *ncclGetErrorString(int r) { return r ? "fake NCCL error" : "no error"; }
int ncclCommInitAll(void **comms, int n, const int *devs)
{
    const char *nvls = getenv("NCCL_NVLS_ENABLE");
    int i;
    if (failing("init") || !nvls || strcmp(nvls, "0") != 0)
        return 5; /* ncclInvalidUsage */
    for (i = 0; i < n; i++)
        comms[i] = (void *)(size_t)(devs[i] + 1);
    nranks = n;
    return 0;
}
int ncclCommDestroy(void *c) { (void)c; return 0; }
int ncclGroupStart(void) { in_group = 1; group_bytes = 0; return 0; }
int ncclGroupEnd(void)
{
    const char *g = getenv("FAKE_NCCL_GBS");
    double secs = group_bytes / (double)(nranks ? nranks : 1) / ((g ? atof(g) : 100.0) * 1e9);
    struct timespec ts;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
    in_group = 0;
    return 0;
}
static int op(size_t bytes)
{
    if (failing("op") || !in_group)
        return 5;
    group_bytes += (double)bytes;
    return 0;
}
int ncclAllReduce(const void *s, void *r, size_t n, int t, int o, void *c, void *st)
{
    (void)s; (void)r; (void)t; (void)o; (void)c; (void)st;
    return op(n * 4);
}
int ncclAllGather(const void *s, void *r, size_t n, int t, void *c, void *st)
{
    (void)s; (void)r; (void)t; (void)c; (void)st;
    return op(n * 4 * (size_t)nranks);
}
int ncclReduceScatter(const void *s, void *r, size_t n, int t, int o, void *c, void *st)
{
    (void)s; (void)r; (void)t; (void)o; (void)c; (void)st;
    return op(n * 4 * (size_t)nranks);
}
int ncclBroadcast(const void *s, void *r, size_t n, int t, int root, void *c, void *st)
{
    (void)s; (void)r; (void)t; (void)root; (void)c; (void)st;
    return op(n * 4);
}
#endif
