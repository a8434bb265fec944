/* cmd_sampled: the estimate from counters sampled as the application runs
 * (gpu_profiler -a APP --sampled, or --timeline FILE of such a run): the
 * application run once, without ncu, with NVML, the tracer and its PM
 * sampler; the sampled model's estimate beside the measurement of the same
 * run. The stages are measure.c (the run) and sampled.c (the estimate). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "model.h"
#include "report.h"
#include "report_format.h"
#include "sampled.h"
#include "timeline.h"
#include "trace_pm.h" /* the tracer's hardware buffer (its functions are the tracer's, not ours) */

/* The model: --model FILE (read once: *own_read), else the built-in
 * sampled model of the GPU. */
static int sampled_model(const struct sampled_cli *c, const char *gpu, struct model *own, int *own_read,
                         const struct model **m)
{
    char err[1024];
    if (c->model_path) {
        if (!*own_read && model_load(c->model_path, own, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s: %s\n", cli_prog, c->model_path, err);
            return EXIT_MODEL;
        }
        *own_read = 1;
        if (strcmp(own->variant, "sampled") != 0) {
            fprintf(stderr, "%s: %s: a model of variant '%s', made from ncu's counters; --sampled needs a sampled "
                    "model (variant sampled: 'gpu_profiler calibrate --sampled' or 'fit --sampled' makes one), or "
                    "leave out --model for the built-in one\n", cli_prog, c->model_path,
                    own->variant[0] ? own->variant : "raw");
            return EXIT_MODEL;
        }
        *m = own;
        return EXIT_OK;
    }
    if (!(*m = model_builtin_for(gpu, "sampled"))) {
        fprintf(stderr, "%s: no built-in sampled model for %s%s; make one on that GPU with 'gpu_profiler calibrate "
                "--sampled' and pass it with --model FILE\n", cli_prog, gpu[0] ? gpu : "this GPU",
                gpu[0] ? "" : " (the timeline does not name its GPU)");
        return EXIT_MODEL;
    }
    return EXIT_OK;
}

/* -a APP --sampled: the run, with its timeline and samples. */
static int sampled_run_app(const struct sampled_cli *c, struct measure_result *mr, char *timeline, size_t len)
{
    struct measure_opts mo;
    char err[2048];
    int rc;
    memset(&mo, 0, sizeof mo);
    mo.app = c->app;
    mo.args = c->args;
    mo.nargs = c->nargs;
    mo.idle_s = 1.0;
    mo.output_to_stderr = c->json;
    mo.pm_interval_ns = c->interval_ns;
    mo.force = c->force;
    mo.start_marker = c->start_marker;
    mo.stop_marker = c->stop_marker;
    if ((size_t)snprintf(timeline, len, "%s/gpu_profiler_timeline.txt", c->out_dir) >= len) {
        fprintf(stderr, "%s: --output-dir is too long\n", cli_prog);
        return EXIT_USAGE;
    }
    mo.timeline_out = timeline;
    if (!c->quiet)
        fprintf(stderr, "%s: running %s once: NVML, its kernels (CUPTI) and the GPU's counters sampled every %.3g ms "
                "(PM sampling), no ncu\n", cli_prog, c->app, (double)c->interval_ns * 1e-6);
    rc = measure_run(&mo, mr, err, sizeof err);
    if (rc != MEASURE_OK) {
        fprintf(stderr, "%s: %s\n", cli_prog, err);
        return rc == MEASURE_NO_APP ? EXIT_APP : rc == MEASURE_OUTPUT ? EXIT_OUTPUT
               : rc == MEASURE_NO_MARKER ? EXIT_NO_MARKER : EXIT_GPU;
    }
    if (!mr->timeline_written) {
        fprintf(stderr, "%s: no timeline: %s\n", cli_prog, mr->timeline_note[0] ? mr->timeline_note : "?");
        return EXIT_GPU;
    }
    return EXIT_OK;
}

/* NVML's energy over the window: the energy counter of the run just made
 * (mr, as whole_run gives it), else the recorded readings' mean times the
 * window; NaN: none. */
static double measured_energy(const struct sampled_result *r, const struct measure_result *mr)
{
    if (mr)
        return mr->energy_j;
    return r->has_measured ? r->meas_avg_w * r->duration_s : (double)NAN;
}

static double pct_off(double est, double meas)
{
    return meas > 0 && isfinite(est) ? 100.0 * (est - meas) / meas : (double)NAN;
}

/* A name in the table: cut to this many bytes with "..." unless --wide. */
#define SAMPLED_NAME_COLS 60

static void print_names(const struct timeline *t, const struct sampled_result *r, double scale, long top, int wide)
{
    size_t i, n = top > 0 && (size_t)top < r->nnames ? (size_t)top : r->nnames;
    char base[1024];
    printf("top %zu kernel%s by energy (each its share of the samples it ran in%s):\n", n, n == 1 ? "" : "s",
           scale > 0 ? "; reconciled: scaled to add up to NVML's energy" : "");
    printf("  %10s %13s %9s %8s %7s  %s\n", "energy_J", scale > 0 ? "reconciled_J" : "", "time_s", "calls", "avg_W",
           "name");
    for (i = 0; i < n; i++) {
        const struct sampled_name *s = &r->names[i];
        char rec[32] = "";
        timeline_base_name(t->names + t->name_off[s->name_id], base, sizeof base);
        if (!wide && strlen(base) > SAMPLED_NAME_COLS)
            memcpy(base + SAMPLED_NAME_COLS - 3, "...", 4);
        if (scale > 0)
            snprintf(rec, sizeof rec, "%.4g", s->energy_j * scale);
        printf("  %10.4g %13s %9.4g %8zu %7.1f  %s\n", s->energy_j, rec, s->time_s, s->calls,
               s->time_s > 0 ? s->energy_j / s->time_s : 0.0, base);
    }
}

/* The measurement beside the estimate: the energy counter's avg of the
 * run just made, or the timeline's readings (over the sampled part where
 * the sampler stopped early); NULL for mr where the readings it is. */
static const struct measure_result *whole_run(const struct sampled_result *r, const struct measure_result *mr)
{
    return r->left_out_s > 0 ? NULL : mr;
}

static void print_text(const struct sampled_cli *c, const struct timeline *t, const struct model *m,
                       const struct sampled_result *r, const struct measure_result *mr_run)
{
    const struct measure_result *mr = whole_run(r, mr_run);
    double meas_avg = mr ? mr->avg_w : r->meas_avg_w, meas_e = measured_energy(r, mr), scale, covered_j = 0;
    size_t k;
    if (r->left_out_s > 0)
        printf("the sampler stopped early (tracer: %s): estimate and measurement below are over the %.3f s sampled, "
               "the last %.3f s of the run left out\n", r->stop_why, r->duration_s, r->left_out_s);
    if (r->left_out_s > 0 && strstr(r->stop_why, "OUT_OF_MEMORY"))
        printf("  on the H100 and the H200 that error came once the hardware buffer had taken enough records (or too "
               "many waited for a decode): a larger buffer samples a longer run (GP_PM_BUFFER_MB; the tracer's "
               "default is %d MiB; docs/PERFORMANCE.md)\n", TRACE_PM_BUFFER_MB);
    if (r->restarts > 0)
        printf("the sampler restarted %zu time%s after failed decodes (tracer: %s): %.3f s of the run had no samples "
               "and is bridged from the samples on either side (shared among the kernels in it as a sample is)\n",
               r->restarts, r->restarts == 1 ? "" : "s", r->restart_why, r->bridged_s);
    printf("sampled counters: device %d (%s), %zu samples of %zu counters every %.3g ms over %.3f s; model %s%s%s\n",
           r->device, r->gpu[0] ? r->gpu : "?", r->samples, r->nmetrics, (double)r->interval_ns * 1e-6, r->duration_s,
           m->gpu, m->variant[0] ? " " : "", m->variant);
    printf("estimate:  min %.1f W  avg %.1f W  peak %.1f W  energy %.4g J over %.3f s (%s, idle included; "
           "min and peak: %.1f s windows)\n", r->min_w, r->avg_w, r->peak_w, r->energy_j, r->duration_s,
           r->left_out_s > 0 ? "the sampled part" : "the whole run", SAMPLED_WINDOW_S);
    if (r->busy_s > 0)
        printf("  samples with kernels in them: %.3f s of it (%.0f%%) at %.1f W; between kernels %.4g J\n", r->busy_s,
               100.0 * r->busy_s / r->duration_s, r->busy_avg_w, r->between_j);
    if (mr || r->has_measured) {
        printf("measured:  min %.1f W  avg %.1f W  peak %.1f W (NVML: %s; min and peak over the same windows)\n",
               r->meas_min_w, meas_avg, r->meas_peak_w, mr ? "the energy counter" : "the timeline's power readings");
        printf("estimate off: avg %+.1f%%  min %+.1f%%  peak %+.1f%%; %.1f s windows %.1f%% (MAPE over %zu)\n",
               pct_off(r->avg_w, meas_avg), pct_off(r->min_w, r->meas_min_w), pct_off(r->peak_w, r->meas_peak_w),
               SAMPLED_WINDOW_S, r->window_mape_pct, r->nwindows);
    }
    printf("  where the energy goes:");
    for (k = 0; k < m->ncomponents; k++)
        if (r->energy_j > 0) {
            printf(" %s %.0f%%", m->component[k], 100.0 * r->component_j[k] / r->energy_j);
            covered_j += r->component_j[k];
        }
    if (r->energy_j > 0 && r->energy_j - covered_j > 0.005 * r->energy_j)
        printf("; outside the samples, at the idle measured before: %.0f%%",
               100.0 * (r->energy_j - covered_j) / r->energy_j);
    printf("\n");
    scale = meas_e > 0 && r->energy_j > 0 ? meas_e / r->energy_j : 0;
    if (r->nnames)
        print_names(t, r, scale, c->top, c->wide);
}

static void json_num(const char *key, double v, const char *sep)
{
    if (isfinite(v))
        printf("\"%s\": %.6g%s", key, v, sep);
    else
        printf("\"%s\": null%s", key, sep);
}

static void print_json(const struct timeline *t, const struct model *m, const struct sampled_result *r,
                       const struct measure_result *mr_run)
{
    const struct measure_result *mr = whole_run(r, mr_run);
    double meas_avg = mr ? mr->avg_w : r->meas_avg_w;
    double meas_e = measured_energy(r, mr), scale = meas_e > 0 && r->energy_j > 0 ? meas_e / r->energy_j : (double)NAN;
    char base[256];
    size_t i, k;
    printf("{\n  \"route\": \"sampled\",\n  \"device\": %d,\n  \"gpu\": ", r->device);
    report_json_string(stdout, r->gpu);
    printf(",\n  \"model\": ");
    report_json_string(stdout, m->gpu);
    printf(",\n  \"model_variant\": ");
    report_json_string(stdout, m->variant);
    printf(",\n  \"interval_s\": %.6g,\n  \"samples\": %zu,\n  \"counters\": %zu,\n  ", (double)r->interval_ns * 1e-9,
           r->samples, r->nmetrics);
    json_num("duration_s", r->duration_s, ",\n  ");
    json_num("covered_s", r->covered_s, ",\n  ");
    {
        char caveat[256];
        printf("\"caveat\": ");
        if (sampled_caveat(r, caveat, sizeof caveat))
            report_json_string(stdout, caveat);
        else
            printf("null");
        printf(",\n  ");
    }
    if (r->left_out_s > 0) {
        printf("\"sampler_stopped\": {");
        json_num("left_out_s", r->left_out_s, ", ");
        printf("\"why\": ");
        report_json_string(stdout, r->stop_why);
        printf("},\n  ");
    } else {
        printf("\"sampler_stopped\": null,\n  ");
    }
    if (r->restarts > 0) {
        printf("\"sampler_restarts\": {\"count\": %zu, ", r->restarts);
        json_num("bridged_s", r->bridged_s, ", ");
        printf("\"why\": ");
        report_json_string(stdout, r->restart_why);
        printf("},\n  ");
    } else {
        printf("\"sampler_restarts\": null,\n  ");
    }
    json_num("energy_j", r->energy_j, ",\n  ");
    printf("\"power_w\": {");
    json_num("min", r->min_w, ", ");
    json_num("avg", r->avg_w, ", ");
    json_num("peak", r->peak_w, "},\n  ");
    json_num("window_s", SAMPLED_WINDOW_S, ",\n  ");
    json_num("busy_s", r->busy_s, ",\n  ");
    json_num("busy_avg_w", r->busy_avg_w, ",\n  ");
    json_num("between_kernels_j", r->between_j, ",\n  ");
    printf("\"measured_power_w\": {");
    json_num("min", r->meas_min_w, ", ");
    json_num("avg", meas_avg, ", ");
    json_num("peak", r->meas_peak_w, "},\n  ");
    json_num("window_mape_pct", r->window_mape_pct, ",\n  ");
    json_num("reconcile_scale", scale, ",\n  ");
    printf("\"components_j\": {");
    for (k = 0; k < m->ncomponents; k++) {
        printf("\"%s\": %.6g%s", m->component[k], r->component_j[k], k + 1 < m->ncomponents ? ", " : "");
    }
    printf("},\n  \"kernels\": [");
    for (i = 0; i < r->nnames; i++) {
        const struct sampled_name *s = &r->names[i];
        timeline_base_name(t->names + t->name_off[s->name_id], base, sizeof base);
        printf("%s\n    {\"name\": ", i ? "," : "");
        report_json_string(stdout, base);
        printf(", \"calls\": %zu, ", s->calls);
        json_num("time_s", s->time_s, ", ");
        json_num("energy_j", s->energy_j, ", ");
        json_num("reconciled_energy_j", isfinite(scale) ? s->energy_j * scale : (double)NAN, "}");
    }
    printf("%s]\n}\n", r->nnames ? "\n  " : "");
}

struct picture {
    const struct timeline *t;
    const struct model *m;
    const struct sampled_result *r;
    const char *title;
};

static int write_svg(FILE *f, void *ctx)
{
    const struct picture *p = ctx;
    return sampled_svg(f, p->m, p->r, p->title, 0);
}

static int write_html(FILE *f, void *ctx)
{
    const struct picture *p = ctx;
    return sampled_html(f, p->t, p->m, p->r, p->title);
}

/* --report FILE: the first sampled device's picture. */
static int sampled_picture(const struct sampled_cli *c, const struct timeline *t, const struct model *m,
                           const struct sampled_result *r)
{
    struct picture p = { t, m, r, c->app ? plat_base_name(c->app) : plat_base_name(c->timeline_path) };
    int html = cli_has_ext(c->report_path, ".html") || cli_has_ext(c->report_path, ".htm");
    return cli_save_output(c->report_path, REPORT_SVG_SIGNATURE, c->force, html ? write_html : write_svg, &p);
}

/* Every sampled device of the timeline, estimated and printed. */
static int sampled_report(const struct sampled_cli *c, const struct timeline *t, const struct measure_result *mr)
{
    struct model own;
    size_t i;
    int rc = EXIT_OK, own_read = 0;
    for (i = 0; i < t->pm.ndev && rc == EXIT_OK; i++) {
        const struct model *m;
        struct sampled_result r;
        char gpu[128], err[1024];
        int dev = t->pm.dev[i].device;
        sampled_gpu_name(t, dev, gpu, sizeof gpu);
        if ((rc = sampled_model(c, gpu, &own, &own_read, &m)) != EXIT_OK)
            break;
        if (sampled_estimate(t, dev, m, &r, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s: %s\n", cli_prog, c->timeline_path, err);
            return EXIT_INPUT;
        }
        if (!(r.left_out_s > 0) && r.duration_s > 0 && r.covered_s + r.bridged_s < 0.9 * r.duration_s)
            fprintf(stderr, "%s: warning: %s: device %d's samples cover %.3f s of the %.3f s window (%.0f%%); the "
                    "rest is estimated at the idle measured before, so the estimate reads low (a timeline cut short, "
                    "or a sampler that stopped: gpu_profiler -v shows the tracer's notes)\n", cli_prog,
                    c->timeline_path, dev, r.covered_s, r.duration_s, 100.0 * r.covered_s / r.duration_s);
        if (c->json)
            print_json(t, m, &r, t->pm.ndev == 1 ? mr : NULL);
        else if (!(c->report_path && strcmp(c->report_path, "-") == 0))
            print_text(c, t, m, &r, t->pm.ndev == 1 ? mr : NULL);
        if (i == 0 && c->report_path && sampled_picture(c, t, m, &r) != EXIT_OK)
            rc = EXIT_OUTPUT;
        sampled_free(&r);
    }
    return rc;
}

int cmd_sampled_run(struct sampled_cli *c)
{
    struct measure_result mr;
    struct timeline t;
    char path[4200], err[2048];
    size_t i;
    int rc;
    memset(&mr, 0, sizeof mr);
    if (c->app) {
        if ((rc = sampled_run_app(c, &mr, path, sizeof path)) != EXIT_OK)
            return rc;
        c->timeline_path = path;
    }
    if (timeline_load(c->timeline_path, &t, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cli_prog, err);
        return EXIT_INPUT;
    }
    for (i = 0; i < t.pm.nnotes && (c->verbose || t.pm.ndev == 0); i++)
        fprintf(stderr, "%s: tracer: %s\n", cli_prog, t.pm.note[i]);
    if (t.pm.ndev == 0 && c->app && t.pm.nnotes) {
        fprintf(stderr, "%s: PM sampling was unavailable in this run (the tracer's line above says why): falling back "
                "to the replay route (ncu), which runs %s again\n", cli_prog, c->app);
        timeline_free(&t);
        return SAMPLED_FALL_BACK;
    }
    if (t.pm.ndev == 0) {
        fprintf(stderr, "%s: %s holds no sampled counters%s\n", cli_prog, c->timeline_path,
                c->app ? "" : " (record one with 'gpu_profiler -a APP --sampled' or 'measure --sampled --timeline')");
        timeline_free(&t);
        return c->app ? EXIT_GPU : EXIT_INPUT;
    }
    rc = sampled_report(c, &t, c->app ? &mr : NULL);
    timeline_free(&t);
    if (rc == EXIT_MODEL && c->app)
        fprintf(stderr, "%s: the run's timeline is kept: gpu_profiler --sampled --timeline '%s' --model FILE estimates "
                "it with a sampled model made later\n", cli_prog, c->timeline_path);
    if (rc == EXIT_OK && c->app && plat_exit_failed(mr.app_exit))
        rc = EXIT_APP_FAILED;
    return rc;
}
