/* suite: see suite.h. */
#include "plat.h"
#include "suite.h"

#include "mb_random.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define FP_M1 ((int)0xBF800000u) /* -1.0f, the chains' multiplier */
#define W64 8, 256               /* 8 blocks of 256 threads: 64 warps per SM */
#define SEED 0x2545F491          /* q of the kernels on random operands */

struct builder {
    struct suite_config *cfg;
    size_t n, max;
};

static struct suite_config *add(struct builder *b, const char *family, const char *kernel, int p, int q,
                                unsigned mask, unsigned bps, unsigned threads, unsigned sm_pct,
                                const char *fmt, ...) PLAT_PRINTF(10, 11);

#include <stdarg.h>
static struct suite_config *add(struct builder *b, const char *family, const char *kernel, int p, int q,
                                unsigned mask, unsigned bps, unsigned threads, unsigned sm_pct,
                                const char *fmt, ...)
{
    struct suite_config *c;
    va_list ap;
    if (b->n >= b->max)
        return NULL;
    c = &b->cfg[b->n++];
    memset(c, 0, sizeof *c);
    va_start(ap, fmt);
    vsnprintf(c->name, sizeof c->name, fmt, ap);
    va_end(ap);
    snprintf(c->family, sizeof c->family, "%s", family);
    c->kernel = kernel;
    c->p = p;
    c->q = q;
    c->mask = mask;
    c->blocks_per_sm = bps;
    c->threads = threads;
    c->sm_pct = sm_pct;
    c->iters = 0;
    c->iters_max = INT_MAX / 2;
    return c;
}

/* Marks a configuration as checked against a run of 2 iterations. */
static struct suite_config *selfcheck(struct suite_config *c)
{
    if (c)
        c->selfcheck = 1;
    return c;
}

/* FP32: plain chains, bounded accumulators, the SGEMM tile and SGEMM itself */
static void add_fp32_families(struct builder *bp)
{
    size_t i;
    struct suite_config *c;
    static const int ilps[] = { 1, 2, 4, 8 };
    /* FP32 and FP64 on random operands, checked by self-consistency */
    for (i = 0; i < 4; i++)
        selfcheck(add(bp, "fp32", "mb_ffma_f32", ilps[i], SEED, 0, W64, 100, "fp32_ilp%d_w64", ilps[i]));
    for (i = 0; i < 4; i++)
        selfcheck(add(bp, "fp32", "mb_ffma_f32", 4, SEED, 0, 1u << i, 128, 100, "fp32_ilp4_w%u", 4u << i));
    selfcheck(add(bp, "fp32", "mb_ffma_f32", 8, SEED, 0, 1, 128, 100, "fp32_ilp8_w4"));
    selfcheck(add(bp, "fp32", "mb_ffma_f32", 8, SEED, 0, 4, 128, 100, "fp32_ilp8_w16"));
    selfcheck(add(bp, "fp32", "mb_ffma_f32", 2, SEED, 0, 4, 128, 100, "fp32_ilp2_w16"));
    selfcheck(add(bp, "fp32", "mb_ffma_f32", 8, SEED, 0, 1, 1024, 25, "fp32_ilp8_sm25"));
    selfcheck(add(bp, "fp32", "mb_ffma_f32", 8, SEED, 0, 1, 1024, 50, "fp32_ilp8_sm50"));
    selfcheck(add(bp, "fp32", "mb_ffma_f32", 8, SEED, 0, 1, 1024, 75, "fp32_ilp8_sm75"));

    /* with bounded accumulators (microbench.cu, mb_ffma_f32_bounded): the same work, the
     * accumulators some 60-85 times a product as in a GEMM on randn data, not 10^3-10^5 */
    selfcheck(add(bp, "fp32_acc", "mb_ffma_f32_bounded", 4, SEED, 0, W64, 100, "fp32b_ilp4_w64"));
    selfcheck(add(bp, "fp32_acc", "mb_ffma_f32_bounded", 8, SEED, 0, W64, 100, "fp32b_ilp8_w64"));
    selfcheck(add(bp, "fp32_acc", "mb_ffma_f32_tile_bounded", 8, SEED, 0, 2, 256, 100, "tile8b_b2"));
    selfcheck(add(bp, "fp32_acc", "mb_ffma_f32_tile_bounded", 4, SEED, 0, 4, 256, 100, "tile4b_b4"));
    if ((c = selfcheck(add(bp, "fp32_acc", "mb_sgemm", 16, 8, (1u << 21) - 1, 1, 256, 100, "sgemmb_l2"))))
        c->arg_a = BUF_F;

    /* the SGEMM inner loop: shared-memory tiles and FFMA, TM x TM per thread */
    selfcheck(add(bp, "fp32_tile", "mb_ffma_f32_tile", 8, SEED, 0, 1, 256, 100, "tile8_b1"));
    selfcheck(add(bp, "fp32_tile", "mb_ffma_f32_tile", 8, SEED, 0, 2, 256, 100, "tile8_b2"));
    selfcheck(add(bp, "fp32_tile", "mb_ffma_f32_tile", 8, SEED, 0, 2, 256, 50, "tile8_b2_sm50"));
    selfcheck(add(bp, "fp32_tile", "mb_ffma_f32_tile", 4, SEED, 0, 2, 256, 100, "tile4_b2"));
    selfcheck(add(bp, "fp32_tile", "mb_ffma_f32_tile", 4, SEED, 0, 4, 256, 100, "tile4_b4"));

    /* SGEMM as cuBLAS runs it: global memory through a cp.async pipeline into
     * the tiles; p k-tiles of 12 KiB per iteration and block, from an 8 MiB
     * footprint (L2) or 16896 distinct k-tiles (198 MiB: DRAM) */
    if ((c = selfcheck(add(bp, "sgemm", "mb_sgemm", 16, 0, (1u << 21) - 1, 1, 256, 100, "sgemm_l2"))))
        c->arg_a = BUF_F;
    if ((c = selfcheck(add(bp, "sgemm", "mb_sgemm", 64, 0, SUITE_FLOAT_WORDS - 1, 1, 256, 100, "sgemm_dram"))))
        c->arg_a = BUF_F;
    if ((c = selfcheck(add(bp, "sgemm", "mb_sgemm", 16, 0, (1u << 21) - 1, 1, 256, 50, "sgemm_l2_sm50"))))
        c->arg_a = BUF_F;
}

