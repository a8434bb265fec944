/* model: power model file format and prediction; see model.h. */
#include "model.h"

#include "plat.h"
#include "textio.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "feature_table.h"

const char *const model_target_names[TARGET_COUNT] = { "min", "avg", "peak" };
const char *const model_stat_names[STAT_COUNT] = {
    "n", "folds", "fit_mape_pct", "cv_mape_pct", "cv_max_ape_pct", "spread_pct",
};
const char *const model_measured_names[MEAS_COUNT] = {
    "validation_avg_mape_pct", "validation_workloads", "interval_coverage_pct", "board_spread_pct",
};

double model_measured(const struct model *m, enum model_measured k)
{
    return m->has_measured[k] ? m->measured[k] : -1;
}

#define MAX_LINE 4096
#define MAGIC "gpu_profiler_model"
#define VERSION 1

static int perr(char *err, size_t errlen, unsigned long line, const char *fmt, ...)
{
    va_list ap;
    int n = 0;
    if (line)
        n = snprintf(err, errlen, "line %lu: ", line);
    if (n < 0 || (size_t)n >= errlen)
        n = 0;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    double v;
    if (!*s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int is_word(const char *s)
{
    if (!*s || strlen(s) >= 32)
        return 0;
    for (; *s; s++)
        if (!is_word_char(*s))
            return 0;
    return 1;
}

/* Free text (gpu name, versions): printable, no control bytes. */
static int set_text(char *dst, size_t cap, const char *src)
{
    const unsigned char *p;
    if (!*src || strlen(src) >= cap)
        return -1;
    for (p = (const unsigned char *)src; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int find_target(const char *s)
{
    int t;
    for (t = 0; t < TARGET_COUNT; t++)
        if (strcmp(s, model_target_names[t]) == 0)
            return t;
    return -1;
}

static int add_component(struct model *m, const char *name)
{
    size_t i;
    for (i = 0; i < m->ncomponents; i++)
        if (strcmp(m->component[i], name) == 0)
            return (int)i;
    memcpy(m->component[m->ncomponents], name, strlen(name) + 1);
    return (int)m->ncomponents++;
}

/* Splits line into whitespace-separated words in place. */
static size_t split(char *line, char **words, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        if (n == max)
            return max + 1;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    return n;
}

enum seen_key { K_MAGIC, K_GPU, K_VARIANT, K_CC, K_NCU, K_DRIVER, K_CREATED, K_DATASET, K_CV, K_LIMIT, K_IDLE, K_BOARD,
                K_NKEYS };

/* What the parser has seen so far, for "given twice" and the order. */
struct parse_state {
    unsigned char *seen;                 /* K_NKEYS */
    unsigned char *seen_target;          /* TARGET_COUNT */
    unsigned char (*seen_stat)[STAT_COUNT];
};

/* A statement whose value is the rest of the line (it may hold spaces).
 * Returns 1 when line is none of them, else 0 or -1. */
static int parse_text(struct model *m, char *line, unsigned long ln, const struct parse_state *ps, char *err,
                      size_t errlen)
{
    static const struct { const char *key; enum seen_key id; } text_keys[] = {
        { "gpu", K_GPU }, { "variant", K_VARIANT }, { "ncu_version", K_NCU }, { "driver", K_DRIVER },
        { "created", K_CREATED }, { "dataset", K_DATASET }, { "cv_scheme", K_CV }, { "board", K_BOARD },
    };
    size_t i;
    for (i = 0; i < sizeof text_keys / sizeof text_keys[0]; i++) {
        size_t kl = strlen(text_keys[i].key), cap;
        char *dst, *rest;
        if (strncmp(line, text_keys[i].key, kl) != 0 || (line[kl] != ' ' && line[kl] != '\t'))
            continue;
        if (!ps->seen[K_MAGIC])
            return perr(err, errlen, ln, "the first statement must be '%s %d'", MAGIC, VERSION);
        if (ps->seen[text_keys[i].id]++)
            return perr(err, errlen, ln, "'%s' given twice", text_keys[i].key);
        rest = line + kl;
        while (*rest == ' ' || *rest == '\t')
            rest++;
        switch (text_keys[i].id) {
        case K_GPU: dst = m->gpu; cap = sizeof m->gpu; break;
        case K_VARIANT: dst = m->variant; cap = sizeof m->variant; break;
        case K_NCU: dst = m->ncu_version; cap = sizeof m->ncu_version; break;
        case K_DRIVER: dst = m->driver; cap = sizeof m->driver; break;
        case K_CREATED: dst = m->created; cap = sizeof m->created; break;
        case K_DATASET: dst = m->dataset; cap = sizeof m->dataset; break;
        case K_BOARD: dst = m->board; cap = sizeof m->board; break;
        default: dst = m->cv_scheme; cap = sizeof m->cv_scheme; break;
        }
        if (set_text(dst, cap, rest) != 0)
            return perr(err, errlen, ln, "'%s' needs a value of 1 to %zu printable characters", text_keys[i].key,
                        cap - 1);
        return 0;
    }
    return 1;
}

/* The words of a statement: w[0] the keyword, n of them. */
typedef int (*statement_fn)(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps,
                            char *err, size_t errlen);

static int parse_magic(char **w, size_t n, unsigned long ln, const struct parse_state *ps, char *err, size_t errlen)
{
    char *end;
    long ver;
    if (strcmp(w[0], MAGIC) != 0 || n != 2)
        return perr(err, errlen, ln, "not a gpu_profiler model (it must start with '%s %d')", MAGIC, VERSION);
    errno = 0;
    ver = strtol(w[1], &end, 10);
    if (*end || errno)
        return perr(err, errlen, ln, "format version '%s' is not a number", w[1]);
    if (ver != VERSION)
        return perr(err, errlen, ln, "format version %ld; this gpu_profiler reads version %d", ver, VERSION);
    ps->seen[K_MAGIC] = 1;
    return 0;
}

/* compute_capability, power_limit_w, idle_w */
static int st_number(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps, char *err,
                     size_t errlen)
{
    enum seen_key id = w[0][0] == 'c' ? K_CC : w[0][0] == 'p' ? K_LIMIT : K_IDLE;
    double v;
    if (n != 2 || parse_double(w[1], &v) != 0 || v <= 0 || v > 1e5)
        return perr(err, errlen, ln, "'%s' needs one positive number", w[0]);
    if (ps->seen[id]++)
        return perr(err, errlen, ln, "'%s' given twice", w[0]);
    if (id == K_CC)
        m->compute_capability = v;
    else if (id == K_LIMIT)
        m->power_limit_w = v;
    else
        m->idle_w = v;
    return 0;
}

static int st_feature(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps,
                      char *err, size_t errlen)
{
    size_t i;
    int f;
    if (n != 3)
        return perr(err, errlen, ln, "'feature' needs a feature name and a component name");
    if (ps->seen_target[0] || ps->seen_target[1] || ps->seen_target[2])
        return perr(err, errlen, ln, "features must come before the targets");
    if (m->nfeatures == MODEL_MAX_FEATURES)
        return perr(err, errlen, ln, "more than %d features", MODEL_MAX_FEATURES);
    f = features_find(w[1]);
    if (f < 0)
        return perr(err, errlen, ln, "unknown feature '%.40s' (see gpu_profiler --list-features)", w[1]);
    for (i = 0; i < m->nfeatures; i++)
        if (m->feature[i] == f)
            return perr(err, errlen, ln, "feature '%s' given twice", w[1]);
    if (!is_word(w[2]) || strcmp(w[2], "static") == 0)
        return perr(err, errlen, ln, "component '%.40s' must be 1-31 of a-z 0-9 _ and not 'static'", w[2]);
    m->feature[m->nfeatures] = f;
    m->feature_component[m->nfeatures] = add_component(m, w[2]);
    m->nfeatures++;
    return 0;
}

static int st_target(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps,
                     char *err, size_t errlen)
{
    size_t i;
    int t;
    if (n < 3 || (t = find_target(w[1])) < 0)
        return perr(err, errlen, ln, "'target' needs min, avg or peak and then numbers");
    if (ps->seen_target[t]++)
        return perr(err, errlen, ln, "target %s given twice", w[1]);
    if (n - 2 != m->nfeatures + 1)
        return perr(err, errlen, ln, "target %s has %zu numbers; with %zu features it needs %zu "
                    "(intercept first)", w[1], n - 2, m->nfeatures, m->nfeatures + 1);
    for (i = 2; i < n; i++)
        if (parse_double(w[i], &m->coef[t][i - 2]) != 0 || fabs(m->coef[t][i - 2]) > 1e6)
            return perr(err, errlen, ln, "target %s: '%.40s' is not a number of watts", w[1], w[i]);
    return 0;
}

static int st_cap_ratio(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps,
                        char *err, size_t errlen)
{
    double v;
    int t;
    (void)ps;
    if (n != 3 || (t = find_target(w[1])) < 0 || t == TARGET_AVG)
        return perr(err, errlen, ln, "'cap_ratio' needs min or peak and a number");
    if (parse_double(w[2], &v) != 0 || !(t == TARGET_MIN ? v > 0 && v <= 1 : v >= 1 && v <= 2))
        return perr(err, errlen, ln, "cap_ratio %s: '%.40s' must be %s", w[1], w[2],
                    t == TARGET_MIN ? "above 0 and at most 1" : "from 1 to 2");
    if (m->cap_ratio[t] > 0)
        return perr(err, errlen, ln, "cap_ratio %s given twice", w[1]);
    m->cap_ratio[t] = v;
    return 0;
}

static int st_gap(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps, char *err,
                  size_t errlen)
{
    double tau, tail;
    (void)ps;
    if (n != 3 || parse_double(w[1], &tau) != 0 || parse_double(w[2], &tail) != 0)
        return perr(err, errlen, ln, "'gap' needs a time constant in seconds and a tail fraction");
    if (!(tau > 0 && tau <= 10) || !(tail >= 0 && tail <= 2))
        return perr(err, errlen, ln, "gap: time constant %.40s s must be above 0 and at most 10, tail %.40s "
                    "from 0 to 2", w[1], w[2]);
    if (m->gap_tau_s > 0)
        return perr(err, errlen, ln, "'gap' given twice");
    m->gap_tau_s = tau;
    m->gap_tail = tail;
    return 0;
}

static int st_comm(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps, char *err,
                   size_t errlen)
{
    double v[TARGET_COUNT];
    int t;
    (void)ps;
    if (n != 1 + TARGET_COUNT)
        return perr(err, errlen, ln, "'comm' needs the min, avg and peak power in watts of a GPU in a collective");
    for (t = 0; t < TARGET_COUNT; t++)
        if (parse_double(w[1 + t], &v[t]) != 0 || !(v[t] > 0 && v[t] <= 5000))
            return perr(err, errlen, ln, "comm: '%.40s' is not a power above 0 and at most 5000 W", w[1 + t]);
    if (!(v[TARGET_MIN] <= v[TARGET_AVG] && v[TARGET_AVG] <= v[TARGET_PEAK]))
        return perr(err, errlen, ln, "comm: min %.40s, avg %.40s and peak %.40s W are not in that order", w[1], w[2],
                    w[3]);
    if (m->comm_w[TARGET_AVG] > 0)
        return perr(err, errlen, ln, "'comm' given twice");
    for (t = 0; t < TARGET_COUNT; t++)
        m->comm_w[t] = v[t];
    return 0;
}

static int st_stat(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps, char *err,
                   size_t errlen)
{
    double v;
    int t, k;
    if (n != 4 || (t = find_target(w[1])) < 0)
        return perr(err, errlen, ln, "'stat' needs a target (min, avg, peak), a name and a number");
    for (k = 0; k < STAT_COUNT; k++)
        if (strcmp(w[2], model_stat_names[k]) == 0)
            break;
    if (k == STAT_COUNT)
        return perr(err, errlen, ln, "unknown statistic '%.40s'", w[2]);
    if (parse_double(w[3], &v) != 0 || v < 0)
        return perr(err, errlen, ln, "statistic %s: '%.40s' is not a non-negative number", w[2], w[3]);
    if (ps->seen_stat[t][k]++)
        return perr(err, errlen, ln, "statistic %s %s given twice", w[1], w[2]);
    m->stat[t][k] = v;
    m->has_stat[t][k] = 1;
    return 0;
}

static int st_measured(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps,
                       char *err, size_t errlen)
{
    double v;
    int k;
    (void)ps;
    if (n != 3)
        return perr(err, errlen, ln, "'measured' needs a name and a number");
    for (k = 0; k < MEAS_COUNT; k++)
        if (strcmp(w[1], model_measured_names[k]) == 0)
            break;
    if (k == MEAS_COUNT)
        return perr(err, errlen, ln, "unknown measured figure '%.40s'", w[1]);
    if (parse_double(w[2], &v) != 0 || !(v >= 0 && v <= (k == MEAS_VALIDATION_N ? 1e6 : 1000)) ||
        (k == MEAS_VALIDATION_N && v != floor(v)))
        return perr(err, errlen, ln, "measured %s: '%.40s' is not %s", w[1], w[2],
                    k == MEAS_VALIDATION_N ? "a count" : "a percentage from 0 to 1000");
    if (m->has_measured[k])
        return perr(err, errlen, ln, "measured %s given twice", w[1]);
    m->measured[k] = v;
    m->has_measured[k] = 1;
    return 0;
}

static int st_board_adjust(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps,
                           char *err, size_t errlen)
{
    double scale, offset, loo = 0;
    (void)ps;
    if ((n != 3 && n != 4) || parse_double(w[1], &scale) != 0 || parse_double(w[2], &offset) != 0 ||
        (n == 4 && (parse_double(w[3], &loo) != 0 || !(loo >= 0 && loo <= 1000))))
        return perr(err, errlen, ln, "'board_adjust' needs a scale, an offset in watts and its error in %%");
    if (!(scale > 0 && scale <= 10) || !(offset >= -1000 && offset <= 1000))
        return perr(err, errlen, ln, "board_adjust: scale %.40s must be above 0 and at most 10, offset %.40s W "
                    "from -1000 to 1000", w[1], w[2]);
    if (m->board_scale > 0)
        return perr(err, errlen, ln, "'board_adjust' given twice");
    m->board_scale = scale;
    m->board_offset_w = offset;
    m->board_loo_pct = loo;
    return 0;
}

static int st_region_scale(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps,
                           char *err, size_t errlen)
{
    size_t i;
    (void)ps;
    if (n != m->nfeatures + 2 || !m->nfeatures)
        return perr(err, errlen, ln, "'region_scale' needs a floor in %% and one number per feature, after the "
                    "features");
    if (parse_double(w[1], &m->region_floor_pct) != 0 || !(m->region_floor_pct >= 0 && m->region_floor_pct <= 1000))
        return perr(err, errlen, ln, "region_scale: the floor '%.40s' must be from 0 to 1000 %%", w[1]);
    for (i = 0; i < m->nfeatures; i++)
        if (parse_double(w[i + 2], &m->region_scale[i]) != 0 || !(m->region_scale[i] > 0))
            return perr(err, errlen, ln, "region_scale: '%.40s' is not a number above 0", w[i + 2]);
    return 0;
}

static int st_region(struct model *m, char **w, size_t n, unsigned long ln, const struct parse_state *ps, char *err,
                     size_t errlen)
{
    size_t i, r = m->nregions;
    (void)ps;
    if (!(m->region_scale[0] > 0))
        return perr(err, errlen, ln, "'region' needs 'region_scale' before it");
    if (n != m->nfeatures + 3)
        return perr(err, errlen, ln, "'region' needs a name, an error in %% and one number per feature");
    if (r == MODEL_MAX_REGIONS)
        return perr(err, errlen, ln, "more than %d regions", MODEL_MAX_REGIONS);
    if (set_text(m->region_name[r], sizeof m->region_name[r], w[1]) != 0)
        return perr(err, errlen, ln, "region: a name of 1 to 15 characters");
    if (parse_double(w[2], &m->region_pct[r]) != 0 || !(m->region_pct[r] >= 0 && m->region_pct[r] <= 1000))
        return perr(err, errlen, ln, "region %s: its error '%.40s' must be from 0 to 1000 %%", w[1], w[2]);
    for (i = 0; i < m->nfeatures; i++)
        if (parse_double(w[i + 3], &m->region_center[r][i]) != 0)
            return perr(err, errlen, ln, "region %s: '%.40s' is not a number", w[1], w[i + 3]);
    m->nregions++;
    return 0;
}

static const struct { const char *keyword; statement_fn fn; } statements[] = {
    { "compute_capability", st_number }, { "power_limit_w", st_number }, { "idle_w", st_number },
    { "feature", st_feature },           { "target", st_target },        { "cap_ratio", st_cap_ratio },
    { "gap", st_gap },                   { "stat", st_stat },          { "board_adjust", st_board_adjust },
    { "region_scale", st_region_scale }, { "region", st_region },      { "comm", st_comm },
    { "measured", st_measured },
};

static int parse_line(struct model *m, char *line, unsigned long ln, unsigned char *seen,
                      unsigned char *seen_target, unsigned char seen_stat[][STAT_COUNT], char *err, size_t errlen)
{
    char *w[MODEL_MAX_FEATURES + 4];
    const struct parse_state ps = { seen, seen_target, seen_stat };
    size_t n, i;
    int rc = parse_text(m, line, ln, &ps, err, errlen);
    if (rc <= 0)
        return rc;
    n = split(line, w, sizeof w / sizeof w[0]);
    if (n == 0)
        return 0;
    if (n > sizeof w / sizeof w[0])
        return perr(err, errlen, ln, "too many words (a model has at most %d features)", MODEL_MAX_FEATURES);
    if (!seen[K_MAGIC])
        return parse_magic(w, n, ln, &ps, err, errlen);
    for (i = 0; i < sizeof statements / sizeof statements[0]; i++)
        if (strcmp(w[0], statements[i].keyword) == 0)
            return statements[i].fn(m, w, n, ln, &ps, err, errlen);
    return perr(err, errlen, ln, "unknown statement '%.40s'", w[0]);
}

/* What a model must say to be a power model: the GPU idles below its power
 * limit, and no target starts (its intercept, the static power) above it. */
static int check_physical(const struct model *m, char *err, size_t errlen)
{
    int t;
    if (m->idle_w > 0 && m->idle_w >= m->power_limit_w)
        return perr(err, errlen, 0, "idle_w %g W is not below power_limit_w %g W", m->idle_w, m->power_limit_w);
    for (t = 0; t < TARGET_COUNT; t++)
        if (m->coef[t][0] > m->power_limit_w)
            return perr(err, errlen, 0, "target %s: static power %g W is above power_limit_w %g W",
                        model_target_names[t], m->coef[t][0], m->power_limit_w);
    return 0;
}

int model_parse(const char *text, size_t len, struct model *m, char *err, size_t errlen)
{
    unsigned char seen[K_NKEYS] = { 0 };
    unsigned char seen_target[TARGET_COUNT] = { 0 };
    unsigned char seen_stat[TARGET_COUNT][STAT_COUNT] = { { 0 } };
    char line[MAX_LINE + 1];
    size_t pos = 0;
    unsigned long ln = 0;
    int t;

    memset(m, 0, sizeof *m);
    memcpy(m->component[0], "static", sizeof "static");
    m->ncomponents = 1;
    if (len > MODEL_MAX_BYTES)
        return perr(err, errlen, 0, "larger than %u bytes: not a model file", MODEL_MAX_BYTES);
    if (memchr(text, '\0', len))
        return perr(err, errlen, 0, "holds NUL bytes: not a model file");
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char *hash;
        ln++;
        if (l > MAX_LINE)
            return perr(err, errlen, ln, "line longer than %d bytes", MAX_LINE);
        memcpy(line, text + pos, l);
        line[l] = '\0';
        pos += l + (nl ? 1 : 0);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        if ((hash = strchr(line, '#')) != NULL)
            *hash = '\0';
        l = strlen(line);
        while (l && (line[l - 1] == ' ' || line[l - 1] == '\t'))
            line[--l] = '\0';
        if (parse_line(m, line, ln, seen, seen_target, seen_stat, err, errlen) != 0)
            return -1;
    }
    if (!seen[K_MAGIC])
        return perr(err, errlen, 0, "empty: not a gpu_profiler model");
    if (!seen[K_GPU] || !seen[K_LIMIT])
        return perr(err, errlen, 0, "missing '%s'", !seen[K_GPU] ? "gpu" : "power_limit_w");
    for (t = 0; t < TARGET_COUNT; t++)
        if (!seen_target[t])
            return perr(err, errlen, 0, "missing 'target %s'", model_target_names[t]);
    return check_physical(m, err, errlen);
}

int model_check_written(const struct model *m, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = plat_memstream_open();
    struct model back;
    int rc;
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = model_write(f, m);
    if (rc == 0)
        buf = textio_take(f, &len);
    if (fclose(f) != 0 || rc != 0 || !buf) {
        free(buf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = model_parse(buf, len, &back, err, errlen);
    free(buf);
    return rc;
}

/* A file given as a model that is an ncu CSV or another of the tool's files. */
static int not_a_model(const char *buf, size_t n, char *err, size_t errlen)
{
    static const struct { const char *prefix, *what; } kinds[] = {
        { "==", "an ncu CSV (or ncu's output), not a model: give it with -c FILE" },
        { "\"ID\"", "an ncu CSV, not a model: give it with -c FILE" },
        { "# gpu_profiler_dataset", "a calibration dataset, not a model: 'gpu_profiler fit FILE' makes one" },
        { "gpu_profiler_row,", "gpu_profiler's own CSV output, not a model" },
    };
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (n >= strlen(kinds[i].prefix) && memcmp(buf, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
            snprintf(err, errlen, "this is %s", kinds[i].what);
            return -1;
        }
    return 0;
}

int model_load(const char *path, struct model *m, char *err, size_t errlen)
{
    FILE *f = plat_fopen(path, "rb");
    char *buf;
    size_t n;
    int rc;
    if (!f)
        return perr(err, errlen, 0, "%s", strerror(errno));
    buf = malloc(MODEL_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return perr(err, errlen, 0, "out of memory");
    }
    n = fread(buf, 1, MODEL_MAX_BYTES + 1, f);
    if (ferror(f)) {
        rc = perr(err, errlen, 0, "%s", strerror(errno ? errno : EIO));
    } else {
        rc = not_a_model(buf, n, err, errlen) != 0 ? -1 : model_parse(buf, n, m, err, errlen);
    }
    free(buf);
    fclose(f);
    return rc;
}

/* The shortest of %.15g and %.17g that reads back as v: the measured
 * figures are written by hand as "7.1", and model_write gives them back so. */
static const char *shortest(char *buf, size_t len, double v)
{
    snprintf(buf, len, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, len, "%.17g", v);
    return buf;
}

int model_write(FILE *out, const struct model *m)
{
    char num[32];
    size_t i;
    int t, k;
    fprintf(out, "%s %d\n", MAGIC, VERSION);
    fprintf(out, "gpu %s\n", m->gpu);
    if (m->variant[0])
        fprintf(out, "variant %s\n", m->variant);
    if (m->compute_capability > 0)
        fprintf(out, "compute_capability %.17g\n", m->compute_capability);
    if (m->ncu_version[0])
        fprintf(out, "ncu_version %s\n", m->ncu_version);
    if (m->driver[0])
        fprintf(out, "driver %s\n", m->driver);
    if (m->created[0])
        fprintf(out, "created %s\n", m->created);
    if (m->dataset[0])
        fprintf(out, "dataset %s\n", m->dataset);
    if (m->cv_scheme[0])
        fprintf(out, "cv_scheme %s\n", m->cv_scheme);
    if (m->board[0])
        fprintf(out, "board %s\n", m->board);
    if (m->board_scale > 0)
        fprintf(out, "board_adjust %.17g %.17g %.17g\n", m->board_scale, m->board_offset_w, m->board_loo_pct);
    fprintf(out, "power_limit_w %.17g\n", m->power_limit_w);
    if (m->idle_w > 0)
        fprintf(out, "idle_w %.17g\n", m->idle_w);
    for (i = 0; i < m->nfeatures; i++)
        fprintf(out, "feature %s %s\n", features_table[m->feature[i]].name,
                m->component[m->feature_component[i]]);
    for (t = 0; t < TARGET_COUNT; t++) {
        fprintf(out, "target %s", model_target_names[t]);
        for (i = 0; i <= m->nfeatures; i++)
            fprintf(out, " %.17g", m->coef[t][i]);
        fputc('\n', out);
    }
    for (t = 0; t < TARGET_COUNT; t++)
        if (m->cap_ratio[t] > 0)
            fprintf(out, "cap_ratio %s %.17g\n", model_target_names[t], m->cap_ratio[t]);
    if (m->gap_tau_s > 0)
        fprintf(out, "gap %.17g %.17g\n", m->gap_tau_s, m->gap_tail);
    if (m->comm_w[TARGET_AVG] > 0)
        fprintf(out, "comm %.17g %.17g %.17g\n", m->comm_w[TARGET_MIN], m->comm_w[TARGET_AVG], m->comm_w[TARGET_PEAK]);
    for (t = 0; t < TARGET_COUNT; t++)
        for (k = 0; k < STAT_COUNT; k++)
            if (m->has_stat[t][k])
                fprintf(out, "stat %s %s %.17g\n", model_target_names[t], model_stat_names[k], m->stat[t][k]);
    for (k = 0; k < MEAS_COUNT; k++)
        if (m->has_measured[k])
            fprintf(out, "measured %s %s\n", model_measured_names[k], shortest(num, sizeof num, m->measured[k]));
    if (m->nregions) {
        fprintf(out, "region_scale %.17g", m->region_floor_pct);
        for (i = 0; i < m->nfeatures; i++)
            fprintf(out, " %.17g", m->region_scale[i]);
        fputc('\n', out);
    }
    for (k = 0; (size_t)k < m->nregions; k++) {
        fprintf(out, "region %s %.6g", m->region_name[k], m->region_pct[k]); /* fit rounds them so */
        for (i = 0; i < m->nfeatures; i++)
            fprintf(out, " %.6g", m->region_center[k][i]);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

double model_gap_power(const struct model *m, double before_w, double gap_s)
{
    double idle = m->idle_w, tau = m->gap_tau_s;
    if (!(gap_s > 0))
        return before_w;
    if (!(tau > 0) || !(before_w > idle))
        return idle > 0 ? idle : before_w;
    return idle + m->gap_tail * (before_w - idle) * tau / gap_s * (1 - exp(-gap_s / tau));
}

double model_interval_pct(const struct model *m, const double *x)
{
    double near_d[MODEL_INTERVAL_NEIGHBOURS], near_pct[MODEL_INTERVAL_NEIGHBOURS], pos, q;
    size_t r, i, k = 0, j;
    for (r = 0; r < m->nregions; r++) { /* the nearest configurations, by insertion */
        double d = 0;
        for (i = 0; i < m->nfeatures; i++) {
            double z = x[i] / m->region_scale[i] - m->region_center[r][i];
            d += z * z;
        }
        if (k == MODEL_INTERVAL_NEIGHBOURS && d >= near_d[k - 1])
            continue;
        for (j = k < MODEL_INTERVAL_NEIGHBOURS ? k++ : k - 1; j > 0 && near_d[j - 1] > d; j--) {
            near_d[j] = near_d[j - 1];
            near_pct[j] = near_pct[j - 1];
        }
        near_d[j] = d;
        near_pct[j] = m->region_pct[r];
    }
    if (k == 0)
        return 0;
    for (i = 1; i < k; i++) /* their errors in order */
        for (j = i; j > 0 && near_pct[j - 1] > near_pct[j]; j--) {
            double t = near_pct[j];
            near_pct[j] = near_pct[j - 1];
            near_pct[j - 1] = t;
        }
    pos = MODEL_INTERVAL_LEVEL * (double)(k - 1);
    j = (size_t)pos;
    q = j + 1 < k ? near_pct[j] + (pos - (double)j) * (near_pct[j + 1] - near_pct[j]) : near_pct[k - 1];
    return q > m->region_floor_pct ? q : m->region_floor_pct;
}

void model_predict(const struct model *m, const double *x, struct prediction *out)
{
    size_t i;
    int t;
    double dyn = 0;

    memset(out, 0, sizeof *out);
    out->interval_pct = model_interval_pct(m, x);
    for (t = 0; t < TARGET_COUNT; t++) {
        double p = m->coef[t][0];
        for (i = 0; i < m->nfeatures; i++)
            p += m->coef[t][i + 1] * x[i];
        if (t == TARGET_AVG)
            out->uncapped_w = p > 0 ? p : 0;
        if (p > m->power_limit_w) {
            p = m->power_limit_w;
            out->capped = 1;
        }
        if (p < 0)
            p = 0;
        out->power_w[t] = p;
    }
    /* at the limit, min and peak are the power management's swing around it */
    if (out->power_w[TARGET_AVG] >= m->power_limit_w) {
        if (m->cap_ratio[TARGET_MIN] > 0)
            out->power_w[TARGET_MIN] = m->power_limit_w * m->cap_ratio[TARGET_MIN];
        if (m->cap_ratio[TARGET_PEAK] > 0)
            out->power_w[TARGET_PEAK] = m->power_limit_w * m->cap_ratio[TARGET_PEAK];
    }
    /* a kernel's min and peak bracket its average, whatever the fits say */
    if (out->power_w[TARGET_MIN] > out->power_w[TARGET_AVG])
        out->power_w[TARGET_MIN] = out->power_w[TARGET_AVG];
    if (out->power_w[TARGET_PEAK] < out->power_w[TARGET_AVG])
        out->power_w[TARGET_PEAK] = out->power_w[TARGET_AVG];

    out->component_w[0] = m->coef[TARGET_AVG][0];
    for (i = 0; i < m->nfeatures; i++) {
        double w = m->coef[TARGET_AVG][i + 1] * x[i];
        out->component_w[m->feature_component[i]] += w;
        dyn += w;
    }
    /* When the average was capped (or floored), scale the components that
     * vary with activity so the breakdown still sums to the figure shown. */
    if (dyn != 0 && out->power_w[TARGET_AVG] != m->coef[TARGET_AVG][0] + dyn) {
        double k = (out->power_w[TARGET_AVG] - m->coef[TARGET_AVG][0]) / dyn;
        for (i = 1; i < m->ncomponents; i++)
            out->component_w[i] *= k;
    }
}
