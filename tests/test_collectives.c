/* Unit tests: the collectives family (collectives.h) and the communication
 * term (fit.h):
 *  - the bus factors and a measurement's dataset row;
 *  - the measurement itself over stand-ins for the CUDA driver, NCCL and
 *    NVML (tests/fake_cuda_nccl.c, tests/fake_nvml.c: two GPUs drawing 500
 *    and 480 W), and its skips and errors (on Windows: skipped, NCCL runs
 *    on Linux only);
 *  - the recorded one-rank run of an H200 (tests/fixtures/collectives/):
 *    read, written back the same, no term fitted from it; the same rows
 *    read as of two ranks give the mean of their 16 and 256 MiB rows. */
#include "testlib.h"

#include "collectives.h"
#include "dataset.h"
#include "fit.h"
#include "textio.h"

#include <unistd.h>

#define ONE_RANK FIXTURES "/collectives/h200_one_rank_dataset.csv"

static void test_bus_factor(void)
{
    CHECK_NEAR(collectives_bus_factor(COLL_ALL_REDUCE, 2), 1.0, 1e-12);
    CHECK_NEAR(collectives_bus_factor(COLL_ALL_REDUCE, 8), 1.75, 1e-12);
    CHECK_NEAR(collectives_bus_factor(COLL_ALL_GATHER, 4), 0.75, 1e-12);
    CHECK_NEAR(collectives_bus_factor(COLL_REDUCE_SCATTER, 2), 0.5, 1e-12);
    CHECK_NEAR(collectives_bus_factor(COLL_BROADCAST, 8), 1.0, 1e-12);
    CHECK(collectives_bus_factor(COLL_ALL_REDUCE, 1) == 0);
    CHECK_STR(collectives_op_name(COLL_ALL_GATHER), "allgather");
}

static void test_row(void)
{
    struct coll_meas m;
    struct dataset_row row;
    memset(&m, 0, sizeof m);
    m.op = COLL_ALL_REDUCE;
    m.msg_bytes = 256.0 * 1048576.0;
    m.ranks = 2;
    m.rank = 1;
    snprintf(m.link, sizeof m.link, "nvlink");
    m.op_s = 0.002;
    m.ops = 300;
    m.bus_gbs = 134.2;
    m.w.avg_w = 450;
    m.w.min_w = 440;
    m.w.peak_w = 470;
    m.w.duration_s = 0.75;
    collectives_row(&m, &row);
    CHECK_STR(row.config, "allreduce_256MiB_nvlink_gpu1");
    CHECK_STR(row.family, DATASET_PROBE_COMM);
    CHECK_STR(row.kernel, "ncclAllReduce");
    CHECK(row.iters == 300 && row.ranks == 2 && row.rank == 1);
    CHECK_NEAR(row.launch_s, 0.002, 1e-12);
    CHECK_NEAR(row.power_w[TARGET_PEAK], 470, 1e-12);
    CHECK(dataset_is_probe(row.family));
}

static void short_opts(struct collectives_opts *o)
{
    collectives_defaults(o);
    o->warmup_s = 0.02;
    o->window_s = 0.12;
    o->batch_s = 0.005;
    o->nccl = "libnccl.so.2";
}

#ifndef _WIN32
/* Two stand-in GPUs at 500 and 480 W: 12 collectives x 2 GPUs. */
static void test_measure_fake(void)
{
    static struct coll_meas m[COLL_MAX_MEAS];
    struct collectives_opts o;
    struct dataset d;
    double comm_w[TARGET_COUNT];
    char msg[512] = "";
    size_t n = 0, i, big = 0;
    short_opts(&o);
    plat_setenv("NCCL_NVLS_ENABLE", NULL);
    plat_setenv("FAKE_NVML_W", "500,480");
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_OK);
    CHECK(n == (size_t)COLL_OP_COUNT * COLL_NSIZES * 2);
    CHECK_STR(getenv("NCCL_NVLS_ENABLE"), "0"); /* set, since the environment did not */
    CHECK_STR(collectives_nccl_version(), "2.28.9");
    dataset_init(&d);
    for (i = 0; i < n; i++) {
        double want_bus = m[i].msg_bytes * collectives_bus_factor(m[i].op, 2) / m[i].op_s / 1e9;
        CHECK(m[i].ranks == 2 && m[i].rank == (int)(i % 2));
        CHECK_STR(m[i].link, "nvlink");
        CHECK(m[i].ops > 0 && m[i].op_s > 0);
        CHECK_NEAR(m[i].bus_gbs, want_bus, 1e-9);
        CHECK_NEAR(m[i].w.avg_w, m[i].rank ? 480.0 : 500.0, 0.01);
        big += m[i].msg_bytes >= FIT_COMM_MIN_BYTES;
        collectives_row(&m[i], dataset_add_probe(&d));
    }
    CHECK(fit_comm_term(&d, comm_w) == big && big == 16);
    CHECK_NEAR(comm_w[TARGET_AVG], 490.0, 0.01);
    dataset_free(&d);
    plat_setenv("FAKE_NVML_W", NULL);
}

