/* Unit tests for report.c: the JSON document's shape and escaping, the CSV
 * rows and the text table's content, on the raw fixture with tiny.model. */
#include "report.h"
#include "report_format.h"
#include "testlib.h"

/* What was written to f (a tmpfile), as a string the caller frees; f is closed. */
static char *read_back(FILE *f)
{
    size_t len = (size_t)ftell(f);
    char *buf = calloc(1, len + 1);
    rewind(f);
    CHECK(fread(buf, 1, len, f) == len);
    fclose(f);
    return buf;
}

static char *render(const struct report_ops *ops, const struct estimate *e, const struct report_opts *o)
{
    FILE *f = tmpfile();
    CHECK(ops->write(f, e, o) == 0);
    return read_back(f);
}

/* Invalid UTF-8 in a name becomes U+FFFD in JSON, byte by byte; valid
 * sequences pass through; the terminal table shows no control byte. */
static void test_utf8(void)
{
    static const struct { const char *in, *json; } cases[] = {
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"" },
        { "a\xed\xa0\x80z", "\"a\\ufffd\\ufffd\\ufffdz\"" },           /* a surrogate, U+D800 */
        { "\xc0\xaf", "\"\\ufffd\\ufffd\"" },                             /* overlong '/' */
        { "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },                   /* overlong, 3 bytes */
        { "\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },         /* overlong, 4 bytes */
        { "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },         /* above U+10FFFF */
        { "\xf5\x80", "\"\\ufffd\\ufffd\"" },                             /* an F5 lead byte */
        { "\x80x", "\"\\ufffdx\"" },                                      /* a stray continuation */
        { "\xe2\x82", "\"\\ufffd\\ufffd\"" },                             /* truncated */
        { "\x7f\x9b", "\"\\u007f\\ufffd\"" },                             /* DEL, a lone C1 byte */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = tmpfile();
        char *buf;
        report_json_string(f, cases[i].in);
        buf = read_back(f);
        CHECK_STR(buf, cases[i].json);
        free(buf);
    }
    CHECK(report_utf8_len((const unsigned char *)"\xef\xbf\xbd") == 3);
    CHECK(report_utf8_len((const unsigned char *)"\xed\x9f\xbf") == 3); /* U+D7FF, below the surrogates */
    CHECK(report_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf") == 4); /* U+10FFFF */
}

static void test_terminal_names(void)
{
    static const char csv[] = "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\",\"sm__cycles_active.avg\","
                              "\"gpc__cycles_elapsed.max\",\"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed\"\n"
                              "\"\",\"\",\"s\",\"cycle\",\"cycle\",\"%\"\n"
                              "\"0\",\"k\x1b[31m\x7f\x9b\xc2\x9b\xc3\xa9\",\"1\",\"50\",\"100\",\"0\"\n";
    struct model m;
    struct estimate e;
    struct report_opts o;
    char err[512], *out;
    CHECK(model_load(FIXTURES "/tiny.model", &m, err, sizeof err) == 0);
    estimate_init(&e, &m);
    CHECK(estimate_buffer(&e, csv, sizeof csv - 1, err, sizeof err) == 0);
    memset(&o, 0, sizeof o);
    o.mode = MODE_AVG;
    o.top = 5;
    o.input = "x";
    out = render(&report_text, &e, &o);
    CHECK_CONTAINS(out, "k?[31m???\xc3\xa9");
    CHECK(strchr(out, '\x1b') == NULL && strchr(out, '\x7f') == NULL && strstr(out, "\x9b") == NULL);
    free(out);
    estimate_free(&e);
}

/* Names for a table: no "void", template arguments or parameter list. */
static void test_short_names(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "fma_k(float *, int)", "fma_k" },
        { "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, "
          "at::detail::Array<char *, 1>>(int, T2, T3)", "at::native::vectorized_elementwise_kernel" },
        { "nvjet_sm90_tst_320x128_64x3_1x2_h_bz_coopB_NNT", "nvjet_sm90_tst_320x128_64x3_1x2_h_bz_coopB_NNT" },
        { "void (anonymous namespace)::softmax_warp_forward<float, float, 10>(T2 *, const T1 *, int)",
          "(anonymous namespace)::softmax_warp_forward" },
        { "void f<(int)3>(int)", "f" },
        { "at::native::<unnamed>::kernel(int)", "at::native::::kernel" },
        { "void ns::k<ns::{lambda(int)#1}>(T1)", "ns::k" },
        { "ns::run::{lambda(int)#1}::operator()(int) const", "ns::run::{lambda(int)#1}::operator" },
        { "(int)", "(int)" }, /* nothing left: the name as it is */
        { "", "" },
    };
    char buf[128], tiny[6];
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        report_short_name(cases[i].in, buf, sizeof buf);
        CHECK_STR(buf, cases[i].out);
    }
    report_short_name("abcdefgh(int)", tiny, sizeof tiny);
    CHECK_STR(tiny, "abcde");
}

