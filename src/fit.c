/* fit: see fit.h. */
#include "fit.h"
#include "plat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const *const fit_default_features = features_raw_tier;

#define MAXC (MODEL_MAX_FEATURES + 1)

/* Solves the normal equations restricted to the columns in set[] (k of
 * them) by Cholesky; z receives the solution in full length (0 elsewhere). */
static int solve_passive(const double *A, const double *b, size_t rows, size_t cols, const int *set, size_t k,
                         double *z)
{
    double G[MAXC][MAXC], g[MAXC], L[MAXC][MAXC], y[MAXC];
    size_t i, j, r;
    double trace = 0;
    for (i = 0; i < k; i++) {
        for (j = 0; j <= i; j++) {
            double s = 0;
            for (r = 0; r < rows; r++)
                s += A[r * cols + (size_t)set[i]] * A[r * cols + (size_t)set[j]];
            G[i][j] = G[j][i] = s;
        }
        trace += G[i][i];
        {
            double s = 0;
            for (r = 0; r < rows; r++)
                s += A[r * cols + (size_t)set[i]] * b[r];
            g[i] = s;
        }
    }
    /* a tiny ridge keeps collinear columns (a unit no benchmark separates) solvable */
    for (i = 0; i < k; i++)
        G[i][i] += 1e-10 * (trace / (double)(k ? k : 1)) + 1e-300;
    for (i = 0; i < k; i++) {
        for (j = 0; j <= i; j++) {
            double s = G[i][j];
            size_t m;
            for (m = 0; m < j; m++)
                s -= L[i][m] * L[j][m];
            if (i == j) {
                if (!(s > 0))
                    return -1;
                L[i][i] = sqrt(s);
            } else {
                L[i][j] = s / L[j][j];
            }
        }
    }
    for (i = 0; i < k; i++) {
        double s = g[i];
        for (j = 0; j < i; j++)
            s -= L[i][j] * y[j];
        y[i] = s / L[i][i];
    }
    for (i = 0; i < cols; i++)
        z[i] = 0;
    for (i = k; i-- > 0;) {
        double s = y[i];
        for (j = i + 1; j < k; j++)
            s -= L[j][i] * z[set[j]];
        z[set[i]] = s / L[i][i];
    }
    return 0;
}

int fit_nnls(const double *A, const double *b, size_t rows, size_t cols, double *x)
{
    int passive[MAXC] = { 0 }, set[MAXC];
    double z[MAXC], resid_scale = 0;
    size_t i, r, k, iter = 0;
    if (cols == 0 || cols > MAXC)
        return -1;
    for (i = 0; i < cols; i++)
        x[i] = 0;
    for (r = 0; r < rows; r++)
        resid_scale += fabs(b[r]);
    for (;;) {
        size_t best = cols;
        double bestw = 1e-12 * (resid_scale + 1.0);
        /* gradient of the residual on the columns held at zero */
        for (i = 0; i < cols; i++) {
            double s = 0;
            if (passive[i])
                continue;
            for (r = 0; r < rows; r++) {
                double res = b[r];
                size_t c;
                for (c = 0; c < cols; c++)
                    res -= A[r * cols + c] * x[c];
                s += A[r * cols + i] * res;
            }
            if (s > bestw) {
                bestw = s;
                best = i;
            }
        }
        if (best == cols)
            return 0;
        passive[best] = 1;
        for (;;) {
            double alpha = 2.0;
            if (++iter > 30 * cols)
                return -1;
            for (i = 0, k = 0; i < cols; i++)
                if (passive[i])
                    set[k++] = (int)i;
            if (solve_passive(A, b, rows, cols, set, k, z) != 0)
                return -1;
            for (i = 0; i < k; i++) {
                size_t c = (size_t)set[i];
                if (z[c] <= 0) {
                    double a = x[c] / (x[c] - z[c]);
                    if (a < alpha)
                        alpha = a;
                }
            }
            if (alpha > 1.0) { /* all positive */
                for (i = 0; i < cols; i++)
                    x[i] = z[i];
                break;
            }
            for (i = 0; i < cols; i++) {
                x[i] += alpha * (z[i] - x[i]);
                if (passive[i] && x[i] <= 1e-15) {
                    passive[i] = 0;
                    x[i] = 0;
                }
            }
        }
    }
}

