/* report: text, JSON and CSV writers; see report.h. The helpers they
 * share with the pictures are in report_format.c. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feature_table.h"
#include "name_hints.h"
#include "report_format.h"

/* ---- shared helpers ---- */


static void json_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.6g", v);
    else
        fputs("null", out);
}

/* CSV fields are quoted when they hold a comma, quote or line break. */
static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
}



static void fmt_time(char *buf, size_t n, double s)
{
    report_fmt_time(buf, n, s, 0);
}

static void fmt_energy(char *buf, size_t n, double j)
{
    report_fmt_energy(buf, n, j);
}

/* ---- text ---- */

/* The error of an estimate against a measurement, "+4.2%", or "n/a". */
static void fmt_error(char *buf, size_t n, double est, double meas)
{
    if (isfinite(est) && isfinite(meas) && meas > 0)
        snprintf(buf, n, "%+.1f%%", 100.0 * (est - meas) / meas);
    else
        snprintf(buf, n, "n/a");
}

/* ANSI escape for component c's colour (nearest of the xterm 6x6x6 cube),
 * or "" without colour. */
static const char *ansi_component(char *buf, size_t n, size_t c, int color)
{
    unsigned r, g, b;
    if (!color || sscanf(report_component_colour(c), "#%02x%02x%02x", &r, &g, &b) != 3) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, n, "\033[38;5;%um", 16 + 36 * ((r * 5 + 127) / 255) + 6 * ((g * 5 + 127) / 255) +
                                        (b * 5 + 127) / 255);
    return buf;
}


/* The devices together: their min, avg and peak powers added (what they
 * draw while all are busy at once, each over its own GPU-busy time) and
 * their energies. */
static void all_devices(const struct estimate *e, double *sum_w, double *sum_j)
{
    size_t d;
    int t;
    *sum_j = 0;
    for (t = 0; t < TARGET_COUNT; t++)
        sum_w[t] = 0;
    for (d = 0; d < e->ndevices; d++) {
        for (t = 0; t < TARGET_COUNT; t++)
            sum_w[t] += e->devices[d].power_w[t];
        *sum_j += e->devices[d].energy_j;
    }
}

static void text_power_line(struct text_line *l, double min_w, double avg_w, double peak_w)
{
    if (isfinite(min_w))
        text_line_add(l, "  min %.1f W", min_w);
    text_line_add(l, "  avg %.1f W", avg_w);
    if (isfinite(peak_w))
        text_line_add(l, "  peak %.1f W", peak_w);
}

static void text_errors(FILE *out, const struct report_opts *o, size_t indent, const struct device_result *dv,
                        double min_w, double avg_w, double peak_w)
{
    char emn[16], eav[16], epk[16];
    struct text_line l = { .len = 0 };
    fmt_error(emn, sizeof emn, dv->power_w[TARGET_MIN], min_w);
    fmt_error(eav, sizeof eav, dv->power_w[TARGET_AVG], avg_w);
    fmt_error(epk, sizeof epk, dv->power_w[TARGET_PEAK], peak_w);
    text_line_add(&l, "%*sthe GPU-busy estimate against that measurement (not one window: the run's idle gaps are "
                      "in the measurement only):  min %s  avg %s  peak %s", (int)indent, "", emn, eav, epk);
    text_line_end(out, &l, o->width, indent + 4);
}

/* What the whole run's estimate put outside the profiled kernels (where:
 * which time the model's idle power covers, when it is idle power). */
static const char *whole_run_rest(const struct report_measured *ms, const char *where)
{
    static char buf[320];
    if (ms->rest_comm)
        snprintf(buf, sizeof buf, "the model's communication term %.1f W for the rest: NCCL's kernels were left "
                 "unprofiled (--skip-nccl), so the run's measured time minus the profiled kernels' is theirs",
                 ms->rest_w);
    else if (ms->skip_nccl)
        snprintf(buf, sizeof buf, "the model's idle %.1f W for the rest, NCCL's time included: the model has no "
                 "communication term (calibrate --only comm on two or more GPUs measures one)", ms->rest_w);
    else
        snprintf(buf, sizeof buf, "the model's idle %.1f W %s", ms->rest_w, where);
    return buf;
}

/* The estimate over the whole measured run (kernels plus the model's idle
 * power between them): what compares with the measurement. */
static void text_whole_run(FILE *out, const struct report_opts *o)
{
    const struct report_measured *ms = o->measured;
    char t1[32], eav[16];
    struct text_line l = { .len = 0 };
    if (!isfinite(ms->run_avg_w)) {
        text_line_add(&l, "estimate over the whole run: n/a (the profile covered part of the run: --skip-kernels, "
                          "--max-kernels, --nvtx-range or --duration)");
        text_line_end(out, &l, o->width, 4);
        return;
    }
    fmt_error(eav, sizeof eav, ms->run_avg_w, ms->avg_w);
    fmt_energy(t1, sizeof t1, ms->run_avg_w * ms->duration_s);
    text_line_add(&l, "estimate over the whole run (kernels busy %.0f%% of it, %s):  avg %.1f W (%s)  energy %s",
                  100.0 * ms->busy_share, whole_run_rest(ms, "between them"), ms->run_avg_w, eav, t1);
    text_line_end(out, &l, o->width, 4);
}