/* Names that shorten alike are told apart (report_namer): by the template
 * arguments in which they differ, else by their parameters, else in full;
 * a name that shortens alone keeps its short name. */
static void test_distinct_names(void)
{
    static const char *const names[] = {
        "void at::vk<4, at::AUnary<float, at::Mul<float>>, std::array<char *, 2>>(int, T2, T3)",
        "void at::vk<4, at::AUnary<float, at::Add<float>>, std::array<char *, 2>>(int, T2, T3)",
        "void at::vk<4, at::Fill<float>, std::array<char *, 2>>(int, T2, T3)",
        "over(int)", "over(float *)",
        "a::same(int)", "b::same(int)",
        "alone<int>(int)",
    };
    static const char *const want[] = {
        "at::vk<..., AUnary<float, Mul<float>>, ...>", "at::vk<..., AUnary<float, Add<float>>, ...>",
        "at::vk<..., Fill<float>, ...>", "over(int)", "over(float *)", "a::same", "b::same", "alone",
    };
    char csv[4096], err[512];
    size_t i, off;
    struct model m;
    struct estimate e;
    struct report_namer nm;
    off = (size_t)snprintf(csv, sizeof csv, "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\",\"sm__cycles_active.avg\","
                           "\"gpc__cycles_elapsed.max\",\"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed\"\n"
                           "\"\",\"\",\"s\",\"cycle\",\"cycle\",\"%%\"\n");
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        off += (size_t)snprintf(csv + off, sizeof csv - off, "\"%zu\",\"%s\",\"1\",\"50\",\"100\",\"0\"\n", i, names[i]);
    CHECK(model_load(FIXTURES "/tiny.model", &m, err, sizeof err) == 0);
    estimate_init(&e, &m);
    CHECK(estimate_buffer(&e, csv, off, err, sizeof err) == 0);
    CHECK(report_namer_init(&nm, &e) == 0);
    CHECK(nm.n == sizeof names / sizeof names[0]);
    for (i = 0; i < e.nkernels; i++) {
        const struct report_short *rs = report_namer_find(&nm, e.kernels[i].name);
        size_t k;
        CHECK(rs != NULL);
        for (k = 0; k < sizeof names / sizeof names[0] && strcmp(names[k], e.kernels[i].name) != 0; k++)
            ;
        CHECK(k < sizeof names / sizeof names[0]);
        if (rs && k < sizeof names / sizeof names[0]) {
            CHECK_STR(rs->label, want[k]);
            CHECK(rs->disambiguated == (k < 5)); /* a::same and b::same differ already */
        }
    }
    CHECK(report_namer_find(&nm, "not interned") == NULL);
    report_namer_free(&nm);
    estimate_free(&e);
    {
        char buf[32];
        report_cut_middle("at::vectorized_elementwise_kernel<..., Fill<float>, ...>", 20, buf, sizeof buf);
        CHECK(strlen(buf) == 20);
        CHECK_STR(buf, "at::v...float>, ...>");
    }
}

/* Prose wrapped at a width, at spaces, with an indent; escapes take no room. */
static void test_wrap(void)
{
    struct text_line l = { .len = 0 };
    FILE *f = tmpfile();
    char *out;
    text_line_add(&l, "where the energy goes: %s", "static 19% sm_active 0% sm_issue 1%");
    text_line_end(f, &l, 30, 4);
    text_line_add(&l, "\033[1mbold\033[0m %s", "0123456789012345678901234567890123456789");
    text_line_end(f, &l, 20, 2);
    text_line_add(&l, "no limit at all, however long the line is");
    text_line_end(f, &l, 0, 4);
    out = read_back(f);
    CHECK_STR(out, "where the energy goes: static\n    19% sm_active 0% sm_issue\n    1%\n"
                   "\033[1mbold\033[0m\n  0123456789012345678901234567890123456789\n"
                   "no limit at all, however long the line is\n");
    free(out);
}

