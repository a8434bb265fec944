/* Unit tests for ncu_csv.c. The four H100 fixtures (details page, details in
 * base units, raw page, ncu's stdout with program output mixed in) must give
 * the same kernels and metrics; values are checked against what the files
 * say when read by eye; bad inputs give errors that name the line. */
#include "ncu_csv.h"
#include "testlib.h"

#define MAXK 8

struct got {
    size_t n;
    long long id[MAXK], pid[MAXK], device[MAXK];
    char name[MAXK][64];
    char gpu[MAXK][64];
    double value[MAXK][M_COUNT];
    unsigned char have[MAXK][M_COUNT];
    double cc[MAXK];
};

static int collect(void *ctx, const struct ncu_kernel *k)
{
    struct got *g = ctx;
    if (g->n < MAXK) {
        g->id[g->n] = k->id;
        g->pid[g->n] = k->pid;
        g->device[g->n] = k->device;
        g->cc[g->n] = k->cc;
        snprintf(g->name[g->n], sizeof g->name[0], "%s", k->name);
        snprintf(g->gpu[g->n], sizeof g->gpu[0], "%s", k->gpu_name);
        memcpy(g->value[g->n], k->value, sizeof k->value);
        memcpy(g->have[g->n], k->have, sizeof k->have);
    }
    g->n++;
    return 0;
}

/* Reads text through the reader in chunks; returns rc, error in err. */
static int read_text(const char *text, size_t len, size_t chunk, struct got *g, struct ncu_stats *st, char *err,
                     size_t errlen)
{
    struct ncu_reader *r = ncu_reader_new(collect, g);
    size_t i;
    int rc = 0;
    memset(g, 0, sizeof *g);
    for (i = 0; i < len && rc == 0; i += chunk)
        rc = ncu_reader_feed(r, text + i, len - i < chunk ? len - i : chunk);
    if (rc == 0)
        rc = ncu_reader_finish(r);
    snprintf(err, errlen, "%s", ncu_reader_error(r));
    if (st)
        *st = *ncu_reader_stats(r);
    ncu_reader_free(r);
    return rc;
}

