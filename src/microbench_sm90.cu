/* microbench_sm90.cu: Hopper-only kernels of the calibration suite (wgmma),
 * compiled for compute_90a and loaded only on a GPU of compute capability
 * 9.0. Same signature and checking scheme as microbench.cu. */
#include <cuda_fp16.h>
#include <stdint.h>

#define KERNEL extern "C" __global__ void
#define ARGS unsigned *a, unsigned *b, unsigned *check, int iters, int p, int q, unsigned mask
#define GTID (blockIdx.x * blockDim.x + threadIdx.x)

/* Shared-memory matrix descriptor, no swizzle: start address, leading and
 * stride byte offsets, each in 16-byte units. */
__device__ static uint64_t wgmma_desc(const void *smem, unsigned lbo, unsigned sbo)
{
    uint64_t addr = (uint64_t)__cvta_generic_to_shared(smem);
    return ((addr & 0x3FFFF) >> 4) | ((uint64_t)(lbo >> 4) << 16) | ((uint64_t)(sbo >> 4) << 32);
}

/* A random half in [-1, 1), a multiple of 1/64 (as in microbench.cu). */
__device__ static unsigned short rand_half(unsigned i)
{
    unsigned h = i * 0x9E3779B9u ^ 0x7F4A7C15u * 0x85EBCA6Bu;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 13;
    int v = (int)((h >> 8) & 127u) - 64;
    return __half_as_ushort(__float2half((float)v / 64.0f));
}

/* Warpgroup MMA m64n128k16, FP16 in, FP32 accumulate, A and B from shared
 * memory: two sets of random tiles used in turn, so the inputs change with
 * every instruction. Iteration n issues p wgmma on sets (n + k) & 1; two
 * iterations add the same sum whatever p, so the host checks a run of iters
 * against a run of 2 (self-consistency). One warpgroup (128 threads) per
 * block. */
template <bool LOADS> __device__ static void wgmma_body(const unsigned *a, unsigned *check, int iters, int p,
                                                       unsigned mask)
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900 && defined(__CUDA_ARCH_FEAT_SM90_ALL)
    const int set = 64 * 16 + 128 * 16;
    __shared__ __align__(128) unsigned short tile[2 * (64 * 16 + 128 * 16)];
    for (int i = threadIdx.x; i < 2 * set; i += blockDim.x)
        tile[i] = rand_half((unsigned)i);
    asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
    __syncthreads();
    uint64_t da[2], db[2];
    da[0] = wgmma_desc(tile, 128, 256);
    db[0] = wgmma_desc(tile + 64 * 16, 128, 256);
    da[1] = wgmma_desc(tile + set, 128, 256);
    db[1] = wgmma_desc(tile + set + 64 * 16, 128, 256);
    const unsigned T = gridDim.x * blockDim.x;
    unsigned ld = 0, w[4] = { 0, 0, 0, 0 };
    float d[64];
#pragma unroll
    for (int i = 0; i < 64; i++)
        d[i] = 0.0f;
    for (int n = 0; n < iters; n++) {
        asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
        for (int k = 0; k < p; k++) {
            asm volatile("{\n.reg .pred pd;\nsetp.ne.b32 pd, 1, 0;\n"
                         "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 "
                         "{%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63}, %64, %65, pd, 1, 1, 0, 0;\n}"
                         : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
                         : "l"(da[(n + k) & 1]), "l"(db[(n + k) & 1]));
        }
        asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
        if (LOADS) { /* while the tensor cores work: the last iteration's 4 words in, the next 4 asked for */
#pragma unroll
            for (int j = 0; j < 4; j++) {
                ld += w[j];
                w[j] = __ldcg(a + ((((unsigned)n * 4u + (unsigned)j) * T + GTID) & mask));
            }
        }
        asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
    }
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < 64; i += 8)
        s += d[i];
    if (LOADS && (ld + w[0] + w[1] + w[2] + w[3]) == 0x9E3779B9u) /* false but for 1 chance in 2^32: keeps the loads */
        s += 1.0f;
    check[GTID] = __float_as_uint(s);
#else
    (void)a; (void)iters; (void)p; (void)mask;
    check[GTID] = 0xFFFFFFFFu;
#endif
}

KERNEL mb_wgmma_f16(ARGS)
{
    (void)a; (void)b; (void)q; (void)mask;
    wgmma_body<false>(a, check, iters, p, mask);
}

/* mb_wgmma_f16 with 4 streaming loads (ld.global.cg over the footprint mask of
 * a, coalesced: L2 or DRAM) per thread and iteration, issued while the wgmma
 * run and used an iteration later, as a GEMM's tile loads overlap its tensor
 * work; p sets the tensor work per load. The loaded words enter the result
 * as in mb_mix. Meant to draw more than the tensor cores alone, above the
 * power limit (mb_wgmma_f16 stays under it on an H200). */
KERNEL mb_wgmma_f16_mix(ARGS)
{
    (void)b; (void)q;
    wgmma_body<true>(a, check, iters, p, mask);
}
