/* mb_random.h: the data of the calibration kernels, computed alike on the
 * GPU (microbench.cu) and on the host (suite.c), so the host can check what
 * a kernel read or wrote. Switching bits is what costs energy, so a
 * benchmark on constant or sequential data draws far less power than the
 * same instructions on real data: every buffer and operand of the suite is
 * random bits (random words; floats with random mantissas and signs).
 *
 * Real data is not random bits either: a stream of random words draws 3-7%
 * more than the same stream of real images or uniform values, and a matrix
 * product on randn data more than on random bits (issue 21). Built with
 * -DMB_DATA_REAL (make MB_DATA=real), every buffer and operand holds values
 * as real programs' data are instead, a mixture of three kinds:
 *   normal      as randn: random sign and mantissa, the exponent by the
 *               normal law's (mean 0, standard deviation 1);
 *   uniform     as rand: a multiple of 2^-24 in [0, 1);
 *   image-like  an 8-bit level / 255, within 16 levels of its neighbours;
 * one kind per region of a buffer (128 bytes, one cache line) and per
 * thread block for a thread's operands, a third each. Everything is integer
 * arithmetic or one IEEE multiplication, exact alike on the host and the
 * GPU. Measured on one H200 against random bits: FP32 2% and DRAM 5% less
 * power; not the default, as its model read the validation workloads no
 * better (docs/ACCURACY.md, 2026-12-02). */
#ifndef GPU_PROFILER_MB_RANDOM_H
#define GPU_PROFILER_MB_RANDOM_H

#ifdef __CUDACC__
#define MB_HD __host__ __device__
#else
#define MB_HD
#include <string.h>
#endif

#ifdef MB_DATA_REAL
#define MB_DATA_NAME "normal, uniform and image-like values"
#else
#define MB_DATA_NAME "random bits"
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

static inline MB_HD float mb_f32_from_bits(unsigned u)
{
#ifdef __CUDA_ARCH__
    return __uint_as_float(u);
#else
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
#endif
}

static inline MB_HD unsigned mb_bits_from_f32(float f)
{
#ifdef __CUDA_ARCH__
    return __float_as_uint(f);
#else
    unsigned u;
    memcpy(&u, &f, sizeof u);
    return u;
#endif
}

/* The kind of data of region or block r: 0 normal, 1 uniform, 2 image-like. */
static inline MB_HD unsigned mb_kind(unsigned r)
{
    return mb_hash32(r ^ 0x2545F491u) % 3u;
}

/* The biased exponent of |x| for x drawn from the standard normal law, from
 * 32 random bits u: |x| lies in [2, 4) with probability 0.0454, [1, 2)
 * 0.2718, [1/2, 1) 0.2998, [1/4, 1/2) 0.1855, [1/8, 1/4) 0.0979, and below
 * 1/8 the rest (0.0996), each binade half as likely as the one above, as
 * the density is nearly flat near 0. Beyond 4 (6e-5) is left out. */
static inline MB_HD unsigned mb_normal_exponent(unsigned u)
{
    unsigned hi = u >> 16, lo = u & 0xFFFFu, e;
    if (hi < 2978u)
        return 128u;
    if (hi < 20791u)
        return 127u;
    if (hi < 40436u)
        return 126u;
    if (hi < 52593u)
        return 125u;
    if (hi < 59010u)
        return 124u;
    for (e = 123u; e > 108u && !(lo & 1u); e--)
        lo >>= 1;
    return e;
}

/* The bits of a float of kind k at element i (image-like values follow
 * their neighbours: i / 16 sets the level they vary around), from the
 * random words h1 and h2. */
static inline MB_HD unsigned mb_real_bits(unsigned k, unsigned i, unsigned h1, unsigned h2)
{
    if (k == 0)
        return (h1 & 0x807FFFFFu) | (mb_normal_exponent(h2) << 23);
    if (k == 1)
        return mb_bits_from_f32((float)(h1 >> 8) * (1.0f / 16777216.0f));
    return mb_bits_from_f32((float)(mb_hash32((i >> 4) ^ 0x68E31DA4u) % 241u + (h1 & 15u)) * (1.0f / 255.0f));
}

/* An operand of a thread of block `block` (the kind is the block's; an
 * image-like operand's level is its own), from the random word h. */
static inline MB_HD float mb_operand_f32(unsigned block, unsigned h)
{
#ifndef MB_DATA_REAL
    (void)block;
    return mb_rand_f32(h);
#else
    return mb_f32_from_bits(mb_real_bits(mb_kind(block), h, h, mb_hash32(h ^ 0x1B873593u)));
#endif
}

/* The same in double: for the normal kind, the float's value with 29 more
 * random mantissa bits below its 24 (|v| times a 29-bit fraction times
 * 2^-53: exact products, so alike with or without a fused multiply-add). */
static inline MB_HD double mb_operand_f64(unsigned block, unsigned h)
{
#ifndef MB_DATA_REAL
    (void)block;
    return mb_rand_f64(h, mb_hash32(h));
#else
    unsigned k = mb_kind(block);
    double v = (double)mb_f32_from_bits(mb_real_bits(k, h, h, mb_hash32(h ^ 0x1B873593u)));
    if (k == 0)
        v += (v < 0 ? -v : v) * (double)(mb_hash32(h ^ 0xCC9E2D51u) >> 3) * (1.0 / 9007199254740992.0);
    return v;
#endif
}

/* The word at index i of the suite's buffer A (mb_fill_random). */
static inline MB_HD unsigned mb_buffer_word(unsigned i)
{
    unsigned h = mb_hash32(i ^ 0x5BD1E995u);
#ifndef MB_DATA_REAL
    return h;
#else
    return mb_real_bits(mb_kind(i >> 5), i, h, mb_hash32(h ^ 0x1B873593u));
#endif
}

/* The float at index i of the suite's float buffer (mb_fill_float). */
static inline MB_HD float mb_buffer_float(unsigned i)
{
    unsigned h = mb_hash32(i ^ 0x3C6EF372u);
#ifndef MB_DATA_REAL
    return mb_rand_f32(h);
#else
    return mb_f32_from_bits(mb_real_bits(mb_kind((i >> 5) ^ 0x3C6EF372u), i, h, mb_hash32(h ^ 0x1B873593u)));
#endif
}

/* The word mb_store writes at step n of thread t (never 0xFFFFFFFF, the
 * host's marker for "not written": it is even). The kind is that of the
 * thread's group of 256. */
static inline MB_HD unsigned mb_store_word(unsigned n, unsigned t)
{
    unsigned h = mb_hash32(n * 0x9E3779B9u + t);
#ifndef MB_DATA_REAL
    return h & ~1u;
#else
    return mb_real_bits(mb_kind((t >> 8) ^ 0x9E3779B9u), (t << 12) + n, h, mb_hash32(h ^ 0x1B873593u)) & ~1u;
#endif
}

/* Word k (0..3) of the 128-bit store whose first word is v: v and three
 * variants of it, all even like v (for real data, variants in the mantissa
 * only, so they stay values of v's kind and size). */
static inline MB_HD unsigned mb_store_variant(unsigned v, unsigned k)
{
#ifndef MB_DATA_REAL
    return k == 0 ? v : k == 1 ? v ^ 0x5A5A5A5Au : k == 2 ? v ^ 0xA5A5A5A4u : v ^ 0x3C3C3C3Cu;
#else
    return k == 0 ? v : k == 1 ? v ^ 0x005A5A5Au : k == 2 ? v ^ 0x0025A5A4u : v ^ 0x003C3C3Cu;
#endif
}

#endif
