/* report_svg: the estimate as a picture (SVG, self-contained: no scripts, no
 * external fonts). Top: the task's estimated power over its kernels in
 * launch order (width = GPU time, height = avg watts, colour = the kernel's
 * largest component other than static power); kernels are binned into at
 * most PLOT_W columns, so 5 kernels and 50,000 read alike. Bottom: the top
 * kernels by energy, each a bar split into the model's components. With
 * -a --measure, the measured min/avg/peak are drawn over the timeline.
 * report_html puts the same picture in a page with the tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_format.h"

#define WIDTH 1000
#define PLOT_X 80
#define PLOT_W 880
#define PLOT_Y 70
#define PLOT_H 260
#define BARS_Y 440
#define BAR_H 18
#define TOP_BARS 10


static void text_escaped(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    for (; *s && n < max; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (c == '<')
            fputs("&lt;", out);
        else if (c == '>')
            fputs("&gt;", out);
        else if (c == '&')
            fputs("&amp;", out);
        else if (c == '"')
            fputs("&quot;", out);
        else if (c < 0x20 || c >= 0x80)
            fputc('?', out); /* keep the file valid XML whatever the name holds */
        else
            fputc(c, out);
    }
    if (*s)
        fputs("...", out);
}

/* The largest non-static component of kernel k (0 when static is all). */
static size_t dominant(const struct estimate *e, size_t k)
{
    const double *c = estimate_components(e, k);
    size_t i, best = 0;
    double bw = 0;
    for (i = 1; c && i < e->used->ncomponents; i++)
        if (c[i] > bw) {
            bw = c[i];
            best = i;
        }
    return best;
}

/* The plot's power scale: the limit or the highest kernel, in hundreds. */
static double svg_ymax(const struct estimate *e)
{
    double ymax = e->used->power_limit_w > 0 ? e->used->power_limit_w : 100;
    size_t k;
    for (k = 0; k < e->nkernels; k++)
        if (e->kernels[k].power_w[TARGET_AVG] > ymax)
            ymax = e->kernels[k].power_w[TARGET_AVG];
    return ceil(ymax / 100.0) * 100.0;
}

static void svg_title(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const struct model *m = e->used;
    const struct device_result *d;
    if (!e->ndevices)
        return;
    d = &e->devices[0];
    fprintf(out, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Estimated power of ", PLOT_X);
    text_escaped(out, o && o->input ? o->input : "the task", 60);
    fprintf(out, "</text>\n<text x=\"%d\" y=\"44\">", PLOT_X);
    if (e->nhosts > 1) {
        fputs("host ", out);
        text_escaped(out, d->host, 40);
        fputs(", ", out);
    }
    fprintf(out, "device %ld, ", d->device);
    text_escaped(out, m->gpu, 60);
    fprintf(out, ": min %.1f W, avg %.1f W, peak %.1f W, energy %.4g J over %zu kernels (model: ",
            d->power_w[TARGET_MIN], d->power_w[TARGET_AVG], d->power_w[TARGET_PEAK], d->energy_j, d->nkernels);
    if (m->has_stat[TARGET_AVG][STAT_CV_MAPE])
        fprintf(out, "%.1f%% held-out error", m->stat[TARGET_AVG][STAT_CV_MAPE]);
    else
        fputs("no measured error", out);
    fputs(")</text>\n", out);
}

static void svg_axes(FILE *out, const struct model *m, double ymax, double total_t)
{
    double t;
    size_t k;
    fprintf(out, "<g stroke=\"#444\" fill=\"none\"><path d=\"M%d %d V%d H%d\"/></g>\n", PLOT_X, PLOT_Y,
            PLOT_Y + PLOT_H, PLOT_X + PLOT_W);
    for (t = 0; t <= ymax + 1e-9; t += ymax > 400 ? 100 : 50) {
        double y = PLOT_Y + PLOT_H - t / ymax * PLOT_H;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
                PLOT_X, PLOT_X + PLOT_W, y, y, PLOT_X - 6, y + 4, t);
    }
    fprintf(out, "<text x=\"20\" y=\"%d\" transform=\"rotate(-90 20 %d)\" text-anchor=\"middle\">estimated power "
                 "(W)</text>\n", PLOT_Y + PLOT_H / 2, PLOT_Y + PLOT_H / 2);
    for (k = 0; k <= 4; k++) {
        char lab[32];
        report_fmt_time(lab, sizeof lab, total_t * (double)k / 4, 1);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                PLOT_X + PLOT_W * (double)k / 4, PLOT_Y + PLOT_H + 16, lab);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">GPU time, kernels in launch order (idle gaps "
                 "left out)</text>\n", PLOT_X + PLOT_W / 2, PLOT_Y + PLOT_H + 34);
    if (m->power_limit_w > 0) {
        double y = PLOT_Y + PLOT_H - m->power_limit_w / ymax * PLOT_H;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>"
                     "<text x=\"%d\" y=\"%.1f\" fill=\"#d62728\" text-anchor=\"end\">power limit %.0f W</text>\n",
                PLOT_X, PLOT_X + PLOT_W, y, y, PLOT_X + PLOT_W, y - 4, m->power_limit_w);
    }
}

