/* sampled: see sampled.h. */
#include "sampled.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feature_table.h"

void sampled_gpu_name(const struct timeline *t, int device, char *out, size_t outlen)
{
    size_t i;
    out[0] = '\0';
    for (i = 0; i < t->pm.nnotes; i++) {
        int d, used = 0;
        if (sscanf(t->pm.note[i], "pm_gpu device %d %n", &d, &used) == 1 && used && d == device) {
            snprintf(out, outlen, "%s", t->pm.note[i] + used);
            return;
        }
    }
}

/* sampled_power, and whether the model's power was over the limit
 * (*capped) and the sample's SM clock, Hz (*clock_hz, 0 unknown or not a
 * finite number). */
static int sample_power(const struct pm_device *d, size_t i, const struct model *m, double *power_w,
                        double *component_w, int *capped, double *clock_hz)
{
    double value[M_COUNT], x[MODEL_MAX_FEATURES];
    unsigned char have[M_COUNT];
    struct prediction p;
    size_t k;
    pm_samples_values(d, i, value, have);
    for (k = 0; k < m->nfeatures; k++)
        if (features_compute((size_t)m->feature[k], value, have, &x[k]) != 0) {
            if (!features_available((size_t)m->feature[k], have))
                return -1;
            x[k] = 0; /* a zero denominator: no cycles elapsed */
        }
    model_predict(m, x, &p);
    *power_w = p.power_w[TARGET_AVG];
    *capped = m->power_limit_w > 0 && p.uncapped_w >= m->power_limit_w; /* model_predict caps the avg */
    *clock_hz = have[M_SM_CLOCK] && isfinite(value[M_SM_CLOCK]) && value[M_SM_CLOCK] > 0 ? value[M_SM_CLOCK] : 0;
    if (*capped)
        *power_w = m->power_limit_w;
    if (component_w) {
        double sum = 0, scale;
        for (k = 0; k < m->ncomponents; k++)
            sum += p.component_w[k];
        scale = sum > 0 ? *power_w / sum : 0;
        for (k = 0; k < m->ncomponents; k++)
            component_w[k] = p.component_w[k] * scale;
    }
    return 0;
}

int sampled_power(const struct pm_device *d, size_t i, const struct model *m, double *power_w, double *component_w)
{
    int capped;
    double clock_hz;
    return sample_power(d, i, m, power_w, component_w, &capped, &clock_hz);
}

/* The first sample whose end is after a (samples are in order of start
 * and, one sampler a device, of end). */
static size_t first_after(const struct pm_device *d, long long a)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->end_ns[mid] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static double overlap_s(long long a0, long long a1, long long b0, long long b1)
{
    long long x0 = a0 > b0 ? a0 : b0, x1 = a1 < b1 ? a1 : b1;
    return x1 > x0 ? (double)(x1 - x0) * 1e-9 : 0;
}

/* At the power limit the power manager holds the average by moving the
 * clocks, and the power follows them: over 0.1 s windows of an H100's
 * tensor GEMM (run 16's mm_bf16, board 1651624055835) NVML's power went as
 * the sampled SM clock to the power 2.0 (70 ms later: the instant power's
 * lag), from 1200 to 1440 MHz. The samples the model puts at or over the
 * limit therefore get the limit times (f / f_ref)^2, where f_ref^2 is
 * their mean of f^2 over the window [w0_ns, w1_ns), the whole run (so a
 * clock that drifts over a long run at the limit reads high early and low
 * late): their mean there stays at the limit (exactly where no samples
 * overlap), and the dips and peaks follow the clock. The factor is held
 * within CLOCK_FACTOR_MIN..MAX (the swing measured was 0.7-1.3) against a
 * clock no GPU runs at. factor[i] is 1 for every other sample, and for all
 * where the samples carry no clock or lack a feature of the model (which
 * build_pieces then names). */
#define CLOCK_FACTOR_MIN 0.5
#define CLOCK_FACTOR_MAX 1.5

