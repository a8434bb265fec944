/* Unit tests: the calibration suite's configurations and the host-side
 * checks of kernel results (they must accept the right values and reject
 * anything else). */
#include "testlib.h"

#include "mb_random.h"
#include "dataset.h"
#include "name_hints.h"
#include "suite.h"

static struct suite_config cfg[256];

static const struct suite_config *find(size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(cfg[i].name, name) == 0)
            return &cfg[i];
    return NULL;
}

/* The PTX make embeds (empty without nvcc). */
extern const char microbench_ptx[];
extern const char microbench_sm90_ptx[];

/* Every configuration's kernel is an entry of the PTX calibrate loads (its
 * name is what ncu reports and calibrate checks), fits the dataset's kernel
 * column, and, where its work is one data type on one unit, carries the name
 * hint that says it (issue 30: mb_ffma_f32, mb_hmma_f16, ...). */
static void test_kernel_names(void)
{
    size_t n = suite_build(cfg, 256, 132, 9, 0), i;
    struct dataset_row row;
    for (i = 0; i < n; i++) {
        char entry[80];
        struct name_hint h;
        const char *k = cfg[i].kernel;
        CHECK(strlen(k) < sizeof row.kernel);
        snprintf(entry, sizeof entry, ".entry %s(", k);
        if (microbench_ptx[0]) /* built where make found nvcc */
            CHECK(strstr(microbench_ptx, entry) || (microbench_sm90_ptx[0] && strstr(microbench_sm90_ptx, entry)));
        if (strcmp(cfg[i].family, "fp32") == 0 || strcmp(cfg[i].family, "fp32_acc") == 0 ||
            strcmp(cfg[i].family, "fp32_tile") == 0 || strcmp(cfg[i].family, "sgemm") == 0)
            CHECK(name_hint_of(k, &h) && strcmp(h.dtype, "fp32") == 0 && h.unit == HINT_CUDA_CORES);
        else if (strcmp(cfg[i].family, "fp64") == 0)
            CHECK(name_hint_of(k, &h) && strcmp(h.dtype, "fp64") == 0);
        else if (strcmp(cfg[i].family, "mma") == 0 || strcmp(cfg[i].family, "wgmma") == 0 ||
                 strcmp(cfg[i].family, "tensor_mix") == 0)
            CHECK(name_hint_of(k, &h) && strcmp(h.dtype, "fp16") == 0 && h.unit == HINT_TENSOR_CORES);
        else if (strcmp(cfg[i].family, "fp16") == 0)
            CHECK(name_hint_of(k, &h) && h.dtype && h.unit == HINT_UNIT_UNSAID);
    }
}