/* One GPU, no NCCL, NCCL failing: skipped or an error, with why. */
static void test_measure_refusals(void)
{
    static struct coll_meas m[COLL_MAX_MEAS];
    struct collectives_opts o;
    char msg[512] = "";
    size_t n = 7;
    short_opts(&o);
    plat_setenv("FAKE_CUDA_GPUS", "1");
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_SKIPPED);
    CHECK_STR(msg, "this machine has 1 GPU; the collectives need two or more");
    CHECK(n == 0);
    o.min_ranks = 1; /* --comm-one-rank: one rank, no bus */
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_OK);
    CHECK(n == (size_t)COLL_OP_COUNT * COLL_NSIZES && m[0].ranks == 1 && m[0].bus_gbs == 0);
    CHECK_STR(m[0].link, "local");
    plat_setenv("FAKE_CUDA_GPUS", NULL);
    o.min_ranks = 2;
    o.nccl = "/nonexistent/libnccl.so.2";
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_SKIPPED);
    CHECK_CONTAINS(msg, "cannot load NCCL (/nonexistent/libnccl.so.2)");
    CHECK_CONTAINS(msg, "--nccl or $GP_NCCL");
    o.nccl = "libnccl.so.2";
    plat_setenv("FAKE_NCCL_FAIL", "init");
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_ERR);
    CHECK_STR(msg, "ncclCommInitAll over 2 GPUs failed: fake NCCL error");
    plat_setenv("FAKE_NCCL_FAIL", "op");
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_ERR);
    CHECK_STR(msg, "nccl allreduce of 1048576 bytes failed: fake NCCL error");
    plat_setenv("FAKE_NCCL_FAIL", NULL);
    plat_setenv("NCCL_NVLS_ENABLE", "1"); /* the user's choice is kept: here the stand-in refuses it */
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_ERR);
    CHECK_STR(getenv("NCCL_NVLS_ENABLE"), "1");
    plat_setenv("NCCL_NVLS_ENABLE", "0");
}
#else
static void test_measure_windows(void)
{
    static struct coll_meas m[COLL_MAX_MEAS];
    struct collectives_opts o;
    char msg[512] = "";
    size_t n = 7;
    short_opts(&o);
    CHECK(collectives_measure(&o, m, COLL_MAX_MEAS, &n, msg, sizeof msg) == COLL_SKIPPED);
    CHECK_STR(msg, "NCCL runs on Linux only");
    CHECK(n == 0);
}
#endif