static int read_fixture(const char *name, struct got *g, struct ncu_stats *st)
{
    char path[256], err[512];
    size_t len;
    char *text;
    int rc;
    snprintf(path, sizeof path, "%s/ncu-h100/%s", FIXTURES, name);
    text = tl_slurp(path, &len);
    CHECK(text != NULL);
    if (!text)
        return -1;
    rc = read_text(text, len, 65536, g, st, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s: %s\n", name, err);
    free(text);
    return rc;
}

/* Issue 30: every kernel of a page carries the name-hint metrics of its
 * Kernel Name (1 where the name says it, else 0), read as a dataset's kernel
 * column is: cuBLAS's FFMA SGEMM (the H200 recording of mm_fp32) says FP32
 * on the CUDA cores, the probe's own kernels say nothing. */
static void test_name_hint_metrics(void)
{
    struct got g;
    char path[256], err[512];
    size_t len, i, ffma = 0;
    char *text;
    snprintf(path, sizeof path, "%s/timeline-h200/mm_fp32_ncu.csv", FIXTURES);
    text = tl_slurp(path, &len);
    CHECK(text && read_text(text, len, 4096, &g, NULL, err, sizeof err) == 0);
    free(text);
    for (i = 0; i < g.n && i < MAXK; i++) {
        CHECK(g.have[i][M_HINT_TENSOR] && g.have[i][M_HINT_FFMA] && g.have[i][M_HINT_FP64]);
        CHECK(g.value[i][M_HINT_TENSOR] == 0 && g.value[i][M_HINT_FP64] == 0);
        if (strstr(g.name[i], "sm80_xmma_gemm_f32f32")) {
            CHECK(g.value[i][M_HINT_FFMA] == 1);
            ffma++;
        }
    }
    CHECK(ffma > 0);
    CHECK(read_fixture("probe4_basic_stdout_mixed.csv", &g, NULL) == 0);
    for (i = 0; i < g.n && i < MAXK; i++)
        CHECK(g.have[i][M_HINT_TENSOR] && g.value[i][M_HINT_TENSOR] == 0 && g.value[i][M_HINT_FFMA] == 0 &&
              g.value[i][M_HINT_FP64] == 0);
}

static void expect_error(const char *what, const char *text, const char *needle)
{
    struct got g;
    char err[512];
    int rc = read_text(text, strlen(text), 7, &g, NULL, err, sizeof err);
    CHECK(rc == NCU_ERR);
    CHECK_CONTAINS(err, needle);
    if (rc != NCU_ERR || !strstr(err, needle))
        fprintf(stderr, "  case: %s\n", what);
}

#define DHDR "\"ID\",\"Process ID\",\"Process Name\",\"Host Name\",\"Kernel Name\",\"Context\",\"Stream\",\"Device\",\"CC\",\"Section Name\",\"Metric Name\",\"Metric Unit\",\"Metric Value\"\n"
#define DROW(id, pid, dev, sec, metric, unit, val) \
    "\"" id "\",\"" pid "\",\"app\",\"h\",\"k" id "\",\"1\",\"7\",\"" dev "\",\"9.0\",\"" sec "\",\"" metric "\",\"" unit "\",\"" val "\"\n"
#define SOL "GPU Speed Of Light Throughput"

/* Values no GPU measures are errors that name the line and the metric:
 * the audit's cases (issue 19). */
static void test_ranges(void)
{
    static const struct { const char *text, *want; } cases[] = {
        { DHDR DROW("0", "1", "0", SOL, "Elapsed Cycles", "cycle", "1e-308"), "line 2: metric gpc__cycles_elapsed.max" },
        { DHDR DROW("0", "1", "0", SOL, "Elapsed Cycles", "cycle", "1e308"), "outside what a GPU can measure" },
        { DHDR DROW("0", "1", "0", SOL, "Duration", "s", "1e308"), "metric gpu__time_duration.sum: 1e308 s" },
        { DHDR DROW("0", "1", "0", SOL, "Duration", "ns", "0"), "(1e-10 to 86400 s)" },
        { DHDR DROW("0", "1", "0", SOL, "DRAM Throughput", "%", "250"), "250 % is outside" },
        { DHDR DROW("0", "1", "0", SOL, "SM Frequency", "hz", "5"), "(1e+06 to 1e+11 hz)" },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct got g;
        char err[512];
        CHECK(read_text(cases[i].text, strlen(cases[i].text), 7, &g, NULL, err, sizeof err) == NCU_ERR);
        CHECK_CONTAINS(err, cases[i].want);
    }
    {   /* the edges are measurements */
        static const char ok[] = DHDR DROW("0", "1", "0", SOL, "DRAM Throughput", "%", "200")
            DROW("0", "1", "0", SOL, "Elapsed Cycles", "cycle", "1");
        struct got g;
        char err[512];
        CHECK(read_text(ok, sizeof ok - 1, 7, &g, NULL, err, sizeof err) == 0);
    }
}

/* Derived metrics, and what kind of export a kernel came from. */
static void test_derive_and_describe(void)
{
    static const char raw[] = "\"ID\",\"Kernel Name\",\"Host Name\",\"dram__bytes_read.sum.pct_of_peak_sustained_elapsed\","
                              "\"dram__bytes_write.sum.pct_of_peak_sustained_elapsed\"\n\"\",\"\",\"\",\"%\",\"%\"\n"
                              "\"0\",\"k\",\"node7\",\"42.824032\",\"42.121906\"\n";
    struct got g;
    char err[256], kind[96];
    struct ncu_kernel k;
    CHECK(read_text(raw, sizeof raw - 1, 5, &g, NULL, err, sizeof err) == 0);
    CHECK(g.n == 1 && g.have[0][M_DRAM_THROUGHPUT]);
    /* the raw fixture's gpu__dram_throughput of copy_k: 84.945938 */
    CHECK_NEAR(g.value[0][M_DRAM_THROUGHPUT], 84.945938, 1e-9);
    memset(&k, 0, sizeof k);
    ncu_describe_export(&k, kind, sizeof kind);
    CHECK_STR(kind, "raw page");
    k.details = 1;
    k.sections = NCU_SEC_LAUNCH;
    ncu_describe_export(&k, kind, sizeof kind);
    CHECK_STR(kind, "details page with only Launch Statistics");
    k.sections = NCU_SEC_LAUNCH | NCU_SEC_OCCUPANCY;
    ncu_describe_export(&k, kind, sizeof kind);
    CHECK_STR(kind, "details page with Launch Statistics, Occupancy");
    k.sections = NCU_SEC_SOL | NCU_SEC_OCCUPANCY | NCU_SEC_LAUNCH | NCU_SEC_WORKLOAD;
    ncu_describe_export(&k, kind, sizeof kind);
    CHECK_STR(kind, "details page of ncu's default set");
    k.sections |= NCU_SEC_COMPUTE | NCU_SEC_MEMORY;
    ncu_describe_export(&k, kind, sizeof kind);
    CHECK_STR(kind, "details page of ncu --set detailed");
    k.sections |= NCU_SEC_WARP_STATE;
    ncu_describe_export(&k, kind, sizeof kind);
    CHECK_STR(kind, "details page of ncu --set full");
    k.sections = NCU_SEC_OTHER;
    ncu_describe_export(&k, kind, sizeof kind);
    CHECK_STR(kind, "details page with other sections");
}

/* Issue 32: what Windows PowerShell 5.1's '>' writes (UTF-16LE with a
 * byte-order mark), a UTF-8 mark, a lone '"' line before the header and an
 * unquoted line right after it read as the plain file does, in chunks of
 * any size (a mark or a UTF-16 unit split between two chunks). */
static void test_encodings_and_program_output(void)
{
    static const char *const files[] = { "probe4_h200_utf16le_bom.csv", "probe4_h200_lone_quote.csv",
                                         "probe4_h200_details_utf8_bom.csv", "probe4_h200_output_after_header.csv" };
    static const size_t chunks[] = { 1, 3, 65536 };
    size_t f, c, k;
    for (f = 0; f < sizeof files / sizeof files[0]; f++)
        for (c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            char path[256], err[512];
            size_t len;
            struct got g;
            char *text;
            snprintf(path, sizeof path, "%s/ncu-derived/%s", FIXTURES, files[f]);
            text = tl_slurp(path, &len);
            CHECK(text != NULL);
            if (!text)
                continue;
            CHECK(read_text(text, len, chunks[c], &g, NULL, err, sizeof err) == 0);
            CHECK(g.n == 4);
            for (k = 0; k < 4 && k < g.n; k++) {
                CHECK(g.id[k] == (long long)k && g.device[k] == 0);
                CHECK(g.have[k][M_DURATION]);
            }
            CHECK_STR(g.name[0], "fma_k(float *, int)");
            if (f < 2)
                CHECK_STR(g.gpu[0], "NVIDIA H200");
            free(text);
        }
}

/* Issue 32 (9): ids and devices past 2^31 and 2^32 are read as written on
 * every platform (long is 32 bits on Windows: device 4294967296 was read as 0,
 * kernel ID 2147483648 as a negative number that came "after" 2147483647). */
static void test_64bit_ids(void)
{
    static const struct {
        const char *file;
        long long id0, device[4];
    } cases[] = {
        { "probe4_h200_id_2p31.csv", 2147483646LL, { 0, 0, 0, 0 } },
        { "probe4_h200_device_2p32.csv", 0, { 0, 0, 4294967296LL, 4294967296LL } },
    };
    size_t c, k;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[256], err[512];
        size_t len;
        struct got g;
        char *text;
        snprintf(path, sizeof path, "%s/ncu-derived/%s", FIXTURES, cases[c].file);
        text = tl_slurp(path, &len);
        CHECK(text != NULL);
        if (!text)
            continue;
        CHECK(read_text(text, len, 65536, &g, NULL, err, sizeof err) == 0);
        if (err[0])
            fprintf(stderr, "%s: %s\n", cases[c].file, err);
        CHECK(g.n == 4);
        for (k = 0; k < 4 && k < g.n; k++) {
            CHECK(g.id[k] == cases[c].id0 + (long long)k);
            CHECK(g.device[k] == cases[c].device[k]);
        }
        free(text);
    }
}

