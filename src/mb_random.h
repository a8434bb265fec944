/* mb_random.h: the random data of the calibration kernels, computed alike
 * on the GPU (microbench.cu) and on the host (suite.c), so the host can
 * check what a kernel read or wrote. Real programs work on data whose bits
 * change from one operation to the next, and switching bits is what costs
 * energy: a benchmark on constant or sequential data draws far less power
 * than the same instructions on real data, so every buffer and operand of
 * the suite is random. */
#ifndef GPU_PROFILER_MB_RANDOM_H
#define GPU_PROFILER_MB_RANDOM_H

#ifdef __CUDACC__
#define MB_HD __host__ __device__
#else
#define MB_HD
#endif

/* A 32-bit mix of x (every input bit flips about half the output bits). */
static inline MB_HD unsigned mb_hash32(unsigned x)
{
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

/* A float in [-1, 1) with a random 24-bit mantissa: a multiple of 2^-23. */
static inline MB_HD float mb_rand_f32(unsigned h)
{
    return (float)((int)(h >> 8) - (1 << 23)) * (1.0f / 8388608.0f);
}

/* A double in [-1, 1) with a random 53-bit mantissa, from two hashes. */
static inline MB_HD double mb_rand_f64(unsigned h1, unsigned h2)
{
    return ((double)((int)(h1 >> 11) - (1 << 20)) + (double)(h2 >> 11) / 2097152.0) / 1048576.0;
}

/* The word at index i of the suite's buffer A (mb_fill_random). */
static inline MB_HD unsigned mb_buffer_word(unsigned i)
{
    return mb_hash32(i ^ 0x5BD1E995u);
}

/* The float at index i of the suite's float buffer (mb_fill_float). */
static inline MB_HD float mb_buffer_float(unsigned i)
{
    return mb_rand_f32(mb_hash32(i ^ 0x3C6EF372u));
}

/* The word mb_store writes at step n of thread t (never 0xFFFFFFFF, the
 * host's marker for "not written": it is even). */
static inline MB_HD unsigned mb_store_word(unsigned n, unsigned t)
{
    return mb_hash32(n * 0x9E3779B9u + t) & ~1u;
}

/* Word k (0..3) of the 128-bit store whose first word is v: v and three
 * variants of it, all even like v. */
static inline MB_HD unsigned mb_store_variant(unsigned v, unsigned k)
{
    return k == 0 ? v : k == 1 ? v ^ 0x5A5A5A5Au : k == 2 ? v ^ 0xA5A5A5A4u : v ^ 0x3C3C3C3Cu;
}

#endif