/* FP64, FP16/BF16, integer and special-function pipes */
static void add_pipe_families(struct builder *bp)
{
    size_t i;
    static const int ilps[] = { 1, 2, 4, 8 };
    for (i = 0; i < 4; i++)
        selfcheck(add(bp, "fp64", "mb_dfma_f64", ilps[i], SEED, 0, W64, 100, "fp64_ilp%d_w64", ilps[i]));
    selfcheck(add(bp, "fp64", "mb_dfma_f64", 4, SEED, 0, 2, 128, 100, "fp64_ilp4_w8"));
    selfcheck(add(bp, "fp64", "mb_dfma_f64", 4, SEED, 0, 4, 128, 100, "fp64_ilp4_w16"));
    selfcheck(add(bp, "fp64", "mb_dfma_f64", 8, SEED, 0, 1, 1024, 50, "fp64_ilp8_sm50"));

    for (i = 0; i < 4; i++)
        add(bp, "fp16", "mb_hfma2_f16", ilps[i], FP_M1, 0, W64, 100, "fp16_ilp%d_w64", ilps[i]);
    add(bp, "fp16", "mb_hfma2_f16", 8, FP_M1, 0, 4, 128, 100, "fp16_ilp8_w16");
    add(bp, "fp16", "mb_hfma2_bf16", 4, FP_M1, 0, W64, 100, "bf16_ilp4_w64");
    add(bp, "fp16", "mb_hfma2_bf16", 4, FP_M1, 0, 4, 128, 100, "bf16_ilp4_w16");

    for (i = 0; i < 4; i++)
        add(bp, "int", "mb_int_alu", ilps[i], 0x5bd1e995, 0, W64, 100, "int_alu_ilp%d_w64", ilps[i]);
    add(bp, "int", "mb_int_alu", 8, 0x5bd1e995, 0, 4, 128, 100, "int_alu_ilp8_w16");
    add(bp, "int", "mb_int_imad", 1, 0x2545F491, 0, W64, 100, "int_imad_ilp1_w64");
    add(bp, "int", "mb_int_imad", 4, 0x2545F491, 0, W64, 100, "int_imad_ilp4_w64");
    add(bp, "int", "mb_int_imad", 8, 0x2545F491, 0, W64, 100, "int_imad_ilp8_w64");

    for (i = 0; i < 4; i++)
        add(bp, "sfu", "mb_sfu", ilps[i], 0, 0, W64, 100, "sfu_ilp%d_w64", ilps[i]);
    add(bp, "sfu", "mb_sfu", 8, 0, 0, 4, 128, 100, "sfu_ilp8_w16");
}

