/* plat_posix: the platform layer on Linux and other POSIX systems; see
 * plat.h. */
#ifndef _WIN32
#include "plat.h"

#include "textio.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void plat_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

/* ---- files */

FILE *plat_fopen(const char *path, const char *mode)
{
    return fopen(path, mode);
}

static enum plat_kind kind_of(const struct stat *st)
{
    if (S_ISREG(st->st_mode))
        return PLAT_FILE;
    if (S_ISDIR(st->st_mode))
        return PLAT_DIR;
    if (S_ISLNK(st->st_mode))
        return PLAT_LINK;
    return PLAT_OTHER;
}

enum plat_kind plat_kind(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? kind_of(&st) : PLAT_ABSENT;
}

enum plat_kind plat_link_kind(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? kind_of(&st) : PLAT_ABSENT;
}

int plat_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

int plat_is_executable(const char *path)
{
    return plat_kind(path) == PLAT_FILE && access(path, X_OK) == 0;
}

int plat_replace(const char *from, const char *to)
{
    return rename(from, to);
}

int plat_remove(const char *path)
{
    return unlink(path);
}

int plat_remove_dir(const char *path)
{
    return rmdir(path);
}

char *plat_make_temp_dir(char *tmpl)
{
    return mkdtemp(tmpl);
}

FILE *plat_create_temp(char *tmpl)
{
    int fd = mkstemp(tmpl);
    mode_t um;
    FILE *f;
    if (fd < 0)
        return NULL;
    /* mkstemp makes 0600; results are not secret, so honour the umask */
    um = umask(0);
    umask(um);
    (void)fchmod(fd, 0666 & ~um);
    f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(tmpl);
        errno = e;
    }
    return f;
}

int plat_sync(FILE *f)
{
    return fsync(fileno(f)) != 0 && errno != EINVAL ? -1 : 0;
}

char *plat_real_path(const char *path)
{
    return realpath(path, NULL);
}

/* path's folder resolved, then its name: where a file that does not exist
 * yet would be. malloc'd, or NULL. */
static char *resolved_parent(const char *path)
{
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    char *real = dir ? realpath(dir, NULL) : NULL, *out = NULL;
    if (real && (out = malloc(strlen(real) + strlen(name) + 2)))
        sprintf(out, "%s/%s", real, name);
    free(dir);
    free(real);
    return out;
}

int plat_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0, same;
    char *ra, *rb;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return 0;
    ra = resolved_parent(a);
    rb = resolved_parent(b);
    same = ra && rb ? strcmp(ra, rb) == 0 : strcmp(a, b) == 0;
    free(ra);
    free(rb);
    return same;
}

int plat_file_id(const char *path, unsigned long long id[2])
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    id[0] = (unsigned long long)st.st_dev;
    id[1] = (unsigned long long)st.st_ino;
    return 0;
}

