/* test_trace_pm: the tracer's PM sampler (src/trace_pm.c) against the
 * stand-in CUPTI (tests/fake_cupti_pm.c), without a GPU: what it writes into
 * the trace file for each way the device answers, and that the timeline
 * reader (pm_samples_line, timeline_merge) takes what it wrote.
 *
 * Each case runs in a child process of its own (the sampler's state is the
 * process's, as in an application), with the stand-in configured by its
 * environment; the parent reads the trace file, the child's stderr and the
 * calls the stand-in saw.
 *
 * On Linux the stand-in is linked in and the child forked. On Windows (run
 * under wine by make pm-windows) the child is this program run again with
 * --child, and it loads the stand-ins as the tracer DLL finds them:
 * nvcuda.dll already in the process, CUPTI a DLL whose handle trace_pm_load
 * gets (build-win/stand-ins/cupti64_fake.dll, or cupti64_old.dll, which
 * lacks a PM sampling entry point). Forking is Linux's only: the forget
 * cases run there alone. */
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#ifdef _WIN32
#include <process.h>
#define test_pid() ((long)_getpid())
#else
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#define test_pid() ((long)getpid())
#endif

#include "fake_cupti_pm.h"
#include "pm_samples.h"
#include "testlib.h"
#include "timeline.h"
#include "trace_pm.h"

#define NMETRICS_ASKED 27 /* trace_pm.c's TRACE_PM_METRICS */
#define ACCEPTED_NO_NVL 24

static char dir[200];

struct result {
    char *trace; /* the trace file */
    char *err;   /* the child's stderr */
    char *child; /* the forked grandchild's trace file (the forget case) */
    struct fake_pm_calls calls, child_calls;
    double finish_s; /* how long trace_pm_finish took */
    int ok;          /* the child exited 0 */
};

enum body { ONE_CONTEXT, TWO_CONTEXTS, TWO_DEVICES, FORGET_IN_CHILD, FORGET_AND_WRITE, OLD_CUPTI };

static FILE *trace_out;
static pthread_mutex_t trace_mu = PTHREAD_MUTEX_INITIALIZER;

#ifdef _WIN32
/* the stand-ins' folder, from the repository root (as FIXTURES) */
#define STAND_INS "build-win\\stand-ins\\"
static void (*get_calls)(struct fake_pm_calls *);

/* The stand-in driver and CUPTI, loaded; CUPTI's handle. */
static void *load_stand_ins(enum body body)
{
    char err[256];
    void *cupti;
    if (!plat_lib_open_file(STAND_INS "nvcuda.dll", err, sizeof err))
        _exit(94);
    cupti = plat_lib_open_file(body == OLD_CUPTI ? STAND_INS "cupti64_old.dll" : STAND_INS "cupti64_fake.dll", err,
                               sizeof err);
    if (!cupti || !(*(void **)&get_calls = plat_lib_sym(cupti, "fake_pm_get_calls")))
        _exit(95);
    return cupti;
}
#else
#define get_calls fake_pm_get_calls
#endif

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static void write_calls(const char *name, const struct fake_pm_calls *c)
{
    char p[256];
    FILE *f;
    path_of(p, sizeof p, name);
    if ((f = fopen(p, "wb")) != NULL) {
        fwrite(c, sizeof *c, 1, f);
        fclose(f);
    }
}

#ifndef _WIN32
/* a child forked while the parent samples: it forgets the sampler and
 * must then write nothing, even into a file of its own */
