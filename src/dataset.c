/* dataset: see dataset.h. */
#include "dataset.h"

#include "plat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "textio.h"

#include "units.h"

static const char *const target_cols[TARGET_COUNT] = { "min_w", "avg_w", "peak_w" };
static const char *const spread_cols[TARGET_COUNT] = { "min_w_spread_pct", "avg_w_spread_pct",
                                                       "peak_w_spread_pct" };

void dataset_init(struct dataset *d)
{
    memset(d, 0, sizeof *d);
}

int dataset_is_probe(const char *family)
{
    return strcmp(family, DATASET_PROBE_LIMIT) == 0 || strcmp(family, DATASET_PROBE_GAPS) == 0 ||
           strcmp(family, DATASET_PROBE_COMM) == 0;
}

void dataset_free(struct dataset *d)
{
    free(d->rows);
    free(d->probe);
    memset(d, 0, sizeof *d);
}

static struct dataset_row *add_row(struct dataset_row **rows, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 128;
        struct dataset_row *r = realloc(*rows, c * sizeof *r);
        if (!r)
            return NULL;
        *rows = r;
        *cap = c;
    }
    memset(&(*rows)[*n], 0, sizeof **rows);
    return &(*rows)[(*n)++];
}

struct dataset_row *dataset_add(struct dataset *d)
{
    return add_row(&d->rows, &d->n, &d->cap);
}

struct dataset_row *dataset_add_probe(struct dataset *d)
{
    return add_row(&d->probe, &d->nprobe, &d->probe_cap);
}

/* Whether the dataset has rows of collectives (their own columns). */
static int has_comm(const struct dataset *d)
{
    size_t i;
    for (i = 0; i < d->nprobe; i++)
        if (strcmp(d->probe[i].family, DATASET_PROBE_COMM) == 0)
            return 1;
    return 0;
}

