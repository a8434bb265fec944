/* collectives: see collectives.h. */
#include "collectives.h"

#include "cuda_api.h"
#include "plat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[COLL_OP_COUNT] = { "allreduce", "allgather", "reducescatter", "broadcast" };
static const char *const op_kernels[COLL_OP_COUNT] = { "ncclAllReduce", "ncclAllGather", "ncclReduceScatter",
                                                       "ncclBroadcast" };
static char nccl_version[16];

const char *collectives_op_name(enum coll_op op)
{
    return op < COLL_OP_COUNT ? op_names[op] : "?";
}

double collectives_bus_factor(enum coll_op op, int ranks)
{
    double n = ranks;
    if (ranks < 2)
        return 0;
    switch (op) {
    case COLL_ALL_REDUCE: return 2 * (n - 1) / n;
    case COLL_ALL_GATHER:
    case COLL_REDUCE_SCATTER: return (n - 1) / n;
    case COLL_BROADCAST: return 1;
    default: return 0;
    }
}

const char *collectives_nccl_version(void)
{
    return nccl_version;
}

void collectives_defaults(struct collectives_opts *o)
{
    memset(o, 0, sizeof *o);
    o->warmup_s = 0.2;
    o->window_s = 0.75;
    o->batch_s = 0.02;
    o->min_ranks = 2;
}

void collectives_row(const struct coll_meas *m, struct dataset_row *row)
{
    memset(row, 0, sizeof *row);
    snprintf(row->config, sizeof row->config, "%s_%.0fMiB_%s_gpu%d", collectives_op_name(m->op),
             m->msg_bytes / 1048576.0, m->link, m->rank);
    snprintf(row->family, sizeof row->family, "%s", DATASET_PROBE_COMM);
    snprintf(row->kernel, sizeof row->kernel, "%s", m->op < COLL_OP_COUNT ? op_kernels[m->op] : "?");
    row->iters = m->ops;
    row->launch_s = m->op_s;
    row->power_w[TARGET_MIN] = m->w.min_w;
    row->power_w[TARGET_AVG] = m->w.avg_w;
    row->power_w[TARGET_PEAK] = m->w.peak_w;
    row->repeats = 1;
    row->sm_clock_mhz = m->w.sm_clock_mhz;
    row->temp_c = m->w.temp_c;
    row->window_s = m->w.duration_s;
    row->msg_bytes = m->msg_bytes;
    row->ranks = m->ranks;
    row->rank = m->rank;
    row->bus_gbs = m->bus_gbs;
}

#ifndef _WIN32
static const unsigned coll_sizes[COLL_NSIZES] = COLL_SIZES; /* the message sizes measured (NCCL: Linux only) */

/* ---- NCCL, loaded at run time (the calls of nccl.h 2.x, whose ABI is stable) ---- */

typedef struct nccl_comm *nccl_comm;
enum { NCCL_FLOAT32 = 7, NCCL_SUM = 0 };

struct nccl_api {
    void *lib;
    int (*get_version)(int *);
    const char *(*error_string)(int);
    int (*init_all)(nccl_comm *, int, const int *);
    int (*destroy)(nccl_comm);
    int (*group_start)(void);
    int (*group_end)(void);
    int (*all_reduce)(const void *, void *, size_t, int, int, nccl_comm, void *);
    int (*all_gather)(const void *, void *, size_t, int, nccl_comm, void *);
    int (*reduce_scatter)(const void *, void *, size_t, int, int, nccl_comm, void *);
    int (*broadcast)(const void *, void *, size_t, int, int, nccl_comm, void *);
};

static int nccl_open(struct nccl_api *nc, const char *file, char *msg, size_t msglen)
{
    static const struct { const char *name; size_t off; } syms[] = {
        { "ncclGetVersion", offsetof(struct nccl_api, get_version) },
        { "ncclGetErrorString", offsetof(struct nccl_api, error_string) },
        { "ncclCommInitAll", offsetof(struct nccl_api, init_all) },
        { "ncclCommDestroy", offsetof(struct nccl_api, destroy) },
        { "ncclGroupStart", offsetof(struct nccl_api, group_start) },
        { "ncclGroupEnd", offsetof(struct nccl_api, group_end) },
        { "ncclAllReduce", offsetof(struct nccl_api, all_reduce) },
        { "ncclAllGather", offsetof(struct nccl_api, all_gather) },
        { "ncclReduceScatter", offsetof(struct nccl_api, reduce_scatter) },
        { "ncclBroadcast", offsetof(struct nccl_api, broadcast) },
    };
    char why[512];
    size_t i;
    int v = 0;
    nc->lib = plat_lib_open_file(file, why, sizeof why);
    if (!nc->lib) {
        snprintf(msg, msglen, "cannot load NCCL (%s): %s; give its path with --nccl or $GP_NCCL", file, why);
        return -1;
    }
    for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        void *f = plat_lib_sym(nc->lib, syms[i].name);
        if (!f) {
            snprintf(msg, msglen, "NCCL (%s) lacks %s: it is older than 2.4", file, syms[i].name);
            plat_lib_close(nc->lib);
            nc->lib = NULL;
            return -1;
        }
        memcpy((char *)nc + syms[i].off, &f, sizeof f);
    }
    if (nc->get_version(&v) == 0)
        snprintf(nccl_version, sizeof nccl_version, "%d.%d.%d", v / 10000, v % 10000 / 100, v % 100);
    return 0;
}

