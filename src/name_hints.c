/* name_hints: the table of kernel-name patterns; see name_hints.h.
 *
 * Each pattern is a substring, matched without regard to case; a pattern
 * marked `word` must also not follow a letter ("f32" is in "_f32f32_" but
 * not in "tf32", "f16" not in "bf16"). Every pattern is taken from a name
 * that a library prints (the recorded validation workloads' names, cuBLAS's
 * sm80_/ampere_ families, CUTLASS's tensorop, cuDNN's wgmma); the table is
 * docs/ACCURACY.md's "Name hints". Order matters: the first pattern that
 * says a data type gives it, and the first that says a unit gives that. */
#include "name_hints.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

struct hint_row {
    const char *pattern;
    int word;               /* must not follow a letter */
    const char *dtype;      /* or NULL */
    enum hint_unit unit;
};

static const struct hint_row hint_table[] = {
    /* cuBLASLt's Hopper kernels: h = half, t = bfloat16 (mm_bf16's GEMM is nvjet_sm90_tst_...) */
    { "nvjet_sm90_hsh", 0, "fp16", HINT_TENSOR_CORES },
    { "nvjet_hsh", 0, "fp16", HINT_TENSOR_CORES },
    { "nvjet_sm90_tst", 0, "bf16", HINT_TENSOR_CORES },
    { "nvjet_tst", 0, "bf16", HINT_TENSOR_CORES },
    /* data types as cuBLAS, CUTLASS and cuDNN spell them */
    { "bf16", 1, "bf16", HINT_UNIT_UNSAID },
    { "tf32", 1, "tf32", HINT_TENSOR_CORES }, /* TF32 is a tensor-core format only */
    { "fp16", 1, "fp16", HINT_UNIT_UNSAID },
    { "f16", 1, "fp16", HINT_UNIT_UNSAID },
    { "int8", 1, "int8", HINT_UNIT_UNSAID },
    { "i8", 1, "int8", HINT_UNIT_UNSAID },
    { "dgemm", 1, "fp64", HINT_UNIT_UNSAID },
    { "fp64", 1, "fp64", HINT_UNIT_UNSAID },
    { "f64", 1, "fp64", HINT_UNIT_UNSAID },
    { "sgemm", 1, "fp32", HINT_CUDA_CORES },
    { "f32", 1, "fp32", HINT_UNIT_UNSAID },
    /* the instructions they run */
    { "ffma", 1, NULL, HINT_CUDA_CORES },
    { "wgmma", 1, NULL, HINT_TENSOR_CORES },
    { "gmma", 1, NULL, HINT_TENSOR_CORES },
    { "hmma", 1, NULL, HINT_TENSOR_CORES },
    { "imma", 1, "int8", HINT_TENSOR_CORES },
    { "dmma", 1, "fp64", HINT_TENSOR_CORES },
    { "tensorop", 1, NULL, HINT_TENSOR_CORES },
    { "warpgroupsize", 1, NULL, HINT_TENSOR_CORES }, /* cuDNN/cuBLAS sm90 xmma: a wgmma tile */
};

static int matches(const char *name, const struct hint_row *r)
{
    size_t n = strlen(r->pattern);
    const char *s;
    for (s = name; *s; s++) {
        size_t i;
        for (i = 0; i < n && s[i] && tolower((unsigned char)s[i]) == r->pattern[i]; i++)
            ;
        if (i == n && (!r->word || s == name || !isalpha((unsigned char)s[-1])))
            return 1;
    }
    return 0;
}

int name_hint_of(const char *kernel_name, struct name_hint *h)
{
    size_t i;
    memset(h, 0, sizeof *h);
    for (i = 0; i < sizeof hint_table / sizeof hint_table[0]; i++) {
        const struct hint_row *r = &hint_table[i];
        int want_dtype = r->dtype && !h->dtype, want_unit = r->unit != HINT_UNIT_UNSAID && !h->unit;
        if (!(want_dtype || want_unit) || !matches(kernel_name, r))
            continue;
        if (want_dtype) {
            h->dtype = r->dtype;
            h->dtype_pattern = r->pattern;
        }
        if (want_unit) {
            h->unit = r->unit;
            h->unit_pattern = r->pattern;
        }
    }
    return h->dtype || h->unit;
}

const char *name_hint_unit_name(enum hint_unit u)
{
    return u == HINT_TENSOR_CORES ? "tensor cores" : u == HINT_CUDA_CORES ? "CUDA cores" : NULL;
}