static void text_measured_gpus(FILE *out, const struct report_opts *o)
{
    const struct report_measured *ms = o->measured;
    char t1[32], eav[16];
    struct text_line l = { .len = 0 };
    size_t g;
    for (g = 0; g < ms->ngpus; g++) {
        const struct report_measured_gpu *mg = &ms->gpu[g];
        fmt_energy(t1, sizeof t1, mg->energy_j);
        text_line_add(&l, "  device %lld (GPU %s, %s):", mg->device, mg->id, mg->name);
        text_power_line(&l, mg->min_w, mg->avg_w, mg->peak_w);
        text_line_add(&l, "  energy %s", t1);
        text_line_end(out, &l, o->width, 4);
        if (mg->estimate)
            text_errors(out, o, 4, mg->estimate, mg->min_w, mg->avg_w, mg->peak_w);
        else
            fputs("    no kernel was profiled on it\n", out);
    }
    if (!isfinite(ms->run_avg_w)) {
        text_whole_run(out, o);
        return;
    }
    fmt_error(eav, sizeof eav, ms->run_avg_w, ms->avg_w);
    fmt_energy(t1, sizeof t1, ms->run_avg_w * ms->duration_s);
    text_line_add(&l, "estimate over the whole run (%s):  avg %.1f W (%s)  energy %s",
                  whole_run_rest(ms, "where a GPU ran no kernel"),
                  ms->run_avg_w, eav, t1);
    text_line_end(out, &l, o->width, 4);
    for (g = 0; g < ms->ngpus; g++) {
        const struct report_measured_gpu *mg = &ms->gpu[g];
        fmt_error(eav, sizeof eav, mg->run_avg_w, mg->avg_w);
        fprintf(out, "  device %lld: kernels busy %.0f%% of it, avg %.1f W (%s)\n", mg->device,
                100.0 * mg->busy_share, mg->run_avg_w, eav);
    }
}

static void text_measured(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const struct report_measured *ms = o->measured;
    char t1[32], t2[32];
    struct text_line l = { .len = 0 };
    fmt_energy(t1, sizeof t1, ms->energy_j);
    report_fmt_time(t2, sizeof t2, ms->duration_s, 0);
    if (ms->ngpus > 1)
        text_line_add(&l, "measured without ncu (NVML), %zu GPUs together:", ms->ngpus);
    else
        text_line_add(&l, "measured without ncu (NVML):");
    text_power_line(&l, ms->min_w, ms->avg_w, ms->peak_w);
    text_line_add(&l, "  energy %s over %s", t1, t2);
    text_line_end(out, &l, o->width, 4);
    if (ms->ngpus <= 1) {
        /* first what compares: the estimate over the same window as the measurement */
        const struct device_result *dv = ms->ngpus && ms->gpu[0].estimate ? ms->gpu[0].estimate : &e->devices[0];
        text_whole_run(out, o);
        text_errors(out, o, 0, dv, ms->min_w, ms->avg_w, ms->peak_w);
        return;
    }
    text_measured_gpus(out, o);
}

static void text_timeline(FILE *out, const struct report_opts *o)
{
    const struct report_timeline *tl = o->timeline;
    struct text_line l = { .len = 0 };
    size_t i;
    for (i = 0; i < tl->ndevices; i++) {
        const struct timeline_result *r = &tl->r[i];
        char t1[32], t2[32];
        fmt_energy(t1, sizeof t1, r->energy_j);
        report_fmt_time(t2, sizeof t2, r->duration_s, 0);
        text_line_add(&l, "over the traced run (%s, device %lld, %s, kernels busy %.0f%% of it):", tl->path,
                      tl->device[i], t2, r->duration_s > 0 ? 100.0 * r->busy_s / r->duration_s : 0.0);
        text_power_line(&l, r->min_w, r->avg_w, r->peak_w);
        if (r->avg_interval_w > 0)
            text_line_add(&l, " (avg \xc2\xb1 %.0f W)", r->avg_interval_w);
        text_line_add(&l, "  energy %s", t1);
        text_line_end(out, &l, o->width, 4);
        text_line_add(&l, "  %zu traced kernels, %zu of them named like a profiled one%s%s", r->kernels, r->matched,
                      r->kernels > r->matched + (r->comm_w > 0 ? r->nccl : 0) ? " (the others at the profile's mean)"
                                                                              : "",
                      r->copies ? "; copies and memsets at the power before them" : "");
        text_line_end(out, &l, o->width, 4);
        if (r->nccl && r->comm_w > 0) {
            text_line_add(&l, "  %zu of them NCCL's (ncu cannot profile them) at the model's communication term, "
                              "avg %.0f W", r->nccl, r->comm_w);
            text_line_end(out, &l, o->width, 4);
        } else if (r->nccl) {
            text_line_add(&l, "  %zu of them NCCL's (ncu cannot profile them) at the profile's mean: the model has "
                              "no communication term (none is measured yet: docs/ACCURACY.md)", r->nccl);
            text_line_end(out, &l, o->width, 4);
        }
        if (r->uncapped) {
            text_line_add(&l, "  %zu kernels above the power limit ran uncapped: bursts in a second that averages "
                              "under the limit", r->uncapped);
            text_line_end(out, &l, o->width, 4);
        }
    }
}

/* A name for the terminal: shortened (report_short_name) unless --wide, at
 * most width columns of it (0: all) with "..." where cut; control
 * characters (C0, DEL, C1 such as the one-byte CSI 0x9b) and invalid UTF-8 as
 * '?', so a kernel name cannot move the cursor or change colours. */
static void text_name(FILE *out, const char *name, size_t width, const struct report_opts *o,
                      const struct report_namer *nm)
{
    char short_name[512];
    const unsigned char *p;
    size_t n, i = 0, col = 0;
    if (!o->wide) {
        const struct report_short *rs = report_namer_find(nm, name);
        if (rs && rs->disambiguated && width) /* what tells it apart is at its end */
            report_cut_middle(rs->label, width, short_name, sizeof short_name);
        else if (rs)
            snprintf(short_name, sizeof short_name, "%s", rs->label);
        else
            report_short_name(name, short_name, sizeof short_name);
        name = short_name;
    }
    p = (const unsigned char *)name;
    n = strlen(name);
    if (width && n > width && width > 3)
        width -= 3; /* room for "..." */
    while (i < n && (!width || col < width)) {
        size_t len = report_utf8_len(p + i);
        int c1 = len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0;
        if (len == 0 || p[i] < 0x20 || p[i] == 0x7f || c1 || i + len > n) {
            fputc('?', out);
            i += len ? len : 1;
        } else {
            fwrite(p + i, 1, len, out);
            i += len;
        }
        col++;
    }
    if (i < n)
        fputs("...", out);
}

