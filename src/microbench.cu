/* microbench.cu: the calibration suite's kernels. Compiled to PTX by make
 * (when nvcc is found), embedded in the binary and loaded through the CUDA
 * driver API by calibrate. Each kernel works one part of the GPU; the
 * parameters that set its intensity (ILP, footprint, stride...) are runtime
 * arguments, and every kernel leaves a per-thread check value that the host
 * checks (suite.c), so the compiler cannot have removed the work.
 *
 * Every kernel has the same signature, so the host launches them all alike:
 *   a, b   device buffers (meaning per kernel)
 *   check  one 32-bit value per thread
 *   iters  loop count
 *   p, q   kernel parameters
 *   mask   footprint of a and b in 32-bit words, minus one (a power of two)
 * The data is random bits (mb_random.h; built with MB_DATA_REAL, values as
 * real programs' data are): switching bits is what costs energy, and
 * constant or sequential values would make every unit look cheaper than it
 * is on real work. Where the host can replay a kernel
 * exactly it does; the floating-point kernels on random operands are
 * checked by self-consistency instead (a run of n iterations must give n/2
 * times a run of 2). */
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>

#include "mb_random.h"

#define KERNEL extern "C" __global__ void
#define ARGS unsigned *a, unsigned *b, unsigned *check, int iters, int p, int q, unsigned mask
#define GTID (blockIdx.x * blockDim.x + threadIdx.x)
#define LANE (threadIdx.x & 31)

/* FP32 and FP64 FMA on random data, as in real arithmetic: each thread
 * holds 8 operands of its own (mb_operand_f32: full mantissas, different in
 * every lane and thread) and ILP accumulators; each step adds r[a] * r[b] to an
 * accumulator, a and b cycling through the 8 registers, so the inputs of
 * every instruction differ from the last. Every iteration adds the same
 * products, so after n iterations the accumulators hold about n times what
 * one gives: the host compares a run of iters with a run of 2 (suite.c's
 * self-check), which skipped work cannot pass. p = ILP (1..8), q = seed. */
__device__ static inline float rand_operand(float, unsigned block, unsigned h) { return mb_operand_f32(block, h); }
__device__ static inline double rand_operand(double, unsigned block, unsigned h) { return mb_operand_f64(block, h); }

template <typename T, int ILP, int FOLD> __device__ void fma_random_body(unsigned *check, int iters, unsigned seed)
{
    T r[8], x[ILP], acc[ILP];
#pragma unroll
    for (int j = 0; j < 8; j++)
        r[j] = rand_operand(T(), blockIdx.x, mb_hash32(seed + (unsigned)j * 0x9E3779B9u));
#pragma unroll
    for (int i = 0; i < ILP; i++)
        x[i] = acc[i] = T(0);
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int k = 0; k < 8; k++) {
#pragma unroll
            for (int i = 0; i < ILP; i++)
                x[i] = fma(r[(k + i) & 7], r[(k + i + 3) & 7], x[i]);
        }
        if (FOLD && (n & (FOLD - 1)) == FOLD - 1) {
#pragma unroll
            for (int i = 0; i < ILP; i++)
                acc[i] += x[i], x[i] = T(0);
        }
    }
    T s = T(0);
#pragma unroll
    for (int i = 0; i < ILP; i++)
        s += acc[i] + x[i];
    check[GTID] = __float_as_uint((float)s);
}

template <typename T, int FOLD> __device__ void fma_random(unsigned *check, int iters, int p, int q)
{
    unsigned seed = mb_hash32(GTID ^ (unsigned)q);
    switch (p) {
    case 1: fma_random_body<T, 1, FOLD>(check, iters, seed); break;
    case 2: fma_random_body<T, 2, FOLD>(check, iters, seed); break;
    case 4: fma_random_body<T, 4, FOLD>(check, iters, seed); break;
    default: fma_random_body<T, 8, FOLD>(check, iters, seed); break;
    }
}

KERNEL mb_ffma_f32(ARGS)
{
    (void)a; (void)b; (void)mask;
    fma_random<float, 0>(check, iters, p, q);
}

