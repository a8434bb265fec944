/* collectives: calibrate's family of NCCL collectives (issue 22): the power
 * of a GPU while it communicates, which ncu cannot profile (a collective
 * waits for its peers while ncu replays one kernel at a time).
 *
 * One process drives every GPU the CUDA driver shows (ncclCommInitAll, one
 * rank a GPU) through all-reduce, all-gather, reduce-scatter and broadcast
 * of COLL_SIZES message sizes, each back to back for a warm-up and a
 * window, and measures each GPU with NVML as calibrate measures the rest
 * (power_meter.h: average from the energy counter, min and peak from the
 * instant field after it settles). A measurement gives, per GPU, the watts
 * while the collective runs, its time and the bytes it moves over the bus
 * (NCCL's bus bandwidth convention: the message times the collective's bus
 * factor, collectives_bus_factor), so the power per byte moved and per
 * second follow (fit.h: fit_comm_term makes the model's term of them).
 *
 * NCCL (libnccl.so.2) is loaded at run time: nothing is needed to build,
 * and where it is missing, or the machine has one GPU, the family is
 * skipped with a note. NVLink multicast stays off: NCCL_NVLS_ENABLE=0 is
 * set unless the environment sets it. */
#ifndef GPU_PROFILER_COLLECTIVES_H
#define GPU_PROFILER_COLLECTIVES_H

#include <stddef.h>

#include "dataset.h"
#include "power_meter.h"

enum coll_op { COLL_ALL_REDUCE, COLL_ALL_GATHER, COLL_REDUCE_SCATTER, COLL_BROADCAST, COLL_OP_COUNT };

/* The message sizes measured, bytes. */
#define COLL_SIZES { 1u << 20, 16u << 20, 256u << 20 }
#define COLL_NSIZES 3
#define COLL_MAX_RANKS 8
#define COLL_MAX_MEAS (COLL_OP_COUNT * COLL_NSIZES * COLL_MAX_RANKS)

/* "allreduce", "allgather", "reducescatter", "broadcast". */
const char *collectives_op_name(enum coll_op op);
/* The bytes each GPU moves over its links per message byte (nccl-tests'
 * bus bandwidth): all-reduce 2(n-1)/n, all-gather and reduce-scatter
 * (n-1)/n (of the whole gathered or scattered buffer), broadcast 1; 0 for
 * one rank, which moves nothing between GPUs. */
double collectives_bus_factor(enum coll_op op, int ranks);

/* One collective on one GPU. */
struct coll_meas {
    enum coll_op op;
    double msg_bytes;   /* all-reduce's and broadcast's buffer, all-gather's output, reduce-scatter's input */
    int ranks, rank;    /* ranks in the communicator; this GPU's CUDA ordinal */
    char link[8];       /* "nvlink" (NVML shows an active NVLink), "pcie" (none), "unknown" */
    double op_s;        /* one collective, wall time over the window */
    long ops;           /* collectives in the window */
    double bus_gbs;     /* msg_bytes x the bus factor / op_s, 1e9 B/s */
    struct power_window w;
};

struct collectives_opts {
    const char *nccl;   /* the NCCL library to load: a path, or NULL for $GP_NCCL, else libnccl.so.2 */
    double warmup_s;    /* before each window (min and peak from then on) */
    double window_s;
    double batch_s;     /* collectives launched between two synchronisations, in time */
    int min_ranks;      /* run only with at least this many GPUs (2; 1 runs one rank, for testing the
                           code on a one-GPU machine: such rows measure no communication) */
    void (*progress)(void *ctx, const struct coll_meas *m); /* each GPU's measurement as it comes, or NULL */
    void *ctx;
};

enum { COLL_OK = 0, COLL_SKIPPED, COLL_ERR };

void collectives_defaults(struct collectives_opts *o);
/* Measures the family into out[0..*n). COLL_OK; COLL_SKIPPED with the
 * reason in msg (one GPU, no NCCL, Windows); COLL_ERR with msg. */
int collectives_measure(const struct collectives_opts *o, struct coll_meas *out, size_t cap, size_t *n, char *msg,
                        size_t msglen);
/* NCCL's version as measured ("2.27.7"), "" before a measurement. */
const char *collectives_nccl_version(void);

/* A measurement as a dataset probe row (family DATASET_PROBE_COMM). */
void collectives_row(const struct coll_meas *m, struct dataset_row *row);

#endif