/* Columns left for a name after a table row's first prefix columns: what
 * the width leaves, at least 16; 0 (no limit) without a width. */
static size_t name_room(const struct report_opts *o, size_t prefix)
{
    if (!o->width)
        return 0;
    return o->width > prefix + 16 ? o->width - prefix : 16;
}

static int text_footer(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    struct text_line l = { .len = 0 };
    if (e->model_guessed == GPU_FIRST_MODEL)
        text_line_add(&l, "note: the CSV does not name its GPU (the details page never does); the figures use the "
                          "model above");
    else if (e->model_guessed == GPU_BY_DRAM_CLOCK)
        text_line_add(&l, "note: the CSV does not name its GPU (the details page never does); its DRAM clock and "
                          "compute capability are those of the GPU above");
    if (l.len)
        text_line_end(out, &l, o->width, 6);
    return ferror(out) ? -1 : 0;
}

/* The watts of a name: its launches' time-weighted min heads, avg and peak
 * heads (what a meter averaging ESTIMATE_WINDOW_S shows while the name
 * runs back to back, as a launch's own min and peak). */
static void name_power(const struct estimate_name *nm, double *p)
{
    double t = nm->time_s;
    p[TARGET_MIN] = t > 0 ? nm->min_ws / t : (double)NAN;
    p[TARGET_AVG] = t > 0 ? nm->energy_j / t : (double)NAN;
    p[TARGET_PEAK] = t > 0 ? nm->peak_ws / t : (double)NAN;
}

/* The watts columns the mode asks for: their headers (row NULL) or a row's. */
static size_t text_mode_watts(FILE *out, const struct report_opts *o, const double *p)
{
    static const unsigned bits[TARGET_COUNT] = { MODE_MIN, MODE_AVG, MODE_PEAK };
    static const char *const heads[TARGET_COUNT] = { "min W", "avg W", "peak W" };
    size_t t, cols = 0;
    for (t = 0; t < TARGET_COUNT; t++)
        if (o->mode & bits[t]) {
            if (p)
                fprintf(out, "%7.1f ", p[t]);
            else
                fprintf(out, "%7s ", heads[t]);
            cols += 8;
        }
    return cols;
}

/* Where names repeat (a loop's launches), one row per name: launches, GPU
 * time, share of the energy, the watts the mode asks for, energy. Returns 1
 * when printed, 0 when every name is one launch (the launches table says it
 * all), -1 out of memory. */
static int text_by_name(FILE *out, const struct estimate *e, const struct report_opts *o,
                        const struct estimate_name *names, size_t shown, size_t n, double total_j,
                        const struct report_namer *nm)
{
    size_t i, prefix;
    if (n == e->nlaunches)
        return 0;
    fprintf(out, "%s by name (%zu name%s, %zu launches; --per-kernel lists each launch):\n",
            shown < n ? "top kernels" : "kernels", n, n == 1 ? "" : "s", e->nlaunches);
    fprintf(out, "  %8s %10s %6s ", "launches", "time", "share");
    prefix = 2 + 9 + 11 + 7 + text_mode_watts(out, o, NULL) + 12;
    fprintf(out, "%10s  %s\n", "energy", "name");
    for (i = 0; i < shown; i++) {
        char t1[32], t2[32];
        double p[TARGET_COUNT];
        name_power(&names[i], p);
        fmt_time(t1, sizeof t1, names[i].time_s);
        fmt_energy(t2, sizeof t2, names[i].energy_j);
        fprintf(out, "  %8zu %10s %5.1f%% ", names[i].launches, t1,
                total_j > 0 ? 100.0 * names[i].energy_j / total_j : 0.0);
        text_mode_watts(out, o, p);
        fprintf(out, "%10s  ", t2);
        text_name(out, names[i].name, name_room(o, prefix), o, nm);
        fputc('\n', out);
    }
    if (shown < n)
        fprintf(out, "  (%zu more names; --top N shows more)\n", n - shown);
    return 1;
}

static int text_launches(FILE *out, const struct estimate *e, const struct report_opts *o,
                         const struct report_namer *nm);

/* The names table (not with --per-kernel), then the launches, their names
 * told apart where they shorten alike: the table's top names and the kept
 * launches are all that is looked at, so memory follows them, not the
 * run's names (aggregate mode). */
static int text_names_and_launches(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    struct report_namer nm;
    struct estimate_name *names = NULL;
    const char **shown_names = NULL;
    size_t shown = 0, n = 0, i;
    double total_j = 0;
    int rc = 0;
    if (!o->per_kernel && !(names = report_top_names(e, o->top, &shown, &n, &total_j)))
        return -1;
    if (e->aggregate_top && (shown_names = malloc((shown + e->nkernels + 1) * sizeof *shown_names))) {
        for (i = 0; i < shown; i++)
            shown_names[i] = names[i].name;
        for (i = 0; i < e->nkernels; i++)
            shown_names[shown + i] = e->kernels[i].name;
        report_namer_init_for(&nm, e, shown_names, shown + e->nkernels); /* out of memory: short names */
        free(shown_names);
    } else {
        report_namer_init(&nm, e); /* out of memory: names as report_short_name makes them */
    }
    if (!o->per_kernel)
        rc = text_by_name(out, e, o, names, shown, n, total_j, &nm);
    if (rc == 0)
        rc = text_launches(out, e, o, &nm);
    report_namer_free(&nm);
    free(names);
    return rc;
}

