/* Unit tests for window.c: the streamed min and peak are
 * estimate_window_extremes's, bit for bit, on random kernel sequences
 * (zero and negative durations, runs shorter and longer than the window,
 * equal and wildly different durations), and the memory held stays bounded
 * by the kernels of a window or two. */
#include "estimate.h"
#include "testlib.h"
#include "window.h"

static unsigned long long rng = 88172645463325252ull;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* A duration: mostly 1 us to 10 ms, at times 0, negative, or 0.3 s. */
static double duration(void)
{
    double u = uniform();
    if (u < 0.05)
        return 0;
    if (u < 0.07)
        return -1e-3;
    if (u < 0.09)
        return 0.3;
    return 1e-6 * pow(1e4, uniform());
}

static void compare(size_t n, double window_s)
{
    double *dur = malloc(n * 3 * sizeof *dur), *mn = dur + n, *pk = mn + n, lo1, hi1, lo2, hi2;
    struct window_stream w;
    size_t i;
    for (i = 0; i < n; i++) {
        dur[i] = duration();
        mn[i] = 100 + 600 * uniform();
        pk[i] = mn[i] + 50 * uniform();
    }
    CHECK(estimate_window_extremes(dur, mn, pk, n, window_s, &lo1, &hi1) == 0);
    window_init(&w, window_s);
    for (i = 0; i < n; i++)
        CHECK(window_push(&w, dur[i], mn[i], pk[i]) == 0);
    CHECK(window_finish(&w, &lo2, &hi2) == 0);
    CHECK(lo1 == lo2 && hi1 == hi2);
    if (!(lo1 == lo2 && hi1 == hi2))
        fprintf(stderr, "  n %zu window %g: %.17g/%.17g against %.17g/%.17g\n", n, window_s, lo2, hi2, lo1, hi1);
    window_free(&w);
    free(dur);
}

int main(void)
{
    static const size_t sizes[] = { 0, 1, 2, 3, 5, 10, 100, 1000, 20000 };
    static const double windows[] = { 0.1, 0.01, 1e-4, 0, 5.0 };
    struct window_stream w;
    double lo, hi;
    size_t i, j, r;
    for (r = 0; r < 20; r++)
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            for (j = 0; j < sizeof windows / sizeof windows[0]; j++)
                compare(sizes[i], windows[j]);
    /* a million 10 us kernels: a 0.1 s window spans 10,000 of them, and no
     * more than about two windows' worth is ever held */
    window_init(&w, 0.1);
    for (i = 0; i < 1000000; i++)
        CHECK(window_push(&w, 1e-5, 300 + (i % 7), 320 + (i % 11)) == 0);
    CHECK(window_finish(&w, &lo, &hi) == 0);
    CHECK(w.most_held <= 20002);
    CHECK(lo > 300 && hi < 331);
    window_free(&w);
    return tl_done();
}
