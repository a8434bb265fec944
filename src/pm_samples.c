/* pm_samples: see pm_samples.h. */
#include "pm_samples.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void pm_samples_init(struct pm_samples *s)
{
    memset(s, 0, sizeof *s);
}

void pm_samples_free(struct pm_samples *s)
{
    size_t i, k;
    for (i = 0; i < s->ndev; i++) {
        struct pm_device *d = &s->dev[i];
        for (k = 0; k < d->nmetrics; k++)
            free(d->name[k]);
        free(d->start_ns);
        free(d->end_ns);
        free(d->value);
        free(d->restart_after);
    }
    for (i = 0; i < s->nnotes; i++)
        free(s->note[i]);
    pm_samples_init(s);
}

static struct pm_device *find_device(struct pm_samples *s, int device)
{
    size_t i;
    for (i = 0; i < s->ndev; i++)
        if (s->dev[i].device == device)
            return &s->dev[i];
    return NULL;
}

const struct pm_device *pm_samples_device(const struct pm_samples *s, int device)
{
    size_t i;
    for (i = 0; i < s->ndev; i++)
        if (s->dev[i].device == device)
            return &s->dev[i];
    return NULL;
}

const char *pm_samples_stop_note(const struct pm_samples *s, int device)
{
    char want[64];
    size_t i, n;
    snprintf(want, sizeof want, "pm_error device %d decode:", device);
    n = strlen(want);
    for (i = 0; i < s->nnotes; i++)
        if (strncmp(s->note[i], want, n) == 0)
            return s->note[i] + n - strlen("decode:");
    return NULL;
}

/* "# pm device D interval_ns I chip C metrics N NAME..." */
static int read_header(struct pm_samples *s, const char *line, char *why, size_t whylen)
{
    int device, used = 0;
    long long interval;
    char chip[32];
    size_t n, k;
    struct pm_device *d;
    const char *p;
    if (sscanf(line, "# pm device %d interval_ns %lld chip %31s metrics %zu %n", &device, &interval, chip, &n,
               &used) != 4 || !used || device < 0 || interval <= 0 || n == 0 || n > PM_MAX_METRICS) {
        snprintf(why, whylen, "expected '# pm device D interval_ns I chip C metrics N NAME...' (N 1 to %d)",
                 PM_MAX_METRICS);
        return -1;
    }
    if ((d = find_device(s, device)) != NULL) /* a second process: its samples must match */
        return d->nmetrics == n ? 1 : (snprintf(why, whylen, "device %d sampled twice with other counters", device), -1);
    if (s->ndev == PM_MAX_DEVICES) {
        snprintf(why, whylen, "more than %d sampled devices", PM_MAX_DEVICES);
        return -1;
    }
    d = &s->dev[s->ndev];
    memset(d, 0, sizeof *d);
    d->device = device;
    d->interval_ns = interval;
    snprintf(d->chip, sizeof d->chip, "%s", chip);
    for (p = line + used, k = 0; k < n; k++) {
        size_t len = strcspn(p, " ");
        if (!len || !(d->name[k] = malloc(len + 1))) {
            snprintf(why, whylen, len ? "out of memory" : "fewer counter names than the header says");
            while (k--)
                free(d->name[k]);
            return -1;
        }
        memcpy(d->name[k], p, len);
        d->name[k][len] = '\0';
        d->metric[k] = features_metric_by_sampled(d->name[k]);
        d->nmetrics = k + 1;
        p += len;
        while (*p == ' ')
            p++;
    }
    s->ndev++;
    return 1;
}

static int grow(struct pm_device *d)
{
    size_t cap = d->cap ? 2 * d->cap : 4096;
    long long *a = realloc(d->start_ns, cap * sizeof *a), *b;
    float *v;
    unsigned char *r;
    if (!a)
        return -1;
    d->start_ns = a;
    if (!(b = realloc(d->end_ns, cap * sizeof *b)))
        return -1;
    d->end_ns = b;
    if (!(v = realloc(d->value, cap * d->nmetrics * sizeof *v)))
        return -1;
    d->value = v;
    if (!(r = realloc(d->restart_after, cap)))
        return -1;
    d->restart_after = r;
    d->cap = cap;
    return 0;
}

