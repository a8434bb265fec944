/* estimate: per-kernel and per-device power and energy; see estimate.h. */
#include "estimate.h"

#include "plat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feature_table.h"

/* Kernel names repeat (one per launch); keep one copy of each. */
struct intern {
    char **slot;
    size_t cap, used;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const char *intern(struct intern **tp, const char *s)
{
    struct intern *t = *tp;
    size_t i, mask;
    char *copy;
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t)
            return NULL;
        *tp = t;
    }
    if (t->used * 2 >= t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 256;
        char **ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (i = 0; i < t->cap; i++)
            if (t->slot[i]) {
                size_t j = (size_t)hash_str(t->slot[i]) & (ncap - 1);
                while (ns[j])
                    j = (j + 1) & (ncap - 1);
                ns[j] = t->slot[i];
            }
        free(t->slot);
        t->slot = ns;
        t->cap = ncap;
    }
    mask = t->cap - 1;
    for (i = (size_t)hash_str(s) & mask; t->slot[i]; i = (i + 1) & mask)
        if (strcmp(t->slot[i], s) == 0)
            return t->slot[i];
    copy = strdup(s);
    if (!copy)
        return NULL;
    t->slot[i] = copy;
    t->used++;
    return copy;
}

static void intern_free(struct intern *t)
{
    size_t i;
    if (!t)
        return;
    for (i = 0; i < t->cap; i++)
        free(t->slot[i]);
    free(t->slot);
    free(t);
}

void estimate_init(struct estimate *e, const struct model *model)
{
    memset(e, 0, sizeof *e);
    e->model = model;
}

void estimate_reset(struct estimate *e)
{
    struct estimate keep = *e;
    estimate_free(e);
    estimate_init(e, keep.model);
    e->variant = keep.variant;
    e->sample_weight = keep.sample_weight;
    e->sample_every = keep.sample_every;
    e->aggregate_top = keep.aggregate_top;
    e->board[0] = keep.board[0];
    e->board[1] = keep.board[1];
}

int estimate_richest_tier(unsigned tiers)
{
    size_t t;
    for (t = 0; t < features_tier_count && t < ESTIMATE_MAX_TIERS; t++) /* richest first */
        if (tiers >> t & 1u)
            return (int)t;
    return -1;
}

void estimate_free(struct estimate *e)
{
    size_t i;
    if (!e)
        return;
    free(e->kernels);
    free(e->component_w);
    for (i = 0; i < e->ndevices; i++)
        window_free(&e->devices[i].stream);
    free(e->devices);
    free(e->dev_slot);
    estimate_names_free(&e->by_name);
    intern_free(e->names);
    memset(e, 0, sizeof *e);
}

const double *estimate_components(const struct estimate *e, size_t kernel)
{
    return e->component_w + kernel * e->used->ncomponents;
}

struct run {
    struct estimate *e;
    int rc;
    char *err;
    size_t errlen;
    int first_of_input;  /* the next kernel is its input's first */
};

/* GPUs of one chip that the details page (which names no GPU) tells apart
 * by their memory clock: DRAM Frequency on the fixtures of each, 2.62 GHz
 * (H100 SXM, HBM3) and 3.20 GHz (H200, HBM3e). */
static const struct {
    const char *gpu;
    double cc, dram_hz;
} known_gpus[] = {
    { "NVIDIA H100 80GB HBM3", 9.0, 2.619e9 },
    { "NVIDIA H200", 9.0, 3.199e9 },
};

/* The GPU whose compute capability and DRAM clock (within 3%) the kernel
 * has, or NULL. */
static const char *gpu_by_dram_clock(const struct ncu_kernel *k)
{
    size_t i;
    if (!k->have[M_DRAM_CLOCK])
        return NULL;
    for (i = 0; i < sizeof known_gpus / sizeof known_gpus[0]; i++)
        if (fabs(k->cc - known_gpus[i].cc) < 0.05 &&
            fabs(k->value[M_DRAM_CLOCK] - known_gpus[i].dram_hz) < 0.03 * known_gpus[i].dram_hz)
            return known_gpus[i].gpu;
    return NULL;
}

/* The built-in model of variant for the kernel's GPU: the one it names, or
 * the one its DRAM clock says (*guessed = GPU_BY_DRAM_CLOCK), or else the
 * first of that variant (*guessed = GPU_FIRST_MODEL); NULL when that GPU
 * has no model of that variant. */
static const struct model *builtin_of(const struct ncu_kernel *k, const char *variant, int *guessed)
{
    size_t i;
    const char *by_clock;
    *guessed = GPU_NAMED;
    if (k->gpu_name[0])
        return model_builtin_for(k->gpu_name, variant);
    if ((by_clock = gpu_by_dram_clock(k))) { /* never another GPU's model of this tier */
        *guessed = GPU_BY_DRAM_CLOCK;
        return model_builtin_for(by_clock, variant);
    }
    for (i = 0; i < model_builtin_count(); i++)
        if (strcmp(model_builtin(i)->variant, variant) == 0) {
            *guessed = GPU_FIRST_MODEL;
            return model_builtin(i);
        }
    return NULL;
}