/* Row features: x[r * nf + j] of the model's features. */
static int build_features(const struct dataset *d, const int *feat, size_t nf, double *x, char *err, size_t errlen)
{
    size_t r, j;
    for (r = 0; r < d->n; r++)
        for (j = 0; j < nf; j++)
            if (features_compute((size_t)feat[j], d->rows[r].value, d->rows[r].have, &x[r * nf + j]) != 0) {
                snprintf(err, errlen, "configuration %s lacks a metric of feature %s", d->rows[r].config,
                         features_table[feat[j]].name);
                return -1;
            }
    return 0;
}

/* Fits one target on the rows where use[r] is set; coef[0] = intercept.
 * A feature that no used row exercises (its largest value below
 * FIT_MIN_SUPPORT, 5% of its unit's peak) gets no coefficient: a weight
 * fitted on traces of a unit explains noise, and multiplied by a real
 * workload's use of that unit it can predict thousands of watts (it did:
 * with the SFU family held out, 36,907 W per unit of SFU pipe). */
#define FIT_MIN_SUPPORT 0.05
static int fit_target(const struct dataset *d, const double *x, size_t nf, int target, const unsigned char *use,
                      double *coef)
{
    size_t cols = nf + 1, rows = 0, r, j;
    double *A = malloc(d->n * cols * sizeof *A), *b = malloc(d->n * sizeof *b);
    int rc;
    if (!A || !b) {
        free(A);
        free(b);
        return -1;
    }
    double colmax[MAXC] = { 0 };
    for (r = 0; r < d->n; r++)
        for (j = 0; use[r] && j < nf; j++)
            if (x[r * nf + j] > colmax[j])
                colmax[j] = x[r * nf + j];
    for (r = 0; r < d->n; r++) {
        double y = d->rows[r].power_w[target];
        if (!use[r])
            continue;
        A[rows * cols] = 1.0 / y;
        for (j = 0; j < nf; j++)
            A[rows * cols + 1 + j] = colmax[j] >= FIT_MIN_SUPPORT ? x[r * nf + j] / y : 0.0;
        b[rows] = 1.0;
        rows++;
    }
    rc = rows ? fit_nnls(A, b, rows, cols, coef) : -1;
    free(A);
    free(b);
    return rc;
}

static double predict(const double *coef, const double *x, size_t nf, double limit_w)
{
    double p = coef[0];
    size_t j;
    for (j = 0; j < nf; j++)
        p += coef[1 + j] * x[j];
    return limit_w > 0 && p > limit_w ? limit_w : p;
}

static const char *base_name(const char *p)
{
    return plat_base_name(p);
}

/* The gap terms (model.h) from the gap probes: each probe ran a
 * configuration in bursts of busy_s with the GPU idle gap_s between them;
 * its back-to-back average is the bursts' power P. With the power falling
 * from P towards idle as exp(-t / tau), a cycle's mean is
 *     (P busy + gap (idle + (P - idle) tau / gap (1 - exp(-gap / tau)))) / (busy + gap).
 * tau is chosen on a log grid from 1 us to 100 ms by least squares over the
 * probes of configurations below the limit (at the limit P is not the
 * bursts' power) with gaps of 0.3 ms or more (shorter ones are mostly the
 * launch and synchronise, which the host clock counts as idle). */