static void clock_factors(const struct pm_device *d, const struct model *m, long long w0_ns, long long w1_ns,
                          double *factor)
{
    double w, f2_sum = 0, t_sum = 0, mean_f2;
    size_t i;
    int capped;
    for (i = 0; i < d->n; i++) {
        double dt = overlap_s(d->start_ns[i], d->end_ns[i], w0_ns, w1_ns), f;
        if (sample_power(d, i, m, &w, NULL, &capped, &f) != 0)
            break;
        factor[i] = capped ? f : 0; /* the clock, for now */
        if (factor[i] > 0 && dt > 0) {
            f2_sum += f * f * dt;
            t_sum += dt;
        }
    }
    mean_f2 = i == d->n && t_sum > 0 ? f2_sum / t_sum : 0; /* 0: every factor 1 */
    for (i = 0; i < d->n; i++)
        factor[i] = mean_f2 > 0 && isfinite(mean_f2) && factor[i] > 0 /* factor[i] unset past a failed sample */
                        ? fmin(fmax(factor[i] * factor[i] / mean_f2, CLOCK_FACTOR_MIN), CLOCK_FACTOR_MAX)
                        : 1.0;
}

/* The first of m's features that sample i cannot give (sampled_power
 * failed on it, so there is one). */
static size_t missing_feature(const struct pm_device *d, size_t i, const struct model *m)
{
    double value[M_COUNT];
    unsigned char have[M_COUNT];
    size_t k;
    pm_samples_values(d, i, value, have);
    for (k = 0; k + 1 < m->nfeatures; k++)
        if (!features_available((size_t)m->feature[k], have))
            break;
    return k;
}

/* the estimate as pieces of constant power over the window */
struct piece {
    double t0, t1, w;
};

struct pieces {
    struct piece *p;
    size_t n;
};

/* A sample's components over [a, b) (seconds into the window) into the
 * bins of width bw. */
static void bin_components(struct sampled_result *r, const double *comp, double a, double b, double bw)
{
    size_t b0, b1, i, k;
    if (!r->component_series_w || !(bw > 0))
        return;
    b0 = (size_t)(a / bw);
    b1 = (size_t)(b / bw);
    for (i = b0; i <= b1 && i < TIMELINE_BINS; i++) {
        double lo = (double)i * bw, hi = lo + bw, x0 = a > lo ? a : lo, x1 = b < hi ? b : hi;
        if (x1 > x0)
            for (k = 0; k < r->ncomponents; k++)
                r->component_series_w[i * r->ncomponents + k] += comp[k] * (x1 - x0) / bw;
    }
}

/* The gap before sample i is one the tracer lost (it restarted its sampler
 * after sample prev): bridged by the mean of the two samples' power and
 * components, which is right for work that runs on through the gap and
 * halfway for a change within it; counted in bridged_s. */
static double bridge_w(const double *sample_w, size_t i)
{
    return 0.5 * (sample_w[i - 1] + sample_w[i]);
}

static void bridge(struct sampled_result *r, struct pieces *ps, double at, double a, double w0, double w1,
                   const double *sample_w, size_t i, const double *prev_comp, const double *comp, size_t ncomp)
{
    double mid[MODEL_MAX_COMPONENTS];
    size_t k;
    for (k = 0; k < ncomp; k++) {
        mid[k] = 0.5 * (prev_comp[k] + comp[k]);
        r->component_j[k] += mid[k] * (a - at);
    }
    bin_components(r, mid, at - w0, a - w0, (w1 - w0) / TIMELINE_BINS);
    ps->p[ps->n++] = (struct piece){ at, a, bridge_w(sample_w, i) };
    r->bridged_s += a - at;
}

/* Whether the gap between samples i - 1 and i is one the tracer's restart
 * left (i - 1 marked) inside one process's CUDA lifetime: a sampler that
 * restarted and sampled no more before its process ended is followed by
 * the next process's first sample, and the time between the two processes
 * is no gap of a running workload. A timeline without context lines (made
 * by hand) counts as one process. */
static int restart_gap(const struct timeline *t, const struct pm_device *d, size_t i)
{
    size_t c;
    if (i == 0 || !d->restart_after[i - 1])
        return 0;
    if (t->ncontexts == 0)
        return 1;
    for (c = 0; c < t->ncontexts; c++)
        if (t->context_start_ns[c] <= d->end_ns[i - 1] && d->start_ns[i] <= t->context_end_ns[c])
            return 1;
    return 0;
}

