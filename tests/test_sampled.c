/* Tests of the sampled route: the PM sample lines (pm_samples.c), the
 * sampled metrics' names (feature_table.c) and the estimate over a run
 * (sampled.c) on a timeline written here with a model made here, so that
 * every figure can be worked out by hand. */
#include "testlib.h"

#include "feature_table.h"
#include "model.h"
#include "pm_samples.h"
#include "sampled.h"
#include "timeline.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = plat_fopen(path, "wb");
    if (!f) {
        CHECK(0);
        return;
    }
    fputs(text, f);
    fclose(f);
}

static void test_metric_names(void)
{
    CHECK(features_metric_by_sampled("gpc__cycles_elapsed.avg.per_second") == M_SM_CLOCK);
    CHECK(features_metric_by_sampled("TPC.TriageCompute.sm__cycles_active.avg") == M_SM_ACTIVE_CYC);
    CHECK(features_metric_by_sampled("TPC.TriageCompute.sm__inst_executed_realtime.avg.pct_of_peak_sustained_elapsed") ==
          M_PM_ISSUE);
    CHECK(features_metric_by_sampled("FBSP.TriageCompute.dramc__read_throughput.avg.pct_of_peak_sustained_elapsed") ==
          M_PM_DRAM_READ);
    CHECK(features_metric_by_sampled("PCI.TriageCompute.pcie__read_bytes.sum") == -1);
    CHECK(features_metric_by_sampled("sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed") == -1);
}

#define HEADER "# pm device 0 interval_ns 1000 chip GH100 metrics 3 gpc__cycles_elapsed.avg.per_second " \
               "TPC.TriageCompute.sm__cycles_active.avg " \
               "TPC.TriageCompute.sm__inst_executed_realtime.avg.pct_of_peak_sustained_elapsed"

static void test_lines(void)
{
    static const struct { const char *line, *why; } bad[] = {
        { "# pm device 5 interval_ns 0 chip GH100 metrics 1 x", "expected '# pm device D" },
        { "# pm device 5 interval_ns 10 chip GH100 metrics 99 x", "(N 1 to 32)" },
        { "# pm device 5 interval_ns 10 chip GH100 metrics 2 x", "fewer counter names" },
        { "# pm device 0 interval_ns 10 chip GH100 metrics 2 x y", "device 0 sampled twice with other counters" },
        { "M 3 0 1000 1 2 3", "no '# pm device' line named before" },
        { "M 0 0 1000 1 2", "and 3 counter values" },
        { "M 0 0 1000 1 2 3 4", "and 3 counter values" },
        { "M 0 0 1000 1 nan 3", "and 3 counter values" },
        { "M 0 x 1000 1 2 3", "and 3 counter values" },
    };
    struct pm_samples s;
    char why[160];
    double value[M_COUNT];
    unsigned char have[M_COUNT];
    size_t i;
    pm_samples_init(&s);
    CHECK(pm_samples_line(&s, "K 1 2 0 k", why, sizeof why) == 0);
    CHECK(pm_samples_line(&s, "# clock start cupti_ns 1 monotonic_ns 2", why, sizeof why) == 0);
    CHECK(pm_samples_line(&s, "# pm_gpu device 0 NVIDIA H200", why, sizeof why) == 1);
    CHECK(pm_samples_line(&s, HEADER, why, sizeof why) == 1);
    CHECK(s.ndev == 1 && s.dev[0].nmetrics == 3 && s.dev[0].interval_ns == 1000);
    CHECK(s.dev[0].metric[2] == M_PM_ISSUE);
    CHECK(pm_samples_line(&s, "M 0 2000 3000 2e9 1.5 99.8", why, sizeof why) == 1);
    CHECK(s.dev[0].n == 1);
    pm_samples_values(&s.dev[0], 0, value, have);
    CHECK(have[M_SM_CLOCK] && have[M_SM_ACTIVE_CYC] && have[M_PM_ISSUE] && have[M_SM_ELAPSED_CYC]);
    CHECK_NEAR(value[M_SM_ELAPSED_CYC], 2000.0, 1e-9); /* 2 GHz x 1 us */
    CHECK_NEAR(value[M_PM_ISSUE], 99.8, 1e-6);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        CHECK(pm_samples_line(&s, bad[i].line, why, sizeof why) == -1);
        CHECK_CONTAINS(why, bad[i].why);
    }
    CHECK(s.nnotes == 1);
    CHECK_STR(s.note[0], "pm_gpu device 0 NVIDIA H200");
    pm_samples_free(&s);
}

