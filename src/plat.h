/* plat: what differs between POSIX systems and Windows, behind one
 * interface; src/plat_posix.c and src/plat_win32.c implement it, and no
 * other file uses an operating system's own API. Paths are UTF-8 strings
 * on both (on Windows they go through the wide-character API), and '/'
 * separates folders in the paths the tool makes ('\\' is read as well on
 * Windows). Files are always opened in binary mode, so that the tool's
 * outputs are the same bytes on both. */
#ifndef GPU_PROFILER_PLAT_H
#define GPU_PROFILER_PLAT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#ifdef _WIN32
#define PLAT_WINDOWS 1
#define PLAT_PATH_LIST_SEP ';'
#else
#define PLAT_WINDOWS 0
#define PLAT_PATH_LIST_SEP ':'
#endif

/* printf-style checking that matches the C library in use (mingw-w64's
 * C99 printf, so %zu is right on both) */
#if defined(__MINGW32__)
#define PLAT_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#else
#define PLAT_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#endif

/* First thing in main: on Windows the arguments become UTF-8 (from the
 * wide command line), the standard streams binary, the console UTF-8 with
 * escape sequences on. Nothing on POSIX. */
void plat_init(int *argc, char ***argv);

/* ---- files */
FILE *plat_fopen(const char *path, const char *mode); /* binary, whatever mode says */
enum plat_kind { PLAT_ABSENT, PLAT_FILE, PLAT_DIR, PLAT_LINK, PLAT_OTHER };
enum plat_kind plat_kind(const char *path);      /* what path names, through symbolic links */
enum plat_kind plat_link_kind(const char *path); /* the name itself: PLAT_LINK for a link */
int plat_exists(const char *path);
int plat_is_executable(const char *path);        /* a regular file we may run */
/* Renames from to to, replacing to if it exists, atomically where the
 * file system can. 0, or -1 with errno. */
int plat_replace(const char *from, const char *to);
int plat_remove(const char *path);               /* a file; 0 or -1 */
int plat_remove_dir(const char *path);           /* an empty folder; 0 or -1 */
/* tmpl ends in XXXXXX, replaced by a unique name. The new folder or file
 * (open for writing, its permissions those of a file the user makes), or
 * NULL with errno. */
char *plat_make_temp_dir(char *tmpl);
FILE *plat_create_temp(char *tmpl);
int plat_sync(FILE *f);                          /* to the disk; 0 or -1 */
char *plat_real_path(const char *path);          /* malloc'd absolute path, or NULL with errno */
/* Whether a and b name one file, whether it exists or not: the same file
 * (POSIX: device and inode; Windows: volume and file index) where both
 * exist, else the same folder (resolved) and name (on Windows in any
 * case). ./x, x, an absolute path and a link to x are all x. */
int plat_same_file(const char *a, const char *b);
/* An existing file's identity (POSIX: device, inode; Windows: volume, file
 * index): two names of one file have the same. 0, or -1 with errno. */
int plat_file_id(const char *path, unsigned long long id[2]);
const char *plat_temp_root(void);                /* $TMPDIR or /tmp; %TEMP% on Windows */
/* The user's cache folder: $XDG_CACHE_HOME, else $HOME/.cache; on Windows
 * %LOCALAPPDATA%. 0 with it in out, or -1 where there is none. */
int plat_cache_dir(char *out, size_t outlen);
int plat_make_dir(const char *path);             /* one folder; 0, or -1 (errno EEXIST if it is there) */
/* A scratch stream, read and write (a temporary file that goes away when
 * closed): textio_take reads back what was written to it. */
FILE *plat_memstream_open(void);
struct plat_dir;
struct plat_dir *plat_dir_open(const char *path);     /* NULL with errno */
const char *plat_dir_next(struct plat_dir *d);         /* the next name (never . or ..), NULL at the end */
void plat_dir_close(struct plat_dir *d);

/* ---- paths */
int plat_is_sep(int c);                          /* '/' (and '\\' on Windows) */
const char *plat_base_name(const char *path);    /* after the last separator (and a drive's ':') */
int plat_has_dir(const char *path);              /* names a folder part: run as given, not searched */
int plat_is_absolute(const char *path);
/* name searched in each folder of $PATH (on Windows with each of
 * %PATHEXT%'s extensions that CreateProcess runs: never .bat or .cmd);
 * 0 with the path in out, or -1. */
int plat_find_in_path(const char *name, char *out, size_t outlen);
/* ncu in the usual install folders: /usr/local/cuda/bin and the newest
 * /opt/nvidia/nsight-compute/<version>/; on Windows the newest
 * %ProgramFiles%\NVIDIA Corporation\Nsight Compute <version>\ (its
 * target\windows-desktop-win7-x64\ncu.exe, not ncu.bat) and
 * %CUDA_PATH%\bin. 0 with the path, or -1; searched says where it looked. */
int plat_find_installed_ncu(char *out, size_t outlen, char *searched, size_t searchedlen);
#define PLAT_NCU_NAME (PLAT_WINDOWS ? "ncu.exe" : "ncu")
int plat_self_path(char *out, size_t outlen);    /* the running executable; 0 or -1 */
int plat_cwd(char *out, size_t outlen);          /* 0 or -1 */
int plat_setenv(const char *name, const char *value); /* value NULL: unset; 0 or -1 */
int plat_hostname(char *out, size_t outlen);     /* 0 or -1 */

