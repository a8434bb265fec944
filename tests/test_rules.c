/* Unit tests for ncu_rules.c and name_hints.c. The rule texts of the recorded
 * details pages (H100 --set full, H200 --set full and detailed) give the
 * values their sentences say, read by eye; the busiest pipe derived from the
 * raw page of the same report is the one the rule names; reworded and
 * unknown texts are read or left alone as ncu_rules.h says; library kernel
 * names give the hints of the table and other names none. */
#include "name_hints.h"
#include "ncu_csv.h"
#include "ncu_rules.h"
#include "testlib.h"

#define MAXK 4

struct got {
    size_t n;
    double value[MAXK][M_COUNT];
    unsigned char have[MAXK][M_COUNT];
    unsigned rules[MAXK], not_understood[MAXK];
};

static int collect(void *ctx, const struct ncu_kernel *k)
{
    struct got *g = ctx;
    if (g->n < MAXK) {
        memcpy(g->value[g->n], k->value, sizeof k->value);
        memcpy(g->have[g->n], k->have, sizeof k->have);
        g->rules[g->n] = k->rules;
        g->not_understood[g->n] = k->rules_not_understood;
    }
    g->n++;
    return 0;
}

static int read_page(const char *name, struct got *g)
{
    char path[256];
    size_t len;
    char *text;
    struct ncu_reader *r = ncu_reader_new(collect, g);
    int rc;
    memset(g, 0, sizeof *g);
    snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
    text = tl_slurp(path, &len);
    CHECK(text != NULL);
    if (!text || !r) {
        ncu_reader_free(r);
        free(text);
        return -1;
    }
    rc = ncu_reader_feed(r, text, len);
    if (rc == 0)
        rc = ncu_reader_finish(r);
    if (rc)
        fprintf(stderr, "%s: %s\n", name, ncu_reader_error(r));
    ncu_reader_free(r);
    free(text);
    return rc;
}

static const int pipes[4] = { M_RULE_PIPE_FMA, M_RULE_PIPE_ALU, M_RULE_PIPE_FP64, M_RULE_PIPE_TENSOR };

/* The four pipe metrics of kernel k are fma, alu, fp64, tensor. */
static void check_pipes(const struct got *g, size_t k, double fma, double alu, double fp64, double tensor)
{
    const double want[4] = { fma, alu, fp64, tensor };
    size_t i;
    for (i = 0; i < 4; i++) {
        CHECK(g->have[k][pipes[i]]);
        CHECK_NEAR(g->value[k][pipes[i]], want[i], 1e-9);
    }
}

/* What the pages say, kernel by kernel (fma_k, copy_k, blur_k, tiny_k):
 * "FMA is the highest-utilized pipeline (75.3%)", "All compute pipelines
 * are under-utilized", "FMA ... (43.7%)", under-utilized again;
 * "achieved 75% of this device's FP32 peak performance and 0% of its FP64
 * peak", 0%, 7%, "close to 0%". */