/* One launch's row: ID, device where there are several, time, the watts the
 * mode asks for, energy, name. */
static void text_launch_row(FILE *out, const struct estimate *e, const struct report_opts *o,
                            const struct kernel_result *k, const struct report_namer *nm)
{
    static const unsigned bits[TARGET_COUNT] = { MODE_MIN, MODE_AVG, MODE_PEAK };
    char t1[32], t2[32];
    size_t t, prefix = 2 + 6 + 1 + 10 + 1 + 10 + 2;
    fmt_time(t1, sizeof t1, k->duration_s);
    fmt_energy(t2, sizeof t2, k->energy_j);
    fprintf(out, "  %6lld ", k->id);
    if (e->ndevices > 1) {
        fprintf(out, "%3lld ", k->device);
        prefix += 4;
    }
    fprintf(out, "%10s ", t1);
    for (t = 0; t < TARGET_COUNT; t++)
        if (o->mode & bits[t]) {
            fprintf(out, "%7.1f ", k->power_w[t]);
            prefix += 8;
        }
    fprintf(out, "%10s  ", t2);
    text_name(out, k->name, name_room(o, prefix), o, nm);
    fputc('\n', out);
}

static void text_launch_header(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    fprintf(out, "  %6s ", "ID");
    if (e->ndevices > 1)
        fprintf(out, "%3s ", "dev");
    fprintf(out, "%10s ", "time");
    if (o->mode & MODE_MIN)
        fprintf(out, "%7s ", "min W");
    if (o->mode & MODE_AVG)
        fprintf(out, "%7s ", "avg W");
    if (o->mode & MODE_PEAK)
        fprintf(out, "%7s ", "peak W");
    fprintf(out, "%10s  name\n", "energy");
}

/* The launches by energy (the top ones, or all with --per-kernel and their
 * components). */
static int text_launches(FILE *out, const struct estimate *e, const struct report_opts *o,
                         const struct report_namer *nm)
{
    const struct model *m = e->used;
    const char *reset = o->color ? "\033[0m" : "";
    const struct kernel_result **order;
    size_t i, c, shown;
    order = report_kernels_by_energy(e);
    if (!order)
        return -1;
    shown = o->per_kernel ? e->nkernels : (o->top < e->nkernels ? o->top : e->nkernels);
    if (shown < e->nlaunches)
        fprintf(out, "top %zu kernel%s by energy:\n", shown, shown == 1 ? "" : "s");
    else
        fputs("kernels by energy:\n", out);
    text_launch_header(out, e, o);
    for (i = 0; i < shown; i++) {
        const struct kernel_result *k = order[i];
        text_launch_row(out, e, o, k, nm);
        if (o->per_kernel) {
            const double *cw = estimate_components(e, (size_t)(k - e->kernels));
            struct text_line l = { .len = 0 };
            text_line_add(&l, "         ");
            for (c = 0; c < m->ncomponents; c++) {
                char col[24];
                text_line_add(&l, " %s%s%s %.1f W", ansi_component(col, sizeof col, c, o->color), m->component[c],
                              o->color ? reset : "", cw[c]);
            }
            text_line_end(out, &l, o->width, 10);
        }
    }
    if (shown < e->nlaunches)
        fprintf(out, "  (%zu more kernels; --top N shows more, --per-kernel all)\n", e->nlaunches - shown);
    free(order);
    return 0;
}

/* The first line: the input, its kernels, the model and its tier. */
static void text_header(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const struct model *m = e->used;
    struct text_line l = { .len = 0 };
    char input[512], gpu[160];
    text_line_add(&l, "%s: %lu kernel%s, model %s", report_clean(input, sizeof input, o->input),
                  (unsigned long)e->nlaunches, e->nlaunches == 1 ? "" : "s", report_clean(gpu, sizeof gpu, m->gpu));
    if (e->tier >= 0)
        text_line_add(&l, ", tier %s (%s)", features_tiers[e->tier].name, e->export_kind);
    else if (m->variant[0])
        text_line_add(&l, ", %s", m->variant);
    if (m->board[0] && m->board_scale > 0)
        text_line_add(&l, ", adjusted to this board (%s, calibrate --quick: %.3f x the built-in model %+.1f W)",
                      m->board, m->board_scale, m->board_offset_w);
    else if (m->has_stat[TARGET_AVG][STAT_CV_MAPE]) {
        double v = model_measured(m, MEAS_VALIDATION_MAPE), n = model_measured(m, MEAS_VALIDATION_N);
        if (v >= 0 && n > 0)
            text_line_add(&l, ": avg error %.1f%% on %.0f real applications, %.1f%% held out on the calibration "
                              "benchmarks (docs/ACCURACY.md)", v, n, m->stat[TARGET_AVG][STAT_CV_MAPE]);
        else
            text_line_add(&l, ": held-out avg error %.1f%% (calibration benchmarks, docs/ACCURACY.md)",
                          m->stat[TARGET_AVG][STAT_CV_MAPE]);
        if (e->first_gpu[0] && strcmp(e->first_gpu, m->gpu) != 0)
            text_line_add(&l, "; on the model's GPU, not on %s, where it was never measured",
                          report_clean(gpu, sizeof gpu, e->first_gpu));
    }
    text_line_end(out, &l, o->width, 4);
    if (e->sample_weight > 1) {
        text_line_add(&l, "sampled: about 1 in %ld invocations of each kernel profiled (--sample); GPU time and "
                          "energy count each profiled kernel %.3g times", e->sample_every, e->sample_weight);
        text_line_end(out, &l, o->width, 4);
    }
}

