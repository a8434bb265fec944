/* fault_shim.c: an LD_PRELOAD library that makes one libc or libdl call fail,
 * for the fault-injection cases of tests/cli.cases. The tool must end every
 * such case with a clear message and its exit code, and leave no partial
 * file where a complete one was expected.
 *
 *   GP_FAULT=CALL:ERRNO[:N]   make CALL fail with ERRNO from its Nth call on
 *                             (default 1); ERRNO is a name (ENOSPC, EIO...)
 *   GP_FAULT_PATH=TEXT        for calls that take a path or library name,
 *                             fail only when it contains TEXT
 *
 * CALL is one of: fflush fclose fsync mkstemp rename open read fopen fread
 * fork dlopen.
 * fflush and fclose fail only on files (not the standard streams), so the
 * tool can still report the failure. Not for production: a test tool. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static const struct {
    const char *name;
    int value;
} errnos[] = { { "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EACCES", EACCES }, { "EROFS", EROFS },
               { "EMFILE", EMFILE }, { "EAGAIN", EAGAIN }, { "EXDEV", EXDEV }, { "ENOMEM", ENOMEM },
               { "EDQUOT", EDQUOT }, { "EPERM", EPERM } };

static unsigned long calls;

/* Whether this call of `call` (on `path`, or NULL) must fail; sets errno. */
static int should_fail(const char *call, const char *path)
{
    const char *spec = getenv("GP_FAULT"), *want = getenv("GP_FAULT_PATH");
    size_t n = strlen(call), i;
    const char *e, *nth;
    if (!spec || strncmp(spec, call, n) != 0 || spec[n] != ':')
        return 0;
    if (want && *want && (!path || !strstr(path, want)))
        return 0;
    e = spec + n + 1;
    nth = strchr(e, ':');
    if (++calls < (nth ? strtoul(nth + 1, NULL, 10) : 1))
        return 0;
    for (i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
        if (strncmp(e, errnos[i].name, strlen(errnos[i].name)) == 0 &&
            (e[strlen(errnos[i].name)] == '\0' || e[strlen(errnos[i].name)] == ':')) {
            errno = errnos[i].value;
            return 1;
        }
    errno = EIO;
    return 1;
}

#define NEXT(type, name) ((type)dlsym(RTLD_NEXT, name))

static int is_std(FILE *f) { return f == stdout || f == stderr || f == stdin; }

int fflush(FILE *f)
{
    if (f && !is_std(f) && should_fail("fflush", NULL))
        return EOF;
    return NEXT(int (*)(FILE *), "fflush")(f);
}

int fclose(FILE *f)
{
    if (f && !is_std(f) && should_fail("fclose", NULL)) {
        int saved = errno;
        NEXT(int (*)(FILE *), "fclose")(f);
        errno = saved;
        return EOF;
    }
    return NEXT(int (*)(FILE *), "fclose")(f);
}

int fsync(int fd)
{
    if (should_fail("fsync", NULL))
        return -1;
    return NEXT(int (*)(int), "fsync")(fd);
}

int mkstemp(char *tmpl)
{
    if (should_fail("mkstemp", tmpl))
        return -1;
    return NEXT(int (*)(char *), "mkstemp")(tmpl);
}

int rename(const char *from, const char *to)
{
    if (should_fail("rename", to))
        return -1;
    return NEXT(int (*)(const char *, const char *), "rename")(from, to);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (should_fail("open", path))
        return -1;
    return NEXT(int (*)(const char *, int, ...), "open")(path, flags, mode);
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (fd > 2 && should_fail("read", NULL))
        return -1;
    return NEXT(ssize_t (*)(int, void *, size_t), "read")(fd, buf, n);
}

pid_t fork(void)
{
    if (should_fail("fork", NULL))
        return -1;
    return NEXT(pid_t (*)(void), "fork")();
}

void *dlopen(const char *name, int flags)
{
    if (name && should_fail("dlopen", name))
        return NULL;
    return NEXT(void *(*)(const char *, int), "dlopen")(name, flags);
}

FILE *fopen(const char *path, const char *mode)
{
    if (should_fail("fopen", path))
        return NULL;
    return NEXT(FILE *(*)(const char *, const char *), "fopen")(path, mode);
}

/* A failed fread marks the stream as failed, as the real one does (glibc's
 * error flag), so that ferror() tells it from the end of the file. */
size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
    if (f && !is_std(f) && should_fail("fread", NULL)) {
        f->_flags |= _IO_ERR_SEEN;
        return 0;
    }
    return NEXT(size_t (*)(void *, size_t, size_t, FILE *), "fread")(buf, size, n, f);
}
