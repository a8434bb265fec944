/* report_svg: the estimate as a picture (SVG, self-contained: no scripts, no
 * external fonts). Top: the task's estimated power over its kernels in
 * launch order (width = GPU time, height = avg watts, split into the
 * model's components stacked from static at the bottom, in the legend's
 * order), with the avg and its error bar; kernels are binned into at most
 * PLOT_W columns, so 5 kernels and 50,000 read alike. Bottom: the top
 * kernels by energy, each a bar split into the model's components, with
 * its error bar. With -a --measure, the measured min/avg/peak are drawn
 * over the timeline.
 * report_html puts the same picture in a page with the tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feature_table.h"
#include "plat.h"
#include "report.h"
#include "report_format.h"
#include "timeline.h"

#define WIDTH 1000
#define PLOT_X 80
#define PLOT_W 880
#define PLOT_H 240
#define PANEL_Y 60                 /* the first device's panel */
#define PANEL_HEAD 38              /* a panel's two subtitle lines */
#define PANEL_STEP (PLOT_H + 88)   /* from one panel to the next: subtitle, plot, time axis */
#define BAND_FILL "#000000\" fill-opacity=\"0.12" /* the error bar's band over a plot */
#define MAX_PANELS 8               /* devices drawn; the tables list them all */
#define BAR_H 18
#define MAX_BARS 30                /* --top beyond it draws 30 bars */


static void text_escaped(FILE *out, const char *s, size_t max)
{
    report_xml_text(out, s, max);
}

/* The plot's power scale: the limit, the highest kernel or the top of a
 * device's error bar, with room above it for the labels, in hundreds. */
static double svg_ymax(const struct estimate *e)
{
    double ymax = e->used->power_limit_w > 0 ? e->used->power_limit_w : 100;
    size_t k;
    for (k = 0; k < e->nkernels; k++)
        if (e->kernels[k].power_w[TARGET_AVG] > ymax)
            ymax = e->kernels[k].power_w[TARGET_AVG];
    for (k = 0; k < e->ndevices; k++) {
        const struct device_result *d = &e->devices[k];
        double top = d->power_w[TARGET_AVG] * (1 + estimate_interval_pct(d) / 100.0);
        ymax = top > ymax ? top : ymax;
    }
    return ceil((ymax + 40) / 100.0) * 100.0;
}

/* The file name of a path (what the title names). */
static const char *base_name(const char *path)
{
    const char *base = plat_base_name(path);
    return *base ? base : path;
}

static void svg_title(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const struct model *m = e->used;
    const char *what = o && o->title ? base_name(o->title) : o && o->input ? base_name(o->input) : "the task";
    fprintf(out, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Estimated power of ", PLOT_X);
    text_escaped(out, what, 70);
    fprintf(out, "</text>\n<text x=\"%d\" y=\"44\">model ", PLOT_X);
    text_escaped(out, m->gpu, 60);
    if (e->tier >= 0)
        fprintf(out, ", tier %s", features_tiers[e->tier].name);
    if (model_measured(m, MEAS_VALIDATION_MAPE) >= 0 && model_measured(m, MEAS_VALIDATION_N) > 0)
        /* what the text's first line says, from the model's own figures */
        fprintf(out, ", avg error %.1f%% on %.0f real applications", model_measured(m, MEAS_VALIDATION_MAPE),
                model_measured(m, MEAS_VALIDATION_N));
    else if (m->has_stat[TARGET_AVG][STAT_CV_MAPE])
        fprintf(out, ", held-out avg error %.1f%% on the calibration benchmarks", m->stat[TARGET_AVG][STAT_CV_MAPE]);
    fprintf(out, "; %zu kernel%s", e->nlaunches, e->nlaunches == 1 ? "" : "s");
    if (e->ndevices > MAX_PANELS)
        fprintf(out, "; the first %d of %zu devices drawn", MAX_PANELS, e->ndevices);
    fputs("</text>\n", out);
}

/* A panel's subtitle: which device, and its figures; then what min and
 * peak are, beside the kernels' own lowest and highest power. */
static void svg_panel_title(FILE *out, const struct estimate *e, const struct device_result *d, int top)
{
    char ej[32], t[32];
    double pct = estimate_interval_pct(d);
    report_fmt_energy(ej, sizeof ej, d->energy_j);
    report_fmt_time(t, sizeof t, d->gpu_time_s, 0);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">", PLOT_X, top + 14);
    if (e->nhosts > 1) {
        fputs("host ", out);
        text_escaped(out, d->host, 40);
        fputs(", ", out);
    }
    if (d->device >= 0)
        fprintf(out, "device %lld%s", d->device, d->tell);
    else
        fprintf(out, "all kernels%s", d->tell);
    fprintf(out, ": min %.1f W, avg %.1f W", d->power_w[TARGET_MIN], d->power_w[TARGET_AVG]);
    if (pct > 0)
        fprintf(out, " \xc2\xb1 %.0f W", d->power_w[TARGET_AVG] * pct / 100.0);
    fprintf(out, ", peak %.1f W, %s over %zu kernels, %s of GPU time</text>\n", d->power_w[TARGET_PEAK], ej,
            d->nkernels, t);
    fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#444\">min and peak: what a meter averaging %.1f s shows over "
                 "the kernels laid end to end; the kernels themselves run at %.1f W to %.1f W</text>\n", PLOT_X,
            top + 30, ESTIMATE_WINDOW_S, d->kernel_lo_w, d->kernel_hi_w);
}

