/* measure: see measure.h. */
#include "measure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outfile.h"
#include "power_meter.h"
#include "runner.h"
#include "timeline.h"

static int line_is(const char *line, size_t len, const char *marker)
{
    size_t n = strlen(marker);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    return marker && len == n && memcmp(line, marker, n) == 0;
}

static int add_gpu(char ids[][48], size_t *n, size_t max, const char *tok, size_t len, int from_env,
                   char *err, size_t errlen)
{
    char id[48];
    size_t i;
    if (len == 0 || len >= sizeof id - 1)
        goto bad;
    if (tok[0] >= '0' && tok[0] <= '9') {
        long v = 0;
        for (i = 0; i < len; i++) {
            if (tok[i] < '0' || tok[i] > '9' || v > 4096)
                goto bad;
            v = v * 10 + (tok[i] - '0');
        }
        snprintf(id, sizeof id, "#%ld", v);
    } else if (len > 4 && memcmp(tok, "GPU-", 4) == 0) {
        memcpy(id, tok, len);
        id[len] = '\0';
    } else if (len > 4 && memcmp(tok, "MIG-", 4) == 0) {
        snprintf(err, errlen, "%.*s is a MIG instance; NVML gives power per whole GPU, so measure the GPU that "
                 "holds it (--device N)", (int)len, tok);
        return -1;
    } else {
        goto bad;
    }
    for (i = 0; i < *n; i++)
        if (strcmp(ids[i], id) == 0) {
            snprintf(err, errlen, "GPU %.*s is named twice", (int)len, tok);
            return -1;
        }
    if (*n == max) {
        snprintf(err, errlen, "more than %zu GPUs named; measure at most %zu at once", max, max);
        return -1;
    }
    memcpy(ids[(*n)++], id, sizeof id);
    return 0;
bad:
    if (from_env)
        return 1; /* CUDA ignores CUDA_VISIBLE_DEVICES from its first invalid entry on */
    snprintf(err, errlen, "--device wants NVML indices or GPU UUIDs separated by commas, or 'all', not '%.*s'",
             (int)len, tok);
    return -1;
}

int measure_pick_gpus(const char *devices, char ids[][48], size_t max, char *err, size_t errlen)
{
    const char *env = getenv("CUDA_VISIBLE_DEVICES"), *list = devices, *p;
    int from_env = 0;
    size_t n = 0;
    if (!list && env) {
        list = env;
        from_env = 1;
    }
    if (!list || strcmp(list, "all") == 0) {
        unsigned count = 0, i;
        if (power_meter_gpu_count(&count, err, errlen) != 0)
            return -1;
        if (count == 0) {
            snprintf(err, errlen, "NVML sees no GPU");
            return -1;
        }
        for (i = 0; i < count && i < max; i++)
            snprintf(ids[n++], 48, "#%u", i);
        return (int)n;
    }
    for (p = list;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int r;
        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        r = add_gpu(ids, &n, max, p, len, from_env, err, errlen);
        if (r < 0)
            return -1;
        if (r > 0 || !end)
            break;
        p = end + 1;
    }
    if (n == 0) {
        snprintf(err, errlen, "CUDA_VISIBLE_DEVICES='%s' hides every GPU from the application: nothing to measure "
                 "(unset it, or name the GPUs with --device)", env);
        return -1;
    }
    return (int)n;
}

/* Energy counters of all GPUs, in joules, each with the moment it was read
 * (in t_each[i]), and the middle of all the reads in *t. A GPU's average
 * divides by its own interval, so that a pause of ours between two GPUs'
 * reads does not move one GPU's energy into another's time. Each counter is
 * read three times and the read with the tightest bracket of clock readings
 * kept, its middle the moment: a pause inside one read (the scheduler, on a
 * loaded machine) then costs nothing unless it hits all three. t may be
 * NULL. Returns 0, or -1 if one cannot be read. */
static int read_energy(struct power_meter **pm, size_t n, double *joules, double *t_each, double *t)
{
    size_t i;
    int k;
    double t0 = power_meter_now(), after = t0;
    for (i = 0; i < n; i++) {
        double best = HUGE_VAL;
        for (k = 0; k < 3; k++) {
            double j, before = power_meter_now();
            if (power_meter_energy_j(pm[i], &j) != 0)
                return -1;
            after = power_meter_now();
            if (after - before < best) {
                best = after - before;
                joules[i] = j;
                t_each[i] = 0.5 * (before + after);
            }
        }
    }
    if (t)
        *t = 0.5 * (t0 + after);
    return 0;
}