static int model_fits(const struct model *m, const struct ncu_kernel *k)
{
    size_t i;
    if (!k->have[M_DURATION])
        return 0;
    for (i = 0; i < m->nfeatures; i++)
        if (!features_available((size_t)m->feature[i], k->have))
            return 0;
    return 1;
}

static const char *tier_variant(int tier)
{
    return tier <= 0 ? "" : features_tiers[tier].name;
}

/* Appends " RAW" for metric m, with " (SECTION: NAME)" where the details
 * page prints it and details asks for it. */
static size_t put_metric(char *buf, size_t len, size_t off, int m, int details)
{
    const struct metric_def *md = &features_metrics[m];
    if (off >= len)
        return off;
    if (details && md->section)
        return off + (size_t)snprintf(buf + off, len - off, " %s (%s: %s)", md->raw, md->section, md->name);
    return off + (size_t)snprintf(buf + off, len - off, " %s", md->raw);
}

/* For -v: what each tier's model lacks, with the details page's names. */
static void describe_missing(const struct ncu_kernel *k, char *buf, size_t len)
{
    size_t t, i, off = 0;
    int guessed;
    buf[0] = '\0';
    for (t = features_tier_count; t-- > 0 && off < len;) { /* the least first */
        const struct model *m = builtin_of(k, tier_variant((int)t), &guessed);
        unsigned char listed[M_COUNT] = { 0 };
        if (!m)
            continue;
        off += (size_t)snprintf(buf + off, len - off, "%stier %s lacks", off ? "; " : "", features_tiers[t].name);
        if (!k->have[M_DURATION])
            off = put_metric(buf, len, off, M_DURATION, 1);
        for (i = 0; i < m->nfeatures && off < len; i++) {
            int need[4], j, nneed = features_needs((size_t)m->feature[i], need);
            for (j = 0; j < nneed && off < len; j++) {
                if (k->have[need[j]] || listed[need[j]])
                    continue;
                listed[need[j]] = 1;
                off = put_metric(buf, len, off, need[j], 1);
            }
        }
    }
}

/* No tier fits: say what the file is and what would serve. */
static int no_tier(struct run *run, const struct ncu_kernel *k)
{
    char kind[96];
    ncu_describe_export(k, kind, sizeof kind);
    describe_missing(k, run->e->missing_detail, sizeof run->e->missing_detail);
    snprintf(run->err, run->errlen,
             "a %s: too few metrics for any model (tier basic needs Speed Of Light and Occupancy); record "
             "them with 'ncu --set basic --csv APP > FILE.csv' or, most accurate, 'gpu_profiler -a APP'; "
             "-v lists what is missing",
             kind);
    return ESTIMATE_ERR_MISSING;
}

/* No built-in model for the file's GPU: which GPUs have one, and how to
 * make one for this GPU (calibrate, about 6 minutes on it). */
static int no_model(struct run *run, const struct ncu_kernel *k, const char *variant)
{
    const char *gpu = k->gpu_name[0] ? k->gpu_name : gpu_by_dram_clock(k);
    char have[512];
    size_t o = 0;
    if (model_builtin_gpus(have, sizeof have) == 0)
        snprintf(have, sizeof have, "none");
    if (gpu)
        o = (size_t)snprintf(run->err, run->errlen, "no built-in %s%smodel for '%s'%s (built-in models: %s); ",
                             variant, variant[0] ? " " : "", gpu,
                             k->gpu_name[0] ? "" : " (the GPU of the file's DRAM clock)", have);
    else
        o = (size_t)snprintf(run->err, run->errlen, "this gpu_profiler has no built-in %s%smodel (built-in "
                             "models: %s); ", variant, variant[0] ? " " : "", have);
    if (o < run->errlen)
        snprintf(run->err + o, run->errlen - o, "make one with 'gpu_profiler calibrate -o my_gpu.model' on that GPU "
                 "(about 6 minutes) and pass it with --model my_gpu.model");
    return ESTIMATE_ERR_MODEL;
}

/* The board's adjusted model in place of built-in model m, where the run
 * has one of m's GPU and variant (e->board, calibrate --quick). */
static const struct model *on_this_board(const struct estimate *e, const struct model *m)
{
    size_t i;
    for (i = 0; m && i < 2; i++)
        if (e->board[i] && strcmp(e->board[i]->gpu, m->gpu) == 0 && strcmp(e->board[i]->variant, m->variant) == 0)
            return e->board[i];
    return m;
}

/* The spread the error bars add for the board: a shipped model was made
 * on another board than the user's (its measured board_spread_pct); an
 * adjusted one has its fit's error; a model calibrate made was made on the
 * board it is used on. */