/* A round step for about n ticks over span: 1, 2 or 5 times a power of 10. */
static double nice_step(double span, int n)
{
    double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void svg_axes(FILE *out, double ymax, double total_t, int py, const char *caption)
{
    double t, step, scale;
    const char *unit;
    fprintf(out, "<g stroke=\"#444\" fill=\"none\"><path d=\"M%d %d V%d H%d\"/></g>\n", PLOT_X, py, py + PLOT_H,
            PLOT_X + PLOT_W);
    for (t = 0; t <= ymax + 1e-9; t += ymax > 400 ? 100 : 50) {
        double y = py + PLOT_H - t / ymax * PLOT_H;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
                PLOT_X, PLOT_X + PLOT_W, y, y, PLOT_X - 6, y + 4, t);
    }
    fprintf(out, "<text x=\"20\" y=\"%d\" transform=\"rotate(-90 20 %d)\" text-anchor=\"middle\">estimated power "
                 "(W)</text>\n", py + PLOT_H / 2, py + PLOT_H / 2);
    /* round ticks in one unit */
    unit = total_t >= 1 ? "s" : total_t >= 1e-3 ? "ms" : "us";
    scale = total_t >= 1 ? 1 : total_t >= 1e-3 ? 1e3 : 1e6;
    step = total_t > 0 ? nice_step(total_t * scale, 5) : 1;
    for (t = 0; total_t > 0 && t <= total_t * scale * (1 + 1e-9); t += step)
        fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
                     "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g %s</text>\n",
                PLOT_X + PLOT_W * t / (total_t * scale), PLOT_X + PLOT_W * t / (total_t * scale), py + PLOT_H,
                py + PLOT_H + 4, PLOT_X + PLOT_W * t / (total_t * scale), py + PLOT_H + 16, t, unit);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", PLOT_X + PLOT_W / 2, py + PLOT_H + 32,
            caption);
}

/* The power limit over a plot (drawn after its columns, so that it shows). */
static void svg_limit(FILE *out, const struct model *m, double ymax, int py)
{
    if (m->power_limit_w > 0) {
        double y = py + PLOT_H - m->power_limit_w / ymax * PLOT_H;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>"
                     "<text x=\"%d\" y=\"%.1f\" fill=\"#d62728\">power limit %.0f W</text>\n",
                PLOT_X, PLOT_X + PLOT_W, y, y, PLOT_X + 4, y - 4, m->power_limit_w);
    }
}

/* The kernels laid end to end, binned into one-pixel columns: each
 * column's time, energy and energy per component. */
struct svg_columns {
    double e[PLOT_W], t[PLOT_W], comp[PLOT_W][MODEL_MAX_COMPONENTS];
};

static int on_device(const struct estimate *e, const struct kernel_result *k, const struct device_result *d)
{
    return &e->devices[k->dev] == d;
}

/* Kernel kr (component watts cw, nc of them) from start to end into the columns. */
static void svg_bin_one(struct svg_columns *cols, const struct kernel_result *kr, const double *cw, size_t nc,
                        double start, double end, double cw_s)
{
    size_t c0 = (size_t)(start / cw_s), c1 = (size_t)(end / cw_s), c, i;
    if (c1 >= PLOT_W)
        c1 = PLOT_W - 1;
    if (c0 > c1)
        c0 = c1;
    for (c = c0; c <= c1; c++) {
        double lo = start > (double)c * cw_s ? start : (double)c * cw_s;
        double hi = c == PLOT_W - 1 ? end : (end < (double)(c + 1) * cw_s ? end : (double)(c + 1) * cw_s);
        double piece = hi - lo;
        if (piece <= 0)
            continue;
        cols->t[c] += piece;
        cols->e[c] += piece * kr->power_w[TARGET_AVG];
        for (i = 0; cw && i < nc; i++)
            cols->comp[c][i] += piece * cw[i];
    }
}

static void svg_bin(const struct estimate *e, const struct device_result *d, double total_t,
                    struct svg_columns *cols)
{
    double start = 0;
    size_t k;
    memset(cols, 0, sizeof *cols);
    if (!(total_t > 0))
        return;
    for (k = 0; k < e->nkernels; k++) {
        const struct kernel_result *kr = &e->kernels[k];
        if (!on_device(e, kr, d))
            continue;
        svg_bin_one(cols, kr, estimate_components(e, k), e->used->ncomponents, start, start + kr->duration_s,
                    total_t / PLOT_W);
        start += kr->duration_s;
    }
}