/* The kernels laid end to end, binned into one-pixel columns: each
 * column's time, energy and energy per dominant component. */
struct svg_columns {
    double e[PLOT_W], t[PLOT_W], comp[PLOT_W][MODEL_MAX_COMPONENTS];
};

static void svg_bin(const struct estimate *e, double total_t, struct svg_columns *cols)
{
    double start = 0, cw = total_t / PLOT_W;
    size_t k;
    memset(cols, 0, sizeof *cols);
    if (!(total_t > 0))
        return;
    for (k = 0; k < e->nkernels; k++) {
        const struct kernel_result *kr = &e->kernels[k];
        double end = start + kr->duration_s;
        size_t dom = dominant(e, k), c0 = (size_t)(start / cw), c1 = (size_t)(end / cw), c;
        if (c1 >= PLOT_W)
            c1 = PLOT_W - 1;
        if (c0 > c1)
            c0 = c1;
        for (c = c0; c <= c1; c++) {
            double lo = start > (double)c * cw ? start : (double)c * cw;
            double hi = c == PLOT_W - 1 ? end : (end < (double)(c + 1) * cw ? end : (double)(c + 1) * cw);
            double piece = hi - lo;
            if (piece <= 0)
                continue;
            cols->t[c] += piece;
            cols->e[c] += piece * kr->power_w[TARGET_AVG];
            cols->comp[c][dom] += piece * kr->power_w[TARGET_AVG];
        }
        start = end;
    }
}

static void svg_timeline(FILE *out, const struct estimate *e, double ymax, double total_t)
{
    static struct svg_columns cols; /* large; one picture at a time */
    size_t col, nc = e->used->ncomponents;
    svg_bin(e, total_t, &cols);
    for (col = 0; col < PLOT_W; col++) {
        size_t i, best = 0;
        double p, h;
        if (cols.t[col] <= 0)
            continue;
        for (i = 1; i < nc; i++)
            if (cols.comp[col][i] > cols.comp[col][best])
                best = i;
        p = cols.e[col] / cols.t[col];
        h = p / ymax * PLOT_H;
        fprintf(out, "<rect x=\"%zu\" y=\"%.1f\" width=\"1\" height=\"%.1f\" fill=\"%s\"/>\n", PLOT_X + col,
                PLOT_Y + PLOT_H - h, h, report_component_colour(best));
    }
}

/* What NVML measured without ncu (-a --measure): avg as a solid line, min
 * and peak dotted; the timeline shows GPU-busy time only. It is device 0's:
 * its GPU's measurement (all GPUs together would not compare). */
static void svg_measured(FILE *out, const struct estimate *e, const struct report_measured *ms, double ymax)
{
    static const char *const names[3] = { "measured min", "measured avg", "measured peak" };
    const struct report_measured_gpu *mg = e->ndevices ? report_measured_of(ms, &e->devices[0]) : NULL;
    const double vals[3] = { mg ? mg->min_w : ms->min_w, mg ? mg->avg_w : ms->avg_w, mg ? mg->peak_w : ms->peak_w };
    int i;
    for (i = 0; i < 3; i++) {
        double y;
        if (!isfinite(vals[i]) || vals[i] <= 0 || vals[i] > ymax)
            continue;
        y = PLOT_Y + PLOT_H - vals[i] / ymax * PLOT_H;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"%s\"%s/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"start\">%s %.0f W</text>\n",
                PLOT_X, PLOT_X + PLOT_W, y, y, i == 1 ? "2" : "1", i == 1 ? "" : " stroke-dasharray=\"2 3\"",
                PLOT_X + 4, y - 3, names[i], vals[i]);
    }
}