/* One device's task line, its capped kernels and where its energy goes. */
static void text_device(FILE *out, const struct estimate *e, const struct report_opts *o,
                        const struct device_result *dv)
{
    const struct model *m = e->used;
    const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
    struct text_line l = { .len = 0 };
    char t1[32], t2[32], host[256];
    size_t c;
    fmt_energy(t1, sizeof t1, dv->energy_j);
    fmt_time(t2, sizeof t2, dv->gpu_time_s);
    text_line_add(&l, "%stask", bold);
    report_clean(host, sizeof host, dv->host[0] ? dv->host : "n/a"); /* a host name cannot move the cursor */
    if (e->nhosts > 1 && dv->device >= 0)
        text_line_add(&l, " (host %s, device %lld%s)", host, dv->device, dv->tell);
    else if (e->nhosts > 1)
        text_line_add(&l, " (host %s%s)", host, dv->tell);
    else if (dv->device >= 0)
        text_line_add(&l, " (device %lld%s)", dv->device, dv->tell);
    else if (dv->tell[0])
        text_line_add(&l, " (%s)", dv->tell + 2);
    text_line_add(&l, ":");
    if (o->mode & MODE_MIN)
        text_line_add(&l, "  min %.1f W", dv->power_w[TARGET_MIN]);
    if (o->mode & MODE_AVG) {
        text_line_add(&l, "  avg %.1f W", dv->power_w[TARGET_AVG]);
        if (estimate_interval_pct(dv) > 0) /* the error bar: the model's, of its calibration (model.h) */
            text_line_add(&l, " \xc2\xb1 %.0f W", dv->power_w[TARGET_AVG] * estimate_interval_pct(dv) / 100.0);
    }
    if (o->mode & MODE_PEAK)
        text_line_add(&l, "  peak %.1f W", dv->power_w[TARGET_PEAK]);
    text_line_add(&l, "%s  energy %s over %s of GPU time", reset, t1, t2);
    text_line_end(out, &l, o->width, 4);
    if ((o->mode & (MODE_MIN | MODE_PEAK)) && dv->nkernels) {
        text_line_add(&l, "  min and peak: what a meter averaging %.1f s shows; the kernels themselves run at "
                          "%.1f W to %.1f W", ESTIMATE_WINDOW_S, dv->kernel_lo_w, dv->kernel_hi_w);
        text_line_end(out, &l, o->width, 4);
    }
    if (dv->capped_kernels)
        fprintf(out, "  %zu kernel%s at the power limit (%.0f W)\n", dv->capped_kernels,
                dv->capped_kernels == 1 ? "" : "s", m->power_limit_w);
    text_line_add(&l, "  where the energy goes:");
    for (c = 0; c < m->ncomponents; c++)
        if (dv->energy_j > 0) {
            char col[24];
            text_line_add(&l, " %s%s%s %.0f%%", ansi_component(col, sizeof col, c, o->color), m->component[c],
                          o->color ? reset : "", 100.0 * dv->component_j[c] / dv->energy_j);
        }
    text_line_end(out, &l, o->width, 4);
}

static int text_write(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
    size_t d;
    int rc;
    char t1[32];

    text_header(out, e, o);
    for (d = 0; d < e->ndevices; d++)
        text_device(out, e, o, &e->devices[d]);
    if (e->ndevices > 1) {
        double sum_w[TARGET_COUNT], sum_j;
        all_devices(e, sum_w, &sum_j);
        fmt_energy(t1, sizeof t1, sum_j);
        struct text_line l = { .len = 0 };
        text_line_add(&l, "%sall %zu devices:", bold, e->ndevices);
        if (o->mode & MODE_MIN)
            text_line_add(&l, "  min %.1f W", sum_w[TARGET_MIN]);
        if (o->mode & MODE_AVG)
            text_line_add(&l, "  avg %.1f W", sum_w[TARGET_AVG]);
        if (o->mode & MODE_PEAK)
            text_line_add(&l, "  peak %.1f W", sum_w[TARGET_PEAK]);
        text_line_add(&l, " added up (while all are busy)%s  energy %s", reset, t1);
        text_line_end(out, &l, o->width, 4);
    }
    if (o->measured && e->ndevices)
        text_measured(out, e, o);
    if (o->timeline)
        text_timeline(out, o);
    rc = text_names_and_launches(out, e, o);
    return rc < 0 ? -1 : text_footer(out, e, o);
}

/* ---- JSON ---- */

static void json_power(FILE *out, const double *p)
{
    fputs("{\"min\": ", out);
    json_number(out, p[TARGET_MIN]);
    fputs(", \"avg\": ", out);
    json_number(out, p[TARGET_AVG]);
    fputs(", \"peak\": ", out);
    json_number(out, p[TARGET_PEAK]);
    fputc('}', out);
}

/* A name the CSV may lack: a JSON string, or null for "" (absent is not empty). */
static void json_text_or_null(FILE *out, const char *s)
{
    if (s[0])
        report_json_string(out, s);
    else
        fputs("null", out);
}

/* The model's components as an object, one number each. */
static void json_components(FILE *out, const struct model *m, const double *v)
{
    size_t c;
    fputc('{', out);
    for (c = 0; c < m->ncomponents; c++) {
        fprintf(out, "%s\"%s\": ", c ? ", " : "", m->component[c]);
        json_number(out, v[c]);
    }
    fputc('}', out);
}