/* Min and peak of the GPUs' summed instant power, read every 5 ms. */
static void sum_extremes(struct power_meter **pm, size_t n, double t0, double t1, double *min_w, double *peak_w)
{
    double t, lo = HUGE_VAL, hi = -HUGE_VAL;
    size_t i;
    for (t = t0; t <= t1; t += 0.005) {
        double sum = 0;
        for (i = 0; i < n; i++) {
            double w = power_meter_instant_at(pm[i], t);
            if (isnan(w))
                break;
            sum += w;
        }
        if (i < n)
            continue;
        if (sum < lo)
            lo = sum;
        if (sum > hi)
            hi = sum;
    }
    *min_w = NAN;
    *peak_w = NAN;
    if (lo <= hi) {
        *min_w = lo;
        *peak_w = hi;
    }
}

/* One measured run: what its steps hand on to each other. */
struct meas_run {
    const struct measure_opts *o;
    struct measure_result *r;
    char *err;
    size_t errlen;
    char app[1024], tracer[4096], trace_prefix[4096];
    struct power_meter *pm[MEASURE_MAX_GPUS];
    /* the energy counters at the window's start and stop (and at the start
     * marker), with each read's time and the time of the read as a whole */
    double e_start[MEASURE_MAX_GPUS], e_stop[MEASURE_MAX_GPUS], e_begin[MEASURE_MAX_GPUS];
    double ts_start[MEASURE_MAX_GPUS], ts_stop[MEASURE_MAX_GPUS], ts_begin[MEASURE_MAX_GPUS];
    double t_start, t_stop, t_begin;
};

#define NVML_STOPPED "NVML stopped answering: the energy counter could not be read"

/* --timeline: the file may be written, the tracer is there, and the prefix
 * of its files is absolute (the application may change its folder). */
static int meas_check_timeline(struct meas_run *m)
{
    const struct measure_opts *o = m->o;
    char cwd[2048];
    char why[256];
    int w, n;
    if (!o->timeline_out)
        return MEASURE_OK;
    w = outfile_may_write(o->timeline_out, TIMELINE_SIGNATURE, o->force, why, sizeof why);
    if (w != OUTFILE_OK) {
        outfile_refusal_message(m->err, m->errlen, o->timeline_out, w, why, "choose another path", 1);
        return MEASURE_OUTPUT;
    }
    if (timeline_find_tracer(m->tracer, sizeof m->tracer) != 0) {
        snprintf(m->err, m->errlen, "%s needs the tracer " TIMELINE_TRACER ", which make builds where it finds "
                 "CUPTI (cupti.h in $CUDA_HOME/include; make CUDA_DIR=...), or GP_TRACER=PATH",
                 o->pm_interval_ns ? "--sampled" : "--timeline");
        return MEASURE_NO_TRACER;
    }
    if (getenv("CUDA_INJECTION64_PATH")) {
        snprintf(m->err, m->errlen, "--timeline loads its tracer through CUDA_INJECTION64_PATH, which is already "
                 "set (%s); unset it", getenv("CUDA_INJECTION64_PATH"));
        return MEASURE_NO_TRACER;
    }
    if (plat_is_absolute(o->timeline_out))
        n = snprintf(m->trace_prefix, sizeof m->trace_prefix, "%s.part", o->timeline_out);
    else if (plat_cwd(cwd, sizeof cwd) == 0)
        n = snprintf(m->trace_prefix, sizeof m->trace_prefix, "%s/%s.part", cwd, o->timeline_out);
    else
        n = -1;
    if (n < 0 || (size_t)n >= sizeof m->trace_prefix) {
        snprintf(m->err, m->errlen, "--timeline %s: the path is too long or the current folder unknown",
                 o->timeline_out);
        return MEASURE_OUTPUT;
    }
    return MEASURE_OK;
}