/* samples over 100 intervals long (the sampler idle before its start) and
 * those out of order */
static void test_tidy(void)
{
    struct pm_samples s;
    char why[160];
    pm_samples_init(&s);
    pm_samples_line(&s, HEADER, why, sizeof why);
    pm_samples_line(&s, "M 0 0 500000 1 1 1", why, sizeof why);
    pm_samples_line(&s, "M 0 3000 4000 1 1 30", why, sizeof why);
    pm_samples_line(&s, "M 0 2000 3000 1 1 20", why, sizeof why);
    pm_samples_line(&s, "M 0 4000 4000 1 1 40", why, sizeof why);
    pm_samples_tidy(&s);
    CHECK(s.dev[0].n == 2);
    CHECK(s.dev[0].start_ns[0] == 2000 && s.dev[0].start_ns[1] == 3000);
    CHECK_NEAR(s.dev[0].value[2], 20.0, 1e-9);
    CHECK_NEAR(s.dev[0].value[5], 30.0, 1e-9);
    pm_samples_free(&s);
}

/* P = 100 + 200 x sm_active + 300 x issue (avg target), limit 700 W */
static void sampled_model_setup(struct model *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->gpu, sizeof m->gpu, "NVIDIA H200");
    snprintf(m->variant, sizeof m->variant, "sampled");
    m->idle_w = 100;
    m->power_limit_w = 700;
    m->nfeatures = 2;
    m->feature[0] = features_find("sm_active");
    m->feature[1] = features_find("pm_issue");
    m->ncomponents = 3;
    snprintf(m->component[0], sizeof m->component[0], "static");
    snprintf(m->component[1], sizeof m->component[1], "sm_active");
    snprintf(m->component[2], sizeof m->component[2], "sm_issue");
    m->feature_component[0] = 1;
    m->feature_component[1] = 2;
    m->coef[TARGET_AVG][0] = 100;
    m->coef[TARGET_AVG][1] = 200;
    m->coef[TARGET_AVG][2] = 300;
}

/* The model of these tests and a temporary directory with run.txt's path in
 * it; -1 (a failed check) when the directory cannot be made. */
static int run_setup(struct model *m, char *dir, size_t dirlen, char *path, size_t pathlen)
{
    sampled_model_setup(m);
    if (!plat_make_temp_dir(tl_temp_name(dir, dirlen, "gp_test_sampled.XXXXXX"))) {
        CHECK(0);
        return -1;
    }
    snprintf(path, pathlen, "%s/run.txt", dir);
    return 0;
}

/* One second in ten samples of 0.1 s at 1 GHz: the first five all busy
 * (sm_active 1, issue 100%: 600 W), the next five idle (100 W). Kernel a
 * covers 0-0.3 s; kernels b and c overlap over 0.3-0.5 s (streams). */
static const char *const RUN =
    "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\n# processes 1\n# idle_before_w 90\n"
    "# pm_gpu device 0 NVIDIA H200\n"
    "# pm device 0 interval_ns 100000000 chip GH100 metrics 3 gpc__cycles_elapsed.avg.per_second "
    "TPC.TriageCompute.sm__cycles_active.avg "
    "TPC.TriageCompute.sm__inst_executed_realtime.avg.pct_of_peak_sustained_elapsed\n"
    "P 0 610\nP 100000000 590\nP 200000000 600\nP 300000000 600\nP 400000000 600\n"
    "P 500000000 100\nP 600000000 100\nP 700000000 100\nP 800000000 100\nP 900000000 100\n"
    "M 0 0 100000000 1e9 1e8 100\nM 0 100000000 200000000 1e9 1e8 100\nM 0 200000000 300000000 1e9 1e8 100\n"
    "M 0 300000000 400000000 1e9 1e8 100\nM 0 400000000 500000000 1e9 1e8 100\n"
    "M 0 500000000 600000000 1e9 0 0\nM 0 600000000 700000000 1e9 0 0\nM 0 700000000 800000000 1e9 0 0\n"
    "M 0 800000000 900000000 1e9 0 0\nM 0 900000000 1000000000 1e9 0 0\n"
    "N 0 _Z1av\nN 1 _Z1bv\nN 2 _Z1cv\n"
    "K 0 300000000 0 0\nK 300000000 500000000 0 1\nK 300000000 500000000 0 2\n";