static void choose_board_spread(struct estimate *e)
{
    if (e->used->board[0] && e->used->board_scale > 0)
        e->board_spread_pct = e->used->board_loo_pct;
    else
        e->board_spread_pct = fmax(model_measured(e->used, MEAS_BOARD_SPREAD), 0);
}

static int choose_model_of(struct run *run, const struct ncu_kernel *k);

/* The run's model, at its first kernel: --model, the forced tier, or the
 * richest tier whose metrics the kernel has (this board's, where it has
 * one). */
static int choose_model(struct run *run, const struct ncu_kernel *k)
{
    int rc = choose_model_of(run, k);
    if (rc == 0)
        choose_board_spread(run->e);
    return rc;
}

static int choose_model_of(struct run *run, const struct ncu_kernel *k)
{
    struct estimate *e = run->e;
    size_t t;
    int guessed;
    ncu_describe_export(k, e->export_kind, sizeof e->export_kind);
    /* the tiers every kernel allows, beginning with this one's GPU's models (note_tiers) */
    e->tiers_all = 0;
    for (t = 0; !e->model && t < features_tier_count && t < ESTIMATE_MAX_TIERS; t++)
        if ((e->tier_model[t] = builtin_of(k, tier_variant((int)t), &guessed)))
            e->tiers_all |= 1u << t;
    if (e->model) {
        e->used = e->model;
        e->tier = features_tier_of_variant(e->model->variant);
        return 0;
    }
    if (e->variant) {
        const char *v = strcmp(e->variant, "raw") == 0 ? "" : e->variant;
        e->used = on_this_board(e, builtin_of(k, v, &e->model_guessed));
        e->tier = features_tier_of_variant(v);
        return e->used ? 0 : no_model(run, k, v);
    }
    if (!builtin_of(k, "", &e->model_guessed))
        return no_model(run, k, "");
    for (t = 0; t < features_tier_count; t++) {
        const struct model *m = builtin_of(k, tier_variant((int)t), &e->model_guessed);
        if (m && model_fits(m, k)) {
            e->used = on_this_board(e, m);
            e->tier = (int)t;
            return 0;
        }
    }
    return no_tier(run, k);
}

/* A device's identity: host and GPU name (interned: compared by address),
 * then its PCI location where the CSV has one, else its number and file. */
struct dev_key {
    const char *host, *gpu;
    long long device;
    long long pci;
    size_t file;
};

static size_t dev_hash(const struct dev_key *k)
{
    uint64_t h = (uint64_t)(uintptr_t)k->host * 0x9e3779b97f4a7c15ull;
    h ^= (uint64_t)(uintptr_t)k->gpu + 0x7f4a7c15ull + (h << 6) + (h >> 2);
    h ^= (uint64_t)(k->pci >= 0 ? k->pci : k->device) * 0xbf58476d1ce4e5b9ull + (h << 6) + (h >> 2);
    h ^= (uint64_t)(k->pci >= 0 ? 0 : k->file) * 0x94d049bb133111ebull + (h << 6) + (h >> 2);
    return (size_t)(h ^ (h >> 31));
}

static int dev_is(const struct device_result *d, const struct dev_key *k)
{
    if (d->host != k->host || d->gpu != k->gpu || (d->pci >= 0) != (k->pci >= 0))
        return 0;
    return k->pci >= 0 ? d->pci == k->pci : d->device == k->device && d->file == k->file;
}

static struct dev_key key_of(const struct device_result *d)
{
    struct dev_key k = { d->host, d->gpu, d->device, d->pci, d->file };
    return k;
}

/* Twice the slots, the devices placed again. 0, or -1 out of memory. */
static int devices_rehash(struct estimate *e)
{
    size_t ns = e->ndev_slots ? 2 * e->ndev_slots : 64, *slot = calloc(ns, sizeof *slot), i, j;
    if (!slot)
        return -1;
    for (i = 0; i < e->ndevices; i++) {
        struct dev_key k = key_of(&e->devices[i]);
        for (j = dev_hash(&k) & (ns - 1); slot[j]; j = (j + 1) & (ns - 1))
            ;
        slot[j] = i + 1;
    }
    free(e->dev_slot);
    e->dev_slot = slot;
    e->ndev_slots = ns;
    return 0;
}

static struct device_result *device_add(struct estimate *e, const struct dev_key *k, size_t slot)
{
    struct device_result *d;
    if (e->ndevices == e->devices_cap) { /* doubled: one more each time copies n^2 bytes */
        size_t ncap = e->devices_cap ? 2 * e->devices_cap : 8;
        if (!(d = realloc(e->devices, ncap * sizeof *d)))
            return NULL;
        e->devices = d;
        e->devices_cap = ncap;
    }
    if (e->ndevices == 0 || (e->nhosts == 1 && k->host != e->devices[0].host))
        e->nhosts++; /* a second host: that there are several is what matters */
    d = &e->devices[e->ndevices++];
    memset(d, 0, sizeof *d);
    d->device = k->device;
    d->host = k->host;
    d->gpu = k->gpu;
    d->pci = k->pci;
    d->file = k->file;
    window_init(&d->stream, ESTIMATE_WINDOW_S);
    d->power_w[TARGET_MIN] = -1;
    e->dev_slot[slot] = e->ndevices;
    return d;
}