static void fit_gaps(const struct dataset *d, struct model *m, struct fit_report *rep)
{
    double best_tau = 0, best = -1, idle_sse = 0;
    size_t i, j, n = 0;
    int g;
    double P[256], busy[256], gap[256], meas[256];
    for (i = 0; i < d->nprobe && n < 256; i++) {
        const struct dataset_row *pr = &d->probe[i];
        if (strcmp(pr->family, DATASET_PROBE_GAPS) != 0 || !(pr->gap_s >= 3e-4) || !(pr->busy_s > 0))
            continue;
        for (j = 0; j < d->n; j++) {
            const struct dataset_row *r = &d->rows[j];
            if (strcmp(r->kernel, pr->kernel) == 0 && r->grid == pr->grid && r->threads == pr->threads &&
                r->iters == pr->iters)
                break;
        }
        if (j == d->n || !(d->rows[j].power_w[TARGET_AVG] < 0.97 * d->power_limit_w) ||
            !(d->rows[j].power_w[TARGET_AVG] > d->idle_w))
            continue;
        P[n] = d->rows[j].power_w[TARGET_AVG];
        busy[n] = pr->busy_s;
        gap[n] = pr->gap_s;
        meas[n] = pr->power_w[TARGET_AVG];
        n++;
    }
    if (n < 3 || !(d->idle_w > 0))
        return;
    /* grid point -1: no decay, the gaps at idle */
    m->gap_tail = 1;
    for (g = -1; g <= 100; g++) {
        double tau = g < 0 ? 0 : 1e-6 * pow(10.0, g * 5.0 / 100.0), sse = 0;
        m->gap_tau_s = tau;
        for (i = 0; i < n; i++) {
            double pred = (P[i] * busy[i] + gap[i] * model_gap_power(m, P[i], gap[i])) / (busy[i] + gap[i]);
            sse += (pred - meas[i]) * (pred - meas[i]);
        }
        if (g < 0)
            idle_sse = sse;
        else if (best < 0 || sse < best) {
            best = sse;
            best_tau = tau;
        }
    }
    m->gap_tau_s = 0;
    m->gap_tail = 0;
    rep->gap_rows = n;
    rep->gap_rms_w = sqrt(best / (double)n);
    rep->gap_idle_rms_w = sqrt(idle_sse / (double)n);
    rep->gap_tau_s = best_tau;
    /* kept only where the data ask for it: a decay that the probes' gaps
     * (0.3 ms and more) cannot resolve would only be extrapolated to the
     * microsecond gaps between small kernels */
    if (rep->gap_rms_w < 0.9 * rep->gap_idle_rms_w) {
        m->gap_tau_s = best_tau;
        m->gap_tail = 1;
        rep->gap_kept = 1;
    }
}

static int fit_list(const struct dataset *d, const char *dataset_name, const char *const *list, int strict,
                    struct model *m, struct fit_report *rep, char *err, size_t errlen);

/* Whether d holds every sampled counter (features_sampled): calibrate --sampled's. */
static int dataset_is_sampled(const struct dataset *d)
{
    size_t i;
    for (i = 0; features_sampled[i]; i++) {
        int k = features_find(features_sampled[i]);
        if (k < 0 || !features_available((size_t)k, d->metric_cols))
            return 0;
    }
    return i > 0;
}

int fit_dataset(const struct dataset *d, const char *dataset_name, const char *const *features, struct model *m,
                struct fit_report *rep, char *err, size_t errlen)
{
    if (d->n == 0) {
        double comm_w[TARGET_COUNT];
        snprintf(err, errlen, "the dataset holds no configurations to fit, only %zu probes%s", d->nprobe,
                 fit_comm_term(d, comm_w) ? " (its collectives: 'fit --comm' adds their term to a model)" : "");
        return -1;
    }
    return fit_list(d, dataset_name, features ? features : fit_default_features, features != NULL, m, rep, err,
                    errlen);
}

int fit_tier(const struct dataset *d, const char *dataset_name, int tier, struct model *m, struct fit_report *rep,
             char *err, size_t errlen)
{
    const struct tier_def *t = &features_tiers[tier];
    if (fit_list(d, dataset_name, t->features, 0, m, rep, err, errlen) != 0)
        return -1;
    snprintf(m->variant, sizeof m->variant, "%s", strcmp(t->name, "raw") == 0 ? "" : t->name);
    return 0;
}

/* Fits the features of list; strict: each must be in the dataset, else
 * those it lacks are left out. */
/* The features of list that the model gets (indices into features_table);
 * strict: each must be in the dataset. Returns how many, or -1 with err. */
