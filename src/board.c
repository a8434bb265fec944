/* board: see board.h. */
#include "board.h"

#include "feature_table.h"
#include "plat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Weighted least squares of y = a + b p, weights 1 / y^2 (relative errors,
 * as MAPE counts them), leaving out point skip (or none: skip = n). */
static int fit_line(const double *p, const double *y, size_t n, size_t skip, double *a, double *b)
{
    double sw = 0, sp = 0, sy = 0, spp = 0, spy = 0, det;
    size_t i;
    for (i = 0; i < n; i++) {
        double w;
        if (i == skip)
            continue;
        w = 1.0 / (y[i] * y[i]);
        sw += w;
        sp += w * p[i];
        sy += w * y[i];
        spp += w * p[i] * p[i];
        spy += w * p[i] * y[i];
    }
    det = sw * spp - sp * sp;
    if (!(fabs(det) > 1e-30 * sw * spp))
        return -1;
    *b = (sw * spy - sp * sy) / det;
    *a = (sy - *b * sp) / sw;
    return 0;
}

static double mape(const double *est, const double *y, size_t n)
{
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++)
        s += fabs(est[i] - y[i]) / y[i];
    return n ? 100.0 * s / (double)n : 0;
}

/* The built-in model's uncapped avg for each usable row: measured below the
 * power limit (at the limit the cap, not the board, sets the power). */
static int collect(const struct model *base, const struct dataset *ds, struct board_fit *fit, char *err,
                   size_t errlen)
{
    size_t r, j;
    double limit = ds->power_limit_w > 0 ? ds->power_limit_w : base->power_limit_w;
    fit->n = 0;
    for (r = 0; r < ds->n && fit->n < BOARD_MAX_POINTS; r++) {
        const struct dataset_row *row = &ds->rows[r];
        double x[MODEL_MAX_FEATURES];
        struct prediction pr;
        for (j = 0; j < base->nfeatures; j++)
            if (features_compute((size_t)base->feature[j], row->value, row->have, &x[j]) != 0) {
                snprintf(err, errlen, "configuration %s lacks a metric of feature %s, which the built-in model "
                         "of %s needs", row->config, features_table[base->feature[j]].name, base->gpu);
                return -1;
            }
        model_predict(base, x, &pr);
        if (!(row->power_w[TARGET_AVG] > 0) || row->power_w[TARGET_AVG] >= 0.97 * limit || pr.capped)
            continue;
        snprintf(fit->config[fit->n], sizeof fit->config[0], "%s", row->config);
        fit->built_in_w[fit->n] = pr.uncapped_w;
        fit->measured_w[fit->n] = row->power_w[TARGET_AVG];
        fit->n++;
    }
    if (fit->n < 3) {
        snprintf(err, errlen, "%zu configurations below the power limit; a board's scale needs at least 3", fit->n);
        return -1;
    }
    return 0;
}

/* The fit, and how well it and the built-in model do on the points. */
static int fit_board(struct board_fit *fit, char *err, size_t errlen)
{
    double loo[BOARD_MAX_POINTS];
    size_t i;
    if (fit_line(fit->built_in_w, fit->measured_w, fit->n, fit->n, &fit->offset_w, &fit->scale) != 0) {
        snprintf(err, errlen, "the configurations do not tell a scale from an offset (their built-in powers are "
                 "all alike)");
        return -1;
    }
    for (i = 0; i < fit->n; i++) {
        double a, b;
        fit->adjusted_w[i] = fit->offset_w + fit->scale * fit->built_in_w[i];
        loo[i] = fit_line(fit->built_in_w, fit->measured_w, fit->n, i, &a, &b) == 0 ? a + b * fit->built_in_w[i]
                                                                                    : fit->adjusted_w[i];
    }
    fit->built_in_mape_pct = mape(fit->built_in_w, fit->measured_w, fit->n);
    fit->adjusted_mape_pct = mape(fit->adjusted_w, fit->measured_w, fit->n);
    fit->loo_mape_pct = mape(loo, fit->measured_w, fit->n);
    if (!(fit->scale >= BOARD_SCALE_MIN && fit->scale <= BOARD_SCALE_MAX)) {
        snprintf(err, errlen, "this board draws %.2f times the built-in model's dynamic power, outside %.2f-%.2f: "
                 "it is not the kind of board the built-in model was made on; run the full calibrate",
                 fit->scale, BOARD_SCALE_MIN, BOARD_SCALE_MAX);
        return -1;
    }
    return 0;
}