/* A column's tooltip: its time span, its power and its three largest components. */
static void svg_column_title(FILE *out, const struct model *m, const struct svg_columns *cols, size_t col,
                             double cw_s)
{
    char t0[32], t1[32];
    size_t i, r, shown[3] = { 0, 0, 0 };
    report_fmt_time(t0, sizeof t0, (double)col * cw_s, 1);
    report_fmt_time(t1, sizeof t1, (double)(col + 1) * cw_s, 1);
    fprintf(out, "<title>%s to %s: %.0f W", t0, t1, cols->e[col] / cols->t[col]);
    for (r = 0; r < 3 && r < m->ncomponents; r++) {
        size_t best = m->ncomponents;
        for (i = 0; i < m->ncomponents; i++) {
            int taken = 0;
            size_t q;
            for (q = 0; q < r; q++)
                taken |= shown[q] == i;
            if (!taken && (best == m->ncomponents || cols->comp[col][i] > cols->comp[col][best]))
                best = i;
        }
        shown[r] = best;
        if (cols->comp[col][best] > 0)
            fprintf(out, "%s %s %.0f W", r ? "," : ";", m->component[best], cols->comp[col][best] / cols->t[col]);
    }
    fputs("</title>", out);
}

/* One device's kernels as columns, each split into the model's components
 * stacked from the first (static) up, one path per component (so that 880
 * columns are 10 paths, not 8,800 rects); over them a transparent column
 * each with its tooltip. */
static void svg_timeline(FILE *out, const struct estimate *e, const struct device_result *d, double ymax, int py)
{
    static struct svg_columns cols; /* large; one picture at a time */
    static double base[PLOT_W];
    size_t col, i, nc = e->used->ncomponents;
    double total_t = d->gpu_time_s, cw_s = total_t / PLOT_W;
    svg_bin(e, d, total_t, &cols);
    memset(base, 0, sizeof base);
    for (i = 0; i < nc; i++) {
        int any = 0;
        for (col = 0; col < PLOT_W; col++) {
            double h = cols.t[col] > 0 ? cols.comp[col][i] / cols.t[col] / ymax * PLOT_H : 0;
            if (h <= 0)
                continue;
            if (!any)
                fprintf(out, "<path fill=\"%s\" d=\"", report_component_colour(i));
            fprintf(out, "M%zu %.1fh1v%.1fh-1z", PLOT_X + col, py + PLOT_H - base[col] - h, h);
            base[col] += h;
            any = 1;
        }
        if (any)
            fputs("\"/>\n", out);
    }
    for (col = 0; col < PLOT_W; col++) {
        if (cols.t[col] <= 0)
            continue;
        fprintf(out, "<rect x=\"%zu\" y=\"%d\" width=\"1\" height=\"%d\" fill-opacity=\"0\">", PLOT_X + col, py,
                PLOT_H);
        svg_column_title(out, e->used, &cols, col, cw_s);
        fputs("</rect>\n", out);
    }
}

/* An estimate's avg with its error bar over a plot: a band from low to
 * high, the avg dashed, and a labelled bar at the plot's right edge. */
static void svg_error_band(FILE *out, double avg_w, double err_w, double ymax, int py, const char *what)
{
    double y = py + PLOT_H - avg_w / ymax * PLOT_H, lo = avg_w - err_w > 0 ? avg_w - err_w : 0;
    double hi = avg_w + err_w < ymax ? avg_w + err_w : ymax;
    double ylo = py + PLOT_H - lo / ymax * PLOT_H, yhi = py + PLOT_H - hi / ymax * PLOT_H;
    int x = PLOT_X + PLOT_W + 10;
    if (!(avg_w > 0) || avg_w > ymax)
        return;
    if (err_w > 0)
        fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"" BAND_FILL "\"><title>%s "
                     "%.0f W \xc2\xb1 %.0f W: the %.0f%% error bar</title></rect>\n"
                     "<path stroke=\"#000\" stroke-width=\"1.5\" fill=\"none\" d=\"M%d %.1fh8M%d %.1fV%.1fM%d %.1fh8\"/>\n",
                PLOT_X, yhi, PLOT_W, ylo - yhi, what, avg_w, err_w, 100 * MODEL_INTERVAL_LEVEL, x - 4, yhi, x, yhi,
                ylo, x - 4, ylo);
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-dasharray=\"6 3\"/>"
                 "<circle cx=\"%d\" cy=\"%.1f\" r=\"2.5\"/>\n", PLOT_X, PLOT_X + PLOT_W, y, y, x, y);
    if (err_w > 0)
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-weight=\"bold\">%s %.0f W \xc2\xb1 %.0f W "
                     "(%.0f%% error bar)</text>\n", PLOT_X + PLOT_W - 4, yhi - 4, what, avg_w, err_w,
                100 * MODEL_INTERVAL_LEVEL);
    else
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-weight=\"bold\">%s %.0f W</text>\n",
                PLOT_X + PLOT_W - 4, y - 4, what, avg_w);
}