KERNEL mb_dfma_f64(ARGS)
{
    (void)a; (void)b; (void)mask;
    fma_random<double, 0>(check, iters, p, q);
}

/* Bounded accumulators. In mb_ffma_f32 an accumulator grows with every iteration
 * (the same products each time), to 10^4-10^5 times the size of what is
 * added: most of each product's bits are shifted out of the adder, which
 * may then switch less than in real work. In a GEMM on randn data the sum
 * ends at about 100 times a product after K = 4096. These kernels move the
 * accumulators into a second set every FOLD iterations and start again from
 * zero, which keeps them at about 60-85 times a product; the sum is the
 * same, so they are checked alike. mb_ffma_f32_bounded: every 16 iterations
 * (128 FMA per chain). */
KERNEL mb_ffma_f32_bounded(ARGS)
{
    (void)a; (void)b; (void)mask;
    fma_random<float, 16>(check, iters, p, q);
}

/* The inner loop of an FP32 matrix product (SGEMM): per k step each thread
 * loads TM values of A and TM of B from shared memory (128-bit loads) and
 * adds their outer product into TM x TM accumulators, TM * TM FFMA per
 * 2 * TM / 4 loads. The tiles hold operands of the block's kind (mb_operand_f32); an iteration runs the 16
 * k steps (starting at a step that changes with n, so the loads cannot be
 * hoisted out of the loop) and adds the same products every time: checked
 * like mb_ffma_f32. p = TM (4 or 8), q = seed. */
template <int TM, int FOLD> __device__ void tile_body(float4 (*As)[64], float4 (*Bs)[64], unsigned *check, int iters,
                                           unsigned q)
{
    float *af = (float *)As, *bf = (float *)Bs;
    for (unsigned i = threadIdx.x; i < 16u * 64u * 4u; i += blockDim.x) {
        af[i] = mb_operand_f32(blockIdx.x, mb_hash32(i ^ q));
        bf[i] = mb_operand_f32(blockIdx.x ^ 0xA5A5A5A5u, mb_hash32(i ^ q ^ 0xA5A5A5A5u));
    }
    __syncthreads();
    unsigned tx = (threadIdx.x & 15u) * (TM / 4), ty = ((threadIdx.x >> 4) & 15u) * (TM / 4);
    float c[TM][TM], fold = 0.0f;
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TM; j++)
            c[i][j] = 0.0f;
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int k0 = 0; k0 < 16; k0++) {
            unsigned k = ((unsigned)k0 + (unsigned)n) & 15u;
            float av[TM], bv[TM];
#pragma unroll
            for (int v = 0; v < TM / 4; v++) {
                float4 a4 = As[k][ty + v], b4 = Bs[k][tx + v];
                av[4 * v] = a4.x; av[4 * v + 1] = a4.y; av[4 * v + 2] = a4.z; av[4 * v + 3] = a4.w;
                bv[4 * v] = b4.x; bv[4 * v + 1] = b4.y; bv[4 * v + 2] = b4.z; bv[4 * v + 3] = b4.w;
            }
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TM; j++)
                    c[i][j] = fmaf(av[i], bv[j], c[i][j]);
        }
        if (FOLD && (n & (FOLD - 1)) == FOLD - 1) {
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TM; j++)
                    fold += c[i][j], c[i][j] = 0.0f;
        }
    }
    float s = fold;
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TM; j++)
            s += c[i][j];
    check[GTID] = __float_as_uint(s);
}

KERNEL mb_ffma_f32_tile(ARGS)
{
    __shared__ float4 As[16][64], Bs[16][64];
    (void)a; (void)b; (void)mask;
    if (p == 4)
        tile_body<4, 0>(As, Bs, check, iters, (unsigned)q);
    else
        tile_body<8, 0>(As, Bs, check, iters, (unsigned)q);
}

/* The same with bounded accumulators (see mb_ffma_f32_bounded): folded every 16
 * iterations (256 FFMA into each). */
KERNEL mb_ffma_f32_tile_bounded(ARGS)
{
    __shared__ float4 As[16][64], Bs[16][64];
    (void)a; (void)b; (void)mask;
    if (p == 4)
        tile_body<4, 16>(As, Bs, check, iters, (unsigned)q);
    else
        tile_body<8, 16>(As, Bs, check, iters, (unsigned)q);
}

