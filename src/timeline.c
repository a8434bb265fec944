/* timeline: see timeline.h. */
#include "timeline.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "plat.h"
#include "textio.h"

void timeline_init(struct timeline *t)
{
    memset(t, 0, sizeof *t);
}

void timeline_free(struct timeline *t)
{
    pm_samples_free(&t->pm);
    free(t->power_ns);
    free(t->power_w);
    free(t->ev);
    free(t->names);
    free(t->name_off);
    free(t->hash);
    timeline_init(t);
}

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h;
}

/* The id of a distinct name, added if new; -1 when out of memory. */
static long intern(struct timeline *t, const char *name)
{
    size_t len = strlen(name) + 1, h, i;
    if (2 * (t->nnames + 1) > t->hash_cap) {
        size_t cap = t->hash_cap ? t->hash_cap * 2 : 1024, k;
        size_t *nh = calloc(cap, sizeof *nh);
        if (!nh)
            return -1;
        for (k = 0; k < t->nnames; k++) {
            for (i = hash_name(t->names + t->name_off[k]) & (cap - 1); nh[i]; i = (i + 1) & (cap - 1))
                ;
            nh[i] = k + 1;
        }
        free(t->hash);
        t->hash = nh;
        t->hash_cap = cap;
    }
    h = hash_name(name);
    for (i = h & (t->hash_cap - 1); t->hash[i]; i = (i + 1) & (t->hash_cap - 1))
        if (strcmp(t->names + t->name_off[t->hash[i] - 1], name) == 0)
            return (long)(t->hash[i] - 1);
    if (t->names_len + len > t->names_cap) {
        size_t cap = t->names_cap ? t->names_cap * 2 : 65536;
        char *p;
        while (cap < t->names_len + len)
            cap *= 2;
        p = realloc(t->names, cap);
        if (!p)
            return -1;
        t->names = p;
        t->names_cap = cap;
    }
    if (t->nnames == t->name_cap) {
        size_t cap = t->name_cap ? t->name_cap * 2 : 256;
        size_t *p = realloc(t->name_off, cap * sizeof *p);
        if (!p)
            return -1;
        t->name_off = p;
        t->name_cap = cap;
    }
    memcpy(t->names + t->names_len, name, len);
    t->name_off[t->nnames] = t->names_len;
    t->names_len += len;
    t->hash[i] = t->nnames + 1;
    return (long)t->nnames++;
}

/* name_id is the name's id (K) or -1; the pointers are set by fix_names */
static int add_event(struct timeline *t, char kind, int device, long long s, long long e, long name_id)
{
    struct timeline_event *ev;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct timeline_event *p = realloc(t->ev, cap * sizeof *p);
        if (!p)
            return -1;
        t->ev = p;
        t->cap = cap;
    }
    ev = &t->ev[t->n++];
    ev->kind = kind;
    ev->device = device;
    ev->start_ns = s;
    ev->end_ns = e;
    ev->name = NULL;
    ev->name_id = (int)name_id;
    return 0;
}

static void fix_names(struct timeline *t)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        t->ev[i].name = t->ev[i].name_id >= 0 ? t->names + t->name_off[t->ev[i].name_id] : NULL;
}