static void test_estimate(void)
{
    char dir[1024], path[1200], err[256];
    struct timeline t;
    struct model m;
    struct sampled_result r;
    size_t i;
    if (run_setup(&m, dir, sizeof dir, path, sizeof path) != 0)
        return;
    write_file(path, RUN);
    CHECK(timeline_load(path, &t, err, sizeof err) == 0);
    CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == 0);
    CHECK_STR(r.gpu, "NVIDIA H200");
    CHECK(r.samples == 10);
    CHECK_NEAR(r.energy_j, 0.5 * 600 + 0.5 * 100, 1e-9);
    CHECK_NEAR(r.avg_w, 350.0, 1e-9);
    CHECK_NEAR(r.min_w, 100.0, 1e-9);
    CHECK_NEAR(r.peak_w, 600.0, 1e-9);
    CHECK_NEAR(r.meas_min_w, 100.0, 1e-9);
    CHECK_NEAR(r.meas_peak_w, 610.0, 1e-9);
    CHECK(r.nwindows == 10);
    /* |600-610|/610 + |600-590|/590, over 10 windows */
    CHECK_NEAR(r.window_mape_pct, 100.0 * (10.0 / 610 + 10.0 / 590) / 10, 1e-9);
    CHECK_NEAR(r.busy_s, 0.5, 1e-9);
    CHECK_NEAR(r.busy_avg_w, 600.0, 1e-9);
    /* a: 3 samples of 60 J; b and c split two samples of 60 J */
    CHECK(r.nnames == 3 && r.kernels == 3);
    CHECK(r.names[0].name_id == 0);
    CHECK_NEAR(r.names[0].energy_j, 180.0, 1e-9);
    CHECK_NEAR(r.names[1].energy_j, 60.0, 1e-9);
    CHECK_NEAR(r.names[2].energy_j, 60.0, 1e-9);
    CHECK(r.names[1].name_id == 1 && r.names[2].name_id == 2); /* equal energies: by name */
    CHECK_NEAR(r.kernel_energy_j, 300.0, 1e-9);
    CHECK_NEAR(r.between_j, 50.0, 1e-9);
    /* components: static 100 W throughout, sm_active 200 and issue 300 W half the time */
    CHECK_NEAR(r.component_j[0], 100.0, 1e-9);
    CHECK_NEAR(r.component_j[1], 100.0, 1e-9);
    CHECK_NEAR(r.component_j[2], 150.0, 1e-9);
    for (i = 0; i < TIMELINE_BINS; i++)
        if (fabs(r.series_w[i] - (i < TIMELINE_BINS / 2 ? 600.0 : 100.0)) > 1e-6)
            break;
    CHECK(i == TIMELINE_BINS);
    sampled_free(&r);
    /* another device: none sampled */
    CHECK(sampled_estimate(&t, 1, &m, &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no PM samples of device 1");
    /* a model of a counter the samples lack */
    m.feature[1] = features_find("pm_fp64");
    CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "lack the counters of the model's feature pm_fp64");
    timeline_free(&t);
    plat_remove(path);
    plat_remove_dir(dir);
}

/* Samples the model puts over the limit (900 W) get the limit times
 * (f / f_ref)^2, f_ref^2 their mean of f^2 in the window (the power
 * manager's clock swing: run 16's mm_bf16): 1.0 and 1.2 GHz alternate, so
 * 700 / 1.22 and 700 x 1.44 / 1.22 W, their mean 700 W; the sample under
 * the limit (100 W, idle at 0.8 GHz) keeps its power and is not in the
 * mean, nor is a sample before the window. */