const char *plat_temp_root(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

int plat_cache_dir(char *out, size_t outlen)
{
    const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (x && x[0] == '/')
        return (size_t)snprintf(out, outlen, "%s", x) < outlen ? 0 : -1;
    if (home && *home)
        return (size_t)snprintf(out, outlen, "%s/.cache", home) < outlen ? 0 : -1;
    return -1;
}

int plat_make_dir(const char *path)
{
    return mkdir(path, 0777);
}

FILE *plat_memstream_open(void)
{
    return tmpfile();
}

struct plat_dir {
    DIR *d;
};

struct plat_dir *plat_dir_open(const char *path)
{
    struct plat_dir *pd = malloc(sizeof *pd);
    if (!pd)
        return NULL;
    if (!(pd->d = opendir(path))) {
        int e = errno;
        free(pd);
        errno = e;
        return NULL;
    }
    return pd;
}

const char *plat_dir_next(struct plat_dir *pd)
{
    struct dirent *de;
    while ((de = readdir(pd->d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return de->d_name;
    return NULL;
}

void plat_dir_close(struct plat_dir *pd)
{
    if (pd) {
        closedir(pd->d);
        free(pd);
    }
}

/* ---- paths */

int plat_is_sep(int c)
{
    return c == '/';
}

const char *plat_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int plat_has_dir(const char *path)
{
    return strchr(path, '/') != NULL;
}

int plat_is_absolute(const char *path)
{
    return path[0] == '/';
}

int plat_find_in_path(const char *name, char *out, size_t outlen)
{
    const char *p = getenv("PATH");
    while (p && *p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n > 0 && (size_t)snprintf(out, outlen, "%.*s/%s", (int)n, p, name) < outlen &&
            plat_is_executable(out))
            return 0;
        p = colon ? colon + 1 : NULL;
    }
    return -1;
}

int plat_find_installed_ncu(char *out, size_t outlen, char *searched, size_t searchedlen)
{
    static const char opt[] = "/opt/nvidia/nsight-compute";
    char best[512] = "", cand[512];
    const char *name;
    struct plat_dir *d;
    snprintf(searched, searchedlen, "/usr/local/cuda/bin and %s/*/", opt);
    if (plat_is_executable("/usr/local/cuda/bin/ncu")) {
        snprintf(out, outlen, "/usr/local/cuda/bin/ncu");
        return 0;
    }
    if (!(d = plat_dir_open(opt)))
        return -1;
    while ((name = plat_dir_next(d)) != NULL) {
        if (name[0] != '.' && (size_t)snprintf(cand, sizeof cand, "%s/%s/ncu", opt, name) < sizeof cand &&
            plat_is_executable(cand) && (!best[0] || text_version_cmp(cand, best) > 0))
            snprintf(best, sizeof best, "%s", cand);
    }
    plat_dir_close(d);
    if (!best[0] || (size_t)snprintf(out, outlen, "%s", best) >= outlen)
        return -1;
    return 0;
}

int plat_self_path(char *out, size_t outlen)
{
    ssize_t n = readlink("/proc/self/exe", out, outlen - 1);
    if (n <= 0 || (size_t)n >= outlen - 1)
        return -1;
    out[n] = '\0';
    return 0;
}

int plat_cwd(char *out, size_t outlen)
{
    return getcwd(out, outlen) ? 0 : -1;
}

int plat_setenv(const char *name, const char *value)
{
    return value ? setenv(name, value, 1) : unsetenv(name);
}

int plat_hostname(char *out, size_t outlen)
{
    if (gethostname(out, outlen) != 0)
        return -1;
    out[outlen - 1] = '\0';
    return 0;
}

/* ---- dynamic libraries */

const char *plat_lib_file(enum plat_lib which)
{
    return which == PLAT_LIB_CUDA ? "libcuda.so.1" : "libnvidia-ml.so.1";
}

void *plat_lib_open(enum plat_lib which, char *err, size_t errlen)
{
    void *lib = dlopen(plat_lib_file(which), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror(); /* NULL when nothing was recorded */
        snprintf(err, errlen, "%s", why ? why : "not found");
    }
    return lib;
}

void *plat_lib_open_file(const char *file, char *err, size_t errlen)
{
    void *lib = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(err, errlen, "%s", why ? why : "not found");
    }
    return lib;
}

void *plat_lib_sym(void *lib, const char *name)
{
    return dlsym(lib, name);
}

void plat_lib_close(void *lib)
{
    if (lib)
        dlclose(lib);
}

/* ---- time */

double plat_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void plat_sleep_s(double s)
{
    struct timespec ts;
    if (s <= 0)
        return;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int plat_utc(time_t t, struct tm *out)
{
    return gmtime_r(&t, out) ? 0 : -1;
}

/* ---- terminal */

int plat_isatty(FILE *f)
{
    return isatty(fileno(f));
}

int plat_term_columns(FILE *f)
{
    struct winsize ws;
    if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0)
        return ws.ws_col;
    return 0;
}

/* ---- processes */

int plat_exit_failed(struct plat_exit e)
{
    return e.started && (e.signal != 0 || e.code != 0);
}

struct plat_child_os {
    pid_t pid;
    int read_fd;        /* the captured output's read end, or -1 */
    int had_terminal;   /* the child's group was given the terminal */
    struct sigaction old_int, old_term, old_hup;
};

static volatile sig_atomic_t child_pid_for_signals, signal_seen, held_signal;

/* SIGINT/SIGTERM/SIGHUP while a child runs: remember it and ask the child's whole
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

static void on_held_signal(int sig)
{
    held_signal = sig;
}

void plat_hold_signals(void)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_held_signal;
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGHUP, &act, NULL);
}

int plat_held_signal(void)
{
    return held_signal;
}

static struct sigaction hold_old_int, hold_old_term, hold_old_hup;

void plat_hold_begin(void)
{
    sigaction(SIGINT, NULL, &hold_old_int);
    sigaction(SIGTERM, NULL, &hold_old_term);
    sigaction(SIGHUP, NULL, &hold_old_hup);
    plat_hold_signals();
}

void plat_hold_end(void)
{
    sigaction(SIGINT, &hold_old_int, NULL);
    sigaction(SIGTERM, &hold_old_term, NULL);
    sigaction(SIGHUP, &hold_old_hup, NULL);
}

void plat_reraise(int sig)
{
    raise(sig);
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
 * whether it did (plat_child_finish then takes it back). */
static int give_terminal(pid_t pgid)
{
    if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
        return 0;
    return set_foreground(pgid);
}

/* In the child, after fork: its own process group, so the group can be
 * stopped as a whole; default handling, even where ours was inherited as
 * ignored (a background job of a script): SIGINT is how ncu is asked to
 * stop. Never returns. */
static void child_exec(char *const *argv, int out_fd, const char *const *env)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    setpgid(0, 0);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
    if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
        _exit(127);
    for (; env && *env; env++) {
        const char *eq = strchr(*env, '=');
        char name[256];
        if (eq && (size_t)(eq - *env) < sizeof name) {
            memcpy(name, *env, (size_t)(eq - *env));
            name[eq - *env] = '\0';
            setenv(name, eq + 1, 1);
        }
    }
    execv(argv[0], argv);
    _exit(127);
}

/* The child's stdout: a file, a pipe to us (read end non-blocking when
 * on_output drains it), or ours. -1 with errno. */
static int child_output(struct plat_child *c, int *out_fd)
{
    int fds[2];
    *out_fd = -1;
    if (c->out_file) {
        fflush(c->out_file);
        *out_fd = fcntl(fileno(c->out_file), F_DUPFD_CLOEXEC, 0);
        return *out_fd < 0 ? -1 : 0;
    }
    if (!c->capture)
        return 0;
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC); /* the read end must not leak into the child */
    fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* the child gets it as its stdout only */
    if (c->on_output)
        fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    c->os->read_fd = fds[0];
    *out_fd = fds[1];
    return 0;
}

