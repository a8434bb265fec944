/* Unit tests: the calibration suite's configurations and the host-side
 * checks of kernel results (they must accept the right values and reject
 * anything else). */
#include "testlib.h"

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

static void test_build(void)
{
    size_t n = suite_build(cfg, 256, 132, 9, 0), i, j, wg = 0;
    const char *families[] = { "fp32", "fp64", "fp16", "int", "sfu", "mma", "wgmma", "shared", "l1", "l2",
                               "dram", "atomic", "diverge", "idle", "mix" };
    CHECK(n >= 100);
    for (i = 0; i < n; i++) {
        CHECK(cfg[i].name[0] && cfg[i].family[0] && cfg[i].kernel);
        CHECK(cfg[i].threads >= 32 && cfg[i].threads <= 1024);
        CHECK(suite_grid(&cfg[i], 132) * cfg[i].threads <= 132u * 2048u);
        for (j = 0; j < i; j++)
            CHECK(strcmp(cfg[i].name, cfg[j].name) != 0);
        wg += strcmp(cfg[i].family, "wgmma") == 0;
    }
    for (j = 0; j < sizeof families / sizeof families[0]; j++) {
        size_t k = 0;
        for (i = 0; i < n; i++)
            k += strcmp(cfg[i].family, families[j]) == 0;
        CHECK(k >= 3);
    }
    CHECK(wg == 5);
    /* no wgmma off Hopper */
    n = suite_build(cfg, 256, 108, 8, 0);
    for (i = 0; i < n; i++)
        CHECK(!cfg[i].hopper_only);
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

    /* fp32, ILP 2: after an even count the seeds come back; the sum of the
     * two seeds, computed here independently */
    c = *find(n, "fp32_ilp2_w64");
    c.iters = 10;
    grid = suite_grid(&c, 4);
    T = grid * c.threads;
    for (t = 0; t < T; t++)
        check[t] = f2u((1.0f + 5.0f / 1024.0f) + (1.0f + 42.0f / 1024.0f));
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == 0);
    c.iters = 11; /* odd: 1.5 - x each */
    for (t = 0; t < T; t++)
        check[t] = f2u((0.5f - 5.0f / 1024.0f) + (0.5f - 42.0f / 1024.0f));
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == 0);
    check[T - 1] ^= 1;
    CHECK(suite_verify(&c, grid, check, NULL, 0, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "thread");

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

int main(void)
{
    test_build();
    test_verify();
    return tl_done();
}
