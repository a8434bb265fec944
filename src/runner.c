/* runner: ncu process handling; see runner.h. */
#include "runner.h"

#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static int is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Looks for name in each folder of a ':'-separated list. */
static int search_path(const char *list, const char *name, char *out, size_t outlen)
{
    const char *p = list;
    while (p && *p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n > 0 && (size_t)snprintf(out, outlen, "%.*s/%s", (int)n, p, name) < outlen && is_executable(out))
            return 0;
        p = colon ? colon + 1 : NULL;
    }
    return -1;
}

/* Compares version-like names ("2025.3.1" > "2024.10.0") numerically. */
static int version_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            unsigned long x = 0, y = 0;
            for (; *a >= '0' && *a <= '9'; a++)
                x = x * 10 + (unsigned long)(*a - '0');
            for (; *b >= '0' && *b <= '9'; b++)
                y = y * 10 + (unsigned long)(*b - '0');
            if (x != y)
                return x < y ? -1 : 1;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return (*a != 0) - (*b != 0);
}

int runner_find_ncu(const char *explicit_path, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *env;
    char best[512] = "";
    DIR *d;
    if (explicit_path) {
        if (is_executable(explicit_path)) {
            snprintf(out, outlen, "%s", explicit_path);
            return 0;
        }
        snprintf(err, errlen, "--ncu %s: not an executable file", explicit_path);
        return -1;
    }
    env = getenv("NCU");
    if (env && *env && is_executable(env)) {
        snprintf(out, outlen, "%s", env);
        return 0;
    }
    if (search_path(getenv("PATH"), "ncu", out, outlen) == 0)
        return 0;
    env = getenv("CUDA_HOME");
    if (env && *env && (size_t)snprintf(out, outlen, "%s/bin/ncu", env) < outlen && is_executable(out))
        return 0;
    if (is_executable("/usr/local/cuda/bin/ncu")) {
        snprintf(out, outlen, "/usr/local/cuda/bin/ncu");
        return 0;
    }
    d = opendir("/opt/nvidia/nsight-compute");
    if (d) {
        struct dirent *de;
        char cand[512];
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            if ((size_t)snprintf(cand, sizeof cand, "/opt/nvidia/nsight-compute/%s/ncu", de->d_name) <
                    sizeof cand &&
                is_executable(cand) && (!best[0] || version_cmp(cand, best) > 0))
                snprintf(best, sizeof best, "%s", cand);
        }
        closedir(d);
        if (best[0]) {
            snprintf(out, outlen, "%s", best);
            return 0;
        }
    }
    snprintf(err, errlen,
             "ncu (Nsight Compute) not found; looked at $NCU, PATH, $CUDA_HOME/bin, /usr/local/cuda/bin and "
             "/opt/nvidia/nsight-compute/*/. Install Nsight Compute (it comes with the CUDA toolkit) or name it "
             "with --ncu PATH");
    return -1;
}

static volatile sig_atomic_t child_pid_for_signals, signal_seen;

/* SIGINT/SIGTERM while a child runs: remember it and ask the child's whole
 * process group (ncu, its launcher and the application) to stop, as Ctrl-C
 * at a terminal does. ncu stops on SIGINT and saves its report; sent to
 * ncu's own pid alone, it is not enough (seen on the H100 machine: ncu kept
 * running with the application until killed). */
static void on_signal(int sig)
{
    signal_seen = sig;
    if (child_pid_for_signals > 0)
        kill(-(pid_t)child_pid_for_signals, SIGINT);
}

/* After profiling: a signal is remembered, and the run goes on to print
 * its estimate (runner_hold_signals). */
static volatile sig_atomic_t held_signal;

static void on_held_signal(int sig)
{
    held_signal = sig;
}

void runner_hold_signals(void)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_held_signal;
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
}

int runner_held_signal(void)
{
    return held_signal;
}

/* Makes pgid the terminal's foreground process group (SIGTTOU ignored
 * meanwhile, as a background caller would get it); returns whether it did. */
static int set_foreground(pid_t pgid)
{
    struct sigaction ign, old;
    int done;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGTTOU, &ign, &old);
    done = tcsetpgrp(STDIN_FILENO, pgid) == 0;
    sigaction(SIGTTOU, &old, NULL);
    return done;
}