int board_adjust(const struct model *base, const struct dataset *ds, const char *dataset_name, struct model *out,
                 struct board_fit *fit, char *err, size_t errlen)
{
    size_t i;
    int t;
    if (collect(base, ds, fit, err, errlen) != 0 || fit_board(fit, err, errlen) != 0)
        return -1;
    *out = *base;
    /* what was measured of the base model is not this one's */
    memset(out->measured, 0, sizeof out->measured);
    memset(out->has_measured, 0, sizeof out->has_measured);
    for (t = 0; t < TARGET_COUNT; t++) {
        out->coef[t][0] = fit->offset_w + fit->scale * base->coef[t][0];
        for (i = 1; i <= base->nfeatures; i++)
            out->coef[t][i] = fit->scale * base->coef[t][i];
    }
    snprintf(out->board, sizeof out->board, "%s", ds->board[0] ? ds->board : "unknown");
    out->board_scale = fit->scale;
    out->board_offset_w = fit->offset_w;
    out->board_loo_pct = fit->loo_mape_pct;
    if (ds->power_limit_w > 0)
        out->power_limit_w = ds->power_limit_w;
    if (ds->idle_w > 0)
        out->idle_w = ds->idle_w;
    snprintf(out->driver, sizeof out->driver, "%s", ds->driver);
    snprintf(out->created, sizeof out->created, "%s", ds->created);
    snprintf(out->dataset, sizeof out->dataset, "%s", plat_base_name(dataset_name));
    snprintf(out->cv_scheme, sizeof out->cv_scheme, "board_adjust over %zu configurations", fit->n);
    return 0;
}

int board_file(const char *board, const char *suffix, char *out, size_t outlen)
{
    char cache[4096];
    if (!board || !*board || plat_cache_dir(cache, sizeof cache) != 0)
        return -1;
    return (size_t)snprintf(out, outlen, "%s/gpu_profiler/%s%s", cache, board, suffix) < outlen ? 0 : -1;
}

int board_model_path(const char *board, const char *variant, char *out, size_t outlen)
{
    char suffix[40];
    snprintf(suffix, sizeof suffix, "%s%s.model", variant && *variant ? "_" : "", variant ? variant : "");
    return board_file(board, suffix, out, outlen);
}

int board_make_cache(char *err, size_t errlen)
{
    char cache[4096], dir[4200];
    if (plat_cache_dir(cache, sizeof cache) != 0) {
        snprintf(err, errlen, "no cache folder ($XDG_CACHE_HOME or $HOME; %%LOCALAPPDATA%% on Windows): give -o");
        return -1;
    }
    snprintf(dir, sizeof dir, "%s/gpu_profiler", cache);
    if (plat_kind(cache) == PLAT_ABSENT && plat_make_dir(cache) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %s: %s", cache, strerror(errno));
        return -1;
    }
    if (plat_kind(dir) != PLAT_DIR && plat_make_dir(dir) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int board_model_adjusts(const struct model *m, const struct model *base)
{
    size_t i;
    int t;
    if (m->nfeatures != base->nfeatures || !(m->board_scale > 0))
        return 0;
    for (i = 0; i < m->nfeatures; i++)
        if (m->feature[i] != base->feature[i])
            return 0;
    for (t = 0; t < TARGET_COUNT; t++)
        for (i = 0; i <= m->nfeatures; i++) {
            double want = (i ? 0.0 : m->board_offset_w) + m->board_scale * base->coef[t][i];
            if (fabs(m->coef[t][i] - want) > 1e-9 * (fabs(want) + 1.0))
                return 0;
        }
    return 1;
}

int board_model_load(const char *board, const char *gpu, const char *variant, const struct model *base,
                     struct model *m, char *err, size_t errlen)
{
    char path[4400], why[512];
    if (board_model_path(board, variant, path, sizeof path) != 0 || !plat_exists(path))
        return 1;
    if (model_load(path, m, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: %s (remove it, or run calibrate --quick again)", path, why);
        return -1;
    }
    if (strcmp(m->gpu, gpu) != 0 || strcmp(m->variant, variant ? variant : "") != 0 || strcmp(m->board, board) != 0)
        return 1; /* another GPU's or variant's file under this name: not this board's */
    if (base && !board_model_adjusts(m, base)) {
        snprintf(err, errlen, "%s adjusts another version of the built-in model (run calibrate --quick again)", path);
        return -1;
    }
    return 0;
}