static int choose_features(const struct dataset *d, const char *const *list, int strict, int *feat,
                           struct fit_report *rep, char *err, size_t errlen)
{
    size_t nf = 0, i, j;
    for (i = 0; list[i]; i++) {
        int k = features_find(list[i]);
        const struct feature_def *fd = k >= 0 ? &features_table[k] : NULL;
        if (strict && !fd) {
            snprintf(err, errlen, "unknown feature '%.40s' (gpu_profiler --list-features lists them)", list[i]);
            return -1;
        }
        if (!fd || !features_available((size_t)k, d->metric_cols)) {
            size_t used = strlen(rep->dropped);
            if (strict) {
                snprintf(err, errlen, "the dataset has no column for a metric of feature '%s'", list[i]);
                return -1;
            }
            rep->dropped_features++;
            if (used + strlen(list[i]) + 3 < sizeof rep->dropped) /* whole names only */
                snprintf(rep->dropped + used, sizeof rep->dropped - used, "%s%s", used ? ", " : "", list[i]);
            continue;
        }
        for (j = 0; j < nf && feat[j] != k; j++)
            ;
        if (j < nf) {
            snprintf(err, errlen, "feature '%s' given twice", list[i]);
            return -1;
        }
        if (nf == MODEL_MAX_FEATURES) {
            snprintf(err, errlen, "more than %d features", MODEL_MAX_FEATURES);
            return -1;
        }
        feat[nf++] = k;
    }
    if (nf == 0) {
        snprintf(err, errlen, "the dataset holds no metric of any model feature");
        return -1;
    }
    if (d->n < nf + 2) {
        snprintf(err, errlen, "%zu configurations are too few to fit %zu features", d->n, nf);
        return -1;
    }
    return (int)nf;
}

/* Every configuration's measured powers are positive. */
static int check_powers(const struct dataset *d, char *err, size_t errlen)
{
    size_t r;
    int t;
    for (r = 0; r < d->n; r++)
        for (t = 0; t < TARGET_COUNT; t++)
            if (!(d->rows[r].power_w[t] > 0)) {
                snprintf(err, errlen, "configuration %s: %s power %g W is not positive", d->rows[r].config,
                         model_target_names[t], d->rows[r].power_w[t]);
                return -1;
            }
    return 0;
}

/* The model's metadata from the dataset, its features and their components. */
static void describe_model(const struct dataset *d, const char *dataset_name, const int *feat, size_t nf,
                           struct model *m)
{
    size_t i;
    snprintf(m->gpu, sizeof m->gpu, "%s", d->gpu);
    m->compute_capability = d->compute_capability;
    snprintf(m->ncu_version, sizeof m->ncu_version, "%s", d->ncu_version);
    snprintf(m->driver, sizeof m->driver, "%s", d->driver);
    snprintf(m->created, sizeof m->created, "%s", d->created);
    snprintf(m->dataset, sizeof m->dataset, "%s", base_name(dataset_name));
    snprintf(m->cv_scheme, sizeof m->cv_scheme, "leave-one-family-out");
    m->power_limit_w = d->power_limit_w;
    m->idle_w = d->idle_w;
    m->nfeatures = nf;
    snprintf(m->component[0], sizeof m->component[0], "static");
    m->ncomponents = 1;
    for (i = 0; i < nf; i++) {
        const char *comp = features_table[feat[i]].component;
        size_t c;
        m->feature[i] = feat[i];
        for (c = 1; c < m->ncomponents; c++)
            if (strcmp(m->component[c], comp) == 0)
                break;
        if (c == m->ncomponents)
            snprintf(m->component[m->ncomponents++], sizeof m->component[0], "%s", comp);
        m->feature_component[i] = (int)c;
    }
}

/* The families of the configurations, the folds of the cross-validation. */
static int count_families(const struct dataset *d, struct fit_report *rep, char *err, size_t errlen)
{
    size_t r, f;
    for (r = 0; r < d->n; r++) {
        for (f = 0; f < rep->nfamilies; f++)
            if (strcmp(rep->family[f].family, d->rows[r].family) == 0)
                break;
        if (f == rep->nfamilies) {
            if (f == FIT_MAX_FAMILIES) {
                snprintf(err, errlen, "more than %d families", FIT_MAX_FAMILIES);
                return -1;
            }
            snprintf(rep->family[f].family, sizeof rep->family[f].family, "%s", d->rows[r].family);
            rep->nfamilies++;
        }
        rep->family[f].n++;
    }
    rep->n = d->n;
    return 0;
}

/* min and peak at the power limit: mean ratios to the average over the
 * limit probes (the configurations at the limit measured over a long
 * window: the power manager swings over seconds), or where the dataset
 * has none, over the configurations that ran within 3% of the limit (at
 * least 3 of them) */