/* tensor cores: mma everywhere, wgmma and wgmma with memory beside it on Hopper */
static void add_tensor_families(struct builder *bp, int cc_major, int cc_minor)
{
    size_t i;
    struct suite_config *c;
    for (i = 0; i < 3; i++) {
        if ((c = add(bp, "mma", "mb_hmma_f16", 1 << i, 0, 0, W64, 100, "mma_ilp%d_w64", 1 << i)))
            c->selfcheck = 1;
        if ((c = add(bp, "mma", "mb_hmma_f16", 1 << i, 0, 0, 4, 128, 100, "mma_ilp%d_w16", 1 << i)))
            c->selfcheck = 1;
    }
    if ((c = add(bp, "mma", "mb_hmma_f16", 4, 0, 0, 1, 1024, 50, "mma_ilp4_sm50")))
        c->selfcheck = 1;

    if (cc_major == 9 && cc_minor == 0) {
        static const int per_group[] = { 1, 4 };
        for (i = 0; i < 2; i++) {
            if ((c = add(bp, "wgmma", "mb_wgmma_f16", per_group[i], 0, 0, 1, 128, 100, "wgmma_g%d_b1", per_group[i])))
                c->selfcheck = 1, c->hopper_only = 1;
            if ((c = add(bp, "wgmma", "mb_wgmma_f16", per_group[i], 0, 0, 2, 128, 100, "wgmma_g%d_b2", per_group[i])))
                c->selfcheck = 1, c->hopper_only = 1;
        }
        if ((c = add(bp, "wgmma", "mb_wgmma_f16", 4, 0, 0, 2, 128, 50, "wgmma_g4_b2_sm50")))
            c->selfcheck = 1, c->hopper_only = 1;
        /* tensor work with a GEMM's memory traffic beside it: meant to run above the power
         * limit, where cuBLAS's FP16 GEMMs run and mb_wgmma_f16 alone does not; 4 loads per thread
         * and iteration, from L2 (16 MiB) or DRAM, p wgmma per iteration */
        if ((c = add(bp, "tensor_mix", "mb_wgmma_f16_mix", 4, 0, (1u << 22) - 1, 2, 128, 100, "wgmma_mix_g4_l2")))
            c->selfcheck = 1, c->hopper_only = 1, c->arg_a = BUF_A;
        if ((c = add(bp, "tensor_mix", "mb_wgmma_f16_mix", 4, 0, SUITE_BUF_WORDS - 1, 2, 128, 100, "wgmma_mix_g4_dram")))
            c->selfcheck = 1, c->hopper_only = 1, c->arg_a = BUF_A;
        if ((c = add(bp, "tensor_mix", "mb_wgmma_f16_mix", 1, 0, SUITE_BUF_WORDS - 1, 2, 128, 100, "wgmma_mix_g1_dram")))
            c->selfcheck = 1, c->hopper_only = 1, c->arg_a = BUF_A;
    }
}

