/* Unit tests for board.c: the scale and offset of a board are recovered
 * from configurations whose powers follow them exactly; a board outside
 * 0.8-1.25 or too few configurations are refused; rows at the power limit
 * are left out; the adjusted model predicts offset + scale x the built-in's
 * for every target; and the two quick calibrations recorded on an H200
 * (data/boards/quick1, quick2) refit byte for byte into the models they
 * wrote. */
#include "board.h"
#include "feature_table.h"
#include "fit.h"
#include "testlib.h"
#include "textio.h"

/* A dataset of n rows from the built-in model of m's GPU: each row's
 * metrics from a simple pattern, its measured powers offset + scale x what
 * m predicts (uncapped). */
static void synthetic(struct dataset *d, const struct model *m, size_t n, double scale, double offset)
{
    size_t r, k;
    dataset_init(d);
    snprintf(d->gpu, sizeof d->gpu, "%s", m->gpu);
    snprintf(d->board, sizeof d->board, "TESTBOARD1");
    d->power_limit_w = m->power_limit_w;
    d->idle_w = 120;
    for (r = 0; r < n; r++) {
        struct dataset_row *row = dataset_add(d);
        double x[MODEL_MAX_FEATURES];
        struct prediction p;
        size_t j;
        snprintf(row->config, sizeof row->config, "cfg%zu", r);
        for (k = 0; k < M_COUNT; k++) {
            row->value[k] = 0.05 + 0.4 * (double)((r * 7 + k * 3) % 10) / 10.0;
            row->have[k] = 1;
        }
        row->value[M_DURATION] = 1e-3;
        row->value[M_SM_ELAPSED_CYC] = 1e6;
        row->value[M_SM_ACTIVE_CYC] = 0.3e6 + 0.07e6 * (double)r;
        for (j = 0; j < m->nfeatures; j++)
            features_compute((size_t)m->feature[j], row->value, row->have, &x[j]);
        model_predict(m, x, &p);
        for (k = 0; k < TARGET_COUNT; k++)
            row->power_w[k] = offset + scale * p.uncapped_w;
    }
}

