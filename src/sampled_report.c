/* sampled_report: the sampled route's pictures (sampled.h): the run's
 * estimated power over time with its components stacked, NVML's readings
 * over it and the power limit, as SVG, and as an HTML page with the
 * kernels' table. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report_format.h"
#include "sampled.h"

#define S_WIDTH 1000
#define S_PLOT_X 80
#define S_PLOT_W 880
#define S_PLOT_Y 84
#define S_PLOT_H 260

static void escaped(FILE *out, const char *s)
{
    report_xml_text(out, s, 400);
}

static double y_of(double w, double ymax)
{
    double f = ymax > 0 ? w / ymax : 0;
    return S_PLOT_Y + S_PLOT_H * (1.0 - (f < 0 ? 0 : f > 1 ? 1 : f));
}

static double x_of(size_t bin)
{
    return S_PLOT_X + (double)S_PLOT_W * (double)bin / TIMELINE_BINS;
}

static double plot_ymax(const struct model *m, const struct sampled_result *r)
{
    double y = m->power_limit_w > 0 ? m->power_limit_w : 0;
    size_t i;
    for (i = 0; i < TIMELINE_BINS; i++) {
        if (r->series_w[i] > y)
            y = r->series_w[i];
        if (isfinite(r->measured_w[i]) && r->measured_w[i] > y)
            y = r->measured_w[i];
    }
    return y > 0 ? 1.08 * y : 100;
}

/* Axes: watts on the left, seconds of the run below. */
static void axes(FILE *out, double ymax, double duration_s)
{
    double step = ymax > 500 ? 100 : ymax > 200 ? 50 : 20, w, t, tstep;
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", S_PLOT_X,
            S_PLOT_Y, S_PLOT_W, S_PLOT_H);
    for (w = 0; w <= ymax; w += step)
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f W</text>\n", S_PLOT_X - 6, y_of(w, ymax) + 4,
                w);
    tstep = duration_s > 0 ? pow(10, floor(log10(duration_s / 5))) : 1;
    if (duration_s / tstep > 10)
        tstep *= 2;
    for (t = 0; duration_s > 0 && t <= duration_s + 1e-12; t += tstep)
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g s</text>\n",
                S_PLOT_X + S_PLOT_W * t / duration_s, S_PLOT_Y + S_PLOT_H + 16, t);
    fprintf(out, "<text x=\"%d\" y=\"%d\">time into the run (the measured window)</text>\n", S_PLOT_X,
            S_PLOT_Y + S_PLOT_H + 34);
}

/* Component k's band: between the sum of those below it and that plus it. */
static void component_band(FILE *out, const struct sampled_result *r, size_t k, double ymax)
{
    size_t i, j, nc = r->ncomponents;
    double low[TIMELINE_BINS], high[TIMELINE_BINS];
    for (i = 0; i < TIMELINE_BINS; i++) {
        low[i] = 0;
        for (j = 0; j < k; j++)
            low[i] += r->component_series_w[i * nc + j];
        high[i] = low[i] + r->component_series_w[i * nc + k];
    }
    fprintf(out, "<path fill=\"%s\" d=\"M%.1f %.1f", report_component_colour(k), x_of(0), y_of(high[0], ymax));
    for (i = 0; i < TIMELINE_BINS; i++)
        fprintf(out, " L%.1f %.1f L%.1f %.1f", x_of(i), y_of(high[i], ymax), x_of(i + 1), y_of(high[i], ymax));
    for (i = TIMELINE_BINS; i-- > 0;)
        fprintf(out, " L%.1f %.1f L%.1f %.1f", x_of(i + 1), y_of(low[i], ymax), x_of(i), y_of(low[i], ymax));
    fputs(" Z\"/>\n", out);
}

/* The estimate's total (its part outside the samples shows as the gap
 * under this line) and the measured readings, as lines. */
static void line(FILE *out, const double *w, double ymax, const char *colour, const char *dash)
{
    size_t i;
    int pen = 0;
    fprintf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s d=\"", colour, dash);
    for (i = 0; i < TIMELINE_BINS; i++) {
        if (!isfinite(w[i])) {
            pen = 0;
            continue;
        }
        fprintf(out, "%s%.1f %.1f L%.1f %.1f", pen ? " L" : " M", x_of(i), y_of(w[i], ymax), x_of(i + 1),
                y_of(w[i], ymax));
        pen = 1;
    }
    fputs("\"/>\n", out);
}

static void legend(FILE *out, const struct model *m, int y)
{
    size_t k;
    for (k = 0; k < m->ncomponents; k++)
        fprintf(out, "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%zu\" y=\"%d\">%s"
                     "</text>\n", S_PLOT_X + (k % 10) * 86, y + (int)(k / 10) * 16, report_component_colour(k),
                S_PLOT_X + (k % 10) * 86 + 14, y + 9 + (int)(k / 10) * 16, m->component[k]);
    y += 16 * (int)((m->ncomponents + 9) / 10);
    fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#444\">Components stacked in this order, %s at the bottom. Dark "
                 "line: the estimate (under it, white: outside the samples,</text>\n<text x=\"%d\" y=\"%d\" "
                 "fill=\"#444\">at the idle measured before). Black dashed: NVML's readings. Red dashed: the power "
                 "limit.</text>\n", S_PLOT_X, y + 9, m->ncomponents ? m->component[0] : "", S_PLOT_X, y + 25);
}