static void fit_cap_ratios(const struct dataset *d, struct model *m, struct fit_report *rep)
{
    double sum_min = 0, sum_peak = 0;
    size_t ncap = 0, nlong = 0, r;
    if (!(d->power_limit_w > 0))
        return;
    for (r = 0; r < d->nprobe; r++)
        if (strcmp(d->probe[r].family, DATASET_PROBE_LIMIT) == 0 && d->probe[r].power_w[TARGET_AVG] > 0) {
            sum_min += d->probe[r].power_w[TARGET_MIN] / d->probe[r].power_w[TARGET_AVG];
            sum_peak += d->probe[r].power_w[TARGET_PEAK] / d->probe[r].power_w[TARGET_AVG];
            nlong++;
        }
    for (r = 0; r < d->n && nlong == 0; r++)
        if (d->rows[r].power_w[TARGET_AVG] >= 0.97 * d->power_limit_w) {
            sum_min += d->rows[r].power_w[TARGET_MIN] / d->rows[r].power_w[TARGET_AVG];
            sum_peak += d->rows[r].power_w[TARGET_PEAK] / d->rows[r].power_w[TARGET_AVG];
            ncap++;
        }
    if (nlong)
        ncap = nlong;
    rep->limit_probes = nlong;
    if (ncap >= 3 || nlong > 0) {
        m->cap_ratio[TARGET_MIN] = sum_min / (double)ncap;
        m->cap_ratio[TARGET_PEAK] = sum_peak / (double)ncap;
        if (m->cap_ratio[TARGET_MIN] > 1)
            m->cap_ratio[TARGET_MIN] = 1;
        if (m->cap_ratio[TARGET_PEAK] < 1)
            m->cap_ratio[TARGET_PEAK] = 1;
        if (m->cap_ratio[TARGET_PEAK] > 2)
            m->cap_ratio[TARGET_PEAK] = 2;
    }
}

size_t fit_comm_term(const struct dataset *d, double comm_w[TARGET_COUNT])
{
    double sum[TARGET_COUNT] = { 0 };
    size_t i, n = 0;
    int t;
    for (t = 0; t < TARGET_COUNT; t++)
        comm_w[t] = 0;
    for (i = 0; i < d->nprobe; i++) {
        const struct dataset_row *r = &d->probe[i];
        if (strcmp(r->family, DATASET_PROBE_COMM) != 0 || r->ranks < 2 || r->msg_bytes < FIT_COMM_MIN_BYTES)
            continue;
        for (t = 0; t < TARGET_COUNT; t++)
            sum[t] += r->power_w[t];
        n++;
    }
    for (t = 0; t < TARGET_COUNT && n; t++)
        comm_w[t] = sum[t] / (double)n;
    return n;
}

/* Per collective, its largest message of two or more ranks: mean power,
 * bus bandwidth and energy per byte over the bus, for the report. */
static void fit_comm_ops(const struct dataset *d, struct fit_report *rep)
{
    const size_t cap = sizeof rep->comm_op / sizeof rep->comm_op[0];
    size_t i, k;
    for (i = 0; i < d->nprobe; i++) {
        const struct dataset_row *r = &d->probe[i];
        struct fit_comm_op *o = NULL;
        if (strcmp(r->family, DATASET_PROBE_COMM) != 0)
            continue;
        if (r->ranks < 2) {
            rep->comm_one_rank++;
            continue;
        }
        for (k = 0; k < rep->ncomm_ops && !o; k++)
            if (strcmp(rep->comm_op[k].kernel, r->kernel) == 0)
                o = &rep->comm_op[k];
        if (!o && rep->ncomm_ops < cap) {
            o = &rep->comm_op[rep->ncomm_ops++];
            snprintf(o->kernel, sizeof o->kernel, "%s", r->kernel);
        }
        if (!o || r->msg_bytes < o->msg_bytes)
            continue;
        if (r->msg_bytes > o->msg_bytes) {
            o->msg_bytes = r->msg_bytes;
            o->n = 0;
            o->avg_w = o->bus_gbs = 0;
        }
        o->avg_w = (o->avg_w * (double)o->n + r->power_w[TARGET_AVG]) / (double)(o->n + 1);
        o->bus_gbs = (o->bus_gbs * (double)o->n + r->bus_gbs) / (double)(o->n + 1);
        o->n++;
    }
    for (k = 0; k < rep->ncomm_ops; k++) {
        struct fit_comm_op *o = &rep->comm_op[k];
        o->nj_per_byte = o->bus_gbs > 0 ? (o->avg_w - d->idle_w) / o->bus_gbs : 0;
    }
}