static void fork_and_forget(enum body body)
{
    char p[256];
    struct fake_pm_calls c;
    pid_t pid;
    int st;
    fflush(trace_out);
    if ((pid = fork()) == 0) {
        alarm(10);
        pthread_mutex_init(&trace_mu, NULL);
        path_of(p, sizeof p, "child_trace");
        if (!(trace_out = fopen(p, "w")))
            _exit(92);
        trace_pm_forget();
        if (body == FORGET_AND_WRITE) /* what the sampler does with a context after forgetting */
            trace_pm_context((void *)(uintptr_t)0x4000, 1);
        trace_pm_context((void *)(uintptr_t)0x1000, 0);
        trace_pm_finish();
        fclose(trace_out);
        fake_pm_get_calls(&c);
        write_calls("child_calls", &c);
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        _exit(93);
}
#endif

/* what the application's process does, as trace_inject.c does it; its
 * environment configures the stand-in */
static void child(enum body body)
{
    char p[256];
    struct fake_pm_calls c;
    double t0;
#ifdef _WIN32
    void *cupti = load_stand_ins(body);
#endif
    path_of(p, sizeof p, "err");
    if (!freopen(p, "wb", stderr))
        _exit(90);
    setvbuf(stderr, NULL, _IONBF, 0); /* as it was: _exit flushes nothing */
    path_of(p, sizeof p, "trace");
    if (!(trace_out = fopen(p, "wb")))
        _exit(91);
    fprintf(trace_out, "# gpu_profiler_trace 1\n# pid %ld\n# clock start cupti_ns 1000000000 monotonic_ns "
                       "5000000000\n",
            test_pid());
    trace_pm_init(&trace_out, &trace_mu);
#ifdef _WIN32
    if (trace_pm_wanted())
        trace_pm_load(cupti);
#endif
    trace_pm_context((void *)(uintptr_t)0x1000, 0);
    if (body == TWO_CONTEXTS)
        trace_pm_context((void *)(uintptr_t)0x2000, 0);
    if (body == TWO_DEVICES)
        trace_pm_context((void *)(uintptr_t)0x3000, 1);
#ifndef _WIN32
    if (body == FORGET_IN_CHILD || body == FORGET_AND_WRITE)
        fork_and_forget(body);
#endif
    /* the application runs a little: the decoder has drained once and sleeps */
    plat_sleep_s(0.05);
    t0 = plat_now_s();
    trace_pm_finish();
    t0 = plat_now_s() - t0;
    fprintf(trace_out, "# clock end cupti_ns 3000000000 monotonic_ns 7000000000\n");
    fclose(trace_out);
    trace_out = NULL;
    get_calls(&c);
    write_calls("calls", &c);
    path_of(p, sizeof p, "finish_s");
    if ((trace_out = fopen(p, "w")) != NULL) {
        fprintf(trace_out, "%.6f\n", t0);
        fclose(trace_out);
    }
    _exit(0);
}

static char *slurp_name(const char *name)
{
    char p[256];
    size_t len;
    char *s;
    path_of(p, sizeof p, name);
    s = tl_slurp(p, &len);
    return s ? s : calloc(1, 1);
}

static void read_calls(const char *name, struct fake_pm_calls *c)
{
    char p[256];
    FILE *f;
    memset(c, 0, sizeof *c);
    c->enable = -1; /* unread */
    path_of(p, sizeof p, name);
    if ((f = fopen(p, "rb")) != NULL) {
        if (fread(c, sizeof *c, 1, f) != 1)
            c->enable = -1;
        fclose(f);
    }
}

static void clear(void)
{
    static const char *const names[] = { "trace", "err", "calls", "child_trace", "child_calls", "finish_s" };
    char p[256];
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_of(p, sizeof p, names[i]);
        remove(p);
    }
}

/* A child process runs child(body) with env (NAME, VALUE pairs,
 * NULL-terminated) added to its environment; whether it exited 0. */
