/* name_hints: what a library kernel's name says about its work.
 *
 * cuBLAS, cuBLASLt, CUTLASS and cuDNN name their kernels after the data
 * types and the instructions they run (sm80_xmma_gemm_f32f32_..._ffma_...,
 * nvjet_sm90_hsh_..., ..._bf16bf16_..., cudnn_..._wgmma_f16_...). A small
 * table of such patterns (name_hints.c, docs/ACCURACY.md "Name hints") gives
 * a kernel's data type and whether it runs on the tensor cores, each only
 * where a pattern says it. A name that matches no pattern gets no hint:
 * never a guess. The default set's details page has no rule about pipes;
 * there the name is the only witness of what the SMs were busy with. */
#ifndef GPU_PROFILER_NAME_HINTS_H
#define GPU_PROFILER_NAME_HINTS_H

enum hint_unit { HINT_UNIT_UNSAID = 0, HINT_CUDA_CORES, HINT_TENSOR_CORES };

struct name_hint {
    const char *dtype;          /* "fp32", "tf32", "fp16", "bf16", "int8", "fp64", or NULL: unsaid */
    enum hint_unit unit;        /* where the work runs, or unsaid */
    const char *dtype_pattern;  /* the table's pattern that gave dtype, or NULL */
    const char *unit_pattern;   /* the one that gave unit, or NULL */
};

/* The hint of a kernel name: 1 with *h filled (static strings), or 0 when
 * the name matches no pattern (*h all unsaid). */
int name_hint_of(const char *kernel_name, struct name_hint *h);

/* "tensor cores", "CUDA cores" or NULL for unsaid. */
const char *name_hint_unit_name(enum hint_unit u);

#endif
