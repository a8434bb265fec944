/* Unit tests: the summary of a power window (power_summary), on samples as
 * the NVML poller takes them: the energy counter for the average, the
 * instant field for min and peak, and the instant field's lag. */
#include "testlib.h"

#include "power_meter.h"

/* 5 ms polls from t = 0 to 0.6 s: the energy counter advances at power_w
 * (in whole mJ, as NVML counts), the instant field reads idle_w until
 * lag_s, then power_w with a 10 W swing every other poll. */
static size_t fill(struct power_sample *s, size_t cap, double power_w, double idle_w, double lag_s)
{
    size_t n = 0;
    double e_mj = 1e6;
    for (n = 0; n < cap; n++) {
        double t = 0.005 * (double)n;
        if (n)
            e_mj += power_w * 0.005 * 1000.0;
        s[n].t = t;
        s[n].energy_mj = (unsigned long long)e_mj;
        s[n].instant_w = t < lag_s ? idle_w : power_w + (n % 2 ? 5.0 : -5.0);
        s[n].sm_clock_mhz = 1980;
        s[n].temp_c = 40 + (unsigned)(n / 40);
    }
    return n;
}

static void test_summary(void)
{
    struct power_sample s[121];
    struct power_window w;
    char err[128];
    size_t n = fill(s, 121, 500.0, 130.0, 0.1);

    /* the whole window: the average is the counter's, min sees the lag */
    CHECK(power_summary(s, n, 0.05, 0.55, 0.05, &w, err, sizeof err) == 0);
    CHECK_NEAR(w.avg_w, 500.0, 1.0);
    CHECK_NEAR(w.min_w, 130.0, 1e-9);
    CHECK_NEAR(w.peak_w, 505.0, 1e-9);
    CHECK_NEAR(w.sm_clock_mhz, 1980.0, 1e-9);
    CHECK(w.samples == 101);
    CHECK_NEAR(w.duration_s, 0.5, 1e-12);
    /* min and peak from 0.2 s on: the lag is gone, the average unchanged */
    CHECK(power_summary(s, n, 0.05, 0.55, 0.2, &w, err, sizeof err) == 0);
    CHECK_NEAR(w.avg_w, 500.0, 1.0);
    CHECK_NEAR(w.min_w, 495.0, 1e-9);
    CHECK_NEAR(w.peak_w, 505.0, 1e-9);
    CHECK(w.samples == 101);
    /* too few polls */
    CHECK(power_summary(s, n, 0.05, 0.08, 0.05, &w, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "power samples");
    /* instant readings only before t_instant: none to take min and peak from */
    CHECK(power_summary(s, n, 0.05, 0.55, 0.56, &w, err, sizeof err) == -1);
    /* a counter that never moves gives no average, but min and peak */
    {
        size_t i;
        for (i = 0; i < n; i++)
            s[i].energy_mj = 7;
        CHECK(power_summary(s, n, 0.05, 0.55, 0.2, &w, err, sizeof err) == -2);
        CHECK(isnan(w.avg_w));
        CHECK_NEAR(w.min_w, 495.0, 1e-9);
        CHECK_CONTAINS(err, "energy counter");
    }
}

int main(void)
{
    test_summary();
    return tl_done();
}