static void svg_legend(FILE *out, const struct model *m)
{
    size_t k;
    for (k = 0; k < m->ncomponents; k++)
        fprintf(out, "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%zu\" y=\"%d\">%s"
                     "</text>\n", PLOT_X + k * 86, BARS_Y - 38, report_component_colour(k), PLOT_X + k * 86 + 14,
                BARS_Y - 29, m->component[k]);
}

/* The top kernels by energy, each bar split into the model's components. */
static int svg_top_kernels(FILE *out, const struct estimate *e)
{
    const struct kernel_result **order = report_kernels_by_energy(e);
    size_t k, ntop, nc = e->used->ncomponents;
    double emax;
    if (!order)
        return -1;
    ntop = e->nkernels < TOP_BARS ? e->nkernels : TOP_BARS;
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Top %zu kernels by energy, split into the model's "
                 "components</text>\n", PLOT_X, BARS_Y - 6, ntop);
    emax = ntop ? order[0]->energy_j : 1;
    for (k = 0; k < ntop; k++) {
        const struct kernel_result *kr = order[k];
        const double *cw = estimate_components(e, (size_t)(kr - e->kernels));
        double x = PLOT_X + 300, y = BARS_Y + 8 + (double)k * (BAR_H + 8), full = 440;
        size_t i;
        fprintf(out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", x - 8, y + 13);
        text_escaped(out, kr->name ? kr->name : "?", 44);
        fputs("</text>\n", out);
        for (i = 0; cw && i < nc; i++) {
            double w = kr->power_w[TARGET_AVG] > 0 ? kr->energy_j / emax * full * cw[i] / kr->power_w[TARGET_AVG]
                                                    : 0;
            if (w <= 0)
                continue;
            fprintf(out, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>\n", x, y, w, BAR_H,
                    report_component_colour(i));
            x += w;
        }
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%.4g J, %.0f W avg</text>\n", x + 6, y + 13, kr->energy_j,
                kr->power_w[TARGET_AVG]);
    }
    free(order);
    return 0;
}

static int svg_write(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    double total_t = 0, ymax;
    size_t k;
    int height = BARS_Y + 40 + TOP_BARS * (BAR_H + 8) + 40;
    if (!e->used)
        return -1;
    for (k = 0; k < e->nkernels; k++)
        total_t += e->kernels[k].duration_s;
    ymax = svg_ymax(e);
    if (!(o && o->in_html))
        fprintf(out, "<!-- gpu_profiler_report: estimated power, made by gpu_profiler -->\n");
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, height, WIDTH, height);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, height);
    svg_title(out, e, o);
    svg_axes(out, e->used, ymax, total_t);
    svg_timeline(out, e, ymax, total_t);
    if (o && o->measured)
        svg_measured(out, e, o->measured, ymax);
    svg_legend(out, e->used);
    if (svg_top_kernels(out, e) != 0)
        return -1;
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
    fputs("</title>\n<style>body{font-family:sans-serif;margin:24px;max-width:1040px}"
          "table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;"
          "text-align:right}td.n,th.n{text-align:left;font-family:monospace}caption{text-align:left;"
          "font-weight:bold;padding:4px 0}@media print{body{margin:0}}</style></head><body>\n", out);
}

static void html_devices(FILE *out, const struct estimate *e)
{
    size_t d;
    char t[32];
    fputs("<table><caption>Estimate per device (GPU-busy time)</caption><tr><th>device</th><th class=\"n\">GPU"
          "</th><th>kernels</th><th>GPU time</th><th>min W</th><th>avg W</th><th>peak W</th><th>energy J</th>"
          "</tr>\n", out);
    for (d = 0; d < e->ndevices; d++) {
        const struct device_result *dv = &e->devices[d];
        report_fmt_time(t, sizeof t, dv->gpu_time_s, 0);
        fprintf(out, "<tr><td>%ld</td><td class=\"n\">", dv->device);
        text_escaped(out, dv->gpu && dv->gpu[0] ? dv->gpu : e->used->gpu, 80);
        fprintf(out, "</td><td>%zu</td><td>%s</td>", dv->nkernels, t);
        html_cell_w(out, dv->power_w[TARGET_MIN]);
        html_cell_w(out, dv->power_w[TARGET_AVG]);
        html_cell_w(out, dv->power_w[TARGET_PEAK]);
        fprintf(out, "<td>%.4g</td></tr>\n", dv->energy_j);
    }
    fputs("</table>\n", out);
}