/* The kernel's device, found in constant time (issue 32: a search per
 * kernel took 320 s for 10^5 devices); NULL out of memory. */
static struct device_result *device_for(struct estimate *e, const struct ncu_kernel *k)
{
    struct dev_key key;
    size_t j;
    key.host = intern(&e->names, k->host);
    key.gpu = intern(&e->names, k->gpu_name);
    key.device = k->device;
    key.pci = k->pci;
    key.file = e->nfiles;
    if (!key.host || !key.gpu)
        return NULL;
    if (2 * (e->ndevices + 1) > e->ndev_slots && devices_rehash(e) != 0)
        return NULL;
    for (j = dev_hash(&key) & (e->ndev_slots - 1); e->dev_slot[j]; j = (j + 1) & (e->ndev_slots - 1))
        if (dev_is(&e->devices[e->dev_slot[j] - 1], &key))
            return &e->devices[e->dev_slot[j] - 1];
    return device_add(e, &key, j);
}

/* How many invocations each kernel of the CSV stands for (--sample). */
static double weight(const struct estimate *e)
{
    return e->sample_weight > 1 ? e->sample_weight : 1.0;
}

static int add_launch(struct run *run, const struct ncu_kernel *k, const struct prediction *p);

/* One job, one GPU model: kernels of another GPU than the first input's
 * are refused, naming both (issue 32: they were estimated with the first
 * GPU's model and merged into its device). */
static int same_gpu(struct run *run, const struct ncu_kernel *k)
{
    struct estimate *e = run->e;
    const char *gpu = k->gpu_name[0] ? k->gpu_name : gpu_by_dram_clock(k);
    if (!gpu)
        return 0; /* a GPU the file does not tell */
    if (!e->job_gpu) {
        if (!(e->job_gpu = intern(&e->names, gpu)))
            return run->rc = ESTIMATE_ERR_NOMEM;
        e->job_gpu_file = e->nfiles;
        return 0;
    }
    if (strcmp(gpu, e->job_gpu) == 0)
        return 0;
    snprintf(run->err, run->errlen,
             "line %lu: a kernel on %s%s, but %s ran on %s: one run of gpu_profiler estimates one kind of GPU "
             "(its model); give each GPU's files to a run of its own", k->line, gpu,
             k->gpu_name[0] ? "" : " (by its DRAM clock)",
             e->job_gpu_file == e->nfiles ? "the file's first kernels" : "the first input's kernels", e->job_gpu);
    return run->rc = ESTIMATE_ERR_INPUT;
}

/* Clears the bits of estimate.tiers_all whose model lacks a metric of k:
 * what is left holds for every kernel, the tier to read the inputs again
 * with where the first kernel's tier does not hold for a later one. */
static void note_tiers(struct estimate *e, const struct ncu_kernel *k)
{
    size_t t;
    for (t = 0; e->tiers_all && t < features_tier_count && t < ESTIMATE_MAX_TIERS; t++)
        if ((e->tiers_all >> t & 1u) && !model_fits(e->tier_model[t], k))
            e->tiers_all &= ~(1u << t);
}

static int on_kernel(void *ctx, const struct ncu_kernel *k)
{
    struct run *run = ctx;
    struct estimate *e = run->e;
    const struct model *m;
    double x[MODEL_MAX_FEATURES];
    struct prediction p;
    size_t i;
    int missing = 0;

    if (!e->used && (run->rc = choose_model(run, k)) != 0)
        return run->rc;
    if (same_gpu(run, k) != 0)
        return run->rc;
    note_tiers(e, k);
    if (run->first_of_input) { /* inputs of several kinds: say so, not the first one's kind */
        char kind[sizeof e->export_kind];
        ncu_describe_export(k, kind, sizeof kind);
        if (strcmp(kind, e->export_kind) != 0)
            snprintf(e->export_kind, sizeof e->export_kind, "inputs of several kinds");
        run->first_of_input = 0;
    }
    m = e->used;
    for (i = 0; i < NCU_RULE_COUNT; i++) {
        e->rules_read[i] += (k->rules >> i) & 1u;
        e->rules_not_understood[i] += (k->rules_not_understood >> i) & 1u;
    }
    if (!e->first_gpu[0] && k->gpu_name[0])
        snprintf(e->first_gpu, sizeof e->first_gpu, "%s", k->gpu_name);

    if (!k->have[M_DURATION]) {
        e->missing[M_DURATION]++;
        missing = 1;
    }
    for (i = 0; i < m->nfeatures; i++) {
        if (features_compute((size_t)m->feature[i], k->value, k->have, &x[i]) != 0) {
            int need[4], j, nneed = features_needs((size_t)m->feature[i], need);
            for (j = 0; j < nneed && k->have[need[j]]; j++)
                ;
            if (j < nneed) {
                e->missing[need[j]]++;
                missing = 1;
            } else {
                x[i] = 0; /* a zero denominator: no cycles elapsed, no activity */
            }
        }
    }
    if (missing) {
        e->kernels_missing++;
        return 0;
    }

    model_predict(m, x, &p);
    if (p.interval_pct > 0 && e->board_spread_pct > 0) /* another board's model: its spread too */
        p.interval_pct = sqrt(p.interval_pct * p.interval_pct + e->board_spread_pct * e->board_spread_pct);
    return add_launch(run, k, &p);
}