#ifdef _WIN32
static int spawn_case(const char *const *env, enum body body)
{
    char self[1024], flag[] = "--child", which[16], *vars[16], *argv[5];
    struct plat_child c;
    struct plat_exit e;
    size_t i, n = 0;
    if (plat_self_path(self, sizeof self) != 0)
        return 0;
    for (i = 0; env[i] && n < 15; i += 2)
        if ((vars[n] = malloc(strlen(env[i]) + strlen(env[i + 1]) + 2)) != NULL)
            sprintf(vars[n++], "%s=%s", env[i], env[i + 1]);
    vars[n] = NULL;
    snprintf(which, sizeof which, "%d", (int)body);
    argv[0] = self, argv[1] = flag, argv[2] = which, argv[3] = dir, argv[4] = NULL;
    memset(&c, 0, sizeof c);
    c.env = (const char *const *)vars;
    c.hold_signals = 1;
    e = plat_child_start(&c, argv) == 0 ? plat_child_finish(&c) : (struct plat_exit){ 0, 0, 0 };
    while (n > 0)
        free(vars[--n]);
    return e.started && !plat_exit_failed(e);
}
#else
static int spawn_case(const char *const *env, enum body body)
{
    pid_t pid;
    int st = -1;
    size_t i;
    if ((pid = fork()) == 0) {
        for (i = 0; env[i]; i += 2)
            setenv(env[i], env[i + 1], 1);
        child(body);
    }
    if (pid > 0)
        waitpid(pid, &st, 0);
    return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
#endif

static void run(const char *const *env, enum body body, struct result *r)
{
    char *fs;
    clear();
    memset(r, 0, sizeof *r);
    fflush(NULL);
    r->ok = spawn_case(env, body);
    CHECK(r->ok);
    r->trace = slurp_name("trace");
    r->err = slurp_name("err");
    r->child = slurp_name("child_trace");
    read_calls("calls", &r->calls);
    read_calls("child_calls", &r->child_calls);
    fs = slurp_name("finish_s");
    r->finish_s = atof(fs);
    free(fs);
}

static void result_free(struct result *r)
{
    free(r->trace);
    free(r->err);
    free(r->child);
}

static size_t count_lines(const char *s, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    while (s && *s) {
        if (strncmp(s, prefix, len) == 0)
            n++;
        s = strchr(s, '\n');
        s = s ? s + 1 : NULL;
    }
    return n;
}

/* the first line starting with prefix, into out ("" if none) */
static const char *line_of(const char *s, const char *prefix, char *out, size_t len)
{
    size_t plen = strlen(prefix);
    out[0] = '\0';
    while (s && *s) {
        if (strncmp(s, prefix, plen) == 0) {
            size_t n = strcspn(s, "\n");
            snprintf(out, len, "%.*s", (int)n, s);
            break;
        }
        s = strchr(s, '\n');
        s = s ? s + 1 : NULL;
    }
    return out;
}

/* Every line through pm_samples_line: none malformed. Returns the samples. */
static int read_back(const char *trace, struct pm_samples *s)
{
    char why[160], line[16384];
    int bad = 0;
    pm_samples_init(s);
    while (trace && *trace) {
        size_t n = strcspn(trace, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, trace);
        if (pm_samples_line(s, line, why, sizeof why) < 0) {
            fprintf(stderr, "pm_samples_line: %s: %s\n", line, why);
            bad++;
        }
        trace += n + (trace[n] == '\n');
    }
    return bad;
}

/* The three synthetic samples every sampling case gets (CUPTI ns). */
#define SAMPLES "1000000000:1001000000:10,1001000000:1002000000:20.5,1002000000:1003000000:30"

static void test_not_asked(void)
{
    static const char *const env[] = { "FAKE_PM_SAMPLES", SAMPLES, NULL };
    struct result r;
    run(env, ONE_CONTEXT, &r);
    CHECK_STR(r.err, "");
    CHECK(count_lines(r.trace, "# pm") == 0);
    CHECK(count_lines(r.trace, "M ") == 0);
    CHECK(r.calls.profiler_init == 0 && r.calls.enable == 0 && r.calls.decode == 0);
    result_free(&r);
}

static void test_samples(void)
{
    /* NVLink's refused, and only 20 fit one pass: 4 more are left out */
    static const char *const env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_REFUSE", "nvl", "FAKE_PM_ONE_PASS", "20",
                                       "FAKE_PM_SAMPLES", SAMPLES, "FAKE_PM_BATCH", "2", NULL };
    static const char *const second_pass[] = { "FE_B.TriageCompute.gr__cycles_active", "PCI.TriageCompute.pcie__read_bytes",
                                               "PCI.TriageCompute.pcie__write_bytes", "sys__cycles_elapsed" };
    struct result r;
    struct pm_samples s;
    const struct pm_device *d;
    char line[8192], want[256];
    size_t i, k;
    run(env, ONE_CONTEXT, &r);
    CHECK_STR(r.err, "");
    /* the header: the accepted metrics, the GPU's name */
    line_of(r.trace, "# pm device 0 ", line, sizeof line);
    CHECK_CONTAINS(line, "# pm device 0 interval_ns 1000000 chip GH100 metrics 20 gpc__cycles_elapsed.avg.per_second "
                         "TPC.TriageCompute.sm__cycles_active.avg ");
    CHECK(strstr(line, "nvl") == NULL && strstr(line, "pcie__") == NULL && strstr(line, "sys__cycles") == NULL);
    CHECK(count_lines(r.trace, "# pm device ") == 1);
    CHECK_STR(line_of(r.trace, "# pm_gpu ", line, sizeof line), "# pm_gpu device 0 NVIDIA H100 80GB HBM3");
    /* each metric left out, and why */
    CHECK(count_lines(r.trace, "# pm_left_out device 0 ") == 2 + 4);
    CHECK_STR(line_of(r.trace, "# pm_left_out device 0 NVLRX", line, sizeof line),
              "# pm_left_out device 0 NVLRX.TriageCompute.nvlrx__bytes_packet_request_data_user.sum CUPTI_ERROR_UNKNOWN");
    CHECK_STR(line_of(r.trace, "# pm_left_out device 0 NVLTX", line, sizeof line),
              "# pm_left_out device 0 NVLTX.TriageCompute.nvltx__bytes_packet_request_data_user.sum CUPTI_ERROR_UNKNOWN");
    for (i = 0; i < sizeof second_pass / sizeof second_pass[0]; i++) {
        snprintf(want, sizeof want, "# pm_left_out device 0 %s", second_pass[i]);
        CHECK_CONTAINS(line_of(r.trace, want, line, sizeof line), " needs a second pass");
    }
    /* the samples, each once, metric k reading the sample's value + k */
    CHECK(count_lines(r.trace, "M ") == 3);
    CHECK_CONTAINS(r.trace, "\nM 0 1000000000 1001000000 10 11 12 13 ");
    CHECK_CONTAINS(r.trace, "\nM 0 1001000000 1002000000 20.5 21.5 22.5 ");
    CHECK_CONTAINS(r.trace, "\nM 0 1002000000 1003000000 30 31 32 ");
    CHECK_CONTAINS(r.trace, " 48 49\n"); /* the third sample's last two of 20 */
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line),
                   "# pm_stats device 0 samples 3 overflow 0 ");
    CHECK(count_lines(r.trace, "# pm_unavailable") == 0 && count_lines(r.trace, "# pm_error") == 0);
    /* one session, stopped; asked at the interval; disabled only when asked */
    CHECK(r.calls.profiler_init == 1 && r.calls.enable == 1 && r.calls.start == 1 && r.calls.stop == 1);
    CHECK(r.calls.disable == 0);
    CHECK(r.calls.interval_ns == 1000000);
    CHECK(r.calls.buffer_bytes == (uint64_t)TRACE_PM_BUFFER_MB << 20); /* 1 GiB: runs 28-34 */
    CHECK(r.calls.evaluate == 3);
    /* the stop does not wait out the decoder's sleep */
    CHECK(r.finish_s < 0.5);
    if (r.finish_s >= 0.5)
        fprintf(stderr, "trace_pm_finish took %.3f s\n", r.finish_s);
    /* the reader takes every line */
    CHECK(read_back(r.trace, &s) == 0);
    CHECK((d = pm_samples_device(&s, 0)) != NULL);
    if (d) {
        CHECK(d->nmetrics == 20 && d->n == 3 && d->interval_ns == 1000000);
        CHECK_STR(d->name[0], "gpc__cycles_elapsed.avg.per_second");
        CHECK(d->start_ns[1] == 1001000000LL && d->end_ns[2] == 1003000000LL);
        for (i = 0; i < 3 && d->n == 3; i++)
            for (k = 0; k < d->nmetrics; k++)
                CHECK_NEAR(d->value[i * d->nmetrics + k], (i == 0 ? 10 : i == 1 ? 20.5 : 30) + (double)k, 1e-6);
    }
    CHECK(s.nnotes == 1 + 6 + 1); /* pm_gpu, left out, pm_stats */
    pm_samples_free(&s);
    result_free(&r);
}