/* Samples clipped to [w0, w1], the uncovered parts at idle_w but for the
 * gaps of the sampler's restarts (bridge), also where such a gap crosses
 * w0 or w1 (its samples on either side outside the window); the power of
 * each sample into sample_w (d->n). */
static int build_pieces(const struct timeline *t, const struct pm_device *d, const struct model *m, double w0,
                        double w1, double idle_w, struct sampled_result *r, double *sample_w, const double *factor,
                        struct pieces *ps, char *err, size_t errlen)
{
    double at = w0, comp[MODEL_MAX_COMPONENTS], prev_comp[MODEL_MAX_COMPONENTS];
    size_t i, k;
    if (!(ps->p = malloc((2 * d->n + 2) * sizeof *ps->p))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ps->n = 0;
    for (i = 0; i < d->n; i++) {
        double a = (double)d->start_ns[i] * 1e-9, b = (double)d->end_ns[i] * 1e-9;
        int bridged;
        if (i > 0)
            memcpy(prev_comp, comp, sizeof comp); /* sample i - 1's, in the window or not */
        if (sampled_power(d, i, m, &sample_w[i], comp) != 0) {
            snprintf(err, errlen, "the samples lack the counters of the model's feature %s (the tracer left them "
                     "out: see its pm_left_out lines)", features_table[m->feature[missing_feature(d, i, m)]].name);
            return -1;
        }
        sample_w[i] *= factor[i];
        for (k = 0; k < m->ncomponents; k++)
            comp[k] *= factor[i];
        bridged = restart_gap(t, d, i);
        if (a >= w1 && bridged && at < w1 && (double)d->end_ns[i - 1] * 1e-9 <= at) { /* the gap runs past w1 */
            bridge(r, ps, at, w1, w0, w1, sample_w, i, prev_comp, comp, m->ncomponents);
            at = w1;
        }
        if (b <= w0 || a >= w1)
            continue;
        a = a < w0 ? w0 : a;
        b = b > w1 ? w1 : b;
        if (a < at)
            a = at; /* overlapping samples: the later from where the earlier ended */
        if (b <= a)
            continue;
        if (a > at && bridged)
            bridge(r, ps, at, a, w0, w1, sample_w, i, prev_comp, comp, m->ncomponents);
        else if (a > at)
            ps->p[ps->n++] = (struct piece){ at, a, idle_w };
        ps->p[ps->n++] = (struct piece){ a, b, sample_w[i] };
        for (k = 0; k < m->ncomponents; k++)
            r->component_j[k] += comp[k] * (b - a);
        bin_components(r, comp, a - w0, b - w0, (w1 - w0) / TIMELINE_BINS);
        r->covered_s += b - a;
        r->samples++;
        at = b;
    }
    if (at < w1)
        ps->p[ps->n++] = (struct piece){ at, w1, idle_w };
    return 0;
}

/* The energy of the pieces in [a, b); *lo is a moving start index. */
static double energy_in(const struct pieces *ps, size_t *lo, double a, double b)
{
    double e = 0;
    size_t j;
    while (*lo < ps->n && ps->p[*lo].t1 <= a)
        (*lo)++;
    for (j = *lo; j < ps->n && ps->p[j].t0 < b; j++) {
        double x0 = ps->p[j].t0 > a ? ps->p[j].t0 : a, x1 = ps->p[j].t1 < b ? ps->p[j].t1 : b;
        if (x1 > x0)
            e += ps->p[j].w * (x1 - x0);
    }
    return e;
}

/* The mean of the P readings in [a, b), or NaN; *lo moves. */
static double measured_in(const struct timeline *t, size_t *lo, double a, double b)
{
    double s = 0;
    size_t n = 0, j;
    while (*lo < t->npower && (double)t->power_ns[*lo] * 1e-9 < a)
        (*lo)++;
    for (j = *lo; j < t->npower && (double)t->power_ns[j] * 1e-9 < b; j++) {
        s += t->power_w[j];
        n++;
    }
    return n ? s / (double)n : (double)NAN;
}

/* min and peak over whole SAMPLED_WINDOW_S windows, the estimate's and the
 * measurement's, and the estimate's error against it window by window */
static void windows(const struct timeline *t, const struct pieces *ps, double w0, double w1, struct sampled_result *r)
{
    size_t lo = 0, plo = 0, n = 0, nm = 0;
    double a, sum_ape = 0, msum = 0;
    r->min_w = r->peak_w = r->meas_min_w = r->meas_peak_w = NAN;
    for (a = w0; a + SAMPLED_WINDOW_S <= w1 + 1e-9; a += SAMPLED_WINDOW_S) {
        double e = energy_in(ps, &lo, a, a + SAMPLED_WINDOW_S) / SAMPLED_WINDOW_S;
        double mw = measured_in(t, &plo, a, a + SAMPLED_WINDOW_S);
        if (isnan(r->min_w) || e < r->min_w)
            r->min_w = e;
        if (isnan(r->peak_w) || e > r->peak_w)
            r->peak_w = e;
        n++;
        if (isnan(mw))
            continue;
        if (isnan(r->meas_min_w) || mw < r->meas_min_w)
            r->meas_min_w = mw;
        if (isnan(r->meas_peak_w) || mw > r->meas_peak_w)
            r->meas_peak_w = mw;
        sum_ape += fabs(e - mw) / mw;
        msum += mw;
        nm++;
    }
    if (n == 0) { /* a run shorter than one window */
        r->min_w = r->peak_w = r->avg_w;
    }
    r->nwindows = n;
    r->has_measured = nm > 0;
    r->window_mape_pct = nm ? 100.0 * sum_ape / (double)nm : (double)NAN;
    r->meas_avg_w = nm ? msum / (double)nm : (double)NAN;
}

static void series(const struct timeline *t, const struct pieces *ps, double w0, double w1, struct sampled_result *r)
{
    double bw = (w1 - w0) / TIMELINE_BINS, last = NAN;
    size_t lo = 0, plo = 0, b;
    for (b = 0; b < TIMELINE_BINS; b++) {
        double a = w0 + (double)b * bw, mw;
        r->series_w[b] = bw > 0 ? energy_in(ps, &lo, a, a + bw) / bw : 0;
        mw = measured_in(t, &plo, a, a + bw);
        if (!isnan(mw))
            last = mw;
        r->measured_w[b] = last;
    }
}

static int by_energy(const void *a, const void *b)
{
    const struct sampled_name *x = a, *y = b;
    if (x->energy_j != y->energy_j)
        return x->energy_j > y->energy_j ? -1 : 1;
    return x->name_id - y->name_id;
}

/* The gap before sample j that a restart left (restart_gap) as a piece
 * of the bridge's power, its ends clipped to [w0, w1]; 0 where there is
 * none. */
static int gap_piece(const struct timeline *t, const struct pm_device *d, const double *sample_w, size_t j,
                     long long w0, long long w1, long long *g0, long long *g1, double *w)
{
    if (!restart_gap(t, d, j))
        return 0;
    *g0 = d->end_ns[j - 1] > w0 ? d->end_ns[j - 1] : w0;
    *g1 = d->start_ns[j] < w1 ? d->start_ns[j] : w1;
    *w = bridge_w(sample_w, j);
    return *g1 > *g0;
}

/* A kernel's overlap ov with a piece [p0, p1) of power w: in pass 0 into
 * the piece's cover (the kernel time in it), in pass 1 the kernel's share
 * of the piece's energy, the piece shared in proportion to the kernels'
 * time in it (never more than the piece when kernels overlap). */
static void share(size_t pass, double ov, long long p0, long long p1, double w, double *cover, double *energy_j)
{
    double len = (double)(p1 - p0) * 1e-9;
    if (pass == 0)
        *cover += ov;
    else if (ov > 0)
        *energy_j += w * len * ov / (*cover > len ? *cover : len);
}

/* [a, b) of power w, which a kernel ran in, into the busy part */
static void add_busy(struct sampled_result *r, long long a, long long b, double w)
{
    r->busy_s += (double)(b - a) * 1e-9;
    r->busy_energy_j += w * (double)(b - a) * 1e-9;
}

/* Each kernel's share of the samples it ran in (sampled.h), by name; a
 * restart's bridged gap is shared as a sample is, among the kernels that
 * ran in it (their time in it counts in time_s). */
static int kernel_shares(const struct timeline *t, int device, const struct pm_device *d, const double *sample_w,
                         long long w0, long long w1, struct sampled_result *r)
{
    double *cover = calloc(d->n + 1, sizeof *cover), *gap_cover = calloc(d->n + 1, sizeof *gap_cover);
    struct sampled_name *nm = calloc(t->nnames + 1, sizeof *nm);
    size_t pass, i, j, k;
    long long g0, g1;
    double gw;
    if (!cover || !gap_cover || !nm) {
        free(cover);
        free(gap_cover);
        free(nm);
        return -1;
    }
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < t->n; i++) {
            const struct timeline_event *ev = &t->ev[i];
            long long a = ev->start_ns > w0 ? ev->start_ns : w0, b = ev->end_ns < w1 ? ev->end_ns : w1;
            if (ev->kind != 'K' || ev->device != device || b <= a)
                continue;
            for (j = first_after(d, a); j <= d->n; j++) {
                if (j > 0 && j < d->n && gap_piece(t, d, sample_w, j, w0, w1, &g0, &g1, &gw)) /* the gap before j */
                    share(pass, overlap_s(a, b, g0, g1), g0, g1, gw, &gap_cover[j], &nm[ev->name_id].energy_j);
                if (j == d->n || d->start_ns[j] >= b)
                    break;
                share(pass, overlap_s(a, b, d->start_ns[j], d->end_ns[j]), d->start_ns[j], d->end_ns[j], sample_w[j],
                      &cover[j], &nm[ev->name_id].energy_j);
            }
            if (pass == 1) {
                nm[ev->name_id].calls++;
                nm[ev->name_id].time_s += (double)(b - a) * 1e-9;
                r->kernels++;
            }
        }
    for (j = 0; j < d->n; j++) {
        long long a = d->start_ns[j] > w0 ? d->start_ns[j] : w0, b = d->end_ns[j] < w1 ? d->end_ns[j] : w1;
        if (b > a && cover[j] > 0)
            add_busy(r, a, b, sample_w[j]);
    }
    for (j = 1; j < d->n; j++)
        if (gap_cover[j] > 0 && gap_piece(t, d, sample_w, j, w0, w1, &g0, &g1, &gw))
            add_busy(r, g0, g1, gw);
    for (i = k = 0; i < t->nnames; i++)
        if (nm[i].calls) {
            nm[i].name_id = (int)i;
            nm[k++] = nm[i];
            r->kernel_energy_j += nm[i].energy_j;
        }
    qsort(nm, k, sizeof *nm, by_energy);
    r->names = nm;
    r->nnames = k;
    free(cover);
    free(gap_cover);
    return 0;
}

