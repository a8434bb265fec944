/* calibrate: see calibrate.h. */
#include "calibrate.h"

#include "collectives.h"

#include "plat.h"
#include "textio.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "cuda_api.h"
#include "dataset.h"
#include "feature_table.h"
#include "fit.h"
#include "mb_random.h"
#include "model.h"
#include "ncu_csv.h"
#include "outfile.h"
#include "power_meter.h"
#include "runner.h"
#include "suite.h"
#include "timeline.h"
#include "trace_pm.h" /* the tracer's hardware buffer (its functions are the tracer's, not ours) */

/* PTX of microbench.cu and microbench_sm90.cu, embedded by make (empty when
 * the build had no nvcc). */
extern const char microbench_ptx[];
extern const char microbench_sm90_ptx[];

#define MAX_CONFIGS 192
#define CHECK_WORDS_PER_SM 2048u

void calibrate_defaults(struct calibrate_opts *o)
{
    memset(o, 0, sizeof *o);
    o->model_out = "gpu_profiler.model";
    o->dataset_out = "gpu_profiler_dataset.csv";
    o->log_out = "gpu_profiler_calibrate.log";
    o->warmup_s = 0.05; /* 0.05 and 0.2 gave the same powers: mean +0.03%, |1.3%| over 45 configurations,
                           within their repeats' 3.6-3.9% spread (docs/ACCURACY.md, 2026-12-02) */
    o->window_s = 0.5;
    o->launch_s = 0.004;
    o->repeats = 3;
    o->limit_window_s = 3.0;
}

int calibrate_available(void)
{
    return microbench_ptx[0] != '\0';
}

/* ---- the log: progress on stderr, everything kept for the log file ---- */

struct log {
    char *buf;        /* everything logged, for the log file */
    size_t len, cap;
    int on;           /* keeping it (after cal_open) */
    int quiet;
};

/* Appends to the kept log; one that cannot grow stops growing. */
static void log_keep(struct log *l, const char *fmt, va_list ap)
{
    va_list again;
    int n;
    va_copy(again, ap);
    n = vsnprintf(l->buf ? l->buf + l->len : NULL, l->buf ? l->cap - l->len : 0, fmt, ap);
    if (n >= 0 && (size_t)n >= (l->buf ? l->cap - l->len : 0)) {
        size_t cap = (l->cap ? l->cap : 4096);
        char *nb;
        while (cap - l->len <= (size_t)n)
            cap *= 2;
        if ((nb = realloc(l->buf, cap)) != NULL) {
            l->buf = nb;
            l->cap = cap;
            n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, again);
        } else {
            n = -1;
        }
    }
    if (n > 0 && l->buf)
        l->len += (size_t)n;
    va_end(again);
}