/* The H200's one-rank run: 12 rows of family comm among 30 others. */
static void test_recorded_one_rank(void)
{
    struct dataset d;
    struct model m;
    struct fit_report rep;
    double comm_w[TARGET_COUNT], want[TARGET_COUNT] = { 0 };
    char err[512], *buf = NULL;
    size_t len = 0, i, ncomm = 0, nbig = 0;
    FILE *f;
    int t;
    dataset_init(&d);
    CHECK(dataset_load(ONE_RANK, &d, err, sizeof err) == 0);
    for (i = 0; i < d.nprobe; i++)
        if (strcmp(d.probe[i].family, DATASET_PROBE_COMM) == 0) {
            ncomm++;
            CHECK(d.probe[i].ranks == 1 && d.probe[i].rank == 0 && d.probe[i].bus_gbs == 0);
        }
    CHECK(ncomm == 12);
    CHECK_STR(d.probe[0].config, "allreduce_1MiB_local_gpu0");
    CHECK_NEAR(d.probe[2].msg_bytes, 268435456.0, 0);
    /* written back: the same file */
    f = plat_memstream_open();
    CHECK(f && dataset_write(f, &d) == 0);
    buf = textio_take(f, &len);
    fclose(f);
    {
        size_t flen = 0;
        char *file = tl_slurp(ONE_RANK, &flen);
        CHECK(file && buf && flen == len && memcmp(file, buf, len) == 0);
        free(file);
    }
    free(buf);
    /* one rank: no term */
    CHECK(fit_comm_term(&d, comm_w) == 0 && comm_w[TARGET_AVG] == 0);
    CHECK(fit_dataset(&d, "h200_one_rank_dataset.csv", NULL, &m, &rep, err, sizeof err) == 0);
    CHECK(m.comm_w[TARGET_AVG] == 0 && rep.comm_one_rank == 12 && rep.comm_rows == 0);
    /* the same rows as if of two ranks: the mean of the 16 and 256 MiB ones */
    for (i = 0; i < d.nprobe; i++)
        if (strcmp(d.probe[i].family, DATASET_PROBE_COMM) == 0) {
            d.probe[i].ranks = 2;
            if (d.probe[i].msg_bytes >= FIT_COMM_MIN_BYTES) {
                for (t = 0; t < TARGET_COUNT; t++)
                    want[t] += d.probe[i].power_w[t] / 8.0;
                nbig++;
            }
        }
    CHECK(nbig == 8);
    CHECK(fit_comm_term(&d, comm_w) == 8);
    for (t = 0; t < TARGET_COUNT; t++)
        CHECK_NEAR(comm_w[t], want[t], 1e-12);
    CHECK(want[TARGET_AVG] > 500 && want[TARGET_AVG] < 520); /* 16 MiB ~400 W, 256 MiB ~615 W */
    CHECK(fit_dataset(&d, "h200_one_rank_dataset.csv", NULL, &m, &rep, err, sizeof err) == 0);
    CHECK_NEAR(m.comm_w[TARGET_AVG], want[TARGET_AVG], 1e-12);
    CHECK(rep.ncomm_ops == 4 && rep.comm_op[0].n == 1 && rep.comm_op[0].msg_bytes == 268435456.0);
    dataset_free(&d);
}

/* Reads len bytes of text as a dataset; its error into err. */
static int read_text(const char *text, size_t len, char *err, size_t errlen)
{
    struct dataset d;
    FILE *f = plat_memstream_open();
    int rc = -2;
    dataset_init(&d);
    if (f) {
        fwrite(text, 1, len, f);
        rewind(f);
        rc = dataset_read(f, &d, err, errlen);
        fclose(f);
    }
    dataset_free(&d);
    return rc;
}

/* A comm row whose ranks is no count: refused, naming the column. */
static void test_bad_ranks(void)
{
    size_t len = 0;
    char *file = tl_slurp(ONE_RANK, &len), *at, err[512] = "";
    CHECK(file != NULL);
    at = file ? strstr(file, ",268435456,1,0,0") : NULL;
    CHECK(at != NULL);
    if (at) {
        memcpy(at, ",268435456,x,0,0", 16);
        CHECK(read_text(file, len, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "'x' is not a number");
        memcpy(at, ",268435456,1.5,0", 16);
        CHECK(read_text(file, len, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "ranks '1.5' is not a GPU count or ordinal");
    }
    free(file);
}

int main(int argc, char **argv)
{
    (void)argc;
#ifndef _WIN32
    /* the stand-in libraries are found through LD_LIBRARY_PATH, read at start */
    if (!getenv("GP_TEST_FAKE_LIBS")) {
        plat_setenv("GP_TEST_FAKE_LIBS", "1");
        plat_setenv("LD_LIBRARY_PATH", FAKE_LIB_DIRS);
        plat_setenv("FAKE_NVML_GPUS", "2");
        plat_setenv("FAKE_NVML_NVLINKS", "18");
        execv("/proc/self/exe", argv);
        perror("re-running with the stand-in libraries");
        return 1;
    }
#else
    (void)argv;
#endif
    test_bus_factor();
    test_row();
#ifndef _WIN32
    test_measure_fake();
    test_measure_refusals();
#else
    test_measure_windows();
#endif
    test_recorded_one_rank();
    test_bad_ranks();
    return tl_done();
}