/* The GPUs to measure, each with its sampler started. */
static int meas_open_gpus(struct meas_run *m)
{
    struct measure_result *r = m->r;
    char ids[MEASURE_MAX_GPUS][48];
    int ngpus = measure_pick_gpus(m->o->devices, ids, MEASURE_MAX_GPUS, m->err, m->errlen);
    size_t g;
    if (ngpus < 0)
        return MEASURE_NO_NVML;
    r->ngpus = (size_t)ngpus;
    for (g = 0; g < r->ngpus; g++) {
        struct measure_gpu *mg = &r->gpus[g];
        const char *id = ids[g][0] == '#' ? ids[g] + 1 : ids[g];
        char why[512];
        m->pm[g] = power_meter_open(ids[g], why, sizeof why);
        if (!m->pm[g]) {
            if (r->ngpus > 1)
                snprintf(m->err, m->errlen, "GPU %s: %s", id, why);
            else
                snprintf(m->err, m->errlen, "%s", why);
            return MEASURE_NO_NVML;
        }
        snprintf(mg->id, sizeof mg->id, "%.46s", id);
        snprintf(mg->name, sizeof mg->name, "%s", power_meter_gpu_name(m->pm[g]));
        mg->min_w = mg->peak_w = NAN;
        if (power_meter_start(m->pm[g], 5000, m->err, m->errlen) != 0)
            return MEASURE_FAILED;
    }
    snprintf(r->gpu, sizeof r->gpu, "%s", r->gpus[0].name);
    for (g = 1; g < r->ngpus && strcmp(r->gpus[g].name, r->gpus[0].name) == 0; g++)
        ;
    if (r->ngpus > 1)
        snprintf(r->gpu, sizeof r->gpu, g == r->ngpus ? "%zu x %.80s" : "%zu GPUs", r->ngpus, r->gpus[0].name);
    return MEASURE_OK;
}

/* Each GPU's idle power, just before the application starts. */
static int meas_idle(struct meas_run *m)
{
    struct measure_result *r = m->r;
    double ei0[MEASURE_MAX_GPUS], ei1[MEASURE_MAX_GPUS], ti0[MEASURE_MAX_GPUS], ti1[MEASURE_MAX_GPUS];
    size_t g;
    if (read_energy(m->pm, r->ngpus, ei0, ti0, NULL) != 0)
        goto nvml_failed;
    plat_sleep_s(m->o->idle_s);
    if (read_energy(m->pm, r->ngpus, ei1, ti1, NULL) != 0)
        goto nvml_failed;
    for (g = 0; g < r->ngpus; g++) {
        r->gpus[g].idle_w = (ei1[g] - ei0[g]) / (ti1[g] - ti0[g]);
        r->idle_w += r->gpus[g].idle_w;
    }
    return MEASURE_OK;
nvml_failed:
    snprintf(m->err, m->errlen, NVML_STOPPED);
    return MEASURE_FAILED;
}

/* The application's output through to our stdout as it comes, a chunk at a
 * time (a byte at a time was a system call per byte), its lines watched for
 * the markers. */
static void meas_pass_output(struct meas_run *m, struct plat_child *child)
{
    const struct measure_opts *o = m->o;
    static char chunk[65536];
    char line[4096];
    size_t len = 0;
    for (;;) {
        long n = plat_child_read(child, chunk, sizeof chunk), k;
        if (n <= 0)
            break;
        fwrite(chunk, 1, (size_t)n, o->output_to_stderr ? stderr : stdout);
        fflush(o->output_to_stderr ? stderr : stdout);
        for (k = 0; k < n; k++) {
            char c = chunk[k];
            if (len < sizeof line - 1)
                line[len++] = c;
            if (c != '\n')
                continue;
            if (o->start_marker && m->t_begin < 0 && line_is(line, len, o->start_marker))
                read_energy(m->pm, m->r->ngpus, m->e_begin, m->ts_begin, &m->t_begin);
            else if (o->stop_marker && m->t_begin >= 0 && m->t_stop < 0 && line_is(line, len, o->stop_marker))
                read_energy(m->pm, m->r->ngpus, m->e_stop, m->ts_stop, &m->t_stop);
            len = 0;
        }
    }
    fflush(o->output_to_stderr ? stderr : stdout);
}

/* The application started with its stdout to us (and the tracer's
 * variables in its environment only). */
static int meas_start_app(struct meas_run *m, char **argv, struct plat_child *child)
{
    static char inject[4200], trace_file[4200], pm[64];
    const char *env[4] = { inject, trace_file, NULL, NULL };
    if (m->o->timeline_out) {
        snprintf(inject, sizeof inject, "CUDA_INJECTION64_PATH=%s", m->tracer);
        snprintf(trace_file, sizeof trace_file, "GP_TRACE_FILE=%s", m->trace_prefix);
        if (m->o->pm_interval_ns > 0) {
            snprintf(pm, sizeof pm, "GP_PM_SAMPLING=%lld", m->o->pm_interval_ns);
            env[2] = pm;
        }
        child->env = env;
    }
    child->capture = 1;
    fflush(NULL); /* our output so far comes before the application's */
    if (plat_child_start(child, argv) != 0) {
        snprintf(m->err, m->errlen, "cannot start %s: %s", m->app, strerror(errno));
        return MEASURE_FAILED;
    }
    child->env = NULL;
    return MEASURE_OK;
}