static void test_full_pages(void)
{
    static const char *const pages[] = { "ncu-h100/probe4_full_details.csv", "ncu-h100/probe4_full_details_baseunits.csv",
                                         "ncu-h200-sets/probe4_full_details_autounits.csv",
                                         "ncu-h200-sets/probe4_detailed_details_autounits.csv" };
    static const double fma_pct[][4] = { { 75.3, 0, 43.7, 0 }, { 75.3, 0, 43.7, 0 }, { 75.2, 0, 43.7, 0 },
                                         { 75.3, 0, 43.7, 0 } };
    static const double fp32_peak[4] = { 75, 0, 7, 0 };
    size_t p, k;
    struct got g;
    for (p = 0; p < sizeof pages / sizeof pages[0]; p++) {
        CHECK(read_page(pages[p], &g) == 0);
        CHECK(g.n == 4);
        for (k = 0; k < 4; k++) {
            CHECK(g.rules[k] & NCU_RULE_PIPE);
            CHECK(g.rules[k] & NCU_RULE_ROOFLINE);
            CHECK(g.not_understood[k] == 0);
            check_pipes(&g, k, fma_pct[p][k], 0, 0, 0);
            CHECK_NEAR(g.value[k][M_RULE_FP32_PEAK], fp32_peak[k], 1e-9);
            CHECK(g.have[k][M_RULE_FP64_PEAK] && g.value[k][M_RULE_FP64_PEAK] == 0);
        }
    }
    /* --set full only: FPInstructions (blur_k, tiny_k) and IssueSlotUtilization (copy_k, tiny_k) */
    CHECK(read_page(pages[0], &g) == 0);
    CHECK((g.rules[2] & NCU_RULE_FP_INST) && !(g.rules[0] & NCU_RULE_FP_INST));
    CHECK_NEAR(g.value[2][M_RULE_FP32_FUSED], 5184000, 1e-12);
    CHECK_NEAR(g.value[2][M_RULE_FP32_NONFUSED], 25920000, 1e-12);
    CHECK(g.value[3][M_RULE_FP32_FUSED] == 0 && g.value[3][M_RULE_FP32_NONFUSED] == 1);
    CHECK(g.have[1][M_RULE_ISSUE_EVERY] && !g.have[0][M_RULE_ISSUE_EVERY]);
    CHECK_NEAR(g.value[1][M_RULE_ISSUE_EVERY], 26.8, 1e-12);
    CHECK_NEAR(g.value[3][M_RULE_ISSUE_EVERY], 153.0, 1e-12);
    /* the default set's page has no such rule: nothing read, nothing derived */
    CHECK(read_page("ncu-h200-sets/probe4_basic_details_autounits.csv", &g) == 0);
    for (k = 0; k < 4; k++)
        CHECK(g.rules[k] == 0 && !g.have[k][M_RULE_PIPE_FMA] && !g.have[k][M_RULE_FP32_PEAK]);
}

/* The raw page of the same report: the busiest pipe derived from its pipe
 * metrics is the pipe, and the percentage to its rounding, that the
 * details page's rule names. */
static void test_derived_matches_rule(void)
{
    static const char *const pairs[][2] = {
        { "ncu-h100/probe4_full_raw.csv", "ncu-h100/probe4_full_details.csv" },
        { "ncu-h200-sets/probe4_full_raw_autounits.csv", "ncu-h200-sets/probe4_full_details_autounits.csv" },
        { "ncu-h200-sets/probe4_detailed_raw_baseunits.csv", "ncu-h200-sets/probe4_detailed_details_baseunits.csv" },
    };
    size_t p, k, i;
    struct got raw, det;
    for (p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        CHECK(read_page(pairs[p][0], &raw) == 0);
        CHECK(read_page(pairs[p][1], &det) == 0);
        CHECK(raw.n == 4 && det.n == 4);
        for (k = 0; k < 4; k++) {
            CHECK(raw.rules[k] == 0); /* a raw page has no rule rows: derived */
            for (i = 0; i < 4; i++) {
                CHECK(raw.have[k][pipes[i]]);
                CHECK(fabs(raw.value[k][pipes[i]] - det.value[k][pipes[i]]) <= 0.05 + 1e-9);
            }
            /* SOLFPRoofline from the roofline's counts: the rule prints whole percents (75%, 7%, "close to
             * 0%" for tiny_k's 0.00002%, 0%) */
            CHECK(raw.have[k][M_RULE_FP32_PEAK] && raw.have[k][M_RULE_FP64_PEAK]);
            CHECK(det.have[k][M_RULE_FP32_PEAK] && det.have[k][M_RULE_FP64_PEAK]);
            CHECK(fabs(raw.value[k][M_RULE_FP32_PEAK] - det.value[k][M_RULE_FP32_PEAK]) <= 0.5);
            CHECK(fabs(raw.value[k][M_RULE_FP64_PEAK] - det.value[k][M_RULE_FP64_PEAK]) <= 0.5);
        }
        /* fma_k: (0.16 + 0.32 + 2 x 12,716.8) / (2 x 16,896) on the H100; 75.24% and 75.27% on the H200's */
        CHECK(fabs(raw.value[0][M_RULE_FP32_PEAK] - 75.25) < 0.03);
        CHECK(raw.value[1][M_RULE_FP32_PEAK] == 0 && raw.value[3][M_RULE_FP32_PEAK] > 0); /* copy_k; tiny_k "close to 0" */
    }
}