/* SGEMM as cuBLAS runs it on Hopper (its sm80_xmma_gemm_f32f32 ..._tilesize
 * 256x128x8_stage3_warpsize4x2x1_ffma: 256 threads, one block per SM, 254
 * registers): a 256 x 128 block tile, k-steps of 8, a 3-stage pipeline of
 * cp.async copies from global memory through L2 (.cg: not kept in L1) into
 * shared memory, and 16 x 8 outputs per thread in registers, each k-step
 * 4 + 2 LDS.128 and 128 FFMA per thread. mb_ffma_f32_tile has the FFMA and the
 * shared loads but no global traffic, no pipeline and a smaller tile; cuBLAS
 * SGEMM draws 11-15% more than it with much the same counters.
 *
 * a: the suite's float buffer (mb_buffer_float), read as chunks of 3072 words
 * (one k-tile: A as 8 x 256, then B as 8 x 128). Iteration n multiplies p
 * k-tiles, the chunks of the block's slot n & 1: chunk ((block * 2 + slot)
 * * p + k) modulo the chunks in mask + 1 words. Two iterations add the same
 * sum, so the host checks a run of iters against a run of 2. q > 0: the
 * accumulators are folded into one sum every q iterations and start again
 * from zero (bounded, as in mb_ffma_f32_bounded; the sum is the same). */
#define SG_BM 256
#define SG_BN 128
#define SG_BK 8
#define SG_STAGES 3
#define SG_CHUNK (SG_BK * (SG_BM + SG_BN)) /* words of one k-tile */

__device__ static inline void cp_async16(void *smem, const void *gmem)
{
    unsigned s = (unsigned)__cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(s), "l"(gmem) : "memory");
}

/* Issues the copies of the next k-tile of the stream into one stage. */
__device__ static inline void sgemm_load(float (*As)[SG_BM], float (*Bs)[SG_BN], const float *f,
                                         unsigned chunk)
{
    const float *src = f + (size_t)chunk * SG_CHUNK;
    unsigned t = threadIdx.x, i;
#pragma unroll
    for (i = t; i < SG_BK * SG_BM / 4; i += 256) /* A: 512 float4, two per thread */
        cp_async16(&As[i / (SG_BM / 4)][(i % (SG_BM / 4)) * 4], src + i * 4);
    cp_async16(&Bs[t / (SG_BN / 4)][(t % (SG_BN / 4)) * 4], src + SG_BK * SG_BM + t * 4); /* B: 256 float4 */
}