static int by_start(const void *a, const void *b)
{
    const struct timeline_event *x = a, *y = b;
    if (x->start_ns != y->start_ns)
        return x->start_ns < y->start_ns ? -1 : 1;
    if (x->device != y->device)
        return x->device < y->device ? -1 : 1;
    if (x->end_ns != y->end_ns) /* a total order: the same on every platform's qsort (issue 32) */
        return x->end_ns < y->end_ns ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

/* One event line "K|C|S START END DEVICE REST"; rest points into line. */
static int parse_event(char *line, char *kind, long long *s, long long *e, int *dev, char **rest)
{
    char *p = line, *end;
    long d;
    if ((line[0] != 'K' && line[0] != 'C' && line[0] != 'S') || line[1] != ' ')
        return -1;
    *kind = line[0];
    p = line + 2;
    errno = 0;
    *s = strtoll(p, &end, 10);
    if (end == p || *end != ' ')
        return -1;
    p = end + 1;
    *e = strtoll(p, &end, 10);
    if (end == p || *end != ' ' || *e < *s)
        return -1;
    p = end + 1;
    d = strtol(p, &end, 10);
    if (end == p || (*end != ' ' && *end != '\0') || d < 0 || d > TIMELINE_MAX_DEVICE || errno)
        return -1;
    *dev = (int)d;
    while (*end == ' ')
        end++;
    *rest = end;
    return 0;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* one tracer file into t, on the monotonic clock */
static int read_trace(const char *path, struct timeline *t, char *err, size_t errlen)
{
    FILE *f = plat_fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, first = t->n, i, len;
    unsigned long ln = 0;
    double c0 = -1, m0 = 0, c1 = -1, m1 = 0, rate;
    size_t pm_first[PM_MAX_DEVICES];
    char why[160];
    int rl;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    pm_samples_mark(&t->pm, pm_first);
    while ((rl = textio_getline(f, &line, &cap, TEXTIO_MAX_LINE, &len)) > 0) {
        char kind, *rest;
        long long s, e;
        int dev, pm, whole;
        ln++;
        whole = len > 0 && line[len - 1] == '\n';
        chomp(line);
        if ((pm = pm_samples_line(&t->pm, line, why, sizeof why)) != 0) {
            if (pm < 0 && !whole) /* the last line of a process that died while writing it */
                break;
            if (pm < 0) {
                snprintf(err, errlen, "%s:%lu: %s", path, ln, why);
                goto fail;
            }
            continue;
        }
        if (line[0] == '#') {
            unsigned long long c, m;
            unsigned long d;
            if (sscanf(line, "# clock start cupti_ns %llu monotonic_ns %llu", &c, &m) == 2) {
                c0 = (double)c;
                m0 = (double)m;
            } else if (sscanf(line, "# clock end cupti_ns %llu monotonic_ns %llu", &c, &m) == 2) {
                c1 = (double)c;
                m1 = (double)m;
            } else if (sscanf(line, "# dropped %lu", &d) == 1)
                t->dropped += d;
            continue;
        }
        if (!line[0])
            continue;
        if (parse_event(line, &kind, &s, &e, &dev, &rest) != 0) {
            snprintf(err, errlen, "%s:%lu: not a trace record", path, ln);
            goto fail;
        }
        if (add_event(t, kind, dev, s, e, kind == 'K' ? intern(t, rest) : -1) != 0 ||
            (kind == 'K' && t->ev[t->n - 1].name_id < 0)) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    if (rl < 0) {
        snprintf(err, errlen, rl == -1 ? "%s:%lu: a line longer than %u bytes: not a trace record"
                                       : "%s:%lu: out of memory", path, ln + 1, TEXTIO_MAX_LINE);
        goto fail;
    }
    free(line);
    fclose(f);
    if (c0 < 0) {
        snprintf(err, errlen, "%s: no clock line: the tracer did not start", path);
        return -1;
    }
    if (t->ncontexts < TIMELINE_MAX_CONTEXTS) { /* the process's CUDA lifetime */
        t->context_start_ns[t->ncontexts] = (long long)m0;
        t->context_end_ns[t->ncontexts] = c1 >= 0 ? (long long)m1 : LLONG_MAX;
        t->ncontexts++;
    }
    /* a straight line through both clock readings, or the offset of the first */
    rate = c1 > c0 + 1e8 ? (m1 - m0) / (c1 - c0) : 1.0;
    for (i = first; i < t->n; i++) {
        t->ev[i].start_ns = (long long)llround(m0 + ((double)t->ev[i].start_ns - c0) * rate);
        t->ev[i].end_ns = (long long)llround(m0 + ((double)t->ev[i].end_ns - c0) * rate);
    }
    pm_samples_move(&t->pm, pm_first, c0, m0, rate);
    t->processes++;
    return 0;
fail:
    free(line);
    fclose(f);
    return -1;
}

struct merged {
    const struct timeline *t;
    const double *power_t_s, *power_w;
    size_t npower;
};

static int write_timeline(FILE *f, void *ctx)
{
    const struct merged *mg = ctx;
    const struct timeline *t = mg->t;
    /* names numbered in the order of first use, as the reader wants them */
    long *renum = malloc((t->nnames ? t->nnames : 1) * sizeof *renum), next = 0;
    size_t i;
    if (!renum)
        return -1;
    for (i = 0; i < t->nnames; i++)
        renum[i] = -1;
    fprintf(f, "%s 1\n# window_ns %lld %lld\n# processes %d\n# dropped %lu\n", TIMELINE_SIGNATURE,
            t->window_start_ns, t->window_stop_ns, t->processes, t->dropped);
    if (t->idle_before_w > 0)
        fprintf(f, "# idle_before_w %.6g\n", t->idle_before_w);
    for (i = 0; i < t->ncontexts; i++)
        fprintf(f, "# context_ns %lld %lld\n", t->context_start_ns[i], t->context_end_ns[i]);
    for (i = 0; i < mg->npower; i++)
        if (isfinite(mg->power_w[i]))
            fprintf(f, "P %lld %.1f\n", (long long)llround(mg->power_t_s[i] * 1e9), mg->power_w[i]);
    pm_samples_write(f, &t->pm);
    for (i = 0; i < t->n; i++) {
        const struct timeline_event *ev = &t->ev[i];
        if (ev->kind == 'K') {
            if (renum[ev->name_id] < 0) {
                renum[ev->name_id] = next++;
                fprintf(f, "N %ld %s\n", renum[ev->name_id], ev->name);
            }
            fprintf(f, "K %lld %lld %d %ld\n", ev->start_ns, ev->end_ns, ev->device, renum[ev->name_id]);
        } else
            fprintf(f, "%c %lld %lld %d 0\n", ev->kind, ev->start_ns, ev->end_ns, ev->device);
    }
    free(renum);
    return ferror(f) ? -1 : 0;
}

/* Opens the folder of prefix (dir receives it with its trailing
 * separator, or "./"); *base is the file-name part. NULL if it cannot be
 * read. */
static struct plat_dir *open_prefix_dir(const char *prefix, char *dir, size_t dirlen, const char **base)
{
    *base = plat_base_name(prefix);
    if (*base > prefix)
        snprintf(dir, dirlen, "%.*s", (int)(*base - prefix), prefix);
    else
        snprintf(dir, dirlen, "./");
    return plat_dir_open(dir);
}

/* Whether name is base.DIGITS, a tracer's file. */
static int is_trace_file(const char *name, const char *base)
{
    size_t blen = strlen(base);
    return strncmp(name, base, blen) == 0 && name[blen] == '.' && name[blen + 1] &&
           strspn(name + blen + 1, "0123456789") == strlen(name + blen + 1);
}

void timeline_discard(const char *prefix)
{
    char dir[4096], path[8200];
    const char *base;
    struct plat_dir *d = open_prefix_dir(prefix, dir, sizeof dir, &base);
    const char *name;
    if (!d)
        return;
    while ((name = plat_dir_next(d)) != NULL)
        if (is_trace_file(name, base) && (size_t)snprintf(path, sizeof path, "%s%s", dir, name) < sizeof path)
            plat_remove(path);
    plat_dir_close(d);
}

int timeline_merge(const char *prefix, const char *out_path, double t_start_s, double t_stop_s,
                   double idle_before_w, const double *power_t_s, const double *power_w, size_t npower, int force,
                   char *err, size_t errlen)
{
    char dir[4096], path[8200], why[512];
    const char *base;
    struct timeline t;
    struct merged mg;
    struct plat_dir *d;
    const char *name;
    int rc = -1, w;
    timeline_init(&t);
    d = open_prefix_dir(prefix, dir, sizeof dir, &base);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    while ((name = plat_dir_next(d)) != NULL) {
        if (!is_trace_file(name, base) || (size_t)snprintf(path, sizeof path, "%s%s", dir, name) >= sizeof path)
            continue;
        if (read_trace(path, &t, err, errlen) != 0)
            goto out;
        plat_remove(path);
    }
    if (t.processes == 0) {
        snprintf(err, errlen, "the tracer wrote nothing: the application made no CUDA context, or the driver did "
                 "not load %s", "the tracer (CUDA_INJECTION64_PATH)");
        goto out;
    }
    fix_names(&t);
    if (t.n) /* a process with PM samples and no kernel has none, and no array (qsort's NULL is undefined) */
        qsort(t.ev, t.n, sizeof *t.ev, by_start);
    pm_samples_tidy(&t.pm);
    t.window_start_ns = (long long)llround(t_start_s * 1e9);
    t.window_stop_ns = (long long)llround(t_stop_s * 1e9);
    t.idle_before_w = idle_before_w;
    mg.t = &t;
    mg.power_t_s = power_t_s;
    mg.power_w = power_w;
    mg.npower = npower;
    w = outfile_write(out_path, TIMELINE_SIGNATURE, force, write_timeline, &mg, why, sizeof why);
    if (w == OUTFILE_FOREIGN)
        snprintf(err, errlen, "%s exists and was not written by gpu_profiler; move it or use --force", out_path);
    else if (w != OUTFILE_OK)
        snprintf(err, errlen, "%s: %s", out_path, why);
    else
        rc = 0;
out:
    plat_dir_close(d);
    timeline_free(&t);
    return rc;
}

int timeline_find_tracer(char *out, size_t outlen)
{
    static const char *const rel[] = { TIMELINE_TRACER, "build/" TIMELINE_TRACER,
                                       "../lib/gpu_profiler/" TIMELINE_TRACER };
    const char *env = getenv("GP_TRACER");
    char self[4096];
    size_t i;
    if (env && *env) {
        snprintf(out, outlen, "%s", env);
        return plat_kind(out) == PLAT_FILE ? 0 : -1;
    }
    if (plat_self_path(self, sizeof self) != 0)
        return -1;
    *(char *)(uintptr_t)plat_base_name(self) = '\0'; /* its folder, the separator kept */
    for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        if ((size_t)snprintf(out, outlen, "%s%s", self, rel[i]) >= outlen)
            continue;
        if (plat_kind(out) == PLAT_FILE)
            return 0;
    }
    return -1;
}

int timeline_load(const char *path, struct timeline *t, char *err, size_t errlen)
{
    FILE *f;
    int rc;
    if (plat_kind(path) == PLAT_DIR) {
        timeline_init(t);
        snprintf(err, errlen, "%s: is a folder; give the timeline file that 'gpu_profiler measure --timeline FILE' "
                 "wrote", path);
        return -1;
    }
    f = plat_fopen(path, "r");
    if (!f) {
        timeline_init(t);
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    rc = timeline_read(f, path, t, err, errlen);
    fclose(f);
    return rc;
}

/* A "# ..." line: the window, processes, dropped records, the idle power
 * before, a context's life; other comments are ignored. */
static int read_comment(struct timeline *t, const char *line, const char *path, unsigned long ln, int *have_window,
                        char *err, size_t errlen)
{
    long long s, e;
    unsigned long d;
    int p;
    if (sscanf(line, "# window_ns %lld %lld", &s, &e) == 2 && e > s) {
        t->window_start_ns = s;
        t->window_stop_ns = e;
        *have_window = 1;
    } else if (sscanf(line, "# processes %d", &p) == 1) {
        t->processes = p;
    } else if (sscanf(line, "# dropped %lu", &d) == 1) {
        t->dropped = d;
    } else if (sscanf(line, "# idle_before_w %lf", &t->idle_before_w) == 1) {
        if (!(t->idle_before_w >= 0 && t->idle_before_w < 1e5)) {
            snprintf(err, errlen, "%s:%lu: idle_before_w must be a number of watts", path, ln);
            return -1;
        }
    } else if (sscanf(line, "# context_ns %lld %lld", &s, &e) == 2) {
        if (e < s) {
            snprintf(err, errlen, "%s:%lu: a context ends before it starts", path, ln);
            return -1;
        }
        if (t->ncontexts < TIMELINE_MAX_CONTEXTS) {
            t->context_start_ns[t->ncontexts] = s;
            t->context_end_ns[t->ncontexts] = e;
            t->ncontexts++;
        }
    }
    return 0;
}

/* "N ID NAME": the next kernel name. */
static int read_name(struct timeline *t, const char *line, const char *path, unsigned long ln, char *err,
                     size_t errlen)
{
    char *end;
    long id = strtol(line + 2, &end, 10), got;
    if (end == line + 2 || *end != ' ' || !end[1] || id != (long)t->nnames) {
        snprintf(err, errlen, "%s:%lu: expected 'N ID NAME' with the next id, %zu", path, ln, t->nnames);
        return -1;
    }
    got = intern(t, end + 1);
    if (got != id) {
        snprintf(err, errlen, "%s:%lu: %s", path, ln, got < 0 ? "out of memory" : "a name given twice");
        return -1;
    }
    return 0;
}

/* "K|C|S START_NS END_NS DEVICE ID|BYTES": a kernel, copy or memset. */
static int read_event(struct timeline *t, char *line, const char *path, unsigned long ln, char *err, size_t errlen)
{
    char kind, *rest;
    long long s, e;
    int dev;
    long id = -1;
    if (parse_event(line, &kind, &s, &e, &dev, &rest) != 0) {
        snprintf(err, errlen, "%s:%lu: expected 'K|C|S START_NS END_NS DEVICE ID|BYTES'", path, ln);
        return -1;
    }
    if (kind == 'K') {
        char *end;
        id = strtol(rest, &end, 10);
        if (end == rest || *end || id < 0 || (size_t)id >= t->nnames) {
            snprintf(err, errlen, "%s:%lu: kernel name id '%s' was not given by an N line before", path, ln, rest);
            return -1;
        }
    }
    if (t->n && s < t->ev[t->n - 1].start_ns) {
        snprintf(err, errlen, "%s:%lu: the records are not in order of their start", path, ln);
        return -1;
    }
    if (add_event(t, kind, dev, s, e, id) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* "P TIME_NS WATTS": the measured power, in time order, 0 to 10 kW. */
static int read_power(struct timeline *t, const char *line, const char *path, unsigned long ln, char *err,
                      size_t errlen)
{
    long long ns;
    double w;
    char extra;
    if (sscanf(line + 2, "%lld %lf %c", &ns, &w, &extra) != 2 || !(w >= 0 && w <= 10000)) {
        snprintf(err, errlen, "%s:%lu: expected 'P TIME_NS WATTS' (0 to 10000 W)", path, ln);
        return -1;
    }
    if (t->npower && ns < t->power_ns[t->npower - 1]) {
        snprintf(err, errlen, "%s:%lu: the power readings are not in time order", path, ln);
        return -1;
    }
    if (t->npower == TIMELINE_MAX_POWER) {
        snprintf(err, errlen, "%s:%lu: more than %d power readings", path, ln, TIMELINE_MAX_POWER);
        return -1;
    }
    if (t->npower == t->power_cap) {
        size_t cap = t->power_cap ? 2 * t->power_cap : 1024;
        long long *pn = realloc(t->power_ns, cap * sizeof *pn);
        double *pw;
        if (pn)
            t->power_ns = pn;
        pw = pn ? realloc(t->power_w, cap * sizeof *pw) : NULL;
        if (!pw) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        t->power_w = pw;
        t->power_cap = cap;
    }
    t->power_ns[t->npower] = ns;
    t->power_w[t->npower++] = w;
    return 0;
}

static int read_timeline_line(struct timeline *t, char *line, const char *path, unsigned long ln, int *have_window,
                              char *err, size_t errlen)
{
    char why[160];
    int pm;
    if (ln > 1 && (pm = pm_samples_line(&t->pm, line, why, sizeof why)) != 0) {
        if (pm < 0)
            snprintf(err, errlen, "%s:%lu: %s", path, ln, why);
        return pm < 0 ? -1 : 0;
    }
    if (ln == 1) {
        if (strcmp(line, TIMELINE_SIGNATURE " 1") != 0) {
            snprintf(err, errlen, "%s:1: not a gpu_profiler timeline (expected '%s 1'; measure --timeline "
                     "writes them)", path, TIMELINE_SIGNATURE);
            return -1;
        }
        return 0;
    }
    if (line[0] == '#')
        return read_comment(t, line, path, ln, have_window, err, errlen);
    if (!line[0])
        return 0;
    if (line[0] == 'N' && line[1] == ' ')
        return read_name(t, line, path, ln, err, errlen);
    if (line[0] == 'P' && line[1] == ' ')
        return read_power(t, line, path, ln, err, errlen);
    return read_event(t, line, path, ln, err, errlen);
}

int timeline_read(FILE *f, const char *path, struct timeline *t, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned long ln = 0;
    int have_window = 0, rl;
    size_t len;
    timeline_init(t);
    while ((rl = textio_getline(f, &line, &cap, TEXTIO_MAX_LINE, &len)) > 0) {
        ln++;
        if (len != strlen(line)) {
            snprintf(err, errlen, "%s:%lu: holds a NUL byte; not a gpu_profiler timeline", path, ln);
            goto fail;
        }
        chomp(line);
        if (read_timeline_line(t, line, path, ln, &have_window, err, errlen) != 0)
            goto fail;
    }
    if (rl < 0) {
        snprintf(err, errlen, rl == -1 ? "%s:%lu: a line longer than %u bytes; not a gpu_profiler timeline"
                                       : "%s:%lu: out of memory", path, ln + 1, TEXTIO_MAX_LINE);
        goto fail;
    }
    if (ln == 0) {
        snprintf(err, errlen, "%s: empty; not a gpu_profiler timeline", path);
        goto fail;
    }
    if (!have_window) {
        snprintf(err, errlen, "%s: no '# window_ns START STOP' line", path);
        goto fail;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    free(line);
    fix_names(t);
    return 0;
fail:
    free(line);
    timeline_free(t);
    return -1;
}

/* ---- names ---- */

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The last source name of an Itanium-mangled (nested) name: _Z[N]<len><id>... */
static int mangled_base(const char *s, char *out, size_t outlen)
{
    const char *p = s + 2, *last = NULL;
    size_t last_len = 0;
    if (*p == 'N') {
        p++;
        while (*p == 'r' || *p == 'V' || *p == 'K')
            p++; /* cv-qualifiers of a member function */
    }
    while (*p) {
        if (*p >= '0' && *p <= '9') {
            size_t len = 0;
            while (*p >= '0' && *p <= '9')
                len = len * 10 + (size_t)(*p++ - '0');
            if (len == 0 || strnlen(p, len) < len)
                return -1;
            last = p;
            last_len = len;
            p += len;
        } else if (p[0] == 'S' && p[1] == 't') {
            p += 2; /* std:: */
        } else {
            break; /* template arguments, the end of the nesting, or the parameters */
        }
    }
    if (!last)
        return -1;
    snprintf(out, outlen, "%.*s", (int)last_len, last);
    return 0;
}

void timeline_base_name(const char *name, char *out, size_t outlen)
{
    const char *p, *end, *start;
    int depth = 0;
    if (outlen == 0)
        return;
    if (name[0] == '_' && name[1] == 'Z' && mangled_base(name, out, outlen) == 0)
        return;
    /* demangled: the identifier before the first '<' or '(' at depth 0, after
     * the last "::" */
    for (p = name; *p; p++) {
        if (strncmp(p, "(anonymous namespace)", 21) == 0 || strncmp(p, "<unnamed>", 9) == 0) {
            p += *p == '(' ? 20 : 8;
            continue;
        }
        if (*p == '<' || *p == '(') {
            if (depth == 0)
                break;
            depth++;
        } else if ((*p == '>' || *p == ')') && depth > 0)
            depth--; /* ncu writes "unnamed>::" for an anonymous namespace */
    }
    end = p;
    start = end;
    while (start > name && (is_ident(start[-1]) || start[-1] == '>' || start[-1] == '-')) {
        if (!is_ident(start[-1]))
            break;
        start--;
    }
    if (start == end) { /* no identifier: keep the name as it is */
        snprintf(out, outlen, "%s", name);
        return;
    }
    snprintf(out, outlen, "%.*s", (int)(end - start), start);
}

/* ---- the estimate over a timeline ---- */

/* Of [a, b] (s), the time inside some process's CUDA lifetime. */
static double in_context(const struct timeline *t, double a, double b)
{
    double covered = 0, cur = a;
    size_t i;
    if (t->ncontexts == 0)
        return b - a;
    /* contexts are few: take the union piece by piece from a onwards */
    while (cur < b) {
        double next_start = b, reach = -1;
        for (i = 0; i < t->ncontexts; i++) {
            double s = (double)t->context_start_ns[i] * 1e-9;
            double e = t->context_end_ns[i] == LLONG_MAX ? 1e300 : (double)t->context_end_ns[i] * 1e-9;
            if (s <= cur && e > cur && e > reach)
                reach = e;
            else if (s > cur && s < next_start)
                next_start = s;
        }
        if (reach > cur) {
            double to = reach < b ? reach : b;
            covered += to - cur;
            cur = to;
        } else {
            cur = next_start;
        }
    }
    return covered;
}

/* A gap's mean power: the model's gap power inside a CUDA lifetime, the
 * idle without a context outside. */
static double gap_power(const struct timeline *t, const struct model *m, double before_w, double a, double b)
{
    double len = b - a, inside, pw = model_gap_power(m, before_w, len);
    if (!(len > 0) || !(t->idle_before_w > 0))
        return pw;
    inside = in_context(t, a, b);
    return (pw * inside + t->idle_before_w * (len - inside)) / len;
}

struct name_power {
    char base[128];
    double energy_j, time_s;
    double min_j, peak_j; /* the min and peak heads, time-weighted */
    double uncapped_j;    /* the avg before the cap */
    double interval_j;    /* the energy times the error bar (%), for the bar over the trace (all's only) */
};

static int by_base(const void *a, const void *b)
{
    return strcmp(((const struct name_power *)a)->base, ((const struct name_power *)b)->base);
}

/* The profile's power per base name, and over all its kernels (for a
 * traced kernel whose name the profile lacks). */
struct profile_powers {
    struct name_power *np;     /* nn of them, sorted by base name */
    size_t nn;
    struct name_power all;     /* every kernel together */
};

/* The entry of base name in pp->np, added if new; an open-addressing
 * index (entry + 1, 0 empty) of cap slots, a power of two above twice the
 * kernels, keeps this linear in the kernels however many names they have. */
static size_t profile_entry(struct profile_powers *pp, size_t *index, size_t cap, const char *base)
{
    size_t i;
    for (i = hash_name(base) & (cap - 1); index[i]; i = (i + 1) & (cap - 1))
        if (strcmp(pp->np[index[i] - 1].base, base) == 0)
            return index[i] - 1;
    snprintf(pp->np[pp->nn].base, sizeof pp->np[0].base, "%s", base);
    index[i] = ++pp->nn;
    return pp->nn - 1;
}

static int profile_powers(const struct estimate *e, struct profile_powers *pp, char *err, size_t errlen)
{
    size_t i, k, cap = 16;
    size_t *index;
    memset(pp, 0, sizeof *pp);
    while (cap < 2 * e->nkernels + 2)
        cap *= 2;
    pp->np = calloc(e->nkernels ? e->nkernels : 1, sizeof *pp->np);
    index = calloc(cap, sizeof *index);
    if (!pp->np || !index) {
        free(pp->np);
        free(index);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (i = 0; i < e->nkernels; i++) {
        const struct kernel_result *kr = &e->kernels[i];
        double ts = kr->duration_s, unc = kr->uncapped_w > kr->power_w[TARGET_AVG] ? kr->uncapped_w
                                                                                     : kr->power_w[TARGET_AVG];
        char base[sizeof pp->np[0].base];
        struct name_power *to[2];
        size_t j;
        if (!(ts > 0))
            continue;
        timeline_base_name(kr->name, base, sizeof base);
        k = profile_entry(pp, index, cap, base);
        to[0] = &pp->np[k];
        to[1] = &pp->all;
        for (j = 0; j < 2; j++) {
            to[j]->energy_j += kr->power_w[TARGET_AVG] * ts;
            to[j]->min_j += kr->power_w[TARGET_MIN] * ts;
            to[j]->peak_j += kr->power_w[TARGET_PEAK] * ts;
            to[j]->uncapped_j += unc * ts;
            to[j]->time_s += ts;
        }
        pp->all.interval_j += kr->power_w[TARGET_AVG] * ts * kr->interval_pct; /* the run's bar: all only */
    }
    free(index);
    if (!(pp->all.time_s > 0)) {
        snprintf(err, errlen, "the profile has no kernel with a duration");
        free(pp->np);
        return -1;
    }
    qsort(pp->np, pp->nn, sizeof *pp->np, by_base);
    return 0;
}

/* A stretch of the traced run at one power: busy (kernels and copies,
 * overlaps merged: the GPU draws one power at a time) or a gap. */
struct tl_seg {
    double t0, t1, w, wmin, wpeak, wu; /* wu: uncapped */
    int busy;
};

static void add_gap(const struct timeline *t, const struct model *m, double before_w, double a, double b,
                    struct tl_seg *seg, size_t *nseg)
{
    struct tl_seg *g = &seg[(*nseg)++];
    g->t0 = a;
    g->t1 = b;
    g->w = g->wmin = g->wpeak = g->wu = gap_power(t, m, before_w, a, b);
    g->busy = 0;
}

/* Whether a kernel's base name is one of NCCL's (ncclKernel_..., ncclDevKernel_...). */
static int is_nccl(const char *base)
{
    return strncmp(base, "nccl", 4) == 0;
}

/* The power of one traced event: a kernel at the profiled kernels of its
 * name (capped at the limit); an NCCL kernel with none at the model's
 * communication term where it has one; any other at the profile's mean; a
 * copy at what the GPU drew before it. */
static void event_power(const struct timeline_event *ev, const struct profile_powers *pp, const struct model *m,
                        double before_w, double limit, struct tl_seg *s, struct timeline_result *r)
{
    if (ev->kind == 'K') {
        struct name_power key;
        const struct name_power *hit;
        int nccl;
        timeline_base_name(ev->name, key.base, sizeof key.base);
        hit = bsearch(&key, pp->np, pp->nn, sizeof *pp->np, by_base);
        nccl = !hit && is_nccl(key.base);
        r->kernels++;
        r->matched += hit != NULL;
        r->nccl += (size_t)nccl;
        if (nccl && m->comm_w[TARGET_AVG] > 0) {
            s->w = s->wu = m->comm_w[TARGET_AVG];
            s->wmin = m->comm_w[TARGET_MIN];
            s->wpeak = m->comm_w[TARGET_PEAK];
            r->comm_w = m->comm_w[TARGET_AVG];
        } else {
            if (!hit)
                hit = &pp->all;
            s->w = hit->energy_j / hit->time_s;
            s->wmin = hit->min_j / hit->time_s;
            s->wpeak = hit->peak_j / hit->time_s;
            s->wu = hit->uncapped_j / hit->time_s;
        }
    } else {
        s->w = s->wmin = s->wpeak = s->wu = before_w; /* a copy engine's transfer: the GPU holds what it drew */
        r->copies++;
    }
    if (limit > 0 && s->w > limit)
        s->w = limit;
    if (s->wmin > s->w)
        s->wmin = s->w;
    if (s->wpeak < s->w)
        s->wpeak = s->w;
    if (s->wu < s->w)
        s->wu = s->w;
}

/* The device's events in the window as busy segments and the gaps between
 * them. Returns the number of segments. */
static size_t build_segments(const struct timeline *t, long long device, const struct model *m,
                             const struct profile_powers *pp, struct tl_seg *seg, struct timeline_result *r)
{
    double w0 = (double)t->window_start_ns * 1e-9, w1 = (double)t->window_stop_ns * 1e-9, cursor = w0;
    double limit = m->power_limit_w, before_w = m->idle_w > 0 ? m->idle_w : pp->all.energy_j / pp->all.time_s;
    size_t i, nseg = 0;
    for (i = 0; i < t->n; i++) {
        const struct timeline_event *ev = &t->ev[i];
        double s = (double)ev->start_ns * 1e-9, en = (double)ev->end_ns * 1e-9;
        struct tl_seg busy;
        if (ev->device != device || en <= w0 || s >= w1)
            continue;
        if (s < w0)
            s = w0;
        if (en > w1)
            en = w1;
        event_power(ev, pp, m, before_w, limit, &busy, r);
        if (s > cursor)
            add_gap(t, m, before_w, cursor, s, seg, &nseg);
        else if (en <= cursor)
            continue; /* inside what is already busy */
        else
            s = cursor; /* overlaps the last: the new part only */
        busy.t0 = s;
        busy.t1 = en;
        busy.busy = 1;
        seg[nseg++] = busy;
        r->busy_s += en - s;
        cursor = en;
        before_w = busy.w;
    }
    if (cursor < w1)
        add_gap(t, m, before_w, cursor, w1, seg, &nseg);
    return nseg;
}

/* The power limit holds an average, not every moment: where a window of
 * TIMELINE_LIMIT_WINDOW_S would stay under the limit with every kernel at
 * its uncapped power (bursts between gaps), they run so. */
static void uncap_bursts(struct tl_seg *seg, size_t nseg, double limit, struct timeline_result *r)
{
    size_t j0 = 0, j, q;
    if (!(limit > 0))
        return;
    while (j0 < nseg) {
        double b0 = seg[j0].t0, b1 = b0 + TIMELINE_LIMIT_WINDOW_S, eu = 0, span;
        for (j = j0; j < nseg && seg[j].t0 < b1; j++)
            eu += seg[j].wu * (seg[j].t1 - seg[j].t0);
        span = seg[j - 1].t1 - b0;
        if (span > 0 && eu / span <= limit)
            for (q = j0; q < j; q++)
                if (seg[q].busy && seg[q].wu > seg[q].w) {
                    /* a capped kernel: its min and peak were the power
                     * manager's swing around the limit, which a burst
                     * does not reach */
                    seg[q].w = seg[q].wmin = seg[q].wpeak = seg[q].wu;
                    r->uncapped++;
                }
        j0 = j;
    }
}

/* min and peak: means over windows of window_s, slid by a tenth of it (the
 * whole run when it is shorter). */
static void segment_extremes(const struct tl_seg *seg, size_t nseg, double w0, double w1, double window_s,
                             struct timeline_result *r)
{
    double step = window_s / 10, a;
    size_t lo = 0, i;
    if (window_s <= 0 || window_s >= r->duration_s) {
        double sa = 0, sb = 0;
        for (i = 0; i < nseg; i++) {
            sa += seg[i].wmin * (seg[i].t1 - seg[i].t0);
            sb += seg[i].wpeak * (seg[i].t1 - seg[i].t0);
        }
        r->min_w = r->duration_s > 0 ? sa / r->duration_s : (double)NAN;
        r->peak_w = r->duration_s > 0 ? sb / r->duration_s : (double)NAN;
        return;
    }
    if (r->duration_s / step > 1e6) /* at most a million windows */
        step = r->duration_s / 1e6;
    for (a = w0; a + window_s <= w1 + 1e-12; a += step) {
        double b = a + window_s, lo_w = 0, hi_w = 0;
        size_t j;
        while (lo < nseg && seg[lo].t1 <= a)
            lo++;
        for (j = lo; j < nseg && seg[j].t0 < b; j++) {
            double x0 = seg[j].t0 > a ? seg[j].t0 : a, x1 = seg[j].t1 < b ? seg[j].t1 : b;
            lo_w += seg[j].wmin * (x1 - x0);
            hi_w += seg[j].wpeak * (x1 - x0);
        }
        lo_w /= window_s;
        hi_w /= window_s;
        if (isnan(r->min_w) || lo_w < r->min_w)
            r->min_w = lo_w;
        if (isnan(r->peak_w) || hi_w > r->peak_w)
            r->peak_w = hi_w;
    }
}

/* The estimate's mean power in each of TIMELINE_BINS bins of the window. */
static void segment_series(const struct tl_seg *seg, size_t nseg, double w0, double w1, struct timeline_result *r)
{
    double bw = (w1 - w0) / TIMELINE_BINS;
    size_t i, b;
    for (b = 0; b < TIMELINE_BINS; b++)
        r->series_w[b] = 0;
    if (!(bw > 0))
        return;
    for (i = 0; i < nseg; i++) {
        size_t b0 = (size_t)((seg[i].t0 - w0) / bw), b1 = (size_t)((seg[i].t1 - w0) / bw);
        if (b1 >= TIMELINE_BINS)
            b1 = TIMELINE_BINS - 1;
        for (b = b0; b <= b1 && b < TIMELINE_BINS; b++) {
            double lo = w0 + (double)b * bw, hi = lo + bw;
            double x0 = seg[i].t0 > lo ? seg[i].t0 : lo, x1 = seg[i].t1 < hi ? seg[i].t1 : hi;
            if (x1 > x0)
                r->series_w[b] += seg[i].w * (x1 - x0) / bw;
        }
    }
}

/* The measured power (P lines) in the same bins: each bin's mean reading;
 * a bin without one takes the last reading before it. */
static void measured_series(const struct timeline *t, double w0, double w1, struct timeline_result *r)
{
    double bw = (w1 - w0) / TIMELINE_BINS, sum[TIMELINE_BINS] = { 0 }, total = 0, last = NAN;
    size_t n[TIMELINE_BINS] = { 0 }, i, b, used = 0;
    r->has_measured = 0;
    r->measured_avg_w = NAN;
    for (b = 0; b < TIMELINE_BINS; b++)
        r->measured_w[b] = NAN;
    if (!t->npower || !(bw > 0))
        return;
    for (i = 0; i < t->npower; i++) {
        double ts = (double)t->power_ns[i] * 1e-9;
        if (ts < w0 || ts >= w1)
            continue;
        b = (size_t)((ts - w0) / bw);
        if (b >= TIMELINE_BINS)
            b = TIMELINE_BINS - 1;
        sum[b] += t->power_w[i];
        n[b]++;
        total += t->power_w[i];
        used++;
    }
    if (!used)
        return;
    for (b = 0; b < TIMELINE_BINS; b++) {
        if (n[b])
            last = sum[b] / (double)n[b];
        r->measured_w[b] = last;
    }
    r->has_measured = 1;
    r->measured_avg_w = total / (double)used;
}

int timeline_estimate(const struct timeline *t, long long device, const struct estimate *e, double window_s,
                      struct timeline_result *r, char *err, size_t errlen)
{
    const struct model *m = e->used;
    double w0 = (double)t->window_start_ns * 1e-9, w1 = (double)t->window_stop_ns * 1e-9;
    struct profile_powers pp;
    struct tl_seg *seg;
    size_t nseg, i;
    memset(r, 0, sizeof *r);
    r->min_w = r->peak_w = NAN;
    if (!m) {
        snprintf(err, errlen, "no model");
        return -1;
    }
    if (profile_powers(e, &pp, err, errlen) != 0)
        return -1;
    /* each event adds a gap and a busy part at most, and the window's end a gap */
    seg = malloc((2 * t->n + 1) * sizeof *seg);
    if (!seg) {
        snprintf(err, errlen, "out of memory");
        free(pp.np);
        return -1;
    }
    r->duration_s = w1 - w0;
    nseg = build_segments(t, device, m, &pp, seg, r);
    uncap_bursts(seg, nseg, m->power_limit_w, r);
    for (i = 0; i < nseg; i++) {
        r->energy_j += seg[i].w * (seg[i].t1 - seg[i].t0);
        if (seg[i].busy)
            r->busy_energy_j += seg[i].w * (seg[i].t1 - seg[i].t0);
    }
    r->avg_w = r->duration_s > 0 ? r->energy_j / r->duration_s : (double)NAN;
    /* the kernels' share of the run carries the profile's error bar; the gaps (the model's idle and decay)
       are left without one */
    if (pp.all.energy_j > 0 && r->duration_s > 0)
        r->avg_interval_w = pp.all.interval_j / pp.all.energy_j / 100.0 * r->busy_energy_j / r->duration_s;
    segment_extremes(seg, nseg, w0, w1, window_s, r);
    segment_series(seg, nseg, w0, w1, r);
    measured_series(t, w0, w1, r);
    free(pp.np);
    free(seg);
    return 0;
}