static int read_one(const char *rule, const char *text, double *v, unsigned char *h, unsigned *bit)
{
    memset(h, 0, M_COUNT);
    *bit = 0;
    return ncu_rules_read(rule, text, v, h, bit);
}

static void test_rewording(void)
{
    double v[M_COUNT];
    unsigned char h[M_COUNT];
    unsigned bit;
    /* an older ncu: "based on active cycles", and the tensor pipe */
    CHECK(read_one("HighPipeUtilization", "Tensor is the highest-utilized pipeline (91.4%) based on active cycles, "
                   "taking into account the rates of its different instructions.", v, h, &bit) == NCU_RULE_READ);
    CHECK(bit == NCU_RULE_PIPE);
    CHECK_NEAR(v[M_RULE_PIPE_TENSOR], 91.4, 1e-12);
    CHECK(h[M_RULE_PIPE_FMA] && v[M_RULE_PIPE_FMA] == 0);
    /* the Shared pipe, by the sub-pipeline the text says dominates it */
    CHECK(read_one("HighPipeUtilization", "Shared is the highest-utilized pipeline (85.2%) based on elapsed cycles. "
                   "It is the logical sum of several other pipelines which can't achieve full utilization on their "
                   "own. It's dominated by its FP64 sub-pipeline.", v, h, &bit) == NCU_RULE_READ);
    CHECK_NEAR(v[M_RULE_PIPE_FP64], 85.2, 1e-12);
    CHECK(read_one("HighPipeUtilization", "Shared is the highest-utilized pipeline (64.0%). It's dominated by its "
                   "Tensor (FP) sub-pipeline.", v, h, &bit) == NCU_RULE_READ);
    CHECK_NEAR(v[M_RULE_PIPE_TENSOR], 64.0, 1e-12);
    CHECK(v[M_RULE_PIPE_FP64] == 0);
    /* a physical pipe named after its sub-pipes; the second, instruction-based pipe is not read */
    CHECK(read_one("HighPipeUtilization", "Shared FMA Heavy is the highest-utilized pipeline (58.3%) based on elapsed "
                   "cycles. Based on the number of executed instructions, the highest utilized pipeline (56.0%) is "
                   "ALU Heavy.", v, h, &bit) == NCU_RULE_READ);
    CHECK_NEAR(v[M_RULE_PIPE_FMA], 58.3, 1e-12);
    CHECK(v[M_RULE_PIPE_ALU] == 0);
    /* a pipe the tool has no metric of: the four are not the busiest */
    CHECK(read_one("HighPipeUtilization", "LSU is the highest-utilized pipeline (71.0%).", v, h, &bit) == NCU_RULE_READ);
    CHECK(h[M_RULE_PIPE_TENSOR] && v[M_RULE_PIPE_FMA] + v[M_RULE_PIPE_ALU] + v[M_RULE_PIPE_FP64] == 0);
    /* what cannot be read: no number, no one pipe, no pipe at all */
    CHECK(read_one("HighPipeUtilization", "ALU is the highest-utilized pipeline based on elapsed cycles.", v, h, &bit) ==
          NCU_RULE_NOT_UNDERSTOOD);
    CHECK(!h[M_RULE_PIPE_ALU]);
    CHECK(read_one("HighPipeUtilization", "Shared is the highest-utilized pipeline (70.0%).", v, h, &bit) ==
          NCU_RULE_NOT_UNDERSTOOD);
    CHECK(read_one("HighPipeUtilization", "No compute pipeline is over-utilized.", v, h, &bit) ==
          NCU_RULE_NOT_UNDERSTOOD);
    /* the roofline in lower case, with thousands separators elsewhere */
    CHECK(read_one("SOLFPRoofline", "The workload achieved 30% of this device's fp32 peak performance and 61% of its "
                   "fp64 peak performance.", v, h, &bit) == NCU_RULE_READ);
    CHECK(v[M_RULE_FP32_PEAK] == 30 && v[M_RULE_FP64_PEAK] == 61);
    CHECK(read_one("SOLFPRoofline", "The ratio of peak float (FP32) to double (FP64) performance is 2:1.", v, h,
                   &bit) == NCU_RULE_NOT_UNDERSTOOD);
    CHECK(read_one("FPInstructions", "This kernel executes 1,024 fused and 2,048,000 non-fused FP32 instructions.", v, h,
                   &bit) == NCU_RULE_READ);
    CHECK(v[M_RULE_FP32_FUSED] == 1024 && v[M_RULE_FP32_NONFUSED] == 2048000);
    CHECK(read_one("FPInstructions", "This kernel executes 10 fused and 20 non-fused FP64 instructions.", v, h, &bit) ==
          NCU_RULE_UNKNOWN);
    CHECK(read_one("IssueSlotUtilization", "each scheduler only issues an instruction every 2.5 cycles", v, h, &bit) ==
          NCU_RULE_READ);
    CHECK(v[M_RULE_ISSUE_EVERY] == 2.5);
    CHECK(read_one("SOLBottleneck", "Compute is more heavily utilized than Memory.", v, h, &bit) == NCU_RULE_UNKNOWN);
    /* a second row of a rule read already changes nothing */
    CHECK(read_one("HighPipeUtilization", "FMA is the highest-utilized pipeline (75.2%).", v, h, &bit) == NCU_RULE_READ);
    CHECK(ncu_rules_read("HighPipeUtilization", "ALU is the highest-utilized pipeline (30.0%).", v, h, &bit) ==
          NCU_RULE_READ);
    CHECK_NEAR(v[M_RULE_PIPE_FMA], 75.2, 1e-12);
    CHECK(v[M_RULE_PIPE_ALU] == 0);
    CHECK_STR(ncu_rules_name(0), "HighPipeUtilization");
}