/* ---- the GPUs, their buffers, communicators and meters ---- */

struct coll_run {
    struct cuda_api cu;
    struct nccl_api nc;
    int nranks;
    CUdevice dev[COLL_MAX_RANKS];
    CUcontext ctx[COLL_MAX_RANKS];
    CUdeviceptr send[COLL_MAX_RANKS], recv[COLL_MAX_RANKS];
    nccl_comm comm[COLL_MAX_RANKS];
    struct power_meter *pm[COLL_MAX_RANKS];
    char link[COLL_MAX_RANKS][8];
    size_t buf_bytes;
};

#define CUR(call, what)                                                                            \
    do {                                                                                           \
        CUresult rc_ = (call);                                                                     \
        if (rc_ != 0) {                                                                            \
            snprintf(msg, msglen, "%s failed: %s", what, cuda_api_error(&r->cu, rc_));             \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

/* Random finite floats in [-1, 1) (xorshift), what the collectives carry:
 * a link toggles as it would for gradients, not for zeros. */
static int fill_random(struct coll_run *r, CUdeviceptr p, size_t bytes, unsigned seed, char *msg, size_t msglen)
{
    enum { BLOCK = 4u << 20 };
    float *h = malloc(BLOCK);
    unsigned x = seed * 2654435761u + 1u;
    size_t i, off;
    if (!h) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    for (i = 0; i < BLOCK / sizeof *h; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        h[i] = (float)((x >> 8) * (2.0 / 16777216.0) - 1.0);
    }
    for (off = 0; off < bytes; off += BLOCK) {
        size_t len = bytes - off < BLOCK ? bytes - off : BLOCK;
        CUresult rc = r->cu.cuMemcpyHtoD(p + off, h, len);
        if (rc != 0) {
            free(h);
            snprintf(msg, msglen, "cuMemcpyHtoD failed: %s", cuda_api_error(&r->cu, rc));
            return -1;
        }
    }
    free(h);
    return 0;
}

/* One GPU: its context, two buffers of buf_bytes, its meter and its link. */
static int open_rank(struct coll_run *r, int i, char *msg, size_t msglen)
{
    char pci[32];
    int links;
    CUR(r->cu.cuDeviceGet(&r->dev[i], i), "cuDeviceGet");
    CUR(r->cu.cuDevicePrimaryCtxRetain(&r->ctx[i], r->dev[i]), "cuDevicePrimaryCtxRetain");
    CUR(r->cu.cuCtxSetCurrent(r->ctx[i]), "cuCtxSetCurrent");
    CUR(r->cu.cuMemAlloc(&r->send[i], r->buf_bytes), "cuMemAlloc (is the GPU busy?)");
    CUR(r->cu.cuMemAlloc(&r->recv[i], r->buf_bytes), "cuMemAlloc (is the GPU busy?)");
    if (fill_random(r, r->send[i], r->buf_bytes, (unsigned)i + 1, msg, msglen) != 0 ||
        fill_random(r, r->recv[i], r->buf_bytes, (unsigned)i + 101, msg, msglen) != 0)
        return -1;
    CUR(r->cu.cuDeviceGetPCIBusId(pci, sizeof pci, r->dev[i]), "cuDeviceGetPCIBusId");
    if (!(r->pm[i] = power_meter_open(pci, msg, msglen)))
        return -1;
    links = power_meter_nvlinks(r->pm[i]);
    snprintf(r->link[i], sizeof r->link[i], "%s", links > 0 ? "nvlink" : links == 0 ? "pcie" : "unknown");
    return 0;
}

static void coll_close(struct coll_run *r)
{
    int i;
    for (i = 0; i < r->nranks; i++) {
        if (r->comm[i])
            r->nc.destroy(r->comm[i]);
        if (r->pm[i])
            power_meter_close(r->pm[i]);
        if (r->ctx[i]) {
            r->cu.cuCtxSetCurrent(r->ctx[i]);
            if (r->send[i])
                r->cu.cuMemFree(r->send[i]);
            if (r->recv[i])
                r->cu.cuMemFree(r->recv[i]);
            r->cu.cuDevicePrimaryCtxRelease(r->dev[i]);
        }
    }
    if (r->nc.lib)
        plat_lib_close(r->nc.lib);
    if (r->cu.lib)
        cuda_api_close(&r->cu);
}

/* The GPUs, or COLL_SKIPPED with why. */
static int coll_open(struct coll_run *r, const struct collectives_opts *o, char *msg, size_t msglen)
{
    const char *file = o->nccl ? o->nccl : getenv("GP_NCCL") && *getenv("GP_NCCL") ? getenv("GP_NCCL") : "libnccl.so.2";
    int count = 0, i, devs[COLL_MAX_RANKS];
    if (cuda_api_open(&r->cu, msg, msglen) != 0)
        return COLL_ERR;
    if (r->cu.cuInit(0) != 0 || r->cu.cuDeviceGetCount(&count) != 0) {
        snprintf(msg, msglen, "the CUDA driver gives no device count");
        return COLL_ERR;
    }
    if (count < o->min_ranks) {
        snprintf(msg, msglen, "this machine has %d GPU%s; the collectives need two or more", count,
                 count == 1 ? "" : "s");
        return COLL_SKIPPED;
    }
    if (!getenv("NCCL_NVLS_ENABLE"))
        plat_setenv("NCCL_NVLS_ENABLE", "0"); /* NVLink multicast off, unless the user chose */
    if (nccl_open(&r->nc, file, msg, msglen) != 0)
        return COLL_SKIPPED;
    r->nranks = count < COLL_MAX_RANKS ? count : COLL_MAX_RANKS;
    r->buf_bytes = coll_sizes[COLL_NSIZES - 1];
    for (i = 0; i < r->nranks; i++) {
        devs[i] = i;
        if (open_rank(r, i, msg, msglen) != 0)
            return COLL_ERR;
    }
    if ((i = r->nc.init_all(r->comm, r->nranks, devs)) != 0) {
        memset(r->comm, 0, sizeof r->comm);
        snprintf(msg, msglen, "ncclCommInitAll over %d GPUs failed: %s", r->nranks, r->nc.error_string(i));
        return COLL_ERR;
    }
    return COLL_OK;
}

/* nops of one collective on every rank, launched (not waited for). */
static int launch(struct coll_run *r, enum coll_op op, size_t bytes, int nops, char *msg, size_t msglen)
{
    size_t count = bytes / 4, part = count / (size_t)r->nranks;
    int k, i, rc = 0;
    for (k = 0; k < nops && rc == 0; k++) {
        r->nc.group_start();
        for (i = 0; i < r->nranks && rc == 0; i++) {
            const void *s = (const void *)(uintptr_t)r->send[i];
            void *d = (void *)(uintptr_t)r->recv[i];
            switch (op) {
            case COLL_ALL_REDUCE: rc = r->nc.all_reduce(s, d, count, NCCL_FLOAT32, NCCL_SUM, r->comm[i], NULL); break;
            case COLL_ALL_GATHER: rc = r->nc.all_gather(s, d, part, NCCL_FLOAT32, r->comm[i], NULL); break;
            case COLL_REDUCE_SCATTER:
                rc = r->nc.reduce_scatter(s, d, part, NCCL_FLOAT32, NCCL_SUM, r->comm[i], NULL);
                break;
            default: rc = r->nc.broadcast(s, d, count, NCCL_FLOAT32, 0, r->comm[i], NULL); break;
            }
        }
        if (rc == 0)
            rc = r->nc.group_end();
        else
            r->nc.group_end();
    }
    if (rc != 0)
        snprintf(msg, msglen, "nccl %s of %zu bytes failed: %s", collectives_op_name(op), bytes,
                 r->nc.error_string(rc));
    return rc ? -1 : 0;
}

static int sync_all(struct coll_run *r, char *msg, size_t msglen)
{
    int i;
    for (i = 0; i < r->nranks; i++) {
        CUR(r->cu.cuCtxSetCurrent(r->ctx[i]), "cuCtxSetCurrent");
        CUR(r->cu.cuCtxSynchronize(), "a collective (cuCtxSynchronize)");
    }
    return 0;
}

/* How many collectives make about batch_s: from three timed after one. */
static int batch_size(struct coll_run *r, enum coll_op op, size_t bytes, double batch_s, int *batch, char *msg,
                      size_t msglen)
{
    double t;
    if (launch(r, op, bytes, 1, msg, msglen) != 0 || sync_all(r, msg, msglen) != 0)
        return -1;
    t = plat_now_s();
    if (launch(r, op, bytes, 3, msg, msglen) != 0 || sync_all(r, msg, msglen) != 0)
        return -1;
    t = (plat_now_s() - t) / 3;
    *batch = t > 0 ? (int)(batch_s / t) : 1000;
    *batch = *batch < 1 ? 1 : *batch > 1000 ? 1000 : *batch;
    return 0;
}

/* One collective back to back for warmup_s + window_s; each GPU's window. */
static int measure_op(struct coll_run *r, const struct collectives_opts *o, enum coll_op op, size_t bytes,
                      struct coll_meas *out, char *msg, size_t msglen)
{
    double start, t0, t1, ts = 0, now;
    long ops = 0;
    int batch, i, started = 0;
    if (batch_size(r, op, bytes, o->batch_s, &batch, msg, msglen) != 0)
        return -1;
    start = plat_now_s();
    t0 = start + o->warmup_s;
    t1 = t0 + o->window_s;
    do {
        if (launch(r, op, bytes, batch, msg, msglen) != 0 || sync_all(r, msg, msglen) != 0)
            return -1;
        now = plat_now_s();
        if (started)
            ops += batch;
        else if (now >= t0) {
            started = 1;
            ts = now;
        }
    } while (now < t1 || ops == 0);
    for (i = 0; i < r->nranks; i++) {
        struct coll_meas *m = &out[i];
        memset(m, 0, sizeof *m);
        m->op = op;
        m->msg_bytes = (double)bytes;
        m->ranks = r->nranks;
        m->rank = i;
        snprintf(m->link, sizeof m->link, "%s", r->nranks > 1 ? r->link[i] : "local");
        m->ops = ops;
        m->op_s = (now - ts) / (double)ops;
        m->bus_gbs = m->msg_bytes * collectives_bus_factor(op, r->nranks) / m->op_s / 1e9;
        if (power_meter_window_settled(r->pm[i], t0, now, t0, &m->w, msg, msglen) != 0)
            return -1;
        power_meter_forget_before(r->pm[i], now - 1.0);
        if (o->progress)
            o->progress(o->ctx, m);
    }
    return 0;
}

/* Every collective and size, the meters running. */
static int measure_all(struct coll_run *r, const struct collectives_opts *o, struct coll_meas *out, size_t cap,
                       size_t *n, char *msg, size_t msglen)
{
    int op, s, i, rc = 0;
    for (i = 0; i < r->nranks; i++)
        if (power_meter_start(r->pm[i], 5000, msg, msglen) != 0)
            return -1;
    for (op = 0; op < COLL_OP_COUNT && rc == 0; op++)
        for (s = 0; s < COLL_NSIZES && rc == 0; s++) {
            if (*n + (size_t)r->nranks > cap) {
                snprintf(msg, msglen, "too many measurements for %d GPUs", r->nranks);
                rc = -1;
            } else if ((rc = measure_op(r, o, (enum coll_op)op, coll_sizes[s], out + *n, msg, msglen)) == 0)
                *n += (size_t)r->nranks;
        }
    for (i = 0; i < r->nranks; i++)
        power_meter_stop(r->pm[i]);
    return rc;
}

int collectives_measure(const struct collectives_opts *o, struct coll_meas *out, size_t cap, size_t *n, char *msg,
                        size_t msglen)
{
    static struct coll_run r; /* one at a time */
    int rc;
    *n = 0;
    memset(&r, 0, sizeof r);
    rc = coll_open(&r, o, msg, msglen);
    if (rc == COLL_OK && measure_all(&r, o, out, cap, n, msg, msglen) != 0)
        rc = COLL_ERR;
    coll_close(&r);
    return rc;
}
#else
int collectives_measure(const struct collectives_opts *o, struct coll_meas *out, size_t cap, size_t *n, char *msg,
                        size_t msglen)
{
    (void)o;
    (void)out;
    (void)cap;
    *n = 0;
    snprintf(msg, msglen, "NCCL runs on Linux only");
    return COLL_SKIPPED;
}
#endif