int dataset_write(FILE *f, const struct dataset *d)
{
    size_t i;
    int m, t, comm = has_comm(d);
    fprintf(f, "%s 1\n", DATASET_SIGNATURE);
    fprintf(f, "# gpu: %s\n# compute_capability: %.1f\n# sm_count: %u\n# driver: %s\n# ncu_version: %s\n",
            d->gpu, d->compute_capability, d->sm_count, d->driver, d->ncu_version);
    fprintf(f, "# created: %s\n# protocol: %s\n# power_limit_w: %.17g\n# idle_w: %.17g\n", d->created,
            d->protocol, d->power_limit_w, d->idle_w);
    if (d->board[0])
        fprintf(f, "# board: %s\n", d->board);
    fprintf(f, "config,family,kernel,grid,threads,iters,launch_s");
    for (m = 0; m < M_COUNT; m++)
        if (d->metric_cols[m] == 1)
            fprintf(f, ",%s", features_metrics[m].raw);
    for (t = 0; t < TARGET_COUNT; t++)
        fprintf(f, ",%s,%s", target_cols[t], spread_cols[t]);
    fprintf(f, ",repeats,sm_clock_mhz,temp_c%s%s\n", d->nprobe ? ",window_s,gap_s,busy_s" : "",
            comm ? ",msg_bytes,ranks,rank,bus_gbs" : "");
    for (i = 0; i < d->n + d->nprobe; i++) {
        const struct dataset_row *r = i < d->n ? &d->rows[i] : &d->probe[i - d->n];
        fprintf(f, "%s,%s,%s,%u,%u,%ld,%.17g", r->config, r->family, r->kernel, r->grid, r->threads, r->iters,
                r->launch_s);
        for (m = 0; m < M_COUNT; m++)
            if (d->metric_cols[m] == 1) {
                if (r->have[m])
                    fprintf(f, ",%.17g", r->value[m]);
                else
                    fputs(",", f);
            }
        for (t = 0; t < TARGET_COUNT; t++)
            fprintf(f, ",%.17g,%.17g", r->power_w[t], r->spread_pct[t]);
        fprintf(f, ",%d,%.17g,%.17g", r->repeats, r->sm_clock_mhz, r->temp_c);
        if (d->nprobe)
            fprintf(f, ",%.17g,%.17g,%.17g", r->window_s, r->gap_s, r->busy_s);
        if (comm)
            fprintf(f, ",%.17g,%d,%d,%.17g", r->msg_bytes, r->ranks, r->rank, r->bus_gbs);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- reading ---- */

enum col_kind { C_CONFIG, C_FAMILY, C_KERNEL, C_GRID, C_THREADS, C_ITERS, C_LAUNCH, C_METRIC, C_TARGET,
                C_SPREAD, C_REPEATS, C_CLOCK, C_TEMP, C_WINDOW, C_GAP, C_BUSY, C_MSG, C_RANKS, C_RANK, C_BUS };

struct col {
    enum col_kind kind;
    int index; /* metric or target */
};

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return *s && !*end && errno == 0 && isfinite(*out) ? 0 : -1;
}

static int copy_text(char *dst, size_t len, const char *src)
{
    if (strlen(src) >= len)
        return -1;
    strcpy(dst, src);
    return 0;
}

static int meta(struct dataset *d, char *key, char *val)
{
    double v;
    if (strcmp(key, "gpu") == 0)
        return copy_text(d->gpu, sizeof d->gpu, val);
    if (strcmp(key, "driver") == 0)
        return copy_text(d->driver, sizeof d->driver, val);
    if (strcmp(key, "ncu_version") == 0)
        return copy_text(d->ncu_version, sizeof d->ncu_version, val);
    if (strcmp(key, "created") == 0)
        return copy_text(d->created, sizeof d->created, val);
    if (strcmp(key, "protocol") == 0)
        return copy_text(d->protocol, sizeof d->protocol, val);
    if (strcmp(key, "board") == 0)
        return copy_text(d->board, sizeof d->board, val);
    if (parse_double(val, &v) != 0)
        return -1;
    if (strcmp(key, "compute_capability") == 0)
        d->compute_capability = v;
    else if (strcmp(key, "sm_count") == 0) {
        if (!(v >= 0 && v <= 1e6))
            return -1;
        d->sm_count = (unsigned)v;
    }
    else if (strcmp(key, "power_limit_w") == 0)
        d->power_limit_w = v;
    else if (strcmp(key, "idle_w") == 0)
        d->idle_w = v;
    else
        return -2;
    return 0;
}

static int map_column(const char *name, struct col *c)
{
    static const struct { const char *name; enum col_kind kind; } fixed[] = {
        { "config", C_CONFIG }, { "family", C_FAMILY }, { "kernel", C_KERNEL }, { "grid", C_GRID },
        { "threads", C_THREADS }, { "iters", C_ITERS }, { "launch_s", C_LAUNCH }, { "repeats", C_REPEATS },
        { "sm_clock_mhz", C_CLOCK }, { "temp_c", C_TEMP }, { "window_s", C_WINDOW }, { "gap_s", C_GAP },
        { "busy_s", C_BUSY }, { "msg_bytes", C_MSG }, { "ranks", C_RANKS }, { "rank", C_RANK },
        { "bus_gbs", C_BUS },
    };
    size_t i;
    int t;
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i].name) == 0) {
            c->kind = fixed[i].kind;
            c->index = -1;
            return 0;
        }
    for (t = 0; t < TARGET_COUNT; t++) {
        if (strcmp(name, target_cols[t]) == 0) {
            c->kind = C_TARGET;
            c->index = t;
            return 0;
        }
        if (strcmp(name, spread_cols[t]) == 0) {
            c->kind = C_SPREAD;
            c->index = t;
            return 0;
        }
    }
    if ((c->index = features_metric_by_raw(name)) >= 0) {
        c->kind = C_METRIC;
        return 0;
    }
    return -1;
}

#define FAIL(...)                                         \
    do {                                                  \
        int o_ = snprintf(err, errlen, "line %lu: ", line); \
        if (o_ > 0 && (size_t)o_ < errlen)                \
            snprintf(err + o_, errlen - (size_t)o_, __VA_ARGS__); \
        goto fail;                                        \
    } while (0)