/* shared memory, L1, L2 and DRAM */
static void add_memory_families(struct builder *bp)
{
    size_t i;
    struct suite_config *c;
    static const int strides[] = { 1, 2, 4, 8, 16, 32 };
    for (i = 0; i < 6; i++)
        add(bp, "shared", "mb_shared", strides[i], 0, 0, W64, 100, "shared_stride%d_w64", strides[i]);
    add(bp, "shared", "mb_shared", 1, 0, 0, 2, 128, 100, "shared_stride1_w8");
    add(bp, "shared", "mb_shared", 1, 0, 0, 4, 128, 100, "shared_stride1_w16");
    add(bp, "shared", "mb_shared_atomic", 1, 0, 0, W64, 100, "shared_atomic_spread_w64");
    add(bp, "shared", "mb_shared_atomic", 0, 0, 0, W64, 100, "shared_atomic_same_w64");

    {
        static const unsigned l1_masks[] = { (1u << 10) - 1, (1u << 12) - 1, (1u << 14) - 1 };
        static const char *const l1_names[] = { "4k", "16k", "64k" };
        for (i = 0; i < 3; i++) {
            if ((c = add(bp, "l1", "mb_load", 1, 0, l1_masks[i], W64, 100, "l1_load_%s_w64", l1_names[i])))
                c->arg_a = BUF_A;
            if ((c = add(bp, "l1", "mb_load", 1, 0, l1_masks[i], 4, 128, 100, "l1_load_%s_w16", l1_names[i])))
                c->arg_a = BUF_A;
        }
    }

    {
        static const unsigned l2_masks[] = { (1u << 20) - 1, (1u << 22) - 1 };
        static const char *const l2_names[] = { "4m", "16m" };
        for (i = 0; i < 2; i++) {
            if ((c = add(bp, "l2", "mb_load", 0, 1, l2_masks[i], W64, 100, "l2_load_%s_w64", l2_names[i])))
                c->arg_a = BUF_A;
            if ((c = add(bp, "l2", "mb_load", 0, 1, l2_masks[i], 4, 128, 100, "l2_load_%s_w16", l2_names[i])))
                c->arg_a = BUF_A;
        }
        if ((c = add(bp, "l2", "mb_store", 1, 0, (1u << 22) - 1, W64, 100, "l2_store32_16m_w64")))
            c->arg_a = BUF_B;
        if ((c = add(bp, "l2", "mb_store", 4, 0, (1u << 22) - 1, W64, 100, "l2_store128_16m_w64")))
            c->arg_a = BUF_B;
    }

    {
        const unsigned all = SUITE_BUF_WORDS - 1;
        static const unsigned bps[] = { 8, 4, 2, 1 };
        for (i = 0; i < 4; i++)
            if ((c = add(bp, "dram", "mb_load", 0, 1, all, bps[i], 256, 100, "dram_load_w%u", bps[i] * 8)))
                c->arg_a = BUF_A;
        if ((c = add(bp, "dram", "mb_load", 0, 1, all, 1, 128, 100, "dram_load_w4")))
            c->arg_a = BUF_A;
        if ((c = add(bp, "dram", "mb_load", 0, 1, all, 1, 1024, 25, "dram_load_sm25")))
            c->arg_a = BUF_A;
        if ((c = add(bp, "dram", "mb_load", 0, 1, all, 1, 1024, 50, "dram_load_sm50")))
            c->arg_a = BUF_A;
        if ((c = add(bp, "dram", "mb_store", 4, 0, all, W64, 100, "dram_store128_w64")))
            c->arg_a = BUF_B;
        if ((c = add(bp, "dram", "mb_store", 4, 0, all, 2, 256, 100, "dram_store128_w16")))
            c->arg_a = BUF_B;
        if ((c = add(bp, "dram", "mb_store", 1, 0, all, W64, 100, "dram_store32_w64")))
            c->arg_a = BUF_B;
        for (i = 0; i < 3; i++)
            if ((c = add(bp, "dram", "mb_copy", 0, 0, all, bps[i], 256, 100, "dram_copy_w%u", bps[i] * 8)))
                c->arg_a = BUF_A, c->arg_b = BUF_B;
    }
}

/* atomics, divergence, idle and mixes */
static void add_other_families(struct builder *bp)
{
    size_t i;
    struct suite_config *c;
    {
        static const unsigned at_masks[] = { 0, 31, 1023, (1u << 20) - 1 };
        for (i = 0; i < 4; i++)
            if ((c = add(bp, "atomic", "mb_atomic", 1, 0, at_masks[i], W64, 100, "atomic_addr%u_w64",
                         at_masks[i] + 1)))
                c->arg_a = BUF_B, c->iters_max = 100000;
        if ((c = add(bp, "atomic", "mb_atomic", 1, 0, (1u << 20) - 1, 4, 128, 100, "atomic_addr1048576_w16")))
            c->arg_a = BUF_B, c->iters_max = 100000;
    }

    {
        static const int ways[] = { 2, 4, 8, 32 };
        for (i = 0; i < 4; i++)
            selfcheck(add(bp, "diverge", "mb_diverge", ways[i], SEED, 0, W64, 100, "diverge_%dway_w64", ways[i]));
    }

    add(bp, "idle", "mb_sleep", 1000, 0, 0, W64, 100, "idle_sleep_w64");
    add(bp, "idle", "mb_sleep", 1000, 0, 0, 1, 128, 100, "idle_sleep_w4");
    add(bp, "idle", "mb_sleep", 1000, 0, 0, 1, 32, 1, "idle_sleep_1block");

    {
        const unsigned all = SUITE_BUF_WORDS - 1;
        static const int ratio[] = { 1, 4, 16, 64 };
        for (i = 0; i < 4; i++)
            if ((c = selfcheck(add(bp, "mix", "mb_mix", ratio[i], SEED, all, W64, 100, "mix_dram_fma%d_w64", ratio[i]))))
                c->arg_a = BUF_A;
        if ((c = selfcheck(add(bp, "mix", "mb_mix", 4, SEED, (1u << 22) - 1, W64, 100, "mix_l2_fma4_w64"))))
            c->arg_a = BUF_A;
        if ((c = selfcheck(add(bp, "mix", "mb_mix", 16, SEED, (1u << 22) - 1, W64, 100, "mix_l2_fma16_w64"))))
            c->arg_a = BUF_A;
    }
}

