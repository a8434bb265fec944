/* runner: ncu process handling; see runner.h. */
#include "runner.h"

#include "outfile.h"

#include "plat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* execv takes char *const[]: ncu's options live in writable arrays. */
static char a_clock_control[] = "--clock-control";
static char a_none[] = "none";
static char a_target_processes[] = "--target-processes";
static char a_all[] = "all";
static char a_metrics[] = "--metrics";
static char a_force_overwrite[] = "--force-overwrite";
static char a_launch_skip[] = "--launch-skip";
static char a_nvtx[] = "--nvtx";
static char a_nvtx_include[] = "--nvtx-include";
static char a_launch_count[] = "--launch-count";
static char a_kernel_id[] = "--kernel-id";
static char a_export[] = "--export";
static char a_import[] = "--import";
static char a_csv[] = "--csv";
static char a_page[] = "--page";
static char a_raw[] = "raw";
static char a_print_units[] = "--print-units";
static char a_base[] = "base";


int runner_find_ncu(const char *explicit_path, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *env;
    char searched[512];
    if (explicit_path) {
        if (plat_is_executable(explicit_path)) {
            snprintf(out, outlen, "%s", explicit_path);
            return 0;
        }
        snprintf(err, errlen, "--ncu %s: not an executable file", explicit_path);
        return -1;
    }
    env = getenv("NCU");
    if (env && *env && plat_is_executable(env)) {
        snprintf(out, outlen, "%s", env);
        return 0;
    }
    if (plat_find_in_path(PLAT_NCU_NAME, out, outlen) == 0)
        return 0;
    env = getenv("CUDA_HOME");
    if (env && *env && (size_t)snprintf(out, outlen, "%s/bin/%s", env, PLAT_NCU_NAME) < outlen &&
        plat_is_executable(out))
        return 0;
    if (plat_find_installed_ncu(out, outlen, searched, sizeof searched) == 0)
        return 0;
    /* the places in the notation of the system's own shell */
    snprintf(err, errlen,
             "ncu (Nsight Compute) not found; looked at %s, %s. Install Nsight Compute "
             "(it comes with the CUDA toolkit) or name it with --ncu PATH",
             PLAT_WINDOWS ? "%NCU%, PATH, %CUDA_HOME%\\bin" : "$NCU, PATH, $CUDA_HOME/bin", searched);
    return -1;
}

void runner_hold_signals(void)
{
    plat_hold_signals();
}

int runner_held_signal(void)
{
    return plat_held_signal();
}

/* Runs argv to completion, its stdout to out (NULL: ours), with our
 * signals held: the export must not lose the profile. */
static struct plat_exit run_wait(char *const *argv, FILE *out)
{
    struct plat_child c;
    memset(&c, 0, sizeof c);
    c.hold_signals = 1;
    c.out_file = out;
    if (plat_child_start(&c, argv) != 0) {
        struct plat_exit none = { 0, 0, 0 };
        return none;
    }
    return plat_child_finish(&c);
}

/* Progress of the profiling run on a terminal: ncu's output (and the
 * application's) is passed through to our stdout, its "==PROF== Profiling"
 * lines are counted, and a status line on stderr says how many kernels and
 * how long, redrawn at most twice a second and cleared at the end. */
struct progress {
    FILE *pass;             /* where ncu's and the application's output go */
    unsigned long kernels;
    size_t at;              /* bytes of the current line matched against the prefix */
    int line_ok;            /* the current line still matches the prefix */
    int show;               /* draw the status line (a terminal, not --quiet) */
    int shown;              /* a status line is on the screen */
    int nccl;               /* the kernel being profiled last is NCCL's */
    double last_draw, elapsed;
};

static const char profiling_prefix[] = "==PROF== Profiling";
static const char nccl_prefix[] = "==PROF== Profiling \"nccl";

static void write_all(FILE *f, const char *p, size_t n)
{
    fwrite(p, 1, n, f);
    fflush(f);
}

static void progress_clear(struct progress *pg)
{
    if (pg->shown)
        write_all(stderr, "\r\033[K", 4);
    pg->shown = 0;
}

