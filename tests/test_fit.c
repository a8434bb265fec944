/* Unit tests: non-negative least squares, the fit and its cross-validation on
 * synthetic datasets, the dataset file round trip and reader errors, and the
 * shipped models reproduced byte for byte from their datasets. */
#include "textio.h"
#include "testlib.h"


#include "calibrate.h"
#include "dataset.h"
#include "feature_table.h"
#include "fit.h"
#include "model.h"

static void test_nnls(void)
{
    /* an exact positive solution is recovered */
    double A[4 * 2] = { 1, 0, 0, 1, 1, 1, 2, 1 }, b[4], x[2];
    int r;
    for (r = 0; r < 4; r++)
        b[r] = 3 * A[r * 2] + 5 * A[r * 2 + 1];
    CHECK(fit_nnls(A, b, 4, 2, x) == 0);
    CHECK_NEAR(x[0], 3, 1e-9);
    CHECK_NEAR(x[1], 5, 1e-9);
    /* a coefficient that least squares would make negative stays at zero */
    for (r = 0; r < 4; r++)
        b[r] = 3 * A[r * 2] - 2 * A[r * 2 + 1];
    CHECK(fit_nnls(A, b, 4, 2, x) == 0);
    CHECK(x[1] == 0.0);
    CHECK(x[0] > 0);
    /* all-negative target: everything zero */
    for (r = 0; r < 4; r++)
        b[r] = -1;
    CHECK(fit_nnls(A, b, 4, 2, x) == 0);
    CHECK(x[0] == 0.0 && x[1] == 0.0);
    CHECK(fit_nnls(A, b, 4, 0, x) == -1);
}

/* A dataset where power = 100 + 200 * sm_active + 300 * dram_read, the
 * metrics set so the features take known values. */
static void synthetic(struct dataset *d, int families, int per_family)
{
    int f, i;
    dataset_init(d);
    snprintf(d->gpu, sizeof d->gpu, "Test GPU");
    d->compute_capability = 9.0;
    snprintf(d->created, sizeof d->created, "2026-11-24T00:00:00Z");
    d->power_limit_w = 700;
    d->idle_w = 90;
    d->metric_cols[M_SM_ACTIVE_CYC] = d->metric_cols[M_SM_ELAPSED_CYC] = d->metric_cols[M_DRAM_READ] = 1;
    for (f = 0; f < families; f++)
        for (i = 0; i < per_family; i++) {
            struct dataset_row *r = dataset_add(d);
            double sa = 0.1 + 0.8 * ((f * 7 + i * 3) % 11) / 10.0, dr = ((f * 5 + i * 2) % 9) / 8.0;
            int t;
            snprintf(r->config, sizeof r->config, "c%d_%d", f, i);
            snprintf(r->family, sizeof r->family, "fam%d", f);
            r->value[M_SM_ACTIVE_CYC] = sa * 1000;
            r->value[M_SM_ELAPSED_CYC] = 1000;
            r->value[M_DRAM_READ] = dr * 100;
            r->have[M_SM_ACTIVE_CYC] = r->have[M_SM_ELAPSED_CYC] = r->have[M_DRAM_READ] = 1;
            for (t = 0; t < TARGET_COUNT; t++) {
                r->power_w[t] = 100 + 200 * sa + 300 * dr + 10 * t;
                r->spread_pct[t] = 1.0 + t;
            }
            r->repeats = 3;
        }
}

static char *model_text(const struct model *m, size_t *len)
{
    char *buf = NULL;
    FILE *f = plat_memstream_open();
    if (f && model_write(f, m) == 0)
        buf = textio_take(f, len);
    if (f)
        fclose(f);
    return buf;
}