/* The avg's error bar as {"low", "high", "level"}, or null without one. */
static void json_interval(FILE *out, double avg_w, double pct)
{
    if (!(pct > 0)) {
        fputs("null", out);
        return;
    }
    fputs("{\"low\": ", out);
    json_number(out, avg_w * (1 - pct / 100.0) > 0 ? avg_w * (1 - pct / 100.0) : 0);
    fputs(", \"high\": ", out);
    json_number(out, avg_w * (1 + pct / 100.0));
    fprintf(out, ", \"level\": %g}", MODEL_INTERVAL_LEVEL);
}

static void json_task(FILE *out, const struct estimate *e, const struct device_result *d)
{
    fputs("{\"device\": ", out);
    if (d->device >= 0)
        fprintf(out, "%lld", d->device);
    else
        fputs("null", out);
    fputs(", \"host\": ", out);
    json_text_or_null(out, d->host);
    fputs(", \"gpu\": ", out);
    json_text_or_null(out, d->gpu);
    if (d->pci >= 0) /* what tells GPUs apart where every rank sees its own as device 0 */
        fprintf(out, ", \"pci\": \"%04llx:%02llx:%02llx\"", d->pci / 8192, d->pci / 32 % 256, d->pci % 32);
    fprintf(out, ", \"file\": %zu, \"kernels\": %zu, \"power_w\": ", d->file, d->nkernels);
    json_power(out, d->power_w);
    fputs(", \"energy_j\": ", out);
    json_number(out, d->energy_j);
    fputs(", \"gpu_time_s\": ", out);
    json_number(out, d->gpu_time_s);
    fputs(", \"components_j\": ", out);
    json_components(out, e->used, d->component_j);
    fputs(", \"avg_interval_w\": ", out);
    json_interval(out, d->power_w[TARGET_AVG], estimate_interval_pct(d));
    fputs(", \"kernels_avg_w\": {\"lowest\": ", out); /* min and peak are a meter's 0.1 s; these the kernels' */
    json_number(out, d->nkernels ? d->kernel_lo_w : (double)NAN);
    fputs(", \"highest\": ", out);
    json_number(out, d->nkernels ? d->kernel_hi_w : (double)NAN);
    fprintf(out, "}, \"capped_kernels\": %zu}", d->capped_kernels);
}

/* A number, or null when it is negative (absent ids). */
static void json_id_or_null(FILE *out, long long v)
{
    if (v >= 0)
        fprintf(out, "%lld", v);
    else
        fputs("null", out);
}

static void json_tasks(FILE *out, const struct estimate *e)
{
    size_t i;
    /* one task object per (host, device), a list however many (docs/schema/estimate.schema.json) */
    fprintf(out, "{\n  \"schema_version\": %d,\n  \"task\": [", REPORT_JSON_SCHEMA_VERSION);
    for (i = 0; i < e->ndevices; i++) {
        fputs(i ? ",\n    " : "\n    ", out);
        json_task(out, e, &e->devices[i]);
    }
    fputs(e->ndevices ? "\n  ]" : "]", out);
    if (e->ndevices > 1) {
        double sum_w[TARGET_COUNT], sum_j;
        all_devices(e, sum_w, &sum_j);
        fprintf(out, ",\n  \"all_devices\": {\"devices\": %zu, \"avg_w_added\": ", e->ndevices);
        json_number(out, sum_w[TARGET_AVG]);
        fputs(", \"power_w_added\": ", out);
        json_power(out, sum_w);
        fputs(", \"energy_j\": ", out);
        json_number(out, sum_j);
        fputc('}', out);
    }
}

/* A kernel name's hint (name_hints.h) as {"dtype", "tensor_cores",
 * "patterns"}, or null where the name matches no pattern. */
static void json_name_hint(FILE *out, const char *name)
{
    struct name_hint h;
    if (!name_hint_of(name, &h)) {
        fputs("null", out);
        return;
    }
    fputs("{\"dtype\": ", out);
    if (h.dtype) /* a name may say only the unit (wgmma, tensorop, ffma) */
        report_json_string(out, h.dtype);
    else
        fputs("null", out);
    fprintf(out, ", \"tensor_cores\": %s, \"patterns\": [",
            h.unit == HINT_TENSOR_CORES ? "true" : h.unit == HINT_CUDA_CORES ? "false" : "null");
    if (h.dtype_pattern)
        report_json_string(out, h.dtype_pattern);
    if (h.unit_pattern && h.unit_pattern != h.dtype_pattern) {
        if (h.dtype_pattern)
            fputs(", ", out);
        report_json_string(out, h.unit_pattern);
    }
    fputs("]}", out);
}

static void json_kernel(FILE *out, const struct estimate *e, size_t i)
{
    const struct kernel_result *kr = &e->kernels[i];
    const double *cw = estimate_components(e, i);
    fprintf(out, "%s\n    {\"id\": %lld, \"name\": ", i ? "," : "", kr->id);
    report_json_string(out, kr->name);
    fputs(", \"pid\": ", out);
    json_id_or_null(out, kr->pid);
    fputs(", \"device\": ", out);
    json_id_or_null(out, kr->device);
    fputs(", \"host\": ", out);
    json_text_or_null(out, kr->host);
    fprintf(out, ", \"file\": %zu", kr->file);
    fputs(", \"duration_s\": ", out);
    json_number(out, kr->duration_s);
    fputs(", \"power_w\": ", out);
    json_power(out, kr->power_w);
    fputs(", \"energy_j\": ", out);
    json_number(out, kr->energy_j);
    fputs(", \"components_w\": ", out);
    json_components(out, e->used, cw);
    fputs(", \"avg_interval_w\": ", out);
    json_interval(out, kr->power_w[TARGET_AVG], kr->interval_pct);
    fprintf(out, ", \"capped\": %s", kr->capped ? "true" : "false");
    fputs(", \"name_hint\": ", out);
    json_name_hint(out, kr->name);
    if (kr->capped) { /* what the fit gives before the cap: a short burst's power (timeline.h) */
        fputs(", \"uncapped_avg_w\": ", out);
        json_number(out, kr->uncapped_w);
    }
    fputc('}', out);
}