/* What NVML measured without ncu (-a --measure) on the panel's GPU: avg as
 * a solid line, min and peak dotted, their labels side by side so that
 * close values do not overlap. The timeline shows GPU-busy time only. */
static void svg_measured(FILE *out, const struct report_measured *ms, const struct device_result *d, int first,
                         double ymax, int py)
{
    static const char *const names[3] = { "measured min", "measured avg", "measured peak" };
    const struct report_measured_gpu *mg = report_measured_of(ms, d);
    double vals[3];
    int i;
    if (!mg && !(first && ms->ngpus <= 1))
        return; /* all GPUs together would not compare with one device */
    vals[0] = mg ? mg->min_w : ms->min_w;
    vals[1] = mg ? mg->avg_w : ms->avg_w;
    vals[2] = mg ? mg->peak_w : ms->peak_w;
    for (i = 0; i < 3; i++) {
        double y;
        if (!isfinite(vals[i]) || vals[i] <= 0 || vals[i] > ymax)
            continue;
        y = py + PLOT_H - vals[i] / ymax * PLOT_H;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"%s\"%s/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"start\">%s %.0f W</text>\n",
                PLOT_X, PLOT_X + PLOT_W, y, y, i == 1 ? "2" : "1", i == 1 ? "" : " stroke-dasharray=\"2 3\"",
                PLOT_X + 4 + i * 150, y - 3, names[i], vals[i]);
    }
}

/* The estimate along the traced run (--timeline): each bin's estimated
 * power as a column, idle gaps included, the measured power over it as a
 * line where the timeline holds it, and both averages. */
static void svg_traced(FILE *out, const struct report_timeline *tl, size_t i, const struct model *m, double ymax,
                       int top_y)
{
    const struct timeline_result *r = &tl->r[i];
    int py = top_y + 22, b;
    double bw = (double)PLOT_W / TIMELINE_BINS;
    char t[32];
    report_fmt_time(t, sizeof t, r->duration_s, 0);
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">device %lld over the traced run (%s, kernels busy "
                 "%.0f%%): estimated avg %.1f W", PLOT_X, top_y + 14, tl->device[i], t,
            r->duration_s > 0 ? 100.0 * r->busy_s / r->duration_s : 0.0, r->avg_w);
    if (r->has_measured)
        fprintf(out, ", measured avg %.1f W", r->measured_avg_w);
    fputs("</text>\n", out);
    svg_axes(out, ymax, r->duration_s, py, "time in the traced run (measure --timeline), idle gaps included");
    for (b = 0; b < TIMELINE_BINS; b++) {
        double h = r->series_w[b] / ymax * PLOT_H;
        if (h > PLOT_H)
            h = PLOT_H;
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#9ecae1\"><title>%.0f W "
                     "estimated</title></rect>\n", PLOT_X + b * bw, py + PLOT_H - h, bw, h, r->series_w[b]);
    }
    if (r->has_measured) {
        fputs("<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"1\" points=\"", out);
        for (b = 0; b < TIMELINE_BINS; b++)
            if (isfinite(r->measured_w[b]))
                fprintf(out, "%.1f,%.1f ", PLOT_X + (b + 0.5) * bw,
                        py + PLOT_H - (r->measured_w[b] < ymax ? r->measured_w[b] : ymax) / ymax * PLOT_H);
        fputs("\"/>\n", out);
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-dasharray=\"6 3\"/>"
                     "<text x=\"%d\" y=\"%.1f\">measured avg %.0f W (NVML)</text>\n", PLOT_X, PLOT_X + PLOT_W,
                py + PLOT_H - r->measured_avg_w / ymax * PLOT_H, py + PLOT_H - r->measured_avg_w / ymax * PLOT_H,
                PLOT_X + 154, py + PLOT_H - r->measured_avg_w / ymax * PLOT_H - 3, r->measured_avg_w);
    }
    svg_limit(out, m, ymax, py);
    svg_error_band(out, r->avg_w, r->avg_interval_w > 0 ? r->avg_interval_w : 0, ymax, py, "estimated avg");
}

/* The components' colours, and how the picture uses them. */
static void svg_legend(FILE *out, const struct model *m, int y)
{
    size_t k;
    for (k = 0; k < m->ncomponents; k++)
        fprintf(out, "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%zu\" y=\"%d\">%s"
                     "</text>\n", PLOT_X + (k % 10) * 86, y + (int)(k / 10) * 16, report_component_colour(k),
                PLOT_X + (k % 10) * 86 + 14, y + 9 + (int)(k / 10) * 16, m->component[k]);
    fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#444\">Stacked in this order, %s at the bottom (at the left in a "
                 "bar); grey band, and bar at the right: the avg's %.0f%% error bar</text>\n", PLOT_X,
            y + 9 + (int)((m->ncomponents + 9) / 10) * 16, m->ncomponents ? m->component[0] : "",
            100 * MODEL_INTERVAL_LEVEL);
}