static void test_clock_at_limit(void)
{
    static const char run[] =
        "# gpu_profiler_timeline 1\n# window_ns 0 500000000\n# processes 1\n# idle_before_w 90\n"
        "# pm_gpu device 0 NVIDIA H200\n"
        "# pm device 0 interval_ns 100000000 chip GH100 metrics 3 gpc__cycles_elapsed.avg.per_second "
        "TPC.TriageCompute.sm__cycles_active.avg "
        "TPC.TriageCompute.sm__inst_executed_realtime.avg.pct_of_peak_sustained_elapsed\n"
        "P 0 600\nP 100000000 800\nP 200000000 600\nP 300000000 800\nP 400000000 300\n"
        "M 0 0 100000000 1e9 1e8 200\nM 0 100000000 200000000 1.2e9 1.2e8 200\n"
        "M 0 200000000 300000000 1e9 1e8 200\nM 0 300000000 400000000 1.2e9 1.2e8 200\n"
        "M 0 400000000 500000000 0.8e9 0 0\n"
        /* before the window: at a high clock, not in the mean */
        "M 0 -100000000 0 2e9 2e8 200\n";
    char dir[1024], path[1200], err[256];
    struct timeline t;
    struct model m;
    struct sampled_result r;
    double lo = 700.0 / 1.22, hi = 700.0 * 1.44 / 1.22, sum = 0;
    size_t k;
    if (run_setup(&m, dir, sizeof dir, path, sizeof path) != 0)
        return;
    write_file(path, run);
    CHECK(timeline_load(path, &t, err, sizeof err) == 0);
    CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == 0);
    CHECK(r.samples == 5);
    CHECK_NEAR(r.energy_j, 0.1 * (2 * lo + 2 * hi) + 0.1 * 100, 1e-6);
    CHECK_NEAR(r.avg_w, (0.4 * 700 + 0.1 * 100) / 0.5, 1e-6);
    CHECK_NEAR(r.min_w, 100.0, 1e-6);
    CHECK_NEAR(r.peak_w, hi, 1e-6);
    for (k = 0; k < m.ncomponents; k++)
        sum += r.component_j[k];
    CHECK_NEAR(sum, r.energy_j, 1e-6); /* the components follow the clock too */
    sampled_free(&r);
    timeline_free(&t);
    /* a clock no GPU runs at (1e15 Hz, or beyond float's range) is held to 1.5 times the limit, or left out */
    {
        static const char *const spikes[] = { "1e15", "1e39" };
        size_t j;
        for (j = 0; j < 2; j++) {
            char text[2048], *at;
            snprintf(text, sizeof text, "%s", run);
            at = strstr(text, "M 0 100000000 200000000 1.2e9");
            CHECK(at != NULL);
            if (!at)
                break;
            snprintf(text + (at - text), sizeof text - (size_t)(at - text), "M 0 100000000 200000000 %s 1.2e8 200%s",
                     spikes[j], strstr(run, "\nM 0 200000000"));
            write_file(path, text);
            CHECK(timeline_load(path, &t, err, sizeof err) == 0);
            CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == 0);
            CHECK(isfinite(r.avg_w) && r.peak_w <= 1.5 * 700 + 1e-6 && r.min_w >= 0.5 * 100 - 1e-6);
            sampled_free(&r);
            timeline_free(&t);
        }
    }
    plat_remove(path);
    plat_remove_dir(dir);
}

/* The window longer than the samples: the rest at the idle measured before;
 * but where the tracer noted a failed decode (the H100 in run 19) the
 * estimate ends at the last sample and says what was left out. */