int sampled_svg(FILE *out, const struct model *m, const struct sampled_result *r, const char *title, int in_html)
{
    double ymax = plot_ymax(m, r);
    int height = S_PLOT_Y + S_PLOT_H + 60 + 16 * (int)((m->ncomponents + 9) / 10) + 40;
    char caveat[256];
    size_t k;
    if (!in_html)
        fprintf(out, "%s: power over a sampled run, made by gpu_profiler -->\n", REPORT_SVG_SIGNATURE);
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
            S_WIDTH, height, S_WIDTH, height, S_WIDTH, height);
    fprintf(out, "<text x=\"%d\" y=\"22\" font-size=\"16\" font-weight=\"bold\">Power of ", S_PLOT_X);
    escaped(out, title);
    fprintf(out, " from counters sampled as it ran</text>\n<text x=\"%d\" y=\"42\">device %d (", S_PLOT_X, r->device);
    escaped(out, r->gpu[0] ? r->gpu : "?");
    fprintf(out, "), %zu samples every %.3g ms; estimate min %.1f W, avg %.1f W, peak %.1f W", r->samples,
            (double)r->interval_ns * 1e-6, r->min_w, r->avg_w, r->peak_w);
    fprintf(out, "</text>\n");
    if (r->has_measured)
        fprintf(out, "<text x=\"%d\" y=\"56\">measured (NVML) min %.1f W, avg %.1f W, peak %.1f W: the estimate is "
                     "%+.1f%% off in avg, %.1f%% over its %.1f s windows</text>\n", S_PLOT_X, r->meas_min_w,
                r->meas_avg_w, r->meas_peak_w, 100.0 * (r->avg_w - r->meas_avg_w) / r->meas_avg_w, r->window_mape_pct,
                SAMPLED_WINDOW_S);
    fprintf(out, "<text x=\"%d\" y=\"72\" fill=\"#444\">model ", S_PLOT_X);
    escaped(out, m->gpu);
    if (model_measured(m, MEAS_VALIDATION_MAPE) >= 0)
        fprintf(out, " %s: avg error %.1f%% on %.0f real applications", m->variant,
                model_measured(m, MEAS_VALIDATION_MAPE), model_measured(m, MEAS_VALIDATION_N));
    fprintf(out, "; min and peak over %.1f s windows, what a meter shows</text>\n", SAMPLED_WINDOW_S);
    axes(out, ymax, r->duration_s);
    for (k = 0; r->component_series_w && k < m->ncomponents; k++)
        component_band(out, r, k, ymax);
    if (m->power_limit_w > 0)
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>\n",
                S_PLOT_X, S_PLOT_X + S_PLOT_W, y_of(m->power_limit_w, ymax), y_of(m->power_limit_w, ymax));
    line(out, r->series_w, ymax, "#333333", "");
    if (r->has_measured)
        line(out, r->measured_w, ymax, "#000000", " stroke-dasharray=\"6 3\"");
    legend(out, m, S_PLOT_Y + S_PLOT_H + 44);
    if (sampled_caveat(r, caveat, sizeof caveat)) {
        fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">", S_PLOT_X, height - 14);
        escaped(out, caveat);
        fputs("</text>\n", out);
    }
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}

int sampled_html(FILE *out, const struct timeline *t, const struct model *m, const struct sampled_result *r,
                 const char *title)
{
    size_t i;
    char base[256];
    fprintf(out, "<!DOCTYPE html>\n%s: power over a sampled run, made by gpu_profiler -->\n<html><head>"
                 "<meta charset=\"utf-8\"><title>", REPORT_SVG_SIGNATURE);
    escaped(out, title);
    fputs("</title><style>body{font-family:sans-serif;margin:16px}svg{width:100%;height:auto;max-width:1400px}"
          "td,th{padding:2px 8px;text-align:right;white-space:nowrap}td.n{text-align:left;white-space:normal;"
          "word-break:normal;overflow-wrap:anywhere}</style></head><body>\n", out);
    if (sampled_svg(out, m, r, title, 1) != 0)
        return -1;
    fputs("<h2>Kernels by energy</h2><p>Each kernel's energy is its share of the samples it ran in (kernels running"
          " at once split a sample by their time in it).</p>\n<table><tr><th>energy</th><th>time</th><th>calls</th>"
          "<th>avg</th><th>name</th></tr>\n", out);
    if (r->nnames == 0)
        fputs("<tr><td class=\"n\" colspan=\"5\">none: the timeline holds no kernel records in the sampled window "
              "(a timeline cut short, or a run whose kernels CUPTI did not record)</td></tr>\n", out);
    for (i = 0; i < r->nnames; i++) {
        const struct sampled_name *s = &r->names[i];
        char e[32], tm[32];
        report_fmt_energy(e, sizeof e, s->energy_j);
        report_fmt_time(tm, sizeof tm, s->time_s, 1);
        timeline_base_name(t->names + t->name_off[s->name_id], base, sizeof base);
        fprintf(out, "<tr><td>%s</td><td>%s</td><td>%zu</td><td>%.1f&nbsp;W</td><td class=\"n\">", e, tm, s->calls,
                s->time_s > 0 ? s->energy_j / s->time_s : 0.0);
        escaped(out, base);
        fputs("</td></tr>\n", out);
    }
    fputs("</table></body></html>\n", out);
    return ferror(out) ? -1 : 0;
}