/* Gives the terminal to process group pgid if we hold it, so that the
 * application can read it and Ctrl-C reaches the child's group; returns
 * whether it did (runner_finish then takes it back). */
static int give_terminal(pid_t pgid)
{
    if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
        return 0;
    return set_foreground(pgid);
}

int runner_start(char *const *argv, int out_fd, struct runner_child *c)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_signal;
    sigemptyset(&act.sa_mask);
    c->stopped_by_deadline = 0;
    c->signal_received = 0;
    c->had_terminal = 0;
    signal_seen = 0;
    child_pid_for_signals = 0;
    sigaction(SIGINT, &act, &c->old_int);
    sigaction(SIGTERM, &act, &c->old_term);
    c->pid = fork();
    if (c->pid == 0) {
        /* its own process group, so the group can be stopped as a whole;
         * default handling, even where ours was inherited as ignored (a
         * background job of a script): SIGINT is how ncu is asked to stop */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        setpgid(0, 0);
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    if (c->pid < 0) {
        int e = errno;
        sigaction(SIGINT, &c->old_int, NULL);
        sigaction(SIGTERM, &c->old_term, NULL);
        errno = e;
        return -1;
    }
    setpgid(c->pid, c->pid); /* also here: whichever runs first */
    if (c->hold_signals)
        return 0; /* neither the terminal nor our signals: it finishes its work */
    c->had_terminal = give_terminal(c->pid);
    child_pid_for_signals = c->pid;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Hands what the child has written so far to on_output. */
static void drain(struct runner_child *c)
{
    char buf[8192];
    ssize_t n;
    while ((n = read(c->watch_fd, buf, sizeof buf)) > 0)
        c->on_output(c->ctx, buf, (size_t)n);
}

/* What is left of a child's process group once the child has ended (an
 * application's background processes): SIGTERM, up to a second to go,
 * then SIGKILL. Nothing is left running behind gpu_profiler. */
static void end_group(pid_t pgid)
{
    const struct timespec tick = { 0, 20 * 1000 * 1000 };
    int i;
    if (pgid <= 0 || kill(-pgid, 0) != 0)
        return; /* the group is gone: nothing was left */
    kill(-pgid, SIGTERM);
    for (i = 0; i < 50 && kill(-pgid, 0) == 0; i++)
        nanosleep(&tick, NULL);
    if (kill(-pgid, 0) == 0)
        kill(-pgid, SIGKILL);
}

int runner_finish(struct runner_child *c)
{
    int status = -1;
    double start = now_s(), sigint_at = -1;
    const struct timespec tick = { 0, 20 * 1000 * 1000 };
    for (;;) {
        pid_t r;
        double t;
        if (c->on_output)
            drain(c);
        r = waitpid(c->pid, &status, WNOHANG);
        if (r == c->pid || (r < 0 && errno != EINTR))
            break;
        t = now_s();
        if (c->on_tick)
            c->on_tick(c->ctx, t - start);
        if (signal_seen && sigint_at < 0)
            sigint_at = t; /* passed on by the handler (or sent by the terminal) */
        if (c->stop_after_s > 0 && sigint_at < 0 && t - start >= c->stop_after_s) {
            kill(-c->pid, SIGINT);
            c->stopped_by_deadline = 1;
            sigint_at = t;
        }
        if (sigint_at >= 0 && t - sigint_at > 30.0) {
            kill(-c->pid, SIGKILL);
            sigint_at = t + 1e9; /* once */
        }
        nanosleep(&tick, NULL);
    }
    if (c->on_output)
        drain(c); /* what the child wrote last (a descendant still holding the pipe is not waited for) */
    end_group(c->pid);
    c->signal_received = signal_seen;
    child_pid_for_signals = 0;
    if (c->had_terminal)
        set_foreground(getpgrp()); /* back to us */
    sigaction(SIGINT, &c->old_int, NULL);
    sigaction(SIGTERM, &c->old_term, NULL);
    return status;
}

/* Runs argv to completion with stdout sent to out_fd (-1: inherited).
 * Returns the wait status, or -1. */
static int run_wait(char *const *argv, int out_fd)
{
    struct runner_child c;
    int status;
    memset(&c, 0, sizeof c);
    c.hold_signals = 1; /* the export: a signal now must not lose the profile */
    if (runner_start(argv, out_fd, &c) != 0)
        return -1;
    status = runner_finish(&c);
    if (c.signal_received && !held_signal)
        held_signal = c.signal_received;
    return status;
}

/* Progress of the profiling run on a terminal: ncu's output (and the
 * application's) is passed through to our stdout, its "==PROF== Profiling"
 * lines are counted, and a status line on stderr says how many kernels and
 * how long, redrawn at most twice a second and cleared at the end. */
struct progress {
    int pass_fd;            /* where ncu's and the application's output go */
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

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void progress_clear(struct progress *pg)
{
    if (pg->shown)
        write_all(STDERR_FILENO, "\r\033[K", 4);
    pg->shown = 0;
}

static void progress_draw(struct progress *pg)
{
    char line[96];
    int n = snprintf(line, sizeof line, "\r\033[Kgpu_profiler: %lu kernel%s profiled, %.0f s", pg->kernels,
                     pg->kernels == 1 ? "" : "s", pg->elapsed);
    if (n > 0)
        write_all(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
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
        write_all(pg->pass_fd, buf, n);
        return;
    }
    progress_clear(pg);
    write_all(pg->pass_fd, buf, n);
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
 * terminal, and what stopped it. */
static int run_profile(char *const *argv, int out_fd, struct runner_opts *o)
{
    struct runner_child c;
    struct progress pg;
    int status, fds[2] = { -1, -1 };
    memset(&c, 0, sizeof c);
    memset(&pg, 0, sizeof pg);
    pg.line_ok = 1;
    pg.pass_fd = o->output_to_stderr ? STDERR_FILENO : STDOUT_FILENO;
    c.stop_after_s = o->duration_s;
    c.watch_fd = -1;
    /* ncu's output comes through us (to our stdout), to count the kernels
     * and to see which one it was on if it stops */
    pg.show = !o->quiet && isatty(STDERR_FILENO);
    if (out_fd < 0 && pipe(fds) == 0) {
        fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
        fcntl(fds[0], F_SETFD, FD_CLOEXEC);
        fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* the child gets it as its stdout only */
        out_fd = fds[1];
        c.watch_fd = fds[0];
        c.on_output = progress_output;
        c.on_tick = progress_tick;
        c.ctx = &pg;
    }
    if (runner_start(argv, out_fd, &c) != 0) {
        if (fds[0] >= 0) {
            close(fds[0]);
            close(fds[1]);
        }
        return -1;
    }
    if (fds[1] >= 0)
        close(fds[1]); /* the child holds the write end */
    status = runner_finish(&c);
    o->last_kernel_nccl = pg.nccl;
    if (fds[0] >= 0) {
        progress_clear(&pg);
        if (pg.show && pg.kernels)
            fprintf(stderr, "gpu_profiler: %lu kernel%s profiled in %.0f s\n", pg.kernels,
                    pg.kernels == 1 ? "" : "s", pg.elapsed);
        close(fds[0]);
    }
    o->interrupted = c.signal_received;
    o->stopped_by_duration = c.stopped_by_deadline;
    return status;
}

int runner_ncu_version(const char *ncu, char *out, size_t outlen)
{
    char buf[4096], *v;
    char *argv[3];
    char flag[] = "--version";
    int fds[2], status;
    ssize_t n, len = 0;
    snprintf(out, outlen, "unknown");
    if (pipe(fds) != 0)
        return -1;
    argv[0] = (char *)(uintptr_t)ncu;
    argv[1] = flag;
    argv[2] = NULL;
    status = run_wait(argv, fds[1]);
    close(fds[1]);
    while (len < (ssize_t)sizeof buf - 1 && (n = read(fds[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    close(fds[0]);
    buf[len] = '\0';
    if (status != 0 || !(v = strstr(buf, "Version ")))
        return -1;
    v += strlen("Version ");
    n = (ssize_t)strcspn(v, " \r\n");
    if (n <= 0 || (size_t)n >= outlen)
        return -1;
    memcpy(out, v, (size_t)n);
    out[n] = '\0';
    return 0;
}

int runner_find_app(const char *app, char *out, size_t outlen)
{
    if (strchr(app, '/')) {
        snprintf(out, outlen, "%s", app);
        return is_executable(app) ? 0 : -1;
    }
    return search_path(getenv("PATH"), app, out, outlen);
}

struct export_ctx {
    char **argv;          /* ncu --import ... */
    const char *rep_file;
    int status;           /* ncu's wait status */
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
    ex->status = run_wait(ex->argv, fileno(f));
    return ex->status == 0 ? 0 : -1;
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
    ex.status = 0;
    switch (outfile_write(csv_path, RUNNER_CSV_SIGNATURE, force, export_csv, &ex, why, sizeof why)) {
    case OUTFILE_OK:
        return RUNNER_OK;
    case OUTFILE_FOREIGN:
        snprintf(err, errlen, "%s exists and was not written by gpu_profiler; move it or use --force", csv_path);
        return RUNNER_OUTPUT;
    default:
        if (ex.status != 0) {
            snprintf(err, errlen, "ncu could not export %s to CSV (status %d)", rep_file, ex.status);
            return RUNNER_NCU_FAILED;
        }
        snprintf(err, errlen, "%s: %s", csv_path, why);
        return RUNNER_OUTPUT;
    }
}

/* The strings ncu's command line points into while it runs. */
struct profile_args {
    char ncu[512], app[1024], report[1024], skip[24], count[24], nvtx[256];
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

/* Runs ncu (its output to o->ncu_log when set). Returns its wait status,
 * or -1 with err. */
static int profile_run(struct runner_opts *o, char **argv, const char *ncu, char *err, size_t errlen)
{
    int status, fd = -1;
    if (o->ncu_log) {
        fd = open(o->ncu_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            snprintf(err, errlen, "cannot write %s: %s", o->ncu_log, strerror(errno));
            return -2;
        }
    }
    status = run_profile(argv, fd, o);
    if (fd >= 0)
        close(fd);
    if (status < 0)
        snprintf(err, errlen, "cannot start %s: %s", ncu, strerror(errno));
    return status;
}

/* What ended the run, when it was not a clean end; a run stopped on an
 * NCCL kernel also gets why that cannot end. */
static void profile_say_end(const struct runner_opts *o, int status)
{
    if (o->last_kernel_nccl && (o->stopped_by_duration || o->interrupted || !WIFEXITED(status) ||
                                WEXITSTATUS(status) != 0))
        fprintf(stderr, "gpu_profiler: ncu was profiling one of NCCL's kernels when the run stopped. ncu runs "
                        "one kernel at a time across all the processes it profiles, and an NCCL kernel waits "
                        "for its peers on the other GPUs, so it cannot end. Leave NCCL's kernels out "
                        "(--ncu-arg=-k --ncu-arg='regex:^(?!nccl)') and, with one process per GPU, profile one "
                        "rank at a time: an NVTX range that only that rank opens, with --nvtx-range NAME\n");
}

static void profile_say_partial(struct runner_opts *o, int status)
{
    o->app_failed = !o->stopped_by_duration && !o->interrupted &&
                    ((WIFEXITED(status) && WEXITSTATUS(status) != 0) || WIFSIGNALED(status));
    if (o->stopped_by_duration && !o->quiet)
        fprintf(stderr, "gpu_profiler: stopped profiling after %g s (--duration); estimating from what was "
                        "profiled\n", o->duration_s);
    else if (o->interrupted)
        fprintf(stderr, "gpu_profiler: interrupted (%s); ncu was asked to stop, estimating from what was "
                        "profiled\n", o->interrupted == SIGINT ? "SIGINT" : "SIGTERM");
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        fprintf(stderr, "gpu_profiler: the application (under ncu) exited with status %d; estimating from "
                        "what was profiled\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "gpu_profiler: ncu ended by signal %d; estimating from what was profiled\n",
                WTERMSIG(status));
}

/* Before the run: the CSV may be written (absent, ours or --force), and
 * so may the report: absent, or ours (the CSV of the same run beside it is
 * ours), or --force; never through a symbolic link without --force. An old
 * report of ours is removed, so that a run whose ncu writes none is not
 * estimated from the last one's. */
static int profile_outputs(const struct runner_opts *o, const char *rep_file, const char *csv_path, char *err,
                           size_t errlen)
{
    struct stat st;
    int csv = outfile_may_write(csv_path, RUNNER_CSV_SIGNATURE, o->force);
    if (csv != OUTFILE_OK) {
        snprintf(err, errlen, "%s %s; move it or use --force", csv_path,
                 outfile_refusal(csv));
        return -1;
    }
    if (lstat(rep_file, &st) != 0)
        return 0; /* none yet */
    if (!o->force && S_ISLNK(st.st_mode)) {
        snprintf(err, errlen, "%s is a symbolic link; gpu_profiler does not let ncu write through it without "
                 "--force", rep_file);
        return -1;
    }
    if (!o->force && (!S_ISREG(st.st_mode) || !outfile_is_ours(csv_path, RUNNER_CSV_SIGNATURE))) {
        snprintf(err, errlen, "%s exists and was not written by gpu_profiler; move it or use --force", rep_file);
        return -1;
    }
    if (S_ISREG(st.st_mode) && unlink(rep_file) != 0) {
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
    struct sigaction old_int, old_term;
    int rc;
    sigaction(SIGINT, NULL, &old_int);
    sigaction(SIGTERM, NULL, &old_term);
    runner_hold_signals();
    rc = runner_export(ncu, rep_file, csv_path, o->force, err, errlen);
    if (o->keep_signals_held)
        return rc; /* the caller estimates, then ends with 128 + runner_held_signal() */
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (held_signal)
        raise(held_signal); /* what it would have done during the export, now that the report is saved */
    return rc;
}

int runner_profile(struct runner_opts *o, char *csv_path, size_t csv_len, char *err, size_t errlen)
{
    static struct profile_args pa; /* one profiling run at a time */
    char rep_file[1100];
    char **argv;
    int status;
    struct stat st;
    const char *dir = o->out_dir ? o->out_dir : ".";

    if (runner_find_ncu(o->ncu, pa.ncu, sizeof pa.ncu, err, errlen) != 0)
        return RUNNER_NO_NCU;
    if (runner_find_app(o->app, pa.app, sizeof pa.app) != 0) {
        snprintf(err, errlen, "application '%s' not found or not executable%s", o->app,
                 strchr(o->app, '/') ? "" : " (searched PATH; give a path like ./app)");
        return RUNNER_NO_APP;
    }
    if ((size_t)snprintf(pa.report, sizeof pa.report, "%s/%s", dir, RUNNER_REPORT_BASE) >= sizeof pa.report ||
        (size_t)snprintf(rep_file, sizeof rep_file, "%s.ncu-rep", pa.report) >= sizeof rep_file ||
        (size_t)snprintf(csv_path, csv_len, "%s/%s", dir, RUNNER_CSV_NAME) >= csv_len) {
        snprintf(err, errlen, "--output-dir is %zu characters long; at most %zu fit: give a shorter folder",
                 strlen(dir), sizeof pa.report - sizeof "/" RUNNER_REPORT_BASE);
        return RUNNER_OUTPUT;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--output-dir %s: %s; make it first (nothing was run)", dir,
                 stat(dir, &st) != 0 ? strerror(errno) : "not a folder");
        return RUNNER_OUTPUT;
    }
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
    if (status < 0)
        return status == -2 ? RUNNER_OUTPUT : RUNNER_NCU_FAILED;
    profile_say_end(o, status);
    if (stat(rep_file, &st) != 0) {
        snprintf(err, errlen,
                 "ncu wrote no report (%s); its messages above say why. If it says ERR_NVGPUCTRPERM, "
                 "counters need root or the nvidia module option NVreg_RestrictProfilingToAdminUsers=0",
                 rep_file);
        return RUNNER_NCU_FAILED;
    }
    profile_say_partial(o, status);
    return export_holding_signals(o, pa.ncu, rep_file, csv_path, err, errlen);
}