static void test_uncovered(void)
{
    static const struct {
        const char *note, *why;
        double duration_s, energy_j, left_out_s;
    } cases[] = {
        { "", "", 1.0, 0.5 * 600 + 0.5 * 90, 0.0 },
        { "# pm_error device 0 decode: CUPTI_ERROR_OUT_OF_MEMORY\n", "decode: CUPTI_ERROR_OUT_OF_MEMORY", 0.5,
          0.5 * 600, 0.5 },
    };
    char dir[1024], path[1200], err[256], text[512];
    struct timeline t;
    struct model m;
    struct sampled_result r;
    size_t i;
    if (run_setup(&m, dir, sizeof dir, path, sizeof path) != 0)
        return;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\n# idle_before_w 90\n%s"
                 HEADER "\nM 0 0 500000000 1e9 5e8 100\n", cases[i].note);
        write_file(path, text);
        CHECK(timeline_load(path, &t, err, sizeof err) == 0);
        CHECK_STR(pm_samples_stop_note(&t.pm, 0) ? pm_samples_stop_note(&t.pm, 0) : "", cases[i].why);
        CHECK(pm_samples_stop_note(&t.pm, 1) == NULL);
        CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == 0);
        CHECK_NEAR(r.covered_s, 0.5, 1e-9);
        CHECK_NEAR(r.duration_s, cases[i].duration_s, 1e-9);
        CHECK_NEAR(r.energy_j, cases[i].energy_j, 1e-9);
        CHECK_NEAR(r.left_out_s, cases[i].left_out_s, 1e-9);
        CHECK_STR(r.stop_why, cases[i].why);
        CHECK(!r.has_measured);
        sampled_free(&r);
        timeline_free(&t);
    }
    plat_remove(path);
    plat_remove_dir(dir);
}

/* A restart of the tracer's sampler after a failed decode: the gap after
 * the sample it names is bridged by the mean of its neighbours (600 and
 * 100 W: 350 W over 0.4 s), not taken at idle (90 W); a restart whose
 * time names no sample read marks nothing. The mark survives tidy and a
 * write and read back (the merged timeline). */
static void test_restart_gap(void)
{
    static const struct {
        const char *after;
        double energy_j, bridged_s;
    } cases[] = {
        { "300000000", 0.3 * 600 + 0.4 * 350 + 0.3 * 100, 0.4 },
        { "123", 0.3 * 600 + 0.4 * 90 + 0.3 * 100, 0.0 },
    };
    char dir[1024], path[1200], err[256], text[700], line[256];
    struct timeline t;
    struct model m;
    struct sampled_result r;
    struct pm_samples back;
    FILE *f;
    size_t i;
    if (run_setup(&m, dir, sizeof dir, path, sizeof path) != 0)
        return;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\n# idle_before_w 90\n"
                 HEADER "\nM 0 0 300000000 1e9 3e8 100\n# pm_restart device 0 after_ns %s decode: "
                 "CUPTI_ERROR_OUT_OF_MEMORY\nM 0 700000000 1000000000 1e9 0 0\n", cases[i].after);
        write_file(path, text);
        CHECK(timeline_load(path, &t, err, sizeof err) == 0);
        CHECK(t.pm.dev[0].restarts == 1);
        CHECK(t.pm.dev[0].restart_after[0] == (cases[i].bridged_s > 0) && t.pm.dev[0].restart_after[1] == 0);
        CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == 0);
        CHECK_NEAR(r.energy_j, cases[i].energy_j, 1e-6);
        CHECK_NEAR(r.bridged_s, cases[i].bridged_s, 1e-9);
        CHECK(r.restarts == 1);
        CHECK_STR(r.restart_why, "decode: CUPTI_ERROR_OUT_OF_MEMORY");
        CHECK_NEAR(r.left_out_s, 0.0, 1e-12); /* restarted, not stopped */
        sampled_free(&r);
        if ((f = plat_fopen(path, "wb")) != NULL) { /* written as a merged timeline, read back */
            pm_samples_write(f, &t.pm);
            fclose(f);
        }
        pm_samples_init(&back);
        if ((f = plat_fopen(path, "rb")) != NULL) {
            while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = '\0';
                CHECK(pm_samples_line(&back, line, err, sizeof err) >= 0);
            }
            fclose(f);
        }
        CHECK(back.ndev == 1 && back.dev[0].n == 2 && back.dev[0].restart_after[0] == (cases[i].bridged_s > 0));
        CHECK(back.ndev == 1 && back.dev[0].restarts == 1); /* counted still where it marks no sample */
        pm_samples_free(&back);
        timeline_free(&t);
    }
    plat_remove(path);
    plat_remove_dir(dir);
}

/* The restart's gap where it crosses the window's start or end (its
 * samples on either side outside the window: bridged still), where the
 * sample after it is another process's (the time between two processes is
 * no gap: at idle), and a restart after which no sample came (the sampler
 * stopped there: the estimate over the sampled part, as for a failed
 * decode). Samples 600 W [0, 0.3 s] (the restart after it) and 100 W
 * [0.7, 1 s]; idle 90 W. */