/* the tracer's file as measure --timeline merges it */
static void test_merge(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_REFUSE", "nvl", "FAKE_PM_SAMPLES",
                                       SAMPLES, NULL };
    struct result r;
    struct timeline t;
    char prefix[256], from[256], to[300], out[256], err[256];
    const struct pm_device *d;
    run(env, ONE_CONTEXT, &r);
    path_of(prefix, sizeof prefix, "tl");
    path_of(from, sizeof from, "trace");
    snprintf(to, sizeof to, "%s.4242", prefix);
    path_of(out, sizeof out, "timeline.txt");
    remove(out);
    CHECK(rename(from, to) == 0);
    err[0] = '\0';
    CHECK(timeline_merge(prefix, out, 4.0, 8.0, 0, NULL, NULL, 0, 1, err, sizeof err) == 0);
    CHECK_STR(err, "");
    timeline_init(&t);
    CHECK(timeline_load(out, &t, err, sizeof err) == 0);
    CHECK_STR(err, "");
    CHECK((d = pm_samples_device(&t.pm, 0)) != NULL);
    if (d) {
        CHECK(d->nmetrics == ACCEPTED_NO_NVL && d->n == 3);
        /* onto the monotonic clock: 1 s of CUPTI time after the start line is 6 s */
        CHECK(d->n == 3 && d->start_ns[0] == 5000000000LL && d->end_ns[2] == 5003000000LL);
    }
    timeline_free(&t);
    remove(out);
    result_free(&r);
}