/* A raw page saved again by pandas (read_csv, to_csv(index=False)): the
 * units row's empty ID makes the ID column (and Process ID, Device...) a
 * float column, written 0.0, 1.0: still ncu's rows. */
static void test_pandas_float_ids(void)
{
    static const char text[] = "ID,Process ID,Kernel Name,Device,gpu__time_duration.sum\n"
                               ",,,,ns\n"
                               "0.0,12.0,k,0.0,1000\n"
                               "1.0,12.0,k,0.0,2000\n";
    struct got g;
    char err[512];
    CHECK(read_text(text, sizeof text - 1, 65536, &g, NULL, err, sizeof err) == 0);
    CHECK(g.n == 2);
    CHECK(g.n == 2 && g.id[1] == 1 && g.pid[0] == 12 && g.device[0] == 0);
}

int main(void)
{
    test_pandas_float_ids();
    test_64bit_ids();
    test_encodings_and_program_output();
    test_derive_and_describe();
    test_ranges();
    test_name_hint_metrics();
    static const char *const pages[] = { "probe4_full_details.csv", "probe4_full_details_baseunits.csv",
                                         "probe4_full_raw.csv", "probe4_basic_stdout_mixed.csv" };
    static const char *const names[4] = { "fma_k(float *, int)", "copy_k(const float4 *, float4 *, unsigned long)",
                                          "blur_k(const float *, float *, int, int)", "tiny_k(float *)" };
    /* Read by eye from probe4_full_raw.csv (the most digits). The mixed file
     * is another run of the same program, so it is compared more loosely. */
    static const double duration_s[4] = { 1.704640e-3, 0.747968e-3, 0.249664e-3, 2.496e-6 };
    static const double dram_pct[4] = { 0.000090, 84.945938, 30.127327, 0.034375 };
    static const double l2_pct[4] = { 0.512026, 77.020477, 43.054785, 14.497540 };
    static const double sm_pct[4] = { 80.002617, 4.281851, 67.344333, 0.001147 };
    static const double elapsed_cyc[4] = { 3400623, 1492140, 495623, 4889 };
    static const double active_cyc[4] = { 3395428.704545, 1406391.121212, 489817.5, 7.893939 };
    static const double clock_hz[4] = { 1.994866e9, 1.994921e9, 1.981479e9, 1.957031e9 };
    static const double occupancy[4] = { 78.941549, 96.819772, 83.019284, 1.5625 };
    static const int shared[] = { M_DURATION, M_SM_CLOCK, M_SM_ACTIVE_CYC, M_SM_ELAPSED_CYC, M_IPC_ELAPSED,
                                  M_SM_THROUGHPUT, M_L2_THROUGHPUT, M_DRAM_THROUGHPUT, M_OCCUPANCY };
    struct got g[4];
    struct ncu_stats st[4];
    size_t p, k, i;
    int m;

    for (p = 0; p < 4; p++) {
        CHECK(read_fixture(pages[p], &g[p], &st[p]) == 0);
        CHECK(g[p].n == 4);
    }
    CHECK(st[0].page == NCU_PAGE_DETAILS && st[1].page == NCU_PAGE_DETAILS);
    CHECK(st[2].page == NCU_PAGE_RAW && st[3].page == NCU_PAGE_DETAILS);
    CHECK(st[3].lines_skipped == 4); /* 3 ==PROF==/==WARNING== lines, 1 line of program output */
    CHECK(st[2].lines_skipped == 0 && st[2].rows == 5);

    for (k = 0; k < 4; k++) {
        for (p = 0; p < 4; p++) {
            double tol = p == 3 ? 0.02 : 0.006; /* rounding of the details page; another run for p == 3 */
            CHECK(g[p].id[k] == (long)k);
            CHECK(g[p].device[k] == 0);
            CHECK_NEAR(g[p].cc[k], 9.0, 1e-12);
            CHECK_STR(g[p].name[k], names[k]);
            /* ncu's default sections (the mixed file) have no Compute Workload Analysis */
            for (i = 0; i < sizeof shared / sizeof shared[0]; i++)
                CHECK(g[p].have[k][shared[i]] == !(p == 3 && shared[i] == M_IPC_ELAPSED));
            CHECK_NEAR(g[p].value[k][M_DURATION], duration_s[k], tol + (k == 3 ? 0.02 : 0));
            CHECK_NEAR(g[p].value[k][M_SM_ELAPSED_CYC], elapsed_cyc[k], tol + (k == 3 ? 0.06 : 0));
            CHECK_NEAR(g[p].value[k][M_SM_CLOCK], clock_hz[k], tol);
            CHECK_NEAR(g[p].value[k][M_OCCUPANCY], occupancy[k], tol);
            if (p != 3) {
                /* percentages are printed with 2 decimals on the details page */
                CHECK(fabs(g[p].value[k][M_DRAM_THROUGHPUT] - dram_pct[k]) < 0.006);
                CHECK(fabs(g[p].value[k][M_L2_THROUGHPUT] - l2_pct[k]) < 0.006);
                CHECK(fabs(g[p].value[k][M_SM_THROUGHPUT] - sm_pct[k]) < 0.006);
                CHECK_NEAR(g[p].value[k][M_SM_ACTIVE_CYC], active_cyc[k], 0.006);
            }
        }
        /* the details page in base units and the raw page print the same digits */
        CHECK_NEAR(g[1].value[k][M_DURATION], g[2].value[k][M_DURATION], 1e-9);
        CHECK_NEAR(g[1].value[k][M_SM_ELAPSED_CYC], g[2].value[k][M_SM_ELAPSED_CYC], 1e-9);
        /* only the raw page has the pipes and the GPU's name */
        CHECK(g[2].have[k][M_PIPE_FMA] && !g[0].have[k][M_PIPE_FMA]);
        CHECK_STR(g[2].gpu[k], "NVIDIA H100 80GB HBM3");
        CHECK_STR(g[0].gpu[k], "");
        CHECK(g[2].pid[k] == 542 && g[0].pid[k] == 542 && g[3].pid[k] == 809);
    }
    CHECK_NEAR(g[2].value[0][M_PIPE_FMA], 75.271084, 1e-9);
    CHECK_NEAR(g[2].value[1][M_DRAM_READ], 42.824032, 1e-9);
    CHECK_NEAR(g[0].value[0][M_IPC_ELAPSED], 3.20, 1e-9);
    CHECK_NEAR(g[2].value[0][M_IPC_ELAPSED], 3.200098, 1e-9);
    /* what --set full adds: each details-page name prints its raw metric
     * (2 decimals), on both details pages */
    for (k = 0; k < 4; k++) {
        static const int full_only[] = { M_SM_BUSY, M_ISSUE_SLOTS, M_MEM_BUSY, M_MAX_BANDWIDTH, M_MEM_PIPES,
                                         M_THREADS_PRED_ON };
        for (i = 0; i < sizeof full_only / sizeof full_only[0]; i++) {
            m = full_only[i];
            CHECK(g[0].have[k][m] && g[1].have[k][m] && g[2].have[k][m] && !g[3].have[k][m]);
            CHECK(fabs(g[0].value[k][m] - g[2].value[k][m]) < 0.006);
            CHECK(fabs(g[1].value[k][m] - g[2].value[k][m]) < 0.006);
        }
    }
    CHECK_NEAR(g[0].value[2][M_MEM_BUSY], 51.78, 1e-9);
    CHECK_NEAR(g[0].value[1][M_MAX_BANDWIDTH], 84.95, 1e-9);
    CHECK_NEAR(g[0].value[2][M_THREADS_PRED_ON], 31.79, 1e-9);
    /* every metric in the table is a real ncu metric: the raw page of
     * --set full holds them all (the rules' own numbers aside) */
    for (m = 0; m < M_COUNT; m++) {
        if (features_metrics[m].rule && m > M_RULE_PIPE_TENSOR)
            continue; /* what only a rule's text says; the busiest pipe is derived on a raw page */
        if (m >= M_PM_ISSUE && m <= M_PM_FMALITE)
            continue; /* PM sampling's counters (trace_pm.c): never on an ncu page */
        CHECK(g[2].have[0][m]);
        if (!g[2].have[0][m])
            fprintf(stderr, "  metric %s not in the raw fixture\n", features_metrics[m].raw);
    }

    /* reading is independent of how the input is cut into chunks */
    {
        char path[256], err[256];
        size_t len = 0;
        char *text;
        struct got g1;
        snprintf(path, sizeof path, "%s/ncu-h100/%s", FIXTURES, pages[3]);
        text = tl_slurp(path, &len);
        CHECK(read_text(text, len, 1, &g1, NULL, err, sizeof err) == 0);
        CHECK(g1.n == 4);
        CHECK(memcmp(g1.value, g[3].value, sizeof g1.value) == 0);
        free(text);
    }

    /* several processes and devices keep their identity */
    {
        static const char text[] = DHDR DROW("0", "100", "0", SOL, "Duration", "us", "10")
            DROW("1", "100", "1", SOL, "Duration", "us", "20") DROW("2", "200", "0", SOL, "Duration", "ms", "1.5")
            DROW("2", "200", "0", SOL, "DRAM Throughput", "%", "n/a");
        struct got gg;
        char err[256];
        CHECK(read_text(text, sizeof text - 1, 3, &gg, NULL, err, sizeof err) == 0);
        CHECK(gg.n == 3);
        CHECK(gg.pid[0] == 100 && gg.device[1] == 1 && gg.pid[2] == 200 && gg.device[2] == 0);
        CHECK_NEAR(gg.value[0][M_DURATION], 10e-6, 1e-12);
        CHECK_NEAR(gg.value[2][M_DURATION], 1.5e-3, 1e-12);
        CHECK(gg.have[2][M_DRAM_THROUGHPUT] == 0); /* n/a is absent, not zero */
    }
    /* two exports joined together: a second header starts a second table */
    {
        static const char text[] = DHDR DROW("0", "1", "0", SOL, "Duration", "us", "1") DHDR
            DROW("0", "2", "0", SOL, "Duration", "us", "2");
        struct got gg;
        struct ncu_stats s;
        char err[256];
        CHECK(read_text(text, sizeof text - 1, 5, &gg, &s, err, sizeof err) == 0);
        CHECK(gg.n == 2 && s.tables == 2);
    }

    expect_error("unknown unit", DHDR DROW("0", "1", "0", SOL, "Duration", "furlong", "1"), "unknown unit 'furlong'");
    expect_error("unit of another kind", DHDR DROW("0", "1", "0", SOL, "Duration", "byte", "1"), "not a unit of 's'");
    expect_error("value not a number", DHDR DROW("0", "1", "0", SOL, "Duration", "us", "abc"), "not a finite number");
    expect_error("nan", DHDR DROW("0", "1", "0", SOL, "Duration", "us", "nan"), "not a finite number");
    expect_error("overflow", DHDR DROW("0", "1", "0", SOL, "Duration", "us", "1e400"), "not a finite number");
    expect_error("negative duration", DHDR DROW("0", "1", "0", SOL, "Duration", "us", "-5"), "line 2: metric gpu__time_duration.sum: negative");
    expect_error("bad id", DHDR DROW("x", "1", "0", SOL, "Duration", "us", "1"), "ID 'x'");
    expect_error("ids out of order",
                 DHDR DROW("1", "1", "0", SOL, "Duration", "us", "1") DROW("0", "1", "0", SOL, "Duration", "us", "1"),
                 "line 3: kernel ID 0 comes after ID 1");
    expect_error("truncated row", DHDR "\"0\",\"1\",\"app\"\n", "line 2: 3 fields");
    expect_error("no header", "hello\nworld\n", "no ncu CSV header");
    expect_error("empty", "", "no ncu CSV header (a row with \"ID\" and \"Kernel Name\") in 0 lines");
    expect_error("not ncu's CSV", "a,b,c\n1,2,3\n", "no ncu CSV header");
    expect_error("unclosed quote", DHDR "\"0\",\"1", "not closed");
    expect_error("raw without units row", "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\"\n\"0\",\"k\",\"5\"\n",
                 "line 2: expected the units row");
    expect_error("raw unknown unit", "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\"\n\"\",\"\",\"fortnight\"\n",
                 "unknown unit 'fortnight'");
    expect_error("raw ends before units", "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\"\n", "before its units row");
    expect_error("half a details header", "\"ID\",\"Kernel Name\",\"Metric Name\"\n", "not all of");
    expect_error("raw then details", "\"ID\",\"Kernel Name\",\"x\"\n\"\",\"\",\"\"\n" DHDR, "follows a raw-page table");
    {
        /* a raw page read with a value per kernel, ms scaled */
        static const char text[] = "\"ID\",\"Kernel Name\",\"Device\",\"gpu__time_duration.sum\",\"other\"\n"
                                   "\"\",\"\",\"\",\"ms\",\"furlong\"\n"
                                   "\"0\",\"a\",\"0\",\"1,234.5\",\"x\"\n"
                                   "\"1\",\"b\",\"1\",\"\",\"y\"\n";
        struct got gg;
        char err[256];
        CHECK(read_text(text, sizeof text - 1, 2, &gg, NULL, err, sizeof err) == 0);
        CHECK(gg.n == 2);
        CHECK_NEAR(gg.value[0][M_DURATION], 1.2345, 1e-12);
        CHECK(!gg.have[1][M_DURATION]);
        CHECK(gg.device[1] == 1);
    }
    ncu_reader_free(NULL);
    return tl_done();
}