/* "M D START END V1 ... VN" */
static int read_sample(struct pm_samples *s, const char *line, char *why, size_t whylen)
{
    char *end;
    const char *p = line + 2;
    long device;
    long long a, b;
    struct pm_device *d;
    size_t k;
    errno = 0;
    device = strtol(p, &end, 10);
    if (end == p || *end != ' ' || !(d = find_device(s, (int)device))) {
        snprintf(why, whylen, "a sample of a device that no '# pm device' line named before");
        return -1;
    }
    a = strtoll(p = end + 1, &end, 10);
    if (end == p || *end != ' ')
        goto bad;
    b = strtoll(p = end + 1, &end, 10);
    if (end == p || errno)
        goto bad;
    if (d->n == PM_MAX_SAMPLES) {
        snprintf(why, whylen, "more than %d samples of device %d", PM_MAX_SAMPLES, d->device);
        return -1;
    }
    if (d->n == d->cap && grow(d) != 0) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    for (k = 0; k < d->nmetrics; k++) {
        double v = strtod(p = end, &end);
        if (end == p || !isfinite(v))
            goto bad;
        d->value[d->n * d->nmetrics + k] = (float)v;
    }
    while (*end == ' ')
        end++;
    if (*end)
        goto bad;
    d->start_ns[d->n] = a;
    d->end_ns[d->n] = b;
    d->restart_after[d->n] = 0;
    d->n++;
    return 1;
bad:
    snprintf(why, whylen, "expected 'M DEVICE START_NS END_NS' and %zu counter values", d->nmetrics);
    return -1;
}

static int keep_note(struct pm_samples *s, const char *line)
{
    size_t len = strlen(line + 2);
    if (s->nnotes == PM_MAX_NOTES)
        return 1; /* the first ones say enough */
    if (!(s->note[s->nnotes] = malloc(len + 1)))
        return 1;
    memcpy(s->note[s->nnotes++], line + 2, len + 1);
    return 1;
}

/* "# pm_restart device D after_ns T decode: WHY": the mark on D's last
 * sample read if it ended at T (the tracer wrote it after that sample). */
static int read_restart(struct pm_samples *s, const char *line, char *why, size_t whylen)
{
    int device, used = 0;
    long long after;
    struct pm_device *d;
    if (sscanf(line, "# pm_restart device %d after_ns %lld %n", &device, &after, &used) != 2 || !used) {
        snprintf(why, whylen, "expected '# pm_restart device D after_ns T ...'");
        return -1;
    }
    if (!(d = find_device(s, device)))
        return 1; /* before the device's header: nothing to mark */
    if (d->restarts++ == 0)
        snprintf(d->restart_why, sizeof d->restart_why, "%s", line + used);
    if (d->n > 0 && d->end_ns[d->n - 1] == after)
        d->restart_after[d->n - 1] = 1;
    return 1;
}

int pm_samples_line(struct pm_samples *s, const char *line, char *why, size_t whylen)
{
    if (line[0] == 'M' && line[1] == ' ')
        return read_sample(s, line, why, whylen);
    if (strncmp(line, "# pm_restart ", 13) == 0)
        return read_restart(s, line, why, whylen);
    if (strncmp(line, "# pm device ", 12) == 0)
        return read_header(s, line, why, whylen);
    if (strncmp(line, "# pm_", 5) == 0)
        return keep_note(s, line);
    return 0;
}

void pm_samples_mark(const struct pm_samples *s, size_t *first)
{
    size_t i;
    for (i = 0; i < PM_MAX_DEVICES; i++)
        first[i] = i < s->ndev ? s->dev[i].n : 0;
}

void pm_samples_move(struct pm_samples *s, const size_t *first, double c0, double m0, double rate)
{
    size_t i, j;
    for (i = 0; i < s->ndev; i++) {
        struct pm_device *d = &s->dev[i];
        for (j = first[i]; j < d->n; j++) {
            d->start_ns[j] = (long long)llround(m0 + ((double)d->start_ns[j] - c0) * rate);
            d->end_ns[j] = (long long)llround(m0 + ((double)d->end_ns[j] - c0) * rate);
        }
    }
}