/* The derivation on a record without the rule's text: the busiest of the
 * four pipes, named only from FEATURES_RULE_PIPE_MIN_PCT. */
static void test_derive(void)
{
    double v[M_COUNT] = { 0 };
    unsigned char h[M_COUNT] = { 0 };
    h[M_PIPE_FMA] = h[M_PIPE_ALU] = h[M_PIPE_FP64] = 1;
    v[M_PIPE_TENSOR] = 90;
    features_derive(v, h);
    CHECK(!h[M_RULE_PIPE_TENSOR]); /* a pipe missing: nothing derived */
    h[M_PIPE_TENSOR] = 1;
    v[M_PIPE_FMA] = 30;
    features_derive(v, h);
    CHECK(h[M_RULE_PIPE_TENSOR] && v[M_RULE_PIPE_TENSOR] == 90 && v[M_RULE_PIPE_FMA] == 0);
    memset(h, 0, sizeof h);
    h[M_PIPE_FMA] = h[M_PIPE_ALU] = h[M_PIPE_FP64] = h[M_PIPE_TENSOR] = 1;
    v[M_PIPE_TENSOR] = 19.9;
    v[M_PIPE_FMA] = 12;
    features_derive(v, h);
    CHECK(h[M_RULE_PIPE_FMA] && v[M_RULE_PIPE_FMA] == 0 && v[M_RULE_PIPE_TENSOR] == 0); /* all under 20%: none */
    /* where the input has them (calibrate --tiers), ALU by its cycles and the Shared pipe, which counts as the
     * busier of its FP64 and Tensor sub-pipelines */
    memset(h, 0, sizeof h);
    h[M_PIPE_FMA] = h[M_PIPE_ALU] = h[M_PIPE_FP64] = h[M_PIPE_TENSOR] = h[M_PIPE_ALU_CYC] = h[M_PIPE_SHARED] = 1;
    v[M_PIPE_FMA] = 30;
    v[M_PIPE_ALU] = 25;
    v[M_PIPE_ALU_CYC] = 40;
    v[M_PIPE_SHARED] = 10;
    features_derive(v, h);
    CHECK(v[M_RULE_PIPE_ALU] == 40 && v[M_RULE_PIPE_FMA] == 0);
    memset(h, 0, sizeof h);
    h[M_PIPE_FMA] = h[M_PIPE_ALU] = h[M_PIPE_FP64] = h[M_PIPE_TENSOR] = h[M_PIPE_SHARED] = 1;
    v[M_PIPE_FP64] = 35;
    v[M_PIPE_TENSOR] = 38;
    v[M_PIPE_SHARED] = 70; /* FP64 and tensor work together */
    features_derive(v, h);
    CHECK(v[M_RULE_PIPE_TENSOR] == 70 && v[M_RULE_PIPE_FP64] == 0 && v[M_RULE_PIPE_FMA] == 0);
    /* the roofline: adds, multiplies and two per FMA over twice the FMA peak; a peak of 0 derives nothing */
    memset(h, 0, sizeof h);
    h[M_FP32_ADD] = h[M_FP32_MUL] = h[M_FP32_FMA] = h[M_FP32_FMA_PEAK] = 1;
    h[M_FP64_ADD] = h[M_FP64_MUL] = h[M_FP64_FMA] = h[M_FP64_FMA_PEAK] = 1;
    v[M_FP32_ADD] = 100;
    v[M_FP32_MUL] = 200;
    v[M_FP32_FMA] = 1000;
    v[M_FP32_FMA_PEAK] = 2300;
    v[M_FP64_ADD] = v[M_FP64_MUL] = v[M_FP64_FMA] = 5;
    v[M_FP64_FMA_PEAK] = 0;
    features_derive(v, h);
    CHECK(h[M_RULE_FP32_PEAK] && fabs(v[M_RULE_FP32_PEAK] - 50) < 1e-12);
    CHECK(!h[M_RULE_FP64_PEAK]);
}