/* One name's (or launch's) bar: its label, its components (scaled so that
 * emax, the longest bar's end with its error bar, fills the bar's room), its error bar, its figures, and a tooltip with
 * the full name, what (launches, or ID and device), time, avg W and energy. */
static void svg_bar(FILE *out, int y, const char *label, const char *what, const struct estimate_name *r, size_t nc,
                    double emax)
{
    double x = PLOT_X + 300, full = 330, avg_w = r->time_s > 0 ? r->energy_j / r->time_s : 0;
    double pct = r->energy_j > 0 ? r->interval_j / r->energy_j : 0, werr = emax > 0 ? r->energy_j * pct / 100.0 / emax * full : 0;
    char ej[32], t[32];
    size_t i;
    report_fmt_energy(ej, sizeof ej, r->energy_j);
    report_fmt_time(t, sizeof t, r->time_s, 0);
    fputs("<g><title>", out);
    text_escaped(out, r->name ? r->name : "?", 590);
    fprintf(out, ": %s, %s, %.1f W avg, %s</title><text x=\"%.0f\" y=\"%d\" text-anchor=\"end\">", what, t, avg_w, ej,
            x - 8, y + 13);
    text_escaped(out, label, 44);
    fputs("</text>\n", out);
    for (i = 0; i < nc; i++) {
        double w = emax > 0 ? r->component_j[i] / emax * full : 0;
        if (w <= 0)
            continue;
        fprintf(out, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>\n", x, y, w, BAR_H,
                report_component_colour(i));
        x += w;
    }
    if (werr > 0) /* the error bar on its energy (and its avg W: the same share) */
        fprintf(out, "<path stroke=\"#000\" stroke-width=\"1.5\" fill=\"none\" d=\"M%.1f %dh%.1fM%.1f %dv%dM%.1f %dv%d\"/>\n",
                x - werr, y + BAR_H / 2, 2 * werr, x - werr, y + 4, BAR_H - 8, x + werr, y + 4, BAR_H - 8);
    fprintf(out, "<text x=\"%.1f\" y=\"%d\">%s, %.0f W avg", x + (werr > 0 ? werr : 0) + 6, y + 13, ej, avg_w);
    if (pct > 0)
        fprintf(out, " \xc2\xb1 %.0f W", avg_w * pct / 100.0);
    fputs("</text></g>\n", out);
}

/* The top kernels by energy (names, most energy first, n of them), each a
 * bar split into the model's components: by name where names repeat (as the
 * table), else launches. */
static void svg_top_kernels(FILE *out, const struct estimate *e, const struct estimate_name *names, size_t n,
                            size_t ntop, int bars_y)
{
    size_t k;
    int by_name = n < e->nlaunches;
    char short_name[300], label[320], what[64];
    double emax = 0;
    struct report_namer nm;
    for (k = 0; k < ntop; k++) /* the longest bar with its error bar fills the room */
        if (names[k].energy_j + names[k].interval_j / 100.0 > emax)
            emax = names[k].energy_j + names[k].interval_j / 100.0;
    report_namer_init(&nm, e); /* out of memory: report_short_name's names */
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Top %zu kernel%s by energy%s, split into the model's "
                 "components, with the error bar</text>\n", PLOT_X, bars_y - 6, ntop, ntop == 1 ? "" : "s",
            by_name ? " (by name)" : "");
    for (k = 0; k < ntop; k++) {
        const struct estimate_name *r = &names[k];
        const struct report_short *rs = report_namer_find(&nm, r->name);
        if (rs) /* the label's room: 44 characters */
            report_cut_middle(rs->label, rs->disambiguated ? 40 : sizeof short_name - 1, short_name,
                              sizeof short_name);
        else
            report_short_name(r->name ? r->name : "?", short_name, sizeof short_name);
        if (by_name) {
            snprintf(what, sizeof what, "%zu launch%s", r->launches, r->launches == 1 ? "" : "es");
            snprintf(label, sizeof label, "%s", short_name);
        } else { /* one launch per name: the label says which */
            snprintf(what, sizeof what, "ID %lld, device %lld", r->first.id, r->first.device);
            snprintf(label, sizeof label, "#%lld %s", r->first.id, short_name);
        }
        svg_bar(out, bars_y + 8 + (int)k * (BAR_H + 8), label, what, r, e->used->ncomponents, emax);
    }
    report_namer_free(&nm);
}