KERNEL mb_sgemm(ARGS)
{
    __shared__ __align__(16) float As[SG_STAGES][SG_BK][SG_BM];
    __shared__ __align__(16) float Bs[SG_STAGES][SG_BK][SG_BN];
    (void)b;
    const float *f = (const float *)a;
    const unsigned ktiles = (unsigned)p, nchunks = (mask + 1u) / SG_CHUNK;
    const unsigned ty = threadIdx.x >> 4, tx = threadIdx.x & 15u;
    const long long total = (long long)iters * ktiles;
    long long loaded = 0, t;
    unsigned ld_k = 0, ld_slot = 0, ld_stage = 0, stage = 0;
    const unsigned fold_every = q > 0 ? (unsigned)q * ktiles : 0u; /* in k-tiles */
    unsigned fold_left = fold_every;
    float c[16][8], fold = 0.0f;
    if (blockDim.x != 256 || nchunks == 0) { /* the tile and the copies are laid out for 256 threads */
        check[GTID] = 0x7FC00000u;           /* NaN: the host's check fails */
        return;
    }
#pragma unroll
    for (int i = 0; i < 16; i++)
#pragma unroll
        for (int j = 0; j < 8; j++)
            c[i][j] = 0.0f;
    /* the next k-tile of the stream into stage ld_stage, then one commit group
     * (empty past the end: the groups stay one per k-tile) */
#define SG_ISSUE()                                                                                         \
    do {                                                                                                   \
        if (loaded < total) {                                                                              \
            sgemm_load(As[ld_stage], Bs[ld_stage], f, ((blockIdx.x * 2u + ld_slot) * ktiles + ld_k) % nchunks); \
            loaded++;                                                                                      \
            if (++ld_k == ktiles)                                                                          \
                ld_k = 0, ld_slot ^= 1u;                                                                   \
            ld_stage = ld_stage == SG_STAGES - 1 ? 0 : ld_stage + 1;                                       \
        }                                                                                                  \
        asm volatile("cp.async.commit_group;" ::: "memory");                                              \
    } while (0)
    for (int s = 0; s < SG_STAGES - 1; s++)
        SG_ISSUE();
    for (t = 0; t < total; t++) {
        asm volatile("cp.async.wait_group %0;" ::"n"(SG_STAGES - 2) : "memory");
        __syncthreads(); /* k-tile t is in; every thread is done with the stage it replaces */
        SG_ISSUE();
#pragma unroll
        for (int k = 0; k < SG_BK; k++) {
            float av[16], bv[8];
#pragma unroll
            for (int v = 0; v < 4; v++) {
                float4 a4 = *(const float4 *)&As[stage][k][ty * 16 + v * 4];
                av[4 * v] = a4.x; av[4 * v + 1] = a4.y; av[4 * v + 2] = a4.z; av[4 * v + 3] = a4.w;
            }
#pragma unroll
            for (int v = 0; v < 2; v++) {
                float4 b4 = *(const float4 *)&Bs[stage][k][tx * 8 + v * 4];
                bv[4 * v] = b4.x; bv[4 * v + 1] = b4.y; bv[4 * v + 2] = b4.z; bv[4 * v + 3] = b4.w;
            }
#pragma unroll
            for (int i = 0; i < 16; i++)
#pragma unroll
                for (int j = 0; j < 8; j++)
                    c[i][j] = fmaf(av[i], bv[j], c[i][j]);
        }
        stage = stage == SG_STAGES - 1 ? 0 : stage + 1;
        if (fold_every && --fold_left == 0) {
            fold_left = fold_every;
#pragma unroll
            for (int i = 0; i < 16; i++)
#pragma unroll
                for (int j = 0; j < 8; j++)
                    fold += c[i][j], c[i][j] = 0.0f;
        }
    }
#undef SG_ISSUE
    asm volatile("cp.async.wait_group 0;" ::: "memory");
    float s = fold;
#pragma unroll
    for (int i = 0; i < 16; i++)
#pragma unroll
        for (int j = 0; j < 8; j++)
            s += c[i][j];
    check[GTID] = __float_as_uint(s);
}

/* FP16x2 FMA (HFMA2), same scheme; values are multiples of 2^-6. */
template <int ILP> __device__ void fp16_body(unsigned *check, int iters, __half2 m, __half2 c)
{
    __half2 x[ILP];
#pragma unroll
    for (int i = 0; i < ILP; i++)
        x[i] = __floats2half2_rn(1.0f + (float)(i * 3 + 1) / 64.0f, 1.0f + (float)(i * 5 + 2) / 64.0f);
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int i = 0; i < ILP; i++)
            x[i] = __hfma2(x[i], m, c);
    }
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < ILP; i++)
        s += __low2float(x[i]) + __high2float(x[i]);
    check[GTID] = __float_as_uint(s);
}

KERNEL mb_hfma2_f16(ARGS)
{
    (void)a; (void)b; (void)mask;
    float mf = __int_as_float(q);
    __half2 m = __floats2half2_rn(mf, mf), c = __floats2half2_rn(1.5f, 1.5f);
    switch (p) {
    case 1: fp16_body<1>(check, iters, m, c); break;
    case 2: fp16_body<2>(check, iters, m, c); break;
    case 4: fp16_body<4>(check, iters, m, c); break;
    default: fp16_body<8>(check, iters, m, c); break;
    }
}

