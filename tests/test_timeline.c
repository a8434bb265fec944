/* Unit tests for timeline.c: kernel base names (mangled and demangled must
 * agree: CUPTI gives the one, ncu the other), merging the tracer's files
 * onto one clock, reading timelines (and refusing bad ones, naming the
 * line), and the estimate over a timeline (kernels' power where they ran,
 * gaps at the model's gap power, min and peak over sliding windows). */
#include <limits.h>
#include <math.h>

#include "testlib.h"
#include "timeline.h"

static void base(const char *name, const char *want)
{
    char out[128];
    timeline_base_name(name, out, sizeof out);
    CHECK_STR(out, want);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = plat_fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void test_names(void)
{
    base("_Z6kernelPf", "kernel");
    base("fma_k(float *, int)", "fma_k");
    base("copy_k", "copy_k");
    base("_ZN2at6native29vectorized_elementwise_kernelILi4ENS0_11FillFunctorIfEESt5arrayIPcLm1EEEEviT0_T1_",
         "vectorized_elementwise_kernel");
    base("void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, std::array<char *, "
         "1>>(int, T2, T3)", "vectorized_elementwise_kernel");
    base("_ZN2at6native12_GLOBAL__N_139conv_depthwise2d_forward_kernel_genericIfEEvN2at27GenericPackedTensorAccessor",
         "conv_depthwise2d_forward_kernel_generic");
    base("void <unnamed>::conv_depthwise2d_forward_kernel_generic<float>(at::GenericPackedTensorAccessor<float, 4>)",
         "conv_depthwise2d_forward_kernel_generic");
    base("(anonymous namespace)::tiny_k(float *)", "tiny_k");
    base("void unnamed>::conv_depthwise2d_forward_kernel_generic<float, int>(GenericPackedTensorAccessor<T1, 3>)",
         "conv_depthwise2d_forward_kernel_generic");
    { /* longer than the buffer: cut alike on both sides */
        static const char cublas[] = "sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize256x128x8_stage3_warpsize2x4x1_"
                                     "ffma_aligna4_alignc4_execute_kernel__5x_cublas";
        char out[128];
        timeline_base_name(cublas, out, sizeof out);
        CHECK(strlen(out) == (sizeof cublas - 1 < 127 ? sizeof cublas - 1 : 127) && strncmp(out, cublas, strlen(out)) == 0);
    }
    base("_ZN7cutlass7Kernel2I33cutlass_80_tensorop_s1688gemm_64x64EEvNT_6ParamsE", "Kernel2");
    base("void cutlass::Kernel2<cutlass_80_tensorop_s1688gemm_64x64>(T1::Params)", "Kernel2");
    base("_ZNK3foo3barEv", "bar");
    base("_Z3", "_Z3"); /* broken mangling: kept as it is */
}

static void test_merge_and_load(void)
{
    char dir[1024], prefix[1100], a[1200], b[1200], out[1200], err[512];
    struct timeline t;
    if (!plat_make_temp_dir(tl_temp_name(dir, sizeof dir, "gp_test_timeline.XXXXXX"))) {
        CHECK(0);
        return;
    }
    snprintf(prefix, sizeof prefix, "%s/tl.part", dir);
    snprintf(a, sizeof a, "%s.100", prefix);
    snprintf(b, sizeof b, "%s.200", prefix);
    snprintf(out, sizeof out, "%s/tl.txt", dir);
    /* process 100: CUPTI clock = monotonic + 1000 s; process 200: + 5 s */
    write_file(a, "# gpu_profiler_trace 1\n# pid 100\n"
                  "# clock start cupti_ns 1001000000000 monotonic_ns 1000000000\n"
                  "K 1001500000000 1001600000000 0 _Z6kernelPf\n"
                  "C 1001700000000 1001800000000 0 4096\n"
                  "K 1001900000000 1002000000000 0 _Z6kernelPf\n"
                  "# clock end cupti_ns 1003000000000 monotonic_ns 3000000000\n");
    write_file(b, "# gpu_profiler_trace 1\n# pid 200\n"
                  "# clock start cupti_ns 6000000000 monotonic_ns 1000000000\n"
                  "K 6550000000 6560000000 1 other_k\n# dropped 3\n");
    CHECK(timeline_merge(prefix, out, 1.0, 3.0, 80, NULL, NULL, 0, 0, err, sizeof err) == 0);
    CHECK(!plat_exists(a) && !plat_exists(b)); /* the tracer's files are gone */
    CHECK(timeline_load(out, &t, err, sizeof err) == 0);
    if (t.n != 4)
        fprintf(stderr, "  %s\n", err);
    CHECK(t.n == 4 && t.processes == 2 && t.dropped == 3);
    CHECK(t.window_start_ns == 1000000000 && t.window_stop_ns == 3000000000);
    CHECK_NEAR(t.idle_before_w, 80, 1e-12);
    CHECK(t.ncontexts == 2);
    if (t.ncontexts == 2) { /* process 100 from 1 s to 3 s; process 200 from 1 s, no end line */
        int a0 = t.context_end_ns[0] == 3000000000LL ? 0 : 1;
        CHECK(t.context_start_ns[a0] == 1000000000LL && t.context_end_ns[a0] == 3000000000LL);
        CHECK(t.context_start_ns[1 - a0] == 1000000000LL && t.context_end_ns[1 - a0] == LLONG_MAX);
    }
    if (t.n == 4) {
        CHECK(t.ev[0].kind == 'K' && t.ev[0].start_ns == 1500000000 && t.ev[0].end_ns == 1600000000);
        CHECK_STR(t.ev[0].name, "_Z6kernelPf");
        CHECK(t.ev[1].kind == 'K' && t.ev[1].device == 1 && t.ev[1].start_ns == 1550000000);
        CHECK_STR(t.ev[1].name, "other_k");
        CHECK(t.ev[2].kind == 'C' && t.ev[2].name == NULL);
        CHECK(t.ev[3].name_id == t.ev[0].name_id); /* one name, given once */
    }
    timeline_free(&t);
    /* a file gpu_profiler did not write is not replaced */
    write_file(a, "# gpu_profiler_trace 1\n# clock start cupti_ns 0 monotonic_ns 0\nK 1 2 0 k\n");
    write_file(out, "my notes\n");
    CHECK(timeline_merge(prefix, out, 0, 1, 0, NULL, NULL, 0, 0, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "not written by gpu_profiler");
    /* a failed run's files are discarded, and only those */
    write_file(b, "# gpu_profiler_trace 1\n");
    snprintf(out, sizeof out, "%s.12x", prefix);
    write_file(out, "not the tracer's\n");
    timeline_discard(prefix);
    CHECK(!plat_exists(a) && !plat_exists(b));
    CHECK(plat_exists(out));
    plat_remove(out);
    snprintf(out, sizeof out, "%s/tl.txt", dir);
    /* nothing traced */
    plat_remove(a);
    CHECK(timeline_merge(prefix, out, 0, 1, 0, NULL, NULL, 0, 1, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "the tracer wrote nothing");
    /* bad timelines name the line */
    write_file(out, "# gpu_profiler_timeline 1\n# window_ns 0 10\nK 1 2 0 0\n");
    CHECK(timeline_load(out, &t, err, sizeof err) != 0);
    CHECK_CONTAINS(err, ":3: kernel name id '0' was not given");
    write_file(out, "# gpu_profiler_timeline 1\n# window_ns 0 10\nN 0 k\nK 5 6 0 0\nK 1 2 0 0\n");
    CHECK(timeline_load(out, &t, err, sizeof err) != 0);
    CHECK_CONTAINS(err, ":5: the records are not in order");
    write_file(out, "# gpu_profiler_timeline 1\nN 0 k\n");
    CHECK(timeline_load(out, &t, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "no '# window_ns START STOP' line");
    write_file(out, "hello\n");
    CHECK(timeline_load(out, &t, err, sizeof err) != 0);
    CHECK_CONTAINS(err, ":1: not a gpu_profiler timeline");
    write_file(out, "# gpu_profiler_timeline 1\n# window_ns 0 10\nK 1 0 0 0\n");
    CHECK(timeline_load(out, &t, err, sizeof err) != 0);
    CHECK_CONTAINS(err, ":3: expected 'K|C|S");
    plat_remove(out);
    plat_remove_dir(dir);
}

/* P lines: the measured power, binned beside the estimate; bad ones refused
 * with their line. */
static void test_power_lines(const char *path, const struct estimate *e)
{
    static const struct { const char *line, *err; } bad[] = {
        { "P 5\n", ":5: expected 'P TIME_NS WATTS'" },
        { "P 5 -3\n", ":5: expected 'P TIME_NS WATTS' (0 to 10000 W)" },
        { "P 5 20000\n", ":5: expected 'P TIME_NS WATTS'" },
        { "P 5 300 x\n", ":5: expected 'P TIME_NS WATTS'" },
        { "P 0 300\n", ":5: the power readings are not in time order" },
    };
    struct timeline t;
    struct timeline_result r;
    char text[512], err[256];
    size_t i;
    /* the first half at 400 W, the second at 600 W, a reading every 0.1 s */
    write_file(path, "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\nP 0 400\nP 100000000 400\n"
                     "P 200000000 400\nP 300000000 400\nP 400000000 400\nP 500000000 600\nP 600000000 600\n"
                     "P 700000000 600\nP 800000000 600\nP 900000000 600\nN 0 _Z1ai\nK 0 500000000 0 0\n");
    CHECK(timeline_load(path, &t, err, sizeof err) == 0);
    CHECK(t.npower == 10);
    CHECK(timeline_estimate(&t, 0, e, 0.1, &r, err, sizeof err) == 0);
    CHECK(r.has_measured);
    CHECK_NEAR(r.measured_avg_w, 500, 1e-9);
    CHECK_NEAR(r.measured_w[0], 400, 1e-9);
    CHECK_NEAR(r.measured_w[TIMELINE_BINS / 2 - 1], 400, 1e-9);
    CHECK_NEAR(r.measured_w[TIMELINE_BINS - 1], 600, 1e-9); /* bins between readings keep the last */
    CHECK_NEAR(r.series_w[0], 500, 1e-9);                  /* kernel a */
    timeline_free(&t);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\nP 1 300\nP 4 300\n%s",
                 bad[i].line);
        write_file(path, text);
        CHECK(timeline_load(path, &t, err, sizeof err) == -1);
        CHECK_CONTAINS(err, bad[i].err);
        timeline_free(&t);
    }
}

/* A timeline of text in a new temporary folder dir (1024 bytes), as
 * path (1200 bytes) = dir/t.txt, loaded into t. 0, or -1 after a failed
 * check. */
static int temp_timeline(char *dir, char *path, const char *text, struct timeline *t)
{
    char err[256];
    if (!plat_make_temp_dir(tl_temp_name(dir, 1024, "gp_test_timeline.XXXXXX"))) {
        CHECK(0);
        return -1;
    }
    snprintf(path, 1200, "%s/t.txt", dir);
    write_file(path, text);
    CHECK(timeline_load(path, t, err, sizeof err) == 0);
    return 0;
}

/* An estimate of n kernels (filled in by the caller) with a model of idle
 * 100 W and a 700 W limit, no gap terms. */
static void estimate_setup(struct model *m, struct estimate *e, struct kernel_result *k, size_t n)
{
    memset(m, 0, sizeof *m);
    m->idle_w = 100;
    m->power_limit_w = 700;
    memset(e, 0, sizeof *e);
    memset(k, 0, n * sizeof *k);
    e->used = m;
    e->kernels = k;
    e->nkernels = n;
}

static void test_estimate(void)
{
    /* 1 s window: kernel "a" 0-0.2 s and 0.5-0.7 s, kernel "b" 0.7-0.8 s,
     * gaps at idle 100 W (no gap terms); profile: a at 500 W, b at 800 W
     * (above the 700 W limit: capped) */
    char dir[1024], path[1200], err[256];
    struct timeline t;
    struct model m;
    struct estimate e;
    struct kernel_result k[2];
    struct timeline_result r;
    if (temp_timeline(dir, path, "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\nN 0 _Z1ai\nN 1 _Z1bi\n"
                                 "K 0 200000000 0 0\nK 500000000 700000000 0 0\nK 700000000 800000000 0 1\n"
                                 "K 700000000 750000000 1 1\n", &t) != 0)
        return;
    estimate_setup(&m, &e, k, 2);
    k[0].name = "a(int)";
    k[0].duration_s = 0.001;
    k[0].power_w[TARGET_MIN] = k[0].power_w[TARGET_AVG] = k[0].power_w[TARGET_PEAK] = 500;
    k[1].name = "b(int)";
    k[1].duration_s = 0.002;
    k[1].power_w[TARGET_MIN] = 650;
    k[1].power_w[TARGET_AVG] = 800;
    k[1].power_w[TARGET_PEAK] = 750;
    k[1].uncapped_w = 800;
    k[1].capped = 1;
    CHECK(timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK(r.kernels == 3 && r.matched == 3);
    CHECK_NEAR(r.busy_s, 0.5, 1e-9);
    /* b is a 0.1 s burst in a second that averages under the limit even
     * with b uncapped: it runs at its uncapped 800 W */
    CHECK_NEAR(r.energy_j, 0.4 * 500 + 0.1 * 800 + 0.5 * 100, 1e-9);
    CHECK_NEAR(r.avg_w, 330, 1e-9);
    CHECK_NEAR(r.peak_w, 800, 1e-9); /* 0.7-0.8 s */
    CHECK(r.uncapped == 1);
    CHECK_NEAR(r.min_w, 100, 1e-9);  /* 0.2-0.5 s: idle */
    /* no CUDA context before 0.1 s and after 0.9 s: those parts of the gaps
     * at the idle measured before the run, 60 W */
    t.idle_before_w = 60;
    t.ncontexts = 1;
    t.context_start_ns[0] = 100000000;
    t.context_end_ns[0] = 900000000;
    CHECK(timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK_NEAR(r.energy_j, 0.4 * 500 + 0.1 * 800 + 0.3 * 100 + 0.1 * 100 + 0.1 * 60, 1e-9);
    t.ncontexts = 0;
    t.idle_before_w = 0;
    /* gap terms: the power falls from the kernel's towards idle */
    m.gap_tau_s = 0.01;
    m.gap_tail = 1;
    CHECK_NEAR(model_gap_power(&m, 500, 0.3), 100 + 400 * 0.01 / 0.3 * (1 - exp(-30.0)), 1e-9);
    CHECK_NEAR(model_gap_power(&m, 500, 0), 500, 1e-12);
    m.gap_tau_s = 0;
    CHECK_NEAR(model_gap_power(&m, 500, 0.3), 100, 1e-12);
    /* a kernel never profiled takes the profile's mean; another device */
    k[1].name = "c(int)";
    CHECK(timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK(r.kernels == 3 && r.matched == 2);
    CHECK(timeline_estimate(&t, 1, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK(r.kernels == 1 && r.matched == 0);
    CHECK_NEAR(r.busy_s, 0.05, 1e-9);
    timeline_free(&t);
    /* b back to back for 2 s: over the limit with b uncapped, so capped at
     * 700 W with its heads (650, 750) */
    write_file(path, "# gpu_profiler_timeline 1\n# window_ns 0 2000000000\nN 0 _Z1bi\n"
                     "K 0 1000000000 0 0\nK 1000000000 2000000000 0 0\n");
    k[1].name = "b(int)";
    CHECK(timeline_load(path, &t, err, sizeof err) == 0);
    CHECK(timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK_NEAR(r.avg_w, 700, 1e-9);
    CHECK_NEAR(r.min_w, 650, 1e-9);
    CHECK_NEAR(r.peak_w, 750, 1e-9);
    CHECK(r.uncapped == 0);
    /* no P lines: no measured series; the estimated series is the power per bin */
    CHECK(!r.has_measured && isnan(r.measured_avg_w));
    CHECK_NEAR(r.series_w[0], 700, 1e-9);
    CHECK_NEAR(r.series_w[TIMELINE_BINS - 1], 700, 1e-9);
    timeline_free(&t);
    test_power_lines(path, &e);
    plat_remove(path);
    plat_remove_dir(dir);
}

/* NCCL's kernels, which ncu cannot profile: at the model's communication
 * term where it has one, else at the profile's mean (issue 22). */
static void test_nccl(void)
{
    char dir[1024], path[1200], err[256];
    struct timeline t;
    struct model m;
    struct estimate e;
    struct kernel_result k[1];
    struct timeline_result r;
    /* 1 s: a GEMM 0-0.4 s, an all-reduce 0.4-0.9 s, idle 0.9-1 s */
    if (temp_timeline(dir, path, "# gpu_profiler_timeline 1\n# window_ns 0 1000000000\nN 0 _Z4gemmv\n"
                                 "N 1 ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)\n"
                                 "K 0 400000000 0 0\nK 400000000 900000000 0 1\n", &t) != 0)
        return;
    estimate_setup(&m, &e, k, 1);
    k[0].name = "gemm()";
    k[0].duration_s = 0.001;
    k[0].power_w[TARGET_MIN] = k[0].power_w[TARGET_AVG] = k[0].power_w[TARGET_PEAK] = 600;
    /* no term: the all-reduce at the profile's mean, 600 W, and said so */
    CHECK(timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK(r.kernels == 2 && r.matched == 1 && r.nccl == 1 && r.comm_w == 0);
    CHECK_NEAR(r.energy_j, 0.9 * 600 + 0.1 * 100, 1e-9);
    /* with one: 450 W avg, 400 min, 500 peak while it runs */
    m.comm_w[TARGET_MIN] = 400;
    m.comm_w[TARGET_AVG] = 450;
    m.comm_w[TARGET_PEAK] = 500;
    CHECK(timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK(r.kernels == 2 && r.matched == 1 && r.nccl == 1 && r.comm_w == 450);
    CHECK_NEAR(r.energy_j, 0.4 * 600 + 0.5 * 450 + 0.1 * 100, 1e-9);
    CHECK_NEAR(r.peak_w, 600, 1e-9);
    /* a profiled namesake wins over the term: an NCCL kernel ncu did profile */
    k[0].name = "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)";
    CHECK(timeline_estimate(&t, 0, &e, 0.1, &r, err, sizeof err) == 0);
    CHECK(r.matched == 1 && r.nccl == 0 && r.comm_w == 0);
    timeline_free(&t);
    plat_remove(path);
    plat_remove_dir(dir);
}

int main(void)
{
    test_names();
    test_merge_and_load();
    test_estimate();
    test_nccl();
    return tl_done();
}