static void test_restart_edges(void)
{
    static const struct {
        const char *window, *contexts, *second;
        double energy_j, bridged_s, left_out_s;
    } cases[] = {
        { "500000000 1000000000", "", "M 0 700000000 1000000000 1e9 0 0\n", 0.2 * 350 + 0.3 * 100, 0.2, 0 },
        { "0 500000000", "", "M 0 700000000 1000000000 1e9 0 0\n", 0.3 * 600 + 0.2 * 350, 0.2, 0 },
        { "0 1000000000", "# context_ns 0 400000000\n# context_ns 600000000 1000000000\n",
          "M 0 700000000 1000000000 1e9 0 0\n", 0.3 * 600 + 0.4 * 90 + 0.3 * 100, 0, 0 },
        { "0 1000000000", "# context_ns 0 1000000000\n", "", 0.3 * 600, 0, 0.7 },
    };
    char dir[1024], path[1200], err[256], text[900];
    struct timeline t;
    struct model m;
    struct sampled_result r;
    size_t i;
    if (run_setup(&m, dir, sizeof dir, path, sizeof path) != 0)
        return;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "# gpu_profiler_timeline 1\n# window_ns %s\n# idle_before_w 90\n%s" HEADER
                 "\nM 0 0 300000000 1e9 3e8 100\n# pm_restart device 0 after_ns 300000000 decode: "
                 "CUPTI_ERROR_OUT_OF_MEMORY\n%s", cases[i].window, cases[i].contexts, cases[i].second);
        write_file(path, text);
        CHECK(timeline_load(path, &t, err, sizeof err) == 0);
        CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == 0);
        CHECK_NEAR(r.energy_j, cases[i].energy_j, 1e-6);
        CHECK_NEAR(r.bridged_s, cases[i].bridged_s, 1e-9);
        CHECK_NEAR(r.left_out_s, cases[i].left_out_s, 1e-9);
        if (cases[i].left_out_s > 0)
            CHECK_STR(r.stop_why, "decode: CUPTI_ERROR_OUT_OF_MEMORY, then no sample after the restart");
        sampled_free(&r);
        timeline_free(&t);
    }
    plat_remove(path);
    plat_remove_dir(dir);
}

/* A kernel that runs on through a restart's gap gets the bridged energy as
 * it gets a sample's (its time there is in its time_s): one kernel over the
 * whole second of test_restart_gap's first case has all of its 350 J,
 * nothing between kernels, and the second is busy. */
static void test_restart_kernel_share(void)
{
    char dir[1024], path[1200], err[256];
    struct timeline t;
    struct model m;
    struct sampled_result r;
    if (run_setup(&m, dir, sizeof dir, path, sizeof path) != 0)
        return;
    write_file(path, "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\n# idle_before_w 90\n" HEADER
               "\nM 0 0 300000000 1e9 3e8 100\n# pm_restart device 0 after_ns 300000000 decode: "
               "CUPTI_ERROR_OUT_OF_MEMORY\nM 0 700000000 1000000000 1e9 0 0\nN 0 k\nK 0 1000000000 0 0\n");
    CHECK(timeline_load(path, &t, err, sizeof err) == 0);
    CHECK(sampled_estimate(&t, 0, &m, &r, err, sizeof err) == 0);
    CHECK_NEAR(r.energy_j, 350, 1e-6);
    CHECK(r.nnames == 1);
    if (r.nnames == 1) {
        CHECK_NEAR(r.names[0].energy_j, 350, 1e-6);
        CHECK_NEAR(r.names[0].time_s, 1.0, 1e-9);
    }
    CHECK_NEAR(r.between_j, 0, 1e-6);
    CHECK_NEAR(r.busy_s, 1.0, 1e-9);
    CHECK_NEAR(r.busy_avg_w, 350, 1e-6);
    sampled_free(&r);
    timeline_free(&t);
    plat_remove(path);
    plat_remove_dir(dir);
}

int main(void)
{
    test_metric_names();
    test_lines();
    test_tidy();
    test_estimate();
    test_clock_at_limit();
    test_uncovered();
    test_restart_gap();
    test_restart_edges();
    test_restart_kernel_share();
    return tl_done();
}