/* BF16x2 FMA, 4 chains; values are multiples of 2^-4. */
KERNEL mb_hfma2_bf16(ARGS)
{
    (void)a; (void)b; (void)p; (void)mask;
#if __CUDA_ARCH__ >= 800
    float mf = __int_as_float(q);
    __nv_bfloat162 m = __floats2bfloat162_rn(mf, mf), c = __floats2bfloat162_rn(1.5f, 1.5f);
    __nv_bfloat162 x[4];
#pragma unroll
    for (int i = 0; i < 4; i++)
        x[i] = __floats2bfloat162_rn(1.0f + (float)(i + 1) / 16.0f, 1.0f + (float)(i + 3) / 16.0f);
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int i = 0; i < 4; i++)
            x[i] = __hfma2(x[i], m, c);
    }
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < 4; i++)
        s += __low2float(x[i]) + __high2float(x[i]);
    check[GTID] = __float_as_uint(s);
#else
    (void)iters; (void)q;
    check[GTID] = 0xFFFFFFFFu;
#endif
}

/* Integer logic: x = rotl(x ^ k, r), LOP3 and funnel shift. */
template <int ILP> __device__ void alu_body(unsigned *check, int iters, unsigned k, unsigned r)
{
    unsigned x[ILP];
#pragma unroll
    for (int i = 0; i < ILP; i++)
        x[i] = 0x9E3779B9u * (unsigned)(i + 1);
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int i = 0; i < ILP; i++)
            x[i] = __funnelshift_l(x[i] ^ k, x[i] ^ k, r);
    }
    unsigned s = 0;
#pragma unroll
    for (int i = 0; i < ILP; i++)
        s ^= x[i];
    check[GTID] = s;
}

KERNEL mb_int_alu(ARGS)
{
    (void)a; (void)b; (void)mask;
    unsigned k = (unsigned)q, r = 7;
    switch (p) {
    case 1: alu_body<1>(check, iters, k, r); break;
    case 2: alu_body<2>(check, iters, k, r); break;
    case 4: alu_body<4>(check, iters, k, r); break;
    default: alu_body<8>(check, iters, k, r); break;
    }
}

/* Integer multiply-add (IMAD): x = x * m + c, wrapping. */
template <int ILP> __device__ void imad_body(unsigned *check, int iters, unsigned m, unsigned c)
{
    unsigned x[ILP];
#pragma unroll
    for (int i = 0; i < ILP; i++)
        x[i] = 0x9E3779B9u * (unsigned)(i + 1);
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int i = 0; i < ILP; i++)
            x[i] = x[i] * m + c;
    }
    unsigned s = 0;
#pragma unroll
    for (int i = 0; i < ILP; i++)
        s ^= x[i];
    check[GTID] = s;
}

KERNEL mb_int_imad(ARGS)
{
    (void)a; (void)b; (void)mask;
    unsigned m = (unsigned)q | 1u, c = 0x3C6EF372u;
    switch (p) {
    case 1: imad_body<1>(check, iters, m, c); break;
    case 2: imad_body<2>(check, iters, m, c); break;
    case 4: imad_body<4>(check, iters, m, c); break;
    default: imad_body<8>(check, iters, m, c); break;
    }
}

/* Special functions (MUFU): x = ex2(lg2(x)), approximate, so x drifts but
 * stays near its seed; the host checks the range. */
template <int ILP> __device__ void sfu_body(unsigned *check, int iters)
{
    float x[ILP];
#pragma unroll
    for (int i = 0; i < ILP; i++)
        x[i] = 1.5f + (float)i * 0.25f;
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int i = 0; i < ILP; i++) {
            float l;
            asm("lg2.approx.ftz.f32 %0, %1;" : "=f"(l) : "f"(x[i]));
            asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(x[i]) : "f"(l));
        }
    }
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < ILP; i++)
        s += x[i];
    check[GTID] = __float_as_uint(s);
}

KERNEL mb_sfu(ARGS)
{
    (void)a; (void)b; (void)q; (void)mask;
    switch (p) {
    case 1: sfu_body<1>(check, iters); break;
    case 2: sfu_body<2>(check, iters); break;
    case 4: sfu_body<4>(check, iters); break;
    default: sfu_body<8>(check, iters); break;
    }
}