/* At a width of 80 no line of the table is wider, names cut with "...". */
static void test_width(const struct estimate *e)
{
    struct report_opts o;
    char *out, *line;
    int widest = 0;
    memset(&o, 0, sizeof o);
    o.mode = MODE_ALL;
    o.top = 10;
    o.per_kernel = 1;
    o.width = 80;
    o.input = "a/rather/long/path/to/the/input/file/that/the/user/gave/profile_of_the_run.csv";
    out = render(&report_text, e, &o);
    for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
        if ((int)strlen(line) > widest)
            widest = (int)strlen(line);
    CHECK(widest <= 80);
    free(out);
    o.width = 50;
    o.per_kernel = 0;
    out = render(&report_text, e, &o);
    CHECK_CONTAINS(out, "  copy_k\n");
    free(out);
    o.wide = 1;
    o.width = 0;
    out = render(&report_text, e, &o);
    CHECK_CONTAINS(out, "  copy_k(const float4 *, float4 *, unsigned long)\n");
    free(out);
}

/* Issue 32 (10): equal energies in a total order (launch order), so that
 * every C library's qsort lists them alike: one file read twice as two
 * ranks' files gives each energy twice. */
static void test_equal_energies(void)
{
    const char *f = FIXTURES "/ncu-h200-sets/probe4_basic_details_autounits.csv";
    const struct kernel_result **order;
    struct estimate_name *names;
    struct estimate e;
    char err[512];
    size_t i, n = 0;
    estimate_init(&e, NULL);
    CHECK(estimate_add_file(&e, f, err, sizeof err) == 0 && estimate_add_file(&e, f, err, sizeof err) == 0);
    CHECK(estimate_finish(&e, err, sizeof err) == 0 && e.nkernels == 8);
    order = report_kernels_by_energy(&e);
    CHECK(order != NULL);
    for (i = 0; order && i + 1 < e.nkernels; i++) {
        CHECK(order[i]->energy_j >= order[i + 1]->energy_j);
        if (order[i]->energy_j == order[i + 1]->energy_j)
            CHECK(order[i] < order[i + 1] && order[i]->file == 0 && order[i + 1]->file == 1);
    }
    free((void *)order);
    names = report_by_name(&e, &n);
    CHECK(names != NULL && n == 4);
    free(names);
    estimate_free(&e);
}