static void test_fit_synthetic(void)
{
    struct dataset d;
    struct model m, m2;
    struct fit_report rep;
    char err[256];
    int sa = -1, dr = -1;
    size_t i, l1, l2;
    char *t1, *t2;
    synthetic(&d, 4, 6);
    CHECK(fit_dataset(&d, "some/dir/syn.csv", NULL, &m, &rep, err, sizeof err) == 0);
    CHECK_STR(m.gpu, "Test GPU");
    CHECK_STR(m.dataset, "syn.csv");
    CHECK_STR(m.cv_scheme, "leave-one-family-out");
    CHECK(rep.nfamilies == 4);
    CHECK(rep.n == 24);
    CHECK(m.nfeatures == 2); /* only the features whose metrics the dataset has */
    for (i = 0; i < m.nfeatures; i++) {
        if (m.feature[i] == features_find("sm_active"))
            sa = (int)i;
        if (m.feature[i] == features_find("dram_read"))
            dr = (int)i;
    }
    CHECK(sa >= 0 && dr >= 0);
    if (sa >= 0 && dr >= 0) {
        CHECK_NEAR(m.coef[TARGET_AVG][0], 110, 1e-6);
        CHECK_NEAR(m.coef[TARGET_AVG][1 + sa], 200, 1e-6);
        CHECK_NEAR(m.coef[TARGET_AVG][1 + dr], 300, 1e-6);
        CHECK_NEAR(m.coef[TARGET_MIN][0], 100, 1e-6);
    }
    CHECK(rep.cv_mape_pct[TARGET_AVG] < 1e-6);
    CHECK_NEAR(rep.spread_pct[TARGET_PEAK], 3.0, 1e-12);
    CHECK(m.has_stat[TARGET_AVG][STAT_CV_MAPE]);
    /* the same dataset gives the same file, byte for byte */
    CHECK(fit_dataset(&d, "syn.csv", NULL, &m2, &rep, err, sizeof err) == 0);
    t1 = model_text(&m, &l1);
    t2 = model_text(&m2, &l2);
    CHECK(l1 == l2 && memcmp(t1, t2, l1) == 0);
    free(t1);
    free(t2);
    /* noise on one family shows up in its held-out error */
    for (i = 0; i < d.n; i++)
        if (strcmp(d.rows[i].family, "fam2") == 0)
            d.rows[i].power_w[TARGET_AVG] *= 1.2;
    CHECK(fit_dataset(&d, "syn.csv", NULL, &m, &rep, err, sizeof err) == 0);
    CHECK(rep.family[2].cv_mape_pct[TARGET_AVG] > 10);
    CHECK(rep.cv_max_ape_pct[TARGET_AVG] >= rep.cv_mape_pct[TARGET_AVG]);
    CHECK_CONTAINS(rep.cv_worst[TARGET_AVG], "c2_");
    dataset_free(&d);

    /* too few rows, non-positive power */
    synthetic(&d, 1, 2);
    CHECK(fit_dataset(&d, "x", NULL, &m, &rep, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "too few");
    dataset_free(&d);
    synthetic(&d, 3, 3);
    d.rows[4].power_w[TARGET_MIN] = 0;
    CHECK(fit_dataset(&d, "x", NULL, &m, &rep, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "not positive");
    dataset_free(&d);
}

static void test_dataset_roundtrip(void)
{
    struct dataset d, back;
    char path[1024], err[256];
    int m;
    FILE *f;
    size_t i;
    synthetic(&d, 2, 3);
    snprintf(d.driver, sizeof d.driver, "580.1");
    d.rows[1].have[M_DRAM_READ] = 0; /* an empty cell */
    d.rows[2].launch_s = 0.1 + 1e-17;
    f = plat_create_temp(tl_temp_name(path, sizeof path, "gp_test_dataset_XXXXXX"));
    CHECK(dataset_write(f, &d) == 0);
    fclose(f);
    CHECK(dataset_load(path, &back, err, sizeof err) == 0);
    CHECK(back.n == d.n);
    CHECK_STR(back.gpu, "Test GPU");
    CHECK_STR(back.driver, "580.1");
    CHECK(back.power_limit_w == 700 && back.idle_w == 90);
    CHECK(!back.rows[1].have[M_DRAM_READ] && back.rows[0].have[M_DRAM_READ]);
    for (i = 0; i < d.n && i < back.n; i++) {
        CHECK_STR(back.rows[i].config, d.rows[i].config);
        CHECK(back.rows[i].launch_s == d.rows[i].launch_s);
        for (m = 0; m < TARGET_COUNT; m++)
            CHECK(back.rows[i].power_w[m] == d.rows[i].power_w[m]);
        CHECK(back.rows[i].value[M_SM_ACTIVE_CYC] == d.rows[i].value[M_SM_ACTIVE_CYC]);
    }
    dataset_free(&back);
    dataset_free(&d);
    plat_remove(path);
}

/* calibrate --tiers (issue 30): its ncu run asks for what the rules of the
 * details page are computed from, its dataset keeps them as columns under
 * ncu's names, and fit derives the rule features from them. */
static void test_tiers_metrics(void)
{
    static const int added[] = { M_FP32_ADD, M_FP32_MUL, M_FP32_FMA, M_FP64_ADD, M_FP64_MUL, M_FP64_FMA,
                                 M_FP32_FMA_PEAK, M_FP64_FMA_PEAK, M_PIPE_SHARED, M_PIPE_ALU_CYC };
    static const char *const rules[] = { "sm_active", "issue", "rule_fma", "rule_fp32_peak", "rule_fp64_peak", NULL };
    unsigned char need[M_COUNT], plain[M_COUNT], ampere[M_COUNT];
    struct dataset d, back;
    struct model m;
    struct fit_report rep;
    char path[1024], err[256], *list, *text;
    size_t i, t, len;
    int k;
    FILE *f;
    calibrate_metrics(9, 0, 1, need);
    calibrate_metrics(9, 0, 0, plain);
    calibrate_metrics(8, 0, 1, ampere);
    for (i = 0; i < sizeof added / sizeof added[0]; i++)
        CHECK(need[added[i]] && ampere[added[i]] && !plain[added[i]]);
    CHECK(need[M_PIPE_GMMA] && plain[M_PIPE_GMMA] && !ampere[M_PIPE_GMMA]); /* wgmma's counters: Hopper only */
    for (k = 0; k < M_COUNT; k++)
        CHECK(!need[k] || !features_metrics[k].rule); /* ncu has no metric of a rule */
    for (t = 0; t < features_tier_count; t++) /* every tier feature's metrics, none cut off */
        for (i = 0; features_tiers[t].features[i]; i++) {
            int mm[4], j, n = features_needs((size_t)features_find(features_tiers[t].features[i]), mm);
            for (j = 0; j < n; j++)
                CHECK(need[mm[j]] || features_metrics[mm[j]].rule);
        }
    list = features_metric_list_of(need);
    CHECK(list != NULL);
    if (list) {
        CHECK_CONTAINS(list, ",smsp__sass_thread_inst_executed_op_dfma_pred_on.sum.per_cycle_elapsed,");
        CHECK_CONTAINS(list, ",sm__sass_thread_inst_executed_op_ffma_pred_on.sum.peak_sustained,");
        CHECK_CONTAINS(list, ",sm__pipe_shared_cycles_active.avg.pct_of_peak_sustained_elapsed");
        CHECK(strstr(list, "rule:") == NULL);
    }
    free(list);
    /* a dataset of such a calibration: the H200's with the columns added (tests/fixtures/dataset-derived) */
    CHECK(dataset_load(FIXTURES "/dataset-derived/h200_tiers_roofline.csv", &d, err, sizeof err) == 0);
    for (i = 0; i < sizeof added / sizeof added[0]; i++)
        CHECK(d.metric_cols[added[i]] == 1);
    CHECK(d.metric_cols[M_RULE_FP32_PEAK] == 2 && d.metric_cols[M_RULE_FP64_PEAK] == 2); /* derived, not written */
    CHECK(d.n > 0 && d.rows[0].have[M_RULE_FP32_PEAK]);
    CHECK(fit_dataset(&d, "h200_tiers_roofline.csv", rules, &m, &rep, err, sizeof err) == 0);
    CHECK(m.nfeatures == 5 && m.feature[3] == features_find("rule_fp32_peak"));
    /* written back: the columns under ncu's names, the rule metrics derived again when read */
    f = plat_create_temp(tl_temp_name(path, sizeof path, "gp_test_dataset_XXXXXX"));
    CHECK(f && dataset_write(f, &d) == 0);
    if (f)
        fclose(f);
    text = tl_slurp(path, &len);
    CHECK(text && strstr(text, ",smsp__sass_thread_inst_executed_op_ffma_pred_on.sum.per_cycle_elapsed,") &&
          !strstr(text, "rule:"));
    free(text);
    CHECK(dataset_load(path, &back, err, sizeof err) == 0);
    CHECK(back.metric_cols[M_FP64_FMA_PEAK] == 1 && back.metric_cols[M_RULE_FP64_PEAK] == 2);
    dataset_free(&back);
    plat_remove(path);
    dataset_free(&d);
    /* a dataset from before: no such columns, so fit refuses the feature by name */
    CHECK(dataset_load("data/h200_tiers_dataset.csv", &d, err, sizeof err) == 0);
    CHECK(fit_dataset(&d, "x.csv", rules, &m, &rep, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no column for a metric of feature 'rule_fp32_peak'");
    dataset_free(&d);
}

/* The probes (dataset.h): kept apart from the fitted rows, written back
 * with their columns, and what fit takes from them. */
static void test_probes(void)
{
    struct dataset d, back;
    struct model m;
    struct fit_report rep;
    char path[1024], err[256];
    FILE *f;
    size_t i, nlimit = 0, ngaps = 0;
    double rmin = 0, rpeak = 0;
    if (dataset_load("data/h200_2026-12-01_dataset.csv", &d, err, sizeof err) != 0) {
        fprintf(stderr, "note: data/h200_2026-12-01_dataset.csv: %s (run from the repository root)\n", err);
        CHECK(0);
        return;
    }
    CHECK(d.n == 111);
    for (i = 0; i < d.nprobe; i++) {
        if (strcmp(d.probe[i].family, DATASET_PROBE_LIMIT) == 0) {
            nlimit++;
            rmin += d.probe[i].power_w[TARGET_MIN] / d.probe[i].power_w[TARGET_AVG];
            rpeak += d.probe[i].power_w[TARGET_PEAK] / d.probe[i].power_w[TARGET_AVG];
            CHECK(d.probe[i].window_s == 4);
        } else {
            CHECK_STR(d.probe[i].family, DATASET_PROBE_GAPS);
            CHECK(d.probe[i].gap_s > 0 && d.probe[i].busy_s > 0);
            ngaps++;
        }
    }
    CHECK(nlimit == 3 && ngaps == 54);
    for (i = 0; i < d.n; i++)
        CHECK(!dataset_is_probe(d.rows[i].family));
    /* written and read back: the same probes */
    f = plat_create_temp(tl_temp_name(path, sizeof path, "gp_test_dataset_XXXXXX"));
    CHECK(dataset_write(f, &d) == 0);
    fclose(f);
    CHECK(dataset_load(path, &back, err, sizeof err) == 0);
    CHECK(back.n == d.n && back.nprobe == d.nprobe);
    for (i = 0; i < d.nprobe && i < back.nprobe; i++) {
        CHECK_STR(back.probe[i].config, d.probe[i].config);
        CHECK(back.probe[i].gap_s == d.probe[i].gap_s && back.probe[i].busy_s == d.probe[i].busy_s);
        CHECK(back.probe[i].power_w[TARGET_AVG] == d.probe[i].power_w[TARGET_AVG]);
    }
    dataset_free(&back);
    plat_remove(path);
    /* the cap ratios are the limit probes' mean ratios; the gap decay is not kept */
    CHECK(fit_dataset(&d, "h200_dataset.csv", NULL, &m, &rep, err, sizeof err) == 0);
    CHECK(rep.limit_probes == 3);
    CHECK_NEAR(m.cap_ratio[TARGET_MIN], rmin / 3, 1e-12);
    CHECK_NEAR(m.cap_ratio[TARGET_PEAK], rpeak / 3, 1e-12);
    CHECK(rep.gap_rows == 30 && !rep.gap_kept && m.gap_tau_s == 0);
    CHECK(rep.gap_idle_rms_w > 0 && rep.gap_idle_rms_w < 10);
    /* bursts whose gaps stay at the bursts' power ask for a decay: it is kept */
    for (i = 0; i < d.nprobe; i++)
        if (strcmp(d.probe[i].family, DATASET_PROBE_GAPS) == 0) {
            size_t j;
            for (j = 0; j < d.n; j++)
                if (strcmp(d.rows[j].kernel, d.probe[i].kernel) == 0 && d.rows[j].grid == d.probe[i].grid &&
                    d.rows[j].threads == d.probe[i].threads && d.rows[j].iters == d.probe[i].iters)
                    break;
            if (j < d.n) { /* the power falls with a 2 ms time constant */
                double P = d.rows[j].power_w[TARGET_AVG], g = d.probe[i].gap_s, b = d.probe[i].busy_s;
                double eg = d.idle_w * g + (P - d.idle_w) * 0.002 * (1 - exp(-g / 0.002));
                d.probe[i].power_w[TARGET_AVG] = (P * b + eg) / (b + g);
            }
        }
    CHECK(fit_dataset(&d, "h200_dataset.csv", NULL, &m, &rep, err, sizeof err) == 0);
    CHECK(rep.gap_kept && m.gap_tail == 1);
    CHECK(m.gap_tau_s > 0.0015 && m.gap_tau_s < 0.0025);
    CHECK(rep.gap_rms_w < 0.5);
    dataset_free(&d);
}

static void load_text(const char *text, const char *want)
{
    char path[1024], err[256];
    struct dataset d;
    FILE *f = plat_create_temp(tl_temp_name(path, sizeof path, "gp_test_dataset_XXXXXX"));
    fputs(text, f);
    fclose(f);
    CHECK(dataset_load(path, &d, err, sizeof err) == -1);
    CHECK_CONTAINS(err, want);
    plat_remove(path);
}

static void test_dataset_errors(void)
{
    struct dataset d;
    char err[256];
    const char *head = "# gpu_profiler_dataset 1\n# gpu: X\n";
    char buf[1024];
    CHECK(dataset_load("/nonexistent/x.csv", &d, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "cannot open");
    load_text("", "empty file");
    load_text("config,family\n", "line 1: expected '# gpu_profiler_dataset 1'");
    load_text("# gpu_profiler_dataset 7\n", "version 7 is not supported");
    snprintf(buf, sizeof buf, "%sconfig,family,bogus_metric\n", head);
    load_text(buf, "line 3: unknown column 'bogus_metric'");
    snprintf(buf, sizeof buf, "%sconfig,family,min_w,avg_w,peak_w\na,f,1,x,3\n", head);
    load_text(buf, "line 4: column 4: 'x' is not a number");
    snprintf(buf, sizeof buf, "%sconfig,family,min_w,avg_w,peak_w\na,f,1,2\n", head);
    load_text(buf, "line 4: 4 fields, the header has 5");
    snprintf(buf, sizeof buf, "%sconfig,family,min_w,avg_w\na,f,1,2\n", head);
    load_text(buf, "line 4: no peak_w column");
    snprintf(buf, sizeof buf, "%sconfig,family,min_w,avg_w,peak_w\n", head);
    load_text(buf, "no rows");
    snprintf(buf, sizeof buf, "%sconfig,family,repeats,min_w,avg_w,peak_w\na,f,1e300,1,2,3\n", head);
    load_text(buf, "line 4: column 3: '1e300' is not a count"); /* found by fuzz_dataset */
    snprintf(buf, sizeof buf, "%sconfig,family,threads,min_w,avg_w,peak_w\na,f,-3,1,2,3\n", head);
    load_text(buf, "is not a count");
    snprintf(buf, sizeof buf, "# gpu_profiler_dataset 1\n# sm_count: 1e300\n");
    load_text(buf, "line 2: bad value for 'sm_count'");
    snprintf(buf, sizeof buf, "# gpu_profiler_dataset 1\n# power_limit_w: lots\n");
    load_text(buf, "line 2: bad value for 'power_limit_w'");
}

/* The shipped models are what fit makes of the shipped datasets, but for
 * the figures measured of them later on real work ("measured" lines, which
 * fit cannot know: they are copied from the shipped file before comparing);
 * tier >= 0: what fit --tier makes. */
static void test_shipped_as(const char *dataset, const char *model, const char *const *features, const char *variant,
                            int tier)
{
    struct dataset d;
    struct model m;
    struct fit_report rep;
    char err[512], *t, *want;
    size_t len, wlen;
    if (plat_kind(dataset) != PLAT_FILE) {
        fprintf(stderr, "note: %s not found (run from the repository root)\n", dataset);
        CHECK(0);
        return;
    }
    CHECK(dataset_load(dataset, &d, err, sizeof err) == 0);
    CHECK(d.n >= 100);
    if (tier >= 0)
        CHECK(fit_tier(&d, dataset, tier, &m, &rep, err, sizeof err) == 0);
    else
        CHECK(fit_dataset(&d, dataset, features, &m, &rep, err, sizeof err) == 0);
    if (variant)
        snprintf(m.variant, sizeof m.variant, "%s", variant);
    {
        static struct model shipped;
        int k;
        CHECK(model_load(model, &shipped, err, sizeof err) == 0);
        /* every shipped model carries what was measured of it: the board
         * spread and its error on real work (docs/ACCURACY.md) */
        CHECK(shipped.has_measured[MEAS_BOARD_SPREAD]);
        CHECK(shipped.has_measured[MEAS_VALIDATION_MAPE]);
        for (k = 0; k < MEAS_COUNT; k++) {
            CHECK(!m.has_measured[k]); /* fit never writes them */
            m.measured[k] = shipped.measured[k];
            m.has_measured[k] = shipped.has_measured[k];
        }
    }
    t = model_text(&m, &len);
    want = tl_slurp(model, &wlen);
    CHECK(want && len == wlen && memcmp(t, want, len) == 0);
    if (!(want && len == wlen && memcmp(t, want, len) == 0))
        fprintf(stderr, "  %s is not what fit makes of %s\n", model, dataset);
    free(t);
    free(want);
    dataset_free(&d);
}

/* Issue 30: the name hints as metrics. A name says tensor cores, FP32 on
 * the CUDA cores or FP64, else 0 (never absent where there is a name, a
 * name that says nothing included); the datasets recorded before the
 * microbenchmarks' rename get the hints of the new names (the same kernels),
 * so every family's hints are those of the H100 calibration recorded with
 * the new names. */
static void hints_of(const char *name, double v[3])
{
    double value[M_COUNT];
    unsigned char have[M_COUNT] = { 0 };
    features_from_name(name, value, have);
    CHECK(have[M_HINT_TENSOR] && have[M_HINT_FFMA] && have[M_HINT_FP64]);
    v[0] = value[M_HINT_TENSOR];
    v[1] = value[M_HINT_FFMA];
    v[2] = value[M_HINT_FP64];
}

static int hints_are(const char *name, double tensor, double ffma, double fp64)
{
    double v[3];
    hints_of(name, v);
    return v[0] == tensor && v[1] == ffma && v[2] == fp64;
}

static void test_name_hint_features(void)
{
    static const char *const sets[] = { "data/h200_tiers_dataset.csv", "data/h100_dataset.csv",
                                        "data/h100_tiers_dataset.csv" };
    struct dataset d;
    char err[256];
    size_t i, k;
    CHECK(hints_are("nvjet_sm90_hsh_256x128_64x4_1x2_h_bz_coopA_NNT", 1, 0, 0));
    CHECK(hints_are("sm90_xmma_gemm_f32f32_tf32f32_f32_nn_n_tilesize128x256x32_warpgroupsize2x1x1_execute", 1, 0, 0));
    CHECK(hints_are("sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize256x128x8_stage3_warpsize4x2x1_ffma_aligna4", 0, 1,
                    0));
    CHECK(hints_are("void implicit_convolve_sgemm<float, float, 1024, 5, 5, 3, 3, 3, 1, 0, 0, 1>(int)", 0, 1, 0));
    CHECK(hints_are("dgemm_nn_kernel", 0, 0, 1));
    CHECK(hints_are("f32_only_kernel", 0, 0, 0)); /* fp32 with no unit: says nothing of the CUDA cores */
    CHECK(hints_are("mb_hfma2_f16", 0, 0, 0));    /* fp16 with no unit */
    CHECK(hints_are("fma_k(float *, int)", 0, 0, 0));
    CHECK(hints_are("", 0, 0, 0));
    CHECK_STR(dataset_kernel_now("mb_fp32"), "mb_ffma_f32");
    CHECK_STR(dataset_kernel_now("mb_fp32_tile_bounded"), "mb_ffma_f32_tile_bounded");
    CHECK_STR(dataset_kernel_now("mb_mma"), "mb_hmma_f16");
    CHECK_STR(dataset_kernel_now("mb_wgmma_mix"), "mb_wgmma_f16_mix");
    CHECK_STR(dataset_kernel_now("mb_fp64"), "mb_dfma_f64");
    CHECK_STR(dataset_kernel_now("mb_load"), "mb_load");
    CHECK_STR(dataset_kernel_now("mb_ffma_f32"), "mb_ffma_f32");
    for (k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        CHECK(dataset_load(sets[k], &d, err, sizeof err) == 0);
        CHECK(d.metric_cols[M_HINT_TENSOR] == 2 && d.metric_cols[M_HINT_FFMA] == 2 && d.metric_cols[M_HINT_FP64] == 2);
        for (i = 0; i < d.n; i++) {
            const struct dataset_row *r = &d.rows[i];
            const char *f = r->family;
            int tensor = !strcmp(f, "mma") || !strcmp(f, "wgmma") || !strcmp(f, "tensor_mix");
            int ffma = !strcmp(f, "fp32") || !strcmp(f, "fp32_acc") || !strcmp(f, "fp32_tile") || !strcmp(f, "sgemm");
            int fp64 = !strcmp(f, "fp64");
            CHECK(r->have[M_HINT_TENSOR] && r->value[M_HINT_TENSOR] == tensor);
            CHECK(r->have[M_HINT_FFMA] && r->value[M_HINT_FFMA] == ffma);
            CHECK(r->have[M_HINT_FP64] && r->value[M_HINT_FP64] == fp64);
        }
        dataset_free(&d);
    }
}

static void test_shipped(const char *dataset, const char *model, const char *const *features, const char *variant)
{
    test_shipped_as(dataset, model, features, variant, -1);
}

int main(void)
{
    /* the fast models: gpu_profiler fit DATASET --features (these) --variant fast */
    static const char *const fast[] = { "sm_active", "issue", "tensor", "dram_read", "dram_write", NULL };
    test_nnls();
    test_probes();
    test_fit_synthetic();
    test_dataset_roundtrip();
    test_dataset_errors();
    test_tiers_metrics();
    test_name_hint_features();
    test_shipped("data/h100_dataset.csv", "models/h100.model", NULL, NULL);
    test_shipped("data/h200_dataset.csv", "models/h200.model", NULL, NULL);
    test_shipped("data/h100_dataset.csv", "models/h100_fast.model", fast, "fast");
    test_shipped("data/h200_dataset.csv", "models/h200_fast.model", fast, "fast");
    /* the tiers: gpu_profiler fit DATASET --tier T; the H200's from its calibration with every tier's metrics */
    test_shipped_as("data/h100_dataset.csv", "models/h100_detailed.model", NULL, NULL, features_tier_find("detailed"));
    /* the H100's basic tier from its calibration with every tier's metrics (2026-12-06): it has the
     * Speed Of Light metrics, which real default-set pages carry */
    test_shipped_as("data/h100_tiers_dataset.csv", "models/h100_basic.model", NULL, NULL, features_tier_find("basic"));
    /* the H100's full tier from its calibration with every tier's metrics (2026-12-06) */
    test_shipped_as("data/h100_tiers_dataset.csv", "models/h100_full.model", NULL, NULL, features_tier_find("full"));
    test_shipped_as("data/h200_tiers_dataset.csv", "models/h200_full.model", NULL, NULL, features_tier_find("full"));
    test_shipped_as("data/h200_tiers_dataset.csv", "models/h200_detailed.model", NULL, NULL,
                    features_tier_find("detailed"));
    test_shipped_as("data/h200_tiers_dataset.csv", "models/h200_basic.model", NULL, NULL, features_tier_find("basic"));
    /* the sampled model: gpu_profiler fit DATASET --sampled, from calibrate --sampled's dataset */
    test_shipped("data/h100_sampled_dataset.csv", "models/h100_sampled.model", features_sampled, "sampled");
    return tl_done();
}