/* A random half in [-1, 1), a multiple of 1/64, from a hash of (i, j). */
__device__ static unsigned short rand_half(unsigned i, unsigned j)
{
    unsigned h = i * 0x9E3779B9u ^ (j + 0x7F4A7C15u) * 0x85EBCA6Bu;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 13;
    return __half_as_ushort(__float2half((float)((int)((h >> 8) & 127u) - 64) / 64.0f));
}

__device__ static unsigned rand_half2(unsigned i, unsigned j)
{
    return (unsigned)rand_half(i, 2 * j) | ((unsigned)rand_half(i, 2 * j + 1) << 16);
}

/* Tensor cores, warp-level mma.sync m16n8k16 (FP16 in, FP32 accumulate).
 * Random operands (per thread), two sets used in turn so the inputs change
 * with every instruction, as in a real matrix product. Each step adds the
 * same A1*B1 + A2*B2 to the accumulators, so after n steps they hold n
 * times what one step gives: the host compares a run of iters against a
 * run of 2 (self-consistency), which no skipped work can pass. p = chains. */
template <int ILP> __device__ void mma_body(unsigned *check, int iters)
{
#if __CUDA_ARCH__ >= 800
    unsigned t = GTID;
    unsigned a1[4], a2[4], b1[2], b2[2];
    float d[ILP][4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        a1[i] = rand_half2(t, i);
        a2[i] = rand_half2(t, 4 + i);
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
        b1[i] = rand_half2(t, 8 + i);
        b2[i] = rand_half2(t, 10 + i);
    }
#pragma unroll
    for (int i = 0; i < ILP; i++)
        d[i][0] = d[i][1] = d[i][2] = d[i][3] = 0.0f;
    for (int n = 0; n < iters; n++) {
#pragma unroll
        for (int i = 0; i < ILP; i++) {
            asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                         "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                         : "+f"(d[i][0]), "+f"(d[i][1]), "+f"(d[i][2]), "+f"(d[i][3])
                         : "r"(a1[0]), "r"(a1[1]), "r"(a1[2]), "r"(a1[3]), "r"(b1[0]), "r"(b1[1]));
            asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                         "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                         : "+f"(d[i][0]), "+f"(d[i][1]), "+f"(d[i][2]), "+f"(d[i][3])
                         : "r"(a2[0]), "r"(a2[1]), "r"(a2[2]), "r"(a2[3]), "r"(b2[0]), "r"(b2[1]));
        }
    }
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < ILP; i++)
        s += d[i][0] + d[i][3];
    check[GTID] = __float_as_uint(s);
#else
    (void)iters;
    check[GTID] = 0xFFFFFFFFu;
#endif
}

KERNEL mb_hmma_f16(ARGS)
{
    (void)a; (void)b; (void)q; (void)mask;
    switch (p) {
    case 1: mma_body<1>(check, iters); break;
    case 2: mma_body<2>(check, iters); break;
    default: mma_body<4>(check, iters); break;
    }
}

/* Shared memory loads: each lane reads word (n * 33 + lane * p) & mask of
 * a 16 KiB table; p is the stride between lanes (1: no bank conflict, 32:
 * 32-way conflict). The table holds i * 2654435761. */
KERNEL mb_shared(ARGS)
{
    __shared__ unsigned t[4096];
    (void)a; (void)b; (void)q; (void)mask;
    for (int i = threadIdx.x; i < 4096; i += blockDim.x)
        t[i] = (unsigned)i * 2654435761u;
    __syncthreads();
    unsigned s = 0, lane = LANE, stride = (unsigned)p;
    for (int n = 0; n < iters; n++) {
        unsigned base = (unsigned)n * 33u + lane * stride;
        s += t[base & 4095u];
        s ^= t[(base + 1024u) & 4095u];
        s += t[(base + 2048u) & 4095u];
        s ^= t[(base + 3072u) & 4095u];
    }
    check[GTID] = s;
}

/* Shared-memory atomics: atomicAdd on word (lane * p) & 1023; check is the
 * block's table sum, iters * blockDim. */