/* ---- dynamic libraries, loaded at run time */
enum plat_lib { PLAT_LIB_CUDA, PLAT_LIB_NVML };
/* libcuda.so.1 / libnvidia-ml.so.1 by the loader's search; nvcuda.dll /
 * nvml.dll from System32, NVML then from %ProgramW6432%\NVIDIA
 * Corporation\NVSMI\. NULL with the loader's reason in err. */
void *plat_lib_open(enum plat_lib which, char *err, size_t errlen);
void *plat_lib_sym(void *lib, const char *name);
void plat_lib_close(void *lib);
const char *plat_lib_file(enum plat_lib which);  /* its file name, for messages */
/* A library by file name (the loader's search) or path, as the user named
 * it (NCCL: collectives.h). NULL with the loader's reason in err. */
void *plat_lib_open_file(const char *file, char *err, size_t errlen);

/* ---- time */
double plat_now_s(void);                         /* monotonic seconds */
void plat_sleep_s(double s);                     /* whole, across signals */
int plat_utc(time_t t, struct tm *out);          /* 0 or -1 */

/* ---- terminal */
int plat_isatty(FILE *f);
int plat_term_columns(FILE *f);                  /* its width, or 0 where unknown */

/* ---- processes */
/* How a child ended: its exit code, or (POSIX) the signal that ended it. */
struct plat_exit {
    int started;   /* it ran and was waited for */
    int signal;    /* POSIX: the signal that ended it, else 0 */
    int code;      /* its exit status when signal is 0 */
};
int plat_exit_failed(struct plat_exit e);        /* started, and ended by a signal or non-zero */

#define PLAT_SIGINT 2
#define PLAT_SIGTERM 15
#define PLAT_SIGHUP 1  /* POSIX: the terminal closed; handled as SIGTERM */

/* A child process. POSIX: in a process group of its own, given the
 * terminal when we hold it; Windows: in a job object (its whole tree ends
 * with it or with us), on our console. While it runs, SIGINT and SIGTERM
 * (Ctrl-C, Ctrl-Break, closing the console) do not end us: they are passed
 * to the child as an interrupt (ncu's "stop and save the report"), unless
 * hold_signals, where they are only remembered. */
struct plat_child {
    /* set by the caller */
    FILE *out_file;         /* the child's stdout to this open file (flushed first), or NULL */
    int capture;            /* the child's stdout to us: plat_child_read, or on_output in plat_child_finish */
    int hold_signals;       /* the child gets neither the terminal nor our signals */
    double stop_after_s;    /* > 0: interrupt the child after this long */
    const char *const *env; /* "NAME=VALUE" strings added to its environment (NULL-terminated), or NULL;
                               Windows: an empty VALUE removes NAME (plat_env_block) */
    void (*on_output)(void *ctx, const char *buf, size_t n);
    void (*on_tick)(void *ctx, double elapsed_s); /* about every 20 ms */
    void *ctx;
    /* set by plat_child_finish */
    int stopped_by_deadline;
    int signal_received;    /* PLAT_SIGINT or PLAT_SIGTERM that reached us, or 0 */
    struct plat_child_os *os;
};
/* Starts argv[0] (a path) with argv as its arguments, never through a
 * shell. 0, or -1 with errno (nothing left to finish). */
int plat_child_start(struct plat_child *c, char *const *argv);
/* Blocking read of a captured child's output: bytes read, 0 at its end,
 * -1 on an error. */
long plat_child_read(struct plat_child *c, char *buf, size_t n);
/* Waits for the child. When stop_after_s passes or a signal reaches us,
 * the child is interrupted; 30 s later it is killed (a hung child never
 * hangs us). Once it has ended, what is left of its group or job (an
 * application's background processes) is ended too. */
struct plat_exit plat_child_finish(struct plat_child *c);
#if PLAT_WINDOWS
/* The environment block plat_child_start gives a child on Windows (ours
 * is never changed for it: other threads may be reading it): current (a
 * block as GetEnvironmentStringsW gives, entries ended by a NUL, the last
 * by two) with extra's "NAME=VALUE" strings in place of the variables of
 * that name (any case) or added, an empty VALUE removing it as
 * _putenv("NAME=") does; sorted by name without case, the "=C:" entries
 * first as they were. Freed by the caller; NULL with errno out of memory. */
wchar_t *plat_env_block(const wchar_t *current, const char *const *extra);
#endif

/* From here on SIGINT and SIGTERM are remembered, not obeyed; the caller
 * ends with 128 + plat_held_signal(). plat_hold_begin/plat_hold_end hold
 * them for a while and put back what was there. */
void plat_hold_signals(void);
int plat_held_signal(void);
void plat_hold_begin(void);
void plat_hold_end(void);
/* Ends the process as the signal would have (POSIX: raises it again;
 * Windows: exits with 128 + sig). */
void plat_reraise(int sig);

#endif