static void logf_(struct log *l, int to_stderr, const char *fmt, ...) PLAT_PRINTF(3, 4);
static void logf_(struct log *l, int to_stderr, const char *fmt, ...)
{
    va_list ap;
    if (l->on) {
        va_start(ap, fmt);
        log_keep(l, fmt, ap);
        va_end(ap);
    }
    if (to_stderr && !l->quiet) {
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
}

/* ---- the GPU side ---- */

struct gpu {
    struct cuda_api cu;
    CUdevice dev;
    CUcontext ctx;
    CUmodule mod, mod90;
    unsigned sm_count;
    int cc_major, cc_minor;
    char name[128];
    char pci[32];
    CUdeviceptr a, b, f, check;
    size_t check_words;
    unsigned *host_check;
    unsigned *host_b;
    size_t host_b_words;
    unsigned *host_ref;
};

#define CU(call, what)                                                                             \
    do {                                                                                           \
        CUresult rc_ = (call);                                                                     \
        if (rc_ != 0) {                                                                            \
            snprintf(err, errlen, "%s failed: %s", what, cuda_api_error(&g->cu, rc_));             \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

static int gpu_open(struct gpu *g, int device, char *err, size_t errlen)
{
    int v;
    memset(g, 0, sizeof *g);
    if (cuda_api_open(&g->cu, err, errlen) != 0)
        return -1;
    CU(g->cu.cuInit(0), "cuInit");
    CU(g->cu.cuDeviceGet(&g->dev, device), "cuDeviceGet (is --device right?)");
    CU(g->cu.cuDeviceGetName(g->name, sizeof g->name, g->dev), "cuDeviceGetName");
    CU(g->cu.cuDeviceGetPCIBusId(g->pci, sizeof g->pci, g->dev), "cuDeviceGetPCIBusId");
    CU(g->cu.cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, g->dev), "cuDeviceGetAttribute");
    g->sm_count = (unsigned)v;
    CU(g->cu.cuDeviceGetAttribute(&g->cc_major, CU_DEVICE_ATTRIBUTE_CC_MAJOR, g->dev), "cuDeviceGetAttribute");
    CU(g->cu.cuDeviceGetAttribute(&g->cc_minor, CU_DEVICE_ATTRIBUTE_CC_MINOR, g->dev), "cuDeviceGetAttribute");
    CU(g->cu.cuDevicePrimaryCtxRetain(&g->ctx, g->dev), "cuDevicePrimaryCtxRetain");
    CU(g->cu.cuCtxSetCurrent(g->ctx), "cuCtxSetCurrent");
    if (g->cc_major < 8) {
        snprintf(err, errlen, "%s has compute capability %d.%d; the microbenchmarks need 8.0 or newer", g->name,
                 g->cc_major, g->cc_minor);
        return -1;
    }
    CU(g->cu.cuModuleLoadDataEx(&g->mod, microbench_ptx, 0, NULL, NULL), "loading the microbenchmarks (PTX JIT)");
    if (g->cc_major == 9 && g->cc_minor == 0 && microbench_sm90_ptx[0])
        CU(g->cu.cuModuleLoadDataEx(&g->mod90, microbench_sm90_ptx, 0, NULL, NULL),
           "loading the Hopper microbenchmarks (PTX JIT)");
    CU(g->cu.cuMemAlloc(&g->a, (size_t)SUITE_BUF_WORDS * 4), "cuMemAlloc (1 GiB; is the GPU busy?)");
    CU(g->cu.cuMemAlloc(&g->b, (size_t)SUITE_BUF_WORDS * 4), "cuMemAlloc (1 GiB; is the GPU busy?)");
    CU(g->cu.cuMemAlloc(&g->f, (size_t)SUITE_FLOAT_WORDS * 4), "cuMemAlloc (256 MiB; is the GPU busy?)");
    g->check_words = (size_t)g->sm_count * CHECK_WORDS_PER_SM;
    CU(g->cu.cuMemAlloc(&g->check, g->check_words * 4), "cuMemAlloc");
    g->host_check = malloc(g->check_words * 4);
    g->host_b_words = 1u << 20;
    g->host_b = malloc(g->host_b_words * 4);
    g->host_ref = malloc(g->check_words * 4);
    if (!g->host_check || !g->host_b || !g->host_ref) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    {   /* random words: what the load, copy and mix kernels read; random floats: what SGEMM reads */
        CUfunction fill, fill_f;
        unsigned mask = SUITE_BUF_WORDS - 1, mask_f = SUITE_FLOAT_WORDS - 1;
        int zero = 0;
        void *args[] = { &g->a, &g->b, &g->check, &zero, &zero, &zero, &mask };
        void *args_f[] = { &g->f, &g->b, &g->check, &zero, &zero, &zero, &mask_f };
        CU(g->cu.cuModuleGetFunction(&fill, g->mod, "mb_fill_random"), "finding mb_fill_random");
        CU(g->cu.cuLaunchKernel(fill, g->sm_count * 8, 1, 1, 256, 1, 1, 0, NULL, args, NULL), "launching mb_fill_random");
        CU(g->cu.cuModuleGetFunction(&fill_f, g->mod, "mb_fill_float"), "finding mb_fill_float");
        CU(g->cu.cuLaunchKernel(fill_f, g->sm_count * 8, 1, 1, 256, 1, 1, 0, NULL, args_f, NULL),
           "launching mb_fill_float");
        CU(g->cu.cuCtxSynchronize(), "mb_fill_random, mb_fill_float");
    }
    return 0;
}

static void gpu_close(struct gpu *g)
{
    if (g->cu.lib) {
        if (g->ctx) {
            if (g->a)
                g->cu.cuMemFree(g->a);
            if (g->b)
                g->cu.cuMemFree(g->b);
            if (g->f)
                g->cu.cuMemFree(g->f);
            if (g->check)
                g->cu.cuMemFree(g->check);
            if (g->mod)
                g->cu.cuModuleUnload(g->mod);
            if (g->mod90)
                g->cu.cuModuleUnload(g->mod90);
            g->cu.cuDevicePrimaryCtxRelease(g->dev);
        }
        cuda_api_close(&g->cu);
    }
    free(g->host_check);
    free(g->host_b);
    free(g->host_ref);
    memset(g, 0, sizeof *g);
}

static int gpu_function(struct gpu *g, const struct suite_config *c, CUfunction *fn, char *err, size_t errlen)
{
    CUmodule mod = c->hopper_only ? g->mod90 : g->mod;
    if (!mod) {
        snprintf(err, errlen, "no module holds %s", c->kernel);
        return -1;
    }
    CU(g->cu.cuModuleGetFunction(fn, mod, c->kernel), c->kernel);
    return 0;
}

static CUdeviceptr *gpu_buffer(struct gpu *g, enum suite_buf which, CUdeviceptr *none)
{
    return which == BUF_A ? &g->a : which == BUF_B ? &g->b : which == BUF_F ? &g->f : none;
}

static int gpu_launch(struct gpu *g, const struct suite_config *c, CUfunction fn, int iters, char *err,
                      size_t errlen)
{
    CUdeviceptr none = 0;
    CUdeviceptr *pa = gpu_buffer(g, c->arg_a, &none), *pb = gpu_buffer(g, c->arg_b, &none);
    int p = c->p, q = c->q;
    unsigned mask = c->mask;
    void *args[] = { pa, pb, &g->check, &iters, &p, &q, &mask };
    unsigned grid = suite_grid(c, g->sm_count);
    CU(g->cu.cuLaunchKernel(fn, grid, 1, 1, c->threads, 1, 1, 0, NULL, args, NULL), c->name);
    return 0;
}

/* One launch, timed with the host clock around a synchronise. */
static int timed_launch(struct gpu *g, const struct suite_config *c, CUfunction fn, int iters, double *secs,
                        char *err, size_t errlen)
{
    double t0 = power_meter_now();
    if (gpu_launch(g, c, fn, iters, err, errlen) != 0)
        return -1;
    CU(g->cu.cuCtxSynchronize(), c->name);
    *secs = power_meter_now() - t0;
    return 0;
}

/* Picks iters so one launch takes about target_s, then checks the result:
 * 0, CHECK_WRONG when the kernel ran but its result is wrong, -1 when CUDA
 * failed (the context may be lost). */
#define CHECK_WRONG (-2)
static int size_and_check(struct gpu *g, struct suite_config *c, CUfunction fn, double target_s, double *launch_s,
                          char *err, size_t errlen)
{
    int iters = 16, round;
    double t = 0;
    unsigned grid = suite_grid(c, g->sm_count);
    size_t words;
    enum suite_readback rb;
    if ((size_t)grid * c->threads > g->check_words) {
        snprintf(err, errlen, "%u threads exceed the check buffer", grid * c->threads);
        return -1;
    }
    if (iters > c->iters_max)
        iters = c->iters_max & ~1;
    for (round = 0; round < 10; round++) {
        if (timed_launch(g, c, fn, iters, &t, err, errlen) != 0)
            return -1;
        if (t >= target_s / 8 || iters >= c->iters_max)
            break;
        iters = iters * 8 > c->iters_max ? c->iters_max : iters * 8;
    }
    {
        double want = (double)iters * target_s / (t > 1e-6 ? t : 1e-6);
        if (want > c->iters_max)
            want = c->iters_max;
        if (want < 2)
            want = 2;
        c->iters = (int)want & ~1;
    }
    /* the checked run, also the launch time recorded */
    {
        int init = suite_b_init(c);
        rb = suite_readback(c, &words);
        if (init >= 0)
            CU(g->cu.cuMemsetD32(g->b, init ? 0xFFFFFFFFu : 0u, rb == READ_B_PREFIX && init == 0 ? words : SUITE_BUF_WORDS),
               "cuMemsetD32");
    }
    if (c->selfcheck) { /* the reference: 2 iterations */
        double t2;
        CU(g->cu.cuMemsetD32(g->check, 0xDEADBEEFu, g->check_words), "cuMemsetD32");
        if (timed_launch(g, c, fn, 2, &t2, err, errlen) != 0)
            return -1;
        CU(g->cu.cuMemcpyDtoH(g->host_ref, g->check, (size_t)grid * c->threads * 4), "cuMemcpyDtoH");
    }
    CU(g->cu.cuMemsetD32(g->check, 0xDEADBEEFu, g->check_words), "cuMemsetD32");
    if (timed_launch(g, c, fn, c->iters, launch_s, err, errlen) != 0)
        return -1;
    CU(g->cu.cuMemcpyDtoH(g->host_check, g->check, (size_t)grid * c->threads * 4), "cuMemcpyDtoH");
    if (rb != READ_NONE) {
        if (words > g->host_b_words)
            words = g->host_b_words;
        CU(g->cu.cuMemcpyDtoH(g->host_b, g->b, words * 4), "cuMemcpyDtoH");
    }
    if (suite_verify(c, grid, g->host_check, rb != READ_NONE ? g->host_b : NULL, words,
                     c->selfcheck ? g->host_ref : NULL, err, errlen) != 0)
        return CHECK_WRONG;
    return 0;
}

/* The instant-power field lags a change of load: with 0.05 s of warm-up, 9
 * to 11 of 119 configurations of a calibration had a min at idle level
 * (data/boards/h200_165*_dataset.csv), none with 0.2 s. Min and peak come
 * from the samples this long after a configuration starts; the average,
 * from the energy counter, over the whole window. */
#define CAL_INSTANT_SETTLE_S 0.2

/* Runs c back to back for warmup_s + window_s and summarises the window
 * (min and peak from CAL_INSTANT_SETTLE_S on). */
static int measure(struct gpu *g, struct power_meter *pm, const struct suite_config *c, CUfunction fn,
                   double launch_s, double warmup_s, double window_s, struct power_window *w, char *err,
                   size_t errlen)
{
    CUevent ev[2];
    int batch = launch_s > 0 ? (int)(0.02 / launch_s) : 1, k = 0, i;
    double start = power_meter_now(), t0 = start + warmup_s, t1 = t0 + window_s;
    if (batch < 1)
        batch = 1;
    CU(g->cu.cuEventCreate(&ev[0], 2 /* CU_EVENT_DISABLE_TIMING */), "cuEventCreate");
    CU(g->cu.cuEventCreate(&ev[1], 2), "cuEventCreate");
    while (power_meter_now() < t1) {
        for (i = 0; i < batch; i++)
            if (gpu_launch(g, c, fn, c->iters, err, errlen) != 0)
                goto fail;
        if (g->cu.cuEventRecord(ev[k & 1], NULL) != 0)
            goto fail_msg;
        if (k > 0 && g->cu.cuEventSynchronize(ev[(k - 1) & 1]) != 0)
            goto fail_msg;
        k++;
    }
    CU(g->cu.cuCtxSynchronize(), c->name);
    g->cu.cuEventDestroy(ev[0]);
    g->cu.cuEventDestroy(ev[1]);
    return power_meter_window_settled(pm, t0, t1, start + CAL_INSTANT_SETTLE_S, w, err, errlen);
fail_msg:
    snprintf(err, errlen, "%s failed while measured", c->name);
fail:
    g->cu.cuCtxSynchronize();
    g->cu.cuEventDestroy(ev[0]);
    g->cu.cuEventDestroy(ev[1]);
    return -1;
}

/* Runs c in bursts of nlaunch launches with the GPU idle for gap_s between
 * them (a synchronise, then the host sleeps) for warmup_s + about window_s,
 * and summarises the whole cycles of the window: busy_s and idle_s are the
 * mean busy (launch to synchronised, host clock) and idle time per cycle. */
static int measure_gaps(struct gpu *g, struct power_meter *pm, const struct suite_config *c, CUfunction fn,
                        int nlaunch, double gap_s, double warmup_s, double window_s, struct power_window *w,
                        double *busy_s, double *idle_s, char *err, size_t errlen)
{
    double t_warm = power_meter_now() + warmup_s, first = -1, last = 0, busy = 0;
    long cycles = 0;
    for (;;) {
        double a = power_meter_now(), b;
        int i;
        if (first >= 0 && a >= first + window_s)
            break;
        for (i = 0; i < nlaunch; i++)
            if (gpu_launch(g, c, fn, c->iters, err, errlen) != 0)
                return -1;
        CU(g->cu.cuCtxSynchronize(), c->name);
        b = power_meter_now();
        plat_sleep_s(gap_s);
        if (a >= t_warm) {
            if (first < 0)
                first = a;
            busy += b - a;
            cycles++;
            last = power_meter_now();
        }
    }
    *busy_s = busy / (double)cycles;
    *idle_s = (last - first) / (double)cycles - *busy_s;
    return power_meter_window(pm, first, last, w, err, errlen);
}

/* ---- the ncu run ---- */

struct profiled {
    char name[48];
    double value[M_COUNT];
    unsigned char have[M_COUNT];
};

struct profile_ctx {
    struct profiled *k;
    size_t n, cap;
};

static int on_kernel(void *ctx, const struct ncu_kernel *k)
{
    static const char *const fills[] = { "mb_fill_random", "mb_fill_float" }; /* the buffers', not benchmarks */
    struct profile_ctx *p = ctx;
    size_t len = strcspn(k->name, "( "), i;
    for (i = 0; i < sizeof fills / sizeof fills[0]; i++)
        if (len == strlen(fills[i]) && strncmp(k->name, fills[i], len) == 0)
            return 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 128;
        struct profiled *nk = realloc(p->k, cap * sizeof *nk);
        if (!nk)
            return 1;
        p->k = nk;
        p->cap = cap;
    }
    snprintf(p->k[p->n].name, sizeof p->k[p->n].name, "%.*s", (int)len, k->name);
    memcpy(p->k[p->n].value, k->value, sizeof k->value);
    memcpy(p->k[p->n].have, k->have, sizeof k->have);
    p->n++;
    return 0;
}

static int read_profile(const char *path, struct profile_ctx *p, char *err, size_t errlen)
{
    struct ncu_reader *r = ncu_reader_new(on_kernel, p);
    FILE *f = plat_fopen(path, "rb");
    char buf[65536];
    size_t n;
    int rc = 0;
    if (!r || !f) {
        snprintf(err, errlen, "cannot read %s: %s", path, f ? "out of memory" : strerror(errno));
        ncu_reader_free(r);
        if (f)
            fclose(f);
        return -1;
    }
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
        rc = ncu_reader_feed(r, buf, n);
    if (rc == 0)
        rc = ncu_reader_finish(r);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", path, rc == NCU_ERR ? ncu_reader_error(r) : "out of memory");
    fclose(f);
    ncu_reader_free(r);
    return rc == 0 ? 0 : -1;
}

/* ---- the whole run ---- */

static int want_family(const char *only, const char *family)
{
    size_t n = strlen(family);
    const char *p = only;
    if (!only)
        return 1;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, family, n) == 0)
            return 1;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int write_dataset(FILE *f, void *ctx)
{
    return dataset_write(f, ctx);
}