int dataset_load(const char *path, struct dataset *d, char *err, size_t errlen)
{
    FILE *f = plat_fopen(path, "r");
    int rc;
    if (!f) {
        dataset_init(d);
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    rc = dataset_read(f, d, err, errlen);
    fclose(f);
    return rc;
}

/* The helpers of dataset_read: ERR formats "line N: ..." into err and
 * returns -1. */
#define ERR(...)                                          \
    do {                                                  \
        int o_ = snprintf(err, errlen, "line %lu: ", line); \
        if (o_ > 0 && (size_t)o_ < errlen)                \
            snprintf(err + o_, errlen - (size_t)o_, __VA_ARGS__); \
        return -1;                                        \
    } while (0)

static int read_signature(const char *s, unsigned long line, char *err, size_t errlen)
{
    if (strncmp(s, DATASET_SIGNATURE, strlen(DATASET_SIGNATURE)) != 0)
        ERR("expected '%s 1' as the first line; this is not a gpu_profiler dataset", DATASET_SIGNATURE);
    if (strcmp(s + strlen(DATASET_SIGNATURE) + strspn(s + strlen(DATASET_SIGNATURE), " \t"), "1") != 0) {
        char version[256];
        snprintf(version, sizeof version, "%s", s + strlen(DATASET_SIGNATURE));
        ERR("dataset format version %s is not supported (this tool reads version 1)", trim(version));
    }
    return 0;
}

/* "# key: value"; unknown keys and plain comments are comments. */
static int read_meta(struct dataset *d, char *s, unsigned long line, char *err, size_t errlen)
{
    char *colon = strchr(s, ':');
    if (!colon)
        return 0;
    *colon = '\0';
    if (meta(d, trim(s + 1), trim(colon + 1)) == -1)
        ERR("bad value for '%s'", trim(s + 1));
    return 0;
}

static int read_header(struct dataset *d, char *s, struct col **cols, size_t *ncols, unsigned long line, char *err,
                       size_t errlen)
{
    char *tok, *save = NULL;
    double v[M_COUNT];
    unsigned char h[M_COUNT];
    size_t i;
    int m;
    for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        struct col *nc = realloc(*cols, (*ncols + 1) * sizeof **cols);
        if (!nc)
            ERR("out of memory");
        *cols = nc;
        if (map_column(trim(tok), &nc[*ncols]) != 0)
            ERR("unknown column '%s' (neither a measurement nor a metric of the feature table)", trim(tok));
        if (nc[*ncols].kind == C_METRIC)
            d->metric_cols[nc[*ncols].index] = 1;
        (*ncols)++;
    }
    /* columns derived from others (features_derive): 2, not written back; the
     * values 1, so a derivation that divides (the roofline's by its peak) is
     * known to be possible */
    for (m = 0; m < M_COUNT; m++)
        v[m] = 1;
    memcpy(h, d->metric_cols, sizeof h);
    features_derive(v, h);
    for (i = 0; i < *ncols; i++)
        if ((*cols)[i].kind == C_KERNEL)
            features_from_name("a", v, h); /* the name hints (an empty kernel cell says nothing: 0) */
    for (m = 0; m < M_COUNT; m++)
        if (h[m] && !d->metric_cols[m])
            d->metric_cols[m] = 2;
    for (i = 0; i < *ncols; i++)
        if ((*cols)[i].kind == C_CONFIG)
            return 0;
    ERR("the header has no 'config' column");
}

/* The calibration's arithmetic microbenchmarks were renamed by what they
 * execute (issue 30), one to one: the same code under the new name. A dataset
 * recorded before keeps the old names in its kernel column; its name hints
 * are those of the new names (the column itself is left as recorded). */
static const char *const renamed_kernels[][2] = {
    { "mb_fp32", "mb_ffma_f32" },
    { "mb_fp32_bounded", "mb_ffma_f32_bounded" },
    { "mb_fp32_tile", "mb_ffma_f32_tile" },
    { "mb_fp32_tile_bounded", "mb_ffma_f32_tile_bounded" },
    { "mb_fp64", "mb_dfma_f64" },
    { "mb_fp16", "mb_hfma2_f16" },
    { "mb_bf16", "mb_hfma2_bf16" },
    { "mb_mma", "mb_hmma_f16" },
    { "mb_wgmma", "mb_wgmma_f16" },
    { "mb_wgmma_mix", "mb_wgmma_f16_mix" },
};

const char *dataset_kernel_now(const char *kernel)
{
    size_t i;
    for (i = 0; i < sizeof renamed_kernels / sizeof renamed_kernels[0]; i++)
        if (strcmp(kernel, renamed_kernels[i][0]) == 0)
            return renamed_kernels[i][1];
    return kernel;
}

/* One field of a row, column i of kind c. */
static int read_field(struct dataset_row *r, const struct col *c, char *v, size_t i, unsigned long line, char *err,
                      size_t errlen)
{
    double x = 0;
    if (c->kind >= C_GRID && *v && parse_double(v, &x) != 0)
        ERR("column %zu: '%s' is not a number", i + 1, v);
    if ((c->kind == C_GRID || c->kind == C_THREADS || c->kind == C_ITERS || c->kind == C_REPEATS) &&
        !(x >= 0 && x <= 2e9 && x == floor(x)))
        ERR("column %zu: '%s' is not a count (a whole number from 0 to 2e9)", i + 1, v);
    switch (c->kind) {
    case C_CONFIG:
        if (!*v || copy_text(r->config, sizeof r->config, v) != 0)
            ERR("empty or over-long configuration name");
        break;
    case C_FAMILY:
        if (!*v || copy_text(r->family, sizeof r->family, v) != 0)
            ERR("empty or over-long family");
        break;
    case C_KERNEL:
        if (copy_text(r->kernel, sizeof r->kernel, v) != 0)
            ERR("over-long kernel name");
        break;
    case C_GRID: r->grid = (unsigned)x; break;
    case C_THREADS: r->threads = (unsigned)x; break;
    case C_ITERS: r->iters = (long)x; break;
    case C_LAUNCH: r->launch_s = x; break;
    case C_METRIC:
        if (*v) {
            double lo, hi;
            features_metric_range(c->index, &lo, &hi);
            if (!(x >= lo && x <= hi))
                ERR("column %zu: %s %s is outside what a GPU can measure (%g to %g)", i + 1,
                    features_metrics[c->index].raw, v, lo, hi);
            r->value[c->index] = x;
            r->have[c->index] = 1;
        }
        break;
    case C_TARGET:
        if (!*v)
            ERR("empty %s", target_cols[c->index]);
        if (!(x > 0 && x <= 1e5))
            ERR("column %zu: %s %s is not a power a GPU draws (above 0, at most 100000 W)", i + 1,
                target_cols[c->index], v);
        r->power_w[c->index] = x;
        break;
    case C_SPREAD: r->spread_pct[c->index] = x; break;
    case C_REPEATS: r->repeats = (int)x; break;
    case C_CLOCK: r->sm_clock_mhz = x; break;
    case C_TEMP: r->temp_c = x; break;
    case C_WINDOW: r->window_s = x; break;
    case C_GAP: r->gap_s = x; break;
    case C_BUSY: r->busy_s = x; break;
    case C_MSG: r->msg_bytes = x; break;
    case C_RANKS:
    case C_RANK:
        if (!(x >= 0 && x <= 4096 && x == floor(x)))
            ERR("column %zu: %s '%s' is not a GPU count or ordinal", i + 1, c->kind == C_RANKS ? "ranks" : "rank", v);
        *(c->kind == C_RANKS ? &r->ranks : &r->rank) = (int)x;
        break;
    case C_BUS: r->bus_gbs = x; break;
    }
    return 0;
}