/* A board model's adjustment (board.h) as {"id", "scale", "offset_w"}, or null. */
static void json_board(FILE *out, const struct model *m)
{
    if (!m->board[0]) {
        fputs("null", out);
        return;
    }
    fputs("{\"id\": ", out);
    report_json_string(out, m->board);
    fputs(", \"scale\": ", out);
    json_number(out, m->board_scale);
    fputs(", \"offset_w\": ", out);
    json_number(out, m->board_offset_w);
    fputc('}', out);
}

static void json_model(FILE *out, const struct estimate *e)
{
    const struct model *m = e->used;
    int t, k;
    fputs("  \"model\": {\"gpu\": ", out);
    report_json_string(out, m->gpu);
    fputs(", \"variant\": ", out);
    json_text_or_null(out, m->variant);
    fputs(", \"tier\": ", out);
    json_text_or_null(out, e->tier >= 0 ? features_tiers[e->tier].name : "");
    fputs(", \"export\": ", out);
    report_json_string(out, e->export_kind);
    fputs(", \"power_limit_w\": ", out);
    json_number(out, m->power_limit_w);
    fputs(", \"idle_w\": ", out);
    if (m->idle_w > 0)
        json_number(out, m->idle_w);
    else
        fputs("null", out);
    fputs(", \"validation_avg_mape_pct\": ", out);
    if (model_measured(m, MEAS_VALIDATION_MAPE) >= 0)
        json_number(out, model_measured(m, MEAS_VALIDATION_MAPE));
    else
        fputs("null", out);
    fputs(", \"features_from_names\": [", out);
    for (k = 0, t = 0; k < (int)m->nfeatures; k++)
        if (features_metrics[features_table[m->feature[k]].num].rule == 2) {
            fputs(t++ ? ", " : "", out);
            report_json_string(out, features_table[m->feature[k]].name);
        }
    fputc(']', out);
    fputs(", \"board\": ", out);
    json_board(out, m);
    fprintf(out, ", \"guessed\": %s, \"gpu_from\": \"%s\", \"stats\": {",
            e->model_guessed == GPU_FIRST_MODEL ? "true" : "false",
            e->model_guessed == GPU_NAMED ? "csv" : e->model_guessed == GPU_BY_DRAM_CLOCK ? "dram_clock" : "first_model");
    for (t = 0; t < TARGET_COUNT; t++) {
        int first = 1;
        fprintf(out, "%s\"%s\": {", t ? ", " : "", model_target_names[t]);
        for (k = 0; k < STAT_COUNT; k++)
            if (m->has_stat[t][k]) {
                fprintf(out, "%s\"%s\": ", first ? "" : ", ", model_stat_names[k]);
                json_number(out, m->stat[t][k]);
                first = 0;
            }
        fputc('}', out);
    }
    fputs("}}", out);
}

static void json_power3(FILE *out, double min_w, double avg_w, double peak_w)
{
    double p[TARGET_COUNT];
    p[TARGET_MIN] = min_w;
    p[TARGET_AVG] = avg_w;
    p[TARGET_PEAK] = peak_w;
    json_power(out, p);
}

static void json_measured(FILE *out, const struct report_measured *ms)
{
    size_t i;
    fputs(",\n  \"measured\": {\"duration_s\": ", out);
    json_number(out, ms->duration_s);
    fputs(", \"energy_j\": ", out);
    json_number(out, ms->energy_j);
    fputs(", \"power_w\": ", out);
    json_power3(out, ms->min_w, ms->avg_w, ms->peak_w);
    fputs("},\n  \"estimate_over_run\": {\"avg_w\": ", out);
    json_number(out, ms->run_avg_w);
    fputs(", \"energy_j\": ", out);
    json_number(out, ms->run_avg_w * ms->duration_s);
    fputs(", \"busy_share\": ", out);
    json_number(out, ms->busy_share);
    fputs(", \"rest_w\": ", out);
    json_number(out, isfinite(ms->run_avg_w) ? ms->rest_w : (double)NAN);
    fprintf(out, ", \"rest_is\": \"%s\", \"skip_nccl\": %s},\n  \"measured_gpus\": [",
            ms->rest_comm ? "communication" : "idle", ms->skip_nccl ? "true" : "false");
    for (i = 0; i < ms->ngpus; i++) {
        const struct report_measured_gpu *mg = &ms->gpu[i];
        fprintf(out, "%s\n    {\"device\": %lld, \"id\": ", i ? "," : "", mg->device);
        report_json_string(out, mg->id);
        fputs(", \"name\": ", out);
        report_json_string(out, mg->name);
        fputs(", \"power_w\": ", out);
        json_power3(out, mg->min_w, mg->avg_w, mg->peak_w);
        fputs(", \"energy_j\": ", out);
        json_number(out, mg->energy_j);
        fprintf(out, ", \"estimated\": %s, \"estimate_over_run\": {\"avg_w\": ", mg->estimate ? "true" : "false");
        json_number(out, mg->run_avg_w);
        fputs(", \"busy_share\": ", out);
        json_number(out, mg->busy_share);
        fputs("}}", out);
    }
    fputs(ms->ngpus ? "\n  ]" : "]", out);
}