/* The application run to its end, the energy counters read at its start
 * and end (and at the markers). */
static int meas_run_app(struct meas_run *m)
{
    const struct measure_opts *o = m->o;
    struct plat_child child;
    char **argv = calloc(o->nargs + 2, sizeof *argv);
    int rc;
    size_t i;
    memset(&child, 0, sizeof child);
    if (!argv) {
        snprintf(m->err, m->errlen, "out of memory");
        return MEASURE_FAILED;
    }
    argv[0] = m->app;
    for (i = 0; i < o->nargs; i++)
        argv[i + 1] = o->args[i];
    if (read_energy(m->pm, m->r->ngpus, m->e_start, m->ts_start, &m->t_start) != 0) {
        snprintf(m->err, m->errlen, NVML_STOPPED);
        rc = MEASURE_FAILED;
    } else {
        rc = meas_start_app(m, argv, &child);
    }
    if (rc == MEASURE_OK) {
        meas_pass_output(m, &child);
        m->r->app_exit = plat_child_finish(&child);
    }
    free(argv);
    return rc;
}

/* NVML's figures that no GPU draws (issue 32: an avg of 10^9 W above a
 * peak of 3.6 x 10^6 W was printed as it came): said in r->implausible. */
static void check_plausible(struct measure_result *r, size_t g, double limit_w)
{
    const struct measure_gpu *mg = &r->gpus[g];
    double most_w = limit_w > 0 && 10 * limit_w < 5000 ? 10 * limit_w : 5000;
    size_t off = strlen(r->implausible);
    const char *what = NULL;
    if (!(mg->avg_w <= most_w) || (isfinite(mg->peak_w) && !(mg->peak_w <= most_w)))
        what = limit_w > 0 && 10 * limit_w < 5000 ? "above 10 x its power limit" : "above 5 kW";
    else if (isfinite(mg->peak_w) && mg->avg_w > 1.5 * mg->peak_w + 50)
        what = "an avg (energy counter) far above the peak (instant power)";
    if (!what || off >= sizeof r->implausible)
        return;
    snprintf(r->implausible + off, sizeof r->implausible - off, "%sGPU %s: avg %.4g W, peak %.4g W: %s", off ? "; " : "",
             mg->id, mg->avg_w, mg->peak_w, what);
}


/* The measured window: from the start marker (or the start) to the stop
 * marker (or the end), each GPU's energy and average over it, min and peak
 * of its samples. */
static int meas_window(struct meas_run *m)
{
    struct measure_result *r = m->r;
    size_t g;
    if (m->t_stop < 0)
        read_energy(m->pm, r->ngpus, m->e_stop, m->ts_stop, &m->t_stop);
    if (m->t_begin >= 0) {
        m->t_start = m->t_begin;
        memcpy(m->e_start, m->e_begin, sizeof m->e_start);
        memcpy(m->ts_start, m->ts_begin, sizeof m->ts_start);
        r->from_markers = m->o->stop_marker != NULL;
    } else if (m->o->start_marker) {
        snprintf(m->err, m->errlen, "the application never printed the start marker line '%s'", m->o->start_marker);
        return MEASURE_NO_MARKER;
    }
    r->duration_s = m->t_stop - m->t_start;
    for (g = 0; g < r->ngpus; g++) {
        struct measure_gpu *mg = &r->gpus[g];
        struct power_window w;
        char why[128];
        int wr;
        mg->energy_j = m->e_stop[g] - m->e_start[g];
        r->energy_j += mg->energy_j;
        if (!(r->duration_s > 0) || !(mg->energy_j > 0)) {
            snprintf(m->err, m->errlen, "the run was too short (%.3f s) for the energy counter%s to move",
                     r->duration_s, r->ngpus > 1 ? "s" : "");
            return MEASURE_FAILED;
        }
        mg->avg_w = mg->energy_j / (m->ts_stop[g] - m->ts_start[g]);
        r->avg_w += mg->avg_w;
        wr = power_meter_window(m->pm[g], m->t_start, m->t_stop, &w, why, sizeof why);
        if (wr == 0 || wr == -2) {
            mg->min_w = w.min_w;
            mg->peak_w = w.peak_w;
            mg->sm_clock_mhz = w.sm_clock_mhz;
            mg->samples = w.samples;
        }
        r->sm_clock_mhz += mg->sm_clock_mhz / (double)r->ngpus;
        r->samples += mg->samples;
        check_plausible(r, g, power_meter_limit_w(m->pm[g]));
    }
    return MEASURE_OK;
}