/* The communication term and its report. */
static void fit_comm(const struct dataset *d, struct model *m, struct fit_report *rep)
{
    int t;
    rep->comm_rows = fit_comm_term(d, rep->comm_w);
    for (t = 0; t < TARGET_COUNT && rep->comm_rows; t++)
        m->comm_w[t] = rep->comm_w[t];
    fit_comm_ops(d, rep);
}

int fit_comm_model(const struct dataset *d, const struct model *base, struct model *out, struct fit_report *rep,
                   char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    if (strcmp(base->gpu, d->gpu) != 0) {
        snprintf(err, errlen, "the model is of the %s, the collectives were measured on the %s", base->gpu, d->gpu);
        return -1;
    }
    *out = *base;
    fit_comm(d, out, rep);
    if (rep->comm_rows)
        return 0;
    if (rep->comm_one_rank)
        snprintf(err, errlen, "no communication term: the dataset's %zu collectives ran on one rank (no data "
                 "crossed a link)", rep->comm_one_rank);
    else
        snprintf(err, errlen, "no communication term: the dataset has no collectives of two or more GPUs with "
                 "messages of %.0f MiB or more (family comm: calibrate measures them where it sees two GPUs)",
                 FIT_COMM_MIN_BYTES / 1048576.0);
    return -1;
}

/* One target's cross-validation: each family held out in turn, predicted
 * by the fit on the others. Adds the held-out errors to *sum_cv and
 * *max_cv (the worst configuration into rep->cv_worst). */
static int cross_validate(const struct dataset *d, const double *x, size_t nf, int t, unsigned char *use,
                          struct fit_report *rep, double *sum_cv, double *max_cv, char *err, size_t errlen)
{
    size_t f, r;
    for (f = 0; f < rep->nfamilies; f++) {
        double coef[MAXC], fam_sum = 0, fam_max = 0;
        for (r = 0; r < d->n; r++)
            use[r] = strcmp(d->rows[r].family, rep->family[f].family) != 0;
        if (fit_target(d, x, nf, t, use, coef) != 0) {
            snprintf(err, errlen, "the %s fit without family %s did not converge", model_target_names[t],
                     rep->family[f].family);
            return -1;
        }
        for (r = 0; r < d->n; r++) {
            double y = d->rows[r].power_w[t], ape;
            if (use[r])
                continue;
            ape = 100.0 * fabs(predict(coef, &x[r * nf], nf, d->power_limit_w) - y) / y;
            fam_sum += ape;
            if (ape > fam_max)
                fam_max = ape;
            *sum_cv += ape;
            if (ape > *max_cv) {
                *max_cv = ape;
                snprintf(rep->cv_worst[t], sizeof rep->cv_worst[t], "%s", d->rows[r].config);
            }
        }
        rep->family[f].cv_mape_pct[t] = fam_sum / (double)rep->family[f].n;
        rep->family[f].cv_max_ape_pct[t] = fam_max;
    }
    return 0;
}

/* One target: the fit on every configuration, its in-sample and held-out
 * errors into the report and the model's statistics. */