/* Room for one more stored launch. Returns 0, or -1 out of memory. */
static int grow_kernels(struct estimate *e, size_t nc)
{
    size_t ncap = e->cap ? e->cap * 2 : 64;
    struct kernel_result *nk;
    double *ncw;
    if (e->nkernels < e->cap)
        return 0;
    nk = realloc(e->kernels, ncap * sizeof *nk);
    if (!nk)
        return -1;
    e->kernels = nk;
    ncw = realloc(e->component_w, ncap * nc * sizeof *ncw);
    if (!ncw)
        return -1;
    e->component_w = ncw;
    e->cap = ncap;
    return 0;
}

/* Stores a launch: every one, or in aggregate mode only while it is among
 * the aggregate_top of most energy (replacing the least). */
static int store_launch(struct estimate *e, const struct kernel_result *r, const double *cw, size_t nc)
{
    size_t slot = e->nkernels, i;
    if (e->aggregate_top && e->nkernels == e->aggregate_top) {
        for (slot = 0, i = 1; i < e->nkernels; i++)
            if (e->kernels[i].energy_j < e->kernels[slot].energy_j)
                slot = i;
        if (!(r->energy_j > e->kernels[slot].energy_j))
            return 0;
    } else if (grow_kernels(e, nc) != 0) {
        return -1;
    } else {
        e->nkernels++;
    }
    e->kernels[slot] = *r;
    memcpy(e->component_w + slot * nc, cw, nc * sizeof(double));
    return 0;
}

static size_t name_hash(const char *interned)
{
    return ((size_t)(uintptr_t)interned >> 4) * 0x9e3779b97f4a7c15u;
}