static int write_model(FILE *f, void *ctx)
{
    return model_write(f, ctx);
}

static int write_text(FILE *f, void *ctx)
{
    const struct log *l = ctx;
    return fwrite(l->buf, 1, l->len, f) == l->len ? 0 : -1;
}

static int save(const char *path, const char *sig, int force, int (*fn)(FILE *, void *), void *ctx, char *err,
                size_t errlen)
{
    char why[512];
    int rc = outfile_write(path, sig, force, fn, ctx, why, sizeof why);
    if (rc == OUTFILE_OK)
        return 0;
    if (rc == OUTFILE_FOREIGN)
        snprintf(err, errlen, "%s exists and was not written by gpu_profiler; move it or use --force", path);
    else
        snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

/* A dataset row's description of configuration c: its kernel, launch and
 * counters (the measurements are the caller's). */
static void describe_row(struct dataset_row *row, const struct suite_config *c, unsigned sm_count, double launch_s,
                         const struct profiled *k)
{
    snprintf(row->kernel, sizeof row->kernel, "%s", c->kernel);
    row->grid = suite_grid(c, sm_count);
    row->threads = c->threads;
    row->iters = c->iters;
    row->launch_s = launch_s;
    memcpy(row->value, k->value, sizeof row->value);
    memcpy(row->have, k->have, sizeof row->have);
}

/* a probe's measurement (step 3b) */
#define CAL_MAX_PROBES 64
struct probe_meas {
    size_t cfg;
    const char *family;
    int nlaunch;
    double window_s, gap_s, busy_s;
    struct power_window w;
};

/* The mean over a configuration's repeats of its windows' avg power, or of
 * their SM clock. */
static double mean_over_repeats(const struct power_window *win, size_t i, int repeats, int clock)
{
    double s = 0;
    int r;
    for (r = 0; r < repeats; r++) {
        const struct power_window *w = &win[i * (size_t)repeats + (size_t)r];
        s += clock ? w->sm_clock_mhz : w->avg_w;
    }
    return s / repeats;
}


/* The metrics of the features of list that a GPU has (wgmma's on Hopper
 * only), added to need (features_collect's). */
static void add_list_metrics(const char *const *list, int hopper, int exact, unsigned char *need)
{
    size_t i, m;
    for (i = 0; list[i]; i++) {
        unsigned char one[M_COUNT];
        int k = features_find(list[i]);
        if (k < 0 || (features_table[k].num == M_PIPE_GMMA && !hopper))
            continue; /* wgmma counters exist on Hopper only */
        features_collect(&k, 1, exact, one);
        for (m = 0; m < M_COUNT; m++)
            need[m] |= one[m];
    }
}

void calibrate_metrics(int cc_major, int cc_minor, int tiers, unsigned char *need)
{
    int hopper = cc_major == 9 && cc_minor == 0;
    size_t t;
    memset(need, 0, M_COUNT);
    add_list_metrics(fit_default_features, hopper, 0, need);
    /* The details-page tiers' features too (features_tiers): their metrics
     * cost replay passes in this one ncu run, never in a user's profiling,
     * and let 'gpu_profiler fit --tier' fit a model for each kind of export
     * from this dataset; the rule features' metrics as ncu's rules weigh them
     * (exact). Metrics, not a list of features: the tiers hold more features
     * than a model (MODEL_MAX_FEATURES), which cut the last ones off before. */
    if (tiers)
        for (t = 0; t < features_tier_count; t++)
            add_list_metrics(features_tiers[t].features, hopper, 1, need);
}

/* One calibration run: what its steps hand on to each other. */
struct cal_run {
    const struct calibrate_opts *o;
    char *err;
    size_t errlen;
    struct suite_config *cfg;  /* MAX_CONFIGS of them, n in use */
    size_t n;
    struct gpu g;
    int gpu_opened;
    struct power_meter *pm;
    struct log lg;
    CUfunction *fn;            /* per configuration */
    double *launch;            /* one launch's time, s, per configuration */
    struct power_window *win;  /* n x repeats */
    double *win_t0, *win_t1;   /* n x repeats: when each window ran (power_meter_now), for --sampled */
    char pm_prefix[1200];      /* --sampled: the tracer's files, PREFIX.PID */
    char pm_tracer[4096];      /* --sampled: the tracer loaded into this process */
    char pm_timeline[1200];
    struct probe_meas *probes; /* CAL_MAX_PROBES of them, nprobes in use */
    size_t nprobes;
    struct coll_meas *comm;    /* COLL_MAX_MEAS of them, ncomm in use (step 3c) */
    size_t ncomm;
    int comm_only;             /* --only comm: the collectives alone, added to the built-in model */
    char comm_note[1024];      /* why they were skipped */
    struct profile_ctx prof;
    unsigned char cols[M_COUNT]; /* the metrics collected: ncu's (calibrate_metrics) or the sampled features' */
    char tmpdir[1024], plan[1100], csv[1200], ncu_log[1100];
    int have_tmp;
    char self[1024], ncu_path[512], ncu_version[32];
    double t_start, idle_w;
    struct dataset ds;
    size_t kept;
    struct model model;
    struct fit_report rep;
};

/* No output file may be refused at the end of a long run. */
static int cal_check_outputs(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    const char *outs[4][2] = { { o->model_out, "gpu_profiler_model" }, { o->dataset_out, DATASET_SIGNATURE },
                               { o->log_out, CALIBRATE_LOG_SIGNATURE }, { o->timeline_out, TIMELINE_SIGNATURE } };
    size_t i;
    for (i = 0; i < 4 && !o->list; i++) {
        char why[256];
        int w;
        if (!outs[i][0])
            continue; /* --quick's, in the cache folder: known once the board is */
        w = outfile_may_write(outs[i][0], outs[i][1], o->force, why, sizeof why);
        if (w != OUTFILE_OK) {
            outfile_refusal_message(c->err, c->errlen, outs[i][0], w, why, "choose another path", 1);
            return CAL_ERR_OUTPUT;
        }
    }
    return CAL_OK;
}

/* ncu, the log, the GPU and the suite for it (--only). */
static int cal_open(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    size_t i, j = 0;
    c->comm_only = o->only && strcmp(o->only, DATASET_PROBE_COMM) == 0;
    if (!o->list && !c->comm_only && !o->pm_interval_ns && runner_find_ncu(o->ncu, c->ncu_path, sizeof c->ncu_path, c->err, c->errlen) != 0)
        return CAL_ERR_NCU;
    c->lg.on = 1;
    logf_(&c->lg, 0, "%s 1\n", CALIBRATE_LOG_SIGNATURE);
    if (gpu_open(&c->g, o->device, c->err, c->errlen) != 0)
        return CAL_ERR_GPU;
    c->gpu_opened = 1;
    c->n = suite_build(c->cfg, MAX_CONFIGS, c->g.sm_count, c->g.cc_major, c->g.cc_minor);
    if (!o->only && !o->quick)
        return CAL_OK;
    for (i = 0; i < c->n; i++)
        if (o->quick ? want_family(CALIBRATE_QUICK_CONFIGS, c->cfg[i].name) : want_family(o->only, c->cfg[i].family))
            c->cfg[j++] = c->cfg[i];
    c->n = j;
    if (c->n == 0 && !c->comm_only) {
        snprintf(c->err, c->errlen, "--only %s selects no configuration", o->only);
        return CAL_ERR_USAGE;
    }
    return CAL_OK;
}

/* --list: the configurations, and nothing run. */
static void cal_list(const struct cal_run *c)
{
    size_t i;
    for (i = 0; i < c->n; i++)
        printf("%-28s %-8s %-18s grid %5u x %4u threads  p=%d\n", c->cfg[i].name, c->cfg[i].family,
               c->cfg[i].kernel, suite_grid(&c->cfg[i], c->g.sm_count), c->cfg[i].threads, c->cfg[i].p);
    printf("%zu configurations\n", c->n);
    if (!c->o->only || want_family(c->o->only, DATASET_PROBE_COMM))
        printf("and the collectives (family %s, two or more GPUs, NCCL): all-reduce, all-gather, reduce-scatter "
               "and broadcast of 1, 16 and 256 MiB\n", DATASET_PROBE_COMM);
}

/* NVML, the log's header and the per-configuration arrays. */
static int cal_start_meter(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    if (o->pm_interval_ns)
        snprintf(c->ncu_version, sizeof c->ncu_version, "none (PM sampling)");
    else if (!c->comm_only)
        runner_ncu_version(c->ncu_path, c->ncu_version, sizeof c->ncu_version);
    c->pm = power_meter_open(c->g.pci, c->err, c->errlen);
    if (!c->pm)
        return CAL_ERR_GPU;
    if (c->comm_only)
        logf_(&c->lg, 1, "# gpu: %s (compute capability %d.%d, %u SMs, PCI %s)\n# driver: %s; ncu not used (--only comm)\n"
              "# power limit: %.0f W\n# protocol: the collectives alone, on every GPU the driver shows\n",
              c->g.name, c->g.cc_major, c->g.cc_minor, c->g.sm_count, c->g.pci, power_meter_driver(c->pm),
              power_meter_limit_w(c->pm));
    else
        logf_(&c->lg, 1, "# gpu: %s (compute capability %d.%d, %u SMs, PCI %s)\n# driver: %s, ncu %s at %s\n"
              "# power limit: %.0f W\n# protocol: %d repeats, warm-up %.2f s, window %.2f s, launch %.1f ms, "
              "poll 5 ms\n# data: %s\n",
              c->g.name, c->g.cc_major, c->g.cc_minor, c->g.sm_count, c->g.pci, power_meter_driver(c->pm),
              c->ncu_version, c->ncu_path, power_meter_limit_w(c->pm), o->repeats, o->warmup_s, o->window_s,
              o->launch_s * 1e3, MB_DATA_NAME);
    c->fn = calloc(c->n + 1, sizeof *c->fn);
    c->launch = calloc(c->n + 1, sizeof *c->launch);
    c->win = calloc((c->n + 1) * (size_t)o->repeats, sizeof *c->win);
    c->win_t0 = calloc((c->n + 1) * (size_t)o->repeats, sizeof *c->win_t0);
    c->win_t1 = calloc((c->n + 1) * (size_t)o->repeats, sizeof *c->win_t1);
    if (!c->fn || !c->launch || !c->win || !c->win_t0 || !c->win_t1) {
        snprintf(c->err, c->errlen, "out of memory");
        return CAL_ERR_GPU;
    }
    return CAL_OK;
}

/* Step 1: each configuration sized to its launch time and its result
 * checked; one with a wrong result is left out (up to a tenth of the suite). */
static int cal_size_and_check(struct cal_run *c)
{
    size_t planned = c->n, left_out = 0, i;
    logf_(&c->lg, 1, "[1/4] %5.1f s  sizing and checking %zu configurations\n", power_meter_now() - c->t_start,
          c->n);
    for (i = 0; i < c->n; i++) {
        struct suite_config *cf = &c->cfg[i];
        char why[256];
        int ck = gpu_function(&c->g, cf, &c->fn[i], why, sizeof why);
        if (ck == 0)
            ck = size_and_check(&c->g, cf, c->fn[i], c->o->launch_s, &c->launch[i], why, sizeof why);
        if (ck == CHECK_WRONG && (left_out + 1) * 10 <= planned) {
            /* a wrong result: that benchmark is left out, the others go on */
            logf_(&c->lg, 1, "  %s (%s) failed its check and is left out: %s\n", cf->name, cf->kernel, why);
            memmove(cf, cf + 1, (c->n - i - 1) * sizeof *cf);
            c->n--;
            i--;
            left_out++;
            continue;
        }
        if (ck != 0) {
            snprintf(c->err, c->errlen, "%s (%s) failed its check: %s%s", cf->name, cf->kernel, why,
                     ck == CHECK_WRONG && left_out ? " (after a tenth of the suite failed before it: is the "
                     "GPU or its driver right?)" : "");
            logf_(&c->lg, 0, "%s\n", c->err);
            return CAL_ERR_CHECK;
        }
        logf_(&c->lg, 0, "  %-28s iters %9d  launch %7.3f ms  checked\n", cf->name, cf->iters, c->launch[i] * 1e3);
    }
    if (left_out)
        logf_(&c->lg, 1, "  %zu of %zu configurations left out for wrong results (above); the model is fitted "
              "without them\n", left_out, planned);
    return CAL_OK;
}

/* The plan this program runs again under ncu (calibrate --run-plan), in a
 * temporary folder. */
static int cal_write_plan(struct cal_run *c)
{
    FILE *pf;
    size_t i;
    if (!plat_make_temp_dir(c->tmpdir)) {
        snprintf(c->err, c->errlen, "cannot make a temporary folder: %s", strerror(errno));
        return CAL_ERR_GPU;
    }
    c->have_tmp = 1;
    snprintf(c->plan, sizeof c->plan, "%s/plan.txt", c->tmpdir);
    snprintf(c->ncu_log, sizeof c->ncu_log, "%s/ncu.log", c->tmpdir);
    pf = plat_fopen(c->plan, "w");
    if (!pf || plat_self_path(c->self, sizeof c->self) != 0) {
        snprintf(c->err, c->errlen, "cannot write the plan %s or find this program", c->plan);
        if (pf)
            fclose(pf);
        return CAL_ERR_GPU;
    }
    for (i = 0; i < c->n; i++)
        fprintf(pf, "%s %d\n", c->cfg[i].name, c->cfg[i].iters);
    if (fclose(pf) != 0) {
        snprintf(c->err, c->errlen, "cannot write the plan %s", c->plan);
        return CAL_ERR_GPU;
    }
    return CAL_OK;
}

/* ncu's own line about its replay passes, into the log. */
static void cal_log_passes(struct cal_run *c)
{
    FILE *lf = plat_fopen(c->ncu_log, "r");
    char line[512];
    while (lf && fgets(line, sizeof line, lf))
        if (strstr(line, " pass")) {
            char *dash = strstr(line, " - ");
            logf_(&c->lg, 0, "  ncu: %s", dash ? dash + 3 : line);
            break;
        }
    if (lf)
        fclose(lf);
}

/* The profile has one kernel per configuration of the plan, in its order. */
static int cal_check_profile(struct cal_run *c)
{
    size_t i;
    if (c->prof.n != c->n) {
        snprintf(c->err, c->errlen, "ncu reported %zu benchmark kernels, the plan has %zu (ncu's output: %s)",
                 c->prof.n, c->n, c->ncu_log);
        c->have_tmp = 0; /* keep it for the user */
        return CAL_ERR_NCU;
    }
    for (i = 0; i < c->n; i++)
        if (strcmp(c->prof.k[i].name, c->cfg[i].kernel) != 0) {
            snprintf(c->err, c->errlen, "ncu's kernel %zu is %s, the plan's is %s (%s)", i + 1, c->prof.k[i].name,
                     c->cfg[i].kernel, c->cfg[i].name);
            return CAL_ERR_NCU;
        }
    return CAL_OK;
}

/* Step 2: the counters, this program again under ncu over the plan. */
static int cal_counters(struct cal_run *c)
{
    char dev[16], a_cal[] = "calibrate", a_plan[] = "--run-plan", a_dev[] = "--device";
    char *args[5];
    struct runner_opts ro;
    double t0 = power_meter_now();
    char *metrics;
    int r;
    calibrate_metrics(c->g.cc_major, c->g.cc_minor, c->o->tiers, c->cols);
    if (!(metrics = features_metric_list_of(c->cols))) {
        snprintf(c->err, c->errlen, "out of memory");
        return CAL_ERR_GPU;
    }
    snprintf(dev, sizeof dev, "%d", c->o->device);
    args[0] = a_cal;
    args[1] = a_plan;
    args[2] = c->plan;
    args[3] = a_dev;
    args[4] = dev;
    memset(&ro, 0, sizeof ro);
    ro.ncu = c->ncu_path;
    ro.app = c->self;
    ro.args = args;
    ro.nargs = 5;
    ro.out_dir = c->tmpdir;
    ro.force = 1;
    ro.quiet = 1;
    ro.metrics = metrics;
    ro.ncu_log = c->ncu_log;
    logf_(&c->lg, 1, "[2/4] %5.1f s  counters: one ncu run over the suite (--clock-control none)\n",
          power_meter_now() - c->t_start);
    logf_(&c->lg, 0, "  metrics: %s\n", metrics);
    /* our context would idle beside ncu's process; release the GPU's memory first */
    r = runner_profile(&ro, c->csv, sizeof c->csv, c->err, c->errlen);
    free(metrics);
    if (r != RUNNER_OK || read_profile(c->csv, &c->prof, c->err, c->errlen) != 0)
        return CAL_ERR_NCU;
    cal_log_passes(c);
    logf_(&c->lg, 1, "  %zu kernels profiled in %.1f s\n", c->prof.n, power_meter_now() - t0);
    return cal_check_profile(c);
}

/* Step 3, first: the sampler started, and the GPU's idle power. */
static int cal_idle(struct cal_run *c)
{
    struct power_window iw;
    double t0;
    if (power_meter_start(c->pm, 5000, c->err, c->errlen) != 0)
        return CAL_ERR_GPU;
    plat_sleep_s(1.0);
    t0 = power_meter_now();
    plat_sleep_s(2.0);
    if (power_meter_window(c->pm, t0, power_meter_now(), &iw, c->err, c->errlen) != 0)
        return CAL_ERR_GPU;
    c->idle_w = iw.avg_w;
    logf_(&c->lg, 1, "[3/4] %5.1f s  power: idle %.1f W (instant %.1f-%.1f W, SM clock %.0f MHz, %.0f C)\n",
          power_meter_now() - c->t_start, iw.avg_w, iw.min_w, iw.peak_w, iw.sm_clock_mhz, iw.temp_c);
    return CAL_OK;
}

/* Step 3: every configuration's power, repeats in changing orders. */
static int cal_power(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    size_t n = c->n, i;
    int r;
    for (r = 0; r < o->repeats; r++) {
        for (i = 0; i < n; i++) {
            size_t k = r % 3 == 0 ? i : r % 3 == 1 ? n - 1 - i : (i + n / 2) % n;
            struct power_window *w = &c->win[k * (size_t)o->repeats + (size_t)r];
            char why[256];
            c->win_t0[k * (size_t)o->repeats + (size_t)r] = power_meter_now() + o->warmup_s;
            if (measure(&c->g, c->pm, &c->cfg[k], c->fn[k], c->launch[k], o->warmup_s, o->window_s, w, why,
                        sizeof why) != 0) {
                snprintf(c->err, c->errlen, "%s: %s", c->cfg[k].name, why);
                return CAL_ERR_GPU;
            }
            c->win_t1[k * (size_t)o->repeats + (size_t)r] = power_meter_now();
            power_meter_forget_before(c->pm, power_meter_now() - 1.0);
            logf_(&c->lg, 0, "  repeat %d %-28s avg %6.1f W  min %6.1f  peak %6.1f  %4.0f MHz %3.0f C\n", r + 1,
                  c->cfg[k].name, w->avg_w, w->min_w, w->peak_w, w->sm_clock_mhz, w->temp_c);
            if (!o->quiet)
                fprintf(stderr, "\r  repeat %d/%d  %3zu/%zu  %-28s %6.1f W   ", r + 1, o->repeats, i + 1, n,
                        c->cfg[k].name, w->avg_w);
        }
    }
    if (!o->quiet)
        fputc('\n', stderr);
    return CAL_OK;
}

/* The gap probes' configurations: the highest (among those at the limit,
 * the one whose clocks the power manager lowered most: the most power above
 * the limit), the one nearest half-way between idle and the limit, and the
 * highest DRAM one below the limit; n where there is none. */
static void cal_gap_candidates(const struct cal_run *c, size_t *hi_out, size_t *mid_out, size_t *dram_out)
{
    const struct power_window *win = c->win;
    int reps = c->o->repeats;
    double limit = power_meter_limit_w(c->pm), half = (c->idle_w + limit) / 2;
    size_t n = c->n, hi = n, mid = n, dram = n, i;
    for (i = 0; i < n; i++) {
        double a = mean_over_repeats(win, i, reps, 0);
        double a_hi = hi < n ? mean_over_repeats(win, hi, reps, 0) : 0;
        int at_i = a >= 0.97 * limit, at_hi = hi < n && a_hi >= 0.97 * limit;
        if (hi == n || (!at_i && !at_hi && a > a_hi) ||
            (at_i && (!at_hi || mean_over_repeats(win, i, reps, 1) < mean_over_repeats(win, hi, reps, 1))))
            hi = i;
        if (strcmp(c->cfg[i].family, "idle") != 0 &&
            (mid == n || fabs(a - half) < fabs(mean_over_repeats(win, mid, reps, 0) - half)))
            mid = i;
        if (strcmp(c->cfg[i].family, "dram") == 0 && a < 0.97 * limit &&
            (dram == n || a > mean_over_repeats(win, dram, reps, 0)))
            dram = i;
    }
    *hi_out = hi;
    *mid_out = mid;
    *dram_out = dram;
}

/* Step 3b, first: the 3 highest configurations within 3% of the limit, again
 * over a long window (the power manager's swing there). */
static int cal_limit_probes(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    double limit = power_meter_limit_w(c->pm);
    size_t pick[3], npick = 0, i, j;
    for (j = 0; j < 3 && o->limit_window_s > 0 && limit > 0; j++) {
        size_t best = c->n, q;
        for (i = 0; i < c->n; i++) {
            double a = mean_over_repeats(c->win, i, o->repeats, 0);
            for (q = 0; q < npick && pick[q] != i; q++)
                ;
            if (q == npick && a >= 0.97 * limit &&
                (best == c->n || a > mean_over_repeats(c->win, best, o->repeats, 0)))
                best = i;
        }
        if (best == c->n)
            break;
        pick[npick++] = best;
    }
    if (npick)
        logf_(&c->lg, 1, "[3b]  %5.1f s  probes: %zu configurations at the limit over %.1f s\n",
              power_meter_now() - c->t_start, npick, o->limit_window_s);
    for (j = 0; j < npick; j++) {
        struct probe_meas *pr = &c->probes[c->nprobes];
        const struct suite_config *cf = &c->cfg[pick[j]];
        char why[256];
        pr->cfg = pick[j];
        pr->family = DATASET_PROBE_LIMIT;
        pr->window_s = o->limit_window_s;
        if (measure(&c->g, c->pm, cf, c->fn[pick[j]], c->launch[pick[j]], o->warmup_s, o->limit_window_s, &pr->w,
                    why, sizeof why) != 0) {
            snprintf(c->err, c->errlen, "%s: %s", cf->name, why);
            return CAL_ERR_GPU;
        }
        power_meter_forget_before(c->pm, power_meter_now() - 1.0);
        logf_(&c->lg, 0, "  limit  %-28s avg %6.1f W  min %6.1f  peak %6.1f  %4.0f MHz %3.0f C\n", cf->name,
              pr->w.avg_w, pr->w.min_w, pr->w.peak_w, pr->w.sm_clock_mhz, pr->w.temp_c);
        c->nprobes++;
    }
    return CAL_OK;
}

/* One configuration in bursts of 1, 5 and 25 launches with the GPU idle
 * 0.1-100 ms between them. */
static int cal_gap_probe(struct cal_run *c, size_t cfg_index)
{
    static const double gaps_s[] = { 0.0001, 0.0005, 0.002, 0.005, 0.02, 0.1 };
    static const int bursts[] = { 1, 5, 25 };
    const struct suite_config *cf = &c->cfg[cfg_index];
    size_t b, k;
    for (b = 0; b < sizeof bursts / sizeof bursts[0]; b++)
        for (k = 0; k < sizeof gaps_s / sizeof gaps_s[0]; k++) {
            struct probe_meas *pr = &c->probes[c->nprobes];
            char why[256];
            pr->cfg = cfg_index;
            pr->family = DATASET_PROBE_GAPS;
            pr->nlaunch = bursts[b];
            if (measure_gaps(&c->g, c->pm, cf, c->fn[cfg_index], bursts[b], gaps_s[k], c->o->warmup_s > 0.2 ? c->o->warmup_s : 0.2, 0.75, &pr->w,
                             &pr->busy_s, &pr->gap_s, why, sizeof why) != 0) {
                snprintf(c->err, c->errlen, "%s in bursts: %s", cf->name, why);
                return CAL_ERR_GPU;
            }
            pr->window_s = pr->w.duration_s;
            power_meter_forget_before(c->pm, power_meter_now() - 1.0);
            logf_(&c->lg, 0, "  gaps   %-28s burst %d x %.3f ms  busy %7.3f ms  idle %7.3f ms  avg %6.1f W  "
                  "min %6.1f  peak %6.1f\n", cf->name, bursts[b], c->launch[cfg_index] * 1e3, pr->busy_s * 1e3,
                  pr->gap_s * 1e3, pr->w.avg_w, pr->w.min_w, pr->w.peak_w);
            c->nprobes++;
        }
    return CAL_OK;
}

/* Step 3b: the probes (dataset.h), then the sampler stopped. */
static int cal_probes(struct cal_run *c)
{
    size_t cand[3], pick[3], npick = 0, j, q;
    int rc = cal_limit_probes(c);
    if (rc == CAL_OK && !c->o->no_gap_probes) {
        cal_gap_candidates(c, &cand[0], &cand[1], &cand[2]);
        for (j = 0; j < 3; j++) {
            if (cand[j] == c->n)
                continue;
            for (q = 0; q < npick && pick[q] != cand[j]; q++)
                ;
            if (q == npick)
                pick[npick++] = cand[j];
        }
        logf_(&c->lg, 1, "[3b]  %5.1f s  probes: %zu configurations in bursts with gaps of 0.1-100 ms\n",
              power_meter_now() - c->t_start, npick);
        for (j = 0; j < npick && rc == CAL_OK; j++)
            rc = cal_gap_probe(c, pick[j]);
    }
    if (rc == CAL_OK)
        power_meter_stop(c->pm);
    return rc;
}

static void log_collective(void *ctx, const struct coll_meas *m)
{
    struct cal_run *c = ctx;
    logf_(&c->lg, 0, "  comm   %-13s %4.0f MiB  gpu %d of %d (%s)  %8.3f ms  %6.1f GB/s  avg %6.1f W  min %6.1f  "
          "peak %6.1f\n", collectives_op_name(m->op), m->msg_bytes / 1048576.0, m->rank, m->ranks, m->link,
          m->op_s * 1e3, m->bus_gbs, m->w.avg_w, m->w.min_w, m->w.peak_w);
}

/* Step 3c: the collectives over every GPU (collectives.h), skipped with a
 * note where they cannot run; an error only where NCCL fails. */
static int cal_collectives(struct cal_run *c)
{
    struct collectives_opts co;
    char msg[1024];
    int rc;
    if (c->o->only && !want_family(c->o->only, DATASET_PROBE_COMM))
        return CAL_OK;
    collectives_defaults(&co);
    co.nccl = c->o->nccl;
    co.min_ranks = c->o->comm_one_rank ? 1 : 2;
    co.progress = log_collective;
    co.ctx = c;
    logf_(&c->lg, 1, "[3c]  %5.1f s  collectives: all-reduce, all-gather, reduce-scatter, broadcast of 1, 16 and "
          "256 MiB over every GPU (NCCL)\n", power_meter_now() - c->t_start);
    rc = collectives_measure(&co, c->comm, COLL_MAX_MEAS, &c->ncomm, msg, sizeof msg);
    c->g.cu.cuCtxSetCurrent(c->g.ctx); /* the collectives made others current */
    if (rc == COLL_SKIPPED) {
        logf_(&c->lg, 1, "      collectives skipped: %s (the model gets no communication term)\n", msg);
        snprintf(c->comm_note, sizeof c->comm_note, "%s", msg);
        return CAL_OK;
    }
    if (rc != COLL_OK) {
        snprintf(c->err, c->errlen, "collectives: %s", msg);
        return CAL_ERR_GPU;
    }
    logf_(&c->lg, 0, "  NCCL %s, NCCL_NVLS_ENABLE=%s\n", collectives_nccl_version(),
          getenv("NCCL_NVLS_ENABLE") ? getenv("NCCL_NVLS_ENABLE") : "(unset)");
    return CAL_OK;
}

/* The dataset's header: the GPU, the protocol and which metrics it holds. */
static void cal_dataset_header(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    struct dataset *ds = &c->ds;
    time_t now = time(NULL);
    struct tm tmv;
    int i;
    snprintf(ds->gpu, sizeof ds->gpu, "%s", c->g.name);
    ds->compute_capability = c->g.cc_major + c->g.cc_minor / 10.0;
    ds->sm_count = c->g.sm_count;
    snprintf(ds->driver, sizeof ds->driver, "%s", power_meter_driver(c->pm));
    snprintf(ds->ncu_version, sizeof ds->ncu_version, "%s", c->ncu_version);
    plat_utc(now, &tmv);
    strftime(ds->created, sizeof ds->created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(ds->protocol, sizeof ds->protocol,
             "%d repeats in changing order, warm-up %.2f s, window %.2f s, launch %.1f ms, NVML poll 5 ms, data: %s",
             o->repeats, o->warmup_s, o->window_s, o->launch_s * 1e3, MB_DATA_NAME);
    ds->power_limit_w = power_meter_limit_w(c->pm);
    ds->idle_w = c->idle_w;
    snprintf(ds->board, sizeof ds->board, "%s", power_meter_board(c->pm));
    for (i = 0; i < M_COUNT; i++) /* what was collected, as ncu names it; the rule metrics derived when read */
        ds->metric_cols[i] = c->cols[i];
    if (o->pm_interval_ns && c->prof.n) /* every sampled counter, for fits of other features later */
        for (i = 0; i < M_COUNT; i++)
            if (c->prof.k[0].have[i] && ((i >= M_PM_ISSUE && i <= M_PM_FMALITE) || i == M_SM_CLOCK ||
                                         i == M_L1_THROUGHPUT || i == M_SHARED_WAVEFRONTS || i == M_L1_WAVEFRONTS))
                ds->metric_cols[i] = 1;
}

/* A configuration's repeats: mean and spread of each target, mean clock,
 * highest temperature. */
static void cal_fill_powers(const struct cal_run *c, size_t i, struct dataset_row *row)
{
    int reps = c->o->repeats, r, t;
    double clk = 0, temp = 0;
    for (t = 0; t < TARGET_COUNT; t++) {
        double sum = 0, lo = 1e300, hi = -1e300;
        for (r = 0; r < reps; r++) {
            const struct power_window *w = &c->win[i * (size_t)reps + (size_t)r];
            double v = t == TARGET_MIN ? w->min_w : t == TARGET_AVG ? w->avg_w : w->peak_w;
            sum += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        row->power_w[t] = sum / reps;
        row->spread_pct[t] = row->power_w[t] > 0 ? 100.0 * (hi - lo) / row->power_w[t] : 0;
    }
    for (r = 0; r < reps; r++) {
        const struct power_window *w = &c->win[i * (size_t)reps + (size_t)r];
        clk += w->sm_clock_mhz;
        temp = w->temp_c > temp ? w->temp_c : temp;
    }
    row->repeats = reps;
    row->sm_clock_mhz = clk / reps;
    row->temp_c = temp;
}

/* A probe's row: its configuration's counters, its one measurement. */
static void cal_fill_probe(const struct cal_run *c, const struct probe_meas *pr, struct dataset_row *row)
{
    const struct suite_config *cf = &c->cfg[pr->cfg];
    if (strcmp(pr->family, DATASET_PROBE_GAPS) == 0)
        snprintf(row->config, sizeof row->config, "%.28s_b%d_g%.1fms", cf->name, pr->nlaunch, pr->gap_s * 1e3);
    else
        snprintf(row->config, sizeof row->config, "%.40s_long", cf->name);
    snprintf(row->family, sizeof row->family, "%s", pr->family);
    describe_row(row, cf, c->g.sm_count, c->launch[pr->cfg], &c->prof.k[pr->cfg]);
    row->power_w[TARGET_MIN] = pr->w.min_w;
    row->power_w[TARGET_AVG] = pr->w.avg_w;
    row->power_w[TARGET_PEAK] = pr->w.peak_w;
    row->repeats = 1;
    row->sm_clock_mhz = pr->w.sm_clock_mhz;
    row->temp_c = pr->w.temp_c;
    row->window_s = pr->window_s;
    row->gap_s = pr->gap_s;
    row->busy_s = pr->busy_s;
}

/* Step 4, first: the dataset, a row per configuration and per probe. */
static int cal_dataset(struct cal_run *c)
{
    size_t i;
    cal_dataset_header(c);
    for (i = 0; i < c->n; i++) {
        struct dataset_row *row = dataset_add(&c->ds);
        if (!row) {
            snprintf(c->err, c->errlen, "out of memory");
            return CAL_ERR_GPU;
        }
        snprintf(row->config, sizeof row->config, "%.47s", c->cfg[i].name);
        snprintf(row->family, sizeof row->family, "%.15s", c->cfg[i].family);
        describe_row(row, &c->cfg[i], c->g.sm_count, c->launch[i], &c->prof.k[i]);
        cal_fill_powers(c, i, row);
        c->kept++;
    }
    for (i = 0; i < c->nprobes; i++) {
        struct dataset_row *row = dataset_add_probe(&c->ds);
        if (!row) {
            snprintf(c->err, c->errlen, "out of memory");
            return CAL_ERR_GPU;
        }
        cal_fill_probe(c, &c->probes[i], row);
    }
    for (i = 0; i < c->ncomm; i++) {
        struct dataset_row *row = dataset_add_probe(&c->ds);
        if (!row) {
            snprintf(c->err, c->errlen, "out of memory");
            return CAL_ERR_GPU;
        }
        collectives_row(&c->comm[i], row);
    }
    return CAL_OK;
}

/* The fit report (as print writes it) into the log. */
static void cal_log_report(struct cal_run *c, void (*print)(FILE *, const struct fit_report *))
{
    char *rb = NULL;
    size_t rl = 0;
    FILE *rf = plat_memstream_open();
    if (!rf)
        return;
    print(rf, &c->rep);
    if ((rb = textio_take(rf, &rl)) != NULL)
        logf_(&c->lg, 1, "%s", rb);
    fclose(rf);
    free(rb);
}

/* The dataset, the model and the log written, in that order. */
static int cal_save_outputs(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    if (save(o->dataset_out, DATASET_SIGNATURE, o->force, write_dataset, &c->ds, c->err, c->errlen) != 0 ||
        save(o->model_out, "gpu_profiler_model", o->force, write_model, &c->model, c->err, c->errlen) != 0)
        return CAL_ERR_OUTPUT;
    c->lg.on = 0;
    if (save(o->log_out, CALIBRATE_LOG_SIGNATURE, o->force, write_text, &c->lg, c->err, c->errlen) != 0)
        return CAL_ERR_OUTPUT;
    if (!o->quiet)
        fprintf(stderr, "wrote %s, %s and %s\n", o->model_out, o->dataset_out, o->log_out);
    return CAL_OK;
}

/* Step 4: the fit, its report into the log, then the dataset, the model
 * and the log written. */
static int cal_fit_and_write(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    logf_(&c->lg, 1, "[4/4] %5.1f s  fitting %zu configurations\n", power_meter_now() - c->t_start, c->kept);
    if (fit_dataset(&c->ds, o->dataset_out, o->pm_interval_ns ? features_sampled : NULL, &c->model, &c->rep,
                    c->err, c->errlen) != 0) {
        /* the measurements are still worth keeping */
        save(o->dataset_out, DATASET_SIGNATURE, o->force, write_dataset, &c->ds, c->err + strlen(c->err), 0);
        return CAL_ERR_FIT;
    }
    if (o->pm_interval_ns)
        snprintf(c->model.variant, sizeof c->model.variant, "sampled");
    cal_log_report(c, fit_report_print);
    if (model_check_written(&c->model, c->err, c->errlen) != 0) {
        save(o->dataset_out, DATASET_SIGNATURE, o->force, write_dataset, &c->ds, c->err + strlen(c->err), 0);
        return CAL_ERR_FIT;
    }
    logf_(&c->lg, 1, "calibrate took %.0f s\n", power_meter_now() - c->t_start);
    return cal_save_outputs(c);
}

/* After the run: the log of a failed run kept, the GPU and the temporary
 * files let go. */
static void cal_cleanup(struct cal_run *c, int rc)
{
    const struct calibrate_opts *o = c->o;
    if (rc != CAL_OK && rc != CAL_ERR_OUTPUT && c->gpu_opened && c->lg.on && !o->list && o->log_out) {
        /* keep the log of what was done, for the report of what went wrong */
        char why[256];
        logf_(&c->lg, 0, "calibrate failed: %s\n", c->err);
        if (save(o->log_out, CALIBRATE_LOG_SIGNATURE, o->force, write_text, &c->lg, why, sizeof why) == 0 &&
            !o->quiet)
            fprintf(stderr, "the log so far is in %s\n", o->log_out);
    }
    free(c->lg.buf);
    if (c->pm)
        power_meter_close(c->pm);
    gpu_close(&c->g);
    if (c->have_tmp) {
        static const char *const left[] = { "plan.txt", "ncu.log", RUNNER_REPORT_BASE ".ncu-rep", RUNNER_CSV_NAME };
        char path[1200];
        size_t i;
        for (i = 0; i < sizeof left / sizeof left[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", c->tmpdir, left[i]);
            plat_remove(path);
        }
        plat_remove_dir(c->tmpdir);
    }
    free(c->prof.k);
    free(c->fn);
    free(c->launch);
    free(c->win);
    free(c->win_t0);
    free(c->win_t1);
    dataset_free(&c->ds);
}

/* The steps after the GPU is open, in order; --list stops after the first. */
/* Where --quick writes: what the user named, else the cache folder under
 * the board's id; paths[0] the dataset, [1] the log, [2] and [3] the full
 * and the fast model (the fast one beside -o as FILE.fast). */
static int cal_quick_paths(struct cal_run *c, char paths[4][4400])
{
    const struct calibrate_opts *o = c->o;
    const char *board = c->ds.board[0] ? c->ds.board : NULL;
    if (!o->model_out || !o->dataset_out || !o->log_out) {
        if (!board) {
            snprintf(c->err, c->errlen, "NVML gives this GPU neither a serial number nor a UUID: give -o, --dataset "
                     "and --log");
            return CAL_ERR_OUTPUT;
        }
        if (board_make_cache(c->err, c->errlen) != 0)
            return CAL_ERR_OUTPUT;
    }
    if (o->dataset_out)
        snprintf(paths[0], sizeof paths[0], "%s", o->dataset_out);
    else
        board_file(board, "_quick_dataset.csv", paths[0], sizeof paths[0]);
    if (o->log_out)
        snprintf(paths[1], sizeof paths[1], "%s", o->log_out);
    else
        board_file(board, "_quick.log", paths[1], sizeof paths[1]);
    if (o->model_out) {
        snprintf(paths[2], sizeof paths[2], "%s", o->model_out);
        snprintf(paths[3], sizeof paths[3], "%s.fast", o->model_out);
    } else {
        board_model_path(board, "", paths[2], sizeof paths[2]);
        board_model_path(board, "fast", paths[3], sizeof paths[3]);
    }
    return CAL_OK;
}

/* --quick: the built-in models (the full one and the fast one) adjusted to
 * this board, written with the dataset and the log (cal_quick_paths). */
static int cal_quick_write(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    static const char *const variants[] = { "", "fast" };
    static char paths[4][4400];
    size_t v;
    int rc;
    if ((rc = cal_quick_paths(c, paths)) != CAL_OK)
        return rc;
    for (v = 0; v < 2; v++) {
        const struct model *base = model_builtin_for(c->ds.gpu, variants[v]);
        struct board_fit fit;
        struct model m;
        if (!base) {
            snprintf(c->err, c->errlen, "no built-in %smodel for %s to adjust: run the full calibrate",
                     v ? "fast " : "", c->ds.gpu);
            return CAL_ERR_FIT;
        }
        if (board_adjust(base, &c->ds, paths[0], &m, &fit, c->err, c->errlen) != 0)
            return CAL_ERR_FIT;
        logf_(&c->lg, 1, "%s model: board %s draws %.3f x the built-in's %+.1f W over %zu configurations; "
              "avg error there %.1f%% built in, %.1f%% adjusted (%.1f%% each left out)\n",
              v ? "fast" : "full", m.board, fit.scale, fit.offset_w, fit.n, fit.built_in_mape_pct,
              fit.adjusted_mape_pct, fit.loo_mape_pct);
        if (save(paths[2 + v], "gpu_profiler_model", o->force || !o->model_out, write_model, &m, c->err, c->errlen) != 0)
            return CAL_ERR_OUTPUT;
    }
    logf_(&c->lg, 1, "calibrate --quick took %.0f s\n", power_meter_now() - c->t_start);
    if (save(paths[0], DATASET_SIGNATURE, o->force || !o->dataset_out, write_dataset, &c->ds, c->err, c->errlen) != 0)
        return CAL_ERR_OUTPUT;
    c->lg.on = 0;
    if (save(paths[1], CALIBRATE_LOG_SIGNATURE, o->force || !o->log_out, write_text, &c->lg, c->err, c->errlen) != 0)
        return CAL_ERR_OUTPUT;
    if (!o->quiet)
        fprintf(stderr, "wrote %s and %s (used by gpu_profiler -a on this board), %s and %s\n", paths[2], paths[3],
                paths[0], paths[1]);
    return CAL_OK;
}

/* --only comm: the built-in model of this GPU with the term measured,
 * written with the dataset and the log. */
static int cal_comm_write(struct cal_run *c)
{
    const struct calibrate_opts *o = c->o;
    const struct model *base = model_builtin_for(c->ds.gpu, "");
    if (c->ncomm == 0) {
        snprintf(c->err, c->errlen, "--only comm: the collectives were skipped: %s", c->comm_note);
        return CAL_ERR_GPU;
    }
    if (!base) {
        snprintf(c->err, c->errlen, "--only comm: no built-in model for %s to add the term to: run the full "
                 "calibrate", c->ds.gpu);
        return CAL_ERR_FIT;
    }
    if (fit_comm_model(&c->ds, base, &c->model, &c->rep, c->err, c->errlen) != 0) {
        save(o->dataset_out, DATASET_SIGNATURE, o->force, write_dataset, &c->ds, c->err + strlen(c->err), 0);
        return CAL_ERR_FIT;
    }
    cal_log_report(c, fit_comm_report_print);
    logf_(&c->lg, 1, "calibrate --only comm took %.0f s: the built-in model with this machine's communication "
          "term\n", power_meter_now() - c->t_start);
    return cal_save_outputs(c);
}

/* --only comm's steps: idle, the collectives, the term. */
static int cal_comm_steps(struct cal_run *c)
{
    int rc;
    if ((rc = cal_start_meter(c)) != CAL_OK || (rc = cal_idle(c)) != CAL_OK)
        return rc;
    power_meter_stop(c->pm);
    if ((rc = cal_collectives(c)) != CAL_OK || (rc = cal_dataset(c)) != CAL_OK)
        return rc;
    return cal_comm_write(c);
}

/* --sampled, before CUDA starts in this process: the tracer and its PM
 * sampler loaded into it by the driver (CUDA_INJECTION64_PATH), writing
 * into a temporary folder. */
static int cal_sampled_env(struct cal_run *c)
{
    char ns[32];
    if (getenv("CUDA_INJECTION64_PATH")) {
        snprintf(c->err, c->errlen, "--sampled loads the tracer through CUDA_INJECTION64_PATH, which is already set "
                 "(%s); unset it", getenv("CUDA_INJECTION64_PATH"));
        return CAL_ERR_USAGE;
    }
    if (timeline_find_tracer(c->pm_tracer, sizeof c->pm_tracer) != 0) {
        snprintf(c->err, c->errlen, "--sampled needs the tracer %s (built where make finds CUPTI's headers)",
                 TIMELINE_TRACER);
        return CAL_ERR_GPU;
    }
    if (!plat_make_temp_dir(c->tmpdir)) {
        snprintf(c->err, c->errlen, "cannot make a temporary folder: %s", strerror(errno));
        return CAL_ERR_GPU;
    }
    c->have_tmp = 1;
    snprintf(c->pm_prefix, sizeof c->pm_prefix, "%s/pm_trace", c->tmpdir);
    if (c->o->timeline_out)
        snprintf(c->pm_timeline, sizeof c->pm_timeline, "%s", c->o->timeline_out);
    else
        snprintf(c->pm_timeline, sizeof c->pm_timeline, "%s/calibration_timeline.txt", c->tmpdir);
    snprintf(ns, sizeof ns, "%lld", c->o->pm_interval_ns);
    if (plat_setenv("CUDA_INJECTION64_PATH", c->pm_tracer) != 0 || plat_setenv("GP_TRACE_FILE", c->pm_prefix) != 0 ||
        plat_setenv("GP_PM_SAMPLING", ns) != 0) {
        snprintf(c->err, c->errlen, "cannot set the tracer's environment");
        return CAL_ERR_GPU;
    }
    return CAL_OK;
}

/* Sums the samples inside [t0, t1] (power_meter_now seconds) into sum[]
 * and n[] (M_COUNT each). */
static void cal_sum_samples(const struct pm_device *d, double t0, double t1, double *sum, double *n)
{
    double value[M_COUNT];
    unsigned char have[M_COUNT];
    size_t i, m;
    for (i = 0; i < d->n; i++) {
        if ((double)d->start_ns[i] * 1e-9 < t0 || (double)d->end_ns[i] * 1e-9 > t1)
            continue;
        pm_samples_values(d, i, value, have);
        for (m = 0; m < M_COUNT; m++)
            if (have[m]) {
                sum[m] += value[m];
                n[m] += 1;
            }
    }
}

/* Each configuration's counters: the mean of the samples inside its
 * windows, over its repeats. */
static int cal_sampled_rows(struct cal_run *c, const struct pm_device *d, const char *stop_note)
{
    size_t i, m;
    int r;
    free(c->prof.k);
    c->prof.k = calloc(c->n + 1, sizeof *c->prof.k);
    if (!c->prof.k) {
        snprintf(c->err, c->errlen, "out of memory");
        return CAL_ERR_GPU;
    }
    c->prof.n = c->n;
    for (i = 0; i < c->n; i++) {
        double sum[M_COUNT] = { 0 }, n[M_COUNT] = { 0 };
        struct profiled *k = &c->prof.k[i];
        for (r = 0; r < c->o->repeats; r++)
            cal_sum_samples(d, c->win_t0[i * (size_t)c->o->repeats + (size_t)r],
                            c->win_t1[i * (size_t)c->o->repeats + (size_t)r], sum, n);
        snprintf(k->name, sizeof k->name, "%s", c->cfg[i].kernel);
        for (m = 0; m < M_COUNT; m++)
            if (n[m] > 0) {
                k->value[m] = sum[m] / n[m];
                k->have[m] = 1;
            }
        k->value[M_DURATION] = c->launch[i];
        k->have[M_DURATION] = 1;
        logf_(&c->lg, 0, "  %-28s %6.0f samples, windows", c->cfg[i].name, n[M_SM_CLOCK]);
        for (r = 0; r < c->o->repeats; r++) /* on the timeline's clock, s: refits with other counters */
            logf_(&c->lg, 0, " %.3f-%.3f", c->win_t0[i * (size_t)c->o->repeats + (size_t)r],
                  c->win_t1[i * (size_t)c->o->repeats + (size_t)r]);
        logf_(&c->lg, 0, "\n");
        if (n[M_SM_CLOCK] < 1 && stop_note) {
            snprintf(c->err, c->errlen, "the tracer's sampler stopped before the windows of %s (%s); a larger "
                     "hardware buffer may help (GP_PM_BUFFER_MB, default %d); each configuration's power is in the log",
                     c->cfg[i].name, stop_note, TRACE_PM_BUFFER_MB);
            return CAL_ERR_GPU;
        }
        if (n[M_SM_CLOCK] < 1) {
            if (d->restarts > 0)
                snprintf(c->err, c->errlen, "no PM sample fell in the windows of %s: the tracer restarted its sampler "
                         "after failed decodes (%zu restart%s; %s), and its windows fell in the gaps or after the "
                         "last sample; more repeats (--repeats) may help", c->cfg[i].name, d->restarts,
                         d->restarts == 1 ? "" : "s", d->restart_why);
            else
                snprintf(c->err, c->errlen, "no PM sample fell in the windows of %s", c->cfg[i].name);
            return CAL_ERR_GPU;
        }
    }
    return CAL_OK;
}

/* --sampled, after the power step: the tracer's samples merged into a
 * timeline, and each configuration's counters from them. */
static int cal_sampled_counters(struct cal_run *c)
{
    struct timeline t;
    const struct pm_device *d;
    char why[1024];
    size_t i;
    int rc;
    /* the sampler stopped and its samples written: the decoder lags far
     * behind while the GPU is busy (H100), and the rest come at the stop */
    void *lib = plat_lib_open_file(c->pm_tracer, why, sizeof why);
    void (*stop)(void) = NULL;
    if (lib)
        *(void **)&stop = plat_lib_sym(lib, "gp_trace_pm_stop");
    if (stop)
        stop();
    else
        plat_sleep_s(0.5); /* the decoder's next batch: a decode call lasts 0.1-0.15 s on an H100 (run 27) */
    if (lib)
        plat_lib_close(lib);
    if (timeline_merge(c->pm_prefix, c->pm_timeline, c->t_start, power_meter_now(), c->idle_w, NULL, NULL, 0, 1,
                       why, sizeof why) != 0 || timeline_load(c->pm_timeline, &t, why, sizeof why) != 0) {
        snprintf(c->err, c->errlen, "the sampled counters: %s", why);
        return CAL_ERR_GPU;
    }
    for (i = 0; i < t.pm.nnotes; i++)
        logf_(&c->lg, 0, "  %s\n", t.pm.note[i]);
    if (!(d = pm_samples_device(&t.pm, c->o->device))) {
        snprintf(c->err, c->errlen, "no PM samples of device %d%s%s (the tracer's notes are in the log)",
                 c->o->device, t.pm.nnotes ? ": " : "", t.pm.nnotes ? t.pm.note[0] : "");
        timeline_free(&t);
        return CAL_ERR_GPU;
    }
    logf_(&c->lg, 1, "[2/4] %5.1f s  counters: %zu PM samples of %zu counters every %.3f ms (%s)\n",
          power_meter_now() - c->t_start, d->n, d->nmetrics, (double)d->interval_ns * 1e-6, d->chip);
    if (d->restarts > 0)
        logf_(&c->lg, 1, "  the tracer restarted its sampler after failed decodes (%zu restart%s; %s): the samples that "
              "waited then are lost, and windows in those gaps have fewer samples or none\n", d->restarts,
              d->restarts == 1 ? "" : "s", d->restart_why);
    memset(c->cols, 0, sizeof c->cols);
    add_list_metrics(features_sampled, 1, 0, c->cols);
    rc = cal_sampled_rows(c, d, pm_samples_stop_note(&t.pm, c->o->device));
    timeline_free(&t);
    return rc;
}

static int cal_sampled_steps(struct cal_run *c)
{
    int rc;
    if ((rc = cal_start_meter(c)) != CAL_OK || (rc = cal_size_and_check(c)) != CAL_OK ||
        (rc = cal_idle(c)) != CAL_OK || (rc = cal_power(c)) != CAL_OK || (rc = cal_sampled_counters(c)) != CAL_OK ||
        (rc = cal_dataset(c)) != CAL_OK)
        return rc;
    return cal_fit_and_write(c);
}

static int cal_steps(struct cal_run *c)
{
    int rc;
    if (c->o->pm_interval_ns && !c->o->list && (rc = cal_sampled_env(c)) != CAL_OK)
        return rc;
    if ((rc = cal_open(c)) != CAL_OK)
        return rc;
    if (c->o->list) {
        cal_list(c);
        return CAL_OK;
    }
    if (c->comm_only)
        return cal_comm_steps(c);
    if (c->o->pm_interval_ns)
        return cal_sampled_steps(c);
    if ((rc = cal_start_meter(c)) != CAL_OK || (rc = cal_size_and_check(c)) != CAL_OK ||
        (rc = cal_write_plan(c)) != CAL_OK || (rc = cal_counters(c)) != CAL_OK || (rc = cal_idle(c)) != CAL_OK ||
        (rc = cal_power(c)) != CAL_OK || (!c->o->quick && (rc = cal_probes(c)) != CAL_OK) ||
        (!c->o->quick && (rc = cal_collectives(c)) != CAL_OK) ||
        (rc = cal_dataset(c)) != CAL_OK)
        return rc;
    return c->o->quick ? cal_quick_write(c) : cal_fit_and_write(c);
}

int calibrate_run(const struct calibrate_opts *o, char *err, size_t errlen)
{
    static struct suite_config cfg[MAX_CONFIGS];
    static struct probe_meas probes[CAL_MAX_PROBES];
    static struct coll_meas comm[COLL_MAX_MEAS];
    static struct cal_run c; /* large; one calibration at a time */
    int rc;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.err = err;
    c.errlen = errlen;
    c.cfg = cfg;
    c.probes = probes;
    c.comm = comm;
    c.lg.quiet = o->quiet;
    c.t_start = power_meter_now();
    snprintf(c.tmpdir, sizeof c.tmpdir, "%s/gpu_profiler_calibrate.XXXXXX", plat_temp_root());
    dataset_init(&c.ds);
    if (!calibrate_available()) {
        snprintf(err, errlen, "this gpu_profiler was built without the microbenchmarks (make found no nvcc); "
                 "install the CUDA toolkit, or run make NVCC=/path/to/nvcc, and build again");
        return CAL_ERR_GPU;
    }
    if ((rc = cal_check_outputs(&c)) != CAL_OK)
        return rc;
    rc = cal_steps(&c);
    cal_cleanup(&c, rc);
    return rc;
}

int calibrate_run_plan(const char *plan_path, int device, char *err, size_t errlen)
{
    static struct suite_config cfg[MAX_CONFIGS];
    struct gpu g;
    FILE *f = plat_fopen(plan_path, "r");
    char name[64];
    int iters, rc = -1;
    size_t n, i;
    if (!f) {
        snprintf(err, errlen, "cannot open the plan %s: %s", plan_path, strerror(errno));
        return -1;
    }
    if (gpu_open(&g, device, err, errlen) != 0)
        goto out;
    n = suite_build(cfg, MAX_CONFIGS, g.sm_count, g.cc_major, g.cc_minor);
    while (fscanf(f, "%63s %d", name, &iters) == 2) {
        CUfunction fn;
        for (i = 0; i < n; i++)
            if (strcmp(cfg[i].name, name) == 0)
                break;
        if (i == n) {
            snprintf(err, errlen, "the plan names an unknown configuration %s", name);
            goto out;
        }
        if (gpu_function(&g, &cfg[i], &fn, err, errlen) != 0 || gpu_launch(&g, &cfg[i], fn, iters, err, errlen) != 0)
            goto out;
        if (g.cu.cuCtxSynchronize() != 0) {
            snprintf(err, errlen, "%s failed", name);
            goto out;
        }
    }
    rc = 0;
out:
    fclose(f);
    gpu_close(&g);
    return rc;
}