/* Where device's sampler stopped early: the end of its last sample when
 * the tracer noted a failed decode, or restarted its sampler after that
 * sample and got none after (whether CUPTI samples again after a restart
 * is not known), and the window runs on past it, else the window's end;
 * why, from the note, into r. */
static long long sampler_stop_ns(const struct timeline *t, int device, const struct pm_device *d,
                                 struct sampled_result *r)
{
    const char *why = pm_samples_stop_note(&t->pm, device);
    long long last = d->n ? d->end_ns[d->n - 1] : t->window_stop_ns;
    char restarted[sizeof r->stop_why];
    if (!why && d->n && d->restart_after[d->n - 1]) {
        snprintf(restarted, sizeof restarted, "%s, then no sample after the restart", d->restart_why);
        why = restarted;
    }
    if (!why || last >= t->window_stop_ns || last <= t->window_start_ns)
        return t->window_stop_ns;
    snprintf(r->stop_why, sizeof r->stop_why, "%s", why);
    r->left_out_s = (double)(t->window_stop_ns - last) * 1e-9;
    return last;
}

int sampled_estimate(const struct timeline *t, int device, const struct model *m, struct sampled_result *r,
                     char *err, size_t errlen)
{
    const struct pm_device *d = pm_samples_device(&t->pm, device);
    double w0 = (double)t->window_start_ns * 1e-9, w1 = (double)t->window_stop_ns * 1e-9;
    double idle_w = t->idle_before_w > 0 ? t->idle_before_w : m->idle_w, *sample_w, *factor = NULL;
    struct pieces ps = { NULL, 0 };
    size_t lo = 0;
    long long stop_ns;
    int rc = -1;
    memset(r, 0, sizeof *r);
    r->device = device;
    if (!d || d->n == 0) {
        snprintf(err, errlen, "no PM samples of device %d in the timeline%s", device,
                 t->pm.nnotes ? " (its notes say why: gpu_profiler -v)" : " (it was recorded without --sampled)");
        return -1;
    }
    sampled_gpu_name(t, device, r->gpu, sizeof r->gpu);
    r->restarts = d->restarts;
    snprintf(r->restart_why, sizeof r->restart_why, "%s", d->restart_why);
    stop_ns = sampler_stop_ns(t, device, d, r);
    w1 = (double)stop_ns * 1e-9;
    r->interval_ns = d->interval_ns;
    r->nmetrics = d->nmetrics;
    r->duration_s = w1 - w0;
    r->ncomponents = m->ncomponents;
    if (!(sample_w = malloc(d->n * sizeof *sample_w)) || !(factor = malloc(d->n * sizeof *factor)) ||
        !(r->component_series_w = calloc(TIMELINE_BINS * (m->ncomponents + 1), sizeof *r->component_series_w))) {
        free(sample_w);
        free(factor);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    clock_factors(d, m, t->window_start_ns, stop_ns, factor);
    if (build_pieces(t, d, m, w0, w1, idle_w, r, sample_w, factor, &ps, err, errlen) != 0)
        goto out;
    r->energy_j = energy_in(&ps, &lo, w0, w1);
    r->avg_w = r->duration_s > 0 ? r->energy_j / r->duration_s : (double)NAN;
    windows(t, &ps, w0, w1, r);
    /* the windows tile the run but for its last part: a meter's lowest and
     * highest 0.1 s are never on the wrong side of the whole run's mean */
    r->min_w = fmin(r->min_w, r->avg_w);
    r->peak_w = fmax(r->peak_w, r->avg_w);
    if (r->has_measured) {
        r->meas_min_w = fmin(r->meas_min_w, r->meas_avg_w);
        r->meas_peak_w = fmax(r->meas_peak_w, r->meas_avg_w);
    }
    series(t, &ps, w0, w1, r);
    if (kernel_shares(t, device, d, sample_w, t->window_start_ns, stop_ns, r) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    r->busy_avg_w = r->busy_s > 0 ? r->busy_energy_j / r->busy_s : (double)NAN;
    r->between_j = r->energy_j - r->kernel_energy_j;
    rc = 0;
out:
    free(sample_w);
    free(factor);
    free(ps.p);
    if (rc != 0)
        sampled_free(r);
    return rc;
}

void sampled_free(struct sampled_result *r)
{
    free(r->names);
    free(r->component_series_w);
    r->names = NULL;
    r->component_series_w = NULL;
    r->nnames = 0;
}

int sampled_caveat(const struct sampled_result *r, char *buf, size_t n)
{
    if (n)
        buf[0] = '\0';
    if (r->left_out_s > 0)
        snprintf(buf, n, "the sampler stopped early: estimate and measurement are over the %.3f s sampled, the "
                         "last %.3f s of the run left out", r->duration_s, r->left_out_s);
    else if (r->duration_s > 0 && r->covered_s + r->bridged_s < 0.9 * r->duration_s)
        snprintf(buf, n, "the samples cover %.3f s of the %.3f s window (%.0f%%): the rest is at the idle measured "
                         "before, so the estimate reads low", r->covered_s, r->duration_s,
                 100.0 * r->covered_s / r->duration_s);
    return n && buf[0] != '\0';
}