static void json_timeline(FILE *out, const struct report_timeline *tl)
{
    size_t i;
    fputs(",\n  \"timeline\": {\"path\": ", out);
    report_json_string(out, tl->path);
    fputs(", \"devices\": [", out);
    for (i = 0; i < tl->ndevices; i++) {
        const struct timeline_result *r = &tl->r[i];
        fprintf(out, "%s\n    {\"device\": %lld, \"duration_s\": ", i ? "," : "", tl->device[i]);
        json_number(out, r->duration_s);
        fputs(", \"busy_s\": ", out);
        json_number(out, r->busy_s);
        fputs(", \"power_w\": ", out);
        json_power3(out, r->min_w, r->avg_w, r->peak_w);
        fputs(", \"energy_j\": ", out);
        json_number(out, r->energy_j);
        fputs(", \"avg_interval_w\": ", out);
        json_interval(out, r->avg_w, r->avg_w > 0 ? 100.0 * r->avg_interval_w / r->avg_w : 0);
        fprintf(out, ", \"kernels\": %zu, \"matched\": %zu, \"copies\": %zu, \"uncapped\": %zu, \"nccl_kernels\": %zu, "
                "\"comm_avg_w\": ", r->kernels, r->matched, r->copies, r->uncapped, r->nccl);
        if (r->comm_w > 0)
            json_number(out, r->comm_w);
        else
            fputs("null", out);
        fputc('}', out);
    }
    fputs(tl->ndevices ? "\n  ]}" : "]}", out);
}

/* The kernels by name, most energy first: launches, GPU time, energy, avg W. */
static int json_by_name(FILE *out, const struct estimate *e)
{
    double p[TARGET_COUNT];
    size_t n, i;
    struct estimate_name *names = report_by_name(e, &n);
    if (!names)
        return -1;
    fputs("  \"by_name\": [", out);
    for (i = 0; i < n; i++) {
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        report_json_string(out, names[i].name);
        fprintf(out, ", \"launches\": %zu, \"time_s\": ", names[i].launches);
        json_number(out, names[i].time_s);
        fputs(", \"energy_j\": ", out);
        json_number(out, names[i].energy_j);
        fputs(", \"avg_w\": ", out);
        json_number(out, names[i].time_s > 0 ? names[i].energy_j / names[i].time_s : (double)NAN);
        name_power(&names[i], p);
        fputs(", \"power_w\": ", out);
        json_power(out, p);
        fputc('}', out);
    }
    fputs(n ? "\n  ],\n" : "],\n", out);
    free(names);
    return 0;
}

static int json_write(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    size_t i;
    json_tasks(out, e);
    fputs(",\n  \"kernels\": [", out);
    for (i = 0; i < e->nkernels; i++)
        json_kernel(out, e, i);
    fputs(e->nkernels ? "\n  ],\n" : "],\n", out);
    if (json_by_name(out, e) != 0)
        return -1;
    json_model(out, e);
    fputs(",\n  \"input\": ", out);
    report_json_string(out, o->input);
    if (o->measured)
        json_measured(out, o->measured);
    if (o->timeline)
        json_timeline(out, o->timeline);
    fputs(",\n  \"sample_weight\": ", out);
    json_number(out, e->sample_weight > 1 ? e->sample_weight : 1.0);
    fprintf(out, ",\n  \"lines_skipped\": %lu\n}\n", e->stats.lines_skipped);
    return ferror(out) ? -1 : 0;
}

/* ---- CSV ---- */

/* A power (6 digits), or an empty field for an absent one (a number column
 * holds numbers only: spreadsheets and pandas read empty as missing). */
static void csv_watts(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.6g", v);
}

static void csv_row(FILE *out, const char *kind, long long device, long long id, const char *name, double duration_s,
                    const double *p, double energy_j, const char *host, size_t launches)
{
    fputs(kind, out);
    fputc(',', out);
    if (device >= 0)
        fprintf(out, "%lld", device);
    fputc(',', out);
    if (id >= 0)
        fprintf(out, "%lld", id);
    fputc(',', out);
    csv_field(out, name);
    fprintf(out, ",%.9g,", duration_s);
    csv_watts(out, p[TARGET_MIN]);
    fputc(',', out);
    csv_watts(out, p[TARGET_AVG]);
    fputc(',', out);
    csv_watts(out, p[TARGET_PEAK]);
    fprintf(out, ",%.9g,", energy_j);
    csv_field(out, host);
    fprintf(out, ",%zu\n", launches);
}

/* Where names repeat, a row per name (all devices, so no device and no
 * id): launches, time, watts (name_power) and energy. */
static int csv_names(FILE *out, const struct estimate *e)
{
    size_t n, i;
    struct estimate_name *names = report_by_name(e, &n);
    if (!names)
        return -1;
    for (i = 0; n < e->nlaunches && i < n; i++) {
        double p[TARGET_COUNT];
        name_power(&names[i], p);
        csv_row(out, "name", -1, -1, names[i].name, names[i].time_s, p, names[i].energy_j, "", names[i].launches);
    }
    free(names);
    return 0;
}

static int csv_write(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    size_t i;
    fputs(REPORT_CSV_SIGNATURE "device,id,name,duration_s,min_w,avg_w,peak_w,energy_j,host,launches\n", out);
    for (i = 0; i < e->ndevices; i++) {
        const struct device_result *d = &e->devices[i];
        csv_row(out, "task", d->device, -1, o->input, d->gpu_time_s, d->power_w, d->energy_j, d->host, d->nkernels);
    }
    if (!o->tasks_only) {
        if (csv_names(out, e) != 0)
            return -1;
        for (i = 0; i < e->nkernels; i++) {
            const struct kernel_result *k = &e->kernels[i];
            csv_row(out, "kernel", k->device, k->id, k->name, k->duration_s, k->power_w, k->energy_j, k->host, 1);
        }
    }
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_text = { "text", text_write };
const struct report_ops report_json = { "json", json_write };
const struct report_ops report_csv = { "csv", csv_write };