static void progress_draw(struct progress *pg)
{
    char line[96];
    int n = snprintf(line, sizeof line, "\r\033[Kgpu_profiler: %lu kernel%s profiled, %.0f s", pg->kernels,
                     pg->kernels == 1 ? "" : "s", pg->elapsed);
    if (n > 0)
        write_all(stderr, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    pg->shown = 1;
    pg->last_draw = pg->elapsed;
}

static void progress_output(void *ctx, const char *buf, size_t n)
{
    struct progress *pg = ctx;
    size_t i;
    for (i = 0; i < n; i++) {
        char ch = buf[i];
        if (ch == '\n') {
            pg->at = 0;
            pg->line_ok = 1;
            continue;
        }
        /* "==PROF== Profiling" counts a kernel; followed by ' "nccl' it
         * is one of NCCL's */
        if (pg->line_ok && pg->at < sizeof nccl_prefix - 1) {
            if (ch != nccl_prefix[pg->at]) {
                pg->line_ok = 0;
            } else {
                pg->at++;
                if (pg->at == sizeof profiling_prefix - 1) {
                    pg->kernels++;
                    pg->nccl = 0;
                } else if (pg->at == sizeof nccl_prefix - 1) {
                    pg->nccl = 1;
                }
            }
        }
    }
    if (!pg->show) {
        write_all(pg->pass, buf, n);
        return;
    }
    progress_clear(pg);
    write_all(pg->pass, buf, n);
    progress_draw(pg);
}

static void progress_tick(void *ctx, double elapsed_s)
{
    struct progress *pg = ctx;
    pg->elapsed = elapsed_s;
    if (pg->show && elapsed_s - pg->last_draw >= 0.5)
        progress_draw(pg);
}

/* The profiling run: like run_wait, with --duration, progress on a
 * terminal, and what stopped it; ncu's output to log when set. */
static struct plat_exit run_profile(char *const *argv, FILE *log, struct runner_opts *o)
{
    struct plat_child c;
    struct progress pg;
    struct plat_exit st = { 0, 0, 0 };
    memset(&c, 0, sizeof c);
    memset(&pg, 0, sizeof pg);
    pg.line_ok = 1;
    pg.pass = o->output_to_stderr ? stderr : stdout;
    c.stop_after_s = o->duration_s;
    /* ncu's output comes through us (to our stdout), to count the kernels
     * and to see which one it was on if it stops */
    pg.show = !o->quiet && plat_isatty(stderr);
    c.out_file = log;
    if (!log) {
        c.capture = 1;
        c.on_output = progress_output;
        c.on_tick = progress_tick;
        c.ctx = &pg;
    }
    fflush(NULL); /* our output so far comes before the child's */
    if (plat_child_start(&c, argv) != 0)
        return st;
    st = plat_child_finish(&c);
    o->last_kernel_nccl = pg.nccl;
    if (!log) {
        progress_clear(&pg);
        if (pg.show && pg.kernels)
            fprintf(stderr, "gpu_profiler: %lu kernel%s profiled in %.0f s\n", pg.kernels,
                    pg.kernels == 1 ? "" : "s", pg.elapsed);
    }
    o->interrupted = c.signal_received;
    o->stopped_by_duration = c.stopped_by_deadline;
    return st;
}

struct collect {
    char buf[4096];
    size_t len;
};

static void collect_output(void *ctx, const char *buf, size_t n)
{
    struct collect *co = ctx;
    if (n > sizeof co->buf - 1 - co->len)
        n = sizeof co->buf - 1 - co->len;
    memcpy(co->buf + co->len, buf, n);
    co->len += n;
}

int runner_ncu_version(const char *ncu, char *out, size_t outlen)
{
    static struct collect co;
    struct plat_child c;
    struct plat_exit st;
    char *argv[3], *v;
    char flag[] = "--version";
    size_t n;
    snprintf(out, outlen, "unknown");
    argv[0] = (char *)(uintptr_t)ncu;
    argv[1] = flag;
    argv[2] = NULL;
    memset(&c, 0, sizeof c);
    co.len = 0;
    c.hold_signals = 1;
    c.capture = 1;
    c.on_output = collect_output;
    c.ctx = &co;
    if (plat_child_start(&c, argv) != 0)
        return -1;
    st = plat_child_finish(&c);
    co.buf[co.len] = '\0';
    if (!st.started || plat_exit_failed(st) || !(v = strstr(co.buf, "Version ")))
        return -1;
    v += strlen("Version ");
    n = strcspn(v, " \r\n");
    if (n == 0 || n >= outlen)
        return -1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

int runner_find_app(const char *app, char *out, size_t outlen)
{
    if (plat_has_dir(app)) {
        snprintf(out, outlen, "%s", app);
        return plat_is_executable(app) ? 0 : -1;
    }
    return plat_find_in_path(app, out, outlen);
}
struct export_ctx {
    char **argv;          /* ncu --import ... */
    const char *rep_file;
    struct plat_exit status; /* how ncu ended */
    int failed;
};

static int put(char *out, size_t outlen, size_t *off, const char *text)
{
    size_t n = strlen(text);
    if (n >= outlen - *off)
        return -1;
    memcpy(out + *off, text, n + 1);
    *off += n;
    return 0;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* --sample's endings: from SAMPLE_START in steps of SAMPLE_STEP (odd and not
 * a multiple of 5, so coprime with any power of ten: each ending is taken
 * once, and the endings taken cover every residue of a short period) */
#define SAMPLE_STEP 7919L
#define SAMPLE_START 4801L
#define SAMPLE_MAX_ENDINGS 1000

int runner_sample_kernel_id(long every, char *out, size_t outlen, double *weight)
{
    long mod = 1, n, i, ending[SAMPLE_MAX_ENDINGS];
    int digits = 0;
    size_t off = 0;
    char num[32];
    if (every < 2 || every > RUNNER_SAMPLE_MAX)
        return -1;
    while (mod < 100 * every) { /* at least 100 endings */
        mod *= 10;
        digits++;
    }
    n = (mod + every / 2) / every; /* 100 to 1000 of them */
    if (n > SAMPLE_MAX_ENDINGS)
        return -1;
    for (i = 0; i < n; i++)
        ending[i] = (SAMPLE_START + SAMPLE_STEP * i) % mod;
    qsort(ending, (size_t)n, sizeof ending[0], cmp_long);
    /* any digits, then a chosen ending; or a number shorter than an ending
     * whose zero-padded form is a chosen one */
    if (put(out, outlen, &off, ":::^([0-9]*(") != 0)
        return -1;
    for (i = 0; i < n; i++) {
        /* digits <= 7 and ending < 10^7: the masks only tell the compiler so */
        snprintf(num, sizeof num, "%s%0*ld", i ? "|" : "", digits & 15, ending[i] % 10000000);
        if (put(out, outlen, &off, num) != 0)
            return -1;
    }
    if (put(out, outlen, &off, ")") != 0)
        return -1;
    for (i = 0; i < n; i++)
        if (ending[i] > 0 && ending[i] < mod / 10) {
            snprintf(num, sizeof num, "|%ld", ending[i]);
            if (put(out, outlen, &off, num) != 0)
                return -1;
        }
    if (put(out, outlen, &off, ")$") != 0)
        return -1;
    if (weight)
        *weight = (double)mod / (double)n;
    return 0;
}

/* outfile write_fn: our signature line, then ncu's CSV on the same file. */
static int export_csv(FILE *f, void *ctx)
{
    struct export_ctx *ex = ctx;
    fprintf(f, "%s raw page of %s, exported by gpu_profiler\n", RUNNER_CSV_SIGNATURE, ex->rep_file);
    if (fflush(f) != 0)
        return -1;
    ex->status = run_wait(ex->argv, f);
    ex->failed = !ex->status.started || plat_exit_failed(ex->status);
    return ex->failed ? -1 : 0;
}

/* Exports the raw page in base units, after our signature line, through
 * outfile: whole or not at all, and never over a file that is not ours. */
int runner_export(const char *ncu, const char *rep_file, const char *csv_path, int force, char *err, size_t errlen)
{
    char *argv[9];
    struct export_ctx ex;
    char why[512];
    argv[0] = (char *)(uintptr_t)ncu; /* execv takes char *const[]; nothing writes to them */
    argv[1] = a_import;
    argv[2] = (char *)(uintptr_t)rep_file;
    argv[3] = a_csv;
    argv[4] = a_page;
    argv[5] = a_raw;
    argv[6] = a_print_units;
    argv[7] = a_base;
    argv[8] = NULL;
    ex.argv = argv;
    ex.rep_file = rep_file;
    ex.failed = 0;
    switch (outfile_write(csv_path, RUNNER_CSV_SIGNATURE, force, export_csv, &ex, why, sizeof why)) {
    case OUTFILE_OK:
        return RUNNER_OK;
    case OUTFILE_FOREIGN:
        snprintf(err, errlen, "%s exists and was not written by gpu_profiler; move it or use --force", csv_path);
        return RUNNER_OUTPUT;
    default:
        if (ex.failed) {
            if (!ex.status.started)
                snprintf(err, errlen, "ncu could not export %s to CSV: cannot run %s: %s", rep_file, ncu,
                         strerror(errno));
            else if (ex.status.signal)
                snprintf(err, errlen, "ncu could not export %s to CSV (ended by signal %d)", rep_file,
                         ex.status.signal);
            else
                snprintf(err, errlen, "ncu could not export %s to CSV (exit status %d)", rep_file,
                         ex.status.code);
            return RUNNER_NCU_FAILED;
        }
        snprintf(err, errlen, "%s: %s", csv_path, why);
        return RUNNER_OUTPUT;
    }
}

int runner_check_dir(const char *dir, char *err, size_t errlen)
{
    enum plat_kind kind = plat_kind(dir);
    if (kind == PLAT_DIR)
        return 0;
    snprintf(err, errlen, "--output-dir %s: %s; make it first (nothing was run)", dir,
             kind == PLAT_ABSENT ? strerror(ENOENT) : "not a folder");
    return -1;
}

/* The strings ncu's command line points into while it runs. */
struct profile_args {
    char ncu[512], app[1024], report[RUNNER_REPORT_PATH_MAX], skip[24], count[24], nvtx[256];
};

/* ncu's command line: --clock-control none, every process, the metrics, the
 * filters, the user's --ncu-arg, the report, then the application. NULL out
 * of memory. */
static char **profile_argv(struct runner_opts *o, struct profile_args *pa)
{
    char **argv = calloc(o->nargs + o->n_ncu_args + 16, sizeof *argv);
    size_t i, n = 0;
    if (!argv)
        return NULL;
    argv[n++] = pa->ncu;
    argv[n++] = a_clock_control;
    argv[n++] = a_none;
    argv[n++] = a_target_processes;
    argv[n++] = a_all;
    argv[n++] = a_metrics;
    argv[n++] = o->metrics;
    if (o->skip_kernels > 0) {
        snprintf(pa->skip, sizeof pa->skip, "%ld", o->skip_kernels);
        argv[n++] = a_launch_skip;
        argv[n++] = pa->skip;
    }
    if (o->max_kernels > 0) {
        snprintf(pa->count, sizeof pa->count, "%ld", o->max_kernels);
        argv[n++] = a_launch_count;
        argv[n++] = pa->count;
    }
    if (o->nvtx_range) {
        snprintf(pa->nvtx, sizeof pa->nvtx, "%s/", o->nvtx_range);
        argv[n++] = a_nvtx;
        argv[n++] = a_nvtx_include;
        argv[n++] = pa->nvtx;
    }
    if (o->kernel_id) {
        argv[n++] = a_kernel_id;
        argv[n++] = (char *)(uintptr_t)o->kernel_id;
    }
    for (i = 0; i < o->n_ncu_args; i++)
        argv[n++] = o->ncu_args[i];
    argv[n++] = a_force_overwrite;
    argv[n++] = a_export;
    argv[n++] = pa->report;
    argv[n++] = pa->app;
    for (i = 0; i < o->nargs; i++)
        argv[n++] = o->args[i];
    argv[n] = NULL;
    return argv;
}

/* Runs ncu (its output to o->ncu_log when set). How it ended, or (not
 * started) with err. */
static struct plat_exit profile_run(struct runner_opts *o, char **argv, const char *ncu, char *err, size_t errlen)
{
    struct plat_exit st = { 0, 0, 0 };
    FILE *log = NULL;
    if (o->ncu_log && !(log = plat_fopen(o->ncu_log, "w"))) {
        snprintf(err, errlen, "cannot write %s: %s", o->ncu_log, strerror(errno));
        return st;
    }
    st = run_profile(argv, log, o);
    if (log)
        fclose(log);
    if (!st.started)
        snprintf(err, errlen, "cannot start %s: %s", ncu, strerror(errno));
    return st;
}

/* What ended the run, when it was not a clean end; a run stopped on an
 * NCCL kernel also gets why that cannot end. */
static void profile_say_end(const struct runner_opts *o, struct plat_exit st)
{
    if (o->last_kernel_nccl && (o->stopped_by_duration || o->interrupted || plat_exit_failed(st)))
        fprintf(stderr, "gpu_profiler: ncu was profiling one of NCCL's kernels when the run stopped. ncu runs "
                        "one kernel at a time across all the processes it profiles, and an NCCL kernel waits "
                        "for its peers on the other GPUs, so it cannot end. Leave NCCL's kernels out "
                        "(--skip-nccl) and, with one process per GPU, profile one "
                        "rank at a time: an NVTX range that only that rank opens, with --nvtx-range NAME\n");
}

static void profile_say_partial(struct runner_opts *o, struct plat_exit st)
{
    o->app_failed = !o->stopped_by_duration && !o->interrupted && plat_exit_failed(st);
    if (o->stopped_by_duration && !o->quiet)
        fprintf(stderr, "gpu_profiler: stopped profiling after %g s (--duration); estimating from what was "
                        "profiled\n", o->duration_s);
    else if (o->interrupted)
        fprintf(stderr, "gpu_profiler: interrupted (%s); ncu was asked to stop, estimating from what was "
                        "profiled\n", o->interrupted == PLAT_SIGINT ? "SIGINT" : o->interrupted == PLAT_SIGHUP ? "SIGHUP" : "SIGTERM");
    else if (st.signal)
        fprintf(stderr, "gpu_profiler: ncu ended by signal %d; estimating from what was profiled\n", st.signal);
    else if (st.code != 0)
        fprintf(stderr, "gpu_profiler: the application (under ncu) exited with status %d; estimating from "
                        "what was profiled\n", st.code);
}

/* Before the run: the CSV may be written (absent, ours or --force), and
 * so may the report: absent, or ours (the CSV of the same run beside it is
 * ours), or --force; never through a symbolic link without --force. An old
 * report of ours is removed, so that a run whose ncu writes none is not
 * estimated from the last one's. */
static int profile_outputs(const struct runner_opts *o, const char *rep_file, const char *csv_path, char *err,
                           size_t errlen)
{
    enum plat_kind kind;
    char why[256];
    int csv = outfile_may_write(csv_path, RUNNER_CSV_SIGNATURE, o->force, why, sizeof why);
    if (csv != OUTFILE_OK) {
        outfile_refusal_message(err, errlen, csv_path, csv, why, "move it", 0);
        return -1;
    }
    if ((kind = plat_link_kind(rep_file)) == PLAT_ABSENT)
        return 0; /* none yet */
    if (!o->force && kind == PLAT_LINK) {
        snprintf(err, errlen, "%s is a symbolic link; gpu_profiler does not let ncu write through it without "
                 "--force", rep_file);
        return -1;
    }
    if (!o->force && (kind != PLAT_FILE || !outfile_is_ours(csv_path, RUNNER_CSV_SIGNATURE))) {
        snprintf(err, errlen, "%s exists and was not written by gpu_profiler; move it or use --force", rep_file);
        return -1;
    }
    if (kind == PLAT_FILE && plat_remove(rep_file) != 0) {
        snprintf(err, errlen, "cannot remove the last run's %s: %s", rep_file, strerror(errno));
        return -1;
    }
    return 0;
}

/* The export with SIGINT and SIGTERM held (runner_hold_signals): one that
 * comes now is remembered and the profile is not lost. Then they stay held
 * (keep_signals_held), or the handlers are what they were and a signal that
 * came is raised again. */
static int export_holding_signals(const struct runner_opts *o, const char *ncu, const char *rep_file,
                                  const char *csv_path, char *err, size_t errlen)
{
    int rc;
    plat_hold_begin();
    rc = runner_export(ncu, rep_file, csv_path, o->force, err, errlen);
    if (o->keep_signals_held)
        return rc; /* the caller estimates, then ends with 128 + runner_held_signal() */
    plat_hold_end();
    if (plat_held_signal())
        plat_reraise(plat_held_signal()); /* what it would have done during the export, now that the report is saved */
    return rc;
}

int runner_profile(struct runner_opts *o, char *csv_path, size_t csv_len, char *err, size_t errlen)
{
    static struct profile_args pa; /* one profiling run at a time */
    char rep_file[1100];
    char **argv;
    struct plat_exit status;
    const char *dir = o->out_dir ? o->out_dir : ".";

    /* the application first: a mistyped name is the likelier mistake, and the cheaper to fix */
    if (runner_find_app(o->app, pa.app, sizeof pa.app) != 0) {
        snprintf(err, errlen, "application '%s' not found or not executable%s", o->app,
                 plat_has_dir(o->app) ? "" : " (searched PATH; give a path like ./app)");
        return RUNNER_NO_APP;
    }
    if (runner_find_ncu(o->ncu, pa.ncu, sizeof pa.ncu, err, errlen) != 0)
        return RUNNER_NO_NCU;
    if ((size_t)snprintf(pa.report, sizeof pa.report, "%s/%s", dir, RUNNER_REPORT_BASE) >= sizeof pa.report ||
        (size_t)snprintf(rep_file, sizeof rep_file, "%s.ncu-rep", pa.report) >= sizeof rep_file ||
        (size_t)snprintf(csv_path, csv_len, "%s/%s", dir, RUNNER_CSV_NAME) >= csv_len) {
        snprintf(err, errlen, "--output-dir is %zu characters long; at most %zu fit: give a shorter folder",
                 strlen(dir), RUNNER_DIR_MAX);
        return RUNNER_OUTPUT;
    }
    if (runner_check_dir(dir, err, errlen) != 0)
        return RUNNER_OUTPUT;
    if (profile_outputs(o, rep_file, csv_path, err, errlen) != 0)
        return RUNNER_OUTPUT;
    if (!(argv = profile_argv(o, &pa))) {
        snprintf(err, errlen, "out of memory");
        return RUNNER_OUTPUT;
    }
    if (!o->quiet)
        fprintf(stderr, "gpu_profiler: profiling %s under %s\n", o->app, pa.ncu);
    status = profile_run(o, argv, pa.ncu, err, errlen);
    free(argv);
    if (!status.started)
        return strncmp(err, "cannot write", 12) == 0 ? RUNNER_OUTPUT : RUNNER_NCU_FAILED;
    profile_say_end(o, status);
    if (!plat_exists(rep_file)) {
        snprintf(err, errlen,
                 "ncu wrote no report (%s); its messages above say why. If it says ERR_NVGPUCTRPERM, "
                 "counters need root or the nvidia module option NVreg_RestrictProfilingToAdminUsers=0",
                 rep_file);
        return RUNNER_NCU_FAILED;
    }
    profile_say_partial(o, status);
    return export_holding_signals(o, pa.ncu, rep_file, csv_path, err, errlen);
}