static void test_build(void)
{
    size_t n = suite_build(cfg, 256, 132, 9, 0), i, j, wg = 0, tm = 0;
    const char *families[] = { "fp32", "fp32_tile", "sgemm", "fp32_acc", "tensor_mix", "fp64", "fp16", "int", "sfu", "mma", "wgmma", "shared", "l1", "l2",
                               "dram", "atomic", "diverge", "idle", "mix" };
    CHECK(n >= 100);
    for (i = 0; i < n; i++) {
        CHECK(cfg[i].name[0] && cfg[i].family[0] && cfg[i].kernel);
        CHECK(cfg[i].threads >= 32 && cfg[i].threads <= 1024);
        CHECK(suite_grid(&cfg[i], 132) * cfg[i].threads <= 132u * 2048u);
        for (j = 0; j < i; j++)
            CHECK(strcmp(cfg[i].name, cfg[j].name) != 0);
        wg += strcmp(cfg[i].family, "wgmma") == 0;
        tm += strcmp(cfg[i].family, "tensor_mix") == 0;
        /* a footprint inside the buffer the kernel reads */
        if (cfg[i].arg_a == BUF_F)
            CHECK(cfg[i].mask <= SUITE_FLOAT_WORDS - 1);
        else
            CHECK(cfg[i].mask <= SUITE_BUF_WORDS - 1);
        if (strcmp(cfg[i].kernel, "mb_sgemm") == 0) {
            /* laid out for 256 threads, reading the floats in whole 3072-word k-tiles */
            CHECK(cfg[i].threads == 256 && cfg[i].arg_a == BUF_F && cfg[i].selfcheck);
            CHECK((cfg[i].mask + 1u) / 3072u >= 1 && cfg[i].p >= 1);
        }
    }
    /* SGEMM from DRAM: every block's k-tiles distinct, more of them than L2 holds (50-60 MB) */
    {
        const struct suite_config *d = find(n, "sgemm_dram");
        CHECK(d != NULL);
        if (d) {
            double tiles = 2.0 * suite_grid(d, 132) * d->p;
            CHECK(tiles <= (d->mask + 1.0) / 3072.0);
            CHECK(tiles * 3072.0 * 4.0 > 120e6);
        }
    }
    for (j = 0; j < sizeof families / sizeof families[0]; j++) {
        size_t k = 0;
        for (i = 0; i < n; i++)
            k += strcmp(cfg[i].family, families[j]) == 0;
        CHECK(k >= 3);
    }
    CHECK(wg == 5);
    CHECK(tm == 3);
    /* no wgmma off Hopper */
    n = suite_build(cfg, 256, 108, 8, 0);
    for (i = 0; i < n; i++)
        CHECK(!cfg[i].hopper_only && strcmp(cfg[i].family, "tensor_mix") != 0);
    CHECK(n >= 100);
    /* the capacity is respected */
    CHECK(suite_build(cfg, 10, 132, 9, 0) == 10);
    /* the grid follows the share of SMs */
    n = suite_build(cfg, 256, 132, 9, 0);
    CHECK(suite_grid(find(n, "fp32_ilp8_sm50"), 132) == 66);
    CHECK(suite_grid(find(n, "fp32_ilp8_w64"), 132) == 132 * 8);
    CHECK(suite_grid(find(n, "idle_sleep_1block"), 132) == 1);
}