static void child_cleanup(struct plat_child *c)
{
    int e = errno;
    if (c->os->read_fd >= 0)
        close(c->os->read_fd);
    sigaction(SIGINT, &c->os->old_int, NULL);
    sigaction(SIGTERM, &c->os->old_term, NULL);
    sigaction(SIGHUP, &c->os->old_hup, NULL);
    free(c->os);
    c->os = NULL;
    errno = e;
}

int plat_child_start(struct plat_child *c, char *const *argv)
{
    struct sigaction act;
    int out_fd;
    c->stopped_by_deadline = 0;
    c->signal_received = 0;
    if (!(c->os = calloc(1, sizeof *c->os)))
        return -1;
    c->os->read_fd = -1;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_signal;
    sigemptyset(&act.sa_mask);
    signal_seen = 0;
    child_pid_for_signals = 0;
    sigaction(SIGINT, &act, &c->os->old_int);
    sigaction(SIGTERM, &act, &c->os->old_term);
    sigaction(SIGHUP, &act, &c->os->old_hup); /* a closed terminal or SSH session: as SIGTERM (issue 32) */
    if (child_output(c, &out_fd) != 0) {
        child_cleanup(c);
        return -1;
    }
    c->os->pid = fork();
    if (c->os->pid == 0)
        child_exec(argv, out_fd, c->env);
    if (out_fd >= 0)
        close(out_fd); /* the child holds it */
    if (c->os->pid < 0) {
        child_cleanup(c);
        return -1;
    }
    setpgid(c->os->pid, c->os->pid); /* also here: whichever runs first */
    if (c->hold_signals)
        return 0; /* neither the terminal nor our signals: it finishes its work */
    c->os->had_terminal = give_terminal(c->os->pid);
    child_pid_for_signals = c->os->pid;
    return 0;
}

