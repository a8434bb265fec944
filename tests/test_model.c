/* Unit tests for model.c: the file format (strict on hostile files), the
 * exact round trip through model_write, and prediction worked out by hand. */

#include "feature_table.h"
#include "model.h"
#include "testlib.h"

#define HEAD "gpu_profiler_model 1\ngpu Test GPU\npower_limit_w 300\n"
#define GOOD HEAD "feature fp32 fp_pipes\nfeature dram dram\ntarget min 50 10 20\ntarget avg 60 100 200\ntarget peak 70 150 250\n"

static void bad(const char *what, const char *text, const char *needle)
{
    struct model m;
    char err[256] = "";
    int rc = model_parse(text, strlen(text), &m, err, sizeof err);
    CHECK(rc == -1);
    CHECK_CONTAINS(err, needle);
    if (rc != -1 || !strstr(err, needle))
        fprintf(stderr, "  case: %s\n", what);
}

/* What fit and calibrate check before they write a model. */
static void test_check_written(void)
{
    struct model m;
    char err[256];
    CHECK(model_load(FIXTURES "/tiny.model", &m, err, sizeof err) == 0);
    CHECK(model_check_written(&m, err, sizeof err) == 0);
    m.power_limit_w = 0; /* a dataset without a limit */
    CHECK(model_check_written(&m, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "'power_limit_w' needs one positive number");
    m.power_limit_w = 700;
    m.coef[TARGET_PEAK][0] = 1e300; /* a target of inf watts */
    CHECK(model_check_written(&m, err, sizeof err) == -1);
    m.coef[TARGET_PEAK][0] = 110;
    m.gpu[0] = '\0';
    CHECK(model_check_written(&m, err, sizeof err) == -1);
}

int main(void)
{
    struct model m, m2;
    struct prediction p;

    test_check_written();
    char err[256];
    char *buf;
    size_t len, i;
    FILE *f;
    double x[2];

    CHECK(model_parse(GOOD, strlen(GOOD), &m, err, sizeof err) == 0);
    CHECK_STR(m.gpu, "Test GPU");
    CHECK(m.nfeatures == 2);
    CHECK(m.ncomponents == 3);
    CHECK_STR(m.component[0], "static");
    CHECK_STR(m.component[1], "fp_pipes");
    CHECK(m.feature[1] == features_find("dram"));
    CHECK_NEAR(m.coef[TARGET_AVG][2], 200, 0);

    /* prediction, by hand: avg = 60 + 100*0.5 + 200*0.25 = 160;
     * min = 50 + 5 + 5 = 60; peak = 70 + 75 + 62.5 = 207.5 */
    x[0] = 0.5;
    x[1] = 0.25;
    model_predict(&m, x, &p);
    CHECK_NEAR(p.power_w[TARGET_AVG], 160, 1e-12);
    CHECK_NEAR(p.power_w[TARGET_MIN], 60, 1e-12);
    CHECK_NEAR(p.power_w[TARGET_PEAK], 207.5, 1e-12);
    CHECK_NEAR(p.component_w[0], 60, 1e-12);
    CHECK_NEAR(p.component_w[1], 50, 1e-12);
    CHECK_NEAR(p.component_w[2], 50, 1e-12);
    CHECK(!p.capped);
    /* capped: avg = 60 + 100 + 200 = 360 > 300; dynamic 300 scaled to 240 */
    x[0] = 1;
    x[1] = 1;
    model_predict(&m, x, &p);
    CHECK_NEAR(p.power_w[TARGET_AVG], 300, 1e-12);
    CHECK_NEAR(p.power_w[TARGET_PEAK], 300, 1e-12);
    CHECK(p.capped);
    CHECK_NEAR(p.component_w[0] + p.component_w[1] + p.component_w[2], 300, 1e-12);
    CHECK_NEAR(p.component_w[1], 80, 1e-12);
    /* min above avg is pulled down to avg */
    {
        static const char t[] = HEAD "feature fp32 fp_pipes\ntarget min 100 100\ntarget avg 50 10\ntarget peak 40 0\n";
        CHECK(model_parse(t, sizeof t - 1, &m2, err, sizeof err) == 0);
        x[0] = 0;
        model_predict(&m2, x, &p);
        CHECK_NEAR(p.power_w[TARGET_MIN], 50, 1e-12);
        CHECK_NEAR(p.power_w[TARGET_PEAK], 50, 1e-12);
    }

    /* exact round trip, with every optional statement and awkward numbers */
    m.coef[TARGET_AVG][1] = 0.1 + 0.2;
    m.coef[TARGET_MIN][0] = 1.0 / 3.0;
    m.idle_w = 123.456789012345678;
    m.compute_capability = 9.0;
    snprintf(m.ncu_version, sizeof m.ncu_version, "2025.3.1");
    snprintf(m.driver, sizeof m.driver, "580.159.04");
    snprintf(m.created, sizeof m.created, "2026-11-24");
    snprintf(m.dataset, sizeof m.dataset, "data/h100 calib.csv");
    snprintf(m.cv_scheme, sizeof m.cv_scheme, "leave one family out");
    m.stat[TARGET_AVG][STAT_CV_MAPE] = 4.25;
    m.has_stat[TARGET_AVG][STAT_CV_MAPE] = 1;
    m.stat[TARGET_PEAK][STAT_N] = 120;
    m.has_stat[TARGET_PEAK][STAT_N] = 1;
    m.comm_w[TARGET_MIN] = 401.5; /* the communication term goes through the file too */
    m.comm_w[TARGET_AVG] = 452.25;
    m.comm_w[TARGET_PEAK] = 503.125;
    f = tmpfile();
    CHECK(f && model_write(f, &m) == 0);
    len = (size_t)ftell(f);
    rewind(f);
    buf = malloc(len + 1);
    CHECK(fread(buf, 1, len, f) == len);
    fclose(f);
    CHECK(model_parse(buf, len, &m2, err, sizeof err) == 0);
    CHECK(memcmp(&m, &m2, sizeof m) == 0);
    free(buf);

    /* model_load */
    {
        char path[1024];
        FILE *mf = plat_create_temp(tl_temp_name(path, sizeof path, "gp_model_XXXXXX"));
        CHECK(mf && fputs(GOOD, mf) >= 0);
        if (mf)
            fclose(mf);
        CHECK(model_load(path, &m2, err, sizeof err) == 0);
        plat_remove(path);
        CHECK(model_load(path, &m2, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "No such file");
        CHECK(model_load("/", &m2, err, sizeof err) == -1);
    }

    /* hostile and broken files */
    bad("empty", "", "empty");
    bad("comments only", "# nothing\n\n", "empty");
    bad("other file", "hello world\n", "line 1: not a gpu_profiler model");
    bad("future version", "gpu_profiler_model 2\n", "format version 2");
    bad("version junk", "gpu_profiler_model x\n", "not a number");
    bad("statement before magic", "gpu X\n", "first statement");
    bad("no gpu", "gpu_profiler_model 1\npower_limit_w 3\ntarget min 1\ntarget avg 1\ntarget peak 1\n", "missing 'gpu'");
    bad("no limit", "gpu_profiler_model 1\ngpu X\n", "missing 'power_limit_w'");
    bad("missing target", HEAD "target min 1\ntarget avg 1\n", "missing 'target peak'");
    bad("too few coefs", HEAD "feature fp32 a\ntarget min 1\n", "line 5: target min has 1 numbers; with 1 features it needs 2");
    bad("too many coefs", HEAD "target min 1 2\n", "needs 1");
    bad("unknown feature", HEAD "feature warp_drive x\n", "unknown feature 'warp_drive'");
    bad("feature twice", HEAD "feature fp32 a\nfeature fp32 b\n", "given twice");
    bad("feature after target", HEAD "target min 1\nfeature fp32 a\n", "before the targets");
    bad("bad component", HEAD "feature fp32 Bad-Name\n", "component");
    bad("static component", HEAD "feature fp32 static\n", "not 'static'");
    bad("nan coefficient", HEAD "target min nan\n", "not a number of watts");
    bad("inf coefficient", HEAD "target min inf\n", "not a number of watts");
    bad("huge coefficient", HEAD "target min 1e300\n", "not a number of watts");
    bad("target twice", HEAD "target min 1\ntarget min 1\n", "given twice");
    bad("unknown target", HEAD "target max 1\n", "min, avg or peak");
    bad("negative limit", "gpu_profiler_model 1\npower_limit_w -5\n", "positive number");
    bad("limit twice", HEAD "power_limit_w 5\n", "given twice");
    bad("gpu twice", HEAD "gpu Y\n", "given twice");
    bad("gpu with control char", "gpu_profiler_model 1\ngpu A\x01" "B\n", "printable");
    bad("unknown statement", HEAD "colour blue\n", "unknown statement 'colour'");
    bad("unknown stat", HEAD "stat avg luck 3\n", "unknown statistic");
    bad("negative stat", HEAD "stat avg n -3\n", "non-negative");
    bad("stat twice", HEAD "stat avg n 3\nstat avg n 3\n", "given twice");
    bad("comm count", HEAD "comm 400 450\n", "'comm' needs the min, avg and peak power");
    bad("comm order", HEAD "comm 500 450 600\n", "not in that order");
    bad("comm zero", HEAD "comm 0 450 600\n", "not a power above 0");
    bad("comm twice", HEAD "comm 400 450 500\ncomm 400 450 500\n", "'comm' given twice");
    bad("unknown measured", HEAD "measured luck_pct 3\n", "unknown measured figure 'luck_pct'");
    bad("measured count", HEAD "measured validation_avg_mape_pct\n", "'measured' needs a name and a number");
    bad("measured negative", HEAD "measured board_spread_pct -1\n", "a percentage");
    bad("measured not a count", HEAD "measured validation_workloads 2.5\n", "is not a count");
    bad("measured twice", HEAD "measured board_spread_pct 5\nmeasured board_spread_pct 5\n", "given twice");
    {
        /* the measured figures: read, absent as -1, written back as they were given */
        static const char t[] = GOOD "measured validation_avg_mape_pct 7.1\nmeasured validation_workloads 24\n"
                                     "measured board_spread_pct 5.2\n";
        CHECK(model_parse(t, sizeof t - 1, &m2, err, sizeof err) == 0);
        CHECK(model_measured(&m2, MEAS_VALIDATION_MAPE) == 7.1);
        CHECK(model_measured(&m2, MEAS_VALIDATION_N) == 24);
        CHECK(model_measured(&m2, MEAS_COVERAGE) == -1);
        CHECK(model_measured(&m2, MEAS_BOARD_SPREAD) == 5.2);
        f = tmpfile();
        CHECK(f && model_write(f, &m2) == 0);
        if (f) {
            char got[4096];
            size_t n;
            rewind(f);
            n = fread(got, 1, sizeof got - 1, f);
            got[n] = '\0';
            CHECK_CONTAINS(got, "\nmeasured validation_avg_mape_pct 7.1\nmeasured validation_workloads 24\n"
                                "measured board_spread_pct 5.2\n");
            fclose(f);
        }
        CHECK(model_parse(GOOD, strlen(GOOD), &m2, err, sizeof err) == 0);
        CHECK(model_measured(&m2, MEAS_VALIDATION_MAPE) == -1);
    }
    /* the built-in models carry theirs (the figures --version and --help print) */
    CHECK(model_builtin_measured("NVIDIA H200", "", MEAS_VALIDATION_MAPE) > 0);
    CHECK(model_builtin_measured("NVIDIA H200", "fast", MEAS_BOARD_SPREAD) > 0);
    CHECK(model_builtin_measured("No Such GPU", "", MEAS_VALIDATION_MAPE) == -1);
    {
        char longline[5000];
        memset(longline, 'a', sizeof longline);
        memcpy(longline, "gpu_profiler_model 1\n", 21);
        longline[sizeof longline - 1] = '\0';
        bad("long line", longline, "line 2: line longer than 4096");
    }
    {
        static const char t[] = "gpu_profiler_model 1\ngpu A\0B\n";
        CHECK(model_parse(t, sizeof t - 1, &m2, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "NUL");
    }
    {
        /* more features than allowed */
        char t[4096];
        size_t off = (size_t)snprintf(t, sizeof t, HEAD);
        for (i = 0; i < features_count && i <= MODEL_MAX_FEATURES; i++)
            off += (size_t)snprintf(t + off, sizeof t - off, "feature %s c\n", features_table[i].name);
        CHECK(model_parse(t, off, &m2, err, sizeof err) == (features_count > MODEL_MAX_FEATURES ? -1 : 0) ||
              features_count <= MODEL_MAX_FEATURES);
    }
    {
        char *huge = calloc(1, MODEL_MAX_BYTES + 2);
        memset(huge, '#', MODEL_MAX_BYTES + 1);
        CHECK(model_parse(huge, MODEL_MAX_BYTES + 1, &m2, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "larger than");
        free(huge);
    }
    /* every built-in model parses (a broken one is a build defect) */
    for (i = 0; i < model_builtin_count(); i++)
        CHECK(model_builtin(i)->gpu[0] != '\0');
    return tl_done();
}