KERNEL mb_shared_atomic(ARGS)
{
    __shared__ unsigned t[1024];
    (void)a; (void)b; (void)q; (void)mask;
    for (int i = threadIdx.x; i < 1024; i += blockDim.x)
        t[i] = 0;
    __syncthreads();
    unsigned idx = (LANE * (unsigned)p + (threadIdx.x >> 5)) & 1023u;
    for (int n = 0; n < iters; n++)
        atomicAdd(&t[idx], 1u);
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned s = 0;
        for (int i = 0; i < 1024; i++)
            s += t[i];
        t[0] = s;
    }
    __syncthreads();
    check[GTID] = t[0];
}

/* Global loads, four independent per step, summed. p = 0: thread t reads
 * word (n * T + t) & mask, streaming through a footprint that lands in L2
 * or DRAM; p = 1: lane l reads (n * 32 + l) & mask, every warp the same
 * small window (L1 hits). q = 0: ld.global.nc (L1 cached), q = 1:
 * ld.global.cg (L2 only). The buffer a holds mb_buffer_word(i) at i. */
KERNEL mb_load(ARGS)
{
    (void)b;
    unsigned T = gridDim.x * blockDim.x, t = GTID, s = 0;
    unsigned step = p ? 32u : T, first = p ? LANE : t, quarter = (mask + 1u) / 4u;
    for (int n = 0; n < iters; n++) {
        unsigned i = ((unsigned)n * step + first) & mask;
        unsigned i1 = (i + quarter) & mask, i2 = (i + 2u * quarter) & mask, i3 = (i + 3u * quarter) & mask;
        if (q) {
            s += __ldcg(a + i) ^ __ldcg(a + i1);
            s += __ldcg(a + i2) ^ __ldcg(a + i3);
        } else {
            s += __ldg(a + i) ^ __ldg(a + i1);
            s += __ldg(a + i2) ^ __ldg(a + i3);
        }
    }
    check[t] = s;
}

/* Global stores: thread t writes mb_store_word(n, t) to word (n * T + t) &
 * mask, 128-bit wide when p = 4 (four words per store, the value and three
 * variants of it). check = 1 per thread; the host reads the buffer back. */
KERNEL mb_store(ARGS)
{
    (void)b; (void)q;
    unsigned T = gridDim.x * blockDim.x, t = GTID;
    if (p == 4) {
        uint4 *a4 = (uint4 *)a;
        unsigned m4 = mask >> 2;
        for (int n = 0; n < iters; n++) {
            unsigned v = mb_store_word((unsigned)n, t);
            __stcg(a4 + (((unsigned)n * T + t) & m4), make_uint4(v, mb_store_variant(v, 1),
                                                                    mb_store_variant(v, 2), mb_store_variant(v, 3)));
        }
    } else {
        for (int n = 0; n < iters; n++)
            __stcg(a + (((unsigned)n * T + t) & mask), mb_store_word((unsigned)n, t));
    }
    check[t] = 1;
}

/* Copy b[i] = a[i] + 1 over (n * T + t) & mask, 128-bit wide. */
KERNEL mb_copy(ARGS)
{
    (void)p; (void)q;
    const uint4 *a4 = (const uint4 *)a;
    uint4 *b4 = (uint4 *)b;
    unsigned T = gridDim.x * blockDim.x, t = GTID, m4 = mask >> 2;
    for (int n = 0; n < iters; n++) {
        unsigned i = ((unsigned)n * T + t) & m4;
        uint4 v = __ldcs(a4 + i);
        v.x += 1; v.y += 1; v.z += 1; v.w += 1;
        __stcs(b4 + i, v);
    }
    check[t] = 1;
}

/* Global atomics: atomicAdd(&a[(t * p) & mask], 1) iters times; mask sets
 * how many words share the traffic (contention). The host checks the sum. */
KERNEL mb_atomic(ARGS)
{
    (void)b; (void)q;
    unsigned t = GTID, i = (t * (unsigned)p) & mask;
    for (int n = 0; n < iters; n++)
        atomicAdd(a + i, 1u);
    check[t] = 1;
}

/* Eight operands of a thread's own (mb_operand_f32), for the FP32 chains below. */
__device__ static inline void random_operands8(float r[8], unsigned seed)
{
#pragma unroll
    for (int j = 0; j < 8; j++)
        r[j] = mb_operand_f32(blockIdx.x, mb_hash32(seed + (unsigned)j * 0x9E3779B9u));
}