static unsigned f2u(float f)
{
    unsigned u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static void test_verify(void)
{
    size_t n = suite_build(cfg, 256, 4, 9, 0);
    struct suite_config c;
    unsigned check[8 * 1024], ref[8 * 1024], grid, T, t;
    char err[256];

    /* every kernel on random floating-point operands is self-checked */
    {
        static const char *const random_fp[] = { "fp32_ilp2_w64", "fp64_ilp4_w8", "tile8_b2", "tile4_b4", "sgemm_l2", "sgemm_dram", "fp32b_ilp4_w64", "tile8b_b2", "sgemmb_l2",
                                                  "diverge_8way_w64", "mix_dram_fma4_w64", "mma_ilp1_w64" };
        size_t i;
        for (i = 0; i < sizeof random_fp / sizeof random_fp[0]; i++) {
            CHECK(find(n, random_fp[i]) != NULL);
            CHECK(find(n, random_fp[i]) && find(n, random_fp[i])->selfcheck);
        }
    }

    /* the suite's data: random words, differing from their neighbours in
     * about half their bits */
    {
        unsigned i, bits = 0;
        for (i = 0; i < 1000; i++)
            bits += (unsigned)__builtin_popcount(mb_buffer_word(i) ^ mb_buffer_word(i + 1));
        CHECK(bits > 14000 && bits < 18000);
        CHECK(mb_rand_f32(0) == -1.0f && mb_rand_f32(0xFFFFFFFFu) < 1.0f);
        CHECK((mb_store_word(12345u, 7u) & 1u) == 0);
        CHECK((mb_store_variant(mb_store_word(12345u, 7u), 3) & 1u) == 0);
    }
    /* make MB_DATA=real's data (mb_real_bits, laid out as mb_buffer_word
     * does then): a third of each kind, each as its law says */
    {
        unsigned i, kinds[3] = { 0, 0, 0 }, bits = 0, in12 = 0, in051 = 0, normal = 0, bad = 0, prev = 0;
        for (i = 0; i < 3000u * 32u; i++) {
            unsigned h = mb_hash32(i ^ 0x5BD1E995u), k = mb_kind(i >> 5);
            unsigned w = mb_real_bits(k, i, h, mb_hash32(h ^ 0x1B873593u));
            float f;
            memcpy(&f, &w, sizeof f);
            if (i % 32u == 0)
                kinds[k]++;
            if (k == 0) {
                normal++;
                in12 += fabsf(f) >= 1.0f && fabsf(f) < 2.0f;
                in051 += fabsf(f) >= 0.5f && fabsf(f) < 1.0f;
                bad += !(fabsf(f) < 4.0f && fabsf(f) > 1e-5f);
            } else if (k == 1) {
                bad += !(f >= 0.0f && f < 1.0f && f * 16777216.0f == floorf(f * 16777216.0f));
            } else {
                float level = f * 255.0f;
                bad += !(f >= 0.0f && f <= 1.0f && fabsf(level - roundf(level)) < 1e-3f);
            }
            if (i)
                bits += (unsigned)__builtin_popcount(w ^ prev);
            prev = w;
        }
        CHECK(bad == 0);
        CHECK(kinds[0] > 900 && kinds[1] > 900 && kinds[2] > 900);
        CHECK_NEAR((double)in12 / normal, 0.272, 0.01);  /* the normal law: P(1 <= |x| < 2) */
        CHECK_NEAR((double)in051 / normal, 0.300, 0.01); /* P(1/2 <= |x| < 1) */
        /* fewer bits switch between neighbours than in random words (16 of 32), many still do */
        CHECK(bits > 8u * 3000u * 32u && bits < 14u * 3000u * 32u);
        /* a double operand of the normal kind: the float's value and 29 bits more, same size */
        CHECK(fabs(mb_operand_f64(2u, 12345u) - (double)mb_operand_f32(2u, 12345u)) <=
              1e-6 * fabs((double)mb_operand_f32(2u, 12345u)) + 1e-300);
    }

    /* loads: sums of the random words the host knows */
    c = *find(n, "l2_load_4m_w64");
    c.iters = 3;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    for (t = 0; t < T; t++) {
        unsigned s = 0, k, q4 = (c.mask + 1u) / 4u;
        for (k = 0; k < 3; k++) {
            unsigned i = (k * T + t) & c.mask;
            s += mb_buffer_word(i) ^ mb_buffer_word((i + q4) & c.mask);
            s += mb_buffer_word((i + 2u * q4) & c.mask) ^ mb_buffer_word((i + 3u * q4) & c.mask);
        }
        check[t] = s;
    }
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == 0);
    check[T / 2 + 5] += 1;
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "thread");

    /* copies: b = a + 1 */
    c = *find(n, "dram_copy_w64");
    c.iters = 2;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    for (t = 0; t < T; t++)
        check[t] = 1;
    for (t = 0; t < 4096; t++)
        ref[t] = mb_buffer_word(t) + 1u;
    CHECK(suite_verify(&c, grid, check, ref, 4096, NULL, err, sizeof err) == 0);
    ref[4000] -= 1;
    CHECK(suite_verify(&c, grid, check, ref, 4096, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "word 4000");

    /* stores: exact values while the steps fit the footprint */
    c = *find(n, "dram_store128_w64");
    c.iters = 1;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    for (t = 0; t < T; t++)
        check[t] = 1;
    for (t = 0; t < 4096; t++)
        ref[t] = mb_store_variant(mb_store_word((t / 4) / T, (t / 4) % T), t % 4);
    CHECK(suite_verify(&c, grid, check, ref, 4096, NULL, err, sizeof err) == 0);
    ref[17] ^= 0x100;
    CHECK(suite_verify(&c, grid, check, ref, 4096, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "word 17");
    /* ... and only "written" once they wrap around it (threads race) */
    c.mask = 1023;
    c.iters = 50;
    for (t = 0; t < 4096; t++)
        ref[t] = mb_store_variant(mb_store_word(t, 3), 3);
    CHECK(suite_verify(&c, grid, check, ref, 4096, NULL, err, sizeof err) == 0);
    ref[99] = 0xFFFFFFFFu;
    CHECK(suite_verify(&c, grid, check, ref, 4096, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "not written");

    /* sleep: each thread counts its iterations */
    c = *find(n, "idle_sleep_w64");
    c.iters = 77;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    for (t = 0; t < T; t++)
        check[t] = 77;
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == 0);
    check[3] = 0;
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == -1);

    /* atomics: the counters must sum to iters * threads */
    c = *find(n, "atomic_addr32_w64");
    c.iters = 5;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    for (t = 0; t < T; t++)
        check[t] = 1;
    memset(ref, 0, sizeof ref);
    ref[0] = 5 * T;
    CHECK(suite_verify(&c, grid, check, ref, 32, NULL, err, sizeof err) == 0);
    ref[1] = 1;
    CHECK(suite_verify(&c, grid, check, ref, 32, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "sum to");

    /* random tensor operands: n iterations give n / 2 times a run of 2 */
    c = *find(n, "mma_ilp1_w64");
    c.iters = 1000;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    for (t = 0; t < T; t++) {
        float r = (float)((int)(t % 7) - 3) * 0.25f;
        ref[t] = f2u(r);
        check[t] = f2u(r * 500.0f);
    }
    CHECK(suite_verify(&c, grid, check, NULL, 0, ref, err, sizeof err) == 0);
    check[5] = f2u(0.0f);
    CHECK(suite_verify(&c, grid, check, NULL, 0, ref, err, sizeof err) == -1);
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == -1);
    for (t = 0; t < T; t++)
        ref[t] = 0;
    CHECK(suite_verify(&c, grid, check, NULL, 0, ref, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "computed nothing");

    /* an unknown kernel is refused, not passed */
    c.kernel = "mb_unknown";
    c.selfcheck = 0;
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no check is known");
}

/* What mb_sgemm leaves in thread t after 2 iterations, computed as the
 * kernel does (float accumulators, its tile layout), with its chunks offset
 * by `shift` (a kernel reading the wrong tiles). */
static float sgemm_2iter(const struct suite_config *c, unsigned t, unsigned shift)
{
    unsigned nchunks = (c->mask + 1u) / 3072u, block = t / 256u, ty = (t % 256u) / 16u, tx = t % 16u;
    float acc[16][8] = { { 0 } }, s = 0;
    unsigned n, kt, k, i, j;
    for (n = 0; n < 2; n++)
        for (kt = 0; kt < (unsigned)c->p; kt++) {
            unsigned base = ((block * 2u + n) * (unsigned)c->p + kt + shift) % nchunks * 3072u;
            for (k = 0; k < 8; k++)
                for (i = 0; i < 16; i++)
                    for (j = 0; j < 8; j++)
                        acc[i][j] = fmaf(mb_buffer_float(base + k * 256u + ty * 16u + i),
                                         mb_buffer_float(base + 2048u + k * 128u + tx * 8u + j), acc[i][j]);
        }
    for (i = 0; i < 16; i++)
        for (j = 0; j < 8; j++)
            s += acc[i][j];
    return s;
}

/* SGEMM: checked against the host's product of the tiles, then by
 * self-consistency */
static void test_verify_sgemm(void)
{
    static unsigned check[4 * 256], ref[4 * 256];
    size_t n = suite_build(cfg, 256, 4, 9, 0);
    struct suite_config c;
    unsigned grid, T, t;
    char err[256];
    CHECK(find(n, "sgemm_l2") != NULL);
    if (!find(n, "sgemm_l2"))
        return;
    c = *find(n, "sgemm_l2");
    c.iters = 10;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    CHECK(T == 4 * 256);
    for (t = 0; t < T; t++) {
        float r = sgemm_2iter(&c, t, 0), v = r * 5.0f;
        memcpy(&ref[t], &r, sizeof r);
        memcpy(&check[t], &v, sizeof v);
    }
    CHECK(suite_verify(&c, grid, check, NULL, 0, ref, err, sizeof err) == 0);
    /* the right sums, in the wrong place: caught by the product, not by the self-check */
    {
        float r = sgemm_2iter(&c, 61, 1), v = r * 5.0f;
        unsigned keep_r = ref[61], keep_c = check[61];
        memcpy(&ref[61], &r, sizeof r);
        memcpy(&check[61], &v, sizeof v);
        CHECK(suite_verify(&c, grid, check, NULL, 0, ref, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "thread 61: the 2-iteration run gave");
        ref[61] = keep_r;
        check[61] = keep_c;
    }
    /* the last thread is always looked at */
    {
        float r;
        memcpy(&r, &ref[T - 1], sizeof r);
        r += 50.0f;
        memcpy(&ref[T - 1], &r, sizeof r);
        CHECK(suite_verify(&c, grid, check, NULL, 0, ref, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "thread 1023");
        r -= 50.0f;
        memcpy(&ref[T - 1], &r, sizeof r);
    }
    /* a thread not sampled by the product is still caught by the self-check */
    {
        float v;
        float big = 0.0f, x;
        unsigned u;
        for (u = 0; u < T; u++) {
            memcpy(&x, &check[u], sizeof x);
            big = fabsf(x) > big ? fabsf(x) : big;
        }
        memcpy(&v, &check[100], sizeof v);
        v += 0.1f * big; /* outside the self-check's 5% of the largest */
        memcpy(&check[100], &v, sizeof v);
        CHECK(suite_verify(&c, grid, check, NULL, 0, ref, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "thread 100 computed");
    }
    /* a layout the kernel refuses */
    c.threads = 128;
    CHECK(suite_verify(&c, 4, check, NULL, 0, ref, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "256 threads");
}

/* mb_ffma_f32's chain on the host (microbench.cu's fma_random_body, ILP 1) on
 * operands of kind `kind` (0-2, mb_real_bits) or random bits (3): the
 * self-check's premise, that n iterations give n / 2 times 2, holds for
 * every kind of operand at twice the suite's longest run. */
static float fp32_chain(unsigned kind, unsigned seed, long iters)
{
    float r[8], x = 0.0f;
    long n;
    int j, k;
    for (j = 0; j < 8; j++) {
        unsigned h = mb_hash32(seed + (unsigned)j * 0x9E3779B9u), u;
        u = mb_real_bits(kind, h, h, mb_hash32(h ^ 0x1B873593u));
        if (kind == 3)
            r[j] = mb_rand_f32(h);
        else
            memcpy(&r[j], &u, sizeof u);
    }
    for (n = 0; n < iters; n++)
        for (k = 0; k < 8; k++)
            x = fmaf(r[k & 7], r[(k + 3) & 7], x);
    return x;
}

static void test_selfcheck_premise(void)
{
    unsigned kind, i;
    for (kind = 0; kind < 4; kind++)
        for (i = 0; i < 2; i++) {
            unsigned seed = mb_hash32((kind * 2u + i) * 256u ^ 0x1234u);
            long n = 320000;
            double r2 = (double)fp32_chain(kind, seed, 2), rn = (double)fp32_chain(kind, seed, n);
            CHECK(r2 != 0.0);
            CHECK(fabs(rn - n / 2.0 * r2) <= 0.05 * n / 2.0 * fabs(r2));
        }
}

int main(void)
{
    test_build();
    test_kernel_names();
    test_verify();
    test_verify_sgemm();
    test_selfcheck_premise();
    return tl_done();
}