static int svg_write(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    double ymax;
    size_t d, npanels, ntraced, top = o && o->top ? (o->top < MAX_BARS ? o->top : MAX_BARS) : 10, nnames, nbars;
    int height, legend_y, bars_y;
    struct estimate_name *names;
    if (!e->used || !(names = report_by_name(e, &nnames))) /* the bars are names */
        return -1;
    ntraced = o && o->timeline ? (o->timeline->ndevices < MAX_PANELS ? o->timeline->ndevices : MAX_PANELS) : 0;
    npanels = e->ndevices < MAX_PANELS ? e->ndevices : MAX_PANELS;
    nbars = nnames < top ? nnames : top;
    legend_y = PANEL_Y + (int)(ntraced + npanels) * PANEL_STEP + 4;
    bars_y = legend_y + 16 * (int)((e->used->ncomponents + 9) / 10) + 50;
    height = bars_y + 16 + (int)nbars * (BAR_H + 8) + 24;
    ymax = svg_ymax(e);
    if (!(o && o->in_html))
        fprintf(out, "<!-- gpu_profiler_report: estimated power, made by gpu_profiler -->\n");
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, height, WIDTH, height);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, height);
    svg_title(out, e, o);
    for (d = 0; d < ntraced; d++) /* first what a user wants most: power over the real run */
        svg_traced(out, o->timeline, d, e->used, ymax, PANEL_Y + (int)d * PANEL_STEP);
    for (d = 0; d < npanels; d++) {
        int top_y = PANEL_Y + (int)(ntraced + d) * PANEL_STEP, py = top_y + PANEL_HEAD;
        const struct device_result *dv = &e->devices[d];
        svg_panel_title(out, e, &e->devices[d], top_y);
        svg_axes(out, ymax, e->devices[d].gpu_time_s, py,
                 "GPU time, kernels in launch order (idle gaps left out)");
        svg_timeline(out, e, dv, ymax, py);
        svg_limit(out, e->used, ymax, py);
        svg_error_band(out, dv->power_w[TARGET_AVG], dv->power_w[TARGET_AVG] * estimate_interval_pct(dv) / 100.0,
                       ymax, py, "estimated avg");
        if (o && o->measured)
            svg_measured(out, o->measured, &e->devices[d], d == 0, ymax, py);
    }
    svg_legend(out, e->used, legend_y);
    svg_top_kernels(out, e, names, nnames, nbars, bars_y);
    free(names);
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_svg = { "svg", svg_write };

/* ---- HTML: the picture and the tables in one self-contained page ---- */

static void html_cell_w(FILE *out, double w)
{
    if (isfinite(w))
        fprintf(out, "<td>%.1f</td>", w);
    else
        fputs("<td>n/a</td>", out);
}

static void html_head(FILE *out, const struct report_opts *o)
{
    fprintf(out, "<!-- gpu_profiler_report: estimated power, made by gpu_profiler -->\n<!DOCTYPE html>\n"
                 "<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>gpu_profiler: ");
    text_escaped(out, o->input ? o->input : "estimate", 80);
    /* numbers never part from their units (nowrap); names break only where
     * html_name_cell put a <wbr/> (after ::, _ and commas), never mid-word;
     * the picture takes the page's width */
    fputs("</title>\n<style>body{font-family:sans-serif;margin:24px}"
          "svg{display:block;width:100%;height:auto}td{white-space:nowrap}"
          "td.n{min-width:12em;white-space:normal;overflow-wrap:normal;word-break:normal}"
          "table{border-collapse:collapse;margin:8px 0 20px;font-size:14px}td,th{border:1px solid #ccc;padding:3px 5px;"
          "text-align:right}td.n,th.n{text-align:left;font-family:monospace}caption{text-align:left;"
          "font-weight:bold;padding:4px 0}p.note{color:#444;max-width:80em}@media print{body{margin:0}}</style>"
          "</head><body>\n", out);
}

static void html_devices(FILE *out, const struct estimate *e)
{
    size_t d;
    char t[32];
    fputs("<table><caption>Estimate per device (GPU-busy time)</caption><tr><th>device</th><th class=\"n\">GPU"
          "</th><th>kernels</th><th>GPU time</th><th>min&#160;W (0.1&#160;s meter)</th><th>avg&#160;W</th>"
          "<th>peak&#160;W (0.1&#160;s meter)</th><th>kernels' own lowest&#160;W</th><th>kernels' own "
          "highest&#160;W</th><th>energy&#160;J</th></tr>\n", out);
    for (d = 0; d < e->ndevices; d++) {
        const struct device_result *dv = &e->devices[d];
        double pct = estimate_interval_pct(dv);
        report_fmt_time(t, sizeof t, dv->gpu_time_s, 0);
        fprintf(out, "<tr><td>%lld</td><td class=\"n\">", dv->device);
        text_escaped(out, dv->gpu && dv->gpu[0] ? dv->gpu : e->used->gpu, 80);
        fprintf(out, "</td><td>%zu</td><td>%s</td>", dv->nkernels, t);
        html_cell_w(out, dv->power_w[TARGET_MIN]);
        if (pct > 0) /* the error bar, as the text's */
            fprintf(out, "<td>%.1f \xc2\xb1 %.0f</td>", dv->power_w[TARGET_AVG], dv->power_w[TARGET_AVG] * pct / 100.0);
        else
            html_cell_w(out, dv->power_w[TARGET_AVG]);
        html_cell_w(out, dv->power_w[TARGET_PEAK]);
        html_cell_w(out, dv->nkernels ? dv->kernel_lo_w : (double)NAN);
        html_cell_w(out, dv->nkernels ? dv->kernel_hi_w : (double)NAN);
        fprintf(out, "<td>%.4g</td></tr>\n", dv->energy_j);
    }
    fputs("</table>\n<p class=\"note\">min and peak are what a meter averaging 0.1 s shows over the kernels laid "
          "end to end; the kernels' own lowest and highest are each kernel's avg. The avg's error bar (&#177;) is "
          "an 80% interval.</p>\n", out);
}