/* Branch divergence: lanes split into p groups (1..32) by lane % p, and the
 * groups take turns (the group number is a runtime value, so the compiler
 * cannot merge the turns): each step, every group runs 8 rounds of 4 FP32
 * accumulations on random operands (as mb_ffma_f32) while the other lanes
 * wait, so 32 / p lanes are active. Self-checked like mb_ffma_f32. */
KERNEL mb_diverge(ARGS)
{
    (void)a; (void)b; (void)mask;
    unsigned g = LANE % (unsigned)p;
    float r[8], x[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
    random_operands8(r, mb_hash32(GTID ^ (unsigned)q));
    for (int n = 0; n < iters; n++) {
        for (unsigned turn = 0; turn < (unsigned)p; turn++) {
            if (turn == g) {
#pragma unroll
                for (int k = 0; k < 8; k++) {
#pragma unroll
                    for (int i = 0; i < 4; i++)
                        x[i] = fmaf(r[(k + i) & 7], r[(k + i + 3) & 7], x[i]);
                }
            }
        }
    }
    check[GTID] = __float_as_uint(x[0] + x[1] + x[2] + x[3]);
}

/* Idle: __nanosleep(p) iters times; the SMs hold warps but issue little. */
KERNEL mb_sleep(ARGS)
{
    (void)a; (void)b; (void)q; (void)mask;
    unsigned n = 0;
    for (int i = 0; i < iters; i++) {
        __nanosleep((unsigned)p);
        n++;
    }
    check[GTID] = n;
}

/* Mix: per step, one streaming global load (ld.global.cg over the
 * footprint mask: L2 or DRAM) and p rounds of 4 FP32 accumulations on
 * random operands (as mb_ffma_f32), so p sets the ratio of arithmetic to memory
 * traffic. Self-checked like mb_ffma_f32; the loaded words enter the result
 * only through a comparison that is false but for 1 chance in 2^32, which
 * keeps the loads without breaking the check. */
#define MIX_ROUND_A(x, r)                                                                          \
    x[0] = fmaf(r[0], r[3], x[0]); x[1] = fmaf(r[1], r[4], x[1]);                                  \
    x[2] = fmaf(r[2], r[5], x[2]); x[3] = fmaf(r[3], r[6], x[3])
#define MIX_ROUND_B(x, r)                                                                          \
    x[0] = fmaf(r[4], r[7], x[0]); x[1] = fmaf(r[5], r[0], x[1]);                                  \
    x[2] = fmaf(r[6], r[1], x[2]); x[3] = fmaf(r[7], r[2], x[3])
KERNEL mb_mix(ARGS)
{
    (void)b;
    unsigned T = gridDim.x * blockDim.x, t = GTID, s = 0;
    float r[8], x[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
    random_operands8(r, mb_hash32(t ^ (unsigned)q));
    for (int n = 0; n < iters; n++) {
        s += __ldcg(a + (((unsigned)n * T + t) & mask));
        int k = 0;
        for (; k + 1 < p; k += 2) {
            MIX_ROUND_A(x, r);
            MIX_ROUND_B(x, r);
        }
        if (k < p) {
            MIX_ROUND_A(x, r);
        }
    }
    check[t] = __float_as_uint(x[0] + x[1] + x[2] + x[3] + (s == 0x9E3779B9u ? 1.0f : 0.0f));
}

/* Fills a with the suite's words, a[i] = mb_buffer_word(i), over mask + 1
 * words: what the load, copy and mix kernels read. */
KERNEL mb_fill_random(ARGS)
{
    (void)b; (void)check; (void)iters; (void)p; (void)q;
    for (unsigned i = GTID; i <= mask; i += gridDim.x * blockDim.x)
        a[i] = mb_buffer_word(i);
}

/* The float buffer: mb_buffer_float(i) at i, for i <= mask. */
KERNEL mb_fill_float(ARGS)
{
    (void)b; (void)check; (void)iters; (void)p; (void)q;
    for (unsigned i = GTID; i <= mask; i += gridDim.x * blockDim.x)
        a[i] = __float_as_uint(mb_buffer_float(i));
}
