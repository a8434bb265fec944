/* measure: see measure.h. */
#include "measure.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "power_meter.h"
#include "runner.h"

static int line_is(const char *line, size_t len, const char *marker)
{
    size_t n = strlen(marker);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    return marker && len == n && memcmp(line, marker, n) == 0;
}

static int pick_device(int device)
{
    const char *v = getenv("CUDA_VISIBLE_DEVICES");
    if (device >= 0)
        return device;
    if (v && *v >= '0' && *v <= '9')
        return atoi(v);
    return 0;
}

int measure_run(const struct measure_opts *o, struct measure_result *r, char *err, size_t errlen)
{
    char app[1024], pci[32];
    char **argv;
    struct power_meter *pm;
    struct power_window w;
    struct runner_child child = { 0 };
    int fds[2], rc = MEASURE_FAILED;
    double t_start, t_stop = -1, e_start, e_stop, t_begin = -1, e_begin = 0;
    char line[4096];
    size_t len = 0, i;

    memset(r, 0, sizeof *r);
    r->min_w = r->peak_w = NAN;
    if (runner_find_app(o->app, app, sizeof app) != 0) {
        snprintf(err, errlen, "application '%s' not found or not executable%s", o->app,
                 strchr(o->app, '/') ? "" : " (searched PATH; give a path like ./app)");
        return MEASURE_NO_APP;
    }
    snprintf(pci, sizeof pci, "#%d", pick_device(o->device));
    pm = power_meter_open(pci, err, errlen);
    if (!pm)
        return MEASURE_NO_NVML;
    snprintf(r->gpu, sizeof r->gpu, "%s", power_meter_gpu_name(pm));
    if (power_meter_start(pm, 5000, err, errlen) != 0)
        goto out;
    {   /* idle, before */
        double t0 = power_meter_now(), ei0, ei1;
        struct timespec ts;
        power_meter_energy_j(pm, &ei0);
        ts.tv_sec = (time_t)o->idle_s;
        ts.tv_nsec = (long)((o->idle_s - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
        power_meter_energy_j(pm, &ei1);
        r->idle_w = (ei1 - ei0) / (power_meter_now() - t0);
    }
    argv = calloc(o->nargs + 2, sizeof *argv);
    if (!argv || pipe(fds) != 0) {
        snprintf(err, errlen, "out of memory or pipes");
        free(argv);
        goto out;
    }
    argv[0] = app;
    for (i = 0; i < o->nargs; i++)
        argv[i + 1] = o->args[i];
    /* the read end must not leak into the application */
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    power_meter_energy_j(pm, &e_start);
    t_start = power_meter_now();
    if (runner_start(argv, fds[1], &child) != 0) {
        snprintf(err, errlen, "cannot start %s: %s", app, strerror(errno));
        close(fds[0]);
        close(fds[1]);
        free(argv);
        goto out;
    }
    close(fds[1]);
    /* pass the application's output through, watching for the markers */
    for (;;) {
        char chunk[65536];
        ssize_t n = read(fds[0], chunk, sizeof chunk), k;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        /* through to our stdout as it comes, a chunk at a time (a byte at a
         * time was a system call per byte) */
        fwrite(chunk, 1, (size_t)n, stdout);
        fflush(stdout);
        for (k = 0; k < n; k++) {
            char c = chunk[k];
            if (len < sizeof line - 1)
                line[len++] = c;
            if (c != '\n')
                continue;
            if (o->start_marker && t_begin < 0 && line_is(line, len, o->start_marker)) {
                power_meter_energy_j(pm, &e_begin);
                t_begin = power_meter_now();
            } else if (o->stop_marker && t_begin >= 0 && t_stop < 0 && line_is(line, len, o->stop_marker)) {
                power_meter_energy_j(pm, &e_stop);
                t_stop = power_meter_now();
            }
            len = 0;
        }
    }
    fflush(stdout);
    close(fds[0]);
    r->wait_status = runner_finish(&child);
    free(argv);
    if (t_stop < 0) {
        power_meter_energy_j(pm, &e_stop);
        t_stop = power_meter_now();
    }
    if (t_begin >= 0) {
        t_start = t_begin;
        e_start = e_begin;
        r->from_markers = o->stop_marker != NULL;
    } else if (o->start_marker) {
        snprintf(err, errlen, "the application never printed the start marker line '%s'", o->start_marker);
        goto out;
    }
    r->duration_s = t_stop - t_start;
    r->energy_j = e_stop - e_start;
    if (!(r->duration_s > 0) || !(r->energy_j > 0)) {
        snprintf(err, errlen, "the run was too short (%.3f s) for the energy counter to move", r->duration_s);
        goto out;
    }
    r->avg_w = r->energy_j / r->duration_s;
    {
        char why[128];
        int wr = power_meter_window(pm, t_start, t_stop, &w, why, sizeof why);
        if (wr == 0 || wr == -2) {
            r->min_w = w.min_w;
            r->peak_w = w.peak_w;
            r->sm_clock_mhz = w.sm_clock_mhz;
            r->samples = w.samples;
        }
    }
    rc = MEASURE_OK;
out:
    power_meter_close(pm);
    return rc;
}