/* The meter's instant power every TIMELINE_POWER_STEP_S over [t0, t1]
 * (a longer step for a run of more than TIMELINE_MAX_POWER steps): how many,
 * with their times and watts in malloc'd arrays; 0 when out of memory. */
static size_t timeline_power_samples(struct power_meter *pm, double t0, double t1, double **pt, double **pw)
{
    double step = TIMELINE_POWER_STEP_S;
    size_t n, i;
    if (!(t1 > t0))
        return 0;
    if ((t1 - t0) / step > TIMELINE_MAX_POWER - 1)
        step = (t1 - t0) / (TIMELINE_MAX_POWER - 1);
    n = (size_t)((t1 - t0) / step) + 1;
    *pt = malloc(n * sizeof **pt);
    *pw = malloc(n * sizeof **pw);
    if (!*pt || !*pw) {
        free(*pt);
        free(*pw);
        *pt = *pw = NULL;
        return 0;
    }
    for (i = 0; i < n; i++) {
        (*pt)[i] = t0 + (double)i * step;
        (*pw)[i] = power_meter_instant_at(pm, (*pt)[i]);
    }
    return n;
}

/* --timeline: the tracer's files merged onto the samples' clock, with the
 * GPU's measured power. */
static int meas_timeline(struct meas_run *m)
{
    const struct measure_opts *o = m->o;
    struct measure_result *r = m->r;
    char why[512];
    double *pt = NULL, *pw = NULL;
    size_t np = 0;
    int rc;
    if (!o->timeline_out)
        return MEASURE_OK;
    if (r->ngpus == 1) /* the GPU's power beside its kernels, for the picture */
        np = timeline_power_samples(m->pm[0], m->t_start, m->t_stop, &pt, &pw);
    rc = timeline_merge(m->trace_prefix, o->timeline_out, m->t_start, m->t_stop, r->ngpus == 1 ? r->idle_w : 0, pt,
                        pw, np, o->force, why, sizeof why);
    free(pt);
    free(pw);
    if (rc == 0) {
        r->timeline_written = 1;
    } else if (o->timeline_optional) {
        snprintf(r->timeline_note, sizeof r->timeline_note, "%s", why);
    } else {
        snprintf(m->err, m->errlen, "%s", why);
        return MEASURE_OUTPUT;
    }
    return MEASURE_OK;
}

/* The steps after the checks, in order. */
static int meas_steps(struct meas_run *m)
{
    struct measure_result *r = m->r;
    int rc;
    if ((rc = meas_open_gpus(m)) != MEASURE_OK || (rc = meas_idle(m)) != MEASURE_OK ||
        (rc = meas_run_app(m)) != MEASURE_OK || (rc = meas_window(m)) != MEASURE_OK ||
        (rc = meas_timeline(m)) != MEASURE_OK)
        return rc;
    if (r->ngpus == 1) {
        r->min_w = r->gpus[0].min_w;
        r->peak_w = r->gpus[0].peak_w;
    } else {
        sum_extremes(m->pm, r->ngpus, m->t_start, m->t_stop, &r->min_w, &r->peak_w);
    }
    return MEASURE_OK;
}

int measure_run(const struct measure_opts *o, struct measure_result *r, char *err, size_t errlen)
{
    static struct meas_run m; /* large; one measurement at a time */
    size_t g;
    int rc;
    memset(&m, 0, sizeof m);
    m.o = o;
    m.r = r;
    m.err = err;
    m.errlen = errlen;
    m.t_stop = m.t_begin = -1;
    memset(r, 0, sizeof *r);
    r->min_w = r->peak_w = NAN;
    if ((rc = meas_check_timeline(&m)) != MEASURE_OK)
        return rc;
    if (runner_find_app(o->app, m.app, sizeof m.app) != 0) {
        snprintf(err, errlen, "application '%s' not found or not executable%s", o->app,
                 plat_has_dir(o->app) ? "" : " (searched PATH; give a path like ./app)");
        return MEASURE_NO_APP;
    }
    rc = meas_steps(&m);
    for (g = 0; g < r->ngpus; g++)
        power_meter_close(m.pm[g]);
    if (o->timeline_out && !r->timeline_written)
        timeline_discard(m.trace_prefix); /* what the tracer wrote for a run that failed */
    return rc;
}