/* A configuration's row (a probe's is kept apart: not fitted on). */
static int read_row(struct dataset *d, char *s, const struct col *cols, size_t ncols, unsigned long line, char *err,
                    size_t errlen)
{
    struct dataset_row *r = dataset_add(d);
    size_t i = 0;
    char *p = s;
    int t;
    if (!r)
        ERR("out of memory");
    for (t = 0; t < TARGET_COUNT; t++)
        r->power_w[t] = NAN;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (i >= ncols)
            ERR("more fields than the header's %zu", ncols);
        if (read_field(r, &cols[i], trim(p), i, line, err, errlen) != 0)
            return -1;
        i++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (i != ncols)
        ERR("%zu fields, the header has %zu", i, ncols);
    features_derive(r->value, r->have);
    features_from_name(dataset_kernel_now(r->kernel), r->value, r->have);
    for (t = 0; t < TARGET_COUNT; t++)
        if (isnan(r->power_w[t]))
            ERR("no %s column", target_cols[t]);
    if (dataset_is_probe(r->family)) {
        struct dataset_row *pr = dataset_add_probe(d);
        if (!pr)
            ERR("out of memory");
        *pr = *r;
        d->n--;
    }
    return 0;
}

/* One line of the file, by what it is. */
static int read_line(struct dataset *d, char *s, int *have_sig, struct col **cols, size_t *ncols,
                     unsigned long line, char *err, size_t errlen)
{
    if (!*have_sig) {
        *have_sig = 1;
        return read_signature(s, line, err, errlen);
    }
    if (*s == '\0')
        return 0;
    if (*s == '#')
        return read_meta(d, s, line, err, errlen);
    if (!*ncols)
        return read_header(d, s, cols, ncols, line, err, errlen);
    return read_row(d, s, *cols, *ncols, line, err, errlen);
}

#undef ERR

int dataset_read(FILE *f, struct dataset *d, char *err, size_t errlen)
{
    char *buf = NULL;
    struct col *cols = NULL;
    size_t ncols = 0, cap = 0;
    unsigned long line = 0;
    int have_sig = 0;
    size_t len;
    int rl;
    dataset_init(d);
    while ((rl = textio_getline(f, &buf, &cap, TEXTIO_MAX_LINE, &len)) > 0) {
        line++;
        if (len != strlen(buf))
            FAIL("holds a NUL byte; this is not a gpu_profiler dataset");
        if (read_line(d, trim(buf), &have_sig, &cols, &ncols, line, err, errlen) != 0)
            goto fail;
    }
    if (rl < 0) {
        line++;
        if (rl == -2)
            FAIL("out of memory");
        FAIL("a line longer than %u bytes; this is not a gpu_profiler dataset", TEXTIO_MAX_LINE);
    }
    if (ferror(f)) {
        snprintf(err, errlen, "read error: %s", strerror(errno));
        goto fail;
    }
    if (!have_sig) {
        snprintf(err, errlen, "empty file; this is not a gpu_profiler dataset");
        goto fail;
    }
    if (d->n == 0 && d->nprobe == 0) {
        snprintf(err, errlen, "no rows: the dataset holds no measured configurations");
        goto fail;
    }
    free(buf);
    free(cols);
    return 0;
fail:
    free(buf);
    free(cols);
    dataset_free(d);
    return -1;
}