/* A measured GPU's row, or (mg NULL) all of them together. */
static void html_measured_row(FILE *out, const struct report_measured *ms, const struct report_measured_gpu *mg)
{
    double share = mg ? mg->busy_share : ms->busy_share;
    if (mg) {
        fprintf(out, "<tr><td>%ld</td><td class=\"n\">", mg->device);
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
                 "</th><th class=\"n\">GPU</th><th>min W</th><th>avg W</th><th>peak W</th><th>energy J</th>"
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
        fprintf(out, "<tr><td>%ld</td>", dv->device);
        for (c = 0; c < m->ncomponents; c++)
            fprintf(out, "<td>%.1f%%</td>", dv->energy_j > 0 ? 100.0 * dv->component_j[c] / dv->energy_j : 0.0);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void html_kernel_row(FILE *out, const struct estimate *e, const struct kernel_result *kr)
{
    const double *cw = estimate_components(e, (size_t)(kr - e->kernels));
    size_t c;
    char t[32];
    report_fmt_time(t, sizeof t, kr->duration_s, 0);
    fprintf(out, "<tr><td>%ld</td><td>%ld</td><td class=\"n\">", kr->id, kr->device);
    text_escaped(out, kr->name ? kr->name : "?", 120);
    fprintf(out, "</td><td>%s</td>", t);
    html_cell_w(out, kr->power_w[TARGET_MIN]);
    html_cell_w(out, kr->power_w[TARGET_AVG]);
    html_cell_w(out, kr->power_w[TARGET_PEAK]);
    fprintf(out, "<td>%.4g</td>", kr->energy_j);
    for (c = 0; c < e->used->ncomponents; c++)
        html_cell_w(out, cw ? cw[c] : (double)NAN);
    fputs("</tr>\n", out);
}

static int html_kernels(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const struct model *m = e->used;
    const struct kernel_result **order = report_kernels_by_energy(e);
    size_t c, k, shown;
    if (!order)
        return -1;
    shown = o->per_kernel ? e->nkernels : (e->nkernels < 200 ? e->nkernels : 200);
    fprintf(out, "<table><caption>Kernels by energy (%zu of %zu%s)</caption><tr><th>ID</th><th>dev</th>"
                 "<th class=\"n\">name</th><th>time</th><th>min W</th><th>avg W</th><th>peak W</th>"
                 "<th>energy J</th>", shown, e->nkernels, shown < e->nkernels ? "; --per-kernel lists all" : "");
    for (c = 0; c < m->ncomponents; c++) {
        fputs("<th>", out);
        text_escaped(out, m->component[c], 40);
        fputs(" W</th>", out);
    }
    fputs("</tr>\n", out);
    for (k = 0; k < shown; k++)
        html_kernel_row(out, e, order[k]);
    free(order);
    fputs("</table>\n", out);
    return 0;
}

static int html_write(FILE *out, const struct estimate *e, const struct report_opts *o)
{
    const struct model *m = e->used;
    struct report_opts so = *o;
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
    if (html_kernels(out, e, o) != 0)
        return -1;
    fputs("<p>Made by gpu_profiler from Nsight Compute counters and a power model measured on the GPU"
          " (model: ", out);
    text_escaped(out, m->gpu, 80);
    if (m->has_stat[TARGET_AVG][STAT_CV_MAPE])
        fprintf(out, ", %.1f%% held-out error of avg", m->stat[TARGET_AVG][STAT_CV_MAPE]);
    fputs("). Idle gaps between kernels are not in the counters and not in the figures.</p>\n</body></html>\n",
          out);
    return ferror(out) ? -1 : 0;
}

const struct report_ops report_html = { "html", html_write };