static void test_unsupported(void)
{
    static const struct {
        const char *flag, *why;
    } cases[] = { { "architecture", "architecture" },
                  { "vgpu", "vGPU" },
                  { "cc", "confidential compute" },
                  { "wsl", "WSL" },
                  { "sli", "configuration (SLI, CMP or MIG)" },
                  { "cmp", "configuration (SLI, CMP or MIG)" } };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_UNSUPPORTED", cases[i].flag,
                                    "FAKE_PM_SAMPLES", SAMPLES, NULL };
        struct result r;
        struct pm_samples s;
        char line[512], want[256];
        run(env, ONE_CONTEXT, &r);
        snprintf(want, sizeof want, "# pm_unavailable device 0 %s: CUPTI_ERROR_NOT_SUPPORTED", cases[i].why);
        CHECK_STR(line_of(r.trace, "# pm_unavailable", line, sizeof line), want);
        CHECK(count_lines(r.trace, "# pm_unavailable") == 1);
        CHECK(count_lines(r.err, "gpu_profiler trace: no PM sampling on device 0 (") == 1 &&
              count_lines(r.err, "") == 1);
        CHECK_CONTAINS(r.err, cases[i].why);
        CHECK(count_lines(r.trace, "# pm device") == 0 && count_lines(r.trace, "M ") == 0 &&
              count_lines(r.trace, "# pm_stats") == 0 && count_lines(r.trace, "# pm_gpu") == 0);
        CHECK(r.calls.enable == 0 && r.calls.host_init == 0);
        CHECK(read_back(r.trace, &s) == 0 && s.ndev == 0);
        pm_samples_free(&s);
        result_free(&r);
    }
}

static void test_enable_fails(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_ENABLE_FAIL",
                                       "CUPTI_ERROR_INVALID_OPERATION", "FAKE_PM_SAMPLES", SAMPLES, NULL };
    static const char *const priv[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_AVAIL_FAIL",
                                        "CUPTI_ERROR_INSUFFICIENT_PRIVILEGES", NULL };
    struct result r;
    struct pm_samples s;
    char line[512];
    run(env, ONE_CONTEXT, &r);
    CHECK_STR(line_of(r.trace, "# pm_unavailable", line, sizeof line),
              "# pm_unavailable device 0 enable (another process or profiler samples this GPU): "
              "CUPTI_ERROR_INVALID_OPERATION");
    CHECK(count_lines(r.err, "gpu_profiler trace: no PM sampling on device 0 (enable") == 1 &&
          count_lines(r.err, "") == 1);
    CHECK(count_lines(r.trace, "# pm device") == 0 && count_lines(r.trace, "M ") == 0 &&
          count_lines(r.trace, "# pm_stats") == 0);
    CHECK(r.calls.enable == 1 && r.calls.start == 0 && r.calls.decode == 0);
    CHECK(read_back(r.trace, &s) == 0 && s.ndev == 0);
    pm_samples_free(&s);
    result_free(&r);

    run(priv, ONE_CONTEXT, &r);
    CHECK_CONTAINS(line_of(r.trace, "# pm_unavailable", line, sizeof line),
                   "# pm_unavailable device 0 counter availability");
    CHECK_CONTAINS(line, ": CUPTI_ERROR_INSUFFICIENT_PRIVILEGES");
    CHECK(count_lines(r.err, "gpu_profiler trace: no PM sampling on device 0 (") == 1);
    CHECK(r.calls.enable == 0);
    result_free(&r);
}

static void test_one_session_a_device(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES, NULL };
    struct result r;
    struct pm_samples s;
    run(env, TWO_CONTEXTS, &r);
    CHECK_STR(r.err, "");
    CHECK(r.calls.enable == 1 && r.calls.start == 1 && r.calls.stop == 1);
    CHECK(count_lines(r.trace, "# pm device ") == 1 && count_lines(r.trace, "# pm_stats ") == 1);
    CHECK(count_lines(r.trace, "M 0 ") == 3);
    result_free(&r);

    /* a second device: a session of its own */
    run(env, TWO_DEVICES, &r);
    CHECK(r.calls.enable == 2 && r.calls.stop == 2);
    CHECK(count_lines(r.trace, "# pm device 0 ") == 1 && count_lines(r.trace, "# pm device 1 ") == 1);
    CHECK(count_lines(r.trace, "# pm_stats device 0 ") == 1 && count_lines(r.trace, "# pm_stats device 1 ") == 1);
    CHECK(count_lines(r.trace, "M 0 ") == 3 && count_lines(r.trace, "M 1 ") == 3);
    CHECK(read_back(r.trace, &s) == 0 && s.ndev == 2);
    pm_samples_free(&s);
    result_free(&r);
}