static int fit_one_target(const struct dataset *d, const double *x, size_t nf, int t, unsigned char *use,
                          struct model *m, struct fit_report *rep, char *err, size_t errlen)
{
    double sum_ape = 0, sum_cv = 0, max_cv = -1, sum_spread = 0;
    size_t r, i;
    memset(use, 1, d->n);
    if (fit_target(d, x, nf, t, use, m->coef[t]) != 0) {
        snprintf(err, errlen, "the %s fit did not converge", model_target_names[t]);
        return -1;
    }
    for (r = 0; r < d->n; r++) {
        double y = d->rows[r].power_w[t];
        sum_ape += fabs(predict(m->coef[t], &x[r * nf], nf, d->power_limit_w) - y) / y;
        sum_spread += d->rows[r].spread_pct[t];
    }
    if (cross_validate(d, x, nf, t, use, rep, &sum_cv, &max_cv, err, errlen) != 0)
        return -1;
    rep->fit_mape_pct[t] = 100.0 * sum_ape / (double)d->n;
    rep->cv_mape_pct[t] = sum_cv / (double)d->n;
    rep->cv_max_ape_pct[t] = max_cv;
    rep->spread_pct[t] = sum_spread / (double)d->n;
    m->stat[t][STAT_N] = (double)d->n;
    m->stat[t][STAT_FOLDS] = (double)rep->nfamilies;
    m->stat[t][STAT_FIT_MAPE] = rep->fit_mape_pct[t];
    m->stat[t][STAT_CV_MAPE] = rep->cv_mape_pct[t];
    m->stat[t][STAT_CV_MAX_APE] = rep->cv_max_ape_pct[t];
    m->stat[t][STAT_SPREAD] = rep->spread_pct[t];
    for (i = 0; i < STAT_COUNT; i++)
        m->has_stat[t][i] = 1;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of v[0..n-1], sorted in place, by linear
 * interpolation between order statistics. */
static double quantile(double *v, size_t n, double q)
{
    double pos, f;
    size_t i;
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    pos = q * (double)(n - 1);
    i = (size_t)pos;
    f = pos - (double)i;
    return i + 1 < n ? v[i] + f * (v[i + 1] - v[i]) : v[n - 1];
}

/* Each configuration's avg error when it alone is left out of the fit
 * (ape[r], %). 0, or -1 out of memory or a fit that failed. */
static int leave_one_out(const struct dataset *d, const double *x, size_t nf, unsigned char *use, double *ape)
{
    size_t r, q;
    for (r = 0; r < d->n; r++) {
        double coef[MAXC], y = d->rows[r].power_w[TARGET_AVG];
        for (q = 0; q < d->n; q++)
            use[q] = q != r;
        if (fit_target(d, x, nf, TARGET_AVG, use, coef) != 0)
            return -1;
        ape[r] = 100.0 * fabs(predict(coef, &x[r * nf], nf, d->power_limit_w) - y) / y;
    }
    return 0;
}

/* v to the 6 significant digits the model file keeps of the error bars. */
static double round6(double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.6g", v);
    return strtod(buf, NULL);
}

/* The error bars (model.h): every configuration as a point, its scaled
 * features and its avg error when it alone was left out of the fit; the
 * floor is the median of those errors (a kernel among a few lucky
 * configurations must not claim less than the typical error). */
static int fit_regions(const struct dataset *d, const double *x, size_t nf, unsigned char *use, struct model *m)
{
    double *ape = malloc(d->n * sizeof *ape), *tmp = malloc(d->n * sizeof *tmp);
    size_t r, j;
    int rc = -1;
    if (!ape || !tmp || leave_one_out(d, x, nf, use, ape) != 0)
        goto out;
    for (j = 0; j < nf; j++) {
        double mx = 0;
        for (r = 0; r < d->n; r++)
            if (x[r * nf + j] > mx)
                mx = x[r * nf + j];
        m->region_scale[j] = mx > 1e-9 ? mx : 1.0;
    }
    memcpy(tmp, ape, d->n * sizeof *tmp);
    m->region_floor_pct = quantile(tmp, d->n, 0.5);
    for (r = 0; r < d->n && r < MODEL_MAX_REGIONS; r++) {
        snprintf(m->region_name[r], sizeof m->region_name[r], "%.15s", d->rows[r].config);
        m->region_pct[r] = round6(ape[r]);
        for (j = 0; j < nf; j++)
            m->region_center[r][j] = round6(x[r * nf + j] / m->region_scale[j]);
    }
    m->nregions = r;
    rc = 0;
out:
    free(ape);
    free(tmp);
    return rc;
}

static int fit_list(const struct dataset *d, const char *dataset_name, const char *const *list, int strict,
                    struct model *m, struct fit_report *rep, char *err, size_t errlen)
{
    int feat[MODEL_MAX_FEATURES], nfeat, t, rc = -1;
    size_t nf;
    double *x = NULL;
    unsigned char *use = NULL;