static void test_recovers(void)
{
    const struct model *base = model_builtin_for("NVIDIA H200", "");
    struct dataset d;
    struct board_fit fit;
    struct model out;
    char err[512] = "";
    size_t i;
    CHECK(base != NULL);
    if (!base)
        return;
    synthetic(&d, base, 8, 1.05, -7.5);
    CHECK(board_adjust(base, &d, "x/TESTBOARD1_quick_dataset.csv", &out, &fit, err, sizeof err) == 0);
    CHECK_NEAR(fit.scale, 1.05, 1e-9);
    CHECK_NEAR(fit.offset_w, -7.5, 1e-6);
    CHECK(fit.adjusted_mape_pct < 1e-6 && fit.loo_mape_pct < 1e-6);
    CHECK_STR(out.board, "TESTBOARD1");
    CHECK_STR(out.dataset, "TESTBOARD1_quick_dataset.csv");
    CHECK_NEAR(out.idle_w, 120, 1e-12);
    /* what was measured of the built-in model is not the adjusted one's */
    CHECK(model_measured(base, MEAS_VALIDATION_MAPE) > 0);
    for (i = 0; i < MEAS_COUNT; i++)
        CHECK(model_measured(&out, (enum model_measured)i) == -1);
    /* every target: offset + scale x the built-in's */
    for (i = 0; i < TARGET_COUNT; i++) {
        CHECK_NEAR(out.coef[i][0], -7.5 + 1.05 * base->coef[i][0], 1e-9);
        if (base->nfeatures)
            CHECK_NEAR(out.coef[i][1], 1.05 * base->coef[i][1], 1e-9);
    }
    dataset_free(&d);
    /* a board of another kind, too few rows */
    synthetic(&d, base, 8, 1.6, 0);
    CHECK(board_adjust(base, &d, "d.csv", &out, &fit, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "run the full calibrate");
    dataset_free(&d);
    synthetic(&d, base, 2, 1.0, 0);
    CHECK(board_adjust(base, &d, "d.csv", &out, &fit, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "at least 3");
    dataset_free(&d);
    /* rows at the power limit tell nothing of the board */
    synthetic(&d, base, 5, 1.0, 0);
    d.rows[0].power_w[TARGET_AVG] = d.power_limit_w;
    CHECK(board_adjust(base, &d, "d.csv", &out, &fit, err, sizeof err) == 0);
    CHECK(fit.n == 4);
    dataset_free(&d);
}

/* The model 'fit --board' makes of a recorded quick dataset is the file
 * calibrate --quick wrote, byte for byte. */
/* The base the quick runs of 2026-12-02 adjusted: the H200 model shipped
 * until then (its file, or its fast variant refitted from its dataset). */
static const struct model *old_base(const char *variant)
{
    static struct model full, fast;
    static const char *const fast_features[] = { "sm_active", "issue", "tensor", "dram_read", "dram_write", NULL };
    struct dataset d;
    struct fit_report rep;
    char err[512];
    if (!variant[0])
        return model_load("tests/fixtures/board/h200_2026-12-01.model", &full, err, sizeof err) == 0 ? &full : NULL;
    if (dataset_load("data/h200_2026-12-01_dataset.csv", &d, err, sizeof err) != 0)
        return NULL;
    if (fit_dataset(&d, "h200_dataset.csv", fast_features, &fast, &rep, err, sizeof err) != 0) {
        dataset_free(&d);
        return NULL;
    }
    dataset_free(&d);
    snprintf(fast.variant, sizeof fast.variant, "fast");
    return &fast;
}

static void test_refit(const char *dir, const char *board, const char *variant, const char *model_file)
{
    char ds_path[512], model_path[512], err[512] = "";
    struct dataset d;
    struct board_fit fit;
    struct model m;
    const struct model *base;
    char *want, *got = NULL;
    size_t want_len = 0, got_len = 0;
    FILE *f;
    snprintf(ds_path, sizeof ds_path, "%s/%s_quick_dataset.csv", dir, board);
    snprintf(model_path, sizeof model_path, "%s/%s", dir, model_file);
    CHECK(dataset_load(ds_path, &d, err, sizeof err) == 0);
    CHECK_STR(d.board, board);
    base = old_base(variant);
    CHECK(base != NULL);
    if (!base)
        return;
    CHECK(board_adjust(base, &d, ds_path, &m, &fit, err, sizeof err) == 0);
    want = tl_slurp(model_path, &want_len);
    f = plat_memstream_open();
    if (f && model_write(f, &m) == 0)
        got = textio_take(f, &got_len);
    if (f)
        fclose(f);
    CHECK(want && got && want_len == got_len && memcmp(want, got, want_len) == 0);
    /* it adjusts its base, not the built-in model shipped since */
    CHECK(board_model_adjusts(&m, base));
    if (model_builtin_for(d.gpu, variant))
        CHECK(!board_model_adjusts(&m, model_builtin_for(d.gpu, variant)));
    free(want);
    free(got);
    dataset_free(&d);
}

int main(void)
{
    test_recovers();
    {
        static const char *const runs[][2] = {
            { "data/boards/quick1", "1652826071316" }, { "data/boards/quick2", "1652826071316" },
            { "data/boards/quick3", "1653824162269" }, { "data/boards/quick4", "1652826070547" },
            { "data/boards/quick5", "1653824018295" },
        };
        size_t i;
        char name[64];
        for (i = 0; i < sizeof runs / sizeof runs[0]; i++) {
            snprintf(name, sizeof name, "%s.model", runs[i][1]);
            test_refit(runs[i][0], runs[i][1], "", name);
            snprintf(name, sizeof name, "%s_fast.model", runs[i][1]);
            test_refit(runs[i][0], runs[i][1], "fast", name);
        }
    }
    return tl_done();
}