/* insertion into order: the decoder writes them in order, so this is linear */
static void sort_device(struct pm_device *d)
{
    size_t i, j, k, m = d->nmetrics;
    float row[PM_MAX_METRICS];
    for (i = 1; i < d->n; i++) {
        long long a = d->start_ns[i], b = d->end_ns[i];
        unsigned char r = d->restart_after[i];
        if (d->start_ns[i - 1] <= a)
            continue;
        memcpy(row, d->value + i * m, m * sizeof *row);
        for (j = i; j > 0 && d->start_ns[j - 1] > a; j--) {
            d->start_ns[j] = d->start_ns[j - 1];
            d->end_ns[j] = d->end_ns[j - 1];
            d->restart_after[j] = d->restart_after[j - 1];
            for (k = 0; k < m; k++)
                d->value[j * m + k] = d->value[(j - 1) * m + k];
        }
        d->start_ns[j] = a;
        d->end_ns[j] = b;
        d->restart_after[j] = r;
        memcpy(d->value + j * m, row, m * sizeof *row);
    }
}

void pm_samples_tidy(struct pm_samples *s)
{
    size_t i, j, kept;
    for (i = 0; i < s->ndev; i++) {
        struct pm_device *d = &s->dev[i];
        for (j = kept = 0; j < d->n; j++) {
            long long len = d->end_ns[j] - d->start_ns[j];
            if (len <= 0 || len > 100 * d->interval_ns)
                continue;
            d->start_ns[kept] = d->start_ns[j];
            d->end_ns[kept] = d->end_ns[j];
            d->restart_after[kept] = d->restart_after[j];
            memmove(d->value + kept * d->nmetrics, d->value + j * d->nmetrics, d->nmetrics * sizeof *d->value);
            kept++;
        }
        d->n = kept;
        sort_device(d);
    }
}

void pm_samples_write(FILE *f, const struct pm_samples *s)
{
    size_t i, j, k;
    for (i = 0; i < s->nnotes; i++)
        fprintf(f, "# %s\n", s->note[i]);
    for (i = 0; i < s->ndev; i++) {
        const struct pm_device *d = &s->dev[i];
        fprintf(f, "# pm device %d interval_ns %lld chip %s metrics %zu", d->device, d->interval_ns, d->chip,
                d->nmetrics);
        for (k = 0; k < d->nmetrics; k++)
            fprintf(f, " %s", d->name[k]);
        fputc('\n', f);
    }
    for (i = 0; i < s->ndev; i++) {
        const struct pm_device *d = &s->dev[i];
        size_t marks = 0;
        for (j = 0; j < d->n; j++) {
            fprintf(f, "M %d %lld %lld", d->device, d->start_ns[j], d->end_ns[j]);
            for (k = 0; k < d->nmetrics; k++)
                fprintf(f, " %.6g", (double)d->value[j * d->nmetrics + k]);
            fputc('\n', f);
            if (d->restart_after[j]) {
                fprintf(f, "# pm_restart device %d after_ns %lld %s\n", d->device, d->end_ns[j], d->restart_why);
                marks++;
            }
        }
        /* the restarts that mark no sample (before the first, or after one
         * tidy dropped) still count: after_ns 0, as the tracer writes a
         * restart before its first sample */
        for (; marks < d->restarts; marks++)
            fprintf(f, "# pm_restart device %d after_ns 0 %s\n", d->device, d->restart_why);
    }
}

void pm_samples_values(const struct pm_device *d, size_t i, double *value, unsigned char *have)
{
    size_t k;
    memset(have, 0, M_COUNT);
    for (k = 0; k < d->nmetrics; k++)
        if (d->metric[k] >= 0) {
            value[d->metric[k]] = d->value[i * d->nmetrics + k];
            have[d->metric[k]] = 1;
        }
    if (have[M_SM_CLOCK]) {
        value[M_SM_ELAPSED_CYC] = value[M_SM_CLOCK] * (double)(d->end_ns[i] - d->start_ns[i]) * 1e-9;
        have[M_SM_ELAPSED_CYC] = 1;
    }
}