static void test_at_stop_and_full(void)
{
    /* the decoder gets nothing until the stop (the H100 while busy) */
    static const char *const at_stop[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_AT_STOP", "1", "FAKE_PM_SAMPLES",
                                           SAMPLES, NULL };
    /* more samples than the counter data image holds (1000 at 10 ms: 8 s of decode cadences) */
    static const char *const full[] = { "GP_PM_SAMPLING", "10000000", "FAKE_PM_RAMP", "1500:2000000000", NULL };
    /* the H100's decode failing (runs 17-23): said once, the rest unsampled, the application unharmed */
    static const char *const oom[] = { "GP_PM_SAMPLING", "10000000", "FAKE_PM_RAMP", "1500:2000000000",
                                       "FAKE_PM_BATCH", "100", "FAKE_PM_DECODE_FAIL", "3", NULL };
    struct result r;
    struct pm_samples s;
    const struct pm_device *d;
    size_t i;
    int ordered = 1;
    char line[512];
    run(at_stop, ONE_CONTEXT, &r);
    CHECK(count_lines(r.trace, "M 0 ") == 3);
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line), "samples 3 overflow 0");
    result_free(&r);

    run(full, ONE_CONTEXT, &r);
    CHECK(count_lines(r.trace, "M 0 ") == 1500);
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line), "samples 1500 overflow 0");
    CHECK(read_back(r.trace, &s) == 0 && (d = pm_samples_device(&s, 0)) != NULL);
    if ((d = pm_samples_device(&s, 0)) != NULL && d->n == 1500) {
        for (i = 0; i < d->n; i++)
            ordered &= d->start_ns[i] == 2000000000LL + (long long)i * 1000000LL && d->value[i * d->nmetrics] == (float)i;
        CHECK(ordered);
    }
    pm_samples_free(&s);
    result_free(&r);

    run(oom, ONE_CONTEXT, &r);
    CHECK(r.ok);
    CHECK(count_lines(r.trace, "M 0 ") == 200);
    /* one restart, which failed again before a sample: given up, said as before */
    CHECK(count_lines(r.trace, "# pm_restart device 0 after_ns 2200000000 decode: CUPTI_ERROR_OUT_OF_MEMORY") == 1);
    /* said once: the stop's drain, failing again, says nothing more */
    CHECK(count_lines(r.trace, "# pm_error device 0 decode: CUPTI_ERROR_OUT_OF_MEMORY") == 1);
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line), "samples 200 overflow 0 ");
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line), " restarts 1");
    CHECK(read_back(r.trace, &s) == 0);
    pm_samples_free(&s);
    result_free(&r);
}

/* A failed decode restarts the sampler (run 24 on an H100: 13 of 25
 * workloads lost the rest of their run to the first failure): the samples
 * after the restart are written, the gap noted from the last sample before. */
static void test_restart_after_failed_decode(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "10000000", "FAKE_PM_RAMP", "1500:2000000000",
                                       "FAKE_PM_BATCH", "100", "FAKE_PM_DECODE_FAIL", "3", "FAKE_PM_RESTART_OK", "50",
                                       NULL };
    struct result r;
    struct pm_samples s;
    const struct pm_device *d;
    char line[512], want[64];
    size_t i, restarts, gaps = 0;
    run(env, ONE_CONTEXT, &r);
    CHECK(r.ok);
    restarts = count_lines(r.trace, "# pm_restart device 0 after_ns ");
    CHECK(restarts >= 1);
    CHECK(count_lines(r.trace, "# pm_restart device 0 after_ns 2200000000 decode: CUPTI_ERROR_OUT_OF_MEMORY") == 1);
    CHECK(count_lines(r.trace, "M 0 ") > 200); /* sampled on after the first failure */
    CHECK(count_lines(r.trace, "M 0 ") + 50 * restarts <= 1500);
    snprintf(want, sizeof want, " restarts %zu", restarts);
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line), want);
    CHECK(read_back(r.trace, &s) == 0 && (d = pm_samples_device(&s, 0)) != NULL);
    if ((d = pm_samples_device(&s, 0)) != NULL) {
        for (i = 1; i < d->n; i++)
            gaps += d->start_ns[i] - d->end_ns[i - 1] == 50000000LL; /* the 50 samples dropped */
        CHECK(gaps >= 1 && gaps <= restarts);
        CHECK(d->n > 200 && d->start_ns[200] == 2250000000LL);
    }
    pm_samples_free(&s);
    result_free(&r);
}

/* A restart whose Start fails: the decode's error said once with the
 * Start's, the sampler left stopped (the tracer's stop does not Stop it
 * again), the rest unsampled as a failed decode leaves it, and the reader
 * takes it as the sampler's stop. */