static void check_hint(const char *name, const char *dtype, enum hint_unit unit)
{
    struct name_hint h;
    int got = name_hint_of(name, &h);
    CHECK(got == (dtype || unit));
    if (dtype)
        CHECK_STR(h.dtype, dtype);
    else
        CHECK(h.dtype == NULL);
    CHECK(h.unit == unit);
    if (!(got == (dtype || unit) && h.unit == unit))
        fprintf(stderr, "  (name %s)\n", name);
}

/* Names as the recorded validation workloads' pages print them, and others. */
static void test_name_hints(void)
{
    check_hint("sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize256x128x8_stage3_warpsize4x2x1_ffma_aligna4_alignc4",
               "fp32", HINT_CUDA_CORES);
    check_hint("sm90_xmma_gemm_f32f32_tf32f32_f32_nn_n_tilesize128x256x32_warpgroupsize2x1x1_execute_segment_k_off",
               "tf32", HINT_TENSOR_CORES);
    check_hint("nvjet_sm90_hsh_320x128_64x3_1x2_h_bz_coopB_NNT", "fp16", HINT_TENSOR_CORES);
    check_hint("nvjet_sm90_tst_320x128_64x3_1x2_h_bz_coopB_NNT", "bf16", HINT_TENSOR_CORES);
    check_hint("sm90_xmma_fprop_image_first_layer_f16f16_f32_f16_nhwckrsc_nhwc_hmma_k64c4r7s7", "fp16",
               HINT_TENSOR_CORES);
    check_hint("cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x64_4x1x1", "fp16",
               HINT_TENSOR_CORES);
    check_hint("sm80_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x32", "bf16", HINT_UNIT_UNSAID);
    check_hint("sm80_xmma_gemm_i8i8_i8i32_f32_tn_n_tilesize128x128x64_imma", "int8", HINT_TENSOR_CORES);
    check_hint("void dgemm_largek_Volta_NN_64x64(int, int)", "fp64", HINT_UNIT_UNSAID);
    check_hint("cutlass_80_tensorop_s1688gemm_128x128_32x3_nn_align4", NULL, HINT_TENSOR_CORES);
    check_hint("void implicit_convolve_sgemm<float, float, 1024, 5, 5, 3, 3, 3, 1, 0, 0, 1>(int)", "fp32",
               HINT_CUDA_CORES);
    /* no pattern: no hint, whatever the name suggests to a person */
    check_hint("void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>>", NULL,
               HINT_UNIT_UNSAID);
    check_hint("fma_k(float *, int)", NULL, HINT_UNIT_UNSAID);
    check_hint("mb_mma", NULL, HINT_UNIT_UNSAID); /* the calibration's mma loop before issue 30 */
    check_hint("gemmSN_NN_kernel<float, 128, 2, 4, 8, 3, 4, 0>", NULL, HINT_UNIT_UNSAID);
    check_hint("void regular_fft_factor<4096, EPT<16>>(kernel_arguments_t)", NULL, HINT_UNIT_UNSAID);
    /* the calibration's kernels (microbench.cu; since issue 30 named as libraries name theirs, by instruction and
     * data type): every one whose work is one data type on one unit gets the hint that says it */
    check_hint("mb_ffma_f32", "fp32", HINT_CUDA_CORES);
    check_hint("mb_ffma_f32_bounded", "fp32", HINT_CUDA_CORES);
    check_hint("mb_ffma_f32_tile", "fp32", HINT_CUDA_CORES);
    check_hint("mb_ffma_f32_tile_bounded", "fp32", HINT_CUDA_CORES);
    check_hint("mb_sgemm", "fp32", HINT_CUDA_CORES);
    check_hint("mb_dfma_f64", "fp64", HINT_UNIT_UNSAID);
    check_hint("mb_hfma2_f16", "fp16", HINT_UNIT_UNSAID); /* HFMA2: fma pipe, and the tensor pipe's counter too on H100 */
    check_hint("mb_hfma2_bf16", "bf16", HINT_UNIT_UNSAID);
    check_hint("mb_hmma_f16", "fp16", HINT_TENSOR_CORES);
    check_hint("mb_wgmma_f16", "fp16", HINT_TENSOR_CORES);
    check_hint("mb_wgmma_f16_mix", "fp16", HINT_TENSOR_CORES);
    check_hint("mb_int_alu", NULL, HINT_UNIT_UNSAID);
    check_hint("mb_load", NULL, HINT_UNIT_UNSAID);
    /* the old names: only the data type where a pattern said it */
    check_hint("mb_fp32", NULL, HINT_UNIT_UNSAID);
    check_hint("mb_fp64", "fp64", HINT_UNIT_UNSAID);
    check_hint("mb_fp16", "fp16", HINT_UNIT_UNSAID);
    check_hint("mb_wgmma", NULL, HINT_TENSOR_CORES);
    CHECK_STR(name_hint_unit_name(HINT_TENSOR_CORES), "tensor cores");
    CHECK(name_hint_unit_name(HINT_UNIT_UNSAID) == NULL);
}

int main(void)
{
    test_full_pages();
    test_derived_matches_rule();
    test_rewording();
    test_derive();
    test_name_hints();
    return tl_done();
}