/* Twice the slots, the names placed again. Returns 0, or -1 out of memory. */
static int names_rehash(struct estimate_names *t)
{
    size_t ns = t->nslots ? 2 * t->nslots : 64, *slot = calloc(ns, sizeof *slot), i, j;
    if (!slot)
        return -1;
    for (i = 0; i < t->n; i++) {
        for (j = name_hash(t->v[i].name) & (ns - 1); slot[j]; j = (j + 1) & (ns - 1))
            ;
        slot[j] = i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->nslots = ns;
    return 0;
}

int estimate_names_add(struct estimate_names *t, const struct kernel_result *r, const double *cw, size_t nc)
{
    size_t j, c;
    struct estimate_name *n;
    if (2 * (t->n + 1) > t->nslots && names_rehash(t) != 0)
        return -1;
    for (j = name_hash(r->name) & (t->nslots - 1); t->slot[j] && t->v[t->slot[j] - 1].name != r->name;
         j = (j + 1) & (t->nslots - 1))
        ;
    if (!t->slot[j]) {
        if (t->n == t->cap) {
            size_t ncap = t->cap ? 2 * t->cap : 16;
            struct estimate_name *nv = realloc(t->v, ncap * sizeof *nv);
            if (!nv)
                return -1;
            t->v = nv;
            t->cap = ncap;
        }
        n = &t->v[t->n];
        memset(n, 0, sizeof *n);
        n->name = r->name;
        n->first = *r;
        t->slot[j] = ++t->n;
    }
    n = &t->v[t->slot[j] - 1];
    n->launches++;
    n->time_s += r->duration_s;
    n->energy_j += r->energy_j;
    n->interval_j += r->energy_j * r->interval_pct;
    n->min_ws += r->power_w[TARGET_MIN] * r->duration_s;
    n->peak_ws += r->power_w[TARGET_PEAK] * r->duration_s;
    for (c = 0; cw && c < nc; c++)
        n->component_j[c] += cw[c] * r->duration_s;
    return 0;
}

void estimate_names_free(struct estimate_names *t)
{
    free(t->v);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* A kernel's figures: stored (or summed by name), and added to its device. */
static int add_launch(struct run *run, const struct ncu_kernel *k, const struct prediction *p)
{
    struct estimate *e = run->e;
    const struct model *m = e->used;
    struct kernel_result r;
    struct device_result *d;
    size_t i, nc = m->ncomponents;
    double w;
    int t;
    r.id = k->id;
    r.pid = k->pid;
    r.device = k->device;
    r.name = intern(&e->names, k->name);
    r.host = intern(&e->names, k->host);
    r.file = e->nfiles;
    d = device_for(e, k);
    if (!r.name || !r.host || !d)
        return run->rc = ESTIMATE_ERR_NOMEM;
    r.dev = (size_t)(d - e->devices);
    r.duration_s = k->value[M_DURATION];
    for (t = 0; t < TARGET_COUNT; t++)
        r.power_w[t] = p->power_w[t];
    r.energy_j = p->power_w[TARGET_AVG] * r.duration_s;
    r.capped = p->capped;
    r.uncapped_w = p->uncapped_w;
    r.interval_pct = p->interval_pct;
    if (store_launch(e, &r, p->component_w, nc) != 0 || (e->aggregate_top && estimate_names_add(&e->by_name, &r, p->component_w, nc)))
        return run->rc = ESTIMATE_ERR_NOMEM;
    e->nlaunches++;
    if (d->nkernels == 0 || r.power_w[TARGET_AVG] < d->kernel_lo_w)
        d->kernel_lo_w = r.power_w[TARGET_AVG];
    if (d->nkernels == 0 || r.power_w[TARGET_AVG] > d->kernel_hi_w)
        d->kernel_hi_w = r.power_w[TARGET_AVG];
    d->nkernels++;
    w = weight(e);
    d->gpu_time_s += r.duration_s * w;
    d->energy_j += r.energy_j * w;
    for (i = 0; i < nc; i++)
        d->component_j[i] += p->component_w[i] * r.duration_s * w;
    d->capped_kernels += (size_t)p->capped;
    d->interval_j += r.energy_j * w * p->interval_pct;
    if (window_push(&d->stream, r.duration_s * w, r.power_w[TARGET_MIN], r.power_w[TARGET_PEAK]) != 0)
        return run->rc = ESTIMATE_ERR_NOMEM;
    return 0;
}

double estimate_interval_pct(const struct device_result *d)
{
    return d->energy_j > 0 ? d->interval_j / d->energy_j : 0;
}

/* The integral of one target's power from 0 to x (0..start[n]) over the
 * timeline of n kernels laid end to end: start[i] is where kernel i starts,
 * cum[i] the integral up to there, w[i] its power. */
static double integral_to(const double *start, const double *cum, const double *w, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) { /* the last kernel starting at or before x */
        size_t mid = lo + (hi - lo) / 2;
        if (start[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return cum[lo] + (x - start[lo]) * w[lo];
}

int estimate_window_extremes(const double *dur_s, const double *min_w, const double *peak_w, size_t n,
                             double window_s, double *lo_w, double *hi_w)
{
    size_t i, j;
    double *start, *cum_min, *cum_peak, total, lo = -1, hi = -1;

    *lo_w = *hi_w = 0;
    if (n == 0)
        return 0;
    start = malloc((n + 1) * 3 * sizeof *start);
    if (!start)
        return -1;
    cum_min = start + n + 1;
    cum_peak = cum_min + n + 1;
    start[0] = cum_min[0] = cum_peak[0] = 0;
    for (i = 0; i < n; i++) {
        double t = dur_s[i] > 0 ? dur_s[i] : 0;
        start[i + 1] = start[i] + t;
        cum_min[i + 1] = cum_min[i] + t * min_w[i];
        cum_peak[i + 1] = cum_peak[i] + t * peak_w[i];
    }
    total = start[n];
    if (!(total > 0)) {
        free(start);
        return 0;
    }
    if (!(window_s > 0) || total <= window_s) {
        lo = cum_min[n] / total;
        hi = cum_peak[n] / total;
    } else {
        for (i = 0; i <= n; i++)
            for (j = 0; j < 2; j++) {
                double s = j ? start[i] - window_s : start[i], vmin, vpeak;
                if (s < 0 || s + window_s > total)
                    continue;
                vmin = (integral_to(start, cum_min, min_w, n, s + window_s) -
                        integral_to(start, cum_min, min_w, n, s)) / window_s;
                vpeak = (integral_to(start, cum_peak, peak_w, n, s + window_s) -
                         integral_to(start, cum_peak, peak_w, n, s)) / window_s;
                if (lo < 0 || vmin < lo)
                    lo = vmin;
                if (vpeak > hi)
                    hi = vpeak;
            }
    }
    *lo_w = lo;
    *hi_w = hi;
    free(start);
    return 0;
}

/* After one input: its errors, and kernels that lacked the model's metrics. */
/* The ncu metrics that give the missing ones: a rule's metric (ncu_rules.h)
 * is no ncu metric, the pipe metrics it is derived from are. */
static void missing_to_collect(const unsigned long *missing, unsigned char *collect)
{
    static const int pipes[] = { M_PIPE_FMA, M_PIPE_ALU, M_PIPE_FP64, M_PIPE_TENSOR };
    int m;
    size_t i;
    for (m = 0; m < M_COUNT; m++) {
        if (!missing[m])
            continue;
        if (!features_metrics[m].rule)
            collect[m] = 1;
        else if (m <= M_RULE_PIPE_TENSOR)
            for (i = 0; i < sizeof pipes / sizeof pipes[0]; i++)
                collect[pipes[i]] = 1;
    }
}

static int finish_input(struct run *run, struct ncu_reader *rd, int rc, size_t kernels_before)
{
    struct estimate *e = run->e;
    int m, n = 0;
    unsigned char collect[M_COUNT] = { 0 };
    e->stats = *ncu_reader_stats(rd);
    if (run->rc)
        return run->rc;
    if (rc) {
        snprintf(run->err, run->errlen, "%s", ncu_reader_error(rd));
        return ESTIMATE_ERR_INPUT;
    }
    if (e->kernels_missing) {
        size_t off;
        off = (size_t)snprintf(run->err, run->errlen,
                               "%lu of %lu kernels lack metrics the model%s%s needs:", e->kernels_missing,
                               e->stats.kernels, !e->model && e->tier >= 0 ? " of tier " : "",
                               !e->model && e->tier >= 0 ? features_tiers[e->tier].name : "");
        for (m = 0; m < M_COUNT && off < run->errlen; m++)
            if (e->missing[m])
                off = put_metric(run->err, run->errlen, off, m, e->stats.page == NCU_PAGE_DETAILS);
        missing_to_collect(e->missing, collect);
        if (off < run->errlen)
            off += (size_t)snprintf(run->err + off, run->errlen - off,
                                    "; collect them with: ncu --metrics ");
        for (m = 0; m < M_COUNT && off < run->errlen; m++)
            if (collect[m])
                off += (size_t)snprintf(run->err + off, run->errlen - off, "%s%s", n++ ? "," : "",
                                        features_metrics[m].raw);
        if (off < run->errlen && e->stats.page == NCU_PAGE_DETAILS)
            snprintf(run->err + off, run->errlen - off,
                     " (the details page does not print all of them: export the raw page, 'ncu --import REPORT "
                     "--csv --page raw'%s)", e->variant && !e->model ? ", or leave out --tier" : "");
        return ESTIMATE_ERR_MISSING;
    }
    if (e->nlaunches == kernels_before) {
        if (e->stats.first_error[0])
            snprintf(run->err, run->errlen, "no kernels in the CSV; ncu said: %s", e->stats.first_error);
        else
            snprintf(run->err, run->errlen,
                     "no kernels in the CSV (was the application's work on the CPU? a GPU build, "
                     "CUDA_VISIBLE_DEVICES and ncu's --kernel-name filters decide what ncu sees)");
        return ESTIMATE_ERR_INPUT;
    }
    e->nfiles++;
    return 0;
}

/* Devices of one host and number (per-rank files where every rank sees its
 * GPU as device 0) get what tells them apart in their label; sorted by
 * (host, number), in n log n. */
static int cmp_host_device(const void *a, const void *b)
{
    const struct device_result *x = *(const struct device_result *const *)a;
    const struct device_result *y = *(const struct device_result *const *)b;
    int c = strcmp(x->host, y->host);
    if (c)
        return c;
    if (x->device != y->device)
        return x->device < y->device ? -1 : 1;
    return x < y ? -1 : x > y; /* one array: its order */
}

static void tell_apart(struct estimate *e)
{
    struct device_result **v = e->ndevices > 1 ? malloc(e->ndevices * sizeof *v) : NULL;
    size_t i, j, k;
    if (!v)
        return; /* one device, or no memory for labels: they stay as they are */
    for (i = 0; i < e->ndevices; i++)
        v[i] = &e->devices[i];
    qsort(v, e->ndevices, sizeof *v, cmp_host_device);
    for (i = 0; i < e->ndevices; i = j) {
        for (j = i + 1; j < e->ndevices && v[j]->host == v[i]->host && v[j]->device == v[i]->device; j++)
            ;
        for (k = i; j - i > 1 && k < j; k++) {
            if (v[k]->pci >= 0)
                snprintf(v[k]->tell, sizeof v[k]->tell, ", PCI %04llx:%02llx:%02llx", v[k]->pci / 8192,
                         v[k]->pci / 32 % 256, v[k]->pci % 32);
            else
                snprintf(v[k]->tell, sizeof v[k]->tell, ", file %zu", v[k]->file + 1);
        }
    }
    free(v);
}

int estimate_finish(struct estimate *e, char *err, size_t errlen)
{
    size_t i;
    tell_apart(e);
    for (i = 0; i < e->ndevices; i++) {
        struct device_result *d = &e->devices[i];
        d->power_w[TARGET_AVG] = d->gpu_time_s > 0 ? d->energy_j / d->gpu_time_s : 0;
        /* min and peak: streamed as the kernels came (window.h), the same
         * figures as estimate_window_extremes over the whole list */
        if (d->nkernels && window_finish(&d->stream, &d->power_w[TARGET_MIN], &d->power_w[TARGET_PEAK]) != 0) {
            snprintf(err, errlen, "out of memory");
            return ESTIMATE_ERR_NOMEM;
        }
    }
    return 0;
}

static void start_input(struct estimate *e)
{
    memset(e->missing, 0, sizeof e->missing);
    e->kernels_missing = 0;
}

int estimate_buffer(struct estimate *e, const char *buf, size_t len, char *err, size_t errlen)
{
    struct run run = { e, 0, err, errlen, 1 };
    struct ncu_reader *rd = ncu_reader_new(on_kernel, &run);
    size_t before = e->nlaunches;
    int rc;
    if (!rd) {
        snprintf(err, errlen, "out of memory");
        return ESTIMATE_ERR_NOMEM;
    }
    start_input(e);
    rc = ncu_reader_feed(rd, buf, len);
    if (!rc)
        rc = ncu_reader_finish(rd);
    rc = finish_input(&run, rd, rc, before);
    ncu_reader_free(rd);
    return rc ? rc : estimate_finish(e, err, errlen);
}

int estimate_file(struct estimate *e, const char *path, char *err, size_t errlen)
{
    int rc = estimate_add_file(e, path, err, errlen);
    return rc ? rc : estimate_finish(e, err, errlen);
}

/* Feeds a file (or stdin) to a reader, to its end or until the reader stops.
 * Returns the reader's code, or -2 with err for a read error. */
static int feed_file(FILE *f, struct ncu_reader *rd, char *err, size_t errlen)
{
    static char buf[1 << 18];
    int rc;
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        if (n == 0 && ferror(f)) {
            snprintf(err, errlen, "read failed: %s", strerror(errno ? errno : EIO));
            return -2;
        }
        if (n == 0)
            return ncu_reader_finish(rd);
        if ((rc = ncu_reader_feed(rd, buf, n)) != 0)
            return rc;
    }
}

/* Opens an input ("-" for stdin, binary on every platform); NULL with
 * err, a directory included. */
static FILE *open_input(const char *path, char *err, size_t errlen)
{
    FILE *f;
    if (strcmp(path, "-") == 0)
        return stdin;
    if (plat_kind(path) == PLAT_DIR) {
        snprintf(err, errlen, "is a directory; give the CSV file inside it");
        return NULL;
    }
    if (!(f = plat_fopen(path, "r"))) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    setvbuf(f, NULL, _IONBF, 0); /* feed_file reads large blocks itself */
    return f;
}

static void close_input(FILE *f)
{
    if (f != stdin)
        fclose(f);
}

int estimate_add_file(struct estimate *e, const char *path, char *err, size_t errlen)
{
    struct run run = { e, 0, err, errlen, 1 };
    struct ncu_reader *rd;
    size_t before = e->nlaunches;
    FILE *f;
    int rc;

    if (!(f = open_input(path, err, errlen)))
        return ESTIMATE_ERR_IO;
    rd = ncu_reader_new(on_kernel, &run);
    if (!rd) {
        close_input(f);
        snprintf(err, errlen, "out of memory");
        return ESTIMATE_ERR_NOMEM;
    }
    start_input(e);
    rc = feed_file(f, rd, err, errlen);
    close_input(f);
    if (rc == -2) {
        ncu_reader_free(rd);
        return ESTIMATE_ERR_IO;
    }
    rc = finish_input(&run, rd, rc, before);
    ncu_reader_free(rd);
    return rc;
}

/* estimate_best_tier: the first kernel, then stop. */
struct first_kernel {
    int tier;
    int rc;
    char *err;
    size_t errlen;
};

static int on_first_kernel(void *ctx, const struct ncu_kernel *k)
{
    struct first_kernel *fk = ctx;
    struct estimate e;
    struct run run;
    estimate_init(&e, NULL);
    run.e = &e;
    run.rc = 0;
    run.err = fk->err;
    run.errlen = fk->errlen;
    run.first_of_input = 0;
    fk->rc = choose_model(&run, k);
    fk->tier = fk->rc ? -1 : e.tier;
    return 1; /* enough */
}

int estimate_best_tier(const char *path, char *err, size_t errlen)
{
    struct first_kernel fk = { -1, ESTIMATE_ERR_INPUT, err, errlen };
    struct ncu_reader *rd;
    FILE *f;
    int rc;
    if (!(f = open_input(path, err, errlen)))
        return -1;
    rd = ncu_reader_new(on_first_kernel, &fk);
    if (!rd) {
        close_input(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = feed_file(f, rd, err, errlen);
    close_input(f);
    if (rc != 1 && rc != -2)
        snprintf(err, errlen, "%s", rc ? ncu_reader_error(rd) : "no kernels in the CSV");
    ncu_reader_free(rd);
    return rc == 1 ? fk.tier : -1;
}