static void test_restart_fails(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "10000000", "FAKE_PM_RAMP", "1500:2000000000",
                                       "FAKE_PM_BATCH", "100", "FAKE_PM_DECODE_FAIL", "3", "FAKE_PM_RESTART_FAIL",
                                       "CUPTI_ERROR_UNKNOWN", NULL };
    struct result r;
    struct pm_samples s;
    char line[512];
    const char *why;
    run(env, ONE_CONTEXT, &r);
    CHECK(r.ok);
    CHECK(count_lines(r.trace, "M 0 ") == 200);
    CHECK(count_lines(r.trace, "# pm_restart ") == 0);
    CHECK(count_lines(r.trace, "# pm_error device 0 decode: ") == 1);
    CHECK_STR(line_of(r.trace, "# pm_error device 0 decode: ", line, sizeof line),
              "# pm_error device 0 decode: CUPTI_ERROR_OUT_OF_MEMORY (the restart after it: CUPTI_ERROR_UNKNOWN)");
    CHECK(r.calls.start == 1 && r.calls.stop == 1 && r.calls.stop_refused == 0);
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line), " restarts 0");
    CHECK(read_back(r.trace, &s) == 0);
    why = pm_samples_stop_note(&s, 0);
    CHECK_STR(why ? why : "", "decode: CUPTI_ERROR_OUT_OF_MEMORY (the restart after it: CUPTI_ERROR_UNKNOWN)");
    pm_samples_free(&s);
    result_free(&r);
}

/* A default hardware buffer the device refuses: half of it, and so on down
 * to 64 MiB, said in the trace; a size the user chose is not changed. */
static void test_buffer_refused(void)
{
    static const char *const halved[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES,
                                          "FAKE_PM_MAX_BUFFER_MB", "300", NULL };
    static const char *const chosen[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES,
                                          "FAKE_PM_MAX_BUFFER_MB", "300", "GP_PM_BUFFER_MB", "512", NULL };
    static const char *const none[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES,
                                        "FAKE_PM_MAX_BUFFER_MB", "32", NULL };
    struct result r;
    char line[512];
    run(halved, ONE_CONTEXT, &r);
    CHECK(r.calls.buffer_bytes == 256ull << 20);
    CHECK_STR(line_of(r.trace, "# pm_buffer ", line, sizeof line),
              "# pm_buffer device 0 mib 256 (1024 refused; a shorter run fits: GP_PM_BUFFER_MB)");
    CHECK(count_lines(r.trace, "M 0 ") == 3);
    result_free(&r);
    run(chosen, ONE_CONTEXT, &r);
    CHECK(count_lines(r.trace, "M 0 ") == 0 && count_lines(r.trace, "# pm_buffer ") == 0);
    CHECK_CONTAINS(line_of(r.trace, "# pm_unavailable ", line, sizeof line), "configuration");
    CHECK_CONTAINS(line, "CUPTI_ERROR_OUT_OF_MEMORY");
    result_free(&r);
    run(none, ONE_CONTEXT, &r);
    CHECK(count_lines(r.trace, "M 0 ") == 0);
    CHECK_CONTAINS(line_of(r.trace, "# pm_unavailable ", line, sizeof line), "configuration");
    result_free(&r);
}

/* GP_PM_BUFFER_MB that is no whole number of MiB from 1 to 65536: the
 * default, said; 65536 taken. */
static void test_buffer_setting(void)
{
    static const char *const bad[][2] = { { "junk", "'junk'" }, { "0", "'0'" }, { "-1", "'-1'" },
                                          { "64abc", "'64abc'" }, { "65537", "'65537'" } };
    static const char *const good[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES,
                                        "GP_PM_BUFFER_MB", "65536", NULL };
    const char *env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES, "GP_PM_BUFFER_MB", NULL, NULL };
    struct result r;
    char line[512], want[128];
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        env[5] = bad[i][0];
        run(env, ONE_CONTEXT, &r);
        CHECK(r.calls.buffer_bytes == (uint64_t)TRACE_PM_BUFFER_MB << 20);
        snprintf(want, sizeof want, "# pm_buffer device 0 GP_PM_BUFFER_MB %s is not a size in MiB (1 to 65536): 1024 used",
                 bad[i][1]);
        CHECK_STR(line_of(r.trace, "# pm_buffer ", line, sizeof line), want);
        CHECK(count_lines(r.trace, "M 0 ") == 3);
        result_free(&r);
    }
    run(good, ONE_CONTEXT, &r);
    CHECK(r.calls.buffer_bytes == 65536ull << 20);
    CHECK(count_lines(r.trace, "# pm_buffer ") == 0);
    result_free(&r);
}