long plat_child_read(struct plat_child *c, char *buf, size_t n)
{
    ssize_t r;
    if (!c->os || c->os->read_fd < 0)
        return -1;
    while ((r = read(c->os->read_fd, buf, n)) < 0 && errno == EINTR)
        ;
    return (long)r;
}

/* Hands what the child has written so far to on_output. */
static void drain(struct plat_child *c)
{
    char buf[8192];
    ssize_t n;
    while ((n = read(c->os->read_fd, buf, sizeof buf)) > 0)
        c->on_output(c->ctx, buf, (size_t)n);
}

/* What is left of a child's process group once the child has ended (an
 * application's background processes): SIGTERM, up to a second to go,
 * then SIGKILL. Nothing is left running behind gpu_profiler. */
static void end_group(pid_t pgid)
{
    int i;
    if (pgid <= 0 || kill(-pgid, 0) != 0)
        return; /* the group is gone: nothing was left */
    kill(-pgid, SIGTERM);
    for (i = 0; i < 50 && kill(-pgid, 0) == 0; i++)
        plat_sleep_s(0.02);
    if (kill(-pgid, 0) == 0)
        kill(-pgid, SIGKILL);
}

static struct plat_exit exit_of(int status)
{
    struct plat_exit e = { 1, 0, 0 };
    if (WIFSIGNALED(status))
        e.signal = WTERMSIG(status);
    else
        e.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return e;
}

/* Waits for the child to end, interrupting it at the deadline or on our
 * signal and killing it 30 s after that. */
static int wait_child(struct plat_child *c, int *status)
{
    pid_t pid = c->os->pid;
    double start = plat_now_s(), sigint_at = -1;
    for (;;) {
        pid_t r;
        double t;
        if (c->on_output && c->os->read_fd >= 0)
            drain(c);
        r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        t = plat_now_s();
        if (c->on_tick)
            c->on_tick(c->ctx, t - start);
        if (signal_seen && sigint_at < 0)
            sigint_at = t; /* passed on by the handler (or sent by the terminal) */
        if (c->stop_after_s > 0 && sigint_at < 0 && t - start >= c->stop_after_s) {
            kill(-pid, SIGINT);
            c->stopped_by_deadline = 1;
            sigint_at = t;
        }
        if (sigint_at >= 0 && t - sigint_at > 30.0) {
            kill(-pid, SIGKILL);
            sigint_at = t + 1e9; /* once */
        }
        plat_sleep_s(0.02);
    }
}

struct plat_exit plat_child_finish(struct plat_child *c)
{
    struct plat_exit e = { 0, 0, 0 };
    int status = 0;
    if (!c->os)
        return e;
    if (wait_child(c, &status) == 0)
        e = exit_of(status);
    if (c->on_output && c->os->read_fd >= 0)
        drain(c); /* what the child wrote last (a descendant still holding the pipe is not waited for) */
    end_group(c->os->pid);
    c->signal_received = signal_seen;
    if (c->hold_signals && signal_seen && !held_signal)
        held_signal = signal_seen; /* remembered for the caller: plat_held_signal */
    child_pid_for_signals = 0;
    if (c->os->had_terminal)
        set_foreground(getpgrp()); /* back to us */
    child_cleanup(c);
    return e;
}
#endif