size_t suite_build(struct suite_config *cfg, size_t max, unsigned sm_count, int cc_major, int cc_minor)
{
    struct builder b = { cfg, 0, max };
    (void)sm_count;
    add_fp32_families(&b);
    add_pipe_families(&b);
    add_tensor_families(&b, cc_major, cc_minor);
    add_memory_families(&b);
    add_other_families(&b);
    return b.n;
}

unsigned suite_grid(const struct suite_config *c, unsigned sm_count)
{
    unsigned sms = (sm_count * c->sm_pct + 99) / 100;
    if (c->sm_pct <= 1)
        sms = 1;
    if (sms < 1)
        sms = 1;
    return sms * c->blocks_per_sm;
}

enum suite_readback suite_readback(const struct suite_config *c, size_t *words)
{
    *words = 0;
    if (strcmp(c->kernel, "mb_store") == 0 || strcmp(c->kernel, "mb_copy") == 0) {
        *words = 4096;
        return READ_B_PREFIX;
    }
    if (strcmp(c->kernel, "mb_atomic") == 0) {
        *words = (size_t)c->mask + 1;
        return READ_B_PREFIX;
    }
    return READ_NONE;
}

int suite_b_init(const struct suite_config *c)
{
    if (strcmp(c->kernel, "mb_atomic") == 0)
        return 0;
    if (strcmp(c->kernel, "mb_store") == 0)
        return 1;
    return -1;
}

/* ---- the host's copies of the kernels' arithmetic ---- */

static float half_pairs_expect(int ilp, int iters, int bf16)
{
    float s = 0.0f;
    int i;
    for (i = 0; i < ilp; i++) {
        float lo = bf16 ? 1.0f + (float)(i + 1) / 16.0f : 1.0f + (float)(i * 3 + 1) / 64.0f;
        float hi = bf16 ? 1.0f + (float)(i + 3) / 16.0f : 1.0f + (float)(i * 5 + 2) / 64.0f;
        if (iters & 1) {
            lo = 1.5f - lo;
            hi = 1.5f - hi;
        }
        s += lo + hi;
    }
    return s;
}

static unsigned rotl7(unsigned x) { return (x << 7) | (x >> 25); }

static unsigned int_expect(int imad, int ilp, int iters, unsigned q)
{
    unsigned s = 0;
    int i, n;
    for (i = 0; i < ilp; i++) {
        unsigned x = 0x9E3779B9u * (unsigned)(i + 1);
        for (n = 0; n < iters; n++)
            x = imad ? x * (q | 1u) + 0x3C6EF372u : rotl7(x ^ q);
        s ^= x;
    }
    return s;
}

static unsigned shared_expect(unsigned lane, unsigned stride, int iters)
{
    unsigned s = 0, n;
    for (n = 0; n < (unsigned)iters; n++) {
        unsigned base = n * 33u + lane * stride;
        s += (base & 4095u) * 2654435761u;
        s ^= ((base + 1024u) & 4095u) * 2654435761u;
        s += ((base + 2048u) & 4095u) * 2654435761u;
        s ^= ((base + 3072u) & 4095u) * 2654435761u;
    }
    return s;
}