/* A measured GPU's row, or (mg NULL) all of them together. */
static void html_measured_row(FILE *out, const struct report_measured *ms, const struct report_measured_gpu *mg)
{
    double share = mg ? mg->busy_share : ms->busy_share;
    if (mg) {
        fprintf(out, "<tr><td>%lld</td><td class=\"n\">", mg->device);
        text_escaped(out, mg->name, 80);
        fprintf(out, " (GPU %s)</td>", mg->id);
    } else {
        fprintf(out, "<tr><td>all</td><td class=\"n\">%zu GPUs together</td>", ms->ngpus);
    }
    html_cell_w(out, mg ? mg->min_w : ms->min_w);
    html_cell_w(out, mg ? mg->avg_w : ms->avg_w);
    html_cell_w(out, mg ? mg->peak_w : ms->peak_w);
    fprintf(out, "<td>%.4g</td>", mg ? mg->energy_j : ms->energy_j);
    html_cell_w(out, mg ? mg->run_avg_w : ms->run_avg_w);
    if (isfinite(share))
        fprintf(out, "<td>%.1f%%</td></tr>\n", 100.0 * share);
    else
        fputs("<td>n/a</td></tr>\n", out);
}

static void html_measured(FILE *out, const struct report_measured *ms)
{
    size_t g;
    char t[32];
    report_fmt_time(t, sizeof t, ms->duration_s, 0);
    fprintf(out, "<table><caption>Measured without ncu (NVML, -a --measure) over %s</caption><tr><th>device"
                 "</th><th class=\"n\">GPU</th><th>min&#160;W</th><th>avg&#160;W</th><th>peak&#160;W</th><th>energy&#160;J</th>"
                 "<th>estimate over the run, avg W</th><th>GPU busy</th></tr>\n", t);
    /* each GPU, then (with several) all of them together */
    for (g = 0; g < ms->ngpus; g++)
        html_measured_row(out, ms, &ms->gpu[g]);
    if (ms->ngpus != 1)
        html_measured_row(out, ms, NULL);
    fputs("</table>\n", out);
}