static void test_overflow_and_interval(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "5000", "FAKE_PM_OVERFLOW", "1", "FAKE_PM_SAMPLES", SAMPLES,
                                       "GP_PM_BUFFER_MB", "64", NULL };
    struct result r;
    struct pm_samples s;
    char line[512];
    run(env, ONE_CONTEXT, &r);
    CHECK(r.calls.interval_ns == 10000); /* below 10 us: 10 us */
    CHECK(r.calls.buffer_bytes == 64ull << 20);
    CHECK_CONTAINS(line_of(r.trace, "# pm device 0 ", line, sizeof line), "interval_ns 10000 ");
    CHECK(count_lines(r.trace, "# pm_error device 0 the hardware buffer overflowed") == 1);
    CHECK_CONTAINS(line_of(r.trace, "# pm_stats ", line, sizeof line), "overflow 1");
    CHECK(read_back(r.trace, &s) == 0);
    pm_samples_free(&s);
    result_free(&r);
}

static void test_disable_when_asked(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "1000000", "GP_PM_DISABLE", "1", "GP_PM_DEINIT", "1",
                                       "FAKE_PM_SAMPLES", SAMPLES, NULL };
    struct result r;
    run(env, ONE_CONTEXT, &r);
    CHECK(r.calls.stop == 1 && r.calls.disable == 1);
    CHECK(r.calls.hosts_live == 0);
    CHECK(count_lines(r.trace, "M 0 ") == 3);
    result_free(&r);
}

#ifndef _WIN32
static void test_forget(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES, NULL };
    enum body bodies[] = { FORGET_IN_CHILD, FORGET_AND_WRITE };
    size_t i;
    for (i = 0; i < 2; i++) {
        struct result r;
        run(env, bodies[i], &r);
        /* the forked child wrote nothing and called nothing more */
        CHECK_STR(r.child, "");
        CHECK(r.child_calls.enable == 1 && r.child_calls.stop == 0 && r.child_calls.disable == 0);
        /* the parent's sampler went on: its samples and its stop */
        CHECK(r.calls.enable == 1 && r.calls.stop == 1);
        CHECK(count_lines(r.trace, "M 0 ") == 3 && count_lines(r.trace, "# pm_stats device 0 ") == 1);
        result_free(&r);
    }
}
#else
/* a CUPTI DLL older than the PM sampling API: one line for every device,
 * one on stderr, no CUPTI profiler call, and the process goes on */
static void test_old_cupti(void)
{
    static const char *const env[] = { "GP_PM_SAMPLING", "1000000", "FAKE_PM_SAMPLES", SAMPLES, NULL };
    struct result r;
    struct pm_samples s;
    char line[512];
    run(env, OLD_CUPTI, &r);
    CHECK_STR(line_of(r.trace, "# pm_unavailable", line, sizeof line),
              "# pm_unavailable device all no cuptiPmSamplingEnable in cupti64_old.dll (a CUPTI older than its PM "
              "sampling API)");
    CHECK(count_lines(r.trace, "# pm_unavailable") == 1 && count_lines(r.trace, "# pm") == 1);
    CHECK_STR(r.err, "gpu_profiler trace: no PM sampling: no cuptiPmSamplingEnable in cupti64_old.dll (a CUPTI older "
                     "than its PM sampling API); no counters will be sampled\n");
    CHECK(count_lines(r.trace, "M ") == 0);
    CHECK(r.calls.profiler_init == 0 && r.calls.host_init == 0 && r.calls.decode == 0);
    CHECK(read_back(r.trace, &s) == 0 && s.ndev == 0);
    pm_samples_free(&s);
    result_free(&r);
}
#endif

int main(int argc, char **argv)
{
    char p[1100];
#ifdef _WIN32
    if (argc == 4 && strcmp(argv[1], "--child") == 0) {
        snprintf(dir, sizeof dir, "%s", argv[3]);
        child((enum body)atoi(argv[2]));
    }
#else
    (void)argc, (void)argv;
#endif
    snprintf(dir, sizeof dir, "%s/gp_test_trace_pm.XXXXXX", plat_temp_root());
    if (!plat_make_temp_dir(dir)) {
        perror("mkdtemp");
        return 1;
    }
    plat_setenv("GP_PM_SAMPLING", NULL);
    plat_setenv("GP_PM_DISABLE", NULL);
    plat_setenv("GP_PM_DEINIT", NULL);
    plat_setenv("GP_PM_DEBUG", NULL);
    test_not_asked();
    test_samples();
    test_merge();
    test_unsupported();
    test_enable_fails();
    test_one_session_a_device();
    test_at_stop_and_full();
    test_restart_after_failed_decode();
    test_restart_fails();
    test_buffer_refused();
    test_buffer_setting();
    test_overflow_and_interval();
    test_disable_when_asked();
#ifdef _WIN32
    test_old_cupti();
#else
    test_forget();
#endif
    clear();
    path_of(p, sizeof p, "tl.4242");
    remove(p);
    plat_remove_dir(dir);
    return tl_done();
}