static unsigned load_expect(const struct suite_config *c, unsigned T, unsigned t, int iters)
{
    unsigned s = 0, n, mask = c->mask, quarter = (mask + 1u) / 4u;
    unsigned step = c->p ? 32u : T, first = c->p ? (t & 31u) : t;
    for (n = 0; n < (unsigned)iters; n++) {
        unsigned i = (n * step + first) & mask;
        unsigned i1 = (i + quarter) & mask, i2 = (i + 2u * quarter) & mask, i3 = (i + 3u * quarter) & mask;
        s += mb_buffer_word(i) ^ mb_buffer_word(i1);
        s += mb_buffer_word(i2) ^ mb_buffer_word(i3);
    }
    return s;
}

static unsigned f2u(float f)
{
    unsigned u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* After n iterations the values are n / 2 times those of a run of 2, up to
 * float rounding of the accumulation: within 5% of the largest, where
 * positive operands (uniform, image-like) drift up to 3% at 500,000
 * iterations (emulated on the host in tests/test_suite.c; the suite runs
 * at most about 160,000); skipped work is off by far more. */
static int verify_selfcheck(const struct suite_config *c, unsigned T, const unsigned *check, const unsigned *ref,
                            char *err, size_t errlen)
{
    double scale = 0, k = c->iters / 2.0;
    unsigned t;
    if (!ref) {
        snprintf(err, errlen, "no reference run to check against");
        return -1;
    }
    for (t = 0; t < T; t++) {
        float r;
        memcpy(&r, &ref[t], sizeof r);
        if (!isfinite(r)) {
            snprintf(err, errlen, "thread %u: the 2-iteration run gave %g", t, (double)r);
            return -1;
        }
        if (fabs((double)r) > scale)
            scale = fabs((double)r);
    }
    if (!(scale > 0)) {
        snprintf(err, errlen, "the 2-iteration run computed nothing (all zero)");
        return -1;
    }
    for (t = 0; t < T; t++) {
        float v, r;
        memcpy(&v, &check[t], sizeof v);
        memcpy(&r, &ref[t], sizeof r);
        if (!(fabs((double)v - k * (double)r) <= 0.05 * k * scale)) {
            snprintf(err, errlen, "thread %u computed %g after %d iterations, expected %g (%g per 2)", t, (double)v,
                     c->iters, k * (double)r, (double)r);
            return -1;
        }
    }
    return 0;
}

/* Words of one mb_sgemm k-tile: A as 8 x 256, then B as 8 x 128
 * (microbench.cu's SG_CHUNK). */
#define SGEMM_CHUNK_WORDS (8u * (256u + 128u))

/* The sum of thread t's products in a 2-iteration run of mb_sgemm (its
 * layout: microbench.cu), and the sum of their sizes. */
static void sgemm_thread_sum(const struct suite_config *c, unsigned t, unsigned nchunks, double *sum, double *size)
{
    unsigned block = t / 256u, ty = (t % 256u) >> 4, tx = t & 15u, slot, kt, k, i, j;
    *sum = *size = 0;
    for (slot = 0; slot < 2; slot++)
        for (kt = 0; kt < (unsigned)c->p; kt++) {
            unsigned base = ((block * 2u + slot) * (unsigned)c->p + kt) % nchunks * SGEMM_CHUNK_WORDS;
            for (k = 0; k < 8; k++)
                for (i = 0; i < 16; i++) {
                    double av = (double)mb_buffer_float(base + k * 256u + ty * 16u + i);
                    for (j = 0; j < 8; j++) {
                        double pr = av * (double)mb_buffer_float(base + 8u * 256u + k * 128u + tx * 8u + j);
                        *sum += pr;
                        *size += fabs(pr);
                    }
                }
        }
}

/* SGEMM's 2-iteration run against the host's own product of the floats it
 * read, on every 61st thread and the last: the self-check alone would pass
 * a kernel that multiplied the wrong tiles consistently. The tolerance is
 * 1e-4 of the sum of the products' sizes (float accumulation of a few
 * hundred terms stays well inside it; a wrong tile is off by about the
 * value itself, some 100 times more). */
static int verify_sgemm_reference(const struct suite_config *c, unsigned grid, const unsigned *ref, char *err,
                                  size_t errlen)
{
    const unsigned nchunks = (c->mask + 1u) / SGEMM_CHUNK_WORDS;
    unsigned T = grid * c->threads, t, n;
    if (c->threads != 256 || nchunks == 0 || c->p < 1 || T == 0) {
        snprintf(err, errlen, "mb_sgemm needs 256 threads, p >= 1 and a footprint of at least %u words",
                 SGEMM_CHUNK_WORDS);
        return -1;
    }
    for (n = 0; n <= (T - 1) / 61 + 1; n++) {
        double want, size;
        float got;
        t = n * 61 < T ? n * 61 : T - 1;
        sgemm_thread_sum(c, t, nchunks, &want, &size);
        memcpy(&got, &ref[t], sizeof got);
        if (!(fabs((double)got - want) <= 1e-4 * size)) {
            snprintf(err, errlen, "thread %u: the 2-iteration run gave %g, the product of the tiles it reads is %g",
                     t, (double)got, want);
            return -1;
        }
    }
    return 0;
}

/* The value every thread computes for kernels whose threads agree; 0
 * when the kernel is not one of them. */
static int uniform_expect(const struct suite_config *c, unsigned *want)
{
    const char *k = c->kernel;
    int ilp = c->p == 1 || c->p == 2 || c->p == 4 ? c->p : 8;
    if (strcmp(k, "mb_hfma2_f16") == 0)
        *want = f2u(half_pairs_expect(ilp, c->iters, 0));
    else if (strcmp(k, "mb_hfma2_bf16") == 0)
        *want = f2u(half_pairs_expect(4, c->iters, 1));
    else if (strcmp(k, "mb_int_alu") == 0 || strcmp(k, "mb_int_imad") == 0)
        *want = int_expect(k[7] == 'i', ilp, c->iters, (unsigned)c->q);
    else if (strcmp(k, "mb_shared_atomic") == 0)
        *want = (unsigned)c->iters * c->threads;
    else if (strcmp(k, "mb_sleep") == 0)
        *want = (unsigned)c->iters;
    else if (strcmp(k, "mb_store") == 0 || strcmp(k, "mb_copy") == 0 || strcmp(k, "mb_atomic") == 0)
        *want = 1;
    else
        return 0;
    return 1;
}

static int verify_uniform(unsigned T, const unsigned *check, unsigned want, char *err, size_t errlen)
{
    unsigned t;
    for (t = 0; t < T; t++)
        if (check[t] != want) {
            snprintf(err, errlen, "thread %u computed 0x%08x, expected 0x%08x", t, check[t], want);
            return -1;
        }
    return 0;
}

static int verify_sfu(const struct suite_config *c, unsigned T, const unsigned *check, char *err, size_t errlen)
{
    int ilp = c->p == 1 || c->p == 2 || c->p == 4 ? c->p : 8, i;
    float seeds = 0.0f;
    unsigned t;
    for (i = 0; i < ilp; i++)
        seeds += 1.5f + (float)i * 0.25f;
    for (t = 0; t < T; t++) {
        float v;
        memcpy(&v, &check[t], sizeof v);
        if (!(fabsf(v - seeds) <= 0.05f * seeds)) {
            snprintf(err, errlen, "thread %u computed %g, expected %g within 5%%", t, (double)v, (double)seeds);
            return -1;
        }
    }
    return 0;
}

static int verify_shared(const struct suite_config *c, unsigned T, const unsigned *check, char *err, size_t errlen)
{
    unsigned lane, lw[32], t;
    for (lane = 0; lane < 32; lane++)
        lw[lane] = shared_expect(lane, (unsigned)c->p, c->iters);
    for (t = 0; t < T; t++)
        if (check[t] != lw[t & 31u]) {
            snprintf(err, errlen, "thread %u computed 0x%08x, expected 0x%08x", t, check[t], lw[t & 31u]);
            return -1;
        }
    return 0;
}

/* Loads: a few threads, first, middle and last. */
static int verify_load(const struct suite_config *c, unsigned T, const unsigned *check, char *err, size_t errlen)
{
    unsigned sample[6];
    size_t i;
    sample[0] = 0;
    sample[1] = 1;
    sample[2] = 33 % T;
    sample[3] = T / 2 + 5 < T ? T / 2 + 5 : T - 1;
    sample[4] = T - 2 < T ? T - 2 : 0;
    sample[5] = T - 1;
    for (i = 0; i < 6; i++) {
        unsigned w = load_expect(c, T, sample[i], c->iters);
        if (check[sample[i]] != w) {
            snprintf(err, errlen, "thread %u computed 0x%08x, expected 0x%08x", sample[i], check[sample[i]], w);
            return -1;
        }
    }
    return 0;
}

static int verify_atomic_sum(const struct suite_config *c, unsigned T, const unsigned *b, size_t b_words, char *err,
                             size_t errlen)
{
    unsigned sum = 0;
    size_t i;
    for (i = 0; i < b_words; i++)
        sum += b[i];
    if (sum != (unsigned)c->iters * T) {
        snprintf(err, errlen, "the counters sum to %u, expected %u", sum, (unsigned)c->iters * T);
        return -1;
    }
    return 0;
}

/* Without wrap-around, word w was written at step n by thread t where
 * n * T + t is w (32-bit stores) or w / 4 (128-bit stores, variant w % 4).
 * When the steps wrap around the footprint, threads race for the same
 * words, and all that is known is that every word was written: it holds an
 * even value, where the buffer held 0xFFFFFFFF. */
static int verify_stores(const struct suite_config *c, unsigned T, const unsigned *b, size_t b_words, char *err,
                         size_t errlen)
{
    size_t i, per = c->p == 4 ? 4u : 1u, covered = (size_t)c->iters * T * per;
    int exact = covered <= (size_t)c->mask + 1u;
    for (i = 0; i < b_words && i < covered; i++) {
        size_t slot = i / per;
        unsigned want_w = mb_store_variant(mb_store_word((unsigned)(slot / T), (unsigned)(slot % T)),
                                           (unsigned)(i % per));
        if (exact ? b[i] != want_w : (b[i] & 1u) != 0) {
            if (exact)
                snprintf(err, errlen, "word %zu holds 0x%08x, expected 0x%08x", i, b[i], want_w);
            else
                snprintf(err, errlen, "word %zu was not written (holds 0x%08x)", i, b[i]);
            return -1;
        }
    }
    return 0;
}

static int verify_copy(const struct suite_config *c, unsigned T, const unsigned *b, size_t b_words, char *err,
                       size_t errlen)
{
    size_t i, covered = (size_t)c->iters * T * 4u;
    for (i = 0; i < b_words && i < covered; i++)
        if (b[i] != mb_buffer_word((unsigned)i) + 1u) {
            snprintf(err, errlen, "word %zu holds 0x%08x, expected 0x%08x", i, b[i], mb_buffer_word((unsigned)i) + 1u);
            return -1;
        }
    return 0;
}

/* The buffer a kernel wrote (atomics, stores, copies). */
static int verify_buffer(const struct suite_config *c, unsigned T, const unsigned *b, size_t b_words, char *err,
                         size_t errlen)
{
    if (strcmp(c->kernel, "mb_atomic") == 0)
        return verify_atomic_sum(c, T, b, b_words, err, errlen);
    if (strcmp(c->kernel, "mb_store") == 0)
        return verify_stores(c, T, b, b_words, err, errlen);
    if (strcmp(c->kernel, "mb_copy") == 0)
        return verify_copy(c, T, b, b_words, err, errlen);
    return 0;
}

int suite_verify(const struct suite_config *c, unsigned grid, const unsigned *check, const unsigned *b,
                 size_t b_words, const unsigned *ref, char *err, size_t errlen)
{
    unsigned T = grid * c->threads, want = 0;
    const char *k = c->kernel;
    int rc;
    if (c->selfcheck && ref && strcmp(k, "mb_sgemm") == 0 && verify_sgemm_reference(c, grid, ref, err, errlen) != 0)
        return -1;
    if (c->selfcheck)
        return verify_selfcheck(c, T, check, ref, err, errlen);
    if (uniform_expect(c, &want))
        rc = verify_uniform(T, check, want, err, errlen);
    else if (strcmp(k, "mb_sfu") == 0)
        rc = verify_sfu(c, T, check, err, errlen);
    else if (strcmp(k, "mb_shared") == 0)
        rc = verify_shared(c, T, check, err, errlen);
    else if (strcmp(k, "mb_load") == 0)
        rc = verify_load(c, T, check, err, errlen);
    else {
        snprintf(err, errlen, "no check is known for kernel %s", k);
        return -1;
    }
    return rc ? rc : verify_buffer(c, T, b, b_words, err, errlen);
}