static void html_components(FILE *out, const struct estimate *e)
{
    const struct model *m = e->used;
    size_t d, c;
    fputs("<table><caption>Where the energy goes (share of each device's energy)</caption><tr><th>device</th>",
          out);
    for (c = 0; c < m->ncomponents; c++) {
        fprintf(out, "<th><span style=\"color:%s\">&#9632;</span> ", report_component_colour(c));
        text_escaped(out, m->component[c], 40);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (d = 0; d < e->ndevices; d++) {
        const struct device_result *dv = &e->devices[d];
        fprintf(out, "<tr><td>%lld</td>", dv->device);
        for (c = 0; c < m->ncomponents; c++)
            fprintf(out, "<td>%.1f%%</td>", dv->energy_j > 0 ? 100.0 * dv->component_j[c] / dv->energy_j : 0.0);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* s as HTML text, with a <wbr/> after each "::", '_' and ", " when it is
 * long: where a name may break, never inside a word. */
static void html_breakable(FILE *out, const char *s, size_t max)
{
    size_t i, n = strlen(s) < max ? strlen(s) : max;
    int breaks = n > 24; /* a short name never needs to */
    for (i = 0; i < n; i++) {
        char c[2] = { s[i], '\0' };
        text_escaped(out, c, 1);
        if (breaks && ((s[i] == ':' && i > 0 && s[i - 1] == ':') || s[i] == '_' ||
                       (s[i] == ' ' && i > 0 && s[i - 1] == ',')))
            fputs("<wbr/>", out);
    }
    if (n < strlen(s))
        fputs("...", out);
}

/* A kernel's name cell: the name shortened (told apart from the others,
 * report_namer), the full one as its title. */
static void html_name_cell(FILE *out, const char *name, const struct report_namer *nm)
{
    char short_name[512];
    const struct report_short *rs = report_namer_find(nm, name);
    if (!name)
        name = "?";
    if (rs)
        snprintf(short_name, sizeof short_name, "%s", rs->label);
    else
        report_short_name(name, short_name, sizeof short_name);
    fputs("<td class=\"n\" title=\"", out);
    text_escaped(out, name, 400);
    fputs("\">", out);
    html_breakable(out, short_name, rs && rs->disambiguated ? 200 : 80);
    fputs("</td>", out);
}

static void html_kernel_row(FILE *out, const struct estimate *e, const struct kernel_result *kr,
                            const struct report_namer *nm)
{
    const double *cw = estimate_components(e, (size_t)(kr - e->kernels));
    size_t c;
    char t[32], ej[32];
    report_fmt_time(t, sizeof t, kr->duration_s, 0);
    report_fmt_energy(ej, sizeof ej, kr->energy_j);
    fprintf(out, "<tr><td>%lld</td><td>%lld</td>", kr->id, kr->device);
    html_name_cell(out, kr->name, nm);
    fprintf(out, "<td>%s</td>", t);
    html_cell_w(out, kr->power_w[TARGET_MIN]);
    html_cell_w(out, kr->power_w[TARGET_AVG]);
    html_cell_w(out, kr->power_w[TARGET_PEAK]);
    fprintf(out, "<td>%s</td>", ej);
    for (c = 0; c < e->used->ncomponents; c++)
        html_cell_w(out, cw ? cw[c] : (double)NAN);
    fputs("</tr>\n", out);
}

static int html_kernels(FILE *out, const struct estimate *e, const struct report_opts *o,
                        const struct report_namer *nm)
{
    const struct model *m = e->used;
    const struct kernel_result **order = report_kernels_by_energy(e);
    size_t c, k, shown;
    if (!order)
        return -1;
    shown = o->per_kernel ? e->nkernels : (e->nkernels < 200 ? e->nkernels : 200);
    fprintf(out, "<table><caption>Kernels by energy (%zu of %zu%s), their watts by component</caption><tr><th>ID</th><th>dev</th>"
                 "<th class=\"n\">name</th><th>time</th><th>min&#160;W</th><th>avg&#160;W</th><th>peak&#160;W</th>"
                 "<th>energy</th>", shown, e->nkernels, shown < e->nkernels ? "; --per-kernel lists all" : "");
    for (c = 0; c < m->ncomponents; c++) {
        fputs("<th>", out);
        text_escaped(out, m->component[c], 40);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (k = 0; k < shown; k++)
        html_kernel_row(out, e, order[k], nm);
    free(order);
    fputs("</table>\n", out);
    return 0;
}

/* Where names repeat, a row per name: launches, time, share, avg W, energy. */
static int html_by_name(FILE *out, const struct estimate *e, const struct report_namer *nm)
{
    size_t n, i;
    double total_j = 0;
    struct estimate_name *names = report_by_name(e, &n);
    if (!names)
        return -1;
    for (i = 0; i < n; i++)
        total_j += names[i].energy_j;
    if (n < e->nlaunches) {
        fprintf(out, "<table><caption>Kernels by name (%zu names, %zu launches)</caption><tr><th class=\"n\">name"
                     "</th><th>launches</th><th>time</th><th>share</th><th>avg&#160;W</th><th>energy</th></tr>\n", n,
                e->nlaunches);
        for (i = 0; i < n; i++) {
            char t[32], ej[32];
            report_fmt_time(t, sizeof t, names[i].time_s, 0);
            report_fmt_energy(ej, sizeof ej, names[i].energy_j);
            fputs("<tr>", out);
            html_name_cell(out, names[i].name, nm);
            fprintf(out, "<td>%zu</td><td>%s</td><td>%.1f%%</td>", names[i].launches, t,
                    total_j > 0 ? 100.0 * names[i].energy_j / total_j : 0.0);
            html_cell_w(out, names[i].time_s > 0 ? names[i].energy_j / names[i].time_s : (double)NAN);
            fprintf(out, "<td>%s</td></tr>\n", ej);
        }
        fputs("</table>\n", out);
    }
    free(names);
    return 0;
}

static int html_write(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const struct model *m = e->used;
    struct report_opts so = *o;
    struct report_namer nm;
    int rc;
    if (!m)
        return -1;
    html_head(out, o);
    so.in_html = 1;
    if (svg_write(out, e, &so) != 0)
        return -1;
    html_devices(out, e);
    if (o->measured)
        html_measured(out, o->measured);
    html_components(out, e);
    report_namer_init(&nm, e); /* out of memory: report_short_name's names */
    rc = html_by_name(out, e, &nm) != 0 || html_kernels(out, e, o, &nm) != 0 ? -1 : 0;
    report_namer_free(&nm);
    if (rc != 0)
        return -1;
    fputs("<p>Made by gpu_profiler from Nsight Compute counters and a power model measured on the GPU"
          " (model: ", out);
    text_escaped(out, m->gpu, 80);
    if (model_measured(m, MEAS_VALIDATION_MAPE) >= 0 && model_measured(m, MEAS_VALIDATION_N) > 0)
        /* what the text's first line says, from the model's own figures */
        fprintf(out, ", avg error %.1f%% on %.0f real applications", model_measured(m, MEAS_VALIDATION_MAPE),
                model_measured(m, MEAS_VALIDATION_N));
    else if (m->has_stat[TARGET_AVG][STAT_CV_MAPE])
        fprintf(out, ", %.1f%% held-out error of avg", m->stat[TARGET_AVG][STAT_CV_MAPE]);
    fputs("). Idle gaps between kernels are not in the counters and not in the figures.</p>\n</body></html>\n",
          out);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_html = { "html", html_write };