int main(void)
{
    struct model m;
    struct estimate e;
    struct report_opts o;
    char err[512], *out;

    test_utf8();
    test_terminal_names();
    test_short_names();
    test_distinct_names();
    test_wrap();
    test_equal_energies();
    CHECK(model_load(FIXTURES "/tiny.model", &m, err, sizeof err) == 0);
    m.stat[TARGET_AVG][STAT_CV_MAPE] = 4.5;
    m.has_stat[TARGET_AVG][STAT_CV_MAPE] = 1;
    estimate_init(&e, &m);
    CHECK(estimate_file(&e, FIXTURES "/ncu-h100/probe4_full_raw.csv", err, sizeof err) == 0);
    memset(&o, 0, sizeof o);
    o.mode = MODE_ALL;
    o.top = 2;
    o.input = "in \"q\".csv";

    out = render(&report_json, &e, &o);
    CHECK_CONTAINS(out, "\"task\": [\n    {\"device\": 0, \"host\": \"127.0.0.1\", \"gpu\": \"NVIDIA H100 80GB HBM3\", \"pci\": \"0000:00:06\", \"file\": 0, \"kernels\": 4, \"power_w\": {\"min\": ");
    CHECK_CONTAINS(out, "\"kernels\": [\n    {\"id\": 0, \"name\": \"fma_k(float *, int)\", \"pid\": 542, \"device\": 0, \"host\": \"127.0.0.1\", \"file\": 0, \"duration_s\": 0.00170464");
    CHECK_CONTAINS(out, "\"components_w\": {\"static\": 100, \"sm\": ");
    CHECK_CONTAINS(out, "\"input\": \"in \\\"q\\\".csv\"");
    CHECK(strncmp(out, "{\n  \"schema_version\": 3,\n  \"task\": [", 36) == 0);
    CHECK_CONTAINS(out, "\"stats\": {\"min\": {}, \"avg\": {\"cv_mape_pct\": 4.5}, \"peak\": {}}");
    CHECK_CONTAINS(out, "\"capped\": true");
    free(out);

    o.input = "x.csv";
    out = render(&report_csv, &e, &o);
    CHECK(strncmp(out, REPORT_CSV_SIGNATURE "device,id,name,duration_s,min_w,avg_w,peak_w,energy_j,host,launches\n"
                       "task,0,,x.csv,", 94) == 0);
    CHECK_CONTAINS(out, ",127.0.0.1,4\n"); /* the task: 4 launches */
    CHECK_CONTAINS(out, ",127.0.0.1,1\n"); /* a kernel */
    CHECK(strstr(out, "\nname,") == NULL); /* no name repeats */
    CHECK_CONTAINS(out, "\nkernel,0,2,\"blur_k(const float *, float *, int, int)\",0.000249664,");
    free(out);
    o.tasks_only = 1;
    out = render(&report_csv, &e, &o);
    CHECK(strstr(out, "\nkernel,") == NULL);
    free(out);

    out = render(&report_text, &e, &o);
    CHECK_CONTAINS(out, "task (device 0):  min 165.3 W  avg "); /* time-weighted: 2.7 ms < the window */
    CHECK_CONTAINS(out, "top 2 kernels by energy:");
    CHECK_CONTAINS(out, "  fma_k\n"); /* shortened: no parameter list */
    CHECK_CONTAINS(out, "(2 more kernels; --top N shows more, --per-kernel all)");
    CHECK(strstr(out, "tiny_k") == NULL);
    CHECK(strstr(out, "\033[") == NULL);
    free(out);
    o.mode = MODE_PEAK;
    o.per_kernel = 1;
    out = render(&report_text, &e, &o);
    CHECK(strstr(out, "avg W") == NULL && strstr(out, "peak W") != NULL); /* the mode's column only */
    CHECK_CONTAINS(out, "peak 575.3 W");
    CHECK_CONTAINS(out, "       1 747.968 us   700.0 406.404 mJ  copy_k\n");
    CHECK_CONTAINS(out, "  tiny_k\n");
    CHECK_CONTAINS(out, " static 100.0 W");
    free(out);
    /* on a terminal: the components in their picture colours (#9e9e9e static
     * -> xterm 145, #1f77b4 -> 68: nearest of the 6x6x6 cube), bold task line, reset after each */
    o.color = 1;
    out = render(&report_text, &e, &o);
    CHECK_CONTAINS(out, "\033[1mtask (device 0):");
    CHECK_CONTAINS(out, " \033[38;5;145mstatic\033[0m 100.0 W");
    CHECK_CONTAINS(out, " \033[38;5;68msm\033[0m ");
    free(out);
    o.color = 0;
    test_width(&e);
    estimate_free(&e);

    /* kernel names with quotes, control bytes and invalid UTF-8 */
    {
        static const char t[] = "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\",\"sm__cycles_active.avg\","
                                "\"gpc__cycles_elapsed.max\",\"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed\"\n"
                                "\"\",\"\",\"s\",\"cycle\",\"cycle\",\"%\"\n"
                                "\"0\",\"a\"\"b\\\tc\xff\xc3\xa9\",\"1\",\"1\",\"1\",\"1\"\n";
        estimate_init(&e, &m);
        CHECK(estimate_buffer(&e, t, sizeof t - 1, err, sizeof err) == 0);
        o.mode = MODE_ALL;
        out = render(&report_json, &e, &o);
        CHECK_CONTAINS(out, "\"name\": \"a\\\"b\\\\\\tc\\ufffd\xc3\xa9\"");
        CHECK_CONTAINS(out, "\"device\": null");
        CHECK_CONTAINS(out, "\"pid\": null");
        free(out);
        out = render(&report_csv, &e, &o);
        CHECK_CONTAINS(out, "task,,,"); /* absent: an empty field, never n/a */
        CHECK(strstr(out, "n/a") == NULL);
        free(out);
        estimate_free(&e);
    }
    return tl_done();
}
