/* suite: the calibration microbenchmarks as named configurations (kernel,
 * parameters, launch shape), and the host-side check of each one's result.
 * The kernels are in microbench.cu / microbench_sm90.cu; all share one
 * signature: (a, b, check, iters, p, q, mask). */
#ifndef GPU_PROFILER_SUITE_H
#define GPU_PROFILER_SUITE_H

#include <stddef.h>

/* Buffers: A holds random words, mb_buffer_word(i) at i, over SUITE_BUF_WORDS words,
 * B is scratch of the same size (stores, copies, atomics), F holds random
 * floats, mb_buffer_float(i) at i, over SUITE_FLOAT_WORDS words (SGEMM). */
#define SUITE_BUF_WORDS (1u << 28)   /* 1 GiB each */
#define SUITE_FLOAT_WORDS (1u << 26) /* 256 MiB */

enum suite_buf { BUF_NONE, BUF_A, BUF_B, BUF_F };

struct suite_config {
    char name[48];
    char family[16];          /* what is held out together in cross-validation */
    const char *kernel;       /* mb_... */
    int p, q;
    unsigned mask;            /* footprint in words minus one */
    enum suite_buf arg_a, arg_b;
    unsigned blocks_per_sm;
    unsigned threads;         /* per block */
    unsigned sm_pct;          /* share of the SMs given blocks, 1..100 */
    int iters;                /* set by sizing */
    int iters_max;            /* exactness or counter limit */
    int hopper_only;          /* needs the compute_90a module */
    int selfcheck;            /* checked against a run of 2 iterations (random operands) */
};

/* Fills cfg (up to max) with the suite for a GPU with sm_count SMs and the
 * given compute capability; returns the count. */
size_t suite_build(struct suite_config *cfg, size_t max, unsigned sm_count, int cc_major, int cc_minor);

/* Grid size of a configuration. */
unsigned suite_grid(const struct suite_config *c, unsigned sm_count);

/* What the host reads back to check a run (beside the check array). */
enum suite_readback { READ_NONE, READ_B_SAMPLE, READ_B_PREFIX };
enum suite_readback suite_readback(const struct suite_config *c, size_t *words);
/* What B must hold before a checked run: 0 (zero), 1 (0xFFFFFFFF), -1 (any). */
int suite_b_init(const struct suite_config *c);

/* Checks one run: check[] holds grid * threads values; b holds the words
 * that suite_readback asked for (NULL if none); ref holds the check values
 * of a run of 2 iterations for selfcheck configurations (NULL otherwise).
 * Returns 0, or -1 with what differs in err. */
int suite_verify(const struct suite_config *c, unsigned grid, const unsigned *check, const unsigned *b,
                 size_t b_words, const unsigned *ref, char *err, size_t errlen);

#endif