    memset(m, 0, sizeof *m);
    memset(rep, 0, sizeof *rep);
    if (!d->gpu[0] || !(d->power_limit_w > 0)) {
        snprintf(err, errlen, "the dataset %s (a '# %s' line, as calibrate writes it)",
                 !d->gpu[0] ? "names no GPU" : "has no power limit", !d->gpu[0] ? "gpu: NAME" : "power_limit_w: W");
        return -1;
    }
    if ((nfeat = choose_features(d, list, strict, feat, rep, err, errlen)) < 0)
        return -1;
    rep->dataset_sampled = dataset_is_sampled(d);
    nf = (size_t)nfeat;
    x = malloc(d->n * nf * sizeof *x);
    use = malloc(d->n);
    if (!x || !use) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (build_features(d, feat, nf, x, err, errlen) != 0 || check_powers(d, err, errlen) != 0)
        goto out;
    describe_model(d, dataset_name, feat, nf, m);
    if (count_families(d, rep, err, errlen) != 0)
        goto out;
    fit_gaps(d, m, rep);
    fit_cap_ratios(d, m, rep);
    fit_comm(d, m, rep);
    for (t = 0; t < TARGET_COUNT; t++)
        if (fit_one_target(d, x, nf, t, use, m, rep, err, errlen) != 0)
            goto out;
    if (fit_regions(d, x, nf, use, m) != 0) {
        snprintf(err, errlen, "the error bars' fits (each configuration left out) did not converge");
        goto out;
    }
    rc = 0;
out:
    free(x);
    free(use);
    return rc;
}

void fit_comm_report_print(FILE *f, const struct fit_report *r)
{
    size_t k;
    for (k = 0; k < r->ncomm_ops; k++) {
        const struct fit_comm_op *o = &r->comm_op[k];
        fprintf(f, "collective %-17s %4.0f MiB on %zu GPU%s: avg %6.1f W, %6.1f GB/s over the bus per GPU, "
                   "%.2f nJ per byte above idle\n", o->kernel, o->msg_bytes / 1048576.0, o->n, o->n == 1 ? "" : "s",
                o->avg_w, o->bus_gbs, o->nj_per_byte);
    }
    if (r->comm_rows)
        fprintf(f, "communication term: min %.1f W, avg %.1f W, peak %.1f W (%zu measurements of %.0f MiB or more)\n",
                r->comm_w[TARGET_MIN], r->comm_w[TARGET_AVG], r->comm_w[TARGET_PEAK], r->comm_rows,
                FIT_COMM_MIN_BYTES / 1048576.0);
    else if (r->comm_one_rank)
        fprintf(f, "no communication term: the %zu collectives measured ran on one rank (no data crossed a link)\n",
                r->comm_one_rank);
}

void fit_report_print(FILE *f, const struct fit_report *r)
{
    size_t i;
    int t;
    fprintf(f, "cross-validation, one family held out at a time (%zu configurations, %zu families)\n", r->n,
            r->nfamilies);
    fprintf(f, "%-10s %4s  %21s  %21s  %21s\n", "family", "n", "min: MAPE / max APE", "avg: MAPE / max APE",
            "peak: MAPE / max APE");
    for (i = 0; i < r->nfamilies; i++) {
        const struct fit_family *fa = &r->family[i];
        fprintf(f, "%-10s %4zu", fa->family, fa->n);
        for (t = 0; t < TARGET_COUNT; t++)
            fprintf(f, "  %9.1f%% / %7.1f%%", fa->cv_mape_pct[t], fa->cv_max_ape_pct[t]);
        fputc('\n', f);
    }
    fprintf(f, "%-10s %4zu", "all", r->n);
    for (t = 0; t < TARGET_COUNT; t++)
        fprintf(f, "  %9.1f%% / %7.1f%%", r->cv_mape_pct[t], r->cv_max_ape_pct[t]);
    fprintf(f, "\nin-sample MAPE (fitted on all): min %.1f%%, avg %.1f%%, peak %.1f%%\n", r->fit_mape_pct[0],
            r->fit_mape_pct[1], r->fit_mape_pct[2]);
    fprintf(f, "measurement spread over repeats (mean): min %.1f%%, avg %.1f%%, peak %.1f%%\n", r->spread_pct[0],
            r->spread_pct[1], r->spread_pct[2]);
    for (t = 0; t < TARGET_COUNT; t++)
        fprintf(f, "worst held-out %s: %s (%.1f%%)\n", model_target_names[t], r->cv_worst[t], r->cv_max_ape_pct[t]);
    if (r->limit_probes)
        fprintf(f, "min and peak at the limit: from %zu configurations measured over a long window\n",
                r->limit_probes);
    if (r->gap_rows)
        fprintf(f, "gaps: %zu bursts with gaps of 0.3 ms or more: RMS error %.1f W with gaps at idle, %.1f W with "
                   "the best decay (time constant %.3g ms): %s\n", r->gap_rows, r->gap_idle_rms_w, r->gap_rms_w,
                r->gap_tau_s * 1e3, r->gap_kept ? "kept" : "not kept, gaps at idle (less than 10% better)");
    fit_comm_report_print(f, r);
}
